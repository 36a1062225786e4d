"""The command line of ШНОР Desktop (DESIGN.md §4).

Exit codes: 0 success, 1 the input was rejected (the reason printed in
Russian, nothing written), 2 usage error, 130 interrupted (Ctrl+C).  Results
go to stdout, errors to stderr.

Without a subcommand the GUI opens (Qt is imported only then)::

    shnor-desktop [--db PATH]
    shnor-desktop --demo
    shnor-desktop demo --out PATH
    shnor-desktop check --db PATH
    shnor-desktop backup --db PATH [--out DIR]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import re
import sqlite3
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import NoReturn, TextIO

from shnor_desktop import APP_NAME, __version__, cli_exchange, cli_export, cli_report, cli_signing

EXIT_OK = 0
EXIT_REJECTED = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130

# argparse's own English phrases (Python 3.11–3.13) and their Russian wording.
_ARGPARSE_PHRASES: tuple[tuple[str, str], ...] = (
    (r"^the following arguments are required: (.+)$", r"не указаны обязательные параметры: \1"),
    (r"^unrecognized arguments: (.+)$", r"непонятные аргументы: \1"),
    (
        r"^argument (\S+): invalid choice: (.+?) \(choose from (.+)\)$",
        r"\1: неизвестное значение \2 (возможные: \3)",
    ),
    (r"^argument (\S+): expected one argument$", r"после \1 нужно указать значение"),
    (r"^argument (\S+): not allowed with argument (\S+)$", r"\1 нельзя указывать вместе с \2"),
    (r"^argument (\S+): ignored explicit argument (.+)$", r"\1 не принимает значение \2"),
    (r"^ambiguous option: (\S+) could match (.+)$", r"неоднозначный параметр \1: подходят \2"),
    (r"^argument (\S+): invalid (\S+) value: (.+)$", r"\1: недопустимое значение \3"),
)


def _russian_argparse_message(message: str) -> str:
    """Translate a message of argparse itself; other text is returned unchanged."""
    for pattern, replacement in _ARGPARSE_PHRASES:
        translated, count = re.subn(pattern, replacement, message)
        if count:
            return translated
    return message


class _RussianHelpFormatter(argparse.HelpFormatter):
    """Help in Russian: «Использование:» instead of "usage:"."""

    def add_usage(
        self,
        usage: str | None,
        actions: Iterable[argparse.Action],
        groups: Iterable[argparse._MutuallyExclusiveGroup],
        prefix: str | None = None,
    ) -> None:
        # argparse passes prefix="" to compute a subcommand's name: keep that.
        super().add_usage(usage, actions, groups, "Использование: " if prefix is None else prefix)


class RussianArgumentParser(argparse.ArgumentParser):
    """An argument parser whose own texts (usage, errors, group titles, -h) are Russian."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("formatter_class", _RussianHelpFormatter)
        kwargs["add_help"] = False
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self._positionals.title = "аргументы"
        self._optionals.title = "параметры"
        self.add_argument("-h", "--help", action="help", help="показать эту справку и выйти")

    def error(self, message: str) -> NoReturn:
        """Print the usage and a Russian error to stderr, then exit with code 2."""
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: ошибка: {_russian_argparse_message(message)}\n")


def build_parser() -> RussianArgumentParser:
    """Return the parser of the whole command line."""
    parser = RussianArgumentParser(
        prog="shnor-desktop",
        # argparse shows a subcommand as required even when it is optional: without
        # one the window opens, so the usage line says so with brackets.
        usage="%(prog)s [-h] [--version] [--db ФАЙЛ | --demo] [КОМАНДА ...]",
        description=(
            f"{APP_NAME} — программа муниципального координатора: школы с низкими "
            "образовательными результатами, паспорта, результаты, дорожная карта. "
            "Без команды открывает окно программы."
        ),
        epilog="Справка по команде: shnor-desktop КОМАНДА -h",
    )
    parser.add_argument(
        "--version",
        action="version",
        version=f"{APP_NAME} {__version__}",
        help="показать версию программы и выйти",
    )
    start = parser.add_mutually_exclusive_group()
    start.add_argument(
        "--db",
        dest="gui_db",
        type=Path,
        metavar="ФАЙЛ",
        help="открыть окно программы на этой базе данных (.sqlite)",
    )
    start.add_argument(
        "--demo",
        action="store_true",
        help="открыть окно программы на новой демонстрационной базе",
    )
    commands = parser.add_subparsers(
        dest="command",
        title="команды",
        metavar="КОМАНДА",
        parser_class=RussianArgumentParser,
        prog="shnor-desktop",  # else the subcommands' usage would repeat the whole usage line
    )

    demo = commands.add_parser(
        "demo",
        help="записать демонстрационную базу",
        description="Записать демонстрационную базу (Ивантеевский район, по документам-образцам).",
    )
    demo.add_argument(
        "--out",
        required=True,
        type=Path,
        metavar="ФАЙЛ",
        help="куда записать базу; файла ещё не должно быть",
    )

    check = commands.add_parser(
        "check",
        help="проверить базу: целостность и версию схемы",
        description=(
            "Проверить базу данных, ничего в ней не меняя: версию схемы, целостность, "
            "внешние ключи, число школ, паспортов и наборов изменений. "
            "Код выхода 0 — база в порядке, 1 — нет."
        ),
    )
    check.add_argument("--db", required=True, type=Path, metavar="ФАЙЛ", help="файл базы данных")

    backup = commands.add_parser(
        "backup",
        help="сделать резервную копию базы",
        description=(
            "Сделать проверенную резервную копию базы. По умолчанию копии лежат в папке "
            "«<имя базы>-backups» рядом с базой. Копии, сделанные этой командой или "
            "вручную в программе, не удаляются сами; автоматические копии (при открытии "
            "базы) хранятся по расписанию: 3 последние, по одной за день за неделю, "
            "по одной за неделю за месяц, всего не больше 2 ГБ."
        ),
    )
    backup.add_argument("--db", required=True, type=Path, metavar="ФАЙЛ", help="файл базы данных")
    backup.add_argument(
        "--out",
        type=Path,
        metavar="ПАПКА",
        help="папка для копии (по умолчанию «<имя базы>-backups» рядом с базой)",
    )
    cli_export.add_parser(commands)
    cli_exchange.add_parsers(commands)
    cli_signing.add_parsers(commands)
    cli_report.add_parser(commands)
    return parser


