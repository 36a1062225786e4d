"""School workbooks to fill: one per school and school year, pre-filled with what is known.

A template (see :mod:`.layout`) holds a sheet «Инструкция» in plain Russian,
the passport of the year, the assessment results (the procedures, subjects
and grades the district had that year, or the year before), the roadmap
activities that concern the school (itself or its group) with the school's
own report on them, and a very hidden signature sheet: template version,
school code, school year and the SHA-256 of the part the office filled in.

Every input cell has data validation (whole numbers ≥ 0, shares 0–100, lists
for yes/no and statuses); the sheets are protected with only the input cells
unlocked, the workbook's structure is locked, and the sheets print on A4.

:func:`write_templates` writes the whole district into a folder (a USB
stick) from its own read connection, reporting progress per school and
honouring Cancel; a file is written under a temporary name and renamed when
complete, so no half-written workbook is ever left behind.
"""

from __future__ import annotations

import contextlib
import os
import re
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from shnor_desktop import APP_NAME, __version__
from shnor_desktop.models.changelog import ChangeLog
from shnor_desktop.models.jobs import JobState
from shnor_desktop.models.results import COUNT_FIELDS
from shnor_desktop.models.roadmap import STATUS_LABELS
from shnor_desktop.models.schema import PROCEDURES
from shnor_desktop.models.text import current_school_year, fold, school_year_label
from shnor_desktop.services.exchange import layout
from shnor_desktop.services.exchange.errors import UnknownSchoolError
from shnor_desktop.services.exchange.layout import Column

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

    from shnor_desktop.models.database import Database

__all__ = [
    "TemplateData",
    "default_year",
    "load_template_data",
    "write_template",
    "write_templates",
]

_INPUT_FILL = "FFF8DC"  # a pale yellow: the cells to type into
_HEAD_FILL = "D9E1F2"
_UNSAFE_NAME = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')


@dataclass
class ResultLine:
    """A listed result row: its key and the school's counts known so far."""

    procedure: str
    subject: str
    grade: int
    values: dict[str, Any] = field(default_factory=dict)


@dataclass
class ActivityLine:
    """A roadmap activity that concerns the school, with the school's report so far."""

    id: int
    number: str
    title: str
    deadline: str
    responsible: str
    status: str | None = None
    progress: float | None = None
    evidence: str = ""


@dataclass
class TemplateData:
    """What one school's template shows: the school, the year and the pre-filled rows."""

    school_id: int
    code: str
    short_name: str
    full_name: str
    year: int
    passport: dict[str, Any]
    results: list[ResultLine]
    activities: list[ActivityLine]

    @property
    def checksum(self) -> str:
        """SHA-256 of the part the office filled in (see :func:`layout.checksum`)."""
        return layout.checksum(
            layout.TEMPLATE_VERSION,
            self.code,
            self.year,
            passport=[spec.name for spec in layout.PASSPORT_FIELDS],
            results=[layout.result_key(r.procedure, r.subject, r.grade) for r in self.results],
            activities=[a.id for a in self.activities],
        )


def _conn_of(source: Database | ChangeLog | sqlite3.Connection) -> sqlite3.Connection:
    if isinstance(source, sqlite3.Connection):
        return source
    if isinstance(source, ChangeLog):
        return source.reader()
    return source.log.reader()


def default_year(conn: sqlite3.Connection) -> int:
    """The school year templates are for by default: the latest one with figures, else now."""
    row = conn.execute(
        "SELECT max(y) FROM (SELECT max(year) AS y FROM school_profile"
        " UNION ALL SELECT max(year) FROM assessment)"
    ).fetchone()
    return int(row[0]) if row and row[0] is not None else current_school_year()


def _result_catalogue(conn: sqlite3.Connection, year: int) -> list[tuple[str, str, int]]:
    """Procedures × subjects × grades of the year in the district (or of the latest year before)."""
    found = conn.execute("SELECT max(year) FROM assessment WHERE year <= ?", (year,)).fetchone()[0]
    if found is None:
        return []
    rows = conn.execute(
        "SELECT DISTINCT procedure, subject, grade FROM assessment WHERE year = ?", (found,)
    ).fetchall()
    return [(str(r[0]), str(r[1]), int(r[2])) for r in rows]


