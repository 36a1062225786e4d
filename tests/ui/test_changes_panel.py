"""The change log page: the lazy list, its marks after undo/redo/revert, details, reverting."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtTest import QAbstractItemModelTester
from PySide6.QtWidgets import QMessageBox

from shnor_desktop.models.changelog import ChangeSetInfo
from shnor_desktop.models.database import Database
from shnor_desktop.models.errors import DatabaseLockedError
from shnor_desktop.models.schools import SchoolProfile
from shnor_desktop.ui.changes_panel import (
    BACKGROUND_ROWS,
    DETAILS_LIMIT,
    ChangeDetailsModel,
    ChangeSetDialog,
    ChangeSetModel,
    ChangesPanel,
)
from shnor_desktop.ui.common import DataBus

NBSP = "\u00a0"
# pytest-qt's QtBot has no type hints on its event methods: tests use it through Any.
Bot = Any


@pytest.fixture
def boxes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Capture every message box text; each box is answered «yes»."""
    shown: list[str] = []

    def fake_exec(box: QMessageBox) -> int:
        shown.append(box.text())
        return QMessageBox.StandardButton.Yes

    monkeypatch.setattr(QMessageBox, "exec", fake_exec)
    return shown


def _panel(qtbot: Bot, db: Database) -> ChangesPanel:
    bus = DataBus()
    bus.attach(db)
    panel = ChangesPanel(bus)
    panel.resize(1200, 600)
    qtbot.addWidget(panel)
    panel.set_database(db)
    panel.show()
    qtbot.waitExposed(panel)
    return panel


def _cell(model: ChangeSetModel, set_id: int, column: int) -> str:
    row = model.row_of(set_id)
    assert row >= 0, f"set {set_id} is not shown"
    return str(model.data(model.index(row, column), Qt.ItemDataRole.DisplayRole))


def _ids(model: ChangeSetModel) -> list[int]:
    return [model.record(row).id for row in range(model.rowCount())]


def _profile_id(db: Database, year: int, code: str = "01") -> tuple[int, int]:
    school = next(s for s in db.schools.all_schools() if s.code == code)
    profile = db.schools.profile(school.id, year)
    assert profile is not None
    return school.id, profile.id


def _profile(db: Database) -> SchoolProfile:
    """The 2022/23 passport of the school «01» as stored now."""
    school_id, _ = _profile_id(db, 2022)
    profile = db.schools.profile(school_id, 2022)
    assert profile is not None
    return profile


def _edit(db: Database, field: str, value: object, label: str) -> ChangeSetInfo:
    school_id, _ = _profile_id(db, 2022)
    info = db.schools.set_profile_value(school_id, 2022, field, value, label)
    assert info is not None
    return info


def _dump(path: Path) -> str:
    conn = sqlite3.connect(path)
    try:
        return "\n".join(conn.iterdump())
    finally:
        conn.close()


def _details(panel: ChangesPanel) -> list[tuple[str, ...]]:
    """The lines of the open details dialog as shown: record, action, field, old, new."""
    dialog = panel.details_dialog
    assert dialog is not None
    model = dialog.model
    return [
        tuple(str(model.data(model.index(row, column))) for column in range(5))
        for row in range(model.rowCount())
    ]


# --- the list ------------------------------------------------------------------------------


def test_model_passes_the_model_tester(
    qtbot: Bot, district_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ChangeSetModel, "PAGE_SIZE", 2)
    for value in range(60, 120):
        _edit(district_db, "pupils_total", value, f"Контингент {value}")
    panel = _panel(qtbot, district_db)
    model = panel.model
    tester = QAbstractItemModelTester(
        model, QAbstractItemModelTester.FailureReportingMode.Warning, panel
    )
    assert model.rowCount() < district_db.log.set_count() and model.canFetchMore(QModelIndex())
    # New sets at the top, marks changed by undo/redo, older pages: all checked by the tester.
    edit = _edit(district_db, "sek_index", 20, "СЭК")
    district_db.undo.undo()
    district_db.undo.redo()
    while model.canFetchMore(QModelIndex()):
        model.fetchMore(QModelIndex())
    assert _ids(model) == list(range(district_db.log.set_count(), 0, -1))
    assert edit.id in _ids(model)
    model.set_log(None)
    assert model.rowCount() == 0 and not model.canFetchMore(QModelIndex())
    del tester
    empty = ChangeSetModel(panel)  # a model with no log at all
    QAbstractItemModelTester(empty, QAbstractItemModelTester.FailureReportingMode.Warning, panel)


