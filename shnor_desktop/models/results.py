"""The results area: reading assessment results in SQL and writing their counts.

Reads take a frozen query dataclass and filter, sort and aggregate in SQL:
the results table of one year × procedure × subject × grade (sorted by any
count or metric through the SQL function ``metric()``, which runs the same
Python formulas as the screens), the pooled counts of a district, a group or
a school (sums of counts, never means of percentages), the pivot of schools ×
years for one metric (aggregated rows, never the raw millions) and the
series the two-year charts draw.  Writes go through the change log and
return what they changed.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field, fields
from typing import Any, Final

from shnor_desktop.models.assessments import ASSESSMENT_FIELDS, result_warnings
from shnor_desktop.models.changelog import ChangeLog, ChangeSetInfo
from shnor_desktop.models.errors import RecordNotFoundError
from shnor_desktop.models.fields import FieldIssue, InvalidValueError, check_value
from shnor_desktop.models.metrics import COUNT_COLUMNS, METRIC_BY_KEY, Counts, pool
from shnor_desktop.models.schema import PROCEDURES
from shnor_desktop.models.text import fold

COUNT_FIELDS: Final = (
    "pupils_due",
    "participants",
    "n2",
    "n3",
    "n4",
    "n5",
    "mean_score",
    "below_minimum",
    "vpr_lowered",
    "vpr_confirmed",
    "vpr_raised",
)
"""The columns of a result row a user types (the key columns aside)."""

_SPEC_BY_NAME: Final = {spec.name: spec for spec in ASSESSMENT_FIELDS}

# Sort keys of the results table besides the metrics of models/metrics.py.
_COLUMN_ORDER: Final = {
    "school": "fold(s.short_name)",
    "code": "s.code",
    "group": "ifnull(p.group_code, 'none')",
    **{name: f"a.{name}" for name in COUNT_FIELDS},
}

_SUMMED: Final = (
    "pupils_due",
    "participants",
    "n2",
    "n3",
    "n4",
    "n5",
    "below_minimum",
    "vpr_lowered",
    "vpr_confirmed",
    "vpr_raised",
)


def _pooled_sql(alias: str = "") -> str:
    """The SELECT list of pooled counts over the rows of ``assessment`` (aliased or not).

    A count missing in one row makes the pooled count missing (see
    ``metrics.pool``); ``n_rows`` counts the result rows (a LEFT JOIN gives
    none for a school without results).
    """
    a = f"{alias}." if alias else ""
    rows = f"count({a}id)"
    sums = ", ".join(
        f"CASE WHEN count({a}{c}) = {rows} THEN sum({a}{c}) END AS {c}" for c in _SUMMED
    )
    score = f"CASE WHEN count({a}mean_score) = {rows} THEN sum({a}mean_score * {a}participants) END"
    return f"{sums}, {score} AS score_sum, {rows} AS n_rows"


_POOLED: Final = _pooled_sql()


def _pooled_counts(row: sqlite3.Row) -> Counts:
    """Counts from a row of ``_POOLED`` columns."""
    if not row["n_rows"]:
        return Counts(participants=0, rows=0)
    return Counts(
        due=row["pupils_due"],
        participants=row["participants"],
        n2=row["n2"],
        n3=row["n3"],
        n4=row["n4"],
        n5=row["n5"],
        below_minimum=row["below_minimum"],
        lowered=row["vpr_lowered"],
        confirmed=row["vpr_confirmed"],
        raised=row["vpr_raised"],
        score_sum=row["score_sum"],
        rows=int(row["n_rows"]),
    )


@dataclass(frozen=True)
class ResultKey:
    """What names one result row: school × school year × procedure × subject × grade."""

    school_id: int
    year: int
    procedure: str
    subject: str
    grade: int


@dataclass(frozen=True)
class ResultsQuery:
    """The results table: one year, procedure, subject and grade, filtered and sorted.

    ``sort_key`` is a column of ``_COLUMN_ORDER`` («school», «pupils_due», «n5» …)
    or a metric key of :data:`~shnor_desktop.models.metrics.METRICS`.
    ``with_empty`` lists every school, those without a row for the key too
    (to type their counts).
    """

    year: int
    procedure: str
    subject: str
    grade: int
    search: str = ""
    group: str | None = None
    sort_key: str = "school"
    descending: bool = False
    with_empty: bool = False


@dataclass(frozen=True)
class ResultRow:
    """One school's line of the results table (``id`` None: no result typed yet)."""

    school_id: int
    code: str
    school: str
    parent_id: int | None
    group_code: str
    id: int | None = None
    pupils_due: int | None = None
    participants: int | None = None
    n2: int | None = None
    n3: int | None = None
    n4: int | None = None
    n5: int | None = None
    mean_score: float | None = None
    below_minimum: int | None = None
    vpr_lowered: int | None = None
    vpr_confirmed: int | None = None
    vpr_raised: int | None = None
    source: str = ""

    @property
    def counts(self) -> Counts:
        """The counts of the row (for the formulas of models/metrics.py)."""
        return Counts.of_row(self.values())

    def values(self) -> dict[str, Any]:
        """The typed columns by name."""
        return {name: getattr(self, name) for name in COUNT_FIELDS}

    def metric(self, key: str) -> float | None:
        """The value of a metric (None without a result or without its counts)."""
        if self.id is None:
            return None
        return METRIC_BY_KEY[key].compute(self.counts)

    def warnings(self) -> list[FieldIssue]:
        """What the figures say against each other (marks ≠ participants …)."""
        return [] if self.id is None else result_warnings(self.values())


