"""Search index over episodes: one ranking for every front end.

An in-memory inverted index of Latin words and Japanese character bigrams (see
``bot.textnorm``). Each posting packs the episode id and the term frequency in five
fields (title > summary > headings > link texts > body) into one 32-bit integer, so a
10,000-episode site fits in little memory and an update touches only that episode's
postings.

A query (``bot.query``) becomes units: a Latin word or compound, or a Japanese chunk.
Each unit has alternatives: the exact terms, the joined or split compound, vocabulary
words within an edit or two (typos), words it is a prefix of, and Latin words its
katakana sounds like (``クラウドフロント`` -> ``cloudfront``). An episode's score is a
BM25F-like sum over units, each weighted by how rare it is; an episode that covers too
little of the query's weight is not a hit, so unrelated queries answer nothing.
"""

from __future__ import annotations

import itertools
import logging
import math
import re
import unicodedata
from array import array
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from bot.models import Episode, Hit, SearchResult
from bot.query import JaChunk, LatinGroup, ParsedQuery, parse_number, parse_query
from bot.snippets import Needle, cut, locate
from bot.textnorm import index_terms, normalize
from bot.vocab import Vocabulary

log = logging.getLogger(__name__)

Where = Callable[[Episode], bool]

ID_SHIFT = 12  # posting = episode id << 12 | packed field frequencies
MAX_ID = 1 << 20
FIELD_MASK = (1 << ID_SHIFT) - 1
# bits of the packed frequencies: body 0-3 (cap 15), links 4-5, headings 6-7,
# summary 8-9, title 10-11 (cap 3 each)
FIELD_SHIFTS = (("links", 4), ("headings", 6), ("summary", 8), ("title", 10))
FIELD_WEIGHTS = {"title": 6.0, "summary": 3.0, "headings": 2.5, "links": 1.5}
K1 = 1.2
BODY_B = 0.6
BASE = 0.45  # share of a unit's score earned just by matching; the rest by field strength
MIN_COVERAGE = 0.55  # share of the query's weight a hit must match
RELATIVE_CUT = 0.3  # hits below this share of the best score are dropped
UNSEEN_BOOST = 1.6  # a word the notes never use weighs this much more than the rarest
TITLE_BONUS = 0.15  # extra for an episode whose title is mostly the query (a dedicated one)
VERIFY = 30  # candidates checked exactly
TITLE_BITS = 3 << 10
_SQRT = [math.sqrt(i) for i in range(16)]


def _side_weights() -> list[float]:
    """Field-weighted frequency of every combination of the four short fields."""
    table = []
    for packed in range(1 << (ID_SHIFT - 4)):
        total = 0.0
        for name, shift in FIELD_SHIFTS:
            total += FIELD_WEIGHTS[name] * ((packed << 4 >> shift) & 3)
        table.append(total)
    return table


_SIDE = _side_weights()
_SURFACE = re.compile("[0-9A-Za-z\u00c0-\u024f]+")


@dataclass(frozen=True, slots=True)
class Alt:
    """One way a unit can match: all of ``terms`` (partial matches earn less)."""

    terms: tuple[str, ...]
    quality: float
    pattern: str  # regular expression over normalised text, for snippets
    phrase: str = ""  # Japanese chunk that must appear as written (checked on top hits)


@dataclass(frozen=True, slots=True)
class Unit:
    alts: tuple[Alt, ...]
    weight: float


@dataclass(slots=True)
class _Doc:
    episode: Episode
    norm: float  # body length normalisation
    title_terms: int  # distinct terms in the title


