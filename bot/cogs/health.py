"""Keeps the heartbeat file fresh while the bot runs (see ``bot.health``).

The file is rewritten every ``HEARTBEAT_SECONDS`` and at once whenever the gateway
connects, resumes or drops; on unload (``bot.close()``) it is left saying "not
connected", so a stopping container is never reported healthy. The file is written in a
worker thread, one write at a time in the order asked: a rename on a busy disk can
block for hundreds of milliseconds (measured by bench/soak.py), too long for the loop.
"""

from __future__ import annotations

import asyncio
import logging
import math
import os
from pathlib import Path
from typing import Any

import discord
from discord.ext import commands, tasks

from bot.health import HEARTBEAT_SECONDS, Heartbeat, write_heartbeat

log = logging.getLogger(__name__)


class Health(commands.Cog):
    def __init__(self, bot: commands.Bot, path: Path):
        self.bot = bot
        self.path = path
        self.connected = bot.is_ready() and not bot.is_closed()
        self._write_failed = False
        self._writing = asyncio.Lock()

    async def cog_load(self) -> None:
        self.beat.start()

    async def cog_unload(self) -> None:
        self.beat.cancel()
        self.connected = False
        await self.write()

    @tasks.loop(seconds=HEARTBEAT_SECONDS)
    async def beat(self) -> None:
        await self.write()

    @commands.Cog.listener()
    async def on_ready(self) -> None:
        await self._set_connected(True)

    @commands.Cog.listener()
    async def on_resumed(self) -> None:
        await self._set_connected(True)

    @commands.Cog.listener()
    async def on_connect(self) -> None:
        await self._set_connected(True)

    @commands.Cog.listener()
    async def on_disconnect(self) -> None:
        await self._set_connected(False)

    async def _set_connected(self, connected: bool) -> None:
        if connected != self.connected:
            log.info("gateway %s", "connected" if connected else "disconnected")
        self.connected = connected
        await self.write()

    async def written(self) -> None:
        """Returns once every heartbeat asked for so far is in the file."""
        async with self._writing:
            pass

    def heartbeat(self) -> Heartbeat:
        loaded, episodes = _index_state(self.bot)
        latency = self.bot.latency
        return Heartbeat(
            at=discord.utils.utcnow(),
            gateway_connected=self.connected and not self.bot.is_closed(),
            index_loaded=loaded,
            episodes=episodes,
            guilds=len(self.bot.guilds),
            latency_ms=None if math.isnan(latency) or math.isinf(latency) else latency * 1000,
            pid=os.getpid(),
            state_error=_state_error(self.bot),
        )

    async def write(self) -> None:
        beat = self.heartbeat()  # now, on the loop; the lock keeps writes in this order
        async with self._writing:
            try:
                await asyncio.to_thread(write_heartbeat, self.path, beat)
            except OSError as exc:
                if not self._write_failed:  # once, not every 30 s
                    log.warning("cannot write heartbeat file %s: %s", self.path, exc)
                self._write_failed = True
            else:
                self._write_failed = False


def _state_error(bot: commands.Bot) -> str | None:
    """Why the notifications' state file cannot be written, if it cannot."""
    store = getattr(bot.get_cog("Notify"), "store", None)
    fault = getattr(store, "fault", None)
    return None if fault is None else f"{getattr(store, 'path', '')}: {fault}"


def _index_state(bot: Any) -> tuple[bool, int]:
    """(index loaded, episode count): loaded means the catalog holds at least one episode."""
    catalog = getattr(bot, "catalog", None)
    if catalog is None:
        return False, 0
    try:
        count = len(catalog.all_episodes)
    except Exception:  # a catalog half-way through its first load
        return False, 0
    return count > 0, count


async def setup(bot: commands.Bot) -> None:
    settings = getattr(bot, "settings", None)
    if settings is None:
        log.warning("bot has no settings: health heartbeat disabled")
        return
    await bot.add_cog(Health(bot, settings.health_path))
