"""The live set of episodes and its search index, shared by every front end.

Built once at start-up from the content folder; ``refresh()`` re-reads only the notes
that changed so search sees a new episode without a restart. Searches go through
``bot.search.HybridSearch``: the lexical index at once, and the semantic index as soon
as the background ``SemanticLayer`` has built it (after a load or a refresh). The
catalog holds the lexical index as a ``bot.search.LexicalIndex`` (the contract beside
``SearchIndex``), so another index needs only what that lists. Pure core: no discord.

Two notes with one number: the note that had it first keeps it (first seen by the
state file, given by ``adopt_first_seen``; else the one the catalog held first; else
the older date). The other is served without its number (``/episode``, autocomplete,
search by number find only the owner) and warned about, naming both notes, also when
it appears while the bot runs. ``all_episodes`` keeps every note as read, for the
notifier.
"""

from __future__ import annotations

import dataclasses
import gc
import logging
from collections import deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import partial
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.config import Settings
from bot.content import SiteOptions, load_page, load_site
from bot.content.loader import (
    NoteRead,
    ReadCache,
    duplicate_reason,
    number_owners,
    without_duplicate_reason,
)
from bot.content.siteconfig import choose_base_url
from bot.library.gitsource import content_dir_for
from bot.library.snapshot import Snapshot, SnapshotState
from bot.library.upkeep import ReadingUpkeep
from bot.models import Episode, Hit, LoadResult, LoadWarning, SearchResult
from bot.parallel import gc_paused
from bot.search import LexicalIndex, SearchIndex
from bot.search.commonness import is_generic
from bot.search.hybrid import HybridSearch
from bot.search.layer import SemanticLayer
from bot.search.query import MAX_QUERY_CHARS
from bot.search.readings import ReadingMemo
from bot.search.semantic import SemanticIndex, load_embedder
from bot.search.speakers import Speakers
from bot.search.synonyms import Synonyms, load_synonyms
from bot.search.vectors import VectorCache

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]


def site_options(settings: Settings, content_dir: Path | None = None) -> SiteOptions:
    """How to read the site, from SITE_BASE_URL, PODCAST_SECTIONS, SITE_TIMEZONE and
    MAX_NOTE_BYTES (``bot.content`` knows nothing of the settings). Without
    SITE_BASE_URL the base URL is the ``baseURL`` of the Hugo config beside
    ``content_dir`` (default CONTENT_DIR), else the default."""
    folder = content_dir or settings.content_dir
    return SiteOptions(
        base_url=choose_base_url(settings.base_url_setting, folder).url,
        podcast_sections=settings.podcast_sections,
        timezone=settings.site_timezone,
        max_bytes=settings.max_note_bytes,
    )


def _moved(before: Mapping[str, NoteRead], now: Mapping[str, NoteRead]) -> bool:
    """Whether the notes' set, sizes, mtimes or hashes differ from the saved ones."""
    if before.keys() != now.keys():
        return True
    return any(
        (b.size, b.mtime_ns, b.digest) != (n.size, n.mtime_ns, n.digest)
        for b, n in zip(map(before.__getitem__, now), now.values(), strict=True)
    )


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class CatalogChange:
    """What one ``refresh()`` changed, by source path."""

    added: tuple[Episode, ...] = ()
    changed: tuple[Episode, ...] = ()
    removed: tuple[str, ...] = ()
    warnings: tuple[LoadWarning, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.added or self.changed or self.removed)


