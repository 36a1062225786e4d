"""The signing dialog, the verify dialog, the test-certificate dialog and their menu entries."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLabel, QLineEdit, QWidget

from shnor_desktop.services.cryptopro import CryptoProStatus
from shnor_desktop.services.signing import (
    SignatureInfo,
    load_certificate,
    make_test_certificate,
    sign_pdf,
    verify_pdf,
)
from shnor_desktop.ui.signing_dialog import (
    LAST_CERTIFICATE_KEY,
    NewTestCertificateDialog,
    SigningDialog,
)
from shnor_desktop.ui.verify_dialog import VerifyDialog
from tests.services.test_signing import make_pdf

PIN = "Пин-1357"
OWNER = "Кузнецова Ольга Николаевна"
NO_CRYPTOPRO = CryptoProStatus(None)
QtBot = Any


@pytest.fixture(scope="module")
def p12(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("ui-cert") / "кузнецова.p12"
    make_test_certificate(path, PIN, OWNER)
    return path


@pytest.fixture
def pdf(tmp_path: Path) -> Path:
    return make_pdf(tmp_path / "годовой отчёт.pdf")


def signing_dialog(
    qtbot: QtBot, pdf: Path, settings: QSettings, status: CryptoProStatus = NO_CRYPTOPRO
) -> SigningDialog:
    dialog = SigningDialog(pdf, settings=settings, cryptopro_status=status)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def type_text(qtbot: QtBot, widget: QWidget, text: str) -> None:
    """Type ``text`` key by key (QTest.keyClicks takes ASCII only: Cyrillic goes as key text)."""
    for char in text:
        if char.isascii():
            qtbot.keyClicks(widget, char)
        else:
            QTest.sendKeyEvent(
                QTest.KeyAction.Click, widget, Qt.Key.Key_unknown, char, Qt.KeyboardModifier(0)
            )


# --------------------------------------------------------------------------- signing dialog
def test_sign_after_seeing_the_certificate(
    qtbot: QtBot, pdf: Path, p12: Path, settings: QSettings
) -> None:
    dialog = signing_dialog(qtbot, pdf, settings)
    assert dialog.pin_edit.echoMode() == QLineEdit.EchoMode.Password
    dialog.file_edit.setText(str(p12))
    type_text(qtbot, dialog.pin_edit, PIN)
    # The first Enter shows whose certificate it is, before anything is signed.
    qtbot.keyClick(dialog.pin_edit, Qt.Key.Key_Return)
    summary = dialog.certificate_label.text()
    info = load_certificate(p12, PIN)
    assert OWNER in summary
    assert info.serial_hex in summary
    assert info.validity_text in summary
    assert "Тестовый сертификат" in summary
    assert dialog.task is None  # Enter showed the certificate and started no signing
    assert dialog.isVisible()
    assert verify_pdf(pdf).signed is False
    with qtbot.waitSignal(dialog.sig_signed, timeout=20000) as signed:
        qtbot.mouseClick(dialog.sign_button, Qt.MouseButton.LeftButton)
    result = signed.args[0]
    assert isinstance(result, SignatureInfo)
    assert result.certificate.owner == OWNER
    assert verify_pdf(pdf).ok
    assert not dialog.isVisible()
    # The PIN is kept nowhere: not in the field, not in the settings.
    assert dialog.pin_edit.text() == ""
    assert settings.value(LAST_CERTIFICATE_KEY) == str(p12)
    settings.sync()
    assert PIN not in Path(settings.fileName()).read_text("utf-8", errors="replace")


def test_a_wrong_pin_is_said_in_russian_and_nothing_is_signed(
    qtbot: QtBot, pdf: Path, p12: Path, settings: QSettings
) -> None:
    original = pdf.read_bytes()
    dialog = signing_dialog(qtbot, pdf, settings)
    dialog.file_edit.setText(str(p12))
    type_text(qtbot, dialog.pin_edit, "1111")
    qtbot.mouseClick(dialog.sign_button, Qt.MouseButton.LeftButton)
    assert dialog.error_label.isVisible()
    assert "Неверный ПИН-код" in dialog.error_label.text()
    assert dialog.pin_edit.text() == ""  # asked again, not kept
    assert dialog.isVisible()
    assert pdf.read_bytes() == original
    assert [p.name for p in pdf.parent.glob("*.pdf")] == [pdf.name]
    assert not list(pdf.parent.glob(".*.part"))  # no half-written file either


def test_a_certificate_shown_is_forgotten_when_a_later_pin_fails(
    qtbot: QtBot, pdf: Path, p12: Path, settings: QSettings
) -> None:
    dialog = signing_dialog(qtbot, pdf, settings)
    dialog.file_edit.setText(str(p12))
    type_text(qtbot, dialog.pin_edit, PIN)
    qtbot.keyClick(dialog.pin_edit, Qt.Key.Key_Return)
    assert OWNER in dialog.certificate_label.text()
    type_text(qtbot, dialog.pin_edit, "9999")
    with qtbot.waitSignal(dialog.sig_failed, timeout=20000):
        qtbot.keyClick(dialog.pin_edit, Qt.Key.Key_Return)  # the second Enter signs
    assert "Неверный ПИН-код" in dialog.error_label.text()
    assert OWNER not in dialog.certificate_label.text()
    assert not verify_pdf(pdf).signed


def test_signing_without_a_certificate_file_asks_for_one(
    qtbot: QtBot, pdf: Path, settings: QSettings
) -> None:
    dialog = signing_dialog(qtbot, pdf, settings)
    dialog.file_edit.clear()
    qtbot.mouseClick(dialog.sign_button, Qt.MouseButton.LeftButton)
    assert "Выберите файл сертификата" in dialog.error_label.text()


def test_absent_cryptopro_is_said_plainly(qtbot: QtBot, pdf: Path, settings: QSettings) -> None:
    dialog = signing_dialog(qtbot, pdf, settings)
    assert "КриптоПро (cryptcp) на этом компьютере не найден" in dialog.cryptopro_label.text()
    assert not dialog.cryptopro_button.isVisible()


def test_present_cryptopro_offers_a_gost_signature(
    qtbot: QtBot, pdf: Path, settings: QSettings, tmp_path: Path
) -> None:
    dialog = signing_dialog(qtbot, pdf, settings, CryptoProStatus(tmp_path / "cryptcp"))
    assert "КриптоПро найден" in dialog.cryptopro_label.text()
    assert dialog.cryptopro_button.isVisible()
    qtbot.mouseClick(dialog.cryptopro_button, Qt.MouseButton.LeftButton)
    assert "отпечаток" in dialog.error_label.text()


# --------------------------------------------------------------------------- verify dialog
def verify_dialog(qtbot: QtBot, path: Path) -> VerifyDialog:
    dialog = VerifyDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    with qtbot.waitSignal(dialog.sig_checked, timeout=20000):
        type_text(qtbot, dialog.file_edit, str(path))
        qtbot.keyClick(dialog.file_edit, Qt.Key.Key_Return)
    return dialog


def _values(dialog: VerifyDialog) -> list[QLabel]:
    return [label for label in dialog.details.findChildren(QLabel) if label.text()]


def test_verify_dialog_shows_a_valid_signature_in_green(qtbot: QtBot, pdf: Path, p12: Path) -> None:
    sign_pdf(pdf, pdf, p12, PIN)
    dialog = verify_dialog(qtbot, pdf)
    assert "Подпись действительна" in dialog.verdict_label.text()
    assert "#1b5e20" in dialog.verdict_label.styleSheet()
    texts = [label.text() for label in _values(dialog)]
    assert OWNER in texts
    assert "подписанные данные не изменены, подпись верна" in texts


def test_verify_dialog_shows_a_changed_document_in_red(qtbot: QtBot, pdf: Path, p12: Path) -> None:
    sign_pdf(pdf, pdf, p12, PIN)
    data = bytearray(pdf.read_bytes())
    at = data.index(b"stream", data.index(b"/Contents")) + 40
    data[at] ^= 0x01
    pdf.write_bytes(bytes(data))
    dialog = verify_dialog(qtbot, pdf)
    assert "ПОДПИСЬ НЕДЕЙСТВИТЕЛЬНА" in dialog.verdict_label.text()
    assert "#b00020" in dialog.verdict_label.styleSheet()
    broken = [label for label in _values(dialog) if label.text().startswith("НАРУШЕНА")]
    assert broken and "#b00020" in broken[0].styleSheet()


def test_verify_dialog_on_a_file_that_is_not_a_pdf(qtbot: QtBot, tmp_path: Path) -> None:
    text = tmp_path / "заметка.pdf"
    text.write_text("не PDF", "utf-8")
    dialog = VerifyDialog()
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.sig_failed, timeout=20000):
        dialog.check(text)
    assert "не является документом PDF" in dialog.verdict_label.text()


# --------------------------------------------------------------------------- test certificate
def test_make_a_test_certificate(qtbot: QtBot, tmp_path: Path) -> None:
    dialog = NewTestCertificateDialog(folder=tmp_path)
    qtbot.addWidget(dialog)
    dialog.show()
    type_text(qtbot, dialog.owner_edit, "Орлов Игорь")
    type_text(qtbot, dialog.pin_edit, "4321")
    type_text(qtbot, dialog.repeat_edit, "4322")
    qtbot.mouseClick(dialog.create_button, Qt.MouseButton.LeftButton)
    assert "не совпадают" in dialog.error_label.text()
    assert not (tmp_path / "тестовый-сертификат.p12").exists()
    type_text(qtbot, dialog.repeat_edit, "4321")
    with qtbot.waitSignal(dialog.sig_created):
        qtbot.mouseClick(dialog.create_button, Qt.MouseButton.LeftButton)
    info = load_certificate(tmp_path / "тестовый-сертификат.p12", "4321")
    assert info.owner == "Орлов Игорь" and info.is_test


# --------------------------------------------------------------------------- the menu
def test_the_service_menu_offers_verify_and_test_certificate(
    qtbot: QtBot, settings: QSettings
) -> None:
    from shnor_desktop.ui.main_window import MainWindow

    window = MainWindow(settings)
    qtbot.addWidget(window)
    window.show()
    menus: dict[str, Any] = {a.text(): a.menu() for a in window.menuBar().actions()}
    tools = menus["С&ервис"]
    texts = [action.text() for action in tools.actions()]
    assert "Проверить подпись PDF…" in texts
    assert "Создать тестовый сертификат…" in texts
    # Both work without an open database.
    window.act_verify.trigger()
    window.act_test_certificate.trigger()
    shown = {type(w).__name__ for w in QApplication.topLevelWidgets() if w.isVisible()}
    assert {"VerifyDialog", "NewTestCertificateDialog"} <= shown
    for widget in QApplication.topLevelWidgets():
        if type(widget).__name__ in {"VerifyDialog", "NewTestCertificateDialog"}:
            widget.close()
    window.close()


# --------------------------------------------------------------------------- «Отчёты»
def test_the_reports_panel_signs_the_saved_report(  # noqa: PLR0917 (fixtures)
    qtbot: QtBot,
    show_panel: Any,
    demo_db: Any,
    p12: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from PySide6.QtWidgets import QFileDialog

    from shnor_desktop.ui.reports_panel import ReportsPanel

    panel = show_panel(ReportsPanel, demo_db, size=(1200, 760))
    assert not panel.sign_button.isEnabled()  # nothing saved yet
    target = tmp_path / "Годовой отчёт.pdf"
    monkeypatch.setattr(
        QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), "Документ PDF (*.pdf)")
    )
    with qtbot.waitSignal(panel.sig_saved, timeout=30000):
        qtbot.mouseClick(panel.save_button, Qt.MouseButton.LeftButton)
    assert panel.sign_button.isEnabled()
    qtbot.mouseClick(panel.sign_button, Qt.MouseButton.LeftButton)
    dialog = next(w for w in QApplication.topLevelWidgets() if isinstance(w, SigningDialog))
    assert dialog.pdf == target
    dialog.file_edit.setText(str(p12))
    type_text(qtbot, dialog.pin_edit, PIN)
    qtbot.keyClick(dialog.pin_edit, Qt.Key.Key_Return)  # shows the certificate
    with qtbot.waitSignal(dialog.sig_signed, timeout=20000):
        qtbot.keyClick(dialog.pin_edit, Qt.Key.Key_Return)  # signs
    assert verify_pdf(target).ok
    assert "Подписано" in panel.status.text()
