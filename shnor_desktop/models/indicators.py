"""Programme indicators: the tree, plans and actuals by year, and indicators computed from data.

A programme's indicators form a tree (2.1 → 2.1.1 → 2.1.2): code, name, unit,
direction (higher or lower is better), baseline with its year, and for each
school year a plan and an actual, for the district (``school_id`` NULL) or
for one school, with a note.  The tree is read in SQL in natural code order
(2.1 < 2.1.1 < 2.1.2 < 2.2 < 2.10).

**Years.**  A value's ``year`` is a school year stored as its first calendar
year, as everywhere in the database: 2022 is 2022/23.  A figure measured «на
январь 2023 г.» belongs to the school year 2022/23 and is stored with year
2022; the wording of the document is kept in the value's ``note`` («На январь
2023 г. …»), so the screens and reports show it as written.  A plan «на 2022
год» of a programme that counts in calendar years is stored with year 2022 too.

**Computed indicators.**  An indicator whose actual is defined by the data
(«доля школ, в которых созданы центры „Точка роста“») names a computation in
``indicator.computed`` (``"profile.tochka_rosta:risk"``: the computation and
the groups of schools it counts).  Its actual is **computed on read**, never
stored: it is always fresh (a changed passport or result changes it at
once, and undo of that change undoes it too), and there is nothing to keep in
step.  The audit trail is that of the inputs — every passport and result
change is in the change log — together with the formula, which is shown
beside the value (:func:`formula_text`) with its numerator and denominator.
A stored actual of a computed indicator is an explicit **override** (a figure
from a document, or one the user chose to type instead): writing one needs
``replace_computed=True`` in :meth:`IndicatorRepository.set_value` (the
screens ask first), is recorded with its ``source``, and the screens mark it
and keep showing the computed value beside it.  The row rule of
``indicator_value`` refuses an actual for a computed indicator that does not
state its source, on every write path.

**Status.**  Plan against actual (:func:`status`): «met» when the actual,
rounded to the one decimal the screens show, is on the good side of the plan
(at least the plan when higher is better, at most when lower is), «not_met»
otherwise, «no_data» when either is missing.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final, Literal, Protocol

from shnor_desktop.models import rules
from shnor_desktop.models.changelog import ChangeLog, ChangeSetInfo
from shnor_desktop.models.db import from_row
from shnor_desktop.models.errors import RecordNotFoundError
from shnor_desktop.models.fields import FieldIssue, FieldSpec, InvalidValueError, check_value
from shnor_desktop.models.metrics import Counts, pool, quality
from shnor_desktop.models.roadmap import Programme
from shnor_desktop.models.rules import RowContext
from shnor_desktop.models.schema import GROUP_CODES
from shnor_desktop.models.schools import GROUP_LABELS, PROFILE_FIELD_BY_NAME

# --- words as data (Russian source strings; the UI translates them, context "indicators") ---

DIRECTIONS: Final = ("higher", "lower")
DIRECTION_LABELS: Final[Mapping[str, str]] = {
    "higher": "больше — лучше",
    "lower": "меньше — лучше",
}
DIRECTION_SHORT: Final[Mapping[str, str]] = {"higher": "↑", "lower": "↓"}

Status = Literal["met", "not_met", "no_data"]
STATUSES: Final[tuple[Status, ...]] = ("met", "not_met", "no_data")
STATUS_LABELS: Final[Mapping[str, str]] = {
    "met": "выполнен",
    "not_met": "не выполнен",
    "no_data": "нет данных",
}

VALUE_SOURCE_LABELS: Final[Mapping[str, str]] = {
    "manual": "введено вручную",
    "seed": "из документа",
    "import": "загружено из файла",
}
"""Where a stored value came from (``indicator_value.source``)."""

VALUE_FIELDS: Final = ("plan", "actual", "note")
"""The fields of a value cell that the screens edit."""

YEAR_MIN: Final = 1990
YEAR_MAX: Final = 2100
MAX_DEPTH: Final = 32
"""Deepest level of the tree read (a guard: the row rule refuses cycles anyway)."""

_SECTION = "Показатели программы"

INDICATOR_FIELDS: Final[tuple[FieldSpec, ...]] = (
    FieldSpec("programme_id", "ref", _SECTION, "Программа", required=True),
    FieldSpec("parent_id", "ref", _SECTION, "Входит в показатель"),
    FieldSpec("code", "text", _SECTION, "№", required=True),
    FieldSpec("name", "text", _SECTION, "Наименование показателя", required=True),
    FieldSpec("unit", "text", _SECTION, "Единица измерения"),
    FieldSpec(
        "direction", "choice", _SECTION, "Лучше, когда значение", required=True, choices=DIRECTIONS
    ),
    FieldSpec("baseline", "real", _SECTION, "Базовое значение"),
    FieldSpec(
        "baseline_year",
        "int",
        _SECTION,
        "Год базового значения",
        minimum=YEAR_MIN,
        maximum=YEAR_MAX,
    ),
    FieldSpec("formula", "text", _SECTION, "Методика расчёта"),
    FieldSpec("source_note", "text", _SECTION, "Источник данных"),
    FieldSpec("frequency", "text", _SECTION, "Периодичность"),
    FieldSpec("computed", "text", _SECTION, "Вычисляется по данным"),
    FieldSpec("sort_order", "count", _SECTION, "Порядок"),
)

INDICATOR_VALUE_FIELDS: Final[tuple[FieldSpec, ...]] = (
    FieldSpec("indicator_id", "ref", _SECTION, "Показатель", required=True),
    FieldSpec(
        "year", "int", _SECTION, "Учебный год", required=True, minimum=YEAR_MIN, maximum=YEAR_MAX
    ),
    FieldSpec("school_id", "school", _SECTION, "Школа"),
    FieldSpec("plan", "real", _SECTION, "Плановое значение"),
    FieldSpec("actual", "real", _SECTION, "Фактическое значение"),
    FieldSpec("source", "text", _SECTION, "Источник значения"),
    FieldSpec("note", "text", _SECTION, "Примечание"),
)
INDICATOR_FIELD_BY_NAME: Final = {spec.name: spec for spec in INDICATOR_FIELDS}
VALUE_FIELD_BY_NAME: Final = {spec.name: spec for spec in INDICATOR_VALUE_FIELDS}

# The fields of an indicator a form edits (the programme and order are set by the repository).
EDITABLE_INDICATOR_FIELDS: Final = (
    "code",
    "name",
    "unit",
    "direction",
    "baseline",
    "baseline_year",
    "formula",
    "source_note",
    "frequency",
    "computed",
    "parent_id",
)
PERCENT_UNITS: Final = frozenset({"%", "процент", "проц."})
"""Units whose values are shares: 0–100."""


# --- records --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Indicator:
    """One indicator of a programme (``parent_id`` places it in the tree)."""

    id: int
    programme_id: int
    code: str
    name: str
    parent_id: int | None = None
    unit: str = "%"
    direction: str = "higher"
    baseline: float | None = None
    baseline_year: int | None = None
    formula: str = ""
    source_note: str = ""
    frequency: str = ""
    computed: str = ""
    sort_order: int = 0

    @property
    def is_computed(self) -> bool:
        """True when the actual is computed from the data."""
        return bool(self.computed)


@dataclass(frozen=True)
class IndicatorValue:
    """Plan, actual and note of an indicator in one school year (district or one school)."""

    id: int
    indicator_id: int
    year: int
    school_id: int | None = None
    plan: float | None = None
    actual: float | None = None
    source: str = "manual"
    note: str = ""
    school_name: str = ""


@dataclass(frozen=True)
class Member:
    """One school in a computed indicator: whether it counts, or None when it has no data."""

    school_id: int
    school_name: str
    counted: bool | None
    figure: float | None = None
    """The school's own figure where the computation has one (the change in п.п.)."""


