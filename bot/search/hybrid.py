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
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from urllib.parse import unquote, urlsplit
from zoneinfo import ZoneInfo

from bot.models import Episode, Hit, SearchResult
from bot.search.commonness import is_coined, is_generic, zipf
from bot.search.contract import LexicalIndex
from bot.search.engine import capitalised
from bot.search.query import MAX_QUERY_CHARS
from bot.search.readings import (
    EXACT_QUALITY,
    ReadingIndex,
    ReadingMemo,
    episode_texts,
    name_spellings,
    pieces,
    sound_variants,
)
from bot.search.semantic import SemanticHit, SemanticIndex
from bot.search.snippets import cut
from bot.search.synonyms import Synonyms, expand_query
from bot.search.understand import DateRange, Order, Understood, understand

log = logging.getLogger(__name__)

Where = Callable[[Episode], bool]

RRF_K = 10  # reciprocal-rank constant: small, so the first places weigh most
LEXICAL_WEIGHT = 1.0
SEMANTIC_WEIGHT = 0.6
# A semantic candidate's strength is its z: how many standard deviations its best
# passage stands above the query's typical passage (cosines alone are compressed).
Z_FUSE = 3.0  # a candidate fused with lexical hits
Z_ALONE = 3.5  # the answer when the lexical engine has none
Z_ALONE_UNKNOWN = 4.4  # the same when the query names a word the notes never use
Z_SUPPORTED = 2.5  # the answer when it also shares some words with the query
Z_SUPPORTED_UNKNOWN = 3.9  # the same when the query also names something unknown
WEAK_VOTE = 2.0  # weight of the weak lexical ranking in that vote
# ... or when one episode clearly leads the others (on a small site the z of even a
# good match is small: with 40 passages it cannot pass 6)
CLEAR_MARGIN = 0.02
CLEAR_FLOOR = 0.84
ENGLISH_WORD = 3.0  # wordfreq zipf from which a lower-case English word is a dictionary word
SEMANTIC_FLOOR = 0.78  # cosine below which a passage is never about the query
ALONE_FLOOR = 0.85  # cosine a semantic answer needs when the lexical engine has none
# ... for a query in English: e5 puts an English query lower against Japanese notes
ALONE_FLOOR_ENGLISH = 0.83
DEPTH = 30  # candidates taken from each engine before fusing
STRONG_LEXICAL = 65.0  # a lexical best hit this strong keeps its order
WEAK_LEXICAL = 50.0  # below: a semantic best of z >= Z_LEAD goes first
Z_LEAD = 3.1
MAX_SOUND_TRIES = 3  # spellings tried for a katakana word the notes never write
MAX_HOMOPHONES = 4  # words of the notes tried for one piece of a compound they never write


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
        lexical: LexicalIndex,
        *,
        timezone: str = "Asia/Tokyo",
        speakers: Sequence[str] = (),
        synonyms: Synonyms | None = None,
    ) -> None:
        self.lexical = lexical
        self.semantic: SemanticIndex | None = None
        self.semantic_state = "off"
        self.tz = ZoneInfo(timezone)
        self.readings: ReadingIndex | None = None
        self.reading_memo = ReadingMemo()  # the last build's Sudachi work, for the next
        self.synonyms = synonyms or Synonyms()
        self.speakers: tuple[str, ...] = ()
        self._speaker_names: tuple[str, ...] = ()
        self._speaker_of: dict[str, str] = {}
        self.set_speakers(speakers)
        self.last_trace: Trace | None = None
        self._plain_texts: dict[str, tuple[Episode, str]] = {}

    def set_speakers(self, speakers: Sequence[str]) -> None:
        """Who speaks on the show, the synonyms of their names, and, once the reading
        index is built (the dictionary loaded), their names in kana and romaji (加藤:
        かとう, Kato)."""
        alias: dict[str, str] = {}
        for name in speakers:
            alias.setdefault(name, name)
            for other in self.synonyms.expand(name):
                alias.setdefault(other, name)
        if self.readings is not None:
            for name in speakers:
                for spelled in name_spellings(name):
                    alias.setdefault(spelled, name)
        self._speaker_names = tuple(speakers)
        self._speaker_of = alias
        self.speakers = tuple(alias)

    def read_notes(self, episodes: Sequence[Episode]) -> None:
        """Build the reading index of the notes' words (runs off the event loop)."""
        self.readings = ReadingIndex.build(episode_texts(episodes), self.reading_memo)
        self.spell_speakers()

    def spell_speakers(self) -> None:
        """Add the speakers' kana and romaji names, now that the readings can be had."""
        self.set_speakers(self._speaker_names)

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
        # "re:Invent 2025", "Cloud Next 2023": a year right after a name is the name's
        told = _keep_named_years(
            query, understand(_mask_named_years(query), today=today, speakers=self.speakers)
        )
        if told.speaker is not None:
            told = replace(told, speaker=self._speaker_of.get(told.speaker, told.speaker))
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
        found = self._topic(topic, limit, where, max_chars)
        hits = self.lexical.located(_dedupe([*named, *found.hits])[:limit])
        if hits:
            return SearchResult(query, tuple(hits))
        return SearchResult(query, (), found.suggestions)

    def _topic(self, text: str, limit: int, where: Where | None, max_chars: int) -> SearchResult:
        """Lexical and semantic rankings of a topic, fused."""
        depth = max(DEPTH, limit)
        words = self.lexical.query_words(text)  # one pass over the query for every rule
        lexical = self._lexical(text, depth, where, max_chars, words.absent)
        unknown = words.unknown
        if any(capitalised(word, text) for word in unknown):
            # a capitalised word of a name the notes never use ("AWS App Runner",
            # "BigQuery Omni"): the query names something the show did not cover
            return SearchResult(text, (), lexical.suggestions)
        # "Kubernetes 1.35", "Gemini 3": the notes must write that version with that
        # name; "Azure Functions", "Terraform Cloud": a name and the capitalised
        # everyday word after it must stand together. Typos are not held to it.
        normal = unicodedata.normalize("NFKC", text)
        absent = {w.lower() for w in words.absent}
        versions = [
            (name, version)
            for name, version in _VERSION.findall(normal)
            if name.lower() not in absent and not name[:1].isdigit()
        ]
        names: list[str] = [
            _name_pattern((name,), version)
            for name, version in versions
            if not _YEAR.match(version)
        ]
        # an event's year ("AWS DevDay Online Japan 2020") the notes may leave unwritten
        years = [(name, int(version)) for name, version in versions if _YEAR.match(version)]
        # the everyday word may instead stand with the word after it: "EC2 Mac
        # instance" is about the notes' "Mac Instance", "AWS Step Functions" "Step Functions"
        names += [
            _name_pattern(
                (f"{first} {second}", f"{second} {third}") if third else (f"{first} {second}",)
            )
            for first, second, third in _NAME_PAIR.findall(normal)
            if first.lower() not in absent
            and second.lower() not in absent
            and not is_generic(first)
            and is_generic(second)
        ]
        # the query is a name, or opens with one that Japanese follows ("Cloud Functionsの話")
        whole = _WHOLE_NAME.fullmatch(normal.strip()) or _NAME_THEN_JAPANESE.match(normal.strip())
        if whole and not any(w.lower() in absent for w in whole.group(1).split()):
            names.append(_whole_name(whole.group(1)))  # the query is a name: "Apple Vision Pro"
        if years:
            # the year is the rule's to check: a note that leaves it unwritten still counts
            yearless = _mask_named_years(normal, "")
            if yearless.strip() and yearless != normal:
                # after the notes that write it, which rank as the query's words say
                taken = {h.episode.path for h in lexical.hits}
                more = self._lexical(yearless, depth, where, max_chars, words.absent).hits
                lexical = replace(
                    lexical,
                    hits=(*lexical.hits, *(h for h in more if h.episode.path not in taken)),
                )
        if names or years:

            def named(episode: Episode) -> bool:
                plain = self._plain(episode)
                return _mentions_all(plain, names) and all(
                    self._of_year(episode, plain, name, year) for name, year in years
                )

            where = _and(where, named)
            lexical = SearchResult(
                text, tuple(h for h in lexical.hits if named(h.episode)), lexical.suggestions
            )
        semantic = self._semantic(text, depth, where)
        self.last_trace = replace(
            self.last_trace or Trace(Understood(text=text)),
            lexical=tuple(h.episode.path for h in lexical.hits),
            semantic=tuple((h.path, round(h.score, 3)) for h in semantic),
            unknown=tuple(unknown),
        )
        # an everyday English word written in lower case ("authentication",
        # "repositories") describes a topic the notes write in Japanese: it is no name
        naming = [w for w in unknown if not _described(w, text)]
        semantic = [h for h in semantic if h.score >= SEMANTIC_FLOOR]
        if not semantic:
            return SearchResult(text, lexical.hits[:limit], lexical.suggestions)
        if not lexical.hits:
            # No hit: the semantic ranking and the episodes sharing some of the words
            # (weak matches) vote; the winner must stand out enough for its support.
            weak = self.lexical.weak_matches(text, 10, where=where)
            voted = _vote(semantic, weak)
            # the vote's winner, or else the semantic best standing on its own
            top = next(
                (
                    h
                    for h in (voted, semantic[0])
                    if _confident(h, semantic, weak, bool(naming), _floor(text))
                ),
                None,
            )
            if top is None:
                return SearchResult(text, (), lexical.suggestions)
            semantic = [top, *(h for h in semantic if h.path != top.path)]
            # the answer itself, even when it passed on a clear lead below Z_FUSE
            floor = min(top.z, max(Z_FUSE, top.z - 1.0))
        else:
            floor = Z_FUSE
        kept = [h for h in semantic if h.z >= floor]
        if lexical.hits and lexical.hits[0].score >= STRONG_LEXICAL:
            # a name matched squarely: its order stands, meaning only adds candidates
            taken = {h.episode.path for h in lexical.hits}
            extra = [
                _semantic_hit(e, h)
                for h in kept
                if h.path not in taken and (e := self.lexical.episode(h.path)) is not None
            ]
            return SearchResult(text, tuple([*lexical.hits, *extra][:limit]), lexical.suggestions)
        fused = self._fuse(lexical.hits, kept)
        lead = semantic[0]
        if (
            lexical.hits
            and lexical.hits[0].score < WEAK_LEXICAL
            and lead.z >= Z_LEAD
            and lead.score >= _floor(text)
            and fused
            and fused[0].episode.path != lead.path
        ):
            # the words matched only weakly ("online English lessons" finds a page
            # that says "英語字幕"); the meaning points clearly elsewhere: it leads
            first = [h for h in fused if h.episode.path == lead.path]
            fused = [*first, *(h for h in fused if h.episode.path != lead.path)]
        return SearchResult(text, tuple(fused[:limit]), lexical.suggestions)

    def _of_year(self, episode: Episode, plain: str, name: str, year: int) -> bool:
        """Whether the note is about ``name`` of ``year``: it writes the two together
        ("re:Invent 2020"), or it writes the name with no year at all and went out that
        year (the notes' "AWS DevDay Online Japan" of 2020). "Google Cloud Next 2023" is
        not the Next of a 2020 episode, and a January note that writes "re:Invent 2020"
        is not about re:Invent of the year it went out."""
        if re.search(_name_pattern((name,), str(year)), plain):
            return True
        if not re.search(_name_pattern((name,)), plain):
            return False
        if re.search(_name_pattern((name,)) + _ANY_YEAR, plain):
            return False
        when = episode.sort_date
        return when is not None and when.astimezone(self.tz).year == year

    def semantic_ranking(
        self, text: str, limit: int = 5, *, where: Where | None = None
    ) -> list[SemanticHit]:
        """The semantic layer alone (bench, explain): episodes by best passage cosine,
        above ``SEMANTIC_FLOOR``."""
        return [h for h in self._semantic(text, limit, where) if h.z >= Z_ALONE]

    def prepare_names(self, episodes: Iterable[Episode]) -> None:
        """Work out every note's Latin text for the name rules ahead of the queries
        (background thread): a query naming a product checks every episode, and each
        note's first check cost about 0.6 ms."""
        for episode in episodes:
            self._plain(episode)

    def _plain(self, episode: Episode) -> str:
        """The episode's Latin text (NFKC, lower case; each run of other letters a NUL,
        which no pattern's separator matches: ``SQSのDLQ`` does not write "SQS DLQ"),
        worked out once per version of the note: all the name rules read."""
        held = self._plain_texts.get(episode.path)
        if held is None or held[0] is not episode:
            held = (episode, _NOT_LATIN.sub(_latin_gap, _plain_text(episode)))
            self._plain_texts[episode.path] = held
        return held[1]

    def _lexical(
        self,
        text: str,
        limit: int,
        where: Where | None,
        max_chars: int,
        absent: Sequence[str] = (),
    ) -> SearchResult:
        """The lexical ranking of ``text`` and of its synonym variants, fused; when none
        matches, the query respelled with the notes' words that sound the same."""
        found = self.lexical.search(text, limit, where=where, max_chars=max_chars, snippets=False)
        variants = expand_query(text, self.synonyms) if self.synonyms else ()
        if variants:
            rankings = [found.hits] + [
                self.lexical.search(v, limit, where=where, max_chars=max_chars, snippets=False).hits
                for v in variants
            ]
            fused = self._fuse_lexical(rankings)
            if fused:
                return SearchResult(text, tuple(fused[:limit]), found.suggestions)
        if self.readings is None:
            return found
        if found.hits:
            # kana typed inside a Latin word ("cloudふろんと") is a slip even when the
            # Latin part alone matches ("cloud"): the word respelled is asked too
            mixed = self._mixed_respelled(text, typed_in_hiragana=True)
            if mixed is None:
                return found
            again = self.lexical.search(
                mixed, limit, where=where, max_chars=max_chars, snippets=False
            )
            if again.hits:
                return SearchResult(text, again.hits, found.suggestions)
            return found
        for respelled in self._respellings(text, absent):
            again = self.lexical.search(
                respelled, limit, where=where, max_chars=max_chars, snippets=False
            )
            if again.hits:
                return SearchResult(text, again.hits, found.suggestions)
        return found

    def _respellings(self, text: str, absent: Sequence[str]) -> list[str]:
        """``text`` with each word the notes never use replaced by the notes' word that
        reads the same (視覚 for 資格, SageMaker for せーじmaker, Jetson for jetoson)."""
        readings = self.readings
        if readings is None:
            return []
        out: list[str] = []
        changed = text
        for word in absent:
            for raw in _raw_spans(text, word):
                respelled = self._respelled(raw, readings)
                if respelled is not None:
                    changed = changed.replace(raw, respelled, 1)
                    break
        if changed != text:
            out.append(changed)
        # a katakana word the notes never write whose pieces all occur in them is not
        # "absent", yet may still be a slip (テータラングラー, クラウトラン, セージメイカー):
        # only a word that reads the same or a dakuten put back stands for it
        for run in _KATAKANA_RUN.findall(text):
            if run in absent or readings.knows(run):
                continue
            alternatives = readings.alternatives(run, 1)
            if alternatives and alternatives[0][1] >= EXACT_QUALITY:
                out.append(text.replace(run, alternatives[0][0], 1))
                continue
            # fewest changes first; the caller keeps the first the notes match
            out += [text.replace(run, v, 1) for v in sound_variants(run)[:MAX_SOUND_TRIES]]
        latin = _ROMAJI_RUN.findall(text)
        for span in latin:
            words = span.split()
            if len(words) > 1:
                alternatives = readings.alternatives_for_span(words, 1)
                if alternatives:
                    out.append(text.replace(span, alternatives[0][0], 1))
        mixed = self._mixed_respelled(text)
        if mixed is not None:
            out.append(mixed)
        return out

    def _mixed_respelled(self, text: str, typed_in_hiragana: bool = False) -> str | None:
        """``text`` with each word of Latin letters and kana together ("せーじmaker")
        replaced by the notes' word that reads the same, or None. ``typed_in_hiragana``:
        only words whose kana part has hiragana ("EC2インスタンス" is how notes write)."""
        readings = self.readings
        if readings is None:
            return None
        changed = text
        for mixed in _MIXED.findall(text):
            if _PARTICLE_JOIN.search(mixed):
                continue  # "AWSのサービス": a name and a particle, no slip
            if typed_in_hiragana and not _HIRAGANA.search(mixed):
                continue
            alternatives = readings.alternatives(mixed, 1)
            if alternatives:
                changed = changed.replace(mixed, alternatives[0][0], 1)
        return changed if changed != text else None

    def _respelled(self, raw: str, readings: ReadingIndex) -> str | None:
        """The notes' spelling of one word the notes never use: a word that reads the
        same (視覚 for 資格), the same with its dakuten back or its romaji in katakana
        (データフロー for テータフロー or deetafuroo), or a compound with one of its
        pieces respelled (移行 事例 for 以降事例; 異常検知 for 以上検知, where 以上 is a
        word of the notes but 以上検知 is not: of the words that read like a piece, the
        one that makes the compound the notes' own is taken)."""
        alternatives = readings.alternatives(raw, 1)
        if alternatives:
            return alternatives[0][0]
        for variant in sound_variants(raw):
            if not self.lexical.query_words(variant).absent:
                return variant
        parts = pieces(raw)
        if len(parts) < 2:
            return None
        respelled = list(parts)
        for i, part in enumerate(parts):
            present = not self.lexical.query_words(part).absent
            if present and not _KANJI_WORD.fullmatch(part):
                continue
            choices = [w for w, _ in readings.alternatives(part, MAX_HOMOPHONES)]
            joined = next(
                (
                    w
                    for w in choices
                    if not self.lexical.query_words(
                        "".join([*parts[:i], w, *parts[i + 1 :]])
                    ).absent
                ),
                None,
            )
            if joined is not None:
                return "".join([*parts[:i], joined, *parts[i + 1 :]])
            if not present and choices:
                respelled[i] = choices[0]
        # the pieces apart: the notes need not write them as one compound
        return " ".join(respelled) if respelled != parts else None

    def _fuse_lexical(self, rankings: Sequence[Sequence[Hit]]) -> list[Hit]:
        scores: dict[str, float] = {}
        hits: dict[str, Hit] = {}
        for weight, ranking in zip((1.0, *([0.8] * (len(rankings) - 1))), rankings, strict=True):
            for rank, hit in enumerate(ranking, 1):
                path = hit.episode.path
                scores[path] = scores.get(path, 0.0) + weight / (RRF_K + rank)
                hits.setdefault(path, hit)
        order = sorted(hits, key=lambda p: (-scores[p], *self.lexical.tie_order(p)))
        top = max(scores.values(), default=1.0) or 1.0
        return [replace(hits[p], score=round(100 * scores[p] / top, 2)) for p in order]

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
        dates, speaker, alone = told.dates, told.speaker, told.alone
        # a speaker by any of their names: "早川" in a summary is "hayakawa" the author
        names: dict[str, list[str]] = {}
        for alias, name in self._speaker_of.items():
            names.setdefault(name, []).append(alias)
        said = {name: _said_by(spellings) for name, spellings in names.items()}
        if speaker is not None and speaker not in said:
            said[speaker] = _said_by([speaker])
        # Notes that ever say someone spoke alone mark every such episode; notes that
        # never do say "2人で" instead, and an episode naming one speaker is theirs alone.
        marked = alone and any(spoke_alone(e, None) for e in self.lexical.episodes())

        def keep(episode: Episode) -> bool:
            if dates is not None and not _within(episode, dates, tz):
                return False
            if alone:
                if marked:
                    if not any(spoke_alone(episode, n) for n in names.get(speaker or "", [None])):
                        return False
                elif (
                    _SEVERAL.search(episode.summary)
                    or sum(test(episode) for test in said.values()) != 1
                ):
                    return False
            return speaker is None or said[speaker](episode)

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


