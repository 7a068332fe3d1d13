"""Search index over episodes: one ranking for every front end.

An in-memory inverted index (``bot.search.postings``) of Latin words and Japanese character
bigrams (``bot.search.textnorm``), built once and updated one episode at a time.

A query (``bot.search.query``) becomes units: a Latin word or compound, or a Japanese chunk.
Each unit has alternatives: the exact terms, the joined or split compound, vocabulary
words within an edit or two (typos), words it is a prefix of, and Latin words its
katakana sounds like (``クラウドフロント`` -> ``cloudfront``). ``bot.search.ranking`` scores
episodes; one that covers too little of the query's weight is not a hit, so unrelated
queries answer nothing, with "did you mean" suggestions from the vocabulary.
"""

from __future__ import annotations

import heapq
import logging
import re
import unicodedata
from array import array
from bisect import bisect_right
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from itertools import islice
from typing import Any

import numpy as np
from numpy.typing import NDArray

from bot.models import Episode, Hit, SearchResult, SortKey
from bot.parallel import gc_paused
from bot.search.build import Part, analyse_all
from bot.search.commonness import is_generic, zipf
from bot.search.notetext import SKELETON_MIN, KatakanaWords, NoteTexts, skeleton
from bot.search.postings import Analysis, Memo, Postings, analyse
from bot.search.query import (
    MAX_QUERY_CHARS,
    JaChunk,
    LatinGroup,
    ParsedQuery,
    parse_number,
    parse_query,
)
from bot.search.ranking import (
    BASE,
    MIN_COVERAGE,
    QUESTION_COVERAGE,
    Alt,
    Unit,
    candidates,
    exact,
    exact_plan,
    idf,
    unseen_idf,
)
from bot.search.snippets import Needle, cut, in_one_section, locate
from bot.search.textnorm import kana_pattern, latin_sound, normalize
from bot.search.vocab import Vocabulary

log = logging.getLogger(__name__)

Where = Callable[[Episode], bool]

WEAK = 0.25  # coverage of a weak match (``weak_matches``)
GENERIC_WEIGHT = 0.5  # share of its weight an everyday word keeps beside a named topic
VERY_COMMON_ZIPF = 5.0  # wordfreq zipf of the commonest words: 全部, 紹介, まとめ, 話
BODY_B = 0.6  # body length normalisation
VERIFY = 20  # candidates scored exactly
NUMBERED_MIN = 4  # letters of a name that also stands for its numbered versions
RELATIVE_CUT = 0.3  # hits below this share of the best score are dropped
# the best few hits whose one section holds every word of the query close this share of
# their gap to 100: the topic came up there, not in two asides far apart
TOGETHER_CHECK = 6
TOGETHER_SHARE = 0.2
SPACED_SPLITS = 2  # ways a word the notes use may be split in two ("devday": dev day)
# Japanese runs the updates' analysis memo holds before it starts again (a note has a
# few hundred; an edited note's old and new versions share nearly all of theirs)
UPDATE_MEMO_RUNS = 50_000


@dataclass(frozen=True, slots=True)
class QueryWords:
    absent: tuple[str, ...]  # words the index has never seen, not even as a typo
    unknown: tuple[str, ...]  # those of them that name something


@dataclass(frozen=True, slots=True)
class _Unlocated(Hit):
    """A hit whose section and snippet are still to be found (``SearchIndex.located``):
    what to look for, and in which of the index's notes."""

    doc_id: int = -1
    needles: tuple[tuple[Needle, ...], ...] = ()


@dataclass(slots=True)
class _Doc:
    episode: Episode
    body_len: int
    title_terms: int
    order: SortKey  # ties: ``Episode.newest_first_key``


