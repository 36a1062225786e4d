"""Bench of the tutor journal at the scale of a region (issue 9).

Builds 1,500 schools with their passports of five school years (2019/20 …
2023/24, a group each), 150 tutors and 20,000 journal entries over those five
years (each with one or two deficits of a list of 40), then prints:

* the build through the write path (one change set);
* filtering: the count and the first page (500 rows) of the journal for a
  school year and a tutor; a search of a word in all the text; the whole
  journal ordered by school;
* the coordinator's weekly lists: follow-ups overdue, and the schools of the
  supported groups with no visit for 60 days;
* the chart: the monthly counts of a school year for every school (SQL), and
  drawing them (``VisitsChart.set_data`` and a paint of the widget, offscreen);
* the journal page reading everything again, as after a saved entry.

Targets: ≤ 200 ms each.  Usage: ``.venv/bin/python bench/journal.py
[--entries 20000] [--schools 1500]``.  The last line is one JSON object of the
figures.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import tempfile
from datetime import date, timedelta
from pathlib import Path

from _common import median_ms, timed  # bench/ is on sys.path when a bench runs

from shnor_desktop.models.database import Database
from shnor_desktop.models.journal import (
    FORMS,
    JournalQuery,
    VisitDraft,
    insert_visits,
    school_year_period,
)

YEARS = (2019, 2020, 2021, 2022, 2023)
GROUPS = ("shnor", "risk", "prevention", "leader", "none")
SUPPORTED = ("shnor", "risk", "prevention")
TUTORS = 150
DEFICITS = tuple(f"Дефицит №{i + 1}: предметная и методическая компетентность" for i in range(40))
WORDS = ("объективность", "ВСОКО", "мотивация", "диагностика", "родители", "ВПР", "ОГЭ")


def build(db: Database, schools: int, entries: int) -> None:
    """The region: schools, passports, tutors and the journal, in one change set."""
    rng = random.Random(2022)
    with db.log.change_set("Регион", "demo") as cs:
        school_ids = cs.insert_many(
            "school",
            [
                {
                    "code": f"{i:04d}",
                    "full_name": f"МОУ «СОШ с. Село-{i}»",
                    "short_name": f"СОШ с. Село-{i}",
                    "locality": f"с. Село-{i}",
                }
                for i in range(schools)
            ],
        )
        cs.insert_many(
            "school_profile",
            [
                {"school_id": s, "year": y, "group_code": rng.choice(GROUPS)}
                for s in school_ids
                for y in YEARS
            ],
        )
        tutor_ids = cs.insert_many(
            "person", [{"full_name": f"Тьютор {i} И.О."} for i in range(TUTORS)]
        )
        cs.insert_many("person_role", [{"person_id": t, "role": "tutor"} for t in tutor_ids])
        first, last = date(YEARS[0], 9, 1), date(YEARS[-1] + 1, 5, 31)
        span = (last - first).days
        drafts = []
        for _ in range(entries):
            day = first + timedelta(days=rng.randrange(span))
            drafts.append(
                VisitDraft(
                    visit_date=day,
                    tutor_id=rng.choice(tutor_ids),
                    school_id=rng.choice(school_ids),
                    form=rng.choice(FORMS),
                    topic=f"Тема: {rng.choice(WORDS)} и {rng.choice(WORDS)}",
                    participants=rng.randint(1, 30),
                    findings=f"Выявлено: {rng.choice(WORDS)}.",
                    recommendations=f"Рекомендовано: {rng.choice(WORDS)}.",
                    due_date=day + timedelta(days=rng.choice((14, 21, 30))),
                    follow_up_status=rng.choice(("open", "in_progress", "done", "done")),
                    deficits=tuple(rng.sample(DEFICITS, rng.randint(1, 2))),
                    generated=True,
                )
            )
        insert_visits(cs, db.log.reader(), drafts)


def chart_draw_ms(db: Database, period: tuple[date, date]) -> tuple[float, float]:
    """Median ms of the chart's query, and of its drawing (set_data and a paint), offscreen."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from shnor_desktop.ui.journal_chart import VisitsChart

    app = QApplication.instance() or QApplication([])
    chart = VisitsChart()
    chart.resize(1100, 560)
    chart.show()
    app.processEvents()
    monthly = db.journal.visits_per_month(None, period)
    query_ms = median_ms(lambda: db.journal.visits_per_month(None, period), repeat=11)

    def draw() -> None:
        chart.set_data(monthly, "Посещения школ по месяцам")
        chart.grab()  # the paint the screen would do

    draw_ms = median_ms(draw, repeat=11)
    chart.close()
    return query_ms, draw_ms