@dataclass(frozen=True)
class ComputedValue:
    """The value of a computed indicator: numerator ÷ denominator × 100, with the schools."""

    value: float | None
    numerator: int
    denominator: int
    members: tuple[Member, ...] = ()

    @property
    def missing(self) -> int:
        """Schools of the scope left out for lack of data."""
        return sum(1 for m in self.members if m.counted is None)


ActualKind = Literal["typed", "computed", "override", "none"]


@dataclass(frozen=True)
class Actual:
    """What the actual of a cell is and where it comes from."""

    value: float | None
    kind: ActualKind
    source: str = ""
    computed: ComputedValue | None = None
    """The computed value (also for an override, to show beside it)."""


@dataclass(frozen=True)
class IndicatorRow:
    """One indicator as the tree shows it: its level, values and computed actuals."""

    indicator: Indicator
    depth: int
    child_count: int
    values: tuple[IndicatorValue, ...] = ()
    computed: Mapping[int, ComputedValue] = field(default_factory=dict)

    @property
    def id(self) -> int:
        """The indicator's id."""
        return self.indicator.id

    def value(self, year: int, school_id: int | None = None) -> IndicatorValue | None:
        """The stored value of a year (district when ``school_id`` is None), if any."""
        for value in self.values:
            if value.year == year and value.school_id == school_id:
                return value
        return None

    def school_ids(self) -> list[int]:
        """The schools with values of their own, in the order read (by name)."""
        seen: dict[int, None] = {}
        for value in self.values:
            if value.school_id is not None:
                seen.setdefault(value.school_id, None)
        return list(seen)

    def school_name(self, school_id: int) -> str:
        """The short name of a school with values."""
        return next((v.school_name for v in self.values if v.school_id == school_id), "")

    def plan(self, year: int, school_id: int | None = None) -> float | None:
        """The plan of a year."""
        value = self.value(year, school_id)
        return None if value is None else value.plan

    def actual(self, year: int, school_id: int | None = None) -> Actual:
        """The actual of a year: typed, computed, an override of a computed one, or none."""
        stored = self.value(year, school_id)
        computed = self.computed.get(year) if school_id is None else None
        if self.indicator.is_computed and school_id is None:
            if stored is not None and stored.actual is not None:
                return Actual(stored.actual, "override", stored.source, computed)
            return Actual(None if computed is None else computed.value, "computed", "", computed)
        if stored is None or stored.actual is None:
            return Actual(None, "none")
        return Actual(stored.actual, "typed", stored.source)

    def status(self, year: int, school_id: int | None = None) -> Status:
        """Plan against actual in a year."""
        return status(
            self.indicator.direction, self.plan(year, school_id), self.actual(year, school_id).value
        )