class SearchIndex:
    def __init__(self) -> None:
        self._docs: dict[int, _Doc] = {}
        self._ids: dict[str, int] = {}
        self._next_id = 0
        self._postings = Postings()
        self._body_total = 0
        self._by_number: dict[int, set[int]] = {}
        self._titles: dict[int, str] = {}  # normalised label, for autocomplete
        self._newest_cache: list[int] | None = None
        self._all_titles: _Titles | None = None  # every title, newest first
        self._release_times: list[datetime] | None = None  # sorted, of the titles below
        # titles of the episodes out of draft and released by some time, newest first,
        # and how many there are (the time's place in ``_release_times``)
        self._released_titles: tuple[int, _Titles] | None = None
        self._katakana = KatakanaWords()
        self._version = 0  # changes with every episode added or removed
        self._units_memo: dict[
            tuple[ParsedQuery, bool, bool], tuple[int, list[Unit], tuple[str, ...], tuple[str, ...]]
        ] = {}
        self._texts = NoteTexts()  # normalised text of the notes queried
        # notes added since ``prepare_texts`` last ran (every note until it first ran);
        # a deque: appended here and emptied on the background thread without a lock
        self._texts_owed: deque[int] = deque()
        self._texts_ready = False
        self._sounds_memo: tuple[int, dict[str, list[tuple[str, float]]]] = (0, {})
        self._memo = Memo()  # for ``upsert`` and ``remove``: see ``_analyse``
        self.vocab = Vocabulary()

    @classmethod
    def build(cls, episodes: Iterable[Episode], parts: int | None = None) -> SearchIndex:
        """Index ``episodes`` (a later one replaces an earlier one with the same path).
        A large site is analysed in ``parts`` on as many cores (see ``bot.search.build``)."""
        index = cls()
        listed = list(episodes)
        if len({e.path for e in listed}) < len(listed):  # replacements: one by one
            for episode in listed:
                index.upsert(episode)
            return index
        with gc_paused():
            for part in analyse_all(listed, parts):
                index._append(listed[part.start : part.start + len(part.body_lens)], part)
        log.debug("indexed %d episodes, %d terms", len(index), len(index._postings))
        return index

    def __len__(self) -> int:
        return len(self._docs)

    def __contains__(self, path: object) -> bool:
        return path in self._ids

    # -- upkeep ------------------------------------------------------------------

    def upsert(self, episode: Episode) -> None:
        """Add ``episode``, or replace the one with the same path."""
        doc_id = self._ids.get(episode.path)
        if doc_id is not None:
            self._replace(doc_id, episode)
            return
        found = self._analyse(episode)
        self._postings.add(self._next_id, found.packed)
        self._add_doc(episode, found.body_len, found.title_terms)
        self._katakana.add(episode)
        self.vocab.add(found.words, found.pairs)
        self.vocab.remember_surface(found.surfaces)

    def _replace(self, doc_id: int, episode: Episode) -> None:
        """A new version of a note held: it keeps its id, so a term in both versions
        changes its value in place, where removing the note and adding it under a new
        id would move every one of its terms' lists (most of a refresh at 10,000 notes:
        a common term's list holds nearly every note). The index is then what a build
        from the same notes in the same order gives."""
        doc = self._docs[doc_id]
        old, new = self._analyse(doc.episode), self._analyse(episode)
        self._newest_cache = None
        self._version += 1
        self._katakana.remove(doc.episode)
        self._katakana.add(episode)
        self._texts.forget(doc_id)
        self._postings.replace(doc_id, old.packed, new.packed)
        self._body_total += new.body_len - doc.body_len
        if doc.episode.number is not None:
            self._by_number.get(doc.episode.number, set()).discard(doc_id)
        if episode.number is not None:
            self._by_number.setdefault(episode.number, set()).add(doc_id)
        self._docs[doc_id] = _Doc(
            episode, new.body_len, new.title_terms, episode.newest_first_key()
        )
        self._titles[doc_id] = normalize(episode.label)
        self.vocab.remove(old.words, old.pairs)
        self.vocab.add(new.words, new.pairs)
        self.vocab.remember_surface(new.surfaces)
        if self._texts_ready:
            self._texts_owed.append(doc_id)

    def _analyse(self, episode: Episode) -> Analysis:
        """``analyse`` with a memo kept across updates: a refresh analyses a note's old
        version to remove it, then the new one, which reads nearly all its Japanese runs
        from the memo (a third less work for the pair). Bounded: started again when it
        holds ``UPDATE_MEMO_RUNS`` runs."""
        memo = self._memo
        if len(memo.body_runs) + len(memo.runs) > UPDATE_MEMO_RUNS:
            memo = self._memo = Memo()
        return analyse(episode, memo)

    def _append(self, episodes: list[Episode], part: Part) -> None:
        """Add a built part: its episodes must not be here, its ids come next."""
        if part.start != self._next_id:
            raise ValueError(f"part starts at id {part.start}, expected {self._next_id}")
        self._postings.extend(part.postings)
        for episode, body_len, title_terms in zip(
            episodes, part.body_lens, part.title_terms, strict=True
        ):
            self._add_doc(episode, body_len, title_terms)
        self.vocab.merge(part.vocab)
        self._katakana.merge(part.katakana)

    def _add_doc(self, episode: Episode, body_len: int, title_terms: int) -> None:
        doc_id = self._next_id
        self._next_id += 1
        self._newest_cache = None
        self._version += 1
        self._ids[episode.path] = doc_id
        self._body_total += body_len
        self._docs[doc_id] = _Doc(episode, body_len, title_terms, episode.newest_first_key())
        if episode.number is not None:
            self._by_number.setdefault(episode.number, set()).add(doc_id)
        self._titles[doc_id] = normalize(episode.label)
        if self._texts_ready:  # before the first ``prepare_texts`` every note is owed
            self._texts_owed.append(doc_id)

    def remove(self, path: str) -> None:
        """Forget the episode read from ``path`` (nothing happens if there is none)."""
        doc_id = self._ids.pop(path, None)
        if doc_id is None:
            return
        doc = self._docs.pop(doc_id)
        self._newest_cache = None
        self._version += 1
        self._katakana.remove(doc.episode)
        self._texts.forget(doc_id)
        found = self._analyse(doc.episode)  # the same terms it was added with
        self._postings.remove(doc_id, found.packed)
        self._body_total -= doc.body_len
        number = doc.episode.number
        if number is not None:
            self._by_number.get(number, set()).discard(doc_id)
        self._titles.pop(doc_id, None)
        self.vocab.remove(found.words, found.pairs)

    def prepare_texts(self) -> None:
        """Work out the normalised text every note's Japanese chunks are checked in,
        so that no query pays for it (a background thread runs it after a load: 0.2 ms
        a note; the katakana table is built with the index). The first run does every
        note, later ones only the notes added since (a refresh costs its note, not a
        walk of the site). Safe beside queries and updates on another thread: a note
        removed meanwhile is forgotten again."""
        texts, docs, owed = self._texts, self._docs, self._texts_owed
        if not self._texts_ready:
            self._texts_ready = True  # from now on ``_add_doc`` says what is owed
            owed.clear()
            # a copy (made in one C call, which no thread switch interrupts): updates
            # may run meanwhile, and a list() of the live dict could see it change size
            for doc_id, held in docs.copy().items():
                texts.japanese(doc_id, held.episode)
                if doc_id not in docs:
                    texts.forget(doc_id)
        while owed:
            doc_id = owed.popleft()
            doc = docs.get(doc_id)
            if doc is not None:
                texts.japanese(doc_id, doc.episode)
                if doc_id not in docs:
                    texts.forget(doc_id)

    @property
    def texts_owed(self) -> int:
        """Notes whose normalised text ``prepare_texts`` still owes (tests, ``doctor``):
        -1 before its first run, when every note is."""
        return len(self._texts_owed) if self._texts_ready else -1

    # -- plain data, for the start-up snapshot ------------------------------------

    def to_state(self) -> dict[str, Any]:
        """The index as plain data, without its episodes: ``from_state`` takes those
        (the same ones, by path, in the order of ``state["paths"]``)."""
        ids = sorted(self._docs)
        docs = self._docs
        return {
            "paths": [docs[d].episode.path for d in ids],
            "ids": array("I", ids).tobytes(),
            "body_lens": array("I", [docs[d].body_len for d in ids]).tobytes(),
            "title_terms": array("I", [docs[d].title_terms for d in ids]).tobytes(),
            "titles": [self._titles[d] for d in ids],
            "next_id": self._next_id,
            "postings": self._postings.to_state(),
            "vocab": self.vocab.to_state(),
            "katakana": self._katakana.to_state(),
        }

    @classmethod
    def from_state(cls, state: dict[str, Any], episodes: Sequence[Episode]) -> SearchIndex:
        """The index ``to_state`` gave ``state`` for, holding ``episodes`` (those it
        held then, in the order of ``state["paths"]``); ``ValueError`` when they are
        not those or ``state`` does not add up."""
        ids, body_lens, title_terms = array("I"), array("I"), array("I")
        ids.frombytes(state["ids"])
        body_lens.frombytes(state["body_lens"])
        title_terms.frombytes(state["title_terms"])
        paths, titles = state["paths"], state["titles"]
        counts = {len(ids), len(body_lens), len(title_terms), len(paths), len(titles)}
        if counts != {len(episodes)} or [e.path for e in episodes] != list(paths):
            raise ValueError("the index state does not match its episodes")
        index = cls()
        index._postings = Postings.from_state(state["postings"])
        index.vocab = Vocabulary.from_state(state["vocab"])
        index._katakana = KatakanaWords.from_state(state["katakana"])
        index._next_id = int(state["next_id"])
        for doc_id, episode, body_len, terms, title in zip(
            ids, episodes, body_lens, title_terms, titles, strict=True
        ):
            if doc_id >= index._next_id:
                raise ValueError("the index state does not add up")
            index._ids[episode.path] = doc_id
            index._docs[doc_id] = _Doc(episode, body_len, terms, episode.newest_first_key())
            index._titles[doc_id] = title
            index._body_total += body_len
            if episode.number is not None:
                index._by_number.setdefault(episode.number, set()).add(doc_id)
        return index

    # -- search ------------------------------------------------------------------

    def search(
        self,
        query: str,
        limit: int = 5,
        *,
        where: Where | None = None,
        max_chars: int = MAX_QUERY_CHARS,
        snippets: bool = True,
    ) -> SearchResult:
        """Episodes matching ``query`` (its first ``max_chars`` characters), best first;
        suggestions when nothing matches.

        ``snippets=False``: the hits' sections and snippets are left to ``located``, for a
        caller that shows only a few of them."""
        parsed = parse_query(query, max_chars=max_chars)
        if parsed.empty or limit <= 0:
            return SearchResult(query, ())
        hits = self._number_hits(parsed.number, where) if parsed.number is not None else []
        if parsed.number_only:
            if hits or not _bare_long_number(query):
                return SearchResult(query, tuple(hits[:limit]))
            # No episode 2024: the year, then.
            parsed = parse_query(query, numbers=False, max_chars=max_chars)
        units = self._units(parsed, fuzzy=True)
        taken = {h.episode.path for h in hits}
        coverage = QUESTION_COVERAGE if parsed.question else MIN_COVERAGE
        ranked = self._rank(units, where, limit + len(taken), coverage=coverage)
        needles = tuple(_needles(u) for u in units)
        for score, doc_id in ranked:
            episode = self._docs[doc_id].episode
            if episode.path in taken:
                continue
            hits.append(_Unlocated(episode, score, doc_id=doc_id, needles=needles))
            if len(hits) >= limit:
                break
        if hits:
            found = tuple(hits[:limit])
            return SearchResult(query, self.located(found) if snippets else found)
        return SearchResult(query, (), self._suggestions(parsed))

    def located(self, hits: Sequence[Hit]) -> tuple[Hit, ...]:
        """``hits`` with the section and snippet of each one ``search(snippets=False)``
        left without: the section matching the most of the query, and text around it."""
        out: list[Hit] = []
        for hit in hits:
            if isinstance(hit, _Unlocated):
                texts = self._texts.sections(hit.doc_id, hit.episode)
                section, snippet = locate(hit.episode, hit.needles, texts)
                hit = Hit(hit.episode, hit.score, section, snippet)
            out.append(hit)
        return tuple(out)

    def complete(
        self,
        prefix: str,
        limit: int = 25,
        *,
        where: Where | None = None,
        published_at: datetime | None = None,
    ) -> list[Hit]:
        """Autocomplete: episodes whose number or title starts like ``prefix``, then
        episodes matching it as a search with its last word taken as a prefix.

        ``published_at``: only episodes published at that moment
        (``Episode.is_published``); the title scan then starts at the newest released
        one, however many are scheduled after it."""
        if limit <= 0:
            return []
        titles = self._titles_for(published_at)
        if published_at is not None:
            where = _published(published_at, where)
        text = normalize(prefix[:100]).strip()
        if not text:
            return self._newest(limit, where, titles.ids)
        number = parse_number(prefix[:100])
        if number is not None:
            return self._number_prefix(str(number), limit, where)
        scored: dict[int, float] = {}
        strong = weak = 0
        docs = self._docs
        for doc_id, word_start in titles.find(text):  # newest first: enough strong hits stop it
            if not word_start and weak >= limit:
                continue  # older than ``limit`` weaker ones already taken: never shown
            if where is not None and not where(docs[doc_id].episode):
                continue
            scored[doc_id] = 100.0 if word_start else 90.0
            strong += word_start
            weak += not word_start
            if strong >= limit:
                break
        if len(scored) < limit and len(text) > 1:
            parsed = parse_query(prefix[:100])
            units = self._units(parsed, fuzzy=False, prefix_last=True)
            for score, doc_id in self._rank(units, where, limit, precise=False):
                scored.setdefault(doc_id, min(score, 89.0))
            if len(scored) < limit and len(text) > 2:
                # still short: typos, and kana for Latin names (くーべ -> kube...)
                fuzzy = self._units(parsed, fuzzy=True, prefix_last=True)
                for score, doc_id in self._rank(fuzzy, where, limit, precise=False):
                    scored.setdefault(doc_id, min(score, 80.0))
        order = self._order(scored, where, limit)
        return [
            Hit(self._docs[d].episode, s, None, cut(self._docs[d].episode.summary, 0))
            for s, d in order
        ]

    # -- look-ups for the hybrid search ------------------------------------------------

    def episodes(self) -> list[Episode]:
        """Every indexed episode, newest first."""
        return [self._docs[d].episode for d in self._newest_ids()]

    def episode(self, path: str) -> Episode | None:
        doc_id = self._ids.get(path)
        return self._docs[doc_id].episode if doc_id is not None else None

    def tie_order(self, path: str) -> SortKey:
        """The explicit tie-break of equal scores: newer, then higher number, then path."""
        doc_id = self._ids.get(path)
        return self._docs[doc_id].order if doc_id is not None else (float("inf"), 0, path)

    def number_hits(self, number: int, where: Where | None = None) -> list[Hit]:
        """Episodes with that number (normally one)."""
        return self._number_hits(number, where)

    # -- internals ---------------------------------------------------------------

    def weak_matches(self, query: str, limit: int = 10, *, where: Where | None = None) -> list[str]:
        """Paths of episodes that share some of the query's words (a quarter of its
        weight) without being a hit: supporting evidence for the semantic layer."""
        unknown: list[str] = []
        units = self._units(parse_query(query), fuzzy=True, unknown=unknown)
        if not unknown:
            # everyday words the notes never use share nothing with any episode: a
            # quarter of what the others share ("Lambdaの起動の遅さを事前確保で防ぐ機能":
            # Lambda); a name the notes never use still weighs against every episode
            units = [u for u in units if self._present(u)] or units
        return [
            self._docs[d].episode.path for _, d in self._rank(units, where, limit, coverage=WEAK)
        ]

    def query_words(self, query: str) -> QueryWords:
        """The words of ``query`` the index has never seen, and those of them that name
        something (rare in ordinary language, or capitalised inside the query): one
        pass over the query, for the hybrid search's rules."""
        parsed = parse_query(query)
        absent: list[str] = []
        unknown: list[str] = []
        self._units(parsed, fuzzy=True, unknown=unknown, absent=absent)
        return QueryWords(tuple(absent), tuple(unknown))

    def _units(
        self,
        parsed: ParsedQuery,
        fuzzy: bool,
        prefix_last: bool = False,
        unknown: list[str] | None = None,
        absent: list[str] | None = None,
    ) -> list[Unit]:
        """The query's ranking units. A word the index has never seen is dropped when it
        is an everyday word (filler: "basics", "紹介") and kept, to veto the match, when
        it is a name; ``unknown`` collects those names.

        The hybrid search asks for the same query's units twice in a row (its rules,
        then the ranking): the last few answers are kept until the index changes."""
        key = (parsed, fuzzy, prefix_last)
        held = self._units_memo.get(key)
        if held is None or held[0] != self._version:
            found_unknown: list[str] = []
            found_absent: list[str] = []
            units = self._work_out_units(parsed, fuzzy, prefix_last, found_unknown, found_absent)
            held = (self._version, units, tuple(found_unknown), tuple(found_absent))
            if len(self._units_memo) >= 8:
                del self._units_memo[next(iter(self._units_memo))]
            self._units_memo[key] = held
        if unknown is not None:
            unknown.extend(held[2])
        if absent is not None:
            absent.extend(held[3])
        return list(held[1])

    def _work_out_units(
        self,
        parsed: ParsedQuery,
        fuzzy: bool,
        prefix_last: bool,
        unknown: list[str],
        absent: list[str],
    ) -> list[Unit]:
        units = self._raw_units(parsed, fuzzy, prefix_last)
        if not fuzzy:  # autocomplete: every typed word narrows
            return [u for u, _ in units]
        text = parsed.text
        # each unit once: in the notes, an everyday word, written as part of a name
        facts = [
            (unit, surface, self._present(unit), is_generic(surface), _capitalised(surface, text))
            for unit, surface in units
        ]
        # filler is dropped only beside a word that names the topic ("Jetson tips",
        # "Cloud Runが出てくる回": a capitalised word inside a name counts, however common):
        # a query of everyday words alone ("東京のおいしいラーメン屋") keeps every word
        anchored = any(
            present and surface and (not generic or capital)
            for _, surface, present, generic, capital in facts
        )
        # ... and beside a name the notes use ("Cloud Runが出てくる回を全部"), an everyday
        # word they use too is no longer needed for a hit; beside any topic word, the
        # most common words ("雑談回を全部") are not either, while a plainer everyday
        # word there may be the topic itself ("資格の取り方")
        by_name = any(
            present and surface and ((not generic and _looks_like_a_name(surface)) or capital)
            for _, surface, present, generic, capital in facts
        )
        kept: list[Unit] = []
        for unit, surface, present, generic, capital in facts:
            filler = anchored and bool(surface) and generic and not capital
            if present:
                if filler and (by_name or zipf(surface) >= VERY_COMMON_ZIPF):
                    # an everyday word the notes also use ("全部", "紹介", "basics") may
                    # add to a hit's score but must not veto one that lacks it
                    # (the most common of them never cost a hit its coverage)
                    unit = Unit(
                        unit.alts,
                        unit.weight * GENERIC_WEIGHT,
                        optional=zipf(surface) >= VERY_COMMON_ZIPF,
                    )
                kept.append(unit)
                continue
            if absent is not None and surface:
                absent.append(surface)
            if filler:
                continue
            named = (_looks_like_a_name(surface) and not generic) or capital
            if unknown is not None and surface and named:
                unknown.append(surface)
            kept.append(unit)
        if not kept and units:  # only filler: keep it all, the coverage rule decides
            return [u for u, _ in units]
        return kept

    def _present(self, unit: Unit) -> bool:
        postings = self._postings
        return any(alt.terms and all(t in postings for t in alt.terms) for alt in unit.alts)

    def _raw_units(
        self, parsed: ParsedQuery, fuzzy: bool, prefix_last: bool = False
    ) -> list[tuple[Unit, str]]:
        units: list[tuple[Unit, str]] = []
        last_latin: tuple[LatinGroup, Unit] | None = None
        for i, group in enumerate(parsed.latin):
            is_last = prefix_last and i == len(parsed.latin) - 1 and not parsed.ja
            unit = self._latin_unit(group, fuzzy, is_last)
            if last_latin is not None and group.after_space:
                merged = self._merge(last_latin[0], group, last_latin[1], unit, fuzzy)
                if merged is not None:
                    units[-1] = (merged, units[-1][1] + " " + group.word)
                    last_latin = None
                    continue
            units.append((unit, group.word))
            last_latin = (group, unit)
        units.extend((self._ja_unit(chunk, fuzzy), chunk.raw) for chunk in parsed.ja)
        return [(u, s) for u, s in units if u.alts or u.weight > 0]

    def _latin_unit(self, group: LatinGroup, fuzzy: bool, prefix: bool) -> Unit:
        word = group.word
        alts: list[Alt] = []
        if word in self._postings:
            alts.append(_alt((word,), 1.0))
        if len(group.parts) > 1:
            alts.append(_alt(group.parts, 1.0))
        elif (numbered := _NAME_NUMBER.fullmatch(word)) is not None:
            # "graviton2" is also written "Graviton 2", "python3" "Python 3"
            head, number = numbered.groups()
            if head in self._postings and number in self._postings:
                alts.append(_alt((head, number), 1.0))
        if (
            len(group.parts) <= 1
            and fuzzy
            and not prefix
            and word.isalpha()
            and word in self._postings
        ):
            alts.extend(self._spaced(word))  # "vscode", also written "VS Code"
            if len(word) >= NUMBERED_MIN and not is_generic(word):
                # a name stands for its versions ("graviton": the notes' "graviton2");
                # an everyday word does not ("cloud" is not "Cloud9")
                alts.extend(_alt((w,), 0.95) for w in self.vocab.numbered(word))
        if len(group.parts) <= 1 and word not in self._postings:
            alts.extend(self._split(word))
            if fuzzy:
                alts.extend(_alt((w,), 0.9 - 0.07 * d) for w, d in self.vocab.typos(word))
        if fuzzy and word not in self._postings and len(word) >= 4:
            alts.extend(self._katakana_alts(word))
        if (word not in self._postings or prefix) and (len(word) >= 4 or prefix):
            alts.extend(_alt((w,), 0.8) for w in self.vocab.with_prefix(word, 5 if prefix else 3))
        return self._unit(alts)

    def _katakana_alts(self, word: str) -> list[Alt]:
        """The notes' katakana words that sound like a Latin word the notes never spell
        in Latin: ``serverless`` -> サーバーレス, ``remote`` -> リモート."""
        alts: list[Alt] = []
        shape = latin_sound(word)
        found = self._katakana.get(shape)
        if not found and len(skeleton(shape)) >= SKELETON_MIN:
            found = self._katakana.get(skeleton(shape))
        for kana in found[:3]:
            chunk = parse_query(kana).ja
            if len(chunk) == 1:
                pattern = kana_pattern(chunk[0].text)
                alts.append(Alt(chunk[0].terms, 0.85, pattern, pattern))
        return alts

    def _split(self, word: str) -> list[Alt]:
        """A word the notes never use, as two words they do ("cloudrun")."""
        return [_alt(pair, 0.95) for pair in islice(self._two_words(word), 1)]

    def _spaced(self, word: str) -> list[Alt]:
        """A word the notes use, split in two words the notes also use, for notes that
        write it spaced ("DevDay" and "Dev Day"): only where they stand together."""
        alts = [_alt(pair, 0.95) for pair in islice(self._two_words(word), SPACED_SPLITS)]
        return [replace(alt, together=alt.pattern) for alt in alts]

    def _two_words(self, word: str) -> Iterator[tuple[str, str]]:
        """Ways ``word`` splits into two words of the notes, shortest head first."""
        for i in range(2, len(word) - 1):
            head, tail = word[:i], word[i:]
            if head in self._postings and tail in self._postings:
                yield head, tail

    def _merge(
        self, first: LatinGroup, second: LatinGroup, a: Unit, b: Unit, fuzzy: bool
    ) -> Unit | None:
        joined = first.word + second.word
        alts: list[Alt] = []
        if joined in self._postings:
            alts.append(_alt((joined,), 1.0))
        elif fuzzy and (not self._present(a) or not self._present(b)):
            alts.extend(self._katakana_alts(joined))  # remote work -> リモートワーク
        elif (
            fuzzy
            and len(joined) >= 7
            and (not a.alts or not b.alts or a.alts[0].quality < 1 or b.alts[0].quality < 1)
        ):
            alts.extend(_alt((w,), 0.9 - 0.07 * d) for w, d in self.vocab.typos(joined))
        if not alts:
            return None
        if a.alts and b.alts:
            best_a, best_b = a.alts[0], b.alts[0]
            alts.append(_alt(best_a.terms + best_b.terms, min(best_a.quality, best_b.quality)))
        return self._unit(alts)

    def _ja_unit(self, chunk: JaChunk, fuzzy: bool) -> Unit:
        pattern = kana_pattern(chunk.text)
        alts = [Alt(chunk.terms, 1.0, pattern, pattern if len(chunk.terms) > 1 else "")]
        for kana in chunk.kana_parts if fuzzy else ():
            for word, similarity in self._sounds_like(kana):
                quality = 0.9 * max(0.0, similarity - 0.5) / 0.5
                alts.append(_alt(tuple(word.split(" ")), quality))
        unit = self._unit(alts)
        return Unit(unit.alts, unit.weight * 0.3) if chunk.soft else unit

    def _sounds_like(self, kana: str) -> list[tuple[str, float]]:
        """``vocab.sounds_like``, kept until the index changes: a query with no hit asks
        it again for its suggestions, and a query that comes back asks it again."""
        version, held = self._sounds_memo
        if version != self._version:
            held = {}
            self._sounds_memo = (self._version, held)
        found = held.get(kana)
        if found is None:
            if len(held) >= 256:
                del held[next(iter(held))]
            found = held[kana] = self.vocab.sounds_like(kana)
        return found

    def _unit(self, alts: list[Alt]) -> Unit:
        n = len(self._docs)
        weight = 0.0
        for alt in alts:
            if alt.together:  # the word spelt apart ("git hub"): as rare as the word
                continue
            idfs = [idf(self._postings, t, n) for t in alt.terms]
            weight = max(weight, alt.quality * sum(idfs) / len(idfs))
        return Unit(tuple(alts), weight or unseen_idf(n))

    def _rank(
        self,
        units: list[Unit],
        where: Where | None,
        limit: int,
        precise: bool = True,
        coverage: float = MIN_COVERAGE,
    ) -> list[tuple[float, int]]:
        """Episodes that cover enough of the query, best first: (score 0-100, id).

        ``precise=False`` (autocomplete) keeps the first-stage scores."""
        if not units:
            return []
        n = len(self._docs)
        rough = candidates(self._postings, units, n, self._next_id)
        floor = coverage * BASE * 0.9
        if not precise:
            best = _best(rough, floor, limit * 2)
            return self._order({d: round(100 * float(rough[d]), 2) for d in best}, where, limit)
        pool = _best(rough, floor, max(VERIFY, 2 * limit + 10))
        average = self._body_total / n if n else 1.0
        texts = self._texts
        plan = exact_plan(self._postings, units, n)
        docs = [self._docs[d] for d in pool]
        values = exact(
            self._postings,
            plan,
            pool,
            [1.0 / (1 - BODY_B + BODY_B * d.body_len / (average or 1.0)) for d in docs],
            [d.title_terms for d in docs],
            lambda i: texts.japanese(pool[i], docs[i].episode),
            coverage,
            lambda i: texts.whole(pool[i], docs[i].episode),
        )
        checked = {d: round(100 * v, 2) for d, v in zip(pool, values, strict=True) if v > 0}
        if not checked:
            return []
        groups = [_needles(u) for u in units if not u.optional]
        if len(groups) > 1:
            self._together(checked, groups)
        cut_below = max(checked.values()) * RELATIVE_CUT
        return self._order({d: v for d, v in checked.items() if v >= cut_below}, where, limit)

    def _together(self, scored: dict[int, float], groups: list[tuple[Needle, ...]]) -> None:
        """Lift the best few hits whose one section holds every word of the query, when
        that could change which comes first: a hit the lift cannot take to the best
        score is not looked at (most queries look at none)."""
        top = heapq.nlargest(TOGETHER_CHECK, scored, key=scored.__getitem__)
        if len(top) < 2:
            return
        best = scored[top[0]]
        reach = [d for d in top[1:] if scored[d] + TOGETHER_SHARE * (100 - scored[d]) >= best]
        if not reach:
            return
        for d in [top[0], *reach]:
            if in_one_section(groups, self._texts.sections(d, self._docs[d].episode)):
                scored[d] = round(scored[d] + TOGETHER_SHARE * (100 - scored[d]), 2)

    def _order(
        self, scored: dict[int, float], where: Where | None, limit: int
    ) -> list[tuple[float, int]]:
        """Best first: score, then newer, then higher number, then path; ``where``
        applied before cutting to ``limit``."""
        docs = self._docs

        def key(doc_id: int) -> tuple[float, float, float, str]:
            return (-scored[doc_id], *docs[doc_id].order)

        out: list[tuple[float, int]] = []
        take = limit * 2 + 8
        if len(scored) > take:  # most of them will not be shown: sort only the best
            best = heapq.nsmallest(take, scored, key=key)
            for doc_id in best:
                if where is None or where(docs[doc_id].episode):
                    out.append((scored[doc_id], doc_id))
            if len(out) >= limit or len(best) == len(scored):
                return out[:limit]
            out = []
        for doc_id in sorted(scored, key=key):
            if where is None or where(docs[doc_id].episode):
                out.append((scored[doc_id], doc_id))
                if len(out) >= limit:
                    break
        return out

    def _number_hits(self, number: int, where: Where | None) -> list[Hit]:
        found = {d: 100.0 for d in self._by_number.get(number, ())}
        return [
            Hit(self._docs[d].episode, s, None, cut(self._docs[d].episode.summary, 0))
            for s, d in self._order(found, where, len(found))
        ]

    def _number_prefix(self, digits: str, limit: int, where: Where | None) -> list[Hit]:
        found: dict[int, float] = {}
        for number, ids in self._by_number.items():
            text = str(number)
            if text.startswith(digits):
                for d in ids:
                    found[d] = 100.0 if text == digits else 90.0
        order = self._order(found, where, limit)
        return [
            Hit(self._docs[d].episode, s, None, cut(self._docs[d].episode.summary, 0))
            for s, d in order
        ]

    def _newest(
        self, limit: int, where: Where | None, ids: Sequence[int] | None = None
    ) -> list[Hit]:
        out: list[Hit] = []
        for doc_id in self._newest_ids() if ids is None else ids:
            episode = self._docs[doc_id].episode
            if where is None or where(episode):
                out.append(Hit(episode, 0.0, None, cut(episode.summary, 0)))
                if len(out) >= limit:
                    break
        return out

    def _newest_ids(self) -> list[int]:
        if self._newest_cache is None:
            docs = self._docs
            self._newest_cache = sorted(docs, key=lambda d: docs[d].order)
            self._all_titles = self._released_titles = None
            self._release_times = None
        return self._newest_cache

    def _titles_for(self, published_at: datetime | None) -> _Titles:
        """The titles autocomplete scans, newest first: every one, or those of the
        episodes out of draft and released by ``published_at`` (the rest can never pass
        ``Episode.is_published`` then; expiry is left to it). Kept until an episode is
        added or removed, or the next one is released."""
        newest = self._newest_ids()
        docs, titles = self._docs, self._titles
        if published_at is None:
            if self._all_titles is None:
                self._all_titles = _Titles(newest, titles)
            return self._all_titles
        if self._release_times is None:
            self._release_times = sorted(
                t
                for d in newest
                if not docs[d].episode.draft and (t := docs[d].episode.released_at) is not None
            )
        released = bisect_right(self._release_times, published_at)
        held = self._released_titles
        if held is None or held[0] != released:
            ids = [d for d in newest if _released_by(docs[d].episode, published_at)]
            held = self._released_titles = (released, _Titles(ids, titles))
        return held[1]

    def _suggestions(self, parsed: ParsedQuery) -> tuple[str, ...]:
        out: list[str] = []
        for group in parsed.latin:
            if group.word in self._postings:
                continue
            for word in self.vocab.similar(group.word):
                out.append(self.vocab.surface(word))
        for chunk in parsed.ja:
            for kana in chunk.kana_parts:
                for word, _ in self._sounds_like(kana):
                    out.append(" ".join(self.vocab.surface(w) for w in word.split(" ")))
        seen: dict[str, None] = {}
        for s in out:
            seen.setdefault(s, None)
        return tuple(seen)[:5]


