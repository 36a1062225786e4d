"""Import of school workbooks: round trip, idempotence, newer file, rollback, tolerance, cancel.

Every test works on a private copy of the demo database and on workbooks the
test builds itself: the program's own template filled with openpyxl the way
a school would, or a workbook made from scratch the way another program
would write it.
"""

from __future__ import annotations

import csv
import io
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
import zipfile
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from openpyxl.utils import get_column_letter

from shnor_desktop.models.database import Database
from shnor_desktop.models.errors import Cancelled
from shnor_desktop.models.fields import InvalidValueError
from shnor_desktop.models.jobs import JobState
from shnor_desktop.models.results import ResultKey
from shnor_desktop.services.exchange import layout
from shnor_desktop.services.exchange.errors import (
    BatchNotAppliedError,
    FileProblemsError,
    MismatchNotConfirmedError,
    RollbackConflictError,
)
from shnor_desktop.services.exchange.importer import (
    FilePlan,
    FileStatus,
    ImportPlan,
    ResultStatus,
    commit_import,
    import_history,
    plan_import,
    rollback_batch,
    write_problems_xlsx,
)
from shnor_desktop.services.exchange.templates import write_template
from shnor_desktop.services.messages import describe_error

ROOT = Path(__file__).resolve().parents[2]
YEAR = 2023
SCHOOL = 1  # «01 СОШ с. Бартеневка» of the demo district


# --------------------------------------------------------------------------- helpers
def dump(path: Path) -> list[str]:
    """Every row of every table of the file (the change log and import batches included)."""
    with closing(sqlite3.connect(path)) as conn:
        return list(conn.iterdump())


@pytest.fixture
def db(demo_path: Path) -> Iterator[Database]:
    with closing(Database.open(demo_path)) as database:
        yield database


def make_template(db: Database, folder: Path, school_id: int = SCHOOL, year: int = YEAR) -> Path:
    return write_template(db, school_id, year, folder)


def header_columns(ws: Any, row: int) -> dict[str, int]:
    """Header text → 1-based column of a template sheet's header row."""
    return {str(c.value): c.column for c in ws[row] if c.value is not None}


def passport_row(ws: Any, field: str) -> int:
    for row in ws.iter_rows(min_row=7):
        if row[5].value == field:
            return int(row[0].row)
    raise KeyError(field)


def result_row(ws: Any, key: str) -> int:
    columns = header_columns(ws, 4)
    for row in ws.iter_rows(min_row=5):
        if row[columns[layout.KEY_HEADER] - 1].value == key:
            return int(row[0].row)
    raise KeyError(key)


def result_column(ws: Any, field: str) -> int:
    header = next(c.header for c in layout.RESULT_COLUMNS if c.key == field)
    return header_columns(ws, 4)[header]


def fill(
    template: Path,
    out: Path,
    *,
    passport: dict[str, Any] | None = None,
    results: dict[str, dict[str, Any]] | None = None,
    new_results: list[tuple[str, str, int, dict[str, Any]]] = (),  # type: ignore[assignment]
    roadmap: dict[int, dict[str, Any]] | None = None,
) -> Path:
    """Type values into a template's input cells, as a school would, and save it as ``out``."""
    book = openpyxl.load_workbook(template)
    ws = book[layout.SHEET_PASSPORT]
    for field, value in (passport or {}).items():
        ws.cell(row=passport_row(ws, field), column=3, value=value)
    ws = book[layout.SHEET_RESULTS]
    for key, values in (results or {}).items():
        row = result_row(ws, key)
        for field, value in values.items():
            ws.cell(row=row, column=result_column(ws, field), value=value)
    if new_results:
        row = ws.max_row - layout.BLANK_RESULT_ROWS + 1
        for procedure, subject, grade, values in new_results:
            ws.cell(row=row, column=1, value=procedure)
            ws.cell(row=row, column=2, value=subject)
            ws.cell(row=row, column=3, value=grade)
            for field, value in values.items():
                ws.cell(row=row, column=result_column(ws, field), value=value)
            row += 1
    ws = book[layout.SHEET_ROADMAP]
    columns = header_columns(ws, 3)
    for activity_id, values in (roadmap or {}).items():
        row = next(
            r[0].row
            for r in ws.iter_rows(min_row=4)
            if r[columns[layout.KEY_HEADER] - 1].value == activity_id
        )
        for header, value in values.items():
            ws.cell(row=row, column=columns[header], value=value)
    out.parent.mkdir(parents=True, exist_ok=True)
    book.save(out)
    return out


def plan_one(db: Database, path: Path, **kwargs: Any) -> tuple[ImportPlan, FilePlan]:
    plan = plan_import(db, [path], JobState(), **kwargs)
    assert len(plan.files) == 1
    return plan, plan.files[0]


def commit_all(db: Database, plan: ImportPlan, **kwargs: Any) -> list[Any]:
    return commit_import(db, plan, plan.files, JobState(), **kwargs)


def profile(db: Database, field: str, school_id: int = SCHOOL) -> Any:
    row = (
        db.reader()
        .execute(
            f"SELECT {field} FROM school_profile WHERE school_id = ? AND year = ?",
            (school_id, YEAR),
        )
        .fetchone()
    )
    return None if row is None else row[0]


def result(db: Database, procedure: str, subject: str, grade: int) -> dict[str, Any] | None:
    row = db.results.row(ResultKey(SCHOOL, YEAR, procedure, subject, grade))
    return None if row is None or row.id is None else row.values()


