"""Hugo content folder -> episodes.

``load_site`` walks the folder as Hugo does (``bot.hugo``), reads each page's notes
(``bot.notes``) and decides which pages are episodes:

* ``_index.md`` section pages and ``headless`` pages never are;
* every page in a podcast section (first path segment in ``SiteOptions.podcast_sections``)
  is one;
* a page elsewhere is one when it embeds a player of its own: a blog post whose only
  players are those of episodes in the podcast sections just shows existing episodes.

Drafts, future and expired pages are kept with their dates; callers decide what to show.
A bad note never stops loading: it costs one ``LoadWarning`` naming the file and why.
"""

from __future__ import annotations

import dataclasses
import logging
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from functools import partial
from operator import attrgetter
from pathlib import Path, PurePosixPath
from typing import Any
from zoneinfo import ZoneInfo

from bot.config import Settings
from bot.hugo import (
    BRANCH_INDEXES,
    BUNDLE_INDEXES,
    PAGE_SUFFIXES,
    PageError,
    RawPage,
    as_bool,
    as_text_list,
    folder_number,
    page_url,
    parse_date,
    read_text,
    split_front_matter,
    walk_pages,
)
from bot.models import Episode, LoadResult, LoadWarning, Reference, Section
from bot.notes import Notes, NotesError, html_to_text, parse_notes
from bot.parallel import run_chunks, worker_count
from bot.players import PLAYER_KEYS, Player, from_link

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class SiteOptions:
    base_url: str = "http://localhost:1313/"
    podcast_sections: tuple[str, ...] = ("podcast", "talk", "episode", "episodes")
    timezone: str = "Asia/Tokyo"
    max_bytes: int = 2_000_000

    @classmethod
    def from_settings(cls, settings: Settings) -> SiteOptions:
        return cls(
            base_url=settings.site_base_url,
            podcast_sections=settings.podcast_sections,
            timezone=settings.site_timezone,
            max_bytes=settings.max_note_bytes,
        )

    def in_podcast_section(self, rel: str) -> bool:
        first, sep, _ = rel.partition("/")
        sections = {s.strip("/").lower() for s in self.podcast_sections}
        return bool(sep) and first.lower() in sections


@dataclass(frozen=True, slots=True)
class _Page:
    """An episode candidate before the blog-post rule is applied."""

    episode: Episode  # player fields set only in a podcast section
    players: tuple[Player, ...]
    in_section: bool


# -- public API ----------------------------------------------------------------


def load_site(content_dir: Path, options: SiteOptions) -> LoadResult:
    """Every episode under ``content_dir``; never raises for a bad note.

    Raises ``FileNotFoundError`` / ``NotADirectoryError`` when the folder itself is
    missing or is not a folder.
    """
    root = _check_root(content_dir)
    found = list(walk_pages(root))
    seen = len(found)
    warnings = {f.rel: f.problem for f in found if f.problem is not None}
    files = [(f.rel, f.path) for f in found if f.problem is None]
    pages: list[_Page] = []
    for (rel, _), (page, problem) in zip(files, _read_all(files, options), strict=True):
        if problem:
            warnings[rel] = problem
        if page is not None:
            pages.append(page)
    taken = {_player_key(p) for page in pages if page.in_section for p in page.players}
    episodes = [e for e in (_finish(page, taken) for page in pages) if e is not None]
    for path, reason in _duplicate_numbers(episodes).items():
        warnings[path] = f"{warnings[path]}; {reason}" if path in warnings else reason
    result = LoadResult(
        episodes=tuple(episodes),
        warnings=tuple(LoadWarning(path, warnings[path]) for path in sorted(warnings)),
        pages_seen=seen,
    )
    log.info(
        "loaded %d episodes from %d pages in %s (%d warnings)",
        len(result.episodes),
        seen,
        root,
        len(result.warnings),
    )
    return result


def load_page(
    content_dir: Path, rel_path: str, options: SiteOptions
) -> tuple[Episode | None, list[LoadWarning]]:
    """One note by its path relative to ``content_dir``: the episode (None when the file
    is gone or is not an episode) and the warnings it raised."""
    root = Path(content_dir)
    rel = PurePosixPath(rel_path.replace("\\", "/")).as_posix().lstrip("/")
    if not _is_page_path(root, rel):
        return None, []
    path = root / rel
    if not path.exists():
        if path.is_symlink():
            return None, [LoadWarning(rel, _broken_link_reason(path))]
        return None, []
    if not path.is_file():
        return None, []
    page, problem = _read(rel, path, options, ZoneInfo(options.timezone))
    warnings = [LoadWarning(rel, problem)] if problem else []
    if page is None:
        return None, warnings
    taken: set[str] = set()
    if not page.in_section and page.players:
        taken = _section_players(root, options)
    return _finish(page, taken), warnings


