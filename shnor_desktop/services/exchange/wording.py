"""Russian wording of the exchange's typed errors and of a file's problems.

``services/messages.py::describe_error`` calls :func:`describe_exchange_error`
for these errors, so the GUI and the command line say the same.  Every
message about a file names the file; a problem also names the sheet, the
cell, the value and what was expected.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from shnor_desktop.models.errors import DomainError
from shnor_desktop.models.roadmap import STATUS_LABELS
from shnor_desktop.models.text import format_number, format_timestamp
from shnor_desktop.services.exchange.errors import (
    BatchNotAppliedError,
    BatchNotFoundError,
    EmptyWorkbookFileError,
    EncryptedWorkbookError,
    FileAccessError,
    FileProblemsError,
    FileTooLargeError,
    FormulaWithoutValueError,
    LaterEdit,
    MismatchNotConfirmedError,
    NotATemplateError,
    NotAWorkbookError,
    OldExcelFormatError,
    Problem,
    RollbackConflictError,
    SchoolNotStatedError,
    SheetTooLargeError,
    TemplateVersionError,
    TruncatedWorkbookError,
    UnknownSchoolError,
    UnreadableWorkbookError,
    XmlEntitiesError,
    ZipBombError,
)
from shnor_desktop.services.exchange.layout import PASSPORT_FIELD_BY_NAME

if TYPE_CHECKING:
    from shnor_desktop.services.exchange.importer import ValueChange

_SAVE_AS_XLSX = (
    "Откройте его в Excel или LibreOffice и сохраните как «Книга Excel (.xlsx)», "
    "затем загрузите снова."
)
_KINDS: dict[str, str] = {
    "pdf": "это документ PDF, а не таблица Excel",
    "word": "это документ Word, а не таблица Excel",
    "html": "это веб-страница (HTML), а не таблица Excel",
    "image": "это изображение, а не таблица Excel",
    "zip": "это архив, в котором нет книги Excel",
    "ods": "это таблица LibreOffice (.ods)",
    "xml2003": "это таблица в старом формате «XML-таблица 2003»",
    "ole": "это файл старого формата Office, но не книга Excel",
    "text": "это текстовый файл, а не таблица",
    "unknown": "это не книга Excel и не таблица CSV",
}
_ADVICE: dict[str, str] = {
    "ods": " " + _SAVE_AS_XLSX,
    "xml2003": " " + _SAVE_AS_XLSX,
}
_FIELDS: dict[str, str] = {
    "school_profile": "паспорт",
    "assessment": "результаты",
    "activity_report": "отчёт о мероприятии",
}


def file_name(path: Path | str) -> str:
    """«Файл «имя.xlsx»» is how every message starts: the name only, no folder."""
    return f"«{Path(path).name}»"


def _size(size: int) -> str:
    for unit, factor in (("ГБ", 1024**3), ("МБ", 1024**2), ("КБ", 1024)):
        if size >= factor:
            return f"{size / factor:.1f}".replace(".", ",") + f" {unit}"
    return f"{size} байт"


def _value(value: object) -> str:
    if value is None or value == "":
        return "пусто"
    text = str(value)
    if isinstance(value, float) and value.is_integer():
        text = str(int(value))
    elif isinstance(value, float):
        text = text.replace(".", ",")
    return f"«{text if len(text) <= 60 else text[:59] + '…'}»"


def display_value(table: str, field: str, value: Any) -> str:  # noqa: PLR0911 (one per kind)
    """A value of a preview as the user reads it: «22,5», «да», «выполнено», «—» for none."""
    if value is None or value == "":
        return "—"
    if field == "status":
        return STATUS_LABELS.get(str(value), str(value))
    spec = PASSPORT_FIELD_BY_NAME.get(field) if table == "school_profile" else None
    if spec is not None and spec.kind == "flag":
        return "да" if value else "нет"
    if isinstance(value, bool):
        return "да" if value else "нет"
    if isinstance(value, int):
        return format_number(value, 0)
    if isinstance(value, float):
        text = format_number(value, 2)
        return text.rstrip("0").rstrip(",") if "," in text else text
    return str(value)


def change_line(change: ValueChange) -> str:
    """«ВПР · Математика · 4 класс · Участвовали: 8 → 9» (a new value says «(новое)»)."""
    old = display_value(change.table, change.field, change.old)
    new = display_value(change.table, change.field, change.new)
    if change.kind == "new":
        return f"{change.row_label} · {change.field_label}: {new} (новое)"
    if change.kind == "unchanged":
        return f"{change.row_label} · {change.field_label}: {new} (без изменений)"
    return f"{change.row_label} · {change.field_label}: {old} → {new}"


def describe_problem(problem: Problem) -> str:
    """«Файл «x.xlsx», лист «Результаты», ячейка E7: «abc» — нужно целое число, например 26.»"""
    where = [f"Файл {file_name(problem.file)}"]
    if problem.sheet:
        where.append(f"лист «{problem.sheet}»")
    if problem.cell:
        where.append(f"ячейка {problem.cell}")
    value = f"{_value(problem.value)} — " if problem.cell else ""
    expected = problem.expected.rstrip(".")
    return f"{', '.join(where)}: {value}{expected}."


def _edit(edit: LaterEdit) -> str:
    what = _FIELDS.get(edit.table, edit.table)
    return (
        f"изменение № {edit.set_id} от {format_timestamp(edit.created_at)}"
        + (f" ({edit.actor})" if edit.actor else "")
        + f": «{edit.label}» — {what}, запись № {edit.row_id}"
        + (f", поле {edit.column}" if edit.column not in ("insert", "update", "delete") else "")
    )


def _file_error(exc: DomainError) -> str | None:  # noqa: PLR0911, PLR0912 (one branch per error)
    path = getattr(exc, "path", "")
    name = f"Файл {file_name(path)}"
    if isinstance(exc, EmptyWorkbookFileError):
        return f"{name} пуст (0 байт): в нём нет данных. Попросите школу прислать файл ещё раз."
    if isinstance(exc, NotAWorkbookError):
        kind = _KINDS.get(exc.kind, _KINDS["unknown"])
        advice = _ADVICE.get(exc.kind, " Нужна книга Excel (.xlsx) или таблица CSV.")
        return f"{name} не загружен: {kind}.{advice}"
    if isinstance(exc, OldExcelFormatError):
        return (
            f"{name} — книга старого формата Excel 97–2003 (.xls). {_SAVE_AS_XLSX} "
            "Иначе говоря: сохраните как .xlsx."
        )
    if isinstance(exc, EncryptedWorkbookError):
        return (
            f"{name} защищён паролем на открытие, прочитать его нельзя. Попросите школу снять "
            "пароль («Файл → Сведения → Защитить книгу → Зашифровать с помощью пароля», "
            "пустой пароль) и прислать файл снова."
        )
    if isinstance(exc, TruncatedWorkbookError):
        return (
            f"{name} повреждён или обрезан (вероятно, копирование или отправка прервались). "
            "Попросите школу прислать файл ещё раз."
        )
    if isinstance(exc, ZipBombError):
        return (
            f"{name} не загружен: при распаковке он занял бы слишком много места "
            f"({_size(exc.declared)} и больше) — так не бывает у книги школы. Файл может быть "
            "опасен; попросите школу прислать исходную книгу."
        )
    if isinstance(exc, XmlEntitiesError):
        return (
            f"{name} не загружен: внутри книги есть объявления DOCTYPE/ENTITY, которых не бывает "
            "в книгах Excel и LibreOffice (так устроены опасные файлы). Попросите школу "
            "сохранить книгу заново в Excel или LibreOffice."
        )
    if isinstance(exc, SheetTooLargeError):
        rows = f" ({exc.rows:,} строк)".replace(",", " ") if exc.rows else ""
        return (
            f"{name}: лист «{exc.sheet}» слишком велик{rows}: в книге школы не больше "
            f"{exc.max_rows:,} строк и {exc.max_columns} столбцов. ".replace(",", " ")
            + "Удалите лишние строки и столбцы и сохраните файл снова."
        )
    if isinstance(exc, FormulaWithoutValueError):
        cell = f", ячейка {exc.cell}" if exc.cell else ""
        return (
            f"{name}, лист «{exc.sheet}»{cell}: вместо значения формула {exc.formula}, и её "
            "результат не сохранён. Откройте файл в Excel или LibreOffice, чтобы формулы "
            "пересчитались, и сохраните его; лучше — замените формулы числами."
        )
    if isinstance(exc, UnreadableWorkbookError):
        return (
            f"{name} не удалось прочитать как книгу Excel: он повреждён или сохранён "
            "необычной программой. Откройте его в Excel или LibreOffice и сохраните как .xlsx."
        )
    if isinstance(exc, FileAccessError):
        if exc.detail.startswith("FileNotFoundError"):
            return f"{name} не найден: возможно, флешку отключили или файл переместили."
        return (
            f"{name} не удалось открыть: нет доступа или файл занят другой программой. "
            "Закройте его в других программах и повторите."
        )
    if isinstance(exc, FileTooLargeError):
        return (
            f"{name} слишком велик ({_size(exc.size)}; таблица школы — не больше "
            f"{_size(exc.limit)})."
        )
    return _content_error(exc, name)


def _content_error(exc: DomainError, name: str) -> str | None:  # noqa: PLR0911
    if isinstance(exc, NotATemplateError):
        sheets = ", ".join(f"«{s}»" for s in exc.sheets[:6])
        return (
            f"{name} не похож на шаблон школы: в нём нет листов «Паспорт», «Результаты» или "
            f"«Дорожная карта» (есть: {sheets or 'ни одного листа'}). Отправьте школе шаблон "
            "из программы («Обмен → Шаблоны для школ»)."
        )
    if isinstance(exc, SchoolNotStatedError):
        what = "какой школы" if exc.missing == "school" else "за какой учебный год"
        return (
            f"{name}: не указано, {what} эти сведения (нет служебного листа шаблона, нет ячеек "
            "«Код школы» и «Учебный год»; в таблице CSV нужны столбцы «Код школы» и "
            "«Учебный год»)."
        )
    if isinstance(exc, UnknownSchoolError):
        return (
            f"{name}: школы с кодом «{exc.code}» нет в базе. Проверьте код или добавьте школу."
            if exc.in_file
            else f"Школы с кодом «{exc.code}» нет в базе."
        )
    if isinstance(exc, TemplateVersionError):
        return (
            f"{name} сделан более новой версией программы (версия шаблона {exc.version}). "
            "Обновите ШНОР Desktop и загрузите файл снова."
        )
    if isinstance(exc, FileProblemsError):
        shown = "\n".join(describe_problem(p) for p in exc.problems[:10])
        more = len(exc.problems) - 10
        tail = f"\n… и ещё замечаний: {more}." if more > 0 else ""
        return f"{name} не загружен: исправьте значения и загрузите файл снова.\n{shown}{tail}"
    if isinstance(exc, MismatchNotConfirmedError):
        return (
            f"{name} не загружен без подтверждения: {exc.detail}. Если это верно, загрузите его "
            "в окне программы («Обмен → Импорт») и подтвердите."
        )
    return None


def describe_exchange_error(exc: DomainError) -> str | None:
    """The Russian words for an error of the exchange (None: not one of them)."""
    if isinstance(exc, RollbackConflictError):
        edits = "; ".join(_edit(e) for e in exc.edits[:5])
        more = len(exc.edits) - 5
        tail = f" и ещё {more}" if more > 0 else ""
        found = f" Позже изменены те же значения: {edits}{tail}." if edits else ""
        return (
            f"Загрузку файла {file_name(exc.file_name)} нельзя откатить: значения, которые она "
            f"записала, потом изменены.{found} Сначала отмените эти изменения или исправьте "
            "значения вручную."
        )
    if isinstance(exc, BatchNotFoundError):
        return f"Загрузки № {exc.batch_id} нет в истории."
    if isinstance(exc, BatchNotAppliedError):
        if exc.status == "rolled_back":
            return f"Загрузка № {exc.batch_id} уже откачена."
        return f"Загрузка № {exc.batch_id} ничего не изменила: откатывать нечего."
    return _file_error(exc)
