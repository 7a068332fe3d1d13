"""What a user means: an episode key ("16", "#16", "ep:<digest>") or words to search for.

``answer(catalog, query, max_chars)`` is the one decision every front end shares (slash
commands, mentions, DMs, ``python -m bot ask``): it returns a plain ``Answer`` that the
UI renders. Pure core: no discord.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

from bot.library.catalog import Catalog
from bot.models import Episode, Hit

MAX_HITS = 10
EPISODE_KEY = re.compile(r"^\s*(?:#|＃|ep\.?\s*)?(\d{1,5})\s*$", re.IGNORECASE)
PATH_KEY = "ep:"
PATH_DIGEST = re.compile(r"^[0-9a-f]{16}$")


@dataclass(frozen=True, slots=True)
class Answer:
    """What the bot found for a query, before it is turned into a message.

    ``query`` is the text searched (one line, cut to the limit); ``cut`` says whether it
    was cut. Exactly one of: ``episode`` (a key named one episode), ``hits`` (best
    first), or neither (no match; ``suggestions`` may help). An empty ``query`` means
    the user asked nothing.
    """

    query: str
    cut: bool = False
    episode: Episode | None = None
    hits: tuple[Hit, ...] = ()
    suggestions: tuple[str, ...] = field(default=())

    @property
    def empty(self) -> bool:
        return not self.query


def cut_query(query: str, max_chars: int) -> tuple[str, bool]:
    """The query on one line, cut to ``max_chars``; and whether it was cut."""
    text = " ".join((query or "").split())
    if len(text) <= max_chars:
        return text, False
    return text[:max_chars].rstrip(), True


def episode_key(episode: Episode) -> str:
    """A short value that names one episode: "#16", or for a special "ep:" and a digest
    of its path (a path may be longer than a choice value's 100 characters)."""
    if episode.number is not None:
        return f"#{episode.number}"
    return PATH_KEY + path_digest(episode.path)


def path_digest(path: str) -> str:
    return hashlib.sha1(path.encode("utf-8")).hexdigest()[:16]


def is_episode_key(text: str) -> bool:
    """Whether ``text`` names an episode ("16", "#16", "ep:...") rather than words to
    search for."""
    text = text.strip()
    return text.startswith(PATH_KEY) or EPISODE_KEY.match(text) is not None


def find_episode(catalog: Catalog, text: str) -> Episode | None:
    """The episode a user means by "16", "#16", an ``episode_key``, "ep:<path>", or
    else its title words (a search)."""
    text = text.strip()
    if not text:
        return None
    if text.startswith(PATH_KEY):
        return _published_by_key(catalog, text[len(PATH_KEY) :])
    match = EPISODE_KEY.match(text)
    if match:
        found = catalog.by_number(int(match.group(1)))
        return found[0] if found else None
    result = catalog.search(text, limit=1)
    return result.hits[0].episode if result.hits else None


def answer(catalog: Catalog, query: str, max_chars: int, limit: int = MAX_HITS) -> Answer:
    """The answer to a user's question: an episode they named, or the search's hits."""
    text, was_cut = cut_query(query, max_chars)
    if not text:
        return Answer(query="", cut=was_cut)
    if is_episode_key(text):
        episode = find_episode(catalog, text)
        if episode is not None:
            return Answer(query=text, cut=was_cut, episode=episode)
    result = catalog.search(text, limit=limit)
    return Answer(
        query=text, cut=was_cut, hits=tuple(result.hits), suggestions=tuple(result.suggestions)
    )


def _published_by_key(catalog: Catalog, key: str) -> Episode | None:
    published = catalog.published()
    if PATH_DIGEST.match(key):
        found = next((e for e in published if path_digest(e.path) == key), None)
        if found is not None:
            return found
    episode = catalog.by_path(key)
    return episode if episode is not None and episode in published else None
