"""/search, its autocomplete, and answers to mentions and DMs, driven through SimCord."""

from __future__ import annotations

import logging

import discord
import pytest
import simcord
from discord import app_commands

from bot.app import create_bot
from bot.logs import user_ref
from bot.ui.components import PREFIX
from bot.ui.render import render_message

SEARCH = "search"


def select_of(message) -> dict:
    for row in message.components:
        for item in row["components"]:
            if item["type"] == 3:
                return item
    raise AssertionError("no select menu in the message")


def link_urls(message) -> dict[str, str]:
    return {
        item["label"]: item["url"]
        for row in message.components
        for item in row["components"]
        if item["type"] == 2 and item.get("url")
    }


def posted_messages(env: simcord.Env) -> list[dict]:
    """Bodies of every message the bot sent (channel posts and interaction replies)."""
    bodies = []
    for request in env.http_requests:
        body = request.json
        if not isinstance(body, dict):
            continue
        data = body.get("data") if "type" in body and "data" in body else body
        if isinstance(data, dict) and ("content" in data or "embeds" in data):
            bodies.append(data)
    return bodies


# -- /search ---------------------------------------------------------------------


async def test_search_answers_with_the_best_episode_and_its_links(world):
    result = await world.alice.slash(world.channel, SEARCH, query="kubeflow")
    message = result.response
    embed = message.embeds[0]
    assert embed.title.startswith("#1 ")
    assert "Kubeflow" in embed.title
    assert embed.url == "http://localhost:1313/podcast/0001/"
    assert embed.description  # the summary
    assert embed.footer.text.startswith("Released ")  # the short card: date in the footer
    links = link_urls(message)
    assert links["Listen"] == "https://anchor.fm/testcast/episodes/GCPKubeflow-aaa111"
    assert links["Show notes"] == "http://localhost:1313/podcast/0001/"
    assert not message.ephemeral


async def test_search_shows_the_matched_section_and_its_links_first(world):
    result = await world.alice.slash(world.channel, SEARCH, query="コールドスタート")
    embed = result.response.embeds[0]
    assert embed.title.startswith("#2 ")
    matched = next(f for f in embed.fields if f.name.startswith("Matched"))
    assert "コールドスタート" in matched.name
    links = next(f for f in embed.fields if f.name.startswith("Links"))
    assert links.value.splitlines()[0].startswith("• [Lambdaのコールドスタート対策まとめ]")


async def test_search_never_shows_drafts(world):
    result = await world.alice.slash(world.channel, SEARCH, query="Kubeflowの続き")
    text = render_message(result.response)
    assert "下書き" not in text


async def test_picking_another_match_edits_the_message_for_the_asker(world):
    result = await world.alice.slash(world.channel, SEARCH, query="API")
    message = result.response
    select = select_of(message)
    assert 2 <= len(select["options"]) <= 25
    first_title = message.embeds[0].title
    other = select["options"][1]
    await world.alice.select(message, [other["value"]])
    updated = result.response  # read back from the simulated Discord
    assert updated.embeds[0].title != first_title
    assert updated.embeds[0].title.startswith(other["label"][:20])
    assert select_of(updated)["options"][1].get("default") is True


async def test_someone_else_picking_a_match_gets_a_private_copy(world):
    result = await world.alice.slash(world.channel, SEARCH, query="API")
    message = result.response
    first_title = message.embeds[0].title
    other = select_of(message)["options"][1]
    picked = await world.bob.select(message, [other["value"]])
    assert picked.response.ephemeral
    assert picked.response.embeds[0].title.startswith(other["label"][:20])
    assert result.response.embeds[0].title == first_title  # alice's message is unchanged


async def test_no_match_is_a_short_private_reply_pointing_to_latest(world):
    result = await world.alice.slash(world.channel, SEARCH, query="zzqxjv")
    assert result.response.ephemeral
    assert "zzqxjv" in result.response.content
    assert "/latest" in result.response.content
    assert not result.response.embeds


async def test_no_match_suggests_close_words_from_the_notes(world):
    result = await world.alice.slash(world.channel, SEARCH, query="kubflow zzz")
    assert result.response.ephemeral
    assert "Did you mean: Kubeflow" in result.response.content


async def test_topic_inside_the_18_heading_roundup_renders_its_section(world):
    result = await world.alice.slash(world.channel, SEARCH, query="量子コンピューティング")
    embed = result.response.embeds[0]
    assert embed.title.startswith("#3 ")
    matched = next(f for f in embed.fields if f.name.startswith("Matched"))
    assert "量子コンピューティング" in matched.name
    links = next(f for f in embed.fields if f.name.startswith("Links")).value.splitlines()
    assert "量子コンピューティング" in links[0]
    assert not world.env.errors


