"""The baselines the search benchmarks compare against, fed the same loaded episodes.

- ``fuse``: the site's own search, the Hugo Academic theme's Fuse.js 3.2.1 with the
  theme's options, over an index shaped like the theme's ``index.json``. It runs in
  node (``fuse_search.mjs``): all queries of a run in one process, JSON in, JSON out.
- ``minisearch``: MiniSearch 7, an in-memory inverted index in node
  (``minisearch_search.mjs``), built from the same records as prepared JSON.
- ``wratio``: rapidfuzz ``WRatio`` of the query against each page's whole text
  (``utils.default_process``), pages ranked by that score.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from rapidfuzz import fuzz, process, utils

from bot.models import Episode

BENCH = Path(__file__).resolve().parent
FUSE_SCRIPT = BENCH / "fuse_search.mjs"
MINISEARCH_SCRIPT = BENCH / "minisearch_search.mjs"
NODE_MODULES = BENCH / "node_modules"
_TAGS = re.compile(r"<[^>]+>")


class BaselineUnavailable(RuntimeError):
    """The baseline cannot run here (no node, or fuse.js could not be installed)."""


def plain(text: str) -> str:
    """Hugo's ``plainify | htmlUnescape`` for front matter strings: drop tags."""
    return _TAGS.sub(" ", text).replace("&amp;", "&").strip()


def page_content(episode: Episode) -> str:
    """The page's plain text as Hugo's ``.Plain`` gives it: headings and notes, in order."""
    parts: list[str] = []
    for section in episode.sections:
        if section.heading:
            parts.append(section.heading)
        if section.text:
            parts.append(section.text)
    return "\n".join(parts)


def page_text(episode: Episode) -> str:
    """Everything a reader sees on the page: title, summary, then the notes."""
    return "\n".join(p for p in (episode.raw_title, plain(episode.summary), page_content(episode)))


def academic_index(episodes: Iterable[Episode]) -> list[dict[str, object]]:
    """Records shaped like the Academic theme's ``index.json`` (the fields Fuse searches)."""
    return [
        {
            "id": e.path,
            "title": e.raw_title,
            "summary": plain(e.summary),
            "authors": list(e.authors),
            "content": page_content(e),
            "tags": list(e.tags),
            "categories": list(e.categories),
        }
        for e in episodes
    ]


# -- Fuse.js (node) ------------------------------------------------------------


def node_available() -> bool:
    return shutil.which("node") is not None


def ensure_fuse(package: str = "fuse.js") -> None:
    """Install the pinned node packages with ``npm ci`` when ``package`` is missing."""
    if not node_available():
        raise BaselineUnavailable("node is not installed")
    if (NODE_MODULES / package / "package.json").is_file():
        return
    npm = shutil.which("npm")
    if npm is None:
        raise BaselineUnavailable("npm is not installed")
    done = subprocess.run(
        [npm, "ci", "--no-audit", "--no-fund"], cwd=BENCH, capture_output=True, text=True
    )
    if done.returncode != 0:
        raise BaselineUnavailable(f"npm ci failed: {done.stderr.strip()[-500:]}")


@dataclass(frozen=True, slots=True)
class FuseRun:
    """What one node run reported."""

    results: list[list[str]]  # per query: ids of the first ``limit`` results
    totals: list[int]  # per query: how many results Fuse returned in all
    parse_ms: float  # JSON.parse of the index
    build_ms: float  # new Fuse(...)
    latency_ms: list[float]  # per query
    max_rss_kb: int  # peak RSS of the node process


def run_fuse(
    records: Sequence[dict[str, object]] | Path, queries: Sequence[str], limit: int = 5
) -> FuseRun:
    """Build Fuse over ``records`` (a list, or a JSON file holding it) and run every query."""
    ensure_fuse()
    with tempfile.TemporaryDirectory(prefix="fuse-bench-") as tmp:
        if isinstance(records, Path):
            docs_file = records
        else:
            docs_file = Path(tmp) / "index.json"
            docs_file.write_text(json.dumps(list(records), ensure_ascii=False), encoding="utf-8")
        request = {"docs_file": str(docs_file), "queries": list(queries), "limit": limit}
        done = subprocess.run(
            ["node", str(FUSE_SCRIPT)],
            input=json.dumps(request, ensure_ascii=False),
            capture_output=True,
            text=True,
            encoding="utf-8",
            cwd=BENCH,
        )
    if done.returncode != 0:
        raise BaselineUnavailable(f"fuse_search.mjs failed: {done.stderr.strip()[-800:]}")
    out = json.loads(done.stdout)
    return FuseRun(
        results=out["results"],
        totals=out["totals"],
        parse_ms=out["parse_ms"],
        build_ms=out["build_ms"],
        latency_ms=out["latency_ms"],
        max_rss_kb=out["max_rss_kb"],
    )


# -- MiniSearch (node) ----------------------------------------------------------


def run_minisearch(
    docs_file: Path,
    queries: Sequence[str],
    prefixes: Sequence[str],
    updates: Sequence[str],
    limit: int = 5,
    tokenizer: str = "bigram",
) -> dict[str, object]:
    """Build MiniSearch from ``docs_file`` (academic_index records as JSON), run the
    queries, the prefixes and one-document replacements; what minisearch_search.mjs
    reports (times in ms, ``max_rss_kb`` the node process's peak). ``tokenizer``:
    "bigram" (Japanese runs as character bigrams, like ours) or "default" (MiniSearch's
    own: a Japanese sentence stays one term)."""
    ensure_fuse("minisearch")
    request = {
        "docs_file": str(docs_file),
        "queries": list(queries),
        "prefixes": list(prefixes),
        "updates": list(updates),
        "limit": limit,
        "tokenizer": tokenizer,
    }
    done = subprocess.run(
        ["node", "--max-old-space-size=8192", str(MINISEARCH_SCRIPT)],
        input=json.dumps(request, ensure_ascii=False),
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=BENCH,
    )
    if done.returncode != 0:
        raise BaselineUnavailable(f"minisearch_search.mjs failed: {done.stderr.strip()[-800:]}")
    out: dict[str, object] = json.loads(done.stdout)
    return out


# -- rapidfuzz WRatio ------------------------------------------------------------


class WRatioRanker:
    """Pages ranked by ``fuzz.WRatio(query, page text)``; a score of 0 is no result."""

    def __init__(self, episodes: Iterable[Episode]):
        self.paths: list[str] = []
        self.texts: list[str] = []
        for e in episodes:
            self.paths.append(e.path)
            self.texts.append(page_text(e))

    def search(self, query: str, limit: int = 5) -> list[str]:
        found = process.extract(
            query,
            self.texts,
            scorer=fuzz.WRatio,
            processor=utils.default_process,
            limit=limit,
            score_cutoff=1,
        )
        return [self.paths[index] for _text, _score, index in found]