@dataclass(frozen=True)
class PivotQuery:
    """Schools × school years for one metric of one procedure, subject and grade.

    ``grade`` None pools a school's grades (a school over its grades).
    ``years`` None takes every year with results.  ``group_year`` is the
    year whose group ``group`` filters by (default: the last year shown).
    """

    procedure: str
    subject: str
    grade: int | None
    metric: str
    years: tuple[int, ...] | None = None
    search: str = ""
    group: str | None = None
    group_year: int | None = None


@dataclass(frozen=True)
class PivotRow:
    """A school's values of the metric, one per year of the pivot (None: no data)."""

    school_id: int
    code: str
    school: str
    group_code: str
    values: tuple[float | None, ...]
    counts: tuple[Counts | None, ...]


@dataclass(frozen=True)
class Pivot:
    """The pivot: its years, the schools' rows and the pooled district row."""

    query: PivotQuery
    years: tuple[int, ...]
    rows: tuple[PivotRow, ...]
    district: tuple[float | None, ...]
    district_counts: tuple[Counts, ...] = field(default=())


@dataclass(frozen=True)
class Series:
    """What the two-year chart draws: each school's counts by year and the district's."""

    title_key: tuple[str, str, int]
    years: tuple[int, ...]
    schools: tuple[tuple[int, str, Mapping[int, Counts]], ...]
    district: Mapping[int, Counts]


