"""How Hugo sees a content folder: which files are pages, their front matter, their URLs.

Pure functions over the file system; nothing here knows what an episode is. Problems
with one file raise ``PageError`` with a reason meant for the person who wrote it.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import stat
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, tzinfo
from pathlib import Path
from typing import Any
from urllib.parse import quote

import frontmatter
import yaml

from bot.content.frontmatter import load_yaml

log = logging.getLogger(__name__)

PAGE_SUFFIXES = (".md", ".markdown")
BUNDLE_INDEXES = ("index.md", "index.markdown")
BRANCH_INDEXES = ("_index.md", "_index.markdown")


class PageError(Exception):
    """One file cannot be read as a page; ``str()`` is the reason."""


@dataclass(frozen=True, slots=True)
class PageFile:
    """A Markdown file Hugo would render, or a problem met on the way to it."""

    rel: str  # POSIX path relative to the content folder
    path: Path
    problem: str | None = None  # symlink loop, dangling link, unreadable folder
    size: int = -1  # as the walk found it (-1: not known)
    mtime_ns: int = -1


@dataclass(frozen=True, slots=True)
class RawPage:
    rel: str
    front: dict[str, Any]  # keys lower-cased, as Hugo matches them
    body: str
    body_line: int = 1  # line number of the body's first line in the file
    problems: tuple[str, ...] = field(default=())


# -- walking -------------------------------------------------------------------


def is_ignored_name(name: str) -> bool:
    """A file or folder Hugo skips: hidden (``.git``), ``#`` autosaves, ``~`` backups."""
    return name.startswith((".", "#")) or name.endswith("~")


def is_note_name(name: str) -> bool:
    """Whether a file of that name is a note (a Markdown page), wherever it sits."""
    return not is_ignored_name(name) and name.lower().endswith(PAGE_SUFFIXES)


def walk_pages(content_dir: Path) -> Iterator[PageFile]:
    """Every page file under ``content_dir`` in sorted order, as Hugo sees the tree.

    A folder holding ``index.md`` is a leaf bundle: its other files are resources, not
    pages. Symbolic links are followed once; a link back into a folder already being
    walked, a link loop and a dangling link are reported as problems.
    """
    root = Path(content_dir)
    start = root.stat()
    yield from _walk(root, root, "", {(start.st_dev, start.st_ino)}, os.path.realpath(root))


def inside(real_root: str, path: str | os.PathLike[str]) -> bool:
    """Whether ``path``, links resolved, lies in the folder whose real path is ``real_root``.
    A link out of the content folder (to ``/etc``, a secrets file...) is never read."""
    real = os.path.realpath(path)
    return real == real_root or real.startswith(real_root.rstrip(os.sep) + os.sep)


def _walk(
    root: Path, folder: Path, prefix: str, active: set[tuple[int, int]], real_root: str
) -> Iterator[PageFile]:
    """``prefix``: the folder's path relative to ``root`` with a trailing ``/``, or ``""``."""
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError as exc:
        rel = folder.relative_to(root).as_posix()
        yield PageFile(rel, folder, f"folder not readable: {exc.strerror or exc}")
        return
    names = {e.name for e in entries}
    leaf = next((n for n in BUNDLE_INDEXES if n in names), None)
    for entry in entries:
        name = entry.name
        if is_ignored_name(name):
            continue
        if leaf is not None and name != leaf:
            continue  # bundle resources
        rel = prefix + name
        try:
            info = os.stat(entry.path)
        except OSError as exc:
            if not is_note_name(name) and not entry.is_symlink():
                continue
            reason = "symlink loop" if _is_loop(exc) else "dangling symlink"
            if not entry.is_symlink():
                reason = f"not readable: {exc.strerror or exc}"
            yield PageFile(rel, Path(entry.path), reason)
            continue
        if entry.is_symlink() and not inside(real_root, entry.path):
            if stat.S_ISDIR(info.st_mode) or is_note_name(name):
                yield PageFile(rel, Path(entry.path), "symlink points outside the content folder")
            continue
        if stat.S_ISDIR(info.st_mode):
            key = (info.st_dev, info.st_ino)
            if key in active:
                yield PageFile(
                    rel, Path(entry.path), "symlink loop: links back to a folder above it"
                )
                continue
            yield from _walk(root, Path(entry.path), rel + "/", active | {key}, real_root)
        elif stat.S_ISREG(info.st_mode) and is_note_name(name):
            yield PageFile(rel, Path(entry.path), None, info.st_size, info.st_mtime_ns)


def _is_loop(exc: OSError) -> bool:
    import errno

    return exc.errno == errno.ELOOP


# -- reading -------------------------------------------------------------------


