"""The query reader: who spoke (bot/search/understand/speakers.py)."""

from __future__ import annotations

import pytest
from understand_helpers import SPEAKERS, TODAY, span, u, year

from bot.search.understand import understand


@pytest.mark.parametrize(
    ("query", "speaker", "text"),
    [
        ("森田が話した回", "森田", ""),
        ("森田さんが話した回", "森田", ""),
        ("森田担当の回", "森田", ""),
        ("森田さんの回", "森田", ""),
        ("森田くんの回", "森田", ""),
        ("森田氏の回", "森田", ""),
        ("森田さんが出演した回", "森田", ""),
        ("森田がゲストの回", "森田", ""),
        ("森田さんがkubernetesについて話した回", "森田", "kubernetes"),
        ("森田さんの最新の回", "森田", ""),
        ("episodes where Ken talked", "Ken", ""),
        ("episodes where ken spoke about rust", "Ken", "rust"),
        ("Ken's episodes", "Ken", ""),
        ("KEN’s episodes", "Ken", ""),
        ("episodes with ken", "Ken", ""),
        ("Ken-sanの回", "Ken", ""),
        ("山田太郎さんの回", "山田 太郎", ""),
        ("山田 太郎の回", "山田 太郎", ""),
    ],
)
def test_who_spoke_phrases_for_known_speakers(query: str, speaker: str, text: str) -> None:
    result = u(query, speakers=SPEAKERS)
    assert result.speaker == speaker
    assert result.text == text


@pytest.mark.parametrize("query", ["山田さんの回", "kenta's episodes", "森田", "episodes with bob"])
def test_unknown_names_and_bare_names_are_not_speakers(query: str) -> None:
    result = u(query, speakers=SPEAKERS)
    assert result.speaker is None
    assert result.text == query


def test_no_speaker_list_means_no_speaker() -> None:
    result = u("森田が話した回")
    assert result.speaker is None
    assert result.text == "森田が話した回"


def test_speaker_date_and_topic_combine() -> None:
    result = u("森田さんの2020年12月のkubernetesの回", speakers=SPEAKERS)
    assert result.speaker == "森田"
    assert result.dates == span("2020-12-01", "2020-12-31")
    assert result.text == "kubernetes"


def test_speaker_with_date_inside_the_talked_about_phrase() -> None:
    result = u("森田さんが2020年にkubernetesについて話した回", speakers=SPEAKERS)
    assert (result.speaker, result.dates, result.text) == ("森田", year(2020), "kubernetes")


def test_a_single_name_string_is_taken_as_one_speaker() -> None:
    assert understand("森田さんの回", today=TODAY, speakers="森田").speaker == "森田"


def test_speaker_list_entries_that_are_blank_are_ignored() -> None:
    assert u("さんの回", speakers=("", "  ")).speaker is None


@pytest.mark.parametrize(
    ("query", "speaker", "text"),
    [
        ("二人で話した回", None, ""),
        ("一人で話した回", None, ""),
        ("ふたりが話した回", None, ""),
        ("3人で話した回", None, ""),
        ("二人でkubernetesの話", None, "kubernetes"),
        ("一人でしゃべったLightsailの回", None, "Lightsail"),
        ("森田が一人で話した回", "森田", ""),
        ("森田さんが二人で話したCDKの回", "森田", "CDK"),
    ],
)
def test_how_many_spoke_is_neither_a_name_nor_the_topic(
    query: str, speaker: str | None, text: str
) -> None:
    result = u(query, speakers=SPEAKERS)
    assert result.speaker == speaker
    assert result.text == text


@pytest.mark.parametrize("query", ["二人三脚", "一人称の書き方", "一人暮らし"])
def test_words_that_start_with_a_headcount_stay_in_the_topic(query: str) -> None:
    assert u(query, speakers=SPEAKERS).text == query


def test_a_headcount_is_no_speaker_even_when_listed_as_one() -> None:
    result = u("二人が話した回", speakers=("二人", "森田"))
    assert result.speaker is None


@pytest.mark.parametrize(
    ("query", "speaker", "alone", "text"),
    [
        ("森田が一人で話した回", "森田", True, ""),
        ("森田がひとりで収録した回", "森田", True, ""),
        ("森田のソロ回", "森田", True, ""),
        ("森田が一人で生成AIの話をした回", "森田", True, "生成AI"),
        ("森田が生成AIの話をした回", "森田", False, "生成AI"),
        ("一人で話した回", None, True, ""),
        ("episodes where Ken talked alone", "Ken", True, ""),
        ("episodes with Ken on his own", "Ken", True, ""),
        ("二人で話した回", None, False, ""),
        ("12人で話した回", None, False, ""),
        ("森田が話した回", "森田", False, ""),
        ("solo developer tips", None, False, "solo developer tips"),  # no speaker: a topic
    ],
)
def test_who_spoke_alone(query: str, speaker: str | None, alone: bool, text: str) -> None:
    result = u(query, speakers=SPEAKERS)
    assert (result.speaker, result.alone, result.text) == (speaker, alone, text)
