"""Electronic signatures of the reports: PAdES with pyHanko, a visible stamp, offline verification.

* :func:`make_test_certificate` writes a self-signed RSA certificate in a PKCS#12
  file protected by a PIN, so a user can try signing without a real certificate;
  its subject carries :data:`TEST_MARK` and every stamp it makes says «Тестовый
  сертификат».
* :func:`load_certificate` opens a PKCS#12 file and tells whose it is.
* :func:`sign_pdf` signs a PDF (PAdES baseline, ``ETSI.CAdES.detached``) and puts
  the stamp ГОСТ Р 7.0.97-2016 (п. 5.23) prescribes for a document signed
  electronically — «Документ подписан электронной подписью», the certificate's
  serial number, its owner and its validity period, framed — where a signature
  goes on the last page.  The signed file is written beside the target and moved
  into place only when it is complete.
* :func:`verify_pdf` checks every signature of a PDF without any network access:
  who signed and when, whether the signed bytes are intact, whether the signature
  covers the whole file and what was added after it.

The PIN is used to open the PKCS#12 file and forgotten: it is never stored,
logged or put in an error.  pyHanko (0,5 s to import) is imported only here and
only when a function needs it.  No Qt.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import logging
import os
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from shnor_desktop.models.errors import DomainError
from shnor_desktop.models.jobs import JobState
from shnor_desktop.resources import resource_path

if TYPE_CHECKING:
    from cryptography import x509 as pyca_x509
    from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes

__all__ = [
    "DEFAULT_TEST_OWNER",
    "SIGNATURE_FIELD",
    "STAMP_FONT_FILE",
    "STAMP_WIDTH",
    "TEST_MARK",
    "Addition",
    "CertificateExpiredError",
    "CertificateFileError",
    "CertificateInfo",
    "CertificateNotYetValidError",
    "NoPrivateKeyError",
    "PdfEncryptedError",
    "PdfUnreadableError",
    "PinTooShortError",
    "SignatureCheck",
    "SignatureInfo",
    "SigningError",
    "StampPlace",
    "VerificationResult",
    "WrongPinError",
    "add_stamp",
    "default_stamp_box",
    "load_certificate",
    "make_test_certificate",
    "sign_pdf",
    "stamp_font",
    "stamp_lines",
    "verify_pdf",
]

# pyHanko logs a traceback (WARNING) for every certificate it cannot chain to a
# trusted root; with no handler configured Python would print it on stderr.  The
# verdict reaches the user through VerificationResult, so the library stays quiet
# unless the application configures logging itself.
for _name in ("pyhanko", "pyhanko_certvalidator"):
    logging.getLogger(_name).addHandler(logging.NullHandler())

TEST_MARK = "Тестовый сертификат ШНОР Desktop"
"""The organisational unit (OU) of a test certificate's subject: how a test certificate is told."""
DEFAULT_TEST_OWNER = "Тестовый пользователь ШНОР Desktop"
"""The owner written in a test certificate when the user names nobody."""
MIN_PIN_LENGTH = 4
"""The shortest PIN :func:`make_test_certificate` accepts."""
TEST_VALIDITY = timedelta(days=365)
SIGNATURE_FIELD = "Подпись"
"""The name of the signature field (a second signature gets «Подпись 2»)."""
STAMP_FONT_FILE = "DejaVuSans.ttf"
STAMP_BOLD_FONT_FILE = "DejaVuSans-Bold.ttf"
STAMP_NARROW_FONT_FILE = "DejaVuSansCondensed.ttf"
_STAMP_FACES = {"bold": STAMP_BOLD_FONT_FILE, "narrow": STAMP_NARROW_FONT_FILE}

TEST_LINE = "Тестовый сертификат"
"""The stamp's last line when the certificate is a test one."""

_MM = 72 / 25.4
STAMP_WIDTH = 90 * _MM
"""The width of the stamp in points (90 mm: the usual size of an e-signature mark)."""
STAMP_RIGHT = 15 * _MM
"""The stamp's right edge keeps this distance from the right edge of the page."""
STAMP_BOTTOM = 22 * _MM
"""The stamp's lower edge keeps this distance from the bottom: above the page footer."""
_PADDING = 6.0
_HEAD_SIZE = 8.5
_BODY_SIZE = 7.5
_MIN_BODY_SIZE = 6.0
_LEADING = 1.3
_STAMP_COLOUR = (0.11, 0.23, 0.55)
"""Dark blue: the colour of a stamp on paper, and it stays dark when printed in grey."""


# --------------------------------------------------------------------------- errors
class SigningError(DomainError):
    """Base of the errors of signing and verifying (worded by services/messages.py)."""


@dataclass
class WrongPinError(SigningError):
    """The PIN does not open the PKCS#12 file."""

    path: Path


@dataclass
class CertificateFileError(SigningError):
    """The file is not a PKCS#12 container (or it is damaged)."""

    path: Path
    detail: str = ""


