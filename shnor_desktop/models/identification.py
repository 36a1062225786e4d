"""Identification of the groups: rules that suggest each school's group, and why.

Every August the office sorts its schools into groups (seed 004: ШНОР, зона
риска, профилактика учебной неуспешности, высокие результаты) from the
results of the last years and the social context of the passports.  Here the
criteria are **data**, not code: a :class:`RuleSet` of :class:`Rule`\\ s, each
naming its target group, its priority and blocks of :class:`Condition`\\ s.
The rule set is a setting (``identification.rules``) written through the
change log, so a changed threshold is undone and shown in the history like
any other figure; :data:`DEFAULT_RULES` is the documented starting point.

A condition compares one measure of a school with a threshold:

* a result measure (a metric of ``models/metrics.py``: quality, success,
  failed, mean_score, below_minimum …) of a procedure (optionally one subject
  and one grade, else pooled over them), either as the value itself
  (``absolute``), as its difference from the district in п.п.
  (``district_diff``), its ratio to the district (``district_ratio``) or its
  change since the year before (``change``);
* a passport measure (sek_index, pct_low_income, distance_km, pupils_total …)
  as the value itself.

It must hold in each of ``years`` consecutive years (the latest first).  A
missing figure never holds: no data gives no fact, never a false one.  A
block holds when all its conditions hold, or at least ``at_least`` of them;
a rule holds when all its blocks hold (one block is the plain «all / any /
at least k» rule; two blocks say «weak results AND a hard context»).

:func:`suggest` evaluates the enabled rules in order of priority for every
school: the first rule that holds gives the suggested group, and the
conditions that held are its :class:`Fact`\\ s — figures, not text (the
Russian wording is ``services/identification.py``).  Reads are pooled SQL
(one query per procedure × subject × grade × year for all schools at once).
"""

from __future__ import annotations

import math
import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final, Literal, cast

from shnor_desktop.models.fields import FieldIssue, InvalidValueError
from shnor_desktop.models.metrics import METRIC_BY_KEY, Counts, pool
from shnor_desktop.models.schema import GROUP_CODES, PROCEDURES
from shnor_desktop.models.schools import PROFILE_FIELD_BY_NAME, SCHOOL_FIELD_BY_NAME
from shnor_desktop.models.settings import SettingSpec, declare
from shnor_desktop.models.text import fold

if TYPE_CHECKING:
    from shnor_desktop.models.database import Database
    from shnor_desktop.models.jobs import JobState

Compare = Literal["absolute", "district_diff", "district_ratio", "change"]
Op = Literal["<", "<=", ">", ">="]

COMPARES: Final[tuple[Compare, ...]] = ("absolute", "district_diff", "district_ratio", "change")
OPS: Final[tuple[Op, ...]] = ("<", "<=", ">", ">=")
RESULT_COMPARES: Final = frozenset(COMPARES)
PASSPORT_COMPARES: Final = frozenset({"absolute"})

RESULT_MEASURES: Final[tuple[str, ...]] = tuple(METRIC_BY_KEY)
"""Measures of assessment results: the metric keys of ``models/metrics.py``."""

PASSPORT_MEASURES: Final[tuple[str, ...]] = (
    "sek_index",
    "pct_low_income",
    "pct_incomplete_families",
    "pct_other_language",
    "pct_ovz",
    "distance_km",
    "pupils_total",
    "pupils_bused",
    "vacancies",
    "pct_teachers_65plus",
    "pct_teachers_two_rates",
    "internet_mbps",
    "project_500",
    "needs_capital_repair",
)
"""Measures of the passport (``distance_km`` is the school's, the rest the year's)."""

GROUP_TARGETS: Final = tuple(code for code in GROUP_CODES if code != "none")
MAX_YEARS: Final = 5
"""The most consecutive years a condition may ask for."""
MAX_RESULTS_OFFSET: Final = 3
SETTING_FIELD: Final = "identification.rules"
"""The field name the issues of a refused rule set carry."""

