"""The page «Риск-профили» on the demo district: the matrix, a cell's dialog, the factors."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QModelIndex, QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget

from shnor_desktop.models.database import Database
from shnor_desktop.ui.risk_models import LEVEL_COLOURS, ROLE_ROTATED, RiskMatrixModel
from shnor_desktop.ui.risks_panel import FactorDialog, FactorListDialog, RiskDialog, RisksPanel
from tests.models.test_write_path import data_dump

Bot = Any
ShowPanel = Callable[..., Any]


def _type(widget: QWidget, text: str) -> None:
    """Type text key by key (QTest's keyClicks knows only ASCII)."""
    for char in text:
        QTest.sendKeyEvent(
            QTest.KeyAction.Click, widget, Qt.Key.Key_unknown, char, Qt.KeyboardModifier(0)
        )


def _open(qtbot: Bot, show_panel: ShowPanel, db: Database) -> RisksPanel:
    panel: RisksPanel = show_panel(RisksPanel, db, size=(1190, 700))
    with qtbot.waitActive(panel):
        panel.activateWindow()
    return panel


def _cell(panel: RisksPanel, school: str, factor_code: str) -> QModelIndex:
    model = panel.matrix_model
    row = next(i for i, s in enumerate(model.matrix.schools) if s.short_name == school)
    column = next(i + 1 for i, f in enumerate(model.matrix.factors) if f.code == factor_code)
    return model.index(row, column)


def _click(qtbot: Bot, panel: RisksPanel, index: QModelIndex) -> None:
    view = panel.matrix_view
    view.scrollTo(index)
    qtbot.mouseClick(
        view.viewport(), Qt.MouseButton.LeftButton, pos=view.visualRect(index).center()
    )


def _dialog(qtbot: Bot, panel: RisksPanel) -> RiskDialog:
    qtbot.waitUntil(lambda: isinstance(panel.dialog, RiskDialog) and panel.dialog.isVisible())
    dialog = panel.dialog
    assert isinstance(dialog, RiskDialog)
    return dialog


def _footer(panel: RisksPanel, factor_code: str) -> str:
    model = panel.matrix_model
    column = next(i + 1 for i, f in enumerate(model.matrix.factors) if f.code == factor_code)
    return str(model.index(model.footer_row, column).data())


def test_models_pass_the_model_tester(
    qtbot: Bot, qtmodeltester: Any, show_panel: ShowPanel, demo_db: Database
) -> None:
    panel = _open(qtbot, show_panel, demo_db)
    qtmodeltester.check(panel.matrix_model)
    panel.tabs.setCurrentIndex(1)
    assert panel.profile_model.rowCount() > 0
    qtmodeltester.check(panel.profile_model)
    dialog = panel.edit_factors()
    assert dialog is not None and dialog.model.rowCount() == 12
    qtmodeltester.check(dialog.model)
    dialog.reject()


def test_matrix_of_2023_reads_with_levels_and_counts(
    qtbot: Bot, show_panel: ShowPanel, demo_db: Database
) -> None:
    panel = _open(qtbot, show_panel, demo_db)
    model = panel.matrix_model
    assert panel.year.year == 2023
    assert model.rowCount() == 7 + 1 and model.columnCount() == 12 + 2
    assert panel.count_label.text() == "7 школ, факторов риска: 22"
    competence = _cell(panel, "СОШ с. Бартеневка", "R03")
    assert competence.data() == "В\u00a02"  # high, two measures
    assert competence.data(Qt.ItemDataRole.BackgroundRole) == LEVEL_COLOURS["высокий"]
    assert "Щелчок или Enter" in competence.data(Qt.ItemDataRole.ToolTipRole)
    assert _cell(panel, "ООШ с. Клевенка", "R01").data() == "С\u00a00"  # no measure yet
    assert _cell(panel, "ООШ с. Клевенка", "R02").data() is None
    assert model.index(model.footer_row, 0).data() == "Школ с фактором"
    assert _footer(panel, "R06") == "6"
    assert model.headerData(3, Qt.Orientation.Horizontal) == "3. Компетентность педагогов"
    assert model.headerData(3, Qt.Orientation.Horizontal, ROLE_ROTATED) is True
    assert model.headerData(0, Qt.Orientation.Horizontal, ROLE_ROTATED) is False
    # The header is tall enough for the longest upward head: nothing is cut.
    header = panel.matrix_view.horizontalHeader()
    longest = max(
        header.fontMetrics().horizontalAdvance(str(model.headerData(c, Qt.Orientation.Horizontal)))
        for c in range(1, model.col_total)
    )
    assert header.height() >= longest + 10
    # Another year: the list of 2022/23 has 11 factors.
    panel.year.setFocus()
    panel.year.line.selectAll()
    _type(panel.year.line, "2022/23")
    qtbot.keyClick(panel.year.line, Qt.Key.Key_Return)
    assert panel.year.year == 2022
    assert model.columnCount() == 11 + 2
    # A group of the year.
    panel.group.setFocus()
    panel.group.setCurrentIndex(panel.group.findData("shnor"))
    panel.group.activated.emit(panel.group.currentIndex())
    assert [s.short_name for s in model.matrix.schools] == ["СОШ с. Бартеневка"]


def test_a_selected_cell_keeps_its_colour(
    qtbot: Bot, show_panel: ShowPanel, demo_db: Database
) -> None:
    """The selection is a frame: painted over, it would hide the level the cell is read by."""
    panel = _open(qtbot, show_panel, demo_db)
    index = _cell(panel, "СОШ с. Бартеневка", "R05")
    panel.matrix_view.setCurrentIndex(index)
    assert panel.matrix_view.selectionModel().isSelected(index)
    rect = panel.matrix_view.visualRect(index)
    image = panel.matrix_view.viewport().grab().toImage()
    ratio = image.devicePixelRatio()
    point = QPoint(int((rect.left() + 8) * ratio), int(rect.center().y() * ratio))
    assert image.pixelColor(point) == LEVEL_COLOURS["высокий"]


def test_click_a_cell_change_level_and_measures_then_undo(
    qtbot: Bot, show_panel: ShowPanel, demo_db: Database
) -> None:
    panel = _open(qtbot, show_panel, demo_db)
    before = data_dump(demo_db.conn)
    _click(qtbot, panel, _cell(panel, "ООШ с. Клевенка", "R01"))
    dialog = _dialog(qtbot, panel)
    assert dialog.windowTitle() == "ООШ с. Клевенка, 2023/24 учебный год"
    assert dialog.level_buttons["средний"].isChecked()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is dialog.level_buttons["средний"])
    qtbot.keyClick(dialog.level_buttons["средний"], Qt.Key.Key_Right)  # → высокий
    assert dialog.level() == "высокий"
    qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)
    row = dialog.rows[-1]
    assert QApplication.focusWidget() is row.text
    qtbot.keyClick(row.text, Qt.Key.Key_Tab)
    # An activity chosen for an empty measure gives it the activity's title.
    combo = row.activity
    target = next(i for i in range(combo.count()) if combo.itemText(i).startswith("3.2."))
    while combo.currentIndex() != target:
        qtbot.keyClick(combo, Qt.Key.Key_Down)
    # Passing other activities with the arrow keys, the text followed the choice.
    assert row.text.text().startswith("Организация участия в повышении квалификации")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.dialog is None)
    cell = _cell(panel, "ООШ с. Клевенка", "R01")
    assert cell.data() == "В\u00a01"
    assert cell.data(Qt.ItemDataRole.FontRole).italic() is False  # set by hand now
    assert "дорожная карта: 3.2. Организация участия" in panel.matrix_detail.text()
    klevenka = next(s for s in demo_db.schools.all_schools() if s.short_name == "ООШ с. Клевенка")
    risk = demo_db.risks.risk(klevenka.id, 2023, panel.matrix_model.factor_at(1).id)  # type: ignore[union-attr]
    assert risk is not None and risk.level == "высокий" and not risk.generated
    assert [m.activity_number for m in risk.measures] == ["3.2"]
    demo_db.undo.undo()
    qtbot.waitUntil(lambda: _cell(panel, "ООШ с. Клевенка", "R01").data() == "С\u00a00")
    assert data_dump(demo_db.conn) == before


