"""The write path ready for bulk, threads and undo: round trips, orders, locks, cancel."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from shnor_desktop.models.changelog import ChangeSet, ChangeSetInfo
from shnor_desktop.models.database import Database
from shnor_desktop.models.errors import (
    AlreadyRevertedError,
    Cancelled,
    DatabaseLockedError,
    NestedChangeSetError,
    RevertConflictError,
)
from shnor_desktop.models.fields import InvalidValueError
from shnor_desktop.models.jobs import JobState

_LOG_TABLES = ("change", "change_set", "sqlite_sequence")


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    opened = Database.open(tmp_path / "w.sqlite")
    try:
        yield opened
    finally:
        opened.close()


def data_dump(conn: sqlite3.Connection) -> list[str]:
    """Every row of every data table as SQL text (the log's own tables left out)."""
    return [
        line
        for line in conn.iterdump()
        if not any(f'INSERT INTO "{t}"' in line for t in _LOG_TABLES)
    ]


def _school(code: str, **extra: Any) -> dict[str, Any]:
    return {
        "code": code,
        "full_name": f"МОУ «СОШ № {code}»",
        "short_name": f"СОШ № {code}",
        **extra,
    }


def _result(school_id: int, grade: int, **extra: Any) -> dict[str, Any]:
    return {
        "school_id": school_id,
        "year": 2022,
        "procedure": "ВПР",
        "subject": "Математика",
        "grade": grade,
        "pupils_due": 30,
        "participants": 28,
        "n2": 3,
        "n3": 10,
        "n4": 10,
        "n5": 5,
        **extra,
    }


@pytest.fixture
def base(db: Database) -> dict[str, int]:
    """Two schools, a branch, a passport and a few results (one change set, not undoable)."""
    with db.log.change_set("Исходные данные", "demo") as cs:
        first, second = cs.insert_many("school", [_school("01"), _school("02")])
        branch = cs.insert("school", _school("03", parent_id=first))
        profile = cs.insert(
            "school_profile", {"school_id": first, "year": 2022, "mentor_school_id": second}
        )
        cs.insert_many("assessment", [_result(first, g) for g in range(4, 9)])
    return {"first": first, "second": second, "branch": branch, "profile": profile}


def _columns(rows: list[dict[str, Any]]) -> dict[str, list[Any]]:
    """The same rows given column by column (``ChangeSet.insert_columns``)."""
    return {name: [row[name] for row in rows] for name in rows[0]}


Operation = Callable[[ChangeSet, dict[str, int]], object]

OPERATIONS: dict[str, Operation] = {
    "insert": lambda cs, ids: cs.insert("school", _school("10", distance_km=12.5)),
    "insert_many": lambda cs, ids: cs.insert_many(
        "assessment", [_result(ids["second"], g) for g in range(2, 12)]
    ),
    "insert_columns": lambda cs, ids: cs.insert_columns(
        "assessment", _columns([_result(ids["second"], g) for g in range(2, 12)])
    ),
    "update": lambda cs, ids: cs.update("school", ids["first"], {"short_name": "Гимназия"}),
    "update_many": lambda cs, ids: cs.update_many(
        "assessment", [(i, {"n5": 6, "n4": 9}) for i in range(1, 6)]
    ),
    "delete_with_dependants": lambda cs, ids: cs.delete("school", ids["first"]),
    "delete_many": lambda cs, ids: cs.delete_many("assessment", [1, 3, 5]),
    "mixed": lambda cs, ids: (
        cs.insert_many("school", [_school("20"), _school("21")]),
        cs.update("school_profile", ids["profile"], {"pct_low_income": 26.81}),
        cs.delete("school", ids["branch"]),
    ),
}


@pytest.mark.parametrize("name", sorted(OPERATIONS))
def test_every_operation_round_trips(db: Database, base: dict[str, int], name: str) -> None:
    before = data_dump(db.conn)
    with db.log.change_set(name) as cs:
        OPERATIONS[name](cs, base)
    assert cs.info is not None and cs.info.row_count > 0
    after = data_dump(db.conn)
    assert after != before
    revert_id = db.log.revert(cs.info.id)
    assert data_dump(db.conn) == before
    db.log.revert(revert_id)  # and the revert itself can be reverted
    assert data_dump(db.conn) == after


@pytest.mark.parametrize("name", sorted(OPERATIONS))
def test_undo_redo_undo_of_every_operation(db: Database, base: dict[str, int], name: str) -> None:
    before = data_dump(db.conn)
    with db.log.change_set(name) as cs:
        OPERATIONS[name](cs, base)
    after = data_dump(db.conn)
    db.undo.undo()
    assert data_dump(db.conn) == before
    db.undo.redo()
    assert data_dump(db.conn) == after
    db.undo.undo()
    assert data_dump(db.conn) == before


def test_field_history_of_bulk_inserted_rows_tells_the_inserted_value(
    db: Database, base: dict[str, int]
) -> None:
    with db.log.change_set("Правка") as cs:
        cs.update("assessment", 3, {"n5": 7, "n4": 8})
    with db.log.change_set("Ещё правка") as cs:
        cs.update("assessment", 3, {"n5": 4, "n4": 11})
    history = db.log.field_history("assessment", 3, "n5")
    assert [(c.op, c.old, c.new) for c in history] == [
        ("insert", None, 5),
        ("update", 5, 7),
        ("update", 7, 4),
    ]
    # A row in the middle of a run of inserted ids is found too.
    assert [(c.op, c.new) for c in db.log.field_history("assessment", 2, "grade")] == [
        ("insert", 5)
    ]


def test_a_bulk_insert_is_one_line_of_the_log(db: Database, base: dict[str, int]) -> None:
    rows = [_result(base["second"], g, subject=f"Предмет {s}") for s in range(50) for g in (4, 5)]
    with db.log.change_set("Импорт", "import") as cs:
        ids = cs.insert_many("assessment", rows)
    assert ids == list(range(ids[0], ids[0] + 100))
    lines = db.log.changes_of_set(int(cs.id or 0))
    assert [(c.op, c.row_id, c.last_row_id, c.new) for c in lines] == [
        ("insert", ids[0], ids[-1], None)
    ]
    assert cs.info is not None
    assert (cs.info.row_count, cs.info.tables) == (100, frozenset({"assessment"}))
    stored = db.log.get_set(cs.info.id)  # counted at commit, read back as stored
    assert (stored.row_count, stored.tables) == (100, frozenset({"assessment"}))


def test_revert_of_an_insert_refuses_when_a_row_was_edited_later(
    db: Database, base: dict[str, int]
) -> None:
    with db.log.change_set("Импорт", "import") as imported:
        cs_ids = imported.insert_many("assessment", [_result(base["second"], g) for g in (4, 5, 6)])
    with db.log.change_set("Правка") as cs:
        cs.update("assessment", cs_ids[1], {"n5": 6, "n4": 9})
    before = data_dump(db.conn)
    with pytest.raises(RevertConflictError) as info:
        db.log.revert(int(imported.id or 0))
    assert (info.value.table, info.value.row_id, info.value.column) == (
        "assessment",
        cs_ids[1],
        "n4",
    )
    assert data_dump(db.conn) == before
    db.undo.undo()  # the edit is taken back: now the import can go
    db.log.revert(int(imported.id or 0))
    assert (
        db.conn.execute("SELECT count(*) FROM assessment WHERE school_id = ?", (2,)).fetchone()[0]
        == 0
    )


# --- undo, redo and revert in every order ----------------------------------------------


def _edit(db: Database, school_id: int, name: str) -> ChangeSetInfo:
    with db.log.change_set(f"Имя {name}") as cs:
        cs.update("school", school_id, {"short_name": name})
    assert cs.info is not None
    return cs.info


def _name(db: Database, school_id: int) -> str:
    return str(
        db.conn.execute("SELECT short_name FROM school WHERE id = ?", (school_id,)).fetchone()[0]
    )


def test_revert_then_undo_twice(db: Database, base: dict[str, int]) -> None:
    """The defect: the second Ctrl+Z said «уже отменено» while the edit was in effect."""
    school = base["first"]
    edit = _edit(db, school, "Гимназия")
    db.log.revert(edit.id)  # from the change log panel
    assert _name(db, school) == "СОШ № 01"
    db.undo.undo()  # takes the revert back: the edit is in effect again
    assert _name(db, school) == "Гимназия"
    assert db.log.get_set(edit.id).reverted_by is None
    db.undo.undo()  # and now the edit itself
    assert _name(db, school) == "СОШ № 01"
    assert not db.undo.can_undo


def test_undo_then_redo_clears_the_mark_of_the_original(db: Database, base: dict[str, int]) -> None:
    edit = _edit(db, base["first"], "Гимназия")
    undo_id = db.undo.undo()
    assert db.log.get_set(edit.id).reverted_by == undo_id
    db.undo.redo()
    assert db.log.get_set(edit.id).reverted_by is None  # in effect: not «отменено»
    db.undo.undo()
    assert db.log.get_set(edit.id).reverted_by is not None
    assert _name(db, base["first"]) == "СОШ № 01"


def test_undo_then_revert_of_the_undo_from_the_log(db: Database, base: dict[str, int]) -> None:
    school = base["first"]
    edit = _edit(db, school, "Гимназия")
    undo_id = db.undo.undo()
    revert_id = db.log.revert(undo_id)  # the log panel brings the edit back
    assert _name(db, school) == "Гимназия"
    assert db.log.get_set(edit.id).reverted_by is None
    assert not db.undo.can_redo  # a new action clears redo
    db.undo.undo()  # takes back the revert: the undo is in effect again
    assert _name(db, school) == "СОШ № 01"
    assert db.log.get_set(revert_id).reverted_by is not None
    assert db.log.get_set(undo_id).reverted_by is None
    assert db.log.get_set(edit.id).reverted_by == undo_id


def test_repeated_undo_redo_revert_keep_values_and_marks(
    db: Database, base: dict[str, int]
) -> None:
    school = base["first"]
    first = _edit(db, school, "А")
    second = _edit(db, school, "Б")
    for _ in range(3):
        db.undo.undo()
        db.undo.undo()
        assert _name(db, school) == "СОШ № 01"
        db.undo.redo()
        db.undo.redo()
        assert _name(db, school) == "Б"
    assert db.log.get_set(first.id).reverted_by is None
    assert db.log.get_set(second.id).reverted_by is None
    with pytest.raises(RevertConflictError):
        db.log.revert(first.id)  # «Б» came later over «А»
    db.log.revert(second.id)
    assert _name(db, school) == "А"
    with pytest.raises(AlreadyRevertedError):
        db.log.revert(second.id)


def test_nested_change_set_of_another_kind_is_refused(db: Database, base: dict[str, int]) -> None:
    before = data_dump(db.conn)
    with pytest.raises(NestedChangeSetError), db.log.change_set("Импорт", "import") as cs:
        cs.update("school", base["first"], {"short_name": "X"})
        with db.log.change_set("Правка"):
            pass
    assert data_dump(db.conn) == before
    with (
        pytest.raises(NestedChangeSetError),
        db.log.change_set("Правка"),
        db.log.change_set("Откат", "revert", reverts_id=1),
    ):
        pass
    with db.log.change_set("Внешний") as outer, db.log.change_set("Внутренний") as inner:
        assert inner is outer  # same kind: it joins, and the outer label stands
        inner.update("school", base["first"], {"short_name": "Y"})
    assert outer.info is not None and outer.info.label == "Внешний"


def test_change_set_numbers_do_not_skip(db: Database, base: dict[str, int]) -> None:
    first = _edit(db, base["first"], "А")
    with db.log.change_set("Ничего") as cs:
        cs.update("school", base["first"], {"short_name": "А"})
    assert cs.id is None
    second = _edit(db, base["first"], "Б")
    assert second.id == first.id + 1


# --- rules on every path ---------------------------------------------------------------


def test_rules_run_on_bulk_writes_and_write_nothing(db: Database, base: dict[str, int]) -> None:
    before = data_dump(db.conn)
    rows = [_result(base["second"], g) for g in range(4, 9)]
    rows[3]["n5"] = -4  # a negative count is refused (marks ≠ participants only warns)
    with pytest.raises(InvalidValueError) as info, db.log.change_set("Импорт", "import") as cs:
        cs.insert_many("assessment", rows)
    assert (info.value.issue.table, info.value.issue.field, info.value.issue.code) == (
        "assessment",
        "n5",
        "negative",
    )
    assert data_dump(db.conn) == before
    # The branch rule holds for an import too: no branch of a branch.
    with pytest.raises(InvalidValueError) as info, db.log.change_set("Импорт", "import") as cs:
        cs.insert_many("school", [_school("30", parent_id=base["branch"])])
    assert info.value.issue.code == "parent_is_branch"
    assert data_dump(db.conn) == before


def test_rules_normalise_what_they_accept(db: Database, base: dict[str, int]) -> None:
    with db.log.change_set("Импорт", "import") as cs:
        [row_id] = cs.insert_many(
            "assessment", [_result(base["second"], 4, participants=28.0, n5="5", subject=" Химия ")]
        )
    row = db.log.read_row("assessment", row_id)
    assert row is not None
    assert (row["participants"], row["n5"], row["subject"]) == (28, 5, "Химия")


def test_rules_run_on_writes_by_column_alike(db: Database, base: dict[str, int]) -> None:
    """``insert_columns`` (the bulk path of an import) refuses and normalises as ``insert_many``."""
    before = data_dump(db.conn)
    rows = [_result(base["second"], g) for g in range(4, 9)]
    rows[3]["n5"] = -4
    with pytest.raises(InvalidValueError) as info, db.log.change_set("Импорт", "import") as cs:
        cs.insert_columns("assessment", _columns(rows))
    assert (info.value.issue.table, info.value.issue.field, info.value.issue.code) == (
        "assessment",
        "n5",
        "negative",
    )
    assert data_dump(db.conn) == before
    rows = [_result(base["second"], 4, participants=28.0, n5="5", subject=" Химия ")]
    with db.log.change_set("Импорт", "import") as cs:
        [row_id] = cs.insert_columns("assessment", _columns(rows))
    row = db.log.read_row("assessment", row_id)
    assert row is not None
    assert (row["participants"], row["n5"], row["subject"]) == (28, 5, "Химия")
    with pytest.raises(ValueError, match="differ in length"), db.log.change_set("x") as cs:
        cs.insert_columns("assessment", {"n2": [1, 2], "n3": [1]})


@pytest.mark.parametrize("value", [float("inf"), float("nan")])
@pytest.mark.parametrize("path", ["insert_many", "insert_columns"])
def test_a_number_that_is_not_finite_is_refused(
    db: Database, base: dict[str, int], value: float, path: str
) -> None:
    """An infinite or NaN mean score (calamine reads «inf», «NaN») never reaches the file."""
    before = data_dump(db.conn)
    rows = [_result(base["second"], g, mean_score=3.5) for g in range(4, 9)]
    rows[2]["mean_score"] = value
    with pytest.raises(InvalidValueError) as info, db.log.change_set("Импорт", "import") as cs:
        if path == "insert_many":
            cs.insert_many("assessment", rows)
        else:
            cs.insert_columns("assessment", _columns(rows))
    assert (info.value.issue.field, info.value.issue.code) == ("mean_score", "not_number")
    assert data_dump(db.conn) == before


def test_check_row_previews_without_writing(db: Database, base: dict[str, int]) -> None:
    before = data_dump(db.conn)
    with db.log.change_set("Предпросмотр") as cs:
        assert cs.check_row("school", _school("40"))["code"] == "40"
        with pytest.raises(InvalidValueError):
            cs.check_row("school", {"code": "41", "full_name": " ", "short_name": "x"})
    assert cs.id is None
    assert data_dump(db.conn) == before


# --- threads, locks and cancel ----------------------------------------------------------


def test_a_worker_writes_while_this_thread_reads_the_committed_state(
    db: Database, base: dict[str, int]
) -> None:
    started = threading.Event()
    release = threading.Event()
    errors: list[BaseException] = []

    def work() -> None:
        try:
            with db.log.change_set("Импорт", "import") as cs:
                cs.insert_many("assessment", [_result(base["second"], g) for g in range(2, 12)])
                started.set()
                release.wait(10)
        except BaseException as exc:  # noqa: BLE001 - handed to the test thread
            errors.append(exc)

    worker = threading.Thread(target=work)
    worker.start()
    assert started.wait(10)
    # While the worker's change set is open, this thread reads the committed rows only…
    assert db.schools.get(base["second"]).code == "02"
    count = db.reader().execute("SELECT count(*) FROM assessment").fetchone()[0]
    assert count == 5
    # …and its own write waits for the lock, then is refused with a typed error.
    with pytest.raises(DatabaseLockedError) as info, db.log.change_set("Правка", timeout=0.2) as cs:
        cs.update("school", base["first"], {"short_name": "X"})
    assert info.value.holder == "operation"
    release.set()
    worker.join(10)
    assert not errors
    assert db.reader().execute("SELECT count(*) FROM assessment").fetchone()[0] == 15
    assert db.undo.next_undo() is not None and db.undo.next_undo().label == "Импорт"  # type: ignore[union-attr]


def test_a_worker_that_ends_releases_its_reader(db: Database, base: dict[str, int]) -> None:
    """A background job (the groups' suggestions) reads with its thread's own connection and
    closes it when it ends, so a reload after each change does not pile connections up."""
    seen: list[sqlite3.Connection] = []

    def work() -> None:
        conn = db.reader()
        seen.extend([conn, db.reader()])
        conn.execute("SELECT count(*) FROM school").fetchone()
        db.log.release_reader()
        db.log.release_reader()  # nothing left to release: no error

    for _ in range(2):
        worker = threading.Thread(target=work)
        worker.start()
        worker.join(10)
    first, same, second, _ = seen
    assert first is same and second is not first  # one per thread while it works
    for conn in (first, second):
        with pytest.raises(sqlite3.ProgrammingError):
            conn.execute("SELECT 1")
    # This thread's reader is untouched, and a released thread would get a fresh one.
    assert db.reader().execute("SELECT count(*) FROM school").fetchone()[0] == 3  # base: 3


def test_another_program_holding_the_file_gives_a_typed_error(
    db: Database, base: dict[str, int]
) -> None:
    other = sqlite3.connect(db.path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        before = data_dump(db.reader())
        with (
            pytest.raises(DatabaseLockedError) as info,
            db.log.change_set("Правка", timeout=0.2) as cs,
        ):
            cs.update("school", base["first"], {"short_name": "X"})
        assert info.value.holder == "program"
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert data_dump(db.conn) == before
    _edit(db, base["first"], "Теперь можно")  # the lock is gone: the same edit goes through


def test_cancel_of_a_long_write_leaves_nothing(db: Database, base: dict[str, int]) -> None:
    before = data_dump(db.conn)
    sets_before = db.log.set_count()
    state = JobState()
    seen: list[int] = []

    def on_progress(done: int, total: int, status: str) -> None:
        del total, status
        seen.append(done)
        if done >= 10_000:
            state.cancel()

    state.listener = on_progress
    rows = [
        _result(base["second"], 2 + i % 10, subject=f"Предмет {i // 10}") for i in range(30_000)
    ]
    with pytest.raises(Cancelled), db.log.change_set("Импорт", "import", state=state) as cs:
        cs.insert_many("assessment", rows)
    assert seen[:2] == [5000, 10000]
    assert data_dump(db.conn) == before
    assert db.log.set_count() == sets_before


def test_cancel_of_a_long_revert_leaves_nothing(db: Database, base: dict[str, int]) -> None:
    with db.log.change_set("Удаление", "import") as cs:
        cs.delete_many("assessment", [1, 2, 3, 4, 5])
        cs.insert_many("school", [_school(f"{i:03d}") for i in range(100, 200)])
    before = data_dump(db.conn)
    state = JobState()
    state.cancel()
    with pytest.raises(Cancelled):
        db.log.revert(int(cs.id or 0), state=state)
    assert data_dump(db.conn) == before
    assert db.log.get_set(int(cs.id or 0)).reverted_by is None


@pytest.mark.slow
def test_hundred_thousand_rows_through_the_log_and_back(db: Database, base: dict[str, int]) -> None:
    with db.log.change_set("Школы", "demo") as cs:
        schools = cs.insert_many("school", [_school(f"{i:04d}") for i in range(100, 1100)])
    before = data_dump(db.conn)
    rows = [
        _result(school, grade, subject=subject)
        for school in schools
        for subject in (
            "Математика",
            "Русский язык",
            "История",
            "Физика",
            "Химия",
            "Биология",
            "География",
            "Обществознание",
            "Литература",
            "Информатика",
        )
        for grade in range(2, 12)
    ]
    assert len(rows) == 100_000
    with db.log.change_set("Импорт", "import") as cs:
        cs.insert_many("assessment", rows)
    assert db.reader().execute("SELECT count(*) FROM assessment").fetchone()[0] == 100_005
    assert (
        db.conn.execute("SELECT count(*) FROM change WHERE set_id = ?", (cs.id,)).fetchone()[0] == 1
    )
    db.undo.undo()
    assert data_dump(db.conn) == before
    db.undo.redo()
    assert db.reader().execute("SELECT count(*) FROM assessment").fetchone()[0] == 100_005


def test_reverting_the_whole_demo_and_taking_that_back(demo_path: Path) -> None:
    """The monkey's find: a branch came back before its school and the redo failed."""
    db = Database.open(demo_path)
    try:
        before = data_dump(db.conn)
        demo_set = db.log.recent_sets()[-1]
        assert demo_set.kind == "demo"
        revert_id = db.log.revert(demo_set.id)
        assert db.conn.execute("SELECT count(*) FROM school").fetchone()[0] == 0
        db.undo.undo()  # the revert came from the log panel: Ctrl+Z takes it back
        assert data_dump(db.conn) == before
        db.undo.redo()
        assert db.conn.execute("SELECT count(*) FROM school").fetchone()[0] == 0
        assert db.log.get_set(revert_id).reverted_by is None
        # The redo deleted schools and branches in one statement, by id: taking it back
        # inserts branches before their schools (the monkey's find).
        db.undo.undo()
        assert data_dump(db.conn) == before
    finally:
        db.close()
