"""The exchange's menu entries and the files dropped on the main window.

:class:`ExchangeActions` owns the actions «Файл → Экспорт в Excel…»,
«Обмен → Шаблоны для школ…», «Обмен → Импорт файлов…» and «Обмен → Импорт
из папки или с флешки…»; the main window only places them in its menus and
hands it what is dropped on it.  Every long piece of work runs in the
background with progress and «Отмена».
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QMimeData, QObject, QStandardPaths, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QFileDialog, QMenu, QMenuBar

from shnor_desktop.models.errors import Cancelled
from shnor_desktop.models.jobs import JobState
from shnor_desktop.models.text import format_number
from shnor_desktop.services.messages import describe_error
from shnor_desktop.ui.messages import show_warning
from shnor_desktop.ui.runner import BackgroundTask

if TYPE_CHECKING:
    from shnor_desktop.services.export import ExportResult
    from shnor_desktop.ui.exchange.preview import ImportPreviewDialog
    from shnor_desktop.ui.exchange.templates_dialog import TemplatesDialog
    from shnor_desktop.ui.main_window import MainWindow

WORKBOOK_SUFFIXES = frozenset({".xlsx", ".xlsm", ".xls", ".csv", ".ods"})
"""What a drop or a chosen folder may hold for the import (others are refused with a reason)."""


def dropped_paths(mime: QMimeData) -> list[Path]:
    """The local files and folders of a drag (web links and text are not files)."""
    if not mime.hasUrls():
        return []
    return [Path(url.toLocalFile()) for url in mime.urls() if url.isLocalFile()]


def _safe_file_name(text: str) -> str:
    cleaned = "".join("_" if ch in '<>:"/\\|?*' else ch for ch in text).strip(" .")
    return cleaned or "ШНОР"


class ExchangeActions(QObject):
    """The exchange's actions of the main window and their work in the background."""

    #: The export ended: its :class:`ExportResult`, or None (cancelled or failed).
    sig_export_done = Signal(object)

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.act_export = QAction(self.tr("Экспорт в Excel…"), self)
        self.act_export.setToolTip(self.tr("Выгрузить всю базу в книгу Excel: лист на раздел"))
        self.act_export.triggered.connect(self._on_export_triggered)
        self.act_templates = QAction(self.tr("Шаблоны для школ…"), self)
        self.act_templates.triggered.connect(self._on_templates_triggered)
        self.act_import = QAction(self.tr("Импорт файлов…"), self)
        self.act_import.triggered.connect(self._on_import_triggered)
        self.act_import_folder = QAction(self.tr("Импорт из папки или с флешки…"), self)
        self.act_import_folder.triggered.connect(self._on_import_folder_triggered)
        self.act_history = QAction(self.tr("История импорта"), self)
        self.act_history.triggered.connect(self._on_history_triggered)
        #: The export running in the background, if any.
        self.export_task: BackgroundTask | None = None
        #: The dialogs opened last (tests and the window's closing reach them here).
        self.templates_dialog: TemplatesDialog | None = None
        self.preview_dialog: ImportPreviewDialog | None = None
        from shnor_desktop.ui.exchange.history_panel import ImportHistoryPanel

        for panel in getattr(window, "panels", ()):
            if isinstance(panel, ImportHistoryPanel):
                panel.sig_import_requested.connect(self._on_import_triggered)
        self.update_actions()

    # --- menus -------------------------------------------------------------------------
    def build_menu(self, bar: QMenuBar) -> QMenu:
        """Add the menu «Обмен» to ``bar`` and return it."""
        menu = bar.addMenu(self.tr("&Обмен"))
        menu.addAction(self.act_templates)
        menu.addSeparator()
        menu.addAction(self.act_import)
        menu.addAction(self.act_import_folder)
        menu.addSeparator()
        menu.addAction(self.act_history)
        return menu

    def update_actions(self) -> None:
        """Enable what needs an open database."""
        has_db = self.window.db is not None
        busy = self.export_task is not None  # one export at a time
        self.act_export.setEnabled(has_db and not busy)
        for act in (self.act_templates, self.act_import, self.act_import_folder, self.act_history):
            act.setEnabled(has_db)

    def _documents(self) -> Path:
        folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
        return Path(folder) if folder else Path.home()

    # --- export ------------------------------------------------------------------------
    def default_export_name(self) -> str:
        """«<район> — выгрузка 31.08.2024.xlsx»."""
        db = self.window.db
        district = db.district.district() if db is not None else None
        name = district.name if district is not None else (db.path.stem if db else "ШНОР")
        return _safe_file_name(f"{name} — выгрузка {date.today():%d.%m.%Y}") + ".xlsx"

    def _on_export_triggered(self) -> None:
        if self.window.db is None:
            return
        path, _ = QFileDialog.getSaveFileName(
            self.window,
            self.tr("Экспорт в Excel"),
            str(self._documents() / self.default_export_name()),
            self.tr("Книга Excel (*.xlsx)"),
        )
        if path:
            out = Path(path)
            if out.suffix.lower() != ".xlsx":
                out = out.with_name(out.name + ".xlsx")
            self.start_export(out)

    def start_export(self, out: Path) -> BackgroundTask | None:
        """Export the open database into ``out`` in the background (progress, «Отмена»)."""
        from shnor_desktop.services.export import export_connection

        db = self.window.db
        if db is None or self.export_task is not None:
            return None
        log, source = db.log, str(db.path)

        def work(state: JobState) -> ExportResult:
            try:
                return export_connection(log.reader(), out, state, source=source)
            finally:
                log.release_reader()  # the worker thread ends: its connection goes with it

        task = BackgroundTask(work, self.window, self.tr("Экспорт в Excel"))
        task.sig_finished.connect(self._on_export_finished)
        task.sig_failed.connect(self._on_export_failed)
        self.export_task = task
        self.window.tasks.append(task)  # the window waits for it before closing the database
        self.update_actions()
        task.start()
        return task

    def _export_ended(self) -> None:
        task = self.export_task
        self.export_task = None
        if task is not None and task in self.window.tasks:
            self.window.tasks.remove(task)
        self.update_actions()

    def _on_export_finished(self, result: object) -> None:
        from shnor_desktop.services.export import ExportResult

        self._export_ended()
        if isinstance(result, ExportResult):
            self.window.statusBar().showMessage(
                self.tr("Выгрузка записана: {0} (листов: {1}, записей: {2})").format(
                    result.path, len(result.sheets) + 1, format_number(result.rows, 0)
                ),
                15000,
            )
        self.sig_export_done.emit(result)

    def _on_export_failed(self, exc: object) -> None:
        self._export_ended()
        if isinstance(exc, Cancelled):
            self.window.statusBar().showMessage(self.tr("Экспорт отменён: файл не записан."), 8000)
        elif isinstance(exc, BaseException):
            show_warning(self.window, self.tr("Экспорт не выполнен"), describe_error(exc))
        self.sig_export_done.emit(None)

    # --- templates ---------------------------------------------------------------------
    def _on_templates_triggered(self) -> None:
        self.open_templates()

    def open_templates(self) -> TemplatesDialog | None:
        """Open «Шаблоны для школ» (window-modal, not blocking)."""
        from shnor_desktop.ui.exchange.templates_dialog import TemplatesDialog

        db = self.window.db
        if db is None:
            return None
        dialog = TemplatesDialog(db, self.window, self._documents())
        dialog.sig_open_folder.connect(self.window.open_folder)
        self.templates_dialog = dialog
        dialog.open()
        return dialog

    # --- import ------------------------------------------------------------------------
    def _on_import_triggered(self) -> None:
        if self.window.db is None:
            return
        paths, _ = QFileDialog.getOpenFileNames(
            self.window,
            self.tr("Импорт книг школ"),
            str(self._documents()),
            self.tr("Книги школ (*.xlsx *.xlsm *.csv);;Все файлы (*)"),
        )
        if paths:
            self.import_paths([Path(p) for p in paths])

    def _on_import_folder_triggered(self) -> None:
        if self.window.db is None:
            return
        folder = QFileDialog.getExistingDirectory(
            self.window, self.tr("Папка или флешка с книгами школ"), str(self._documents())
        )
        if folder:
            self.import_paths([Path(folder)])

    def import_paths(self, paths: list[Path]) -> ImportPreviewDialog | None:
        """Read ``paths`` (files, folders, a whole USB stick) into the import preview."""
        from shnor_desktop.ui.exchange.preview import ImportPreviewDialog

        db = self.window.db
        if db is None or not paths:
            return None
        old = self.preview_dialog
        if old is not None and old.isVisible():
            if old.busy:
                show_warning(
                    self.window,
                    self.tr("Импорт уже идёт"),
                    self.tr("Дождитесь окончания текущего импорта или отмените его."),
                )
                return old
            old.close()
        dialog = ImportPreviewDialog(db, paths, self.window)
        dialog.sig_show_history.connect(self._on_history_triggered)
        self.preview_dialog = dialog
        dialog.open()
        dialog.start()
        return dialog

    def _on_history_triggered(self) -> None:
        self.show_history()

    def show_history(self) -> None:
        """Go to the panel «История импорта»."""
        from shnor_desktop.ui.exchange.history_panel import ImportHistoryPanel

        for row, panel in enumerate(self.window.panels):
            if isinstance(panel, ImportHistoryPanel):
                self.window.nav.setCurrentRow(row)
                return

    # --- drag and drop -----------------------------------------------------------------
    def accepts(self, mime: QMimeData) -> bool:
        """True when a drag brings local files or folders and a database is open."""
        return self.window.db is not None and bool(dropped_paths(mime))

    def drop(self, mime: QMimeData) -> ImportPreviewDialog | None:
        """Import what was dropped: files, folders, a USB stick."""
        return self.import_paths(dropped_paths(mime)) if self.accepts(mime) else None
