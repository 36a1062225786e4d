"""«История импорта»: the batches, their rollback through the panel, and the refusal's reason."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from shnor_desktop.models.database import Database
from shnor_desktop.models.jobs import JobState
from shnor_desktop.services.exchange import importer
from shnor_desktop.services.exchange.templates import write_template
from shnor_desktop.ui.exchange.history_panel import ImportHistoryPanel
from shnor_desktop.ui.exchange.models import BatchModel

Bot = Any
YEAR = 2023


def school_id(db: Database, code: str) -> int:
    return int(db.conn.execute("SELECT id FROM school WHERE code = ?", (code,)).fetchone()[0])


def pupils(db: Database, code: str) -> int:
    return int(
        db.reader()
        .execute(
            "SELECT pupils_total FROM school_profile WHERE school_id = ? AND year = ?",
            (school_id(db, code), YEAR),
        )
        .fetchone()[0]
    )


def import_file(db: Database, folder: Path, code: str, total: int) -> Path:
    """Fill a school's template with a new pupils' total and import it."""
    template = write_template(db, school_id(db, code), YEAR, folder / code)
    book = openpyxl.load_workbook(template)
    for row in book["Паспорт"].iter_rows(min_row=7):
        if row[5].value == "pupils_total":
            row[2].value = total
    path = folder / f"школа {code}.xlsx"
    book.save(path)
    state = JobState()
    plan = importer.plan_import(db, [path], state)
    results = importer.commit_import(db, plan, plan.files, state)
    assert results[0].status is importer.ResultStatus.APPLIED
    return path


def dump(db: Database) -> list[tuple[Any, ...]]:
    conn = db.reader()
    return [
        tuple(r)
        for table in ("school_profile", "import_batch", "change_set")
        for r in conn.execute(f"SELECT * FROM {table} ORDER BY id")
    ]


def text(panel: ImportHistoryPanel, row: int, column: int) -> str:
    return str(panel.model.data(panel.model.index(row, column)))


def test_empty_history_offers_the_import(show_panel: Any, demo_db: Database, qtbot: Bot) -> None:
    panel = show_panel(ImportHistoryPanel, demo_db)
    assert panel.empty.isVisible()
    assert not panel.table_page.isVisible()
    with qtbot.waitSignal(panel.sig_import_requested):
        QTest.mouseClick(panel.empty.button, Qt.MouseButton.LeftButton)


def test_batches_are_listed_newest_first(
    show_panel: Any, qtmodeltester: Bot, demo_db: Database, tmp_path: Path
) -> None:
    import_file(demo_db, tmp_path, "01", pupils(demo_db, "01") + 3)
    import_file(demo_db, tmp_path, "02", pupils(demo_db, "02") + 4)
    panel = show_panel(ImportHistoryPanel, demo_db)
    qtmodeltester.check(panel.model)
    assert panel.model.rowCount() == 2
    assert text(panel, 0, BatchModel.COL_FILE) == "школа 02.xlsx"
    assert text(panel, 1, BatchModel.COL_FILE) == "школа 01.xlsx"
    assert text(panel, 1, BatchModel.COL_SCHOOL) == "СОШ с. Бартеневка"
    assert text(panel, 1, BatchModel.COL_YEAR) == "2023/24"
    assert text(panel, 1, BatchModel.COL_STATUS) == "загружен"
    assert "изменено: 1" in text(panel, 1, BatchModel.COL_SUMMARY)
    assert text(panel, 1, BatchModel.COL_WHEN).count(".") == 2  # 31.08.2024 14:05
    assert panel.count_label.text() == "Загрузок: 2"
    assert panel.selected_batch().file_name == "школа 02.xlsx"
    assert "SHA-256" in panel.detail.text()
    assert panel.rollback_button.isEnabled()
    # Read again (as after an import), the table still fills the panel: no gap on the right.
    panel.reload()
    assert panel.view.horizontalHeader().length() >= panel.view.viewport().width()


def test_rollback_through_the_panel(
    show_panel: Any, demo_db: Database, tmp_path: Path, answers: list[str], qtbot: Bot
) -> None:
    before = pupils(demo_db, "01")
    import_file(demo_db, tmp_path, "01", before + 3)
    assert pupils(demo_db, "01") == before + 3
    panel = show_panel(ImportHistoryPanel, demo_db)
    panel.view.selectRow(0)
    with qtbot.waitSignal(panel.sig_rollback_done) as done:
        QTest.mouseClick(panel.rollback_button, Qt.MouseButton.LeftButton)
    assert done.args[0] == panel.selected_batch().id
    assert "Откатить загрузку файла «школа 01.xlsx»?" in answers[0]
    assert pupils(demo_db, "01") == before
    qtbot.waitUntil(lambda: text(panel, 0, BatchModel.COL_STATUS) == "откачен", timeout=3000)
    assert not panel.rollback_button.isEnabled()
    assert not panel.error.isVisible()


def test_a_declined_rollback_changes_nothing(
    show_panel: Any, demo_db: Database, tmp_path: Path, answers: list[str]
) -> None:
    import_file(demo_db, tmp_path, "01", pupils(demo_db, "01") + 3)
    panel = show_panel(ImportHistoryPanel, demo_db)
    before = dump(demo_db)
    answers.append("no")
    assert not panel.rollback(panel.selected_batch().id)
    assert dump(demo_db) == before


def test_a_rollback_refused_by_a_later_edit_says_why(
    show_panel: Any, demo_db: Database, tmp_path: Path, answers: list[str], qtbot: Bot
) -> None:
    before = pupils(demo_db, "01")
    import_file(demo_db, tmp_path, "01", before + 3)
    profile = demo_db.schools.profile(school_id(demo_db, "01"), YEAR)
    assert profile is not None
    with demo_db.log.change_set("Правка паспорта") as cs:
        cs.update("school_profile", profile.id, {"pupils_total": before + 10})
    panel = show_panel(ImportHistoryPanel, demo_db)
    batch_id = panel.selected_batch().id
    snapshot = dump(demo_db)
    with qtbot.waitSignal(panel.sig_rollback_done) as done:
        QTest.mouseClick(panel.rollback_button, Qt.MouseButton.LeftButton)
    assert done.args == [None]
    assert dump(demo_db) == snapshot  # the database is exactly as it was
    assert pupils(demo_db, "01") == before + 10
    assert panel.error.isVisible()
    reason = panel.error.text()
    assert reason.startswith("Откат не выполнен, база данных не изменена.")
    assert len(reason.splitlines()) > 1 and reason.splitlines()[1]
    # The batch stays selected and still applied: the user sees which one was refused.
    assert panel.selected_batch().id == batch_id
    assert text(panel, 0, BatchModel.COL_STATUS) == "загружен"
    # Choosing another row clears the old reason.
    panel.view.clearSelection()
    assert not panel.error.isVisible()


@pytest.mark.parametrize("kind", ["import", "rollback"])
def test_the_panel_follows_imports_and_rollbacks(
    show_panel: Any, demo_db: Database, tmp_path: Path, qtbot: Bot, kind: str
) -> None:
    panel = show_panel(ImportHistoryPanel, demo_db)
    assert panel.model.rowCount() == 0
    import_file(demo_db, tmp_path, "01", pupils(demo_db, "01") + 3)
    qtbot.waitUntil(lambda: panel.model.rowCount() == 1, timeout=3000)
    if kind == "rollback":
        importer.rollback_batch(demo_db, panel.selected_batch().id)
        qtbot.waitUntil(lambda: text(panel, 0, BatchModel.COL_STATUS) == "откачен", timeout=3000)


@pytest.mark.parametrize("conflict", [False, True])
def test_a_large_rollback_runs_in_the_background(  # noqa: PLR0917 (fixtures)
    show_panel: Any,
    demo_db: Database,
    tmp_path: Path,
    answers: list[str],
    qtbot: Bot,
    monkeypatch: pytest.MonkeyPatch,
    conflict: bool,
) -> None:
    from shnor_desktop.ui.exchange import history_panel

    monkeypatch.setattr(history_panel, "BACKGROUND_ROWS", 0)  # every batch counts as large
    before = pupils(demo_db, "01")
    import_file(demo_db, tmp_path, "01", before + 3)
    if conflict:
        profile = demo_db.schools.profile(school_id(demo_db, "01"), YEAR)
        assert profile is not None
        with demo_db.log.change_set("Правка паспорта") as cs:
            cs.update("school_profile", profile.id, {"pupils_total": before + 10})
    panel = show_panel(ImportHistoryPanel, demo_db)
    batch_id = panel.selected_batch().id
    with qtbot.waitSignal(panel.sig_rollback_done, timeout=10000) as done:
        assert panel.rollback(batch_id) is False  # it runs on, the panel answers meanwhile
        assert panel.busy
        assert not panel.rollback_button.isEnabled()
        assert panel.progress_label.isVisible()
    assert not panel.busy and not panel.progress_label.isVisible()
    if conflict:
        assert done.args == [None]
        assert panel.error.isVisible()
        assert pupils(demo_db, "01") == before + 10
    else:
        assert done.args == [batch_id]
        assert pupils(demo_db, "01") == before
        assert text(panel, 0, BatchModel.COL_STATUS) == "откачен"
