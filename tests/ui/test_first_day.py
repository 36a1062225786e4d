"""The first day of a new user on Windows, as far as Linux can show it (issue 12).

The crash dialog and its log, one window per database (a second start, a
window that hangs), «О программе» and «Где хранятся данные», a write-protected
database, a USB stick pulled out in the middle of an edit, paths with Cyrillic
letters, spaces and great length, and the first-run wizard.
"""

from __future__ import annotations

import errno
import hashlib
import os
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, QStandardPaths, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QApplication,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QWizard,
)
from pytestqt.qtbot import QtBot

from shnor_desktop import __version__
from shnor_desktop.models.database import Database
from shnor_desktop.models.db import writable
from shnor_desktop.models.errors import DatabaseUnavailableError, ReadOnlyDatabaseError
from shnor_desktop.models.schema import SCHEMA_VERSION
from shnor_desktop.models.schools import SchoolQuery
from shnor_desktop.services import backup
from shnor_desktop.ui.about import AboutDialog, font_licences
from shnor_desktop.ui.crash import (
    LOG_DIR_ENV,
    CrashDialog,
    CrashHandler,
    is_storage_failure,
    log_dir,
)
from shnor_desktop.ui.main_window import MainWindow
from shnor_desktop.ui.single_instance import (
    ANSWER_TIMEOUT_MS,
    Answer,
    DatabaseHolder,
    ask_holder,
    server_name,
)

ROOT = Path(__file__).resolve().parents[2]


# --------------------------------------------------------------------------- fixtures
@pytest.fixture
def logs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The crash-log folder of the test (Cyrillic and a space in it, like a Windows profile)."""
    folder = tmp_path / "Иван Петров" / "AppData" / "logs"
    monkeypatch.setenv(LOG_DIR_ENV, str(folder))
    return folder


@pytest.fixture
def window(qtbot: QtBot, settings: QSettings) -> Iterator[MainWindow]:
    """The main window at a laptop's size, closed after the test."""
    win = MainWindow(settings)
    qtbot.addWidget(win)
    win.resize(1366, 768)
    win.show()
    yield win
    win.close()


@pytest.fixture
def handler(window: MainWindow, logs: Path) -> Iterator[CrashHandler]:
    """The crash handler as the application installs it, given back after the test."""
    crash = CrashHandler(
        window,
        folder=logs,
        window=lambda: window,
        database=lambda: window.db.path if window.db is not None else None,
        on_storage_lost=window.storage_lost,
    ).install()
    yield crash
    crash.uninstall()
    if crash.dialog is not None and crash.dialog.isVisible():
        crash.dialog.close()


def wait_for_backups(qtbot: QtBot, window: MainWindow) -> None:
    """The backup made at opening runs in a worker: let it finish."""
    qtbot.waitUntil(lambda: not any(t.running for t in window.tasks), timeout=10000)


def low_income_editor(window: MainWindow, needle: str = "знаменский") -> QLineEdit:
    """The «доход ниже прожиточного минимума» field of a school's 2022/23 passport."""
    panel = window.passport_panel
    panel.year.setCurrentIndex(panel.year.findData(2022))
    assert window.db is not None
    school_id = window.db.schools.rows(SchoolQuery(search=needle, year=2022))[0].id
    assert panel.select_school(school_id)
    editor = panel.editors[("profile", "pct_low_income")].editor
    assert isinstance(editor, QLineEdit)
    return editor


