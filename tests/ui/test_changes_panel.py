"""The change log page: Russian kinds, reverting a set, conflicts."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from shnor_desktop.models.database import Database
from shnor_desktop.ui.changes_panel import ChangeSetModel, ChangesPanel
from shnor_desktop.ui.common import DataBus


@pytest.fixture
def boxes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Capture every message box text; each box is answered «yes»."""
    shown: list[str] = []

    def fake_exec(box: QMessageBox) -> int:
        shown.append(box.text())
        return QMessageBox.StandardButton.Yes

    monkeypatch.setattr(QMessageBox, "exec", fake_exec)
    return shown


def _panel(qtbot, db: Database) -> ChangesPanel:
    bus = DataBus()
    bus.attach(db)
    panel = ChangesPanel(bus)
    qtbot.addWidget(panel)
    panel.set_database(db)
    return panel


def _cell(model: ChangeSetModel, set_id: int, column: int) -> str:
    return model.data(model.index(model.row_of(set_id), column), Qt.ItemDataRole.DisplayRole)


def _profile_id(db: Database, year: int) -> tuple[int, int]:
    school = next(s for s in db.schools.all_schools() if s.code == "01")
    profile = db.schools.profile(school.id, year)
    assert profile is not None
    return school.id, profile.id


def test_model_passes_the_model_tester(qtbot, qtmodeltester, district_db: Database) -> None:
    panel = _panel(qtbot, district_db)
    school_id, _ = _profile_id(district_db, 2022)
    district_db.schools.set_profile_value(school_id, 2022, "pupils_total", 87, "Правка")
    qtmodeltester.check(panel.model)
    qtmodeltester.check(ChangeSetModel())


def test_lists_sets_with_russian_kinds(qtbot, district_db: Database) -> None:
    panel = _panel(qtbot, district_db)
    school_id, _ = _profile_id(district_db, 2022)
    edit_id = district_db.schools.set_profile_value(
        school_id, 2022, "pct_low_income", 12, "Доля семей с низким доходом"
    )
    assert edit_id is not None
    model = panel.model
    assert model.rowCount() == 2
    assert model.record(0).id == edit_id  # newest first
    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(7)]
    assert headers == ["№", "Когда", "Кто", "Вид", "Что", "Записей", "Состояние"]
    assert _cell(model, edit_id, ChangeSetModel.COL_KIND) == "Правка"
    assert _cell(model, edit_id, ChangeSetModel.COL_LABEL) == "Доля семей с низким доходом"
    assert _cell(model, edit_id, ChangeSetModel.COL_ROWS) == "1"
    first = model.record(1)
    assert _cell(model, first.id, ChangeSetModel.COL_KIND) == "Демо-данные"
    when = _cell(model, first.id, ChangeSetModel.COL_WHEN)
    assert len(when) == 16 and when[2] == "." and when[5] == "." and when[13] == ":"


def test_revert_restores_old_value_and_shows_it(qtbot, district_db: Database, boxes) -> None:
    panel = _panel(qtbot, district_db)
    school_id, _ = _profile_id(district_db, 2022)
    edit_id = district_db.schools.set_profile_value(
        school_id, 2022, "pct_incomplete_families", 30, "Неполные семьи"
    )
    assert edit_id is not None
    emitted: list[int] = []
    panel.sig_undoable.connect(emitted.append)

    panel.select_set(edit_id)
    assert panel.revert_button.isEnabled()
    qtbot.mouseClick(panel.revert_button, Qt.MouseButton.LeftButton)

    assert len(boxes) == 1
    assert f"№{edit_id}" in boxes[0] and "«Неполные семьи»" in boxes[0]
    assert district_db.schools.profile(school_id, 2022).pct_incomplete_families == 22.0
    assert len(emitted) == 1
    new_id = emitted[0]
    model = panel.model
    assert _cell(model, edit_id, ChangeSetModel.COL_STATE) == f"откачено набором №{new_id}"
    assert _cell(model, new_id, ChangeSetModel.COL_KIND) == "Откат"
    assert _cell(model, new_id, ChangeSetModel.COL_STATE) == f"возвращает набор №{edit_id}"
    # The reverted set can no longer be reverted from the page.
    panel.select_set(edit_id)
    assert not panel.revert_button.isEnabled()


