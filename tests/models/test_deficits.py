"""The reference list of deficits of the tutor journal: added, renamed, removed only when no entry
names it (the refusal says how many do), every change one change set that undo takes back."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import closing
from datetime import date
from pathlib import Path

import pytest

from shnor_desktop.models.database import Database
from shnor_desktop.models.errors import RecordNotFoundError
from shnor_desktop.models.fields import InvalidValueError
from shnor_desktop.models.journal import DeficitInUseError, JournalQuery, VisitDraft
from shnor_desktop.services.messages import describe_error


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    """A tutor, a school, and two entries that name «Школьный уклад»."""
    with closing(Database.open(tmp_path / "d.sqlite")) as database:
        with database.log.change_set("Начальные данные", "demo") as cs:
            tutor = cs.insert("person", {"full_name": "Гладилова О.А."})
            cs.insert("person_role", {"person_id": tutor, "role": "tutor"})
            school = cs.insert(
                "school", {"code": "01", "full_name": "СОШ с. Бартеневка", "short_name": "Барт"}
            )
        for day in (date(2022, 9, 20), date(2022, 10, 4)):
            database.journal.add_visit(
                VisitDraft(
                    visit_date=day,
                    tutor_id=tutor,
                    school_id=school,
                    form="выезд",
                    deficits=("Школьный уклад",),
                ),
                "Запись",
            )
        yield database


def _deficit(db: Database, name: str) -> int:
    return next(d.id for d in db.journal.deficits() if d.name == name)


def test_a_deficit_named_in_entries_is_not_removed_and_the_reason_says_how_many(
    db: Database,
) -> None:
    used = _deficit(db, "Школьный уклад")
    before = db.log.last_id("change_set")
    with pytest.raises(DeficitInUseError) as refused:
        db.journal.remove_deficit(used, "Удалить")
    assert (refused.value.name, refused.value.uses) == ("Школьный уклад", 2)
    assert describe_error(refused.value).startswith(
        "Дефицит «Школьный уклад» указан в 2 записях журнала тьюторов и не удалён"
    )
    assert db.log.last_id("change_set") == before  # nothing written, not even an empty set
    assert {d.name: d.uses for d in db.journal.deficits()} == {"Школьный уклад": 2}


@pytest.mark.parametrize(
    ("uses", "words"),
    [(1, "в 1 записи"), (2, "в 2 записях"), (5, "в 5 записях"), (11, "в 11 записях"),
     (21, "в 21 записи")],
)  # fmt: skip
def test_the_refusal_agrees_with_the_number(uses: int, words: str) -> None:
    assert f"указан {words} журнала" in describe_error(DeficitInUseError(1, "Х", uses))


def test_an_unused_deficit_is_removed_and_undo_brings_it_back(db: Database) -> None:
    info, new = db.journal.add_deficit("  Низкая   мотивация ", "Добавить")
    assert info is not None and info.kind == "edit"
    assert {d.name: d.uses for d in db.journal.deficits()}["Низкая мотивация"] == 0
    removed = db.journal.remove_deficit(new, "Удалить")
    assert removed.touches("deficit")
    assert "Низкая мотивация" not in db.journal.deficit_names()
    db.undo.undo()
    assert _deficit(db, "Низкая мотивация") == new
    with pytest.raises(RecordNotFoundError):
        db.journal.remove_deficit(new + 100, "Удалить")


def test_a_rename_shows_in_every_entry_refuses_a_taken_name_and_is_undone(
    db: Database,
) -> None:
    used = _deficit(db, "Школьный уклад")
    db.journal.add_deficit("Низкая мотивация", "Добавить")
    with pytest.raises(InvalidValueError) as refused:
        db.journal.rename_deficit(used, "НИЗКАЯ мотивация", "Переименовать")
    assert refused.value.issue.code == "duplicate_deficit"
    with pytest.raises(InvalidValueError) as refused:
        db.journal.rename_deficit(used, "  ", "Переименовать")
    assert refused.value.issue.code == "required"
    db.journal.rename_deficit(used, "Уклад школы", "Переименовать")
    assert [v.deficits for v in db.journal.visits(JournalQuery())] == [("Уклад школы",)] * 2
    names = {d.name: d.uses for d in db.journal.deficits()}
    assert names == {"Низкая мотивация": 0, "Уклад школы": 2}
    db.undo.undo()
    assert {d.name for d in db.journal.deficits()} == {"Низкая мотивация", "Школьный уклад"}
