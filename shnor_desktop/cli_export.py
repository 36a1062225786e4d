"""``shnor-desktop export --db PATH --out FILE.xlsx``: the whole database (DESIGN.md §4).

The database is opened read-only and never changed; the workbook appears
only when it is complete (a failed or interrupted export leaves no half file).
Exit codes as everywhere: 0 written, 1 refused (the reason in Russian on
stderr), 2 usage error.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

EXIT_OK = 0
EXIT_REJECTED = 1
EXIT_USAGE = 2


def add_parser(commands: Any) -> argparse.ArgumentParser:
    """Add the ``export`` subcommand to the subparsers ``commands``."""
    export = commands.add_parser(
        "export",
        help="выгрузить всю базу в книгу Excel",
        description=(
            "Выгрузить всю базу в книгу Excel (.xlsx): по листу на каждый раздел, "
            "заголовки по-русски, даты и числа — настоящими ячейками. База не изменяется; "
            "существующий файл заменяется только готовой выгрузкой."
        ),
    )
    export.add_argument("--db", required=True, type=Path, metavar="ФАЙЛ", help="файл базы данных")
    export.add_argument(
        "--out", required=True, type=Path, metavar="ФАЙЛ.xlsx", help="куда записать книгу"
    )
    return export  # type: ignore[no-any-return]


def _size(size: int) -> str:
    from shnor_desktop.cli import format_size

    return format_size(size)


def run(args: argparse.Namespace) -> int:
    """Run ``export``; return the exit code."""
    from shnor_desktop.models.text import format_number
    from shnor_desktop.services.export import export_database
    from shnor_desktop.services.messages import describe_error

    out: Path = args.out
    if out.suffix.lower() != ".xlsx":
        print(
            f"shnor-desktop export: ошибка: файл выгрузки должен иметь расширение .xlsx: «{out}»",
            file=sys.stderr,
        )
        return EXIT_USAGE
    if out.is_dir():
        print(f"«{out}» — это папка; укажите имя файла .xlsx.", file=sys.stderr)
        return EXIT_REJECTED
    if not out.parent.is_dir():
        print(
            f"Папки «{out.parent}» нет: выгрузка не записана. Создайте папку или укажите другую.",
            file=sys.stderr,
        )
        return EXIT_REJECTED
    try:
        result = export_database(args.db, out)
    except Exception as exc:  # noqa: BLE001 - every failure is worded for the user
        print(describe_error(exc), file=sys.stderr)
        return EXIT_REJECTED
    print(f"Выгрузка записана: {out} ({_size(out.stat().st_size)})")
    print(
        f"Разделов: {len(result.sheets)}, записей: {format_number(result.rows, 0)}",
    )
    return EXIT_OK
