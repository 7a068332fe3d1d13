"""Per-server settings kept in the state file: the reply language (``/settings language``).

A small table of its own (migration 4, ``guild_settings``) reached through the state
file's own ``Store`` (so it is created and migrated like the rest), opened on first
use. The language is used for mention replies and announcements in that server;
slash commands still follow each user's Discord locale. Pure core: no discord.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

from bot.notify.store import Store, StoreError

log = logging.getLogger(__name__)

LANGUAGES = ("ja", "en")


class GuildLanguages:
    """The language each server chose; ``None`` for a server that chose none."""

    def __init__(self, path: Path):
        self.path = path
        self._store: Store | None = None
        self._cache: dict[int, str | None] = {}
        self._broken = False

    def _open(self) -> Store | None:
        if self._store is None and not self._broken:
            try:
                self._store = Store.open(self.path)
            except StoreError as exc:
                self._broken = True
                log.warning("server languages unavailable: %s", exc)
        return self._store

    def get(self, guild_id: int) -> str | None:
        if guild_id in self._cache:
            return self._cache[guild_id]
        store = self._open()
        if store is None:
            return None
        with store.transaction() as conn:
            row = conn.execute(
                "SELECT lang FROM guild_settings WHERE guild_id = ?", (guild_id,)
            ).fetchone()
        value = row[0] if row and row[0] in LANGUAGES else None
        self._cache[guild_id] = value
        return value

    def set(self, guild_id: int, lang: str | None) -> None:
        """Store ``lang`` ("ja"/"en") for the server; ``None`` removes the choice."""
        if lang is not None and lang not in LANGUAGES:
            raise ValueError(f"unknown language {lang!r}")
        store = self._open()
        if store is None:
            raise StoreError(f"{self.path}: state file unavailable")
        with store.transaction() as conn:
            if lang is None:
                conn.execute("DELETE FROM guild_settings WHERE guild_id = ?", (guild_id,))
            else:
                conn.execute(
                    "INSERT INTO guild_settings (guild_id, lang, updated_at) VALUES (?, ?, ?) "
                    "ON CONFLICT (guild_id) DO UPDATE SET lang = excluded.lang, "
                    "updated_at = excluded.updated_at",
                    (guild_id, lang, time.time()),
                )
        self._cache[guild_id] = lang

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None
        self._cache.clear()
