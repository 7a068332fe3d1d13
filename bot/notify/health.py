"""Source health: when the content watch, the git pull or the feed last worked and
last failed, and the short notices about it in a server's admin channel.

Each tick the cog reports each source's result (``HealthBook.report``). A source that
has failed for longer than the server's ``after`` (``/notify alerts``) gets one "down"
notice; when it works again, one "recovered" notice. Never more than one notice per
source per hour per server (``NOTICE_GAP``): a recovery inside that hour waits.

A notice is written to the state file (its text and nonce) before it is sent and
cleared once Discord has it, so a restart sends a pending one again with the same
nonce instead of forgetting or repeating it.

Pure core: no discord. Times are aware UTC datetimes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from bot.notify.schema import from_seconds, new_nonce, to_seconds
from bot.notify.store import Store

NOTICE_GAP = timedelta(hours=1)
DEFAULT_AFTER = timedelta(minutes=30)
SUCCESS_WRITE_EVERY = timedelta(minutes=1)  # an unchanged success is rewritten this often

NoticeKind = Literal["down", "up"]


@dataclass(frozen=True, slots=True)
class SourceHealth:
    source: str
    last_success_at: datetime | None = None
    last_error: str | None = None
    last_error_at: datetime | None = None
    failing_since: datetime | None = None

    @property
    def failing(self) -> bool:
        return self.failing_since is not None


@dataclass(frozen=True, slots=True)
class AlertChannel:
    guild_id: int
    channel_id: int
    after: timedelta


@dataclass(frozen=True, slots=True)
class Notice:
    guild_id: int
    channel_id: int
    source: str
    text: str
    nonce: str


def decide(
    health: SourceHealth,
    alerted: bool,
    last_notice_at: datetime | None,
    after: timedelta,
    now: datetime,
) -> NoticeKind | None:
    """Which notice, if any, is due for one source in one server."""
    if last_notice_at is not None and now - last_notice_at < NOTICE_GAP:
        return None
    if health.failing_since is not None:
        if not alerted and now - health.failing_since >= after:
            return "down"
        return None
    return "up" if alerted else None


class HealthBook:
    """The health tables of the state file (``source_health``, ``alert_channels``,
    ``alert_state``). Blocking, like ``Store``: called on the state file's thread."""

    def __init__(self, store: Store):
        self.store = store
        self._known: dict[str, SourceHealth] | None = None

    def all(self) -> dict[str, SourceHealth]:
        rows = self.store.read("SELECT * FROM source_health")
        found = {
            str(r["source"]): SourceHealth(
                source=str(r["source"]),
                last_success_at=from_seconds(r["last_success_at"]),
                last_error=r["last_error"],
                last_error_at=from_seconds(r["last_error_at"]),
                failing_since=from_seconds(r["failing_since"]),
            )
            for r in rows
        }
        self._known = dict(found)
        return found

    def report(self, source: str, error: str | None, now: datetime) -> SourceHealth:
        """A source's latest result (``error`` None: it worked). Writes only what
        changed (and a success at most once a minute)."""
        known = self._known if self._known is not None else self.all()
        old = known.get(source, SourceHealth(source))
        if error is None:
            new = SourceHealth(source, now, old.last_error, old.last_error_at, None)
            fresh = old.last_success_at is not None and now - old.last_success_at < (
                SUCCESS_WRITE_EVERY
            )
            if not old.failing and fresh:
                return old
        else:
            since = old.failing_since or now
            new = SourceHealth(source, old.last_success_at, error[:300], now, since)
            if old.failing and old.last_error == new.last_error:
                return old  # the same failure again: failing_since already tells it
        with self.store.transaction() as conn:
            conn.execute(
                """
                INSERT INTO source_health
                    (source, last_success_at, last_error, last_error_at, failing_since)
                VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (source) DO UPDATE SET last_success_at = excluded.last_success_at,
                    last_error = excluded.last_error, last_error_at = excluded.last_error_at,
                    failing_since = excluded.failing_since
                """,
                (
                    source,
                    _sec(new.last_success_at),
                    new.last_error,
                    _sec(new.last_error_at),
                    _sec(new.failing_since),
                ),
            )
        known[source] = new
        return new

    # -- admin channels ------------------------------------------------------

    def set_alerts(
        self, guild_id: int, channel_id: int | None, after: timedelta, now: datetime
    ) -> None:
        """The guild's admin channel for notices (None: no notices)."""
        with self.store.transaction() as conn:
            if channel_id is None:
                conn.execute("DELETE FROM alert_channels WHERE guild_id = ?", (guild_id,))
                return
            conn.execute(
                """
                INSERT INTO alert_channels (guild_id, channel_id, after_seconds, updated_at)
                VALUES (?, ?, ?, ?)
                ON CONFLICT (guild_id) DO UPDATE SET channel_id = excluded.channel_id,
                    after_seconds = excluded.after_seconds, updated_at = excluded.updated_at
                """,
                (guild_id, channel_id, after.total_seconds(), to_seconds(now)),
            )

    def alert_channel(self, guild_id: int) -> AlertChannel | None:
        found = [a for a in self.alert_channels() if a.guild_id == guild_id]
        return found[0] if found else None

    def alert_channels(self) -> list[AlertChannel]:
        rows = self.store.read("SELECT * FROM alert_channels ORDER BY guild_id")
        return [
            AlertChannel(
                int(r["guild_id"]), int(r["channel_id"]), timedelta(seconds=r["after_seconds"])
            )
            for r in rows
        ]

    # -- notices -------------------------------------------------------------

    def due(self, now: datetime) -> list[tuple[AlertChannel, SourceHealth, NoticeKind]]:
        """Every notice due now: (where, which source, down or up)."""
        health = self.all()
        states = {
            (int(r["guild_id"]), str(r["source"])): (bool(r["alerted"]), r["last_notice_at"])
            for r in self.store.read("SELECT * FROM alert_state")
        }
        out = []
        for channel in self.alert_channels():
            for source, h in sorted(health.items()):
                alerted, last = states.get((channel.guild_id, source), (False, None))
                kind = decide(h, alerted, from_seconds(last), channel.after, now)
                if kind is not None:
                    out.append((channel, h, kind))
        return out

    def begin_notice(
        self, channel: AlertChannel, source: str, kind: NoticeKind, text: str, now: datetime
    ) -> Notice:
        """Record the notice (and that the source is now alerted or not) before sending."""
        nonce = new_nonce()
        with self.store.transaction() as conn:
            conn.execute(
                """
                INSERT INTO alert_state
                    (guild_id, source, alerted, last_notice_at, pending_text, nonce)
                VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT (guild_id, source) DO UPDATE SET alerted = excluded.alerted,
                    last_notice_at = excluded.last_notice_at,
                    pending_text = excluded.pending_text, nonce = excluded.nonce
                """,
                (channel.guild_id, source, int(kind == "down"), to_seconds(now), text, nonce),
            )
        return Notice(channel.guild_id, channel.channel_id, source, text, nonce)

    def pending_notices(self) -> list[Notice]:
        """Notices recorded but not yet confirmed sent (after a failure or a crash)."""
        rows = self.store.read(
            """
            SELECT s.guild_id, a.channel_id, s.source, s.pending_text, s.nonce
            FROM alert_state s JOIN alert_channels a ON a.guild_id = s.guild_id
            WHERE s.pending_text IS NOT NULL ORDER BY s.guild_id, s.source
            """
        )
        return [
            Notice(
                int(r["guild_id"]),
                int(r["channel_id"]),
                str(r["source"]),
                str(r["pending_text"]),
                str(r["nonce"]),
            )
            for r in rows
        ]

    def notice_sent(self, guild_id: int, source: str) -> None:
        with self.store.transaction() as conn:
            conn.execute(
                "UPDATE alert_state SET pending_text = NULL WHERE guild_id = ? AND source = ?",
                (guild_id, source),
            )


def _sec(moment: datetime | None) -> float | None:
    return None if moment is None else to_seconds(moment)