async def test_picking_an_autocomplete_episode_shows_that_episode(world):
    choices = await world.alice.autocomplete(world.channel, SEARCH, "query", "lambda")
    episode_choice = next(c for c in choices if c["value"].startswith("#"))
    result = await world.alice.slash(world.channel, SEARCH, query=episode_choice["value"])
    assert result.response.embeds[0].title.startswith(episode_choice["value"] + " ")


async def test_a_special_episode_can_be_picked_by_its_key(world):
    result = await world.alice.slash(
        world.channel, SEARCH, query="ep:post/podcast/0001-special/index.md"
    )
    assert "特別編" in result.response.embeds[0].title


async def test_menus_have_stable_recognisable_custom_ids(world):
    result = await world.alice.slash(world.channel, SEARCH, query="API")
    before = select_of(result.response)["custom_id"]
    assert before.startswith(PREFIX + "pk:") and len(before) <= 100
    other = select_of(result.response)["options"][1]
    await world.alice.select(result.response, [other["value"]])
    assert select_of(result.response)["custom_id"] == before


async def test_a_menu_used_after_a_restart_still_works(world, bot_settings):
    """Menus and page buttons were dropped on restart before issue 11; now their
    custom ids carry the state and a fresh bot serves them."""
    result = await world.alice.slash(world.channel, SEARCH, query="API")
    other = select_of(result.response)["options"][1]
    await world.env.restart_bot(create_bot(bot_settings))
    await world.alice.select(result.response, [other["value"]])
    assert result.response.embeds[0].title.startswith(other["label"][:20])
    assert select_of(result.response)["options"][1].get("default") is True
    paged = await world.alice.slash(world.channel, "links", episode="#3")
    await world.env.restart_bot(create_bot(bot_settings))
    await world.alice.click(paged.response, label="Next")
    assert paged.response.embeds[0].footer.text.startswith("Page 2 of ")


async def test_a_menu_used_after_the_old_ten_minute_timeout_still_works(world):
    result = await world.alice.slash(world.channel, SEARCH, query="API")
    other = select_of(result.response)["options"][1]
    await world.env.advance_time(3600)
    await world.alice.select(result.response, [other["value"]])
    assert result.response.embeds[0].title.startswith(other["label"][:20])


# -- autocomplete ----------------------------------------------------------------


@pytest.mark.parametrize("typed", ["", "k", "kube", "クラウド", "x" * 300, "API"])
async def test_search_autocomplete_stays_within_discord_limits(world, typed):
    choices = await world.alice.autocomplete(world.channel, SEARCH, "query", typed)
    assert len(choices) <= 25
    for choice in choices:
        assert 1 <= len(choice["name"]) <= 100
        assert 1 <= len(choice["value"]) <= 100


async def test_search_autocomplete_offers_the_typed_text_then_episodes(world):
    choices = await world.alice.autocomplete(world.channel, SEARCH, "query", "kube")
    assert choices[0]["value"] == "kube"
    assert any(c["value"] == "#1" for c in choices)
    assert not any(c["value"] == "#4" for c in choices)  # draft


# -- mentions and DMs ------------------------------------------------------------


async def test_mention_in_a_channel_is_answered_as_a_reply_in_japanese(world):
    bot_user = world.bot.user
    asked = await world.alice.send(world.channel, f"{bot_user.mention} kubeflowの回ある？")
    reply = world.channel.last_message
    assert reply.author.id == bot_user.id
    assert reply.reference is not None and reply.reference.message_id == asked.id
    embed = reply.embeds[0]
    assert embed.title.startswith("#1 ")
    assert embed.footer.text.startswith("配信日")


async def test_mention_without_a_question_explains_how_to_ask(world):
    await world.alice.send(world.channel, f"<@{world.bot.user.id}>")
    reply = world.channel.last_message
    assert "/latest" in reply.content


async def test_messages_that_do_not_mention_the_bot_are_ignored(world):
    await world.alice.send(world.channel, "kubeflowの回ある？")
    assert world.channel.last_message.author.id == world.alice.id


async def test_dm_question_is_answered(env):
    user = env.create_user("carol")
    await user.send_dm("lambda コールドスタート")
    reply = user.dm_channel.last_message
    assert reply.author.id == env.bot.user.id
    assert reply.embeds[0].title.startswith("#2 ")


