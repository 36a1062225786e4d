"""Schools and their yearly passports: records, field specs, checks, repository.

The repository owns searching, filtering and sorting (in SQL), so the item
models above it stay thin; every write goes through the change log.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from shnor_desktop.models.changelog import ChangeLog, FieldChange
from shnor_desktop.models.db import from_row, row_values
from shnor_desktop.models.errors import RecordNotFoundError
from shnor_desktop.models.text import fold

FieldKind = Literal["count", "share", "real", "flag", "text", "group", "person", "school"]


@dataclass(frozen=True)
class FieldSpec:
    """One field of a form: its column, kind, section and label (a translatable source)."""

    name: str
    kind: FieldKind
    section: str
    label: str
    unit: str = ""


# Sections and labels are source strings: the UI passes them through Qt's
# translate() under the context "passport".
SCHOOL_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("full_name", "text", "Общие сведения", "Полное наименование"),
    FieldSpec("short_name", "text", "Общие сведения", "Краткое наименование"),
    FieldSpec("code", "text", "Общие сведения", "Код"),
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
    FieldSpec("group_code", "group", "Группа и сопровождение", "Группа"),
    FieldSpec("group_reason", "text", "Группа и сопровождение", "Основание"),
    FieldSpec("curator_id", "person", "Группа и сопровождение", "Куратор"),
    FieldSpec("mentor_school_id", "school", "Группа и сопровождение", "Школа-наставник"),
    FieldSpec("notes", "text", "Группа и сопровождение", "Примечания за год"),
)

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


@dataclass(frozen=True)
class FieldIssue:
    """A problem with a value: ``code`` says what, ``args`` the figures involved.

    ``severity`` is "error" (the value is refused) or "warning" (kept, shown).
    """

    field: str
    code: str
    severity: Literal["error", "warning"]
    args: tuple[Any, ...] = ()


class InvalidValueError(ValueError):
    """A value a form field cannot take; carries the :class:`FieldIssue`."""

    def __init__(self, issue: FieldIssue) -> None:
        super().__init__(issue.code)
        self.issue = issue


def _check_count(spec: FieldSpec, value: Any) -> int:
    number = float(value)
    if not number.is_integer():
        raise InvalidValueError(FieldIssue(spec.name, "not_integer", "error", (value,)))
    if number < 0:
        raise InvalidValueError(FieldIssue(spec.name, "negative", "error", (value,)))
    return int(number)


def _check_share(spec: FieldSpec, value: Any) -> float:
    number = float(value)
    if not 0 <= number <= 100:
        raise InvalidValueError(FieldIssue(spec.name, "share_range", "error", (value,)))
    return number


def _check_real(spec: FieldSpec, value: Any) -> float:
    number = float(value)
    if number < 0:
        raise InvalidValueError(FieldIssue(spec.name, "negative", "error", (value,)))
    return number


def _check_group(spec: FieldSpec, value: Any) -> str:
    if value not in GROUP_LABELS:
        raise InvalidValueError(FieldIssue(spec.name, "unknown_group", "error", (value,)))
    return str(value)


def _check_text(spec: FieldSpec, value: Any) -> str:
    text = str(value).strip()
    if spec.name in ("full_name", "short_name", "code") and not text:
        raise InvalidValueError(FieldIssue(spec.name, "required", "error"))
    return text


_CHECKS: dict[str, Any] = {
    "count": _check_count,
    "share": _check_share,
    "real": _check_real,
    "flag": lambda _spec, value: 1 if value else 0,
    "group": _check_group,
    "person": lambda _spec, value: int(value),
    "school": lambda _spec, value: int(value),
    "text": _check_text,
}

_EMPTY: dict[str, Any] = {"text": "", "group": "none"}


def check_value(spec: FieldSpec, value: Any) -> Any:
    """Return ``value`` normalised for ``spec`` or raise :class:`InvalidValueError`.

    An empty value clears the field (None), except text ("") and group ("none");
    required names cannot be cleared.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        if spec.kind == "text":
            return _check_text(spec, "")
        return _EMPTY.get(spec.kind)
    return _CHECKS[spec.kind](spec, value)


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
        self.conn = conn
        self.log = log

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
        conditions = []
        params: dict[str, Any] = {"year": query.year}
        needle = fold(query.search)
        if needle:
            conditions.append(
                "(instr(s.name_fold, :needle) > 0 OR instr(fold(s.code), :needle) > 0)"
            )
            params["needle"] = needle
        if query.group:
            conditions.append("ifnull(p.group_code, 'none') = :group")
            params["group"] = query.group
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
    def add(self, values: Mapping[str, Any], label: str) -> tuple[int, int]:
        """Add a school; return (change set id, school id)."""
        clean = {name: check_value(SCHOOL_FIELD_BY_NAME[name], v) for name, v in values.items()}
        if clean.get("parent_id") is not None and self.get(clean["parent_id"]).parent_id:
            raise InvalidValueError(FieldIssue("parent_id", "parent_is_branch", "error"))
        with self.log.change_set(label) as cs:
            school_id = cs.insert("school", clean)
        return cs.id, school_id

    def set_school_value(self, school_id: int, name: str, value: Any, label: str) -> int | None:
        """Change one field of a school; return the change set id, None if unchanged."""
        clean = check_value(SCHOOL_FIELD_BY_NAME[name], value)
        if name == "parent_id" and clean is not None:
            self._check_parent(school_id, clean)
        with self.log.change_set(label) as cs:
            changed = cs.update("school", school_id, {name: clean})
        return cs.id if changed else None

    def _check_parent(self, school_id: int, parent_id: int) -> None:
        """A branch belongs to a school that is not itself a branch, nor the school itself."""
        if parent_id == school_id:
            raise InvalidValueError(FieldIssue("parent_id", "self_parent", "error"))
        if self.get(parent_id).parent_id is not None:
            raise InvalidValueError(FieldIssue("parent_id", "parent_is_branch", "error"))
        if self.branches(school_id):
            raise InvalidValueError(FieldIssue("parent_id", "has_branches", "error"))

    def remove(self, school_id: int, label: str) -> int:
        """Remove a school with its passports (branches become schools); return the set id."""
        with self.log.change_set(label) as cs:
            cs.delete("school", school_id)
        return cs.id

    def set_profile_value(
        self, school_id: int, year: int, name: str, value: Any, label: str
    ) -> int | None:
        """Change one passport field, creating the year's passport if needed.

        A value the user types is no longer generated, so the field leaves
        ``generated_fields``.  Returns the change set id, None if unchanged.
        """
        clean = check_value(PROFILE_FIELD_BY_NAME[name], value)
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
            if name in generated:
                changes["generated_fields"] = json.dumps(
                    [g for g in generated if g != name], ensure_ascii=False
                )
            changed = cs.update("school_profile", profile_id, changes)
        return cs.id if (changed or profile is None) else None
