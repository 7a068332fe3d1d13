"""Speed and memory of the semantic layer (issue: search that understands meaning).

    python bench/semantic_speed.py [--episodes 1000] [--queries 200] [--corpus] [--data DIR]
                                   [--threads 2]

On a synthetic site (``bench/synth.py``, cached under bench/out/) it measures, in this
process, with a fresh vector cache (or, with ``--data DIR``, the data folder of an
earlier run, kept: its first build is then warm, and a second run costs minutes, not
the first embedding's half hour):

- the first semantic build: passages, seconds, passages a second, and the memory the
  model and vectors add (VmRSS before the layer and after it is ready);
- a restart with the warm cache: a new catalog on the same site and cache, from
  ``load()`` until the semantic index is ready;
- ``Catalog.search`` over the synthetic query mix, query embedding included (median,
  p99), against the lexical engine alone on the same queries (the ratio), in wall
  clock and in the CPU time of the query's own thread (``time.thread_time``: what the
  query costs with the machine's other load taken out);
- with ``--corpus``, the first embedding of the real notes in ../shared/corpus.

It prints a Markdown table; the figures for a 10,000-episode site are extrapolated
from the measured throughput (passages scale with episodes).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import synth  # noqa: E402
from bench.speed import OUT, ensure_site  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.library.catalog import Catalog  # noqa: E402
from bot.search.semantic import passages_of  # noqa: E402


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def timed(fn, items) -> tuple[list[float], list[float]]:  # type: ignore[no-untyped-def]
    """Wall-clock and own-thread CPU milliseconds of ``fn`` on each item."""
    wall, cpu = [], []
    for item in items:
        start, start_cpu = time.perf_counter(), time.thread_time()
        fn(item)
        cpu.append((time.thread_time() - start_cpu) * 1000)
        wall.append((time.perf_counter() - start) * 1000)
    return wall, cpu


def spread(values: list[float]) -> str:
    return f"{statistics.median(values):.1f} / {p99(values):.1f} ms"


def p99(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


def first_build(content: Path, data: Path, threads: int) -> tuple[Catalog, dict[str, float]]:
    settings = Settings(
        content_dir=content, data_dir=data, watch_content=False, semantic_threads=threads
    )
    before = rss_mb()
    catalog = Catalog.from_settings(settings)
    start = time.perf_counter()
    catalog.load()
    loaded = time.perf_counter() - start
    lexical_rss = rss_mb()
    while catalog.searcher.semantic is None and not catalog.wait_semantic(0.05):
        pass  # the vectors come first, then the reading index in the same thread
    took = time.perf_counter() - start
    semantic_rss = rss_mb()
    catalog.wait_semantic()
    passages = sum(len(passages_of(e)) for e in catalog.all_episodes)
    return catalog, {
        "passages": passages,
        "load_s": loaded,
        "first_semantic_s": took,
        "passages_per_s": passages / max(took - loaded, 1e-9),
        "rss_lexical_mb": lexical_rss - before,
        "rss_added_mb": semantic_rss - lexical_rss,
        "rss_readings_mb": rss_mb() - semantic_rss,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--episodes", type=int, default=1000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--corpus", action="store_true", help="also the real notes")
    parser.add_argument(
        "--threads", type=int, default=2, help="embedding threads (SEMANTIC_THREADS)"
    )
    parser.add_argument(
        "--data", type=Path, help="data folder to keep (vectors, snapshot) between runs"
    )
    args = parser.parse_args(argv)
    content = ensure_site(OUT, args.episodes, args.seed)
    data = args.data or Path(tempfile.mkdtemp(prefix="semantic-bench-"))
    data.mkdir(parents=True, exist_ok=True)
    try:
        catalog, first = first_build(content, data, args.threads)
        state = catalog.semantic_state
        queries = synth.query_mix(args.episodes, args.seed, args.queries)
        catalog.search(queries[0], 5)  # the model's first query pays its page-ins
        hybrid, hybrid_cpu = timed(lambda q: catalog.search(q, 5), queries)
        lexical, lexical_cpu = timed(lambda q: catalog.searcher.lexical.search(q, 5), queries)
        start = time.perf_counter()
        again = Catalog.from_settings(Settings(content_dir=content, data_dir=data))
        again.load()
        while again.searcher.semantic is None and not again.wait_semantic(0.05):
            pass
        restart_semantic = time.perf_counter() - start
        again.wait_semantic()
        restart = time.perf_counter() - start
        corpus_s = None
        if args.corpus:
            from bench.corpus_layout import lay_out_corpus

            site = lay_out_corpus()
            if site is not None:
                fresh = Path(tempfile.mkdtemp(prefix="semantic-corpus-"))
                _, figures = first_build(site, fresh, args.threads)
                corpus_s = (figures["first_semantic_s"], figures["passages"])
                shutil.rmtree(fresh, ignore_errors=True)
                shutil.rmtree(site, ignore_errors=True)
    finally:
        if args.data is None:
            shutil.rmtree(data, ignore_errors=True)
    ten_k = first["passages"] * 10_000 / args.episodes
    rows = [
        ("episodes / passages", f"{args.episodes} / {first['passages']:.0f}"),
        ("semantic layer", state),
        ("first semantic build", f"{first['first_semantic_s']:.1f} s"),
        ("embedding throughput", f"{first['passages_per_s']:.1f} passages/s"),
        ("memory added by model + vectors", f"{first['rss_added_mb']:.0f} MB"),
        ("memory added next by the reading index (Sudachi)", f"{first['rss_readings_mb']:.0f} MB"),
        (
            "restart with warm cache: load until the semantic index answers",
            f"{restart_semantic:.2f} s",
        ),
        ("restart with warm cache: until the reading index is built too", f"{restart:.2f} s"),
        ("/search median / p99 (with query embedding), wall clock", spread(hybrid)),
        ("/search median / p99 (with query embedding), CPU of its thread", spread(hybrid_cpu)),
        ("lexical alone median / p99, wall clock", spread(lexical)),
        ("lexical alone median / p99, CPU of its thread", spread(lexical_cpu)),
        ("ratio of p99, hybrid / lexical (wall)", f"{p99(hybrid) / max(p99(lexical), 1e-9):.1f}x"),
        (
            "10,000 episodes: first semantic build (extrapolated)",
            f"{ten_k / first['passages_per_s'] / 60:.0f} min for {ten_k:.0f} passages",
        ),
        ("10,000 episodes: vectors in memory", f"{ten_k * 384 * 4 / 2**20:.0f} MB"),
    ]
    if corpus_s is not None:
        rows.append(
            ("real notes: first embedding", f"{corpus_s[0]:.1f} s for {corpus_s[1]:.0f} passages")
        )
    print("| figure | value |\n|---|---|")
    for name, value in rows:
        print(f"| {name} | {value} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
