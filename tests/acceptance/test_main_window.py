"""The main window as a coordinator uses it: open, edit, undo, reopen, back up, restore."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QMargins, QPoint, QRect, QSettings, QSize, QStandardPaths, Qt, QTimer
from PySide6.QtGui import QDesktopServices
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QDialog,
    QFileDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QWizard,
)
from pytestqt.qtbot import QtBot

from shnor_desktop.models.schools import SchoolQuery
from shnor_desktop.services import backup
from shnor_desktop.ui.dialogs import NewDatabaseWizard, RestoreDialog
from shnor_desktop.ui.main_window import FRAME_ALLOWANCE, MainWindow, fitted_geometry


@pytest.fixture
def window(qtbot: QtBot, settings: QSettings) -> Iterator[MainWindow]:
    win = MainWindow(settings)
    qtbot.addWidget(win)
    win.resize(1366, 768)
    win.show()
    yield win
    win.close()


class BoxAnswers:
    """Answers the message boxes the window is about to show, as a user would: by a click.

    Each answer is the text of the button to press; what every box said is kept in ``seen``.
    """

    def __init__(self, *answers: str) -> None:
        self.answers = list(answers)
        self.seen: list[str] = []
        self.titles: list[str] = []
        self._tries = 0
        QTimer.singleShot(0, self._tick)

    def _tick(self) -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            self._tries += 1
            if self.answers and self._tries < 500:
                QTimer.singleShot(10, self._tick)
            return
        self.titles.append(box.windowTitle())
        self.seen.append(f"{box.text()}\n{box.informativeText()}")
        wanted = self.answers.pop(0)
        buttons: list[QAbstractButton] = box.buttons()
        matching = [b for b in buttons if b.text() == wanted]
        (matching[0] if matching else buttons[-1]).click()
        if not matching:
            self.seen.append(f"NO BUTTON {wanted!r} among {[b.text() for b in buttons]}")
        if self.answers:
            self._tries = 0
            QTimer.singleShot(0, self._tick)


def _fill_wizard(qtbot: QtBot, wizard: QWizard) -> None:
    """Type the district and go to the last page with the Next button, as a user does."""
    assert isinstance(wizard, NewDatabaseWizard)
    wizard.district_name.setText("Ивантеевский муниципальный район")
    wizard.region.setText("Саратовская область")
    wizard.office.setText("Управление образованием администрации Ивантеевского МР")
    QTest.mouseClick(wizard.button(QWizard.WizardButton.NextButton), Qt.MouseButton.LeftButton)
    wizard.coordinator.setText("Астраханцева О.В.")
    QTest.mouseClick(wizard.button(QWizard.WizardButton.NextButton), Qt.MouseButton.LeftButton)
    assert wizard.currentPage() is wizard.file_page


def _click_create(qtbot: QtBot, wizard: QWizard) -> None:
    QTest.mouseClick(wizard.button(QWizard.WizardButton.FinishButton), Qt.MouseButton.LeftButton)


def _overwrite_page(path: Path, page: int) -> None:
    data = bytearray(path.read_bytes())
    data[page * 4096 : (page + 1) * 4096] = b"\xff" * 4096
    path.write_bytes(bytes(data))


def _wait_for_backups(qtbot: QtBot, win: MainWindow) -> None:
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
    qtbot: QtBot, window: MainWindow, demo_path: Path
) -> None:
    assert window.open_database(demo_path)
    _wait_for_backups(qtbot, window)
    assert window.windowTitle().startswith("Ивантеевский муниципальный район")
    assert str(demo_path) in window.db_label.full_text()
    assert window.backup_label.text().startswith("Резервная копия: ")
    backups = backup.list_backups(demo_path)
    assert len(backups) == 1 and backups[0].reason == "open"
    assert window.recent_files()[0] == str(demo_path)
    # On a narrow screen a title wraps onto two lines; it reads the same.
    assert [window.nav.item(i).text().replace("\n", " ") for i in range(window.nav.count())] == [
        "Школы и паспорта",
        "Результаты",
        "Район и рабочая группа",
        "Отнесение к группам",
        "Показатели программы",
        "Дорожная карта",
        "Люди",
        "Журнал тьюторов",
        "Мероприятия",
        "Риск-профили",
        "Заседания",
        "Сводка",
        "Отчёты",
        "История импорта",
        "Журнал изменений",
    ]


def test_edit_undo_redo_survive_panel_switch_and_reopen(
    qtbot: QtBot,
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
    window.nav.setCurrentRow([p.TITLE for p in window.panels].index("Журнал изменений"))
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
    qtbot: QtBot,
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
    QTest.keyClicks(edit, "39")
    window.close()
    conn = sqlite3.connect(demo_path)
    value = conn.execute(
        "SELECT p.pct_low_income FROM school_profile p JOIN school s ON s.id = p.school_id"
        " WHERE s.code = '04' AND p.year = 2022"
    ).fetchone()[0]
    conn.close()
    assert value == 39


@pytest.fixture
def documents(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A Documents folder that does not exist yet, as on a fresh computer."""
    folder = tmp_path / "Документы"
    real = QStandardPaths.writableLocation

    def writable(location: QStandardPaths.StandardLocation) -> str:
        if location == QStandardPaths.StandardLocation.DocumentsLocation:
            return str(folder)
        return real(location)

    monkeypatch.setattr(QStandardPaths, "writableLocation", writable)
    return folder


