"""Import of the workbooks schools send back: preview, atomic commit, history, rollback.

**Preview** (:func:`plan_import`): every file (a folder is walked) is read
safely (:mod:`.reader`), its school and school year found (the signature
sheet, else the visible cells), each input cell parsed and checked with the
same field rules as the screens (``models/rules.py`` through
:func:`~shnor_desktop.models.fields.check_value`), and compared with the
database: new, changed and unchanged values (old → new), problems (file,
sheet, cell, value, what was expected, in Russian) and a status per file.
Nothing is written.  A results table written by a program (a region's
50,000 rows) is checked and compared column by column when every cell is
clean (:class:`_ColumnReader`), and a new one is written by the change log's
bulk path (``ChangeSet.insert_columns``): nothing per row is built until a
row is shown.

**Commit** (:func:`commit_import`): each file is **atomic** — one change set
of kind «import» holding all of its values, and an ``import_batch`` row
(SHA-256, file name, school, year, template version, summary) written in the
same transaction; a problem, an error or a cancel rolls the whole file back.
A file already imported (same SHA-256, not rolled back) changes nothing and
says so; a newer file for the same school and year updates the values, and
the change log keeps their history.  The diff is computed again inside the
transaction, so edits made between the preview and the commit are respected.

**History and rollback**: :func:`import_history` lists the batches (a batch
whose change set was reverted — by a rollback or by Правка → Отменить — reads
as rolled back); :func:`rollback_batch` reverts a batch's change set, or
refuses with :class:`~.errors.RollbackConflictError` naming the later edits
that changed the same values.

``import_batch`` is bookkeeping beside the change log (like ``change_set``):
it is written in the import's own transaction, never through the log, so a
rollback reverts the data and keeps the record of the batch.
"""

from __future__ import annotations

import bisect
import contextlib
import itertools
import json
import math
import operator
import os
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, overload

from shnor_desktop.models.changelog import ChangeSet, ChangeSetInfo
from shnor_desktop.models.errors import Cancelled, DomainError, RevertConflictError
from shnor_desktop.models.fields import FieldIssue, FieldSpec, InvalidValueError, check_value
from shnor_desktop.models.jobs import JobState
from shnor_desktop.models.schema import PROCEDURES
from shnor_desktop.models.text import fold, format_number, parse_school_year, school_year_label
from shnor_desktop.services.exchange import layout
from shnor_desktop.services.exchange.errors import (
    BatchNotAppliedError,
    BatchNotFoundError,
    FileAccessError,
    FileProblemsError,
    LaterEdit,
    MismatchNotConfirmedError,
    NotATemplateError,
    Problem,
    RollbackConflictError,
    SchoolNotStatedError,
    TemplateVersionError,
    UnknownSchoolError,
    WorkbookFileError,
)
from shnor_desktop.services.exchange.layout import Column
from shnor_desktop.services.exchange.numbers import NumberSyntaxError, parse_number
from shnor_desktop.services.exchange.reader import (
    CellValue,
    SheetData,
    WorkbookData,
    cell_name,
    read_workbook,
)

if TYPE_CHECKING:
    from shnor_desktop.models.database import Database

__all__ = [
    "BatchRow",
    "FilePlan",
    "FileStatus",
    "ImportPlan",
    "ImportResult",
    "Problem",
    "ResultStatus",
    "ValueChange",
    "collect_files",
    "commit_import",
    "import_history",
    "plan_import",
    "rollback_batch",
    "write_problems_xlsx",
]

IMPORT_SUFFIXES: Final = (".xlsx", ".xlsm", ".xls", ".csv", ".ods")
"""Files a folder walk picks up (a file named explicitly is always read, whatever its name)."""
HEADER_ROWS: Final = 30
"""Rows at the top of a sheet searched for its header."""
MAX_PROBLEMS: Final = 1000
"""Problems listed per file (the rest are counted: a wrong file has them in every cell)."""
MAX_LATER_EDITS: Final = 50
IMPORT_LOCK_TIMEOUT: Final = 30.0
"""Seconds a file's import waits for the database (another write under way) before it gives up."""

TABLE_PASSPORT: Final = "school_profile"
TABLE_RESULTS: Final = "assessment"
TABLE_REPORTS: Final = "activity_report"


class FileStatus(StrEnum):
    """What committing a file would do."""

    NEW = "new"
    """Values new to the database (nothing it held is changed)."""
    UPDATE = "update"
    """Some values the database held change."""
    SAME = "same"
    """Already imported, or every value as the database holds it: «без изменений»."""
    MISMATCH = "mismatch"
    """For another school or school year than it says or than expected: needs confirmation."""
    REJECTED = "rejected"
    """Cannot be imported: the file, or some of its values, are refused."""


class ResultStatus(StrEnum):
    """What committing a file did."""

    APPLIED = "applied"
    UNCHANGED = "unchanged"
    REJECTED = "rejected"
    SKIPPED = "skipped"


@dataclass(frozen=True)
class ValueChange:
    """One value of a file against the database: ``kind`` is «new», «changed» or «unchanged».

    ``row_label`` names the row («Паспорт 2023/24», «ВПР · Математика · 5 класс»),
    ``field_label`` the field («Участвовали»); ``sheet`` and ``cell`` say where
    the value is in the file, ``field`` is the column of ``table``.
    """

    table: str
    row_label: str
    field_label: str
    old: Any
    new: Any
    kind: str
    sheet: str = ""
    cell: str = ""
    field: str = ""


# --------------------------------------------------------------------------- parsed rows
class _Cells(Mapping[str, str]):
    """The cells of a table row's values, named on demand («E7»): a big sheet has 550,000."""

    __slots__ = ("_columns", "_row")

    def __init__(self, row: int, columns: Mapping[str, int]) -> None:
        self._row = row
        self._columns = columns

    def __getitem__(self, name: str) -> str:
        return cell_name(self._row, self._columns[name])

    def __iter__(self) -> Iterator[str]:
        return iter(self._columns)

    def __len__(self) -> int:
        return len(self._columns)


@dataclass(slots=True)
class _Row:
    """A row of values read from a file, keyed as the database keys it."""

    table: str
    key: tuple[Any, ...]
    label: str
    sheet: str
    values: dict[str, Any]
    cells: Mapping[str, str]


def _result_label(key: tuple[Any, ...]) -> str:
    return f"{key[0]} · {key[1]} · {key[2]} класс"


@dataclass(slots=True)
class _Diff:
    """A parsed row against the database: its row id (None: new) and stored values."""

    row: _Row
    row_id: int | None
    old: Mapping[str, Any] | None

    def kind_of(self, name: str) -> str:
        if self.old is None:
            return "new"
        stored = self.old.get(name)
        if stored is None or stored == "":
            return "unchanged" if self.row.values[name] in (None, "") else "new"
        return "unchanged" if _same(stored, self.row.values[name]) else "changed"

    def changed_values(self) -> dict[str, Any]:
        return {n: v for n, v in self.row.values.items() if self.kind_of(n) != "unchanged"}


def _same(stored: Any, new: Any) -> bool:
    if isinstance(stored, float) or isinstance(new, float):
        try:
            return abs(float(stored) - float(new)) < 1e-9
        except (TypeError, ValueError):
            return False
    return bool(stored == new)


@dataclass
class _ResultBlock:
    """A results table read column by column (a region's 50,000 rows): rows made on demand.

    Record ``i`` is the row (``procedures[i]``, ``subjects[i]``, ``grades[i]``)
    found at 0-based sheet row ``sheet_rows[i]``; ``columns[j][i]`` is its value
    of the field ``names[j]`` (None: the cell was blank).  ``full`` is True when
    no value is blank (then every record has every field).  A record has at
    least one value.  Nothing per row is built until a row is asked for; the
    fields in ``whole`` (counts) are checked whole numbers kept as the floats
    calamine read, made ints when a row is made or written (:meth:`exact`).
    """

    sheet: str
    names: tuple[str, ...]
    procedures: list[str]
    subjects: list[str]
    grades: list[int]
    columns: list[list[Any]]
    sheet_rows: Sequence[int]
    cell_columns: Mapping[str, int]
    full: bool
    whole: frozenset[str] = frozenset()
    _counts: list[int] | None = field(default=None, repr=False)
    _keys: list[tuple[str, str, int]] | None = field(default=None, repr=False)

    @property
    def keys(self) -> list[tuple[str, str, int]]:
        """The key of each record (made on first use: 50,000 tuples are not free)."""
        if self._keys is None:
            self._keys = list(zip(self.procedures, self.subjects, self.grades, strict=True))
        return self._keys

    def __len__(self) -> int:
        return len(self.procedures)

    def column(self, name: str) -> list[Any] | None:
        """The values of field ``name`` (None when the table has no such column)."""
        return self.columns[self.names.index(name)] if name in self.names else None

    def values(self, index: int) -> dict[str, Any]:
        """The values of record ``index`` (its blank fields left out)."""
        whole = self.whole
        return {
            name: int(value) if name in whole else value
            for name, column in zip(self.names, self.columns, strict=True)
            if (value := column[index]) is not None
        }

    def exact(self, j: int) -> list[Any]:
        """The values of field ``names[j]`` as written: counts as ints, blanks as None."""
        column = self.columns[j]
        if self.names[j] not in self.whole:
            return column
        if self.full:
            return [*map(int, column)]
        return [None if value is None else int(value) for value in column]

    def row(self, index: int) -> _Row:
        """Record ``index`` as a row of the file."""
        key = (self.procedures[index], self.subjects[index], self.grades[index])
        return _Row(
            TABLE_RESULTS,
            key,
            _result_label(key),
            self.sheet,
            self.values(index),
            _Cells(self.sheet_rows[index], self.cell_columns),
        )

    def value_counts(self) -> list[int]:
        """How many values each record has."""
        if self._counts is None:
            width = len(self.names)
            counts = [width] * len(self)
            for column in self.columns:
                if None in column:
                    for index, value in enumerate(column):
                        if value is None:
                            counts[index] -= 1
            self._counts = counts
        return self._counts

    def value_total(self) -> int:
        """How many values the table has."""
        if self.full:
            return len(self.names) * len(self)
        return len(self.names) * len(self) - sum(c.count(None) for c in self.columns)


