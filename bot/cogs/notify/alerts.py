"""Source health notices in Discord: what each source reports each tick, and the short
notice posted to a server's admin channel (``/notify alerts``) when one has been down
longer than the server's threshold or has recovered (``bot.notify.health`` decides).

A notice is recorded before it is sent and cleared once Discord has it; a retry sends
the same nonce. A channel that refuses it (403/404) drops that notice with a warning.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

import discord

from bot.i18n import language_for, t
from bot.notify.health import HealthBook, Notice
from bot.notify.worker import StoreWorker

log = logging.getLogger(__name__)


class Alerts:
    def __init__(
        self, bot: discord.Client, book: HealthBook, db: StoreWorker, clock: Callable[[], datetime]
    ):
        self.bot = bot
        self.book = book
        self.db = db
        self.clock = clock

    async def report(self, source: str, error: str | None) -> None:
        try:
            await self.db.run(self.book.report, source, error, self.clock())
        except Exception as exc:  # the state file is busy: the next tick reports again
            log.warning("could not record the health of %s: %s", source, exc)

    async def send_due(self) -> int:
        """Post every notice that is due, and any left pending; returns how many went."""
        now = self.clock()
        sent = 0
        for notice in await self.db.run(self.book.pending_notices):
            sent += await self._send(notice)
        for channel, health, kind in await self.db.run(self.book.due, now):
            guild = self.bot.get_guild(channel.guild_id)
            lang = language_for(guild.preferred_locale if guild is not None else None)
            name = t(f"source_name_{health.source}", lang)
            if kind == "down":
                since = discord.utils.format_dt(health.failing_since or now, "R")
                text = t(
                    "alert_down", lang, source=name, since=since, error=health.last_error or "?"
                )
            else:
                text = t("alert_up", lang, source=name)
            notice = await self.db.run(
                self.book.begin_notice, channel, health.source, kind, text[:1900], now
            )
            sent += await self._send(notice)
        return sent

    async def _send(self, notice: Notice) -> int:
        found = self.bot.get_channel(notice.channel_id)
        channel: discord.abc.Messageable
        if isinstance(found, discord.abc.Messageable):
            channel = found
        else:
            channel = self.bot.get_partial_messageable(notice.channel_id, guild_id=notice.guild_id)
        try:
            await channel.send(
                notice.text, nonce=notice.nonce, allowed_mentions=discord.AllowedMentions.none()
            )
        except (discord.Forbidden, discord.NotFound) as exc:
            log.warning("admin channel %s refused a notice: %s", notice.channel_id, exc)
        except (discord.HTTPException, OSError, TimeoutError) as exc:
            log.warning("notice to %s failed, will retry: %s", notice.channel_id, exc)
            return 0
        await self.db.run(self.book.notice_sent, notice.guild_id, notice.source)
        return 1
