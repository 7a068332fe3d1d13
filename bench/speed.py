"""Search speed benchmark on a synthetic site, ours against the baselines in one run.

    python bench/speed.py [--episodes 10000] [--json]
    python bench/speed.py --startup [--episodes 10000] [--restarts 3]

Generates the site once (``bench/synth.py``, cached under bench/out/), then measures each
engine in its own subprocess so peak RSS (``ru_maxrss``) is that engine's alone:

- ``ours``: ``Catalog.load()`` split into note parsing (``load_site``) and index build;
  ``Catalog.search`` over a fixed mix of full queries; ``Catalog.complete`` over
  autocomplete-style prefixes; ``Catalog.refresh`` after editing one note (repeated;
  wall time, and CPU time of the calling thread);
- ``fuse``: the site's Fuse.js 3.2.1 in node: JSON.parse of an index.json built from
  the same episodes, ``new Fuse``, then the queries; an update means reloading the
  whole index (Fuse has no incremental update);
- ``wratio``: rapidfuzz WRatio over each page's whole text; an update re-reads the
  note and replaces its text;
- ``minisearch``: MiniSearch 7 in node, built from the episodes as prepared JSON (the
  records Fuse gets, written once: parsing them and ``addAll`` is its build), the same
  queries, prefixes and updates (``replace`` of one document) as ours.

Ours and MiniSearch run ``--rounds`` times, alternating which goes first, so the load
other work puts on the machine falls on both; their samples are pooled over the rounds
and the ratios ours / MiniSearch are printed per round and for the pool.

``--startup`` measures only start-up, each start a fresh process on one DATA_DIR: the
first start (in a single-threaded process with forked workers, as ``python -m bot run``
preloads; and in a thread, without them), then restarts with the start-up snapshot.

The baselines take seconds per query at 10,000 pages, so they run the first
``--baseline-queries`` queries and prefixes of the same mix; ratios compare ours on
those same queries. Tables are Markdown, ready to paste into bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import platform
import random
import resource
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import synth  # noqa: E402
from bench.baselines import (  # noqa: E402
    BaselineUnavailable,
    WRatioRanker,
    academic_index,
    page_text,
    run_fuse,
    run_minisearch,
)

OUT = ROOT / "bench" / "out"
ENGINES = ("ours", "minisearch", "minisearch_default", "fuse", "wratio")
TITLES = {
    "ours": "ours",
    "minisearch": "MiniSearch 7 (bigrams)",
    "minisearch_default": "MiniSearch 7 (its tokenizer)",
    "fuse": "Fuse.js 3.2.1",
    "wratio": "WRatio",
}
INTERLEAVED = ("ours", "minisearch", "minisearch_default")  # --rounds times, alternating
TARGETS = {  # metric -> (label, limit, unit)
    "query_p99": ("query p99", 10.0, "ms"),
    "prefix_p99": ("autocomplete p99", 5.0, "ms"),
    "full_s": ("full build", 10.0, "s"),
    "update_p99": ("one-note update p99", 20.0, "ms"),
    "peak_rss_mb": ("peak RSS", 400.0, "MB"),
}


def percentile(values: Sequence[float], pct: float) -> float:
    """Nearest-rank percentile; 0.0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * pct // 100))  # ceil
    return ordered[int(rank) - 1]


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def workers_peak_rss_mb() -> float:
    """The largest peak RSS of the worker processes the loader and indexer forked (0 if
    none). A forked worker shares the parent's pages until either writes them, and its
    RSS counts those shared pages again, so parent + worker overstates what was in use."""
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def ensure_site(out: Path, episodes: int, seed: int) -> Path:
    """The synthetic site's content folder, generated unless a complete copy is cached."""
    site = out / f"synth-{episodes}-s{seed}-v{synth.VERSION}"
    done = site / ".complete"
    if not done.is_file():
        if site.exists():
            import shutil

            shutil.rmtree(site)
        synth.generate(site, episodes, seed)
        done.write_text("ok\n", encoding="utf-8")
    return site / "content"


def _edit(path: Path, index: int) -> str:
    """Append a line to a note; returns the original text for restoring."""
    original = path.read_text(encoding="utf-8")
    path.write_text(original + f"\n追記{index}: Cloud Runの料金について少し補足した。\n", "utf-8")
    return original


