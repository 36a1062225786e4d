"""The district repository: people with roles, yearly figures, their checks and undo."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from shnor_desktop.models.database import Database
from shnor_desktop.models.district import (
    check_district_year,
    check_person,
    check_person_role,
    district_year_row_rule,
    person_row_rule,
)
from shnor_desktop.models.errors import RecordNotFoundError
from shnor_desktop.models.fields import InvalidValueError
from shnor_desktop.models.rules import RowContext

# The log's own tables change with every write, a revert included; sqlite_sequence
# keeps the highest id ever used.  Everything else must come back exactly.
_LOG_LINES = (
    'INSERT INTO "change"',
    'INSERT INTO "change_set"',
    'INSERT INTO "sqlite_sequence"',
    'DELETE FROM "sqlite_sequence"',
)


def _dump(conn: sqlite3.Connection) -> list[str]:
    """Every row of every table but the log's, as SQL text."""
    return [line for line in conn.iterdump() if not line.startswith(_LOG_LINES)]


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    """A district with a school, a passport, a tutor journal entry and a meeting."""
    database = Database.open(tmp_path / "d.sqlite")
    with database.log.change_set("Начальные данные", "demo") as cs:
        district_id = cs.insert("district", {"name": "Ивантеевский муниципальный район"})
        cs.insert(
            "district_year",
            {"district_id": district_id, "year": 2023, "pupils_total": 1539, "source": "seed"},
        )
        school = cs.insert(
            "school", {"code": "01", "full_name": "МОУ «СОШ с. Бартеневка»", "short_name": "Б"}
        )
        tutor = cs.insert("person", {"full_name": "Петров Сергей Иванович"})
        cs.insert("person_role", {"person_id": tutor, "role": "tutor", "title": "тьютор МТК"})
        cs.insert("person_role", {"person_id": tutor, "role": "curator"})
        for year in (2022, 2023):
            cs.insert(
                "school_profile",
                {"school_id": school, "year": year, "curator_id": tutor, "generated_fields": "[]"},
            )
        cs.insert(
            "tutor_visit",
            {"visit_date": "2023-10-05", "tutor_id": tutor, "school_id": school, "form": "выезд"},
        )
        meeting = cs.insert("meeting", {"meeting_date": "2023-07-03", "chair_id": tutor})
        cs.insert("meeting_attendee", {"meeting_id": meeting, "person_id": tutor})
    try:
        yield database
    finally:
        database.close()


def _tutor(db: Database) -> int:
    return db.district.people("tutor")[0].id


def _school(db: Database) -> int:
    return db.schools.all_schools()[0].id


def _issue(exc: pytest.ExceptionInfo[InvalidValueError]) -> tuple[str, str, tuple[object, ...]]:
    issue = exc.value.issue
    return issue.field, issue.code, issue.args


# --- people -------------------------------------------------------------------------------


def test_person_round_trip_with_roles_and_exact_undo(db: Database) -> None:
    repo = db.district
    before_add = _dump(db.conn)
    set_id, person_id = repo.add_person(
        {
            "full_name": "  Сидорова Анна Викторовна ",
            "position": "Учитель физики",
            "school_id": _school(db),
            "phone": "8 (84579) 5-12-34",
            "email": "sidorova@example.ru",
        },
        ["curator", "tutor"],
        "Добавлен человек «Сидорова Анна Викторовна»",
    )
    person = repo.person(person_id)
    assert person.full_name == "Сидорова Анна Викторовна"  # stripped
    assert person.roles == ("tutor", "curator")  # the order of ROLE_LABELS
    assert (person.phone, person.email) == ("8 (84579) 5-12-34", "sidorova@example.ru")
    assert person.id in {p.id for p in repo.people("curator")}
    info = db.log.get_set(set_id)
    assert info.label == "Добавлен человек «Сидорова Анна Викторовна»"
    assert info.tables == {"person", "person_role"}

    curator_row = db.conn.execute(
        "SELECT id FROM person_role WHERE person_id = ? AND role = 'curator'", (person_id,)
    ).fetchone()[0]
    before_edit = _dump(db.conn)
    edit_id = repo.update_person(
        person_id,
        {"position": "Заместитель директора", "email": ""},
        ["curator", "working_group"],
        "Изменены сведения о человеке «Сидорова Анна Викторовна»",
    )
    assert edit_id is not None
    person = repo.person(person_id)
    assert person.position == "Заместитель директора"
    assert person.email == ""
    assert person.roles == ("curator", "working_group")
    # A role kept keeps its row; only the role taken away is deleted.
    assert (
        db.conn.execute(
            "SELECT id FROM person_role WHERE person_id = ? AND role = 'curator'", (person_id,)
        ).fetchone()[0]
        == curator_row
    )

    before_remove = _dump(db.conn)
    remove_id = repo.remove_person(person_id, "Удалён человек «Сидорова Анна Викторовна»")
    with pytest.raises(RecordNotFoundError):
        repo.person(person_id)
    assert (
        db.conn.execute(
            "SELECT count(*) FROM person_role WHERE person_id = ?", (person_id,)
        ).fetchone()[0]
        == 0
    )

    db.log.revert(remove_id)
    assert _dump(db.conn) == before_remove
    db.log.revert(edit_id)
    assert _dump(db.conn) == before_edit
    db.log.revert(set_id)
    assert _dump(db.conn) == before_add


