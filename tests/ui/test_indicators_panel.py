"""The page «Показатели программы»: the tree model, keyboard editing, computed cells."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QBrush
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLineEdit, QWidget

from shnor_desktop.models.database import Database
from shnor_desktop.models.indicators import Cell, ComputedValue, IndicatorQuery, Member
from shnor_desktop.ui.cell_editing import CellEditor
from shnor_desktop.ui.indicator_models import (
    STATUS_COLOURS,
    IndicatorTreeModel,
    name_lines,
    share_text,
)
from shnor_desktop.ui.indicators_panel import IndicatorDialog, IndicatorsPanel

Bot = Any
ShowPanel = Callable[..., Any]  # the show_panel fixture of conftest.py
M = IndicatorTreeModel


def _ids(db: Database) -> dict[str, int]:
    programme = db.indicators.programmes()[0].id
    return {r.indicator.code: r.id for r in db.indicators.tree(IndicatorQuery(programme))}


def _index(
    panel: IndicatorsPanel, code: str, column: int, school: str | None = None
) -> QModelIndex:
    model = panel.model
    indicator = model.index_of_indicator(_ids(panel.db)[code], column)  # type: ignore[arg-type]
    if school is None:
        return indicator
    parent = indicator.siblingAtColumn(0)
    for row in range(model.rowCount(parent)):
        child = model.index(row, column, parent)
        if model.data(child.siblingAtColumn(M.COL_NAME)) == school:
            return child
    raise AssertionError(school)


def _text(index: QModelIndex) -> str:
    return str(index.data(Qt.ItemDataRole.DisplayRole))


def _type(widget: QWidget, text: str) -> None:
    """Type text key by key (QTest's keyClicks knows only ASCII)."""
    for char in text:
        QTest.sendKeyEvent(
            QTest.KeyAction.Click, widget, Qt.Key.Key_unknown, char, Qt.KeyboardModifier(0)
        )


def _type_into(qtbot: Bot, panel: IndicatorsPanel, index: QModelIndex, text: str) -> None:
    """Make the cell current and type into it as a user would: keys on the tree, then Enter."""
    view = panel.view
    view.setFocus()
    view.scrollTo(index)
    view.setCurrentIndex(index)
    _type(view, text[:1])  # the first key opens the editor (AnyKeyPressed)
    editor = panel.delegate.editor
    assert editor is not None and editor.line is not None
    _type(editor.line, text[1:])
    qtbot.keyClick(editor.line, Qt.Key.Key_Return)


# --- the model ---------------------------------------------------------------------------


def test_tree_model_passes_the_model_tester(
    qtmodeltester: Bot, qtbot: Bot, show_panel: ShowPanel, demo_db: Database
) -> None:
    panel = show_panel(IndicatorsPanel, demo_db)
    qtmodeltester.check(panel.model)
    panel.year.set_year(2021)
    qtmodeltester.check(panel.model)


def test_demo_shows_seed_004_tables_side_by_side(
    qtbot: Bot, show_panel: ShowPanel, demo_db: Database
) -> None:
    panel = show_panel(IndicatorsPanel, demo_db)
    model = panel.model
    assert panel.year.year == 2022  # the latest year with figures: «на январь 2023 г.»
    assert model.headerData(M.COL_ACTUAL_PREV, Qt.Orientation.Horizontal) == "Факт\n2021/22"
    assert model.headerData(M.COL_ACTUAL, Qt.Orientation.Horizontal) == "Факт\n2022/23"
    assert _text(_index(panel, "2.1", M.COL_ACTUAL_PREV)) == "100,0"
    assert _text(_index(panel, "2.1", M.COL_NOTE)).startswith("На январь 2023 г. Во всех ОУ")
    assert _text(_index(panel, "3.1", M.COL_ACTUAL_PREV)) == "67,0"
    assert _text(_index(panel, "3.1", M.COL_ACTUAL)) == "100,0"
    assert _text(_index(panel, "3.1", M.COL_CHANGE)) == "+33,0 п.п."
    klevenka = [
        _text(_index(panel, "3.2", c, "ООШ с. Клевенка")) for c in (M.COL_ACTUAL_PREV, M.COL_ACTUAL)
    ]
    assert klevenka == ["17,0", "10,0"]
    assert _text(_index(panel, "3.2", M.COL_CHANGE, "ООШ с. Клевенка")) == "−7,0 п.п.".replace(
        "−", "-"
    )
    # The Точка роста share is computed: 2 of 3 schools of the risk zone in 2022/23.
    assert _text(_index(panel, "2.2", M.COL_ACTUAL)) == "66,7 ƒ"
    assert "2 из 3 школ" in _text(_index(panel, "2.2", M.COL_FORMULA))
    assert _text(_index(panel, "2.2", M.COL_ACTUAL_PREV)) == "67,0 ✎"
    tip = str(_index(panel, "2.2", M.COL_ACTUAL_PREV).data(Qt.ItemDataRole.ToolTipRole))
    assert "из документа" in tip and "0,0" in tip and "На январь 2022 г." in tip
    panel.select_indicator(_ids(demo_db)["2.2"], M.COL_ACTUAL)
    detail = panel.detail.text()
    assert "Зона риска (ШНСУ)" in detail and "СОШ п. Знаменский — да" in detail
    assert "ООШ с. Арбузовка — нет" in detail and "На январь 2023 г." in detail


def test_long_names_take_two_lines_and_are_elided(qtbot: Bot) -> None:
    from PySide6.QtGui import QFontMetrics

    metrics = QFontMetrics(QApplication.font())
    text = "Доля слабоуспевающих обучающихся, для которых разработаны маршруты " * 3
    lines = name_lines(metrics, text, 200)
    assert len(lines) == 2 and lines[1].endswith("…")
    assert all(metrics.horizontalAdvance(line) <= 200 for line in lines)
    assert name_lines(metrics, "Доля", 200) == ["Доля"]


def test_counted_schools_are_worded_in_russian() -> None:
    assert share_text(ComputedValue(200 / 3, 2, 3)) == "2 из 3 школ"
    assert share_text(ComputedValue(100.0, 1, 1)) == "1 из 1 школы"
    assert share_text(ComputedValue(0.0, 0, 21)) == "0 из 21 школы"
    assert share_text(ComputedValue(0.0, 0, 11)) == "0 из 11 школ"
    missing = ComputedValue(None, 0, 0, (Member(1, "Школа", None),))
    assert share_text(missing) == "0 из 0 школ (без сведений: 1)"


# --- editing --------------------------------------------------------------------------------


def test_typing_a_plan_saves_it_and_the_status_is_coloured(
    qtbot: Bot, show_panel: ShowPanel, demo_db: Database
) -> None:
    panel = show_panel(IndicatorsPanel, demo_db)
    index = _index(panel, "3.1", M.COL_PLAN)
    _type_into(qtbot, panel, index, "90")
    assert panel.delegate.editor is None or not panel.delegate.editor.isVisible()
    row = next(r for r in panel.model.rows() if r.indicator.code == "3.1")
    assert row.plan(2022) == 90
    status = _index(panel, "3.1", M.COL_STATUS)
    assert _text(status) == "выполнен"
    brush = status.data(Qt.ItemDataRole.BackgroundRole)
    assert isinstance(brush, QBrush) and brush.color().name() == STATUS_COLOURS["met"][0]
    # Undo is the domain's: the plan goes, the status is «нет данных» again.
    demo_db.undo.undo()
    assert _text(_index(panel, "3.1", M.COL_PLAN)) == ""
    assert _text(_index(panel, "3.1", M.COL_STATUS)) == "нет данных"


def test_status_colour_follows_the_direction(
    qtbot: Bot, show_panel: ShowPanel, demo_db: Database
) -> None:
    """«Доля обучающихся, нуждающихся в адресной поддержке»: less is better."""
    panel = show_panel(IndicatorsPanel, demo_db)
    ids = _ids(demo_db)
    klevenka = next(
        s.id for s in demo_db.schools.all_schools() if s.short_name == "ООШ с. Клевенка"
    )
    demo_db.indicators.set_plan(Cell(ids["3.2"], 2022, klevenka), 12, "План Клевенки")
    status = _index(panel, "3.2", M.COL_STATUS, "ООШ с. Клевенка")
    assert _text(status) == "выполнен"  # 10 % against a plan of at most 12 %
    demo_db.indicators.set_plan(Cell(ids["3.2"], 2022, klevenka), 8, "План Клевенки")
    status = _index(panel, "3.2", M.COL_STATUS, "ООШ с. Клевенка")
    assert _text(status) == "не выполнен"
    colour = status.data(Qt.ItemDataRole.BackgroundRole).color().name()
    assert colour == STATUS_COLOURS["not_met"][0]
    # The same figures under «more is better» read the other way round.
    demo_db.indicators.update(ids["3.2"], {"direction": "higher"}, "Направление")
    assert _text(_index(panel, "3.2", M.COL_STATUS, "ООШ с. Клевенка")) == "выполнен"
    change = _index(panel, "3.2", M.COL_CHANGE, "ООШ с. Клевенка")
    assert change.data(Qt.ItemDataRole.ForegroundRole).color().name() == "#b3261e"  # 17 → 10 worse


def test_a_refused_value_stays_with_its_reason_until_escape(
    qtbot: Bot, show_panel: ShowPanel, demo_db: Database
) -> None:
    panel = show_panel(IndicatorsPanel, demo_db)
    before = demo_db.log.set_count()
    _type_into(qtbot, panel, _index(panel, "3.1", M.COL_PLAN), "150")
    editor = panel.delegate.editor
    assert isinstance(editor, CellEditor) and editor.isVisible()
    assert editor.value() == "150"
    assert editor.reason.isVisible() and "от 0 до 100" in editor.reason.text()
    # Clicking another cell does not lose what was typed.
    panel.view.setCurrentIndex(_index(panel, "2.1", M.COL_PLAN))
    assert panel.delegate.editor is editor and editor.value() == "150"
    assert demo_db.log.set_count() == before
    assert editor.line is not None
    qtbot.keyClick(editor.line, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: panel.delegate.editor is None)
    assert _text(_index(panel, "3.1", M.COL_PLAN)) == ""
    # Corrected, it is saved.
    _type_into(qtbot, panel, _index(panel, "3.1", M.COL_PLAN), "абв")
    editor = panel.delegate.editor
    assert editor is not None and "Нужно число" in editor.reason.text()
    assert editor.line is not None
    editor.line.selectAll()
    _type(editor.line, "95,5")
    qtbot.keyClick(editor.line, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: panel.delegate.editor is None)
    assert _text(_index(panel, "3.1", M.COL_PLAN)) == "95,5"


def test_a_computed_value_is_replaced_only_after_confirmation(
    qtbot: Bot, show_panel: ShowPanel, demo_db: Database, answers: list[str]
) -> None:
    panel = show_panel(IndicatorsPanel, demo_db)
    cell = _index(panel, "2.2", M.COL_ACTUAL)
    answers.append("no")
    _type_into(qtbot, panel, cell, "70")
    assert len(answers) == 2 and "вычисляется по данным: 66,7\u00a0% (2 из 3 школ)" in answers[1]
    qtbot.waitUntil(lambda: panel.delegate.editor is None)
    assert _text(_index(panel, "2.2", M.COL_ACTUAL)) == "66,7 ƒ"
    answers.clear()
    _type_into(qtbot, panel, _index(panel, "2.2", M.COL_ACTUAL), "70")
    assert len(answers) == 1
    qtbot.waitUntil(lambda: panel.delegate.editor is None)
    cell = _index(panel, "2.2", M.COL_ACTUAL)
    assert _text(cell) == "70,0 ✎"
    tip = str(cell.data(Qt.ItemDataRole.ToolTipRole))
    assert "введено вручную" in tip and "66,7" in tip
    row = next(r for r in panel.model.rows() if r.indicator.code == "2.2")
    assert (row.actual(2022).kind, row.actual(2022).source) == ("override", "manual")
    # «Вернуть вычисленное» brings the computed value back (the mark goes).
    panel.view.setCurrentIndex(cell)
    assert panel.restore_action.isEnabled()
    panel.restore_action.trigger()
    assert _text(_index(panel, "2.2", M.COL_ACTUAL)) == "66,7 ƒ"


def test_computed_value_follows_the_passports(
    qtbot: Bot, show_panel: ShowPanel, demo_db: Database
) -> None:
    panel = show_panel(IndicatorsPanel, demo_db)
    arbuzovka = next(
        s.id for s in demo_db.schools.all_schools() if s.short_name == "ООШ с. Арбузовка"
    )
    demo_db.schools.set_profile_value(arbuzovka, 2022, "tochka_rosta", 1, "Точка роста в Арбузовке")
    assert _text(_index(panel, "2.2", M.COL_ACTUAL)) == "100,0 ƒ"
    demo_db.undo.undo()
    assert _text(_index(panel, "2.2", M.COL_ACTUAL)) == "66,7 ƒ"


def test_editing_a_name_through_the_keyboard(
    qtbot: Bot, show_panel: ShowPanel, demo_db: Database
) -> None:
    panel = show_panel(IndicatorsPanel, demo_db)
    _type_into(qtbot, panel, _index(panel, "2.3", M.COL_NAME), "Доля школ без дефицитов ресурсов")
    qtbot.waitUntil(lambda: panel.delegate.editor is None)
    assert demo_db.indicators.get(_ids(demo_db)["2.3"]).name == "Доля школ без дефицитов ресурсов"
    # An empty name is refused under the field.
    view = panel.view
    index = _index(panel, "2.3", M.COL_NAME)
    view.setCurrentIndex(index)
    qtbot.keyClick(view, Qt.Key.Key_F2)
    editor = panel.delegate.editor
    assert editor is not None and editor.line is not None
    editor.line.clear()
    qtbot.keyClick(editor.line, Qt.Key.Key_Return)
    assert "Укажите наименование показателя" in editor.reason.text()
    qtbot.keyClick(editor.line, Qt.Key.Key_Escape)


def test_adding_and_removing_an_indicator(
    qtbot: Bot, show_panel: ShowPanel, demo_db: Database, answers: list[str]
) -> None:
    panel = show_panel(IndicatorsPanel, demo_db)
    panel.select_indicator(_ids(demo_db)["2"])
    dialog = panel.add_indicator()
    assert isinstance(dialog, IndicatorDialog)
    assert dialog.code.text() == "2.4" and dialog.parent_box.currentData() == _ids(demo_db)["2"]
    name = dialog.findChild(QLineEdit, "field_name")
    assert name is not None
    _type(name, "Доля школ с центром ЦОС")
    dialog.computation.setCurrentIndex(dialog.computation.findData("profile.tsos"))
    dialog.scope.setCurrentIndex(dialog.scope.findData("risk"))
    assert "оборудование ЦОС" in dialog.formula_label.text()
    dialog.accept()
    assert dialog.result() == dialog.DialogCode.Accepted
    ids = _ids(demo_db)
    assert demo_db.indicators.get(ids["2.4"]).computed == "profile.tsos:risk"
    assert _text(_index(panel, "2.4", M.COL_ACTUAL)) == "66,7 ƒ"  # Знаменский, Ивановка
    # A second one with the same number is refused under the field, the dialog stays.
    dialog = panel.add_indicator()
    assert dialog is not None
    dialog.code.setText("2.4")
    dialog.name.setText("Дубль")
    dialog.accept()
    assert dialog.isVisible() and "уже есть" in dialog.errors["code"].text()
    dialog.reject()
    assert panel.remove_indicator(ids["2"])
    assert "подпоказатели: 4" in answers[-1]
    assert "2" not in _ids(demo_db) and "2.2" not in _ids(demo_db)
    demo_db.undo.undo()
    assert {"2", "2.1", "2.2", "2.3", "2.4"} <= set(_ids(demo_db))
