"""The one write path: every insert, update and delete is recorded here.

A change set groups the row changes of one user action (an edit, an import,
the demo build) in one transaction.  Because each change keeps the old and
new values of the columns it touched, the same log serves three needs:

* undo/redo of GUI edits (:class:`UndoStack`),
* the history of a single field (:meth:`ChangeLog.field_history`),
* reverting a whole change set, such as rolling back an import
  (:meth:`ChangeLog.revert`).

Deleting a row removes the rows that belong to it (NOT NULL foreign keys)
and clears optional references to it, each recorded, so that a revert
restores all of them.
"""

from __future__ import annotations

import getpass
import json
import sqlite3
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from shnor_desktop.models.errors import (
    AlreadyRevertedError,
    ConstraintError,
    RecordNotFoundError,
    RevertConflictError,
)
from shnor_desktop.models.schema import DERIVED

Value = Any
Row = dict[str, Value]

# Tables the log itself lives in; writes to them are not logged again.
_UNTRACKED = frozenset({"change", "change_set", "meta", "sqlite_sequence"})


@dataclass(frozen=True)
class ChangeSetInfo:
    """A committed change set: who, when, what kind, and which rows it touched."""

    id: int
    created_at: str
    actor: str
    kind: str
    label: str
    reverts_id: int | None = None
    reverted_by: int | None = None
    tables: frozenset[str] = frozenset()
    row_count: int = 0


@dataclass(frozen=True)
class FieldChange:
    """One change of one field, for the history of a record."""

    set_id: int
    created_at: str
    actor: str
    kind: str
    label: str
    op: str
    old: Value
    new: Value


@dataclass
class _Foreign:
    table: str
    column: str
    not_null: bool


def _with_derived(table: str, values: Row, merged: Mapping[str, Value]) -> Row:
    """Add the derived column of ``table`` (a search key) when its sources are written."""
    derived = DERIVED.get(table)
    if derived is not None:
        column, sources, function = derived
        if any(s in values for s in sources):
            values[column] = function(*(str(merged.get(s) or "") for s in sources))
    return values


def _now() -> str:
    return datetime.now().isoformat(timespec="seconds")


def _actor() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no user name in some service environments
        return ""


