"""Small message boxes with Russian button texts (no Qt translation file needed).

Tests capture what the user is told by patching :meth:`QMessageBox.exec`.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QMessageBox, QWidget


def _tr(text: str) -> str:
    return QCoreApplication.translate("messages", text)


def ask_yes_no(parent: QWidget | None, title: str, text: str, yes_text: str) -> bool:
    """Ask to confirm an action; True when the user chose ``yes_text``."""
    box = QMessageBox(QMessageBox.Icon.Question, title, text, parent=parent)
    box.setStandardButtons(QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(QMessageBox.StandardButton.Cancel)
    box.button(QMessageBox.StandardButton.Yes).setText(yes_text)
    box.button(QMessageBox.StandardButton.Cancel).setText(_tr("Отмена"))
    return box.exec() == QMessageBox.StandardButton.Yes


def show_warning(parent: QWidget | None, title: str, text: str) -> None:
    """Tell the user why something was not done."""
    box = QMessageBox(QMessageBox.Icon.Warning, title, text, parent=parent)
    box.setStandardButtons(QMessageBox.StandardButton.Close)
    box.button(QMessageBox.StandardButton.Close).setText(_tr("Закрыть"))
    box.exec()