def test_first_run_wizard_creates_a_database_at_the_suggested_path(
    qtbot: QtBot,
    window: MainWindow,
    documents: Path,
) -> None:
    """Issue 6: «Создать» was grey on the suggested path until a character was deleted."""
    wizard = window.new_database()
    _fill_wizard(qtbot, wizard)
    assert wizard.path_edit.text() == str(documents / "ШНОР.sqlite")
    create = wizard.button(QWizard.WizardButton.FinishButton)
    assert create.isVisible() and create.isEnabled()

    _click_create(qtbot, wizard)

    qtbot.waitUntil(lambda: window.db is not None)
    assert window.db is not None and window.db.path == documents / "ШНОР.sqlite"
    created = window.db.district.district()
    assert created is not None and created.region == "Саратовская область"
    assert [p.full_name for p in window.db.district.people("coordinator")] == ["Астраханцева О.В."]
    assert window.recent_files() == [str(documents / "ШНОР.sqlite")]
    # The next wizard suggests a free name beside it.
    second = window.new_database()
    assert second.path_edit.text() == str(documents / "ШНОР (2).sqlite")
    second.reject()


def test_wizard_keeps_what_was_typed_on_a_path_error(
    qtbot: QtBot,
    window: MainWindow,
    demo_path: Path,
    tmp_path: Path,
    documents: Path,
) -> None:
    """Issue 6: an existing file or a folder that cannot be made is said on the page."""
    before = hashlib.sha256(demo_path.read_bytes()).hexdigest()
    wizard = window.new_database()
    _fill_wizard(qtbot, wizard)
    wizard.path_edit.setText(str(demo_path))

    _click_create(qtbot, wizard)

    assert wizard.isVisible() and wizard.currentPage() is wizard.file_page
    assert wizard.file_page.error_label.isVisible()
    assert f"Файл «{demo_path}» уже существует" in wizard.file_page.error_label.text()
    assert hashlib.sha256(demo_path.read_bytes()).hexdigest() == before

    blocker = tmp_path / "не папка"
    blocker.write_text("x", encoding="utf-8")
    wizard.path_edit.setText(str(blocker / "район" / "ШНОР.sqlite"))
    assert not wizard.file_page.error_label.isVisible()  # typing clears the old reason
    _click_create(qtbot, wizard)
    assert wizard.isVisible()
    assert "Не удалось создать папку" in wizard.file_page.error_label.text()

    wizard.path_edit.setText(str(tmp_path / "Новый район"))
    _click_create(qtbot, wizard)

    qtbot.waitUntil(lambda: window.db is not None)
    assert window.db is not None and window.db.path == tmp_path / "Новый район.sqlite"
    district = window.db.district.district()
    assert district is not None and district.name == "Ивантеевский муниципальный район"


