"""The results repository: SQL sorting and pooling against the formulas, writes and undo."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from shnor_desktop.models.database import Database
from shnor_desktop.models.fields import InvalidValueError
from shnor_desktop.models.metrics import METRICS, Counts, compute, pool
from shnor_desktop.models.results import (
    COUNT_FIELDS,
    ExamQuery,
    ObjectivityQuery,
    PivotQuery,
    ResultKey,
    ResultsQuery,
    replace_query,
)
from tests.models.test_write_path import data_dump


def _row(
    school: int, year: int, procedure: str, subject: str, grade: int, **v: Any
) -> dict[str, Any]:
    return {
        "school_id": school,
        "year": year,
        "procedure": procedure,
        "subject": subject,
        "grade": grade,
        "source": "import",
        **v,
    }


# (due, participants, n2, n3, n4, n5, lowered, confirmed, raised) of ВПР Математика 5
VPR_2022 = {
    "01": (30, 28, 2, 10, 10, 6, 5, 20, 3),
    "02": (10, 9, 3, 4, 2, 0, 4, 4, 1),  # lowered 4/9 = 44,4 %: flagged at 40 %
    "03": (5, 5, 0, 1, 2, 2, 2, 3, 0),  # lowered 2/5 = 40,0 %: at the threshold, not past it
    "04": (100, 40, 0, 10, 20, 10, 0, 40, 0),  # marks 40 = participants; due 100
}


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    """Four schools (one a branch) with groups, ВПР 2021–2023 and ОГЭ 2022."""
    opened = Database.open(tmp_path / "r.sqlite")
    with opened.log.change_set("Исходные данные", "demo") as cs:
        ids = {}
        for code, name in (
            ("01", "СОШ с. Бартеневка"),
            ("02", "ООШ с. Канаевка"),
            ("03", "СОШ п. Знаменский"),
            ("04", "Гимназия с. Ивантеевка"),
            ("05", "ООШ с. Клевенка"),  # no results at all
        ):
            ids[code] = cs.insert(
                "school", {"code": code, "full_name": f"МОУ «{name}»", "short_name": name}
            )
        for code, group in (("01", "shnor"), ("02", "shnor"), ("03", "risk"), ("04", "leader")):
            cs.insert("school_profile", {"school_id": ids[code], "year": 2022, "group_code": group})
        for code, (due, n, n2, n3, n4, n5, low, conf, rai) in VPR_2022.items():
            cs.insert(
                "assessment",
                _row(
                    ids[code], 2022, "ВПР", "Математика", 5,
                    pupils_due=due, participants=n, n2=n2, n3=n3, n4=n4, n5=n5,
                    vpr_lowered=low, vpr_confirmed=conf, vpr_raised=rai,
                ),
            )  # fmt: skip
        for year, shift in ((2021, 0), (2023, 2)):
            for code in ("01", "02", "04"):
                due, n, n2, n3, n4, n5, *_ = VPR_2022[code]
                cs.insert(
                    "assessment",
                    _row(
                        ids[code], year, "ВПР", "Математика", 5, pupils_due=due,
                        participants=n, n2=n2, n3=n3 + shift, n4=n4 - shift, n5=n5,
                    ),
                )  # fmt: skip
        # Another grade and subject of 2022: pooled over grades, only the comparison rows count.
        cs.insert(
            "assessment",
            _row(ids["01"], 2022, "ВПР", "Математика", 6, participants=20, n2=1, n3=9, n4=8, n5=2),
        )
        cs.insert(
            "assessment",
            _row(
                ids["01"], 2022, "ВПР", "Русский язык", 5, participants=27, n2=5, n3=12, n4=8,
                n5=2, vpr_lowered=15, vpr_confirmed=12, vpr_raised=0,
            ),
        )  # fmt: skip
        for code, n, n2, score, below in (("01", 20, 4, 12.5, 3), ("03", 10, 0, 18.0, 0)):
            cs.insert(
                "assessment",
                _row(
                    ids[code], 2022, "ОГЭ", "Математика", 9, participants=n, n2=n2,
                    n3=n - n2, mean_score=score, below_minimum=below,
                ),
            )  # fmt: skip
    opened.ids = ids  # type: ignore[attr-defined]
    try:
        yield opened
    finally:
        opened.close()


def _ids(db: Database) -> dict[str, int]:
    return db.ids  # type: ignore[attr-defined, no-any-return]


BASE = ResultsQuery(2022, "ВПР", "Математика", 5)


# --- sorting and paging in SQL ---------------------------------------------------------------
@pytest.mark.parametrize("key", [m.key for m in METRICS] + list(COUNT_FIELDS) + ["school"])
@pytest.mark.parametrize("descending", [False, True])
def test_sorting_in_sql_equals_sorting_in_python(db: Database, key: str, descending: bool) -> None:
    rows = db.results.rows(replace_query(BASE, sort_key=key, descending=descending))
    assert len(rows) == 4

    def value(r: Any) -> Any:
        if key == "school":
            return r.school.casefold()
        if key in COUNT_FIELDS:
            return getattr(r, key)
        return compute(key, r.counts)

    present = [r for r in rows if value(r) is not None]
    missing = [r for r in rows if value(r) is None]
    expected = sorted(present, key=lambda r: r.school.casefold())
    expected.sort(key=value, reverse=descending)
    expected += sorted(missing, key=lambda r: r.school.casefold())
    assert [value(r) for r in rows] == [value(r) for r in expected]
    assert [r.school for r in rows[len(present) :]] == [r.school for r in expected[len(present) :]]


def test_pages_add_up_to_the_whole_table(db: Database) -> None:
    query = replace_query(BASE, sort_key="quality", descending=True, with_empty=True)
    whole = db.results.rows(query)
    paged = [r for offset in range(0, 5, 2) for r in db.results.rows(query, offset, 2)]
    assert paged == whole
    assert db.results.count(query) == len(whole) == 5
    assert whole[-1].school == "ООШ с. Клевенка" and whole[-1].id is None  # no row: last


def test_search_and_group_filter_in_sql(db: Database) -> None:
    assert [r.school for r in db.results.rows(replace_query(BASE, search="КАНАЕВ"))] == [
        "ООШ с. Канаевка"
    ]
    shnor = db.results.rows(replace_query(BASE, group="shnor"))
    assert sorted(r.school for r in shnor) == ["ООШ с. Канаевка", "СОШ с. Бартеневка"]


# --- pooling ---------------------------------------------------------------------------------
def test_district_is_pooled_from_counts_not_a_mean_of_percentages(db: Database) -> None:
    pooled = db.results.pooled(BASE)
    rows = db.results.rows(BASE)
    summed = pool(r.counts for r in rows)
    assert pooled == summed
    assert pooled.participants == 28 + 9 + 5 + 40
    expected = (6 + 10 + 0 + 2 + 2 + 2 + 10 + 20) / 82 * 100
    assert compute("quality", pooled) == pytest.approx(expected)
    mean_of_shares = sum(compute("quality", r.counts) or 0 for r in rows) / len(rows)
    assert compute("quality", pooled) != pytest.approx(mean_of_shares)
    # With a filter the pooled row is the selection's.
    selection = db.results.pooled(replace_query(BASE, group="shnor"))
    assert selection.participants == 28 + 9


def test_school_and_district_counts_match_python_pooling(db: Database) -> None:
    ids = _ids(db)
    by_school = db.results.school_counts(2022, "ВПР")
    first = by_school[ids["01"]]
    assert first.participants == 28 + 20 + 27 and first.rows == 3
    assert first.lowered is None  # the grade 6 row has no comparison: missing in the pool
    district = db.results.district_counts(2022, "ВПР", "Математика", 5)
    assert district == db.results.pooled(BASE)
    only = db.results.district_counts(2022, "ВПР", "Математика", 5, school_ids={ids["02"]})
    assert only.participants == 9


def test_pivot_values_and_district_per_year(db: Database) -> None:
    pivot = db.results.pivot(PivotQuery("ВПР", "Математика", 5, "quality"))
    assert pivot.years == (2021, 2022, 2023)
    by_name = {r.school: r for r in pivot.rows}
    assert set(by_name) == {
        "СОШ с. Бартеневка",
        "ООШ с. Канаевка",
        "СОШ п. Знаменский",
        "Гимназия с. Ивантеевка",
    }
    first = by_name["СОШ с. Бартеневка"]
    assert first.values[1] == pytest.approx((10 + 6) / 28 * 100)
    assert first.values[2] == pytest.approx((8 + 6) / 28 * 100)
    assert list(by_name["СОШ п. Знаменский"].values) == [None, pytest.approx(80.0), None]
    for position, year in enumerate(pivot.years):
        counts = db.results.district_counts(year, "ВПР", "Математика", 5)
        assert pivot.district_counts[position] == counts
        assert pivot.district[position] == pytest.approx(compute("quality", counts))
    # Every grade pooled: the school's grade 6 joins its grade 5.
    grades = db.results.pivot(PivotQuery("ВПР", "Математика", None, "participation"))
    first_all = next(r for r in grades.rows if r.school == "СОШ с. Бартеневка")
    assert first_all.counts[1] is not None and first_all.counts[1].participants == 48
    # A group filter: the district row pools the schools shown.
    shnor = db.results.pivot(
        PivotQuery("ВПР", "Математика", 5, "quality", group="shnor", group_year=2022)
    )
    assert len(shnor.rows) == 2
    assert shnor.district_counts[1].participants == 28 + 9


def test_series_gives_only_the_years_asked(db: Database) -> None:
    series = db.results.series("ВПР", "Математика", 5, (2022, 2023))
    assert series.years == (2022, 2023)
    assert {name for _, name, _ in series.schools} == {
        "СОШ с. Бартеневка",
        "ООШ с. Канаевка",
        "СОШ п. Знаменский",
        "Гимназия с. Ивантеевка",
    }
    assert series.district[2022] == db.results.pooled(BASE)
    assert all(set(by_year) <= {2022, 2023} for _, _, by_year in series.schools)


def test_choices_and_years(db: Database) -> None:
    assert db.results.years() == [2021, 2022, 2023]
    assert db.results.procedures(2022) == ["ВПР", "ОГЭ"]
    assert db.results.subjects("ВПР", 2022) == ["Математика", "Русский язык"]
    assert db.results.grades("ВПР", "Математика", 2022) == [5, 6]


# --- objectivity and the exams -----------------------------------------------------------------
def test_objectivity_flags_past_the_threshold_not_at_it(db: Database) -> None:
    report = db.results.objectivity(ObjectivityQuery(2022, "Математика", 5, threshold=40.0))
    by_name = {r.school: r for r in report.rows}
    canaevka = by_name["ООШ с. Канаевка"]
    assert canaevka.lowered == pytest.approx(4 / 9 * 100)
    assert canaevka.lowered_flag and canaevka.flagged
    at_threshold = by_name["СОШ п. Знаменский"]
    assert at_threshold.lowered == 40.0 and not at_threshold.flagged
    assert [r.school for r in report.flagged] == ["ООШ с. Канаевка"]
    # The same school is flagged once the threshold is just below its share.
    lower = db.results.objectivity(ObjectivityQuery(2022, "Математика", 5, threshold=39.9))
    assert {r.school for r in lower.flagged} == {"ООШ с. Канаевка", "СОШ п. Знаменский"}
    # The district row is pooled from the counts.
    assert report.district.lowered == pytest.approx((5 + 4 + 2 + 0) / (28 + 9 + 5 + 40) * 100)


def test_objectivity_of_a_whole_year_pools_only_compared_rows(db: Database) -> None:
    report = db.results.objectivity(ObjectivityQuery(2022))
    first = next(r for r in report.rows if r.school == "СОШ с. Бартеневка")
    # Математика 5 (5 of 28 lowered) and Русский язык 5 (15 of 27); grade 6 has no comparison.
    assert first.counts.rows == 2
    assert first.lowered == pytest.approx(20 / 55 * 100)
    assert not first.flagged
    raised = db.results.objectivity(ObjectivityQuery(2022, threshold=30.0))
    assert next(r for r in raised.rows if r.school == "СОШ с. Бартеневка").flagged


def test_exam_against_the_district_mean(db: Database) -> None:
    comparison = db.results.exam_comparison(ExamQuery(2022, "ОГЭ", "Математика", 9))
    district_mean = (12.5 * 20 + 18.0 * 10) / 30
    assert comparison.district.mean_score == pytest.approx(district_mean)
    by_name = {r.school: r for r in comparison.rows}
    first = by_name["СОШ с. Бартеневка"]
    assert first.difference == pytest.approx(12.5 - district_mean)
    assert first.below_district and first.below_minimum == pytest.approx(15.0)
    assert not by_name["СОШ п. Знаменский"].below_district
    assert comparison.below_district_share == pytest.approx(50.0)
    assert comparison.district.below_minimum == pytest.approx(10.0)


# --- writing, preview, undo ----------------------------------------------------------------------
def test_save_creates_then_updates_and_undo_redo_round_trip(db: Database) -> None:
    school = _ids(db)["05"]
    key = ResultKey(school, 2022, "ВПР", "Математика", 5)
    before = data_dump(db.conn)
    created = db.results.save(key, {"participants": 12}, "Результаты: участники")
    assert created is not None and created.kind == "edit"
    row = db.results.row(key)
    assert row is not None and row.id is not None and row.participants == 12
    assert row.source == "manual" and (row.n2, row.n5) == (0, 0)
    updated = db.results.save(key, {"n5": 4}, "Результаты: «5»")
    assert updated is not None and updated.ids("assessment") == frozenset({row.id})
    assert db.results.save(key, {"n5": 4}, "то же") is None  # nothing changed
    after = data_dump(db.conn)
    db.undo.undo()
    db.undo.undo()
    assert data_dump(db.conn) == before
    db.undo.redo()
    db.undo.redo()
    assert data_dump(db.conn) == after
    assert [c.new for c in db.results.history(row.id, "n5")][-1] == 4


def test_typing_over_an_imported_row_makes_it_manual(db: Database) -> None:
    key = ResultKey(_ids(db)["01"], 2022, "ВПР", "Математика", 5)
    db.results.save(key, {"n5": 7}, "правка")
    row = db.results.row(key)
    assert row is not None and row.source == "manual" and row.n5 == 7


def test_a_new_row_starts_with_its_participants(db: Database) -> None:
    key = ResultKey(_ids(db)["05"], 2022, "ВПР", "Математика", 5)
    before = data_dump(db.conn)
    with pytest.raises(InvalidValueError) as info:
        db.results.save(key, {"n5": 3}, "«5»")
    assert (info.value.issue.field, info.value.issue.code) == ("n5", "needs_participants")
    assert data_dump(db.conn) == before
    assert [i.code for i in db.results.check(key, {"n5": 3})] == ["needs_participants"]


@pytest.mark.parametrize(("value", "code"), [(-3, "negative"), (2.5, "not_integer")])
def test_negative_and_fractional_counts_are_refused(db: Database, value: Any, code: str) -> None:
    key = ResultKey(_ids(db)["01"], 2022, "ВПР", "Математика", 5)
    before = data_dump(db.conn)
    with pytest.raises(InvalidValueError) as info:
        db.results.save(key, {"n2": value}, "«2»")
    assert info.value.issue.code == code
    assert data_dump(db.conn) == before
    preview = db.results.check(key, {"n2": value})
    assert [(i.code, i.severity) for i in preview] == [(code, "error")]


def test_check_previews_warnings_without_writing(db: Database) -> None:
    key = ResultKey(_ids(db)["01"], 2022, "ВПР", "Математика", 5)
    before = data_dump(db.conn)
    issues = db.results.check(key, {"n5": 10, "participants": 40})
    assert [(i.code, i.severity) for i in issues] == [
        ("marks_differ_participants", "warning"),
        ("participants_over_due", "warning"),
    ]
    assert issues[0].args == (2 + 10 + 10 + 10, 40)
    assert db.results.check(key, {"n5": 6}) == []
    assert data_dump(db.conn) == before


def test_warning_rows_and_keys_of_touched_ids(db: Database) -> None:
    ids = _ids(db)
    key = ResultKey(ids["02"], 2022, "ВПР", "Математика", 5)
    info = db.results.save(key, {"n5": 5}, "«5»")
    assert info is not None
    touched = info.ids("assessment")
    assert touched is not None
    assert set(db.results.keys_of(touched).values()) == {key}
    found = db.results.warning_rows(BASE)
    assert [(r.school, [i.code for i in issues]) for r, issues in found] == [
        ("ООШ с. Канаевка", ["marks_differ_participants"])
    ]
    fresh = db.results.rows_of_schools(BASE, {ids["02"], ids["05"]})
    assert [(r.school, r.n5) for r in fresh] == [("ООШ с. Канаевка", 5), ("ООШ с. Клевенка", None)]


def test_counts_of_a_row_are_the_formulas_input(db: Database) -> None:
    row = db.results.rows(replace_query(BASE, search="Канаев"))[0]
    assert row.counts == Counts(due=10, participants=9, n2=3, n3=4, n4=2, n5=0, lowered=4,
                                confirmed=4, raised=1)  # fmt: skip