# -- many pages ----------------------------------------------------------------

PARALLEL_MIN_PAGES = 500  # fewer notes are read in this process alone
_CHUNK = 64  # notes per task: small enough for both processes to finish together


def _read_all(
    files: list[tuple[str, Path]], options: SiteOptions
) -> list[tuple[_Page | None, str | None]]:
    """``_read`` of every file, in order; on all cores for a large site."""
    chunks = [files[i : i + _CHUNK] for i in range(0, len(files), _CHUNK)]
    workers = worker_count(len(chunks)) if len(files) >= PARALLEL_MIN_PAGES else 0
    done = run_chunks(
        chunks,
        local=partial(_read_chunk, options=options),
        remote=partial(_read_packed, options=options),
        unpack=_unpack_chunk,
        workers=workers,
    )
    return [read for chunk in done for read in chunk]


_Read = tuple[_Page | None, str | None]
_Packed = tuple[list[Any], list[tuple[Any, ...]], bool]


def _read_chunk(chunk: list[tuple[str, Path]], options: SiteOptions) -> list[_Read]:
    zone = ZoneInfo(options.timezone)
    return [_read(rel, path, options, zone) for rel, path in chunk]


def _read_packed(
    chunk: list[tuple[str, Path]], options: SiteOptions
) -> list[tuple[_Packed | None, str | None]]:
    """``_read_chunk`` in a worker process: pages as plain tuples, which pickle several
    times faster than frozen dataclasses and are rebuilt by ``_unpack_chunk``."""
    return [
        (_pack(page) if page else None, problem) for page, problem in _read_chunk(chunk, options)
    ]


_EPISODE_FIELDS = tuple(f.name for f in dataclasses.fields(Episode))
_REFERENCES = _EPISODE_FIELDS.index("references")
_SECTIONS = _EPISODE_FIELDS.index("sections")
_episode_values = attrgetter(*_EPISODE_FIELDS)
_reference_values = attrgetter(*(f.name for f in dataclasses.fields(Reference)))
_section_values = attrgetter(*(f.name for f in dataclasses.fields(Section)))
_player_values = attrgetter(*(f.name for f in dataclasses.fields(Player)))


def _pack(page: _Page) -> _Packed:
    values = list(_episode_values(page.episode))
    values[_REFERENCES] = [_reference_values(r) for r in values[_REFERENCES]]
    values[_SECTIONS] = [_section_values(s) for s in values[_SECTIONS]]
    return values, [_player_values(p) for p in page.players], page.in_section


def _unpack_chunk(packed: list[tuple[_Packed | None, str | None]]) -> list[_Read]:
    out: list[_Read] = []
    for page, problem in packed:
        if page is None:
            out.append((None, problem))
            continue
        values, players, in_section = page
        values[_REFERENCES] = tuple([Reference(*r) for r in values[_REFERENCES]])
        values[_SECTIONS] = tuple([Section(*s) for s in values[_SECTIONS]])
        episode = Episode(*values)
        out.append((_Page(episode, tuple([Player(*p) for p in players]), in_section), problem))
    return out


# -- one page ------------------------------------------------------------------


def _check_root(content_dir: Path) -> Path:
    root = Path(content_dir)
    if not root.exists():
        raise FileNotFoundError(f"content folder not found: {root}")
    if not root.is_dir():
        raise NotADirectoryError(f"content folder is not a folder: {root}")
    return root


def _is_page_path(root: Path, rel: str) -> bool:
    """Would Hugo render ``rel`` as a page (not a bundle resource, not ignored)?"""
    parts = rel.split("/")
    if not rel or ".." in parts or not parts[-1].lower().endswith(PAGE_SUFFIXES):
        return False
    if any(p.startswith((".", "#")) or p.endswith("~") for p in parts):
        return False
    folder = root
    for depth, part in enumerate(parts[:-1]):
        folder = folder / part
        own_folder = depth == len(parts) - 2 and parts[-1] in BUNDLE_INDEXES
        if not own_folder and any((folder / name).is_file() for name in BUNDLE_INDEXES):
            return False  # a resource of a leaf bundle
    return True


