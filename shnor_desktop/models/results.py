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
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from functools import cached_property
from typing import Any, Final

from shnor_desktop.models.assessments import ASSESSMENT_FIELDS, result_warnings
from shnor_desktop.models.changelog import ChangeLog, ChangeSetInfo
from shnor_desktop.models.errors import RecordNotFoundError
from shnor_desktop.models.fields import FieldIssue, InvalidValueError, check_value
from shnor_desktop.models.metrics import COUNT_COLUMNS, METRIC_BY_KEY, Counts, change
from shnor_desktop.models.schema import PROCEDURES
from shnor_desktop.models.schools import school_filter_sql

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


# Columns NOT NULL in the schema: their plain sum is already the pooled count.
_NOT_NULL: Final = frozenset({"participants", "n2", "n3", "n4", "n5"})
_POOLED_WIDTH: Final = len(_SUMMED) + 2  # the sums, score_sum and n_rows: the fields of Counts


def _pooled_sql(alias: str = "") -> str:
    """The SELECT list of pooled counts over the rows of ``assessment`` (aliased or not).

    A count missing in one row makes the pooled count missing (see
    ``metrics.pool``); ``n_rows`` counts the result rows (a LEFT JOIN gives
    none for a school without results).  The columns come in the order of
    the fields of :class:`Counts`, so a row turns into one positionally.
    """
    a = f"{alias}." if alias else ""
    rows = f"count({a}id)"
    sums = ", ".join(
        f"sum({a}{c}) AS {c}"
        if c in _NOT_NULL
        else f"CASE WHEN count({a}{c}) = {rows} THEN sum({a}{c}) END AS {c}"
        for c in _SUMMED
    )
    score = f"CASE WHEN count({a}mean_score) = {rows} THEN sum({a}mean_score * {a}participants) END"
    return f"{sums}, {score} AS score_sum, {rows} AS n_rows"


_POOLED: Final = _pooled_sql()
_POOLED_A: Final = _pooled_sql("a")

# Aggregations over many rows read them school by school: each school's rows of
# a year (and procedure …) are one range of the unique index (school_id, year,
# procedure, subject, grade), and rows typed or imported together lie together
# in the table.  Measured on 2 million rows (bench/results.py): a year pooled
# per school 150 ms this way, 450 ms through the year index (random reads and
# a sort for the GROUP BY).  CROSS JOIN keeps SQLite from reordering the loop.
_BY_SCHOOL: Final = " FROM school s CROSS JOIN assessment a ON a.school_id = s.id"


def _pooled_counts(row: sqlite3.Row | tuple[Any, ...], offset: int | None = None) -> Counts:
    """Counts from a row whose ``_POOLED`` columns start at ``offset`` (by default: the last 12)."""
    start = len(row) - _POOLED_WIDTH if offset is None else offset
    values = row[start : start + _POOLED_WIDTH]
    if not values[-1]:
        return Counts(participants=0, rows=0)
    return Counts(*values)


def _pool_tuples(rows: Iterable[Sequence[Any]]) -> Counts:
    """Pool raw ``_POOLED`` tuples (the fields of Counts) column by column, in C."""
    columns = list(zip(*rows, strict=True))
    if not columns or not sum(columns[-1]):
        return Counts(participants=0, rows=0)
    pooled: list[Any] = [None if None in column else sum(column) for column in columns]
    return Counts(*pooled)


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

    @cached_property
    def counts(self) -> Counts:
        """The counts of the row (for the formulas of models/metrics.py); computed once."""
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


VPR: Final = "ВПР"
EXAMS: Final = ("ОГЭ", "ЕГЭ", "ГВЭ")
"""Procedures with a score and a minimum threshold (compared with the district mean)."""


@dataclass(frozen=True)
class ObjectivityQuery:
    """ВПР objectivity of a school year: one subject and grade, or pooled over them (None).

    ``threshold`` is the share in percent (the setting
    :data:`~shnor_desktop.models.settings.OBJECTIVITY_THRESHOLD`) that the
    share of lowered or of raised marks must pass to flag a school.
    """

    year: int
    subject: str | None = None
    grade: int | None = None
    threshold: float = 40.0
    search: str = ""
    group: str | None = None


