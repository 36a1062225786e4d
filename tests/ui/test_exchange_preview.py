"""The import preview: real filled templates, statuses, values, the report, commit and cancel."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QTableView
from python_calamine import CalamineWorkbook

from shnor_desktop.models.database import Database
from shnor_desktop.models.jobs import JobState
from shnor_desktop.services.exchange import importer
from shnor_desktop.services.exchange.templates import write_template
from shnor_desktop.ui.exchange.models import ChangeModel, FilePlanModel, ProblemModel
from shnor_desktop.ui.exchange.preview import ImportPreviewDialog

Bot = Any
YEAR = 2023


def school_id(db: Database, code: str) -> int:
    return int(db.conn.execute("SELECT id FROM school WHERE code = ?", (code,)).fetchone()[0])


def filled(
    db: Database,
    folder: Path,
    name: str,
    *,
    code: str = "01",
    passport: dict[str, Any] | None = None,
    cells: dict[str, Any] | None = None,
) -> Path:
    """A school's template of :data:`YEAR`, filled in with openpyxl as a school would."""
    template = write_template(db, school_id(db, code), YEAR, folder / "templates")
    book = openpyxl.load_workbook(template)
    sheet = book["Паспорт"]
    for row in sheet.iter_rows(min_row=7):
        key = row[5].value
        if passport and key in passport:
            row[2].value = passport[key]
    for cell, value in (cells or {}).items():
        sheet[cell] = value
    out = folder / name
    book.save(out)
    return out


def profile_value(db: Database, code: str, column: str) -> Any:
    return (
        db.reader()
        .execute(
            f"SELECT {column} FROM school_profile WHERE school_id = ? AND year = ?",
            (school_id(db, code), YEAR),
        )
        .fetchone()[0]
    )


def open_preview(qtbot: Bot, db: Database, paths: list[Path]) -> ImportPreviewDialog:
    dialog = ImportPreviewDialog(db, paths)
    qtbot.addWidget(dialog)
    dialog.show()
    with qtbot.waitSignal(dialog.sig_planned, timeout=20000):
        dialog.start()
    return dialog


def cell_text(model: Any, row: int, column: int) -> str:
    return str(model.data(model.index(row, column), Qt.ItemDataRole.DisplayRole))


def row_of(dialog: ImportPreviewDialog, name: str) -> int:
    return next(i for i, p in enumerate(dialog.file_model.plans()) if p.name == name)


def click_check(view: QTableView, row: int) -> None:
    """Click the check box of a row, where a user clicks it."""
    index = view.model().index(row, 0)
    rect = view.visualRect(index)
    point = rect.center()
    point.setX(rect.left() + 12)
    QTest.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=point)


@pytest.fixture
def two_files(demo_db: Database, tmp_path: Path) -> list[Path]:
    pupils = profile_value(demo_db, "01", "pupils_total")
    changed = filled(demo_db, tmp_path, "изменённый.xlsx", passport={"pupils_total": pupils + 5})
    bad = filled(demo_db, tmp_path, "с ошибкой.xlsx", passport={"teachers": "много"})
    return [changed, bad]


