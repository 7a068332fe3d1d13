"""The start-up snapshot: a restart reads no unchanged note and answers as a fresh start.

Reads are counted at the loader's ``read_page`` and ``read_note`` (every note a load
parses goes through one of them), or at ``open``; the catalogs are real, on copies of
the bundled sample site, with the snapshot in a tmp folder.
"""

from __future__ import annotations

import builtins
import hashlib
import logging
import os
import shutil
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import msgpack
import numpy as np
import pytest
from paths import ROOT_DIR

from bot.content import SiteOptions
from bot.content import loader as content_loader
from bot.library import snapshot as snapshot_module
from bot.library.catalog import Catalog
from bot.library.snapshot import MAGIC, NOTES, READINGS, load_notes
from bot.search.layer import SemanticLayer
from bot.search.vectors import VectorCache

NOW = datetime(2026, 11, 29, tzinfo=UTC)
SAMPLE = ROOT_DIR / "content"
QUERIES = (
    "Kubeflow",
    "kubeflowの回",
    "Cloud Run",
    "cloudrun",
    "生成AI",
    "セージメーカー",
    "サーバーレス",
    "serverless",
    "量子コンピュータ",
    "Lambdaのコールドスタート",
    "コンテナ",
    "データベース 移行",
    "#16",
    "re:Invent",
    "クバネティス",
    "機械学習の基礎",
    "gcp",
    "東京のおいしいラーメン屋",
)
PREFIXES = ("kube", "#1", "クラ", "se", "")


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """A copy of the bundled sample's content folder."""
    folder = tmp_path / "site" / "content"
    shutil.copytree(SAMPLE, folder)
    return folder


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Every note the loader parses, by path, in order."""
    seen: list[str] = []

    def counted(real: Callable[..., Any]) -> Callable[..., Any]:
        def counting(rel, path, options, zone):  # type: ignore[no-untyped-def]
            seen.append(rel)
            return real(rel, path, options, zone)

        return counting

    monkeypatch.setattr(content_loader, "read_page", counted(content_loader.read_page))
    monkeypatch.setattr(content_loader, "read_note", counted(content_loader.read_note))
    yield seen


def start(site: Path, data: Path | None) -> Catalog:
    """A catalog as the bot builds it at start-up, loaded, reading index built."""
    catalog = Catalog(
        site, SiteOptions(), clock=lambda: NOW, snapshot=data / "snapshot" if data else None
    )
    catalog.load()
    assert catalog.wait_semantic(60)
    return catalog


def answers(catalog: Catalog) -> list[object]:
    out: list[object] = []
    for query in QUERIES:
        result = catalog.search(query, 5)
        out.append(
            (
                query,
                [
                    (h.episode, h.score, h.section.heading if h.section else None, h.snippet)
                    for h in result.hits
                ],
                result.suggestions,
            )
        )
    for prefix in PREFIXES:
        out.append((prefix, [(h.episode.path, h.score) for h in catalog.complete(prefix, 10)]))
    return out


def snapshot_warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.getMessage().startswith("snapshot ")]


# -- a restart -------------------------------------------------------------------


def test_a_restart_reads_no_unchanged_note(site, tmp_path, reads):
    first = start(site, tmp_path / "data")
    assert len(reads) == 48  # every page, the first time
    state = first.snapshot_state
    assert state is not None and state.phase == "written" and state.read == 48
    reads.clear()
    again = start(site, tmp_path / "data")
    assert reads == []
    state = again.snapshot_state
    assert state is not None and state.phase == "used"
    assert (state.reused, state.read) == (48, 0)
    assert len(again.all_episodes) == len(first.all_episodes) == 43


def test_a_first_start_opens_each_note_once(site, tmp_path, monkeypatch):
    """The content hash the snapshot keeps is taken from the bytes parsed, not from a
    second read of the file."""
    opened: Counter[str] = Counter()
    real = builtins.open

    def counting(file, *args, **kwargs):  # type: ignore[no-untyped-def]
        if str(file).startswith(str(site)):
            opened[str(file)] += 1
        return real(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", counting)
    catalog = start(site, tmp_path / "data")
    assert catalog.snapshot_state is not None and catalog.snapshot_state.read == 48
    assert len(opened) == 48 and set(opened.values()) == {1}


def test_a_note_edited_to_the_same_size_is_read_again(site, tmp_path, reads):
    start(site, tmp_path / "data")
    note = site / "podcast" / "0005" / "index.md"
    text = note.read_text(encoding="utf-8")
    assert "Kubeflow" in text
    note.write_text(text.replace("Kubeflow", "Qubeflow"), encoding="utf-8")
    later = note.stat().st_mtime_ns + 5_000_000_000
    os.utime(note, ns=(later, later))
    reads.clear()
    again = start(site, tmp_path / "data")
    assert reads == ["podcast/0005/index.md"]
    assert [h.episode.path for h in again.search("Qubeflow", 5).hits][:1] == [
        "podcast/0005/index.md"
    ]


def test_two_starts_in_a_row_answer_alike_and_as_a_start_without_snapshot(site, tmp_path):
    fresh = answers(start(site, None))
    first = answers(start(site, tmp_path / "data"))
    second = answers(start(site, tmp_path / "data"))
    assert first == fresh
    assert second == first


def test_a_restart_does_no_sudachi_work_for_unchanged_notes(site, tmp_path):
    start(site, tmp_path / "data")
    assert (tmp_path / "data" / "snapshot" / READINGS).is_file()
    again = start(site, tmp_path / "data")
    memo = again.searcher.reading_memo
    assert memo.worked == 0 and len(memo) > 0
    assert again.searcher.readings is not None and len(again.searcher.readings) > 0


def test_a_touched_but_unchanged_note_is_hashed_not_read(site, tmp_path, reads):
    start(site, tmp_path / "data")
    note = site / "podcast" / "0005" / "index.md"
    later = note.stat().st_mtime_ns + 5_000_000_000
    os.utime(note, ns=(later, later))
    reads.clear()
    start(site, tmp_path / "data")
    assert reads == []


def test_changed_added_removed_and_renamed_notes_are_picked_up(site, tmp_path, reads):
    start(site, tmp_path / "data")
    changed = site / "podcast" / "0005" / "index.md"
    changed.write_text(
        changed.read_text(encoding="utf-8").replace("Kubeflow", "Zyxwvuflow"), encoding="utf-8"
    )
    added = site / "podcast" / "9999" / "index.md"
    added.parent.mkdir()
    added.write_text(
        '---\ntitle: "#9999 Quokkabase入門"\ndate: 2026-01-05T10:00:00+09:00\n---\n\n'
        '<iframe src="https://anchor.fm/show/embed/episodes/ep9999-abc"></iframe>\n\n'
        "## Quokkabase\n\nQuokkabaseの話。\n",
        encoding="utf-8",
    )
    shutil.rmtree(site / "podcast" / "0009")
    (site / "podcast" / "0006").rename(site / "podcast" / "0106")
    reads.clear()
    again = start(site, tmp_path / "data")
    assert sorted(reads) == [
        "podcast/0005/index.md",
        "podcast/0106/index.md",
        "podcast/9999/index.md",
    ]
    assert again.snapshot_state is not None and again.snapshot_state.read == 3
    paths = {e.path for e in again.all_episodes}
    assert "podcast/0009/index.md" not in paths and "podcast/0006/index.md" not in paths
    assert {"podcast/0106/index.md", "podcast/9999/index.md"} <= paths
    assert again.search("Zyxwvuflow").hits[0].episode.path == "podcast/0005/index.md"
    assert again.search("Quokkabase").hits[0].episode.path == "podcast/9999/index.md"
    assert all(h.episode.path != "podcast/0009/index.md" for h in again.search("Kubeflow").hits)
    # the same answers as a start that never saw a snapshot, and the next start reads none
    assert answers(again) == answers(start(site, None))
    reads.clear()
    third = start(site, tmp_path / "data")
    assert reads == [] and answers(third) == answers(again)


def test_bad_notes_keep_their_warnings_across_restarts(site, tmp_path):
    (site / "podcast" / "0005" / "index.md").write_text("---\ntitle: [broken\n---\n", "utf-8")
    copy = site / "podcast" / "0007" / "index.md"
    twin = site / "podcast" / "0707" / "index.md"
    twin.parent.mkdir()
    shutil.copy(copy, twin)  # one number, two notes
    first = start(site, tmp_path / "data")
    assert any(w.path == "podcast/0005/index.md" for w in first.warnings)
    assert any(w.path == "podcast/0707/index.md" for w in first.warnings)
    again = start(site, tmp_path / "data")
    assert again.snapshot_state is not None and again.snapshot_state.read == 0
    assert again.warnings == first.warnings
    assert again.last_load is not None and first.last_load is not None
    assert again.last_load.warnings == first.last_load.warnings
    assert [e.number for e in again.by_number(7)] == [e.number for e in first.by_number(7)]
    assert answers(again) == answers(first)


# -- a snapshot that cannot be used ----------------------------------------------------


def _items(path: Path) -> list:
    unpacker = msgpack.Unpacker(raw=False, max_buffer_size=1 << 30)
    unpacker.feed(path.read_bytes()[snapshot_module._HEAD :])
    return list(unpacker)


def _reseal(path: Path, items: list) -> None:
    """Write ``items`` as a well-sealed file: only what they say can be wrong."""
    data = b"".join(msgpack.packb(item, use_bin_type=True) for item in items)
    digest = hashlib.blake2b(data, digest_size=16).digest()
    path.write_bytes(MAGIC + snapshot_module._SEAL.pack(len(data), digest) + data)


def _rewrite_header(path: Path, change: Callable[[dict], None]) -> None:
    header, *rest = _items(path)
    change(header)
    _reseal(path, [header, *rest])


def corrupt(path: Path) -> None:
    data = bytearray(path.read_bytes())
    middle = len(data) // 2
    data[middle : middle + 64] = b"\xc1" * 64  # never valid MessagePack
    path.write_bytes(bytes(data))


def truncated(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 3])


def foreign(path: Path) -> None:
    path.write_bytes(b"SQLite format 3\x00" + os.urandom(4000))


def empty(path: Path) -> None:
    path.write_bytes(b"")


def future_version(path: Path) -> None:
    _rewrite_header(path, lambda h: h.update(format=snapshot_module.FORMAT + 1))


def older_format(path: Path) -> None:
    _rewrite_header(path, lambda h: h.update(format=snapshot_module.FORMAT - 1))


def older_code(path: Path) -> None:
    _rewrite_header(path, lambda h: h["key"].update(code="0" * 32))


def other_settings(path: Path) -> None:
    _rewrite_header(path, lambda h: h["key"].update(options=["https://elsewhere/", [], "UTC", 1]))


def valid_header_bad_body(path: Path) -> None:
    """Well-sealed, with the right header, but items that are not ours."""
    header, *_ = _items(path)
    _reseal(path, [header, 0.0, 1, [1, 2, 3], {}, []])


def missing_items(path: Path) -> None:
    header, *rest = _items(path)
    _reseal(path, [header, *rest[:-2]])


DAMAGE = [
    corrupt,
    truncated,
    foreign,
    empty,
    future_version,
    older_format,
    older_code,
    other_settings,
    valid_header_bad_body,
    missing_items,
]


@pytest.mark.parametrize("damage", DAMAGE, ids=lambda f: f.__name__)
def test_an_unusable_snapshot_is_rebuilt_with_one_warning(site, tmp_path, caplog, damage, reads):
    data = tmp_path / "data"
    good = answers(start(site, data))
    notes = data / "snapshot" / NOTES
    damage(notes)
    reads.clear()
    with caplog.at_level(logging.WARNING):
        again = start(site, data)
    warned = [m for m in snapshot_warnings(caplog) if NOTES in m]
    assert len(warned) == 1, warned
    assert str(notes) in warned[0]
    assert len(reads) == 48  # all read again
    assert again.snapshot_state is not None and again.snapshot_state.phase == "written"
    assert answers(again) == good
    reads.clear()
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        third = start(site, data)  # rebuilt: used again, silently
    assert reads == [] and snapshot_warnings(caplog) == []
    assert answers(third) == good


@pytest.mark.parametrize("damage", [corrupt, truncated, future_version, older_code])
def test_an_unusable_readings_file_is_rebuilt_with_one_warning(site, tmp_path, caplog, damage):
    data = tmp_path / "data"
    good = answers(start(site, data))
    readings = data / "snapshot" / READINGS
    damage(readings)
    with caplog.at_level(logging.WARNING):
        again = start(site, data)
    warned = [m for m in snapshot_warnings(caplog) if READINGS in m]
    assert len(warned) == 1 and str(readings) in warned[0]
    assert again.searcher.reading_memo.worked > 0
    assert answers(again) == good
    assert start(site, data).searcher.reading_memo.worked == 0


def test_a_snapshot_of_an_older_code_version_is_ignored(site, tmp_path, monkeypatch, caplog):
    data = tmp_path / "data"
    monkeypatch.setattr(snapshot_module, "code_version", lambda: "an older version")
    start(site, data)
    monkeypatch.undo()
    with caplog.at_level(logging.WARNING):
        again = start(site, data)
    warned = [m for m in snapshot_warnings(caplog) if NOTES in m]
    assert len(warned) == 1 and "another version of the code" in warned[0]
    assert again.snapshot_state is not None and again.snapshot_state.read == 48


def test_a_snapshot_of_another_content_folder_is_not_used(site, tmp_path, reads):
    data = tmp_path / "data"
    start(site, data)
    other = tmp_path / "other" / "content"
    shutil.copytree(site, other)
    reads.clear()
    start(other, data)
    assert len(reads) == 48


def test_a_snapshot_that_cannot_be_written_never_stops_a_start(site, tmp_path, caplog):
    blocker = tmp_path / "data"
    blocker.write_text("a file where the data folder should be", encoding="utf-8")
    with caplog.at_level(logging.WARNING):
        catalog = start(site, blocker)
    assert catalog.search("Kubeflow").hits
    assert any("could not write the snapshot" in r.getMessage() for r in caplog.records)
    assert catalog.snapshot_state is not None and catalog.snapshot_state.phase == "ignored"


def test_check_reads_through_the_snapshot_without_writing_it(site, tmp_path):
    folder = tmp_path / "data" / "snapshot"
    result, state = load_notes(folder, site, SiteOptions())
    assert state.phase == "absent" and not folder.exists()
    start(site, tmp_path / "data")
    again, state = load_notes(folder, site, SiteOptions())
    assert state.phase == "used" and (state.reused, state.read) == (48, 0)
    assert again.episodes == result.episodes and again.warnings == result.warnings


def test_what_a_load_made_is_frozen_out_of_later_collections(site, tmp_path):
    """No full collection on a live request walks the episodes and index just loaded."""
    import gc

    gc.unfreeze()
    catalog = start(site, tmp_path / "data")
    frozen = gc.get_freeze_count()
    episode = catalog.all_episodes[0]
    assert frozen > 10 * len(catalog.all_episodes)
    assert gc.is_tracked(episode)
    gc.collect()  # a full collection: the episode is not among what it walks
    assert all(episode is not o for o in gc.get_objects())


class CountingEmbedder:
    """A tiny deterministic embedder that remembers what it was asked to embed."""

    model_id = "test-counting-1"
    dim = 16

    def __init__(self) -> None:
        self.embedded: list[str] = []

    def _vector(self, text: str) -> np.ndarray:
        v = np.ones(self.dim, dtype=np.float32)
        for i, ch in enumerate(text[:200]):
            v[(ord(ch) + i) % self.dim] += 1.0
        return v / np.linalg.norm(v)

    def passages(self, texts: Sequence[str]) -> np.ndarray:
        self.embedded.extend(texts)
        return np.stack([self._vector(t) for t in texts])

    def query(self, text: str) -> np.ndarray:
        return self._vector(text)


def test_a_warm_restart_embeds_nothing(site, tmp_path):
    """The snapshot's embedding part is DATA_DIR/vectors.db: episodes restored from the
    snapshot give the same passages, all found there."""
    data = tmp_path / "data"
    embedders = []
    for _ in range(2):
        embedder = CountingEmbedder()
        embedders.append(embedder)
        layer = SemanticLayer(lambda e=embedder: e, VectorCache(data / "vectors.db"))
        catalog = Catalog(
            site, SiteOptions(), clock=lambda: NOW, semantic=layer, snapshot=data / "snapshot"
        )
        catalog.load()
        assert catalog.wait_semantic(60)
        assert layer.state.phase == "ready"
    assert embedders[0].embedded and embedders[1].embedded == []
    assert catalog.snapshot_state is not None and catalog.snapshot_state.read == 0


def test_a_retargeted_catalog_keeps_its_snapshot_for_the_new_folder(site, tmp_path, reads):
    data = tmp_path / "data"
    other = tmp_path / "checkout" / "content"
    shutil.copytree(site, other)
    start(other, data)
    catalog = Catalog(
        tmp_path / "nowhere", SiteOptions(), clock=lambda: NOW, snapshot=data / "snapshot"
    )
    catalog.retarget(other)  # a git source's first checkout
    reads.clear()
    catalog.load()
    assert reads == [] and catalog.snapshot_state is not None
    assert catalog.snapshot_state.reused == 48
