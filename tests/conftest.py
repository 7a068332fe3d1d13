"""Shared fixtures: settings on the bundled test site and a running SimCord world.

* ``bot_site`` -> the folder of the small test site (copy it before changing it).
* ``make_settings(**changes)`` -> ``Settings`` on ``tests/fixtures/bot_site`` with all
  state under ``tmp_path`` and no background watchers.
* ``simcord_bot`` -> the real bot built by ``create_bot`` (SimCord's ``simcord_env``
  fixture runs it; mark a test ``@pytest.mark.simcord(...)`` for SimCord options).
* ``env`` -> ``simcord_env`` with the command tree synced (as ``/admin sync`` would).
* ``world`` -> ``env`` plus a guild, a ``#general`` channel and members alice and bob.
* ``make_site({relative path: note text})`` -> a copy of the test site in ``tmp_path``
  with those notes added (for tests that need notes of their own).
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import simcord

from bot.app import PodcastBot, create_bot
from bot.config import Settings

FIXTURES = Path(__file__).parent / "fixtures"
BOT_SITE = FIXTURES / "bot_site"


@pytest.fixture
def bot_site() -> Path:
    """The small test site (read-only: copy it to change it)."""
    return BOT_SITE


@pytest.fixture
def make_settings(tmp_path: Path) -> Callable[..., Settings]:
    def make(**changes: Any) -> Settings:
        values: dict[str, Any] = {
            "content_dir": BOT_SITE,
            "data_dir": tmp_path,
            "state_path": tmp_path / "state.db",
            "health_file": tmp_path / "health.json",
            "watch_content": False,
            "semantic_search": False,  # tests that need it turn it on
        }
        values.update(changes)
        return Settings(**values)

    return make


@pytest.fixture
def make_site(tmp_path: Path) -> Callable[[dict[str, str]], Path]:
    def make(notes: dict[str, str]) -> Path:
        site = tmp_path / "site"
        shutil.copytree(BOT_SITE, site)
        for relative, text in notes.items():
            path = site / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        return site

    return make


@pytest.fixture
def bot_settings(make_settings: Callable[..., Settings]) -> Settings:
    return make_settings()


@pytest.fixture
def simcord_bot(bot_settings: Settings) -> PodcastBot:
    return create_bot(bot_settings)


@pytest.fixture
async def env(simcord_env: simcord.Env) -> simcord.Env:
    await simcord_env.bot.tree.sync()
    return simcord_env


@dataclass
class World:
    env: simcord.Env
    guild: simcord.GuildHandle
    channel: simcord.ChannelHandle
    alice: simcord.MemberActor
    bob: simcord.MemberActor

    @property
    def bot(self) -> PodcastBot:
        return self.env.bot  # type: ignore[return-value]


@pytest.fixture
def world(env: simcord.Env) -> World:
    guild = env.create_guild(name="podcast-fans")
    channel = guild.create_text_channel("general")
    alice = guild.add_member(env.create_user("alice"))
    bob = guild.add_member(env.create_user("bob"))
    return World(env, guild, channel, alice, bob)
