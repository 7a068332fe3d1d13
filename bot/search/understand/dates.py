"""Dates and ranges in Japanese and English: days in any format, months, seasons,
year ends, fiscal years, relative dates (去年, last month) and years."""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable, Sequence
from datetime import date

from bot.search.understand.scan import (
    CJK,
    DASH,
    KATAKANA,
    MAX_YEAR,
    MIN_YEAR,
    DateRange,
    Handler,
    Outcome,
    Scan,
    compile_ci,
)

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


def hull(ranges: Sequence[DateRange]) -> DateRange | None:
    if not ranges:
        return None
    return DateRange(min(r.start for r in ranges), max(r.end for r in ranges))


# --------------------------------------------------------------------------- dates

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
# a Japanese era year: 令和2年 is 2020, 令和元年 2019, 平成31年 2019
_ERAS = {"令和": 2018, "平成": 1988}
_YEAR_JA_CORE = (
    rf"(?:{_Y4}\s*年|(?P<rel>一昨年|おととし|去年|昨年|今年|本年)"
    r"|(?P<era>令和|平成)\s*(?P<eyear>[0-9]{1,2}|元)\s*年)"
)
_YEAR_JA = rf"{_YEAR_JA_CORE}\s*(?:の\s*)?"
_M2 = r"(?P<m>[0-9]{1,2})"
_D2 = r"(?P<d>[0-9]{1,2})"
_NO_YEAR = r"(?<![0-9])"
_YEAR_END = r"(?P<k>年末年始|年末|年始(?!ま|め[たるてま])|年明け)"
_SEASON_EN = r"(?P<s>spring|summer|autumn|fall|winter)"


_D_JA_YMD = compile_ci(rf"{_YEAR_JA}{_M2}\s*月\s*{_D2}\s*日")
_D_NUM_YMD = compile_ci(r"(?<![0-9/.\-])(?P<y>[0-9]{4})(?P<sep>[/.\-])(?P<m>[0-9]{1,2})(?P=sep)"
                r"(?P<d>[0-9]{1,2})(?![0-9]|[/.\-][0-9])")  # fmt: skip
_D_EN_MDY = compile_ci(rf"\b{_MON}\s*{_D2}{_ORD}\s*,?\s*(?P<y>[0-9]{{4}})\b")
_D_EN_DMY = compile_ci(rf"\b{_D2}{_ORD}\s+(?:of\s+)?{_MON},?\s+(?P<y>[0-9]{{4}})\b")
_X_JA_YM = compile_ci(rf"{_YEAR_JA}{_M2}\s*月\s*(?:の\s*)?(?P<x>上旬|初旬|中旬|下旬)")
_M_JA_YM = compile_ci(rf"{_YEAR_JA}{_M2}\s*月")
_M_NUM_YM = compile_ci(r"(?<![0-9/.\-])(?P<y>[0-9]{4})[/\-](?P<m>[0-9]{1,2})(?![0-9]|[/.\-][0-9])")
_Y_NUM_RANGE = compile_ci(rf"(?<![0-9/.\-])(?P<a>[0-9]{{4}})\s*(?:{DASH}|から|to)\s*"
                  r"(?P<b>[0-9]{4})(?![0-9]|[/.\-][0-9])")  # fmt: skip
_M_EN_MY = compile_ci(rf"\b{_MON},?\s+(?:of\s+)?(?P<y>[0-9]{{4}})\b")
_E_JA_Y = compile_ci(rf"{_YEAR_JA}{_YEAR_END}")
_E_JA_FUSED = compile_ci(r"(?:(?<![0-9])(?P<y>[0-9]{4})|(?P<stem>一昨|去|昨|今))年(?P<k>末年始|末)")
_S_JA_Y = compile_ci(rf"{_YEAR_JA}(?P<s>春|夏|秋|冬)")
_S_JA_FUSED = compile_ci(r"(?P<stem>今|昨)(?P<s>春|夏|秋|冬)")
_S_EN_SY = compile_ci(rf"\b{_SEASON_EN}\s+(?:of\s+)?(?P<y>[0-9]{{4}})\b")
_S_EN_YS = compile_ci(rf"\b(?P<y>[0-9]{{4}})\s+{_SEASON_EN}\b")
_FY_JA = compile_ci(rf"(?:{_Y4}\s*|(?P<stem>今|昨|前))年度")
_Y_JA = compile_ci(rf"{_YEAR_JA_CORE}(?!代|度)")
_Y_EN = compile_ci(r"\b(?:in|from|during|of|for)\s+(?:the\s+year\s+)?(?P<y>[0-9]{4})\b"
           r"(?!\s*[/.\-][0-9])")  # fmt: skip