# --------------------------------------------------------------------------- output
def _say(text: str = "", stream: TextIO | None = None) -> None:
    print(text, file=stream if stream is not None else sys.stdout)


def _fail(text: str) -> int:
    print(text, file=sys.stderr)
    return EXIT_REJECTED


def _error(exc: BaseException) -> int:
    from shnor_desktop.services.messages import describe_error

    return _fail(describe_error(exc))


def format_size(size: int) -> str:
    """Return ``size`` in bytes the Russian way: «1,5 МБ», «12 КБ», «900 байт»."""
    units = (("ГБ", 1024**3), ("МБ", 1024**2), ("КБ", 1024))
    for unit, factor in units:
        if size >= factor:
            return f"{size / factor:.1f}".replace(".", ",") + f" {unit}"
    return f"{size} байт"


# --------------------------------------------------------------------------- commands
def _cmd_demo(args: argparse.Namespace) -> int:
    from shnor_desktop.services.demo import build_demo

    out: Path = args.out
    if out.exists() and (out.is_dir() or out.stat().st_size > 0):
        return _fail(
            f"Файл «{out}» уже существует: демонстрационная база не записана. Укажите другой путь."
        )
    try:
        build_demo(out)
    except FileExistsError:
        return _fail(
            f"Файл «{out}» уже существует: демонстрационная база не записана. Укажите другой путь."
        )
    except Exception as exc:  # noqa: BLE001 - every failure is worded for the user
        return _error(exc)
    _say(f"Демонстрационная база записана: {out} ({format_size(out.stat().st_size)})")
    return EXIT_OK


def _count(conn: sqlite3.Connection, table: str) -> int | None:
    try:
        return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
    except sqlite3.Error:
        return None


def _cmd_check(args: argparse.Namespace) -> int:  # noqa: PLR0911 (one exit per verdict)
    """Check a database strictly read-only: the file is never migrated or written.

    No ``-wal``/``-shm`` file is left beside a database that had none.
    """
    from shnor_desktop.models.db import read_schema_version
    from shnor_desktop.models.errors import DomainError, NotADatabaseError, SchemaTooNewError
    from shnor_desktop.models.schema import SCHEMA_VERSION
    from shnor_desktop.services.files import (
        DatabaseDamagedError,
        EmptyDatabaseFileError,
        check_file_shape,
        open_read_only,
    )

    path: Path = args.db
    _say(f"Файл: {path}")
    try:
        size = check_file_shape(path)
        _say(f"Размер: {format_size(size)}")
        try:
            version = read_schema_version(path)
        except NotADatabaseError as exc:
            if "malformed" in exc.detail or "not a database" in exc.detail:
                raise DatabaseDamagedError(path, [exc.detail]) from exc
            raise
        if version < 1:
            raise EmptyDatabaseFileError(path, size)
    except DatabaseDamagedError as exc:
        _error(exc)
        return _advise_restore(path)
    except (DomainError, OSError) as exc:
        return _error(exc)

    if version > SCHEMA_VERSION:
        _say(f"Версия схемы: {version} (новее, чем понимает эта версия программы)")
        return _error(SchemaTooNewError(path, version, SCHEMA_VERSION))
    if version < SCHEMA_VERSION:
        _say(
            f"Версия схемы: {version} (устаревшая: при открытии в программе база будет "
            f"обновлена до версии {SCHEMA_VERSION}, перед этим будет сделана резервная копия)"
        )
    else:
        _say(f"Версия схемы: {version} (текущая)")

    try:
        conn = open_read_only(path)
    except sqlite3.Error as exc:
        _error(DatabaseDamagedError(path, [str(exc)]))
        return _advise_restore(path)
    try:
        sound = _report_soundness(conn)
    finally:
        conn.close()
    if not sound:
        _fail(f"База «{path}» повреждена: работать с ней нельзя.")
        return _advise_restore(path)
    _say("Итог: база в порядке.")
    return EXIT_OK


