"""Episode numbers: #5, 第二十五回, 十回目, lists (#5と#6, 12と13) and ranges (10〜12)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from bot.search.understand.numerals import ASCII_DIGITS, KANJI_NUMERAL_CHARS, kanji_to_int
from bot.search.understand.scan import (
    DASH,
    MAX_EPISODE_DIGITS,
    MAX_NUMBERS,
    MAX_YEAR,
    MIN_YEAR,
    SENTINELS,
    Scan,
    Span,
    compile_ci,
    is_ascii_alnum,
)

# --------------------------------------------------------------------------- episode numbers

_THOUSANDS_RE = re.compile(r"(?<![0-9,])[0-9]{1,3}(?:,[0-9]{3})+(?![0-9]|,[0-9])")
_ITEM_RE = compile_ci(
    # not part of a name/version: EC2, GPT-4, 1.5, '24, re:Invent; not "もう一回"
    r"(?<![A-Za-z0-9_.:'\u2019])(?<![A-Za-z]-)(?<!もう)(?<!あと)"
    r"(?P<pre>\#\s*|第\s*|エピソード\s*|(?:episodes?|eps?\.?|vol\.?|no\.)\s*)?"
    rf"(?P<num>[0-9]+|[{KANJI_NUMERAL_CHARS}]+)"
    r"(?P<suf>\s*(?:回目|話目|回|話)|(?:st|nd|rd|th)\s+(?:episode|ep)\b)?"
)
_LIST_SEP_RE = compile_ci(r"\s*(?:と|,|、|&|and|or|や|・|及び|および)\s*")
_RANGE_SEP_RE = compile_ci(rf"\s*(?:{DASH}|から|to|through|thru)\s*")
_BOUNDARY_CHARS = frozenset(" \t\r\n、。,.!?;:)]}」』】>\"'" + SENTINELS)
_PARTICLES_AFTER_NUMBER = frozenset("のはをがもにでとやへかっ")


@dataclass(frozen=True)
class _Item:
    start: int
    end: int
    value: int
    marked: bool  # has #, 第..回, ep, 回, 話 ...: certainly an episode number
    arabic: bool


def _scan_items(work: str) -> list[_Item]:
    items: list[_Item] = []
    for match in _ITEM_RE.finditer(work):
        pre = (match["pre"] or "").strip().lower()
        num = match["num"]
        suf = match["suf"]
        after = match.end()
        following = work[after] if after < len(work) else ""
        if is_ascii_alnum(following):
            continue  # "16a", "3rd"
        if following in ".:" and after + 1 < len(work) and work[after + 1] in ASCII_DIGITS:
            continue  # "1.5", "10:30"
        arabic = num[0] in ASCII_DIGITS
        if arabic:
            if len(num) > MAX_EPISODE_DIGITS:
                continue
            value: int | None = int(num)
        else:
            value = kanji_to_int(num)
        if value is None:
            continue
        if pre == "第":
            marked = (
                suf is not None
                or not following
                or following in _BOUNDARY_CHARS
                or following in _PARTICLES_AFTER_NUMBER
            )
        else:
            marked = bool(pre) or suf is not None
        if not marked and not arabic:
            continue  # "一番", "十分": kanji numerals need 第/回/話
        items.append(_Item(match.start(), after, value, marked, arabic))
    return items


def _connector(between: str) -> Literal["list", "range"] | None:
    if len(between) > 16:
        return None
    if _LIST_SEP_RE.fullmatch(between):
        return "list"
    if _RANGE_SEP_RE.fullmatch(between):
        return "range"
    return None


def _ends_cleanly(work: str, index: int) -> bool:
    if index >= len(work):
        return True
    return work[index] in _BOUNDARY_CHARS or work[index] in _PARTICLES_AFTER_NUMBER


def _after_latin_word(work: str, index: int) -> bool:
    """``Python 3``, ``iPhone 15``: a bare number right after a Latin word and a space."""
    j = index
    while j > 0 and work[j - 1] in " \t":
        j -= 1
    return j < index and j > 0 and is_ascii_alnum(work[j - 1])


def _is_year_like(item: _Item) -> bool:
    return item.end - item.start == 4 and MIN_YEAR <= item.value <= MAX_YEAR


def _accept_group(
    work: str, group: list[tuple[_Item, Literal["list", "range"] | None]]
) -> list[tuple[_Item, Literal["list", "range"] | None]]:
    while group and not group[-1][0].marked and not _ends_cleanly(work, group[-1][0].end):
        group = group[:-1]  # "#5と6人": the 6 counts people
    while group and not group[0][0].marked and _after_latin_word(work, group[0][0].start):
        group = [(item, None) for item, _ in group[1:2]] + group[2:]  # "Python 3と#4"
    if not group:
        return []
    if any(item.marked for item, _ in group):
        return group
    if len(group) >= 2 and all(item.arabic and not _is_year_like(item) for item, _ in group):
        return group  # "12と13", "5,6,7"
    return []


def _group_values(group: Sequence[tuple[_Item, Literal["list", "range"] | None]]) -> list[int]:
    values: list[int] = []
    previous: int | None = None
    for item, kind in group:
        if kind == "range" and previous is not None:
            values.pop()  # "#7-#5": the range replaces its first end
            low, high = sorted((previous, item.value))
            stop = min(high, low + MAX_NUMBERS - 1)
            values.extend(range(low, stop + 1))
        else:
            values.append(item.value)
        previous = item.value
        if len(values) >= MAX_NUMBERS:
            break
    return values


def extract_numbers(scan: Scan) -> None:
    scan.run(_THOUSANDS_RE, lambda m: "keep")  # "1,000" is not episodes 1 and 0
    work = scan.work
    groups: list[list[tuple[_Item, Literal["list", "range"] | None]]] = []
    previous: _Item | None = None
    for item in _scan_items(work):
        kind = _connector(work[previous.end : item.start]) if previous else None
        if kind is not None and groups:
            groups[-1].append((item, kind))
        else:
            groups.append([(item, None)])
        previous = item
    removes: list[Span] = []
    for group in groups:
        accepted = _accept_group(work, group)
        if accepted:
            scan.add_numbers(_group_values(accepted))
            removes.append((accepted[0][0].start, accepted[-1][0].end))
    scan.mask(removes)