def test_preview_shows_each_file_its_values_and_its_problems(
    qtbot: Bot, qtmodeltester: Bot, demo_db: Database, two_files: list[Path]
) -> None:
    before = profile_value(demo_db, "01", "pupils_total")
    dialog = open_preview(qtbot, demo_db, two_files)
    model = dialog.file_model
    qtmodeltester.check(model)
    assert model.rowCount() == 2
    changed, bad = row_of(dialog, "изменённый.xlsx"), row_of(dialog, "с ошибкой.xlsx")
    assert cell_text(model, changed, FilePlanModel.COL_STATUS) == "есть изменения"
    assert cell_text(model, bad, FilePlanModel.COL_STATUS) == "отклонён"
    assert cell_text(model, changed, FilePlanModel.COL_SCHOOL) == "СОШ с. Бартеневка"
    assert cell_text(model, changed, FilePlanModel.COL_YEAR) == "2023/24"
    assert cell_text(model, changed, FilePlanModel.COL_CHANGES) == "1"
    # The changed file is checked; the refused one has no check box at all.
    state = model.data(model.index(changed, 0), Qt.ItemDataRole.CheckStateRole)
    assert state == Qt.CheckState.Checked.value
    assert model.data(model.index(bad, 0), Qt.ItemDataRole.CheckStateRole) is None
    assert not model.flags(model.index(bad, 0)) & Qt.ItemFlag.ItemIsUserCheckable
    assert dialog.commit_button.text() == "Загрузить отмеченные (1)"
    assert dialog.summary_label.text() == (
        "Прочитано 2 файла: с изменениями — 1, отклонено — 1. "
        "Отметьте файлы, которые нужно загрузить."
    )
    assert cell_text(model, bad, FilePlanModel.COL_CHANGES) == "—"

    # The changed file's values: old → new, only what changes unless asked.
    dialog.file_view.selectRow(changed)
    values = dialog.change_model
    qtmodeltester.check(values)
    assert values.rowCount() == 1
    assert cell_text(values, 0, ChangeModel.COL_FIELD) == "Всего обучающихся"
    assert cell_text(values, 0, ChangeModel.COL_SHEET) == "Паспорт"
    assert cell_text(values, 0, ChangeModel.COL_CELL) == "C7"
    assert cell_text(values, 0, ChangeModel.COL_OLD) == str(before)
    assert cell_text(values, 0, ChangeModel.COL_NEW) == str(before + 5)
    assert cell_text(values, 0, ChangeModel.COL_KIND) == "изменено"
    assert "изменённых: 1" in dialog.change_counts.text()
    dialog.show_same.click()
    assert values.rowCount() > 100
    assert any(
        cell_text(values, r, ChangeModel.COL_KIND) == "без изменений"
        for r in range(values.rowCount())
    )

    # The refused file: the report names the sheet, the cell, the value, what was expected.
    dialog.file_view.selectRow(bad)
    assert dialog.tabs.currentIndex() == 1
    assert dialog.tabs.tabText(1) == "Замечания (1)"
    problems = dialog.problem_model
    qtmodeltester.check(problems)
    assert [
        cell_text(problems, 0, c)
        for c in (ProblemModel.COL_FILE, ProblemModel.COL_SHEET, ProblemModel.COL_VALUE)
    ] == ["с ошибкой.xlsx", "Паспорт", "много"]
    assert cell_text(problems, 0, ProblemModel.COL_CELL).startswith("C")
    assert "целое число" in cell_text(problems, 0, ProblemModel.COL_EXPECTED)
    assert dialog.file_error.isVisible()
    assert dialog.file_error.text().startswith("Файл не будет загружен: 1 ошибка")
    # Nothing was written by looking.
    assert profile_value(demo_db, "01", "pupils_total") == before


def test_the_report_is_saved_as_a_workbook(
    qtbot: Bot, demo_db: Database, two_files: list[Path], tmp_path: Path
) -> None:
    dialog = open_preview(qtbot, demo_db, two_files)
    assert dialog.report_button.isEnabled()
    written = dialog.save_report(tmp_path / "отчёт")
    assert written == tmp_path / "отчёт.xlsx"
    rows = CalamineWorkbook.from_path(str(written)).get_sheet_by_name("Замечания").to_python()
    assert rows[0][:5] == ["Файл", "Лист", "Ячейка", "Значение", "Что ожидалось"]
    assert any(r[0] == "с ошибкой.xlsx" and r[3] == "много" for r in rows[1:])


