import os
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from paths import FIXTURES_DIR, ROOT_DIR

from bot.cli.doctor_cmd import FAIL, OK, SKIP, WARN, check_feed, check_git, run_checks
from bot.config import Settings

ROOT = ROOT_DIR
OPS_SITE = FIXTURES_DIR / "ops"
SECRET = "MTIzNDU2Nzg5MDEyMzQ1Njc4.GAbCdE.doctor-secret-value-0123456789abcdef"

RSS = b"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Show</title>
<item><title>#2 Logging</title><link>https://example.com/2</link></item>
<item><title>#1 Health</title><link>https://example.com/1</link></item>
</channel></rss>"""


class FeedHandler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        routes = {
            "/rss": (200, "application/rss+xml", RSS),
            "/html": (200, "text/html", b"<html><body>not a feed</body></html>"),
        }
        status, kind, body = routes.get(self.path, (500, "text/plain", b"boom"))
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def feed_server() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), FeedHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def git(*args: str, cwd: Path | None = None) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


@pytest.fixture
def bare_repo(tmp_path) -> str:
    """A real bare repository with one commit on ``main``, as a file:// URL."""
    bare = tmp_path / "site.git"
    work = tmp_path / "site"
    git("init", "--bare", "-b", "main", str(bare))
    git("init", "-b", "main", str(work))
    (work / "README.md").write_text("site\n")
    git("add", "README.md", cwd=work)
    git("-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-m", "x", cwd=work)
    git("push", str(bare), "main", cwd=work)
    return bare.as_uri()


def by_name(checks):
    return {c.name: c for c in checks}


def healthy_settings(tmp_path: Path, **changes) -> Settings:
    fields = {
        "content_dir": OPS_SITE,
        "data_dir": tmp_path / "data",
        "discord_token": SECRET,
        "site_base_url": "https://example.com/",  # a fit deployment sets it (issue 11)
    }
    return Settings(**{**fields, **changes})


def test_fit_deployment_passes_every_check_and_skips_unset_sources(tmp_path):
    checks = by_name(run_checks(healthy_settings(tmp_path)))
    assert {c.status for c in checks.values()} <= {OK, SKIP}
    assert checks["content"].detail.startswith("2 episodes (2 published)")
    assert checks["feed"].status == SKIP and checks["git"].status == SKIP
    assert checks["state"].status == OK and "will be created" in checks["state"].detail
    assert all(SECRET not in c.detail for c in checks.values())


def test_missing_token_fails(tmp_path):
    checks = by_name(run_checks(healthy_settings(tmp_path, discord_token=None)))
    assert checks["token"].status == FAIL


def test_token_file_is_read_and_a_missing_one_is_named(tmp_path):
    secret_file = tmp_path / "bot_token"
    secret_file.write_text(SECRET + "\n")
    ok = by_name(
        run_checks(healthy_settings(tmp_path, discord_token=None, discord_token_file=secret_file))
    )
    assert ok["token"].status == OK and "bot_token" in ok["token"].detail
    gone = tmp_path / "gone"
    bad = by_name(
        run_checks(healthy_settings(tmp_path, discord_token=None, discord_token_file=gone))
    )
    assert bad["token"].status == FAIL and str(gone) in bad["token"].detail


def test_missing_or_empty_content_fails(tmp_path):
    missing = by_name(run_checks(healthy_settings(tmp_path, content_dir=tmp_path / "nope")))
    assert missing["content"].status == FAIL
    (tmp_path / "empty").mkdir()
    empty = by_name(run_checks(healthy_settings(tmp_path, content_dir=tmp_path / "empty")))
    assert empty["content"].status == FAIL and "no episodes" in empty["content"].detail


def test_broken_note_is_listed_as_a_warning_not_a_failure(tmp_path):
    site = tmp_path / "site"
    (site / "podcast" / "0003").mkdir(parents=True)
    for number in ("0001", "0002"):
        (site / "podcast" / number).mkdir()
        (site / "podcast" / number / "index.md").write_text(
            (OPS_SITE / "podcast" / number / "index.md").read_text()
        )
    (site / "podcast" / "0003" / "index.md").write_text("---\ntitle: [unclosed\n---\nbody\n")
    checks = by_name(run_checks(healthy_settings(tmp_path, content_dir=site)))
    assert checks["content"].status == WARN
    assert any("podcast/0003/index.md" in note for note in checks["content"].notes)


