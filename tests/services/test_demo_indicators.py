"""The demo's programme indicators: seed 004's tables and target indicators, as written."""

from __future__ import annotations

from pathlib import Path

from shnor_desktop.models.database import Database
from shnor_desktop.models.indicators import IndicatorQuery, IndicatorRow
from shnor_desktop.services.demo_indicators import INDICATORS, PERIOD_NOTES, note_of


def _rows(demo_path: Path) -> tuple[Database, dict[str, IndicatorRow]]:
    db = Database.open(demo_path)
    programme = db.indicators.programmes()[0]
    rows = db.indicators.tree(IndicatorQuery(programme.id, (2021, 2022)))
    return db, {r.indicator.code: r for r in rows}


def test_demo_holds_the_four_groups_of_target_indicators_in_order(demo_path: Path) -> None:
    db, rows = _rows(demo_path)
    try:
        assert list(rows) == [s.code for s in INDICATORS]
        groups = [r for r in rows.values() if r.depth == 0]
        assert [g.indicator.name for g in groups] == [
            "Показатели по определению динамики образовательных результатов в ШНОР",
            "Показатели динамики образовательных результатов в ШНСУ",
            "Показатели по профилактике учебной неуспешности обучающихся",
            "Показатели повышения качества преподавания",
        ]
        assert all(
            rows[c].indicator.parent_id == rows[c.split(".")[0]].id for c in rows if "." in c
        )
    finally:
        db.close()


def test_track_2_table_january_2022_and_2023(demo_path: Path) -> None:
    db, rows = _rows(demo_path)
    try:
        prevention = rows["2.1"]
        assert prevention.indicator.name == (
            "Доля школ, в которых организована профилактика рисков снижения образовательных "
            "результатов"
        )
        assert [prevention.actual(y).value for y in (2021, 2022)] == [100.0, 100.0]
        note = prevention.value(2022).note  # type: ignore[union-attr]
        assert note == (
            "На январь 2023 г. Во всех ОУ разработаны и реализуются программы перехода в "
            "эффективный режим работы (ППЭРР)"
        )
        assert prevention.value(2021).note == "На январь 2022 г."  # type: ignore[union-attr]
        tochka = rows["2.2"]
        assert tochka.indicator.name == "Доля школ, в которых созданы центры «Точка роста»"
        then, now = tochka.actual(2021), tochka.actual(2022)
        assert (then.kind, then.value, then.source) == ("override", 67.0, "seed")
        assert now.kind == "computed" and now.value is not None and round(now.value) == 67
        assert rows["2.3"].values == ()
    finally:
        db.close()


def test_track_3_table_with_its_per_school_rows(demo_path: Path) -> None:
    db, rows = _rows(demo_path)
    try:
        assert [rows["3.1"].actual(y).value for y in (2021, 2022)] == [67.0, 100.0]
        expected = {
            "3.2": {"СОШ с. Яблоновый Гай": (13, 9), "ООШ с. Клевенка": (17, 10)},
            "3.3": {
                "СОШ с. Яблоновый Гай": (13, 9),
                "ООШ с. Клевенка": (17, 10),
                "ООШ с. Канаевка": (16, 11),
            },
        }
        expected["3.4"] = expected["3.3"]
        for code, schools in expected.items():
            row = rows[code]
            assert row.indicator.direction == "lower"
            got = {
                row.school_name(s): (row.actual(2021, s).value, row.actual(2022, s).value)
                for s in row.school_ids()
            }
            assert got == schools, code
            assert row.actual(2022).kind == "none"  # the table gives no district figure
            assert {v.note for v in row.values} == set(PERIOD_NOTES.values())
            assert {v.source for v in row.values} == {"seed"}
    finally:
        db.close()


def test_period_notes_keep_the_documents_wording() -> None:
    first = next(s for s in INDICATORS if s.code == "3.1")
    assert [note_of(v) for v in first.values] == ["На январь 2022 г.", "На январь 2023 г."]
