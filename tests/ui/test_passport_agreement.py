"""The agreement with the mentor school in the passport, next to the mentor school, and the same
refusal of a bad date in the passport and on the «Люди» page (one rule, one reason)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QFormLayout, QLabel, QLineEdit, QWidget

from shnor_desktop.models.database import Database
from shnor_desktop.ui.passport_panel import PassportPanel
from shnor_desktop.ui.people_panel import AssignmentDialog, PeoplePanel

Bot = Any
ShowPanel = Callable[..., Any]
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support (raise|grabbing)")
YEAR = 2022


def _type(widget: QWidget, text: str) -> None:
    """Type text key by key (QTest's keyClicks knows only ASCII)."""
    for char in text:
        QTest.sendKeyEvent(
            QTest.KeyAction.Click, widget, Qt.Key.Key_unknown, char, Qt.KeyboardModifier(0)
        )


def _focus(qtbot: Bot, widget: QWidget) -> None:
    widget.window().activateWindow()
    widget.setFocus()
    qtbot.waitUntil(widget.hasFocus)


def _passport(qtbot: Bot, show_panel: ShowPanel, db: Database, school_id: int) -> PassportPanel:
    panel: PassportPanel = show_panel(PassportPanel, db, size=(1300, 850))
    panel.year.set_year(YEAR)
    assert panel.select_school(school_id)
    return panel


def _line(panel: PassportPanel, name: str) -> QLineEdit:
    editor = panel.editors[("profile", name)].editor
    assert isinstance(editor, QLineEdit)
    return editor


def _widget_at(form: QFormLayout, row: int, role: QFormLayout.ItemRole) -> QWidget | None:
    item = form.itemAt(row, role)
    return None if item is None else item.widget()


def _mentored_school(db: Database) -> int:
    """A demo school that has a mentor school in 2022/23."""
    return next(a.school_id for a in db.people.assignments(YEAR) if a.mentor_school_id)


def test_the_passport_shows_the_agreement_next_to_the_mentor_school(
    qtbot: Bot, show_panel: ShowPanel, demo_db: Database
) -> None:
    school_id = _mentored_school(demo_db)
    demo_db.people.set_assignment(
        school_id,
        YEAR,
        {"mentor_agreement_no": "7-н", "mentor_agreement_date": date(2022, 9, 1)},
        "Соглашение",
    )
    panel = _passport(qtbot, show_panel, demo_db, school_id)
    number, day = _line(panel, "mentor_agreement_no"), _line(panel, "mentor_agreement_date")
    assert (number.text(), day.text()) == ("7-н", "01.09.2022")
    assert number.isEnabled() and day.isEnabled()
    # Under the mentor school, in the same box, labelled as the agreement.
    mentor = panel.editors[("profile", "mentor_school_id")]
    form = mentor.parentWidget().layout()  # type: ignore[union-attr]
    assert isinstance(form, QFormLayout)
    position: Any = form.getWidgetPosition(mentor)  # (row, role): PySide6 types it as object
    row = int(position[0])
    labels = []
    for offset, name in enumerate(("mentor_agreement_no", "mentor_agreement_date"), 1):
        label = _widget_at(form, row + offset, QFormLayout.ItemRole.LabelRole)
        assert isinstance(label, QLabel)
        labels.append(label.text())
        field = _widget_at(form, row + offset, QFormLayout.ItemRole.FieldRole)
        assert field is panel.editors[("profile", name)]
    assert labels == [
        "Соглашение со школой-наставником: №",
        "Соглашение со школой-наставником: дата",
    ]
    # Typed in the passport, it is the «Люди» page's agreement too; one undo takes it back.
    _focus(qtbot, number)
    number.selectAll()
    _type(number, "8-н")
    qtbot.keyClick(number, Qt.Key.Key_Tab)
    assert demo_db.people.assignment(school_id, YEAR).agreement_no == "8-н"
    assert day.hasFocus()
    demo_db.undo.undo()
    assert number.text() == "7-н"


def test_without_a_mentor_school_the_agreement_waits_for_one(
    qtbot: Bot, show_panel: ShowPanel, demo_db: Database
) -> None:
    school_id = _mentored_school(demo_db)
    panel = _passport(qtbot, show_panel, demo_db, school_id)
    demo_db.people.set_assignment(school_id, YEAR, {"mentor_school_id": None}, "Без наставника")
    number = _line(panel, "mentor_agreement_no")
    assert not number.isEnabled()
    assert "школу-наставника" in panel.editors[("profile", "mentor_agreement_no")].toolTip()
    demo_db.undo.undo()
    assert number.isEnabled()


def test_a_bad_date_is_refused_in_the_passport_and_on_the_people_page_for_one_reason(
    qtbot: Bot, show_panel: ShowPanel, demo_db: Database
) -> None:
    school_id = _mentored_school(demo_db)
    before = demo_db.people.assignment(school_id, YEAR)
    passport = _passport(qtbot, show_panel, demo_db, school_id)
    field = passport.editors[("profile", "mentor_agreement_date")]
    day = _line(passport, "mentor_agreement_date")
    _focus(qtbot, day)
    _type(day, "31.02.2022")  # no such day
    qtbot.keyClick(day, Qt.Key.Key_Return)
    assert day.text() == "31.02.2022"  # kept for correction
    assert field.note.isVisibleTo(passport)
    in_passport = field.reason
    assert in_passport == "нужна дата, например 31.08.2024"
    assert field.note.text().startswith("Нужна дата, например 31.08.2024.")
    assert demo_db.people.assignment(school_id, YEAR) == before
    passport.close()

    people: PeoplePanel = show_panel(PeoplePanel, demo_db, size=(1300, 720))
    with qtbot.waitActive(people):
        people.activateWindow()
    people.year.set_year(YEAR)
    assert people.select_school(school_id)
    people.assignment_view.setFocus()
    qtbot.keyClick(people.assignment_view, Qt.Key.Key_Return)
    dialog = people.dialog
    assert isinstance(dialog, AssignmentDialog)
    with qtbot.waitActive(dialog):
        dialog.activateWindow()
    _focus(qtbot, dialog.day)
    dialog.day.selectAll()
    _type(dialog.day, "31.02.2022")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible()
    shown = dialog.errors["mentor_agreement_date"]
    assert shown.isVisible()
    assert shown.text() == in_passport[:1].upper() + in_passport[1:] + "."
    # A date the passport's rules refuse is refused here too, from the write itself.
    dialog.day.selectAll()
    _type(dialog.day, "01.09.2022")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()
    assert demo_db.people.assignment(school_id, YEAR).agreement_date == date(2022, 9, 1)
