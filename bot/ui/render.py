"""A bot message rendered as plain text, for ``python -m bot ask`` and for tests.

Works on the wire form of a message (embed dicts and component dicts), so the text
of what the bot built and of what Discord received is the same. No discord import:
embeds and views are read through ``to_dict()`` / ``to_components()``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

_MASKED_LINK = re.compile(r"\[([^\]\n]*)\]\((https?://[^)\s]+)\)")
_ESCAPED = re.compile(r"\\([*_~|`>\\\[\]()#-])")

BUTTON, SELECT = 2, 3


def unmark(text: str) -> str:
    """Masked links as ``text <url>``, markdown escapes removed."""
    text = _MASKED_LINK.sub(lambda m: f"{m.group(1)} <{m.group(2)}>", text)
    return _ESCAPED.sub(r"\1", text)


def render_embed(embed: Mapping[str, Any]) -> list[str]:
    lines: list[str] = []
    author = (embed.get("author") or {}).get("name")
    if author:
        lines.append(unmark(author))
    if embed.get("title"):
        lines.append(f"## {unmark(embed['title'])}")
    if embed.get("url"):
        lines.append(f"<{embed['url']}>")
    if embed.get("description"):
        lines.append(unmark(embed["description"]))
    for field in embed.get("fields") or []:
        name = unmark(field.get("name") or "").strip("\u200b ")
        value = unmark(field.get("value") or "")
        if field.get("inline") and "\n" not in value:
            lines.append(f"{name}: {value}" if name else value)
            continue
        if name:
            lines.append(f"{name}:")
        lines.extend(f"  {line}" for line in value.splitlines())
    footer = (embed.get("footer") or {}).get("text")
    if footer:
        lines.append(f"-- {unmark(footer)}")
    return lines


def _walk(components: Iterable[Mapping[str, Any]]) -> Iterable[Mapping[str, Any]]:
    for component in components:
        yield component
        yield from _walk(component.get("components") or [])


def render_components(components: Sequence[Mapping[str, Any]]) -> list[str]:
    lines: list[str] = []
    for component in _walk(components):
        kind = component.get("type")
        if kind == BUTTON:
            label = component.get("label") or ""
            if component.get("url"):
                lines.append(f"[{label}] {component['url']}")
            else:
                state = " (disabled)" if component.get("disabled") else ""
                lines.append(f"[{label}]{state}")
        elif kind == SELECT:
            lines.append(f"[{component.get('placeholder') or '…'}]")
            for number, option in enumerate(component.get("options") or [], start=1):
                mark = ">" if option.get("default") else " "
                text = option.get("label", "")
                if option.get("description"):
                    text += f" — {option['description']}"
                lines.append(f" {mark} {number}. {text}")
    return lines


def render_parts(
    content: str | None,
    embeds: Sequence[Mapping[str, Any]],
    components: Sequence[Mapping[str, Any]],
) -> str:
    """Content, then each embed, then the buttons and menus, as text."""
    blocks: list[list[str]] = []
    if content:
        blocks.append([unmark(content)])
    blocks.extend(render_embed(e) for e in embeds)
    rendered = render_components(components)
    if rendered:
        blocks.append(rendered)
    return "\n\n".join("\n".join(block) for block in blocks if block)


def render_text(embed: Any, view: Any = None) -> str:
    """One ``discord.Embed`` and an optional ``discord.ui.View`` as text."""
    components = view.to_components() if view is not None else []
    return render_parts(None, [embed.to_dict()] if embed is not None else [], components)


def render_reply(reply: Any) -> str:
    """A ``Reply`` (content, embeds, view) as text, exactly as the bot would send it."""
    components = reply.view.to_components() if reply.view is not None else []
    return render_parts(reply.content, [e.to_dict() for e in reply.embeds], components)


def render_message(message: Any) -> str:
    """A received ``discord.Message`` (or SimCord response message) as text."""
    components = [c if isinstance(c, Mapping) else c.to_dict() for c in message.components]
    embeds = [e.to_dict() for e in message.embeds]
    return render_parts(message.content or None, embeds, components)