def report(db: Database, activity_id: int) -> tuple[Any, ...] | None:
    row = (
        db.reader()
        .execute(
            "SELECT status, progress, evidence FROM activity_report"
            " WHERE activity_id = ? AND school_id = ? AND year = ?",
            (activity_id, SCHOOL, YEAR),
        )
        .fetchone()
    )
    return None if row is None else tuple(row)


def first_activity(db: Database) -> int:
    template = (
        db.reader()
        .execute(
            "SELECT a.id FROM roadmap_activity a JOIN roadmap_concern c ON c.activity_id = a.id"
            " JOIN school_profile p ON p.school_id = ? AND p.year = ?"
            " AND p.group_code = c.group_code"
            " ORDER BY a.id LIMIT 1",
            (SCHOOL, YEAR),
        )
        .fetchone()
    )
    return int(template[0])


PASSPORT_VALUES: dict[str, Any] = {
    "pupils_total": 90,
    "pupils_1_4": 36,
    "pupils_5_9": 46,
    "pupils_10_11": 8,
    "pupils_bused": 12,
    "pct_ovz": "2,5",
    "teachers": 14,
    "vacancies": 1,
    "pct_teachers_65plus": "22 %",
    "pct_teachers_two_rates": 30.5,
    "pct_incomplete_families": "26,81",
    "pct_low_income": 41,
    "pct_other_language": 0,
    "sek_index": "55,5",
    "internet_mbps": "1 234",
    "needs_capital_repair": "да",
    "infrastructure_note": "Нет спортзала",
    "tochka_rosta": "нет",
    "tsos": "да",
    "project_500": "Да",
}
PASSPORT_STORED: dict[str, Any] = {
    **PASSPORT_VALUES,
    "pct_ovz": 2.5,
    "pct_teachers_65plus": 22.0,
    "pct_incomplete_families": 26.81,
    "sek_index": 55.5,
    "internet_mbps": 1234.0,
    "needs_capital_repair": 1,
    "tochka_rosta": 0,
    "tsos": 1,
    "project_500": 1,
}


# --------------------------------------------------------------------------- round trip
def test_round_trip_puts_exactly_the_filled_values_in_the_database(
    db: Database, tmp_path: Path
) -> None:
    template = make_template(db, tmp_path / "out")
    activity = first_activity(db)
    untouched_before = result(db, "ВПР", "Русский язык", 4)
    filled = fill(
        template,
        tmp_path / "school" / "01.xlsx",
        passport=PASSPORT_VALUES,
        results={
            "ВПР|Математика|4": {
                "pupils_due": 11,
                "participants": 10,
                "n2": 1,
                "n3": "4",
                "n4": 3,
                "n5": 2,
                "vpr_lowered": 1,
                "vpr_confirmed": 8,
                "vpr_raised": 1,
            },
        },
        new_results=[
            ("ОГЭ", "Астрономия", 9, {"participants": 5, "n2": 0, "n3": 1, "n4": 2, "n5": 2}),
            ("ЕГЭ", "Информатика", 11, {"participants": 2, "mean_score": "71,5"}),
        ],
        roadmap={
            activity: {
                "Состояние": "выполнено частично",
                "Выполнено, %": 60,
                "Подтверждение (документ, № протокола)": "Протокол № 3 от 12.05.2024",
            }
        },
    )
    plan, file_plan = plan_one(db, filled)
    assert file_plan.status is FileStatus.UPDATE, file_plan.problems
    assert file_plan.school_id == SCHOOL and file_plan.year == YEAR
    assert file_plan.template_version == layout.TEMPLATE_VERSION
    assert file_plan.problems == [] and file_plan.error is None

    results = commit_all(db, plan)

    assert [r.status for r in results] == [ResultStatus.APPLIED]
    info = results[0].change_set
    assert info is not None and info.kind == "import"
    for field, value in PASSPORT_STORED.items():
        assert profile(db, field) == value, field
    assert result(db, "ВПР", "Математика", 4) == {
        "pupils_due": 11,
        "participants": 10,
        "n2": 1,
        "n3": 4,
        "n4": 3,
        "n5": 2,
        "mean_score": None,
        "below_minimum": None,
        "vpr_lowered": 1,
        "vpr_confirmed": 8,
        "vpr_raised": 1,
    }
    assert result(db, "ОГЭ", "Астрономия", 9) == {
        "pupils_due": None,
        "participants": 5,
        "n2": 0,
        "n3": 1,
        "n4": 2,
        "n5": 2,
        "mean_score": None,
        "below_minimum": None,
        "vpr_lowered": None,
        "vpr_confirmed": None,
        "vpr_raised": None,
    }
    informatics = result(db, "ЕГЭ", "Информатика", 11)
    assert informatics is not None and informatics["mean_score"] == 71.5
    assert result(db, "ВПР", "Русский язык", 4) == untouched_before
    assert report(db, activity) == ("partly", 60.0, "Протокол № 3 от 12.05.2024")
    # One batch, one change set of kind «import», reachable by undo like any action.
    history = import_history(db)
    assert [(b.file_name, b.status, b.school_code, b.year) for b in history] == [
        ("01.xlsx", "applied", "01", YEAR)
    ]
    assert history[0].sha256 == file_plan.sha256
    assert history[0].change_set_id == info.id
    assert db.undo.next_undo() == db.log.get_set(info.id)


