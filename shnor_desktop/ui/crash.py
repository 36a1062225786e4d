"""What the user sees when something goes wrong that no window foresaw.

- :class:`CrashHandler` takes over ``sys.excepthook`` (an exception in a slot
  or an event handler ends there), ``threading.excepthook`` (a worker thread)
  and Qt's message handler (a fatal Qt error).  Every unexpected error is
  written with its traceback to a log file in :func:`log_dir`, and the user
  gets a Russian window (:class:`CrashDialog`) saying what happened, that what
  was saved is safe, and what to do.  The database stays as last saved on its
  own: each change is one transaction of the change log, and a change set an
  exception leaves is rolled back.
- A worded error of the domain that a window forgot to catch is shown as the
  warning it is, not as a crash.
- A database whose medium went away (a USB stick pulled out, a lost network
  folder) gets :func:`show_storage_lost`: nothing typed is lost, the last
  backup is named.  :class:`MediumWatch` notices the file going away while the
  window is idle, before the next save fails.
"""

from __future__ import annotations

import contextlib
import errno
import faulthandler
import os
import platform
import sqlite3
import sys
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import Any, TextIO

from PySide6.QtCore import (
    QCoreApplication,
    QMessageLogContext,
    QObject,
    QStandardPaths,
    Qt,
    QTimer,
    QtMsgType,
    QUrl,
    Signal,
    qInstallMessageHandler,
    qVersion,
)
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from shnor_desktop import APP_NAME, __version__
from shnor_desktop.models.errors import DatabaseUnavailableError, DomainError
from shnor_desktop.services.messages import describe_error

LOG_DIR_ENV = "SHNOR_DESKTOP_LOG_DIR"
"""Overrides :func:`log_dir` (tests; a locked-down machine)."""
KEEP_LOGS = 30
"""Crash logs kept in the folder; older ones are deleted when a new one is written."""
MEDIUM_CHECK_MS = 2000
"""How often :class:`MediumWatch` looks whether the database file is still there."""

# errno values of a medium that went away or failed (Windows maps a pulled drive to these too).
_GONE_ERRNOS = {errno.EIO, errno.ENODEV, errno.ENXIO, errno.ESTALE}
_GONE_SQLITE = ("disk I/O error", "unable to open database file")

ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None]


def _tr(text: str) -> str:
    return QCoreApplication.translate("crash", text)


# --------------------------------------------------------------------------- the log
def log_dir() -> Path:
    """The folder of the crash logs: ``…/ШНОР Desktop/logs`` in the user's local app data.

    Windows: ``%LOCALAPPDATA%\\ShnorDesktop\\ШНОР Desktop\\logs``; Linux:
    ``~/.local/share/ShnorDesktop/ШНОР Desktop/logs``.
    """
    override = os.environ.get(LOG_DIR_ENV)
    if override:
        return Path(override)
    base = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppLocalDataLocation)
    return Path(base or Path.home() / f".{APP_NAME}") / "logs"


def _environment_lines(database: Path | None) -> list[str]:
    return [
        f"{APP_NAME} {__version__}",
        f"Время: {datetime.now():%d.%m.%Y %H:%M:%S}",
        f"Python {platform.python_version()}, Qt {qVersion()}, {platform.platform()}",
        f"База: {database if database is not None else 'не открыта'}",
        f"Поток: {threading.current_thread().name}",
    ]


