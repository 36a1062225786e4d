"""The one write path: every insert, update and delete is recorded here.

A change set groups the row changes of one user action (an edit, an import,
the demo build) in one transaction.  The same log serves three needs:

* undo/redo of the session's actions (:class:`UndoStack`, fed by the log
  itself: no screen has to remember to push anything),
* the history of a single field (:meth:`ChangeLog.field_history`),
* reverting a whole change set, such as rolling back an import
  (:meth:`ChangeLog.revert`).

What is recorded, compactly:

* an **update** keeps the old and new values of the columns it changed;
* a **delete** keeps the whole old row (so a revert can put it back);
* an **insert** keeps no copy of the row: its values are the row's current
  values walked back through the later changes of that row.  Rows inserted
  together with consecutive ids are one change (``row_id`` .. ``last_row_id``),
  so 100,000 result rows of an import add one line to the log, and reverting
  them is a set operation in SQL.

Deleting a row removes the rows that belong to it (NOT NULL foreign keys)
and clears optional references to it, each recorded, so that a revert
restores all of them.

Threads: there is one writer connection.  A change set holds the log's lock
from ``BEGIN IMMEDIATE`` to ``COMMIT``, so change sets of different threads
never interleave; reads outside a change set go through a read connection of
the calling thread (:meth:`ChangeLog.reader`), so the window keeps reading the
committed state while a worker writes.
"""

from __future__ import annotations

import getpass
import itertools
import json
import os
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from shnor_desktop.models import rules
from shnor_desktop.models.errors import (
    AlreadyRevertedError,
    ConstraintError,
    DatabaseLockedError,
    DatabaseUnavailableError,
    NestedChangeSetError,
    ReadOnlyDatabaseError,
    RecordNotFoundError,
    RevertConflictError,
)
from shnor_desktop.models.jobs import JobState
from shnor_desktop.models.schema import DERIVED

Value = Any
Row = dict[str, Value]

# Tables the log itself lives in; writes to them are not logged again.
_UNTRACKED = frozenset({"change", "change_set", "meta", "sqlite_sequence"})

#: Kinds of change set that Правка → Отменить takes back (undo/redo manage themselves).
UNDOABLE_KINDS = frozenset({"edit", "revert", "import"})
#: Kinds whose change sets restore earlier values: the table rules are not run again.
RESTORING_KINDS = frozenset({"undo", "redo", "revert"})

#: Row ids remembered per table for targeted refresh; more than this means "many".
MAX_TRACKED_IDS = 2000
#: Rows written per step of a bulk write (between two cancel checks).
BULK_STEP = 5000
#: Seconds an interactive write waits for the lock (another thread) and SQLite (another program).
WRITE_TIMEOUT = 1.0


@dataclass(frozen=True)
class ChangeSetInfo:
    """A committed change set: who, when, what kind, and which rows it touched.

    ``rows`` maps each touched table to the ids of the touched rows, or to None
    when there were too many to list (or the set was read back from the file,
    where only the tables and the count are kept).
    """

    id: int
    created_at: str
    actor: str
    kind: str
    label: str
    reverts_id: int | None = None
    reverted_by: int | None = None
    tables: frozenset[str] = frozenset()
    row_count: int = 0
    rows: Mapping[str, frozenset[int] | None] = field(default_factory=dict)

    def touches(self, *tables: str) -> bool:
        """True when the set changed any of ``tables``."""
        return not self.tables.isdisjoint(tables)

    def ids(self, table: str) -> frozenset[int] | None:
        """The touched ids of ``table`` (empty when untouched, None when not listed)."""
        if table not in self.tables:
            return frozenset()
        return self.rows.get(table)


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


@dataclass(frozen=True)
class _Change:
    """One line of the log, as read back."""

    set_id: int
    seq: int
    table: str
    row_id: int
    last_row_id: int | None
    op: str
    old: Row | None
    new: Row | None


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


def _runs(ids: Iterable[int]) -> list[tuple[int, int]]:
    """Group distinct ids into runs of consecutive numbers: [1, 2, 3, 7] → [(1, 3), (7, 7)]."""
    ordered = sorted(ids)
    if ordered and ordered[-1] - ordered[0] == len(ordered) - 1:
        return [(ordered[0], ordered[-1])]  # distinct ids (rows), no gap: one run
    runs: list[tuple[int, int]] = []
    for row_id in ordered:
        if runs and row_id == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], row_id)
        else:
            runs.append((row_id, row_id))
    return runs


def _loads(text: str | None) -> Row | None:
    return None if text is None else dict(json.loads(text))


def _insert_sql(table: str, columns: Sequence[str]) -> str:
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)})"


def _constraint(table: str, exc: sqlite3.IntegrityError) -> ConstraintError:
    return ConstraintError(table, str(exc))