@dataclass
class NoPrivateKeyError(SigningError):
    """The PKCS#12 file opens but holds no private key or no certificate to sign with."""

    path: Path


@dataclass
class CertificateExpiredError(SigningError):
    """The certificate's validity ended before now: nothing can be signed with it."""

    path: Path
    valid_to: datetime


@dataclass
class CertificateNotYetValidError(SigningError):
    """The certificate's validity has not begun yet (or this computer's clock is wrong)."""

    path: Path
    valid_from: datetime


@dataclass
class PinTooShortError(SigningError):
    """A new test certificate needs a PIN of at least :data:`MIN_PIN_LENGTH` characters."""

    length: int
    minimum: int = MIN_PIN_LENGTH


@dataclass
class PdfUnreadableError(SigningError):
    """The file is not a PDF, or it is damaged beyond reading."""

    path: Path
    detail: str = ""


@dataclass
class PdfEncryptedError(SigningError):
    """The PDF is protected by a password: it can be neither signed nor checked here."""

    path: Path


# --------------------------------------------------------------------------- facts
@dataclass(frozen=True)
class CertificateInfo:
    """What a user needs to know of a certificate before signing with it."""

    serial: int
    owner: str
    """The owner's name (the subject's common name)."""
    organization: str
    issuer: str
    valid_from: datetime
    valid_to: datetime
    is_test: bool
    """A test certificate made by :func:`make_test_certificate` (its subject says so)."""
    self_signed: bool
    thumbprint: str = ""
    """SHA-1 of the certificate in upper-case hex: how CryptoPro names a certificate."""

    @property
    def serial_hex(self) -> str:
        """The serial number as certificates show it: upper-case hex, an even number of digits."""
        text = f"{self.serial:X}"
        return text if len(text) % 2 == 0 else "0" + text

    @property
    def validity_text(self) -> str:
        """«с 23.11.2026 по 23.11.2027» (local dates)."""
        return f"с {_local_date(self.valid_from)} по {_local_date(self.valid_to)}"

    def valid_at(self, moment: datetime) -> bool:
        """True when ``moment`` lies within the validity period."""
        return self.valid_from <= moment <= self.valid_to


@dataclass(frozen=True)
class StampPlace:
    """Where the stamp goes: a page (negative counts from the end) and a box in points.

    Without a box the stamp takes :func:`default_stamp_box` of that page; with one,
    the stamp keeps its own height and width and is centred in the box.
    A report that lays out a place for the signature hands it over as a StampPlace.
    """

    page: int = -1
    box: tuple[float, float, float, float] | None = None


@dataclass(frozen=True)
class SignatureInfo:
    """What :func:`sign_pdf` did."""

    path: Path
    certificate: CertificateInfo
    signed_at: datetime
    field_name: str
    page: int
    """The page of the stamp, counted from 1 (0 when there is no visible stamp)."""
    box: tuple[float, float, float, float] | None
    seconds: float


ADDITION_KINDS = ("signature", "timestamp", "dss", "metadata", "content")


@dataclass(frozen=True)
class Addition:
    """One incremental update appended to the file after a signature.

    ``kinds`` says what it holds: ``signature`` (another signature), ``timestamp``
    (a document timestamp), ``dss`` (validation data for long-term checking:
    certificates, OCSP responses, CRLs), ``metadata`` (the document's properties)
    and ``content`` (anything else: pages, annotations, form fields).
    ``harmless`` is True when the update does not change what was signed.
    """

    revision: int
    """The revision of the file, counted from 1."""
    kinds: tuple[str, ...]
    harmless: bool


@dataclass(frozen=True)
class SignatureCheck:
    """The verdict on one signature of a PDF."""

    field_name: str
    signer: str
    certificate: CertificateInfo | None
    signing_time: datetime | None
    intact: bool
    """The signed bytes are exactly as they were signed."""
    valid: bool
    """The cryptographic signature over those bytes is correct."""
    whole_document: bool
    """The signature covers the whole file: nothing was appended after it."""
    covers_revision: bool
    """The signature covers the whole revision it signed (else the file is malformed)."""
    additions: tuple[Addition, ...]
    trusted: bool
    """The certificate chains to a root this computer trusts (checked offline)."""
    problem: str = ""
    """Empty, or why the signature could not be checked at all (technical, for the log)."""

    @property
    def self_signed(self) -> bool:
        """The certificate signed itself (a test certificate or a home-made one)."""
        return self.certificate is not None and self.certificate.self_signed

    @property
    def changed_after(self) -> bool:
        """Something that changes the document was appended after the signature."""
        return any(not addition.harmless for addition in self.additions)

    @property
    def ok(self) -> bool:
        """Intact, valid, covering its revision, and nothing harmful was added later."""
        return (
            not self.problem
            and self.intact
            and self.valid
            and self.covers_revision
            and not self.changed_after
        )


