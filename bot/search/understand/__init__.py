"""Query understanding for searching a (Japanese) tech podcast's episode notes.

``understand(query, today=..., speakers=...)`` pulls the structured parts out of a
free-text query -- episode numbers, a date range, "first/latest", a show-notes URL path
and "who spoke" -- and returns what is left for topic search in ``Understood.text``.

Design notes
------------
* Pure function, stdlib only, no mutable module state: "today" and the speaker list are
  parameters.  Module-level objects are compiled regexes and constant tables only.
* Input is NFKC-normalised first (full-width digits/letters/``#``/``~`` become ASCII), so
  ``text`` is returned in NFKC form too.
* Every regex is linear: no nested unbounded quantifiers, and the one "gap" used for
  "<name>が<topic>について話した回" is bounded (40 chars).  Numbers longer than 6 digits
  are never passed to ``int`` (Python refuses >4300-digit strings).
* Extraction works on a same-length working copy of the query.  A recognised phrase is
  overwritten with a "removed" sentinel, so later patterns cannot match across or inside
  it; an unparseable date (``2020/2/30``) is overwritten with a "kept" sentinel: it stays
  in ``text`` but nothing else may reinterpret its pieces (e.g. as ``2020/2``).
* Particles/filler (``の``, ``の回``, ``配信``, ``in``, ``episodes`` ...) are trimmed only at
  the edges of the pieces left between removed phrases, and only when something was
  recognised.  A query in which nothing was recognised keeps its wording.
* The rules live in one module each, all working on one ``scan.Scan`` of the query:
  ``urls``, ``dates``, ``order``, ``numbers`` (with ``numerals`` for kanji numerals),
  ``speakers``; ``leftover`` trims what is left into the topic text.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from datetime import date, datetime

from bot.search.understand.dates import extract_dates
from bot.search.understand.leftover import finish
from bot.search.understand.numbers import extract_numbers
from bot.search.understand.numerals import kanji_to_int
from bot.search.understand.order import extract_order
from bot.search.understand.scan import MAX_NUMBERS, SENTINELS, DateRange, Order, Scan, Understood
from bot.search.understand.speakers import extract_speakers
from bot.search.understand.urls import extract_urls

__all__ = [
    "MAX_NUMBERS",
    "DateRange",
    "Order",
    "Understood",
    "kanji_to_int",
    "understand",
]


# --------------------------------------------------------------------------- entry point


_EN_NUMBERS = {
    w: str(i)
    for i, w in enumerate(
        (
            "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
            "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen",
            "seventeen", "eighteen", "nineteen", "twenty",
        )
    )
}  # fmt: skip
_EN_ORDINALS = {
    w: str(i)
    for i, w in enumerate(
        (
            "", "", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth",
            "ninth", "tenth", "eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth",
            "sixteenth", "seventeenth", "eighteenth", "nineteenth", "twentieth",
        )
    )
    if w
}  # fmt: skip
# "episode two", "ep five", "the third episode": an episode number in words ("the first
# episode" is the oldest one, read by ``order``)
_EN_NUMBER_WORD = re.compile(
    rf"\b(?P<pre>episodes?|eps?\.?|no\.|number)\s+(?P<n>{'|'.join(_EN_NUMBERS)})\b"
    rf"|\b(?P<o>{'|'.join(_EN_ORDINALS)})\s+(?P<noun>episodes?|eps?|shows?)\b",
    re.IGNORECASE,
)


def _in_digits(match: re.Match[str]) -> str:
    if match["n"] is not None:
        return f"{match['pre']} {_EN_NUMBERS[match['n'].lower()]}"
    return f"episode {_EN_ORDINALS[match['o'].lower()]}"


def _normalise(query: str) -> str:
    text = unicodedata.normalize("NFKC", query)
    text = _EN_NUMBER_WORD.sub(_in_digits, text)
    return text.translate({ord(s): " " for s in SENTINELS})


def understand(query: str, *, today: date, speakers: Sequence[str] = ()) -> Understood:
    """Split ``query`` into structured filters and the remaining topic text.

    ``today`` anchors relative dates (去年, last month) and years left out ("12月の回" is
    the most recent December that has started by ``today``).  ``speakers`` are the names
    that "who spoke" phrases may refer to; other names are left in ``text``.
    """
    if isinstance(today, datetime):
        today = today.date()
    if isinstance(speakers, str):  # a lone name, not a sequence of one-letter names
        speakers = (speakers,)
    scan = Scan(_normalise(query))
    extract_urls(scan)
    extract_dates(scan, today)
    extract_order(scan)
    extract_numbers(scan)
    extract_speakers(scan, speakers)
    return finish(scan)
