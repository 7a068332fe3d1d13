"""Domain models shared by every part of the bot.

Frozen dataclasses only: the core passes these around, never dicts. Nothing here
imports discord.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

SortKey = tuple[float, float, str]


def oldest_first_key(when: datetime | None, number: int | None, name: str) -> SortKey:
    """The one episode order, oldest first: date, then number, then ``name`` (the path).

    No date sorts before every date and no number before every number: an undated
    special is the oldest, never the newest.
    """
    stamp = when.timestamp() if when is not None else float("-inf")
    return (stamp, float(number) if number is not None else float("-inf"), name)


def newest_first_key(when: datetime | None, number: int | None, name: str) -> SortKey:
    """The same order reversed for date and number; ties still by ``name`` A-Z."""
    stamp, num, _ = oldest_first_key(when, number, name)
    return (-stamp, -num, name)


@dataclass(frozen=True, slots=True)
class Reference:
    """One link in an episode's notes, in document order."""

    text: str
    url: str
    section: str  # heading the link sits under ("" before the first heading)


@dataclass(frozen=True, slots=True)
class Section:
    """One heading of the notes and the plain text directly under it."""

    heading: str  # plain heading text; "" for the lead before the first heading
    level: int  # 0 for the lead, else 1-6
    path: tuple[str, ...]  # ancestor headings, then this one
    text: str  # plain text of the body under this heading (subsections excluded)
    anchor: str = ""  # Hugo's heading id, for deep links (page_url + "#" + anchor)


@dataclass(frozen=True, slots=True)
class Episode:
    """An episode as read from one Hugo page."""

    path: str  # source path relative to the content folder, POSIX separators
    raw_title: str  # front matter title as written: "#16 【GCP？】Kubeflow超概要"
    title: str  # without its number: "【GCP？】Kubeflow超概要"
    number: int | None  # None for specials
    category: str | None  # "GCP？" from 【GCP？】
    summary: str
    date: datetime | None  # time-zone aware
    publish_date: datetime | None  # time-zone aware
    expiry_date: datetime | None = None
    draft: bool = False
    authors: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    player_url: str | None = None  # page a listener opens (anchor.fm episode page, ...)
    embed_url: str | None = None  # the embed URL as written in the note
    page_url: str | None = None  # the show-notes page on the site
    references: tuple[Reference, ...] = ()
    sections: tuple[Section, ...] = ()
    extra: tuple[tuple[str, str], ...] = field(default=(), compare=False)
    # date/publishDate written but unreadable ("yesterday", 2026-02-30, out of range):
    # the page is still searchable, but it is never announced (its time is unknown).
    unusable_date: str | None = None
    # front matter ``live:`` / ``live_end:``: a scheduled live recording (time-zone aware)
    live_at: datetime | None = None
    live_end: datetime | None = None

    @property
    def label(self) -> str:
        """Number and title as listeners see it: "#16 【GCP？】Kubeflow超概要"."""
        return f"#{self.number} {self.title}" if self.number is not None else self.title

    @property
    def released_at(self) -> datetime | None:
        """When the page goes public: publishDate, else date (Hugo's rule)."""
        return self.publish_date or self.date

    @property
    def sort_date(self) -> datetime | None:
        """The date listeners know the episode by: date, else publishDate."""
        return self.date or self.publish_date

    def is_published(self, now: datetime) -> bool:
        """Hugo's rule: not a draft, publish time passed, not expired."""
        if self.draft:
            return False
        released = self.released_at
        if released is not None and released > now:
            return False
        return self.expiry_date is None or self.expiry_date > now

    @property
    def text(self) -> str:
        """All section text, for search and snippets."""
        return "\n".join(s.text for s in self.sections if s.text)

    def oldest_first_key(self) -> SortKey:
        """Sort key, oldest first: ``sort_date``, then number, then path."""
        return oldest_first_key(self.sort_date, self.number, self.path)

    def newest_first_key(self) -> SortKey:
        """Sort key, newest first: ``sort_date``, then number, then path (A-Z)."""
        return newest_first_key(self.sort_date, self.number, self.path)


@dataclass(frozen=True, slots=True)
class LoadWarning:
    """A note that was skipped or only partly read, and why."""

    path: str  # relative to the content folder
    reason: str

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


@dataclass(frozen=True, slots=True)
class LoadResult:
    """Everything read from a content folder."""

    episodes: tuple[Episode, ...]
    warnings: tuple[LoadWarning, ...]
    pages_seen: int = 0  # Markdown pages looked at, episodes or not


@dataclass(frozen=True, slots=True)
class Hit:
    """One ranked search result."""

    episode: Episode
    score: float  # 0-100, higher is better
    section: Section | None = None  # where the topic came up, when one section matched
    snippet: str = ""  # short text around the match


@dataclass(frozen=True, slots=True)
class SearchResult:
    query: str
    hits: tuple[Hit, ...]
    suggestions: tuple[str, ...] = ()  # "did you mean" terms from the index vocabulary
