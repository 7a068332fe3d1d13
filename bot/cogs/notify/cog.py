"""The background loops that find and announce new episodes (and the ``/notify``
commands, from ``commands`` and ``previews``).

Loops (``discord.ext.tasks``, so they stop with the bot and tests drive them with
virtual time):

- ``tick``: the first run starts up (once the content is there: a git source's first
  clone; then each timed source's first look, such as the feed's fetch, and the
  catch-up scan); every later run takes the watcher's pending changes
  (``bot.sync.apply_watched``, so a note saved just now is seen in this very round),
  queues what became published (new notes, future-dated notes now due) and sends what
  is due (new announcements and retries). A start-up that fails is tried again after
  30 s, 60 s, ... up to 10 min.
- one loop per source with an interval (``bot.notify.sources``; the feed, FEED_URL:
  a conditional GET every FEED_INTERVAL_SECONDS): poll, scan what it found with the
  notes, send.
- ``on_catalog_changed``: any other change to the catalog (a git pull, a reload) is
  scanned and sent at once.

The sources are built from the settings in ``build_sources`` (``add_source`` adds one
to a running cog): a new kind is one
module in ``bot.notify.sources`` and one line there. The catalog itself is kept fresh
by ``bot.sync`` and the loops in ``bot.cogs.library``.

State lives in a ``bot.notify.contract.StateStore`` (``bot.notify.store.Store``); what
is new is decided by ``bot.notify.Notifier``; sending is ``Announcer``'s job. The
store is closed and the loops cancelled in ``cog_unload`` (``Bot.close()`` unloads
every extension); a send cut short stays pending and is retried, with the same
nonce, after the next start.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import discord
from discord.ext import commands, tasks

from bot.cogs.notify.alerts import Alerts
from bot.cogs.notify.announcer import Announcer, backoff
from bot.cogs.notify.commands import REQUIRED
from bot.cogs.notify.events import LiveEvents
from bot.cogs.notify.previews import NotifyPreviews
from bot.library.catalog import CatalogChange
from bot.library.sync import CatalogSync
from bot.models import Episode
from bot.notify import Notifier
from bot.notify.contract import StateStore
from bot.notify.health import HealthBook
from bot.notify.live import LiveBook, wanted_events
from bot.notify.sources import FeedSource, NotesSource, Poll, Source, scan
from bot.notify.store import Store
from bot.notify.worker import StoreWorker

if TYPE_CHECKING:
    from bot.app import PodcastBot

log = logging.getLogger(__name__)

__all__ = ["REQUIRED", "NotifyCog"]  # REQUIRED: the permissions /notify set checks

TICK_WATCHING = 2.0  # seconds: watcher flag, due notes and retries while watching
TICK_IDLE = 30.0  # seconds: due notes and retries when the folder is not watched
START_RETRY_MAX = 600.0  # seconds: the longest wait between two start-up attempts


class NotifyCog(NotifyPreviews, name="Notify"):
    """The loops and the state; the ``/notify`` commands are ``NotifyCommands`` and
    ``NotifyPreviews``."""

    def __init__(self, bot: PodcastBot):
        self.bot = bot
        self.settings = bot.settings
        self.catalog = bot.catalog
        self.sync: CatalogSync = bot.sync
        self.store: StateStore | None = None
        self.sources: list[Source] = []  # built in cog_load, once the store is open
        self.source_loops: dict[Source, tasks.Loop] = {}  # the loop of each timed source
        self.looked: set[Source] = set()  # first looked at by start_up, not by their loop
        self.side_lock = asyncio.Lock()
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
            for source in self.build_sources(store):
                self.add_source(source)
            self.tick.change_interval(seconds=self.tick_seconds())
            self.tick.start()
        except BaseException:
            # cog_unload never runs for a cog that did not load: close the file here.
            await self.db.run(store.close)
            self.store = None
            self.db.shutdown()
            raise

    async def cog_unload(self) -> None:
        loops = (self.tick, *self.source_loops.values())
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

    def build_sources(self, store: StateStore) -> list[Source]:
        """Where new episodes come from, from the settings (a new kind: one line here)."""
        sources: list[Source] = [NotesSource(self.notes)]
        if self.settings.feed_url:
            interval = self.settings.feed_interval_seconds
            sources.append(FeedSource(self.settings.feed_url, interval, store, self.db))
        return sources

    def add_source(self, source: Source) -> None:
        """Loop over ``source`` too. Added before the start-up, its first look is part of
        it; added later, its loop starts with the next tick (its first scan is its
        baseline)."""
        self.sources.append(source)
        if source.interval is not None:
            self.source_loops[source] = self.source_loop(source)

    def notes(self) -> tuple[Episode, ...]:
        """The catalog's notes; none before a git source's first checkout."""
        return self.catalog.all_episodes if self.content_ready else ()

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
                for loop in self.source_loops.values():  # a source added since
                    if not loop.is_running():
                        loop.start()
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
        """Source health notices and live events: each failure costs only itself. One
        round at a time: the tick and a source's loop can end at the same moment, and
        two rounds would both find one due notice and post it twice."""
        async with self.side_lock:
            await self._side_work()

    async def _side_work(self) -> None:
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
        """Each timed source's first look, then the catch-up scan of all they found with
        the notes (the baseline on a first start).

        A timed source's first look runs here once, then its loop takes over (and looks
        again at its interval if this one failed); a start-up tried again only redoes
        the scan.
        """
        self.sync.start_watching()
        polls: list[tuple[Source, Poll]] = []
        for source in self.sources:
            loop = self.source_loops.get(source)
            if loop is None or loop.is_running():
                continue
            try:
                polls.append((source, await source.poll(self.now())))
            except Exception:
                log.exception("first %s round failed; its loop tries again", source.name)
            self.looked.add(source)
            loop.start()
        await self.scan(polls)

    def source_loop(self, source: Source) -> tasks.Loop:
        """The loop of a source with an interval: look, scan what it found, send."""

        async def one_round() -> None:
            if source in self.looked:
                self.looked.discard(source)
                return  # start_up has just looked
            assert self.announcer is not None
            try:
                poll = await source.poll(self.now())
                if poll.found is not None:
                    await self.scan([(source, poll)])
                else:
                    await self.settle([(source, poll)])
                await self.announcer.deliver_due()
            except Exception:
                log.exception("%s round failed", source.name)
            await self.side_work()

        assert source.interval is not None
        loop: tasks.Loop = tasks.loop(seconds=source.interval)(one_round)
        return loop

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

    async def scan(self, polls: Sequence[tuple[Source, Poll]] = ()) -> None:
        """Scan what ``polls`` found together with a fresh look at every source without
        an interval (the notes), then let each source record its look."""
        assert self.notifier is not None
        now = self.now()
        polls = [*polls, *[(s, await s.poll(now)) for s in self.sources if s.interval is None]]
        found = [p.found for _, p in polls if p.found is not None]
        await self.db.run(scan, self.notifier, found, now)
        await self.settle(polls)

    async def settle(self, polls: Sequence[tuple[Source, Poll]]) -> None:
        """Each source records its look; those that report health report it."""
        for source, poll in polls:
            await source.scanned(poll, self.now())
            if source.reports_health:
                await self.report(source.name, poll.error)
