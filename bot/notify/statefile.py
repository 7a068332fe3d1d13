"""The state file as a file: refusing one the bot cannot use, copies before migrations,
and the operators' backup and restore.

A state file is refused at start (``StoreError``, one line naming the file and
what to do) when it is empty (0 bytes: its subscriptions and history are gone, so it
is never silently taken as new), when it cannot be written, or when its schema version
is not a number. Before a migration a copy is kept beside it, ``state.db.bak-<version>``
(an existing copy of that version is never overwritten). Copies are made with SQLite's
online backup, so they are consistent even while the WAL holds recent writes.

Pure core: no discord.
"""

from __future__ import annotations

import logging
import sqlite3
from contextlib import closing
from pathlib import Path

log = logging.getLogger(__name__)

BACKUP_SUFFIX = ".bak-"


class StoreError(Exception):
    """The state file cannot be used; the message names the file and what to do."""


def backup_path(path: Path, version: int) -> Path:
    """Where the copy made before migrating from ``version`` goes: state.db.bak-3."""
    return path.with_name(f"{path.name}{BACKUP_SUFFIX}{version}")


def newest_backup(path: Path) -> Path | None:
    """The most recently written ``state.db.bak-*`` beside ``path``, if any."""
    copies = [p for p in path.parent.glob(path.name + BACKUP_SUFFIX + "*") if p.is_file()]
    return max(copies, key=lambda p: p.stat().st_mtime_ns, default=None)


def restore_hint(path: Path) -> str:
    """What the operator can do about an unusable file, pointing at the newest copy."""
    copy = newest_backup(path)
    if copy is not None:
        return f"restore the newest backup with `python -m bot state restore {copy}`"
    return "restore a backup with `python -m bot state restore PATH`"


def refuse_empty(path: Path) -> None:
    """An existing 0-byte file is a lost state file, not a new one."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        return
    except OSError as exc:
        raise StoreError(f"{path}: cannot read the state file: {exc}") from exc
    if size == 0:
        raise StoreError(
            f"{path}: state file is empty (0 bytes): its subscriptions and announcement "
            f"history are gone; {restore_hint(path)}, or delete it to start afresh "
            "(the first start then announces nothing)"
        )


def copy_database(source: sqlite3.Connection, dest: Path) -> None:
    """A consistent copy of an open database into ``dest`` (replaced if it exists)."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    with closing(sqlite3.connect(dest)) as target:
        source.backup(target)
        target.execute("PRAGMA journal_mode = DELETE")  # one self-contained file


def backup(state: Path, dest: Path) -> None:
    """Copy the state file ``state`` to ``dest`` (``python -m bot state backup``)."""
    if not state.is_file():
        raise StoreError(f"{state}: no state file to back up")
    refuse_empty(state)
    try:
        with closing(sqlite3.connect(f"file:{state}?mode=ro", uri=True)) as conn:
            _check_is_state(conn, state)
            copy_database(conn, dest)
    except sqlite3.Error as exc:
        raise StoreError(f"{state}: cannot back up the state file to {dest}: {exc}") from exc


def restore(source: Path, state: Path) -> int:
    """Replace the state file with the copy ``source``; returns its schema version.

    The bot must be stopped: it keeps the file open while it runs.
    """
    if not source.is_file():
        raise StoreError(f"{source}: no such backup")
    refuse_empty(source)
    try:
        with closing(sqlite3.connect(f"file:{source}?mode=ro", uri=True)) as conn:
            version = _check_is_state(conn, source)
            copy_database(conn, state)
    except sqlite3.Error as exc:
        raise StoreError(f"{source}: cannot restore it into {state}: {exc}") from exc
    return version


def _check_is_state(conn: sqlite3.Connection, path: Path) -> int:
    try:
        row = conn.execute("SELECT version FROM schema_version").fetchone()
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"{path}: not a state file ({exc})") from exc
    value = row[0] if row else 0
    if not isinstance(value, int):
        raise StoreError(f"{path}: schema version {value!r} is not a number")
    return value
