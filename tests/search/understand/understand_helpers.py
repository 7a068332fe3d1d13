"""What the query-reader tests share."""

from __future__ import annotations

from datetime import date

from bot.search.understand import DateRange, Understood, understand

TODAY = date(2024, 6, 10)
SPEAKERS = ("森田", "Ken", "山田 太郎")


def u(query: str, *, today: date = TODAY, speakers: tuple[str, ...] = ()) -> Understood:
    return understand(query, today=today, speakers=speakers)


def span(start: str, end: str) -> DateRange:
    return DateRange(date.fromisoformat(start), date.fromisoformat(end))


def year(y: int) -> DateRange:
    return DateRange(date(y, 1, 1), date(y, 12, 31))
