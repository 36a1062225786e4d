"""«Обмен → Шаблоны для школ»: the workbooks of a school year for the schools, into one folder.

The user picks the school year, all schools or some, and the folder (often a
USB stick); the workbooks are written in the background with progress and
«Отмена» inside the dialog, then «Открыть папку» shows them.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from shnor_desktop.models.database import Database
from shnor_desktop.models.errors import Cancelled
from shnor_desktop.models.jobs import JobState
from shnor_desktop.models.text import format_number, plural, school_year_label
from shnor_desktop.services.messages import describe_error
from shnor_desktop.ui.exchange.models import SchoolChoiceModel
from shnor_desktop.ui.runner import BackgroundTask
from shnor_desktop.ui.widgets import SchoolYearCombo, error_label


class TemplatesDialog(QDialog):
    """Write the templates of a school year for all or some schools into a folder."""

    #: «Открыть папку»: the folder to show.
    sig_open_folder = Signal(Path)
    #: The work ended: the files written (empty when cancelled or refused).
    sig_done = Signal(object)

    def __init__(
        self, db: Database, parent: QWidget | None = None, folder: Path | None = None
    ) -> None:
        super().__init__(parent)
        self.db = db
        self.setWindowTitle(self.tr("Шаблоны для школ"))
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.resize(640, 560)
        #: The templates' work while it runs.
        self.task: BackgroundTask | None = None
        #: The files written by the last run.
        self.written: list[Path] = []

        intro = QLabel(
            self.tr(
                "Для каждой школы будет записана книга Excel на выбранный учебный год: "
                "паспорт, результаты оценочных процедур и мероприятия дорожной карты, "
                "заполненные тем, что уже есть в базе. Школы заполняют книги и возвращают их; "
                "заполненные книги загрузите через «Обмен → Импорт»."
            )
        )
        intro.setWordWrap(True)

        self.year_combo = SchoolYearCombo()
        self.year_combo.set_years(
            {*db.schools.years(), *db.results.years()}, select=self._default_year()
        )

        self.all_radio = QRadioButton()
        self.some_radio = QRadioButton(self.tr("только отмеченные:"))
        group = QButtonGroup(self)
        group.addButton(self.all_radio)
        group.addButton(self.some_radio)
        self.all_radio.setChecked(True)
        self.school_model = SchoolChoiceModel(self)
        self.school_model.set_schools(db.schools.all_schools())
        self.all_radio.setText(
            self.tr("все школы района ({0})").format(len(self.school_model.schools()))
        )
        self.school_view = QListView()
        self.school_view.setModel(self.school_model)
        self.school_view.setEnabled(False)
        self.school_view.setMinimumHeight(140)
        self.check_all = QPushButton(self.tr("Отметить все"))
        self.check_none = QPushButton(self.tr("Снять отметки"))
        self.check_all.clicked.connect(lambda: self.school_model.set_all(True))
        self.check_none.clicked.connect(lambda: self.school_model.set_all(False))
        self.all_radio.toggled.connect(self._on_all_radio_toggled)
        self.school_model.sig_checked_changed.connect(self._update_buttons)

        self.folder_edit = QLineEdit(str(folder) if folder is not None else "")
        self.folder_edit.setPlaceholderText(self.tr("например, флешка E:\\"))
        self.folder_edit.textChanged.connect(self._update_buttons)
        self.folder_button = QPushButton(self.tr("Выбрать…"))
        self.folder_button.clicked.connect(self._on_folder_button_clicked)

        self.progress = QProgressBar()
        self.progress.setTextVisible(True)
        self.progress.hide()
        self.status_label = QLabel()
        self.status_label.setWordWrap(True)
        self.status_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.error = error_label(self, "error_templates")

        self.write_button = QPushButton(self.tr("Создать шаблоны"))
        self.write_button.setDefault(True)
        self.write_button.clicked.connect(self.start)
        self.open_button = QPushButton(self.tr("Открыть папку"))
        self.open_button.clicked.connect(self._on_open_button_clicked)
        self.open_button.hide()
        self.cancel_button = QPushButton(self.tr("Отмена"))
        self.cancel_button.clicked.connect(self._on_cancel_button_clicked)
        self.close_button = QPushButton(self.tr("Закрыть"))
        self.close_button.clicked.connect(self.reject)
        self.cancel_button.hide()

        form = QFormLayout()
        form.addRow(self.tr("Учебный год:"), self.year_combo)
        schools = QVBoxLayout()
        schools.addWidget(self.all_radio)
        schools.addWidget(self.some_radio)
        schools.addWidget(self.school_view)
        marks = QHBoxLayout()
        marks.addWidget(self.check_all)
        marks.addWidget(self.check_none)
        marks.addStretch(1)
        schools.addLayout(marks)
        form.addRow(self.tr("Школы:"), schools)
        folder_row = QHBoxLayout()
        folder_row.addWidget(self.folder_edit, 1)
        folder_row.addWidget(self.folder_button)
        form.addRow(self.tr("Папка:"), folder_row)

        buttons = QHBoxLayout()
        buttons.addWidget(self.open_button)
        buttons.addStretch(1)
        buttons.addWidget(self.write_button)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.close_button)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form, 1)
        layout.addWidget(self.progress)
        layout.addWidget(self.status_label)
        layout.addWidget(self.error)
        layout.addLayout(buttons)
        self._on_all_radio_toggled(True)

    def _default_year(self) -> int:
        """The year the command line's ``template`` takes too: the latest with figures."""
        from shnor_desktop.services.exchange.templates import default_year

        return default_year(self.db.reader())

    # --- choices ---------------------------------------------------------------------------
    @property
    def busy(self) -> bool:
        """True while the templates are being written."""
        return self.task is not None and self.task.running

    def folder(self) -> Path | None:
        """The folder typed or chosen (None when empty)."""
        text = self.folder_edit.text().strip()
        return Path(text) if text else None

    def set_folder(self, folder: Path) -> None:
        """Write into ``folder``."""
        self.folder_edit.setText(str(folder))

    def school_codes(self) -> list[str] | None:
        """The codes of the chosen schools; None means every school."""
        if self.all_radio.isChecked():
            return None
        return [s.code for s in self.school_model.checked()]

    def _on_all_radio_toggled(self, checked: bool) -> None:
        del checked
        some = self.some_radio.isChecked()
        for widget in (self.school_view, self.check_all, self.check_none):
            widget.setEnabled(some and not self.busy)
        self._update_buttons()

    def _update_buttons(self) -> None:
        codes = self.school_codes()
        ready = self.folder() is not None and (codes is None or bool(codes))
        self.write_button.setEnabled(ready and not self.busy)

    def _on_folder_button_clicked(self) -> None:
        current = self.folder()
        chosen = QFileDialog.getExistingDirectory(
            self, self.tr("Папка для шаблонов"), str(current) if current else ""
        )
        if chosen:
            self.set_folder(Path(chosen))

    # --- the work --------------------------------------------------------------------------
    def start(self) -> BackgroundTask | None:
        """Write the templates in the background; None when the choices are not complete."""
        from shnor_desktop.services.exchange.templates import write_templates

        folder = self.folder()
        if self.busy:
            return None
        self.error.hide()
        if folder is None:
            self._refuse(self.tr("Укажите папку, куда записать шаблоны."))
            return None
        if not folder.is_dir():
            self._refuse(
                self.tr("Папки «{0}» нет. Выберите существующую папку или вставьте флешку.").format(
                    folder
                )
            )
            return None
        codes = self.school_codes()
        if codes is not None and not codes:
            self._refuse(self.tr("Отметьте хотя бы одну школу."))
            return None
        year = self.year_combo.year
        db_path = self.db.path

        def work(state: JobState) -> list[Path]:
            return list(write_templates(db_path, folder, year, codes, state))

        task = BackgroundTask(work, self, self.windowTitle(), show_progress=False)
        task.sig_progress.connect(self._on_task_progress)
        task.sig_finished.connect(self._on_task_finished)
        task.sig_failed.connect(self._on_task_failed)
        self.task = task
        self.written = []
        self.open_button.hide()
        self.progress.setRange(0, 0)
        self.progress.show()
        count = len(codes) if codes is not None else len(self.school_model.schools())
        self.status_label.setText(
            self.tr("Запись шаблонов на {0} учебный год: {1} {2}…").format(
                school_year_label(year), count, plural(count, "школа", "школы", "школ")
            )
        )
        self._set_running(True)
        task.start()
        return task

    def _set_running(self, running: bool) -> None:
        for widget in (
            self.year_combo,
            self.all_radio,
            self.some_radio,
            self.folder_edit,
            self.folder_button,
        ):
            widget.setEnabled(not running)
        self.cancel_button.setVisible(running)
        self.cancel_button.setEnabled(running)
        self.write_button.setVisible(not running)
        self.close_button.setEnabled(not running)
        self._on_all_radio_toggled(True)

    def _on_cancel_button_clicked(self) -> None:
        if self.task is not None:
            self.task.cancel()
            self.cancel_button.setEnabled(False)
            self.status_label.setText(self.tr("Отмена…"))

    def _on_task_progress(self, done: int, total: int, status: str) -> None:
        if self.task is not None and self.task.state.cancelled:
            return
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(min(done, max(total, 1)))
        self.progress.setFormat(self.tr("%v из %m"))
        if status and done < total:
            self.status_label.setText(self.tr("Записывается шаблон: {0}").format(status))

    def _on_task_finished(self, result: object) -> None:
        self.task = None
        self._set_running(False)
        self.progress.hide()
        paths = [Path(p) for p in result] if isinstance(result, list) else []
        self.written = paths
        folder = self.folder()
        count = len(paths)
        self.status_label.setText(
            self.tr("Готово: в папку «{0}» {1} {2} {3}.").format(
                folder,
                plural(count, "записан", "записано", "записано"),
                format_number(count, 0),
                plural(count, "шаблон", "шаблона", "шаблонов"),
            )
        )
        self.open_button.setVisible(count > 0)
        if count:
            self.open_button.setFocus()
        self.sig_done.emit(paths)

    def _on_task_failed(self, exc: object) -> None:
        written = [Path(p) for p in self.task.state.partial] if self.task is not None else []
        self.task = None
        self._set_running(False)
        self.progress.hide()
        self.written = written
        if isinstance(exc, Cancelled):
            count = len(written)
            self.status_label.setText(
                self.tr(
                    "Запись шаблонов отменена. Записано до отмены: {0}; "
                    "недописанных файлов в папке нет."
                ).format(format_number(count, 0))
            )
            self.open_button.setVisible(count > 0)
        else:
            self.status_label.clear()
            self._refuse(describe_error(exc) if isinstance(exc, BaseException) else str(exc))
        self.sig_done.emit([])

    def _refuse(self, text: str) -> None:
        self.error.setText(text)
        self.error.show()

    def _on_open_button_clicked(self) -> None:
        folder = self.folder()
        if folder is not None:
            self.sig_open_folder.emit(folder)

    # --- closing ---------------------------------------------------------------------------
    def reject(self) -> None:
        """Close; work still running is cancelled first (nothing half-written stays)."""
        if self.task is not None and self.task.running:
            self.task.cancel()
            self.task.wait()
        super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        if self.task is not None and self.task.running:
            self.task.cancel()
            self.task.wait()
        super().closeEvent(event)
