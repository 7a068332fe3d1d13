"""Where in an episode a query matched: the section and a short snippet around it."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from bot.models import Episode, Section
from bot.search.textnorm import light_normalize

SNIPPET_CHARS = 100
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class Needle:
    """A pattern to look for in normalised text, and how much finding it is worth."""

    pattern: str
    weight: float


def locate(
    episode: Episode,
    groups: list[list[Needle]],
    normalised: Sequence[tuple[str, str]] | None = None,
) -> tuple[Section | None, str]:
    """The section that matches the most of ``groups`` (one group per query unit; the
    best needle of a group counts) and a snippet of its text around the first match.

    ``normalised`` is each section's (heading, text) through :func:`light_normalize`,
    when the caller holds it. Falls back to no section and the start of the summary
    when no section matches.
    """
    finders = [[(re.compile(n.pattern), n.weight) for n in group] for group in groups]
    if normalised is None:
        normalised = [
            (light_normalize(s.heading), light_normalize(s.text)) for s in episode.sections
        ]
    best_total = 0.0
    best: tuple[int, bool, int] | None = None  # section index, in heading, offset in text
    for index, (heading, text) in enumerate(normalised):
        total = 0.0
        first: tuple[int, bool, int] | None = None
        for group in finders:
            got = 0.0
            for pattern, weight in group:
                if weight * 1.2 <= got:
                    continue
                hit = pattern.search(heading)
                if hit is not None:
                    got = max(got, weight * 1.2)
                    first = first or (index, True, 0)
                    continue
                hit = pattern.search(text)
                if hit is not None and weight > got:
                    got = weight
                    if first is None or first[1]:
                        first = (index, False, hit.start())
            total += got
        if total > best_total:
            best_total, best = total, first
    if best is None:
        return None, cut(episode.summary, 0)
    section = episode.sections[best[0]]
    if not section.text:
        return section, cut(section.heading, 0)
    norm_len = len(normalised[best[0]][1]) or 1
    offset = int(best[2] * len(section.text) / norm_len)
    return section, cut(section.text, offset)


def cut(text: str, offset: int, size: int = SNIPPET_CHARS) -> str:
    """About ``size`` characters of ``text`` around ``offset``, on one line."""
    if not text:
        return ""
    start = max(0, offset - size // 3)
    end = min(len(text), start + size)
    start = max(0, min(start, end - size))
    piece = _SPACES.sub(" ", text[start:end]).strip()
    if start > 0:
        piece = "…" + piece
    if end < len(text):
        piece += "…"
    return piece
