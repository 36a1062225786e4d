"""The agreement with the mentor school (№ and date): declared once among the passport's fields,
so the passport, the «Люди» page and any other write refuse the same values for the same reason."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import closing
from datetime import date
from pathlib import Path

import pytest

from shnor_desktop.models.database import Database
from shnor_desktop.models.fields import InvalidValueError
from shnor_desktop.models.people import ASSIGNMENT_FIELDS
from shnor_desktop.models.schools import PROFILE_FIELD_BY_NAME, PROFILE_FIELDS
from shnor_desktop.services.messages import describe_issue

YEAR = 2022


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    """A school and a leader school that mentors it."""
    with closing(Database.open(tmp_path / "a.sqlite")) as database:
        with database.log.change_set("Начальные данные", "demo") as cs:
            school = cs.insert(
                "school", {"code": "02", "full_name": "СОШ п. Знаменский", "short_name": "Знам"}
            )
            leader = cs.insert(
                "school", {"code": "08", "full_name": "Гимназия", "short_name": "Гимназия"}
            )
            cs.insert(
                "school_profile",
                {"school_id": school, "year": YEAR, "mentor_school_id": leader},
            )
        yield database


def _ids(db: Database) -> tuple[int, int]:
    schools = {s.code: s.id for s in db.schools.all_schools()}
    return schools["02"], schools["08"]


def test_the_agreement_is_a_field_of_the_passport_next_to_the_mentor_school() -> None:
    names = [spec.name for spec in PROFILE_FIELDS]
    at = names.index("mentor_school_id")
    assert names[at + 1 : at + 3] == ["mentor_agreement_no", "mentor_agreement_date"]
    assert PROFILE_FIELD_BY_NAME["mentor_agreement_date"].kind == "date"
    # The «Люди» page writes the passport's own fields, not copies of them.
    assert all(spec is PROFILE_FIELD_BY_NAME[spec.name] for spec in ASSIGNMENT_FIELDS)


def test_a_bad_date_is_refused_on_every_path_with_the_same_issue(db: Database) -> None:
    school, _leader = _ids(db)
    refusals = []
    with pytest.raises(InvalidValueError) as caught:
        db.people.set_assignment(school, YEAR, {"mentor_agreement_date": "31.02.2023"}, "Люди")
    refusals.append(caught.value.issue)
    with pytest.raises(InvalidValueError) as caught:
        db.schools.set_profile_value(school, YEAR, "mentor_agreement_date", "2023-02-31", "Паспорт")
    refusals.append(caught.value.issue)
    with pytest.raises(InvalidValueError) as caught, db.log.change_set("Прямо") as cs:
        profile = db.schools.profile(school, YEAR)
        assert profile is not None
        cs.update("school_profile", profile.id, {"mentor_agreement_date": "завтра"})
    refusals.append(caught.value.issue)
    assert {(i.field, i.code) for i in refusals} == {("mentor_agreement_date", "not_date")}
    assert {describe_issue(i) for i in refusals} == {"нужна дата, например 31.08.2024"}
    profile = db.schools.profile(school, YEAR)
    assert profile is not None and profile.mentor_agreement_date is None


def test_the_passport_and_the_people_page_read_and_write_the_same_agreement(db: Database) -> None:
    school, leader = _ids(db)
    db.schools.set_profile_value(school, YEAR, "mentor_agreement_no", " 3-н ", "Паспорт")
    db.schools.set_profile_value(school, YEAR, "mentor_agreement_date", "2022-09-01", "Паспорт")
    assignment = db.people.assignment(school, YEAR)
    assert (assignment.agreement_no, assignment.agreement_date) == ("3-н", date(2022, 9, 1))
    db.people.set_assignment(school, YEAR, {"mentor_agreement_date": date(2022, 9, 5)}, "Люди")
    profile = db.schools.profile(school, YEAR)
    assert profile is not None
    assert (profile.mentor_school_id, profile.mentor_agreement_no) == (leader, "3-н")
    assert profile.mentor_agreement_date == "2022-09-05"
    history = db.schools.profile_history(school, YEAR, "mentor_agreement_date")
    assert [(c.old, c.new) for c in history[-2:]] == [
        (None, "2022-09-01"),
        ("2022-09-01", "2022-09-05"),
    ]


def test_clearing_the_mentor_in_the_passport_clears_the_agreement_in_one_undo(
    db: Database,
) -> None:
    school, leader = _ids(db)
    db.people.set_assignment(
        school,
        YEAR,
        {"mentor_agreement_no": "3-н", "mentor_agreement_date": "2022-09-01"},
        "Соглашение",
    )
    db.schools.set_profile_value(school, YEAR, "mentor_school_id", None, "Без наставника")
    cleared = db.schools.profile(school, YEAR)
    assert cleared is not None
    assert (cleared.mentor_school_id, cleared.mentor_agreement_no) == (None, "")
    assert cleared.mentor_agreement_date is None
    db.undo.undo()
    restored = db.schools.profile(school, YEAR)
    assert restored is not None
    assert (restored.mentor_school_id, restored.mentor_agreement_no) == (leader, "3-н")
    assert restored.mentor_agreement_date == "2022-09-01"
