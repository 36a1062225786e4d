"""Checks of database files before opening and of paths for a new database."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import time
from pathlib import Path

import pytest

from shnor_desktop.models.database import Database
from shnor_desktop.models.errors import NotADatabaseError, SchemaTooNewError
from shnor_desktop.models.schema import SCHEMA_VERSION
from shnor_desktop.services import files
from shnor_desktop.services.files import (
    DatabaseDamagedError,
    DatabaseExistsError,
    DatabaseMissingError,
    DatabaseTruncatedError,
    EmptyDatabaseFileError,
    FolderNotCreatedError,
    NotAFileError,
    RelativePathError,
    check_database_file,
    check_new_database_path,
    normalise_new_path,
)
from shnor_desktop.services.messages import describe_error


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def side_files(path: Path) -> list[str]:
    return sorted(p.name for p in path.parent.iterdir() if p.name != path.name)


def test_a_sound_database_passes_and_leaves_no_side_files(demo_path: Path) -> None:
    before = sha256(demo_path)
    assert check_database_file(demo_path) == SCHEMA_VERSION
    assert sha256(demo_path) == before
    assert side_files(demo_path) == []


def test_missing_folder_and_empty_files(tmp_path: Path) -> None:
    with pytest.raises(DatabaseMissingError):
        check_database_file(tmp_path / "нет.sqlite")
    with pytest.raises(NotAFileError) as folder:
        check_database_file(tmp_path)
    assert (
        describe_error(folder.value)
        == f"«{tmp_path}» — это папка, а нужен файл базы данных (.sqlite)."
    )
    empty = tmp_path / "пустой.sqlite"
    empty.write_bytes(b"")
    with pytest.raises(EmptyDatabaseFileError) as caught:
        check_database_file(empty)
    assert caught.value.size == 0
    assert empty.read_bytes() == b""


def test_a_page_overwritten_is_damage_worded_in_russian(demo_path: Path) -> None:
    data = bytearray(demo_path.read_bytes())
    data[10 * 4096 : 11 * 4096] = b"\xff" * 4096
    demo_path.write_bytes(bytes(data))

    with pytest.raises(DatabaseDamagedError) as caught:
        check_database_file(demo_path)

    assert caught.value.problems  # SQLite's words kept for support
    text = describe_error(caught.value)
    assert text.startswith(f"Файл базы «{demo_path}» повреждён")
    assert "Page" not in text and "btree" not in text
    assert side_files(demo_path) == []


def test_a_truncated_database_is_called_truncated(demo_path: Path) -> None:
    """Issue 7: a cut copy was called «не является базой данных ШНОР Desktop»."""
    data = demo_path.read_bytes()
    demo_path.write_bytes(data[: len(data) * 9 // 10])

    with pytest.raises(DatabaseTruncatedError) as caught:
        check_database_file(demo_path)

    assert caught.value.expected == len(data)
    text = describe_error(caught.value)
    assert "обрезан" in text and "не является" not in text


def test_a_text_file_and_a_newer_schema(tmp_path: Path, demo_path: Path) -> None:
    text = tmp_path / "отчёт.sqlite"
    text.write_text("Отчёт\n" * 100, encoding="utf-8")
    with pytest.raises(NotADatabaseError):
        check_database_file(text)

    conn = sqlite3.connect(demo_path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.commit()
    conn.close()
    with pytest.raises(SchemaTooNewError):
        check_database_file(demo_path)


def test_new_path_checks(tmp_path: Path) -> None:
    """Issue 6: the reasons the wizard shows on its last page."""
    nested = tmp_path / "Документы" / "Район" / "ШНОР.sqlite"
    assert check_new_database_path(nested) == nested
    assert nested.parent.is_dir() and not nested.exists()  # the folder made, no file left

    with pytest.raises(RelativePathError):
        check_new_database_path(Path("ШНОР.sqlite"))

    existing = tmp_path / "есть.sqlite"
    Database.open(existing).close()
    with pytest.raises(DatabaseExistsError) as exists:
        check_new_database_path(existing)
    assert "уже существует" in describe_error(exists.value)

    blocker = tmp_path / "файл"
    blocker.write_text("x", encoding="utf-8")
    with pytest.raises(FolderNotCreatedError) as folder:
        check_new_database_path(blocker / "папка" / "ШНОР.sqlite")
    text = describe_error(folder.value)
    assert text.startswith(f"Не удалось создать папку «{blocker / 'папка'}»")
    assert "Выберите другую папку" in text

    empty = tmp_path / "пустой.sqlite"
    empty.write_bytes(b"")
    assert check_new_database_path(empty) == empty  # nothing in it to lose


def test_normalise_new_path(tmp_path: Path) -> None:
    assert normalise_new_path(f'  "{tmp_path / "Район"}" ') == tmp_path / "Район.sqlite"
    assert normalise_new_path(str(tmp_path / "a.db")) == tmp_path / "a.db"


def test_demo_folders(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    fresh = files.make_demo_folder()
    stale = files.make_demo_folder()
    (stale / "Демо-район.sqlite").write_bytes(b"x")
    old = time.time() - 3 * 24 * 3600
    for path in (stale / "Демо-район.sqlite", stale):
        os.utime(path, (old, old))
    other = tmp_path / "чужая"
    other.mkdir()

    assert files.remove_stale_demo_folders() == [stale]
    assert fresh.is_dir() and not stale.exists()
    files.remove_demo_folder(other)  # not a demo folder: left alone
    assert other.is_dir()
    files.remove_demo_folder(fresh)
    assert not fresh.exists()
