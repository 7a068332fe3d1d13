"""What is left for the topic search once the recognised phrases are out: the pieces
between them, with particles and filler trimmed at their edges."""

from __future__ import annotations

import re
from datetime import date

from bot.search.understand.dates import hull
from bot.search.understand.scan import (
    KEPT,
    MAX_YEAR,
    MIN_YEAR,
    SENTINELS,
    DateRange,
    Scan,
    Understood,
    is_ascii_alnum,
    is_hiragana,
)

# --------------------------------------------------------------------------- leftover text

_EDGE_PUNCTUATION = frozenset(
    " \t\r\n?!,、。・:;…\"'()[]{}「」『』【】<>〜~-\u2010\u2212\u2013\u2014|*_`" + SENTINELS
)
_WORD_SEPARATORS = frozenset(" \t\r\n,、。?!:;")  # not "-", "/", "." or "'": "on-premise"
_JA_PARTICLES = frozenset("のにではをがもとへや")
# Grammatical tails: may always be trimmed from the end of a piece.
_JA_FREE_AT_END = (
    "のエピソード", "について", "に配信された", "で配信された", "に配信", "の配信", "の回",
    "の話", "って", "から", "まで", "ですか", "ありますか", "ありました", "あった",
    "回全部", "回ぜんぶ", "回すべて", "回全て", "全部", "ぜんぶ",
)  # fmt: skip
# Content-like filler: trimmed only where it stands apart from neighbouring words.
_JA_CONTENT = (
    "配信された", "エピソード", "された", "回目", "回", "話", "頃", "ごろ", "ころ", "あたり",
    "くらい", "ぐらい", "どれ", "どこ", "教えて", "探して", "見せて", "ある", "やつ",
    "全部", "ぜんぶ", "すべて", "全て", "一覧", "に出た", "に出た回", "出た回", "に公開された",
)  # fmt: skip
_JA_FILLERS = tuple(sorted(_JA_FREE_AT_END + _JA_CONTENT, key=len, reverse=True))
_JA_CONTENT_BY_LENGTH = tuple(sorted(_JA_CONTENT, key=len, reverse=True))
_JA_FREE_BY_LENGTH = tuple(sorted(_JA_FREE_AT_END, key=len, reverse=True))
_EN_FILLERS = frozenset(
    (
        "episode", "episodes", "ep", "eps", "show", "shows", "podcast", "me", "find", "search",
        "list", "give", "any", "all", "the", "about", "on", "from", "in", "of", "during", "with",
        "where", "which", "what", "was", "were", "is", "are", "there", "that", "for", "please",
        "aired", "released", "published", "talked", "around", "at", "one", "ones",
    )
)  # fmt: skip


def _filler_starts(piece: str, index: int) -> bool:
    return index < len(piece) and (
        piece[index] in _JA_PARTICLES or any(piece.startswith(f, index) for f in _JA_FILLERS)
    )


def _filler_ends(piece: str, index: int, low: int) -> bool:
    return index > low and (
        piece[index - 1] in _JA_PARTICLES or any(piece.endswith(f, low, index) for f in _JA_FILLERS)
    )


def _stands_apart(char: str) -> bool:
    return char in _EDGE_PUNCTUATION or char.isspace() or is_ascii_alnum(char)


def _trim_start(piece: str, low: int, high: int) -> int:
    while low < high:
        char = piece[low]
        if char in _EDGE_PUNCTUATION or char.isspace():
            low += 1
            continue
        word_end = low
        while (
            word_end < high
            and word_end - low <= 12
            and piece[word_end].isascii()
            and piece[word_end].isalpha()
        ):
            word_end += 1
        if (
            word_end > low
            and piece[low:word_end].lower() in _EN_FILLERS
            and (word_end == high or piece[word_end] in _WORD_SEPARATORS)
        ):
            low = word_end
            continue
        for filler in _JA_FILLERS:
            end = low + len(filler)
            if piece.startswith(filler, low, high) and (
                end == high or _stands_apart(piece[end]) or _filler_starts(piece, end)
            ):
                low = end
                break
        else:
            if char in _JA_PARTICLES and (
                low + 1 == high or not is_hiragana(piece[low + 1]) or _filler_starts(piece, low + 1)
            ):
                low += 1
                continue
            return low
    return low


def _trim_end(piece: str, low: int, high: int) -> int:
    while high > low:
        char = piece[high - 1]
        if char in _EDGE_PUNCTUATION or char.isspace() or char == ".":  # "... in 2021."
            high -= 1
            continue
        word_start = high
        while (
            word_start > low
            and high - word_start <= 12
            and piece[word_start - 1].isascii()
            and piece[word_start - 1].isalpha()
        ):
            word_start -= 1
        if (
            word_start < high
            and piece[word_start:high].lower() in _EN_FILLERS
            and (word_start == low or piece[word_start - 1] in _WORD_SEPARATORS)
        ):
            high = word_start
            continue
        free = next((f for f in _JA_FREE_BY_LENGTH if piece.endswith(f, low, high)), None)
        if free is not None:
            high -= len(free)
            continue
        content = next(
            (
                f
                for f in _JA_CONTENT_BY_LENGTH
                if piece.endswith(f, low, high)
                and (
                    high - len(f) == low
                    or _stands_apart(piece[high - len(f) - 1])
                    or _filler_ends(piece, high - len(f), low)
                )
            ),
            None,
        )
        if content is not None:
            high -= len(content)
            continue
        if char in _JA_PARTICLES and (
            high - 1 == low
            or not is_hiragana(piece[high - 2])
            or _filler_ends(piece, high - 1, low)
        ):
            high -= 1
            continue
        return high
    return high


def _trim(piece: str) -> str:
    low = _trim_start(piece, 0, len(piece))
    high = _trim_end(piece, low, len(piece))
    trimmed = piece[low:high]
    return trimmed if any(char.isalnum() for char in trimmed) else ""


def _collapse(text: str) -> str:
    return " ".join(text.split())


_BARE_NUMBER_RE = re.compile(r"[0-9]{1,6}")


def finish(scan: Scan) -> Understood:
    recognised = any(scan.removed)
    protected = KEPT in scan.work
    trimmed = _collapse(" ".join(t for t in map(_trim, scan.pieces()) if t))
    text = trimmed if recognised else _collapse(scan.text)
    # "16", "2021", "16の回": the number is the whole query
    if not protected and _BARE_NUMBER_RE.fullmatch(trimmed):
        value = int(trimmed)
        if len(trimmed) == 4 and MIN_YEAR <= value <= MAX_YEAR:
            if not scan.ranges:
                scan.ranges.append(DateRange(date(value, 1, 1), date(value, 12, 31)))
                text = ""
        elif not scan.numbers:
            scan.add_numbers([value])
            text = ""
    if not any(char.isalnum() for char in text):
        text = ""  # only punctuation, emoji, or nothing
    return Understood(
        text=text,
        numbers=tuple(scan.numbers),
        dates=hull(scan.ranges),
        order=scan.order[1] if scan.order else None,
        url_path=scan.url_path[1] if scan.url_path else None,
        speaker=scan.speaker[1] if scan.speaker else None,
        alone=scan.alone,
    )