# -- workers (each runs in its own process) ----------------------------------------


def worker_ours(plan: dict) -> dict:
    import bot.library.catalog as catalog_module
    from bot.config import Settings

    timings: dict[str, float] = {}

    def timed(name: str, fn: Callable) -> Callable:
        def wrapper(*args, **kwargs):  # type: ignore[no-untyped-def]
            start = time.perf_counter()
            result = fn(*args, **kwargs)
            timings[name] = time.perf_counter() - start
            return result

        return wrapper

    real_index = catalog_module.SearchIndex

    class TimedIndex:  # what Catalog sees as SearchIndex: build() is timed
        build = staticmethod(timed("index", real_index.build))

    catalog_module.load_site = timed("parse", catalog_module.load_site)
    catalog_module.SearchIndex = TimedIndex  # type: ignore[misc,assignment]
    content = Path(plan["content"])
    settings = Settings(content_dir=content, semantic_search=False, watch_content=False)
    catalog = catalog_module.Catalog.from_settings(settings)
    catalog.snapshot = None  # a cold start: no snapshot read or written (see --startup)
    start = time.perf_counter()
    catalog.load()
    full = time.perf_counter() - start
    rss_built = peak_rss_mb()
    catalog.wait_semantic()  # the reading index: queries then meet the steady state

    query_ms = []
    for query in plan["queries"]:
        t = time.perf_counter()
        catalog.search(query, 5)
        query_ms.append((time.perf_counter() - t) * 1000)
    prefix_ms = []
    for prefix in plan["prefixes"]:
        t = time.perf_counter()
        catalog.complete(prefix, 25)
        prefix_ms.append((time.perf_counter() - t) * 1000)
    update_ms = []
    update_cpu_ms = []  # CPU of the caller's thread: the background's and others' left out
    for i, rel in enumerate(plan["updates"]):
        path = content / rel
        original = _edit(path, i)
        try:
            t, cpu = time.perf_counter(), time.thread_time()
            catalog.refresh([rel])
            update_ms.append((time.perf_counter() - t) * 1000)
            update_cpu_ms.append((time.thread_time() - cpu) * 1000)
        finally:
            path.write_text(original, encoding="utf-8")
        catalog.refresh([rel])
    peak = peak_rss_mb()
    slowest = sorted(zip(query_ms, plan["queries"], strict=True), reverse=True)[:8]
    slowest += sorted(zip(prefix_ms, plan["prefixes"], strict=True), reverse=True)[:5]
    with open(plan["episodes_pickle"], "wb") as fh:
        pickle.dump(catalog.all_episodes, fh, protocol=pickle.HIGHEST_PROTOCOL)
    return {
        "pages": len(catalog.all_episodes),
        "parse_s": timings.get("parse", 0.0),
        "index_s": timings.get("index", 0.0),
        "full_s": full,
        "query_ms": query_ms,
        "prefix_ms": prefix_ms,
        "update_ms": update_ms,
        "update_cpu_ms": update_cpu_ms,
        "rss_after_build_mb": rss_built,
        "peak_rss_mb": peak,
        "workers_rss_mb": workers_peak_rss_mb(),
        "slowest": [[text, ms] for ms, text in slowest],
    }


def _episodes(plan: dict) -> tuple:
    pickled = Path(plan["episodes_pickle"])
    if pickled.is_file():
        with pickled.open("rb") as fh:
            return pickle.load(fh)
    from bot.content import SiteOptions, load_site

    return load_site(Path(plan["content"]), SiteOptions()).episodes


