"""Hugo content folder -> episodes.

``load_site`` walks the folder as Hugo does (``bot.content.hugo``), reads each page
(``bot.content.page``) and decides which pages are episodes:

* ``_index.md`` section pages and ``headless`` pages never are;
* every page in a podcast section (first path segment in ``SiteOptions.podcast_sections``)
  is one;
* a page elsewhere is one when it embeds a player of its own: a blog post whose only
  players are those of episodes in the podcast sections just shows existing episodes.

Drafts, future and expired pages are kept with their dates; callers decide what to show.
A bad note never stops loading: it costs one ``LoadWarning`` naming the file and why.

A large site is read on all cores (``bot.parallel``), with the same result.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import os
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path, PurePosixPath
from typing import Any
from zoneinfo import ZoneInfo

from bot.content.hugo import (
    BUNDLE_INDEXES,
    PAGE_SUFFIXES,
    PageFile,
    content_hash,
    inside,
    walk_pages,
)
from bot.content.page import Page, SiteOptions, player_key, player_url_key, read_note, read_page
from bot.content.plain import page_plain, unpage
from bot.content.players import Player
from bot.models import Episode, LoadResult, LoadWarning
from bot.parallel import gc_paused, run_chunks

__all__ = ["NoteRead", "ReadCache", "SiteOptions", "load_page", "load_site"]

log = logging.getLogger(__name__)


# -- public API ----------------------------------------------------------------


def load_site(
    content_dir: Path, options: SiteOptions, cache: ReadCache | None = None
) -> LoadResult:
    """Every episode under ``content_dir``; never raises for a bad note.

    With a ``cache`` (what each note gave when last read), a note whose size and mtime,
    or else content hash, are unchanged is not read again; the cache is then updated to
    this load's notes.

    Raises ``FileNotFoundError`` / ``NotADirectoryError`` when the folder itself is
    missing or is not a folder.
    """
    root = _check_root(content_dir)
    found: list[PageFile] = []
    known = _Known(cache)
    hashed = cache is not None
    with gc_paused():
        done = run_chunks(
            _chunks(walk_pages(root), found, known),
            local=partial(_read_chunk, options=options, hashed=hashed),
            remote=partial(_read_packed, options=options, hashed=hashed),
            unpack=_unpack_chunk,
            min_chunks=-(-PARALLEL_MIN_PAGES // _CHUNK),
        )
    seen = len(found)
    warnings = {f.rel: f.problem for f in found if f.problem is not None}
    files = [f for f in found if f.problem is None]
    fresh = iter([read for chunk in done for read in chunk])
    reads = [known.reused.get(f.rel) or next(fresh) for f in files]
    known.settle(files, reads)
    pages: list[Page] = []
    for file, (page, problem, _) in zip(files, reads, strict=True):
        if problem:
            warnings[file.rel] = problem
        if page is not None:
            pages.append(page)
    taken = {player_key(p) for page in pages if page.in_section for p in page.players}
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
    content_dir: Path,
    rel_path: str,
    options: SiteOptions,
    *,
    section_players: Callable[[], Iterable[str]] | None = None,
) -> tuple[Episode | None, list[LoadWarning]]:
    """One note by its path relative to ``content_dir``: the episode (None when the file
    is gone or is not an episode) and the warnings it raised.

    ``section_players`` gives the player pages of the podcast sections' episodes (a
    caller holding them, the catalog, saves reading the sections again); it is asked
    only for a page outside the sections that has a player.
    """
    root = Path(content_dir)
    rel = PurePosixPath(rel_path.replace("\\", "/")).as_posix().lstrip("/")
    if os.path.islink(root / rel) and not rel.lower().endswith(PAGE_SUFFIXES):
        problem = _folder_link_problem(root, root / rel)  # a folder link added later
        return None, [LoadWarning(rel, problem)] if problem else []
    if not _is_page_path(root, rel):
        return None, []
    path = root / rel
    if not path.exists():
        if path.is_symlink():
            return None, [LoadWarning(rel, _broken_link_reason(path))]
        return None, []
    if not path.is_file():
        return None, []
    if not inside(os.path.realpath(root), path):
        return None, [LoadWarning(rel, "symlink points outside the content folder")]
    page, problem = read_page(rel, path, options, ZoneInfo(options.timezone))
    warnings = [LoadWarning(rel, problem)] if problem else []
    if page is None:
        return None, warnings
    taken: set[str] = set()
    if not page.in_section and page.players:
        if section_players is not None:
            taken = {player_url_key(url) for url in section_players()}
        else:
            taken = _section_players(root, options)
    return _finish(page, taken), warnings


# -- many pages ----------------------------------------------------------------

PARALLEL_MIN_PAGES = 500  # fewer notes are read in this process alone
_CHUNK = 32  # notes per task: small enough for all processes to finish together


def _chunks(
    walk: Iterable[PageFile], found: list[PageFile], known: _Known
) -> Iterator[list[tuple[str, str]]]:
    """The readable pages of ``walk`` that ``known`` does not hold, in chunks; every
    page, readable or not, goes to ``found`` as the walk meets it."""
    chunk: list[tuple[str, str]] = []
    for page in walk:
        found.append(page)
        if page.problem is None and not known.holds(page):
            chunk.append((page.rel, os.fspath(page.path)))  # str pickles faster
            if len(chunk) == _CHUNK:
                yield chunk
                chunk = []
    if chunk:
        yield chunk


# -- notes read before -----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NoteRead:
    """One note as last read: its size, mtime and content hash, and what it gave."""

    size: int
    mtime_ns: int
    digest: bytes
    page: Page | None
    problem: str | None


class ReadCache:
    """What each note gave when last read, by path relative to the content folder.

    After ``load_site(..., cache)`` it holds exactly that load's notes; ``reused`` and
    ``read`` say how many came from here and how many from the disk.
    """

    def __init__(self, notes: Mapping[str, NoteRead] | None = None) -> None:
        self.notes: dict[str, NoteRead] = dict(notes or {})
        self.reused = 0
        self.read = 0

    def __len__(self) -> int:
        return len(self.notes)

    def to_state(self) -> Iterator[list[Any]]:
        """Plain data (``bot.content.plain``), one note at a time, for a file that runs
        no code when read."""
        for rel, n in self.notes.items():
            page = page_plain(n.page) if n.page else None
            yield [rel, n.size, n.mtime_ns, n.digest, page, n.problem]

    @classmethod
    def from_state(cls, state: Iterable[Sequence[Any]]) -> ReadCache:
        """The cache ``to_state`` gave ``state`` for; raises ``ValueError`` (or
        ``TypeError``, ``KeyError``) for anything else."""
        notes = {}
        for rel, size, mtime_ns, digest, page, problem in state:
            if not isinstance(rel, str) or not isinstance(digest, bytes):
                raise ValueError("not a note read")
            notes[rel] = NoteRead(
                int(size), int(mtime_ns), digest, unpage(page) if page else None, problem
            )
        return cls(notes)


def note_digest(path: str | os.PathLike[str]) -> bytes:
    """The content hash a ``ReadCache`` compares a note by (``hugo.content_hash``), for a
    note whose size is unchanged but whose mtime is not: touched, or edited?"""
    with open(path, "rb") as fh:
        return hashlib.file_digest(fh, content_hash).digest()


class _Known:
    """One load's use of a ``ReadCache`` (none: every note is read).

    A note is read once: a new note, or one whose size changed, is hashed from the
    bytes it is parsed from (``read_note``); only a note of the same size with another
    mtime is hashed first, to tell a touched note (not read again) from an edited one."""

    def __init__(self, cache: ReadCache | None) -> None:
        self.cache = cache
        self.reused: dict[str, _Read] = {}
        self._signs: dict[str, tuple[int, int]] = {}

    def holds(self, page: PageFile) -> bool:
        """Whether the cache holds ``page`` as it is on disk now (else its size and
        mtime are noted for the cache, taken before it is read)."""
        if self.cache is None:
            return False
        before = self.cache.notes.get(page.rel)
        try:
            size, mtime = page.size, page.mtime_ns
            if size < 0:
                info = os.stat(page.path)
                size, mtime = info.st_size, info.st_mtime_ns
            self._signs[page.rel] = (size, mtime)
            if before is None or before.size != size:
                return False  # new, or changed: hashed as it is read
            if before.mtime_ns != mtime and note_digest(page.path) != before.digest:
                return False
        except OSError:  # gone meanwhile: read it and let it say so; read again next time
            self._signs[page.rel] = (-1, -1)
            return False
        self.reused[page.rel] = (before.page, before.problem, before.digest)
        return True

    def settle(self, files: list[PageFile], reads: list[_Read]) -> None:
        """Make the cache this load's notes."""
        if self.cache is None:
            return
        notes = {}
        for file, (page, problem, digest) in zip(files, reads, strict=True):
            size, mtime = self._signs[file.rel]
            notes[file.rel] = NoteRead(size, mtime, digest, page, problem)
        self.cache.notes = notes
        self.cache.reused = len(self.reused)
        self.cache.read = len(files) - len(self.reused)