def write_log(text: str, folder: Path | None = None, prefix: str = "crash") -> Path | None:
    """Write ``text`` to a new ``crash-YYYYMMDD-HHMMSS.log`` and prune old logs.

    Returns the file, or None when the folder cannot be written (the dialog
    then shows the traceback itself, so nothing is lost either way).
    """
    folder = folder if folder is not None else log_dir()
    stamp = f"{datetime.now():%Y%m%d-%H%M%S}"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{prefix}-{stamp}.log"
        number = 2
        while path.exists():
            path = folder / f"{prefix}-{stamp}_{number}.log"
            number += 1
        path.write_text(text, encoding="utf-8")
    except OSError:
        return None
    logs = sorted(folder.glob(f"{prefix}-*.log"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in logs[KEEP_LOGS:]:
        with contextlib.suppress(OSError):
            old.unlink()
    return path


def format_report(info: ExcInfo, database: Path | None) -> str:
    """The text of a crash log: where and when, then the traceback."""
    lines = _environment_lines(database)
    lines.append("")
    lines.extend(traceback.format_exception(*info))
    return "\n".join(line.rstrip("\n") for line in lines) + "\n"


# --------------------------------------------------------------------------- kinds of error
def is_storage_failure(exc: BaseException) -> bool:
    """True when ``exc`` says the database's medium went away or failed."""
    if isinstance(exc, DatabaseUnavailableError):
        return True
    if isinstance(exc, sqlite3.OperationalError):
        return any(text in str(exc) for text in _GONE_SQLITE)
    if isinstance(exc, OSError) and exc.errno in _GONE_ERRNOS:
        return True
    cause = exc.__cause__ or exc.__context__
    return cause is not None and cause is not exc and is_storage_failure(cause)


@dataclass(frozen=True)
class Crash:
    """One unexpected error: what it was, its log file, and its traceback text."""

    summary: str
    log: Path | None
    details: str
    storage: bool = False
    worded: str = ""


# --------------------------------------------------------------------------- the dialog
class CrashDialog(QDialog):
    """«Непредвиденная ошибка»: what happened, that the data is safe, what to do now."""

    def __init__(self, crash: Crash, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.crash = crash
        self.quit_requested = False
        self.setObjectName("crash_dialog")
        self.setWindowTitle(self.tr("Непредвиденная ошибка — {0}").format(APP_NAME))
        self.setMinimumWidth(560)
        layout = QVBoxLayout(self)
        row = QHBoxLayout()
        icon = QLabel()
        icon.setPixmap(
            self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxCritical).pixmap(48, 48)
        )
        icon.setAlignment(Qt.AlignmentFlag.AlignTop)
        row.addWidget(icon)
        text = QLabel(
            self.tr(
                "<b>В программе произошла непредвиденная ошибка.</b><br><br>"
                "Всё, что было сохранено до неё, осталось в базе: каждое изменение "
                "записывается сразу и целиком. Последнее действие могло не выполниться "
                "— проверьте его и при необходимости повторите.<br><br>"
                "<b>Что делать:</b> продолжите работу. Если ошибка повторяется, закройте "
                "программу, откройте её снова и пришлите файл журнала разработчикам "
                "(кнопка «Открыть папку журнала»)."
            )
        )
        text.setObjectName("crash_text")
        text.setWordWrap(True)
        text.setTextFormat(Qt.TextFormat.RichText)
        row.addWidget(text, 1)
        layout.addLayout(row)
        where = (
            self.tr("Журнал ошибки: {0}").format(crash.log)
            if crash.log is not None
            else self.tr("Журнал записать не удалось; сведения об ошибке — ниже.")
        )
        log_row = QHBoxLayout()
        self.log_label = QLabel(where)
        self.log_label.setObjectName("crash_log_path")
        self.log_label.setWordWrap(True)
        self.log_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        log_row.addWidget(self.log_label, 1)
        self.folder_button = QPushButton(self.tr("Открыть папку журнала"))
        self.folder_button.setAutoDefault(False)
        self.folder_button.setVisible(crash.log is not None)
        self.folder_button.clicked.connect(self._on_folder_button_clicked)
        log_row.addWidget(self.folder_button)
        layout.addLayout(log_row)

        # The traceback, for whoever the user sends it to: hidden until asked for.
        self.details_box = QWidget()
        details_layout = QVBoxLayout(self.details_box)
        details_layout.setContentsMargins(0, 0, 0, 0)
        self.details = QPlainTextEdit(crash.details)
        self.details.setObjectName("crash_details")
        self.details.setReadOnly(True)
        self.details.setMinimumHeight(160)
        details_layout.addWidget(self.details)
        self.copy_button = QPushButton(self.tr("Скопировать сведения"))
        self.copy_button.setAutoDefault(False)
        self.copy_button.clicked.connect(self._on_copy_button_clicked)
        details_layout.addWidget(self.copy_button, 0, Qt.AlignmentFlag.AlignLeft)
        self.details_box.setVisible(crash.log is None)
        layout.addWidget(self.details_box)

        buttons = QHBoxLayout()
        self.details_button = QPushButton(self.tr("Подробности"))
        self.details_button.setAutoDefault(False)
        self.details_button.setCheckable(True)
        self.details_button.setChecked(crash.log is None)
        self.details_button.toggled.connect(self._on_details_button_toggled)
        buttons.addWidget(self.details_button)
        buttons.addStretch(1)
        self.quit_button = QPushButton(self.tr("Закрыть программу"))
        self.quit_button.setAutoDefault(False)
        self.quit_button.clicked.connect(self._on_quit_button_clicked)
        buttons.addWidget(self.quit_button)
        self.continue_button = QPushButton(self.tr("Продолжить работу"))
        self.continue_button.setDefault(True)
        self.continue_button.clicked.connect(self.accept)
        buttons.addWidget(self.continue_button)
        layout.addLayout(buttons)
        self.continue_button.setFocus()

    def _on_details_button_toggled(self, shown: bool) -> None:
        self.details_box.setVisible(shown)
        self.adjustSize()

    def _on_copy_button_clicked(self) -> None:
        QGuiApplication.clipboard().setText(self.crash.details)
        self.copy_button.setText(self.tr("Скопировано"))

    def _on_folder_button_clicked(self) -> None:
        if self.crash.log is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.crash.log.parent)))

    def _on_quit_button_clicked(self) -> None:
        self.quit_requested = True
        self.accept()


