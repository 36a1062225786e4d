"""«Дефициты…»: the reference list of deficits of the tutor journal, kept in order.

The list grows by itself as tutors name new deficits in the quick entry; here
the coordinator tidies it: adds a name, renames one (every entry that names
it shows the new name) and removes one that no entry names.  A deficit named
in entries is not removed: the refusal says in how many (rename it instead,
or take it out of those entries first).  Every change is one change set of
the journal's repository (history, undo); «Отменить» undoes the last change
made in this window while it is open (the main window's Правка → Отменить
later).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
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
from shnor_desktop.models.errors import DomainError
from shnor_desktop.models.fields import FieldIssue
from shnor_desktop.models.journal import Deficit
from shnor_desktop.models.text import plural
from shnor_desktop.services.messages import describe_error
from shnor_desktop.ui.common import ROLE_ID, DataBus
from shnor_desktop.ui.forms import FormDialog, Values
from shnor_desktop.ui.table_model import Column, RecordTableModel
from shnor_desktop.ui.widgets import error_label, quoted

AnyIndex = QModelIndex | QPersistentModelIndex

DEFICIT_TABLES = ("deficit", "tutor_visit_deficit")
"""The tables the window shows (the names, and how many entries name each)."""
HINT_STYLE = "color: #555555;"


class DeficitModel(RecordTableModel):
    """The deficits of the list, by name, with how many entries of the journal name each."""

    CONTEXT = "journal"
    COLUMNS = (
        Column("Дефицит", lambda d: d.name),
        Column(
            "Записей журнала",
            lambda d: str(d.uses) if d.uses else "—",
            tooltip="Сколько записей журнала тьюторов называют этот дефицит",
            right=True,
            sort=lambda d: d.uses,
        ),
    )
    COL_NAME, COL_USES = range(len(COLUMNS))


class DeficitNameDialog(FormDialog):
    """The name of a deficit, new or renamed; the journal's rules check it as it is written."""

    def __init__(self, title: str, save_text: str, name: str, parent: QWidget | None) -> None:
        super().__init__(title, save_text, parent)
        self.setMinimumWidth(480)
        self.name = self.add_line(
            "name", self.tr("Дефицит"), name, self.tr("например, Низкая мотивация обучающихся")
        )
        self._finish_layout()
        self.name.setFocus()
        self.name.selectAll()

    def read(self) -> tuple[Values, list[FieldIssue]]:
        """The name as typed (emptiness and duplicates are refused by the write itself)."""
        return {"name": self.name.text()}, []


