"""Number cells as schools type them: «26,81», «22 %», «1 234» (any group space), no guessing."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shnor_desktop.models.text import format_number
from shnor_desktop.services.exchange.numbers import NumberSyntaxError, parse_number

GROUP_SPACES = (" ", "\u00a0", "\u202f", "\u2009")


def grouped(value: int, space: str) -> str:
    """«1 234 567» with ``space`` between the groups of three digits."""
    sign = "-" if value < 0 else ""
    digits = f"{abs(value):,}".replace(",", space)
    return sign + digits


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("26,81", 26.81),
        ("26.81", 26.81),
        ("22 %", 22),
        ("22%", 22),
        ("22,5\u00a0%", 22.5),
        ("1 234", 1234),
        ("1\u00a0234,5", 1234.5),
        ("  7  ", 7),
        ("−3", -3),
        ("+5", 5),
        (",5", 0.5),
        ("0", 0),
        ("", None),
        ("   ", None),
        (12.0, 12),
        (12.5, 12.5),
        (3, 3),
    ],
)
def test_numbers_as_schools_type_them(text: object, expected: float | None) -> None:
    value = parse_number(text)
    assert value == expected
    if isinstance(expected, int):
        assert type(value) is int


@pytest.mark.parametrize(
    "text",
    [
        "двенадцать",
        "12 чел.",
        "1,234.5",
        "1.234,5",
        "12,",
        "1 23",
        "--1",
        "%",
        "1e5",
        True,
        math.nan,
    ],
)
def test_what_is_not_a_number_is_refused(text: object) -> None:
    with pytest.raises(NumberSyntaxError):
        parse_number(text)


@given(st.integers(min_value=-(10**12), max_value=10**12), st.sampled_from(GROUP_SPACES))
def test_whole_numbers_with_any_group_space(value: int, space: str) -> None:
    assert parse_number(grouped(value, space)) == value
    assert parse_number(str(value)) == value
    assert parse_number(f"{value}%") == value
    assert parse_number(float(value)) == value


@given(
    st.floats(min_value=-1e9, max_value=1e9, allow_nan=False, allow_infinity=False),
    st.integers(min_value=1, max_value=4),
)
def test_russian_formatting_reads_back(value: float, decimals: int) -> None:
    text = format_number(value, decimals)  # «1 234,57»: what the program itself writes
    assert parse_number(text) == pytest.approx(round(value, decimals), abs=10**-decimals)
    assert parse_number(text + " %") == parse_number(text)


@given(st.text(alphabet="абвгдxyz!?#", min_size=1, max_size=10))
def test_letters_are_never_numbers(text: str) -> None:
    with pytest.raises(NumberSyntaxError):
        parse_number(text)


@given(st.text(max_size=20))
def test_any_text_is_a_number_or_refused(text: str) -> None:
    try:
        value = parse_number(text)
    except NumberSyntaxError:
        return
    assert value is None or isinstance(value, int | float)
    if value is not None:
        assert not math.isnan(value)