def test_lists_sets_with_russian_kinds(qtbot: Bot, district_db: Database) -> None:
    panel = _panel(qtbot, district_db)
    edit = _edit(district_db, "pct_low_income", 12, "Доля семей с низким доходом")
    model = panel.model
    assert model.rowCount() == 2
    assert model.record(0).id == edit.id  # newest first, inserted while the panel is shown
    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(7)]
    assert headers == ["№", "Когда", "Кто", "Вид", "Что", "Записей", "Состояние"]
    assert _cell(model, edit.id, ChangeSetModel.COL_KIND) == "Правка"
    assert _cell(model, edit.id, ChangeSetModel.COL_LABEL) == "Доля семей с низким доходом"
    assert _cell(model, edit.id, ChangeSetModel.COL_ROWS) == "1"
    assert _cell(model, edit.id, ChangeSetModel.COL_STATE) == ""
    first = model.record(1)
    assert _cell(model, first.id, ChangeSetModel.COL_KIND) == "Демо-данные"
    when = _cell(model, first.id, ChangeSetModel.COL_WHEN)
    assert len(when) == 16 and when[2] == "." and when[5] == "." and when[13] == ":"
    assert panel.count_label.text() == "Наборов изменений: 2"


def test_numbers_are_consecutive_after_an_edit_that_changed_nothing(
    qtbot: Bot, district_db: Database
) -> None:
    panel = _panel(qtbot, district_db)
    first = _edit(district_db, "sek_index", 25, "СЭК")
    school_id, _ = _profile_id(district_db, 2022)
    # The same value again changes nothing: no set, no number taken.
    assert district_db.schools.set_profile_value(school_id, 2022, "sek_index", 25, "СЭК") is None
    second = _edit(district_db, "sek_index", 26, "СЭК ещё раз")
    assert second.id == first.id + 1
    assert _ids(panel.model) == [second.id, first.id, first.id - 1]
    shown = [_cell(panel.model, i, ChangeSetModel.COL_ID) for i in _ids(panel.model)]
    assert shown == [str(second.id), str(first.id), str(first.id - 1)]


def test_new_set_is_inserted_keeping_the_selection(qtbot: Bot, district_db: Database) -> None:
    panel = _panel(qtbot, district_db)
    first = _edit(district_db, "sek_index", 20, "СЭК")
    panel.select_set(first.id)
    with (
        qtbot.assertNotEmitted(panel.model.modelReset),
        qtbot.waitSignal(panel.model.rowsInserted) as inserted,
    ):
        second = _edit(district_db, "sek_index", 21, "СЭК ещё раз")
    assert inserted.args[1:] == [0, 0]
    assert panel.model.record(0).id == second.id
    selected = panel.selected_set()
    assert selected is not None and selected.id == first.id


def test_undo_and_redo_marks_are_updated_in_place(qtbot: Bot, district_db: Database) -> None:
    panel = _panel(qtbot, district_db)
    model = panel.model
    edit = _edit(district_db, "sek_index", 20, "СЭК")
    panel.select_set(edit.id)

    undo_id = district_db.undo.undo()
    assert _cell(model, edit.id, ChangeSetModel.COL_STATE) == f"отменено набором №{undo_id}"
    assert _cell(model, undo_id, ChangeSetModel.COL_KIND) == "Отмена"
    assert _cell(model, undo_id, ChangeSetModel.COL_STATE) == f"отменяет набор №{edit.id}"
    assert not panel.revert_button.isEnabled()  # the selected set is out of effect

    with qtbot.assertNotEmitted(model.modelReset), qtbot.waitSignal(model.dataChanged):
        redo_id = district_db.undo.redo()
    # After undo + redo the edit is in effect again: it no longer reads «отменено».
    assert _cell(model, edit.id, ChangeSetModel.COL_STATE) == ""
    assert _cell(model, undo_id, ChangeSetModel.COL_STATE) == f"отменено набором №{redo_id}"
    assert _cell(model, redo_id, ChangeSetModel.COL_KIND) == "Повтор"
    assert _cell(model, redo_id, ChangeSetModel.COL_STATE) == f"повторяет набор №{edit.id}"
    selected = panel.selected_set()
    assert selected is not None and selected.id == edit.id and selected.reverted_by is None
    assert panel.revert_button.isEnabled()


