"""Checks of database files before the application opens or creates them.

Nothing here writes to a file the user named:

- :func:`check_database_file` looks at an existing database before it is
  opened: a missing path, a folder, a 0-byte file, a truncated copy, a file
  of another program and a damaged file (``PRAGMA quick_check``) each raise
  their own typed error, so the application can say what happened in Russian
  and offer to restore a backup instead of opening (and editing) a broken
  file or silently turning an empty one into a new database.
- :func:`check_new_database_path` tells whether a new database can be made at
  a path (the folder can be made, the name is free and allowed), creating at
  most the missing folders.
- :func:`open_read_only` reads a database without leaving ``-wal``/``-shm``
  files beside it.

The checks use SQLite directly (no :mod:`shnor_desktop.models.database`), so
they work on files the domain layer would refuse.
"""

from __future__ import annotations

import contextlib
import errno as errno_codes
import os
import shutil
import sqlite3
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from shnor_desktop.models.db import read_schema_version
from shnor_desktop.models.errors import DomainError, NotADatabaseError, SchemaTooNewError
from shnor_desktop.models.schema import SCHEMA_VERSION
from shnor_desktop.models.text import fold

SQLITE_MAGIC = b"SQLite format 3\x00"
HEADER_SIZE = 100
DATABASE_SUFFIX = ".sqlite"
QUICK_CHECK_LIMIT = 100
"""At most this many problems are collected: enough to tell damage from a scratch."""


# --------------------------------------------------------------------------- errors
@dataclass
class DatabaseMissingError(DomainError):
    """The database (or backup) file to read does not exist."""

    path: Path


@dataclass
class NotAFileError(DomainError):
    """The path names a folder where a database file is needed."""

    path: Path


@dataclass
class EmptyDatabaseFileError(DomainError):
    """The file holds no database: 0 bytes, or an SQLite file without a single table.

    ``size`` is the file's size in bytes (0 for an empty file).
    """

    path: Path
    size: int = 0


@dataclass
class DatabaseTruncatedError(DomainError):
    """The file is shorter than its own header says: a copy or a write was cut off."""

    path: Path
    size: int
    expected: int


@dataclass
class DatabaseDamagedError(DomainError):
    """SQLite's ``quick_check`` (or ``integrity_check``) found damage in the file.

    ``problems`` are SQLite's own words, for logs and support, never for the user.
    """

    path: Path
    problems: list[str] = field(default_factory=list)


@dataclass
class RelativePathError(DomainError):
    """A new database needs a full path (with its folder), not a bare name."""

    path: Path


@dataclass
class DatabaseExistsError(DomainError):
    """A new database cannot be made where a file with content already is."""

    path: Path


@dataclass
class FolderNotCreatedError(DomainError):
    """The folder of a new database does not exist and cannot be made (``errno`` says why)."""

    folder: Path
    errno: int = 0


@dataclass
class FileNotCreatableError(DomainError):
    """A file cannot be made at the path (a forbidden name, no rights; ``errno`` says why)."""

    path: Path
    errno: int = 0


@dataclass
class PathTooLongError(DomainError):
    """The path is longer than SQLite can open here (``unit``: "chars" or "bytes")."""

    path: Path
    length: int
    limit: int
    unit: str = "chars"


# SQLite appends «-journal» (8) to a database's name and opens at most MAX_PATH (260)
# characters on Windows, 512 bytes elsewhere: past that «unable to open database file».
WINDOWS_PATH_LIMIT = 250
"""Characters of a database's full path on Windows."""
OTHER_PATH_LIMIT = 500
"""UTF-8 bytes of a database's full path elsewhere (a Cyrillic letter takes two)."""


def check_path_length(path: Path, *, windows: bool | None = None) -> None:
    """Raise :class:`PathTooLongError` when SQLite could not open a database at ``path``."""
    text = str(Path(path).absolute())
    if windows if windows is not None else os.name == "nt":
        if len(text) > WINDOWS_PATH_LIMIT:
            raise PathTooLongError(Path(path), len(text), WINDOWS_PATH_LIMIT, "chars")
    elif len(text.encode("utf-8")) > OTHER_PATH_LIMIT:
        raise PathTooLongError(Path(path), len(text.encode("utf-8")), OTHER_PATH_LIMIT, "bytes")


# --------------------------------------------------------------------------- reading
def _fold_sql(value: object) -> str | None:
    return None if value is None else fold(str(value))


def _ru_collation(left: str, right: str) -> int:
    a, b = fold(left), fold(right)
    return (a > b) - (a < b)