@dataclass(frozen=True)
class Cell:
    """Where a value lives: an indicator, a school year, and a school (None: the district)."""

    indicator_id: int
    year: int
    school_id: int | None = None


@dataclass(frozen=True)
class IndicatorQuery:
    """What the tree reads: a programme, the school years of values (empty: all) and computing."""

    programme_id: int
    years: tuple[int, ...] = ()
    compute: bool = True


def status(direction: str, plan: float | None, actual: float | None) -> Status:
    """Plan against actual, compared as shown (one decimal): met, not met or no data."""
    if plan is None or actual is None:
        return "no_data"
    shown_actual, shown_plan = round(actual, 1), round(plan, 1)
    met = shown_actual <= shown_plan if direction == "lower" else shown_actual >= shown_plan
    return "met" if met else "not_met"


def change(before: float | None, after: float | None) -> float | None:
    """The change of an actual between two years (after − before); None if either is missing."""
    if before is None or after is None:
        return None
    return after - before


def better(direction: str, delta: float | None) -> bool | None:
    """True when a change is an improvement for this direction, False when worse, None if none."""
    if delta is None or round(delta, 1) == 0:
        return None
    return (delta > 0) == (direction != "lower")


def normalise_code(code: str) -> str:
    """A code as stored: «2.1.» and « 2.1 » are «2.1»."""
    return str(code).strip().rstrip(".").strip()


# --- computations ---------------------------------------------------------------------------


class ResultsSource(Protocol):
    """What a computation needs of the results area (``ResultsRepository``)."""

    def school_counts(
        self,
        year: int,
        procedure: str | None = None,
        subject: str | None = None,
        grade: int | None = None,
        school_ids: Collection[int] | None = None,
    ) -> Mapping[int, Counts]:
        """Each school's pooled counts of one school year."""
        ...


@dataclass(frozen=True)
class ComputeContext:
    """Where a computation reads: the reading connection and the results area."""

    conn: sqlite3.Connection
    results: ResultsSource | None = None


ComputeFunction = Callable[[ComputeContext, int, tuple[str, ...]], ComputedValue]


@dataclass(frozen=True)
class Computation:
    """A way to compute an indicator from the data: key, title, formula and the function.

    ``formula`` is a Russian source string with ``{scope}`` for the schools
    counted («школ группы «Зона риска (ШНСУ)»», or «школ» for all); it is
    shown beside the value as it is (:func:`formula_text`).
    """

    key: str
    title: str
    formula: str
    compute: ComputeFunction
    direction: str = "higher"
    unit: str = "%"


def _scope_schools(
    conn: sqlite3.Connection, year: int, groups: tuple[str, ...], columns: str = ""
) -> list[sqlite3.Row]:
    """The schools a computation counts in a year: those with a passport, of the groups.

    Branches are not counted as schools of their own (an ОО with its branches is one).
    """
    sql = (
        f"SELECT s.id, s.short_name, p.group_code{columns} FROM school s"
        " JOIN school_profile p ON p.school_id = s.id AND p.year = ?"
        " WHERE s.parent_id IS NULL"
    )
    params: list[Any] = [year]
    if groups:
        sql += f" AND p.group_code IN ({','.join('?' for _ in groups)})"
        params.extend(groups)
    return list(conn.execute(sql + " ORDER BY s.short_name COLLATE RU, s.id", params))


def _share(numerator: int, denominator: int) -> float | None:
    return None if denominator == 0 else numerator / denominator * 100.0


