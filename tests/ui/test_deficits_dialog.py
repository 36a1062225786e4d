"""«Дефициты…» of the journal page: the reference list renamed, added to and tidied with the
keyboard, a deficit named in entries refused with how many, every change undone in the window."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget

from shnor_desktop.models.database import Database
from shnor_desktop.models.journal import JournalQuery
from shnor_desktop.ui.deficits_dialog import DeficitModel, DeficitNameDialog, DeficitsDialog
from shnor_desktop.ui.journal_panel import JournalPanel

Bot = Any
ShowPanel = Callable[..., Any]
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support (raise|grabbing)")
_PAGES: list[JournalPanel] = []


@pytest.fixture(autouse=True)
def _keep_pages() -> Any:
    """The journal pages opened by a test live until its end (their windows are theirs)."""
    yield
    _PAGES.clear()


def _type(widget: QWidget, text: str) -> None:
    """Type text key by key (QTest's keyClicks knows only ASCII)."""
    for char in text:
        QTest.sendKeyEvent(
            QTest.KeyAction.Click, widget, Qt.Key.Key_unknown, char, Qt.KeyboardModifier(0)
        )


def _open(qtbot: Bot, show_panel: ShowPanel, db: Database) -> DeficitsDialog:
    """Open the window from its button (the page stays alive as the window's parent)."""
    panel: JournalPanel = show_panel(JournalPanel, db, size=(1300, 760))
    _PAGES.append(panel)
    with qtbot.waitActive(panel):
        panel.activateWindow()
    qtbot.mouseClick(panel.deficits_button, Qt.MouseButton.LeftButton)
    dialog = panel.dialog
    assert isinstance(dialog, DeficitsDialog)
    with qtbot.waitActive(dialog):
        dialog.activateWindow()
    return dialog


def _key(qtbot: Bot, dialog: DeficitsDialog, key: Qt.Key) -> None:
    """Press a key on the list, where the user's focus is."""
    if not dialog.isActiveWindow():
        with qtbot.waitActive(dialog):
            dialog.activateWindow()
    dialog.view.setFocus()
    qtbot.waitUntil(dialog.view.hasFocus)
    qtbot.keyClick(dialog.view, key)


def _names(dialog: DeficitsDialog) -> dict[str, int]:
    model = dialog.model
    return {model.record(r).name: model.record(r).uses for r in range(model.rowCount())}


def _name_dialog(qtbot: Bot, dialog: DeficitsDialog) -> DeficitNameDialog:
    named = dialog.name_dialog
    assert isinstance(named, DeficitNameDialog)
    with qtbot.waitActive(named):
        named.activateWindow()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is named.name)  # typing goes there
    return named


def test_the_model_passes_the_model_tester(
    qtbot: Bot, show_panel: ShowPanel, demo_db: Database, qtmodeltester: Any
) -> None:
    dialog = _open(qtbot, show_panel, demo_db)
    assert dialog.model.rowCount() == len(demo_db.journal.deficits()) > 5
    qtmodeltester.check(dialog.model)
    model = DeficitModel()
    qtmodeltester.check(model)  # empty too


def test_a_deficit_in_use_is_refused_with_the_number_of_entries(
    qtbot: Bot, show_panel: ShowPanel, demo_db: Database
) -> None:
    dialog = _open(qtbot, show_panel, demo_db)
    most = max(demo_db.journal.deficits(), key=lambda d: d.uses)
    assert dialog.select(most.id)
    _key(qtbot, dialog, Qt.Key.Key_Delete)
    assert dialog.refusal.isVisible()
    text = dialog.refusal.text()
    assert f"«{most.name}» указан в {most.uses} записях журнала тьюторов и не удалён" in text
    assert _names(dialog)[most.name] == most.uses
    assert not dialog.undo_button.isEnabled()


def test_rename_add_remove_and_undo_in_the_window(
    qtbot: Bot, show_panel: ShowPanel, demo_db: Database
) -> None:
    dialog = _open(qtbot, show_panel, demo_db)
    used = max(demo_db.journal.deficits(), key=lambda d: d.uses)
    dialog.select(used.id)
    # F2: a new name for every entry that names it.
    _key(qtbot, dialog, Qt.Key.Key_F2)
    named = _name_dialog(qtbot, dialog)
    assert named.name.text() == used.name and named.name.selectedText() == used.name
    _type(named.name, "Слабая мотивация учеников")
    qtbot.keyClick(named.name, Qt.Key.Key_Return)
    assert not named.isVisible()
    assert _names(dialog)["Слабая мотивация учеников"] == used.uses
    found = demo_db.journal.visits(JournalQuery(search="слабая мотивация"))
    assert len(found) == used.uses
    assert "Переименован" in dialog.message.text()
    # Its undo, in the window.
    assert dialog.undo_button.isEnabled()
    qtbot.mouseClick(dialog.undo_button, Qt.MouseButton.LeftButton)
    assert used.name in _names(dialog) and "Слабая мотивация учеников" not in _names(dialog)
    # Insert: a new name; a name already listed (whatever its case) is said to be there.
    _key(qtbot, dialog, Qt.Key.Key_Insert)
    named = _name_dialog(qtbot, dialog)
    _type(named.name, used.name.upper())
    qtbot.keyClick(named.name, Qt.Key.Key_Return)
    assert "уже есть в списке" in dialog.message.text()
    assert dialog.selected() is not None and dialog.selected().id == used.id  # type: ignore[union-attr]
    _key(qtbot, dialog, Qt.Key.Key_Insert)
    named = _name_dialog(qtbot, dialog)
    qtbot.keyClick(named.name, Qt.Key.Key_Return)  # empty: refused under the field
    assert named.isVisible() and named.errors["name"].isVisible()
    _type(named.name, "Нет наставника у молодых учителей")
    qtbot.keyClick(named.name, Qt.Key.Key_Return)
    assert _names(dialog)["Нет наставника у молодых учителей"] == 0
    chosen = dialog.selected()
    assert chosen is not None and chosen.name == "Нет наставника у молодых учителей"
    # Delete: an unused one goes; «Отменить» brings it back.
    _key(qtbot, dialog, Qt.Key.Key_Delete)
    assert "Нет наставника у молодых учителей" not in _names(dialog)
    assert not dialog.refusal.isVisible()
    qtbot.mouseClick(dialog.undo_button, Qt.MouseButton.LeftButton)
    assert "Нет наставника у молодых учителей" in demo_db.journal.deficit_names()
    assert "Нет наставника у молодых учителей" in _names(dialog)