def open_read_only(path: Path) -> sqlite3.Connection:
    """Open ``path`` strictly for reading and leave no ``-wal``/``-shm`` file behind.

    Without a ``-wal`` beside the file it is opened ``immutable`` (a plain
    read-only open of a WAL-mode file would create both side files); with one
    (the application has it open, or crashed), the WAL's committed content is
    read as well.  The functions and collations of the schema are registered,
    so ``integrity_check`` can verify every index.
    """
    path = Path(path)
    wal = path.with_name(path.name + "-wal")
    mode = "mode=ro" if wal.exists() else "mode=ro&immutable=1"
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?{mode}", uri=True)
    conn.create_function("fold", 1, _fold_sql, deterministic=True)
    conn.create_collation("RU", _ru_collation)
    return conn


def damage_found(conn: sqlite3.Connection, *, full: bool = False) -> list[str]:
    """Return what ``quick_check`` (``integrity_check`` when ``full``) reports; empty if sound.

    An error SQLite raises while checking (a page it cannot even parse) counts
    as one problem.
    """
    pragma = "integrity_check" if full else "quick_check"
    try:
        rows = conn.execute(f"PRAGMA {pragma}({QUICK_CHECK_LIMIT})").fetchall()
    except sqlite3.DatabaseError as exc:
        return [str(exc)]
    return [str(row[0]) for row in rows if row[0] != "ok"]


def _header(path: Path) -> bytes:
    with path.open("rb") as handle:
        return handle.read(HEADER_SIZE)


def _page_size(header: bytes) -> int:
    raw = int.from_bytes(header[16:18], "big")
    return 65536 if raw == 1 else raw


def _expected_size(header: bytes) -> int | None:
    """Return the size the header promises, or None when the header does not say."""
    page_size = _page_size(header)
    pages = int.from_bytes(header[28:32], "big")
    change_counter = header[24:28]
    valid_for = header[92:96]
    # SQLite trusts the in-header page count only when these two agree (file format §1.3.7).
    if pages == 0 or change_counter != valid_for:
        return None
    return pages * page_size