def _profile_field_share(column: str) -> ComputeFunction:
    """The share of the scope's schools whose passport field ``column`` is set (yes, or given)."""
    if column not in PROFILE_FIELD_BY_NAME:
        raise KeyError(column)
    flag = PROFILE_FIELD_BY_NAME[column].kind == "flag"

    def compute(ctx: ComputeContext, year: int, groups: tuple[str, ...]) -> ComputedValue:
        rows = _scope_schools(ctx.conn, year, groups, f", p.{column} AS value")
        members = []
        for row in rows:
            value = row["value"]
            if flag:
                counted: bool | None = None if value is None else bool(value)
            else:  # a reference (curator, mentor school): set or not
                counted = value is not None and value != ""
            members.append(Member(int(row["id"]), str(row["short_name"]), counted))
        known = [m for m in members if m.counted is not None]
        numerator = sum(1 for m in known if m.counted)
        return ComputedValue(_share(numerator, len(known)), numerator, len(known), tuple(members))

    return compute


def positive_dynamics(ctx: ComputeContext, year: int, groups: tuple[str, ...]) -> ComputedValue:
    """The share of the scope's schools whose pooled ВПР + ОГЭ quality rose since the year before.

    A school counts when its quality (marks «4» and «5» of all participants,
    the two procedures pooled from their counts) in ``year`` is above that of
    ``year − 1``; a school without results in either year has no data.
    """
    rows = _scope_schools(ctx.conn, year, groups)
    ids = [int(r["id"]) for r in rows]
    results = ctx.results
    if results is None or not ids:
        unknown = tuple(Member(int(r["id"]), str(r["short_name"]), None) for r in rows)
        return ComputedValue(None, 0, 0, unknown)

    def pooled_quality(of_year: int) -> dict[int, float | None]:
        per_school: dict[int, list[Counts]] = {}
        for procedure in ("ВПР", "ОГЭ"):
            counts = results.school_counts(of_year, procedure=procedure, school_ids=ids)
            for school_id, c in counts.items():
                per_school.setdefault(school_id, []).append(c)
        return {school_id: quality(pool(parts)) for school_id, parts in per_school.items()}

    before, after = pooled_quality(year - 1), pooled_quality(year)
    members: list[Member] = []
    for row in rows:
        school_id = int(row["id"])
        q0, q1 = before.get(school_id), after.get(school_id)
        if q0 is None or q1 is None:
            members.append(Member(school_id, str(row["short_name"]), None))
        else:
            members.append(Member(school_id, str(row["short_name"]), q1 > q0, q1 - q0))
    known = [m for m in members if m.counted is not None]
    numerator = sum(1 for m in known if m.counted)
    return ComputedValue(_share(numerator, len(known)), numerator, len(known), tuple(members))


_FLAG_FORMULA = (
    "Число {scope}, в которых {what} (паспорт школы за учебный год, поле «{field}»), "
    "÷ число {scope} с паспортом за этот год × 100 %. Филиалы отдельно не считаются; "
    "школы, о которых в паспорте нет сведений, не учитываются."
)


def _flag_computation(column: str, title: str, what: str, direction: str = "higher") -> Computation:
    return Computation(
        f"profile.{column}",
        title,
        _FLAG_FORMULA.replace("{what}", what).replace(
            "{field}", PROFILE_FIELD_BY_NAME[column].label
        ),
        _profile_field_share(column),
        direction,
    )


COMPUTATIONS: Final[tuple[Computation, ...]] = (
    _flag_computation(
        "tochka_rosta", "Доля школ с центром «Точка роста»", "создан центр «Точка роста»"
    ),
    _flag_computation("tsos", "Доля школ с оборудованием ЦОС", "есть оборудование ЦОС"),
    _flag_computation(
        "project_500", "Доля школ — участников проекта «500+»", "школа участвует в проекте «500+»"
    ),
    _flag_computation(
        "needs_capital_repair",
        "Доля школ, которым нужен капитальный ремонт",
        "нужен капитальный ремонт",
        "lower",
    ),
    _flag_computation(
        "curator_id", "Доля школ с закреплённым куратором", "за школой закреплён куратор"
    ),
    _flag_computation(
        "mentor_school_id",
        "Доля школ, вовлечённых в сетевое взаимодействие со школой-наставником",
        "у школы есть школа-наставник",
    ),
    Computation(
        "results.positive_dynamics",
        "Доля школ с положительной динамикой образовательных результатов",
        "Число {scope} (группа в учебном году), у которых качество знаний по ВПР и ОГЭ вместе "
        "(отметки «4» и «5» от всех участников, по суммам отметок) выше, чем в предыдущем "
        "учебном году, ÷ число {scope} с результатами за оба года × 100 %. Филиалы отдельно "
        "не считаются.",
        positive_dynamics,
    ),
)
COMPUTATION_BY_KEY: Final[Mapping[str, Computation]] = {c.key: c for c in COMPUTATIONS}