def test_state_under_a_file_instead_of_a_folder_fails(tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    checks = by_name(run_checks(healthy_settings(tmp_path, data_dir=blocker / "data")))
    assert checks["state"].status == FAIL and checks["heartbeat"].status == FAIL


def test_existing_state_file_must_be_a_writable_sqlite_database(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    sqlite3.connect(data / "state.db").close()
    assert by_name(run_checks(healthy_settings(tmp_path)))["state"].status == OK
    (data / "state.db").write_bytes(b"this is not a database" * 10)
    state = by_name(run_checks(healthy_settings(tmp_path)))["state"]
    assert state.status == FAIL and "SQLite" in state.detail


def test_reachable_feed_reports_its_item_count(feed_server):
    check = check_feed(feed_server + "/rss", timeout=5)
    assert check.status == OK and check.detail.endswith("2 items")


@pytest.mark.parametrize(("path", "expected"), [("/fail", "HTTP 500"), ("/html", "not an RSS")])
def test_feed_errors_and_non_feeds_fail(feed_server, path, expected):
    check = check_feed(feed_server + path, timeout=5)
    assert check.status == FAIL and expected in check.detail


def test_unreachable_feed_fails_without_showing_credentials(feed_server):
    port = feed_server.rsplit(":", 1)[1]
    check = check_feed(f"http://user:pa55word@127.0.0.1:{port}/fail?token=abc", timeout=5)
    assert check.status == FAIL
    assert "pa55word" not in check.detail and "token=abc" not in check.detail


def test_git_remote_with_the_branch_passes(bare_repo):
    assert check_git(bare_repo, "main", timeout=30).status == OK


def test_git_remote_without_the_branch_or_unreachable_fails(bare_repo, tmp_path):
    no_branch = check_git(bare_repo, "gh-pages", timeout=30)
    assert no_branch.status == FAIL and "no branch 'gh-pages'" in no_branch.detail
    missing = check_git((tmp_path / "nowhere.git").as_uri(), "main", timeout=30)
    assert missing.status == FAIL


def test_git_failure_never_shows_url_credentials():
    check = check_git("http://user:s3cretpass@127.0.0.1:9/site.git", "main", timeout=30)
    assert check.status == FAIL
    assert "s3cretpass" not in check.detail


def test_doctor_command_exit_status_says_fit_or_not(tmp_path, bare_repo, feed_server):
    environ = {k: v for k, v in os.environ.items() if not k.startswith("DISCORD_")}
    environ.update(
        PYTHONPATH=str(ROOT),
        CONTENT_DIR=str(OPS_SITE),
        DATA_DIR=str(tmp_path / "data"),
        FEED_URL=feed_server + "/rss",
        CONTENT_GIT_URL=bare_repo,
        DISCORD_TOKEN=SECRET,
    )

    def doctor(**env: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "bot", "doctor", "--timeout", "10"],
            cwd=tmp_path,
            env={**environ, **env},
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    fit = doctor()
    assert fit.returncode == 0, fit.stdout + fit.stderr
    assert fit.stdout.strip().endswith("fit to run")
    unfit = doctor(FEED_URL=feed_server + "/fail", DISCORD_TOKEN="")
    assert unfit.returncode == 1
    assert "not fit to run: token, feed failed" in unfit.stdout
    bad = doctor(SITE_TIMEZONE="Mars/Olympus")
    assert bad.returncode == 1 and "SITE_TIMEZONE:" in bad.stdout
    for done in (fit, unfit, bad):
        assert SECRET not in done.stdout + done.stderr


def test_git_source_without_a_checkout_yet_warns_that_the_bot_will_clone(tmp_path, bare_repo):
    checks = by_name(run_checks(healthy_settings(tmp_path, content_git_url=bare_repo)))
    assert checks["content"].status == WARN and "clones" in checks["content"].detail
    assert checks["git"].status == OK
