"""The tutor journal: entries with deficits through the change log, filters, search, the weekly
lists (overdue follow-ups, schools with no visit for N days) and the chart's monthly counts."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import closing
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from shnor_desktop.models.database import Database
from shnor_desktop.models.errors import RecordNotFoundError
from shnor_desktop.models.fields import InvalidValueError
from shnor_desktop.models.journal import (
    NO_VISIT_DAYS,
    JournalQuery,
    VisitDraft,
    months_of,
    parse_day,
    school_year_period,
)
from shnor_desktop.services.messages import describe_error


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    """Two tutors, four schools (one a branch) with their groups of 2022/23, no entries."""
    with closing(Database.open(tmp_path / "j.sqlite")) as database:
        with database.log.change_set("Начальные данные", "demo") as cs:
            for name in ("Гладилова О.А.", "Кочнева О.А."):
                person = cs.insert("person", {"full_name": name})
                cs.insert("person_role", {"person_id": person, "role": "tutor"})
            schools = [
                ("01", "МОУ «СОШ с. Бартеневка им. П.Е. Толстова»", "СОШ с. Бартеневка", "shnor"),
                ("02", "МОУ «СОШ п. Знаменский»", "СОШ п. Знаменский", "risk"),
                ("08", "МОУ «Гимназия с. Ивантеевка»", "Гимназия с. Ивантеевка", "leader"),
            ]
            for code, full, short, group in schools:
                school = cs.insert("school", {"code": code, "full_name": full, "short_name": short})
                cs.insert(
                    "school_profile", {"school_id": school, "year": 2022, "group_code": group}
                )
            cs.insert(
                "school",
                {
                    "code": "08-1",
                    "full_name": "Филиал в с. Раевка",
                    "short_name": "Филиал в с. Раевка",
                    "parent_id": 3,
                },
            )
        yield database


def _ids(db: Database) -> tuple[int, int, int, int, int]:
    people = {p.full_name: p.id for p in db.district.people()}
    schools = {s.code: s.id for s in db.schools.all_schools()}
    return (
        people["Гладилова О.А."],
        people["Кочнева О.А."],
        schools["01"],
        schools["02"],
        schools["08"],
    )


def _draft(tutor: int, school: int, day: date, **values: object) -> VisitDraft:
    return replace(VisitDraft(day, tutor, school, "выезд"), **values)  # type: ignore[arg-type]


def test_an_entry_with_deficits_is_written_in_one_change_set_and_undone(db: Database) -> None:
    gladilova, _, bartenevka, _, _ = _ids(db)
    info, visit_id = db.journal.add_visit(
        _draft(
            gladilova,
            bartenevka,
            date(2022, 10, 5),
            topic="Экспертиза антирисковой программы",
            participants=6,
            findings="Программа не опирается на результаты ВПР.",
            recommendations="Доработать раздел «Мониторинг».",
            due_date=date(2022, 10, 31),
            deficits=("Объективность оценивания", "Вовлечение родителей"),
        ),
        "Запись журнала тьютора",
    )
    assert info.touches("tutor_visit", "tutor_visit_deficit", "deficit")
    visit = db.journal.visit(visit_id)
    assert visit.tutor_name == "Гладилова О.А."
    assert visit.school_name == "СОШ с. Бартеневка"
    assert visit.school_full_name == "МОУ «СОШ с. Бартеневка им. П.Е. Толстова»"
    assert visit.deficits == ("Объективность оценивания", "Вовлечение родителей")
    assert visit.due_date == date(2022, 10, 31)
    assert visit.follow_up_status == "open"
    assert [d.name for d in db.journal.deficits()] == [
        "Вовлечение родителей",
        "Объективность оценивания",
    ]
    # The change log puts the set on the undo stack itself: one undo takes everything back.
    assert db.undo.next_undo() is not None
    db.undo.undo()
    with pytest.raises(RecordNotFoundError):
        db.journal.visit(visit_id)
    assert db.journal.deficits() == []
    db.undo.redo()
    assert db.journal.visit(visit_id).deficits == visit.deficits


def test_deficit_names_are_one_whatever_their_case_and_the_list_grows(db: Database) -> None:
    gladilova, kochneva, bartenevka, znamensky, _ = _ids(db)
    db.journal.add_visit(
        _draft(gladilova, bartenevka, date(2022, 9, 20), deficits=("Школьный уклад",)), "1"
    )
    _, second = db.journal.add_visit(
        _draft(
            kochneva,
            znamensky,
            date(2022, 9, 21),
            deficits=("школьный  УКЛАД", "Мотивация обучающихся", "мотивация обучающихся"),
        ),
        "2",
    )
    assert db.journal.visit(second).deficits == ("Школьный уклад", "Мотивация обучающихся")
    listed = {d.name: d.uses for d in db.journal.deficits()}
    assert listed == {"Школьный уклад": 2, "Мотивация обучающихся": 1}
    _, existing = db.journal.add_deficit("ШКОЛЬНЫЙ УКЛАД", "Дефицит")
    assert existing == next(d.id for d in db.journal.deficits() if d.name == "Школьный уклад")


def test_an_update_keeps_the_deficits_kept_and_changes_the_rest(db: Database) -> None:
    gladilova, kochneva, bartenevka, _, _ = _ids(db)
    _, visit_id = db.journal.add_visit(
        _draft(gladilova, bartenevka, date(2022, 11, 1), deficits=("А-дефицит", "Б-дефицит")),
        "Запись",
    )
    before = db.journal.visit(visit_id)
    info = db.journal.update_visit(
        visit_id,
        replace(before.draft(), tutor_id=kochneva, deficits=("Б-дефицит", "В-дефицит")),
        "Изменение записи",
    )
    assert info is not None
    after = db.journal.visit(visit_id)
    assert after.tutor_name == "Кочнева О.А."
    assert after.deficits == ("Б-дефицит", "В-дефицит")
    # Nothing differs: no change set.
    assert db.journal.update_visit(visit_id, after.draft(), "Без изменений") is None
    db.undo.undo()
    assert db.journal.visit(visit_id) == before


def test_a_draft_is_refused_with_the_field_named(db: Database) -> None:
    gladilova, _, bartenevka, _, _ = _ids(db)
    with pytest.raises(InvalidValueError) as refused:
        db.journal.add_visit(
            _draft(gladilova, bartenevka, date(2022, 10, 5), due_date=date(2022, 10, 1)), "x"
        )
    assert (refused.value.field, refused.value.issue.code) == ("due_date", "due_before_visit")
    assert "раньше" in describe_error(refused.value)
    with pytest.raises(InvalidValueError) as refused:
        db.journal.add_visit(VisitDraft(date(2022, 10, 5), gladilova, None, "выезд"), "x")
    assert refused.value.field == "school_id"
    with pytest.raises(InvalidValueError) as refused:
        db.journal.add_visit(_draft(gladilova, bartenevka, date(2022, 10, 5), form="поход"), "x")
    assert refused.value.field == "form"
    assert db.journal.count(JournalQuery()) == 0
    # The rule runs on every write path, not only in the repository.
    with (
        pytest.raises(InvalidValueError),
        db.log.change_set("Мимо репозитория") as cs,
    ):
        cs.insert(
            "tutor_visit",
            {"visit_date": "2022-10-05", "form": "выезд", "due_date": "2022-09-01"},
        )


def _fill(db: Database) -> dict[str, int]:
    gladilova, kochneva, bartenevka, znamensky, gymnasium = _ids(db)
    entries = {
        "early": _draft(
            gladilova,
            bartenevka,
            date(2022, 9, 14),
            topic="Концепция развития школы",
            recommendations="Утвердить план",
            due_date=date(2022, 10, 1),
            follow_up_status="done",
        ),
        "open_overdue": _draft(
            gladilova,
            bartenevka,
            date(2022, 10, 12),
            form="консультация",
            topic="Антирисковая программа",
            recommendations="Доработать раздел мониторинга",
            due_date=date(2022, 11, 1),
            deficits=("Определение рисков снижения образовательных результатов",),
        ),
        "in_progress_overdue": _draft(
            kochneva,
            znamensky,
            date(2022, 10, 20),
            form="посещение урока",
            topic="Урок русского языка в 6 классе",
            recommendations="Отработать критерии оценивания",
            due_date=date(2022, 11, 15),
            follow_up_status="in_progress",
            deficits=("Объективность оценивания",),
        ),
        "not_yet_due": _draft(
            kochneva,
            znamensky,
            date(2022, 11, 10),
            topic="ВПР по математике",
            recommendations="Провести диагностику",
            due_date=date(2022, 12, 20),
        ),
        "seminar": _draft(
            kochneva,
            gymnasium,
            date(2022, 11, 24),
            form="семинар",
            topic="Семинар по обмену опытом: объективность оценочных процедур",
            participants=28,
            follow_up_status="not_required",
        ),
    }
    return {key: db.journal.add_visit(draft, key)[1] for key, draft in entries.items()}


def test_filters_combine_and_search_finds_every_word_anywhere(db: Database) -> None:
    ids = _fill(db)
    gladilova, kochneva, bartenevka, znamensky, _ = _ids(db)

    def found(**query: object) -> set[str]:
        shown = db.journal.visits(JournalQuery(**query))  # type: ignore[arg-type]
        return {key for key, visit_id in ids.items() if visit_id in {v.id for v in shown}}

    assert found() == set(ids)
    assert found(period=(date(2022, 10, 1), date(2022, 10, 31))) == {
        "open_overdue",
        "in_progress_overdue",
    }
    assert found(tutor_id=gladilova) == {"early", "open_overdue"}
    assert found(school_id=znamensky) == {"in_progress_overdue", "not_yet_due"}
    assert found(form="семинар") == {"seminar"}
    assert found(tutor_id=kochneva, school_id=bartenevka) == set()
    # Search folds case and ё, matches the school, the tutor, deficits and text; all words.
    assert found(search="ОБЪЕКТИВНОСТЬ") == {"in_progress_overdue", "seminar"}
    assert found(search="бартеневка антирисковая") == {"open_overdue"}
    assert found(search="гладилова") == {"early", "open_overdue"}
    assert found(search="рисков снижения") == {"open_overdue"}
    assert found(search="знаменский объективность") == {"in_progress_overdue"}
    # Follow-up status as seen on a day: «overdue» is derived, «open» excludes it.
    today = date(2022, 11, 20)
    assert found(follow_up="overdue", today=today) == {"open_overdue", "in_progress_overdue"}
    assert found(follow_up="open", today=today) == {"not_yet_due"}
    assert found(follow_up="done", today=today) == {"early"}
    assert db.journal.count(JournalQuery(follow_up="overdue", today=today)) == 2
    # Newest first by default; pages.
    dates = [v.visit_date for v in db.journal.visits(JournalQuery())]
    assert dates == sorted(dates, reverse=True)
    page = db.journal.visits(JournalQuery(), offset=1, limit=2)
    assert [v.visit_date for v in page] == dates[1:3]
    by_school = db.journal.visits(JournalQuery(order="school", descending=False))
    assert [v.school_name for v in by_school][0] == "Гимназия с. Ивантеевка"


def test_overdue_follow_ups_on_a_fixed_day(db: Database) -> None:
    ids = _fill(db)
    overdue = db.journal.overdue_follow_ups(date(2022, 11, 20))
    assert [v.id for v in overdue] == [ids["open_overdue"], ids["in_progress_overdue"]]
    assert [v.days_overdue(date(2022, 11, 20)) for v in overdue] == [19, 5]
    assert all(v.status_on(date(2022, 11, 20)) == "overdue" for v in overdue)
    # On the due day itself nothing is overdue yet; later more is.
    assert db.journal.overdue_follow_ups(date(2022, 11, 1)) == []
    assert len(db.journal.overdue_follow_ups(date(2023, 1, 10))) == 3
    # Done: it leaves the list (and undo brings it back).
    db.journal.set_follow_up(ids["open_overdue"], "done", "Исполнено", note="План доработан")
    assert [v.id for v in db.journal.overdue_follow_ups(date(2022, 11, 20))] == [
        ids["in_progress_overdue"]
    ]
    assert db.journal.visit(ids["open_overdue"]).follow_up_note == "План доработан"
    db.undo.undo()
    assert len(db.journal.overdue_follow_ups(date(2022, 11, 20))) == 2


def test_schools_without_a_visit_for_n_days_on_a_fixed_day(db: Database) -> None:
    _fill(db)
    rows = db.journal.schools_without_visit(60, date(2023, 1, 20))
    by_name = {r.short_name: r for r in rows}
    # Never visited first; then the oldest last visit.  Знаменский: last 10.11.2022 (71 days).
    # The gymnasium's seminar was 57 days before: fewer than 60, so it is not listed.
    assert [r.short_name for r in rows] == [
        "Филиал в с. Раевка",
        "СОШ с. Бартеневка",
        "СОШ п. Знаменский",
    ]
    assert by_name["Филиал в с. Раевка"].last_visit is None
    assert by_name["Филиал в с. Раевка"].days_since is None
    assert by_name["СОШ с. Бартеневка"].last_visit == date(2022, 10, 12)
    assert by_name["СОШ с. Бартеневка"].days_since == 100
    assert by_name["СОШ с. Бартеневка"].last_tutor == "Гладилова О.А."
    assert by_name["СОШ п. Знаменский"].days_since == 71
    # N days counts the day N itself: 57 days without a visit is «57 or more», not «58».
    at_57 = {r.short_name: r for r in db.journal.schools_without_visit(57, date(2023, 1, 20))}
    assert at_57["Гимназия с. Ивантеевка"].days_since == 57
    assert "Гимназия с. Ивантеевка" not in {
        r.short_name for r in db.journal.schools_without_visit(58, date(2023, 1, 20))
    }
    # Only the supported groups of the year (a school without a passport is «none»).
    supported = db.journal.schools_without_visit(
        60, date(2023, 1, 20), year=2022, groups=("shnor", "risk", "prevention")
    )
    assert [r.short_name for r in supported] == ["СОШ с. Бартеневка", "СОШ п. Знаменский"]
    assert [r.group_code for r in supported] == ["shnor", "risk"]
    # A visit after «today» does not count.
    assert db.journal.schools_without_visit(1, date(2022, 9, 1))[0].last_visit is None


def test_the_no_visit_days_setting_has_a_default_and_is_undone(db: Database) -> None:
    assert db.settings.get(NO_VISIT_DAYS) == 60
    db.settings.set(NO_VISIT_DAYS, 45, "Настройка")
    assert db.settings.get(NO_VISIT_DAYS) == 45
    with pytest.raises(InvalidValueError):
        db.settings.set(NO_VISIT_DAYS, 0, "Настройка")
    db.undo.undo()
    assert db.settings.get(NO_VISIT_DAYS) == 60


def test_visits_per_month_are_counted_for_the_chart(db: Database) -> None:
    _fill(db)
    _, _, bartenevka, znamensky, gymnasium = _ids(db)
    monthly = db.journal.visits_per_month(None, school_year_period(2022))
    assert len(monthly.months) == 12
    assert monthly.months[0] == date(2022, 9, 1)
    assert [name for _, name in monthly.schools] == [
        "СОШ п. Знаменский",
        "СОШ с. Бартеневка",
        "Гимназия с. Ивантеевка",
    ]
    assert monthly.counts[bartenevka][:3] == (1, 1, 0)
    assert monthly.counts[znamensky][:3] == (0, 1, 1)
    assert monthly.total(gymnasium) == 1
    assert monthly.month_totals()[:4] == (1, 2, 2, 0)
    only = db.journal.visits_per_month([bartenevka], (date(2022, 10, 1), date(2022, 12, 31)))
    assert only.schools == ((bartenevka, "СОШ с. Бартеневка"),)
    assert only.counts[bartenevka] == (1, 0, 0)
    assert db.journal.visits_per_month([], school_year_period(2022)).schools == ()


def test_removing_an_entry_or_a_tutor_is_recorded(db: Database) -> None:
    ids = _fill(db)
    gladilova = _ids(db)[0]
    db.journal.remove_visit(ids["open_overdue"], "Удаление записи")
    assert db.journal.count(JournalQuery()) == 4
    db.undo.undo()
    assert db.journal.visit(ids["open_overdue"]).deficits == (
        "Определение рисков снижения образовательных результатов",
    )
    # Removing the tutor clears the entries' tutor (undo restores it).
    db.district.remove_person(gladilova, "Удаление человека")
    assert db.journal.visit(ids["early"]).tutor_id is None
    assert db.journal.visit(ids["early"]).tutor_name == ""
    db.undo.undo()
    assert db.journal.visit(ids["early"]).tutor_name == "Гладилова О.А."


def test_years_and_helpers(db: Database) -> None:
    _fill(db)
    assert db.journal.years() == [2022]
    assert db.journal.last_visit_date() == date(2022, 11, 24)
    assert months_of((date(2022, 11, 15), date(2023, 2, 1))) == (
        date(2022, 11, 1),
        date(2022, 12, 1),
        date(2023, 1, 1),
        date(2023, 2, 1),
    )
    visit = date(2022, 10, 5)
    assert parse_day("", visit) is None
    assert parse_day("31.10.2022", visit) == date(2022, 10, 31)
    assert parse_day("31.10.22", visit) == date(2022, 10, 31)
    assert parse_day("31.10", visit) == date(2022, 10, 31)
    assert parse_day("15.01", visit) == date(2023, 1, 15)
    assert parse_day("+14", visit) == date(2022, 10, 19)
    assert parse_day("+2 нед", visit) == date(2022, 10, 19)
    for wrong in ("завтра", "32.10.2022", "1.2.3.4"):
        with pytest.raises(ValueError):
            parse_day(wrong, visit)


def test_a_visit_day_typed_without_a_year_is_the_last_such_day() -> None:
    today = date(2023, 1, 20)
    assert parse_day("05.10", today, ahead=False) == date(2022, 10, 5)
    assert parse_day("19.01", today, ahead=False) == date(2023, 1, 19)
    assert parse_day("-1", today, ahead=False) == date(2023, 1, 19)
    assert parse_day("5,10,2022", today) == date(2022, 10, 5)