def computed_key(key: str, groups: Iterable[str] = ()) -> str:
    """The text stored in ``indicator.computed``: «profile.tochka_rosta:risk» (no groups: all)."""
    wanted = set(groups)
    ordered = [g for g in GROUP_CODES if g in wanted]
    return f"{key}:{','.join(ordered)}" if ordered else key


def parse_computed(text: str) -> tuple[Computation, tuple[str, ...]] | None:
    """The computation and groups named by ``indicator.computed``; None when unknown or empty."""
    key, _, group_text = text.strip().partition(":")
    computation = COMPUTATION_BY_KEY.get(key)
    groups = tuple(g for g in group_text.split(",") if g)
    if computation is None or any(g not in GROUP_CODES for g in groups):
        return None
    return computation, groups


def scope_text(groups: Sequence[str]) -> str:
    """The schools counted, in the genitive: «школ», «школ группы «ШНОР»»."""
    if not groups:
        return "школ"
    names = ", ".join(f"«{GROUP_LABELS.get(g, g)}»" for g in groups)
    return f"школ группы {names}" if len(groups) == 1 else f"школ групп {names}"


def formula_text(computed: str) -> str:
    """The formula of a computed indicator, shown beside its value (empty when not computed)."""
    parsed = parse_computed(computed)
    if parsed is None:
        return ""
    computation, groups = parsed
    return computation.formula.replace("{scope}", scope_text(groups))


def compute(
    computed: str, conn: sqlite3.Connection, year: int, results: ResultsSource | None = None
) -> ComputedValue | None:
    """The value of the computation named by ``computed`` in a school year (None if unknown)."""
    parsed = parse_computed(computed)
    if parsed is None:
        return None
    computation, groups = parsed
    return computation.compute(ComputeContext(conn, results), year, groups)


# --- rules ----------------------------------------------------------------------------------


def _share_issues(
    row: Mapping[str, Any], names: Iterable[str], unit: str | None
) -> Iterable[FieldIssue]:
    """Values of an indicator measured in percent must lie within 0–100."""
    if unit is None or unit.strip().lower() not in PERCENT_UNITS:
        return
    for name in names:
        value = row.get(name)
        if isinstance(value, int | float) and not 0 <= value <= 100:
            yield FieldIssue(name, "share_range", "error", (value,))


def _indicator_rule(ctx: RowContext) -> Iterable[FieldIssue]:
    """Parent in the same programme and no cycle; a unique code; a known computation."""
    row, conn = ctx.row, ctx.conn
    parent_id = row.get("parent_id")
    if ctx.changed & {"parent_id", "programme_id"} and parent_id is not None:
        if ctx.row_id is not None and parent_id == ctx.row_id:
            yield FieldIssue("parent_id", "parent_cycle", "error")
            return
        parent = conn.execute(
            "SELECT programme_id FROM indicator WHERE id = ?", (parent_id,)
        ).fetchone()
        if parent is None:
            yield FieldIssue("parent_id", "unknown_indicator", "error", (parent_id,))
            return
        if parent[0] != row.get("programme_id"):
            yield FieldIssue("parent_id", "parent_other_programme", "error")
            return
        if ctx.row_id is not None:
            ancestor: int | None = int(parent_id)
            for _ in range(MAX_DEPTH + 1):
                if ancestor is None:
                    break
                if ancestor == ctx.row_id:
                    yield FieldIssue("parent_id", "parent_cycle", "error")
                    return
                found = conn.execute(
                    "SELECT parent_id FROM indicator WHERE id = ?", (ancestor,)
                ).fetchone()
                ancestor = None if found is None else found[0]
    if ctx.changed & {"code", "programme_id"}:
        code = row.get("code")
        duplicate = conn.execute(
            "SELECT 1 FROM indicator WHERE programme_id = ? AND code = ? AND id IS NOT ?",
            (row.get("programme_id"), code, ctx.row_id),
        ).fetchone()
        if duplicate is not None:
            yield FieldIssue("code", "duplicate_code", "error", (code,))
    computed = row.get("computed") or ""
    if "computed" in ctx.changed and computed and parse_computed(str(computed)) is None:
        yield FieldIssue("computed", "unknown_computation", "error", (computed,))
    if ctx.changed & {"baseline", "unit"}:
        yield from _share_issues(row, ("baseline",), row.get("unit"))


