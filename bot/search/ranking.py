"""Scoring: how well each episode matches a query's units.

Two stages. ``candidates`` scores every episode that holds a query term with a cheap
approximation (no length normalisation; for very common Japanese chunks only episodes
holding every bigram). ``exact`` then scores the best few candidates properly:
BM25F-like field weights (title > summary > headings > link texts > body) with body
length normalisation, Japanese chunks must appear as written, the share of the query's
weight the episode covers (too little: not a hit), and a bonus when the title is mostly
the query (a dedicated episode beats a roundup that mentions the topic once).
"""

from __future__ import annotations

import math
import re
from array import array
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from bot.search.postings import FIELD_SHIFTS, TITLE_BITS, Postings

FIELD_WEIGHTS = {"title": 6.0, "summary": 3.0, "headings": 2.5, "links": 1.5}
K1 = 1.2
BASE = 0.45  # share of a unit's score earned just by matching; the rest by field strength
MIN_COVERAGE = 0.55  # share of the query's weight a hit must match
QUESTION_COVERAGE = 0.4  # the same for a question, whose extra words fit the topic loosely
TITLE_BONUS = 0.15  # extra for an episode whose title is mostly the query
TITLE_QUERY_BONUS = 0.2  # extra for an episode whose title holds most of the query
UNSEEN_BOOST = 1.6  # a word the notes never use weighs this much more than the rarest
PARTIAL_BUDGET = 15_000  # postings above which a Japanese chunk must match whole
_SQRT = [math.sqrt(i) for i in range(16)]


def _side_weights() -> list[float]:
    """Field-weighted frequency of every combination of the four short fields."""
    table = []
    for packed in range(1 << 8):
        total = 0.0
        for name, shift in FIELD_SHIFTS:
            total += FIELD_WEIGHTS[name] * ((packed << 4 >> shift) & 3)
        table.append(total)
    return table


_SIDE = _side_weights()


def _strength(value: int, norm: float = 1.0) -> float:
    tf = _SQRT[value & 15] * norm + _SIDE[value >> 4]
    return tf / (tf + K1)


# Stage-one value of a posting: BASE + (1 - BASE) * strength, without length norm.
_VALUE = [BASE + (1 - BASE) * _strength(v) for v in range(1 << 12)]
_VALUES = np.array(_VALUE)


@dataclass(frozen=True, slots=True)
class Alt:
    """One way a unit can match: all of ``terms`` (partial matches earn less)."""

    terms: tuple[str, ...]
    quality: float
    pattern: str  # regular expression over normalised text, for snippets
    # pattern of a Japanese chunk that must appear as written (``exact``), made of
    # Japanese characters alone (``kana_pattern`` of a ``JaChunk``'s text)
    phrase: str = ""
    # a pattern of Latin words that must appear together, over the note's whole text:
    # "vscode" also written "VS Code". Where it does not, the alternative gives nothing
    together: str = ""


@dataclass(frozen=True, slots=True)
class Unit:
    alts: tuple[Alt, ...]
    weight: float
    # an everyday word beside the topic ("全部", "basics"): it adds to the score of a
    # hit that has it, and does not count against the coverage of one that lacks it
    optional: bool = False


def idf(postings: Postings, term: str, n: int) -> float:
    df = postings.df(term)
    return math.log(1 + n / df) if df else unseen_idf(n)


def unseen_idf(n: int) -> float:
    return math.log(1 + max(n, 1) / 0.5) * UNSEEN_BOOST


def candidates(postings: Postings, units: list[Unit], n: int, size: int) -> NDArray[np.float64]:
    """Approximate score (0-1) of every episode, by id (``size``: one more than the
    largest id); 0 for an episode holding no query term. NumPy over the postings'
    arrays: the same sums, in the same order, as a loop over them would make."""
    total = sum(u.weight for u in units)
    score = np.zeros(size)
    if total <= 0:
        return score
    for unit in units:
        share = unit.weight / total
        if len(unit.alts) == 1:
            ids, values = _alt_values(postings, unit.alts[0], n, size)
            score[ids] += share * values
            continue
        best = np.zeros(size)
        for alt in unit.alts:
            ids, values = _alt_values(postings, alt, n, size)
            best[ids] = np.maximum(best[ids], values)
        score += share * best
    return score


