"""What every panel shares: the panel base class, the change bus and item roles.

Targeted refresh: a panel names the tables it shows (``TABLES``).  A committed
change set reaches a panel only when it touched one of them, and only while
the panel is visible; a hidden panel is marked stale and reloads when it is
next shown.  The change set says which rows it touched
(:meth:`ChangeSetInfo.ids`), so a panel may update just those rows.
"""

from __future__ import annotations

from typing import ClassVar, TypeVar

from PySide6.QtCore import QCoreApplication, QObject, Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QDialog, QWidget

from shnor_desktop.models.changelog import ChangeSetInfo
from shnor_desktop.models.database import Database
from shnor_desktop.ui.widgets import install_wheel_guard

# Named item-data roles (Vorta's style): what a view asks a model for beyond text.
ROLE_ID = Qt.ItemDataRole.UserRole + 1
ROLE_SORT = Qt.ItemDataRole.UserRole + 2
ROLE_RECORD = Qt.ItemDataRole.UserRole + 3

DialogT = TypeVar("DialogT", bound=QDialog)


class DataBus(QObject):
    """Turns the change log's listener calls into a Qt signal for every panel.

    The log calls its listeners in the thread that committed (a worker, for a
    long write); the signal is queued to the GUI thread, where panels refresh.
    """

    sig_changed = Signal(object)  # ChangeSetInfo

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._db: Database | None = None

    def attach(self, db: Database | None) -> None:
        """Listen to the change log of ``db`` (and no longer to the one before)."""
        if self._db is not None and self._on_log_changed in self._db.log.listeners:
            self._db.log.listeners.remove(self._on_log_changed)
        self._db = db
        if db is not None:
            db.log.listeners.append(self._on_log_changed)

    def _on_log_changed(self, info: ChangeSetInfo) -> None:
        self.sig_changed.emit(info)


class Panel(QWidget):
    """A page of the main window; it reads and writes only through ``Database``."""

    #: The title in the navigation list (a source string, context "Panel").
    TITLE = ""
    #: The tables the panel shows; a change set touching none of them is ignored.
    #: Empty means every change concerns the panel.
    TABLES: ClassVar[frozenset[str]] = frozenset()

    sig_status = Signal(str)

    def __init__(self, bus: DataBus, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.bus = bus
        self.db: Database | None = None
        #: True when changes came while the panel was hidden: reload when shown.
        self.stale = False
        #: The panel's open dialog (one at a time; see :meth:`open_dialog`).
        self.dialog: QDialog | None = None
        bus.sig_changed.connect(self._on_bus_changed)
        # Every panel, now and later, gets the guard: the wheel scrolls, it never edits.
        install_wheel_guard()

    def title(self) -> str:
        """The translated title."""
        return QCoreApplication.translate("Panel", self.TITLE)

    def set_database(self, db: Database | None) -> None:
        """Show another database (None when it was closed)."""
        self.db = db
        self.stale = False
        self.reload()

    def reload(self) -> None:
        """Read everything shown again from the database."""

    def concerns(self, info: ChangeSetInfo) -> bool:
        """True when the change set touched a table this panel shows."""
        return not self.TABLES or info.touches(*self.TABLES)

    def _on_bus_changed(self, info: object) -> None:
        if self.db is None or not isinstance(info, ChangeSetInfo) or not self.concerns(info):
            return
        if not self.isVisible():
            self.stale = True
            return
        self.on_data_changed(info)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802
        """Catch up with the changes made while the panel was hidden."""
        super().showEvent(event)
        if self.stale and self.db is not None:
            self.stale = False
            self.reload()

    def on_data_changed(self, info: ChangeSetInfo) -> None:
        """React to a committed change set that concerns this visible panel; by default reload."""
        del info
        self.reload()

    def open_dialog(self, dialog: DialogT) -> DialogT:
        """Show ``dialog`` window-modally as the panel's one dialog; it is deleted once closed.

        A dialog still open is closed first, so a second double click cannot stack two.
        """
        if self.dialog is not None:
            self.dialog.close()
        self.dialog = dialog
        dialog.finished.connect(self._on_dialog_finished)
        dialog.open()
        return dialog

    def _on_dialog_finished(self) -> None:
        dialog = self.sender()
        if dialog is self.dialog:
            self.dialog = None
        if isinstance(dialog, QDialog):
            dialog.deleteLater()
