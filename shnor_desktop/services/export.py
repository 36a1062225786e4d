"""Everything in the database as one Excel workbook: one sheet per table (DESIGN.md §4 ``export``).

The workbook is for people, not for the program: each sheet is named the
way the sections of the program are (``messages.TABLE_NAMES``), its headers
are the form labels of the fields (the :class:`~shnor_desktop.models.fields.FieldSpec`
of each table, through ``models/rules.py``), dates and timestamps are date
cells and figures are number cells.  Text that begins with ``=``, ``+``,
``-`` or ``@`` is written as a string cell with Excel's "quote prefix" (the
apostrophe of a typed text), so no spreadsheet runs it as a formula, even
when the user edits the cell afterwards.

The export streams: rows go from one read transaction (a consistent
snapshot, whatever the window writes meanwhile) straight into a write-only
workbook, so a region's two million result rows never sit in memory.  It
reports progress and stops at Cancel through a :class:`JobState`; the file
is written beside the target under another name and takes its place only
when complete, so a cancelled or failed export leaves the old file (or
nothing) behind.
"""

from __future__ import annotations

import contextlib
import os
import re
import sqlite3
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from shnor_desktop.models import rules
from shnor_desktop.models.jobs import JobState
from shnor_desktop.models.schema import DERIVED
from shnor_desktop.services.messages import TABLE_NAMES

MAX_SHEET_ROWS = 1_048_576
"""Excel's limit of rows on a sheet; a longer table goes on to the next sheet."""
MAX_CELL_TEXT = 32_767
"""Excel's limit of characters in a cell."""
FORMULA_STARTS = ("=", "+", "-", "@")
"""The first characters that make a spreadsheet read typed text as a formula."""
PROGRESS_STEP = 2000
"""Rows written between two progress reports (and cancel checks)."""
INFO_SHEET = "О выгрузке"

# Sheet names of tables whose section name would repeat another's or is too long.
_SHEET_NAMES: dict[str, str] = {
    "change_set": "Наборы изменений",
    "change": "Изменения",
    "school_profile": "Паспорта школ",
    "district_year": "Район по годам",
    "roadmap_concern": "Школы мероприятий",
    "tutor_visit_deficit": "Дефициты посещений",
}

