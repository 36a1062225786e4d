"""The annual report on the roadmap of a school year, in seed 004's structure.

The district; the groups of schools and why; each school's passport and
deficits; the tracks (ШНОР, зона риска, профилактика) with their measures and
effects; the results tables and the two-year charts seed 004 lost; the
indicators, plan against actual; the roadmap's fulfilment by section, the
schools' own reports on its activities (from their workbooks) and the plan of
the next year; the coordinator's conclusions (``report_text``, edited
in «Отчёты»; a draft from the figures while none is written).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from shnor_desktop.models import metrics
from shnor_desktop.models.database import Database
from shnor_desktop.models.indicators import STATUS_LABELS as INDICATOR_STATUS
from shnor_desktop.models.indicators import IndicatorQuery
from shnor_desktop.models.jobs import JobState
from shnor_desktop.models.report_texts import ReportTextRepository
from shnor_desktop.models.results import ObjectivityQuery
from shnor_desktop.models.roadmap import STATUS_LABELS, Activity, RoadmapQuery
from shnor_desktop.models.settings import OBJECTIVITY_THRESHOLD
from shnor_desktop.models.text import format_date, format_number
from shnor_desktop.services.reports import common as k
from shnor_desktop.services.reports import content as c
from shnor_desktop.services.reports.errors import ReportInputError
from shnor_desktop.services.reports.settings import letterhead

TRACKS = (
    ("shnor", "Трек 1. Адресная поддержка школ с низкими образовательными результатами"),
    (
        "risk",
        "Трек 2. Организация работы со школами, функционирующими в зоне риска снижения "
        "образовательных результатов",
    ),
    ("prevention", "Трек 3. Профилактика учебной неуспешности"),
)
TRACK_CHARTS = (("ОГЭ", None), ("ВПР", 5), ("ВПР", 6))
"""Per track, as seed 004: ОГЭ, ВПР of the 5th and of the 6th grade (Russian and maths)."""


def build(db: Database, params: k.ReportParams, state: JobState) -> c.Document:
    """The annual report of the school year ``params.year`` (default: the latest with passports)."""
    district = db.district.district()
    if district is None:
        raise ReportInputError("no_district")
    year = params.year if params.year is not None else db.schools.default_year()
    if year is None:
        raise ReportInputError("no_data")
    before = year - 1
    head = letterhead(db)
    programme = _programme_of(db, year)
    subtitle = ""
    if programme is not None:
        subtitle = programme.title
        if programme.order_number or programme.order_date:
            subtitle += (
                f", утверждённой приказом от {format_date(programme.order_date)} "
                f"№ {programme.order_number}".replace("от  ", "")
            )
    doc = c.Document(
        kind="annual",
        title="Отчёт о выполнении мероприятий дорожной карты по повышению качества образования "
        f"школ, имеющих низкие образовательные результаты, за {k.school_year_words(year)}",
        subtitle=subtitle,
        letterhead=head,
        number=params.number,
        date=params.date or k.today(),
        running_title=f"Отчёт о выполнении дорожной карты за {k.year_label(year)} учебный год",
    )
    steps = 8
    state.progress(0, steps, "Годовой отчёт: район")
    schools = k.schools_of_year(db, year)
    groups = k.by_group(schools)
    _district(db, doc, district, year, schools)
    state.check()
    state.progress(1, steps, "Годовой отчёт: группы школ")
    _groups(doc, schools, groups)
    state.progress(2, steps, "Годовой отчёт: паспорта школ")
    _passports(db, doc, groups)
    state.check()
    state.progress(3, steps, "Годовой отчёт: треки")
    _tracks(db, doc, groups, (before, year))
    state.check()
    state.progress(4, steps, "Годовой отчёт: результаты")
    _results(db, doc, (before, year))
    state.check()
    state.progress(5, steps, "Годовой отчёт: показатели")
    indicators = _indicators(db, doc, year)
    state.progress(6, steps, "Годовой отчёт: дорожная карта")
    roadmap = _roadmap(db, doc, year)
    state.progress(7, steps, "Годовой отчёт: выводы")
    doc.add(c.Heading("8. Выводы и предложения", 1))
    text = ReportTextRepository(db.log).get("annual", year)
    if not text:
        text = draft_conclusions(schools, groups, indicators, roadmap, year)
    for part in _paragraphs(text):
        doc.add(c.Paragraph(part))
    doc.signature = c.Signature(((head.signer_position, head.signer_name),))
    state.progress(steps, steps)
    return doc


def _paragraphs(text: str) -> list[str]:
    return [" ".join(p.split()) for p in text.replace("\r", "").split("\n") if p.strip()]


def _programme_of(db: Database, year: int) -> Any | None:
    """The programme that covers the school year (its first calendar year in the period)."""
    found = [p for p in db.roadmap.programmes() if p.start_year <= year <= p.end_year]
    with_indicators = {p.id for p in db.indicators.programmes()[:1]}
    found.sort(key=lambda p: (p.id not in with_indicators, -p.start_year))
    return found[0] if found else None


# --- 1. the district --------------------------------------------------------------------------


def _district(
    db: Database, doc: c.Document, district: Any, year: int, schools: Sequence[k.SchoolYear]
) -> None:
    doc.add(c.Heading("1. Общие сведения о районе", 1))
    facts = []
    if district.region:
        facts.append(f"{district.name} ({district.region}).")
    if district.population:
        facts.append(f"Численность населения — {k.count(district.population)} человек.")
    branches = sum(len(s.branches) for s in schools)
    facts.append(
        f"Общеобразовательных организаций в базе — {len(schools)}"
        + (f", у них {k.plural(branches, 'филиал', 'филиала', 'филиалов')}" if branches else "")
        + "."
    )
    distances = [s.school.distance_km for s in schools if s.school.distance_km not in (None, 0)] + [
        b.distance_km for s in schools for b in s.branches if b.distance_km
    ]
    if distances:
        facts.append(
            "Отдалённость образовательных организаций от районного центра — от "
            f"{format_number(min(distances), 0)} до {format_number(max(distances), 0)} км."
        )
    doc.add(c.Paragraph(" ".join(facts)))
    if district.notes:
        doc.add(c.Paragraph(district.notes))
    rows = [y for y in db.district.years() if year - 2 <= y.year <= year]
    if rows:
        table_rows = []
        for label, attr in (
            ("Всего обучающихся, чел.", "pupils_total"),
            ("1 класс, чел.", "pupils_grade1"),
            ("9 класс, чел.", "pupils_grade9"),
            ("11 класс, чел.", "pupils_grade11"),
            ("Подвоз обучающихся, чел.", "pupils_bused"),
            ("Школьных автобусов", "buses"),
        ):
            values = [getattr(r, attr) for r in rows]
            if any(v is not None for v in values):
                table_rows.append((label, *(k.count(v) for v in values)))
        doc.add(
            c.Table(
                (
                    c.Column("Контингент", 3),
                    *(c.Column(k.year_label(r.year), 1, "right") for r in rows),
                ),
                tuple(table_rows),
                caption="Контингент обучающихся района",
            )
        )


# --- 2. groups --------------------------------------------------------------------------------


def _groups(
    doc: c.Document, schools: Sequence[k.SchoolYear], groups: dict[str, list[k.SchoolYear]]
) -> None:
    doc.add(c.Heading("2. Группы школ и основания отнесения к ним", 1))
    total = len(schools)
    parts = [
        f"{k.group_label(code)} — {len(items)} ({k.percent_of(len(items), total)})"
        for code, items in groups.items()
    ]
    doc.add(
        c.Paragraph(
            f"По результатам кластеризации {total} общеобразовательных организаций района "
            "распределены по группам: " + "; ".join(parts) + "."
        )
    )
    rows = []
    for code, items in groups.items():
        for item in items:
            reason = item.profile.group_reason if item.profile is not None else ""
            rows.append((item.school.full_name, k.group_label(code), reason or k.DASH))
    doc.add(
        c.Table(
            (
                c.Column("Общеобразовательная организация", 2.4),
                c.Column("Группа", 1.4),
                c.Column("Основание", 4),
            ),
            tuple(rows),
            caption="Отнесение школ к группам",
        )
    )


# --- 3. passports ---------------------------------------------------------------------------


def _passports(db: Database, doc: c.Document, groups: dict[str, list[k.SchoolYear]]) -> None:
    doc.add(c.Heading("3. Специфика школ: паспорта и дефициты", 1))
    for number, (code, items) in enumerate(groups.items(), start=1):
        doc.add(c.Heading(f"3.{number}. {k.GROUP_TITLES.get(code, k.group_label(code))}", 2))
        for item in items:
            doc.add(c.Paragraph(item.school.full_name, "bold"))
            doc.add(c.KeyValues((*k.passport_facts(db, item), *k.deficits_of(db, item))))


# --- 4. tracks --------------------------------------------------------------------------------


def _activities_for(db: Database, group: str, school_ids: Sequence[int]) -> list[Activity]:
    found: dict[int, Activity] = {}
    for programme in db.roadmap.programmes():
        for activity in db.roadmap.activities(RoadmapQuery(programme.id, group_code=group)):
            found[activity.id] = activity
        for school_id in school_ids:
            for activity in db.roadmap.activities(RoadmapQuery(programme.id, school_id=school_id)):
                found[activity.id] = activity
    return list(found.values())


def _tracks(
    db: Database, doc: c.Document, groups: dict[str, list[k.SchoolYear]], years: tuple[int, int]
) -> None:
    doc.add(c.Heading("4. Треки сопровождения: принятые меры и их эффекты", 1))
    before, year = years
    for code, title in TRACKS:
        items = groups.get(code, [])
        doc.add(c.Heading(title, 2))
        if not items:
            doc.add(c.Paragraph("В учебном году школ этой группы не было."))
            continue
        names = ", ".join(i.school.full_name for i in items)
        doc.add(c.Paragraph(f"Школы группы: {names}."))
        doc.add(c.Heading("Принятые меры", 3))
        ids = [i.school.id for i in items]
        activities = _activities_for(db, code, ids)
        measures = [
            f"{a.number}. {a.title} ({a.deadline_text or 'срок не указан'}; "
            f"{STATUS_LABELS.get(a.status, a.status)})".replace(". . ", ". ")
            for a in activities
        ]
        for item in items:
            for name, _level, risk_measures in k.risk_profile(db, item.school.id, year):
                measures.extend(f"{item.school.short_name}: {name} — {m}" for m in risk_measures)
        if measures:
            doc.add(c.Bullets(tuple(measures)))
        else:
            doc.add(
                c.Paragraph(
                    "Мероприятия дорожной карты и антирисковые меры для школ группы в базе не "
                    "отмечены (раздел «Дорожная карта», поле «Касается»)."
                )
            )
        doc.add(c.Heading("Оценка эффектов", 3))
        all_ids = ids + [b.id for i in items for b in i.branches]
        lines = k.school_result_lines(db, all_ids, years)
        table = k.dynamics_table(
            {key: v for key, v in lines.items() if key[1] in k.MAIN_SUBJECTS},
            years,
            caption=f"Результаты школ группы по русскому языку и математике, "
            f"{k.year_label(before)} и {k.year_label(year)}",
        )
        if table is not None:
            doc.add(table)
            doc.add(c.Paragraph(_effect_sentence(lines, years)))
        for procedure, grade in TRACK_CHARTS:
            for subject in k.MAIN_SUBJECTS:
                chart = k.two_year_chart(
                    db, procedure, subject, grade, years, "quality", school_ids=ids
                )
                if chart is None:
                    continue
                grade_text = f" в {grade} классах" if grade else ""
                doc.add(
                    c.Chart(
                        chart,
                        f"{procedure} по предмету «{subject}»{grade_text}: качество знаний, "
                        f"{k.year_label(before)} и {k.year_label(year)}",
                    )
                )


def _effect_sentence(
    lines: dict[tuple[str, str, int, int], metrics.Counts], years: tuple[int, int]
) -> str:
    before, year = years
    better = worse = 0
    for key in {key[:3] for key in lines if key[1] in k.MAIN_SUBJECTS}:
        a, b = lines.get((*key, before)), lines.get((*key, year))
        change = metrics.change(
            metrics.quality(a) if a else None, metrics.quality(b) if b else None
        )
        if change is None:
            continue
        if round(change, 1) > 0:
            better += 1
        elif round(change, 1) < 0:
            worse += 1
    return (
        f"Качество знаний по русскому языку и математике выросло в {better} и снизилось в "
        f"{worse} сочетаниях процедуры и класса (по сравнению с {k.year_label(before)} "
        "учебным годом)."
    )


# --- 5. results -------------------------------------------------------------------------------


def _results(db: Database, doc: c.Document, years: tuple[int, int]) -> None:
    before, year = years
    doc.add(c.Heading("5. Результаты оценочных процедур", 1))
    lines = k.school_result_lines(db, None, years)
    table = k.dynamics_table(
        lines,
        years,
        caption=f"Результаты района (все школы, пул по обучающимся), {k.year_label(before)} "
        f"и {k.year_label(year)}",
    )
    if table is None:
        doc.add(c.Paragraph("Результатов оценочных процедур за эти годы в базе нет."))
        return
    doc.add(table)
    threshold = float(db.settings.get(OBJECTIVITY_THRESHOLD))
    objectivity = db.results.objectivity(ObjectivityQuery(year, threshold=threshold))
    if objectivity.rows:
        flagged = objectivity.flagged
        doc.add(
            c.Paragraph(
                f"Объективность ВПР {k.year_label(year)}: по району понизили отметку "
                f"{k.pct(objectivity.district.lowered)} %, подтвердили "
                f"{k.pct(objectivity.district.confirmed)} %, повысили "
                f"{k.pct(objectivity.district.raised)} % обучающихся. "
                + (
                    "Признаки необъективности (доля понизивших или повысивших отметку больше "
                    f"{format_number(threshold, 0)} %): "
                    + ", ".join(r.school for r in flagged)
                    + "."
                    if flagged
                    else f"Школ с долей понизивших или повысивших отметку больше "
                    f"{format_number(threshold, 0)} % нет."
                )
            )
        )
    for procedure, grade, metric in (
        ("ОГЭ", None, "quality"),
        ("ОГЭ", None, "success"),
        ("ВПР", 5, "quality"),
    ):
        for subject in k.MAIN_SUBJECTS:
            chart = k.two_year_chart(db, procedure, subject, grade, years, metric)
            if chart is None:
                continue
            grade_text = f" в {grade} классах" if grade else ""
            label = metrics.METRIC_BY_KEY[metric].label.lower()
            doc.add(
                c.Chart(
                    chart,
                    f"{procedure} по предмету «{subject}»{grade_text}: {label} по школам, "
                    f"{k.year_label(before)} и {k.year_label(year)}",
                )
            )


# --- 6. indicators ----------------------------------------------------------------------------


def _indicators(db: Database, doc: c.Document, year: int) -> tuple[int, int]:
    """The indicators' table; returns (met, with a plan and an actual)."""
    doc.add(c.Heading("6. Показатели программы: план и факт", 1))
    programmes = db.indicators.programmes()
    tree = []
    if programmes:
        tree = db.indicators.tree(IndicatorQuery(programmes[0].id, years=(year - 1, year)))
    if not tree:
        doc.add(c.Paragraph("Показатели программы в базе не заполнены."))
        return (0, 0)
    rows: list[tuple[str, ...]] = []
    groups: set[int] = set()
    met = judged = 0
    for row in tree:
        ind = row.indicator
        if row.child_count and not row.values and not ind.is_computed:
            groups.add(len(rows))
            rows.append((f"{ind.code}. {ind.name}", "", "", "", "", "", "", ""))
            continue
        status = row.status(year)
        if status != "no_data":
            judged += 1
            met += status == "met"
        actual_before = row.actual(year - 1).value
        actual = row.actual(year).value
        stored = row.value(year)
        note = stored.note if stored is not None else ""
        rows.append(
            (
                ind.code,
                ind.name + (f" ({note})" if note and len(note) < 90 else ""),
                ind.unit or k.DASH,
                k.pct(row.plan(year)),
                k.pct(actual_before),
                k.pct(actual),
                k.delta(metrics.change(actual_before, actual)),
                INDICATOR_STATUS.get(status, status),
            )
        )
        for school_id in row.school_ids():
            a0 = row.actual(year - 1, school_id).value
            a1 = row.actual(year, school_id).value
            rows.append(
                (
                    "",
                    f"   {row.school_name(school_id)}",
                    ind.unit or k.DASH,
                    k.pct(row.plan(year, school_id)),
                    k.pct(a0),
                    k.pct(a1),
                    k.delta(metrics.change(a0, a1)),
                    INDICATOR_STATUS.get(row.status(year, school_id), ""),
                )
            )
    doc.add(
        c.Table(
            (
                c.Column("№", 0.6),
                c.Column("Показатель", 4.2),
                c.Column("Ед.", 0.5, "center"),
                c.Column(f"План {k.year_label(year)}", 0.9, "right"),
                c.Column(f"Факт {k.year_label(year - 1)}", 0.9, "right"),
                c.Column(f"Факт {k.year_label(year)}", 0.9, "right"),
                c.Column("Изм.", 0.8, "right"),
                c.Column("Статус", 1.2),
            ),
            tuple(rows),
            caption=f"Показатели программы «{programmes[0].title}»",
            group_rows=frozenset(groups),
            narrow=True,
            note="Значения учебного года измерены на январь (как в документах программы).",
        )
    )
    return (met, judged)


