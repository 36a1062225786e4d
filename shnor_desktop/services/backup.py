"""Backups of the database file with SQLite's online backup API.

A backup is one self-contained SQLite file (journal mode DELETE, no ``-wal``
beside it) in a folder next to the database, ``<stem>-backups/``, named

    <stem>-YYYYMMDD-HHMMSS-<reason>.sqlite      (local time)
    <stem>-YYYYMMDD-HHMMSS-<reason>_2.sqlite    (a second one in the same second)

:func:`make_backup` opens its own read-only connection, so it can run in a
worker thread while the GUI keeps its connection open; a writer is never
blocked (WAL).  Each copy is checked with ``PRAGMA integrity_check`` before it
takes its final name.

Backups are of three kinds, told by their reason (:func:`backup_kind`), and
old ones are pruned by kind (:class:`RetentionPolicy`), so a deliberate copy
never makes way for the copies made at every opening:

- automatic (``open``): the last few, one a day for a week, one a week for
  about a month, and all of them together within a space bound;
- pre-operation (``before-…``: before a schema upgrade, a restore, an import):
  the newest ten;
- manual (anything else: the menu item, the command line): never deleted.

Files in the folder that do not follow the naming pattern are never touched.

:func:`restore_backup` copies a checked backup back into the database file
(after saving the current content as a backup with reason ``before-restore``);
:func:`open_with_backup` opens the database for the application and backs an
older schema up before migrating it.
"""

from __future__ import annotations

import contextlib
import glob
import os
import re
import shutil
import sqlite3
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from shnor_desktop.models.database import Database
from shnor_desktop.models.db import read_schema_version
from shnor_desktop.models.errors import DomainError, NotADatabaseError, SchemaTooNewError
from shnor_desktop.models.schema import SCHEMA_VERSION
from shnor_desktop.services.files import (
    DatabaseDamagedError,
    DatabaseMissingError,
    EmptyDatabaseFileError,
    check_database_file,
    damage_found,
    open_read_only,
)

__all__ = [
    "AUTOMATIC",
    "AUTOMATIC_REASONS",
    "DEFAULT_POLICY",
    "MANUAL",
    "PRE_OPERATION",
    "BackupCancelled",
    "BackupDamagedError",
    "BackupError",
    "BackupFailedError",
    "BackupInfo",
    "DatabaseBusyError",
    "DatabaseDamagedError",
    "DatabaseMissingError",
    "RestoreSameFileError",
    "RetentionPolicy",
    "backup_dir_for",
    "backup_kind",
    "backups_to_prune",
    "check_backup_file",
    "last_backup",
    "list_backups",
    "make_backup",
    "newest_sound_backup",
    "open_with_backup",
    "prune_backups",
    "restore_backup",
]

ProgressCallback = Callable[[int, int], None]
CancelCallback = Callable[[], bool]

PAGES_PER_STEP = 256
"""Pages copied between two progress reports (1 MiB with 4 KiB pages)."""
SUFFIX = ".sqlite"
BUSY_TIMEOUT = 2.0
"""Seconds a restore waits for another connection to let go of the database."""
_PARTIAL_PREFIX = "."
_PARTIAL_SUFFIX = ".part"
_SIDE_FILES = ("-wal", "-shm", "-journal")

# Backups made in this process are named under this lock, so two threads
# finishing in the same second do not pick the same name.
_naming_lock = threading.Lock()


# --------------------------------------------------------------------------- errors
class BackupError(DomainError):
    """Base of the errors raised by backup and restore."""


class BackupCancelled(BackupError):
    """The caller cancelled the backup; no file was left behind."""


@dataclass
class BackupDamagedError(BackupError):
    """The fresh copy of ``source`` failed ``integrity_check``; it was deleted."""

    source: Path
    problems: list[str] = field(default_factory=list)


@dataclass
class BackupFailedError(BackupError):
    """SQLite stopped the copy (a full disk, an unreadable page); ``detail`` is its word."""

    path: Path
    detail: str = ""