def worker_wratio(plan: dict) -> dict:
    from bot.content import SiteOptions, load_page

    episodes = _episodes(plan)
    start = time.perf_counter()
    ranker = WRatioRanker(episodes)
    build = time.perf_counter() - start
    n = plan["baseline_queries"]
    query_ms = []
    for query in plan["queries"][:n]:
        t = time.perf_counter()
        ranker.search(query, 5)
        query_ms.append((time.perf_counter() - t) * 1000)
    prefix_ms = []
    for prefix in plan["prefixes"][:n]:
        t = time.perf_counter()
        ranker.search(prefix, 25)
        prefix_ms.append((time.perf_counter() - t) * 1000)
    content = Path(plan["content"])
    where = {p: i for i, p in enumerate(ranker.paths)}
    update_ms = []
    for i, rel in enumerate(plan["updates"]):
        path = content / rel
        original = _edit(path, i)
        try:
            t = time.perf_counter()
            episode, _warnings = load_page(content, rel, SiteOptions())
            if episode is not None:
                ranker.texts[where[rel]] = page_text(episode)
            update_ms.append((time.perf_counter() - t) * 1000)
        finally:
            path.write_text(original, encoding="utf-8")
    return {
        "pages": len(episodes),
        "index_s": build,
        "full_s": build,
        "query_ms": query_ms,
        "prefix_ms": prefix_ms,
        "update_ms": update_ms,
        "peak_rss_mb": peak_rss_mb(),
    }


def worker_fuse(plan: dict) -> dict:
    episodes = _episodes(plan)
    index_file = Path(plan["run_dir"]) / "index.json"
    start = time.perf_counter()
    index_file.write_text(json.dumps(academic_index(episodes), ensure_ascii=False), "utf-8")
    export = time.perf_counter() - start
    n = plan["baseline_queries"]
    queries, prefixes = plan["queries"][:n], plan["prefixes"][:n]
    run = run_fuse(index_file, queries + prefixes, limit=25)
    reload_ms = run.parse_ms + run.build_ms
    return {
        "pages": len(episodes),
        "parse_s": run.parse_ms / 1000,
        "index_s": run.build_ms / 1000,
        "export_s": export,
        "full_s": export + reload_ms / 1000,
        "query_ms": run.latency_ms[: len(queries)],
        "prefix_ms": run.latency_ms[len(queries) :],
        "update_ms": [reload_ms],
        "peak_rss_mb": run.max_rss_kb / 1024,
    }


def worker_minisearch(plan: dict, tokenizer: str = "bigram") -> dict:
    episodes = _episodes(plan)
    docs_file = Path(plan["run_dir"]) / "minisearch-docs.json"
    start = time.perf_counter()
    docs_file.write_text(json.dumps(academic_index(episodes), ensure_ascii=False), "utf-8")
    export = time.perf_counter() - start
    run = run_minisearch(
        docs_file, plan["queries"], plan["prefixes"], plan["updates"], tokenizer=tokenizer
    )
    parse_s = float(run["parse_ms"]) / 1000  # type: ignore[arg-type]
    build_s = float(run["build_ms"]) / 1000  # type: ignore[arg-type]
    return {
        "pages": run["docs"],
        "parse_s": parse_s,
        "index_s": build_s,
        "export_s": export,
        "full_s": parse_s + build_s,
        "load_json_s": float(run["load_json_ms"]) / 1000,  # type: ignore[arg-type]
        "query_ms": run["query_ms"],
        "prefix_ms": run["prefix_ms"],
        "update_ms": run["update_ms"],
        "peak_rss_mb": int(run["max_rss_kb"]) / 1024,  # type: ignore[call-overload]
    }


def run_rounds(engines: Sequence[str], plan_file: Path, rounds: int) -> dict[str, list[dict]]:
    """Each engine's raw results, one per round: ours and MiniSearch ``rounds`` times,
    alternating which goes first; the slow baselines once."""
    out: dict[str, list[dict]] = {e: [] for e in engines}
    for r in range(max(1, rounds)):
        order = [e for e in INTERLEAVED if e in engines]
        for engine in order if r % 2 == 0 else order[::-1]:
            print(f"round {r + 1}: running {engine}...", file=sys.stderr)
            out[engine].append(run_worker(engine, plan_file))
    for engine in engines:
        if engine not in INTERLEAVED:
            print(f"running {engine}...", file=sys.stderr)
            out[engine].append(run_worker(engine, plan_file))
    return out


def pooled(runs: list[dict]) -> dict:
    """One engine's rounds as one result: samples pooled, other figures the median."""
    good = [r for r in runs if "error" not in r]
    if not good:
        return runs[0] if runs else {"error": "not run"}
    out = dict(good[0])
    for key, value in good[0].items():
        if key.endswith("_ms") and isinstance(value, list):
            out[key] = [x for r in good for x in r.get(key, [])]
        elif isinstance(value, int | float) and key != "pages":
            out[key] = percentile([r[key] for r in good if key in r], 50)
    out["rounds"] = len(good)
    return out


