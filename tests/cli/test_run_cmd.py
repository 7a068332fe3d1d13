import asyncio
import io
import logging
import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import discord
import pytest
import simcord
from paths import FIXTURES_DIR, ROOT_DIR
from unwritable import unwritable

from bot.app import PodcastBot, create_bot
from bot.cli.run_cmd import (
    enabled_sources,
    install_stop_signals,
    preload_catalog,
    serve,
    shutdown,
)
from bot.config import Settings
from bot.health import check_health, read_heartbeat
from bot.library.catalog import Catalog
from bot.logs import setup_logging
from bot.notify.store import Store

ROOT = ROOT_DIR
OPS_SITE = FIXTURES_DIR / "ops"
SECRET = "MTIzNDU2Nzg5MDEyMzQ1Njc4.GAbCdE.run-command-secret-value-0123456789"


def run_cli(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("DISCORD_")}
    environ.update(PYTHONPATH=str(ROOT), DATA_DIR=str(tmp_path / "data"), **env)
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=tmp_path,
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


# -- start-up errors: clear messages, no tracebacks, no secrets ------------------


def test_run_without_token_explains_how_to_get_one_and_how_to_try_offline(tmp_path):
    done = run_cli(tmp_path, "run")
    assert done.returncode != 0
    message = done.stderr
    assert "DISCORD_TOKEN" in message and "DISCORD_TOKEN_FILE" in message
    assert "https://discord.com/developers/applications" in message
    assert '"bot" and "applications.commands"' in message
    assert 'scripts/run ask "' in message
    assert "scripts/run sync" in message  # the step between a token and a working bot
    assert "Traceback" not in message


def test_run_with_unreadable_token_file_names_the_file(tmp_path):
    done = run_cli(tmp_path, "run", DISCORD_TOKEN_FILE=str(tmp_path / "missing-secret"))
    assert done.returncode != 0
    assert "missing-secret cannot be read" in done.stderr


def test_run_with_bad_settings_names_each_variable_and_hides_the_token(tmp_path):
    done = run_cli(tmp_path, "run", DISCORD_TOKEN=SECRET, LOG_LEVEL="LOUD", CATCHUP_LIMIT="-3")
    assert done.returncode == 2
    assert "LOG_LEVEL:" in done.stderr and "CATCHUP_LIMIT:" in done.stderr
    assert SECRET not in done.stdout + done.stderr
    assert "Traceback" not in done.stderr


def test_help_texts_never_show_the_token(tmp_path):
    for args in (["--help"], ["run", "--help"], ["health", "--help"], ["doctor", "--help"]):
        done = run_cli(tmp_path, *args, DISCORD_TOKEN=SECRET)
        assert done.returncode == 0
        assert SECRET not in done.stdout + done.stderr


# -- stopping: signals and a bounded close -----------------------------------


async def test_sigterm_and_sigint_set_the_stop_event():
    for signum in (signal.SIGTERM, signal.SIGINT):
        stop = asyncio.Event()
        remove = install_stop_signals(asyncio.get_running_loop(), stop)
        try:
            os.kill(os.getpid(), signum)
            await asyncio.wait_for(stop.wait(), 5)
        finally:
            remove()
        assert stop.is_set()


async def test_shutdown_closes_a_running_bot_and_marks_it_not_connected(tmp_path):
    bot = create_bot(Settings(content_dir=OPS_SITE, data_dir=tmp_path, watch_content=False))
    async with simcord.run(bot) as env:
        assert read_heartbeat(tmp_path / "health.json").gateway_connected
        assert await shutdown(bot, timeout=10)
        assert bot.is_closed()
        report = check_health(tmp_path / "health.json", now=env.now())
    assert report.reason == "gateway not connected"


class StuckBot:
    """A bot whose close never finishes (a hung send, a stuck thread)."""

    async def close(self) -> None:
        await asyncio.Event().wait()


async def test_shutdown_gives_up_after_its_timeout_instead_of_hanging():
    assert not await shutdown(StuckBot(), timeout=0.05)


class OfflineBot(PodcastBot):
    """The real bot with Discord's login and gateway replaced by local stand-ins."""

    reject_token = False

    async def login(self, token: str) -> None:
        await self._async_setup_hook()
        if self.reject_token:
            raise discord.LoginFailure("Improper token has been passed.")
        await self.setup_hook()

    async def connect(self, *, reconnect: bool = True) -> None:
        self.dispatch("connect")
        while not self.is_closed():
            await asyncio.sleep(0.01)


