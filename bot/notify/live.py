"""Scheduled live recordings: a note's ``live:`` time becomes one Discord scheduled
event per subscribed server, kept in step with the note.

``wanted_events()`` reads the catalog: every note that is not a draft and whose live
recording is still to come. ``LiveBook.plan()`` writes, in one transaction, what each
server should have: a new or changed recording marks its row unsynced; a row whose
note (or whose ``live:``) is gone, or whose server has no subscription any more, is
marked to be cancelled, unless its time has passed (a past event is left alone). The
cog (``bot.cogs.notify.events``) then creates, edits or cancels each unsynced row's
event and marks it synced, only if the row did not change meanwhile.

The row is written before the event is created, and its event id as soon as Discord
returns it; a retry of a row that may have been created already first looks for it
among the server's events. One row failing (a missing permission) backs that row off
only.

Pure core: no discord.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.models import Episode
from bot.notify.schema import from_seconds, to_seconds
from bot.notify.store import Store

DEFAULT_LENGTH = timedelta(hours=1)
NAME_MAX = 100
LOCATION_MAX = 100
DESCRIPTION_MAX = 1000


@dataclass(frozen=True, slots=True)
class LiveSpec:
    """What one scheduled event should say."""

    path: str
    name: str
    start: datetime
    end: datetime
    location: str
    description: str


@dataclass(frozen=True, slots=True)
class LiveRow:
    guild_id: int
    spec: LiveSpec
    wanted: bool  # False: cancel it
    event_id: int | None
    attempts: int
    last_error: str | None
    version: float  # updated_at: marks synced only the version that was synced

    @property
    def path(self) -> str:
        return self.spec.path


def wanted_events(
    episodes: Iterable[Episode], now: datetime, fallback_location: str
) -> list[LiveSpec]:
    """Upcoming live recordings of the notes (drafts never), soonest first."""
    out = []
    for episode in episodes:
        start = episode.live_at
        if start is None or episode.draft or start <= now:
            continue
        end = episode.live_end if episode.live_end and episode.live_end > start else None
        where = episode.page_url or episode.player_url or fallback_location
        out.append(
            LiveSpec(
                path=episode.path,
                name=_clip(episode.label, NAME_MAX),
                start=start,
                end=end or start + DEFAULT_LENGTH,
                location=_clip(where, LOCATION_MAX),
                description=_clip(episode.summary, DESCRIPTION_MAX),
            )
        )
    return sorted(out, key=lambda s: (s.start, s.path))


def _clip(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


class LiveBook:
    """The ``live_events`` table. Blocking: called on the state file's thread."""

    def __init__(self, store: Store):
        self.store = store

    def plan(self, guild_ids: Iterable[int], specs: Iterable[LiveSpec], now: datetime) -> int:
        """Bring the rows in line with what should exist; returns how many changed.
        Nothing changed: nothing is written (not even an empty transaction, which
        would hide that the file cannot be written)."""
        wanted = {s.path: s for s in specs}
        guilds = set(guild_ids)
        rows = {(r.guild_id, r.path): r for r in self.rows()}
        upserts = []
        for guild_id in sorted(guilds):
            for spec in wanted.values():
                old = rows.get((guild_id, spec.path))
                if old is None or not old.wanted or old.spec != spec:
                    upserts.append((guild_id, spec, _version(now, old)))
        cancels = [
            (guild_id, path, _version(now, row))
            for (guild_id, path), row in rows.items()
            if row.wanted
            and (guild_id not in guilds or path not in wanted)
            and row.spec.start > now
        ]
        if not upserts and not cancels:
            return 0
        with self.store.transaction() as conn:
            for guild_id, spec, version in upserts:
                conn.execute(
                    """
                    INSERT INTO live_events (guild_id, path, name, start_at, end_at,
                        location, description, wanted, synced, next_attempt_at, updated_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, 1, 0, ?, ?)
                    ON CONFLICT (guild_id, path) DO UPDATE SET name = excluded.name,
                        start_at = excluded.start_at, end_at = excluded.end_at,
                        location = excluded.location, description = excluded.description,
                        wanted = 1, synced = 0, next_attempt_at = excluded.next_attempt_at,
                        updated_at = excluded.updated_at
                    """,
                    (
                        guild_id,
                        spec.path,
                        spec.name,
                        to_seconds(spec.start),
                        to_seconds(spec.end),
                        spec.location,
                        spec.description,
                        to_seconds(now),
                        version,
                    ),
                )
            for guild_id, path, version in cancels:
                conn.execute(
                    "UPDATE live_events SET wanted = 0, synced = 0, next_attempt_at = ?, "
                    "updated_at = ? WHERE guild_id = ? AND path = ?",
                    (to_seconds(now), version, guild_id, path),
                )
        return len(upserts) + len(cancels)

    def rows(self, where: str = "", params: tuple[object, ...] = ()) -> list[LiveRow]:
        found = self.store.read(
            f"SELECT * FROM live_events {where} ORDER BY start_at, path", params
        )
        out = []
        for r in found:
            start, end = from_seconds(r["start_at"]), from_seconds(r["end_at"])
            assert start is not None and end is not None
            spec = LiveSpec(
                str(r["path"]),
                str(r["name"]),
                start,
                end,
                str(r["location"]),
                str(r["description"]),
            )
            out.append(
                LiveRow(
                    guild_id=int(r["guild_id"]),
                    spec=spec,
                    wanted=bool(r["wanted"]),
                    event_id=None if r["event_id"] is None else int(r["event_id"]),
                    attempts=int(r["attempts"]),
                    last_error=r["last_error"],
                    version=float(r["updated_at"]),
                )
            )
        return out

    def due(self, now: datetime) -> list[LiveRow]:
        return self.rows("WHERE synced = 0 AND next_attempt_at <= ?", (to_seconds(now),))

    def of_guild(self, guild_id: int) -> list[LiveRow]:
        return self.rows("WHERE guild_id = ?", (guild_id,))

    def begin(self, row: LiveRow) -> None:
        with self.store.transaction() as conn:
            conn.execute(
                "UPDATE live_events SET attempts = attempts + 1 WHERE guild_id = ? AND path = ?",
                (row.guild_id, row.path),
            )

    def record_event(self, row: LiveRow, event_id: int | None) -> None:
        """The event exists (its id is kept at once, whatever happens next)."""
        with self.store.transaction() as conn:
            conn.execute(
                "UPDATE live_events SET event_id = ? WHERE guild_id = ? AND path = ?",
                (event_id, row.guild_id, row.path),
            )

    def synced(self, row: LiveRow) -> None:
        """Done, unless the row changed while its event was being made."""
        with self.store.transaction() as conn:
            conn.execute(
                "UPDATE live_events SET synced = 1, attempts = 0, last_error = NULL "
                "WHERE guild_id = ? AND path = ? AND updated_at = ?",
                (row.guild_id, row.path, row.version),
            )

    def failed(self, row: LiveRow, error: str, retry_at: datetime) -> None:
        with self.store.transaction() as conn:
            conn.execute(
                "UPDATE live_events SET last_error = ?, next_attempt_at = ? "
                "WHERE guild_id = ? AND path = ?",
                (error[:300], to_seconds(retry_at), row.guild_id, row.path),
            )


def _version(now: datetime, old: LiveRow | None) -> float:
    """A new ``updated_at``, always above the old one (two changes in one second)."""
    value = to_seconds(now)
    if old is not None and value <= old.version:
        value = old.version + 0.001
    return value