class ChangeSet:
    """The writes of one open change set; obtained from :meth:`ChangeLog.change_set`."""

    def __init__(
        self,
        log: ChangeLog,
        label: str,
        kind: str,
        reverts_id: int | None,
        state: JobState | None,
    ) -> None:
        self._log = log
        self.label = label
        self.kind = kind
        self.reverts_id = reverts_id
        self.state = state
        #: The id of the set; None until the first change is recorded (an empty
        #: set leaves no trace and takes no number).
        self.id: int | None = None
        self._seq = 0
        self.tables: set[str] = set()
        self.row_count = 0
        self.rows: dict[str, set[int] | None] = {}
        self.checked = kind not in RESTORING_KINDS
        #: What the set changed, once committed (None while open, or when it was empty).
        self.info: ChangeSetInfo | None = None

    @property
    def _conn(self) -> sqlite3.Connection:
        return self._log.conn

    # --- recording ---------------------------------------------------------------------
    def _set_id(self) -> int:
        if self.id is None:
            cursor = self._conn.execute(
                "INSERT INTO change_set (created_at, actor, kind, label, reverts_id)"
                " VALUES (?, ?, ?, ?, ?)",
                (_now(), self._log.actor, self.kind, self.label, self.reverts_id),
            )
            self.id = int(cursor.lastrowid or 0)
        return self.id

    def _touch(self, table: str, ids: Iterable[int], count: int) -> None:
        self.tables.add(table)
        self.row_count += count
        known = self.rows.get(table, set())
        if known is None:
            return
        if len(known) + count > MAX_TRACKED_IDS:
            self.rows[table] = None
        else:
            known.update(ids)
            self.rows[table] = known

    def _record(self, table: str, row_id: int, op: str, old: Row | None, new: Row | None) -> None:
        set_id = self._set_id()
        self._seq += 1
        self._conn.execute(
            "INSERT INTO change (set_id, seq, table_name, row_id, op, old_values, new_values)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                set_id,
                self._seq,
                table,
                row_id,
                op,
                None if old is None else json.dumps(old, ensure_ascii=False),
                None if new is None else json.dumps(new, ensure_ascii=False),
            ),
        )
        self._touch(table, (row_id,), 1)

    def _record_inserts(self, table: str, ids: Sequence[int]) -> None:
        """Record inserted rows as runs of consecutive ids, without copying the rows."""
        set_id = self._set_id()
        records = []
        for first, last in _runs(ids):
            self._seq += 1
            records.append(
                (set_id, self._seq, table, first, None if last == first else last, "insert")
            )
        self._conn.executemany(
            "INSERT INTO change (set_id, seq, table_name, row_id, last_row_id, op)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            records,
        )
        self._touch(table, ids, len(ids))

    def _step(self, done: int, total: int) -> None:
        if self.state is not None:
            self.state.check()
            self.state.progress(done, total)

    # --- single rows ---------------------------------------------------------------------
    def insert(self, table: str, values: Mapping[str, Value]) -> int:
        """Insert a row and return its id (``values`` may carry an explicit ``id``)."""
        return self.insert_many(table, [values])[0]

    def update(self, table: str, row_id: int, values: Mapping[str, Value]) -> bool:
        """Change the given columns of a row; return False when nothing differed."""
        return bool(self.update_many(table, [(row_id, values)]))

    def delete(self, table: str, row_id: int, *, cascade: bool = True) -> None:
        """Delete a row with the rows that belong to it; clear optional references.

        With ``cascade=False`` a row that anything still refers to is not
        deleted: :class:`RevertConflictError` is raised instead.
        """
        if self._log.read_row(table, row_id) is None:
            self._log.checked_columns(table, {})
            raise RecordNotFoundError(table, row_id)
        self.delete_many(table, [row_id], cascade=cascade)

    # --- many rows -------------------------------------------------------------------------
    def check_row(self, table: str, values: Mapping[str, Value]) -> Row:
        """Run the table's rules on a new row without writing; return it normalised."""
        self._log.checked_columns(table, values)
        return rules.check_insert(self._conn, table, values) if self.checked else dict(values)

    def insert_many(self, table: str, rows: Sequence[Mapping[str, Value]]) -> list[int]:
        """Insert rows with ``executemany``; return their ids in order.

        Each row passes the table's rules first (nothing is written when one
        fails).  The log records runs of ids, not copies of the rows.
        """
        if not rows:
            return []
        shapes = {tuple(r) for r in rows}
        for shape in shapes:
            self._log.checked_columns(table, dict.fromkeys(shape))
        clean = (
            rules.check_many(self._conn, table, rows) if self.checked else [dict(r) for r in rows]
        )
        for row in clean:  # for an insert the row itself is all a derived column needs
            _with_derived(table, row, row)
        ids: list[int] = []
        total = len(clean)
        for start in range(0, total, BULK_STEP):
            ids.extend(self._insert_chunk(table, clean[start : start + BULK_STEP]))
            self._step(min(start + BULK_STEP, total), total)
        self._record_inserts(table, ids)
        return ids

    def insert_columns(self, table: str, columns: Mapping[str, Sequence[Value]]) -> list[int]:
        """Insert rows given column by column; return their ids in order.

        ``columns`` maps each column name to its values, one per row (all of
        one length).  The bulk path of an import (50,000 rows): the same rules
        as :meth:`insert_many`, checked a column at a time
        (:func:`rules.check_columns`); the rows are bound straight from the
        columns by ``executemany`` (no dictionary or tuple kept per row), one
        step at a time; the log records runs of ids.  Rows with their own
        ``id``, or of a table with a derived column, go through :meth:`insert_many`.
        """
        names = tuple(columns)
        lengths = {len(values) for values in columns.values()}
        if len(lengths) > 1:
            raise ValueError(f"columns of {table} differ in length: {sorted(lengths)}")
        total = lengths.pop() if lengths else 0
        if not total:
            return []
        if "id" in names or table in DERIVED:
            rows = zip(*columns.values(), strict=True)
            return self.insert_many(table, [dict(zip(names, row, strict=True)) for row in rows])
        self._log.checked_columns(table, dict.fromkeys(names))
        clean = rules.check_columns(self._conn, table, columns) if self.checked else columns
        sql = _insert_sql(table, names)
        rows = zip(*(clean[name] for name in names), strict=True)
        ids: list[int] = []
        for start in range(0, total, BULK_STEP):
            size = min(BULK_STEP, total - start)
            before = self._log.last_id(table)
            try:
                self._conn.executemany(sql, itertools.islice(rows, size))
            except sqlite3.IntegrityError as exc:
                raise _constraint(table, exc) from exc
            after = self._log.last_id(table)
            if after - before != size:
                raise ConstraintError(table, "ids of a bulk insert are not consecutive")
            ids.extend(range(before + 1, after + 1))
            self._step(start + size, total)
        self._record_inserts(table, ids)
        return ids

    def _insert_chunk(self, table: str, rows: list[Row]) -> list[int]:
        conn = self._conn
        ids: list[int] = []
        # executemany needs one column list: group rows by their keys, keep order of ids.
        groups: dict[tuple[str, ...], list[Row]] = {}
        for row in rows:
            groups.setdefault(tuple(row), []).append(row)
        if len(groups) == 1 and "id" in next(iter(groups)):
            (columns, group) = next(iter(groups.items()))
            try:
                conn.executemany(
                    _insert_sql(table, columns), [[row[c] for c in columns] for row in group]
                )
            except sqlite3.IntegrityError as exc:
                raise _constraint(table, exc) from exc
            return [int(row["id"]) for row in group]
        if len(groups) > 1 or len(rows) == 1:
            for row in rows:  # mixed shapes, or one row: one statement each
                try:
                    cursor = conn.execute(_insert_sql(table, tuple(row)), list(row.values()))
                except sqlite3.IntegrityError as exc:
                    raise _constraint(table, exc) from exc
                ids.append(
                    int(row["id"]) if row.get("id") is not None else int(cursor.lastrowid or 0)
                )
            return ids
        (columns, group) = next(iter(groups.items()))
        before = self._log.last_id(table)
        try:
            conn.executemany(
                _insert_sql(table, columns), [[row[c] for c in columns] for row in group]
            )
        except sqlite3.IntegrityError as exc:
            raise _constraint(table, exc) from exc
        after = self._log.last_id(table)
        if after - before != len(group):
            raise ConstraintError(table, "ids of a bulk insert are not consecutive")
        return list(range(before + 1, after + 1))

    def update_many(self, table: str, changes: Sequence[tuple[int, Mapping[str, Value]]]) -> int:
        """Change columns of many rows; return how many rows really changed.

        Each change passes the table's rules (with the row as it will be).
        Only the columns that differ are written and recorded.
        """
        log = self._log
        conn = self._conn
        written = 0
        total = len(changes)
        for start in range(0, total, BULK_STEP):
            chunk = changes[start : start + BULK_STEP]
            current = log.read_rows(table, [row_id for row_id, _ in chunk])
            statements: dict[tuple[str, ...], list[list[Value]]] = {}
            records = []
            for row_id, given in chunk:
                log.checked_columns(table, given)
                row = current.get(row_id)
                if row is None:
                    raise RecordNotFoundError(table, row_id)
                checked = (
                    rules.check_update(conn, table, row_id, row, given) if self.checked else given
                )
                values = _with_derived(table, dict(checked), {**row, **checked})
                changed = tuple(c for c in values if c != "id" and row[c] != values[c])
                if not changed:
                    continue
                statements.setdefault(changed, []).append([*(values[c] for c in changed), row_id])
                records.append(
                    (
                        row_id,
                        {c: row[c] for c in changed},
                        {c: values[c] for c in changed},
                    )
                )
                row.update({c: values[c] for c in changed})  # a later change of the same row
            try:
                for columns, params in statements.items():
                    conn.executemany(
                        f"UPDATE {table} SET {', '.join(f'{c} = ?' for c in columns)} WHERE id = ?",
                        params,
                    )
            except sqlite3.IntegrityError as exc:
                raise _constraint(table, exc) from exc
            if records:
                set_id = self._set_id()
                rows = []
                for row_id, old, new in records:
                    self._seq += 1
                    rows.append(
                        (
                            set_id,
                            self._seq,
                            table,
                            row_id,
                            json.dumps(old, ensure_ascii=False),
                            json.dumps(new, ensure_ascii=False),
                        )
                    )
                conn.executemany(
                    "INSERT INTO change (set_id, seq, table_name, row_id, op, old_values,"
                    " new_values) VALUES (?, ?, ?, ?, 'update', ?, ?)",
                    rows,
                )
                self._touch(table, (r[0] for r in records), len(records))
                written += len(records)
            self._step(min(start + BULK_STEP, total), total)
        return written

    def delete_many(self, table: str, ids: Sequence[int], *, cascade: bool = True) -> int:
        """Delete rows (and what belongs to them) as set operations; return rows deleted here."""
        self._log.checked_columns(table, {})  # refuses the log's own tables, unknown tables
        if not ids:
            return 0
        with self._log.id_table(ids) as where:
            return self._delete_where(table, where, cascade)

    def _delete_where(
        self, table: str, where: str, cascade: bool, params: Sequence[Any] = ()
    ) -> int:
        """Delete the rows of ``table`` selected by ``where`` (a condition on ``id``)."""
        conn = self._conn
        log = self._log
        for ref in log.references_to(table):
            self_ref = " AND id NOT IN (SELECT id FROM {0} WHERE {1})" if ref.table == table else ""
            children_sql = (
                f"SELECT id FROM {ref.table} WHERE {ref.column} IN"
                f" (SELECT id FROM {table} WHERE {where})"
            )
            if self_ref:
                children_sql += self_ref.format(table, where)
                child_params: tuple[Any, ...] = (*params, *params)
            else:
                child_params = tuple(params)
            children = [
                int(r[0]) for r in conn.execute(children_sql + " ORDER BY id", child_params)
            ]
            if not children:
                continue
            if not cascade:
                raise RevertConflictError(self.id or 0, ref.table, children[0], ref.column)
            owned = rules.rules_for(ref.table)
            if ref.not_null or (owned is not None and ref.column in owned.delete_with):
                self.delete_many(ref.table, children)
            else:
                self.update_many(ref.table, [(child, {ref.column: None}) for child in children])
        columns = log.columns(table)
        pairs = ", ".join(f"'{c}', {c}" for c in columns)
        set_id = self._set_id()
        first_seq = self._seq
        cursor = conn.execute(
            "INSERT INTO change (set_id, seq, table_name, row_id, op, old_values)"
            f" SELECT ?, ? + row_number() OVER (ORDER BY id), ?, id, 'delete', json_object({pairs})"
            f" FROM {table} WHERE {where}",
            (set_id, first_seq, table, *params),
        )
        count = int(cursor.rowcount)
        self._seq += count
        ids = [
            int(r[0])
            for r in conn.execute(
                f"SELECT id FROM {table} WHERE {where} LIMIT ?", (*params, MAX_TRACKED_IDS + 1)
            )
        ]
        try:
            conn.execute(f"DELETE FROM {table} WHERE {where}", tuple(params))
        except sqlite3.IntegrityError as exc:
            raise _constraint(table, exc) from exc
        self._touch(table, ids, count)
        return count


