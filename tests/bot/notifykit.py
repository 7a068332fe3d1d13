"""The world of the notification tests: the bot on SimCord's clock, a server with an
admin and a member, the notes of episodes #1 and #2, and a local RSS feed.

Fixtures (a test module imports those it uses by name and lists them in ``__all__``):
``site`` (a content folder with two notes), ``bot_settings`` (watching it),
``simcord_bot``, ``room``, ``feed`` (a ``FeedServer`` listing #2 and #1) and ``remote``
(a bare git repository of the site, and an author's clone).
Helpers: ``build_bot``, ``make_room``, ``subscribe``, ``posts``, ``message_posts``,
``item`` (one feed item), ``git`` and ``git_settings``.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import discord
import pytest
import simcord
from aiohttp import web
from loopback import serve
from notify_notes import write_note

from bot.app import create_bot
from bot.library.catalog import Catalog
from bot.notify.store import Store

START = datetime.fromisoformat("2026-01-01T00:00:00+00:00")  # SimCord's virtual epoch
POLL = 5  # WATCH_POLL_SECONDS in these tests


def build_bot(settings):
    """The real bot on a catalog that reads SimCord's virtual clock."""
    return create_bot(settings, catalog=Catalog.from_settings(settings, clock=discord.utils.utcnow))


# -- the server ------------------------------------------------------------------


@dataclass
class Room:
    env: simcord.Env
    guild: simcord.GuildHandle
    news: simcord.ChannelHandle
    general: simcord.ChannelHandle
    admin: simcord.MemberActor
    member: simcord.MemberActor
    fans: simcord.RoleHandle

    @property
    def bot(self):
        return self.env.bot

    def store(self) -> Store:
        return self.bot.get_cog("Notify").store

    def announcements(self, channel=None):
        return posts(self, channel)


def make_room(env) -> Room:
    guild = env.create_guild(name="podcast-fans")
    mods = guild.create_role("mods", permissions=discord.Permissions(manage_guild=True))
    fans = guild.create_role("fans", mentionable=True)
    news = guild.create_text_channel("news")
    general = guild.create_text_channel("general")
    admin = guild.add_member(env.create_user("admin"), roles=[mods])
    member = guild.add_member(env.create_user("member"))
    return Room(env, guild, news, general, admin, member, fans)


async def subscribe(room: Room, channel=None, **options):
    result = await room.admin.slash(
        room.general, "notify set", channel=channel or room.news, **options
    )
    assert result.response.ephemeral
    return result


def cut_power_before(monkeypatch, step: str) -> None:
    """The process dies just before the state file records ``step`` (a ``Store``
    method): Discord has what was sent, the state file does not. ``monkeypatch.undo()``
    is the power coming back."""

    def power_cut(*args, **kwargs):
        raise RuntimeError("power cut before the write")

    monkeypatch.setattr(Store, step, power_cut)


def posts(room: Room, channel=None):
    """The bot's messages with an embed in ``channel`` (default: #news)."""
    me = room.bot.user.id
    return [m for m in (channel or room.news).history() if m.author.id == me and m.embeds]


def message_posts(env, channel):
    """Every message the bot asked Discord to create in ``channel``."""
    return [
        r for r in env.http_requests
        if r.method == "POST" and r.path == f"/channels/{channel.id}/messages"
    ]  # fmt: skip


# -- the feed --------------------------------------------------------------------


def item(
    n: int,
    *,
    title: str | None = None,
    slug: str | None = None,
    link: str | None = None,
    guid: str | None = None,
    date: str = "Thu, 01 Jan 2026 00:00:00 GMT",
) -> str:
    """One anchor.fm-like ``<item>`` of episode ``n`` (``title`` whole, default
    "#n topic n"; the page is ``link``, else anchor.fm's ``slug`` page)."""
    shown = f"#{n} topic {n}" if title is None else title
    page = link or f"https://anchor.fm/testcast/episodes/{slug or f'ep{n}-e{n:05d}'}"
    return (
        f"<item><title>{shown}</title><link>{page}</link>"
        f'<guid isPermaLink="false">{guid or f"guid-{n}"}</guid><pubDate>{date}</pubDate>'
        f'<enclosure url="https://cdn.example/ep{n}.m4a?t=1" length="1" type="audio/x-m4a"/>'
        "</item>"
    )


