"""The benchmark scripts still run: tiny inputs, structure only, never timings.

Each script runs as a user would start it (``python bench/...``) on a small generated
site. The Fuse.js baseline needs node (and fuse.js from npm); without them those
checks skip.
"""

from __future__ import annotations

import csv
import json
import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from paths import ROOT_DIR

ROOT = ROOT_DIR
BENCH = ROOT / "bench"
CLASSES = {
    "number",
    "name",
    "partial",
    "typo",
    "width",
    "kana",
    "katakana",
    "question",
    "minor",
    "negative",
}
HAS_NODE = shutil.which("node") is not None


def run(*args: str | Path) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [sys.executable, *map(str, args)], capture_output=True, text=True, cwd=ROOT, timeout=300
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done


@pytest.fixture(scope="module")
def tiny_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("synth")
    run(BENCH / "synth.py", out, "--episodes", "12", "--seed", "3")
    return out / "content"


def title_of(note: Path) -> str:
    match = re.search(r'^title: "(.*)"$', note.read_text(encoding="utf-8"), re.MULTILINE)
    assert match, note
    return match.group(1)


def test_synth_writes_numbered_notes_with_a_player(tiny_site: Path) -> None:
    notes = sorted(tiny_site.glob("podcast/*/index.md"))
    assert [n.parent.name for n in notes] == [f"{i:05d}" for i in range(1, 13)]
    assert all("anchor.fm" in n.read_text(encoding="utf-8") for n in notes)
    assert title_of(notes[2]).startswith("#3 ")


def test_synth_is_deterministic(tmp_path: Path, tiny_site: Path) -> None:
    run(BENCH / "synth.py", tmp_path, "--episodes", "3", "--seed", "3")
    for rel in ("podcast/00001/index.md", "podcast/00003/index.md"):
        assert (tmp_path / "content" / rel).read_bytes() == (tiny_site / rel).read_bytes()


def write_queries(path: Path) -> None:
    path.write_text(
        "class\tquery\texpected\tnote\n"
        "number\t#3\tpodcast/00003/index.md\t\n"
        "number\t第5回\tpodcast/00005/index.md\t\n"
        "negative\t寿司の握り方\t\t\n"
        "negative\tRust borrow checker\t\t\n",
        encoding="utf-8",
    )


def quality(tiny_site: Path, tmp_path: Path, engines: str) -> dict:
    queries = tmp_path / "q.tsv"
    write_queries(queries)
    done = run(
        BENCH / "quality.py", "--content", tiny_site, "--queries", queries, "--engines", engines,
        "--json",
    )  # fmt: skip
    return json.loads(done.stdout)


def test_quality_scores_ours_and_wratio_per_class(tiny_site: Path, tmp_path: Path) -> None:
    report = quality(tiny_site, tmp_path, "ours,wratio")
    (only,) = report["sets"]
    assert only["queries"] == 4 and only["pages"] == 12 and only["problems"] == []
    for engine in ("ours", "wratio"):
        result = only["engines"][engine]
        assert set(result["classes"]) == {"number", "negative"}
        assert result["classes"]["number"]["n"] == 2
        for scores in [*result["classes"].values(), result["overall"]]:
            assert all(0.0 <= scores[k] <= 1.0 for k in ("top1", "hit3", "mrr"))
        assert isinstance(result["target"]["pass"], bool)
        assert all(f["query"] for f in result["failures"])


def test_quality_prints_markdown_tables_with_the_target(tiny_site: Path, tmp_path: Path) -> None:
    queries = tmp_path / "q.tsv"
    write_queries(queries)
    done = run(
        BENCH / "quality.py", "--content", tiny_site, "--queries", queries,
        "--engines", "ours,wratio", "--failures",
    )  # fmt: skip
    assert "| class | n | ours top-1 |" in done.stdout
    assert "| **overall** | 4 |" in done.stdout
    assert re.search(r"- ours: (PASS|FAIL)", done.stdout)


@pytest.mark.skipif(not HAS_NODE, reason="node is not installed")
def test_quality_runs_the_fuse_baseline(tiny_site: Path, tmp_path: Path) -> None:
    result = quality(tiny_site, tmp_path, "fuse")["sets"][0]["engines"]["fuse"]
    if "error" in result:
        pytest.skip(f"Fuse.js baseline unavailable here: {result['error']}")
    assert result["classes"]["negative"]["n"] == 2


def test_speed_reports_every_figure(tmp_path: Path) -> None:
    engines = "ours,wratio,fuse,minisearch" if HAS_NODE else "ours,wratio"
    done = run(
        BENCH / "speed.py", "--episodes", "15", "--queries", "6", "--prefixes", "6",
        "--updates", "2", "--baseline-queries", "2", "--engines", engines,
        "--rounds", "1", "--out", tmp_path, "--json",
    )  # fmt: skip
    report = json.loads(done.stdout)
    assert report["meta"]["pages"] == 15
    ours = report["engines"]["ours"]
    assert ours["pages"] == 15
    assert (ours["query_n"], ours["prefix_n"], ours["update_n"]) == (6, 6, 2)
    for key in ("parse_s", "index_s", "full_s", "query_p99", "prefix_p99", "peak_rss_mb"):
        assert ours[key] >= 0
    assert 0 < ours["update_cpu_median"] <= ours["update_cpu_p99"]
    assert report["engines"]["wratio"]["query_n"] == 2
    if "fuse" in report["engines"] and "error" not in report["engines"]["fuse"]:
        assert report["engines"]["fuse"]["query_n"] == 2
    mini = report["engines"].get("minisearch", {"error": "not run"})
    if "error" not in mini:  # the same queries, prefixes and updates as ours
        assert (mini["query_n"], mini["prefix_n"], mini["update_n"]) == (6, 6, 2)
        assert mini["peak_rss_mb"] > 0
    # the edited notes are restored, so the cached site stays what the seed says
    assert not list(tmp_path.glob("run-*"))
    assert "追記" not in "".join(
        p.read_text(encoding="utf-8") for p in tmp_path.glob("synth-*/content/podcast/*/index.md")
    )


@pytest.mark.parametrize("name", ["corpus.tsv", "sample.tsv"])
def test_query_files_cover_every_class(name: str) -> None:
    path = BENCH / "queries" / name
    if not path.is_file():
        pytest.skip(f"{name} not written yet")
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))
    assert rows[0][:4] == ["class", "query", "expected", "note"]
    body = [r for r in rows[1:] if any(r)]
    counts = Counter(r[0] for r in body)
    assert set(counts) == CLASSES
    assert len(body) >= 150 and min(counts.values()) >= 12 and counts["negative"] >= 20
    for row in body:
        assert row[1].strip(), row
        assert (row[0] == "negative") == (row[2].strip() == ""), row
        assert all(p.endswith(".md") for p in row[2].split("|") if p), row


def test_soak_counts_announcements_rss_and_stalls() -> None:
    report = json.loads(run(BENCH / "soak.py", "--hours", "6", "--json").stdout)
    assert report["hours"] == 6 and report["expected"] == report["made"] > 0
    assert report["exactly_once"] and report["wrong"] == []
    assert report["rss_start_kib"] > 0 and report["rss_end_kib"] > 0
    assert report["stalls_over_100ms"] >= 0 and report["feed_requests"] > 0
    assert report["callbacks"] > 0 and report["holds_bot"] >= 0  # the loop probe ran