def _order(key: tuple[str, str, int]) -> tuple[int, int, str]:
    procedure, subject, grade = key
    rank = PROCEDURES.index(procedure) if procedure in PROCEDURES else len(PROCEDURES)
    return (rank, grade, fold(subject))


def _activities(
    conn: sqlite3.Connection, school_id: int, year: int, group: str
) -> list[ActivityLine]:
    """Activities concerning the school or its group in programmes running that year."""
    rows = conn.execute(
        "SELECT a.id, a.number, a.title, a.deadline_text, a.responsible,"
        " r.status, r.progress, r.evidence"
        " FROM roadmap_activity a"
        " JOIN roadmap_section s ON s.id = a.section_id"
        " JOIN programme p ON p.id = s.programme_id"
        " LEFT JOIN activity_report r"
        "   ON r.activity_id = a.id AND r.school_id = :school AND r.year = :year"
        " WHERE r.id IS NOT NULL OR ("
        "   p.start_year <= :year + 1 AND p.end_year >= :year AND EXISTS ("
        "     SELECT 1 FROM roadmap_concern c WHERE c.activity_id = a.id"
        "     AND (c.school_id = :school OR c.group_code = :group)))"
        " ORDER BY p.id, s.position, s.id, a.position, a.id",
        {"school": school_id, "year": year, "group": group},
    ).fetchall()
    return [
        ActivityLine(
            id=int(r[0]),
            number=str(r[1]),
            title=str(r[2]),
            deadline=str(r[3]),
            responsible=str(r[4]),
            status=r[5],
            progress=r[6],
            evidence=str(r[7] or ""),
        )
        for r in rows
    ]


def load_template_data(conn: sqlite3.Connection, school_id: int, year: int) -> TemplateData:
    """Read what one school's template shows (raises UnknownSchoolError for a missing school)."""
    school = conn.execute(
        "SELECT id, code, short_name, full_name FROM school WHERE id = ?", (school_id,)
    ).fetchone()
    if school is None:
        raise UnknownSchoolError(Path(""), str(school_id), in_file=False)
    names = [spec.name for spec in layout.PASSPORT_FIELDS]
    profile = conn.execute(
        f"SELECT group_code, {', '.join(names)} FROM school_profile"
        " WHERE school_id = ? AND year = ?",
        (school_id, year),
    ).fetchone()
    passport = {} if profile is None else dict(zip(names, tuple(profile)[1:], strict=True))
    group = "none" if profile is None else str(profile[0])
    columns = ", ".join(COUNT_FIELDS)
    own = {
        (str(r[0]), str(r[1]), int(r[2])): dict(zip(COUNT_FIELDS, tuple(r)[3:], strict=True))
        for r in conn.execute(
            f"SELECT procedure, subject, grade, {columns} FROM assessment"
            " WHERE school_id = ? AND year = ?",
            (school_id, year),
        )
    }
    keys = set(_result_catalogue(conn, year)) | set(own)
    results = [ResultLine(p, s, g, own.get((p, s, g), {})) for p, s, g in sorted(keys, key=_order)]
    return TemplateData(
        school_id=int(school[0]),
        code=str(school[1]),
        short_name=str(school[2]),
        full_name=str(school[3]),
        year=year,
        passport=passport,
        results=results,
        activities=_activities(conn, school_id, year, group),
    )


def template_file_name(code: str, short_name: str, year: int) -> str:
    """«01 СОШ с. Бартеневка 2023-24.xlsx»: a name every file system takes."""
    label = school_year_label(year).replace("/", "-")
    stem = _UNSAFE_NAME.sub(" ", f"{code} {short_name} {label}")
    stem = re.sub(r"\s+", " ", stem).strip(" .")
    return f"{stem[:120]}.xlsx"


# --------------------------------------------------------------------------- writing
class _Styles:
    """The few cell styles of a template, made once per workbook."""

    def __init__(self) -> None:
        from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side

        thin = Side(style="thin", color="A6A6A6")
        self.border = Border(left=thin, right=thin, top=thin, bottom=thin)
        self.head_font = Font(bold=True)
        self.title_font = Font(bold=True, size=13)
        self.head_fill = PatternFill("solid", fgColor=_HEAD_FILL)
        self.input_fill = PatternFill("solid", fgColor=_INPUT_FILL)
        self.wrap = Alignment(wrap_text=True, vertical="top")
        self.head_align = Alignment(wrap_text=True, vertical="center", horizontal="center")
        self.unlocked = Protection(locked=False)
        self.locked = Protection(locked=True)