class ChangeLog:
    """Owns the writes of a database file: change sets, revert, history, listeners.

    ``conn`` is the one writer connection; :meth:`reader` gives each thread
    its own connection for reads outside a change set.
    """

    def __init__(self, conn: sqlite3.Connection, actor: str | None = None) -> None:
        self.conn = conn
        self.actor = _actor() if actor is None else actor
        self._columns: dict[str, tuple[str, ...]] = {}
        self._refs: dict[str, list[_Foreign]] | None = None
        self._open: ChangeSet | None = None
        self._owner: int | None = None
        self._lock = threading.RLock()
        self._local = threading.local()
        self._readers: list[sqlite3.Connection] = []
        self._readers_lock = threading.Lock()
        self._id_tables = 0
        self.path = _main_path(conn)
        self.listeners: list[Callable[[ChangeSetInfo], None]] = []
        # A database opened for viewing (models/db.py, read_only=True) refuses every write.
        self.read_only = bool(conn.execute("PRAGMA query_only").fetchone()[0])

    # --- connections -----------------------------------------------------------------------
    def reader(self) -> sqlite3.Connection:
        """The connection to read with: the writer inside a change set, else the thread's own."""
        if self._owner == threading.get_ident() or not self.path:
            return self.conn
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            from shnor_desktop.models.db import connect

            if self.read_only:  # the viewer's readers open the file the way it was opened
                wal = Path(f"{self.path}-wal")
                conn = connect(Path(self.path), read_only=True, immutable=not wal.exists())
                conn.execute("PRAGMA query_only = ON")
            else:
                conn = connect(Path(self.path), reader=True)
            self._local.conn = conn
            with self._readers_lock:
                self._readers.append(conn)
        return conn

    def release_reader(self) -> None:
        """Close the calling thread's read connection, if it has one (its work is over).

        A worker thread that ends calls this: its connection would otherwise stay
        open, with its page cache, until the database closes.
        """
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            return
        self._local.conn = None
        with self._readers_lock:
            if conn in self._readers:
                self._readers.remove(conn)
        conn.close()

    def close_readers(self) -> None:
        """Close every read connection (the database is being closed)."""
        with self._readers_lock:
            readers, self._readers = self._readers, []
        for conn in readers:
            conn.close()
        self._local = threading.local()

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
        """Return a row as a dict, or None (as the calling thread sees it)."""
        row = self.reader().execute(f"SELECT * FROM {table} WHERE id = ?", (row_id,)).fetchone()
        return None if row is None else dict(zip(row.keys(), tuple(row), strict=True))

    def read_rows(self, table: str, ids: Sequence[int]) -> dict[int, Row]:
        """Return rows by id (missing ids are left out)."""
        result: dict[int, Row] = {}
        conn = self.reader()
        for start in range(0, len(ids), 500):
            part = ids[start : start + 500]
            marks = ",".join("?" for _ in part)
            for row in conn.execute(f"SELECT * FROM {table} WHERE id IN ({marks})", tuple(part)):
                result[int(row["id"])] = dict(zip(row.keys(), tuple(row), strict=True))
        return result

    def last_id(self, table: str) -> int:
        """The largest id ``table`` has ever given (AUTOINCREMENT never reuses one)."""
        row = self.conn.execute(
            "SELECT seq FROM sqlite_sequence WHERE name = ?", (table,)
        ).fetchone()
        top = self.conn.execute(f"SELECT max(id) FROM {table}").fetchone()[0]
        return max(int(row[0]) if row else 0, int(top or 0))

    @contextmanager
    def id_table(self, ids: Sequence[int]) -> Iterator[str]:
        """A temporary table of ids; yields the SQL condition ``id IN (…)`` over it."""
        conn = self.conn
        # A table of its own per call: a cascading delete nests a second one.
        self._id_tables += 1
        name = f"_ids{self._id_tables}"
        conn.execute(f"CREATE TEMP TABLE {name} (id INTEGER PRIMARY KEY)")
        conn.executemany(f"INSERT OR IGNORE INTO temp.{name} (id) VALUES (?)", ((i,) for i in ids))
        try:
            yield f"id IN (SELECT id FROM temp.{name})"
        finally:
            conn.execute(f"DROP TABLE temp.{name}")

    # --- writing ----------------------------------------------------------------
    @contextmanager
    def change_set(
        self,
        label: str,
        kind: str = "edit",
        *,
        reverts_id: int | None = None,
        state: JobState | None = None,
        timeout: float = WRITE_TIMEOUT,
    ) -> Iterator[ChangeSet]:
        """Open a change set: one transaction, committed when the block ends.

        A nested call in the same thread joins the open set when it is of the
        same kind and reverts nothing; otherwise :class:`NestedChangeSetError`.
        Another thread waits up to ``timeout`` seconds for the set to end, then
        gets :class:`DatabaseLockedError`; so does a write while another program
        holds the file.  An empty change set leaves no trace.  ``state`` lets a
        long write report progress and be cancelled (the set then rolls back).
        """
        if self._open is not None and self._owner == threading.get_ident():
            outer = self._open
            if kind != outer.kind or reverts_id is not None:
                raise NestedChangeSetError(outer.kind, kind)
            yield outer
            return
        if not self._lock.acquire(timeout=max(timeout, 0)):
            raise DatabaseLockedError(Path(self.path), "operation")
        cs = ChangeSet(self, label, kind, reverts_id, state)
        try:
            self._begin(timeout)
            if kind in RESTORING_KINDS:
                # Rows come back in the order the log kept, which need not put a
                # parent before its branch: references are checked at COMMIT.
                self.conn.execute("PRAGMA defer_foreign_keys = ON")
            self._owner = threading.get_ident()
            self._open = cs
            try:
                yield cs
                if state is not None:
                    state.check()  # a cancel that came during the last step still rolls back
                if cs.id is not None:
                    self._finish(cs)
                try:
                    self.conn.execute("COMMIT")
                except sqlite3.IntegrityError as exc:  # a deferred reference check
                    raise ConstraintError(next(iter(sorted(cs.tables)), ""), str(exc)) from exc
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise
            finally:
                self._open = None
                self._owner = None
        finally:
            self._lock.release()
        if cs.id is not None:
            info = self._info_of(cs)
            cs.info = info
            for listener in list(self.listeners):
                listener(info)

    def _begin(self, timeout: float) -> None:
        if self.read_only:
            raise ReadOnlyDatabaseError(Path(self.path))
        # A file whose medium was pulled out: on Linux the open handle would go on
        # writing into a deleted file, and the change would be lost unseen.
        if self.path and not os.path.exists(self.path):
            raise DatabaseUnavailableError(Path(self.path), "missing")
        self.conn.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            if "locked" in str(exc) or "busy" in str(exc):
                raise DatabaseLockedError(Path(self.path), "program") from exc
            if "disk I/O error" in str(exc) or "unable to open" in str(exc):
                raise DatabaseUnavailableError(Path(self.path), str(exc)) from exc
            raise

    def _finish(self, cs: ChangeSet) -> None:
        """Store the set's count and tables; mark what it reverts (see :meth:`_mark_chain`)."""
        self.conn.execute(
            "UPDATE change_set SET row_count = ?, tables = ? WHERE id = ?",
            (cs.row_count, ",".join(sorted(cs.tables)), cs.id),
        )
        if cs.reverts_id is not None and cs.id is not None:
            self._mark_chain(cs.reverts_id, cs.id)

    def _mark_chain(self, reverted: int, by: int) -> None:
        """Mark ``reverted`` as reverted by ``by`` and restore the marks down its chain.

        Reverting a set that itself reverted another brings that other one back
        into effect, which in turn takes its own target out of effect again:
        1 ← 2 ← 3 means 3 undid 2, so 1 is in effect; then 1 is not reverted.
        """
        current: int | None = reverted
        marker: int | None = by
        while current is not None:
            row = self.conn.execute(
                "SELECT reverts_id FROM change_set WHERE id = ?", (current,)
            ).fetchone()
            self.conn.execute(
                "UPDATE change_set SET reverted_by = ? WHERE id = ?", (marker, current)
            )
            target = None if row is None else row[0]
            # ``current`` is out of effect when it has a marker: its target is back in effect.
            marker = None if marker is not None else current
            current = target

    def _info_of(self, cs: ChangeSet) -> ChangeSetInfo:
        info = self.get_set(int(cs.id or 0), conn=self.conn)
        rows = {t: (None if ids is None else frozenset(ids)) for t, ids in cs.rows.items()}
        return replace(info, rows=rows)

    @property
    def in_change_set(self) -> bool:
        """True while this thread has a change set open."""
        return self._open is not None and self._owner == threading.get_ident()

    # --- reading the log -------------------------------------------------------
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

    def get_set(self, set_id: int, conn: sqlite3.Connection | None = None) -> ChangeSetInfo:
        """Return one change set with the tables it touched."""
        row = (
            (conn or self.reader())
            .execute("SELECT * FROM change_set WHERE id = ?", (set_id,))
            .fetchone()
        )
        if row is None:
            raise RecordNotFoundError("change_set", set_id)
        return self._set_info(row)

    def recent_sets(self, limit: int = 500, before: int | None = None) -> list[ChangeSetInfo]:
        """Return the newest change sets first (``before``: only sets with a smaller id)."""
        sql = "SELECT * FROM change_set"
        params: tuple[int, ...] = (limit,)
        if before is not None:
            sql += " WHERE id < ?"
            params = (before, limit)
        return [
            self._set_info(r)
            for r in self.reader().execute(f"{sql} ORDER BY id DESC LIMIT ?", params)
        ]

    def set_count(self) -> int:
        """How many change sets the log holds."""
        return int(self.reader().execute("SELECT count(*) FROM change_set").fetchone()[0])

    def _changes_of_row(self, table: str, row_id: int) -> list[_Change]:
        """Every change of one row (its own lines and a run of inserts covering it), in order."""
        conn = self.reader()
        rows = conn.execute(
            "SELECT * FROM change WHERE table_name = ? AND row_id = ?"
            " UNION SELECT * FROM change WHERE table_name = ? AND last_row_id >= ?"
            " AND row_id < ? AND last_row_id IS NOT NULL"
            " ORDER BY set_id, seq",
            (table, row_id, table, row_id, row_id),
        ).fetchall()
        return [self._change(r) for r in rows]

    @staticmethod
    def _change(r: sqlite3.Row) -> _Change:
        return _Change(
            set_id=r["set_id"],
            seq=r["seq"],
            table=r["table_name"],
            row_id=r["row_id"],
            last_row_id=r["last_row_id"],
            op=r["op"],
            old=_loads(r["old_values"]),
            new=_loads(r["new_values"]),
        )

    def changes_of_set(self, set_id: int, limit: int | None = None) -> list[_Change]:
        """The lines of one change set in order (``limit``: only the first ones)."""
        sql = "SELECT * FROM change WHERE set_id = ? ORDER BY seq"
        params: tuple[int, ...] = (set_id,)
        if limit is not None:
            sql += " LIMIT ?"
            params = (set_id, limit)
        return [self._change(r) for r in self.reader().execute(sql, params)]

    def field_history(self, table: str, row_id: int, column: str) -> list[FieldChange]:
        """Return every recorded change of one field, oldest first.

        An insert keeps no copy of the row: the value it wrote is the old value
        of the next change of that field, or the current value when none came.
        """
        changes = self._changes_of_row(table, row_id)
        sets = {
            r["id"]: r
            for r in self.reader().execute(
                f"SELECT * FROM change_set WHERE id IN ({','.join('?' for _ in changes)})",
                tuple(c.set_id for c in changes),
            )
        }
        current = self.read_row(table, row_id)
        result: list[FieldChange] = []
        for index, change in enumerate(changes):
            if change.op == "insert":
                if change.new is not None:  # logs written before version 3 keep the row
                    new = change.new.get(column)
                else:
                    new = self._value_after(changes[index + 1 :], column, current)
                old = None
            else:
                old_values = change.old or {}
                new_values = change.new or {}
                if column not in old_values and column not in new_values:
                    continue
                old, new = old_values.get(column), new_values.get(column)
            s = sets[change.set_id]
            result.append(
                FieldChange(
                    set_id=change.set_id,
                    created_at=s["created_at"],
                    actor=s["actor"],
                    kind=s["kind"],
                    label=s["label"],
                    op=change.op,
                    old=old,
                    new=new,
                )
            )
        return result

    @staticmethod
    def _value_after(later: list[_Change], column: str, current: Row | None) -> Value:
        """The value of ``column`` before the ``later`` changes (``current`` after them)."""
        for change in later:
            if change.op in ("update", "delete") and change.old and column in change.old:
                return change.old[column]
        return None if current is None else current.get(column)

    def inserted_values(self, table: str, row_id: int, set_id: int) -> Row | None:
        """The row as the insert of ``set_id`` wrote it (None when it cannot be told)."""
        changes = self._changes_of_row(table, row_id)
        state = self.read_row(table, row_id)
        for change in reversed(changes):
            if change.set_id < set_id:
                break
            if change.set_id == set_id and change.op == "insert":
                return state
            if change.op == "update" and state is not None and change.old:
                state = {**state, **change.old}
            elif change.op == "delete":
                state = dict(change.old or {})
            elif change.op == "insert":
                state = None
        return None

    # --- revert ------------------------------------------------------------------
    def revert(
        self,
        set_id: int,
        kind: str = "revert",
        label: str | None = None,
        *,
        state: JobState | None = None,
        timeout: float = WRITE_TIMEOUT,
    ) -> int:
        """Undo every row change of a change set in a new change set; return its id.

        Raises :class:`RevertConflictError` when a later change touched the same
        values (the database is then left as it was), and
        :class:`AlreadyRevertedError` when it was reverted before.  Runs of
        inserted rows are deleted with set operations.
        """
        info = self.get_set(set_id)
        if info.reverted_by is not None:
            raise AlreadyRevertedError(set_id)
        with self.change_set(
            label or info.label, kind, reverts_id=set_id, state=state, timeout=timeout
        ) as cs:
            changes = self.changes_of_set(set_id)
            total = len(changes)
            index = total - 1
            while index >= 0:
                change = changes[index]
                if change.op == "delete":
                    # A run of deleted rows of one table comes back in one statement each kind.
                    first = index
                    while (
                        first > 0
                        and changes[first - 1].op == "delete"
                        and changes[first - 1].table == change.table
                    ):
                        first -= 1
                    self._restore_deleted(cs, set_id, changes[first : index + 1])
                    index = first - 1
                elif change.op == "insert":
                    self._revert_insert(cs, set_id, change)
                    index -= 1
                else:
                    current = self.read_row(change.table, change.row_id)
                    self._check_unchanged(set_id, change.table, change.row_id, current, change.new)
                    cs.update(change.table, change.row_id, change.old or {})
                    index -= 1
                if state is not None:
                    state.check()
                    state.progress(total - index - 1, total)
        if cs.id is None:  # nothing to revert (an empty set cannot exist, but be safe)
            raise AlreadyRevertedError(set_id)
        return cs.id

    def _revert_insert(self, cs: ChangeSet, set_id: int, change: _Change) -> None:
        table = change.table
        first = change.row_id
        last = change.last_row_id if change.last_row_id is not None else first
        conn = self.conn
        present = conn.execute(
            f"SELECT count(*) FROM {table} WHERE id BETWEEN ? AND ?", (first, last)
        ).fetchone()[0]
        if present != last - first + 1:
            missing = conn.execute(
                "SELECT row_id FROM change WHERE table_name = ? AND row_id BETWEEN ? AND ?"
                " AND set_id > ? AND op = 'delete' ORDER BY set_id LIMIT 1",
                (table, first, last, set_id),
            ).fetchone()
            raise RevertConflictError(set_id, table, int(missing[0]) if missing else first, "id")
        touched_later = [
            int(r[0])
            for r in conn.execute(
                "SELECT DISTINCT row_id FROM change WHERE table_name = ? AND row_id BETWEEN ? AND ?"
                " AND set_id > ?",
                (table, first, last, set_id),
            )
        ]
        for row_id in touched_later:
            inserted = self.inserted_values(table, row_id, set_id)
            current = self.read_row(table, row_id)
            if inserted is None:
                raise RevertConflictError(set_id, table, row_id, "id")
            self._check_unchanged(set_id, table, row_id, current, inserted)
        cs._delete_where(table, "id BETWEEN ? AND ?", False, (first, last))

    def _restore_deleted(self, cs: ChangeSet, set_id: int, run: list[_Change]) -> None:
        """Insert deleted rows back (newest deletion first: parents before their children)."""
        table = run[0].table
        rows = [dict(c.old or {}) for c in reversed(run)]
        existing = self.read_rows(table, [int(r["id"]) for r in rows])
        if existing:
            raise RevertConflictError(set_id, table, min(existing), "id")
        cs.insert_many(table, rows)

    def _check_unchanged(
        self, set_id: int, table: str, row_id: int, current: Row | None, expected: Row | None
    ) -> None:
        if current is None:
            raise RevertConflictError(set_id, table, row_id, "id")
        derived = DERIVED.get(table)
        for column, value in (expected or {}).items():
            if derived is not None and column == derived[0]:
                continue  # recomputed from its sources on write; they are checked themselves
            if current.get(column) != value:
                raise RevertConflictError(set_id, table, row_id, column)


