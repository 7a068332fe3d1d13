"""Markdown show notes -> sections, references, players and the first paragraph.

One parse per note with markdown-it-pyrs (markdown-it's rules in Rust: CommonMark + GFM
tables/strikethrough + linkify for bare URLs); everything is read from its syntax tree,
never by patterns over the raw text. Hugo shortcodes (``{{< ... >}}``) are
not text: they are skipped, except ``youtube`` and ``audio`` which embed players.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from html.parser import HTMLParser
from urllib.parse import urljoin

from markdown_it_pyrs import MarkdownIt, Node

from bot.hugo import heading_anchor
from bot.models import Reference, Section
from bot.players import Player, from_audio, from_embed, is_embed_url, youtube_id

log = logging.getLogger(__name__)

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_DOMAIN = re.compile(r"^(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.)+([A-Za-z]{2,24})(?::\d+)?$")
_FILE_SUFFIXES_WORDS = (
    "md markdown html htm php asp aspx jsp png jpg jpeg gif svg webp pdf txt xml json "
    "yaml yml toml zip gz mp3 mp4 m4a wav ogg js css py go rs java sh ipynb csv "
)
_FILE_SUFFIXES = frozenset(_FILE_SUFFIXES_WORDS.split())
_WWW = re.compile(r"(?<![\w.@/-])www\.[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+(?:[/?#][!-~]*)?")
_SHORTCODE_OPEN = ("{{<", "{{%")
_SHORTCODE_CLOSE = (">}}", "%}}")
_BLOCK_TAGS_WORDS = "p div br li tr h1 h2 h3 h4 h5 h6 blockquote pre ul ol table "
_BLOCK_TAGS = frozenset(_BLOCK_TAGS_WORDS.split())


class NotesError(Exception):
    """The notes could not be parsed; ``str()`` is the reason."""


@dataclass(frozen=True, slots=True)
class Notes:
    sections: tuple[Section, ...]
    references: tuple[Reference, ...]
    players: tuple[Player, ...]
    first_paragraph: str


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    return MarkdownIt("commonmark").enable_many(["table", "strikethrough", "linkify"])


def resolve_url(url: str, base_url: str, page_url: str) -> str | None:
    """A link target as an absolute URL; None for empty, in-page and script links.

    ``kubeflow.org/docs/..`` gets ``https://``; ``/post/x/`` resolves against the site's
    base URL and ``../x/`` against the page.
    """
    if url.startswith(("https://", "http://")):
        return url.strip()  # the common case, kept fast
    url = url.strip()
    while len(url) > 2 and (url[0], url[-1]) in (("(", ")"), ("<", ">")):
        url = url[1:-1].strip()  # "[x]((https://..))": a typo Hugo would keep
    if not url or url.startswith("#"):
        return None
    if _SCHEME.match(url):
        return None if url.lower().startswith(("javascript:", "data:")) else url
    if url.startswith("//"):
        return "https:" + url
    if url.startswith("/"):
        return (base_url if base_url.endswith("/") else base_url + "/") + url.lstrip("/")
    host = re.split(r"[/?#]", url, maxsplit=1)[0]
    match = _DOMAIN.match(host)
    if match and match.group(1).lower() not in _FILE_SUFFIXES:
        return "https://" + url
    return urljoin(page_url, url)


class _Builder:
    """Collects sections and references while walking the tokens."""

    def __init__(self, base_url: str, page_url: str) -> None:
        self.base_url = base_url
        self.page_url = page_url
        self.sections: list[Section] = []
        self.heading = ""
        self.level = 0
        self.path: tuple[str, ...] = ()
        self.anchor = ""
        self.blocks: list[str] = []
        self.stack: list[tuple[int, str]] = []
        self.anchors: set[str] = set()
        self.refs: dict[str, Reference] = {}
        self.players: list[Player] = []
        self.first_paragraph = ""

    def close_section(self) -> None:
        text = _tidy("\n".join(self.blocks))
        self.sections.append(Section(self.heading, self.level, self.path, text, self.anchor))
        self.blocks = []

    def open_section(self, level: int, heading: str) -> None:
        self.close_section()
        while self.stack and self.stack[-1][0] >= level:
            self.stack.pop()
        self.stack.append((level, heading))
        self.heading, self.level = heading, level
        self.path = tuple([h for _, h in self.stack])
        self.anchor = heading_anchor(heading, self.anchors)

    def add_link(self, href: str, text: str, section: str) -> None:
        url = resolve_url(href, self.base_url, self.page_url)
        if url is None or url in self.refs or ("embed" in url and is_embed_url(url)):
            return
        self.refs[url] = Reference(_tidy(text).replace("\n", " ") or url, url, section)

    def add_player(self, player: Player | None) -> None:
        if player is not None:
            self.players.append(player)


def parse_notes(body: str, base_url: str, page_url: str) -> Notes:
    """Read one note's Markdown body."""
    b = _Builder(base_url, page_url)
    try:
        tree = _parser().tree(body)
    except BaseException as exc:  # a bug in the Rust parser surfaces as a PanicException
        if type(exc).__name__ != "PanicException":
            raise
        raise NotesError(f"the Markdown parser failed on this note ({exc})") from None
    _blocks(tree.children, b)
    b.close_section()
    return Notes(tuple(b.sections), tuple(b.refs.values()), tuple(b.players), b.first_paragraph)


