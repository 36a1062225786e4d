"""The district page: card, yearly figures, people with roles, and editing all of them."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QPoint, QSettings, Qt
from PySide6.QtGui import QContextMenuEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QTableView,
    QWidget,
)

from shnor_desktop.models.database import Database
from shnor_desktop.models.errors import ConstraintError
from shnor_desktop.ui.common import ROLE_RECORD
from shnor_desktop.ui.district_panel import (
    DistrictPanel,
    DistrictYearModel,
    FormDialog,
    PeopleModel,
    PersonDialog,
)

# pytest-qt's QtBot has no type hints on its event methods: tests use it through Any.
Bot = Any
ShowPanel = Callable[..., Any]  # the show_panel fixture of conftest.py
SIZE = (1000, 640)


def _cell(model: PeopleModel | DistrictYearModel, row: int, column: int) -> str:
    return str(model.data(model.index(row, column), Qt.ItemDataRole.DisplayRole))


def _row_point(view: QTableView, row: int) -> QPoint:
    return view.visualRect(view.model().index(row, 0)).center()


def _double_click(qtbot: Bot, view: QTableView, row: int) -> None:
    # A real double click is press, release, then a double-click press: QTest's
    # mouseDClick sends only the last, and a view opens nothing it did not see pressed.
    pos = _row_point(view, row)
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=pos)


def _tick(qtbot: Bot, box: QCheckBox) -> None:
    """Click a check box on its indicator (its centre may lie beyond the text)."""
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=QPoint(8, box.height() // 2))


def _context_menu_action(panel: DistrictPanel, view: QTableView, row: int, text: str) -> None:
    """Right-click a row (a real context menu event) and choose ``text`` in the menu."""
    pos = _row_point(view, row)
    event = QContextMenuEvent(QContextMenuEvent.Reason.Mouse, pos, view.viewport().mapToGlobal(pos))
    QApplication.sendEvent(view.viewport(), event)
    menu = panel.context_menu
    assert menu is not None and menu.isVisible()
    assert [a.text() for a in menu.actions()] == ["Добавить…", "Изменить…", "Удалить…"]
    action = next(a for a in menu.actions() if a.text() == text)
    menu.hide()
    action.trigger()


# The offscreen platform says this of every popup menu it shows.
menu_messages = pytest.mark.qt_log_ignore("This plugin does not support (raise|grabbing)")


def _dialog(panel: DistrictPanel) -> FormDialog:
    dialog = panel.dialog
    assert dialog is not None and dialog.isVisible()
    return dialog


def _key_clicks(qtbot: Bot, widget: QWidget, text: str) -> None:
    """Type ``text`` key by key (QTest.keyClicks takes ASCII only: Cyrillic goes as key text)."""
    for char in text:
        if char.isascii():
            qtbot.keyClicks(widget, char)
        else:
            QTest.sendKeyEvent(
                QTest.KeyAction.Click, widget, Qt.Key.Key_unknown, char, Qt.KeyboardModifier(0)
            )


def _type(qtbot: Bot, dialog: FormDialog, name: str, text: str) -> None:
    """Replace the text of a field as a user does: select all, delete, type."""
    edit = dialog.edits[name]
    edit.setFocus()
    edit.selectAll()
    qtbot.keyClick(edit, Qt.Key.Key_Delete)
    _key_clicks(qtbot, edit, text)


def _error(dialog: FormDialog, name: str) -> str:
    label = dialog.errors[name]
    return label.text() if label.isVisible() else ""


def test_models_pass_the_model_tester(
    show_panel: ShowPanel, qtmodeltester: Bot, district_db: Database
) -> None:
    panel = show_panel(DistrictPanel, district_db, SIZE)
    qtmodeltester.check(panel.year_model)
    qtmodeltester.check(panel.people_model)
    qtmodeltester.check(DistrictYearModel())
    qtmodeltester.check(PeopleModel())


def test_shows_district_years_and_people(
    qtbot: Bot, show_panel: ShowPanel, district_db: Database
) -> None:
    panel = show_panel(DistrictPanel, district_db, SIZE)
    assert panel.title() == "Район и рабочая группа"
    assert panel.card_labels["name"].text() == "Ивантеевский муниципальный район"
    assert panel.card_labels["population"].text() == "12\u00a0757 чел."
    assert not panel.empty_label.isVisible()

    model = panel.year_model
    assert model.rowCount() == 3
    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(8)]
    assert headers == [
        "Учебный год",
        "Обучающихся",
        "1 класс",
        "9 класс",
        "11 класс",
        "Подвоз",
        "Автобусов",
        "Источник",
    ]
    # School years are written as everywhere else: the year 2023 is «2023/24».
    assert [_cell(model, r, DistrictYearModel.COL_YEAR) for r in range(3)] == [
        "2021/22",
        "2022/23",
        "2023/24",
    ]
    row = model.row_of_year(2023)
    assert _cell(model, row, DistrictYearModel.COL_TOTAL) == "1\u00a0539"
    assert _cell(model, row, DistrictYearModel.COL_BUSED) == "256"
    assert _cell(model, model.row_of_year(2021), DistrictYearModel.COL_BUSED) == ""

    people = panel.people_model
    assert people.rowCount() == 2
    by_name = {
        _cell(people, r, PeopleModel.COL_NAME): _cell(people, r, PeopleModel.COL_ROLES)
        for r in range(people.rowCount())
    }
    assert by_name == {
        "Иванова Мария Петровна": "Муниципальный координатор, Рабочая группа",
        "Петров Сергей Иванович": "Тьютор-консультант",
    }
    # Nothing selected: only «Добавить…» can act.
    assert panel.people_actions.add_button.isEnabled()
    assert not panel.people_actions.edit_button.isEnabled()
    assert not panel.people_actions.remove_button.isEnabled()


# --- the district card ---------------------------------------------------------------------


def test_edit_dialog_saves_and_offers_undo(
    qtbot: Bot, show_panel: ShowPanel, district_db: Database
) -> None:
    panel = show_panel(DistrictPanel, district_db, SIZE)

    qtbot.mouseClick(panel.edit_button, Qt.MouseButton.LeftButton)
    dialog = _dialog(panel)
    assert dialog.edits["population"].text() == "12\u00a0757"

    # A bad population is refused under the field; the dialog stays with what was typed.
    _type(qtbot, dialog, "population", "двенадцать")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible()
    assert _error(dialog, "population") == "Нужно целое число, например 12 757."
    assert dialog.edits["population"].text() == "двенадцать"
    assert district_db.district.district().population == 12757  # type: ignore[union-attr]

    _type(qtbot, dialog, "coordinator", "Сидорова Анна Викторовна")
    _type(qtbot, dialog, "population", "12 800")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()

    district = district_db.district.district()
    assert district is not None
    assert district.coordinator == "Сидорова Анна Викторовна"
    assert district.population == 12800
    # One change set, on the undo stack by itself.
    assert district_db.undo.undo_label() == "Изменение сведений о районе"
    # The bus reloaded the card.
    assert panel.card_labels["coordinator"].text() == "Сидорова Анна Викторовна"

    # Undo through the stack the main window keeps restores the old value.
    district_db.undo.undo()
    assert district_db.district.district().coordinator == "Иванова Мария Петровна"  # type: ignore[union-attr]
    assert panel.card_labels["coordinator"].text() == "Иванова Мария Петровна"


def test_database_refusal_is_worded_in_russian_and_keeps_the_dialog(
    qtbot: Bot, show_panel: ShowPanel, district_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    panel = show_panel(DistrictPanel, district_db, SIZE)

    def refuse(*_args: object) -> None:
        raise ConstraintError("district", "CHECK constraint failed: population >= 0")

    monkeypatch.setattr(district_db.district, "update", refuse)
    dialog = panel.edit_district()
    assert dialog is not None
    _type(qtbot, dialog, "population", "13 000")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible()
    text = dialog.error_label.text()
    assert dialog.error_label.isVisible()
    assert text.startswith("Значение в разделе «район» вне допустимых пределов")
    assert "('district'" not in text
    assert dialog.edits["population"].text() == "13 000"


def test_unchanged_dialog_writes_nothing(
    qtbot: Bot, show_panel: ShowPanel, district_db: Database
) -> None:
    panel = show_panel(DistrictPanel, district_db, SIZE)
    before = len(district_db.log.recent_sets())
    dialog = panel.edit_district()
    assert dialog is not None
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()
    assert not district_db.undo.can_undo
    assert len(district_db.log.recent_sets()) == before


def test_empty_database_offers_to_fill_in(
    qtbot: Bot, show_panel: ShowPanel, tmp_path: Path
) -> None:
    db = Database.open(tmp_path / "empty.sqlite")
    try:
        panel = show_panel(DistrictPanel, db, SIZE)
        # The panel is shown: the label's own state decides what the user sees.
        assert panel.empty_label.isVisible()
        assert panel.edit_button.text() == "Заполнить…"
        # Figures belong to a district: none can be added before it is filled in.
        assert not panel.year_actions.add_button.isEnabled()
        assert panel.add_year() is None
        dialog = panel.edit_district()
        assert dialog is not None
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)  # no name yet
        assert dialog.isVisible()
        assert _error(dialog, "name") == "Укажите наименование района."
        _key_clicks(qtbot, dialog.edits["name"], "Ивантеевский муниципальный район")
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
        assert db.district.district().name == "Ивантеевский муниципальный район"  # type: ignore[union-attr]
        assert db.undo.undo_label() == "Заполнение сведений о районе"
        assert panel.edit_button.text() == "Изменить…"
        assert not panel.empty_label.isVisible()
        assert panel.year_actions.add_button.isEnabled()
        assert panel.year_model.data(panel.year_model.index(0, 0), ROLE_RECORD) is None
    finally:
        db.close()


# --- people ----------------------------------------------------------------------------------


def test_add_person_keeps_typing_on_refusal_then_saves_with_roles(
    qtbot: Bot, show_panel: ShowPanel, district_db: Database
) -> None:
    panel = show_panel(DistrictPanel, district_db, SIZE)
    before = len(district_db.log.recent_sets())

    qtbot.mouseClick(panel.people_actions.add_button, Qt.MouseButton.LeftButton)
    dialog = _dialog(panel)
    assert isinstance(dialog, PersonDialog)
    assert dialog.windowTitle() == "Новый человек"
    assert dialog.save_button.text() == "Добавить"
    assert dialog.cancel_button.text() == "Отмена"
    _key_clicks(qtbot, dialog.edits["position"], "Учитель физики")
    _key_clicks(qtbot, dialog.edits["email"], "sidorova.example.ru")
    _tick(qtbot, dialog.role_boxes["curator"])
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)

    # Both problems are shown at once, under their fields; nothing is lost or written.
    assert dialog.isVisible()
    assert _error(dialog, "full_name") == "Укажите фамилию, имя и отчество."
    assert _error(dialog, "email") == "Адрес эл. почты пишется так: name@example.ru."
    assert _error(dialog, "position") == ""
    assert dialog.edits["email"].text() == "sidorova.example.ru"
    assert dialog.edits["position"].text() == "Учитель физики"
    assert dialog.role_boxes["curator"].isChecked()
    assert len(district_db.log.recent_sets()) == before
    assert dialog.focusWidget() is dialog.edits["full_name"]

    _key_clicks(qtbot, dialog.edits["full_name"], "Сидорова Анна Викторовна")
    _type(qtbot, dialog, "email", "sidorova@example.ru")
    _key_clicks(qtbot, dialog.edits["phone"], "8 (84579) 5-12-34")
    dialog.school.setCurrentIndex(dialog.school.findText("СОШ с. Бартеневка"))
    _tick(qtbot, dialog.role_boxes["tutor"])
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()

    [curator] = district_db.district.people("curator")
    assert curator.full_name == "Сидорова Анна Викторовна"
    assert curator.roles == ("tutor", "curator")
    assert (curator.phone, curator.email) == ("8 (84579) 5-12-34", "sidorova@example.ru")
    assert district_db.undo.undo_label() == ("Добавлен человек «Сидорова Анна Викторовна»")
    # The new person is shown and selected.
    assert panel.selected_person_id() == curator.id
    row = panel.people_model.row_of_id(curator.id)
    assert _cell(panel.people_model, row, PeopleModel.COL_ROLES) == ("Тьютор-консультант, Куратор")
    assert _cell(panel.people_model, row, PeopleModel.COL_ORGANISATION) == "СОШ с. Бартеневка"

    district_db.undo.undo()
    assert district_db.district.people("curator") == []
    assert panel.people_model.rowCount() == 2


def test_double_click_edits_a_person_and_their_roles(
    qtbot: Bot, show_panel: ShowPanel, district_db: Database
) -> None:
    panel = show_panel(DistrictPanel, district_db, SIZE)
    row = panel.people_model.row_of_id(district_db.district.people("tutor")[0].id)

    _double_click(qtbot, panel.people_view, row)
    dialog = _dialog(panel)
    assert isinstance(dialog, PersonDialog)
    assert dialog.edits["full_name"].text() == "Петров Сергей Иванович"
    assert dialog.role_boxes["tutor"].isChecked()
    _type(qtbot, dialog, "phone", "позвонить")
    _tick(qtbot, dialog.role_boxes["tutor"])
    _tick(qtbot, dialog.role_boxes["curator"])
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible()
    assert _error(dialog, "phone").startswith("Телефон пишется цифрами")

    _type(qtbot, dialog, "phone", "+7 927 123-45-67")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()
    person = district_db.district.person(panel.people_model.record(row).id)
    assert person.roles == ("curator",)
    assert person.phone == "+7 927 123-45-67"
    assert district_db.undo.undo_label() == (
        "Изменены сведения о человеке «Петров Сергей Иванович»"
    )


@menu_messages
def test_removing_a_curator_says_what_refers_to_them(
    qtbot: Bot, show_panel: ShowPanel, district_db: Database, answers: list[str]
) -> None:
    tutor = district_db.district.people("tutor")[0]
    school = district_db.schools.all_schools()[0].id
    for year in (2021, 2022):
        district_db.schools.set_profile_value(school, year, "curator_id", tutor.id, "Куратор")
    panel = show_panel(DistrictPanel, district_db, SIZE)

    row = panel.people_model.row_of_id(tutor.id)
    _context_menu_action(panel, panel.people_view, row, "Удалить…")
    [question] = answers
    assert question.startswith("Удалить «Петров Сергей Иванович» из списка людей?")
    assert "Роли (Тьютор-консультант) тоже будут удалены." in question
    assert "куратор в 2 паспортах школ" in question
    assert "Удаление можно отменить" in question
    assert panel.people_model.row_of_id(tutor.id) == -1
    assert district_db.undo.undo_label() == ("Удалён человек «Петров Сергей Иванович»")
    assert district_db.schools.profile(school, 2021).curator_id is None  # type: ignore[union-attr]

    district_db.undo.undo()
    assert district_db.schools.profile(school, 2022).curator_id == tutor.id  # type: ignore[union-attr]
    assert panel.people_model.row_of_id(tutor.id) >= 0


def test_delete_key_asks_and_cancel_keeps_the_person(
    qtbot: Bot, show_panel: ShowPanel, district_db: Database, answers: list[str]
) -> None:
    panel = show_panel(DistrictPanel, district_db, SIZE)
    assert panel.select_person(district_db.district.people("coordinator")[0].id)
    with qtbot.waitActive(panel):
        panel.activateWindow()
    panel.people_view.setFocus()
    answers.append("no")
    qtbot.keyClick(panel.people_view, Qt.Key.Key_Delete)
    assert answers[-1].startswith("Удалить «Иванова Мария Петровна»")
    assert len(district_db.district.people()) == 2


# --- yearly figures ----------------------------------------------------------------------------


def test_add_year_refuses_a_duplicate_naming_it_then_saves(
    qtbot: Bot, show_panel: ShowPanel, district_db: Database
) -> None:
    panel = show_panel(DistrictPanel, district_db, SIZE)

    qtbot.mouseClick(panel.year_actions.add_button, Qt.MouseButton.LeftButton)
    dialog = _dialog(panel)
    assert dialog.edits["year"].text() == "2024/25"  # the year after the last one
    _type(qtbot, dialog, "year", "2023/24")
    _key_clicks(qtbot, dialog.edits["pupils_total"], "1 520")
    _key_clicks(qtbot, dialog.edits["buses"], "-2")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible()
    assert _error(dialog, "buses") == "Число не может быть отрицательным."

    _type(qtbot, dialog, "buses", "12")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible()
    assert _error(dialog, "year") == (
        "Показатели района за 2023/24 учебный год уже есть: выберите другой год "
        "или измените ту строку."
    )
    assert dialog.edits["pupils_total"].text() == "1 520"
    assert not district_db.undo.can_undo

    _type(qtbot, dialog, "year", "2024-2025")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()
    row = panel.year_model.row_of_year(2024)
    assert _cell(panel.year_model, row, DistrictYearModel.COL_YEAR) == "2024/25"
    assert _cell(panel.year_model, row, DistrictYearModel.COL_TOTAL) == "1\u00a0520"
    assert _cell(panel.year_model, row, DistrictYearModel.COL_BUSES) == "12"
    assert _cell(panel.year_model, row, DistrictYearModel.COL_SOURCE) == "введено вручную"
    assert district_db.undo.undo_label() == "Добавлены показатели района за 2024/25"


def test_year_text_that_is_not_a_school_year_is_refused(
    qtbot: Bot, show_panel: ShowPanel, district_db: Database
) -> None:
    panel = show_panel(DistrictPanel, district_db, SIZE)
    dialog = panel.add_year()
    assert dialog is not None
    for text in ("2024/26", "в прошлом году", "1812/13"):
        _type(qtbot, dialog, "year", text)
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
        assert dialog.isVisible()
        assert _error(dialog, "year").startswith(("Укажите учебный год так:", "Учебный год должен"))
        assert dialog.edits["year"].text() == text
    assert panel.year_model.rowCount() == 3


def test_double_click_edits_figures_of_a_year(
    qtbot: Bot, show_panel: ShowPanel, district_db: Database
) -> None:
    panel = show_panel(DistrictPanel, district_db, SIZE)
    _double_click(qtbot, panel.year_view, panel.year_model.row_of_year(2022))
    dialog = _dialog(panel)
    assert dialog.windowTitle() == "Показатели района за 2022/23"
    assert dialog.edits["year"].text() == "2022/23"
    assert dialog.edits["pupils_total"].text() == "1\u00a0567"
    _type(qtbot, dialog, "pupils_bused", "240")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()
    assert district_db.district.years()[1].pupils_bused == 240
    assert district_db.undo.undo_label() == "Изменены показатели района за 2022/23"
    assert panel.selected_year_id() == district_db.district.years()[1].id


@menu_messages
def test_context_menu_removes_a_year_after_asking(
    qtbot: Bot, show_panel: ShowPanel, district_db: Database, answers: list[str]
) -> None:
    panel = show_panel(DistrictPanel, district_db, SIZE)
    _context_menu_action(panel, panel.year_view, panel.year_model.row_of_year(2021), "Удалить…")
    assert answers == [
        "Удалить показатели района за 2021/22 учебный год? "
        "Удаление можно отменить: Правка → Отменить."
    ]
    assert panel.year_model.row_of_year(2021) == -1
    assert district_db.undo.undo_label() == "Удалены показатели района за 2021/22"


# --- end to end: a new curator in the passport -----------------------------------------------


@pytest.fixture
def window(qtbot: Bot, settings: QSettings) -> Iterator[object]:
    from shnor_desktop.ui.main_window import MainWindow

    win = MainWindow(settings)
    qtbot.addWidget(win)
    win.resize(1366, 768)
    win.show()
    yield win
    win.close()


def test_a_new_curator_appears_in_the_passport_and_undo_takes_it_back(
    qtbot: Bot, window: object, demo_path: Path
) -> None:
    from shnor_desktop.ui.main_window import MainWindow

    assert isinstance(window, MainWindow)
    assert window.open_database(demo_path)
    qtbot.waitUntil(lambda: not any(t.running for t in window.tasks), timeout=10000)
    name = "Кузнецова Ольга Николаевна"
    curator_combo = window.passport_panel.editors[("profile", "curator_id")].editor
    assert isinstance(curator_combo, QComboBox)
    assert curator_combo.findText(name) < 0

    window.nav.setCurrentRow([type(p) for p in window.panels].index(DistrictPanel))
    panel = window.stack.currentWidget()
    assert isinstance(panel, DistrictPanel)
    qtbot.mouseClick(panel.people_actions.add_button, Qt.MouseButton.LeftButton)
    dialog = _dialog(panel)
    assert isinstance(dialog, PersonDialog)
    _key_clicks(qtbot, dialog.edits["full_name"], name)
    _key_clicks(qtbot, dialog.edits["position"], "Методист")
    _tick(qtbot, dialog.role_boxes["curator"])
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()
    assert window.act_undo.isEnabled()
    assert name in window.act_undo.text()

    # Back in the passport, the new curator can be chosen.
    window.nav.setCurrentRow(0)
    assert curator_combo.findText(name) >= 0
    window.act_undo.trigger()
    assert curator_combo.findText(name) < 0
    window.nav.setCurrentRow([type(p) for p in window.panels].index(DistrictPanel))
    assert window.db is not None
    assert all(p.full_name != name for p in window.db.district.people())
    assert panel.people_model.rowCount() == len(window.db.district.people())


def test_insert_and_enter_keys_open_the_dialogs(
    qtbot: Bot, show_panel: ShowPanel, district_db: Database
) -> None:
    panel = show_panel(DistrictPanel, district_db, SIZE)
    with qtbot.waitActive(panel):
        panel.activateWindow()
    assert panel.select_year(2023)
    panel.year_view.setFocus()
    qtbot.keyClick(panel.year_view, Qt.Key.Key_Return)
    dialog = _dialog(panel)
    assert dialog.windowTitle() == "Показатели района за 2023/24"
    qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    assert panel.dialog is None

    panel.people_view.setFocus()
    qtbot.keyClick(panel.people_view, Qt.Key.Key_Insert)
    assert _dialog(panel).windowTitle() == "Новый человек"
