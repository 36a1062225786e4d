"""Item models of the exchange windows: schools, files of an import, values, problems, batches.

Each is a thin list over records the services return; none runs SQL.  The
file list is checkable (the files to commit); a file that cannot be
committed (refused, or the same file again) has no check box.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QTableView

from shnor_desktop.models.schools import School
from shnor_desktop.models.text import format_number, format_timestamp, school_year_label
from shnor_desktop.ui.common import ROLE_ID, ROLE_RECORD, ROLE_SORT
from shnor_desktop.ui.table_model import Column, RecordTableModel

AnyIndex = QModelIndex | QPersistentModelIndex
_CHECKED = Qt.CheckState.Checked.value
_UNCHECKED = Qt.CheckState.Unchecked.value
_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)


def _tr(text: str) -> str:
    return QCoreApplication.translate("exchange", text)


def format_value(value: Any) -> str:
    """A value of a workbook or the database the Russian way: 26,81; 1 539; «—» for nothing."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _tr("да") if value else _tr("нет")
    if isinstance(value, int):
        return format_number(value, 0)
    if isinstance(value, float):
        if value.is_integer():
            return format_number(value, 0)
        text = f"{value:.4f}".rstrip("0")
        return format_number(value, len(text.partition(".")[2]))
    return str(value)


def fit_columns(view: QTableView) -> None:
    """Fit the columns to their contents, except the last, which fills the rest of the view.

    (``resizeColumnsToContents`` would shrink the last column too, leaving a gap.)
    """
    model = view.model()
    if model is None:
        return
    for column in range(model.columnCount() - 1):
        view.resizeColumnToContents(column)


# --- schools to make templates for ------------------------------------------------------


