"""Text normalisation shared by the search index and the queries it answers.

One normaliser for both sides, so a query matches the notes whatever width, case or kana
the listener types:

- Unicode NFKC (full-width Latin, half-width katakana) and case folding;
- hiragana folded to katakana, ``ヴァ`` to ``バ``, ``ヵ``/``ヶ`` to ``カ``;
- long vowels dropped: ``ー``, and ``ウ`` after a u/o-row kana (``キュウブ`` ~ ``キューブ``);
- the middle dot ``・`` dropped (``ジェフ・ベゾス`` ~ ``ジェフベゾス``).

Terms are Latin words (plus the joined form of hyphenated or dotted compounds:
``well-architected`` also gives ``wellarchitected``) and character bigrams of Japanese
runs (Japanese has no spaces). Character bigrams were chosen over a morphological
analyser by measurement: they tokenise about 15 M chars/s against 2.3 M for fugashi +
unidic-lite (+73 MB RSS) and 1.2 M for sudachipy + sudachidict-core (+166 MB RSS), and a
10,000-episode site must index in seconds.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from itertools import chain
from operator import add, methodcaller

# Japanese characters after NFKC: iteration marks, kana (with ・ and ー), CJK ideographs.
_JA = "\u3005-\u3007\u3041-\u309f\u30a0-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_WORD = "0-9a-z\u00c0-\u024f\u0370-\u03ff\u0400-\u04ff"
JA_RUN = re.compile(f"[{_JA}]+")
LATIN_WORD = re.compile(f"[{_WORD}]+")
LATIN_SPAN = re.compile(f"[{_WORD}]+(?:[-.:/+_'’&][{_WORD}]+)*")
_COMPOUND_SEP = re.compile("[-.:/+_'’&]")
# Long text: runs of kanji/katakana, with a single hiragana between them or after them
# (okurigana and particles: 振り返り, 寿司の握り方); longer hiragana stretches (verb
# endings, particles) are left out.
_C = "\u3005-\u3007\u30a0-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
JA_CONTENT_RUN = re.compile(f"[{_C}]+(?:[\u3041-\u309f][{_C}]+)*[\u3041-\u309f]?")
_LONG_U = re.compile("(?<=[ウクスツヌフムユルグズヅブプュゥオコソトノホモヨロヲゴゾドボポョォ])ウ")

_FOLD: dict[int, int | str | None] = {c: c + 0x60 for c in range(0x3041, 0x3097)}  # hira->kata
_FOLD.update({ord("ゝ"): "ヽ", ord("ゞ"): "ヾ", ord("ヵ"): "カ", ord("ヶ"): "カ"})
_FOLD.update({ord("ー"): None, ord("・"): None})
_VU = (("ヴァ", "バ"), ("ヴィ", "ビ"), ("ヴェ", "ベ"), ("ヴォ", "ボ"), ("ヴ", "ブ"))


# Blocks where ordinary notes hold characters NFKC changes: full-width and half-width
# forms, CJK symbols and punctuation, compatibility letters and combining marks.
_COMPAT_BLOCKS = (
    (0x00A0, 0x00BF),
    (0x0300, 0x036F),
    (0x2000, 0x2BFF),
    (0x3000, 0x303F),
    (0x3099, 0x309C),
    (0x3200, 0x33FF),
    (0xFB00, 0xFB4F),
    (0xFE10, 0xFE6F),
    (0xFF00, 0xFFEF),
)


def _compat_pattern() -> re.Pattern[str]:
    """Runs of the characters of those blocks that NFKC changes or may combine (not the
    common 、。「」, which it keeps as they are)."""
    chars = []
    for low, high in _COMPAT_BLOCKS:
        for code in range(low, high + 1):
            ch = chr(code)
            if unicodedata.combining(ch) or unicodedata.normalize("NFKC", ch) != ch:
                chars.append(re.escape(ch))
    return re.compile(f"[{''.join(chars)}]+")


_COMPAT = _compat_pattern()


def _nfkc_piece(match: re.Match[str]) -> str:
    return unicodedata.normalize("NFKC", match.group())


def nfkc(text: str) -> str:
    """Unicode NFKC; normalises only the runs that need it (6x faster on long notes).

    Exact: the pieces are compatibility equivalents of what they replace, so a result
    that is normalised is the NFKC form of ``text``; one that is not is normalised whole.
    """
    if unicodedata.is_normalized("NFKC", text):
        return text
    out = _COMPAT.sub(_nfkc_piece, text)
    return out if unicodedata.is_normalized("NFKC", out) else unicodedata.normalize("NFKC", out)


def nfkc_lower(text: str) -> str:
    """NFKC and case folding: full-width and half-width forms become plain ones."""
    return nfkc(text).casefold()


def fold_kana(text: str) -> str:
    """Fold kana spelling variants in NFKC text (see the module docstring)."""
    text = text.replace("ー", "").translate(_FOLD) if "ー" in text else text.translate(_FOLD)
    if "ヴ" in text:
        for old, new in _VU:
            text = text.replace(old, new)
    return _LONG_U.sub("", text) if "ウ" in text else text


def normalize(text: str) -> str:
    """The full normaliser: what both the notes and the queries are compared as."""
    return fold_kana(nfkc_lower(text))


def light_normalize(text: str) -> str:
    """:func:`normalize` without folding hiragana to katakana (3x faster on long text),
    for finding a :func:`kana_pattern` in an episode's text."""
    text = nfkc_lower(text).replace("ー", "").replace("・", "")
    if "ヴ" in text:
        for old, new in _VU:
            text = text.replace(old, new)
    return _LONG_U.sub("", text) if "ウ" in text else text


