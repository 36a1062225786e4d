"""The export of the whole database to Excel (DESIGN.md §4 ``export``, issue 10 §3)."""

from __future__ import annotations

import hashlib
import re
import zipfile
from collections.abc import Iterator
from contextlib import closing
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from shnor_desktop.models.database import Database
from shnor_desktop.models.errors import Cancelled
from shnor_desktop.models.jobs import JobState
from shnor_desktop.services import export
from shnor_desktop.services.export import export_connection, export_database

DANGEROUS = (
    '=HYPERLINK("http://example.com","Нажмите")',
    "=1+2",
    "+79001234567",
    "-3+4",
    "@SUM(A1:A2)",
    "=cmd|' /C calc'!A0",
)


# Tables whose every column has a Russian header today (a new column gets one too).
RUSSIAN_TABLES = (
    "district",
    "district_year",
    "programme",
    "school",
    "person",
    "person_role",
    "school_profile",
    "assessment",
    "indicator",
    "indicator_value",
    "roadmap_section",
    "roadmap_activity",
    "roadmap_interval",
    "roadmap_concern",
    "change_set",
    "change",
    "import_batch",
    "setting",
)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def school_db(tmp_path: Path) -> Iterator[Database]:
    """Two schools whose texts begin like formulas, a passport and a roadmap interval."""
    with closing(Database.open(tmp_path / "x.sqlite")) as db:
        with db.log.change_set("Школы") as cs:
            district = cs.insert("district", {"name": "Тестовый район"})
            programme = cs.insert(
                "programme",
                {
                    "district_id": district,
                    "title": "Программа",
                    "start_year": 2022,
                    "end_year": 2024,
                },
            )
            first = cs.insert(
                "school",
                {
                    "code": "01",
                    "full_name": DANGEROUS[0],
                    "short_name": "СОШ №1",
                    "director": DANGEROUS[1],
                    "phone": DANGEROUS[2],
                    "address": DANGEROUS[3],
                    "email": DANGEROUS[4],
                    "notes": DANGEROUS[5],
                    "distance_km": 26.81,
                },
            )
            cs.insert(
                "school_profile",
                {"school_id": first, "year": 2023, "pupils_total": 1539, "pct_low_income": 22.5},
            )
            section = cs.insert("roadmap_section", {"programme_id": programme, "title": "Раздел"})
            activity = cs.insert(
                "roadmap_activity",
                {
                    "section_id": section,
                    "title": "Семинар",
                    "evidence": "-протокол №3",
                    "deadline_kind": "period",
                    "status": "planned",
                },
            )
            cs.insert(
                "roadmap_interval",
                {"activity_id": activity, "start_date": "2023-09-01", "end_date": "2024-05-31"},
            )
        yield db


def _sheet_xml_has_formula(path: Path) -> list[str]:
    with zipfile.ZipFile(path) as archive:
        return [
            name
            for name in archive.namelist()
            if name.startswith("xl/worksheets/") and re.search(rb"<f[ >]", archive.read(name))
        ]


def test_text_that_looks_like_a_formula_stays_text(school_db: Database, tmp_path: Path) -> None:
    out = tmp_path / "выгрузка.xlsx"
    export_database(school_db.path, out)

    # The file itself holds no formula at all.
    assert _sheet_xml_has_formula(out) == []

    # openpyxl reads every such text back as a string cell with the quote prefix.
    book = openpyxl.load_workbook(out)
    sheet = book["Школы"]
    headers = [c.value for c in sheet[1]]
    row = {h: c for h, c in zip(headers, sheet[2], strict=True)}
    for label, text in zip(
        ("Полное наименование", "Директор", "Телефон", "Адрес", "Эл. почта", "Примечания"),
        DANGEROUS,
        strict=True,
    ):
        cell = row[label]
        assert cell.value == text
        assert cell.data_type == "s"
        assert cell.quotePrefix is True
    for ws in book.worksheets:
        for line in ws.iter_rows():
            assert all(c.data_type != "f" for c in line)

    # calamine (what the import reads with) sees the same texts, no formula results.
    calamine = CalamineWorkbook.from_path(str(out))
    rows = calamine.get_sheet_by_name("Школы").to_python()
    values = dict(zip(rows[0], rows[1], strict=True))
    assert [values[h] for h in ("Полное наименование", "Директор", "Телефон")] == list(
        DANGEROUS[:3]
    )
    assert values["Эл. почта"] == DANGEROUS[4]
    assert values["Примечания"] == DANGEROUS[5]
    activity = calamine.get_sheet_by_name("Мероприятия дорожной карты").to_python()
    assert "-протокол №3" in activity[1]