def test_revert_then_undo_twice(qtbot: Bot, district_db: Database, boxes: list[str]) -> None:
    panel = _panel(qtbot, district_db)
    model = panel.model
    school_id, _ = _profile_id(district_db, 2022)
    edit = _edit(district_db, "pct_incomplete_families", 30, "Неполные семьи")
    panel.select_set(edit.id)
    with qtbot.waitSignal(panel.sig_revert_done) as done:
        qtbot.mouseClick(panel.revert_button, Qt.MouseButton.LeftButton)
    revert_id = done.args[0]
    assert isinstance(revert_id, int)
    assert len(boxes) == 1 and f"№{edit.id}" in boxes[0] and "«Неполные семьи»" in boxes[0]
    assert _profile(district_db).pct_incomplete_families == 22.0
    assert _cell(model, edit.id, ChangeSetModel.COL_STATE) == f"откачено набором №{revert_id}"
    assert _cell(model, revert_id, ChangeSetModel.COL_KIND) == "Откат"
    assert _cell(model, revert_id, ChangeSetModel.COL_STATE) == f"откатывает набор №{edit.id}"
    selected = panel.selected_set()
    assert selected is not None and selected.id == revert_id

    # Ctrl+Z: the revert is undone, so the edit is in effect again.
    first_undo = district_db.undo.undo()
    assert _profile(district_db).pct_incomplete_families == 30.0
    assert _cell(model, revert_id, ChangeSetModel.COL_STATE) == f"отменено набором №{first_undo}"
    assert _cell(model, edit.id, ChangeSetModel.COL_STATE) == ""
    # Ctrl+Z again: the edit itself is undone (no «уже отменено»).
    second_undo = district_db.undo.undo()
    assert _profile(district_db).pct_incomplete_families == 22.0
    assert _cell(model, edit.id, ChangeSetModel.COL_STATE) == f"отменено набором №{second_undo}"
    assert _ids(model)[:4] == [second_undo, first_undo, revert_id, edit.id]


def test_hidden_panel_catches_up_when_shown(qtbot: Bot, district_db: Database) -> None:
    panel = _panel(qtbot, district_db)
    panel.hide()
    edit = _edit(district_db, "sek_index", 20, "СЭК")
    assert panel.model.row_of(edit.id) == -1 and panel.stale
    panel.show()
    qtbot.waitExposed(panel)
    assert panel.model.record(0).id == edit.id


def test_log_is_read_in_pages(qtbot: Bot, district_db: Database) -> None:
    school_id, profile_id = _profile_id(district_db, 2022)
    for number in range(1200):
        with district_db.log.change_set(f"Правка {number}") as cs:
            cs.update("school_profile", profile_id, {"notes": f"вариант {number}"})
    total = district_db.log.set_count()
    assert total == 1201
    panel = _panel(qtbot, district_db)
    model = panel.model
    page = ChangeSetModel.PAGE_SIZE
    assert model.rowCount() == page < total
    assert model.canFetchMore(QModelIndex())
    # The user clicks the newest set and goes to the end: the view asks for older pages.
    view = panel.view
    first = view.visualRect(model.index(0, ChangeSetModel.COL_LABEL)).center()
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=first)
    qtbot.keyClick(panel.view, Qt.Key.Key_End, Qt.KeyboardModifier.ControlModifier)
    assert page < model.rowCount()
    while model.rowCount() < total:
        before = model.rowCount()
        qtbot.keyClick(panel.view, Qt.Key.Key_End, Qt.KeyboardModifier.ControlModifier)
        assert model.rowCount() > before
    assert not model.canFetchMore(QModelIndex())
    assert _ids(model) == list(range(total, 0, -1))
    assert panel.count_label.text() == f"Наборов изменений: 1{NBSP}201"