# --- 7. roadmap -------------------------------------------------------------------------------


def _in_year(activity: Activity, year: int) -> bool:
    start, end = date(year, 9, 1), date(year + 1, 8, 31)
    return any(a <= end and b >= start for a, b in activity.intervals)


def _roadmap(db: Database, doc: c.Document, year: int) -> tuple[int, int]:
    """Fulfilment by section and the next year's plan; returns (done, due in the year)."""
    doc.add(c.Heading("7. Выполнение дорожной карты", 1))
    done_total = due_total = 0
    section_rows: list[tuple[str, ...]] = []
    next_rows: list[tuple[str, ...]] = []
    next_groups: set[int] = set()
    for programme in db.roadmap.programmes():
        sections = db.roadmap.sections(programme.id)
        if not sections:
            continue
        activities = db.roadmap.activities(RoadmapQuery(programme.id))
        by_section: dict[int, list[Activity]] = {}
        for activity in activities:
            by_section.setdefault(activity.section_id, []).append(activity)
        for section in sections:
            members = [a for a in by_section.get(section.id, []) if a.status != "cancelled"]
            due = [a for a in members if _in_year(a, year)]
            if not due:
                continue
            done = sum(1 for a in due if a.status == "done")
            done_total += done
            due_total += len(due)
            mean = sum(a.effective_progress for a in due) / len(due)
            title = f"{section.number}. {section.title}" if section.number else section.title
            section_rows.append(
                (title, k.count(len(due)), k.count(done), k.pct(done / len(due) * 100), k.pct(mean))
            )
        upcoming = [a for a in activities if _in_year(a, year + 1) and a.status != "cancelled"]
        if upcoming:
            current_section = None
            names = {s.id: (f"{s.number}. {s.title}" if s.number else s.title) for s in sections}
            for activity in upcoming:
                if activity.section_id != current_section:
                    current_section = activity.section_id
                    next_groups.add(len(next_rows))
                    next_rows.append((names.get(activity.section_id, ""), "", "", "", ""))
                next_rows.append(
                    (
                        activity.number,
                        activity.title,
                        activity.deadline_text or k.DASH,
                        activity.responsible or k.DASH,
                        STATUS_LABELS.get(activity.status, activity.status),
                    )
                )
    if section_rows:
        doc.add(
            c.Table(
                (
                    c.Column("Раздел дорожной карты", 4),
                    c.Column("Мероприятий со сроком в учебном году", 1.3, "right"),
                    c.Column("Выполнено", 1, "right"),
                    c.Column("Доля выполненных, %", 1.1, "right"),
                    c.Column("Средний прогресс, %", 1.1, "right"),
                ),
                tuple(section_rows),
                caption=f"Выполнение мероприятий со сроком в {k.year_label(year)} учебном году",
            )
        )
    else:
        doc.add(
            c.Paragraph(
                "Мероприятий дорожной карты со сроком в "
                f"{k.year_label(year)} учебном году в базе нет."
            )
        )
    _school_reports(db, doc, year)
    if next_rows:
        doc.add(c.Heading(f"План мероприятий на {k.school_year_words(year + 1)}", 2))
        doc.add(
            c.Table(
                (
                    c.Column("№", 0.6),
                    c.Column("Мероприятие", 4),
                    c.Column("Срок", 1.5),
                    c.Column("Ответственные", 2),
                    c.Column("Статус", 1.5),
                ),
                tuple(next_rows),
                caption="Перечень мероприятий («Дорожная карта»)",
                group_rows=frozenset(next_groups),
                narrow=True,
            )
        )
    return (done_total, due_total)


