"""Posting queued announcements to Discord, at most once each, retrying until accepted.

A row of the state file goes pending -> delivered only after Discord returned the
created message. Before each send the row's nonce is written (and reused by every
retry), and the message is sent with ``nonce`` + ``enforce_nonce``, so Discord answers
a repeated send inside its nonce window with the first message instead of a second
one. A retry after a possible earlier send (a crash or timeout after the request went
out) first looks for that message in the channel's recent history.

Where it posts (text channel, announcement channel + publish, forum post, discussion
thread) and how each step after the post is done once: ``destinations``. The text above
the embed is the subscription's template (``bot.notify.template``) or the default.

Failures: 429, 5xx, timeouts and connection errors stay pending with exponential
backoff; 403/404 mark the subscription broken (shown by ``/notify status``); any other
4xx fails that row only. Anything else going wrong with one row (its payload cannot be
turned into a message, the state file is busy) backs that row off; the rows after it
are still sent.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import aiohttp
import discord

from bot.cogs.notify import destinations
from bot.content.htmltext import html_to_text
from bot.i18n import Lang, language_for, t
from bot.notify.contract import StateStore
from bot.notify.store import Announcement, AnnouncementPayload, Subscription
from bot.notify.template import CONTENT_MAX, Values, render
from bot.notify.worker import StoreWorker
from bot.ui.embeds import episode_embed, episode_links_view, fit_embed
from bot.ui.text import COLOR, TITLE_MAX, clip, neutral, safe_url

if TYPE_CHECKING:
    from bot.app import PodcastBot

log = logging.getLogger(__name__)

BACKOFF_FIRST = 30.0  # seconds before the first retry
BACKOFF_MAX = 3600.0
BATCH = 20


def backoff(attempts: int) -> float:
    """Seconds to wait after the ``attempts``-th failed try: 30 s, 60 s, ... up to 1 h."""
    return min(BACKOFF_MAX, BACKOFF_FIRST * 2 ** max(0, attempts - 1))


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One announcement as Discord will receive it."""

    content: str
    embed: discord.Embed
    view: discord.ui.View | None
    allowed_mentions: discord.AllowedMentions


def mentions_for(role_id: int | None) -> discord.AllowedMentions:
    """Only the configured role may be pinged; never everyone, here or users."""
    if role_id is None:
        return discord.AllowedMentions.none()
    return discord.AllowedMentions(
        everyone=False, users=False, roles=[discord.Object(role_id)], replied_user=False
    )


def feed_embed(payload: AnnouncementPayload, lang: Lang, tz: str = "Asia/Tokyo") -> discord.Embed:
    """A feed item whose show notes do not exist yet: title, summary, date, link."""
    embed = discord.Embed(
        title=clip(neutral(payload.title), TITLE_MAX) or None,
        url=safe_url(payload.url) or safe_url(payload.audio_url),
        description=clip(neutral(html_to_text(payload.summary)), 1000) or None,
        color=COLOR,
    )
    if payload.released_at is not None:
        day = payload.released_at.astimezone(ZoneInfo(tz))
        embed.add_field(name=t("date", lang), value=day.strftime("%Y-%m-%d"), inline=True)
    embed.set_footer(text=t("notes_coming", lang))
    return fit_embed(embed, lang=lang)


def feed_view(payload: AnnouncementPayload, lang: Lang) -> discord.ui.View | None:
    target = safe_url(payload.url) or safe_url(payload.audio_url)
    if target is None or len(target) > 512:
        return None
    view = discord.ui.View(timeout=None)
    view.add_item(discord.ui.Button(label=t("listen", lang), url=target))
    return view