@dataclass
class DatabaseBusyError(BackupError):
    """The database is held by another connection (the application must close it first)."""

    path: Path
    detail: str = ""


@dataclass
class RestoreSameFileError(BackupError):
    """A backup cannot be restored onto itself."""

    path: Path


# --------------------------------------------------------------------------- naming
@dataclass(frozen=True)
class BackupInfo:
    """One backup file: where it is, when it was made, why, and its size in bytes."""

    path: Path
    created_at: datetime
    reason: str
    size: int


def backup_dir_for(db_path: Path) -> Path:
    """Return the default folder of the backups of ``db_path`` (beside the database)."""
    db_path = Path(db_path)
    return db_path.parent / f"{db_path.stem}-backups"


def _clean_reason(reason: str) -> str:
    """Reduce ``reason`` to the characters a backup name may carry (``[A-Za-z0-9-]``)."""
    cleaned = re.sub(r"[^A-Za-z0-9-]+", "-", reason).strip("-")
    return cleaned or "manual"


def _pattern(stem: str) -> re.Pattern[str]:
    return re.compile(
        rf"^{re.escape(stem)}-(\d{{8}}-\d{{6}})-([A-Za-z0-9-]+?)(?:_(\d+))?{re.escape(SUFFIX)}$"
    )


def _parse(path: Path, pattern: re.Pattern[str]) -> tuple[BackupInfo, int] | None:
    """Return the info of a backup file and its same-second counter, or None."""
    match = pattern.match(path.name)
    if match is None:
        return None
    try:
        created = datetime.strptime(match.group(1), "%Y%m%d-%H%M%S")
        size = path.stat().st_size
    except (ValueError, OSError):
        return None
    if not path.is_file():
        return None
    return BackupInfo(path, created, match.group(2), size), int(match.group(3) or 1)


def _listed(db_path: Path, out_dir: Path | None) -> list[tuple[BackupInfo, int]]:
    folder = Path(out_dir) if out_dir is not None else backup_dir_for(db_path)
    if not folder.is_dir():
        return []
    pattern = _pattern(Path(db_path).stem)
    found = [parsed for p in folder.iterdir() if (parsed := _parse(p, pattern)) is not None]
    found.sort(key=lambda item: (item[0].created_at, item[1], item[0].path.name), reverse=True)
    return found


def list_backups(db_path: Path, out_dir: Path | None = None) -> list[BackupInfo]:
    """Return the backups of ``db_path`` in ``out_dir`` (default: its backup folder), newest first.

    Only files named like this module names them count; others are ignored.
    """
    return [info for info, _ in _listed(db_path, out_dir)]


def last_backup(db_path: Path, out_dir: Path | None = None) -> BackupInfo | None:
    """Return the newest backup of ``db_path``, or None when there is none."""
    backups = list_backups(db_path, out_dir)
    return backups[0] if backups else None


def _remove_with_side_files(path: Path) -> None:
    for suffix in ("", *_SIDE_FILES):
        with contextlib.suppress(FileNotFoundError):
            Path(f"{path}{suffix}").unlink()


# --------------------------------------------------------------------------- retention
AUTOMATIC = "automatic"
PRE_OPERATION = "pre-operation"
MANUAL = "manual"
AUTOMATIC_REASONS = frozenset({"open", "auto"})
"""Reasons of the copies the application makes by itself."""


def backup_kind(reason: str) -> str:
    """Return the kind of a backup made for ``reason``: AUTOMATIC, PRE_OPERATION or MANUAL."""
    if reason in AUTOMATIC_REASONS:
        return AUTOMATIC
    if reason.startswith("before-"):
        return PRE_OPERATION
    return MANUAL


@dataclass(frozen=True)
class RetentionPolicy:
    """Which old backups of a database are deleted after a new one is made.

    Automatic copies: the ``recent`` newest, the newest of each of the last
    ``days`` days, the newest of each calendar week of the last ``weeks``
    weeks; of those, newest first, only as many as fit in ``max_bytes``
    together (the newest one always stays).  Pre-operation copies: the
    ``pre_operation`` newest.  Manual copies are never deleted.
    """

    recent: int = 3
    days: int = 7
    weeks: int = 5
    max_bytes: int = 2 * 1024**3
    pre_operation: int = 10


