"""«Журнал работы тьюторов»: the tutor journal of a period, with the follow-ups.

The period is by default the school year (1 September – 31 August).  The
entries by date with their findings, deficits and recommendations; how each
recommendation was followed up as seen on the day of the report (an open one
past its due date is «просрочено»); the overdue ones on their own; the
deficits named most often.
"""

from __future__ import annotations

from collections import Counter

from shnor_desktop.models.database import Database
from shnor_desktop.models.jobs import JobState
from shnor_desktop.models.journal import FOLLOW_UP_LABELS, JournalQuery, school_year_period
from shnor_desktop.models.text import format_date
from shnor_desktop.services.reports import common as k
from shnor_desktop.services.reports import content as c
from shnor_desktop.services.reports.errors import ReportInputError
from shnor_desktop.services.reports.settings import letterhead


def build(  # noqa: PLR0915 (the sections in order)
    db: Database, params: k.ReportParams, state: JobState
) -> c.Document:
    """The journal of ``params.date_from``–``date_to`` (default: the school year ``year``)."""
    year = params.year
    if year is None:
        years = db.journal.years()
        year = years[-1] if years else db.schools.default_year()
    if year is None:
        raise ReportInputError("no_data")
    start, end = school_year_period(year)
    start = params.date_from or start
    end = params.date_to or end
    if start > end:
        raise ReportInputError("bad_period", format_date(start), format_date(end))
    today = params.date or k.today()
    state.set_status("Журнал тьюторов: записи периода")
    visits = db.journal.visits(JournalQuery(period=(start, end), order="date", descending=False))
    head = letterhead(db)
    period = f"с {format_date(start)} по {format_date(end)}"
    doc = c.Document(
        kind="journal",
        title="Журнал работы муниципальной тьюторской команды",
        subtitle=f"за период {period}",
        letterhead=head,
        number=params.number,
        date=params.date or k.today(),
        running_title=f"Журнал тьюторов {period}",
    )
    doc.add(c.Heading("1. Итоги периода", 1))
    forms = Counter(v.form for v in visits)
    schools = {v.school_id for v in visits if v.school_id is not None}
    tutors = {v.tutor_id for v in visits if v.tutor_id is not None}
    statuses = Counter(v.status_on(today) for v in visits)
    doc.add(
        c.Paragraph(
            f"За период {period} в журнале "
            f"{k.plural(len(visits), 'запись', 'записи', 'записей')} о работе "
            f"{k.plural(len(tutors), 'тьютора', 'тьюторов', 'тьюторов')} в "
            f"{k.plural(len(schools), 'школе', 'школах', 'школах')}. "
            + (
                "По формам работы: "
                + "; ".join(f"{form} — {n}" for form, n in forms.most_common())
                + ". "
                if forms
                else ""
            )
            + (
                "Исполнение рекомендаций на "
                + format_date(today)
                + ": "
                + "; ".join(
                    f"{FOLLOW_UP_LABELS.get(s, s)} — {n}" for s, n in statuses.most_common()
                )
                + "."
                if statuses
                else ""
            )
        )
    )
    state.check()
    doc.add(c.Heading("2. Записи журнала", 1))
    if not visits:
        doc.add(c.Paragraph("Записей за период нет."))
    rows = []
    marked: set[tuple[int, int]] = set()
    for index, v in enumerate(visits):
        status = v.status_on(today)
        follow = FOLLOW_UP_LABELS.get(status, status)
        if v.follow_up_note:
            follow += f"\n{v.follow_up_note}"
        findings = v.findings
        if v.deficits:
            findings += ("\n" if findings else "") + "Дефициты: " + "; ".join(v.deficits)
        rows.append(
            (
                format_date(v.visit_date),
                v.tutor_name or k.DASH,
                v.school_name or k.DASH,
                v.form + (f", {v.participants} чел." if v.participants else ""),
                (v.topic + ("\n" if v.topic and findings else "") + findings) or k.DASH,
                v.recommendations or k.DASH,
                format_date(v.due_date) or k.DASH,
                follow,
            )
        )
        if status == "overdue":
            marked.add((index, 7))
    if rows:
        doc.add(
            c.Table(
                (
                    c.Column("Дата", 1.25),
                    c.Column("Тьютор", 1.2),
                    c.Column("Школа", 1.3),
                    c.Column("Форма", 1.0),
                    c.Column("Тема, выводы, дефициты", 3.0),
                    c.Column("Рекомендации", 2.2),
                    c.Column("Срок", 1.25),
                    c.Column("Исполнение", 1.1),
                ),
                tuple(rows),
                narrow=True,
                marked=frozenset(marked),
            )
        )
    state.check()
    overdue = [v for v in visits if v.status_on(today) == "overdue"]
    doc.add(c.Heading(f"3. Рекомендации, не исполненные в срок (на {format_date(today)})", 1))
    if overdue:
        doc.add(
            c.Table(
                (
                    c.Column("Школа", 1.5),
                    c.Column("Рекомендация", 4),
                    c.Column("Срок", 1),
                    c.Column("Просрочено, дней", 1, "right"),
                    c.Column("Тьютор", 1.3),
                ),
                tuple(
                    (
                        v.school_name or k.DASH,
                        v.recommendations or v.topic or k.DASH,
                        format_date(v.due_date) or k.DASH,
                        str(v.days_overdue(today)),
                        v.tutor_name or k.DASH,
                    )
                    for v in sorted(overdue, key=lambda v: v.due_date or v.visit_date)
                ),
                narrow=True,
            )
        )
    else:
        doc.add(c.Paragraph("Просроченных рекомендаций нет."))
    deficits = Counter(d for v in visits for d in v.deficits)
    if deficits:
        doc.add(c.Heading("4. Выявленные дефициты", 1))
        doc.add(
            c.Table(
                (c.Column("Дефицит", 5), c.Column("Записей", 1, "right")),
                tuple((name, str(n)) for name, n in deficits.most_common()),
            )
        )
    doc.signature = c.Signature(((head.signer_position, head.signer_name),))
    return doc