# Labels of the columns that no form declares a field for (the program's own
# columns, and tables whose forms come later).  A declared FieldSpec wins.
_COLUMN_LABELS: dict[str, dict[str, str]] = {
    "meta": {"key": "Ключ", "value": "Значение"},
    "person": {"notes": "Примечания"},
    "person_role": {"since": "Действует с", "until": "Действует по"},
    "school_profile": {
        "generated_fields": "Поля, заполненные расчётом",
        "mentor_agreement_no": "Соглашение со школой-наставником, №",
        "mentor_agreement_date": "Соглашение со школой-наставником, дата",
    },
    "roadmap_activity": {"meeting_item_id": "Вопрос протокола"},
    "tutor_visit": {
        "visit_date": "Дата",
        "tutor_id": "Тьютор",
        "school_id": "Школа",
        "form": "Форма",
        "topic": "Тема",
        "participants": "Участников",
        "findings": "Выявленные дефициты",
        "recommendations": "Рекомендации",
        "due_date": "Срок выполнения",
        "follow_up_status": "Выполнение рекомендаций",
        "follow_up_note": "Примечание о выполнении",
        "generated": "Создано автоматически",
    },
    "event": {
        "event_date": "Дата",
        "kind": "Вид",
        "topic": "Тема",
        "audience": "Участники",
        "coverage": "Охват, чел.",
        "organiser": "Организатор",
        "place": "Место",
        "generated": "Создано автоматически",
    },
    "risk_factor": {
        "code": "Код",
        "name": "Наименование",
        "since_year": "Действует с",
        "until_year": "Действует по",
        "sort_order": "Порядок",
        "description": "Описание",
    },
    "school_risk": {
        "school_id": "Школа",
        "year": "Учебный год",
        "risk_factor_id": "Фактор риска",
        "level": "Уровень",
        "measures": "Антирисковые меры",
    },
    "risk_measure": {
        "school_risk_id": "Риск школы",
        "position": "Порядок",
        "text": "Мера",
        "activity_id": "Мероприятие дорожной карты",
    },
    "meeting": {
        "programme_id": "Программа",
        "number": "Номер протокола",
        "meeting_date": "Дата заседания",
        "title": "Название",
        "body": "Текст протокола",
        "chair_id": "Председатель",
        "secretary_id": "Секретарь",
        "chair_post": "Должность председателя",
        "secretary_post": "Должность секретаря",
        "place": "Место",
    },
    "meeting_attendee": {
        "meeting_id": "Заседание",
        "person_id": "Участник",
        "role_text": "В качестве",
        "post": "Должность",
        "position": "Порядок",
    },
    "meeting_item": {
        "meeting_id": "Заседание",
        "position": "Номер вопроса",
        "title": "Вопрос",
        "heard": "Слушали",
        "decided": "Постановили",
        "responsible": "Ответственные",
        "deadline_text": "Срок",
        "vote_for": "Голосовали «за»",
        "vote_against": "Голосовали «против»",
        "vote_abstain": "Воздержались",
        "unanimous": "Единогласно",
        "vote_note": "Итоги голосования",
    },
    "deficit": {"name": "Дефицит"},
    "tutor_visit_deficit": {"visit_id": "Посещение", "deficit_id": "Дефицит"},
    "report_text": {"kind": "Отчёт", "year": "Учебный год", "key": "Раздел", "body": "Текст"},
    "change_set": {
        "created_at": "Когда",
        "actor": "Кто",
        "kind": "Вид",
        "label": "Что сделано",
        "reverts_id": "Откатывает набор",
        "reverted_by": "Откачен набором",
        "row_count": "Записей",
        "tables": "Таблицы",
    },
    "change": {
        "set_id": "Набор изменений",
        "seq": "Порядок",
        "table_name": "Таблица",
        "row_id": "Запись",
        "last_row_id": "По запись",
        "op": "Действие",
        "old_values": "Было",
        "new_values": "Стало",
    },
    "import_batch": {
        "file_name": "Файл",
        "sha256": "Контрольная сумма SHA-256",
        "imported_at": "Загружен",
        "change_set_id": "Набор изменений",
        "status": "Состояние",
        "summary": "Итог",
        "school_id": "Школа",
        "year": "Учебный год",
        "template_version": "Версия шаблона",
    },
    "setting": {"key": "Настройка", "value": "Значение"},
}
_COMMON_LABELS: dict[str, str] = {
    "id": "№",
    "source": "Источник",
    "notes": "Примечания",
    "year": "Год",
    "school_id": "Школа",
    "person_id": "Человек",
    "district_id": "Район",
    "programme_id": "Программа",
    "generated": "Создано автоматически",
}

# Columns that hold a timestamp (date and time); other date columns hold a day.
_TIMESTAMP_COLUMNS = frozenset({"created_at", "imported_at"})
_DATE_COLUMNS = frozenset({"since", "until"})
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
"""Control characters an xlsx file cannot hold (openpyxl refuses them)."""
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")

DATE_FORMAT = "DD.MM.YYYY"
TIMESTAMP_FORMAT = "DD.MM.YYYY HH:MM:SS"


@dataclass(frozen=True)
class SheetInfo:
    """One sheet of the export: its name, the table it shows and its rows."""

    name: str
    table: str
    rows: int


@dataclass
class ExportResult:
    """What an export wrote."""

    path: Path
    sheets: list[SheetInfo] = field(default_factory=list)

    @property
    def rows(self) -> int:
        """Rows written over all the table sheets."""
        return sum(sheet.rows for sheet in self.sheets)


