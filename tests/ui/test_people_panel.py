"""The page «Люди»: search that folds Russian case, the role filter, people added and removed
with the district page's window, the assignments of a school year edited here and shown in the
passport, every item model under the model tester."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QComboBox, QWidget

from shnor_desktop.models.database import Database
from shnor_desktop.ui.main_window import MainWindow
from shnor_desktop.ui.people_panel import AssignmentDialog, PeoplePanel

Bot = Any
ShowPanel = Callable[..., Any]
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support (raise|grabbing)")


def _open(qtbot: Bot, show_panel: ShowPanel, db: Database) -> PeoplePanel:
    panel: PeoplePanel = show_panel(PeoplePanel, db, size=(1300, 720))
    with qtbot.waitActive(panel):
        panel.activateWindow()
    return panel


def _type(widget: QWidget, text: str) -> None:
    """Type text key by key (QTest's keyClicks knows only ASCII)."""
    for char in text:
        QTest.sendKeyEvent(
            QTest.KeyAction.Click, widget, Qt.Key.Key_unknown, char, Qt.KeyboardModifier(0)
        )


def _active_dialog(qtbot: Bot, panel: PeoplePanel) -> Any:
    """The panel's open window, active as the window manager makes it (offscreen does not)."""
    dialog = panel.dialog
    assert dialog is not None
    with qtbot.waitActive(dialog):
        dialog.activateWindow()
    return dialog


def _names(panel: PeoplePanel) -> list[str]:
    model = panel.people_model
    return [model.record(r).full_name for r in range(model.rowCount())]


def test_the_item_models_pass_the_model_tester(
    qtbot: Bot, show_panel: ShowPanel, demo_db: Database, qtmodeltester: Any
) -> None:
    panel = _open(qtbot, show_panel, demo_db)
    assert panel.people_model.rowCount() == 7
    assert panel.assignment_model.rowCount() == len(demo_db.schools.all_schools())
    qtmodeltester.check(panel.people_model)
    qtmodeltester.check(panel.assignment_model)


def test_search_folds_case_and_finds_a_surname_as_a_protocol_writes_it(
    qtbot: Bot, show_panel: ShowPanel, demo_db: Database
) -> None:
    panel = _open(qtbot, show_panel, demo_db)
    panel.search.setFocus()
    _type(panel.search, "ГЛАДИЛОВОЙ")
    qtbot.waitUntil(lambda: _names(panel) == ["Гладилова О.А."])
    panel.search.clear()
    _type(panel.search, "рмо")
    qtbot.waitUntil(lambda: len(_names(panel)) == 3)
    assert set(_names(panel)) == {"Бабухина Т.А.", "Кочнева О.А.", "Лобанова Н.В."}
    # The role filter, chosen with the keyboard, combines with the search.
    panel.search.clear()
    qtbot.waitUntil(lambda: len(_names(panel)) == 7)
    panel.role_filter.setFocus()
    for _ in range(panel.role_filter.findData("tutor")):
        qtbot.keyClick(panel.role_filter, Qt.Key.Key_Down)
    assert _names(panel) == ["Гладилова О.А.", "Мазалева О.С.", "Тюркина И.П."]
    assert panel.people_box.title() == "Люди и их роли: 3 человека"


def test_the_card_tells_roles_curated_schools_and_journal_entries(
    qtbot: Bot, show_panel: ShowPanel, demo_db: Database
) -> None:
    panel = _open(qtbot, show_panel, demo_db)
    gladilova = demo_db.people.find("Гладилова")[0].id
    panel.select_person(gladilova)
    text = panel.card.text()
    assert "Тьютор-консультант" in text and "директор МУ РЦ" in text
    assert "Куратор в 2022/23: ООШ с. Арбузовка, ООШ с. Канаевка, СОШ с. Бартеневка" in text
    visits = demo_db.people.visit_count(gladilova)
    assert visits > 0 and f"Записей в журнале тьюторов: {visits}" in text


def test_a_person_is_added_with_the_keyboard_and_undone(
    qtbot: Bot, show_panel: ShowPanel, demo_db: Database
) -> None:
    panel = _open(qtbot, show_panel, demo_db)
    panel.people_view.setFocus()
    qtbot.keyClick(panel.people_view, Qt.Key.Key_Insert)
    dialog = _active_dialog(qtbot, panel)
    assert dialog.focusWidget() is dialog.edits["full_name"]
    _type(dialog.focusWidget(), "Сидорова Анна Викторовна")
    qtbot.keyClick(dialog.role_boxes["curator"], Qt.Key.Key_Space)
    assert dialog.role_boxes["curator"].isChecked()
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert "Сидорова Анна Викторовна" in _names(panel)
    assert panel.people_model.record(panel.people_model.row_of_id(panel.selected_person_id() or 0))
    demo_db.undo.undo()
    assert "Сидорова Анна Викторовна" not in _names(panel)


def test_removing_a_tutor_names_the_journal_entries_that_refer_to_them(
    qtbot: Bot, show_panel: ShowPanel, demo_db: Database, answers: list[str]
) -> None:
    panel = _open(qtbot, show_panel, demo_db)
    tyurkina = demo_db.people.find("Тюркина")[0].id
    panel.select_person(tyurkina)
    panel.people_view.setFocus()
    qtbot.keyClick(panel.people_view, Qt.Key.Key_Delete)
    assert answers and "записей журнала тьюторов" in answers[0]
    assert "6 паспортов школ (куратор)" in answers[0]
    assert "Тюркина И.П." not in _names(panel)
    demo_db.undo.undo()
    assert "Тюркина И.П." in _names(panel)


def test_an_assignment_is_edited_here_and_shown_in_the_passport(
    qtbot: Bot, show_panel: ShowPanel, demo_db: Database
) -> None:
    panel = _open(qtbot, show_panel, demo_db)
    assert panel.year.year == 2022
    school = next(s for s in demo_db.schools.all_schools() if s.code == "04")
    panel.select_school(school.id)
    panel.assignment_view.setFocus()
    qtbot.keyClick(panel.assignment_view, Qt.Key.Key_Return)
    dialog = _active_dialog(qtbot, panel)
    assert isinstance(dialog, AssignmentDialog)
    assert dialog.focusWidget() is dialog.curator
    lobanova = demo_db.people.find("Лобанова")[0].id
    for _ in range(dialog.curator.findData(lobanova) - dialog.curator.currentIndex()):
        qtbot.keyClick(dialog.curator, Qt.Key.Key_Down)
    assert dialog.curator.currentData() == lobanova
    qtbot.keyClick(dialog.curator, Qt.Key.Key_Tab)
    assert dialog.focusWidget() is dialog.mentor
    qtbot.keyClick(dialog.mentor, Qt.Key.Key_Tab)  # the mentor school stays
    assert dialog.focusWidget() is dialog.agreement_no
    _type(dialog.agreement_no, "7-н")
    qtbot.keyClick(dialog.agreement_no, Qt.Key.Key_Tab)
    assert dialog.focusWidget() is dialog.day
    _type(dialog.day, "31.02.2022")  # no such day
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible()
    assert dialog.errors["mentor_agreement_date"].isVisible()
    # Worded as the passport words it (one rule, one reason): see test_passport_panel.py.
    assert dialog.errors["mentor_agreement_date"].text() == "Нужна дата, например 31.08.2024."
    dialog.day.selectAll()
    _type(dialog.day, "01.09.2022")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()
    row = demo_db.people.assignment(school.id, 2022)
    assert (row.curator_name, row.agreement_no, row.agreement_date) == (
        "Лобанова Н.В.",
        "7-н",
        date(2022, 9, 1),
    )
    assert "curator_id" not in row.generated and "mentor_school_id" in row.generated
    shown = panel.assignment_model.record(panel.assignment_model.row_of_school(school.id))
    assert shown.curator_name == "Лобанова Н.В."
    profile = demo_db.schools.profile(school.id, 2022)
    assert profile is not None and profile.curator_id == lobanova
    demo_db.undo.undo()
    assert demo_db.people.assignment(school.id, 2022).agreement_no == ""


def test_another_school_year_shows_its_own_assignments(
    qtbot: Bot, show_panel: ShowPanel, demo_db: Database
) -> None:
    panel = _open(qtbot, show_panel, demo_db)
    panel.year.set_year(2020)
    rows = [panel.assignment_model.record(r) for r in range(panel.assignment_model.rowCount())]
    assert rows and all(r.curator_name == "" for r in rows)  # the demo assigns 2021–2023 only
    panel.year.set_year(2023)
    rows = [panel.assignment_model.record(r) for r in range(panel.assignment_model.rowCount())]
    assert any(r.curator_name for r in rows)


def test_the_main_window_lists_people_and_the_journal_after_the_roadmap(
    qtbot: Bot, settings: Any
) -> None:
    window = MainWindow(settings)
    qtbot.addWidget(window)
    titles = [window.nav.item(i).text() for i in range(window.nav.count())]
    roadmap = titles.index("Дорожная карта")
    assert titles[roadmap + 1 : roadmap + 3] == ["Люди", "Журнал тьюторов"]
    combo = window.findChild(QComboBox, "role_filter")
    assert combo is not None
