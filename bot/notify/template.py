"""Message templates: the text a subscription posts above an announcement's embed.

A template is plain text with placeholders in braces (``PLACEHOLDERS``); ``{{`` and
``}}`` are literal braces. ``check()`` names the first unknown placeholder or stray
brace, so ``/notify template`` can say exactly what is wrong; ``render()`` fills one in
and keeps the result within Discord's message limit (``CONTENT_MAX``), shortening the
summary first. Nothing but ``{role}`` can ping: values are stripped of mention syntax
(``@everyone``, ``<@123>``) and the message's allowed mentions stay an allow-list of
the configured role (``bot.cogs.notify.announcer``).

Pure core: no discord. Not ``str.format``: ``{title.__class__}`` must be an error, not
an attribute lookup.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

PLACEHOLDERS = ("title", "number", "summary", "url", "player", "role", "date")
CONTENT_MAX = 2000  # characters Discord allows in a message's content
TEMPLATE_MAX = 1500  # characters of a template itself (the modal's limit)

_TOKEN = re.compile(r"\{\{|\}\}|\{([^{}]*)\}|[{}]")
_MENTION = re.compile(r"@(everyone|here)|<(@[!&]?|#)(\d+)>")


class TemplateError(ValueError):
    """The template cannot be used; the message names the placeholder or character."""

    def __init__(self, message: str, *, placeholder: str | None = None):
        super().__init__(message)
        self.placeholder = placeholder


@dataclass(frozen=True, slots=True)
class Values:
    """What a template's placeholders stand for, for one episode and subscription."""

    title: str
    number: str = ""
    summary: str = ""
    url: str = ""
    player: str = ""
    role: str = ""  # "<@&id>" when a role is configured, else ""
    date: str = ""


def check(template: str) -> None:
    """Raise ``TemplateError`` for an unknown placeholder, a stray brace, or a template
    that is empty or too long."""
    if not template.strip():
        raise TemplateError("the template is empty")
    if len(template) > TEMPLATE_MAX:
        raise TemplateError(f"the template is longer than {TEMPLATE_MAX} characters")
    for match in _TOKEN.finditer(template):
        token = match.group(0)
        if token in ("{{", "}}"):
            continue
        name = match.group(1)
        if name is None:
            raise TemplateError(
                f"stray {token!r} at character {match.start() + 1} (write {token * 2})"
            )
        if name not in PLACEHOLDERS:
            raise TemplateError(f"unknown placeholder {{{name}}}", placeholder=name)


def neutral_value(text: str) -> str:
    """A value that cannot ping or link a channel: ``@everyone`` -> ``@\u200beveryone``."""
    return _MENTION.sub(
        lambda m: m.group(0).replace("@", "@\u200b").replace("<#", "<#\u200b"), text
    )


def render(template: str, values: Values) -> str:
    """The template filled in, at most ``CONTENT_MAX`` characters. Assumes ``check()``
    passed. A long summary is shortened first, then the whole text is cut."""
    text = _fill(template, values)
    if len(text) > CONTENT_MAX and values.summary:
        over = len(text) - CONTENT_MAX
        keep = max(0, len(values.summary) - over - 1)
        short = values.summary[:keep].rstrip() + "…"
        text = _fill(template, _replace(values, summary=short if keep else ""))
    if len(text) > CONTENT_MAX:
        text = text[: CONTENT_MAX - 1] + "…"
    return text


def _fill(template: str, values: Values) -> str:
    def one(match: re.Match[str]) -> str:
        token = match.group(0)
        if token == "{{":
            return "{"
        if token == "}}":
            return "}"
        name = match.group(1)
        if name is None or name not in PLACEHOLDERS:
            return token
        value = str(getattr(values, name))
        return value if name == "role" else neutral_value(value)

    return _TOKEN.sub(one, template)


def _replace(values: Values, **changes: str) -> Values:
    data = {name: getattr(values, name) for name in PLACEHOLDERS}
    data.update(changes)
    return Values(**data)