class _Titles:
    """Normalised titles in a fixed order, joined so that one ``str.find`` over them all
    finds a prefix rather than one call per title."""

    def __init__(self, ids: Sequence[int], titles: dict[int, str]) -> None:
        self.ids = list(ids)
        starts, at = [], 0
        for doc_id in self.ids:
            starts.append(at)
            at += len(titles[doc_id]) + 1
        self._starts = starts
        self._joined = "\x00".join(titles[d] for d in self.ids)

    def find(self, text: str) -> Iterator[tuple[int, bool]]:
        """(id, whether ``text`` starts a word there) of each title holding ``text``
        (where it first occurs in that title), in order."""
        if "\x00" in text:
            return
        joined, starts, ids = self._joined, self._starts, self.ids
        pos = joined.find(text)
        while pos >= 0:
            i = bisect_right(starts, pos) - 1
            yield ids[i], pos == starts[i] or not joined[pos - 1].isalnum()
            if i + 1 >= len(starts):
                return
            pos = joined.find(text, starts[i + 1])


def _released_by(episode: Episode, moment: datetime) -> bool:
    released = episode.released_at
    return not episode.draft and (released is None or released <= moment)


def _published(moment: datetime, where: Where | None) -> Where:
    if where is None:
        return lambda e: e.is_published(moment)
    return lambda e: e.is_published(moment) and where(e)


