"""The school repository (search, filter, order, passports) and the text helpers."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from shnor_desktop.models.database import Database
from shnor_desktop.models.errors import RecordNotFoundError
from shnor_desktop.models.schools import (
    PROFILE_FIELD_BY_NAME,
    FieldIssue,
    InvalidValueError,
    SchoolProfile,
    SchoolQuery,
    SchoolRepository,
    check_value,
    profile_warnings,
)
from shnor_desktop.models.text import (
    fold,
    format_date,
    format_number,
    format_share,
    format_timestamp,
    parse_number,
    school_year_label,
)

YEAR = 2022


@pytest.fixture
def database(tmp_path: Path) -> Iterator[Database]:
    opened = Database.open(tmp_path / "x.sqlite")
    try:
        yield opened
    finally:
        opened.close()


@pytest.fixture
def ids(database: Database) -> dict[str, int]:
    """A small district: five schools, a branch and passports of 2022."""
    repo = database.schools
    created: dict[str, int] = {}
    for key, values in {
        "bartenevka": {
            "code": "01",
            "full_name": "МОУ «СОШ с. Бартеневка им. П.Е. Толстова»",
            "short_name": "Бартеневка",
            "locality": "с. Бартеневка",
            "distance_km": 18,
        },
        "arbuzovka": {
            "code": "02",
            "full_name": "МОУ «ООШ с. Арбузовка»",
            "short_name": "Арбузовка",
            "kind": "ООШ",
            "distance_km": 25,
        },
        "yablonovy": {
            "code": "03",
            "full_name": "МОУ «ООШ с. Яблоновый Гай»",
            "short_name": "Яблоновый Гай",
            "kind": "ООШ",
        },
        "yolshanka": {
            "code": "04",
            "full_name": "МОУ «ООШ с. Ёлшанка»",
            "short_name": "Ёлшанка",
            "kind": "ООШ",
        },
        "dryomov": {
            "code": "ИВ-07",
            "full_name": "МОУ «СОШ с. Ивантеевка им. Д.И. Дрёмова»",
            "short_name": "СОШ им. Дрёмова",
            "locality": "с. Ивантеевка",
            "distance_km": 0,
        },
    }.items():
        _, created[key] = repo.add(values, "Добавлена школа")
    _, created["branch"] = repo.add(
        {
            "code": "01-1",
            "full_name": "Филиал МОУ «СОШ с. Бартеневка» в д. Знаменка",
            "short_name": "Филиал д. Знаменка",
            "parent_id": created["bartenevka"],
        },
        "Добавлен филиал",
    )
    for key, values in {
        "bartenevka": {
            "pupils_total": 86,
            "pupils_1_4": 36,
            "pupils_5_9": 48,
            "pupils_10_11": 1,
            "pct_low_income": 11,
            "group_code": "shnor",
        },
        "arbuzovka": {"pupils_total": 40, "group_code": "risk"},
        "dryomov": {"pupils_total": 500, "group_code": "leader"},
        "yolshanka": {"group_code": "none"},  # a passport without the pupils figure
    }.items():
        for name, value in values.items():
            repo.set_profile_value(created[key], YEAR, name, value, "Паспорт")
    return created


def _names(database: Database, query: SchoolQuery) -> list[str]:
    return [r.short_name for r in database.schools.rows(query)]


# --- search -----------------------------------------------------------------------


def test_search_is_case_insensitive_in_russian(database: Database, ids: dict[str, int]) -> None:
    for needle in ("БАРТЕНЕВКА", "бартеневка", "БарТенЕвка", "  бартеневка "):
        rows = database.schools.rows(SchoolQuery(search=needle, year=YEAR))
        # The branch's full name says «Бартеневка» too.
        assert [(r.id, r.matches, r.pupils_total) for r in rows] == [
            (ids["bartenevka"], True, 86),
            (ids["branch"], True, None),
        ]
    # The full name is searched too (the patron's name is only there).
    assert _names(database, SchoolQuery(search="толстова")) == ["Бартеневка"]


@pytest.mark.parametrize("needle", ["Дрёмова", "Дремова", "ДРЁМОВА", "дремова", "ДРЕМОВА"])
def test_search_treats_yo_as_ye(database: Database, ids: dict[str, int], needle: str) -> None:
    assert _names(database, SchoolQuery(search=needle)) == ["СОШ им. Дрёмова"]


def test_search_matches_the_code(database: Database, ids: dict[str, int]) -> None:
    assert _names(database, SchoolQuery(search="ив-07")) == ["СОШ им. Дрёмова"]
    assert _names(database, SchoolQuery(search="03")) == ["Яблоновый Гай"]


def test_search_without_match_is_empty(database: Database, ids: dict[str, int]) -> None:
    assert database.schools.rows(SchoolQuery(search="Саратов")) == []


def test_matching_branch_brings_its_school(database: Database, ids: dict[str, int]) -> None:
    rows = database.schools.rows(SchoolQuery(search="знаменка", year=YEAR))
    assert [(r.id, r.parent_id, r.matches) for r in rows] == [
        (ids["branch"], ids["bartenevka"], True),
        (ids["bartenevka"], None, False),
    ]
    assert rows[1].pupils_total == 86  # the school comes with its figures of the year
    assert database.schools.branches(ids["bartenevka"])[0].id == ids["branch"]


def test_school_matching_with_its_branch_is_listed_once(
    database: Database, ids: dict[str, int]
) -> None:
    rows = database.schools.rows(SchoolQuery(search="бартеневка"))
    assert sorted((r.id, r.matches) for r in rows) == sorted(
        [(ids["bartenevka"], True), (ids["branch"], True)]
    )


def test_renaming_updates_the_search(database: Database, ids: dict[str, int]) -> None:
    set_id = database.schools.set_school_value(
        ids["arbuzovka"], "short_name", "Арбузовская ООШ", "Переименование"
    )
    assert set_id is not None
    assert _names(database, SchoolQuery(search="АРБУЗОВСКАЯ")) == ["Арбузовская ООШ"]
    assert (
        database.schools.set_school_value(
            ids["arbuzovka"], "short_name", "Арбузовская ООШ", "Ещё раз"
        )
        is None
    )


# --- filter and order --------------------------------------------------------------------


def test_filter_by_group_for_a_year(database: Database, ids: dict[str, int]) -> None:
    rows = database.schools.rows(SchoolQuery(group="shnor", year=YEAR))
    assert [(r.short_name, r.group_code) for r in rows] == [("Бартеневка", "shnor")]
    assert _names(database, SchoolQuery(group="risk", year=YEAR)) == ["Арбузовка"]
    # Without a passport of the year a school is «без группы»; the branch
    # brings its school (a ШНОР school) along, marked as not matching.
    rows = database.schools.rows(SchoolQuery(group="none", year=YEAR))
    assert [(r.short_name, r.group_code, r.matches) for r in rows] == [
        ("Ёлшанка", "none", True),
        ("Филиал д. Знаменка", None, True),
        ("Яблоновый Гай", None, True),
        ("Бартеневка", "shnor", False),
    ]
    assert _names(database, SchoolQuery(group="shnor", year=YEAR + 1)) == []
    assert len(database.schools.rows(SchoolQuery(group="none", year=YEAR + 1))) == 6
    assert _names(database, SchoolQuery(search="ооШ", group="risk", year=YEAR)) == ["Арбузовка"]


NAME_ORDER = [
    "Арбузовка",
    "Бартеневка",
    "Ёлшанка",
    "СОШ им. Дрёмова",
    "Филиал д. Знаменка",
    "Яблоновый Гай",
]


def test_sort_by_name_in_russian_order(database: Database, ids: dict[str, int]) -> None:
    assert _names(database, SchoolQuery(year=YEAR)) == NAME_ORDER
    assert _names(database, SchoolQuery(year=YEAR, descending=True)) == NAME_ORDER[::-1]
    assert [s.short_name for s in database.schools.all_schools()] == NAME_ORDER


def test_sort_by_pupils_puts_missing_figures_last(database: Database, ids: dict[str, int]) -> None:
    rows = database.schools.rows(SchoolQuery(year=YEAR, sort_key="pupils"))
    assert [(r.short_name, r.pupils_total) for r in rows] == [
        ("Арбузовка", 40),
        ("Бартеневка", 86),
        ("СОШ им. Дрёмова", 500),
        ("Ёлшанка", None),
        ("Филиал д. Знаменка", None),
        ("Яблоновый Гай", None),
    ]
    rows = database.schools.rows(SchoolQuery(year=YEAR, sort_key="pupils", descending=True))
    assert [r.pupils_total for r in rows] == [500, 86, 40, None, None, None]


@pytest.mark.parametrize("key", ["code", "kind", "group", "distance"])
def test_other_sort_keys(database: Database, ids: dict[str, int], key: str) -> None:
    rows = database.schools.rows(SchoolQuery(year=YEAR, sort_key=key))
    assert len(rows) == 6
    if key == "distance":
        assert [r.distance_km for r in rows] == [0, 18, 25, None, None, None]


def test_unknown_sort_key_is_refused(database: Database) -> None:
    with pytest.raises(ValueError, match="colour"):
        database.schools.rows(SchoolQuery(sort_key="colour"))


# --- passports -----------------------------------------------------------------------------


def test_set_profile_value_creates_the_passport_of_a_year(
    database: Database, ids: dict[str, int]
) -> None:
    repo = database.schools
    school = ids["yablonovy"]
    assert repo.profile(school, 2023) is None
    set_id = repo.set_profile_value(school, 2023, "pupils_total", 57, "Контингент")
    assert set_id is not None
    profile = repo.profile(school, 2023)
    assert profile is not None
    assert (profile.pupils_total, profile.source, profile.generated_fields) == (57, "manual", ())
    assert profile.group_code == "none"
    assert set_id.row_count == 2  # the passport, then the value
    assert database.log.get_set(set_id.id).row_count == 2  # stored, not recounted
    assert set_id.ids("school_profile") is not None
    assert repo.years() == [2022, 2023]
    assert [p.year for p in repo.profiles(ids["bartenevka"])] == [2022]
    # Setting the same value again changes nothing.
    assert repo.set_profile_value(school, 2023, "pupils_total", "57", "Ещё раз") is None


def test_set_profile_value_removes_the_field_from_generated(
    database: Database, ids: dict[str, int]
) -> None:
    with database.log.change_set("Расчёт", "import") as cs:
        cs.insert(
            "school_profile",
            {
                "school_id": ids["yablonovy"],
                "year": 2023,
                "pupils_total": 60,
                "teachers": 12,
                "generated_fields": '["pupils_total", "teachers"]',
                "source": "generated",
            },
        )
    before = database.schools.profile(ids["yablonovy"], 2023)
    assert before is not None
    assert before.generated_fields == ("pupils_total", "teachers")

    database.schools.set_profile_value(ids["yablonovy"], 2023, "pupils_total", 61, "Правка")
    after = database.schools.profile(ids["yablonovy"], 2023)
    assert after is not None
    assert (after.pupils_total, after.generated_fields) == (61, ("teachers",))

    # Typing the value the document already had still makes it the user's own.
    database.schools.set_profile_value(ids["yablonovy"], 2023, "teachers", 12, "Правка")
    after = database.schools.profile(ids["yablonovy"], 2023)
    assert after is not None
    assert (after.teachers, after.generated_fields) == (12, ())


@pytest.mark.parametrize(
    ("name", "value", "code"),
    [
        ("pct_low_income", 120, "share_range"),
        ("pct_low_income", -0.5, "share_range"),
        ("pupils_total", -1, "negative"),
        ("pupils_total", 2.5, "not_integer"),
        ("teachers", "2.5", "not_integer"),
        ("internet_mbps", -3, "negative"),
        ("group_code", "unknown", "unknown_group"),
    ],
)
def test_set_profile_value_validates(
    database: Database, ids: dict[str, int], name: str, value: object, code: str
) -> None:
    sets_before = len(database.log.recent_sets())
    with pytest.raises(InvalidValueError) as info:
        database.schools.set_profile_value(ids["bartenevka"], YEAR, name, value, "Правка")
    assert info.value.issue == FieldIssue(name, code, "error", (value,))
    assert len(database.log.recent_sets()) == sets_before
    assert database.schools.profile(ids["yablonovy"], YEAR) is None


def test_empty_value_clears_the_field(database: Database, ids: dict[str, int]) -> None:
    repo = database.schools
    assert repo.set_profile_value(ids["bartenevka"], YEAR, "pct_low_income", "", "Очистка")
    profile = repo.profile(ids["bartenevka"], YEAR)
    assert profile is not None
    assert profile.pct_low_income is None
    repo.set_profile_value(ids["bartenevka"], YEAR, "pupils_total", None, "Очистка")
    repo.set_profile_value(ids["bartenevka"], YEAR, "group_code", "  ", "Очистка")
    repo.set_profile_value(ids["bartenevka"], YEAR, "group_reason", None, "Очистка")
    profile = repo.profile(ids["bartenevka"], YEAR)
    assert profile is not None
    assert (profile.pupils_total, profile.group_code, profile.group_reason) == (None, "none", "")


def test_required_school_names_cannot_be_cleared(database: Database, ids: dict[str, int]) -> None:
    with pytest.raises(InvalidValueError) as info:
        database.schools.set_school_value(ids["arbuzovka"], "short_name", "  ", "Очистка")
    assert info.value.issue.code == "required"
    assert database.schools.get(ids["arbuzovka"]).short_name == "Арбузовка"


def test_check_value_normalises(database: Database) -> None:
    assert check_value(PROFILE_FIELD_BY_NAME["pupils_total"], "86") == 86
    assert check_value(PROFILE_FIELD_BY_NAME["pupils_total"], 86.0) == 86
    assert check_value(PROFILE_FIELD_BY_NAME["pct_low_income"], "26.81") == 26.81
    assert check_value(PROFILE_FIELD_BY_NAME["tochka_rosta"], True) == 1
    assert check_value(PROFILE_FIELD_BY_NAME["tochka_rosta"], 0) == 0
    assert check_value(PROFILE_FIELD_BY_NAME["notes"], "  текст ") == "текст"


def test_profile_edit_is_undoable(database: Database, ids: dict[str, int]) -> None:
    repo, undo = database.schools, database.undo
    set_id = repo.set_profile_value(ids["bartenevka"], YEAR, "pct_low_income", 26.81, "Доля")
    assert set_id is not None
    assert undo.next_undo() == database.log.get_set(set_id.id)  # pushed by the log itself
    created = repo.set_profile_value(ids["bartenevka"], 2023, "pupils_total", 90, "Новый год")
    assert created is not None
    assert created is not None and undo.next_undo().id == created.id

    assert undo.undo_label() == "Новый год"
    undo.undo()
    assert repo.profile(ids["bartenevka"], 2023) is None  # the created passport is gone too
    undo.undo()
    profile = repo.profile(ids["bartenevka"], YEAR)
    assert profile is not None
    assert profile.pct_low_income == 11
    undo.redo()
    profile = repo.profile(ids["bartenevka"], YEAR)
    assert profile is not None
    assert profile.pct_low_income == 26.81

    history = repo.profile_history(ids["bartenevka"], YEAR, "pct_low_income")
    assert [(h.kind, h.old, h.new) for h in history] == [
        ("edit", None, None),  # the passport was created empty in the same change set
        ("edit", None, 11),
        ("edit", 11, 26.81),
        ("undo", 26.81, 11),
        ("redo", 11, 26.81),
    ]
    assert repo.profile_history(ids["bartenevka"], 2030, "pct_low_income") == []


def test_profile_warnings_levels_sum(database: Database, ids: dict[str, int]) -> None:
    profile = database.schools.profile(ids["bartenevka"], YEAR)
    assert profile is not None
    assert profile_warnings(profile) == [
        FieldIssue("pupils_total", "levels_sum", "warning", (85, 86))
    ]
    assert profile_warnings(replace(profile, pupils_total=85)) == []
    assert profile_warnings(replace(profile, pupils_10_11=None)) == []  # incomplete: no check


def test_profile_warnings_other_checks() -> None:
    profile = SchoolProfile(
        id=1, school_id=1, year=YEAR, pupils_total=50, pupils_bused=60, teachers=5, vacancies=7
    )
    assert [(i.field, i.code, i.args) for i in profile_warnings(profile)] == [
        ("pupils_bused", "bused_over_total", (60, 50)),
        ("vacancies", "vacancies_over_teachers", (7, 5)),
    ]
    assert profile_warnings(SchoolProfile(id=1, school_id=1, year=YEAR)) == []


def test_remove_school_is_undoable_with_its_passports(
    database: Database, ids: dict[str, int]
) -> None:
    repo = database.schools
    with database.log.change_set("Наставник") as cs:
        mentored = repo.profile(ids["arbuzovka"], YEAR)
        assert mentored is not None
        cs.update("school_profile", mentored.id, {"mentor_school_id": ids["bartenevka"]})
    repo.set_profile_value(ids["bartenevka"], 2023, "pupils_total", 88, "2023")
    school = repo.get(ids["bartenevka"])
    profiles = repo.profiles(ids["bartenevka"])
    assert [p.year for p in profiles] == [2022, 2023]

    set_id = repo.remove(ids["bartenevka"], "Удалена школа")
    assert database.undo.next_undo().id == set_id.id
    with pytest.raises(RecordNotFoundError):
        repo.get(ids["bartenevka"])
    assert repo.profiles(ids["bartenevka"]) == []
    assert repo.get(ids["branch"]).parent_id is None  # the branch became a school
    arbuzovka = repo.profile(ids["arbuzovka"], YEAR)
    assert arbuzovka is not None
    assert arbuzovka.mentor_school_id is None

    assert database.undo.undo_label() == "Удалена школа"
    database.undo.undo()
    assert repo.get(ids["bartenevka"]) == school
    assert repo.profiles(ids["bartenevka"]) == profiles
    assert repo.get(ids["branch"]).parent_id == ids["bartenevka"]
    assert repo.profile(ids["arbuzovka"], YEAR) == replace(
        arbuzovka, mentor_school_id=ids["bartenevka"]
    )
    assert _names(database, SchoolQuery(search="бартеневка")) == [
        "Бартеневка",
        "Филиал д. Знаменка",
    ]


def test_repository_is_the_databases(database: Database) -> None:
    assert isinstance(database.schools, SchoolRepository)
    assert database.schools.rows(SchoolQuery()) == []
    assert database.schools.years() == []


# --- text helpers ------------------------------------------------------------------------


def test_fold() -> None:
    assert fold("  СОШ  с.\tБартенёвка ") == "сош с. бартеневка"
    assert fold("ДРЁМОВА") == fold("Дремова") == "дремова"
    assert fold("") == ""


def test_format_number() -> None:
    assert format_number(26.81) == "26,8"
    assert format_number(1539, 0) == "1\u00a0539"
    assert format_number(1539) == "1\u00a0539"
    assert format_number(1539.25) == "1\u00a0539,2"
    assert format_number(1539.0, 2) == "1\u00a0539,00"
    assert format_number(-3.14159, 2) == "-3,14"
    assert format_number(None) == ""
    assert format_share(22) == "22,0"
    assert format_share(None) == ""


def test_parse_number() -> None:
    assert parse_number("26,81") == 26.81
    assert parse_number("22%") == 22.0
    assert parse_number(" 22 % ") == 22.0
    assert parse_number("1\u00a0539") == 1539.0
    assert parse_number("1 539,5") == 1539.5
    assert parse_number("-4.5") == -4.5
    assert parse_number("") is None
    assert parse_number("  ") is None
    for bad in ("abc", "1,2,3", "12 кг", "--1"):
        with pytest.raises(ValueError):
            parse_number(bad)


def test_dates_and_years() -> None:
    assert school_year_label(2022) == "2022/23"
    assert school_year_label(2099) == "2099/00"
    assert format_date("2024-08-31") == "31.08.2024"
    assert format_date("2024-08-31T14:05:00") == "31.08.2024"
    assert format_date(None) == ""
    assert format_date("") == ""
    assert format_timestamp("2024-08-31T14:05:09") == "31.08.2024 14:05"
    assert format_timestamp(None) == ""


def test_branches_hang_only_under_schools(database: Database, ids: dict[str, int]) -> None:
    repo = database.schools
    changes_before = len(database.log.recent_sets())

    def refused(school: str, parent: str) -> str:
        with pytest.raises(InvalidValueError) as caught:
            repo.set_school_value(ids[school], "parent_id", ids[parent], "Филиал")
        return caught.value.issue.code

    assert refused("arbuzovka", "arbuzovka") == "self_parent"
    assert refused("arbuzovka", "branch") == "parent_is_branch"
    assert refused("bartenevka", "dryomov") == "has_branches"
    with pytest.raises(InvalidValueError):
        repo.add(
            {
                "code": "01-1-1",
                "full_name": "Филиал филиала",
                "short_name": "Ф",
                "parent_id": ids["branch"],
            },
            "Добавлен филиал",
        )
    assert len(database.log.recent_sets()) == changes_before
    assert repo.set_school_value(ids["arbuzovka"], "parent_id", ids["dryomov"], "Филиал")
    assert repo.get(ids["arbuzovka"]).parent_id == ids["dryomov"]
