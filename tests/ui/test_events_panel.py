"""The page «Мероприятия» on the demo district: filters, totals, the form, undo."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QComboBox, QWidget

from shnor_desktop.models.database import Database
from shnor_desktop.models.events import EventQuery, school_year_period
from shnor_desktop.ui.event_models import EventTableModel, KindTotalsModel, QuarterTotalsModel
from shnor_desktop.ui.events_panel import EventDialog, EventsPanel

Bot = Any
ShowPanel = Callable[..., Any]
#: The completer's popup (audience, organiser typed before) under the offscreen platform.
popup_messages = pytest.mark.qt_log_ignore(
    "This plugin does not support raise", "This plugin does not support grabbing the keyboard"
)


def _type(widget: QWidget, text: str) -> None:
    """Type text key by key (QTest's keyClicks knows only ASCII)."""
    for char in text:
        QTest.sendKeyEvent(
            QTest.KeyAction.Click, widget, Qt.Key.Key_unknown, char, Qt.KeyboardModifier(0)
        )


def _open(qtbot: Bot, show_panel: ShowPanel, db: Database) -> EventsPanel:
    panel: EventsPanel = show_panel(EventsPanel, db, size=(1190, 700))
    with qtbot.waitActive(panel):  # shortcuts (Insert, Delete) need an active window
        panel.activateWindow()
    return panel


def _choose(qtbot: Bot, combo: QComboBox, text: str) -> None:
    """Choose an item of a combo box with the keyboard, as a user would."""
    combo.setFocus()
    target = combo.findText(text)
    assert target >= 0, text
    while combo.currentIndex() != target:
        key = Qt.Key.Key_Down if combo.currentIndex() < target else Qt.Key.Key_Up
        qtbot.keyClick(combo, key)


def _rows(panel: EventsPanel) -> int:
    while panel.model.canFetchMore():
        panel.model.fetchMore()
    return panel.model.rowCount()


def _cell_centre(panel: EventsPanel, row: int, column: int) -> QPoint:
    return panel.view.visualRect(panel.model.index(row, column)).center()


def _double_click(qtbot: Bot, panel: EventsPanel, row: int) -> None:
    """As a mouse does: the first click's press and release, then the double click."""
    centre = _cell_centre(panel, row, EventTableModel.COL_TOPIC)
    viewport = panel.view.viewport()
    qtbot.mouseClick(viewport, Qt.MouseButton.LeftButton, pos=centre)
    qtbot.mouseDClick(viewport, Qt.MouseButton.LeftButton, pos=centre)


def test_models_pass_the_model_tester(
    qtbot: Bot, qtmodeltester: Any, show_panel: ShowPanel, demo_db: Database
) -> None:
    panel = _open(qtbot, show_panel, demo_db)
    _choose(qtbot, panel.period, "Все годы")
    for model in (panel.model, panel.kind_model, panel.quarter_model):
        assert model.rowCount() > 0
        qtmodeltester.check(model)
    assert isinstance(panel.model, EventTableModel)
    assert isinstance(panel.kind_model, KindTotalsModel)
    assert isinstance(panel.quarter_model, QuarterTotalsModel)


def test_period_kind_search_and_totals(
    qtbot: Bot, show_panel: ShowPanel, demo_db: Database
) -> None:
    panel = _open(qtbot, show_panel, demo_db)
    # The latest school year with events comes first.
    assert panel.period.currentText() == "2023/24 учебный год"
    assert _rows(panel) == 4
    assert panel.count_label.text() == "4 мероприятия, охват 195 чел."
    _choose(qtbot, panel.period, "2022/23 учебный год")
    assert _rows(panel) == 31
    start, end = school_year_period(2022)
    totals = demo_db.events.totals(EventQuery(date_from=start, date_to=end))
    assert panel.kind_model.records() == list(totals.by_kind)
    assert panel.quarter_model.records() == list(totals.by_quarter)
    quarters = [
        panel.quarter_model.index(r, QuarterTotalsModel.COL_QUARTER).data()
        for r in range(panel.quarter_model.rowCount())
    ]
    assert quarters[0] == "IV кв. 2022" and quarters[-1].endswith("кв. 2023")
    # Totals read as a sentence, with one full stop (not «чел..»).
    assert (totals.events, totals.coverage) == (31, 370)
    assert panel.total_label.text() == "31 мероприятие, охват 370 чел."
    _choose(qtbot, panel.kind_filter, "мастер-класс")
    assert _rows(panel) == 4
    assert [panel.kind_model.record(r).kind for r in range(panel.kind_model.rowCount())] == [
        "мастер-класс"
    ]
    _choose(qtbot, panel.kind_filter, "Все виды")
    panel.search.setFocus()
    _type(panel.search, "ФУНКЦИОНАЛЬН")
    qtbot.waitUntil(lambda: panel.model.rowCount() == 5, timeout=2000)
    topics = [panel.model.record(r).topic for r in range(panel.model.rowCount())]
    assert all("функциональн" in t.casefold() for t in topics)
    # A period of dates: the autumn of 2022 only.
    _choose(qtbot, panel.period, "Период…")
    assert panel.date_from.isVisible() and panel.date_to.isVisible()
    panel.search.clear()
    panel.search.cancel_pending()
    panel.date_from.setFocus()
    panel.date_to.setDate(panel.date_to.date().addDays(-365))  # 31.08.2023 → 31.08.2022
    qtbot.waitUntil(lambda: panel.model.rowCount() == 0, timeout=2000)
    assert panel.total_label.text() == "Мероприятий за этот период нет."


@popup_messages
def test_add_with_the_keyboard_refusal_stays_then_undo(
    qtbot: Bot, show_panel: ShowPanel, demo_db: Database
) -> None:
    panel = _open(qtbot, show_panel, demo_db)
    panel.view.setFocus()
    qtbot.keyClick(panel.view, Qt.Key.Key_Insert)
    dialog = panel.dialog
    assert isinstance(dialog, EventDialog)
    qtbot.waitExposed(dialog)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is dialog.date)  # typing starts at once
    _type(dialog.date, "31.02.2024")
    qtbot.keyClick(dialog.date, Qt.Key.Key_Tab)
    _choose(qtbot, dialog.kind, "круглый стол")
    qtbot.keyClick(dialog.kind, Qt.Key.Key_Tab)
    _type(dialog.topic, "Итоги ВПР в школах зоны риска")
    qtbot.keyClick(dialog.topic, Qt.Key.Key_Tab)
    _type(dialog.audience, "заместители директоров")
    qtbot.keyClick(dialog.audience, Qt.Key.Key_Tab)
    _type(dialog.coverage, "двадцать")
    qtbot.keyClick(dialog.coverage, Qt.Key.Key_Return)
    # Refused: the reasons are under their fields, and what was typed stays.
    assert dialog.isVisible()
    assert dialog.errors["event_date"].text() == (
        "Нужна дата, например 28.05.2021, или пусто, если дата неизвестна."
    )
    assert dialog.errors["coverage"].text() == "Охват — целое число людей, например 25."
    assert dialog.topic.toPlainText() == "Итоги ВПР в школах зоны риска"
    assert QApplication.focusWidget() is dialog.date  # the first refused field
    dialog.date.selectAll()
    _type(dialog.date, "12.03.2024")
    dialog.coverage.selectAll()
    dialog.coverage.setFocus()
    _type(dialog.coverage, "18")
    qtbot.keyClick(dialog.coverage, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: panel.dialog is None)
    event = panel.current_event()
    assert event is not None
    assert (event.event_date, event.kind, event.coverage, event.generated) == (
        "2024-03-12",
        "круглый стол",
        18,
        False,
    )
    assert _rows(panel) == 5
    assert "охват: 18 чел." in panel.detail.text()
    demo_db.undo.undo()
    qtbot.waitUntil(lambda: _rows(panel) == 4)
    assert demo_db.events.count(EventQuery(search="ВПР в школах зоны риска")) == 0


