"""Bench of the roadmap reads the Gantt chart and the panels make (issue 8).

Builds a programme of four years (2021–2024) with 500 activities in 10 blocks,
their deadlines drawn from the phrases the seeds use (monthly ones give 48
intervals each), every interval also kept as the baseline; then prints:

* the build through the repository (one change set);
* the Gantt's read of every activity with its intervals and baseline;
* a filtered read (status and due in a period), a search, the «Сводка» summary;
* moving an activity to the top of its block (renumbering) and its undo.

Target: the Gantt's read well under 100 ms.

Usage: ``.venv/bin/python bench/roadmap.py [--activities 500]``.  The last line
is one JSON object of the figures.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from datetime import date
from pathlib import Path

from _common import median_ms, timed  # bench/ is on sys.path when a bench runs

from shnor_desktop.models.database import Database
from shnor_desktop.models.roadmap import ActivityDraft, RoadmapQuery, SectionDraft

DEADLINES = (
    "ежегодно, август",
    "Январь 2022-май 2024",
    "в течение года",
    "ежемесячно",
    "2 раза в год (май, декабрь)",
    "сентябрь 2023г.- май 2024 г.",
    "до 01.09.2023",
    "по заявке",
    "Сентябрь, 2021",
    "ежеквартально",
)
STATUSES = ("planned", "in_progress", "done", "partly")


def build(db: Database, activities: int) -> int:
    """The programme and its roadmap; the programme's id."""
    with db.log.change_set("Район", "demo") as cs:
        district = cs.insert("district", {"name": "Район"})
    _, programme = db.roadmap.add_programme(
        {"district_id": district, "title": "Программа", "start_year": 2021, "end_year": 2024},
        "Программа",
    )
    per_block = activities // 10
    sections = tuple(
        SectionDraft(
            f"Блок {block + 1}",
            str(block + 1),
            tuple(
                ActivityDraft(
                    f"Мероприятие {block + 1}.{i + 1} по повышению качества образования",
                    responsible="Управление образования, МБУО Центр образования",
                    deadline_text=DEADLINES[(block + i) % len(DEADLINES)],
                    expected_result="Аналитическая справка",
                    status=STATUSES[i % len(STATUSES)],
                )
                for i in range(per_block)
            ),
        )
        for block in range(10)
    )
    db.roadmap.add_roadmap(programme, sections, "Дорожная карта")
    return programme


def main() -> None:
    """Run the bench and print its figures."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--activities", type=int, default=500)
    args = parser.parse_args()
    figures: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as folder:
        db = Database.open(Path(folder) / "roadmap.sqlite")
        try:
            seconds, programme = timed(lambda: build(db, args.activities))
            figures["build_s"] = round(seconds, 3)
            read = db.roadmap.activities(RoadmapQuery(programme))
            intervals = sum(len(a.intervals) + len(a.baseline) for a in read)
            figures["activities"] = len(read)
            figures["interval_rows"] = intervals
            query = RoadmapQuery(programme)
            figures["gantt_read_ms"] = round(median_ms(lambda: db.roadmap.activities(query)), 2)
            filtered = RoadmapQuery(
                programme,
                statuses=("planned", "in_progress"),
                due_from=date(2023, 9, 1),
                due_to=date(2023, 12, 31),
            )
            figures["filtered_read_ms"] = round(
                median_ms(lambda: db.roadmap.activities(filtered)), 2
            )
            search = RoadmapQuery(programme, search="МЕРОПРИЯТИЕ 5.")
            figures["search_ms"] = round(median_ms(lambda: db.roadmap.activities(search)), 2)
            today = date(2023, 11, 1)
            figures["summary_ms"] = round(
                median_ms(lambda: db.roadmap.summary(programme, today)), 2
            )
            last = read[len(read) // 10 - 1]
            seconds, _ = timed(
                lambda: db.roadmap.move_activity(last.id, last.section_id, 0, "Перенос")
            )
            figures["move_renumber_ms"] = round(seconds * 1000, 2)
            seconds, _ = timed(db.undo.undo)
            figures["undo_move_ms"] = round(seconds * 1000, 2)
        finally:
            db.close()
    for key, value in figures.items():
        print(f"{key:>20}: {value}")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
