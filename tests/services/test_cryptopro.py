"""The CryptoPro hand-off (services/cryptopro.py), with a stand-in for ``cryptcp``.

CryptoPro cannot be installed here, so a small script named ``cryptcp`` plays
its part: it records its arguments and, as the real tool does for
``-signf -dir D -der -cert``, writes a detached DER signature carrying the
signer's certificate to ``D/<file>.sgn``.  The real behaviour is described in
the README («Подпись КриптоПро»).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import stat
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from shnor_desktop.services import cryptopro
from shnor_desktop.services.cryptopro import (
    CryptoProFailedError,
    CryptoProMissingError,
    certificate_from_signature,
    detect,
    sign_detached,
)
from shnor_desktop.services.messages import describe_error
from tests.services.test_signing import make_pdf

OWNER = "Петров Пётр Петрович"

FAKE = '''#!{python}
"""A stand-in for CryptoPro's cryptcp: records its arguments, signs like -signf."""
import json, os, sys
from pathlib import Path
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.serialization import pkcs7
from cryptography import x509

args = sys.argv[1:]
with open(os.environ["FAKE_CRYPTCP_LOG"], "a", encoding="utf-8") as log:
    log.write(json.dumps(args, ensure_ascii=False) + "\\n")
if os.environ.get("FAKE_CRYPTCP_FAIL"):
    print("Ошибка: сертификат не найден.\\n[ErrorCode: 0x2000012d]")
    sys.exit(1)
folder = Path(args[args.index("-dir") + 1])
file = Path(args[-1])
key = serialization.load_pem_private_key(
    Path(os.environ["FAKE_CRYPTCP_KEY"]).read_bytes(), password=None
)
cert = x509.load_pem_x509_certificate(Path(os.environ["FAKE_CRYPTCP_CERT"]).read_bytes())
options = [pkcs7.PKCS7Options.DetachedSignature, pkcs7.PKCS7Options.Binary]
if "-cert" not in args:
    options.append(pkcs7.PKCS7Options.NoCerts)