DEFAULT_POLICY = RetentionPolicy()


def _automatic_kept(
    automatic: list[BackupInfo], policy: RetentionPolicy, now: datetime
) -> set[Path]:
    """Return the automatic backups (newest first in ``automatic``) the schedule keeps."""
    keep = {info.path for info in automatic[: policy.recent]}
    days: set[object] = set()
    weeks: set[object] = set()
    today = now.date()
    for info in automatic:
        day = info.created_at.date()
        age = (today - day).days
        if age < policy.days and day not in days:
            days.add(day)
            keep.add(info.path)
        week = day.isocalendar()[:2]
        if age < policy.weeks * 7 and week not in weeks:
            weeks.add(week)
            keep.add(info.path)
    # The space bound, newest first: once a copy does not fit, older ones go too.
    total = 0
    over = False
    for index, info in enumerate(automatic):
        if info.path not in keep:
            continue
        total += info.size
        if over or (index > 0 and total > policy.max_bytes):
            over = True
            keep.discard(info.path)
    return keep


def backups_to_prune(
    backups: list[BackupInfo], policy: RetentionPolicy = DEFAULT_POLICY, now: datetime | None = None
) -> list[BackupInfo]:
    """Return which of ``backups`` (newest first) ``policy`` deletes, as of ``now``."""
    now = now or datetime.now()
    automatic = [b for b in backups if backup_kind(b.reason) == AUTOMATIC]
    pre_operation = [b for b in backups if backup_kind(b.reason) == PRE_OPERATION]
    keep = _automatic_kept(automatic, policy, now)
    keep |= {b.path for b in pre_operation[: policy.pre_operation]}
    return [b for b in backups if backup_kind(b.reason) != MANUAL and b.path not in keep]


def prune_backups(
    db_path: Path,
    out_dir: Path | None = None,
    *,
    policy: RetentionPolicy = DEFAULT_POLICY,
    now: datetime | None = None,
    protect: set[Path] | frozenset[Path] = frozenset(),
) -> list[Path]:
    """Delete the backups of ``db_path`` that ``policy`` no longer keeps; return their paths.

    A backup in ``protect`` stays whatever the policy says; a file that cannot
    be deleted (locked by another program) is left for the next time.
    """
    folder = Path(out_dir) if out_dir is not None else backup_dir_for(db_path)
    protected = {p.resolve() for p in protect}
    deleted: list[Path] = []
    for info in backups_to_prune(list_backups(db_path, folder), policy, now):
        if info.path.resolve() in protected:
            continue
        with contextlib.suppress(OSError):  # a locked old copy must not fail the new one
            _remove_with_side_files(info.path)
            deleted.append(info.path)
    return deleted


def _final_name(folder: Path, stem: str, created: datetime, reason: str) -> Path:
    """Return a free name for a backup made at ``created``.

    A second backup in the same second (whatever its reason) gets ``_2``, the
    next ``_3``: the counter orders backups within one second.
    """
    stamp = f"{created:%Y%m%d-%H%M%S}"
    pattern = _pattern(stem)
    counters = [
        int(match.group(3) or 1)
        for path in folder.glob(f"{glob.escape(stem)}-{stamp}-*{SUFFIX}")
        if (match := pattern.match(path.name)) is not None
    ]
    counter = max(counters, default=0) + 1
    base = f"{stem}-{stamp}-{reason}"
    candidate = folder / (f"{base}{SUFFIX}" if counter == 1 else f"{base}_{counter}{SUFFIX}")
    while candidate.exists():  # a file of another shape already took the name
        counter += 1
        candidate = folder / f"{base}_{counter}{SUFFIX}"
    return candidate