class SearchIndex:
    def __init__(self) -> None:
        self._docs: dict[int, _Doc] = {}
        self._ids: dict[str, int] = {}
        self._next_id = 0
        self._post: dict[str, array[int]] = {}
        self._body_total = 0
        self._by_number: dict[int, set[int]] = {}
        self._titles: dict[int, str] = {}  # normalised label, for autocomplete
        self.vocab = Vocabulary()

    @classmethod
    def build(cls, episodes: Iterable[Episode]) -> SearchIndex:
        index = cls()
        for episode in episodes:
            index.upsert(episode)
        return index

    def __len__(self) -> int:
        return len(self._docs)

    # -- upkeep ------------------------------------------------------------------

    def upsert(self, episode: Episode) -> None:
        """Add ``episode``, or replace the one with the same path."""
        if episode.path in self._ids:
            self.remove(episode.path)
        if self._next_id >= MAX_ID:
            self._renumber()
        doc_id = self._next_id
        self._next_id += 1
        packed, body_len, words, pairs, surfaces = _analyse(episode)
        title_terms = sum(1 for v in packed.values() if v & TITLE_BITS)
        base = doc_id << ID_SHIFT
        post = self._post
        for term, value in packed.items():
            postings = post.get(term)
            if postings is None:
                post[term] = postings = array("I")
            postings.append(base | value)
        self._ids[episode.path] = doc_id
        self._body_total += body_len
        average = self._body_total / (len(self._docs) + 1) or 1.0
        norm = 1.0 / (1 - BODY_B + BODY_B * body_len / average)
        self._docs[doc_id] = _Doc(episode, norm, title_terms)
        if episode.number is not None:
            self._by_number.setdefault(episode.number, set()).add(doc_id)
        self._titles[doc_id] = normalize(episode.label)
        self.vocab.add(words, pairs)
        self.vocab.remember_surface(surfaces)

    def remove(self, path: str) -> None:
        """Forget the episode read from ``path`` (nothing happens if there is none)."""
        doc_id = self._ids.pop(path, None)
        if doc_id is None:
            return
        doc = self._docs.pop(doc_id)
        packed, body_len, words, pairs, _ = _analyse(doc.episode)
        low = doc_id << ID_SHIFT
        for term in packed:
            postings = self._post.get(term)
            if postings is None:
                continue
            i = _bisect(postings, low)
            if i < len(postings) and postings[i] >> ID_SHIFT == doc_id:
                del postings[i]
            if not postings:
                del self._post[term]
        self._body_total -= body_len
        number = doc.episode.number
        if number is not None:
            self._by_number.get(number, set()).discard(doc_id)
        self._titles.pop(doc_id, None)
        self.vocab.remove(words, pairs)

    def _renumber(self) -> None:
        episodes = [d.episode for _, d in sorted(self._docs.items())]
        fresh = SearchIndex.build(episodes)
        self._docs, self._ids, self._next_id = fresh._docs, fresh._ids, fresh._next_id
        self._post, self._body_total = fresh._post, fresh._body_total
        self._by_number, self._titles, self.vocab = fresh._by_number, fresh._titles, fresh.vocab

    # -- search ------------------------------------------------------------------

    def search(self, query: str, limit: int = 5, *, where: Where | None = None) -> SearchResult:
        """Episodes matching ``query``, best first; suggestions when nothing matches."""
        parsed = parse_query(query)
        if parsed.empty or limit <= 0:
            return SearchResult(query, ())
        hits = self._number_hits(parsed.number, where) if parsed.number is not None else []
        if parsed.number_only:
            return SearchResult(query, tuple(hits[:limit]))
        units = self._units(parsed, fuzzy=True)
        taken = {h.episode.path for h in hits}
        ranked = self._rank(units, where, limit + len(taken))
        for score, doc_id in ranked:
            episode = self._docs[doc_id].episode
            if episode.path in taken:
                continue
            section, snippet = locate(episode, [_needles(u) for u in units])
            hits.append(Hit(episode, score, section, snippet))
            if len(hits) >= limit:
                break
        if hits:
            return SearchResult(query, tuple(hits[:limit]))
        return SearchResult(query, (), self._suggestions(parsed))

    def complete(self, prefix: str, limit: int = 25, *, where: Where | None = None) -> list[Hit]:
        """Autocomplete: episodes whose number or title starts like ``prefix``, then
        episodes matching it as a search with its last word taken as a prefix."""
        if limit <= 0:
            return []
        text = normalize(prefix[:100]).strip()
        if not text:
            return self._newest(limit, where)
        number = parse_number(prefix[:100])
        if number is not None:
            return self._number_prefix(str(number), limit, where)
        scored: dict[int, float] = {}
        for doc_id, title in self._titles.items():
            pos = title.find(text)
            if pos >= 0:
                scored[doc_id] = 100.0 if pos == 0 or title[pos - 1] in " 】]" else 90.0
        if len(scored) < limit:
            units = self._units(parse_query(prefix[:100]), fuzzy=False, prefix_last=True)
            for score, doc_id in self._rank(units, where, limit * 2):
                scored.setdefault(doc_id, min(score, 89.0))
        order = self._order(scored, where, limit)
        return [
            Hit(self._docs[d].episode, s, None, cut(self._docs[d].episode.summary, 0))
            for s, d in order
        ]

    # -- internals ---------------------------------------------------------------

    def _units(self, parsed: ParsedQuery, fuzzy: bool, prefix_last: bool = False) -> list[Unit]:
        units: list[Unit] = []
        last_latin: tuple[LatinGroup, Unit] | None = None
        for i, group in enumerate(parsed.latin):
            is_last = prefix_last and i == len(parsed.latin) - 1 and not parsed.ja
            unit = self._latin_unit(group, fuzzy, is_last)
            if last_latin is not None and group.after_space:
                merged = self._merge(last_latin[0], group, last_latin[1], unit, fuzzy)
                if merged is not None:
                    units[-1] = merged
                    last_latin = None
                    continue
            units.append(unit)
            last_latin = (group, unit)
        units.extend(self._ja_unit(chunk, fuzzy) for chunk in parsed.ja)
        return [u for u in units if u.alts or u.weight > 0]

    def _latin_unit(self, group: LatinGroup, fuzzy: bool, prefix: bool) -> Unit:
        word = group.word
        alts: list[Alt] = []
        if word in self._post:
            alts.append(_alt((word,), 1.0))
        if len(group.parts) > 1:
            alts.append(_alt(group.parts, 1.0))
        elif word not in self._post:
            alts.extend(self._split(word))
            if fuzzy:
                alts.extend(_alt((w,), 0.9 - 0.07 * d) for w, d in self.vocab.typos(word))
        if (word not in self._post or prefix) and (len(word) >= 4 or prefix):
            alts.extend(_alt((w,), 0.8) for w in self.vocab.with_prefix(word, 5 if prefix else 3))
        return self._unit(alts)

    def _split(self, word: str) -> list[Alt]:
        for i in range(2, len(word) - 1):
            head, tail = word[:i], word[i:]
            if head in self._post and tail in self._post:
                return [_alt((head, tail), 0.95)]
        return []

    def _merge(
        self, first: LatinGroup, second: LatinGroup, a: Unit, b: Unit, fuzzy: bool
    ) -> Unit | None:
        joined = first.word + second.word
        alts: list[Alt] = []
        if joined in self._post:
            alts.append(_alt((joined,), 1.0))
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
        phrase = chunk.text if len(chunk.terms) > 1 else ""
        alts = [Alt(chunk.terms, 1.0, re.escape(chunk.text), phrase)]
        for kana in chunk.kana_parts:
            if not fuzzy and len(kana) < 3:
                continue
            for word, similarity in self.vocab.sounds_like(kana):
                quality = 0.9 * max(0.0, similarity - 0.5) / 0.5
                alts.append(_alt(tuple(word.split(" ")), quality))
        return self._unit(alts)

    def _unit(self, alts: list[Alt]) -> Unit:
        n = len(self._docs) or 1
        unseen = math.log(1 + n / 0.5) * UNSEEN_BOOST
        weight = 0.0
        for alt in alts:
            idfs = [self._idf(t, n, unseen) for t in alt.terms]
            weight = max(weight, alt.quality * sum(idfs) / len(idfs))
        return Unit(tuple(alts), weight or unseen)

    def _idf(self, term: str, n: int, unseen: float) -> float:
        postings = self._post.get(term)
        return math.log(1 + n / len(postings)) if postings else unseen

    def _rank(self, units: list[Unit], where: Where | None, limit: int) -> list[tuple[float, int]]:
        """Episodes that cover enough of the query, best first: (score 0-100, id)."""
        total = sum(u.weight for u in units)
        if not units or total <= 0:
            return []
        per_unit = [self._match_alts(u) for u in units]
        score: dict[int, float] = {}
        for unit, alt_maps in zip(units, per_unit, strict=True):
            best: dict[int, float] = {}
            for alt_map in alt_maps:
                for doc_id, (match, strength, _) in alt_map.items():
                    value = match * (BASE + (1 - BASE) * strength)
                    if value > best.get(doc_id, 0.0):
                        best[doc_id] = value
            for doc_id, value in best.items():
                score[doc_id] = score.get(doc_id, 0.0) + unit.weight * value / total
        floor = MIN_COVERAGE * BASE
        pool = sorted((d for d, v in score.items() if v >= floor), key=lambda d: -score[d])
        checked: dict[int, float] = {}
        for doc_id in pool[: max(VERIFY, 2 * limit)]:
            value = self._verify(doc_id, units, per_unit, total)
            if value > 0:
                checked[doc_id] = round(100 * value, 2)
        if not checked:
            return []
        cut_below = max(checked.values()) * RELATIVE_CUT
        return self._order({d: v for d, v in checked.items() if v >= cut_below}, where, limit)

    def _verify(
        self,
        doc_id: int,
        units: list[Unit],
        per_unit: list[list[dict[int, tuple[float, float, int]]]],
        total: float,
    ) -> float:
        """Exact score of one candidate: Japanese chunks must appear as written, the
        query must cover enough of it, and a title that is mostly the query earns more."""
        doc = self._docs[doc_id]
        text: str | None = None
        cover = value = 0.0
        title_hits = 0
        for unit, alt_maps in zip(units, per_unit, strict=True):
            best = (0.0, 0.0, 0)
            for alt, alt_map in zip(unit.alts, alt_maps, strict=True):
                got = alt_map.get(doc_id)
                if got is None:
                    continue
                match, strength, in_title = got
                if alt.phrase:
                    if text is None:
                        text = normalize(_full_text(doc.episode))
                    if alt.phrase not in text:
                        match *= 0.4
                if match * (BASE + (1 - BASE) * strength) > best[0] * (BASE + (1 - BASE) * best[1]):
                    best = (match, strength, in_title)
            cover += unit.weight * best[0] / total
            value += unit.weight * best[0] * (BASE + (1 - BASE) * best[1]) / total
            title_hits += best[2]
        if cover < MIN_COVERAGE:
            return 0.0
        title_share = min(1.0, title_hits / doc.title_terms) if doc.title_terms else 0.0
        return min(1.0, value * (1 + TITLE_BONUS * title_share))

    def _match_alts(self, unit: Unit) -> list[dict[int, tuple[float, float, int]]]:
        """Per alternative: episode id -> (match 0-1, field strength 0-1, title terms)."""
        n = len(self._docs) or 1
        unseen = math.log(1 + n / 0.5) * UNSEEN_BOOST
        docs = self._docs
        out = []
        for alt in unit.alts:
            idfs = [self._idf(t, n, unseen) for t in alt.terms]
            total = sum(idfs)
            got: dict[int, list[float]] = {}  # id -> [matched idf, strength, title terms]
            for term, idf in zip(alt.terms, idfs, strict=True):
                for posting in self._post.get(term, ()):
                    doc_id = posting >> ID_SHIFT
                    value = posting & FIELD_MASK
                    tf = _SQRT[value & 15] * docs[doc_id].norm + _SIDE[value >> 4]
                    strength = idf * tf / (tf + K1)
                    in_title = 1.0 if value & TITLE_BITS else 0.0
                    acc = got.get(doc_id)
                    if acc is None:
                        got[doc_id] = [idf, strength, in_title]
                    else:
                        acc[0] += idf
                        acc[1] += strength
                        acc[2] += in_title
            result: dict[int, tuple[float, float, int]] = {}
            for doc_id, (matched, strength_sum, in_title) in got.items():
                frac = matched / total
                match = alt.quality * (1.0 if frac >= 0.999 else frac**1.5)
                result[doc_id] = (match, strength_sum / matched, int(in_title))
            out.append(result)
        return out

    def _order(
        self, scored: dict[int, float], where: Where | None, limit: int
    ) -> list[tuple[float, int]]:
        keyed = sorted(scored.items(), key=lambda item: self._sort_key(item[1], item[0]))
        out: list[tuple[float, int]] = []
        for doc_id, score in keyed:
            if where is None or where(self._docs[doc_id].episode):
                out.append((score, doc_id))
                if len(out) >= limit:
                    break
        return out

    def _sort_key(self, score: float, doc_id: int) -> tuple[float, float, int, str]:
        episode = self._docs[doc_id].episode
        when = episode.sort_date
        stamp = when.timestamp() if when is not None else float("-inf")
        number = episode.number if episode.number is not None else -1
        return (-score, -stamp, -number, episode.path)

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

    def _newest(self, limit: int, where: Where | None) -> list[Hit]:
        order = self._order(dict.fromkeys(self._docs, 0.0), where, limit)
        return [
            Hit(self._docs[d].episode, s, None, cut(self._docs[d].episode.summary, 0))
            for s, d in order
        ]

    def _suggestions(self, parsed: ParsedQuery) -> tuple[str, ...]:
        out: list[str] = []
        for group in parsed.latin:
            if group.word in self._post:
                continue
            for word in self.vocab.similar(group.word):
                out.append(self.vocab.surface(word))
        for chunk in parsed.ja:
            for kana in chunk.kana_parts:
                for word, _ in self.vocab.sounds_like(kana):
                    out.append(" ".join(self.vocab.surface(w) for w in word.split(" ")))
        seen: dict[str, None] = {}
        for s in out:
            seen.setdefault(s, None)
        return tuple(seen)[:5]