def test_unchanged_person_writes_nothing(db: Database) -> None:
    tutor = _tutor(db)
    sets = len(db.log.recent_sets())
    person = db.district.person(tutor)
    assert (
        db.district.update_person(tutor, {"full_name": person.full_name}, list(person.roles), "x")
        is None
    )
    # Giving the roles in another order changes nothing either.
    assert db.district.update_person(tutor, {}, ["curator", "tutor"], "x") is None
    assert len(db.log.recent_sets()) == sets


def test_removing_a_person_clears_references_and_undo_restores_them(db: Database) -> None:
    tutor = _tutor(db)
    refs = db.district.person_references(tutor)
    assert (refs.curator_of, refs.tutor_visits, refs.meetings_chaired, refs.meetings_attended) == (
        2,
        1,
        1,
        1,
    )
    assert refs.total == 5
    before = _dump(db.conn)
    set_id = db.district.remove_person(tutor, "Удалён человек «Петров Сергей Иванович»")
    assert (
        db.conn.execute("SELECT count(*) FROM school_profile WHERE curator_id IS NULL").fetchone()[
            0
        ]
        == 2
    )
    assert db.conn.execute("SELECT tutor_id FROM tutor_visit").fetchone()[0] is None
    assert db.conn.execute("SELECT chair_id FROM meeting").fetchone()[0] is None
    assert db.conn.execute("SELECT count(*) FROM meeting_attendee").fetchone()[0] == 0
    assert db.district.person_references(tutor).total == 0

    db.log.revert(set_id)
    assert _dump(db.conn) == before
    assert db.district.person(tutor).roles == ("tutor", "curator")


@pytest.mark.parametrize(
    ("values", "roles", "expected"),
    [
        ({"full_name": "   "}, [], ("full_name", "required")),
        ({"full_name": "Иванов И.И.", "email": "ivanov.example.ru"}, [], ("email", "email_format")),
        ({"full_name": "Иванов И.И.", "phone": "звонить вечером"}, [], ("phone", "phone_format")),
        ({"full_name": "Иванов И.И.", "phone": "12-34"}, [], ("phone", "phone_format")),
        ({"full_name": "Иванов И.И."}, ["chief"], ("role", "unknown_choice")),
    ],
)
def test_refused_person_values_name_the_field_and_write_nothing(
    db: Database, values: dict[str, str], roles: list[str], expected: tuple[str, str]
) -> None:
    before = _dump(db.conn)
    sets = len(db.log.recent_sets())
    with pytest.raises(InvalidValueError) as exc:
        db.district.add_person(values, roles, "Добавлен человек")
    assert _issue(exc)[:2] == expected
    with pytest.raises(InvalidValueError) as exc:
        db.district.update_person(_tutor(db), values, roles, "x")
    assert _issue(exc)[:2] == expected
    assert _dump(db.conn) == before
    assert len(db.log.recent_sets()) == sets


def test_phone_forms_in_use_are_accepted() -> None:
    for phone in ("8 (84579) 5-12-34", "+7 927 123-45-67", "5-12-34, доб. 12", "88457951234"):
        assert check_person({"phone": phone}) == [], phone


def test_checks_report_every_problem_at_once() -> None:
    issues = check_person({"full_name": "", "email": "нет", "phone": "abc"})
    assert [(i.field, i.code) for i in issues] == [
        ("full_name", "required"),
        ("phone", "phone_format"),
        ("email", "email_format"),
    ]
    issues = check_district_year({"year": 1812, "pupils_total": -1, "buses": 2.5})
    assert [(i.field, i.code) for i in issues] == [
        ("year", "out_of_range"),
        ("pupils_total", "negative"),
        ("buses", "not_integer"),
    ]
    assert check_district_year({"pupils_grade1": None}) == []  # absent or empty is fine
    assert [i.code for i in check_person_role({"role": "boss"})] == ["unknown_choice"]


# --- yearly figures --------------------------------------------------------------------------