def type_into(qtbot: QtBot, field: QLineEdit, text: str) -> None:
    """Click into a field, replace its text by typing, and leave it with Tab, as a user does."""
    QTest.mouseClick(field, Qt.MouseButton.LeftButton)
    field.setFocus()
    QTest.keyClick(field, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    QTest.keyClicks(field, text)
    QTest.keyClick(field, Qt.Key.Key_Tab)


def stored_low_income(path: Path, needle: str = "Знаменск") -> object:
    """What the file itself holds (a connection of its own, read-only)."""
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        row = conn.execute(
            "SELECT p.pct_low_income FROM school_profile p JOIN school s ON s.id = p.school_id "
            "WHERE p.year = 2022 AND s.short_name LIKE ?",
            (f"%{needle}%",),
        ).fetchone()
    finally:
        conn.close()
    return row[0]


def file_digest(path: Path) -> str:
    """SHA-256 of a file's bytes."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --------------------------------------------------------------------------- the crash handler
@pytest.mark.qt_no_exception_capture
def test_an_error_in_a_slot_during_an_edit_shows_the_dialog_logs_it_and_keeps_the_database(
    qtbot: QtBot, window: MainWindow, handler: CrashHandler, demo_path: Path, logs: Path
) -> None:
    """A bug in a button's slot in the middle of a change set: the user is told, the log
    has the traceback, the half-made change is rolled back and what was saved stays."""
    assert window.open_database(demo_path)
    wait_for_backups(qtbot, window)
    db = window.db
    assert db is not None
    school = db.schools.rows(SchoolQuery(search="знаменский", year=2022))[0].id
    with db.log.change_set("Директор") as cs:
        cs.update("school", school, {"director": "Петрова А.И."})

    def buggy_save() -> None:
        with db.log.change_set("Правка с ошибкой") as cs:
            cs.update("school", school, {"director": "Сидоров Б.В."})
            _ = 1 / 0  # the bug

    button = QPushButton("Сохранить", window)
    button.clicked.connect(buggy_save)
    button.show()
    QTest.mouseClick(button, Qt.MouseButton.LeftButton)

    qtbot.waitUntil(lambda: isinstance(handler.dialog, CrashDialog), timeout=5000)
    dialog = handler.dialog
    assert isinstance(dialog, CrashDialog)
    assert dialog.isVisible()
    assert "Непредвиденная ошибка" in dialog.windowTitle()
    label = dialog.findChild(QLabel, "crash_text")
    assert label is not None
    text = label.text()
    assert "Всё, что было сохранено до неё, осталось в базе" in text
    assert "Что делать" in text
    (log,) = logs.glob("crash-*.log")
    assert str(log) in dialog.log_label.text()
    content = log.read_text(encoding="utf-8")
    assert "ZeroDivisionError" in content
    assert "buggy_save" in content  # the traceback, not just the message
    assert f"База: {demo_path}" in content
    assert __version__ in content

    # The file: the saved director is there, the half-made change is not.
    conn = sqlite3.connect(f"{demo_path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        director = conn.execute("SELECT director FROM school WHERE id = ?", (school,)).fetchone()
    finally:
        conn.close()
    assert director[0] == "Петрова А.И."
    # And the program goes on: the next edit is saved.
    QTest.mouseClick(dialog.continue_button, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()
    with db.log.change_set("Ещё правка") as cs:
        cs.update("school", school, {"phone": "8 (84579) 5-12-34"})
    assert db.undo.can_undo


@pytest.mark.qt_no_exception_capture
def test_an_error_in_a_worker_thread_reaches_the_dialog(
    qtbot: QtBot, window: MainWindow, handler: CrashHandler, logs: Path
) -> None:
    """threading.excepthook: the dialog opens in the GUI thread, the log names the thread."""

    def work() -> None:
        raise KeyError("нет такого ключа")

    thread = threading.Thread(target=work, name="Фоновая работа")
    thread.start()
    thread.join()
    qtbot.waitUntil(lambda: isinstance(handler.dialog, CrashDialog), timeout=5000)
    (log,) = logs.glob("crash-*.log")
    content = log.read_text(encoding="utf-8")
    assert "KeyError" in content
    assert "Поток: Фоновая работа" in content


@pytest.mark.qt_no_exception_capture
def test_a_worded_error_nobody_caught_is_shown_as_a_warning_not_a_crash(
    qtbot: QtBot, window: MainWindow, handler: CrashHandler, demo_path: Path
) -> None:
    """A domain error a slot forgot to catch is said in its Russian words."""
    button = QPushButton("Записать", window)

    def refuse() -> None:
        raise ReadOnlyDatabaseError(demo_path)

    button.clicked.connect(refuse)
    button.show()
    QTest.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: isinstance(handler.dialog, QMessageBox), timeout=5000)
    box = handler.dialog
    assert isinstance(box, QMessageBox)
    assert "открыта только для просмотра" in box.text()
    assert "Traceback" not in box.text()
    box.close()


@pytest.mark.qt_no_exception_capture
def test_closing_the_program_from_the_crash_dialog_closes_the_database(
    qtbot: QtBot,
    window: MainWindow,
    handler: CrashHandler,
    demo_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """«Закрыть программу» closes the windows (the database is closed cleanly) and quits."""
    assert window.open_database(demo_path)
    wait_for_backups(qtbot, window)
    quits: list[bool] = []
    monkeypatch.setattr(QApplication, "quit", lambda: quits.append(True))
    button = QPushButton("Ошибка", window)
    known: dict[str, int] = {}
    button.clicked.connect(lambda: known["нет такого ключа"])
    button.show()
    QTest.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: isinstance(handler.dialog, CrashDialog), timeout=5000)
    dialog = handler.dialog
    assert isinstance(dialog, CrashDialog)
    QTest.mouseClick(dialog.quit_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(quits), timeout=5000)
    assert not window.isVisible()
    assert window.db is None
    assert not Path(f"{demo_path}-wal").exists() or Path(f"{demo_path}-wal").stat().st_size == 0


def test_where_data_names_the_log_folder(window: MainWindow, logs: Path) -> None:
    """«Справка → Где хранятся данные» says where the error logs are, with a button."""
    box = window.where_data()
    try:
        assert f"Журналы ошибок: {logs}" in box.text()
        assert log_dir() == logs
        assert any(b.text() == "Открыть папку журналов" for b in box.buttons())
    finally:
        box.close()


def test_the_default_log_folder_is_the_users_local_app_data(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Without the override: …/ШНОР Desktop/logs in the user's local application data."""
    monkeypatch.delenv(LOG_DIR_ENV, raising=False)
    local = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppLocalDataLocation)
    assert log_dir() == Path(local) / "logs"


