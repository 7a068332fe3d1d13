"""Keep the catalog in step with its content folder: the first load, watcher events,
git pulls and whole-folder reloads, all under one lock.

``CatalogSync`` is the one place that changes a ``Catalog`` while the bot runs:

- ``load()`` reads the whole folder once at start-up (off the event loop);
- ``apply_watched()`` re-reads the notes the watcher saw change; more than
  ``REFRESH_MAX`` at once (a checkout, a copied folder) become one ``reload()``;
- ``pull()`` syncs the git source: the first clone retargets the catalog and the
  watcher at the checkout and reloads; a pull re-reads what it changed;
- ``reload()`` re-reads everything in a thread.

Every change that is not empty is passed to ``on_change`` (the bot dispatches it as
its ``catalog_changed`` event). The lock serialises all of these: a whole-folder load
running in a thread and a refresh made on the loop meanwhile would otherwise overwrite
each other. Pure core: no discord; the loops that call it live in ``bot.cogs.library``.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from bot.library.catalog import Catalog, CatalogChange
from bot.library.gitsource import GitSource
from bot.library.watch import ContentWatcher
from bot.models import Episode, LoadResult, LoadWarning

log = logging.getLogger(__name__)

# More changed notes than this at once are re-read by a whole-folder load in a thread
# rather than one by one on the event loop.
REFRESH_MAX = 64


class CatalogSync:
    def __init__(
        self,
        catalog: Catalog,
        *,
        watch: bool = False,
        poll_seconds: float = 0.0,
        git: GitSource | None = None,
        on_change: Callable[[CatalogChange], None] | None = None,
    ):
        self.catalog = catalog
        self.watch = watch
        self.poll_seconds = poll_seconds
        self.git = git
        self.on_change = on_change or (lambda change: None)
        self.lock = asyncio.Lock()
        self.watcher: ContentWatcher | None = None
        self._walker: ThreadPoolExecutor | None = None  # takes the watcher's snapshots

    @property
    def content_ready(self) -> bool:
        """False until a git source has its first checkout (no baseline from nothing)."""
        return self.git is None or self.git.cloned

    # -- whole folder ----------------------------------------------------------

    async def load(self) -> LoadResult | None:
        """The first read of the whole folder, off the event loop; ``None`` on failure
        (the catalog stays empty and the bot still answers). A catalog read before the
        event loop started (``python -m bot run``) is not read again."""
        started = time.perf_counter()
        try:
            async with self.lock:
                result = self.catalog.last_load
                if result is None:
                    result = await asyncio.to_thread(self.catalog.load)
        except Exception:
            log.exception("could not read the content folder %s", self.catalog.content_dir)
            return None
        log_warnings(result.warnings)
        log.info(
            "catalog loaded",
            extra={
                "episodes": len(result.episodes),
                "warnings": len(result.warnings),
                "latency_ms": round((time.perf_counter() - started) * 1000, 1),
            },
        )
        return result

    async def reload(self) -> CatalogChange:
        """Re-read the whole content folder in a thread and report what changed."""
        async with self.lock:
            before = {e.path: e for e in self.catalog.all_episodes}
            result = await asyncio.to_thread(self.catalog.load)
        change = diff_episodes(before, {e.path: e for e in result.episodes}, result.warnings)
        self._changed(change)
        return change

    # -- the watcher -----------------------------------------------------------

    def start_watching(self) -> None:
        """Start the content watcher (when watching is on and it is not running)."""
        if not self.watch or self.watcher is not None:
            return
        watcher = ContentWatcher(self.catalog.content_dir, self.poll_seconds)
        watcher.start()
        self.watcher = watcher

    async def apply_watched(self) -> CatalogChange:
        """Re-index the notes the watcher saw change since the last call."""
        if self.watcher is None:
            return CatalogChange()
        # The watcher's changes are taken inside the lock: a reload that finishes
        # first already read them, and what changed during it is still reported.
        async with self.lock:
            paths = await self._watched()
            if not paths:
                return CatalogChange()
            many = len(paths) > REFRESH_MAX
            change = CatalogChange() if many else self.catalog.refresh(paths)
        if many:  # a checkout or a copy: re-read everything in a thread, not on the loop
            return await self.reload()
        log_warnings(change.warnings)
        self._changed(change)
        return change

    # -- the git source ----------------------------------------------------------

    async def pull(self) -> CatalogChange:
        """Clone or pull the git source and re-index what it changed. A failed pull
        keeps the last good content (the error is on ``git.last_error``)."""
        if self.git is None:
            return CatalogChange()
        result = await self.git.sync()
        if not result.ok:
            return CatalogChange()
        if result.cloned:
            self.retarget(self.git.content_dir)
            return await self.reload()
        if len(result.changed) > REFRESH_MAX:
            return await self.reload()
        if not result.changed:
            return CatalogChange()
        async with self.lock:
            change = self.catalog.refresh(result.changed)
        log_warnings(change.warnings)
        self._changed(change)
        return change

    def retarget(self, content_dir: Path) -> None:
        """Serve (and watch) another content folder from now on."""
        self.catalog.retarget(content_dir)
        if self.watcher is not None:
            self.watcher.retarget(self.catalog.content_dir)

    async def _watched(self) -> set[str]:
        """The watcher's changes, taken on one thread of its own. The walk and a stat of
        every note block on a busy disk (bench/soak.py: up to 480 ms on the loop); one
        thread rather than the shared pool keeps to one malloc arena (the pool's several
        raised the soak's RSS growth over a week from 9.6 % to 14.5 %)."""
        assert self.watcher is not None
        if self._walker is None:
            self._walker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="content-watch")
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._walker, self.watcher.changes)

    def stop(self) -> None:
        if self.watcher is not None:
            self.watcher.stop()
            self.watcher = None
        if self._walker is not None:
            self._walker.shutdown(wait=False)
            self._walker = None

    def _changed(self, change: CatalogChange) -> None:
        if not change:
            return
        log.info(
            "notes re-indexed: %d added, %d changed, %d removed",
            len(change.added),
            len(change.changed),
            len(change.removed),
        )
        self.on_change(change)


def log_warnings(warnings: tuple[LoadWarning, ...]) -> None:
    for warning in warnings:
        log.warning("skipped or partly read note: %s", warning)


def diff_episodes(
    before: dict[str, Episode],
    after: dict[str, Episode],
    warnings: tuple[LoadWarning, ...] = (),
) -> CatalogChange:
    """What changed between two whole-folder reads, by source path."""
    added = tuple(after[p] for p in sorted(after.keys() - before.keys()))
    removed = tuple(sorted(before.keys() - after.keys()))
    changed = tuple(after[p] for p in sorted(after.keys() & before.keys()) if after[p] != before[p])
    return CatalogChange(added=added, changed=changed, removed=removed, warnings=tuple(warnings))
