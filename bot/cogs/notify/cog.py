"""``/notify`` commands and the background loops that find and announce new episodes.

Loops (``discord.ext.tasks``, so they stop with the bot and tests drive them with
virtual time):

- ``tick``: the first run starts up (once the content is there: a git source's first
  clone; then the first feed fetch and the catch-up scan); every later run takes the
  watcher's pending changes (``bot.sync.apply_watched``, so a note saved just now is
  seen in this very round), queues what became published (new notes, future-dated
  notes now due) and sends what is due (new announcements and retries). A start-up
  that fails is tried again after 30 s, 60 s, ... up to 10 min.
- ``feed_loop`` (FEED_URL): conditional GET, scan with the items, send.
- ``on_catalog_changed``: any other change to the catalog (a git pull, a reload) is
  scanned and sent at once.

The catalog itself is kept fresh by ``bot.sync`` and the loops in ``bot.cogs.library``.

State lives in ``bot.store.Store``; what is new is decided by ``bot.notify.Notifier``;
sending is ``Announcer``'s job. The store is closed and the loops cancelled in
``cog_unload`` (``Bot.close()`` unloads every extension); a send cut short stays
pending and is retried, with the same nonce, after the next start.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import discord
from discord.ext import commands, tasks

from bot.cogs.notify.alerts import Alerts
from bot.cogs.notify.announcer import Announcer, backoff
from bot.cogs.notify.commands import REQUIRED, NotifyCommands
from bot.cogs.notify.events import LiveEvents
from bot.library.catalog import CatalogChange
from bot.library.sync import CatalogSync
from bot.notify import Notifier
from bot.notify.feed import FeedItem, fetch_feed
from bot.notify.health import HealthBook
from bot.notify.live import LiveBook, wanted_events
from bot.notify.store import Store
from bot.notify.worker import StoreWorker

if TYPE_CHECKING:
    from bot.app import PodcastBot

log = logging.getLogger(__name__)

__all__ = ["REQUIRED", "NotifyCog"]  # REQUIRED: the permissions /notify set checks

TICK_WATCHING = 2.0  # seconds: watcher flag, due notes and retries while watching
TICK_IDLE = 30.0  # seconds: due notes and retries when the folder is not watched
FEED_TIMEOUT = 30.0
START_RETRY_MAX = 600.0  # seconds: the longest wait between two start-up attempts


class NotifyCog(NotifyCommands, name="Notify"):
    """The loops and the state; the ``/notify`` commands are ``NotifyCommands``."""

    def __init__(self, bot: PodcastBot):
        self.bot = bot
        self.settings = bot.settings
        self.catalog = bot.catalog
        self.sync: CatalogSync = bot.sync
        self.feed_url = self.settings.feed_url
        self.store: Store | None = None
        self.db = StoreWorker()  # every store call runs on this thread, never on the loop
        self.notifier: Notifier | None = None
        self.announcer: Announcer | None = None
        self.health: HealthBook = None  # type: ignore[assignment]  # set in cog_load
        self.live: LiveBook = None  # type: ignore[assignment]
        self.alerts_out: Alerts | None = None
        self.events_out: LiveEvents | None = None
        self.started = False
        self.start_failures = 0
        self.start_again_at: datetime | None = None

    def now(self) -> datetime:
        return self.catalog.clock()

    # -- lifecycle -----------------------------------------------------------

    async def cog_load(self) -> None:
        store = await self.db.run(Store.open, self.settings.state_file)
        try:
            self.store = store
            self.notifier = await self.db.run(Notifier, store, self.settings.catchup_limit)
            self.announcer = Announcer(self.bot, store, self.db, self.now)
            self.health = HealthBook(store)
            self.live = LiveBook(store)
            self.alerts_out = Alerts(self.bot, self.health, self.db, self.now)
            self.events_out = LiveEvents(self.bot, self.live, self.db, self.now)
            # Of two notes with one number, the one the state file saw first keeps it.
            for warning in self.catalog.adopt_first_seen(await self.db.run(store.first_seen_paths)):
                log.warning("skipped or partly read note: %s", warning)
            if self.feed_url:
                self.feed_loop.change_interval(seconds=self.settings.feed_interval_seconds)
            self.tick.change_interval(seconds=self.tick_seconds())
            self.tick.start()
        except BaseException:
            # cog_unload never runs for a cog that did not load: close the file here.
            await self.db.run(store.close)
            self.store = None
            self.db.shutdown()
            raise

    async def cog_unload(self) -> None:
        loops = (self.tick, self.feed_loop)
        running = [t for loop in loops if (t := loop.get_task()) is not None and not t.done()]
        for loop in loops:
            loop.cancel()
        if running:  # let them finish cancelling before the state file closes
            await asyncio.wait(running, timeout=10)
        if self.store is not None:
            await self.db.run(self.store.close)
        await asyncio.to_thread(self.db.shutdown)
        log.info("notifications stopped; undelivered announcements stay pending")

    def tick_seconds(self) -> float:
        if not self.settings.watch_content:
            return TICK_IDLE
        return self.settings.watch_poll_seconds or TICK_WATCHING

    @property
    def content_ready(self) -> bool:
        """False until a git source has its first checkout (no baseline from nothing)."""
        return self.sync.content_ready

    # -- loops ---------------------------------------------------------------

    @tasks.loop(seconds=TICK_IDLE)
    async def tick(self) -> None:
        assert self.announcer is not None
        if not await self.store_writable():
            return  # /notify status and the heartbeat show it; the next tick tries again
        try:
            if not self.started:
                await self.try_start_up()
            else:
                await self.watch_round()
                await self.scan()
        except Exception as exc:
            self.log_failure("notification tick failed; trying again next tick", exc)
        try:
            await self.announcer.deliver_due()
        except Exception as exc:
            self.log_failure("sending announcements failed; trying again next tick", exc)
        await self.side_work()

    async def watch_round(self) -> None:
        """The watcher's changes, and the health of the content watch."""
        watcher = self.sync.watcher
        try:
            await self.sync.apply_watched()
        except Exception as exc:
            await self.report("watch", f"{type(exc).__name__}: {exc}")
            raise
        if watcher is not None:
            missing = not watcher.root.is_dir()
            await self.report("watch", f"{watcher.root}: not a folder" if missing else None)

    async def report(self, source: str, error: str | None) -> None:
        if self.alerts_out is not None:
            await self.alerts_out.report(source, error)

    async def side_work(self) -> None:
        """Source health notices and live events: each failure costs only itself."""
        git = self.sync.git
        if git is not None and (git.last_error or git.revision):
            await self.report("git", git.last_error)
        try:
            assert self.alerts_out is not None
            await self.alerts_out.send_due()
        except Exception as exc:
            self.log_failure("source health notices failed; next tick tries again", exc)
        if not self.started:
            return
        try:
            await self.plan_live_events()
            assert self.events_out is not None
            await self.events_out.sync_due()
        except Exception as exc:
            self.log_failure("live events failed; next tick tries again", exc)

    async def plan_live_events(self) -> None:
        assert self.store is not None
        episodes = self.catalog.all_episodes if self.content_ready else ()
        base = self.settings.site_base_url or ""
        specs = wanted_events(episodes, self.now(), str(base))
        subs = await self.db.run(self.store.subscriptions)
        guilds = {s.guild_id for s in subs}
        await self.db.run(self.live.plan, guilds, specs, self.now())

    async def store_writable(self) -> bool:
        """False while the state file cannot be written: then one small test write per
        tick (no scan, no send) until it works, and announcing resumes by itself."""
        if self.store is None or self.store.fault is None:
            return True
        return await self.db.run(self.store.check_writable)

    def log_failure(self, what: str, exc: Exception) -> None:
        """A state file that cannot be written costs one line per tick, not a traceback
        (the store has logged the fault once; ``/notify status`` shows it)."""
        if isinstance(exc, sqlite3.OperationalError):
            log.warning("%s: state file %s: %s", what, self.settings.state_file, exc)
        else:
            log.exception(what)

    @tick.before_loop
    async def before_tick(self) -> None:
        await self.bot.wait_until_ready()

    async def try_start_up(self) -> None:
        """Start up, or after a failure wait (30 s, doubling up to 10 min) before the
        next attempt instead of trying again every tick."""
        now = self.now()
        if not self.content_ready:
            return  # the git source's first clone is not there yet: no baseline from nothing
        if self.start_again_at is not None and now < self.start_again_at:
            return
        try:
            await self.start_up()
        except Exception:
            self.start_failures += 1
            delay = min(START_RETRY_MAX, backoff(self.start_failures))
            self.start_again_at = now + timedelta(seconds=delay)
            log.exception("notifications could not start; trying again in %.0f s", delay)
            return
        self.started = True
        self.start_again_at = None

    async def start_up(self) -> None:
        """The feed's first round, then the catch-up scan (the baseline on a first start).

        The feed's first round runs here once, then its loop takes over (and retries it
        at its interval if it failed); a start-up tried again only redoes the scan.
        """
        self.sync.start_watching()
        if self.feed_url and not self.feed_loop.is_running():
            try:
                await self.poll_feed()  # scans with the feed items on success
            except Exception:
                log.exception("first feed round failed; the feed loop tries again")
            self.feed_loop.start()
        await self.scan()

    @tasks.loop(seconds=600)
    async def feed_loop(self) -> None:
        if self.feed_loop.current_loop == 0:
            return  # start_up has just fetched
        assert self.announcer is not None
        try:
            await self.poll_feed()
            await self.announcer.deliver_due()
        except Exception:
            log.exception("feed round failed")
        await self.side_work()

    @commands.Cog.listener()
    async def on_guild_remove(self, guild: discord.Guild) -> None:
        """Removed from a server: forget its subscriptions (and their pending posts)."""
        if self.store is None:
            return
        removed: int = await self.db.run(self.store.unsubscribe, guild.id, None)
        if removed:
            log.info("left guild %s: its announcements are off", guild.id)

    # -- sources -------------------------------------------------------------

    @commands.Cog.listener()
    async def on_catalog_changed(self, change: CatalogChange) -> None:
        """A git pull or a reload changed the catalog: announce what became new now."""
        if not self.started or self.announcer is None:
            return  # the start-up scan takes the baseline
        if self.store is not None and self.store.fault is not None:
            return  # the next tick scans once the state file can be written again
        try:
            await self.scan()
            await self.announcer.deliver_due()
        except Exception as exc:
            self.log_failure("announcing after a catalog change failed; next tick tries again", exc)

    async def poll_feed(self) -> None:
        assert self.store is not None and self.feed_url
        url = self.feed_url
        store, run = self.store, self.db.run
        result = await fetch_feed(url, await run(store.feed_validators, url), timeout=FEED_TIMEOUT)
        if result.status == "ok":
            await self.scan(result.items)
            # Validators only after the scan: a crash in between fetches the whole feed again.
            await run(store.save_feed_check, url, self.now(), "ok", result.validators)
        elif result.status == "not_modified":
            await run(store.save_feed_check, url, self.now(), "not_modified")
        else:
            log.warning("feed %s: %s (will try again)", url, result.error)
            await run(store.save_feed_check, url, self.now(), "error", error=result.error)
        await self.report("feed", result.error if result.status == "error" else None)

    async def scan(self, feed_items: tuple[FeedItem, ...] | None = None) -> None:
        assert self.notifier is not None
        episodes = self.catalog.all_episodes if self.content_ready else ()
        await self.db.run(
            self.notifier.scan, episodes, self.now(), feed_url=self.feed_url, feed_items=feed_items
        )
