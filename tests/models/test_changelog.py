"""The one write path: change sets, revert, undo/redo, field history and listeners."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from shnor_desktop.models.changelog import ChangeLog, ChangeSetInfo, UndoStack
from shnor_desktop.models.database import Database
from shnor_desktop.models.errors import (
    AlreadyRevertedError,
    ConstraintError,
    RecordNotFoundError,
    RevertConflictError,
)
from shnor_desktop.models.fields import InvalidValueError


@pytest.fixture
def database(tmp_path: Path) -> Iterator[Database]:
    opened = Database.open(tmp_path / "x.sqlite")
    opened.log.actor = "Петрова Е.В."
    try:
        yield opened
    finally:
        opened.close()


@pytest.fixture
def log(database: Database) -> ChangeLog:
    return database.log


def _school(code: str, name: str, **extra: Any) -> dict[str, Any]:
    return {"code": code, "full_name": f"МОУ «{name}»", "short_name": name, **extra}


def _snapshot(conn: sqlite3.Connection) -> list[str]:
    """Every row of every table, as SQL text: two equal snapshots mean an unchanged database."""
    return list(conn.iterdump())


def _changes(conn: sqlite3.Connection, set_id: int) -> list[tuple[str, int, str, Any, Any]]:
    return [
        (
            r["table_name"],
            r["row_id"],
            r["op"],
            json.loads(r["old_values"]) if r["old_values"] else None,
            json.loads(r["new_values"]) if r["new_values"] else None,
        )
        for r in conn.execute(
            "SELECT * FROM change WHERE set_id = ? ORDER BY seq", (set_id,)
        ).fetchall()
    ]


def _count(conn: sqlite3.Connection, table: str) -> int:
    return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])


def _row(log: ChangeLog, table: str, row_id: int) -> dict[str, Any] | None:
    return log.read_row(table, row_id)


# --- recording ----------------------------------------------------------------


def test_insert_update_delete_are_recorded_with_old_and_new_values(log: ChangeLog) -> None:
    conn = log.conn
    with log.change_set("Добавлена школа") as cs:
        school_id = cs.insert("school", _school("01", "СОШ с. Бартеневка", distance_km=18))
    insert_set = cs.id
    [(table, row_id, op, old, new)] = _changes(conn, insert_set)
    # An insert keeps no copy of the row: the row itself and later changes tell its values.
    assert (table, row_id, op, old, new) == ("school", school_id, "insert", None, None)
    inserted = log.inserted_values("school", school_id, insert_set)
    assert inserted is not None
    assert inserted["distance_km"] == 18
    assert inserted["name_fold"] == "моу «сош с. бартеневка» сош с. бартеневка"  # derived key

    with log.change_set("Расстояние") as cs:
        assert cs.update("school", school_id, {"distance_km": 19.5}) is True
    assert _changes(conn, cs.id) == [
        ("school", school_id, "update", {"distance_km": 18}, {"distance_km": 19.5})
    ]

    with log.change_set("Новое имя") as cs:
        cs.update("school", school_id, {"short_name": "Бартеневка"})
    [(_, _, _, old, new)] = _changes(conn, cs.id)
    assert old["short_name"] == "СОШ с. Бартеневка"
    assert new == {"short_name": "Бартеневка", "name_fold": "моу «сош с. бартеневка» бартеневка"}

    full_row = _row(log, "school", school_id)
    with log.change_set("Удалена школа") as cs:
        cs.delete("school", school_id)
    assert _changes(conn, cs.id) == [("school", school_id, "delete", full_row, None)]
    assert _row(log, "school", school_id) is None

    info = log.get_set(cs.id)
    assert (info.label, info.kind, info.actor) == ("Удалена школа", "edit", "Петрова Е.В.")
    assert info.tables == frozenset({"school"})
    assert info.row_count == 1
    assert [s.id for s in log.recent_sets()][:2] == [cs.id, cs.id - 1]


def test_exception_inside_change_set_rolls_back_everything(log: ChangeLog) -> None:
    before = _snapshot(log.conn)
    with pytest.raises(RuntimeError, match="прервано"), log.change_set("Импорт", "import") as cs:
        cs.insert("school", _school("01", "Бартеневка"))
        cs.insert("school", _school("02", "Знаменский"))
        raise RuntimeError("прервано")
    assert _count(log.conn, "school") == 0
    assert _count(log.conn, "change") == 0
    assert _count(log.conn, "change_set") == 0
    assert _snapshot(log.conn) == before
    assert not log.in_change_set
    assert not log.conn.in_transaction


def test_update_that_changes_nothing_leaves_no_change_set(log: ChangeLog) -> None:
    with log.change_set("Школа") as cs:
        school_id = cs.insert("school", _school("01", "Бартеневка", distance_km=18))
    sets_before = _count(log.conn, "change_set")
    with log.change_set("Ничего") as cs:
        assert cs.update("school", school_id, {"distance_km": 18, "code": "01"}) is False
    assert _count(log.conn, "change_set") == sets_before
    assert _count(log.conn, "change") == 1
    with log.change_set("Пусто"):
        pass
    assert _count(log.conn, "change_set") == sets_before


def test_nested_change_set_joins_the_outer_one(log: ChangeLog) -> None:
    seen: list[ChangeSetInfo] = []
    log.listeners.append(seen.append)
    with log.change_set("Внешний") as outer:
        outer.insert("school", _school("01", "Бартеневка"))
        with log.change_set("Внутренний") as inner:
            assert inner is outer
            assert log.in_change_set
            inner.insert("school", _school("02", "Знаменский"))
        assert log.in_change_set
    assert not log.in_change_set
    assert _count(log.conn, "change_set") == 1
    assert [(i.label, i.row_count) for i in seen] == [("Внешний", 2)]


def test_error_in_nested_change_set_rolls_back_the_outer(log: ChangeLog) -> None:
    with pytest.raises(ConstraintError), log.change_set("Внешний") as outer:
        outer.insert("school", _school("01", "Бартеневка"))
        with log.change_set("Внутренний") as inner:
            inner.insert("school", _school("01", "Дубль кода"))  # UNIQUE(code)
    assert _count(log.conn, "school") == 0
    assert _count(log.conn, "change_set") == 0


# --- deleting with dependants and reverting -------------------------------------


def _district_with_references(log: ChangeLog) -> dict[str, int]:
    """Бартеневка with two passports, a branch and a school it mentors."""
    with log.change_set("Исходные данные", "import") as cs:
        main = cs.insert("school", _school("01", "СОШ с. Бартеневка", distance_km=18))
        other = cs.insert("school", _school("02", "СОШ п. Знаменский"))
        branch = cs.insert("school", _school("01-1", "Филиал д. Яблоновка", parent_id=main))
        p2022 = cs.insert(
            "school_profile",
            {"school_id": main, "year": 2022, "pupils_total": 86, "pct_low_income": 11},
        )
        p2023 = cs.insert(
            "school_profile", {"school_id": main, "year": 2023, "generated_fields": '["teachers"]'}
        )
        mentored = cs.insert(
            "school_profile",
            {"school_id": other, "year": 2022, "group_code": "shnor", "mentor_school_id": main},
        )
        person = cs.insert("person", {"full_name": "Иванова А.А.", "school_id": main})
    return {
        "main": main,
        "other": other,
        "branch": branch,
        "p2022": p2022,
        "p2023": p2023,
        "mentored": mentored,
        "person": person,
    }


def _full_rows(conn: sqlite3.Connection) -> dict[str, list[tuple[Any, ...]]]:
    return {
        table: [tuple(r) for r in conn.execute(f"SELECT * FROM {table} ORDER BY id")]
        for table in ("school", "school_profile", "person")
    }


def test_delete_removes_owned_rows_and_clears_references(log: ChangeLog) -> None:
    ids = _district_with_references(log)
    with log.change_set("Удалена школа") as cs:
        cs.delete("school", ids["main"])

    conn = log.conn
    assert _row(log, "school", ids["main"]) is None
    assert _row(log, "school_profile", ids["p2022"]) is None
    assert _row(log, "school_profile", ids["p2023"]) is None
    mentored = _row(log, "school_profile", ids["mentored"])
    assert mentored is not None
    assert mentored["mentor_school_id"] is None
    assert mentored["group_code"] == "shnor"
    branch = _row(log, "school", ids["branch"])
    assert branch is not None
    assert branch["parent_id"] is None
    person = _row(log, "person", ids["person"])
    assert person is not None
    assert person["school_id"] is None
    ops = {(t, r, op) for t, r, op, _, _ in _changes(conn, cs.id)}
    assert ops == {
        ("school", ids["main"], "delete"),
        ("school", ids["branch"], "update"),
        ("school_profile", ids["p2022"], "delete"),
        ("school_profile", ids["p2023"], "delete"),
        ("school_profile", ids["mentored"], "update"),
        ("person", ids["person"], "update"),
    }
    assert log.get_set(cs.id).tables == frozenset({"school", "school_profile", "person"})


def test_revert_of_a_delete_restores_every_row_exactly(log: ChangeLog) -> None:
    ids = _district_with_references(log)
    before = _full_rows(log.conn)
    with log.change_set("Удалена школа") as cs:
        cs.delete("school", ids["main"])
    assert _full_rows(log.conn) != before

    revert_id = log.revert(cs.id)

    assert _full_rows(log.conn) == before
    assert log.get_set(cs.id).reverted_by == revert_id
    info = log.get_set(revert_id)
    assert (info.kind, info.reverts_id, info.label) == ("revert", cs.id, "Удалена школа")
    assert log.conn.execute("PRAGMA foreign_key_check").fetchall() == []


def test_revert_of_an_import_removes_its_rows(log: ChangeLog) -> None:
    ids = _district_with_references(log)
    import_set = log.get_set(log.recent_sets(1)[0].id)
    assert import_set.row_count == len(ids)
    log.revert(import_set.id, label="Откат импорта")
    assert _count(log.conn, "school") == 0
    assert _count(log.conn, "school_profile") == 0
    assert _count(log.conn, "person") == 0


def test_revert_of_insert_refuses_when_a_later_row_refers_to_it(log: ChangeLog) -> None:
    with log.change_set("Школа") as first:
        school_id = first.insert("school", _school("01", "Бартеневка"))
    with log.change_set("Паспорт") as second:
        second.insert("school_profile", {"school_id": school_id, "year": 2022})
    before = _snapshot(log.conn)
    with pytest.raises(RevertConflictError) as info:
        log.revert(first.id)
    assert info.value.table == "school_profile"
    assert _snapshot(log.conn) == before


def test_revert_of_update_refuses_when_a_later_change_touched_the_field(log: ChangeLog) -> None:
    with log.change_set("Школа") as cs:
        school_id = cs.insert("school", _school("01", "Бартеневка", distance_km=18))
    with log.change_set("Расстояние 20") as first:
        first.update("school", school_id, {"distance_km": 20})
    with log.change_set("Расстояние 25") as later:
        later.update("school", school_id, {"distance_km": 25})
    before = _snapshot(log.conn)

    with pytest.raises(RevertConflictError) as info:
        log.revert(first.id)

    assert (info.value.set_id, info.value.table, info.value.row_id, info.value.column) == (
        first.id,
        "school",
        school_id,
        "distance_km",
    )
    assert _snapshot(log.conn) == before
    assert log.get_set(first.id).reverted_by is None
    assert not log.conn.in_transaction

    # The newest change can be reverted, and then the older one too.
    log.revert(later.id)
    log.revert(first.id)
    row = _row(log, "school", school_id)
    assert row is not None
    assert row["distance_km"] == 18


def test_revert_of_update_ignores_later_changes_of_other_fields(log: ChangeLog) -> None:
    with log.change_set("Школа") as cs:
        school_id = cs.insert("school", _school("01", "Бартеневка", distance_km=18))
    with log.change_set("Расстояние") as first:
        first.update("school", school_id, {"distance_km": 20})
    with log.change_set("Директор") as cs:
        cs.update("school", school_id, {"director": "Толстова Н.П."})
    log.revert(first.id)
    row = _row(log, "school", school_id)
    assert row is not None
    assert (row["distance_km"], row["director"]) == (18, "Толстова Н.П.")


def test_revert_ignores_the_derived_search_key_of_other_fields(log: ChangeLog) -> None:
    """A later edit of the full name changes ``name_fold`` but is no conflict for the short name."""
    with log.change_set("Школа") as cs:
        school_id = cs.insert("school", _school("01", "Старое имя"))
    with log.change_set("Импорт", "import") as imported:
        imported.update("school", school_id, {"short_name": "Новое имя"})
    with log.change_set("Полное имя") as cs:
        cs.update("school", school_id, {"full_name": "МОУ «СОШ № 1»"})

    log.revert(imported.id)

    row = _row(log, "school", school_id)
    assert row is not None
    assert (row["short_name"], row["full_name"]) == ("Старое имя", "МОУ «СОШ № 1»")
    assert row["name_fold"] == "моу «сош № 1» старое имя"


def test_reverting_twice_is_refused(log: ChangeLog) -> None:
    with log.change_set("Школа") as cs:
        cs.insert("school", _school("01", "Бартеневка"))
    log.revert(cs.id)
    before = _snapshot(log.conn)
    with pytest.raises(AlreadyRevertedError) as info:
        log.revert(cs.id)
    assert info.value.set_id == cs.id
    assert _snapshot(log.conn) == before


def test_revert_of_unknown_set_is_refused(log: ChangeLog) -> None:
    with pytest.raises(RecordNotFoundError):
        log.revert(12345)


# --- undo and redo --------------------------------------------------------------


def test_undo_redo_sequence(database: Database) -> None:
    log, undo = database.log, database.undo
    assert isinstance(undo, UndoStack)
    assert (undo.can_undo, undo.can_redo, undo.undo_label(), undo.redo_label()) == (
        False,
        False,
        "",
        "",
    )
    with log.change_set("Добавлена школа") as cs:
        school_id = cs.insert("school", _school("01", "Бартеневка", distance_km=18))
    undo.push(cs.id)
    with log.change_set("Изменено расстояние") as cs:
        cs.update("school", school_id, {"distance_km": 20})
    undo.push(cs.id)

    def distance() -> Any:
        row = _row(log, "school", school_id)
        return None if row is None else row["distance_km"]

    assert (undo.can_undo, undo.can_redo) == (True, False)
    assert undo.undo_label() == "Изменено расстояние"

    undo_id = undo.undo()
    assert distance() == 18
    assert log.get_set(undo_id).kind == "undo"
    assert (undo.can_undo, undo.can_redo) == (True, True)
    assert undo.undo_label() == "Добавлена школа"
    assert undo.redo_label() == "Изменено расстояние"

    redo_id = undo.redo()
    assert distance() == 20
    assert log.get_set(redo_id).kind == "redo"
    assert (undo.can_undo, undo.can_redo) == (True, False)
    assert undo.undo_label() == "Изменено расстояние"

    undo.undo()
    assert distance() == 18
    undo.undo()
    assert distance() is None  # the school itself is gone
    assert (undo.can_undo, undo.can_redo) == (False, True)
    assert undo.redo_label() == "Добавлена школа"

    undo.redo()
    assert distance() == 18
    undo.redo()
    assert distance() == 20
    assert (undo.can_undo, undo.can_redo) == (True, False)

    undo.undo()
    assert distance() == 18
    assert undo.can_redo
    with log.change_set("Директор") as cs:
        cs.update("school", school_id, {"director": "Толстова Н.П."})
    undo.push(cs.id)
    assert not undo.can_redo
    assert undo.redo_label() == ""
    assert undo.undo_label() == "Директор"

    undo.clear()
    assert (undo.can_undo, undo.can_redo) == (False, False)


def test_failed_undo_keeps_the_stack(database: Database) -> None:
    log, undo = database.log, database.undo
    with log.change_set("Школа") as cs:
        school_id = cs.insert("school", _school("01", "Бартеневка", distance_km=18))
    with log.change_set("Расстояние") as cs:
        cs.update("school", school_id, {"distance_km": 20})
    with log.change_set("Демо", "demo") as other:  # a kind that is not undoable
        other.update("school", school_id, {"distance_km": 30})
    before = _snapshot(log.conn)
    with pytest.raises(RevertConflictError):
        undo.undo()
    assert _snapshot(log.conn) == before
    assert undo.can_undo
    assert not undo.can_redo
    assert undo.undo_label() == "Расстояние"


# --- history and listeners --------------------------------------------------------


def test_field_history_lists_who_when_old_new_in_order(log: ChangeLog) -> None:
    with log.change_set("Школа") as cs:
        school_id = cs.insert("school", _school("01", "Бартеневка", distance_km=18))
    log.actor = "Сидоров П.П."
    with log.change_set("Уточнено расстояние") as cs:
        cs.update("school", school_id, {"distance_km": 19})
    with log.change_set("Директор") as cs:
        cs.update("school", school_id, {"director": "Толстова Н.П."})
    with log.change_set("Импорт паспорта", "import") as cs:
        cs.update("school", school_id, {"distance_km": 21})

    history = log.field_history("school", school_id, "distance_km")
    assert [(h.op, h.old, h.new, h.actor, h.label, h.kind) for h in history] == [
        ("insert", None, 18, "Петрова Е.В.", "Школа", "edit"),
        ("update", 18, 19, "Сидоров П.П.", "Уточнено расстояние", "edit"),
        ("update", 19, 21, "Сидоров П.П.", "Импорт паспорта", "import"),
    ]
    assert [h.set_id for h in history] == sorted(h.set_id for h in history)
    assert all(h.created_at[:4].isdigit() and "T" in h.created_at for h in history)
    # A field never changed after the insert has only the insert (its default value).
    [created] = log.field_history("school", school_id, "email")
    assert (created.op, created.old, created.new) == ("insert", None, "")
    assert log.field_history("school", school_id + 1, "distance_km") == []


def test_listeners_get_each_committed_change_set_once(log: ChangeLog) -> None:
    seen: list[ChangeSetInfo] = []
    log.listeners.append(seen.append)

    with log.change_set("Школа") as cs:
        school_id = cs.insert("school", _school("01", "Бартеневка"))
        cs.insert("school_profile", {"school_id": school_id, "year": 2022})
    with pytest.raises(InvalidValueError), log.change_set("Ошибка") as cs:
        cs.update("school_profile", 1, {"pct_low_income": 120})
    with pytest.raises(KeyError), log.change_set("Прервано") as cs:
        cs.insert("school", _school("02", "Знаменский"))
        raise KeyError("x")
    with log.change_set("Без изменений") as cs:
        cs.update("school", school_id, {"code": "01"})
    revert_id = log.revert(log.recent_sets(1)[0].id)

    assert [(i.label, i.tables, i.row_count) for i in seen] == [
        ("Школа", frozenset({"school", "school_profile"}), 2),
        ("Школа", frozenset({"school", "school_profile"}), 2),
    ]
    assert [i.kind for i in seen] == ["edit", "revert"]
    assert seen[1].id == revert_id
    assert seen[1].reverts_id == seen[0].id


# --- refusals -------------------------------------------------------------------------


def test_unknown_column_and_log_tables_are_refused(log: ChangeLog) -> None:
    with log.change_set("Школа") as cs:
        school_id = cs.insert("school", _school("01", "Бартеневка"))
    before = _snapshot(log.conn)

    with pytest.raises(ConstraintError) as info, log.change_set("x") as cs:
        cs.insert("school", {**_school("02", "Знаменский"), "colour": "red"})
    assert info.value.table == "school"
    assert "colour" in info.value.detail

    with pytest.raises(ConstraintError), log.change_set("x") as cs:
        cs.update("school", school_id, {"colour": "red"})
    with pytest.raises(ConstraintError), log.change_set("x") as cs:
        cs.insert("no_such_table", {"a": 1})

    change_id = int(log.conn.execute("SELECT min(id) FROM change").fetchone()[0])
    for table, row_id in (("change", change_id), ("change_set", 1)):
        with pytest.raises(ConstraintError) as info, log.change_set("x") as cs:
            cs.insert(table, {"set_id": 1, "seq": 99, "table_name": "school", "row_id": 1})
        assert info.value.table == table
        with pytest.raises(ConstraintError), log.change_set("x") as cs:
            cs.update(table, row_id, {"label": "подделка"})
        with pytest.raises(ConstraintError), log.change_set("x") as cs:
            cs.delete(table, row_id)

    assert _snapshot(log.conn) == before


def test_rule_violation_is_a_typed_error_and_writes_nothing(log: ChangeLog) -> None:
    with log.change_set("Школа") as cs:
        school_id = cs.insert("school", _school("01", "Бартеневка"))
    before = _snapshot(log.conn)

    with pytest.raises(InvalidValueError) as info, log.change_set("Паспорт") as cs:
        cs.insert("school_profile", {"school_id": school_id, "year": 2022, "pct_low_income": 120})
    assert (info.value.issue.table, info.value.issue.field) == ("school_profile", "pct_low_income")
    assert info.value.issue.code == "share_range"
    assert _snapshot(log.conn) == before


def test_a_check_constraint_the_rules_let_through_is_a_constraint_error(log: ChangeLog) -> None:
    before = _snapshot(log.conn)
    with pytest.raises(ConstraintError) as info, log.change_set("Событие") as cs:
        cs.checked = False  # as when restoring: the database's own CHECK is the last guard
        cs.insert("event", {"event_date": "2023-07-03", "topic": "Семинар", "coverage": -1})
    assert info.value.table == "event"
    assert "CHECK" in info.value.detail
    assert _snapshot(log.conn) == before


def test_a_refused_value_rolls_back_the_whole_set(log: ChangeLog) -> None:
    with log.change_set("Школа") as cs:
        school_id = cs.insert("school", _school("01", "Бартеневка"))
    with log.change_set("Паспорт") as cs:
        profile_id = cs.insert("school_profile", {"school_id": school_id, "year": 2022})
    before = _snapshot(log.conn)
    with pytest.raises(InvalidValueError), log.change_set("Доля") as cs:
        cs.update("school_profile", profile_id, {"pct_low_income": 11})
        cs.update("school_profile", profile_id, {"pct_low_income": 120})
    assert _snapshot(log.conn) == before


def test_foreign_key_violation_is_a_constraint_error(log: ChangeLog) -> None:
    with pytest.raises(ConstraintError), log.change_set("Паспорт") as cs:
        cs.insert("school_profile", {"school_id": 999, "year": 2022})
    assert _count(log.conn, "change_set") == 0


def test_missing_rows_are_reported(log: ChangeLog) -> None:
    with pytest.raises(RecordNotFoundError) as info, log.change_set("x") as cs:
        cs.update("school", 7, {"code": "07"})
    assert (info.value.table, info.value.row_id) == ("school", 7)
    with pytest.raises(RecordNotFoundError), log.change_set("x") as cs:
        cs.delete("school", 7)
