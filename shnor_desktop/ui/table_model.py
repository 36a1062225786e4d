"""One base for the flat table models of the panels (Vorta's column lists, Qt's partial updates).

A model is a list of records (frozen dataclasses from the repositories) and a
tuple of :class:`Column` descriptions: the header (a source string of the
model's translation context), how to show a record's value, its tooltip,
alignment and sort key.  :meth:`RecordTableModel.set_rows` compares the new
records with the shown ones by key: when the same records stay in the same
order, only the rows whose values changed get ``dataChanged`` (the selection,
the scroll position and an open editor stay); otherwise the model resets.
Big tables fetch lazily: give a ``fetch(offset, limit)`` function and the view
asks for more rows as the user scrolls (``canFetchMore`` / ``fetchMore``).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)

from shnor_desktop.ui.common import ROLE_ID, ROLE_RECORD, ROLE_SORT

AnyIndex = QModelIndex | QPersistentModelIndex
_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)


@dataclass(frozen=True)
class Column:
    """One column: its header (source string), its text, tooltip, alignment and sort key."""

    header: str
    text: Callable[[Any], str]
    tooltip: str = ""
    right: bool = False
    sort: Callable[[Any], Any] | None = None
    cell_tooltip: Callable[[Any], str | None] | None = None


class RecordTableModel(QAbstractTableModel):
    """A flat list of records shown through a tuple of :class:`Column` descriptions."""

    #: The translation context of the headers.
    CONTEXT = "table"
    #: The columns, in order (subclasses set it, with ``COL_*`` constants beside it).
    COLUMNS: tuple[Column, ...] = ()
    #: Rows fetched per page when the model reads lazily.
    PAGE = 500

    def __init__(
        self,
        parent: QObject | None = None,
        key: Callable[[Any], Hashable] = lambda record: getattr(record, "id", id(record)),
        fetch: Callable[[int, int], Sequence[Any]] | None = None,
    ) -> None:
        super().__init__(parent)
        self._rows: list[Any] = []
        self._key = key
        self._fetch = fetch
        self._exhausted = fetch is None

    # --- records ---------------------------------------------------------------------
    def set_rows(self, rows: Sequence[Any]) -> None:
        """Show these records: changed values in place when the rows are the same, else reset."""
        new = list(rows)
        old = self._rows
        if len(new) == len(old) and all(
            self._key(a) == self._key(b) for a, b in zip(old, new, strict=True)
        ):
            self._rows = new
            last = len(self.COLUMNS) - 1
            for row, (before, after) in enumerate(zip(old, new, strict=True)):
                if before != after:
                    self.dataChanged.emit(self.index(row, 0), self.index(row, last))
            return
        self.beginResetModel()
        self._rows = new
        self.endResetModel()

    def set_source(self, fetch: Callable[[int, int], Sequence[Any]] | None) -> None:
        """Read lazily from ``fetch(offset, limit)`` (None: the rows are set with set_rows)."""
        self.beginResetModel()
        self._fetch = fetch
        self._rows = []
        self._exhausted = fetch is None
        self.endResetModel()

    def records(self) -> list[Any]:
        """The records shown (those fetched so far)."""
        return list(self._rows)

    def record(self, row: int) -> Any:
        """The record of a row."""
        return self._rows[row]

    def row_of(self, key: Hashable) -> int:
        """The row of the record with ``key``, -1 when it is not shown."""
        return next((i for i, r in enumerate(self._rows) if self._key(r) == key), -1)

    # --- lazy fetching ---------------------------------------------------------------------
    def canFetchMore(self, parent: AnyIndex = QModelIndex()) -> bool:  # noqa: B008, N802
        return not parent.isValid() and not self._exhausted

    def fetchMore(self, parent: AnyIndex = QModelIndex()) -> None:  # noqa: B008, N802
        if parent.isValid() or self._fetch is None or self._exhausted:
            return
        page = list(self._fetch(len(self._rows), self.PAGE))
        if len(page) < self.PAGE:
            self._exhausted = True
        if page:
            first = len(self._rows)
            self.beginInsertRows(QModelIndex(), first, first + len(page) - 1)
            self._rows.extend(page)
            self.endInsertRows()

    # --- Qt overrides ------------------------------------------------------------------------
    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(  # noqa: N802
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self.COLUMNS):
            return None
        column = self.COLUMNS[section]
        if role == Qt.ItemDataRole.DisplayRole:
            return QCoreApplication.translate(self.CONTEXT, column.header)
        if role == Qt.ItemDataRole.ToolTipRole and column.tooltip:
            return QCoreApplication.translate(self.CONTEXT, column.tooltip)
        return None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:  # noqa: PLR0911
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        record = self._rows[index.row()]
        column = self.COLUMNS[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return column.text(record)
        if role == Qt.ItemDataRole.ToolTipRole:
            return column.cell_tooltip(record) if column.cell_tooltip else None
        if role == Qt.ItemDataRole.TextAlignmentRole and column.right:
            return _RIGHT
        if role == ROLE_SORT:
            return column.sort(record) if column.sort else column.text(record)
        if role == ROLE_ID:
            return self._key(record)
        if role == ROLE_RECORD:
            return record
        return self.extra_data(record, index.column(), role)

    def extra_data(self, record: Any, column: int, role: int) -> Any:
        """Other roles (colours, fonts) for a subclass; None by default."""
        del record, column, role
        return None

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