_NO_IDS: NDArray[np.intp] = np.zeros(0, dtype=np.intp)
_NO_VALUES: NDArray[np.float64] = np.zeros(0)


def _arrays(found: tuple[array[int], array[int]]) -> tuple[NDArray[np.intp], NDArray[np.int64]]:
    ids, vals = found
    return (
        np.frombuffer(ids, dtype=np.uint32).astype(np.intp) if ids else _NO_IDS,
        np.frombuffer(vals, dtype=np.uint16).astype(np.int64) if vals else _NO_IDS,
    )


def _alt_values(
    postings: Postings, alt: Alt, n: int, size: int
) -> tuple[NDArray[np.intp], NDArray[np.float64]]:
    """(ids, values) of the episodes one alternative matches well enough."""
    q = alt.quality
    lists = [(t, postings.get(t)) for t in alt.terms]
    present = [(t, _arrays(p)) for t, p in lists if p is not None]
    if not present:
        return _NO_IDS, _NO_VALUES
    if len(alt.terms) == 1:
        ids, vals = present[0][1]
        values = _VALUES[vals]
        return ids, (q * values if q != 1.0 else values)
    weights = {t: idf(postings, t, n) for t in alt.terms}
    total = sum(weights.values())
    if sum(len(p[0]) for _, p in present) > PARTIAL_BUDGET or len(present) < len(lists):
        if len(present) < len(lists) and sum(weights[t] for t, _ in present) < 0.5 * total:
            return _NO_IDS, _NO_VALUES
        return _whole_values(present, q * _coverage(sum(weights[t] for t, _ in present) / total))
    matched = np.zeros(size)
    summed = np.zeros(size)
    for term, (ids, vals) in present:
        w = weights[term]
        matched[ids] += w
        summed[ids] += w * _VALUES[vals]
    keep = np.flatnonzero(matched > 0.3 * total)
    m = matched[keep]
    frac = m / total
    cover = np.where(frac >= 0.999, 1.0, frac**1.5)
    return keep, q * cover * summed[keep] / m


def _whole_values(present: list, factor: float) -> tuple[NDArray[np.intp], NDArray[np.float64]]:
    """Episodes holding every present term, valued by the rarest one."""
    present = sorted(present, key=lambda item: len(item[1][0]))
    ids, vals = present[0][1]
    keep = np.ones(len(ids), dtype=bool)
    for _, (other, _vals) in present[1:]:
        keep &= np.isin(ids, other, assume_unique=True)
    if not keep.any():
        return _NO_IDS, _NO_VALUES
    return ids[keep], factor * _VALUES[vals[keep]]


def _coverage(frac: float) -> float:
    return 1.0 if frac >= 0.999 else frac**1.5


Plan = list[tuple[float, list[tuple[Alt, list[tuple[str, float]], float]], bool]]


def exact_plan(postings: Postings, units: list[Unit], n: int) -> Plan:
    """What ``exact`` needs of the query, worked out once for all its candidates: per
    unit its weight, and per alternative its terms' idf and their sum, and whether
    the unit is optional."""
    plan: Plan = []
    for unit in units:
        alts = []
        for alt in unit.alts:
            weights = [(t, idf(postings, t, n)) for t in alt.terms]
            alts.append((alt, weights, sum(w for _, w in weights)))
        plan.append((unit.weight, alts, unit.optional))
    return plan


