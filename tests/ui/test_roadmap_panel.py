"""The page «Дорожная карта»: the tree, editing in place, filters, moves, the Gantt chart, export.

The demo district's roadmap (seed 004's plan for 2023/24, 31 activities) is
looked at on a fixed day, 15.03.2024, so that «просрочено» is what a
coordinator saw that spring.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QModelIndex, QPoint, QSettings, Qt
from PySide6.QtGui import QContextMenuEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QFileDialog, QWidget

from shnor_desktop.models.database import Database
from shnor_desktop.models.roadmap import Activity, RoadmapQuery
from shnor_desktop.ui.gantt import ZOOMS, PdfExport, build_rows
from shnor_desktop.ui.main_window import MainWindow
from shnor_desktop.ui.roadmap_models import MANUAL_MARK, RoadmapTreeModel
from shnor_desktop.ui.roadmap_panel import ActivityDialog, IntervalsDialog, MoveDialog, RoadmapPanel
from tests.models.test_write_path import data_dump

Bot = Any
ShowPanel = Callable[..., Any]
M = RoadmapTreeModel
TODAY = date(2024, 3, 15)
#: A tooltip under the offscreen platform says this; the tooltip shows all the same.
tooltip_messages = pytest.mark.qt_log_ignore("This plugin does not support raise")


# --- helpers --------------------------------------------------------------------------------------


def _activities(db: Database) -> list[Activity]:
    programme = db.roadmap.programmes()[0]
    return db.roadmap.activities(RoadmapQuery(programme.id))


def _by_number(db: Database, number: str) -> Activity:
    """An activity by its number («1.2» in table 1, «7» in table 2: the numbers differ)."""
    found = [a for a in _activities(db) if a.number == number]
    assert len(found) == 1, number
    return found[0]


def _open(
    qtbot: Bot, show_panel: ShowPanel, db: Database, size: tuple[int, int] = (1300, 760)
) -> RoadmapPanel:
    panel: RoadmapPanel = show_panel(RoadmapPanel, db, size=size)
    with qtbot.waitActive(panel):  # shortcuts (Ctrl+H, Ctrl+Up) need an active window
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


def _cell(panel: RoadmapPanel, activity_id: int, column: int) -> QModelIndex:
    index = panel.model.index_of_activity(activity_id, column)
    assert index.isValid()
    return index


def _type_into(qtbot: Bot, panel: RoadmapPanel, index: QModelIndex, text: str) -> Any:
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
    return editor


def _text(index: QModelIndex) -> str:
    return str(index.data(Qt.ItemDataRole.DisplayRole) or "")


def _shows(qtbot: Bot, panel: RoadmapPanel, activity_id: int, column: int, text: str) -> None:
    """Wait until a cell shows ``text`` (the table reads again once the editor has closed)."""
    qtbot.waitUntil(lambda: _text(_cell(panel, activity_id, column)) == text, timeout=2000)


@pytest.fixture
def window(qtbot: Bot, settings: QSettings, demo_path: Path) -> Iterator[MainWindow]:
    """The main window on the demo, showing «Дорожная карта» on 15.03.2024."""
    win = MainWindow(settings)
    qtbot.addWidget(win)
    win.resize(1366, 768)
    win.show()
    assert win.open_database(demo_path)
    qtbot.waitUntil(lambda: not any(t.running for t in win.tasks), timeout=10000)
    panel = next(p for p in win.panels if isinstance(p, RoadmapPanel))
    win.nav.setCurrentRow(win.panels.index(panel))
    panel.today = TODAY
    panel.reload()
    yield win
    win.close()


def _panel_of(window: MainWindow) -> RoadmapPanel:
    panel = window.stack.currentWidget()
    assert isinstance(panel, RoadmapPanel)
    return panel


# --- the tree -------------------------------------------------------------------------------------


def test_tree_model_passes_the_model_tester(
    qtmodeltester: Bot, qtbot: Bot, show_panel: ShowPanel, demo_db: Database
) -> None:
    panel = _open(qtbot, show_panel, demo_db)
    qtmodeltester.check(panel.model)
    panel.overdue_filter.setChecked(True)  # a filtered tree: sections without matches go
    qtmodeltester.check(panel.model)


def test_the_demo_reads_as_the_document(
    qtbot: Bot, show_panel: ShowPanel, demo_db: Database
) -> None:
    panel = _open(qtbot, show_panel, demo_db)
    model = panel.model
    top = [_text(model.index(row, 0)) for row in range(model.rowCount())]
    assert top[0].startswith("Перечень мероприятий («Дорожная карта»)")
    assert top[1].startswith("Дорожная карта по направлению")
    first = model.index(0, 0)
    blocks = [_text(model.index(row, 0, first)) for row in range(model.rowCount(first))]
    assert blocks == [
        "1. Создание организационных условий.",
        "2. Развитие инфраструктуры образовательные организаций, имеющих низкие "
        "образовательные результаты",
        "3. Развитие кадрового потенциала образовательных организаций, имеющих низкие "
        "образовательные результаты",
        "4. Управление реализацией мероприятий Программы",
    ]
    assert panel.view.isFirstColumnSpanned(0, QModelIndex())
    done = _by_number(demo_db, "1.1")
    assert _text(_cell(panel, done.id, M.COL_DEADLINE)) == "Август 2023"
    assert _text(_cell(panel, done.id, M.COL_STATUS)) == "выполнено"
    assert _text(_cell(panel, done.id, M.COL_PROGRESS)) == "100\u00a0%"
    assert _text(_cell(panel, done.id, M.COL_EVIDENCE)).startswith("Протокол №1")
    # 1.2 was due in August 2023 and is still planned: on 15.03.2024 it is overdue, in red.
    late = _by_number(demo_db, "1.2")
    status = _cell(panel, late.id, M.COL_STATUS)
    assert _text(status) == "просрочено"
    assert status.data(Qt.ItemDataRole.ForegroundRole).color().name() == "#c62828"
    assert "Срок истёк 31.08.2023" in str(status.data(Qt.ItemDataRole.ToolTipRole))
    assert status.data(Qt.ItemDataRole.EditRole) == "planned"
    tip = str(_cell(panel, late.id, M.COL_DEADLINE).data(Qt.ItemDataRole.ToolTipRole))
    assert "Даты: 01.08.2023 – 31.08.2023" in tip
    assert panel.count_label.text() == "Мероприятий: 31, просрочено: 7"
    # The Gantt chart shows the same activities.
    assert [a.id for a in panel.gantt.activities()] == [a.id for a in model.activities()]


# --- editing in place -----------------------------------------------------------------------------


def test_typing_a_deadline_saves_it_and_ctrl_z_in_the_window_undoes(
    qtbot: Bot, window: MainWindow
) -> None:
    panel = _panel_of(window)
    db = window.db
    assert db is not None
    item = _by_number(db, "2.1")
    _type_into(qtbot, panel, _cell(panel, item.id, M.COL_DEADLINE), "сентябрь 2024")
    after = db.roadmap.activity(item.id)
    assert after.deadline_text == "сентябрь 2024"
    assert after.intervals == ((date(2024, 9, 1), date(2024, 9, 30)),)
    _shows(qtbot, panel, item.id, M.COL_DEADLINE, "сентябрь 2024")
    assert db.undo.undo_label() == "Дорожная карта, 2.1: срок"
    QTest.keyClick(panel.view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    restored = db.roadmap.activity(item.id)
    assert restored.deadline_text == "2024"
    assert restored.intervals == item.intervals
    qtbot.waitUntil(lambda: _text(_cell(panel, item.id, M.COL_DEADLINE)) == "2024")


def test_an_unreadable_deadline_is_saved_as_typed_and_marked(
    qtbot: Bot, show_panel: ShowPanel, demo_db: Database
) -> None:
    panel = _open(qtbot, show_panel, demo_db)
    statuses: list[str] = []
    panel.sig_status.connect(statuses.append)
    item = _by_number(demo_db, "3.1")
    cell = _cell(panel, item.id, M.COL_DEADLINE)
    assert cell.data(Qt.ItemDataRole.DecorationRole) is None
    written = "когда позволит погода"
    editor = _type_into(qtbot, panel, cell, written)
    assert not editor.reason.isVisible()  # never refused
    after = demo_db.roadmap.activity(item.id)
    assert (after.deadline_text, after.deadline_kind, after.intervals) == (written, "unknown", ())
    assert after.unscheduled
    _shows(qtbot, panel, item.id, M.COL_DEADLINE, written)
    cell = _cell(panel, item.id, M.COL_DEADLINE)
    assert cell.data(Qt.ItemDataRole.DecorationRole) is not None  # the orange «?»
    assert "Срок не распознан" in str(cell.data(Qt.ItemDataRole.ToolTipRole))
    assert "не распознан" in statuses[-1]
    # The chart marks it too, with no bar.
    row = panel.gantt.row_of(item.id)
    assert row is not None and panel.gantt.chart.rows[row].unscheduled
    # A manual setting wins over the parser: dates set by hand stay when the text changes.
    dialog = panel.edit_intervals(item.id)
    assert isinstance(dialog, IntervalsDialog)
    start, end = dialog.rows[0][0], dialog.rows[0][1]
    start.setDate(start.date().fromString("01.10.2023", "dd.MM.yyyy"))
    end.setDate(end.date().fromString("15.11.2023", "dd.MM.yyyy"))
    dialog.accept()
    manual = demo_db.roadmap.activity(item.id)
    assert manual.manual and manual.intervals == ((date(2023, 10, 1), date(2023, 11, 15)),)
    _type_into(qtbot, panel, _cell(panel, item.id, M.COL_DEADLINE), "май 2024")
    kept = demo_db.roadmap.activity(item.id)
    assert kept.deadline_text == "май 2024" and kept.intervals == manual.intervals
    _shows(qtbot, panel, item.id, M.COL_DEADLINE, f"май 2024 {MANUAL_MARK}")
    # «Вернуть как в документе» reads the text again.
    panel.select_activity(item.id)
    assert panel.reset_action.isEnabled()
    panel.reset_action.trigger()
    read = demo_db.roadmap.activity(item.id)
    assert not read.manual and read.intervals == ((date(2024, 5, 1), date(2024, 5, 31)),)


def test_a_refused_progress_keeps_the_text_with_the_reason_and_escape_brings_it_back(
    qtbot: Bot, show_panel: ShowPanel, demo_db: Database
) -> None:
    panel = _open(qtbot, show_panel, demo_db)
    item = _by_number(demo_db, "1.1")
    editor = _type_into(qtbot, panel, _cell(panel, item.id, M.COL_PROGRESS), "150")
    assert editor.isVisible() and editor.line.text() == "150"  # nothing typed is lost
    assert editor.reason.isVisible()
    assert "от 0 до 100" in editor.reason.text() and "Esc" in editor.reason.text()
    assert demo_db.roadmap.activity(item.id).progress == 100.0
    qtbot.keyClick(editor.line, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: panel.delegate.editor is None or not panel.delegate.editor.isVisible())
    assert _text(_cell(panel, item.id, M.COL_PROGRESS)) == "100\u00a0%"
    # A right value is saved; the status is picked from its list with the keyboard.
    _type_into(qtbot, panel, _cell(panel, item.id, M.COL_PROGRESS), "75")
    assert demo_db.roadmap.activity(item.id).progress == 75.0
    late = _by_number(demo_db, "1.2")
    index = _cell(panel, late.id, M.COL_STATUS)
    panel.view.setFocus()
    panel.view.setCurrentIndex(index)
    qtbot.keyClick(panel.view, Qt.Key.Key_F2)
    editor = panel.delegate.editor
    assert editor is not None and editor.combo is not None
    qtbot.keyClick(editor.combo, Qt.Key.Key_Down)  # planned → in progress
    qtbot.keyClick(editor.combo, Qt.Key.Key_Return)
    assert demo_db.roadmap.activity(late.id).status == "in_progress"
    _shows(qtbot, panel, late.id, M.COL_STATUS, "просрочено")  # still late


def test_ctrl_h_shows_the_history_of_a_cell(
    qtbot: Bot, show_panel: ShowPanel, demo_db: Database
) -> None:
    panel = _open(qtbot, show_panel, demo_db)
    item = _by_number(demo_db, "2.1")
    _type_into(qtbot, panel, _cell(panel, item.id, M.COL_RESPONSIBLE), "Отдел образования")
    panel.view.setCurrentIndex(_cell(panel, item.id, M.COL_RESPONSIBLE))
    qtbot.keyClick(panel.view, Qt.Key.Key_H, Qt.KeyboardModifier.ControlModifier)
    dialog = panel.history_dialog
    assert dialog is not None and dialog.isVisible()
    model = dialog.view.model()
    values = {model.index(0, column).data() for column in range(model.columnCount())}
    assert "Отдел образования" in values
    dialog.close()


# --- filters --------------------------------------------------------------------------------------


def _shown(panel: RoadmapPanel) -> list[int]:
    return [a.id for a in panel.model.activities()]


def test_filters_section_status_responsible_due_overdue_and_search(
    qtbot: Bot, show_panel: ShowPanel, demo_db: Database
) -> None:
    panel = _open(qtbot, show_panel, demo_db)
    everything = _activities(demo_db)
    numbers = {a.id: a.number for a in everything}

    def pick(combo: Any, data: Any) -> None:
        combo.setCurrentIndex(combo.findData(data))
        combo.activated.emit(combo.currentIndex())

    sections = demo_db.roadmap.sections(demo_db.roadmap.programmes()[0].id)
    block_3 = next(s for s in sections if s.number == "3")
    pick(panel.section_filter, block_3.id)
    assert [numbers[i] for i in _shown(panel)] == ["3.1", "3.2", "3.3", "3.4"]
    assert panel.count_label.text() == "Показано 4 из 31"
    # Sections without a match are left out, their parents kept.
    assert panel.model.rowCount() == 1 and panel.model.rowCount(panel.model.index(0, 0)) == 1
    pick(panel.section_filter, None)
    pick(panel.status_filter, "done")
    assert sorted(numbers[i] for i in _shown(panel)) == ["1.1", "1.3", "2"]
    pick(panel.status_filter, None)
    pick(panel.responsible_filter, "МУ МУ РЦ УО")
    slip = [a.id for a in everything if "му му рц уо" in a.responsible.lower()]
    assert _shown(panel) == slip and slip
    pick(panel.responsible_filter, "")
    panel.overdue_filter.setChecked(True)
    late = {a.id for a in everything if a.overdue(TODAY)}
    assert set(_shown(panel)) == late and len(late) == 7
    assert {"1.2", "1.4", "1.5"} <= {numbers[i] for i in late}
    assert all(a.overdue(TODAY) for a in panel.gantt.activities())
    panel.overdue_filter.setChecked(False)
    # Due this month (March 2024): «ноябрь 2023 г. март 2024» ends on 31.03.2024.
    pick(panel.due_filter, "month")
    assert [numbers[i] for i in _shown(panel)] == ["9"]
    pick(panel.due_filter, "soon")
    assert [numbers[i] for i in _shown(panel)] == ["9"]
    pick(panel.due_filter, "range")
    assert panel.due_from.isVisibleTo(panel)
    panel.due_from.setDate(panel.due_from.date().fromString("01.05.2024", "dd.MM.yyyy"))
    panel.due_to.setDate(panel.due_to.date().fromString("31.05.2024", "dd.MM.yyyy"))
    expected = {a.id for a in everything if a.due_within(date(2024, 5, 1), date(2024, 5, 31))}
    assert set(_shown(panel)) == expected and expected
    panel.clear_filters()
    assert len(_shown(panel)) == 31 and not panel.due_from.isVisibleTo(panel)
    # Search folds the case of Cyrillic text.
    panel.search.setFocus()
    _type(panel.search, "АНКЕТИРОВАНИЯ")
    qtbot.waitUntil(lambda: len(_shown(panel)) == 1, timeout=2000)
    assert [numbers[i] for i in _shown(panel)] == ["5"]
    assert [a.id for a in panel.gantt.activities()] == _shown(panel)


# --- adding, moving, removing ---------------------------------------------------------------------


def test_move_renumbers_and_one_undo_restores(
    qtbot: Bot, show_panel: ShowPanel, demo_db: Database
) -> None:
    panel = _open(qtbot, show_panel, demo_db)
    third = _by_number(demo_db, "1.3")
    second = _by_number(demo_db, "1.2")
    panel.select_activity(third.id)
    panel.view.setFocus()
    qtbot.keyClick(panel.view, Qt.Key.Key_Up, Qt.KeyboardModifier.ControlModifier)
    assert demo_db.roadmap.activity(third.id).number == "1.2"
    assert demo_db.roadmap.activity(second.id).number == "1.3"
    assert _text(_cell(panel, third.id, M.COL_NUMBER)) == "1.2"
    assert panel.current_activity() is not None and panel.current_activity().id == third.id
    assert demo_db.undo.undo_label() == "Дорожная карта: мероприятие 1.3 перемещено выше"
    demo_db.undo.undo(None)  # one undo takes the move and the renumbering back
    assert demo_db.roadmap.activity(third.id).number == "1.3"
    assert demo_db.roadmap.activity(second.id).number == "1.2"
    qtbot.waitUntil(lambda: _text(_cell(panel, third.id, M.COL_NUMBER)) == "1.3")
    # At the edges of a section the moves are off.
    panel.select_activity(_by_number(demo_db, "1.1").id)
    assert not panel.up_action.isEnabled() and panel.down_action.isEnabled()


def test_add_and_remove_an_activity_renumber_the_section(
    qtbot: Bot, show_panel: ShowPanel, demo_db: Database, answers: list[str]
) -> None:
    panel = _open(qtbot, show_panel, demo_db)
    first = _by_number(demo_db, "1.1")
    panel.select_activity(first.id)
    dialog = panel.add_activity()
    assert isinstance(dialog, ActivityDialog) and dialog.isVisible()
    dialog.accept()  # no title: refused under the field, the dialog stays
    assert dialog.isVisible() and dialog.errors["title"].isVisible()
    dialog.title.setPlainText("Совещание с руководителями ШНОР")
    dialog.deadline.setText("как договоримся")
    assert "не распознан" in dialog.reading.text()
    dialog.accept()
    assert not dialog.isVisible()
    added = panel.current_activity()
    assert added is not None and added.number == "1.2" and added.unscheduled
    # The old 1.2 … 1.5 moved down a number.
    assert _by_number(demo_db, "1.3").title.startswith("Определение и назначение")
    assert _by_number(demo_db, "1.6").title.startswith("Определение и утверждение перечня")
    assert panel.remove_activity(added.id)
    assert "Удалить мероприятие 1.2" in answers[-1]
    assert _by_number(demo_db, "1.2").title.startswith("Определение и назначение")


# --- the Gantt chart ------------------------------------------------------------------------------


@tooltip_messages
def test_dragging_a_bar_writes_a_manual_override_and_ctrl_z_restores(
    qtbot: Bot, window: MainWindow
) -> None:
    panel = _panel_of(window)
    db = window.db
    assert db is not None
    item = _by_number(db, "3.2")  # 2023-24 уч. год: 01.09.2023 – 31.05.2024
    panel.tabs.setCurrentIndex(1)
    gantt = panel.gantt
    gantt.set_zoom("month")
    gantt.scroll_to_date(date(2024, 4, 15))
    QApplication.processEvents()
    rect = gantt.interval_rect(item.id, 0)
    viewport = gantt.time_view.viewport()
    grab = QPoint(rect.right() - 1, rect.center().y())
    target = grab + QPoint(round(30 * gantt.pixels_per_day()), 0)
    with qtbot.waitSignal(gantt.sig_intervals_changed, timeout=2000):
        QTest.mousePress(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, grab)
        QTest.mouseMove(viewport, grab + QPoint(10, 0))
        QTest.mouseMove(viewport, target)
        QTest.mouseRelease(
            viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, target
        )
    after = db.roadmap.activity(item.id)
    assert after.manual
    assert after.intervals[0][0] == date(2023, 9, 1)
    assert date(2024, 6, 25) <= after.intervals[0][1] <= date(2024, 7, 5)
    assert after.baseline == item.baseline  # the plan as approved stays
    assert "сроки на диаграмме" in db.undo.undo_label()
    assert _text(_cell(panel, item.id, M.COL_DEADLINE)).endswith(MANUAL_MARK)
    QTest.keyClick(gantt.time_view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    restored = db.roadmap.activity(item.id)
    assert not restored.manual and restored.intervals == item.intervals
    qtbot.waitUntil(lambda: gantt.interval_rect(item.id, 0) == rect)


def test_a_click_on_a_bar_opens_the_activity(
    qtbot: Bot, show_panel: ShowPanel, demo_db: Database
) -> None:
    panel = _open(qtbot, show_panel, demo_db)
    item = _by_number(demo_db, "3.3")
    panel.tabs.setCurrentIndex(1)
    gantt = panel.gantt
    gantt.scroll_to_date(date(2024, 1, 1))
    QApplication.processEvents()
    QTest.mouseClick(
        gantt.time_view.viewport(),
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
        gantt.interval_rect(item.id, 0).center(),
    )
    dialog = panel.dialog
    assert isinstance(dialog, ActivityDialog) and dialog.isVisible()
    assert dialog.windowModality() == Qt.WindowModality.WindowModal
    assert dialog.activity is not None and dialog.activity.id == item.id
    assert "Даты: 01.09.2023 – 31.05.2024" in dialog.reading.text()
    assert panel.current_activity() is not None and panel.current_activity().id == item.id
    dialog.evidence.setText("Приказ №45 от 12.09.2023")
    dialog.status.setCurrentIndex(dialog.status.findData("in_progress"))
    dialog.accept()
    saved = demo_db.roadmap.activity(item.id)
    assert (saved.evidence, saved.status) == ("Приказ №45 от 12.09.2023", "in_progress")
    assert demo_db.undo.undo_label() == "Дорожная карта, 3.3: состояние, подтверждение"


# --- export ---------------------------------------------------------------------------------------

needs_poppler = pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="poppler-utils is not installed"
)
MONTHS = ("Январь", "Февраль", "Март", "Апрель", "Май", "Июнь", "Июль", "Август", "Сентябрь")


@needs_poppler
def test_pdf_of_the_demo_repeats_the_column_and_the_months_on_every_page(
    qtbot: Bot,
    show_panel: ShowPanel,
    demo_db: Database,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    panel = _open(qtbot, show_panel, demo_db)
    panel.tabs.setCurrentIndex(1)
    target = tmp_path / "Дорожная карта"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *args: (str(target), ""))
    expected = panel.gantt.pdf_page_count("A4")
    task = panel.export_pdf("A4")
    assert task is not None
    with qtbot.waitSignal(task.sig_finished, timeout=20000) as blocker:
        pass
    pages = blocker.args[0]
    assert pages == expected > 1
    pdf = target.with_suffix(".pdf")
    text = subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    page_texts = text.split("\f")[:pages]
    assert len(page_texts) == pages
    for number, page in enumerate(page_texts, start=1):
        assert f"стр. {number} из {pages}" in page
        assert "Мероприятие" in page and "Ответственные" in page
        assert "Дорожная карта 2023–2024" in page
        assert any(name in page for name in MONTHS), number


def test_printed_pages_are_filled_down_to_the_legend(qtbot: Bot, demo_db: Database) -> None:
    """The defect: rows shared evenly left the bottom third of an A4 page blank."""
    programme = demo_db.roadmap.programmes()[0]
    rows = build_rows(
        demo_db.roadmap.sections(programme.id),
        demo_db.roadmap.activities(RoadmapQuery(programme.id)),
    )
    for zoom in ("month", "quarter"):
        export = PdfExport(
            rows,
            period=programme.period,
            today=TODAY,
            zoom=ZOOMS[zoom],
            page_size="A4",
            title="",
        )
        frame, bands, _ = export.plan()
        assert len(bands) > 1
        used = (max(len(band) for band in bands) + 1) * export.style.row_height
        assert used >= 0.95 * frame.rows_height
        assert used <= frame.rows_height
        # Bars keep their thickness in the taller rows; titles may take three lines.
        assert export.chart.bar_height < 0.4 * export.style.row_height
        assert export.style.title_lines == 3


def test_a_long_pdf_is_asked_about_first_with_the_quarter_scale_offered(
    qtbot: Bot,
    show_panel: ShowPanel,
    demo_db: Database,
    answers: list[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    panel = _open(qtbot, show_panel, demo_db)
    panel.gantt.set_zoom("week")
    asked_for_path: list[str] = []
    monkeypatch.setattr(
        QFileDialog, "getSaveFileName", lambda *args: (asked_for_path.append("pdf") or "", "")
    )
    pages = panel.gantt.pdf_page_count("A4")
    assert pages > 40
    answers.append("no")  # «Отмена»
    assert panel.export_pdf("A4") is None
    assert f"PDF займёт {pages} стр." in answers[-1] and "«Квартал»" in answers[-1]
    assert asked_for_path == []  # asked before the file


def test_png_export_saves_what_is_visible(
    qtbot: Bot,
    show_panel: ShowPanel,
    demo_db: Database,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    panel = _open(qtbot, show_panel, demo_db)
    panel.tabs.setCurrentIndex(1)
    target = tmp_path / "gantt.png"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *args: (str(target), ""))
    assert panel.export_png() == target
    from PySide6.QtGui import QImage

    image = QImage(str(target))
    assert not image.isNull() and image.size() == panel.gantt.chart_area.size()


# --- the change log ------------------------------------------------------------------------------


def test_the_change_log_names_the_roadmap_fields(demo_db: Database) -> None:
    """The journal showed raw column names («deadline_kind», «intervals_manual») and 0/1."""
    from shnor_desktop.ui.changes_panel import ValueFormatter, column_label

    assert column_label("roadmap_activity", "deadline_kind") == "Вид срока"
    assert column_label("roadmap_activity", "intervals_manual") == "Сроки заданы вручную"
    assert column_label("roadmap_activity", "progress") == "Выполнено"
    assert column_label("roadmap_interval", "baseline") == "Утверждённый план"
    assert column_label("roadmap_section", "parent_id") == "Входит в раздел"
    values = ValueFormatter(demo_db)
    assert values.format("roadmap_activity", "intervals_manual", 1) == "да"
    assert values.format("roadmap_activity", "deadline_kind", "unknown") == "не распознан"
    assert values.format("roadmap_activity", "progress", 40.0) == "40 %"
    assert values.format("roadmap_activity", "status", "partly") == "выполнено частично"


def test_opening_and_saving_an_activity_unchanged_writes_nothing(
    qtbot: Bot, show_panel: ShowPanel, demo_db: Database
) -> None:
    panel = _open(qtbot, show_panel, demo_db)
    before = demo_db.undo.undo_label()
    for number in ("1.5", "3.2"):
        dialog = panel.edit_activity(_by_number(demo_db, number).id)
        assert dialog is not None
        dialog.accept()
        assert not dialog.isVisible()
        intervals = panel.edit_intervals(_by_number(demo_db, number).id)
        assert intervals is not None
        intervals.accept()  # the dates as read: not turned into a manual setting
    assert demo_db.undo.undo_label() == before
    assert not _by_number(demo_db, "3.2").manual


def test_a_pdf_export_reports_its_pages_and_stops_when_cancelled(
    qtbot: Bot, demo_db: Database, tmp_path: Path
) -> None:
    from shnor_desktop.models.errors import Cancelled
    from shnor_desktop.models.jobs import JobState

    programme = demo_db.roadmap.programmes()[0]
    rows = build_rows(
        demo_db.roadmap.sections(programme.id),
        demo_db.roadmap.activities(RoadmapQuery(programme.id)),
    )
    export = PdfExport(
        rows, period=programme.period, today=TODAY, zoom=ZOOMS["month"], page_size="A4", title=""
    )
    seen: list[tuple[int, int]] = []
    state = JobState(listener=lambda done, total, _status: seen.append((done, total)))
    pages = export.write(tmp_path / "all.pdf", state)
    assert seen == [(number, pages) for number in range(pages)]
    state = JobState()
    state.cancel()
    with pytest.raises(Cancelled):
        export.write(tmp_path / "cancelled.pdf", state)


# --- whom an activity concerns, moving to another section, approving the plan ---------------------


def _double_click(qtbot: Bot, panel: RoadmapPanel, activity_id: int) -> Any:
    """Double-click the activity's number (not edited in place): its dialog opens."""
    index = _cell(panel, activity_id, M.COL_NUMBER)
    panel.view.scrollTo(index)
    centre = panel.view.visualRect(index).center()
    # As a mouse does: the press of the first click, then the double click.
    qtbot.mousePress(panel.view.viewport(), Qt.MouseButton.LeftButton, pos=centre)
    qtbot.mouseRelease(panel.view.viewport(), Qt.MouseButton.LeftButton, pos=centre)
    qtbot.mouseDClick(panel.view.viewport(), Qt.MouseButton.LeftButton, pos=centre)
    qtbot.waitUntil(lambda: panel.dialog is not None and panel.dialog.isVisible(), timeout=2000)
    return panel.dialog


