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
from functools import cache

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
    if not freq and lang == "en" and text.endswith("s") and len(text) > 3:
        # plurals: "pipelines" -> "pipeline", "repositories" -> "repository"
        singular = text[:-3] + "y" if text.endswith("ies") else text[:-1]
        freq = _table(lang).get(singular, 0.0)
    return math.log10(freq) + 9 if freq > 0 else 0.0


def is_generic(word: str) -> bool:
    """Whether ``word`` is an everyday word rather than a name."""
    return zipf(word) >= GENERIC_ZIPF


def is_coined(word: str) -> bool:
    """Whether ``word`` is in no everyday word list at all ("SQS", "Graviton2",
    "BigQuery"): a name and nothing else, unlike a name that is also a word ("SQL",
    "Autopilot", "Lambda")."""
    return zipf(word) == 0.0
