"""Where new episodes come from: one contract, one module per kind.

``contract.Source`` is what the notify cog loops over (``poll``, ``scanned``,
``state``); ``contract.scan`` hands what a round found to ``Notifier.scan``. Kinds:
``notes`` (the content notes, looked at with every scan) and ``feed`` (the podcast's
RSS/Atom feed, at its interval). A new kind is one module here, registered where the
cog builds its sources from the settings (``bot.cogs.notify.cog``).

May import what ``bot.notify`` may: never ``discord``, ``bot.config`` or ``bot.library``.
"""

from bot.notify.sources.contract import (
    FeedFound,
    Found,
    NotesFound,
    Poll,
    Source,
    SourceState,
    scan,
)
from bot.notify.sources.feed import FeedSource
from bot.notify.sources.notes import NotesSource

__all__ = [
    "FeedFound",
    "FeedSource",
    "Found",
    "NotesFound",
    "NotesSource",
    "Poll",
    "Source",
    "SourceState",
    "scan",
]