@dataclass(frozen=True)
class VerificationResult:
    """The verdict on a PDF: each of its signatures (a file with none is not ok)."""

    path: Path
    signatures: tuple[SignatureCheck, ...]
    revisions: int = 1

    @property
    def signed(self) -> bool:
        """The file has at least one signature."""
        return bool(self.signatures)

    @property
    def ok(self) -> bool:
        """Signed, and every signature is intact with nothing harmful added after it."""
        return self.signed and all(check.ok for check in self.signatures)


# --------------------------------------------------------------------------- helpers
def _local_date(moment: datetime) -> str:
    return moment.astimezone().strftime("%d.%m.%Y")


def _now() -> datetime:
    return datetime.now(UTC)


def stamp_font(face: str = "regular") -> Path:
    """Return a shipped Cyrillic TTF of the stamp (``resources/fonts``).

    ``face`` is ``regular``, ``bold`` (the heading) or ``narrow`` (the details: a
    40-digit serial number fits an 80 mm stamp).  Bold and narrow fall back to
    the regular face; FileNotFoundError names the file when even that is missing.
    """
    if face != "regular":
        try:
            return resource_path("fonts", _STAMP_FACES[face])
        except (FileNotFoundError, KeyError):
            pass
    return resource_path("fonts", STAMP_FONT_FILE)


def _name_attribute(name: pyca_x509.Name, oid: Any) -> str:
    values = name.get_attributes_for_oid(oid)
    if not values:
        return ""
    value = values[0].value
    return value if isinstance(value, str) else value.decode("utf-8", "replace")


def _certificate_info(cert: pyca_x509.Certificate) -> CertificateInfo:
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes
    from cryptography.x509.oid import NameOID

    subject = cert.subject
    owner = (
        _name_attribute(subject, NameOID.COMMON_NAME)
        or " ".join(
            part
            for part in (
                _name_attribute(subject, NameOID.SURNAME),
                _name_attribute(subject, NameOID.GIVEN_NAME),
            )
            if part
        )
        or subject.rfc4514_string()
    )
    units = [
        str(attr.value) for attr in subject.get_attributes_for_oid(NameOID.ORGANIZATIONAL_UNIT_NAME)
    ]
    issuer = _name_attribute(cert.issuer, NameOID.COMMON_NAME) or cert.issuer.rfc4514_string()
    self_signed = cert.issuer == cert.subject
    if self_signed:
        try:
            cert.verify_directly_issued_by(cert)
        except (ValueError, TypeError, InvalidSignature):
            self_signed = False
    return CertificateInfo(
        serial=cert.serial_number,
        owner=owner,
        organization=_name_attribute(subject, NameOID.ORGANIZATION_NAME),
        issuer=issuer,
        valid_from=cert.not_valid_before_utc,
        valid_to=cert.not_valid_after_utc,
        is_test=TEST_MARK in units,
        self_signed=self_signed,
        thumbprint=cert.fingerprint(hashes.SHA1()).hex().upper(),  # noqa: S303 - CryptoPro's name
    )


@dataclass
class _KeyMaterial:
    key: PrivateKeyTypes
    cert: pyca_x509.Certificate
    chain: list[pyca_x509.Certificate] = field(default_factory=list)


def _open_pkcs12(p12: Path, pin: str) -> _KeyMaterial:
    """Open a PKCS#12 file with ``pin``; typed errors for every way it can fail.

    The PIN goes into no exception: cryptography's own errors are replaced
    (``from None``) so no traceback carries it either.
    """
    from cryptography.hazmat.primitives.serialization import pkcs12

    data = p12.read_bytes()
    passwords: list[bytes | None] = [pin.encode("utf-8")]
    if not pin:
        passwords.append(None)  # a container without a password at all
    loaded = None
    for password in passwords:
        try:
            loaded = pkcs12.load_key_and_certificates(data, password)
        except ValueError:
            continue
        break
    if loaded is None:
        if _is_pkcs12(data):
            raise WrongPinError(p12) from None
        raise CertificateFileError(p12, "not a PKCS#12 container") from None
    key, cert, chain = loaded
    if key is None or cert is None:
        raise NoPrivateKeyError(p12)
    return _KeyMaterial(key, cert, list(chain))


def _is_pkcs12(data: bytes) -> bool:
    """True when ``data`` is a well-formed PKCS#12 container (whatever its password)."""
    from asn1crypto import pkcs12 as asn1_pkcs12  # type: ignore[import-untyped]

    try:
        pfx = asn1_pkcs12.Pfx.load(data, strict=True)
        return pfx["auth_safe"]["content_type"].native in ("data", "signed_data")
    except (ValueError, TypeError, KeyError, OSError):
        return False


