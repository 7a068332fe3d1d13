"""Search index over episodes. (Interface only; being written.)"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from bot.models import Episode, Hit, SearchResult

Where = Callable[[Episode], bool]


class SearchIndex:
    @classmethod
    def build(cls, episodes: Iterable[Episode]) -> SearchIndex:
        return cls()

    def upsert(self, episode: Episode) -> None:
        raise NotImplementedError

    def remove(self, path: str) -> None:
        raise NotImplementedError

    def search(self, query: str, limit: int = 5, *, where: Where | None = None) -> SearchResult:
        raise NotImplementedError

    def complete(self, prefix: str, limit: int = 25, *, where: Where | None = None) -> list[Hit]:
        raise NotImplementedError
