import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import simcord
from paths import FIXTURES_DIR, ROOT_DIR

from bot.app import create_bot
from bot.config import Settings
from bot.health import Heartbeat, check_health, read_heartbeat, write_heartbeat

ROOT = ROOT_DIR
OPS_SITE = FIXTURES_DIR / "ops"
NOW = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


def beat(**changes) -> Heartbeat:
    fields = {"at": NOW, "gateway_connected": True, "index_loaded": True, "episodes": 2}
    return Heartbeat(**{**fields, **changes})


def test_fresh_connected_loaded_heartbeat_is_healthy(tmp_path):
    path = tmp_path / "health.json"
    write_heartbeat(path, beat(guilds=3, latency_ms=41.7))
    report = check_health(path, now=NOW + timedelta(seconds=20))
    assert report.healthy
    assert "2 episodes" in report.reason and "3 guilds" in report.reason


def test_stale_heartbeat_is_unhealthy_even_when_it_says_connected(tmp_path):
    path = tmp_path / "health.json"
    write_heartbeat(path, beat())
    report = check_health(path, now=NOW + timedelta(seconds=300), max_age=90)
    assert not report.healthy
    assert "300 s old" in report.reason


def test_disconnected_gateway_is_unhealthy(tmp_path):
    path = tmp_path / "health.json"
    write_heartbeat(path, beat(gateway_connected=False))
    assert check_health(path, now=NOW).reason == "gateway not connected"


def test_unloaded_index_is_unhealthy(tmp_path):
    path = tmp_path / "health.json"
    write_heartbeat(path, beat(index_loaded=False, episodes=0))
    assert check_health(path, now=NOW).reason == "episode index not loaded"


def test_missing_or_garbage_heartbeat_is_unhealthy(tmp_path):
    path = tmp_path / "health.json"
    assert "no heartbeat file" in check_health(path, now=NOW).reason
    path.write_text("{not json")
    report = check_health(path, now=NOW)
    assert not report.healthy and "unreadable" in report.reason
    path.write_text('{"at": "yesterday", "gateway_connected": true, "index_loaded": true}')
    assert not check_health(path, now=NOW).healthy


def test_heartbeat_round_trips_and_leaves_no_temporary_files(tmp_path):
    path = tmp_path / "nested" / "health.json"
    original = beat(latency_ms=None, pid=1234)
    write_heartbeat(path, original)
    write_heartbeat(path, original)
    assert read_heartbeat(path) == original
    assert [p.name for p in path.parent.iterdir()] == ["health.json"]


# -- the running bot keeps it fresh (SimCord) -------------------------------


def make_bot(tmp_path: Path, content: Path = OPS_SITE):
    settings = Settings(content_dir=content, data_dir=tmp_path, watch_content=False)
    return create_bot(settings)


async def test_running_bot_reports_healthy_with_its_episode_count(tmp_path):
    bot = make_bot(tmp_path)
    async with simcord.run(bot) as env:
        env.create_guild()
        report = check_health(tmp_path / "health.json", now=env.now())
        assert report.healthy, report.reason
        assert report.heartbeat is not None and report.heartbeat.episodes == 2


async def test_heartbeat_is_refreshed_while_the_bot_runs(tmp_path):
    bot = make_bot(tmp_path)
    async with simcord.run(bot) as env:
        first = read_heartbeat(tmp_path / "health.json").at
        await env.advance_time(95)
        later = read_heartbeat(tmp_path / "health.json").at
        assert later - first >= timedelta(seconds=60)
        assert check_health(tmp_path / "health.json", now=env.now()).healthy


async def test_gateway_disconnect_turns_unhealthy_and_resume_recovers(tmp_path):
    bot = make_bot(tmp_path)
    async with simcord.run(bot) as env:
        health = bot.get_cog("Health")
        bot.dispatch("disconnect")  # from the test, not the gateway: settle() leaves it be
        await env.settle()
        await health.written()
        report = check_health(tmp_path / "health.json", now=env.now())
        assert report.reason == "gateway not connected"
        bot.dispatch("resumed")
        await env.settle()
        await health.written()
        assert check_health(tmp_path / "health.json", now=env.now()).healthy


async def test_bot_with_empty_content_is_unhealthy(tmp_path):
    empty = tmp_path / "content"
    empty.mkdir()
    bot = make_bot(tmp_path, content=empty)
    async with simcord.run(bot) as env:
        report = check_health(tmp_path / "health.json", now=env.now())
        assert report.reason == "episode index not loaded"


async def test_closing_the_bot_leaves_the_heartbeat_saying_not_connected(tmp_path):
    bot = make_bot(tmp_path)
    async with simcord.run(bot) as env:
        now = env.now()
        await bot.close()
    assert check_health(tmp_path / "health.json", now=now).reason == "gateway not connected"


# -- `python -m bot health`, the container's HEALTHCHECK ---------------------


def run_health(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "HEALTH_"))}
    environ.update(PYTHONPATH=str(ROOT), DATA_DIR=str(tmp_path), **env)
    return subprocess.run(
        [sys.executable, "-m", "bot", "health"],
        cwd=tmp_path,
        env=environ,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_health_command_exits_zero_for_a_fresh_heartbeat(tmp_path):
    write_heartbeat(tmp_path / "health.json", beat(at=datetime.now(UTC)))
    done = run_health(tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.startswith("healthy:")


@pytest.mark.parametrize("state", ["missing", "stale", "disconnected"])
def test_health_command_exits_one_when_unhealthy(tmp_path, state):
    path = tmp_path / "custom" / "beat.json"
    if state == "stale":
        write_heartbeat(path, beat(at=datetime.now(UTC) - timedelta(minutes=10)))
    elif state == "disconnected":
        write_heartbeat(path, beat(at=datetime.now(UTC), gateway_connected=False))
    done = run_health(tmp_path, HEALTH_FILE=str(path))
    assert done.returncode == 1
    assert done.stdout.startswith("unhealthy:")


def test_health_command_never_prints_the_token(tmp_path):
    secret = "health-check-must-not-print-this"
    write_heartbeat(tmp_path / "health.json", beat(at=datetime.now(UTC)))
    done = run_health(tmp_path, DISCORD_TOKEN=secret)
    bad_config = run_health(tmp_path, DISCORD_TOKEN=secret, LOG_FORMAT="xml")
    assert bad_config.returncode == 1 and "LOG_FORMAT" in bad_config.stdout
    for output in (done.stdout, done.stderr, bad_config.stdout, bad_config.stderr):
        assert secret not in output
