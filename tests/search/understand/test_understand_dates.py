"""The query reader: dates and ranges (bot/search/understand/dates.py)."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from understand_helpers import span, u, year

from bot.search.understand import DateRange


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("2021年の回", year(2021)),
        ("2021", year(2021)),
        ("in 2021", year(2021)),
        ("from 2021", year(2021)),
        ("2021の回", year(2021)),
        ("2020年12月の回", span("2020-12-01", "2020-12-31")),
        ("2020/12", span("2020-12-01", "2020-12-31")),
        ("2020-12", span("2020-12-01", "2020-12-31")),
        ("Dec 2020", span("2020-12-01", "2020-12-31")),
        ("December 2020", span("2020-12-01", "2020-12-31")),
        ("Dec 2020の回", span("2020-12-01", "2020-12-31")),
        ("２０２０年１２月", span("2020-12-01", "2020-12-31")),
        ("2020年の12月", span("2020-12-01", "2020-12-31")),
        ("2020/9/7", span("2020-09-07", "2020-09-07")),
        ("2020-09-07", span("2020-09-07", "2020-09-07")),
        ("2020.9.7", span("2020-09-07", "2020-09-07")),
        ("2020年9月7日", span("2020-09-07", "2020-09-07")),
        ("2020年 9月 7日", span("2020-09-07", "2020-09-07")),
        ("Sep 7, 2020", span("2020-09-07", "2020-09-07")),
        ("Dec. 7th, 2020", span("2020-12-07", "2020-12-07")),
        ("7 September 2020", span("2020-09-07", "2020-09-07")),
        ("7th of December 2020", span("2020-12-07", "2020-12-07")),
        ("2020年2月29日", span("2020-02-29", "2020-02-29")),
    ],
)
def test_explicit_dates_in_any_format(query: str, expected: DateRange) -> None:
    result = u(query)
    assert result.dates == expected
    assert result.numbers == ()
    assert result.text == ""


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("2020年秋の回", span("2020-09-01", "2020-11-30")),
        ("2020年の春", span("2020-03-01", "2020-05-31")),
        ("2020年夏", span("2020-06-01", "2020-08-31")),
        ("2020年冬", span("2020-12-01", "2021-02-28")),
        ("2023年冬", span("2023-12-01", "2024-02-29")),
        ("autumn 2020", span("2020-09-01", "2020-11-30")),
        ("fall 2020", span("2020-09-01", "2020-11-30")),
        ("winter 2020", span("2020-12-01", "2021-02-28")),
        ("spring of 2021", span("2021-03-01", "2021-05-31")),
        ("今年の春", span("2024-03-01", "2024-05-31")),
        ("去年の秋", span("2023-09-01", "2023-11-30")),
        ("昨秋", span("2023-09-01", "2023-11-30")),
        ("秋の回", span("2023-09-01", "2023-11-30")),
        ("春の回", span("2024-03-01", "2024-05-31")),
    ],
)
def test_seasons(query: str, expected: DateRange) -> None:
    assert u(query).dates == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("2020年12月上旬", span("2020-12-01", "2020-12-10")),
        ("2020年12月中旬", span("2020-12-11", "2020-12-20")),
        ("2020年12月下旬", span("2020-12-21", "2020-12-31")),
        ("2020年2月下旬", span("2020-02-21", "2020-02-29")),
        ("2021年2月下旬", span("2021-02-21", "2021-02-28")),
        ("12月中旬", span("2023-12-11", "2023-12-20")),
        ("2020年末", span("2020-12-01", "2020-12-31")),
        ("2020年の年末", span("2020-12-01", "2020-12-31")),
        ("昨年末", span("2023-12-01", "2023-12-31")),
        ("年末", span("2023-12-01", "2023-12-31")),
        ("年始", span("2024-01-01", "2024-01-15")),
        ("年明け", span("2024-01-01", "2024-01-15")),
        ("2021年の年始", span("2021-01-01", "2021-01-15")),
        ("2020年の年末年始", span("2020-12-01", "2021-01-15")),
        ("2020年度", span("2020-04-01", "2021-03-31")),
        ("今年度", span("2024-04-01", "2025-03-31")),
    ],
)
def test_parts_of_months_and_years(query: str, expected: DateRange) -> None:
    assert u(query).dates == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("去年", year(2023)),
        ("昨年の回", year(2023)),
        ("last year", year(2023)),
        ("last year's episodes", year(2023)),
        ("一昨年", year(2022)),
        ("今年", year(2024)),
        ("this year", year(2024)),
        ("先月", span("2024-05-01", "2024-05-31")),
        ("last month", span("2024-05-01", "2024-05-31")),
        ("今月", span("2024-06-01", "2024-06-30")),
        ("this month", span("2024-06-01", "2024-06-30")),
        ("先々月", span("2024-04-01", "2024-04-30")),
    ],
)
def test_relative_dates_use_today(query: str, expected: DateRange) -> None:
    assert u(query).dates == expected


def test_last_month_in_january_is_december_of_the_previous_year() -> None:
    assert u("先月", today=date(2024, 1, 10)).dates == span("2023-12-01", "2023-12-31")


@pytest.mark.parametrize(
    ("query", "today", "expected"),
    [
        ("12月の回", date(2024, 6, 10), span("2023-12-01", "2023-12-31")),
        ("12月の回", date(2024, 12, 5), span("2024-12-01", "2024-12-31")),
        ("6月", date(2024, 6, 1), span("2024-06-01", "2024-06-30")),
        ("in December", date(2024, 6, 10), span("2023-12-01", "2023-12-31")),
        ("9月7日の配信", date(2024, 6, 10), span("2023-09-07", "2023-09-07")),
        ("9月7日", date(2024, 9, 7), span("2024-09-07", "2024-09-07")),
        ("Sep 7", date(2024, 6, 10), span("2023-09-07", "2023-09-07")),
        ("2月29日", date(2023, 3, 1), span("2020-02-29", "2020-02-29")),
        ("冬の回", date(2024, 1, 10), span("2023-12-01", "2024-02-29")),
        ("年末年始", date(2024, 1, 5), span("2023-12-01", "2024-01-15")),
    ],
)
def test_a_date_without_a_year_is_the_most_recent_one_not_after_today(
    query: str, today: date, expected: DateRange
) -> None:
    assert u(query, today=today).dates == expected


def test_today_may_be_a_datetime() -> None:
    assert u("12月の回", today=datetime(2024, 6, 10, 23, 59)).dates == span(
        "2023-12-01", "2023-12-31"
    )


def test_recent_is_topic_noise_not_a_date() -> None:
    result = u("最近のkubernetesの回")
    assert result.dates is None
    assert result.order is None
    assert "最近" in result.text


@pytest.mark.parametrize(
    "query", ["2020/2/30", "2020年13月", "2020-13", "2021年2月29日", "1800年", "2020/12/40"]
)
def test_invalid_dates_give_no_date_and_are_not_reinterpreted(query: str) -> None:
    result = u(query)
    assert result.dates is None
    assert result.numbers == ()
    assert result.text == query


def test_several_dates_combine_into_the_covering_range() -> None:
    assert u("2020年12月〜2021年3月").dates == span("2020-12-01", "2021-03-31")
    assert u("2020-2021").dates == span("2020-01-01", "2021-12-31")
    assert u("2020年と2022年").dates == span("2020-01-01", "2022-12-31")


def test_a_decade_is_not_a_year() -> None:
    assert u("2020年代").dates is None


@pytest.mark.parametrize(
    ("query", "topic"),
    [
        ("SageMakerの2019年末アップデート", "2019年末アップデート"),
        ("2020年12月リリースの新機能", "2020年12月リリース"),
        ("2020年秋Update", "2020年秋Update"),
    ],
)
def test_a_date_written_onto_a_name_is_part_of_the_topic(query: str, topic: str) -> None:
    told = u(query)
    assert told.dates is None
    assert topic in told.text


def test_a_date_before_a_particle_or_a_space_still_narrows() -> None:
    assert u("2019年末のアップデート").dates is not None
    assert u("2021年版").dates == year(2021)
    assert u("Nov 2020 episodes").dates == span("2020-11-01", "2020-11-30")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("令和2年7月", span("2020-07-01", "2020-07-31")),
        ("令和元年の回", year(2019)),
        ("平成31年", year(2019)),
    ],
)
def test_a_japanese_era_year_is_its_western_year(query: str, expected: DateRange) -> None:
    assert u(query).dates == expected


@pytest.mark.parametrize(
    "query", ["2020年10月のエピソード全部", "2021-02-22に出た回", "2020年秋の回すべて"]
)
def test_listing_words_after_a_date_leave_no_topic(query: str) -> None:
    told = u(query)
    assert told.dates is not None
    assert told.text == ""