def show_storage_lost(
    parent: QWidget | None,
    database: Path,
    backup: tuple[Path, datetime] | None,
    *,
    modal: bool = True,
) -> QMessageBox:
    """Say that the database's medium went away: nothing lost, the last backup named.

    ``backup`` is the newest backup known (its file and time), which may itself
    be on the medium that went away; the user is told so.  Returns the box
    (shown with ``open()`` unless ``modal``, which runs it to its end).
    """
    box = QMessageBox(
        QMessageBox.Icon.Warning,
        _tr("База недоступна"),
        _tr(
            "Файл базы «{0}» недоступен: похоже, отключён носитель (флешка) "
            "или пропала сетевая папка."
        ).format(database),
        parent=parent,
    )
    box.setObjectName("storage_lost")
    if backup is not None:
        copy = _tr("Последняя резервная копия: «{0}» от {1}.").format(
            backup[0], backup[1].strftime("%d.%m.%Y %H:%M")
        )
    else:
        copy = _tr("Резервных копий этой базы программа не нашла.")
    box.setInformativeText(
        _tr(
            "Ничего не потеряно: всё сохранённое раньше осталось в файле, а то, что "
            "не удалось записать, осталось в окне.\n\n"
            "Подключите носитель снова и повторите сохранение. Если носитель потерян или "
            "повреждён, восстановите базу из резервной копии («Файл → Восстановить из "
            "резервной копии»).\n\n{0}"
        ).format(copy)
    )
    box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    box.setStandardButtons(QMessageBox.StandardButton.Close)
    box.button(QMessageBox.StandardButton.Close).setText(_tr("Понятно"))
    if modal:
        box.exec()
    else:
        box.open()
    return box


