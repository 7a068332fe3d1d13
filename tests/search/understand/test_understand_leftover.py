"""The query reader: the topic text left over, and hostile input (understand/leftover.py)."""

from __future__ import annotations

import pytest
from understand_helpers import SPEAKERS, TODAY, u, year

from bot.search.understand import MAX_NUMBERS, Understood, understand


@pytest.mark.parametrize(
    ("query", "text"),
    [
        ("2020年12月の回", ""),
        ("2020年のkubernetesの回", "kubernetes"),
        ("AWSの2020年のLambda", "AWS Lambda"),
        ("2020年12月に配信された回は？", ""),
        ("2021年のはてなの回", "はてな"),
        ("2021年の回線の回", "回線"),
        ("2021年のライブ配信の回", "ライブ配信"),
        (".NETの2021年の回", ".NET"),
        ("C++ in 2021", "C++"),
        ("on-premise in 2021", "on-premise"),
        ("kubernetes episodes from 2021", "kubernetes"),
        ("kubernetes in 2021.", "kubernetes"),
        ("episodes about rust in 2021", "rust"),
        ("#16のkubernetesの話", "kubernetes"),
        ("spring 2021 ep about go", "go"),
        ("  2021年   の   Rust   Go  ", "Rust Go"),
    ],
)
def test_recognised_phrases_and_adjacent_filler_leave_the_topic(query: str, text: str) -> None:
    assert u(query).text == text


@pytest.mark.parametrize("query", ["kubernetesの回を教えて", "Rustの話", "what is kubernetes"])
def test_filler_is_kept_when_nothing_was_recognised(query: str) -> None:
    assert u(query).text == query


def test_text_is_nfkc_normalised_and_whitespace_collapsed() -> None:
    assert u("ｋｕｂｅｒｎｅｔｅｓ　　ＡＷＳ").text == "kubernetes AWS"


@pytest.mark.parametrize("query", ["", "   ", "???!!!", "。、！？", "🎙️🎧", "#", "\ue000\ue001"])
def test_empty_punctuation_and_emoji_queries_give_an_empty_result(query: str) -> None:
    assert u(query) == Understood(text="")


def test_a_lone_prefix_character_is_just_text() -> None:
    assert u("第") == Understood(text="第")


def test_emoji_around_a_recognised_phrase_is_dropped() -> None:
    result = u("🎙️ 2021年 🎧")
    assert (result.dates, result.text) == (year(2021), "")


@pytest.mark.parametrize(
    "query",
    [
        "1" * 10_000,
        "第" * 10_000,
        "第1" * 5_000,
        "#" * 10_000,
        "1-" * 5_000,
        "1と" * 5_000,
        "2020/" * 2_000,
        "Dec " * 2_500,
        "/a" * 5_000,
        "https://" + "a" * 10_000,
        " " * 10_000 + "x",
        "の" * 10_000 + "2021年",
        "2021年" + "の" * 10_000,
        "森田が" + "あ" * 10_000,
        "a" * 10_000,
    ],
)
def test_very_long_inputs_complete_without_errors(query: str) -> None:
    result = understand(query, today=TODAY, speakers=SPEAKERS)
    assert len(result.numbers) <= MAX_NUMBERS


def test_ten_thousand_digits_are_not_an_episode_number() -> None:
    result = u("1" * 10_000)  # also: int() would refuse a 10,000-digit string
    assert result.numbers == ()
    assert result.text == "1" * 10_000
