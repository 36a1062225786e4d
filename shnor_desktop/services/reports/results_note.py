"""«Аналитическая справка»: the results of ВПР, ОГЭ and ЕГЭ of a school year.

For each procedure the district's pooled values by subject and grade with
their dynamics in п.п. against the year before; for the exams each school's
mean score against the district's and its share below the minimum; for ВПР
the objectivity of the marks with the schools flagged past the threshold of
the settings; two-year charts by school for Russian and maths; the
coordinator's conclusions (``report_text``, kind «results»).
"""

from __future__ import annotations

from shnor_desktop.models import metrics
from shnor_desktop.models.database import Database
from shnor_desktop.models.jobs import JobState
from shnor_desktop.models.report_texts import ReportTextRepository
from shnor_desktop.models.results import ExamQuery, ObjectivityQuery
from shnor_desktop.models.settings import OBJECTIVITY_THRESHOLD
from shnor_desktop.models.text import format_number
from shnor_desktop.services.reports import common as k
from shnor_desktop.services.reports import content as c
from shnor_desktop.services.reports.errors import ReportInputError
from shnor_desktop.services.reports.settings import letterhead

EXAMS = ("ОГЭ", "ЕГЭ", "ГВЭ")


def build(db: Database, params: k.ReportParams, state: JobState) -> c.Document:
    """The note on the results of ``params.year`` (default: the latest year with real results)."""
    year = params.year if params.year is not None else db.results.default_year()
    if year is None:
        raise ReportInputError("no_data")
    procedures = db.results.procedures(year)
    if not procedures:
        raise ReportInputError("no_results", k.year_label(year))
    before = year - 1
    head = letterhead(db)
    district = db.district.district()
    doc = c.Document(
        kind="results",
        title="Аналитическая справка о результатах оценочных процедур "
        f"(ВПР, ОГЭ, ЕГЭ) за {k.school_year_words(year)}",
        subtitle=district.name if district is not None else "",
        letterhead=head,
        number=params.number,
        date=params.date or k.today(),
        running_title=f"Аналитическая справка о результатах ВПР, ОГЭ, ЕГЭ, {k.year_label(year)}",
    )
    lines = k.school_result_lines(db, None, (before, year))
    schools_with = db.results.school_counts(year)
    participants = sum(cn.participants or 0 for cn in schools_with.values())
    doc.add(c.Heading("1. Общие сведения", 1))
    doc.add(
        c.Paragraph(
            f"В {k.year_label(year)} учебном году оценочные процедуры ({', '.join(procedures)}) "
            f"прошли в {len(schools_with)} общеобразовательных организациях и филиалах; "
            f"всего {k.count(participants)} участий обучающихся. Значения района рассчитаны по "
            "сумме обучающихся всех школ (а не как среднее процентов школ); динамика указана в "
            f"процентных пунктах (п.п.) к {k.year_label(before)} учебному году."
        )
    )
    number = 1
    threshold = float(db.settings.get(OBJECTIVITY_THRESHOLD))
    total_steps = len(procedures) + 1
    for step, procedure in enumerate(procedures, start=1):
        state.check()
        state.progress(step, total_steps, f"Аналитическая справка: {procedure}")
        number += 1
        doc.add(c.Heading(f"{number}. {procedure}", 1))
        table = k.dynamics_table(
            {key: v for key, v in lines.items() if key[0] == procedure},
            (before, year),
            caption=f"{procedure}: значения района, {k.year_label(before)} и {k.year_label(year)}",
        )
        if table is not None:
            doc.add(table)
        if procedure in EXAMS:
            _exams(db, doc, procedure, year)
        if procedure == "ВПР":
            _objectivity(db, doc, year, threshold)
        for subject in k.MAIN_SUBJECTS:
            grades = db.results.grades(procedure, subject, year)
            shown = [g for g in grades if g in (5, 9, 11)] or grades[:1]
            for grade in shown:
                chart = k.two_year_chart(db, procedure, subject, grade, (before, year), "quality")
                if chart is not None:
                    doc.add(
                        c.Chart(
                            chart,
                            f"{procedure}, «{subject}», {grade} класс: качество знаний по школам, "
                            f"{k.year_label(before)} и {k.year_label(year)}",
                        )
                    )
    state.progress(total_steps, total_steps, "Аналитическая справка: выводы")
    number += 1
    doc.add(c.Heading(f"{number}. Выводы", 1))
    text = ReportTextRepository(db.log).get("results", year)
    if not text:
        text = _draft(lines, (before, year))
    for part in (p for p in text.split("\n") if p.strip()):
        doc.add(c.Paragraph(" ".join(part.split())))
    doc.signature = c.Signature(((head.signer_position, head.signer_name),))
    return doc


