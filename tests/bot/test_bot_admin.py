"""Owner-only commands, command localisation, start-up and the catalog_changed event."""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import discord
import simcord
from discord.ext import commands

from bot.app import EXTENSIONS, create_bot


def synced_payload(env: simcord.Env) -> list[dict]:
    puts = [r for r in env.http_requests if r.method == "PUT" and r.path.endswith("/commands")]
    assert puts, "the command tree was never synced"
    return puts[-1].json


def admin_guild(env: simcord.Env):
    guild = env.create_guild()
    channel = guild.create_text_channel("ops")
    admin = guild.create_role("admins", permissions=discord.Permissions(administrator=True))
    owner = guild.add_member(env.create_user("owner"), roles=[admin])
    intruder = guild.add_member(env.create_user("intruder"), roles=[admin])
    return channel, owner, intruder


async def test_commands_are_localised_in_japanese(env):
    commands_by_name = {c["name"]: c for c in synced_payload(env)}
    assert {"search", "episode", "latest", "links", "admin"} <= set(commands_by_name)
    search = commands_by_name["search"]
    assert search["name_localizations"]["ja"] == "検索"
    assert search["description_localizations"]["ja"]
    query = search["options"][0]
    assert query["name"] == "query" and query["name_localizations"]["ja"] == "キーワード"
    assert query["autocomplete"] is True
    for command in commands_by_name.values():
        assert command["description"] and command["description_localizations"].get("ja")


def untranslated(entries: list[dict], where: str = "") -> Iterator[str]:
    """Every command, subcommand, option and choice (by path) missing Japanese text."""
    for entry in entries:
        path = f"{where} {entry['name']}".strip()
        if not (entry.get("name_localizations") or {}).get("ja"):
            yield f"{path}: name"
        if "description" in entry and not (entry.get("description_localizations") or {}).get("ja"):
            yield f"{path}: description"
        yield from untranslated(entry.get("options") or [], path)
        yield from untranslated(entry.get("choices") or [], path)


async def test_every_command_subcommand_option_and_choice_has_japanese_text(env):
    payload = synced_payload(env)
    assert {"notify", "admin"} <= {c["name"] for c in payload}
    assert list(untranslated(payload)) == []


async def test_owner_commands_are_hidden_from_non_admins_by_default(env):
    admin = {c["name"]: c for c in synced_payload(env)}["admin"]
    administrator = discord.Permissions(administrator=True).value
    assert str(admin["default_member_permissions"]) == str(administrator)


async def test_owner_commands_are_refused_for_a_non_owner_even_with_admin_rights(env):
    channel, _owner, intruder = admin_guild(env)
    before = len(env.http_requests)
    result = await intruder.slash(channel, "admin sync")
    assert result.response.ephemeral
    assert "owner" in result.response.content.lower()
    reload = await intruder.slash(channel, "admin reload")
    assert "owner" in reload.response.content.lower()
    assert not any(r.method == "PUT" for r in env.http_requests[before:])


async def test_owner_can_sync_the_command_tree_on_demand(env):
    channel, owner, _intruder = admin_guild(env)
    env.bot.owner_ids = {owner.id}
    before = len(env.http_requests)
    result = await owner.slash(channel, "admin sync")
    assert f"Synced {len(env.bot.tree.get_commands())} commands" in result.response.content
    assert any(r.method == "PUT" for r in env.http_requests[before:])
    here = await owner.slash(channel, "admin sync", scope="guild")
    assert "guild" in here.response.content


async def test_owner_reload_picks_up_a_new_episode_and_dispatches_catalog_changed(
    make_settings, bot_site, tmp_path
):
    site = tmp_path / "site"
    shutil.copytree(bot_site, site)
    bot = create_bot(make_settings(content_dir=site))
    seen = []

    class Listener(commands.Cog):
        @commands.Cog.listener()
        async def on_catalog_changed(self, change):
            seen.append(change)

    async with simcord.run(bot) as env:
        await env.bot.add_cog(Listener())
        await env.bot.tree.sync()
        channel, owner, _ = admin_guild(env)
        env.bot.owner_ids = {owner.id}
        new = site / "podcast" / "0005"
        new.mkdir()
        text = (site / "podcast" / "0002" / "index.md").read_text(encoding="utf-8")
        (new / "index.md").write_text(text.replace("#2 ", "#5 "), encoding="utf-8")
        result = await owner.slash(channel, "admin reload")
        assert "added 1" in result.response.content
        assert [e.number for e in seen[0].added] == [5]
        shown = await owner.slash(channel, "episode", number="5")
        assert shown.response.embeds[0].title.startswith("#5 ")


async def test_bot_starts_with_default_intents_and_no_message_content(simcord_bot):
    assert not simcord_bot.intents.message_content
    assert simcord_bot.allowed_mentions.everyone is False
    assert simcord_bot.allowed_mentions.users is False
    assert simcord_bot.allowed_mentions.roles is False


async def test_start_loads_the_catalog_and_every_extension_without_syncing(simcord_env):
    assert set(EXTENSIONS) <= set(simcord_env.bot.extensions)
    assert len(simcord_env.bot.catalog.all_episodes) == 5
    assert not any(r.method == "PUT" for r in simcord_env.http_requests)


async def test_bot_starts_even_when_the_content_folder_is_missing(make_settings, tmp_path):
    bot = create_bot(make_settings(content_dir=tmp_path / "nowhere"))
    async with simcord.run(bot) as env:
        await env.bot.tree.sync()
        guild = env.create_guild()
        channel = guild.create_text_channel("general")
        alice = guild.add_member(env.create_user("alice"))
        result = await alice.slash(channel, "latest")
        assert result.response.embeds[0].description
