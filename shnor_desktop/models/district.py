"""The district, its programme(s), yearly district figures and people with roles."""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from shnor_desktop.models.changelog import ChangeLog
from shnor_desktop.models.db import from_row

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
    """District-wide figures of one year, as the documents give them."""

    year: int
    pupils_total: int | None
    pupils_grade1: int | None
    pupils_grade9: int | None
    pupils_grade11: int | None
    pupils_bused: int | None
    buses: int | None
    source: str


@dataclass(frozen=True)
class Person:
    """Staff acting in an official role (no pupils' personal data is kept)."""

    id: int
    full_name: str
    position: str
    organisation: str
    roles: tuple[str, ...]


class DistrictRepository:
    """Queries and writes of the district, its programme and people."""

    def __init__(self, conn: sqlite3.Connection, log: ChangeLog) -> None:
        self.conn = conn
        self.log = log

    def district(self) -> District | None:
        """Return the district (a database keeps one), or None in a new database."""
        row = self.conn.execute("SELECT * FROM district ORDER BY id LIMIT 1").fetchone()
        if row is None:
            return None
        return from_row(District, row)

    def years(self) -> list[DistrictYear]:
        """Return the district's yearly figures, oldest first."""
        return [
            DistrictYear(
                year=r["year"],
                pupils_total=r["pupils_total"],
                pupils_grade1=r["pupils_grade1"],
                pupils_grade9=r["pupils_grade9"],
                pupils_grade11=r["pupils_grade11"],
                pupils_bused=r["pupils_bused"],
                buses=r["buses"],
                source=r["source"],
            )
            for r in self.conn.execute("SELECT * FROM district_year ORDER BY year")
        ]

    def people(self, role: str | None = None) -> list[Person]:
        """Return people (with a given role, if set), by name."""
        sql = (
            "SELECT p.id, p.full_name, p.position, p.organisation,"
            " group_concat(DISTINCT r.role) AS roles"
            " FROM person p LEFT JOIN person_role r ON r.person_id = p.id"
        )
        params: tuple[Any, ...] = ()
        if role is not None:
            sql += " WHERE p.id IN (SELECT person_id FROM person_role WHERE role = ?)"
            params = (role,)
        sql += " GROUP BY p.id ORDER BY p.full_name COLLATE RU"
        return [
            Person(
                id=r["id"],
                full_name=r["full_name"],
                position=r["position"],
                organisation=r["organisation"],
                roles=tuple(sorted((r["roles"] or "").split(","))) if r["roles"] else (),
            )
            for r in self.conn.execute(sql, params)
        ]

    def create(
        self, district: Mapping[str, Any], coordinator: Mapping[str, Any], label: str
    ) -> int:
        """Create the district and its coordinator (first-run wizard); return the set id."""
        with self.log.change_set(label) as cs:
            cs.insert("district", dict(district))
            if coordinator.get("full_name"):
                person_id = cs.insert("person", dict(coordinator))
                cs.insert("person_role", {"person_id": person_id, "role": "coordinator"})
        return cs.id

    def update(self, values: Mapping[str, Any], label: str) -> int | None:
        """Change fields of the district; return the set id, None if unchanged."""
        current = self.district()
        if current is None:
            return None
        with self.log.change_set(label) as cs:
            changed = cs.update("district", current.id, dict(values))
        return cs.id if changed else None