def test_preview_lists_old_and_new_values_and_writes_nothing(db: Database, tmp_path: Path) -> None:
    template = make_template(db, tmp_path / "out")
    before_total = profile(db, "pupils_total")
    filled = fill(template, tmp_path / "f.xlsx", passport={"pupils_total": before_total + 5})
    before = dump(db.path)

    _plan, file_plan = plan_one(db, filled)

    assert dump(db.path) == before
    changed = [c for c in file_plan.changes if c.kind != "unchanged"]
    assert [(c.table, c.row_label, c.field_label, c.old, c.new, c.kind) for c in changed] == [
        (
            "school_profile",
            "Паспорт 2023/24",
            "Всего обучающихся",
            before_total,
            before_total + 5,
            "changed",
        )
    ]
    assert changed[0].sheet == "Паспорт" and changed[0].cell == "C7"
    counts = file_plan.counts()
    assert counts["changed"] == 1 and counts["new"] == 0 and counts["unchanged"] > 100
    assert len(file_plan.changes) == sum(counts.values())
    assert file_plan.changes[-1] == list(file_plan.changes)[-1]


# --------------------------------------------------------------------------- idempotence
def test_the_same_file_again_changes_nothing_and_says_so(db: Database, tmp_path: Path) -> None:
    filled = fill(
        make_template(db, tmp_path / "out"), tmp_path / "f.xlsx", passport={"teachers": 3}
    )
    plan, _ = plan_one(db, filled)
    commit_all(db, plan)
    before = dump(db.path)

    plan, file_plan = plan_one(db, filled)

    assert file_plan.status is FileStatus.SAME
    assert any("без изменений" in note for note in file_plan.notes)
    results = commit_all(db, plan)
    assert results[0].status is ResultStatus.UNCHANGED
    assert results[0].batch_id == import_history(db)[0].id
    assert dump(db.path) == before
    assert len(import_history(db)) == 1


def test_a_copy_of_the_same_file_in_one_import_is_taken_once(db: Database, tmp_path: Path) -> None:
    filled = fill(
        make_template(db, tmp_path / "out"), tmp_path / "a" / "f.xlsx", passport={"teachers": 3}
    )
    copy = tmp_path / "b" / "f copy.xlsx"
    copy.parent.mkdir()
    copy.write_bytes(filled.read_bytes())

    plan = plan_import(db, [tmp_path / "a", tmp_path / "b"], JobState())

    assert [f.status for f in plan.files] == [FileStatus.UPDATE, FileStatus.SAME]
    results = commit_import(db, plan, plan.files, JobState())
    assert [r.status for r in results] == [ResultStatus.APPLIED, ResultStatus.UNCHANGED]
    assert len(import_history(db)) == 1


def test_a_file_whose_values_are_all_known_is_same(db: Database, tmp_path: Path) -> None:
    template = make_template(db, tmp_path / "out")  # pre-filled with what the database knows
    before = dump(db.path)

    plan, file_plan = plan_one(db, template)

    assert file_plan.status is FileStatus.SAME
    assert file_plan.counts()["new"] == 0 and file_plan.counts()["changed"] == 0
    assert commit_all(db, plan)[0].status is ResultStatus.UNCHANGED
    assert dump(db.path) == before


# --------------------------------------------------------------------------- a newer file
def test_a_newer_file_for_the_same_school_and_year_updates_with_history(
    db: Database, tmp_path: Path
) -> None:
    template = make_template(db, tmp_path / "out")
    first = fill(template, tmp_path / "v1" / "01.xlsx", passport={"teachers": 15})
    plan, _ = plan_one(db, first)
    commit_all(db, plan)
    second = fill(template, tmp_path / "v2" / "01.xlsx", passport={"teachers": 17})

    plan, file_plan = plan_one(db, second)

    assert file_plan.status is FileStatus.UPDATE
    assert file_plan.previous_batch_id == import_history(db)[0].id
    change = next(c for c in file_plan.changes if c.field == "teachers")
    assert (change.old, change.new, change.kind) == (15, 17, "changed")
    commit_all(db, plan)
    assert profile(db, "teachers") == 17
    history = db.schools.profile_history(SCHOOL, YEAR, "teachers")
    assert [(h.kind, h.old, h.new) for h in history][-2:] == [
        ("import", history[-2].old, 15),
        ("import", 15, 17),
    ]
    assert [b.status for b in import_history(db)] == ["applied", "applied"]


# --------------------------------------------------------------------------- rollback
def test_rollback_reverts_the_batch_and_keeps_its_record(db: Database, tmp_path: Path) -> None:
    before_values = dump(db.path)
    template = make_template(db, tmp_path / "out")
    activity = first_activity(db)
    filled = fill(
        template,
        tmp_path / "f.xlsx",
        passport={"teachers": 3},
        new_results=[("ОГЭ", "Астрономия", 9, {"participants": 5})],
        roadmap={activity: {"Состояние": "выполнено"}},
    )
    plan, _ = plan_one(db, filled)
    batch = commit_all(db, plan)[0].batch_id
    assert batch is not None

    info = rollback_batch(db, batch)

    assert info.kind == "revert"
    assert "Откат загрузки" in info.label
    assert profile(db, "teachers") != 3
    assert result(db, "ОГЭ", "Астрономия", 9) is None
    assert report(db, activity) is None
    assert [b.status for b in import_history(db)] == ["rolled_back"]
    data_tables = [line for line in dump(db.path) if "INSERT INTO" in line]
    assert [
        line
        for line in data_tables
        if not line.startswith(
            ('INSERT INTO "change', 'INSERT INTO "import_batch', 'INSERT INTO "sqlite_sequence')
        )
    ] == [
        line
        for line in before_values
        if "INSERT INTO" in line
        and not line.startswith(
            ('INSERT INTO "change', 'INSERT INTO "import_batch', 'INSERT INTO "sqlite_sequence')
        )
    ]
    with pytest.raises(BatchNotAppliedError) as caught:
        rollback_batch(db, batch)
    assert describe_error(caught.value) == f"Загрузка № {batch} уже откачена."
    # Once rolled back, the same file may be imported again.
    plan, file_plan = plan_one(db, filled)
    assert file_plan.status is FileStatus.UPDATE