# --- details -------------------------------------------------------------------------------


def test_double_click_shows_old_and_new_values_in_russian(
    qtbot: Bot, district_db: Database
) -> None:
    panel = _panel(qtbot, district_db)
    _, profile_id = _profile_id(district_db, 2022)
    tutor = next(p for p in district_db.district.people() if p.full_name.startswith("Петров"))
    with district_db.log.change_set("Уточнение паспорта") as cs:
        cs.update(
            "school_profile",
            profile_id,
            {
                "pct_low_income": 12.5,
                "group_code": "shnor",
                "curator_id": tutor.id,
                "pupils_total": 1539,
            },
        )
        cs.insert("person_role", {"person_id": tutor.id, "role": "curator", "since": "2024-08-31"})
    info = district_db.log.recent_sets(1)[0]

    view = panel.view
    rect = view.visualRect(panel.model.index(panel.model.row_of(info.id), ChangeSetModel.COL_LABEL))
    # A real double click: press and release, then the double-click press.
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    dialog = panel.details_dialog
    assert isinstance(dialog, ChangeSetDialog) and dialog.isVisible()
    assert dialog.windowTitle() == f"Набор изменений №{info.id}"
    lines = _details(panel)
    record = "паспорт школы «СОШ с. Бартеневка» за 2022/23 учебный год"
    assert (record, "изменена", "Доход ниже прожиточного минимума", "11 %", "12,5 %") in lines
    assert ("", "", "Группа", "Без группы", "ШНОР") in lines
    assert ("", "", "Куратор", "—", "Петров Сергей Иванович") in lines
    assert ("", "", "Всего обучающихся", "86 чел.", f"1{NBSP}539 чел.") in lines
    role = "роль «Куратор»: Петров Сергей Иванович"
    assert (role, "добавлена", "Человек", "", "Петров Сергей Иванович") in lines
    assert ("", "", "Роль", "", "Куратор") in lines
    assert ("", "", "Действует с", "", "31.08.2024") in lines
    assert not dialog.more.isVisible()
    # The record column names the record on its first line, as the user sees it.
    model = dialog.model
    assert model.data(model.index(0, ChangeDetailsModel.COL_RECORD)) == record
    dialog.close()


def test_enter_and_button_open_details(qtbot: Bot, district_db: Database) -> None:
    panel = _panel(qtbot, district_db)
    edit = _edit(district_db, "sek_index", 20, "СЭК")
    assert not panel.details_button.isEnabled()
    panel.select_set(edit.id)
    panel.view.setFocus()
    qtbot.keyClick(panel.view, Qt.Key.Key_Return)
    dialog = panel.details_dialog
    assert dialog is not None and dialog.info.id == edit.id
    dialog.close()
    qtbot.waitUntil(lambda: panel.details_dialog is None)
    qtbot.mouseClick(panel.details_button, Qt.MouseButton.LeftButton)
    assert panel.details_dialog is not None
    assert _details(panel) == [
        (
            "паспорт школы «СОШ с. Бартеневка» за 2022/23 учебный год",
            "изменена",
            "Индекс СЭК",
            "19 %",
            "20 %",
        )
    ]


def test_details_of_added_and_removed_school(qtbot: Bot, district_db: Database) -> None:
    panel = _panel(qtbot, district_db)
    added, school_id = district_db.schools.add(
        {
            "code": "03",
            "full_name": "МОУ «ООШ с. Яблоновый Гай»",
            "short_name": "ООШ с. Яблоновый Гай",
            "distance_km": 24.5,
        },
        "Новая школа",
    )
    panel.show_details(added.id)
    lines = _details(panel)
    assert ("школа «ООШ с. Яблоновый Гай»", "добавлена", "Код", "", "03") in lines
    assert ("", "", "Расстояние до райцентра", "", "24,5 км") in lines
    assert not any(line[2] in ("id", "name_fold", "Источник") for line in lines)
    panel.details_dialog.close()  # type: ignore[union-attr]

    removed = district_db.schools.remove(school_id, "Школа закрыта")
    panel.show_details(removed.id)
    lines = _details(panel)
    assert ("школа «ООШ с. Яблоновый Гай»", "удалена", "Код", "03", "") in lines
    # The insert is still told the user's way although the school is gone.
    panel.details_dialog.close()  # type: ignore[union-attr]
    panel.show_details(added.id)
    assert ("", "", "Расстояние до райцентра", "", "24,5 км") in _details(panel)


