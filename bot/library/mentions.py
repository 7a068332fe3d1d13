"""A mention or DM as the user meant it: what to search for, and what to echo back.

Discord writes mentions as ``<@id>``, ``<@!id>``, ``<@&role>``, ``<#channel>``, custom
emoji as ``<:name:id>`` / ``<a:name:id>``, and ``@everyone`` / ``@here`` as text. None of
those are a topic: they are dropped before searching, and so is a leading command word
typed as text (``/search kubeflow``, ``search kubeflow``, ``検索 kubeflow``). The echo keeps
the user's words with every mention shown as ``@name`` / ``#channel``, never an id.
Pure core: no discord; names come from a callback.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

NameOf = Callable[[str, int], str | None]  # ("user" | "role" | "channel", id) -> name

MENTION = re.compile(r"<(?P<kind>@!?|@&|#)(?P<id>\d{15,21})>")
EMOJI = re.compile(r"<a?:(?P<name>\w{1,32}):\d{15,21}>")
EVERYONE = re.compile(r"(?<!\w)@(?:everyone|here)\b", re.IGNORECASE)
COMMAND_WORD = re.compile(
    r"^\s*(?:/?(?:search|find|ask|検索|さがして|探して)|/(?:episode|links|エピソード))"
    r"(?:\s+|[:：]\s*|$)",
    re.IGNORECASE,
)
KINDS = {"@": "user", "@!": "user", "@&": "role", "#": "channel"}


@dataclass(frozen=True, slots=True)
class CleanMessage:
    query: str  # what to search for
    shown: str  # the user's text for an echo, mentions as names
    mentioned: bool  # whether the bot itself was mentioned


def clean_message(content: str, bot_id: int, name_of: NameOf | None = None) -> CleanMessage:
    """Split a message into the search text and the text to echo (see the module)."""
    mentioned = False

    def shown_mention(match: re.Match[str]) -> str:
        nonlocal mentioned
        kind, ident = KINDS[match["kind"]], int(match["id"])
        if kind == "user" and ident == bot_id:
            mentioned = True
            return " "
        name = name_of(kind, ident) if name_of is not None else None
        sign = "#" if kind == "channel" else "@"
        return f"{sign}{name or ('channel' if kind == 'channel' else kind)}"

    shown = MENTION.sub(shown_mention, content or "")
    shown = EMOJI.sub(lambda m: f":{m['name']}:", shown)
    shown = " ".join(shown.split())
    query = MENTION.sub(" ", content or "")
    query = EMOJI.sub(" ", query)
    query = EVERYONE.sub(" ", query)
    query = " ".join(query.split())
    query = COMMAND_WORD.sub("", query, count=1).strip()
    return CleanMessage(query=query, shown=shown, mentioned=mentioned)
