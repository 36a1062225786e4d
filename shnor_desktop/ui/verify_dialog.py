"""«Проверить подпись PDF»: who signed, when, and whether the document is as signed.

The user picks a PDF; the check runs in the background (pyHanko takes half a
second to load the first time) and without any network access.  The verdict
stands on top in green or red; below, for each signature, the same labelled
lines as ``shnor-desktop verify`` prints (services/signing_text.py), good news
in green, bad in red, cautions in amber.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from shnor_desktop.models.jobs import JobState
from shnor_desktop.services.messages import describe_error
from shnor_desktop.services.signing import VerificationResult, verify_pdf
from shnor_desktop.services.signing_text import Tone, describe_check, verdict
from shnor_desktop.ui.runner import BackgroundTask

TONE_STYLES: dict[Tone, str] = {
    Tone.GOOD: "color: #1b5e20;",
    Tone.BAD: "color: #b00020; font-weight: bold;",
    Tone.WARN: "color: #8a5a00;",
    Tone.PLAIN: "",
}
VERDICT_STYLES: dict[bool, str] = {
    True: (
        "background: #e8f5e9; color: #1b5e20; border: 1px solid #81c784;"
        " padding: 8px; font-weight: bold;"
    ),
    False: (
        "background: #fdecea; color: #b00020; border: 1px solid #e57373;"
        " padding: 8px; font-weight: bold;"
    ),
}


class VerifyDialog(QDialog):
    """Check the signatures of one PDF and show the verdict in Russian."""

    sig_checked = Signal(object)
    sig_failed = Signal(object)

    def __init__(self, parent: QWidget | None = None, path: Path | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Проверка электронной подписи"))
        self.resize(680, 520)
        self.task: BackgroundTask | None = None
        self.verification: VerificationResult | None = None

        layout = QVBoxLayout(self)
        row = QHBoxLayout()
        self.file_edit = QLineEdit(self)
        self.file_edit.setObjectName("field_file")
        self.file_edit.setPlaceholderText(self.tr("документ PDF для проверки"))
        self.file_edit.returnPressed.connect(self._on_file_edit_return_pressed)
        choose = QPushButton(self.tr("Выбрать файл…"), self)
        choose.clicked.connect(self._on_choose_clicked)
        row.addWidget(QLabel(self.tr("Файл:"), self))
        row.addWidget(self.file_edit, 1)
        row.addWidget(choose)
        layout.addLayout(row)

        self.verdict_label = QLabel(self)
        self.verdict_label.setObjectName("verdict")
        self.verdict_label.setWordWrap(True)
        self.verdict_label.setText(self.tr("Выберите документ PDF: проверка идёт без интернета."))
        layout.addWidget(self.verdict_label)

        self.details = QWidget(self)
        self.details_layout = QVBoxLayout(self.details)
        self.details_layout.setContentsMargins(0, 0, 0, 0)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(self.details)
        layout.addWidget(scroll, 1)

        buttons = QDialogButtonBox(self)
        close = buttons.addButton(self.tr("Закрыть"), QDialogButtonBox.ButtonRole.RejectRole)
        close.clicked.connect(self.reject)
        layout.addWidget(buttons)
        if path is not None:
            self.file_edit.setText(str(path))
            self.check(path)

    # --- choosing ----------------------------------------------------------------------
    def _on_choose_clicked(self) -> None:
        start = self.file_edit.text().strip()
        name, _ = QFileDialog.getOpenFileName(
            self,
            self.tr("Документ для проверки подписи"),
            str(Path(start).parent) if start else "",
            self.tr("Документы PDF (*.pdf);;Все файлы (*)"),
        )
        if name:
            self.file_edit.setText(name)
            self.check(Path(name))

    def _on_file_edit_return_pressed(self) -> None:
        text = self.file_edit.text().strip()
        if text:
            self.check(Path(text))

    # --- checking ----------------------------------------------------------------------
    def check(self, path: Path) -> BackgroundTask:
        """Check ``path`` in the background; the verdict appears when done."""
        self._clear_details()
        self.verdict_label.setStyleSheet("")
        self.verdict_label.setText(self.tr("Проверка подписи…"))

        def work(state: JobState) -> VerificationResult:
            state.set_status("Проверка подписи…")
            return verify_pdf(path)

        task = BackgroundTask(work, self, self.tr("Проверка подписи"), show_progress=False)
        task.sig_finished.connect(self._on_task_finished)
        task.sig_failed.connect(self._on_task_failed)
        self.task = task
        task.start()
        return task

    def _clear_details(self) -> None:
        while self.details_layout.count():
            item = self.details_layout.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()

    def _on_task_finished(self, result: object) -> None:
        self.task = None
        assert isinstance(result, VerificationResult)
        self.verification = result
        final = verdict(result)
        self.verdict_label.setText(final.text[:1].upper() + final.text[1:])
        self.verdict_label.setStyleSheet(VERDICT_STYLES[result.ok])
        total = len(result.signatures)
        for number, check in enumerate(result.signatures, start=1):
            title = (
                self.tr("Подпись")
                if total == 1
                else self.tr("Подпись {0} из {1}").format(number, total)
            )
            box = QGroupBox(title, self.details)
            form = QFormLayout(box)
            form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
            for line in describe_check(check):
                value = QLabel(line.text, box)
                value.setWordWrap(True)
                value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
                value.setStyleSheet(TONE_STYLES[line.tone])
                form.addRow(f"{line.label}:" if line.label else "", value)
            self.details_layout.addWidget(box)
        self.details_layout.addStretch(1)
        self.sig_checked.emit(result)

    def _on_task_failed(self, exc: object) -> None:
        self.task = None
        self.verification = None
        text = describe_error(exc) if isinstance(exc, BaseException) else str(exc)
        self.verdict_label.setText(text)
        self.verdict_label.setStyleSheet(VERDICT_STYLES[False])
        self.sig_failed.emit(exc)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt's name)
        """Enter in a field is that field's action, never a default button's.

        (Else Enter in the file field would also press «Выбрать файл…».)
        """
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            event.accept()
            return
        super().keyPressEvent(event)

    def done(self, code: int) -> None:
        """Wait for a check under way before closing (it takes a fraction of a second)."""
        if self.task is not None:
            self.task.wait()
        super().done(code)
