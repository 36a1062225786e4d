"""``verify``, ``make-test-certificate`` and ``report --sign`` on the command line (contract)."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from shnor_desktop.cli import main
from shnor_desktop.cli_signing import prepare_signing, sign_after_build
from shnor_desktop.services.signing import make_test_certificate, sign_pdf
from tests.services.test_signing import make_pdf, needs_poppler

PIN = "Пин-2468"


@pytest.fixture(scope="module")
def p12(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cli-cert") / "cert.p12"
    make_test_certificate(path, PIN, "Сидоров Олег Иванович")
    return path


@pytest.fixture
def signed(tmp_path: Path, p12: Path) -> Path:
    pdf = make_pdf(tmp_path / "отчёт.pdf")
    sign_pdf(pdf, pdf, p12, PIN)
    return pdf


# --------------------------------------------------------------------------- make-test-certificate
def test_make_test_certificate(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SHNOR_PIN", "5678-пин")
    out = tmp_path / "мой.p12"
    code = main(
        ["make-test-certificate", "--out", str(out), "--pin-env", "SHNOR_PIN", "--owner", "Кто-то"]
    )
    captured = capsys.readouterr()
    assert code == 0
    assert out.is_file()
    assert "Тестовый сертификат записан" in captured.out
    assert "Владелец: Кто-то" in captured.out
    assert "5678-пин" not in captured.out + captured.err
    # The certificate signs, and its stamp says it is a test one.
    pdf = make_pdf(tmp_path / "a.pdf")
    assert sign_pdf(pdf, pdf, out, "5678-пин").certificate.is_test


def test_make_test_certificate_without_the_variable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("NO_SUCH_PIN", raising=False)
    out = tmp_path / "x.p12"
    assert main(["make-test-certificate", "--out", str(out), "--pin-env", "NO_SUCH_PIN"]) == 1
    assert "Переменная окружения NO_SUCH_PIN не задана" in capsys.readouterr().err
    assert not out.exists()


def test_make_test_certificate_keeps_an_existing_file(
    p12: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    before = p12.read_bytes()
    monkeypatch.setenv("SHNOR_PIN", "99999")
    assert main(["make-test-certificate", "--out", str(p12), "--pin-env", "SHNOR_PIN"]) == 1
    assert "уже существует" in capsys.readouterr().err
    assert p12.read_bytes() == before


def test_make_test_certificate_with_a_short_pin(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SHNOR_PIN", "12")
    out = tmp_path / "x.p12"
    assert main(["make-test-certificate", "--out", str(out), "--pin-env", "SHNOR_PIN"]) == 1
    assert "ПИН-код слишком короткий" in capsys.readouterr().err
    assert not out.exists()


def test_make_test_certificate_needs_its_options(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["make-test-certificate", "--out", "x.p12"]) == 2
    assert "не указаны обязательные параметры: --pin-env" in capsys.readouterr().err


# --------------------------------------------------------------------------- verify
def test_verify_a_valid_signature(signed: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["verify", str(signed)]) == 0
    out = capsys.readouterr().out
    assert "Подписал: Сидоров Олег Иванович" in out
    assert "Время подписания:" in out
    assert "Целостность: подписанные данные не изменены, подпись верна" in out
    assert "Добавлено после подписания: ничего" in out
    assert "тестовый сертификат" in out
    assert "Итог: Подпись действительна: документ не изменён после подписания." in out


def test_verify_one_changed_byte(signed: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = bytearray(signed.read_bytes())
    at = data.index(b"stream", data.index(b"/Contents")) + 40
    data[at] ^= 0x01
    signed.write_bytes(bytes(data))
    assert main(["verify", str(signed)]) == 1
    out = capsys.readouterr().out
    assert "НАРУШЕНА" in out
    assert "ПОДПИСЬ НЕДЕЙСТВИТЕЛЬНА" in out


def test_verify_reports_content_added_after_signing(
    signed: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import io
    from typing import Any

    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer: Any = IncrementalPdfFileWriter(io.BytesIO(signed.read_bytes()))
    stream = generic.StreamObject(stream_data=b"BT /F1 30 Tf 100 500 Td (FAKE) Tj ET")
    writer.add_stream_to_page(0, writer.add_object(stream))
    out_stream = io.BytesIO()
    writer.write(out_stream)
    signed.write_bytes(out_stream.getvalue())

    assert main(["verify", str(signed)]) == 1
    out = capsys.readouterr().out
    assert "Добавлено после подписания: редакция 3: изменения содержимого" in out
    assert "документ изменён после подписания" in out


def test_verify_an_unsigned_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pdf = make_pdf(tmp_path / "простой.pdf")
    assert main(["verify", str(pdf)]) == 1
    assert "в файле нет электронной подписи" in capsys.readouterr().out


def test_verify_a_missing_or_wrong_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["verify", str(tmp_path / "нет.pdf")]) == 1
    assert "не найден" in capsys.readouterr().err
    text = tmp_path / "текст.pdf"
    text.write_text("просто текст", "utf-8")
    assert main(["verify", str(text)]) == 1
    assert "не является документом PDF" in capsys.readouterr().err


# --------------------------------------------------------------------------- report --sign
def _args(p12: Path | None, variable: str | None) -> argparse.Namespace:
    return argparse.Namespace(sign=p12, pin_env=variable)


def test_a_wrong_pin_stops_before_the_report_is_built(
    p12: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("REPORT_PIN", "не тот")
    assert prepare_signing(_args(p12, "REPORT_PIN")) == 1
    err = capsys.readouterr().err
    assert "Неверный ПИН-код" in err
    assert "Документ не создан." in err
    assert "не тот" not in err


def test_sign_after_build_removes_the_unsigned_report_on_failure(
    p12: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    pdf = make_pdf(tmp_path / "annual.pdf")
    monkeypatch.setenv("REPORT_PIN", "не тот")
    assert sign_after_build(_args(p12, "REPORT_PIN"), pdf) == 1
    assert "Неверный ПИН-код" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_sign_after_build_signs_in_place(
    p12: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    pdf = make_pdf(tmp_path / "annual.pdf")
    monkeypatch.setenv("REPORT_PIN", PIN)
    assert prepare_signing(_args(p12, "REPORT_PIN")) is None
    assert sign_after_build(_args(p12, "REPORT_PIN"), pdf) == 0
    assert "Документ подписан: Сидоров Олег Иванович" in capsys.readouterr().out
    assert main(["verify", str(pdf)]) == 0


def test_sign_options_go_together(p12: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert prepare_signing(_args(None, "X")) == 2
    assert prepare_signing(_args(p12, None)) == 2
    assert prepare_signing(_args(None, None)) is None
    assert "--pin-env" in capsys.readouterr().err


# --------------------------------------------------------------------------- the real report
def test_report_sign_with_a_wrong_pin_writes_no_file(
    demo_path: Path,
    p12: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("REPORT_PIN", "не тот")
    out = tmp_path / "отчёт-2022.pdf"
    code = main(
        ["report", "annual", "--db", str(demo_path), "--out", str(out), "--year", "2022"]
        + ["--sign", str(p12), "--pin-env", "REPORT_PIN"]
    )
    assert code == 1
    assert "Неверный ПИН-код" in capsys.readouterr().err
    assert not out.exists()
    assert not list(tmp_path.glob("*.pdf*"))


@needs_poppler
def test_report_signed_passes_pdfsig_and_verify(
    demo_path: Path,
    p12: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    import subprocess

    from shnor_desktop.services.reports.pdf import SIGNATURE_BOX
    from shnor_desktop.services.signing import verify_pdf

    monkeypatch.setenv("REPORT_PIN", PIN)
    out = tmp_path / "annual.pdf"
    code = main(
        ["report", "annual", "--db", str(demo_path), "--out", str(out), "--year", "2022"]
        + ["--sign", str(p12), "--pin-env", "REPORT_PIN"]
    )
    assert code == 0, capsys.readouterr().err
    pdfsig = subprocess.run(["pdfsig", str(out)], capture_output=True, text=True, check=False)
    assert "Signature is Valid." in pdfsig.stdout
    assert "Total document signed" in pdfsig.stdout
    assert main(["verify", str(out)]) == 0
    # The stamp stands in the place the report left for the signature.
    (check,) = verify_pdf(out).signatures
    from pyhanko.pdf_utils.reader import PdfFileReader

    with out.open("rb") as stream:
        rect = [float(v) for v in PdfFileReader(stream).embedded_signatures[0].sig_field["/Rect"]]
    x1, y1, x2, y2 = SIGNATURE_BOX
    assert x1 - 1 <= rect[0] < rect[2] <= x2 + 1
    assert y1 - 1 <= rect[1] < rect[3] <= y2 + 1
    assert check.ok
