"""Notify: what is new and when to announce it, the feed, and the state store.

``diff`` decides what to announce (``Notifier.scan``), ``feed`` reads a podcast RSS
feed, ``store`` keeps subscriptions and deliveries in SQLite (``schema`` migrates it).

May import: the standard library, its own modules, ``bot.models`` and ``bot.content``.
Never ``discord``, ``bot.config`` or ``bot.library``.
"""

from bot.notify.diff import Notifier, from_episode

__all__ = ["Notifier", "from_episode"]
