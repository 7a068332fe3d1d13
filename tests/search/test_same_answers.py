"""The bundled query sets get the same answers they got when the fixture was recorded.

tests/fixtures/search_answers.json holds, for every query of bench/queries/sample*.tsv,
what ``Catalog.search`` answered over the sample site (semantic layer off), and for
prefixes of those queries what ``Catalog.complete`` offered. A change to the engine that
is meant only to make it faster must keep every one of them; one that means to change
answers re-records the file with ``bench/record_answers.py`` and says why.
"""

from __future__ import annotations

import json
from datetime import datetime

import pytest
from paths import FIXTURES_DIR

from bot.config import BUNDLED_CONTENT, Settings
from bot.library.catalog import Catalog
from bot.models import Hit

RECORDED = json.loads((FIXTURES_DIR / "search_answers.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    now = datetime.fromisoformat(RECORDED["now"])
    settings = Settings(content_dir=BUNDLED_CONTENT, semantic_search=False, watch_content=False)
    catalog = Catalog.from_settings(settings, clock=lambda: now)
    catalog.load()
    catalog.wait_semantic()  # the reading index is built in the background
    return catalog


def rows(hits: list[Hit] | tuple[Hit, ...]) -> list[list[object]]:
    return [
        [h.episode.path, h.score, h.section.heading if h.section else None, h.snippet] for h in hits
    ]


def same(got: list[list[object]], want: list[list[object]]) -> bool:
    if len(got) != len(want):
        return False
    for (path, score, heading, snippet), (w_path, w_score, w_heading, w_snippet) in zip(
        got, want, strict=True
    ):
        if (path, heading, snippet) != (w_path, w_heading, w_snippet):
            return False
        if abs(float(score) - float(w_score)) > 0.01:  # type: ignore[arg-type]
            return False
    return True


def test_the_fixture_covers_every_bundled_query_set() -> None:
    assert len(RECORDED["search"]) > 400
    assert len(RECORDED["complete"]) > 500


def test_every_bundled_query_gets_the_recorded_answer(catalog: Catalog) -> None:
    changed = []
    for query, want in RECORDED["search"].items():
        result = catalog.search(query, RECORDED["limit"])
        got = rows(result.hits)
        if not same(got, want["hits"]) or list(result.suggestions) != want["suggestions"]:
            changed.append(f"{query!r}: {[g[0] for g in got]} != {[w[0] for w in want['hits']]}")
    assert not changed, f"{len(changed)} answers changed:\n" + "\n".join(changed[:20])


def test_every_prefix_gets_the_recorded_completions(catalog: Catalog) -> None:
    changed = []
    for prefix, want in RECORDED["complete"].items():
        got = rows(catalog.complete(prefix, RECORDED["complete_limit"]))
        if not same(got, want):
            changed.append(f"{prefix!r}: {[g[0] for g in got]} != {[w[0] for w in want]}")
    assert not changed, f"{len(changed)} completions changed:\n" + "\n".join(changed[:20])
