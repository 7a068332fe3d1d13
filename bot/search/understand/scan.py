"""What every rule of the query reader shares: the result types, the scan of one query
(a same-length working copy whose recognised phrases are masked) and the pattern helpers."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from enum import Enum
from typing import Literal

MAX_NUMBERS = 50
"""At most this many episode numbers are returned (ranges are expanded up to it)."""

MIN_YEAR = 1990
MAX_YEAR = 2100
MAX_EPISODE_DIGITS = 6


# --------------------------------------------------------------------------- public types


@dataclass(frozen=True)
class DateRange:
    """An inclusive range of days."""

    start: date
    end: date

    def __post_init__(self) -> None:
        if self.start > self.end:
            raise ValueError(f"DateRange start {self.start} is after end {self.end}")

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day <= self.end


class Order(Enum):
    """The user asked for the oldest or the newest episode(s)."""

    FIRST = "first"
    LATEST = "latest"


@dataclass(frozen=True)
class Understood:
    """The result of :func:`understand`."""

    text: str
    numbers: tuple[int, ...] = ()
    dates: DateRange | None = None
    order: Order | None = None
    url_path: str | None = None
    speaker: str | None = None
    alone: bool = False  # "一人で", "solo", "alone": the speaker (or one speaker) alone


# --------------------------------------------------------------------------- scanning state

REMOVED = "\ue000"  # private-use characters; stripped from the input first
KEPT = "\ue001"
SENTINELS = REMOVED + KEPT

Span = tuple[int, int]
Outcome = list[Span] | Literal["keep", "ignore"]
Handler = Callable[[re.Match[str]], Outcome]


class Scan:
    """Per-call mutable state: the normalised query, its working copy and findings."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.work = text
        self.removed = bytearray(len(text))
        self.numbers: list[int] = []
        self.ranges: list[DateRange] = []
        self.order: tuple[int, Order] | None = None
        self.url_path: tuple[int, str] | None = None
        self.speaker: tuple[int, str] | None = None
        self.alone = False

    def run(self, pattern: re.Pattern[str], handler: Handler) -> None:
        removes: list[Span] = []
        keeps: list[Span] = []
        for match in pattern.finditer(self.work):
            outcome = handler(match)
            if outcome == "keep":
                keeps.append(match.span())
            elif outcome != "ignore":
                removes.extend(outcome)
        self.mask(removes, keeps)

    def mask(self, removes: Sequence[Span], keeps: Sequence[Span] = ()) -> None:
        if not removes and not keeps:
            return
        chars = list(self.work)
        for start, end in removes:
            chars[start:end] = REMOVED * (end - start)
            self.removed[start:end] = b"\x01" * (end - start)
        for start, end in keeps:
            chars[start:end] = KEPT * (end - start)
        self.work = "".join(chars)

    def set_order(self, position: int, order: Order) -> None:
        if self.order is None or position < self.order[0]:
            self.order = (position, order)

    def set_url_path(self, position: int, path: str) -> None:
        if self.url_path is None or position < self.url_path[0]:
            self.url_path = (position, path)

    def set_speaker(self, position: int, name: str) -> None:
        if self.speaker is None or position < self.speaker[0]:
            self.speaker = (position, name)

    def add_numbers(self, values: Sequence[int]) -> None:
        for value in values:
            if len(self.numbers) >= MAX_NUMBERS:
                return
            if value not in self.numbers:
                self.numbers.append(value)

    def pieces(self) -> list[str]:
        visible = "".join(
            REMOVED if flag else char for char, flag in zip(self.text, self.removed, strict=True)
        )
        return [piece for piece in visible.split(REMOVED) if piece]


# --------------------------------------------------------------------------- patterns

CJK = r"\u3400-\u9fff"
KATAKANA = r"\u30a0-\u30ff"
DASH = r"(?:〜|~|-|\u2010|\u2212|\u2013|\u2014)"  # wave dash, tilde, hyphens, minus, dashes

# ``\b`` in these patterns means an ASCII word boundary: Python's own ``\b`` treats kana and
# kanji as word characters, so it would not match in "Dec 2020の回" or "Ken-sanの回".
_ASCII_BOUNDARY = r"(?:(?<![A-Za-z0-9])(?=[A-Za-z0-9])|(?<=[A-Za-z0-9])(?![A-Za-z0-9]))"


def compile_ci(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern.replace(r"\b", _ASCII_BOUNDARY), re.IGNORECASE)


def is_hiragana(char: str) -> bool:
    return "\u3041" <= char <= "\u309f"


def is_ascii_alnum(char: str) -> bool:
    return char.isascii() and char.isalnum()