_NOT_LATIN = re.compile(r"[^\x00-\x7f’]+")  # what no name rule's pattern matches
# brackets and other marks between two Latin words: "【AWS】CDK" writes "AWS CDK"
_ONLY_MARKS = re.compile(r"[^\w]+")


def _latin_gap(run: re.Match[str]) -> str:
    """What a run of other characters becomes in a note's Latin text: a space when it
    holds only marks (a bracket, a middle dot), else a NUL that no pattern matches."""
    return " " if _ONLY_MARKS.fullmatch(run.group()) else "\x00"


_KATAKANA_RUN = re.compile(r"[\u30a1-\u30fa][\u30a1-\u30faー]{2,}")
# a particle between the Latin and the kana part of a mixed run: two words, not one
_PARTICLE_JOIN = re.compile(r"[A-Za-z][のがをにでとはへもや]|[のがをにでとはへもや][A-Za-z]")
_HIRAGANA = re.compile(r"[\u3041-\u3096]")
_KANJI_WORD = re.compile(r"[\u4e00-\u9fff々]{2,}")
_ROMAJI_RUN = re.compile(r"[A-Za-z]+(?:\s+[A-Za-z]+)+")
_MIXED = re.compile(r"[\u3041-\u30ff\u30fc]+[A-Za-z]+|[A-Za-z]+[\u3041-\u30ff\u30fc]+")


