"""``shnor-desktop export --db PATH --out FILE.xlsx`` (DESIGN.md §4): exit codes and output."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook

from shnor_desktop import cli


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = cli.main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_export_writes_the_workbook(
    demo_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = sha256(demo_path)
    out = tmp_path / "выгрузка.xlsx"
    code, stdout, err = run(["export", "--db", str(demo_path), "--out", str(out)], capsys)
    assert code == 0, err
    assert err == ""
    assert f"Выгрузка записана: {out}" in stdout
    assert "записей:" in stdout
    assert sha256(demo_path) == before
    names = CalamineWorkbook.from_path(str(out)).sheet_names
    assert names[0] == "О выгрузке"
    assert "Результаты оценочных процедур" in names


def test_export_replaces_an_older_export(
    demo_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "выгрузка.xlsx"
    out.write_bytes(b"old")
    code, _stdout, err = run(["export", "--db", str(demo_path), "--out", str(out)], capsys)
    assert code == 0, err
    assert out.read_bytes()[:2] == b"PK"


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (lambda p: None, "не найден"),
        (lambda p: p.write_bytes(b""), "пуст"),
        (lambda p: p.write_bytes(b"%PDF-1.7\n" + b"0" * 4096), "не является базой"),
    ],
    ids=["missing", "empty", "pdf"],
)
def test_a_bad_database_is_exit_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], make: object, expected: str
) -> None:
    db = tmp_path / "база.sqlite"
    make(db)  # type: ignore[operator]
    out = tmp_path / "выгрузка.xlsx"
    code, stdout, err = run(["export", "--db", str(db), "--out", str(out)], capsys)
    assert code == 1
    assert stdout == ""
    assert "база.sqlite" in err
    assert expected in err.lower()
    assert not out.exists()


def test_a_missing_folder_is_exit_1(
    demo_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "нет" / "выгрузка.xlsx"
    code, _stdout, err = run(["export", "--db", str(demo_path), "--out", str(out)], capsys)
    assert code == 1
    assert "Папки" in err and "нет" in err


def test_usage_errors_are_exit_2(
    demo_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _stdout, err = run(["export", "--db", str(demo_path)], capsys)
    assert code == 2
    assert "не указаны обязательные параметры: --out" in err
    code, _stdout, err = run(
        ["export", "--db", str(demo_path), "--out", str(tmp_path / "x.csv")], capsys
    )
    assert code == 2
    assert "расширение .xlsx" in err
    assert not (tmp_path / "x.csv").exists()


def test_export_through_the_entry_point(demo_path: Path, tmp_path: Path) -> None:
    """The installed command, as a script calls it (a real process, exit code 0)."""
    out = tmp_path / "x.xlsx"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "shnor_desktop",
            "export",
            "--db",
            str(demo_path),
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert out.is_file()