# --------------------------------------------------------------------------- certificates
def make_test_certificate(
    out: Path, pin: str, owner: str = DEFAULT_TEST_OWNER, *, days: int = 365
) -> CertificateInfo:
    """Write a self-signed test certificate and its RSA key to ``out`` (PKCS#12, PIN-protected).

    The subject's OU is :data:`TEST_MARK`, so the stamp of every signature made
    with it says «Тестовый сертификат».  The file is written to a temporary name
    beside ``out`` and moved into place when complete.
    """
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.hazmat.primitives.serialization import pkcs12
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    if len(pin) < MIN_PIN_LENGTH:
        raise PinTooShortError(len(pin))
    owner = owner.strip() or DEFAULT_TEST_OWNER
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, owner[:64]),
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, TEST_MARK),
            x509.NameAttribute(NameOID.COUNTRY_NAME, "RU"),
        ]
    )
    # A few minutes back: a verifier whose clock is slightly behind still sees it valid.
    start = _now().replace(microsecond=0) - timedelta(minutes=5)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            # Non-repudiation (content commitment) is what a document signature asserts;
            # pyHanko's validator asks for it.
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    data = pkcs12.serialize_key_and_certificates(
        owner.encode("utf-8"),
        key,
        cert,
        None,
        serialization.BestAvailableEncryption(pin.encode("utf-8")),
    )
    with _atomic_output(out) as tmp:
        tmp.write_bytes(data)
    return _certificate_info(cert)


def load_certificate(p12: Path, pin: str) -> CertificateInfo:
    """Open a PKCS#12 file with ``pin`` and describe its certificate.

    Raises :class:`WrongPinError`, :class:`CertificateFileError`,
    :class:`NoPrivateKeyError` or an ``OSError`` (no such file …).
    """
    return _certificate_info(_open_pkcs12(p12, pin).cert)


# --------------------------------------------------------------------------- writing
@contextlib.contextmanager
def _atomic_output(dst: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``dst``; move it onto ``dst`` only if the block succeeds."""
    folder = dst.parent if str(dst.parent) else Path(".")
    handle, name = tempfile.mkstemp(prefix=f".{dst.name}.", suffix=".part", dir=folder)
    os.close(handle)
    tmp = Path(name)
    try:
        yield tmp
        with tmp.open("rb+") as stream:
            os.fsync(stream.fileno())
        os.replace(tmp, dst)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


# --------------------------------------------------------------------------- the stamp
def stamp_lines(cert: CertificateInfo) -> list[str]:
    """The text of the stamp, line by line (the heading is the first two lines)."""
    lines = [
        "ДОКУМЕНТ ПОДПИСАН",
        "ЭЛЕКТРОННОЙ ПОДПИСЬЮ",
        f"Сертификат: {cert.serial_hex}",
        f"Владелец: {cert.owner}",
        f"Действителен: {cert.validity_text}",
    ]
    if cert.is_test:
        lines.append(TEST_LINE)
    return lines


def default_stamp_box(
    page_width: float, page_height: float, height: float
) -> tuple[float, float, float, float]:
    """The stamp's box on a page without a prepared place: bottom right, above the footer."""
    del page_height  # the place is measured from the bottom, whatever the format
    x2 = page_width - STAMP_RIGHT
    return (x2 - STAMP_WIDTH, STAMP_BOTTOM, x2, STAMP_BOTTOM + height)


def _register_stamp_fonts() -> tuple[str, str]:
    """Register the stamp's faces with reportlab once; return (details, heading) font names."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    names = {"narrow": "ShnorStampNarrow", "bold": "ShnorStampBold"}
    registered = pdfmetrics.getRegisteredFontNames()
    for face, font_name in names.items():
        if font_name not in registered:
            pdfmetrics.registerFont(TTFont(font_name, str(stamp_font(face))))
    return names["narrow"], names["bold"]


def _body_size(texts: list[str], font: str, width: float) -> float:
    """The largest size (7,5 down to 6 pt) at which every line of details fits ``width``.

    One size for all the lines: a stamp whose lines differ in size looks patched.
    """
    from reportlab.pdfbase.pdfmetrics import stringWidth

    size = _BODY_SIZE
    while size > _MIN_BODY_SIZE and any(stringWidth(t, font, size) > width for t in texts):
        size -= 0.25
    return size


def _stamp_pdf(cert: CertificateInfo, width: float = STAMP_WIDTH) -> tuple[bytes, float]:
    """Draw the stamp as a one-page PDF, its Cyrillic fonts embedded; return it and its height."""
    from reportlab.lib.utils import simpleSplit
    from reportlab.pdfgen import canvas

    narrow, bold = _register_stamp_fonts()
    inner = width - 2 * _PADDING
    lines = stamp_lines(cert)
    size = _body_size(lines[2:], narrow, inner)
    body: list[str] = []
    for text in lines[2:]:
        # Still too long at the smallest size (a very long name): wrap it.
        body.extend(simpleSplit(text, narrow, size, inner) or [text])
    height = 2 * _PADDING + 2 * _HEAD_SIZE * _LEADING + 3.0 + len(body) * size * _LEADING
    # The last baseline sits as far above the frame as the heading's capitals below it.
    height += _HEAD_SIZE - size * (_LEADING - 1) - 0.7 * size
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=(width, height), initialFontName=narrow)
    pdf.setTitle("Отметка об электронной подписи")
    pdf.setStrokeColorRGB(*_STAMP_COLOUR)
    # White inside: the stamp covers the line for a handwritten signature it replaces.
    pdf.setFillColorRGB(1, 1, 1)
    pdf.setLineWidth(1.2)
    pdf.roundRect(0.8, 0.8, width - 1.6, height - 1.6, radius=5, stroke=1, fill=1)
    pdf.setFillColorRGB(*_STAMP_COLOUR)
    y = height - _PADDING - _HEAD_SIZE
    pdf.setFont(bold, _HEAD_SIZE)
    for text in lines[:2]:
        pdf.drawCentredString(width / 2, y, text)
        y -= _HEAD_SIZE * _LEADING
    y -= 3.0
    for text in body:
        # The test mark is the one line a reader must not miss.
        pdf.setFont(bold if text == TEST_LINE else narrow, size)
        pdf.drawString(_PADDING, y, text)
        y -= size * _LEADING
    pdf.showPage()
    pdf.save()
    return buffer.getvalue(), height


def _stamp_width(place: StampPlace) -> float:
    """The stamp is 90 mm wide, or narrower to fit a prepared place."""
    if place.box is None:
        return STAMP_WIDTH
    return min(STAMP_WIDTH, abs(place.box[2] - place.box[0]))


def _place_box(
    place: StampPlace, page_width: float, page_height: float, width: float, height: float
) -> tuple[float, float, float, float]:
    """The field's box: the default place, or centred in the prepared one.

    A stamp taller than its prepared place is shrunk to fit (pyHanko scales the
    drawing into the field, keeping its proportions).
    """
    if place.box is None:
        return default_stamp_box(page_width, page_height, height)
    x1, y1, x2, y2 = place.box
    room = abs(y2 - y1)
    if height > room:
        width, height = width * room / height, room
    cx, cy = (x1 + x2) / 2, (y1 + y2) / 2
    return (cx - width / 2, cy - height / 2, cx + width / 2, cy + height / 2)


# --------------------------------------------------------------------------- signing
def _read_pdf(path: Path) -> bytes:
    data = path.read_bytes()
    if not data.lstrip()[:5].startswith(b"%PDF-"):
        raise PdfUnreadableError(path, "no %PDF- header")
    return data


def _media_box(writer: Any, page_index: int) -> tuple[float, float, float, float]:
    """The page's visible box (CropBox, else MediaBox, both inheritable from the page tree)."""
    page = writer.find_page_for_modification(page_index)[0].get_object()
    node = page
    for _depth in range(64):  # the tree is shallow; a loop in a broken file must end
        for key in ("/CropBox", "/MediaBox"):
            if key in node:
                x0, y0, x1, y1 = (float(v) for v in node[key])
                return (min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))
        if "/Parent" not in node:
            break
        node = node["/Parent"]
    raise KeyError("/MediaBox")