# --------------------------------------------------------------------------- the About box
def test_about_shows_version_schema_and_licences(
    qtbot: QtBot, window: MainWindow, demo_path: Path
) -> None:
    """«О программе»: the version, the database's schema version, fonts and libraries."""
    assert window.open_database(demo_path)
    wait_for_backups(qtbot, window)
    dialog = window.about()
    try:
        assert isinstance(dialog, AboutDialog)
        assert dialog.isVisible()
        text = dialog.text.toPlainText()
        assert f"ШНОР Desktop {__version__}" in text
        assert f"Версия схемы базы: {SCHEMA_VERSION}" in text
        licences = font_licences()
        assert licences, "resources/fonts carries no licence file"
        for _title, path, fonts in licences:
            assert path.name in text
            assert fonts
            assert all(Path(font).stem.split("-")[0] in text for font in fonts)
        for library, licence in (
            ("PySide6 и Qt", "LGPL-3.0"),
            ("pyqtgraph", "MIT"),
            ("ReportLab", "BSD"),
            ("pyHanko", "MIT"),
            ("openpyxl", "MIT"),
            ("python-calamine", "MIT"),
        ):
            lines = text.splitlines()
            row = next(i for i, line in enumerate(lines) if line.startswith(library))
            assert licence in " ".join(lines[row : row + 3])  # name, version, licence
    finally:
        dialog.close()


def test_about_without_a_database(window: MainWindow) -> None:
    """No database open: the About box says so and names the schema the program speaks."""
    dialog = window.about()
    try:
        assert isinstance(dialog, AboutDialog)
        assert "База данных не открыта" in dialog.text.toPlainText()
    finally:
        dialog.close()