def test_details_of_a_large_set_are_limited(qtbot: Bot, district_db: Database) -> None:
    panel = _panel(qtbot, district_db)
    with district_db.log.change_set("Загрузка школ", "import") as cs:
        cs.insert_many(
            "school",
            [
                {"code": f"Ш{n:04}", "full_name": f"Школа {n}", "short_name": f"Школа {n}"}
                for n in range(1500)
            ],
        )
    info = cs.info
    assert info is not None and info.row_count == 1500
    panel.show_details(info.id)
    dialog = panel.details_dialog
    assert dialog is not None
    records = [line for line in _details(panel) if line[0]]
    assert len(records) == DETAILS_LIMIT
    assert records[0][0] == "школа «Школа 0»" and records[-1][0] == "школа «Школа 999»"
    assert dialog.more.isVisible()
    assert dialog.more.text() == (
        f"Показаны первые 1{NBSP}000 записей из 1{NBSP}500; ещё 500 не показаны."
    )


# --- reverting -----------------------------------------------------------------------------


def test_declined_confirmation_changes_nothing(
    qtbot: Bot, district_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(QMessageBox, "exec", lambda box: QMessageBox.StandardButton.Cancel)
    panel = _panel(qtbot, district_db)
    school_id, _ = _profile_id(district_db, 2022)
    edit = _edit(district_db, "sek_index", 20, "СЭК")
    assert panel.revert_set(edit.id) is None
    assert _profile(district_db).sek_index == 20.0


def test_conflicting_revert_explains_and_leaves_db(
    qtbot: Bot, district_db: Database, boxes: list[str]
) -> None:
    panel = _panel(qtbot, district_db)
    school_id, _ = _profile_id(district_db, 2022)
    first = _edit(district_db, "pupils_total", 87, "Контингент по отчёту")
    later = _edit(district_db, "pupils_total", 88, "Уточнение контингента")
    before = _dump(district_db.path)

    with qtbot.waitSignal(panel.sig_revert_done) as done:
        assert panel.revert_set(first.id) is None
    assert done.args == [None]

    assert len(boxes) == 2  # the question, then the explanation
    message = boxes[1]
    assert f"Набор изменений №{first.id} нельзя откатить" in message
    assert "«Всего обучающихся»" in message
    assert "«СОШ с. Бартеневка»" in message and "2022/23" in message
    assert f"№{later.id}" in message and "Уточнение контингента" in message
    assert "База данных не изменена" in message
    assert _profile(district_db).pupils_total == 88
    assert _dump(district_db.path) == before


def test_already_reverted_is_explained(qtbot: Bot, district_db: Database, boxes: list[str]) -> None:
    panel = _panel(qtbot, district_db)
    edit = _edit(district_db, "sek_index", 20, "СЭК")
    revert_id = district_db.log.revert(edit.id)
    assert panel.revert_set(edit.id) is None
    assert boxes == [
        f"Набор изменений №{edit.id} уже откачен набором №{revert_id}. База данных не изменена."
    ]
    district_db.undo.undo()  # the revert is undone: the edit is in effect again
    assert _cell(panel.model, edit.id, ChangeSetModel.COL_STATE) == ""
    redo_id = district_db.undo.redo()  # and done again: the edit is reverted again
    assert panel.revert_set(edit.id) is None
    assert boxes[-1] == (
        f"Набор изменений №{edit.id} уже откачен набором №{revert_id}. База данных не изменена."
    )
    assert district_db.log.get_set(redo_id).reverts_id is not None


def test_revert_of_a_deleted_record_names_it(
    qtbot: Bot, district_db: Database, boxes: list[str]
) -> None:
    panel = _panel(qtbot, district_db)
    school = next(s for s in district_db.schools.all_schools() if s.code == "02")
    edit = district_db.schools.set_school_value(school.id, "director", "Орлов А.А.", "Директор")
    assert edit is not None
    district_db.schools.remove(school.id, "Удаление школы")
    sets_before = district_db.log.set_count()
    assert panel.revert_set(edit.id) is None
    assert "удалена или создана заново" in boxes[-1]
    assert "которой больше нет" in boxes[-1]
    assert district_db.log.set_count() == sets_before


def test_locked_database_is_explained_in_russian(
    qtbot: Bot, district_db: Database, boxes: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    panel = _panel(qtbot, district_db)
    edit = _edit(district_db, "sek_index", 20, "СЭК")

    def locked(*args: object, **kwargs: object) -> int:
        raise DatabaseLockedError(district_db.path, "program")

    monkeypatch.setattr(district_db.log, "revert", locked)
    assert panel.revert_set(edit.id) is None
    message = boxes[-1]
    assert message.startswith(f"Набор изменений №{edit.id} не откачен, база данных не изменена.")
    assert "DatabaseLockedError" not in message and "holder" not in message
    assert "занят" in message


def _bulk_insert(db: Database, rows: int, per_call: int) -> ChangeSetInfo:
    """Schools added in one import set (several insert_many calls: several lines of the log)."""
    with db.log.change_set("Загрузка школ", "import") as cs:
        for start in range(0, rows, per_call):
            cs.insert_many(
                "school",
                [
                    {"code": f"Б{n:05}", "full_name": f"Школа {n}", "short_name": f"Школа {n}"}
                    for n in range(start, min(start + per_call, rows))
                ],
            )
    assert cs.info is not None
    return cs.info


def test_cancelled_background_revert_leaves_the_database_as_it_was(
    qtbot: Bot, district_db: Database, boxes: list[str]
) -> None:
    panel = _panel(qtbot, district_db)
    bulk = _bulk_insert(district_db, 3000, 10)
    assert bulk.row_count > BACKGROUND_ROWS
    before = _dump(district_db.path)
    statuses: list[str] = []
    panel.sig_status.connect(statuses.append)

    with qtbot.waitSignal(panel.sig_revert_done, timeout=20000) as done:
        assert panel.revert_set(bulk.id) is None  # runs in the background
        task = panel.revert_task
        assert task is not None and task.running
        assert not panel.revert_button.isEnabled()
        task.sig_progress.connect(lambda *_: task.cancel())

    assert done.args == [None]
    assert statuses == [f"Откат набора №{bulk.id} прерван: база данных не изменена."]
    assert len(boxes) == 1  # only the question: a cancel is not an error
    assert _dump(district_db.path) == before
    assert district_db.log.get_set(bulk.id).reverted_by is None
    assert _cell(panel.model, bulk.id, ChangeSetModel.COL_STATE) == ""


def test_background_revert_of_a_bulk_insert(
    qtbot: Bot, district_db: Database, boxes: list[str]
) -> None:
    panel = _panel(qtbot, district_db)
    schools_before = len(district_db.schools.all_schools())
    bulk = _bulk_insert(district_db, 2500, 2500)
    panel.select_set(bulk.id)
    progress: list[tuple[int, int]] = []
    with qtbot.waitSignal(panel.sig_revert_done, timeout=20000) as done:
        qtbot.mouseClick(panel.revert_button, Qt.MouseButton.LeftButton)
        assert panel.revert_task is not None
        panel.revert_task.sig_progress.connect(lambda d, t, _s: progress.append((d, t)))
    revert_id = done.args[0]
    assert isinstance(revert_id, int)
    assert progress and progress[-1][0] == progress[-1][1]
    assert len(district_db.schools.all_schools()) == schools_before
    assert _cell(panel.model, bulk.id, ChangeSetModel.COL_STATE) == f"откачено набором №{revert_id}"
    selected = panel.selected_set()
    assert selected is not None and selected.id == revert_id
