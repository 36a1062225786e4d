"""``template`` and ``import`` on the command line (DESIGN.md §4): exit codes 0/1/2, in Russian."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import openpyxl
import pytest

from shnor_desktop import cli
from shnor_desktop.services.exchange import layout
from tests.services.test_exchange_import import dump, passport_row

ROOT = Path(__file__).resolve().parent.parent


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = cli.main(argv)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def template(demo_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    code, _out, err = run(
        ["template", "--db", str(demo_path), "--out", str(tmp_path / "out"), "--school", "01"],
        capsys,
    )
    assert code == 0, err
    return tmp_path / "out" / "01 СОШ с. Бартеневка 2023-24.xlsx"


def demo_teachers(path: Path) -> int:
    with closing(sqlite3.connect(path)) as conn:
        row = conn.execute(
            "SELECT teachers FROM school_profile p JOIN school s ON s.id = p.school_id"
            " WHERE s.code = '01' AND p.year = 2023"
        ).fetchone()
    return int(row[0])


def filled(template: Path, out: Path, **passport: object) -> Path:
    book = openpyxl.load_workbook(template)
    sheet = book[layout.SHEET_PASSPORT]
    for field, value in passport.items():
        sheet.cell(row=passport_row(sheet, field), column=3, value=value)
    book.save(out)
    return out


def test_template_writes_the_schools_workbooks(
    demo_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = dump(demo_path)
    code, out, err = run(
        ["template", "--db", str(demo_path), "--out", str(tmp_path / "USB"), "--year", "2022"],
        capsys,
    )
    assert code == 0, err
    assert (
        out.splitlines()[0]
        == f"Книги для школ на 2022/23 учебный год записаны в «{tmp_path / 'USB'}»: 13"
    )
    assert "  01 СОШ с. Бартеневка 2022-23.xlsx" in out.splitlines()
    assert len(list((tmp_path / "USB").glob("*.xlsx"))) == 13
    assert dump(demo_path) == before


def test_template_of_an_unknown_school_is_exit_1(
    demo_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(
        ["template", "--db", str(demo_path), "--out", str(tmp_path), "--school", "99"], capsys
    )
    assert (code, out) == (1, "")
    assert err.strip() == "Школы с кодом «99» нет в базе."


def test_template_usage_errors_are_exit_2(
    demo_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _out, err = run(["template", "--db", str(demo_path)], capsys)
    assert code == 2 and "не указаны обязательные параметры: --out" in err
    code, _out, err = run(
        ["template", "--db", str(demo_path), "--out", str(tmp_path), "--year", "20"], capsys
    )
    assert code == 2 and "нужен год от 1990 до 2100" in err


def test_import_dry_run_prints_the_preview_and_writes_nothing(
    demo_path: Path, template: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = filled(template, tmp_path / "01.xlsx", teachers=15, pct_ovz="2,5 %")
    before = dump(demo_path)

    code, out, err = run(["import", "--db", str(demo_path), "--dry-run", str(path)], capsys)

    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == "Файл «01.xlsx»: 01 СОШ с. Бартеневка, 2023/24 учебный год (шаблон версии 2)"
    assert lines[1].startswith("  Новых значений: 0, изменённых: 2, без изменений:")
    teachers = demo_teachers(demo_path)
    assert f"  Паспорт 2023/24 · Педагогических работников: {teachers} → 15" in lines
    assert any(
        line.startswith("  Паспорт 2023/24 · Доля обучающихся с ОВЗ:") and line.endswith("→ 2,5")
        for line in lines
    )
    assert lines[-1] == "Предварительный просмотр (--dry-run): в базу ничего не записано."
    assert dump(demo_path) == before


def test_import_writes_and_again_says_unchanged(
    demo_path: Path, template: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "school").mkdir()
    path = filled(template, tmp_path / "school" / "01.xlsx", teachers=15)

    code, out, err = run(["import", "--db", str(demo_path), str(path)], capsys)
    assert code == 0, err
    assert "  Загружено: загрузка № 1, изменение № 2 (откатить: «Обмен → История загрузок»)." in out
    after = dump(demo_path)

    code, out, err = run(["import", "--db", str(demo_path), str(tmp_path / "school")], capsys)
    assert code == 0, err
    assert "  Этот файл уже загружен: без изменений." in out
    assert "Без изменений" in out
    assert dump(demo_path) == after


def test_a_rejected_value_is_exit_1_naming_file_sheet_cell_and_what_was_expected(
    demo_path: Path, template: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = filled(template, tmp_path / "плохой.xlsx", pct_ovz=150)
    before = dump(demo_path)
    row = passport_row(openpyxl.load_workbook(path)[layout.SHEET_PASSPORT], "pct_ovz")

    code, out, err = run(["import", "--db", str(demo_path), str(path)], capsys)

    assert (code, out) == (1, "")
    assert err.splitlines() == [
        "Файл «плохой.xlsx» не загружен: исправьте значения и загрузите файл снова.",
        f"Файл «плохой.xlsx», лист «Паспорт», ячейка C{row}: «150» — доля должна быть "
        "от 0 до 100 %.",
    ]
    assert dump(demo_path) == before


def test_a_hostile_file_is_exit_1_and_the_others_still_import(
    demo_path: Path, template: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "USB"
    folder.mkdir()
    filled(template, folder / "01.xlsx", teachers=15)
    (folder / "старый.xls").write_bytes(
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "Workbook".encode("utf-16-le")
    )
    (folder / "скан.xlsx").write_bytes(b"%PDF-1.5\n")

    code, out, err = run(["import", "--db", str(demo_path), str(folder)], capsys)

    assert code == 1
    assert "Загружено: загрузка № 1" in out
    assert "Файл «старый.xls» — книга старого формата Excel 97–2003 (.xls)" in err
    assert "сохраните как .xlsx" in err
    assert "Файл «скан.xlsx» не загружен: это документ PDF, а не таблица Excel." in err


def test_import_of_nothing(
    demo_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _out, err = run(["import", "--db", str(demo_path), str(tmp_path / "нет")], capsys)
    assert code == 1 and "Не найдено: «" in err
    code, _out, err = run(["import", "--db", str(demo_path), str(tmp_path)], capsys)
    assert code == 1 and "загружать нечего" in err
    code, _out, err = run(["import", "--db", str(demo_path)], capsys)
    assert code == 2 and "ФАЙЛ_ИЛИ_ПАПКА" in err


def test_import_into_a_missing_database_is_exit_1(
    template: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "нет.sqlite"
    code, _out, err = run(["import", "--db", str(missing), str(template)], capsys)
    assert code == 1 and "не найден" in err
    assert not missing.exists()


def test_the_commands_run_as_a_program(demo_path: Path, tmp_path: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "shnor_desktop",
            "template",
            "--db",
            str(demo_path),
            "--out",
            str(tmp_path),
            "--school",
            "02",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "02 СОШ п. Знаменский 2023-24.xlsx").exists()