class _BlockDiffs(Sequence[_Diff]):
    """The records of a :class:`_ResultBlock` against the database, compared on demand.

    ``found[i]`` is the stored (row id, values) of record ``i``, or None when
    it is new; ``found`` itself is None when the database holds none of them.
    """

    def __init__(
        self, block: _ResultBlock, found: list[tuple[int, dict[str, Any]] | None] | None
    ) -> None:
        self.block = block
        self.found = found if found is not None and any(found) else None

    def __len__(self) -> int:
        return len(self.block)

    @overload
    def __getitem__(self, index: int) -> _Diff: ...

    @overload
    def __getitem__(self, index: slice) -> list[_Diff]: ...

    def __getitem__(self, index: int | slice) -> _Diff | list[_Diff]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        stored = None if self.found is None else self.found[index]
        row = self.block.row(index)
        return _Diff(row, None, None) if stored is None else _Diff(row, *stored)

    def __iter__(self) -> Iterator[_Diff]:
        for index in range(len(self)):
            yield self[index]

    @property
    def all_new(self) -> bool:
        """True when the database holds none of the records."""
        return self.found is None

    def new_indexes(self) -> Iterator[int]:
        """The records the database does not hold."""
        if self.found is None:
            return iter(range(len(self)))
        return (i for i, stored in enumerate(self.found) if stored is None)


def _value_total(part: Sequence[_Diff]) -> int:
    if isinstance(part, _BlockDiffs):
        return part.block.value_total()
    return sum(len(diff.row.values) for diff in part)


_FIELD_LABELS: Final[dict[tuple[str, str], str]] = {
    **{(TABLE_PASSPORT, s.name): s.label for s in layout.PASSPORT_FIELDS},
    **{(TABLE_RESULTS, s.name): s.label for s in layout.RESULT_FIELDS},
    **{(TABLE_REPORTS, s.name): s.label for s in layout.REPORT_FIELDS},
}


class ChangeList(Sequence[ValueChange]):
    """The value changes of a file, made on demand (a 50,000-row file has 450,000 values).

    Behaves as a read-only list; counting by kind needs no objects.  ``parts``
    are the compared rows in the order of the file (passport, results, roadmap);
    a results table read column by column is one lazy part (:class:`_BlockDiffs`).
    """

    def __init__(self, parts: Sequence[Sequence[_Diff]]) -> None:
        self._parts = [part for part in parts if len(part)]
        self._part_starts: list[int] = []
        total = 0
        for part in self._parts:
            self._part_starts.append(total)
            total += _value_total(part)
        self._total = total
        self._row_starts: dict[int, list[int]] = {}
        self._counts: dict[str, int] | None = None

    def __len__(self) -> int:
        return self._total

    @property
    def parts(self) -> Sequence[Sequence[_Diff]]:
        """The rows compared, in parts (one row per row of the file that has values)."""
        return self._parts

    @overload
    def __getitem__(self, index: int) -> ValueChange: ...

    @overload
    def __getitem__(self, index: slice) -> list[ValueChange]: ...

    def __getitem__(self, index: int | slice) -> ValueChange | list[ValueChange]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(self._total))]
        if index < 0:
            index += self._total
        if not 0 <= index < self._total:
            raise IndexError(index)
        which = bisect.bisect_right(self._part_starts, index) - 1
        part, offset = self._parts[which], index - self._part_starts[which]
        if isinstance(part, _BlockDiffs) and part.block.full:
            position, inner = divmod(offset, len(part.block.names))  # no blank: equal rows
        else:
            starts = self._starts_of(which)
            position = bisect.bisect_right(starts, offset) - 1
            inner = offset - starts[position]
        diff = part[position]
        return self._make(diff, list(diff.row.values)[inner])

    def _starts_of(self, which: int) -> list[int]:
        """Where each row of part ``which`` starts among the part's values."""
        starts = self._row_starts.get(which)
        if starts is None:
            part = self._parts[which]
            sizes: Iterable[int] = (
                part.block.value_counts()
                if isinstance(part, _BlockDiffs)
                else (len(diff.row.values) for diff in part)
            )
            starts = [0, *itertools.accumulate(sizes)][:-1]
            self._row_starts[which] = starts
        return starts

    def __iter__(self) -> Iterator[ValueChange]:
        for part in self._parts:
            for diff in part:
                for name in diff.row.values:
                    yield self._make(diff, name)

    @staticmethod
    def _make(diff: _Diff, name: str) -> ValueChange:
        row = diff.row
        return ValueChange(
            table=row.table,
            row_label=row.label,
            field_label=_FIELD_LABELS.get((row.table, name), name),
            old=None if diff.old is None else diff.old.get(name),
            new=row.values[name],
            kind=diff.kind_of(name),
            sheet=row.sheet,
            cell=row.cells.get(name, ""),
            field=name,
        )

    def counts(self) -> dict[str, int]:
        """How many values are «new», «changed» and «unchanged»."""
        if self._counts is None:
            counts = {"new": 0, "changed": 0, "unchanged": 0}
            for part in self._parts:
                if isinstance(part, _BlockDiffs) and part.all_new:
                    counts["new"] += part.block.value_total()
                    continue
                for diff in part:
                    if diff.old is None:
                        counts["new"] += len(diff.row.values)
                        continue
                    for name in diff.row.values:
                        counts[diff.kind_of(name)] += 1
            self._counts = counts
        return dict(self._counts)


@dataclass
class _Parsed:
    """Everything read from one file, before it is compared with the database."""

    passport: _Row | None = None
    results: list[_Row] = field(default_factory=list)
    result_block: _ResultBlock | None = None
    """The results when read column by column (then ``results`` is empty)."""
    reports: list[_Row] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    problem_count: int = 0


@dataclass
class FilePlan:
    """The preview of one file: who it is for, what it would change, what is wrong with it.

    ``changes`` lists every value of the file against the database (made on
    demand; see :class:`ChangeList`); ``problems`` the values refused (a file
    with problems is REJECTED as a whole); ``warnings`` what is kept but
    worth a look (marks that do not add up to the participants); ``notes``
    say in Russian why a file is SAME or MISMATCH.  ``error`` is the typed
    error that refuses the file (None when it can be imported).
    """

    path: Path
    sha256: str
    school_id: int | None
    school_name: str
    year: int | None
    template_version: str
    status: FileStatus
    changes: ChangeList = field(default_factory=lambda: ChangeList([]))
    problems: list[Problem] = field(default_factory=list)
    error: DomainError | None = None
    warnings: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    school_code: str = ""
    previous_batch_id: int | None = None
    problem_count: int = 0
    _parsed: _Parsed | None = field(default=None, repr=False, compare=False)
    _log_mark: int = field(default=-1, repr=False, compare=False)
    """The newest change set when the preview compared the file (its diff holds until then)."""

    @property
    def name(self) -> str:
        """The file's name (without its folder)."""
        return self.path.name

    def counts(self) -> dict[str, int]:
        """How many values are new, changed and unchanged."""
        return self.changes.counts()


@dataclass
class ImportPlan:
    """The preview of every file of an import."""

    files: list[FilePlan] = field(default_factory=list)

    def importable(self) -> list[FilePlan]:
        """Files that commit would write (NEW and UPDATE; MISMATCH only once confirmed)."""
        return [f for f in self.files if f.status in (FileStatus.NEW, FileStatus.UPDATE)]


@dataclass(frozen=True)
class ImportResult:
    """What committing one file did: its batch and change set, or why nothing was written."""

    path: Path
    status: ResultStatus
    batch_id: int | None = None
    change_set: ChangeSetInfo | None = None
    new: int = 0
    changed: int = 0
    error: DomainError | None = None


@dataclass(frozen=True)
class BatchRow:
    """One imported file in the history: when, whose, what it changed, whether still in effect."""

    id: int
    file_name: str
    sha256: str
    imported_at: str
    school_id: int | None
    school_code: str
    school_name: str
    year: int | None
    template_version: str
    status: str
    summary: str
    change_set_id: int | None
    actor: str = ""
    row_count: int = 0


# --------------------------------------------------------------------------- files
def collect_files(paths: Sequence[Path]) -> list[Path]:
    """The files to import: files as given, folders walked for workbooks and CSV tables.

    Office's lock files («~$…») and hidden files in a folder are skipped.
    """
    found: list[Path] = []
    for given in paths:
        path = Path(given)
        if path.is_dir():
            for root, dirs, names in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(names):
                    if name.startswith(("~$", ".")):
                        continue
                    if name.lower().endswith(IMPORT_SUFFIXES):
                        found.append(Path(root) / name)
        else:
            found.append(path)
    unique: list[Path] = []
    seen: set[Path] = set()
    for path in found:
        key = path.resolve()
        if key not in seen:
            seen.add(key)
            unique.append(path)
    return unique


def _wanted(name: str) -> bool:
    key = layout.header_key(name)
    return any(key in aliases for aliases in layout.SHEET_ALIASES.values())


# --------------------------------------------------------------------------- cells
def _text(value: CellValue) -> str:  # noqa: PLR0911 (one return per kind of cell)
    """A cell as text: numbers without «.0», dates as 31.08.2024."""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return "да" if value else "нет"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, float):
        return format_number(value, 2).rstrip("0").rstrip(",")
    if isinstance(value, datetime) and value.time() != datetime.min.time():
        return value.strftime("%d.%m.%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d.%m.%Y")
    return str(value).strip()


def _blank(value: CellValue) -> bool:
    return value == "" or (isinstance(value, str) and not value.strip())


class _CellError(Exception):
    """A cell's value refused: the Russian words of what was expected."""

    def __init__(self, expected: str) -> None:
        super().__init__(expected)
        self.expected = expected


def _describe(issue: FieldIssue) -> str:
    from shnor_desktop.services.messages import describe_issue

    return describe_issue(issue)


def _expected_of(spec: FieldSpec, code: str, *args: Any) -> str:
    if spec.name == "status":
        return "нужно одно из значений списка: " + ", ".join(layout.STATUS_WORDS)
    if spec.kind == "flag":
        return "нужно «да» или «нет»"
    return _describe(FieldIssue(spec.name, code, "error", args, ""))