def read_bytes(path: str | os.PathLike[str], max_bytes: int) -> bytes:
    """The file's bytes; raises ``PageError`` for a file over ``max_bytes`` or one that
    cannot be read."""
    try:
        size = os.stat(path).st_size
        if size > max_bytes:
            raise PageError(f"file too large ({size:,} bytes, limit {max_bytes:,}); skipped")
        with open(path, "rb") as fh:
            data = fh.read(size + 1)  # not max_bytes + 1: that buffer would be allocated
            if len(data) > size:  # grown since stat
                data += fh.read(max_bytes + 1 - len(data))
    except OSError as exc:
        if _is_loop(exc):
            raise PageError("symlink loop") from None
        raise PageError(f"not readable: {exc.strerror or exc}") from None
    if len(data) > max_bytes:
        raise PageError(f"file too large (over {max_bytes:,} bytes); skipped")
    return data


def decode_text(data: bytes) -> str:
    """A note's bytes as text; raises ``PageError`` for binary, empty or non-UTF-8 ones."""
    if b"\x00" in data:
        raise PageError("binary file (NUL bytes), not a Markdown note; skipped")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise PageError(f"not UTF-8 (bad byte at line {line}); skipped") from None
    if not text or text.isspace():
        raise PageError("empty file; skipped")
    return text


def content_hash(data: bytes = b"") -> Any:
    """The hash a note's content is compared by (``hashlib`` object: ``.digest()``)."""
    return hashlib.blake2b(data, digest_size=16)


class _YamlHandler(frontmatter.YAMLHandler):
    """``---`` fences, read by ``bot.frontmatter.load_yaml`` (PyYAML's values, faster)."""

    FM_BOUNDARY = re.compile(r"^(?:---|\.\.\.)[ \t]*\r?$", re.MULTILINE)

    def detect(self, text: str) -> bool:
        return re.match(r"---[ \t]*\r?$", text, re.MULTILINE) is not None

    def load(self, fm: str, **kwargs: object) -> Any:
        return load_yaml(fm)


class _TomlHandler(frontmatter.default_handlers.BaseHandler):
    """``+++`` fences, read by the standard library's tomllib."""

    FM_BOUNDARY = re.compile(r"^\+\+\+[ \t]*\r?$", re.MULTILINE)
    START_DELIMITER = END_DELIMITER = "+++"

    def load(self, fm: str, **kwargs: object) -> Any:
        return tomllib.loads(fm)


class _JsonHandler(frontmatter.JSONHandler):
    """Hugo's JSON front matter: one object at the very start, the body right after it
    (python-frontmatter's own JSON handler wants its braces on lines of their own)."""

    FM_BOUNDARY = re.compile(r"^\{")

    def split(self, text: str) -> tuple[str, str]:
        _, end = json.JSONDecoder().raw_decode(text)
        return text[:end], text[end:].lstrip("\r\n")


_HANDLERS = {"YAML": _YamlHandler(), "TOML": _TomlHandler(), "JSON": _JsonHandler()}


def split_front_matter(rel: str, text: str) -> RawPage:
    """Front matter (YAML ``---``, TOML ``+++`` or JSON ``{``) and the body after it.

    python-frontmatter finds and splits the front matter; its handlers here read it
    with the loaders Hugo's formats need and report problems with their line.
    """
    head = text.lstrip("\ufeff")
    kind = next((k for k, h in _HANDLERS.items() if h.detect(head)), None)
    if kind is None:
        return RawPage(rel, {}, head, 1)
    handler = _HANDLERS[kind]
    try:
        source, body = handler.split(head)
    except json.JSONDecodeError as exc:
        raise PageError(
            f"broken JSON front matter: line {exc.lineno}: {exc.msg}; skipped"
        ) from None
    except ValueError:  # the split found no closing fence
        fence = handler.START_DELIMITER
        raise PageError(f"{kind} front matter is never closed with {fence!r}; skipped") from None
    if kind != "JSON":  # the lines between the fence lines; the body after the closing one
        source = source.removeprefix("\n").removesuffix("\n")
        body = body.removeprefix("\n")
    body_line = head.count("\n", 0, len(head) - len(body)) + 1
    try:
        data = handler.load(source)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 2}: " if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise PageError(f"broken YAML front matter: {where}{problem}; skipped") from None
    except tomllib.TOMLDecodeError as exc:
        raise PageError(f"broken TOML front matter: {exc}; skipped") from None
    except (ValueError, OverflowError, RecursionError) as exc:  # e.g. date: 2021-02-30
        raise PageError(f"broken {kind} front matter: {exc}; skipped") from None
    return _page(rel, data, body, body_line, kind)


def _page(rel: str, data: object, body: str, body_line: int, kind: str) -> RawPage:
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise PageError(f"{kind} front matter is a {type(data).__name__}, not a mapping; skipped")
    front = {str(k).lower(): v for k, v in data.items()}
    return RawPage(rel, front, body, body_line)


# -- values --------------------------------------------------------------------