def test_rollback_refuses_when_later_edits_changed_the_same_values(
    db: Database, tmp_path: Path
) -> None:
    filled = fill(
        make_template(db, tmp_path / "out"),
        tmp_path / "f.xlsx",
        results={"ВПР|Математика|4": {"participants": 9, "n2": 3}},
    )
    plan, _ = plan_one(db, filled)
    batch = commit_all(db, plan)[0].batch_id
    assert batch is not None
    edit = db.results.save(
        ResultKey(SCHOOL, YEAR, "ВПР", "Математика", 4), {"n2": 4}, "Правка отметок «2»"
    )
    assert edit is not None
    before = dump(db.path)

    with pytest.raises(RollbackConflictError) as caught:
        rollback_batch(db, batch)

    assert dump(db.path) == before
    error = caught.value
    assert [(e.set_id, e.label, e.table, e.column) for e in error.edits] == [
        (edit.id, "Правка отметок «2»", "assessment", "n2")
    ]
    message = describe_error(error)
    assert "Загрузку файла «f.xlsx» нельзя откатить" in message
    assert f"изменение № {edit.id}" in message and "«Правка отметок «2»»" in message
    assert [b.status for b in import_history(db)] == ["applied"]
    # Once the later edit is undone, the batch rolls back.
    db.undo.undo()
    rollback_batch(db, batch)
    assert [b.status for b in import_history(db)] == ["rolled_back"]


def test_undo_of_an_import_shows_the_batch_rolled_back(db: Database, tmp_path: Path) -> None:
    filled = fill(
        make_template(db, tmp_path / "out"), tmp_path / "f.xlsx", passport={"teachers": 3}
    )
    plan, _ = plan_one(db, filled)
    commit_all(db, plan)

    db.undo.undo()

    assert [b.status for b in import_history(db)] == ["rolled_back"]
    db.undo.redo()
    assert [b.status for b in import_history(db)] == ["applied"]


# --------------------------------------------------------------------------- the rules of the GUI
def test_a_value_the_screens_refuse_is_refused_with_its_sheet_and_cell(
    db: Database, tmp_path: Path
) -> None:
    with pytest.raises(InvalidValueError):  # the passport screen's own path
        db.schools.set_profile_value(SCHOOL, YEAR, "pct_ovz", 120, "Доля ОВЗ")
    template = make_template(db, tmp_path / "out")
    filled = fill(
        template,
        tmp_path / "bad.xlsx",
        passport={"pct_ovz": 120, "teachers": "двенадцать"},
        results={"ВПР|Математика|4": {"n2": -1, "participants": "8,5"}},
        roadmap={first_activity(db): {"Состояние": "почти готово"}},
    )
    before = dump(db.path)

    plan, file_plan = plan_one(db, filled)

    assert file_plan.status is FileStatus.REJECTED
    found = {(p.sheet, p.cell, p.value, p.expected) for p in file_plan.problems}
    book = openpyxl.load_workbook(filled)
    sheet = book[layout.SHEET_RESULTS]
    row = result_row(sheet, "ВПР|Математика|4")
    n2 = f"{get_column_letter(result_column(sheet, 'n2'))}{row}"
    participants = f"{get_column_letter(result_column(sheet, 'participants'))}{row}"
    passport = book[layout.SHEET_PASSPORT]
    assert (
        "Паспорт",
        f"C{passport_row(passport, 'pct_ovz')}",
        120,
        "доля должна быть от 0 до 100 %",
    ) in found
    assert (
        "Паспорт",
        f"C{passport_row(passport, 'teachers')}",
        "двенадцать",
        "нужно целое число, например 26",
    ) in found
    assert ("Результаты", n2, -1, "значение не может быть отрицательным") in found
    assert ("Результаты", participants, "8,5", "нужно целое число, например 26") in found
    assert any(p[0] == "Дорожная карта" and "выполнено частично" in p[3] for p in found)
    assert isinstance(file_plan.error, FileProblemsError)
    message = describe_error(file_plan.error)
    assert "Файл «bad.xlsx» не загружен" in message
    cell = f"C{passport_row(passport, 'pct_ovz')}"
    assert f"лист «Паспорт», ячейка {cell}: «120» — доля должна быть от 0 до 100 %" in message
    results = commit_all(db, plan)
    assert results[0].status is ResultStatus.REJECTED
    assert dump(db.path) == before


