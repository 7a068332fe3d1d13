"""The podcast's RSS/Atom feed as a source: a conditional GET every interval.

``poll`` fetches with the ETag / Last-Modified the state file kept (``bot.notify.feed``
does the HTTP and the parsing) and hands the items on; ``scanned`` records the check,
and the new validators only after the items were scanned. Store calls run on the state
file's thread (``StoreWorker``). Pure core: no discord.
"""

from __future__ import annotations

import logging
from datetime import datetime

from bot.notify.contract import StateStore
from bot.notify.feed import FeedResult, fetch_feed
from bot.notify.sources.contract import FeedFound, Poll, SourceState
from bot.notify.worker import StoreWorker

log = logging.getLogger(__name__)

TIMEOUT = 30.0  # seconds for one fetch


class FeedSource:
    name = "feed"
    reports_health = True

    def __init__(
        self,
        url: str,
        interval: float,
        store: StateStore,
        db: StoreWorker,
        *,
        timeout: float = TIMEOUT,
    ):
        self.url = url
        self.interval: float | None = interval
        self.store = store
        self.db = db
        self.timeout = timeout
        self._last: FeedResult | None = None  # the fetch ``scanned`` records

    async def poll(self, now: datetime) -> Poll:
        validators = await self.db.run(self.store.feed_validators, self.url)
        result = await fetch_feed(self.url, validators, timeout=self.timeout)
        self._last = result
        if result.status == "ok":
            return Poll("ok", FeedFound(self.url, result.items))
        if result.status == "error":
            log.warning("feed %s: %s (will try again)", self.url, result.error)
        return Poll(result.status, error=result.error)

    async def scanned(self, poll: Poll, now: datetime) -> None:
        result, self._last = self._last, None
        validators = result.validators if result is not None and poll.status == "ok" else None
        await self.db.run(
            self.store.save_feed_check, self.url, now, poll.status, validators, poll.error
        )

    def state(self) -> SourceState | None:
        checked, status, error = self.store.feed_status(self.url)
        return SourceState(checked, status, error)
