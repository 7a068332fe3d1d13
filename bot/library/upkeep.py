"""The reading index kept in step with the catalog, off the event loop.

A load asks for a full build (``reset``); a refresh, for each note it changed
(``change``). The background thread (the one ``bot.search.layer.SemanticLayer`` runs)
does what was asked, in order (``apply``): the last full build asked for, then every
change made since, a note at a time; Sudachi reads only texts and words the memo of
the last build does not hold. A one-note update therefore costs the reading index that
note's words, not a rebuild from every note. Pure core: no discord.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable

from bot.models import Episode
from bot.search.hybrid import HybridSearch
from bot.search.readings import ReadingIndex, episode_texts


class ReadingUpkeep:
    """What the reading index is owed: a full build of some episodes, then changes."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._full: tuple[Episode, ...] | None = None
        self._changes: list[tuple[Episode | None, Episode | None]] = []

    def reset(self, episodes: Iterable[Episode]) -> None:
        """Build the index again from ``episodes`` (what a load read)."""
        with self._lock:
            self._full = tuple(episodes)
            self._changes = []

    def change(self, old: Episode | None, new: Episode | None) -> None:
        """One note changed from ``old`` to ``new`` (None: it was not there, or is gone)."""
        with self._lock:
            self._changes.append((old, new))

    def apply(self, search: HybridSearch) -> bool:
        """Bring ``search.readings`` up to what was asked (background thread); True when
        that took a full build."""
        with self._lock:
            full, changes = self._full, self._changes
            self._full, self._changes = None, []
        memo = search.reading_memo
        if full is not None:
            search.readings = ReadingIndex.build(episode_texts(full), memo)
        index = search.readings
        if index is None:  # changes before any load: from an empty index
            index = search.readings = ReadingIndex()
        for old, new in changes:
            removed = episode_texts([old]) if old is not None else ()
            added = episode_texts([new]) if new is not None else ()
            index.update(removed, added, memo)
        return full is not None
