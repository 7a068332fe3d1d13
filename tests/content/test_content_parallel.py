"""A large site is read on several cores with exactly the result of reading it in one."""

from __future__ import annotations

import multiprocessing
import os
import shutil
import threading
from pathlib import Path

import pytest

from bot import parallel
from bot.content import SiteOptions, load_site
from bot.content import loader as content
from bot.models import LoadResult
from paths import FIXTURES_DIR

FIXTURES = FIXTURES_DIR / "content"
OPTIONS = SiteOptions(base_url="https://example.com/show/")


def _site(tmp_path: Path) -> Path:
    """The good fixture site, its notes repeated under new numbers, and the broken notes."""
    root = tmp_path / "content"
    shutil.copytree(FIXTURES / "site", root, symlinks=True)
    for copy in range(1, 4):
        for note in sorted((FIXTURES / "site" / "podcast").glob("00*/index.md")):
            folder = root / "podcast" / f"{copy}{note.parent.name[1:]}"
            folder.mkdir()
            shutil.copyfile(note, folder / "index.md")
    for note in sorted((FIXTURES / "broken" / "podcast").glob("*/index.md")):
        folder = root / "podcast" / f"9{note.parent.name[1:]}"
        folder.mkdir()
        shutil.copyfile(note, folder / "index.md")
    return root


def _everything(result: LoadResult) -> tuple[object, ...]:
    """All of a result, the episodes' ``extra`` (left out of ``==``) included."""
    return (result.episodes, [e.extra for e in result.episodes], result.warnings, result.pages_seen)


@pytest.fixture
def in_parallel(monkeypatch: pytest.MonkeyPatch) -> None:
    """Even a small site is read in worker processes, in many small chunks."""
    monkeypatch.setattr(content, "PARALLEL_MIN_PAGES", 0)
    monkeypatch.setattr(content, "_CHUNK", 4)
    monkeypatch.setattr(parallel, "usable_cores", lambda: 3)
    monkeypatch.setattr(parallel, "only_thread", lambda: True)


def test_a_site_read_in_worker_processes_equals_the_one_read_here(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = _site(tmp_path)
    alone = load_site(site, OPTIONS)
    assert len(alone.episodes) > 50 and alone.warnings  # broken notes are in the mix
    with monkeypatch.context() as patch:
        patch.setattr(content, "PARALLEL_MIN_PAGES", 0)
        patch.setattr(content, "_CHUNK", 4)
        patch.setattr(parallel, "usable_cores", lambda: 3)
        patch.setattr(parallel, "only_thread", lambda: True)
        together = load_site(site, OPTIONS)
    assert _everything(together) == _everything(alone)
    assert multiprocessing.active_children() == []


def test_no_worker_processes_while_other_threads_run(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "usable_cores", lambda: 4)
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert parallel.worker_count() == 0
    finally:
        stop.set()
        other.join()


def test_a_single_core_gets_no_worker_processes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "usable_cores", lambda: 1)
    assert parallel.worker_count() == 0


def test_too_few_chunks_are_done_here() -> None:
    done = parallel.run_chunks(
        CHUNKS[:3], _square_all, _die_on_the_second_chunk, _from_text, min_chunks=4, workers=1
    )
    assert done == SQUARES[:3]


def _square_all(chunk: list[int]) -> list[int]:
    return [n * n for n in chunk]


def _square_all_as_text(chunk: list[int]) -> str:
    return ",".join(str(n * n) for n in chunk)


def _from_text(sent: str) -> list[int]:
    return [int(n) for n in sent.split(",")]


def _die_on_the_second_chunk(chunk: list[int]) -> str:
    if chunk[0] == 10:
        os._exit(3)  # the worker process is gone, as if killed
    return _square_all_as_text(chunk)


def _fail_on_seven(chunk: list[int]) -> list[int]:
    if 7 in chunk:
        raise ValueError("seven is not allowed")
    return _square_all(chunk)


def _fail_on_seven_as_text(chunk: list[int]) -> str:
    return ",".join(str(n) for n in _fail_on_seven(chunk))


CHUNKS = [list(range(start, start + 10)) for start in range(0, 200, 10)]
SQUARES = [_square_all(chunk) for chunk in CHUNKS]


def test_chunks_come_back_in_order_whoever_did_them() -> None:
    done = parallel.run_chunks(
        iter(CHUNKS), _square_all, _square_all_as_text, _from_text, workers=2
    )
    assert done == SQUARES
    assert multiprocessing.active_children() == []


def test_a_worker_that_dies_costs_only_time() -> None:
    done = parallel.run_chunks(CHUNKS, _square_all, _die_on_the_second_chunk, _from_text, workers=1)
    assert done == SQUARES
    assert multiprocessing.active_children() == []


def test_an_error_in_the_work_itself_is_raised_here() -> None:
    with pytest.raises(ValueError, match="seven"):
        parallel.run_chunks(CHUNKS, _fail_on_seven, _fail_on_seven_as_text, _from_text, workers=1)
    assert multiprocessing.active_children() == []


@pytest.mark.usefixtures("in_parallel")
def test_a_note_the_markdown_parser_chokes_on_costs_a_warning(tmp_path: Path) -> None:
    site = _site(tmp_path)
    bad = site / "podcast" / "0777" / "index.md"
    bad.parent.mkdir()
    bad.write_text('---\ntitle: "#777 壊れた記法"\n---\n[`未完のコード\n', encoding="utf-8")
    result = load_site(site, OPTIONS)
    episode = next(e for e in result.episodes if e.path == "podcast/0777/index.md")
    assert episode.number == 777 and episode.references == ()
    reasons = {w.path: w.reason for w in result.warnings}
    assert "the Markdown parser failed" in reasons["podcast/0777/index.md"]
    assert len(result.episodes) > 50


@pytest.mark.parametrize(
    ("files", "cpus"),
    [
        ({"cpu.max": "150000 100000\n"}, 2),
        ({"cpu.max": "100000 100000\n"}, 1),
        ({"cpu.max": "max 100000\n"}, None),
        ({"cpu/cpu.cfs_quota_us": "300000\n", "cpu/cpu.cfs_period_us": "100000\n"}, 3),
        ({"cpu/cpu.cfs_quota_us": "-1\n", "cpu/cpu.cfs_period_us": "100000\n"}, None),
        ({}, None),
    ],
)
def test_a_container_cpu_quota_limits_the_workers(
    tmp_path: Path, files: dict[str, str], cpus: int | None
) -> None:
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    assert parallel.cgroup_cpus(tmp_path) == cpus
    if cpus is not None:
        assert parallel.usable_cores(tmp_path) <= cpus
