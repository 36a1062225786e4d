"""PAdES signing, the visible stamp and offline verification (services/signing.py).

The documents are small PDFs made here with reportlab (not the reports), so these
tests stand on their own.  poppler's pdfsig / pdftotext / pdffonts judge the
result as any reader would.
"""

from __future__ import annotations

import io
import logging
import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from shnor_desktop.models.errors import Cancelled
from shnor_desktop.models.jobs import JobState
from shnor_desktop.resources import resource_path
from shnor_desktop.services import signing
from shnor_desktop.services.messages import describe_error
from shnor_desktop.services.signing import (
    CertificateExpiredError,
    CertificateFileError,
    PdfUnreadableError,
    PinTooShortError,
    StampPlace,
    WrongPinError,
    load_certificate,
    make_test_certificate,
    sign_pdf,
    verify_pdf,
)

PIN = "Ключ-7391"
OWNER = "Иванова Мария Петровна"
MM = 72 / 25.4

needs_poppler = pytest.mark.skipif(
    shutil.which("pdfsig") is None, reason="poppler-utils (pdfsig, pdftotext) not installed"
)


def make_pdf(path: Path, pages: int = 2) -> Path:
    """A small A4 PDF whose only font is the shipped DejaVu Sans (embedded)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    if "TestSans" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont("TestSans", str(resource_path("fonts", "DejaVuSans.ttf"))))
    pdf = canvas.Canvas(str(path), pagesize=A4, initialFontName="TestSans")
    for number in range(1, pages + 1):
        pdf.setFont("TestSans", 14)
        pdf.drawString(72, 770, f"Годовой отчёт, страница {number}")
        pdf.drawString(72, 740, "Бартеневка: 86 обучающихся, 18 км до районного центра")
        pdf.showPage()
    pdf.save()
    return path


@pytest.fixture(scope="module")
def cert_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("cert")
    make_test_certificate(folder / "test.p12", PIN, OWNER)
    return folder


@pytest.fixture
def p12(cert_dir: Path) -> Path:
    return cert_dir / "test.p12"


@pytest.fixture
def source(tmp_path: Path) -> Path:
    return make_pdf(tmp_path / "отчёт.pdf")


@pytest.fixture
def signed(source: Path, p12: Path, tmp_path: Path) -> Path:
    dst = tmp_path / "отчёт-подписан.pdf"
    sign_pdf(source, dst, p12, PIN)
    return dst


def run(*args: str) -> str:
    done = subprocess.run(args, capture_output=True, text=True, check=False, timeout=60)
    return done.stdout + done.stderr


def last_page_text(path: Path) -> str:
    pages = int(run("pdfinfo", str(path)).split("Pages:")[1].split()[0])
    return run("pdftotext", "-layout", "-f", str(pages), "-l", str(pages), str(path), "-")


# --------------------------------------------------------------------------- certificates
def test_test_certificate_says_what_it_is(p12: Path) -> None:
    info = load_certificate(p12, PIN)
    assert info.owner == OWNER
    assert info.is_test
    assert info.self_signed
    assert info.valid_from <= datetime.now(UTC) <= info.valid_to
    assert timedelta(days=364) < info.valid_to - info.valid_from < timedelta(days=366)
    assert len(info.thumbprint) == 40
    assert info.serial_hex == f"{info.serial:X}".rjust(len(info.serial_hex), "0")


def test_wrong_pin_is_a_typed_error_worded_in_russian(p12: Path) -> None:
    with pytest.raises(WrongPinError) as caught:
        load_certificate(p12, "0000")
    text = describe_error(caught.value)
    assert "Неверный ПИН-код" in text
    assert "0000" not in text


def test_a_file_that_is_not_a_certificate(source: Path) -> None:
    with pytest.raises(CertificateFileError) as caught:
        load_certificate(source, PIN)
    assert "не является файлом сертификата" in describe_error(caught.value)


def test_a_short_pin_makes_no_certificate(tmp_path: Path) -> None:
    out = tmp_path / "short.p12"
    with pytest.raises(PinTooShortError) as caught:
        make_test_certificate(out, "123")
    assert not out.exists()
    assert "не меньше 4" in describe_error(caught.value)


# --------------------------------------------------------------------------- signing
@needs_poppler
def test_pdfsig_reports_the_signature_valid(signed: Path) -> None:
    report = run("pdfsig", str(signed))
    assert "Signature is Valid." in report
    assert "Total document signed" in report
    assert "ETSI.CAdES.detached" in report  # PAdES, not the old adbe.pkcs7.detached
    assert f"Common Name: {OWNER}" in report
    # Self-signed: poppler knows no issuer for it; it must not call it trusted.
    assert "Certificate Validation: Certificate issuer is unknown." in report


@needs_poppler
def test_the_stamp_reads_on_the_last_page(signed: Path, p12: Path) -> None:
    info = load_certificate(p12, PIN)
    text = last_page_text(signed)
    for line in (
        "ДОКУМЕНТ ПОДПИСАН",
        "ЭЛЕКТРОННОЙ ПОДПИСЬЮ",
        f"Сертификат: {info.serial_hex}",
        f"Владелец: {OWNER}",
        f"Действителен: с {info.valid_from.astimezone():%d.%m.%Y} "
        f"по {info.valid_to.astimezone():%d.%m.%Y}",
        "Тестовый сертификат",
    ):
        assert line in text, line
    first = run("pdftotext", "-f", "1", "-l", "1", str(signed), "-")
    assert "ПОДПИСАН" not in first


@needs_poppler
def test_every_font_is_embedded(signed: Path) -> None:
    lines = run("pdffonts", str(signed)).splitlines()[2:]
    assert lines
    assert any("DejaVuSans-Bold" in line for line in lines)  # the stamp's heading
    for line in lines:
        assert line.split()[-5] == "yes", line  # the «emb» column


def test_the_stamp_stands_bottom_right_above_the_footer(signed: Path) -> None:
    result = verify_pdf(signed)
    assert result.ok
    box = _widget_box(signed)
    page_width = 595.27
    assert box[2] == pytest.approx(page_width - 15 * MM, abs=1.5)
    assert box[1] >= 20 * MM  # above the page number at 10 mm
    assert box[3] - box[1] < 40 * MM


def _widget_box(path: Path, index: int = -1) -> tuple[float, float, float, float]:
    from pyhanko.pdf_utils.reader import PdfFileReader

    with path.open("rb") as stream:
        reader = PdfFileReader(stream)
        sig = reader.embedded_signatures[index]
        x1, y1, x2, y2 = (float(v) for v in sig.sig_field["/Rect"])
    return (x1, y1, x2, y2)


def test_a_prepared_place_holds_the_stamp(source: Path, p12: Path, tmp_path: Path) -> None:
    place = StampPlace(box=(80 * MM, 30 * MM, 160 * MM, 58 * MM))
    info = sign_pdf(source, tmp_path / "placed.pdf", p12, PIN, place=place)
    assert info.box is not None
    x1, y1, x2, y2 = info.box
    assert 80 * MM - 1 <= x1 < x2 <= 160 * MM + 1
    assert 30 * MM - 1 <= y1 < y2 <= 58 * MM + 1
    assert info.page == 2


def test_signing_in_place_and_twice(source: Path, p12: Path) -> None:
    sign_pdf(source, source, p12, PIN)
    second = sign_pdf(source, source, p12, PIN)
    assert second.field_name == "Подпись 2"
    result = verify_pdf(source)
    assert result.ok
    assert len(result.signatures) == 2
    first, last = result.signatures
    assert [a.kinds[0] for a in first.additions] == ["signature"]
    assert all(a.harmless for a in first.additions)
    assert last.whole_document
    # The second stamp stacks above the first instead of covering it.
    lower, upper = _widget_box(source, 0), _widget_box(source, 1)
    assert upper[1] >= lower[3]


def test_wrong_pin_writes_nothing(source: Path, p12: Path, tmp_path: Path) -> None:
    before = sorted(p.name for p in tmp_path.iterdir())
    with pytest.raises(WrongPinError):
        sign_pdf(source, tmp_path / "подписан.pdf", p12, "неверный")
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def test_signing_in_place_with_a_wrong_pin_keeps_the_file(source: Path, p12: Path) -> None:
    original = source.read_bytes()
    with pytest.raises(WrongPinError):
        sign_pdf(source, source, p12, "неверный")
    assert source.read_bytes() == original


def test_cancel_writes_nothing(source: Path, p12: Path, tmp_path: Path) -> None:
    state = JobState()
    state.cancel()
    with pytest.raises(Cancelled):
        sign_pdf(source, tmp_path / "x.pdf", p12, PIN, state=state)
    assert not (tmp_path / "x.pdf").exists()


def test_an_expired_certificate_signs_nothing(
    source: Path, p12: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    later = datetime.now(UTC) + timedelta(days=400)
    monkeypatch.setattr(signing, "_now", lambda: later)
    with pytest.raises(CertificateExpiredError) as caught:
        sign_pdf(source, tmp_path / "x.pdf", p12, PIN)
    assert not (tmp_path / "x.pdf").exists()
    assert "истёк" in describe_error(caught.value)


def test_not_a_pdf(tmp_path: Path, p12: Path) -> None:
    fake = tmp_path / "fake.pdf"
    fake.write_text("это не PDF", "utf-8")
    with pytest.raises(PdfUnreadableError):
        sign_pdf(fake, tmp_path / "out.pdf", p12, PIN)
    with pytest.raises(PdfUnreadableError):
        verify_pdf(fake)
    assert not (tmp_path / "out.pdf").exists()


def test_the_pin_never_reaches_the_log(
    source: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    pin = "Тайна-ПИН-5512"
    p12 = tmp_path / "own.p12"
    make_test_certificate(p12, pin)
    load_certificate(p12, pin)
    sign_pdf(source, tmp_path / "a.pdf", p12, pin)
    verify_pdf(tmp_path / "a.pdf")
    with pytest.raises(WrongPinError) as caught:
        sign_pdf(source, tmp_path / "b.pdf", p12, pin + "x")
    assert caplog.records  # pyHanko did log (the self-signed chain), so the check means something
    assert pin not in caplog.text
    assert pin not in repr(caught.value) and pin not in describe_error(caught.value)
    chained = caught.value.__context__ or caught.value.__cause__
    assert chained is None or pin not in repr(chained)


# --------------------------------------------------------------------------- verifying
def test_verify_a_signed_document(signed: Path) -> None:
    result = verify_pdf(signed)
    assert result.ok
    (check,) = result.signatures
    assert check.signer == OWNER
    assert check.intact and check.valid and check.whole_document
    assert check.additions == ()
    assert not check.trusted
    assert check.self_signed
    assert check.signing_time is not None
    assert abs(datetime.now(UTC) - check.signing_time) < timedelta(minutes=5)


def test_one_changed_byte_breaks_the_signature(signed: Path) -> None:
    data = bytearray(signed.read_bytes())
    # A byte inside the first page's (compressed) content stream, inside the signed range.
    at = data.index(b"stream", data.index(b"/Contents")) + 40
    data[at] ^= 0x01
    signed.write_bytes(bytes(data))
    result = verify_pdf(signed)
    assert not result.ok
    assert not result.signatures[0].intact


def test_an_unsigned_document_is_not_ok(source: Path) -> None:
    result = verify_pdf(source)
    assert not result.signed
    assert not result.ok


def _append_update(path: Path, build: object) -> None:
    """Append one incremental update made by ``build(writer)`` to the file."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer: Any = IncrementalPdfFileWriter(io.BytesIO(path.read_bytes()))
    build(writer)  # type: ignore[operator]
    out = io.BytesIO()
    writer.write(out)  # the original bytes, then the update
    path.write_bytes(out.getvalue())