def _list(words: Sequence[str], error: str) -> dict[str, Any]:
    return {
        "type": "list",
        "formula1": '"' + ",".join(words) + '"',
        "errorTitle": "Выберите из списка",
        "error": error,
    }


_VALIDATIONS: dict[str, dict[str, Any]] = {
    "count": {
        "type": "whole",
        "operator": "greaterThanOrEqual",
        "formula1": "0",
        "errorTitle": "Нужно целое число",
        "error": "Введите целое число: 0 или больше.",
    },
    "share": {
        "type": "decimal",
        "operator": "between",
        "formula1": "0",
        "formula2": "100",
        "errorTitle": "Нужна доля в процентах",
        "error": "Введите число от 0 до 100 (без знака %).",
    },
    "real": {
        "type": "decimal",
        "operator": "greaterThanOrEqual",
        "formula1": "0",
        "errorTitle": "Нужно число",
        "error": "Введите число: 0 или больше.",
    },
    "flag": _list(layout.FLAG_WORDS, "Выберите «да» или «нет»."),
    "status": _list(layout.STATUS_WORDS, "Выберите состояние из списка."),
    "procedure": _list(PROCEDURES, "Выберите процедуру из списка: " + ", ".join(PROCEDURES) + "."),
    "grade": {
        "type": "whole",
        "operator": "between",
        "formula1": "1",
        "formula2": "11",
        "errorTitle": "Нужен класс",
        "error": "Введите номер класса: от 1 до 11.",
    },
    "text": {
        "type": "textLength",
        "operator": "lessThanOrEqual",
        "formula1": str(layout.MAX_TEXT),
        "errorTitle": "Слишком длинный текст",
        "error": f"Не больше {layout.MAX_TEXT} знаков.",
    },
}
"""Data validation of an input cell by kind: whole numbers, shares, lists, text length."""


def _validation(kind: str) -> Any:
    """A new data validation for input cells of ``kind`` («count», «share», «flag» …)."""
    from openpyxl.worksheet.datavalidation import DataValidation

    options = _VALIDATIONS.get(kind, _VALIDATIONS["text"])
    return DataValidation(allow_blank=True, showErrorMessage=True, **options)


class _Sheet:
    """Helpers to fill one protected, printable sheet and collect its validations."""

    def __init__(self, ws: Worksheet, styles: _Styles, landscape: bool) -> None:
        self.ws = ws
        self.styles = styles
        self._validations: dict[str, Any] = {}
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.page_setup.orientation = "landscape" if landscape else "portrait"
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.print_options.gridLines = False
        ws.page_margins.left = ws.page_margins.right = 0.5
        ws.page_margins.top = ws.page_margins.bottom = 0.6

    def title(self, row: int, text: str) -> None:
        cell = self.ws.cell(row=row, column=1, value=text)
        cell.font = self.styles.title_font

    def note(self, row: int, text: str, column: int = 1) -> None:
        cell = self.ws.cell(row=row, column=column, value=text)
        cell.alignment = self.styles.wrap

    def header(self, row: int, columns: Sequence[Column]) -> None:
        from openpyxl.utils import get_column_letter

        ws = self.ws
        for index, column in enumerate(columns, start=1):
            cell = ws.cell(row=row, column=index, value=column.header)
            cell.font = self.styles.head_font
            cell.fill = self.styles.head_fill
            cell.alignment = self.styles.head_align
            cell.border = self.styles.border
            dimension = ws.column_dimensions[get_column_letter(index)]
            dimension.width = column.width
            dimension.hidden = column.hidden
        ws.print_title_rows = f"{row}:{row}"

    def put(self, row: int, column: int, value: Any, *, editable: bool, kind: str = "") -> None:
        """Write a cell; an editable one is unlocked, tinted and validated by ``kind``."""
        cell = self.ws.cell(row=row, column=column, value=value)
        cell.border = self.styles.border
        cell.alignment = self.styles.wrap
        if editable:
            cell.protection = self.styles.unlocked
            cell.fill = self.styles.input_fill
            validation = self._validations.get(kind)
            if validation is None:
                validation = _validation(kind)
                self._validations[kind] = validation
                self.ws.add_data_validation(validation)
            validation.add(cell.coordinate)
        if isinstance(value, float):
            cell.number_format = "0.0##"

    def protect(self) -> None:
        """Lock the sheet: only the unlocked input cells take typing; widths may change."""
        protection = self.ws.protection
        protection.sheet = True
        protection.formatColumns = False
        protection.formatRows = False
        protection.formatCells = False
        protection.selectLockedCells = False
        protection.selectUnlockedCells = False


