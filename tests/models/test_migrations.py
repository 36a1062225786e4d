"""Opening database files: pragmas, upgrades from schema 1, refusals of foreign files."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
from pathlib import Path

import pytest

from shnor_desktop.models import db
from shnor_desktop.models.database import Database
from shnor_desktop.models.errors import NotADatabaseError, SchemaTooNewError
from shnor_desktop.models.schema import MIGRATIONS, SCHEMA_VERSION
from shnor_desktop.models.schools import SchoolQuery

FIXTURE_V1 = Path(__file__).resolve().parent / "data" / "schema_v1.sqlite"


def _pragma(path: Path, name: str) -> int:
    """Read an integer pragma through a plain read-only connection."""
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return int(conn.execute(f"PRAGMA {name}").fetchone()[0])
    finally:
        conn.close()


def _columns(path: Path, table: str) -> list[str]:
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return [r[1] for r in conn.execute(f"PRAGMA table_info({table})")]
    finally:
        conn.close()


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def v1_copy(tmp_path: Path) -> Path:
    """A copy of the committed schema-1 fixture (the fixture itself is never opened for write)."""
    target = tmp_path / "old.sqlite"
    shutil.copyfile(FIXTURE_V1, target)
    return target


def test_fixture_is_schema_1() -> None:
    assert FIXTURE_V1.stat().st_size < 200_000
    assert _pragma(FIXTURE_V1, "user_version") == 1
    assert _pragma(FIXTURE_V1, "application_id") == db.APPLICATION_ID
    assert "name_fold" not in _columns(FIXTURE_V1, "school")
    assert not FIXTURE_V1.with_name(FIXTURE_V1.name + "-wal").exists()


def test_new_database_gets_current_schema_and_pragmas(tmp_db_path: Path) -> None:
    calls: list[tuple[Path, int, int]] = []
    conn = db.open_database(tmp_db_path, lambda *args: calls.append(args))
    try:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert conn.execute("PRAGMA application_id").fetchone()[0] == db.APPLICATION_ID
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2
        assert db.integrity_problems(conn) == []
    finally:
        conn.close()
    assert calls == []  # a new file needs no backup

    second = db.connect(tmp_db_path)
    try:
        assert second.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert second.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert second.execute("PRAGMA synchronous").fetchone()[0] == 2
    finally:
        second.close()


def test_read_only_connection_keeps_foreign_keys(tmp_db_path: Path) -> None:
    db.open_database(tmp_db_path).close()
    conn = db.connect(tmp_db_path, read_only=True)
    try:
        assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        with pytest.raises(sqlite3.OperationalError):
            conn.execute("INSERT INTO meta (key, value) VALUES ('a', 'b')")
    finally:
        conn.close()


def test_reopening_current_database_does_not_call_before_upgrade(tmp_db_path: Path) -> None:
    Database.open(tmp_db_path).close()
    calls: list[tuple[Path, int, int]] = []
    database = Database.open(tmp_db_path, lambda *args: calls.append(args))
    database.close()
    assert calls == []
    assert _pragma(tmp_db_path, "user_version") == SCHEMA_VERSION


def test_empty_file_is_treated_as_new(tmp_db_path: Path) -> None:
    tmp_db_path.touch()
    database = Database.open(tmp_db_path)
    try:
        assert database.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    finally:
        database.close()


def test_upgrade_from_v1_calls_before_upgrade_first_and_keeps_data(v1_copy: Path) -> None:
    original = _sha256(v1_copy)
    seen: list[tuple[Path, int, int]] = []

    def before_upgrade(path: Path, old: int, new: int) -> None:
        # The callback is the caller's chance to back up: nothing changed yet.
        assert _pragma(path, "user_version") == 1
        assert _sha256(path) == original
        assert not path.with_name(path.name + "-wal").exists()
        seen.append((path, old, new))

    database = Database.open(v1_copy, before_upgrade)
    try:
        assert seen == [(v1_copy, 1, SCHEMA_VERSION)]
        conn = database.conn
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert db.integrity_problems(conn) == []

        district = database.district.district()
        assert district is not None
        assert district.name == "Ивантеевский муниципальный район"

        schools = database.schools.all_schools()
        assert sorted(s.code for s in schools) == ["01", "02"]
        bartenevka = database.schools.get(1)
        assert bartenevka.short_name == "СОШ с. Бартеневка"
        assert bartenevka.distance_km == 18
        profile = database.schools.profile(1, 2022)
        assert profile is not None
        assert profile.pupils_total == 86
        assert (profile.pupils_1_4, profile.pupils_5_9, profile.pupils_10_11) == (36, 48, 1)
        assert profile.pct_low_income == 11
        assert profile.generated_fields == ()

        # Folded names were backfilled, so Cyrillic search ignores case.
        fold_value = conn.execute("SELECT name_fold FROM school WHERE id = 1").fetchone()[0]
        assert "бартеневка" in fold_value
        for needle in ("бартеневка", "БАРТЕНЕВКА", "Бартеневка"):
            rows = database.schools.rows(SchoolQuery(search=needle, year=2022))
            assert [(r.id, r.pupils_total) for r in rows] == [(1, 86)]
        rows = database.schools.rows(SchoolQuery(search="знаменский"))
        assert [r.code for r in rows] == ["02"]
        # New tables of version 2 exist.
        assert conn.execute("SELECT count(*) FROM import_batch").fetchone()[0] == 0
    finally:
        database.close()
    assert _pragma(v1_copy, "user_version") == SCHEMA_VERSION


def test_upgrade_without_callback(v1_copy: Path) -> None:
    conn = db.open_database(v1_copy)
    try:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    finally:
        conn.close()


def test_failing_migration_leaves_version_1(v1_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    in_transaction: list[bool] = []

    def observe(conn: sqlite3.Connection) -> None:
        in_transaction.append(conn.in_transaction)

    def explode(conn: sqlite3.Connection) -> None:
        # The schema of version 2 is already in place inside the transaction ...
        assert "name_fold" in [r[1] for r in conn.execute("PRAGMA table_info(school)")]
        raise RuntimeError("step failed")

    broken = (MIGRATIONS[0], (observe, *MIGRATIONS[1], explode))
    monkeypatch.setattr(db, "MIGRATIONS", broken)

    with pytest.raises(RuntimeError, match="step failed"):
        db.open_database(v1_copy)

    assert in_transaction == [True]
    # ... and none of it survived the rollback.
    assert _pragma(v1_copy, "user_version") == 1
    assert "name_fold" not in _columns(v1_copy, "school")
    assert "generated_fields" not in _columns(v1_copy, "school_profile")
    assert _columns(v1_copy, "import_batch") == []
    conn = sqlite3.connect(v1_copy)
    try:
        assert conn.execute("SELECT pupils_total FROM school_profile").fetchall() == [(86,)]
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        conn.close()

    # With the real migrations the same file upgrades afterwards.
    monkeypatch.setattr(db, "MIGRATIONS", MIGRATIONS)
    db.open_database(v1_copy).close()
    assert _pragma(v1_copy, "user_version") == SCHEMA_VERSION


def _too_new(path: Path, *, wal: bool) -> None:
    conn = db.connect(path) if wal else sqlite3.connect(path)
    try:
        conn.execute("CREATE TABLE school (id INTEGER PRIMARY KEY, future TEXT)")
        conn.execute("INSERT INTO school (future) VALUES ('x')")
        conn.execute(f"PRAGMA application_id = {db.APPLICATION_ID}")
        conn.execute("PRAGMA user_version = 99")
        conn.commit()
    finally:
        conn.close()


@pytest.mark.parametrize("wal", [False, True], ids=["delete-journal", "wal"])
def test_newer_schema_is_refused_without_touching_the_file(tmp_db_path: Path, wal: bool) -> None:
    _too_new(tmp_db_path, wal=wal)
    wal_file = tmp_db_path.with_name(tmp_db_path.name + "-wal")
    assert not wal_file.exists()
    before = _sha256(tmp_db_path)
    calls: list[tuple[Path, int, int]] = []

    with pytest.raises(SchemaTooNewError) as info:
        Database.open(tmp_db_path, lambda *args: calls.append(args))

    assert info.value.found == 99
    assert info.value.supported == SCHEMA_VERSION
    assert info.value.path == tmp_db_path
    assert calls == []
    assert _sha256(tmp_db_path) == before
    assert not wal_file.exists()
    assert not tmp_db_path.with_name(tmp_db_path.name + "-shm").exists()


def test_newer_schema_is_refused_while_another_connection_writes(tmp_db_path: Path) -> None:
    _too_new(tmp_db_path, wal=True)
    writer = db.connect(tmp_db_path)
    try:
        writer.execute("INSERT INTO school (future) VALUES ('y')")  # lives in the -wal now
        assert tmp_db_path.with_name(tmp_db_path.name + "-wal").exists()
        with pytest.raises(SchemaTooNewError) as info:
            db.open_database(tmp_db_path)
        assert info.value.found == 99
    finally:
        writer.close()


@pytest.mark.parametrize(
    "text",
    ["Это не база данных, а список школ.\n" * 50, "нет", "SQLite format 3\x00" + "x" * 200],
    ids=["text", "tiny", "fake-header"],
)
def test_text_file_is_not_a_database(tmp_path: Path, text: str) -> None:
    path = tmp_path / "notes.sqlite"
    path.write_text(text, encoding="utf-8")
    before = _sha256(path)
    with pytest.raises(NotADatabaseError) as info:
        Database.open(path)
    assert info.value.path == path
    assert _sha256(path) == before


def test_foreign_sqlite_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.sqlite"
    conn = sqlite3.connect(path)
    try:
        conn.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, amount REAL)")
        conn.execute("INSERT INTO invoices (amount) VALUES (10.5)")
        conn.commit()
        assert conn.execute("PRAGMA application_id").fetchone()[0] == 0
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 0
    finally:
        conn.close()
    before = _sha256(path)

    with pytest.raises(NotADatabaseError) as info:
        Database.open(path)

    assert info.value.detail == "foreign database"
    assert _sha256(path) == before


def test_database_of_another_application_id_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.sqlite"
    conn = sqlite3.connect(path)
    try:
        conn.execute("PRAGMA application_id = 12345")
        conn.execute("PRAGMA user_version = 1")
        conn.execute("CREATE TABLE t (x)")
        conn.commit()
    finally:
        conn.close()
    with pytest.raises(NotADatabaseError):
        db.open_database(path)


def test_integrity_problems_reports_broken_foreign_keys(tmp_db_path: Path) -> None:
    conn = db.open_database(tmp_db_path)
    try:
        assert db.integrity_problems(conn) == []
        conn.execute("PRAGMA foreign_keys = OFF")
        conn.execute("INSERT INTO school_profile (school_id, year) VALUES (42, 2022)")
        conn.execute("PRAGMA foreign_keys = ON")
        problems = db.integrity_problems(conn)
        assert len(problems) == 1
        assert "school_profile" in problems[0]
    finally:
        conn.close()


def test_statement_splitter_keeps_multiline_statements() -> None:
    statements = db._statements(
        "CREATE TABLE a (\n x TEXT DEFAULT ';'\n);\nCREATE INDEX i ON a(x);"
    )
    assert statements == ["CREATE TABLE a (\n x TEXT DEFAULT ';'\n);", "CREATE INDEX i ON a(x);"]