_REL_EN = compile_ci(r"\b(?P<w>last|this)\s+(?P<u>year|month)(?:['\u2019]s)?\b")
_REL_JA_MONTH = compile_ci(r"(?P<w>先々月|先月|今月)")
_D_JA_MD = compile_ci(rf"{_NO_YEAR}{_M2}\s*月\s*{_D2}\s*日")
_D_EN_MD = compile_ci(rf"\b{_MON}\s*{_D2}{_ORD}\b(?!\s*[,/.:\-]?\s*[0-9])")
_X_JA_M = compile_ci(rf"{_NO_YEAR}{_M2}\s*月\s*(?:の\s*)?(?P<x>上旬|初旬|中旬|下旬)")
_M_JA_M = compile_ci(rf"{_NO_YEAR}{_M2}\s*月")
_M_EN_IN = compile_ci(rf"\b(?:in|during|from)\s+{_MON_FULL}\b")
_E_JA = compile_ci(_YEAR_END)
_S_JA = compile_ci(
    rf"(?<![{CJK}{KATAKANA}])(?P<s>春|夏|秋|冬)(?=の|に|頃|ごろ|ころ|あたり|[\s、。,.?!]|$)"
)


# a date written straight onto a katakana or Latin word is part of that thing's name,
# not when the episode aired: "2019年末アップデート" is the update, not December's talks
_NAMES_A_THING = re.compile(r"[\u30a1-\u30faA-Za-z]")


def extract_dates(scan: Scan, today: date) -> None:
    def ja_year(match: re.Match[str]) -> int | None:
        groups = match.groupdict()
        if groups.get("y") is not None:
            return _valid_year(groups["y"])
        if groups.get("rel") is not None:
            return today.year + _REL_YEARS[groups["rel"]]
        if groups.get("stem") is not None:
            return today.year + _REL_YEAR_STEMS[groups["stem"]]
        if groups.get("era") is not None:
            number = 1 if groups["eyear"] == "元" else int(groups["eyear"])
            return _valid_year(str(_ERAS[groups["era"]] + number))
        return None

    def emit(match: re.Match[str], found: DateRange | None) -> Outcome:
        if found is None or _NAMES_A_THING.match(scan.work, match.end()):
            return "keep"
        scan.ranges.append(found)
        return [match.span()]

    def with_year(make: Callable[[re.Match[str], int], DateRange | None]) -> Handler:
        def handler(match: re.Match[str]) -> Outcome:
            year = ja_year(match)
            return emit(match, None if year is None else make(match, year))

        return handler

    def inferred(make: Callable[[re.Match[str], int], DateRange | None]) -> Handler:
        def handler(match: re.Match[str]) -> Outcome:
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

    def fiscal(match: re.Match[str]) -> Outcome:
        if match["stem"] is not None:  # 今年度 is the fiscal year that contains today
            current = today.year if today.month >= 4 else today.year - 1
            return emit(match, _fiscal_year(current + _REL_YEAR_STEMS[match["stem"]]))
        year = _valid_year(match["y"])
        return emit(match, None if year is None else _fiscal_year(year))

    def year_range(match: re.Match[str]) -> Outcome:
        first, last = _valid_year(match["a"]), _valid_year(match["b"])
        if first is None or last is None or first > last:
            return "ignore"
        return emit(match, DateRange(date(first, 1, 1), date(last, 12, 31)))

    def relative_en(match: re.Match[str]) -> Outcome:
        back = 1 if match["w"].lower() == "last" else 0
        if match["u"].lower() == "year":
            return emit(match, _whole_year(today.year - back))
        return emit(match, _shift_month(today, back))

    def relative_ja_month(match: re.Match[str]) -> Outcome:
        back = {"先々月": 2, "先月": 1, "今月": 0}[match["w"]]
        return emit(match, _shift_month(today, back))

    steps: list[tuple[re.Pattern[str], Handler]] = [
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