_Read = tuple[Page | None, str | None, bytes]  # the page, its problem, its content hash
_Packed = tuple[list[Any] | None, str | None, bytes]


def _read_chunk(chunk: list[tuple[str, str]], options: SiteOptions, hashed: bool) -> list[_Read]:
    zone = ZoneInfo(options.timezone)
    if hashed:
        return [read_note(rel, path, options, zone) for rel, path in chunk]
    return [(*read_page(rel, path, options, zone), b"") for rel, path in chunk]


def _read_packed(
    chunk: list[tuple[str, str]], options: SiteOptions, hashed: bool
) -> list[_Packed]:
    """``_read_chunk`` in a worker process: pages as plain lists (``bot.content.plain``),
    which pickle several times faster than frozen dataclasses."""
    return [
        (page_plain(page) if page else None, problem, digest)
        for page, problem, digest in _read_chunk(chunk, options, hashed)
    ]


def _unpack_chunk(packed: list[_Packed]) -> list[_Read]:
    return [
        (unpage(page) if page is not None else None, problem, digest)
        for page, problem, digest in packed
    ]


# -- paths ---------------------------------------------------------------------


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


def _folder_link_problem(root: Path, link: Path) -> str | None:
    """What the full walk would say about a link to a folder, or None for a fine one."""
    try:
        link.stat()
    except OSError:
        return _broken_link_reason(link)
    real_root = os.path.realpath(root)
    if not inside(real_root, link):
        return "symlink points outside the content folder"
    target = os.path.realpath(link)
    if inside(target, link.parent):
        return "symlink loop: links back to a folder above it"
    return None