def test_undo_is_shown_as_cancelled(qtbot, district_db: Database) -> None:
    panel = _panel(qtbot, district_db)
    school_id, _ = _profile_id(district_db, 2022)
    edit_id = district_db.schools.set_profile_value(school_id, 2022, "sek_index", 20, "СЭК")
    assert edit_id is not None
    district_db.undo.push(edit_id)
    undo_id = district_db.undo.undo()
    assert _cell(panel.model, edit_id, ChangeSetModel.COL_STATE) == f"отменено набором №{undo_id}"
    assert _cell(panel.model, undo_id, ChangeSetModel.COL_KIND) == "Отмена"


def test_declined_confirmation_changes_nothing(
    qtbot, district_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(QMessageBox, "exec", lambda box: QMessageBox.StandardButton.Cancel)
    panel = _panel(qtbot, district_db)
    school_id, _ = _profile_id(district_db, 2022)
    edit_id = district_db.schools.set_profile_value(school_id, 2022, "sek_index", 20, "СЭК")
    assert edit_id is not None
    assert panel.revert_set(edit_id) is None
    assert district_db.schools.profile(school_id, 2022).sek_index == 20.0


def test_conflicting_revert_explains_and_leaves_db(qtbot, district_db: Database, boxes) -> None:
    panel = _panel(qtbot, district_db)
    school_id, _ = _profile_id(district_db, 2022)
    first = district_db.schools.set_profile_value(
        school_id, 2022, "pupils_total", 87, "Контингент по отчёту"
    )
    later = district_db.schools.set_profile_value(
        school_id, 2022, "pupils_total", 88, "Уточнение контингента"
    )
    assert first is not None and later is not None
    sets_before = len(district_db.log.recent_sets())
    emitted: list[int] = []
    panel.sig_undoable.connect(emitted.append)

    assert panel.revert_set(first) is None

    assert len(boxes) == 2  # the question, then the explanation
    message = boxes[1]
    assert f"Набор изменений №{first} нельзя откатить" in message
    assert "«Всего обучающихся»" in message
    assert "«СОШ с. Бартеневка»" in message and "2022/23" in message
    assert f"№{later}" in message and "Уточнение контингента" in message
    assert "База данных не изменена" in message
    assert district_db.schools.profile(school_id, 2022).pupils_total == 88
    assert len(district_db.log.recent_sets()) == sets_before
    assert emitted == []


def test_already_reverted_is_explained(qtbot, district_db: Database, boxes) -> None:
    panel = _panel(qtbot, district_db)
    school_id, _ = _profile_id(district_db, 2022)
    edit_id = district_db.schools.set_profile_value(school_id, 2022, "sek_index", 20, "СЭК")
    assert edit_id is not None
    district_db.log.revert(edit_id)
    assert panel.revert_set(edit_id) is None
    assert "уже откачен" in boxes[-1]


def test_revert_of_a_deleted_record_names_it(qtbot, district_db: Database, boxes) -> None:
    panel = _panel(qtbot, district_db)
    school = next(s for s in district_db.schools.all_schools() if s.code == "02")
    edit_id = district_db.schools.set_school_value(school.id, "director", "Орлов А.А.", "Директор")
    assert edit_id is not None
    district_db.schools.remove(school.id, "Удаление школы")
    sets_before = len(district_db.log.recent_sets())
    assert panel.revert_set(edit_id) is None
    assert "удалена или создана заново" in boxes[-1]
    assert "которой больше нет" in boxes[-1]
    assert len(district_db.log.recent_sets()) == sets_before