_INLINE_WORDS = (
    "text text_special softbreak hardbreak code_inline em strong strikethrough link image "
    "autolink linkify html_inline"
)
_INLINE = frozenset(_INLINE_WORDS.split())


def _blocks(nodes: Sequence[Node], b: _Builder) -> None:
    """Walk block nodes in order; inline runs (tight list items, cells) are text blocks."""
    run: list[Node] = []
    for node in nodes:
        name = node.name
        if name in _INLINE:
            run.append(node)
            continue
        if run:
            _text_block(run, b, paragraph=False)
            run = []
        if name in ("heading", "lheading"):
            links: list[tuple[str, str]] = []
            heading = _tidy(_inline(node.children, b, links)).replace("\n", " ")
            b.open_section(int(node.meta.get("level", 1)), heading)
            for href, text in links:
                b.add_link(href, text, heading)
        elif name == "paragraph":
            _text_block(node.children, b, paragraph=True)
        elif name in ("fence", "code_block"):
            b.blocks.append(str(node.meta.get("content", "")).rstrip("\n"))
        elif name == "html_block":
            scan = _HtmlScan()
            scan.feed(str(node.meta.get("content", "")))
            scan.close()
            for player in scan.players:
                b.add_player(player)
            for href, link_text in scan.links:
                b.add_link(href, link_text, b.heading)
            if scan.text():
                b.blocks.append(scan.text())
        elif node.children:  # lists, items, quotes, tables: their blocks in order
            _blocks(node.children, b)
    if run:
        _text_block(run, b, paragraph=False)


def _text_block(nodes: Sequence[Node], b: _Builder, paragraph: bool) -> None:
    links: list[tuple[str, str]] = []
    text = _inline(nodes, b, links)
    for href, link_text in links:
        b.add_link(href, link_text, b.heading)
    if text and not text.isspace():
        b.blocks.append(text)
        if paragraph and not b.first_paragraph:
            b.first_paragraph = _tidy(text)


Event = tuple[str, str, str]  # kind, value, detail
_NEWLINE: Event = ("text", "\n", "")


def _events(nodes: Sequence[Node], events: list[Event]) -> list[Event]:
    """Inline nodes as a flat list: text, code, break, open/close of links, image, html."""
    append = events.append
    for node in nodes:
        name = node.name
        if name == "text" or name == "text_special":
            append(("text", node.meta.get("content", ""), ""))
        elif name == "softbreak" or name == "hardbreak":
            append(_NEWLINE)
        elif name == "link" or name == "linkify" or name == "autolink":
            append(("open", str(node.meta.get("url", "")), name))
            _events(node.children, events)
            append(("close", "", name))
        elif name == "code_inline":
            code = "".join(str(c.meta.get("content", "")) for c in node.children)
            append(("code", code, ""))
        elif name == "image":
            append(("image", "".join(str(c.meta.get("content", "")) for c in node.walk()), ""))
        elif name == "html_inline":
            append(("html", str(node.meta.get("content", "")), ""))
        else:  # emphasis, strikethrough, anything new: its text
            _events(node.children, events)
    return events


