"""The content notes as a source: the catalog's notes, looked at with every scan.

The notes themselves are kept fresh by ``bot.library.sync`` (the watcher, git pulls,
reloads); this source only hands them to the scan. It has no health of its own (the
content watch and the git pull report theirs) and no line of its own in ``/notify
status``. Pure core: no discord, no ``bot.library``: the notes come from a callable.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from bot.models import Episode
from bot.notify.sources.contract import NotesFound, Poll, SourceState


class NotesSource:
    name = "notes"
    interval: float | None = None  # with every scan
    reports_health = False

    def __init__(self, episodes: Callable[[], Sequence[Episode]]):
        """``episodes``: the notes as held now (empty while there is no checkout yet,
        so a baseline is never taken from nothing)."""
        self._episodes = episodes

    async def poll(self, now: datetime) -> Poll:
        return Poll("ok", NotesFound(tuple(self._episodes())))

    async def scanned(self, poll: Poll, now: datetime) -> None:
        return None

    def state(self) -> SourceState | None:
        return None