def test_a_typed_measure_stays_when_an_activity_is_chosen(
    qtbot: Bot, show_panel: ShowPanel, demo_db: Database
) -> None:
    panel = _open(qtbot, show_panel, demo_db)
    _click(qtbot, panel, _cell(panel, "ООШ с. Клевенка", "R01"))
    dialog = _dialog(qtbot, panel)
    qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)
    row = dialog.rows[-1]
    _type(row.text, "Точка доступа Wi-Fi")
    qtbot.keyClick(row.text, Qt.Key.Key_Tab)
    for _ in range(3):
        qtbot.keyClick(row.activity, Qt.Key.Key_Down)
    assert row.text.text() == "Точка доступа Wi-Fi"
    assert row.draft().activity_id is not None
    # A row left empty is not a measure.
    qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)
    values, issues = dialog.read()
    assert issues == [] and [m.text for m in values["measures"]] == ["Точка доступа Wi-Fi"]
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: panel.dialog is None)


def test_enter_opens_an_empty_cell_and_a_new_factor_counts(
    qtbot: Bot, show_panel: ShowPanel, demo_db: Database
) -> None:
    panel = _open(qtbot, show_panel, demo_db)
    assert _footer(panel, "R11") == "0"
    index = _cell(panel, "СОШ с. Яблоновый Гай", "R11")
    panel.matrix_view.setFocus()
    panel.matrix_view.setCurrentIndex(index)
    qtbot.keyClick(panel.matrix_view, Qt.Key.Key_Return)
    dialog = _dialog(qtbot, panel)
    assert dialog.level_buttons[""].isChecked()  # «не выявлен»
    qtbot.mouseClick(
        dialog.level_buttons["низкий"],
        Qt.MouseButton.LeftButton,
        pos=QPoint(6, dialog.level_buttons["низкий"].height() // 2),
    )
    dialog.note.setFocus()
    _type(dialog.note, "Инклюзивное обучение")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.dialog is None)
    assert _footer(panel, "R11") == "1"
    assert _cell(panel, "СОШ с. Яблоновый Гай", "R11").data() == "Н\u00a00"
    # «не выявлен» removes it again.
    _click(qtbot, panel, _cell(panel, "СОШ с. Яблоновый Гай", "R11"))
    dialog = _dialog(qtbot, panel)
    qtbot.mouseClick(dialog.level_buttons[""], Qt.MouseButton.LeftButton, pos=QPoint(6, 8))
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.dialog is None)
    assert _footer(panel, "R11") == "0"


