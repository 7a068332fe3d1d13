"""One Hugo page -> an episode candidate, with the fields read from its front matter.

``read_page`` reads a note (``bot.content.hugo``) and its Markdown (``bot.content.notes``) into a
``Page``; whether a page outside the podcast sections is an episode depends on the other
pages, so ``bot.content`` decides that.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from pathlib import Path
from typing import Any

from bot.content.htmltext import html_to_text
from bot.content.hugo import (
    BRANCH_INDEXES,
    BUNDLE_INDEXES,
    PageError,
    RawPage,
    as_bool,
    as_text_list,
    content_hash,
    decode_text,
    folder_number,
    page_url,
    parse_date,
    read_bytes,
    split_front_matter,
)
from bot.models import Episode
from bot.content.notes import Notes, NotesError, parse_notes
from bot.content.players import PLAYER_KEYS, Player, from_link
from bot.content.titles import split_title

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class SiteOptions:
    base_url: str = "http://localhost:1313/"
    podcast_sections: tuple[str, ...] = ("podcast", "talk", "episode", "episodes")
    timezone: str = "Asia/Tokyo"
    max_bytes: int = 2_000_000

    def in_podcast_section(self, rel: str) -> bool:
        first, sep, _ = rel.partition("/")
        sections = {s.strip("/").lower() for s in self.podcast_sections}
        return bool(sep) and first.lower() in sections


@dataclass(frozen=True, slots=True)
class Page:
    """An episode candidate before the blog-post rule is applied."""

    episode: Episode  # player fields set only in a podcast section
    players: tuple[Player, ...]
    in_section: bool


def read_page(
    rel: str, path: str | os.PathLike[str], options: SiteOptions, zone: tzinfo
) -> tuple[Page | None, str | None]:
    """The page as an episode candidate (None when it cannot be one), and its problem.

    Never raises for what the file holds: anything unforeseen costs this page only.
    """
    page, problem, _ = _read(rel, path, options, zone, hashed=False)
    return page, problem


def read_note(
    rel: str, path: str | os.PathLike[str], options: SiteOptions, zone: tzinfo
) -> tuple[Page | None, str | None, bytes]:
    """``read_page``, and the content hash (``hugo.content_hash``) of the very bytes it
    parsed, so a note is read once (b"" when none could be read)."""
    return _read(rel, path, options, zone, hashed=True)


def _read(
    rel: str, path: str | os.PathLike[str], options: SiteOptions, zone: tzinfo, *, hashed: bool
) -> tuple[Page | None, str | None, bytes]:
    digest = b""
    try:
        data = read_bytes(path, options.max_bytes)
        if hashed:
            digest = content_hash(data).digest()
        return (*_read_page(rel, data, options, zone), digest)
    except PageError as exc:  # the file itself (too large, not readable)
        return None, str(exc), digest
    except Exception as exc:
        log.debug("could not read %s", rel, exc_info=True)  # the caller warns once
        return None, f"could not be read ({type(exc).__name__}: {exc}); skipped", digest


def _read_page(
    rel: str, data: bytes, options: SiteOptions, zone: tzinfo
) -> tuple[Page | None, str | None]:
    name = rel.rsplit("/", 1)[-1]
    try:
        raw = split_front_matter(rel, decode_text(data))
    except PageError as exc:
        if name in BRANCH_INDEXES and str(exc).startswith("empty file"):
            return None, None  # an empty section page is normal in Hugo
        return None, str(exc)
    if name in BRANCH_INDEXES or as_bool(raw.front.get("headless")):
        return None, None
    in_section = options.in_podcast_section(rel)
    url = page_url(rel, raw.front, options.base_url)
    problems: list[str] = []
    players = list(_front_players(raw.front))
    try:
        notes = parse_notes(raw.body, options.base_url, url)
    except NotesError as exc:
        problems.append(f"{exc}; notes left out")
        notes = parse_notes("", options.base_url, url)
    if notes.problem:
        problems.append(notes.problem)
    players.extend(notes.players)
    if not in_section and not players:
        return None, "; ".join(problems) or None
    # A page in a section always shows its first player; others wait for ``bot.content``.
    player = players[0] if in_section and players else None
    episode = _episode(raw, url, in_section, zone, problems, notes, player)
    return Page(episode, tuple(players), in_section), "; ".join(problems) or None


def _front_players(front: dict[str, Any]) -> Iterable[Player]:
    for key in PLAYER_KEYS:
        value = front.get(key)
        if isinstance(value, str) and value.strip():
            player = from_link(value)
            if player is not None:
                yield player


_CATEGORY = re.compile(r"【([^】]+)】")
_NUMBER_KEYS = ("episode", "episode_number", "episodenumber")


def _episode(
    raw: RawPage,
    url: str,
    in_section: bool,
    zone: tzinfo,
    problems: list[str],
    notes: Notes,
    player: Player | None,
) -> Episode:
    front = raw.front
    raw_title = _title(raw, problems)
    number, title = split_title(raw_title)
    if number is None:
        number = _front_number(front, problems)
    if number is None and in_section:
        number = folder_number(raw.rel)
    category = _CATEGORY.search(title)
    dates: dict[str, datetime | None] = {}
    unusable: str | None = None
    for field, keys in (
        ("date", ("date",)),
        ("publishDate", ("publishdate", "pubdate", "published")),
        ("expiryDate", ("expirydate", "unpublishdate")),
    ):
        value = next((front[k] for k in keys if front.get(k) not in (None, "")), None)
        try:
            dates[field] = parse_date(value, zone)
        except ValueError:
            problems.append(f"{field} {value!r} is not a date; left empty")
            dates[field] = None
            if field != "expiryDate" and unusable is None:
                unusable = f"{field} {value!r}"
    live: dict[str, datetime | None] = {}
    for field in ("live", "live_end"):
        value = front.get(field)
        try:
            live[field] = parse_date(value, zone) if value not in (None, "") else None
        except ValueError:
            problems.append(f"{field} {value!r} is not a date; left empty")
            live[field] = None
    return Episode(
        path=raw.rel,
        raw_title=raw_title,
        title=title,
        number=number,
        category=category.group(1).strip() if category else None,
        summary=_summary(front) or notes.first_paragraph,
        date=dates["date"],
        publish_date=dates["publishDate"],
        expiry_date=dates["expiryDate"],
        draft=as_bool(front.get("draft")),
        authors=as_text_list(front.get("authors")),
        tags=as_text_list(front.get("tags")),
        categories=as_text_list(front.get("categories")),
        player_url=player.player_url if player else None,
        embed_url=player.embed_url if player else None,
        page_url=url,
        references=notes.references,
        sections=notes.sections,
        extra=_extra(front),
        unusable_date=unusable,
        live_at=live["live"],
        live_end=live["live_end"],
    )


def _title(raw: RawPage, problems: list[str]) -> str:
    value = raw.front.get("title")
    parts = raw.rel.split("/")
    fallback = parts[-2] if parts[-1] in BUNDLE_INDEXES and len(parts) > 1 else parts[-1]
    fallback = fallback.rsplit(".", 1)[0] if fallback == parts[-1] else fallback
    if value is None or (isinstance(value, str) and not value.strip()):
        problems.append("no title; used the file name")
        return fallback
    if isinstance(value, list | dict):
        kind = "list" if isinstance(value, list) else "mapping"
        problems.append(f"title is a {kind}, not text; used the file name")
        return fallback
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value).strip()


def _front_number(front: dict[str, Any], problems: list[str]) -> int | None:
    for key in _NUMBER_KEYS:
        value = front.get(key)
        if value is None or value == "" or isinstance(value, bool):
            continue
        if isinstance(value, int):
            return value
        if isinstance(value, str) and value.strip().lstrip("#").isdecimal():
            return int(value.strip().lstrip("#"))
        problems.append(f"{key} {value!r} is not an episode number")
    return None


def _summary(front: dict[str, Any]) -> str:
    for key in ("summary", "abstract"):
        value = front.get(key)
        if isinstance(value, str) and value.strip():
            text = html_to_text(value)
            if text:
                return text
    return ""


_USED_KEYS_WORDS = (
    "title date publishdate pubdate published expirydate unpublishdate draft authors "
    "tags categories summary abstract headless url slug episode episode_number "
    "episodenumber live live_end "
)
_USED_KEYS = frozenset(_USED_KEYS_WORDS.split()) | frozenset(PLAYER_KEYS)


def _extra(front: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    """Other non-empty scalar front matter, for ``show``."""
    out = []
    for key in sorted(front):
        value = front[key]
        if key in _USED_KEYS or value is None or value == "" or isinstance(value, list | dict):
            continue
        out.append((key, value.isoformat() if isinstance(value, date) else str(value)))
    return tuple(out)


def player_key(player: Player) -> str:
    """A player as the blog-post rule compares them."""
    return player_url_key(player.player_url)


def player_url_key(url: str) -> str:
    """A player page URL as the blog-post rule compares them."""
    return url.rstrip("/").lower()