_INSTRUCTION_LINES: tuple[str, ...] = (
    "Это файл для сведений вашей школы за {year} учебный год: {school}.",
    "",
    "Что заполнить:",
    "• лист «Паспорт» — сведения о школе за учебный год (контингент, кадры, социальные "
    "показатели, инфраструктура);",
    "• лист «Результаты» — результаты ВПР, ОГЭ, ЕГЭ и других процедур: сколько "
    "обучающихся должны были участвовать, сколько участвовало и сколько получили "
    "отметки «2», «3», «4», «5»; если нужного предмета или класса нет в списке, "
    "впишите его в пустые строки внизу листа;",
    "• лист «Дорожная карта» — выполнение мероприятий, которые касаются вашей школы: "
    "состояние (из списка), сколько процентов выполнено и чем это подтверждается "
    "(документ, номер и дата протокола).",
    "",
    "Как заполнять:",
    "• вписывайте значения только в жёлтые ячейки; остальные защищены от случайных изменений;",
    "• числа пишите цифрами, без слов: 26 или 26,8; доли — в процентах от 0 до 100 "
    "(22 или 22,5, знак % можно не ставить);",
    "• там, где есть список, выберите значение из списка («да» / «нет», состояние мероприятия);",
    "• то, что уже было известно, вписано заранее: проверьте и исправьте, если нужно;",
    "• не переименовывайте листы и не удаляйте столбцы; если ячейка не относится к "
    "вашей школе, оставьте её пустой;",
    "• не вставляйте формулы: в ячейках должны быть сами числа.",
    "",
    "Как сохранить и отправить:",
    "• сохраните файл в формате Excel (.xlsx): в Excel — «Файл → Сохранить», в "
    "LibreOffice — «Файл → Сохранить как…», тип «Excel 2007-365 (.xlsx)»;",
    "• не ставьте на файл пароль;",
    "• отправьте файл в управление образования по почте или на флешке.",
    "",
    "Если что-то непонятно, позвоните муниципальному координатору.",
)


def _instructions(sheet: _Sheet, data: TemplateData) -> None:
    ws = sheet.ws
    ws.column_dimensions["A"].width = 100
    sheet.title(1, "Инструкция по заполнению")
    school = f"{data.full_name} (код {data.code})"
    for index, line in enumerate(_INSTRUCTION_LINES, start=3):
        text = line.format(year=school_year_label(data.year), school=school)
        sheet.note(index, text)
        if text.endswith(":") and not text.startswith("•"):
            ws.cell(row=index, column=1).font = sheet.styles.head_font


def _flag_word(value: Any) -> str | None:
    if value is None:
        return None
    return layout.FLAG_WORDS[0] if int(value) else layout.FLAG_WORDS[1]


def _passport(sheet: _Sheet, data: TemplateData) -> None:
    ws = sheet.ws
    sheet.title(1, f"Паспорт школы на {school_year_label(data.year)} учебный год")
    identity = (
        ("Школа", data.full_name),
        ("Код школы", data.code),
        ("Учебный год", school_year_label(data.year)),
    )
    for offset, (label, text) in enumerate(identity):
        ws.cell(row=2 + offset, column=1, value=label).font = sheet.styles.head_font
        ws.cell(row=2 + offset, column=2, value=text)
    head = 6
    sheet.header(head, layout.PASSPORT_COLUMNS)
    for row, spec in enumerate(layout.PASSPORT_FIELDS, start=head + 1):
        value: Any = data.passport.get(spec.name)
        if spec.kind == "flag":
            value = _flag_word(value)
        elif spec.kind == "text" and value == "":
            value = None
        sheet.put(row, 1, spec.section, editable=False)
        sheet.put(row, 2, spec.label, editable=False)
        sheet.put(row, 3, value, editable=True, kind=spec.kind)
        sheet.put(row, 4, spec.unit, editable=False)
        sheet.put(row, 5, layout.kind_hint(spec), editable=False)
        sheet.put(row, 6, spec.name, editable=False)
    ws.freeze_panes = ws.cell(row=head + 1, column=3)


