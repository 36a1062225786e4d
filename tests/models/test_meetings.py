"""Meetings: the demo's protocol of 03.07.2023, the rules, the agenda, decisions → roadmap.

The protocol's words below are copied from seed 004 (``Протокол №1 от
03.07.2023 г.``) character by character; the demo must hold exactly them.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import closing
from datetime import date
from pathlib import Path

import pytest

from shnor_desktop.models.database import Database
from shnor_desktop.models.errors import RecordNotFoundError
from shnor_desktop.models.fields import InvalidValueError
from shnor_desktop.models.meetings import (
    MeetingQuery,
    decision_points,
    initials_first,
    protocol_name,
    vote_wording,
)
from shnor_desktop.models.roadmap import RoadmapQuery, Section
from tests.models.test_write_path import data_dump

# --- seed 004, as written ------------------------------------------------------------------------

SEED_TITLE = (
    "Заседания рабочей группы муниципальной команды по сопровождению реализации адресной "
    "программы поддержки общеобразовательных организаций, имеющих низкие образовательные "
    "результаты обучающихся и/или школ, функционирующих в неблагоприятных социальных условиях"
)
SEED_OFFICE = "Управление образованием администрации Ивантеевского муниципального района"
SEED_PRESENT = [
    ("Гладилова О.А.", "Тьютор-консультант", "директор МУ РЦ"),
    ("Мазалева О.С.", "Тьютор-консультант", "методист МУРЦ, муниципальный координатор ЕГЭ"),
    ("Тюркина И.П.", "Тьютор-консультант", "методист МУРЦ, муниципальный координатор ОГЭ"),
    (
        "Кочнева О.А.",
        "Тьютор-консультант",
        "руководитель РМО учителей русского языка и литературы",
    ),
    ("Бабухина Т.А.", "Тьютор-консультант", "руководитель РМО учителей математики"),
    ("Лобанова Н.В.", "Тьютор-консультант", "руководитель РМО учителей начальных классов"),
]
_SUBJECT = (
    "О выполнении мероприятий Дорожной карты по повышению качества образования школ, имеющих "
    "низкие образовательные результаты и/или школ, функционирующих в неблагоприятных "
    "социальных условиях, Муниципальной программы по повышению качества образования в "
    "общеобразовательных учреждениях Ивантеевского района, имеющих низкие образовательные "
    "результаты на 2021-2023 г.г. за 2022-2023 учебный год, утвержденной приказом управления "
    "образования Ивантеевского района Саратовской области от 21.01.2021г.№15"
)
SEED_AGENDA = f"{_SUBJECT}. с изменениями и дополнениями от 2022 года."
SEED_HEARD = (
    "муниципального координатора Астраханцеву О.В., по вопросу "
    f"«{_SUBJECT}», с изменениями и дополнениями от 2022 года."
)
SEED_POINTS = (
    "Информацию принять к сведению.",
    "Разместить на сайте Управления образованием Ивантеевского района «Отчет о выполнении "
    "мероприятий Дорожной карты по повышению качества образования школ, имеющих низкие "
    "образовательные результаты и/или школ, функционирующих в неблагоприятных социальных "
    "условиях, Муниципальной программы по повышению качества образования в "
    "общеобразовательных учреждениях Ивантеевского района, имеющих низкие образовательные "
    "результаты на 2021-2023 г.г. за 2022-2023 учебный год, утвержденной приказом управления "
    "образования Ивантеевского района Саратовской области от 21.01.2021г.№15 с изменениями и "
    "дополнениями от 2022 года. (Приложение 1).",
    "Руководителям образовательных организаций Ивантеевского района обеспечить выполнение "
    "плана мероприятий Дорожной карты по повышению качества образования школ, имеющих низкие "
    "образовательные результаты и/или школ, функционирующих в неблагоприятных социальных "
    "условиях, Муниципальной программы по повышению качества образования в "
    "общеобразовательных учреждениях Ивантеевского района, имеющих низкие образовательные "
    "результаты в 2023-2024 учебном году (Приложение 2).",
)


@pytest.fixture
def demo(demo_path: Path) -> Iterator[Database]:
    """The demo district (a private copy), opened."""
    with closing(Database.open(demo_path)) as db:
        yield db


@pytest.fixture
def db(empty_db: Database) -> Database:
    """An empty database with a district, a programme, three people and one meeting."""
    with empty_db.log.change_set("Начальные данные", "demo") as cs:
        district = cs.insert("district", {"name": "Ивантеевский район", "office": "УО"})
        cs.insert(
            "programme",
            {"district_id": district, "title": "Программа", "start_year": 2023, "end_year": 2024},
        )
        for name in ("Астраханцева О.В.", "Гладилова О.А.", "Мазалева О.С."):
            cs.insert("person", {"full_name": name})
    return empty_db


def _people(db: Database) -> list[int]:
    return [int(r[0]) for r in db.conn.execute("SELECT id FROM person ORDER BY id")]


def _section(db: Database, number: str) -> Section:
    programme = db.roadmap.programmes()[0]
    return next(s for s in db.roadmap.sections(programme.id) if s.number == number)


# --- the demo's protocol -------------------------------------------------------------------------


def test_demo_protocol_is_seed_004_exactly(demo: Database) -> None:
    meeting = demo.meetings.by_number("1", 2022)
    assert meeting is not None
    assert (meeting.number, meeting.meeting_date, meeting.day) == (
        "1",
        "2023-07-03",
        date(2023, 7, 3),
    )
    assert meeting.title == SEED_TITLE
    assert meeting.office == SEED_OFFICE
    assert (meeting.chair_name, meeting.chair_post) == (
        "Астраханцева О.В.",
        "муниципальный координатор",
    )
    # Seed 004 names neither a secretary nor a place: the demo invents none.
    assert (meeting.secretary_id, meeting.secretary_name, meeting.place) == (None, "", "")
    assert [(a.name, a.role, a.post) for a in meeting.attendees] == SEED_PRESENT
    assert [role for role, _ in meeting.attendee_groups()] == ["Тьютор-консультант"]
    (item,) = meeting.items
    assert (item.number, item.title, item.heard) == (1, SEED_AGENDA, SEED_HEARD)
    assert item.decided == "\n".join(f"{n}. {p}" for n, p in enumerate(SEED_POINTS, 1))
    assert item.points == SEED_POINTS
    assert item.unanimous
    assert item.vote_text == "Голосовали единогласно."
    assert meeting.protocol_name == "Протокол № 1 от 03.07.2023"
    assert meeting.school_year == 2022
    assert item.activities == ()


def test_reading_by_number_year_and_search(demo: Database) -> None:
    assert demo.meetings.by_number("1", 2023) is None  # 03.07.2023 is in 2022/23
    assert demo.meetings.by_number("2") is None
    last = demo.meetings.last_meeting(2022)
    assert last is not None and last.number == "1"
    assert demo.meetings.years() == [2022]
    # Search folds Russian case and looks into the agenda and the names of those present.
    for needle in ("АСТРАХАНЦЕВА", "лобанова", "ПРИЛОЖЕНИЕ 2", "тьютор-консультант"):
        assert [m.number for m in demo.meetings.meetings(MeetingQuery(search=needle))] == ["1"]
    assert demo.meetings.meetings(MeetingQuery(search="олимпиада")) == []
    assert demo.meetings.meetings(MeetingQuery(year=2023)) == []
    (summary,) = demo.meetings.meetings(MeetingQuery(year=2022))
    assert (summary.item_count, summary.chair_name) == (1, "Астраханцева О.В.")
    assert summary.first_item == SEED_AGENDA


# --- a decision becomes a roadmap activity -------------------------------------------------------


def test_decision_to_activity_links_both_ways_and_undo_restores(demo: Database) -> None:
    meeting = demo.meetings.by_number("1", 2022)
    assert meeting is not None
    item = meeting.items[0]
    section = _section(demo, "4")  # «Управление реализацией мероприятий Программы», 3 activities
    before = data_dump(demo.conn)
    info, activity_id = demo.meetings.decision_to_activity(
        item.id,
        section.id,
        "В дорожную карту",
        text=item.points[2],
        responsible="Руководители образовательных организаций",
        deadline_text="в 2023-2024 учебном году",
    )
    assert info.kind == "edit" and info.touches("roadmap_activity", "roadmap_interval")
    activity = demo.roadmap.activity(activity_id)
    assert activity.title == SEED_POINTS[2]
    assert activity.responsible == "Руководители образовательных организаций"
    assert activity.deadline_text == "в 2023-2024 учебном году"
    assert activity.evidence == "Протокол № 1 от 03.07.2023"
    assert activity.meeting_id == meeting.id
    assert (activity.section_id, activity.number) == (section.id, "4.4")
    # The deadline was read by the roadmap's parser: the school year 2023/24.
    assert activity.intervals == ((date(2023, 9, 1), date(2024, 5, 31)),)
    assert activity.baseline == activity.intervals
    # Both ways: the item lists the activity, the activity names the item.
    linked = demo.meetings.meeting(meeting.id).items[0].activities
    assert [(a.id, a.number, a.section_id) for a in linked] == [(activity_id, "4.4", section.id)]
    ref = demo.meetings.decision_of(activity_id)
    assert ref is not None
    assert (ref.meeting_id, ref.item_id, ref.item_number) == (meeting.id, item.id, 1)
    assert ref.protocol_name == "Протокол № 1 от 03.07.2023"
    assert (
        demo.conn.execute(
            "SELECT meeting_item_id FROM roadmap_activity WHERE id = ?", (activity_id,)
        ).fetchone()[0]
        == item.id
    )
    # One change set, so one undo takes the activity and its link back.
    next_undo = demo.undo.next_undo()
    assert next_undo is not None and next_undo.id == info.id
    demo.undo.undo()
    assert data_dump(demo.conn) == before
    assert demo.meetings.meeting(meeting.id).items[0].activities == ()
    demo.undo.redo()
    assert [a.title for a in demo.meetings.meeting(meeting.id).items[0].activities] == [
        SEED_POINTS[2]
    ]


def test_decision_as_written_by_default(db: Database) -> None:
    _, meeting_id = db.meetings.add_meeting({"meeting_date": "2024-01-15", "number": "2"}, "+")
    _, item_id = db.meetings.add_item(
        meeting_id,
        {
            "title": "О подготовке к ВПР",
            "decided": "Провести пробные ВПР в 4-х классах.",
            "responsible": "Руководители ОО",
            "deadline_text": "март 2024",
        },
        "+",
    )
    programme = db.roadmap.programmes()[0]
    _, section_id = db.roadmap.add_section(programme.id, "Мероприятия", "+", number="1")
    _, activity_id = db.meetings.decision_to_activity(item_id, section_id)
    activity = db.roadmap.activity(activity_id)
    assert (activity.title, activity.responsible, activity.deadline_text) == (
        "Провести пробные ВПР в 4-х классах.",
        "Руководители ОО",
        "март 2024",
    )
    assert activity.number == "1.1"
    assert activity.evidence == "Протокол № 2 от 15.01.2024"
    assert activity.intervals == ((date(2024, 3, 1), date(2024, 3, 31)),)
    # Removing the item keeps the activity; its link is cleared (and undo restores it).
    db.meetings.remove_item(item_id, "−")
    assert db.roadmap.activity(activity_id).title == "Провести пробные ВПР в 4-х классах."
    assert db.meetings.decision_of(activity_id) is None
    db.undo.undo()
    ref = db.meetings.decision_of(activity_id)
    assert ref is not None and ref.item_id == item_id


def test_decision_refused_writes_nothing(db: Database) -> None:
    _, meeting_id = db.meetings.add_meeting({"meeting_date": "2024-01-15"}, "+")
    _, item_id = db.meetings.add_item(meeting_id, {"title": "Без решения"}, "+")
    programme = db.roadmap.programmes()[0]
    _, section_id = db.roadmap.add_section(programme.id, "Мероприятия", "+")
    before = data_dump(db.conn)
    with pytest.raises(InvalidValueError) as refused:  # the roadmap's own rule: a title
        db.meetings.decision_to_activity(item_id, section_id)
    assert (refused.value.issue.table, refused.value.field) == ("roadmap_activity", "title")
    with pytest.raises(RecordNotFoundError):
        db.meetings.decision_to_activity(item_id, section_id + 100, text="Сделать")
    with pytest.raises(RecordNotFoundError):
        db.meetings.decision_to_activity(item_id + 100, section_id, text="Сделать")
    assert data_dump(db.conn) == before


# --- rules ---------------------------------------------------------------------------------------


def test_vote_is_unanimous_or_counted(db: Database) -> None:
    _, meeting_id = db.meetings.add_meeting({"meeting_date": "2024-01-15"}, "+")
    _, item_id = db.meetings.add_item(meeting_id, {"title": "Вопрос", "unanimous": 1}, "+")
    with pytest.raises(InvalidValueError) as mixed:
        db.meetings.update_item(item_id, {"vote_for": 5}, "Голоса")
    assert (mixed.value.field, mixed.value.issue.code) == ("vote_for", "vote_mixed")
    with pytest.raises(InvalidValueError) as negative:
        db.meetings.update_item(item_id, {"unanimous": 0, "vote_against": -1}, "Голоса")
    assert (negative.value.field, negative.value.issue.code) == ("vote_against", "negative")
    with pytest.raises(InvalidValueError) as fraction:
        db.meetings.update_item(item_id, {"unanimous": 0, "vote_for": "2,5"}, "Голоса")
    assert fraction.value.issue.code == "not_integer"
    # From unanimous to counts in one write: allowed; counts are text or numbers.
    db.meetings.update_item(
        item_id, {"unanimous": 0, "vote_for": "7", "vote_against": 0, "vote_abstain": 1}, "Голоса"
    )
    item = db.meetings.item(item_id)
    assert (item.vote_for, item.vote_against, item.vote_abstain) == (7, 0, 1)
    assert item.vote_text == "Голосовали: «за» – 7, «против» – 0, «воздержались» – 1."
    with pytest.raises(InvalidValueError) as ticked:
        db.meetings.update_item(item_id, {"unanimous": 1}, "Голоса")
    assert (ticked.value.field, ticked.value.issue.code) == ("unanimous", "vote_mixed")
    # The rule runs on every write path, not only the repository's.
    with pytest.raises(InvalidValueError), db.log.change_set("напрямую") as cs:
        cs.insert(
            "meeting_item", {"meeting_id": meeting_id, "title": "x", "unanimous": 1, "vote_for": 1}
        )


def test_meeting_rules(db: Database) -> None:
    chair, secretary, _ = _people(db)
    with pytest.raises(InvalidValueError) as no_date:
        db.meetings.add_meeting({"number": "1"}, "+")
    assert (no_date.value.field, no_date.value.issue.code) == ("meeting_date", "required")
    with pytest.raises(InvalidValueError) as bad_date:
        db.meetings.add_meeting({"meeting_date": "31.02.2024"}, "+")
    assert bad_date.value.issue.code == "not_date"
    _, first = db.meetings.add_meeting(
        {"number": "1", "meeting_date": "2023-07-03", "chair_id": chair}, "+"
    )
    with pytest.raises(InvalidValueError) as same:
        db.meetings.update_meeting(first, {"secretary_id": chair}, "Секретарь")
    assert (same.value.field, same.value.issue.code) == ("secretary_id", "secretary_is_chair")
    db.meetings.update_meeting(first, {"secretary_id": secretary, "secretary_post": "методист"}, "")
    # № 1 again in the same school year (2022/23) is refused; in the next one it is not.
    with pytest.raises(InvalidValueError) as duplicate:
        db.meetings.add_meeting({"number": "1", "meeting_date": "2022-10-01"}, "+")
    assert (duplicate.value.field, duplicate.value.issue.code) == (
        "number",
        "duplicate_meeting_number",
    )
    assert duplicate.value.issue.args == ("2022/23",)
    _, second = db.meetings.add_meeting({"number": "1", "meeting_date": "2023-09-20"}, "+")
    with pytest.raises(InvalidValueError):
        db.meetings.update_meeting(second, {"meeting_date": "2023-08-31"}, "Дата")
    meeting = db.meetings.meeting(first)
    assert (meeting.secretary_name, meeting.secretary_post) == ("Гладилова О.А.", "методист")
    with pytest.raises(KeyError):
        db.meetings.update_meeting(first, {"id": 5}, "")


def test_attendees_in_order_once_each(db: Database) -> None:
    a, b, c = _people(db)
    _, meeting_id = db.meetings.add_meeting({"meeting_date": "2024-01-15"}, "+")
    _, first = db.meetings.add_attendee(meeting_id, a, "+", role="Тьютор-консультант", post="x")
    db.meetings.add_attendee(meeting_id, b, "+", role="Тьютор-консультант")
    _, third = db.meetings.add_attendee(meeting_id, c, "+", role="Приглашённые", index=0)
    names = [x.name for x in db.meetings.meeting(meeting_id).attendees]
    assert names == ["Мазалева О.С.", "Астраханцева О.В.", "Гладилова О.А."]
    with pytest.raises(InvalidValueError) as twice:
        db.meetings.add_attendee(meeting_id, a, "+")
    assert (twice.value.field, twice.value.issue.code) == ("person_id", "duplicate_attendee")
    db.meetings.move_attendee(third, 2, "Порядок")
    meeting = db.meetings.meeting(meeting_id)
    assert [(x.name, x.position) for x in meeting.attendees] == [
        ("Астраханцева О.В.", 1),
        ("Гладилова О.А.", 2),
        ("Мазалева О.С.", 3),
    ]
    assert [(role, len(group)) for role, group in meeting.attendee_groups()] == [
        ("Тьютор-консультант", 2),
        ("Приглашённые", 1),
    ]
    db.meetings.update_attendee(first, {"post": "директор МУ РЦ"}, "Должность")
    db.meetings.remove_attendee(first, "−")
    assert [(x.name, x.position) for x in db.meetings.meeting(meeting_id).attendees] == [
        ("Гладилова О.А.", 1),
        ("Мазалева О.С.", 2),
    ]


def test_agenda_reorder_is_one_undo(db: Database) -> None:
    _, meeting_id = db.meetings.add_meeting({"meeting_date": "2024-01-15"}, "+")
    ids = [db.meetings.add_item(meeting_id, {"title": t}, "+")[1] for t in ("А", "Б", "В")]

    def agenda() -> list[tuple[int, str]]:
        return [(i.number, i.title) for i in db.meetings.meeting(meeting_id).items]

    assert agenda() == [(1, "А"), (2, "Б"), (3, "В")]
    before = data_dump(db.conn)
    info = db.meetings.move_item(ids[2], 0, "Вопрос выше")
    assert info is not None
    assert agenda() == [(1, "В"), (2, "А"), (3, "Б")]
    assert db.meetings.move_item(ids[2], 0, "Никуда") is None  # nothing changed, nothing logged
    db.undo.undo()
    assert data_dump(db.conn) == before
    db.meetings.add_item(meeting_id, {"title": "Г"}, "+", index=1)
    assert agenda() == [(1, "А"), (2, "Г"), (3, "Б"), (4, "В")]
    db.meetings.remove_item(ids[0], "−")
    assert agenda() == [(1, "Г"), (2, "Б"), (3, "В")]


def test_removing_a_meeting_keeps_its_activities(demo: Database) -> None:
    meeting = demo.meetings.by_number("1", 2022)
    assert meeting is not None
    _, activity_id = demo.meetings.decision_to_activity(
        meeting.items[0].id, _section(demo, "1").id, text=SEED_POINTS[1]
    )
    before = data_dump(demo.conn)
    demo.meetings.remove_meeting(meeting.id, "Удалить заседание")
    assert demo.meetings.meetings() == []
    kept = demo.roadmap.activity(activity_id)
    assert (kept.title, kept.meeting_id) == (SEED_POINTS[1], None)
    assert demo.meetings.decision_of(activity_id) is None
    assert demo.conn.execute("SELECT count(*) FROM meeting_attendee").fetchone()[0] == 0
    demo.undo.undo()
    assert data_dump(demo.conn) == before
    programme = demo.roadmap.programmes()[0]
    titles = [a.title for a in demo.roadmap.activities(RoadmapQuery(programme.id))]
    assert SEED_POINTS[1] in titles


# --- wording -------------------------------------------------------------------------------------


def test_protocol_wording() -> None:
    assert protocol_name("1", "2023-07-03") == "Протокол № 1 от 03.07.2023"
    assert protocol_name(" ", "2023-07-03") == "Протокол от 03.07.2023"
    assert vote_wording(True, None, None, None) == "Голосовали единогласно."
    assert vote_wording(False, 6, 0, 1) == "Голосовали: «за» – 6, «против» – 0, «воздержались» – 1."
    assert vote_wording(False, 6, None, None, "Решение принято.") == (
        "Голосовали: «за» – 6. Решение принято."
    )
    assert vote_wording(False, None, None, None) == ""
    assert initials_first("Астраханцева О.В.") == "О.В. Астраханцева"
    assert initials_first("Гладилова О. А.") == "О.А. Гладилова"
    assert initials_first("Рабочая группа") == "Рабочая группа"
    assert decision_points("") == ()
    assert decision_points("Принять к сведению.") == ("Принять к сведению.",)
    assert decision_points("1. Первое.\n2) Второе,\nс продолжением.") == (
        "Первое.",
        "Второе, с продолжением.",
    )
    assert decision_points("Решили:\n1. Первое.") == ("Решили:\n1. Первое.",)
