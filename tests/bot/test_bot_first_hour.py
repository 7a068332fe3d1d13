"""Issue 11, as a listener and a server admin meet the bot: help, clean mentions,
discovery, persistent components, short replies, user installs, server language."""

from __future__ import annotations

import discord

from bot.app import create_bot
from bot.i18n import t
from bot.ui.render import render_embed

SEARCH = "search"


def buttons(message) -> list[dict]:
    return [i for row in message.components for i in row["components"] if i["type"] == 2]


def phone_lines(message) -> int:
    """Lines a phone shows: content, each embed's rendered lines (title link not
    counted twice), and one line per row of components (a menu is one closed row)."""
    lines = len((message.content or "").splitlines())
    for embed in message.embeds:
        rendered = render_embed(embed.to_dict())
        lines += len([line for line in rendered if not line.startswith("<http")])
    return lines + len(message.components)


# -- mentions --------------------------------------------------------------------


async def test_a_mention_with_another_users_mention_still_finds_the_episode(world):
    me = world.bot.user
    await world.alice.send(
        world.channel, f"{me.mention} {world.bob.mention} が言ってたkubeflowの回どれ？"
    )
    reply = world.channel.last_message
    assert reply.embeds and "Kubeflow" in reply.embeds[0].title


async def mention_finds_kubeflow(world, texts) -> None:
    for text in texts:
        await world.alice.send(world.channel, text)
        reply = world.channel.last_message
        assert reply.embeds and "Kubeflow" in reply.embeds[0].title, text


async def test_role_and_channel_mentions_and_everyone_are_left_out(world):
    me = world.bot.user
    role = world.guild.create_role("hosts")
    await mention_finds_kubeflow(
        world,
        [
            f"{me.mention} <@&{role.id}> kubeflow",
            f"{me.mention} <#{world.channel.id}> kubeflow",
            f"{me.mention} @everyone @here kubeflow",
        ],
    )


async def test_custom_emoji_and_a_leading_command_word_are_left_out(world):
    me = world.bot.user
    await mention_finds_kubeflow(
        world,
        [
            f"{me.mention} <:party:123456789012345678> kubeflow",
            f"{me.mention} /search kubeflow",
            f"{me.mention} search kubeflow",
        ],
    )


async def test_an_unanswered_mention_echoes_names_not_ids(world):
    me = world.bot.user
    await world.alice.send(world.channel, f"{me.mention} {world.bob.mention} zzqxjv")
    reply = world.channel.last_message
    assert "@bob" in reply.content and str(world.bob.id) not in reply.content


# -- help ------------------------------------------------------------------------


async def test_help_words_and_an_empty_mention_answer_with_short_japanese_help(world):
    me = world.bot.user
    for text in ("help", "ヘルプ", "使い方", ""):
        await world.alice.send(world.channel, f"{me.mention} {text}")
        reply = world.channel.last_message
        assert reply.content.startswith("**使い方**"), text
        assert "/search" in reply.content and "/random" in reply.content
        assert len(reply.content.splitlines()) <= 10 and not reply.embeds


async def test_help_command_answers_in_the_users_language(world):
    result = await world.alice.slash(world.channel, "help")  # SimCord's locale: en-US
    assert result.response.ephemeral
    assert result.response.content.startswith("**How to use me**")
    assert "`/episode 16`" in result.response.content


# -- discovery -------------------------------------------------------------------


async def test_random_gives_a_published_episode_and_within_a_topic_only_matches(world):
    published = {e.label for e in world.bot.catalog.published()}
    for _ in range(5):  # any published episode, specials (no number) included
        result = await world.alice.slash(world.channel, "random")
        assert result.response.embeds[0].title in published
    for _ in range(3):
        picked = await world.alice.slash(world.channel, "random", topic="コールドスタート")
        assert picked.response.embeds[0].title.startswith("#2 ")
    none = await world.alice.slash(world.channel, "random", topic="zzqxjv")
    assert none.response.ephemeral and "zzqxjv" in none.response.content


async def test_an_episode_reply_names_related_episodes(world):
    result = await world.alice.slash(world.channel, "episode", number="1")
    names = [f.name for f in result.response.embeds[0].fields]
    assert "Related episodes" in names


