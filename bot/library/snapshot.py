"""The start-up snapshot: a restart reads no unchanged note and rebuilds no index.

Two files in ``DATA_DIR/snapshot/`` (safe to delete; they are rebuilt):

* ``notes.msgpack``: every note as last read (size, mtime, content hash, and the page
  it gave or why not: ``bot.content.loader.ReadCache``) and the lexical index over the
  served episodes (``bot.search.SearchIndex.to_state``: postings, lengths, titles,
  vocabulary), with the three fields in which each indexed episode differs from its
  note's page (number, player), so the index is restored with the very episodes it
  was built from;
* ``readings.msgpack``: the reading index's Sudachi work (``bot.search.readings.
  ReadingMemo``), written by the background thread once the readings are built.

Embeddings are the third part, kept apart in ``DATA_DIR/vectors.db``
(``bot.search.vectors``): keyed by model id and passage text, so a warm restart embeds
nothing, whatever else changed.

Each file is a magic line, the length and hash of the rest, a header (format, what it
was made by and for) and the items, MessagePack objects read one by one: reading runs
no code (no pickle: the data folder may be a shared volume). Files are written to a
temporary name and moved in place (``os.replace``). A file that is missing is simply
absent; one that is corrupt, truncated, foreign, from another format or another version
of the code, or made for other settings or another content folder is ignored with one
warning naming it, and rebuilt: the snapshot is never a reason not to start.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import itertools
import logging
import os
import struct
import tempfile
import time
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import msgpack

from bot.content import SiteOptions, load_site
from bot.content.loader import NoteRead, ReadCache
from bot.models import Episode, LoadResult
from bot.parallel import gc_paused
from bot.search import SearchIndex
from bot.search.readings import ReadingMemo

log = logging.getLogger(__name__)

FORMAT = 3  # bump when the layout of the files changes
MAGIC = b"mukiudo-snapshot\n"
_SEAL = struct.Struct("<Q16s")  # length and hash of what follows
_HEAD = len(MAGIC) + _SEAL.size
_CHUNK = 1 << 20
_MAX_ITEM = 1 << 31  # the largest item read (a cap, not an allocation)
_BIG = 1 << 20  # a byte string this long is an item of its own (see _lift)
_BIN = 1  # MessagePack extension type: "the n-th byte string written after this item"
_BIN_HEAD = struct.Struct(">BI")  # MessagePack's bin 32 header
NOTES = "notes.msgpack"
READINGS = "readings.msgpack"
# The code a snapshot depends on: any change to how notes are read or indexed makes
# the snapshots written before it "an older version".
_CODE = ("content", "search", "models.py", "library/snapshot.py")


class SnapshotError(ValueError):
    """A snapshot file that cannot be used; ``str()`` says why."""


@dataclass(frozen=True, slots=True)
class SnapshotState:
    """Where the snapshot stands after a load, for ``check`` and ``doctor``."""

    path: Path
    phase: str  # "off", "absent", "used", "ignored", "written"
    detail: str = ""
    reused: int = 0  # notes of the last load taken from it
    read: int = 0  # notes of the last load read from disk
    size: int = 0  # bytes on disk
    written_at: float | None = None  # unix time the file in use was written

    def __str__(self) -> str:
        where = f"{self.path}"
        if self.phase == "off":
            return "off"
        size = f"{self.size / 1e6:.1f} MB"
        age = ""
        if self.written_at is not None:
            age = f", written {_age(time.time() - self.written_at)} ago"
        notes = f"{self.reused} notes from it, {self.read} read"
        if self.phase == "used":
            return f"used: {notes} ({where}, {size}{age})"
        if self.phase == "written":
            return f"written: {notes} ({where}, {size})"
        if self.phase == "ignored":
            return f"ignored: {self.detail}"
        return f"absent: {self.read} notes read ({where})"


@dataclass(frozen=True, slots=True)
class SavedNotes:
    """The notes part as read back: the cache of note reads, and the index state with
    what each indexed episode looked like."""

    reads: ReadCache
    index: dict[str, Any]
    served: list[tuple[int | None, str | None, str | None]]  # per indexed path
    written_at: float


class Snapshot:
    def __init__(
        self, folder: Path, content_dir: Path, options: SiteOptions, *, writable: bool = True
    ) -> None:
        """The snapshot in ``folder`` for ``content_dir`` read with ``options``;
        ``writable`` False (``check``, ``doctor``) reads it but never writes."""
        self.folder = Path(folder)
        self.writable = writable
        self.key = {
            "code": code_version(),
            "content": os.path.realpath(content_dir),
            "options": [getattr(options, f.name) for f in dataclasses.fields(options)],
        }
        self.state = SnapshotState(self.folder / NOTES, "absent")
        self._warned: set[str] = set()

    # -- the notes and the index ---------------------------------------------------

    def read_notes(self) -> SavedNotes | None:
        """The notes part, or None (absent; or unusable, with one warning). Read one
        note at a time, so the file is never held whole beside what it becomes."""
        path = self.folder / NOTES
        try:
            with self._reading(path) as items:
                if items is None:
                    return None
                written_at = float(next(items))
                count = int(next(items))
                reads = ReadCache.from_state(next(items) for _ in range(count))
                lifted = next(items)
                bins = [next(items) for _ in range(int(next(items)))]
                index = _drop(lifted, bins)
                served = [(n, p, e) for n, p, e in next(items)]
                if not isinstance(index, dict) or len(served) != len(index["paths"]):
                    raise SnapshotError("the index part does not add up")
        except SnapshotError as exc:
            self._ignore(path, str(exc))
            return None
        except Exception as exc:  # whatever a damaged file makes msgpack or a from_state raise
            self._ignore(path, f"unreadable ({type(exc).__name__}: {exc})")
            return None
        return SavedNotes(reads, index, served, written_at)

    def restore_index(
        self, saved: SavedNotes, before: Mapping[str, NoteRead], served: Mapping[str, Episode]
    ) -> tuple[SearchIndex, int] | None:
        """The saved index brought up to ``served`` (path -> episode, as served now):
        episodes gone or changed are taken out, new and changed ones put in. ``before``
        is the saved notes as they were read back. Returns the index and how many
        episodes it updated, or None (with one warning) when the state is unusable."""
        docs: list[Episode] = []
        stale: list[str] = []
        path = self.folder / NOTES
        try:
            for doc_path, (number, player, embed) in zip(
                saved.index["paths"], saved.served, strict=True
            ):
                note = before.get(doc_path)
                if note is None or note.page is None:
                    raise SnapshotError(f"the index holds {doc_path}, which no note gave")
                old = note.page.episode
                if (old.number, old.player_url, old.embed_url) != (number, player, embed):
                    old = dataclasses.replace(
                        old, number=number, player_url=player, embed_url=embed
                    )
                new = served.get(doc_path)
                if new is not None and (new is old or (new == old and new.extra == old.extra)):
                    docs.append(new)
                else:
                    docs.append(old)
                    stale.append(doc_path)
            index = SearchIndex.from_state(saved.index, docs)
        except (KeyError, TypeError, ValueError) as exc:
            self._ignore(path, f"unusable index ({type(exc).__name__}: {exc})")
            return None
        for doc_path in stale:
            index.remove(doc_path)
        fresh = [e for p, e in served.items() if p not in index]
        for episode in fresh:
            index.upsert(episode)
        return index, len(set(stale) | {e.path for e in fresh})

    def write_notes(self, reads: ReadCache, index: SearchIndex) -> bool:
        """Save the notes as read and the index (a failure costs a warning only);
        True when written."""
        state = index.to_state()
        served = []
        for doc_path in state["paths"]:
            episode = index.episode(doc_path)
            assert episode is not None
            served.append((episode.number, episode.player_url, episode.embed_url))
        bins: list[bytes] = []
        lifted = _lift(state, bins)
        del state  # its byte strings live on in bins, written as they are
        items = itertools.chain(
            (time.time(), len(reads)),
            reads.to_state(),
            (lifted, len(bins)),
            map(_Raw, bins),
            (served,),
        )
        return self._write(self.folder / NOTES, items, count=len(reads))

    def note_load(self, saved: SavedNotes | None, reads: ReadCache, wrote: bool) -> None:
        """Record how the last load went, for ``state``."""
        path = self.folder / NOTES
        size = _size(path)
        if wrote:
            phase = "written"
        elif saved is not None:
            phase = "used"
        else:
            phase = "ignored" if self.state.phase == "ignored" else "absent"
        self.state = SnapshotState(
            path,
            phase,
            self.state.detail if phase == "ignored" else "",
            reads.reused,
            reads.read,
            size,
            saved.written_at if saved is not None and not wrote else None,
        )

    # -- the readings ----------------------------------------------------------------

    def read_readings(self) -> ReadingMemo | None:
        path = self.folder / READINGS
        try:
            with self._reading(path) as items:
                if items is None:
                    return None
                next(items)  # when written
                return ReadingMemo.from_state(next(items))
        except SnapshotError as exc:
            self._ignore(path, str(exc))
        except Exception as exc:
            self._ignore(path, f"unusable readings ({type(exc).__name__}: {exc})")
        return None

    def write_readings(self, memo: ReadingMemo) -> bool:
        items = (time.time(), memo.to_state())
        return self._write(self.folder / READINGS, items, count=len(memo))

    # -- files -------------------------------------------------------------------------
    #
    # MAGIC, then the length and hash of everything after them (8 + 16 bytes), then a
    # header (format, and what the file was made by and for), then the items, each one
    # MessagePack object. The hash is checked, streaming, before anything is unpacked.

    @contextmanager
    def _reading(self, path: Path) -> Iterator[Iterator[Any] | None]:
        """The file's items after its header, one by one (None when there is no file).
        Raises ``SnapshotError`` for a file that is not a snapshot for this code and
        these settings, or is damaged."""
        try:
            fh = open(path, "rb")  # noqa: SIM115 - closed below, after the items are read
        except FileNotFoundError:
            yield None
            return
        except OSError as exc:
            raise SnapshotError(f"cannot be read ({exc})") from exc
        with fh:
            head = fh.read(_HEAD)
            if len(head) < _HEAD or not head.startswith(MAGIC):
                raise SnapshotError("not a snapshot file")
            length, digest = _SEAL.unpack(head[len(MAGIC) :])
            check = _hash()
            size = 0
            while chunk := fh.read(_CHUNK):
                check.update(chunk)
                size += len(chunk)
            if size != length or check.digest() != digest:
                raise SnapshotError("truncated or damaged (its length or hash does not match)")
            fh.seek(_HEAD)
            unpacker = msgpack.Unpacker(
                fh, use_list=False, raw=False, max_buffer_size=_MAX_ITEM, read_size=_CHUNK
            )
            self._check_header(next(unpacker))
            yield iter(unpacker)

    def _check_header(self, header: Any) -> None:
        if not isinstance(header, dict) or not isinstance(header.get("format"), int):
            raise SnapshotError("not a snapshot file")
        if header["format"] > FORMAT:
            raise SnapshotError(f"written in format {header['format']} by a newer version")
        if header["format"] < FORMAT:
            raise SnapshotError(f"written in format {header['format']} by an older version")
        made_for = header.get("key")
        if not isinstance(made_for, dict) or made_for.get("code") != self.key["code"]:
            raise SnapshotError("written by another version of the code")
        if made_for.get("content") != self.key["content"]:
            raise SnapshotError(f"made for another content folder ({made_for.get('content')})")
        if list(made_for.get("options", ())) != self.key["options"]:
            raise SnapshotError("made with other site settings")

    def _write(self, path: Path, items: Iterable[Any], count: int) -> bool:
        """Write ``items`` under a header to a temporary file, then move it in place."""
        if not self.writable:
            return False
        started = time.perf_counter()
        temp: str | None = None
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", dir=self.folder)
            with os.fdopen(fd, "wb") as fh:
                fh.write(bytes(_HEAD))  # the seal, written last
                packer = msgpack.Packer(use_bin_type=True)
                check = _hash()
                size = 0
                header = {"format": FORMAT, "key": self.key, "written_by": "mukiudo-bot"}
                for item in itertools.chain((header,), items):
                    if isinstance(item, _Raw):  # written as it is: no packed copy
                        parts: tuple[bytes, ...] = (_BIN_HEAD.pack(0xC6, len(item.data)), item.data)
                    else:
                        parts = (packer.pack(item),)
                    for data in parts:
                        fh.write(data)
                        check.update(data)
                        size += len(data)
                fh.seek(0)
                fh.write(MAGIC + _SEAL.pack(size, check.digest()))
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(temp, path)
            temp = None
        except (OSError, ValueError, TypeError) as exc:
            log.warning("could not write the snapshot %s (%s); the next start reads all", path, exc)
            return False
        finally:
            if temp is not None:
                with contextlib.suppress(OSError):
                    os.unlink(temp)
        self._warned.discard(str(path))
        log.info(
            "wrote the snapshot %s (%d items, %.1f MB) in %.2f s",
            path,
            count,
            (size + _HEAD) / 1e6,
            time.perf_counter() - started,
        )
        return True

    def _ignore(self, path: Path, why: str) -> None:
        if str(path) not in self._warned:
            self._warned.add(str(path))
            then = "rebuilt" if self.writable else "not used"
            log.warning("snapshot %s ignored and %s: %s", path, then, why)
        if path.name == NOTES:
            self.state = SnapshotState(path, "ignored", why)


@dataclass(frozen=True, slots=True)
class _Raw:
    """A byte string written as one MessagePack bin item, without a packed copy."""

    data: bytes


def _lift(value: Any, bins: list[bytes]) -> Any:
    """``value`` with each long byte string in it (in dicts, at any depth) replaced by
    its place in ``bins``, where it is put: the index's postings are tens of MB at
    10,000 notes, and packing them inside their dict made a copy of them all at once."""
    if isinstance(value, dict):
        return {k: _lift(v, bins) for k, v in value.items()}
    if isinstance(value, bytes) and len(value) >= _BIG:
        bins.append(value)
        return msgpack.ExtType(_BIN, struct.pack("<I", len(bins) - 1))
    return value


def _drop(value: Any, bins: list[bytes]) -> Any:
    """What ``_lift`` was given, from what it returned and the byte strings read."""
    if isinstance(value, dict):
        return {k: _drop(v, bins) for k, v in value.items()}
    if isinstance(value, msgpack.ExtType):
        if value.code != _BIN or len(value.data) != 4:
            raise SnapshotError("an unknown extension in the index part")
        return bins[struct.unpack("<I", value.data)[0]]
    return value


def load_notes(
    folder: Path, content_dir: Path, options: SiteOptions
) -> tuple[LoadResult, SnapshotState]:
    """``load_site`` with the notes of the snapshot in ``folder`` (never written), and
    how far it served: for ``check`` and ``doctor``, which look without changing."""
    snapshot = Snapshot(folder, content_dir, options, writable=False)
    saved = snapshot.read_notes()
    reads = saved.reads if saved is not None else ReadCache()
    with gc_paused():
        result = load_site(content_dir, options, reads)
    snapshot.note_load(saved, reads, wrote=False)
    return result, snapshot.state


def _hash() -> Any:
    return hashlib.blake2b(digest_size=16)


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _age(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    if seconds < 172800:
        return f"{seconds / 3600:.0f} h"
    return f"{seconds / 86400:.0f} days"


@cache
def code_version() -> str:
    """A hash of the source that reads and indexes notes: a snapshot written by other
    code is an older (or newer) version's and is not used."""
    package = Path(__file__).resolve().parent.parent
    digest = hashlib.blake2b(f"format {FORMAT}".encode(), digest_size=16)
    for part in _CODE:
        root = package / part
        files = sorted(root.rglob("*.py")) if root.is_dir() else [root]
        for file in files:
            digest.update(file.relative_to(package).as_posix().encode())
            try:
                digest.update(file.read_bytes())
            except OSError:
                digest.update(b"?")
    return digest.hexdigest()
