"""HTML in notes and front matter -> plain text, its links and its players.

``HtmlScan`` reads raw HTML blocks and tags of the notes (``bot.content.notes``) and the
``summary`` front matter (``html_to_text``): text with ``<br>`` and block tags as line
breaks and entities decoded, ``<a href>`` links, ``<iframe>`` and ``<audio>`` players.
"""

from __future__ import annotations

import logging
import re
from html.parser import HTMLParser

from bot.content.players import Player, from_embed

log = logging.getLogger(__name__)

_BLOCK_TAGS_WORDS = "p div br li tr h1 h2 h3 h4 h5 h6 blockquote pre ul ol table "
_BLOCK_TAGS = frozenset(_BLOCK_TAGS_WORDS.split())


class HtmlScan(HTMLParser):
    """Text, links and players of an HTML fragment."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.links: list[tuple[str, str]] = []
        self.players: list[Player] = []
        self.href: str | None = None
        self.link_text: list[str] = []
        self.opened_link: str | None = None
        self.closed_link = False
        self.newline = False
        self.skip = 0
        self.in_audio = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k.lower(): (v or "") for k, v in attrs}
        if tag in _BLOCK_TAGS:
            self.parts.append("\n")
            self.newline = tag == "br"
        if tag == "a":
            self.href = values.get("href", "")
            self.link_text = []
            self.opened_link = self.href
        elif tag == "iframe" and values.get("src"):
            player = from_embed(values["src"])
            if player is not None:
                self.players.append(player)
        elif tag == "audio":
            self.in_audio = True
            if values.get("src"):
                self.players.append(Player(values["src"], values["src"], "audio"))
        elif tag == "source" and self.in_audio and values.get("src"):
            self.players.append(Player(values["src"], values["src"], "audio"))
        elif tag in ("script", "style"):
            self.skip += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "a":
            self.closed_link = True
            if self.href is not None:
                self.links.append((self.href, "".join(self.link_text)))
            self.href = None
        elif tag == "audio":
            self.in_audio = False
        elif tag in ("script", "style"):
            self.skip = max(0, self.skip - 1)
        if tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if self.skip:
            return
        self.parts.append(data)
        if self.href is not None:
            self.link_text.append(data)

    def parse_marked_section(self, i: int, report: bool = True) -> int:
        try:
            return super().parse_marked_section(i, report)
        except AssertionError:  # "<![if ...": Python before 3.13 raises; it is text
            self.handle_data("<![")
            return i + 3

    def text(self) -> str:
        return tidy("".join(self.parts))


def tidy(text: str) -> str:
    """Trim each line, drop blank runs, collapse inner whitespace."""
    if "\n" not in text:
        return " ".join(text.split())
    lines = [" ".join(line.split()) for line in text.split("\n")]
    return "\n".join([line for line in lines if line])


def html_to_text(text: str) -> str:
    """Front matter summary: ``<br>`` -> newline, entities decoded, other tags removed."""
    if "<" not in text and "&" not in text:
        return tidy(text)  # no markup: what the parser would give
    scan = HtmlScan()
    scan.feed(text)
    scan.close()
    return scan.text()


_WS = "[ \t\n\r\f]"  # HTML's white space
_LONE_IFRAME = re.compile(
    f'{_WS}*<iframe((?:{_WS}+[A-Za-z][-A-Za-z0-9_]*="[^"<>&]*")*){_WS}*>{_WS}*</iframe>{_WS}*'
)
_PLAIN_ATTR = re.compile(r'([A-Za-z][-A-Za-z0-9_]*)="([^"]*)"')


def lone_iframe_src(html: str) -> str | None:
    """The ``src`` ("" if none) of an HTML block that is only an ``<iframe>`` with plain
    double-quoted attributes, as ``HtmlScan`` would read it; None for any other HTML."""
    iframe = _LONE_IFRAME.fullmatch(html)
    if iframe is None:
        return None
    values = {k.lower(): v for k, v in _PLAIN_ATTR.findall(iframe.group(1))}
    return values.get("src", "")
