"""The hand-off to CryptoPro: a legally binding GOST signature as a detached ``.sig``.

Signatures with legal force in Russian offices are GOST R 34.10-2012 ones made
by a certified provider (КриптоПро CSP); no Python library makes them.  When
CryptoPro's command-line tool ``cryptcp`` is installed, this module hands the
PDF to it::

    cryptcp -signf -dir ПАПКА -der -cert -thumbprint ОТПЕЧАТОК ФАЙЛ.pdf

``-signf`` makes a detached CMS signature of the file, ``-der`` writes it in
binary DER, ``-cert`` puts the signer's certificate into it, ``-thumbprint``
picks the certificate from the user's personal store by its SHA-1 thumbprint.
The PIN of the key container is asked by CryptoPro itself (its own window):
this program never sees it.

The steps: learn the certificate (from Windows' personal store when possible,
else from a signature of a small probe file), draw the stamp of ГОСТ Р 7.0.97
from its details into the last page, then sign that stamped PDF and put the
signature beside it as ``ФАЙЛ.pdf.sig``.  Both files appear only when complete.
No Qt.
"""

from __future__ import annotations

import base64
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from shnor_desktop.models.errors import DomainError
from shnor_desktop.models.jobs import JobState
from shnor_desktop.services.signing import (
    TEST_MARK,
    CertificateInfo,
    StampPlace,
    add_stamp,
)

__all__ = [
    "CRYPTCP_NAMES",
    "KNOWN_PATHS",
    "CryptoProError",
    "CryptoProFailedError",
    "CryptoProMissingError",
    "CryptoProResult",
    "CryptoProStatus",
    "certificate_from_signature",
    "detect",
    "find_cryptcp",
    "personal_certificates",
    "sign_detached",
    "signature_path",
]

CRYPTCP_NAMES = ("cryptcp", "cryptcp.x64", "cryptcp.win32")
"""The names cryptcp goes by on PATH (the download of cryptcp for Windows is cryptcp.x64.exe)."""
KNOWN_PATHS: tuple[Path, ...] = (
    Path(r"C:\Program Files\Crypto Pro\CSP\cryptcp.exe"),
    Path(r"C:\Program Files (x86)\Crypto Pro\CSP\cryptcp.exe"),
    Path("/opt/cprocsp/bin/amd64/cryptcp"),
    Path("/opt/cprocsp/bin/ia32/cryptcp"),
)
"""Where CryptoPro installs cryptcp when it is not on PATH."""
TIMEOUT = 300.0
"""Seconds to wait for cryptcp: long, because CryptoPro may be waiting for the user's PIN."""


# --------------------------------------------------------------------------- errors
class CryptoProError(DomainError):
    """Base of the CryptoPro hand-off's errors (worded by services/messages.py)."""


@dataclass
class CryptoProMissingError(CryptoProError):
    """cryptcp is not installed (or not where it is looked for)."""


@dataclass
class CryptoProFailedError(CryptoProError):
    """cryptcp ran but made no signature; ``output`` is the end of what it said."""

    code: int
    output: str
    timed_out: bool = False


# --------------------------------------------------------------------------- detection
@dataclass(frozen=True)
class CryptoProStatus:
    """Whether the hand-off can work here, and the Russian line the dialog shows."""

    cryptcp: Path | None

    @property
    def available(self) -> bool:
        """True when cryptcp was found."""
        return self.cryptcp is not None

    @property
    def text(self) -> str:
        """One plain sentence for the signing dialog."""
        if self.cryptcp is None:
            return (
                "КриптоПро (cryptcp) на этом компьютере не найден: подпись ГОСТ, имеющую "
                "юридическую силу, здесь сделать нельзя. Можно подписать документ "
                "сертификатом из файла .p12/.pfx."
            )
        return (
            f"КриптоПро найден ({self.cryptcp}): документ можно подписать подписью ГОСТ — "
            "рядом с PDF появится файл открепленной подписи .sig."
        )


def find_cryptcp(path_env: str | None = None) -> Path | None:
    """Find cryptcp on PATH (or ``path_env``) or where CryptoPro installs it."""
    for name in CRYPTCP_NAMES:
        found = shutil.which(name, path=path_env)
        if found is not None:
            return Path(found)
    for candidate in KNOWN_PATHS:
        if candidate.is_file():
            return candidate
    return None


def detect(path_env: str | None = None) -> CryptoProStatus:
    """Look for cryptcp (PATH, then the usual install paths)."""
    return CryptoProStatus(find_cryptcp(path_env))


