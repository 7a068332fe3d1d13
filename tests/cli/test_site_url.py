"""Show-notes links by default: SITE_BASE_URL, else the site's Hugo ``baseURL``; the
setup checks warn when links would point at localhost or the site root was given."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from paths import FIXTURES_DIR, ROOT_DIR

from bot.cli.doctor_cmd import OK, WARN, check_site_url
from bot.config import Settings
from bot.content.siteconfig import choose_base_url
from bot.library.catalog import Catalog

SITE = FIXTURES_DIR / "bot_site"


def run_cli(cwd: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {
        k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "SITE_", "CONTENT"))
    }
    environ.update(PYTHONPATH=str(ROOT_DIR), DATA_DIR=str(cwd / "data"), **env)
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=cwd,
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture
def site_root(tmp_path: Path) -> Path:
    """A Hugo site root: content/ and nothing else yet."""
    root = tmp_path / "site"
    shutil.copytree(SITE, root / "content")
    return root


@pytest.mark.parametrize(
    "config",
    [
        ("config.toml", 'baseURL = "https://kumo.example.org"\n'),
        ("hugo.toml", "baseurl = 'https://kumo.example.org/'\n"),
        ("config/_default/config.yaml", "baseURL: https://kumo.example.org/\n"),
        ("config/_default/hugo.json", '{"baseURL": "https://kumo.example.org"}'),
    ],
)
def test_base_url_comes_from_the_hugo_config_and_names_the_file(site_root, config):
    name, text = config
    (site_root / name).parent.mkdir(parents=True, exist_ok=True)
    (site_root / name).write_text(text, encoding="utf-8")
    chosen = choose_base_url(None, site_root / "content")
    assert chosen.url == "https://kumo.example.org/"
    assert chosen.source == f"baseURL in {site_root / name}"
    catalog = Catalog.from_settings(Settings(content_dir=site_root / "content"))
    catalog.load()
    assert catalog.published()[0].page_url.startswith("https://kumo.example.org/podcast/")


def test_site_base_url_wins_over_the_hugo_config(site_root):
    (site_root / "config.toml").write_text('baseURL = "https://old.example.org/"\n')
    settings = Settings(content_dir=site_root / "content", site_base_url="https://new.example.org")
    check = check_site_url(settings)
    assert check.status == OK and "https://new.example.org/ (from SITE_BASE_URL)" in check.detail


def test_doctor_warns_when_links_would_point_at_localhost(site_root):
    check = check_site_url(Settings(content_dir=site_root / "content"))
    assert check.status == WARN
    assert "SITE_BASE_URL" in check.detail and "http://localhost:1313/" in check.detail


def test_doctor_does_not_warn_for_the_bundled_sample():
    check = check_site_url(Settings())
    assert check.status == OK and "(from default)" in check.detail


def test_doctor_command_prints_the_site_url_warning(site_root):
    done = run_cli(site_root, "doctor", "--content", "content")
    assert "warn  site url  SITE_BASE_URL is not set" in done.stdout


def test_run_logs_the_site_url_warning(site_root):
    done = run_cli(site_root, "run", CONTENT_DIR=str(site_root / "content"))
    assert done.returncode == 2  # no token
    assert "WARNING" in done.stderr and "SITE_BASE_URL is not set" in done.stderr


def test_check_warns_when_given_the_site_root(site_root):
    done = run_cli(site_root, "check", "--content", str(site_root))
    assert done.returncode == 0
    assert f"warning: {site_root} holds a content/ folder" in done.stdout
    assert str(site_root / "content") in done.stdout


def test_check_says_which_base_url_it_used(site_root):
    (site_root / "hugo.toml").write_text('baseURL = "https://kumo.example.org/"\n')
    done = run_cli(site_root, "check", "--content", "content")
    assert "Show-notes links: https://kumo.example.org/ (from baseURL in" in done.stdout
    assert "holds a content/ folder" not in done.stdout