# ------------------------------------------------------------------- one window per database
HOLDER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from PySide6.QtCore import QCoreApplication, QTimer
    from shnor_desktop.ui.single_instance import DatabaseHolder

    app = QCoreApplication([])
    holder = DatabaseHolder()
    assert holder.hold(Path(sys.argv[1]))

    def activated():
        print("activated", flush=True)
        QTimer.singleShot(300, app.quit)

    holder.sig_activate.connect(activated)
    print("ready", flush=True)
    if sys.argv[2] == "hung":
        time.sleep(60)  # a window busy for good: its event loop never runs
    else:
        QTimer.singleShot(30000, app.quit)
        app.exec()
    """
)


@pytest.fixture
def other_window(request: pytest.FixtureRequest) -> Iterator[object]:
    """Start another program that holds a database: ``start(path, mode)``; killed after."""
    started: list[subprocess.Popen[str]] = []

    def start(path: Path, mode: str) -> subprocess.Popen[str]:
        process = subprocess.Popen(
            [sys.executable, "-c", HOLDER, str(path), mode],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
            encoding="utf-8",
        )
        started.append(process)
        assert process.stdout is not None
        assert process.stdout.readline().strip() == "ready"
        return process

    yield start
    for process in started:
        process.kill()
        process.wait(timeout=10)
        if process.stdout is not None:
            process.stdout.close()


def test_the_same_file_has_one_server_name_however_it_is_spelt(tmp_path: Path) -> None:
    """A hash of the resolved path: «..» and a link give the same name, of fixed length."""
    folder = tmp_path / "Иван Петров" / "Документы"
    folder.mkdir(parents=True)
    path = folder / "ШНОР района.sqlite"
    path.touch()
    link = tmp_path / "ссылка.sqlite"
    link.symlink_to(path)
    names = {
        server_name(path),
        server_name(folder / ".." / "Документы" / path.name),
        server_name(link),
    }
    assert len(names) == 1
    assert server_name(tmp_path / "другая.sqlite") not in names
    long_path = tmp_path / ("очень длинное имя папки " * 12) / "база.sqlite"
    assert len(server_name(long_path)) == len(server_name(path)) < 100


@pytest.mark.qt_log_ignore("This plugin does not support raise")
def test_a_second_open_in_this_process_brings_the_first_window_forward(
    qtbot: QtBot, window: MainWindow, demo_path: Path
) -> None:
    """The window that has the database answers at once; nothing else opens it."""
    assert window.open_database(demo_path)
    wait_for_backups(qtbot, window)
    assert window.holder.holding
    with qtbot.waitSignal(window.holder.sig_activate, timeout=1000):
        assert ask_holder(demo_path) is Answer.FORWARDED
    assert "уже открыта в этом окне" in window.statusBar().currentMessage()
    window.close_database()
    assert not window.holder.holding
    assert ask_holder(demo_path) is Answer.FREE


def test_a_second_start_on_the_same_file_brings_the_other_window_forward(
    qtbot: QtBot, window: MainWindow, demo_path: Path, other_window: object
) -> None:
    """Another program holds the file: it is asked to come forward; this window opens nothing."""
    process = other_window(demo_path, "answer")  # type: ignore[operator]
    assert not window.open_database(demo_path)
    assert window.db is None
    assert "уже открыта в другом окне" in window.statusBar().currentMessage()
    assert process.stdout.readline().strip() == "activated"


def test_a_second_start_exits_without_a_window_when_the_first_answers(
    qtbot: QtBot, demo_path: Path, other_window: object
) -> None:
    """``shnor-desktop --db FILE`` while a window has FILE: that one comes forward, exit 0."""
    from shnor_desktop.app import run_gui

    process = other_window(demo_path, "answer")  # type: ignore[operator]
    assert run_gui(demo_path) == 0
    assert not [
        w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()
    ]
    assert process.stdout.readline().strip() == "activated"


def test_when_the_other_window_hangs_the_database_opens_read_only_and_says_why(
    qtbot: QtBot, window: MainWindow, demo_path: Path, other_window: object
) -> None:
    """No answer within ~2 s: a plain message, and the database only for viewing."""
    other_window(demo_path, "hung")  # type: ignore[operator]
    before = stored_low_income(demo_path)
    started = time.monotonic()
    assert window.open_database(demo_path)
    # The hung window costs this start the answer's timeout, not more.
    assert time.monotonic() - started < ANSWER_TIMEOUT_MS / 1000 + 1.5
    db = window.db
    assert db is not None and db.read_only
    notice = window.findChild(QMessageBox, "read_only_notice")
    assert notice is not None and notice.isVisible()
    assert "не отвечает" in notice.text()
    assert "только для просмотра" in notice.informativeText()
    assert "(только просмотр)" in window.windowTitle()
    assert not window.holder.holding  # a viewer does not claim the file
    notice.close()
    # An edit is refused in Russian and the file keeps its value.
    editor = low_income_editor(window)
    type_into(qtbot, editor, "30,5")
    note = window.passport_panel.editors[("profile", "pct_low_income")].note
    assert "только для просмотра" in note.text()
    assert editor.text() == "30,5"  # what was typed stays in the field
    assert stored_low_income(demo_path) == before


def test_a_holder_takes_over_a_socket_left_by_a_dead_program(tmp_path: Path) -> None:
    """After a crash the server's socket file may remain: the next window still holds."""
    from PySide6.QtNetwork import QLocalServer

    path = tmp_path / "база.sqlite"
    path.touch()
    stale = QLocalServer()
    assert stale.listen(server_name(path))
    # A server that never answers nor closes its name: the next holder removes and retakes it.
    holder = DatabaseHolder()
    try:
        assert holder.hold(path)
        assert holder.holding
    finally:
        holder.release()
        stale.close()


