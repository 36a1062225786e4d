"""Start-up of the GUI: the application object, Russian locale and translations.

Heavy libraries (pandas, pyqtgraph, reportlab, pyHanko) are imported where
first needed, so the window appears within a second.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from PySide6.QtCore import (
    QEvent,
    QLibraryInfo,
    QLocale,
    QObject,
    QSettings,
    QTimer,
    QTranslator,
)
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication

from shnor_desktop import APP_NAME, ORG_NAME
from shnor_desktop.resources import resource_dir
from shnor_desktop.ui.crash import CrashHandler
from shnor_desktop.ui.main_window import MainWindow
from shnor_desktop.ui.single_instance import Answer, ask_holder

QT_CATALOGUE = "qtbase"
"""Qt's own catalogue of the widgets' texts (``qt_ru.qm`` only points at it and more)."""


_TRANSLATORS: list[QTranslator] = []


class QtGapsTranslator(QTranslator):
    """Russian for the texts of Qt 6.11 that its own ``qtbase_ru.qm`` does not have yet.

    Qt 6.11 gave the file dialog's labels keyboard accelerators («&Look in:»),
    which made them new texts to the older catalogue, and the file list's
    «Folder» carries a disambiguation it lacks: without this the open-file
    dialog is half English.
    """

    TEXTS: dict[tuple[str, str], str] = {
        ("QFileDialog", "&Look in:"): "&Перейти к:",
        ("QFileDialog", "Files of &type:"): "&Типы файлов:",
        ("QAbstractFileIconProvider", "Folder"): "Папка",
        ("QAbstractFileIconProvider", "Drive"): "Диск",
        ("QAbstractFileIconProvider", "File"): "Файл",
        ("QAbstractFileIconProvider", "%1 File"): "Файл %1",
        ("QAbstractFileIconProvider", "Unknown"): "Неизвестный",
    }

    def translate(  # noqa: D102 (Qt's virtual)
        self,
        context: str,
        source_text: str,
        disambiguation: str | None = None,
        n: int = -1,
    ) -> str | None:
        del disambiguation, n
        # None reaches Qt as a null string, "not mine": "" would blank every other text.
        return self.TEXTS.get((context, source_text))

    def isEmpty(self) -> bool:  # noqa: N802 (Qt's name)
        """The translator has texts (Qt skips empty translators)."""
        return False


def install_translations(app: QApplication) -> list[QTranslator]:
    """Install Qt's Russian catalogue and the texts it lacks; return the translators installed."""
    installed: list[QTranslator] = []
    qt_texts = QTranslator(app)
    if qt_texts.load(
        QLocale(QLocale.Language.Russian),
        QT_CATALOGUE,
        "_",
        QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath),
    ):
        app.installTranslator(qt_texts)
        installed.append(qt_texts)
    gaps = QtGapsTranslator(app)
    app.installTranslator(gaps)  # installed last, so asked first
    installed.append(gaps)
    return installed


def make_application(argv: list[str] | None = None) -> QApplication:
    """Create (or return) the QApplication with Russian locale and Qt's own translations."""
    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        return existing
    app = QApplication(argv if argv is not None else sys.argv[:1])
    app.setOrganizationName(ORG_NAME)
    app.setApplicationName(APP_NAME)
    icon = resource_dir() / "icons" / "shnor-desktop.png"
    if icon.is_file():
        app.setWindowIcon(QIcon(str(icon)))
    QLocale.setDefault(QLocale(QLocale.Language.Russian, QLocale.Country.Russia))
    # Qt's standard dialogs (buttons «Да», «Отмена», file dialogs) in Russian; the
    # Python side of the translators is kept, or Qt would lose the overridden translate().
    _TRANSLATORS.extend(install_translations(app))
    return app


def initial_database(window: MainWindow, db_path: Path | None, demo: bool) -> Path | None:
    """The database a start opens: the ``--db`` path, else the last one (none for the demo)."""
    if demo:
        return None
    if db_path is not None:
        return Path(db_path).expanduser().absolute()
    return window.last_database()


def open_initial(
    window: MainWindow, db_path: Path | None, demo: bool, answer: Answer | None = None
) -> None:
    """Open what the command line asked for, else the database open at the last close.

    A ``--db`` path that does not exist (or is empty) gets the offer to create
    a database there; a remembered database that has gone is skipped quietly.
    ``answer`` is what the knock at another window holding that database found.
    """
    target = initial_database(window, db_path, demo)
    if demo:
        window.open_demo()
    elif target is not None:
        window.open_database(target, offer_create=db_path is not None, answer=answer)