@dataclass(frozen=True)
class ObjectivityRow:
    """A school's ВПР marks compared with its journal marks, pooled over the rows asked.

    Only rows with all three comparison counts are pooled: a row without the
    comparison has no pupils compared, so it changes none of the shares.
    ``school_id`` 0 is the district's row.
    """

    school_id: int
    code: str
    school: str
    group_code: str
    counts: Counts
    lowered: float | None
    confirmed: float | None
    raised: float | None
    threshold: float

    @property
    def lowered_flag(self) -> bool:
        """True when the share of lowered marks passes the threshold."""
        return self.lowered is not None and self.lowered > self.threshold

    @property
    def raised_flag(self) -> bool:
        """True when the share of raised marks passes the threshold."""
        return self.raised is not None and self.raised > self.threshold

    @property
    def flagged(self) -> bool:
        """True when the school's marks look unobjective (lowered or raised past the threshold)."""
        return self.lowered_flag or self.raised_flag


@dataclass(frozen=True)
class Objectivity:
    """The objectivity table: the schools' rows and the district pooled the same way."""

    query: ObjectivityQuery
    rows: tuple[ObjectivityRow, ...]
    district: ObjectivityRow

    @property
    def flagged(self) -> tuple[ObjectivityRow, ...]:
        """The flagged schools."""
        return tuple(r for r in self.rows if r.flagged)


@dataclass(frozen=True)
class ExamQuery:
    """ОГЭ / ЕГЭ / ГВЭ of a year and subject (one grade, or every grade pooled: None)."""

    year: int
    procedure: str
    subject: str
    grade: int | None = None
    search: str = ""
    group: str | None = None


@dataclass(frozen=True)
class ExamRow:
    """A school's exam against the district: its mean score and share below the minimum.

    ``difference`` is the school's mean score minus the district's (None
    without a score); the district's row has ``school_id`` 0.
    """

    school_id: int
    code: str
    school: str
    group_code: str
    counts: Counts
    mean_score: float | None
    below_minimum: float | None
    difference: float | None

    @property
    def below_district(self) -> bool:
        """True when the school's mean score is below the district mean."""
        return self.difference is not None and self.difference < 0


