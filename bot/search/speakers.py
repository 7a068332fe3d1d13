"""Who speaks on the show, read from the notes: "<name>が…話したよ", "（<name>担当）",
and the authors in front matter. Used to understand "<name>が話した回"."""

from __future__ import annotations

import re
from collections.abc import Iterable

from bot.models import Episode

# A name of two to four kanji (or a katakana name) right before が/は at the start of a
# clause, in a sentence that says someone talked; or in "（…担当）" / "(…担当)".
_SAID = re.compile(
    r"(?:^|[、。」\s>]|[^\u3400-\u9fff\u30a0-\u30ff])"
    r"(?P<name>[\u3400-\u9fff]{2,4}|[\u30a1-\u30fa]{2,6})(?:さん)?(?:が|は)(?:メインで)?"
    r"[^。]{0,60}?話(?:し|す)"
)
_IN_CHARGE = re.compile(r"[（(](?P<name>[^（）()\s]{1,8})(?:さん)?担当[）)]")
MIN_EPISODES = 2  # a name the notes use this often as a speaker
# "二人が話したよ", "全員で": how many spoke, not who
_NOT_A_NAME = re.compile(r"(?:[一二三四五六七八九十何数]+|[0-9]+)人|全員|皆さん|みんな")


def speakers_of(episodes: Iterable[Episode]) -> tuple[str, ...]:
    """Authors in front matter, and names the text shows speaking in at least
    ``MIN_EPISODES`` episodes; most frequent first."""
    tally = Speakers()
    for episode in episodes:
        tally.add(episode)
    return tally.names()


class Speakers:
    """``speakers_of`` kept up to date a note at a time: a catalog adds and removes the
    notes it changes instead of reading every note again after each change."""

    def __init__(self) -> None:
        self._seen: dict[str, int] = {}  # name -> episodes showing it speak
        self._authors: dict[str, int] = {}  # author -> episodes listing them
        self._names: tuple[str, ...] | None = ()

    def add(self, episode: Episode) -> None:
        self._change(_tally(episode), 1)

    def remove(self, episode: Episode) -> None:
        self._change(_tally(episode), -1)

    def replace(self, old: Episode, new: Episode) -> None:
        """One note changed: only what it changed is counted again, so an edit that
        names the same speakers keeps ``names()`` as it was (not sorted again)."""
        before, after = _tally(old), _tally(new)
        if before != after:
            self._change(before, -1)
            self._change(after, 1)

    def names(self) -> tuple[str, ...]:
        """What ``speakers_of`` gives for the episodes held."""
        if self._names is None:
            seen = self._seen
            found = {n for n, c in seen.items() if c >= MIN_EPISODES} | set(self._authors)
            found.discard("")
            self._names = tuple(sorted(found, key=lambda n: (-seen.get(n, 0), n)))
        return self._names

    def _change(self, tally: tuple[frozenset[str], frozenset[str]], by: int) -> None:
        self._names = None
        for table, names in zip((self._seen, self._authors), tally, strict=True):
            for name in names:
                left = table.get(name, 0) + by
                if left > 0:
                    table[name] = left
                else:
                    table.pop(name, None)


def _tally(episode: Episode) -> tuple[frozenset[str], frozenset[str]]:
    """What one episode counts for: the names it shows speaking, and its authors."""
    return _names(episode), frozenset(episode.authors)


def _names(episode: Episode) -> frozenset[str]:
    """The names one episode shows speaking (its authors included)."""
    names: set[str] = set(episode.authors)
    for match in _SAID.finditer(episode.summary):
        names.add(match.group("name"))
    for section in episode.sections:
        for match in _IN_CHARGE.finditer(section.heading):
            names.add(match.group("name"))
    return frozenset(n for n in names if n and not _NOT_A_NAME.fullmatch(n))
