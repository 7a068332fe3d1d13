"""The lexical index's contract: what the hybrid search and the catalog use of it.

``engine.SearchIndex`` is the implementation. The catalog keeps an index current
(``upsert``, ``remove``) and serves autocomplete from it (``complete``); the hybrid
search ranks with it (``search``, ``weak_matches``, ``query_words``) and looks episodes
up in it (``episode``, ``episodes``, ``number_hits``, ``tie_order``). Another index (a
faster one, one on disk) is a drop-in when it offers these; building one is its own
business (``SearchIndex.build``). ``tests/project/test_contracts.py`` checks that
``SearchIndex`` keeps to it, name by name and parameter by parameter.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from bot.models import Episode, Hit, SearchResult, SortKey
from bot.search.engine import QueryWords, Where
from bot.search.query import MAX_QUERY_CHARS


class LexicalIndex(Protocol):
    # -- kept current by the catalog -------------------------------------------

    def upsert(self, episode: Episode) -> None:
        """Add the episode, or replace the one with its path."""

    def remove(self, path: str) -> None:
        """Forget the episode with that path (nothing when there is none)."""

    def prepare_texts(self) -> None:
        """Work out what queries need of every note ahead of them (background)."""

    # -- answers ---------------------------------------------------------------

    def search(
        self,
        query: str,
        limit: int = 5,
        *,
        where: Where | None = None,
        max_chars: int = MAX_QUERY_CHARS,
        snippets: bool = True,
    ) -> SearchResult:
        """Hits best first (ties broken by ``tie_order``), or suggestions when none;
        ``snippets=False`` leaves their sections and snippets to ``located``."""

    def located(self, hits: Sequence[Hit]) -> tuple[Hit, ...]:
        """``hits`` with the sections and snippets ``search(snippets=False)`` left out."""

    def complete(
        self,
        prefix: str,
        limit: int = 25,
        *,
        where: Where | None = None,
        published_at: datetime | None = None,
    ) -> list[Hit]:
        """Autocomplete: episodes by number prefix or title words; the newest for "";
        only those published at ``published_at`` when given."""

    def weak_matches(self, query: str, limit: int = 10, *, where: Where | None = None) -> list[str]:
        """Paths sharing some of the query's words without being a hit."""

    def query_words(self, query: str) -> QueryWords:
        """The words of ``query`` the index has never seen, and those that name something."""

    # -- look-ups --------------------------------------------------------------

    def episode(self, path: str) -> Episode | None: ...

    def episodes(self) -> list[Episode]:
        """Every indexed episode, newest first."""

    def number_hits(self, number: int, where: Where | None = None) -> list[Hit]: ...

    def tie_order(self, path: str) -> SortKey:
        """The explicit tie-break of equal scores."""


if TYPE_CHECKING:  # mypy checks here that the implementation keeps to the contract
    from bot.search.engine import SearchIndex

    _implementation: type[LexicalIndex] = SearchIndex