def panel_reload_ms(db: Database, today: date) -> float:
    """Median ms of the journal page reading everything again (what a saved entry costs)."""
    from PySide6.QtWidgets import QApplication

    from shnor_desktop.ui.common import DataBus
    from shnor_desktop.ui.journal_panel import JournalPanel

    app = QApplication.instance()
    assert app is not None
    panel = JournalPanel(DataBus())
    panel.today = today
    panel.set_database(db)
    panel.resize(1150, 660)
    panel.show()
    app.processEvents()
    elapsed = median_ms(panel.reload, repeat=11)
    panel.close()
    return elapsed


def main() -> None:
    """Run the bench and print its figures."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--entries", type=int, default=20_000)
    parser.add_argument("--schools", type=int, default=1_500)
    args = parser.parse_args()
    figures: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as folder:
        db = Database.open(Path(folder) / "journal.sqlite")
        try:
            seconds, _ = timed(lambda: build(db, args.schools, args.entries))
            figures["build_s"] = round(seconds, 2)
            figures["entries"] = db.journal.count(JournalQuery())
            figures["schools"] = args.schools
            today = date(2024, 3, 1)
            year = school_year_period(2022)
            tutor = db.district.people("tutor")[7].id

            def page(query: JournalQuery) -> None:
                db.journal.count(query)
                db.journal.visits(query, offset=0, limit=500)

            by_year_tutor = JournalQuery(period=year, tutor_id=tutor, today=today)
            figures["filter_year_tutor_ms"] = round(median_ms(lambda: page(by_year_tutor)), 1)
            search = JournalQuery(search="ДИАГНОСТИКА", today=today)
            figures["search_all_text_ms"] = round(median_ms(lambda: page(search), repeat=11), 1)
            by_school = JournalQuery(order="school", descending=False, today=today)
            figures["order_by_school_ms"] = round(median_ms(lambda: page(by_school), repeat=11), 1)
            overdue = JournalQuery(follow_up="overdue", today=today)
            figures["overdue_filter_ms"] = round(median_ms(lambda: page(overdue), repeat=11), 1)
            figures["overdue_list_rows"] = len(db.journal.overdue_follow_ups(today))
            figures["overdue_list_ms"] = round(
                median_ms(lambda: db.journal.overdue_follow_ups(today), repeat=11), 1
            )
            no_visit = db.journal.schools_without_visit(60, today, year=2023, groups=SUPPORTED)
            figures["no_visit_rows"] = len(no_visit)
            figures["no_visit_60_days_ms"] = round(
                median_ms(
                    lambda: db.journal.schools_without_visit(
                        60, today, year=2023, groups=SUPPORTED
                    ),
                    repeat=11,
                ),
                1,
            )
            query_ms, draw_ms = chart_draw_ms(db, year)
            figures["chart_query_ms"] = round(query_ms, 1)
            figures["chart_draw_ms"] = round(draw_ms, 1)
            figures["chart_total_ms"] = round(query_ms + draw_ms, 1)
            figures["journal_page_reload_ms"] = round(panel_reload_ms(db, today), 1)
        finally:
            db.close()
    for key, value in figures.items():
        print(f"{key:>22}: {value}")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