class DeficitsDialog(QDialog):
    """The reference list of deficits: add, rename, remove (refused while entries name it)."""

    def __init__(self, db: Database, bus: DataBus, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.setWindowTitle(self.tr("Дефициты — справочник журнала тьюторов"))
        self.resize(640, 480)
        #: The change sets made in this window (what its «Отменить» may take back).
        self._made_here: set[int] = set()
        #: The add / rename window open over this one.
        self.name_dialog: DeficitNameDialog | None = None
        hint = QLabel(
            self.tr(
                "Из этого списка выбирают дефициты при записи посещения; новый дефицит, "
                "набранный в записи, попадает сюда сам. Переименование меняет название во всех "
                "записях. Удалить можно только дефицит, не указанный ни в одной записи."
            ),
            self,
        )
        hint.setWordWrap(True)
        hint.setStyleSheet(HINT_STYLE)
        self.model = DeficitModel(self)
        self.view = QTableView(self)
        self.view.setObjectName("deficit_view")
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QTableView.EditTrigger.NoEditTriggers)
        self.view.setAlternatingRowColors(True)
        self.view.setWordWrap(False)
        self.view.verticalHeader().hide()
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(DeficitModel.COL_NAME, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(DeficitModel.COL_USES, QHeaderView.ResizeMode.ResizeToContents)
        self.view.doubleClicked.connect(self._on_view_double_clicked)
        self.view.selectionModel().currentRowChanged.connect(self._on_view_current_row_changed)
        self.add_action = self._action(self.tr("Добавить…"), Qt.Key.Key_Insert, self.add_deficit)
        self.rename_action = self._action(
            self.tr("Переименовать…"), Qt.Key.Key_F2, self.rename_deficit
        )
        self.remove_action = self._action(
            self.tr("Удалить"), QKeySequence.StandardKey.Delete, self.remove_deficit
        )
        self.add_button = self._button(self.add_action, "add")
        self.rename_button = self._button(self.rename_action, "rename")
        self.remove_button = self._button(self.remove_action, "remove")
        self.undo_button = QPushButton(self.tr("Отменить"), self)
        self.undo_button.setObjectName("undo")
        self.undo_button.clicked.connect(self.undo_last)
        self.count_label = QLabel(self)
        self.count_label.setObjectName("count")
        self.message = QLabel(self)
        self.message.setObjectName("message")
        self.message.setWordWrap(True)
        self.message.hide()
        self.refusal = error_label(self, "refusal")
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        close.button(QDialogButtonBox.StandardButton.Close).setText(self.tr("Закрыть"))
        close.rejected.connect(self.reject)
        buttons = QHBoxLayout()
        for button in (self.add_button, self.rename_button, self.remove_button, self.undo_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.count_label)
        layout = QVBoxLayout(self)
        layout.addWidget(hint)
        layout.addWidget(self.view, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.refusal)
        layout.addWidget(self.message)
        layout.addWidget(close)
        bus.sig_changed.connect(self._on_bus_changed)
        self.reload()
        self.view.setFocus()

    def _action(self, text: str, key: Any, slot: Any) -> QAction:
        action = QAction(text, self.view)
        action.setShortcut(QKeySequence(key))
        action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        action.triggered.connect(slot)
        self.view.addAction(action)
        return action

    def _button(self, action: QAction, name: str) -> QPushButton:
        button = QPushButton(action.text(), self)
        button.setObjectName(name)
        shortcut = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        if shortcut:
            button.setToolTip(shortcut)
        button.clicked.connect(action.trigger)
        return button

    # --- reading -----------------------------------------------------------------------------
    def reload(self) -> None:
        """Read the list again; the deficit selected stays selected."""
        chosen = self.selected()
        rows = self.db.journal.deficits()
        self.model.set_rows(rows)
        kept = chosen is not None and self.select(chosen.id)
        if not kept and rows and not self.view.currentIndex().isValid():
            self._select_row(0)
        used = sum(1 for d in rows if d.uses)
        self.count_label.setText(
            self.tr("%1 %2, из них в записях — %3")
            .replace("%1", str(len(rows)))
            .replace("%2", plural(len(rows), "дефицит", "дефицита", "дефицитов"))
            .replace("%3", str(used))
        )
        self._update_buttons()

    def selected(self) -> Deficit | None:
        """The deficit of the current row (None when there is none)."""
        index = self.view.currentIndex()
        if not index.isValid():
            return None
        record: Deficit = self.model.record(index.row())
        return record

    def select(self, deficit_id: int) -> bool:
        """Make a deficit the current row; False when it is not listed."""
        row = self.model.row_of(deficit_id)
        if row >= 0:
            self._select_row(row)
        return row >= 0

    def _select_row(self, row: int) -> None:
        index = self.model.index(row, DeficitModel.COL_NAME)
        self.view.setCurrentIndex(index)
        self.view.scrollTo(index)

    def _update_buttons(self) -> None:
        chosen = self.selected()
        for action, button in (
            (self.rename_action, self.rename_button),
            (self.remove_action, self.remove_button),
        ):
            action.setEnabled(chosen is not None)
            button.setEnabled(chosen is not None)
        last = self.db.undo.next_undo()
        mine = last is not None and last.id in self._made_here
        self.undo_button.setEnabled(mine)
        self.undo_button.setToolTip(
            self.tr("Отменить: %1").replace("%1", last.label) if mine and last else ""
        )

    # --- writing -----------------------------------------------------------------------------
    def _done(self, info: ChangeSetInfo | None, text: str) -> None:
        if info is not None:
            self._made_here.add(info.id)
        self.refusal.hide()
        self.message.setText(text)
        self.message.show()
        self._update_buttons()

    def _refuse(self, text: str) -> None:
        self.message.hide()
        self.refusal.setText(text)
        self.refusal.show()

    def _open_name_dialog(self, dialog: DeficitNameDialog) -> DeficitNameDialog:
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.name_dialog = dialog
        dialog.finished.connect(self._on_name_dialog_finished)
        dialog.open()
        return dialog

    def _on_name_dialog_finished(self, _result: int) -> None:
        self.name_dialog = None
        self.view.setFocus()

    def add_deficit(self) -> DeficitNameDialog:
        """Ask for a new name and add it to the list."""
        dialog = DeficitNameDialog(self.tr("Новый дефицит"), self.tr("Добавить"), "", self)

        def save(values: Values) -> None:
            name = str(values["name"])
            label = self.tr("Журнал тьюторов: в список добавлен дефицит %1").replace(
                "%1", quoted(" ".join(name.split()))
            )
            info, deficit_id = self.db.journal.add_deficit(name, label)
            self.reload()
            self.select(deficit_id)
            chosen = self.selected()
            shown = quoted(chosen.name) if chosen else ""
            if info is None:
                self._done(None, self.tr("%1 уже есть в списке.").replace("%1", shown))
            else:
                self._done(info, self.tr("Добавлен дефицит %1.").replace("%1", shown))

        dialog.saver = save
        return self._open_name_dialog(dialog)

    def rename_deficit(self) -> DeficitNameDialog | None:
        """Ask for a new name of the selected deficit; every entry shows it."""
        chosen = self.selected()
        if chosen is None:
            return None
        dialog = DeficitNameDialog(
            self.tr("Переименовать дефицит"), self.tr("Переименовать"), chosen.name, self
        )

        def save(values: Values) -> None:
            name = " ".join(str(values["name"]).split())
            label = (
                self.tr("Журнал тьюторов: дефицит %1 переименован в %2")
                .replace("%1", quoted(chosen.name))
                .replace("%2", quoted(name))
            )
            info = self.db.journal.rename_deficit(chosen.id, name, label)
            self.reload()
            self._done(
                info,
                self.tr("Переименован: %1 → %2.")
                .replace("%1", quoted(chosen.name))
                .replace("%2", quoted(name))
                if info is not None
                else self.tr("Название не изменилось."),
            )

        dialog.saver = save
        return self._open_name_dialog(dialog)

    def remove_deficit(self) -> bool:
        """Remove the selected deficit; refused (with how many) while entries name it."""
        chosen = self.selected()
        if chosen is None:
            return False
        label = self.tr("Журнал тьюторов: из списка удалён дефицит %1").replace(
            "%1", quoted(chosen.name)
        )
        try:
            info = self.db.journal.remove_deficit(chosen.id, label)
        except DomainError as exc:
            self._refuse(describe_error(exc))
            return False
        row = self.view.currentIndex().row()
        self.reload()
        if self.model.rowCount():
            self._select_row(min(row, self.model.rowCount() - 1))
        self._done(
            info,
            self.tr("Удалён дефицит %1. «Отменить» вернёт его.").replace("%1", quoted(chosen.name)),
        )
        return True

    def undo_last(self) -> None:
        """Undo the last change made in this window (when it is still the last one made)."""
        last = self.db.undo.next_undo()
        if last is None or last.id not in self._made_here:
            return
        try:
            self.db.undo.undo()
        except DomainError as exc:
            self._refuse(describe_error(exc))
            return
        self._made_here.discard(last.id)
        self.reload()
        self._done(None, self.tr("Отменено: %1").replace("%1", last.label))

    # --- events ------------------------------------------------------------------------------
    def _on_bus_changed(self, info: object) -> None:
        if isinstance(info, ChangeSetInfo) and info.touches(*DEFICIT_TABLES):
            self.reload()
        else:
            self._update_buttons()

    def _on_view_current_row_changed(self, *_args: object) -> None:
        self._update_buttons()

    def _on_view_double_clicked(self, index: QModelIndex) -> None:
        if index.isValid() and index.data(ROLE_ID) is not None:
            self.rename_deficit()