def test_year_round_trip_and_exact_undo(db: Database) -> None:
    repo = db.district
    before_add = _dump(db.conn)
    set_id, row_id = repo.add_year(
        {"year": 2024, "pupils_total": 1520.0, "pupils_grade1": 150, "buses": None},
        "Добавлены показатели района за 2024/25",
    )
    added = repo.year(row_id)
    assert (added.year, added.pupils_total, added.pupils_grade1, added.source) == (
        2024,
        1520,
        150,
        "manual",
    )
    assert isinstance(added.pupils_total, int)
    assert [y.year for y in repo.years()] == [2023, 2024]

    before_edit = _dump(db.conn)
    edit_id = repo.update_year(
        row_id, {"year": 2024, "pupils_bused": 250}, "Изменены показатели района за 2024/25"
    )
    assert edit_id is not None
    assert repo.year(row_id).pupils_bused == 250
    assert repo.update_year(row_id, {"pupils_bused": 250}, "x") is None

    before_remove = _dump(db.conn)
    remove_id = repo.remove_year(row_id, "Удалены показатели района за 2024/25")
    assert [y.year for y in repo.years()] == [2023]

    db.log.revert(remove_id)
    assert _dump(db.conn) == before_remove
    db.log.revert(edit_id)
    assert _dump(db.conn) == before_edit
    db.log.revert(set_id)
    assert _dump(db.conn) == before_add


def test_a_year_the_district_has_is_refused_naming_it(db: Database) -> None:
    repo = db.district
    before = _dump(db.conn)
    with pytest.raises(InvalidValueError) as exc:
        repo.add_year({"year": 2023, "pupils_total": 1}, "x")
    assert _issue(exc) == ("year", "duplicate_year", (2023,))
    _, row_id = repo.add_year({"year": 2024}, "x")
    with pytest.raises(InvalidValueError) as exc:
        repo.update_year(row_id, {"year": 2023}, "x")
    assert _issue(exc) == ("year", "duplicate_year", (2023,))
    # Its own year is not a duplicate of itself.
    assert repo.update_year(row_id, {"year": 2024, "buses": 3}, "x") is not None
    repo.remove_year(row_id, "x")
    assert _dump(db.conn) == before


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ({"year": 1812}, ("year", "out_of_range")),
        ({"year": None}, ("year", "required")),
        ({"year": 2024, "pupils_total": -3}, ("pupils_total", "negative")),
        ({"year": 2024, "buses": 1.5}, ("buses", "not_integer")),
        ({"year": 2024, "pupils_grade9": "много"}, ("pupils_grade9", "not_number")),
    ],
)
def test_refused_figures_name_the_field(
    db: Database, values: dict[str, object], expected: tuple[str, str]
) -> None:
    before = _dump(db.conn)
    with pytest.raises(InvalidValueError) as exc:
        db.district.add_year(values, "x")
    assert _issue(exc)[:2] == expected
    assert _dump(db.conn) == before


def test_figures_need_a_district(tmp_path: Path) -> None:
    database = Database.open(tmp_path / "empty.sqlite")
    try:
        with pytest.raises(InvalidValueError) as exc:
            database.district.add_year({"year": 2024}, "x")
        assert _issue(exc)[:2] == ("year", "no_district")
    finally:
        database.close()


def test_row_rules_for_the_change_log(db: Database) -> None:
    district = db.district.district()
    assert district is not None
    row = {"district_id": district.id, "year": 2023}
    context = RowContext(db.conn, "district_year", None, row, frozenset(row))
    assert [i.code for i in district_year_row_rule(context)] == ["duplicate_year"]
    own = db.district.years()[0].id
    context = RowContext(db.conn, "district_year", own, row, frozenset({"year"}))
    assert district_year_row_rule(context) == []
    person = {"full_name": "И.", "email": "плохо", "phone": ""}
    context = RowContext(db.conn, "person", 1, person, frozenset({"email"}))
    assert [i.code for i in person_row_rule(context)] == ["email_format"]
    context = RowContext(db.conn, "person", 1, person, frozenset({"position"}))
    assert person_row_rule(context) == []


@pytest.mark.parametrize(
    ("table", "values", "expected"),
    [
        ("person", {"full_name": " "}, ("full_name", "required")),
        ("person", {"full_name": "И.", "email": "нет"}, ("email", "email_format")),
        ("person_role", {"person_id": 1, "role": "boss"}, ("role", "unknown_choice")),
        ("district_year", {"year": 2023}, ("year", "duplicate_year")),
        ("district_year", {"year": 2024, "buses": -1}, ("buses", "negative")),
        ("district", {"name": ""}, ("name", "required")),
    ],
)
def test_every_write_path_runs_the_checks(
    db: Database, table: str, values: dict[str, object], expected: tuple[str, str]
) -> None:
    """An import or the command line writes through the change log: the same checks hold."""
    if table == "district_year":
        values = {"district_id": db.district.district().id, **values}  # type: ignore[union-attr]
    if table == "person_role":
        values = {**values, "person_id": _tutor(db)}
    before = _dump(db.conn)
    with pytest.raises(InvalidValueError) as exc, db.log.change_set("Импорт", "import") as cs:
        cs.insert(table, values)
    assert _issue(exc)[:2] == expected
    assert exc.value.issue.table == table
    assert _dump(db.conn) == before