def _alt(terms: tuple[str, ...], quality: float) -> Alt:
    """An alternative made of Latin words, found in text with any separator between."""
    body = "[^0-9a-z\u3040-\u30ff\u4e00-\u9fff]{0,3}".join(re.escape(t) for t in terms)
    if not terms or not terms[0]:
        return Alt(terms, quality, f"(?<![0-9a-z]){body}(?![0-9a-z])")
    # "no letter or digit before the first word", asserted after that word rather than
    # before it: the pattern then starts with a literal, which re finds 20x faster
    first = re.escape(terms[0])
    rest = body[len(first) :]
    return Alt(terms, quality, f"{first}(?<![0-9a-z]{first}){rest}(?![0-9a-z])")


_INNER_CAPITAL = re.compile(r"[a-z][A-Z]")
_NAME_NUMBER = re.compile(r"([a-z]{3,})(\d{1,3})")


def capitalised(word: str, query: str) -> bool:
    """Whether ``word`` is written with a capital inside ``query`` (not as its first word),
    or with a capital inside the word (``WordPress``)."""
    return _capitalised(word, query)


def _capitalised(word: str, query: str) -> bool:
    """Whether ``word`` is written with a capital inside the query (``AWS App Runner``):
    part of a name there, not filler, however common the word."""
    if not word.isascii() or not word[:1].isalpha():
        return False
    pattern = re.compile(
        rf"(?<=[\s\-/])({word[0].upper()}{re.escape(word[1:])})(?![A-Za-z0-9])", re.IGNORECASE
    )
    if any(m.group(1)[0].isupper() for m in pattern.finditer(query)):
        return True
    # the first word of a name of capitalised words ("Oracle Database", "Amazon Bedrock")
    leading = re.compile(
        rf"(?<![A-Za-z0-9])((?i:{re.escape(word)}))[ \-]+[A-Z][A-Za-z0-9]*(?![A-Za-z0-9])"
    )
    if any(m.group(1)[0].isupper() for m in leading.finditer(query)):
        return True
    # a capital inside the word itself ("WordPress", "SnapStart") names something
    # wherever the word stands, first word included; however common the word is on the
    # web, it is no filler
    anywhere = re.compile(rf"(?<![A-Za-z])({re.escape(word)})(?![A-Za-z])", re.IGNORECASE)
    return any(_INNER_CAPITAL.search(m.group(1)) for m in anywhere.finditer(query))