def _school_reports(db: Database, doc: c.Document, year: int) -> None:
    """The schools' own reports on the activities (sent in their workbooks) for the year:
    a line per activity reported on, with how many schools reported it done, in progress …"""
    tallies = db.roadmap.school_report_tallies(year)
    if not tallies:
        return
    report_rows: list[tuple[str, ...]] = []
    for programme in db.roadmap.programmes():
        for activity in db.roadmap.activities(RoadmapQuery(programme.id)):
            tally = tallies.get(activity.id)
            if tally is not None:
                report_rows.append(
                    (
                        activity.number,
                        activity.title,
                        k.count(tally.reported),
                        k.count(tally.done),
                        k.count(tally.in_progress),
                        k.count(tally.partly + tally.not_done),
                    )
                )
    if report_rows:
        doc.add(
            c.Table(
                (
                    c.Column("№", 0.6),
                    c.Column("Мероприятие", 4),
                    c.Column("Отчитались школ", 1.1, "right"),
                    c.Column("Выполнено", 1, "right"),
                    c.Column("Выполняется", 1.1, "right"),
                    c.Column("Частично или не выполнено", 1.3, "right"),
                ),
                tuple(report_rows),
                caption=(
                    f"Отчёты школ о выполнении мероприятий за {k.year_label(year)} учебный год"
                ),
                narrow=True,
            )
        )


