"""The state file's schema (numbered migrations) and the rows it holds, as frozen models.

Pure core: no discord. ``bot.store.Store`` applies ``MIGRATIONS`` and returns these
models; times are aware UTC datetimes here and unix seconds on disk.
"""

from __future__ import annotations

import json
import secrets
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

State = Literal["pending", "delivered", "failed"]

# Each entry turns version N-1 into version N. Never edit a released entry: append one.
MIGRATIONS: tuple[str, ...] = (
    # 1: the whole first schema
    """
    CREATE TABLE meta (
        name TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );
    CREATE TABLE subscriptions (
        guild_id INTEGER PRIMARY KEY,
        channel_id INTEGER NOT NULL,
        role_id INTEGER,
        created_at REAL NOT NULL,
        updated_at REAL NOT NULL,
        broken_reason TEXT,
        broken_at REAL,
        last_announced_key TEXT,
        last_announced_at REAL,
        last_error TEXT,
        last_error_at REAL
    );
    CREATE TABLE seen (
        identity TEXT PRIMARY KEY,
        episode_key TEXT NOT NULL,
        source TEXT NOT NULL,
        seen_at REAL NOT NULL
    );
    CREATE TABLE announcements (
        key TEXT NOT NULL,
        channel_id INTEGER NOT NULL,
        guild_id INTEGER NOT NULL,
        state TEXT NOT NULL DEFAULT 'pending'
            CHECK (state IN ('pending', 'delivered', 'failed')),
        payload TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        nonce TEXT,
        last_error TEXT,
        created_at REAL NOT NULL,
        first_attempt_at REAL,
        last_attempt_at REAL,
        next_attempt_at REAL NOT NULL,
        delivered_at REAL,
        message_id INTEGER,
        PRIMARY KEY (key, channel_id)
    );
    CREATE INDEX announcements_due ON announcements (state, next_attempt_at);
    """,
    # 2: conditional GET validators per feed URL
    """
    CREATE TABLE feed_cache (
        url TEXT PRIMARY KEY,
        etag TEXT,
        last_modified TEXT,
        checked_at REAL,
        status TEXT,
        error TEXT
    );
    """,
    # 3: announcement language chosen by whoever ran /notify set ("ja" / "en")
    """
    ALTER TABLE subscriptions ADD COLUMN lang TEXT
    """,
)
SCHEMA_VERSION = len(MIGRATIONS)


@dataclass(frozen=True, slots=True)
class Subscription:
    guild_id: int
    channel_id: int
    role_id: int | None
    created_at: datetime
    broken_reason: str | None = None
    broken_at: datetime | None = None
    last_announced_key: str | None = None
    last_announced_at: datetime | None = None
    last_error: str | None = None
    last_error_at: datetime | None = None
    lang: str | None = None  # announcement language, None: the guild's locale

    @property
    def broken(self) -> bool:
        return self.broken_reason is not None


@dataclass(frozen=True, slots=True)
class Announcement:
    """One episode for one channel, and how far its delivery got."""

    key: str
    channel_id: int
    guild_id: int
    state: State
    payload: dict[str, Any]
    attempts: int
    nonce: str | None
    last_error: str | None
    created_at: datetime
    first_attempt_at: datetime | None
    next_attempt_at: datetime
    delivered_at: datetime | None = None
    message_id: int | None = None


def to_seconds(moment: datetime) -> float:
    return moment.timestamp()


def from_seconds(value: float | None) -> datetime | None:
    return None if value is None else datetime.fromtimestamp(value, UTC)


def new_nonce() -> str:
    """A send nonce: 20 hex characters (Discord allows at most 25)."""
    return secrets.token_hex(10)


def subscription_from_row(row: sqlite3.Row) -> Subscription:
    created = from_seconds(row["created_at"])
    assert created is not None
    return Subscription(
        guild_id=int(row["guild_id"]),
        channel_id=int(row["channel_id"]),
        role_id=None if row["role_id"] is None else int(row["role_id"]),
        created_at=created,
        broken_reason=row["broken_reason"],
        broken_at=from_seconds(row["broken_at"]),
        last_announced_key=row["last_announced_key"],
        last_announced_at=from_seconds(row["last_announced_at"]),
        last_error=row["last_error"],
        last_error_at=from_seconds(row["last_error_at"]),
        lang=row["lang"],
    )


def announcement_from_row(row: sqlite3.Row) -> Announcement:
    created = from_seconds(row["created_at"])
    next_at = from_seconds(row["next_attempt_at"])
    assert created is not None and next_at is not None
    return Announcement(
        key=row["key"],
        channel_id=int(row["channel_id"]),
        guild_id=int(row["guild_id"]),
        state=row["state"],
        payload=json.loads(row["payload"]),
        attempts=int(row["attempts"]),
        nonce=row["nonce"],
        last_error=row["last_error"],
        created_at=created,
        first_attempt_at=from_seconds(row["first_attempt_at"]),
        next_attempt_at=next_at,
        delivered_at=from_seconds(row["delivered_at"]),
        message_id=None if row["message_id"] is None else int(row["message_id"]),
    )
