"""Backups: integral copies, rotation, restore, and the backup before a schema upgrade."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from shnor_desktop.models import db as dbmod
from shnor_desktop.models.database import Database
from shnor_desktop.models.errors import NotADatabaseError, SchemaTooNewError
from shnor_desktop.models.schema import MIGRATIONS, SCHEMA_VERSION
from shnor_desktop.services import backup
from shnor_desktop.services.backup import (
    BackupCancelled,
    BackupInfo,
    DatabaseBusyError,
    DatabaseDamagedError,
    DatabaseMissingError,
    RetentionPolicy,
    backup_dir_for,
    backup_kind,
    last_backup,
    list_backups,
    make_backup,
    newest_sound_backup,
    open_with_backup,
    prune_backups,
    restore_backup,
)
from shnor_desktop.services.files import EmptyDatabaseFileError
from shnor_desktop.services.messages import describe_error


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def add_school(db: Database, code: str, name: str) -> int:
    with db.log.change_set(f"школа {code}") as cs:
        return cs.insert("school", {"code": code, "full_name": name, "short_name": name})


def school_codes(path: Path) -> list[str]:
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return [row[0] for row in conn.execute("SELECT code FROM school ORDER BY code")]
    finally:
        conn.close()


def user_version(path: Path) -> int:
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return int(conn.execute("PRAGMA user_version").fetchone()[0])
    finally:
        conn.close()


def set_user_version(path: Path, version: int) -> None:
    conn = sqlite3.connect(path)
    try:
        conn.execute(f"PRAGMA user_version = {version}")
        conn.commit()
    finally:
        conn.close()


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """A closed database of the current schema with two schools."""
    path = tmp_path / "район.sqlite"
    db = Database.open(path)
    try:
        add_school(db, "01", "СОШ с. Бартеневка")
        add_school(db, "02", "СОШ п. Знаменский")
    finally:
        db.close()
    return path


def make_v1(path: Path) -> None:
    """Write a database of schema version 1 (only ``MIGRATIONS[0]``) with one school."""
    conn = dbmod.connect(path)
    try:
        conn.execute("BEGIN")
        for step in MIGRATIONS[0]:
            assert isinstance(step, str)
            for statement in dbmod._statements(step):
                conn.execute(statement)
        conn.execute(
            "INSERT INTO school (code, full_name, short_name) VALUES ('01', 'Школа', 'Школа')"
        )
        conn.execute(f"PRAGMA application_id = {dbmod.APPLICATION_ID}")
        conn.execute("PRAGMA user_version = 1")
        conn.execute("COMMIT")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()


# --------------------------------------------------------------------------- backup
def test_backup_is_an_integral_self_contained_copy(db_path: Path) -> None:
    info = make_backup(db_path)

    assert info.path.parent == backup_dir_for(db_path) == db_path.parent / "район-backups"
    assert info.path.name.startswith("район-") and info.path.name.endswith("-manual.sqlite")
    assert info.reason == "manual"
    assert info.size == info.path.stat().st_size > 0
    assert school_codes(info.path) == ["01", "02"]
    conn = sqlite3.connect(f"{info.path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    finally:
        conn.close()
    assert not Path(f"{info.path}-wal").exists()
    assert [p.name for p in info.path.parent.iterdir()] == [info.path.name]  # no leftovers
    # The database, closed in WAL mode, gets no -wal/-shm from being read.
    assert sorted(p.name for p in db_path.parent.iterdir()) == ["район-backups", "район.sqlite"]


def test_backup_while_the_application_holds_the_database(db_path: Path) -> None:
    """The copy sees committed rows still in the WAL; the open connection keeps working."""
    db = Database.open(db_path)
    try:
        add_school(db, "03", "СОШ с. Канаевка")
        assert Path(f"{db_path}-wal").stat().st_size > 0
        info = make_backup(db_path, reason="open")
        add_school(db, "04", "ООШ с. Чернава")
    finally:
        db.close()
    assert school_codes(info.path) == ["01", "02", "03"]
    assert school_codes(db_path) == ["01", "02", "03", "04"]


def test_backup_reports_progress(db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(backup, "PAGES_PER_STEP", 2)
    calls: list[tuple[int, int]] = []
    make_backup(db_path, progress=lambda done, total: calls.append((done, total)))
    assert len(calls) > 1
    assert calls[-1][0] == calls[-1][1] > 0
    assert [done for done, _ in calls] == sorted(done for done, _ in calls)


@pytest.mark.parametrize("cancel_at", [0, 2])
def test_cancelled_backup_leaves_no_file(
    db_path: Path, monkeypatch: pytest.MonkeyPatch, cancel_at: int
) -> None:
    monkeypatch.setattr(backup, "PAGES_PER_STEP", 2)
    asked = 0

    def cancel() -> bool:
        nonlocal asked
        asked += 1
        return asked > cancel_at

    with pytest.raises(BackupCancelled):
        make_backup(db_path, cancel=cancel)
    folder = backup_dir_for(db_path)
    assert not folder.exists() or list(folder.iterdir()) == []
    assert "отменено" in describe_error(BackupCancelled())


def test_backup_of_a_missing_file_or_a_non_database(tmp_path: Path) -> None:
    with pytest.raises(DatabaseMissingError):
        make_backup(tmp_path / "нет.sqlite")
    text = tmp_path / "текст.sqlite"
    text.write_text("это не база данных\n" * 100, encoding="utf-8")
    with pytest.raises(NotADatabaseError):
        make_backup(text)
    assert not backup_dir_for(text).exists() or not list(backup_dir_for(text).iterdir())


def test_rotation_keeps_the_newest_automatic_and_ignores_other_files(db_path: Path) -> None:
    folder = backup_dir_for(db_path)
    folder.mkdir()
    foreign = [
        folder / "заметки.txt",
        folder / "другая-20200101-120000-open.sqlite",  # another database's backup
        folder / "район-копия.sqlite",  # not our naming pattern
    ]
    for path in foreign:
        path.write_text("x", encoding="utf-8")
    policy = RetentionPolicy(recent=3, days=0, weeks=0)

    made = [make_backup(db_path, reason="open", policy=policy) for _ in range(5)]

    kept = list_backups(db_path)
    assert [info.path for info in kept] == [info.path for info in reversed(made[-3:])]
    assert all(not info.path.exists() for info in made[:2])
    assert all(path.exists() for path in foreign)
    assert len({info.path.name for info in made}) == 5  # unique names within one second
    assert last_backup(db_path) == kept[0] == made[-1]


def test_manual_backup_survives_thirty_openings(db_path: Path) -> None:
    """Issue 5: the copies made at every opening never push a deliberate one out."""
    manual = make_backup(db_path, reason="manual")
    before_upgrade = make_backup(db_path, reason="before-v3")

    for _ in range(30):
        make_backup(db_path, reason="open")

    kinds = [(info.reason, info.path) for info in list_backups(db_path)]
    assert ("manual", manual.path) in kinds
    assert ("before-v3", before_upgrade.path) in kinds
    # All thirty were made today: the newest three stand for today.
    assert [reason for reason, _ in kinds].count("open") == 3


def _fake_backups(folder: Path, names: list[str]) -> None:
    folder.mkdir(exist_ok=True)
    for name in names:
        (folder / name).write_bytes(b"x" * 1000)


def test_schedule_keeps_recent_daily_weekly_and_all_manual(db_path: Path) -> None:
    folder = backup_dir_for(db_path)
    now = datetime(2024, 3, 31, 12, 0)  # a Sunday
    names = []
    day = datetime(2024, 2, 1)
    while day.date() < now.date():
        names += [
            f"район-{day:%Y%m%d}-080000-open.sqlite",
            f"район-{day:%Y%m%d}-200000-open.sqlite",
        ]
        day += timedelta(days=1)
    names.append("район-20240331-080000-open.sqlite")
    names.append("район-20230105-100000-manual.sqlite")  # over a year old, made by hand
    names += [f"район-202401{d:02d}-100000-before-import.sqlite" for d in range(1, 13)]
    _fake_backups(folder, names)

    deleted = prune_backups(db_path, now=now)

    kept = {(i.created_at.strftime("%d.%m %H"), i.reason) for i in list_backups(db_path)}
    automatic = sorted(when for when, reason in kept if reason == "open")
    assert automatic == sorted(
        [
            "31.03 08",  # the three newest
            "30.03 20",
            "30.03 08",
            "29.03 20",  # one a day for a week
            "28.03 20",
            "27.03 20",
            "26.03 20",
            "25.03 20",
            "24.03 20",  # one a week for about a month (ISO weeks, Monday to Sunday)
            "17.03 20",
            "10.03 20",
            "03.03 20",
        ]
    )
    assert ("05.01 10", "manual") in kept
    before_import = sorted(when for when, reason in kept if reason == "before-import")
    assert before_import == [f"{d:02d}.01 10" for d in range(3, 13)]  # the newest ten
    assert len(deleted) == len(names) - len(kept)
    assert all(not path.exists() for path in deleted)


def test_automatic_backups_stay_within_the_space_bound(db_path: Path) -> None:
    folder = backup_dir_for(db_path)
    now = datetime(2024, 3, 31, 12, 0)
    names = [f"район-202403{d}-090000-open.sqlite" for d in range(25, 32)]  # 7 x 1000 bytes
    names.append("район-20240301-090000-manual.sqlite")
    _fake_backups(folder, names)

    prune_backups(db_path, policy=RetentionPolicy(max_bytes=2500), now=now)

    left = [(i.created_at.day, i.reason) for i in list_backups(db_path)]
    assert left == [(31, "open"), (30, "open"), (1, "manual")]  # manual copies are not counted

    # A bound smaller than one copy still keeps the newest: a backup is never all gone.
    prune_backups(db_path, policy=RetentionPolicy(max_bytes=10), now=now)
    assert [(i.created_at.day, i.reason) for i in list_backups(db_path)] == [
        (31, "open"),
        (1, "manual"),
    ]


def test_make_backup_applies_the_space_bound(db_path: Path) -> None:
    size = make_backup(db_path, reason="open").size
    bound = RetentionPolicy(max_bytes=int(size * 2.5))
    for _ in range(4):
        make_backup(db_path, reason="open", policy=bound)
    assert len(list_backups(db_path)) == 2


def test_backup_kinds() -> None:
    assert backup_kind("open") == backup.AUTOMATIC
    assert backup_kind("before-v3") == backup_kind("before-restore") == backup.PRE_OPERATION
    assert backup_kind("manual") == backup_kind("флешка") == backup.MANUAL


def test_list_backups_newest_first_parses_names(db_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "копии"
    out.mkdir()
    for name in (
        "район-20240105-090000-manual.sqlite",
        "район-20250301-120000-before-v2.sqlite",
        "район-20240105-090000-open_2.sqlite",
        "район-20241399-000000-manual.sqlite",  # not a date: ignored
    ):
        shutil.copyfile(db_path, out / name)

    found = list_backups(db_path, out)

    assert [(i.created_at.isoformat(), i.reason) for i in found] == [
        ("2025-03-01T12:00:00", "before-v2"),
        ("2024-01-05T09:00:00", "open"),
        ("2024-01-05T09:00:00", "manual"),
    ]
    assert all(isinstance(i, BackupInfo) and i.size == db_path.stat().st_size for i in found)
    assert list_backups(db_path) == []
    assert last_backup(db_path) is None


# --------------------------------------------------------------------------- restore
def test_restore_brings_back_the_old_content(db_path: Path) -> None:
    old = make_backup(db_path)
    db = Database.open(db_path)
    try:
        add_school(db, "03", "СОШ с. Канаевка")
    finally:
        db.close()
    assert school_codes(db_path) == ["01", "02", "03"]

    saved = restore_backup(old.path, db_path)

    assert school_codes(db_path) == ["01", "02"]
    assert saved.reason == "before-restore"
    assert school_codes(saved.path) == ["01", "02", "03"]
    assert {i.path for i in list_backups(db_path)} == {old.path, saved.path}
    db = Database.open(db_path)  # the restored file opens and takes writes again
    try:
        add_school(db, "05", "СОШ с. Яблоновый Гай")
        assert db.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        db.close()
    assert school_codes(db_path) == ["01", "02", "05"]


def test_restore_refuses_a_non_database_and_keeps_the_current_file(
    db_path: Path, tmp_path: Path
) -> None:
    before = sha256(db_path)
    text = tmp_path / "копия.sqlite"
    text.write_text("Это текстовый файл, а не база.\n" * 50, encoding="utf-8")
    empty = tmp_path / "пустая.sqlite"
    empty.write_bytes(b"")
    foreign = tmp_path / "чужая.sqlite"
    conn = sqlite3.connect(foreign)
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()

    for path in (text, empty, foreign):
        with pytest.raises(NotADatabaseError):
            restore_backup(path, db_path)
    with pytest.raises(DatabaseMissingError):
        restore_backup(tmp_path / "нет.sqlite", db_path)

    assert sha256(db_path) == before
    assert list_backups(db_path) == []


def test_restore_refuses_a_newer_schema(db_path: Path) -> None:
    info = make_backup(db_path)
    set_user_version(info.path, SCHEMA_VERSION + 1)
    before = sha256(db_path)

    with pytest.raises(SchemaTooNewError) as caught:
        restore_backup(info.path, db_path)

    assert caught.value.found == SCHEMA_VERSION + 1
    assert sha256(db_path) == before
    assert "более новой версией программы" in describe_error(caught.value)


def test_restore_refuses_a_damaged_backup(db_path: Path) -> None:
    info = make_backup(db_path)
    data = bytearray(info.path.read_bytes())
    page = 4096
    assert len(data) > 3 * page
    data[2 * page : 3 * page] = b"\xff" * page  # wreck a page of the schema's tables
    info.path.write_bytes(bytes(data))
    before = sha256(db_path)

    with pytest.raises(DatabaseDamagedError) as caught:
        restore_backup(info.path, db_path)

    assert sha256(db_path) == before
    assert "повреждён" in describe_error(caught.value)
    assert not Path(f"{info.path}-wal").exists() and not Path(f"{info.path}-shm").exists()


def test_restore_while_the_database_is_open_is_refused(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(backup, "BUSY_TIMEOUT", 0.1)
    old = make_backup(db_path)
    db = Database.open(db_path)
    try:
        add_school(db, "03", "СОШ с. Канаевка")
        with pytest.raises(DatabaseBusyError) as caught:
            restore_backup(old.path, db_path)
        assert school_codes(db_path) == ["01", "02", "03"]
    finally:
        db.close()
    assert "открыта в другой программе" in describe_error(caught.value)
    assert list_backups(db_path) == [old]


def test_restore_over_a_damaged_database_keeps_its_bytes(db_path: Path) -> None:
    good = make_backup(db_path)
    db_path.write_bytes(b"garbage" * 1000)

    saved = restore_backup(good.path, db_path)

    assert school_codes(db_path) == ["01", "02"]
    assert saved.path.read_bytes() == b"garbage" * 1000


def test_restore_of_an_older_schema_is_upgraded_on_open(tmp_path: Path) -> None:
    v1 = tmp_path / "v1.sqlite"
    make_v1(v1)
    current = tmp_path / "район.sqlite"
    Database.open(current).close()

    restore_backup(v1, current)
    assert user_version(current) == 1

    db = open_with_backup(current)
    db.close()
    assert user_version(current) == SCHEMA_VERSION
    assert [i.reason for i in list_backups(current)] == [
        f"before-v{SCHEMA_VERSION}",
        "before-restore",
    ]


# --------------------------------------------------------------------------- opening
def test_older_schema_is_backed_up_then_upgraded(tmp_path: Path) -> None:
    path = tmp_path / "старая.sqlite"
    make_v1(path)
    before = sha256(path)

    db = open_with_backup(path)
    try:
        version = db.conn.execute("PRAGMA user_version").fetchone()[0]
        fold = db.conn.execute("SELECT name_fold FROM school").fetchone()[0]
    finally:
        db.close()

    assert version == SCHEMA_VERSION == len(MIGRATIONS)
    assert fold  # the migration back-filled the folded name
    backups = list_backups(path)
    assert [i.reason for i in backups] == [f"before-v{SCHEMA_VERSION}"]
    assert user_version(backups[0].path) == 1
    assert school_codes(backups[0].path) == ["01"]
    assert sha256(path) != before


def test_newer_schema_is_refused_and_left_byte_for_byte(db_path: Path, tmp_path: Path) -> None:
    newer = tmp_path / "новая.sqlite"
    shutil.copyfile(db_path, newer)
    set_user_version(newer, 99)
    conn = sqlite3.connect(newer)
    conn.execute("PRAGMA journal_mode = DELETE")
    conn.close()
    before = sha256(newer)

    with pytest.raises(SchemaTooNewError) as caught:
        open_with_backup(newer)

    assert (caught.value.found, caught.value.supported) == (99, SCHEMA_VERSION)
    assert sha256(newer) == before
    assert not backup_dir_for(newer).exists()
    assert describe_error(caught.value) == (
        f"Файл базы «{newer}» создан более новой версией программы "
        f"(схема 99, эта версия понимает до {SCHEMA_VERSION}). Обновите программу; файл не изменён."
    )


def test_open_with_backup_creates_a_new_database_only_when_asked(tmp_path: Path) -> None:
    path = tmp_path / "новая.sqlite"
    with pytest.raises(DatabaseMissingError):
        open_with_backup(path)
    assert not path.exists()

    db = open_with_backup(path, create=True)
    db.close()
    assert user_version(path) == SCHEMA_VERSION
    assert list_backups(path) == []


def test_open_with_backup_leaves_an_empty_file_alone(tmp_path: Path) -> None:
    """Issue 7: a 0-byte file named by the user is not silently made a database."""
    path = tmp_path / "пустой.sqlite"
    path.write_bytes(b"")
    with pytest.raises(EmptyDatabaseFileError) as caught:
        open_with_backup(path)
    assert path.read_bytes() == b""
    assert not Path(f"{path}-wal").exists()
    assert "пуст (0 байт)" in describe_error(caught.value)

    open_with_backup(path, create=True).close()  # after the user agreed
    assert user_version(path) == SCHEMA_VERSION


def _overwrite_page(path: Path, page: int) -> None:
    data = bytearray(path.read_bytes())
    data[page * 4096 : (page + 1) * 4096] = b"\xff" * 4096
    path.write_bytes(bytes(data))


def test_damaged_database_is_refused_and_restored_from_the_newest_sound_backup(
    db_path: Path,
) -> None:
    """Issue 7: one overwritten page; the open refuses, the newest sound backup restores it."""
    older = make_backup(db_path, reason="manual")
    good = make_backup(db_path, reason="open")
    # A copy of a damaged file saved before an earlier restore: not a candidate.
    bad = make_backup(db_path, reason="before-restore")
    _overwrite_page(bad.path, 2)
    _overwrite_page(db_path, 2)
    damaged = sha256(db_path)

    with pytest.raises(DatabaseDamagedError) as caught:
        open_with_backup(db_path)
    assert sha256(db_path) == damaged
    text = describe_error(caught.value)
    assert text.startswith(f"Файл базы «{db_path}» повреждён")
    assert "Восстановите базу из резервной копии" in text
    assert "btree" not in text and "Page" not in text  # no English of SQLite

    assert newest_sound_backup(db_path) == good != older
    saved = restore_backup(good.path, db_path)

    assert sha256(saved.path) == damaged  # the damaged file is kept, byte for byte
    db = open_with_backup(db_path)
    db.close()
    assert school_codes(db_path) == ["01", "02"]