async def test_dm_with_a_mention_is_answered_without_the_mention(env):
    user = env.create_user("dave")
    await user.send_dm(f"{env.bot.user.mention} kubeflow")
    assert user.dm_channel.last_message.embeds[0].title.startswith("#1 ")


# -- hostile input ---------------------------------------------------------------

HOSTILE = "@everyone @here **bold** __u__ `code` [click](https://evil.example/x) <@{bob}> <@&1>"


async def test_hostile_slash_query_is_escaped_and_pings_nobody(world):
    query = HOSTILE.format(bob=world.bob.id) + " zzqxjv"
    result = await world.alice.slash(world.channel, SEARCH, query=query)
    content = result.response.content
    assert "@everyone" not in content and "@here" not in content
    assert f"<@{world.bob.id}>" not in content
    assert "](https://evil" not in content and "https://evil" not in content
    assert "**bold**" not in content
    bodies = posted_messages(world.env)
    assert bodies
    for body in bodies:
        assert body["allowed_mentions"]["parse"] == []
    message = result.response.message
    assert not message.mention_everyone and not message.mentions and not message.role_mentions


async def test_hostile_mention_pings_nobody(world):
    text = f"{world.bot.user.mention} " + HOSTILE.format(bob=world.bob.id)
    await world.alice.send(world.channel, text)
    reply = world.channel.last_message
    assert reply.author.id == world.bot.user.id
    assert not reply.mention_everyone and not reply.mentions and not reply.role_mentions
    bodies = posted_messages(world.env)
    assert bodies
    for body in bodies:
        assert body["allowed_mentions"]["parse"] == []
        assert body["allowed_mentions"].get("replied_user") in (None, False)


async def test_a_10000_character_query_is_cut_not_rejected(world):
    result = await world.alice.slash(world.channel, SEARCH, query="kubeflow " + "あ" * 10_000)
    assert result.response is not None
    assert "200" in (result.response.content or "")
    assert not world.env.errors


async def test_a_long_mention_is_cut_not_rejected(world):
    await world.alice.send(world.channel, f"{world.bot.user.mention} kubeflow " + "x" * 1900)
    reply = world.channel.last_message
    assert reply.author.id == world.bot.user.id
    assert "200" in reply.content


# -- cooldown and errors ---------------------------------------------------------


async def test_searches_past_the_cooldown_rate_are_asked_to_wait(make_settings):
    bot = create_bot(make_settings(search_cooldown_rate=2, search_cooldown_seconds=60))
    async with simcord.run(bot) as env:
        await env.bot.tree.sync()
        guild = env.create_guild()
        channel = guild.create_text_channel("general")
        alice = guild.add_member(env.create_user("alice"))
        bob = guild.add_member(env.create_user("bob"))
        await alice.slash(channel, SEARCH, query="kubeflow")
        await alice.send(channel, f"{env.bot.user.mention} lambda")
        third = await alice.slash(channel, SEARCH, query="lambda")
        assert third.response.ephemeral and "wait" in third.response.content
        other = await bob.slash(channel, SEARCH, query="lambda")
        assert other.response.embeds  # the cooldown is per user
        await env.advance_time(61)
        again = await alice.slash(channel, SEARCH, query="lambda")
        assert again.response.embeds


def cooldown_world(env: simcord.Env):
    guild = env.create_guild()
    channel = guild.create_text_channel("general")
    return (
        channel,
        guild.add_member(env.create_user("alice")),
        guild.add_member(env.create_user("bob")),
    )


def bot_messages(env: simcord.Env, channel) -> list[discord.Message]:
    return [m for m in channel.history() if m.author.id == env.bot.user.id]


async def test_mentions_on_cooldown_get_one_wait_notice_per_wait_then_silence(make_settings):
    bot = create_bot(make_settings(search_cooldown_rate=1, search_cooldown_seconds=60))
    async with simcord.run(bot) as env:
        channel, alice, bob = cooldown_world(env)
        mention = env.bot.user.mention
        for _ in range(8):
            await alice.send(channel, f"{mention} kubeflow")
        answer, notice = bot_messages(env, channel)
        assert answer.embeds and not notice.embeds
        assert "待って" in notice.content
        await bob.send(channel, f"{mention} kubeflow")  # the cooldown is per user
        assert len(bot_messages(env, channel)) == 3
        await env.advance_time(61)
        await alice.send(channel, f"{mention} lambda")
        assert bot_messages(env, channel)[-1].embeds
        for _ in range(3):
            await alice.send(channel, f"{mention} lambda")
        assert len(bot_messages(env, channel)) == 5  # a new wait, one new notice
        assert "待って" in bot_messages(env, channel)[-1].content