def test_profile_of_a_school_and_copy_into_a_new_year(
    qtbot: Bot, show_panel: ShowPanel, demo_db: Database
) -> None:
    panel = _open(qtbot, show_panel, demo_db)
    school_index = _cell(panel, "СОШ с. Бартеневка", "R01").siblingAtColumn(0)
    view = panel.matrix_view
    centre = view.visualRect(school_index).center()
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=centre)
    qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=centre)
    assert panel.tabs.currentIndex() == 1
    assert panel.profile_school.currentText() == "СОШ с. Бартеневка"
    profile = panel.profile_model
    assert profile.columnCount() == 3  # the factor, 2022/23, 2023/24
    assert profile.headerData(2, Qt.Orientation.Horizontal) == "2023/24"
    env = next(
        r
        for r in range(profile.rowCount())
        if "воспитательной среды" in str(profile.index(r, 0).data())
    )
    assert profile.index(env, 1).data() == "В\u00a02"
    assert profile.index(env, 2).data() == "С\u00a02"
    # A new school year: every school shown, the profile carried from the year before.
    panel.tabs.setCurrentIndex(0)
    panel.year.set_year(2024)
    assert panel.matrix_model.footer_row == 0  # no school has a profile in 2024/25 yet
    qtbot.mouseClick(panel.all_schools, Qt.MouseButton.LeftButton, pos=QPoint(6, 8))
    assert panel.all_schools.isChecked()
    index = _cell(panel, "СОШ с. Бартеневка", "R03")
    panel.matrix_view.setCurrentIndex(index)
    assert panel.copy_button.isEnabled()
    qtbot.mouseClick(panel.copy_button, Qt.MouseButton.LeftButton)
    assert _cell(panel, "СОШ с. Бартеневка", "R03").data() == "В\u00a02"
    assert panel.matrix_model.matrix.schools[0].short_name == "Гимназия с. Ивантеевка"


