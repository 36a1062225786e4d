"""Opening the SQLite file: pragmas, schema version checks and migrations.

Every connection gets ``foreign_keys=ON``, WAL and ``synchronous=FULL``.  The
schema version is checked on a read-only connection first, so a database
written by a newer application is refused without a byte of it changing.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable
from dataclasses import fields
from pathlib import Path
from typing import Any, TypeVar

from shnor_desktop.models.errors import (
    NotADatabaseError,
    ReadOnlyDatabaseError,
    SchemaTooNewError,
)
from shnor_desktop.models.metrics import register_sql
from shnor_desktop.models.schema import MIGRATIONS, SCHEMA_VERSION
from shnor_desktop.models.text import fold

APPLICATION_ID = 0x53484E52  # "SHNR": tells our files from other SQLite files

BeforeUpgrade = Callable[[Path, int, int], None]
WRITE_BUSY_TIMEOUT = 2.0
"""Seconds a statement waits for another program's lock before SQLite says "busy"."""
T = TypeVar("T")


def row_values(row: sqlite3.Row, cls: type[Any]) -> dict[str, Any]:
    """Return the columns of ``row`` that are fields of the dataclass ``cls``."""
    names = {f.name for f in fields(cls)}
    return {k: row[k] for k in row.keys() if k in names}  # noqa: SIM118 (Row iterates values)


def from_row(cls: type[T], row: sqlite3.Row) -> T:
    """Build the dataclass ``cls`` from the matching columns of ``row``."""
    return cls(**row_values(row, cls))


def connect(
    path: Path, *, read_only: bool = False, reader: bool = False, immutable: bool = False
) -> sqlite3.Connection:
    """Open a connection with the pragmas every connection of the app needs.

    The writer and the per-thread readers of the application may be used from
    another thread than the one that opened them (the change log guards the
    writer with a lock; a reader belongs to one thread but is closed by the
    thread that closes the database), so ``check_same_thread`` is off.
    ``reader=True`` opens a connection that refuses writes (``query_only``);
    ``immutable`` (with ``read_only``) tells SQLite that nobody changes the file.
    """
    if read_only:
        flags = "mode=ro&immutable=1" if immutable else "mode=ro"
        conn = sqlite3.connect(
            f"{path.resolve().as_uri()}?{flags}", uri=True, check_same_thread=False
        )
    else:
        conn = sqlite3.connect(
            path, isolation_level=None, timeout=WRITE_BUSY_TIMEOUT, check_same_thread=False
        )
    conn.row_factory = sqlite3.Row
    conn.create_function("fold", 1, _sql_fold, deterministic=True)
    conn.create_collation("RU", _ru_collation)
    register_sql(conn)  # ``metric(key, …)``: the formulas of models/metrics.py in SQL
    conn.execute("PRAGMA foreign_keys = ON")
    if reader:
        conn.execute("PRAGMA query_only = ON")
    elif not read_only:
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = FULL")
    return conn


def _sql_fold(value: object) -> str | None:
    return None if value is None else fold(str(value))


def _ru_collation(left: str, right: str) -> int:
    """Order text as a Russian reader expects: case-insensitive, ё beside е."""
    a, b = fold(left), fold(right)
    return (a > b) - (a < b)


def read_schema_version(path: Path) -> int:
    """Return ``user_version`` of an existing file, refusing non-databases."""
    # Without a WAL beside the file, open it immutable: a plain read-only open
    # of a WAL-mode file would leave -wal and -shm files next to it.
    wal = path.with_name(path.name + "-wal")
    mode = "mode=ro" if wal.exists() else "mode=ro&immutable=1"
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?{mode}", uri=True)
        try:
            version = int(conn.execute("PRAGMA user_version").fetchone()[0])
            app_id = int(conn.execute("PRAGMA application_id").fetchone()[0])
            tables = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise NotADatabaseError(path, str(exc)) from exc
    if app_id not in (0, APPLICATION_ID) or (app_id == 0 and tables and version == 0):
        raise NotADatabaseError(path, "foreign database")
    return version


def writable(path: Path) -> bool:
    """Tell whether the application may write ``path``: the file and its folder (for the WAL).

    False for a write-protected file (Windows' read-only attribute), a file on a
    locked medium, or a folder the user may not write in.
    """
    path = Path(path)
    return os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)


def open_database(
    path: Path, before_upgrade: BeforeUpgrade | None = None, *, read_only: bool = False
) -> sqlite3.Connection:
    """Open (creating if missing) the database at ``path`` and bring its schema up to date.

    ``before_upgrade(path, old, new)`` runs before an existing database is
    migrated, so the caller can back it up first.  ``read_only`` opens an
    existing database of the current schema for viewing: the connection
    refuses every write (``query_only``; the change log then raises
    :class:`ReadOnlyDatabaseError` before a write starts).
    """
    path = Path(path)
    if read_only:
        version = read_schema_version(path)
        if version > SCHEMA_VERSION:
            raise SchemaTooNewError(path, version, SCHEMA_VERSION)
        if version < SCHEMA_VERSION:
            raise ReadOnlyDatabaseError(path, "upgrade")
        # Without a WAL beside it nobody has the file open for writing: open it immutable,
        # so a viewer leaves no -wal/-shm beside a write-protected file (nor needs them).
        wal = path.with_name(path.name + "-wal")
        conn = connect(path, read_only=True, immutable=not wal.exists())
        conn.execute("PRAGMA query_only = ON")
        return conn
    exists = path.exists() and path.stat().st_size > 0
    if exists:
        version = read_schema_version(path)
        if version > SCHEMA_VERSION:
            raise SchemaTooNewError(path, version, SCHEMA_VERSION)
        if 0 < version < SCHEMA_VERSION and before_upgrade is not None:
            before_upgrade(path, version, SCHEMA_VERSION)
    conn = connect(path)
    try:
        migrate(conn)
    except BaseException:
        conn.close()
        raise
    return conn


def migrate(conn: sqlite3.Connection) -> int:
    """Run the pending migrations in one exclusive transaction; return the new version."""
    conn.execute("BEGIN EXCLUSIVE")
    try:
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        if version > SCHEMA_VERSION:
            raise SchemaTooNewError(Path(conn_path(conn)), version, SCHEMA_VERSION)
        for steps in MIGRATIONS[version:]:
            for step in steps:
                if isinstance(step, str):
                    for statement in _statements(step):
                        conn.execute(statement)
                else:
                    step(conn)
        if version < SCHEMA_VERSION:
            conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return SCHEMA_VERSION


def _statements(script: str) -> list[str]:
    """Split a migration script into statements (``executescript`` would commit)."""
    statements: list[str] = []
    buffer = ""
    for line in script.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            statements.append(buffer.strip())
            buffer = ""
    if buffer.strip():
        statements.append(buffer.strip())
    return statements


def conn_path(conn: sqlite3.Connection) -> str:
    """Return the file name of the main database of ``conn``."""
    for row in conn.execute("PRAGMA database_list"):
        if row[1] == "main":
            return str(row[2])
    return ""


def integrity_problems(conn: sqlite3.Connection) -> list[str]:
    """Return what ``integrity_check`` and ``foreign_key_check`` report (empty if sound)."""
    problems = [str(row[0]) for row in conn.execute("PRAGMA integrity_check") if row[0] != "ok"]
    for row in conn.execute("PRAGMA foreign_key_check"):
        problems.append(f"foreign key: {row[0]} row {row[1]} -> {row[2]}")
    return problems
