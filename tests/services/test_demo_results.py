"""The demo's assessment results say what seed 004 says of the charts it lost (issue 7 §5)."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from shnor_desktop.models import metrics
from shnor_desktop.models.changelog import ChangeLog
from shnor_desktop.models.db import open_database
from shnor_desktop.services import demo_results
from shnor_desktop.services.demo import build_demo
from shnor_desktop.services.demo_results import (
    AFTER,
    BEFORE,
    MAX_OBJECTIVITY_SHARE,
    SEED_COUNTS,
    SEED_STATEMENTS,
    RowTargets,
    SeedStatement,
    UnmetStatementError,
    solve_row,
)

SEED_FILE = Path("/work/shared/seeds/004_e0c96a79a3bbe72c.txt")
RUS, MATH = "Русский язык", "Математика"

# Every statement of seed 004, lines 286–425, as read by hand:
# (school, procedure, subject, grade, metric, kind, value).
EXPECTED_STATEMENTS = [
    # Бартеневка, ОГЭ (line 301) and ВПР 5 (307), ВПР 6 (313)
    ("01", "ОГЭ", RUS, 9, "quality", "change", -42),
    ("01", "ОГЭ", MATH, 9, "quality", "change", -3),
    ("01", "ВПР", RUS, 5, "quality", "change", -5),
    ("01", "ВПР", MATH, 5, "quality", "change", -29),
    ("01", "ВПР", MATH, 5, "success", "change", -14),
    ("01", "ВПР", RUS, 6, "quality", "change", 36),
    ("01", "ВПР", MATH, 6, "quality", "stable", 0),
    ("01", "ВПР", MATH, 6, "success", "stable", 0),
    # ОГЭ of the risk group (line 393)
    ("02", "ОГЭ", RUS, 9, "quality", "change", -4),
    ("04", "ОГЭ", MATH, 9, "quality", "change", -55),
    ("02", "ОГЭ", MATH, 9, "quality", "change", 18),
    ("03", "ОГЭ", RUS, 9, "quality", "change", 15),
    ("03", "ОГЭ", MATH, 9, "quality", "change", 80),
    ("04", "ОГЭ", RUS, 9, "quality", "change", 35),
    # ВПР 5, Russian (line 413)
    ("02", "ВПР", RUS, 5, "quality", "change", -4),
    ("02", "ВПР", RUS, 5, "success", "change", -6),
    ("03", "ВПР", RUS, 5, "quality", "change", -3),
    ("04", "ВПР", RUS, 5, "quality", "change", 6),
    ("04", "ВПР", RUS, 5, "success", "final", 100),
    # ВПР 5, maths (lines 415–417)
    ("02", "ВПР", MATH, 5, "quality", "change", -13),
    ("02", "ВПР", MATH, 5, "success", "final", 100),
    ("03", "ВПР", MATH, 5, "quality", "change", -51),
    ("04", "ВПР", MATH, 5, "quality", "change", -8),
    ("04", "ВПР", MATH, 5, "success", "final", 100),
    # ВПР 6, Russian (line 419)
    ("02", "ВПР", RUS, 6, "quality", "change", 28),
    ("03", "ВПР", RUS, 6, "quality", "change", 1),
    ("04", "ВПР", RUS, 6, "quality", "change", -41),
    ("04", "ВПР", RUS, 6, "success", "final", 100),
    # ВПР 6, maths (line 421)
    ("02", "ВПР", MATH, 6, "quality", "change", 7),
    ("02", "ВПР", MATH, 6, "success", "change", 1),
    ("03", "ВПР", MATH, 6, "quality", "change", -22),
    ("04", "ВПР", MATH, 6, "success", "change", -12),
    ("04", "ВПР", MATH, 6, "quality", "change", 12),
]

Key = tuple[str, int, str, str, int]


def _rows(path: Path) -> dict[Key, dict[str, Any]]:
    """The assessment rows of a demo file by (code, year, procedure, subject, grade)."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    try:
        found = conn.execute(
            "SELECT s.code, a.* FROM assessment a JOIN school s ON s.id = a.school_id"
        ).fetchall()
    finally:
        conn.close()
    return {
        (r["code"], r["year"], r["procedure"], r["subject"], r["grade"]): dict(r) for r in found
    }


