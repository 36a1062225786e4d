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
    """Schools of a chosen year with their branches beneath; sorting is done in SQL.

    A refresh keeps what the views hold: when the same rows stay in the same
    places only ``dataChanged`` is emitted, a new order is a layout change
    (persistent indexes, and so the selection, follow their rows), and only
    rows that appear or disappear reset the model.  A *pinned* school stays in
    the list, greyed, even when the search or the group filter no longer
    selects it: the school being edited never leaves the list under the user.
    """

    COL_NAME, COL_CODE, COL_KIND, COL_GROUP, COL_DISTANCE, COL_PUPILS = range(6)
    SORT_KEYS = ("name", "code", "kind", "group", "distance", "pupils")

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._repo: SchoolRepository | None = None
        self._query = SchoolQuery()
        self._pinned: int | None = None
        self._kept: set[int] = set()
        self._top: list[SchoolRow] = []
        self._children: dict[int, list[SchoolRow]] = {}
        self._parent_of: dict[int, int | None] = {}
        self._row_of: dict[int, int] = {}
        self._by_id: dict[int, SchoolRow] = {}

    # --- data source --------------------------------------------------------------
    def set_repository(self, repo: SchoolRepository | None, refresh: bool = True) -> None:
        """Show the schools of another database (``refresh=False`` when a query follows)."""
        self._repo = repo
        self._pinned = None
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

    def set_pinned(self, school_id: int | None) -> None:
        """Keep ``school_id`` in the list from the next refresh on, whatever the filter."""
        self._pinned = school_id

    def is_kept(self, school_id: int | None) -> bool:
        """True when the school is shown only because it is pinned."""
        return school_id in self._kept

    def counts(self) -> tuple[int, int]:
        """How many schools and branches the query selects (pinned and brought-along rows aside)."""
        schools = branches = 0
        for row in self._by_id.values():
            if row.matches and row.id not in self._kept:
                if row.parent_id is None:
                    schools += 1
                else:
                    branches += 1
        return schools, branches

    def _read(self) -> list[SchoolRow]:
        repo = self._repo
        self._kept = set()
        if repo is None:
            return []
        query = self._query
        rows = repo.rows(query)
        pinned = self._pinned
        if pinned is None or not (query.search or query.group):
            return rows
        if any(r.id == pinned for r in rows):
            return rows
        # The pinned school no longer matches: read every school in the same order
        # and keep the matches, the pinned school and its parent school.
        everything = repo.rows(replace(query, search="", group=None))
        found = next((r for r in everything if r.id == pinned), None)
        if found is None:  # removed meanwhile
            return rows
        matched = {r.id: r for r in rows}
        wanted = set(matched) | {pinned}
        if found.parent_id is not None:
            wanted.add(found.parent_id)
        self._kept = {pinned}
        return [matched.get(r.id, replace(r, matches=False)) for r in everything if r.id in wanted]

    def refresh(self) -> None:
        """Read the rows again, telling the views as little as needed."""
        rows = self._read()
        ids = {r.id for r in rows}
        top = [r for r in rows if r.parent_id is None or r.parent_id not in ids]
        children: dict[int, list[SchoolRow]] = {}
        for r in rows:
            if r.parent_id is not None and r.parent_id in ids:
                children.setdefault(r.parent_id, []).append(r)
        parent_of = {r.id: (r.parent_id if r.parent_id in ids else None) for r in rows}
        old = self._by_id

        def shape(
            top_rows: list[SchoolRow], kids: dict[int, list[SchoolRow]]
        ) -> tuple[list[int], dict[int, list[int]]]:
            return [r.id for r in top_rows], {k: [r.id for r in v] for k, v in kids.items()}

        if shape(top, children) == shape(self._top, self._children):
            self._store(top, children, parent_of, rows)
            self._emit_changed([r for r in rows if old.get(r.id) != r])
        elif ids == set(old) and parent_of == self._parent_of:
            # Same rows under the same parents in a new order (a sort): a layout
            # change moves the persistent indexes, so the selection follows its row.
            self.layoutAboutToBeChanged.emit()
            before = self.persistentIndexList()
            keys = [(int(i.internalId()), i.column()) for i in before]
            self._store(top, children, parent_of, rows)
            after = [self.createIndex(self._row_of[key], column, key) for key, column in keys]
            self.changePersistentIndexList(before, after)
            self.layoutChanged.emit()
            self._emit_changed([r for r in rows if old.get(r.id) != r])
        else:
            self.beginResetModel()
            self._store(top, children, parent_of, rows)
            self.endResetModel()

    def _store(
        self,
        top: list[SchoolRow],
        children: dict[int, list[SchoolRow]],
        parent_of: dict[int, int | None],
        rows: list[SchoolRow],
    ) -> None:
        self._top = top
        self._children = children
        self._parent_of = parent_of
        self._by_id = {r.id: r for r in rows}
        self._row_of = {r.id: i for i, r in enumerate(top)}
        for kids in children.values():
            self._row_of.update({r.id: i for i, r in enumerate(kids)})

    def _emit_changed(self, rows: list[SchoolRow]) -> None:
        last = self.columnCount() - 1
        for row in rows:
            first = self.index_of(row.id)
            self.dataChanged.emit(first, first.siblingAtColumn(last))

    def row_for(self, index: AnyIndex) -> SchoolRow | None:
        """The school row behind an index."""
        if not index.isValid():
            return None
        return self._by_id.get(int(index.internalId()))

    def index_of(self, school_id: int | None) -> QModelIndex:
        """The index of a school's first column, invalid when not shown."""
        if school_id is None or school_id not in self._by_id:
            return QModelIndex()
        return self.createIndex(self._row_of[school_id], 0, school_id)

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
            if row.id in self._kept:
                return self.tr(
                    "{0}\nНе подходит под поиск или фильтр: остаётся в списке, пока выбрана."
                ).format(row.full_name)
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
