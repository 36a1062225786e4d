"""The district, its programme(s), yearly district figures and people with roles.

The checks of ``district``, ``district_year``, ``person`` and ``person_role``
are declared here once: their fields as :class:`FieldSpec` (``*_SPECS``) and
the rules over a whole row (:data:`ROW_RULES`), registered with the change
log's rules so that every write path runs them.  The repository checks before
it opens a change set, and the dialogs run :func:`check_district` & co. to
show every problem at once.  They return :class:`FieldIssue` values with
codes; the UI words them in Russian.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from shnor_desktop.models import rules
from shnor_desktop.models.changelog import ChangeLog
from shnor_desktop.models.db import from_row
from shnor_desktop.models.errors import RecordNotFoundError
from shnor_desktop.models.fields import FieldIssue, FieldSpec, InvalidValueError, check_value
from shnor_desktop.models.rules import RowContext, RowRule

# Role codes with their labels (translatable sources, context "district").
ROLE_LABELS: dict[str, str] = {
    "coordinator": "Муниципальный координатор",
    "tutor": "Тьютор-консультант",
    "curator": "Куратор",
    "head_rmo": "Руководитель РМО",
    "head_office": "Руководитель управления",
    "working_group": "Рабочая группа",
    "director": "Директор",
    "other": "Другое",
}

# The years the schema accepts (CHECK year BETWEEN 1990 AND 2100).
YEAR_MIN = 1990
YEAR_MAX = 2100

# Sections and labels are translatable sources (context "district").
DISTRICT_SPECS: tuple[FieldSpec, ...] = (
    FieldSpec("name", "text", "Район", "Наименование", required=True),
    FieldSpec("region", "text", "Район", "Субъект РФ"),
    FieldSpec("office", "text", "Район", "Орган управления образованием"),
    FieldSpec("centre", "text", "Район", "Районный центр"),
    FieldSpec("head_of_office", "text", "Район", "Руководитель управления"),
    FieldSpec("coordinator", "text", "Район", "Муниципальный координатор"),
    FieldSpec("population", "count", "Район", "Численность населения", "чел."),
    FieldSpec("notes", "text", "Район", "Примечания"),
)

DISTRICT_YEAR_SPECS: tuple[FieldSpec, ...] = (
    FieldSpec(
        "year",
        "int",
        "Показатели района",
        "Учебный год",
        required=True,
        minimum=YEAR_MIN,
        maximum=YEAR_MAX,
    ),
    FieldSpec("pupils_total", "count", "Показатели района", "Обучающихся всего", "чел."),
    FieldSpec("pupils_grade1", "count", "Показатели района", "В 1-х классах", "чел."),
    FieldSpec("pupils_grade9", "count", "Показатели района", "В 9-х классах", "чел."),
    FieldSpec("pupils_grade11", "count", "Показатели района", "В 11-х классах", "чел."),
    FieldSpec("pupils_bused", "count", "Показатели района", "Подвозится обучающихся", "чел."),
    FieldSpec("buses", "count", "Показатели района", "Школьных автобусов"),
    FieldSpec("district_id", "ref", "Показатели района", "Район", required=True),
)

PERSON_SPECS: tuple[FieldSpec, ...] = (
    FieldSpec("full_name", "text", "Человек", "ФИО", required=True),
    FieldSpec("position", "text", "Человек", "Должность"),
    FieldSpec("organisation", "text", "Человек", "Организация"),
    FieldSpec("school_id", "school", "Человек", "Школа"),
    FieldSpec("phone", "text", "Человек", "Телефон"),
    FieldSpec("email", "text", "Человек", "Эл. почта"),
)

PERSON_ROLE_SPECS: tuple[FieldSpec, ...] = (
    FieldSpec("person_id", "person", "Роль", "Человек", required=True),
    FieldSpec("role", "choice", "Роль", "Роль", required=True, choices=tuple(ROLE_LABELS)),
    FieldSpec("programme_id", "ref", "Роль", "Программа"),
    FieldSpec("title", "text", "Роль", "Как названа роль"),
)

# The figures of a district year, in the order forms show them.
DISTRICT_YEAR_COUNTS: tuple[str, ...] = tuple(
    s.name for s in DISTRICT_YEAR_SPECS if s.kind == "count"
)
# The fields of a person a form edits, and the text ones among them.
PERSON_FIELDS: tuple[str, ...] = tuple(s.name for s in PERSON_SPECS)
PERSON_TEXT_FIELDS: tuple[str, ...] = tuple(s.name for s in PERSON_SPECS if s.kind == "text")

# A telephone is digits with separators and an optional extension («доб. 12»).
_PHONE = re.compile(r"^[0-9+()\-.,;\s]*(?:(?:доб|вн)\.?\s*\d+)?$", re.IGNORECASE)
PHONE_MIN_DIGITS = 5
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True)
class District:
    """The district whose programme the database keeps."""

    id: int
    name: str
    region: str = ""
    office: str = ""
    centre: str = ""
    head_of_office: str = ""
    coordinator: str = ""
    population: int | None = None
    notes: str = ""


@dataclass(frozen=True)
class DistrictYear:
    """District-wide figures of one school year (``year`` = its first calendar year)."""

    id: int
    year: int
    pupils_total: int | None = None
    pupils_grade1: int | None = None
    pupils_grade9: int | None = None
    pupils_grade11: int | None = None
    pupils_bused: int | None = None
    buses: int | None = None
    source: str = "manual"


@dataclass(frozen=True)
class Person:
    """Staff acting in an official role (no pupils' personal data is kept)."""

    id: int
    full_name: str
    position: str = ""
    organisation: str = ""
    roles: tuple[str, ...] = ()
    school_id: int | None = None
    phone: str = ""
    email: str = ""


@dataclass(frozen=True)
class PersonReferences:
    """What else in the database names a person (cleared when the person is removed)."""

    curator_of: int = 0
    """Passports (school × year) with the person as curator."""
    tutor_visits: int = 0
    """Entries of the tutor journal written by the person."""
    meetings_chaired: int = 0
    meetings_attended: int = 0

    @property
    def total(self) -> int:
        """How many records refer to the person."""
        return self.curator_of + self.tutor_visits + self.meetings_chaired + self.meetings_attended


# --- checks ------------------------------------------------------------------------
def field_issues(specs: Iterable[FieldSpec], row: Mapping[str, Any]) -> list[FieldIssue]:
    """Every refused value among the fields of ``row`` that ``specs`` declare.

    Fields absent from ``row`` are not checked (an update gives only what changes).
    """
    issues: list[FieldIssue] = []
    for spec in specs:
        if spec.name in row:
            try:
                check_value(spec, row[spec.name])
            except InvalidValueError as exc:
                issues.append(exc.issue)
    return issues


def contact_issues(row: Mapping[str, Any]) -> list[FieldIssue]:
    """Problems of the telephone and e-mail of a person in ``row`` (empty ones are fine)."""
    issues: list[FieldIssue] = []
    phone = str(row.get("phone") or "").strip()
    if phone and (not _PHONE.match(phone) or sum(c.isdigit() for c in phone) < PHONE_MIN_DIGITS):
        issues.append(FieldIssue("phone", "phone_format", "error", (phone,)))
    email = str(row.get("email") or "").strip()
    if email and not _EMAIL.match(email):
        issues.append(FieldIssue("email", "email_format", "error", (email,)))
    return issues


def duplicate_year_issues(
    conn: sqlite3.Connection, row_id: int | None, row: Mapping[str, Any]
) -> list[FieldIssue]:
    """A school year the district already has figures for (another row than ``row_id``)."""
    year, district_id = row.get("year"), row.get("district_id")
    if year is None or district_id is None:
        return []
    found = conn.execute(
        "SELECT 1 FROM district_year WHERE district_id = ? AND year = ? AND id IS NOT ?",
        (district_id, year, row_id),
    ).fetchone()
    return [] if found is None else [FieldIssue("year", "duplicate_year", "error", (year,))]


def person_row_rule(context: RowContext) -> list[FieldIssue]:
    """Row rule of ``person``: the telephone and e-mail, when written."""
    return [i for i in contact_issues(context.row) if i.field in context.changed]


def district_year_row_rule(context: RowContext) -> list[FieldIssue]:
    """Row rule of ``district_year``: one row per school year of the district."""
    if not context.changed & {"year", "district_id"}:
        return []
    return duplicate_year_issues(context.conn, context.row_id, context.row)


def check_district(row: Mapping[str, Any]) -> list[FieldIssue]:
    """Check the district fields given in ``row`` (absent fields are not checked)."""
    return field_issues(DISTRICT_SPECS, row)


def check_district_year(row: Mapping[str, Any]) -> list[FieldIssue]:
    """Check the year and figures given in ``row`` (absent fields are not checked)."""
    return field_issues(DISTRICT_YEAR_SPECS, row)


def check_person(row: Mapping[str, Any]) -> list[FieldIssue]:
    """Check the person fields given in ``row`` (absent fields are not checked)."""
    issues = field_issues(PERSON_SPECS, row)
    flagged = {i.field for i in issues}
    return issues + [i for i in contact_issues(row) if i.field not in flagged]


def check_person_role(row: Mapping[str, Any]) -> list[FieldIssue]:
    """Check a role of a person given in ``row`` (absent fields are not checked)."""
    return field_issues(PERSON_ROLE_SPECS, row)


ROW_RULES: dict[str, tuple[RowRule, ...]] = {
    "person": (person_row_rule,),
    "district_year": (district_year_row_rule,),
}
"""The rules over a whole row, by table (``rules.RowRule``)."""

TABLE_CHECKS: dict[str, tuple[tuple[FieldSpec, ...], tuple[RowRule, ...]]] = {
    "district": (DISTRICT_SPECS, ()),
    "district_year": (DISTRICT_YEAR_SPECS, ROW_RULES["district_year"]),
    "person": (PERSON_SPECS, ROW_RULES["person"]),
    "person_role": (PERSON_ROLE_SPECS, ()),
}
"""Fields and row rules of this module's tables, as the change log's rules know them."""

for _table, (_specs, _row_rules) in TABLE_CHECKS.items():
    rules.register(_table, _specs, _row_rules)


def _role_order(code: str) -> tuple[int, str]:
    """Roles in the order of :data:`ROLE_LABELS` (coordinator first), unknown codes last."""
    order = list(ROLE_LABELS)
    return (order.index(code) if code in ROLE_LABELS else len(order), code)


def _refuse(issues: Iterable[FieldIssue]) -> None:
    """Raise the first refused value, if any."""
    for issue in issues:
        if issue.severity == "error":
            raise InvalidValueError(issue)


def _normalised(specs: Iterable[FieldSpec], values: Mapping[str, Any]) -> dict[str, Any]:
    """The declared fields of ``values``, checked and normalised (text stripped, 1539.0 → 1539).

    Raises :class:`InvalidValueError` for the first refused value.
    """
    by_name = {spec.name: spec for spec in specs}
    return {
        name: check_value(by_name[name], value) for name, value in values.items() if name in by_name
    }


def _set_id(set_id: int | None) -> int:
    """The id of a change set that wrote something (it always has one)."""
    if set_id is None:
        raise RuntimeError("a change set that wrote rows has an id")
    return set_id


class DistrictRepository:
    """Queries and writes of the district, its yearly figures and people.

    Every write checks its values first (:class:`InvalidValueError` names the
    field) and is one change set with the caller's label.
    """

    def __init__(self, conn: sqlite3.Connection, log: ChangeLog) -> None:
        del conn  # reads go through the reading thread's own connection
        self.log = log

    @property
    def conn(self) -> sqlite3.Connection:
        """The connection this thread reads with (the writer inside a change set)."""
        return self.log.reader()

    # --- the district ---------------------------------------------------------------
    def district(self) -> District | None:
        """Return the district (a database keeps one), or None in a new database."""
        row = self.conn.execute("SELECT * FROM district ORDER BY id LIMIT 1").fetchone()
        if row is None:
            return None
        return from_row(District, row)

    def create(
        self, district: Mapping[str, Any], coordinator: Mapping[str, Any], label: str
    ) -> int:
        """Create the district and its coordinator (first-run wizard); return the set id."""
        values = _normalised(DISTRICT_SPECS, {"name": "", **district})
        person = _normalised(PERSON_SPECS, coordinator) if coordinator.get("full_name") else {}
        _refuse(contact_issues(person))
        with self.log.change_set(label) as cs:
            cs.insert("district", values)
            if person:
                person_id = cs.insert("person", person)
                cs.insert("person_role", {"person_id": person_id, "role": "coordinator"})
        return _set_id(cs.id)

    def update(self, values: Mapping[str, Any], label: str) -> int | None:
        """Change fields of the district; return the set id, None if unchanged."""
        current = self.district()
        if current is None:
            return None
        clean = _normalised(DISTRICT_SPECS, values)
        with self.log.change_set(label) as cs:
            changed = cs.update("district", current.id, clean)
        return cs.id if changed else None

    # --- yearly figures ---------------------------------------------------------------
    def years(self) -> list[DistrictYear]:
        """Return the district's yearly figures, oldest first."""
        return [
            from_row(DistrictYear, r)
            for r in self.conn.execute("SELECT * FROM district_year ORDER BY year, id")
        ]

    def year(self, year_id: int) -> DistrictYear:
        """Return the figures of one row; :class:`RecordNotFoundError` if it is gone."""
        row = self.conn.execute("SELECT * FROM district_year WHERE id = ?", (year_id,)).fetchone()
        if row is None:
            raise RecordNotFoundError("district_year", year_id)
        return from_row(DistrictYear, row)

    def add_year(self, values: Mapping[str, Any], label: str) -> tuple[int, int]:
        """Add the figures of a school year; return (change set id, row id).

        Refuses a year the district already has (``duplicate_year``) and a
        database without a district (``no_district``).
        """
        district = self.district()
        if district is None:
            raise InvalidValueError(FieldIssue("year", "no_district", "error"))
        clean = _normalised(DISTRICT_YEAR_SPECS, {"year": None, **values})
        clean["district_id"] = district.id
        _refuse(duplicate_year_issues(self.conn, None, clean))
        with self.log.change_set(label) as cs:
            row_id = cs.insert("district_year", {**clean, "source": "manual"})
        return _set_id(cs.id), row_id

    def update_year(self, year_id: int, values: Mapping[str, Any], label: str) -> int | None:
        """Change the figures (or the year) of a row; return the set id, None if unchanged."""
        current = self.log.read_row("district_year", year_id)
        if current is None:
            raise RecordNotFoundError("district_year", year_id)
        clean = _normalised(DISTRICT_YEAR_SPECS, values)
        clean.pop("district_id", None)  # figures stay with their district
        _refuse(duplicate_year_issues(self.conn, year_id, {**current, **clean}))
        with self.log.change_set(label) as cs:
            changed = cs.update("district_year", year_id, clean)
        return cs.id if changed else None

    def remove_year(self, year_id: int, label: str) -> int:
        """Remove the figures of a year; return the set id."""
        with self.log.change_set(label) as cs:
            cs.delete("district_year", year_id)
        return _set_id(cs.id)

    # --- people -----------------------------------------------------------------------
    _PEOPLE_SQL = (
        "SELECT p.*, group_concat(DISTINCT r.role) AS roles"
        " FROM person p LEFT JOIN person_role r ON r.person_id = p.id"
    )

    @staticmethod
    def _person(row: sqlite3.Row) -> Person:
        codes = set((row["roles"] or "").split(",")) - {""}
        return Person(
            id=row["id"],
            full_name=row["full_name"],
            position=row["position"],
            organisation=row["organisation"],
            roles=tuple(sorted(codes, key=_role_order)),
            school_id=row["school_id"],
            phone=row["phone"],
            email=row["email"],
        )

    def people(self, role: str | None = None) -> list[Person]:
        """Return people (with a given role, if set), by name."""
        sql = self._PEOPLE_SQL
        params: tuple[Any, ...] = ()
        if role is not None:
            sql += " WHERE p.id IN (SELECT person_id FROM person_role WHERE role = ?)"
            params = (role,)
        sql += " GROUP BY p.id ORDER BY p.full_name COLLATE RU, p.id"
        return [self._person(r) for r in self.conn.execute(sql, params)]

    def person(self, person_id: int) -> Person:
        """Return one person with roles; :class:`RecordNotFoundError` if they are gone."""
        row = self.conn.execute(
            self._PEOPLE_SQL + " WHERE p.id = ? GROUP BY p.id", (person_id,)
        ).fetchone()
        if row is None:
            raise RecordNotFoundError("person", person_id)
        return self._person(row)

    def person_references(self, person_id: int) -> PersonReferences:
        """Count what refers to a person: removing them clears these references."""
        row = self.conn.execute(
            "SELECT (SELECT count(*) FROM school_profile WHERE curator_id = :id),"
            " (SELECT count(*) FROM tutor_visit WHERE tutor_id = :id),"
            " (SELECT count(*) FROM meeting WHERE chair_id = :id),"
            " (SELECT count(*) FROM meeting_attendee WHERE person_id = :id)",
            {"id": person_id},
        ).fetchone()
        return PersonReferences(*(int(v) for v in row))

    @staticmethod
    def _checked_person(values: Mapping[str, Any], roles: Collection[str]) -> dict[str, Any]:
        clean = _normalised(PERSON_SPECS, values)
        _refuse(contact_issues(clean))
        for role in roles:
            _refuse(check_person_role({"role": role}))
        return clean

    def add_person(
        self, values: Mapping[str, Any], roles: Collection[str], label: str
    ) -> tuple[int, int]:
        """Add a person with roles; return (change set id, person id)."""
        clean = self._checked_person({"full_name": "", **values}, roles)
        with self.log.change_set(label) as cs:
            person_id = cs.insert("person", clean)
            for role in sorted(set(roles), key=_role_order):
                cs.insert("person_role", {"person_id": person_id, "role": role})
        return _set_id(cs.id), person_id

    def update_person(
        self,
        person_id: int,
        values: Mapping[str, Any],
        roles: Collection[str] | None,
        label: str,
    ) -> int | None:
        """Change a person and (unless ``roles`` is None) set their roles exactly.

        A role kept keeps its rows (with their programme and title); a role
        taken away loses all its rows.  Returns the set id, None if unchanged.
        """
        self.person(person_id)  # RecordNotFoundError before anything else
        clean = self._checked_person(values, roles or ())
        with self.log.change_set(label) as cs:
            changed = cs.update("person", person_id, clean) if clean else False
            if roles is not None:
                wanted = set(roles)
                held: set[str] = set()
                for row_id, role in self.conn.execute(
                    "SELECT id, role FROM person_role WHERE person_id = ? ORDER BY id",
                    (person_id,),
                ).fetchall():
                    if role in wanted:
                        held.add(role)
                    else:
                        cs.delete("person_role", row_id)
                        changed = True
                for role in sorted(wanted - held, key=_role_order):
                    cs.insert("person_role", {"person_id": person_id, "role": role})
                    changed = True
        return cs.id if changed else None

    def remove_person(self, person_id: int, label: str) -> int:
        """Remove a person with their roles and attendance; clear the references to them.

        Curatorships, tutor journal entries and chaired meetings lose the
        person (recorded, so undo restores them).  Returns the set id.
        """
        with self.log.change_set(label) as cs:
            cs.delete("person", person_id)
        return _set_id(cs.id)