def kana_pattern(folded: str) -> str:
    """Regular expression matching folded text in :func:`light_normalize` output: each
    katakana also matches its hiragana."""
    out = []
    for ch in folded:
        if "\u30a1" <= ch <= "\u30f6":
            out.append(f"[{ch}{chr(ord(ch) - 0x60)}]")
        else:
            out.append(re.escape(ch))
    return "".join(out)


def compounds(text: str) -> list[str]:
    """Joined forms of words written with a separator: ``re:invent`` -> ``reinvent``."""
    split = map(_COMPOUND_SEP.split, LATIN_SPAN.findall(text))
    return ["".join(parts) for parts in split if 1 < len(parts) <= 3]


class RunTerms(dict[str, tuple[str, ...]]):
    """Terms of Japanese runs, worked out once per distinct run: folded bigrams, and
    for ``grammar`` text (read with ``JA_RUN``) a run of one character gives itself.

    Runs repeat across notes (a 10,000-note site has 1.7 M content runs but 83 k distinct
    ones), so an index build that keeps one of these reads most runs from memory. Keep
    it for a build, not for ever: it grows with every distinct run it is asked about.
    """

    def __init__(self, grammar: bool = True) -> None:
        super().__init__()
        self.grammar = grammar
        self.pattern = JA_RUN if grammar else JA_CONTENT_RUN
        self._terms: dict[str, str] = {}  # one string per distinct term, shared by runs

    def __missing__(self, run: str) -> tuple[str, ...]:
        folded = fold_kana(run)
        if len(run) == 1:
            found = [folded] if folded and self.grammar else []
        else:
            found = list(map(add, folded, folded[1:]))
        terms = self[run] = tuple(map(self._terms.setdefault, found, found))
        return terms


def ja_terms(runs: list[str], grammar: bool = True) -> list[str]:
    """Bigrams of Japanese runs (NFKC text, kana not yet folded).

    A run of one character gives that character, unless ``grammar=False`` (long text,
    read with ``JA_CONTENT_RUN``).
    """
    if not runs:
        return []
    terms = list(chain.from_iterable(map(RunTerms(grammar=False).__getitem__, runs)))
    if grammar:
        terms.extend(s for s in (fold_kana(r) for r in runs if len(r) == 1) if s)
    return terms


def field_terms(
    text: str, grammar: bool = True, joined: bool = True
) -> tuple[list[str], list[str]]:
    """Latin words (with joined compounds unless ``joined=False``) and Japanese terms
    of ``text``, in order, repeats kept (for term frequencies)."""
    norm = nfkc_lower(text)
    words = LATIN_WORD.findall(norm)
    if joined and _HAS_SEPARATOR.search(norm):
        words.extend(compounds(norm))
    runs = (JA_RUN if grammar else JA_CONTENT_RUN).findall(norm)
    return words, ja_terms(runs, grammar)


def count_terms(text: str, runs: RunTerms, joined: bool = True) -> tuple[list[str], Counter[str]]:
    """The Latin words of ``text`` and how often each term occurs: the terms of
    :func:`field_terms` (``grammar`` as ``runs`` reads), counted with less work."""
    norm = nfkc_lower(text)
    words = LATIN_WORD.findall(norm)
    if joined and _HAS_SEPARATOR.search(norm):
        words.extend(compounds(norm))
    ja = chain.from_iterable(map(runs.__getitem__, runs.pattern.findall(norm)))
    return words, Counter(chain(words, ja))


def index_terms(text: str, grammar: bool = True) -> list[str]:
    """Every term of ``text`` in order, repeats kept."""
    words, ja = field_terms(text, grammar)
    return words + ja


_HAS_SEPARATOR = re.compile(f"[{_WORD}][-.:/+_'’&][{_WORD}]")


# -- katakana renderings of Latin names ----------------------------------------------