def test_content_added_after_signing_is_reported(signed: Path) -> None:
    from pyhanko.pdf_utils import generic

    def add_text(writer: object) -> None:
        stream = generic.StreamObject(stream_data=b"BT /F1 24 Tf 100 400 Td (ADDED) Tj ET")
        writer.add_stream_to_page(1, writer.add_object(stream))  # type: ignore[attr-defined]

    _append_update(signed, add_text)
    result = verify_pdf(signed)
    assert not result.ok
    (check,) = result.signatures
    assert check.intact  # the signed bytes are untouched ...
    assert not check.whole_document  # ... but more was appended,
    assert check.changed_after  # and it changes the document
    (addition,) = check.additions
    assert addition.revision == 3
    assert "content" in addition.kinds and not addition.harmless


def test_validation_data_added_later_is_harmless(signed: Path) -> None:
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation.dss import DocumentSecurityStore

    with signed.open("rb") as stream:
        sig = PdfFileReader(stream).embedded_signatures[0]
        contents, cert = sig.sig_object["/Contents"], sig.signer_cert
    with signed.open("r+b") as stream:
        DocumentSecurityStore.add_dss(stream, contents, certs=[cert], force_write=True)
    result = verify_pdf(signed)
    (check,) = result.signatures
    assert not check.whole_document
    (addition,) = check.additions
    assert "dss" in addition.kinds and addition.harmless
    assert result.ok


def test_changed_properties_only_are_harmless(signed: Path) -> None:
    from pyhanko.pdf_utils import generic

    def retitle(writer: Any) -> None:
        writer.set_info(
            generic.DictionaryObject(  # type: ignore[no-untyped-call]
                {generic.NameObject("/Title"): generic.TextStringObject("Другое название")}
            )
        )

    _append_update(signed, retitle)
    result = verify_pdf(signed)
    (check,) = result.signatures
    assert check.additions and check.additions[0].kinds == ("metadata",)
    assert check.additions[0].harmless
    assert result.ok
