"""``python -m bot check | list | show`` on the fixture sites."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from paths import FIXTURES_DIR, ROOT_DIR

from bot.cli import main

FIXTURES = FIXTURES_DIR / "content"
SITE = FIXTURES / "site"
BROKEN = FIXTURES / "broken"
ROOT = ROOT_DIR


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("CONTENT_DIR", "SITE_BASE_URL", "PODCAST_SECTIONS", "SITE_TIMEZONE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)  # no stray .env


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def test_check_reports_counts_gaps_drafts_and_future(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "check", "--content", str(SITE))
    assert status == 0
    assert "17 episodes (15 numbered, 2 without a number) from 22 pages" in out
    assert "Without a number: 2\n  post/advent.md" in out
    assert "Without a player: 2\n  podcast/0007/index.md  #70 プレイヤーのない回" in out
    assert "Drafts: 1\n  podcast/0008/index.md" in out
    assert "Not published yet (future date): 1\n  podcast/0009/index.md" in out
    assert "Expired: 1\n  podcast/0010/index.md" in out
    assert "Warnings: 0" in out


def test_check_lists_every_warning_with_its_file(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "check", "--content", str(BROKEN))
    assert status == 0
    assert "Warnings: 10" in out
    assert "  podcast/0006/index.md: empty file; skipped" in out
    assert "  podcast/0009/index.md: episode number 1 is also used by podcast/0001/index.md" in out


def test_check_on_a_missing_folder_exits_2_with_a_clear_message(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    status, out, err = run(capsys, "check", "--content", str(tmp_path / "nope"))
    assert status == 2
    assert out == ""
    assert "content folder not found" in err and "--content" in err


def test_content_folder_comes_from_the_environment(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CONTENT_DIR", str(BROKEN))
    _, out, _ = run(capsys, "check")
    assert f"Content folder: {BROKEN}" in out


def test_list_prints_one_line_per_episode_oldest_first(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "list", "--content", str(SITE))
    lines = out.splitlines()
    assert status == 0 and len(lines) == 17
    assert lines[0].split() == [
        "-",
        "2020-12-06",
        "アドベントカレンダーの特別回",
        "(post/advent.md)",
    ]
    assert lines[1].startswith("   #1  2021-01-10  【AWS】S3のストレージクラス")
    assert "[draft]" in next(line for line in lines if "#8" in line)
    assert "[future: 2099-03-07" in lines[-1]


def test_list_json_has_every_episode_with_iso_dates(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "list", "--json", "--content", str(SITE))
    data = json.loads(out)
    assert status == 0 and len(data) == 17
    first = next(d for d in data if d["number"] == 1)
    assert first["date"] == "2021-01-10T21:00:00+09:00"
    assert first["path"] == "podcast/0001/index.md"
    assert first["player_url"] == "https://anchor.fm/testshow/episodes/AWSS3-e1aaa1"
    assert first["published"] is True
    assert next(d for d in data if d["number"] == 8)["published"] is False


def test_show_by_number_prints_fields_sections_and_references(
    capsys: pytest.CaptureFixture[str],
) -> None:
    status, out, _ = run(capsys, "show", "2", "--content", str(SITE))
    assert status == 0
    assert out.startswith("#2 クラウドニュース色々\n")
    assert "  player:       https://anchor.fm/testshow/episodes/news-e1bbb2" in out
    assert "  embed:        https://anchor.fm/testshow/embed/episodes/news-e1bbb2" in out
    assert "### ピックアップニュース > Lambdaの新機能（InfoQ）  #lambdaの新機能infoq" in out
    assert "References (11):" in out
    assert (
        "  [Kubernetesの話] Kubeflowのドキュメント\n      https://kubeflow.org/docs/started/" in out
    )


@pytest.mark.parametrize(
    "key", ["#2", "podcast/0002/index.md", "podcast/0002", "podcast/0002/", "0002/index.md"]
)
def test_show_finds_an_episode_by_number_or_path(
    capsys: pytest.CaptureFixture[str], key: str
) -> None:
    status, out, _ = run(capsys, "show", key, "--json", "--content", str(SITE))
    assert status == 0
    assert json.loads(out)["path"] == "podcast/0002/index.md"


def test_show_accepts_a_file_system_path_inside_the_folder(
    capsys: pytest.CaptureFixture[str],
) -> None:
    note = SITE / "podcast" / "0034" / "index.md"
    status, out, _ = run(capsys, "show", str(note), "--json", "--content", str(SITE))
    assert status == 0 and json.loads(out)["number"] == 35


def test_show_json_has_references_with_sections_and_all_fields(
    capsys: pytest.CaptureFixture[str],
) -> None:
    _, out, _ = run(capsys, "show", "1", "--json", "--content", str(SITE))
    data = json.loads(out)
    assert data["summary"].startswith("山田がS3")
    assert data["authors"] == ["yamada", "suzuki"]
    assert data["sections"] == [{"heading": "", "level": 0, "path": [], "anchor": "", "text": ""}]
    _, out, _ = run(capsys, "show", "2", "--json", "--content", str(SITE))
    refs = json.loads(out)["references"]
    assert refs[1] == {
        "text": "Lambdaの新機能（InfoQ）",
        "url": "https://www.infoq.com/news/lambda-feature/",
        "section": "Lambdaの新機能（InfoQ）",
    }


def test_show_with_a_duplicate_number_prints_both(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "show", "1", "--json", "--content", str(BROKEN))
    assert status == 0
    assert [d["path"] for d in json.loads(out)] == [
        "podcast/0001/index.md",
        "podcast/0009/index.md",
    ]


def test_show_unknown_episode_exits_1(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(capsys, "show", "404", "--content", str(SITE))
    assert status == 1 and out == ""
    assert "no episode '404'" in err


def test_python_m_bot_check_runs_as_a_program(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "CONTENT_DIR"}
    done = subprocess.run(
        [sys.executable, "-m", "bot", "check", "--content", str(SITE)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "17 episodes" in done.stdout


def test_output_piped_to_a_reader_that_stops_early_ends_without_a_traceback() -> None:
    # "scripts/run list | head": the reader closes the pipe before the listing is written
    env = {k: v for k, v in os.environ.items() if k != "CONTENT_DIR"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot", "list", "--content", str(SITE)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()
    err = proc.stderr.read().decode("utf-8", "replace")
    assert proc.wait(timeout=120) == 1
    assert "Traceback" not in err, err