def test_a_share_typed_as_percent_in_excel_is_read_as_percent(db: Database, tmp_path: Path) -> None:
    """Excel stores «22,5 %» typed in a cell as 0.225 with a percent format."""
    activity = first_activity(db)
    filled = fill(make_template(db, tmp_path / "out"), tmp_path / "f.xlsx")
    book = openpyxl.load_workbook(filled)
    passport = book[layout.SHEET_PASSPORT]
    typed = passport.cell(row=passport_row(passport, "pct_ovz"), column=3, value=0.225)
    typed.number_format = "0.0%"
    plain = passport.cell(row=passport_row(passport, "sek_index"), column=3, value=0.5)
    plain.number_format = "0.0"
    roadmap = book[layout.SHEET_ROADMAP]
    columns = header_columns(roadmap, 3)
    row = next(
        r[0].row
        for r in roadmap.iter_rows(min_row=4)
        if r[columns[layout.KEY_HEADER] - 1].value == activity
    )
    roadmap.cell(row=row, column=columns["Состояние"], value="выполняется")
    progress = roadmap.cell(row=row, column=columns["Выполнено, %"], value=0.6)
    progress.number_format = "0%"
    book.save(filled)

    plan, file_plan = plan_one(db, filled)
    assert file_plan.status is FileStatus.UPDATE, file_plan.problems
    commit_all(db, plan)

    assert profile(db, "pct_ovz") == 22.5
    assert profile(db, "sek_index") == 0.5  # no percent format: the value as typed
    assert report(db, activity) == ("in_progress", 60.0, "")


def test_a_new_result_row_without_participants_is_refused(db: Database, tmp_path: Path) -> None:
    filled = fill(
        make_template(db, tmp_path / "out"),
        tmp_path / "f.xlsx",
        new_results=[("ОГЭ", "Астрономия", 9, {"n5": 2})],
    )
    _plan, file_plan = plan_one(db, filled)
    assert file_plan.status is FileStatus.REJECTED
    assert [p.expected for p in file_plan.problems] == [
        "сначала введите число участников: с него начинается строка результатов"
    ]


def test_a_new_report_without_status_is_refused(db: Database, tmp_path: Path) -> None:
    filled = fill(
        make_template(db, tmp_path / "out"),
        tmp_path / "f.xlsx",
        roadmap={first_activity(db): {"Выполнено, %": 50}},
    )
    _plan, file_plan = plan_one(db, filled)
    assert file_plan.status is FileStatus.REJECTED
    assert [(p.sheet, p.value) for p in file_plan.problems] == [("Дорожная карта", 50.0)]
    assert file_plan.problems[0].expected.startswith("сначала выберите состояние мероприятия")


def test_warnings_are_shown_but_do_not_refuse(db: Database, tmp_path: Path) -> None:
    filled = fill(
        make_template(db, tmp_path / "out"),
        tmp_path / "f.xlsx",
        results={"ВПР|Математика|4": {"participants": 10, "n2": 1, "n3": 1, "n4": 1, "n5": 1}},
    )
    _plan, file_plan = plan_one(db, filled)
    assert file_plan.status is FileStatus.UPDATE
    assert [w.expected for w in file_plan.warnings] == [
        "сумма отметок «2»–«5» (4) не равна числу участников (10)"
    ]


def test_problems_report_is_exported_to_xlsx_without_running_formulas(
    db: Database, tmp_path: Path
) -> None:
    filled = fill(
        make_template(db, tmp_path / "out"), tmp_path / "bad.xlsx", passport={"pct_ovz": 120}
    )
    book = openpyxl.load_workbook(filled)
    sheet = book[layout.SHEET_PASSPORT]
    cell = sheet.cell(row=passport_row(sheet, "teachers"), column=3)
    cell.value = '=HYPERLINK("http://example.ru","x")'
    cell.data_type = "s"  # typed as text by the school: a string that looks like a formula
    book.save(filled)
    plan, _ = plan_one(db, filled)
    (tmp_path / "junk.xlsx").write_bytes(b"%PDF-1.4 not a workbook")
    plan.files.extend(plan_import(db, [tmp_path / "junk.xlsx"], JobState()).files)

    out = write_problems_xlsx(plan, tmp_path / "report.xlsx")

    ws = openpyxl.load_workbook(out)["Замечания"]
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    assert rows[0] == ["Файл", "Лист", "Ячейка", "Значение", "Что ожидалось", "Вид"]
    formula = next(r for r in rows if r[3] and str(r[3]).startswith("="))
    assert ws.cell(row=rows.index(formula) + 1, column=4).data_type == "s"
    assert formula[:2] == ["bad.xlsx", "Паспорт"]
    junk = next(r for r in rows if r[0] == "junk.xlsx")
    assert junk[5] == "файл не принят" and "PDF" in junk[4]


# --------------------------------------------------------------------------- wrong school or year
def _set_visible_code(path: Path, code: str) -> Path:
    book = openpyxl.load_workbook(path)
    book[layout.SHEET_PASSPORT]["B3"] = code
    book.save(path)
    return path


def test_a_workbook_of_another_school_needs_confirmation(db: Database, tmp_path: Path) -> None:
    filled = fill(
        make_template(db, tmp_path / "out"), tmp_path / "f.xlsx", passport={"teachers": 3}
    )
    _set_visible_code(filled, "02")
    before = dump(db.path)

    plan, file_plan = plan_one(db, filled)

    assert file_plan.status is FileStatus.MISMATCH
    assert any("«01»" in n and "«02»" in n for n in file_plan.notes)
    skipped = commit_all(db, plan)
    assert skipped[0].status is ResultStatus.SKIPPED
    assert isinstance(skipped[0].error, MismatchNotConfirmedError)
    assert "без подтверждения" in describe_error(skipped[0].error)
    assert dump(db.path) == before

    confirmed = commit_all(db, plan, confirm_mismatch=True)
    assert confirmed[0].status is ResultStatus.APPLIED
    assert profile(db, "teachers") == 3