def install_crash_handler(window: MainWindow) -> CrashHandler:
    """Catch what nobody caught: a Russian dialog, a log, the database as last saved."""
    return CrashHandler(
        window,
        window=lambda: window,
        database=lambda: window.db.path if window.db is not None else None,
        on_storage_lost=window.storage_lost,
    ).install()


SMOKE_ENV = "SHNOR_DESKTOP_SMOKE"
"""Set to 1, the window quits with 0 once it is painted (with ``--demo``: once the demo is
open and painted), printing ``smoke: …`` timings: the bundle's smoke run uses it.
Set to ``report`` (with ``--demo``), the open window then builds the annual report in
«Отчёты» and shows its pages, as a user's click on «Построить» does (PDFium drawing
them in the bundle), prints ``smoke: report-preview …`` and quits with 0 when every
page was drawn, 1 otherwise."""
SMOKE_REPORT = "report"


class _SmokeWatch(QObject):
    """Quit the application at the first paint of the window that shows what was asked."""

    def __init__(
        self, window: MainWindow, demo: bool, started: float, report: bool = False
    ) -> None:
        super().__init__(window)
        self._window, self._demo, self._started = window, demo, started
        self._report = report and demo
        window.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if event.type() == QEvent.Type.Paint and (not self._demo or self._window.db is not None):
            self._window.removeEventFilter(self)
            elapsed = time.perf_counter() - self._started
            what = "demo-open" if self._demo else "window-shown"
            # Qt's own Russian catalogue loaded means the bundle carries qtbase_ru.qm.
            qt_ru = (
                "yes" if any(not isinstance(t, QtGapsTranslator) for t in _TRANSLATORS) else "no"
            )
            print(f"smoke: {what} {elapsed:.3f} s after run_gui; qtbase_ru {qt_ru}", flush=True)
            if self._report:
                QTimer.singleShot(0, self._preview_report)
                return False
            QTimer.singleShot(0, self._window.close)
            QTimer.singleShot(0, QApplication.quit)
        return False

    def _preview_report(self) -> None:
        """«Отчёты» → the annual report → «Построить»; then quit with what it showed."""
        from shnor_desktop.ui.reports_panel import ReportsPanel

        window = self._window
        panel = next(p for p in window.panels if isinstance(p, ReportsPanel))
        window.nav.setCurrentRow(window.panels.index(panel))
        panel.kind.setCurrentIndex(panel.kind.findData("annual"))
        started = time.perf_counter()

        def built(result: object) -> None:
            pages = panel.preview.pages
            first = pages[0].pixmap().size() if pages else None
            total = getattr(result, "pages", 0)
            size = f"{first.width()}x{first.height()} px" if first is not None else "none"
            print(
                f"smoke: report-preview {time.perf_counter() - started:.3f} s; "
                f"pages shown {len(pages)} of {total}; page 1 {size}",
                flush=True,
            )
            end(0 if pages and len(pages) == total else 1)

        def failed(message: str) -> None:
            print(f"smoke: report-preview failed: {message}", flush=True)
            end(1)

        def end(code: int) -> None:
            QTimer.singleShot(0, window.close)
            QTimer.singleShot(0, lambda: QApplication.exit(code))

        def build() -> None:  # once the panel is laid out: the pages fit its column
            if panel.build_preview() is None:
                failed("the report could not be started")

        panel.sig_built.connect(built)
        panel.sig_failed.connect(failed)
        QTimer.singleShot(0, build)


def run_gui(db_path: Path | None = None, demo: bool = False) -> int:
    """Open the main window on ``db_path``, a fresh demo database, or the last one used."""
    started = time.perf_counter()
    app = make_application()
    window = MainWindow(QSettings())
    target = initial_database(window, db_path, demo)
    answer = ask_holder(target) if target is not None else Answer.FREE
    if answer is Answer.FORWARDED:
        # One window per database: the window that has it came forward; this start ends.
        window.deleteLater()
        return 0
    handler = install_crash_handler(window)
    if os.environ.get(SMOKE_ENV) in ("1", SMOKE_REPORT):
        _SmokeWatch(window, demo, started, report=os.environ.get(SMOKE_ENV) == SMOKE_REPORT)
    window.show()
    QTimer.singleShot(0, lambda: open_initial(window, db_path, demo, answer))
    try:
        return int(app.exec())
    finally:
        handler.uninstall()
