"""The one search every front end calls: query understanding, then lexical and semantic
retrieval fused into one ranking.

``HybridSearch.search(query, limit, where=..., today=...)``:

1. ``bot.search.understand`` reads what is not a topic: episode numbers (``#5と#6``,
   ``第二十五回``), a show-notes URL, dates and ranges (``2020年秋の回``, ``Nov 2020``),
   first/newest, and who spoke (``森田が話した回``).
2. Numbers and a URL name episodes: those come first. Dates, first/newest and a
   speaker narrow the episodes; with no topic left, the answer is those episodes by
   date (or nothing when none falls there).
3. What is left is the topic: the lexical engine (``SearchIndex``, strong on names,
   typos and kana) and, once built, the semantic index (sentence embeddings of each
   section) rank it; the two rankings are fused by reciprocal rank.

No match: the lexical engine has its coverage rule; a semantic candidate counts only
above ``SEMANTIC_FLOOR`` and near the best one. With no lexical hit, the semantic
answer stands alone only when it is confident (``SEMANTIC_ALONE``) and the query names
nothing unknown: a rare word found nowhere in the notes (``Bedrock``) means the show
never covered it, however close its neighbours sound.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from urllib.parse import unquote, urlsplit
from zoneinfo import ZoneInfo

from bot.models import Episode, Hit, SearchResult
from bot.search.engine import SearchIndex
from bot.search.query import MAX_QUERY_CHARS
from bot.search.semantic import SemanticHit, SemanticIndex
from bot.search.snippets import cut
from bot.search.understand import DateRange, Order, Understood, understand

log = logging.getLogger(__name__)

Where = Callable[[Episode], bool]

RRF_K = 10  # reciprocal-rank constant: small, so the first places weigh most
LEXICAL_WEIGHT = 1.0
SEMANTIC_WEIGHT = 0.6
# A semantic candidate's strength is its z: how many standard deviations its best
# passage stands above the query's typical passage (cosines alone are compressed).
Z_FUSE = 3.0  # a candidate fused with lexical hits
Z_ALONE = 3.8  # the answer when the lexical engine has none
Z_ALONE_UNKNOWN = 4.4  # the same when the query names a word the notes never use
Z_SUPPORTED = 2.6  # the answer when it also shares some words with the query
SEMANTIC_FLOOR = 0.78  # cosine below which a passage is never about the query
DEPTH = 30  # candidates taken from each engine before fusing


@dataclass(frozen=True, slots=True)
class Trace:
    """Why the search answered what it did (``python -m bot search --explain``, bench)."""

    understood: Understood
    lexical: tuple[str, ...] = ()  # paths, best first
    semantic: tuple[tuple[str, float], ...] = ()
    unknown: tuple[str, ...] = ()
    semantic_state: str = "off"


class HybridSearch:
    def __init__(
        self,
        lexical: SearchIndex,
        *,
        timezone: str = "Asia/Tokyo",
        speakers: Sequence[str] = (),
    ) -> None:
        self.lexical = lexical
        self.semantic: SemanticIndex | None = None
        self.semantic_state = "off"
        self.tz = ZoneInfo(timezone)
        self.speakers = tuple(speakers)
        self.last_trace: Trace | None = None

    # -- the one search ------------------------------------------------------------

    def search(
        self,
        query: str,
        limit: int = 5,
        *,
        where: Where | None = None,
        today: date | None = None,
        max_chars: int = MAX_QUERY_CHARS,
    ) -> SearchResult:
        """Episodes for ``query`` (its first ``max_chars`` characters), best first;
        suggestions when nothing matches."""
        today = today or datetime.now(self.tz).date()
        query = query[:max_chars]
        told = understand(query, today=today, speakers=self.speakers)
        self.last_trace = Trace(told, semantic_state=self.semantic_state)
        if limit <= 0:
            return SearchResult(query, ())
        named = self._named(told, where)
        narrowed = _narrowing(told)
        if narrowed:
            where = _and(where, self._narrow(told))
        topic = told.text.strip()
        if not topic:
            if named or not narrowed:
                if named or told.numbers or told.url_path:
                    return SearchResult(query, tuple(named[:limit]))
                # nothing understood and nothing left: the lexical engine decides
                return self.lexical.search(query, limit, where=where, max_chars=max_chars)
            listed = self._listed(told, where, limit)
            return SearchResult(query, tuple(_dedupe([*named, *listed])[:limit]))
        if told.numbers and not named and not narrowed:
            # "#99" that does not exist: the topic words alone would mislead
            return self.lexical.search(query, limit, where=where, max_chars=max_chars)
        found = self._topic(topic if (named or narrowed) else query, limit, where, max_chars)
        hits = _dedupe([*named, *found.hits])[:limit]
        if hits:
            return SearchResult(query, tuple(hits))
        return SearchResult(query, (), found.suggestions)

    def _topic(self, text: str, limit: int, where: Where | None, max_chars: int) -> SearchResult:
        """Lexical and semantic rankings of a topic, fused."""
        depth = max(DEPTH, limit)
        lexical = self.lexical.search(text, depth, where=where, max_chars=max_chars)
        unknown = self.lexical.unknown_terms(text)
        semantic = self._semantic(text, depth, where)
        self.last_trace = replace(
            self.last_trace or Trace(Understood(text=text)),
            lexical=tuple(h.episode.path for h in lexical.hits),
            semantic=tuple((h.path, round(h.score, 3)) for h in semantic),
            unknown=tuple(unknown),
        )
        semantic = [h for h in semantic if h.score >= SEMANTIC_FLOOR]
        if not semantic:
            return SearchResult(text, lexical.hits[:limit], lexical.suggestions)
        if not lexical.hits:
            top = semantic[0]
            supported = top.path in self.lexical.weak_matches(text, 10, where=where)
            needed = Z_SUPPORTED if supported else Z_ALONE_UNKNOWN if unknown else Z_ALONE
            if top.z < needed:
                return SearchResult(text, (), lexical.suggestions)
            floor = max(Z_FUSE, top.z - 1.0)
        else:
            floor = Z_FUSE
        kept = [h for h in semantic if h.z >= floor]
        fused = self._fuse(lexical.hits, kept)
        return SearchResult(text, tuple(fused[:limit]), lexical.suggestions)

    def semantic_ranking(
        self, text: str, limit: int = 5, *, where: Where | None = None
    ) -> list[SemanticHit]:
        """The semantic layer alone (bench, explain): episodes by best passage cosine,
        above ``SEMANTIC_FLOOR``."""
        return [h for h in self._semantic(text, limit, where) if h.z >= Z_ALONE]

    def _semantic(self, text: str, limit: int, where: Where | None) -> list[SemanticHit]:
        index = self.semantic
        if index is None:
            return []
        try:
            vector = index.embed_query(text)
        except Exception:
            log.exception("query embedding failed; answering from the lexical engine")
            return []
        allowed = None
        if where is not None:
            lexical = self.lexical

            def allowed(path: str) -> bool:
                episode = lexical.episode(path)
                return episode is not None and where(episode)

        return index.search(vector, limit, allowed)

    def _fuse(self, lexical: Sequence[Hit], semantic: Sequence[SemanticHit]) -> list[Hit]:
        scores: dict[str, float] = {}
        hits: dict[str, Hit] = {}
        for rank, hit in enumerate(lexical, 1):
            path = hit.episode.path
            scores[path] = scores.get(path, 0.0) + LEXICAL_WEIGHT / (RRF_K + rank)
            hits[path] = hit
        for rank, found in enumerate(semantic, 1):
            scores[found.path] = scores.get(found.path, 0.0) + SEMANTIC_WEIGHT / (RRF_K + rank)
            if found.path not in hits:
                episode = self.lexical.episode(found.path)
                if episode is None:
                    continue
                hits[found.path] = _semantic_hit(episode, found)
        top = max(scores.values(), default=1.0) or 1.0
        order = sorted(
            hits,
            key=lambda p: (-scores[p], *self.lexical.tie_order(p)),
        )
        return [replace(hits[p], score=round(100 * scores[p] / top, 2)) for p in order]

    # -- what is not a topic -----------------------------------------------------------

    def _named(self, told: Understood, where: Where | None) -> list[Hit]:
        """Episodes the query names by number or by show-notes URL, in that order."""
        out: list[Hit] = []
        if told.url_path:
            out.extend(self._by_url(told.url_path, where))
        for number in told.numbers:
            out.extend(self.lexical.number_hits(number, where))
        return _dedupe(out)

    def _by_url(self, url_path: str, where: Where | None) -> list[Hit]:
        wanted = _clean_path(url_path)
        found = []
        for episode in self.lexical.episodes():
            if where is not None and not where(episode):
                continue
            for own in _page_paths(episode):
                if wanted == own or (len(own) > 1 and wanted.endswith(own)):
                    found.append(_plain_hit(episode))
                    break
        return found

    def _narrow(self, told: Understood) -> Where:
        tz = self.tz
        dates, speaker = told.dates, told.speaker

        def keep(episode: Episode) -> bool:
            if dates is not None and not _within(episode, dates, tz):
                return False
            return speaker is None or spoke(episode, speaker)

        return keep

    def _listed(self, told: Understood, where: Where | None, limit: int) -> list[Hit]:
        """Episodes that pass the narrowing, by date: oldest first for a range and for
        "the first", newest first for "the newest" or a speaker."""
        chosen = [e for e in self.lexical.episodes() if where is None or where(e)]
        dated = [e for e in chosen if e.sort_date is not None]
        newest_first = told.order is Order.LATEST or (told.dates is None and told.order is None)
        dated.sort(key=lambda e: (e.sort_date, e.number or 0, e.path), reverse=newest_first)
        if told.order is not None:
            dated = dated[:1]
        return [_plain_hit(e) for e in dated[:limit]]


# -- helpers -------------------------------------------------------------------------


def _narrowing(told: Understood) -> bool:
    return told.dates is not None or told.order is not None or told.speaker is not None


def _and(first: Where | None, second: Where) -> Where:
    if first is None:
        return second
    return lambda e: first(e) and second(e)


def _within(episode: Episode, span: DateRange, tz: ZoneInfo) -> bool:
    when = episode.sort_date
    if when is None:
        return False
    day = when.astimezone(tz).date()
    return span.start <= day <= span.end


def spoke(episode: Episode, speaker: str) -> bool:
    """Whether the notes say ``speaker`` talked in this episode: an author, the summary
    ("森田が…話したよ") or a heading ("（森田担当）")."""
    name = speaker.casefold()
    if any(name == a.casefold() for a in episode.authors):
        return True
    if name in episode.summary.casefold():
        return True
    return any(name in s.heading.casefold() for s in episode.sections)


def _page_paths(episode: Episode) -> Iterable[str]:
    if episode.page_url:
        yield _clean_path(urlsplit(episode.page_url).path)
    folder = episode.path.rsplit("/", 1)[0] if episode.path.endswith("/index.md") else None
    if folder:
        yield _clean_path("/" + folder)


def _clean_path(path: str) -> str:
    text = unquote(path or "/").strip()
    if not text.startswith("/"):
        text = "/" + text
    if not text.endswith("/"):
        text += "/"
    return text.lower()


def _plain_hit(episode: Episode) -> Hit:
    return Hit(episode, 100.0, None, cut(episode.summary, 0))


def _semantic_hit(episode: Episode, found: SemanticHit) -> Hit:
    if 0 <= found.section < len(episode.sections):
        section = episode.sections[found.section]
        return Hit(episode, 0.0, section, cut(section.text, 0))
    return Hit(episode, 0.0, None, cut(episode.summary, 0))


def _dedupe(hits: Iterable[Hit]) -> list[Hit]:
    seen: set[str] = set()
    out: list[Hit] = []
    for hit in hits:
        if hit.episode.path not in seen:
            seen.add(hit.episode.path)
            out.append(hit)
    return out
