"""The main window as a coordinator uses it: open, edit, undo, reopen, back up, restore."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QDialog, QLineEdit, QMessageBox

from shnor_desktop.models.schools import SchoolQuery
from shnor_desktop.services import backup
from shnor_desktop.ui.main_window import MainWindow, NewDatabaseWizard, RestoreDialog


@pytest.fixture
def window(qtbot, settings: QSettings):  # type: ignore[no-untyped-def]
    win = MainWindow(settings)
    qtbot.addWidget(win)
    win.resize(1366, 768)
    win.show()
    yield win
    win.close()


def _wait_for_backups(qtbot, win: MainWindow) -> None:  # type: ignore[no-untyped-def]
    qtbot.waitUntil(lambda: not any(t.running for t in win.tasks), timeout=10000)
    qtbot.wait(10)


def _low_income_edit(win: MainWindow, needle: str, year: int = 2022) -> QLineEdit:
    panel = win.passport_panel
    panel.year.setCurrentIndex(panel.year.findData(year))
    assert win.db is not None
    school_id = win.db.schools.rows(SchoolQuery(search=needle, year=year))[0].id
    assert panel.select_school(school_id)
    editor = panel.editors[("profile", "pct_low_income")].editor
    assert isinstance(editor, QLineEdit)
    return editor


def test_opening_shows_the_district_and_backs_it_up(
    qtbot, window: MainWindow, demo_path: Path
) -> None:  # type: ignore[no-untyped-def]
    assert window.open_database(demo_path)
    _wait_for_backups(qtbot, window)
    assert window.windowTitle().startswith("Ивантеевский муниципальный район")
    assert str(demo_path) in window.db_label.text()
    assert window.backup_label.text().startswith("Резервная копия: ")
    backups = backup.list_backups(demo_path)
    assert len(backups) == 1 and backups[0].reason == "open"
    assert window.recent_files()[0] == str(demo_path)
    assert [window.nav.item(i).text() for i in range(window.nav.count())] == [
        "Школы и паспорта",
        "Район и рабочая группа",
        "Журнал изменений",
    ]


def test_edit_undo_redo_survive_panel_switch_and_reopen(
    qtbot,  # type: ignore[no-untyped-def]
    window: MainWindow,
    demo_path: Path,
    settings: QSettings,
) -> None:
    window.open_database(demo_path)
    _wait_for_backups(qtbot, window)
    edit = _low_income_edit(window, "знаменский")
    assert edit.text() == "32"
    edit.setText("30,5")
    edit.editingFinished.emit()
    assert window.act_undo.isEnabled()
    assert "Доход ниже прожиточного минимума" in window.act_undo.text()
    window.nav.setCurrentRow(2)  # the change log panel
    window.nav.setCurrentRow(0)
    window.act_undo.trigger()
    assert _low_income_edit(window, "знаменский").text() == "32"
    assert window.act_redo.isEnabled()
    window.act_redo.trigger()
    assert _low_income_edit(window, "знаменский").text() == "30,5"
    window.close()

    again = MainWindow(settings)
    qtbot.addWidget(again)
    again.show()
    assert again.open_database(demo_path)
    _wait_for_backups(qtbot, again)
    assert _low_income_edit(again, "знаменский").text() == "30,5"
    assert not again.act_undo.isEnabled()  # undo belongs to the session that edited
    again.close()


def test_text_typed_but_not_left_is_saved_on_close(
    qtbot,  # type: ignore[no-untyped-def]
    window: MainWindow,
    demo_path: Path,
) -> None:
    window.open_database(demo_path)
    _wait_for_backups(qtbot, window)
    window.activateWindow()
    edit = _low_income_edit(window, "арбузовка")
    edit.setFocus()
    qtbot.waitUntil(edit.hasFocus)
    edit.selectAll()
    qtbot.keyClicks(edit, "39")
    window.close()
    conn = sqlite3.connect(demo_path)
    value = conn.execute(
        "SELECT p.pct_low_income FROM school_profile p JOIN school s ON s.id = p.school_id"
        " WHERE s.code = '04' AND p.year = 2022"
    ).fetchone()[0]
    conn.close()
    assert value == 39


def test_first_run_wizard_creates_a_database(qtbot, window: MainWindow, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    wizard = NewDatabaseWizard(tmp_path)
    qtbot.addWidget(wizard)
    wizard.district_name.setText("Ивантеевский муниципальный район")
    wizard.region.setText("Саратовская область")
    wizard.office.setText("Управление образованием администрации Ивантеевского МР")
    wizard.coordinator.setText("Астраханцева О.В.")
    wizard.path_edit.setText(str(tmp_path / "Новый район.sqlite"))
    path, district, coordinator = wizard.values()
    assert window.create_database(path, district, coordinator)
    assert window.db is not None
    created = window.db.district.district()
    assert created is not None and created.region == "Саратовская область"
    people = window.db.district.people("coordinator")
    assert [p.full_name for p in people] == ["Астраханцева О.В."]
    # A second database of the same name is not overwritten.
    messages: list[str] = []
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(QMessageBox, "warning", lambda _p, _t, text, *a: messages.append(text))
        assert not window.create_database(path, district, coordinator)
    assert "уже существует" in messages[0]


def test_backup_now_and_restore(qtbot, window: MainWindow, demo_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    window.open_database(demo_path)
    _wait_for_backups(qtbot, window)
    edit = _low_income_edit(window, "ивановка")
    edit.setText("20")
    edit.editingFinished.emit()
    window.act_backup.trigger()
    _wait_for_backups(qtbot, window)
    newest = backup.list_backups(demo_path)[0]
    assert newest.reason == "manual"
    edit = _low_income_edit(window, "ивановка")
    edit.setText("27")
    edit.editingFinished.emit()

    monkeypatch.setattr(RestoreDialog, "exec", lambda self: QDialog.DialogCode.Accepted)
    window.restore()
    _wait_for_backups(qtbot, window)
    assert window.db is not None
    assert _low_income_edit(window, "ивановка").text() == "20"
    reasons = [b.reason for b in backup.list_backups(demo_path)]
    assert "before-restore" in reasons


def test_newer_database_is_refused_untouched(
    window: MainWindow, demo_path: Path, tmp_path: Path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    newer = tmp_path / "newer.sqlite"
    shutil.copy(demo_path, newer)
    conn = sqlite3.connect(newer)
    conn.execute("PRAGMA journal_mode = DELETE")
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    before = hashlib.sha256(newer.read_bytes()).hexdigest()
    messages: list[str] = []
    monkeypatch.setattr(QMessageBox, "critical", lambda _p, _t, text, *a: messages.append(text))
    assert not window.open_database(newer)
    assert "более новой версией" in messages[0]
    assert hashlib.sha256(newer.read_bytes()).hexdigest() == before
    assert window.db is None
    assert window.pages.currentIndex() == 0  # the welcome page, no half-open panels


def test_geometry_and_panel_are_remembered(qtbot, settings: QSettings, demo_path: Path) -> None:  # type: ignore[no-untyped-def]
    first = MainWindow(settings)
    qtbot.addWidget(first)
    first.resize(760, 560)
    first.show()
    first.open_database(demo_path)
    _wait_for_backups(qtbot, first)
    first.nav.setCurrentRow(1)
    size = first.size()
    first.close()
    second = MainWindow(settings)
    qtbot.addWidget(second)
    assert second.nav.currentRow() == 1
    assert second.size() == size
    assert second.recent_files() == [str(demo_path)]
    second.close()


def test_welcome_page_opens_the_demo_district(
    qtbot,  # type: ignore[no-untyped-def]
    window: MainWindow,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("tempfile.mkdtemp", lambda prefix="": str(tmp_path))
    assert window.pages.currentIndex() == 0
    assert not window.act_undo.isEnabled() and not window.act_backup.isEnabled()
    assert window.act_undo.shortcut().toString() == "Ctrl+Z"
    assert "Ctrl+Y" in [s.toString() for s in window.act_redo.shortcuts()]
    assert window.open_demo()
    _wait_for_backups(qtbot, window)
    assert window.pages.currentIndex() == 1
    assert window.db is not None and window.db.path.name == "Демо-район.sqlite"
    assert window.passport_panel.count_label.text() == "Показано: 13"