# --------------------------------------------------------------------------- the handler
class CrashHandler(QObject):
    """Catches what nobody caught, logs it and tells the user (see the module's text).

    ``window`` is asked for the parent of the dialogs, ``database`` for the open
    database (named in the log); ``on_storage_lost()`` is called for a failure
    of the database's medium (the main window names its last backup) instead of
    the crash dialog.
    """

    sig_crashed = Signal(object)
    """A :class:`Crash` (emitted queued, so the dialog opens after the slot unwound)."""
    sig_dialog_shown = Signal(object)
    """The dialog (or message box) just shown: tests and screenshots wait for it."""

    def __init__(
        self,
        parent: QObject | None = None,
        *,
        folder: Path | None = None,
        window: Callable[[], QWidget | None] | None = None,
        database: Callable[[], Path | None] | None = None,
        on_storage_lost: Callable[[], None] | None = None,
    ) -> None:
        super().__init__(parent)
        self.folder = folder
        self._window = window or QApplication.activeWindow
        self._database = database or (lambda: None)
        self.on_storage_lost = on_storage_lost
        self.dialog: QWidget | None = None
        self.crashes: list[Crash] = []
        self._installed = False
        self._previous_excepthook: Callable[..., Any] = sys.excepthook
        self._previous_thread_hook: Callable[..., Any] = threading.excepthook
        self._previous_qt_handler: Any = None
        self._fault_file: TextIO | None = None
        self.sig_crashed.connect(self._on_crashed, Qt.ConnectionType.QueuedConnection)

    # --- installing ------------------------------------------------------------------------
    def install(self) -> CrashHandler:
        """Take over the hooks (and keep the ones before, to give them back)."""
        if self._installed:
            return self
        self._previous_excepthook = sys.excepthook
        self._previous_thread_hook = threading.excepthook
        sys.excepthook = self._excepthook
        threading.excepthook = self._thread_excepthook
        self._previous_qt_handler = qInstallMessageHandler(self._qt_message)
        self._enable_faulthandler()
        self._installed = True
        return self

    def uninstall(self) -> None:
        """Give the hooks back as they were."""
        if not self._installed:
            return
        sys.excepthook = self._previous_excepthook
        threading.excepthook = self._previous_thread_hook
        qInstallMessageHandler(self._previous_qt_handler)
        if self._fault_file is not None:
            with contextlib.suppress(Exception):
                faulthandler.disable()
            self._fault_file.close()
            self._fault_file = None
        self._installed = False

    def _enable_faulthandler(self) -> None:
        """A crash of C++ code (a segfault) leaves Python's stacks in ``fatal.log``."""
        if faulthandler.is_enabled():
            return  # pytest's own, or -X faulthandler: keep it
        folder = self.folder if self.folder is not None else log_dir()
        try:
            folder.mkdir(parents=True, exist_ok=True)
            self._fault_file = open(folder / "fatal.log", "a", encoding="utf-8")  # noqa: SIM115
            faulthandler.enable(self._fault_file)
        except OSError:
            self._fault_file = None

    # --- the hooks -------------------------------------------------------------------------
    def _excepthook(
        self, kind: type[BaseException], exc: BaseException, tb: TracebackType | None
    ) -> None:
        if issubclass(kind, KeyboardInterrupt):
            self._previous_excepthook(kind, exc, tb)
            return
        self.handle((kind, exc, tb))

    def _thread_excepthook(self, args: threading.ExceptHookArgs) -> None:
        if args.exc_value is None or issubclass(args.exc_type, SystemExit):
            return
        self.handle((args.exc_type, args.exc_value, args.exc_traceback))

    def _qt_message(self, kind: QtMsgType, context: QMessageLogContext, message: str) -> None:
        if kind == QtMsgType.QtFatalMsg:
            # Qt aborts the process after this returns: the log is all that can be done.
            text = "\n".join(
                [
                    *_environment_lines(self._safe_database()),
                    "",
                    f"Qt fatal: {message}",
                    "",
                    *traceback.format_stack(),
                ]
            )
            write_log(text, self.folder, prefix="fatal")
        previous = self._previous_qt_handler
        if previous is not None:
            previous(kind, context, message)
        elif kind != QtMsgType.QtDebugMsg:
            print(message, file=sys.stderr)

    # --- handling --------------------------------------------------------------------------
    def _safe_database(self) -> Path | None:
        try:
            return self._database()
        except Exception:  # noqa: BLE001 - the handler itself must never fail
            return None

    def handle(self, info: ExcInfo) -> Crash:
        """Log one uncaught exception and have the user told (from any thread)."""
        exc = info[1]
        details = format_report(info, self._safe_database())
        storage = is_storage_failure(exc)
        worded = describe_error(exc) if isinstance(exc, DomainError) and not storage else ""
        log = write_log(details, self.folder)
        summary = f"{type(exc).__name__}: {exc}"
        crash = Crash(summary, log, details, storage, worded)
        self.crashes.append(crash)
        # Also to stderr, as before: a developer's console keeps seeing tracebacks.
        with contextlib.suppress(Exception):
            sys.stderr.write(details)
        self.sig_crashed.emit(crash)
        return crash

    def _on_crashed(self, crash: Crash) -> None:
        if crash.storage and self.on_storage_lost is not None:
            self.on_storage_lost()
            return
        if self.dialog is not None and self.dialog.isVisible():
            return  # one window at a time: the next error of a burst is only logged
        parent = self._window()
        if crash.worded:
            box = QMessageBox(
                QMessageBox.Icon.Warning, _tr("Не выполнено"), crash.worded, parent=parent
            )
            box.setStandardButtons(QMessageBox.StandardButton.Close)
            box.button(QMessageBox.StandardButton.Close).setText(_tr("Закрыть"))
            box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            box.finished.connect(self._on_box_finished)
            self.dialog = box
            box.open()
            self.sig_dialog_shown.emit(box)
            return
        dialog = CrashDialog(crash, parent)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.finished.connect(lambda _code: self._on_dialog_finished(dialog))
        self.dialog = dialog
        dialog.open()
        self.sig_dialog_shown.emit(dialog)

    def _on_box_finished(self) -> None:
        self.dialog = None

    def _on_dialog_finished(self, dialog: CrashDialog) -> None:
        self.dialog = None
        if dialog.quit_requested:
            # Closing the windows closes the database properly (checkpoint, settings).
            QTimer.singleShot(0, QApplication.closeAllWindows)
            QTimer.singleShot(0, QApplication.quit)