_DATE_FORMATS = (
    "%Y-%m-%d %H:%M:%S %z",
    "%Y-%m-%d %H:%M %z",
    "%Y-%m-%d %H:%M:%S%z",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y/%m/%d",
    "%d %b %Y",
    "%B %d, %Y",
    "%a, %d %b %Y %H:%M:%S %z",
)


def parse_date(value: object, zone: tzinfo) -> datetime | None:
    """A front matter date as an aware datetime; ``None`` when absent.

    Naive values get ``zone``; a date alone is midnight in ``zone``. Raises
    ``ValueError`` when the value is there but is not a date.
    """
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return _in_range(value if value.tzinfo is not None else value.replace(tzinfo=zone))
    if isinstance(value, date):
        return _in_range(datetime.combine(value, time(), tzinfo=zone))
    if not isinstance(value, str):
        raise ValueError(f"{value!r} is not a date")
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    parsed: datetime | None = None
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        for fmt in _DATE_FORMATS:
            try:
                parsed = datetime.strptime(text, fmt)
                break
            except ValueError:
                continue
    if parsed is None:
        raise ValueError(f"{value!r} is not a date")
    return _in_range(parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=zone))


def _in_range(moment: datetime) -> datetime | None:
    """``None`` for Hugo's zero date (year 1: "no date"); ``ValueError`` for a moment
    that cannot be compared with others (it overflows when converted to UTC)."""
    if moment.year <= 1:
        return None
    try:
        moment.astimezone(UTC)
    except OverflowError:
        raise ValueError(f"{moment.isoformat()} is out of range") from None
    return moment


def as_text_list(value: object) -> tuple[str, ...]:
    """Front matter ``authors``/``tags``: a list of strings, or one string."""
    if value is None:
        return ()
    if isinstance(value, str):
        return (value.strip(),) if value.strip() else ()
    if isinstance(value, list | tuple):
        return tuple(str(v).strip() for v in value if v is not None and str(v).strip())
    return (str(value),)


def as_bool(value: object) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("true", "yes", "on", "1")
    return bool(value)


# -- URLs ----------------------------------------------------------------------


def _urlize(segment: str) -> str:
    return "-".join(segment.strip().lower().split())


def page_url(rel: str, front: dict[str, Any], base_url: str) -> str:
    """Hugo's default permalink for the page, on ``base_url``.

    ``podcast/0016/index.md`` -> ``podcast/0016/``, ``post/foo.md`` -> ``post/foo/``;
    front matter ``slug`` replaces the last segment and ``url`` the whole path.
    """
    base = base_url if base_url.endswith("/") else base_url + "/"
    url = front.get("url")
    if isinstance(url, str) and url.strip():
        url = url.strip()
        if url.startswith(("http://", "https://")):
            return url
        return base + quote(url.lstrip("/"), safe="/-._~%#?=&")
    parts = rel.split("/")
    name = parts[-1]
    if name in BUNDLE_INDEXES or name in BRANCH_INDEXES:
        segments = parts[:-1]
    else:
        segments = [*parts[:-1], name.rsplit(".", 1)[0]]
    slug = front.get("slug")
    if isinstance(slug, str | int) and str(slug).strip() and segments:
        segments[-1] = str(slug)
    path = "/".join(_urlize(s) for s in segments if s)
    return base + quote(path + "/" if path else "", safe="/-._~")


def heading_anchor(text: str, seen: set[str]) -> str:
    """Hugo's goldmark heading id (``autoHeadingIDType = "github"``), unique per page."""
    anchor = _anchor(text)
    candidate, count = anchor, 0
    while candidate in seen:
        count += 1
        candidate = f"{anchor}-{count}"
    seen.add(candidate)
    return candidate


class _AnchorChars(dict[int, str | None]):
    """``str.translate`` table for heading ids, filled in as characters turn up."""

    def __missing__(self, code: int) -> str | None:
        char = chr(code)
        if char in "- \t":
            value: str | None = "-"
        elif char.isalpha() or char.isdecimal() or char == "_":  # Go's IsLetter/IsDigit
            value = char.lower()
        else:
            value = None
        if len(self) < 65_536:
            self[code] = value
        return value


_ANCHOR_CHARS = _AnchorChars()


def _anchor(text: str) -> str:
    return text.strip().translate(_ANCHOR_CHARS) or "heading"


_FOLDER_NUMBER = re.compile(r"^(?:ep(?:isode)?[-_.]?)?0*(\d{1,6})$", re.IGNORECASE)


def folder_number(rel: str) -> int | None:
    """``podcast/0016/index.md`` -> 16 (also ``podcast/0016.md``, ``podcast/ep16/``)."""
    parts = rel.split("/")
    name = parts[-1]
    stem = parts[-2] if name in BUNDLE_INDEXES and len(parts) > 1 else name.rsplit(".", 1)[0]
    match = _FOLDER_NUMBER.match(stem)
    return int(match.group(1)) if match else None
