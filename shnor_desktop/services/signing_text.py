"""Russian wording of a signature check, shared by ``shnor-desktop verify`` and the dialog.

:func:`describe_check` turns one :class:`~shnor_desktop.services.signing.SignatureCheck`
into labelled lines, each marked good, bad or neutral (the dialog colours them
green or red); :func:`verdict` says in one sentence what the whole file's
verdict is.  No Qt, no pyHanko: plain data in, Russian text out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import Enum

from shnor_desktop.services.signing import (
    Addition,
    CertificateInfo,
    SignatureCheck,
    VerificationResult,
)

__all__ = [
    "Line",
    "Tone",
    "describe_addition",
    "describe_certificate",
    "describe_check",
    "format_moment",
    "verdict",
]


class Tone(Enum):
    """How a line reads: good news, bad news or a plain fact."""

    GOOD = "good"
    BAD = "bad"
    WARN = "warn"
    PLAIN = "plain"


@dataclass(frozen=True)
class Line:
    """One labelled line of a verification report."""

    label: str
    text: str
    tone: Tone = Tone.PLAIN


_KIND_TEXT: dict[str, str] = {
    "signature": "ещё одна электронная подпись",
    "timestamp": "штамп времени документа",
    "dss": "данные для долгосрочной проверки подписи (DSS/LTV: сертификаты, ответы OCSP, CRL)",
    "metadata": "сведения о документе (метаданные)",
    "content": "изменения содержимого (страницы, надписи, аннотации или поля формы)",
}


def format_moment(moment: datetime) -> str:
    """«23.11.2026 20:58:28 (UTC+03:00)»: local time of this computer, with its offset."""
    local = moment.astimezone()
    offset = local.strftime("%z")
    zone = f"UTC{offset[:3]}:{offset[3:]}" if offset else "UTC"
    return f"{local:%d.%m.%Y %H:%M:%S} ({zone})"


def describe_certificate(cert: CertificateInfo) -> str:
    """«№ 2B8D…, действителен с 23.11.2026 по 23.11.2027, выдан: …»."""
    issuer = "выдан самому себе" if cert.self_signed else f"выдан: {cert.issuer}"
    return f"№ {cert.serial_hex}, действителен {cert.validity_text}, {issuer}"


def describe_addition(addition: Addition) -> str:
    """One update appended after the signature, in words."""
    # pyHanko stamps the document's properties in every update it writes: name them
    # only when they are all the update holds.
    kinds = [k for k in addition.kinds if k != "metadata"] or list(addition.kinds)
    what = "; ".join(_KIND_TEXT.get(kind, kind) for kind in kinds) or _KIND_TEXT["content"]
    verdict_text = (
        "подписанное содержимое не меняет"
        if addition.harmless
        else "документ изменён после подписания"
    )
    return f"редакция {addition.revision}: {what} — {verdict_text}"


def _trust(check: SignatureCheck) -> Line:
    cert = check.certificate
    if check.trusted:
        return Line(
            "Доверие",
            "сертификат выдан удостоверяющим центром, которому доверяет этот компьютер",
            Tone.GOOD,
        )
    if cert is not None and cert.is_test:
        return Line(
            "Доверие",
            "тестовый сертификат: подпись математически верна, но личность владельца "
            "никем не подтверждена. Для документов, имеющих юридическую силу, не годится.",
            Tone.WARN,
        )
    if cert is not None and cert.self_signed:
        return Line(
            "Доверие",
            "самоподписанный сертификат: личность владельца никем не подтверждена",
            Tone.WARN,
        )
    issuer = f"«{cert.issuer}»" if cert is not None else ""
    return Line(
        "Доверие",
        f"издатель сертификата {issuer} не входит в доверенные на этом компьютере; "
        "проверка выполнена без интернета (без запросов OCSP и списков отзыва)".replace("  ", " "),
        Tone.WARN,
    )


def _integrity(check: SignatureCheck) -> Line:
    if check.intact and check.valid:
        return Line("Целостность", "подписанные данные не изменены, подпись верна", Tone.GOOD)
    if not check.intact:
        return Line(
            "Целостность", "НАРУШЕНА: подписанные данные изменены после подписания", Tone.BAD
        )
    return Line("Целостность", "НАРУШЕНА: подпись не соответствует сертификату", Tone.BAD)


def _coverage(check: SignatureCheck) -> list[Line]:
    if not check.covers_revision:
        text = "подпись охватывает не весь документ: часть файла не подписана"
        return [Line("Охват", text, Tone.BAD)]
    if check.whole_document:
        return [Line("Охват", "подпись охватывает весь файл", Tone.GOOD)]
    if check.additions:
        signed = check.additions[0].revision - 1
        text = (
            "подпись охватывает документ в том виде, в каком он был подписан "
            f"(редакция {signed}); после этого в файл дописано:"
        )
        return [Line("Охват", text)]
    return []


def _additions(check: SignatureCheck) -> list[Line]:
    if not check.additions:
        return [Line("Добавлено после подписания", "ничего", Tone.GOOD)]
    return [
        Line(
            "Добавлено после подписания" if index == 0 else "",
            describe_addition(addition),
            Tone.WARN if addition.harmless else Tone.BAD,
        )
        for index, addition in enumerate(check.additions)
    ]


def describe_check(check: SignatureCheck) -> list[Line]:
    """The lines of one signature's report, in the order a reader wants them."""
    lines = [Line("Подписал", check.signer or "не указан в подписи")]
    if check.certificate is not None:
        if check.certificate.organization:
            lines.append(Line("Организация", check.certificate.organization))
        lines.append(Line("Сертификат", describe_certificate(check.certificate)))
    if check.signing_time is not None:
        lines.append(Line("Время подписания", format_moment(check.signing_time)))
    if check.problem:
        text = "подпись повреждена и не читается: проверить документ невозможно"
        lines.append(Line("Целостность", text, Tone.BAD))
        return lines
    lines.append(_integrity(check))
    lines.extend(_coverage(check))
    lines.extend(_additions(check))
    lines.append(_trust(check))
    return lines


def verdict(result: VerificationResult) -> Line:
    """The one-sentence verdict on the whole file."""
    if not result.signed:
        return Line("Итог", "в файле нет электронной подписи", Tone.BAD)
    if result.ok:
        count = len(result.signatures)
        what = "Подпись действительна" if count == 1 else f"Все подписи ({count}) действительны"
        return Line("Итог", f"{what}: документ не изменён после подписания.", Tone.GOOD)
    if any(check.problem for check in result.signatures):
        return Line("Итог", "ПОДПИСЬ ПОВРЕЖДЕНА: проверить документ невозможно.", Tone.BAD)
    return Line("Итог", "ПОДПИСЬ НЕДЕЙСТВИТЕЛЬНА: документ изменён после подписания.", Tone.BAD)