signature = (
    pkcs7.PKCS7SignatureBuilder()
    .set_data(file.read_bytes())
    .add_signer(cert, key, hashes.SHA256())
    .sign(serialization.Encoding.DER if "-der" in args else serialization.Encoding.PEM, options)
)
(folder / (file.name + ".sgn")).write_bytes(signature)
print("Подпись данных...\\n[ErrorCode: 0x00000000]")
'''


@pytest.fixture(scope="module")
def office_cert(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, str]:
    """A certificate like an office's (not a test one): PEM key and certificate, thumbprint."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    folder = tmp_path_factory.mktemp("office")
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, OWNER),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Управление образования"),
        ]
    )
    issuer = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Тестовый УЦ")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(key.public_key())
        .serial_number(0x01D7A3F0C2B4E5A60000000000000A1B)
        .not_valid_before(now - timedelta(days=30))
        .not_valid_after(now + timedelta(days=335))
        .sign(key, hashes.SHA256())
    )
    key_path, cert_path = folder / "key.pem", folder / "cert.pem"
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    thumbprint = cert.fingerprint(hashes.SHA1()).hex().upper()  # noqa: S303
    return key_path, cert_path, thumbprint


@pytest.fixture
def fake_cryptcp(
    tmp_path: Path, office_cert: tuple[Path, Path, str], monkeypatch: pytest.MonkeyPatch
) -> Path:
    """Put the stand-in ``cryptcp`` first on PATH; return its argument log."""
    folder = tmp_path / "bin"
    folder.mkdir()
    script = folder / "cryptcp"
    script.write_text(FAKE.replace("{python}", sys.executable), "utf-8")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    log = tmp_path / "cryptcp-args.jsonl"
    key_path, cert_path, _thumb = office_cert
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ.get('PATH', '')}")
    monkeypatch.setenv("FAKE_CRYPTCP_LOG", str(log))
    monkeypatch.setenv("FAKE_CRYPTCP_KEY", str(key_path))
    monkeypatch.setenv("FAKE_CRYPTCP_CERT", str(cert_path))
    return log


def calls(log: Path) -> list[list[str]]:
    return [json.loads(line) for line in log.read_text("utf-8").splitlines()]


def test_absent_cryptcp_is_said_plainly(tmp_path: Path) -> None:
    status = detect(path_env=str(tmp_path))
    assert not status.available
    assert "не найден" in status.text
    with pytest.raises(CryptoProMissingError) as caught:
        sign_detached(
            make_pdf(tmp_path / "a.pdf"),
            tmp_path / "a.pdf",
            "AB",
            cryptcp=None if status.cryptcp is None else status.cryptcp,
        )
    assert "КриптоПро" in describe_error(caught.value)


def test_cryptcp_on_path_is_found(fake_cryptcp: Path) -> None:
    status = detect()
    assert status.available
    assert status.cryptcp is not None and status.cryptcp.name == "cryptcp"
    assert "КриптоПро найден" in status.text


def test_the_windows_install_path_is_looked_at() -> None:
    assert Path(r"C:\Program Files\Crypto Pro\CSP\cryptcp.exe") in cryptopro.KNOWN_PATHS


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
def test_sign_with_cryptopro(
    fake_cryptcp: Path, office_cert: tuple[Path, Path, str], tmp_path: Path
) -> None:
    _key, _cert, thumbprint = office_cert
    pdf = make_pdf(tmp_path / "протокол.pdf")
    result = sign_detached(pdf, pdf, thumbprint.lower())
    # The detached signature lies beside the PDF.
    assert result.signature == tmp_path / "протокол.pdf.sig"
    assert result.signature.is_file()
    # cryptcp was asked as documented: first for the certificate (a probe), then the PDF.
    probe, real = calls(fake_cryptcp)
    for args in (probe, real):
        assert args[:2] == ["-signf", "-dir"]
        assert args[3:7] == ["-der", "-cert", "-thumbprint", thumbprint]
    assert Path(real[-1]).name == "протокол.pdf"
    assert Path(probe[-1]).name != "протокол.pdf"
    # The stamp carries the certificate's details, as cryptcp's signature tells them.
    cert = result.certificate
    assert cert.owner == OWNER
    assert cert.serial_hex == "01D7A3F0C2B4E5A60000000000000A1B"
    assert not cert.is_test
    text = subprocess.run(
        ["pdftotext", "-f", "2", "-l", "2", str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "ДОКУМЕНТ ПОДПИСАН" in text
    assert f"Владелец: {OWNER}" in text
    assert "Сертификат: 01D7A3F0C2B4E5A60000000000000A1B" in text
    assert "Тестовый сертификат" not in text
    # The signature is over the stamped PDF as it lies on disk now.
    assert (
        _signed_digest(result.signature.read_bytes()) == hashlib.sha256(pdf.read_bytes()).digest()
    )
    assert certificate_from_signature(result.signature.read_bytes()).thumbprint == thumbprint


def _signed_digest(signature: bytes) -> bytes:
    from asn1crypto import cms  # type: ignore[import-untyped]

    signer = cms.ContentInfo.load(signature)["content"]["signer_infos"][0]
    for attr in signer["signed_attrs"]:
        if attr["type"].native == "message_digest":
            return bytes(attr["values"][0].native)
    raise AssertionError("no message digest")


def test_cryptcp_failing_leaves_nothing(
    fake_cryptcp: Path,
    office_cert: tuple[Path, Path, str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("FAKE_CRYPTCP_FAIL", "1")
    pdf = make_pdf(tmp_path / "note.pdf")
    original = pdf.read_bytes()
    with pytest.raises(CryptoProFailedError) as caught:
        sign_detached(pdf, pdf, office_cert[2])
    assert pdf.read_bytes() == original
    assert not (tmp_path / "note.pdf.sig").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["bin", "cryptcp-args.jsonl", "note.pdf"]
    )
    text = describe_error(caught.value)
    assert "КриптоПро не подписал документ" in text
    assert "сертификат не найден" in text
