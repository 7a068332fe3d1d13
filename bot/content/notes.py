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

from markdown_it_pyrs import MarkdownIt, Node

from bot.content.htmltext import HtmlScan, lone_iframe_src, tidy
from bot.content.hugo import heading_anchor
from bot.content.links import resolve_url
from bot.models import Reference, Section
from bot.content.players import Player, from_audio, from_embed, is_embed_url, youtube_id

log = logging.getLogger(__name__)

_WWW = re.compile(r"(?<![\w.@/-])www\.[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+(?:[/?#][!-~]*)?")
_SHORTCODE_OPEN = ("{{<", "{{%")
_SHORTCODE_CLOSE = (">}}", "%}}")


class NotesError(Exception):
    """The notes could not be parsed; ``str()`` is the reason."""


@dataclass(frozen=True, slots=True)
class Notes:
    sections: tuple[Section, ...]
    references: tuple[Reference, ...]
    players: tuple[Player, ...]
    first_paragraph: str
    problem: str | None = None  # part of the body was left out (nested too deeply)


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    return MarkdownIt("commonmark").enable_many(["table", "strikethrough", "linkify"])


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
        text = tidy("\n".join(self.blocks))
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
        self.refs[url] = Reference(" ".join(text.split()) or url, url, section)  # one line

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
    left_out = 0
    for node in tree.children:  # one top-level block at a time: a bad one costs itself
        try:
            _blocks([node], b)
        except RecursionError:  # thousands of ">" or list levels
            left_out += 1
    b.close_section()
    problem = None
    if left_out:
        problem = f"{left_out} block(s) nested too deeply to read were left out"
    return Notes(
        tuple(b.sections), tuple(b.refs.values()), tuple(b.players), b.first_paragraph, problem
    )


_INLINE_WORDS = (
    "text text_special softbreak hardbreak code_inline em strong strikethrough link image "
    "autolink linkify html_inline"
)
_INLINE = frozenset(_INLINE_WORDS.split())


def _blocks(nodes: Sequence[Node], b: _Builder) -> None:
    """Walk block nodes in order; inline runs (tight list items, cells) are text blocks."""
    run: list[Node] | None = None
    for node in nodes:
        name = node.name
        if name in _INLINE:
            if run is None:
                run = [node]
            else:
                run.append(node)
            continue
        if run is not None:
            _text_block(run, b, paragraph=False)
            run = None
        if name in _CONTAINERS:
            _blocks(node.children, b)
        elif name == "paragraph":
            _text_block(node.children, b, paragraph=True)
        elif name == "heading" or name == "lheading":
            links: list[tuple[str, str]] = []
            heading = " ".join(_inline(node.children, b, links).split())  # one line
            b.open_section(int(node.meta.get("level", 1)), heading)
            for href, text in links:
                b.add_link(href, text, heading)
        elif name == "fence" or name == "code_block":
            b.blocks.append(str(node.meta.get("content", "")).rstrip("\n"))
        elif name == "html_block":
            _html_block(str(node.meta.get("content", "")), b)
        else:  # quotes, tables, anything new: their blocks in order
            _blocks(node.children, b)
    if run is not None:
        _text_block(run, b, paragraph=False)


_CONTAINERS = frozenset(("bullet_list", "ordered_list", "list_item"))


def _html_block(source: str, b: _Builder) -> None:
    src = lone_iframe_src(source)
    if src is not None:  # the player line of nearly every note, without an HTML parser
        if src:
            b.add_player(from_embed(src))
        return
    scan = HtmlScan()
    scan.feed(source)
    scan.close()
    for player in scan.players:
        b.add_player(player)
    for href, link_text in scan.links:
        b.add_link(href, link_text, b.heading)
    if scan.text():
        b.blocks.append(scan.text())


def _text_block(nodes: Sequence[Node], b: _Builder, paragraph: bool) -> None:
    links: list[tuple[str, str]] = []
    text = _plain_run(nodes, links)
    if text is None:
        text = _inline_events(nodes, b, links)
    if links:
        heading = b.heading
        for href, link_text in links:
            b.add_link(href, link_text, heading)
    if text and not text.isspace():
        b.blocks.append(text)
        if paragraph and not b.first_paragraph:
            b.first_paragraph = tidy(text)


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
    return text if text is not None else _inline_events(nodes, b, links)


def _inline_events(nodes: Sequence[Node], b: _Builder, links: list[tuple[str, str]]) -> str:
    """``_inline`` for any run: shortcodes, HTML, images, code, emphasis."""
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
    scan = HtmlScan()
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