# --------------------------------------------------------------------------- backup
def _open_source(path: Path) -> sqlite3.Connection:
    """Open ``path`` for reading the backup, refusing a missing file or a non-database.

    The connection takes SQLite's locks (a copy is one consistent snapshot even
    if the application opens the file meanwhile) and writes nothing
    (``query_only``).  It is opened read-write where it can be: the last
    connection to close removes the ``-wal``/``-shm`` files, which a read-only
    one would leave beside a database that had none.
    """
    if not path.is_file():
        raise DatabaseMissingError(path)
    read_schema_version(path)  # raises NotADatabaseError for a foreign or damaged header
    uri = path.resolve().as_uri()
    with contextlib.suppress(sqlite3.Error):
        conn = sqlite3.connect(f"{uri}?mode=rw", uri=True, isolation_level=None)
        try:
            conn.execute("PRAGMA query_only = ON")
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlite3.Error:
            conn.close()
        else:
            return conn
    try:  # a write-protected file or folder: read it read-only
        return sqlite3.connect(f"{uri}?mode=ro", uri=True, isolation_level=None)
    except sqlite3.Error as exc:
        raise NotADatabaseError(path, str(exc)) from exc


def _copy(
    src: sqlite3.Connection,
    dst: sqlite3.Connection,
    progress: ProgressCallback | None,
    cancel: CancelCallback | None,
) -> None:
    """Copy all pages of ``src`` into ``dst`` step by step, reporting and honouring cancel."""

    def step(_status: int, remaining: int, total: int) -> None:
        if cancel is not None and cancel():
            raise BackupCancelled
        if progress is not None:
            progress(total - remaining, total)

    src.backup(dst, pages=PAGES_PER_STEP, progress=step)


def _check_copy(dst: sqlite3.Connection, source: Path, cancel: CancelCallback | None) -> None:
    """Run ``integrity_check`` on the copy; raise when it is damaged or the caller cancels."""
    if cancel is not None:
        dst.set_progress_handler(lambda: 1 if cancel() else 0, 10_000)
    try:
        problems = [str(row[0]) for row in dst.execute("PRAGMA integrity_check") if row[0] != "ok"]
    except sqlite3.OperationalError as exc:
        if cancel is not None and cancel():
            raise BackupCancelled from exc
        raise
    finally:
        dst.set_progress_handler(None, 0)
    if problems:
        raise BackupDamagedError(source, problems)


def make_backup(
    db_path: Path,
    *,
    reason: str = "manual",
    out_dir: Path | None = None,
    policy: RetentionPolicy = DEFAULT_POLICY,
    progress: ProgressCallback | None = None,
    cancel: CancelCallback | None = None,
    rotate: bool = True,
) -> BackupInfo:
    """Copy the database at ``db_path`` into a new checked backup file and return its info.

    Safe to call from a worker thread while the application has the database
    open: the copy is read through a connection of its own.  ``progress(done,
    total)`` counts pages; ``cancel()`` returning true stops the work with
    :class:`BackupCancelled` and leaves no file.  After the copy is in place,
    old backups of this database in the folder are pruned by ``policy``
    (:func:`prune_backups`).

    Raises :class:`DatabaseMissingError`, :class:`NotADatabaseError`,
    :class:`BackupDamagedError`, :class:`BackupFailedError`,
    :class:`BackupCancelled` or :class:`OSError`
    (a full disk, a folder that cannot be written).  ``rotate=False`` skips
    the clean-up of old copies.
    """
    db_path = Path(db_path)
    folder = Path(out_dir) if out_dir is not None else backup_dir_for(db_path)
    reason = _clean_reason(reason)
    if cancel is not None and cancel():
        raise BackupCancelled
    src = _open_source(db_path)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(
            prefix=f"{_PARTIAL_PREFIX}{db_path.stem}-", suffix=_PARTIAL_SUFFIX, dir=folder
        )
        os.close(fd)
        partial = Path(name)
        try:
            dst = sqlite3.connect(partial, isolation_level=None)
            try:
                # One read transaction: the copy is one consistent snapshot even
                # when the application writes meanwhile (WAL lets it).
                src.execute("BEGIN")
                try:
                    src.execute("SELECT count(*) FROM sqlite_master").fetchone()
                    _copy(src, dst, progress, cancel)
                finally:
                    src.execute("COMMIT")
                dst.execute("PRAGMA journal_mode = DELETE")
                _check_copy(dst, db_path, cancel)
            finally:
                dst.close()
            with _naming_lock:
                created = datetime.now().replace(microsecond=0)
                final = _final_name(folder, db_path.stem, created, reason)
                os.replace(partial, final)
        except BaseException:
            _remove_with_side_files(partial)
            raise
    except sqlite3.DatabaseError as exc:
        if "malformed" in str(exc) or "not a database" in str(exc):
            raise BackupDamagedError(db_path, [str(exc)]) from exc
        raise BackupFailedError(db_path, str(exc)) from exc
    finally:
        src.close()
    info = BackupInfo(final, created, reason, final.stat().st_size)
    if rotate:
        prune_backups(db_path, folder, policy=policy, protect={final})
    return info


