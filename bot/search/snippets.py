"""Where in an episode a query matched: the section and a short snippet around it."""

from __future__ import annotations

import re
from bisect import bisect_right
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


@dataclass(frozen=True, slots=True)
class SectionTexts:
    """An episode's sections through :func:`light_normalize`, joined into one string
    (heading, then text, of each section, apart by ``SEPARATOR``) so a pattern is
    searched once per note rather than once per section."""

    joined: str
    starts: tuple[int, ...]  # where each region starts: heading 0, text 0, heading 1, ...
    text_lengths: tuple[int, ...]  # length of each section's normalised text


# Longer than the widest gap a pattern allows between its words ({0,3}) and matched by
# no pattern's first character, so no match spans two regions; a region's edges look
# like the ends of a string to the patterns' look-arounds, as before.
SEPARATOR = "\x00" * 4


def section_texts(episode: Episode) -> SectionTexts:
    pieces: list[str] = []
    starts: list[int] = []
    lengths: list[int] = []
    at = 0
    for section in episode.sections:
        for part in (light_normalize(section.heading), light_normalize(section.text)):
            starts.append(at)
            pieces.append(part)
            at += len(part) + len(SEPARATOR)
        lengths.append(len(pieces[-1]))
    return SectionTexts(SEPARATOR.join(pieces), tuple(starts), tuple(lengths))


def locate(
    episode: Episode,
    groups: Sequence[Sequence[Needle]],
    texts: SectionTexts | None = None,
) -> tuple[Section | None, str]:
    """The section that matches the most of ``groups`` (one group per query unit; the
    best needle of a group counts; a match in its heading counts 1.2 times) and a
    snippet of its text around the first match.

    ``texts`` is :func:`section_texts` of the episode, when the caller holds it. Falls
    back to no section and the start of the summary when no section matches.
    """
    if texts is None:
        texts = section_texts(episode)
    starts = texts.starts
    # per needle: region -> offset of its first match there
    found: list[list[tuple[dict[int, int], float]]] = []
    sections: set[int] = set()
    for group in groups:
        row = []
        for needle in group:
            first_in: dict[int, int] = {}
            if needle.pattern:
                search, pos = re.compile(needle.pattern).search, 0
                while (match := search(texts.joined, pos)) is not None:
                    region = bisect_right(starts, match.start()) - 1
                    first_in[region] = match.start() - starts[region]
                    sections.add(region // 2)
                    if region + 1 >= len(starts):
                        break
                    pos = starts[region + 1]  # only the first match of a region counts
            else:  # matches everywhere: every heading at its start
                first_in = dict.fromkeys(range(len(starts)), 0)
                sections.update(range(len(starts) // 2))
            row.append((first_in, needle.weight))
        found.append(row)
    best_total = 0.0
    best: tuple[int, bool, int] | None = None  # section index, in heading, offset in text
    for index in sorted(sections):  # a section no needle matched totals 0: never best
        total = 0.0
        first: tuple[int, bool, int] | None = None
        for row in found:
            got = 0.0
            for first_in, weight in row:
                if weight * 1.2 <= got:
                    continue
                if 2 * index in first_in:
                    got = max(got, weight * 1.2)
                    first = first or (index, True, 0)
                    continue
                offset = first_in.get(2 * index + 1)
                if offset is not None and weight > got:
                    got = weight
                    if first is None or first[1]:
                        first = (index, False, offset)
            total += got
        if total > best_total:
            best_total, best = total, first
    if best is None:
        return None, cut(episode.summary, 0)
    section = episode.sections[best[0]]
    if not section.text:
        return section, cut(section.heading, 0)
    norm_len = texts.text_lengths[best[0]] or 1
    offset = int(best[2] * len(section.text) / norm_len)
    return section, cut(section.text, offset)


def in_one_section(groups: Sequence[Sequence[Needle]], texts: SectionTexts) -> bool:
    """Whether one section (its heading or its text) matches a needle of every group:
    the query's words came up together, in one part of the talk."""
    shared: set[int] | None = None
    for group in groups:
        found: set[int] = set()
        for needle in group:
            if not needle.pattern:  # matches everywhere
                found.update(range(len(texts.starts) // 2))
                continue
            for match in re.finditer(needle.pattern, texts.joined):
                found.add((bisect_right(texts.starts, match.start()) - 1) // 2)
        shared = found if shared is None else shared & found
        if not shared:
            return False
    return bool(shared)


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
