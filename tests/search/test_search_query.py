"""Query parsing: episode numbers, question filler, Japanese chunks."""

from __future__ import annotations

import pytest

from bot.search.query import MAX_QUERY_CHARS, parse_number, parse_query


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("16", 16),
        ("#16", 16),
        ("# 16", 16),
        ("第16回", 16),
        ("第 16 回", 16),
        ("16回目", 16),
        ("16回", 16),
        ("ep.16", 16),
        ("Ep 16", 16),
        ("ep16", 16),
        ("episode 16", 16),
        ("エピソード16", 16),
        ("エピソード 16", 16),
        ("＃１６", 16),
        ("第１６回", 16),
        ("16回目の話", 16),
    ],
)
def test_episode_number_in_any_form(text: str, number: int) -> None:
    assert parse_number(text) == number
    parsed = parse_query(text)
    assert parsed.number == number and parsed.number_only


@pytest.mark.parametrize("text", ["re:Invent 2020", "A100", "Kubeflow", "Graviton2", ""])
def test_numbers_inside_names_are_not_episode_numbers(text: str) -> None:
    assert parse_number(text) is None


def test_marked_number_with_words_keeps_both() -> None:
    parsed = parse_query("#16 kubeflow")
    assert parsed.number == 16 and not parsed.number_only
    assert [g.word for g in parsed.latin] == ["kubeflow"]


@pytest.mark.parametrize(
    ("text", "latin", "ja"),
    [
        ("Kubeflowについて話した回はどれ？", ["kubeflow"], []),
        ("which episode talks about AutoML?", ["automl"], []),
        ("API Gatewayの認証", ["api", "gateway"], ["認証"]),
        ("SQSで疎結合にする話はどこ？", ["sqs"], ["疎結合"]),
        ("オンライン英会話の話をしていたエピソードを教えて", [], ["オンライン", "英会話"]),
        ("Well-Architectedってどの回で聞ける？", ["wellarchitected"], []),
        ("コールドスタート対策", [], ["コルドスタト", "対策"]),
    ],
)
def test_filler_and_particles_do_not_become_terms(
    text: str, latin: list[str], ja: list[str]
) -> None:
    parsed = parse_query(text)
    assert [g.word for g in parsed.latin] == latin
    assert [c.text for c in parsed.ja] == ja


def test_compound_words_stay_together_and_spaces_are_remembered() -> None:
    parsed = parse_query("auto-ml cloud run")
    assert [g.parts for g in parsed.latin] == [("auto", "ml"), ("cloud",), ("run",)]
    assert [g.after_space for g in parsed.latin] == [False, True, True]


def test_hiragana_only_query_is_one_chunk_folded_to_katakana() -> None:
    parsed = parse_query("きゅーぶふろー")
    assert [c.text for c in parsed.ja] == ["キュブフロ"]
    assert parsed.ja[0].kana_parts == ("キュブフロ",)


def test_middle_dot_splits_names() -> None:
    assert [c.text for c in parse_query("ジェフ・ベゾス").ja] == ["ジェフ", "ベゾス"]


def test_long_query_is_cut() -> None:
    parsed = parse_query("k" * 10_000)
    assert len(parsed.text) == MAX_QUERY_CHARS


@pytest.mark.parametrize("text", ["", "   ", "？？？", "the of which", "について"])
def test_nothing_left_is_empty(text: str) -> None:
    assert parse_query(text).empty


def test_two_hiragana_between_words_split_them_as_the_index_reads_the_notes() -> None:
    # the notes' text is indexed in runs with at most one hiragana between kanji
    # (textnorm.JA_CONTENT_RUN): 向けの splits there, keeping its okurigana
    parsed = parse_query("製造業向けの異常検知")
    assert [c.raw for c in parsed.ja] == ["製造業向け", "異常検知"]
    # one hiragana between stays inside the word; the word being typed is not cut
    assert [c.raw for c in parse_query("振り返り方").ja] == ["振り返り方"]
    assert [c.raw for c in parse_query("疎結合にす").ja] == ["疎結合にす"]