class ResultsRepository:
    """Queries and writes of assessment results."""

    def __init__(self, log: ChangeLog) -> None:
        self.log = log

    @property
    def conn(self) -> sqlite3.Connection:
        """The connection this thread reads with."""
        return self.log.reader()

    # --- choices ------------------------------------------------------------------------
    def years(self) -> list[int]:
        """School years that have results, oldest first."""
        return [r[0] for r in self.conn.execute("SELECT DISTINCT year FROM assessment ORDER BY 1")]

    def procedures(self, year: int | None = None) -> list[str]:
        """Procedures with results (in a year), in the order of the schema."""
        sql = "SELECT DISTINCT procedure FROM assessment"
        found = {
            r[0]
            for r in (
                self.conn.execute(sql + " WHERE year = ?", (year,))
                if year is not None
                else self.conn.execute(sql)
            )
        }
        return [p for p in PROCEDURES if p in found]

    def subjects(self, procedure: str, year: int | None = None) -> list[str]:
        """Subjects of a procedure (in a year), alphabetically."""
        sql = "SELECT DISTINCT subject FROM assessment WHERE procedure = ?"
        params: tuple[Any, ...] = (procedure,)
        if year is not None:
            sql += " AND year = ?"
            params += (year,)
        return [r[0] for r in self.conn.execute(sql + " ORDER BY subject COLLATE RU", params)]

    def grades(self, procedure: str, subject: str, year: int | None = None) -> list[int]:
        """Grades with results of a procedure and subject (in a year)."""
        sql = "SELECT DISTINCT grade FROM assessment WHERE procedure = ? AND subject = ?"
        params: tuple[Any, ...] = (procedure, subject)
        if year is not None:
            sql += " AND year = ?"
            params += (year,)
        return [r[0] for r in self.conn.execute(sql + " ORDER BY grade", params)]

    # --- the results table --------------------------------------------------------------
    def _table_sql(self, query: ResultsQuery) -> tuple[str, dict[str, Any]]:
        join = "LEFT JOIN" if query.with_empty else "JOIN"
        sql = (
            " FROM school s"
            f" {join} assessment a ON a.school_id = s.id AND a.year = :year"
            " AND a.procedure = :procedure AND a.subject = :subject AND a.grade = :grade"
            " LEFT JOIN school_profile p ON p.school_id = s.id AND p.year = :year"
        )
        params: dict[str, Any] = {
            "year": query.year,
            "procedure": query.procedure,
            "subject": query.subject,
            "grade": query.grade,
        }
        conditions = []
        needle = fold(query.search)
        if needle:
            conditions.append(
                "(instr(s.name_fold, :needle) > 0 OR instr(fold(s.code), :needle) > 0)"
            )
            params["needle"] = needle
        if query.group:
            conditions.append("ifnull(p.group_code, 'none') = :group")
            params["group"] = query.group
        if conditions:
            sql += " WHERE " + " AND ".join(conditions)
        return sql, params

    def _order(self, query: ResultsQuery) -> str:
        key = query.sort_key
        if key in _COLUMN_ORDER:
            expression = _COLUMN_ORDER[key]
        elif key in METRIC_BY_KEY:
            columns = ", ".join(f"a.{c.strip()}" for c in COUNT_COLUMNS.split(","))
            expression = f"metric('{key}', {columns})"
        else:
            raise ValueError(key)
        direction = "DESC" if query.descending else "ASC"
        return f" ORDER BY {expression} {direction} NULLS LAST, fold(s.short_name), s.id"

    def rows(
        self, query: ResultsQuery, offset: int = 0, limit: int | None = None
    ) -> list[ResultRow]:
        """The rows of the results table, sorted and paged in SQL."""
        sql, params = self._table_sql(query)
        names = ", ".join(f"a.{name}" for name in COUNT_FIELDS)
        select = (
            "SELECT s.id AS school_id, s.code, s.short_name AS school, s.parent_id,"
            f" ifnull(p.group_code, 'none') AS group_code, a.id, {names}, a.source"
        )
        page = ""
        if limit is not None:
            page = " LIMIT :limit OFFSET :offset"
            params = {**params, "limit": limit, "offset": offset}
        return [
            ResultRow(**{k: r[k] for k in r.keys()})  # noqa: SIM118 (Row iterates values)
            for r in self.conn.execute(select + sql + self._order(query) + page, params)
        ]

    def count(self, query: ResultsQuery) -> int:
        """How many rows :meth:`rows` gives for the query."""
        sql, params = self._table_sql(query)
        return int(self.conn.execute("SELECT count(*)" + sql, params).fetchone()[0])

    def row(self, key: ResultKey) -> ResultRow | None:
        """The line of one school for a key (``id`` None when nothing is typed); None: no school."""
        names = ", ".join(f"a.{name}" for name in COUNT_FIELDS)
        found = self.conn.execute(
            "SELECT s.id AS school_id, s.code, s.short_name AS school, s.parent_id,"
            f" ifnull(p.group_code, 'none') AS group_code, a.id, {names}, a.source"
            " FROM school s"
            " LEFT JOIN assessment a ON a.school_id = s.id AND a.year = :year"
            " AND a.procedure = :procedure AND a.subject = :subject AND a.grade = :grade"
            " LEFT JOIN school_profile p ON p.school_id = s.id AND p.year = :year"
            " WHERE s.id = :school",
            {
                "year": key.year,
                "procedure": key.procedure,
                "subject": key.subject,
                "grade": key.grade,
                "school": key.school_id,
            },
        ).fetchone()
        return None if found is None else ResultRow(**{k: found[k] for k in found.keys()})  # noqa: SIM118

    def pooled(self, query: ResultsQuery) -> Counts:
        """The pooled counts of the rows the query selects (the district row when unfiltered)."""
        sql, params = self._table_sql(replace_query(query, with_empty=False))
        row = self.conn.execute(f"SELECT {_pooled_sql('a')}" + sql, params).fetchone()
        return _pooled_counts(row)

    # --- pooled counts for other areas (identification, indicators) -----------------------
    def _filter(
        self,
        year: int | Sequence[int],
        procedure: str | None,
        subject: str | None,
        grade: int | None,
        school_ids: Collection[int] | None,
    ) -> tuple[str, list[Any]]:
        years = [year] if isinstance(year, int) else list(year)
        conditions = [f"year IN ({','.join('?' for _ in years)})"]
        params: list[Any] = list(years)
        for column, value in (("procedure", procedure), ("subject", subject), ("grade", grade)):
            if value is not None:
                conditions.append(f"{column} = ?")
                params.append(value)
        if school_ids is not None:
            ids = sorted(school_ids)
            conditions.append(f"school_id IN ({','.join('?' for _ in ids)})")
            params.extend(ids)
        return " WHERE " + " AND ".join(conditions), params

    def school_counts(
        self,
        year: int,
        procedure: str | None = None,
        subject: str | None = None,
        grade: int | None = None,
        school_ids: Collection[int] | None = None,
    ) -> dict[int, Counts]:
        """Each school's counts pooled over the rows that match (None: any)."""
        where, params = self._filter(year, procedure, subject, grade, school_ids)
        return {
            int(r["school_id"]): _pooled_counts(r)
            for r in self.conn.execute(
                f"SELECT school_id, {_POOLED} FROM assessment{where} GROUP BY school_id", params
            )
        }

    def district_counts(
        self,
        year: int,
        procedure: str | None = None,
        subject: str | None = None,
        grade: int | None = None,
        school_ids: Collection[int] | None = None,
    ) -> Counts:
        """The counts pooled over every school's matching rows (or over ``school_ids``)."""
        where, params = self._filter(year, procedure, subject, grade, school_ids)
        row = self.conn.execute(f"SELECT {_POOLED} FROM assessment{where}", params).fetchone()
        return _pooled_counts(row)

    # --- pivot and series ---------------------------------------------------------------
    def _cells(
        self,
        procedure: str,
        subject: str,
        grade: int | None,
        years: Sequence[int] | None,
        school_ids: Collection[int] | None = None,
    ) -> tuple[tuple[int, ...], dict[tuple[int, int], Counts]]:
        conditions = ["procedure = ?", "subject = ?"]
        params: list[Any] = [procedure, subject]
        if grade is not None:
            conditions.append("grade = ?")
            params.append(grade)
        if years is not None:
            conditions.append(f"year IN ({','.join('?' for _ in years)})")
            params.extend(years)
        if school_ids is not None:
            ids = sorted(school_ids)
            conditions.append(f"school_id IN ({','.join('?' for _ in ids)})")
            params.extend(ids)
        cells = {
            (int(r["school_id"]), int(r["year"])): _pooled_counts(r)
            for r in self.conn.execute(
                f"SELECT school_id, year, {_POOLED} FROM assessment"
                f" WHERE {' AND '.join(conditions)} GROUP BY school_id, year",
                params,
            )
        }
        shown = tuple(sorted(years if years is not None else {y for _, y in cells}))
        return shown, cells

    def pivot(self, query: PivotQuery) -> Pivot:
        """Schools × years of one metric, with the district pooled per year."""
        metric = METRIC_BY_KEY[query.metric]
        years, cells = self._cells(query.procedure, query.subject, query.grade, query.years)
        group_year = (
            query.group_year if query.group_year is not None else (years[-1] if years else 0)
        )
        conditions = [
            "s.id IN (SELECT DISTINCT school_id FROM assessment WHERE procedure = :p"
            " AND subject = :s" + (" AND grade = :g" if query.grade is not None else "") + ")"
        ]
        params: dict[str, Any] = {
            "p": query.procedure,
            "s": query.subject,
            "g": query.grade,
            "gy": group_year,
        }
        needle = fold(query.search)
        if needle:
            conditions.append(
                "(instr(s.name_fold, :needle) > 0 OR instr(fold(s.code), :needle) > 0)"
            )
            params["needle"] = needle
        if query.group:
            conditions.append("ifnull(p.group_code, 'none') = :group")
            params["group"] = query.group
        schools = self.conn.execute(
            "SELECT s.id, s.code, s.short_name, ifnull(p.group_code, 'none') AS group_code"
            " FROM school s LEFT JOIN school_profile p ON p.school_id = s.id AND p.year = :gy"
            f" WHERE {' AND '.join(conditions)} ORDER BY fold(s.short_name), s.id",
            params,
        ).fetchall()
        rows = []
        for s in schools:
            counts = tuple(cells.get((int(s["id"]), y)) for y in years)
            rows.append(
                PivotRow(
                    school_id=int(s["id"]),
                    code=s["code"],
                    school=s["short_name"],
                    group_code=s["group_code"],
                    values=tuple(None if c is None else metric.compute(c) for c in counts),
                    counts=counts,
                )
            )
        shown_ids = {r.school_id for r in rows}
        district_counts = tuple(
            _pool_cells(cells, year, shown_ids if (needle or query.group) else None)
            for year in years
        )
        return Pivot(
            query=query,
            years=years,
            rows=tuple(rows),
            district=tuple(metric.compute(c) for c in district_counts),
            district_counts=district_counts,
        )

    def series(
        self,
        procedure: str,
        subject: str,
        grade: int | None,
        years: Sequence[int],
        school_ids: Collection[int] | None = None,
    ) -> Series:
        """Each school's counts by year (only the years asked) and the district's."""
        shown, cells = self._cells(procedure, subject, grade, years, school_ids)
        ids = sorted({school for school, _ in cells})
        names = {
            int(r[0]): (r[1], r[2])
            for r in self.conn.execute(
                f"SELECT id, short_name, fold(short_name) FROM school"
                f" WHERE id IN ({','.join('?' for _ in ids)})",
                ids,
            )
        }
        schools = tuple(
            (
                school_id,
                names[school_id][0],
                {y: cells[(school_id, y)] for y in shown if (school_id, y) in cells},
            )
            for school_id in sorted(ids, key=lambda i: (names[i][1], i))
        )
        district = {year: self.district_counts(year, procedure, subject, grade) for year in shown}
        return Series((procedure, subject, grade or 0), shown, schools, district)

    # --- writing ------------------------------------------------------------------------
    def check(self, key: ResultKey, values: Mapping[str, Any]) -> list[FieldIssue]:
        """Preview: the issues of writing ``values`` for ``key``, without writing.

        A value that would be refused gives an error issue (the first of its
        row); figures that disagree give warnings.
        """
        clean: dict[str, Any] = {}
        for name, value in values.items():
            try:
                clean[name] = check_value(_SPEC_BY_NAME[name], value)
            except InvalidValueError as exc:
                return [
                    FieldIssue(
                        exc.issue.field, exc.issue.code, "error", exc.issue.args, "assessment"
                    )
                ]
        stored = self.row(key)
        merged = {
            **(stored.values() if stored is not None and stored.id is not None else {}),
            **clean,
        }
        return result_warnings(merged)

    def save(self, key: ResultKey, values: Mapping[str, Any], label: str) -> ChangeSetInfo | None:
        """Write counts of one result, creating the row when none is typed yet.

        A new row needs its participants (the table's required field).
        Returns what changed, None when nothing did.
        """
        unknown = set(values) - set(COUNT_FIELDS)
        if unknown:
            raise KeyError(sorted(unknown)[0])
        with self.log.change_set(label) as cs:
            stored = self.row(key)
            if stored is None:
                raise RecordNotFoundError("school", key.school_id)
            if stored.id is None:
                cs.insert(
                    "assessment",
                    {
                        "school_id": key.school_id,
                        "year": key.year,
                        "procedure": key.procedure,
                        "subject": key.subject,
                        "grade": key.grade,
                        "source": "manual",
                        **values,
                    },
                )
            else:
                changes = dict(values)
                if stored.source != "manual":
                    changes["source"] = "manual"  # typed over: no longer generated or imported
                cs.update("assessment", stored.id, changes)
        return cs.info

    def remove(self, result_id: int, label: str) -> ChangeSetInfo:
        """Delete one result row."""
        if self.log.read_row("assessment", result_id) is None:
            raise RecordNotFoundError("assessment", result_id)
        with self.log.change_set(label) as cs:
            cs.delete("assessment", result_id)
        assert cs.info is not None
        return cs.info

    def history(self, result_id: int, column: str) -> list[Any]:
        """The recorded changes of one count of a result."""
        return self.log.field_history("assessment", result_id, column)


def replace_query(query: ResultsQuery, **changes: Any) -> ResultsQuery:
    """A copy of the query with some fields changed."""
    values = {f.name: getattr(query, f.name) for f in fields(query)}
    values.update(changes)
    return ResultsQuery(**values)


def _pool_cells(
    cells: Mapping[tuple[int, int], Counts], year: int, school_ids: Collection[int] | None
) -> Counts:
    return pool(
        c
        for (school, y), c in cells.items()
        if y == year and (school_ids is None or school in school_ids)
    )
