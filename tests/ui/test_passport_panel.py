"""The school passport panel as the coordinator uses it, on the demo district."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QLineEdit

from shnor_desktop.models.database import Database
from shnor_desktop.models.schools import SchoolQuery
from shnor_desktop.ui.common import ROLE_ID, DataBus
from shnor_desktop.ui.passport_panel import PassportPanel
from shnor_desktop.ui.school_models import HistoryModel, SchoolTreeModel


@pytest.fixture
def panel(qtbot, demo_path: Path):  # type: ignore[no-untyped-def]
    db = Database.open(demo_path)
    bus = DataBus()
    bus.attach(db)
    widget = PassportPanel(bus)
    qtbot.addWidget(widget)
    widget.resize(1300, 850)
    widget.set_database(db)
    widget.show()
    yield widget
    widget.set_database(None)
    db.close()


def _school_id(panel: PassportPanel, needle: str) -> int:
    assert panel.db is not None
    return panel.db.schools.rows(SchoolQuery(search=needle, year=2022))[0].id


def _select(panel: PassportPanel, needle: str, year: int = 2022) -> int:
    panel.year.setCurrentIndex(panel.year.findData(year))
    school_id = _school_id(panel, needle)
    assert panel.select_school(school_id)
    return school_id


def _line(panel: PassportPanel, table: str, name: str) -> QLineEdit:
    editor = panel.editors[(table, name)].editor
    assert isinstance(editor, QLineEdit)
    return editor


def test_tree_model_passes_the_model_tester(qtmodeltester, demo_path: Path) -> None:
    db = Database.open(demo_path)
    model = SchoolTreeModel()
    model.set_repository(db.schools)
    model.set_query(SchoolQuery(year=2022))
    qtmodeltester.check(model)
    model.sort(SchoolTreeModel.COL_PUPILS, Qt.SortOrder.DescendingOrder)
    qtmodeltester.check(model)
    db.close()


def test_branches_are_shown_under_their_school(panel: PassportPanel) -> None:
    model = panel.model
    top_names = [model.index(r, 0).data() for r in range(model.rowCount())]
    assert len(top_names) == 9
    znamensky = next(
        model.index(r, 0)
        for r in range(model.rowCount())
        if "Знаменский" in model.index(r, 0).data()
    )
    assert model.rowCount(znamensky) == 1
    assert "Николаевк" in model.index(0, 0, znamensky).data(Qt.ItemDataRole.ToolTipRole)
    assert panel.count_label.text() == "Показано: 13"


def test_search_folds_russian_case(panel: PassportPanel, qtbot) -> None:  # type: ignore[no-untyped-def]
    def first() -> str:
        return str(panel.model.index(0, 0).data() or "")

    panel.search.setText("БАРТЕНЕВКА")
    qtbot.waitUntil(lambda: "Бартеневка" in first())
    assert panel.model.rowCount() == 1
    panel.search.setText("николаевка")
    # The branch matches and brings its school along.
    qtbot.waitUntil(lambda: "Знаменский" in first())
    assert panel.model.rowCount() == 1
    parent = panel.model.index(0, 0)
    assert "Знаменский" in parent.data()
    assert panel.model.rowCount(parent) == 1


def test_group_filter_and_sorting(panel: PassportPanel) -> None:
    panel.year.setCurrentIndex(panel.year.findData(2022))
    panel.group.setCurrentIndex(panel.group.findData("risk"))
    names = {panel.model.index(r, 0).data() for r in range(panel.model.rowCount())}
    assert len(names) == 3
    assert any("Арбузовка" in n for n in names)
    panel.group.setCurrentIndex(0)
    panel.tree.sortByColumn(SchoolTreeModel.COL_PUPILS, Qt.SortOrder.DescendingOrder)
    first = panel.model.index(0, SchoolTreeModel.COL_PUPILS).data()
    assert first == "467"


def test_passport_shows_seed_figures_and_warning(panel: PassportPanel) -> None:
    _select(panel, "бартеневка")
    assert _line(panel, "profile", "pupils_total").text() == "86"
    assert _line(panel, "profile", "pct_incomplete_families").text() == "22"
    assert _line(panel, "profile", "pct_other_language").text() == "0,03"
    assert _line(panel, "school", "distance_km").text() == "18"
    assert panel.warnings.isVisibleTo(panel)
    assert "85" in panel.warnings.text() and "86" in panel.warnings.text()
    # A generated value is marked, a seed value is not.
    assert panel.editors[("profile", "teachers")].mark.isVisibleTo(panel)
    assert not panel.editors[("profile", "pupils_total")].mark.isVisibleTo(panel)
    group = panel.editors[("profile", "group_code")].editor
    assert isinstance(group, QComboBox)
    assert group.currentText() == "ШНОР"


def test_edit_saves_and_undo_restores(panel: PassportPanel, qtbot, demo_path: Path) -> None:  # type: ignore[no-untyped-def]
    school_id = _select(panel, "знаменский")
    assert panel.db is not None
    edit = _line(panel, "profile", "pct_low_income")
    assert edit.text() == "32"
    with qtbot.waitSignal(panel.sig_undoable) as blocker:
        edit.setText("30,5")
        edit.editingFinished.emit()
    set_id = blocker.args[0]
    panel.db.undo.push(set_id)
    profile = panel.db.schools.profile(school_id, 2022)
    assert profile is not None and profile.pct_low_income == 30.5
    assert edit.text() == "30,5"
    history = panel.db.schools.profile_history(school_id, 2022, "pct_low_income")
    assert (history[-1].old, history[-1].new) == (32, 30.5)
    panel.db.undo.undo()
    assert _line(panel, "profile", "pct_low_income").text() == "32"
    panel.db.undo.redo()
    assert _line(panel, "profile", "pct_low_income").text() == "30,5"


def test_invalid_value_is_kept_with_reason_and_not_saved(panel: PassportPanel) -> None:
    school_id = _select(panel, "арбузовка")
    assert panel.db is not None
    edit = _line(panel, "profile", "pct_low_income")
    messages: list[str] = []
    panel.sig_status.connect(messages.append)
    edit.setText("120")
    edit.editingFinished.emit()
    assert edit.text() == "120"  # what was typed stays for correction
    assert "от 0 до 100" in edit.toolTip()
    assert messages and "не сохранено" in messages[-1]
    profile = panel.db.schools.profile(school_id, 2022)
    assert profile is not None and profile.pct_low_income == 41
    edit.setText("пять")
    edit.editingFinished.emit()
    assert "нужно число" in edit.toolTip()
    edit.setText("40")
    edit.editingFinished.emit()
    assert edit.toolTip() == ""
    assert panel.db.schools.profile(school_id, 2022).pct_low_income == 40  # type: ignore[union-attr]


def test_passport_of_a_new_year_is_created_by_typing(panel: PassportPanel) -> None:
    assert panel.db is not None
    latest = panel.db.schools.years()[-1]
    school_id = _select(panel, "клевенка", latest + 1)
    assert "ещё не заполнен" in panel.profile_title.text()
    edit = _line(panel, "profile", "teachers")
    edit.setText("9")
    edit.editingFinished.emit()
    profile = panel.db.schools.profile(school_id, latest + 1)
    assert profile is not None and profile.teachers == 9 and profile.source == "manual"


def test_history_dialog_lists_changes(panel: PassportPanel, qtmodeltester) -> None:  # type: ignore[no-untyped-def]
    _select(panel, "бартеневка")
    edit = _line(panel, "profile", "pct_low_income")
    edit.setText("12")
    edit.editingFinished.emit()
    panel.show_history("profile", "pct_low_income")
    dialog = panel._history_dialog  # noqa: SLF001
    model = dialog.view.model()
    assert isinstance(model, HistoryModel)
    qtmodeltester.check(model)
    assert model.index(0, HistoryModel.COL_OLD).data() == "11"
    assert model.index(0, HistoryModel.COL_NEW).data() == "12"
    dialog.close()


def test_add_and_remove_school_with_undo(panel: PassportPanel, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    assert panel.db is not None
    db = panel.db
    school_id = _select(panel, "канаевка")
    before = len(db.schools.profiles(school_id))
    asked: list[str] = []
    monkeypatch.setattr(
        "shnor_desktop.ui.passport_panel.ask_yes_no",
        lambda _parent, _title, text, _yes: asked.append(text) or True,
    )
    undo_ids: list[int] = []
    panel.sig_undoable.connect(undo_ids.append)
    panel.remove_school()
    assert "можно отменить" in asked[0]
    db.undo.push(undo_ids[-1])
    assert all(panel.model.index(r, 0).data(ROLE_ID) != school_id for r in range(9))
    db.undo.undo()
    assert len(db.schools.profiles(school_id)) == before
    assert panel.model.index_of(school_id).isValid()


def test_opens_on_the_latest_year_with_real_figures(panel: PassportPanel) -> None:
    # 2023/24 exists but is wholly generated; the seed year 2022/23 comes first.
    assert panel.selected_year == 2022
    assert panel.year.findData(2023) >= 0


def test_whole_number_shares_keep_their_zeros(panel: PassportPanel) -> None:
    school_id = _select(panel, "ивановка")
    assert panel.db is not None
    panel.db.schools.set_profile_value(school_id, 2022, "pct_low_income", 20.0, "тест")
    assert _line(panel, "profile", "pct_low_income").text() == "20"
    panel.db.schools.set_profile_value(school_id, 2022, "pct_low_income", 10.50, "тест")
    assert _line(panel, "profile", "pct_low_income").text() == "10,5"


def test_a_school_cannot_become_its_own_or_a_branchs_branch(panel: PassportPanel) -> None:
    assert panel.db is not None
    db = panel.db
    school_id = _select(panel, "знаменский")
    branch_id = db.schools.branches(school_id)[0].id
    editor = panel.editors[("school", "parent_id")]
    combo = editor.editor
    assert isinstance(combo, QComboBox)
    gymnasium = next(s.id for s in db.schools.all_schools() if "Гимназия" in s.short_name)
    # Знаменский has a branch of its own, so it cannot become a branch.
    combo.setCurrentIndex(combo.findData(gymnasium))
    combo.activated.emit(combo.currentIndex())
    assert "своих филиалов" in editor.error or "свои филиалы" in editor.error
    assert db.schools.get(school_id).parent_id is None
    assert db.schools.get(branch_id).parent_id == school_id
    # A school without branches can become one, and the list shows it under its school.
    arbuzovka = _select(panel, "арбузовка")
    editor = panel.editors[("school", "parent_id")]
    combo = editor.editor
    assert isinstance(combo, QComboBox)
    combo.setCurrentIndex(combo.findData(gymnasium))
    combo.activated.emit(combo.currentIndex())
    assert editor.error == ""
    assert db.schools.get(arbuzovka).parent_id == gymnasium
    assert panel.model.parent(panel.model.index_of(arbuzovka)).data(ROLE_ID) == gymnasium
