"""Inverted index storage: term -> episode ids and packed field frequencies.

Two flat arrays per term (``array('I')`` of ids, ``array('H')`` of frequencies), so a
10,000-episode site takes a few bytes per posting instead of a Python object each.
Ids only grow, so every array stays sorted by id: removing an episode is a binary
search per term, and a look-up of one episode in a term is ``bisect``.

Packed frequencies (16 bits): body 0-3 (capped at 15), link texts 4-5, headings 6-7,
summary 8-9, title 10-11 (capped at 3 each).
"""

from __future__ import annotations

import itertools
import re
from array import array
from bisect import bisect_left
from collections import Counter
from dataclasses import dataclass

from bot.models import Episode
from bot.textnorm import field_terms, nfkc

FIELD_SHIFTS = (("links", 4), ("headings", 6), ("summary", 8), ("title", 10))
TITLE_BITS = 3 << 10
_SURFACE = re.compile("[0-9A-Za-z\u00c0-\u024f]+")


@dataclass(frozen=True, slots=True)
class Analysis:
    """What the index keeps of one episode."""

    packed: dict[str, int]  # term -> packed field frequencies
    body_len: int  # terms in the body
    title_terms: int  # distinct terms in the title
    words: frozenset[str]  # Latin words (for the vocabulary)
    pairs: frozenset[str]  # "w1 w2" from title and headings (two-word names)
    surfaces: dict[str, str]  # word -> its spelling in the notes


def analyse(episode: Episode) -> Analysis:
    fields = (
        field_terms("\n".join(r.text for r in episode.references)),
        field_terms("\n".join(s.heading for s in episode.sections if s.heading)),
        field_terms(" ".join((episode.summary, *episode.tags, *episode.categories))),
        field_terms(episode.raw_title or episode.title),
    )
    # Joined compounds (well-architected -> wellarchitected) come from the short fields;
    # for long text the query side joins and splits words instead.
    body_words, body_ja = field_terms(episode.text, grammar=False, joined=False)
    counts = Counter(body_ja)
    counts.update(body_words)
    for term, count in counts.most_common():
        if count <= 15:
            break
        counts[term] = 15
    packed: dict[str, int] = dict(counts)
    words = set(body_words)
    for (latin, ja), (_, shift) in zip(fields, FIELD_SHIFTS, strict=True):
        words.update(latin)
        for term, count in Counter(latin + ja).items():
            packed[term] = packed.get(term, 0) | ((count if count < 3 else 3) << shift)
    pairs: set[str] = set()
    surfaces: dict[str, str] = {}
    for text in (episode.raw_title, *(s.heading for s in episode.sections)):
        spelled = _SURFACE.findall(nfkc(text))
        for first, second in itertools.pairwise(spelled):
            pairs.add(f"{first.casefold()} {second.casefold()}")
        for word in spelled:
            surfaces.setdefault(word.casefold(), word)
    title_terms = len(set(fields[3][0]) | set(fields[3][1]))
    return Analysis(
        packed,
        len(body_words) + len(body_ja),
        title_terms,
        frozenset(w for w in words if not w.isdigit()),
        frozenset(pairs),
        surfaces,
    )


class Postings:
    def __init__(self) -> None:
        self._lists: dict[str, tuple[array[int], array[int]]] = {}  # term -> (ids, values)

    def __contains__(self, term: str) -> bool:
        return term in self._lists

    def __len__(self) -> int:
        return len(self._lists)

    def df(self, term: str) -> int:
        found = self._lists.get(term)
        return len(found[0]) if found is not None else 0

    def get(self, term: str) -> tuple[array[int], array[int]] | None:
        return self._lists.get(term)

    def value(self, term: str, doc_id: int) -> int | None:
        """Packed frequencies of ``term`` in one episode, or None."""
        found = self._lists.get(term)
        if found is None:
            return None
        ids = found[0]
        i = bisect_left(ids, doc_id)
        if i < len(ids) and ids[i] == doc_id:
            return found[1][i]
        return None

    def add(self, doc_id: int, packed: dict[str, int]) -> None:
        """Add an episode; ``doc_id`` must be larger than every id added before."""
        lists = self._lists
        get = lists.get
        for term, value in packed.items():
            found = get(term)
            if found is None:
                lists[term] = (array("I", (doc_id,)), array("H", (value,)))
            else:
                found[0].append(doc_id)
                found[1].append(value)

    def remove(self, doc_id: int, terms: dict[str, int]) -> None:
        for term in terms:
            found = self._lists.get(term)
            if found is None:
                continue
            ids, values = found
            i = bisect_left(ids, doc_id)
            if i < len(ids) and ids[i] == doc_id:
                del ids[i]
                del values[i]
            if not ids:
                del self._lists[term]
