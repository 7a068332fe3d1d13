"""Behaviour tests for understand.py (run with pytest)."""

from __future__ import annotations

import dataclasses
import unicodedata
from datetime import date, datetime

import pytest

from bot.search.understand import (
    MAX_NUMBERS,
    DateRange,
    Order,
    Understood,
    kanji_to_int,
    understand,
)

TODAY = date(2024, 6, 10)
SPEAKERS = ("森田", "Ken", "山田 太郎")


def u(query: str, *, today: date = TODAY, speakers: tuple[str, ...] = ()) -> Understood:
    return understand(query, today=today, speakers=speakers)


def span(start: str, end: str) -> DateRange:
    return DateRange(date.fromisoformat(start), date.fromisoformat(end))


def year(y: int) -> DateRange:
    return DateRange(date(y, 1, 1), date(y, 12, 31))


# --------------------------------------------------------------------------- episode numbers


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


# --------------------------------------------------------------------------- dates


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


# --------------------------------------------------------------------------- order


@pytest.mark.parametrize(
    ("query", "order"),
    [
        ("一番古い", Order.FIRST),
        ("一番古い回", Order.FIRST),
        ("最初の回", Order.FIRST),
        ("一番最初のエピソード", Order.FIRST),
        ("初回", Order.FIRST),
        ("first episode", Order.FIRST),
        ("the very first episode", Order.FIRST),
        ("oldest", Order.FIRST),
        ("the earliest episode", Order.FIRST),
        ("最新", Order.LATEST),
        ("最新の回", Order.LATEST),
        ("最新回", Order.LATEST),
        ("最新エピソード", Order.LATEST),
        ("最後に配信された回", Order.LATEST),
        ("一番新しい回", Order.LATEST),
        ("最終回", Order.LATEST),
        ("newest", Order.LATEST),
        ("latest", Order.LATEST),
        ("the latest episode", Order.LATEST),
        ("most recent", Order.LATEST),
        ("last episode", Order.LATEST),
    ],
)
def test_order_phrases_are_recognised_and_removed(query: str, order: Order) -> None:
    result = u(query)
    assert result.order is order
    assert result.text == ""
    assert result.dates is None


@pytest.mark.parametrize(
    "query", ["最新技術", "最新バージョン", "初回限定", "first impressions of rust"]
)
def test_order_words_inside_other_words_are_not_order(query: str) -> None:
    result = u(query)
    assert result.order is None
    assert result.text == query


def test_order_keeps_the_topic() -> None:
    result = u("kubernetesの最新の回")
    assert (result.order, result.text) == (Order.LATEST, "kubernetes")


def test_the_earliest_order_phrase_wins() -> None:
    assert u("latest vs first episode").order is Order.LATEST


def test_order_and_date_combine() -> None:
    result = u("the first episode of 2021")
    assert (result.order, result.dates, result.text) == (Order.FIRST, year(2021), "")


# --------------------------------------------------------------------------- urls


@pytest.mark.parametrize(
    ("query", "path", "text"),
    [
        ("https://example.com/podcast/0016/", "/podcast/0016/", ""),
        ("https://example.com/podcast/0016", "/podcast/0016/", ""),
        ("http://example.com/podcast/0016/?utm=x#notes", "/podcast/0016/", ""),
        ("HTTPS://EXAMPLE.COM/Podcast/0016/", "/Podcast/0016/", ""),
        ("https://example.com/podcast/%E3%81%82/", "/podcast/あ/", ""),
        ("https://example.com/a/../podcast//0016/index.html", "/podcast/0016/", ""),
        ("https://example.com", "/", ""),
        ("<https://example.com/podcast/0016/>", "/podcast/0016/", ""),
        ("[notes](https://example.com/podcast/0016)", "/podcast/0016/", "notes"),
        ("https://example.com/podcast/0016/の内容", "/podcast/0016/", "内容"),
        ("see https://example.com/podcast/0016/.", "/podcast/0016/", "see"),
        ("/podcast/0016/", "/podcast/0016/", ""),
        ("/podcast/0016", "/podcast/0016/", ""),
        ("URLは/podcast/0016/です", "/podcast/0016/", "URL です"),
    ],
)
def test_url_paths_are_extracted_and_removed(query: str, path: str, text: str) -> None:
    result = u(query)
    assert result.url_path == path
    assert result.numbers == ()
    assert result.text == text


def test_the_first_url_in_the_query_wins() -> None:
    result = u("https://a.example/podcast/0001/ https://a.example/podcast/0002/")
    assert result.url_path == "/podcast/0001/"
    assert result.text == ""


@pytest.mark.parametrize("query", ["TCP/IP", "and/or", "5/6", "I/O"])
def test_slashes_inside_words_are_not_paths(query: str) -> None:
    assert u(query).url_path is None


def test_discord_mentions_are_dropped_and_not_read_as_numbers() -> None:
    result = u("<@123456789012345678> <#1234567890123> #16")
    assert result.numbers == (16,)
    assert result.text == ""


# --------------------------------------------------------------------------- leftover text


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


# --------------------------------------------------------------------------- speakers


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


# --------------------------------------------------------------------------- hostile input


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


# --------------------------------------------------------------------------- kanji_to_int


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


# --------------------------------------------------------------------------- value types


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