def test_a_workbook_for_another_expected_school_or_year_is_mismatch(
    db: Database, tmp_path: Path
) -> None:
    filled = fill(
        make_template(db, tmp_path / "out"), tmp_path / "f.xlsx", passport={"teachers": 3}
    )
    assert plan_one(db, filled, school_id=2)[1].status is FileStatus.MISMATCH
    _plan, file_plan = plan_one(db, filled, year=YEAR + 1)
    assert file_plan.status is FileStatus.MISMATCH
    assert any("2023/24" in n and "2024/25" in n for n in file_plan.notes)


def test_an_edited_signature_needs_confirmation(db: Database, tmp_path: Path) -> None:
    filled = fill(
        make_template(db, tmp_path / "out"), tmp_path / "f.xlsx", passport={"teachers": 3}
    )
    book = openpyxl.load_workbook(filled)
    book[layout.SHEET_SIGNATURE]["B2"] = "02"  # someone re-labelled the hidden signature
    book[layout.SHEET_PASSPORT]["B3"] = "02"
    book.save(filled)

    _plan, file_plan = plan_one(db, filled)

    assert file_plan.status is FileStatus.MISMATCH
    assert file_plan.school_code == "02"
    assert any("подпись" in n for n in file_plan.notes)


# --------------------------------------------------------------------------- tolerance
def _foreign_workbook(path: Path, *, code: str = "01", year: str = "2023/24") -> Path:
    """A workbook another program wrote: no signature, a hidden passport, a two-row merged
    header, columns re-ordered, extra columns, blank rows, numbers typed as text."""
    book = openpyxl.Workbook()
    info = book.active
    assert info is not None
    info.title = "Титул"
    info["A1"] = "Сведения школы"
    passport = book.create_sheet("Паспорт школы")
    passport.sheet_state = "hidden"
    passport.append(["Код школы", code])
    passport.append(["Учебный год", year])
    passport.append([])
    passport.append(["Примечание", "Наименование показателя", "Ед. изм.", "Значение показателя"])
    passport.append(["", "Всего обучающихся", "чел.", "1 234"])
    passport.append([])
    passport.append(["", "Доля обучающихся с ОВЗ", "%", "12,5 %"])
    passport.append(["", "Что-то своё", "", "не наше"])
    results = book.create_sheet("Результаты ВПР ОГЭ ЕГЭ")
    results.append(["Результаты школы"])
    results.append(
        [
            "Класс",
            "Учебный предмет",
            "Процедура",
            "Участвовали",
            "Получили отметки",
            None,
            None,
            None,
            "Комментарий",
        ]
    )
    results.append([None, None, None, None, "«2»", "«3»", "«4»", "«5»", None])
    for column in "ABCDI":
        results.merge_cells(f"{column}2:{column}3")
    results.merge_cells("E2:H2")
    results.append([4, "Математика", "ВПР", "9", 1, 3, 3, 2, "всё хорошо"])
    results.append([])
    results.append([None, None, None, None, None, None, None, None, None])
    results.append([9, "Физика", "огэ", "3", "0", "1", "1", "1", ""])
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return path


def test_tolerant_reading_of_a_workbook_from_another_program(db: Database, tmp_path: Path) -> None:
    path = _foreign_workbook(tmp_path / "школа 01.xlsx")

    plan, file_plan = plan_one(db, path)

    assert file_plan.status is FileStatus.UPDATE, (file_plan.problems, file_plan.error)
    assert file_plan.template_version == ""
    commit_all(db, plan)
    assert profile(db, "pupils_total") == 1234
    assert profile(db, "pct_ovz") == 12.5
    math = result(db, "ВПР", "Математика", 4)
    assert math is not None
    assert (math["participants"], math["n2"], math["n3"], math["n4"], math["n5"]) == (9, 1, 3, 3, 2)
    physics = result(db, "ОГЭ", "Физика", 9)
    assert physics is not None and (physics["participants"], physics["n5"]) == (3, 1)


def test_an_older_template_version_is_read(db: Database, tmp_path: Path) -> None:
    """Version 1: no hidden key columns, no progress column on the roadmap."""
    activity = first_activity(db)
    filled = fill(
        make_template(db, tmp_path / "out"),
        tmp_path / "v1.xlsx",
        passport={"teachers": 21},
        results={"ВПР|Математика|4": {"n5": 2}},
        roadmap={activity: {"Состояние": "выполнено"}},
    )
    book = openpyxl.load_workbook(filled)
    for title, header_row in (
        (layout.SHEET_PASSPORT, 6),
        (layout.SHEET_RESULTS, 4),
        (layout.SHEET_ROADMAP, 3),
    ):
        ws = book[title]
        ws.delete_cols(header_columns(ws, header_row)[layout.KEY_HEADER])
    roadmap = book[layout.SHEET_ROADMAP]
    roadmap.delete_cols(header_columns(roadmap, 3)["Выполнено, %"])
    book[layout.SHEET_SIGNATURE]["B1"] = "1"
    book.save(filled)

    plan, file_plan = plan_one(db, filled)

    assert file_plan.template_version == "1"
    assert file_plan.status is FileStatus.UPDATE, (file_plan.problems, file_plan.notes)
    commit_all(db, plan)
    assert profile(db, "teachers") == 21
    math = result(db, "ВПР", "Математика", 4)
    assert math is not None and math["n5"] == 2
    assert report(db, activity) == ("done", None, "")


def test_a_newer_template_version_is_refused(db: Database, tmp_path: Path) -> None:
    filled = fill(
        make_template(db, tmp_path / "out"), tmp_path / "v9.xlsx", passport={"teachers": 3}
    )
    book = openpyxl.load_workbook(filled)
    book[layout.SHEET_SIGNATURE]["B1"] = "9"
    book.save(filled)
    _plan, file_plan = plan_one(db, filled)
    assert file_plan.status is FileStatus.REJECTED
    assert "более новой версией программы" in describe_error(file_plan.error)  # type: ignore[arg-type]


