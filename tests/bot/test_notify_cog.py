"""New-episode announcements end to end: the real bot in SimCord, real notes on disk,
a real SQLite file, virtual time (``advance_time``) instead of sleeps."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from datetime import datetime, timedelta

import discord
import pytest
import simcord
from notify_notes import write_note
from notifykit import (  # the world of every notification test
    POLL,
    START,
    bot_settings,
    build_bot,
    cut_power_before,
    feed,
    git,
    git_settings,
    item,
    make_room,
    message_posts,
    remote,
    room,
    simcord_bot,
    site,
    subscribe,
)

import bot.cogs.notify.cog
import bot.library.catalog
from bot.cogs.notify.cog import NotifyCog
from bot.notify import Notifier
from bot.notify.store import Store

__all__ = ["bot_settings", "feed", "remote", "room", "simcord_bot", "site"]  # fixtures


async def test_note_written_while_running_is_announced_once_and_found_by_search(room, site):
    await subscribe(room)
    write_note(site, 3, "Cloud Run入門", START)
    await room.env.advance_time(POLL)
    (message,) = room.announcements()
    assert "#3" in message.embeds[0].title
    labels = [b.label for row in message.components for b in row.children]
    assert len(labels) == 2  # listen + show notes
    found = await room.member.slash(room.general, "search", query="Cloud Run")
    assert "#3" in found.response.embeds[0].title
    await room.env.advance_time(POLL * 10)
    assert len(room.announcements()) == 1


async def test_first_start_announces_nothing_and_restart_announces_nothing_again(
    room, site, bot_settings
):
    await subscribe(room)
    await room.env.advance_time(POLL * 3)
    assert room.announcements() == []  # #1 and #2 existed before the first start
    write_note(site, 3, "Cloud Run入門", START)
    await room.env.advance_time(POLL)
    assert len(room.announcements()) == 1
    await room.env.restart_bot(build_bot(bot_settings))
    await room.env.advance_time(POLL * 3)
    assert len(room.announcements()) == 1


async def test_episodes_written_while_down_are_caught_up_oldest_first_and_capped(
    room, site, make_settings
):
    await subscribe(room)
    await room.env.advance_time(POLL)
    for n in range(3, 7):  # four notes while the bot is down, limit two
        write_note(site, n, f"topic {n}", START - timedelta(days=10 - n))
    settings = make_settings(
        content_dir=site, watch_content=True, watch_poll_seconds=POLL, catchup_limit=2
    )
    await room.env.restart_bot(build_bot(settings))
    await room.env.advance_time(POLL)
    posted = sorted(room.announcements(), key=lambda m: m.id)
    assert [m.embeds[0].title.split()[0] for m in posted] == ["#5", "#6"]
    assert room.store().seen_identities() >= {"#3", "#4"}


async def test_future_publish_date_is_announced_when_due_and_not_before(room, site):
    await subscribe(room)
    write_note(site, 3, "予約投稿", START + timedelta(minutes=10))
    await room.env.advance_time(POLL * 2)
    assert room.announcements() == []
    found = await room.member.slash(room.general, "search", query="予約投稿")
    assert not found.response.embeds or "#3" not in found.response.embeds[0].title
    await room.env.advance_time(600)
    (message,) = room.announcements()
    assert "#3" in message.embeds[0].title


async def test_draft_is_never_announced(room, site):
    await subscribe(room)
    write_note(site, 3, "下書き", START - timedelta(days=1), draft=True)
    await room.env.advance_time(POLL * 4)
    assert room.announcements() == []


async def test_deleted_and_changed_notes_are_reindexed_without_announcing(room, site):
    await subscribe(room)
    (site / "podcast" / "0002" / "index.md").unlink()
    write_note(site, 1, "S3のきほん 改訂版", START - timedelta(days=30))
    await room.env.advance_time(POLL)
    catalog = room.bot.catalog
    assert catalog.by_path("podcast/0002/index.md") is None
    assert "改訂版" in catalog.by_path("podcast/0001/index.md").title
    assert room.announcements() == []


# -- the RSS feed --------------------------------------------------------------


async def test_feed_item_then_its_note_give_one_announcement(env, feed, site, make_settings):
    settings = make_settings(
        content_dir=site, watch_content=True, watch_poll_seconds=POLL,
        feed_url=feed.url, feed_interval_seconds=60,
    )  # fmt: skip
    await env.restart_bot(build_bot(settings))
    room = make_room(env)
    await subscribe(room)
    feed.items.insert(0, item(3, title="#3 Cloud Run入門", slug="GCPCloud-Run-e00003"))
    await env.advance_time(60)
    (message,) = room.announcements()
    assert message.embeds[0].title == "#3 Cloud Run入門"
    assert message.embeds[0].url == "https://anchor.fm/testcast/episodes/GCPCloud-Run-e00003"
    (listen,) = [b for row in message.components for b in row.children]
    assert listen.url == "https://anchor.fm/testcast/episodes/GCPCloud-Run-e00003"
    write_note(site, 3, "Cloud Run入門", START, slug="GCPCloud-Run-e00003")
    await env.advance_time(120)
    assert len(room.announcements()) == 1
    assert feed.requests[-1].get("If-None-Match") == feed.etag  # conditional GET, 304


async def test_feed_errors_are_shown_in_status_and_retried(env, feed, site, make_settings):
    settings = make_settings(
        content_dir=site, watch_content=False, feed_url=feed.url, feed_interval_seconds=60
    )
    await env.restart_bot(build_bot(settings))
    room = make_room(env)
    await subscribe(room)
    feed.fail_with = 500
    feed.items.insert(0, item(3, title="#3 Cloud Run入門", slug="GCPCloud-Run-e00003"))
    await env.advance_time(60)
    status = await room.admin.slash(room.general, "notify status")
    assert "HTTP 500" in str(status.response.embeds[0].to_dict())
    feed.fail_with = b"<html>maintenance</html>"
    await env.advance_time(60)
    status = await room.admin.slash(room.general, "notify status")
    assert "not a feed" in str(status.response.embeds[0].to_dict())
    assert room.announcements() == []
    feed.fail_with = None
    await env.advance_time(60)
    assert len(room.announcements()) == 1


# -- the git source ------------------------------------------------------------


async def test_git_source_is_cloned_pulled_and_keeps_content_when_pull_fails(
    env, remote, make_settings, tmp_path
):
    bare, work = remote
    await env.restart_bot(build_bot(git_settings(make_settings, tmp_path, bare)))
    room = make_room(env)
    await subscribe(room)
    await env.advance_time(1)
    bot = env.bot
    assert bot.catalog.content_dir == tmp_path / "data" / "site" / "content"
    assert len(bot.catalog.all_episodes) == 2
    assert room.announcements() == []  # the first clone is the existing site

    write_note(work / "content", 3, "Cloud Run入門", START)
    git(work, "add", "-A")
    git(work, "commit", "--quiet", "-m", "episode 3")
    git(work, "push", "--quiet", "origin", "main")
    await env.advance_time(60)
    assert len(room.announcements()) == 1
    found = await room.member.slash(room.general, "search", query="Cloud Run")
    assert "#3" in found.response.embeds[0].title

    bare.rename(tmp_path / "gone.git")  # the server is down: pulls fail
    await env.advance_time(60)
    status = await room.admin.slash(room.general, "notify status")
    assert "git fetch failed" in str(status.response.embeds[0].to_dict())
    assert len(bot.catalog.all_episodes) == 3  # last good content still served


# -- delivery ------------------------------------------------------------------


async def test_channel_without_permission_is_marked_broken_while_another_keeps_receiving(
    room, site
):
    await subscribe(room)
    other = room.env.create_guild(name="other")
    locked = other.create_text_channel(
        "locked", overwrites={other.default_role: discord.PermissionOverwrite(send_messages=False)}
    )
    owner = other.add_member(
        room.env.create_user("owner2"),
        roles=[other.create_role("mods", permissions=discord.Permissions(manage_guild=True))],
    )
    room.store().subscribe(other.id, locked.id, None, room.env.now())  # set before the lock
    write_note(site, 3, "Cloud Run入門", START)
    await room.env.advance_time(POLL)
    assert len(room.announcements()) == 1
    sub = room.store().subscription(other.id)
    assert sub.broken and sub.broken_reason.startswith("403")
    status = await owner.slash(locked, "notify status")
    assert "403" in str(status.response.embeds[0].to_dict())
    write_note(site, 4, "次の回", START)
    await room.env.advance_time(POLL)
    assert len(room.announcements()) == 2
    assert len(message_posts(room.env, locked)) == 1  # a broken channel is not retried


async def test_server_errors_stay_pending_and_retry_with_the_same_nonce(room, site):
    await subscribe(room)
    room.env.inject_error("POST", f"/channels/{room.news.id}/messages", status=503, times=2)
    write_note(site, 3, "Cloud Run入門", START)
    await room.env.advance_time(POLL)
    assert room.announcements() == []
    (row,) = room.store().announcements()
    assert (row.state, row.attempts) == ("pending", 1)
    status = await room.admin.slash(room.general, "notify status")
    assert "503" in str(status.response.embeds[0].to_dict())
    await room.env.advance_time(30)  # first backoff
    await room.env.advance_time(60)  # second backoff
    assert len(room.announcements()) == 1
    posts = [r.json for r in message_posts(room.env, room.news)]
    assert len(posts) == 3
    assert {p["nonce"] for p in posts} == {row.nonce}
    assert all(p["enforce_nonce"] is True for p in posts)
    assert room.store().announcement(row.key, room.news.id).state == "delivered"


async def test_crash_between_send_and_mark_does_not_post_twice(
    room, site, bot_settings, monkeypatch
):
    await subscribe(room)

    cut_power_before(monkeypatch, "mark_delivered")
    write_note(site, 3, "Cloud Run入門", START)
    await room.env.advance_time(POLL)
    assert len(room.announcements()) == 1  # Discord has it ...
    (row,) = room.store().announcements()
    assert row.state == "pending"  # ... the state file does not
    monkeypatch.undo()
    await room.env.restart_bot(build_bot(bot_settings))
    await room.env.advance_time(POLL * 20)
    assert len(room.announcements()) == 1
    (row,) = room.store().announcements()
    assert row.state == "delivered"
    assert row.message_id == room.announcements()[0].id
    assert len(message_posts(room.env, room.news)) == 1


async def test_a_note_edited_after_a_crash_between_send_and_mark_is_not_posted_again(
    room, site, bot_settings, monkeypatch
):
    await subscribe(room)

    cut_power_before(monkeypatch, "mark_delivered")
    write_note(site, 3, "Cloud Run入門", START)
    await room.env.advance_time(POLL)
    assert len(room.announcements()) == 1
    monkeypatch.undo()
    await room.env.restart_bot(build_bot(bot_settings))
    write_note(site, 3, "Cloud Run入門（改訂版）", START)  # the post no longer looks like it
    await room.env.advance_time(POLL * 20)
    (message,) = room.announcements()
    assert "改訂版" not in message.embeds[0].title
    (row,) = room.store().announcements()
    assert (row.state, row.message_id) == ("delivered", message.id)
    assert len(message_posts(room.env, room.news)) == 1


async def test_role_is_mentioned_only_when_configured_and_only_that_role_may_ping(room, site):
    await subscribe(room)
    write_note(site, 3, "Cloud Run入門", START)
    await room.env.advance_time(POLL)
    await subscribe(room, role=room.fans)
    write_note(site, 4, "次の回", START)
    await room.env.advance_time(POLL)
    plain, pinged = (r.json for r in message_posts(room.env, room.news))
    assert "<@&" not in plain["content"]
    assert plain["allowed_mentions"] == {"parse": []}
    assert pinged["content"].startswith(f"<@&{room.fans.id}>")
    assert pinged["allowed_mentions"]["parse"] == []
    assert pinged["allowed_mentions"]["roles"] == [room.fans.id]
    assert "users" not in pinged["allowed_mentions"] or pinged["allowed_mentions"]["users"] == []


# -- /notify commands ----------------------------------------------------------


async def test_notify_set_status_test_and_off(room, site):
    done = await subscribe(room, role=room.fans)
    assert room.news.mention in done.response.content
    status = await room.admin.slash(room.general, "notify status")
    shown = str(status.response.embeds[0].to_dict())
    assert f"<#{room.news.id}>" in shown and f"<@&{room.fans.id}>" in shown
    sample = await room.admin.slash(room.general, "notify test")
    assert sample.response.ephemeral  # a private preview first ...
    assert room.announcements() == []
    await room.admin.click(sample.response.message, custom_id="notify:confirm")
    posted = room.news.last_message  # ... posted only on confirm
    assert "#2" in posted.embeds[0].title  # the newest published episode
    test_post = message_posts(room.env, room.news)[-1].json
    assert test_post["allowed_mentions"] == {"parse": []}  # a test never pings
    off = await room.admin.slash(room.general, "notify off")
    assert off.response.ephemeral
    assert room.store().subscription(room.guild.id) is None
    write_note(site, 3, "Cloud Run入門", START)
    await room.env.advance_time(POLL)
    assert len(room.announcements()) == 1  # only the test post
    status = await room.admin.slash(room.general, "notify status")
    assert "/notify set" in status.response.embeds[0].description


async def test_member_without_manage_server_is_refused_even_when_the_command_is_shown(room):
    commands = await room.bot.tree.fetch_commands()
    notify = next(c for c in commands if c.name == "notify")
    with pytest.raises(simcord.SetupError):  # hidden by default permissions
        await room.member.slash(room.general, "notify set", channel=room.news)
    room.guild.set_command_permissions(notify, {room.member: True})  # an admin shows it
    for sub, options in (("set", {"channel": room.news}), ("off", {}), ("test", {})):
        result = await room.member.slash(room.general, f"notify {sub}", **options)
        assert result.response.ephemeral
        assert "Manage Server" in result.response.content or "サーバー管理" in (
            result.response.content
        )
    assert room.store().subscription(room.guild.id) is None


async def test_set_refuses_a_channel_the_bot_cannot_post_in_and_the_everyone_role(room):
    locked = room.guild.create_text_channel(
        "locked",
        overwrites={room.guild.default_role: discord.PermissionOverwrite(send_messages=False)},
    )
    result = await room.admin.slash(room.general, "notify set", channel=locked)
    # named as Discord's settings name it, not by the API's send_messages (issue 11)
    assert "Send Messages" in result.response.content
    assert "send_messages" not in result.response.content
    result = await room.admin.slash(
        room.general, "notify set", channel=room.news, role=room.guild.default_role
    )
    assert "@everyone" in result.response.content
    assert room.store().subscription(room.guild.id) is None


async def test_unloading_cancels_loops_closes_the_file_and_keeps_pending_rows(
    room, site, bot_settings
):
    await subscribe(room)
    room.env.inject_error("POST", f"/channels/{room.news.id}/messages", status=502, times=1)
    write_note(site, 3, "Cloud Run入門", START)
    await room.env.advance_time(POLL)
    cog = room.bot.get_cog("Notify")
    await room.bot.unload_extension("bot.cogs.notify")
    assert cog.store.closed
    assert not cog.tick.is_running()
    reopened = Store.open(bot_settings.state_file)
    try:
        assert [a.state for a in reopened.announcements()] == ["pending"]
    finally:
        reopened.close()


async def test_announcement_speaks_the_language_of_whoever_set_it_up(room, site):
    room.store().subscribe(room.guild.id, room.news.id, None, room.env.now(), lang="ja")
    write_note(site, 3, "Cloud Run入門", START)
    await room.env.advance_time(POLL)
    (message,) = room.announcements()
    assert message.content == "新しいエピソードを公開しました！"
    labels = [b.label for row in message.components for b in row.children]
    assert labels == ["聴く", "番組ノート"]


async def test_set_suggests_read_message_history_when_missing(room):
    quiet = room.guild.create_text_channel(
        "quiet",
        overwrites={
            room.guild.default_role: discord.PermissionOverwrite(read_message_history=False)
        },
    )
    result = await room.admin.slash(room.general, "notify set", channel=quiet)
    assert "Read Message History" in result.response.content
    assert room.store().subscription(room.guild.id).channel_id == quiet.id


# -- recovery: one fault costs one thing, never the whole loop ------------------


async def test_a_row_that_cannot_be_sent_is_backed_off_and_the_next_ones_go_out(room, site):
    await subscribe(room)
    store = room.store()
    # A row whose payload cannot become a message; it sorts before every real episode.
    now = room.env.now().timestamp()
    with store.transaction() as conn:
        conn.execute(
            "INSERT INTO announcements (key, channel_id, guild_id, payload, created_at,"
            " next_attempt_at) VALUES ('broken', ?, ?, '{\"released_at\": \"0000-bad\"}', ?, ?)",
            (room.news.id, room.guild.id, now, now),
        )
    write_note(site, 3, "Cloud Run入門", START)
    await room.env.advance_time(POLL)
    (message,) = room.announcements()
    assert "#3" in message.embeds[0].title
    broken = store.announcement("broken", room.news.id)
    assert (broken.state, broken.attempts) == ("pending", 1)
    assert "ValueError" in broken.last_error
    assert broken.next_attempt_at > room.env.now()


async def test_a_failed_start_up_backs_off_instead_of_fetching_every_tick(
    env, feed, site, make_settings, monkeypatch
):
    settings = make_settings(
        content_dir=site, watch_content=True, watch_poll_seconds=POLL,
        feed_url=feed.url, feed_interval_seconds=3600,
    )  # fmt: skip
    attempts: list[datetime] = []

    def busy_scan(self, *args, **kwargs):
        attempts.append(env.now())
        raise sqlite3.OperationalError("database is locked")

    monkeypatch.setattr(Notifier, "scan", busy_scan)
    await env.restart_bot(build_bot(settings))
    room = make_room(env)
    await subscribe(room)
    await env.advance_time(60)  # twelve ticks
    assert len(feed.requests) == 1  # the feed loop retries the feed, not every tick
    assert 2 <= len(attempts) <= 4  # start-up tried at 0 s and 30 s, next at 90 s
    monkeypatch.undo()
    await env.advance_time(60)
    assert env.bot.get_cog("Notify").started
    write_note(site, 3, "Cloud Run入門", START)
    await env.advance_time(POLL)
    assert len(room.announcements()) == 1


async def test_a_note_changed_during_a_reload_is_not_lost(room, site, monkeypatch):
    reading_done, finish = threading.Event(), threading.Event()
    load_site = bot.library.catalog.load_site

    def slow_load_site(root, options, cache=None):
        result = load_site(root, options, cache)  # the folder as it was before note 3
        reading_done.set()
        finish.wait(10)
        return result

    monkeypatch.setattr(bot.library.catalog, "load_site", slow_load_site)
    reload = asyncio.create_task(room.bot.reload_catalog())
    await asyncio.to_thread(reading_done.wait, 10)
    write_note(site, 3, "Cloud Run入門", START)
    refresh = asyncio.create_task(room.bot.sync.apply_watched())
    await asyncio.sleep(0.05)  # the refresh runs (or waits) while the reload is busy
    finish.set()
    await asyncio.gather(reload, refresh)
    assert room.bot.catalog.by_path("podcast/0003/index.md") is not None


async def test_a_failed_cog_load_closes_the_state_file(room, monkeypatch):
    opened: list[Store] = []
    real_open = Store.open

    def recording_open(path):
        store = real_open(path)
        opened.append(store)
        return store

    def broken_notifier(*args, **kwargs):
        raise sqlite3.DatabaseError("file is not a database")

    monkeypatch.setattr(Store, "open", recording_open)
    monkeypatch.setattr(bot.cogs.notify.cog, "Notifier", broken_notifier)
    cog = NotifyCog(room.bot)
    with pytest.raises(sqlite3.DatabaseError):
        await cog.cog_load()
    assert len(opened) == 1 and opened[0].closed
    assert not cog.tick.is_running()


async def test_many_notes_at_once_are_read_in_one_reload_and_announced_once(
    room, site, monkeypatch
):
    from bot.library import sync

    monkeypatch.setattr(sync, "REFRESH_MAX", 1)
    await subscribe(room)
    write_note(site, 3, "Cloud Run入門", START)
    write_note(site, 4, "BigQuery入門", START)
    await room.env.advance_time(POLL)
    await room.env.advance_time(POLL)
    titles = sorted(m.embeds[0].title.split()[0] for m in room.announcements())
    assert titles == ["#3", "#4"]
    found = await room.member.slash(room.general, "search", query="BigQuery")
    assert "#4" in found.response.embeds[0].title
    await room.env.advance_time(POLL * 5)
    assert len(room.announcements()) == 2
