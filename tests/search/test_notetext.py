"""Per-note texts of the query path: the Japanese runs a chunk is checked in, kept per
version of a note."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime
from itertools import pairwise

import pytest

from bot.config import BUNDLED_CONTENT
from bot.content import SiteOptions, load_site
from bot.models import Episode, Section
from bot.search import SearchIndex, notetext
from bot.search.notetext import NoteTexts, japanese_runs, whole_text
from bot.search.query import parse_query
from bot.search.textnorm import JA_RUN, fold_kana, kana_pattern

NOTE = Episode(
    path="podcast/1/index.md",
    raw_title="#1 Cloud Runの料金改定",
    title="Cloud Runの料金改定",
    number=1,
    category=None,
    summary="請求Cloud明細、データ・フローとDataflow",
    date=datetime(2024, 1, 1, tzinfo=UTC),
    publish_date=None,
    sections=(Section("ﾊﾞｯｸｱｯﾌﾟ", 1, ("ﾊﾞｯｸｱｯﾌﾟ",), "ばっくあっぷの話 (backup) と　ライブラリー"),),
)


def _found(pattern: str, text: str) -> bool:
    return re.search(pattern, text) is not None


@pytest.mark.parametrize(
    ("chunk", "found"),
    [
        ("料金改定", True),
        ("金改", True),
        ("データフロー", True),  # the ・ goes, as in the whole text
        ("バックアップ", True),  # half-width, and the hiragana spelling too
        ("ライブラリ", True),  # the long vowel mark goes
        ("請求明細", False),  # a Latin word between: not as written
        ("話と", False),  # "(backup) " between them
    ],
)
def test_a_chunk_is_found_in_the_japanese_runs_as_in_the_whole_text(
    chunk: str, found: bool
) -> None:
    pattern = kana_pattern(fold_kana(chunk))
    assert _found(pattern, whole_text(NOTE)) is found
    assert _found(pattern, japanese_runs(NOTE)) is found


def test_every_chunk_of_the_bundled_notes_is_found_the_same_way() -> None:
    """The chunks a query can make of the notes' own words, checked both ways."""
    episodes = load_site(BUNDLED_CONTENT, SiteOptions()).episodes
    assert episodes
    for episode in episodes[:40]:
        whole, runs = whole_text(episode), japanese_runs(episode)
        assert len(runs) < len(whole)
        words = JA_RUN.findall(episode.summary + " " + episode.title)
        # pairs of neighbouring runs too: a chunk that would span what lies between
        words += [a + b for a, b in pairwise(words)]
        for word in words:
            for chunk in parse_query(word).ja:
                pattern = kana_pattern(chunk.text)
                assert _found(pattern, runs) is _found(pattern, whole), (episode.path, word)


def test_note_texts_follow_a_new_version_of_a_note_and_forget_a_removed_one() -> None:
    texts = NoteTexts(capacity=2)
    first = texts.japanese(1, NOTE)
    assert texts.japanese(1, NOTE) is first  # worked out once
    edited = replace(NOTE, summary="新しい要約")
    assert "新しい要約" in texts.japanese(1, edited)
    assert "新しい要約" not in first
    texts.forget(1)
    assert texts.japanese(1, NOTE) == first
    for doc_id in range(5):  # sections: the most recent ``capacity`` are kept
        texts.sections(doc_id, NOTE)
    held = texts.sections(4, NOTE)
    assert texts.sections(4, NOTE) is held


def test_whole_texts_are_kept_for_the_most_recent_notes_and_follow_a_new_version() -> None:
    texts = NoteTexts(capacity=2)
    held = texts.whole(1, NOTE)
    assert held == whole_text(NOTE)
    assert texts.whole(1, NOTE) is held  # worked out once
    edited = replace(NOTE, summary="VS Code")
    assert "vs code" in texts.whole(1, edited)
    again = texts.whole(1, NOTE)
    assert again == held and again is not held  # the edit replaced it
    kept = texts.whole(2, NOTE)
    texts.whole(3, NOTE)  # a third note: the least recent, note 1, is dropped
    assert texts.whole(2, NOTE) is kept
    assert texts.whole(1, NOTE) is not again


def test_an_index_prepared_ahead_checks_chunks_without_normalising_a_note(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    index = SearchIndex.build([NOTE, replace(NOTE, path="podcast/2/index.md", number=2)])
    index.prepare_texts()
    calls: list[str] = []
    real = notetext.japanese_runs
    monkeypatch.setattr(notetext, "japanese_runs", lambda e: calls.append(e.path) or real(e))
    assert [h.episode.number for h in index.search("料金改定").hits] == [2, 1]
    assert calls == []
    index.upsert(replace(NOTE, summary="料金改定の続き"))  # a new version: worked out again
    assert index.search("料金改定").hits
    assert calls == ["podcast/1/index.md"]


def test_preparing_again_after_an_update_works_out_only_the_updated_note(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    episodes = [replace(NOTE, path=f"podcast/{n}/index.md", number=n) for n in range(1, 6)]
    index = SearchIndex.build(episodes)
    assert index.texts_owed == -1  # before the first run: every note
    calls: list[str] = []
    real = notetext.japanese_runs
    monkeypatch.setattr(notetext, "japanese_runs", lambda e: calls.append(e.path) or real(e))
    index.prepare_texts()
    assert len(calls) == 5 and index.texts_owed == 0
    calls.clear()
    index.upsert(replace(episodes[2], summary="料金改定の続き"))
    index.upsert(replace(NOTE, path="podcast/9/index.md", number=9))
    index.remove("podcast/4/index.md")
    assert index.texts_owed == 2
    index.prepare_texts()
    assert sorted(calls) == ["podcast/3/index.md", "podcast/9/index.md"]
    assert index.texts_owed == 0
    calls.clear()
    assert [h.episode.number for h in index.search("料金改定").hits][:1] == [3]
    assert calls == [], "the updated note's text was ready before the query"