class Announcer:
    def __init__(
        self, bot: PodcastBot, store: StateStore, db: StoreWorker, clock: Callable[[], datetime]
    ):
        self.bot = bot
        self.store = store
        self.db = db  # the state file's thread: no store call blocks the event loop
        self.clock = clock
        self._lock = asyncio.Lock()

    # -- building ------------------------------------------------------------

    def outgoing(
        self,
        payload: AnnouncementPayload,
        lang: Lang,
        role_id: int | None,
        *,
        sample: bool = False,
        template: str | None = None,
    ) -> Outgoing:
        episode = self.bot.catalog.by_path(payload.path) if payload.path else None
        if episode is not None:
            embed = episode_embed(episode, locale=lang)
            view: discord.ui.View | None = episode_links_view(episode, lang)
        else:
            embed = feed_embed(payload, lang, self.bot.settings.site_timezone)
            view = feed_view(payload, lang)
        if view is not None and not view.children:
            view = None
        if template:
            content = render(template, self.values(payload, role_id))
        else:
            head = t("new_episode", lang)
            content = f"<@&{role_id}> {head}" if role_id is not None else head
        if sample:
            content = clip(f"{t('sample', lang)}\n{content}", CONTENT_MAX)
        mentions = discord.AllowedMentions.none() if sample else mentions_for(role_id)
        return Outgoing(content, embed, view, mentions)

    def values(self, payload: AnnouncementPayload, role_id: int | None) -> Values:
        """What a template's placeholders stand for in this announcement."""
        episode = self.bot.catalog.by_path(payload.path) if payload.path else None
        released = payload.released_at
        if episode is not None:
            summary, page, player = episode.summary, episode.page_url, episode.player_url
            released = episode.released_at or released
        else:
            summary, page, player = payload.summary, payload.url, payload.audio_url
        day = ""
        if released is not None:
            day = released.astimezone(ZoneInfo(self.bot.settings.site_timezone)).strftime(
                "%Y-%m-%d"
            )
        return Values(
            title=payload.title,
            number="" if payload.number is None else str(payload.number),
            summary=html_to_text(summary or ""),
            url=safe_url(page) or safe_url(payload.url) or "",
            player=safe_url(player) or safe_url(payload.url) or "",
            role=f"<@&{role_id}>" if role_id is not None else "",
            date=day,
        )

    def language(self, sub: Subscription) -> Lang:
        """The server's /settings language, else the language of whoever ran /notify
        set, else the server's locale."""
        chosen = self.bot.guild_languages.get(sub.guild_id)
        if chosen:
            return language_for(chosen)
        if sub.lang:
            return language_for(sub.lang)
        guild = self.bot.get_guild(sub.guild_id)
        return language_for(guild.preferred_locale if guild is not None else None)

    def channel(self, channel_id: int, guild_id: int) -> discord.abc.Messageable:
        found = self.bot.get_channel(channel_id)
        if isinstance(found, discord.abc.Messageable):
            return found
        return self.bot.get_partial_messageable(channel_id, guild_id=guild_id)

    # -- delivery ------------------------------------------------------------

    async def deliver_due(self) -> int:
        """Send every pending announcement whose time has come; returns how many went out."""
        sent = 0
        async with self._lock:
            due = await self.db.run(self.store.due_announcements, self.clock(), limit=BATCH)
            for row in due:
                try:
                    if await self.deliver(row):
                        sent += 1
                except Exception as exc:  # this row only: the next ones still go out
                    if self.store.fault is not None:  # logged once by the store
                        log.warning("announcement %s stays pending: %s", row.key, exc)
                    else:
                        log.exception("announcement %s to %s failed", row.key, row.channel_id)
                    try:
                        await self._retry(row, f"{type(exc).__name__}: {exc}")
                    except Exception as again:
                        log.warning("could not back off announcement %s: %s", row.key, again)
        return sent

    async def deliver(self, row: Announcement) -> bool:
        run, store = self.db.run, self.store
        sub = await run(store.subscription_for, row.channel_id)
        if sub is None or sub.guild_id != row.guild_id or sub.broken:
            await run(store.mark_failed, row.key, row.channel_id, "no longer subscribed")
            return False
        maybe_sent_before = row.attempts > 0
        row = await run(store.begin_attempt, row.key, row.channel_id, self.clock())
        assert row.nonce is not None
        try:
            message = self.outgoing(
                row.payload, self.language(sub), sub.role_id, template=sub.template
            )
            channel = self.channel(row.channel_id, row.guild_id)
            if row.message_id is None:
                row = await self._post(sub, row, channel, message, maybe_sent_before)
            if destinations.needs_follow_up(sub, row):
                await self._follow_up(sub, row, channel, retry=maybe_sent_before)
            assert row.message_id is not None
            await run(store.mark_delivered, row.key, row.channel_id, row.message_id, self.clock())
        except destinations.WrongChannel as exc:
            log.warning("channel %s cannot take announcements: %s", row.channel_id, exc)
            await run(store.mark_broken, row.channel_id, str(exc)[:300], self.clock())
            return False
        except (discord.Forbidden, discord.NotFound) as exc:
            reason = f"{exc.status} {exc.text or type(exc).__name__}"[:300]
            log.warning("channel %s refused announcements: %s", row.channel_id, reason)
            await run(store.mark_broken, row.channel_id, reason, self.clock())
            return False
        except discord.HTTPException as exc:
            if exc.status == 429 or exc.status >= 500:
                await self._retry(row, f"HTTP {exc.status} {exc.text}".strip())
            else:
                error = f"HTTP {exc.status} {exc.text}".strip()[:300]
                log.error("announcement %s refused by Discord: %s", row.key, error)
                await run(store.mark_failed, row.key, row.channel_id, error)
            return False
        except (TimeoutError, aiohttp.ClientError, OSError) as exc:
            await self._retry(row, f"{type(exc).__name__}: {exc}")
            return False
        except Exception as exc:  # never lose the row: whatever it was, try again later
            if store.fault is not None:  # the state file: logged once by the store
                log.warning("announcement %s stays pending: %s", row.key, exc)
            else:
                log.exception("announcement %s to %s failed", row.key, row.channel_id)
            await self._retry(row, f"{type(exc).__name__}: {exc}")
            return False
        log.info("announced %s in channel %s", row.key, row.channel_id)
        return True

    async def _post(
        self,
        sub: Subscription,
        row: Announcement,
        channel: discord.abc.Messageable,
        message: Outgoing,
        maybe_sent_before: bool,
    ) -> Announcement:
        """The post itself (a message, or a forum post); recorded on the row at once
        when a step follows it. Returns the row with its message (and thread) id."""
        me = self.bot.user
        assert me is not None
        thread_id: int | None = None
        if sub.kind == "forum":
            forum = self.bot.get_channel(row.channel_id) or await self.bot.fetch_channel(
                row.channel_id
            )
            if not isinstance(forum, discord.ForumChannel):
                raise destinations.WrongChannel(f"{row.channel_id} is no longer a forum")
            name = destinations.thread_name(row.payload.title)
            earlier = (
                await destinations.earlier_forum_post(forum, me, row, name)
                if maybe_sent_before
                else None
            )
            if earlier is not None:
                log.info("forum post %s found already made in %s", row.key, row.channel_id)
                thread_id = message_id = earlier.id
            else:
                tag = forum.get_tag(sub.forum_tag_id) if sub.forum_tag_id else None
                made = await forum.create_thread(
                    name=name,
                    content=message.content,
                    embed=message.embed,
                    view=message.view or discord.utils.MISSING,
                    allowed_mentions=message.allowed_mentions,
                    applied_tags=[tag] if tag is not None else discord.utils.MISSING,
                )
                thread_id, message_id = made.thread.id, made.message.id
        else:
            exclude: set[int] = set()
            if maybe_sent_before and row.purpose == "auto":
                exclude = await self.db.run(self.store.resend_message_ids, row.channel_id)
            # the post as the row was queued, should the note have changed since
            queued = feed_embed(row.payload, self.language(sub), self.bot.settings.site_timezone)
            earlier_msg = (
                await destinations.earlier_message(
                    channel, me, row, message.content, message.embed, exclude, queued
                )
                if maybe_sent_before
                else None
            )
            if earlier_msg is not None:
                log.info("announcement %s found already posted in %s", row.key, row.channel_id)
                message_id = earlier_msg.id
            else:
                posted = await channel.send(
                    content=message.content,
                    embed=message.embed,
                    view=message.view or discord.utils.MISSING,
                    allowed_mentions=message.allowed_mentions,
                    nonce=row.nonce or discord.utils.MISSING,  # + enforce_nonce=True
                )
                message_id = posted.id
        row = replace(row, message_id=message_id, thread_id=thread_id or row.thread_id)
        if thread_id is not None or destinations.needs_follow_up(sub, row):
            await self.db.run(
                self.store.mark_posted, row.key, row.channel_id, message_id, thread_id
            )
        return row

    async def _follow_up(
        self,
        sub: Subscription,
        row: Announcement,
        channel: discord.abc.Messageable,
        *,
        retry: bool,
    ) -> None:
        """Publish, or start the discussion thread; each recorded once done. A step
        Discord refuses for good is recorded and the post still counts as delivered;
        a transient failure raises, so the row retries only this step."""
        assert row.message_id is not None
        run, store = self.db.run, self.store
        try:
            if sub.kind == "news":
                await destinations.publish_once(channel, row, row.message_id, retry=retry)
                await run(store.mark_step, row.key, row.channel_id, published_at=self.clock())
                log.info("announcement %s published from %s", row.key, row.channel_id)
            else:
                name = destinations.thread_name(row.payload.title)
                thread_id = await destinations.thread_once(
                    self.bot, channel, row, row.message_id, name, retry=retry
                )
                await run(store.mark_step, row.key, row.channel_id, thread_id=thread_id)
        except discord.HTTPException as exc:
            if exc.status == 429 or exc.status >= 500:
                raise
            error = f"{exc.status} {exc.text or type(exc).__name__}".strip()[:300]
            log.warning("announcement %s: follow-up step refused: %s", row.key, error)
            await run(store.mark_step, row.key, row.channel_id, step_error=error)

    async def _retry(self, row: Announcement, error: str) -> None:
        delay = backoff(row.attempts)
        now = self.clock()
        log.warning(
            "announcement %s to %s failed (%s); retry %d in %.0f s",
            row.key,
            row.channel_id,
            error,
            row.attempts + 1,
            delay,
        )
        await self.db.run(
            self.store.mark_retry,
            row.key,
            row.channel_id,
            error[:300],
            now + timedelta(seconds=delay),
            now,
        )

    # -- /notify test --------------------------------------------------------

    def sample(
        self, sub: Subscription, payload: AnnouncementPayload | None, lang: Lang
    ) -> Outgoing:
        """What ``/notify test`` shows privately, then posts: the subscription's template
        on the newest episode (or a placeholder card), marked as a test, never pinging."""
        if payload is None:
            payload = AnnouncementPayload(
                key="sample", source="notes", title=t("sample_title", lang)
            )
            message = self.outgoing(payload, lang, sub.role_id, sample=True, template=sub.template)
            embed = discord.Embed(
                title=t("sample_title", lang), description=t("sample_body", lang), color=COLOR
            )
            return Outgoing(message.content, embed, None, message.allowed_mentions)
        return self.outgoing(payload, lang, sub.role_id, sample=True, template=sub.template)

    async def send_sample(self, sub: Subscription, message: Outgoing) -> int:
        """Post a test where the subscription posts (a forum: a new post; an
        announcement channel: not published). Returns the message id."""
        if sub.kind == "forum":
            forum = self.bot.get_channel(sub.channel_id) or await self.bot.fetch_channel(
                sub.channel_id
            )
            if not isinstance(forum, discord.ForumChannel):
                raise destinations.WrongChannel(f"<#{sub.channel_id}> is not a forum")
            made = await forum.create_thread(
                name=destinations.thread_name(message.embed.title or "test"),
                content=message.content,
                embed=message.embed,
                view=message.view or discord.utils.MISSING,
                allowed_mentions=message.allowed_mentions,
            )
            return made.message.id
        channel = self.channel(sub.channel_id, sub.guild_id)
        posted = await channel.send(
            content=message.content,
            embed=message.embed,
            view=message.view or discord.utils.MISSING,
            allowed_mentions=message.allowed_mentions,
        )
        return posted.id
