"""The episode number a title starts with: "#16", "＃16", "EP16", "ep.16", "Episode 16",
"第16回". A number later in the title is not the episode's.

One rule for notes (``bot.content.page``) and feed items (``bot.notify.diff``).
"""

from __future__ import annotations

import re

TITLE_NUMBER_PATTERNS = (
    re.compile(r"^[#＃]\s*(\d{1,6})\.?(?![0-9A-Za-z])"),
    re.compile(r"^第\s*(\d{1,6})\s*回"),
    re.compile(r"^(?:episode|ep)\.?\s*#?\s*(\d{1,6})\.?(?![0-9A-Za-z])", re.IGNORECASE),
)
_TITLE_SEPARATORS = " \t\u3000:：-–—|｜.、,"


def split_title(raw_title: str) -> tuple[int | None, str]:
    """``"#16 【GCP？】Kubeflow超概要"`` -> ``(16, "【GCP？】Kubeflow超概要")``."""
    text = raw_title.strip()
    for pattern in TITLE_NUMBER_PATTERNS:
        match = pattern.match(text)
        if match:
            rest = text[match.end() :].lstrip(_TITLE_SEPARATORS)
            return int(match.group(1)), rest or text  # full-width digits too: int("１６")
    return None, text


def number_in_title(title: str) -> int | None:
    """The episode number a title starts with ("#16 【GCP？】..." -> 16), or None."""
    return split_title(title)[0]