def _widget_rects(writer: Any, page_index: int) -> list[tuple[float, float, float, float]]:
    """The boxes of the form widgets (earlier signatures' stamps) already on the page."""
    page = writer.find_page_for_modification(page_index)[0].get_object()
    rects: list[tuple[float, float, float, float]] = []
    for item in page.get("/Annots", []) or []:
        annot = item.get_object()
        if annot.get("/Subtype") != "/Widget" or "/Rect" not in annot:
            continue
        x1, y1, x2, y2 = (float(v) for v in annot["/Rect"])
        rects.append((min(x1, x2), min(y1, y2), max(x1, x2), max(y1, y2)))
    return rects


def _clear_of(
    box: tuple[float, float, float, float], taken: list[tuple[float, float, float, float]]
) -> tuple[float, float, float, float]:
    """Move ``box`` up until it overlaps none of ``taken`` (a second signer's stamp stacks)."""
    x1, y1, x2, y2 = box
    for _attempt in range(len(taken) + 1):
        hit = next((t for t in taken if x1 < t[2] and t[0] < x2 and y1 < t[3] and t[1] < y2), None)
        if hit is None:
            break
        shift = hit[3] + 3 * _MM - y1
        y1, y2 = y1 + shift, y2 + shift
    return (x1, y1, x2, y2)


def _int_box(box: tuple[float, float, float, float]) -> tuple[int, int, int, int]:
    x1, y1, x2, y2 = (round(v) for v in box)
    return (x1, y1, x2, y2)


def _field_name(existing: set[str]) -> str:
    name, number = SIGNATURE_FIELD, 1
    while name in existing:
        number += 1
        name = f"{SIGNATURE_FIELD} {number}"
    return name


