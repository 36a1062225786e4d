"""People found by name, and who is assigned to which school in a school year.

The people themselves (staff acting in their official roles) and their roles
are :class:`~shnor_desktop.models.district.DistrictRepository`'s; this module
adds what the «Люди» page needs on top of it:

* **search** that folds Russian letter case (ё as е) and tolerates the
  grammatical case of a surname as a protocol writes it («заслушали
  Астраханцеву О.В.» finds «Астраханцева О.В.»): every word typed must be
  found in the name, position or organisation;
* **assignments by school year**: the curator of a school and its mentor
  school with the agreement (№ and date) — columns of the school's passport
  of that year (``school_profile``), written here in one change set, the
  passport created when the school has none for the year yet.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, Final

from shnor_desktop.models.changelog import ChangeLog, ChangeSetInfo
from shnor_desktop.models.district import DistrictRepository, Person
from shnor_desktop.models.errors import RecordNotFoundError
from shnor_desktop.models.fields import FieldSpec
from shnor_desktop.models.schools import MENTOR_AGREEMENT_FIELDS, PROFILE_FIELD_BY_NAME
from shnor_desktop.models.text import fold

ASSIGNMENT_FIELDS: Final[tuple[FieldSpec, ...]] = tuple(
    PROFILE_FIELD_BY_NAME[name]
    for name in ("curator_id", "mentor_school_id", *MENTOR_AGREEMENT_FIELDS)
)
"""The fields of an assignment, in the order forms show them: the passport's own fields
(``models/schools.py``), so their checks are the table's and run on every write path."""
ASSIGNMENT_FIELD_BY_NAME: Final = {spec.name: spec for spec in ASSIGNMENT_FIELDS}

# Endings of Russian nouns and surnames in the oblique cases, longest first: a
# word typed with one of them is looked for without it («Астраханцеву» → «астраханцев»).
_ENDINGS: Final = (
    "ой",
    "ей",
    "ую",
    "ом",
    "ем",
    "ым",
    "им",
    "ах",
    "ях",
    "а",
    "у",
    "ы",
    "е",
    "ю",
    "я",
)
_MIN_STEM: Final = 4


def search_stems(text: str) -> list[str]:
    """The folded words of a search, each without an oblique-case ending when long enough."""
    stems = []
    for word in fold(text).split():
        stem = word
        for ending in _ENDINGS:
            if word.endswith(ending) and len(word) - len(ending) >= _MIN_STEM:
                stem = word[: -len(ending)]
                break
        stems.append(stem)
    return stems


@dataclass(frozen=True)
class Assignment:
    """Who works with a school in a school year: its curator and its mentor school.

    ``profile_id`` is None when the school has no passport for the year yet
    (the first assignment creates it).  ``generated`` names the fields the
    demo generated (no document gave them).
    """

    school_id: int
    school_name: str
    school_full_name: str
    parent_id: int | None
    year: int
    profile_id: int | None = None
    group_code: str = "none"
    curator_id: int | None = None
    curator_name: str = ""
    mentor_school_id: int | None = None
    mentor_school_name: str = ""
    agreement_no: str = ""
    agreement_date: date | None = None
    generated: tuple[str, ...] = ()

    @property
    def id(self) -> int:
        """The school's id (a table of assignments has one row per school)."""
        return self.school_id