@dataclass(frozen=True)
class _Column:
    name: str
    label: str
    kind: str  # "date", "timestamp" or "" (the value as SQLite holds it)


def column_label(table: str, column: str) -> str:
    """The Russian header of ``column`` of ``table`` (its form label where a form has it)."""
    table_rules = rules.rules_for(table)
    spec = table_rules.fields.get(column) if table_rules is not None else None
    if spec is not None:
        return spec.label + (f", {spec.unit}" if spec.unit else "")
    return _COLUMN_LABELS.get(table, {}).get(column) or _COMMON_LABELS.get(column, column)


def sheet_title(table: str) -> str:
    """The name of the sheet of ``table``: its section name, capitalised, at most 31 characters."""
    name = _SHEET_NAMES.get(table) or TABLE_NAMES.get(table) or table
    name = _SHEET_FORBIDDEN.sub(" ", name).strip()
    return (name[:1].upper() + name[1:])[:31]


def _column_kind(table: str, column: str) -> str:
    if column in _TIMESTAMP_COLUMNS:
        return "timestamp"
    table_rules = rules.rules_for(table)
    spec = table_rules.fields.get(column) if table_rules is not None else None
    if (spec is not None and spec.kind == "date") or column in _DATE_COLUMNS:
        return "date"
    if column.endswith("_date"):
        return "date"
    return ""


def _tables(conn: sqlite3.Connection) -> list[str]:
    """The tables of the database: the sections' order first, then any others."""
    present = [
        str(row[0])
        for row in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' "
            "AND name NOT LIKE 'sqlite_%' ORDER BY rowid"
        )
    ]
    known = [t for t in TABLE_NAMES if t in present]
    return known + [t for t in present if t not in known]


def _columns(conn: sqlite3.Connection, table: str) -> list[_Column]:
    derived = DERIVED.get(table)
    hidden = {derived[0]} if derived else set()
    names = [str(row[1]) for row in conn.execute(f'PRAGMA table_info("{table}")')]
    # Folded search columns are the program's own copy of other columns: left out.
    return [
        _Column(name, column_label(table, name), _column_kind(table, name))
        for name in names
        if name not in hidden and not name.endswith("_fold")
    ]


def _unique_title(title: str, used: set[str]) -> str:
    candidate, number = title, 2
    while candidate.casefold() in used:
        suffix = f" ({number})"
        candidate = title[: 31 - len(suffix)] + suffix
        number += 1
    used.add(candidate.casefold())
    return candidate


class _Writer:
    """Cells of one workbook: shared styles, text that never turns into a formula."""

    def __init__(self) -> None:
        from openpyxl import Workbook
        from openpyxl.styles import Alignment, Font
        from openpyxl.worksheet import _writer as sheet_writer

        self._temp_files = len(sheet_writer.ALL_TEMP_FILES)
        self.book = Workbook(write_only=True)
        self._font = Font(bold=True)
        self._wrap = Alignment(wrap_text=True, vertical="top")

    def discard(self) -> None:
        """Remove the sheets' temporary files of a workbook that will not be saved."""
        from openpyxl.worksheet import _writer as sheet_writer

        for sheet in self.book.worksheets:
            with contextlib.suppress(Exception):
                sheet.close()
        # openpyxl would remove them only when the program ends.
        for name in list(sheet_writer.ALL_TEMP_FILES[self._temp_files :]):
            with contextlib.suppress(OSError, ValueError):
                os.remove(name)
                sheet_writer.ALL_TEMP_FILES.remove(name)

    def header(self, sheet: Any, labels: list[str]) -> list[Any]:
        from openpyxl.cell import WriteOnlyCell

        cells = []
        for label in labels:
            cell = WriteOnlyCell(sheet, value=None)
            self.text(cell, label)
            cell.font = self._font
            cell.alignment = self._wrap
            cells.append(cell)
        return cells

    @staticmethod
    def text(cell: Any, value: str) -> None:
        """Put ``value`` in ``cell`` as text, whatever it begins with."""
        text = _ILLEGAL.sub("\ufffd", value)
        if len(text) > MAX_CELL_TEXT:
            text = text[: MAX_CELL_TEXT - 1] + "…"
        cell.value = text
        if text.startswith(FORMULA_STARTS):
            # A string cell, never a formula; the quote prefix keeps it text when edited.
            cell.data_type = "s"
            cell.quotePrefix = True