# --------------------------------------------------------------------------- certificates
def _asn1_certificate_info(cert: Any) -> CertificateInfo:
    """CertificateInfo of an asn1crypto certificate (GOST keys parse: only fields are read)."""
    subject = cert.subject.native
    owner = str(
        subject.get("common_name")
        or " ".join(p for p in (subject.get("surname"), subject.get("given_name")) if p)
        or cert.subject.human_friendly
    )
    units = subject.get("organizational_unit_name") or []
    if isinstance(units, str):
        units = [units]
    issuer = cert.issuer.native
    validity = cert["tbs_certificate"]["validity"]
    return CertificateInfo(
        serial=int(cert.serial_number),
        owner=owner,
        organization=str(subject.get("organization_name") or ""),
        issuer=str(issuer.get("common_name") or cert.issuer.human_friendly),
        valid_from=validity["not_before"].native.astimezone(UTC),
        valid_to=validity["not_after"].native.astimezone(UTC),
        is_test=TEST_MARK in units,
        self_signed=cert.self_signed != "no",
        thumbprint=hashlib.sha1(cert.dump()).hexdigest().upper(),  # noqa: S324 - CryptoPro's name
    )


def _der(data: bytes) -> bytes:
    """DER as it is, or the body of a base64 / PEM signature (cryptcp without -der)."""
    if data[:1] == b"\x30":
        return data
    text = b"".join(
        line for line in data.splitlines() if line.strip() and not line.startswith(b"-----")
    )
    return base64.b64decode(text)


def certificate_from_signature(data: bytes) -> CertificateInfo:
    """The signer's certificate of a CMS signature (``cryptcp -cert``).

    Raises ValueError when the signature holds no certificate.
    """
    from asn1crypto import cms  # type: ignore[import-untyped]

    info = cms.ContentInfo.load(_der(data))
    signed = info["content"]
    certificates = [choice.chosen for choice in signed["certificates"] or []]
    if not certificates:
        raise ValueError("the signature carries no certificate")
    for signer in signed["signer_infos"]:
        sid = signer["sid"]
        if sid.name != "issuer_and_serial_number":
            continue
        serial = sid.chosen["serial_number"].native
        for cert in certificates:
            if cert.serial_number == serial:
                return _asn1_certificate_info(cert)
    return _asn1_certificate_info(certificates[0])


def personal_certificates() -> list[CertificateInfo]:
    """The certificates of the user's personal store on Windows (where CryptoPro puts them).

    Empty elsewhere: there the certificate is learnt from cryptcp's own signature.
    """
    if sys.platform != "win32":
        return []
    import ssl

    from asn1crypto import x509  # type: ignore[import-untyped, unused-ignore]

    found: list[CertificateInfo] = []
    for der, encoding, _trust in ssl.enum_certificates("MY"):  # type: ignore[attr-defined, unused-ignore]
        if encoding != "x509_asn":
            continue
        try:
            found.append(_asn1_certificate_info(x509.Certificate.load(der)))
        except (ValueError, KeyError, TypeError):
            continue
    return found


# --------------------------------------------------------------------------- signing
@dataclass(frozen=True)
class CryptoProResult:
    """What the hand-off made: the stamped PDF and its detached signature beside it."""

    pdf: Path
    signature: Path
    certificate: CertificateInfo
    signed_at: datetime


def signature_path(pdf: Path) -> Path:
    """Where the detached signature of ``pdf`` goes: ``ФАЙЛ.pdf.sig`` beside it."""
    return pdf.with_name(pdf.name + ".sig")


def _cryptcp_args(cryptcp: Path, folder: Path, thumbprint: str, file: Path) -> list[str]:
    return [
        str(cryptcp),
        "-signf",
        "-dir",
        str(folder),
        "-der",
        "-cert",
        "-thumbprint",
        thumbprint,
        str(file),
    ]


def _run_cryptcp(args: Sequence[str], timeout: float) -> None:
    flags = getattr(subprocess, "CREATE_NO_WINDOW", 0)  # no console window on Windows
    try:
        done = subprocess.run(  # noqa: S603 - a fixed program with our own arguments
            list(args),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=timeout,
            check=False,
            creationflags=flags,
        )
    except subprocess.TimeoutExpired as exc:
        raise CryptoProFailedError(-1, _tail(exc.stdout, exc.stderr), timed_out=True) from None
    except OSError as exc:
        raise CryptoProFailedError(-1, str(exc)) from None
    if done.returncode != 0:
        raise CryptoProFailedError(done.returncode, _tail(done.stdout, done.stderr))


