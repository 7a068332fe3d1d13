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
    seen: dict[str, int] = {}
    authors: set[str] = set()
    paths: set[str] = set()
    get = seen.get
    for episode in episodes:
        if episode.authors:
            authors.update(episode.authors)
        paths.add(episode.path)
        held = _NAMES.get(episode.path)
        if held is None or held[0] is not episode:
            held = _NAMES[episode.path] = (episode, _names(episode))
        for name in held[1]:
            seen[name] = get(name, 0) + 1
    authors.discard("")
    if len(_NAMES) > 2 * len(paths):  # notes no longer held
        for path in [p for p in _NAMES if p not in paths]:
            del _NAMES[path]
    found = {n for n, c in seen.items() if c >= MIN_EPISODES} | authors
    return tuple(sorted(found, key=lambda n: (-seen[n], n)))


def _names(episode: Episode) -> frozenset[str]:
    """The names one episode shows speaking (its authors included)."""
    names: set[str] = set(episode.authors)
    for match in _SAID.finditer(episode.summary):
        names.add(match.group("name"))
    for section in episode.sections:
        for match in _IN_CHARGE.finditer(section.heading):
            names.add(match.group("name"))
    return frozenset(n for n in names if n and not _NOT_A_NAME.fullmatch(n))


# path -> (the episode as last seen, its names): a catalog asks again after every
# change to one note, and only that note needs reading again
_NAMES: dict[str, tuple[Episode, frozenset[str]]] = {}