class Catalog:
    def __init__(
        self,
        content_dir: Path,
        options: SiteOptions,
        clock: Clock = utcnow,
        semantic: SemanticLayer | None = None,
        *,
        max_query_chars: int = MAX_QUERY_CHARS,
        synonyms: Synonyms | None = None,
        options_for: Callable[[Path], SiteOptions] | None = None,
        snapshot: Path | None = None,
        write_snapshot: bool = True,
    ):
        """``snapshot``: the folder of the start-up snapshot (``bot.library.snapshot``),
        None for none; ``write_snapshot`` False reads it without ever writing it."""
        self.content_dir = Path(content_dir)
        self.options = options
        # how to read another folder's site (its Hugo config's baseURL); None: keep options
        self._options_for = options_for
        self.clock = clock
        self.max_query_chars = max_query_chars
        self.semantic = semantic
        self._episodes: dict[str, Episode] = {}  # as read
        self._served: dict[str, Episode] = {}  # as shown: an ignored number removed
        self._ignored: dict[str, tuple[int, str]] = {}  # note -> (number, note keeping it)
        self._numbered: dict[int, set[str]] = {}  # number -> the notes that give it
        self._speakers = Speakers()  # who speaks, over the notes held
        self._arrival: dict[str, int] = {}  # the order notes first reached the catalog
        self._first_seen: dict[str, float] = {}  # path -> when the state file first saw it
        self._warnings: dict[str, LoadWarning] = {}
        self._index: LexicalIndex = SearchIndex.build(())
        self.synonyms = synonyms or Synonyms()
        self._search = HybridSearch(self._index, timezone=options.timezone, synonyms=self.synonyms)
        # the reading index always, and the semantic index when there is a model
        self.snapshot = (
            Snapshot(snapshot, self.content_dir, options, writable=write_snapshot)
            if snapshot is not None
            else None
        )
        self._background = semantic or SemanticLayer(lambda: None, None, prepare=self._read_notes)
        if semantic is not None:
            semantic.attach(self._read_notes)
        self._memo_unread = False  # the snapshot's reading memo, until the first build
        self._readings = ReadingUpkeep()  # what the reading index is owed
        # what the background thread owes the name rules: every note after a load,
        # else the notes refreshed since it last ran (a deque: no lock needed)
        self._names_all = True
        self._names_owed: deque[Episode] = deque()
        self._spoken: tuple[str, ...] | None = None  # the speakers last handed to search
        self._spelled_for: object = None  # the reading index the speakers were spelled with
        self.pages_seen = 0
        self.last_load: LoadResult | None = None  # the last full load, None before the first

    @classmethod
    def from_settings(
        cls, settings: Settings, clock: Clock = utcnow, *, write_snapshot: bool = True
    ) -> Catalog:
        """CONTENT_DIR, or the git checkout's subfolder when CONTENT_GIT_URL is set;
        with the semantic layer unless SEMANTIC_SEARCH is off, and the start-up
        snapshot in DATA_DIR/snapshot (``write_snapshot`` False: only read it)."""
        folder = content_dir_for(settings)
        semantic = None
        if settings.semantic_search:
            semantic = SemanticLayer(
                partial(load_embedder, settings.semantic_threads),
                VectorCache(settings.vector_cache_path),
                lines=settings.semantic_lines,
            )
        synonyms, problems = load_synonyms(settings.synonyms_path)
        for problem in problems:
            log.warning("synonyms: %s", problem)
        return cls(
            folder,
            site_options(settings, folder),
            clock,
            semantic,
            max_query_chars=settings.max_query_chars,
            synonyms=synonyms,
            options_for=partial(site_options, settings),
            snapshot=settings.snapshot_path,
            write_snapshot=write_snapshot,
        )

    def retarget(self, content_dir: Path) -> None:
        """Serve another content folder from the next load (a git source's first
        checkout): its site's Hugo config now decides the base URL, unless
        SITE_BASE_URL is set."""
        self.content_dir = Path(content_dir)
        if self._options_for is not None:
            self.options = self._options_for(self.content_dir)
        if self.snapshot is not None:  # a snapshot is made for one folder and its options
            old = self.snapshot
            self.snapshot = Snapshot(
                old.folder, self.content_dir, self.options, writable=old.writable
            )

    # -- loading -------------------------------------------------------------

    def load(self) -> LoadResult:
        """Read the whole content folder and rebuild the index; with a snapshot, the
        notes unchanged since it was written are not read again and the index is
        restored from it, then brought up to date."""
        # Garbage made before is collected now, while it is cheap (what the last load
        # made is frozen, so not walked), and not frozen with what this load makes.
        gc.collect()
        with gc_paused():  # millions of objects and no cycles: no collection meanwhile
            snapshot = self.snapshot
            first = self.last_load is None
            saved = snapshot.read_notes() if snapshot is not None else None
            reads = saved.reads if saved is not None else ReadCache()
            before = reads.notes  # load_site replaces it: kept as it was saved
            result = load_site(self.content_dir, self.options, reads if snapshot else None)
            self._episodes = {e.path: e for e in result.episodes}
            self._numbered = {}
            self._speakers = Speakers()
            for episode in result.episodes:
                self._hold(None, episode)
            for episode in sorted(result.episodes, key=Episode.oldest_first_key):
                self._arrival.setdefault(episode.path, len(self._arrival))
            self._warnings = {}
            for w in result.warnings:  # the loader's own duplicate rule is replaced by ours
                reason = without_duplicate_reason(w.reason)
                if reason:
                    self._warnings[w.path] = LoadWarning(w.path, reason)
            self._ignored = self._owners()
            self._served = {p: self._serve(e) for p, e in self._episodes.items()}
            restored = None
            if snapshot is not None and saved is not None:
                restored = snapshot.restore_index(saved, before, self._served)
            if restored is None:
                self._index = SearchIndex.build(tuple(self._served.values()))
            else:
                self._index = restored[0]
            self._search.lexical = self._index
            self.pages_seen = result.pages_seen
            self.last_load = result
            if snapshot is not None:
                self._memo_unread = first  # read by the background thread
                stale = restored is None or restored[1] > 0 or _moved(before, reads.notes)
                wrote = stale and snapshot.write_notes(reads, self._index)
                snapshot.note_load(saved, reads, wrote)
            self._readings.reset(self._episodes.values())
            self._names_all = True
        self._reindex()
        # What was loaded joins the permanent generation: no full collection on a live
        # request walks it (the loader and the index build made it without collections).
        gc.freeze()
        return result

    def adopt_first_seen(self, first_seen: Mapping[str, float]) -> tuple[LoadWarning, ...]:
        """When the state file first saw each note (path -> unix seconds): it decides
        which of two notes with one number keeps it. Returns new duplicate warnings."""
        self._first_seen = dict(first_seen)
        return self._settle_numbers()

    def _owner_order(self, episode: Episode) -> tuple[int, float, float, float, str]:
        seen = self._first_seen.get(episode.path)
        when = episode.sort_date
        return (
            0 if seen is not None else 1,
            seen if seen is not None else 0.0,
            self._arrival.get(episode.path, float("inf")),
            when.timestamp() if when else float("inf"),
            episode.path,
        )

    def _owners(self, numbers: set[int] | None = None) -> dict[str, tuple[int, str]]:
        """Who keeps each shared number; with ``numbers``, only those are worked out
        again (the notes that gave or give them changed; nothing else did)."""
        if numbers is None:
            return number_owners(self._episodes.values(), self._owner_order)
        owners = {p: o for p, o in self._ignored.items() if o[0] not in numbers}
        group = [self._episodes[p] for n in numbers for p in self._numbered.get(n, ())]
        owners.update(number_owners(group, self._owner_order))
        return owners

    def _hold(self, old: Episode | None, new: Episode | None) -> None:
        """Keep the numbers and the speakers in step with one note's change (the
        catalog's ``_episodes`` is changed by the caller)."""
        if old is not None and new is not None:
            self._speakers.replace(old, new)
        elif old is not None:
            self._speakers.remove(old)
        elif new is not None:
            self._speakers.add(new)
        if old is not None and old.number is not None:
            paths = self._numbered.get(old.number, set())
            paths.discard(old.path)
            if not paths:
                self._numbered.pop(old.number, None)
        if new is not None and new.number is not None:
            self._numbered.setdefault(new.number, set()).add(new.path)

    def _serve(self, episode: Episode) -> Episode:
        if episode.path in self._ignored:
            return dataclasses.replace(episode, number=None)
        return episode

    def _settle_numbers(self, numbers: set[int] | None = None) -> tuple[LoadWarning, ...]:
        """Recompute who keeps each shared number (or only ``numbers``); re-index the
        notes whose role changed and return the warnings for notes newly (or
        differently) ignored."""
        owners = self._owners(numbers)
        before, self._ignored = self._ignored, owners
        fresh = []
        for path in sorted(before.keys() | owners.keys()):
            if before.get(path) == owners.get(path) or path not in self._episodes:
                continue
            served = self._serve(self._episodes[path])
            self._served[path] = served
            self._index.upsert(served)
            if path in owners:
                number, owner = owners[path]
                fresh.append(LoadWarning(path, duplicate_reason(number, owner)))
        return tuple(fresh)

    def refresh(self, paths: Iterable[str]) -> CatalogChange:
        """Re-read the given notes (relative to the content folder) and update the index."""
        added: list[Episode] = []
        changed: list[Episode] = []
        removed: list[str] = []
        warnings: list[LoadWarning] = []
        numbers: set[int] = set()  # numbers whose owner may have changed
        for rel in sorted(set(paths)):
            episode, page_warnings = load_page(
                self.content_dir, rel, self.options, section_players=self._section_players
            )
            warnings.extend(page_warnings)
            self._warnings.pop(rel, None)
            for w in page_warnings:
                self._warnings[w.path] = w
            old = self._episodes.get(rel)
            numbers.update(e.number for e in (old, episode) if e and e.number is not None)
            if episode is None:
                if old is not None:
                    self._hold(old, None)
                    del self._episodes[rel]
                    self._served.pop(rel, None)
                    self._index.remove(rel)
                    self._readings.change(old, None)
                    removed.append(rel)
                continue
            self._episodes[rel] = episode
            self._arrival.setdefault(rel, len(self._arrival))
            served = self._serve(episode)
            self._served[rel] = served
            self._index.upsert(served)
            if old is None:
                added.append(episode)
            elif old != episode:
                changed.append(episode)
            if old != episode:
                self._hold(old, episode)
                self._readings.change(old, episode)
                self._names_owed.append(episode)
        warnings.extend(self._settle_numbers(numbers))
        if added or changed or removed:
            self._reindex()
        return CatalogChange(tuple(added), tuple(changed), tuple(removed), tuple(warnings))

    def _read_notes(self, episodes: Sequence[Episode]) -> None:
        """The reading index (background thread): rebuilt after a load, and after a
        refresh only the notes it changed (``ReadingUpkeep``); its part of the snapshot
        after a build that did Sudachi work. The word-frequency tables and the notes'
        normalised text first, so the first queries after a start do not work them out
        (about a second, and 0.2 ms a note). After a refresh every step costs the notes
        it changed, not a walk of the site: this thread shares the interpreter with the
        event loop, and what it does delays the next answer and the next refresh."""
        for word in ("the", "の"):  # one English and one Japanese word: both tables
            is_generic(word)
        self._index.prepare_texts()
        if self._memo_unread and self.snapshot is not None:
            self._memo_unread = False
            self._search.reading_memo = self.snapshot.read_readings() or ReadingMemo()
        built = self._readings.apply(self._search)
        readings = self._search.readings
        if readings is not self._spelled_for:  # the speakers' names in kana and romaji
            self._spelled_for = readings  # (a refresh that changes them spells them)
            self._search.spell_speakers()
        memo = self._search.reading_memo
        if built and self.snapshot is not None and memo.worked:
            self.snapshot.write_readings(memo)
        # last: the notes' Latin text for the name rules (0.6 ms a note the first time;
        # until then a query that names a product works out what it reads itself)
        if self._names_all:  # after a load, every note (``episodes``: the layer's)
            self._names_all = False
            self._search.prepare_names(episodes)
        owed = self._names_owed
        while owed:
            self._search.prepare_names((owed.popleft(),))
        if built:
            # What the reading build made joins the permanent generation, as the load's
            # did: else every later full collection walks it, tens of milliseconds at
            # 10,000 notes with the interpreter held, stalling answers and refreshes.
            gc.freeze()

    @property
    def snapshot_state(self) -> SnapshotState | None:
        """How the last load used the snapshot, for ``check`` and ``doctor``."""
        return self.snapshot.state if self.snapshot is not None else None

    def _reindex(self) -> None:
        """Who speaks, and the semantic index (in the background) for what is held now."""
        episodes = list(self._episodes.values())
        names = self._speakers.names()  # the same tuple while no one's count changed
        if names is not self._spoken:
            self._spoken = names
            self._search.set_speakers(names)
        self._background.rebuild(episodes, self._semantic_ready)

    def _semantic_ready(self, index: SemanticIndex) -> None:
        self._search.semantic = index

    def _section_players(self) -> list[str]:
        """Player pages of the episodes in the podcast sections, as held now."""
        return [
            e.player_url
            for e in self._episodes.values()
            if e.player_url and self.options.in_podcast_section(e.path)
        ]

    # -- queries -------------------------------------------------------------

    @property
    def warnings(self) -> tuple[LoadWarning, ...]:
        merged = {p: w.reason for p, w in self._warnings.items()}
        for path, (number, owner) in self._ignored.items():
            reason = duplicate_reason(number, owner)
            merged[path] = f"{merged[path]}; {reason}" if path in merged else reason
        return tuple(LoadWarning(p, merged[p]) for p in sorted(merged))

    @property
    def all_episodes(self) -> tuple[Episode, ...]:
        """Every episode read, drafts and future ones included, newest first."""
        return tuple(sorted(self._episodes.values(), key=Episode.newest_first_key))

    def by_path(self, path: str) -> Episode | None:
        return self._episodes.get(path)

    def published(self, now: datetime | None = None) -> list[Episode]:
        """Published episodes, newest first."""
        moment = now or self.clock()
        return sorted(
            (e for e in self._served.values() if e.is_published(moment)),
            key=Episode.newest_first_key,
        )

    def latest(self, count: int = 5) -> list[Episode]:
        return self.published()[: max(0, count)]

    def by_number(self, number: int) -> list[Episode]:
        """Published episodes with that number (normally one)."""
        return [e for e in self.published() if e.number == number]

    def search(self, query: str, limit: int = 5) -> SearchResult:
        now = self.clock()
        return self._search.search(
            query,
            limit,
            where=lambda e: e.is_published(now),
            today=self._today(now),
            max_chars=self.max_query_chars,
        )

    def _today(self, now: datetime) -> date:
        try:
            return now.astimezone(ZoneInfo(self.options.timezone)).date()
        except (ValueError, KeyError):
            return now.date()

    @property
    def searcher(self) -> HybridSearch:
        """The search behind ``search()``, for tools that look inside (bench, explain)."""
        return self._search

    @property
    def semantic_state(self) -> str:
        """Where the semantic layer stands, for ``doctor`` and ``/admin`` answers."""
        return "off (SEMANTIC_SEARCH=false)" if self.semantic is None else str(self.semantic.state)

    def wait_semantic(self, timeout: float | None = None) -> bool:
        """Block until the semantic index is built (CLI, tests); True when it is."""
        return self._background.wait(timeout)

    def complete(self, prefix: str, limit: int = 25) -> list[Hit]:
        now = self.clock()
        return self._index.complete(prefix, limit, published_at=now)
