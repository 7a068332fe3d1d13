"""Discord companion for a podcast's Hugo show notes.

``from bot import create_bot, Settings, load_settings, Catalog``. Importing the package
touches no network and needs no token; ``create_bot`` and ``Catalog`` are imported
lazily so the core and the CLI's offline commands do not load what they do not use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bot.config import Settings, load_settings

if TYPE_CHECKING:
    from bot.app import create_bot
    from bot.library import Catalog

__all__ = ["Catalog", "Settings", "create_bot", "load_settings"]


def __getattr__(name: str) -> Any:
    if name == "create_bot":
        from bot.app import create_bot

        return create_bot
    if name == "Catalog":
        from bot.library import Catalog

        return Catalog
    raise AttributeError(name)
