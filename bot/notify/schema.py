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
Kind = Literal["text", "news", "forum"]  # where a subscription posts
Purpose = Literal["auto", "resend"]  # a new episode, or one re-announced on purpose

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
    # 4: per-server reply language from /settings language ("ja" / "en"; bot.notify.guilds)
    """
    CREATE TABLE guild_settings (
        guild_id INTEGER PRIMARY KEY,
        lang TEXT,
        updated_at REAL NOT NULL
    );
    """,
    # 5 (issue 12): several subscriptions per server, each with its destination kind,
    # template, discussion thread and forum tag (the one subscription a server had
    # becomes the first of its list); each delivery step recorded on its row; deliberate
    # resends; source health and the notices about it; scheduled live recordings.
    """
    CREATE TABLE subscriptions_by_channel (
        channel_id INTEGER PRIMARY KEY,
        guild_id INTEGER NOT NULL,
        role_id INTEGER,
        created_at REAL NOT NULL,
        updated_at REAL NOT NULL,
        broken_reason TEXT,
        broken_at REAL,
        last_announced_key TEXT,
        last_announced_at REAL,
        last_error TEXT,
        last_error_at REAL,
        lang TEXT,
        kind TEXT NOT NULL DEFAULT 'text' CHECK (kind IN ('text', 'news', 'forum')),
        template TEXT,
        thread INTEGER NOT NULL DEFAULT 0,
        forum_tag_id INTEGER
    );
    INSERT INTO subscriptions_by_channel
        (channel_id, guild_id, role_id, created_at, updated_at, broken_reason, broken_at,
         last_announced_key, last_announced_at, last_error, last_error_at, lang)
    SELECT channel_id, guild_id, role_id, created_at, updated_at, broken_reason, broken_at,
         last_announced_key, last_announced_at, last_error, last_error_at, lang
    FROM subscriptions;
    DROP TABLE subscriptions;
    ALTER TABLE subscriptions_by_channel RENAME TO subscriptions;
    CREATE INDEX subscriptions_guild ON subscriptions (guild_id, created_at);
    ALTER TABLE announcements ADD COLUMN purpose TEXT NOT NULL DEFAULT 'auto';
    ALTER TABLE announcements ADD COLUMN published_at REAL;
    ALTER TABLE announcements ADD COLUMN thread_id INTEGER;
    ALTER TABLE announcements ADD COLUMN step_error TEXT;
    CREATE TABLE source_health (
        source TEXT PRIMARY KEY,
        last_success_at REAL,
        last_error TEXT,
        last_error_at REAL,
        failing_since REAL
    );
    CREATE TABLE alert_channels (
        guild_id INTEGER PRIMARY KEY,
        channel_id INTEGER NOT NULL,
        after_seconds REAL NOT NULL,
        updated_at REAL NOT NULL
    );
    CREATE TABLE alert_state (
        guild_id INTEGER NOT NULL,
        source TEXT NOT NULL,
        alerted INTEGER NOT NULL DEFAULT 0,
        last_notice_at REAL,
        pending_text TEXT,
        nonce TEXT,
        PRIMARY KEY (guild_id, source)
    );
    CREATE TABLE live_events (
        guild_id INTEGER NOT NULL,
        path TEXT NOT NULL,
        name TEXT NOT NULL,
        start_at REAL NOT NULL,
        end_at REAL NOT NULL,
        location TEXT NOT NULL,
        description TEXT NOT NULL,
        wanted INTEGER NOT NULL DEFAULT 1,
        event_id INTEGER,
        synced INTEGER NOT NULL DEFAULT 0,
        attempts INTEGER NOT NULL DEFAULT 0,
        last_error TEXT,
        next_attempt_at REAL NOT NULL,
        updated_at REAL NOT NULL,
        PRIMARY KEY (guild_id, path)
    )
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
    kind: Kind = "text"  # text channel, announcement channel (published), forum
    template: str | None = None  # the message above the embed (bot.notify.template)
    thread: bool = False  # a text channel: start a discussion thread under each post
    forum_tag_id: int | None = None  # a forum: the tag each post gets

    @property
    def broken(self) -> bool:
        return self.broken_reason is not None


@dataclass(frozen=True, slots=True)
class AnnouncementPayload:
    """What an announcement says: kept as JSON in the state file so it can be sent
    after a restart (the keys are those every earlier version wrote)."""

    key: str  # the episode's canonical id: "#16", else another identity
    source: str  # "notes" or "feed"
    title: str
    number: int | None = None
    path: str | None = None  # the note, when the episode came from one
    url: str | None = None
    audio_url: str | None = None
    summary: str = ""
    released_at: datetime | None = None  # UTC

    def to_json(self) -> str:
        released = self.released_at.isoformat() if self.released_at else None
        data = {
            "key": self.key,
            "source": self.source,
            "title": self.title,
            "number": self.number,
            "path": self.path,
            "url": self.url,
            "audio_url": self.audio_url,
            "summary": self.summary,
            "released_at": released,
        }
        return json.dumps(data, ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> AnnouncementPayload:
        """Raises ValueError for a row that is not such a payload."""
        data = json.loads(text)
        if not isinstance(data, dict):
            raise ValueError(f"announcement payload is not an object: {text[:80]!r}")
        released = data.get("released_at")
        number = data.get("number")
        return cls(
            key=str(data.get("key") or ""),
            source=str(data.get("source") or ""),
            title=str(data.get("title") or ""),
            number=None if number is None else int(number),
            path=_text_or_none(data.get("path")),
            url=_text_or_none(data.get("url")),
            audio_url=_text_or_none(data.get("audio_url")),
            summary=str(data.get("summary") or ""),
            released_at=datetime.fromisoformat(str(released)) if released else None,
        )


def _text_or_none(value: Any) -> str | None:
    return str(value) if value else None


@dataclass(frozen=True, slots=True)
class Announcement:
    """One episode for one channel, and how far its delivery got."""

    key: str
    channel_id: int
    guild_id: int
    state: State
    payload_json: str  # parsed on use (``payload``): a bad row costs only itself
    attempts: int
    nonce: str | None
    last_error: str | None
    created_at: datetime
    first_attempt_at: datetime | None
    next_attempt_at: datetime
    delivered_at: datetime | None = None
    message_id: int | None = None  # the post (a forum post: its starter message)
    purpose: Purpose = "auto"
    published_at: datetime | None = None  # announcement channel: crossposted
    thread_id: int | None = None  # the discussion thread, or the forum post
    step_error: str | None = None  # a follow-up step that was refused (posted anyway)

    @property
    def payload(self) -> AnnouncementPayload:
        """What to send; raises ValueError when the stored JSON cannot be one."""
        return AnnouncementPayload.from_json(self.payload_json)


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
        kind=row["kind"],
        template=row["template"],
        thread=bool(row["thread"]),
        forum_tag_id=None if row["forum_tag_id"] is None else int(row["forum_tag_id"]),
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
        payload_json=row["payload"],
        attempts=int(row["attempts"]),
        nonce=row["nonce"],
        last_error=row["last_error"],
        created_at=created,
        first_attempt_at=from_seconds(row["first_attempt_at"]),
        next_attempt_at=next_at,
        delivered_at=from_seconds(row["delivered_at"]),
        message_id=None if row["message_id"] is None else int(row["message_id"]),
        purpose=row["purpose"],
        published_at=from_seconds(row["published_at"]),
        thread_id=None if row["thread_id"] is None else int(row["thread_id"]),
        step_error=row["step_error"],
    )
