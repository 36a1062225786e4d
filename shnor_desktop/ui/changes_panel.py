"""The change log page: recent change sets and reverting one of them."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QItemSelection,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from shnor_desktop.models.changelog import ChangeSetInfo
from shnor_desktop.models.database import Database
from shnor_desktop.models.errors import (
    AlreadyRevertedError,
    DomainError,
    RevertConflictError,
)
from shnor_desktop.models.schools import PROFILE_FIELD_BY_NAME, SCHOOL_FIELD_BY_NAME
from shnor_desktop.models.text import format_timestamp, school_year_label
from shnor_desktop.ui.common import ROLE_ID, ROLE_RECORD, ROLE_SORT, DataBus, Panel
from shnor_desktop.ui.district_panel import district_field_label
from shnor_desktop.ui.messages import ask_yes_no, show_warning
from shnor_desktop.ui.school_models import change_kind_label

AnyIndex = QModelIndex | QPersistentModelIndex


def _tr(text: str) -> str:
    return QCoreApplication.translate("changes", text)


def table_label(table: str) -> str:
    """The Russian name of a table of the database."""
    labels = {
        "district": _tr("Район"),
        "district_year": _tr("Показатели района по годам"),
        "programme": _tr("Программа"),
        "school": _tr("Школы"),
        "school_profile": _tr("Паспорта школ"),
        "person": _tr("Люди"),
        "person_role": _tr("Роли людей"),
        "assessment": _tr("Результаты оценочных процедур"),
    }
    return labels.get(table, table)


def column_label(table: str, column: str) -> str:
    """The Russian name of a field, as the forms show it."""
    if table == "school_profile" and column in PROFILE_FIELD_BY_NAME:
        return QCoreApplication.translate("passport", PROFILE_FIELD_BY_NAME[column].label)
    if table == "school" and column in SCHOOL_FIELD_BY_NAME:
        return QCoreApplication.translate("passport", SCHOOL_FIELD_BY_NAME[column].label)
    if table == "district":
        return district_field_label(column)
    common = {
        "year": _tr("Год"),
        "full_name": _tr("ФИО"),
        "position": _tr("Должность"),
        "role": _tr("Роль"),
        "person_id": _tr("Человек"),
        "school_id": _tr("Школа"),
        "district_id": _tr("Район"),
        "pupils_total": _tr("Обучающихся"),
    }
    return common.get(column, column)


def describe_record(db: Database, table: str, row_id: int) -> str:
    """Name a record the way the user knows it: «паспорт школы … за 2022/23»."""
    row = db.log.read_row(table, row_id)
    if row is None:
        return (
            _tr("запись №%1 («%2»), которой больше нет")
            .replace("%1", str(row_id))
            .replace("%2", table_label(table))
        )
    if table == "school_profile":
        school = db.log.read_row("school", int(row["school_id"]))
        name = school["short_name"] if school else str(row["school_id"])
        return (
            _tr("паспорт школы «%1» за %2 учебный год")
            .replace("%1", name)
            .replace("%2", school_year_label(int(row["year"])))
        )
    if table == "school":
        return _tr("школа «%1»").replace("%1", str(row["short_name"]))
    if table == "district":
        return _tr("район «%1»").replace("%1", str(row["name"]))
    if table == "district_year":
        return _tr("показатели района за %1").replace("%1", school_year_label(int(row["year"])))
    if table == "person":
        return _tr("«%1»").replace("%1", str(row["full_name"]))
    return _tr("запись №%1 («%2»)").replace("%1", str(row_id)).replace("%2", table_label(table))


def describe_conflict(db: Database, set_id: int, error: RevertConflictError) -> str:
    """Say in Russian why a change set cannot be reverted, naming record and field."""
    record = describe_record(db, error.table, error.row_id)
    if error.column == "id":
        detail = _tr(
            "другим набором изменений с тех пор удалена или создана заново запись: %1."
        ).replace("%1", record)
    else:
        detail = (
            _tr("поле «%1» (%2) с тех пор изменено другим набором изменений.")
            .replace("%1", column_label(error.table, error.column))
            .replace("%2", record)
        )
        later = [
            change
            for change in db.log.field_history(error.table, error.row_id, error.column)
            if change.set_id > set_id
        ]
        if later:
            last = later[-1]
            detail += " " + (
                _tr("Последнее изменение: набор №%1 «%2», %3.")
                .replace("%1", str(last.set_id))
                .replace("%2", last.label)
                .replace("%3", format_timestamp(last.created_at))
            )
    return (
        _tr("Набор изменений №%1 нельзя откатить: %2")
        .replace("%1", str(set_id))
        .replace("%2", detail)
        + "\n\n"
        + _tr("База данных не изменена. Сначала откатите более поздние изменения.")
    )


class ChangeSetModel(QAbstractTableModel):
    """The recent change sets, newest first."""

    COL_ID, COL_WHEN, COL_WHO, COL_KIND, COL_LABEL, COL_ROWS, COL_STATE = range(7)

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[ChangeSetInfo] = []
        self._by_id: dict[int, ChangeSetInfo] = {}

    def set_rows(self, rows: list[ChangeSetInfo]) -> None:
        """Show these change sets."""
        self.beginResetModel()
        self._rows = list(rows)
        self._by_id = {r.id: r for r in rows}
        self.endResetModel()

    def record(self, row: int) -> ChangeSetInfo:
        """The change set of a row."""
        return self._rows[row]

    def row_of(self, set_id: int) -> int:
        """The row of a change set, -1 when it is not shown."""
        return next((i for i, r in enumerate(self._rows) if r.id == set_id), -1)

    def state_text(self, info: ChangeSetInfo) -> str:
        """«отменено набором №N» / «откачено набором №N», or what the set reverts."""
        if info.reverted_by is not None:
            by = self._by_id.get(info.reverted_by)
            text = (
                self.tr("отменено набором №%1")
                if by is not None and by.kind == "undo"
                else self.tr("откачено набором №%1")
            )
            return text.replace("%1", str(info.reverted_by))
        if info.reverts_id is not None:
            return self.tr("возвращает набор №%1").replace("%1", str(info.reverts_id))
        return ""

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else 7

    def headerData(  # noqa: N802
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        if not 0 <= section < 7:
            return None
        return (
            self.tr("№"),
            self.tr("Когда"),
            self.tr("Кто"),
            self.tr("Вид"),
            self.tr("Что"),
            self.tr("Записей"),
            self.tr("Состояние"),
        )[section]

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        info = self._rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(info, column)
        if role == Qt.ItemDataRole.ToolTipRole and column == self.COL_LABEL:
            tables = ", ".join(sorted(table_label(t) for t in info.tables))
            return self.tr("Затронуто: %1").replace("%1", tables) if tables else None
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (self.COL_ID, self.COL_ROWS):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole and info.reverted_by is not None:
            return QBrush(QColor("#888888"))
        if role == ROLE_SORT:
            return (
                info.id,
                info.created_at,
                info.actor,
                info.kind,
                info.label,
                info.row_count,
                info.reverted_by or 0,
            )[column]
        if role == ROLE_ID:
            return info.id
        if role == ROLE_RECORD:
            return info
        return None

    def _display(self, info: ChangeSetInfo, column: int) -> str:
        if column == self.COL_ID:
            return str(info.id)
        if column == self.COL_WHEN:
            return format_timestamp(info.created_at)
        if column == self.COL_WHO:
            return info.actor
        if column == self.COL_KIND:
            return change_kind_label(info.kind)
        if column == self.COL_LABEL:
            return info.label
        if column == self.COL_ROWS:
            return str(info.row_count)
        return self.state_text(info)

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable


class ChangesPanel(Panel):
    """Who changed what and when; a whole change set can be reverted."""

    TITLE = "Журнал изменений"  # source string, context "Panel"

    def __init__(self, bus: DataBus, parent: QWidget | None = None) -> None:
        super().__init__(bus, parent)
        self.model = ChangeSetModel(self)
        self.view = QTableView(self)
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.view.setAlternatingRowColors(True)
        self.view.verticalHeader().hide()
        self.view.setWordWrap(False)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(ChangeSetModel.COL_LABEL, QHeaderView.ResizeMode.Stretch)
        self.view.selectionModel().selectionChanged.connect(self._on_view_selection_changed)

        self.hint = QLabel(
            self.tr(
                "Каждое сохранение, импорт и отмена записываются набором изменений. "
                "Откат набора возвращает прежние значения новым набором — его тоже можно откатить."
            ),
            self,
        )
        self.hint.setWordWrap(True)
        self.revert_button = QPushButton(self.tr("Откатить набор изменений…"), self)
        self.revert_button.setEnabled(False)
        self.revert_button.clicked.connect(self._on_revert_button_clicked)

        buttons = QHBoxLayout()
        buttons.addWidget(self.hint, 1)
        buttons.addWidget(self.revert_button, 0, Qt.AlignmentFlag.AlignTop)
        layout = QVBoxLayout(self)
        layout.addLayout(buttons)
        layout.addWidget(self.view, 1)
        self.reload()

    # --- reading --------------------------------------------------------------------
    def reload(self) -> None:
        """Read the recent change sets again, keeping the selected one."""
        selected = self.selected_set()
        self.model.set_rows(self.db.log.recent_sets() if self.db is not None else [])
        self.view.resizeColumnsToContents()
        if selected is not None:
            self.select_set(selected.id)
        self._update_buttons()

    def selected_set(self) -> ChangeSetInfo | None:
        """The change set selected in the table."""
        rows = self.view.selectionModel().selectedRows()
        if not rows:
            return None
        return self.model.record(rows[0].row())

    def select_set(self, set_id: int) -> None:
        """Select a change set in the table, if it is shown."""
        row = self.model.row_of(set_id)
        if row >= 0:
            self.view.selectRow(row)

    def _on_view_selection_changed(
        self, selected: QItemSelection, deselected: QItemSelection
    ) -> None:
        del selected, deselected
        self._update_buttons()

    def _update_buttons(self) -> None:
        info = self.selected_set()
        self.revert_button.setEnabled(info is not None and info.reverted_by is None)

    # --- reverting -----------------------------------------------------------------
    def _on_revert_button_clicked(self) -> None:
        info = self.selected_set()
        if info is not None:
            self.revert_set(info.id)

    def revert_set(self, set_id: int) -> int | None:
        """Ask, then revert a change set; return the new set id (None if not done)."""
        db = self.db
        if db is None:
            return None
        info = db.log.get_set(set_id)
        question = (
            self.tr(
                "Откатить набор изменений №%1 «%2» от %3 (%4, записей: %5)?\n\n"
                "Прежние значения будут восстановлены новым набором изменений."
            )
            .replace("%1", str(info.id))
            .replace("%2", info.label)
            .replace("%3", format_timestamp(info.created_at))
            .replace("%4", change_kind_label(info.kind))
            .replace("%5", str(info.row_count))
        )
        if not ask_yes_no(self, self.tr("Откат изменений"), question, self.tr("Откатить")):
            return None
        title = self.tr("Откат невозможен")
        try:
            new_id = db.log.revert(
                set_id,
                label=self.tr("Откат набора №%1: %2")
                .replace("%1", str(set_id))
                .replace("%2", info.label),
            )
        except RevertConflictError as exc:
            show_warning(self, title, describe_conflict(db, set_id, exc))
            return None
        except AlreadyRevertedError:
            show_warning(
                self,
                title,
                self.tr("Набор изменений №%1 уже откачен. База данных не изменена.").replace(
                    "%1", str(set_id)
                ),
            )
            return None
        except DomainError as exc:
            show_warning(
                self,
                title,
                self.tr("Набор изменений №%1 нельзя откатить: %2. База данных не изменена.")
                .replace("%1", str(set_id))
                .replace("%2", str(exc)),
            )
            return None
        self.sig_undoable.emit(new_id)
        self.sig_status.emit(
            self.tr("Набор изменений №%1 откачен (набор №%2).")
            .replace("%1", str(set_id))
            .replace("%2", str(new_id))
        )
        self.select_set(new_id)
        return new_id
