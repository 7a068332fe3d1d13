"""Which episodes are newly published, given the catalog, the state file and now.

An episode can come from two places: a note in the content folder (an ``Episode``) or
an item of the podcast's RSS feed (a ``FeedItem``), often before its note is written.
Both become a ``Candidate`` with a set of *identities* ("#16", "anchor:efmh8l",
"path:podcast/0016/index.md", "url:..."). An identity once seen is never announced
again, so a feed item and the note written later for it (same episode number, or the
same episode link) give one announcement.

Identities name one episode only: the number the loader gave the note (specials have
none), the note's path and page, episode links (an anchor.fm / Spotify / Apple
Podcasts *episode*) and the audio file (a feed item's enclosure, a note's ``<audio>``):
a feed that rewrites an item's guid, date, title or link still lists the same audio, so
the item is never announced twice. A show-level link (``open.spotify.com/show/...``) is
shared by every episode, so it is never an identity. Within one scan a feed item may join
the note it matches; two notes, or two feed items, are never merged.

The page a feed item links to is a weaker identity: several items of one feed linking
to it make it no identity at all, and one linking to it alone names its episode only
until another episode claims it. A candidate whose only seen identity is such a page,
first seen on a feed item whose episode had a different audio file, is a new episode
(``identity.Seen.left_page``): the special after one whose link moved off the show page.

Rules:
- published = not a draft and publishDate (or date) passed (``Episode.is_published``);
  a future-dated note becomes a candidate when its time comes.
- the first scan of a source on a new state file announces nothing: all it finds is
  marked seen (``baseline``). For notes the baseline waits until there is at least one
  published note, so a wrong or not yet cloned folder cannot make every note "new".
- the first scan after a start that finds something is a catch-up: at most ``limit``
  episodes are announced, the newest ones, oldest first; the rest are marked seen and
  logged.
- a note whose date cannot be used (not a date, "yesterday", 2026-02-30, or one that
  overflows when converted to UTC) is skipped with a warning: its time is unknown, so
  it is never taken as published; the other notes are scanned as usual.

Pure core: no discord. ``Notifier.scan()`` writes one transaction to the store and
returns what it queued; delivery is the cog's job.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Literal

from bot.content.titles import number_in_title
from bot.models import Episode, SortKey, oldest_first_key
from bot.notify.feed import FeedItem
from bot.notify.identity import (
    Seen,
    audio_file_identity,
    audio_identity,
    link_identity,
    page_identity,
)
from bot.notify.store import Announcement, AnnouncementPayload, Store

log = logging.getLogger(__name__)

Source = Literal["notes", "feed"]

BASELINE_NOTES = "baseline:notes"
BASELINE_FEED = "baseline:feed:"  # + feed URL

Mark = tuple[str, tuple[str, ...], str]  # episode key, identities, source: seen rows


def _utc(moment: datetime | None) -> datetime | None:
    """The moment in UTC; raises OverflowError for one that does not fit (year 1 east
    of UTC, Hugo's zero date)."""
    return moment.astimezone(UTC) if moment is not None else None


@dataclass(frozen=True, slots=True)
class Candidate:
    """Something that may be announced: a published note or a feed item."""

    key: str  # canonical id of the episode: "#16", else the first other identity
    identities: tuple[str, ...]
    source: Source
    title: str  # as listeners see it: "#16 【GCP？】Kubeflow超概要"
    released_at: datetime | None  # UTC
    number: int | None = None
    path: str | None = None  # the note, relative to the content folder
    url: str | None = None  # where to read or listen
    audio_url: str | None = None
    summary: str = ""
    pages: tuple[str, ...] = ()  # identities from feed items' links (weaker, see above)
    enclosures: tuple[str, ...] = ()  # identities from feed items' audio files

    def payload(self) -> AnnouncementPayload:
        """What the state file keeps to send the announcement after a restart."""
        return AnnouncementPayload(
            key=self.key,
            source=self.source,
            title=self.title,
            number=self.number,
            path=self.path,
            url=self.url,
            audio_url=self.audio_url,
            summary=self.summary,
            released_at=self.released_at,
        )


def _unique(items: Iterable[str | None]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(item for item in items if item))


def from_episode(episode: Episode) -> Candidate:
    """A note as a candidate. Raises OverflowError when its date cannot be used."""
    identities = _unique(
        [
            f"#{episode.number}" if episode.number is not None else None,
            f"path:{episode.path}",
            link_identity(episode.player_url),
            link_identity(episode.embed_url),
            page_identity(episode.page_url),
            audio_file_identity(episode.player_url),
        ]
    )
    return Candidate(
        key=identities[0],
        identities=identities,
        source="notes",
        title=episode.label,
        released_at=_utc(episode.released_at),
        number=episode.number,
        path=episode.path,
        url=episode.page_url or episode.player_url,
        audio_url=episode.player_url,
        summary=episode.summary,
    )


def from_feed_item(item: FeedItem, *, shared: frozenset[str] = frozenset()) -> Candidate:
    """A feed item as a candidate; ``shared``: page and audio identities other items
    have too. The enclosure comes before the guid, so a numberless item keeps its key
    when a feed rewrites its guid."""
    number = item.number if item.number is not None else number_in_title(item.title)
    page = page_identity(item.link)
    audio = audio_identity(item.audio_url)
    identities = _unique(
        [
            f"#{number}" if number is not None else None,
            link_identity(item.link),
            page if page not in shared else None,
            audio if audio not in shared else None,
            f"guid:{item.guid}" if item.guid else None,
        ]
    )
    if not identities:  # an item with no number, no link and no guid: its title then
        identities = (f"title:{item.title.strip()}",)
    return Candidate(
        key=identities[0],
        identities=identities,
        source="feed",
        title=item.title,
        released_at=_utc(item.published),
        number=number,
        url=item.link,
        audio_url=item.audio_url,
        summary=item.summary,
        pages=(page,) if page and page in identities else (),
        enclosures=(audio,) if audio and audio in identities else (),
    )


def from_feed(items: Iterable[FeedItem]) -> list[Candidate]:
    """The feed's items as candidates. A link several items share (the show's home
    page, as some feeds give every item) names no episode and is left out."""
    items = list(items)
    pages = Counter(page_identity(i.link) for i in items)
    pages.update(audio_identity(i.audio_url) for i in items)
    shared = frozenset(p for p, n in pages.items() if p is not None and n > 1)
    return [from_feed_item(i, shared=shared) for i in items]


def merge(candidates: Iterable[Candidate]) -> list[Candidate]:
    """One candidate per episode: a feed item sharing an identity with a note is
    that note's episode.

    The note wins (it has the full show notes) and carries the feed item's identities
    too, so all of them are marked seen together. Two notes are never merged with each
    other (a shared number is a mistake in the notes, not one episode), nor two feed
    items (one feed lists each episode once). One dict from identity to note: linear.
    """
    notes: list[Candidate] = []
    items: list[Candidate] = []
    for cand in candidates:
        (notes if cand.source == "notes" else items).append(cand)
    owner: dict[str, int] = {}
    for index, note in enumerate(notes):
        for identity in note.identities:
            owner.setdefault(identity, index)
    joined: dict[int, list[Candidate]] = {}
    alone: list[Candidate] = []
    for item in items:
        match = next((owner[i] for i in item.identities if i in owner), None)
        if match is None:
            alone.append(item)
        else:
            joined.setdefault(match, []).append(item)
    out = [
        _joined(note, joined[index]) if index in joined else note
        for index, note in enumerate(notes)
    ]
    return out + alone


def _joined(note: Candidate, items: list[Candidate]) -> Candidate:
    """The note with its feed items' identities; an item's link that is the note's own
    page (or any identity of the note) is the note's, not a weaker feed page."""
    identities = _unique((*note.identities, *(i for item in items for i in item.identities)))
    own = set(note.identities)
    pages = _unique(p for item in items for p in item.pages if p not in own)
    enclosures = _unique(e for item in items for e in item.enclosures)
    if identities == note.identities and not enclosures:
        return note
    return replace(
        note, key=identities[0], identities=identities, pages=pages, enclosures=enclosures
    )


def _without(cand: Candidate, gone: Collection[str]) -> Candidate:
    """The candidate without identities that name another episode."""
    identities = tuple(i for i in cand.identities if i not in gone)
    pages = tuple(p for p in cand.pages if p not in gone)
    return replace(cand, key=identities[0], identities=identities, pages=pages)


def marks(cand: Candidate) -> list[Mark]:
    """The seen rows a candidate writes. A note's feed items' links and audio files are
    written as the feed's first, so ``Seen.left_page`` knows them after a restart."""
    if cand.source == "feed" or not (cand.pages or cand.enclosures):
        return [(cand.key, cand.identities, cand.source)]
    return [
        (cand.key, (*cand.pages, *cand.enclosures), "feed"),
        (cand.key, cand.identities, "notes"),
    ]


def oldest_first(cand: Candidate) -> SortKey:
    return oldest_first_key(cand.released_at, cand.number, cand.key)


@dataclass(frozen=True, slots=True)
class Plan:
    announce: tuple[Candidate, ...] = ()  # oldest first
    over_limit: tuple[Candidate, ...] = ()  # missed while down, marked seen only
    known: tuple[Candidate, ...] = ()  # already seen under one identity: add the others


def plan(
    candidates: Iterable[Candidate], seen: Seen | Collection[str], limit: int | None = None
) -> Plan:
    """Split candidates into new (to announce) and known, newest ``limit`` kept.

    Candidates whose identities are all seen are dropped before merging: on a normal
    scan that is every one of them, so the work stays proportional to what changed.
    A known candidate takes the key of the episode it was seen as, so the identities it
    adds join that episode. A feed page that names another episode (``left_page``)
    is no match: without it the candidate is new.
    """
    if not isinstance(seen, Seen):
        seen = Seen.of(seen)
    pending = [c for c in candidates if not seen.covers(c.identities)]
    new: list[Candidate] = []
    known: list[Candidate] = []
    for cand in merge(pending):
        matched = [i for i in cand.identities if i in seen]
        left = [i for i in matched if i in cand.pages and seen.left_page(i, cand.enclosures)]
        match = next((i for i in matched if i not in left), None)
        if match is not None:
            known.append(replace(cand, key=seen.owner(match) or cand.key))
        else:
            new.append(_without(cand, left) if left else cand)
    new.sort(key=oldest_first)
    over: list[Candidate] = []
    if limit is not None and len(new) > limit:
        cut = len(new) - limit
        over, new = new[:cut], new[cut:]
    return Plan(tuple(new), tuple(over), tuple(known))


@dataclass(frozen=True, slots=True)
class ScanResult:
    queued: tuple[Announcement, ...] = ()
    announced: tuple[Candidate, ...] = ()
    baseline: int = 0  # marked seen without announcing on a first start
    over_limit: tuple[Candidate, ...] = ()


class Notifier:
    """Turns published notes and feed items into queued announcements in the store."""

    def __init__(self, store: Store, catchup_limit: int):
        self.store = store
        self.catchup_limit = catchup_limit
        self._seen = Seen()
        for identity, key, source in store.seen_rows():
            self._seen.add(key, (identity,), source)
        self._caught_up: set[str] = set()
        self._by_path: dict[str, tuple[Episode, Candidate]] = {}  # the last scan's notes
        self._unusable: set[str] = set()  # notes already warned about

    def scan(
        self,
        episodes: Sequence[Episode],
        now: datetime,
        *,
        feed_url: str | None = None,
        feed_items: Sequence[FeedItem] | None = None,
    ) -> ScanResult:
        """Queue announcements for what is newly published.

        ``episodes``: the catalog's notes (unpublished ones are ignored).
        ``feed_items``: the feed's items when it was just fetched, else None.
        """
        sources: list[tuple[str, list[Candidate]]] = [(BASELINE_NOTES, self._notes(episodes, now))]
        if feed_url and feed_items is not None:
            sources.append((BASELINE_FEED + feed_url, from_feed(feed_items)))

        baseline: list[Candidate] = []
        fresh: list[Candidate] = []
        meta: list[tuple[str, str]] = []
        catchup = False
        for flag, cands in sources:
            if self.store.get_meta(flag) is not None:
                fresh.extend(cands)
            elif flag == BASELINE_NOTES and not cands:
                # An empty or missing folder (wrong CONTENT_DIR, no checkout yet) is no
                # baseline: the first notes to appear are taken as the existing site.
                pass
            else:
                baseline.extend(cands)
                meta.append((flag, now.astimezone(UTC).isoformat()))
            # Nothing found (no checkout yet, an empty feed answer) is no catch-up:
            # the limit waits for the first scan that has something to compare.
            if cands and flag not in self._caught_up:
                catchup = True
                self._caught_up.add(flag)

        # Identities of baseline candidates count as seen for the others in this scan.
        settled = merge(c for c in baseline if not self._seen.covers(c.identities))
        seen = self._seen
        if settled:
            seen = seen.copy()
            for key, identities, source in (m for c in settled for m in marks(c)):
                seen.add(key, identities, source)
        result = plan(fresh, seen, self.catchup_limit if catchup else None)

        rows = [
            mark
            for group in (settled, result.known, result.over_limit, result.announce)
            for c in group
            for mark in marks(c)
        ]
        if not rows and not meta:
            return ScanResult()
        queued = self.store.record_new_episodes(
            rows, [c.payload() for c in result.announce], now, meta
        )
        for key, identities, source in rows:
            self._seen.add(key, identities, source)

        if baseline:
            log.info("first start: %d episodes marked seen, none announced", len(baseline))
        for cand in result.over_limit:
            log.info("catch-up limit: %s marked seen without announcing", cand.title)
        for cand in result.announce:
            log.info("new episode %s (%s): %s", cand.key, cand.source, cand.title)
        return ScanResult(tuple(queued), result.announce, len(baseline), result.over_limit)

    def _notes(self, episodes: Sequence[Episode], now: datetime) -> list[Candidate]:
        """Published notes as candidates, each built once while the note is unchanged.
        A note whose date cannot be used is skipped (and logged once)."""
        out: list[Candidate] = []
        cache: dict[str, tuple[Episode, Candidate]] = {}
        for episode in episodes:
            try:
                if episode.unusable_date is not None:
                    raise ValueError(f"{episode.unusable_date} is not a date")
                if not episode.is_published(now):
                    continue
                known = self._by_path.get(episode.path)
                if known is not None and known[0] is episode:
                    cand = known[1]
                else:
                    cand = from_episode(episode)
            except Exception as exc:  # e.g. Hugo's zero date 0001-01-01 in +09:00
                if episode.path not in self._unusable:
                    self._unusable.add(episode.path)
                    log.warning(
                        "%s: skipped for announcements, its date cannot be used (%s: %s)",
                        episode.path,
                        type(exc).__name__,
                        exc,
                    )
                continue
            cache[episode.path] = (episode, cand)
            out.append(cand)
        self._by_path = cache
        return out