class SchoolChoiceModel(QAbstractListModel):
    """The schools of the district, each with a check box (the templates to write)."""

    sig_checked_changed = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._schools: list[School] = []
        self._checked: set[int] = set()

    def set_schools(self, schools: Sequence[School]) -> None:
        """Offer ``schools``, all checked."""
        self.beginResetModel()
        self._schools = list(schools)
        self._checked = {s.id for s in self._schools}
        self.endResetModel()
        self.sig_checked_changed.emit()

    def schools(self) -> list[School]:
        """Every school offered."""
        return list(self._schools)

    def checked(self) -> list[School]:
        """The checked schools, in the order shown."""
        return [s for s in self._schools if s.id in self._checked]

    def set_all(self, checked: bool) -> None:
        """Check or uncheck every school."""
        self._checked = {s.id for s in self._schools} if checked else set()
        if self._schools:
            self.dataChanged.emit(
                self.index(0), self.index(len(self._schools) - 1), [Qt.ItemDataRole.CheckStateRole]
            )
        self.sig_checked_changed.emit()

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._schools)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._schools):
            return None
        school = self._schools[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{school.code} — {school.short_name}"
        if role == Qt.ItemDataRole.ToolTipRole:
            return school.full_name
        if role == Qt.ItemDataRole.CheckStateRole:
            return _CHECKED if school.id in self._checked else _UNCHECKED
        if role == ROLE_ID:
            return school.id
        if role == ROLE_RECORD:
            return school
        return None

    def setData(self, index: AnyIndex, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:  # noqa: N802
        if role != Qt.ItemDataRole.CheckStateRole or not index.isValid():
            return False
        school = self._schools[index.row()]
        if _check_value(value) == _CHECKED:
            self._checked.add(school.id)
        else:
            self._checked.discard(school.id)
        self.dataChanged.emit(index, index, [Qt.ItemDataRole.CheckStateRole])
        self.sig_checked_changed.emit()
        return True

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return (
            Qt.ItemFlag.ItemIsEnabled
            | Qt.ItemFlag.ItemIsSelectable
            | Qt.ItemFlag.ItemIsUserCheckable
        )


def _check_value(value: Any) -> int:
    if isinstance(value, Qt.CheckState):
        return int(value.value)
    try:
        return int(value)
    except (TypeError, ValueError):
        return _UNCHECKED


# --- the files of an import ---------------------------------------------------------------


@dataclass(frozen=True)
class StatusLook:
    """How a file's status reads: its words, its colour, whether it may be committed."""

    text: str
    colour: str
    checkable: bool
    checked: bool


class FilePlanModel(QAbstractTableModel):
    """The files of an import preview, one per row, checkable when they may be committed.

    ``look(plan)`` says how a file's status reads (the preview knows the
    statuses of the import service); ``outcome`` texts replace the status of
    files already committed or refused at commit.
    """

    COL_FILE, COL_SCHOOL, COL_YEAR, COL_STATUS, COL_CHANGES, COL_PROBLEMS = range(6)
    HEADERS = ("Файл", "Школа", "Учебный год", "Состояние", "Изменений", "Замечаний")

    sig_checked_changed = Signal()

    def __init__(
        self,
        look: Callable[[Any], StatusLook],
        parent: QObject | None = None,
        tip: Callable[[Any], str] | None = None,
    ) -> None:
        super().__init__(parent)
        self._look = look
        self._tip: Callable[[Any], str] = tip or (lambda plan: "")
        self._plans: list[Any] = []
        self._checked: set[int] = set()
        self._outcome: dict[int, tuple[str, str, str]] = {}
        self._changes: list[int] = []
        self._locked = False

    def set_plans(self, plans: Iterable[Any], changed_count: Callable[[Any], int]) -> None:
        """Show ``plans``; the files that may be committed are checked as their status says."""
        self.beginResetModel()
        self._plans = list(plans)
        self._changes = [changed_count(p) for p in self._plans]
        self._checked = {
            row
            for row, plan in enumerate(self._plans)
            if (look := self._look(plan)).checkable and look.checked
        }
        self._outcome = {}
        self.endResetModel()
        self.sig_checked_changed.emit()

    def plans(self) -> list[Any]:
        """Every file's plan, in the order shown."""
        return list(self._plans)

    def plan(self, row: int) -> Any:
        """The plan of one row."""
        return self._plans[row]

    def checked_plans(self) -> list[Any]:
        """The plans of the checked files."""
        return [p for row, p in enumerate(self._plans) if row in self._checked]

    def is_checkable(self, row: int) -> bool:
        """True when the file of ``row`` may be committed (and was not yet)."""
        return row not in self._outcome and self._look(self._plans[row]).checkable

    def set_locked(self, locked: bool) -> None:
        """While work runs, the check boxes show but do not change."""
        self._locked = locked

    def set_checked(self, row: int, checked: bool) -> None:
        """Check or uncheck one file (a file that cannot be committed stays unchecked)."""
        self.setData(
            self.index(row, self.COL_FILE),
            _CHECKED if checked else _UNCHECKED,
            Qt.ItemDataRole.CheckStateRole,
        )

    def any_checkable(self) -> bool:
        """True when some file may still be checked."""
        return not self._locked and any(self.is_checkable(r) for r in range(len(self._plans)))

    def set_all(self, checked: bool) -> None:
        """Check or uncheck every file that may be committed."""
        for row in range(len(self._plans)):
            if self.is_checkable(row):
                self.set_checked(row, checked)

    def set_outcome(self, row: int, text: str, colour: str, tip: str = "") -> None:
        """Say what the commit did with a file; it can no longer be checked."""
        self._outcome[row] = (text, colour, tip)
        self._checked.discard(row)
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(self.HEADERS) - 1))
        self.sig_checked_changed.emit()

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._plans)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(  # noqa: N802
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            orientation == Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.DisplayRole
            and 0 <= section < len(self.HEADERS)
        ):
            return _tr(self.HEADERS[section])
        return None

    def _text(self, row: int, column: int) -> str:
        plan = self._plans[row]
        if column == self.COL_FILE:
            return Path(plan.path).name
        if column == self.COL_SCHOOL:
            return str(plan.school_name or "—")
        if column == self.COL_YEAR:
            return school_year_label(plan.year) if plan.year else "—"
        if column == self.COL_STATUS:
            outcome = self._outcome.get(row)
            return outcome[0] if outcome else self._look(plan).text
        if column == self.COL_CHANGES:
            return format_number(self._changes[row], 0) if self._changes[row] >= 0 else "—"
        problems = max(getattr(plan, "problem_count", 0), len(plan.problems))
        return format_number(problems + len(getattr(plan, "warnings", ())), 0)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:  # noqa: PLR0911
        if not index.isValid() or not 0 <= index.row() < len(self._plans):
            return None
        row, column = index.row(), index.column()
        plan = self._plans[row]
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(row, column)
        if role == Qt.ItemDataRole.CheckStateRole and column == self.COL_FILE:
            if not self.is_checkable(row):
                return None
            return _CHECKED if row in self._checked else _UNCHECKED
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == self.COL_FILE:
                return str(plan.path)
            if column == self.COL_STATUS:
                outcome = self._outcome.get(row)
                return (outcome[2] if outcome else self._tip(plan)) or None
            return None
        if role == Qt.ItemDataRole.ForegroundRole and column == self.COL_STATUS:
            outcome = self._outcome.get(row)
            return QBrush(QColor(outcome[1] if outcome else self._look(plan).colour))
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (
            self.COL_CHANGES,
            self.COL_PROBLEMS,
        ):
            return _RIGHT
        if role == ROLE_RECORD:
            return plan
        if role == ROLE_SORT:
            return self._text(row, column)
        return None

    def setData(self, index: AnyIndex, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:  # noqa: N802
        if (
            role != Qt.ItemDataRole.CheckStateRole
            or not index.isValid()
            or index.column() != self.COL_FILE
            or not self.is_checkable(index.row())
            or self._locked
        ):
            return False
        row = index.row()
        if _check_value(value) == _CHECKED:
            self._checked.add(row)
        else:
            self._checked.discard(row)
        self.dataChanged.emit(index, index, [Qt.ItemDataRole.CheckStateRole])
        self.sig_checked_changed.emit()
        return True

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if index.column() == self.COL_FILE and self.is_checkable(index.row()) and not self._locked:
            flags |= Qt.ItemFlag.ItemIsUserCheckable
        return flags


# --- values and problems of one file ---------------------------------------------------


class ChangeModel(RecordTableModel):
    """The values of one file: where in the file, which record and field, what is, what comes."""

    CONTEXT = "exchange"
    COL_SHEET, COL_CELL, COL_ROW, COL_FIELD, COL_OLD, COL_NEW, COL_KIND = range(7)
    #: How each kind of value reads (set by the preview from the service's kinds).
    KIND_TEXT: dict[str, str] = {}
    COLUMNS = (
        Column("Лист", lambda c: str(c.sheet or "—")),
        Column("Ячейка", lambda c: str(c.cell or "—")),
        Column("Запись", lambda c: str(c.row_label)),
        Column("Поле", lambda c: str(c.field_label)),
        Column("Было", lambda c: format_value(c.old)),
        Column("Станет", lambda c: format_value(c.new)),
        Column("Вид", lambda c: ChangeModel.kind_text(c.kind)),
    )

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent, key=id)

    @classmethod
    def kind_text(cls, kind: Any) -> str:
        """The Russian word of a kind of value."""
        key = str(getattr(kind, "value", kind))
        return _tr(cls.KIND_TEXT.get(key, key))

    def extra_data(self, record: Any, column: int, role: int) -> Any:
        """New values green, changed ones blue, the rest grey: the eye finds what will change."""
        if role == Qt.ItemDataRole.ForegroundRole and column in (self.COL_NEW, self.COL_KIND):
            key = str(getattr(record.kind, "value", record.kind))
            colour = {"new": "#1b5e20", "changed": "#0d47a1", "unchanged": "#616161"}.get(key)
            return QBrush(QColor(colour)) if colour else None
        return None


