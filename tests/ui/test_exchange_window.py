"""The exchange in the main window: menus, «История импорта», dropped files, the Excel export."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, QSettings, Qt, QUrl
from PySide6.QtGui import QAction, QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtWidgets import QApplication
from python_calamine import CalamineWorkbook

from shnor_desktop.models.errors import Cancelled
from shnor_desktop.models.jobs import JobState
from shnor_desktop.services import export
from shnor_desktop.services.exchange.templates import write_template
from shnor_desktop.ui.exchange.history_panel import ImportHistoryPanel
from shnor_desktop.ui.exchange.preview import ImportPreviewDialog
from shnor_desktop.ui.main_window import MainWindow

Bot = Any


@pytest.fixture
def window(qtbot: Bot, settings: QSettings, demo_path: Path) -> Iterator[MainWindow]:
    win = MainWindow(settings)
    qtbot.addWidget(win)
    win.resize(1366, 768)
    win.show()
    assert win.open_database(demo_path)
    qtbot.waitUntil(lambda: not any(t.running for t in win.tasks), timeout=10000)
    yield win
    win.close()


def _menu_texts(window: MainWindow, title: str) -> list[str]:
    menu = next(a.menu() for a in window.menuBar().actions() if a.text() == title)
    return [a.text() for a in menu.actions() if not a.isSeparator()]


def test_menus_and_the_history_panel(qtbot: Bot, settings: QSettings) -> None:
    win = MainWindow(settings)
    qtbot.addWidget(win)
    assert "Экспорт в Excel…" in _menu_texts(win, "&Файл")
    assert _menu_texts(win, "&Обмен") == [
        "Шаблоны для школ…",
        "Импорт файлов…",
        "Импорт из папки или с флешки…",
        "История импорта",
    ]
    # Without a database there is nothing to export or import.
    exchange = win.exchange
    actions: list[QAction] = [
        exchange.act_export,
        exchange.act_templates,
        exchange.act_import,
        exchange.act_import_folder,
    ]
    assert not any(a.isEnabled() for a in actions)
    titles = [win.nav.item(i).text().replace("\n", " ") for i in range(win.nav.count())]
    assert titles[-2:] == ["История импорта", "Журнал изменений"]


def test_history_action_shows_the_panel(window: MainWindow) -> None:
    assert window.exchange.act_templates.isEnabled()
    window.exchange.act_history.trigger()
    assert isinstance(window.stack.currentWidget(), ImportHistoryPanel)


def _mime(*paths: Path) -> QMimeData:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    return mime


def _drop(window: MainWindow, mime: QMimeData) -> tuple[bool, bool]:
    """Drag ``mime`` into the window, across it, and drop it, as the window system would.

    Returns whether the window took the drag (entering and moving) and the drop.
    """
    centre = window.rect().center()
    enter = QDragEnterEvent(
        centre,
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(window, enter)
    move = QDragMoveEvent(
        centre + QPoint(5, 5),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    move.ignore()
    QApplication.sendEvent(window, move)
    drop = QDropEvent(
        QPointF(centre),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(window, drop)
    return enter.isAccepted() and move.isAccepted(), drop.isAccepted()


def test_dropped_files_and_folders_open_the_preview(
    qtbot: Bot, window: MainWindow, tmp_path: Path
) -> None:
    assert window.acceptDrops()
    db = window.db
    assert db is not None
    school = int(db.conn.execute("SELECT id FROM school WHERE code = '01'").fetchone()[0])
    folder = tmp_path / "флешка"
    template = write_template(db, school, 2023, folder)
    book = openpyxl.load_workbook(template)
    book["Паспорт"]["C7"] = 1000
    book.save(template)
    loose = write_template(db, school + 1, 2023, tmp_path)
    accepted = _drop(window, _mime(folder, loose))
    assert accepted == (True, True)
    dialog = window.exchange.preview_dialog
    assert isinstance(dialog, ImportPreviewDialog)
    assert dialog.isVisible()
    assert dialog.paths == [folder, loose]
    qtbot.waitUntil(lambda: dialog.plan is not None, timeout=20000)
    names = sorted(p.name for p in dialog.file_model.plans())
    assert names == sorted([template.name, loose.name])
    dialog.reject()


def test_a_dropped_text_is_not_taken(window: MainWindow) -> None:
    mime = QMimeData()
    mime.setText("просто текст")
    assert _drop(window, mime) == (False, False)
    assert window.exchange.preview_dialog is None


def test_nothing_is_taken_without_a_database(
    qtbot: Bot, settings: QSettings, tmp_path: Path
) -> None:
    win = MainWindow(settings)
    qtbot.addWidget(win)
    win.show()
    path = tmp_path / "x.xlsx"
    path.write_bytes(b"PK")
    assert _drop(win, _mime(path)) == (False, False)


def test_export_in_the_background(qtbot: Bot, window: MainWindow, tmp_path: Path) -> None:
    name = window.exchange.default_export_name()
    assert name.endswith(".xlsx") and "выгрузка" in name
    out = tmp_path / "выгрузка.xlsx"
    with qtbot.waitSignal(window.exchange.sig_export_done, timeout=30000) as done:
        window.exchange.start_export(out)
        assert not window.exchange.act_export.isEnabled()  # one export at a time
    result = done.args[0]
    assert isinstance(result, export.ExportResult)
    assert out.is_file()
    assert "Школы" in CalamineWorkbook.from_path(str(out)).sheet_names
    assert window.statusBar().currentMessage().startswith(f"Выгрузка записана: {out}")
    assert window.exchange.act_export.isEnabled()
    assert window.exchange.export_task is None


def test_export_cancelled_writes_no_file(
    qtbot: Bot, window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def cancelled(conn: Any, out: Path, state: JobState, **_: Any) -> None:
        del conn, out
        state.cancel()
        raise Cancelled

    monkeypatch.setattr(export, "export_connection", cancelled)
    out = tmp_path / "выгрузка.xlsx"
    with qtbot.waitSignal(window.exchange.sig_export_done, timeout=10000) as done:
        window.exchange.start_export(out)
    assert done.args == [None]
    assert not out.exists()
    assert window.statusBar().currentMessage() == "Экспорт отменён: файл не записан."