@pytest.fixture(scope="module")
def results(demo_template: Path) -> dict[Key, dict[str, Any]]:
    """The results of the session's demo database (read only)."""
    return _rows(demo_template)


@pytest.fixture(scope="module")
def demo_conn(demo_template: Path) -> Iterator[sqlite3.Connection]:
    """A read-only connection to the session's demo database (with the SQL metric function)."""
    conn = sqlite3.connect(f"file:{demo_template}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    metrics.register_sql(conn)
    yield conn
    conn.close()


def _pair(results: dict[Key, dict[str, Any]], st: SeedStatement) -> tuple[Any, Any]:
    rows = [
        results.get((st.school_code, y, st.procedure, st.subject, st.grade)) for y in (2021, 2022)
    ]
    assert rows[0] is not None and rows[1] is not None, f"no rows for {st.row_key}"
    return rows[0], rows[1]


def test_the_data_holds_every_statement_of_the_seed() -> None:
    """33 statements in lines 286–425; a forgotten or misread one shows here."""
    found = [
        (s.school_code, s.procedure, s.subject, s.grade, s.metric, s.kind, s.value)
        for s in SEED_STATEMENTS
    ]
    assert found == EXPECTED_STATEMENTS
    assert len(SEED_STATEMENTS) == 33
    assert (BEFORE, AFTER) == (2021, 2022)


@pytest.mark.parametrize(
    "st",
    SEED_STATEMENTS,
    ids=[
        f"{s.school_code}-{s.procedure}{s.grade}-{s.subject}-{s.metric}-{s.kind}"
        for s in SEED_STATEMENTS
    ],
)
def test_statement_holds_in_the_demo(results: dict[Key, dict[str, Any]], st: SeedStatement) -> None:
    """The two years' stored counts give the stated figure within 1 п.п. (metrics.py formulas)."""
    before, after = _pair(results, st)
    compute = metrics.quality if st.metric == "quality" else metrics.success
    first = compute(metrics.Counts.of_row(before))
    second = compute(metrics.Counts.of_row(after))
    assert first is not None and second is not None
    if st.kind == "final":  # «успеваемость достигла 100%»
        assert second == 100.0
        assert first < 100.0
    elif st.kind == "stable":
        assert abs(second - first) <= 1.0
    else:
        delta = second - first
        assert abs(delta - st.value) <= 1.0, (st.quote, first, second)
        assert delta * st.value > 0, "the change goes the stated way"
    assert before["source"] == after["source"] == "seed"


def test_seed_counts_of_failed_pupils(results: dict[Key, dict[str, Any]]) -> None:
    """Бартеневка's ОГЭ of 2021/22: one «2» each in informatics, social studies and maths."""
    assert len(SEED_COUNTS) == 4
    for c in SEED_COUNTS:
        row = results[(c.school_code, c.year, c.procedure, c.subject, c.grade)]
        assert row["n2"] == c.n2, c
        assert row["source"] == "seed"
    oge = [r for k, r in results.items() if k[:3] == ("01", 2021, "ОГЭ")]
    assert {r["subject"] for r in oge if r["n2"]} == {"Информатика", "Обществознание", MATH}


def _normal(text: str) -> str:
    return re.sub(r"\s+", " ", text)


@pytest.mark.skipif(not SEED_FILE.exists(), reason="seed 004 is not on this machine")
def test_quotes_are_the_documents_words() -> None:
    """Each quote (parts around « … ») stands in the seed, in order."""
    text = _normal(SEED_FILE.read_text(encoding="utf-8"))
    for quote in [s.quote for s in SEED_STATEMENTS] + [c.quote for c in SEED_COUNTS]:
        position = 0
        for part in _normal(quote).split(" … "):
            found = text.find(part, position)
            assert found >= 0, f"not in the seed: «{part}»"
            position = found + len(part)


def test_counts_are_whole_and_consistent(results: dict[Key, dict[str, Any]]) -> None:
    """Marks add up to participants, participants ≤ due, ВПР comparisons add up, scores fit."""
    assert len(results) > 1000
    for key, r in results.items():
        marks = [r["n2"], r["n3"], r["n4"], r["n5"]]
        assert all(isinstance(v, int) and v >= 0 for v in marks), key
        assert sum(marks) == r["participants"] > 0, key
        assert r["participants"] <= r["pupils_due"], key
        if r["procedure"] == "ВПР":
            compared = r["vpr_lowered"] + r["vpr_confirmed"] + r["vpr_raised"]
            assert compared == r["participants"], key
            assert r["mean_score"] is None and r["below_minimum"] is None, key
        else:
            assert r["below_minimum"] == r["n2"], key
            assert r["vpr_lowered"] is None, key
            top = {("ОГЭ", RUS): 33, ("ОГЭ", MATH): 31}.get((r["procedure"], r["subject"]), 100)
            if r["mean_score"] is not None:
                assert 0 <= r["mean_score"] <= top, key
            elif (r["procedure"], r["subject"]) != ("ЕГЭ", "Математика (базовая)"):
                pytest.fail(f"no mean score: {key}")


def test_source_marks_seed_rows_only(results: dict[Key, dict[str, Any]]) -> None:
    """Rows a statement or a stated count fixes are 'seed'; all others 'generated'."""
    seed = {
        (s.school_code, y, s.procedure, s.subject, s.grade)
        for s in SEED_STATEMENTS
        for y in (2021, 2022)
    }
    seed |= {(c.school_code, c.year, c.procedure, c.subject, c.grade) for c in SEED_COUNTS}
    assert len(seed) == 50
    for key, r in results.items():
        assert r["source"] == ("seed" if key in seed else "generated"), key


def test_supported_schools_have_failing_pupils(results: dict[Key, dict[str, Any]]) -> None:
    """A seed row of a ШНОР or risk school has a «2» in a year unless success reached 100 %."""
    finals = {s.row_key for s in SEED_STATEMENTS if s.kind == "final"}
    for st in SEED_STATEMENTS:
        before, after = _pair(results, st)
        if st.row_key in finals:
            assert after["n2"] == 0 < before["n2"]
        else:
            assert before["n2"] + after["n2"] > 0, st.row_key


def test_objectivity_has_something_to_flag(demo_conn: sqlite3.Connection) -> None:
    """Some ВПР rows pass the 40 % threshold; none passes 79 %; Бартеневка 2022/23 is flagged."""
    shares = demo_conn.execute(
        "SELECT 100.0 * vpr_lowered / participants, 100.0 * vpr_raised / participants"
        " FROM assessment WHERE procedure = 'ВПР'"
    ).fetchall()
    assert any(low > 40 for low, _ in shares)
    assert any(high > 40 for _, high in shares)
    assert all(
        low <= MAX_OBJECTIVITY_SHARE and high <= MAX_OBJECTIVITY_SHARE for low, high in shares
    )
    pooled = {
        (r[0], r[1]): r[2]
        for r in demo_conn.execute(
            "SELECT s.code, a.year, metric('vpr_lowered', NULL, sum(participants), 0, 0, 0, 0,"
            " NULL, sum(vpr_lowered), sum(vpr_confirmed), sum(vpr_raised), NULL)"
            " FROM assessment a JOIN school s ON s.id = a.school_id"
            " WHERE a.procedure = 'ВПР' GROUP BY s.code, a.year"
        )
    }
    assert pooled[("01", 2022)] > 40
    assert max(v for (_, year), v in pooled.items() if year == 2021) < 40  # no school in the lists
    assert sum(v > 40 for (_, year), v in pooled.items() if year == 2019) >= 2


def test_ege_only_where_the_passport_has_seniors(demo_conn: sqlite3.Connection) -> None:
    """No ЕГЭ row for a school whose passport of that year has nobody in grades 10–11."""
    rows = demo_conn.execute(
        "SELECT s.code, s.kind, a.year, p.pupils_10_11 FROM assessment a"
        " JOIN school s ON s.id = a.school_id"
        " JOIN school_profile p ON p.school_id = a.school_id AND p.year = a.year"
        " WHERE a.procedure = 'ЕГЭ'"
    ).fetchall()
    assert rows
    assert all(r["pupils_10_11"] > 0 for r in rows)
    assert not [r for r in rows if r["kind"] in ("ООШ", "филиал") or r["code"] == "01"]
    assert (
        demo_conn.execute(
            "SELECT count(*) FROM assessment a JOIN school_profile p"
            " ON p.school_id = a.school_id AND p.year = a.year"
            " WHERE a.procedure IN ('ВПР', 'ОГЭ') AND a.grade >= 5 AND p.pupils_5_9 = 0"
        ).fetchone()[0]
        == 0
    )


def test_exam_pupils_due_match_the_district_enrolment(demo_conn: sqlite3.Connection) -> None:
    """ОГЭ/ЕГЭ Russian: the pupils due of the schools add up to the district's grade 9 / 11."""
    for grade, procedure, column in ((9, "ОГЭ", "pupils_grade9"), (11, "ЕГЭ", "pupils_grade11")):
        for year, due, district in demo_conn.execute(
            f"SELECT d.year, sum(a.pupils_due), d.{column} FROM district_year d"
            " JOIN assessment a ON a.year = d.year"
            " WHERE a.procedure = ? AND a.subject = ? AND a.grade = ? GROUP BY d.year",
            (procedure, RUS, grade),
        ):
            assert due == district, (procedure, year)


def test_groups_show_in_the_results(demo_conn: sqlite3.Connection) -> None:
    """Over the two years before the seed's groups: ШНОР well below the district, leaders above."""

    def quality(year: int, code: str | None) -> float:
        value = demo_conn.execute(
            "SELECT metric('quality', NULL, sum(participants), sum(n2), sum(n3), sum(n4), sum(n5),"
            " NULL, NULL, NULL, NULL, NULL) FROM assessment a JOIN school s ON s.id = a.school_id"
            " WHERE a.year = ? AND a.procedure IN ('ВПР', 'ОГЭ') AND (? IS NULL OR s.code = ?)",
            (year, code, code),
        ).fetchone()[0]
        assert isinstance(value, float)
        return value

    for year in (2020, 2021):
        district = quality(year, None)
        assert quality(year, "01") < district - 10
        assert quality(year, "08") > district + 5
        assert quality(year, "09") > district
        for code in ("05", "06", "07"):
            assert quality(year, code) < district


def test_two_builds_give_identical_results(tmp_path: Path) -> None:
    """The results are deterministic (their own generators, seeded with fixed text)."""
    first, second = tmp_path / "a.sqlite", tmp_path / "b.sqlite"
    build_demo(first)
    build_demo(second)

    def table(path: Path) -> list[tuple[Any, ...]]:
        conn = sqlite3.connect(path)
        try:
            return conn.execute("SELECT * FROM assessment ORDER BY id").fetchall()
        finally:
            conn.close()

    assert table(first) == table(second)
    assert len(table(first)) > 1000


def test_results_revert_with_the_demo(demo_path: Path) -> None:
    """The results are in the demo's change set: reverting it removes them."""
    conn = open_database(demo_path)
    try:
        log = ChangeLog(conn)
        (demo_set,) = log.recent_sets()
        assert "assessment" in demo_set.tables
        log.revert(demo_set.id)
        assert conn.execute("SELECT count(*) FROM assessment").fetchone()[0] == 0
    finally:
        conn.close()


def test_solver_refuses_what_no_counts_can_say() -> None:
    """An impossible statement raises instead of writing a wrong figure."""
    row = ("01", "ВПР", MATH, 7)
    targets = RowTargets(sizes=(5, 5), quality=(40, 40), success=(85, 85))
    too_much = SeedStatement(*row, "quality", "change", 120, "качество выросло на 120%")
    with pytest.raises(UnmetStatementError):
        solve_row(row, [too_much], targets)
    reached = SeedStatement(*row, "success", "final", 100, "успеваемость достигла 100%")
    with pytest.raises(UnmetStatementError):  # a stated «2» in 2022/23 contradicts it
        solve_row(row, [reached], targets, {AFTER: 1})
    feasible = SeedStatement(*row, "quality", "change", -20, "снизилось на 20%")
    before, after = solve_row(row, [feasible], targets)
    change = after.quality / after.participants * 100 - before.quality / before.participants * 100
    assert abs(change + 20) <= 1.0 and change < 0


def test_build_fails_loudly_on_an_unmet_statement(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A statement the solver cannot meet stops the demo build and leaves no file."""
    impossible = SeedStatement("04", "ВПР", MATH, 7, "quality", "change", 150, "на 150%")
    monkeypatch.setattr(demo_results, "SEED_STATEMENTS", (*SEED_STATEMENTS, impossible))
    with pytest.raises(UnmetStatementError) as caught:
        build_demo(tmp_path / "demo.sqlite")
    assert caught.value.quotes == ("на 150%",)
    assert list(tmp_path.iterdir()) == []