def _check_length(path: Path, size: int) -> None:
    """Raise :class:`DatabaseTruncatedError` when the file is shorter than its header says."""
    header = _header(path)
    if not header.startswith(SQLITE_MAGIC):
        raise NotADatabaseError(path, "no SQLite header")
    if len(header) < HEADER_SIZE:
        raise DatabaseTruncatedError(path, size, HEADER_SIZE)
    page_size = _page_size(header)
    if page_size < 512 or page_size & (page_size - 1):
        raise DatabaseDamagedError(path, [f"invalid page size {page_size}"])
    expected = _expected_size(header)
    wal = path.with_name(path.name + "-wal")
    has_wal = wal.exists() and wal.stat().st_size > 0
    if expected is not None and size < expected and not has_wal:
        raise DatabaseTruncatedError(path, size, expected)
    if size % page_size:
        # Whole pages only: a cut inside a page is a cut copy whatever the header says.
        raise DatabaseTruncatedError(path, size, (size // page_size + 1) * page_size)


def check_file_shape(path: Path) -> int:
    """Check what can be seen of a database file without SQLite; return its size in bytes.

    Raises :class:`DatabaseMissingError`, :class:`NotAFileError`,
    :class:`EmptyDatabaseFileError` (0 bytes), :class:`NotADatabaseError` (no
    SQLite header) or :class:`DatabaseTruncatedError`.
    """
    path = Path(path)
    if not path.exists():
        raise DatabaseMissingError(path)
    if path.is_dir():
        raise NotAFileError(path)
    check_path_length(path)
    size = path.stat().st_size
    if size == 0:
        raise EmptyDatabaseFileError(path, 0)
    _check_length(path, size)
    return size


def check_database_file(path: Path) -> int:
    """Check an existing database file before the application opens it; return its schema version.

    Reads only.  Raises, in this order of checks:

    - :class:`DatabaseMissingError` — nothing at ``path``;
    - :class:`NotAFileError` — ``path`` is a folder;
    - :class:`EmptyDatabaseFileError` — 0 bytes, or an SQLite file with no table;
    - :class:`NotADatabaseError` — not SQLite at all, or another program's database;
    - :class:`DatabaseTruncatedError` — shorter than its header says;
    - :class:`SchemaTooNewError` — written by a newer version of the application;
    - :class:`DatabaseDamagedError` — ``quick_check`` found damage.

    A database of an older schema passes (the application upgrades it).
    """
    path = Path(path)
    size = check_file_shape(path)
    try:
        version = read_schema_version(path)
    except NotADatabaseError as exc:
        # An SQLite file whose own schema cannot be read is damaged, not foreign.
        if "malformed" in exc.detail or "not a database" in exc.detail:
            raise DatabaseDamagedError(path, [exc.detail]) from exc
        raise
    if version > SCHEMA_VERSION:
        raise SchemaTooNewError(path, version, SCHEMA_VERSION)
    try:
        conn = open_read_only(path)
    except sqlite3.DatabaseError as exc:
        raise DatabaseDamagedError(path, [str(exc)]) from exc
    try:
        try:
            tables = int(conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0])
        except sqlite3.DatabaseError as exc:
            raise DatabaseDamagedError(path, [str(exc)]) from exc
        if version == 0 and tables == 0:
            raise EmptyDatabaseFileError(path, size)
        problems = damage_found(conn)
    finally:
        conn.close()
    if problems:
        raise DatabaseDamagedError(path, problems)
    return version


# --------------------------------------------------------------------------- new files
def normalise_new_path(text: str) -> Path:
    """Return the path typed for a new database, with ``.sqlite`` added when it has no suffix.

    ``~`` is expanded; quotes pasted around a path (Windows Explorer's «Копировать
    как путь») are dropped.
    """
    cleaned = text.strip().strip('"').strip()
    path = Path(os.path.expanduser(cleaned))
    if path.name and not path.suffix:
        path = path.with_name(path.name + DATABASE_SUFFIX)
    return path


def check_new_database_path(path: Path, *, make_folder: bool = True) -> Path:
    """Check that a new database can be made at ``path``; return the path.

    The folder is made when missing (``make_folder``); a file is created and
    removed again to prove the name is allowed there.  An existing 0-byte file
    is accepted (it holds nothing).  Raises :class:`RelativePathError`,
    :class:`PathTooLongError`, :class:`NotAFileError`, :class:`DatabaseExistsError`,
    :class:`FolderNotCreatedError` or :class:`FileNotCreatableError`.
    """
    path = Path(path)
    if not path.is_absolute() or not path.name:
        raise RelativePathError(path)
    check_path_length(path)
    if path.is_dir():
        raise NotAFileError(path)
    if path.exists():
        if path.stat().st_size > 0:
            raise DatabaseExistsError(path)
        return path
    folder = path.parent
    if not folder.is_dir():
        if folder.exists():
            raise FolderNotCreatedError(folder, errno_codes.ENOTDIR)
        if not make_folder:
            raise FolderNotCreatedError(folder, errno_codes.ENOENT)
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise FolderNotCreatedError(folder, exc.errno or 0) from exc
    try:
        with path.open("xb"):
            pass
    except FileExistsError as exc:  # made by someone else in the meantime
        raise DatabaseExistsError(path) from exc
    except OSError as exc:
        raise FileNotCreatableError(path, exc.errno or 0) from exc
    with contextlib.suppress(OSError):
        path.unlink()
    return path


def remove_database_files(path: Path) -> None:
    """Delete a database file and its ``-wal``/``-shm``/``-journal`` (missing ones are fine)."""
    for suffix in ("", "-wal", "-shm", "-journal"):
        with contextlib.suppress(FileNotFoundError):
            Path(f"{path}{suffix}").unlink()


# --------------------------------------------------------------------------- demo folders
DEMO_PREFIX = "shnor-demo-"
STALE_DEMO_AGE = 24 * 3600
"""Seconds after which a demo folder left by a program that crashed is removed."""


def make_demo_folder() -> Path:
    """Make a fresh temporary folder for a demo database."""
    return Path(tempfile.mkdtemp(prefix=DEMO_PREFIX))


def remove_demo_folder(folder: Path) -> None:
    """Delete a demo folder and everything in it; a folder not named like one is left alone."""
    folder = Path(folder)
    if folder.name.startswith(DEMO_PREFIX):
        shutil.rmtree(folder, ignore_errors=True)


def _newest_change(folder: Path) -> float:
    """Return the newest modification time of ``folder`` and the files in it."""
    times = [folder.stat().st_mtime]
    for item in folder.rglob("*"):
        with contextlib.suppress(OSError):
            times.append(item.stat().st_mtime)
    return max(times)


def remove_stale_demo_folders(max_age: float = STALE_DEMO_AGE) -> list[Path]:
    """Delete demo folders older than ``max_age`` seconds in the temporary folder.

    They stay behind only when the program did not close normally; one this
    old belongs to no running program.
    """
    removed: list[Path] = []
    now = time.time()
    with contextlib.suppress(OSError):
        for folder in Path(tempfile.gettempdir()).glob(f"{DEMO_PREFIX}*"):
            with contextlib.suppress(OSError):
                if folder.is_dir() and now - _newest_change(folder) > max_age:
                    remove_demo_folder(folder)
                    removed.append(folder)
    return removed
