"""The catalog: the live episode set every front end reads, refreshed note by note."""

import gc
from datetime import UTC, datetime
from pathlib import Path

from bot.content import SiteOptions
from bot.content import loader as content
from bot.library import upkeep
from bot.library.catalog import Catalog

NOW = datetime(2026, 11, 29, tzinfo=UTC)


def note(number: int, topic: str, date: str, *, extra: str = "") -> str:
    return f"""---
title: "#{number} 【AWS】{topic}"
summary: "{topic}について話したよ。"
date: {date}
publishDate: {date}
{extra}---

<iframe src="https://anchor.fm/show/embed/episodes/ep{number}-abc123"></iframe>

## {topic}の概要

{topic}の話をしました。[公式](https://example.com/{number})
"""


def write(root: Path, number: int, text: str) -> str:
    rel = f"podcast/{number:04d}/index.md"
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return rel


def make_catalog(root: Path) -> Catalog:
    return Catalog(root, SiteOptions(), clock=lambda: NOW)


def test_unpublished_episodes_are_kept_but_never_listed(tmp_path):
    write(tmp_path, 1, note(1, "Lambda", "2026-01-01T10:00:00+09:00"))
    write(tmp_path, 2, note(2, "Fargate", "2026-02-01T10:00:00+09:00", extra="draft: true\n"))
    write(tmp_path, 3, note(3, "Outposts", "2030-01-01T10:00:00+09:00"))
    catalog = make_catalog(tmp_path)
    catalog.load()
    assert {e.number for e in catalog.all_episodes} == {1, 2, 3}
    assert [e.number for e in catalog.latest(10)] == [1]
    assert catalog.by_number(2) == []
    assert catalog.by_number(1)[0].title == "【AWS】Lambda"


def test_latest_is_newest_first_and_counted(tmp_path):
    for n, month in ((1, "01"), (2, "03"), (3, "02")):
        write(tmp_path, n, note(n, f"topic{n}", f"2026-{month}-01T10:00:00+09:00"))
    catalog = make_catalog(tmp_path)
    catalog.load()
    assert [e.number for e in catalog.latest(2)] == [2, 3]
    assert catalog.latest(0) == []


def test_refresh_adds_changes_and_removes_single_notes(tmp_path):
    write(tmp_path, 1, note(1, "Lambda", "2026-01-01T10:00:00+09:00"))
    catalog = make_catalog(tmp_path)
    catalog.load()

    rel = write(tmp_path, 2, note(2, "Kinesis", "2026-02-01T10:00:00+09:00"))
    change = catalog.refresh([rel])
    assert [e.number for e in change.added] == [2]
    assert catalog.search("Kinesis").hits[0].episode.number == 2

    write(tmp_path, 2, note(2, "Kinesis Firehose", "2026-02-01T10:00:00+09:00"))
    change = catalog.refresh([rel])
    assert [e.title for e in change.changed] == ["【AWS】Kinesis Firehose"]
    assert not change.added

    assert not catalog.refresh([rel]), "re-reading an unchanged note changes nothing"

    (tmp_path / rel).unlink()
    change = catalog.refresh([rel])
    assert change.removed == (rel,)
    assert catalog.by_path(rel) is None
    assert all(h.episode.path != rel for h in catalog.search("Kinesis").hits)


def test_the_reading_index_follows_each_refreshed_note_without_a_rebuild(tmp_path, monkeypatch):
    builds: list[object] = []  # the memo of each build (other tests' catalogs may build too)
    real = upkeep.ReadingIndex.build

    def counting(texts, memo=None):  # type: ignore[no-untyped-def]
        builds.append(memo)
        return real(texts, memo)

    monkeypatch.setattr(upkeep.ReadingIndex, "build", counting)
    write(tmp_path, 1, note(1, "Lambda", "2026-01-01T10:00:00+09:00"))
    catalog = make_catalog(tmp_path)
    catalog.load()
    assert catalog.wait_semantic(60)
    mine = catalog.searcher.reading_memo
    assert builds.count(mine) == 1
    assert catalog.search("記者").hits == ()  # no note says 汽車 (or 記者) yet

    rel = write(tmp_path, 2, note(2, "汽車", "2026-02-01T10:00:00+09:00"))
    catalog.refresh([rel])
    assert catalog.wait_semantic(60)
    assert [h.episode.path for h in catalog.search("記者").hits] == [rel]  # read as 汽車

    write(tmp_path, 2, note(2, "視覚", "2026-02-01T10:00:00+09:00"))
    catalog.refresh([rel])
    assert catalog.wait_semantic(60)
    assert catalog.searcher.readings is not None
    assert catalog.searcher.readings.alternatives("記者") == []  # the old word is gone
    assert [h.episode.path for h in catalog.search("資格").hits] == [rel]

    (tmp_path / rel).unlink()
    catalog.refresh([rel])
    assert catalog.wait_semantic(60)
    assert catalog.searcher.readings.alternatives("資格") == []
    assert catalog.search("資格").hits == ()
    assert builds.count(mine) == 1, "a refresh updates the reading index, not rebuilds it"


