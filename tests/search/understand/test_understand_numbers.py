"""The query reader: episode numbers (bot/search/understand/numbers.py)."""

from __future__ import annotations

import unicodedata

import pytest
from understand_helpers import u, year

from bot.search.understand import MAX_NUMBERS


@pytest.mark.parametrize(
    ("query", "numbers"),
    [
        ("#16", (16,)),
        ("＃16", (16,)),
        ("# 16", (16,)),
        ("16回", (16,)),
        ("第16回", (16,)),
        ("第 16 回", (16,)),
        ("第二十五回", (25,)),
        ("十回目", (10,)),
        ("16回目", (16,)),
        ("ep 16", (16,)),
        ("ep16", (16,)),
        ("EP.16", (16,)),
        ("episode 16", (16,)),
        ("Episode16", (16,)),
        ("エピソード16", (16,)),
        ("16話", (16,)),
        ("第16話", (16,)),
        ("No.16", (16,)),
        ("vol.3", (3,)),
        ("the 16th episode", (16,)),
        ("#0", (0,)),
    ],
)
def test_single_episode_number_forms_are_recognised(query: str, numbers: tuple[int, ...]) -> None:
    result = u(query)
    assert result.numbers == numbers
    assert result.text == ""
    assert result.dates is None


@pytest.mark.parametrize(
    ("query", "numbers"),
    [
        ("#5と#6", (5, 6)),
        ("12と13", (12, 13)),
        ("5,6,7", (5, 6, 7)),
        ("5, 6, 7", (5, 6, 7)),
        ("12、13、14回", (12, 13, 14)),
        ("episodes 5 and 6", (5, 6)),
        ("#5〜#7", (5, 6, 7)),
        ("＃５～＃７", (5, 6, 7)),
        ("5-7回", (5, 6, 7)),
        ("5〜7回目", (5, 6, 7)),
        ("ep 5-7", (5, 6, 7)),
        ("第16回から第18回まで", (16, 17, 18)),
        ("#7-#5", (5, 6, 7)),
        ("#1〜#3と#9", (1, 2, 3, 9)),
    ],
)
def test_lists_and_ranges_give_every_number_in_order(query: str, numbers: tuple[int, ...]) -> None:
    result = u(query)
    assert result.numbers == numbers
    assert result.text == ""


def test_a_range_expands_to_at_most_fifty_numbers() -> None:
    assert u("#1〜#500").numbers == tuple(range(1, MAX_NUMBERS + 1))


def test_many_listed_numbers_are_capped_at_fifty() -> None:
    query = " ".join(f"#{n}" for n in range(1, 200))
    assert u(query).numbers == tuple(range(1, MAX_NUMBERS + 1))


def test_repeated_numbers_are_deduplicated_keeping_first_order() -> None:
    assert u("#16と#3と#16").numbers == (16, 3)


@pytest.mark.parametrize("query", ["16", "16?", "0016", " 16 ", "16の回"])
def test_a_bare_number_alone_is_an_episode_number(query: str) -> None:
    result = u(query)
    assert result.numbers == (16,)
    assert result.text == ""


def test_a_bare_number_inside_a_sentence_is_not_an_episode_number() -> None:
    result = u("kubernetes 16")
    assert result.numbers == ()
    assert result.text == "kubernetes 16"


@pytest.mark.parametrize(
    "query",
    [
        "EC2",
        "S3",
        "EC2とS3の回",
        "Gemini 1.5 Pro",
        "GPT-4",
        "GPT-4o",
        "Python 3.12",
        "python3.12",
        "re:Invent 2023",
        "AWS re:Invent 2023 の回",
        "M2 Mac",
        "iPhone 15",
        "Pixel 8",
        "第2世代",
        "第2世代のiPadの回",
        "Cloud Next '24",
        "Python 3と4の違い",
        "Windows 10-11",
        "k8s",
        "ES2015",
        "1.5倍速",
        "10:30",
        "2-3人",
        "1,000円",
        "もう一回聞きたい",
        "十分な説明",
        "3ヶ月",
    ],
)
def test_numbers_inside_names_and_quantities_are_not_episodes(query: str) -> None:
    result = u(query)
    assert result.numbers == ()
    assert result.dates is None
    assert result.text == unicodedata.normalize("NFKC", query).strip()


def test_unmarked_trailing_number_that_counts_something_is_left_out() -> None:
    result = u("#5と6人")
    assert result.numbers == (5,)
    assert result.text == "6人"


def test_years_in_an_unmarked_list_are_not_episode_numbers() -> None:
    assert u("2020と2021").numbers == ()


def test_a_year_with_nen_is_a_date_not_an_episode() -> None:
    result = u("2020年")
    assert result.numbers == ()
    assert result.dates == year(2020)


def test_overlong_digit_runs_are_not_numbers() -> None:
    assert u("#1234567").numbers == ()


@pytest.mark.parametrize(
    ("query", "number"),
    [("episode two", 2), ("ep five", 5), ("the third episode", 3), ("Episode Twelve", 12)],
)
def test_an_episode_number_in_english_words(query: str, number: int) -> None:
    assert u(query).numbers == (number,)
    assert u("one of the episodes").numbers == ()