def _raw_copy(db_path: Path, reason: str) -> BackupInfo:
    """Save the bytes of a file SQLite cannot read (with its ``-wal``) as a backup."""
    folder = backup_dir_for(db_path)
    folder.mkdir(parents=True, exist_ok=True)
    with _naming_lock:
        created = datetime.now().replace(microsecond=0)
        final = _final_name(folder, db_path.stem, created, reason)
        shutil.copyfile(db_path, final)
    wal = Path(f"{db_path}-wal")
    if wal.is_file():
        shutil.copyfile(wal, Path(f"{final}-wal"))
    return BackupInfo(final, created, reason, final.stat().st_size)


# --------------------------------------------------------------------------- restore
def check_backup_file(backup_path: Path, *, quick: bool = False) -> int:
    """Check that ``backup_path`` is a sound database of ours that this version can open.

    Returns its schema version.  Raises :class:`DatabaseMissingError`,
    :class:`NotADatabaseError`, :class:`SchemaTooNewError` or
    :class:`DatabaseDamagedError` (``integrity_check`` or ``foreign_key_check``
    found damage).  Reads only, and leaves no ``-wal``/``-shm`` beside the file.
    ``quick`` runs ``quick_check`` instead (a 200 MB file: 0.4 s against 8 s),
    enough to pick a candidate among copies that were fully checked when made.
    """
    backup_path = Path(backup_path)
    if not backup_path.is_file():
        raise DatabaseMissingError(backup_path)
    version = read_schema_version(backup_path)
    if version < 1:
        raise NotADatabaseError(backup_path, "empty database")
    if version > SCHEMA_VERSION:
        raise SchemaTooNewError(backup_path, version, SCHEMA_VERSION)
    try:
        conn = open_read_only(backup_path)
        try:
            problems = damage_found(conn, full=not quick)
            if not problems:
                problems = [
                    f"foreign key: {row[0]} row {row[1]} -> {row[2]}"
                    for row in conn.execute("PRAGMA foreign_key_check")
                ]
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise DatabaseDamagedError(backup_path, [str(exc)]) from exc
    if problems:
        raise DatabaseDamagedError(backup_path, problems)
    return version


def newest_sound_backup(db_path: Path, out_dir: Path | None = None) -> BackupInfo | None:
    """Return the newest backup of ``db_path`` that passes :func:`check_backup_file`, or None.

    Copies of a damaged database saved byte for byte before a restore fail the
    check and are passed over.  The check is the quick one (every copy passed
    the full one when it was made; :func:`restore_backup` runs it again).
    """
    for info in list_backups(db_path, out_dir):
        try:
            check_backup_file(info.path, quick=True)
        except (DomainError, OSError):
            continue
        return info
    return None


def _sound(db_path: Path) -> bool:
    """Tell whether ``db_path`` passes the checks made before opening (quick_check included)."""
    try:
        check_database_file(db_path)
    except (DomainError, OSError):
        return False
    return True


