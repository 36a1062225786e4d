"""Thin item models over the school repository: the school tree and a field's history."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from PySide6.QtCore import (
    QAbstractItemModel,
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QBrush, QColor, QFont

from shnor_desktop.models.changelog import FieldChange
from shnor_desktop.models.schools import (
    GROUP_LABELS,
    GROUP_SHORT_LABELS,
    SchoolQuery,
    SchoolRepository,
    SchoolRow,
)
from shnor_desktop.models.text import format_number, format_timestamp
from shnor_desktop.ui.common import ROLE_ID, ROLE_RECORD

AnyIndex = QModelIndex | QPersistentModelIndex


def group_label(code: str | None) -> str:
    """The translated label of a group code."""
    return QCoreApplication.translate("passport", GROUP_LABELS.get(code or "none", ""))


class SchoolTreeModel(QAbstractItemModel):
    """Schools of a chosen year with their branches beneath; sorting is done in SQL."""

    COL_NAME, COL_CODE, COL_KIND, COL_GROUP, COL_DISTANCE, COL_PUPILS = range(6)
    SORT_KEYS = ("name", "code", "kind", "group", "distance", "pupils")

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._repo: SchoolRepository | None = None
        self._query = SchoolQuery()
        self._top: list[SchoolRow] = []
        self._children: dict[int, list[SchoolRow]] = {}
        self._parent_of: dict[int, int | None] = {}
        self._by_id: dict[int, SchoolRow] = {}

    # --- data source --------------------------------------------------------------
    def set_repository(self, repo: SchoolRepository | None, refresh: bool = True) -> None:
        """Show the schools of another database (``refresh=False`` when a query follows)."""
        self._repo = repo
        if refresh:
            self.refresh()

    @property
    def query(self) -> SchoolQuery:
        """The search, group filter, year and order now shown."""
        return self._query

    def set_query(self, query: SchoolQuery) -> None:
        """Show what ``query`` selects."""
        self._query = query
        self.refresh()

    def refresh(self) -> None:
        """Read the rows again."""
        self.beginResetModel()
        rows = [] if self._repo is None else self._repo.rows(self._query)
        ids = {r.id for r in rows}
        self._by_id = {r.id: r for r in rows}
        self._top = [r for r in rows if r.parent_id is None or r.parent_id not in ids]
        self._children = {}
        for r in rows:
            if r.parent_id is not None and r.parent_id in ids:
                self._children.setdefault(r.parent_id, []).append(r)
        self._parent_of = {r.id: (r.parent_id if r.parent_id in ids else None) for r in rows}
        self.endResetModel()

    def row_for(self, index: AnyIndex) -> SchoolRow | None:
        """The school row behind an index."""
        if not index.isValid():
            return None
        return self._by_id.get(int(index.internalId()))

    def index_of(self, school_id: int) -> QModelIndex:
        """The index of a school's first column, invalid when not shown."""
        if school_id not in self._by_id:
            return QModelIndex()
        parent_id = self._parent_of.get(school_id)
        siblings = self._top if parent_id is None else self._children[parent_id]
        row = next(i for i, r in enumerate(siblings) if r.id == school_id)
        return self.createIndex(row, 0, school_id)

    # --- Qt overrides -----------------------------------------------------------------
    def _siblings(self, parent: AnyIndex) -> list[SchoolRow]:
        if not parent.isValid():
            return self._top
        return self._children.get(int(parent.internalId()), [])

    def index(self, row: int, column: int, parent: AnyIndex = QModelIndex()) -> QModelIndex:  # noqa: B008
        siblings = self._siblings(parent)
        if parent.isValid() and parent.column() != 0:
            return QModelIndex()
        if 0 <= row < len(siblings) and 0 <= column < self.columnCount():
            return self.createIndex(row, column, siblings[row].id)
        return QModelIndex()

    def parent(self, child: AnyIndex = QModelIndex()) -> QModelIndex:  # type: ignore[override]  # noqa: B008
        if not child.isValid():
            return QModelIndex()
        parent_id = self._parent_of.get(int(child.internalId()))
        if parent_id is None:
            return QModelIndex()
        return self.index_of(parent_id)

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008, N802
        if parent.isValid() and parent.column() != 0:
            return 0
        return len(self._siblings(parent))

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008, N802
        del parent
        return 6

    def headerData(  # noqa: N802
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal:
            return None
        if role == Qt.ItemDataRole.ToolTipRole:
            return (
                self.tr("Краткое наименование"),
                self.tr("Код школы"),
                self.tr("Вид организации"),
                self.tr("Группа в выбранном учебном году"),
                self.tr("Расстояние до районного центра, км"),
                self.tr("Обучающихся в выбранном учебном году"),
            )[section]
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        return (
            self.tr("Школа"),
            self.tr("Код"),
            self.tr("Вид"),
            self.tr("Группа"),
            self.tr("Км"),
            self.tr("Чел."),
        )[section]

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        row = self.row_for(index)
        if row is None:
            return None
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(row, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == self.COL_GROUP:
                return group_label(row.group_code)
            return row.full_name
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (
            self.COL_DISTANCE,
            self.COL_PUPILS,
        ):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole and not row.matches:
            return QBrush(QColor("#888888"))
        if role == Qt.ItemDataRole.FontRole and column == self.COL_NAME and row.parent_id is None:
            font = QFont()
            font.setBold(True)
            return font
        if role == ROLE_ID:
            return row.id
        if role == ROLE_RECORD:
            return row
        return None

    def _display(self, row: SchoolRow, column: int) -> str:
        if column == self.COL_NAME:
            return row.short_name
        if column == self.COL_CODE:
            return row.code
        if column == self.COL_KIND:
            return row.kind
        if column == self.COL_GROUP:
            return (
                QCoreApplication.translate("passport", GROUP_SHORT_LABELS[row.group_code])
                if row.group_code
                else ""
            )
        if column == self.COL_DISTANCE:
            return format_number(row.distance_km, 0) if row.distance_km is not None else ""
        return format_number(row.pupils_total, 0) if row.pupils_total is not None else ""

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(self.SORT_KEYS):
            return
        # The order comes from SQL, so a sort is a fresh read of the rows.
        self.set_query(
            replace(
                self._query,
                sort_key=self.SORT_KEYS[column],
                descending=order == Qt.SortOrder.DescendingOrder,
            )
        )


class HistoryModel(QAbstractTableModel):
    """The recorded changes of one field, newest first."""

    COL_WHEN, COL_WHO, COL_OLD, COL_NEW, COL_ACTION = range(5)

    def __init__(self, changes: list[FieldChange], formatter: Any, parent: Any = None) -> None:
        super().__init__(parent)
        self._changes = list(reversed(changes))
        self._format = formatter

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._changes)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else 5

    def headerData(  # noqa: N802
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        return (
            self.tr("Когда"),
            self.tr("Кто"),
            self.tr("Было"),
            self.tr("Стало"),
            self.tr("Действие"),
        )[section]

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or role not in (
            Qt.ItemDataRole.DisplayRole,
            Qt.ItemDataRole.ToolTipRole,
        ):
            return None
        change = self._changes[index.row()]
        column = index.column()
        if column == self.COL_WHEN:
            return format_timestamp(change.created_at)
        if column == self.COL_WHO:
            return change.actor
        if column == self.COL_ACTION:
            return change_kind_label(change.kind) + (f": {change.label}" if change.label else "")
        value = change.old if column == self.COL_OLD else change.new
        return self._format(value)


def change_kind_label(kind: str) -> str:
    """The Russian name of a kind of change set."""
    labels = {
        "edit": QCoreApplication.translate("changes", "Правка"),
        "import": QCoreApplication.translate("changes", "Импорт"),
        "demo": QCoreApplication.translate("changes", "Демо-данные"),
        "undo": QCoreApplication.translate("changes", "Отмена"),
        "redo": QCoreApplication.translate("changes", "Повтор"),
        "revert": QCoreApplication.translate("changes", "Откат"),
        "migration": QCoreApplication.translate("changes", "Обновление"),
    }
    return labels.get(kind, kind)
