"""``template`` and ``import``: the workbook exchange with the schools on the command line.

    shnor-desktop template --db PATH --out DIR [--year Y] [--school CODE]
    shnor-desktop import --db PATH [--dry-run] FILE_OR_DIR...

``template`` writes one workbook per school (or the schools named with
``--school``, which may be repeated) for the school year ``--year`` (by
default the latest year with figures).  ``import`` previews every file (a
folder is walked) and imports each file atomically; ``--dry-run`` prints the
same preview and writes nothing.  Exit codes (DESIGN.md §4): 0 success, 1 a
file was rejected (the reason in Russian on stderr: file, sheet, cell, what
was expected; the database is left as it was for that file), 2 usage error.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from shnor_desktop.services.exchange.importer import FilePlan, ImportResult

EXIT_OK = 0
EXIT_REJECTED = 1
EXIT_USAGE = 2
SHOWN_CHANGES = 200
"""Changed values printed per file (a big file prints its counts and the first ones)."""


def add_parsers(commands: Any) -> None:
    """Add the ``template`` and ``import`` subcommands to the subparsers ``commands``."""
    template = commands.add_parser(
        "template",
        help="записать книги Excel для заполнения школами",
        description=(
            "Записать книги Excel для школ (по одной на школу): паспорт за учебный год, "
            "результаты оценочных процедур, выполнение дорожной карты. То, что уже есть "
            "в базе, вписано заранее. База не изменяется."
        ),
    )
    template.add_argument("--db", required=True, type=Path, metavar="ФАЙЛ", help="файл базы данных")
    template.add_argument(
        "--out", required=True, type=Path, metavar="ПАПКА", help="папка для книг (например, флешка)"
    )
    template.add_argument(
        "--year",
        type=int,
        metavar="ГОД",
        help="учебный год: его первый календарный год (2023 — это 2023/24); по умолчанию "
        "последний год, за который в базе есть данные",
    )
    template.add_argument(
        "--school",
        action="append",
        metavar="КОД",
        help="код школы (можно указать несколько раз); по умолчанию все школы",
    )
    imported = commands.add_parser(
        "import",
        help="загрузить книги, заполненные школами",
        description=(
            "Загрузить книги Excel (.xlsx) или таблицы CSV, заполненные школами. Каждый файл "
            "загружается целиком или не загружается вовсе; тот же файл второй раз ничего "
            "не меняет. С --dry-run только показывает, что изменится."
        ),
    )
    imported.add_argument("--db", required=True, type=Path, metavar="ФАЙЛ", help="файл базы данных")
    imported.add_argument(
        "--dry-run",
        action="store_true",
        help="только показать, что изменится, ничего не записывая",
    )
    imported.add_argument(
        "paths", nargs="+", type=Path, metavar="ФАЙЛ_ИЛИ_ПАПКА", help="файлы или папки с файлами"
    )


def _fail(text: str) -> int:
    print(text, file=sys.stderr)
    return EXIT_REJECTED


def _open(path: Path) -> Any:
    from shnor_desktop.services.backup import open_with_backup

    return open_with_backup(path)


def run_template(args: argparse.Namespace) -> int:
    """Run ``template``; return the exit code."""
    from shnor_desktop.models.jobs import JobState
    from shnor_desktop.models.text import school_year_label
    from shnor_desktop.services.exchange.templates import default_year, write_templates
    from shnor_desktop.services.messages import describe_error

    if args.year is not None and not 1990 <= args.year <= 2100:
        print(
            f"shnor-desktop template: ошибка: --year: нужен год от 1990 до 2100, а не {args.year}",
            file=sys.stderr,
        )
        return EXIT_USAGE
    out: Path = args.out
    if out.exists() and not out.is_dir():
        return _fail(f"«{out}» — это файл, а нужна папка для книг.")
    try:
        db = _open(args.db)  # an older schema is upgraded (with a backup) before reading
        try:
            year = args.year if args.year is not None else default_year(db.reader())
        finally:
            db.close()
        paths = write_templates(args.db, out, year, args.school, JobState())
    except Exception as exc:  # noqa: BLE001 - every failure is worded for the user
        return _fail(describe_error(exc))
    print(
        f"Книги для школ на {school_year_label(year)} учебный год записаны в «{out}»: {len(paths)}"
    )
    for path in paths:
        print(f"  {path.name}")
    return EXIT_OK


def _print_plan(file_plan: FilePlan) -> None:
    from shnor_desktop.models.text import format_number, school_year_label
    from shnor_desktop.services.exchange.wording import change_line, describe_problem

    year = school_year_label(file_plan.year) if file_plan.year is not None else "?"
    version = f" (шаблон версии {file_plan.template_version})" if file_plan.template_version else ""
    print(
        f"Файл «{file_plan.name}»: {file_plan.school_code} {file_plan.school_name}, "
        f"{year} учебный год{version}"
    )
    counts = file_plan.counts()
    print(
        f"  Новых значений: {format_number(counts['new'], 0)}, изменённых: "
        f"{format_number(counts['changed'], 0)}, без изменений: "
        f"{format_number(counts['unchanged'], 0)}."
    )
    shown = 0
    for change in file_plan.changes:
        if change.kind == "unchanged":
            continue
        if shown == SHOWN_CHANGES:
            rest = counts["new"] + counts["changed"] - shown
            print(f"  … и ещё {format_number(rest, 0)}")
            break
        print(f"  {change_line(change)}")
        shown += 1
    for warning in file_plan.warnings[:20]:
        print(f"  Внимание: {describe_problem(warning)}")
    for note in file_plan.notes:
        print(f"  {note[0].upper()}{note[1:]}.")


def _print_result(result: ImportResult) -> None:
    from shnor_desktop.services.exchange.importer import ResultStatus

    if result.status is ResultStatus.APPLIED and result.change_set is not None:
        print(
            f"  Загружено: загрузка № {result.batch_id}, изменение № {result.change_set.id} "
            "(откатить: «Обмен → История загрузок»)."
        )
    elif result.status is ResultStatus.UNCHANGED:
        print("  Без изменений: в базе уже всё так, как в файле; ничего не записано.")


def run_import(args: argparse.Namespace) -> int:
    """Run ``import`` (``--dry-run``: the preview only); return the exit code."""
    from shnor_desktop.models.jobs import JobState
    from shnor_desktop.services.exchange.importer import (
        FileStatus,
        ResultStatus,
        collect_files,
        commit_import,
        plan_import,
    )
    from shnor_desktop.services.messages import describe_error

    missing = [p for p in args.paths if not Path(p).exists()]
    if missing:
        return _fail(
            "Не найдено: " + ", ".join(f"«{p}»" for p in missing) + ". Ничего не загружено."
        )
    if not collect_files(args.paths):
        return _fail("В указанных папках нет файлов .xlsx или .csv: загружать нечего.")
    try:
        db = _open(args.db)
    except Exception as exc:  # noqa: BLE001 - every failure is worded for the user
        return _fail(describe_error(exc))
    code = EXIT_OK
    try:
        plan = plan_import(db, args.paths, JobState())
        for file_plan in plan.files:
            if file_plan.status is FileStatus.REJECTED:
                assert file_plan.error is not None
                code = _fail(describe_error(file_plan.error))
                continue
            _print_plan(file_plan)
            if file_plan.status is FileStatus.MISMATCH:
                from shnor_desktop.services.exchange.errors import MismatchNotConfirmedError

                code = _fail(
                    describe_error(
                        MismatchNotConfirmedError(file_plan.path, "; ".join(file_plan.notes))
                    )
                )
                continue
            if args.dry_run:
                continue
            result = commit_import(db, plan, [file_plan], JobState())[0]
            if result.status is ResultStatus.REJECTED and result.error is not None:
                code = _fail(describe_error(result.error))
                continue
            _print_result(result)
        if args.dry_run:
            print("Предварительный просмотр (--dry-run): в базу ничего не записано.")
    except Exception as exc:  # noqa: BLE001 - every failure is worded for the user
        return _fail(describe_error(exc))
    finally:
        db.close()
    return code
