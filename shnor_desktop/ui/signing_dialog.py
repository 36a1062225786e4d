"""«Подписать документ»: a PAdES signature from a .p12 file, or the hand-off to CryptoPro.

The user picks the certificate file and types its PIN (shown as dots, asked
each time, kept nowhere: the field is cleared after every attempt); the
dialog shows whose certificate it is — owner, number, validity, «тестовый» —
before anything is signed.  Signing runs in the background.  Below, a line
says plainly whether CryptoPro is installed; when it is, the document can be
signed with a GOST certificate from the user's store as a detached ``.sig``.

:class:`NewTestCertificateDialog` («Сервис → Создать тестовый сертификат…»)
makes a self-signed certificate to try signing with.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QSettings, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from shnor_desktop.models.jobs import JobState
from shnor_desktop.services import cryptopro
from shnor_desktop.services.messages import describe_error
from shnor_desktop.services.signing import (
    DEFAULT_TEST_OWNER,
    MIN_PIN_LENGTH,
    CertificateInfo,
    SignatureInfo,
    StampPlace,
    load_certificate,
    make_test_certificate,
    sign_pdf,
)
from shnor_desktop.ui.runner import BackgroundTask
from shnor_desktop.ui.widgets import error_label

LAST_CERTIFICATE_KEY = "signing/last_certificate"
"""QSettings key of the last certificate file used (the file's path; never the PIN)."""
GOOD_STYLE = "color: #1b5e20;"
MUTED_STYLE = "color: #555555;"


def grow_to_fit(dialog: QDialog) -> None:
    """Grow (never shrink) so that text just shown in a wrapped label is not cut off."""
    # A window does not grow by itself for word-wrapped labels (height for width).
    layout = dialog.layout()
    if layout is None:
        return
    layout.activate()
    width = dialog.width()
    height = max(dialog.height(), layout.totalHeightForWidth(width))
    if height > dialog.height():
        dialog.resize(width, height)


def certificate_summary(info: CertificateInfo) -> str:
    """Whose certificate, its number and validity, as rich text for a label."""
    test = (
        "<br><b>Тестовый сертификат</b> — подпись не имеет юридической силы."
        if info.is_test
        else ""
    )
    organization = f"<br>Организация: {info.organization}" if info.organization else ""
    return (
        f"Владелец: <b>{info.owner}</b>{organization}"
        f"<br>Сертификат № {info.serial_hex}"
        f"<br>Действителен {info.validity_text}{test}"
    )


class SigningDialog(QDialog):
    """Sign one PDF: certificate file + PIN (or CryptoPro), then sign in the background.

    Emits ``sig_signed(SignatureInfo)`` or ``sig_cryptopro_signed(CryptoProResult)``
    and closes on success; a failure is said in red and the dialog stays.
    """

    sig_signed = Signal(object)
    sig_cryptopro_signed = Signal(object)
    sig_failed = Signal(object)

    def __init__(
        self,
        pdf: Path,
        parent: QWidget | None = None,
        *,
        place: StampPlace | None = None,
        settings: QSettings | None = None,
        cryptopro_status: cryptopro.CryptoProStatus | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Подписать документ электронной подписью"))
        self.setMinimumWidth(560)
        self.pdf = pdf
        self.place = place
        self.settings = settings
        self.task: BackgroundTask | None = None
        self.certificate: CertificateInfo | None = None
        self.status = cryptopro_status if cryptopro_status is not None else cryptopro.detect()

        layout = QVBoxLayout(self)
        document = QLabel(self.tr("Документ: <b>{0}</b>").format(pdf.name), self)
        document.setToolTip(str(pdf))
        layout.addWidget(document)

        group = QGroupBox(self.tr("Сертификат из файла (.p12, .pfx)"), self)
        form = QFormLayout(group)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.file_edit = QLineEdit(group)
        self.file_edit.setObjectName("field_certificate")
        self.file_edit.setPlaceholderText(self.tr("файл сертификата с закрытым ключом"))
        last = settings.value(LAST_CERTIFICATE_KEY, "") if settings is not None else ""
        self.file_edit.setText(str(last or ""))
        browse = QPushButton(self.tr("Обзор…"), group)
        browse.clicked.connect(self._on_browse_clicked)
        row = QHBoxLayout()
        row.addWidget(self.file_edit, 1)
        row.addWidget(browse)
        form.addRow(self.tr("Файл:"), row)
        self.pin_edit = QLineEdit(group)
        self.pin_edit.setObjectName("field_pin")
        self.pin_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin_edit.setPlaceholderText(self.tr("ПИН-код запрашивается каждый раз"))
        self.pin_edit.returnPressed.connect(self._on_pin_return_pressed)
        self.show_button = QPushButton(self.tr("Показать сертификат"), group)
        self.show_button.clicked.connect(self.show_certificate)
        pin_row = QHBoxLayout()
        pin_row.addWidget(self.pin_edit, 1)
        pin_row.addWidget(self.show_button)
        form.addRow(self.tr("ПИН-код:"), pin_row)
        self.certificate_label = QLabel(group)
        self.certificate_label.setObjectName("certificate_summary")
        self.certificate_label.setWordWrap(True)
        self.certificate_label.setTextFormat(Qt.TextFormat.RichText)
        self.certificate_label.setText(
            self.tr("Введите ПИН-код: перед подписанием здесь появятся сведения о сертификате.")
        )
        self.certificate_label.setStyleSheet(MUTED_STYLE)
        form.addRow(self.certificate_label)
        layout.addWidget(group)

        self.stamp_check = QCheckBox(
            self.tr("Поставить отметку об электронной подписи на последней странице"), self
        )
        self.stamp_check.setChecked(True)
        layout.addWidget(self.stamp_check)

        layout.addWidget(self._cryptopro_box())
        self.error_label = error_label(self, "error_signing")
        layout.addWidget(self.error_label)
        layout.addStretch(1)

        self.buttons = QDialogButtonBox(self)
        self.sign_button = self.buttons.addButton(
            self.tr("Подписать"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.sign_button.setObjectName("sign_button")
        self.cancel_button = self.buttons.addButton(
            self.tr("Отмена"), QDialogButtonBox.ButtonRole.RejectRole
        )
        self.sign_button.clicked.connect(self.sign)
        self.cancel_button.clicked.connect(self.reject)
        layout.addWidget(self.buttons)
        self.file_edit.textChanged.connect(self._on_file_edit_text_changed)
        (self.pin_edit if self.file_edit.text() else self.file_edit).setFocus()

    # --- CryptoPro ---------------------------------------------------------------------
    def _cryptopro_box(self) -> QGroupBox:
        box = QGroupBox(self.tr("Подпись КриптоПро (ГОСТ)"), self)
        column = QVBoxLayout(box)
        self.cryptopro_label = QLabel(self.status.text, box)
        self.cryptopro_label.setObjectName("cryptopro_status")
        self.cryptopro_label.setWordWrap(True)
        self.cryptopro_label.setStyleSheet(GOOD_STYLE if self.status.available else MUTED_STYLE)
        column.addWidget(self.cryptopro_label)
        self.thumbprint_combo = QComboBox(box)
        self.thumbprint_combo.setObjectName("field_thumbprint")
        self.thumbprint_combo.setEditable(True)
        line = self.thumbprint_combo.lineEdit()
        assert line is not None  # an editable combo always has its line edit
        line.setPlaceholderText(
            self.tr("отпечаток сертификата (SHA-1), как его показывает КриптоПро")
        )
        for cert in cryptopro.personal_certificates() if self.status.available else []:
            self.thumbprint_combo.addItem(
                f"{cert.owner} — до {cert.valid_to.astimezone():%d.%m.%Y}", cert.thumbprint
            )
        self.cryptopro_button = QPushButton(self.tr("Подписать в КриптоПро"), box)
        self.cryptopro_button.setObjectName("cryptopro_button")
        self.cryptopro_button.clicked.connect(self.sign_with_cryptopro)
        row = QHBoxLayout()
        row.addWidget(self.thumbprint_combo, 1)
        row.addWidget(self.cryptopro_button)
        column.addLayout(row)
        for widget in (self.thumbprint_combo, self.cryptopro_button):
            widget.setVisible(self.status.available)
        return box

    def thumbprint(self) -> str:
        """The chosen certificate's thumbprint (a listed one, or as typed)."""
        index = self.thumbprint_combo.currentIndex()
        text = self.thumbprint_combo.currentText().strip()
        if index >= 0 and self.thumbprint_combo.itemText(index) == text:
            return str(self.thumbprint_combo.itemData(index))
        return text.replace(" ", "")

    def sign_with_cryptopro(self) -> BackgroundTask | None:
        """Hand the PDF to cryptcp; the PDF is stamped and a ``.sig`` appears beside it."""
        thumbprint = self.thumbprint()
        if not thumbprint:
            self._show_error(self.tr("Выберите сертификат КриптоПро или введите его отпечаток."))
            return None
        pdf, place, stamp = self.pdf, self.place, self.stamp_check.isChecked()
        tool = self.status.cryptcp

        def work(state: JobState) -> object:
            return cryptopro.sign_detached(
                pdf, pdf, thumbprint, cryptcp=tool, stamp=stamp, place=place, state=state
            )

        return self._start(work, self.sig_cryptopro_signed.emit)

    # --- the certificate file ----------------------------------------------------------
    def _on_browse_clicked(self) -> None:
        name, _ = QFileDialog.getOpenFileName(
            self,
            self.tr("Файл сертификата"),
            str(Path(self.file_edit.text()).parent) if self.file_edit.text() else "",
            self.tr("Сертификаты с закрытым ключом (*.p12 *.pfx);;Все файлы (*)"),
        )
        if name:
            self.file_edit.setText(name)
            self.pin_edit.setFocus()

    def _on_file_edit_text_changed(self) -> None:
        self._forget_certificate()

    def _forget_certificate(self) -> None:
        """Show no certificate until the PIN opens one again (no stale owner on screen)."""
        self.certificate = None
        self.certificate_label.setStyleSheet(MUTED_STYLE)
        self.certificate_label.setText(
            self.tr("Введите ПИН-код: перед подписанием здесь появятся сведения о сертификате.")
        )

    def _on_pin_return_pressed(self) -> None:
        # The first Enter shows the certificate; the next one signs.
        if self.certificate is None:
            self.show_certificate()
        else:
            self.sign()

    def _p12(self) -> Path | None:
        text = self.file_edit.text().strip()
        if not text:
            self._show_error(self.tr("Выберите файл сертификата (.p12 или .pfx)."))
            self.file_edit.setFocus()
            return None
        return Path(text)

    def show_certificate(self) -> CertificateInfo | None:
        """Open the certificate with the typed PIN and show whose it is (quick: no thread)."""
        p12 = self._p12()
        if p12 is None:
            return None
        self.error_label.hide()
        try:
            info = load_certificate(p12, self.pin_edit.text())
        except Exception as exc:  # noqa: BLE001 - every failure is worded for the user
            self._forget_certificate()
            self.pin_edit.clear()
            self._show_error(describe_error(exc).replace(" Документ не подписан.", ""))
            self.pin_edit.setFocus()
            return None
        self.certificate = info
        self.certificate_label.setStyleSheet("")
        self.certificate_label.setText(certificate_summary(info))
        grow_to_fit(self)
        return info

    # --- signing -----------------------------------------------------------------------
    def sign(self) -> BackgroundTask | None:
        """Sign in the background with the file and PIN typed; the PIN field is then cleared."""
        p12 = self._p12()
        if p12 is None:
            return None
        if self.certificate is None and self.show_certificate() is None:
            return None
        pin = self.pin_edit.text()
        # Asked each time: what was typed goes no further than this one signing.
        self.pin_edit.clear()
        pdf, place, stamp = self.pdf, self.place, self.stamp_check.isChecked()

        def work(state: JobState) -> SignatureInfo:
            return sign_pdf(pdf, pdf, p12, pin, stamp=stamp, place=place, state=state)

        if self.settings is not None:
            self.settings.setValue(LAST_CERTIFICATE_KEY, str(p12))
        return self._start(work, self.sig_signed.emit)

    def _start(
        self, work: Callable[[JobState], object], done: Callable[[object], None]
    ) -> BackgroundTask:
        self.error_label.hide()
        self._set_busy(True)
        task = BackgroundTask(work, self, self.tr("Подписание документа"))
        task.sig_finished.connect(lambda result: self._on_task_finished(result, done))
        task.sig_failed.connect(self._on_task_failed)
        self.task = task
        task.start()
        return task

    def _set_busy(self, busy: bool) -> None:
        for widget in (self.sign_button, self.cryptopro_button, self.show_button):
            widget.setEnabled(not busy)

    def _on_task_finished(self, result: object, done: Callable[[object], None]) -> None:
        self._set_busy(False)
        self.task = None
        done(result)
        self.accept()

    def _on_task_failed(self, exc: object) -> None:
        self._set_busy(False)
        self.task = None
        self._forget_certificate()
        text = describe_error(exc) if isinstance(exc, BaseException) else str(exc)
        self._show_error(text)
        self.sig_failed.emit(exc)
        self.pin_edit.setFocus()

    def _show_error(self, text: str) -> None:
        self.error_label.setText(text)
        self.error_label.show()
        grow_to_fit(self)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt's name)
        """Enter in a field is that field's action, never a default button's.

        (Else Enter in the PIN field would sign before the certificate is seen.)
        """
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            event.accept()
            return
        super().keyPressEvent(event)

    def reject(self) -> None:
        """Close unless signing is under way (it cannot be interrupted halfway)."""
        if self.task is not None and self.task.running:
            return
        super().reject()


class NewTestCertificateDialog(QDialog):
    """Make a self-signed test certificate (.p12) protected by a PIN typed twice."""

    sig_created = Signal(object)

    def __init__(self, parent: QWidget | None = None, folder: Path | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Создать тестовый сертификат"))
        self.setMinimumWidth(520)
        layout = QVBoxLayout(self)
        intro = QLabel(
            self.tr(
                "Тестовый сертификат позволяет попробовать подписание без настоящего "
                "сертификата. Отметка о подписи на документе скажет, что сертификат "
                "тестовый: юридической силы такая подпись не имеет."
            ),
            self,
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.owner_edit = QLineEdit(self)
        self.owner_edit.setObjectName("field_owner")
        self.owner_edit.setPlaceholderText(DEFAULT_TEST_OWNER)
        form.addRow(self.tr("Владелец (ФИО):"), self.owner_edit)
        self.pin_edit = QLineEdit(self)
        self.pin_edit.setObjectName("field_pin")
        self.pin_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin_edit.setPlaceholderText(self.tr("не меньше {0} знаков").format(MIN_PIN_LENGTH))
        form.addRow(self.tr("ПИН-код:"), self.pin_edit)
        self.repeat_edit = QLineEdit(self)
        self.repeat_edit.setObjectName("field_pin_repeat")
        self.repeat_edit.setEchoMode(QLineEdit.EchoMode.Password)
        form.addRow(self.tr("ПИН-код ещё раз:"), self.repeat_edit)
        self.file_edit = QLineEdit(self)
        self.file_edit.setObjectName("field_file")
        start = folder if folder is not None else Path.home()
        self.file_edit.setText(str(start / "тестовый-сертификат.p12"))
        browse = QPushButton(self.tr("Обзор…"), self)
        browse.clicked.connect(self._on_browse_clicked)
        row = QHBoxLayout()
        row.addWidget(self.file_edit, 1)
        row.addWidget(browse)
        form.addRow(self.tr("Сохранить в файл:"), row)
        layout.addLayout(form)
        self.error_label = error_label(self, "error_certificate")
        layout.addWidget(self.error_label)
        self.buttons = QDialogButtonBox(self)
        self.create_button = self.buttons.addButton(
            self.tr("Создать"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        cancel = self.buttons.addButton(self.tr("Отмена"), QDialogButtonBox.ButtonRole.RejectRole)
        self.create_button.clicked.connect(self.make_certificate)
        cancel.clicked.connect(self.reject)
        layout.addWidget(self.buttons)
        self.created: CertificateInfo | None = None

    def _on_browse_clicked(self) -> None:
        name, _ = QFileDialog.getSaveFileName(
            self,
            self.tr("Сохранить сертификат"),
            self.file_edit.text(),
            self.tr("Сертификат с закрытым ключом (*.p12)"),
        )
        if name:
            self.file_edit.setText(name if name.lower().endswith(".p12") else name + ".p12")

    def _fail(self, text: str) -> None:
        self.error_label.setText(text)
        self.error_label.show()
        grow_to_fit(self)

    def make_certificate(self) -> CertificateInfo | None:
        """Make the certificate (a fraction of a second: no thread); close on success."""
        pin, repeat = self.pin_edit.text(), self.repeat_edit.text()
        out = Path(self.file_edit.text().strip())
        if pin != repeat:
            self.repeat_edit.clear()
            self._fail(self.tr("ПИН-коды не совпадают: введите ПИН-код ещё раз."))
            self.repeat_edit.setFocus()
            return None
        if not self.file_edit.text().strip():
            self._fail(self.tr("Укажите, куда сохранить сертификат."))
            return None
        if out.exists():
            self._fail(
                self.tr(
                    "Файл «{0}» уже существует: выберите другое имя (старый сертификат "
                    "не заменяется, чтобы не потерять его ключ)."
                ).format(out)
            )
            return None
        try:
            info = make_test_certificate(
                out, pin, self.owner_edit.text().strip() or DEFAULT_TEST_OWNER
            )
        except Exception as exc:  # noqa: BLE001 - every failure is worded for the user
            self._fail(describe_error(exc))
            return None
        finally:
            self.pin_edit.clear()
            self.repeat_edit.clear()
        self.created = info
        self.sig_created.emit((out, info))
        self.accept()
        return info