def _csv_text(delimiter: str = ";") -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(
        [
            "Код школы",
            "Учебный год",
            "Процедура",
            "Предмет",
            "Класс",
            "Участвовали",
            "«2»",
            "«3»",
            "«4»",
            "«5»",
            "Средний балл",
        ]
    )
    writer.writerow(["01", "2023/24", "ЕГЭ", "Информатика", "11", "4", "0", "1", "2", "1", "68,5"])
    writer.writerow([])
    writer.writerow(["01", "2023/24", "ОГЭ", "Астрономия", "9", "1 001", "1", "0", "0", "1000", ""])
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("encoding", "delimiter"),
    [("utf-8", ";"), ("utf-8-sig", ","), ("cp1251", ";"), ("cp1251", "\t")],
)
def test_csv_in_utf8_or_cp1251(db: Database, tmp_path: Path, encoding: str, delimiter: str) -> None:
    path = tmp_path / "results.csv"
    path.write_bytes(_csv_text(delimiter).encode(encoding))

    plan, file_plan = plan_one(db, path)

    assert file_plan.status is FileStatus.NEW, (file_plan.problems, file_plan.error)
    assert file_plan.school_code == "01" and file_plan.year == YEAR
    commit_all(db, plan)
    informatics = result(db, "ЕГЭ", "Информатика", 11)
    assert informatics is not None and informatics["mean_score"] == 68.5
    astronomy = result(db, "ОГЭ", "Астрономия", 9)
    assert astronomy is not None and astronomy["participants"] == 1001


def test_csv_of_two_schools_is_refused(db: Database, tmp_path: Path) -> None:
    path = tmp_path / "results.csv"
    path.write_text(_csv_text().replace("01;2023/24;ОГЭ", "02;2023/24;ОГЭ"), encoding="utf-8")
    _plan, file_plan = plan_one(db, path)
    assert file_plan.status is FileStatus.REJECTED
    assert [p.expected for p in file_plan.problems] == [
        "в одном файле — одна школа и один учебный год"
    ]


def test_a_folder_is_walked_for_workbooks(db: Database, tmp_path: Path) -> None:
    stick = tmp_path / "USB"
    fill(make_template(db, tmp_path / "out"), stick / "школа" / "01.xlsx", passport={"teachers": 3})
    (stick / "~$01.xlsx").write_bytes(b"lock")
    (stick / "photo.jpg").write_bytes(b"\xff\xd8\xff")
    (stick / "notes.xls").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100)

    plan = plan_import(db, [stick], JobState())

    assert [(f.path.name, f.status) for f in plan.files] == [
        ("notes.xls", FileStatus.REJECTED),
        ("01.xlsx", FileStatus.UPDATE),
    ]


# --------------------------------------------------------------------------- cancel and kill
def big_results_workbook(path: Path, rows: int, code: str = "01") -> Path:
    """A results table of ``rows`` rows (subjects made up) for one school and year."""
    book = openpyxl.Workbook(write_only=True)
    passport = book.create_sheet(layout.SHEET_PASSPORT)
    passport.append(["Код школы", code])
    passport.append(["Учебный год", "2023/24"])
    sheet = book.create_sheet(layout.SHEET_RESULTS)
    sheet.append(
        [
            "Процедура",
            "Предмет",
            "Класс",
            "Должны были участвовать",
            "Участвовали",
            "«2»",
            "«3»",
            "«4»",
            "«5»",
        ]
    )
    for index in range(rows):
        sheet.append(["ВПР", f"Предмет {index // 11:05d}", index % 11 + 1, 25, 24, 2, 8, 9, 5])
    book.save(path)
    return path


def test_a_programs_table_is_read_whole_or_every_problem_named(
    db: Database, tmp_path: Path
) -> None:
    """A clean table is read column by column; one bad cell deep inside is still named."""
    path = big_results_workbook(tmp_path / "big.xlsx", 3000)
    book = openpyxl.load_workbook(path)
    sheet = book[layout.SHEET_RESULTS]
    sheet["D7"] = None  # a blank «должны были участвовать»: fine
    book.save(path)

    plan, file_plan = plan_one(db, path)

    assert file_plan.status is FileStatus.NEW
    assert file_plan.counts()["new"] == 3000 * 6 - 1
    first = next(c for c in file_plan.changes if c.cell == "E2")
    assert (first.row_label, first.field_label, first.new) == (
        "ВПР · Предмет 00000 · 1 класс",
        "Участвовали",
        24,
    )
    commit_all(db, plan)
    row = result(db, "ВПР", "Предмет 00000", 6)  # sheet row 7
    assert row is not None and row["pupils_due"] is None and row["n5"] == 5

    sheet["H2999"] = -4
    sheet["C3001"] = 12
    book.save(path)
    _plan, file_plan = plan_one(db, path)
    assert file_plan.status is FileStatus.REJECTED
    assert [(p.cell, p.value) for p in file_plan.problems] == [("H2999", -4), ("C3001", 12)]


