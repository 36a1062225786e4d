"""Item models of the «Журнал тьюторов» page: the journal, the overdue follow-ups, the schools
without a visit.

:class:`JournalModel` reads the journal lazily in pages (a region keeps tens
of thousands of entries) and orders it in SQL: a click on a header asks the
repository again (``sig_order_changed``) instead of sorting the pages read so
far.  «Просрочено» is derived from the due date and the day the page looks
at (``today``) and shown in red instead of an open status.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, Qt, Signal
from PySide6.QtGui import QBrush, QColor

from shnor_desktop.models.journal import FOLLOW_UP_LABELS, OVERDUE, SchoolLastVisit, Visit
from shnor_desktop.models.schools import GROUP_SHORT_LABELS
from shnor_desktop.models.text import format_date, format_number
from shnor_desktop.ui.table_model import Column, RecordTableModel

OVERDUE_COLOUR = "#c62828"
DONE_COLOUR = "#2e7d32"
GENERATED_COLOUR = "#6d6d6d"
DEFICIT_SEPARATOR = "; "
"""Between the deficits of an entry, in a cell and in the quick entry field."""


def tr(text: str) -> str:
    """Translate a source string of the journal's context."""
    return QCoreApplication.translate("journal", text)


def follow_up_label(status: str) -> str:
    """The Russian name of a follow-up status («на контроле», «просрочено» …)."""
    return tr(FOLLOW_UP_LABELS.get(status, status))


def deficits_text(visit: Visit) -> str:
    """The deficits of an entry in one line."""
    return DEFICIT_SEPARATOR.join(visit.deficits)


def _optional(text: str) -> str | None:
    return text or None


