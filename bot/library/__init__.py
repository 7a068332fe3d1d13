"""Library: the live catalog and what keeps it fresh; what a user means.

``Catalog`` holds the episodes and their search index; ``sync`` applies watcher
events and git pulls to it under one lock; ``lookup`` turns a user's words (``#16``,
a topic) into a plain result every front end renders; ``watch`` and ``gitsource``
are the two ways the content folder changes.

May import: ``bot.content``, ``bot.search``, ``bot.config``, ``bot.models``,
``bot.logs``. Never ``discord``, ``bot.notify``, ``bot.ui``, ``bot.cogs`` or ``bot.app``.
"""

from bot.library.catalog import Catalog, CatalogChange

__all__ = ["Catalog", "CatalogChange"]
