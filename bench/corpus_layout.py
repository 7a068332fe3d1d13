"""Lay the real show notes out as the site had them, for benchmarks and reports.

The read-only corpus in ``../shared/corpus/mukiudo`` keeps one file per episode with an
``INDEX.tsv`` naming each note's path in the site (``content/podcast/0016/index.md``).
``lay_out_corpus()`` copies them into a temporary folder under those paths (the
Advent Calendar post under ``post/``) and returns it, or ``None`` when the corpus is
not there (a user's clone has no such folder). Nothing here is used by tests.
"""

from __future__ import annotations

import csv
import shutil
import tempfile
from pathlib import Path

CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus" / "mukiudo"
SHARED = CORPUS.parent
# Pages of the site that are not episode notes, laid out where the site had them, so a
# report over the layout also shows what the loader leaves out.
EXTRA_PAGES = {
    SHARED / "mukiudo-site-config" / "content--podcast--_index.md": "podcast/_index.md",
    SHARED / "mukiudo-site-config" / "content--home--podcast.md": "home/podcast.md",
    SHARED / "mukiudo-extra" / "authors-mukiudo-_index.md": "authors/mukiudo/_index.md",
    SHARED
    / "mukiudo-extra"
    / "post-podcast-0002-reasonable-podcast.md": "post/podcast/0002-reasonable-podcast/index.md",
}


def corpus_available(corpus: Path = CORPUS) -> bool:
    return (corpus / "INDEX.tsv").is_file()


def lay_out_corpus(target: Path | None = None, corpus: Path = CORPUS) -> Path | None:
    """Copy the corpus into ``target`` (a new temp dir by default) as a content folder."""
    if not corpus_available(corpus):
        return None
    root = Path(target) if target else Path(tempfile.mkdtemp(prefix="corpus-content-"))
    pages: dict[Path, str] = {}
    with (corpus / "INDEX.tsv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            pages[corpus / row["filename"]] = row["source_path"].removeprefix("content/")
    if corpus == CORPUS:
        pages.update({src: dest for src, dest in EXTRA_PAGES.items() if src.is_file()})
    for src, rel in pages.items():
        dest = root / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, dest)
        dest.chmod(0o644)
    return root


def expected_episodes(corpus: Path = CORPUS) -> dict[str, int | None]:
    """Site path (relative to the content folder) -> episode number, from INDEX.tsv."""
    with (corpus / "INDEX.tsv").open(encoding="utf-8") as fh:
        return {
            row["source_path"].removeprefix("content/"): (
                int(row["episode_number"]) if row["episode_number"] else None
            )
            for row in csv.DictReader(fh, delimiter="\t")
        }


if __name__ == "__main__":
    print(lay_out_corpus() or "corpus not found")
