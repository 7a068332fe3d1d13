"""The on-disk cache of passage vectors: a restart embeds nothing it has seen.

One SQLite file (``DATA_DIR/vectors.db`` by default): rows of (model id, text hash,
float32 bytes). Reading it runs no code (no pickle: the data folder may be a shared
volume). A file that is not a readable cache (corrupt, truncated, another program's) is
moved aside with one warning and started afresh: the cache is never a reason not to
search.

Beside it, ``vectors.pack.npz`` holds the last index's matrix whole, with its keys
(``keep``): a restart reads one array instead of tens of thousands of rows (56,000
vectors: 2.9 s from SQLite, a fraction of that from the pack). It is written again
only when it lacks more than a few of the index's vectors, not after every edit. A vector is a pure
function of its key and model, so a pack can be incomplete but never wrong: what it
lacks comes from SQLite. A pack that cannot be read is ignored with one warning and
written again. The matrix kept is the index's own array, so rebuilding the index after
a note changed costs no disk reads and no second copy of the vectors.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
import zipfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)

SCHEMA = """
CREATE TABLE IF NOT EXISTS vectors (
    model TEXT NOT NULL,
    key TEXT NOT NULL,
    dim INTEGER NOT NULL,
    data BLOB NOT NULL,
    PRIMARY KEY (model, key)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
"""
FORMAT = "mukiudo-vectors-1"
PACK_SUFFIX = ".pack.npz"
STALE_PACK = 200  # vectors the pack file may lack (or 1 in 20) before it is written again


class _Pack:
    """One model's matrix and the row of each key in it."""

    def __init__(self, model_id: str, keys: Sequence[str], matrix: np.ndarray) -> None:
        self.model_id = model_id
        self.rows = {key: i for i, key in enumerate(keys)}
        self.matrix = matrix

    def get(self, key: str) -> np.ndarray | None:
        row = self.rows.get(key)
        return self.matrix[row] if row is not None else None


class VectorCache:
    def __init__(self, path: Path | None) -> None:
        """``path`` None keeps vectors in memory only (tests, ``ask``)."""
        self.path = Path(path) if path is not None else None
        self._memory: dict[tuple[str, str], np.ndarray] = {}
        self._lock = threading.Lock()
        self._db: sqlite3.Connection | None = None
        self.problem: str | None = None  # why the file was set aside, if it was
        self._pack: _Pack | None = None
        self._pack_read = self.path is None  # nothing to read without a file
        self._on_disk: frozenset[str] = frozenset()  # the keys of the pack file
        self._on_disk_model = ""
        if self.path is not None:
            self._db = self._open(self.path)

    @property
    def pack_path(self) -> Path | None:
        return self.path.with_name(self.path.name + PACK_SUFFIX) if self.path else None

    def _packed(self, model_id: str) -> _Pack | None:
        """The pack of ``model_id``: the one kept, or the file's on first use."""
        if not self._pack_read:
            self._pack_read = True
            self._pack = self._read_pack()
            if self._pack is not None:
                self._on_disk = frozenset(self._pack.rows)
                self._on_disk_model = self._pack.model_id
        pack = self._pack
        return pack if pack is not None and pack.model_id == model_id else None

    def _read_pack(self) -> _Pack | None:
        path = self.pack_path
        if path is None or not path.exists():
            return None
        try:
            with np.load(path, allow_pickle=False) as data:
                model = bytes(data["model"]).decode("utf-8")
                keys = [k.decode("ascii") for k in data["keys"].tolist()]
                matrix = np.ascontiguousarray(data["matrix"], dtype=np.float32)
            if matrix.ndim != 2 or len(keys) != matrix.shape[0]:
                raise ValueError(f"{len(keys)} keys for a matrix of shape {matrix.shape}")
        except (OSError, EOFError, ValueError, KeyError, UnicodeError, zipfile.BadZipFile) as exc:
            log.warning("vector pack %s unreadable (%s): read from %s", path, exc, self.path)
            return None
        return _Pack(model, keys, matrix)

    def keep(self, model_id: str, keys: Sequence[str], matrix: np.ndarray) -> None:
        """Hold ``matrix`` (row i: the vector of ``keys[i]``) as this model's vectors,
        and write it as the pack when the pack on disk lacks more than a few of them
        (``STALE_PACK``): an edited note's new passages are read from SQLite on the next
        restart rather than the whole matrix written again after every edit."""
        with self._lock:
            self._packed(model_id)  # the file's pack, read once, tells what is on disk
            on_disk = self._on_disk if self._on_disk_model == model_id else frozenset()
            self._pack = _Pack(model_id, keys, matrix)
            self._memory = {k: v for k, v in self._memory.items() if k[0] != model_id}
            path = self.pack_path
            lacking = sum(1 for k in keys if k not in on_disk)
            if path is None or (on_disk and lacking <= max(STALE_PACK, len(keys) // 20)):
                return
            temporary = path.with_name(path.name + ".tmp")
            try:
                with temporary.open("wb") as out:
                    np.savez(
                        out,
                        model=np.frombuffer(model_id.encode("utf-8"), dtype=np.uint8),
                        keys=np.array(keys, dtype="S"),
                        matrix=matrix,
                    )
                os.replace(temporary, path)
                self._on_disk, self._on_disk_model = frozenset(keys), model_id
            except OSError as exc:  # full disk, read-only: SQLite still has every vector
                log.warning("vector pack %s not written (%s)", path, exc)
                temporary.unlink(missing_ok=True)

    def _open(self, path: Path) -> sqlite3.Connection | None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            return self._connect(path)
        except (sqlite3.DatabaseError, ValueError) as exc:
            aside = path.with_name(path.name + ".corrupt")
            self.problem = f"{path} was not a readable vector cache ({exc}); rebuilt"
            log.warning("%s; the old file is kept as %s", self.problem, aside.name)
            try:
                path.replace(aside)
                return self._connect(path)
            except (OSError, sqlite3.DatabaseError) as again:
                log.warning("vector cache %s unusable (%s): vectors stay in memory", path, again)
                return None
        except OSError as exc:
            self.problem = f"{path} cannot be opened ({exc}); vectors stay in memory"
            log.warning("vector cache %s", self.problem)
            return None

    @staticmethod
    def _connect(path: Path) -> sqlite3.Connection:
        db = sqlite3.connect(path, check_same_thread=False, timeout=2.0)
        try:
            db.executescript(SCHEMA)
            row = db.execute("SELECT value FROM meta WHERE name = 'format'").fetchone()
            if row is None:
                db.execute("INSERT INTO meta VALUES ('format', ?)", (FORMAT,))
                db.commit()
            elif row[0] != FORMAT:
                raise ValueError(f"format {row[0]!r}, expected {FORMAT!r}")
            db.execute("SELECT count(*) FROM vectors").fetchone()
        except BaseException:
            db.close()
            raise
        return db

    def get_many(self, model_id: str, keys: Sequence[str]) -> dict[str, np.ndarray]:
        with self._lock:
            found = {k: v for k in keys if (v := self._memory.get((model_id, k))) is not None}
            pack = self._packed(model_id)
            if pack is not None:
                for key in keys:
                    if key not in found and (v := pack.get(key)) is not None:
                        found[key] = v
            missing = [k for k in keys if k not in found]
            if missing and self._db is not None:
                try:
                    for at in range(0, len(missing), 500):
                        chunk = missing[at : at + 500]
                        marks = ",".join("?" * len(chunk))
                        sql = "SELECT key, dim, data FROM vectors WHERE model = ? AND key IN "
                        rows = self._db.execute(f"{sql}({marks})", (model_id, *chunk))
                        for key, dim, data in rows:
                            vector = np.frombuffer(data, dtype=np.float32)
                            if vector.shape != (dim,):
                                continue  # a damaged row: embedded again
                            self._memory[(model_id, key)] = vector
                            found[key] = vector
                except sqlite3.DatabaseError as exc:
                    log.warning("vector cache %s unreadable (%s): embedding again", self.path, exc)
            return found

    def put_many(self, model_id: str, items: Sequence[tuple[str, np.ndarray]]) -> None:
        with self._lock:
            for key, vector in items:
                self._memory[(model_id, key)] = np.asarray(vector, dtype=np.float32)
            if self._db is None or not items:
                return
            rows = [
                (model_id, key, int(v.shape[0]), np.asarray(v, dtype=np.float32).tobytes())
                for key, v in items
            ]
            try:
                self._db.executemany("INSERT OR REPLACE INTO vectors VALUES (?, ?, ?, ?)", rows)
                self._db.commit()
            except sqlite3.DatabaseError as exc:  # full disk, read-only: keep them in memory
                log.warning("vector cache %s not written (%s)", self.path, exc)

    def count(self, model_id: str) -> int:
        with self._lock:
            if self._db is None:
                pack = self._packed(model_id)
                held = {k for m, k in self._memory if m == model_id}
                return len(held | set(pack.rows)) if pack is not None else len(held)
            try:
                row = self._db.execute(
                    "SELECT count(*) FROM vectors WHERE model = ?", (model_id,)
                ).fetchone()
                return int(row[0])
            except sqlite3.DatabaseError:
                return 0

    def close(self) -> None:
        with self._lock:
            if self._db is not None:
                self._db.close()
                self._db = None
