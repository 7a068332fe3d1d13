"""Query understanding for searching a (Japanese) tech podcast's episode notes.

``understand(query, today=..., speakers=...)`` pulls the structured parts out of a
free-text query -- episode numbers, a date range, "first/latest", a show-notes URL path
and "who spoke" -- and returns what is left for topic search in ``Understood.text``.

Design notes
------------
* Pure function, stdlib only, no mutable module state: "today" and the speaker list are
  parameters.  Module-level objects are compiled regexes and constant tables only.
* Input is NFKC-normalised first (full-width digits/letters/``#``/``~`` become ASCII), so
  ``text`` is returned in NFKC form too.
* Every regex is linear: no nested unbounded quantifiers, and the one "gap" used for
  "<name>が<topic>について話した回" is bounded (40 chars).  Numbers longer than 6 digits
  are never passed to ``int`` (Python refuses >4300-digit strings).
* Extraction works on a same-length working copy of the query.  A recognised phrase is
  overwritten with a "removed" sentinel, so later patterns cannot match across or inside
  it; an unparseable date (``2020/2/30``) is overwritten with a "kept" sentinel: it stays
  in ``text`` but nothing else may reinterpret its pieces (e.g. as ``2020/2``).
* Particles/filler (``の``, ``の回``, ``配信``, ``in``, ``episodes`` ...) are trimmed only at
  the edges of the pieces left between removed phrases, and only when something was
  recognised.  A query in which nothing was recognised keeps its wording.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum
from typing import Literal
from urllib.parse import unquote

__all__ = [
    "MAX_NUMBERS",
    "DateRange",
    "Order",
    "Understood",
    "kanji_to_int",
    "understand",
]

MAX_NUMBERS = 50
"""At most this many episode numbers are returned (ranges are expanded up to it)."""

MIN_YEAR = 1990
MAX_YEAR = 2100
_MAX_EPISODE_DIGITS = 6


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


# --------------------------------------------------------------------------- kanji numbers

_ASCII_DIGITS = "0123456789"
_KANJI_DIGITS = {
    "\u3007": 0, "零": 0, "一": 1, "二": 2, "三": 3, "四": 4,
    "五": 5, "六": 6, "七": 7, "八": 8, "九": 9,
}  # fmt: skip
_KANJI_UNITS = {"十": 10, "百": 100, "千": 1000}
_KANJI_NUMERAL_CHARS = "".join(_KANJI_DIGITS) + "".join(_KANJI_UNITS)


def _digit_value(char: str) -> int | None:
    if len(char) == 1 and char in _ASCII_DIGITS:
        return ord(char) - ord("0")
    return _KANJI_DIGITS.get(char)


def _positional(text: str) -> int | None:
    """Every character is an Arabic or kanji digit: ``"16"``, ``"一六"``, ``"1六"``."""
    values = [_digit_value(c) for c in text]
    if not values or any(v is None for v in values):
        return None
    return int("".join(str(v) for v in values))


def _below_man(text: str) -> int | None:
    """A number below 10,000 written with 十/百/千 (or purely positionally)."""
    if not text:
        return None
    positional = _positional(text)
    if positional is not None:
        return positional if positional < 10_000 else None
    total = 0
    coefficient: int | None = None
    last_unit = 10_000
    for char in text:
        digit = _digit_value(char)
        if digit is not None:
            if coefficient is not None:  # "二三十": two digits before a unit
                return None
            coefficient = digit
            continue
        unit = _KANJI_UNITS.get(char)
        if unit is None or unit >= last_unit or coefficient == 0:
            return None  # unknown char, repeated/out-of-order unit ("十十", "十百"), "〇十"
        total += unit * (1 if coefficient is None else coefficient)
        last_unit = unit
        coefficient = None
    if coefficient is not None:
        if coefficient == 0:  # "十〇"
            return None
        total += coefficient
    return total


def kanji_to_int(s: str) -> int | None:
    """Parse a Japanese or Arabic numeral; ``None`` if it is not a reasonable number.

    Accepts ``"一"``, ``"十"``, ``"二十五"``, ``"百十二"``, ``"千"``, ideographic zero
    (U+3007) or ``"零"``, positional kanji digits, full-width digits (NFKC-normalised), a
    single Arabic
    digit as coefficient of a unit (``"2十"`` == 20) and 万 (``"一万二千"``).  Rejects empty
    or over-long input, repeated or out-of-order units and anything else.
    """
    text = unicodedata.normalize("NFKC", s).strip()
    if not text or len(text) > 20:
        return None
    positional = _positional(text)
    if positional is not None:
        return positional
    head, man, tail = text.partition("万")
    if not man:
        return _below_man(text)
    if "万" in tail:
        return None
    high = _below_man(head)
    low = _below_man(tail) if tail else 0
    if not high or low is None:
        return None
    return high * 10_000 + low


# --------------------------------------------------------------------------- scanning state

_REMOVED = "\ue000"  # private-use characters; stripped from the input first
_KEPT = "\ue001"
_SENTINELS = _REMOVED + _KEPT

_Span = tuple[int, int]
_Outcome = list[_Span] | Literal["keep", "ignore"]
_Handler = Callable[[re.Match[str]], _Outcome]


class _Scan:
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

    def run(self, pattern: re.Pattern[str], handler: _Handler) -> None:
        removes: list[_Span] = []
        keeps: list[_Span] = []
        for match in pattern.finditer(self.work):
            outcome = handler(match)
            if outcome == "keep":
                keeps.append(match.span())
            elif outcome != "ignore":
                removes.extend(outcome)
        self.mask(removes, keeps)

    def mask(self, removes: Sequence[_Span], keeps: Sequence[_Span] = ()) -> None:
        if not removes and not keeps:
            return
        chars = list(self.work)
        for start, end in removes:
            chars[start:end] = _REMOVED * (end - start)
            self.removed[start:end] = b"\x01" * (end - start)
        for start, end in keeps:
            chars[start:end] = _KEPT * (end - start)
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
            _REMOVED if flag else char for char, flag in zip(self.text, self.removed, strict=True)
        )
        return [piece for piece in visible.split(_REMOVED) if piece]


# --------------------------------------------------------------------------- helpers

_MONTH_ABBREVIATIONS = (
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
)  # fmt: skip
_SEASONS = {"spring": 3, "summer": 6, "autumn": 9, "fall": 9, "winter": 12}
_JA_SEASONS = {"春": 3, "夏": 6, "秋": 9, "冬": 12}
_REL_YEARS = {"一昨年": -2, "おととし": -2, "去年": -1, "昨年": -1, "今年": 0, "本年": 0}
_REL_YEAR_STEMS = {"一昨": -2, "去": -1, "昨": -1, "今": 0, "前": -1}
_XUN = {"上旬": (1, 10), "初旬": (1, 10), "中旬": (11, 20), "下旬": (21, 31)}


def _day(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _last_day(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def _days(year: int, month: int, first: int, last: int) -> DateRange | None:
    """Days ``first..last`` of a month, ``last`` clipped to the month's length."""
    if not (1 <= month <= 12) or not (1 <= year <= 9998):
        return None
    start = _day(year, month, first)
    end = _day(year, month, min(last, _last_day(year, month)))
    if start is None or end is None:
        return None
    return DateRange(start, end)


