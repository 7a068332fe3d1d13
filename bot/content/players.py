"""Podcast player embeds: recognise one and map it to the page a listener opens."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

# Front matter keys that hold a player link.
PLAYER_KEYS = ("player", "player_url", "audio", "podcast_url")

_ANCHOR = re.compile(
    r"^https?://(?:www\.)?anchor\.fm/(?P<show>[^/?#]+)/embed/episodes/(?P<slug>[^/?#]+)",
    re.IGNORECASE,
)
_SPOTIFY_PODCASTERS = re.compile(
    r"^https?://(?P<host>(?:podcasters|creators)\.spotify\.com)/pod/show/(?P<show>[^/?#]+)"
    r"/embed/episodes/(?P<slug>[^/?#]+)",
    re.IGNORECASE,
)
_SPOTIFY = re.compile(
    r"^https?://open\.spotify\.com/embed(?:-podcast)?/(?P<kind>episode|show)/(?P<id>[A-Za-z0-9]+)",
    re.IGNORECASE,
)
_APPLE = re.compile(r"^https?://embed\.podcasts\.apple\.com/(?P<rest>[^#]*)", re.IGNORECASE)
_YOUTUBE = re.compile(
    r"^https?://(?:www\.)?youtube(?:-nocookie)?\.com/embed/(?P<id>[A-Za-z0-9_-]+)",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class Player:
    """A player found in a note: the listener's page and the embed as written."""

    player_url: str
    embed_url: str | None  # None when the note links the page directly
    kind: str  # "anchor", "spotify", "apple", "youtube", "audio", "link"


def _absolute(url: str) -> str:
    url = url.strip()
    return "https:" + url if url.startswith("//") else url


def from_embed(src: str) -> Player | None:
    """The player behind an iframe ``src``; None when it is not a podcast player."""
    url = _absolute(src)
    if m := _ANCHOR.match(url):
        return Player(f"https://anchor.fm/{m['show']}/episodes/{m['slug']}", url, "anchor")
    if m := _SPOTIFY_PODCASTERS.match(url):
        page = f"https://{m['host'].lower()}/pod/show/{m['show']}/episodes/{m['slug']}"
        return Player(page, url, "anchor")
    if m := _SPOTIFY.match(url):
        return Player(f"https://open.spotify.com/{m['kind'].lower()}/{m['id']}", url, "spotify")
    if m := _APPLE.match(url):
        return Player(f"https://podcasts.apple.com/{m['rest']}", url, "apple")
    if m := _YOUTUBE.match(url):
        return Player(f"https://www.youtube.com/watch?v={m['id']}", url, "youtube")
    return None


def from_audio(src: str) -> Player | None:
    """An ``<audio>``/``<source>`` file."""
    url = _absolute(src)
    return Player(url, url, "audio") if url else None


def from_link(url: str) -> Player | None:
    """A player link from front matter: an embed is mapped, any other URL is kept."""
    url = _absolute(url)
    if not url.startswith(("http://", "https://")):
        return None
    player = from_embed(url)
    if player is not None:
        return player
    return Player(url, None, "link")


def youtube_id(value: str) -> str | None:
    """The video id of a ``{{< youtube ID >}}`` shortcode argument or a watch URL."""
    value = value.strip().strip("\"'")
    if re.fullmatch(r"[A-Za-z0-9_-]{6,}", value):
        return value
    parts = urlsplit(value)
    if parts.netloc.endswith("youtube.com"):
        ids = parse_qs(parts.query).get("v")
        return ids[0] if ids else None
    if parts.netloc == "youtu.be":
        return parts.path.strip("/") or None
    return None


def is_embed_url(url: str) -> bool:
    return from_embed(url) is not None