def test_create_database_refuses_an_existing_file(
    window: MainWindow, demo_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    answers = BoxAnswers("Закрыть")
    assert not window.create_database(demo_path, {"name": "Район"}, {"full_name": "Иванова"})
    assert "уже существует" in answers.seen[0]
    assert window.db is None


def test_an_empty_file_is_not_made_a_database_without_asking(
    qtbot: QtBot,
    window: MainWindow,
    tmp_path: Path,
) -> None:
    """Issue 7: a 0-byte file given to --db silently became an empty database."""
    from shnor_desktop.app import open_initial

    empty = tmp_path / "пустой.sqlite"
    empty.write_bytes(b"")
    answers = BoxAnswers("Отмена")
    open_initial(window, empty, demo=False)
    assert answers.seen and f"Файл «{empty}» пуст (0 байт)" in answers.seen[0]
    assert "Создать в этом файле новую базу данных района?" in answers.seen[0]
    assert empty.read_bytes() == b"" and window.db is None
    assert not (tmp_path / "пустой.sqlite-wal").exists()

    answers = BoxAnswers("Создать…")
    window.open_database(empty)
    wizard = QApplication.activeModalWidget()
    qtbot.waitUntil(lambda: isinstance(QApplication.activeModalWidget(), NewDatabaseWizard))
    wizard = QApplication.activeModalWidget()
    assert isinstance(wizard, NewDatabaseWizard)
    assert wizard.path_edit.text() == str(empty)
    _fill_wizard(qtbot, wizard)
    _click_create(qtbot, wizard)
    qtbot.waitUntil(lambda: window.db is not None)
    assert window.db is not None and window.db.path == empty


def test_db_option_on_a_missing_path_offers_to_create_it(
    qtbot: QtBot,
    window: MainWindow,
    tmp_path: Path,
) -> None:
    from shnor_desktop.app import open_initial

    missing = tmp_path / "новый район.sqlite"
    answers = BoxAnswers("Создать…")
    open_initial(window, missing, demo=False)
    assert answers.seen[0].startswith(f"Файла «{missing}» нет.")
    qtbot.waitUntil(lambda: isinstance(QApplication.activeModalWidget(), NewDatabaseWizard))
    wizard = QApplication.activeModalWidget()
    assert isinstance(wizard, NewDatabaseWizard)
    assert wizard.path_edit.text() == str(missing)
    assert not missing.exists()  # nothing made before the wizard finishes
    wizard.reject()
    assert not missing.exists()


def test_damaged_database_offers_the_newest_good_backup(
    qtbot: QtBot,
    window: MainWindow,
    demo_path: Path,
) -> None:
    """Issue 7: a page overwritten; the file is not opened, the newest good copy is offered."""
    backup.make_backup(demo_path, reason="manual")
    good = backup.make_backup(demo_path, reason="open")
    _overwrite_page(demo_path, 10)
    damaged = hashlib.sha256(demo_path.read_bytes()).hexdigest()

    answers = BoxAnswers("Не открывать")
    assert not window.open_database(demo_path)
    assert answers.titles == ["База повреждена"]
    text = answers.seen[0]
    assert text.startswith(f"Файл базы «{demo_path}» повреждён")
    assert f"Последняя исправная резервная копия: от {good.created_at:%d.%m.%Y %H:%M}" in text
    assert "Page" not in text and "btree" not in text
    assert window.db is None and window.pages.currentIndex() == 0
    assert hashlib.sha256(demo_path.read_bytes()).hexdigest() == damaged

    answers = BoxAnswers("Восстановить")
    assert window.open_database(demo_path)
    _wait_for_backups(qtbot, window)
    assert window.db is not None
    assert window.windowTitle().startswith("Ивантеевский муниципальный район")
    assert len(window.db.schools.rows(SchoolQuery())) == 13
    assert "База восстановлена" in window.statusBar().currentMessage()
    saved = [b for b in backup.list_backups(demo_path) if b.reason == "before-restore"]
    assert [hashlib.sha256(b.path.read_bytes()).hexdigest() for b in saved] == [damaged]


def test_damaged_database_without_backups_says_so(window: MainWindow, demo_path: Path) -> None:
    _overwrite_page(demo_path, 10)
    answers = BoxAnswers("Не открывать")
    assert not window.open_database(demo_path)
    assert "Исправных резервных копий этой базы" in answers.seen[0]
    assert str(backup.backup_dir_for(demo_path)) in answers.seen[0]


def test_truncated_database_is_called_truncated(window: MainWindow, demo_path: Path) -> None:
    data = demo_path.read_bytes()
    demo_path.write_bytes(data[: len(data) * 3 // 4])
    answers = BoxAnswers("Не открывать")
    assert not window.open_database(demo_path)
    assert answers.titles == ["Файл базы обрезан"]
    assert "обрезан" in answers.seen[0] and "не является" not in answers.seen[0]


def test_backup_now_and_restore(
    qtbot: QtBot, window: MainWindow, demo_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
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
    window: MainWindow, demo_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
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


def test_geometry_and_panel_are_remembered(
    qtbot: QtBot, settings: QSettings, demo_path: Path
) -> None:
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
    qtbot: QtBot,
    settings: QSettings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The demo leaves no temporary folder behind and is never the «last database»."""
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path / "temp"))
    (tmp_path / "temp").mkdir()
    window = MainWindow(settings)
    qtbot.addWidget(window)
    window.show()
    assert window.pages.currentIndex() == 0
    assert not window.act_undo.isEnabled() and not window.act_backup.isEnabled()
    assert window.act_undo.shortcut().toString() == "Ctrl+Z"
    assert "Ctrl+Y" in [s.toString() for s in window.act_redo.shortcuts()]
    task = window.open_demo()
    assert task is not None
    qtbot.waitUntil(lambda: window.db is not None, timeout=20000)
    _wait_for_backups(qtbot, window)
    assert window.pages.currentIndex() == 1
    assert window.db is not None and window.db.path.name == "Демо-район.sqlite"
    folder = window.db.path.parent
    assert folder.parent == tmp_path / "temp" and folder.name.startswith("shnor-demo-")
    assert window.windowTitle().startswith("Ивантеевский муниципальный район")
    assert window.last_database() is None and window.recent_files() == []
    assert "демонстрационная база" in window.windowTitle()

    window.close()

    assert not folder.exists()
    assert list((tmp_path / "temp").iterdir()) == []
    assert settings.value("last_database", "") in ("", None)


def test_recent_files_drop_missing_ones(
    qtbot: QtBot,
    settings: QSettings,
    demo_path: Path,
    tmp_path: Path,
) -> None:
    gone = tmp_path / "удалённая.sqlite"
    settings.setValue("recent", [str(gone), str(demo_path)])
    settings.setValue("last_database", str(gone))
    window = MainWindow(settings)
    qtbot.addWidget(window)
    assert window.recent_files() == [str(demo_path)]
    assert [a.text() for a in window.recent_menu.actions()] == [str(demo_path)]
    assert window.last_database() is None
    assert settings.value("recent") == [str(demo_path)]
    window.close()


def test_status_bar_messages_have_room(
    qtbot: QtBot,
    window: MainWindow,
    demo_path: Path,
) -> None:
    """Issue 10: the database label filled the status bar and hid every message."""
    window.open_database(demo_path)
    _wait_for_backups(qtbot, window)
    assert window.db_label.isVisible()
    window.statusBar().showMessage("Сохранено: доля семей с низким доходом", 200)
    assert window.statusBar().currentMessage().startswith("Сохранено")
    assert not window.db_label.isVisible()  # the message takes the path's place
    assert window.backup_label.isVisible()
    qtbot.waitUntil(window.db_label.isVisible)  # and gives it back


def test_window_fits_the_screen_with_its_frame(
    qtbot: QtBot,
    settings: QSettings,
) -> None:
    """Issue 10: the first window was as tall as the screen, its status bar below it."""
    window = MainWindow(settings)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    screen = window.screen().availableGeometry()
    frame = window.frameGeometry()
    assert frame.top() >= screen.top() and frame.bottom() <= screen.bottom()
    # Before the window manager frames it, room is left for a title bar.
    assert window.geometry().top() - FRAME_ALLOWANCE.top() >= screen.top()
    window.close()

    # A size saved on a bigger screen is fitted on showing.
    settings.remove("window/geometry")
    again = MainWindow(settings)
    qtbot.addWidget(again)
    again.resize(screen.width() + 400, screen.height() + 300)
    again.show()
    assert screen.contains(again.frameGeometry())
    again.close()


def test_fitted_geometry_on_a_1366_by_768_laptop() -> None:
    screen = QRect(0, 0, 1366, 768)
    frame = QMargins(1, 23, 1, 4)  # openbox
    rect = fitted_geometry(screen, frame, QSize(1280, 800))
    assert rect.top() - frame.top() >= 0 and rect.bottom() + frame.bottom() <= 767
    assert rect.height() == 768 - 23 - 4 and rect.width() == 1280
    moved = fitted_geometry(screen, frame, QSize(900, 600), QPoint(1000, 500))
    assert moved.right() + frame.right() <= 1365 and moved.bottom() + frame.bottom() <= 767


def test_open_folder_without_a_file_manager_says_where_it_is(
    window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[object] = []

    def open_url(url: object) -> bool:
        opened.append(url)
        return False

    monkeypatch.setattr(QDesktopServices, "openUrl", open_url)
    answers = BoxAnswers("Закрыть")
    window.open_folder(tmp_path)
    assert opened
    assert answers.titles == ["Папка не открыта"]
    assert str(tmp_path) in answers.seen[0]
    assert str(tmp_path) in window.statusBar().currentMessage()


def test_file_dialog_speaks_russian(qtbot: QtBot, qapp: QApplication) -> None:
    """Qt 6.11's «&Look in:» and «Files of &type:» are missing from its qtbase_ru.qm."""
    from shnor_desktop.app import install_translations

    translators = install_translations(qapp)
    try:
        dialog = QFileDialog(None, "Открыть базу данных")
        dialog.setOption(QFileDialog.Option.DontUseNativeDialog, True)
        qtbot.addWidget(dialog)
        texts = [label.text() for label in dialog.findChildren(QLabel)]
        assert "&Перейти к:" in texts and "&Типы файлов:" in texts
        assert "&Имя файла:" in texts  # Qt's own translations still reach the dialog
        assert not [t for t in texts if "Look" in t or "type" in t or "File" in t]
    finally:
        for translator in translators:
            qapp.removeTranslator(translator)


def test_demo_is_built_off_the_gui_thread_and_cancel_leaves_nothing(
    qtbot: QtBot, settings: QSettings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Building the demo runs in a worker with progress; «Отмена» leaves no file or folder."""
    import threading

    from shnor_desktop.services import demo

    monkeypatch.setattr("tempfile.tempdir", str(tmp_path / "temp"))
    (tmp_path / "temp").mkdir()
    threads: list[bool] = []
    real_build = demo.build_demo

    def build(path: Path, progress: Any = None, cancel: Any = None) -> None:
        threads.append(threading.current_thread() is threading.main_thread())
        real_build(path, progress=progress, cancel=cancel)

    monkeypatch.setattr(demo, "build_demo", build)
    window = MainWindow(settings)
    qtbot.addWidget(window)
    window.show()
    task = window.open_demo()
    assert task is not None
    task.cancel()
    with qtbot.waitSignal(task.sig_failed, timeout=20000):
        pass
    assert threads == [False]
    assert window.db is None and window.pages.currentIndex() == 0
    assert list((tmp_path / "temp").iterdir()) == []
