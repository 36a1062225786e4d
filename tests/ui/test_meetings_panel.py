"""The page «Заседания»: the protocol of 03.07.2023 as the document, edited in place by the keys.

Every edit is made as a user makes it (a click into the line, keys, Tab or
Enter); what reaches the database is read back through the repository.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtCore import QPoint, QSettings, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QComboBox, QLabel, QLineEdit, QPlainTextEdit, QTextEdit, QWidget

from shnor_desktop.models.database import Database
from shnor_desktop.models.meetings import Meeting
from shnor_desktop.ui.main_window import MainWindow
from shnor_desktop.ui.meetings_panel import (
    AttendeeDialog,
    DecisionDialog,
    DocField,
    MeetingListModel,
    MeetingsPanel,
)
from shnor_desktop.ui.roadmap_panel import RoadmapPanel
from tests.models.test_meetings import (
    SEED_AGENDA,
    SEED_HEARD,
    SEED_POINTS,
    SEED_PRESENT,
    SEED_TITLE,
)
from tests.ui.conftest import ShowPanel

Bot = Any


def _type(widget: QWidget, text: str) -> None:
    """Type text key by key (QTest's keyClicks knows only ASCII)."""
    for char in text:
        QTest.sendKeyEvent(
            QTest.KeyAction.Click, widget, Qt.Key.Key_unknown, char, Qt.KeyboardModifier(0)
        )


def _open(qtbot: Bot, show_panel: ShowPanel, db: Database) -> MeetingsPanel:
    panel: MeetingsPanel = show_panel(MeetingsPanel, db, size=(1300, 760))
    with qtbot.waitActive(panel):
        panel.activateWindow()
    return panel


def _meeting(panel: MeetingsPanel) -> Meeting:
    assert panel.db is not None and panel.meeting_id is not None
    return panel.db.meetings.meeting(panel.meeting_id)


def _field(panel: MeetingsPanel, table: str, name: str, row_id: int | None = None) -> DocField:
    meeting = _meeting(panel)
    if row_id is None:
        row_id = meeting.id if table == "meeting" else meeting.items[0].id
    return panel.sheet.field(table, row_id, name)


def _buttons(panel: MeetingsPanel, tip: str) -> list[QWidget]:
    """The buttons of the protocol shown with this tooltip (a sheet laid out anew is gone)."""
    return [b for b in panel.sheet.findChildren(QWidget) if b.toolTip() == tip and b.isVisible()]


def _edit(qtbot: Bot, field: DocField, text: str, leave: Qt.Key = Qt.Key.Key_Tab) -> None:
    """Click into a field, select what it holds, type ``text`` and leave with a key."""
    editor = field.editor
    field.window().activateWindow()
    QTest.mouseClick(editor.focusProxy() or editor, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(editor.hasFocus, timeout=2000)
    qtbot.keyClick(editor, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    if text:
        _type(editor, text)
    else:
        qtbot.keyClick(editor, Qt.Key.Key_Delete)
    qtbot.keyClick(editor, leave)


def test_list_model_passes_the_model_tester(
    qtmodeltester: Bot, qtbot: Bot, show_panel: ShowPanel, demo_db: Database
) -> None:
    panel = _open(qtbot, show_panel, demo_db)
    assert panel.model.rowCount() == 1
    qtmodeltester.check(panel.model)
    demo_db.meetings.add_meeting({"number": "2", "meeting_date": "2023-08-30"}, "+")
    assert panel.model.rowCount() == 2
    qtmodeltester.check(panel.model)
    index = panel.model.index(1, MeetingListModel.COL_DATE)
    assert index.data() == "03.07.2023"  # the latest first
    agenda = panel.model.index(1, MeetingListModel.COL_AGENDA)
    assert agenda.data(Qt.ItemDataRole.ToolTipRole) == SEED_AGENDA


def test_the_protocol_of_03_07_2023_reads_as_seed_004(
    qtbot: Bot, show_panel: ShowPanel, demo_db: Database
) -> None:
    panel = _open(qtbot, show_panel, demo_db)
    meeting = _meeting(panel)
    sheet = panel.sheet
    assert sheet.isVisible()
    office = sheet.findChild(QLabel, "office")
    assert office is not None
    assert (
        office.text() == "Управление образованием администрации Ивантеевского муниципального района"
    )
    assert _field(panel, "meeting", "title").text() == SEED_TITLE
    assert _field(panel, "meeting", "number").text() == "1"
    assert _field(panel, "meeting", "meeting_date").text() == "03.07.2023"
    assert _field(panel, "meeting", "chair_post").text() == "муниципальный координатор"
    assert _field(panel, "meeting", "chair_id").text() == "Астраханцева О.В."
    assert _field(panel, "meeting", "secretary_id").text() == "—"
    headings = [w.text() for w in sheet.findChildren(QLabel, "attendee_role")]
    assert headings == ["Тьютор-консультант:"]
    names = [sheet.name_labels[a.id].text() for a in meeting.attendees]
    posts = [sheet.field("meeting_attendee", a.id, "post").text() for a in meeting.attendees]
    assert list(zip(names, posts, strict=True)) == [(n, p) for n, _, p in SEED_PRESENT]
    assert _field(panel, "meeting_item", "title").text() == SEED_AGENDA
    assert _field(panel, "meeting_item", "heard").text() == SEED_HEARD
    decided = _field(panel, "meeting_item", "decided").text()
    assert decided.splitlines() == [f"{n}. {p}" for n, p in enumerate(SEED_POINTS, 1)]
    item = meeting.items[0]
    assert sheet.vote_boxes[item.id].isChecked()
    assert not sheet.count_rows[item.id].isVisible()  # «Голосовали единогласно.»
    assert [w.text() for w in sheet.findChildren(QLabel, "signature")] == ["О.В. Астраханцева"]
    # The paragraphs are as tall as their text: nothing of the protocol is scrolled away.
    heard = _field(panel, "meeting_item", "heard").editor
    assert isinstance(heard, QTextEdit)
    assert heard.verticalScrollBar().maximum() == 0
    assert heard.height() >= heard.document().size().height()


def test_a_line_is_saved_on_leaving_it_and_undone(
    qtbot: Bot, show_panel: ShowPanel, demo_db: Database
) -> None:
    panel = _open(qtbot, show_panel, demo_db)
    place = _field(panel, "meeting", "place")
    _edit(qtbot, place, "с. Ивантеевка, управление образованием")
    qtbot.waitUntil(lambda: _meeting(panel).place == "с. Ивантеевка, управление образованием")
    assert demo_db.undo.undo_label().endswith("«Место проведения»")
    demo_db.undo.undo()
    qtbot.waitUntil(lambda: _field(panel, "meeting", "place").text() == "")
    # A paragraph: Tab leaves it (it does not type a tab) and saves it.
    heard = _field(panel, "meeting_item", "heard")
    _edit(qtbot, heard, "муниципального координатора")
    qtbot.waitUntil(lambda: _meeting(panel).items[0].heard == "муниципального координатора")
    assert not heard.editor.hasFocus()


def test_a_refused_value_stays_with_its_reason_and_escape_restores(
    qtbot: Bot, show_panel: ShowPanel, demo_db: Database
) -> None:
    panel = _open(qtbot, show_panel, demo_db)
    day = _field(panel, "meeting", "meeting_date")
    _edit(qtbot, day, "31.02.2023", Qt.Key.Key_Return)
    assert day.note.isVisible()
    assert day.note.text() == "Нужна дата, например 31.08.2024."
    assert day.text() == "31.02.2023"  # what was typed stays
    assert _meeting(panel).meeting_date == "2023-07-03"
    qtbot.keyClick(day.editor, Qt.Key.Key_Escape)
    assert (day.text(), day.note.isVisible()) == ("03.07.2023", False)
    # A date that moves № 1 into a school year that has a № 1 already is refused by the rule.
    demo_db.meetings.add_meeting({"number": "1", "meeting_date": "2023-09-15"}, "+")
    panel.show_meeting(demo_db.meetings.by_number("1", 2022).id)  # type: ignore[union-attr]
    day = _field(panel, "meeting", "meeting_date")
    _edit(qtbot, day, "01.10.2023", Qt.Key.Key_Return)
    assert day.note.text() == "Протокол с таким номером в 2023/24 учебном году уже есть."
    # Correcting it saves and clears the reason.
    _edit(qtbot, day, "04.07.2023", Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: _meeting(panel).meeting_date == "2023-07-04")
    assert not day.note.isVisible()


def test_vote_unanimous_or_counts_by_mouse_and_keys(
    qtbot: Bot, show_panel: ShowPanel, demo_db: Database
) -> None:
    panel = _open(qtbot, show_panel, demo_db)
    item_id = _meeting(panel).items[0].id
    box = panel.sheet.vote_boxes[item_id]
    QTest.mouseClick(box, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not _meeting(panel).items[0].unanimous)
    counts = panel.sheet.count_rows[item_id]
    qtbot.waitUntil(counts.isVisible)
    vote_for = _field(panel, "meeting_item", "vote_for")
    _edit(qtbot, vote_for, "-1")
    assert vote_for.note.text() == "Значение не может быть отрицательным."
    _edit(qtbot, vote_for, "7")
    _edit(qtbot, _field(panel, "meeting_item", "vote_against"), "0")
    _edit(qtbot, _field(panel, "meeting_item", "vote_abstain"), "0")
    qtbot.waitUntil(lambda: _meeting(panel).items[0].vote_abstain == 0)
    assert _meeting(panel).items[0].vote_text == (
        "Голосовали: «за» – 7, «против» – 0, «воздержались» – 0."
    )
    assert not vote_for.note.isVisible()
    # Ticking «единогласно» clears the counts in the same change: one undo brings them back.
    box = panel.sheet.vote_boxes[item_id]
    QTest.mouseClick(box, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: _meeting(panel).items[0].unanimous)
    item = _meeting(panel).items[0]
    assert (item.vote_for, item.vote_against, item.vote_abstain) == (None, None, None)
    assert not panel.sheet.count_rows[item_id].isVisible()
    demo_db.undo.undo()
    qtbot.waitUntil(lambda: _meeting(panel).items[0].vote_for == 7)
    assert panel.sheet.count_rows[item_id].isVisible()


def test_decision_to_roadmap_and_the_jump_to_it(
    qtbot: Bot, settings: QSettings, demo_path: Path
) -> None:
    window = MainWindow(settings)
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    assert window.open_database(demo_path)
    qtbot.waitUntil(lambda: not any(t.running for t in window.tasks), timeout=10000)
    panel = next(p for p in window.panels if isinstance(p, MeetingsPanel))
    window.nav.setCurrentRow(window.panels.index(panel))
    db = window.db
    assert db is not None
    item_id = _meeting(panel).items[0].id
    button = panel.sheet.roadmap_buttons[item_id]
    QTest.mouseClick(button, Qt.MouseButton.LeftButton)
    dialog = panel.dialog
    assert isinstance(dialog, DecisionDialog)
    # A numbered decision: its last point is offered, with the protocol named as evidence.
    text = dialog.findChild(QPlainTextEdit, "field_title")
    assert text is not None and text.toPlainText() == SEED_POINTS[2]
    section = dialog.findChild(QComboBox, "field_section_id")
    assert section is not None
    programme = db.roadmap.programmes()[0]
    target = next(s for s in db.roadmap.sections(programme.id) if s.number == "4")
    section.setCurrentIndex(section.findData(target.id))
    deadline = dialog.findChild(QLineEdit, "field_deadline_text")
    assert deadline is not None
    deadline.setFocus()
    _type(deadline, "в 2023-2024 учебном году")
    responsible = dialog.findChild(QLineEdit, "field_responsible")
    assert responsible is not None
    responsible.setFocus()
    _type(responsible, "Руководители ОО")
    QTest.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.dialog is None)
    (activity,) = _meeting(panel).items[0].activities
    made = db.roadmap.activity(activity.id)
    assert (made.title, made.responsible, made.deadline_text, made.evidence) == (
        SEED_POINTS[2],
        "Руководители ОО",
        "в 2023-2024 учебном году",
        "Протокол № 1 от 03.07.2023",
    )
    link = panel.sheet.activity_links[activity.id]
    assert "→ В дорожной карте: 4.4 «Руководителям образовательных" in link.text()
    QTest.mouseClick(
        link, Qt.MouseButton.LeftButton, pos=QPoint(6, link.fontMetrics().height() // 2 + 2)
    )
    roadmap = window.stack.currentWidget()
    assert isinstance(roadmap, RoadmapPanel)
    current = roadmap.view.currentIndex()
    assert current.isValid()
    assert current.siblingAtColumn(0) == roadmap.model.index_of_activity(activity.id)
    # Undo in the window takes the activity and the link back in one step.
    window.undo()
    qtbot.waitUntil(lambda: _meeting(panel).items[0].activities == ())
    window.nav.setCurrentRow(window.panels.index(panel))
    qtbot.waitUntil(lambda: panel.sheet.activity_links == {})
    window.close()


def test_decision_dialog_says_why_it_was_refused(
    qtbot: Bot, show_panel: ShowPanel, demo_db: Database
) -> None:
    panel = _open(qtbot, show_panel, demo_db)
    item_id = _meeting(panel).items[0].id
    QTest.mouseClick(panel.sheet.roadmap_buttons[item_id], Qt.MouseButton.LeftButton)
    dialog = panel.dialog
    assert isinstance(dialog, DecisionDialog)
    text = dialog.findChild(QPlainTextEdit, "field_title")
    assert text is not None
    text.setFocus()
    qtbot.keyClick(text, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(text, Qt.Key.Key_Delete)
    QTest.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible()
    assert dialog.errors["title"].text() == "Поле обязательно."
    assert _meeting(panel).items[0].activities == ()
    dialog.reject()


def test_agenda_items_added_typed_moved_and_removed(
    qtbot: Bot, show_panel: ShowPanel, demo_db: Database, answers: list[str]
) -> None:
    panel = _open(qtbot, show_panel, demo_db)
    add = panel.sheet.findChild(QWidget, "add_item")
    assert add is not None
    QTest.mouseClick(add, Qt.MouseButton.LeftButton)  # type: ignore[arg-type]
    meeting = _meeting(panel)
    assert [i.number for i in meeting.items] == [1, 2]
    new = meeting.items[1]
    title = panel.sheet.field("meeting_item", new.id, "title")
    qtbot.waitUntil(title.editor.hasFocus)  # the new item's question is ready to be typed
    _type(title.editor, "О подготовке к ВПР")
    qtbot.keyClick(title.editor, Qt.Key.Key_Tab)
    qtbot.waitUntil(lambda: _meeting(panel).items[1].title == "О подготовке к ВПР")
    up = _buttons(panel, "Вопрос выше")
    assert [b.isEnabled() for b in up] == [False, True]
    QTest.mouseClick(up[1], Qt.MouseButton.LeftButton)  # type: ignore[arg-type]
    qtbot.waitUntil(lambda: _meeting(panel).items[0].title == "О подготовке к ВПР")
    assert [i.number for i in _meeting(panel).items] == [1, 2]
    remove = _buttons(panel, "Удалить вопрос повестки")
    QTest.mouseClick(remove[0], Qt.MouseButton.LeftButton)  # type: ignore[arg-type]
    assert answers and "Удалить вопрос 1 повестки" in answers[0]
    qtbot.waitUntil(lambda: [i.title for i in _meeting(panel).items] == [SEED_AGENDA])


def test_attendee_added_through_the_dialog_once(
    qtbot: Bot, show_panel: ShowPanel, demo_db: Database
) -> None:
    _, person = demo_db.district.add_person(
        {"full_name": "Иванова А.С.", "position": "методист"}, (), "+"
    )
    panel = _open(qtbot, show_panel, demo_db)
    add = panel.sheet.findChild(QWidget, "add_attendee")
    assert add is not None
    QTest.mouseClick(add, Qt.MouseButton.LeftButton)  # type: ignore[arg-type]
    dialog = panel.dialog
    assert isinstance(dialog, AttendeeDialog)
    who = dialog.findChild(QComboBox, "field_person_id")
    assert who is not None
    who.setCurrentIndex(who.findData(person))
    post = dialog.findChild(QLineEdit, "field_post")
    assert post is not None and post.text() == "методист"  # the person's post, as offered
    QTest.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.dialog is None)
    attendees = _meeting(panel).attendees
    assert (attendees[-1].name, attendees[-1].role, attendees[-1].post) == (
        "Иванова А.С.",
        "Тьютор-консультант",
        "методист",
    )
    # The same person again: the reason under «Кто», nothing written.
    QTest.mouseClick(add, Qt.MouseButton.LeftButton)  # type: ignore[arg-type]
    dialog = panel.dialog
    assert isinstance(dialog, AttendeeDialog)
    who = dialog.findChild(QComboBox, "field_person_id")
    assert who is not None
    who.setCurrentIndex(who.findData(person))
    QTest.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.errors["person_id"].text() == "Этот человек уже есть в списке присутствовавших."
    dialog.reject()
    assert len(_meeting(panel).attendees) == 7


def test_search_new_meeting_and_removal(
    qtbot: Bot, show_panel: ShowPanel, demo_db: Database, answers: list[str]
) -> None:
    panel = _open(qtbot, show_panel, demo_db)
    panel.search.setFocus()
    _type(panel.search, "ЛОБАНОВА")
    qtbot.waitUntil(lambda: panel.model.rowCount() == 1)
    panel.search.clear()
    _type(panel.search, "олимпиада")
    qtbot.waitUntil(lambda: panel.model.rowCount() == 0)
    assert panel.empty.isVisible() and not panel.sheet.isVisible()
    panel.search.clear()
    qtbot.waitUntil(lambda: panel.model.rowCount() == 1)
    QTest.mouseClick(panel.add_button, Qt.MouseButton.LeftButton)
    new = _meeting(panel)
    assert new.meeting_date == date.today().isoformat()
    assert (new.title, new.chair_name, new.number) == (SEED_TITLE, "Астраханцева О.В.", "1")
    assert panel.model.rowCount() == 2
    QTest.mouseClick(panel.remove_button, Qt.MouseButton.LeftButton)
    assert answers and answers[-1].startswith("Удалить протокол № 1 от")
    qtbot.waitUntil(lambda: panel.model.rowCount() == 1)
    assert _meeting(panel).meeting_date == "2023-07-03"


def test_wheel_over_the_protocol_scrolls_and_changes_nothing(
    qtbot: Bot, show_panel: ShowPanel, demo_db: Database, wheel: Any
) -> None:
    panel = _open(qtbot, show_panel, demo_db)
    bar = panel.scroll_area.verticalScrollBar()
    assert bar.maximum() > 0  # the protocol is longer than the page
    chair = _field(panel, "meeting", "chair_id")
    wheel(chair.editor, -3)
    assert _field(panel, "meeting", "chair_id").text() == "Астраханцева О.В."
    wheel(_field(panel, "meeting_item", "heard").editor, -3)
    assert bar.value() > 0
    assert not demo_db.undo.can_undo
