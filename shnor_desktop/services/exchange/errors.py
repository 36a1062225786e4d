"""Typed errors of the exchange with the schools (templates, reading, import, rollback).

They carry facts only (the file, the sheet, the cell, the limits); the Russian
wording is in :mod:`shnor_desktop.services.exchange.wording`, reached through
``services/messages.py::describe_error`` like every other error.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from shnor_desktop.models.errors import DomainError


@dataclass(frozen=True)
class Problem:
    """One value of a file that cannot be taken, and what was expected (in Russian).

    ``sheet`` and ``cell`` name where it is («Результаты», «E7»); ``value`` is
    the cell as read (shown to the user as it was typed); ``expected`` says
    what would be taken («нужно целое число, например 26»).
    """

    file: str
    sheet: str
    cell: str
    value: Any
    expected: str


# --------------------------------------------------------------------------- reading a file
@dataclass
class WorkbookFileError(DomainError):
    """Base of the errors that refuse a whole file before any of its values is read."""

    path: Path


@dataclass
class EmptyWorkbookFileError(WorkbookFileError):
    """The file has no bytes at all."""


@dataclass
class NotAWorkbookError(WorkbookFileError):
    """The file is not an Excel workbook (nor a CSV table).

    ``kind`` says what it looks like: ``pdf``, ``word``, ``html``, ``image``,
    ``zip`` (an archive without a workbook), ``ods`` (a LibreOffice table),
    ``xml2003`` (Excel's old XML table), ``ole`` (another old Office file),
    ``text`` or ``unknown``.
    """

    kind: str = "unknown"


@dataclass
class OldExcelFormatError(WorkbookFileError):
    """An Excel 97–2003 workbook (.xls): it has to be saved as .xlsx first."""


@dataclass
class EncryptedWorkbookError(WorkbookFileError):
    """The workbook is protected by a password to open (an encrypted package)."""


@dataclass
class TruncatedWorkbookError(WorkbookFileError):
    """The file ends too early or its parts are damaged (a copy was cut off)."""

    detail: str = ""


@dataclass
class ZipBombError(WorkbookFileError):
    """The archive would unpack to far more than a school's workbook can hold.

    ``entry`` is the part that gave it away (empty when the total did),
    ``declared`` its unpacked size in bytes as the archive states it,
    ``limit`` the size allowed; ``reason``: ``size``, ``ratio``, ``entries``
    or ``lying`` (a part unpacks to more than its header says).
    """

    entry: str = ""
    declared: int = 0
    limit: int = 0
    reason: str = "size"


@dataclass
class XmlEntitiesError(WorkbookFileError):
    """A part of the workbook declares a DOCTYPE or entities (XXE, «billion laughs»)."""

    part: str = ""


@dataclass
class SheetTooLargeError(WorkbookFileError):
    """A sheet has more rows or columns than any school's workbook needs."""

    sheet: str = ""
    rows: int = 0
    max_rows: int = 0
    max_columns: int = 0


@dataclass
class FormulaWithoutValueError(WorkbookFileError):
    """A cell holds a formula that was never calculated (no value saved with it)."""

    sheet: str = ""
    cell: str = ""
    formula: str = ""


@dataclass
class UnreadableWorkbookError(WorkbookFileError):
    """The reader could not read the workbook (its own message in ``detail``, never shown)."""

    detail: str = ""


@dataclass
class FileAccessError(WorkbookFileError):
    """The file could not be opened: no access, or another program holds it."""

    detail: str = ""


@dataclass
class FileTooLargeError(WorkbookFileError):
    """A table file (CSV) is larger than a school's table can be."""

    size: int = 0
    limit: int = 0


# --------------------------------------------------------------------------- what the file says
@dataclass
class NotATemplateError(WorkbookFileError):
    """The workbook has none of the sheets of a school's template (nor a results table)."""

    sheets: tuple[str, ...] = ()


@dataclass
class SchoolNotStatedError(WorkbookFileError):
    """The file does not say which school (or school year) it is for."""

    missing: str = "school"


@dataclass
class UnknownSchoolError(WorkbookFileError):
    """The file names a school code that the database does not know.

    ``in_file`` False: the code was given for templates (``path`` is then the database).
    """

    code: str = ""
    in_file: bool = True


@dataclass
class TemplateVersionError(WorkbookFileError):
    """The template is of a version this program cannot read (newer than it knows)."""

    version: str = ""


@dataclass
class FileProblemsError(WorkbookFileError):
    """Values of the file cannot be taken: the whole file is refused (nothing is written)."""

    problems: list[Problem] = field(default_factory=list)


@dataclass
class MismatchNotConfirmedError(WorkbookFileError):
    """The file is for another school or year than expected, and nobody confirmed it."""

    detail: str = ""


# --------------------------------------------------------------------------- history
@dataclass(frozen=True)
class LaterEdit:
    """An edit made after an import to a value that the import wrote."""

    set_id: int
    created_at: str
    actor: str
    label: str
    table: str
    row_id: int
    column: str


@dataclass
class BatchNotFoundError(DomainError):
    """No import batch has this number."""

    batch_id: int


@dataclass
class BatchNotAppliedError(DomainError):
    """The batch changed nothing or was rolled back already: there is nothing to roll back."""

    batch_id: int
    status: str = ""


@dataclass
class RollbackConflictError(DomainError):
    """A batch cannot be rolled back: later edits changed values that it wrote.

    ``edits`` names them (newest last); nothing was rolled back.
    """

    batch_id: int
    file_name: str
    edits: list[LaterEdit] = field(default_factory=list)
