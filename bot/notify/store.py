"""SQLite state for notifications: subscriptions, announcements, seen episodes, feed cache.

One file (``Settings.state_file``) in WAL mode with a ``schema_version`` table; every
change to the schema is a numbered migration applied in its own transaction, so a file
from any earlier version (0 = new) opens on the current schema, after a copy of it is
kept beside it (``bot.notify.statefile``). Opening refuses a file that is empty, cannot
be written or has an unreadable schema version.

Calls block (a busy lock waits ``BUSY_TIMEOUT``): the bot makes them on the state
file's own thread (``bot.notify.worker``), never on the event loop. A lock serialises
the connection between that thread and any other caller. A write that fails (busy,
read-only, disk full) raises and is remembered in ``fault`` until a write succeeds
again, so ``/notify status`` and the health check can show it.

Pure core: no discord. Times are aware UTC datetimes in the API, unix seconds on disk.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from datetime import datetime
from pathlib import Path
from typing import Any

from bot.notify.feed import FeedValidators
from bot.notify.schema import (
    MIGRATIONS,
    SCHEMA_VERSION,
    Announcement,
    AnnouncementPayload,
    Kind,
    State,
    Subscription,
    announcement_from_row,
    from_seconds,
    new_nonce,
    subscription_from_row,
    to_seconds,
)
from bot.notify.statefile import (
    StoreError,
    backup_path,
    copy_database,
    refuse_empty,
    restore_hint,
)

__all__ = [
    "MIGRATIONS",
    "SCHEMA_VERSION",
    "Announcement",
    "AnnouncementPayload",
    "FeedValidators",
    "Kind",
    "State",
    "Store",
    "StoreError",
    "Subscription",
    "new_nonce",
]

log = logging.getLogger(__name__)

BUSY_TIMEOUT = 0.5  # seconds a write waits for another connection's lock


class Store:
    """The notification state file. ``Store.open(path)`` creates and migrates it."""

    def __init__(self, conn: sqlite3.Connection, path: Path):
        self._conn: sqlite3.Connection | None = conn
        self.path = path
        self._lock = threading.RLock()
        self.fault: str | None = None  # the last write's error while writes fail

    # -- lifecycle -----------------------------------------------------------

    @classmethod
    def open(cls, path: Path | str) -> Store:
        path = Path(path)
        refuse_empty(path)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(
                path, isolation_level=None, timeout=BUSY_TIMEOUT, check_same_thread=False
            )
        except (OSError, sqlite3.Error) as exc:
            raise StoreError(f"{path}: cannot open state file: {exc}") from exc
        store = cls(conn, path)
        try:
            conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT * 1000)}")
            mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if str(mode).lower() != "wal":
                log.warning("%s: journal mode is %s, not WAL", path, mode)
            conn.execute("PRAGMA synchronous = NORMAL")
            store._migrate()
            store._check_writable()
        except sqlite3.OperationalError as exc:
            conn.close()
            raise StoreError(
                f"{path}: cannot write the state file ({exc}); make it and its folder "
                "writable by the bot's user, or set STATE_PATH to a writable place"
            ) from exc
        except sqlite3.DatabaseError as exc:
            conn.close()
            raise StoreError(
                f"{path}: not a usable state file ({exc}); {restore_hint(path)}"
            ) from exc
        except StoreError:
            conn.close()
            raise
        return store

    def close(self) -> None:
        """Close the file; safe to call twice."""
        if self._conn is None:
            return
        with suppress(sqlite3.Error):
            self._conn.execute("PRAGMA optimize")
        self._conn.close()
        self._conn = None

    @property
    def closed(self) -> bool:
        return self._conn is None

    @property
    def _db(self) -> sqlite3.Connection:
        if self._conn is None:
            raise StoreError(f"{self.path}: state file is closed")
        return self._conn

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction; rolled back when the block or its COMMIT raises.

        A COMMIT can fail and leave the transaction open (SQLITE_BUSY, a deferred
        constraint); it is rolled back then, so the next ``BEGIN`` still works.
        """
        with self._lock:
            conn = self._db
            try:
                conn.execute("BEGIN IMMEDIATE")
                try:
                    yield conn
                    conn.execute("COMMIT")
                except BaseException:
                    if conn.in_transaction:
                        with suppress(sqlite3.Error):
                            conn.execute("ROLLBACK")
                    raise
            except sqlite3.OperationalError as exc:  # busy, read-only, disk full, I/O
                if self.fault is None:
                    log.warning("%s: state file cannot be written: %s", self.path, exc)
                self.fault = str(exc)
                raise
            if self.fault is not None:
                log.info("%s: state file writable again", self.path)
                self.fault = None

    def read(self, sql: str, params: Iterable[Any] = ()) -> list[sqlite3.Row]:
        """Rows of one query (for the state's other tables: ``bot.notify.health``,
        ``bot.notify.live``)."""
        return self._read(sql, params)

    def _read(self, sql: str, params: Iterable[Any] = ()) -> list[sqlite3.Row]:
        with self._lock:
            cur = self._db.execute(sql, tuple(params))
            cur.row_factory = sqlite3.Row
            return cur.fetchall()

    def _check_writable(self) -> None:
        with self.transaction() as conn:  # a new value: an unchanged row writes nothing
            _set_meta(conn, "write_check", str(time.time_ns()))

    def check_writable(self) -> bool:
        """Try a small write now (clears ``fault`` when it works); True when it did."""
        try:
            self._check_writable()
        except sqlite3.Error:
            return False
        return True

    def backup_to(self, dest: Path | str) -> None:
        """A consistent copy of the state file, taken while it is open."""
        with self._lock:
            copy_database(self._db, Path(dest))

    # -- schema --------------------------------------------------------------

    @property
    def schema_version(self) -> int:
        rows = self._read(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'"
        )
        if not rows:
            return 0
        row = self._read("SELECT version FROM schema_version")
        value = row[0]["version"] if row else 0
        if not isinstance(value, int):
            raise StoreError(
                f"{self.path}: schema version {value!r} is not a number, so the file cannot "
                f"be migrated safely; {restore_hint(self.path)}"
            )
        return value

    @property
    def journal_mode(self) -> str:
        return str(self._read("PRAGMA journal_mode")[0][0]).lower()

    def _migrate(self) -> None:
        current = self.schema_version
        if current > SCHEMA_VERSION:
            raise StoreError(
                f"{self.path}: state file has schema version {current}, newer than this "
                f"bot understands ({SCHEMA_VERSION}); upgrade the bot or use another STATE_PATH"
            )
        if 0 < current < SCHEMA_VERSION:
            copy = backup_path(self.path, current)
            if copy.exists():
                log.info("%s: keeping the existing backup %s", self.path, copy)
            else:
                self.backup_to(copy)
                log.info("%s: copied to %s before migrating", self.path, copy)
        for version in range(current + 1, SCHEMA_VERSION + 1):
            with self.transaction() as conn:
                conn.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
                for statement in _statements(MIGRATIONS[version - 1]):
                    conn.execute(statement)
                conn.execute("DELETE FROM schema_version")
                conn.execute("INSERT INTO schema_version (version) VALUES (?)", (version,))
            log.info("%s: state schema migrated to version %d", self.path, version)

    # -- meta ----------------------------------------------------------------

    def get_meta(self, name: str) -> str | None:
        rows = self._read("SELECT value FROM meta WHERE name = ?", (name,))
        return str(rows[0]["value"]) if rows else None

    # -- subscriptions -------------------------------------------------------

    def subscribe(
        self,
        guild_id: int,
        channel_id: int,
        role_id: int | None,
        now: datetime,
        lang: str | None = None,
        *,
        kind: Kind = "text",
        thread: bool = False,
        forum_tag_id: int | None = None,
    ) -> Subscription:
        """Add the channel to the guild's subscriptions, or update it (its template is
        kept); clears a broken mark."""
        with self.transaction() as conn:
            conn.execute(
                """
                INSERT INTO subscriptions
                    (guild_id, channel_id, role_id, created_at, updated_at, lang, kind,
                     thread, forum_tag_id)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (channel_id) DO UPDATE SET
                    role_id = excluded.role_id, updated_at = excluded.updated_at,
                    lang = excluded.lang, kind = excluded.kind, thread = excluded.thread,
                    forum_tag_id = excluded.forum_tag_id,
                    broken_reason = NULL, broken_at = NULL, last_error = NULL,
                    last_error_at = NULL
                """,
                (
                    guild_id,
                    channel_id,
                    role_id,
                    to_seconds(now),
                    to_seconds(now),
                    lang,
                    kind,
                    int(thread),
                    forum_tag_id,
                ),
            )
        sub = self.subscription_for(channel_id)
        assert sub is not None
        return sub

    def set_template(self, channel_id: int, template: str | None) -> bool:
        """The subscription's message template (None: the default); False when the
        channel is not subscribed."""
        with self.transaction() as conn:
            cur = conn.execute(
                "UPDATE subscriptions SET template = ? WHERE channel_id = ?",
                (template, channel_id),
            )
        return cur.rowcount > 0

    def unsubscribe(self, guild_id: int, channel_id: int | None = None) -> int:
        """Stop announcing in one channel of the guild, or in all of them; their
        pending announcements are dropped. Returns how many subscriptions ended."""
        where, params = "guild_id = ?", [guild_id]
        if channel_id is not None:
            where, params = "guild_id = ? AND channel_id = ?", [guild_id, channel_id]
        with self.transaction() as conn:
            cur = conn.execute(f"DELETE FROM subscriptions WHERE {where}", params)
            conn.execute(
                "UPDATE announcements SET state = 'failed', last_error = 'unsubscribed' "
                f"WHERE {where} AND state = 'pending'",
                params,
            )
        return cur.rowcount

    def subscription(self, guild_id: int) -> Subscription | None:
        """The guild's first subscription (the oldest), if any."""
        found = self.subscriptions_of(guild_id)
        return found[0] if found else None

    def subscriptions_of(self, guild_id: int) -> list[Subscription]:
        """Every subscription of the guild, oldest first."""
        rows = self._read(
            "SELECT * FROM subscriptions WHERE guild_id = ? ORDER BY created_at, rowid",
            (guild_id,),
        )
        return [subscription_from_row(r) for r in rows]

    def subscription_for(self, channel_id: int) -> Subscription | None:
        rows = self._read("SELECT * FROM subscriptions WHERE channel_id = ?", (channel_id,))
        return subscription_from_row(rows[0]) if rows else None

    def subscriptions(self, *, include_broken: bool = False) -> list[Subscription]:
        where = "" if include_broken else "WHERE broken_reason IS NULL"
        rows = self._read(f"SELECT * FROM subscriptions {where} ORDER BY guild_id, created_at")
        return [subscription_from_row(r) for r in rows]

    def mark_broken(self, channel_id: int, reason: str, now: datetime) -> None:
        """The channel cannot take announcements: stop using it until ``/notify set``."""
        with self.transaction() as conn:
            conn.execute(
                "UPDATE subscriptions SET broken_reason = ?, broken_at = ?, last_error = ?, "
                "last_error_at = ? WHERE channel_id = ?",
                (reason, to_seconds(now), reason, to_seconds(now), channel_id),
            )
            conn.execute(
                "UPDATE announcements SET state = 'failed', last_error = ? "
                "WHERE channel_id = ? AND state = 'pending'",
                (reason, channel_id),
            )

    # -- seen episodes -------------------------------------------------------

    def first_seen_paths(self) -> dict[str, float]:
        """When each note (``path:`` identity) was first seen, as unix seconds."""
        rows = self._read("SELECT identity, seen_at FROM seen WHERE identity LIKE 'path:%'")
        return {str(r["identity"])[5:]: float(r["seen_at"]) for r in rows}

    def seen_identities(self) -> set[str]:
        return {str(r["identity"]) for r in self._read("SELECT identity FROM seen")}

    def seen_rows(self) -> list[tuple[str, str, str]]:
        """Every seen identity with its episode key and source (notes or feed)."""
        rows = self._read("SELECT identity, episode_key, source FROM seen")
        return [(str(r["identity"]), str(r["episode_key"]), str(r["source"])) for r in rows]

    # -- announcements -------------------------------------------------------

    def record_new_episodes(
        self,
        seen: Iterable[tuple[str, tuple[str, ...], str]],
        announce: Iterable[AnnouncementPayload],
        now: datetime,
        meta: Iterable[tuple[str, str]] = (),
    ) -> list[Announcement]:
        """In one transaction: mark identities seen, queue one pending announcement per
        (episode, live subscription), and set meta flags. Returns the queued rows."""
        queued: list[tuple[str, int]] = []
        with self.transaction() as conn:
            for key, identities, source in seen:
                _mark_seen(conn, key, identities, source, now)
            subs = conn.execute(
                "SELECT guild_id, channel_id FROM subscriptions WHERE broken_reason IS NULL"
            ).fetchall()
            for payload in announce:
                key, text = payload.key, payload.to_json()
                for guild_id, channel_id in subs:
                    cur = conn.execute(
                        """
                        INSERT OR IGNORE INTO announcements
                            (key, channel_id, guild_id, payload, created_at, next_attempt_at)
                        VALUES (?, ?, ?, ?, ?, ?)
                        """,
                        (key, channel_id, guild_id, text, to_seconds(now), to_seconds(now)),
                    )
                    if cur.rowcount:
                        queued.append((key, channel_id))
            for name, value in meta:
                _set_meta(conn, name, value)
        return [a for k, c in queued if (a := self.announcement(k, c)) is not None]

    def announcement(self, key: str, channel_id: int) -> Announcement | None:
        rows = self._read(
            "SELECT * FROM announcements WHERE key = ? AND channel_id = ?", (key, channel_id)
        )
        return announcement_from_row(rows[0]) if rows else None

    def announcements(self, state: State | None = None) -> list[Announcement]:
        if state is None:
            rows = self._read("SELECT * FROM announcements ORDER BY created_at, rowid")
        else:
            rows = self._read(
                "SELECT * FROM announcements WHERE state = ? ORDER BY created_at, rowid",
                (state,),
            )
        return [announcement_from_row(r) for r in rows]

    def due_announcements(self, now: datetime, limit: int = 50) -> list[Announcement]:
        """Pending rows whose next attempt time has come, oldest episode first."""
        rows = self._read(
            """
            SELECT * FROM announcements WHERE state = 'pending' AND next_attempt_at <= ?
            ORDER BY json_extract(payload, '$.released_at'), created_at, rowid LIMIT ?
            """,
            (to_seconds(now), limit),
        )
        return [announcement_from_row(r) for r in rows]

    def begin_attempt(self, key: str, channel_id: int, now: datetime) -> Announcement:
        """Count an attempt and make sure the row has a nonce, committed before the send,
        so a retry (even after a crash) sends the same nonce."""
        with self.transaction() as conn:
            row = conn.execute(
                "SELECT nonce FROM announcements WHERE key = ? AND channel_id = ?",
                (key, channel_id),
            ).fetchone()
            if row is None:
                raise StoreError(f"no announcement {key!r} for channel {channel_id}")
            nonce = row[0] or new_nonce()
            conn.execute(
                """
                UPDATE announcements SET nonce = ?, attempts = attempts + 1,
                    first_attempt_at = COALESCE(first_attempt_at, ?), last_attempt_at = ?
                WHERE key = ? AND channel_id = ?
                """,
                (nonce, to_seconds(now), to_seconds(now), key, channel_id),
            )
        found = self.announcement(key, channel_id)
        assert found is not None
        return found

    def queue_resend(
        self, payload: AnnouncementPayload, guild_id: int, channel_id: int, now: datetime
    ) -> Announcement:
        """A deliberate re-announcement of one episode to one subscription: a row of
        its own (``purpose`` "resend", key "resend:<time>:<episode>"), so it is never
        taken for the automatic one, and neither blocks the other."""
        key = f"resend:{time.time_ns()}:{payload.key}"
        with self.transaction() as conn:
            conn.execute(
                """
                INSERT INTO announcements (key, channel_id, guild_id, payload, created_at,
                    next_attempt_at, purpose)
                VALUES (?, ?, ?, ?, ?, ?, 'resend')
                """,
                (key, channel_id, guild_id, payload.to_json(), to_seconds(now), to_seconds(now)),
            )
        found = self.announcement(key, channel_id)
        assert found is not None
        return found

    def resend_message_ids(self, channel_id: int) -> set[int]:
        """Messages posted by deliberate resends in a channel: never an automatic post."""
        rows = self._read(
            "SELECT message_id FROM announcements WHERE channel_id = ? AND purpose = 'resend' "
            "AND message_id IS NOT NULL",
            (channel_id,),
        )
        return {int(r["message_id"]) for r in rows}

    def mark_posted(
        self, key: str, channel_id: int, message_id: int, thread_id: int | None = None
    ) -> None:
        """The post exists (a forum post: its thread too); follow-up steps may remain."""
        with self.transaction() as conn:
            conn.execute(
                "UPDATE announcements SET message_id = ?, thread_id = COALESCE(?, thread_id) "
                "WHERE key = ? AND channel_id = ?",
                (message_id, thread_id, key, channel_id),
            )

    def mark_step(
        self,
        key: str,
        channel_id: int,
        *,
        published_at: datetime | None = None,
        thread_id: int | None = None,
        step_error: str | None = None,
    ) -> None:
        """A follow-up step done (published, thread started) or refused for good."""
        with self.transaction() as conn:
            conn.execute(
                """
                UPDATE announcements SET published_at = COALESCE(?, published_at),
                    thread_id = COALESCE(?, thread_id), step_error = COALESCE(?, step_error)
                WHERE key = ? AND channel_id = ?
                """,
                (
                    to_seconds(published_at) if published_at else None,
                    thread_id,
                    step_error,
                    key,
                    channel_id,
                ),
            )

    def mark_delivered(self, key: str, channel_id: int, message_id: int, now: datetime) -> None:
        with self.transaction() as conn:
            conn.execute(
                "UPDATE announcements SET state = 'delivered', delivered_at = ?, message_id = ?, "
                "last_error = NULL WHERE key = ? AND channel_id = ?",
                (to_seconds(now), message_id, key, channel_id),
            )
            conn.execute(
                """
                UPDATE subscriptions SET last_announced_at = ?, last_announced_key = (
                    SELECT COALESCE(json_extract(payload, '$.key'), key) FROM announcements
                    WHERE key = ? AND channel_id = ?)
                WHERE channel_id = ?
                """,
                (to_seconds(now), key, channel_id, channel_id),
            )

    def mark_retry(
        self, key: str, channel_id: int, error: str, retry_at: datetime, now: datetime
    ) -> None:
        """A transient failure: stays pending until ``retry_at``."""
        with self.transaction() as conn:
            conn.execute(
                "UPDATE announcements SET last_error = ?, next_attempt_at = ? "
                "WHERE key = ? AND channel_id = ?",
                (error, to_seconds(retry_at), key, channel_id),
            )
            conn.execute(
                "UPDATE subscriptions SET last_error = ?, last_error_at = ? WHERE channel_id = ?",
                (error, to_seconds(now), channel_id),
            )

    def mark_failed(self, key: str, channel_id: int, error: str) -> None:
        """A failure retrying cannot fix (the message itself was refused)."""
        with self.transaction() as conn:
            conn.execute(
                "UPDATE announcements SET state = 'failed', last_error = ? "
                "WHERE key = ? AND channel_id = ?",
                (error, key, channel_id),
            )

    def failed_count(self, channel_id: int) -> int:
        rows = self._read(
            "SELECT COUNT(*) AS n FROM announcements WHERE channel_id = ? AND state = 'failed'",
            (channel_id,),
        )
        return int(rows[0]["n"])

    def pending_count(self, channel_id: int | None = None) -> int:
        if channel_id is None:
            rows = self._read("SELECT COUNT(*) AS n FROM announcements WHERE state = 'pending'")
        else:
            rows = self._read(
                "SELECT COUNT(*) AS n FROM announcements WHERE state = 'pending' "
                "AND channel_id = ?",
                (channel_id,),
            )
        return int(rows[0]["n"])

    # -- feed cache ----------------------------------------------------------

    def feed_validators(self, url: str) -> FeedValidators:
        rows = self._read("SELECT etag, last_modified FROM feed_cache WHERE url = ?", (url,))
        if not rows:
            return FeedValidators()
        return FeedValidators(rows[0]["etag"], rows[0]["last_modified"])

    def save_feed_check(
        self,
        url: str,
        now: datetime,
        status: str,
        validators: FeedValidators | None = None,
        error: str | None = None,
    ) -> None:
        """Record a poll; validators are replaced only when given (a 200 answer)."""
        with self.transaction() as conn:
            conn.execute(
                "INSERT INTO feed_cache (url) VALUES (?) ON CONFLICT (url) DO NOTHING", (url,)
            )
            conn.execute(
                "UPDATE feed_cache SET checked_at = ?, status = ?, error = ? WHERE url = ?",
                (to_seconds(now), status, error, url),
            )
            if validators is not None:
                conn.execute(
                    "UPDATE feed_cache SET etag = ?, last_modified = ? WHERE url = ?",
                    (validators.etag, validators.last_modified, url),
                )

    def feed_status(self, url: str) -> tuple[datetime | None, str | None, str | None]:
        """(last checked, status, last error) of a feed URL."""
        rows = self._read("SELECT checked_at, status, error FROM feed_cache WHERE url = ?", (url,))
        if not rows:
            return None, None, None
        return from_seconds(rows[0]["checked_at"]), rows[0]["status"], rows[0]["error"]


def _statements(script: str) -> list[str]:
    return [s.strip() for s in script.split(";") if s.strip()]


def _set_meta(conn: sqlite3.Connection, name: str, value: str) -> None:
    conn.execute(
        "INSERT INTO meta (name, value) VALUES (?, ?) "
        "ON CONFLICT (name) DO UPDATE SET value = excluded.value",
        (name, value),
    )


def _mark_seen(
    conn: sqlite3.Connection,
    episode_key: str,
    identities: Iterable[str],
    source: str,
    now: datetime,
) -> None:
    for identity in identities:
        conn.execute(
            "INSERT OR IGNORE INTO seen (identity, episode_key, source, seen_at) "
            "VALUES (?, ?, ?, ?)",
            (identity, episode_key, source, to_seconds(now)),
        )