def sign_pdf(  # noqa: PLR0915 - one straight sequence of steps, each commented
    src: Path,
    dst: Path,
    p12: Path,
    pin: str,
    *,
    stamp: bool = True,
    state: JobState | None = None,
    place: StampPlace | None = None,
) -> SignatureInfo:
    """Sign ``src`` with the key in ``p12`` and write the signed PDF to ``dst``.

    PAdES (``ETSI.CAdES.detached``, SHA-256), as an incremental update, so the
    original bytes stay untouched and a later verifier can see exactly what was
    signed.  With ``stamp`` the signature has a visible stamp on ``place`` (by
    default the bottom right of the last page).  ``dst`` may be ``src``: the file
    is replaced only once the signed copy is complete; on any failure (wrong PIN,
    expired certificate, a damaged PDF, Cancel) nothing is written at all.
    """
    from pyhanko.keys.internal import (
        translate_pyca_cryptography_cert_to_asn1,
        translate_pyca_cryptography_key_to_asn1,
    )
    from pyhanko.pdf_utils import layout
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.misc import PdfError
    from pyhanko.sign import fields, signers
    from pyhanko.stamp import StaticStampStyle
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    started = time.perf_counter()
    state = state if state is not None else JobState()
    state.progress(0, 4, "Открытие сертификата…")
    material = _open_pkcs12(p12, pin)
    info = _certificate_info(material.cert)
    now = _now()
    if now > info.valid_to:
        raise CertificateExpiredError(p12, info.valid_to)
    if now < info.valid_from:
        raise CertificateNotYetValidError(p12, info.valid_from)
    state.check()

    state.progress(1, 4, "Подготовка документа…")
    data = _read_pdf(src)
    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
    except (PdfError, ValueError, KeyError, IndexError) as exc:
        raise PdfUnreadableError(src, str(exc)) from None
    if writer.prev.encrypted:
        raise PdfEncryptedError(src)
    try:
        pages = int(writer.root["/Pages"]["/Count"])
        existing = {sig.field_name for sig in writer.prev.embedded_signatures}
    except (PdfError, ValueError, KeyError, IndexError) as exc:
        raise PdfUnreadableError(src, str(exc)) from None
    field_name = _field_name(existing)
    place = place if place is not None else StampPlace()
    page_index = place.page if place.page >= 0 else pages + place.page
    if not 0 <= page_index < pages:
        page_index = pages - 1

    signer = signers.SimpleSigner(
        signing_cert=translate_pyca_cryptography_cert_to_asn1(material.cert),
        signing_key=translate_pyca_cryptography_key_to_asn1(material.key),
        cert_registry=SimpleCertificateStore.from_certs(  # type: ignore[no-untyped-call]
            [translate_pyca_cryptography_cert_to_asn1(c) for c in material.chain]
        ),
    )
    meta = signers.PdfSignatureMetadata(
        field_name=field_name,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        name=info.owner,
    )
    state.check()

    state.progress(2, 4, "Подписание…")
    box: tuple[float, float, float, float] | None = None
    with tempfile.TemporaryDirectory(prefix="shnor-stamp-") as folder:
        style = None
        if stamp:
            width = _stamp_width(place)
            stamp_data, height = _stamp_pdf(info, width)
            stamp_path = Path(folder) / "stamp.pdf"
            stamp_path.write_bytes(stamp_data)
            try:
                x0, y0, x1, y1 = _media_box(writer, page_index)
            except (PdfError, ValueError, KeyError, IndexError, TypeError) as exc:
                raise PdfUnreadableError(src, str(exc)) from None
            bx1, by1, bx2, by2 = _place_box(place, x1 - x0, y1 - y0, width, height)
            box = _clear_of(
                (bx1 + x0, by1 + y0, bx2 + x0, by2 + y0), _widget_rects(writer, page_index)
            )
            style = StaticStampStyle.from_pdf_file(
                str(stamp_path),
                border_width=0,
                background_opacity=1.0,
                background_layout=layout.SimpleBoxLayoutRule(
                    x_align=layout.AxisAlignment.ALIGN_MID,
                    y_align=layout.AxisAlignment.ALIGN_MID,
                    margins=layout.Margins(0, 0, 0, 0),
                ),
            )
        field_spec = fields.SigFieldSpec(
            field_name,
            on_page=page_index,
            box=_int_box(box) if box is not None else None,
        )
        pdf_signer = signers.PdfSigner(
            meta, signer=signer, stamp_style=style, new_field_spec=field_spec
        )
        signed_at = _now()
        output = io.BytesIO()
        try:
            pdf_signer.sign_pdf(writer, output=output)
        except (PdfError, ValueError, KeyError, IndexError) as exc:
            raise PdfUnreadableError(src, str(exc)) from None
    state.check()

    state.progress(3, 4, "Запись файла…")
    with _atomic_output(dst) as tmp:
        tmp.write_bytes(output.getvalue())
    state.progress(4, 4, "Документ подписан.")
    return SignatureInfo(
        path=dst,
        certificate=info,
        signed_at=signed_at,
        field_name=field_name,
        page=page_index + 1 if stamp else 0,
        box=box,
        seconds=time.perf_counter() - started,
    )