def exact(
    postings: Postings,
    plan: Plan,
    doc_ids: Sequence[int],
    norms: Sequence[float],
    title_terms: Sequence[int],
    text: Callable[[int], str],
    min_coverage: float = MIN_COVERAGE,
    whole: Callable[[int], str] | None = None,
) -> list[float]:
    """Exact score (0-1) of each episode of ``doc_ids``; 0 when it covers too little of
    the query. ``plan`` is ``exact_plan`` of the query's units; ``norms`` the episodes'
    body length normalisation and ``title_terms`` their titles' term counts.

    ``text(i)`` gives the normalised text of the ``i``-th episode (its Japanese runs
    are enough: a ``phrase`` is made of Japanese characters), asked for only when a
    Japanese chunk must be checked as written there; ``whole(i)`` its whole normalised
    text, asked for only to check an alternative's Latin words ``together``. NumPy over
    all the episodes at once: each sum is made in the same order as one episode at a
    time would."""
    count = len(doc_ids)
    total = sum(weight for weight, _, _ in plan)
    required = sum(weight for weight, _, optional in plan if not optional)
    if total <= 0 or not count:
        return [0.0] * count
    ids = np.asarray(doc_ids, dtype=np.intp)
    norm = np.asarray(norms, dtype=np.float64)
    packed_of: dict[str, NDArray[np.int64]] = {}
    cover = np.zeros(count)
    required_cover = np.zeros(count)  # what the words other than everyday ones cover
    value = np.zeros(count)
    in_title_share = np.zeros(count)
    title_hits = np.zeros(count, dtype=np.int64)
    for unit_weight, alts, optional in plan:
        best_match = np.zeros(count)
        best_value = np.zeros(count)
        best_title = np.zeros(count, dtype=np.int64)
        best_terms = np.ones(count, dtype=np.int64)
        for alt, weights, alt_total in alts:
            matched = np.zeros(count)
            strength = np.zeros(count)
            in_title = np.zeros(count, dtype=np.int64)
            for term, w in weights:
                packed = packed_of.get(term)
                if packed is None:
                    packed = packed_of[term] = _packed(postings, term, ids)
                present = packed >= 0
                if not present.any():
                    continue
                tf = _SQRTS[packed & 15] * norm + _SIDES[packed >> 4]
                matched = np.where(present, matched + w, matched)
                strength = np.where(present, strength + w * (tf / (tf + K1)), strength)
                in_title += present & ((packed & TITLE_BITS) != 0)
            some = matched > 0
            if not some.any():
                continue
            frac = matched / alt_total
            match = alt.quality * _coverages(frac)
            if alt.phrase:
                phrase = re.compile(alt.phrase)
                for i in np.flatnonzero(some).tolist():
                    if phrase.search(text(i)) is None:
                        match[i] *= 0.4
            if alt.together and whole is not None:
                together = re.compile(alt.together)
                for i in np.flatnonzero(some).tolist():
                    if together.search(whole(i)) is None:
                        match[i] = 0.0
            got = match * (BASE + (1 - BASE) * strength / np.where(some, matched, 1.0))
            better = some & (got > best_value)
            best_match = np.where(better, match, best_match)
            best_value = np.where(better, got, best_value)
            best_title = np.where(better, in_title, best_title)
            best_terms = np.where(better, len(alt.terms), best_terms)
        cover += unit_weight * best_match
        if not optional:
            required_cover += unit_weight * best_match
        value += unit_weight * best_value / total
        title_hits += best_title
        in_title_share += unit_weight * np.minimum(1.0, best_title / best_terms) / total
    terms = np.asarray(title_terms, dtype=np.int64)
    title_share = np.where(
        terms > 0, np.minimum(1.0, title_hits / np.where(terms > 0, terms, 1)), 0.0
    )
    bonus = TITLE_BONUS * title_share + TITLE_QUERY_BONUS * in_title_share
    scores = np.minimum(1.0, value * (1 + bonus) / (1 + TITLE_BONUS + TITLE_QUERY_BONUS))
    # a hit that matches every word but the everyday ones passes whatever it lacks
    named = required_cover >= 0.999 * required if required > 0 else np.zeros(count, dtype=bool)
    return np.where((cover / total < min_coverage) & ~named, 0.0, scores).tolist()


_SQRTS = np.array(_SQRT)
_SIDES = np.array(_SIDE)


def _packed(postings: Postings, term: str, ids: NDArray[np.intp]) -> NDArray[np.int64]:
    """Packed frequencies of ``term`` in each episode of ``ids`` (sorted or not); -1
    where it does not occur."""
    found = postings.get(term)
    if found is None or not found[0]:
        return np.full(len(ids), -1, dtype=np.int64)
    have, vals = _arrays(found)
    at = np.minimum(np.searchsorted(have, ids), len(have) - 1)
    return np.where(have[at] == ids, vals[at], -1)


def _coverages(frac: NDArray[np.float64]) -> NDArray[np.float64]:
    """``_coverage`` of each: Python's own power, so each is the same float."""
    out = np.ones(len(frac))
    partial = np.flatnonzero(frac < 0.999)
    if len(partial):
        out[partial] = [f**1.5 for f in frac[partial].tolist()]
    return out