def _open_exclusive_target(db_path: Path) -> sqlite3.Connection:
    """Open ``db_path`` for writing in journal mode DELETE, proving no one else has it open.

    Leaving WAL needs the file to ourselves; and the backup API cannot copy
    into a WAL database whose page size differs from the source's.
    """
    dst = sqlite3.connect(db_path, isolation_level=None, timeout=BUSY_TIMEOUT)
    try:
        mode = dst.execute("PRAGMA journal_mode = DELETE").fetchone()[0]
    except sqlite3.OperationalError as exc:
        dst.close()
        raise DatabaseBusyError(db_path, str(exc)) from exc
    if str(mode).lower() != "delete":
        dst.close()
        raise DatabaseBusyError(db_path, f"journal_mode stayed {mode}")
    return dst


def restore_backup(backup_path: Path, db_path: Path) -> BackupInfo:
    """Replace the content of ``db_path`` with the backup at ``backup_path``.

    The caller must have closed its own connection to ``db_path`` first
    (:meth:`Database.close`); while another connection holds the file,
    :class:`DatabaseBusyError` is raised and nothing changes.

    The backup is checked first (:func:`check_backup_file`): a file that is
    not a database of ours, a damaged one or one of a newer schema is refused
    and nothing is written.  Then the current content is saved as a backup
    with reason ``before-restore`` (a current file that SQLite cannot read is
    saved byte for byte), and the backup is copied into ``db_path`` with the
    backup API, so the database file and its WAL stay consistent.  A backup
    of an older schema is upgraded the next time the database is opened.

    Returns the info of the ``before-restore`` backup.  ``db_path`` must exist
    (:class:`DatabaseMissingError` otherwise): to bring back a deleted
    database, copy the backup file to its place.
    """
    backup_path = Path(backup_path)
    db_path = Path(db_path)
    check_backup_file(backup_path)
    if backup_path.resolve() == db_path.resolve():
        raise RestoreSameFileError(db_path)

    if not db_path.is_file():
        raise DatabaseMissingError(db_path)
    saved: BackupInfo | None = None
    # A damaged file is saved byte for byte before anything (even its journal mode) changes.
    if _sound(db_path):
        # Opened first: it fails while someone holds the file, before anything is written.
        dst = _open_exclusive_target(db_path)
        try:
            saved = make_backup(db_path, reason="before-restore", rotate=False)
        except (BackupDamagedError, BackupFailedError, NotADatabaseError):
            dst.close()
        except BaseException:
            dst.close()
            raise
    if saved is None:  # the current file is damaged or not ours: keep its bytes, start afresh
        saved = _raw_copy(db_path, "before-restore")
        _remove_with_side_files(db_path)
        dst = _open_exclusive_target(db_path)
    try:
        src = open_read_only(backup_path)
        try:
            src.backup(dst)
        finally:
            src.close()
        dst.execute("PRAGMA journal_mode = WAL")
    finally:
        dst.close()
    prune_backups(db_path, saved.path.parent, protect={saved.path, backup_path})
    return saved


# --------------------------------------------------------------------------- opening
def open_with_backup(db_path: Path, *, create: bool = False, read_only: bool = False) -> Database:
    """Open the database at ``db_path`` for the application, backing up before a migration.

    The file is checked first (:func:`~shnor_desktop.services.files.check_database_file`):
    a missing, empty, truncated, foreign or damaged file raises its typed error
    and is left as it was.  A database of an older schema is first saved with
    reason ``before-v<new>`` and then upgraded; if the backup fails, the
    database is not touched.  A database of a newer schema raises
    :class:`SchemaTooNewError` and is left byte for byte as it was.

    With ``create`` a new, empty database is made when the file is missing or
    has 0 bytes (the caller asked the user first).  ``read_only`` opens it for
    viewing only (a write-protected file, a window of the program that hung):
    nothing is migrated or written.
    """
    db_path = Path(db_path)

    def before_upgrade(path: Path, _old: int, new: int) -> None:
        make_backup(path, reason=f"before-v{new}")

    try:
        check_database_file(db_path)
    except (DatabaseMissingError, EmptyDatabaseFileError):
        if not create or read_only:
            raise
    return Database.open(db_path, before_upgrade=before_upgrade, read_only=read_only)