def test_commit_through_the_dialog_writes_only_the_checked_file(
    qtbot: Bot, demo_db: Database, two_files: list[Path]
) -> None:
    before = profile_value(demo_db, "01", "pupils_total")
    dialog = open_preview(qtbot, demo_db, two_files)
    changed = row_of(dialog, "изменённый.xlsx")
    with qtbot.waitSignal(dialog.sig_committed, timeout=20000) as blocker:
        QTest.mouseClick(dialog.commit_button, Qt.MouseButton.LeftButton)
    results = blocker.args[0]
    assert [r.status for r in results] == [importer.ResultStatus.APPLIED]
    assert profile_value(demo_db, "01", "pupils_total") == before + 5
    status = dialog.file_model.index(changed, FilePlanModel.COL_STATUS)
    assert status.data() == "загружен"
    assert status.data(Qt.ItemDataRole.ToolTipRole) == "Записано новых значений: 0, изменено: 1."
    # A committed file cannot be checked again; nothing is left to commit.
    assert not dialog.file_model.is_checkable(changed)
    assert not dialog.commit_button.isEnabled()
    assert "Загружено файлов: 1." in dialog.summary_label.text()
    history = importer.import_history(demo_db)
    assert [(b.file_name, b.status) for b in history] == [("изменённый.xlsx", "applied")]


def test_unchecking_commits_nothing(qtbot: Bot, demo_db: Database, two_files: list[Path]) -> None:
    dialog = open_preview(qtbot, demo_db, two_files)
    changed = row_of(dialog, "изменённый.xlsx")
    click_check(dialog.file_view, changed)
    assert dialog.file_model.checked_plans() == []
    assert not dialog.commit_button.isEnabled()
    assert dialog.commit() is None
    assert importer.import_history(demo_db) == []


def test_the_same_file_again_reads_without_changes(
    qtbot: Bot, demo_db: Database, two_files: list[Path]
) -> None:
    state = JobState()
    plan = importer.plan_import(demo_db, two_files[:1], state)
    importer.commit_import(demo_db, plan, plan.files, state)
    dialog = open_preview(qtbot, demo_db, two_files[:1])
    assert cell_text(dialog.file_model, 0, FilePlanModel.COL_STATUS) == "без изменений"
    assert not dialog.file_model.is_checkable(0)
    assert "уже загружен" in dialog.file_label.text()
    assert not dialog.commit_button.isEnabled()


def test_a_workbook_of_another_year_needs_a_confirmation(
    qtbot: Bot, demo_db: Database, tmp_path: Path, answers: list[str]
) -> None:
    before = profile_value(demo_db, "01", "pupils_total")
    path = filled(
        demo_db,
        tmp_path,
        "не тот год.xlsx",
        passport={"pupils_total": before + 1},
        cells={"B4": "2022/23"},
    )
    dialog = open_preview(qtbot, demo_db, [path])
    model = dialog.file_model
    assert cell_text(model, 0, FilePlanModel.COL_STATUS) == "другая школа или год"
    # Not checked by itself, but it may be.
    assert model.data(model.index(0, 0), Qt.ItemDataRole.CheckStateRole) == (
        Qt.CheckState.Unchecked.value
    )
    assert "Нужно подтверждение" in dialog.file_error.text()
    click_check(dialog.file_view, 0)
    assert len(model.checked_plans()) == 1

    answers.append("no")  # the question is declined: nothing happens
    assert dialog.commit() is None
    assert "Загрузить их всё равно?" in answers[-1]
    assert "2022/23" in answers[-1]
    assert profile_value(demo_db, "01", "pupils_total") == before

    answers.clear()
    with qtbot.waitSignal(dialog.sig_committed, timeout=20000):
        assert dialog.commit() is not None
    assert answers and "Загрузить их всё равно?" in answers[0]
    assert profile_value(demo_db, "01", "pupils_total") == before + 1


