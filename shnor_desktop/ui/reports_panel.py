"""«Отчёты»: choose a report and its parameters, see its pages, save, print, open the folder.

Building runs in the background (``ui/runner.py``) with progress and Cancel:
the PDF is built into a temporary folder and its pages are drawn for the
preview, at the width of the preview column (``report_preview.py``, PDFium in
the process).  «Сохранить…» writes the report where the user chooses (PDF, or
Word for the annual report and the results note); «Печать…» asks the system's
print dialog and prints the pages in the background, at the printer's
resolution.  The coordinator's conclusions of the annual report and of the
results note are edited here and kept in the database; so is the letterhead
(«Бланк»).

The preview's temporary folder lives as long as the preview it shows: a new
build's folder replaces (and removes) the last one, another database (or none)
removes it, and so does the end of the panel (its ``destroyed`` signal, and at
the latest the interpreter's exit).
"""

from __future__ import annotations

import shutil
import tempfile
import weakref
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QFileDialog,
    QFormLayout,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from shnor_desktop.models.changelog import ChangeSetInfo
from shnor_desktop.models.database import Database
from shnor_desktop.models.errors import Cancelled, DomainError
from shnor_desktop.models.jobs import JobState
from shnor_desktop.models.report_texts import ReportTextRepository
from shnor_desktop.models.text import current_school_year, school_year_label
from shnor_desktop.services.messages import describe_error
from shnor_desktop.services.reports import (
    DOCX_KINDS,
    KIND_TITLES,
    KINDS,
    ReportParams,
    ReportResult,
    build_report,
)
from shnor_desktop.services.reports.settings import LETTERHEAD_SETTINGS
from shnor_desktop.ui.common import Panel
from shnor_desktop.ui.messages import show_warning
from shnor_desktop.ui.report_preview import (
    PagesView,
    PreviewPages,
    PrinterRefused,
    can_render,
    print_pdf,
    render_preview,
)
from shnor_desktop.ui.runner import BackgroundTask
from shnor_desktop.ui.widgets import SchoolYearCombo

TEXT_KINDS = frozenset({"annual", "results"})
"""Kinds with the coordinator's conclusions."""

TEMP_PREFIX = "shnor-reports-"
"""The preview's temporary folders (``tempfile.mkdtemp``) start so."""

FILE_NAMES = {
    "annual": "Годовой отчёт",
    "results": "Аналитическая справка",
    "passport": "Паспорт школы",
    "journal": "Журнал тьюторов",
    "protocol": "Протокол",
}


@dataclass(frozen=True)
class Built:
    """A report built in the background: the result, its page pictures and its folder."""

    result: ReportResult
    pages: PreviewPages | None = None
    folder: Path | None = None
    """The temporary folder of a preview (None for a file saved where the user chose)."""


class TempFolders:
    """The temporary folders of one panel: each removed when told, or at the latest when
    this object is garbage or the interpreter exits (``weakref.finalize``)."""

    def __init__(self) -> None:
        self._live: dict[Path, weakref.finalize[[str], TempFolders]] = {}

    def new(self) -> Path:
        """Make a folder."""
        path = Path(tempfile.mkdtemp(prefix=TEMP_PREFIX))
        self._live[path] = weakref.finalize(self, _remove_tree, str(path))
        return path

    def remove(self, path: Path | None) -> None:
        """Remove a folder made here (None: nothing)."""
        if path is not None and path in self._live:
            self._live.pop(path)()

    def remove_all(self, *args: object) -> None:
        """Remove every folder made here (a slot of ``destroyed``)."""
        del args
        for path in list(self._live):
            self.remove(path)

    @property
    def paths(self) -> list[Path]:
        """The folders not removed yet."""
        return list(self._live)


def _remove_tree(path: str) -> None:
    shutil.rmtree(path, ignore_errors=True)


def _qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _pydate(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())


