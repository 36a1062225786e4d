"""The write path as the window meets it: a busy database, a worker writing, targeted refresh."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit

from shnor_desktop.models.database import Database
from shnor_desktop.models.schools import SchoolQuery
from shnor_desktop.ui.changes_panel import ChangesPanel
from shnor_desktop.ui.common import DataBus
from shnor_desktop.ui.district_panel import DistrictPanel
from shnor_desktop.ui.passport_panel import PassportPanel

Bot = Any


@pytest.fixture
def db(demo_db: Database) -> Database:
    """The demo district (``demo_db`` of conftest.py)."""
    return demo_db


def _panel(qtbot: Bot, db: Database, bus: DataBus) -> PassportPanel:
    panel = PassportPanel(bus)
    qtbot.addWidget(panel)
    panel.resize(1300, 850)
    panel.set_database(db)
    panel.show()
    qtbot.waitExposed(panel)
    return panel


def _bartenevka(db: Database) -> int:
    return db.schools.rows(SchoolQuery(search="бартеневка", year=2022))[0].id


def _type_and_enter(qtbot: Bot, line: QLineEdit, text: str) -> None:
    line.setFocus()
    line.selectAll()
    for char in text:
        qtbot.keyClick(line, char)
    qtbot.keyClick(line, Qt.Key.Key_Return)


def test_an_edit_while_another_program_holds_the_file_keeps_the_value(
    qtbot: Bot, db: Database
) -> None:
    """The defect: the edit hung 10 s, then a raw sqlite3.OperationalError reached the user."""
    bus = DataBus()
    bus.attach(db)
    panel = _panel(qtbot, db, bus)
    school = _bartenevka(db)
    assert panel.select_school(school)
    statuses: list[str] = []
    panel.sig_status.connect(statuses.append)
    editor = panel.editors[("profile", "pupils_bused")]
    line = editor.editor
    assert isinstance(line, QLineEdit)
    before = db.schools.profile(school, 2022)
    other = sqlite3.connect(db.path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        _type_and_enter(qtbot, line, "31")
        assert line.text() == "31"  # nothing typed is lost
        assert "занята другой программой" in editor.error
        assert statuses and "изменение не сохранено" in statuses[-1]
        assert db.schools.profile(school, 2022) == before
    finally:
        other.execute("ROLLBACK")
        other.close()
    _type_and_enter(qtbot, line, "31")  # the file is free: the same value is saved
    profile = db.schools.profile(school, 2022)
    assert profile is not None and profile.pupils_bused == 31
    assert editor.error == ""


def test_a_worker_writes_while_the_window_reads_and_refreshes_only_what_it_shows(
    qtbot: Bot, db: Database
) -> None:
    bus = DataBus()
    bus.attach(db)
    passport = _panel(qtbot, db, bus)
    district = DistrictPanel(bus)
    qtbot.addWidget(district)
    district.set_database(db)  # never shown: it must not reload, only be marked stale
    changes = ChangesPanel(bus)
    qtbot.addWidget(changes)
    changes.set_database(db)
    reloads: list[str] = []
    district.reload = lambda: reloads.append("district")  # type: ignore[method-assign]
    school = _bartenevka(db)
    profile = db.schools.profile(school, 2022)
    assert profile is not None and profile.teachers != 15
    release = threading.Event()
    errors: list[BaseException] = []

    def work() -> None:
        try:
            with db.log.change_set("Правка из фона") as cs:
                cs.update("school_profile", profile.id, {"teachers": 15})
                release.wait(10)
        except BaseException as exc:  # noqa: BLE001 - handed to the test thread
            errors.append(exc)

    worker = threading.Thread(target=work)
    worker.start()
    # While the worker's set is open, the window reads the committed state at once.
    assert passport.select_school(school)
    assert db.schools.profile(school, 2022) == profile
    with qtbot.waitSignal(bus.sig_changed, timeout=5000) as blocker:
        release.set()
    worker.join(5)
    assert not errors
    info = blocker.args[0]
    assert info.tables == frozenset({"school_profile"})
    assert info.ids("school_profile") == frozenset({profile.id})
    assert reloads == [] and district.stale is False  # passports are not what it shows
    # The visible passport shows the worker's value without being asked.
    line = passport.editors[("profile", "teachers")].editor
    assert isinstance(line, QLineEdit)
    qtbot.waitUntil(lambda: line.text() == "15")
    with db.log.change_set("Район") as cs:
        cs.update("district", 1, {"population": 12758})
    qtbot.waitUntil(lambda: district.stale)
    assert reloads == []
    district.show()
    qtbot.waitUntil(lambda: reloads == ["district"])
    assert db.undo.next_undo() is not None


def test_ctrl_z_in_an_untouched_field_undoes_the_last_saved_change(
    qtbot: Bot, demo_path: Path, settings: Any
) -> None:
    """Walking the window: Ctrl+Z in a field with nothing typed did nothing at all."""
    from shnor_desktop.ui.main_window import MainWindow

    window = MainWindow(settings)
    qtbot.addWidget(window)
    window.show()
    assert window.open_database(demo_path)
    qtbot.waitUntil(lambda: not any(t.running for t in window.tasks))
    panel = window.passport_panel
    assert window.db is not None
    school = _bartenevka(window.db)
    assert panel.select_school(school)
    bused = panel.editors[("profile", "pupils_bused")].editor
    other = panel.editors[("profile", "pct_ovz")].editor
    assert isinstance(bused, QLineEdit) and isinstance(other, QLineEdit)
    stored = window.db.schools.profile(school, 2022)
    assert stored is not None
    _type_and_enter(qtbot, bused, "31")
    assert window.db.schools.profile(school, 2022).pupils_bused == 31  # type: ignore[union-attr]
    other.setFocus()
    qtbot.keyClick(other, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert window.db.schools.profile(school, 2022) == stored
    qtbot.keyClick(other, Qt.Key.Key_Y, Qt.KeyboardModifier.ControlModifier)
    assert window.db.schools.profile(school, 2022).pupils_bused == 31  # type: ignore[union-attr]
    # Typing in a field keeps Qt's own undo of the typing.
    qtbot.keyClick(other, Qt.Key.Key_9)
    qtbot.keyClick(other, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert window.db.schools.profile(school, 2022).pupils_bused == 31  # type: ignore[union-attr]
    window.close()
