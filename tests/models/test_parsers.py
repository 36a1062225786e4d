"""Property tests of the parsers and field checks every write path relies on."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shnor_desktop.models.fields import FieldSpec, InvalidValueError, check_value
from shnor_desktop.models.rules import check_many
from shnor_desktop.models.text import (
    current_school_year,
    format_number,
    parse_number,
    parse_school_year,
    school_year_label,
)

COUNT = FieldSpec("pupils", "count", "", "Обучающихся")
SHARE = FieldSpec("share", "share", "", "Доля")
YEAR = FieldSpec("year", "int", "", "Год", minimum=1990, maximum=2100)


@given(st.integers(min_value=1990, max_value=2100))
def test_school_year_label_parses_back(year: int) -> None:
    assert parse_school_year(school_year_label(year)) == year
    assert parse_school_year(f"{year}/{year + 1}") == year
    assert parse_school_year(f" {year} ") == year


@given(st.integers(min_value=1990, max_value=2100), st.integers(min_value=2, max_value=98))
def test_a_school_year_whose_halves_do_not_follow_is_refused(year: int, gap: int) -> None:
    with pytest.raises(ValueError):
        parse_school_year(f"{year}/{(year + gap) % 100:02d}")


@given(st.dates(min_value=date(1990, 1, 1), max_value=date(2100, 12, 31)))
def test_september_starts_the_school_year(day: date) -> None:
    year = current_school_year(day)
    assert year == (day.year if day.month >= 9 else day.year - 1)
    assert date(year, 9, 1) <= day < date(year + 1, 9, 1)


@given(st.floats(min_value=0, max_value=1e7, allow_nan=False, allow_infinity=False))
def test_numbers_written_the_russian_way_parse_back(value: float) -> None:
    text = format_number(value, 2)
    assert "." not in text
    assert parse_number(text) == pytest.approx(round(value, 2), abs=0.006)
    assert parse_number(text + " %") == parse_number(text)


@given(st.text(alphabet="абвxyz!@#", min_size=1))
def test_text_that_is_not_a_number_is_refused(text: str) -> None:
    with pytest.raises(ValueError):
        parse_number(text)


@given(st.integers(min_value=-1000, max_value=100_000))
def test_counts_accept_whole_non_negative_numbers_only(value: int) -> None:
    if value < 0:
        with pytest.raises(InvalidValueError) as info:
            check_value(COUNT, value)
        assert info.value.issue.code == "negative"
    else:
        assert check_value(COUNT, value) == value
        assert check_value(COUNT, float(value)) == value
        assert check_value(COUNT, str(value)) == value


@given(st.floats(min_value=-500, max_value=500, allow_nan=False))
def test_shares_stay_between_0_and_100(value: float) -> None:
    if 0 <= value <= 100:
        assert check_value(SHARE, value) == value
    else:
        with pytest.raises(InvalidValueError):
            check_value(SHARE, value)


@given(
    st.lists(
        st.fixed_dictionaries(
            {
                "pupils": st.one_of(
                    st.none(),
                    st.integers(-5, 50),
                    st.floats(-5, 50, allow_nan=False),
                    st.sampled_from(["12", "3,5", "abc", " 7 "]),
                ),
                "year": st.one_of(st.integers(1980, 2110), st.sampled_from(["2022", 2022.0])),
            }
        ),
        max_size=8,
    )
)
def test_bulk_checks_agree_with_single_checks(rows: list[dict[str, object]]) -> None:
    """The compiled quick path of an import gives what the field-by-field check gives."""
    from shnor_desktop.models import rules

    rules.register("_property_table", (COUNT, YEAR))

    def single(row: dict[str, object]) -> dict[str, object] | str:
        try:
            return {k: check_value(COUNT if k == "pupils" else YEAR, v) for k, v in row.items()}
        except InvalidValueError as exc:
            return exc.issue.code

    expected = [single(r) for r in rows]
    first_error = next((e for e in expected if isinstance(e, str)), None)
    try:
        got: list[dict[str, object]] | str = check_many(None, "_property_table", rows)  # type: ignore[arg-type]
    except InvalidValueError as exc:
        got = exc.issue.code
    if first_error is not None:
        assert got == first_error
    else:
        assert got == expected
