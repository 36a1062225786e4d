"""A school's template filled in and re-saved by LibreOffice Calc imports with its values.

The fixture ``tests/fixtures/exchange/libreoffice_filled.xlsx`` was made by
``make_libreoffice_fixture.py`` beside it (the program's template writer,
filled with openpyxl, re-saved by ``soffice --headless --convert-to xlsx``);
the test builds the same small district and imports the file.
"""

from __future__ import annotations

import importlib.util
import shutil
import zipfile
from contextlib import closing
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from shnor_desktop.models.database import Database
from shnor_desktop.models.jobs import JobState
from shnor_desktop.services.exchange import importer

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "exchange"


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "make_libreoffice_fixture", FIXTURES / "make_libreoffice_fixture.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def script() -> ModuleType:
    return _script()


@pytest.fixture
def db(tmp_path: Path, script: ModuleType) -> Any:
    path = tmp_path / "district.sqlite"
    script.build_database(path)
    with closing(Database.open(path)) as opened:
        yield opened


@pytest.fixture
def fixture_file(tmp_path: Path, script: ModuleType) -> Path:
    copy = tmp_path / "07 СОШ с. Яблоновка 2023-24.xlsx"
    shutil.copyfile(script.FIXTURE, copy)
    return copy


def test_the_fixture_was_saved_by_libreoffice(script: ModuleType) -> None:
    with zipfile.ZipFile(script.FIXTURE) as archive:
        app = archive.read("docProps/app.xml").decode("utf-8")
    assert "<Application>LibreOffice" in app


def test_libreoffice_resave_imports_with_its_values(
    db: Database, fixture_file: Path, script: ModuleType
) -> None:
    state = JobState()
    plan = importer.plan_import(db, [fixture_file], state)
    [file_plan] = plan.files
    assert file_plan.error is None, file_plan.error
    assert file_plan.problems == []
    assert file_plan.status in (importer.FileStatus.NEW, importer.FileStatus.UPDATE)
    assert file_plan.school_code == script.SCHOOL_CODE
    assert file_plan.year == script.YEAR

    [result] = importer.commit_import(db, plan, plan.files, state)
    assert result.status is importer.ResultStatus.APPLIED, result.error

    conn = db.reader()
    school = int(
        conn.execute("SELECT id FROM school WHERE code = ?", (script.SCHOOL_CODE,)).fetchone()[0]
    )
    expected = script.EXPECTED
    passport = expected["school_profile"]
    row = conn.execute(
        f"SELECT {', '.join(passport)} FROM school_profile WHERE school_id = ? AND year = ?",
        (school, script.YEAR),
    ).fetchone()
    assert dict(zip(passport, tuple(row), strict=True)) == passport
    for (procedure, subject, grade), values in expected["assessment"].items():
        row = conn.execute(
            f"SELECT {', '.join(values)} FROM assessment WHERE school_id = ? AND year = ?"
            " AND procedure = ? AND subject = ? AND grade = ?",
            (school, script.YEAR, procedure, subject, grade),
        ).fetchone()
        assert row is not None, (procedure, subject, grade)
        assert dict(zip(values, tuple(row), strict=True)) == values
    report = expected["activity_report"]
    row = conn.execute(
        f"SELECT {', '.join(report)} FROM activity_report WHERE school_id = ? AND year = ?",
        (school, script.YEAR),
    ).fetchone()
    assert dict(zip(report, tuple(row), strict=True)) == report

    # The same file again changes nothing and says so.
    again = importer.plan_import(db, [fixture_file], JobState())
    assert again.files[0].status is importer.FileStatus.SAME
