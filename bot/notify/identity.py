"""What names one episode: identities, and what the state file has seen of them.

An identity is a string such as "#16", "anchor:efmh8l", "path:podcast/0016/index.md",
"url:example.com/podcast/0016" or "audio:cdn.example/ep16.mp3". Most name one episode
forever. One kind does not: the page a *feed item* links to. A feed may link every
special to the show page; while one item alone links there the page looks like its
identity, and once that item's link moves away the next special linking there would be
taken as seen. ``Seen`` keeps, for each identity, the episode it was first seen with
and where (notes or feed), and for each episode the enclosures (audio files) the feed
gave it, so ``Seen.left_page`` can tell such a page from a real match: a page first
seen on a feed item whose episode has another audio file names another episode.

Pure core: the standard library only.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

_ANCHOR_HOSTS = ("anchor.fm", "podcasters.spotify.com", "creators.spotify.com")
_ANCHOR_EPISODE = re.compile(r"/episodes/([^/?#]+)")
_SPOTIFY_EPISODE = re.compile(r"^/(?:embed(?:-podcast)?/)?episode/([A-Za-z0-9]+)")
_APPLE_HOSTS = ("podcasts.apple.com", "embed.podcasts.apple.com", "itunes.apple.com")
_AUDIO_SUFFIXES = (".mp3", ".m4a", ".aac", ".ogg", ".oga", ".opus", ".wav", ".flac")

PAGE = "url:"
AUDIO = "audio:"


def link_identity(url: str | None) -> str | None:
    """The identity of a link that names exactly one episode, else None.

    anchor.fm / Spotify for Podcasters episode pages, their embeds and renamed slugs
    all end in the same episode id ("GCPKubeflow-efmh8l" -> "anchor:efmh8l"); a
    Spotify episode (page or embed) is "spotify:<id>", an Apple Podcasts episode
    (``?i=<id>``) "apple:<id>". Show pages and any other link give None: several
    episodes may share them.
    """
    if not url:
        return None
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower().removeprefix("www.")
    if host in _ANCHOR_HOSTS:
        match = _ANCHOR_EPISODE.search(parts.path)
        if match:
            return "anchor:" + match.group(1).rsplit("-", 1)[-1].lower()
    elif host == "open.spotify.com":
        match = _SPOTIFY_EPISODE.match(parts.path)
        if match:
            return "spotify:" + match.group(1)
    elif host in _APPLE_HOSTS:
        episode = parse_qs(parts.query).get("i")
        if episode and episode[0].isdigit():
            return "apple:" + episode[0]
    return None


def _host_and_path(url: str | None) -> str | None:
    if not url:
        return None
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower().removeprefix("www.")
    path = parts.path.rstrip("/")
    if not host or not path:
        return None
    return host + path


def page_identity(url: str | None) -> str | None:
    """A page compared without scheme, query, fragment and trailing slash
    ("url:example.com/podcast/0016"); None for a relative link or a site's home page."""
    page = _host_and_path(url)
    return PAGE + page if page else None


def audio_identity(url: str | None) -> str | None:
    """The audio file of one episode ("audio:cdn.example/ep16.mp3"): a feed item's
    enclosure, compared without scheme, query and fragment (tracking parameters change,
    the file does not). Stays the same when the item's guid, date, title or link is
    rewritten, which is what makes it an identity."""
    audio = _host_and_path(url)
    return AUDIO + audio if audio else None


def audio_file_identity(url: str | None) -> str | None:
    """A note's player when it is an audio file (``<audio src=...mp3>``), as an identity."""
    if not url or not urlsplit(url).path.lower().endswith(_AUDIO_SUFFIXES):
        return None
    return audio_identity(url)


@dataclass
class Seen:
    """The identities the state file has seen, as the ``seen`` table holds them: each
    with the episode (its key) and the source it was first seen with. Marking an
    identity seen again changes nothing, like the table's ``INSERT OR IGNORE``."""

    owners: dict[str, tuple[str, str]] = field(default_factory=dict)  # identity -> key, source
    enclosures: dict[str, set[str]] = field(default_factory=dict)  # key -> feed audio

    @classmethod
    def of(cls, identities: Iterable[str], source: str = "notes") -> Seen:
        """Identities seen without their episodes (each its own episode)."""
        seen = cls()
        for identity in identities:
            seen.add(identity, (identity,), source)
        return seen

    def __contains__(self, identity: object) -> bool:
        return identity in self.owners

    def __len__(self) -> int:
        return len(self.owners)

    def covers(self, identities: Iterable[str]) -> bool:
        return all(i in self.owners for i in identities)

    def owner(self, identity: str) -> str | None:
        row = self.owners.get(identity)
        return row[0] if row else None

    def add(self, key: str, identities: Iterable[str], source: str) -> None:
        for identity in identities:
            if identity in self.owners:
                continue
            self.owners[identity] = (key, source)
            if source == "feed" and identity.startswith(AUDIO):
                self.enclosures.setdefault(key, set()).add(identity)

    def copy(self) -> Seen:
        return Seen(dict(self.owners), {k: set(v) for k, v in self.enclosures.items()})

    def left_page(self, page: str, enclosures: Iterable[str]) -> bool:
        """True when ``page``, the link of a feed item with these ``enclosures``, names
        another episode: it was first seen as a feed item's link, and the feed gave that
        episode an audio file that is not this item's. (A special linking to the show
        page that an earlier special linked to alone, before its link moved.) A page
        first seen as a note's page, or an item without audio, stays a match: then a
        rewrite cannot be told from a new episode, and a rewrite must not be announced.
        """
        row = self.owners.get(page)
        if row is None or row[1] != "feed":
            return False
        theirs = self.enclosures.get(row[0], set())
        mine = set(enclosures)
        return bool(theirs and mine) and theirs.isdisjoint(mine)