def _inline(nodes: Sequence[Node], b: _Builder, links: list[tuple[str, str]]) -> str:
    """Plain text of an inline run; links go to ``links`` (href, text), players to ``b``."""
    text = _plain_run(nodes, links)
    if text is not None:
        return text
    out: list[str] = []
    link: tuple[str, list[str], str] | None = None  # href, text parts, kind
    shortcode: list[str] | None = None
    for kind, value, detail in _events(nodes, []):
        if shortcode is not None:
            if kind == "text":
                shortcode.append(value)
                source = "".join(shortcode)
                end = _close_at(source)
                if end >= 0:
                    _shortcode(source[:end], b)
                    parts = link[1] if link is not None else None
                    shortcode = _plain_text(source[end:], out, parts, b, link is None, links)
            continue
        if kind == "text":
            if "{{" in value or "www." in value:
                parts = link[1] if link is not None else None
                shortcode = _plain_text(value, out, parts, b, link is None, links)
            else:  # the common case, kept fast
                out.append(value)
                if link is not None:
                    link[1].append(value)
        elif kind == "code":
            out.append(value)
            if link is not None:
                link[1].append(value)
        elif kind == "open":
            link = (value, [], detail)
        elif kind == "close" and link is not None:
            href, parts, link_kind = link
            text = "".join(parts)
            link = None
            if link_kind == "linkify":
                _linkified(text, href, out, links)
            elif link_kind == "autolink":
                if out and out[-1] == text:
                    out.pop()  # a bare <https://..> is not section text
                links.append((href, text))
            else:
                links.append((href, text))
        elif kind == "image":
            if link is not None:
                link[1].append(value)
        elif kind == "html":
            link = _html_inline(value, link, out, links, b)
    return "".join(out)


def _plain_run(nodes: Sequence[Node], links: list[tuple[str, str]]) -> str | None:
    """``_inline`` for the common run of text, breaks and links with plain text, in one
    pass; None (and ``links`` untouched) when the run needs the full walk."""
    out: list[str] = []
    found: list[tuple[str, str]] = []
    for node in nodes:
        name = node.name
        if name == "text" or name == "text_special":
            value = node.meta.get("content", "")
            if "{{" in value or "www." in value:
                return None
            out.append(value)
        elif name == "softbreak" or name == "hardbreak":
            out.append("\n")
        elif name == "link" or name == "linkify" or name == "autolink":
            children = node.children
            if len(children) != 1:
                return None
            child = children[0]
            if child.name != "text":
                return None
            text = child.meta.get("content", "")
            if "{{" in text:
                return None
            href = str(node.meta.get("url", ""))
            if name == "link":
                out.append(text)
                found.append((href, text))
            elif name == "linkify":
                out.append(text)
                _linkified(text, href, out, found)
            else:  # a bare <https://..> is not section text
                found.append((href, text))
        else:
            return None
    links.extend(found)
    return "".join(out)


def _plain_text(
    text: str,
    out: list[str],
    link_parts: list[str] | None,
    b: _Builder,
    bare_links: bool,
    links: list[tuple[str, str]],
) -> list[str] | None:
    """Emit ``text`` (to ``out`` and the open link's ``link_parts``) up to a shortcode;
    return the open shortcode's parts, if any.

    Outside links, ``www.example.com/..`` (a GFM autolink that linkify leaves alone)
    becomes a link too; it stays in the text, as the reader sees it."""
    while True:
        start = min((i for i in (text.find(m) for m in _SHORTCODE_OPEN) if i >= 0), default=-1)
        head = text if start < 0 else text[:start]
        if bare_links and "www." in head:
            for match in _WWW.finditer(head):
                url = match.group(0).rstrip(".,;:!?)")
                links.append(("https://" + url, url))
        out.append(head)
        if link_parts is not None:
            link_parts.append(head)
        if start < 0:
            return None
        rest = text[start:]
        end = _close_at(rest)
        if end < 0:
            return [rest]
        _shortcode(rest[:end], b)
        text = rest[end:]


