"""Events: seed 000's list built through the repository, its counts, totals and wording.

The expected figures are read off seed 000 («Для педагогических работников были
проведены обучающие семинары, мастер-классы, практикумы, круглые столы: …»):
29 events, 14 of them seminars, coverage 803 people, one without a date.
"""

from __future__ import annotations

import shutil
import sqlite3
from datetime import date
from pathlib import Path

import pytest

from shnor_desktop.models.database import Database
from shnor_desktop.models.events import (
    EVENT_KINDS,
    EventDraft,
    EventQuery,
    KindTotal,
    QuarterTotal,
    parse_event_date,
    school_year_period,
)
from shnor_desktop.models.fields import InvalidValueError
from shnor_desktop.models.schema import event_fold
from shnor_desktop.services.demo_events import SEED_000_EVENTS, seed_000_drafts
from shnor_desktop.services.messages import describe_error
from tests.models.test_write_path import data_dump

FIXTURE_V1 = Path(__file__).resolve().parent / "data" / "schema_v1.sqlite"


@pytest.fixture
def seeded(empty_db: Database) -> Database:
    """An empty database holding seed 000's list of events, written as one action."""
    info = empty_db.events.add_many(seed_000_drafts(), "Мероприятия 2021 года (документ 000)")
    assert info is not None and info.row_count == 29
    return empty_db


def test_seed_000_list_reads_back_as_written(seeded: Database) -> None:
    events = seeded.events.events()
    assert len(events) == 29 == len(SEED_000_EVENTS)
    # In date order, the undated discussion last.
    assert events[0].event_date == "2021-01-28"
    assert events[0].topic == "Проведение устной части ОГЭ по русскому языку"
    assert events[-1].event_date is None
    assert events[-1].kind == "дискуссия"
    assert events[-1].topic == "«Я тебя не понимаю»… Дети мигрантов: проблемы обучения"
    assert events[-1].coverage == 56
    assert "(дата, охват – 56 чел.)" in events[-1].notes
    english = next(e for e in events if e.event_date == "2021-02-24")
    assert english.kind == "практикум"
    assert english.topic.endswith("на примере темы «Путешествие»")
    assert english.audience == "учителя английского языка"
    assert english.notes == "методический практикум"
    regional = next(e for e in events if e.coverage == 78)
    assert (regional.kind, regional.notes, regional.organiser) == ("семинар", "краевой семинар", "")
    assert not any(e.generated for e in events)


def test_totals_per_kind_and_quarter(seeded: Database) -> None:
    totals = seeded.events.totals()
    # 29 events; 48+51+28+19+25+18+19+12+13+22+28+26+23+20+12+35+56+24+78+25+30+28+27+13+19
    # +19+38+24+23 = 803 people.
    assert (totals.events, totals.coverage, totals.undated, totals.without_coverage) == (
        29,
        803,
        1,
        0,
    )
    # Kinds in the list's order (EVENT_KINDS), each with its count and coverage.
    assert totals.by_kind == (
        KindTotal("семинар", 14, 425),
        KindTotal("семинар-практикум", 4, 19 + 25 + 19 + 38),
        KindTotal("практикум", 2, 30 + 28),
        KindTotal("мастер-класс", 4, 13 + 28 + 23 + 24),
        KindTotal("круглый стол", 2, 26 + 24),
        KindTotal("совещание", 1, 12),
        KindTotal("дискуссия", 1, 56),
        KindTotal("обмен опытом", 1, 13),
    )
    assert [k.kind for k in totals.by_kind] == [
        k for k in EVENT_KINDS if k in {t.kind for t in totals.by_kind}
    ]
    # January–March 11 events (292 people), April–June 8 (197), October–December 9 (258);
    # no event in July–September; the discussion has no quarter.
    assert totals.by_quarter == (
        QuarterTotal(2021, 1, 11, 292),
        QuarterTotal(2021, 2, 8, 197),
        QuarterTotal(2021, 4, 9, 258),
        QuarterTotal(None, 0, 1, 56),
    )
    assert [q.label for q in totals.by_quarter] == [
        "I кв. 2021",
        "II кв. 2021",
        "IV кв. 2021",
        "без даты",
    ]


def test_filters_period_kind_and_search(seeded: Database) -> None:
    repo = seeded.events
    start, end = school_year_period(2021)
    autumn = EventQuery(date_from=start, date_to=end)
    assert repo.count(autumn) == 9  # the fourth quarter of 2021; the undated one is left out
    assert repo.totals(autumn).coverage == 258
    seminars = EventQuery(kind="семинар")
    assert repo.count(seminars) == 14
    assert repo.totals(seminars).by_kind == (KindTotal("семинар", 14, 425),)
    # Search folds Russian case and ё: «ФУНКЦИОНАЛЬНАЯ ГРАМОТНОСТЬ» finds the four events
    # named so; «функциональн» also «Формирование функциональной грамотности …».
    assert repo.count(EventQuery(search="ФУНКЦИОНАЛЬНАЯ ГРАМОТНОСТЬ")) == 4
    assert repo.count(EventQuery(search="функциональн")) == 5
    assert repo.count(EventQuery(search="приемы")) == 2  # «приёмы» twice, «приемов» is not
    assert repo.count(EventQuery(search="учителя физики")) == 2  # the audience is searched
    both = EventQuery(date_from=start, date_to=end, kind="семинар-практикум", search="грамотн")
    assert [e.event_date for e in repo.events(both)] == ["2021-12-03", "2021-12-08"]
    assert repo.school_years() == [2020, 2021]
    # Pages of a long list.
    first = repo.events(EventQuery(), 0, 10)
    rest = repo.events(EventQuery(), 10, 100)
    assert [e.id for e in first + rest] == [e.id for e in repo.events()]