def _alt(terms: tuple[str, ...], quality: float) -> Alt:
    """An alternative made of Latin words, found in text with any separator between."""
    body = "[^0-9a-z\u3040-\u30ff\u4e00-\u9fff]{0,3}".join(re.escape(t) for t in terms)
    return Alt(terms, quality, f"(?<![0-9a-z]){body}(?![0-9a-z])")


def _needles(unit: Unit) -> list[Needle]:
    return [Needle(alt.pattern, unit.weight * alt.quality) for alt in unit.alts]


def _full_text(episode: Episode) -> str:
    parts = [episode.raw_title, episode.summary, *episode.tags, *episode.categories]
    parts.extend(s.heading for s in episode.sections)
    parts.extend(r.text for r in episode.references)
    parts.append(episode.text)
    return "\n".join(parts)


def _bisect(postings: array[int], value: int) -> int:
    lo, hi = 0, len(postings)
    while lo < hi:
        mid = (lo + hi) // 2
        if postings[mid] < value:
            lo = mid + 1
        else:
            hi = mid
    return lo


def _analyse(
    episode: Episode,
) -> tuple[dict[str, int], int, set[str], set[str], dict[str, str]]:
    """Packed field frequencies of every term, body length, Latin words, word pairs of
    the short fields (for katakana renderings of two-word names) and spellings."""
    title = index_terms(episode.raw_title or episode.title)
    summary = index_terms(" ".join((episode.summary, *episode.tags, *episode.categories)))
    headings = index_terms("\n".join(s.heading for s in episode.sections if s.heading))
    links = index_terms("\n".join(r.text for r in episode.references))
    body = index_terms(episode.text, grammar=False)
    packed: dict[str, int] = dict(Counter(body))
    if packed and max(packed.values()) > 15:
        packed = {t: min(c, 15) for t, c in packed.items()}
    for terms, (_, shift) in zip((links, headings, summary, title), FIELD_SHIFTS, strict=True):
        for term, count in Counter(terms).items():
            packed[term] = packed.get(term, 0) | (min(count, 3) << shift)
    words = {t for t in packed if t[0] < "\u3000" and not t.isdigit()}
    pairs: set[str] = set()
    surfaces: dict[str, str] = {}
    for text in (episode.raw_title, *(s.heading for s in episode.sections)):
        spelled = _SURFACE.findall(unicodedata.normalize("NFKC", text))
        for first, second in itertools.pairwise(spelled):
            pairs.add(f"{first.casefold()} {second.casefold()}")
        for word in spelled:
            surfaces.setdefault(word.casefold(), word)
    return packed, len(body), words, pairs, surfaces