def _date_value(kind: str, value: str) -> date | datetime | None:
    try:
        if kind == "timestamp":
            return datetime.fromisoformat(value)
        if len(value) == 10:
            return date.fromisoformat(value)
        return datetime.fromisoformat(value)
    except ValueError:
        return None


def _row_cells(sheet: Any, columns: list[_Column], row: tuple[Any, ...]) -> list[Any]:
    """The cells of one row: numbers as numbers, dates as dates, text as text."""
    from openpyxl.cell import WriteOnlyCell

    cells: list[Any] = []
    for column, value in zip(columns, row, strict=True):
        if value is None or isinstance(value, int | float):
            cells.append(value)  # plain values need no cell object (faster)
            continue
        text = value.hex() if isinstance(value, bytes) else str(value)
        cell = WriteOnlyCell(sheet)
        if column.kind and (moment := _date_value(column.kind, text)) is not None:
            cell.value = moment
            cell.number_format = TIMESTAMP_FORMAT if isinstance(moment, datetime) else DATE_FORMAT
        elif text and not text.startswith(FORMULA_STARTS) and not _ILLEGAL.search(text):
            if len(text) <= MAX_CELL_TEXT:
                cells.append(text)
                continue
            _Writer.text(cell, text)
        else:
            _Writer.text(cell, text)
        cells.append(cell)
    return cells


def _width(label: str) -> float:
    return float(min(max(len(label) + 2, 10), 40))


@contextlib.contextmanager
def _snapshot(conn: sqlite3.Connection) -> Iterator[None]:
    """Read everything in one transaction, so the sheets agree with each other."""
    if conn.in_transaction:
        yield
        return
    conn.execute("BEGIN")
    try:
        yield
    finally:
        conn.execute("ROLLBACK")


def export_connection(
    conn: sqlite3.Connection, out: Path, state: JobState | None = None, *, source: str = ""
) -> ExportResult:
    """Write every table read through ``conn`` into the workbook ``out``.

    ``source`` names the database on the sheet «О выгрузке».  Raises
    :class:`~shnor_desktop.models.errors.Cancelled` when ``state`` is
    cancelled (nothing is left at ``out`` then), ``OSError`` when the file
    cannot be written.
    """
    state = state if state is not None else JobState()
    out = Path(out)
    with _snapshot(conn):
        tables = _tables(conn)
        counts = {t: int(conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0]) for t in tables}
        total = sum(counts.values())
        state.progress(0, total, "Выгрузка в Excel…")
        writer = _Writer()
        try:
            info_sheet = writer.book.create_sheet(INFO_SHEET)
            used = {INFO_SHEET.casefold()}
            planned = _plan_sheets(tables, counts, used)
            _write_info(writer, info_sheet, planned, source)
            result = ExportResult(
                out, [SheetInfo(title, table, rows) for title, table, rows in planned]
            )
            _write_tables(conn, writer, planned, state, total)
        except BaseException:
            writer.discard()
            raise
    _save(writer, out, state)
    state.progress(total, total, "Выгрузка записана.")
    return result


