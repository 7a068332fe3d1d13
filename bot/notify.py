"""Which episodes are newly published, given the catalog, the state file and now.

An episode can come from two places: a note in the content folder (an ``Episode``) or
an item of the podcast's RSS feed (a ``FeedItem``), often before its note is written.
Both become a ``Candidate`` with a set of *identities* ("#16", "anchor:efmh8l",
"path:podcast/0016/index.md", "url:..."). An identity once seen is never announced
again, so a feed item and the note written later for it (same number in the title, or
the same episode link) give one announcement.

Rules:
- published = not a draft and publishDate (or date) passed (``Episode.is_published``);
  a future-dated note becomes a candidate when its time comes.
- the first scan of a source on a new state file announces nothing: all it finds is
  marked seen (``baseline``). For notes the baseline waits until there is at least one
  published note, so a wrong or not yet cloned folder cannot make every note "new".
- the first scan after a start is a catch-up: at most ``limit`` episodes are announced,
  the newest ones, oldest first; the rest are marked seen and logged.

Pure core: no discord. ``Notifier.scan()`` writes one transaction to the store and
returns what it queued; delivery is the cog's job.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal
from urllib.parse import urlsplit

from bot.feed import FeedItem
from bot.models import Episode
from bot.store import Announcement, Store

log = logging.getLogger(__name__)

Source = Literal["notes", "feed"]

BASELINE_NOTES = "baseline:notes"
BASELINE_FEED = "baseline:feed:"  # + feed URL

# "#16", "＃16", "EP16", "ep.16", "Episode 16", "第16回"
_NUMBER_PATTERNS = (
    re.compile(r"[#＃]\s*(\d{1,5})(?!\d)"),
    re.compile(r"\b(?:ep|episode)\s*\.?\s*(\d{1,5})(?!\d)", re.IGNORECASE),
    re.compile(r"第\s*(\d{1,5})\s*回"),
)
_ANCHOR_HOSTS = ("anchor.fm", "podcasters.spotify.com", "creators.spotify.com")
_ANCHOR_EPISODE = re.compile(r"/episodes/([^/?#]+)")


def number_in_title(title: str) -> int | None:
    """The episode number written in a title ("#16 【GCP？】..." -> 16), or None."""
    text = title.translate(_FULLWIDTH_DIGITS)
    for pattern in _NUMBER_PATTERNS:
        match = pattern.search(text)
        if match:
            return int(match.group(1))
    return None


_FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")


def link_identity(url: str | None) -> str | None:
    """A stable identity for an episode link.

    anchor.fm / Spotify for Podcasters episode pages, their embeds and renamed slugs
    all end in the same episode id ("GCPKubeflow-efmh8l" -> "anchor:efmh8l"); any
    other link is compared without scheme, query, fragment and trailing slash.
    """
    if not url:
        return None
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower().removeprefix("www.")
    if not host:
        return None
    if host in _ANCHOR_HOSTS:
        match = _ANCHOR_EPISODE.search(parts.path)
        if match:
            slug = match.group(1)
            return "anchor:" + slug.rsplit("-", 1)[-1].lower()
    path = parts.path.rstrip("/")
    return f"url:{host}{path}"


@dataclass(frozen=True, slots=True)
class Candidate:
    """Something that may be announced: a published note or a feed item."""

    key: str  # canonical id of the episode: "#16", else the first other identity
    identities: tuple[str, ...]
    source: Source
    title: str  # as listeners see it: "#16 【GCP？】Kubeflow超概要"
    released_at: datetime | None
    number: int | None = None
    path: str | None = None  # the note, relative to the content folder
    url: str | None = None  # where to read or listen
    audio_url: str | None = None
    summary: str = ""
    extra: tuple[tuple[str, str], ...] = field(default=(), compare=False)

    def payload(self) -> dict[str, Any]:
        """What the state file keeps to send the announcement after a restart."""
        released = self.released_at.astimezone(UTC).isoformat() if self.released_at else None
        return {
            "key": self.key,
            "source": self.source,
            "title": self.title,
            "number": self.number,
            "path": self.path,
            "url": self.url,
            "audio_url": self.audio_url,
            "summary": self.summary,
            "released_at": released,
        }


def _unique(items: Iterable[str | None]) -> tuple[str, ...]:
    out: list[str] = []
    for item in items:
        if item and item not in out:
            out.append(item)
    return tuple(out)


def from_episode(episode: Episode) -> Candidate:
    number = episode.number if episode.number is not None else number_in_title(episode.raw_title)
    identities = _unique(
        [
            f"#{number}" if number is not None else None,
            f"path:{episode.path}",
            link_identity(episode.player_url),
            link_identity(episode.embed_url),
            link_identity(episode.page_url),
        ]
    )
    return Candidate(
        key=identities[0],
        identities=identities,
        source="notes",
        title=episode.label,
        released_at=episode.released_at,
        number=number,
        path=episode.path,
        url=episode.page_url or episode.player_url,
        audio_url=episode.player_url,
        summary=episode.summary,
    )


def from_feed_item(item: FeedItem) -> Candidate:
    number = item.number if item.number is not None else number_in_title(item.title)
    identities = _unique(
        [
            f"#{number}" if number is not None else None,
            link_identity(item.link),
            f"guid:{item.guid}" if item.guid else None,
            link_identity(item.audio_url),
        ]
    )
    if not identities:  # an item with no number, no link and no guid: its title then
        identities = (f"title:{item.title.strip()}",)
    return Candidate(
        key=identities[0],
        identities=identities,
        source="feed",
        title=item.title,
        released_at=item.published,
        number=number,
        url=item.link,
        audio_url=item.audio_url,
        summary=item.summary,
    )


def merge(candidates: Iterable[Candidate]) -> list[Candidate]:
    """One candidate per episode: those sharing an identity are the same episode.

    The note wins over the feed item (it has the full show notes); the merged candidate
    carries every identity so all of them are marked seen together.
    """
    groups: list[list[Candidate]] = []
    for cand in candidates:
        hits = [g for g in groups if any(set(cand.identities) & set(c.identities) for c in g)]
        merged = [cand]
        for g in hits:
            merged.extend(g)
            groups.remove(g)
        groups.append(merged)
    out: list[Candidate] = []
    for group in groups:
        group.sort(key=lambda c: (c.source != "notes", c.path or "", c.key))
        best = group[0]
        identities = _unique(i for c in group for i in (best.key, *c.identities))
        out.append(_with_identities(best, identities))
    return out


def _with_identities(cand: Candidate, identities: tuple[str, ...]) -> Candidate:
    if identities == cand.identities:
        return cand
    return Candidate(
        key=identities[0],
        identities=identities,
        source=cand.source,
        title=cand.title,
        released_at=cand.released_at,
        number=cand.number,
        path=cand.path,
        url=cand.url,
        audio_url=cand.audio_url,
        summary=cand.summary,
    )


def oldest_first(cand: Candidate) -> tuple[float, int, str]:
    when = cand.released_at.timestamp() if cand.released_at else float("-inf")
    return (when, cand.number if cand.number is not None else -1, cand.key)


@dataclass(frozen=True, slots=True)
class Plan:
    announce: tuple[Candidate, ...] = ()  # oldest first
    over_limit: tuple[Candidate, ...] = ()  # missed while down, marked seen only
    known: tuple[Candidate, ...] = ()  # already seen under one identity: add the others


def plan(candidates: Iterable[Candidate], seen: set[str], limit: int | None = None) -> Plan:
    """Split candidates into new (to announce) and known, newest ``limit`` kept."""
    new: list[Candidate] = []
    known: list[Candidate] = []
    for cand in merge(candidates):
        if seen.intersection(cand.identities):
            if not seen.issuperset(cand.identities):
                known.append(cand)
        else:
            new.append(cand)
    new.sort(key=oldest_first)
    over: list[Candidate] = []
    if limit is not None and len(new) > limit:
        cut = len(new) - limit
        over, new = new[:cut], new[cut:]
    return Plan(tuple(new), tuple(over), tuple(known))


def next_release(episodes: Iterable[Episode], now: datetime) -> datetime | None:
    """When the next future-dated (non-draft) note is due, if any."""
    times = [
        e.released_at
        for e in episodes
        if not e.draft and e.released_at is not None and e.released_at > now
    ]
    return min(times) if times else None


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
        self._seen = store.seen_identities()
        self._caught_up: set[str] = set()

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
        sources: list[tuple[str, list[Candidate]]] = [
            (BASELINE_NOTES, [from_episode(e) for e in episodes if e.is_published(now)])
        ]
        if feed_url and feed_items is not None:
            sources.append((BASELINE_FEED + feed_url, [from_feed_item(i) for i in feed_items]))

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
            if flag not in self._caught_up:
                catchup = True
                self._caught_up.add(flag)

        # Identities of baseline candidates count as seen for the others in this scan.
        seen = set(self._seen)
        for cand in merge(baseline):
            seen.update(cand.identities)
        result = plan(fresh, seen, self.catchup_limit if catchup else None)

        marks = [(c.key, c.identities, c.source) for c in merge(baseline)]
        marks += [(c.key, c.identities, c.source) for c in result.known]
        marks += [(c.key, c.identities, c.source) for c in result.over_limit]
        marks += [(c.key, c.identities, c.source) for c in result.announce]
        if not marks and not meta:
            return ScanResult()
        queued = self.store.record_new_episodes(
            marks, [(c.key, c.payload()) for c in result.announce], now, meta
        )
        for _key, identities, _source in marks:
            self._seen.update(identities)

        if baseline:
            log.info("first start: %d episodes marked seen, none announced", len(baseline))
        for cand in result.over_limit:
            log.info("catch-up limit: %s marked seen without announcing", cand.title)
        for cand in result.announce:
            log.info("new episode %s (%s): %s", cand.key, cand.source, cand.title)
        return ScanResult(tuple(queued), result.announce, len(baseline), result.over_limit)
