"""The import preview: what each file would change, what is wrong in it, and the commit.

The files (one, many, a folder, a whole USB stick) are read in the
background; nothing is written then.  Per file and school the preview says
whether the file is new, brings changes, changes nothing, is for another
school or year than it claims, or is refused, and why.  For the selected
file it lists the values (new, changed old → new, unchanged) and the
validation report (file, sheet, cell, value, what was expected), which can
be saved as a workbook.  The user checks the files to commit: all, some or
none.  A file for another school or year needs an explicit confirmation.
The commit runs in the background, each file atomic, with progress and
«Отмена» in the dialog, which stays responsive.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QItemSelection, Qt, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QSplitter,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from shnor_desktop.models.database import Database
from shnor_desktop.models.errors import Cancelled
from shnor_desktop.models.jobs import JobState
from shnor_desktop.models.text import format_number, plural, school_year_label
from shnor_desktop.services.exchange import importer
from shnor_desktop.services.exchange.importer import ImportPlan, ImportResult, ValueChange
from shnor_desktop.services.messages import describe_error
from shnor_desktop.ui.exchange.models import (
    ChangeModel,
    FilePlanModel,
    ProblemLine,
    ProblemModel,
    StatusLook,
    fit_columns,
)
from shnor_desktop.ui.messages import ask_yes_no, show_warning
from shnor_desktop.ui.runner import BackgroundTask
from shnor_desktop.ui.widgets import error_label

FileStatus = importer.FileStatus
ResultStatus = importer.ResultStatus
FilePlan = importer.FilePlan

GREEN, BLUE, GREY, ORANGE, RED = "#1b5e20", "#0d47a1", "#616161", "#e65100", "#b00020"
MAX_SHOWN_VALUES = 5000
"""Values listed for one file (a 50,000-row results table is counted, not listed whole)."""


def _t(text: str) -> str:
    return QCoreApplication.translate("exchange", text)


def status_look(plan: FilePlan) -> StatusLook:
    """How the status of a file reads in the preview, and whether it may be committed.

    New files and files with changes are checked; a file for another school
    or year may be checked (its commit asks first); the same file again, a
    file that changes nothing and a refused file cannot be.
    """
    status = plan.status
    if status is FileStatus.NEW:
        return StatusLook(_t("новые данные"), GREEN, True, True)
    if status is FileStatus.UPDATE:
        return StatusLook(_t("есть изменения"), BLUE, True, True)
    if status is FileStatus.SAME:
        return StatusLook(_t("без изменений"), GREY, False, False)
    if status is FileStatus.MISMATCH:
        return StatusLook(_t("другая школа или год"), ORANGE, True, False)
    return StatusLook(_t("отклонён"), RED, False, False)


def status_tip(plan: FilePlan) -> str:
    """Why a file has its status (the tooltip of the status)."""
    if plan.error is not None:
        return describe_error(plan.error)
    return "; ".join(plan.notes)


def changed_count(plan: FilePlan) -> int:
    """The values a file would write (new and changed); -1 for a refused file (none)."""
    if plan.status is FileStatus.REJECTED:
        return -1
    counts = plan.counts()
    return counts.get("new", 0) + counts.get("changed", 0)


def problem_lines(plan: FilePlan) -> list[ProblemLine]:
    """The validation report of one file: its refused values, its warnings, its refusal."""
    lines = [
        ProblemLine(p.file or plan.name, p.sheet, p.cell, p.value, p.expected, _t("ошибка"))
        for p in plan.problems
    ]
    lines += [
        ProblemLine(p.file or plan.name, p.sheet, p.cell, p.value, p.expected, _t("предупреждение"))
        for p in plan.warnings
    ]
    if plan.error is not None and not plan.problems:
        lines.insert(
            0,
            ProblemLine(plan.name, "", "", None, describe_error(plan.error), _t("файл не принят")),
        )
    return lines


ChangeModel.KIND_TEXT = {"new": "новое", "changed": "изменено", "unchanged": "без изменений"}


class ImportPreviewDialog(QDialog):
    """Read files, show what they would change and what is wrong, commit the chosen ones."""

    #: The files were read: the plan (None when reading was cancelled or failed).
    sig_planned = Signal(object)
    #: The commit ended: the results (None when it failed as a whole).
    sig_committed = Signal(object)
    #: «История импорта» was asked for.
    sig_show_history = Signal()

    def __init__(self, db: Database, paths: list[Path], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.paths = list(paths)
        self.plan: ImportPlan | None = None
        self.results: list[ImportResult] = []
        self.task: BackgroundTask | None = None
        self.setWindowTitle(self.tr("Импорт книг школ"))
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.resize(1180, 660)

        self.summary_label = QLabel()
        self.summary_label.setObjectName("summary")
        self.summary_label.setWordWrap(True)
        self.progress = QProgressBar()
        self.progress.hide()
        self.progress_label = QLabel()
        self.progress_label.setObjectName("progress_status")
        self.cancel_button = QPushButton(self.tr("Отмена"))
        self.cancel_button.clicked.connect(self._on_cancel_button_clicked)
        self.cancel_button.hide()

        self.file_model = FilePlanModel(status_look, self, status_tip)
        self.file_model.sig_checked_changed.connect(self._update_buttons)
        self.file_view = QTableView()
        self.file_view.setObjectName("files")
        self.file_view.setModel(self.file_model)
        self.file_view.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.file_view.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.file_view.verticalHeader().hide()
        self.file_view.setWordWrap(False)
        header = self.file_view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(FilePlanModel.COL_FILE, QHeaderView.ResizeMode.Stretch)
        self.file_view.selectionModel().selectionChanged.connect(self._on_files_selection_changed)

        self.file_label = QLabel()
        self.file_label.setObjectName("file_detail")
        self.file_label.setWordWrap(True)
        self.file_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.file_error = error_label(self, "error_file")
        self.file_error.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.change_model = ChangeModel(self)
        self.change_view = self._table(self.change_model)
        self.change_view.setObjectName("changes")
        self.show_same = QCheckBox(self.tr("Показывать и значения без изменений"))
        self.show_same.toggled.connect(self._on_show_same_toggled)
        self.change_counts = QLabel()
        self.change_counts.setObjectName("change_counts")
        changes_page = QWidget()
        changes_layout = QVBoxLayout(changes_page)
        changes_top = QHBoxLayout()
        changes_top.addWidget(self.change_counts, 1)
        changes_top.addWidget(self.show_same)
        changes_layout.addLayout(changes_top)
        changes_layout.addWidget(self.change_view, 1)

        self.problem_model = ProblemModel(self)
        self.problem_view = self._table(self.problem_model)
        self.problem_view.setObjectName("problems")
        self.problem_view.setWordWrap(True)
        self.all_problems = QCheckBox(self.tr("Замечания всех файлов"))
        self.all_problems.toggled.connect(self._show_problems)
        self.problem_note = QLabel()
        problems_page = QWidget()
        problems_layout = QVBoxLayout(problems_page)
        problems_top = QHBoxLayout()
        problems_top.addWidget(self.problem_note, 1)
        problems_top.addWidget(self.all_problems)
        problems_layout.addLayout(problems_top)
        problems_layout.addWidget(self.problem_view, 1)

        self.tabs = QTabWidget()
        self.tabs.addTab(changes_page, self.tr("Значения"))
        self.tabs.addTab(problems_page, self.tr("Замечания"))

        lower = QWidget()
        lower_layout = QVBoxLayout(lower)
        lower_layout.setContentsMargins(0, 0, 0, 0)
        lower_layout.addWidget(self.file_label)
        lower_layout.addWidget(self.file_error)
        lower_layout.addWidget(self.tabs, 1)
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.addWidget(self.file_view)
        self.splitter.addWidget(lower)
        self.splitter.setStretchFactor(0, 2)
        self.splitter.setStretchFactor(1, 3)
        self.splitter.setChildrenCollapsible(False)

        self.report_button = QPushButton(self.tr("Сохранить отчёт в Excel…"))
        self.report_button.clicked.connect(self._on_report_button_clicked)
        self.history_button = QPushButton(self.tr("История импорта"))
        self.history_button.clicked.connect(self._on_history_button_clicked)
        self.check_all_button = QPushButton(self.tr("Отметить все"))
        self.check_all_button.clicked.connect(self._on_check_all_button_clicked)
        self.check_none_button = QPushButton(self.tr("Снять отметки"))
        self.check_none_button.clicked.connect(self._on_check_none_button_clicked)
        self.commit_button = QPushButton()
        self.commit_button.setDefault(True)
        self.commit_button.clicked.connect(self._on_commit_button_clicked)
        self.close_button = QPushButton(self.tr("Закрыть"))
        self.close_button.clicked.connect(self.reject)

        progress_row = QHBoxLayout()
        progress_row.addWidget(self.progress_label, 1)
        progress_row.addWidget(self.progress, 2)
        progress_row.addWidget(self.cancel_button)
        buttons = QHBoxLayout()
        buttons.addWidget(self.check_all_button)
        buttons.addWidget(self.check_none_button)
        buttons.addWidget(self.report_button)
        buttons.addWidget(self.history_button)
        buttons.addStretch(1)
        buttons.addWidget(self.commit_button)
        buttons.addWidget(self.close_button)

        layout = QVBoxLayout(self)
        layout.addWidget(self.summary_label)
        layout.addWidget(self.splitter, 1)
        layout.addLayout(progress_row)
        layout.addLayout(buttons)
        self._update_buttons()

    def _table(self, model: ChangeModel | ProblemModel) -> QTableView:
        view = QTableView()
        view.setModel(model)
        view.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        view.setAlternatingRowColors(True)
        view.verticalHeader().hide()
        view.setWordWrap(False)
        header = view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        return view

    # --- state ---------------------------------------------------------------------------
    @property
    def busy(self) -> bool:
        """True while files are read or committed."""
        return self.task is not None and self.task.running

    def _update_buttons(self) -> None:
        busy = self.busy
        checked = len(self.file_model.checked_plans())
        self.commit_button.setText(
            self.tr("Загрузить отмеченные ({0})").format(checked)
            if checked
            else self.tr("Загрузить отмеченные")
        )
        self.commit_button.setEnabled(bool(checked) and not busy)
        plans = self.file_model.plans()
        self.report_button.setEnabled(
            not busy and any(p.problems or p.warnings or p.error for p in plans)
        )
        can_check = self.file_model.any_checkable() and not busy
        self.check_all_button.setEnabled(can_check)
        self.check_none_button.setEnabled(can_check)

    def _start(self, work: Callable[[JobState], object], title: str) -> BackgroundTask:
        task = BackgroundTask(work, self, title, show_progress=False)
        task.sig_progress.connect(self._on_task_progress)
        self.task = task
        self.progress.setRange(0, 0)
        self.progress.show()
        self.progress_label.setText(title)
        self.cancel_button.setEnabled(True)
        self.cancel_button.show()
        self.close_button.setEnabled(False)
        self.file_model.set_locked(True)
        self._update_buttons()
        task.start()
        return task

    def _stop(self) -> None:
        self.task = None
        self.progress.hide()
        self.progress_label.clear()
        self.cancel_button.hide()
        self.close_button.setEnabled(True)
        self.file_model.set_locked(False)
        self._update_buttons()

    def _on_task_progress(self, done: int, total: int, status: str) -> None:
        if self.task is not None and self.task.state.cancelled:
            return
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(min(done, max(total, 1)))
        if status:
            self.progress_label.setText(status)

    def _on_cancel_button_clicked(self) -> None:
        if self.task is not None:
            self.task.cancel()
            self.cancel_button.setEnabled(False)
            self.progress_label.setText(self.tr("Отмена…"))

    def _on_check_all_button_clicked(self) -> None:
        self.file_model.set_all(True)

    def _on_check_none_button_clicked(self) -> None:
        self.file_model.set_all(False)

    # --- reading ---------------------------------------------------------------------------
    def start(self) -> BackgroundTask:
        """Read the files in the background (nothing is written)."""
        db, paths = self.db, list(self.paths)
        self.summary_label.setText(
            self.tr("Чтение файлов… База не изменится, пока вы не нажмёте «Загрузить отмеченные».")
        )

        def work(state: JobState) -> ImportPlan:
            try:
                return importer.plan_import(db, paths, state)
            finally:
                db.log.release_reader()  # the worker ends: its read connection goes too

        task = self._start(work, self.tr("Чтение файлов…"))
        task.sig_finished.connect(self._on_plan_finished)
        task.sig_failed.connect(self._on_plan_failed)
        return task

    def _on_plan_finished(self, plan: object) -> None:
        self._stop()
        if isinstance(plan, ImportPlan):
            self.set_plan(plan)
            self.sig_planned.emit(plan)

    def _on_plan_failed(self, exc: object) -> None:
        self._stop()
        if isinstance(exc, Cancelled):
            self.summary_label.setText(self.tr("Чтение файлов отменено. База не изменена."))
        else:
            self.summary_label.setText(self.tr("Файлы не прочитаны. База не изменена."))
            self.file_error.setText(
                describe_error(exc) if isinstance(exc, BaseException) else str(exc)
            )
            self.file_error.show()
        self.sig_planned.emit(None)

    def set_plan(self, plan: ImportPlan) -> None:
        """Show the plan of an import (the files read and what they would change)."""
        self.plan = plan
        self.file_model.set_plans(plan.files, changed_count)
        self.file_view.resizeColumnsToContents()
        self._update_summary()
        if plan.files:
            self.file_view.selectRow(0)
        else:
            self._show_file(None)
        self._update_buttons()

    def _update_summary(self) -> None:
        plans = self.file_model.plans()
        if not plans:
            self.summary_label.setText(
                self.tr(
                    "Книг школ не найдено: в выбранных файлах и папках нет файлов .xlsx или .csv."
                )
            )
            return
        counts = {status: 0 for status in FileStatus}
        for plan in plans:
            counts[plan.status] += 1
        words = {
            FileStatus.NEW: self.tr("с новыми данными"),
            FileStatus.UPDATE: self.tr("с изменениями"),
            FileStatus.SAME: self.tr("без изменений"),
            FileStatus.MISMATCH: self.tr("другой школы или года"),
            FileStatus.REJECTED: self.tr("отклонено"),
        }
        parts = ", ".join(f"{words[s]} — {n}" for s, n in counts.items() if n)
        total = len(plans)
        self.summary_label.setText(
            self.tr("Прочитано {0} {1}: {2}. Отметьте файлы, которые нужно загрузить.").format(
                total, plural(total, "файл", "файла", "файлов"), parts
            )
        )

    # --- the selected file -----------------------------------------------------------------
    def selected_plan(self) -> FilePlan | None:
        """The plan of the file selected in the list (None when none is)."""
        rows = self.file_view.selectionModel().selectedRows()
        return self.file_model.plan(rows[0].row()) if rows else None

    def select_file(self, name: str) -> None:
        """Select the file called ``name`` in the list."""
        for row, plan in enumerate(self.file_model.plans()):
            if plan.name == name:
                self.file_view.selectRow(row)
                return

    def _on_files_selection_changed(
        self, selected: QItemSelection, deselected: QItemSelection
    ) -> None:
        del selected, deselected
        self._show_file(self.selected_plan())

    def _show_file(self, plan: FilePlan | None) -> None:
        self.file_error.hide()
        if plan is None:
            self.file_label.clear()
            self.change_model.set_rows([])
            self.change_counts.clear()
            self._show_problems()
            return
        self.file_label.setText(self._file_text(plan))
        if plan.problems:
            count = plan.problem_count or len(plan.problems)
            self.file_error.setText(
                self.tr(
                    "Файл не будет загружен: {0} {1} (см. вкладку «Замечания»). "
                    "Исправьте значения в книге и загрузите её снова."
                ).format(
                    format_number(count, 0),
                    plural(count, "ошибка", "ошибки", "ошибок"),
                )
            )
            self.file_error.show()
        elif plan.error is not None and plan.status is not FileStatus.MISMATCH:
            self.file_error.setText(describe_error(plan.error))
            self.file_error.show()
        elif plan.status is FileStatus.MISMATCH and plan.notes:
            self.file_error.setText(
                self.tr("Нужно подтверждение: {0}.").format("; ".join(plan.notes))
            )
            self.file_error.show()
        self._show_changes(plan)
        self._show_problems()
        refused = plan.status is FileStatus.REJECTED
        self.tabs.setCurrentIndex(1 if refused and (plan.problems or plan.error) else 0)

    def _file_text(self, plan: FilePlan) -> str:
        parts = [self.tr("Файл «{0}»").format(plan.name)]
        if plan.school_name:
            school = f"{plan.school_code} {plan.school_name}".strip()
            parts.append(self.tr("школа: {0}").format(school))
        if plan.year:
            parts.append(self.tr("{0} учебный год").format(school_year_label(plan.year)))
        if plan.template_version:
            parts.append(self.tr("шаблон версии {0}").format(plan.template_version))
        text = ", ".join(parts) + "."
        notes = [n for n in plan.notes if plan.status is not FileStatus.MISMATCH]
        if notes:
            text += " " + "; ".join(n[:1].upper() + n[1:] for n in notes) + "."
        return text

    def _show_changes(self, plan: FilePlan) -> None:
        counts = plan.counts()
        new, changed, same = counts["new"], counts["changed"], counts["unchanged"]
        text = self.tr("Новых значений: {0}, изменённых: {1}, без изменений: {2}.").format(
            format_number(new, 0), format_number(changed, 0), format_number(same, 0)
        )
        wanted = (
            ("new", "changed", "unchanged") if self.show_same.isChecked() else ("new", "changed")
        )
        shown: list[ValueChange] = []
        listed = sum(counts[k] for k in wanted)
        if listed:
            for change in plan.changes:
                if change.kind in wanted:
                    shown.append(change)
                    if len(shown) >= MAX_SHOWN_VALUES:
                        break
        if listed > len(shown):
            text += " " + self.tr("Показаны первые {0}.").format(format_number(len(shown), 0))
        self.change_counts.setText(text)
        self.change_model.set_rows(shown)
        fit_columns(self.change_view)

    def _on_show_same_toggled(self, checked: bool) -> None:
        del checked
        plan = self.selected_plan()
        if plan is not None:
            self._show_changes(plan)

    def _show_problems(self) -> None:
        plans = self.file_model.plans() if self.all_problems.isChecked() else []
        if not self.all_problems.isChecked():
            selected = self.selected_plan()
            plans = [selected] if selected is not None else []
        lines = [line for plan in plans for line in problem_lines(plan)]
        hidden = sum(max(0, p.problem_count - len(p.problems)) for p in plans)
        self.problem_model.set_rows(lines)
        fit_columns(self.problem_view)
        self.problem_note.setText(
            self.tr("Ещё {0} таких же замечаний не показаны (они есть в отчёте).").format(
                format_number(hidden, 0)
            )
            if hidden
            else ""
        )
        count = len(lines)
        self.tabs.setTabText(
            1, self.tr("Замечания ({0})").format(count) if count else self.tr("Замечания")
        )

    # --- the report ------------------------------------------------------------------------
    def _on_report_button_clicked(self) -> None:
        if self.plan is None:
            return
        first = self.paths[0] if self.paths else Path.home()
        folder = first if first.is_dir() else first.parent
        path, _ = QFileDialog.getSaveFileName(
            self,
            self.tr("Сохранить отчёт о проверке"),
            str(folder / self.tr("Замечания к книгам школ.xlsx")),
            self.tr("Книга Excel (*.xlsx)"),
        )
        if path:
            self.save_report(Path(path))

    def save_report(self, path: Path) -> Path | None:
        """Write the validation report of every file to ``path``; say why not on failure."""
        if self.plan is None:
            return None
        if path.suffix.lower() != ".xlsx":
            path = path.with_name(path.name + ".xlsx")
        try:
            written = importer.write_problems_xlsx(self.plan, path)
        except (OSError, ValueError) as exc:
            show_warning(self, self.tr("Отчёт не сохранён"), describe_error(exc))
            return None
        self.progress_label.setText(self.tr("Отчёт сохранён: {0}").format(written))
        return written

    # --- the commit --------------------------------------------------------------------------
    def _on_commit_button_clicked(self) -> None:
        self.commit()

    def commit(self) -> BackgroundTask | None:
        """Commit the checked files in the background; None when declined or nothing checked."""
        plan = self.plan
        if plan is None or self.busy:
            return None
        chosen = self.file_model.checked_plans()
        if not chosen:
            return None
        mismatched = [p for p in chosen if p.status is FileStatus.MISMATCH]
        if mismatched and not self._confirm_mismatch(mismatched):
            return None
        db, confirm = self.db, bool(mismatched)

        def work(state: JobState) -> list[ImportResult]:
            try:
                return importer.commit_import(db, plan, chosen, state, confirm_mismatch=confirm)
            finally:
                db.log.release_reader()

        count = len(chosen)
        task = self._start(
            work,
            self.tr("Загрузка: {0} {1}…").format(count, plural(count, "файл", "файла", "файлов")),
        )
        task.sig_finished.connect(self._on_commit_finished)
        task.sig_failed.connect(self._on_commit_failed)
        return task

    def _confirm_mismatch(self, plans: list[FilePlan]) -> bool:
        lines = []
        for plan in plans:
            why = "; ".join(plan.notes)
            lines.append(f"• {plan.name}" + (f": {why}" if why else ""))
        text = self.tr(
            "Эти книги не совпадают со школой или учебным годом, которые ожидались:\n\n{0}\n\n"
            "Загрузить их всё равно? Значения будут записаны для школы и года, "
            "указанных в самой книге."
        ).format("\n".join(lines))
        return ask_yes_no(
            self, self.tr("Другая школа или год"), text, self.tr("Загрузить всё равно")
        )

    def _on_commit_finished(self, results: object) -> None:
        cancelled = self.task is not None and self.task.state.cancelled
        self._stop()
        self.results = (
            [r for r in results if isinstance(r, ImportResult)] if isinstance(results, list) else []
        )
        self._show_results(self.results, cancelled)
        self.sig_committed.emit(self.results)

    def _on_commit_failed(self, exc: object) -> None:
        partial = list(self.task.state.partial) if self.task is not None else []
        self._stop()
        self.results = [r for r in partial if isinstance(r, ImportResult)]
        if isinstance(exc, Cancelled):
            self._show_results(self.results, True)
            self.sig_committed.emit(self.results)
            return
        self._show_results(self.results, False)
        self.file_error.setText(
            self.tr("Загрузка прервана: {0}").format(
                describe_error(exc) if isinstance(exc, BaseException) else str(exc)
            )
        )
        self.file_error.show()
        self.sig_committed.emit(None)

    def _show_results(self, results: list[ImportResult], cancelled: bool) -> None:
        rows = {p.path: row for row, p in enumerate(self.file_model.plans())}
        loaded = 0
        for result in results:
            row = rows.get(result.path)
            if row is None:
                continue
            text, colour = self._result_look(result)
            loaded += int(result.status is ResultStatus.APPLIED)
            self.file_model.set_outcome(row, text, colour, self._result_tip(result))
        self.file_view.resizeColumnToContents(FilePlanModel.COL_STATUS)
        summary = self.tr("Загружено файлов: {0}.").format(loaded)
        if cancelled:
            summary += " " + self.tr(
                "Загрузка отменена: файл, который загружался, не записан, остальные не тронуты."
            )
        if loaded:
            summary += " " + self.tr("Откатить загрузку можно в «Истории импорта».")
        self.summary_label.setText(summary)
        self._show_file(self.selected_plan())

    def _result_look(self, result: ImportResult) -> tuple[str, str]:
        if result.status is ResultStatus.APPLIED:
            return self.tr("загружен"), GREEN
        if result.status is ResultStatus.UNCHANGED:
            return self.tr("загружен ранее — без изменений"), GREY
        if result.status is ResultStatus.SKIPPED:
            return self.tr("не загружен: нужно подтверждение"), ORANGE
        return self.tr("не загружен"), RED

    def _result_tip(self, result: ImportResult) -> str:
        if result.error is not None:
            return describe_error(result.error)
        if result.status is ResultStatus.APPLIED:
            return self.tr("Записано новых значений: {0}, изменено: {1}.").format(
                format_number(result.new, 0), format_number(result.changed, 0)
            )
        return ""

    # --- history and closing ---------------------------------------------------------------
    def _on_history_button_clicked(self) -> None:
        self.sig_show_history.emit()
        if not self.busy:
            self.accept()

    def reject(self) -> None:
        """Close; work still running is cancelled first (a file being written rolls back)."""
        if self.task is not None and self.task.running:
            self.task.cancel()
            self.task.wait()
        super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        if self.task is not None and self.task.running:
            self.task.cancel()
            self.task.wait()
        super().closeEvent(event)