class ReportsPanel(Panel):
    """Builds, shows, saves and prints the reports of the open database."""

    TITLE = "Отчёты"
    TABLES = frozenset({"report_text", "setting", "school", "meeting", "programme"})

    sig_built = Signal(object)  # ReportResult of the preview
    sig_saved = Signal(object)  # ReportResult of a saved file
    sig_failed = Signal(str)  # the Russian message of a failure
    sig_printed = Signal(int)  # pages sent to the printer

    def __init__(self, bus: Any, parent: QWidget | None = None) -> None:
        super().__init__(bus, parent)
        self.task: BackgroundTask | None = None
        self.built: Built | None = None
        self.saved: Path | None = None
        self.printed = 0  # pages sent to the printer by the last «Печать…»
        self._printer: Any = None
        # The preview's folders. Not a method of the panel on ``destroyed``: by the
        # time the signal comes, the panel's Python side is gone and PySide would drop it.
        self.temp_folders = TempFolders()
        self.destroyed.connect(self.temp_folders.remove_all)

        self.kind = QComboBox()
        self.kind.setObjectName("reportKind")
        for kind in KINDS:
            self.kind.addItem(self.tr(KIND_TITLES[kind]), kind)
        self.year = SchoolYearCombo()
        self.school = QComboBox()
        self.school.setObjectName("reportSchool")
        self.meeting = QComboBox()
        self.meeting.setObjectName("reportMeeting")
        self.date_from = QDateEdit()
        self.date_to = QDateEdit()
        for edit in (self.date_from, self.date_to):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("dd.MM.yyyy")
        self.number = QLineEdit()
        self.number.setObjectName("reportNumber")
        self.number.setPlaceholderText(self.tr("например, 15"))
        self.doc_date = QDateEdit(_qdate(date.today()))
        self.doc_date.setCalendarPopup(True)
        self.doc_date.setDisplayFormat("dd.MM.yyyy")

        form = QFormLayout()
        form.addRow(self.tr("Отчёт"), self.kind)
        form.addRow(self.tr("Учебный год"), self.year)
        form.addRow(self.tr("Школа"), self.school)
        form.addRow(self.tr("Заседание"), self.meeting)
        period = QHBoxLayout()
        period.addWidget(self.date_from)
        period.addWidget(QLabel("—"))
        period.addWidget(self.date_to)
        self.period_row = QWidget()
        self.period_row.setLayout(period)
        period.setContentsMargins(0, 0, 0, 0)
        form.addRow(self.tr("Период"), self.period_row)
        form.addRow(self.tr("№ документа"), self.number)
        form.addRow(self.tr("Дата документа"), self.doc_date)
        self._form = form

        self.build_button = QPushButton(self.tr("Построить"))
        self.build_button.setObjectName("buildReport")
        self.save_button = QPushButton(self.tr("Сохранить…"))
        self.save_button.setObjectName("saveReport")
        self.print_button = QPushButton(self.tr("Печать…"))
        self.print_button.setObjectName("printReport")
        self.folder_button = QPushButton(self.tr("Открыть папку"))
        self.folder_button.setObjectName("openReportFolder")
        # Signing (services/signing.py): the saved PDF, in place, stamp in SIGNATURE_BOX.
        self.sign_button = QPushButton(self.tr("Подписать…"))
        self.sign_button.setObjectName("signReport")
        # Two rows: in one, the form is wider than its pane on a 1366 px screen.
        buttons = QGridLayout()
        for place, button in enumerate(
            (
                self.build_button,
                self.save_button,
                self.sign_button,
                self.print_button,
                self.folder_button,
            )
        ):
            buttons.addWidget(button, place // 3, place % 3)

        self.conclusions = QPlainTextEdit()
        self.conclusions.setObjectName("reportConclusions")
        self.conclusions.setPlaceholderText(
            self.tr(
                "Выводы и предложения координатора. Пока они не написаны, в отчёт входит "
                "черновик, составленный по цифрам."
            )
        )
        self.save_text_button = QPushButton(self.tr("Сохранить выводы"))
        self.save_text_button.setObjectName("saveConclusions")
        text_box = QGroupBox(self.tr("Выводы координатора"))
        text_layout = QVBoxLayout(text_box)
        text_layout.addWidget(self.conclusions)
        text_layout.addWidget(self.save_text_button)
        self.text_box = text_box

        self.letterhead: dict[str, QLineEdit] = {}
        head_box = QGroupBox(self.tr("Бланк отчётов"))
        head_form = QFormLayout(head_box)
        for spec in LETTERHEAD_SETTINGS:
            line = QLineEdit()
            line.setObjectName(f"letterhead_{spec.key.rsplit('.', 1)[1]}")
            self.letterhead[spec.key] = line
            head_form.addRow(self.tr(spec.label.split(" (")[0]), line)
        self.save_head_button = QPushButton(self.tr("Сохранить бланк"))
        self.save_head_button.setObjectName("saveLetterhead")
        head_form.addRow(self.save_head_button)

        self.status = QLabel()
        self.status.setObjectName("reportStatus")
        self.status.setWordWrap(True)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.addLayout(form)
        left_layout.addLayout(buttons)
        left_layout.addWidget(self.status)
        left_layout.addWidget(text_box, 1)
        left_layout.addWidget(head_box)
        self.preview = PagesView()
        self.preview.setMinimumWidth(240)
        # The form scrolls on a small screen rather than widen the window.
        left_area = QScrollArea()
        left_area.setWidgetResizable(True)
        left_area.setFrameShape(QFrame.Shape.NoFrame)
        left_area.setWidget(left)
        left_area.setMinimumWidth(220)
        splitter = QSplitter()
        splitter.addWidget(left_area)
        splitter.addWidget(self.preview)
        splitter.setStretchFactor(1, 1)
        # The form whole (its widest row), the rest for the pages.
        splitter.setSizes([max(420, left.sizeHint().width() + 24), 700])
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)

        self.kind.currentIndexChanged.connect(self._on_kind_changed)
        self.year.sig_year_changed.connect(self._on_year_changed)
        self.build_button.clicked.connect(self._on_build_clicked)
        self.save_button.clicked.connect(self._on_save_clicked)
        self.print_button.clicked.connect(self._on_print_clicked)
        self.folder_button.clicked.connect(self._on_folder_clicked)
        self.sign_button.clicked.connect(self._on_sign_clicked)
        self.save_text_button.clicked.connect(self._on_save_text_clicked)
        self.save_head_button.clicked.connect(self._on_save_head_clicked)
        self.preview.show_message(self.tr("Выберите отчёт и нажмите «Построить»."))
        self._update_enabled()

    # --- reading --------------------------------------------------------------------------
    def set_database(self, db: Database | None) -> None:
        """Show another database: the preview of the last one (and its folder) goes."""
        if db is not self.db:
            if self.task is not None:
                # It reads the database being closed: its result is dropped when it ends.
                self.task.cancel()
                self.task = None
            self._drop_preview()
            self.saved = None
            self.preview.show_message(self.tr("Выберите отчёт и нажмите «Построить»."))
            self.status.clear()
        super().set_database(db)

    def _drop_preview(self) -> None:
        built, self.built = self.built, None
        if built is not None:
            self.temp_folders.remove(built.folder)

    def reload(self) -> None:
        """Read the choices, the conclusions and the letterhead again."""
        db = self.db
        self.school.clear()
        self.meeting.clear()
        if db is None:
            self._update_enabled()
            return
        years = set(db.schools.years()) | set(db.results.years())
        default = db.schools.default_year() or current_school_year()
        self.year.set_years(
            sorted(years), select=self.year.year if self.year.year in years else default
        )
        # In the order of the codes: the district's own list (01 Бартеневка …).
        for school in sorted(db.schools.all_schools(), key=lambda s: (s.code, s.short_name)):
            if school.parent_id is None:
                self.school.addItem(f"{school.short_name} ({school.code})", school.code)
        for meeting in db.meetings.meetings():
            self.meeting.addItem(meeting.protocol_name, meeting.number)
        for spec in LETTERHEAD_SETTINGS:
            self.letterhead[spec.key].setText(str(db.settings.get(spec)))
        self._set_period()
        self._load_text()
        self._update_enabled()

    def on_data_changed(self, info: ChangeSetInfo) -> None:
        """Keep what the user is typing: only the lists follow another window's changes."""
        if info.touches("report_text") and not self.conclusions.document().isModified():
            self._load_text()
        if info.touches("school", "meeting"):
            self.reload()

    @property
    def current_kind(self) -> str:
        """The kind chosen."""
        return str(self.kind.currentData())

    def params(self) -> ReportParams:
        """The parameters the form says."""
        kind = self.current_kind
        return ReportParams(
            year=self.year.year,
            school=self.school.currentData() if kind == "passport" else None,
            meeting=self.meeting.currentData() if kind == "protocol" else None,
            number=self.number.text().strip(),
            date=_pydate(self.doc_date.date()),
            date_from=_pydate(self.date_from.date()) if kind == "journal" else None,
            date_to=_pydate(self.date_to.date()) if kind == "journal" else None,
        )

    def _set_period(self) -> None:
        year = self.year.year
        self.date_from.setDate(QDate(year, 9, 1))
        self.date_to.setDate(QDate(year + 1, 8, 31))

    def _load_text(self) -> None:
        db = self.db
        kind = self.current_kind
        text = ""
        if db is not None and kind in TEXT_KINDS:
            text = ReportTextRepository(db.log).get(kind, self.year.year)
        self.conclusions.setPlainText(text)
        self.conclusions.document().setModified(False)

    def _update_enabled(self) -> None:
        kind = self.current_kind
        busy = self.task is not None
        has_db = self.db is not None
        for widget, used in (
            (self.school, kind == "passport"),
            (self.meeting, kind == "protocol"),
            (self.period_row, kind == "journal"),
        ):
            widget.setEnabled(used)
            label = self._form.labelForField(widget)
            widget.setVisible(used)
            if label is not None:
                label.setVisible(used)
        self.year.setEnabled(kind != "protocol" or self.meeting.count() == 0)
        self.text_box.setVisible(kind in TEXT_KINDS)
        self.build_button.setEnabled(has_db and not busy)
        self.save_button.setEnabled(has_db and not busy)
        self.print_button.setEnabled(self.built is not None and not busy and can_render())
        self.folder_button.setEnabled(self.saved is not None)
        self.sign_button.setEnabled(
            self.saved is not None and self.saved.suffix.lower() == ".pdf" and not busy
        )
        self.save_text_button.setEnabled(has_db)
        self.save_head_button.setEnabled(has_db)

    def _on_kind_changed(self) -> None:
        self._load_text()
        self._update_enabled()

    def _on_year_changed(self, year: int) -> None:
        del year
        self._set_period()
        self._load_text()

    # --- building -------------------------------------------------------------------------
    def _start(self, out: Path | None) -> BackgroundTask | None:
        """Build the chosen report into ``out``, or (None) into a new preview folder."""
        db = self.db
        if db is None or self.task is not None:
            return None
        kind = self.current_kind
        params = self.params()
        folder = self.temp_folders.new() if out is None else None
        target = folder / f"{kind}.pdf" if folder is not None else out
        assert target is not None
        # The pages are drawn as wide as the preview column is now (sharp on a dense screen).
        width = self.preview.fitted_width()
        ratio = self.preview.devicePixelRatioF()

        def work(state: JobState) -> Built:
            result = build_report(kind, db, target, params, state)
            pages = None
            if folder is not None and result.format == "pdf" and can_render():
                state.check()
                state.set_status("Подготовка страниц для просмотра…")
                pages = render_preview(result.path, width, state, ratio)
            return Built(result, pages, folder)

        task = BackgroundTask(work, self, self.tr("Построение отчёта"))
        done = self._on_preview_built if folder is not None else self._on_saved
        task.sig_finished.connect(lambda built: done(task, built))
        task.sig_failed.connect(lambda exc: self._on_task_failed(task, exc, folder))
        self.task = task
        self.status.setText(self.tr("Отчёт строится…"))
        self._update_enabled()
        task.start()
        return task

    def build_preview(self) -> BackgroundTask | None:
        """Build the chosen report as a PDF for the preview (in the background)."""
        return self._start(None)

    def save_to(self, out: Path) -> BackgroundTask | None:
        """Build the chosen report into ``out`` (.pdf or .docx) in the background."""
        return self._start(out)

    def _on_build_clicked(self) -> None:
        self.build_preview()

    def _on_preview_built(self, task: BackgroundTask, built: object) -> None:
        assert isinstance(built, Built)
        if task is not self.task:  # built for a database no longer shown
            self.temp_folders.remove(built.folder)
            return
        self.task = None
        self._drop_preview()  # the last preview's folder goes now that this one is here
        self.built = built
        result = built.result
        pages = built.pages
        if pages is not None and pages.images:
            note = ""
            if len(pages.images) < pages.total:
                note = (
                    self.tr(
                        "Показаны первые %1 страниц из %2. Все страницы — в сохранённом "
                        "файле и при печати."
                    )
                    .replace("%1", str(len(pages.images)))
                    .replace("%2", str(pages.total))
                )
            self.preview.set_pages(pages, note)
        else:
            self.preview.show_message(
                self.tr(
                    "Отчёт построен, но показать его страницы здесь нельзя. Сохраните отчёт "
                    "и откройте его в программе просмотра PDF."
                )
            )
        self.status.setText(
            self.tr("Построено: %1, страниц: %2 (%3 с).")
            .replace("%1", result.title)
            .replace("%2", str(result.pages))
            .replace("%3", f"{result.seconds:.1f}".replace(".", ","))
        )
        self._update_enabled()
        self.sig_built.emit(result)

    def _default_name(self) -> str:
        kind = self.current_kind
        year = school_year_label(self.year.year).replace("/", "-")
        if kind == "passport" and self.school.currentData():
            return f"{FILE_NAMES[kind]} {self.school.currentData()} {year}"
        return f"{FILE_NAMES[kind]} {year}"

    def _on_save_clicked(self) -> None:
        kind = self.current_kind
        filters = self.tr("Документ PDF (*.pdf)")
        if kind in DOCX_KINDS:
            filters += ";;" + self.tr("Документ Word (*.docx)")
        start = (self.saved.parent if self.saved else Path.home()) / f"{self._default_name()}.pdf"
        path, chosen = QFileDialog.getSaveFileName(
            self, self.tr("Сохранить отчёт"), str(start), filters
        )
        if not path:
            return
        out = Path(path)
        if out.suffix.lower() not in (".pdf", ".docx"):
            out = out.with_suffix(".docx" if "docx" in chosen else ".pdf")
        self.save_to(out)

    def _on_saved(self, task: BackgroundTask, built: object) -> None:
        assert isinstance(built, Built)
        if task is not self.task:
            return
        self.task = None
        self.saved = built.result.path
        self.status.setText(self.tr("Сохранено: %1").replace("%1", str(built.result.path)))
        self._update_enabled()
        self.sig_saved.emit(built.result)

    def _on_task_failed(self, task: BackgroundTask, exc: object, folder: Path | None) -> None:
        self.temp_folders.remove(folder)  # the preview shown, if any, keeps its own
        if task is not self.task:
            return
        self.task = None
        self._update_enabled()
        if isinstance(exc, Cancelled):
            self.status.setText(self.tr("Построение отчёта отменено."))
            return
        message = describe_error(exc) if isinstance(exc, BaseException) else str(exc)
        self.status.setText(message)
        self.sig_failed.emit(message)

    # --- printing and the folder -------------------------------------------------------
    def _on_print_clicked(self) -> None:
        from PySide6.QtPrintSupport import QAbstractPrintDialog, QPrintDialog, QPrinter

        built = self.built
        if built is None or built.result.format != "pdf" or self.task is not None:
            return
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setDocName(built.result.title)
        dialog = QPrintDialog(printer, self)
        dialog.setMinMax(1, max(1, built.result.pages))
        dialog.setOption(QAbstractPrintDialog.PrintDialogOption.PrintPageRange, True)
        accepted = dialog.exec() == QPrintDialog.DialogCode.Accepted
        dialog.deleteLater()
        if accepted:
            self.print_to(printer)

    def print_to(self, printer: Any) -> BackgroundTask | None:
        """Print the previewed report on ``printer`` (a QPrinter set up by the print dialog).

        The pages are drawn and sent one by one in the background, with progress and
        Cancel; ``sig_printed`` tells the pages printed.
        """
        built = self.built
        if built is None or built.result.format != "pdf" or self.task is not None:
            return None
        pdf = built.result.path

        def work(state: JobState) -> int:
            return print_pdf(pdf, printer, state)

        task = BackgroundTask(work, self, self.tr("Печать отчёта"))
        task.sig_finished.connect(lambda pages: self._on_printed(task, pages))
        task.sig_failed.connect(lambda exc: self._on_print_failed(task, exc))
        self.task = task
        self._printer = printer  # kept alive until the work is done with it
        self.status.setText(self.tr("Отчёт печатается…"))
        self._update_enabled()
        task.start()
        return task

    def _on_printed(self, task: BackgroundTask, pages: object) -> None:
        self._printer = None
        if task is not self.task:
            return
        self.task = None
        self.printed = int(pages) if isinstance(pages, int) else 0
        self.status.setText(
            self.tr("Отправлено на печать страниц: %1.").replace("%1", str(self.printed))
        )
        self._update_enabled()
        self.sig_printed.emit(self.printed)

    def _on_print_failed(self, task: BackgroundTask, exc: object) -> None:
        self._printer = None
        if task is not self.task:
            return
        self.task = None
        self._update_enabled()
        if isinstance(exc, Cancelled):
            self.status.setText(self.tr("Печать отменена."))
            return
        if isinstance(exc, PrinterRefused):
            message = self.tr(
                "Принтер не принял задание. Проверьте, что он включён и доступен, "
                "или выберите другой принтер."
            )
        else:
            message = describe_error(exc) if isinstance(exc, BaseException) else str(exc)
        self.status.setText(message)
        self.sig_failed.emit(message)

    def _on_sign_clicked(self) -> Any:
        """Open the signing dialog on the saved PDF (the signing engineer's dialog)."""
        from shnor_desktop.services.reports.pdf import SIGNATURE_BOX
        from shnor_desktop.services.signing import StampPlace
        from shnor_desktop.ui.signing_dialog import SigningDialog

        if self.saved is None:
            return None
        old = getattr(self, "_sign_dialog", None)
        if old is not None and not old.isVisible():
            old.deleteLater()  # the last one, closed: not deleted on close (its worker thread)
        dialog = SigningDialog(self.saved, self, place=StampPlace(-1, SIGNATURE_BOX))
        self._sign_dialog = dialog
        dialog.sig_signed.connect(
            lambda info: self.status.setText(
                self.tr("Подписано: %1 (%2)")
                .replace("%1", str(info.path))
                .replace("%2", info.certificate.owner)
            )
        )
        dialog.open()
        return dialog

    def _on_folder_clicked(self) -> None:
        if self.saved is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.saved.parent)))

    # --- the conclusions and the letterhead -------------------------------------------------
    def _on_save_text_clicked(self) -> None:
        db = self.db
        if db is None or self.current_kind not in TEXT_KINDS:
            return
        try:
            ReportTextRepository(db.log).set(
                self.current_kind,
                self.year.year,
                self.conclusions.toPlainText(),
                self.tr("Выводы отчёта"),
            )
        except DomainError as exc:
            show_warning(self, self.tr("Выводы не сохранены"), describe_error(exc))
            return
        self.conclusions.document().setModified(False)
        self.status.setText(self.tr("Выводы сохранены."))

    def _on_save_head_clicked(self) -> None:
        db = self.db
        if db is None:
            return
        try:
            with db.log.change_set(self.tr("Бланк отчётов")):
                for spec in LETTERHEAD_SETTINGS:
                    db.settings.set(
                        spec, self.letterhead[spec.key].text(), self.tr("Бланк отчётов")
                    )
        except DomainError as exc:
            show_warning(self, self.tr("Бланк не сохранён"), describe_error(exc))
            return
        self.status.setText(self.tr("Бланк сохранён."))
