"""Start-up of the GUI: the application object, Russian locale and translations.

Heavy libraries (pandas, pyqtgraph, reportlab, pyHanko) are imported where
first needed, so the window appears within a second.
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QLibraryInfo, QLocale, QSettings, QTimer, QTranslator
from PySide6.QtWidgets import QApplication

from shnor_desktop import APP_NAME, ORG_NAME
from shnor_desktop.ui.main_window import MainWindow

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
    QLocale.setDefault(QLocale(QLocale.Language.Russian, QLocale.Country.Russia))
    # Qt's standard dialogs (buttons «Да», «Отмена», file dialogs) in Russian; the
    # Python side of the translators is kept, or Qt would lose the overridden translate().
    _TRANSLATORS.extend(install_translations(app))
    return app


def open_initial(window: MainWindow, db_path: Path | None, demo: bool) -> None:
    """Open what the command line asked for, else the database open at the last close.

    A ``--db`` path that does not exist (or is empty) gets the offer to create
    a database there; a remembered database that has gone is skipped quietly.
    """
    if demo:
        window.open_demo()
    elif db_path is not None:
        window.open_database(Path(db_path).expanduser().absolute(), offer_create=True)
    elif (last := window.last_database()) is not None:
        window.open_database(last)


def run_gui(db_path: Path | None = None, demo: bool = False) -> int:
    """Open the main window on ``db_path``, a fresh demo database, or the last one used."""
    app = make_application()
    window = MainWindow(QSettings())
    window.show()
    QTimer.singleShot(0, lambda: open_initial(window, db_path, demo))
    return int(app.exec())
