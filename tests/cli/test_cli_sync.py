"""python -m bot sync: the first publication of the slash commands, before /admin sync exists."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import discord
import pytest
import simcord

from bot.app import PodcastBot
from bot.cli import main
from bot.cli.sync_cmd import sync_with_token
from bot.publish import publish_commands


async def test_commands_work_once_published_globally(simcord_env: simcord.Env) -> None:
    guild = simcord_env.create_guild()
    channel = guild.create_text_channel("general")
    alice = guild.add_member(simcord_env.create_user("alice"))
    count, where = await publish_commands(simcord_env.bot)
    assert where == "global"
    assert count == len(simcord_env.bot.tree.get_commands())
    reply = await alice.slash(channel, "latest")
    assert reply.response.embeds


async def test_commands_can_be_published_to_one_server(simcord_env: simcord.Env) -> None:
    guild = simcord_env.create_guild()
    channel = guild.create_text_channel("general")
    alice = guild.add_member(simcord_env.create_user("alice"))
    count, where = await publish_commands(simcord_env.bot, guild.id)
    assert where == f"guild {guild.id}" and count > 0
    reply = await alice.slash(channel, "latest")
    assert reply.response.embeds


@pytest.fixture
def restore_logging() -> Iterator[None]:
    """The CLI sets up logging on the root logger: put it back for the tests after."""
    root = logging.getLogger()
    saved = (root.level, list(root.handlers))
    yield
    root.handlers[:] = saved[1]
    root.setLevel(saved[0])


@pytest.mark.usefixtures("restore_logging")
def test_sync_without_a_token_explains_how_to_get_one(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path
) -> None:
    for name in ("DISCORD_TOKEN", "DISCORD_TOKEN_FILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)  # no .env here
    assert main(["sync"]) == 2
    assert "DISCORD_TOKEN" in capsys.readouterr().err


async def test_a_refused_token_is_reported_without_a_traceback(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], make_settings
) -> None:
    async def refuse(self: PodcastBot, token: str) -> None:
        raise discord.LoginFailure("Improper token has been passed.")

    monkeypatch.setattr(PodcastBot, "login", refuse)
    secret = "MTIz.secret-token-value"
    assert await sync_with_token(make_settings(), secret, None) == 1
    err = capsys.readouterr().err
    assert "refused the token" in err and secret not in err


async def test_a_server_copy_can_be_cleared(simcord_env: simcord.Env) -> None:
    guild = simcord_env.create_guild()
    await publish_commands(simcord_env.bot, guild.id)
    count, where = await publish_commands(simcord_env.bot, guild.id, clear=True)
    assert (count, where) == (0, f"guild {guild.id}")