def draft_conclusions(
    schools: Sequence[k.SchoolYear],
    groups: dict[str, list[k.SchoolYear]],
    indicators: tuple[int, int],
    roadmap: tuple[int, int],
    year: int,
) -> str:
    """A draft of the conclusions from the figures, while the coordinator has written none."""
    parts = [
        f"По итогам {k.year_label(year)} учебного года сопровождением охвачены "
        f"{len(schools)} общеобразовательных организаций района: "
        + "; ".join(
            f"{_lower_first(k.group_label(g))} — {len(items)}" for g, items in groups.items()
        )
        + "."
    ]
    met, judged = indicators
    if judged:
        parts.append(f"Из {judged} показателей программы с планом и фактом выполнены {met}.")
    done, due = roadmap
    if due:
        parts.append(
            f"Из {due} мероприятий дорожной карты со сроком в учебном году выполнены {done}."
        )
    parts.append(
        "Дальнейшая работа предполагает проведение мероприятий в следующем учебном году в "
        "соответствии с дорожной картой: диагностика и методическое сопровождение школ с низкими "
        "образовательными результатами и школ, функционирующих в неблагоприятных социальных "
        "условиях, мониторинг динамики результатов ГИА и ВПР."
    )
    return "\n".join(parts)


def _lower_first(text: str) -> str:
    """«Зона риска (ШНСУ)» → «зона риска (ШНСУ)»; an abbreviation («ШНОР») stays."""
    if len(text) > 1 and text[1].islower():
        return text[0].lower() + text[1:]
    return text