class ChangeSet:
    """The writes of one open change set; obtained from :meth:`ChangeLog.change_set`."""

    def __init__(self, log: ChangeLog, set_id: int) -> None:
        self._log = log
        self.id = set_id
        self._seq = 0
        self.tables: set[str] = set()
        self.row_count = 0

    @property
    def _conn(self) -> sqlite3.Connection:
        return self._log.conn

    def _record(self, table: str, row_id: int, op: str, old: Row | None, new: Row | None) -> None:
        self._seq += 1
        self._conn.execute(
            "INSERT INTO change (set_id, seq, table_name, row_id, op, old_values, new_values)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                self.id,
                self._seq,
                table,
                row_id,
                op,
                None if old is None else json.dumps(old, ensure_ascii=False),
                None if new is None else json.dumps(new, ensure_ascii=False),
            ),
        )
        self.tables.add(table)
        self.row_count += 1

    def insert(self, table: str, values: Mapping[str, Value]) -> int:
        """Insert a row and return its id (``values`` may carry an explicit ``id``)."""
        self._log.checked_columns(table, values)
        values = _with_derived(table, dict(values), values)
        columns = list(values)
        sql = (
            f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)})"
        )
        try:
            cursor = self._conn.execute(sql, [values[c] for c in columns])
        except sqlite3.IntegrityError as exc:
            raise ConstraintError(table, str(exc)) from exc
        row_id = int(cursor.lastrowid or values.get("id") or 0)
        self._record(table, row_id, "insert", None, self._log.read_row(table, row_id))
        return row_id

    def update(self, table: str, row_id: int, values: Mapping[str, Value]) -> bool:
        """Change the given columns of a row; return False when nothing differed."""
        self._log.checked_columns(table, values)
        current = self._log.read_row(table, row_id)
        if current is None:
            raise RecordNotFoundError(table, row_id)
        values = _with_derived(table, dict(values), {**current, **values})
        changed = [c for c in values if c != "id" and current[c] != values[c]]
        if not changed:
            return False
        sql = f"UPDATE {table} SET {', '.join(f'{c} = ?' for c in changed)} WHERE id = ?"
        try:
            self._conn.execute(sql, [*(values[c] for c in changed), row_id])
        except sqlite3.IntegrityError as exc:
            raise ConstraintError(table, str(exc)) from exc
        after = self._log.read_row(table, row_id) or {}
        self._record(
            table,
            row_id,
            "update",
            {c: current[c] for c in changed},
            {c: after[c] for c in changed},
        )
        return True

    def delete(self, table: str, row_id: int, *, cascade: bool = True) -> None:
        """Delete a row with the rows that belong to it; clear optional references.

        With ``cascade=False`` a row that anything still refers to is not
        deleted: :class:`RevertConflictError` is raised instead.
        """
        self._log.checked_columns(table, {})  # refuses the log's own tables, unknown tables
        current = self._log.read_row(table, row_id)
        if current is None:
            raise RecordNotFoundError(table, row_id)
        for ref in self._log.references_to(table):
            ids = [
                int(r[0])
                for r in self._conn.execute(
                    f"SELECT id FROM {ref.table} WHERE {ref.column} = ? ORDER BY id", (row_id,)
                )
            ]
            for child_id in ids:
                if ref.table == table and child_id == row_id:
                    continue
                if not cascade:
                    raise RevertConflictError(self.id, ref.table, child_id, ref.column)
                if ref.not_null:
                    self.delete(ref.table, child_id)
                else:
                    self.update(ref.table, child_id, {ref.column: None})
        try:
            self._conn.execute(f"DELETE FROM {table} WHERE id = ?", (row_id,))
        except sqlite3.IntegrityError as exc:
            raise ConstraintError(table, str(exc)) from exc
        self._record(table, row_id, "delete", current, None)


