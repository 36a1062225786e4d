"""Risk profiles of schools: the factors of risk by year, their levels and the anti-risk measures.

**The reference list.**  ``risk_factor`` holds the factors of risk of lower
educational results (the 500+ project's list: «Низкий уровень оснащения
школы», «Дефицит педагогических кадров» …) with a code, the name as the list
writes it, a short name for a matrix's column head, the school years it
applies in (``since_year`` .. ``until_year``, either open), its place in the
list and a description.  The list changes by year; it is shipped as data
(``resources/risk_factors.json``, read by :func:`shipped_factors`) and loaded
through the change log (:meth:`RiskRepository.load_shipped_factors`, the
demo), then edited like any other data.  A factor used in a profile is not
removed (:class:`FactorInUseError`; end its years instead), and its years
cannot be narrowed to leave out a year that uses it.

**A school's profile** in a school year (``year`` = its first calendar year):
the factors that apply (``school_risk``) with the level низкий / средний /
высокий, whether the row was generated (the demo marks what no document
gave), what it rests on (``note``), and the anti-risk measures for each
(``risk_measure``: text in order, each linked to a roadmap activity where one
exists).  A factor can be set only in a year it applies in.

**Reading.**  :meth:`RiskRepository.matrix` gives schools × factors of a year
with levels and the count of schools per factor (three queries, counted in
SQL), :meth:`RiskRepository.profile` one school over the years, and
:meth:`RiskRepository.programme_rows` the measures of a year as lines for a
report.

Every write is one change set with the caller's label and returns its
:class:`ChangeSetInfo` (None when nothing changed).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from shnor_desktop.models import rules
from shnor_desktop.models.changelog import ChangeLog, ChangeSet, ChangeSetInfo
from shnor_desktop.models.errors import DomainError, RecordNotFoundError
from shnor_desktop.models.fields import FieldIssue, FieldSpec
from shnor_desktop.models.roadmap import RoadmapQuery, RoadmapRepository
from shnor_desktop.models.rules import RowContext
from shnor_desktop.models.schools import school_filter_sql
from shnor_desktop.resources import resource_path

LEVELS: Final = ("низкий", "средний", "высокий")
"""Levels of a factor at a school, lowest first (the schema's CHECK agrees)."""
LEVEL_LETTERS: Final[Mapping[str, str]] = {"низкий": "Н", "средний": "С", "высокий": "В"}
"""The letter of each level: a matrix reads in print and without colour too."""
FACTORS_FILE: Final = "risk_factors.json"
"""The shipped reference list, in ``resources/``."""
YEAR_MIN: Final = 1990
YEAR_MAX: Final = 2100

_LIST = "Факторы риска"
_PROFILE = "Рисковый профиль"

FACTOR_FIELDS: Final[tuple[FieldSpec, ...]] = (
    FieldSpec("code", "text", _LIST, "Код", required=True),
    FieldSpec("name", "text", _LIST, "Фактор риска", required=True),
    FieldSpec("short_name", "text", _LIST, "Краткое название"),
    FieldSpec("since_year", "int", _LIST, "Действует с", minimum=YEAR_MIN, maximum=YEAR_MAX),
    FieldSpec("until_year", "int", _LIST, "Действует по", minimum=YEAR_MIN, maximum=YEAR_MAX),
    FieldSpec("sort_order", "count", _LIST, "Порядок"),
    FieldSpec("description", "text", _LIST, "Описание"),
)
RISK_FIELDS: Final[tuple[FieldSpec, ...]] = (
    FieldSpec("school_id", "school", _PROFILE, "Школа", required=True),
    FieldSpec(
        "year", "int", _PROFILE, "Учебный год", required=True, minimum=YEAR_MIN, maximum=YEAR_MAX
    ),
    FieldSpec("risk_factor_id", "ref", _PROFILE, "Фактор риска", required=True),
    FieldSpec("level", "choice", _PROFILE, "Уровень", required=True, choices=LEVELS),
    FieldSpec("measures", "text", _PROFILE, "Меры (текстом)"),
    FieldSpec("generated", "flag", _PROFILE, "Сгенерировано"),
    FieldSpec("note", "text", _PROFILE, "Основание"),
)
MEASURE_FIELDS: Final[tuple[FieldSpec, ...]] = (
    FieldSpec("school_risk_id", "ref", _PROFILE, "Фактор школы", required=True),
    FieldSpec("position", "count", _PROFILE, "Порядок"),
    FieldSpec("text", "text", _PROFILE, "Антирисковая мера", required=True),
    FieldSpec("activity_id", "ref", _PROFILE, "Мероприятие дорожной карты"),
)
FACTOR_FIELD_BY_NAME: Final = {spec.name: spec for spec in FACTOR_FIELDS}
EDITABLE_FACTOR_FIELDS: Final = (
    "code",
    "name",
    "short_name",
    "since_year",
    "until_year",
    "description",
)


# --- records -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class RiskFactor:
    """A factor of the reference list; ``since_year``/``until_year`` None: open at that end."""

    id: int
    code: str
    name: str
    short_name: str = ""
    since_year: int | None = None
    until_year: int | None = None
    sort_order: int = 0
    description: str = ""

    def applies_in(self, year: int) -> bool:
        """True when the factor is on the list of school year ``year``."""
        return (self.since_year is None or self.since_year <= year) and (
            self.until_year is None or year <= self.until_year
        )

    @property
    def label(self) -> str:
        """The short name when there is one, else the name."""
        return self.short_name or self.name

    @property
    def years_text(self) -> str:
        """«с 2021/22», «2021/22–2022/23», «все годы»."""
        since = None if self.since_year is None else _year_label(self.since_year)
        until = None if self.until_year is None else _year_label(self.until_year)
        if since and until:
            return f"{since}–{until}"
        if since:
            return f"с {since}"
        if until:
            return f"по {until}"
        return "все годы"


@dataclass(frozen=True)
class FactorDraft:
    """A new factor of the list (the shipped file, a form)."""

    code: str
    name: str
    short_name: str = ""
    since_year: int | None = None
    until_year: int | None = None
    description: str = ""

    def values(self, sort_order: int) -> dict[str, Any]:
        """The columns of the row to write at place ``sort_order``."""
        return {
            "code": self.code,
            "name": self.name,
            "short_name": self.short_name,
            "since_year": self.since_year,
            "until_year": self.until_year,
            "sort_order": sort_order,
            "description": self.description,
        }


@dataclass(frozen=True)
class MeasureDraft:
    """An anti-risk measure as typed: its text and, where one exists, the roadmap activity."""

    text: str
    activity_id: int | None = None


@dataclass(frozen=True)
class RiskMeasure:
    """An anti-risk measure with the number and title of the activity it is linked to."""

    id: int
    school_risk_id: int
    position: int
    text: str
    activity_id: int | None = None
    activity_number: str = ""
    activity_title: str = ""

    @property
    def draft(self) -> MeasureDraft:
        """The measure as a form edits it."""
        return MeasureDraft(self.text, self.activity_id)


@dataclass(frozen=True)
class SchoolRisk:
    """A factor at a school in a school year: its level, what it rests on, its measures."""

    id: int
    school_id: int
    year: int
    factor_id: int
    level: str
    generated: bool = False
    note: str = ""
    measures: tuple[RiskMeasure, ...] = ()

    @property
    def letter(self) -> str:
        """Н, С or В."""
        return LEVEL_LETTERS.get(self.level, "?")


@dataclass(frozen=True)
class MatrixFilter:
    """Which schools a matrix shows: a search in the name or code, a group of the year.

    ``with_risks_only``: only schools with a factor in the year (else every
    school, and a branch only when it has a factor of its own).
    """

    search: str = ""
    group: str | None = None
    with_risks_only: bool = True


@dataclass(frozen=True)
class MatrixSchool:
    """A row of the matrix: the school, its group in the year, its factors by level."""

    id: int
    code: str
    short_name: str
    full_name: str
    group_code: str | None
    factors: int = 0
    high: int = 0
    medium: int = 0
    low: int = 0


@dataclass(frozen=True)
class MatrixCell:
    """A cell of the matrix: the level, how many measures, how many linked to the roadmap."""

    school_risk_id: int
    level: str
    measures: int = 0
    linked: int = 0
    generated: bool = False

    @property
    def letter(self) -> str:
        """Н, С or В."""
        return LEVEL_LETTERS.get(self.level, "?")


@dataclass(frozen=True)
class FactorCount:
    """How many of the matrix's schools have a factor, in all and by level."""

    factor_id: int
    schools: int = 0
    high: int = 0
    medium: int = 0
    low: int = 0


@dataclass(frozen=True)
class RiskMatrix:
    """Schools × factors of a school year.

    ``factors``: those on the year's list, and any other a school has in that
    year (data is never hidden by a list's years), in the list's order.
    """

    year: int
    factors: tuple[RiskFactor, ...] = ()
    schools: tuple[MatrixSchool, ...] = ()
    cells: Mapping[tuple[int, int], MatrixCell] = field(default_factory=dict)
    counts: Mapping[int, FactorCount] = field(default_factory=dict)

    def cell(self, school_id: int, factor_id: int) -> MatrixCell | None:
        """The cell of a school and a factor (None: the factor does not apply)."""
        return self.cells.get((school_id, factor_id))

    def count(self, factor_id: int) -> FactorCount:
        """How many of the schools shown have the factor."""
        return self.counts.get(factor_id, FactorCount(factor_id))


@dataclass(frozen=True)
class RiskProfile:
    """One school's factors over the years: ``risks[(year, factor_id)]``."""

    school_id: int
    years: tuple[int, ...] = ()
    factors: tuple[RiskFactor, ...] = ()
    risks: Mapping[tuple[int, int], SchoolRisk] = field(default_factory=dict)

    def risk(self, year: int, factor_id: int) -> SchoolRisk | None:
        """The factor at the school in a year (None when it did not apply)."""
        return self.risks.get((year, factor_id))


@dataclass(frozen=True)
class ActivityChoice:
    """A roadmap activity a measure may be linked to."""

    id: int
    programme_id: int
    programme_title: str
    start_year: int
    end_year: int
    number: str
    title: str

    @property
    def label(self) -> str:
        """«3.2. Организация участия в повышении квалификации …»."""
        title = " ".join(self.title.split())
        return f"{self.number}. {title}" if self.number else title


@dataclass(frozen=True)
class ProgrammeRow:
    """A line of a year's anti-risk programme for a report: school, factor, level, one measure.

    A factor without measures gives one line with an empty ``measure``.
    """

    school_id: int
    school: str
    factor_id: int
    factor: str
    level: str
    measure: str = ""
    activity_number: str = ""
    activity_title: str = ""
    generated: bool = False


# --- errors ------------------------------------------------------------------------------------


@dataclass
class FactorInUseError(DomainError):
    """A factor of the list is used in schools' profiles: it cannot be removed.

    ``years`` maps each school year to the number of schools with the factor.
    """

    factor_id: int
    name: str
    years: dict[int, int]


@dataclass
class ReferenceListError(DomainError):
    """The shipped reference list of factors could not be read (a damaged bundle)."""

    path: str
    detail: str


# --- rules -------------------------------------------------------------------------------------


def _year_label(year: int) -> str:
    return f"{year}/{(year + 1) % 100:02d}"


def _factor_rule(ctx: RowContext) -> Iterable[FieldIssue]:
    """Years in order; a code once in the list; years that keep every profile using it."""
    since, until = ctx.row.get("since_year"), ctx.row.get("until_year")
    years_changed = bool(ctx.changed & {"since_year", "until_year"})
    if years_changed and since is not None and until is not None and until < since:
        yield FieldIssue("until_year", "factor_years_order", "error", (since, until))
        return
    if "code" in ctx.changed:
        twin = ctx.conn.execute(
            "SELECT 1 FROM risk_factor WHERE fold(code) = fold(?) AND id IS NOT ?",
            (ctx.row.get("code"), ctx.row_id),
        ).fetchone()
        if twin is not None:
            yield FieldIssue("code", "duplicate_factor_code", "error", (ctx.row.get("code"),))
    if ctx.row_id is not None and ctx.changed & {"since_year", "until_year"}:
        outside = [
            int(r[0])
            for r in ctx.conn.execute(
                "SELECT DISTINCT year FROM school_risk WHERE risk_factor_id = ?"
                " AND (year < ifnull(?, year) OR year > ifnull(?, year)) ORDER BY year",
                (ctx.row_id, since, until),
            )
        ]
        if outside:
            column = "since_year" if since is not None and outside[0] < since else "until_year"
            yield FieldIssue(
                column,
                "factor_years_in_use",
                "error",
                (", ".join(_year_label(y) for y in outside),),
            )


def _risk_rule(ctx: RowContext) -> Iterable[FieldIssue]:
    """The factor exists and is on the list of the year."""
    if not ctx.changed & {"risk_factor_id", "year"}:
        return
    row = ctx.conn.execute(
        "SELECT name, since_year, until_year FROM risk_factor WHERE id = ?",
        (ctx.row.get("risk_factor_id"),),
    ).fetchone()
    if row is None:
        yield FieldIssue(
            "risk_factor_id", "unknown_factor", "error", (ctx.row.get("risk_factor_id"),)
        )
        return
    year = ctx.row.get("year")
    if not isinstance(year, int):
        return
    since, until = row[1], row[2]
    if (since is not None and year < since) or (until is not None and year > until):
        yield FieldIssue(
            "risk_factor_id", "factor_not_in_year", "error", (row[0], _year_label(year))
        )


def _measure_rule(ctx: RowContext) -> Iterable[FieldIssue]:
    """A linked activity exists."""
    activity_id = ctx.row.get("activity_id")
    if "activity_id" not in ctx.changed or activity_id is None:
        return
    found = ctx.conn.execute(
        "SELECT 1 FROM roadmap_activity WHERE id = ?", (activity_id,)
    ).fetchone()
    if found is None:
        yield FieldIssue("activity_id", "unknown_activity", "error", (activity_id,))


rules.register("risk_factor", FACTOR_FIELDS, [_factor_rule])
rules.register("school_risk", RISK_FIELDS, [_risk_rule])
rules.register("risk_measure", MEASURE_FIELDS, [_measure_rule])


# --- the shipped list --------------------------------------------------------------------------


def shipped_factors() -> list[FactorDraft]:
    """The reference list shipped in ``resources/risk_factors.json``, in its order.

    Raises :class:`ReferenceListError` when the file is missing or not the list.
    """
    try:
        path = resource_path(FACTORS_FILE)
    except FileNotFoundError as exc:
        raise ReferenceListError(str(exc), "missing") from None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        drafts = [
            FactorDraft(
                code=str(item["code"]),
                name=str(item["name"]),
                short_name=str(item.get("short_name") or ""),
                since_year=None if item.get("since_year") is None else int(item["since_year"]),
                until_year=None if item.get("until_year") is None else int(item["until_year"]),
                description=str(item.get("description") or ""),
            )
            for item in data["factors"]
        ]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ReferenceListError(str(path), str(exc)) from None
    if not drafts:
        raise ReferenceListError(str(path), "empty")
    return drafts


def insert_factors(
    cs: ChangeSet, drafts: Sequence[FactorDraft], first_position: int = 0
) -> dict[str, int]:
    """Write factors into the open change set after ``first_position``; return ids by code."""
    ids = cs.insert_many(
        "risk_factor", [d.values(first_position + i) for i, d in enumerate(drafts)]
    )
    return {d.code: i for d, i in zip(drafts, ids, strict=True)}


def insert_risk(
    cs: ChangeSet,
    school_id: int,
    year: int,
    factor_id: int,
    *,
    level: str,
    measures: Sequence[MeasureDraft] = (),
    generated: bool = False,
    note: str = "",
) -> int:
    """Write a new factor of a school's year with its measures into the open set; its id."""
    risk_id = cs.insert(
        "school_risk",
        {
            "school_id": school_id,
            "year": year,
            "risk_factor_id": factor_id,
            "level": level,
            "generated": int(generated),
            "note": note,
        },
    )
    cs.insert_many(
        "risk_measure",
        [
            {"school_risk_id": risk_id, "position": i, "text": m.text, "activity_id": m.activity_id}
            for i, m in enumerate(measures)
        ],
    )
    return risk_id


# --- the repository ----------------------------------------------------------------------------

_FACTOR_COLUMNS: Final = (
    "id, code, name, short_name, since_year, until_year, sort_order, description"
)
_ORDER_FACTORS: Final = " ORDER BY sort_order, id"


def _factor(row: sqlite3.Row) -> RiskFactor:
    return RiskFactor(
        id=int(row["id"]),
        code=str(row["code"]),
        name=str(row["name"]),
        short_name=str(row["short_name"]),
        since_year=row["since_year"],
        until_year=row["until_year"],
        sort_order=int(row["sort_order"]),
        description=str(row["description"]),
    )


def _filter(filter_: MatrixFilter, year: int) -> tuple[str, dict[str, Any]]:
    """The SQL condition of a matrix's schools (``s`` the school, ``p`` its passport)."""
    conditions, params = school_filter_sql(filter_.search, filter_.group)
    params["year"] = year
    return (" AND ".join(conditions) or "1"), params


_SCHOOL_JOIN: Final = (
    " JOIN school s ON s.id = r.school_id"
    " LEFT JOIN school_profile p ON p.school_id = s.id AND p.year = :year"
)


class RiskRepository:
    """The reference list of factors and the schools' risk profiles, through the change log."""

    def __init__(self, log: ChangeLog, roadmap: RoadmapRepository) -> None:
        self.log = log
        self.roadmap = roadmap

    @property
    def conn(self) -> sqlite3.Connection:
        """The connection this thread reads with (the writer inside a change set)."""
        return self.log.reader()

    # --- the reference list --------------------------------------------------------------------
    def factors(self) -> list[RiskFactor]:
        """Every factor of the list, in its order."""
        return [
            _factor(r)
            for r in self.conn.execute(f"SELECT {_FACTOR_COLUMNS} FROM risk_factor{_ORDER_FACTORS}")
        ]

    def factor(self, factor_id: int) -> RiskFactor:
        """One factor; :class:`RecordNotFoundError` when it is gone."""
        row = self.conn.execute(
            f"SELECT {_FACTOR_COLUMNS} FROM risk_factor WHERE id = ?", (factor_id,)
        ).fetchone()
        if row is None:
            raise RecordNotFoundError("risk_factor", factor_id)
        return _factor(row)

    def factors_for_year(self, year: int) -> list[RiskFactor]:
        """The factors on the list of school year ``year``, in the list's order."""
        return [
            _factor(r)
            for r in self.conn.execute(
                f"SELECT {_FACTOR_COLUMNS} FROM risk_factor"
                " WHERE ifnull(since_year, :year) <= :year AND ifnull(until_year, :year) >= :year"
                + _ORDER_FACTORS,
                {"year": year},
            )
        ]

    def factor_uses(self, factor_id: int) -> dict[int, int]:
        """School years that use a factor, each with the number of schools."""
        return {
            int(r[0]): int(r[1])
            for r in self.conn.execute(
                "SELECT year, count(*) FROM school_risk WHERE risk_factor_id = ?"
                " GROUP BY year ORDER BY year",
                (factor_id,),
            )
        }

    def add_factor(self, draft: FactorDraft, label: str) -> tuple[ChangeSetInfo, int]:
        """Add a factor at the end of the list."""
        with self.log.change_set(label) as cs:
            position = self._next_position()
            ids = insert_factors(cs, [draft], position)
        assert cs.info is not None
        return cs.info, ids[draft.code]

    def update_factor(
        self, factor_id: int, values: Mapping[str, Any], label: str
    ) -> ChangeSetInfo | None:
        """Change fields of a factor (:data:`EDITABLE_FACTOR_FIELDS`); None when nothing did."""
        unknown = [k for k in values if k not in EDITABLE_FACTOR_FIELDS]
        if unknown:
            raise KeyError(unknown[0])
        with self.log.change_set(label) as cs:
            self.factor(factor_id)
            cs.update("risk_factor", factor_id, values)
        return cs.info

    def remove_factor(self, factor_id: int, label: str) -> ChangeSetInfo:
        """Remove a factor no profile uses; :class:`FactorInUseError` otherwise."""
        with self.log.change_set(label) as cs:
            factor = self.factor(factor_id)
            uses = self.factor_uses(factor_id)
            if uses:
                raise FactorInUseError(factor_id, factor.name, uses)
            cs.delete("risk_factor", factor_id)
            self._renumber(cs, [f.id for f in self.factors()])
        assert cs.info is not None
        return cs.info

    def move_factor(self, factor_id: int, index: int, label: str) -> ChangeSetInfo | None:
        """Put a factor at ``index`` of the list (0 first); the others keep their order."""
        with self.log.change_set(label) as cs:
            order = [f.id for f in self.factors() if f.id != factor_id]
            self.factor(factor_id)
            order.insert(max(0, min(index, len(order))), factor_id)
            self._renumber(cs, order)
        return cs.info

    def load_shipped_factors(self, label: str) -> ChangeSetInfo | None:
        """Add the shipped factors whose codes the list lacks (None: it has them all)."""
        drafts = shipped_factors()
        with self.log.change_set(label) as cs:
            known = {f.code.casefold() for f in self.factors()}
            missing = [d for d in drafts if d.code.casefold() not in known]
            insert_factors(cs, missing, self._next_position())
        return cs.info

    def _next_position(self) -> int:
        row = self.conn.execute("SELECT ifnull(max(sort_order), -1) + 1 FROM risk_factor")
        return int(row.fetchone()[0])

    @staticmethod
    def _renumber(cs: ChangeSet, order: Sequence[int]) -> None:
        cs.update_many("risk_factor", [(fid, {"sort_order": i}) for i, fid in enumerate(order)])

    # --- one school's factors ----------------------------------------------------------------
    def risk(self, school_id: int, year: int, factor_id: int) -> SchoolRisk | None:
        """A factor at a school in a year with its measures (None: it does not apply)."""
        found = self._risks(
            "r.school_id = ? AND r.year = ? AND r.risk_factor_id = ?",
            (school_id, year, factor_id),
        )
        return found[0] if found else None

    def risks(self, school_id: int, year: int) -> list[SchoolRisk]:
        """A school's factors in a year with their measures, in the list's order."""
        return self._risks("r.school_id = ? AND r.year = ?", (school_id, year))

    def _risks(self, condition: str, params: tuple[Any, ...]) -> list[SchoolRisk]:
        rows = self.conn.execute(
            "SELECT r.id, r.school_id, r.year, r.risk_factor_id, r.level, r.generated, r.note"
            f" FROM school_risk r JOIN risk_factor f ON f.id = r.risk_factor_id WHERE {condition}"
            " ORDER BY r.year, f.sort_order, f.id",
            params,
        ).fetchall()
        measures: dict[int, list[RiskMeasure]] = {}
        for m in self.conn.execute(
            "SELECT m.id, m.school_risk_id, m.position, m.text, m.activity_id,"
            " ifnull(a.number, '') AS number, ifnull(a.title, '') AS title"
            " FROM risk_measure m JOIN school_risk r ON r.id = m.school_risk_id"
            " LEFT JOIN roadmap_activity a ON a.id = m.activity_id"
            f" WHERE {condition} ORDER BY m.school_risk_id, m.position, m.id",
            params,
        ):
            measures.setdefault(int(m["school_risk_id"]), []).append(
                RiskMeasure(
                    id=int(m["id"]),
                    school_risk_id=int(m["school_risk_id"]),
                    position=int(m["position"]),
                    text=str(m["text"]),
                    activity_id=m["activity_id"],
                    activity_number=str(m["number"]),
                    activity_title=" ".join(str(m["title"]).split()),
                )
            )
        return [
            SchoolRisk(
                id=int(r["id"]),
                school_id=int(r["school_id"]),
                year=int(r["year"]),
                factor_id=int(r["risk_factor_id"]),
                level=str(r["level"]),
                generated=bool(r["generated"]),
                note=str(r["note"]),
                measures=tuple(measures.get(int(r["id"]), ())),
            )
            for r in rows
        ]

    def set_risk(
        self,
        school_id: int,
        year: int,
        factor_id: int,
        label: str,
        *,
        level: str | None,
        measures: Sequence[MeasureDraft] | None = None,
        note: str | None = None,
    ) -> ChangeSetInfo | None:
        """Set a factor of a school's year: its level and measures (only the differences).

        ``level`` None removes the factor with its measures; ``measures`` None
        keeps them; ``note`` None keeps the note.  A row changed by hand is no
        longer marked generated.  One change set; None when nothing changed.
        """
        if level is None:
            return self.remove_risk(school_id, year, factor_id, label)
        with self.log.change_set(label) as cs:
            current = self.risk(school_id, year, factor_id)
            if current is None:
                insert_risk(
                    cs,
                    school_id,
                    year,
                    factor_id,
                    level=level,
                    measures=measures or (),
                    note=note or "",
                )
            else:
                values: dict[str, Any] = {"level": level}
                if note is not None:
                    values["note"] = note
                changed = cs.update("school_risk", current.id, values)
                if measures is not None:
                    changed = self._write_measures(cs, current, measures) or changed
                if changed and current.generated:
                    cs.update("school_risk", current.id, {"generated": 0})
        return cs.info

    @staticmethod
    def _write_measures(cs: ChangeSet, risk: SchoolRisk, drafts: Sequence[MeasureDraft]) -> bool:
        """Make the measures of ``risk`` read as ``drafts``: update, add, delete what differs."""
        old = risk.measures
        updated = cs.update_many(
            "risk_measure",
            [
                (m.id, {"position": i, "text": d.text, "activity_id": d.activity_id})
                for i, (m, d) in enumerate(zip(old, drafts, strict=False))
            ],
        )
        added = cs.insert_many(
            "risk_measure",
            [
                {
                    "school_risk_id": risk.id,
                    "position": i,
                    "text": d.text,
                    "activity_id": d.activity_id,
                }
                for i, d in enumerate(drafts)
                if i >= len(old)
            ],
        )
        removed = cs.delete_many("risk_measure", [m.id for m in old[len(drafts) :]])
        return bool(updated or added or removed)

    def remove_risk(
        self, school_id: int, year: int, factor_id: int, label: str
    ) -> ChangeSetInfo | None:
        """Remove a factor from a school's year with its measures (None: it was not there)."""
        with self.log.change_set(label) as cs:
            current = self.risk(school_id, year, factor_id)
            if current is not None:
                cs.delete("school_risk", current.id)
        return cs.info

    def copy_profile(
        self, school_id: int, from_year: int, to_year: int, label: str
    ) -> ChangeSetInfo | None:
        """Carry a school's factors, levels and measures into another year (its list's factors).

        Factors the school already has in ``to_year`` and factors not on that
        year's list are left alone; measures are copied without their roadmap
        links (a new year has its own plan).  None when nothing was copied.
        """
        with self.log.change_set(label) as cs:
            present = {r.factor_id for r in self.risks(school_id, to_year)}
            listed = {f.id for f in self.factors_for_year(to_year)}
            for risk in self.risks(school_id, from_year):
                if risk.factor_id in present or risk.factor_id not in listed:
                    continue
                insert_risk(
                    cs,
                    school_id,
                    to_year,
                    risk.factor_id,
                    level=risk.level,
                    measures=[MeasureDraft(m.text) for m in risk.measures],
                    note=risk.note,
                )
        return cs.info

    # --- reading many ----------------------------------------------------------------------
    def years(self) -> list[int]:
        """The school years that have risk profiles, oldest first."""
        return [
            int(r[0]) for r in self.conn.execute("SELECT DISTINCT year FROM school_risk ORDER BY 1")
        ]

    def matrix(self, year: int, filter_: MatrixFilter = MatrixFilter()) -> RiskMatrix:
        """Schools × factors of a school year with levels and the count of schools per factor."""
        condition, params = _filter(filter_, year)
        cells: dict[tuple[int, int], MatrixCell] = {}
        used: set[int] = set()
        for r in self.conn.execute(
            "SELECT r.id, r.school_id, r.risk_factor_id, r.level, r.generated,"
            " (SELECT count(*) FROM risk_measure m WHERE m.school_risk_id = r.id) AS measures,"
            " (SELECT count(*) FROM risk_measure m WHERE m.school_risk_id = r.id"
            "  AND m.activity_id IS NOT NULL) AS linked"
            f" FROM school_risk r{_SCHOOL_JOIN} WHERE r.year = :year AND {condition}",
            params,
        ):
            factor_id = int(r["risk_factor_id"])
            used.add(factor_id)
            cells[(int(r["school_id"]), factor_id)] = MatrixCell(
                int(r["id"]),
                str(r["level"]),
                int(r["measures"]),
                int(r["linked"]),
                bool(r["generated"]),
            )
        counts = {
            int(r[0]): FactorCount(int(r[0]), int(r[1]), int(r[2]), int(r[3]), int(r[4]))
            for r in self.conn.execute(
                "SELECT r.risk_factor_id, count(*), sum(r.level = 'высокий'),"
                " sum(r.level = 'средний'), sum(r.level = 'низкий')"
                f" FROM school_risk r{_SCHOOL_JOIN} WHERE r.year = :year AND {condition}"
                " GROUP BY r.risk_factor_id",
                params,
            )
        }
        has_risk = (
            "EXISTS (SELECT 1 FROM school_risk r WHERE r.school_id = s.id AND r.year = :year)"
        )
        scope = has_risk if filter_.with_risks_only else f"(s.parent_id IS NULL OR {has_risk})"
        schools = tuple(
            MatrixSchool(
                id=int(r["id"]),
                code=str(r["code"]),
                short_name=str(r["short_name"]),
                full_name=str(r["full_name"]),
                group_code=r["group_code"],
                factors=int(r["factors"]),
                high=int(r["high"]),
                medium=int(r["medium"]),
                low=int(r["low"]),
            )
            for r in self.conn.execute(
                "SELECT s.id, s.code, s.short_name, s.full_name, p.group_code,"
                " count(r.id) AS factors, ifnull(sum(r.level = 'высокий'), 0) AS high,"
                " ifnull(sum(r.level = 'средний'), 0) AS medium,"
                " ifnull(sum(r.level = 'низкий'), 0) AS low"
                " FROM school s"
                " LEFT JOIN school_profile p ON p.school_id = s.id AND p.year = :year"
                " LEFT JOIN school_risk r ON r.school_id = s.id AND r.year = :year"
                f" WHERE {scope} AND {condition}"
                " GROUP BY s.id ORDER BY s.short_name COLLATE RU, s.id",
                params,
            )
        )
        factors = tuple(f for f in self.factors() if f.applies_in(year) or f.id in used)
        return RiskMatrix(year, factors, schools, cells, counts)

    def profile(self, school_id: int) -> RiskProfile:
        """A school's factors over the years (every year it has a profile)."""
        risks = self._risks("r.school_id = ?", (school_id,))
        used = {r.factor_id for r in risks}
        return RiskProfile(
            school_id=school_id,
            years=tuple(sorted({r.year for r in risks})),
            factors=tuple(f for f in self.factors() if f.id in used),
            risks={(r.year, r.factor_id): r for r in risks},
        )

    def programme_rows(
        self, year: int, filter_: MatrixFilter = MatrixFilter()
    ) -> list[ProgrammeRow]:
        """The anti-risk measures of a year as report lines: by school, factor, measure order."""
        condition, params = _filter(filter_, year)
        return [
            ProgrammeRow(
                school_id=int(r["school_id"]),
                school=str(r["short_name"]),
                factor_id=int(r["factor_id"]),
                factor=str(r["factor"]),
                level=str(r["level"]),
                measure=str(r["text"] or ""),
                activity_number=str(r["number"] or ""),
                activity_title=" ".join(str(r["title"] or "").split()),
                generated=bool(r["generated"]),
            )
            for r in self.conn.execute(
                "SELECT r.school_id, s.short_name, f.id AS factor_id, f.name AS factor, r.level,"
                " r.generated, m.text, a.number, a.title"
                f" FROM school_risk r{_SCHOOL_JOIN}"
                " JOIN risk_factor f ON f.id = r.risk_factor_id"
                " LEFT JOIN risk_measure m ON m.school_risk_id = r.id"
                " LEFT JOIN roadmap_activity a ON a.id = m.activity_id"
                f" WHERE r.year = :year AND {condition}"
                " ORDER BY s.short_name COLLATE RU, s.id, f.sort_order, f.id, m.position, m.id",
                params,
            )
        ]

    def activity_choices(self) -> list[ActivityChoice]:
        """The roadmap activities a measure may be linked to: by programme, in roadmap order."""
        choices: list[ActivityChoice] = []
        for programme in self.roadmap.programmes():
            for activity in self.roadmap.activities(RoadmapQuery(programme.id)):
                choices.append(
                    ActivityChoice(
                        id=activity.id,
                        programme_id=programme.id,
                        programme_title=programme.title,
                        start_year=programme.start_year,
                        end_year=programme.end_year,
                        number=activity.number,
                        title=activity.title,
                    )
                )
        return choices