def test_the_background_after_a_refresh_works_on_that_note_not_on_every_note(tmp_path):
    for n in range(1, 6):
        write(tmp_path, n, note(n, f"topic{n}", f"2026-0{n}-01T10:00:00+09:00"))
    catalog = make_catalog(tmp_path)
    search = catalog.searcher
    walked: list[str] = []  # what the background prepares for the name rules
    real_names = search.prepare_names
    search.prepare_names = lambda eps: real_names(walked.extend(e.path for e in eps) or eps)  # type: ignore[method-assign]
    spoken: list[tuple[str, ...]] = []
    real_speakers = search.set_speakers
    search.set_speakers = lambda names: real_speakers(spoken.append(tuple(names)) or names)  # type: ignore[method-assign]
    catalog.load()
    assert catalog.wait_semantic(60)
    assert sorted(walked) == sorted(e.path for e in catalog.all_episodes)
    walked.clear()
    spoken.clear()

    rel = write(tmp_path, 3, note(3, "topic3 と Kinesis", "2026-03-01T10:00:00+09:00"))
    catalog.refresh([rel])
    assert catalog.wait_semantic(60)
    assert walked == [rel]
    assert spoken == [], "the same speakers: not handed to the search again"
    assert catalog._index.texts_owed == 0  # type: ignore[attr-defined]
    assert catalog.search("Kinesis").hits[0].episode.path == rel

    rel = write(
        tmp_path, 4, note(4, "topic4", "2026-04-01T10:00:00+09:00").replace("について", "を加藤が")
    )
    write(
        tmp_path, 5, note(5, "topic5", "2026-05-01T10:00:00+09:00").replace("について", "を加藤が")
    )
    catalog.refresh([rel, "podcast/0005/index.md"])
    assert catalog.wait_semantic(60)
    assert spoken[-1:] == [("加藤",)], "a new speaker is handed to the search at once"


def test_what_the_reading_build_made_is_not_walked_by_later_collections(tmp_path):
    write(tmp_path, 1, note(1, "Lambda", "2026-01-01T10:00:00+09:00"))
    catalog = make_catalog(tmp_path)
    catalog.load()
    assert catalog.wait_semantic(60)
    readings = catalog.searcher.readings
    assert readings is not None and gc.is_tracked(readings)
    # frozen: in the permanent generation, which no collection walks
    assert all(o is not readings for o in gc.get_objects())


def test_a_refresh_settles_a_shared_number_as_a_full_load_does(tmp_path):
    write(tmp_path, 1, note(1, "Lambda", "2026-01-01T10:00:00+09:00"))
    write(tmp_path, 2, note(2, "Kinesis", "2026-02-01T10:00:00+09:00"))
    write(tmp_path, 3, note(3, "Fargate", "2026-03-01T10:00:00+09:00"))
    catalog = make_catalog(tmp_path)
    catalog.load()

    def as_loaded() -> Catalog:
        fresh = make_catalog(tmp_path)
        fresh.load()
        return fresh

    rel = write(tmp_path, 2, note(1, "Kinesis", "2026-02-01T10:00:00+09:00"))  # takes #1
    catalog.refresh([rel])
    assert [e.path for e in catalog.by_number(1)] == ["podcast/0001/index.md"]
    assert [w.path for w in catalog.warnings] == [rel]
    assert catalog.warnings == as_loaded().warnings
    write(tmp_path, 2, note(2, "Kinesis", "2026-02-01T10:00:00+09:00"))  # and gives it back
    catalog.refresh([rel])
    assert catalog.warnings == ()
    assert [e.path for e in catalog.by_number(2)] == [rel]
    (tmp_path / "podcast/0001/index.md").unlink()
    rel3 = write(tmp_path, 3, note(2, "Fargate", "2026-03-01T10:00:00+09:00"))  # #2 again
    catalog.refresh(["podcast/0001/index.md", rel3])
    assert [e.path for e in catalog.by_number(2)] == [rel]  # the one that had it first
    assert [w.path for w in catalog.warnings] == [rel3]


def test_search_hides_unpublished_episodes(tmp_path):
    write(tmp_path, 1, note(1, "Lambda", "2026-01-01T10:00:00+09:00"))
    write(tmp_path, 2, note(2, "Outposts", "2030-01-01T10:00:00+09:00"))
    catalog = make_catalog(tmp_path)
    catalog.load()
    assert catalog.search("Outposts").hits == ()
    assert all(h.episode.number != 2 for h in catalog.complete("Out"))


def test_a_broken_note_warns_until_it_is_fixed(tmp_path):
    rel = write(tmp_path, 1, "---\ntitle: [unclosed\n---\nbody\n")
    catalog = make_catalog(tmp_path)
    catalog.load()
    assert [w.path for w in catalog.warnings] == [rel]

    write(tmp_path, 1, note(1, "Lambda", "2026-01-01T10:00:00+09:00"))
    change = catalog.refresh([rel])
    assert [e.number for e in change.added] == [1]
    assert catalog.warnings == ()


def test_a_blog_post_is_judged_against_the_episodes_held(tmp_path, monkeypatch):
    write(tmp_path, 1, note(1, "Lambda", "2026-01-01T10:00:00+09:00"))
    catalog = make_catalog(tmp_path)
    catalog.load()
    post = tmp_path / "post" / "gear.md"
    post.parent.mkdir()
    post.write_text(
        '---\ntitle: "機材の話"\n---\n'
        '<iframe src="https://anchor.fm/show/embed/episodes/ep1-abc123"></iframe>\n',
        encoding="utf-8",
    )
    read: list[str] = []
    real = content.read_page
    monkeypatch.setattr(content, "read_page", lambda rel, *a: read.append(rel) or real(rel, *a))
    assert not catalog.refresh(["post/gear.md"]), "it shows #1, not a new episode"
    assert read == ["post/gear.md"], "the podcast section was not read again"
    post.write_text(post.read_text().replace("ep1-abc123", "special-xyz789"), encoding="utf-8")
    change = catalog.refresh(["post/gear.md"])
    assert [e.path for e in change.added] == ["post/gear.md"]