def _broken_link_reason(path: Path) -> str:
    try:
        path.stat()
    except OSError as exc:
        import errno

        if exc.errno == errno.ELOOP:
            return "symlink loop"
    return "dangling symlink"


def _read(
    rel: str, path: Path, options: SiteOptions, zone: tzinfo
) -> tuple[_Page | None, str | None]:
    """The page as an episode candidate (None when it cannot be one), and its problem."""
    name = rel.rsplit("/", 1)[-1]
    try:
        raw = split_front_matter(rel, read_text(path, options.max_bytes))
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
    players.extend(notes.players)
    if not in_section and not players:
        return None, "; ".join(problems) or None
    # A page in a section always shows its first player; others wait for ``_finish``.
    player = players[0] if in_section and players else None
    episode = _episode(raw, url, in_section, zone, problems, notes, player)
    return _Page(episode, tuple(players), in_section), "; ".join(problems) or None


def _front_players(front: dict[str, Any]) -> Iterable[Player]:
    for key in PLAYER_KEYS:
        value = front.get(key)
        if isinstance(value, str) and value.strip():
            player = from_link(value)
            if player is not None:
                yield player


_TITLE_NUMBER = (
    re.compile(r"^[#＃]\s*(\d{1,6})\.?(?![0-9A-Za-z])"),
    re.compile(r"^第\s*(\d{1,6})\s*回"),
    re.compile(r"^(?:episode|ep)\.?\s*#?\s*(\d{1,6})\.?(?![0-9A-Za-z])", re.IGNORECASE),
)
_TITLE_SEPARATORS = " \t\u3000:：-–—|｜.、,"
_CATEGORY = re.compile(r"【([^】]+)】")
_NUMBER_KEYS = ("episode", "episode_number", "episodenumber")


def split_title(raw_title: str) -> tuple[int | None, str]:
    """``"#16 【GCP？】Kubeflow超概要"`` -> ``(16, "【GCP？】Kubeflow超概要")``."""
    text = raw_title.strip()
    for pattern in _TITLE_NUMBER:
        match = pattern.match(text)
        if match:
            rest = text[match.end() :].lstrip(_TITLE_SEPARATORS)
            return int(match.group(1)), rest or text
    return None, text


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
        if isinstance(value, str) and value.strip().lstrip("#").isdigit():
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
    "episodenumber "
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


# -- across pages --------------------------------------------------------------


def _player_key(player: Player) -> str:
    return player.player_url.rstrip("/").lower()


def _finish(page: _Page, taken: set[str]) -> Episode | None:
    """Pick the page's player; a page outside the sections needs one of its own."""
    if page.in_section:
        return page.episode  # its player is set already
    players = tuple(p for p in page.players if _player_key(p) not in taken)
    if not players:
        return None  # a blog post showing existing episodes
    first = players[0]
    return dataclasses.replace(page.episode, player_url=first.player_url, embed_url=first.embed_url)


def _duplicate_numbers(episodes: list[Episode]) -> dict[str, str]:
    by_number: dict[int, list[str]] = defaultdict(list)
    for episode in episodes:
        if episode.number is not None:
            by_number[episode.number].append(episode.path)
    reasons = {}
    for number, paths in by_number.items():
        if len(paths) > 1:
            first, *others = sorted(paths)
            for other in others:
                reasons[other] = f"episode number {number} is also used by {first}"
    return reasons


# Players of the podcast sections' pages, by (path, mtime, size): ``load_page`` needs
# them to tell a new episode posted on the blog from a post showing existing ones.
_PLAYER_CACHE: dict[tuple[str, int, int], tuple[str, ...]] = {}


def _section_players(root: Path, options: SiteOptions) -> set[str]:
    zone = ZoneInfo(options.timezone)
    keys: set[str] = set()
    for section in options.podcast_sections:
        folder = root / section.strip("/")
        if not folder.is_dir():
            continue
        for found in walk_pages(folder):
            if found.problem is not None:
                continue
            try:
                info = found.path.stat()
            except OSError:
                continue
            cache_key = (str(found.path), info.st_mtime_ns, info.st_size)
            if cache_key not in _PLAYER_CACHE:
                rel = f"{section.strip('/')}/{found.rel}"
                page, _ = _read(rel, found.path, options, zone)
                players = page.players if page is not None else ()
                _PLAYER_CACHE[cache_key] = tuple(_player_key(p) for p in players)
            keys.update(_PLAYER_CACHE[cache_key])
    return keys
