"""Text helpers shared by storage and presentation: search folding, Russian formats.

SQLite folds only ASCII case, so search compares stored ``fold()``-ed text.
Numbers are shown the Russian way: a decimal comma and a thin group space.
"""

from __future__ import annotations

import re
from datetime import date, datetime

_SPACES = re.compile(r"\s+")
_NUMBER = re.compile(r"^[+-]?\d+(?:[.,]\d+)?$")


def fold(text: str) -> str:
    """Return ``text`` case-folded for search, with ё as е and spaces collapsed."""
    return _SPACES.sub(" ", text.casefold().replace("ё", "е")).strip()


def school_year_label(year: int) -> str:
    """Return the label of the school year that begins in ``year``: 2022 → «2022/23»."""
    return f"{year}/{(year + 1) % 100:02d}"


def current_school_year(today: date | None = None) -> int:
    """Return the school year under way on ``today``: September starts it (23.11.2026 → 2026)."""
    today = today or date.today()
    return today.year if today.month >= 9 else today.year - 1


def parse_school_year(text: str) -> int:
    """Parse «2022/23», «2022/2023», «2022-23» or «2022» into the first calendar year.

    Raises ValueError when the text is not a school year (or the two halves do not follow).
    """
    match = re.fullmatch(r"\s*(\d{4})\s*(?:[/\-–]\s*(\d{2}|\d{4}))?\s*", text)
    if match is None:
        raise ValueError(text)
    first = int(match.group(1))
    second = match.group(2)
    if second is not None and int(second) % 100 != (first + 1) % 100:
        raise ValueError(text)
    return first


def format_number(value: float | int | None, decimals: int = 1) -> str:
    """Format a figure as Russians write it: «26,8», «1 539»; empty for None."""
    if value is None:
        return ""
    if isinstance(value, int) or (decimals == 0):
        text = f"{round(value):,}".replace(",", "\u00a0")
        return text
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\u00a0").replace(".", ",")


def format_share(value: float | None) -> str:
    """Format a share in percent with one decimal and a comma: 22 → «22,0»."""
    return format_number(None if value is None else float(value), 1)


def parse_number(text: str) -> float | None:
    """Parse a number typed or read the Russian way («26,81», «22%», «1 539»).

    Returns None for an empty text; raises ValueError when it is not a number.
    """
    cleaned = text.strip().replace("\u00a0", "").replace(" ", "").rstrip("%").strip()
    if not cleaned:
        return None
    if not _NUMBER.match(cleaned):
        raise ValueError(text)
    return float(cleaned.replace(",", "."))


def format_date(value: date | str | None) -> str:
    """Format an ISO date (or a date) as 31.08.2024; empty for None."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        value = date.fromisoformat(value[:10])
    return value.strftime("%d.%m.%Y")


def format_timestamp(value: str | None) -> str:
    """Format an ISO timestamp as «31.08.2024 14:05»."""
    if not value:
        return ""
    return datetime.fromisoformat(value).strftime("%d.%m.%Y %H:%M")


def plural(count: int, one: str, few: str, many: str) -> str:
    """The Russian form of a noun after ``count``: 1 паспорт, 2 паспорта, 5 паспортов."""
    tens = abs(count) % 100
    units = tens % 10
    if 11 <= tens <= 14 or units == 0 or units >= 5:
        return many
    return one if units == 1 else few