# --------------------------------------------------------------------------- a read-only file
@pytest.fixture
def write_protected(monkeypatch: pytest.MonkeyPatch) -> object:
    """Make a file read-only the way a user does (the attribute, chmod 444).

    Root may write anything, so there the window's check reads the file's mode
    bits, as ``os.access`` does for an ordinary user.
    """

    def protect(path: Path) -> None:
        path.chmod(0o444)
        if os.geteuid() == 0:
            from shnor_desktop.ui import main_window

            monkeypatch.setattr(
                main_window, "writable", lambda p: bool(Path(p).stat().st_mode & 0o222)
            )

    return protect


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root may write anything")
def test_writable_tells_a_write_protected_file(tmp_path: Path) -> None:
    """The probe itself: a read-only file or a read-only folder is not writable."""
    path = tmp_path / "база.sqlite"
    path.touch()
    assert writable(path)
    path.chmod(0o444)
    assert not writable(path)
    path.chmod(0o644)
    tmp_path.chmod(0o555)
    try:
        assert not writable(path)
    finally:
        tmp_path.chmod(0o755)


def test_a_write_protected_database_opens_read_only_with_a_message(
    qtbot: QtBot, window: MainWindow, demo_path: Path, write_protected: object
) -> None:
    """Opened for viewing, said so; no backup, no -wal beside it, an edit refused in Russian."""
    write_protected(demo_path)  # type: ignore[operator]
    digest = file_digest(demo_path)
    assert window.open_database(demo_path)
    assert window.db is not None and window.db.read_only
    notice = window.findChild(QMessageBox, "read_only_notice")
    assert notice is not None and notice.isVisible()
    assert "защищён от записи" in notice.text()
    assert "Документы" in notice.informativeText()
    notice.close()
    assert window.passport_panel.isVisible()  # the data is there to look at
    editor = low_income_editor(window)
    type_into(qtbot, editor, "30,5")
    note = window.passport_panel.editors[("profile", "pct_low_income")].note
    assert "только для просмотра" in note.text()
    window.close_database()
    assert file_digest(demo_path) == digest
    assert not backup.backup_dir_for(demo_path).exists()
    assert not Path(f"{demo_path}-wal").exists()


def test_a_read_only_database_refuses_writes_in_the_domain(demo_path: Path) -> None:
    """models/db.py's read-only mode: reads work, every write path raises the typed error."""
    db = Database.open(demo_path, read_only=True)
    try:
        assert db.read_only
        assert db.schools.rows(SchoolQuery(year=2022))
        with pytest.raises(ReadOnlyDatabaseError), db.log.change_set("Правка") as cs:
            cs.update("school", 1, {"director": "Иванов"})
    finally:
        db.close()


# --------------------------------------------------------------------------- the USB stick
def on_a_stick(tmp_path: Path, demo_path: Path) -> Path:
    """The demo database copied onto «a USB stick» (a folder that can vanish)."""
    stick = tmp_path / "Флешка E" / "ШНОР"
    stick.mkdir(parents=True)
    target = stick / "ШНОР района.sqlite"
    target.write_bytes(demo_path.read_bytes())
    return target