async def test_slash_searches_on_cooldown_each_get_a_private_notice(make_settings):
    bot = create_bot(make_settings(search_cooldown_rate=1, search_cooldown_seconds=60))
    async with simcord.run(bot) as env:
        await env.bot.tree.sync()
        channel, alice, _bob = cooldown_world(env)
        await alice.slash(channel, SEARCH, query="kubeflow")
        for _ in range(3):
            refused = await alice.slash(channel, SEARCH, query="kubeflow")
            assert refused.response.ephemeral and "wait" in refused.response.content


async def test_episode_and_links_by_words_count_against_the_search_cooldown(make_settings):
    bot = create_bot(make_settings(search_cooldown_rate=1, search_cooldown_seconds=60))
    async with simcord.run(bot) as env:
        await env.bot.tree.sync()
        channel, alice, bob = cooldown_world(env)
        searched = await alice.slash(channel, "episode", number="lambda")
        assert searched.response.embeds[0].title.startswith("#2 ")
        for command, option in (("episode", "number"), ("links", "episode")):
            refused = await alice.slash(channel, command, **{option: "kubeflow"})
            assert refused.response.ephemeral and "wait" in refused.response.content
            by_number = await alice.slash(channel, command, **{option: "1"})
            assert by_number.response.embeds  # a number is not a search
        again = await alice.slash(channel, SEARCH, query="kubeflow")
        assert "wait" in again.response.content  # one budget for every search
        other = await bob.slash(channel, "links", episode="kubeflow")
        assert other.response.embeds


async def test_an_error_in_a_command_is_answered_politely_and_the_bot_keeps_going(world, caplog):
    original = world.bot.catalog.search

    def broken(*args, **kwargs):
        raise RuntimeError("index exploded")

    world.bot.catalog.search = broken  # type: ignore[method-assign]
    with caplog.at_level(logging.ERROR):
        failed = await world.alice.slash(world.channel, SEARCH, query="kubeflow")
    assert failed.response.ephemeral
    assert "went wrong" in failed.response.content
    [error] = world.env.errors
    assert isinstance(error, app_commands.CommandInvokeError)
    assert isinstance(error.original, RuntimeError)
    assert str(error.original) == "index exploded"
    record = next(r for r in caplog.records if r.getMessage() == "command failed")
    assert record.command == "search"
    assert record.exc_info is not None

    world.bot.catalog.search = original  # type: ignore[method-assign]
    ok = await world.alice.slash(world.channel, SEARCH, query="kubeflow")
    assert ok.response.embeds[0].title.startswith("#1 ")


async def test_an_error_while_answering_a_mention_is_answered_politely(world):
    def broken(*args, **kwargs):
        raise RuntimeError("index exploded")

    world.bot.catalog.search = broken  # type: ignore[method-assign]
    await world.alice.send(world.channel, f"{world.bot.user.mention} kubeflow")
    assert "エラー" in world.channel.last_message.content


async def test_a_mention_the_bot_may_not_answer_is_one_warning_line(world, caplog):
    channel = world.guild.create_text_channel(
        "read-only",
        overwrites={world.bot.user: discord.PermissionOverwrite(send_messages=False)},
    )
    with caplog.at_level(logging.DEBUG, logger="bot"):
        for _ in range(2):
            await world.alice.send(channel, f"{world.bot.user.mention} kubeflow")
    assert channel.last_message.author.id == world.alice.id
    problems = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(problems) == 2
    for record in problems:
        assert record.levelno == logging.WARNING and record.name == "bot.cogs.search"
        assert record.exc_info is None
        assert str(channel.id) in record.getMessage()
        assert "Missing Permissions" in record.getMessage()


async def test_every_search_is_logged_without_the_query_or_user_id(world, caplog):
    with caplog.at_level(logging.INFO, logger="bot.app"):
        await world.alice.slash(world.channel, SEARCH, query="kubeflow")
    record = next(r for r in caplog.records if r.getMessage() == "command")
    assert record.command == "search"
    assert record.hits >= 1
    assert record.user == user_ref(world.alice.id)
    assert str(world.alice.id) not in record.user
    assert "kubeflow" not in str(vars(record)).lower()