RATIO_ROWS = (  # label, key in a summarised result
    ("query median", "query_median"),
    ("query p99", "query_p99"),
    ("autocomplete median", "prefix_median"),
    ("autocomplete p99", "prefix_p99"),
    ("one-note update median", "update_median"),
    ("one-note update p99", "update_p99"),
    ("full build (ours: notes + index; MiniSearch: JSON.parse + addAll)", "full_s"),
    ("peak RSS", "peak_rss_mb"),
)


def minisearch_ratios(rounds: dict[str, list[dict]], n_base: int, engine: str) -> str:
    """ours / MiniSearch for each figure, per round and for the pooled samples."""
    ours_runs, mini_runs = rounds.get("ours", []), rounds.get(engine, [])
    pairs = [
        (summarise(o, n_base), summarise(m, n_base))
        for o, m in zip(ours_runs, mini_runs, strict=False)
        if "error" not in o and "error" not in m
    ]
    if not pairs:
        return "(no ratios against MiniSearch: one of the two did not run)"
    pairs.append((summarise(pooled(ours_runs), n_base), summarise(pooled(mini_runs), n_base)))
    heads = [f"round {i + 1}" for i in range(len(pairs) - 1)] + ["pooled"]
    lines = [
        f"| ours / {TITLES[engine]} | " + " | ".join(heads) + " |",
        "|---|" + "--:|" * len(heads),
    ]
    for label, key in RATIO_ROWS:
        cells = [f"{o[key] / m[key]:.3g}" if m.get(key) else "n/a" for o, m in pairs]
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


WORKERS = {
    "ours": worker_ours,
    "minisearch": worker_minisearch,
    "minisearch_default": lambda plan: worker_minisearch(plan, "default"),
    "fuse": worker_fuse,
    "wratio": worker_wratio,
}