def test_infinity_and_nan_in_a_programs_table_are_named(db: Database, tmp_path: Path) -> None:
    """calamine reads «inf» and «NaN» as floats: a table read column by column refuses them."""
    path = big_results_workbook(tmp_path / "big.xlsx", 120)
    book = openpyxl.load_workbook(path)
    sheet = book[layout.SHEET_RESULTS]
    sheet["J1"] = "Средний балл"
    for row in range(2, 122):
        sheet.cell(row=row, column=10, value=3.5)
    book.save(path)
    with zipfile.ZipFile(path) as archive:
        parts = {i.filename: archive.read(i.filename) for i in archive.infolist()}
    name = next(n for n in parts if n.startswith("xl/worksheets/") and b"J121" in parts[n])
    body = parts[name]
    for cell, text in ((b"J7", b"inf"), (b"F9", b"NaN")):
        start = body.index(b'<c r="' + cell + b'"')
        value = body.index(b"<v>", start)
        body = body[: value + 3] + text + body[body.index(b"</v>", value) :]
    parts[name] = body
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for part_name, data in parts.items():
            archive.writestr(part_name, data)

    _plan, file_plan = plan_one(db, path)

    assert file_plan.status is FileStatus.REJECTED
    assert [p.cell for p in file_plan.problems] == ["J7", "F9"]
    assert all("числ" in p.expected for p in file_plan.problems)


def test_a_newer_programs_table_changes_only_what_differs(db: Database, tmp_path: Path) -> None:
    """A table read column by column, imported again with a few changes: the diff is exact."""
    path = big_results_workbook(tmp_path / "big.xlsx", 300)
    plan, file_plan = plan_one(db, path)
    assert file_plan.counts() == {"new": 1800, "changed": 0, "unchanged": 0}
    commit_all(db, plan)

    book = openpyxl.load_workbook(path)
    sheet = book[layout.SHEET_RESULTS]
    sheet["E2"] = 23  # participants of «Предмет 00000 · 1 класс»
    sheet["I300"] = None  # a blank: the stored value stays
    sheet.append(["ВПР", "Предмет 99999", 5, 25, 24, 2, 8, 9, 5])  # a new row
    newer = tmp_path / "big-2.xlsx"
    book.save(newer)
    plan, file_plan = plan_one(db, newer)

    assert file_plan.status is FileStatus.UPDATE
    assert file_plan.counts() == {"new": 6, "changed": 1, "unchanged": 1798}
    changes = file_plan.changes
    assert list(changes) == [changes[i] for i in range(len(changes))]
    changed = [c for c in changes if c.kind == "changed"]
    assert [(c.cell, c.old, c.new) for c in changed] == [("E2", 24, 23)]
    assert changes[-1].row_label == "ВПР · Предмет 99999 · 5 класс"
    commit_all(db, plan)
    first = result(db, "ВПР", "Предмет 00000", 1)
    assert first is not None and first["participants"] == 23
    kept = result(db, "ВПР", "Предмет 00027", 2)  # sheet row 300
    assert kept is not None and kept["n5"] == 5
    added = result(db, "ВПР", "Предмет 99999", 5)
    assert added is not None and (added["participants"], added["n2"]) == (24, 2)


def test_cancel_in_the_middle_of_a_commit_leaves_nothing(db: Database, tmp_path: Path) -> None:
    path = big_results_workbook(tmp_path / "big.xlsx", 12_000)
    plan, file_plan = plan_one(db, path)
    assert file_plan.status is FileStatus.NEW
    before = dump(db.path)
    state = JobState()
    seen: list[int] = []

    def listener(done: int, total: int, _status: str) -> None:
        seen.append(done)
        if 0 < done < total:  # inside the file's change set: some rows are already written
            state.cancel()

    state.listener = listener
    with pytest.raises(Cancelled):
        commit_import(db, plan, plan.files, state)

    assert any(0 < d < 12_000 for d in seen)
    assert dump(db.path) == before
    assert import_history(db) == []


def test_cancel_of_the_preview_raises_and_writes_nothing(db: Database, tmp_path: Path) -> None:
    path = big_results_workbook(tmp_path / "big.xlsx", 100)
    state = JobState()
    state.cancel()
    before = dump(db.path)
    with pytest.raises(Cancelled):
        plan_import(db, [path], state)
    assert dump(db.path) == before


_KILLED_CHILD = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from shnor_desktop.models.database import Database
    from shnor_desktop.models.jobs import JobState
    from shnor_desktop.services.exchange.importer import commit_import, plan_import

    db = Database.open(Path(sys.argv[1]))
    plan = plan_import(db, [Path(sys.argv[2])], JobState())
    marker = Path(sys.argv[3])

    def listener(done, total, status):
        if 0 < done < total:  # rows of the file are written, the transaction is open
            marker.write_text("writing")
            time.sleep(60)

    state = JobState(listener=listener)
    commit_import(db, plan, plan.files, state)
    """
)


def test_a_killed_import_leaves_the_database_intact(demo_path: Path, tmp_path: Path) -> None:
    path = big_results_workbook(tmp_path / "big.xlsx", 12_000)
    marker = tmp_path / "marker"
    before = dump(demo_path)
    child = subprocess.Popen(
        [sys.executable, "-c", _KILLED_CHILD, str(demo_path), str(path), str(marker)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        while not marker.exists():
            assert child.poll() is None, child.communicate()[1].decode()
            assert time.monotonic() < deadline
            time.sleep(0.05)
        os.kill(child.pid, signal.SIGKILL)
        child.wait(10)
    finally:
        if child.poll() is None:
            child.kill()
        child.communicate()

    assert child.returncode == -signal.SIGKILL
    with closing(Database.open(demo_path)) as database:
        assert database.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert import_history(database) == []
    assert dump(demo_path) == before