def _parse_value(spec: FieldSpec, raw: CellValue) -> Any:
    """The value of a cell for ``spec``, normalised by the field's own check; or _CellError."""
    kind = spec.kind
    value: Any
    if kind in ("count", "share", "real", "int", "ref", "school", "person"):
        try:
            value = parse_number(raw)
        except NumberSyntaxError:
            raise _CellError(_expected_of(spec, "not_number")) from None
    elif kind == "flag":
        if isinstance(raw, bool) or (isinstance(raw, int | float) and raw in (0, 1)):
            value = int(raw)
        else:
            value = layout.flag_value(_text(raw))
            if value is None:
                raise _CellError(_expected_of(spec, "not_flag"))
    elif spec.name == "status":
        value = layout.STATUS_BY_WORD.get(fold(_text(raw)).rstrip("."))
        if value is None:
            raise _CellError(_expected_of(spec, "unknown_choice"))
    else:
        value = _text(raw)
        if len(value) > layout.MAX_TEXT:
            raise _CellError(f"нужен текст не длиннее {layout.MAX_TEXT} знаков")
    try:
        return check_value(spec, value)
    except InvalidValueError as exc:
        issue = exc.issue
        raise _CellError(_expected_of(spec, issue.code, *issue.args)) from None


_PROCEDURES: Final = {p: p for p in PROCEDURES}


def _quick_key(
    procedure: CellValue, subject: CellValue, grade: CellValue
) -> tuple[str, str, int] | None:
    """The key of a result row written plainly («ВПР», «Математика», 5.0); else None."""
    if (
        type(grade) is float
        and grade.is_integer()
        and 1 <= grade <= 11
        and type(procedure) is str
        and procedure in _PROCEDURES
        and type(subject) is str
    ):
        text = subject.strip()
        if text:
            return (procedure, text, int(grade))
    return None


def _maybe_fraction(spec: FieldSpec, raw: CellValue) -> bool:
    """A share given as a fraction (0.225): a cell formatted as percent shows «22,5 %»."""
    return spec.kind == "share" and type(raw) is float and 0 < raw <= 1


def _as_percent(spec: FieldSpec, raw: CellValue) -> Any:
    assert isinstance(raw, float)
    return check_value(spec, round(raw * 100, 10))


