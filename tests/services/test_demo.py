"""The demo database holds seed 004's real figures, marks every generated one, and reverts."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from shnor_desktop.models.changelog import ChangeLog
from shnor_desktop.models.db import integrity_problems, open_database
from shnor_desktop.services.demo import (
    DEMO_LABEL,
    FIGURE_FIELDS,
    GENERATED_YEARS,
    SEED_YEAR,
    DemoCancelled,
    build_demo,
)

DATA_TABLES = (
    "district",
    "district_year",
    "programme",
    "school",
    "person",
    "person_role",
    "school_profile",
    "meeting",
    "meeting_attendee",
    "meeting_item",
)


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[sqlite3.Connection]:
    """One demo database shared by the read-only checks of this module."""
    path = tmp_path_factory.mktemp("demo") / "demo.sqlite"
    build_demo(path)
    conn = open_database(path)
    yield conn
    conn.close()


def _profile(conn: sqlite3.Connection, short_name: str, year: int = SEED_YEAR) -> sqlite3.Row:
    row: sqlite3.Row | None = conn.execute(
        "SELECT p.* FROM school_profile p JOIN school s ON s.id = p.school_id"
        " WHERE s.short_name = ? AND p.year = ?",
        (short_name, year),
    ).fetchone()
    assert row is not None, f"no profile of {short_name} in {year}"
    return row


def _generated(row: sqlite3.Row) -> list[str]:
    fields = json.loads(row["generated_fields"])
    assert isinstance(fields, list)
    return [str(f) for f in fields]


def test_bartenevka_seed_figures_kept_exactly(demo_db: sqlite3.Connection) -> None:
    """Бартеневка: 18 km, 86 pupils and 36/48/1 as the seed says (85 ≠ 86 not «fixed»)."""
    school = demo_db.execute(
        "SELECT * FROM school WHERE full_name = 'МОУ «СОШ с. Бартеневка им. П.Е. Толстова»'"
    ).fetchone()
    assert school["code"] == "01"
    assert school["distance_km"] == 18
    assert school["has_kindergarten"] == 1
    row = _profile(demo_db, "СОШ с. Бартеневка")
    assert (row["pupils_total"], row["pupils_1_4"], row["pupils_5_9"], row["pupils_10_11"]) == (
        86,
        36,
        48,
        1,
    )
    assert row["pct_teachers_two_rates"] == pytest.approx(0.06)
    assert row["pct_teachers_65plus"] == pytest.approx(10.5)
    assert row["sek_index"] == 19
    assert row["vacancies"] == 1
    assert row["group_code"] == "shnor"
    assert row["project_500"] == 1
    assert row["source"] == "seed"
    generated = _generated(row)
    assert "teachers" in generated
    assert "pupils_total" not in generated
    assert "pct_low_income" not in generated
    assert "pct_teachers_two_rates" not in generated


def test_znamensky_and_its_branch(demo_db: sqlite3.Connection) -> None:
    """Знаменский: 32 % low income; branch Николаевка 40 pupils (19/21/0), no distance."""
    parent = _profile(demo_db, "СОШ п. Знаменский")
    assert parent["pct_low_income"] == 32
    assert "pct_low_income" not in _generated(parent)
    branch = demo_db.execute(
        "SELECT b.* FROM school b JOIN school p ON p.id = b.parent_id"
        " WHERE p.full_name = 'МОУ «СОШ п. Знаменский»'"
    ).fetchall()
    assert [b["locality"] for b in branch] == ["с. Николаевка"]
    assert branch[0]["distance_km"] is None
    assert "15 км" in branch[0]["notes"]
    row = _profile(demo_db, branch[0]["short_name"])
    assert (row["pupils_total"], row["pupils_1_4"], row["pupils_5_9"], row["pupils_10_11"]) == (
        40,
        19,
        21,
        0,
    )
    assert row["group_code"] == "none"


def test_district_and_programme(demo_db: sqlite3.Connection) -> None:
    """District enrolment 1535/1567/1539 and the programme approved by order №15."""
    district = demo_db.execute("SELECT * FROM district").fetchone()
    assert district["name"] == "Ивантеевский муниципальный район"
    assert district["population"] == 12757
    years = demo_db.execute(
        "SELECT year, pupils_total, pupils_grade1, pupils_grade9, pupils_grade11,"
        " pupils_bused, buses, source FROM district_year ORDER BY year"
    ).fetchall()
    assert [tuple(r) for r in years] == [
        (2021, 1535, 152, 142, 36, None, None, "seed"),
        (2022, 1567, 156, 174, 58, None, None, "seed"),
        (2023, 1539, 157, 147, 46, 256, 13, "seed"),
    ]
    programme = demo_db.execute("SELECT * FROM programme").fetchone()
    assert (programme["start_year"], programme["end_year"]) == (2021, 2023)
    assert (programme["order_number"], programme["order_date"]) == ("15", "2021-01-21")


def test_schools_branches_and_groups(demo_db: sqlite3.Connection) -> None:
    """9 schools with 4 branches; in 2022 one ШНОР, three risk, three prevention, two leaders."""
    top = demo_db.execute("SELECT code FROM school WHERE parent_id IS NULL ORDER BY code")
    assert [r[0] for r in top] == [f"0{i}" for i in range(1, 10)]
    branches = demo_db.execute("SELECT count(*) FROM school WHERE parent_id IS NOT NULL")
    assert branches.fetchone()[0] == 4
    groups = dict(
        demo_db.execute(
            "SELECT group_code, count(*) FROM school_profile WHERE year = ? GROUP BY group_code",
            (SEED_YEAR,),
        ).fetchall()
    )
    assert groups == {"shnor": 1, "risk": 3, "prevention": 3, "leader": 2, "none": 4}
    distances = dict(
        demo_db.execute("SELECT short_name, distance_km FROM school WHERE parent_id IS NULL")
    )
    for name in ("СОШ с. Яблоновый Гай", "ООШ с. Клевенка", "ООШ с. Канаевка"):
        assert 40 <= distances[name] <= 65
    assert distances["Гимназия с. Ивантеевка"] == 0
    assert distances["ООШ с. Арбузовка"] == 3


def test_prevention_group_generated_within_seed_ranges(demo_db: sqlite3.Connection) -> None:
    """The seed gives only ranges and totals for the prevention group: generated, listed."""
    for name, total in (
        ("СОШ с. Яблоновый Гай", 91),
        ("ООШ с. Клевенка", 38),
        ("ООШ с. Канаевка", 30),
    ):
        row = _profile(demo_db, name)
        assert row["pupils_total"] == total
        assert row["pupils_1_4"] + row["pupils_5_9"] + row["pupils_10_11"] == total
        assert 28 <= row["pct_incomplete_families"] <= 30
        assert 40 <= row["pct_low_income"] <= 70
        assert 5 <= row["sek_index"] <= 10
        assert 0.1 <= row["pct_teachers_65plus"] <= 8.3
        generated = _generated(row)
        assert "pupils_total" not in generated
        for field in ("pupils_1_4", "pct_low_income", "sek_index", "pct_incomplete_families"):
            assert field in generated


def test_every_unset_seed_figure_is_listed_as_generated(demo_db: sqlite3.Connection) -> None:
    """Every profile lists its generated fields; other years are wholly generated."""
    rows = demo_db.execute("SELECT * FROM school_profile").fetchall()
    assert len(rows) == 13 * (1 + len(GENERATED_YEARS))
    for row in rows:
        generated = _generated(row)
        if row["year"] == SEED_YEAR:
            assert row["source"] == "seed"
            assert "pupils_total" not in generated
        else:
            assert row["source"] == "generated"
            assert set(FIGURE_FIELDS) <= set(generated)
            if row["group_code"] != "none":
                assert row["group_reason"] == "сгенерировано для демонстрации"
                assert "group_code" in generated
        for field in ("mentor_school_id", "curator_id"):
            if row[field] is not None:
                assert field in generated
    years = [
        r[0]
        for r in demo_db.execute(
            "SELECT DISTINCT p.year FROM school_profile p JOIN school s ON s.id = p.school_id"
            " WHERE s.code = '01' ORDER BY p.year"
        )
    ]
    assert years == [2019, 2020, 2021, 2022, 2023]


def test_leaders_mentor_the_supported_schools(demo_db: sqlite3.Connection) -> None:
    """Supported schools have a leader school as mentor and a tutor of the group as curator."""
    rows = demo_db.execute(
        "SELECT m.code AS mentor, r.role AS curator_role FROM school_profile p"
        " JOIN school m ON m.id = p.mentor_school_id"
        " JOIN person_role r ON r.person_id = p.curator_id AND r.role = 'tutor'"
        " WHERE p.year = ? AND p.group_code IN ('shnor', 'risk', 'prevention')",
        (SEED_YEAR,),
    ).fetchall()
    assert len(rows) == 7
    assert {r["mentor"] for r in rows} == {"08", "09"}


def test_working_group_and_meeting(demo_db: sqlite3.Connection) -> None:
    """Seven people in the working group; protocol №1 of 03.07.2023 with six attendees."""
    members = demo_db.execute(
        "SELECT count(DISTINCT person_id) FROM person_role WHERE role = 'working_group'"
    ).fetchone()[0]
    assert members == 7
    coordinator = demo_db.execute(
        "SELECT p.full_name FROM person p JOIN person_role r ON r.person_id = p.id"
        " WHERE r.role = 'coordinator'"
    ).fetchall()
    assert [r[0] for r in coordinator] == ["Астраханцева О.В."]
    tutors = demo_db.execute("SELECT count(*) FROM person_role WHERE role = 'tutor'").fetchone()[0]
    assert tutors == 3
    meeting = demo_db.execute(
        "SELECT m.*, p.full_name AS chair FROM meeting m JOIN person p ON p.id = m.chair_id"
    ).fetchone()
    assert (meeting["number"], meeting["meeting_date"]) == ("1", "2023-07-03")
    assert meeting["chair"] == "Астраханцева О.В."
    attendees = demo_db.execute(
        "SELECT count(*) FROM meeting_attendee WHERE meeting_id = ?", (meeting["id"],)
    ).fetchone()[0]
    assert attendees == 6
    item = demo_db.execute("SELECT * FROM meeting_item").fetchone()
    assert item["decided"].startswith("1. Информацию принять к сведению.")
    assert item["decided"].count("\n") == 2
    assert item["heard"].startswith("муниципального координатора Астраханцеву О.В.")
    assert (item["unanimous"], item["vote_note"]) == (1, "")  # «Голосовали единогласно.»
    assert integrity_problems(demo_db) == []


def _profiles(path: Path) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(path)
    try:
        return [tuple(r) for r in conn.execute("SELECT * FROM school_profile ORDER BY id")]
    finally:
        conn.close()


def test_build_is_deterministic(tmp_path: Path) -> None:
    """Two builds give identical profile rows (and school distances)."""
    first, second = tmp_path / "a.sqlite", tmp_path / "b.sqlite"
    build_demo(first)
    build_demo(second)
    assert _profiles(first) == _profiles(second)


def test_one_demo_change_set_that_reverts_to_empty(tmp_path: Path) -> None:
    """The build is one change set of kind 'demo'; reverting it empties every table."""
    path = tmp_path / "demo.sqlite"
    build_demo(path)
    conn = open_database(path)
    try:
        log = ChangeLog(conn)
        sets = log.recent_sets()
        assert len(sets) == 1
        assert (sets[0].kind, sets[0].label) == ("demo", DEMO_LABEL)
        assert "school_profile" in sets[0].tables
        log.revert(sets[0].id)
        for table in DATA_TABLES:
            count = conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            assert count == 0, table
    finally:
        conn.close()


def test_progress_reaches_the_total(tmp_path: Path) -> None:
    """Progress is reported in increasing steps up to the total."""
    seen: list[tuple[int, int]] = []
    build_demo(tmp_path / "demo.sqlite", progress=lambda done, total: seen.append((done, total)))
    assert seen
    assert seen[-1][0] == seen[-1][1]
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)


def test_refuses_existing_non_empty_file(tmp_path: Path) -> None:
    """An existing database is never overwritten; an empty file is fine."""
    path = tmp_path / "demo.sqlite"
    path.write_bytes(b"something")
    with pytest.raises(FileExistsError):
        build_demo(path)
    assert path.read_bytes() == b"something"
    empty = tmp_path / "empty.sqlite"
    empty.touch()
    build_demo(empty)
    assert empty.stat().st_size > 0


@pytest.mark.parametrize("after", [0, 5, 40])
def test_cancel_leaves_no_file(tmp_path: Path, after: int) -> None:
    """Cancelling before or during the build raises DemoCancelled and leaves nothing."""
    calls = 0

    def cancel() -> bool:
        nonlocal calls
        calls += 1
        return calls > after

    path = tmp_path / "demo.sqlite"
    with pytest.raises(DemoCancelled):
        build_demo(path, cancel=cancel)
    assert list(tmp_path.iterdir()) == []