class ChangeLog:
    """Owns the connection's writes: change sets, revert, history, listeners."""

    def __init__(self, conn: sqlite3.Connection, actor: str | None = None) -> None:
        self.conn = conn
        self.actor = _actor() if actor is None else actor
        self._columns: dict[str, tuple[str, ...]] = {}
        self._refs: dict[str, list[_Foreign]] | None = None
        self._open: ChangeSet | None = None
        self.listeners: list[Callable[[ChangeSetInfo], None]] = []

    # --- schema introspection -------------------------------------------------
    def columns(self, table: str) -> tuple[str, ...]:
        """Return the column names of a table (cached)."""
        if table not in self._columns:
            names = tuple(r[1] for r in self.conn.execute(f"PRAGMA table_info({table})"))
            if not names:
                raise ConstraintError(table, "no such table")
            self._columns[table] = names
        return self._columns[table]

    def checked_columns(self, table: str, values: Mapping[str, Value]) -> list[str]:
        """Return the keys of ``values`` after checking each is a column of ``table``."""
        if table in _UNTRACKED:
            raise ConstraintError(table, "table is not written through the change log")
        known = self.columns(table)
        unknown = [c for c in values if c not in known]
        if unknown:
            raise ConstraintError(table, f"no such column: {', '.join(unknown)}")
        return list(values)

    def references_to(self, table: str) -> list[_Foreign]:
        """Return the foreign keys of other tables (and this one) that point at ``table``."""
        if self._refs is None:
            refs: dict[str, list[_Foreign]] = {}
            tables = [
                r[0]
                for r in self.conn.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
                )
            ]
            for child in tables:
                if child in _UNTRACKED:
                    continue
                info = {r[1]: bool(r[3]) for r in self.conn.execute(f"PRAGMA table_info({child})")}
                for fk in self.conn.execute(f"PRAGMA foreign_key_list({child})"):
                    refs.setdefault(fk[2], []).append(_Foreign(child, fk[3], info[fk[3]]))
            self._refs = refs
        return self._refs.get(table, [])

    def read_row(self, table: str, row_id: int) -> Row | None:
        """Return a row as a dict, or None."""
        row = self.conn.execute(f"SELECT * FROM {table} WHERE id = ?", (row_id,)).fetchone()
        return None if row is None else dict(zip(row.keys(), tuple(row), strict=True))

    # --- writing ----------------------------------------------------------------
    @contextmanager
    def change_set(
        self, label: str, kind: str = "edit", *, reverts_id: int | None = None
    ) -> Iterator[ChangeSet]:
        """Open a change set: one transaction, committed when the block ends.

        Nested calls join the change set already open.  An empty change set
        leaves no trace.
        """
        if self._open is not None:
            yield self._open
            return
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            cursor = self.conn.execute(
                "INSERT INTO change_set (created_at, actor, kind, label, reverts_id)"
                " VALUES (?, ?, ?, ?, ?)",
                (_now(), self.actor, kind, label, reverts_id),
            )
            cs = ChangeSet(self, int(cursor.lastrowid or 0))
            self._open = cs
            yield cs
            if cs.row_count == 0:
                self.conn.execute("DELETE FROM change_set WHERE id = ?", (cs.id,))
            elif reverts_id is not None:
                self.conn.execute(
                    "UPDATE change_set SET reverted_by = ? WHERE id = ?", (cs.id, reverts_id)
                )
            self.conn.execute("COMMIT")
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        finally:
            self._open = None
        if cs.row_count:
            info = self.get_set(cs.id)
            for listener in list(self.listeners):
                listener(info)

    @property
    def in_change_set(self) -> bool:
        """True while a change set is open."""
        return self._open is not None

    # --- reading the log -------------------------------------------------------
    _SET_SQL = (
        "SELECT s.*, (SELECT group_concat(DISTINCT c.table_name) FROM change c"
        " WHERE c.set_id = s.id) AS tables,"
        " (SELECT count(*) FROM change c WHERE c.set_id = s.id) AS row_count"
        " FROM change_set s"
    )

    @staticmethod
    def _set_info(row: sqlite3.Row) -> ChangeSetInfo:
        return ChangeSetInfo(
            id=row["id"],
            created_at=row["created_at"],
            actor=row["actor"],
            kind=row["kind"],
            label=row["label"],
            reverts_id=row["reverts_id"],
            reverted_by=row["reverted_by"],
            tables=frozenset((row["tables"] or "").split(",")) - {""},
            row_count=int(row["row_count"]),
        )

    def get_set(self, set_id: int) -> ChangeSetInfo:
        """Return one change set with the tables it touched."""
        row = self.conn.execute(f"{self._SET_SQL} WHERE s.id = ?", (set_id,)).fetchone()
        if row is None:
            raise RecordNotFoundError("change_set", set_id)
        return self._set_info(row)

    def recent_sets(self, limit: int = 500) -> list[ChangeSetInfo]:
        """Return the newest change sets first (one query: the log panel reloads often)."""
        return [
            self._set_info(r)
            for r in self.conn.execute(f"{self._SET_SQL} ORDER BY s.id DESC LIMIT ?", (limit,))
        ]

    def field_history(self, table: str, row_id: int, column: str) -> list[FieldChange]:
        """Return every recorded change of one field, oldest first."""
        result: list[FieldChange] = []
        for r in self.conn.execute(
            "SELECT c.op, c.old_values, c.new_values, s.id, s.created_at, s.actor, s.kind,"
            " s.label FROM change c JOIN change_set s ON s.id = c.set_id"
            " WHERE c.table_name = ? AND c.row_id = ? ORDER BY c.set_id, c.seq",
            (table, row_id),
        ):
            old = json.loads(r[1]) if r[1] else {}
            new = json.loads(r[2]) if r[2] else {}
            if column not in old and column not in new:
                continue
            result.append(
                FieldChange(
                    set_id=r[3],
                    created_at=r[4],
                    actor=r[5],
                    kind=r[6],
                    label=r[7],
                    op=r[0],
                    old=old.get(column),
                    new=new.get(column),
                )
            )
        return result

    # --- revert ------------------------------------------------------------------
    def revert(self, set_id: int, kind: str = "revert", label: str | None = None) -> int:
        """Undo every row change of a change set in a new change set; return its id.

        Raises :class:`RevertConflictError` when a later change touched the same
        values (the database is then left as it was), and
        :class:`AlreadyRevertedError` when it was reverted before.
        """
        info = self.get_set(set_id)
        if info.reverted_by is not None:
            raise AlreadyRevertedError(set_id)
        changes = self.conn.execute(
            "SELECT table_name, row_id, op, old_values, new_values FROM change"
            " WHERE set_id = ? ORDER BY seq DESC",
            (set_id,),
        ).fetchall()
        with self.change_set(label or info.label, kind, reverts_id=set_id) as cs:
            for table, row_id, op, old_json, new_json in changes:
                old = json.loads(old_json) if old_json else {}
                new = json.loads(new_json) if new_json else {}
                current = self.read_row(table, row_id)
                if op == "insert":
                    self._check_unchanged(set_id, table, row_id, current, new)
                    cs.delete(table, row_id, cascade=False)
                elif op == "update":
                    self._check_unchanged(set_id, table, row_id, current, new)
                    cs.update(table, row_id, old)
                else:
                    if current is not None:
                        raise RevertConflictError(set_id, table, row_id, "id")
                    cs.insert(table, old)
        return cs.id

    def _check_unchanged(
        self, set_id: int, table: str, row_id: int, current: Row | None, expected: Row
    ) -> None:
        if current is None:
            raise RevertConflictError(set_id, table, row_id, "id")
        derived = DERIVED.get(table)
        for column, value in expected.items():
            if derived is not None and column == derived[0]:
                continue  # recomputed from its sources on write; they are checked themselves
            if current.get(column) != value:
                raise RevertConflictError(set_id, table, row_id, column)