_ROMAJI = (
    "a i u e o ka ki ku ke ko ga gi gu ge go sa shi su se so za ji zu ze zo ta chi "
    "tu te to da ji zu de do na ni nu ne no ha hi fu he ho ba bi bu be bo pa pi pu "
    "pe po ma mi mu me mo ya yu yo ra ri ru re ro wa o n a i u e o ya yu yo wa"
)
_KANA = dict(
    zip(
        "アイウエオカキクケコガギグゲゴサシスセソザジズゼゾタチツテトダヂヅデドナニヌネノ"
        "ハヒフヘホバビブベボパピプペポマミムメモヤユヨラリルレロワヲンァィゥェォャュョヮ",
        _ROMAJI.split(" "),
        strict=True,
    )
)
_SMALL_VOWEL = frozenset("ァィゥェォ")
_SMALL_Y = frozenset("ャュョ")
# Vowels Japanese adds after a consonant (クラウド kura-u-do for cloud). ~ marks a
# sokuon (ッ): the vowel before it is a real one (ドッカー, docker).
_EPENTHETIC = re.compile(
    "(?<=[bcdfghjkmnpqrstvwz])u(?![aeiou~])|(?<=[td])o(?![aeiou~])|(?<=j|h)i(?![aeiou~])"
)


def romanize(kana: str) -> str:
    """Hepburn-like romaji of folded katakana; other characters are dropped."""
    out: list[str] = []
    for ch in kana:
        if ch in _SMALL_VOWEL and out:
            prev = out.pop()
            base = "w" if prev == "u" else prev.rstrip("aeiou")
            out.append(base + _KANA[ch])
        elif ch in _SMALL_Y and out and out[-1].endswith("i") and len(out[-1]) > 1:
            prev = out.pop()[:-1]
            glide = "" if prev in ("sh", "ch", "j") else "y"
            out.append(prev + glide + _KANA[ch][1])
        elif ch == "ッ":
            out.append("~")
        else:
            roman = _KANA.get(ch)
            if roman is not None:
                out.append(roman)
    return "".join(out)


_SOUND_KANA = (("sh", "s"), ("ch", "q"), ("l", "r"), ("v", "b"), ("z", "s"))
_SOUND_LATIN = (
    ("gh", ""),
    ("ph", "f"),
    ("dg", "j"),
    ("ture", "qa"),  # feature ~ フィーチャー, architecture ~ アーキテクチャ
    ("mb", "nb"),
    ("mp", "np"),
    ("qu", "k"),
    ("tch", "q"),
    ("ck", "k"),
    ("sh", "s"),
    ("ch", "q"),
    ("th", "s"),
    ("x", "ks"),
    ("z", "s"),
    ("v", "b"),
)
_SOFT_C = re.compile("c(?=[eiy])")
_R_COLOURED = re.compile("(?<=[aeiouy])r(?![aeiouy])")
_W_AFTER_VOWEL = re.compile("(?<=[aeiou])w(?![aeiou])")
_VOWELS = re.compile("[aeiouy]+")
_DOUBLES = re.compile(r"(.)\1+")
_FIRST = methodcaller("group", 1)  # faster than the template r"\1"


def kana_sound(kana: str, vowels: bool = False) -> str:
    """Sound shape of folded katakana, comparable with :func:`latin_sound`."""
    roman = _EPENTHETIC.sub("", romanize(kana)).replace("~", "")
    for old, new in _SOUND_KANA:
        roman = roman.replace(old, new)
    return _shape(roman, vowels)


def latin_sound(word: str, vowels: bool = False, hard_ch: bool = False) -> str:
    """Sound shape of a Latin word as Japanese would write it in katakana.

    ``cloudfront`` and ``クラウドフロント`` both become ``kradfrant``; ``bezos`` and
    ``ベゾス`` both ``basas``. Vowels collapse to ``a`` (kept with ``vowels=True``, a
    finer comparison); what is left is the consonant skeleton with its syllable breaks.
    ``hard_ch`` reads ``ch`` as k (chaos), not as in chat.
    """
    w = word[:-1] if len(word) > 3 and word.endswith("e") and word[-2] not in "aeiou" else word
    w = _R_COLOURED.sub("", w)  # server ~ サーバー, port ~ ポート
    w = _W_AFTER_VOWEL.sub("", w)  # flow ~ フロー
    if hard_ch:
        w = w.replace("ch", "k")
    for old, new in _SOUND_LATIN:
        w = w.replace(old, new)
    w = _SOFT_C.sub("s", w).replace("c", "k").replace("l", "r")
    if vowels:
        w = w.replace("y", "i")
    return _shape(_NOT_LATIN.sub("", w), vowels)


def _shape(roman: str, vowels: bool) -> str:
    if not vowels:
        roman = _VOWELS.sub("a", roman)
    return _DOUBLES.sub(_FIRST, roman)


_NOT_LATIN = re.compile("[^a-z]")