def test_add_update_remove_undo_round_trip(seeded: Database) -> None:
    repo = seeded.events
    before = data_dump(seeded.conn)
    info, event_id = repo.add(
        EventDraft(
            "Пути снижения образовательных дефицитов",
            "семинар",
            date(2023, 11, 22),
            "педагоги ШНОР",
            27,
            "Управление образованием",
        ),
        "Добавлено мероприятие",
    )
    added = data_dump(seeded.conn)
    assert info.kind == "edit" and seeded.undo.can_undo
    assert repo.count(EventQuery(search="дефицит")) == 1
    assert repo.update(event_id, {"coverage": 27}, "Без изменений") is None
    changed = repo.update(event_id, {"coverage": "31", "place": "с. Ивантеевка"}, "Охват")
    assert changed is not None and repo.event(event_id).coverage == 31
    assert seeded.log.field_history("event", event_id, "coverage")[-1].new == 31
    assert repo.count(EventQuery(search="ИВАНТЕЕВКА")) == 1  # the folded text follows the edit
    seeded.undo.undo()
    assert repo.event(event_id).coverage == 27
    seeded.undo.undo()
    assert data_dump(seeded.conn) == before
    seeded.undo.redo()
    assert data_dump(seeded.conn) == added
    repo.remove(event_id, "Удалено мероприятие")
    assert data_dump(seeded.conn) == before
    seeded.undo.undo()
    assert data_dump(seeded.conn) == added


def test_an_edit_by_hand_clears_generated(empty_db: Database) -> None:
    _, event_id = empty_db.events.add(
        EventDraft("Повышение качества преподавания", "заседание РМО", generated=True),
        "Демо",
    )
    assert empty_db.events.event(event_id).generated
    empty_db.events.update(event_id, {"coverage": 26}, "Охват")
    assert not empty_db.events.event(event_id).generated
    assert empty_db.events.count(EventQuery(generated=True)) == 0


@pytest.mark.parametrize(
    ("values", "field", "code"),
    [
        ({"kind": "пикник"}, "kind", "unknown_choice"),
        ({"coverage": -3}, "coverage", "negative"),
        ({"coverage": "12,5"}, "coverage", "not_integer"),
        ({"topic": "   "}, "topic", "required"),
        ({"event_date": "2021-02-31"}, "event_date", "not_date"),
    ],
)
def test_refused_values_name_the_field(
    seeded: Database, values: dict[str, object], field: str, code: str
) -> None:
    event_id = seeded.events.events()[0].id
    before = data_dump(seeded.conn)
    with pytest.raises(InvalidValueError) as caught:
        seeded.events.update(event_id, values, "Правка")
    assert (caught.value.issue.field, caught.value.issue.code) == (field, code)
    assert data_dump(seeded.conn) == before
    text = describe_error(caught.value)
    assert "(раздел «мероприятия»)" in text and text.endswith("Значение не сохранено.")


def test_refused_kind_lists_the_kinds(empty_db: Database) -> None:
    with pytest.raises(InvalidValueError) as caught:
        empty_db.events.add(EventDraft("Тема", "пикник"), "Новое")
    assert describe_error(caught.value).startswith(
        "«Вид» (раздел «мероприятия»): допустимые значения: семинар, семинар-практикум,"
    )


def test_parse_event_date() -> None:
    assert parse_event_date("28.05.2021") == date(2021, 5, 28)
    assert parse_event_date("28.01. 2021") == date(2021, 1, 28)  # as seed 000 writes it
    assert parse_event_date(" 3.12.21 ") == date(2021, 12, 3)
    assert parse_event_date("2021-05-28") == date(2021, 5, 28)
    assert parse_event_date("15.02.2024 г.") == date(2024, 2, 15)
    assert parse_event_date("  ") is None
    for bad in ("дата", "31.02.2021", "12.2021"):
        with pytest.raises(ValueError):
            parse_event_date(bad)


def test_kinds_and_suggestions(seeded: Database) -> None:
    assert seeded.events.kinds()[: len(EVENT_KINDS)] == list(EVENT_KINDS)
    audiences = seeded.events.suggestions("audience")
    assert audiences[0] == "учителя английского языка"
    assert len(audiences) == 10
    with pytest.raises(KeyError):
        seeded.events.suggestions("topic; DROP TABLE event")


def test_events_of_schema_1_survive_the_upgrade(tmp_path: Path) -> None:
    """Version 6 rebuilds the table (the date may be unknown); older rows keep their values."""
    path = tmp_path / "old.sqlite"
    shutil.copyfile(FIXTURE_V1, path)
    conn = sqlite3.connect(path)
    conn.execute(
        "INSERT INTO event (event_date, kind, topic, audience, coverage)"
        " VALUES ('2021-05-28', 'семинар', 'Методика обучения детей осмысленному чтению',"
        " 'учителя начальных классов', 51)"
    )
    conn.commit()
    conn.close()
    db = Database.open(path)
    try:
        (event,) = db.events.events()
        assert (event.event_date, event.coverage, event.generated) == ("2021-05-28", 51, False)
        fold_text = db.conn.execute("SELECT search_fold FROM event").fetchone()[0]
        assert fold_text == event_fold(
            "семинар",
            "Методика обучения детей осмысленному чтению",
            "учителя начальных классов",
            "",
            "",
            "",
        )
        assert db.events.count(EventQuery(search="ОСМЫСЛЕННОМУ")) == 1
        _, new_id = db.events.add(EventDraft("Без даты", "дискуссия"), "Новое")
        assert new_id > event.id
    finally:
        db.close()
