"""The loops that keep the catalog fresh: the content watcher and the git source.

Thin: each loop calls one ``bot.sync`` (``bot.library.sync.CatalogSync``) method; what a
change means (re-read a note, reload the folder, retarget a new checkout) is decided
there. Search stays fresh whether or not notifications are loaded.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from discord.ext import commands, tasks

if TYPE_CHECKING:
    from bot.app import PodcastBot

log = logging.getLogger(__name__)

TICK_WATCHING = 2.0  # seconds between two looks at the watcher's changes


class LibraryCog(commands.Cog, name="Library"):
    def __init__(self, bot: PodcastBot):
        self.bot = bot
        self.sync = bot.sync
        settings = bot.settings
        self.watch_loop.change_interval(seconds=settings.watch_poll_seconds or TICK_WATCHING)
        self.git_loop.change_interval(seconds=settings.content_git_interval_seconds)

    async def cog_load(self) -> None:
        if self.sync.git is not None:
            self.git_loop.start()
        elif self.sync.watch:
            self.watch_loop.start()

    async def cog_unload(self) -> None:
        self.git_loop.cancel()
        self.watch_loop.cancel()
        self.sync.stop()

    @tasks.loop(seconds=TICK_WATCHING)
    async def watch_loop(self) -> None:
        try:
            if self.watch_loop.current_loop == 0:
                self.sync.start_watching()
            await self.sync.apply_watched()
        except Exception:
            log.exception("re-indexing changed notes failed; trying again next tick")

    @tasks.loop(seconds=300)
    async def git_loop(self) -> None:
        """Clone (the first round) or pull; then the watcher follows the checkout."""
        try:
            await self.sync.pull()
        except Exception:
            log.exception("git source round failed")
        if self.sync.watch and self.sync.content_ready and not self.watch_loop.is_running():
            self.watch_loop.start()

    @watch_loop.before_loop
    @git_loop.before_loop
    async def before_loops(self) -> None:
        await self.bot.wait_until_ready()


async def setup(bot: PodcastBot) -> None:
    await bot.add_cog(LibraryCog(bot))
