"""Report: the episode library on the real show notes, laid out as the site had them.

    python bench/corpus_report.py

Lays the corpus out (``bench/corpus_layout.py``), loads it with ``bot.content`` and runs
``python -m bot check`` and ``python -m bot show 16 --json`` on it, then prints a table
(number, path, player link, references, sections) and checks:

- every episode of INDEX.tsv is found, with its number, and nothing else is;
- each player link is the anchor.fm episode page of the episode's anchor id;
- ``check`` reports the 41 episodes and no warning;
- ``show 16`` lists every link of the seed page (``../shared/seeds/``) with the
  heading it sits under.

Exits 1 on any mismatch; prints "corpus not found" and exits 0 without ../shared.
"""

from __future__ import annotations

import csv
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.corpus_layout import CORPUS, expected_episodes, lay_out_corpus  # noqa: E402
from bot.content import SiteOptions, load_site  # noqa: E402

SEEDS = CORPUS.parent.parent / "seeds"  # ../shared/seeds
ANCHOR_PAGE = "https://anchor.fm/mukiudo/episodes/{}"


def anchor_ids() -> dict[str, str]:
    with (CORPUS / "INDEX.tsv").open(encoding="utf-8") as fh:
        return {
            row["source_path"].removeprefix("content/"): row["anchor_episode_id"]
            for row in csv.DictReader(fh, delimiter="\t")
        }


def seed_links(text: str) -> list[tuple[str, str]]:
    """(heading, url) of each Markdown link in the seed body, first occurrence per URL.

    An independent, line-based reading of the seed: headings are ``#`` lines, links are
    ``[text](url)``; scheme-less targets get ``https://`` as the loader promises."""
    body = text.split("\n---\n", 1)[1] if text.startswith("---") else text
    heading, seen, out = "", set(), []
    for line in body.splitlines():
        match = re.match(r"^(#{1,6})\s+(.*)$", line)
        if match:
            heading = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", match.group(2)).strip()
        for url in re.findall(r"\]\(([^)\s]+)\)", line):
            url = url if re.match(r"^[a-z]+://", url) else "https://" + url
            if url not in seen:
                seen.add(url)
                out.append((heading, url))
    return out


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
    )


def main() -> int:
    content = lay_out_corpus()
    if content is None:
        print("corpus not found")
        return 0
    problems: list[str] = []
    try:
        result = load_site(content, SiteOptions())
        expected = expected_episodes()
        ids = anchor_ids()
        found = {e.path: e for e in result.episodes}

        print(f"{'#':>4}  {'path':<46} {'player link':<68} refs  sections")
        for e in sorted(result.episodes, key=lambda e: (e.number is None, e.number or 0)):
            number = str(e.number) if e.number is not None else "-"
            player = e.player_url or "-"
            counts = f"{len(e.references):>4}  {len(e.sections):>8}"
            print(f"{number:>4}  {e.path:<46} {player:<68} {counts}")
        print(f"\n{len(result.episodes)} episodes from {result.pages_seen} pages")

        for path, number in expected.items():
            episode = found.get(path)
            if episode is None:
                problems.append(f"missing episode {path}")
                continue
            if episode.number != number:
                problems.append(f"{path}: number {episode.number}, expected {number}")
            want = ANCHOR_PAGE.format(ids[path])
            if episode.player_url != want:
                problems.append(f"{path}: player {episode.player_url}, expected {want}")
        for path in sorted(set(found) - set(expected)):
            problems.append(f"not an episode in INDEX.tsv, but loaded as one: {path}")

        check = run_cli("check", "--content", str(content))
        print("\n$ python -m bot check --content DIR\n" + check.stdout.rstrip())
        if check.returncode != 0:
            problems.append(f"check exited {check.returncode}: {check.stderr.strip()}")
        if f"{len(expected)} episodes" not in check.stdout:
            problems.append(f"check does not report {len(expected)} episodes")
        if "Warnings: 0" not in check.stdout:
            problems.append("check reports warnings")

        problems.extend(_check_seed(content))
    finally:
        shutil.rmtree(content, ignore_errors=True)

    print()
    if problems:
        print(f"FAIL: {len(problems)} problem(s)")
        for problem in problems:
            print(f"  - {problem}")
        return 1
    print(
        f"OK: all {len(expected)} episodes, numbers and anchor.fm links; show 16 matches the seed"
    )
    return 0


def _check_seed(content: Path) -> list[str]:
    seeds = sorted(SEEDS.glob("*")) if SEEDS.is_dir() else []
    if not seeds:
        return ["seed page not found"]
    wanted = seed_links(seeds[0].read_text(encoding="utf-8"))
    shown = run_cli("show", "16", "--json", "--content", str(content))
    if shown.returncode != 0:
        return [f"show 16 exited {shown.returncode}: {shown.stderr.strip()}"]
    refs = json.loads(shown.stdout)["references"]
    got = {r["url"]: r["section"] for r in refs}
    print(f"\n$ python -m bot show 16 --json: {len(refs)} references")
    problems = []
    for heading, url in wanted:
        if url not in got:
            problems.append(f"show 16 misses the seed link {url}")
        elif got[url] != heading:
            problems.append(f"show 16 puts {url} under {got[url]!r}, the seed under {heading!r}")
        else:
            print(f"  [{heading or '(lead)'}] {url}")
    extra = set(got) - {url for _, url in wanted}
    problems.extend(f"show 16 lists {url}, which the seed page does not link" for url in extra)
    return problems


if __name__ == "__main__":
    raise SystemExit(main())
