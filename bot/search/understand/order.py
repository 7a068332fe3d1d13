"""First and newest: 一番古いエピソード, 最新回, the latest episode."""

from __future__ import annotations

import re

from bot.search.understand.scan import CJK, KATAKANA, Order, Outcome, Scan, compile_ci

# --------------------------------------------------------------------------- order

_NOT_WORD_AFTER = rf"(?![{CJK}{KATAKANA}])"
_EN_EPISODE_NOUN = r"(?:\s+(?:episode|ep|one|show)s?)"
_FIRST_RE = compile_ci(
    r"(?:一番|いちばん)最初|最初(?:の|に配信された|に出た)?\s*(?:回|エピソード|配信|話)"
    rf"|(?:一番|いちばん|最も)古い|最古{_NOT_WORD_AFTER}|初回{_NOT_WORD_AFTER}"
    rf"|\b(?:the\s+)?(?:very\s+)?first{_EN_EPISODE_NOUN}\b|\b(?:the\s+)?very\s+first\b"
    rf"|\b(?:the\s+)?(?:oldest|earliest){_EN_EPISODE_NOUN}?\b"
)
_LATEST_RE = compile_ci(
    rf"最新(?:回|話|号|エピソード|配信)?{_NOT_WORD_AFTER}"
    r"|(?:一番|いちばん|最も)新しい|最後に配信された|最後の\s*(?:回|エピソード|配信|話)"
    r"|最終回|直近の\s*(?:回|エピソード|配信)"
    r"|(?:一番|いちばん|最も)?最近(?:の|に配信された|に出た)\s*(?:回|エピソード|配信|話)"
    r"|\b(?:the\s+)?(?:newest|latest|most\s+recent(?:ly\s+(?:released|aired|published))?)"
    rf"{_EN_EPISODE_NOUN}?\b|\b(?:the\s+)?last{_EN_EPISODE_NOUN}\b"
)


def extract_order(scan: Scan) -> None:
    for pattern, order in ((_FIRST_RE, Order.FIRST), (_LATEST_RE, Order.LATEST)):

        def handler(match: re.Match[str], order: Order = order) -> Outcome:
            scan.set_order(match.start(), order)
            return [match.span()]

        scan.run(pattern, handler)
