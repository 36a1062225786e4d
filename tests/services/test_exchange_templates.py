"""School templates: sheets, pre-filled values, validation, protection, print set-up, signature."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import openpyxl
import pytest
from openpyxl.worksheet.worksheet import Worksheet

from shnor_desktop.models.database import Database
from shnor_desktop.models.errors import Cancelled
from shnor_desktop.models.jobs import JobState
from shnor_desktop.models.text import school_year_label
from shnor_desktop.services.exchange import layout
from shnor_desktop.services.exchange.errors import UnknownSchoolError
from shnor_desktop.services.exchange.templates import (
    default_year,
    load_template_data,
    template_file_name,
    write_template,
    write_templates,
)
from shnor_desktop.services.messages import describe_error

YEAR = 2023


@pytest.fixture
def db(demo_path: Path) -> Iterator[Database]:
    with closing(Database.open(demo_path)) as database:
        yield database


@pytest.fixture
def book(db: Database, tmp_path: Path) -> openpyxl.Workbook:
    return openpyxl.load_workbook(write_template(db, 1, YEAR, tmp_path))


def input_cells(ws: Worksheet) -> list[str]:
    return [
        cell.coordinate
        for row in ws.iter_rows()
        for cell in row
        if cell.protection is not None and not cell.protection.locked
    ]


def validated(ws: Worksheet) -> set[str]:
    covered: set[str] = set()
    for validation in ws.data_validations.dataValidation:
        for cell_range in validation.sqref.ranges:
            for row in ws.iter_rows(
                min_row=cell_range.min_row,
                max_row=cell_range.max_row,
                min_col=cell_range.min_col,
                max_col=cell_range.max_col,
            ):
                covered.update(cell.coordinate for cell in row)
    return covered


def test_a_template_has_the_sheets_in_plain_russian(book: openpyxl.Workbook) -> None:
    assert book.sheetnames == [
        layout.SHEET_INSTRUCTIONS,
        layout.SHEET_PASSPORT,
        layout.SHEET_RESULTS,
        layout.SHEET_ROADMAP,
        layout.SHEET_SIGNATURE,
    ]
    text = "\n".join(str(c.value) for c in book[layout.SHEET_INSTRUCTIONS]["A"] if c.value)
    assert "2023/24 учебный год" in text
    assert "сохраните файл в формате Excel (.xlsx)" in text
    assert "не вставляйте формулы" in text
    assert book.active.title == layout.SHEET_PASSPORT


def test_what_the_database_knows_is_pre_filled(db: Database, book: openpyxl.Workbook) -> None:
    passport = book[layout.SHEET_PASSPORT]
    assert passport["B3"].value == "01"
    assert passport["B4"].value == "2023/24"
    profile = db.schools.profile(1, YEAR)
    assert profile is not None
    values = {row[5].value: row[2].value for row in passport.iter_rows(min_row=7)}
    assert values["pupils_total"] == profile.pupils_total
    assert set(values) == {spec.name for spec in layout.PASSPORT_FIELDS}
    results = book[layout.SHEET_RESULTS]
    keys = [row[-1].value for row in results.iter_rows(min_row=5) if row[-1].value]
    district_keys = {
        f"{r[0]}|{r[1]}|{r[2]}"
        for r in db.reader().execute(
            "SELECT DISTINCT procedure, subject, grade FROM assessment WHERE year = ?", (YEAR,)
        )
    }
    assert set(keys) == district_keys
    assert keys[0].startswith("ВПР|") and keys[-1].startswith("ЕГЭ|")
    row = next(r for r in results.iter_rows(min_row=5) if r[-1].value == "ВПР|Математика|4")
    stored = (
        db.reader()
        .execute(
            "SELECT participants, n2 FROM assessment WHERE school_id = 1 AND year = ?"
            " AND procedure = 'ВПР' AND subject = 'Математика' AND grade = 4",
            (YEAR,),
        )
        .fetchone()
    )
    assert (row[4].value, row[5].value) == tuple(stored)
    roadmap = book[layout.SHEET_ROADMAP]
    ids = [row[7].value for row in roadmap.iter_rows(min_row=4) if row[7].value]
    data = load_template_data(db.reader(), 1, YEAR)
    assert ids == [a.id for a in data.activities] and ids


def test_every_input_cell_is_validated_unlocked_and_the_rest_protected(
    book: openpyxl.Workbook,
) -> None:
    for title in (layout.SHEET_PASSPORT, layout.SHEET_RESULTS, layout.SHEET_ROADMAP):
        ws = book[title]
        inputs = input_cells(ws)
        assert inputs, title
        assert set(inputs) <= validated(ws), title
        assert ws.protection.sheet, title
    passport = book[layout.SHEET_PASSPORT]
    assert input_cells(passport) == [f"C{row}" for row in range(7, 7 + len(layout.PASSPORT_FIELDS))]
    kinds = {v.type: v for v in passport.data_validations.dataValidation}
    assert kinds["whole"].formula1 == "0"
    assert (kinds["decimal"].formula1, kinds["decimal"].formula2) in {("0", "100"), ("0", None)}
    assert kinds["list"].formula1 == '"да,нет"'
    roadmap_lists = [
        v.formula1
        for v in book[layout.SHEET_ROADMAP].data_validations.dataValidation
        if v.type == "list"
    ]
    assert roadmap_lists == ['"' + ",".join(layout.STATUS_WORDS) + '"']
    assert book.security is not None and book.security.lockStructure


def test_the_sheets_print_on_a4(book: openpyxl.Workbook) -> None:
    for title in (layout.SHEET_PASSPORT, layout.SHEET_RESULTS, layout.SHEET_ROADMAP):
        ws = book[title]
        assert int(ws.page_setup.paperSize) == 9  # A4
        assert ws.page_setup.fitToWidth == 1
        assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert book[layout.SHEET_RESULTS].page_setup.orientation == "landscape"
    assert book[layout.SHEET_ROADMAP].column_dimensions["B"].width == 46
    title_cell = book[layout.SHEET_ROADMAP]["B4"]
    assert title_cell.alignment.wrap_text


def test_the_signature_is_very_hidden_and_names_version_school_year_checksum(
    db: Database, book: openpyxl.Workbook
) -> None:
    signature = book[layout.SHEET_SIGNATURE]
    assert signature.sheet_state == "veryHidden"
    values = {row[0].value: row[1].value for row in signature.iter_rows()}
    assert values["template_version"] == layout.TEMPLATE_VERSION
    assert values["school_code"] == "01"
    assert values["school_year"] == YEAR
    data = load_template_data(db.reader(), 1, YEAR)
    assert values["checksum"] == data.checksum
    assert len(values["checksum"]) == 64


def test_the_district_into_a_folder_with_progress(db: Database, tmp_path: Path) -> None:
    seen: list[tuple[int, int, str]] = []
    state = JobState(listener=lambda done, total, status: seen.append((done, total, status)))

    paths = write_templates(db.path, tmp_path / "USB", None, None, state)

    count = db.reader().execute("SELECT count(*) FROM school").fetchone()[0]
    assert len(paths) == count == 13
    assert sorted(p.name for p in (tmp_path / "USB").iterdir()) == sorted(p.name for p in paths)
    assert paths[0].name == "01 СОШ с. Бартеневка 2023-24.xlsx"
    assert seen[-1][:2] == (count, count)
    assert any(status.startswith("01 ") for _, _, status in seen)
    assert default_year(db.reader()) == YEAR


def test_cancel_leaves_no_half_written_file(db: Database, tmp_path: Path) -> None:
    state = JobState()
    out = tmp_path / "USB"

    def listener(done: int, _total: int, _status: str) -> None:
        if done == 2:
            state.cancel()

    state.listener = listener
    with pytest.raises(Cancelled):
        write_templates(db.path, out, YEAR, None, state)

    names = sorted(os.listdir(out))
    assert len(names) == 2
    assert all(name.endswith(".xlsx") and not name.startswith(".~") for name in names)
    for name in names:
        openpyxl.load_workbook(out / name)  # complete files only


def test_chosen_schools_and_an_unknown_code(db: Database, tmp_path: Path) -> None:
    paths = write_templates(db.path, tmp_path, 2022, ["02", "09-1"], JobState())
    assert [p.name for p in paths] == [
        template_file_name("02", "СОШ п. Знаменский", 2022),
        template_file_name("09-1", "Филиал в с. Чернава", 2022),
    ]
    with pytest.raises(UnknownSchoolError) as caught:
        write_templates(db.path, tmp_path, 2022, ["99"], JobState())
    assert describe_error(caught.value) == "Школы с кодом «99» нет в базе."


def test_a_year_without_results_lists_the_latest_years_procedures(
    db: Database, tmp_path: Path
) -> None:
    data = load_template_data(db.reader(), 1, 2025)
    assert data.passport == {}
    assert {(r.procedure, r.subject, r.grade) for r in data.results} == {
        tuple(r)
        for r in db.reader().execute(
            "SELECT DISTINCT procedure, subject, grade FROM assessment WHERE year = 2023"
        )
    }
    assert all(r.values == {} for r in data.results)
    book = openpyxl.load_workbook(write_template(db, 1, 2025, tmp_path))
    assert book[layout.SHEET_PASSPORT]["B4"].value == school_year_label(2025)


def test_file_names_are_safe_everywhere() -> None:
    assert template_file_name("01", 'СОШ "Звезда": 1/2', 2023) == "01 СОШ Звезда 1 2 2023-24.xlsx"
