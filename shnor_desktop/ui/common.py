"""What every panel shares: the panel base class, the change bus and formats."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, Qt, Signal
from PySide6.QtWidgets import QWidget

from shnor_desktop.models.changelog import ChangeSetInfo
from shnor_desktop.models.database import Database

# Named item-data roles (Vorta's style): what a view asks a model for beyond text.
ROLE_ID = Qt.ItemDataRole.UserRole + 1
ROLE_SORT = Qt.ItemDataRole.UserRole + 2
ROLE_RECORD = Qt.ItemDataRole.UserRole + 3


class DataBus(QObject):
    """Turns the change log's listener calls into a Qt signal for every panel."""

    sig_changed = Signal(object)  # ChangeSetInfo

    def attach(self, db: Database) -> None:
        """Listen to the change log of ``db``."""
        db.log.listeners.append(self._on_log_changed)

    def _on_log_changed(self, info: ChangeSetInfo) -> None:
        self.sig_changed.emit(info)


class Panel(QWidget):
    """A page of the main window; it reads and writes only through ``Database``."""

    #: The title in the navigation list (a source string, context "Panel").
    TITLE = ""

    sig_status = Signal(str)
    sig_undoable = Signal(int)  # a change set the user made here, for Правка → Отменить

    def __init__(self, bus: DataBus, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.bus = bus
        self.db: Database | None = None
        bus.sig_changed.connect(self._on_bus_changed)

    def title(self) -> str:
        """The translated title."""
        return QCoreApplication.translate("Panel", self.TITLE)

    def set_database(self, db: Database | None) -> None:
        """Show another database (None when it was closed)."""
        self.db = db
        self.reload()

    def reload(self) -> None:
        """Read everything shown again from the database."""

    def _on_bus_changed(self, info: Any) -> None:
        if self.db is not None:
            self.on_data_changed(info)

    def on_data_changed(self, info: ChangeSetInfo) -> None:
        """React to a committed change set; by default reload."""
        del info
        self.reload()