def _plan_sheets(
    tables: list[str], counts: dict[str, int], used: set[str]
) -> list[tuple[str, str, int]]:
    """(sheet title, table, rows) for every sheet: a long table continues on more sheets."""
    per_sheet = MAX_SHEET_ROWS - 1  # the header takes a row
    planned: list[tuple[str, str, int]] = []
    for table in tables:
        rows = counts[table]
        parts = max(1, -(-rows // per_sheet))
        for part in range(parts):
            title = sheet_title(table)
            if part:
                suffix = f" ({part + 1})"
                title = title[: 31 - len(suffix)] + suffix
            share = min(per_sheet, rows - part * per_sheet)
            planned.append((_unique_title(title, used), table, max(share, 0)))
    return planned


def _write_info(
    writer: _Writer, sheet: Any, planned: list[tuple[str, str, int]], source: str
) -> None:
    from openpyxl.cell import WriteOnlyCell

    sheet.column_dimensions["A"].width = 40
    sheet.column_dimensions["B"].width = 60
    sheet.append(writer.header(sheet, ["Выгрузка базы ШНОР Desktop", ""]))
    when = WriteOnlyCell(sheet, value=datetime.now().replace(microsecond=0))
    when.number_format = TIMESTAMP_FORMAT
    sheet.append(["Когда выгружено", when])
    if source:
        cell = WriteOnlyCell(sheet)
        _Writer.text(cell, source)
        sheet.append(["База данных", cell])
    sheet.append([])
    sheet.append(writer.header(sheet, ["Лист", "Записей"]))
    for title, _table, rows in planned:
        cell = WriteOnlyCell(sheet)
        _Writer.text(cell, title)
        sheet.append([cell, rows])


def _write_tables(
    conn: sqlite3.Connection,
    writer: _Writer,
    planned: list[tuple[str, str, int]],
    state: JobState,
    total: int,
) -> None:
    from openpyxl.utils import get_column_letter

    done = 0
    cursors: dict[str, sqlite3.Cursor] = {}
    columns_of: dict[str, list[_Column]] = {}
    for title, table, rows in planned:
        state.check()
        state.set_status(f"Лист «{title}»…")
        columns = columns_of.get(table)
        if columns is None:
            columns = columns_of[table] = _columns(conn, table)
            names = ", ".join(f'"{c.name}"' for c in columns)
            order = " ORDER BY rowid" if _has_rowid(conn, table) else ""
            cursors[table] = conn.execute(f'SELECT {names} FROM "{table}"{order}')
        cursor = cursors[table]
        sheet = writer.book.create_sheet(title)
        for index, column in enumerate(columns, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = _width(column.label)
        sheet.freeze_panes = "A2"
        sheet.append(writer.header(sheet, [c.label for c in columns]))
        written = 0
        while written < rows:
            batch = cursor.fetchmany(min(PROGRESS_STEP, rows - written))
            if not batch:
                break
            for row in batch:
                sheet.append(_row_cells(sheet, columns, tuple(row)))
            written += len(batch)
            done += len(batch)
            state.check()
            state.progress(done, total)
    for cursor in cursors.values():
        cursor.close()


def _has_rowid(conn: sqlite3.Connection, table: str) -> bool:
    try:
        conn.execute(f'SELECT rowid FROM "{table}" LIMIT 0')
    except sqlite3.OperationalError:
        return False
    return True


def _save(writer: _Writer, out: Path, state: JobState) -> None:
    """Save beside ``out`` under a temporary name, then put it in place."""
    state.check()
    state.set_status("Запись файла…")
    handle, temp_name = tempfile.mkstemp(prefix=".export-", suffix=".xlsx", dir=out.parent)
    os.close(handle)
    temp = Path(temp_name)
    try:
        writer.book.save(temp)
        state.check()
        os.replace(temp, out)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def export_database(db_path: Path, out: Path, state: JobState | None = None) -> ExportResult:
    """Export the database file ``db_path`` (opened read-only, never changed) into ``out``."""
    from shnor_desktop.models.db import read_schema_version
    from shnor_desktop.services.files import check_file_shape, open_read_only

    db_path = Path(db_path)
    check_file_shape(db_path)
    read_schema_version(db_path)  # a file that is no database is refused before anything
    conn = open_read_only(db_path)
    try:
        return export_connection(conn, out, state, source=str(db_path))
    finally:
        conn.close()