def _text(part: bytes | str | None) -> str:
    if part is None:
        return ""
    if isinstance(part, str):
        return part
    # cryptcp speaks the console's code page: cp866 on a Russian Windows.
    for encoding in ("utf-8", "cp866"):
        try:
            return part.decode(encoding)
        except UnicodeDecodeError:
            continue
    return part.decode("utf-8", "replace")


def _tail(stdout: bytes | str | None, stderr: bytes | str | None) -> str:
    lines = "\n".join(_text(p).strip() for p in (stdout, stderr) if p).splitlines()
    return "\n".join(lines[-8:])


def _made_signature(folder: Path, file: Path) -> Path:
    """The signature cryptcp wrote for ``file`` in ``folder`` (.sgn, or .sig on some versions)."""
    for suffix in (".sgn", ".sig", ".p7s"):
        candidate = folder / (file.name + suffix)
        if candidate.is_file():
            return candidate
    made = [p for p in folder.iterdir() if p.is_file() and p.name != file.name]
    if len(made) == 1:
        return made[0]
    raise CryptoProFailedError(0, "cryptcp завершился без ошибки, но файл подписи не найден")


def _sign_file(cryptcp: Path, thumbprint: str, file: Path, timeout: float) -> bytes:
    with tempfile.TemporaryDirectory(prefix="shnor-cryptcp-") as name:
        folder = Path(name)
        _run_cryptcp(_cryptcp_args(cryptcp, folder, thumbprint, file), timeout)
        return _made_signature(folder, file).read_bytes()


def _identify(cryptcp: Path, thumbprint: str, timeout: float) -> CertificateInfo:
    """The certificate behind ``thumbprint``: from Windows' store, else from a probe signature."""
    wanted = thumbprint.replace(" ", "").upper()
    for cert in personal_certificates():
        if cert.thumbprint == wanted:
            return cert
    with tempfile.TemporaryDirectory(prefix="shnor-cryptcp-probe-") as name:
        probe = Path(name) / "shnor-certificate-probe.txt"
        probe.write_text("ШНОР Desktop: проверка сертификата перед подписанием\n", "utf-8")
        data = _sign_file(cryptcp, wanted, probe, timeout)
    try:
        return certificate_from_signature(data)
    except (ValueError, KeyError, TypeError) as exc:
        raise CryptoProFailedError(0, f"в подписи нет сертификата: {exc}") from None


def sign_detached(
    src: Path,
    dst: Path,
    thumbprint: str,
    *,
    cryptcp: Path | None = None,
    stamp: bool = True,
    place: StampPlace | None = None,
    state: JobState | None = None,
    timeout: float = TIMEOUT,
) -> CryptoProResult:
    """Stamp ``src`` into ``dst`` and sign ``dst`` with CryptoPro as ``dst.pdf.sig``.

    ``thumbprint`` names the certificate in the user's personal store (SHA-1,
    as CryptoPro shows it).  ``dst`` may be ``src``.  On any failure neither the
    PDF nor the signature is left behind.
    """
    state = state if state is not None else JobState()
    tool = cryptcp if cryptcp is not None else find_cryptcp()
    if tool is None:
        raise CryptoProMissingError
    wanted = thumbprint.replace(" ", "").upper()
    state.progress(0, 3, "Сертификат КриптоПро…")
    certificate = _identify(tool, wanted, timeout)
    state.check()
    sig_path = signature_path(dst)
    with tempfile.TemporaryDirectory(prefix="shnor-cryptopro-", dir=dst.parent) as name:
        work = Path(name) / dst.name
        if stamp:
            state.progress(1, 3, "Отметка о подписи…")
            add_stamp(src, work, certificate, place)
        else:
            shutil.copyfile(src, work)
        state.check()
        state.progress(2, 3, "Подписание в КриптоПро…")
        signed_at = datetime.now(UTC)
        signature = _sign_file(tool, wanted, work, timeout)
        state.check()
        # An older signature goes first, then the PDF, then its signature: a
        # signature never lies beside a PDF it does not belong to.
        sig_work = Path(name) / sig_path.name
        sig_work.write_bytes(signature)
        sig_path.unlink(missing_ok=True)
        os.replace(work, dst)
        os.replace(sig_work, sig_path)
    state.progress(3, 3, "Документ подписан в КриптоПро.")
    return CryptoProResult(dst, sig_path, certificate, signed_at)