class FeedServer:
    """An RSS feed on 127.0.0.1 (a random port): ``items`` newest first, with an ETag
    (and a 304 when the client sends it back) unless ``fail_with`` is set: an HTTP
    status, or bytes served as an HTML page. ``requests``: the headers of each request."""

    def __init__(self, items: list[str]):
        self.items = items
        self.fail_with: int | bytes | None = None
        self.requests: list[dict[str, str]] = []
        self.url = ""

    def body(self) -> bytes:
        return (
            '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
            f"<title>testcast</title>{''.join(self.items)}</channel></rss>"
        ).encode()

    @property
    def etag(self) -> str:
        return '"' + hashlib.sha256(self.body()).hexdigest()[:16] + '"'

    async def handle(self, request: web.Request) -> web.Response:
        self.requests.append(dict(request.headers))
        if isinstance(self.fail_with, int):
            return web.Response(status=self.fail_with)
        if isinstance(self.fail_with, bytes):
            return web.Response(body=self.fail_with, content_type="text/html")
        if request.headers.get("If-None-Match") == self.etag:
            return web.Response(status=304)
        return web.Response(
            body=self.body(), content_type="application/rss+xml", headers={"ETag": self.etag}
        )


@asynccontextmanager
async def serve_feed(items: list[str]) -> AsyncIterator[FeedServer]:
    server = FeedServer(items)
    async with serve("/podcast/rss", server.handle) as url:
        server.url = url
        yield server


# -- a git remote ----------------------------------------------------------------


def git(cwd: Path, *args: str) -> None:
    env = {
        "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
        "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com",
        "HOME": str(cwd), "PATH": "/usr/bin:/bin:/usr/local/bin",
    }  # fmt: skip
    subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True)


def git_settings(make_settings, tmp_path: Path, bare: Path):
    """Settings serving the site from a checkout of ``bare``, pulled every 60 s."""
    return make_settings(
        content_dir=tmp_path / "unused", data_dir=tmp_path / "data",
        content_git_url=bare.as_uri(), content_git_interval_seconds=60,
    )  # fmt: skip


# -- fixtures --------------------------------------------------------------------


@pytest.fixture
def site(tmp_path):
    root = tmp_path / "content"
    write_note(root, 1, "S3のきほん", START - timedelta(days=30))
    write_note(root, 2, "GCSのきほん", START - timedelta(days=20))
    return root


@pytest.fixture
def bot_settings(make_settings, site):
    return make_settings(content_dir=site, watch_content=True, watch_poll_seconds=POLL)


@pytest.fixture
def simcord_bot(bot_settings):
    return build_bot(bot_settings)


@pytest.fixture
def room(env):
    return make_room(env)


@pytest.fixture
def remote(tmp_path, site):
    """A bare repository holding the site under content/, and an author's clone."""
    bare, work = tmp_path / "site.git", tmp_path / "author"
    bare.mkdir()
    git(bare, "init", "--quiet", "--bare", "--initial-branch=main")
    work.mkdir()
    git(work, "init", "--quiet", "--initial-branch=main")
    git(work, "remote", "add", "origin", str(bare))
    shutil.copytree(site, work / "content")
    git(work, "add", "-A")
    git(work, "commit", "--quiet", "-m", "site")
    git(work, "push", "--quiet", "origin", "main")
    return bare, work


@pytest.fixture
async def feed():
    async with serve_feed([item(2, title="#2 GCSのきほん"), item(1, title="#1 S3のきほん")]) as s:
        yield s
