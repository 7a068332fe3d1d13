"""Inverted index storage: term -> episode ids and packed field frequencies.

Two flat arrays per term (``array('I')`` of ids, ``array('H')`` of frequencies), so a
10,000-episode site takes a few bytes per posting instead of a Python object each.
New ids only grow, so every array stays sorted by id: removing an episode is a binary
search per term, and a look-up of one episode in a term is ``bisect``. A changed
episode keeps its id (``replace``): its values change in place, its new terms are
inserted where the id sorts.

Packed frequencies (16 bits): body 0-3 (capped at 15), link texts 4-5, headings 6-7,
summary 8-9, title 10-11 (capped at 3 each).
"""

from __future__ import annotations

import re
import sys
from array import array
from bisect import bisect_left
from collections import Counter
from dataclasses import dataclass
from itertools import compress, filterfalse, repeat
from operator import attrgetter, lt
from typing import Any

from bot.models import Episode
from bot.search.textnorm import RunTerms, count_terms, nfkc

FIELD_SHIFTS = (("links", 4), ("headings", 6), ("summary", 8), ("title", 10))
TITLE_BITS = 3 << 10
_SURFACE = re.compile("[0-9A-Za-z\u00c0-\u024f]+")
_SPELLED = re.compile(  # a word, and the next one on its line
    "([0-9A-Za-z\u00c0-\u024f]+)(?=[^0-9A-Za-z\u00c0-\u024f\n]*([0-9A-Za-z\u00c0-\u024f]*))"
)
_TEXT = attrgetter("text")
_HEADING = attrgetter("heading")


@dataclass(frozen=True, slots=True)
class Analysis:
    """What the index keeps of one episode."""

    packed: dict[str, int]  # term -> packed field frequencies
    body_len: int  # terms in the body
    title_terms: int  # distinct terms in the title
    words: frozenset[str]  # Latin words (for the vocabulary)
    pairs: frozenset[str]  # "w1 w2" from title and headings (two-word names)
    surfaces: dict[str, str]  # word -> its spelling in the notes


class Memo:
    """What analysing one episode can reuse for the next: Japanese runs repeat across
    notes. Keep one for a build; it grows with every distinct run."""

    def __init__(self) -> None:
        self.body_runs = RunTerms(grammar=False)
        self.runs = RunTerms(grammar=True)


def analyse(episode: Episode, memo: Memo | None = None) -> Analysis:
    memo = memo if memo is not None else Memo()
    # Joined compounds (well-architected -> wellarchitected) come from the short fields;
    # for long text the query side joins and splits words instead.
    body_words, packed = count_terms(episode.text, memo.body_runs, joined=False)
    body_len = packed.total()
    if packed and max(packed.values()) > 15:  # cap at 15 (4 bits)
        for term in list(compress(packed, map(lt, repeat(15), packed.values()))):
            packed[term] = 15
    words = set(body_words)
    fields = (
        "\n".join(map(_TEXT, episode.references)),
        "\n".join(filter(None, map(_HEADING, episode.sections))),
        " ".join((episode.summary, *episode.tags, *episode.categories)),
        episode.raw_title or episode.title,
    )
    counts: Counter[str] = Counter()
    for text, (_, shift) in zip(fields, FIELD_SHIFTS, strict=True):
        latin, counts = count_terms(text, memo.runs)
        words.update(latin)
        _merge(packed, counts, shift)
    found = _spelled((episode.raw_title, *map(_HEADING, episode.sections)))
    spelled = [word for word, _ in reversed(found)]  # so that the first spelling wins
    return Analysis(
        packed,
        body_len,
        len(counts),  # the title's: the last field
        frozenset(filterfalse(str.isdigit, words)),
        frozenset(f"{word} {after}".casefold() for word, after in found if after),
        dict(zip(map(str.casefold, spelled), spelled, strict=True)),
    )


def _spelled(texts: tuple[str, ...]) -> list[tuple[str, str]]:
    """The words of a title and headings as spelled, each with the word after it in the
    same text ("" for the last)."""
    joined = "\n".join(texts)
    if joined.count("\n") == len(texts) - 1:  # no line break inside: one pass
        return _SPELLED.findall(nfkc(joined))
    out: list[tuple[str, str]] = []
    for text in texts:
        words = _SURFACE.findall(nfkc(text))
        out.extend(zip(words, [*words[1:], ""], strict=True))
    return out


def _merge(packed: dict[str, int], counts: Counter[str], shift: int) -> None:
    """Add one field's term counts (capped at 3) at ``shift`` in the packed values."""
    get = packed.get
    for term, count in counts.items():
        packed[term] = get(term, 0) | ((count if count < 3 else 3) << shift)


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

    def extend(self, other: Postings) -> None:
        """Append ``other``'s lists; its ids must all be larger than the ones here."""
        lists = self._lists
        for term, (ids, values) in other._lists.items():
            mine = lists.get(term)
            if mine is None:
                lists[term] = (array("I", ids), array("H", values))
            else:
                mine[0].extend(ids)
                mine[1].extend(values)

    def replace(self, doc_id: int, old: dict[str, int], new: dict[str, int]) -> None:
        """An episode held under ``doc_id`` changed from ``old`` to ``new``: a term in
        both takes its new value in place, the others are inserted or removed."""
        lists = self._lists
        get = lists.get
        for term, value in new.items():
            found = get(term)
            if found is None:
                lists[term] = (array("I", (doc_id,)), array("H", (value,)))
                continue
            ids, values = found
            i = bisect_left(ids, doc_id)
            if i < len(ids) and ids[i] == doc_id:
                values[i] = value
            else:
                ids.insert(i, doc_id)
                values.insert(i, value)
        self.remove(doc_id, {term: 0 for term in old if term not in new})

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

    # -- plain data, for the start-up snapshot --------------------------------------

    def to_state(self) -> dict[str, Any]:
        """Every list as plain data: the terms, and their ids, values and lengths each
        as one native-order byte string (``from_state`` checks the item sizes)."""
        lengths = array("I", [len(ids) for ids, _ in self._lists.values()])
        ids = array("I")
        values = array("H")
        for found_ids, found_values in self._lists.values():
            ids.extend(found_ids)
            values.extend(found_values)
        return {
            "sizes": [ids.itemsize, values.itemsize, sys.byteorder],
            "terms": list(self._lists),
            "lengths": lengths.tobytes(),
            "ids": ids.tobytes(),
            "values": values.tobytes(),
        }

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> Postings:
        """The postings ``to_state`` gave ``state`` for; ``ValueError`` for anything else."""
        lengths, ids, values = array("I"), array("I"), array("H")
        if list(state["sizes"]) != [ids.itemsize, values.itemsize, sys.byteorder]:
            raise ValueError("postings written on another kind of machine")
        lengths.frombytes(state["lengths"])
        ids.frombytes(state["ids"])
        values.frombytes(state["values"])
        terms = state["terms"]
        if len(terms) != len(lengths) or sum(lengths) != len(ids) or len(ids) != len(values):
            raise ValueError("postings do not add up")
        postings = cls()
        lists = postings._lists
        at = 0
        for term, n in zip(terms, lengths, strict=True):
            end = at + n
            lists[term] = (ids[at:end], values[at:end])
            at = end
        return postings
