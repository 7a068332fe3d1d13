"""Where a subscription posts, and the steps after the post, each done at most once.

- ``text`` / ``news``: ``channel.send`` with the row's nonce (``enforce_nonce``); before
  a retry the channel's recent history is searched for the earlier post.
- ``news``: after the post, ``publish`` (crosspost to following servers). A retry first
  fetches the message: one already crossposted is not published again (Discord would
  refuse with 40033 anyway, which counts as done).
- ``forum``: one new post per episode (``ForumChannel.create_thread``, title = the
  episode's title, the subscription's tag). Discord has no nonce for it, so a retry
  first looks through the forum's threads for one of ours with that title.
- ``text`` with ``thread``: a discussion thread started from the post. A thread
  started from a message has the message's id, so a retry looks that id up first.

Each step is written to the row as soon as Discord confirms it (``mark_posted``,
``mark_step``), so a restart between the post and a step redoes only the step, and
finds it done when it already was. A step Discord refuses for good (403, another 4xx)
is recorded in ``step_error`` and the post counts as delivered.
"""

from __future__ import annotations

import logging
from datetime import timedelta

import discord

from bot.notify.store import Announcement, Subscription
from bot.ui.text import clip

log = logging.getLogger(__name__)

HISTORY_LOOKBACK = 50  # messages searched for an earlier post before a retry
THREAD_NAME_MAX = 100  # Discord's limit for a thread (or forum post) name
ALREADY_CROSSPOSTED = 40033


class WrongChannel(Exception):
    """The subscribed channel is not of the kind it was subscribed as (a forum that
    became something else): the subscription is marked broken, like a 403."""


def thread_name(title: str) -> str:
    return clip(title.strip(), THREAD_NAME_MAX) or "episode"


def needs_follow_up(sub: Subscription, row: Announcement) -> bool:
    """Whether a step remains after the post: publishing, or the discussion thread."""
    if row.step_error is not None:
        return False
    if sub.kind == "news":
        return row.published_at is None
    if sub.kind == "text" and sub.thread:
        return row.thread_id is None
    return False


async def earlier_message(
    channel: discord.abc.Messageable,
    me: discord.abc.Snowflake,
    row: Announcement,
    content: str,
    embed: discord.Embed,
    exclude: set[int],
    queued: discord.Embed | None = None,
) -> discord.Message | None:
    """Our own message for this row if an earlier attempt reached Discord: the same
    nonce, or the same text with the embed as it is now or as the row was queued (the
    note may have been edited between that send and this retry).

    A deliberate resend is recognised by its nonce only (an earlier post of the same
    episode is exactly what it repeats); an automatic row never takes a resend's
    message (``exclude``) for its own."""
    if row.first_attempt_at is None:
        return None
    since = row.first_attempt_at - timedelta(minutes=1)
    try:
        async for old in channel.history(limit=HISTORY_LOOKBACK, after=since):
            if old.author.id != me.id or old.id in exclude:
                continue
            if old.nonce is not None and str(old.nonce) == row.nonce:
                return old
            if row.purpose == "resend":
                continue
            same_text = old.content == content
            if same_text and old.embeds:
                if same_embed(old.embeds[0], embed):
                    return old
                if queued is not None and same_embed(old.embeds[0], queued):
                    return old
    except discord.Forbidden:
        log.info("no history access in %s: relying on the nonce", row.channel_id)
    return None


def same_embed(a: discord.Embed, b: discord.Embed) -> bool:
    if a.url and b.url:
        return a.url == b.url and a.title == b.title
    return bool(a.title) and a.title == b.title


async def earlier_forum_post(
    forum: discord.ForumChannel, me: discord.abc.Snowflake, row: Announcement, name: str
) -> discord.Thread | None:
    """Our forum post for this row if an earlier attempt created it (threads the
    gateway told us about, then the guild's active threads)."""
    if row.first_attempt_at is None:
        return None
    since = row.first_attempt_at - timedelta(minutes=1)

    def ours(thread: discord.Thread) -> bool:
        created = thread.created_at or discord.utils.snowflake_time(thread.id)
        return (
            thread.parent_id == forum.id
            and thread.owner_id == me.id
            and thread.name == name
            and created >= since
        )

    for thread in forum.threads:
        if ours(thread):
            return thread
    try:
        for thread in await forum.guild.active_threads():
            if ours(thread):
                return thread
    except discord.HTTPException as exc:
        log.info("could not list active threads of %s: %s", forum.guild.id, exc)
    return None


async def publish_once(
    channel: discord.abc.Messageable, row: Announcement, message_id: int, *, retry: bool
) -> None:
    """Crosspost the post to following servers unless it already was."""
    assert isinstance(channel, discord.abc.Messageable)
    partial = discord.PartialMessage(channel=channel, id=message_id)  # type: ignore[arg-type]
    if retry:
        found = await partial.fetch()
        # Discord sets ``crossposted`` (1 << 0) on a published message; SimCord sets
        # 1 << 1 (``is_crossposted``, which Discord keeps for the followers' copies and
        # so never sets on our own post): either means it is published.
        if found.flags.crossposted or found.flags.is_crossposted:
            log.info("announcement %s already published in %s", row.key, row.channel_id)
            return
    try:
        await partial.publish()
    except discord.HTTPException as exc:
        if exc.code == ALREADY_CROSSPOSTED:
            return
        raise


async def thread_once(
    bot: discord.Client,
    channel: discord.abc.Messageable,
    row: Announcement,
    message_id: int,
    name: str,
    *,
    retry: bool,
) -> int:
    """The discussion thread under the post (its id is the post's); created once."""
    if retry:
        existing = bot.get_channel(message_id)
        if existing is None:
            try:
                existing = await bot.fetch_channel(message_id)
            except discord.NotFound:
                existing = None
        if isinstance(existing, discord.Thread):
            log.info("announcement %s already has its thread", row.key)
            return existing.id
    partial = discord.PartialMessage(channel=channel, id=message_id)  # type: ignore[arg-type]
    thread = await partial.create_thread(name=name, auto_archive_duration=1440)
    return thread.id
