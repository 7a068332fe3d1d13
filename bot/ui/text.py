"""Text and URLs made fit for Discord: its size limits, clean cuts with "…", URLs
Discord would accept, and user text that can never ping, format or link (HTML to
plain text is ``bot.content.htmltext.html_to_text``). Pure: no network, no bot.
"""

from __future__ import annotations

import re
from urllib.parse import quote, urlsplit

import discord

ELLIPSIS = "…"
COLOR = 0x2F7BBF

# Discord's limits (https://discord.com/developers/docs/resources/message#embed-object-embed-limits)
TITLE_MAX = 256
DESCRIPTION_MAX = 4096
FIELD_NAME_MAX = 256
FIELD_VALUE_MAX = 1024
FIELDS_MAX = 25
FOOTER_MAX = 2048
AUTHOR_MAX = 256
EMBED_TOTAL_MAX = 6000
CONTENT_MAX = 2000
BUTTON_LABEL_MAX = 80
BUTTON_URL_MAX = 512
URL_MAX = 512  # embed url and link button url
SELECT_LABEL_MAX = 100
SELECT_DESCRIPTION_MAX = 100
SELECT_OPTIONS_MAX = 25
CHOICE_MAX = 100
CHOICES_MAX = 25

# Our own, tighter budgets, so one embed never needs heavy trimming.
SUMMARY_BUDGET = 1000
SNIPPET_BUDGET = 600
LINK_LINES_IN_EPISODE = 8
LINK_TEXT_BUDGET = 120


def clip(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters, ending in "…" when cut."""
    text = text.strip()
    if len(text) <= limit:
        return text
    if limit <= 1:
        return ELLIPSIS[:limit]
    cut = text[: limit - 1].rstrip()
    # Prefer to cut at a line or word break when one is close to the end.
    for sep in ("\n", " ", "、", "。"):
        at = cut.rfind(sep)
        if at >= limit * 0.8:
            cut = cut[:at].rstrip()
            break
    return cut + ELLIPSIS


def one_line(text: str) -> str:
    return " ".join((text or "").split())


def safe_url(url: str | None) -> str | None:
    """A well-formed http(s) URL Discord accepts for an embed, a button or a masked
    link; None for anything else (the text around it stays).

    The host must be a real name (letters, digits, dots and dashes, or an
    internationalised name, which is sent IDNA-encoded) with a dot, or ``localhost``.
    Whitespace or control characters anywhere refuse the URL; non-ASCII characters and
    parentheses in the rest are percent-encoded. Longer than ``URL_MAX`` once encoded:
    None, as Discord refuses it for buttons and embeds.
    """
    if not url:
        return None
    url = url.strip()
    if not url.lower().startswith(("http://", "https://")) or _BAD_URL_CHAR.search(url):
        return None
    try:
        parts = urlsplit(url)
        host = _ascii_host(parts.hostname or "")
        port = parts.port
    except ValueError:  # a bad port or a broken [IPv6] host
        return None
    if host is None:
        return None
    userinfo, at, _ = parts.netloc.rpartition("@")
    netloc = (_quote(userinfo) + at) + host + (f":{port}" if port is not None else "")
    rest = url[len(parts.scheme) + 3 + len(parts.netloc) :]
    target = f"{parts.scheme}://{netloc}{_quote(rest)}"
    return target if len(target) <= URL_MAX else None


_BAD_URL_CHAR = re.compile(r"[\s\x00-\x1f\x7f-\x9f]")
_HOST_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


def _ascii_host(host: str) -> str | None:
    """``host`` in ASCII (IDNA for non-ASCII names) when it is a usable host name."""
    if not host.isascii():
        try:
            host = host.encode("idna").decode("ascii")
        except UnicodeError:
            return None
    host = host.lower()
    if host == "localhost":
        return host
    labels = host.split(".")
    if len(labels) < 2 or len(host) > 253:
        return None
    return host if all(_HOST_LABEL.match(label) for label in labels) else None


def _quote(text: str) -> str:
    text = quote(text, safe=":/?#[]@!$&'*+,;=%~")
    return text.replace("(", "%28").replace(")", "%29")


_URL_LIKE = re.compile(r"^(?:https?://|www\.)\S+$", re.IGNORECASE)


def link_text(text: str) -> str:
    """Text for the visible part of a masked link: one line, no brackets or markdown."""
    text = one_line(text).replace("[", "(").replace("]", ")")
    return discord.utils.escape_markdown(neutral(text), ignore_links=False)


def link_line(text: str, url: str | None, *, limit: int = FIELD_VALUE_MAX) -> str:
    """``[text](url)`` within ``limit`` characters; plain text when the URL cannot fit.

    Text that itself looks like a URL or a domain is shown as the bare URL: Discord
    does not render masked links whose text is a link.
    """
    shown = clip(one_line(text) or (url or ""), LINK_TEXT_BUDGET)
    target = safe_url(url)
    if target is not None and _URL_LIKE.match(one_line(text) or target):
        return target if len(target) <= limit else clip(link_text(shown), limit)
    if target is not None:
        line = f"[{link_text(shown)}]({target})"
        if len(line) <= limit:
            return line
    return clip(link_text(shown), limit)


def neutral(text: str) -> str:
    """Note text shown as is, but never pinging anyone."""
    return discord.utils.escape_mentions(text)


def escape_user_text(text: str, limit: int = 100) -> str:
    """User text echoed back: one line, cut, no markdown, mentions or links."""
    shown = clip(one_line(text), limit)
    shown = discord.utils.escape_mentions(shown)
    shown = discord.utils.escape_markdown(shown, ignore_links=False)
    shown = shown.replace("<", "\\<").replace("://", ":\u200b//")
    return re.sub(r"(?i)discord(?:app)?\.(gg|com)", "discord\u200b.\\1", shown)