async def test_previous_and_next_buttons_walk_the_episodes(world):
    result = await world.alice.slash(world.channel, "episode", number="2")
    await world.alice.click(result.response, label="#3 →")
    assert result.response.embeds[0].title.startswith("#3 ")
    await world.alice.click(result.response, label="← #2")
    assert result.response.embeds[0].title.startswith("#2 ")


async def test_a_missing_number_names_the_nearest_ones(make_settings, make_site):
    import simcord

    site = make_site({"podcast/0035/index.md": NOTE.format(number=35)})
    async with simcord.run(create_bot(make_settings(content_dir=site))) as env:
        await env.bot.tree.sync()
        guild = env.create_guild()
        channel = guild.create_text_channel("general")
        alice = guild.add_member(env.create_user("alice"))
        result = await alice.slash(channel, "episode", number="34")
        assert result.response.ephemeral
        assert "#3, #35" in result.response.content


NOTE = """---
title: "#{number} 追加の回"
date: 2024-06-01T00:00:00+09:00
summary: "追加の回。"
---

<iframe src="https://anchor.fm/testcast/embed/episodes/extra-{number}"></iframe>
"""


async def test_the_archive_pages_through_every_episode(make_settings, make_site):
    import simcord

    notes = {f"podcast/{n:04d}/index.md": NOTE.format(number=n) for n in range(10, 22)}
    site = make_site(notes)
    async with simcord.run(create_bot(make_settings(content_dir=site))) as env:
        await env.bot.tree.sync()
        guild = env.create_guild()
        channel = guild.create_text_channel("general")
        alice = guild.add_member(env.create_user("alice"))
        result = await alice.slash(channel, "episodes")
        first = result.response.embeds[0]
        assert first.footer.text.startswith("Page 1 of 2")
        assert "#1 " in first.description
        await alice.click(result.response, label="Next")
        assert result.response.embeds[0].footer.text.startswith("Page 2 of 2")
        assert "#21 " in result.response.embeds[0].description
        year = await alice.slash(channel, "episodes", year=2024)
        assert year.response.embeds[0].title == "Episodes of 2024"
        empty = await alice.slash(channel, "episodes", year=2001)
        assert empty.response.ephemeral and "2024" in empty.response.content


# -- persistent components ---------------------------------------------------------


async def test_buttons_after_a_restart_give_others_a_private_copy_with_buttons(world, bot_settings):
    paged = await world.alice.slash(world.channel, "links", episode="#3")
    await world.env.restart_bot(create_bot(bot_settings))
    await world.env.advance_time(3600)
    other = await world.bob.click(paged.response, label="Next")
    assert other.response.ephemeral
    assert other.response.embeds[0].footer.text.startswith("Page 2 of ")
    assert {b["label"] for b in buttons(other.response)} >= {"Previous", "Next"}
    assert paged.response.embeds[0].footer.text.startswith("Page 1 of ")  # alice's unchanged


async def test_all_links_under_a_search_card_opens_them_privately(world):
    result = await world.alice.slash(world.channel, SEARCH, query="量子コンピューティング")
    label = next(b["label"] for b in buttons(result.response) if b["label"].startswith("All"))
    opened = await world.alice.click(result.response, label=label)
    assert opened.response.ephemeral
    assert opened.response.embeds[0].title.startswith("Links of #3")


# -- short replies -----------------------------------------------------------------


async def test_a_search_reply_fits_about_twelve_phone_lines(world):
    for query in ("kubeflow", "量子コンピューティング", "API", "コールドスタート"):
        result = await world.alice.slash(world.channel, SEARCH, query=query)
        assert phone_lines(result.response) <= 12, query
        embed = result.response.embeds[0]
        links = next((f for f in embed.fields if f.name.startswith("Links")), None)
        assert links is None or len(links.value.splitlines()) <= 3


async def test_the_snippet_never_repeats_the_summary(world):
    result = await world.alice.slash(world.channel, SEARCH, query="kubeflow")
    embed = result.response.embeds[0]
    summary = (embed.description or "")[:30]
    for field in embed.fields:
        if field.name.startswith("Matched"):
            assert summary not in field.value


