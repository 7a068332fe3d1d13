"""Walking the back catalogue: neighbours, nearest numbers, related episodes, a random
pick, and the archive by year. Pure core: no discord; every list is published only.
"""

from __future__ import annotations

import random
import re
import unicodedata
from collections.abc import Sequence
from urllib.parse import urlsplit

from bot.library.catalog import Catalog
from bot.models import Episode

RELATED_MAX = 3
ARCHIVE_PAGE = 10


def oldest_first(episodes: Sequence[Episode]) -> list[Episode]:
    """Published order: by date, then number, then path (the catalog gives newest first)."""
    return list(reversed(episodes))


def neighbours(catalog: Catalog, episode: Episode) -> tuple[Episode | None, Episode | None]:
    """The published episodes just before and just after ``episode``: by number when it
    has one, else by date."""
    published = catalog.published()
    if episode.number is not None:
        numbered = [e for e in published if e.number is not None and e.path != episode.path]
        before = [e for e in numbered if e.number is not None and e.number < episode.number]
        after = [e for e in numbered if e.number is not None and e.number > episode.number]
        prev = max(before, key=lambda e: e.number or 0, default=None)
        nxt = min(after, key=lambda e: e.number or 0, default=None)
        return prev, nxt
    order = oldest_first(published)
    at = next((i for i, e in enumerate(order) if e.path == episode.path), None)
    if at is None:
        return None, None
    return (order[at - 1] if at > 0 else None), (order[at + 1] if at + 1 < len(order) else None)


def nearest_numbers(catalog: Catalog, number: int) -> tuple[int | None, int | None]:
    """The published numbers closest below and above a number that has no episode."""
    numbers = {e.number for e in catalog.published() if e.number is not None}
    below = max((n for n in numbers if n < number), default=None)
    above = min((n for n in numbers if n > number), default=None)
    return below, above


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text).casefold()).strip()


def _link_key(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.hostname or ''}{parts.path.rstrip('/')}".lower()


def related(catalog: Catalog, episode: Episode, limit: int = RELATED_MAX) -> list[Episode]:
    """Other published episodes about the same things: links they share (3 points
    each), headings they share (2 each), and the search for this episode's title
    (2 for the best hit, then less). Ties: newer first."""
    published = [e for e in catalog.published() if e.path != episode.path]
    links = {_link_key(r.url) for r in episode.references if r.url}
    heads = {_norm(s.heading) for s in episode.sections if s.heading and len(s.heading) > 2}
    score: dict[str, float] = {}
    for other in published:
        shared_links = links & {_link_key(r.url) for r in other.references if r.url}
        shared_heads = heads & {_norm(s.heading) for s in other.sections if s.heading}
        points = 3.0 * len(shared_links) + 2.0 * len(shared_heads)
        if points:
            score[other.path] = points
    query = episode.title or episode.raw_title
    if query.strip():
        hits = [h for h in catalog.search(query, limit=6).hits if h.episode.path != episode.path]
        for rank, hit in enumerate(hits):
            score[hit.episode.path] = score.get(hit.episode.path, 0.0) + 2.0 / (rank + 1)
    order = {e.path: i for i, e in enumerate(published)}  # newest first
    best = sorted(score, key=lambda p: (-score[p], order.get(p, len(order))))
    by_path = {e.path: e for e in published}
    return [by_path[p] for p in best if p in by_path][:limit]


def random_episode(
    catalog: Catalog, topic: str = "", rng: random.Random | None = None
) -> Episode | None:
    """A published episode at random; with ``topic``, one of the episodes the search
    finds for it (None when it finds none)."""
    pick = rng or random.Random()
    if topic.strip():
        pool = [h.episode for h in catalog.search(topic, limit=10).hits]
    else:
        pool = catalog.published()
    return pick.choice(pool) if pool else None


def years(catalog: Catalog) -> list[int]:
    """The years that have published episodes, oldest first."""
    return sorted({e.sort_date.year for e in catalog.published() if e.sort_date})


def archive(catalog: Catalog, year: int | None = None) -> list[Episode]:
    """Published episodes oldest first, of one year when given."""
    episodes = oldest_first(catalog.published())
    if year is None:
        return episodes
    return [e for e in episodes if e.sort_date is not None and e.sort_date.year == year]


def archive_page(
    catalog: Catalog, year: int | None, page: int, size: int = ARCHIVE_PAGE
) -> tuple[list[Episode], int, int]:
    """One page of ``archive``: its episodes, the page (clamped, from 0), the page count."""
    episodes = archive(catalog, year)
    pages = max(1, -(-len(episodes) // size))
    page = max(0, min(page, pages - 1))
    return episodes[page * size : (page + 1) * size], page, pages
