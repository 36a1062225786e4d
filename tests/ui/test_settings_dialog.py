"""«Настройки»: the objectivity threshold and the rules, edited in place, saved in one set."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QModelIndex, QSettings, Qt
from PySide6.QtWidgets import QAbstractItemView, QApplication, QLineEdit, QMenu

from shnor_desktop.models.database import Database
from shnor_desktop.models.identification import (
    DEFAULT_RULES,
    RULES_SETTING,
    load_rules,
    rules_to_json,
)
from shnor_desktop.models.settings import OBJECTIVITY_THRESHOLD
from shnor_desktop.ui.main_window import MainWindow
from shnor_desktop.ui.settings_dialog import RulesModel, SettingsDialog, parse_threshold
from tests.models.test_write_path import data_dump

Bot = Any


@pytest.fixture
def db(empty_db: Database) -> Database:
    """A new, empty database (``empty_db`` of tests/conftest.py)."""
    return empty_db


@pytest.fixture
def dialog(qtbot: Bot, db: Database) -> SettingsDialog:
    shown = SettingsDialog(db)
    qtbot.addWidget(shown)
    shown.show()
    qtbot.waitExposed(shown)
    return shown


def _index(model: RulesModel, path: tuple[int, ...], column: int) -> QModelIndex:
    index = QModelIndex()
    for place in path:
        index = model.index(place, 0, index)
    return model.index(index.row(), column, index.parent())


def _edit_cell(
    qtbot: Bot, dialog: SettingsDialog, path: tuple[int, ...], column: int, text: str
) -> None:
    """Edit a cell as a user does: select it, F2, replace the text, Enter."""
    index = _index(dialog.model, path, column)
    dialog.tree.setFocus()
    dialog.tree.setCurrentIndex(index)
    qtbot.keyClick(dialog.tree, Qt.Key.Key_F2)
    editor = QApplication.focusWidget()
    assert isinstance(editor, QLineEdit), editor
    editor.selectAll()
    qtbot.keyClick(editor, Qt.Key.Key_Delete)
    qtbot.keyClicks(editor, text)
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    # The view commits an editor's text on the next turn of the event loop.
    qtbot.waitUntil(lambda: dialog.tree.state() != QAbstractItemView.State.EditingState)


def _text(dialog: SettingsDialog, path: tuple[int, ...], column: int) -> str:
    return str(dialog.model.data(_index(dialog.model, path, column)))


def test_rules_model_passes_the_model_tester(qtmodeltester: Bot, dialog: SettingsDialog) -> None:
    qtmodeltester.check(dialog.model)
    qtmodeltester.check(RulesModel(DEFAULT_RULES))


def test_the_dialog_shows_the_stored_values(dialog: SettingsDialog) -> None:
    assert dialog.windowTitle() == "Настройки"
    assert dialog.threshold.text() == "40,0"
    model = dialog.model
    assert model.rowCount() == len(DEFAULT_RULES.rules)
    assert _text(dialog, (0,), 0) == "ШНОР: Устойчиво низкие результаты два года подряд"
    assert _text(dialog, (0, 0), 0) == "не менее 3 из 4 условий"
    assert _text(dialog, (0, 0), RulesModel.COL_THRESHOLD) == "3 из 4"
    assert _text(dialog, (0, 0, 0), 0) == "Качество ОГЭ по математике"
    assert _text(dialog, (0, 0, 0), RulesModel.COL_COMPARE) == "разница с районным ≤"
    assert _text(dialog, (0, 0, 0), RulesModel.COL_THRESHOLD) == "−15,0 п.п."
    assert _text(dialog, (0, 0, 0), RulesModel.COL_YEARS) == "2"
    # A passport measure has no participants to count.
    prevention_context = (1, 1, 1)
    assert _text(dialog, prevention_context, 0) == "Расстояние до районного центра"
    assert _text(dialog, prevention_context, RulesModel.COL_THRESHOLD) == "40 км"
    assert _text(dialog, prevention_context, RulesModel.COL_MIN) == "—"
    flags = dialog.model.flags(_index(dialog.model, prevention_context, RulesModel.COL_MIN))
    assert not flags & Qt.ItemFlag.ItemIsEditable


def test_edited_thresholds_are_saved_in_one_undoable_change_set(
    qtbot: Bot, dialog: SettingsDialog, db: Database
) -> None:
    before = data_dump(db.conn)
    _edit_cell(qtbot, dialog, (0, 0, 0), RulesModel.COL_THRESHOLD, "-20")
    assert _text(dialog, (0, 0, 0), RulesModel.COL_THRESHOLD) == "−20,0 п.п."
    _edit_cell(qtbot, dialog, (0, 0), RulesModel.COL_THRESHOLD, "2")
    assert _text(dialog, (0, 0), 0) == "не менее 2 из 4 условий"
    dialog.threshold.setFocus()
    dialog.threshold.selectAll()
    qtbot.keyClicks(dialog.threshold, "35,5")
    sets = db.log.set_count()
    with qtbot.waitSignal(dialog.sig_saved) as saved:
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert saved.args[0] is not None and saved.args[0].row_count == 2
    assert not dialog.isVisible()
    assert db.log.set_count() == sets + 1
    assert db.settings.get(OBJECTIVITY_THRESHOLD) == 35.5
    rules = load_rules(db.settings)
    assert rules.rules[0].blocks[0].conditions[0].threshold == -20.0
    assert rules.rules[0].blocks[0].at_least == 2
    assert rules.rules[1:] == DEFAULT_RULES.rules[1:]
    db.undo.undo()
    assert data_dump(db.conn) == before
    assert load_rules(db.settings) == DEFAULT_RULES


def test_a_share_over_100_is_refused_with_the_reason_and_kept(
    qtbot: Bot, dialog: SettingsDialog, db: Database
) -> None:
    before = data_dump(db.conn)
    failed = (0, 0, 3)  # «Доля неудовлетворительных результатов ОГЭ», a share
    _edit_cell(qtbot, dialog, failed, RulesModel.COL_THRESHOLD, "120")
    # What was typed stays in the cell, marked, with the reason under the rules.
    assert _text(dialog, failed, RulesModel.COL_THRESHOLD) == "120"
    index = _index(dialog.model, failed, RulesModel.COL_THRESHOLD)
    assert dialog.model.data(index, Qt.ItemDataRole.BackgroundRole) is not None
    reason = "Правило 1, блок 1, условие 4, порог: доля должна быть от 0 до 100 %"
    assert dialog.rules_error.isVisible() and dialog.rules_error.text() == reason
    assert dialog.model.data(index, Qt.ItemDataRole.ToolTipRole) == reason
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible()
    assert dialog.rules_error.text() == f"Исправьте выделенные значения (1): {reason}"
    assert dialog.tree.currentIndex() == index
    assert data_dump(db.conn) == before
    # Years and the «k of n» of a block are checked too.
    _edit_cell(qtbot, dialog, (0, 0, 0), RulesModel.COL_YEARS, "9")
    assert dialog.rules_error.text() == (
        "Правило 1, блок 1, условие 1, число лет подряд: нужно целое число от 1 до 5"
    )
    _edit_cell(qtbot, dialog, (0, 0), RulesModel.COL_THRESHOLD, "7")
    assert dialog.rules_error.text() == (
        "Правило 1, блок 1, число условий: нужно целое число от 1 до 4"
    )
    # Corrected, they save.
    _edit_cell(qtbot, dialog, failed, RulesModel.COL_THRESHOLD, "12,5")
    _edit_cell(qtbot, dialog, (0, 0, 0), RulesModel.COL_YEARS, "3")
    _edit_cell(qtbot, dialog, (0, 0), RulesModel.COL_THRESHOLD, "3")
    assert not dialog.rules_error.isVisible()
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()
    condition = load_rules(db.settings).rules[0].blocks[0].conditions[3]
    assert condition.threshold == 12.5


@pytest.mark.parametrize(
    ("typed", "reason"),
    [("140", "Доля должна быть от 0 до 100 %."), ("сорок", "Нужно число, например 26,8.")],
)
def test_the_objectivity_threshold_is_checked(
    qtbot: Bot, dialog: SettingsDialog, db: Database, typed: str, reason: str
) -> None:
    before = data_dump(db.conn)
    dialog.threshold.setFocus()
    dialog.threshold.selectAll()
    for char in typed:
        qtbot.keyClicks(dialog.threshold, char) if char.isascii() else dialog.threshold.insert(char)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible()
    assert dialog.threshold_error.isVisible() and dialog.threshold_error.text() == reason
    assert dialog.threshold.text() == typed
    assert data_dump(db.conn) == before


def test_reset_to_defaults_and_the_rule_switch(
    qtbot: Bot, dialog: SettingsDialog, db: Database
) -> None:
    changed = rules_to_json(DEFAULT_RULES)
    changed["rules"][0]["blocks"][0]["conditions"][0]["threshold"] = -30
    db.settings.set(RULES_SETTING, changed, "Правила")
    db.settings.set(OBJECTIVITY_THRESHOLD, 30, "Порог")
    again = SettingsDialog(db)
    qtbot.addWidget(again)
    again.show()
    assert _text(again, (0, 0, 0), RulesModel.COL_THRESHOLD) == "−30,0 п.п."
    assert again.threshold.text() == "30,0"
    # Space on a rule switches it off, as the check box does.
    again.tree.setFocus()
    again.tree.setCurrentIndex(_index(again.model, (3,), 0))
    qtbot.keyClick(again.tree, Qt.Key.Key_Space)
    assert not again.model.ruleset().rules[3].enabled
    qtbot.mouseClick(again.reset_button, Qt.MouseButton.LeftButton)
    assert _text(again, (0, 0, 0), RulesModel.COL_THRESHOLD) == "−15,0 п.п."
    assert again.threshold.text() == "40,0"
    assert again.model.ruleset().rules[3].enabled
    sets = db.log.set_count()
    qtbot.mouseClick(again.save_button, Qt.MouseButton.LeftButton)
    assert db.log.set_count() == sets + 1
    # Back to the defaults: nothing is stored any more.
    assert db.settings.is_default(RULES_SETTING) and db.settings.is_default(OBJECTIVITY_THRESHOLD)


def test_the_results_year_is_a_choice(qtbot: Bot, dialog: SettingsDialog, db: Database) -> None:
    dialog.offset.setFocus()
    qtbot.keyClick(dialog.offset, Qt.Key.Key_Down)
    assert dialog.offset.currentData() == 0
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert load_rules(db.settings).results_offset == 0


@pytest.mark.parametrize(
    ("typed", "value"),
    [("-15", -15.0), ("−15,0 п.п.", -15.0), ("+5", 5.0), ("25 %", 25.0), ("40 км", 40.0)],
)
def test_thresholds_are_read_as_typed(typed: str, value: float) -> None:
    assert parse_threshold(typed) == value


def test_the_menu_opens_the_settings_of_the_open_database(
    qtbot: Bot, demo_path: Path, settings: QSettings
) -> None:
    window = MainWindow(settings)
    qtbot.addWidget(window)
    window.show()
    assert not window.act_settings.isEnabled()
    assert window.open_database(demo_path)
    qtbot.waitUntil(lambda: not any(t.running for t in window.tasks))
    menus = {a.text(): a.menu() for a in window.menuBar().actions()}
    tools = menus["С&ервис"]
    assert isinstance(tools, QMenu) and window.act_settings in tools.actions()
    window.act_settings.trigger()
    dialog = window.findChild(SettingsDialog)
    assert dialog is not None and dialog.isVisible()
    dialog.threshold.selectAll()
    qtbot.keyClicks(dialog.threshold, "45")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert window.statusBar().currentMessage() == "Настройки сохранены."
    assert window.act_undo.text() == "Отменить: Изменение настроек"
    window.act_undo.trigger()
    assert window.db is not None and window.db.settings.get(OBJECTIVITY_THRESHOLD) == 40.0