def test_cancel_of_a_commit_keeps_the_dialog_responsive(
    qtbot: Bot, demo_db: Database, two_files: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """While a commit runs the dialog answers; «Отмена» stops it and says so."""
    started = threading.Event()

    def slow_commit(db: Any, plan: Any, files: Any, state: JobState, **_: Any) -> list[Any]:
        del db, plan, files
        state.progress(0, 1, "изменённый.xlsx")
        started.set()
        while True:
            state.check()
            threading.Event().wait(0.01)

    monkeypatch.setattr(importer, "commit_import", slow_commit)
    dialog = open_preview(qtbot, demo_db, two_files)
    dialog.commit()
    qtbot.waitUntil(started.is_set, timeout=5000)
    assert dialog.busy
    assert dialog.cancel_button.isVisible() and dialog.cancel_button.isEnabled()
    assert not dialog.close_button.isEnabled()
    # The window still reacts: the tabs switch, the check boxes hold still.
    QTest.mouseClick(
        dialog.tabs.tabBar(),
        Qt.MouseButton.LeftButton,
        pos=dialog.tabs.tabBar().tabRect(1).center(),
    )
    assert dialog.tabs.currentIndex() == 1
    assert not dialog.file_model.flags(dialog.file_model.index(0, 0)) & (
        Qt.ItemFlag.ItemIsUserCheckable
    )
    with qtbot.waitSignal(dialog.sig_committed, timeout=5000):
        QTest.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    assert not dialog.busy
    assert "отменена" in dialog.summary_label.text()
    assert dialog.close_button.isEnabled()
    assert importer.import_history(demo_db) == []


def test_cancel_while_reading(
    qtbot: Bot, demo_db: Database, two_files: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    real = importer.plan_import
    started = threading.Event()

    def slow_plan(db: Any, paths: Any, state: JobState) -> Any:
        started.set()
        while not state.cancelled:
            threading.Event().wait(0.01)
        state.check()
        return real(db, paths, state)

    monkeypatch.setattr(importer, "plan_import", slow_plan)
    dialog = ImportPreviewDialog(demo_db, two_files)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.start()
    qtbot.waitUntil(started.is_set, timeout=5000)
    with qtbot.waitSignal(dialog.sig_planned, timeout=5000) as blocker:
        QTest.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    assert blocker.args == [None]
    assert dialog.summary_label.text() == "Чтение файлов отменено. База не изменена."


def test_a_folder_without_workbooks_says_so(qtbot: Bot, demo_db: Database, tmp_path: Path) -> None:
    folder = tmp_path / "флешка"
    folder.mkdir()
    (folder / "фото.jpg").write_bytes(b"\xff\xd8\xff")
    dialog = open_preview(qtbot, demo_db, [folder])
    assert dialog.file_model.rowCount() == 0
    assert "Книг школ не найдено" in dialog.summary_label.text()
    assert not dialog.commit_button.isEnabled()


def test_a_renamed_pdf_is_refused_with_its_reason(
    qtbot: Bot, demo_db: Database, tmp_path: Path
) -> None:
    fake = tmp_path / "отчёт.xlsx"
    fake.write_bytes(b"%PDF-1.7\n" + b"0" * 2000)
    dialog = open_preview(qtbot, demo_db, [fake])
    assert cell_text(dialog.file_model, 0, FilePlanModel.COL_STATUS) == "отклонён"
    assert dialog.file_error.isVisible()
    assert dialog.file_error.text()
    assert dialog.problem_model.rowCount() == 1
    assert cell_text(dialog.problem_model, 0, ProblemModel.COL_SEVERITY) == "файл не принят"


def test_closing_while_reading_cancels(
    qtbot: Bot, demo_db: Database, two_files: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    started = threading.Event()

    def slow_plan(db: Any, paths: Any, state: JobState) -> Any:
        started.set()
        while True:
            state.check()
            threading.Event().wait(0.01)

    monkeypatch.setattr(importer, "plan_import", slow_plan)
    dialog = ImportPreviewDialog(demo_db, two_files)
    qtbot.addWidget(dialog)
    dialog.show()
    task = dialog.start()
    qtbot.waitUntil(started.is_set, timeout=5000)
    dialog.reject()
    assert not task.running
    assert not dialog.isVisible()
