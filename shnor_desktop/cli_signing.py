"""The signing commands of the command line (DESIGN.md §4, contract).

::

    shnor-desktop verify FILE.pdf
    shnor-desktop make-test-certificate --out FILE.p12 --pin-env VAR [--owner ФИО]
    shnor-desktop report KIND ... --sign CERT.p12 --pin-env VAR

The PIN is never a command-line argument (it would show in the process list and
the shell's history): it is read from the environment variable named by
``--pin-env``, used once and forgotten.  Exit codes as everywhere: 0 done (for
``verify``: the signature is valid and the document unchanged), 1 rejected or
broken (the reason in Russian), 2 usage error.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from shnor_desktop.services.signing import StampPlace

EXIT_OK = 0
EXIT_REJECTED = 1
EXIT_USAGE = 2

__all__ = [
    "add_parsers",
    "add_sign_options",
    "prepare_signing",
    "read_pin",
    "run_make_test_certificate",
    "run_verify",
    "sign_after_build",
]


def add_parsers(commands: Any) -> None:
    """Add ``verify`` and ``make-test-certificate`` to the subparsers ``commands``."""
    verify = commands.add_parser(
        "verify",
        help="проверить электронную подпись PDF",
        description=(
            "Проверить электронные подписи документа PDF без интернета: кто подписал, "
            "когда, не изменён ли документ и что добавлено в файл после подписания. "
            "Код выхода 0 — подпись действительна и документ не изменён, 1 — подпись "
            "нарушена, документ изменён после подписания или подписи нет."
        ),
    )
    verify.add_argument("file", type=Path, metavar="ФАЙЛ.pdf", help="проверяемый документ")

    make = commands.add_parser(
        "make-test-certificate",
        help="создать тестовый сертификат для пробы подписания",
        description=(
            "Создать самоподписанный тестовый сертификат с закрытым ключом (PKCS#12), "
            "защищённый ПИН-кодом, чтобы попробовать подписание без настоящего "
            "сертификата. Отметка о подписи на документе скажет, что сертификат тестовый. "
            "ПИН-код берётся из переменной окружения, а не из командной строки."
        ),
    )
    make.add_argument(
        "--out", required=True, type=Path, metavar="ФАЙЛ.p12", help="куда записать сертификат"
    )
    make.add_argument(
        "--pin-env",
        required=True,
        metavar="ПЕРЕМЕННАЯ",
        help="имя переменной окружения с ПИН-кодом (не меньше 4 знаков)",
    )
    make.add_argument(
        "--owner",
        metavar="ФИО",
        default=None,
        help="владелец сертификата (по умолчанию «Тестовый пользователь ШНОР Desktop»)",
    )


def add_sign_options(parser: argparse.ArgumentParser) -> None:
    """Add ``--sign CERT.p12 --pin-env VAR`` to a command that writes a PDF (``report``)."""
    parser.add_argument(
        "--sign",
        type=Path,
        metavar="СЕРТИФИКАТ.p12",
        default=None,
        help="подписать документ электронной подписью этим сертификатом (PKCS#12)",
    )
    parser.add_argument(
        "--pin-env",
        metavar="ПЕРЕМЕННАЯ",
        default=None,
        help="имя переменной окружения с ПИН-кодом сертификата (вместе с --sign)",
    )


def _fail(text: str) -> int:
    print(text, file=sys.stderr)
    return EXIT_REJECTED


def _usage(command: str, text: str) -> int:
    print(f"shnor-desktop {command}: ошибка: {text}", file=sys.stderr)
    return EXIT_USAGE


def _describe(exc: BaseException) -> str:
    from shnor_desktop.services.messages import describe_error

    return describe_error(exc)


def read_pin(variable: str) -> str | None:
    """The PIN from the environment variable ``variable`` (None when it is not set)."""
    return os.environ.get(variable)


def _missing_pin(variable: str) -> str:
    return (
        f"Переменная окружения {variable} не задана: в ней должен быть ПИН-код. "
        f"Например: set {variable}=… (Windows) или export {variable}=… (Linux)."
    )


# --------------------------------------------------------------------------- verify
def run_verify(args: argparse.Namespace) -> int:
    """Run ``verify FILE.pdf``: print the report; 0 valid and unchanged, 1 otherwise."""
    from shnor_desktop.services.signing import verify_pdf
    from shnor_desktop.services.signing_text import describe_check, verdict

    path: Path = args.file
    try:
        result = verify_pdf(path)
    except Exception as exc:  # noqa: BLE001 - every failure is worded for the user
        return _fail(_describe(exc))
    print(f"Файл: {path}")
    total = len(result.signatures)
    for number, check in enumerate(result.signatures, start=1):
        print(f"Подпись {number} из {total} (поле «{check.field_name}»):")
        for line in describe_check(check):
            label = f"{line.label}: " if line.label else " " * 4
            print(f"  {label}{line.text}")
    final = verdict(result)
    print(f"{final.label}: {final.text}")
    return EXIT_OK if result.ok else EXIT_REJECTED


# --------------------------------------------------------------------------- test certificate
def run_make_test_certificate(args: argparse.Namespace) -> int:
    """Run ``make-test-certificate --out FILE.p12 --pin-env VAR``."""
    from shnor_desktop.services.signing import DEFAULT_TEST_OWNER, make_test_certificate

    out: Path = args.out
    pin = read_pin(args.pin_env)
    if pin is None:
        return _fail(_missing_pin(args.pin_env) + " Сертификат не создан.")
    if out.exists():
        # A certificate holds a private key: replacing one by mistake loses it for good.
        return _fail(
            f"Файл «{out}» уже существует: сертификат не создан. Укажите другое имя "
            "или удалите старый файл сами."
        )
    if not out.parent.is_dir():
        return _fail(f"Папки «{out.parent}» нет: сертификат не создан. Укажите другую папку.")
    try:
        info = make_test_certificate(out, pin, args.owner or DEFAULT_TEST_OWNER)
    except Exception as exc:  # noqa: BLE001 - every failure is worded for the user
        return _fail(_describe(exc))
    print(f"Тестовый сертификат записан: {out}")
    print(f"Владелец: {info.owner}")
    print(f"Серийный номер: {info.serial_hex}")
    print(f"Действителен: {info.validity_text}")
    print(
        "Это тестовый сертификат: отметка о подписи укажет это, а документы, подписанные "
        "им, юридической силы не имеют."
    )
    return EXIT_OK


# --------------------------------------------------------------------------- report --sign
def prepare_signing(args: argparse.Namespace, command: str = "report") -> int | None:
    """Check ``--sign``/``--pin-env`` before the document is built.

    Returns None when there is nothing to sign or the certificate opens with the
    PIN; otherwise prints the reason and returns the exit code, and the caller
    stops before writing anything (a wrong PIN never costs a built report).
    """
    from shnor_desktop.services.signing import load_certificate

    sign: Path | None = getattr(args, "sign", None)
    variable: str | None = getattr(args, "pin_env", None)
    if sign is None and variable is None:
        return None
    if sign is None:
        return _usage(command, "--pin-env указывается только вместе с --sign")
    if variable is None:
        return _usage(command, "для --sign нужен --pin-env ПЕРЕМЕННАЯ с ПИН-кодом")
    pin = read_pin(variable)
    if pin is None:
        return _fail(_missing_pin(variable) + " Документ не создан.")
    try:
        load_certificate(sign, pin)
    except Exception as exc:  # noqa: BLE001 - every failure is worded for the user
        return _fail(_describe(exc).replace("Документ не подписан.", "Документ не создан."))
    return None


def sign_after_build(
    args: argparse.Namespace, pdf_path: Path, place: StampPlace | None = None
) -> int:
    """Sign the report just written at ``pdf_path`` in place, when ``--sign`` was given.

    Returns 0 (signed, or nothing to sign) or 1.  On failure the unsigned file is
    removed: a command asked for a signed document leaves no unsigned one behind.
    ``place`` is where the report laid out the signature (its SIGNATURE_BOX on the
    last page); without it the stamp goes to the bottom right of the last page.
    """
    from shnor_desktop.services.signing import sign_pdf

    sign: Path | None = getattr(args, "sign", None)
    if sign is None:
        return EXIT_OK
    variable: str = args.pin_env
    pin = read_pin(variable) if variable else None
    try:
        if pin is None:
            pdf_path.unlink(missing_ok=True)
            return _fail(_missing_pin(variable or "?") + " Документ не создан.")
        info = sign_pdf(pdf_path, pdf_path, sign, pin, place=place)
    except Exception as exc:  # noqa: BLE001 - every failure is worded for the user
        pdf_path.unlink(missing_ok=True)
        return _fail(_describe(exc).replace("Документ не подписан.", "Документ не создан."))
    cert = info.certificate
    test = " (тестовый сертификат)" if cert.is_test else ""
    print(f"Документ подписан: {cert.owner}, сертификат № {cert.serial_hex}{test}")
    return EXIT_OK
