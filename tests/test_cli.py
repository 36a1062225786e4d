"""The command line (DESIGN.md §4): exit codes 0/1/2 and Russian output."""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from shnor_desktop import cli
from shnor_desktop.models.schema import SCHEMA_VERSION
from shnor_desktop.services.backup import backup_dir_for, list_backups

ROOT = Path(__file__).resolve().parent.parent


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = cli.main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_check_on_a_sound_database(demo_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = sha256(demo_path)
    code, out, err = run(["check", "--db", str(demo_path)], capsys)
    assert code == 0, err
    assert f"Файл: {demo_path}" in out
    assert f"Версия схемы: {SCHEMA_VERSION} (текущая)" in out
    assert "Целостность: в порядке" in out
    assert "Внешние ключи: в порядке" in out
    assert "Школ: 13" in out
    assert "Паспортов школ:" in out
    assert "Наборов изменений: 1" in out
    assert "Итог: база в порядке." in out
    assert err == ""
    assert sha256(demo_path) == before  # read-only


def test_check_leaves_no_wal_or_shm_files(
    demo_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A WAL-mode database that is only read gets no -wal/-shm files beside it."""
    code, _out, err = run(["check", "--db", str(demo_path)], capsys)
    assert code == 0, err
    assert sorted(p.name for p in demo_path.parent.iterdir()) == [demo_path.name]


def _overwrite_page(path: Path, page: int) -> None:
    data = bytearray(path.read_bytes())
    data[page * 4096 : (page + 1) * 4096] = b"\xff" * 4096
    path.write_bytes(bytes(data))


def test_check_on_a_damaged_database_is_russian_and_names_the_good_backup(
    demo_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from shnor_desktop.services.backup import make_backup

    good = make_backup(demo_path)
    _overwrite_page(demo_path, 10)
    code, out, err = run(["check", "--db", str(demo_path)], capsys)
    assert code == 1
    assert "Целостность: нарушена" in out + err
    assert f"Последняя исправная резервная копия: {good.path}" in err
    assert "Файл → Восстановить из резервной копии" in err
    for english in ("Page", "btree", "malformed", "error code"):
        assert english not in out + err


def test_check_on_an_empty_or_truncated_file(
    tmp_path: Path, demo_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    empty = tmp_path / "пустой.sqlite"
    empty.write_bytes(b"")
    code, _out, err = run(["check", "--db", str(empty)], capsys)
    assert code == 1
    assert f"Файл «{empty}» пуст (0 байт)" in err
    assert empty.read_bytes() == b""

    data = demo_path.read_bytes()
    demo_path.write_bytes(data[: len(data) // 2])
    code, _out, err = run(["check", "--db", str(demo_path)], capsys)
    assert code == 1
    assert f"Файл базы «{demo_path}» обрезан" in err
    assert "не является базой" not in err


def test_usage_line_shows_the_command_as_optional(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _err = run(["-h"], capsys)
    assert code == 0
    usage = out.splitlines()[0]
    assert (
        usage == "Использование: shnor-desktop [-h] [--version] [--db ФАЙЛ | --demo] [КОМАНДА ...]"
    )
    code, out, _err = run(["check", "-h"], capsys)
    assert out.splitlines()[0] == "Использование: shnor-desktop check [-h] --db ФАЙЛ"


def test_check_on_a_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "нет.sqlite"
    code, _out, err = run(["check", "--db", str(missing)], capsys)
    assert code == 1
    assert f"Файл «{missing}» не найден." in err
    assert not missing.exists()  # check never creates a database


def test_check_on_a_text_file_renamed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = tmp_path / "отчёт.sqlite"
    text.write_text("Отчёт о работе за год\n" * 200, encoding="utf-8")
    before = sha256(text)
    code, _out, err = run(["check", "--db", str(text)], capsys)
    assert code == 1
    assert f"Файл «{text}» не является базой данных ШНОР Desktop." in err
    assert sha256(text) == before


def test_check_on_a_newer_schema(demo_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    conn = sqlite3.connect(demo_path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.commit()
    conn.close()
    before = sha256(demo_path)
    code, out, err = run(["check", "--db", str(demo_path)], capsys)
    assert code == 1
    assert f"Версия схемы: {SCHEMA_VERSION + 1} (новее" in out
    assert (
        f"создан более новой версией программы (схема {SCHEMA_VERSION + 1}, "
        f"эта версия понимает до {SCHEMA_VERSION})"
    ) in err
    assert "файл не изменён" in err
    assert sha256(demo_path) == before


def test_check_on_an_older_schema_is_sound_and_not_migrated(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fixture = ROOT / "tests" / "models" / "data" / "schema_v1.sqlite"
    path = tmp_path / "v1.sqlite"
    shutil.copyfile(fixture, path)
    before = sha256(path)
    code, out, _err = run(["check", "--db", str(path)], capsys)
    assert code == 0
    assert "Версия схемы: 1 (устаревшая" in out
    assert sha256(path) == before


def test_check_via_python_m(demo_path: Path) -> None:
    env = dict(os.environ, PYTHONIOENCODING="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "shnor_desktop", "check", "--db", str(demo_path)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "Итог: база в порядке." in result.stdout


def test_backup(demo_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["backup", "--db", str(demo_path)], capsys)
    assert code == 0, err
    [info] = list_backups(demo_path)
    assert info.path.parent == backup_dir_for(demo_path)
    assert f"Резервная копия сохранена: {info.path}" in out
    assert f"({info.size} байт)" in out

    out_dir = tmp_path / "флешка"
    code, out, err = run(["backup", "--db", str(demo_path), "--out", str(out_dir)], capsys)
    assert code == 0, err
    [there] = list_backups(demo_path, out_dir)
    assert str(there.path) in out


def test_backup_of_a_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["backup", "--db", str(tmp_path / "нет.sqlite")], capsys)
    assert code == 1
    assert "не найден" in err
    assert out == ""


def test_demo_writes_a_database(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "новая.sqlite"
    code, out, err = run(["demo", "--out", str(path)], capsys)
    assert code == 0, err
    assert f"Демонстрационная база записана: {path}" in out
    assert run(["check", "--db", str(path)], capsys)[0] == 0


def test_demo_refuses_an_existing_file(demo_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = sha256(demo_path)
    code, _out, err = run(["demo", "--out", str(demo_path)], capsys)
    assert code == 1
    assert f"Файл «{demo_path}» уже существует" in err
    assert sha256(demo_path) == before


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["report-all"], "неизвестное значение 'report-all'"),
        (["check"], "не указаны обязательные параметры: --db"),
        (["demo"], "не указаны обязательные параметры: --out"),
        (["check", "--db", "a.sqlite", "--лишнее"], "непонятные аргументы: --лишнее"),
        (["--db", "a.sqlite", "--demo"], "нельзя указывать вместе с"),
        (["--db", "a.sqlite", "check", "--db", "b.sqlite"], "относятся к окну программы"),
    ],
)
def test_usage_errors_exit_2_in_russian(
    argv: list[str], expected: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(argv, capsys)
    assert code == 2
    assert out == ""
    assert "Использование: shnor-desktop" in err
    assert "ошибка:" in err
    assert expected in err
    assert "usage:" not in err and "error:" not in err


def test_help_is_russian(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _err = run(["-h"], capsys)
    assert code == 0
    assert out.startswith("Использование: shnor-desktop")
    assert "показать эту справку и выйти" in out
    assert "команды:" in out and "check" in out and "backup" in out and "demo" in out
    code, out, _err = run(["backup", "-h"], capsys)
    assert code == 0
    assert out.startswith("Использование: shnor-desktop backup")
    assert "Использование: Использование" not in out


def test_no_subcommand_opens_the_gui(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Without a subcommand the GUI starts (replaced here by a stand-in that records its call)."""
    import types

    calls: list[tuple[Path | None, bool]] = []
    fake = types.ModuleType("shnor_desktop.app")

    def run_gui(db_path: Path | None = None, demo: bool = False) -> int:
        calls.append((db_path, demo))
        return 0

    fake.run_gui = run_gui  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "shnor_desktop.app", fake)

    assert cli.main([]) == 0
    assert cli.main(["--db", str(tmp_path / "a.sqlite")]) == 0
    assert cli.main(["--demo"]) == 0
    assert calls == [(None, False), (tmp_path / "a.sqlite", False), (None, True)]


def test_keyboard_interrupt(
    monkeypatch: pytest.MonkeyPatch, demo_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def interrupted(*_args: object, **_kwargs: object) -> object:
        raise KeyboardInterrupt

    monkeypatch.setattr("shnor_desktop.services.backup.make_backup", interrupted)
    code, _out, err = run(["backup", "--db", str(demo_path)], capsys)
    assert code == cli.EXIT_INTERRUPTED
    assert "Прервано" in err