def _broken_link_reason(path: Path) -> str:
    try:
        path.stat()
    except OSError as exc:
        import errno

        if exc.errno == errno.ELOOP:
            return "symlink loop"
    return "dangling symlink"


# -- across pages --------------------------------------------------------------


def _finish(page: Page, taken: set[str]) -> Episode | None:
    """Pick the page's player; a page outside the sections needs one of its own."""
    if page.in_section:
        return page.episode  # its player is set already
    players = tuple(p for p in page.players if player_key(p) not in taken)
    if not players:
        return None  # a blog post showing existing episodes
    first = players[0]
    return dataclasses.replace(page.episode, player_url=first.player_url, embed_url=first.embed_url)


def _duplicate_numbers(episodes: list[Episode]) -> dict[str, str]:
    """Read alone (no state), the older note keeps a shared number."""
    return {
        loser: duplicate_reason(number, owner)
        for loser, (number, owner) in number_owners(episodes, Episode.oldest_first_key).items()
    }


def number_owners(
    episodes: Iterable[Episode], order: Callable[[Episode], Any]
) -> dict[str, tuple[int, str]]:
    """Notes that share a number: {ignored note: (number, the note that keeps it)}.

    ``order`` sorts the notes that share a number, first = the one that had it first
    (the catalog: first seen by the state file, then arrival, then the older date).
    """
    by_number: dict[int, list[Episode]] = defaultdict(list)
    for episode in episodes:
        if episode.number is not None:
            by_number[episode.number].append(episode)
    out: dict[str, tuple[int, str]] = {}
    for number, group in by_number.items():
        if len(group) > 1:
            owner, *others = sorted(group, key=order)
            for other in others:
                out[other.path] = (number, owner.path)
    return out


_DUPLICATE_MARK = "is also used by"


def without_duplicate_reason(reason: str) -> str:
    """A warning's reason without the duplicate-number part (the catalog, which knows
    the first-seen order, writes its own)."""
    parts = [
        p
        for p in reason.split("; ")
        if not (p.startswith("episode number ") and _DUPLICATE_MARK in p)
    ]
    return "; ".join(parts)


def duplicate_reason(number: int, owner: str) -> str:
    """The warning on the ignored note, naming both notes."""
    return (
        f"episode number {number} {_DUPLICATE_MARK} {owner}, which keeps it (it had the "
        "number first): this note is ignored for that number"
    )


# Players of the podcast sections' pages, by path, with the (mtime, size) they were read
# at: ``load_page`` without ``section_players`` needs them to tell a new episode posted
# on the blog from a post showing existing ones; a later call reads only the section
# pages changed since.
_PLAYER_CACHE: dict[str, tuple[int, int, tuple[str, ...]]] = {}


def _remember_players(path: Path, players: Iterable[Player]) -> None:
    try:
        info = path.stat()
    except OSError:
        return
    _PLAYER_CACHE[str(path)] = (info.st_mtime_ns, info.st_size, tuple(map(player_key, players)))


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
            cached = _PLAYER_CACHE.get(str(found.path))
            if cached is None or cached[:2] != (info.st_mtime_ns, info.st_size):
                rel = f"{section.strip('/')}/{found.rel}"
                page, _ = read_page(rel, found.path, options, zone)
                _remember_players(found.path, page.players if page is not None else ())
                cached = _PLAYER_CACHE.get(str(found.path))
            if cached is not None:
                keys.update(cached[2])
    return keys