def _check_row(qtbot: Bot, dialog: ActivityDialog, text: str) -> None:
    """Walk down «Касается» with the arrow keys to ``text`` and tick it with Space."""
    box = dialog.concerns
    box.setFocus()
    qtbot.keyClick(box, Qt.Key.Key_Home)
    while box.currentItem().text() != text:
        row = box.currentRow()
        qtbot.keyClick(box, Qt.Key.Key_Down)
        assert box.currentRow() == row + 1, text
    qtbot.keyClick(box, Qt.Key.Key_Space)


@tooltip_messages
def test_the_dialog_sets_whom_an_activity_concerns_in_one_undoable_change(
    qtbot: Bot, window: MainWindow
) -> None:
    panel = _panel_of(window)
    db = window.db
    assert db is not None
    item = _by_number(db, "1.4")  # concerns nobody in the demo
    assert item.schools == () and item.groups == ()
    school = next(s for s in db.schools.all_schools() if s.short_name == "СОШ с. Ивановка")
    before = data_dump(db.conn)
    dialog = _double_click(qtbot, panel, item.id)
    assert isinstance(dialog, ActivityDialog)
    dialog.responsible.setFocus()
    qtbot.keyClick(dialog.responsible, Qt.Key.Key_End)
    _type(dialog.responsible, ", школы")
    _check_row(qtbot, dialog, "Зона риска")
    _check_row(qtbot, dialog, "СОШ с. Ивановка")
    buttons = dialog.findChild(QDialogButtonBox)
    assert buttons is not None
    save = buttons.button(QDialogButtonBox.StandardButton.Save)
    qtbot.mouseClick(save, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()
    after = db.roadmap.activity(item.id)
    assert after.groups == ("risk",) and after.schools == (school.id,)
    assert after.responsible == item.responsible + ", школы"
    # Both went in one change set.
    assert db.undo.undo_label() == "Дорожная карта, 1.4: ответственные, касается"
    tip = str(_cell(panel, item.id, M.COL_TITLE).data(Qt.ItemDataRole.ToolTipRole))
    assert tip.endswith("Касается: Зона риска; СОШ с. Ивановка")
    assert "Касается: Зона риска; СОШ с. Ивановка" in panel.detail.text()
    # The filter «Школа/группа» now finds it.
    combo = panel.concern_filter
    combo.setFocus()
    while combo.currentData() != f"s:{school.id}":
        qtbot.keyClick(combo, Qt.Key.Key_Down)
    assert item.id in _shown(panel)
    assert all(school.id in a.schools for a in panel.model.activities())
    QTest.keyClick(panel.view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert data_dump(db.conn) == before
    qtbot.waitUntil(lambda: item.id not in _shown(panel), timeout=2000)
    panel.clear_filters()
    assert combo.currentIndex() == 0 and len(_shown(panel)) == 31


def test_the_group_filter_keeps_the_activities_of_a_group(
    qtbot: Bot, show_panel: ShowPanel, demo_db: Database
) -> None:
    panel = _open(qtbot, show_panel, demo_db)
    combo = panel.concern_filter
    combo.setCurrentIndex(combo.findData("g:leader"))
    combo.activated.emit(combo.currentIndex())
    assert [a.number for a in panel.model.activities()] == ["1.5"]
    assert panel.count_label.text().startswith("Показано 1 из 31")


def test_an_activity_moves_to_another_section_and_one_undo_restores(
    qtbot: Bot, window: MainWindow
) -> None:
    panel = _panel_of(window)
    db = window.db
    assert db is not None
    moving = _by_number(db, "1.2")
    after_it = _by_number(db, "1.3")
    block_3 = next(s for s in db.roadmap.sections(db.roadmap.programmes()[0].id) if s.number == "3")
    before = data_dump(db.conn)
    panel.select_activity(moving.id)
    assert panel.move_section_action.isEnabled()
    assert panel.move_section_action in panel.toolbar.actions()
    panel.move_section_action.trigger()
    dialog = panel.dialog
    assert isinstance(dialog, MoveDialog) and dialog.isVisible()
    combo = dialog.target
    assert combo.findData(moving.section_id) == -1  # not into its own section
    combo.setFocus()
    qtbot.keyClick(combo, Qt.Key.Key_Home)
    while combo.currentData() != block_3.id:
        qtbot.keyClick(combo, Qt.Key.Key_Down)
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()
    moved = db.roadmap.activity(moving.id)
    assert moved.section_id == block_3.id and moved.number == "3.5"
    assert db.roadmap.activity(after_it.id).number == "1.2"  # the first section closed up
    current = panel.current_activity()
    assert current is not None and current.id == moving.id
    assert _text(_cell(panel, moving.id, M.COL_NUMBER)) == "3.5"
    assert db.undo.undo_label() == "Дорожная карта: мероприятие 1.2 перенесено в раздел 3"
    panel.view.setFocus()
    QTest.keyClick(panel.view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert data_dump(db.conn) == before
    qtbot.waitUntil(lambda: _text(_cell(panel, moving.id, M.COL_NUMBER)) == "1.2")


@pytest.mark.qt_log_ignore("This plugin does not support (raise|grabbing)")
def test_the_context_menu_offers_the_move_and_the_baseline(
    qtbot: Bot, show_panel: ShowPanel, demo_db: Database
) -> None:
    panel = _open(qtbot, show_panel, demo_db)
    index = _cell(panel, _by_number(demo_db, "1.2").id, M.COL_TITLE)
    panel.select_activity(_by_number(demo_db, "1.2").id)
    centre = panel.view.visualRect(index).center()
    event = QContextMenuEvent(
        QContextMenuEvent.Reason.Mouse, centre, panel.view.viewport().mapToGlobal(centre)
    )
    QApplication.sendEvent(panel.view.viewport(), event)
    menu = panel.context_menu
    assert menu is not None
    texts = [a.text() for a in menu.actions()]
    assert "Перенести в раздел…" in texts and "Утвердить сроки как план" in texts
    menu.close()


def test_approving_the_dates_as_the_plan_asks_and_one_undo_restores(
    qtbot: Bot, show_panel: ShowPanel, demo_db: Database, answers: list[str]
) -> None:
    panel = _open(qtbot, show_panel, demo_db)
    item = _by_number(demo_db, "2.1")
    panel.select_activity(item.id)
    assert not panel.baseline_action.isEnabled()  # the dates are the approved plan already
    later = ((date(2024, 10, 1), date(2024, 10, 31)),)
    demo_db.roadmap.set_intervals(item.id, later, "сдвинуто")
    qtbot.waitUntil(panel.baseline_action.isEnabled, timeout=2000)
    shifted = demo_db.roadmap.activity(item.id)
    assert shifted.shifted and shifted.baseline == item.intervals
    before = data_dump(demo_db.conn)
    answers.append("no")  # refused: nothing written
    panel.baseline_action.trigger()
    assert "Утвердить сроки мероприятия 2.1 как план: 01.10.2024 – 31.10.2024" in answers[-1]
    assert data_dump(demo_db.conn) == before
    answers.clear()
    panel.baseline_action.trigger()
    approved = demo_db.roadmap.activity(item.id)
    assert approved.baseline == later and not approved.shifted
    assert demo_db.undo.undo_label() == "Дорожная карта, 2.1: сроки утверждены как план"
    qtbot.waitUntil(lambda: not panel.baseline_action.isEnabled(), timeout=2000)
    demo_db.undo.undo(None)
    assert data_dump(demo_db.conn) == before
    assert demo_db.roadmap.activity(item.id).baseline == item.intervals