def _results(sheet: _Sheet, data: TemplateData) -> None:
    ws = sheet.ws
    sheet.title(
        1,
        f"Результаты оценочных процедур за {school_year_label(data.year)} учебный год: "
        f"{data.short_name}",
    )
    sheet.note(
        2,
        "Число обучающихся — целыми числами. Сумма отметок «2»–«5» обычно равна числу "
        "участников. Пустые строки внизу — для процедур, предметов и классов, которых нет "
        "в списке.",
    )
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=9)
    ws.row_dimensions[2].height = 30
    head = 4
    columns = layout.RESULT_COLUMNS
    sheet.header(head, columns)
    ws.row_dimensions[head].height = 60
    row = head
    for row, line in enumerate(data.results, start=head + 1):
        sheet.put(row, 1, line.procedure, editable=False)
        sheet.put(row, 2, line.subject, editable=False)
        sheet.put(row, 3, line.grade, editable=False)
        for index, column in enumerate(columns[3:-1], start=4):
            assert column.spec is not None
            sheet.put(row, index, line.values.get(column.key), editable=True, kind=column.spec.kind)
        sheet.put(
            row,
            len(columns),
            layout.result_key(line.procedure, line.subject, line.grade),
            editable=False,
        )
    last = row
    for row in range(last + 1, last + 1 + layout.BLANK_RESULT_ROWS):
        sheet.put(row, 1, None, editable=True, kind="procedure")
        sheet.put(row, 2, None, editable=True, kind="text")
        sheet.put(row, 3, None, editable=True, kind="grade")
        for index, column in enumerate(columns[3:-1], start=4):
            assert column.spec is not None
            sheet.put(row, index, None, editable=True, kind=column.spec.kind)
        sheet.put(row, len(columns), None, editable=False)
    ws.freeze_panes = ws.cell(row=head + 1, column=4)


def _roadmap(sheet: _Sheet, data: TemplateData) -> None:
    ws = sheet.ws
    sheet.title(
        1,
        f"Выполнение дорожной карты за {school_year_label(data.year)} учебный год: "
        f"{data.short_name}",
    )
    head = 3
    sheet.header(head, layout.ROADMAP_COLUMNS)
    ws.row_dimensions[head].height = 32
    if not data.activities:
        sheet.note(head + 1, "Мероприятий, которые касаются вашей школы, в этом году нет.")
    for row, activity in enumerate(data.activities, start=head + 1):
        sheet.put(row, 1, activity.number, editable=False)
        sheet.put(row, 2, activity.title, editable=False)
        sheet.put(row, 3, activity.deadline, editable=False)
        sheet.put(row, 4, activity.responsible, editable=False)
        status = STATUS_LABELS.get(activity.status or "", None)
        sheet.put(row, 5, status, editable=True, kind="status")
        sheet.put(row, 6, activity.progress, editable=True, kind="share")
        sheet.put(row, 7, activity.evidence or None, editable=True, kind="text")
        sheet.put(row, 8, activity.id, editable=False)
    ws.freeze_panes = ws.cell(row=head + 1, column=5)


def _signature(ws: Worksheet, data: TemplateData, created: datetime) -> None:
    values = {
        "template_version": layout.TEMPLATE_VERSION,
        "school_code": data.code,
        "school_year": data.year,
        "checksum": data.checksum,
        "created_at": created.isoformat(timespec="seconds"),
        "generator": f"{APP_NAME} {__version__}",
    }
    for row, (key, meaning) in enumerate(layout.SIGNATURE_KEYS, start=1):
        ws.cell(row=row, column=1, value=key)
        ws.cell(row=row, column=2, value=values[key])
        ws.cell(row=row, column=3, value=meaning)
    ws.sheet_state = "veryHidden"
    ws.protection.sheet = True