def test_reference_list_dialog(
    qtbot: Bot, show_panel: ShowPanel, demo_db: Database, answers: list[str]
) -> None:
    panel = _open(qtbot, show_panel, demo_db)
    qtbot.mouseClick(panel.factors_button, Qt.MouseButton.LeftButton)
    dialog = panel.factor_dialog
    assert isinstance(dialog, FactorListDialog)
    qtbot.mouseClick(dialog.load_button, Qt.MouseButton.LeftButton)
    assert dialog.status.text() == "Все факторы поставляемого перечня уже есть в списке."
    # A factor in use is not removed: the reason is told.
    assert dialog.current() is not None and dialog.current().code == "R01"  # type: ignore[union-attr]
    qtbot.mouseClick(dialog.remove_button, Qt.MouseButton.LeftButton)
    assert answers[-1].startswith("Фактор «Низкий уровень оснащения школы» указан в рисковых")
    assert dialog.model.rowCount() == 12
    # A new factor of the district's own, from 2024/25.
    qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)
    form = dialog.form
    assert isinstance(form, FactorDialog)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is form.edits["code"])
    _type(form.edits["code"], "M01")
    qtbot.keyClick(form.edits["code"], Qt.Key.Key_Tab)
    _type(form.name, "Неготовность к сетевому взаимодействию")
    form.edits["since_year"].setFocus()
    _type(form.edits["since_year"], "24/25")
    qtbot.keyClick(form.edits["since_year"], Qt.Key.Key_Return)
    assert form.isVisible()
    assert form.errors["since_year"].text() == "Нужен учебный год, например 2021/22, или пусто."
    form.edits["since_year"].selectAll()
    _type(form.edits["since_year"], "2024/25")
    qtbot.keyClick(form.edits["since_year"], Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.form is None)
    assert dialog.model.rowCount() == 13
    added = dialog.current()
    assert added is not None and (added.code, added.since_year) == ("M01", 2024)
    assert added.years_text == "с 2024/25"
    # Moved up; removed (unused); undo brings it back.
    qtbot.mouseClick(dialog.up_button, Qt.MouseButton.LeftButton)
    assert dialog.view.currentIndex().row() == 11
    qtbot.mouseClick(dialog.remove_button, Qt.MouseButton.LeftButton)
    assert dialog.model.rowCount() == 12
    demo_db.undo.undo()
    qtbot.waitUntil(lambda: dialog.model.rowCount() == 13)


def test_an_empty_database_offers_the_shipped_list(
    qtbot: Bot, show_panel: ShowPanel, empty_db: Database
) -> None:
    panel = _open(qtbot, show_panel, empty_db)
    assert panel.pages.currentWidget() is panel.empty
    assert panel.empty.button.text() == "Загрузить перечень «500+»"
    qtbot.mouseClick(panel.empty.button, Qt.MouseButton.LeftButton)
    assert panel.pages.currentWidget() is panel.tabs
    assert len(empty_db.risks.factors()) == 12
    assert empty_db.undo.can_undo
    assert isinstance(panel.matrix_model, RiskMatrixModel)
