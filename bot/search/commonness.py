"""How common a word is in ordinary language: generic words never veto a match.

A query word that the notes never use is one of two things. A common word ("basics",
"tips", "framework", "紹介", "全部") is filler: the listener's phrasing, not the topic,
so it must not stop an episode that matches the rest. A rare one ("SnapStart",
"Bedrock", "Gemini") names something: when the notes never mention it, the show never
covered it. The ``wordfreq`` package's small English and Japanese lists (about 30,000
words each, built from many corpora) tell the two apart by Zipf frequency.
"""

from __future__ import annotations

import logging
import math
import unicodedata
from functools import cache, lru_cache

from bot.search.readings import ends_in_predicate

log = logging.getLogger(__name__)

GENERIC_ZIPF = 3.5  # at or above: an everyday word (about once in 300,000 words)


@cache
def _table(lang: str) -> dict[str, float]:
    try:
        from wordfreq import get_frequency_dict
    except ImportError:  # pragma: no cover - a dependency; logged, search still works
        log.warning("wordfreq is not installed: every unknown word counts as a name")
        return {}
    return get_frequency_dict(lang, wordlist="small")


def zipf(word: str, lang: str | None = None) -> float:
    """Zipf frequency of ``word`` (0 when unknown); ``lang`` None picks by script."""
    text = unicodedata.normalize("NFKC", word).casefold().strip()
    if not text:
        return 0.0
    if lang is None:
        lang = "en" if text.isascii() else "ja"
    freq = _table(lang).get(text, 0.0)
    if not freq and lang == "ja":
        return _phrase_zipf(text)
    if not freq and lang == "en" and text.endswith("s") and len(text) > 3:
        # plurals: "pipelines" -> "pipeline", "repositories" -> "repository"
        singular = text[:-3] + "y" if text.endswith("ies") else text[:-1]
        freq = _table(lang).get(singular, 0.0)
    return math.log10(freq) + 9 if freq > 0 else 0.0


_MAX_PIECE = 8  # characters of the longest piece tried (the list's words are short)


@lru_cache(maxsize=4096)  # query words: bounded, whatever listeners type
def _phrase_zipf(text: str) -> float:
    """Zipf frequency of Japanese text that the list does not hold as one word, when
    it ends in a verb, an ending or a particle (by Sudachi): that of its rarest piece,
    cut into the list's words the way a unigram model would (the most likely cut).

    The list was built from MeCab's short units, so an inflected verb or a request
    ("知りたい", "取り上げた", "全部教えて") is several of its words, each common. A
    compound noun ("事前確保", "条件付き書き込み") is not cut: made of common words, it
    may still be the topic a listener names. A lone kanji is a piece only as a stem
    before kana ("出てきた", "気になる"). 0 when the text cannot be cut that way."""
    if not ends_in_predicate(text):
        return 0.0
    table = _table("ja")
    n = len(text)
    best: list[tuple[float, float] | None] = [None] * (n + 1)  # (log-likelihood, rarest)
    best[0] = (0.0, math.inf)
    for start in range(n):
        here = best[start]
        if here is None:
            continue
        for end in range(start + 1, min(n, start + _MAX_PIECE) + 1):
            piece = text[start:end]
            freq = table.get(piece, 0.0)
            if not freq or (len(piece) == 1 and not _one_char_piece(text, start)):
                continue
            score = (here[0] + math.log10(freq), min(here[1], math.log10(freq) + 9))
            held = best[end]
            if held is None or score[0] > held[0]:
                best[end] = score
    found = best[n]
    return found[1] if found is not None and found[1] != math.inf else 0.0


def _one_char_piece(text: str, at: int) -> bool:
    """A one-character piece: kana, or a kanji stem that kana follows."""
    char = text[at]
    if "\u3041" <= char <= "\u309f":  # hiragana: particles, endings
        return True
    following = text[at + 1 : at + 2]
    return bool(following) and "\u3041" <= following <= "\u309f"


def is_generic(word: str) -> bool:
    """Whether ``word`` is an everyday word rather than a name."""
    return zipf(word) >= GENERIC_ZIPF


def is_coined(word: str) -> bool:
    """Whether ``word`` is in no everyday word list at all ("SQS", "Graviton2",
    "BigQuery"): a name and nothing else, unlike a name that is also a word ("SQL",
    "Autopilot", "Lambda")."""
    return zipf(word) == 0.0
