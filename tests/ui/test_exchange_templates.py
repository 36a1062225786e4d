"""«Обмен → Шаблоны для школ»: year, schools, folder, progress and «Отмена», «Открыть папку»."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from python_calamine import CalamineWorkbook

from shnor_desktop.models.database import Database
from shnor_desktop.models.jobs import JobState
from shnor_desktop.services.exchange import templates
from shnor_desktop.ui.exchange.templates_dialog import TemplatesDialog

Bot = Any


@pytest.fixture
def dialog(qtbot: Bot, demo_db: Database, tmp_path: Path) -> TemplatesDialog:
    folder = tmp_path / "флешка"
    folder.mkdir()
    window = TemplatesDialog(demo_db, None, folder)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


def test_the_school_list_passes_the_model_tester(
    qtmodeltester: Bot, dialog: TemplatesDialog, demo_db: Database
) -> None:
    qtmodeltester.check(dialog.school_model)
    count = len(demo_db.schools.all_schools())
    assert dialog.all_radio.text() == f"все школы района ({count})"
    assert not dialog.school_view.isEnabled()  # «все школы» is chosen
    assert dialog.year_combo.currentText() == "2023/24"


def test_templates_for_the_whole_district(
    qtbot: Bot, dialog: TemplatesDialog, demo_db: Database
) -> None:
    folder = dialog.folder()
    assert folder is not None
    with qtbot.waitSignal(dialog.sig_done, timeout=30000) as blocker:
        QTest.mouseClick(dialog.write_button, Qt.MouseButton.LeftButton)
    written = blocker.args[0]
    assert len(written) == len(demo_db.schools.all_schools())
    assert sorted(p.name for p in folder.iterdir()) == sorted(p.name for p in written)
    assert dialog.status_label.text() == (
        f"Готово: в папку «{folder}» записано {len(written)} шаблонов."
    )
    assert dialog.open_button.isVisible()
    with qtbot.waitSignal(dialog.sig_open_folder) as opened:
        QTest.mouseClick(dialog.open_button, Qt.MouseButton.LeftButton)
    assert opened.args == [folder]
    book = CalamineWorkbook.from_path(str(written[0]))
    assert "Паспорт" in book.sheet_names


def test_templates_for_the_checked_schools_of_another_year(
    qtbot: Bot, dialog: TemplatesDialog
) -> None:
    dialog.some_radio.click()
    assert dialog.school_view.isEnabled()
    dialog.check_none.click()
    assert not dialog.write_button.isEnabled()  # no school checked
    model = dialog.school_model
    view = dialog.school_view
    for row in (0, 2):
        rect = view.visualRect(model.index(row))
        point = rect.center()
        point.setX(rect.left() + 10)
        QTest.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=point)
    chosen = model.checked()
    assert len(chosen) == 2
    assert dialog.school_codes() == [s.code for s in chosen]
    dialog.year_combo.set_year(2022)
    with qtbot.waitSignal(dialog.sig_done, timeout=30000) as blocker:
        dialog.write_button.click()
    names = sorted(p.name for p in blocker.args[0])
    assert len(names) == 2
    assert all(name.endswith("2022-23.xlsx") for name in names)
    assert names[0].startswith(chosen[0].code) or names[1].startswith(chosen[0].code)


def test_a_missing_folder_is_said_under_the_form(dialog: TemplatesDialog, tmp_path: Path) -> None:
    dialog.set_folder(tmp_path / "нет такой")
    assert dialog.start() is None
    assert dialog.error.isVisible()
    assert "нет" in dialog.error.text() and "вставьте флешку" in dialog.error.text()
    dialog.folder_edit.clear()
    assert not dialog.write_button.isEnabled()


def test_cancel_keeps_what_was_written_and_no_half_file(
    qtbot: Bot, dialog: TemplatesDialog, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = templates.write_templates
    two_done = threading.Event()
    release = threading.Event()

    def slow(db_path: Path, out_dir: Path, year: Any, codes: Any, state: JobState) -> Any:
        listener = state.listener

        def watch(done: int, total: int, status: str) -> None:
            if listener is not None:
                listener(done, total, status)
            if done == 2:
                two_done.set()
                release.wait(5)  # the user clicks «Отмена» now

        state.listener = watch
        return real(db_path, out_dir, year, codes, state)

    monkeypatch.setattr(templates, "write_templates", slow)
    dialog.start()
    qtbot.waitUntil(two_done.is_set, timeout=20000)
    assert dialog.cancel_button.isVisible()
    assert not dialog.close_button.isEnabled()
    with qtbot.waitSignal(dialog.sig_done, timeout=10000) as blocker:
        QTest.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
        release.set()
    assert blocker.args == [[]]
    folder = dialog.folder()
    assert folder is not None
    files = sorted(p.name for p in folder.iterdir())
    assert len(files) == 2  # the two finished before the cancel; no temporary file
    assert all(name.endswith(".xlsx") and not name.startswith(".") for name in files)
    assert "Записано до отмены: 2" in dialog.status_label.text()
    assert dialog.write_button.isVisible() and dialog.close_button.isEnabled()