_SCHOOL_MEASURES: Final = frozenset({"distance_km"})


def measure_kind(measure: str) -> str:
    """«share», «count», «real», «flag» or «score» (a mark or points): what its figures are."""
    if measure in METRIC_BY_KEY:
        return "share" if METRIC_BY_KEY[measure].unit == "%" else "score"
    spec = SCHOOL_FIELD_BY_NAME.get(measure) or PROFILE_FIELD_BY_NAME.get(measure)
    if spec is None:
        raise KeyError(measure)
    return spec.kind


def is_result_measure(measure: str) -> bool:
    """True for a measure of assessment results (a metric), False for a passport one."""
    return measure in METRIC_BY_KEY


# --- the rules as data -----------------------------------------------------------------------
@dataclass(frozen=True)
class Condition:
    """One criterion: a measure compared with a threshold over consecutive years.

    ``procedure`` / ``subject`` / ``grade`` select the results (None: pooled
    over all subjects or grades); passport measures take none of them.
    ``min_participants``: a school with fewer participants in a year has no
    figure that year (a few pupils make a share say nothing).
    """

    measure: str
    threshold: float
    op: Op = "<="
    compare: Compare = "absolute"
    procedure: str | None = None
    subject: str | None = None
    grade: int | None = None
    years: int = 1
    min_participants: int = 0

    @property
    def is_result(self) -> bool:
        """True when the condition reads assessment results."""
        return is_result_measure(self.measure)

    def holds(self, figure: float) -> bool:
        """True when ``figure`` (the compared figure) passes the threshold."""
        t = self.threshold
        if self.op == "<":
            return figure < t
        if self.op == "<=":
            return figure <= t
        if self.op == ">":
            return figure > t
        return figure >= t


@dataclass(frozen=True)
class Block:
    """Conditions that hold together: all of them (``at_least`` None) or at least k."""

    conditions: tuple[Condition, ...]
    at_least: int | None = None

    @property
    def needed(self) -> int:
        """How many conditions must hold."""
        return len(self.conditions) if self.at_least is None else self.at_least


@dataclass(frozen=True)
class Rule:
    """Suggests ``group`` when every block holds; lower ``priority`` is tried first."""

    group: str
    priority: int
    title: str
    blocks: tuple[Block, ...]
    enabled: bool = True


@dataclass(frozen=True)
class RuleSet:
    """The rules, and which results a school year's group is decided from.

    ``results_offset``: the group of school year Y is decided from the results
    of Y − offset and the years before it (1: the year just ended, as an
    office does in August — seed 004 sorted its schools for 2022/23 «по
    результатам контрольно-оценочных процедур за 2022 год»).  The passport
    figures are those of Y itself.
    """

    rules: tuple[Rule, ...]
    results_offset: int = 1
    version: int = 1

    def ordered(self) -> list[tuple[int, Rule]]:
        """The enabled rules with their index, in the order they are tried."""
        enabled = [(i, r) for i, r in enumerate(self.rules) if r.enabled]
        return sorted(enabled, key=lambda pair: (pair[1].priority, pair[0]))


# --- JSON ------------------------------------------------------------------------------------
def _issue(code: str, *args: Any) -> InvalidValueError:
    return InvalidValueError(FieldIssue(SETTING_FIELD, code, "error", args))


Where = tuple[int, ...]
"""Where a refused value sits: (rule,), (rule, block) or (rule, block, condition), 0-based."""


def condition_to_json(c: Condition) -> dict[str, Any]:
    """The JSON form of a condition (every key, so a stored rule reads without defaults)."""
    return {
        "measure": c.measure,
        "procedure": c.procedure,
        "subject": c.subject,
        "grade": c.grade,
        "compare": c.compare,
        "op": c.op,
        "threshold": c.threshold,
        "years": c.years,
        "min_participants": c.min_participants,
    }


