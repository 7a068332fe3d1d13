"""The query reader: kanji numerals and the result types (understand/numerals.py, scan.py)."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest
from understand_helpers import span, u

from bot.search.understand import DateRange, kanji_to_int


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("一", 1),
        ("十", 10),
        ("二十五", 25),
        ("百十二", 112),
        ("千", 1000),
        ("千百", 1100),
        ("三百", 300),
        ("九千九百九十九", 9999),
        ("〇", 0),
        ("零", 0),
        ("二〇二〇", 2020),
        ("2十", 20),
        ("2十5", 25),
        ("１２", 12),
        ("16", 16),
        ("一万二千", 12000),
    ],
)
def test_kanji_to_int_reads_reasonable_numerals(text: str, value: int) -> None:
    assert kanji_to_int(text) == value


@pytest.mark.parametrize(
    "text",
    [
        "",
        " ",
        "十十",
        "百千",
        "二三十",
        "12十",
        "〇十",
        "十〇",
        "万",
        "abc",
        "-1",
        "1.5",
        "1" * 100,
    ],
)
def test_kanji_to_int_rejects_unreasonable_forms(text: str) -> None:
    assert kanji_to_int(text) is None


def test_results_are_immutable_and_hashable() -> None:
    result = u("#16")
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.text = "x"  # type: ignore[misc]
    assert hash(result) == hash(u("#16"))


def test_date_range_is_inclusive_and_validated() -> None:
    december = span("2020-12-01", "2020-12-31")
    assert date(2020, 12, 1) in december
    assert date(2020, 12, 31) in december
    assert date(2021, 1, 1) not in december
    with pytest.raises(ValueError, match="after"):
        DateRange(date(2021, 1, 2), date(2021, 1, 1))
