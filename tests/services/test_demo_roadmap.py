"""The demo's roadmap: seed 004's plan for 2023/24 as written, on a programme of its own."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from shnor_desktop.models.database import Database
from shnor_desktop.models.roadmap import Activity, Programme, RoadmapQuery, Section
from tests.models.test_write_path import data_dump

D = date


@pytest.fixture
def db(demo_path: Path) -> Iterator[Database]:
    opened = Database.open(demo_path)
    try:
        yield opened
    finally:
        opened.close()


def _programme(db: Database) -> Programme:
    (programme,) = [p for p in db.roadmap.programmes() if p.start_year == 2023]
    return programme


def _read(db: Database) -> tuple[list[Section], list[Activity]]:
    programme = _programme(db)
    return db.roadmap.sections(programme.id), db.roadmap.activities(RoadmapQuery(programme.id))


def _numbered(db: Database) -> dict[tuple[str, str], Activity]:
    """Activities by (top section: «1» the list of measures, «2» the monitoring plan, number)."""
    sections, activities = _read(db)
    tops = [s.id for s in sections if s.parent_id is None]
    top_of = {s.id: s.parent_id or s.id for s in sections}
    return {(str(tops.index(top_of[a.section_id]) + 1), a.number): a for a in activities}


def test_the_plan_hangs_on_a_programme_2023_2024_without_an_order(db: Database) -> None:
    programmes = db.roadmap.programmes()
    assert [(p.start_year, p.end_year) for p in programmes] == [(2023, 2024), (2021, 2023)]
    programme = _programme(db)
    assert programme.title == (
        "Муниципальная программа по повышению качества образования в общеобразовательных "
        "учреждениях Ивантеевского района, имеющих низкие образовательные результаты"
    )
    assert (programme.order_number, programme.order_date) == ("", None)
    assert "Приложение 2 к протоколу №1" in programme.notes
    assert programme.period == (D(2023, 1, 1), D(2024, 12, 31))
    # The programme of order №15 keeps the indicators and stays first where they are shown.
    assert db.indicators.programmes()[0].order_number == "15"
    old = next(p for p in programmes if p.start_year == 2021)
    assert db.roadmap.sections(old.id) == []


def test_two_tables_blocks_and_counts_as_in_the_document(db: Database) -> None:
    sections, activities = _read(db)
    assert [(s.number, s.depth) for s in sections] == [
        ("", 0),
        ("1", 1),
        ("2", 1),
        ("3", 1),
        ("4", 1),
        ("", 0),
    ]
    assert sections[0].title == (
        "Перечень мероприятий («Дорожная карта») по повышению качества образования школ, имеющих "
        "низкие образовательные результаты на 2023-2024 уч год."
    )
    assert sections[5].title == (
        "Дорожная карта по направлению «Организация работы со школами с низкими "
        "образовательными результатами и/или школами, функционирующими в неблагоприятных "
        "социальных условиях» на 2023/2024 учебный год"
    )
    assert [s.title for s in sections[1:5]] == [
        "Создание организационных условий.",
        "Развитие инфраструктуры образовательные организаций, имеющих низкие образовательные "
        "результаты",
        "Развитие кадрового потенциала образовательных организаций, имеющих низкие "
        "образовательные результаты",
        "Управление реализацией мероприятий Программы",
    ]
    per_section = [sum(1 for a in activities if a.section_id == s.id) for s in sections]
    assert per_section == [0, 5, 1, 4, 3, 18]
    assert [a.number for a in activities] == [
        "1.1",
        "1.2",
        "1.3",
        "1.4",
        "1.5",
        "2.1",
        "3.1",
        "3.2",
        "3.3",
        "3.4",
        "4.1",
        "4.2",
        "4.3",
        *(str(i) for i in range(1, 19)),
    ]


def test_wording_as_written(db: Database) -> None:
    activities = _numbered(db)
    group = activities["1", "1.1"]
    assert group.title == (
        "Создание рабочей группы по работе с общеобразовательными организациями Ивантеевского "
        "района с низкими результатами обучения."
    )
    assert (group.deadline_text, group.responsible) == (
        "Август 2023",
        "Управление образованием, МУ РЦ УО",
    )
    assert group.expected_result == (
        "Создана рабочая группа, в состав которой входят: - специалисты управления образования; "
        "- методисты МУ РЦ УО - руководители РМО;"
    )
    leaders = activities["1", "1.5"]  # joined across the page break
    assert leaders.title == (
        "Определение и утверждение перечня образовательных организаций «лидеров», "
        "демонстрирующих высокие образовательные результаты."
    )
    assert leaders.expected_result == (
        "Утвержден перечень образовательных организаций «лидеров», демонстрирующих высокие "
        "образовательные результаты."
    )
    repair = activities["1", "2.1"]
    assert (repair.title, repair.deadline_text, repair.expected_result) == (
        "Капитальный ремонт здания школы",
        "2024",
        "МОУ «ООШ с. Арбузовка»",
    )
    assert activities["1", "3.4"].responsible == (
        "Управление образования, МУ МУ РЦ УО, общеобразовательные организации"
    )
    assert activities["1", "4.3"].expected_result == "Проведение не менее двух совещаний в год"
    diagnostics = activities["2", "6"]
    assert diagnostics.expected_result == (
        "Наличие аналитических материалов по результатам независимой диагностики уровня "
        "подготовки обучающихся в ШПРО, ШФНСУ"
    )
    assert (diagnostics.deadline_text, diagnostics.responsible) == (
        "октябрь 2023 г., ежегодно",
        "Управление образованием",
    )
    assert activities["2", "9"].deadline_text == "ноябрь 2023 г. март 2024"
    assert activities["2", "18"].title == "Анализ эффективности принятых мер"
    assert activities["2", "18"].deadline_text == (
        "ежегодно по итогам отчетного периода 2023-2024 гг."
    )
    assert all(a.planned_value == "" for a in activities.values())


def test_every_deadline_is_read_inside_the_period(db: Database) -> None:
    activities = _numbered(db)
    assert not [a.number for a in activities.values() if a.unscheduled]
    assert all(a.baseline == a.intervals and not a.manual for a in activities.values())
    assert activities["1", "1.4"].intervals == ((D(2023, 9, 1), D(2023, 9, 1)),)  # «До 01.09.2023»
    assert activities["1", "2.1"].intervals == ((D(2024, 1, 1), D(2024, 12, 31)),)
    assert activities["1", "3.1"].deadline_kind == "recurring"  # «Август - сентябрь»
    assert activities["2", "1"].intervals == ((D(2023, 5, 1), D(2023, 6, 30)),)
    assert activities["2", "11"].intervals == ((D(2023, 9, 1), D(2024, 5, 31)),)
    assert activities["2", "15"].intervals == ((D(2024, 8, 1), D(2024, 8, 31)),)


def test_statuses_what_the_report_shows_done_is_done(db: Database) -> None:
    activities = _numbered(db)
    done = {key: a for key, a in activities.items() if a.status == "done"}
    assert sorted(done) == [("1", "1.1"), ("1", "1.3"), ("2", "2")]
    assert all(a.progress == 100 for a in done.values())
    assert "Протокол №1" in done["1", "1.1"].evidence
    assert "Приложение 2" in done["1", "1.3"].evidence
    assert "Приложение 1" in done["2", "2"].evidence
    rest = [a for key, a in activities.items() if key not in done]
    assert {a.status for a in rest} == {"planned"}
    assert all(a.progress is None and a.evidence == "" for a in rest)


def test_concerned_schools_and_groups(db: Database) -> None:
    activities = _numbered(db)
    arbuzovka = db.conn.execute(
        "SELECT id FROM school WHERE full_name = 'МОУ «ООШ с. Арбузовка»'"
    ).fetchone()[0]
    assert activities["1", "2.1"].schools == (arbuzovka,)
    assert activities["1", "1.5"].groups == ("leader",)
    assert activities["2", "2"].groups == ("shnor", "risk")
    assert activities["2", "3"].groups == ("shnor",)  # «Организация работы со ШНОР»
    assert activities["2", "7"].groups == ()
    programme = _programme(db)
    found = db.roadmap.activities(RoadmapQuery(programme.id, school_id=arbuzovka))
    assert [a.number for a in found] == ["2.1"]


def test_summary_on_15_september_2023(db: Database) -> None:
    programme = _programme(db)
    summary = db.roadmap.summary(programme.id, D(2023, 9, 15))
    numbers = {a.id: key for key, a in _numbered(db).items()}
    # August's appointments, the school roadmaps «до 01.09.2023», the May–June indicators.
    assert [numbers[a.id] for a in summary.overdue] == [
        ("1", "1.2"),
        ("1", "1.4"),
        ("1", "1.5"),
        ("2", "1"),
    ]
    assert [numbers[a.id] for a in summary.due_soon] == [("1", "3.1"), ("2", "10")]
    assert summary.unscheduled == ()
    assert [(p.total, p.done) for p in summary.sections] == [
        (13, 2),
        (5, 2),
        (1, 0),
        (4, 0),
        (3, 0),
        (18, 1),
    ]
    assert (summary.total, summary.done) == (31, 3)
    assert summary.mean_progress == pytest.approx(300 / 31)


def test_an_edit_of_the_demo_roadmap_is_undone(db: Database) -> None:
    activity = _numbered(db)["2", "1"]
    before = data_dump(db.conn)
    db.roadmap.update_activity(
        activity.id, {"status": "done", "progress": 100, "evidence": "Положение"}, "Выполнено"
    )
    db.undo.undo()
    assert data_dump(db.conn) == before


def test_reverting_the_demo_removes_the_roadmap(db: Database) -> None:
    (demo_set,) = [s for s in db.log.recent_sets() if s.kind == "demo"]
    assert demo_set.touches("roadmap_activity", "roadmap_interval", "roadmap_concern")
    db.log.revert(demo_set.id)
    for table in ("roadmap_section", "roadmap_activity", "roadmap_interval", "roadmap_concern"):
        assert db.conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == 0, table
    assert db.conn.execute("SELECT count(*) FROM programme").fetchone()[0] == 0
