"""Episodes and pages as plain data (lists, strings, numbers) and back.

Plain data is what crosses a process or a file: the loader's worker processes send
pages back this way, and the start-up snapshot (``bot.library.snapshot``) stores them
in a format that runs no code when read. ``unpage(page_plain(p)) == p`` for every page
the loader makes, time zones included (a ``ZoneInfo`` by its key, any other zone by its
offset).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import datetime
from itertools import starmap
from operator import attrgetter
from typing import Any
from zoneinfo import ZoneInfo

from bot.content.page import Page
from bot.content.players import Player
from bot.models import Episode, Reference, Section

__all__ = ["episode_plain", "page_plain", "unepisode", "unpage"]

_FIELDS = tuple(f.name for f in dataclasses.fields(Episode))
_REFERENCES = _FIELDS.index("references")
_SECTIONS = _FIELDS.index("sections")
_EXTRA = _FIELDS.index("extra")
_DATES = tuple(
    i
    for i, name in enumerate(_FIELDS)
    if name in ("date", "publish_date", "expiry_date", "live_at", "live_end")
)
_TUPLES = tuple(i for i, name in enumerate(_FIELDS) if name in ("authors", "tags", "categories"))
_values = attrgetter(*_FIELDS)
_reference_values = attrgetter(*(f.name for f in dataclasses.fields(Reference)))
_section_values = attrgetter(*(f.name for f in dataclasses.fields(Section)))
_player_values = attrgetter(*(f.name for f in dataclasses.fields(Player)))
_SECTION_PATH = tuple(f.name for f in dataclasses.fields(Section)).index("path")


def _when(moment: datetime | None) -> list[str] | None:
    if moment is None:
        return None
    zone = moment.tzinfo
    return [moment.isoformat(), zone.key if isinstance(zone, ZoneInfo) else ""]


def _unwhen(value: Sequence[str] | None) -> datetime | None:
    if value is None:
        return None
    text, key = value
    moment = datetime.fromisoformat(text)
    return moment.astimezone(ZoneInfo(key)) if key else moment


def episode_plain(episode: Episode) -> list[Any]:
    values: list[Any] = list(_values(episode))
    values[_REFERENCES] = [_reference_values(r) for r in values[_REFERENCES]]
    values[_SECTIONS] = [_section_values(s) for s in values[_SECTIONS]]
    for i in _DATES:
        values[i] = _when(values[i])
    return values


def unepisode(values: Sequence[Any]) -> Episode:
    """The episode ``episode_plain`` gave ``values`` for (lists or tuples alike)."""
    out = list(values)
    out[_REFERENCES] = tuple(starmap(Reference, out[_REFERENCES]))
    sections = out[_SECTIONS]
    if sections and not isinstance(sections[0][_SECTION_PATH], tuple):  # lists, not tuples
        at = _SECTION_PATH
        sections = [(*s[:at], tuple(s[at]), *s[at + 1 :]) for s in sections]
    out[_SECTIONS] = tuple(starmap(Section, sections))
    extra = out[_EXTRA]
    if not isinstance(extra, tuple) or (extra and not isinstance(extra[0], tuple)):
        out[_EXTRA] = tuple(map(tuple, extra))
    for i in _TUPLES:
        if not isinstance(out[i], tuple):
            out[i] = tuple(out[i])
    for i in _DATES:
        if out[i] is not None:
            out[i] = _unwhen(out[i])
    return Episode(*out)


def page_plain(page: Page) -> list[Any]:
    return [episode_plain(page.episode), [_player_values(p) for p in page.players], page.in_section]


def unpage(values: Sequence[Any]) -> Page:
    episode, players, in_section = values
    return Page(unepisode(episode), tuple([Player(*p) for p in players]), bool(in_section))
