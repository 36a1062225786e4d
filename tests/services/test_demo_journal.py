"""The demo's tutor journal for 2022/23: generated and marked so, the same every time, and true
to seed 004's tracks (who works with which group of schools)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import closing
from datetime import date
from pathlib import Path

import pytest

from shnor_desktop.models.database import Database
from shnor_desktop.models.journal import JournalQuery, Visit, school_year_period
from shnor_desktop.services import demo_journal


@pytest.fixture
def db(demo_path: Path) -> Iterator[Database]:
    with closing(Database.open(demo_path)) as database:
        yield database


def _visits(db: Database) -> list[Visit]:
    return db.journal.visits(JournalQuery(order="date", descending=False))


def _codes(db: Database) -> dict[int, str]:
    return {s.id: s.code for s in db.schools.all_schools()}


def _people(db: Database) -> dict[int, str]:
    return {p.id: p.full_name for p in db.district.people()}


def test_every_entry_is_generated_within_the_school_year_on_a_working_day(db: Database) -> None:
    visits = _visits(db)
    assert 100 <= len(visits) <= 160
    assert all(v.generated for v in visits)
    start, end = school_year_period(2022)
    for visit in visits:
        assert start <= visit.visit_date <= end
        assert visit.visit_date.weekday() < 5
        assert not any(a <= visit.visit_date <= b for a, b in demo_journal.BREAKS)
        assert visit.tutor_id is not None and visit.school_id is not None
        if visit.due_date is not None:
            assert visit.due_date >= visit.visit_date
    assert db.journal.years() == [2022]


def test_the_journal_is_the_same_every_time() -> None:
    schools = {
        code: i for i, code in enumerate(("01", "02", "03", "04", "05", "06", "07", "08", "09"))
    }
    people = {key: i for i, key in enumerate(p.key for p in demo_journal.demo.PEOPLE)}
    first = demo_journal.journal_drafts(schools, people)
    assert first == demo_journal.journal_drafts(schools, people)


def test_the_curators_visit_the_schools_the_passports_give_them(db: Database) -> None:
    codes = _codes(db)
    curator_of = {
        codes[a.school_id]: a.curator_id for a in db.people.assignments(2022) if a.curator_id
    }
    assert set(curator_of) == {"01", "02", "03", "04", "05", "06", "07"}
    people = _people(db)
    tutors_by_school: dict[str, Counter[str]] = {}
    for visit in _visits(db):
        tutors_by_school.setdefault(codes[visit.school_id or 0], Counter())[
            people[visit.tutor_id or 0]
        ] += 1
    for code, curator in curator_of.items():
        # The curator is among those who come most to their school.
        assert tutors_by_school[code][people[curator]] >= 3, code
    # МУ РЦ's methodists and the heads of РМО only visit schools of the district's groups;
    # the coordinator works with the ШНОР (and opens the municipal seminar).
    coordinator = {
        codes[v.school_id or 0]
        for v in _visits(db)
        if people[v.tutor_id or 0] == "Астраханцева О.В."
    }
    assert coordinator == {"01", "09"}
    lessons_primary = {
        codes[v.school_id or 0]
        for v in _visits(db)
        if people[v.tutor_id or 0] == "Лобанова Н.В." and v.form == "посещение урока"
    }
    assert lessons_primary == {"05", "06", "07"}


def test_the_tracks_set_how_often_and_how_schools_are_visited(db: Database) -> None:
    codes = _codes(db)
    visits = _visits(db)
    per_school = Counter(codes[v.school_id or 0] for v in visits)
    assert per_school["01"] == 27  # ШНОР: three a month, September to May
    assert {per_school[c] for c in ("02", "03", "04")} == {18}
    assert all(10 <= per_school[c] <= 14 for c in ("05", "06", "07"))
    # Every supported school is visited every month of the year.
    for code in ("01", "02", "03", "04", "05", "06", "07"):
        months = {
            (v.visit_date.year, v.visit_date.month)
            for v in visits
            if codes[v.school_id or 0] == code
        }
        assert len(months) == 9, code
    # Leaders only host seminars; Клевенка has no stable internet: nothing online there.
    assert {v.form for v in visits if codes[v.school_id or 0] in ("08", "09")} == {"семинар"}
    assert not [v for v in visits if codes[v.school_id or 0] == "06" and v.form == "онлайн"]
    # «Точка роста» only where there is one (Знаменский, Ивановка).
    tochka = {codes[v.school_id or 0] for v in visits if "Точка роста" in v.topic}
    assert tochka <= {"02", "03"} and tochka
    seminar = [v for v in visits if "проявлениями школьной неуспешности" in v.topic]
    assert len(seminar) == 1 and seminar[0].follow_up_status == "not_required"


def test_follow_ups_stand_as_on_the_day_of_the_protocol(db: Database) -> None:
    visits = _visits(db)
    statuses = Counter(v.follow_up_status for v in visits)
    assert statuses["done"] > 0.6 * len(visits)
    # The diagnostics the seed calls ineffective stays unfulfilled: overdue on 03.07.2023.
    diagnostics = [v for v in visits if "диагностику" in v.recommendations]
    assert diagnostics
    assert all(v.follow_up_status == "open" and v.follow_up_note for v in diagnostics)
    overdue = db.journal.overdue_follow_ups(date(2023, 7, 3))
    assert {v.id for v in diagnostics} <= {v.id for v in overdue}
    assert len(overdue) < 0.25 * len(visits)


def test_the_deficits_are_the_seed_vocabulary_and_searchable(db: Database) -> None:
    names = {d.name: d.uses for d in db.journal.deficits()}
    assert "Объективность оценки образовательных результатов" in names
    assert "Обучающиеся с рисками учебной неуспешности" in names
    assert all(uses > 0 for uses in names.values())
    found = db.journal.visits(JournalQuery(search="бартеневка ОБЪЕКТИВНОСТЬ"))
    assert found and all(v.school_name == "СОШ с. Бартеневка" for v in found)