def _raw_spans(text: str, word: str) -> list[str]:
    """How ``word`` (normalised, lower case) is written in ``text``."""
    found = re.findall(re.escape(word), text, flags=re.IGNORECASE)
    if found:
        return found
    normal = unicodedata.normalize("NFKC", text)
    return [m for m in re.findall(re.escape(word), normal, flags=re.IGNORECASE)] or [word]


# a version or year written after a name: "1.35", "v2", "3", "2025", also before a
# particle ("re:Invent 2021の", "1.30は"); a kanji or katakana after the number makes it
# a quantity ("10周年", "10万ノード"), not a version
_VERSION = re.compile(
    r"([A-Za-z][A-Za-z0-9:.\-]*?)[\s\-'’]{0,2}((?:v|ver\.?\s?)?\d+(?:\.\d+)*)"
    r"(?![A-Za-z0-9_\u30a1-\u30fa\u4e00-\u9fff々]|\.\d)",
    re.IGNORECASE,
)
# a query that is only a name of two or more capitalised words (and maybe a version)
_WHOLE_NAME = re.compile(r"([A-Z][A-Za-z0-9:\-]*(?: +[A-Z][A-Za-z0-9:\-]*)+)(?: +v?\d[\d.]*)?")
_NAME_THEN_JAPANESE = re.compile(
    r"([A-Z][A-Za-z0-9:\-]*(?: +[A-Z][A-Za-z0-9:\-]*)+)(?: +v?\d[\d.]*)? *"
    r"(?=[\u3041-\u30ff\u4e00-\u9fff])"
)
# a name and a capitalised everyday word after it: "Azure Functions", "Terraform Cloud"
_NAME_PAIR = re.compile(
    r"(?<![A-Za-z0-9])([A-Z][A-Za-z0-9:\-]*) +(?=([A-Z][a-z]+)(?![A-Za-z0-9])"
    r"(?: +([A-Za-z][A-Za-z0-9\-]*))?)"
)
# where a name's words, or a camel-case word's pieces, meet: "AWS DevDay" -> AWS|Dev|Day
_CAMEL_PIECE = re.compile(r"\s+|(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_YEAR = re.compile(r"(?:19|20)\d\d$")
_ANY_YEAR = r"[\s\-'’]{0,2}(?:19|20)\d\d(?!\d)"
_NAMED_YEAR = re.compile(r"(?<=[A-Za-z])(\s*['’]?)((?:19|20)\d\d)\b")
_YEAR_MASK = "\ue010"


_DATE_WORDS = frozenset(
    re.findall(
        r"\w+",
        "jan feb mar apr may jun jul aug sep sept oct nov dec january february march april "
        "june july august september october november december spring summer autumn fall "
        "winter in of from since until before after during year",
    )
)


def _named_years(query: str) -> list[re.Match[str]]:
    """Years right after a name ("re:Invent 2025"), not after "Nov" or "in"."""
    out = []
    for match in _NAMED_YEAR.finditer(query):
        words = re.findall(r"[A-Za-z]+", query[: match.start()])
        if words and words[-1].lower() not in _DATE_WORDS:
            out.append(match)
    return out


def _mask_named_years(query: str, mask: str = _YEAR_MASK * 4) -> str:
    """Hide a year that follows a name from the date reader ("re:Invent 2025"), or
    with ``mask`` "" drop it."""
    text = unicodedata.normalize("NFKC", query)
    for match in reversed(_named_years(text)):
        text = text[: match.start(2)] + mask + text[match.end(2) :]
    return text


def _keep_named_years(query: str, told: Understood) -> Understood:
    years = [m.group(2) for m in _named_years(unicodedata.normalize("NFKC", query))]
    text = told.text
    for year in years:
        text = text.replace(_YEAR_MASK * 4, year, 1)
    return replace(told, text=text.replace(_YEAR_MASK, "")) if years or _YEAR_MASK in text else told


def _whole_name(name: str) -> str:
    """The pattern a query that is only a capitalised name asks the notes to write.
    Its words hold it together ("Apple Vision Pro", "GKE Autopilot", "Cloud SQL"), but
    two coined names side by side are two topics ("EKS Graviton2": the notes'
    "EKSでもGraviton2が"), so the name is cut between them and the parts must be
    written in one line ("Trillium" and "TPU" in one heading). A part may also go
    without a first word that is an everyday word when the rest holds a coined name:
    "Amazon SQS" is the notes' "SQS", but "Cloud SQL" is not "SQL" (no coined name
    left) and "GitHub Copilot" is not "AWS Copilot" ("GitHub" is no everyday word)."""
    words = name.split()
    parts: list[list[str]] = [[words[0]]]
    for word in words[1:]:
        if is_coined(parts[-1][-1]) and is_coined(word):
            parts.append([word])
        else:
            parts[-1].append(word)
    patterns = []
    for part in parts:
        alts: tuple[str, ...] = (" ".join(part),)
        if len(part) > 1 and is_generic(part[0]) and any(is_coined(w) for w in part[1:]):
            alts += (" ".join(part[1:]),)
        patterns.append(_name_pattern(alts))
    if len(patterns) == 1:
        return patterns[0]
    return "(?m)^" + "".join(rf"(?=[^\n]*?{p})" for p in patterns)


def _mentions_all(text: str, names: Sequence[str]) -> bool:
    """Whether ``text`` (an episode's, from ``_plain_text``) matches each of the
    ``_name_pattern``s of the query's names."""
    return all(re.search(pattern, text) is not None for pattern in names)


def _name_pattern(names: Sequence[str], version: str = "") -> str:
    """A pattern for writing one of ``names`` with ``version`` right after it: "gemini
    1.5", "v2". A name's words may be joined or split by a space or a hyphen
    ("CloudRun"), and so may the pieces of a word in camel case ("DevDay", also written
    "Dev Day")."""
    alts = []
    for name in names:
        words = [re.escape(w.lower()) for w in _CAMEL_PIECE.split(name) if w]
        pattern = r"[\s\-]?".join(words)
        if version:
            pattern += rf"[\s\-'’]{{0,2}}{re.escape(version.lower())}(?![\d])"
        alts.append(pattern)
    return alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"


def _plain_text(episode: Episode) -> str:
    parts = [episode.raw_title, episode.summary, *(s.heading for s in episode.sections)]
    parts += [episode.text, *(r.text for r in episode.references)]
    return unicodedata.normalize("NFKC", "\n".join(parts)).lower()


def _vote(semantic: Sequence[SemanticHit], weak: Sequence[str]) -> SemanticHit:
    """The semantic candidate ranked best by both rankings together (weak lexical
    matches count double: they share the query's own words)."""
    score = {h.path: 1 / (RRF_K + i) for i, h in enumerate(semantic, 1)}
    for i, path in enumerate(weak, 1):
        if path in score:
            score[path] += WEAK_VOTE / (RRF_K + i)
    best = max(score, key=score.__getitem__)
    return next(h for h in semantic if h.path == best)


def _described(word: str, text: str) -> bool:
    """Whether ``word`` (absent from the notes) is an English dictionary word typed in
    lower case in ``text``: a description, not the name of something."""
    if not (word.isascii() and word.isalpha() and word.islower()):
        return False
    if not re.search(rf"(?<![A-Za-z]){re.escape(word)}(?![A-Za-z])", text):
        return False  # typed capitalised, or as part of a longer name
    return zipf(word, "en") >= ENGLISH_WORD


def _floor(text: str) -> float:
    """The cosine a semantic answer needs on its own for this query."""
    return ALONE_FLOOR_ENGLISH if text.isascii() else ALONE_FLOOR


def _confident(
    top: SemanticHit,
    semantic: Sequence[SemanticHit],
    weak: Sequence[str],
    unknown: bool,
    floor: float = ALONE_FLOOR,
) -> bool:
    """Whether ``top`` may answer a query the lexical engine has no hit for: it stands
    out enough for its support (words shared with the query, or a word the notes never
    use), or it clearly leads the other episodes."""
    if top.path in weak:
        needed = Z_SUPPORTED_UNKNOWN if unknown else Z_SUPPORTED
    else:
        needed = Z_ALONE_UNKNOWN if unknown else Z_ALONE
    runner_up = next((h.score for h in semantic if h.path != top.path), 0.0)
    clear = not unknown and top.score >= CLEAR_FLOOR and top.score - runner_up >= CLEAR_MARGIN
    return (top.z >= needed or clear) and top.score >= floor


def _narrowing(told: Understood) -> bool:
    return (
        told.dates is not None or told.order is not None or told.speaker is not None or told.alone
    )


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


def _said_by(names: Sequence[str]) -> Callable[[Episode], bool]:
    return lambda episode: any(spoke(episode, name) for name in names)


def spoke(episode: Episode, speaker: str) -> bool:
    """Whether the notes say ``speaker`` talked in this episode: an author, the summary
    ("森田が…話したよ") or a heading ("（森田担当）")."""
    name = speaker.casefold()
    if any(name == a.casefold() for a in episode.authors):
        return True
    if name in episode.summary.casefold():
        return True
    return any(name in s.heading.casefold() for s in episode.sections)


# "小杉1人でしゃべったよ", "（ソロ回）": the notes say someone spoke alone
_SPOKE_ALONE = re.compile(r"(?:[1１一]人|ひとり|ソロ|単独)(?:きり|だけ)?(?:で|の|回)")
# "2人で話したよ", "みんなで": more than one spoke
_SEVERAL = re.compile(r"(?:[2-9２-９二三四五六七八九]人|ふたり|みんな|全員)(?:で|が|とも)")


def spoke_alone(episode: Episode, speaker: str | None) -> bool:
    """Whether the summary or a heading says ``speaker`` (or, None, someone) spoke
    alone in this episode ("急遽小杉1人でしゃべったよ")."""
    name = speaker.casefold() if speaker else ""
    for text in (episode.summary, *(s.heading for s in episode.sections)):
        if _SPOKE_ALONE.search(text) and name in text.casefold():
            return True
    return False


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
