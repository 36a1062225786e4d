"""«История импорта»: every imported workbook (batch), newest first, and its rollback.

A batch says when, which file, for which school and school year, its status
(loaded, rolled back, refused) and a summary.  «Откатить…» returns the
values the batch replaced; when later edits changed some of them, the
rollback is refused and the reason (which edits, when, by whom) stays on the
panel under the table, the database unchanged.
"""

from __future__ import annotations

import html
import sqlite3
from typing import Any, ClassVar

from PySide6.QtCore import QItemSelection, Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from shnor_desktop.models.changelog import ChangeSetInfo
from shnor_desktop.models.database import Database
from shnor_desktop.models.errors import DomainError
from shnor_desktop.models.jobs import JobState
from shnor_desktop.models.text import format_number, format_timestamp, school_year_label
from shnor_desktop.services.messages import describe_error
from shnor_desktop.ui.common import DataBus, Panel
from shnor_desktop.ui.exchange.models import BatchModel, fit_columns
from shnor_desktop.ui.messages import ask_yes_no
from shnor_desktop.ui.runner import BackgroundTask
from shnor_desktop.ui.widgets import EmptyState, detail_pane, error_label

BACKGROUND_ROWS = 2000
"""A rollback of a batch of more rows than this runs in the background."""


class ImportHistoryPanel(Panel):
    """The import batches and their rollback."""

    TITLE = "История импорта"
    TABLES: ClassVar[frozenset[str]] = frozenset({"import_batch"})
    #: Kinds of change sets that add a batch or change whether one is in effect.  (The
    #: import writes its batch beside the change log, so the tables do not show it.)
    KINDS: ClassVar[frozenset[str]] = frozenset({"import", "revert", "undo", "redo"})

    #: «Импорт…» was clicked: the window opens the import.
    sig_import_requested = Signal()
    #: A rollback ended: the batch id, or None when it was declined or refused.
    sig_rollback_done = Signal(object)

    def __init__(self, bus: DataBus, parent: QWidget | None = None) -> None:
        super().__init__(bus, parent)
        self.model = BatchModel(self)
        self.view = QTableView(self)
        self.view.setObjectName("batches")
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.view.setAlternatingRowColors(True)
        self.view.verticalHeader().hide()
        self.view.setWordWrap(False)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        self.view.selectionModel().selectionChanged.connect(self._on_view_selection_changed)

        self.hint = QLabel(
            self.tr(
                "Каждая загруженная книга школы — отдельная запись. Откат возвращает значения, "
                "которые были до загрузки, если их не меняли позже."
            ),
            self,
        )
        self.hint.setWordWrap(True)
        self.import_button = QPushButton(self.tr("Импорт…"), self)
        self.import_button.clicked.connect(self.sig_import_requested)
        self.rollback_button = QPushButton(self.tr("Откатить…"), self)
        self.rollback_button.clicked.connect(self._on_rollback_button_clicked)
        self.detail, detail_area = detail_pane(self, 130)
        self.error = error_label(self, "error_rollback")
        self.error.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.progress_label = QLabel(self)
        self.progress_label.hide()
        #: A large rollback running in the background, if any.
        self.task: BackgroundTask | None = None
        self.count_label = QLabel(self)
        self.count_label.setStyleSheet("color: #555555;")
        self.empty = EmptyState(self)
        self.empty.set_state(
            self.tr("Книги школ ещё не загружались"),
            self.tr(
                "Разошлите школам шаблоны («Обмен → Шаблоны для школ»), а заполненные книги "
                "загрузите через «Обмен → Импорт» или перетащите их в окно программы."
            ),
            self.tr("Импорт…"),
        )
        self.empty.sig_action.connect(self.sig_import_requested)

        top = QHBoxLayout()
        top.addWidget(self.hint, 1)
        top.addWidget(self.import_button, 0, Qt.AlignmentFlag.AlignTop)
        top.addWidget(self.rollback_button, 0, Qt.AlignmentFlag.AlignTop)
        self.table_page = QWidget(self)
        table_layout = QVBoxLayout(self.table_page)
        table_layout.setContentsMargins(0, 0, 0, 0)
        table_layout.addWidget(self.view, 1)
        table_layout.addWidget(detail_area)
        table_layout.addWidget(self.error)
        table_layout.addWidget(self.progress_label)
        table_layout.addWidget(self.count_label)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table_page, 1)
        layout.addWidget(self.empty, 1)
        self.reload()

    # --- reading ---------------------------------------------------------------------------
    def set_database(self, db: Database | None) -> None:
        """Show another database; a rollback still running on the old one ends first."""
        if self.task is not None and self.task.running:
            self.task.wait()
        super().set_database(db)

    def reload(self) -> None:
        """Read the batches again, keeping the selected one."""
        selected = self.selected_batch()
        rows: list[Any] = []
        if self.db is not None:
            from shnor_desktop.services.exchange import importer

            rows = list(importer.import_history(self.db))
        self.model.set_rows(rows)
        fit_columns(self.view)
        self.table_page.setVisible(bool(rows))
        self.empty.setVisible(not rows and self.db is not None)
        self.count_label.setText(
            self.tr("Загрузок: {0}").format(format_number(len(rows), 0)) if rows else ""
        )
        if selected is not None:
            self.select_batch(selected.id)
        elif rows and not self.view.selectionModel().hasSelection():
            self.view.selectRow(0)
        self._update()

    def concerns(self, info: ChangeSetInfo) -> bool:
        """An import, a rollback, an undo or redo (of either) changes the history."""
        return info.kind in self.KINDS or super().concerns(info)

    def on_data_changed(self, info: ChangeSetInfo) -> None:
        """An import or a rollback (or an edit that decides what can be rolled back)."""
        del info
        self.reload()

    def selected_batch(self) -> Any:
        """The batch selected in the table (None when none is)."""
        rows = self.view.selectionModel().selectedRows()
        return self.model.record(rows[0].row()) if rows else None

    def select_batch(self, batch_id: int) -> None:
        """Select a batch in the table."""
        row = self.model.row_of(batch_id)
        if row >= 0:
            self.view.selectRow(row)
            self.view.scrollTo(self.model.index(row, 0))

    def _on_view_selection_changed(
        self, selected: QItemSelection, deselected: QItemSelection
    ) -> None:
        del selected, deselected
        self.error.hide()
        self._update()

    def _update(self) -> None:
        batch = self.selected_batch()
        status = str(getattr(batch.status, "value", batch.status)) if batch is not None else ""
        self.rollback_button.setEnabled(status == "applied" and not self.busy)
        self.import_button.setEnabled(self.db is not None)
        self.detail.setText(self._detail_text(batch) if batch is not None else "")

    def _detail_text(self, batch: Any) -> str:
        def row(label: str, value: str) -> str:
            return f"<b>{html.escape(label)}:</b> {html.escape(value)}"

        lines = [
            row(self.tr("Файл"), str(batch.file_name)),
            row(self.tr("Загружен"), format_timestamp(batch.imported_at)),
        ]
        if batch.school_name:
            lines.append(row(self.tr("Школа"), str(batch.school_name)))
        if batch.year:
            lines.append(row(self.tr("Учебный год"), school_year_label(batch.year)))
        if getattr(batch, "template_version", ""):
            lines.append(row(self.tr("Версия шаблона"), str(batch.template_version)))
        lines.append(row(self.tr("Состояние"), BatchModel.status_text(batch.status)))
        if batch.summary:
            lines.append(row(self.tr("Итог"), str(batch.summary)))
        lines.append(row(self.tr("Контрольная сумма SHA-256"), str(batch.sha256)))
        return "<br>".join(lines)

    # --- rollback --------------------------------------------------------------------------
    def _on_rollback_button_clicked(self) -> None:
        batch = self.selected_batch()
        if batch is not None and self.rollback_button.isEnabled():
            self.rollback(batch.id)

    @property
    def busy(self) -> bool:
        """True while a large rollback runs in the background (from its start to its end)."""
        return self.task is not None

    def rollback(self, batch_id: int) -> bool:
        """Ask, then roll a batch back; True when done here and now.

        A batch of more than :data:`BACKGROUND_ROWS` rows is rolled back in the
        background (False is returned then); :attr:`sig_rollback_done` tells the
        outcome in every case.  A refusal's reason stays shown under the table.
        """
        from shnor_desktop.services.exchange import importer

        db: Database | None = self.db
        if db is None or self.busy:
            return False
        row = self.model.row_of(batch_id)
        batch = self.model.record(row) if row >= 0 else None
        name = str(batch.file_name) if batch is not None else f"№{batch_id}"
        question = self.tr(
            "Откатить загрузку файла «{0}»?\n\nЗначения, которые были в базе до этой загрузки, "
            "будут восстановлены. Откат тоже записывается в журнал изменений."
        ).format(name)
        if not ask_yes_no(self, self.tr("Откат загрузки"), question, self.tr("Откатить")):
            self.sig_rollback_done.emit(None)
            return False
        self.error.hide()
        rows = int(getattr(batch, "row_count", 0) or 0)
        if rows > BACKGROUND_ROWS:
            log = db.log

            def work(state: JobState) -> object:
                del state  # a rollback is one transaction: it ends or changes nothing
                try:
                    return importer.rollback_batch(db, batch_id)
                finally:
                    log.release_reader()

            task = BackgroundTask(work, self, self.tr("Откат загрузки"), show_progress=False)
            task.sig_finished.connect(lambda _info: self._rolled_back(batch_id, name))
            task.sig_failed.connect(lambda exc: self._refused(batch_id, exc))
            self.task = task
            self.progress_label.setText(self.tr("Откат загрузки файла «{0}»…").format(name))
            self.progress_label.show()
            self._update()
            task.start()
            return False
        try:
            importer.rollback_batch(db, batch_id)
        except (DomainError, sqlite3.Error, OSError) as exc:
            self._refused(batch_id, exc)
            return False
        self._rolled_back(batch_id, name)
        return True

    def _ended(self) -> None:
        self.task = None
        self.progress_label.hide()

    def _rolled_back(self, batch_id: int, name: str) -> None:
        self._ended()
        self.reload()
        self.select_batch(batch_id)
        self.sig_status.emit(self.tr("Загрузка файла «{0}» откачена.").format(name))
        self.sig_rollback_done.emit(batch_id)

    def _refused(self, batch_id: int, exc: object) -> None:
        self._ended()
        self.reload()
        self.select_batch(batch_id)
        reason = describe_error(exc) if isinstance(exc, BaseException) else str(exc)
        self.error.setText(self.tr("Откат не выполнен, база данных не изменена.") + "\n" + reason)
        self.error.show()
        self.sig_rollback_done.emit(None)