@dataclass(frozen=True)
class ProblemLine:
    """One line of the validation report: where, what was found, what was expected, how grave."""

    file: str
    sheet: str
    cell: str
    value: Any
    expected: str
    severity: str  # «ошибка» (the file is refused), «предупреждение», «файл не принят» …


class ProblemModel(RecordTableModel):
    """The validation report: file, sheet, cell, value, what was expected, how grave."""

    CONTEXT = "exchange"
    COL_FILE, COL_SHEET, COL_CELL, COL_VALUE, COL_EXPECTED, COL_SEVERITY = range(6)
    COLUMNS = (
        Column("Файл", lambda p: Path(p.file).name if p.file else "—"),
        Column("Лист", lambda p: p.sheet or "—"),
        Column("Ячейка", lambda p: p.cell or "—"),
        Column("Значение", lambda p: format_value(p.value)),
        Column("Что ожидалось", lambda p: p.expected, cell_tooltip=lambda p: p.expected),
        Column("Вид", lambda p: p.severity),
    )

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent, key=id)

    def extra_data(self, record: Any, column: int, role: int) -> Any:
        """What refuses the file is red; a warning is not."""
        if role == Qt.ItemDataRole.ForegroundRole and column == self.COL_SEVERITY:
            return QBrush(
                QColor("#b00020" if record.severity != _tr("предупреждение") else "#e65100")
            )
        return None


# --- import history -------------------------------------------------------------------------


class BatchModel(RecordTableModel):
    """Import batches, newest first: when, file, school, year, status, summary."""

    CONTEXT = "exchange"
    COL_WHEN, COL_FILE, COL_SCHOOL, COL_YEAR, COL_STATUS, COL_SUMMARY = range(6)
    #: How each status reads (set by the panel from the service's statuses).
    STATUS_TEXT: dict[str, str] = {
        "applied": "загружен",
        "rolled_back": "откачен",
        "rejected": "отклонён",
    }
    COLUMNS = (
        Column("Когда", lambda b: format_timestamp(b.imported_at), sort=lambda b: b.imported_at),
        Column("Файл", lambda b: str(b.file_name), cell_tooltip=lambda b: str(b.file_name)),
        Column("Школа", lambda b: str(b.school_name or "—")),
        Column("Учебный год", lambda b: school_year_label(b.year) if b.year else "—"),
        Column("Состояние", lambda b: BatchModel.status_text(b.status)),
        Column("Итог", lambda b: str(b.summary), cell_tooltip=lambda b: str(b.summary)),
    )

    @classmethod
    def status_text(cls, status: Any) -> str:
        """The Russian word of a batch status."""
        key = str(getattr(status, "value", status))
        return _tr(cls.STATUS_TEXT.get(key, key))

    def extra_data(self, record: Any, column: int, role: int) -> Any:
        """A rolled back or refused batch is grey."""
        if role == Qt.ItemDataRole.ForegroundRole and column == self.COL_STATUS:
            key = str(getattr(record.status, "value", record.status))
            colour = {"applied": "#1b5e20", "rolled_back": "#616161", "rejected": "#b00020"}
            return QBrush(QColor(colour.get(key, "#000000")))
        return None