class JournalModel(RecordTableModel):
    """The journal as a table, read page by page; the order is the repository's."""

    CONTEXT = "JournalModel"
    COLUMNS = (
        Column("Дата", lambda v: format_date(v.visit_date), sort=lambda v: v.visit_date),
        Column("Тьютор", lambda v: v.tutor_name, cell_tooltip=lambda v: _optional(v.tutor_name)),
        Column(
            "Школа",
            lambda v: v.school_name,
            cell_tooltip=lambda v: _optional(v.school_full_name),
        ),
        Column("Форма", lambda v: v.form),
        Column("Тема", lambda v: v.topic, cell_tooltip=lambda v: _optional(v.topic)),
        Column(
            "Дефициты",
            deficits_text,
            cell_tooltip=lambda v: _optional("\n".join(v.deficits)),
        ),
        Column(
            "Рекомендации",
            lambda v: v.recommendations,
            cell_tooltip=lambda v: _optional(v.recommendations),
        ),
        Column("Срок", lambda v: format_date(v.due_date), sort=lambda v: v.due_date),
        Column("Исполнение", lambda v: follow_up_label(v.follow_up_status)),
    )
    (
        COL_DATE,
        COL_TUTOR,
        COL_SCHOOL,
        COL_FORM,
        COL_TOPIC,
        COL_DEFICITS,
        COL_RECOMMENDATIONS,
        COL_DUE,
        COL_STATUS,
    ) = range(len(COLUMNS))
    #: The order key of the repository for each column that can be ordered by.
    ORDER_KEYS: Mapping[int, str] = {
        COL_DATE: "date",
        COL_TUTOR: "tutor",
        COL_SCHOOL: "school",
        COL_FORM: "form",
        COL_DUE: "due",
        COL_STATUS: "status",
    }

    sig_order_changed = Signal(str, bool)  # order key, descending

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        #: The day «просрочено» is seen from.
        self.today = date.today()

    def status_text(self, visit: Visit) -> str:
        """The follow-up as seen on :attr:`today`."""
        return follow_up_label(visit.status_on(self.today))

    def read_from(self, fetch: Callable[[int, int], Sequence[Visit]] | None) -> None:
        """Read the entries lazily from ``fetch(offset, limit)`` (the first page at once)."""
        self.set_source(fetch)
        if self.canFetchMore():
            self.fetchMore()

    def data(self, index: Any, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if (
            role == Qt.ItemDataRole.DisplayRole
            and index.isValid()
            and index.column() == self.COL_STATUS
            and 0 <= index.row() < self.rowCount()
        ):
            return self.status_text(self.record(index.row()))
        return super().data(index, role)

    def extra_data(self, record: Any, column: int, role: int) -> Any:
        visit: Visit = record
        if role == Qt.ItemDataRole.ForegroundRole and column in (self.COL_STATUS, self.COL_DUE):
            status = visit.status_on(self.today)
            if status == OVERDUE:
                return QBrush(QColor(OVERDUE_COLOUR))
            if status == "done" and column == self.COL_STATUS:
                return QBrush(QColor(DONE_COLOUR))
        if role == Qt.ItemDataRole.ToolTipRole and column == self.COL_DATE and visit.generated:
            return tr("Запись сгенерирована для демонстрации")
        if role == Qt.ItemDataRole.ToolTipRole and column == self.COL_STATUS:
            return _optional(visit.follow_up_note)
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Ask for the journal in another order (the repository sorts; pages stay lazy)."""
        key = self.ORDER_KEYS.get(column)
        if key is not None:
            self.sig_order_changed.emit(key, order == Qt.SortOrder.DescendingOrder)

    def row_of_id(self, visit_id: int) -> int:
        """The row of an entry among those read so far (-1 when not there)."""
        return self.row_of(visit_id)


class OverdueModel(RecordTableModel):
    """Follow-ups overdue on a day: the oldest due first."""

    CONTEXT = "OverdueModel"
    COLUMNS = (
        Column("Срок", lambda v: format_date(v.due_date), sort=lambda v: v.due_date),
        Column("Дней", lambda v: "", right=True, tooltip="Дней просрочки"),
        Column(
            "Школа", lambda v: v.school_name, cell_tooltip=lambda v: _optional(v.school_full_name)
        ),
        Column(
            "Рекомендации",
            lambda v: v.recommendations,
            cell_tooltip=lambda v: _optional(v.recommendations),
        ),
        Column("Тьютор", lambda v: v.tutor_name),
        Column("Посещение", lambda v: format_date(v.visit_date), sort=lambda v: v.visit_date),
    )
    COL_DUE, COL_DAYS, COL_SCHOOL, COL_RECOMMENDATIONS, COL_TUTOR, COL_VISIT = range(len(COLUMNS))

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.today = date.today()

    def data(self, index: Any, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if (
            role == Qt.ItemDataRole.DisplayRole
            and index.isValid()
            and index.column() == self.COL_DAYS
            and 0 <= index.row() < self.rowCount()
        ):
            return format_number(self.record(index.row()).days_overdue(self.today), 0)
        return super().data(index, role)

    def extra_data(self, record: Any, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.ForegroundRole and column in (self.COL_DUE, self.COL_DAYS):
            return QBrush(QColor(OVERDUE_COLOUR))
        return None


def _days_text(row: SchoolLastVisit) -> str:
    return tr("ни разу") if row.days_since is None else format_number(row.days_since, 0)


class NoVisitModel(RecordTableModel):
    """Schools without a visit for N days: never visited first, then the longest wait."""

    CONTEXT = "NoVisitModel"
    COLUMNS = (
        Column("Школа", lambda r: r.short_name, cell_tooltip=lambda r: _optional(r.full_name)),
        Column(
            "Группа",
            lambda r: QCoreApplication.translate(
                "passport", GROUP_SHORT_LABELS.get(r.group_code or "none", "—")
            ),
        ),
        Column(
            "Последний визит",
            lambda r: format_date(r.last_visit) if r.last_visit else tr("не было"),
            sort=lambda r: r.last_visit,
        ),
        Column("Дней", _days_text, right=True, tooltip="Дней без посещения"),
        Column("Тьютор", lambda r: r.last_tutor, tooltip="Кто посетил школу последним"),
    )
    COL_SCHOOL, COL_GROUP, COL_LAST, COL_DAYS, COL_TUTOR = range(len(COLUMNS))

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent, key=lambda r: r.school_id)

    def extra_data(self, record: Any, column: int, role: int) -> Any:
        row: SchoolLastVisit = record
        if (
            role == Qt.ItemDataRole.ForegroundRole
            and column in (self.COL_LAST, self.COL_DAYS)
            and row.last_visit is None
        ):
            return QBrush(QColor(OVERDUE_COLOUR))
        return None