# --------------------------------------------------------------------------- the medium
class MediumWatch(QObject):
    """Looks every two seconds whether the open database file is still there.

    ``sig_lost`` once when it went away (a USB stick pulled out), ``sig_back``
    once when it came back.
    """

    sig_lost = Signal()
    sig_back = Signal()

    def __init__(self, parent: QObject | None = None, interval_ms: int = MEDIUM_CHECK_MS) -> None:
        super().__init__(parent)
        self.path: Path | None = None
        self.lost = False
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.check)

    def watch(self, path: Path | None) -> None:
        """Watch ``path`` (None stops watching).

        A database in a network folder (``\\\\server\\share``) is not watched: looking at
        a share that went away can take Windows half a minute, and the window would
        freeze meanwhile; a write there fails with its own message anyway.
        """
        self.path = path
        self.lost = False
        if path is None or str(path).startswith(("\\\\", "//")):
            self._timer.stop()
        else:
            self._timer.start()

    @property
    def active(self) -> bool:
        """True while the file is being watched."""
        return self._timer.isActive()

    def check(self) -> None:
        """Look now (the timer calls this)."""
        if self.path is None:
            return
        there = self.path.exists()
        if not there and not self.lost:
            self.lost = True
            self.sig_lost.emit()
        elif there and self.lost:
            self.lost = False
            self.sig_back.emit()