def build_workbook(data: TemplateData, created: datetime | None = None) -> Any:
    """The openpyxl workbook of one school's template (not yet saved)."""
    from openpyxl import Workbook
    from openpyxl.workbook.protection import WorkbookProtection

    styles = _Styles()
    wb = Workbook()
    instructions = wb.active
    assert instructions is not None
    instructions.title = layout.SHEET_INSTRUCTIONS
    first = _Sheet(instructions, styles, landscape=False)
    _instructions(first, data)
    sheets = [first]
    for title, fill, landscape in (
        (layout.SHEET_PASSPORT, _passport, False),
        (layout.SHEET_RESULTS, _results, True),
        (layout.SHEET_ROADMAP, _roadmap, True),
    ):
        sheet = _Sheet(wb.create_sheet(title), styles, landscape)
        fill(sheet, data)
        sheets.append(sheet)
    _signature(wb.create_sheet(layout.SHEET_SIGNATURE), data, created or datetime.now())
    for sheet in sheets:
        sheet.protect()
    wb.active = 1  # open on the passport
    wb.security = WorkbookProtection(lockStructure=True)
    wb.properties.creator = APP_NAME
    wb.properties.title = f"{data.code} {data.short_name} {school_year_label(data.year)}"
    return wb


def _save_atomically(wb: Any, target: Path, state: JobState | None = None) -> None:
    """Save under a temporary name in the same folder, then rename: never a half-written file."""
    temporary = target.with_name(f".~{target.stem}.{os.getpid()}.tmp")
    try:
        wb.save(temporary)
        if state is not None:
            state.check()
        os.replace(temporary, target)
    finally:
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()


def write_template(
    log_or_db: Database | ChangeLog | sqlite3.Connection,
    school_id: int,
    year: int,
    out_dir: Path,
) -> Path:
    """Write one school's template for a school year into ``out_dir``; return its path."""
    data = load_template_data(_conn_of(log_or_db), school_id, year)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / template_file_name(data.code, data.short_name, year)
    _save_atomically(build_workbook(data), target)
    return target


def _school_ids(
    conn: sqlite3.Connection, db_path: Path, school_codes: Sequence[str] | None
) -> list[int]:
    if not school_codes:
        return [
            int(r[0])
            for r in conn.execute("SELECT id FROM school ORDER BY ifnull(parent_id, id), id")
        ]
    ids: list[int] = []
    for code in school_codes:
        row = conn.execute("SELECT id FROM school WHERE code = ?", (code.strip(),)).fetchone()
        if row is None:
            raise UnknownSchoolError(db_path, code, in_file=False)
        if int(row[0]) not in ids:
            ids.append(int(row[0]))
    return ids


def write_templates(
    db_path: Path,
    out_dir: Path,
    year: int | None,
    school_codes: Sequence[str] | None,
    state: JobState,
) -> list[Path]:
    """Write the templates of the chosen schools (all by default) into ``out_dir``.

    Reads through its own read-only connection (a worker thread may call it).
    Reports progress per school; a cancel stops before the next file (or
    before the rename of the one being written) and raises
    :class:`~shnor_desktop.models.errors.Cancelled`; the files written before
    stay, and no half-written file is left.  ``year`` None: :func:`default_year`.
    """
    from shnor_desktop.models.db import connect

    conn = connect(Path(db_path), reader=True)
    try:
        chosen_year = default_year(conn) if year is None else int(year)
        ids = _school_ids(conn, Path(db_path), school_codes)
        out_dir = Path(out_dir)
        out_dir.mkdir(parents=True, exist_ok=True)
        written: list[Path] = []
        total = len(ids)
        state.progress(0, total, "Шаблоны для школ")
        created = datetime.now()
        for index, school_id in enumerate(ids):
            state.check()
            data = load_template_data(conn, school_id, chosen_year)
            state.set_status(f"{data.code} {data.short_name}")
            target = out_dir / template_file_name(data.code, data.short_name, chosen_year)
            _save_atomically(build_workbook(data, created), target, state)
            written.append(target)
            state.partial.append(target)
            state.progress(index + 1, total)
        return written
    finally:
        conn.close()