def _advise_restore(path: Path) -> int:
    """Name the newest sound backup of a damaged database (to stderr); return EXIT_REJECTED."""
    from shnor_desktop.services.backup import backup_dir_for, newest_sound_backup

    good = newest_sound_backup(path)
    if good is None:
        return _fail(
            f"Исправных резервных копий в папке «{backup_dir_for(path)}» нет. "
            "Если копия базы есть на другом носителе, замените ею повреждённый файл, "
            "а сам повреждённый файл сохраните отдельно."
        )
    return _fail(
        f"Последняя исправная резервная копия: {good.path} "
        f"(от {good.created_at:%d.%m.%Y %H:%M}). Восстановите базу из неё в программе: "
        "«Файл → Восстановить из резервной копии»."
    )


_INDEX_OR_TABLE = re.compile(r"\bindex (\w+)|\b(?:in|into) (\w+)(?:\.\w+)?\b")


def _damaged_tables(conn: sqlite3.Connection, problems: list[str]) -> list[str]:
    """Return the tables the problems of ``integrity_check`` name (through their indexes)."""
    try:
        owners = {
            str(name): str(table)
            for name, table in conn.execute("SELECT name, tbl_name FROM sqlite_master")
        }
    except sqlite3.DatabaseError:
        return []
    tables: list[str] = []
    for problem in problems:
        for match in _INDEX_OR_TABLE.finditer(problem):
            table = owners.get(match.group(1) or match.group(2) or "")
            if table is not None and table not in tables:
                tables.append(table)
    return tables


def _report_soundness(conn: sqlite3.Connection) -> bool:
    """Print integrity, foreign keys and counts of an open read-only database; True if sound."""
    from shnor_desktop.services.files import damage_found
    from shnor_desktop.services.messages import table_name

    damage = damage_found(conn, full=True)
    if damage:
        _say(f"Целостность: нарушена (найдено ошибок: {len(damage)})")
        tables = _damaged_tables(conn, damage)
        if tables:
            _say("  затронуты разделы: " + ", ".join(table_name(t) for t in tables))
        return False
    _say("Целостность: в порядке")
    try:
        orphans = conn.execute("PRAGMA foreign_key_check").fetchall()
    except sqlite3.DatabaseError:
        _say("Внешние ключи: не удалось проверить (часть файла не читается)")
        return False
    if orphans:
        _say(f"Внешние ключи: нарушены ({len(orphans)} ссылок на отсутствующие записи)")
        for row in orphans[:10]:
            _say(
                f"  раздел {table_name(str(row[0]))}, запись № {row[1]} ссылается "
                f"на отсутствующую запись в разделе {table_name(str(row[2]))}"
            )
    else:
        _say("Внешние ключи: в порядке")
    for label, table in (
        ("Школ", "school"),
        ("Паспортов школ", "school_profile"),
        ("Наборов изменений", "change_set"),
    ):
        count = _count(conn, table)
        _say(f"{label}: {'нет таблицы' if count is None else count}")
    return not orphans


def _cmd_backup(args: argparse.Namespace) -> int:
    from shnor_desktop.services.backup import make_backup

    try:
        info = make_backup(args.db, out_dir=args.out)
    except Exception as exc:  # noqa: BLE001 - every failure is worded for the user
        return _error(exc)
    _say(f"Резервная копия сохранена: {info.path}")
    _say(f"Размер: {format_size(info.size)} ({info.size} байт)")
    return EXIT_OK


_COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "demo": _cmd_demo,
    "check": _cmd_check,
    "backup": _cmd_backup,
    "export": cli_export.run,
    "template": cli_exchange.run_template,
    "import": cli_exchange.run_import,
    "verify": cli_signing.run_verify,
    "make-test-certificate": cli_signing.run_make_test_certificate,
    "report": cli_report.run,
}


def _prefer_safe_output() -> None:
    """Never crash on a console that cannot show a character: replace it instead."""
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(errors="backslashreplace")


def main(argv: list[str] | None = None) -> int:
    """Run the command line with ``argv`` (default: ``sys.argv[1:]``); return the exit code."""
    _prefer_safe_output()
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # -h, --version, usage errors
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    try:
        if args.command is None:
            from shnor_desktop.app import run_gui  # Qt only when the window is wanted

            return run_gui(args.gui_db, bool(args.demo))
        if args.gui_db is not None or args.demo:
            parser.error(
                "--db и --demo перед командой относятся к окну программы; укажите их после команды"
            )
        return _COMMANDS[args.command](args)
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    except KeyboardInterrupt:
        print("Прервано.", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # the output went to a program that stopped reading (| head)
        with contextlib.suppress(OSError):
            sys.stdout = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115
        return EXIT_REJECTED
