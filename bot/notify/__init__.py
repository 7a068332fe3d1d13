"""Notify: what is new and when to announce it, the feed, and the state store.

``diff`` decides what to announce (``Notifier.scan``), ``feed`` reads a podcast RSS
feed, ``store`` keeps subscriptions and deliveries in SQLite (``schema`` migrates it).
``sources`` holds the ``Source`` contract the cog loops over and one module per kind
(the notes, the feed); ``contract.StateStore`` is what the cog uses of the store.

May import: the standard library, its own modules, ``bot.models`` and ``bot.content``.
Never ``discord``, ``bot.config`` or ``bot.library``.
"""

from bot.notify.diff import Notifier, from_episode

__all__ = ["Notifier", "from_episode"]
