"""People search (Russian case folded, oblique cases of surnames) and the assignments of schools
by school year: curator, mentor school, the agreement № and date."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import closing
from datetime import date
from pathlib import Path

import pytest

from shnor_desktop.models.database import Database
from shnor_desktop.models.fields import InvalidValueError
from shnor_desktop.models.people import search_stems


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    """Three people with roles, a school with a branch and a leader school."""
    with closing(Database.open(tmp_path / "p.sqlite")) as database:
        with database.log.change_set("Начальные данные", "demo") as cs:
            for name, position, roles in (
                ("Астраханцева О.В.", "муниципальный координатор", ("coordinator",)),
                ("Гладилова О.А.", "директор МУ РЦ", ("tutor", "curator")),
                ("Кочнева О.А.", "руководитель РМО учителей русского языка", ("head_rmo",)),
            ):
                person = cs.insert("person", {"full_name": name, "position": position})
                for role in roles:
                    cs.insert(
                        "person_role",
                        {"person_id": person, "role": role, "title": "Тьютор-консультант"}
                        if role == "head_rmo"
                        else {"person_id": person, "role": role},
                    )
            first = cs.insert(
                "school",
                {
                    "code": "02",
                    "full_name": "МОУ «СОШ п. Знаменский»",
                    "short_name": "СОШ п. Знаменский",
                },
            )
            cs.insert(
                "school",
                {
                    "code": "02-1",
                    "full_name": "Филиал в с. Николаевка",
                    "short_name": "Филиал в с. Николаевка",
                    "parent_id": first,
                },
            )
            leader = cs.insert(
                "school",
                {
                    "code": "08",
                    "full_name": "МОУ «Гимназия с. Ивантеевка»",
                    "short_name": "Гимназия",
                },
            )
            cs.insert(
                "school_profile",
                {
                    "school_id": first,
                    "year": 2022,
                    "group_code": "risk",
                    "mentor_school_id": leader,
                    "generated_fields": json.dumps(["mentor_school_id", "pupils_total"]),
                },
            )
        yield database


def _names(people: object) -> list[str]:
    return [p.full_name for p in people]  # type: ignore[attr-defined]


def test_search_folds_case_and_finds_a_surname_in_an_oblique_case(db: Database) -> None:
    assert _names(db.people.find()) == ["Астраханцева О.В.", "Гладилова О.А.", "Кочнева О.А."]
    assert _names(db.people.find("гладилова")) == ["Гладилова О.А."]
    assert _names(db.people.find("ГЛАДИЛОВОЙ")) == ["Гладилова О.А."]
    assert _names(db.people.find("Астраханцеву О.В.")) == ["Астраханцева О.В."]
    assert _names(db.people.find("о.а.")) == ["Гладилова О.А.", "Кочнева О.А."]
    # Position, organisation and the role's title as the documents write it.
    assert _names(db.people.find("РМО русского")) == ["Кочнева О.А."]
    assert _names(db.people.find("тьютор")) == ["Кочнева О.А."]
    assert _names(db.people.find("", role="curator")) == ["Гладилова О.А."]
    assert _names(db.people.find("кочнева", role="curator")) == []
    assert search_stems("Гладиловой  О.А.") == ["гладилов", "о.а."]
    assert search_stems("мир") == ["мир"]


def test_assignments_of_a_year_list_every_school_with_branches_under_it(db: Database) -> None:
    rows = db.people.assignments(2022)
    assert [r.school_name for r in rows] == [
        "Гимназия",
        "СОШ п. Знаменский",
        "Филиал в с. Николаевка",
    ]
    znamensky = rows[1]
    assert znamensky.mentor_school_name == "Гимназия"
    assert znamensky.group_code == "risk"
    assert znamensky.generated == ("mentor_school_id",)
    assert rows[2].profile_id is None and rows[2].group_code == "none"


def test_an_assignment_is_written_in_one_change_set_and_undone(db: Database) -> None:
    gladilova = db.people.find("Гладилова")[0].id
    znamensky = db.people.assignments(2022)[1]
    info = db.people.set_assignment(
        znamensky.school_id,
        2022,
        {
            "curator_id": gladilova,
            "mentor_agreement_no": "3-н",
            "mentor_agreement_date": date(2022, 9, 1),
        },
        "Закрепление за школой",
    )
    assert info is not None and info.touches("school_profile")
    after = db.people.assignment(znamensky.school_id, 2022)
    assert (after.curator_name, after.agreement_no, after.agreement_date) == (
        "Гладилова О.А.",
        "3-н",
        date(2022, 9, 1),
    )
    # The passport shows the same curator; the demo's mentor school stays generated.
    profile = db.schools.profile(znamensky.school_id, 2022)
    assert profile is not None and profile.curator_id == gladilova
    assert after.generated == ("mentor_school_id",)
    assert db.people.curated_schools(gladilova, 2022) == ["СОШ п. Знаменский"]
    db.undo.undo()
    assert db.people.assignment(znamensky.school_id, 2022) == znamensky


def test_clearing_the_mentor_clears_the_agreement_and_a_mentor_is_no_longer_generated(
    db: Database,
) -> None:
    school = db.people.assignments(2022)[1]
    leader = db.people.assignments(2022)[0].school_id
    db.people.set_assignment(
        school.school_id,
        2022,
        {"mentor_school_id": leader, "mentor_agreement_no": "7"},
        "Соглашение",
    )
    assert db.people.assignment(school.school_id, 2022).generated == ("mentor_school_id",)
    db.people.set_assignment(school.school_id, 2022, {"mentor_school_id": None}, "Без наставника")
    cleared = db.people.assignment(school.school_id, 2022)
    assert (cleared.mentor_school_id, cleared.agreement_no) == (None, "")
    assert cleared.generated == ()
    profile = db.schools.profile(school.school_id, 2022)
    assert profile is not None and profile.generated_fields == ("pupils_total",)


def test_a_branch_without_a_passport_gets_one_and_refusals_name_the_field(db: Database) -> None:
    branch = db.people.assignments(2022)[2]
    leader = db.people.assignments(2022)[0].school_id
    assert db.people.set_assignment(branch.school_id, 2023, {"curator_id": None}, "x") is None
    db.people.set_assignment(branch.school_id, 2023, {"mentor_school_id": leader}, "Наставник")
    created = db.people.assignment(branch.school_id, 2023)
    assert created.profile_id is not None and created.mentor_school_name == "Гимназия"
    with pytest.raises(InvalidValueError) as refused:
        db.people.set_assignment(
            branch.school_id, 2023, {"mentor_agreement_date": "31.02.2023"}, "x"
        )
    assert refused.value.field == "mentor_agreement_date"
    with pytest.raises(InvalidValueError) as refused:
        db.people.set_assignment(leader, 2023, {"mentor_school_id": leader}, "x")
    assert refused.value.issue.code == "self_mentor"
    with pytest.raises(KeyError):
        db.people.set_assignment(leader, 2023, {"group_code": "shnor"}, "x")
