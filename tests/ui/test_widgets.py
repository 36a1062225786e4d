"""The shared editors and guards, on their own (real events, no database)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDateEdit,
    QFormLayout,
    QLabel,
    QLineEdit,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from shnor_desktop.models.fields import FieldSpec, InvalidValueError
from shnor_desktop.models.text import current_school_year, plural, school_year_label
from shnor_desktop.ui.widgets import (
    FieldEditor,
    FormReflow,
    SchoolYearCombo,
    SearchLine,
    WheelGuard,
    YearPairPicker,
    install_wheel_guard,
    parse_field,
    quoted,
)

Form = tuple[QScrollArea, QComboBox, QSpinBox, QDateEdit]

# pytest-qt's QtBot has no type hints on its event methods: tests use it through Any.
Bot = Any
Wheel = Callable[..., None]


def _focus(qtbot: Bot, widget: QWidget) -> None:
    widget.window().activateWindow()
    widget.setFocus()
    qtbot.waitUntil(widget.hasFocus)


@pytest.fixture
def form(qtbot: Bot) -> Form:
    """A scrolled form with a combo box, a spin box and a date editor among labels."""
    install_wheel_guard()
    scroll = QScrollArea()
    body = QWidget()
    layout = QVBoxLayout(body)
    # The first field of the form takes the focus when the window shows.
    layout.addWidget(QLineEdit())
    combo = QComboBox()
    combo.addItems(["первый", "второй", "третий"])
    spin = QSpinBox()
    spin.setValue(5)
    dates = QDateEdit(QDate(2024, 8, 31))
    for widget in (combo, spin, dates):
        layout.addWidget(widget)
        for _ in range(15):
            layout.addWidget(QLabel("строка"))
    scroll.setWidget(body)
    scroll.setWidgetResizable(True)
    scroll.resize(300, 200)
    qtbot.addWidget(scroll)
    scroll.show()
    return scroll, combo, spin, dates


def test_wheel_scrolls_past_unfocused_editors_and_edits_none(
    form: Form, qtbot: Bot, wheel: Wheel
) -> None:
    scroll, combo, spin, dates = form
    bar = scroll.verticalScrollBar()
    for widget in (combo, spin, dates):
        scroll.ensureWidgetVisible(widget)
        before = bar.value()
        wheel(widget, -1)
        assert bar.value() > before or bar.value() == bar.maximum()
    assert combo.currentIndex() == 0
    assert spin.value() == 5
    assert dates.date() == QDate(2024, 8, 31)
    # The wheel no longer gives them focus either.
    assert combo.focusPolicy() == Qt.FocusPolicy.StrongFocus
    assert spin.focusPolicy() == Qt.FocusPolicy.StrongFocus


def test_wheel_still_edits_the_focused_editor(form: Form, qtbot: Bot, wheel: Wheel) -> None:
    scroll, combo, spin, _dates = form
    qtbot.wait(int(WheelGuard.SCROLL_CONTINUES * 1000) + 100)  # no scroll under way
    _focus(qtbot, combo)
    wheel(combo, -1)
    assert combo.currentIndex() == 1
    scroll.ensureWidgetVisible(spin)
    _focus(qtbot, spin)
    wheel(spin, 1)
    assert spin.value() == 6


def test_a_scroll_under_way_passes_over_a_focused_editor(
    form: Form, qtbot: Bot, wheel: Wheel
) -> None:
    scroll, combo, _spin, _dates = form
    _focus(qtbot, combo)
    bar = scroll.verticalScrollBar()
    wheel(scroll.viewport(), -1)  # the user scrolls the form…
    before = bar.value()
    wheel(combo, -1)  # …and the pointer passes over the focused combo box
    assert combo.currentIndex() == 0
    assert bar.value() > before
    qtbot.wait(int(WheelGuard.SCROLL_CONTINUES * 1000) + 100)
    wheel(combo, -1)  # a wheel turned over it on purpose, later, edits it
    assert combo.currentIndex() == 1


def test_the_guard_is_installed_once(qapp: QApplication) -> None:
    assert install_wheel_guard() is install_wheel_guard(qapp)


def _field(qtbot: Bot, spec: FieldSpec, value: object) -> FieldEditor:
    editor = FieldEditor(spec)
    qtbot.addWidget(editor)
    editor.set_value(value)
    editor.show()
    return editor


def test_escape_brings_back_the_stored_value(qtbot: Bot) -> None:
    field = _field(qtbot, FieldSpec("teachers", "count", "Кадры", "Педагогов", "чел."), 12)
    line = field.editor
    assert isinstance(line, QLineEdit)
    commits: list[object] = []
    field.sig_commit.connect(lambda _name, raw: commits.append(raw))
    _focus(qtbot, line)
    line.selectAll()
    qtbot.keyClicks(line, "40")
    assert field.is_modified()
    qtbot.keyClick(line, Qt.Key.Key_Escape)
    assert line.text() == "12"
    assert not field.is_modified()
    field.set_error("нужно целое число")
    assert field.note.isVisibleTo(field) and field.note.text() == "нужно целое число"
    qtbot.keyClick(line, Qt.Key.Key_Escape)
    assert field.error == "" and not field.note.isVisibleTo(field)


def test_history_is_out_of_the_tab_chain_but_on_ctrl_h(qtbot: Bot) -> None:
    field = _field(qtbot, FieldSpec("director", "text", "Общие", "Директор"), "")
    assert field.history_button.focusPolicy() == Qt.FocusPolicy.NoFocus
    asked: list[str] = []
    field.sig_history.connect(asked.append)
    _focus(qtbot, field.editor)
    qtbot.keyClick(field.editor, Qt.Key.Key_H, Qt.KeyboardModifier.ControlModifier)
    assert asked == ["director"]
    qtbot.mouseClick(field.history_button, Qt.MouseButton.LeftButton)
    assert asked == ["director", "director"]


def test_an_unknown_choice_shows_nothing_rather_than_the_first_entry(qtbot: Bot) -> None:
    field = _field(qtbot, FieldSpec("group_code", "group", "Группа", "Группа"), None)
    field.set_choices([("ШНОР", "shnor"), ("Без группы", "none")])
    combo = field.editor
    assert isinstance(combo, QComboBox)
    assert combo.currentIndex() == -1
    field.set_value("none")
    assert combo.currentText() == "Без группы"


def test_year_combo_offers_the_current_year_and_takes_a_typed_one(qtbot: Bot) -> None:
    combo = SchoolYearCombo()
    qtbot.addWidget(combo)
    combo.show()
    combo.set_years([2021, 2022], select=2022)
    assert combo.findText(school_year_label(current_school_year())) >= 0
    assert combo.findText("Другой год…") == combo.count() - 1
    _focus(qtbot, combo)
    combo.line.selectAll()
    with qtbot.waitSignal(combo.sig_year_changed) as blocker:
        qtbot.keyClicks(combo.line, "2027-2028")
        qtbot.keyClick(combo.line, Qt.Key.Key_Return)
    assert blocker.args == [2027]
    assert combo.currentText() == "2027/28"  # written the one way
    # A year typed stays offered when the list is filled again.
    combo.set_years([2021, 2022])
    assert combo.findText("2027/28") >= 0 and combo.year == 2027
    rejected: list[str] = []
    combo.sig_rejected.connect(rejected.append)
    combo.line.selectAll()
    qtbot.keyClicks(combo.line, "2027/29")
    qtbot.keyClick(combo.line, Qt.Key.Key_Return)
    assert rejected == ["2027/29"]
    assert combo.year == 2027 and combo.currentText() == "2027/28"


def test_form_puts_labels_above_fields_when_narrow(qtbot: Bot) -> None:
    holder = QWidget()
    form = QFormLayout(holder)
    form.addRow("Доход ниже прожиточного минимума", QLineEdit())
    reflow = FormReflow(holder, [form], field_width=200)
    qtbot.addWidget(holder)
    holder.resize(900, 100)
    holder.show()
    qtbot.waitUntil(lambda: holder.width() == 900)
    assert form.rowWrapPolicy() == QFormLayout.RowWrapPolicy.DontWrapRows
    holder.resize(reflow.needed_width() - 10, 100)
    qtbot.waitUntil(lambda: form.rowWrapPolicy() == QFormLayout.RowWrapPolicy.WrapAllRows)
    # A few pixels more (a scroll bar going away) do not flip it back.
    holder.resize(reflow.needed_width() + 5, 100)
    qtbot.wait(10)
    assert form.rowWrapPolicy() == QFormLayout.RowWrapPolicy.WrapAllRows
    holder.resize(reflow.needed_width() + 100, 100)
    qtbot.waitUntil(lambda: form.rowWrapPolicy() == QFormLayout.RowWrapPolicy.DontWrapRows)


def test_parse_field_names_what_is_expected() -> None:
    count = FieldSpec("teachers", "count", "Кадры", "Педагогов")
    share = FieldSpec("pct_ovz", "share", "Контингент", "ОВЗ")
    when = FieldSpec("held_on", "date", "", "Дата")
    assert parse_field(count, "1 539") == 1539
    assert parse_field(share, "26,8 %") == 26.8
    with pytest.raises(InvalidValueError) as whole:
        parse_field(count, "много")
    assert whole.value.issue.code == "not_integer"
    with pytest.raises(InvalidValueError) as number:
        parse_field(share, "много")
    assert number.value.issue.code == "not_number"
    assert parse_field(when, "31.08.2024") == date(2024, 8, 31).isoformat()
    with pytest.raises(InvalidValueError) as bad_date:
        parse_field(when, "31.02.2024")
    assert bad_date.value.issue.code == "not_date"


def test_names_are_quoted_once_and_counts_agree() -> None:
    assert quoted("СОШ с. Ёлкино") == "«СОШ с. Ёлкино»"
    assert quoted("МОУ «СОШ с. Ёлкино»") == "МОУ «СОШ с. Ёлкино»"
    assert [plural(n, "паспорт", "паспорта", "паспортов") for n in (1, 2, 5, 11, 21, 22, 112)] == [
        "паспорт",
        "паспорта",
        "паспортов",
        "паспортов",
        "паспорт",
        "паспорта",
        "паспортов",
    ]


def test_year_pair_picker_keeps_its_choice_and_follows_the_keyboard(qtbot: Bot) -> None:
    """The «Сравнить годы» pickers of the results and passport charts (one widget serves both)."""
    picker = YearPairPicker()
    qtbot.addWidget(picker)
    picker.show()
    picker.set_years([])
    assert picker.chosen() == (None, None)
    assert not picker.first.isEnabled() and not picker.second.isEnabled()
    picker.set_years([2021])
    assert picker.chosen() == (2021, 2021)
    picker.set_years([2020, 2021, 2022])
    assert picker.chosen() == (2021, 2021)  # the choice stays while it is offered
    _focus(qtbot, picker.first)
    with qtbot.waitSignal(picker.sig_changed):
        qtbot.keyClick(picker.first, Qt.Key.Key_Up)
    assert picker.chosen() == (2020, 2021)
    assert picker.first.currentText() == "2020/21"
    picker.set_years([2022, 2023])  # neither chosen year is offered: the last two
    assert picker.chosen() == (2022, 2023)


def test_search_line_asks_once_typing_pauses(qtbot: Bot) -> None:
    """The search of the results and the passports (one widget serves both)."""
    line = SearchLine("Поиск")
    qtbot.addWidget(line)
    line.show()
    asked: list[str] = []
    line.sig_search.connect(lambda: asked.append(line.text()))
    _focus(qtbot, line)
    with qtbot.waitSignal(line.sig_search):
        qtbot.keyClicks(line, "school 09")
    assert asked == ["school 09"]  # once, with the whole text
    qtbot.keyClicks(line, " 2")
    line.cancel_pending()  # the list was read meanwhile: nothing more to ask
    with qtbot.assertNotEmitted(line.sig_search, wait=SearchLine.PAUSE_MS * 2):
        pass
    assert asked == ["school 09"]