def test_sheets_headers_numbers_and_dates(school_db: Database, tmp_path: Path) -> None:
    out = tmp_path / "выгрузка.xlsx"
    result = export_database(school_db.path, out)
    book = openpyxl.load_workbook(out)

    assert book.sheetnames[0] == "О выгрузке"
    # One sheet per table, named the Russian way.
    for name in ("Район", "Школы", "Паспорта школ", "Сроки мероприятий", "Наборы изменений"):
        assert name in book.sheetnames
    assert len(book.sheetnames) == len(result.sheets) + 1
    tables = {
        r[0]
        for r in school_db.conn.execute(
            "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"
        )
    }
    assert {s.table for s in result.sheets} == tables

    # Headers are the form labels (with units); figures are number cells.
    passport = book["Паспорта школ"]
    headers = [c.value for c in passport[1]]
    assert headers[:3] == ["№", "Школа", "Учебный год"]
    assert "Всего обучающихся, чел." in headers
    assert "Доход ниже прожиточного минимума, %" in headers
    values = {h: c for h, c in zip(headers, passport[2], strict=True)}
    assert values["Всего обучающихся, чел."].value == 1539
    assert values["Всего обучающихся, чел."].data_type == "n"
    assert values["Доход ниже прожиточного минимума, %"].value == 22.5
    assert values["Учебный год"].value == 2023
    schools = book["Школы"]
    distance = [
        c
        for c in schools[2]
        if c.column == 1 + [h.value for h in schools[1]].index("Расстояние до райцентра, км")
    ][0]
    assert distance.value == 26.81 and distance.data_type == "n"
    # No folded search column is exported.
    assert "name_fold" not in [c.value for c in schools[1]]

    # Dates and timestamps are date cells shown the Russian way.
    intervals = book["Сроки мероприятий"]
    start = intervals.cell(row=2, column=1 + [c.value for c in intervals[1]].index("Начало"))
    assert start.is_date and start.value == datetime(2023, 9, 1)
    assert start.number_format == "DD.MM.YYYY"
    sets = book["Наборы изменений"]
    when = sets.cell(row=2, column=1 + [c.value for c in sets[1]].index("Когда"))
    assert when.is_date and isinstance(when.value, datetime)
    assert when.value.date() == date.today()

    # The row counts agree with the database.
    for sheet in result.sheets:
        count = school_db.conn.execute(f'SELECT count(*) FROM "{sheet.table}"').fetchone()[0]
        assert sheet.rows == count
        assert book[sheet.name].max_row == count + 1


def test_demo_export_reads_back_with_calamine(demo_path: Path, tmp_path: Path) -> None:
    before = sha256(demo_path)
    out = tmp_path / "демо.xlsx"
    result = export_database(demo_path, out)
    assert sha256(demo_path) == before  # read only
    assert sorted(p.name for p in demo_path.parent.iterdir()) == sorted(
        [demo_path.name, out.name]
    )  # no -wal/-shm, no temporary file left
    book = CalamineWorkbook.from_path(str(out))
    results = book.get_sheet_by_name("Результаты оценочных процедур").to_python()
    assert results[0][:6] == ["№", "Школа", "Учебный год", "Процедура", "Предмет", "Класс"]
    with closing(Database.open(demo_path)) as db:
        count = db.conn.execute("SELECT count(*) FROM assessment").fetchone()[0]
    assert len(results) == count + 1
    assert result.rows > count
    # Every sheet's header row names the columns the forms' way.
    with closing(Database.open(demo_path)) as db:
        for sheet in result.sheets:
            header = book.get_sheet_by_name(sheet.name).to_python()[0]
            columns = [
                str(r[1])
                for r in db.conn.execute(f'PRAGMA table_info("{sheet.table}")')
                if not str(r[1]).endswith("_fold")
            ]
            assert header == [export.column_label(sheet.table, c) for c in columns]
            if sheet.table in RUSSIAN_TABLES:
                assert all(re.search("[А-Яа-яё№]", str(h)) for h in header), (sheet.name, header)