def _month(year: int, month: int) -> DateRange | None:
    return _days(year, month, 1, 31)


def _whole_year(year: int) -> DateRange | None:
    if not (1 <= year <= 9998):
        return None
    return DateRange(date(year, 1, 1), date(year, 12, 31))


def _single_day(year: int, month: int, day: int) -> DateRange | None:
    found = _day(year, month, day)
    return None if found is None else DateRange(found, found)


def _season(year: int, first_month: int) -> DateRange | None:
    """Three months from ``first_month``; winter (12) runs into February of next year."""
    if not (1 <= year <= 9997):
        return None
    start = date(year, first_month, 1)
    end_year, end_month = (year + 1, 2) if first_month == 12 else (year, first_month + 2)
    return DateRange(start, date(end_year, end_month, _last_day(end_year, end_month)))


def _fiscal_year(year: int) -> DateRange | None:
    if not (1 <= year <= 9997):
        return None
    return DateRange(date(year, 4, 1), date(year + 1, 3, 31))


def _year_end(year: int, kind: str) -> DateRange | None:
    """年末 (December), 年始/年明け (1-15 January), 年末年始 (December to 15 January)."""
    if not (1 <= year <= 9997):
        return None
    if kind in ("年末", "末"):
        return DateRange(date(year, 12, 1), date(year, 12, 31))
    if kind in ("年末年始", "末年始"):
        return DateRange(date(year, 12, 1), date(year + 1, 1, 15))
    return DateRange(date(year, 1, 1), date(year, 1, 15))


