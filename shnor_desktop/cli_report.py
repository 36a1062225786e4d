"""``shnor-desktop report KIND`` (DESIGN.md §4, contract)::

    shnor-desktop report KIND --db PATH --out FILE.pdf [--year Y] [--school CODE]
                          [--meeting NUMBER] [--from DATE --to DATE]
                          [--number N] [--date DATE] [--sign CERT.p12 --pin-env VAR]

KIND: passport, annual, results, journal, protocol.  ``--out`` ending in
``.docx`` writes Word for ``annual`` and ``results``.  The report is built to
its final path; with ``--sign`` it is then signed in place (``cli_signing``);
a certificate or PIN that does not open stops the command before anything is
built.  Exit codes: 0 written, 1 rejected (the reason in Russian, nothing
written), 2 usage error.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path
from typing import Any

EXIT_OK = 0
EXIT_REJECTED = 1
EXIT_USAGE = 2
KINDS = ("passport", "annual", "results", "journal", "protocol")
"""The kinds (``services.reports.KINDS``, named here so the parser imports no models)."""

_KIND_HELP = (
    "passport — паспорт школы (нужен --school), annual — годовой отчёт о выполнении дорожной "
    "карты, results — аналитическая справка о результатах ВПР/ОГЭ/ЕГЭ, journal — журнал "
    "тьюторов за период, protocol — протокол заседания"
)


def _date(text: str) -> date:
    """«31.08.2024» or «2024-08-31»."""
    from datetime import datetime

    for fmt in ("%d.%m.%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(text.strip(), fmt).date()
        except ValueError:
            continue
    raise argparse.ArgumentTypeError(f"нужна дата, например 31.08.2024 (указано «{text}»)")


def _year(text: str) -> int:
    from shnor_desktop.models.text import parse_school_year

    try:
        return parse_school_year(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"нужен учебный год, например 2022 или 2022/23 (указано «{text}»)"
        ) from None


def add_parser(commands: Any) -> None:
    """Add the ``report`` subcommand to the command line's subparsers."""
    from shnor_desktop import cli_signing

    report = commands.add_parser(
        "report",
        help="построить отчёт в PDF (или DOCX): паспорт, годовой, справку, журнал, протокол",
        description=(
            "Построить отчёт по базе: " + _KIND_HELP + ". Файл .docx (Word) — для annual и "
            "results. Номер и дату документа можно указать (--number, --date)."
        ),
    )
    report.add_argument("kind", choices=KINDS, metavar="ВИД", help=_KIND_HELP)
    report.add_argument("--db", required=True, type=Path, metavar="ФАЙЛ", help="файл базы данных")
    report.add_argument(
        "--out", required=True, type=Path, metavar="ФАЙЛ", help="куда записать отчёт (.pdf, .docx)"
    )
    report.add_argument(
        "--year",
        type=_year,
        metavar="ГОД",
        help="учебный год по первому году: 2022 — это 2022/23 (по умолчанию последний с данными)",
    )
    report.add_argument("--school", metavar="КОД", help="код школы (для паспорта)")
    report.add_argument(
        "--meeting",
        metavar="НОМЕР",
        help="номер заседания (для протокола; по умолчанию последнее заседание учебного года)",
    )
    report.add_argument(
        "--from", dest="date_from", type=_date, metavar="ДАТА", help="начало периода журнала"
    )
    report.add_argument(
        "--to", dest="date_to", type=_date, metavar="ДАТА", help="конец периода журнала"
    )
    report.add_argument("--number", default="", metavar="№", help="номер документа")
    report.add_argument(
        "--date",
        dest="doc_date",
        type=_date,
        metavar="ДАТА",
        help="дата документа (по умолчанию сегодня)",
    )
    cli_signing.add_sign_options(report)


def run(args: argparse.Namespace) -> int:
    """Build the report the arguments ask for; return the exit code."""
    from shnor_desktop import cli_signing
    from shnor_desktop.models.jobs import JobState
    from shnor_desktop.services.messages import describe_error
    from shnor_desktop.services.reports import ReportParams, build_report
    from shnor_desktop.services.reports.pdf import SIGNATURE_BOX
    from shnor_desktop.services.signing import StampPlace

    out: Path = args.out
    if args.sign is not None and out.suffix.lower() != ".pdf":
        print("shnor-desktop report: ошибка: подписать можно только отчёт в PDF", file=sys.stderr)
        return EXIT_USAGE
    if not args.db.is_file():
        print(f"Файла базы «{args.db}» нет: отчёт не построен.", file=sys.stderr)
        return EXIT_REJECTED
    refused = cli_signing.prepare_signing(args)
    if refused is not None:
        return refused
    params = ReportParams(
        year=args.year,
        school=args.school,
        meeting=args.meeting,
        number=args.number,
        date=args.doc_date,
        date_from=args.date_from,
        date_to=args.date_to,
    )
    try:
        result = build_report(args.kind, args.db, out, params, JobState())
    except Exception as exc:  # noqa: BLE001 - every failure is worded for the user
        print(describe_error(exc), file=sys.stderr)
        return EXIT_REJECTED
    pages = f", страниц: {result.pages}" if result.pages else ""
    print(f"Отчёт записан: {result.path}{pages}")
    # The hook of the signing engineer: the report is already at its final path.
    return cli_signing.sign_after_build(args, out, StampPlace(-1, SIGNATURE_BOX))