def _value_rule(ctx: RowContext) -> Iterable[FieldIssue]:
    """Shares within 0–100; an actual of a computed indicator only with its source stated."""
    if not ctx.changed & {"plan", "actual", "indicator_id", "source"}:
        return
    found = ctx.conn.execute(
        "SELECT unit, computed FROM indicator WHERE id = ?", (ctx.row.get("indicator_id"),)
    ).fetchone()
    if found is None:
        yield FieldIssue(
            "indicator_id", "unknown_indicator", "error", (ctx.row.get("indicator_id"),)
        )
        return
    yield from _share_issues(
        ctx.row,
        [n for n in ("plan", "actual") if n in ctx.changed or "indicator_id" in ctx.changed],
        found["unit"],
    )
    if (
        found["computed"]
        and "actual" in ctx.changed
        and ctx.row.get("actual") is not None
        and ctx.row.get("school_id") is None
        and "source" not in ctx.changed
    ):
        # A computed value is never typed over silently: the writer must say where
        # the figure comes from (the repository does so only when asked to replace it).
        yield FieldIssue("actual", "computed_actual", "error")


def _value_key_rule(ctx: RowContext) -> Iterable[FieldIssue]:
    """One value per indicator, year and school (or the district)."""
    if not ctx.changed & {"indicator_id", "year", "school_id"}:
        return
    row = ctx.row
    duplicate = ctx.conn.execute(
        "SELECT 1 FROM indicator_value WHERE indicator_id = ? AND year = ?"
        " AND school_id IS ? AND id IS NOT ?",
        (row.get("indicator_id"), row.get("year"), row.get("school_id"), ctx.row_id),
    ).fetchone()
    if duplicate is not None:
        yield FieldIssue("year", "duplicate_value", "error", (row.get("year"),))


rules.register("indicator", INDICATOR_FIELDS, [_indicator_rule])
rules.register("indicator_value", INDICATOR_VALUE_FIELDS, [_value_rule, _value_key_rule])


# --- the repository -------------------------------------------------------------------------

# The natural order of dotted codes, in SQL: each part as a zero-padded number followed by
# its own text and a dot («2.10» → 0000000002 2. 0000000010 10.), so 2.1 < 2.1.1 < 2.2 < 2.10;
# the tree path joins the keys of the levels with char(1), which sorts before any key.
_TREE_SQL: Final = f"""
WITH RECURSIVE
parts(id, rest, k) AS (
    SELECT id, code || '.', '' FROM indicator WHERE programme_id = :programme
    UNION ALL
    SELECT id,
           substr(rest, instr(rest, '.') + 1),
           k || printf('%010d', CAST(substr(rest, 1, instr(rest, '.') - 1) AS INTEGER))
             || substr(rest, 1, instr(rest, '.') - 1) || '.'
    FROM parts WHERE rest <> ''
),
keys(id, k) AS (SELECT id, k FROM parts WHERE rest = ''),
tree(id, depth, path) AS (
    SELECT i.id, 0, keys.k || printf('%010d', i.sort_order)
    FROM indicator i JOIN keys ON keys.id = i.id
    WHERE i.programme_id = :programme AND i.parent_id IS NULL
    UNION ALL
    SELECT i.id, t.depth + 1, t.path || char(1) || keys.k || printf('%010d', i.sort_order)
    FROM indicator i JOIN keys ON keys.id = i.id JOIN tree t ON i.parent_id = t.id
    WHERE t.depth < {MAX_DEPTH}
)
SELECT i.*, t.depth,
       (SELECT count(*) FROM indicator c WHERE c.parent_id = i.id) AS child_count
FROM tree t JOIN indicator i ON i.id = t.id
ORDER BY t.path, i.id
"""


def _refuse(issue: FieldIssue) -> None:
    raise InvalidValueError(issue)