def _most_recent(today: date, make: Callable[[int], DateRange | None]) -> DateRange | None:
    """The latest year's range that starts on or before ``today`` (year not given)."""
    for year in range(today.year, today.year - 9, -1):  # 9 years covers 29 February
        if year < 1:
            break
        found = make(year)
        if found is not None and found.start <= today:
            return found
    return None


def _shift_month(today: date, months_back: int) -> DateRange | None:
    index = today.year * 12 + (today.month - 1) - months_back
    return _month(index // 12, index % 12 + 1)


def _valid_year(text: str | None) -> int | None:
    if text is None:
        return None
    year = int(text)
    return year if MIN_YEAR <= year <= MAX_YEAR else None


def _month_number(name: str) -> int:
    return _MONTH_ABBREVIATIONS.index(name[:3].lower()) + 1


def _hull(ranges: Sequence[DateRange]) -> DateRange | None:
    if not ranges:
        return None
    return DateRange(min(r.start for r in ranges), max(r.end for r in ranges))


def _is_hiragana(char: str) -> bool:
    return "\u3041" <= char <= "\u309f"


def _is_ascii_alnum(char: str) -> bool:
    return char.isascii() and char.isalnum()


_INDEX_PAGES = frozenset({"index.html", "index.htm", "index.php"})


def _normalise_path(raw: str) -> str:
    """Percent-decode, drop empty/``.`` segments, resolve ``..``, drop a final ``index.html``
    and end with a slash: ``/podcast/0016``, ``/podcast//0016/index.html`` -> ``/podcast/0016/``.
    """
    segments: list[str] = []
    for segment in unquote(raw).split("/"):
        if segment in ("", "."):
            continue
        if segment == "..":
            if segments:
                segments.pop()
            continue
        segments.append(segment)
    if segments and segments[-1].lower() in _INDEX_PAGES:
        segments.pop()
    return "/" + "".join(segment + "/" for segment in segments)


# --------------------------------------------------------------------------- mentions, URLs

_MENTION_RE = re.compile(r"<(?:@[!&]?|#)[0-9]+>|<a?:[A-Za-z0-9_~]+:[0-9]+>")
# Printable ASCII without whitespace, quotes, <, >, ` and | (Discord's <url> and ||url||).
_URL_RE = re.compile(r"https?://[!#-;=?-_a-{}~]+", re.IGNORECASE)
_URL_TRAILING = ".,;:!?)]}'*_"
_BARE_PATH_RE = re.compile(r"(?<![A-Za-z0-9_.~%/:\-])/[A-Za-z0-9_.~%\-][A-Za-z0-9_.~%\-/]*")


def _extract_urls(scan: _Scan) -> None:
    def on_url(match: re.Match[str]) -> _Outcome:
        url = match.group().rstrip(_URL_TRAILING)
        start = match.start()
        rest = url.split("://", 1)[1]
        cut = min((i for i in (rest.find(c) for c in "/?#") if i >= 0), default=len(rest))
        path = rest[cut:]
        path = path if path.startswith("/") else ""
        path = re.split(r"[?#]", path, maxsplit=1)[0]
        scan.set_url_path(start, _normalise_path(path))
        return [(start, start + len(url))]

    def on_path(match: re.Match[str]) -> _Outcome:
        path = match.group().rstrip(".,-")
        if not re.search(r"[A-Za-z]", path):
            return "ignore"
        scan.set_url_path(match.start(), _normalise_path(path))
        return [(match.start(), match.start() + len(path))]

    scan.run(_MENTION_RE, lambda m: [m.span()])
    scan.run(_URL_RE, on_url)
    scan.run(_BARE_PATH_RE, on_path)


# --------------------------------------------------------------------------- dates

_CJK = r"\u3400-\u9fff"
_KATAKANA = r"\u30a0-\u30ff"
_MON = (
    r"(?P<mon>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?|tember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\b\.?"
)
_MON_FULL = (
    r"(?P<mon>january|february|march|april|may|june|july|august|september|october"
    r"|november|december)"
)
_ORD = r"(?:st|nd|rd|th)?"
_Y4 = r"(?<![0-9])(?P<y>[0-9]{4})"
_YEAR_JA_CORE = rf"(?:{_Y4}\s*年|(?P<rel>一昨年|おととし|去年|昨年|今年|本年))"
_YEAR_JA = rf"{_YEAR_JA_CORE}\s*(?:の\s*)?"
_M2 = r"(?P<m>[0-9]{1,2})"
_D2 = r"(?P<d>[0-9]{1,2})"
_NO_YEAR = r"(?<![0-9])"
_YEAR_END = r"(?P<k>年末年始|年末|年始(?!ま|め[たるてま])|年明け)"
_SEASON_EN = r"(?P<s>spring|summer|autumn|fall|winter)"


# ``\b`` in these patterns means an ASCII word boundary: Python's own ``\b`` treats kana and
# kanji as word characters, so it would not match in "Dec 2020の回" or "Ken-sanの回".
_ASCII_BOUNDARY = r"(?:(?<![A-Za-z0-9])(?=[A-Za-z0-9])|(?<=[A-Za-z0-9])(?![A-Za-z0-9]))"


def _c(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern.replace(r"\b", _ASCII_BOUNDARY), re.IGNORECASE)


_D_JA_YMD = _c(rf"{_YEAR_JA}{_M2}\s*月\s*{_D2}\s*日")
_D_NUM_YMD = _c(r"(?<![0-9/.\-])(?P<y>[0-9]{4})(?P<sep>[/.\-])(?P<m>[0-9]{1,2})(?P=sep)"
                r"(?P<d>[0-9]{1,2})(?![0-9]|[/.\-][0-9])")  # fmt: skip
_D_EN_MDY = _c(rf"\b{_MON}\s*{_D2}{_ORD}\s*,?\s*(?P<y>[0-9]{{4}})\b")
_D_EN_DMY = _c(rf"\b{_D2}{_ORD}\s+(?:of\s+)?{_MON},?\s+(?P<y>[0-9]{{4}})\b")
_X_JA_YM = _c(rf"{_YEAR_JA}{_M2}\s*月\s*(?:の\s*)?(?P<x>上旬|初旬|中旬|下旬)")
_M_JA_YM = _c(rf"{_YEAR_JA}{_M2}\s*月")
_M_NUM_YM = _c(r"(?<![0-9/.\-])(?P<y>[0-9]{4})[/\-](?P<m>[0-9]{1,2})(?![0-9]|[/.\-][0-9])")
_DASH = r"(?:〜|~|-|\u2010|\u2212|\u2013|\u2014)"  # wave dash, tilde, hyphens, minus, dashes
_Y_NUM_RANGE = _c(rf"(?<![0-9/.\-])(?P<a>[0-9]{{4}})\s*(?:{_DASH}|から|to)\s*"
                  r"(?P<b>[0-9]{4})(?![0-9]|[/.\-][0-9])")  # fmt: skip
_M_EN_MY = _c(rf"\b{_MON},?\s+(?:of\s+)?(?P<y>[0-9]{{4}})\b")
_E_JA_Y = _c(rf"{_YEAR_JA}{_YEAR_END}")
_E_JA_FUSED = _c(r"(?:(?<![0-9])(?P<y>[0-9]{4})|(?P<stem>一昨|去|昨|今))年(?P<k>末年始|末)")
_S_JA_Y = _c(rf"{_YEAR_JA}(?P<s>春|夏|秋|冬)")
_S_JA_FUSED = _c(r"(?P<stem>今|昨)(?P<s>春|夏|秋|冬)")
_S_EN_SY = _c(rf"\b{_SEASON_EN}\s+(?:of\s+)?(?P<y>[0-9]{{4}})\b")
_S_EN_YS = _c(rf"\b(?P<y>[0-9]{{4}})\s+{_SEASON_EN}\b")
_FY_JA = _c(rf"(?:{_Y4}\s*|(?P<stem>今|昨|前))年度")
_Y_JA = _c(rf"{_YEAR_JA_CORE}(?!代|度)")
_Y_EN = _c(r"\b(?:in|from|during|of|for)\s+(?:the\s+year\s+)?(?P<y>[0-9]{4})\b"
           r"(?!\s*[/.\-][0-9])")  # fmt: skip
_REL_EN = _c(r"\b(?P<w>last|this)\s+(?P<u>year|month)(?:['\u2019]s)?\b")
_REL_JA_MONTH = _c(r"(?P<w>先々月|先月|今月)")
_D_JA_MD = _c(rf"{_NO_YEAR}{_M2}\s*月\s*{_D2}\s*日")
_D_EN_MD = _c(rf"\b{_MON}\s*{_D2}{_ORD}\b(?!\s*[,/.:\-]?\s*[0-9])")
_X_JA_M = _c(rf"{_NO_YEAR}{_M2}\s*月\s*(?:の\s*)?(?P<x>上旬|初旬|中旬|下旬)")
_M_JA_M = _c(rf"{_NO_YEAR}{_M2}\s*月")
_M_EN_IN = _c(rf"\b(?:in|during|from)\s+{_MON_FULL}\b")
_E_JA = _c(_YEAR_END)
_S_JA = _c(
    rf"(?<![{_CJK}{_KATAKANA}])(?P<s>春|夏|秋|冬)(?=の|に|頃|ごろ|ころ|あたり|[\s、。,.?!]|$)"
)


def _extract_dates(scan: _Scan, today: date) -> None:
    def ja_year(match: re.Match[str]) -> int | None:
        groups = match.groupdict()
        if groups.get("y") is not None:
            return _valid_year(groups["y"])
        if groups.get("rel") is not None:
            return today.year + _REL_YEARS[groups["rel"]]
        if groups.get("stem") is not None:
            return today.year + _REL_YEAR_STEMS[groups["stem"]]
        return None

    def emit(match: re.Match[str], found: DateRange | None) -> _Outcome:
        if found is None:
            return "keep"
        scan.ranges.append(found)
        return [match.span()]

    def with_year(make: Callable[[re.Match[str], int], DateRange | None]) -> _Handler:
        def handler(match: re.Match[str]) -> _Outcome:
            year = ja_year(match)
            return emit(match, None if year is None else make(match, year))

        return handler

    def inferred(make: Callable[[re.Match[str], int], DateRange | None]) -> _Handler:
        def handler(match: re.Match[str]) -> _Outcome:
            return emit(match, _most_recent(today, lambda year: make(match, year)))

        return handler

    def ymd(m: re.Match[str], y: int) -> DateRange | None:
        return _single_day(y, int(m["m"]), int(m["d"]))

    def en_ymd(m: re.Match[str], y: int) -> DateRange | None:
        return _single_day(y, _month_number(m["mon"]), int(m["d"]))

    def ym(m: re.Match[str], y: int) -> DateRange | None:
        return _month(y, int(m["m"]))

    def en_ym(m: re.Match[str], y: int) -> DateRange | None:
        return _month(y, _month_number(m["mon"]))

    def xun(m: re.Match[str], y: int) -> DateRange | None:
        first, last = _XUN[m["x"]]
        return _days(y, int(m["m"]), first, last)

    def year_end(m: re.Match[str], y: int) -> DateRange | None:
        return _year_end(y, m["k"])

    def ja_season(m: re.Match[str], y: int) -> DateRange | None:
        return _season(y, _JA_SEASONS[m["s"]])

    def en_season(m: re.Match[str], y: int) -> DateRange | None:
        return _season(y, _SEASONS[m["s"].lower()])

    def year_only(m: re.Match[str], y: int) -> DateRange | None:
        return _whole_year(y)

    def fiscal(match: re.Match[str]) -> _Outcome:
        if match["stem"] is not None:  # 今年度 is the fiscal year that contains today
            current = today.year if today.month >= 4 else today.year - 1
            return emit(match, _fiscal_year(current + _REL_YEAR_STEMS[match["stem"]]))
        year = _valid_year(match["y"])
        return emit(match, None if year is None else _fiscal_year(year))

    def year_range(match: re.Match[str]) -> _Outcome:
        first, last = _valid_year(match["a"]), _valid_year(match["b"])
        if first is None or last is None or first > last:
            return "ignore"
        return emit(match, DateRange(date(first, 1, 1), date(last, 12, 31)))

    def relative_en(match: re.Match[str]) -> _Outcome:
        back = 1 if match["w"].lower() == "last" else 0
        if match["u"].lower() == "year":
            return emit(match, _whole_year(today.year - back))
        return emit(match, _shift_month(today, back))

    def relative_ja_month(match: re.Match[str]) -> _Outcome:
        back = {"先々月": 2, "先月": 1, "今月": 0}[match["w"]]
        return emit(match, _shift_month(today, back))

    steps: list[tuple[re.Pattern[str], _Handler]] = [
        # full days
        (_D_JA_YMD, with_year(ymd)),
        (_D_NUM_YMD, with_year(ymd)),
        (_D_EN_MDY, with_year(en_ymd)),
        (_D_EN_DMY, with_year(en_ymd)),
        # parts of a month, months
        (_X_JA_YM, with_year(xun)),
        (_M_JA_YM, with_year(ym)),
        (_M_NUM_YM, with_year(ym)),
        (_Y_NUM_RANGE, year_range),
        (_M_EN_MY, with_year(en_ym)),
        # year end / seasons / fiscal years
        (_E_JA_Y, with_year(year_end)),
        (_E_JA_FUSED, with_year(year_end)),
        (_S_JA_Y, with_year(ja_season)),
        (_S_JA_FUSED, with_year(ja_season)),
        (_S_EN_SY, with_year(en_season)),
        (_S_EN_YS, with_year(en_season)),
        (_FY_JA, fiscal),
        # whole years and relative phrases
        (_Y_JA, with_year(year_only)),
        (_Y_EN, with_year(year_only)),
        (_REL_EN, relative_en),
        (_REL_JA_MONTH, relative_ja_month),
        # no year given: the most recent occurrence that has started by today
        (_D_JA_MD, inferred(ymd)),
        (_D_EN_MD, inferred(en_ymd)),
        (_X_JA_M, inferred(xun)),
        (_M_JA_M, inferred(ym)),
        (_M_EN_IN, inferred(en_ym)),
        (_E_JA, inferred(year_end)),
        (_S_JA, inferred(ja_season)),
    ]
    for pattern, handler in steps:
        scan.run(pattern, handler)


# --------------------------------------------------------------------------- order

_NOT_WORD_AFTER = rf"(?![{_CJK}{_KATAKANA}])"
_EN_EPISODE_NOUN = r"(?:\s+(?:episode|ep|one|show)s?)"
_FIRST_RE = _c(
    r"(?:一番|いちばん)最初|最初(?:の|に配信された|に出た)?\s*(?:回|エピソード|配信|話)"
    rf"|(?:一番|いちばん|最も)古い|最古{_NOT_WORD_AFTER}|初回{_NOT_WORD_AFTER}"
    rf"|\b(?:the\s+)?(?:very\s+)?first{_EN_EPISODE_NOUN}\b|\b(?:the\s+)?very\s+first\b"
    rf"|\b(?:the\s+)?(?:oldest|earliest){_EN_EPISODE_NOUN}?\b"
)
_LATEST_RE = _c(
    rf"最新(?:回|話|号|エピソード|配信)?{_NOT_WORD_AFTER}"
    r"|(?:一番|いちばん|最も)新しい|最後に配信された|最後の\s*(?:回|エピソード|配信|話)"
    r"|最終回|直近の\s*(?:回|エピソード|配信)"
    r"|\b(?:the\s+)?(?:newest|latest|most\s+recent(?:ly\s+(?:released|aired|published))?)"
    rf"{_EN_EPISODE_NOUN}?\b|\b(?:the\s+)?last{_EN_EPISODE_NOUN}\b"
)


def _extract_order(scan: _Scan) -> None:
    for pattern, order in ((_FIRST_RE, Order.FIRST), (_LATEST_RE, Order.LATEST)):

        def handler(match: re.Match[str], order: Order = order) -> _Outcome:
            scan.set_order(match.start(), order)
            return [match.span()]

        scan.run(pattern, handler)


# --------------------------------------------------------------------------- episode numbers

_THOUSANDS_RE = re.compile(r"(?<![0-9,])[0-9]{1,3}(?:,[0-9]{3})+(?![0-9]|,[0-9])")
_ITEM_RE = _c(
    # not part of a name/version: EC2, GPT-4, 1.5, '24, re:Invent; not "もう一回"
    r"(?<![A-Za-z0-9_.:'\u2019])(?<![A-Za-z]-)(?<!もう)(?<!あと)"
    r"(?P<pre>\#\s*|第\s*|エピソード\s*|(?:episodes?|eps?\.?|vol\.?|no\.)\s*)?"
    rf"(?P<num>[0-9]+|[{_KANJI_NUMERAL_CHARS}]+)"
    r"(?P<suf>\s*(?:回目|話目|回|話)|(?:st|nd|rd|th)\s+(?:episode|ep)\b)?"
)
_LIST_SEP_RE = _c(r"\s*(?:と|,|、|&|and|or|や|・|及び|および)\s*")
_RANGE_SEP_RE = _c(rf"\s*(?:{_DASH}|から|to|through|thru)\s*")
_BOUNDARY_CHARS = frozenset(" \t\r\n、。,.!?;:)]}」』】>\"'" + _SENTINELS)
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
        if _is_ascii_alnum(following):
            continue  # "16a", "3rd"
        if following in ".:" and after + 1 < len(work) and work[after + 1] in _ASCII_DIGITS:
            continue  # "1.5", "10:30"
        arabic = num[0] in _ASCII_DIGITS
        if arabic:
            if len(num) > _MAX_EPISODE_DIGITS:
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
    return j < index and j > 0 and _is_ascii_alnum(work[j - 1])


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


def _extract_numbers(scan: _Scan) -> None:
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
    removes: list[_Span] = []
    for group in groups:
        accepted = _accept_group(work, group)
        if accepted:
            scan.add_numbers(_group_values(accepted))
            removes.append((accepted[0][0].start, accepted[-1][0].end))
    scan.mask(removes)


# --------------------------------------------------------------------------- speakers

_HONORIFIC = r"(?:\s*(?:さん|くん|君|氏|様|さま|ちゃん|先生)|[\s\-]?(?:san|kun)(?![A-Za-z]))?"
_JA_TALKED = (
    r"(?:話した|話してた|話していた|話してる|話している|喋った|しゃべった|語った|出た|出てた"
    r"|出てる|出ている|出演した|出演してる|出演している|登場した|担当した)"
)
_JA_TALKED_ABOUT = r"(?:話した|話してた|話していた|話してる|話している|喋った|しゃべった|語った)"
_JA_EPISODE = r"(?:回|エピソード|配信|やつ|話)"
_EN_EPISODES = r"(?:episodes?|eps?|shows?|ones?|talks?)"
_EN_TALKED = (
    r"(?:talked|talks|spoke|speaks|appeared|appears|was\s+on|is\s+on|was\s+a\s+guest"
    r"|hosted|hosts|discussed|discusses|was\s+talking|was\s+speaking)"
)


def _name_key(name: str) -> str:
    """Case- and space-insensitive: "山田 太郎" == "山田太郎", "Ken" == "KEN"."""
    return "".join(unicodedata.normalize("NFKC", name).casefold().split())


def _name_pattern(name: str) -> str:
    escaped = r"\s*".join(re.escape(part) for part in name.split())
    before = r"(?<![A-Za-z0-9])" if _is_ascii_alnum(name[0]) else ""
    after = r"(?![A-Za-z0-9])" if _is_ascii_alnum(name[-1]) else ""
    return before + escaped + after


def _speaker_patterns(names: Sequence[str]) -> list[tuple[re.Pattern[str], bool]]:
    """Compiled per call (the names are a parameter); ``True`` marks the topic-gap pattern."""
    alternation = "|".join(_name_pattern(n) for n in sorted(names, key=len, reverse=True))
    who = rf"(?P<name>{alternation}){_HONORIFIC}"
    noun = rf"(?:\b{_EN_EPISODES}\s+)?"
    return [
        (_c(rf"{who}\s*(?:が|の)\s*{_JA_TALKED}\s*{_JA_EPISODE}?"), False),
        (
            _c(
                rf"{who}\s*が\s*(?P<gap>.{{1,40}}?)\s*(?:について|の話を|のことを|を)?\s*"
                rf"{_JA_TALKED_ABOUT}\s*{_JA_EPISODE}?"
            ),
            True,
        ),
        (
            _c(
                rf"{who}\s*(?:が)?\s*(?:担当|出演|ゲスト|ホスト|パーソナリティ)\s*"
                rf"(?:の|で|した)?\s*{_JA_EPISODE}?"
            ),
            False,
        ),
        (_c(rf"{who}\s*の\s*{_JA_EPISODE}"), False),
        (_c(rf"{who}\s*(?:の|['\u2019]s)\s*(?={_REMOVED})"), False),
        (_c(rf"{noun}\b(?:where|in\s+which|when)\s+{who}\s+{_EN_TALKED}\b"), False),
        (_c(rf"{noun}\b(?:with|featuring|feat\.|by|hosted\s+by)\s+{who}(?![A-Za-z0-9])"), False),
        (_c(rf"{who}['\u2019]s\s+{_EN_EPISODES}\b"), False),
    ]


def _extract_speakers(scan: _Scan, speakers: Sequence[str]) -> None:
    canonical: dict[str, str] = {}
    for name in speakers:
        key = _name_key(name)
        if key and key not in canonical:
            canonical[key] = name.strip()
    if not canonical:
        return
    normalised = [unicodedata.normalize("NFKC", n).strip() for n in canonical.values()]
    for pattern, has_gap in _speaker_patterns(normalised):

        def handler(match: re.Match[str], has_gap: bool = has_gap) -> _Outcome:
            name = canonical.get(_name_key(match["name"]))
            if name is None:
                return "ignore"
            scan.set_speaker(match.start(), name)
            if has_gap:
                return [(match.start(), match.start("gap")), (match.end("gap"), match.end())]
            return [match.span()]

        scan.run(pattern, handler)


# --------------------------------------------------------------------------- leftover text

_EDGE_PUNCTUATION = frozenset(
    " \t\r\n?!,、。・:;…\"'()[]{}「」『』【】<>〜~-\u2010\u2212\u2013\u2014|*_`" + _SENTINELS
)
_WORD_SEPARATORS = frozenset(" \t\r\n,、。?!:;")  # not "-", "/", "." or "'": "on-premise"
_JA_PARTICLES = frozenset("のにではをがもとへや")
# Grammatical tails: may always be trimmed from the end of a piece.
_JA_FREE_AT_END = (
    "のエピソード", "について", "に配信された", "で配信された", "に配信", "の配信", "の回",
    "の話", "って", "から", "まで", "ですか", "ありますか", "ありました", "あった",
)  # fmt: skip
# Content-like filler: trimmed only where it stands apart from neighbouring words.
_JA_CONTENT = (
    "配信された", "エピソード", "された", "回目", "回", "話", "頃", "ごろ", "ころ", "あたり",
    "くらい", "ぐらい", "どれ", "どこ", "教えて", "探して", "見せて", "ある", "やつ",
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
    return char in _EDGE_PUNCTUATION or char.isspace() or _is_ascii_alnum(char)


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
                low + 1 == high
                or not _is_hiragana(piece[low + 1])
                or _filler_starts(piece, low + 1)
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
            or not _is_hiragana(piece[high - 2])
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


def _finish(scan: _Scan) -> Understood:
    recognised = any(scan.removed)
    protected = _KEPT in scan.work
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
        dates=_hull(scan.ranges),
        order=scan.order[1] if scan.order else None,
        url_path=scan.url_path[1] if scan.url_path else None,
        speaker=scan.speaker[1] if scan.speaker else None,
    )


# --------------------------------------------------------------------------- entry point


def _normalise(query: str) -> str:
    text = unicodedata.normalize("NFKC", query)
    return text.translate({ord(s): " " for s in _SENTINELS})


def understand(query: str, *, today: date, speakers: Sequence[str] = ()) -> Understood:
    """Split ``query`` into structured filters and the remaining topic text.

    ``today`` anchors relative dates (去年, last month) and years left out ("12月の回" is
    the most recent December that has started by ``today``).  ``speakers`` are the names
    that "who spoke" phrases may refer to; other names are left in ``text``.
    """
    if isinstance(today, datetime):
        today = today.date()
    if isinstance(speakers, str):  # a lone name, not a sequence of one-letter names
        speakers = (speakers,)
    scan = _Scan(_normalise(query))
    _extract_urls(scan)
    _extract_dates(scan, today)
    _extract_order(scan)
    _extract_numbers(scan)
    _extract_speakers(scan, speakers)
    return _finish(scan)
