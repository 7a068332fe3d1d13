"""``python -m bot search`` answers exactly what the library answers."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from paths import FIXTURES_DIR

from bot.cli import main
from bot.config import Settings
from bot.library.catalog import Catalog

SITE = FIXTURES_DIR / "search"
QUERIES = ["Kubeflow", "Cloud Run", "クラウドフロント", "#2", "寿司の握り方", "cloudfrontier"]


@pytest.fixture(scope="module", autouse=True)
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The CLI's vector cache goes to a temporary DATA_DIR, not the checkout's data/."""
    folder = tmp_path_factory.mktemp("data")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DATA_DIR", str(folder))
        yield folder


@pytest.fixture(scope="module")
def catalog(data_dir: Path) -> Catalog:
    catalog = Catalog.from_settings(Settings(content_dir=SITE, data_dir=data_dir))
    catalog.load()
    catalog.wait_semantic()
    return catalog


@pytest.mark.parametrize("query", QUERIES)
def test_json_answer_is_the_library_answer(
    catalog: Catalog, query: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["search", "--content", str(SITE), "--json", query]) == 0
    answer = json.loads(capsys.readouterr().out)
    expected = catalog.search(query, 5)
    assert answer["query"] == query
    assert [r["path"] for r in answer["results"]] == [h.episode.path for h in expected.hits]
    assert [r["score"] for r in answer["results"]] == [round(h.score, 1) for h in expected.hits]
    if not expected.hits:
        assert answer["results"] == []
        assert answer["suggestions"] == list(expected.suggestions)


def test_json_result_fields(capsys: pytest.CaptureFixture[str]) -> None:
    main(["search", "--content", str(SITE), "--json", "--limit", "1", "Amazon", "Braket"])
    (result,) = json.loads(capsys.readouterr().out)["results"]
    assert result["path"] == "podcast/0004/index.md"
    assert result["number"] == 4
    assert result["title"] == "クラウドニュースいろいろ"
    assert result["section"] == "Amazon Braketで量子コンピュータを試せる"
    assert result["snippet"].startswith("量子コンピュータのマネージドサービス")
    assert result["player_url"] and result["page_url"]


def test_batch_from_stdin_answers_one_line_per_query(
    catalog: Catalog, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("".join(q + "\n" for q in QUERIES)))
    assert main(["search", "--content", str(SITE), "--json", "--limit", "3"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == len(QUERIES)
    for line, query in zip(lines, QUERIES, strict=True):
        answer = json.loads(line)
        assert answer["query"] == query
        expected = catalog.search(query, 3)
        assert [r["path"] for r in answer["results"]] == [h.episode.path for h in expected.hits]


def test_plain_batch_and_single_query_are_readable(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("Cloud Run\n寿司の握り方\n"))
    main(["search", "--content", str(SITE)])
    first, second = capsys.readouterr().out.splitlines()
    assert first.startswith("Cloud Run\t#5 【GCP】Cloud Run (")
    assert second == "寿司の握り方\tno match"

    main(["search", "--content", str(SITE), "Jeff", "Bezos"])
    out = capsys.readouterr().out
    assert "1. #4 クラウドニュースいろいろ" in out
    assert "§ Jeff Bezosのメール" in out


def test_missing_content_folder_is_a_clean_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["search", "--content", str(tmp_path / "nope"), "kubeflow"]) == 2
    assert "Content folder not found" in capsys.readouterr().err


def test_runs_as_a_module() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bot", "search", "--content", str(SITE), "--json", "#1"],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60,
        check=True,
    )
    assert json.loads(done.stdout)["results"][0]["number"] == 1
