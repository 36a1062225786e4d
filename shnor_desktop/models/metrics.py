"""The metrics of assessment results (DESIGN.md §2, «Metrics»: a contract).

One place computes every figure an official signs: for one result row and for
a group of rows (a district, a group of schools, a school over its grades).
A group is **pooled from the counts** — the sums of pupils and marks — never a
mean of the schools' percentages.  Where a denominator is 0 or a count is
missing the metric is ``None`` (no data), never 0 and never an exception.

Shares are in percent and unrounded; the screens and reports round them to
one decimal.  The same Python functions serve SQL: :func:`register_sql` adds
them to a connection, so a repository sorts by a metric without a second copy
of its formula.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, fields
from typing import Any, Final

# Weights of the marks «5», «4», «3», «2» in СОУ («степень обученности учащихся»).
SOU_WEIGHTS: Final = (1.0, 0.64, 0.36, 0.16)


@dataclass(frozen=True, slots=True)
class Counts:
    """The counts of one result row, or the pooled counts of a group of rows.

    ``None`` means the count is not known.  The marks «2»–«5» are always
    known for a stored row (the schema keeps 0 by default).
    """

    due: int | None = None
    participants: int | None = None
    n2: int | None = 0
    n3: int | None = 0
    n4: int | None = 0
    n5: int | None = 0
    below_minimum: int | None = None
    lowered: int | None = None
    confirmed: int | None = None
    raised: int | None = None
    score_sum: float | None = None
    """Sum of the mean scores weighted by participants (mean score × participants)."""
    rows: int = 1
    """How many result rows were pooled into these counts."""

    @classmethod
    def of_row(cls, row: Mapping[str, Any]) -> Counts:
        """The counts of an ``assessment`` row (a mapping with its column names)."""
        participants = row.get("participants")
        mean = row.get("mean_score")
        return cls(
            due=row.get("pupils_due"),
            participants=participants,
            n2=row.get("n2"),
            n3=row.get("n3"),
            n4=row.get("n4"),
            n5=row.get("n5"),
            below_minimum=row.get("below_minimum"),
            lowered=row.get("vpr_lowered"),
            confirmed=row.get("vpr_confirmed"),
            raised=row.get("vpr_raised"),
            score_sum=None if mean is None or participants is None else mean * participants,
        )

    @property
    def marked(self) -> int | None:
        """n2 + n3 + n4 + n5: the pupils with a mark (None when a mark count is missing)."""
        return _sum(self.n2, self.n3, self.n4, self.n5)

    @property
    def compared(self) -> int | None:
        """ВПР pupils whose mark was compared with the journal: lowered + confirmed + raised."""
        return _sum(self.lowered, self.confirmed, self.raised)


def _sum(*values: int | None) -> int | None:
    total = 0
    for value in values:
        if value is None:
            return None
        total += value
    return total


def _share(part: float | None, whole: float | None) -> float | None:
    """part / whole × 100; None when either is missing or the whole is 0."""
    if part is None or whole is None or whole == 0:
        return None
    return part / whole * 100.0


def pool(rows: Iterable[Counts]) -> Counts:
    """The pooled counts of a group of rows: every count summed.

    A count missing in any row is missing in the pool (a district share over
    the schools that reported would silently be another district's share).
    The pool of no rows (``rows == 0``) adds nothing to a pool of pools: a
    school without results must not blank the district's counts.
    """
    totals: dict[str, Any] = {}
    n = 0
    names = [f.name for f in fields(Counts) if f.name != "rows"]
    for counts in rows:
        if counts.rows == 0:
            continue  # an empty group's pool: its None counts mean "no rows", not "missing"
        n += counts.rows
        for name in names:
            value = getattr(counts, name)
            if name not in totals:
                totals[name] = value
            elif totals[name] is not None:
                totals[name] = None if value is None else totals[name] + value
    if n == 0:
        return Counts(participants=0, rows=0)
    return Counts(**totals, rows=n)


# --- the formulas of DESIGN.md §2 -------------------------------------------------------------
def participation(c: Counts) -> float | None:
    """participants / due × 100."""
    return _share(c.participants, c.due)


def success(c: Counts) -> float | None:
    """Успеваемость: (n3 + n4 + n5) / N × 100."""
    return _share(_sum(c.n3, c.n4, c.n5), c.participants)


def quality(c: Counts) -> float | None:
    """Качество знаний: (n4 + n5) / N × 100."""
    return _share(_sum(c.n4, c.n5), c.participants)


def failed(c: Counts) -> float | None:
    """Не справились: n2 / N × 100."""
    return _share(c.n2, c.participants)


def mean_mark(c: Counts) -> float | None:
    """Средняя отметка: (2·n2 + 3·n3 + 4·n4 + 5·n5) / N."""
    if c.n2 is None or c.n3 is None or c.n4 is None or c.n5 is None:
        return None
    if not c.participants:
        return None
    return (2 * c.n2 + 3 * c.n3 + 4 * c.n4 + 5 * c.n5) / c.participants


def sou(c: Counts) -> float | None:
    """СОУ: (n5 + 0,64·n4 + 0,36·n3 + 0,16·n2) / N × 100."""
    if c.n2 is None or c.n3 is None or c.n4 is None or c.n5 is None:
        return None
    w5, w4, w3, w2 = SOU_WEIGHTS
    return _share(w5 * c.n5 + w4 * c.n4 + w3 * c.n3 + w2 * c.n2, c.participants)


def vpr_lowered(c: Counts) -> float | None:
    """ВПР: the share of the compared pupils whose mark was below their journal mark."""
    return _share(c.lowered, c.compared)


def vpr_confirmed(c: Counts) -> float | None:
    """ВПР: the share of the compared pupils who confirmed their journal mark."""
    return _share(c.confirmed, c.compared)


def vpr_raised(c: Counts) -> float | None:
    """ВПР: the share of the compared pupils whose mark was above their journal mark."""
    return _share(c.raised, c.compared)


def below_minimum(c: Counts) -> float | None:
    """ОГЭ/ЕГЭ: the share of the participants below the minimum threshold."""
    return _share(c.below_minimum, c.participants)


def mean_score(c: Counts) -> float | None:
    """ОГЭ/ЕГЭ: the mean score, pooled weighted by participants."""
    if c.score_sum is None or not c.participants:
        return None
    return c.score_sum / c.participants


def change(before: float | None, after: float | None) -> float | None:
    """The change between two years (after − before), in п.п. for shares; None if one is missing."""
    if before is None or after is None:
        return None
    return after - before


@dataclass(frozen=True, slots=True)
class Metric:
    """A metric the screens offer: its key, label, unit, direction and formula."""

    key: str
    label: str
    """Russian label (a source string of the translation context «metrics»)."""
    short: str
    """Short column header."""
    unit: str
    """«%» for shares (their change is in п.п.), «» for marks and scores."""
    higher_is_better: bool
    compute: Callable[[Counts], float | None]

    def better(self, delta: float | None) -> bool | None:
        """True when a change ``delta`` is an improvement, False when worse, None when none."""
        if delta is None or delta == 0:
            return None
        return (delta > 0) == self.higher_is_better


METRICS: Final[tuple[Metric, ...]] = (
    Metric("participation", "Доля участников", "Участие, %", "%", True, participation),
    Metric("success", "Успеваемость", "Успев., %", "%", True, success),
    Metric("quality", "Качество знаний", "Кач., %", "%", True, quality),
    Metric("failed", "Не справились", "«2», %", "%", False, failed),
    Metric("mean_mark", "Средняя отметка", "Ср. отм.", "", True, mean_mark),
    Metric("sou", "СОУ", "СОУ, %", "%", True, sou),
    Metric("mean_score", "Средний балл", "Ср. балл", "", True, mean_score),
    Metric("below_minimum", "Ниже минимального порога", "Ниже мин., %", "%", False, below_minimum),
    Metric("vpr_lowered", "Понизили отметку (ВПР)", "Понизили, %", "%", False, vpr_lowered),
    Metric("vpr_confirmed", "Подтвердили отметку (ВПР)", "Подтв., %", "%", True, vpr_confirmed),
    Metric("vpr_raised", "Повысили отметку (ВПР)", "Повысили, %", "%", False, vpr_raised),
)
METRIC_BY_KEY: Final[Mapping[str, Metric]] = {m.key: m for m in METRICS}


def compute(key: str, counts: Counts) -> float | None:
    """The value of the metric ``key`` for these counts."""
    return METRIC_BY_KEY[key].compute(counts)


def all_metrics(counts: Counts) -> dict[str, float | None]:
    """Every metric of these counts, by key."""
    return {m.key: m.compute(counts) for m in METRICS}


# --- SQL ------------------------------------------------------------------------------------
# The SQL function takes the columns of Counts in this order (pooled sums or a
# row's own columns), so ``ORDER BY metric('quality', <COUNT_COLUMNS>)`` sorts
# by exactly the formula the screens show.
COUNT_COLUMNS: Final = (
    "pupils_due, participants, n2, n3, n4, n5, below_minimum, "
    "vpr_lowered, vpr_confirmed, vpr_raised, mean_score * participants"
)


def _sql_metric(key: str, *values: Any) -> float | None:
    metric = METRIC_BY_KEY.get(key)
    if metric is None:
        return None
    return metric.compute(Counts(*values))


def register_sql(conn: sqlite3.Connection) -> None:
    """Add ``metric(key, <COUNT_COLUMNS>)`` to a connection (deterministic)."""
    conn.create_function("metric", 12, _sql_metric, deterministic=True)