class PeopleRepository:
    """People search and the schools' assignments by year (one change set a write)."""

    def __init__(self, log: ChangeLog, district: DistrictRepository) -> None:
        self.log = log
        self.district = district

    @property
    def conn(self) -> sqlite3.Connection:
        """The connection this thread reads with (the writer inside a change set)."""
        return self.log.reader()

    # --- people -------------------------------------------------------------------------------
    def find(self, search: str = "", role: str | None = None) -> list[Person]:
        """People (with ``role``, if given) whose name, position or organisation hold every word.

        Letter case and ё are folded, and a word typed in an oblique case finds
        the name («Гладиловой» finds «Гладилова О.А.»).  By name.
        """
        people = self.district.people(role)
        stems = search_stems(search)
        if not stems:
            return people
        where = " AND ".join(
            f"(instr(p.name_fold, :w{i}) > 0 OR instr(fold(p.position), :w{i}) > 0"
            f" OR instr(fold(p.organisation), :w{i}) > 0 OR EXISTS (SELECT 1 FROM person_role r"
            f" WHERE r.person_id = p.id AND instr(fold(r.title), :w{i}) > 0))"
            for i in range(len(stems))
        )
        found = {
            int(r[0])
            for r in self.conn.execute(
                f"SELECT p.id FROM person p WHERE {where}",
                {f"w{i}": stem for i, stem in enumerate(stems)},
            )
        }
        return [p for p in people if p.id in found]

    def role_titles(self, person_id: int) -> list[str]:
        """How the documents name a person's roles («методист МУРЦ, …»), as first written."""
        titles: list[str] = []
        for (title,) in self.conn.execute(
            "SELECT title FROM person_role WHERE person_id = ? AND title <> '' ORDER BY id",
            (person_id,),
        ):
            if title not in titles:
                titles.append(str(title))
        return titles

    def visit_count(self, person_id: int) -> int:
        """Entries of the tutor journal the person made."""
        row = self.conn.execute(
            "SELECT count(*) FROM tutor_visit WHERE tutor_id = ?", (person_id,)
        ).fetchone()
        return int(row[0])

    # --- assignments by school year -----------------------------------------------------------
    _ASSIGNMENT_SQL: Final = (
        "SELECT s.id AS school_id, s.short_name, s.full_name, s.parent_id, sp.id AS profile_id,"
        " ifnull(sp.group_code, 'none') AS group_code, sp.curator_id,"
        " ifnull(c.full_name, '') AS curator_name, sp.mentor_school_id,"
        " ifnull(m.short_name, '') AS mentor_name, ifnull(sp.mentor_agreement_no, '') AS no,"
        " sp.mentor_agreement_date AS agreement_date, sp.generated_fields"
        " FROM school s LEFT JOIN school s0 ON s0.id = s.parent_id"
        " LEFT JOIN school_profile sp ON sp.school_id = s.id AND sp.year = :year"
        " LEFT JOIN person c ON c.id = sp.curator_id"
        " LEFT JOIN school m ON m.id = sp.mentor_school_id"
    )

    def assignments(self, year: int, school_id: int | None = None) -> list[Assignment]:
        """Every school (branches under their school) with its curator and mentor of ``year``."""
        sql = self._ASSIGNMENT_SQL
        params: dict[str, Any] = {"year": year}
        if school_id is not None:
            sql += " WHERE s.id = :school"
            params["school"] = school_id
        sql += (
            " ORDER BY fold(ifnull(s0.short_name, s.short_name)), ifnull(s.parent_id, s.id),"
            " s.parent_id IS NOT NULL, fold(s.short_name), s.id"
        )
        return [self._assignment(r, year) for r in self.conn.execute(sql, params)]

    def assignment(self, school_id: int, year: int) -> Assignment:
        """The assignment of one school; :class:`RecordNotFoundError` when the school is gone."""
        found = self.assignments(year, school_id)
        if not found:
            raise RecordNotFoundError("school", school_id)
        return found[0]

    @staticmethod
    def _assignment(r: sqlite3.Row, year: int) -> Assignment:
        raw = r["generated_fields"] or "[]"
        generated = tuple(json.loads(raw)) if raw.startswith("[") else ()
        return Assignment(
            school_id=int(r["school_id"]),
            school_name=str(r["short_name"]),
            school_full_name=str(r["full_name"]),
            parent_id=r["parent_id"],
            year=year,
            profile_id=r["profile_id"],
            group_code=str(r["group_code"]),
            curator_id=r["curator_id"],
            curator_name=str(r["curator_name"]),
            mentor_school_id=r["mentor_school_id"],
            mentor_school_name=str(r["mentor_name"]),
            agreement_no=str(r["no"]),
            agreement_date=(
                None
                if r["agreement_date"] in (None, "")
                else date.fromisoformat(str(r["agreement_date"])[:10])
            ),
            generated=tuple(g for g in generated if g in ASSIGNMENT_FIELD_BY_NAME),
        )

    def curated_schools(self, person_id: int, year: int) -> list[str]:
        """The short names of the schools a person is curator of in ``year``."""
        return [
            str(r[0])
            for r in self.conn.execute(
                "SELECT s.short_name FROM school_profile sp JOIN school s ON s.id = sp.school_id"
                " WHERE sp.curator_id = ? AND sp.year = ? ORDER BY fold(s.short_name)",
                (person_id, year),
            )
        ]

    def set_assignment(
        self, school_id: int, year: int, values: Mapping[str, Any], label: str
    ) -> ChangeSetInfo | None:
        """Write the curator, mentor school and agreement of a school in ``year`` (one change set).

        ``values`` holds any of :data:`ASSIGNMENT_FIELDS`; without a mentor
        school the agreement is cleared.  The values are checked by the rules
        of ``school_profile`` as the change log writes them (a refused one
        raises :class:`InvalidValueError` and nothing is written).  A school
        without a passport of the year gets one; the fields written leave the
        demo's «generated» list.  Returns None when nothing changed.
        """
        for name in values:
            if name not in ASSIGNMENT_FIELD_BY_NAME:
                raise KeyError(name)
        changes = dict(values)
        if "mentor_school_id" in changes and changes["mentor_school_id"] is None:
            changes.update({name: None for name in MENTOR_AGREEMENT_FIELDS})
        with self.log.change_set(label) as cs:
            current = self.assignment(school_id, year)
            if current.profile_id is None:
                if all(
                    v is None or (isinstance(v, str) and not v.strip()) for v in values.values()
                ):
                    return None
                profile_id = cs.insert(
                    "school_profile",
                    {
                        "school_id": school_id,
                        "year": year,
                        "source": "manual",
                        "generated_fields": "[]",
                    },
                )
                before: dict[str, Any] = {}
            else:
                profile_id = current.profile_id
                before = self.log.read_row("school_profile", profile_id) or {}
            cs.update("school_profile", profile_id, changes)
            after = self.log.read_row("school_profile", profile_id) or {}
            raw = str(before.get("generated_fields") or "[]")
            generated = list(json.loads(raw)) if raw.startswith("[") else []
            # A value the coordinator sets is no longer the demo's guess.
            kept = [g for g in generated if g not in changes or before.get(g) == after.get(g)]
            if len(kept) != len(generated):
                cs.update(
                    "school_profile",
                    profile_id,
                    {"generated_fields": json.dumps(kept, ensure_ascii=False)},
                )
        return cs.info