def add_stamp(
    src: Path, dst: Path, cert: CertificateInfo, place: StampPlace | None = None
) -> tuple[int, tuple[float, float, float, float]]:
    """Draw the stamp into the page's own content (an incremental update) and write ``dst``.

    For a signature made elsewhere (CryptoPro's detached ``.sig``): the stamp is
    then part of the document that signature covers.  Returns the page (from 1)
    and the box.  ``dst`` appears only when complete.
    """
    from pyhanko.pdf_utils import generic as pdf_generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.misc import PdfError
    from pyhanko.pdf_utils.reader import PdfFileReader

    generic: Any = pdf_generic  # pyHanko's object constructors are untyped
    data = _read_pdf(src)
    place = place if place is not None else StampPlace()
    try:
        writer: Any = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
        if writer.prev.encrypted:
            raise PdfEncryptedError(src)
        pages = int(writer.root["/Pages"]["/Count"])
        page_index = place.page if place.page >= 0 else pages + place.page
        if not 0 <= page_index < pages:
            page_index = pages - 1
        x0, y0, x1, y1 = _media_box(writer, page_index)
        width = _stamp_width(place)
        stamp_data, height = _stamp_pdf(cert, width)
        bx1, by1, bx2, by2 = _place_box(place, x1 - x0, y1 - y0, width, height)
        box = _clear_of((bx1 + x0, by1 + y0, bx2 + x0, by2 + y0), _widget_rects(writer, page_index))
        xobject = writer.import_page_as_xobject(PdfFileReader(io.BytesIO(stamp_data)), 0)
        scale = (box[2] - box[0]) / width
        operators = (
            f"q {scale:.5f} 0 0 {scale:.5f} {box[0]:.3f} {box[1]:.3f} cm /ShnorStamp Do Q"
        ).encode("ascii")
        stream = writer.add_object(generic.StreamObject(stream_data=operators))
        resources = generic.DictionaryObject(
            {
                generic.NameObject("/XObject"): generic.DictionaryObject(
                    {generic.NameObject("/ShnorStamp"): xobject}
                )
            }
        )
        writer.add_stream_to_page(page_index, stream, resources=resources)
        output = io.BytesIO()
        writer.write(output)
    except (PdfError, ValueError, KeyError, IndexError, TypeError) as exc:
        raise PdfUnreadableError(src, str(exc)) from None
    with _atomic_output(dst) as tmp:
        tmp.write_bytes(output.getvalue())
    return page_index + 1, box


# --------------------------------------------------------------------------- verifying
def _asn1_to_pyca(cert: Any) -> pyca_x509.Certificate:
    from cryptography import x509

    return x509.load_der_x509_certificate(cert.dump())


def _signature_revisions(reader: Any) -> dict[int, str]:
    """Revision → "signature" / "timestamp" for every signature in the file."""
    found: dict[int, str] = {}
    for sig in reader.embedded_signatures:
        kind = "timestamp" if sig.sig_object.get("/Type") == "/DocTimeStamp" else "signature"
        found[sig.signed_revision] = kind
    return found


def _revision_kinds(reader: Any, revision: int, signatures: dict[int, str]) -> tuple[str, ...]:
    """What one incremental update holds, from the objects it rewrote (cheap, not a full diff)."""
    from pyhanko.pdf_utils import generic

    kinds: list[str] = []
    if revision in signatures:
        kinds.append(signatures[revision])
    changed = reader.xrefs.explicit_refs_in_revision(revision)
    root = reader.get_historical_root(revision)
    before = reader.get_historical_root(revision - 1)
    dss = root.raw_get("/DSS") if "/DSS" in root else None
    old_dss = before.raw_get("/DSS") if "/DSS" in before else None
    if dss is not None and (
        old_dss is None
        or dss != old_dss
        or (isinstance(dss, generic.IndirectObject) and dss.reference in changed)
    ):
        kinds.append("dss")
    trailer = reader.trailer.flatten(revision)
    old_trailer = reader.trailer.flatten(revision - 1)
    info = trailer.raw_get("/Info") if "/Info" in trailer else None
    old_info = old_trailer.raw_get("/Info") if "/Info" in old_trailer else None
    info_changed = info != old_info or (
        isinstance(info, generic.IndirectObject) and info.reference in changed
    )
    metadata = root.raw_get("/Metadata") if "/Metadata" in root else None
    if info_changed or (
        isinstance(metadata, generic.IndirectObject) and metadata.reference in changed
    ):
        kinds.append("metadata")
    return tuple(kinds)


