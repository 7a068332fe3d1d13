"""The contract of a source of new episodes, and what one look at a source gives.

The notify cog holds a list of ``Source`` objects built from the settings and loops
over them: a source with an ``interval`` gets its own loop (the feed: every
FEED_INTERVAL_SECONDS); one without (the notes) is looked at with every scan, each
tick and after every catalog change, so a feed item can always join the note written
for it. Each round:

1. ``poll(now)`` looks once and returns a ``Poll``: what the source lists now
   (``found``), or nothing to compare this time (a feed's 304, an error), with the
   trouble in ``error``. It never raises for the source's own trouble (the network,
   a bad body).
2. everything found in the round goes to one ``scan()`` (``Notifier.scan`` on the
   state file's thread), which queues what is newly published;
3. ``scanned(poll, now)`` lets the source record its look once the scan is safe (the
   feed keeps its ETag only then: a crash in between fetches the whole feed again);
   ``error`` goes to the health book under ``name`` when ``reports_health``.

``state()`` is the source's line in ``/notify status`` (None: it has none), read on
the state file's thread. A new kind of feed is one module with a class that keeps to
``Source`` and returns ``FeedFound``, registered in ``bot.cogs.notify.cog`` (plus its
``source_<name>`` / ``source_name_<name>`` strings in ``bot.i18n``).

Pure core: no discord.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from bot.models import Episode
from bot.notify.diff import Notifier, ScanResult
from bot.notify.feed import FeedItem


@dataclass(frozen=True, slots=True)
class NotesFound:
    """The notes as the catalog holds them now (drafts and future ones included)."""

    episodes: tuple[Episode, ...]


@dataclass(frozen=True, slots=True)
class FeedFound:
    """The items a feed lists now. ``key`` names the feed in the state file (its URL):
    the first scan of a key on a new state file announces nothing (its baseline)."""

    key: str
    items: tuple[FeedItem, ...]


Found = NotesFound | FeedFound


@dataclass(frozen=True, slots=True)
class Poll:
    """One look at a source."""

    status: str  # "ok", or the source's own word ("not_modified", "error")
    found: Found | None = None  # None: nothing to compare this time
    error: str | None = None  # the trouble, one line; None when the look worked


@dataclass(frozen=True, slots=True)
class SourceState:
    """A source's line in ``/notify status``: its last look, as the state file has it."""

    checked_at: datetime | None
    status: str | None
    error: str | None = None


class Source(Protocol):
    @property
    def name(self) -> str:
        """ "notes", "feed": the logs, the health book and ``/notify status``."""

    @property
    def interval(self) -> float | None:
        """Seconds between two looks; None: looked at with every scan."""

    @property
    def reports_health(self) -> bool:
        """Whether each look's ``error`` goes to the health book (admin notices)."""

    async def poll(self, now: datetime) -> Poll:
        """Look once; never raises for the source's own trouble."""

    async def scanned(self, poll: Poll, now: datetime) -> None:
        """``poll`` has been scanned (or had nothing to scan): record the look."""

    def state(self) -> SourceState | None:
        """The line for ``/notify status`` (blocking: on the state file's thread)."""


def scan(notifier: Notifier, found: Sequence[Found], now: datetime) -> list[ScanResult]:
    """Queue what ``found`` holds that is newly published: the notes with each feed found
    (so a feed item joins its note), or the notes alone when no feed was. Blocking: on
    the state file's thread."""
    episodes = [e for f in found if isinstance(f, NotesFound) for e in f.episodes]
    feeds = [f for f in found if isinstance(f, FeedFound)]
    if not feeds:
        return [notifier.scan(episodes, now)]
    return [notifier.scan(episodes, now, feed_url=f.key, feed_items=f.items) for f in feeds]


if TYPE_CHECKING:  # mypy checks here that every kind keeps to the contract
    from bot.notify.sources.feed import FeedSource
    from bot.notify.sources.notes import NotesSource

    _kinds: tuple[type[Source], ...] = (NotesSource, FeedSource)
