"""Record the lexical search's answers over the bundled sample site, for a regression test.

    python bench/record_answers.py            # writes tests/fixtures/search_answers.json

Every query of bench/queries/sample*.tsv goes through ``Catalog.search`` (semantic layer
off, the clock at the day the query sets were labelled); a set of prefixes made from
the same queries goes through ``Catalog.complete``. tests/search/test_same_answers.py
asks the engine again and expects the same hits, sections, snippets and scores, so a
change meant only to make the engine faster shows any answer it changes. Re-record only
when an answer is meant to change, and say which in the commit.
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bot.config import BUNDLED_CONTENT, Settings  # noqa: E402
from bot.library.catalog import Catalog  # noqa: E402
from bot.models import Hit  # noqa: E402

QUERY_FILES = sorted((ROOT / "bench" / "queries").glob("sample*.tsv"))
FIXTURE = ROOT / "tests" / "fixtures" / "search_answers.json"
NOW = "2026-12-01T12:00:00+00:00"  # bench/quality.py's TODAY
LIMIT = 5
COMPLETE_LIMIT = 10
PREFIX_LENGTHS = (1, 2, 3, 5)


def queries() -> list[str]:
    texts: list[str] = []
    for path in QUERY_FILES:
        with path.open(encoding="utf-8", newline="") as fh:
            rows = csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)
            next(rows, None)
            texts += [row[1] for row in rows if len(row) > 1]
    return list(dict.fromkeys(texts))


def prefixes(texts: list[str]) -> list[str]:
    out = [t.strip()[:n] for t in texts for n in PREFIX_LENGTHS]
    return list(dict.fromkeys(p for p in out if p))


def hit_row(hit: Hit) -> list[object]:
    heading = hit.section.heading if hit.section is not None else None
    return [hit.episode.path, round(hit.score, 3), heading, hit.snippet]


def answers(catalog: Catalog, texts: list[str]) -> dict[str, object]:
    search = {}
    for text in texts:
        result = catalog.search(text, LIMIT)
        search[text] = {
            "hits": [hit_row(h) for h in result.hits],
            "suggestions": list(result.suggestions),
        }
    complete = {
        p: [hit_row(h) for h in catalog.complete(p, COMPLETE_LIMIT)] for p in prefixes(texts)
    }
    return {"search": search, "complete": complete}


def lexical_catalog() -> Catalog:
    from datetime import datetime

    now = datetime.fromisoformat(NOW)
    settings = Settings(content_dir=BUNDLED_CONTENT, semantic_search=False, watch_content=False)
    catalog = Catalog.from_settings(settings, clock=lambda: now)
    catalog.load()
    catalog.wait_semantic()  # the reading index is built in the background
    return catalog


def main() -> int:
    texts = queries()
    data = {
        "about": "answers of Catalog.search / complete over content/; bench/record_answers.py",
        "now": NOW,
        "limit": LIMIT,
        "complete_limit": COMPLETE_LIMIT,
        **answers(lexical_catalog(), texts),
    }
    FIXTURE.write_text(json.dumps(data, ensure_ascii=False, indent=0) + "\n", encoding="utf-8")
    print(f"{FIXTURE}: {len(data['search'])} queries, {len(data['complete'])} prefixes")  # type: ignore[arg-type]
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
