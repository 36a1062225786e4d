"""Schools and their yearly passports: records, field specs, checks, repository.

The repository owns searching, filtering and sorting (in SQL), so the item
models above it stay thin; every write goes through the change log.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from shnor_desktop.models import rules
from shnor_desktop.models.changelog import ChangeLog, ChangeSetInfo, FieldChange
from shnor_desktop.models.db import from_row, row_values
from shnor_desktop.models.errors import RecordNotFoundError
from shnor_desktop.models.fields import (
    FieldIssue,
    FieldKind,
    FieldSpec,
    InvalidValueError,
    check_value,
)
from shnor_desktop.models.rules import RowContext
from shnor_desktop.models.schema import GROUP_CODES
from shnor_desktop.models.text import fold

__all__ = [
    "FieldIssue",
    "FieldKind",
    "FieldSpec",
    "InvalidValueError",
    "check_value",
]

# Sections and labels are source strings: the UI passes them through Qt's
# translate() under the context "passport".
SCHOOL_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("full_name", "text", "Общие сведения", "Полное наименование", required=True),
    FieldSpec("short_name", "text", "Общие сведения", "Краткое наименование", required=True),
    FieldSpec("code", "text", "Общие сведения", "Код", required=True),
    FieldSpec("kind", "text", "Общие сведения", "Вид организации"),
    FieldSpec("parent_id", "school", "Общие сведения", "Филиал школы"),
    FieldSpec("locality", "text", "Общие сведения", "Населённый пункт"),
    FieldSpec("distance_km", "real", "Общие сведения", "Расстояние до райцентра", "км"),
    FieldSpec("has_kindergarten", "flag", "Общие сведения", "Дошкольные группы"),
    FieldSpec("director", "text", "Общие сведения", "Директор"),
    FieldSpec("phone", "text", "Общие сведения", "Телефон"),
    FieldSpec("email", "text", "Общие сведения", "Эл. почта"),
    FieldSpec("address", "text", "Общие сведения", "Адрес"),
    FieldSpec("notes", "text", "Общие сведения", "Примечания"),
)

PROFILE_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("pupils_total", "count", "Контингент", "Всего обучающихся", "чел."),
    FieldSpec("pupils_1_4", "count", "Контингент", "1–4 классы", "чел."),
    FieldSpec("pupils_5_9", "count", "Контингент", "5–9 классы", "чел."),
    FieldSpec("pupils_10_11", "count", "Контингент", "10–11 классы", "чел."),
    FieldSpec("pupils_bused", "count", "Контингент", "Подвоз обучающихся", "чел."),
    FieldSpec("pct_ovz", "share", "Контингент", "Доля обучающихся с ОВЗ", "%"),
    FieldSpec("teachers", "count", "Кадры", "Педагогических работников", "чел."),
    FieldSpec("vacancies", "count", "Кадры", "Вакансии", "ставок"),
    FieldSpec("pct_teachers_65plus", "share", "Кадры", "Педагоги 65 лет и старше", "%"),
    FieldSpec("pct_teachers_two_rates", "share", "Кадры", "Нагрузка 2 и более ставок", "%"),
    FieldSpec(
        "pct_incomplete_families",
        "share",
        "Социальные показатели",
        "Неполные семьи и семьи в СОП",
        "%",
    ),
    FieldSpec(
        "pct_low_income", "share", "Социальные показатели", "Доход ниже прожиточного минимума", "%"
    ),
    FieldSpec(
        "pct_other_language", "share", "Социальные показатели", "Иной язык общения в семье", "%"
    ),
    FieldSpec("sek_index", "share", "Социальные показатели", "Индекс СЭК", "%"),
    FieldSpec("internet_mbps", "real", "Инфраструктура", "Скорость интернета", "Мбит/с"),
    FieldSpec("needs_capital_repair", "flag", "Инфраструктура", "Нужен капитальный ремонт"),
    FieldSpec("infrastructure_note", "text", "Инфраструктура", "Инфраструктурные дефициты"),
    FieldSpec("tochka_rosta", "flag", "Инфраструктура", "Центр «Точка роста»"),
    FieldSpec("tsos", "flag", "Инфраструктура", "Оборудование ЦОС"),
    FieldSpec("project_500", "flag", "Инфраструктура", "Участник проекта «500+»"),
    FieldSpec("group_code", "group", "Группа и сопровождение", "Группа", choices=GROUP_CODES),
    FieldSpec("group_reason", "text", "Группа и сопровождение", "Основание"),
    FieldSpec("curator_id", "person", "Группа и сопровождение", "Куратор"),
    FieldSpec("mentor_school_id", "school", "Группа и сопровождение", "Школа-наставник"),
    # The agreement with the mentor school (schema v6): one declaration for the passport,
    # the «Люди» page and every other write path.
    FieldSpec(
        "mentor_agreement_no",
        "text",
        "Группа и сопровождение",
        "Соглашение со школой-наставником: №",
    ),
    FieldSpec(
        "mentor_agreement_date",
        "date",
        "Группа и сопровождение",
        "Соглашение со школой-наставником: дата",
    ),
    FieldSpec("notes", "text", "Группа и сопровождение", "Примечания за год"),
)
MENTOR_AGREEMENT_FIELDS: tuple[str, ...] = ("mentor_agreement_no", "mentor_agreement_date")
"""The agreement with the mentor school: it means nothing without one and goes with it."""

PROFILE_FIELD_BY_NAME = {f.name: f for f in PROFILE_FIELDS}
SCHOOL_FIELD_BY_NAME = {f.name: f for f in SCHOOL_FIELDS}

# Group codes with their labels (translatable sources, context "passport").
GROUP_LABELS: dict[str, str] = {
    "shnor": "ШНОР",
    "risk": "Зона риска (ШНСУ)",
    "prevention": "Профилактика учебной неуспешности",
    "leader": "Высокие результаты (лидер)",
    "none": "Без группы",
}

# Short labels for narrow places such as the school list.
GROUP_SHORT_LABELS: dict[str, str] = {
    "shnor": "ШНОР",
    "risk": "Зона риска",
    "prevention": "Профилактика",
    "leader": "Лидер",
    "none": "—",
}

SORT_KEYS = ("name", "code", "kind", "group", "distance", "pupils")


@dataclass(frozen=True)
class School:
    """A school or a branch (``parent_id`` set)."""

    id: int
    code: str
    full_name: str
    short_name: str
    kind: str = "СОШ"
    parent_id: int | None = None
    locality: str = ""
    distance_km: float | None = None
    director: str = ""
    phone: str = ""
    email: str = ""
    address: str = ""
    has_kindergarten: int = 0
    notes: str = ""


@dataclass(frozen=True)
class SchoolProfile:
    """The passport of a school for one school year (``year`` = its first calendar year)."""

    id: int
    school_id: int
    year: int
    pupils_total: int | None = None
    pupils_1_4: int | None = None
    pupils_5_9: int | None = None
    pupils_10_11: int | None = None
    pupils_bused: int | None = None
    teachers: int | None = None
    vacancies: int | None = None
    pct_teachers_65plus: float | None = None
    pct_teachers_two_rates: float | None = None
    pct_incomplete_families: float | None = None
    pct_low_income: float | None = None
    pct_other_language: float | None = None
    sek_index: float | None = None
    pct_ovz: float | None = None
    internet_mbps: float | None = None
    needs_capital_repair: int | None = None
    infrastructure_note: str = ""
    tochka_rosta: int | None = None
    tsos: int | None = None
    project_500: int | None = None
    group_code: str = "none"
    group_reason: str = ""
    curator_id: int | None = None
    mentor_school_id: int | None = None
    mentor_agreement_no: str = ""
    mentor_agreement_date: str | None = None
    notes: str = ""
    source: str = "manual"
    generated_fields: tuple[str, ...] = field(default=())

    def value(self, name: str) -> Any:
        """Return the value of a field by its column name."""
        return getattr(self, name)


@dataclass(frozen=True)
class SchoolRow:
    """One line of the school list for a chosen year."""

    id: int
    parent_id: int | None
    code: str
    short_name: str
    full_name: str
    kind: str
    locality: str
    distance_km: float | None
    group_code: str | None
    pupils_total: int | None
    matches: bool = True


@dataclass(frozen=True)
class SchoolQuery:
    """What the school list shows: search text, group, year and order."""

    search: str = ""
    group: str | None = None
    year: int | None = None
    sort_key: str = "name"
    descending: bool = False


def school_filter_sql(search: str, group: str | None) -> tuple[list[str], dict[str, Any]]:
    """The SQL conditions of a search text and a group filter, and their parameters.

    They name the school ``s`` and its passport of the year shown ``p`` (left
    joined: a school without one is in the group «none»); the search finds the
    text in the folded name or in the code.  Every list of schools (the school
    list, the results table, the pivot, objectivity, the exams) filters with
    these, so a search or a group finds the same schools everywhere.
    """
    conditions: list[str] = []
    params: dict[str, Any] = {}
    needle = fold(search)
    if needle:
        conditions.append("(instr(s.name_fold, :needle) > 0 OR instr(fold(s.code), :needle) > 0)")
        params["needle"] = needle
    if group:
        conditions.append("ifnull(p.group_code, 'none') = :group")
        params["group"] = group
    return conditions, params


@dataclass(frozen=True)
class GroupDecision:
    """The group decided for a school in a year, with its reason (required)."""

    school_id: int
    group_code: str
    reason: str


# A decided group always says why: the reason of a decision is required.
_REASON_REQUIRED = FieldSpec(
    "group_reason", "text", "Группа и сопровождение", "Основание", required=True
)


def profile_warnings(profile: SchoolProfile) -> list[FieldIssue]:
    """Return the inconsistencies of a passport that are kept but must be shown.

    Real documents disagree with themselves (Бартеневка: levels 85, total 86);
    the figures stay as the document says and the user sees the warning.
    """
    issues: list[FieldIssue] = []
    levels = (profile.pupils_1_4, profile.pupils_5_9, profile.pupils_10_11)
    given = [v for v in levels if v is not None]
    if profile.pupils_total is not None and given and len(given) == len(levels):
        total = sum(given)
        if total != profile.pupils_total:
            issues.append(
                FieldIssue("pupils_total", "levels_sum", "warning", (total, profile.pupils_total))
            )
    if (
        profile.pupils_bused is not None
        and profile.pupils_total is not None
        and profile.pupils_bused > profile.pupils_total
    ):
        issues.append(
            FieldIssue(
                "pupils_bused",
                "bused_over_total",
                "warning",
                (profile.pupils_bused, profile.pupils_total),
            )
        )
    if (
        profile.vacancies is not None
        and profile.teachers is not None
        and profile.vacancies > profile.teachers
    ):
        issues.append(
            FieldIssue(
                "vacancies",
                "vacancies_over_teachers",
                "warning",
                (profile.vacancies, profile.teachers),
            )
        )
    return issues


def _branch_rule(ctx: RowContext) -> Iterable[FieldIssue]:
    """A branch belongs to a school that is not itself a branch, nor the school itself."""
    parent_id = ctx.row.get("parent_id")
    if "parent_id" not in ctx.changed or parent_id is None:
        return
    if ctx.row_id is not None and parent_id == ctx.row_id:
        yield FieldIssue("parent_id", "self_parent", "error")
        return
    parent = ctx.conn.execute("SELECT parent_id FROM school WHERE id = ?", (parent_id,)).fetchone()
    if parent is None:
        yield FieldIssue("parent_id", "unknown_school", "error", (parent_id,))
    elif parent[0] is not None:
        yield FieldIssue("parent_id", "parent_is_branch", "error")
    elif (
        ctx.row_id is not None
        and ctx.conn.execute(
            "SELECT 1 FROM school WHERE parent_id = ? LIMIT 1", (ctx.row_id,)
        ).fetchone()
    ):
        yield FieldIssue("parent_id", "has_branches", "error")


def _mentor_rule(ctx: RowContext) -> Iterable[FieldIssue]:
    """A school does not mentor itself."""
    mentor = ctx.row.get("mentor_school_id")
    if (
        "mentor_school_id" in ctx.changed
        and mentor is not None
        and mentor == ctx.row.get("school_id")
    ):
        yield FieldIssue("mentor_school_id", "self_mentor", "error")


PROFILE_KEY_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("school_id", "school", "Общие сведения", "Школа", required=True),
    FieldSpec(
        "year", "int", "Общие сведения", "Учебный год", required=True, minimum=1990, maximum=2100
    ),
)

rules.register("school", SCHOOL_FIELDS, [_branch_rule])
rules.register("school_profile", (*PROFILE_KEY_FIELDS, *PROFILE_FIELDS), [_mentor_rule])


_ORDER = {
    # fold() once per row, then a byte comparison: Cyrillic code points are in
    # alphabetical order once ё is folded to е (a collation would fold per comparison).
    "name": "fold(s.short_name)",
    "code": "fold(s.code)",
    "kind": "fold(s.kind)",
    "group": "ifnull(p.group_code, 'none')",
    "distance": "s.distance_km",
    "pupils": "p.pupils_total",
}


def _profile_from_row(row: sqlite3.Row) -> SchoolProfile:
    values = row_values(row, SchoolProfile)
    raw = row["generated_fields"] or "[]"
    values["generated_fields"] = tuple(json.loads(raw)) if raw.startswith("[") else ()
    return SchoolProfile(**values)


class SchoolRepository:
    """Queries and writes of schools and their passports."""

    def __init__(self, conn: sqlite3.Connection, log: ChangeLog) -> None:
        del conn  # reads go through the reading thread's own connection
        self.log = log

    @property
    def conn(self) -> sqlite3.Connection:
        """The connection this thread reads with."""
        return self.log.reader()

    # --- reading ----------------------------------------------------------------
    def rows(self, query: SchoolQuery) -> list[SchoolRow]:
        """Return the schools the query selects, sorted in SQL.

        A branch that matches brings its school along (``matches=False``), so
        the list can always show branches under their school.
        """
        if query.sort_key not in _ORDER:
            raise ValueError(query.sort_key)
        direction = "DESC" if query.descending else "ASC"
        order = f"{_ORDER[query.sort_key]} {direction} NULLS LAST, fold(s.short_name), s.id"
        sql = (
            "SELECT s.id, s.parent_id, s.code, s.short_name, s.full_name, s.kind, s.locality,"
            " s.distance_km, p.group_code, p.pupils_total"
            " FROM school s LEFT JOIN school_profile p ON p.school_id = s.id AND p.year = :year"
        )
        conditions, params = school_filter_sql(query.search, query.group)
        params["year"] = query.year
        where = f" WHERE {' AND '.join(conditions)}" if conditions else ""
        matched = [
            self._row(r, True)
            for r in self.conn.execute(sql + where + f" ORDER BY {order}", params)
        ]
        ids = {r.id for r in matched}
        missing = {
            r.parent_id for r in matched if r.parent_id is not None and r.parent_id not in ids
        }
        if missing:
            marks = ",".join("?" for _ in missing)
            extra = self.conn.execute(
                sql.replace(":year", "?") + f" WHERE s.id IN ({marks}) ORDER BY {order}",
                (query.year, *sorted(missing)),
            )
            matched.extend(self._row(r, False) for r in extra)
        return matched

    @staticmethod
    def _row(r: sqlite3.Row, matches: bool) -> SchoolRow:
        return SchoolRow(
            id=r["id"],
            parent_id=r["parent_id"],
            code=r["code"],
            short_name=r["short_name"],
            full_name=r["full_name"],
            kind=r["kind"],
            locality=r["locality"],
            distance_km=r["distance_km"],
            group_code=r["group_code"],
            pupils_total=r["pupils_total"],
            matches=matches,
        )

    def get(self, school_id: int) -> School:
        """Return one school; :class:`RecordNotFoundError` if it is gone."""
        row = self.conn.execute("SELECT * FROM school WHERE id = ?", (school_id,)).fetchone()
        if row is None:
            raise RecordNotFoundError("school", school_id)
        return from_row(School, row)

    def all_schools(self) -> list[School]:
        """Return every school and branch, by name."""
        return [
            from_row(School, r)
            for r in self.conn.execute("SELECT * FROM school ORDER BY short_name COLLATE RU, id")
        ]

    def branches(self, school_id: int) -> list[School]:
        """Return the branches of a school."""
        return [
            from_row(School, r)
            for r in self.conn.execute(
                "SELECT * FROM school WHERE parent_id = ? ORDER BY short_name COLLATE RU",
                (school_id,),
            )
        ]

    def profile(self, school_id: int, year: int) -> SchoolProfile | None:
        """Return the passport of a school for a school year, or None."""
        row = self.conn.execute(
            "SELECT * FROM school_profile WHERE school_id = ? AND year = ?", (school_id, year)
        ).fetchone()
        return None if row is None else _profile_from_row(row)

    def profiles(self, school_id: int) -> list[SchoolProfile]:
        """Return every passport of a school, oldest year first."""
        return [
            _profile_from_row(r)
            for r in self.conn.execute(
                "SELECT * FROM school_profile WHERE school_id = ? ORDER BY year", (school_id,)
            )
        ]

    def years(self) -> list[int]:
        """Return the school years that have passports, oldest first."""
        return [
            int(r[0])
            for r in self.conn.execute("SELECT DISTINCT year FROM school_profile ORDER BY year")
        ]

    def default_year(self) -> int | None:
        """The school year to show first: the latest with figures not wholly generated."""
        row = self.conn.execute(
            "SELECT max(year) FROM school_profile WHERE source <> 'generated'"
        ).fetchone()
        if row[0] is not None:
            return int(row[0])
        years = self.years()
        return years[-1] if years else None

    def school_history(self, school_id: int, column: str) -> list[FieldChange]:
        """Return the recorded changes of one field of a school."""
        return self.log.field_history("school", school_id, column)

    def profile_history(self, school_id: int, year: int, column: str) -> list[FieldChange]:
        """Return the recorded changes of one passport field (empty if no passport yet)."""
        profile = self.profile(school_id, year)
        return (
            [] if profile is None else self.log.field_history("school_profile", profile.id, column)
        )

    # --- writing ------------------------------------------------------------------
    # The table rules (field checks, the branch rule) run in the change log on
    # every write; these methods only say what to write and how to label it.
    def add(self, values: Mapping[str, Any], label: str) -> tuple[ChangeSetInfo, int]:
        """Add a school; return what changed and the new school's id."""
        with self.log.change_set(label) as cs:
            school_id = cs.insert("school", values)
        assert cs.info is not None
        return cs.info, school_id

    def set_school_value(
        self, school_id: int, name: str, value: Any, label: str
    ) -> ChangeSetInfo | None:
        """Change one field of a school; return what changed, None if nothing did."""
        if name not in SCHOOL_FIELD_BY_NAME:
            raise KeyError(name)
        with self.log.change_set(label) as cs:
            cs.update("school", school_id, {name: value})
        return cs.info

    def remove(self, school_id: int, label: str) -> ChangeSetInfo:
        """Remove a school with its passports (branches become schools)."""
        with self.log.change_set(label) as cs:
            cs.delete("school", school_id)
        assert cs.info is not None
        return cs.info

    def set_profile_value(
        self, school_id: int, year: int, name: str, value: Any, label: str
    ) -> ChangeSetInfo | None:
        """Change one passport field, creating the year's passport if needed.

        A value the user types is no longer generated, so the field leaves
        ``generated_fields``.  Returns what changed, None if nothing did.
        """
        spec = PROFILE_FIELD_BY_NAME[name]
        clean = check_value(spec, value)  # refused before an empty passport is created
        with self.log.change_set(label) as cs:
            profile = self.profile(school_id, year)
            if profile is None:
                profile_id = cs.insert(
                    "school_profile",
                    {
                        "school_id": school_id,
                        "year": year,
                        "source": "manual",
                        "generated_fields": "[]",
                    },
                )
                generated: tuple[str, ...] = ()
            else:
                profile_id, generated = profile.id, profile.generated_fields
            changes: dict[str, Any] = {name: clean}
            if name == "mentor_school_id" and clean is None:
                # No mentor school, no agreement with it (as on the «Люди» page).
                changes.update(mentor_agreement_no="", mentor_agreement_date=None)
            if name in generated:
                changes["generated_fields"] = json.dumps(
                    [g for g in generated if g != name], ensure_ascii=False
                )
            cs.update("school_profile", profile_id, changes)
        return cs.info

    # --- the group of a school in a year (identification) ---------------------------
    def set_group(
        self, school_id: int, year: int, code: str, reason: str, label: str
    ) -> ChangeSetInfo | None:
        """Set a school's group of a year with its reason, both in one change set.

        The reason is required (a group is always decided for a reason).
        Returns what changed, None if nothing did.
        """
        return self.set_groups(year, [GroupDecision(school_id, code, reason)], label)

    def set_groups(
        self, year: int, decisions: Iterable[GroupDecision], label: str
    ) -> ChangeSetInfo | None:
        """Set the groups and reasons of several schools of a year in one change set.

        Every decision is checked before anything is written; a school without
        a passport of the year gets one.  Returns what changed, None if nothing did.
        """
        checked: dict[int, tuple[str, str]] = {}  # the last decision of a school wins
        for d in decisions:
            checked[d.school_id] = (
                check_value(PROFILE_FIELD_BY_NAME["group_code"], d.group_code),
                check_value(_REASON_REQUIRED, d.reason),
            )
        with self.log.change_set(label) as cs:
            inserts: list[dict[str, Any]] = []
            updates: list[tuple[int, dict[str, Any]]] = []
            for school_id, (code, reason) in checked.items():
                values: dict[str, Any] = {"group_code": code, "group_reason": reason}
                profile = self.profile(school_id, year)
                if profile is None:
                    inserts.append(
                        {
                            "school_id": school_id,
                            "year": year,
                            "source": "manual",
                            "generated_fields": "[]",
                            **values,
                        }
                    )
                    continue
                generated = [g for g in profile.generated_fields if g not in values]
                if len(generated) != len(profile.generated_fields):
                    values["generated_fields"] = json.dumps(generated, ensure_ascii=False)
                updates.append((profile.id, values))
            if updates:
                cs.update_many("school_profile", updates)
            if inserts:
                cs.insert_many("school_profile", inserts)
        return cs.info
