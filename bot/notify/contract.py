"""The state store's contract: what the notify cog, its announcer, its commands and the
sources use of ``bot.notify.store.Store``.

Only what those callers use, so another store (another database, a file in memory for
a tool) needs only these. Every call blocks: the bot makes them on the state file's
thread (``StoreWorker.run``), never on the event loop. The notifier (``diff``), the
health and live-event books build their own SQL on the SQLite store itself, so they
take ``Store``, not this. ``tests/project/test_contracts.py`` checks that ``Store``
keeps to it, name by name and parameter by parameter.

Pure core: no discord.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from bot.notify.feed import FeedValidators
from bot.notify.schema import Announcement, AnnouncementPayload, Kind, Subscription


class StateStore(Protocol):
    @property
    def path(self) -> Path:
        """The file, for messages that name it."""

    @property
    def fault(self) -> str | None:
        """The last write's error while writes fail, else None."""

    def close(self) -> None: ...

    def check_writable(self) -> bool:
        """One small test write: True once writes work again (clears ``fault``)."""

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
    ) -> Subscription: ...

    def set_template(self, channel_id: int, template: str | None) -> bool: ...

    def unsubscribe(self, guild_id: int, channel_id: int | None = None) -> int: ...

    def subscription(self, guild_id: int) -> Subscription | None: ...

    def subscriptions_of(self, guild_id: int) -> list[Subscription]: ...

    def subscription_for(self, channel_id: int) -> Subscription | None: ...

    def subscriptions(self, *, include_broken: bool = False) -> list[Subscription]: ...

    def mark_broken(self, channel_id: int, reason: str, now: datetime) -> None: ...

    def first_seen_paths(self) -> dict[str, float]: ...

    # -- announcements -------------------------------------------------------

    def announcement(self, key: str, channel_id: int) -> Announcement | None: ...

    def due_announcements(self, now: datetime, limit: int = 50) -> list[Announcement]: ...

    def begin_attempt(self, key: str, channel_id: int, now: datetime) -> Announcement: ...

    def queue_resend(
        self, payload: AnnouncementPayload, guild_id: int, channel_id: int, now: datetime
    ) -> Announcement: ...

    def resend_message_ids(self, channel_id: int) -> set[int]: ...

    def mark_posted(
        self, key: str, channel_id: int, message_id: int, thread_id: int | None = None
    ) -> None: ...

    def mark_step(
        self,
        key: str,
        channel_id: int,
        *,
        published_at: datetime | None = None,
        thread_id: int | None = None,
        step_error: str | None = None,
    ) -> None: ...

    def mark_delivered(self, key: str, channel_id: int, message_id: int, now: datetime) -> None: ...

    def mark_retry(
        self, key: str, channel_id: int, error: str, retry_at: datetime, now: datetime
    ) -> None: ...

    def mark_failed(self, key: str, channel_id: int, error: str) -> None: ...

    def failed_count(self, channel_id: int) -> int: ...

    def pending_count(self, channel_id: int | None = None) -> int: ...

    # -- the feed cache ------------------------------------------------------

    def feed_validators(self, url: str) -> FeedValidators: ...

    def save_feed_check(
        self,
        url: str,
        now: datetime,
        status: str,
        validators: FeedValidators | None = None,
        error: str | None = None,
    ) -> None: ...

    def feed_status(self, url: str) -> tuple[datetime | None, str | None, str | None]: ...


if TYPE_CHECKING:  # mypy checks here that the implementation keeps to the contract
    from bot.notify.store import Store

    _implementation: type[StateStore] = Store