def _main_path(conn: sqlite3.Connection) -> str:
    for row in conn.execute("PRAGMA database_list"):
        if row[1] == "main":
            return str(row[2])
    return ""


@dataclass
class UndoStack:
    """Undo and redo of the change sets made in this session (Anki's model).

    It listens to the log: every committed set of an undoable kind (an edit, a
    revert, an import) is pushed by itself, whichever screen or thread made
    it.  Each step is itself a change set, so undo is recorded too; undo,
    redo and revert keep the log's «reverted by» marks consistent in any order.
    """

    log: ChangeLog
    _undo: list[int] = field(default_factory=list)
    _redo: list[int] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def __post_init__(self) -> None:
        self.log.listeners.append(self._on_log_committed)

    def _on_log_committed(self, info: ChangeSetInfo) -> None:
        if info.kind in UNDOABLE_KINDS:
            self.push(info.id)

    def push(self, set_id: int) -> None:
        """Record a new user action; it clears what could be redone."""
        with self._lock:
            if self._undo and self._undo[-1] == set_id:
                return
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

    def next_undo(self) -> ChangeSetInfo | None:
        """The change set that undo would revert."""
        return self.log.get_set(self._undo[-1]) if self._undo else None

    def next_redo(self) -> ChangeSetInfo | None:
        """The undo change set that redo would revert."""
        return self.log.get_set(self._redo[-1]) if self._redo else None

    def undo_label(self) -> str:
        """The label of the action that undo would revert."""
        info = self.next_undo()
        return info.label if info else ""

    def redo_label(self) -> str:
        """The label of the action that redo would restore."""
        info = self.next_redo()
        return info.label if info else ""

    def undo(self, state: JobState | None = None) -> int:
        """Revert the newest action; return the id of the undo change set."""
        set_id = self._undo[-1]
        undo_id = self.log.revert(set_id, "undo", state=state)
        with self._lock:
            if self._undo and self._undo[-1] == set_id:
                self._undo.pop()
            self._redo.append(undo_id)
        return undo_id

    def redo(self, state: JobState | None = None) -> int:
        """Re-apply the newest undone action; return the id of the redo change set."""
        undo_id = self._redo[-1]
        redo_id = self.log.revert(undo_id, "redo", state=state)
        with self._lock:
            if self._redo and self._redo[-1] == undo_id:
                self._redo.pop()
            self._undo.append(redo_id)
        return redo_id

    def clear(self) -> None:
        """Forget both stacks (another database was opened)."""
        with self._lock:
            self._undo.clear()
            self._redo.clear()