@dataclass(frozen=True)
class ExamComparison:
    """The schools' exam rows and the district's (every school, whatever the filter)."""

    query: ExamQuery
    rows: tuple[ExamRow, ...]
    district: ExamRow

    @property
    def below_district_share(self) -> float | None:
        """The share of the schools with a score whose mean is below the district mean, %."""
        scored = [r for r in self.rows if r.difference is not None]
        if not scored:
            return None
        return sum(r.below_district for r in scored) / len(scored) * 100.0


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
        # A loose index scan: one seek of the year index per year, not a pass over
        # the millions of rows a region keeps.
        return [
            r[0]
            for r in self.conn.execute(
                "WITH RECURSIVE y(v) AS (SELECT min(year) FROM assessment"
                " UNION ALL SELECT (SELECT min(year) FROM assessment WHERE year > v)"
                " FROM y WHERE v IS NOT NULL) SELECT v FROM y WHERE v IS NOT NULL"
            )
        ]

    def default_year(self) -> int | None:
        """The school year to show first: the latest with results not wholly generated."""
        years = self.years()
        for year in reversed(years):  # a year's first real row ends the search (no full scan)
            if self.conn.execute(
                "SELECT 1 FROM assessment WHERE year = ? AND source <> 'generated' LIMIT 1",
                (year,),
            ).fetchone():
                return year
        return years[-1] if years else None

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
        conditions, filter_params = school_filter_sql(query.search, query.group)
        params.update(filter_params)
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
        """FROM … WHERE of the rows that match, read school by school (see ``_BY_SCHOOL``)."""
        years = [year] if isinstance(year, int) else list(year)
        conditions = [f"a.year IN ({','.join('?' for _ in years)})"]
        params: list[Any] = list(years)
        for column, value in (("procedure", procedure), ("subject", subject), ("grade", grade)):
            if value is not None:
                conditions.append(f"a.{column} = ?")
                params.append(value)
        if school_ids is not None:
            ids = sorted(school_ids)
            conditions.append(f"s.id IN ({','.join('?' for _ in ids)})")
            params.extend(ids)
        return _BY_SCHOOL + " WHERE " + " AND ".join(conditions), params

    def school_counts(
        self,
        year: int,
        procedure: str | None = None,
        subject: str | None = None,
        grade: int | None = None,
        school_ids: Collection[int] | None = None,
    ) -> dict[int, Counts]:
        """Each school's counts pooled over the rows that match (None: any)."""
        sql, params = self._filter(year, procedure, subject, grade, school_ids)
        return {
            int(r[0]): _pooled_counts(r)
            for r in self.conn.execute(f"SELECT s.id, {_POOLED_A}{sql} GROUP BY s.id", params)
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
        sql, params = self._filter(year, procedure, subject, grade, school_ids)
        row = self.conn.execute(f"SELECT {_POOLED_A}{sql}", params).fetchone()
        return _pooled_counts(row)

    # --- pivot and series ---------------------------------------------------------------
    def _cells(
        self,
        procedure: str,
        subject: str,
        grade: int | None,
        years: Sequence[int] | None,
        school_ids: Collection[int] | None = None,
    ) -> tuple[tuple[int, ...], dict[tuple[int, int], tuple[Any, ...]]]:
        """The pooled counts of each school and year, as raw tuples of the fields of Counts."""
        # The years listed let the school-first scan seek (school, year, procedure,
        # subject[, grade]) in the unique index instead of reading whole schools.
        listed = list(years) if years is not None else self.years()
        if not listed:
            return (), {}
        conditions = [
            f"a.year IN ({','.join('?' for _ in listed)})",
            "a.procedure = ?",
            "a.subject = ?",
        ]
        params: list[Any] = [*listed, procedure, subject]
        if grade is not None:
            conditions.append("a.grade = ?")
            params.append(grade)
        if school_ids is not None:
            ids = sorted(school_ids)
            conditions.append(f"s.id IN ({','.join('?' for _ in ids)})")
            params.extend(ids)
        # One grade of every school: the range of (procedure, subject, grade) in
        # ``assessment_series`` is read in one pass (75 ms against 112 ms school by
        # school at region scale); every grade: school by school is faster (172
        # against 233 ms), as the range then holds ten grades' rows to group.
        source = " FROM assessment a" if grade is not None and school_ids is None else _BY_SCHOOL
        school = "a.school_id" if source == " FROM assessment a" else "s.id"
        # Tuples, not Counts: at region scale the pivot pools 15,000 cells per
        # query, and pooling tuples column by column runs in C (see _pool_tuples).
        cells = {
            (r[0], r[1]): r[2:]
            for r in self.conn.execute(
                f"SELECT {school}, a.year, {_POOLED_A}{source}"
                f" WHERE {' AND '.join(conditions)} GROUP BY {school}, a.year",
                params,
            )
        }
        shown = tuple(sorted(years if years is not None else {y for _, y in cells}))
        return shown, cells

    def pivot(self, query: PivotQuery) -> Pivot:
        """Schools × years of one metric, with the district pooled per year.

        The schools are those with results in the years shown; with a search
        or a group filter the district row pools the schools shown.
        """
        metric = METRIC_BY_KEY[query.metric]
        years, cells = self._cells(query.procedure, query.subject, query.grade, query.years)
        group_year = (
            query.group_year if query.group_year is not None else (years[-1] if years else 0)
        )
        filters, params = school_filter_sql(query.search, query.group)
        params["gy"] = group_year
        conditions = ["1", *filters]
        with_results = {school for school, _ in cells}
        schools = [
            s
            for s in self.conn.execute(
                "SELECT s.id, s.code, s.short_name, ifnull(p.group_code, 'none') AS group_code"
                " FROM school s LEFT JOIN school_profile p ON p.school_id = s.id AND p.year = :gy"
                f" WHERE {' AND '.join(conditions)} ORDER BY fold(s.short_name), s.id",
                params,
            )
            if s[0] in with_results
        ]
        compute = metric.compute
        rows = []
        for s in schools:
            raw = [cells.get((s[0], y)) for y in years]
            counts = tuple(None if c is None else Counts(*c) for c in raw)
            rows.append(
                PivotRow(
                    school_id=int(s[0]),
                    code=s[1],
                    school=s[2],
                    group_code=s[3],
                    values=tuple(None if c is None else compute(c) for c in counts),
                    counts=counts,
                )
            )
        shown_ids = {r.school_id for r in rows} if filters else None
        by_year: dict[int, list[tuple[Any, ...]]] = {year: [] for year in years}
        for (school, year), raw_counts in cells.items():
            if shown_ids is None or school in shown_ids:
                by_year[year].append(raw_counts)
        district_counts = tuple(_pool_tuples(by_year[year]) for year in years)
        return Pivot(
            query=query,
            years=years,
            rows=tuple(rows),
            district=tuple(compute(c) for c in district_counts),
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
                {y: Counts(*cells[(school_id, y)]) for y in shown if (school_id, y) in cells},
            )
            for school_id in sorted(ids, key=lambda i: (names[i][1], i))
        )
        if school_ids is None:
            # Every school's cells are here already: the district is their pool.
            district = {
                year: _pool_tuples(c for (_, y), c in cells.items() if y == year) for year in shown
            }
        else:
            district = {
                year: self.district_counts(year, procedure, subject, grade) for year in shown
            }
        return Series((procedure, subject, grade or 0), shown, schools, district)

    # --- ВПР objectivity and the exams against the district -------------------------------
    def _school_rows(
        self,
        conditions: list[str],
        params: dict[str, Any],
        search: str,
        group: str | None,
        by_school: bool,
    ) -> list[sqlite3.Row]:
        """Pooled counts of the ``assessment a`` rows that match, per school or in all."""
        conditions = list(conditions)
        params = dict(params)
        if not by_school:
            return self.conn.execute(
                f"SELECT {_POOLED_A}{_BY_SCHOOL} WHERE {' AND '.join(conditions)}", params
            ).fetchall()
        # The search goes inside, on the schools' rows; the group outside, on the pooled rows.
        found, search_params = school_filter_sql(search, None)
        conditions.extend(found)
        params.update(search_params)
        grouped, group_params = school_filter_sql("", group)
        outer = f" WHERE {grouped[0]}" if grouped else ""
        params.update(group_params)
        # Pool first, then name the schools and their groups (one profile per school,
        # not one per result row).
        pooled = ", ".join(f"g.{c}" for c in (*_SUMMED, "score_sum", "n_rows"))
        return self.conn.execute(
            "SELECT s.id AS school_id, s.code, s.short_name AS school,"
            f" ifnull(p.group_code, 'none') AS group_code, {pooled}"
            f" FROM (SELECT s.id AS sid, {_POOLED_A}{_BY_SCHOOL}"
            f" WHERE {' AND '.join(conditions)} GROUP BY s.id) g"
            " JOIN school s ON s.id = g.sid"
            " LEFT JOIN school_profile p ON p.school_id = s.id AND p.year = :year"
            f"{outer} ORDER BY fold(s.short_name), s.id",
            params,
        ).fetchall()

    def objectivity(self, query: ObjectivityQuery) -> Objectivity:
        """ВПР marks against journal marks per school, flagged past the threshold.

        The shares are the metrics of models/metrics.py over the pooled counts
        of the rows that carry the comparison (one subject and grade, or all).
        """
        conditions = [
            "a.year = :year",
            "a.procedure = :procedure",
            "a.vpr_lowered IS NOT NULL",
            "a.vpr_confirmed IS NOT NULL",
            "a.vpr_raised IS NOT NULL",
        ]
        params: dict[str, Any] = {"year": query.year, "procedure": VPR}
        if query.subject is not None:
            conditions.append("a.subject = :subject")
            params["subject"] = query.subject
        if query.grade is not None:
            conditions.append("a.grade = :grade")
            params["grade"] = query.grade

        def made(
            school_id: int, code: str, school: str, group: str, counts: Counts
        ) -> ObjectivityRow:
            return ObjectivityRow(
                school_id,
                code,
                school,
                group,
                counts,
                lowered=METRIC_BY_KEY["vpr_lowered"].compute(counts),
                confirmed=METRIC_BY_KEY["vpr_confirmed"].compute(counts),
                raised=METRIC_BY_KEY["vpr_raised"].compute(counts),
                threshold=query.threshold,
            )

        rows = tuple(
            made(r["school_id"], r["code"], r["school"], r["group_code"], _pooled_counts(r))
            for r in self._school_rows(conditions, params, query.search, query.group, True)
        )
        (total,) = self._school_rows(conditions, params, "", None, False)
        return Objectivity(query, rows, made(0, "", "", "", _pooled_counts(total)))

    def exam_comparison(self, query: ExamQuery) -> ExamComparison:
        """Each school's mean score against the district mean, and its share below the minimum."""
        conditions = ["a.year = :year", "a.procedure = :procedure", "a.subject = :subject"]
        params: dict[str, Any] = {
            "year": query.year,
            "procedure": query.procedure,
            "subject": query.subject,
        }
        if query.grade is not None:
            conditions.append("a.grade = :grade")
            params["grade"] = query.grade
        mean = METRIC_BY_KEY["mean_score"].compute
        below = METRIC_BY_KEY["below_minimum"].compute
        (total,) = self._school_rows(conditions, params, "", None, False)
        district_counts = _pooled_counts(total)
        district_mean = mean(district_counts)
        rows = []
        for r in self._school_rows(conditions, params, query.search, query.group, True):
            counts = _pooled_counts(r)
            score = mean(counts)
            rows.append(
                ExamRow(
                    r["school_id"],
                    r["code"],
                    r["school"],
                    r["group_code"],
                    counts,
                    mean_score=score,
                    below_minimum=below(counts),
                    difference=change(district_mean, score),
                )
            )
        district = ExamRow(
            0, "", "", "", district_counts, district_mean, below(district_counts), None
        )
        return ExamComparison(query, tuple(rows), district)

    # --- what a change set touched --------------------------------------------------------
    def keys_of(self, ids: Collection[int]) -> dict[int, ResultKey]:
        """The keys of result rows by id (ids of rows no longer there are left out)."""
        found: dict[int, ResultKey] = {}
        ordered = sorted(ids)
        for start in range(0, len(ordered), 500):
            part = ordered[start : start + 500]
            for r in self.conn.execute(
                "SELECT id, school_id, year, procedure, subject, grade FROM assessment"
                f" WHERE id IN ({','.join('?' for _ in part)})",
                part,
            ):
                found[int(r[0])] = ResultKey(int(r[1]), int(r[2]), r[3], r[4], int(r[5]))
        return found

    def rows_of_schools(self, query: ResultsQuery, school_ids: Collection[int]) -> list[ResultRow]:
        """The lines of some schools for the query's key (``id`` None where nothing is typed)."""
        key = (query.year, query.procedure, query.subject, query.grade)
        found = [self.row(ResultKey(school_id, *key)) for school_id in sorted(school_ids)]
        return [r for r in found if r is not None]

    def warning_rows(self, query: ResultsQuery) -> list[tuple[ResultRow, list[FieldIssue]]]:
        """Every row of the query whose figures disagree, with its warnings (all pages)."""
        found = []
        for row in self.rows(replace_query(query, with_empty=False, sort_key="school")):
            issues = row.warnings()
            if issues:
                found.append((row, issues))
        return found

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
        if (stored is None or stored.id is None) and clean.get("participants") is None:
            name = next(iter(clean), "participants")
            return [FieldIssue(name, "needs_participants", "error", (), "assessment")]
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
                if values.get("participants") is None:
                    # A row of results starts with its participants (the one required count).
                    name = next(iter(values), "participants")
                    raise InvalidValueError(
                        FieldIssue(name, "needs_participants", "error", (), "assessment")
                    )
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