def run_worker(engine: str, plan_file: Path) -> dict:
    done = subprocess.run(
        [
            sys.executable,
            str(Path(__file__).resolve()),
            "--worker",
            engine,
            "--plan",
            str(plan_file),
        ],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        tail = done.stderr.strip().splitlines()[-1:] or ["no output"]
        return {"error": tail[0][:300]}
    return json.loads(done.stdout.strip().splitlines()[-1])


# -- report ------------------------------------------------------------------------


def summarise(raw: dict, n_base: int) -> dict:
    out = dict(raw)
    for key in ("query", "prefix", "update", "update_cpu"):
        if f"{key}_ms" not in raw and key == "update_cpu":
            continue  # only ours measures it
        values = raw.get(f"{key}_ms", [])
        out[f"{key}_n"] = len(values)
        out[f"{key}_median"] = percentile(values, 50)
        out[f"{key}_p99"] = percentile(values, 99)
        head = values[:n_base]
        out[f"{key}_base_median"] = percentile(head, 50)
        out.pop(f"{key}_ms", None)
    return out


def _cell(result: dict, key: str, digits: int = 2, n_key: str = "") -> str:
    if "error" in result:
        return "error"
    if key not in result:
        return "n/a"
    text = f"{result[key]:.{digits}f}"
    return f"{text} (n={result[n_key]})" if n_key else text


def markdown(results: dict[str, dict], meta: dict) -> str:
    engines = list(results)
    head = "| metric | " + " | ".join(TITLES[e] for e in engines) + " |"
    lines = [
        f"### {meta['pages']} synthetic episodes ({meta['site_mb']:.0f} MB of notes)",
        "",
        head,
        "|---|" + "--:|" * len(engines),
    ]
    rows = [
        ("load: parse notes / index.json (s)", "parse_s", 2, ""),
        ("index build (s)", "index_s", 3, ""),
        ("full build, load + index (s)", "full_s", 2, ""),
        ("query median (ms)", "query_median", 2, "query_n"),
        ("query p99 (ms)", "query_p99", 2, "query_n"),
        ("autocomplete median (ms)", "prefix_median", 2, "prefix_n"),
        ("autocomplete p99 (ms)", "prefix_p99", 2, "prefix_n"),
        ("one-note update median (ms)", "update_median", 2, "update_n"),
        ("one-note update p99 (ms)", "update_p99", 2, "update_n"),
        ("one-note update CPU median (ms, caller's thread)", "update_cpu_median", 2, ""),
        ("one-note update CPU p99 (ms, caller's thread)", "update_cpu_p99", 2, ""),
        ("restart from a saved index (s)", "load_json_s", 2, ""),
        ("peak RSS (MB)", "peak_rss_mb", 0, ""),
        ("largest forked worker's peak RSS (MB)", "workers_rss_mb", 0, ""),
    ]
    for label, key, digits, n_key in rows:
        cells = [_cell(results[e], key, digits, n_key) for e in engines]
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    lines += ["", _ratios(results), "", _verdicts(results.get("ours", {})), "", _notes(meta)]
    slowest = results.get("ours", {}).get("slowest", [])
    if slowest:
        lines += ["", "Slowest for ours (8 full queries, 5 prefixes):", ""]
        lines += [f"- `{text}`: {ms:.1f} ms" for text, ms in slowest]
    return "\n".join(lines)


def _ratios(results: dict[str, dict]) -> str:
    ours = results.get("ours", {})
    others = [e for e in results if e != "ours" and "error" not in results[e]]
    if "error" in ours or not ours or not others:
        return "(no ratios: an engine did not run)"
    lines = [
        "| ours / baseline | " + " | ".join(TITLES[e] for e in others) + " |",
        "|---|" + "--:|" * len(others),
    ]
    pairs = [
        ("full build", "full_s", "full_s"),
        ("query median, same queries", "query_base_median", "query_median"),
        ("autocomplete median, same prefixes", "prefix_base_median", "prefix_median"),
        ("one-note update median", "update_median", "update_median"),
        ("peak RSS", "peak_rss_mb", "peak_rss_mb"),
    ]
    for label, ours_key, base_key in pairs:
        cells = []
        for e in others:
            base = results[e].get(base_key, 0.0)
            cells.append(f"{ours.get(ours_key, 0.0) / base:.3g}" if base else "n/a")
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _verdicts(ours: dict) -> str:
    if not ours or "error" in ours:
        return f"Targets: not measured (ours: {ours.get('error', 'not run')})"
    parts = []
    for key, (label, limit, unit) in TARGETS.items():
        value = ours[key]
        verdict = "PASS" if value <= limit else "FAIL"
        parts.append(f"- {label}: {value:.2f} {unit} (target <= {limit:g} {unit}) {verdict}")
    return "Targets for ours:\n\n" + "\n".join(parts)


def _notes(meta: dict) -> str:
    return (
        f"Machine: {meta['cpus']} CPUs, {meta['machine']}, Python {meta['python']}, "
        f"load average {meta['load_before']} before the run; {meta['date']}. "
        f"Baselines ran the first {meta['baseline_queries']} queries and prefixes. "
        "WRatio pages come from our loader, so its load is ours and its full build adds "
        "its text list to it. Fuse's load and build are JSON.parse of index.json and "
        "new Fuse in node; its full build adds writing index.json from the episodes "
        "(Hugo's own site build is not counted); its update reloads the whole index. "
        "Ours reads notes and builds the index on both cores through forked workers; "
        "\"peak RSS\" is the main process's, and a worker's RSS counts the pages it still "
        "shares with it again, so the sum of the two overstates the memory in use."
    )


# -- start-up: first start and restart with the snapshot -------------------------------
#
# Kept apart from the query figures above: ``--startup`` runs only these. Each start is
# a fresh process on the same DATA_DIR, timed from the parent (interpreter, imports and
# load) and inside (``Catalog.load()`` alone, and until the reading index is ready).


def worker_startup(plan: dict) -> dict:
    started = time.perf_counter()
    import threading

    from bot.config import Settings
    from bot.library.catalog import Catalog

    imported = time.perf_counter() - started
    settings = Settings(
        content_dir=Path(plan["content"]), data_dir=Path(plan["data_dir"]), semantic_search=False
    )
    catalog = Catalog.from_settings(settings)
    t = time.perf_counter()
    if plan["as_bot"]:  # in a thread, as inside the running bot: no forked workers
        loader = threading.Thread(target=catalog.load)
        loader.start()
        loader.join()
    else:
        catalog.load()
    load_s = time.perf_counter() - t
    readings_s = None
    if plan.get("wait_readings", True):
        catalog.wait_semantic()
        readings_s = time.perf_counter() - t
    t = time.perf_counter()
    catalog.search(plan["query"], 5)
    first_query_ms = (time.perf_counter() - t) * 1000
    state = catalog.snapshot_state
    return {
        "imports_s": imported,
        "load_s": load_s,
        "readings_s": readings_s,
        "first_query_ms": first_query_ms,
        "peak_rss_mb": peak_rss_mb(),
        "workers_rss_mb": workers_peak_rss_mb(),
        "snapshot": str(state),
        "reused": state.reused if state else 0,
        "read": state.read if state else 0,
        "snapshot_mb": state.size / 1e6 if state else 0.0,
    }


def run_startup_worker(plan: dict, run_dir: Path) -> dict:
    plan_file = run_dir / "startup-plan.json"
    plan_file.write_text(json.dumps(plan, ensure_ascii=False), encoding="utf-8")
    t = time.perf_counter()
    result = run_worker("startup", plan_file)
    result["process_s"] = time.perf_counter() - t
    return result


def startup_figures(content: Path, run_dir: Path, restarts: int = 3) -> dict[str, dict]:
    """First start in a single-threaded process (forked workers: ``python -m bot run``
    preloads so), first start in a thread (no workers: a load inside the running bot),
    then ``restarts`` restarts, loaded in a thread (median kept)."""
    import shutil
    import statistics

    base = {"content": str(content), "query": "Cloud Runの料金"}
    out: dict[str, dict] = {}
    for name, as_bot in (
        ("first start, forked workers", False),
        ("first start, one process", True),
    ):
        data = run_dir / f"data-{as_bot}"
        shutil.rmtree(data, ignore_errors=True)
        plan = {**base, "data_dir": str(data), "as_bot": as_bot, "wait_readings": as_bot}
        out[name] = run_startup_worker(plan, run_dir)
    runs = [
        run_startup_worker(
            {**base, "data_dir": str(run_dir / "data-True"), "as_bot": True}, run_dir
        )
        for _ in range(restarts)
    ]
    good = [r for r in runs if "error" not in r]
    if good:
        out[f"restart (median of {len(good)})"] = {
            k: (statistics.median(g[k] for g in good) if isinstance(v, float) else v)
            for k, v in good[-1].items()
        }
    else:
        out["restart"] = runs[-1]
    return out


def startup_markdown(figures: dict[str, dict], pages: int) -> str:
    names = list(figures)
    lines = [
        f"### Start-up, {pages} synthetic episodes (ours, semantic layer off)",
        "",
        "| | " + " | ".join(names) + " |",
        "|---|" + "--:|" * len(names),
    ]
    rows = [
        ("process start to ready, reading index included (s)", "process_s", 2),
        ("imports (s)", "imports_s", 2),
        ("Catalog.load() (s)", "load_s", 2),
        ("until the reading index is ready (s)", "readings_s", 2),
        ("first query (ms)", "first_query_ms", 1),
        ("notes from the snapshot", "reused", 0),
        ("notes read", "read", 0),
        ("snapshot file (MB)", "snapshot_mb", 1),
        ("peak RSS (MB)", "peak_rss_mb", 0),
        ("largest forked worker's peak RSS (MB)", "workers_rss_mb", 0),
    ]
    for label, key, digits in rows:
        cells = []
        for name in names:
            value = figures[name].get(key)
            if "error" in figures[name]:
                cells.append("error")
            else:
                cells.append("not waited" if value is None else f"{value:.{digits}f}")
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    first = figures.get("first start, one process", {})
    restart = next((v for k, v in figures.items() if k.startswith("restart")), {})
    if first.get("load_s") and restart.get("load_s"):
        lines += [
            "",
            f"Restart / first start (load): {restart['load_s'] / first['load_s']:.3g}; "
            f"process to reading index ready: {restart['process_s'] / first['process_s']:.3g}.",
        ]
    errors = [f"{k}: {v['error']}" for k, v in figures.items() if "error" in v]
    if errors:
        lines += ["", "Errors: " + "; ".join(errors)]
    return "\n".join(lines)


def startup_main(args: argparse.Namespace) -> int:
    content = ensure_site(args.out, args.episodes, args.seed)
    run_dir = args.out / f"startup-{os.getpid()}"
    run_dir.mkdir(parents=True, exist_ok=True)
    try:
        figures = startup_figures(content, run_dir, args.restarts)
    finally:
        import shutil

        shutil.rmtree(run_dir, ignore_errors=True)
    pages = len(list((content / "podcast").glob("*/index.md")))
    if args.json:
        print(json.dumps(figures, ensure_ascii=False, indent=1))
    else:
        print(startup_markdown(figures, pages))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--episodes", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--queries", type=int, default=300, help="full queries for ours")
    parser.add_argument("--prefixes", type=int, default=300, help="prefixes for ours")
    parser.add_argument("--updates", type=int, default=50)
    parser.add_argument("--baseline-queries", type=int, default=20)
    parser.add_argument("--engines", default=",".join(ENGINES))
    parser.add_argument("--rounds", type=int, default=3, help="rounds of ours vs MiniSearch")
    parser.add_argument("--out", type=Path, default=OUT, help="cache and scratch folder")
    parser.add_argument("--json", action="store_true")
    parser.add_argument(
        "--startup",
        action="store_true",
        help="only the start-up figures: first start, and restart with the snapshot",
    )
    parser.add_argument("--restarts", type=int, default=3, help="restarts measured")
    parser.add_argument("--worker", choices=(*ENGINES, "startup"), help=argparse.SUPPRESS)
    parser.add_argument("--plan", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.worker:
        plan = json.loads(args.plan.read_text(encoding="utf-8"))
        try:
            worker = worker_startup if args.worker == "startup" else WORKERS[args.worker]
            result = worker(plan)
        except BaselineUnavailable as exc:
            result = {"error": str(exc)}
        print(json.dumps(result))
        return 0
    if args.startup:
        return startup_main(args)

    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    load_before = " ".join(f"{x:.2f}" for x in os.getloadavg())
    content = ensure_site(args.out, args.episodes, args.seed)
    run_dir = args.out / f"run-{os.getpid()}"
    run_dir.mkdir(parents=True, exist_ok=True)
    pages = sorted(p.parent.name for p in (content / "podcast").glob("*/index.md"))
    rng = random.Random(args.seed + 303)
    plan = {
        "content": str(content),
        "run_dir": str(run_dir),
        "episodes_pickle": str(run_dir / "episodes.pickle"),
        "queries": synth.query_mix(args.episodes, args.seed, args.queries),
        "prefixes": synth.prefix_mix(args.seed, args.prefixes),
        "updates": [
            f"podcast/{p}/index.md" for p in rng.sample(pages, min(args.updates, len(pages)))
        ],
        "baseline_queries": args.baseline_queries,
    }
    plan_file = run_dir / "plan.json"
    plan_file.write_text(json.dumps(plan, ensure_ascii=False), encoding="utf-8")
    n_base = args.baseline_queries
    results: dict[str, dict] = {}
    try:
        rounds = run_rounds([e for e in ENGINES if e in engines], plan_file, args.rounds)
        results = {e: summarise(pooled(runs), n_base) for e, runs in rounds.items()}
    finally:
        for leftover in run_dir.iterdir():
            leftover.unlink()
        run_dir.rmdir()
    ours, base = results.get("ours", {}), results.get("wratio", {})
    if "parse_s" in ours and "index_s" in base:
        base["parse_s"] = ours["parse_s"]
        base["full_s"] = ours["parse_s"] + base["index_s"]
    size = sum(p.stat().st_size for p in (content / "podcast").glob("*/index.md"))
    meta = {
        "pages": len(pages),
        "site_mb": size / 1e6,
        "cpus": os.cpu_count(),
        "machine": f"{platform.system()} {platform.machine()}",
        "python": platform.python_version(),
        "load_before": load_before,
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "baseline_queries": n_base,
    }
    if args.json:
        print(json.dumps({"meta": meta, "engines": results}, ensure_ascii=False, indent=1))
    else:
        print(markdown(results, meta))
        for engine in ("minisearch", "minisearch_default"):
            if engine in rounds:
                print()
                print(minisearch_ratios(rounds, n_base, engine))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
