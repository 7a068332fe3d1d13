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
from collections.abc import Callable
from dataclasses import dataclass

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


@dataclass(frozen=True, slots=True)
class Alt:
    """One way a unit can match: all of ``terms`` (partial matches earn less)."""

    terms: tuple[str, ...]
    quality: float
    pattern: str  # regular expression over normalised text, for snippets
    phrase: str = ""  # pattern of a Japanese chunk that must appear as written (``exact``)


@dataclass(frozen=True, slots=True)
class Unit:
    alts: tuple[Alt, ...]
    weight: float


def idf(postings: Postings, term: str, n: int) -> float:
    df = postings.df(term)
    return math.log(1 + n / df) if df else unseen_idf(n)


def unseen_idf(n: int) -> float:
    return math.log(1 + max(n, 1) / 0.5) * UNSEEN_BOOST


def candidates(postings: Postings, units: list[Unit], n: int) -> dict[int, float]:
    """Approximate score (0-1) of every episode holding some query term."""
    total = sum(u.weight for u in units)
    score: dict[int, float] = {}
    if total <= 0:
        return score
    for unit in units:
        best: dict[int, float] = {}
        for alt in unit.alts:
            got = _alt_values(postings, alt, n)
            if len(unit.alts) == 1:
                best = got
                break
            for doc_id, value in got.items():
                if value > best.get(doc_id, 0.0):
                    best[doc_id] = value
        share = unit.weight / total
        get = score.get
        for doc_id, value in best.items():
            score[doc_id] = get(doc_id, 0.0) + share * value
    return score


def _alt_values(postings: Postings, alt: Alt, n: int) -> dict[int, float]:
    q = alt.quality
    lists = [(t, postings.get(t)) for t in alt.terms]
    present = [(t, p) for t, p in lists if p is not None]
    if not present:
        return {}
    if len(alt.terms) == 1:
        ids, vals = present[0][1]
        values = dict(zip(ids, map(_VALUE.__getitem__, vals), strict=True))
        if q != 1.0:
            values = {d: q * v for d, v in values.items()}
        return values
    weights = {t: idf(postings, t, n) for t in alt.terms}
    total = sum(weights.values())
    if sum(len(p[0]) for _, p in present) > PARTIAL_BUDGET or len(present) < len(lists):
        if len(present) < len(lists) and sum(weights[t] for t, _ in present) < 0.5 * total:
            return {}
        return _whole_values(present, q * _coverage(sum(weights[t] for t, _ in present) / total))
    matched: dict[int, float] = {}
    summed: dict[int, float] = {}
    for term, (ids, vals) in present:
        w = weights[term]
        mget, sget = matched.get, summed.get
        for doc_id, value in zip(ids, vals, strict=True):
            matched[doc_id] = mget(doc_id, 0.0) + w
            summed[doc_id] = sget(doc_id, 0.0) + w * _VALUE[value]
    return {
        d: q * _coverage(m / total) * summed[d] / m for d, m in matched.items() if m > 0.3 * total
    }


def _whole_values(present: list, factor: float) -> dict[int, float]:
    """Episodes holding every present term, valued by the rarest one."""
    present = sorted(present, key=lambda item: len(item[1][0]))
    ids, vals = present[0][1]
    keep = set(ids).intersection(*(p[0] for _, p in present[1:]))
    if not keep:
        return {}
    values = dict(zip(ids, vals, strict=True))
    return {d: factor * _VALUE[values[d]] for d in keep}


def _coverage(frac: float) -> float:
    return 1.0 if frac >= 0.999 else frac**1.5


Plan = list[tuple[float, list[tuple[Alt, list[tuple[str, float]], float]]]]


def exact_plan(postings: Postings, units: list[Unit], n: int) -> Plan:
    """What ``exact`` needs of the query, worked out once for all its candidates: per
    unit its weight, and per alternative its terms' idf and their sum."""
    plan: Plan = []
    for unit in units:
        alts = []
        for alt in unit.alts:
            weights = [(t, idf(postings, t, n)) for t in alt.terms]
            alts.append((alt, weights, sum(w for _, w in weights)))
        plan.append((unit.weight, alts))
    return plan


def exact(
    postings: Postings,
    units: list[Unit],
    n: int,
    doc_id: int,
    norm: float,
    title_terms: int,
    text: Callable[[], str],
    min_coverage: float = MIN_COVERAGE,
    plan: Plan | None = None,
) -> float:
    """Exact score (0-1) of one episode; 0 when it covers too little of the query.

    ``text`` gives the episode's normalised text, asked for only when a Japanese chunk
    must be checked as written; ``plan`` is ``exact_plan`` of the units, when held.
    """
    if plan is None:
        plan = exact_plan(postings, units, n)
    total = sum(weight for weight, _ in plan)
    if total <= 0:
        return 0.0
    cover = value = in_title_share = 0.0
    title_hits = 0
    lookup = postings.value
    for unit_weight, alts in plan:
        best_match = best_value = 0.0
        best_title = 0
        best_terms = 1
        for alt, weights, alt_total in alts:
            matched = strength = 0.0
            in_title = 0
            for term, w in weights:
                packed = lookup(term, doc_id)
                if packed is None:
                    continue
                matched += w
                strength += w * _strength(packed, norm)
                in_title += 1 if packed & TITLE_BITS else 0
            if matched <= 0:
                continue
            match = alt.quality * _coverage(matched / alt_total)
            if alt.phrase and re.search(alt.phrase, text()) is None:
                match *= 0.4
            got = match * (BASE + (1 - BASE) * strength / matched)
            if got > best_value:
                best_match, best_value, best_title = match, got, in_title
                best_terms = len(alt.terms)
        cover += unit_weight * best_match / total
        value += unit_weight * best_value / total
        title_hits += best_title
        in_title_share += unit_weight * min(1.0, best_title / best_terms) / total
    if cover < min_coverage:
        return 0.0
    title_share = min(1.0, title_hits / title_terms) if title_terms else 0.0
    bonus = TITLE_BONUS * title_share + TITLE_QUERY_BONUS * in_title_share
    return min(1.0, value * (1 + bonus) / (1 + TITLE_BONUS + TITLE_QUERY_BONUS))
