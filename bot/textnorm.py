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

# Japanese characters after NFKC: iteration marks, kana (with ・ and ー), CJK ideographs.
_JA = "\u3005-\u3007\u3041-\u309f\u30a0-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_WORD = "0-9a-z\u00c0-\u024f\u0370-\u03ff\u0400-\u04ff"
JA_RUN = re.compile(f"[{_JA}]+")
LATIN_WORD = re.compile(f"[{_WORD}]+")
_COMPOUND = re.compile(f"[{_WORD}]+(?:[-.:/+_'’&][{_WORD}]+)+")
LATIN_SPAN = re.compile(f"[{_WORD}]+(?:[-.:/+_'’&][{_WORD}]+)*")
_COMPOUND_SEP = re.compile("[-.:/+_'’&]")
_HIRA_INNER = re.compile("([\u3041-\u309f])[\u3041-\u309f]*([\u3041-\u309f])")
_BIGRAM = re.compile("(?=([^\x00]{2}))")
_SINGLE = re.compile("(?:^|(?<=\x00))([^\x00\u3041-\u309f])(?=\x00|$)")
_LONG_U = re.compile("(?<=[ウクスツヌフムユルグズヅブプュゥオコソトノホモヨロヲゴゾドボポョォ])ウ")

_FOLD: dict[int, int | str | None] = {c: c + 0x60 for c in range(0x3041, 0x3097)}  # hira->kata
_FOLD.update({ord("ゝ"): "ヽ", ord("ゞ"): "ヾ", ord("ヵ"): "カ", ord("ヶ"): "カ"})
_FOLD.update({ord("ー"): None, ord("・"): None})
_VU = (("ヴァ", "バ"), ("ヴィ", "ビ"), ("ヴェ", "ベ"), ("ヴォ", "ボ"), ("ヴ", "ブ"))


def nfkc_lower(text: str) -> str:
    """NFKC and case folding: full-width and half-width forms become plain ones."""
    return unicodedata.normalize("NFKC", text).casefold()


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


def compounds(text: str) -> list[str]:
    """Joined forms of words written with a separator: ``re:invent`` -> ``reinvent``."""
    out = []
    for match in _COMPOUND.finditer(text):
        parts = _COMPOUND_SEP.split(match.group())
        if len(parts) <= 3:
            out.append("".join(parts))
    return out


def ja_terms(runs: list[str], grammar: bool = True) -> list[str]:
    """Bigrams of Japanese runs (NFKC text, kana not yet folded).

    With ``grammar=False`` bigrams made only of hiragana (particles, verb endings) are
    left out: they are most of the postings of long text and say little about a topic.
    A run of one character gives that character.
    """
    if not runs:
        return []
    joined = "\x00".join(runs)
    singles = _SINGLE.findall(joined)
    if not grammar:
        joined = _HIRA_INNER.sub("\\1\x00\\2", joined)
    folded = fold_kana(joined)
    terms = _BIGRAM.findall(folded)
    if singles:
        terms.extend(fold_kana(s) for s in singles)
    return [t for t in terms if t] if singles else terms


def index_terms(text: str, grammar: bool = True) -> list[str]:
    """Every term of ``text`` in order, repeats kept (for term frequencies)."""
    norm = nfkc_lower(text)
    terms = LATIN_WORD.findall(norm)
    if "-" in norm or "." in norm or ":" in norm or "/" in norm or "'" in norm or "&" in norm:
        terms.extend(compounds(norm))
    terms.extend(ja_terms(JA_RUN.findall(norm), grammar))
    return terms


def is_latin_term(term: str) -> bool:
    return bool(term) and LATIN_WORD.fullmatch(term) is not None


# -- katakana renderings of Latin names ----------------------------------------------

_ROMAJI = (
    "a i u e o ka ki ku ke ko ga gi gu ge go sa shi su se so za ji zu ze zo ta chi "
    "tsu te to da ji zu de do na ni nu ne no ha hi fu he ho ba bi bu be bo pa pi pu "
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


_SOUND_KANA = (("sh", "s"), ("ch", "q"), ("ts", "t"), ("l", "r"), ("v", "b"), ("z", "s"))
_SOUND_LATIN = (
    ("gh", ""),
    ("ph", "f"),
    ("dg", "j"),
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
    return _DOUBLES.sub(r"\1", roman)


_NOT_LATIN = re.compile("[^a-z]")