def _close_at(source: str) -> int:
    ends = [i + 3 for i in (source.find(m) for m in _SHORTCODE_CLOSE) if i >= 0]
    return min(ends) if ends else -1


_SHORTCODE_ARGS = re.compile(r"""(\w+)\s*=\s*(?:"([^"]*)"|'([^']*)'|(\S+))|"([^"]*)"|(\S+)""")


def _shortcode(source: str, b: _Builder) -> None:
    """``{{< youtube ID >}}`` and ``{{< audio src="..." >}}`` embed players."""
    inner = source[3:-3].strip()
    if not inner or inner.startswith(("/", "*")):
        return
    name, _, args = inner.partition(" ")
    name = name.lower()
    if name not in ("youtube", "audio"):
        return
    named: dict[str, str] = {}
    positional: list[str] = []
    for m in _SHORTCODE_ARGS.finditer(args):
        if m.group(1):
            named[m.group(1).lower()] = m.group(2) or m.group(3) or m.group(4) or ""
        else:
            positional.append(m.group(5) or m.group(6) or "")
    if name == "youtube":
        value = named.get("id") or (positional[0] if positional else "")
        vid = youtube_id(value)
        if vid:
            b.add_player(from_embed(f"https://www.youtube.com/embed/{vid}"))
    else:
        src = named.get("src") or (positional[0] if positional else "")
        if src:
            b.add_player(from_audio(resolve_url(src, b.base_url, b.page_url) or src))


def _linkified(text: str, href: str, out: list[str], links: list[tuple[str, str]]) -> None:
    """A bare URL found by linkify: keep only ``http(s)://`` and ``www.`` ones, and cut
    the URL where Japanese text runs on without a space (``https://a.com/b。です``)."""
    cut = next((i for i, c in enumerate(text) if ord(c) > 127), len(text))
    url_text, tail = text[:cut], text[cut:]
    lowered = url_text.lower()
    if lowered.startswith(("http://", "https://")):
        url = href if not tail else url_text
    elif lowered.startswith("www."):
        url = "https://" + url_text
    else:
        return  # "ASP.NET", "rebuild.fm": not links in Hugo either; the text stays
    url = url.rstrip(".,;:!?")
    if len(url) > len("https://"):
        links.append((url, url))
    if out and out[-1] == text:  # the URL itself is not section text; the tail is
        out[-1] = tail


def _html_inline(
    tag: str,
    link: tuple[str, list[str], str] | None,
    out: list[str],
    links: list[tuple[str, str]],
    b: _Builder,
) -> tuple[str, list[str], str] | None:
    scan = _HtmlScan()
    scan.feed(tag)
    for player in scan.players:
        b.add_player(player)
    if scan.newline:
        out.append("\n")
    if scan.opened_link is not None:
        return (scan.opened_link, [], "html")
    if scan.closed_link and link is not None:
        links.append((link[0], "".join(link[1])))
        return None
    return link


class _HtmlScan(HTMLParser):
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

    def text(self) -> str:
        return _tidy("".join(self.parts))


def _tidy(text: str) -> str:
    """Trim each line, drop blank runs, collapse inner whitespace."""
    if "\n" not in text:
        return " ".join(text.split())
    lines = [" ".join(line.split()) for line in text.split("\n")]
    return "\n".join([line for line in lines if line])


def html_to_text(text: str) -> str:
    """Front matter summary: ``<br>`` -> newline, entities decoded, other tags removed."""
    if "<" not in text and "&" not in text:
        return _tidy(text)  # no markup: what the parser would give
    scan = _HtmlScan()
    scan.feed(text)
    scan.close()
    return scan.text()
