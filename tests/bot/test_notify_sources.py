"""Issue 12 on real sources: feed rewrites on a local feed server, source health notices
(a failing feed server, a broken git remote) and scheduled live recordings from notes,
in SimCord with virtual time."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

import discord
import pytest
from notify_notes import write_note
from notifykit import (
    POLL,
    START,
    build_bot,
    feed,
    git_settings,
    item,
    make_room,
    posts,
    remote,
    site,
    subscribe,
)

from bot import i18n
from bot.notify.feed import FeedItem
from bot.notify.sources import FeedFound, Poll, SourceState

__all__ = ["feed", "remote", "site"]  # fixtures, used by name


@pytest.fixture
def simcord_bot(make_settings, site):
    """The bot SimCord starts first (each test restarts it with its own sources)."""
    return build_bot(make_settings(content_dir=site, watch_content=False))


async def feed_room(env, feed, site, make_settings, **extra):
    settings = make_settings(
        content_dir=site, watch_content=False, feed_url=feed.url, feed_interval_seconds=60,
        **extra,
    )  # fmt: skip
    await env.restart_bot(build_bot(settings))
    room = make_room(env)
    await subscribe(room)
    await env.advance_time(1)
    return room


# -- feed rewrites ---------------------------------------------------------------

REWRITES = {
    "guid": dict(guid="urn:new-guid-3"),
    "pubDate": dict(date="Fri, 02 Jan 2026 09:00:00 GMT"),
    "link": dict(link="https://example.com/podcast/3-renamed"),
    "title": dict(title="#3 topic 3 (改題)"),
    "title without number": dict(title="改題された回"),
    "guid and link": dict(guid="urn:other", link="https://example.com/p/3"),
}


@pytest.mark.parametrize("rewrite", list(REWRITES), ids=list(REWRITES))
async def test_a_rewritten_feed_item_is_never_announced_again(
    env, feed, site, make_settings, rewrite
):
    room = await feed_room(env, feed, site, make_settings)
    feed.items.insert(0, item(3))
    await env.advance_time(60)
    assert len(posts(room)) == 1
    feed.items[0] = item(3, **REWRITES[rewrite])
    await env.advance_time(60)
    await env.advance_time(60)
    assert len(posts(room)) == 1
    feed.items.insert(0, item(4))  # the next episode still goes out
    await env.advance_time(60)
    assert len(posts(room)) == 2


# -- source health ---------------------------------------------------------------


async def advance_with_io(env, feed, seconds: float, step: float = 60.0) -> None:
    """Advance virtual time one feed interval at a time, waiting (in real time) for the
    feed fetch of each interval to be served and handled: SimCord's clock does not
    wait for real I/O, and one long jump would outrun the feed loop."""
    left = seconds
    while left > 0:
        before = len(feed.requests)
        await env.advance_time(min(step, left))
        left -= step
        for _ in range(500):  # at most about 5 s of real time
            if len(feed.requests) > before:
                break
            await asyncio.sleep(0.01)
        for _ in range(10):
            await asyncio.sleep(0.01)


async def test_a_failing_feed_is_told_once_then_its_recovery_once_an_hour_later(
    env, feed, site, make_settings
):
    room = await feed_room(env, feed, site, make_settings)
    admin = room.guild.create_text_channel("admin")
    done = await room.admin.slash(room.general, "notify alerts", channel=admin, after=5)
    assert admin.mention in done.response.content
    feed.fail_with = 503
    await advance_with_io(env, feed, 60 * 4)
    assert admin.history() == []  # failing, but not for 5 minutes yet
    await advance_with_io(env, feed, 60 * 4)
    (down,) = admin.history()
    assert "RSS" in down.content and "503" in down.content
    await advance_with_io(env, feed, 60 * 20)
    assert len(admin.history()) == 1  # still failing: no second notice
    status = await room.admin.slash(room.general, "notify status")
    shown = str(status.response.embeds[0].to_dict())
    assert "HTTP 503" in shown and ("Last success" in shown or "最後の成功" in shown)
    feed.fail_with = None
    await advance_with_io(env, feed, 60 * 5)
    assert len(admin.history()) == 1  # recovered inside the hour: told later
    await advance_with_io(env, feed, 60 * 40)
    _down_again, up = admin.history()
    assert "works again" in up.content or "復旧" in up.content
    await advance_with_io(env, feed, 60 * 60)
    assert len(admin.history()) == 2
    request = next(
        r for r in env.http_requests
        if r.method == "POST" and r.path == f"/channels/{admin.id}/messages"
    )  # fmt: skip
    assert request.json["allowed_mentions"] == {"parse": []}


async def test_a_broken_git_remote_is_told_in_the_admin_channel(
    env, tmp_path, remote, make_settings
):
    bare, _work = remote
    await env.restart_bot(build_bot(git_settings(make_settings, tmp_path, bare)))
    room = make_room(env)
    admin = room.guild.create_text_channel("admin")
    await room.admin.slash(room.general, "notify alerts", channel=admin, after=2)
    await env.advance_time(60)
    bare.rename(tmp_path / "gone.git")
    await env.advance_time(60 * 5)
    (down,) = admin.history()
    assert "git" in down.content
    status = await room.admin.slash(room.general, "notify status")
    assert "git fetch failed" in str(status.response.embeds[0].to_dict())


# -- scheduled live recordings ----------------------------------------------------


def live_note(root, number, when, live):
    rel = write_note(root, number, f"ライブ {number}", when)
    path = root / rel
    text = path.read_text(encoding="utf-8")
    extra = f"\nlive: {live.isoformat()}" if live else ""
    path.write_text(text.replace("draft: false", "draft: false" + extra, 1), encoding="utf-8")
    return path


def event_requests(env, guild, method):
    return [
        r for r in env.http_requests
        if r.method == method and r.path.startswith(f"/guilds/{guild.id}/scheduled-events")
    ]  # fmt: skip


async def test_a_live_time_in_a_note_becomes_one_event_updated_then_cancelled(
    env, site, make_settings
):
    settings = make_settings(content_dir=site, watch_content=True, watch_poll_seconds=POLL)
    await env.restart_bot(build_bot(settings))
    room = make_room(env)
    other = env.create_guild(name="other")
    other_news = other.create_text_channel("news")
    # the bot may not manage events in the other server
    bot_role = other.roles["TestBot"]
    perms = discord.Permissions(env.backend.get_role(other.id, bot_role.id).permissions)
    perms.manage_events = False
    env.backend.edit_role(other.id, bot_role.id, {"permissions": perms.value})
    await subscribe(room)
    room.bot.get_cog("Notify").store.subscribe(other.id, other_news.id, None, env.now())
    await env.advance_time(POLL)

    live = START + timedelta(days=2)
    note = live_note(site, 3, START + timedelta(days=3), live)  # published after the live
    await env.advance_time(POLL * 2)
    (created,) = event_requests(env, room.guild, "POST")
    assert created.json["name"] == "#3 ライブ 3"
    assert created.json["entity_type"] == 3
    assert created.json["scheduled_start_time"].startswith("2026-01-03T00:00:00")
    assert event_requests(env, other, "POST") == []  # no permission there
    status = await room.admin.slash(room.general, "notify status")
    assert "Manage Events" not in str(status.response.embeds[0].to_dict())

    await env.restart_bot(build_bot(settings))  # a restart creates nothing again
    await env.advance_time(POLL * 2)
    assert len(event_requests(env, room.guild, "POST")) == 1

    later = live + timedelta(hours=2)
    note.write_text(
        note.read_text(encoding="utf-8").replace(live.isoformat(), later.isoformat()),
        encoding="utf-8",
    )
    await env.advance_time(POLL * 2)
    (edited,) = event_requests(env, room.guild, "PATCH")
    assert edited.json["scheduled_start_time"].startswith("2026-01-03T02:00:00")

    note.unlink()
    await env.advance_time(POLL * 2)
    cancel = event_requests(env, room.guild, "PATCH")[-1]
    assert cancel.json.get("status") == 4  # Discord: 4 = CANCELED
    await env.advance_time(POLL * 4)
    assert len(event_requests(env, room.guild, "PATCH")) == 2
    assert len(event_requests(env, room.guild, "POST")) == 1


# -- any Source ------------------------------------------------------------------


class ListedSource:
    """A made-up kind of feed, as a new module would add one: it lists what the test
    puts in ``items``, or fails with ``error``; it records each look it was told of."""

    name = "listed"
    reports_health = True

    def __init__(self, interval: float):
        self.interval = interval
        self.items: list[FeedItem] = []
        self.error: str | None = None
        self.looks: list[str] = []  # the status of each look, once scanned
        self.last: datetime | None = None

    async def poll(self, now: datetime) -> Poll:
        if self.error is not None:
            return Poll("error", error=self.error)
        return Poll("ok", FeedFound("listed:test", tuple(self.items)))

    async def scanned(self, poll: Poll, now: datetime) -> None:
        self.looks.append(poll.status)
        self.last = now

    def state(self) -> SourceState | None:
        return SourceState(self.last, self.looks[-1] if self.looks else None, self.error)


def listed(n: int, title: str) -> FeedItem:
    link = f"https://example.com/listed/{n}"
    return FeedItem(guid=f"listed-{n}", title=f"#{n} {title}", link=link, number=n)


async def eventually(check, seconds: float = 10.0) -> None:
    """Wait (in real time) until ``check()`` holds: the start-up's scan runs on the state
    file's thread, which SimCord's clock does not wait for on a busy machine."""
    for _ in range(int(seconds / 0.02)):
        if check():
            return
        await asyncio.sleep(0.02)
    assert check()


@pytest.fixture
def listed_strings(monkeypatch):
    """The two strings a new kind brings: its /notify status line and its name."""
    for key, text in (("source_listed", "Listed: {status}"), ("source_name_listed", "Listed")):
        monkeypatch.setitem(i18n.STRINGS, key, {"en": text, "ja": text})


async def test_the_cog_loops_over_any_source_it_is_given(env, site, listed_strings):
    room = make_room(env)
    await subscribe(room)
    await env.advance_time(1)
    listed_source = ListedSource(60.0)
    listed_source.items = [listed(2, "GCSのきほん")]  # what it lists at first: the baseline
    env.bot.get_cog("Notify").add_source(listed_source)
    await env.advance_time(30)  # the next tick starts its loop
    await eventually(lambda: listed_source.looks == ["ok"])  # the scan: the state thread
    assert posts(room) == []

    listed_source.items.insert(0, listed(3, "Cloud Run入門"))
    await env.advance_time(60)
    (post,) = posts(room)
    assert post.embeds[0].title == "#3 Cloud Run入門"
    write_note(site, 3, "Cloud Run入門", START)  # its note, later: the same episode
    await room.bot.reload_catalog()
    await env.advance_time(120)
    assert len(posts(room)) == 1 and listed_source.looks == ["ok"] * 4

    listed_source.error = "listed: upstream down"
    await env.advance_time(60)
    status = await room.admin.slash(room.general, "notify status")
    shown = str(status.response.embeds[0].to_dict())
    assert "Listed: error" in shown and "upstream down" in shown  # its line and its health
    assert listed_source.looks[-1] == "error"
