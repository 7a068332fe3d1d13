"""Scheduled live recordings in Discord: create, edit or cancel each server's event as
``bot.notify.live`` planned it.

The bot needs Manage Events in the server; without it the row waits an hour and
``/notify status`` shows why. A retry of a row that may already have its event (an
earlier attempt whose answer was lost) first looks for ours among the server's events
(same name and location), so a crash never makes two. An event Discord no longer has
counts as cancelled; a missing one that should exist is created again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

import discord

from bot.notify.live import LiveBook, LiveRow
from bot.notify.worker import StoreWorker

log = logging.getLogger(__name__)

PERMISSION_WAIT = timedelta(hours=1)
RETRY_FIRST = 30.0
RETRY_MAX = 3600.0


class LiveEvents:
    def __init__(
        self, bot: discord.Client, book: LiveBook, db: StoreWorker, clock: Callable[[], datetime]
    ):
        self.bot = bot
        self.book = book
        self.db = db
        self.clock = clock

    async def sync_due(self) -> None:
        for row in await self.db.run(self.book.due, self.clock()):
            try:
                await self._sync(row)
            except Exception as exc:  # this row only
                delay = min(RETRY_MAX, RETRY_FIRST * 2 ** max(0, row.attempts))
                log.warning(
                    "live event %s in %s: %s; retry in %.0f s", row.path, row.guild_id, exc, delay
                )
                error = f"{type(exc).__name__}: {exc}"
                if isinstance(exc, discord.HTTPException):
                    error = f"HTTP {exc.status} {exc.text}".strip()
                await self.db.run(
                    self.book.failed, row, error, self.clock() + timedelta(seconds=delay)
                )

    async def _sync(self, row: LiveRow) -> None:
        guild = self.bot.get_guild(row.guild_id)
        if guild is None:
            await self.db.run(
                self.book.failed, row, "not in this server", self.clock() + PERMISSION_WAIT
            )
            return
        me = guild.me
        if me is None or not me.guild_permissions.manage_events:
            log.warning("no Manage Events in %s: live event %s waits", guild.id, row.path)
            await self.db.run(
                self.book.failed,
                row,
                "missing permission: Manage Events",
                self.clock() + PERMISSION_WAIT,
            )
            return
        await self.db.run(self.book.begin, row)
        spec = row.spec
        if row.wanted:
            event = await self._existing(guild, row)
            if event is None:
                event = await guild.create_scheduled_event(
                    name=spec.name,
                    start_time=spec.start,
                    end_time=spec.end,
                    entity_type=discord.EntityType.external,
                    privacy_level=discord.PrivacyLevel.guild_only,
                    location=spec.location,
                    description=spec.description or discord.utils.MISSING,
                )
                await self.db.run(self.book.record_event, row, event.id)
                log.info("live event %s created in %s", row.path, guild.id)
            else:
                if row.event_id != event.id:
                    await self.db.run(self.book.record_event, row, event.id)
                await event.edit(
                    name=spec.name,
                    start_time=spec.start,
                    end_time=spec.end,
                    entity_type=discord.EntityType.external,
                    location=spec.location,
                    description=spec.description,
                )
                log.info("live event %s updated in %s", row.path, guild.id)
        elif row.event_id is not None:
            try:
                event = await guild.fetch_scheduled_event(row.event_id)
                if event.status is discord.EventStatus.scheduled:
                    await event.cancel()
                    log.info("live event %s cancelled in %s", row.path, guild.id)
            except discord.NotFound:
                pass
        await self.db.run(self.book.synced, row)

    async def _existing(self, guild: discord.Guild, row: LiveRow) -> discord.ScheduledEvent | None:
        """The row's event: by its id, else (a retry) ours with the same name and place."""
        if row.event_id is not None:
            try:
                event = await guild.fetch_scheduled_event(row.event_id)
            except discord.NotFound:
                return None
            return event if event.status is discord.EventStatus.scheduled else None
        if row.attempts == 0:
            return None
        me = self.bot.user
        for event in await guild.fetch_scheduled_events(with_counts=False):
            if (
                me is not None
                and event.creator_id == me.id
                and event.name == row.spec.name
                and event.location == row.spec.location
                and event.status is discord.EventStatus.scheduled
            ):
                return event
        return None