@dataclass
class UndoStack:
    """Undo and redo of the change sets made in this session (Anki's model).

    It lives in the domain, beside the connection, so it survives switching
    panels; each step is itself a change set, so undo is recorded too.
    """

    log: ChangeLog
    _undo: list[int] = field(default_factory=list)
    _redo: list[int] = field(default_factory=list)

    def push(self, set_id: int) -> None:
        """Record a new user action; it clears what could be redone."""
        self._undo.append(set_id)
        self._redo.clear()

    @property
    def can_undo(self) -> bool:
        """True when there is an action to undo."""
        return bool(self._undo)

    @property
    def can_redo(self) -> bool:
        """True when there is an undone action to redo."""
        return bool(self._redo)

    def undo_label(self) -> str:
        """The label of the action that undo would revert."""
        return self.log.get_set(self._undo[-1]).label if self._undo else ""

    def redo_label(self) -> str:
        """The label of the action that redo would restore."""
        return self.log.get_set(self._redo[-1]).label if self._redo else ""

    def undo(self) -> int:
        """Revert the newest action; return the id of the undo change set."""
        set_id = self._undo[-1]
        undo_id = self.log.revert(set_id, "undo")
        self._undo.pop()
        self._redo.append(undo_id)
        return undo_id

    def redo(self) -> int:
        """Re-apply the newest undone action; return the id of the redo change set."""
        undo_id = self._redo[-1]
        redo_id = self.log.revert(undo_id, "redo")
        self._redo.pop()
        self._undo.append(redo_id)
        return redo_id

    def clear(self) -> None:
        """Forget both stacks (another database was opened)."""
        self._undo.clear()
        self._redo.clear()
