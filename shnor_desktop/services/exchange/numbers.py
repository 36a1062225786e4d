"""Numbers as schools type them in a workbook: «26,81», «22 %», «1 234», «1 234» (NBSP).

A cell may hold a real number (Excel's own), or text that a person typed or a
program wrote: a decimal comma, a percent sign, spaces of any kind between
the groups of digits, a Unicode minus.  :func:`parse_number` reads all of
them and refuses anything else; it never guesses (an English «1,234.5» is
refused rather than read as 1.2345).
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime, time, timedelta
from typing import Final

_GROUP_SPACES: Final = " \u00a0\u202f\u2009\u2007"
"""Spaces that separate groups of digits: plain, no-break, narrow no-break, thin, figure."""
_MINUSES: Final = "\u2212\u2013\u2012"
"""Characters people and programs use for a minus sign besides «-»."""

_PLAIN: Final = re.compile(r"[+-]?(?:\d+(?:[.,]\d+)?|[.,]\d+)")
_GROUPED: Final = re.compile(r"[+-]?\d{1,3}(?:[ \u00a0\u202f\u2009\u2007]\d{3})+(?:[.,]\d+)?")


class NumberSyntaxError(ValueError):
    """The value is not a number (the text or value as found is in ``value``)."""

    def __init__(self, value: object) -> None:
        super().__init__(repr(value))
        self.value = value


def parse_number(value: object) -> float | int | None:
    """Return the number in a cell: None for a blank cell; an int when it is whole.

    Accepted: ints and floats (not bool, NaN or infinity), and text such as
    «26,81», «26.81», «22 %», «22%», «1 234», «1 234,5» (any group space),
    «−3» (a Unicode minus), «+5», «,5».  Raises :class:`NumberSyntaxError`.
    """
    if value is None:
        return None
    if isinstance(value, bool | date | datetime | time | timedelta):
        raise NumberSyntaxError(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            raise NumberSyntaxError(value)
        return int(value) if value.is_integer() and abs(value) < 2**53 else value
    if not isinstance(value, str):
        raise NumberSyntaxError(value)
    text = value.strip(" \t\r\n" + _GROUP_SPACES)
    if not text:
        return None
    if text.endswith("%"):
        text = text[:-1].rstrip(_GROUP_SPACES)
    for minus in _MINUSES:
        text = text.replace(minus, "-")
    if _PLAIN.fullmatch(text) is None and _GROUPED.fullmatch(text) is None:
        raise NumberSyntaxError(value)
    digits = text.translate({ord(c): None for c in _GROUP_SPACES}).replace(",", ".")
    number = float(digits)
    if math.isinf(number):
        raise NumberSyntaxError(value)
    if "." not in digits and abs(number) < 2**53:
        return int(digits)
    return int(number) if number.is_integer() and abs(number) < 2**53 else number
