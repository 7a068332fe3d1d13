"""Notice notes added, changed or deleted in the content folder while the bot runs.

The watcher keeps a snapshot of every note (path -> mtime, size, inode) and reports the
difference since the last call to ``changes()``. What triggers a fresh look:

- "events" mode: a background thread runs ``watchfiles.watch`` (inotify and friends)
  and only raises a flag; the next ``changes()`` call compares snapshots. Comparing
  snapshots instead of trusting event paths also covers a renamed or deleted folder.
- "polling" mode: every ``changes()`` call compares snapshots. Used when
  ``WATCH_POLL_SECONDS`` is set (network shares, containers on macOS) and as the
  fallback when the events thread cannot start or dies.

What counts as a note is the loader's rule (``bot.content.hugo.is_note_name``).
The caller (the notify cog) calls ``changes()`` on a timer and passes the paths to
``Catalog.refresh()``. Pure core: no discord.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Iterator
from contextlib import suppress
from pathlib import Path
from typing import Literal

from watchfiles import Change, watch

from bot.content.hugo import is_ignored_name, is_note_name

log = logging.getLogger(__name__)

Mode = Literal["events", "polling", "stopped"]
Snapshot = dict[str, tuple[int, int, int]]


def iter_notes(root: Path) -> Iterator[tuple[str, os.stat_result]]:
    """Every note under ``root``: (path relative to root with "/", stat)."""
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if not is_ignored_name(d)]
        for name in dirnames:  # a folder link (not followed) is reported as itself
            full = os.path.join(dirpath, name)
            if os.path.islink(full):
                with suppress(OSError):
                    yield Path(os.path.relpath(full, root)).as_posix(), os.lstat(full)
        for name in filenames:
            if not is_note_name(name):
                continue
            full = os.path.join(dirpath, name)
            try:
                st = os.stat(full)
            except OSError:  # a link loop or a dangling link: the link itself, to warn
                try:
                    st = os.lstat(full)
                except OSError:
                    continue  # deleted between listing and stat
            yield Path(os.path.relpath(full, root)).as_posix(), st


def snapshot(root: Path) -> Snapshot:
    return {rel: (st.st_mtime_ns, st.st_size, st.st_ino) for rel, st in iter_notes(root)}


def diff(old: Snapshot, new: Snapshot) -> set[str]:
    """Paths added, deleted or changed between two snapshots."""
    return {p for p in old.keys() | new.keys() if old.get(p) != new.get(p)}


class ContentWatcher:
    def __init__(self, root: Path, poll_seconds: float = 0.0, *, debounce_ms: int = 200):
        self.root = Path(root)
        self.poll_seconds = poll_seconds
        self.debounce_ms = debounce_ms
        self.mode: Mode = "stopped"
        self._snapshot: Snapshot = {}
        self._dirty = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> Mode:
        """Take the first snapshot and start watching; returns the mode in use."""
        self._snapshot = snapshot(self.root)
        self._stop.clear()
        if self.poll_seconds > 0:
            self.mode = "polling"
        elif not self.root.is_dir():
            log.warning("content folder %s does not exist yet: polling for it", self.root)
            self.mode = "polling"
        else:
            self.mode = "events"
            self._thread = threading.Thread(
                target=self._watch_events, name="content-watcher", daemon=True
            )
            self._thread.start()
        log.info("watching %s for note changes (%s)", self.root, self.mode)
        return self.mode

    def stop(self) -> None:
        self._stop.set()
        thread, self._thread = self._thread, None
        if thread is not None:
            thread.join(timeout=5)
        self.mode = "stopped"

    def retarget(self, root: Path) -> None:
        """Watch another folder (the git checkout after its first clone)."""
        running = self.mode != "stopped"
        self.stop()
        self.root = Path(root)
        if running:
            self.start()

    def changes(self) -> set[str]:
        """Notes changed since the last call (paths relative to the folder)."""
        if self.mode == "stopped":
            return set()
        if self.mode == "events" and not self._dirty.is_set():
            return set()
        self._dirty.clear()
        current = snapshot(self.root)
        changed = diff(self._snapshot, current)
        self._snapshot = current
        if changed:
            log.debug("content changes: %s", sorted(changed))
        return changed

    def _watch_events(self) -> None:
        try:
            for _batch in watch(
                self.root,
                watch_filter=self._relevant,
                debounce=self.debounce_ms,
                stop_event=self._stop,
                raise_interrupt=False,
                ignore_permission_denied=True,
            ):
                self._dirty.set()
        except Exception as exc:  # the OS refused (inotify limits, folder gone, ...)
            if not self._stop.is_set():
                log.warning("file events for %s failed (%s): polling instead", self.root, exc)
                self.mode = "polling"
                self._dirty.set()

    def _relevant(self, change: Change, path: str) -> bool:
        parts = Path(os.path.relpath(path, self.root)).parts
        if any(is_ignored_name(part) for part in parts):
            return False  # .git/, editor swap files, ...
        # A folder renamed or deleted counts too: its notes move with it.
        name = parts[-1] if parts else ""
        return is_note_name(name) or "." not in name
