"""Posting queued announcements to Discord, at most once each, retrying until accepted.

A row of the state file goes pending -> delivered only after Discord returned the
created message. Before each send the row's nonce is written (and reused by every
retry), and the message is sent with ``nonce`` + ``enforce_nonce``, so Discord answers
a repeated send inside its nonce window with the first message instead of a second
one. A retry after a possible earlier send (a crash or timeout after the request went
out) first looks for that message in the channel's recent history.

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
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import aiohttp
import discord

from bot.content.htmltext import html_to_text
from bot.i18n import Lang, language_for, t
from bot.notify.store import Announcement, AnnouncementPayload, Store, Subscription
from bot.notify.worker import StoreWorker
from bot.ui.embeds import episode_embed, episode_links_view, fit_embed
from bot.ui.text import COLOR, TITLE_MAX, clip, neutral, safe_url

if TYPE_CHECKING:
    from bot.app import PodcastBot

log = logging.getLogger(__name__)

BACKOFF_FIRST = 30.0  # seconds before the first retry
BACKOFF_MAX = 3600.0
HISTORY_LOOKBACK = 50  # messages searched for an earlier post before a retry
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
        self, bot: PodcastBot, store: Store, db: StoreWorker, clock: Callable[[], datetime]
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
        head = t("sample", lang) if sample else t("new_episode", lang)
        content = f"<@&{role_id}> {head}" if role_id is not None else head
        mentions = discord.AllowedMentions.none() if sample else mentions_for(role_id)
        return Outgoing(content, embed, view, mentions)

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
        sub = await run(store.subscription, row.guild_id)
        if sub is None or sub.channel_id != row.channel_id or sub.broken:
            await run(store.mark_failed, row.key, row.channel_id, "no longer subscribed")
            return False
        maybe_sent_before = row.attempts > 0
        row = await run(store.begin_attempt, row.key, row.channel_id, self.clock())
        assert row.nonce is not None
        try:
            message = self.outgoing(row.payload, self.language(sub), sub.role_id)
            channel = self.channel(row.channel_id, row.guild_id)
            earlier = None
            if maybe_sent_before:
                # The note may have been edited since that send: the post then looks as
                # the row was queued, not as the note reads now.
                queued = feed_embed(
                    row.payload, self.language(sub), self.bot.settings.site_timezone
                )
                earlier = await self._earlier_post(channel, row, message, queued)
            if earlier is not None:
                log.info("announcement %s found already posted in %s", row.key, row.channel_id)
                posted = earlier
            else:
                posted = await channel.send(
                    content=message.content,
                    embed=message.embed,
                    view=message.view or discord.utils.MISSING,
                    allowed_mentions=message.allowed_mentions,
                    nonce=row.nonce,  # discord.py adds enforce_nonce=True
                )
            await run(store.mark_delivered, row.key, row.channel_id, posted.id, self.clock())
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

    async def _earlier_post(
        self,
        channel: discord.abc.Messageable,
        row: Announcement,
        message: Outgoing,
        queued: discord.Embed,
    ) -> discord.Message | None:
        """Our own message for this row if an earlier attempt reached Discord: the same
        nonce, or the same text with the embed as it is now or as the row was queued."""
        me = self.bot.user
        if me is None or row.first_attempt_at is None:
            return None
        since = row.first_attempt_at - timedelta(minutes=1)
        try:
            async for old in channel.history(limit=HISTORY_LOOKBACK, after=since):
                if old.author.id != me.id:
                    continue
                if old.nonce is not None and str(old.nonce) == row.nonce:
                    return old
                same_text = old.content == message.content
                if not (same_text and old.embeds):
                    continue
                if _same_embed(old.embeds[0], message.embed) or _same_embed(old.embeds[0], queued):
                    return old
        except discord.Forbidden:
            log.info("no history access in %s: relying on the nonce", row.channel_id)
        return None

    # -- /notify test --------------------------------------------------------

    async def send_sample(
        self,
        channel: discord.abc.Messageable,
        payload: AnnouncementPayload | None,
        lang: Lang,
        role_id,
    ) -> discord.Message:
        if payload is None:
            embed = discord.Embed(
                title=t("sample_title", lang), description=t("sample_body", lang), color=COLOR
            )
            head = t("sample", lang)
            content = f"<@&{role_id}> {head}" if role_id is not None else head
            message = Outgoing(content, embed, None, discord.AllowedMentions.none())
        else:
            message = self.outgoing(payload, lang, role_id, sample=True)
        return await channel.send(
            content=message.content,
            embed=message.embed,
            view=message.view or discord.utils.MISSING,
            allowed_mentions=message.allowed_mentions,
        )


def _same_embed(a: discord.Embed, b: discord.Embed) -> bool:
    if a.url and b.url:
        return a.url == b.url and a.title == b.title
    return bool(a.title) and a.title == b.title