def _percent_cells(
    data: WorkbookData, sheet: str, cells: Mapping[tuple[int, int], FieldSpec]
) -> dict[tuple[int, int], FieldSpec]:
    """The cells among ``cells`` whose number format is a percentage («22 %» typed in Excel).

    Excel and LibreOffice store «22 %» as 0.22 in a cell formatted as percent;
    calamine gives the value without its format, so openpyxl (read-only, on a
    file that passed every check of the reader) looks at those few cells only.
    """
    if not cells or data.kind != "xlsx":
        return {}
    from openpyxl import load_workbook

    found: dict[tuple[int, int], FieldSpec] = {}
    try:
        book = load_workbook(data.path, read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - the value stays as calamine read it
        return {}
    try:
        last = max(row for row, _column in cells) + 1
        for index, line in enumerate(book[sheet].iter_rows(min_row=1, max_row=last)):
            for column, cell in enumerate(line):
                spec = cells.get((index, column))
                if spec is not None and "%" in str(getattr(cell, "number_format", "") or ""):
                    found[(index, column)] = spec
    except Exception:  # noqa: BLE001 - the value stays as calamine read it
        return {}
    finally:
        book.close()
    return found


# --------------------------------------------------------------------------- sheets
def _merged_heads(sheet: SheetData) -> dict[tuple[int, int], tuple[int, int]]:
    """Each cell of the header area covered by a merged range → the range's first cell.

    Only the top :data:`HEADER_ROWS` rows matter, so a sheet with a million
    merged ranges costs one pass over them, never one pass per cell.
    """
    heads: dict[tuple[int, int], tuple[int, int]] = {}
    for (r1, c1), (r2, c2) in sheet.merged:
        if r1 >= HEADER_ROWS:
            continue
        for row in range(r1, min(r2, HEADER_ROWS - 1) + 1):
            for column in range(c1, min(c2, c1 + 256) + 1):
                heads.setdefault((row, column), (r1, c1))
    return heads


def _header_texts(
    sheet: SheetData, row: int, heads: Mapping[tuple[int, int], tuple[int, int]]
) -> list[str]:
    """The folded header text of each cell of a row (a merged cell gives its range's text)."""
    if not 0 <= row < len(sheet.rows):
        return []
    texts = []
    for column, own in enumerate(sheet.rows[row]):
        value = (
            sheet.value(*heads[(row, column)]) if _blank(own) and (row, column) in heads else own
        )
        texts.append(layout.header_key(value) if isinstance(value, str) else "")
    return texts


def _lookup(columns: Sequence[Column]) -> dict[str, str]:
    """Header text → column key (the first column that takes a text wins)."""
    lookup: dict[str, str] = {}
    for column in columns:
        for text in column.keys:
            lookup.setdefault(text, column.key)
    return lookup


def _find_header(
    sheet: SheetData, columns: Sequence[Column], needed: int
) -> tuple[int, dict[str, int]] | None:
    """The header row and the column of each known key (found by header text).

    A header may span two rows (a merged «Получили отметки» over «2», «3» …):
    a column is matched by its own text, by its text under the merged cell
    above, or by the text above alone.  Only text cells are headers.
    """
    lookup = _lookup(columns)
    heads = _merged_heads(sheet)
    best: tuple[int, dict[str, int]] | None = None
    above: list[str] = []
    for row in range(min(len(sheet.rows), HEADER_ROWS)):
        own_texts = _header_texts(sheet, row, heads)
        found: dict[str, int] = {}
        for column, own in enumerate(own_texts):
            upper = above[column] if column < len(above) else ""
            for text in (own, f"{upper} {own}".strip() if upper and own else "", upper):
                key = lookup.get(text) if text else None
                if key is not None and key not in found:
                    found[key] = column
                    break
        if len(found) >= needed and (best is None or len(found) > len(best[1])):
            best = (row, found)
        above = own_texts
    return best


class _Reader:
    """Reads the sheets of one file into rows; collects the problems with their cells."""

    def __init__(self, data: WorkbookData) -> None:
        self.data = data
        self.file = data.path.name
        self.parsed = _Parsed()
        # The keys of the rows a template listed, in the order found (for its checksum).
        self.passport_keys: list[str] = []
        self.result_keys: list[str] = []
        self.activity_keys: list[int] = []

    def problem(self, sheet: str, cell: str, value: CellValue, expected: str) -> None:
        self.parsed.problem_count += 1
        if len(self.parsed.problems) < MAX_PROBLEMS:
            self.parsed.problems.append(Problem(self.file, sheet, cell, value, expected))

    def warning(self, sheet: str, cell: str, value: CellValue, expected: str) -> None:
        if len(self.parsed.warnings) < MAX_PROBLEMS:
            self.parsed.warnings.append(Problem(self.file, sheet, cell, value, expected))

    # --- identity -----------------------------------------------------------------------
    def signature(self) -> dict[str, str]:
        sheet = self.data.find(layout.SHEET_ALIASES[layout.SHEET_SIGNATURE])
        if sheet is None:
            return {}
        return {
            _text(line[0]): _text(line[1])
            for line in sheet.rows
            if len(line) >= 2 and not _blank(line[0])
        }

    def visible_identity(self) -> tuple[str, str]:
        """The school code and school year as the passport sheet shows them."""
        sheet = self.data.find(layout.SHEET_ALIASES[layout.SHEET_PASSPORT])
        code = year = ""
        if sheet is None:
            return code, year
        for line in sheet.rows[:HEADER_ROWS]:
            if not line:
                continue
            label = layout.header_key(_text(line[0]))
            value = next((_text(v) for v in line[1:] if not _blank(v)), "")
            if label in ("код школы", "код оо", "код"):
                code = value
            elif label in ("учебный год", "год"):
                year = value
        return code, year

    # --- the passport ---------------------------------------------------------------------
    def passport(self, year: int) -> None:
        sheet = self.data.find(layout.SHEET_ALIASES[layout.SHEET_PASSPORT])
        if sheet is None:
            return
        header = _find_header(sheet, layout.PASSPORT_COLUMNS, 2)
        if header is None or "value" not in header[1]:
            if not self._lists_passport_fields(sheet):
                return  # a passport sheet with the school and year only
            self.problem(
                sheet.name, "", "", "нужен заголовок таблицы со столбцами «Показатель» и «Значение»"
            )
            return
        head, columns = header
        by_label = {layout.header_key(spec.label): spec for spec in layout.PASSPORT_FIELDS}
        values: dict[str, Any] = {}
        cells: dict[str, str] = {}
        keys: list[str] = []
        fractions: dict[tuple[int, int], FieldSpec] = {}
        for row in range(head + 1, len(sheet.rows)):
            key = _text(sheet.value(row, columns["key"])) if "key" in columns else ""
            spec = layout.PASSPORT_FIELD_BY_NAME.get(key)
            if spec is None and "label" in columns:
                spec = by_label.get(layout.header_key(_text(sheet.value(row, columns["label"]))))
            if spec is None:
                continue
            keys.append(spec.name)
            column = columns["value"]
            raw = sheet.value(row, column)
            if _blank(raw):
                continue
            cell = cell_name(row, column)
            try:
                values[spec.name] = _parse_value(spec, raw)
            except _CellError as exc:
                self.problem(sheet.name, cell, raw, exc.expected)
                continue
            cells[spec.name] = cell
            if _maybe_fraction(spec, raw):
                fractions[(row, column)] = spec
        for (row, column), spec in _percent_cells(self.data, sheet.name, fractions).items():
            values[spec.name] = _as_percent(spec, sheet.value(row, column))
        self.passport_keys = keys
        if values:
            label = f"Паспорт {school_year_label(year)}"
            self.parsed.passport = _Row(TABLE_PASSPORT, (year,), label, sheet.name, values, cells)

    @staticmethod
    def _lists_passport_fields(sheet: SheetData) -> bool:
        """True when some cell of the sheet names a passport field (its table is there)."""
        labels = {layout.header_key(spec.label) for spec in layout.PASSPORT_FIELDS}
        return any(
            isinstance(value, str) and layout.header_key(value) in labels
            for line in sheet.rows
            for value in line
        )

    # --- results --------------------------------------------------------------------------
    def results(self, csv_identity: Callable[[int, dict[str, int]], None] | None = None) -> None:
        sheet = self.data.find(layout.SHEET_ALIASES[layout.SHEET_RESULTS])
        if sheet is None and self.data.kind == "csv":
            sheet = next(iter(self.data.sheets.values()))
        if sheet is None:
            return
        columns_all = layout.RESULT_COLUMNS + (
            layout.RESULT_CSV_COLUMNS if self.data.kind == "csv" else ()
        )
        header = _find_header(sheet, columns_all, 3)
        if header is None:
            self.problem(
                sheet.name,
                "",
                "",
                "нужен заголовок таблицы результатов: «Процедура», «Предмет», «Класс», "
                "«Участвовали» …",
            )
            return
        head, columns = header
        if "key" not in columns and not {"procedure", "subject", "grade"} <= set(columns):
            missing = [c.header for c in layout.RESULT_COLUMNS[:3] if c.key not in columns]
            self.problem(
                sheet.name,
                cell_name(head, 0),
                "",
                "нужны столбцы " + ", ".join(f"«{m}»" for m in missing),
            )
            return
        if csv_identity is not None:
            csv_identity(head, columns)
        self._result_rows(sheet, head, columns)

    def _result_rows(self, sheet: SheetData, head: int, columns: Mapping[str, int]) -> None:
        """Read the rows under the header of a results table (a 50,000-row sheet: quickly)."""
        counted = [
            (spec.name, columns[spec.name], spec.kind, spec)
            for spec in layout.RESULT_FIELDS
            if spec.name in columns
        ]
        key_column = columns.get("key")
        if key_column is None and _ColumnReader(sheet, head, columns, counted).read(self):
            return  # every row clean: read column by column
        spot = {k: columns.get(k) for k in ("procedure", "subject", "grade")}
        seen: dict[tuple[Any, ...], int] = {}
        name = sheet.name
        rows = sheet.rows
        results = self.parsed.results
        participants_column = columns.get("participants")
        p_at, s_at, g_at = spot["procedure"], spot["subject"], spot["grade"]
        plain = (
            (p_at, s_at, g_at)
            if p_at is not None and s_at is not None and g_at is not None and max(p_at, s_at) < g_at
            else None
        )
        for row in range(head + 1, len(rows)):
            line = rows[row]
            values = self._result_values(name, row, line, counted)
            key = None
            if plain is not None and key_column is None:
                # The usual row: «ВПР», «Математика», 5 in their own columns.
                p_column, s_column, g_column = plain
                if g_column < len(line):
                    key = _quick_key(line[p_column], line[s_column], line[g_column])
            if key is None:
                key = self._result_key(
                    sheet, row, line, key_column=key_column, spot=spot, has_values=bool(values)
                )
            if key is None or not values:
                continue
            if key in seen:
                self.problem(
                    name,
                    cell_name(row, 0),
                    " · ".join(str(k) for k in key),
                    f"эта процедура, предмет и класс уже есть в строке {seen[key] + 1}: "
                    "оставьте одну строку",
                )
                continue
            seen[key] = row
            if None in values.values():
                values = {k: v for k, v in values.items() if v is not None}
            procedure, subject, grade = key
            results.append(
                _Row(
                    TABLE_RESULTS,
                    key,
                    f"{procedure} · {subject} · {grade} класс",
                    name,
                    values,
                    _Cells(row, columns),
                )
            )
            if participants_column is not None and "participants" in values:
                self.check_result(name, row, participants_column, values)

    def _result_values(
        self,
        sheet: str,
        row: int,
        line: list[CellValue],
        counted: Sequence[tuple[str, int, str, FieldSpec]],
    ) -> dict[str, Any]:
        """The counts of a result row (None where a cell is refused: its problem is noted).

        A number as calamine gives it (a float) that is already valid is taken
        without a call per cell: the quick path of a 50,000-row sheet.
        """
        values: dict[str, Any] = {}
        width = len(line)
        for field_name, column, kind, spec in counted:
            raw = line[column] if column < width else ""
            if type(raw) is float and 0 <= raw < math.inf:  # NaN, infinity: the slow path
                if kind == "count":
                    if raw.is_integer():
                        values[field_name] = int(raw)
                        continue
                elif kind == "real" or raw <= 100:
                    values[field_name] = raw
                    continue
            elif raw == "":
                continue
            if _blank(raw):
                continue
            try:
                values[field_name] = _parse_value(spec, raw)
            except _CellError as exc:
                self.problem(sheet, cell_name(row, column), raw, exc.expected)
                values[field_name] = None
        return values

    def _result_key(
        self,
        sheet: SheetData,
        row: int,
        line: list[CellValue],
        *,
        key_column: int | None,
        spot: Mapping[str, int | None],
        has_values: bool,
    ) -> tuple[str, str, int] | None:
        if key_column is not None and key_column < len(line) and not _blank(line[key_column]):
            parts = _text(line[key_column]).split("|")
            if len(parts) == 3:
                procedure = layout.PROCEDURE_BY_WORD.get(fold(parts[0]))
                listed = int(parts[2]) if parts[2].strip().isdigit() else 0
                if procedure is not None and parts[1].strip() and 1 <= listed <= 11:
                    return (procedure, parts[1].strip(), listed)
        raw = {k: (line[c] if c is not None and c < len(line) else "") for k, c in spot.items()}
        quick = _quick_key(raw["procedure"], raw["subject"], raw["grade"])
        if quick is not None:
            return quick
        if all(_blank(v) for v in raw.values()):
            if has_values:
                self.problem(
                    sheet.name,
                    cell_name(row, spot["procedure"] or 0),
                    "",
                    "нужно указать процедуру, предмет и класс строки",
                )
            return None
        ok = True
        procedure = layout.PROCEDURE_BY_WORD.get(fold(_text(raw["procedure"])))
        if procedure is None:
            ok = False
            self.problem(
                sheet.name,
                cell_name(row, spot["procedure"] or 0),
                raw["procedure"],
                "нужна процедура из списка: " + ", ".join(layout.PROCEDURE_BY_WORD.values()),
            )
        subject = _text(raw["subject"])
        if not subject:
            ok = False
            self.problem(
                sheet.name, cell_name(row, spot["subject"] or 0), "", "нужно название предмета"
            )
        grade_spec = layout.RESULT_SPEC_BY_NAME["grade"]
        grade = 0
        try:
            grade = int(_parse_value(grade_spec, raw["grade"]) or 0)
            if not grade:
                raise _CellError("нужен номер класса от 1 до 11")
        except _CellError as exc:
            ok = False
            self.problem(sheet.name, cell_name(row, spot["grade"] or 0), raw["grade"], exc.expected)
        if not ok or procedure is None:
            return None
        return (procedure, subject, grade)

    def check_result(self, sheet: str, row: int, column: int, values: Mapping[str, Any]) -> None:
        """Warn when the marks do not add up to the participants, or they pass the pupils due."""
        participants = values["participants"]
        n2, n3, n4, n5 = values.get("n2"), values.get("n3"), values.get("n4"), values.get("n5")
        if n2 is not None and n3 is not None and n4 is not None and n5 is not None:
            total = n2 + n3 + n4 + n5
            if total != participants:
                self.warning(
                    sheet,
                    cell_name(row, column),
                    participants,
                    f"сумма отметок «2»–«5» ({total}) не равна числу участников ({participants})",
                )
        due = values.get("pupils_due")
        if due is not None and participants > due:
            self.warning(
                sheet,
                cell_name(row, column),
                participants,
                f"участников ({participants}) больше, чем должно было участвовать ({due})",
            )

    # --- the roadmap ----------------------------------------------------------------------
    def reports(self, conn: sqlite3.Connection) -> None:
        sheet = self.data.find(layout.SHEET_ALIASES[layout.SHEET_ROADMAP])
        if sheet is None:
            return
        header = _find_header(sheet, layout.ROADMAP_COLUMNS, 3)
        if header is None:
            self.problem(
                sheet.name, "", "", "нужен заголовок таблицы: «№», «Мероприятие», «Состояние» …"
            )
            return
        head, columns = header
        inputs = [
            (spec.name, columns[spec.name], spec)
            for spec in layout.REPORT_FIELDS
            if spec.name in columns
        ]
        known, by_title = _activities(conn)
        keys: list[int] = []
        seen: dict[int, int] = {}
        fractions: dict[tuple[int, int], tuple[FieldSpec, dict[str, Any]]] = {}
        for row in range(head + 1, len(sheet.rows)):
            values, cells = self._report_values(sheet, row, inputs, fractions)
            activity_id = self._activity_of(sheet, row, columns, known, by_title)
            if activity_id is not None:
                keys.append(activity_id)
            if not values:
                continue
            if activity_id is None:
                self.problem(
                    sheet.name,
                    cell_name(row, columns.get("title", 0)),
                    _text(sheet.value(row, columns.get("title", 0))),
                    "такого мероприятия нет в дорожной карте района",
                )
                continue
            if activity_id in seen:
                self.problem(
                    sheet.name,
                    cell_name(row, columns.get("title", 0)),
                    _text(sheet.value(row, columns.get("title", 0))),
                    f"это мероприятие уже есть в строке {seen[activity_id] + 1}: "
                    "оставьте одну строку",
                )
                continue
            seen[activity_id] = row
            number, title = known[activity_id]
            short = title if len(title) <= 60 else title[:59] + "…"
            self.parsed.reports.append(
                _Row(
                    TABLE_REPORTS,
                    (activity_id,),
                    f"{number} {short}".strip(),
                    sheet.name,
                    values,
                    cells,
                )
            )
        specs = {cell: spec for cell, (spec, _values) in fractions.items()}
        for (row, column), spec in _percent_cells(self.data, sheet.name, specs).items():
            fractions[(row, column)][1][spec.name] = _as_percent(spec, sheet.value(row, column))
        self.activity_keys = keys

    def _report_values(
        self,
        sheet: SheetData,
        row: int,
        inputs: Sequence[tuple[str, int, FieldSpec]],
        fractions: dict[tuple[int, int], tuple[FieldSpec, dict[str, Any]]],
    ) -> tuple[dict[str, Any], dict[str, str]]:
        """The status, progress and evidence of a roadmap row, with their cells."""
        values: dict[str, Any] = {}
        cells: dict[str, str] = {}
        for field_name, column, spec in inputs:
            raw = sheet.value(row, column)
            if _blank(raw):
                continue
            try:
                values[field_name] = _parse_value(spec, raw)
                cells[field_name] = cell_name(row, column)
            except _CellError as exc:
                self.problem(sheet.name, cell_name(row, column), raw, exc.expected)
                continue
            if _maybe_fraction(spec, raw):
                fractions[(row, column)] = (spec, values)
        return values, cells

    def _activity_of(
        self,
        sheet: SheetData,
        row: int,
        columns: Mapping[str, int],
        known: Mapping[int, tuple[str, str]],
        by_title: Mapping[str, int],
    ) -> int | None:
        if "key" in columns:
            raw = sheet.value(row, columns["key"])
            if not _blank(raw):
                try:
                    activity_id = parse_number(raw)
                except NumberSyntaxError:
                    return None
                return (
                    activity_id if isinstance(activity_id, int) and activity_id in known else None
                )
        if "title" not in columns:
            return None
        title = _text(sheet.value(row, columns["title"]))
        if not title:
            return None
        number = _text(sheet.value(row, columns["number"])) if "number" in columns else ""
        return by_title.get(fold(f"{number} {title}")) or by_title.get(fold(title))


def _activities(conn: sqlite3.Connection) -> tuple[dict[int, tuple[str, str]], dict[str, int]]:
    """Every activity's number and title by id, and its id by folded «number title» and title."""
    known = {
        int(r[0]): (str(r[1]), str(r[2]))
        for r in conn.execute("SELECT id, number, title FROM roadmap_activity")
    }
    by_title: dict[str, int] = {}
    for known_id, (number, title) in known.items():
        by_title.setdefault(fold(f"{number} {title}"), known_id)
        by_title.setdefault(fold(title), known_id)
    return known, by_title


_PROCEDURE_SET: Final = frozenset(PROCEDURES)
_Counted = Sequence[tuple[str, int, str, FieldSpec]]


class _ColumnReader:
    """A results table whose every row is clean, read column by column.

    A table written by a program (a region's 50,000 rows) has its keys as
    text, its counts as numbers and blanks where nothing is known.  Each
    column is checked at once with C-level operations (types, bounds,
    whole numbers, finite); the first column that holds anything else — text
    in a number cell, a negative, a blank key — hands the table back to the
    row by row reading, which finds and words every problem.  The rows are
    kept as columns (:class:`_ResultBlock`): nothing per row is built.
    """

    def __init__(
        self, sheet: SheetData, head: int, columns: Mapping[str, int], counted: _Counted
    ) -> None:
        self.sheet = sheet
        self.head = head
        self.columns = columns
        self.counted = counted

    def _keys(self, rows: Sequence[list[Any]]) -> tuple[list[Any], list[str], list[int]] | None:
        """The procedures, subjects and grades of the rows, or None when a key needs the slow path.

        No tuple is built per row: duplicates are found by the hashes of the
        keys (two different keys with one hash only send the table the slow way).
        """
        spot = [self.columns.get(k) for k in ("procedure", "subject", "grade")]
        if None in spot:
            return None
        p_at, s_at, g_at = (int(c) for c in spot if c is not None)
        procedures: list[Any] = [line[p_at] for line in rows]
        subjects: list[Any] = [line[s_at] for line in rows]
        grades: list[Any] = [line[g_at] for line in rows]
        clean = (
            set(procedures) <= _PROCEDURE_SET
            and set(map(type, subjects)) == {str}
            and set(map(type, grades)) == {float}
            and min(grades) >= 1
            and max(grades) <= 11
            and all(map(float.is_integer, grades))
        )
        if not clean:
            return None
        stripped = list(map(str.strip, subjects))
        numbers = list(map(int, grades))
        keys = zip(procedures, stripped, numbers, strict=True)
        if not all(stripped) or len(set(map(hash, keys))) != len(rows):
            return None
        return procedures, stripped, numbers

    @staticmethod
    def _values(kind: str, column: list[Any]) -> tuple[list[Any], bool] | None:
        """The column's values (None for a blank) and whether it has a blank.

        None when a cell needs the slow path.
        """
        if kind not in ("count", "real", "share"):
            return None
        types = set(map(type, column))
        if str in types:
            if any(v != "" for v in column if type(v) is str):
                return None
            column = [None if type(v) is str else v for v in column]
            types.discard(str)
            types.add(type(None))
        blank = type(None) in types
        numbers = [v for v in column if v is not None] if blank else column
        if not types - {type(None)} <= {float}:
            return None
        if numbers and (
            min(numbers) < 0
            # NaN and infinity pass min/max in some orders: their sum is not finite.
            or not math.isfinite(sum(numbers))
            or (kind == "share" and max(numbers) > 100)
            or (kind == "count" and not all(map(float.is_integer, numbers)))
        ):
            return None
        return column, blank  # counts stay floats until used (_ResultBlock.exact)

    def read(self, reader: _Reader) -> bool:
        """Read every row into ``reader``; False (nothing read) when a row needs the slow path."""
        rows = self.sheet.rows[self.head + 1 :]
        needed = max([*self.columns.values()]) + 1
        if not rows or not self.counted or min(map(len, rows)) < needed:
            return False
        keys = self._keys(rows)
        if keys is None:
            return False
        procedures, subjects, grades = keys
        table = []
        full = True
        for _name, at, kind, _spec in self.counted:
            found = self._values(kind, [line[at] for line in rows])
            if found is None:
                return False
            table.append(found[0])
            full = full and not found[1]
        first = self.head + 1
        sheet_rows: Sequence[int] = range(first, first + len(rows))
        if not full:
            width = len(table)
            # A row whose every value is blank is no record (its key alone changes nothing).
            kept = [line.count(None) != width for line in zip(*table, strict=True)]
            if not all(kept):
                procedures, subjects, grades, sheet_rows, *table = (
                    list(itertools.compress(column, kept))
                    for column in (procedures, subjects, grades, sheet_rows, *table)
                )
        block = _ResultBlock(
            sheet=self.sheet.name,
            names=tuple(name for name, _column, _kind, _spec in self.counted),
            procedures=procedures,
            subjects=subjects,
            grades=grades,
            columns=table,
            sheet_rows=sheet_rows,
            cell_columns=self.columns,
            full=full,
            whole=frozenset(name for name, _at, kind, _spec in self.counted if kind == "count"),
        )
        if procedures:
            reader.parsed.result_block = block
            self._warn(reader, block)
        return True

    def _warn(self, reader: _Reader, block: _ResultBlock) -> None:
        """The warnings of :meth:`_Reader.check_result`, looked for column by column."""
        at = self.columns.get("participants")
        participants = block.column("participants")
        if at is None or participants is None:
            return
        suspects: Iterable[int]
        if block.full:
            marks = [block.column(n) for n in ("n2", "n3", "n4", "n5")]
            due = block.column("pupils_due")
            suspects = set()
            if all(m is not None for m in marks):
                n2, n3, n4, n5 = (m for m in marks if m is not None)

                def totals() -> Iterator[Any]:
                    return map(operator.add, map(operator.add, n2, n3), map(operator.add, n4, n5))

                if any(map(operator.ne, totals(), participants)):  # C-level for a clean table
                    suspects.update(
                        i
                        for i, pair in enumerate(zip(totals(), participants, strict=True))
                        if pair[0] != pair[1]
                    )
            if due is not None and any(map(operator.gt, participants, due)):
                suspects.update(
                    i
                    for i, pair in enumerate(zip(participants, due, strict=True))
                    if pair[0] > pair[1]
                )
            suspects = sorted(suspects)
        else:
            suspects = (i for i, value in enumerate(participants) if value is not None)
        for index in suspects:
            reader.check_result(block.sheet, block.sheet_rows[index], at, block.values(index))


# --------------------------------------------------------------------------- planning
@dataclass
class _Identity:
    school_id: int
    code: str
    name: str
    year: int
    version: str
    notes: list[str]
    mismatch: bool


def _school_by_code(conn: sqlite3.Connection, code: str) -> tuple[int, str] | None:
    row = conn.execute("SELECT id, short_name FROM school WHERE code = ?", (code,)).fetchone()
    if row is None:
        row = conn.execute(
            "SELECT id, short_name FROM school WHERE fold(code) = ?", (fold(code),)
        ).fetchone()
    return None if row is None else (int(row[0]), str(row[1]))


def _year_of(text: str) -> int | None:
    text = text.strip()
    if not text:
        return None
    try:
        return parse_school_year(text.replace(" ", ""))
    except ValueError:
        try:
            number = parse_number(text)
        except NumberSyntaxError:
            return None
        return number if isinstance(number, int) and 1990 <= number <= 2100 else None


def _identify(
    reader: _Reader,
    conn: sqlite3.Connection,
    *,
    csv_code: str,
    csv_year: int | None,
    expected_school: int | None,
    expected_year: int | None,
) -> _Identity:
    path = reader.data.path
    signature = reader.signature()
    version = signature.get("template_version", "")
    if version and version not in layout.READABLE_VERSIONS:
        raise TemplateVersionError(path, version)
    signed_code = signature.get("school_code", "")
    signed_year = _year_of(signature.get("school_year", ""))
    shown_code, shown_year_text = reader.visible_identity()
    shown_year = _year_of(shown_year_text)
    code = signed_code or shown_code or csv_code
    year = signed_year or shown_year or csv_year
    if not code:
        raise SchoolNotStatedError(path, "school")
    if year is None:
        raise SchoolNotStatedError(path, "year")
    school = _school_by_code(conn, code)
    if school is None:
        raise UnknownSchoolError(path, code)
    notes: list[str] = []
    mismatch = False
    if signed_code and shown_code and fold(signed_code) != fold(shown_code):
        mismatch = True
        notes.append(
            f"файл сделан для школы с кодом «{signed_code}», а на листе «Паспорт» указан код "
            f"«{shown_code}»"
        )
    if signed_year is not None and shown_year is not None and signed_year != shown_year:
        mismatch = True
        notes.append(
            f"файл сделан на {school_year_label(signed_year)} учебный год, а на листе «Паспорт» "
            f"указан {school_year_label(shown_year)}"
        )
    if expected_school is not None and school[0] != expected_school:
        mismatch = True
        notes.append(f"файл заполнен для другой школы: {code} {school[1]}")
    if expected_year is not None and year != expected_year:
        mismatch = True
        notes.append(
            f"файл заполнен за {school_year_label(year)} учебный год, а ожидался "
            f"{school_year_label(expected_year)}"
        )
    return _Identity(school[0], code, school[1], year, version, notes, mismatch)


def _check_signature(reader: _Reader, identity: _Identity) -> None:
    """A template of the current version whose listed rows no longer agree with its signature."""
    signature = reader.signature()
    stated = signature.get("checksum", "")
    if not stated or identity.version != layout.TEMPLATE_VERSION:
        return
    actual = layout.checksum(
        identity.version,
        signature.get("school_code", ""),
        _year_of(signature.get("school_year", "")) or 0,
        passport=reader.passport_keys,
        results=reader.result_keys,
        activities=reader.activity_keys,
    )
    if actual != stated:
        identity.mismatch = True
        identity.notes.append(
            "служебная подпись файла не сходится с его строками: строки или подпись "
            "изменены вручную, или файл собран из разных шаблонов"
        )


def _log_mark(conn: sqlite3.Connection) -> int:
    """The id of the newest change set (a diff computed at this mark is still true)."""
    return int(conn.execute("SELECT ifnull(max(id), 0) FROM change_set").fetchone()[0])


def _stored(
    conn: sqlite3.Connection, school_id: int, year: int
) -> tuple[
    tuple[int, dict[str, Any]] | None,
    dict[tuple[Any, ...], tuple[int, dict[str, Any]]],
    dict[tuple[Any, ...], tuple[int, dict[str, Any]]],
]:
    """What the database holds for the school and year: passport, results, reports by key."""
    names = [s.name for s in layout.PASSPORT_FIELDS]
    row = conn.execute(
        f"SELECT id, {', '.join(names)} FROM school_profile WHERE school_id = ? AND year = ?",
        (school_id, year),
    ).fetchone()
    passport = None if row is None else (int(row[0]), dict(zip(names, tuple(row)[1:], strict=True)))
    counts = [s.name for s in layout.RESULT_FIELDS]
    results = {
        (r[1], r[2], int(r[3])): (int(r[0]), dict(zip(counts, tuple(r)[4:], strict=True)))
        for r in conn.execute(
            f"SELECT id, procedure, subject, grade, {', '.join(counts)} FROM assessment"
            " WHERE school_id = ? AND year = ?",
            (school_id, year),
        )
    }
    inputs = list(layout.REPORT_INPUTS)
    reports = {
        (int(r[1]),): (int(r[0]), dict(zip(inputs, tuple(r)[2:], strict=True)))
        for r in conn.execute(
            f"SELECT id, activity_id, {', '.join(inputs)} FROM activity_report"
            " WHERE school_id = ? AND year = ?",
            (school_id, year),
        )
    }
    return passport, results, reports


def _diffs(
    conn: sqlite3.Connection, parsed: _Parsed, school_id: int, year: int
) -> list[Sequence[_Diff]]:
    """The parsed rows against the database, in parts: passport, results, roadmap."""
    passport, results, reports = _stored(conn, school_id, year)
    parts: list[Sequence[_Diff]] = []
    if parsed.passport is not None:
        found = passport if passport is not None else (None, None)
        parts.append([_Diff(parsed.passport, *found)])
    block = parsed.result_block
    if block is not None:
        # One dictionary look-up per record (zip hands each key tuple back for the next one);
        # the rows themselves are made on demand.
        keys = zip(block.procedures, block.subjects, block.grades, strict=True)
        parts.append(_BlockDiffs(block, [*map(results.get, keys)] if results else None))
    for rows, stored in ((parsed.results, results), (parsed.reports, reports)):
        diffs: list[_Diff] = []
        for row in rows:
            known = stored.get(row.key)
            diffs.append(_Diff(row, *(known if known is not None else (None, None))))
        parts.append(diffs)
    return parts


def _applied_batch(
    conn: sqlite3.Connection, sha256: str, school_id: int, year: int
) -> tuple[int | None, int | None]:
    """The applied batch of this very file (by SHA-256), and the latest for the school and year."""
    same = conn.execute(
        "SELECT b.id FROM import_batch b LEFT JOIN change_set s ON s.id = b.change_set_id"
        " WHERE b.sha256 = ? AND b.school_id = ? AND b.year = ? AND b.status = 'applied'"
        " AND (s.id IS NULL OR s.reverted_by IS NULL) ORDER BY b.id DESC LIMIT 1",
        (sha256, school_id, year),
    ).fetchone()
    latest = conn.execute(
        "SELECT b.id FROM import_batch b JOIN change_set s ON s.id = b.change_set_id"
        " WHERE b.school_id = ? AND b.year = ? AND b.status = 'applied'"
        " AND s.reverted_by IS NULL ORDER BY b.id DESC LIMIT 1",
        (school_id, year),
    ).fetchone()
    return (None if same is None else int(same[0]), None if latest is None else int(latest[0]))


def _read_file(
    conn: sqlite3.Connection,
    data: WorkbookData,
    expected_school: int | None,
    expected_year: int | None,
) -> tuple[_Reader, _Identity]:
    """Read one file's sheets into rows and find whose they are (raises for a refused file)."""
    reader = _Reader(data)
    if data.kind == "xlsx" and not any(_wanted(n) for n in data.sheet_names):
        raise NotATemplateError(data.path, data.sheet_names)
    csv_code = ""
    csv_year: int | None = None
    identity_from_rows: dict[str, Any] = {}

    def csv_identity(head: int, columns: dict[str, int]) -> None:
        # A CSV table says whose it is in its rows: one school and one year per file.
        codes: set[str] = set()
        years: set[int] = set()
        sheet = next(iter(data.sheets.values()))
        for row in range(head + 1, len(sheet.rows)):
            if "school_code" in columns:
                text = _text(sheet.value(row, columns["school_code"]))
                if text:
                    codes.add(text)
            if "year" in columns:
                year = _year_of(_text(sheet.value(row, columns["year"])))
                if year is not None:
                    years.add(year)
        identity_from_rows["codes"] = codes
        identity_from_rows["years"] = years

    if data.kind == "csv":
        # The CSV's rows are read twice: first for whose they are, then for the values.
        _Reader(data).results(csv_identity)
        codes = identity_from_rows.get("codes", set())
        years = identity_from_rows.get("years", set())
        if len(codes) > 1 or len(years) > 1:
            reader.problem(
                layout.SHEET_CSV,
                "",
                ", ".join(sorted(codes)) + "; " + ", ".join(school_year_label(y) for y in years),
                "в одном файле — одна школа и один учебный год",
            )
        csv_code = next(iter(sorted(codes)), "")
        csv_year = next(iter(sorted(years)), None)
    identity = _identify(
        reader,
        conn,
        csv_code=csv_code,
        csv_year=csv_year,
        expected_school=expected_school,
        expected_year=expected_year,
    )
    reader.passport(identity.year)
    reader.results()
    reader.result_keys = [_text(v) for v in _key_cells(data)]
    reader.reports(conn)
    _check_signature(reader, identity)
    return reader, identity


def _key_cells(data: WorkbookData) -> list[CellValue]:
    """The hidden keys of the listed result rows, in the order of the sheet."""
    sheet = data.find(layout.SHEET_ALIASES[layout.SHEET_RESULTS])
    if sheet is None:
        return []
    header = _find_header(sheet, layout.RESULT_COLUMNS, 3)
    if header is None or "key" not in header[1]:
        return []
    column = header[1]["key"]
    return [
        line[column]
        for line in sheet.rows[header[0] + 1 :]
        if column < len(line) and not _blank(line[column])
    ]


def _plan_file(
    db: Database,
    path: Path,
    expected_school: int | None,
    expected_year: int | None,
    check: Callable[[], None],
) -> FilePlan:
    conn = db.reader()
    try:
        data = read_workbook(path, _wanted, check=check)
    except WorkbookFileError as exc:
        return _rejected(path, "", exc)
    except OSError as exc:
        return _rejected(path, "", FileAccessError(path, f"{type(exc).__name__}: {exc}"))
    try:
        reader, identity = _read_file(conn, data, expected_school, expected_year)
    except WorkbookFileError as exc:
        return _rejected(path, data.sha256, exc)
    parsed = reader.parsed
    mark = _log_mark(conn)
    parts = _diffs(conn, parsed, identity.school_id, identity.year)
    missing, missing_count = _new_row_problems(path.name, parts)
    parsed.problem_count += missing_count
    parsed.problems.extend(missing[: max(MAX_PROBLEMS - len(parsed.problems), 0)])
    changes = ChangeList(parts)
    plan = FilePlan(
        path=path,
        sha256=data.sha256,
        school_id=identity.school_id,
        school_name=identity.name,
        year=identity.year,
        template_version=identity.version,
        status=FileStatus.NEW,
        changes=changes,
        problems=parsed.problems,
        warnings=parsed.warnings,
        notes=list(identity.notes),
        school_code=identity.code,
        problem_count=parsed.problem_count,
        _parsed=parsed,
        _log_mark=mark,
    )
    same_batch, latest = _applied_batch(conn, data.sha256, identity.school_id, identity.year)
    plan.previous_batch_id = latest
    if parsed.problems:
        plan.status = FileStatus.REJECTED
        plan.error = FileProblemsError(path, parsed.problems)
        return plan
    if identity.mismatch:
        plan.status = FileStatus.MISMATCH
        return plan
    counts = changes.counts()
    if same_batch is not None:
        plan.status = FileStatus.SAME
        plan.notes.append("этот файл уже загружен: без изменений")
    elif counts["new"] == 0 and counts["changed"] == 0:
        plan.status = FileStatus.SAME
        plan.notes.append("все значения файла уже есть в базе: без изменений")
    elif counts["changed"]:
        plan.status = FileStatus.UPDATE
    return plan


def _rejected(path: Path, sha256: str, error: DomainError) -> FilePlan:
    return FilePlan(
        path=path,
        sha256=sha256,
        school_id=None,
        school_name="",
        year=None,
        template_version="",
        status=FileStatus.REJECTED,
        error=error,
    )


def plan_import(
    db: Database,
    paths: Sequence[Path],
    state: JobState,
    *,
    school_id: int | None = None,
    year: int | None = None,
) -> ImportPlan:
    """Preview the import of files and folders: nothing is written.

    ``school_id`` / ``year``, when given, are what the files are expected to
    be for (an import started from a school's passport): a file for another
    school or year is MISMATCH.  Reports progress per file; a cancel raises
    :class:`~shnor_desktop.models.errors.Cancelled`.
    """
    files = collect_files(paths)
    plan = ImportPlan()
    total = len(files)
    seen: dict[str, FilePlan] = {}
    state.progress(0, total, "Проверка файлов")
    for index, path in enumerate(files):
        state.check()
        state.set_status(path.name)
        file_plan = _plan_file(db, path, school_id, year, state.check)
        twin = seen.get(file_plan.sha256) if file_plan.sha256 else None
        if twin is not None and file_plan.status is not FileStatus.REJECTED:
            file_plan.status = FileStatus.SAME
            file_plan.notes.append(f"такой же файл уже есть в списке: «{twin.path.name}»")
        elif file_plan.sha256:
            seen[file_plan.sha256] = file_plan
        plan.files.append(file_plan)
        state.progress(index + 1, total)
    return plan


# --------------------------------------------------------------------------- commit
def _label(plan: FilePlan) -> str:
    year = school_year_label(plan.year) if plan.year is not None else ""
    return f"Загрузка файла «{plan.name}»: {plan.school_code} {plan.school_name}, {year}"


def _summary(new: int, changed: int, unchanged: int) -> str:
    return f"новых значений: {new}, изменено: {changed}, без изменений: {unchanged}"


@dataclass
class _Writes:
    """What committing a file writes, gathered before anything is written."""

    inserts: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    updates: dict[str, list[tuple[int, dict[str, Any]]]] = field(default_factory=dict)
    blocks: list[_ResultBlock] = field(default_factory=list)
    new: int = 0
    changed: int = 0

    def add(self, diff: _Diff, school_id: int, year: int) -> None:
        row = diff.row
        if diff.row_id is None:
            self.new += len(row.values)
            self.inserts.setdefault(row.table, []).append(_new_row(row, school_id, year))
            return
        changes = diff.changed_values()
        if not changes:
            return
        for name in changes:
            if diff.kind_of(name) == "new":
                self.new += 1
            else:
                self.changed += 1
        if row.table in (TABLE_PASSPORT, TABLE_RESULTS):
            changes["source"] = "import"
        self.updates.setdefault(row.table, []).append((diff.row_id, changes))


def _write(
    cs: ChangeSet, parts: Sequence[Sequence[_Diff]], school_id: int, year: int
) -> tuple[int, int]:
    """Write the new and changed values of a file; return (new, changed) value counts."""
    writes = _Writes()
    for part in parts:
        if isinstance(part, _BlockDiffs) and part.all_new:
            writes.blocks.append(part.block)  # a new table: written column by column below
            writes.new += part.block.value_total()
            continue
        for diff in part:
            writes.add(diff, school_id, year)
    for table, pending in writes.updates.items():
        if table == TABLE_PASSPORT:
            pending = [(row_id, _ungenerated(cs, row_id, values)) for row_id, values in pending]  # noqa: PLW2901
        cs.update_many(table, pending)
    for table, rows in writes.inserts.items():
        cs.insert_many(table, rows)
    for block in writes.blocks:
        _insert_block(cs, block, school_id, year)
    return writes.new, writes.changed


def _insert_block(cs: ChangeSet, block: _ResultBlock, school_id: int, year: int) -> None:
    """Insert the records of a results table read column by column, as columns.

    The same rows as :func:`_new_row` would make: the key, «import» as the
    source and the filled fields; a blank is left out (the column's default
    applies), so records with blanks go in groups of the same filled fields.
    """

    exact = [block.exact(j) for j in range(len(block.names))]

    def insert(indexes: Sequence[int] | None, present: Sequence[int]) -> None:
        def pick(values: list[Any]) -> list[Any]:
            return values if indexes is None else [values[i] for i in indexes]

        count = len(block) if indexes is None else len(indexes)
        columns: dict[str, Sequence[Any]] = {
            "school_id": [school_id] * count,
            "year": [year] * count,
            "procedure": pick(block.procedures),
            "subject": pick(block.subjects),
            "grade": pick(block.grades),
            "source": ["import"] * count,
        }
        for j in present:
            columns[block.names[j]] = pick(exact[j])
        cs.insert_columns(TABLE_RESULTS, columns)

    everything = tuple(range(len(block.names)))
    if block.full:
        insert(None, everything)
        return
    groups: dict[tuple[int, ...], list[int]] = {}
    for index, line in enumerate(zip(*block.columns, strict=True)):
        present = (
            tuple(j for j, v in enumerate(line) if v is not None) if None in line else everything
        )
        groups.setdefault(present, []).append(index)
    for present, indexes in groups.items():
        insert(indexes, present)


def _new_row(row: _Row, school_id: int, year: int) -> dict[str, Any]:
    if row.table == TABLE_PASSPORT:
        return {
            "school_id": school_id,
            "year": year,
            "source": "import",
            "generated_fields": "[]",
            **row.values,
        }
    if row.table == TABLE_RESULTS:
        procedure, subject, grade = row.key
        values = {
            "school_id": school_id,
            "year": year,
            "procedure": procedure,
            "subject": subject,
            "grade": grade,
            "source": "import",
            **row.values,
        }
        return values
    return {
        "activity_id": row.key[0],
        "school_id": school_id,
        "year": year,
        **row.values,
    }


def _ungenerated(cs: ChangeSet, row_id: int, values: dict[str, Any]) -> dict[str, Any]:
    """A passport's imported fields are no longer generated: they leave ``generated_fields``."""
    found = (
        cs._log.reader()
        .execute(  # noqa: SLF001 (the set's own connection)
            "SELECT generated_fields FROM school_profile WHERE id = ?", (row_id,)
        )
        .fetchone()
    )
    raw = "" if found is None else str(found[0] or "")
    if not raw.startswith("["):
        return values
    generated = [g for g in json.loads(raw) if g not in values]
    if len(generated) != len(json.loads(raw)):
        values = {**values, "generated_fields": json.dumps(generated, ensure_ascii=False)}
    return values


_NEEDS_STATUS: Final = "сначала выберите состояние мероприятия: " + ", ".join(layout.STATUS_WORDS)


def _needs_participants() -> str:
    # The wording lives in services/messages.py, a module that takes a tenth of a second to
    # import: only a file that has such a row pays for it.
    return _describe(FieldIssue("participants", "needs_participants", "error", (), ""))


def _lacking(file_name: str, row: _Row, expected: str) -> Problem:
    name = next(iter(row.values))
    return Problem(file_name, row.sheet, row.cells.get(name, ""), row.values[name], expected)


def _new_row_problems(
    file_name: str, parts: Sequence[Sequence[_Diff]]
) -> tuple[list[Problem], int]:
    """New rows that lack what starts them: a result its participants, a report its status.

    Returns the first :data:`MAX_PROBLEMS` of them and how many there are.
    """
    problems: list[Problem] = []
    count = 0
    for part in parts:
        if isinstance(part, _BlockDiffs):
            participants = part.block.column("participants")
            if participants is not None and part.block.full:
                continue  # every record has its participants
            for index in part.new_indexes():
                if participants is None or participants[index] is None:
                    count += 1
                    if len(problems) < MAX_PROBLEMS:
                        row = part.block.row(index)
                        problems.append(_lacking(file_name, row, _needs_participants()))
            continue
        for diff in part:
            row = diff.row
            if diff.row_id is not None:
                continue
            if row.table == TABLE_RESULTS and "participants" not in row.values:
                expected = _needs_participants()
            elif row.table == TABLE_REPORTS and "status" not in row.values:
                expected = _NEEDS_STATUS
            else:
                continue
            count += 1
            if len(problems) < MAX_PROBLEMS:
                problems.append(_lacking(file_name, row, expected))
    return problems, count


def _commit_file(db: Database, plan: FilePlan, state: JobState) -> ImportResult:
    parsed = plan._parsed  # noqa: SLF001 (the plan's own parse)
    assert parsed is not None and plan.school_id is not None and plan.year is not None
    school_id, year = plan.school_id, plan.year
    log = db.log
    # Background work waits for a screen's short write instead of failing at once.
    with log.change_set(_label(plan), "import", state=state, timeout=IMPORT_LOCK_TIMEOUT) as cs:
        conn = log.conn
        same = conn.execute(
            "SELECT b.id FROM import_batch b LEFT JOIN change_set s ON s.id = b.change_set_id"
            " WHERE b.sha256 = ? AND b.school_id = ? AND b.year = ? AND b.status = 'applied'"
            " AND (s.id IS NULL OR s.reverted_by IS NULL) LIMIT 1",
            (plan.sha256, school_id, year),
        ).fetchone()
        if same is not None:
            return ImportResult(plan.path, ResultStatus.UNCHANGED, batch_id=int(same[0]))
        if _log_mark(conn) == plan._log_mark:  # noqa: SLF001 (nothing written since the preview)
            parts: Sequence[Sequence[_Diff]] = plan.changes.parts
            counts = plan.changes.counts()
        else:
            parts = _diffs(conn, parsed, school_id, year)
            counts = ChangeList(parts).counts()
        problems, _count = _new_row_problems(plan.name, parts)
        if problems:
            raise FileProblemsError(plan.path, problems)
        new, changed = _write(cs, parts, school_id, year)
        if cs.id is None:
            return ImportResult(plan.path, ResultStatus.UNCHANGED)
        cursor = conn.execute(
            "INSERT INTO import_batch (file_name, sha256, imported_at, change_set_id, status,"
            " summary, school_id, year, template_version)"
            " VALUES (?, ?, ?, ?, 'applied', ?, ?, ?, ?)",
            (
                plan.name,
                plan.sha256,
                datetime.now().isoformat(timespec="seconds"),
                cs.id,
                _summary(new, changed, counts["unchanged"]),
                school_id,
                year,
                plan.template_version,
            ),
        )
        batch_id = int(cursor.lastrowid or 0)
    return ImportResult(
        plan.path,
        ResultStatus.APPLIED,
        batch_id=batch_id,
        change_set=cs.info,
        new=new,
        changed=changed,
    )


def commit_import(
    db: Database,
    plan: ImportPlan,
    files: Sequence[FilePlan],
    state: JobState,
    confirm_mismatch: bool = False,
) -> list[ImportResult]:
    """Import the chosen files of a plan, each atomically; return what each did.

    A REJECTED file is not written; a MISMATCH file only with
    ``confirm_mismatch``; a SAME file changes nothing.  A file whose write
    fails (a value the rules refuse, the database locked) is rolled back
    whole and reported; the others go on.  A cancel rolls back the file
    being written and raises :class:`~shnor_desktop.models.errors.Cancelled`;
    the results of the files done before are in ``state.partial``.
    """
    del plan  # the files carry their own parse; the plan is the caller's context
    results: list[ImportResult] = []
    total = len(files)
    state.progress(0, total, "Загрузка файлов")
    for index, file_plan in enumerate(files):
        state.check()
        state.set_status(file_plan.name)
        result = _commit_one(db, file_plan, state, confirm_mismatch)
        results.append(result)
        state.partial.append(result)
        state.progress(index + 1, total)
    return results


def _commit_one(
    db: Database, file_plan: FilePlan, state: JobState, confirm_mismatch: bool
) -> ImportResult:
    status = file_plan.status
    if status is FileStatus.REJECTED or file_plan._parsed is None:  # noqa: SLF001
        return ImportResult(file_plan.path, ResultStatus.REJECTED, error=file_plan.error)
    if status is FileStatus.MISMATCH and not confirm_mismatch:
        return ImportResult(
            file_plan.path,
            ResultStatus.SKIPPED,
            error=MismatchNotConfirmedError(file_plan.path, "; ".join(file_plan.notes)),
        )
    try:
        return _commit_file(db, file_plan, state)
    except Cancelled:
        raise
    except DomainError as exc:
        return ImportResult(file_plan.path, ResultStatus.REJECTED, error=exc)


# --------------------------------------------------------------------------- history
def import_history(db: Database) -> list[BatchRow]:
    """Every import batch, newest first; a batch whose change set was reverted is «rolled_back»."""
    rows = (
        db.reader()
        .execute(
            "SELECT b.*, sc.code AS school_code, sc.short_name AS school_name,"
            " s.reverted_by, s.actor, s.row_count"
            " FROM import_batch b"
            " LEFT JOIN change_set s ON s.id = b.change_set_id"
            " LEFT JOIN school sc ON sc.id = b.school_id"
            " ORDER BY b.id DESC"
        )
        .fetchall()
    )
    history = []
    for r in rows:
        status = str(r["status"])
        if status == "applied" and r["reverted_by"] is not None:
            status = "rolled_back"
        history.append(
            BatchRow(
                id=int(r["id"]),
                file_name=str(r["file_name"]),
                sha256=str(r["sha256"]),
                imported_at=str(r["imported_at"]),
                school_id=r["school_id"],
                school_code=str(r["school_code"] or ""),
                school_name=str(r["school_name"] or ""),
                year=r["year"],
                template_version=str(r["template_version"] or ""),
                status=status,
                summary=str(r["summary"] or ""),
                change_set_id=r["change_set_id"],
                actor=str(r["actor"] or ""),
                row_count=int(r["row_count"] or 0),
            )
        )
    return history


def _later_edits(db: Database, set_id: int) -> list[LaterEdit]:
    """Edits after ``set_id``, still in effect, to rows that it wrote."""
    conn = db.reader()
    rows = conn.execute(
        "WITH mine AS (SELECT DISTINCT table_name, row_id, ifnull(last_row_id, row_id) AS last"
        "              FROM change WHERE set_id = :set)"
        " SELECT c.set_id, s.created_at, s.actor, s.label, c.table_name, c.row_id, c.op,"
        "        c.new_values, c.old_values"
        " FROM change c JOIN change_set s ON s.id = c.set_id"
        " WHERE c.set_id > :set AND s.reverted_by IS NULL"
        " AND s.kind NOT IN ('undo', 'redo', 'revert')"
        " AND EXISTS (SELECT 1 FROM mine m WHERE m.table_name = c.table_name"
        "             AND c.row_id BETWEEN m.row_id AND m.last)"
        " ORDER BY c.set_id, c.seq LIMIT :limit",
        {"set": set_id, "limit": MAX_LATER_EDITS * 4},
    ).fetchall()
    edits: list[LaterEdit] = []
    seen: set[tuple[int, str, int, str]] = set()
    for r in rows:
        values = r["new_values"] or r["old_values"]
        columns = sorted(json.loads(values)) if values and r["op"] == "update" else [str(r["op"])]
        for column in columns:
            if column in ("source", "generated_fields"):
                continue
            key = (int(r["set_id"]), str(r["table_name"]), int(r["row_id"]), column)
            if key in seen:
                continue
            seen.add(key)
            edits.append(
                LaterEdit(
                    set_id=int(r["set_id"]),
                    created_at=str(r["created_at"]),
                    actor=str(r["actor"]),
                    label=str(r["label"]),
                    table=str(r["table_name"]),
                    row_id=int(r["row_id"]),
                    column=column,
                )
            )
    return edits[:MAX_LATER_EDITS]


def rollback_batch(db: Database, batch_id: int) -> ChangeSetInfo:
    """Revert the change set of an import batch; return the reverting change set.

    Raises :class:`~.errors.BatchNotFoundError`, :class:`~.errors.BatchNotAppliedError`
    (nothing to roll back) or :class:`~.errors.RollbackConflictError` naming
    the later edits of the same values (then nothing is changed).
    """
    row = (
        db.reader()
        .execute(
            "SELECT b.file_name, b.change_set_id, b.status, s.reverted_by FROM import_batch b"
            " LEFT JOIN change_set s ON s.id = b.change_set_id WHERE b.id = ?",
            (batch_id,),
        )
        .fetchone()
    )
    if row is None:
        raise BatchNotFoundError(batch_id)
    if row["change_set_id"] is None or row["status"] != "applied" or row["reverted_by"]:
        raise BatchNotAppliedError(batch_id, "rolled_back" if row["reverted_by"] else row["status"])
    set_id = int(row["change_set_id"])
    label = f"Откат загрузки файла «{row['file_name']}»"
    try:
        revert_id = db.log.revert(set_id, "revert", label)
    except RevertConflictError as exc:
        raise RollbackConflictError(
            batch_id, str(row["file_name"]), _later_edits(db, set_id)
        ) from exc
    # The batch's status follows its change set (import_history reads it from there); the
    # stored column is kept in step in a transaction of its own, under the log's lock.
    with db.log.change_set(label, "import"):
        db.log.conn.execute(
            "UPDATE import_batch SET status = 'rolled_back' WHERE id = ?", (batch_id,)
        )
    return db.log.get_set(revert_id)


# --------------------------------------------------------------------------- the report
_FORMULA_START: Final = ("=", "+", "-", "@")


def _safe_cell(cell: Any, value: Any) -> None:
    """Write text that begins like a formula as plain text (no spreadsheet runs it)."""
    if isinstance(value, str):
        cell.value = value
        if value.startswith(_FORMULA_START):
            cell.data_type = "s"
            cell.quotePrefix = True
    elif isinstance(value, int | float | date | datetime) and not isinstance(value, bool):
        cell.value = value
    else:
        cell.value = "" if value is None else str(value)


def write_problems_xlsx(plan: ImportPlan, path: Path) -> Path:
    """Write the validation report of a preview (every problem and warning) as a workbook.

    Columns: file, sheet, cell, value, what was expected, and whether it is
    an error (the file is refused) or a warning.  A refused file without cell
    problems (a zip bomb, a PDF) gets one line with the reason.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    from shnor_desktop.services.messages import describe_error

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Замечания"
    headers = ("Файл", "Лист", "Ячейка", "Значение", "Что ожидалось", "Вид")
    widths = (34, 18, 9, 24, 60, 16)
    for index, (text, width) in enumerate(zip(headers, widths, strict=True), start=1):
        cell = ws.cell(row=1, column=index, value=text)
        cell.font = Font(bold=True)
        ws.column_dimensions[cell.column_letter].width = width
    line = 2
    wrap = Alignment(wrap_text=True, vertical="top")
    for file_plan in plan.files:
        entries: list[tuple[Problem, str]] = [(p, "ошибка") for p in file_plan.problems]
        entries += [(p, "предупреждение") for p in file_plan.warnings]
        if file_plan.error is not None and not file_plan.problems:
            reason = describe_error(file_plan.error)
            entries.insert(0, (Problem(file_plan.name, "", "", "", reason), "файл не принят"))
        for note in file_plan.notes if file_plan.status is FileStatus.MISMATCH else ():
            entries.append((Problem(file_plan.name, "", "", "", note), "нужно подтверждение"))
        for problem, kind in entries:
            values = (
                problem.file,
                problem.sheet,
                problem.cell,
                problem.value,
                problem.expected,
                kind,
            )
            for column, value in enumerate(values, start=1):
                cell = ws.cell(row=line, column=column)
                _safe_cell(cell, value)
                cell.alignment = wrap
            line += 1
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:F{max(line - 1, 1)}"
    path = Path(path)
    temporary = path.with_name(f".~{path.stem}.{os.getpid()}.tmp")
    try:
        wb.save(temporary)
        os.replace(temporary, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()
    return path