async def test_an_episode_without_links_does_not_point_at_links(make_settings, make_site):
    import simcord

    site = make_site({"podcast/0035/index.md": NOTE.format(number=35)})
    async with simcord.run(create_bot(make_settings(content_dir=site))) as env:
        await env.bot.tree.sync()
        guild = env.create_guild()
        channel = guild.create_text_channel("general")
        alice = guild.add_member(env.create_user("alice"))
        result = await alice.slash(channel, "episode", number="35")
        embed = result.response.embeds[0]
        assert "/links" not in (embed.footer.text or "")
        assert not [b for b in buttons(result.response) if b["label"].startswith("All links")]


async def test_episode_autocomplete_for_1_lists_1_before_the_teens(make_settings, make_site):
    import simcord

    notes = {f"podcast/{n:04d}/index.md": NOTE.format(number=n) for n in range(10, 20)}
    async with simcord.run(create_bot(make_settings(content_dir=make_site(notes)))) as env:
        await env.bot.tree.sync()
        guild = env.create_guild()
        channel = guild.create_text_channel("general")
        alice = guild.add_member(env.create_user("alice"))
        choices = await alice.autocomplete(channel, "episode", "number", "1")
        assert choices[0]["value"] == "#1"


# -- installs and contexts ---------------------------------------------------------


async def test_search_commands_work_everywhere_and_admin_ones_only_in_servers(env):
    by_name = {c.name: c for c in env.bot.tree.get_commands()}
    for name in ("search", "episode", "latest", "links", "random", "episodes", "help"):
        command = by_name[name]
        installs = command.allowed_installs
        assert installs.guild and installs.user, name
        contexts = command.allowed_contexts
        assert contexts.guild and contexts.dm_channel and contexts.private_channel, name
    for name in ("notify", "settings", "admin"):
        command = by_name[name]
        assert command.allowed_contexts.guild and not command.allowed_contexts.dm_channel
        assert not command.allowed_installs.user, name


# -- per-server language -------------------------------------------------------------


async def test_settings_language_needs_manage_server_and_sets_mention_replies(world, bot_settings):
    # Discord hides it from bob by default; a server may show it to him anyway, and the
    # bot still refuses: the permission is checked on every call.
    [synced] = [c for c in await world.bot.tree.fetch_commands() if c.name == "settings"]
    world.guild.set_command_permissions(synced, {world.bob: True})
    refused = await world.bob.slash(world.channel, "settings language", language="en")
    assert refused.response.ephemeral and "Manage Server" in refused.response.content
    mods = world.guild.create_role("mods", permissions=discord.Permissions(manage_guild=True))
    admin = world.guild.add_member(world.env.create_user("admin"), roles=[mods])
    done = await admin.slash(world.channel, "settings language", language="en")
    assert done.response.content == t("language_set", "en")
    await world.alice.send(world.channel, f"{world.bot.user.mention} help")
    assert world.channel.last_message.content.startswith("**How to use me**")
    # stored in the state file: a restarted bot still answers in English
    await world.env.restart_bot(create_bot(bot_settings))
    await world.alice.send(world.channel, f"{world.env.bot.user.mention} kubeflow")
    assert world.channel.last_message.embeds[0].footer.text.startswith("Released")
    # the user's own locale still wins for slash commands? SimCord's is en-US here;
    # the locale tests cover ja; back to automatic clears it
    await admin.slash(world.channel, "settings language", language="auto")
    await world.alice.send(world.channel, f"{world.env.bot.user.mention} help")
    assert world.channel.last_message.content.startswith("**使い方**")


def test_notify_texts_name_permissions_and_watch_modes_in_the_users_language():
    from typing import get_args

    from bot.cogs.notify.cog import REQUIRED
    from bot.library.watch import Mode

    for name in REQUIRED:
        assert t(f"perm_{name}", "ja") != name and "_" not in t(f"perm_{name}", "ja")
    for mode in get_args(Mode):
        assert t(f"watch_{mode}", "ja").isascii() is False  # no English in Japanese status
