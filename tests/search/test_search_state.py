"""The lexical index and the reading index kept as plain data between starts."""

from __future__ import annotations

import msgpack
import pytest
from paths import ROOT_DIR

from bot.content import SiteOptions, load_site
from bot.search import SearchIndex
from bot.search.notetext import KatakanaWords
from bot.search.readings import ReadingIndex, ReadingMemo
from bot.search.textnorm import latin_sound

QUERIES = ("Kubeflow", "cloud run", "生成AI", "サーバーレス", "kubernets", "量子", "re:Invent")


@pytest.fixture(scope="module")
def episodes():
    return list(load_site(ROOT_DIR / "content", SiteOptions()).episodes)


def plain(value: object) -> object:
    return msgpack.unpackb(msgpack.packb(value, use_bin_type=True), use_list=False, raw=False)


def answers(index: SearchIndex) -> list[object]:
    out: list[object] = []
    for query in QUERIES:
        result = index.search(query, 5)
        out.append(
            ([(h.episode.path, h.score, h.snippet) for h in result.hits], result.suggestions)
        )
        out.append([(h.episode.path, h.score) for h in index.complete(query[:4], 10)])
    return out


def test_an_index_restored_from_plain_data_answers_as_the_one_built(episodes):
    built = SearchIndex.build(episodes)
    restored = SearchIndex.from_state(plain(built.to_state()), episodes)  # type: ignore[arg-type]
    assert answers(restored) == answers(built)


def test_a_restored_index_takes_updates_as_the_one_built(episodes):
    built = SearchIndex.build(episodes)
    restored = SearchIndex.from_state(plain(built.to_state()), episodes)  # type: ignore[arg-type]
    for index in (built, restored):
        index.remove(episodes[3].path)
        index.upsert(episodes[5])
    assert answers(restored) == answers(built)
    assert episodes[3].path not in restored


def test_the_katakana_table_is_ready_after_a_build_or_a_restore_without_a_query(
    episodes, monkeypatch
):
    """No query reads the notes to build the katakana table (it took seconds at 10,000
    notes): a build makes it, and the snapshot keeps it."""
    built = SearchIndex.build(episodes)
    restored = SearchIndex.from_state(plain(built.to_state()), episodes)  # type: ignore[arg-type]
    shape = latin_sound("serverless")
    for index in (built, restored):
        assert "サーバーレス" in index._katakana.get(shape)
    read: list[str] = []
    real = KatakanaWords._change

    def counting(self, episode, by):  # type: ignore[no-untyped-def]
        read.append(episode.path)
        real(self, episode, by)

    monkeypatch.setattr(KatakanaWords, "_change", counting)
    assert answers(restored) == answers(built)
    assert read == []
    restored.upsert(episodes[2])
    assert read == [episodes[2].path, episodes[2].path]  # out and in again: one note


def test_an_index_state_for_other_episodes_is_refused(episodes):
    state = plain(SearchIndex.build(episodes).to_state())
    with pytest.raises(ValueError):
        SearchIndex.from_state(state, episodes[1:])  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        SearchIndex.from_state(state, list(reversed(episodes)))  # type: ignore[arg-type]


def texts(episodes) -> list[str]:
    return [t for e in episodes for t in (e.raw_title, e.summary, *(s.text for s in e.sections))]


def test_a_reading_index_built_from_a_memo_is_the_same_and_reads_nothing(episodes):
    words = ("資格", "クラウトフロント", "せーじmaker", "どっかー", "ooto sukeeringu", "くーべ")
    alone = ReadingIndex.build(texts(episodes))
    memo = ReadingMemo()
    first = ReadingIndex.build(texts(episodes), memo)
    assert memo.worked > 0
    kept = ReadingMemo.from_state(plain(memo.to_state()))  # type: ignore[arg-type]
    again = ReadingIndex.build(texts(episodes), kept)
    assert kept.worked == 0
    for index in (first, again):
        assert len(index) == len(alone)
        assert [index.alternatives(w) for w in words] == [alone.alternatives(w) for w in words]


def test_a_memo_keeps_only_what_the_last_build_used(episodes):
    memo = ReadingMemo()
    ReadingIndex.build(texts(episodes), memo)
    everything = len(memo)
    ReadingIndex.build(texts(episodes[:3]), memo)
    assert 0 < len(memo) < everything


def test_a_memo_from_another_analyser_is_refused():
    state = ReadingMemo().to_state()
    state["analyser"] = "sudachipy 0.0, sudachidict-core 0"
    with pytest.raises(ValueError):
        ReadingMemo.from_state(state)
