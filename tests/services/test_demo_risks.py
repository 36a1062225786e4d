"""The demo's risk profiles (2022/23, 2023/24) and events, read back through the repositories."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from shnor_desktop.models.database import Database
from shnor_desktop.models.events import EventQuery, school_year_period
from shnor_desktop.models.risks import MatrixFilter, shipped_factors
from shnor_desktop.models.text import fold
from shnor_desktop.services.demo_events import SEED_000_EVENTS, UNFIT
from shnor_desktop.services.demo_risks import RISKS


@pytest.fixture
def db(demo_path: Path) -> Iterator[Database]:
    opened = Database.open(demo_path)
    try:
        yield opened
    finally:
        opened.close()


def _codes(db: Database) -> dict[int, str]:
    return {f.id: f.code for f in db.risks.factors()}


def test_the_shipped_list_is_in_the_demo(db: Database) -> None:
    assert [(f.code, f.name) for f in db.risks.factors()] == [
        (d.code, d.name) for d in shipped_factors()
    ]
    # Written in the demo's change set: not an action to undo.
    assert not db.undo.can_undo


def test_matrix_of_2023(db: Database) -> None:
    matrix = db.risks.matrix(2023)
    assert [s.short_name for s in matrix.schools] == [
        "ООШ с. Арбузовка",
        "ООШ с. Канаевка",
        "ООШ с. Клевенка",
        "СОШ п. Знаменский",
        "СОШ с. Бартеневка",
        "СОШ с. Ивановка",
        "СОШ с. Яблоновый Гай",
    ]
    codes = _codes(db)
    counts = {codes[f.id]: matrix.count(f.id).schools for f in matrix.factors}
    assert counts == {
        "R01": 2,  # Арбузовка (capital repair), Клевенка (no stable internet)
        "R02": 2,
        "R03": 1,
        "R04": 2,  # the risk zone's 2023 trajectory
        "R05": 1,
        "R06": 6,
        "R07": 2,  # Знаменский, Ивановка: children of Tajik families
        "R08": 1,
        "R09": 2,
        "R10": 3,
        "R11": 0,
        "R12": 0,
    }
    failure = next(f for f in matrix.factors if f.code == "R06")
    count = matrix.count(failure.id)
    assert (count.high, count.medium, count.low) == (2, 4, 0)
    assert all(cell.generated for cell in matrix.cells.values())
    shnor = db.risks.matrix(2023, MatrixFilter(group="shnor"))
    assert [s.short_name for s in shnor.schools] == ["СОШ с. Бартеневка"]
    assert len(db.risks.matrix(2022).factors) == 11  # the list of 2022/23 is shorter


def test_bartenevka_over_the_years(db: Database) -> None:
    school = next(s for s in db.schools.all_schools() if s.code == "01")
    profile = db.risks.profile(school.id)
    assert profile.years == (2022, 2023)
    codes = _codes(db)
    assert [codes[f.id] for f in profile.factors] == ["R02", "R03", "R05", "R08", "R09"]
    env = next(f for f in profile.factors if codes[f.id] == "R08")
    before, after = profile.risk(2022, env.id), profile.risk(2023, env.id)
    assert before is not None and after is not None
    assert (before.level, after.level) == ("высокий", "средний")
    assert "«школьным укладом»" in before.note
    assert before.generated


def test_measures_of_2023_link_to_the_roadmap_by_their_words(db: Database) -> None:
    expected = sum(1 for r in RISKS if r.year == 2023 for m in r.measures if m.link is not None)
    rows = db.risks.programme_rows(2023)
    linked = [r for r in rows if r.activity_number]
    assert len(linked) == expected == 16
    by_measure = {(r.school, r.measure): r for r in linked}
    repair = by_measure[("ООШ с. Арбузовка", "Капитальный ремонт здания школы (2024)")]
    assert (repair.activity_number, repair.activity_title) == (
        "2.1",
        "Капитальный ремонт здания школы",
    )
    for seed in RISKS:
        for measure in seed.measures:
            if measure.link is not None and seed.year == 2023:
                row = next(r for r in linked if r.measure == measure.text)
                assert fold(measure.link.words) in fold(row.activity_title)
    assert not any(r.activity_number for r in db.risks.programme_rows(2022))
    # Every 2023 link points at the 2023/24 programme's roadmap.
    choices = {c.id: c for c in db.risks.activity_choices()}
    school = next(s for s in db.schools.all_schools() if s.code == "01")
    for risk in db.risks.risks(school.id, 2023):
        for m in risk.measures:
            if m.activity_id is not None:
                assert choices[m.activity_id].start_year == 2023


def test_demo_events(db: Database) -> None:
    events = db.events.events()
    assert len(events) == 8 + len(SEED_000_EVENTS) - len(UNFIT) == 35
    assert all(e.generated for e in events)
    assert not any("МБОУ СОШ №11" in e.topic for e in events)
    assert all(e.event_date is not None for e in events)
    start, end = school_year_period(2022)
    year = EventQuery(date_from=start, date_to=end)
    assert db.events.count(year) == 31
    assert db.events.count(EventQuery(search="школьной неуспешности")) == 2
    assert db.events.school_years() == [2022, 2023]
    totals = db.events.totals(year)
    assert totals.by_kind[0].kind == "семинар"
    assert sum(q.events for q in totals.by_quarter) == 31
    mhk = next(e for e in events if "МХК" in e.topic)
    assert mhk.organiser == "РМО учителей гуманитарного цикла"
    reading = next(e for e in events if e.topic == "Методика обучения детей осмысленному чтению")
    assert (reading.event_date, reading.coverage, reading.organiser) == (
        "2023-05-28",
        20,
        "РМО учителей начальных классов",
    )
    assert "документа 000" in reading.notes