def test_a_pulled_out_stick_is_said_plainly_nothing_is_lost_and_the_backup_is_named(
    qtbot: QtBot, window: MainWindow, demo_path: Path, tmp_path: Path
) -> None:
    """The stick goes in the middle of an edit: the window says so and names the last
    backup, the typed value stays, the file keeps what was saved; back in, it is saved."""
    path = on_a_stick(tmp_path, demo_path)
    assert window.open_database(path)
    wait_for_backups(qtbot, window)
    qtbot.waitUntil(lambda: "Резервная копия:" in window.backup_label.text(), timeout=5000)
    last = backup.last_backup(path)
    assert last is not None
    editor = low_income_editor(window)
    type_into(qtbot, editor, "31")
    assert stored_low_income(path) == 31

    stick = tmp_path / "Флешка E"
    pulled = stick.rename(tmp_path / "извлечена")  # the drive letter is gone
    window.medium.check()  # what the two-second timer does
    box = window.findChild(QMessageBox, "storage_lost")
    assert box is not None and box.isVisible()
    assert "недоступен" in box.text()
    assert str(path) in box.text()
    assert str(last.path) in box.informativeText()
    assert last.created_at.strftime("%d.%m.%Y %H:%M") in box.informativeText()
    assert "Ничего не потеряно" in box.informativeText()
    box.close()

    editor = low_income_editor(window)
    type_into(qtbot, editor, "30,5")
    note = window.passport_panel.editors[("profile", "pct_low_income")].note
    assert "недоступен" in note.text()
    assert "Изменение не сохранено" in note.text()
    assert editor.text() == "30,5"  # nothing typed is lost
    assert stored_low_income(pulled / "ШНОР" / path.name) == 31  # nothing saved is lost

    pulled.rename(stick)  # the stick is back
    window.medium.check()
    assert "снова доступен" in window.statusBar().currentMessage()
    type_into(qtbot, editor, "30,5 ")
    qtbot.waitUntil(lambda: stored_low_income(path) == 30.5, timeout=3000)


@pytest.mark.qt_no_exception_capture
def test_an_io_error_nobody_caught_gets_the_storage_message_not_the_crash_dialog(
    qtbot: QtBot, window: MainWindow, handler: CrashHandler, demo_path: Path, logs: Path
) -> None:
    """«disk I/O error» from SQLite (a failing medium) ends in the storage message."""
    path = on_a_stick(logs.parent, demo_path)
    assert window.open_database(path)
    wait_for_backups(qtbot, window)
    button = QPushButton("Сохранить", window)

    def write() -> None:
        raise sqlite3.OperationalError("disk I/O error")

    button.clicked.connect(write)
    button.show()
    QTest.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.findChild(QMessageBox, "storage_lost") is not None, timeout=5000)
    box = window.findChild(QMessageBox, "storage_lost")
    assert box is not None and box.isVisible()
    assert "Последняя резервная копия" in box.informativeText()
    assert not isinstance(handler.dialog, CrashDialog)
    assert list(logs.glob("crash-*.log"))  # logged all the same
    box.close()


