"""What the kinds of reports share: parameters, Russian formats and the figures they reuse.

The figures come from the repositories (``db.results``, ``db.schools``,
``db.indicators``, ``db.roadmap``, ``db.district``); the few reads no
repository offers yet (a school's own result rows, its risk profile, the
deficits tutors found) are plain SELECTs through the reading connection.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final

from shnor_desktop.models import metrics
from shnor_desktop.models.database import Database
from shnor_desktop.models.metrics import Counts
from shnor_desktop.models.schools import GROUP_LABELS, PROFILE_FIELDS, School, SchoolProfile
from shnor_desktop.models.text import format_number, school_year_label
from shnor_desktop.models.text import plural as word_for
from shnor_desktop.services.reports import content as c
from shnor_desktop.services.reports.charts import BarChart, Series

MAIN_SUBJECTS: Final = ("Русский язык", "Математика")
"""The subjects whose charts every report draws (seed 004's charts)."""
GROUP_ORDER: Final = ("shnor", "risk", "prevention", "leader", "none")
GROUP_TITLES: Final = {
    "shnor": "Школы с низкими образовательными результатами (ШНОР)",
    "risk": "Школы, функционирующие в зоне риска снижения образовательных результатов (ШНСУ)",
    "prevention": "Школы группы профилактики учебной неуспешности",
    "leader": "Школы с высокими образовательными результатами («лидеры»)",
    "none": "Школы без группы",
}
DASH: Final = "—"
MAX_CHART_SCHOOLS: Final = 25
"""More schools than this: a chart shows the lowest ones of the later year (and the district)."""


@dataclass(frozen=True)
class ReportParams:
    """What a report is asked for (any may be left to its default).

    ``year`` is a school year's first calendar year (2022 = 2022/23);
    ``school`` a school's code; ``meeting`` a protocol's number;
    ``date_from``/``date_to`` the journal's period; ``number`` and ``date``
    those of the document itself.
    """

    year: int | None = None
    school: str | None = None
    meeting: str | None = None
    number: str = ""
    date: dt.date | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    extra: dict[str, str] = field(default_factory=dict)


# --- formats ---------------------------------------------------------------------------------


def pct(value: float | None) -> str:
    """A share with one decimal: «56,3»; a dash when unknown."""
    return DASH if value is None else format_number(value, 1)


def pct_sign(value: float | None) -> str:
    """A share with its sign: «56,3 %»."""
    return DASH if value is None else f"{format_number(value, 1)} %"


def delta(value: float | None) -> str:
    """A change with its sign: «+3,5», «−12,0», «0,0»."""
    if value is None:
        return DASH
    rounded = round(value, 1)
    if rounded == 0:
        return "0,0"
    text = format_number(abs(rounded), 1)
    return f"+{text}" if rounded > 0 else f"−{text}"


def count(value: int | float | None) -> str:
    """A count: «1 539»; a dash when unknown."""
    return DASH if value is None else format_number(int(value), 0)


def score(value: float | None) -> str:
    """A mean score or mark with two decimals: «22,43»."""
    return DASH if value is None else format_number(value, 2)


def flag(value: int | None) -> str:
    """«да» / «нет» / a dash."""
    return DASH if value is None else ("да" if value else "нет")


def plural(n: int, one: str, few: str, many: str) -> str:
    """«1 филиал», «2 филиала», «5 филиалов»: the number with its word."""
    return f"{n} {word_for(n, one, few, many)}"


def year_label(year: int) -> str:
    """«2022/23»."""
    return school_year_label(year)


def school_year_words(year: int) -> str:
    """«2022/2023 учебный год»."""
    return f"{year}/{year + 1} учебный год"


def percent_of(part: int, whole: int) -> str:
    """«22 %» of the schools (whole percent, as documents write it)."""
    return DASH if not whole else f"{round(part / whole * 100)} %"


# --- schools ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class SchoolYear:
    """A school with its passport of the year (None when it has none) and its branches."""

    school: School
    profile: SchoolProfile | None
    branches: tuple[School, ...] = ()

    @property
    def group(self) -> str:
        """The school's group in the year."""
        return self.profile.group_code if self.profile is not None else "none"


def schools_of_year(db: Database, year: int) -> list[SchoolYear]:
    """Every main school (not a branch) with its passport of the year, by name."""
    schools = db.schools.all_schools()
    branches: dict[int, list[School]] = {}
    for school in schools:
        if school.parent_id is not None:
            branches.setdefault(school.parent_id, []).append(school)
    conn = db.reader()
    profiles = {
        int(r[0]): r[1]
        for r in conn.execute("SELECT school_id, id FROM school_profile WHERE year = ?", (year,))
    }
    out = []
    for school in schools:
        if school.parent_id is not None:
            continue
        profile = db.schools.profile(school.id, year) if school.id in profiles else None
        out.append(SchoolYear(school, profile, tuple(branches.get(school.id, ()))))
    return sorted(out, key=lambda s: school_sort_key(s.school))


def school_sort_key(school: School) -> tuple[str, str]:
    """Schools in the order of their codes (the district's own list), then by name."""
    return (school.code, school.short_name)


def by_group(schools: Iterable[SchoolYear]) -> dict[str, list[SchoolYear]]:
    """The schools of each group, in the order of :data:`GROUP_ORDER`."""
    found: dict[str, list[SchoolYear]] = {g: [] for g in GROUP_ORDER}
    for school in schools:
        found.setdefault(school.group, []).append(school)
    return {g: items for g, items in found.items() if items}


def group_label(code: str) -> str:
    """The Russian name of a group."""
    return GROUP_LABELS.get(code, code)


def person_name(db: Database, person_id: int | None) -> str:
    """A person's name (empty when unknown or gone)."""
    if person_id is None:
        return ""
    row = db.reader().execute("SELECT full_name FROM person WHERE id = ?", (person_id,)).fetchone()
    return "" if row is None else str(row[0])


def school_name(db: Database, school_id: int | None) -> str:
    """A school's short name (empty when unknown)."""
    if school_id is None:
        return ""
    row = db.reader().execute("SELECT short_name FROM school WHERE id = ?", (school_id,)).fetchone()
    return "" if row is None else str(row[0])


def find_school(db: Database, code: str) -> School | None:
    """The school with this code (case and spaces ignored)."""
    wanted = code.strip().casefold()
    return next((s for s in db.schools.all_schools() if s.code.casefold() == wanted), None)


# --- passports -------------------------------------------------------------------------------


def _profile_value(  # noqa: PLR0911 (one format per kind)
    profile: SchoolProfile | None, name: str, kind: str
) -> str:
    if profile is None:
        return DASH
    value = profile.value(name)
    if kind == "flag":
        return flag(value)
    if kind == "share":
        return pct(value)
    if kind == "count":
        return count(value)
    if kind == "real":
        return DASH if value is None else format_number(float(value), 1)
    if kind in ("person", "school", "group"):
        return ""
    return str(value or DASH)


PASSPORT_TABLE_FIELDS: Final = tuple(
    f for f in PROFILE_FIELDS if f.kind in ("count", "share", "real", "flag")
)
"""The passport's figures shown by year in the passport's dynamics table."""


def passport_dynamics(db: Database, school: School, years: Sequence[int]) -> c.Table:
    """The passport's figures over ``years`` with the change over the last two."""
    profiles = {y: db.schools.profile(school.id, y) for y in years}
    rows: list[tuple[str, ...]] = []
    groups: set[int] = set()
    section = ""
    for spec in PASSPORT_TABLE_FIELDS:
        if spec.section != section:
            section = spec.section
            groups.add(len(rows))
            rows.append((section, *[""] * (len(years) + 1)))
        label = spec.label + (f", {spec.unit}" if spec.unit else "")
        cells = [_profile_value(profiles[y], spec.name, spec.kind) for y in years]
        change = ""
        if len(years) >= 2 and spec.kind in ("count", "share", "real"):
            before = profiles[years[-2]]
            after = profiles[years[-1]]
            if before is not None and after is not None:
                a, b = before.value(spec.name), after.value(spec.name)
                if a is not None and b is not None:
                    change = delta(float(b) - float(a))
                    if spec.kind == "count":
                        change = change.removesuffix(",0")
                    elif spec.kind == "share":
                        change += " п.п."
        rows.append((label, *cells, change or DASH))
    columns = (
        c.Column("Показатель", 3.2),
        *(c.Column(year_label(y), 1, "right") for y in years),
        c.Column("Изменение", 1.1, "right"),
    )
    return c.Table(columns, tuple(rows), group_rows=frozenset(groups))


def passport_facts(db: Database, item: SchoolYear) -> tuple[tuple[str, str], ...]:
    """The school's general facts and its passport's key lines (for the annual report)."""
    school, p = item.school, item.profile
    pairs: list[tuple[str, str]] = []
    distance = (
        "в районном центре"
        if school.distance_km == 0
        else (
            f"{format_number(school.distance_km, 0)} км" if school.distance_km is not None else DASH
        )
    )
    pairs.append(("Расстояние до районного центра", distance))
    if p is not None:
        levels = (
            f"всего {count(p.pupils_total)} чел.; 1–4 классы — {count(p.pupils_1_4)}; "
            f"5–9 классы — {count(p.pupils_5_9)}; 10–11 классы — {count(p.pupils_10_11)}"
        )
        pairs.append(("Контингент обучающихся", levels))
    if item.branches:
        names = []
        for branch in item.branches:
            bp = db.schools.profile(branch.id, p.year) if p is not None else None
            km = f", {format_number(branch.distance_km, 0)} км" if branch.distance_km else ""
            pupils = f", {count(bp.pupils_total)} чел." if bp is not None else ""
            names.append(f"{branch.short_name}{km}{pupils}")
        pairs.append(("Филиалы", "; ".join(names)))
    if school.has_kindergarten:
        pairs.append(("Дошкольные группы", "есть"))
    if p is not None:
        centres = [
            name
            for name, value in (
                ("центр «Точка роста»", p.tochka_rosta),
                ("оборудование ЦОС", p.tsos),
                ("участник проекта «500+»", p.project_500),
            )
            if value
        ]
        if centres:
            pairs.append(("Проекты и оснащение", "; ".join(centres)))
    return tuple(pairs)


def deficits_of(db: Database, item: SchoolYear) -> list[tuple[str, str]]:
    """The school's deficits as seed 004 lists them: social, staff, infrastructure, found."""
    p = item.profile
    out: list[tuple[str, str]] = []
    if p is None:
        return out
    social = [
        f"{label} — {pct(value)} %"
        for label, value in (
            ("дети из неполных семей и семей в СОП", p.pct_incomplete_families),
            ("доход ниже прожиточного минимума", p.pct_low_income),
            ("иной язык общения в семье", p.pct_other_language),
            ("индекс СЭК", p.sek_index),
        )
        if value is not None
    ]
    if social:
        out.append(("Социальные дефициты", "; ".join(social)))
    staff = []
    if p.vacancies:
        staff.append(f"вакансии — {count(p.vacancies)} ст.")
    if p.pct_teachers_65plus is not None:
        staff.append(f"педагоги 65 лет и старше — {pct(p.pct_teachers_65plus)} %")
    if p.pct_teachers_two_rates:
        staff.append(f"нагрузка 2 и более ставок — {pct(p.pct_teachers_two_rates)} %")
    if staff:
        out.append(("Кадровые дефициты", "; ".join(staff)))
    infra = []
    if p.needs_capital_repair:
        infra.append("нужен капитальный ремонт")
    if p.internet_mbps is not None and p.internet_mbps < 10:
        infra.append(f"скорость интернета {format_number(p.internet_mbps, 1)} Мбит/с")
    if p.infrastructure_note:
        infra.append(p.infrastructure_note)
    out.append(("Инфраструктурные дефициты", "; ".join(infra) if infra else "нет"))
    found = found_deficits(db, item.school.id, p.year)
    if found:
        out.append(("Дефициты, выявленные тьюторами", "; ".join(found)))
    risks = risk_profile(db, item.school.id, p.year)
    if risks:
        out.append(("Рисковый профиль", "; ".join(f"{name} ({level})" for name, level, _ in risks)))
    return out


def _safe_rows(conn: sqlite3.Connection, sql: str, params: Sequence[object]) -> list[sqlite3.Row]:
    try:
        return conn.execute(sql, params).fetchall()
    except sqlite3.OperationalError:  # an older schema without the table
        return []


def found_deficits(db: Database, school_id: int, year: int) -> list[str]:
    """Deficits named on the tutors' visits to the school in the school year."""
    rows = _safe_rows(
        db.reader(),
        "SELECT DISTINCT d.name FROM tutor_visit v"
        " JOIN tutor_visit_deficit vd ON vd.visit_id = v.id JOIN deficit d ON d.id = vd.deficit_id"
        " WHERE v.school_id = ? AND v.visit_date BETWEEN ? AND ? ORDER BY d.name",
        (school_id, f"{year}-09-01", f"{year + 1}-08-31"),
    )
    return [str(r[0]) for r in rows]


def risk_profile(db: Database, school_id: int, year: int) -> list[tuple[str, str, list[str]]]:
    """The school's risk factors of the year: (name, level, measures)."""
    conn = db.reader()
    rows = _safe_rows(
        conn,
        "SELECT r.id, f.name, r.level, r.measures FROM school_risk r"
        " JOIN risk_factor f ON f.id = r.risk_factor_id WHERE r.school_id = ? AND r.year = ?"
        " ORDER BY f.sort_order, f.name",
        (school_id, year),
    )
    out = []
    for row in rows:
        measures = [
            str(m[0])
            for m in _safe_rows(
                conn,
                "SELECT text FROM risk_measure WHERE school_risk_id = ? ORDER BY position, id",
                (row[0],),
            )
        ]
        if not measures and row[3]:
            measures = [str(row[3])]
        out.append((str(row[1]), str(row[2]), measures))
    return out


# --- results ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ResultLine:
    """A school's (or the district's) result of one procedure, subject and grade in a year."""

    procedure: str
    subject: str
    grade: int
    year: int
    counts: Counts

    @property
    def success(self) -> float | None:
        """Успеваемость, %."""
        return metrics.success(self.counts)

    @property
    def quality(self) -> float | None:
        """Качество знаний, %."""
        return metrics.quality(self.counts)

    @property
    def level(self) -> float | None:
        """The mean score of an exam, else the mean mark."""
        if self.procedure in ("ОГЭ", "ЕГЭ", "ГВЭ"):
            return metrics.mean_score(self.counts)
        return metrics.mean_mark(self.counts)


_NULLABLE_SUMS: Final = (
    "pupils_due",
    "below_minimum",
    "vpr_lowered",
    "vpr_confirmed",
    "vpr_raised",
)


def school_result_lines(
    db: Database, school_ids: Sequence[int] | None, years: Sequence[int]
) -> dict[tuple[str, str, int, int], Counts]:
    """Pooled counts by procedure, subject, grade and year (of some schools; None: all).

    Pooled in SQL as ``metrics.pool`` does: sums of the counts, a count missing
    in one row missing in the pool, the mean score weighted by participants.
    """
    if (school_ids is not None and not school_ids) or not years:
        return {}
    rows_n = "count(*)"
    nullable = ", ".join(
        f"CASE WHEN count({c}) = {rows_n} THEN sum({c}) END" for c in _NULLABLE_SUMS
    )
    where = f"year IN ({','.join('?' for _ in years)})"
    params: list[object] = list(years)
    if school_ids is not None:
        where += f" AND school_id IN ({','.join('?' for _ in school_ids)})"
        params.extend(school_ids)
    rows = (
        db.reader()
        .execute(
            "SELECT procedure, subject, grade, year, sum(participants), sum(n2), sum(n3), sum(n4),"
            f" sum(n5), {nullable},"
            f" CASE WHEN count(mean_score) = {rows_n} THEN sum(mean_score * participants) END,"
            f" {rows_n} FROM assessment WHERE {where} GROUP BY procedure, subject, grade, year",
            params,
        )
        .fetchall()
    )
    out: dict[tuple[str, str, int, int], Counts] = {}
    for r in rows:
        out[(str(r[0]), str(r[1]), int(r[2]), int(r[3]))] = Counts(
            due=r[9],
            participants=r[4],
            n2=r[5],
            n3=r[6],
            n4=r[7],
            n5=r[8],
            below_minimum=r[10],
            lowered=r[11],
            confirmed=r[12],
            raised=r[13],
            score_sum=r[14],
            rows=int(r[15]),
        )
    return out


PROCEDURE_ORDER: Final = ("ОГЭ", "ЕГЭ", "ВПР", "ГВЭ", "РПР")


def result_key_order(key: tuple[str, str, int]) -> tuple[int, int, str]:
    """Procedure (ОГЭ, ЕГЭ, ВПР …), then grade, then subject (Russian and maths first)."""
    procedure, subject, grade = key
    main = MAIN_SUBJECTS.index(subject) if subject in MAIN_SUBJECTS else len(MAIN_SUBJECTS)
    rank = PROCEDURE_ORDER.index(procedure) if procedure in PROCEDURE_ORDER else 9
    return (rank, grade, f"{main}{subject}")


def dynamics_table(
    lines: dict[tuple[str, str, int, int], Counts], years: tuple[int, int], caption: str = ""
) -> c.Table | None:
    """Two years of results side by side: participants, успеваемость, качество, change in п.п."""
    before, after = years
    keys = sorted({k[:3] for k in lines if k[3] in years}, key=result_key_order)
    if not keys:
        return None
    rows: list[tuple[str, ...]] = []
    marked: set[tuple[int, int]] = set()
    for key in keys:
        a = lines.get((*key, before))
        b = lines.get((*key, after))
        sa = metrics.success(a) if a else None
        sb = metrics.success(b) if b else None
        qa = metrics.quality(a) if a else None
        qb = metrics.quality(b) if b else None
        dq = metrics.change(qa, qb)
        ds = metrics.change(sa, sb)
        procedure, subject, grade = key
        index = len(rows)
        rows.append(
            (
                procedure,
                subject,
                str(grade),
                count(b.participants if b else None),
                pct(sa),
                pct(sb),
                delta(ds),
                pct(qa),
                pct(qb),
                delta(dq),
            )
        )
        if ds is not None and ds <= -10:
            marked.add((index, 6))
        if dq is not None and dq <= -10:
            marked.add((index, 9))
    b_label, a_label = year_label(before), year_label(after)
    columns = (
        c.Column("Процедура", 1.25),
        c.Column("Предмет", 2.0),
        c.Column("Кл.", 0.5, "center"),
        c.Column(f"Участники {a_label}", 1.3, "right"),
        c.Column(f"Успев. {b_label}, %", 1.0, "right"),
        c.Column(f"Успев. {a_label}, %", 1.0, "right"),
        c.Column("Изм., п.п.", 0.9, "right"),
        c.Column(f"Кач. {b_label}, %", 1.0, "right"),
        c.Column(f"Кач. {a_label}, %", 1.0, "right"),
        c.Column("Изм., п.п.", 0.9, "right"),
    )
    return c.Table(
        columns,
        tuple(rows),
        caption=caption,
        marked=frozenset(marked),
        narrow=True,
        note="Выделено снижение на 10 п.п. и более." if marked else "",
    )


def two_year_chart(  # noqa: PLR0917 (a chart is named by all of these)
    db: Database,
    procedure: str,
    subject: str,
    grade: int | None,
    years: tuple[int, int],
    metric: str,
    school_ids: Sequence[int] | None = None,
    with_district: bool = True,
) -> BarChart | None:
    """Each school's metric in two school years side by side (seed 004's lost charts)."""
    series = db.results.series(procedure, subject, grade, years, school_ids)
    if not series.schools:
        return None
    compute = metrics.METRIC_BY_KEY[metric].compute
    categories: list[str] = []
    values: dict[int, list[float | None]] = {y: [] for y in years}
    shown = list(series.schools)
    if len(shown) > MAX_CHART_SCHOOLS:
        # A region's chart shows the schools that need attention: the lowest in the later year.
        def latest(entry: tuple[int, str, Mapping[int, Counts]]) -> float:
            counts = entry[2].get(years[-1])
            value = None if counts is None else compute(counts)
            return float("inf") if value is None else value

        shown = sorted(shown, key=latest)[:MAX_CHART_SCHOOLS]
    for _, name, by_year in shown:
        categories.append(name)
        for y in years:
            counts = by_year.get(y)
            values[y].append(None if counts is None else compute(counts))
    bold: set[int] = set()
    if with_district:
        bold.add(len(categories))
        categories.append("Район (все школы)")
        for y in years:
            counts = series.district.get(y)
            values[y].append(None if counts is None else compute(counts))
    label = metrics.METRIC_BY_KEY[metric].label
    return BarChart(
        title=label,
        categories=tuple(categories),
        series=tuple(Series(school_year_label(y), tuple(values[y])) for y in years),
        unit=metrics.METRIC_BY_KEY[metric].unit,
        maximum=100.0 if metrics.METRIC_BY_KEY[metric].unit == "%" else None,
        bold=frozenset(bold),
    )


def grade_words(grade: int | None) -> str:
    """«5 классов» / «9 класс»-style phrase for captions."""
    return "" if grade is None else f"{grade} кл."


def today() -> dt.date:
    """Today (a function, so a test may pin it)."""
    return dt.date.today()
