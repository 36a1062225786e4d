"""The programme's card, the sections' commands and approving the whole plan in «Дорожная карта».

The demo holds the programme of 2023–2024 with seed 004's plan: a table of
four numbered sections (1. … 4.) and a second table of 18 activities.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QWidget

from shnor_desktop.models.database import Database
from shnor_desktop.models.roadmap import RoadmapQuery, Section
from shnor_desktop.ui.programme_dialog import ProgrammeDialog
from shnor_desktop.ui.roadmap_panel import RoadmapPanel, SectionDialog
from tests.models.test_write_path import data_dump

Bot = Any
TODAY = date(2024, 3, 15)


def _open(qtbot: Bot, show_panel: Any, db: Database) -> RoadmapPanel:
    panel: RoadmapPanel = show_panel(RoadmapPanel, db, size=(1300, 760))
    with qtbot.waitActive(panel):
        panel.activateWindow()
    panel.today = TODAY
    panel.reload()
    return panel


def _type(widget: QWidget, text: str) -> None:
    """Type text key by key (QTest's keyClicks knows only ASCII)."""
    for char in text:
        QTest.sendKeyEvent(
            QTest.KeyAction.Click, widget, Qt.Key.Key_unknown, char, Qt.KeyboardModifier(0)
        )


def _replace(qtbot: Bot, edit: QWidget, text: str) -> None:
    edit.setFocus()
    qtbot.keyClick(edit, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(edit, Qt.Key.Key_Delete)
    _type(edit, text)


def _section(db: Database, number: str) -> Section:
    programme = db.roadmap.programmes()[0]
    found = [s for s in db.roadmap.sections(programme.id) if s.number == number]
    assert len(found) == 1, number
    return found[0]


def _select_section(panel: RoadmapPanel, section_id: int) -> None:
    index = panel.model.index_of_key(("s", section_id))
    assert index.isValid()
    panel.view.setFocus()
    panel.view.setCurrentIndex(index)


def test_a_new_programme_is_checked_created_shown_and_undone(
    qtbot: Bot, show_panel: Any, demo_db: Database
) -> None:
    panel = _open(qtbot, show_panel, demo_db)
    before = data_dump(demo_db.conn)
    dialog = panel.new_programme()
    assert isinstance(dialog, ProgrammeDialog) and dialog.isVisible()
    _type(dialog.edits["title"], "Программа поддержки школ на 2025–2027 годы")
    _replace(qtbot, dialog.edits["start_year"], "2025")
    _replace(qtbot, dialog.edits["end_year"], "2024")
    _type(dialog.edits["order_date"], "31.13.2024")
    qtbot.keyClick(dialog.save_button, Qt.Key.Key_Space)
    # Refused under each field, nothing written, what was typed stays.
    assert dialog.isVisible()
    assert dialog.errors["end_year"].text() == (
        "Год окончания программы не может быть раньше года начала."
    )
    assert "нужна дата" in dialog.errors["order_date"].text().lower()
    assert data_dump(demo_db.conn) == before
    _replace(qtbot, dialog.edits["end_year"], "2027")
    _replace(qtbot, dialog.edits["order_date"], "20.12.2024")
    _type(dialog.edits["order_number"], "245")
    qtbot.keyClick(dialog.save_button, Qt.Key.Key_Space)
    assert not dialog.isVisible()
    made = [p for p in demo_db.roadmap.programmes() if p.start_year == 2025]
    assert len(made) == 1
    assert (made[0].end_year, made[0].order_number, made[0].order_date) == (
        2027,
        "245",
        "2024-12-20",
    )
    # The panel shows the new programme, empty, and offers its first section.
    assert panel.programme_id == made[0].id
    assert panel.empty.isVisible()
    assert "нет дорожной карты" in panel.empty.title.text()
    assert demo_db.undo.undo_label().startswith("Новая программа «Программа поддержки школ")
    demo_db.undo.undo(None)
    assert data_dump(demo_db.conn) == before


def test_a_longer_period_reads_the_deadlines_again_and_one_undo_restores(
    qtbot: Bot, show_panel: Any, demo_db: Database
) -> None:
    panel = _open(qtbot, show_panel, demo_db)
    programme = demo_db.roadmap.programmes()[0]
    yearly = next(
        a
        for a in demo_db.roadmap.activities(RoadmapQuery(programme.id))
        if a.deadline_text == "ежегодно"
    )
    assert len(yearly.intervals) == 2  # 2023 and 2024
    before = data_dump(demo_db.conn)
    dialog = panel.edit_programme()
    assert isinstance(dialog, ProgrammeDialog)
    assert dialog.edits["start_year"].text() == "2023"
    _replace(qtbot, dialog.edits["end_year"], "2025")
    _type(dialog.edits["order_number"], "112")
    qtbot.keyClick(dialog.save_button, Qt.Key.Key_Space)
    assert not dialog.isVisible()
    after = demo_db.roadmap.programme(programme.id)
    assert (after.end_year, after.order_number) == (2025, "112")
    assert [s.year for s, _ in demo_db.roadmap.activity(yearly.id).intervals] == [
        2023,
        2024,
        2025,
    ]
    demo_db.undo.undo(None)  # the card and the deadlines read again: one action
    assert data_dump(demo_db.conn) == before


def test_a_section_is_renamed_renumbered_moved_and_removed_from_the_table(
    qtbot: Bot, show_panel: Any, demo_db: Database, answers: list[str]
) -> None:
    panel = _open(qtbot, show_panel, demo_db)
    before = data_dump(demo_db.conn)
    third = _section(demo_db, "3")
    _select_section(panel, third.id)
    assert panel.current_section() is not None and panel.current_activity() is None
    assert panel.edit_action.isEnabled() and panel.remove_action.isEnabled()
    assert panel.up_action.isEnabled() and panel.down_action.isEnabled()
    assert "раздел" in panel.edit_action.toolTip()
    # «Изменить…» on a section row opens the section's number and title.
    panel.edit_action.trigger()
    dialog = panel.findChild(SectionDialog)
    assert dialog is not None and dialog.isVisible()
    assert dialog.title.text().startswith("Развитие кадрового потенциала")
    _replace(qtbot, dialog.number, "5")
    qtbot.keyClick(dialog.title, Qt.Key.Key_Return)
    assert not dialog.isVisible()
    numbers = sorted(
        a.number
        for a in demo_db.roadmap.activities(
            RoadmapQuery(third.programme_id, section_ids=(third.id,))
        )
    )
    assert numbers == ["5.1", "5.2", "5.3", "5.4"]
    demo_db.undo.undo(None)
    assert data_dump(demo_db.conn) == before
    # Ctrl+Down moves the section below «4.»; both are numbered again.
    _select_section(panel, third.id)
    qtbot.keyClick(panel.view, Qt.Key.Key_Down, Qt.KeyboardModifier.ControlModifier)
    assert demo_db.roadmap.section(third.id).number == "4"
    assert _section(demo_db, "3").title.startswith("Управление реализацией")
    assert panel.current_section() is not None and panel.current_section().id == third.id
    demo_db.undo.undo(None)
    assert data_dump(demo_db.conn) == before
    # Removal asks, names what goes with it, and is one undoable action.
    _select_section(panel, third.id)
    answers.append("no")
    panel.remove_action.trigger()
    assert "вместе с его мероприятиями (4 мероприятия)?" in answers[-1]
    assert data_dump(demo_db.conn) == before
    answers.clear()
    qtbot.keyClick(panel.view, Qt.Key.Key_Delete, Qt.KeyboardModifier.ControlModifier)
    assert len(answers) == 1
    assert _section(demo_db, "3").title.startswith("Управление реализацией")
    demo_db.undo.undo(None)
    assert data_dump(demo_db.conn) == before


def test_approving_every_date_as_the_plan_is_one_action(
    qtbot: Bot, show_panel: Any, demo_db: Database, answers: list[str]
) -> None:
    panel = _open(qtbot, show_panel, demo_db)
    programme = demo_db.roadmap.programmes()[0]
    first, second = demo_db.roadmap.activities(RoadmapQuery(programme.id))[:2]
    statuses: list[str] = []
    panel.sig_status.connect(statuses.append)
    panel.baseline_all_action.trigger()  # nothing differs from the plan yet
    assert statuses[-1] == "Сроки всех мероприятий уже совпадают с утверждённым планом."
    assert not answers
    later = ((date(2024, 10, 1), date(2024, 10, 31)),)
    demo_db.roadmap.set_intervals(first.id, later, "сдвинуто")
    demo_db.roadmap.set_intervals(second.id, later, "сдвинуто")
    before = data_dump(demo_db.conn)
    panel.baseline_all_action.trigger()
    assert "Утвердить нынешние сроки как план у 2 мероприятий?" in answers[-1]
    for activity_id in (first.id, second.id):
        assert demo_db.roadmap.activity(activity_id).baseline == later
    assert demo_db.undo.undo_label() == "Дорожная карта: сроки 2 мероприятий утверждены как план"
    demo_db.undo.undo(None)
    assert data_dump(demo_db.conn) == before
