"""The one search: understanding, fusion, the no-match decision and the vector cache.

The semantic layer runs here on ``ConceptEmbedder``, a small deterministic embedder of
our own that implements the ``Embedder`` protocol: each text becomes a unit vector over
a few concepts, found by keyword. It stands in for the model so that fusion and the
no-match rule can be tested on exact numbers; the real model is exercised end to end
in tests/bot/test_bot_semantic.py.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import numpy as np
import pytest

from bot.models import Episode, Section
from bot.search.engine import SearchIndex
from bot.search.hybrid import HybridSearch
from bot.search.layer import SemanticLayer
from bot.search.semantic import LINE, SECTION, SemanticIndex, passages_of
from bot.search.synonyms import Synonyms
from bot.search.vectors import VectorCache

JST = timezone(timedelta(hours=9))
CONCEPTS = {
    "container": ("コンテナ", "container", "docker"),
    "serverless": ("サーバーレス", "serverless", "フルマネージド"),
    "edge": ("エッジ", "edge", "小さなボード", "jetson"),
    "cdn": ("cdn", "配信網", "キャッシュ"),
    "weather": ("天気", "weather"),
}


BUCKETS = 32


class ConceptEmbedder:
    """Concept dimensions (1 each) and hashed character bigrams (a light residual, so
    texts without a concept still differ)."""

    model_id = "test-concepts-1"
    dim = len(CONCEPTS) + BUCKETS

    def __init__(self) -> None:
        self.embedded: list[str] = []

    def _vector(self, text: str) -> np.ndarray:
        low = text.casefold()
        v = np.zeros(self.dim)
        for i, keys in enumerate(CONCEPTS.values()):
            v[i] = float(any(k in low for k in keys))
        grams = [low[i : i + 2] for i in range(len(low) - 1)] or [low or " "]
        for gram in grams:
            v[len(CONCEPTS) + sum(map(ord, gram)) % BUCKETS] += 0.25 / len(grams)
        return (v / np.linalg.norm(v)).astype(np.float32)

    def passages(self, texts: Sequence[str]) -> np.ndarray:
        self.embedded.extend(texts)
        return np.stack([self._vector(t) for t in texts])

    def query(self, text: str) -> np.ndarray:
        return self._vector(text)


def episode(number: int, title: str, body: str, when: date, summary: str = "") -> Episode:
    return Episode(
        path=f"podcast/{number:04d}/index.md",
        raw_title=f"#{number} {title}",
        title=title,
        number=number,
        category=None,
        summary=summary or f"{title}について話したよ。",
        date=datetime(when.year, when.month, when.day, 21, tzinfo=JST),
        publish_date=None,
        page_url=f"https://example.org/podcast/{number:04d}/",
        sections=(Section("話したこと", 2, ("話したこと",), body, "talk"),),
    )


EPISODES = [
    episode(
        1, "Cloud Run入門", "コンテナをフルマネージドで動かす。サーバーレス。", date(2020, 7, 12)
    ),
    episode(2, "Jetsonの話", "エッジ向けの小さなボードでAI推論。", date(2020, 8, 30)),
    episode(3, "Amazon CloudFront", "CDN。キャッシュの設定と料金。", date(2021, 2, 22)),
    episode(
        4,
        "リモートワーク",
        "分報と在宅の机。",
        date(2020, 12, 5),
        summary="加藤がリモートワークについて話したよ。",
    ),
    episode(
        5,
        "SQSで疎結合",
        "キューでサービスをつなぐ。",
        date(2020, 12, 20),
        summary="加藤がSQSについて話したよ。",
    ),
]
# Other talks, so that a passage about the query stands out from the rest (the
# semantic layer judges a match against the query's typical passage).
FILLER = [
    episode(100 + i, f"雑談{i}", f"週末の{topic}の話。", date(2019, 1, 1 + i))
    for i, topic in enumerate(
        [
            "料理",
            "旅行",
            "映画",
            "読書",
            "音楽",
            "散歩",
            "掃除",
            "カメラ",
            "自転車",
            "園芸",
            "将棋",
            "釣り",
            "登山",
            "温泉",
            "写真",
        ]
    )
]
TODAY = date(2026, 12, 1)


def make_search(episodes: Sequence[Episode] = EPISODES, semantic: bool = True) -> HybridSearch:
    everything = [*episodes, *FILLER]
    search = HybridSearch(SearchIndex.build(everything), speakers=("加藤", "小杉"))
    if semantic:
        search.semantic = SemanticIndex.build(ConceptEmbedder(), everything)
    return search


def paths(search: HybridSearch, query: str, limit: int = 5) -> list[str]:
    return [h.episode.path for h in search.search(query, limit, today=TODAY).hits]


def ep(n: int) -> str:
    return f"podcast/{n:04d}/index.md"


# -- fusion and the no-match decision ---------------------------------------------------


def test_a_concept_the_notes_word_differently_is_found_by_meaning():
    assert paths(make_search(semantic=False), "配信網の回") == []
    assert paths(make_search(), "配信網の回") == [ep(3)]


def test_an_english_word_finds_the_notes_katakana():
    search = make_search(semantic=False)
    assert paths(search, "serverless container")[:1] == [ep(1)]
    assert paths(search, "remote work")[:1] == [ep(4)]


def test_an_english_query_about_a_japanese_only_topic_is_found_by_meaning():
    assert paths(make_search(), "small edge board")[:1] == [ep(2)]


def test_a_name_still_wins_over_a_merely_similar_episode():
    assert paths(make_search(), "CloudFront")[0] == ep(3)


def test_an_unrelated_query_stays_empty_with_the_semantic_layer():
    assert paths(make_search(), "今日の天気") == []


def test_a_rare_word_the_notes_never_use_keeps_a_close_meaning_from_answering():
    # "Fargate" is a name (rare in ordinary language) that no note mentions
    assert paths(make_search(), "Fargate container") == []


def test_everyday_words_the_notes_never_use_do_not_veto_a_match():
    search = make_search(semantic=False)
    assert paths(search, "Jetson tips")[:1] == [ep(2)]
    assert paths(search, "CloudFront basics")[:1] == [ep(3)]


def test_fused_scores_are_ordered_and_within_0_to_100():
    hits = make_search().search("CDN キャッシュ", 5, today=TODAY).hits
    assert hits and hits[0].episode.path == ep(3)
    scores = [h.score for h in hits]
    assert scores == sorted(scores, reverse=True) and 0 < scores[-1] <= scores[0] <= 100


# -- what is not a topic ----------------------------------------------------------------


def test_several_numbers_name_each_episode_in_order():
    assert paths(make_search(), "#3と#1") == [ep(3), ep(1)]
    assert paths(make_search(), "第二回") == [ep(2)]


def test_a_show_notes_url_names_its_page():
    assert paths(make_search(), "https://example.org/podcast/0003/ の回") == [ep(3)]


def test_a_month_lists_its_episodes_oldest_first():
    assert paths(make_search(), "2020年12月の回") == [ep(4), ep(5)]


def test_a_month_without_episodes_answers_nothing():
    assert paths(make_search(), "2020年3月の回") == []


def test_first_and_newest_name_one_episode():
    assert paths(make_search(FILLER[:0]), "一番古いエピソード") == [FILLER[0].path]
    assert paths(make_search(), "最新の回") == [ep(3)]


def test_a_date_and_a_topic_search_the_topic_within_the_dates():
    assert paths(make_search(), "2020年のCDNの回") == []
    assert paths(make_search(), "2021年のCDNの回") == [ep(3)]


def test_who_spoke_narrows_to_their_episodes():
    assert sorted(paths(make_search(), "加藤が話した回")) == [ep(4), ep(5)]
    assert paths(make_search(), "加藤が話したSQSの回") == [ep(5)]


# -- the layer and its cache ------------------------------------------------------------


def test_a_restart_embeds_nothing_it_has_seen(tmp_path):
    cache = tmp_path / "vectors.db"
    first = ConceptEmbedder()
    SemanticIndex.build(first, EPISODES, VectorCache(cache))
    passages = [p for e in EPISODES for p in passages_of(e)]
    # one text, one vector: a one-line section is its own line too
    assert sorted(first.embedded) == sorted({p.text for p in passages})
    again = ConceptEmbedder()
    index = SemanticIndex.build(again, EPISODES, VectorCache(cache))
    assert again.embedded == []
    assert len(index) == len(passages)


def test_a_changed_section_alone_is_embedded_again(tmp_path):
    cache = VectorCache(tmp_path / "vectors.db")
    SemanticIndex.build(ConceptEmbedder(), EPISODES, cache)
    old = EPISODES[-1]
    changed = [
        *EPISODES[:-1],
        episode(5, old.title, "FIFOキューの話。", date(2020, 12, 20), old.summary),
    ]
    embedder = ConceptEmbedder()
    SemanticIndex.build(embedder, changed, VectorCache(tmp_path / "vectors.db"))
    assert embedder.embedded == ["話したこと\nFIFOキューの話。"]


def test_a_corrupt_cache_file_is_rebuilt_with_a_warning(tmp_path, caplog):
    cache = tmp_path / "vectors.db"
    cache.write_bytes(b"this is not a database" * 100)
    with caplog.at_level(logging.WARNING, logger="bot.search.vectors"):
        store = VectorCache(cache)
    assert "not a readable vector cache" in caplog.text and str(cache) in caplog.text
    embedder = ConceptEmbedder()
    SemanticIndex.build(embedder, EPISODES, store)
    assert embedder.embedded  # everything embedded again, into a fresh file
    assert VectorCache(cache).count(ConceptEmbedder.model_id) == len(embedder.embedded)


class BlockedEmbedder(ConceptEmbedder):
    """Embeds only once ``go`` is set: a model still busy with a large site."""

    def __init__(self) -> None:
        super().__init__()
        self.go = threading.Event()

    def passages(self, texts: Sequence[str]) -> np.ndarray:
        self.go.wait(10)
        return super().passages(texts)


def test_search_answers_lexically_while_the_semantic_index_builds():
    embedder = BlockedEmbedder()
    search = make_search(semantic=False)
    layer = SemanticLayer(lambda: embedder, None)
    layer.rebuild([*EPISODES, *FILLER], lambda index: setattr(search, "semantic", index))
    assert paths(search, "CloudFront") == [ep(3)]  # the lexical engine, at once
    assert paths(search, "配信網の回") == []  # meaning needs the index
    assert layer.state.phase in {"loading", "embedding"}
    embedder.go.set()
    assert layer.wait(10)
    assert layer.state.phase == "ready"
    assert paths(search, "配信網の回") == [ep(3)]


def test_a_model_that_cannot_load_leaves_the_search_lexical():
    search = make_search(semantic=False)
    layer = SemanticLayer(lambda: None, None)
    layer.rebuild(EPISODES, lambda index: setattr(search, "semantic", index))
    assert layer.wait(10)
    assert layer.state.phase == "off"
    assert paths(search, "CloudFront") == [ep(3)]


@pytest.mark.parametrize("bad", ["", "   ", "？？？", "🙂" * 50, "第" * 5000])
def test_odd_queries_answer_nothing_and_never_raise(bad):
    assert make_search().search(bad, 5, today=TODAY).hits == ()


def test_the_vector_cache_can_live_in_memory_only(tmp_path: Path):
    store = VectorCache(None)
    SemanticIndex.build(ConceptEmbedder(), EPISODES, store)
    assert store.count(ConceptEmbedder.model_id) > 0


# -- readings and synonyms ------------------------------------------------------------


def test_a_wrong_kanji_with_the_same_reading_finds_the_notes_word():
    notes = [*EPISODES, episode(6, "クラウド資格の話", "資格試験の勉強方法。", date(2021, 3, 1))]
    search = make_search(notes, semantic=False)
    assert paths(search, "視覚試験") == []  # before the reading index is built
    search.read_notes([*notes, *FILLER])
    assert paths(search, "視覚試験")[:1] == [ep(6)]


def test_romaji_and_kana_inside_a_latin_word_find_the_notes_spelling():
    notes = [*EPISODES, episode(7, "SageMakerで学習", "SageMakerの学習ジョブ。", date(2021, 4, 1))]
    search = make_search(notes, semantic=False)
    search.read_notes([*notes, *FILLER])
    assert paths(search, "せーじmakerの回")[:1] == [ep(7)]
    assert paths(search, "jettoson")[:1] == [ep(2)]


def test_a_katakana_slip_is_respelled_though_every_two_kana_of_it_occur_in_the_notes():
    notes = [
        *EPISODES,
        episode(11, "前処理の話", "データラングラーで前処理。ステータスを見る。", date(2021, 5, 1)),
    ]
    search = make_search(notes, semantic=False)
    search.read_notes([*notes, *FILLER])
    assert search.lexical.query_words("テータラングラー").absent == ()  # ステータス has テータ
    assert paths(search, "テータラングラー")[:1] == [ep(11)]
    assert paths(search, "テータラングラーの話")[:1] == [ep(11)]
    assert paths(search, "ステータス")[:1] == [ep(11)]  # a word the notes use stays as typed


def test_site_synonyms_find_the_other_terms_and_host_nicknames(tmp_path):
    from bot.search.synonyms import load_synonyms

    file = tmp_path / "synonyms.yaml"
    file.write_text("synonyms:\n  - [CDN, 配信ネットワーク]\n  - [加藤, かとちゃん]\n", "utf-8")
    synonyms, problems = load_synonyms(file)
    assert problems == []
    search = HybridSearch(SearchIndex.build([*EPISODES, *FILLER]), synonyms=synonyms)
    search.set_speakers(["加藤"])
    assert paths(search, "配信ネットワーク")[:1] == [ep(3)]
    assert sorted(paths(search, "かとちゃんが話した回")) == [ep(4), ep(5)]


def test_a_year_after_a_name_is_part_of_the_name_not_a_date():
    search = make_search()
    search.search("re:Invent 2020", 5, today=TODAY)
    assert search.last_trace is not None
    assert search.last_trace.understood.dates is None
    assert paths(search, "Dec 2020") == [ep(4), ep(5)]


def test_a_version_the_notes_never_write_with_that_name_answers_nothing():
    notes = [
        *EPISODES,
        episode(8, "Gemini 1.5の話", "Gemini 1.5 Proの長いコンテキスト。", date(2024, 3, 1)),
    ]
    search = make_search(notes, semantic=False)
    assert paths(search, "Gemini 1.5")[:1] == [ep(8)]
    assert paths(search, "Gemini 3") == []


def test_a_version_followed_by_japanese_is_still_held_to_the_notes():
    notes = [
        *EPISODES,
        # "3" and "2021" are in the notes, but never as a version of Gemini or re:Invent
        episode(8, "Gemini 1.5の話", "Gemini 1.5 Proの話。ポイントは3つ。", date(2024, 3, 1)),
        episode(10, "GKEの話", "GKE 10周年。2021年のre:Inventのノード10万台。", date(2025, 1, 1)),
    ]
    search = make_search(notes, semantic=False)
    # a particle after the number: a version, which the notes must write with the name
    assert paths(search, "re:Invent 2021の振り返り") == []
    assert paths(search, "Gemini 1.5の話")[:1] == [ep(8)]
    assert paths(search, "Gemini 3の話") == []
    assert paths(search, "Gemini 3は") == []
    # a counter or unit after it: a quantity, not a version of the name
    assert paths(search, "GKE 10周年")[:1] == [ep(10)]
    assert paths(search, "GKE 10万台")[:1] == [ep(10)]


def test_a_capitalised_word_of_an_unknown_product_keeps_the_query_empty():
    assert paths(make_search(semantic=False), "Amazon CloudFront Functions") == []
    assert paths(make_search(semantic=False), "Amazon CloudFront")[:1] == [ep(3)]


def test_a_camel_case_name_the_notes_never_use_keeps_the_query_empty_even_first():
    notes = [
        *EPISODES,
        episode(9, "エディタの話", "VSCodeのプラグインを紹介。", date(2024, 5, 1)),
    ]
    search = make_search(notes, semantic=False)
    # "WordPress" is common on the web, but its inner capital makes it a name, not filler
    assert paths(search, "WordPressのプラグイン") == []
    assert paths(search, "VSCodeのプラグイン")[:1] == [ep(9)]
    assert paths(search, "プラグイン")[:1] == [ep(9)]


def test_a_query_that_is_only_a_product_name_needs_that_name_in_the_notes():
    notes = [
        *EPISODES,
        episode(9, "Apple製品の話", "Visionという言葉とPro版の比較。", date(2024, 5, 1)),
    ]
    search = make_search(notes, semantic=False)
    assert paths(search, "Apple Vision Pro") == []  # each word is there, the name is not
    assert paths(search, "Amazon CloudFront")[:1] == [ep(3)]


# -- how many spoke, slips by sound, meaning over weak words -----------------------------


def test_how_many_spoke_neither_names_a_speaker_nor_breaks_the_topic():
    search = make_search()
    assert paths(search, "二人でSQSの話をした回")[:1] == [ep(5)]
    assert sorted(paths(search, "加藤が一人で話した回")) == [ep(4), ep(5)]
    assert search.last_trace is not None
    assert search.last_trace.understood.speaker == "加藤"


def test_a_katakana_word_typed_without_its_dakuten_finds_the_notes_word():
    notes = [*EPISODES, episode(8, "Dataflow入門", "DataflowでETL。", date(2021, 5, 1))]
    search = make_search(notes, semantic=False)
    search.read_notes([*notes, *FILLER])
    assert paths(search, "テータフロー")[:1] == [ep(8)]
    assert paths(search, "deetafuroo")[:1] == [ep(8)]


def test_a_compound_with_a_wrong_kanji_is_respelled_piece_by_piece():
    notes = [*EPISODES, episode(9, "AWSからの移行", "移行の事例。", date(2021, 6, 1))]
    search = make_search(notes, semantic=False)
    search.read_notes([*notes, *FILLER])
    assert paths(search, "以降事例")[:1] == [ep(9)]


def test_a_lower_case_english_word_describes_and_does_not_veto_a_meaning():
    # "inference" is in no note; typed in lower case it describes, like "board"
    assert paths(make_search(), "edge inference board")[:1] == [ep(2)]
    # the same word capitalised reads as a product name the show never covered
    assert paths(make_search(), "Inference edge board") == []


def test_the_name_rules_read_no_note_once_prepared(monkeypatch):
    import bot.search.hybrid as hybrid

    search = make_search(semantic=False)
    search.prepare_names([*EPISODES, *FILLER])

    def read_again(episode: Episode) -> str:
        raise AssertionError(f"{episode.path} normalised by a query")

    monkeypatch.setattr(hybrid, "_plain_text", read_again)
    assert paths(search, "Amazon CloudFront")[:1] == [ep(3)]  # a whole name: every note
    assert paths(search, "Amazon CloudFront Functions") == []


def test_a_speaker_typed_in_kana_or_romaji_is_that_speaker_once_readings_are_built():
    search = make_search(semantic=False)
    search.set_speakers(["加藤"])
    # before the dictionary is loaded, only the name as the notes write it is known
    assert "kato" not in search.speakers
    search.read_notes([*EPISODES, *FILLER])
    for typed in ("episodes where Kato spoke", "katouが話した回", "かとうが話した回"):
        assert sorted(paths(search, typed)) == [ep(4), ep(5)], typed
        assert search.last_trace is not None
        assert search.last_trace.understood.speaker == "加藤"


def test_a_wrong_kanji_for_a_word_the_notes_also_use_is_respelled_to_their_compound():
    notes = [
        *EPISODES,
        episode(8, "製造業とML", "製造業向けの異常検知。", date(2021, 3, 1)),
        episode(9, "料金の話", "月100円以上かかる。一緒に見積もり。", date(2021, 4, 1)),
    ]
    search = make_search(notes, semantic=False)
    search.read_notes([*notes, *FILLER])
    # 以上 is a word of the notes, 以上検知 is not; of the words read イジョウ, 異常
    # is the one that makes the compound theirs
    assert paths(search, "製造業向けの以上検知")[:1] == [ep(8)]
    assert paths(search, "以上かかる")[:1] == [ep(9)]


def test_kana_typed_inside_a_latin_word_is_respelled_even_when_its_latin_part_matches():
    notes = [
        *EPISODES,
        episode(8, "Cloud Storage", "Cloudのストレージ。", date(2021, 3, 1)),
    ]
    search = make_search(notes, semantic=False)
    search.read_notes([*notes, *FILLER])
    # "cloud" alone matches episode 8; the listener meant CloudFront
    assert paths(search, "cloudふろんと")[:1] == [ep(3)]
    # a name and a particle are two words, not a slip
    assert paths(search, "Cloudのストレージ")[:1] == [ep(8)]


def test_a_phrase_of_the_notes_with_a_particle_inside_finds_its_episode():
    notes = [*EPISODES, episode(8, "製造業とML", "製造業向けの異常検知。", date(2021, 3, 1))]
    assert paths(make_search(notes, semantic=False), "製造業向けの異常検知")[:1] == [ep(8)]


def test_one_line_of_a_long_section_carries_its_concept(monkeypatch):
    # episode 3 says "cache" in one line of a section about the weather; episode 6 in
    # a line that is about the weather too. By sections alone they tie (6 a hair
    # ahead); the line that is only about the cache puts 3 first.
    chatter = "\n".join(f"{day}曜は天気の話、晴れのち雨" for day in "月火水木金")
    notes = [
        *EPISODES[:2],
        episode(3, "週末の雑談", f"{chatter}\nCloudFrontのキャッシュ設定", date(2021, 2, 22)),
        episode(6, "雑談", "天気とキャッシュ", date(2021, 3, 1)),
    ]
    index = SemanticIndex.build(ConceptEmbedder(), [*notes, *FILLER])
    query = ConceptEmbedder().query("キャッシュ")
    hits = index.search(query, 2)
    assert [h.path for h in hits] == [ep(3), ep(6)]
    assert hits[0].section == 0  # the snippet comes from that line's section
    assert {p.size for p in passages_of(notes[2])} == {SECTION, LINE}
    monkeypatch.setattr("bot.search.semantic.LINE_WEIGHT", 0.0)  # sections alone
    assert [h.path for h in index.search(query, 2)] == [ep(6), ep(3)]


def test_a_restart_reads_the_packed_matrix_and_no_row_of_the_database(tmp_path):
    import sqlite3

    cache = tmp_path / "vectors.db"
    first = VectorCache(cache)
    built = SemanticIndex.build(ConceptEmbedder(), EPISODES, first)
    first.close()
    assert (tmp_path / "vectors.db.pack.npz").is_file()
    with sqlite3.connect(cache) as db:  # the rows gone: only the pack can answer
        db.execute("DELETE FROM vectors")
    embedder = ConceptEmbedder()
    again = SemanticIndex.build(embedder, EPISODES, VectorCache(cache))
    assert embedder.embedded == []
    query = ConceptEmbedder().query("cdn")
    assert again.search(query, 3) == built.search(query, 3)


def test_a_damaged_pack_is_ignored_with_a_warning_and_written_again(tmp_path, caplog):
    cache = tmp_path / "vectors.db"
    SemanticIndex.build(ConceptEmbedder(), EPISODES, VectorCache(cache))
    pack = tmp_path / "vectors.db.pack.npz"
    pack.write_bytes(pack.read_bytes()[:100])  # cut short
    embedder = ConceptEmbedder()
    with caplog.at_level(logging.WARNING, logger="bot.search.vectors"):
        SemanticIndex.build(embedder, EPISODES, VectorCache(cache))
    assert "vector pack" in caplog.text and "unreadable" in caplog.text
    assert embedder.embedded == []  # every vector from the database instead
    assert len(pack.read_bytes()) > 100  # and the pack whole again


def test_a_pack_of_another_model_is_not_used(tmp_path):
    class OtherModel(ConceptEmbedder):
        model_id = "test-concepts-2"

    cache = tmp_path / "vectors.db"
    SemanticIndex.build(ConceptEmbedder(), EPISODES, VectorCache(cache))
    other = OtherModel()
    SemanticIndex.build(other, EPISODES, VectorCache(cache))
    assert other.embedded  # its own vectors, not the first model's


def test_sections_alone_when_lines_are_off(tmp_path):
    episode_ = EPISODES[0]
    assert {p.size for p in passages_of(episode_, lines=False)} == {SECTION}
    embedder = ConceptEmbedder()
    index = SemanticIndex.build(embedder, EPISODES, VectorCache(None), lines=False)
    assert len(index) == sum(len(passages_of(e, lines=False)) for e in EPISODES)
    assert index.search(ConceptEmbedder().query("cdn"), 1)[0].path == ep(3)


def test_one_edited_note_does_not_write_the_whole_pack_again(tmp_path):
    cache = tmp_path / "vectors.db"
    pack = tmp_path / "vectors.db.pack.npz"
    SemanticIndex.build(ConceptEmbedder(), EPISODES, VectorCache(cache))
    written = pack.stat().st_mtime_ns
    old = EPISODES[-1]
    edited = [*EPISODES[:-1], episode(5, old.title, "FIFOキューの話。", date(2020, 12, 20))]
    store = VectorCache(cache)
    SemanticIndex.build(ConceptEmbedder(), edited, store)
    assert pack.stat().st_mtime_ns == written  # the new line comes from SQLite next time
    embedder = ConceptEmbedder()
    SemanticIndex.build(embedder, edited, VectorCache(cache))
    assert embedder.embedded == []


# -- several answers: a name written spaced or joined, filler that never vetoes ---------


def test_a_joined_name_finds_the_notes_that_write_it_spaced_and_back():
    notes = [
        *EPISODES,
        episode(9, "エディタ", "VSCodeの拡張を入れた。", date(2024, 5, 1)),
        episode(10, "IDEの話", "VS Codeとほかのエディタ。", date(2024, 6, 1)),
        episode(11, "イベント", "AWS Dev Day Online Japanに参加。", date(2024, 7, 1)),
        episode(12, "イベント2", "AWS DevDay Online Japanの感想。", date(2024, 8, 1)),
        # both words, apart: no answer to the joined name
        episode(13, "雑談", "VS 巨人の試合。コードを書く。code review。", date(2024, 9, 1)),
    ]
    search = make_search(notes, semantic=False)
    assert sorted(paths(search, "VSCodeの話")) == [ep(9), ep(10)]
    assert sorted(paths(search, "VS Code")) == [ep(9), ep(10)]
    # a query that is only a name holds the notes to it, camel-case pieces apart or not
    assert sorted(paths(search, "AWS DevDay Online Japan")) == [ep(11), ep(12)]
    assert sorted(paths(search, "AWS Dev Day Online Japan")) == [ep(11), ep(12)]


def test_an_everyday_word_of_a_name_may_stand_with_the_word_after_it():
    notes = [
        *EPISODES,
        episode(9, "新インスタンス", "EC2 Mac instanceが出た。", date(2024, 5, 1)),
        episode(10, "基調講演", "EC2の新顔。Mac Instanceの中身がラックに並ぶ。", date(2024, 6, 1)),
        episode(11, "Apple", "EC2の料金とMacの新機種の話。", date(2024, 7, 1)),
    ]
    search = make_search(notes, semantic=False)
    # "Mac" needs a partner: "EC2" before it or "instance" after it, not the note
    # that has both words in different sentences
    assert sorted(paths(search, "every episode about the EC2 Mac instance")) == [ep(9), ep(10)]


def test_everyday_words_beside_a_name_never_cost_a_hit_its_coverage():
    notes = [
        *EPISODES,
        episode(9, "エディタ", "VSCodeの拡張を入れた。", date(2024, 5, 1)),
        episode(10, "IDE", "VSCode関係の話題はほかにもある。全部まとめた。", date(2024, 6, 1)),
    ]
    search = make_search(notes, semantic=False)
    # 関係 and 全部 are in the notes, but a note without them still talks about VSCode
    found = paths(search, "VSCode関係の話題が出た回 全部")
    assert found[:1] == [ep(10)]
    assert sorted(found) == [ep(9), ep(10)]


# -- a query that is only a name: two coined names, a vendor's everyday word ---------


def test_two_coined_names_side_by_side_are_two_topics_written_in_one_line():
    notes = [
        *EPISODES,
        episode(
            9, "ニュース", "EKSの新機能。\nEKSでもGraviton2が使えるようになった。", date(2024, 5, 1)
        ),
        # both names, in lines of their own: "GitHub Copilot" is not "GitHub" + "AWS Copilot"
        episode(10, "CLI", "EKSの話。\nGraviton2の話。", date(2024, 6, 1)),
        episode(11, "CLI", "AWS Copilotが出た。\nGitHubの話は来週。", date(2024, 7, 1)),
    ]
    search = make_search(notes, semantic=False)
    assert paths(search, "EKS Graviton2") == [ep(9)]
    assert paths(search, "GitHub Copilot") == []


def test_a_vendors_everyday_word_before_a_coined_name_may_be_left_out():
    notes = [
        *EPISODES,
        episode(9, "SQS導入", "SQSでサービス同士を疎結合にした。", date(2024, 5, 1)),
        episode(10, "データベース", "Amazon RDSでSQLを書く。Cloud Runの話。", date(2024, 6, 1)),
        # as in the real notes, the vendor's name is everywhere, so it weighs little
        *(episode(n, f"回{n}", f"Amazon EC2の話{n}。", date(2024, 7, n)) for n in range(11, 17)),
    ]
    search = make_search(notes, semantic=False)
    # the notes write "SQS" alone: the vendor's word does not hold the name together
    assert ep(9) in paths(search, "Amazon SQS")
    assert sorted(paths(search, "Amazon SQS")) == sorted(paths(search, "SQS"))
    # "SQL" is an everyday word too: "Cloud SQL" is a product of its own the notes never name
    assert paths(search, "Cloud SQL") == []


def test_a_name_split_by_the_titles_brackets_is_still_written_together():
    notes = [
        *EPISODES,
        episode(9, "【AWS】CDK vs SAM", "インフラ構築の道具を比べた。", date(2024, 5, 1)),
        episode(10, "AWS CDKでハマった", "CDKの話。", date(2024, 6, 1)),
        # a Japanese word between the two names is not the product's name
        episode(11, "雑談", "AWSのCDKとは別の話。", date(2024, 7, 1)),
    ]
    search = make_search(notes, semantic=False)
    assert sorted(paths(search, "AWS CDK")) == [ep(9), ep(10)]


def test_an_events_year_is_the_one_its_note_went_out_in_when_the_note_leaves_it_unwritten():
    notes = [
        *EPISODES,
        episode(9, "イベント", "AWS DevDay Online Japanに参加した。", date(2024, 9, 1)),
        episode(10, "re:Invent 振り返り", "re:Invent 2024の発表。", date(2025, 1, 10)),
        episode(11, "予告", "re:Inventが近い。", date(2024, 11, 1)),
    ]
    search = make_search(notes, semantic=False)
    assert paths(search, "AWS DevDay Online Japan 2024 が話題に出た回") == [ep(9)]
    assert paths(search, "AWS DevDay Online Japan 2025") == []
    # the January note writes the year it is about: it is no note on re:Invent 2025
    assert sorted(paths(search, "re:Invent 2024")) == [ep(10), ep(11)]
    assert paths(search, "re:Invent 2025 振り返り") == []


# -- who spoke alone; a speaker by any of their names --------------------------------


def _talk(number: int, summary: str, authors: tuple[str, ...] = ()) -> Episode:
    return replace(
        episode(number, f"回{number}", "クラウドの話。", date(2024, 1, number), summary),
        authors=authors,
    )


def test_where_the_notes_mark_who_spoke_alone_only_those_episodes_are_solo():
    notes = [
        _talk(1, "小杉がCI/CDについて話したよ。"),  # names one host, but both were there
        _talk(2, "Mac Instanceについて話したよ。急遽小杉1人でしゃべったよ。"),
        _talk(3, "加藤がSQSについて話したよ。"),
        _talk(4, "小杉がGKEについて話したよ。"),
    ]
    kosugi = Synonyms(groups=(("小杉", "Kosugi"),))
    search = HybridSearch(SearchIndex.build(notes), speakers=("加藤", "小杉"), synonyms=kosugi)
    for query in ("小杉が一人で話した回", "小杉のソロ回", "episodes hosted by Kosugi alone"):
        assert paths(search, query) == [ep(2)], query
    assert paths(search, "一人で話した回") == [ep(2)]
    assert paths(search, "加藤が一人で話した回") == []  # no note says 加藤 spoke alone
    assert sorted(paths(search, "小杉が話した回")) == [ep(1), ep(2), ep(4)]


def test_where_the_notes_say_two_spoke_an_episode_naming_one_is_theirs_alone():
    notes = [
        _talk(1, "2人でGKEとEKSを比べた話をしたよ。", ("morita", "hayakawa")),
        _talk(2, "早川がSQSについて話したよ。"),
        _talk(3, "森田がLambdaについて話したよ。", ("morita",)),
        _talk(4, "早川と森田がre:Inventを振り返ったよ。"),
    ]
    names = Synonyms(groups=(("森田", "morita"), ("早川", "hayakawa")))
    search = HybridSearch(SearchIndex.build(notes), speakers=("morita", "hayakawa"), synonyms=names)
    # the summary's 早川 is the author hayakawa: one speaker, by any of their names
    assert sorted(paths(search, "早川が話した回")) == [ep(1), ep(2), ep(4)]
    assert paths(search, "早川が一人で話した回") == [ep(2)]
    assert paths(search, "森田が一人で話した回") == [ep(3)]
    assert sorted(paths(search, "一人で話した回")) == [ep(2), ep(3)]


def test_a_name_that_opens_a_japanese_question_is_held_together_like_a_whole_name():
    notes = [
        *EPISODES,
        episode(9, "アップデート", "Cloud Runの新機能。Step Functionsの話。", date(2024, 5, 1)),
        episode(10, "Functions", "Cloud Functionsの第2世代が出た。", date(2024, 6, 1)),
    ]
    search = make_search(notes, semantic=False)
    assert paths(search, "Cloud Functionsについて話した回") == [ep(10)]
    # "Cloud" and "Functions" apart, in two names, are not the product
    assert ep(9) not in paths(search, "Cloud Functionsの話")
    search = make_search([n for n in notes if n.number != 10], semantic=False)
    assert paths(search, "Cloud Functionsについて話した回") == []