def _additions(reader: Any, signed_revision: int, level: Any) -> tuple[Addition, ...]:
    """The updates after ``signed_revision``, each marked harmless or not by pyHanko's verdict."""
    from pyhanko.sign.diff_analysis import ModificationLevel

    total = reader.xrefs.total_revisions
    if signed_revision >= total - 1:
        return ()
    signatures = _signature_revisions(reader)
    found = [
        (revision, _revision_kinds(reader, revision, signatures))
        for revision in range(signed_revision + 1, total)
    ]
    quiet = {"dss", "timestamp", "metadata"}
    if level in (None, ModificationLevel.NONE, ModificationLevel.LTA_UPDATES):
        return tuple(Addition(revision + 1, kinds, True) for revision, kinds in found)
    # Another signature counts as "form filling": harmless when that is all an update holds.
    allowed = quiet | {"signature"} if level == ModificationLevel.FORM_FILLING else quiet
    additions = [
        Addition(revision + 1, kinds, bool(kinds) and set(kinds) <= allowed)
        for revision, kinds in found
    ]
    explained = level == ModificationLevel.FORM_FILLING and any(
        "signature" in addition.kinds for addition in additions
    )
    if not explained and all(addition.harmless for addition in additions):
        # pyHanko saw a change the cheap look above cannot place: every update is suspect.
        additions = [Addition(a.revision, a.kinds, False) for a in additions]
    additions = [
        a if a.harmless else Addition(a.revision, (*a.kinds, "content"), False) for a in additions
    ]
    return tuple(additions)


def _check_signature(reader: Any, sig: Any, context: Any) -> SignatureCheck:
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.errors import (
        SignatureValidationError,
        ValidationInfoReadingError,
    )
    from pyhanko.sign.validation.status import SignatureCoverageLevel

    try:
        cert = _asn1_to_pyca(sig.signer_cert)
        certificate: CertificateInfo | None = _certificate_info(cert)
    except (ValueError, KeyError, TypeError, AttributeError):
        certificate = None
    signer = certificate.owner if certificate is not None else ""
    signing_time = sig.self_reported_timestamp
    try:
        status = validate_pdf_signature(sig, signer_validation_context=context)
    except (SignatureValidationError, ValidationInfoReadingError, ValueError, KeyError) as exc:
        # The signature's own bytes are damaged: nothing about the document can be said.
        return SignatureCheck(
            field_name=str(sig.field_name),
            signer=signer,
            certificate=certificate,
            signing_time=signing_time,
            intact=False,
            valid=False,
            whole_document=False,
            covers_revision=False,
            additions=(),
            trusted=False,
            problem=f"{type(exc).__name__}: {exc}",
        )
    coverage = status.coverage
    return SignatureCheck(
        field_name=str(sig.field_name),
        signer=signer,
        certificate=certificate,
        signing_time=signing_time,
        intact=bool(status.intact),
        valid=bool(status.valid),
        whole_document=coverage == SignatureCoverageLevel.ENTIRE_FILE,
        covers_revision=coverage
        in (SignatureCoverageLevel.ENTIRE_FILE, SignatureCoverageLevel.ENTIRE_REVISION),
        additions=_additions(reader, sig.signed_revision, status.modification_level),
        trusted=bool(status.trusted),
    )


def _trust_roots() -> list[Any]:
    """The root certificates this computer trusts (read offline from its own store).

    An unreadable store only means that nothing is trusted: verification still
    says whether the document is intact.
    """
    try:
        from oscrypto import trust_list  # type: ignore[import-untyped]

        return [entry[0] for entry in trust_list.get_list()]
    except Exception:  # noqa: BLE001 - any failure of the OS store leaves no roots
        return []


def verify_pdf(path: Path) -> VerificationResult:
    """Check every signature of the PDF at ``path``, offline (no OCSP, no CRL, no AIA).

    Trust is judged against the certificates this computer already trusts; a
    self-signed certificate is reported as such.  Raises
    :class:`PdfUnreadableError` / :class:`PdfEncryptedError` / ``OSError``.
    """
    from pyhanko.pdf_utils.misc import PdfError
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko_certvalidator import ValidationContext

    data = _read_pdf(path)
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        if reader.encrypted:
            raise PdfEncryptedError(path)
        regular = list(reader.embedded_regular_signatures)
        revisions = int(reader.xrefs.total_revisions)
    except (PdfError, ValueError, KeyError, IndexError, TypeError) as exc:
        raise PdfUnreadableError(path, str(exc)) from None
    checks: list[SignatureCheck] = []
    for sig in regular:
        # Offline: no fetching of OCSP responses, CRLs or issuer certificates.
        context = ValidationContext(
            trust_roots=_trust_roots(), allow_fetching=False, revocation_mode="soft-fail"
        )
        try:
            checks.append(_check_signature(reader, sig, context))
        except (PdfError, IndexError, TypeError) as exc:
            checks.append(
                SignatureCheck(
                    field_name=str(sig.field_name),
                    signer="",
                    certificate=None,
                    signing_time=None,
                    intact=False,
                    valid=False,
                    whole_document=False,
                    covers_revision=False,
                    additions=(),
                    trusted=False,
                    problem=f"{type(exc).__name__}: {exc}",
                )
            )
    return VerificationResult(path=path, signatures=tuple(checks), revisions=revisions)


def file_digest(path: Path) -> str:
    """SHA-256 of a file (hex), to name in a report what exactly was checked."""
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
