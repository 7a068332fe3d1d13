"""Search: normalisation, the index and ranking; the one search every front end calls.

``SearchIndex.build(episodes)`` indexes; ``.search(query, limit)`` ranks; ``.complete``
serves autocomplete; ``.upsert`` / ``.remove`` keep it current. Stages: ``textnorm``
(text -> terms), ``query`` (a query -> its parts), ``postings`` and ``build`` (the
index), ``ranking`` (scores), ``snippets`` (the matched passage), ``engine`` (the API).
``contract.LexicalIndex`` is what the hybrid search and the catalog use of the index
(``SearchIndex`` keeps to it); ``semantic`` holds the ``Embedder`` and ``VectorStore``
protocols of the meaning-based layer.

May import: the standard library, its own modules, ``bot.models`` and ``bot.parallel``.
Never ``discord``, ``bot.config``, ``bot.content`` or ``bot.library``.
"""

from bot.search.contract import LexicalIndex
from bot.search.engine import SearchIndex

__all__ = ["LexicalIndex", "SearchIndex"]
