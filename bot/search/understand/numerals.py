"""Kanji numerals: 二十五 -> 25, 十回目 -> 10, 千二百三十四 -> 1234."""

from __future__ import annotations

import unicodedata

# --------------------------------------------------------------------------- kanji numbers

ASCII_DIGITS = "0123456789"
_KANJI_DIGITS = {
    "\u3007": 0, "零": 0, "一": 1, "二": 2, "三": 3, "四": 4,
    "五": 5, "六": 6, "七": 7, "八": 8, "九": 9,
}  # fmt: skip
_KANJI_UNITS = {"十": 10, "百": 100, "千": 1000}
KANJI_NUMERAL_CHARS = "".join(_KANJI_DIGITS) + "".join(_KANJI_UNITS)


def _digit_value(char: str) -> int | None:
    if len(char) == 1 and char in ASCII_DIGITS:
        return ord(char) - ord("0")
    return _KANJI_DIGITS.get(char)


def _positional(text: str) -> int | None:
    """Every character is an Arabic or kanji digit: ``"16"``, ``"一六"``, ``"1六"``."""
    values = [_digit_value(c) for c in text]
    if not values or any(v is None for v in values):
        return None
    return int("".join(str(v) for v in values))


def _below_man(text: str) -> int | None:
    """A number below 10,000 written with 十/百/千 (or purely positionally)."""
    if not text:
        return None
    positional = _positional(text)
    if positional is not None:
        return positional if positional < 10_000 else None
    total = 0
    coefficient: int | None = None
    last_unit = 10_000
    for char in text:
        digit = _digit_value(char)
        if digit is not None:
            if coefficient is not None:  # "二三十": two digits before a unit
                return None
            coefficient = digit
            continue
        unit = _KANJI_UNITS.get(char)
        if unit is None or unit >= last_unit or coefficient == 0:
            return None  # unknown char, repeated/out-of-order unit ("十十", "十百"), "〇十"
        total += unit * (1 if coefficient is None else coefficient)
        last_unit = unit
        coefficient = None
    if coefficient is not None:
        if coefficient == 0:  # "十〇"
            return None
        total += coefficient
    return total


def kanji_to_int(s: str) -> int | None:
    """Parse a Japanese or Arabic numeral; ``None`` if it is not a reasonable number.

    Accepts ``"一"``, ``"十"``, ``"二十五"``, ``"百十二"``, ``"千"``, ideographic zero
    (U+3007) or ``"零"``, positional kanji digits, full-width digits (NFKC-normalised), a
    single Arabic
    digit as coefficient of a unit (``"2十"`` == 20) and 万 (``"一万二千"``).  Rejects empty
    or over-long input, repeated or out-of-order units and anything else.
    """
    text = unicodedata.normalize("NFKC", s).strip()
    if not text or len(text) > 20:
        return None
    positional = _positional(text)
    if positional is not None:
        return positional
    head, man, tail = text.partition("万")
    if not man:
        return _below_man(text)
    if "万" in tail:
        return None
    high = _below_man(head)
    low = _below_man(tail) if tail else 0
    if not high or low is None:
        return None
    return high * 10_000 + low