def offline_bot(tmp_path: Path, **settings) -> tuple[OfflineBot, Settings]:
    config = Settings(content_dir=OPS_SITE, data_dir=tmp_path, watch_content=False, **settings)
    return OfflineBot(config, Catalog.from_settings(config)), config


@pytest.fixture
def log_lines():
    root = logging.getLogger()
    saved = (root.level, list(root.handlers))
    stream = io.StringIO()
    setup_logging(Settings(discord_token=SECRET), stream=stream)
    yield stream
    root.handlers[:] = saved[1]
    root.setLevel(saved[0])


async def test_sigterm_stops_a_running_bot_cleanly(tmp_path, log_lines):
    bot, settings = offline_bot(tmp_path)
    running = asyncio.create_task(serve(bot, SECRET, settings, stop_timeout=10))
    for _ in range(500):
        path = tmp_path / "health.json"
        if path.exists() and read_heartbeat(path).gateway_connected:
            break
        await asyncio.sleep(0.01)
    assert read_heartbeat(tmp_path / "health.json").gateway_connected
    os.kill(os.getpid(), signal.SIGTERM)
    assert await asyncio.wait_for(running, 15) == 0
    assert bot.is_closed()
    assert not read_heartbeat(tmp_path / "health.json").gateway_connected
    out = log_lines.getvalue()
    assert "starting: 2 episodes, 0 content warnings" in out
    assert "SIGTERM received" in out and "stopped" in out
    assert SECRET not in out


async def test_rejected_token_exits_non_zero_with_advice_and_no_secret(tmp_path, log_lines):
    bot, settings = offline_bot(tmp_path)
    bot.reject_token = True
    assert await serve(bot, SECRET, settings) == 1
    out = log_lines.getvalue()
    assert "Discord rejected the token" in out
    assert SECRET not in out


def test_startup_lists_sources_without_credentials():
    settings = Settings(
        feed_url="https://anchor.fm/s/abc/podcast/rss?key=private",
        content_git_url="https://user:ghp_private@github.com/o/site.git",
        watch_poll_seconds=5,
    )
    sources = enabled_sources(settings)
    text = " ".join(sources)
    assert len(sources) == 3 and "polled every 5 s" in sources[0]
    assert "https://github.com/o/site.git main" in text
    assert "https://anchor.fm/s/abc/podcast/rss every 600 s" in text
    assert "private" not in text


# -- the catalog is read before the event loop starts -----------------------------


async def test_a_catalog_read_before_start_is_not_read_again(tmp_path, monkeypatch):
    bot = create_bot(Settings(content_dir=OPS_SITE, data_dir=tmp_path, watch_content=False))
    preload_catalog(bot)
    first = bot.catalog.last_load
    assert first is not None and first.episodes

    def no_second_load():
        raise AssertionError("setup_hook read the notes again")

    monkeypatch.setattr(bot.catalog, "load", no_second_load)
    await bot.load_catalog()
    assert bot.catalog.last_load is first


async def test_a_failed_read_before_start_is_left_to_the_bot(tmp_path, caplog):
    missing = tmp_path / "no-such-folder"
    bot = create_bot(Settings(content_dir=missing, data_dir=tmp_path, watch_content=False))
    with caplog.at_level(logging.ERROR):
        preload_catalog(bot)
    assert bot.catalog.last_load is None
    assert str(missing) in caplog.text


@pytest.mark.parametrize(
    ("damage", "says"),
    [
        (lambda path: path.write_bytes(b""), "state file is empty"),
        (
            lambda path: (
                sqlite3.connect(path)
                .execute("UPDATE schema_version SET version = 'x'")
                .connection.commit()
            ),
            "schema version 'x' is not a number",
        ),
    ],
    ids=["emptied", "schema-version-not-a-number"],
)
async def test_start_up_refuses_an_unusable_state_file_in_one_line_naming_it(
    tmp_path, log_lines, damage, says
):
    bot, settings = offline_bot(tmp_path)
    Store.open(settings.state_file).close()
    damage(settings.state_file)
    assert await serve(bot, SECRET, settings) == 1
    (line,) = [x for x in log_lines.getvalue().splitlines() if "cannot start" in x]
    assert str(settings.state_file) in line and says in line
    assert "Traceback" not in log_lines.getvalue()


async def test_start_up_refuses_a_read_only_state_file_naming_it(tmp_path, log_lines):
    bot, settings = offline_bot(tmp_path)
    Store.open(settings.state_file).close()
    with unwritable(settings.state_file):
        assert await serve(bot, SECRET, settings) == 1
    (line,) = [x for x in log_lines.getvalue().splitlines() if "cannot start" in x]
    assert f"{settings.state_file}: cannot write the state file" in line
    assert "STATE_PATH" in line
