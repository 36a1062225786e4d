"""Typed errors of the domain layer.

Models never word messages for the user: they raise these with the facts,
and the UI and the command line word them in Russian.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


class DomainError(Exception):
    """Base of every error the domain raises on purpose."""


@dataclass
class NotADatabaseError(DomainError):
    """The file is not an SQLite database of this application."""

    path: Path
    detail: str = ""


@dataclass
class SchemaTooNewError(DomainError):
    """The database was written by a newer version of the application."""

    path: Path
    found: int
    supported: int


@dataclass
class IntegrityError(DomainError):
    """``PRAGMA integrity_check`` or ``foreign_key_check`` found damage."""

    path: Path
    problems: list[str]


@dataclass
class ConstraintError(DomainError):
    """A write broke a constraint of the schema (a share over 100, a duplicate code)."""

    table: str
    detail: str


@dataclass
class RecordNotFoundError(DomainError):
    """A row that a change refers to no longer exists."""

    table: str
    row_id: int


@dataclass
class RevertConflictError(DomainError):
    """A change set cannot be reverted: a later change touched the same values."""

    set_id: int
    table: str
    row_id: int
    column: str


@dataclass
class AlreadyRevertedError(DomainError):
    """The change set was reverted before."""

    set_id: int


@dataclass
class DatabaseLockedError(DomainError):
    """The database could not be written now.

    ``holder`` says who holds it: ``"program"`` (another program or window has a
    write lock on the file) or ``"operation"`` (a long operation of this
    application, such as an import, is writing in the background).
    """

    path: Path
    holder: str = "program"


@dataclass
class NestedChangeSetError(DomainError):
    """A change set was opened inside another one with a different meaning.

    A nested change set may join the open one only when it is of the same kind
    and reverts nothing; otherwise its kind or ``reverts_id`` would be lost.
    """

    outer_kind: str
    inner_kind: str


class Cancelled(DomainError):
    """The user cancelled a long operation; nothing of it was kept."""


@dataclass
class ReadOnlyDatabaseError(DomainError):
    """The database is open read-only, so nothing can be written to it.

    ``reason`` says why it was opened so: ``"file"`` (the file or its folder is
    write-protected), ``"instance"`` (another window of the program has it and
    does not answer), or ``"upgrade"`` (an older schema that a read-only file
    cannot be upgraded to).
    """

    path: Path
    reason: str = "file"


@dataclass
class DatabaseUnavailableError(DomainError):
    """The database file cannot be reached any more (a pulled-out USB stick, a lost share).

    Raised before a write starts, so nothing was written; ``detail`` is the
    system's own word, if any.
    """

    path: Path
    detail: str = ""