def rules_to_json(rules: RuleSet) -> dict[str, Any]:
    """The JSON form of a rule set (what the setting stores)."""
    return {
        "version": rules.version,
        "results_offset": rules.results_offset,
        "rules": [
            {
                "group": r.group,
                "priority": r.priority,
                "title": r.title,
                "enabled": r.enabled,
                "blocks": [
                    {
                        "at_least": b.at_least,
                        "conditions": [condition_to_json(c) for c in b.conditions],
                    }
                    for b in r.blocks
                ],
            }
            for r in rules.rules
        ],
    }


def _mapping(value: Any, where: Where, keys: Iterable[str]) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise _issue("rules_structure", where)
    unknown = sorted(set(value) - set(keys))
    if unknown:
        raise _issue("rules_unknown_key", where, unknown[0])
    return value


def _int(value: Any, where: Where, key: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _issue("not_integer", where, key, value)
    if not float(value).is_integer():
        raise _issue("not_integer", where, key, value)
    number = int(value)
    if not low <= number <= high:
        raise _issue("out_of_range", where, key, number, low, high)
    return number


def _number(value: Any, where: Where, key: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _issue("not_number", where, key, value)
    number = float(value)
    if math.isnan(number) or math.isinf(number):
        raise _issue("not_number", where, key, value)
    return number


def check_threshold(measure: str, compare: str, value: Any, where: Where = ()) -> float:
    """The threshold as stored, or :class:`InvalidValueError` saying what it must be.

    A share compared as it is lies within 0–100 %; a difference or a change of
    a share within ±100 п.п.; a ratio is above 0; a count, a distance or a
    score compared as it is is not negative; a flag is 0 or 1.
    """
    number = _number(value, where, "threshold")
    kind = measure_kind(measure)
    if compare == "district_ratio":
        if number <= 0:
            raise _issue("ratio_positive", where, "threshold", number)
    elif compare in ("district_diff", "change"):
        if kind == "share" and not -100 <= number <= 100:
            raise _issue("difference_range", where, "threshold", number)
    elif kind == "share":
        if not 0 <= number <= 100:
            raise _issue("share_range", where, "threshold", number)
    elif kind == "flag":
        if number not in (0.0, 1.0):
            raise _issue("not_flag", where, "threshold", number)
    elif number < 0:
        raise _issue("negative", where, "threshold", number)
    return number


def condition_from_json(value: Any, where: Where = ()) -> Condition:
    """A condition from its JSON form; :class:`InvalidValueError` names what is wrong."""
    data = _mapping(
        value,
        where,
        (
            "measure",
            "procedure",
            "subject",
            "grade",
            "compare",
            "op",
            "threshold",
            "years",
            "min_participants",
        ),
    )
    measure = data.get("measure")
    if measure not in RESULT_MEASURES and measure not in PASSPORT_MEASURES:
        raise _issue("unknown_measure", where, measure)
    measure = str(measure)
    compare = data.get("compare", "absolute")
    result = is_result_measure(measure)
    if compare not in (RESULT_COMPARES if result else PASSPORT_COMPARES):
        raise _issue("bad_compare", where, measure, compare)
    op = data.get("op", "<=")
    if op not in OPS:
        raise _issue("bad_op", where, op)
    procedure = data.get("procedure")
    subject = data.get("subject")
    grade = data.get("grade")
    min_participants = data.get("min_participants", 0)
    if result:
        if procedure not in PROCEDURES:
            raise _issue("unknown_procedure", where, procedure)
        if subject is not None and (not isinstance(subject, str) or not subject.strip()):
            raise _issue("bad_subject", where, subject)
        if grade is not None:
            grade = _int(grade, where, "grade", 1, 11)
        min_participants = _int(min_participants, where, "min_participants", 0, 100_000)
    elif procedure is not None or subject is not None or grade is not None or min_participants:
        raise _issue("passport_with_results", where, measure)
    threshold = check_threshold(measure, str(compare), data.get("threshold"), where)
    years = _int(data.get("years", 1), where, "years", 1, MAX_YEARS)
    return Condition(
        measure=measure,
        threshold=threshold,
        op=cast(Op, op),
        compare=cast(Compare, compare),
        procedure=procedure if result else None,
        subject=subject.strip() if isinstance(subject, str) else None,
        grade=grade,
        years=years,
        min_participants=int(min_participants) if result else 0,
    )


def _block_from_json(value: Any, where: Where) -> Block:
    data = _mapping(value, where, ("at_least", "conditions"))
    raw = data.get("conditions")
    if not isinstance(raw, list) or not raw:
        raise _issue("no_conditions", where)
    conditions = tuple(condition_from_json(c, (*where, i)) for i, c in enumerate(raw))
    at_least = data.get("at_least")
    if at_least is not None:
        at_least = _int(at_least, where, "at_least", 1, len(conditions))
    return Block(conditions, at_least)


def _rule_from_json(value: Any, where: Where) -> Rule:
    data = _mapping(value, where, ("group", "priority", "title", "enabled", "blocks"))
    group = data.get("group")
    if group not in GROUP_TARGETS:
        raise _issue("unknown_group", where, group)
    priority = _int(data.get("priority", 0), where, "priority", 0, 10_000)
    title = data.get("title", "")
    if not isinstance(title, str):
        raise _issue("rules_structure", where)
    enabled = data.get("enabled", True)
    if not isinstance(enabled, bool):
        raise _issue("rules_structure", where)
    raw = data.get("blocks")
    if not isinstance(raw, list) or not raw:
        raise _issue("no_conditions", where)
    blocks = tuple(_block_from_json(b, (*where, i)) for i, b in enumerate(raw))
    return Rule(str(group), priority, title.strip(), blocks, enabled)


def rules_from_json(value: Any) -> RuleSet:
    """A rule set from its JSON form; :class:`InvalidValueError` names the first fault."""
    data = _mapping(value, (), ("version", "results_offset", "rules"))
    version = _int(data.get("version", 1), (), "version", 1, 1)
    offset = _int(data.get("results_offset", 1), (), "results_offset", 0, MAX_RESULTS_OFFSET)
    raw = data.get("rules")
    if not isinstance(raw, list):
        raise _issue("rules_structure", ())
    rules = tuple(_rule_from_json(r, (i,)) for i, r in enumerate(raw))
    return RuleSet(rules, offset, version)


# --- the default rules -------------------------------------------------------------------------
def _cond(measure: str, threshold: float, op: Op = "<=", **kw: Any) -> Condition:
    return Condition(measure=measure, threshold=float(threshold), op=op, **kw)


MATH: Final = "Математика"
RUSSIAN: Final = "Русский язык"

DEFAULT_RULES: Final = RuleSet(
    rules=(
        # ШНОР — «школы с низкими образовательными результатами» (seed 004: Бартеневка).
        # What puts a school there is low results that last: the seed names the
        # unsatisfactory ОГЭ results in mathematics and other subjects and the
        # school's place on the list of low results the year before; the
        # monitoring of seed 000 reads «стабильно низкие результаты» over the
        # last years of ОГЭ (русский язык, математика) and ВПР, and seed 003
        # compares each school's ОГЭ with the district and counts the «2».  So:
        # three of four signs held two years in a row — quality 15 п.п. or more
        # below the district in ОГЭ mathematics, in ОГЭ Russian, in ВПР, or a
        # tenth of the ОГЭ marks «2».  One sign is a bad year of one class; three
        # are a school.  Five participants at least: two pupils of three make no
        # trend.
        Rule(
            group="shnor",
            priority=10,
            title="Устойчиво низкие результаты два года подряд",
            blocks=(
                Block(
                    (
                        _cond("quality", -15, compare="district_diff", procedure="ОГЭ",
                              subject=MATH, years=2, min_participants=5),
                        _cond("quality", -15, compare="district_diff", procedure="ОГЭ",
                              subject=RUSSIAN, years=2, min_participants=5),
                        _cond("quality", -15, compare="district_diff", procedure="ВПР",
                              years=2, min_participants=5),
                        _cond("failed", 10, ">=", procedure="ОГЭ", years=2, min_participants=5),
                    ),
                    at_least=3,
                ),
            ),
        ),
        # Профилактика учебной неуспешности (seed 004: Яблоновый Гай, Клевенка,
        # Канаевка).  «Учитывая результаты ГИА, ВПР, РПР» — results somewhat below
        # the district (5 п.п.) in one procedure — AND the context the seed names:
        # «ОУ являются малокомплектными» (30–91 pupils: 100 at most) and
        # «расстояние до районного центра от 40 до 65 км» (40 km at least).  Tried
        # before the risk zone: these schools share its social deficits (low
        # income 40–70 %, СЭК 5–10 %); being small and far is what sets them apart.
        Rule(
            group="prevention",
            priority=20,
            title="Малокомплектная удалённая школа с результатами ниже районных",
            blocks=(
                Block(
                    (
                        _cond("quality", -5, compare="district_diff", procedure="ОГЭ",
                              min_participants=5),
                        _cond("quality", -5, compare="district_diff", procedure="ВПР",
                              min_participants=5),
                        _cond("quality", -5, compare="district_diff", procedure="РПР",
                              min_participants=5),
                    ),
                    at_least=1,
                ),
                Block((_cond("pupils_total", 100), _cond("distance_km", 40, ">="))),
            ),
        ),
        # Зона риска снижения образовательных результатов (seed 004: Знаменский,
        # Ивановка, Арбузовка): «факт нестабильности качества знаний обучающихся
        # по ряду предметов, по результатам ГИА, ВПР» — quality that fell by ten
        # points in a year, or lies ten points below the district, in ОГЭ or ВПР
        # — in a hard social context: the seed's schools have 25–41 % of children
        # from low-income families, a СЭК index of 5–21 % and a growing share of
        # children whose families speak another language (5,5 % in Знаменский).
        # Ten participants at least: in a class of five one pupil moves quality by
        # 20 п.п., which is noise, not instability.
        Rule(
            group="risk",
            priority=30,
            title="Нестабильные результаты в неблагоприятных социальных условиях",
            blocks=(
                Block(
                    (
                        _cond("quality", -10, compare="change", procedure="ОГЭ",
                              min_participants=10),
                        _cond("quality", -10, compare="change", procedure="ВПР",
                              min_participants=10),
                        _cond("quality", -10, compare="district_diff", procedure="ОГЭ",
                              min_participants=10),
                        _cond("quality", -10, compare="district_diff", procedure="ВПР",
                              min_participants=10),
                    ),
                    at_least=1,
                ),
                Block(
                    (
                        _cond("pct_low_income", 25, ">="),
                        _cond("sek_index", 25),
                        _cond("pct_other_language", 5, ">="),
                    ),
                    at_least=1,
                ),
            ),
        ),
        # Высокие результаты (seed 004: Гимназия и СОШ с. Ивантеевка — «школы с
        # высокими результатами обучения», the district's mentors «по вопросам
        # ВСОКО, объективности оценочных процедур»): quality above the district
        # in ОГЭ (5 п.п.) and in ВПР (3 п.п.) two years in a row, with no more «2»
        # at ОГЭ than the district.  Above, not far above: the second leader of
        # the seed is a large school whose figures weigh on the district's own.
        Rule(
            group="leader",
            priority=40,
            title="Высокие результаты два года подряд",
            blocks=(
                Block(
                    (
                        _cond("quality", 5, ">=", compare="district_diff", procedure="ОГЭ",
                              years=2, min_participants=5),
                        _cond("quality", 3, ">=", compare="district_diff", procedure="ВПР",
                              years=2, min_participants=5),
                        _cond("failed", 0, compare="district_diff", procedure="ОГЭ",
                              years=2, min_participants=5),
                    )
                ),
            ),
        ),
    ),
    results_offset=1,
)  # fmt: skip
"""The rules an office starts from (tuned on the demo district of seed 004)."""


def _check_rules(value: Any) -> dict[str, Any]:
    return rules_to_json(rules_from_json(value))


RULES_SETTING: Final = declare(
    SettingSpec(
        "identification.rules",
        "Правила отнесения школ к группам",
        rules_to_json(DEFAULT_RULES),
        _check_rules,
    )
)
"""The rule set as a setting (JSON); read it with :func:`load_rules`."""


def load_rules(settings: Any) -> RuleSet:
    """The rule set of a database's settings (``db.settings``)."""
    return rules_from_json(settings.get(RULES_SETTING))


# --- facts and suggestions -----------------------------------------------------------------------
@dataclass(frozen=True)
class YearFigure:
    """One year of a fact: the school's value, the district's and the figure compared."""

    year: int
    value: float
    district: float | None = None
    previous: float | None = None
    """The school's value the year before (``change``)."""
    compared: float = 0.0
    """What was compared with the threshold: the value, a difference, a ratio or a change."""
    participants: int | None = None


@dataclass(frozen=True)
class Fact:
    """A condition that held: which measure, which figures, which years (data, not text).

    ``value`` / ``district`` / ``difference`` are those of the latest year;
    ``difference`` is value − district (п.п. for shares) for ``district_diff``,
    the ratio for ``district_ratio``, the change for ``change``, None else.
    ``years`` are the years that held, oldest first.
    """

    measure: str
    compare: Compare
    op: Op
    threshold: float
    value: float
    district: float | None
    difference: float | None
    years: tuple[int, ...]
    per_year: tuple[YearFigure, ...]
    procedure: str | None = None
    subject: str | None = None
    grade: int | None = None


@dataclass(frozen=True)
class Suggestion:
    """What the rules suggest for one school in one school year, and why."""

    school_id: int
    code: str
    school: str
    parent_id: int | None
    year: int
    current_group: str
    current_reason: str
    group: str
    """The suggested group («none» when no rule holds)."""
    rule_index: int | None = None
    rule_title: str = ""
    facts: tuple[Fact, ...] = ()
    also: tuple[str, ...] = ()
    """Groups of the other rules that held too (tried later), without repeats."""
    has_profile: bool = True

    @property
    def id(self) -> int:
        """The school's id (the key of a table row)."""
        return self.school_id

    @property
    def differs(self) -> bool:
        """True when the suggestion is not the school's current group."""
        return self.group != self.current_group


class _Reader:
    """Reads and caches the figures the conditions need: pooled SQL, once per key."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.conn: sqlite3.Connection = db.reader()
        self._results: dict[tuple[str, str | None, int | None, int], dict[int, Counts]] = {}
        self._district: dict[tuple[str, str | None, int | None, int], Counts] = {}
        self._passports: dict[int, dict[int, sqlite3.Row]] = {}
        self._distance: dict[int, float | None] | None = None
        self._subjects: dict[str, dict[str, str]] = {}

    def subject(self, procedure: str, subject: str | None) -> str | None:
        """The subject as the results spell it («математика» in a rule finds «Математика»)."""
        if subject is None:
            return None
        if procedure not in self._subjects:
            self._subjects[procedure] = {
                fold(r[0]): r[0]
                for r in self.conn.execute(
                    "SELECT DISTINCT subject FROM assessment WHERE procedure = ?", (procedure,)
                )
            }
        return self._subjects[procedure].get(fold(subject), subject)

    def result(self, c: Condition, year: int) -> tuple[dict[int, Counts], Counts]:
        """Every school's pooled counts of the condition's results in a year, and the district's."""
        assert c.procedure is not None
        subject = self.subject(c.procedure, c.subject)
        key = (c.procedure, subject, c.grade, year)
        if key not in self._results:
            schools = self.db.results.school_counts(year, c.procedure, subject, c.grade)
            self._results[key] = schools
            # The district is the pool of every school's counts: what district_counts()
            # reads, without reading the rows a second time (half the time on a region).
            self._district[key] = pool(schools.values())
        return self._results[key], self._district[key]

    def passport(self, measure: str, school_id: int, year: int) -> float | None:
        """A passport figure of a school in a year (the distance is the school's own)."""
        if measure in _SCHOOL_MEASURES:
            if self._distance is None:
                self._distance = {
                    int(r[0]): r[1] for r in self.conn.execute("SELECT id, distance_km FROM school")
                }
            value = self._distance.get(school_id)
        else:
            if year not in self._passports:
                self._passports[year] = {
                    int(r["school_id"]): r
                    for r in self.conn.execute(
                        "SELECT * FROM school_profile WHERE year = ?", (year,)
                    )
                }
            row = self._passports[year].get(school_id)
            value = None if row is None else row[measure]
        return None if value is None else float(value)


def _metric(c: Condition, counts: Counts | None) -> tuple[float | None, int | None]:
    if counts is None or not counts.rows:
        return None, None
    participants = counts.participants
    if c.min_participants and (participants is None or participants < c.min_participants):
        return None, participants
    return METRIC_BY_KEY[c.measure].compute(counts), participants


def _year_figure(  # noqa: PLR0911 (no data is said where it is found)
    reader: _Reader, c: Condition, school_id: int, year: int
) -> YearFigure | None:
    """The school's figure of one year (None: no data, so the condition cannot hold)."""
    if not c.is_result:
        value = reader.passport(c.measure, school_id, year)
        return None if value is None else YearFigure(year, value, compared=value)
    schools, district_counts = reader.result(c, year)
    value, participants = _metric(c, schools.get(school_id))
    if value is None:
        return None
    if c.compare == "absolute":
        return YearFigure(year, value, compared=value, participants=participants)
    if c.compare == "change":
        before_schools, _ = reader.result(c, year - 1)
        before, _n = _metric(c, before_schools.get(school_id))
        if before is None:
            return None
        return YearFigure(
            year, value, previous=before, compared=value - before, participants=participants
        )
    district = METRIC_BY_KEY[c.measure].compute(district_counts) if district_counts.rows else None
    if district is None:
        return None
    if c.compare == "district_diff":
        return YearFigure(
            year, value, district, compared=value - district, participants=participants
        )
    if district == 0:
        return None  # a ratio to nothing says nothing
    return YearFigure(year, value, district, compared=value / district, participants=participants)


def _fact(reader: _Reader, c: Condition, school_id: int, last_year: int) -> Fact | None:
    """The fact of a condition for a school, None unless it holds in every year asked."""
    figures: list[YearFigure] = []
    for year in range(last_year, last_year - c.years, -1):
        figure = _year_figure(reader, c, school_id, year)
        if figure is None or not c.holds(figure.compared):
            return None
        figures.append(figure)
    figures.reverse()
    latest = figures[-1]
    difference = None if c.compare == "absolute" else latest.compared
    return Fact(
        measure=c.measure,
        compare=c.compare,
        op=c.op,
        threshold=c.threshold,
        value=latest.value,
        district=latest.district,
        difference=difference,
        years=tuple(f.year for f in figures),
        per_year=tuple(figures),
        procedure=c.procedure,
        subject=c.subject,
        grade=c.grade,
    )


def _rule_facts(
    reader: _Reader, rule: Rule, school_id: int, year: int, offset: int
) -> tuple[Fact, ...] | None:
    """The facts of a rule for a school, None when the rule does not hold."""
    facts: list[Fact] = []
    for block in rule.blocks:
        held = []
        for c in block.conditions:
            last = year - offset if c.is_result else year
            found = _fact(reader, c, school_id, last)
            if found is not None:
                held.append(found)
        if len(held) < block.needed:
            return None
        facts.extend(held)
    return tuple(facts)


def _schools(conn: sqlite3.Connection, year: int) -> list[sqlite3.Row]:
    """Every school with its group of the year; a branch right after its school."""
    rows = conn.execute(
        "SELECT s.id, s.code, s.short_name, s.parent_id, p.id AS profile_id,"
        " ifnull(p.group_code, 'none') AS group_code, ifnull(p.group_reason, '') AS group_reason,"
        " fold(s.short_name) AS name_key"
        " FROM school s LEFT JOIN school_profile p ON p.school_id = s.id AND p.year = ?",
        (year,),
    ).fetchall()
    names = {int(r["id"]): r["name_key"] for r in rows}

    def order(r: sqlite3.Row) -> tuple[str, int, str, int]:
        parent = r["parent_id"]
        head = names.get(int(parent), "") if parent is not None else r["name_key"]
        return (head, 0 if parent is None else 1, r["name_key"], int(r["id"]))

    return sorted(rows, key=order)


def suggest(
    db: Database,
    year: int,
    rules: RuleSet | None = None,
    school_ids: Sequence[int] | None = None,
    state: JobState | None = None,
) -> list[Suggestion]:
    """The group each school's figures suggest for school year ``year``, with the facts.

    ``rules`` default to the database's setting.  ``school_ids`` limits the
    schools (all by default).  Deterministic: the same data give the same
    suggestions and facts in the same order.  Reads through the calling
    thread's reader, so it may run as background work: ``state`` is checked
    between schools (:class:`~shnor_desktop.models.errors.Cancelled` once cancelled).
    """
    ruleset = rules if rules is not None else load_rules(db.settings)
    reader = _Reader(db)
    ordered = ruleset.ordered()
    wanted = None if school_ids is None else set(school_ids)
    out: list[Suggestion] = []
    for row in _schools(reader.conn, year):
        if state is not None:
            state.check()
        school_id = int(row["id"])
        if wanted is not None and school_id not in wanted:
            continue
        first: tuple[int, Rule, tuple[Fact, ...]] | None = None
        also: list[str] = []
        for index, rule in ordered:
            facts = _rule_facts(reader, rule, school_id, year, ruleset.results_offset)
            if facts is None:
                continue
            if first is None:
                first = (index, rule, facts)
            elif rule.group != first[1].group and rule.group not in also:
                also.append(rule.group)
        out.append(
            Suggestion(
                school_id=school_id,
                code=row["code"],
                school=row["short_name"],
                parent_id=row["parent_id"],
                year=year,
                current_group=row["group_code"],
                current_reason=row["group_reason"],
                group=first[1].group if first else "none",
                rule_index=first[0] if first else None,
                rule_title=first[1].title if first else "",
                facts=first[2] if first else (),
                also=tuple(also),
                has_profile=row["profile_id"] is not None,
            )
        )
    return out


def result_years(rules: RuleSet, year: int) -> tuple[int, ...]:
    """The years of results the rules read for the groups of ``year`` (oldest first)."""
    years: set[int] = set()
    for rule in rules.rules:
        for block in rule.blocks:
            for c in block.conditions:
                if not c.is_result:
                    continue
                last = year - rules.results_offset
                extra = 1 if c.compare == "change" else 0
                years.update(range(last - c.years + 1 - extra, last + 1))
    return tuple(sorted(years))


__all__ = [
    "COMPARES",
    "DEFAULT_RULES",
    "OPS",
    "PASSPORT_MEASURES",
    "RESULT_MEASURES",
    "RULES_SETTING",
    "Block",
    "Condition",
    "Fact",
    "Rule",
    "RuleSet",
    "Suggestion",
    "YearFigure",
    "check_threshold",
    "condition_from_json",
    "condition_to_json",
    "load_rules",
    "measure_kind",
    "result_years",
    "rules_from_json",
    "rules_to_json",
    "suggest",
]
