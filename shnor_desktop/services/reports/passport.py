"""«Паспорт общеобразовательной организации»: one school in one school year, with its dynamics."""

from __future__ import annotations

from shnor_desktop.models.database import Database
from shnor_desktop.models.jobs import JobState
from shnor_desktop.models.metrics import Counts
from shnor_desktop.models.text import format_number
from shnor_desktop.services.reports import common as k
from shnor_desktop.services.reports import content as c
from shnor_desktop.services.reports.charts import BarChart, Series
from shnor_desktop.services.reports.errors import ReportInputError
from shnor_desktop.services.reports.settings import letterhead


def build(  # noqa: PLR0915 (the sections in order)
    db: Database, params: k.ReportParams, state: JobState
) -> c.Document:
    """The passport of the school ``params.school`` for ``params.year``."""
    if not params.school:
        raise ReportInputError("school_required")
    school = k.find_school(db, params.school)
    if school is None:
        raise ReportInputError("unknown_school", params.school)
    years_known = db.schools.years()
    year = params.year if params.year is not None else db.schools.default_year()
    if year is None:
        raise ReportInputError("no_data")
    profile = db.schools.profile(school.id, year)
    if profile is None:
        raise ReportInputError("no_passport", school.short_name, k.year_label(year))
    state.set_status("Паспорт школы: общие сведения")
    head = letterhead(db)
    doc = c.Document(
        kind="passport",
        title="Паспорт общеобразовательной организации",
        subtitle=f"{school.full_name}\nна {k.school_year_words(year)}",
        letterhead=head,
        number=params.number,
        date=params.date or k.today(),
        running_title=f"Паспорт: {school.short_name}, {k.year_label(year)}",
    )
    item = k.SchoolYear(school, profile, tuple(db.schools.branches(school.id)))
    doc.add(c.Heading("1. Общие сведения", 2))
    general = [
        ("Полное наименование", school.full_name),
        ("Краткое наименование", school.short_name),
        ("Код", school.code),
        ("Вид организации", school.kind or k.DASH),
        ("Населённый пункт", school.locality or k.DASH),
        ("Директор", school.director or k.DASH),
        ("Адрес", school.address or k.DASH),
        ("Телефон, эл. почта", ", ".join(x for x in (school.phone, school.email) if x) or k.DASH),
    ]
    doc.add(c.KeyValues((*general, *k.passport_facts(db, item))))
    state.check()

    doc.add(c.Heading("2. Группа и сопровождение", 2))
    support = [
        ("Группа в учебном году", k.group_label(profile.group_code)),
        ("Основание", profile.group_reason or k.DASH),
        ("Куратор", k.person_name(db, profile.curator_id) or k.DASH),
        ("Школа-наставник", k.school_name(db, profile.mentor_school_id) or k.DASH),
    ]
    if profile.notes:
        support.append(("Примечания", profile.notes))
    doc.add(c.KeyValues(tuple(support)))

    doc.add(c.Heading("3. Показатели паспорта в динамике", 2))
    shown = [y for y in years_known if year - 2 <= y <= year]
    doc.add(k.passport_dynamics(db, school, shown))
    generated = set(profile.generated_fields)
    if generated:
        doc.add(
            c.Paragraph(
                "Часть показателей этого года не взята из документов школы "
                f"(сгенерировано или рассчитано: {len(generated)} полей).",
                "note",
            )
        )
    state.check()

    doc.add(c.Heading("4. Дефициты", 2))
    deficits = k.deficits_of(db, item)
    doc.add(c.KeyValues(tuple(deficits)) if deficits else c.Paragraph("Дефициты не указаны."))
    risks = k.risk_profile(db, school.id, year)
    if risks:
        doc.add(
            c.Table(
                (c.Column("Фактор риска", 3), c.Column("Уровень", 1), c.Column("Меры", 4)),
                tuple((name, level, "\n".join(m) or k.DASH) for name, level, m in risks),
                caption="Рисковый профиль и антирисковые меры",
            )
        )

    state.set_status("Паспорт школы: результаты")
    doc.add(c.Heading("5. Результаты оценочных процедур", 2))
    before = year - 1
    ids = [school.id, *(b.id for b in item.branches)]
    lines = k.school_result_lines(db, ids, (before, year))
    table = k.dynamics_table(
        lines,
        (before, year),
        caption=f"Результаты {k.year_label(before)} и {k.year_label(year)} учебных лет"
        + (" (вместе с филиалами)" if item.branches else ""),
    )
    if table is None:
        doc.add(c.Paragraph("Результатов оценочных процедур за эти годы нет."))
    else:
        doc.add(table)
        exams = [
            (key, counts)
            for key, counts in lines.items()
            if key[0] in ("ОГЭ", "ЕГЭ") and key[3] == year and counts.score_sum is not None
        ]
        if exams:
            doc.add(
                c.Paragraph(
                    "Средние баллы экзаменов "
                    + k.year_label(year)
                    + ": "
                    + "; ".join(
                        f"{p} {s.lower()} — "
                        + format_number((cn.score_sum or 0) / (cn.participants or 1), 2)
                        for (p, s, _, _), cn in sorted(
                            exams, key=lambda e: k.result_key_order(e[0][:3])
                        )
                    )
                    + ".",
                    "lead",
                )
            )
        chart = _quality_chart(lines, (before, year))
        if chart is not None:
            doc.add(
                c.Chart(chart, f"Качество знаний: {k.year_label(before)} и {k.year_label(year)}")
            )
    doc.signature = c.Signature(((head.signer_position, head.signer_name),))
    return doc


def _quality_chart(
    lines: dict[tuple[str, str, int, int], Counts], years: tuple[int, int]
) -> BarChart | None:
    """The school's quality by procedure, subject and grade in the two years (main subjects)."""
    from shnor_desktop.models import metrics

    keys = sorted(
        {key[:3] for key in lines if key[1] in k.MAIN_SUBJECTS and key[0] in ("ВПР", "ОГЭ", "ЕГЭ")},
        key=k.result_key_order,
    )
    if not keys:
        return None
    categories = tuple(f"{p} {s.lower()}, {g} кл." for p, s, g in keys)
    series = tuple(
        Series(
            k.year_label(y),
            tuple(
                (metrics.quality(lines[(*key, y)]) if (*key, y) in lines else None) for key in keys
            ),
        )
        for y in years
    )
    return BarChart("Качество знаний", categories, series)