def _looks_like_a_name(surface: str) -> bool:
    """Product and event names are written in Latin letters or katakana; an unknown
    kanji compound (配信網) more likely describes than names."""
    letters = [c for c in surface if not c.isspace()]
    if not letters:
        return False
    latin_or_kana = sum(c.isascii() or "\u30a1" <= c <= "\u30fc" for c in letters)
    return latin_or_kana >= 0.8 * len(letters)


def _best(rough: NDArray[np.float64], floor: float, count: int) -> list[int]:
    """Ids of the ``count`` best first-stage scores of at least ``floor``, best first;
    equal scores in id order."""
    passing = np.flatnonzero(rough >= floor)
    if len(passing) > count:
        kth = np.partition(rough[passing], len(passing) - count)[len(passing) - count]
        passing = passing[rough[passing] >= kth]
    order = np.lexsort((passing, -rough[passing]))
    return [int(d) for d in passing[order[:count]]]


def _needles(unit: Unit) -> tuple[Needle, ...]:
    return tuple(Needle(alt.pattern, unit.weight * alt.quality) for alt in unit.alts)


def _bare_long_number(query: str) -> bool:
    """Digits alone, three or more ("2024", "1000"): when no episode has that number it
    is more likely a year or an amount than an episode ("#99" and "99" stay numbers)."""
    text = unicodedata.normalize("NFKC", query).strip()
    return len(text) >= 3 and text.isascii() and text.isdigit()
