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


def make_application(argv: list[str] | None = None) -> QApplication:
    """Create (or return) the QApplication with Russian locale and Qt's own translations."""
    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        return existing
    app = QApplication(argv if argv is not None else sys.argv[:1])
    app.setOrganizationName(ORG_NAME)
    app.setApplicationName(APP_NAME)
    QLocale.setDefault(QLocale(QLocale.Language.Russian, QLocale.Country.Russia))
    translator = QTranslator(app)
    # Qt's standard dialogs (buttons «Да», «Отмена», file dialogs) in Russian.
    if translator.load(
        QLocale(QLocale.Language.Russian),
        "qtbase",
        "_",
        QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath),
    ):
        app.installTranslator(translator)
    return app


def run_gui(db_path: Path | None = None, demo: bool = False) -> int:
    """Open the main window on ``db_path``, a fresh demo database, or the last one used."""
    app = make_application()
    window = MainWindow(QSettings())
    window.show()

    def open_initial() -> None:
        if demo:
            window.open_demo()
            return
        target = db_path
        if target is None:
            last = window.settings.value("last_database", "")
            target = Path(str(last)) if last and Path(str(last)).exists() else None
        if target is not None:
            window.open_database(target)

    QTimer.singleShot(0, open_initial)
    return int(app.exec())