def test_double_click_edits_and_delete_asks(
    qtbot: Bot, show_panel: ShowPanel, demo_db: Database, answers: list[str]
) -> None:
    panel = _open(qtbot, show_panel, demo_db)
    record = panel.model.record(1)
    _double_click(qtbot, panel, 1)
    dialog = panel.dialog
    assert isinstance(dialog, EventDialog) and dialog.record is not None
    assert dialog.record.id == record.id
    assert dialog.date.text() == "22.11.2023"
    dialog.coverage.setFocus()
    dialog.coverage.selectAll()
    _type(dialog.coverage, "29")
    qtbot.keyClick(dialog.coverage, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: panel.dialog is None)
    changed = demo_db.events.event(record.id)
    assert changed.coverage == 29
    assert not changed.generated  # edited by hand
    index = panel.model.index(panel.model.row_of(record.id), EventTableModel.COL_COVERAGE)
    assert index.data() == "29"
    assert index.data(Qt.ItemDataRole.FontRole) is None  # no longer grey italics
    # Delete asks, then removes; undo brings it back.
    panel.view.setFocus()
    qtbot.keyClick(panel.view, Qt.Key.Key_Delete)
    assert answers and answers[0].startswith("Удалить мероприятие «Пути снижения")
    assert panel.model.row_of(record.id) < 0
    demo_db.undo.undo()
    qtbot.waitUntil(lambda: panel.model.row_of(record.id) >= 0)


def test_enter_on_the_table_opens_the_current_event(
    qtbot: Bot, show_panel: ShowPanel, demo_db: Database
) -> None:
    panel = _open(qtbot, show_panel, demo_db)
    QTest.mouseClick(
        panel.view.viewport(),
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
        _cell_centre(panel, 2, EventTableModel.COL_DATE),
    )
    assert panel.current_event() is not None
    qtbot.keyClick(panel.view, Qt.Key.Key_Return)
    dialog = panel.dialog
    assert isinstance(dialog, EventDialog)
    assert dialog.windowTitle() == "Мероприятие"
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: panel.dialog is None)