# ------------------------------------------------------------------- paths and the first day
def test_cyrillic_spaces_and_long_paths_create_open_back_up_and_reopen(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    """C:\\Users\\Иван Петров\\Документы\\…: a database deep in such a path works end to end."""
    deep = tmp_path / "Иван Петров" / "Документы"
    for level in range(6):
        deep = deep / f"Reports of the year 20{20 + level} (копия)"
    path = deep / "ШНОР района.sqlite"
    assert len(str(path)) > 260  # past Windows' old MAX_PATH, within what SQLite opens here
    assert window.create_database(
        path,
        {"name": "Ивантеевский район", "region": "Саратовская область"},
        {"full_name": "Иванова М.П."},
    )
    wait_for_backups(qtbot, window)
    assert window.db is not None and window.db.path == path
    info = backup.make_backup(path)
    assert info.path.parent == backup.backup_dir_for(path)
    window.close_database()
    assert window.open_database(path)
    assert "Ивантеевский район" in window.windowTitle()


def test_a_path_too_long_for_sqlite_is_refused_in_words_before_anything_is_made(
    window: MainWindow, tmp_path: Path
) -> None:
    """Past what SQLite opens («unable to open database file»): a clear reason, no folders."""
    top = tmp_path / "Иван Петров"
    deep = top / "Документы"
    for level in range(9):
        deep = deep / f"Папка номер {level} с длинным русским названием"
    path = deep / "ШНОР района.sqlite"
    problem = window.try_create_database(path, {"name": "Район"}, {"full_name": "Иванова"})
    assert problem is not None
    assert "слишком длинный" in problem
    assert "Документы" in problem  # what to do: a shorter folder
    assert not top.exists()


def test_windows_path_limit_is_counted_in_characters() -> None:
    """On Windows SQLite stops at MAX_PATH characters: 251 are refused, 250 pass."""
    from shnor_desktop.services.files import PathTooLongError, check_path_length

    base = Path("/" + "д" * 230)
    check_path_length(base / ("я" * (249 - len(str(base)))), windows=True)
    with pytest.raises(PathTooLongError) as caught:
        check_path_length(base / ("я" * (250 - len(str(base)))), windows=True)
    assert caught.value.unit == "chars"
    assert caught.value.limit == 250


def test_the_wizard_proposes_documents_and_offers_the_demo(
    qtbot: QtBot,
    settings: QSettings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """First day: the file goes to the user's Documents; the demo district is one click away."""
    home = tmp_path / "Иван Петров"
    documents = home / "Документы"
    documents.mkdir(parents=True)
    config = tmp_path / "config"
    config.mkdir()
    (config / "user-dirs.dirs").write_text(
        'XDG_DOCUMENTS_DIR="$HOME/Документы"\n', encoding="utf-8"
    )
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(config))
    window = MainWindow(settings)
    qtbot.addWidget(window)
    window.show()
    wizard = window.new_database()
    try:
        assert Path(wizard.path_edit.text()) == documents / "ШНОР.sqlite"
        assert wizard.demo_button is not None and wizard.demo_button.isVisible()
        QTest.mouseClick(wizard.demo_button, Qt.MouseButton.LeftButton)
        assert wizard.result() == QWizard.DialogCode.Rejected
        qtbot.waitUntil(lambda: window.db is not None, timeout=15000)
        assert "демонстрационная база" in window.windowTitle()
        assert not list(documents.iterdir())  # nothing was created in Documents
    finally:
        window.close()


@pytest.mark.parametrize(
    ("error", "storage"),
    [
        (OSError(errno.EIO, "Input/output error", "E:\\ШНОР.sqlite"), True),
        (OSError(errno.ENODEV, "No such device"), True),
        (sqlite3.OperationalError("disk I/O error"), True),
        (sqlite3.OperationalError("unable to open database file"), True),
        (DatabaseUnavailableError(Path("E:/ШНОР.sqlite"), "missing"), True),
        (FileNotFoundError(errno.ENOENT, "No such file", "шаблон.xlsx"), False),
        (sqlite3.OperationalError("no such table: school"), False),
        (ValueError("не число"), False),
    ],
)
def test_what_counts_as_a_failing_medium(error: BaseException, storage: bool) -> None:
    """A pulled stick shows as EIO/ENODEV or SQLite's I/O error; other errors are crashes."""
    assert is_storage_failure(error) is storage


def test_a_failing_medium_is_recognised_through_a_wrapping_error() -> None:
    """An error raised while handling an I/O failure still counts as the medium failing."""
    try:
        try:
            raise OSError(errno.EIO, "Input/output error")
        except OSError as exc:
            raise RuntimeError("сохранение не удалось") from exc
    except RuntimeError as wrapped:
        assert is_storage_failure(wrapped)


def test_the_medium_watch_leaves_network_folders_alone(qtbot: QtBot, tmp_path: Path) -> None:
    """A local file is looked at every two seconds; a share (\\\\server\\share) is not."""
    from shnor_desktop.ui.crash import MediumWatch

    watch = MediumWatch()
    watch.watch(tmp_path / "база.sqlite")
    assert watch.active
    watch.watch(Path("//server/share/ШНОР.sqlite"))
    assert not watch.active
    watch.watch(None)
    assert not watch.active