class IndicatorRepository:
    """Reads the indicator tree with its values and computed actuals; writes through the log.

    Every write is one change set with the caller's label and returns its
    :class:`ChangeSetInfo` (None when nothing changed).
    """

    def __init__(self, log: ChangeLog, results: ResultsSource | None = None) -> None:
        self.log = log
        self.results = results

    @property
    def conn(self) -> sqlite3.Connection:
        """The connection this thread reads with."""
        return self.log.reader()

    # --- reading ----------------------------------------------------------------------
    def programmes(self) -> list[Programme]:
        """The programmes of the district: those with indicators first, then the latest first.

        A programme that keeps only a roadmap (the demo's 2023/24 plan) comes
        after the ones whose indicators this area shows.
        """
        return [
            from_row(Programme, r)
            for r in self.conn.execute(
                "SELECT * FROM programme ORDER BY"
                " EXISTS (SELECT 1 FROM indicator i WHERE i.programme_id = programme.id) DESC,"
                " start_year DESC, end_year DESC, id"
            )
        ]

    def get(self, indicator_id: int) -> Indicator:
        """One indicator; :class:`RecordNotFoundError` when it is gone."""
        row = self.conn.execute("SELECT * FROM indicator WHERE id = ?", (indicator_id,)).fetchone()
        if row is None:
            raise RecordNotFoundError("indicator", indicator_id)
        return from_row(Indicator, row)

    def tree(self, query: IndicatorQuery) -> list[IndicatorRow]:
        """The programme's indicators in tree order with the values of the query's years."""
        conn = self.conn
        found = conn.execute(_TREE_SQL, {"programme": query.programme_id}).fetchall()
        sql = (
            "SELECT v.*, ifnull(s.short_name, '') AS school_name FROM indicator_value v"
            " JOIN indicator i ON i.id = v.indicator_id"
            " LEFT JOIN school s ON s.id = v.school_id WHERE i.programme_id = ?"
        )
        params: list[Any] = [query.programme_id]
        if query.years:
            sql += f" AND v.year IN ({','.join('?' for _ in query.years)})"
            params.extend(query.years)
        sql += " ORDER BY v.indicator_id, v.school_id IS NOT NULL, s.short_name COLLATE RU, v.year"
        values: dict[int, list[IndicatorValue]] = {}
        for r in conn.execute(sql, params):
            values.setdefault(int(r["indicator_id"]), []).append(from_row(IndicatorValue, r))
        rows = []
        for r in found:
            indicator = from_row(Indicator, r)
            computed: dict[int, ComputedValue] = {}
            if query.compute and indicator.is_computed:
                for year in query.years:
                    result = compute(indicator.computed, conn, year, self.results)
                    if result is not None:
                        computed[year] = result
            rows.append(
                IndicatorRow(
                    indicator,
                    int(r["depth"]),
                    int(r["child_count"]),
                    tuple(values.get(indicator.id, ())),
                    computed,
                )
            )
        return rows

    def computed_value(self, indicator_id: int, year: int) -> ComputedValue | None:
        """The computed actual of an indicator in a school year (None when it is typed)."""
        indicator = self.get(indicator_id)
        return compute(indicator.computed, self.conn, year, self.results)

    def years(self, programme_id: int) -> list[int]:
        """The school years of the programme and those with values, oldest first."""
        row = self.conn.execute(
            "SELECT start_year, end_year FROM programme WHERE id = ?", (programme_id,)
        ).fetchone()
        years: set[int] = set()
        if row is not None:
            years.update(range(int(row[0]), int(row[1]) + 1))
        years.update(
            int(r[0])
            for r in self.conn.execute(
                "SELECT DISTINCT v.year FROM indicator_value v JOIN indicator i"
                " ON i.id = v.indicator_id WHERE i.programme_id = ?",
                (programme_id,),
            )
        )
        return sorted(years)

    def default_year(self, programme_id: int) -> int | None:
        """The school year to show first: the latest with an actual, else the programme's first."""
        row = self.conn.execute(
            "SELECT max(v.year) FROM indicator_value v JOIN indicator i ON i.id = v.indicator_id"
            " WHERE i.programme_id = ? AND v.actual IS NOT NULL",
            (programme_id,),
        ).fetchone()
        if row[0] is not None:
            return int(row[0])
        years = self.years(programme_id)
        return years[0] if years else None

    # --- writing indicators -------------------------------------------------------------
    @staticmethod
    def _clean(values: Mapping[str, Any]) -> dict[str, Any]:
        unknown = [k for k in values if k not in INDICATOR_FIELD_BY_NAME]
        if unknown:
            raise KeyError(unknown[0])
        clean = dict(values)
        if "code" in clean and clean["code"] is not None:
            clean["code"] = normalise_code(clean["code"])
        if "computed" in clean:
            clean["computed"] = str(clean["computed"] or "").strip()
        return clean

    def add(self, values: Mapping[str, Any], label: str) -> tuple[ChangeSetInfo, int]:
        """Add an indicator (``programme_id``, ``code``, ``name`` …); return the set and its id."""
        clean = self._clean({"direction": "higher", **values})
        if "sort_order" not in clean:
            row = self.conn.execute(
                "SELECT ifnull(max(sort_order), -1) + 1 FROM indicator"
                " WHERE programme_id = ? AND parent_id IS ?",
                (clean.get("programme_id"), clean.get("parent_id")),
            ).fetchone()
            clean["sort_order"] = int(row[0])
        with self.log.change_set(label) as cs:
            indicator_id = cs.insert("indicator", clean)
        assert cs.info is not None
        return cs.info, indicator_id

    def update(
        self, indicator_id: int, values: Mapping[str, Any], label: str
    ) -> ChangeSetInfo | None:
        """Change fields of an indicator; None when nothing changed."""
        clean = self._clean(values)
        clean.pop("programme_id", None)  # an indicator stays in its programme
        with self.log.change_set(label) as cs:
            cs.update("indicator", indicator_id, clean)
        return cs.info

    def subtree_ids(self, indicator_id: int) -> list[int]:
        """The indicator and everything under it, the deepest last."""
        return [
            int(r[0])
            for r in self.conn.execute(
                f"WITH RECURSIVE sub(id, depth) AS (SELECT ?, 0 UNION ALL"
                f" SELECT i.id, sub.depth + 1 FROM indicator i JOIN sub ON i.parent_id = sub.id"
                f" WHERE sub.depth < {MAX_DEPTH}) SELECT id FROM sub ORDER BY depth",
                (indicator_id,),
            )
        ]

    def remove(self, indicator_id: int, label: str) -> ChangeSetInfo:
        """Remove an indicator with the indicators under it and all their values."""
        self.get(indicator_id)  # RecordNotFoundError first
        ids = self.subtree_ids(indicator_id)
        with self.log.change_set(label) as cs:
            # The deepest first: a parent's removal would otherwise lift its children
            # to the top of the tree (parent_id is an optional reference).
            for row_id in reversed(ids):
                cs.delete("indicator", row_id)
        assert cs.info is not None
        return cs.info

    # --- writing values -----------------------------------------------------------------
    def _value_row(self, cell: Cell) -> dict[str, Any] | None:
        row = self.conn.execute(
            "SELECT * FROM indicator_value WHERE indicator_id = ? AND year = ? AND school_id IS ?",
            (cell.indicator_id, cell.year, cell.school_id),
        ).fetchone()
        return None if row is None else dict(zip(row.keys(), tuple(row), strict=True))

    def set_value(
        self,
        cell: Cell,
        name: str,
        value: Any,
        label: str,
        *,
        replace_computed: bool = False,
        source: str = "manual",
    ) -> ChangeSetInfo | None:
        """Write the plan, actual or note of a cell (creating the year's row if needed).

        An actual of a computed indicator (district row) is refused
        (``computed_actual``) unless ``replace_computed`` is true: then it is
        stored as an override with ``source``.  Clearing it (None) brings the
        computed value back.  Returns what changed, None when nothing did.
        """
        if name not in VALUE_FIELDS:
            raise KeyError(name)
        indicator = self.get(cell.indicator_id)
        clean = check_value(VALUE_FIELD_BY_NAME[name], value)
        changes: dict[str, Any] = {name: clean}
        if name == "actual" and clean is not None:
            if indicator.is_computed and cell.school_id is None and not replace_computed:
                _refuse(FieldIssue("actual", "computed_actual", "error"))
            changes["source"] = source
        with self.log.change_set(label) as cs:
            current = self._value_row(cell)
            if current is None:
                if clean is None or clean == "":
                    return None
                cs.insert(
                    "indicator_value",
                    {
                        "indicator_id": cell.indicator_id,
                        "year": cell.year,
                        "school_id": cell.school_id,
                        "source": source,
                        **changes,
                    },
                )
            else:
                if name == "actual" and current.get("actual") == clean:
                    changes.pop("source", None)  # the same figure typed again: keep its source
                cs.update("indicator_value", int(current["id"]), changes)
        return cs.info

    def set_plan(self, cell: Cell, value: Any, label: str) -> ChangeSetInfo | None:
        """Write the plan of a cell."""
        return self.set_value(cell, "plan", value, label)

    def set_actual(
        self, cell: Cell, value: Any, label: str, *, replace_computed: bool = False
    ) -> ChangeSetInfo | None:
        """Write the actual of a cell (see :meth:`set_value` for computed indicators)."""
        return self.set_value(cell, "actual", value, label, replace_computed=replace_computed)

    def set_note(self, cell: Cell, text: str, label: str) -> ChangeSetInfo | None:
        """Write the note of a cell."""
        return self.set_value(cell, "note", text, label)

    def add_school(self, cell: Cell, label: str) -> ChangeSetInfo | None:
        """Give an indicator a row of its own for a school (``cell.school_id``), empty values."""
        self.get(cell.indicator_id)
        if cell.school_id is None:
            raise ValueError("add_school needs a school")
        with self.log.change_set(label) as cs:
            if self._value_row(cell) is None:
                cs.insert(
                    "indicator_value",
                    {
                        "indicator_id": cell.indicator_id,
                        "year": cell.year,
                        "school_id": cell.school_id,
                    },
                )
        return cs.info

    def remove_school(self, indicator_id: int, school_id: int, label: str) -> ChangeSetInfo | None:
        """Remove every value of an indicator for one school."""
        ids = [
            int(r[0])
            for r in self.conn.execute(
                "SELECT id FROM indicator_value WHERE indicator_id = ? AND school_id = ?",
                (indicator_id, school_id),
            )
        ]
        with self.log.change_set(label) as cs:
            cs.delete_many("indicator_value", ids)
        return cs.info