def test_cancel_leaves_the_old_file_and_no_temporary_file(
    demo_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(export, "PROGRESS_STEP", 100)
    out = tmp_path / "out" / "выгрузка.xlsx"
    out.parent.mkdir()
    out.write_bytes(b"old export")
    state = JobState()
    seen: list[int] = []

    def listener(done: int, total: int, status: str) -> None:
        del total, status
        seen.append(done)
        if done >= 500:
            state.cancel()

    state.listener = listener
    with pytest.raises(Cancelled):
        export_database(demo_path, out, state)
    assert out.read_bytes() == b"old export"
    assert [p.name for p in out.parent.iterdir()] == [out.name]
    assert 500 <= max(seen) < state.total


def test_long_table_continues_on_the_next_sheet(
    school_db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with school_db.log.change_set("Много роли") as cs:
        person = cs.insert("person", {"full_name": "Иванова М. П."})
        for _ in range(7):
            cs.insert("person_role", {"person_id": person, "role": "other"})
    monkeypatch.setattr(export, "MAX_SHEET_ROWS", 4)  # a header and three rows per sheet
    out = tmp_path / "x.xlsx"
    result = export_connection(school_db.reader(), out)
    parts = [s for s in result.sheets if s.table == "person_role"]
    assert [(s.name, s.rows) for s in parts] == [
        ("Роли людей", 3),
        ("Роли людей (2)", 3),
        ("Роли людей (3)", 1),
    ]
    book = openpyxl.load_workbook(out, read_only=True)
    ids = [
        row[0]
        for name in ("Роли людей", "Роли людей (2)", "Роли людей (3)")
        for row in book[name].iter_rows(min_row=2, values_only=True)
    ]
    book.close()
    assert ids == list(range(1, 8))


def test_control_characters_and_very_long_text(school_db: Database, tmp_path: Path) -> None:
    with school_db.log.change_set("Примечания") as cs:
        cs.update("school", 1, {"notes": "до\x01после", "address": "я" * 40000})
    out = tmp_path / "x.xlsx"
    export_connection(school_db.reader(), out)
    rows = CalamineWorkbook.from_path(str(out)).get_sheet_by_name("Школы").to_python()
    values = dict(zip(rows[0], rows[1], strict=True))
    assert values["Примечания"] == "до\ufffdпосле"
    assert len(values["Адрес"]) == export.MAX_CELL_TEXT
    assert values["Адрес"].endswith("…")


def test_export_while_a_change_set_is_open_sees_one_snapshot(
    school_db: Database, tmp_path: Path
) -> None:
    """Inside a change set the export reads the set's own rows (through the writer)."""
    out = tmp_path / "x.xlsx"
    with school_db.log.change_set("Новая школа") as cs:
        cs.insert("school", {"code": "02", "full_name": "Школа 2", "short_name": "Школа 2"})
        result = export_connection(school_db.reader(), out)
    assert next(s for s in result.sheets if s.table == "school").rows == 2


def test_not_a_database_is_refused(tmp_path: Path) -> None:
    from shnor_desktop.models.errors import NotADatabaseError
    from shnor_desktop.services.messages import describe_error

    fake = tmp_path / "x.sqlite"
    fake.write_bytes(b"%PDF-1.7 " + b"x" * 5000)
    with pytest.raises(NotADatabaseError) as caught:
        export_database(fake, tmp_path / "x.xlsx")
    assert "x.sqlite" in describe_error(caught.value)
    assert not (tmp_path / "x.xlsx").exists()