def _exams(db: Database, doc: c.Document, procedure: str, year: int) -> None:
    for subject in db.results.subjects(procedure, year):
        comparison = db.results.exam_comparison(ExamQuery(year, procedure, subject))
        if not comparison.rows or comparison.district.mean_score is None:
            continue
        rows = []
        marked = set()
        for index, row in enumerate(comparison.rows):
            rows.append(
                (
                    row.school,
                    k.count(row.counts.participants),
                    k.score(row.mean_score),
                    k.delta(row.difference).replace(",", ",", 1),
                    k.pct(row.below_minimum),
                )
            )
            if row.below_district:
                marked.add((index, 3))
        district = comparison.district
        rows.append(
            (
                "Район",
                k.count(district.counts.participants),
                k.score(district.mean_score),
                k.DASH,
                k.pct(district.below_minimum),
            )
        )
        share = comparison.below_district_share
        doc.add(
            c.Table(
                (
                    c.Column("Школа", 3),
                    c.Column("Участники", 1, "right"),
                    c.Column("Средний балл", 1.1, "right"),
                    c.Column("Отклонение от района", 1.2, "right"),
                    c.Column("Ниже минимума, %", 1.1, "right"),
                ),
                tuple(rows),
                caption=f"{procedure}, «{subject}»: средний балл школ и района",
                bold_rows=frozenset({len(rows) - 1}),
                marked=frozenset(marked),
                note=(
                    f"Средний балл ниже районного у {format_number(share, 0)} % школ (выделены)."
                    if share
                    else ""
                ),
            )
        )


def _objectivity(db: Database, doc: c.Document, year: int, threshold: float) -> None:
    result = db.results.objectivity(ObjectivityQuery(year, threshold=threshold))
    if not result.rows:
        return
    rows = []
    marked: set[tuple[int, int]] = set()
    for index, row in enumerate(result.rows):
        rows.append(
            (
                row.school,
                k.count(row.counts.compared),
                k.pct(row.lowered),
                k.pct(row.confirmed),
                k.pct(row.raised),
                "есть" if row.flagged else "нет",
            )
        )
        if row.lowered_flag:
            marked.add((index, 2))
        if row.raised_flag:
            marked.add((index, 4))
        if row.flagged:
            marked.add((index, 5))
    d = result.district
    rows.append(
        (
            "Район",
            k.count(d.counts.compared),
            k.pct(d.lowered),
            k.pct(d.confirmed),
            k.pct(d.raised),
            "",
        )
    )
    doc.add(
        c.Table(
            (
                c.Column("Школа", 3),
                c.Column("Сравнено обучающихся", 1.1, "right"),
                c.Column("Понизили, %", 1, "right"),
                c.Column("Подтвердили, %", 1.1, "right"),
                c.Column("Повысили, %", 1, "right"),
                c.Column("Признаки необъективности", 1.3, "center"),
            ),
            tuple(rows),
            caption=f"Объективность ВПР {k.year_label(year)}: отметки за ВПР и по журналу",
            bold_rows=frozenset({len(rows) - 1}),
            marked=frozenset(marked),
            note=f"Признак необъективности: доля понизивших или повысивших отметку больше "
            f"{format_number(threshold, 0)} % (порог задаётся в настройках).",
        )
    )


def _draft(lines: dict[tuple[str, str, int, int], metrics.Counts], years: tuple[int, int]) -> str:
    before, year = years
    better: list[str] = []
    worse: list[str] = []
    for key in sorted({key[:3] for key in lines}, key=k.result_key_order):
        a, b = lines.get((*key, before)), lines.get((*key, year))
        change = metrics.change(
            metrics.quality(a) if a else None, metrics.quality(b) if b else None
        )
        if change is None or key[1] not in k.MAIN_SUBJECTS:
            continue
        label = f"{key[0]} «{key[1]}», {key[2]} кл. ({k.delta(change)} п.п.)"
        if change >= 5:
            better.append(label)
        elif change <= -5:
            worse.append(label)
    parts = []
    if better:
        parts.append("Качество знаний выросло: " + "; ".join(better) + ".")
    if worse:
        parts.append("Качество знаний снизилось: " + "; ".join(worse) + ".")
    parts.append(
        "Результаты справки рассмотреть на заседании рабочей группы и совещании руководителей; "
        "школам со снижением результатов и с признаками необъективности — разработать адресные "
        "меры в рамках дорожной карты."
    )
    return "\n".join(parts)
