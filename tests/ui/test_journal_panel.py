"""The page «Журнал тьюторов»: the quick entry typed with the keyboard alone, the filters and
search, the weekly lists on a fixed day, the chart, and every item model under the model tester.

The demo district's journal (2022/23, generated) is looked at on fixed days.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget

from shnor_desktop.models.database import Database
from shnor_desktop.models.journal import NO_VISIT_DAYS, JournalQuery, school_year_period
from shnor_desktop.ui.journal_models import JournalModel
from shnor_desktop.ui.journal_panel import JournalPanel

Bot = Any
ShowPanel = Callable[..., Any]
#: The offscreen platform says this of every completer list and tooltip it shows.
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support (raise|grabbing)")
TODAY = date(2023, 3, 1)
CTRL = Qt.KeyboardModifier.ControlModifier
NO_MODIFIER = Qt.KeyboardModifier(0)


def _open(qtbot: Bot, show_panel: ShowPanel, db: Database) -> JournalPanel:
    panel: JournalPanel = show_panel(JournalPanel, db, size=(1300, 760))
    with qtbot.waitActive(panel):  # shortcuts (Ctrl+Enter, Escape) need an active window
        panel.activateWindow()
    panel.today = TODAY
    panel.reload()
    return panel


def _focused() -> QWidget:
    """Where a key goes: the completer's open list, else the widget with the focus.

    (A real keyboard sends keys to an open popup; the offscreen platform does not
    grab the keyboard, so the test sends them where the user's would go.)
    """
    widget = QApplication.activePopupWidget() or QApplication.focusWidget()
    assert widget is not None
    return widget


def _type(text: str) -> None:
    """Type text key by key where the focus is (QTest's keyClicks knows only ASCII)."""
    for char in text:
        QTest.sendKeyEvent(
            QTest.KeyAction.Click, _focused(), Qt.Key.Key_unknown, char, Qt.KeyboardModifier(0)
        )


def _key(qtbot: Bot, key: Qt.Key, modifier: Qt.KeyboardModifier = NO_MODIFIER) -> None:
    qtbot.keyClick(_focused(), key, modifier)


def _reactivate(qtbot: Bot, panel: JournalPanel) -> None:
    """The offscreen platform leaves a closed completer list as the active window."""
    if not panel.isActiveWindow():
        with qtbot.waitActive(panel):
            panel.activateWindow()


def _tab(qtbot: Bot, panel: JournalPanel) -> None:
    _key(qtbot, Qt.Key.Key_Tab)
    _reactivate(qtbot, panel)


def _visits(db: Database) -> int:
    return db.journal.count(JournalQuery())


# --- item models --------------------------------------------------------------------------------


def test_every_item_model_passes_the_model_tester(
    qtbot: Bot, show_panel: ShowPanel, demo_db: Database, qtmodeltester: Any
) -> None:
    panel = _open(qtbot, show_panel, demo_db)
    assert panel.model.rowCount() == _visits(demo_db) > 0
    qtmodeltester.check(panel.model)
    panel.week_day.setDate(panel.week_day.date().addMonths(5))
    assert panel.overdue_model.rowCount() > 0
    assert panel.no_visit_model.rowCount() > 0
    qtmodeltester.check(panel.overdue_model)
    qtmodeltester.check(panel.no_visit_model)


# --- the quick entry ----------------------------------------------------------------------------


def test_a_whole_entry_is_typed_with_the_keyboard_alone_and_undone(
    qtbot: Bot, show_panel: ShowPanel, demo_db: Database
) -> None:
    panel = _open(qtbot, show_panel, demo_db)
    entry = panel.entry
    before = _visits(demo_db)
    panel.view.setFocus()
    _key(qtbot, Qt.Key.Key_E, CTRL)  # to the quick entry, its date selected
    assert QApplication.focusWidget() is entry.visit_date
    assert entry.visit_date.text() == "01.03.2023"  # today, by default
    _type("27.02.2023")
    _tab(qtbot, panel)
    _type("глад")  # a few letters of the tutor's name and Tab: the name is written out
    _tab(qtbot, panel)
    assert entry.tutor.text() == "Гладилова О.А."
    _type("бартен")
    _tab(qtbot, panel)
    assert entry.school.text() == "СОШ с. Бартеневка"
    _type("к")  # the form: the first letter chooses «консультация»
    _tab(qtbot, panel)
    _type("5")
    _tab(qtbot, panel)
    _type("Экспертиза плана ВСОКО")
    _tab(qtbot, panel)
    _type("объективность")  # a deficit of the list: chosen in the completer's list
    _key(qtbot, Qt.Key.Key_Down)
    _key(qtbot, Qt.Key.Key_Return)
    _reactivate(qtbot, panel)
    _type("Нет графика оценочных процедур")  # a new one: it joins the list
    _tab(qtbot, panel)
    _type("График не утверждён.")
    _tab(qtbot, panel)
    _type("Утвердить график внутренних оценочных процедур.")
    _tab(qtbot, panel)
    _type("+14")  # two weeks after the visit
    _tab(qtbot, panel)
    assert entry.due.text() == "13.03.2023"
    _tab(qtbot, panel)  # the status stays «на контроле»
    _type("")
    _key(qtbot, Qt.Key.Key_Return, CTRL)

    assert _visits(demo_db) == before + 1
    saved = demo_db.journal.visits(JournalQuery(search="графика оценочных"))[0]
    assert saved.visit_date == date(2023, 2, 27)
    assert (saved.tutor_name, saved.school_name, saved.form) == (
        "Гладилова О.А.",
        "СОШ с. Бартеневка",
        "консультация",
    )
    assert saved.participants == 5
    assert saved.topic == "Экспертиза плана ВСОКО"
    assert saved.deficits == (
        "Объективность оценки образовательных результатов",
        "Нет графика оценочных процедур",
    )
    assert saved.findings == "График не утверждён."
    assert saved.due_date == date(2023, 3, 13)
    assert saved.follow_up_status == "open"
    assert saved.generated is False
    assert "Нет графика оценочных процедур" in demo_db.journal.deficit_names()
    # Ready for the next entry: the date and tutor stay, the rest is empty, the cursor in «Школа».
    assert (entry.visit_date.text(), entry.tutor.text()) == ("27.02.2023", "Гладилова О.А.")
    assert entry.school.text() == entry.topic.text() == entry.deficits.text() == ""
    assert entry.findings.toPlainText() == ""
    assert QApplication.focusWidget() is entry.school
    # The journal shows it, selected.
    assert panel.selected_visit_id() == saved.id
    # Undo (the domain's stack) takes the entry and its new deficit back; the page follows.
    demo_db.undo.undo()
    assert _visits(demo_db) == before
    assert "Нет графика оценочных процедур" not in demo_db.journal.deficit_names()
    assert panel.model.row_of_id(saved.id) < 0


def test_escape_clears_the_form(qtbot: Bot, show_panel: ShowPanel, demo_db: Database) -> None:
    panel = _open(qtbot, show_panel, demo_db)
    entry = panel.entry
    entry.topic.setFocus()
    _type("Черновик")
    _tab(qtbot, panel)
    _type("что-то")
    _key(qtbot, Qt.Key.Key_Escape)
    assert entry.topic.text() == entry.deficits.text() == ""
    assert entry.visit_date.text() == "01.03.2023"
    assert QApplication.focusWidget() is entry.visit_date


def test_a_refused_entry_says_why_under_each_field_and_keeps_what_was_typed(
    qtbot: Bot, show_panel: ShowPanel, demo_db: Database
) -> None:
    panel = _open(qtbot, show_panel, demo_db)
    entry = panel.entry
    before = _visits(demo_db)
    panel.view.setFocus()
    _key(qtbot, Qt.Key.Key_E, CTRL)
    _type("10.02.2023")
    _tab(qtbot, panel)
    _tab(qtbot, panel)  # no tutor
    _type("Мирная школа")  # no such school
    _tab(qtbot, panel)
    for _ in range(6):
        _tab(qtbot, panel)
    assert QApplication.focusWidget() is entry.due
    _type("01.02.2023")  # before the visit
    _key(qtbot, Qt.Key.Key_Return, CTRL)
    assert _visits(demo_db) == before
    assert entry.cells["tutor_id"].error.isVisible()
    assert "тьютора" in entry.cells["tutor_id"].error.text()
    assert "Мирная школа" in entry.cells["school_id"].error.text()
    assert entry.school.text() == "Мирная школа"
    # The tutor is fixed; the due date is still before the visit.
    assert QApplication.focusWidget() is entry.tutor  # the first field refused
    _type("Мазалева")
    _tab(qtbot, panel)
    _key(qtbot, Qt.Key.Key_A, CTRL)
    _type("Знаменский")
    _tab(qtbot, panel)
    assert entry.school.text() == "СОШ п. Знаменский"
    _key(qtbot, Qt.Key.Key_Return, CTRL)
    assert _visits(demo_db) == before
    assert not entry.cells["tutor_id"].error.isVisible()
    assert "раньше даты посещения" in entry.cells["due_date"].error.text()
    assert QApplication.focusWidget() is entry.due
    _key(qtbot, Qt.Key.Key_A, CTRL)
    _type("+7")
    _key(qtbot, Qt.Key.Key_Return, CTRL)
    assert _visits(demo_db) == before + 1


def test_enter_on_a_row_loads_it_and_ctrl_enter_saves_the_change(
    qtbot: Bot, show_panel: ShowPanel, demo_db: Database
) -> None:
    panel = _open(qtbot, show_panel, demo_db)
    first = panel.model.record(0)
    panel.select_visit(first.id)
    panel.view.setFocus()
    _key(qtbot, Qt.Key.Key_Return)
    entry = panel.entry
    assert entry.editing_id == first.id
    assert "Изменение записи" in entry.title()
    assert entry.topic.text() == first.topic
    assert QApplication.focusWidget() is entry.topic
    entry.topic.selectAll()
    _type("Новая тема")
    _key(qtbot, Qt.Key.Key_Return, CTRL)
    changed = demo_db.journal.visit(first.id)
    assert changed.topic == "Новая тема"
    assert changed.deficits == first.deficits
    assert changed.generated is False  # what the user typed is no longer the demo's
    assert entry.editing_id is None and entry.title() == "Новая запись"
    demo_db.undo.undo()
    assert demo_db.journal.visit(first.id) == first
    # Escape gives up a change without writing anything.
    panel.select_visit(first.id)
    panel.view.setFocus()
    _key(qtbot, Qt.Key.Key_Return)
    entry.topic.selectAll()
    _type("Не сохранять")
    _key(qtbot, Qt.Key.Key_Escape)
    assert entry.editing_id is None
    assert demo_db.journal.visit(first.id) == first


def test_ctrl_d_marks_done_and_delete_asks_then_removes(
    qtbot: Bot, show_panel: ShowPanel, demo_db: Database, answers: list[str]
) -> None:
    panel = _open(qtbot, show_panel, demo_db)
    panel.status_filter.setFocus()
    open_row = next(
        v for v in demo_db.journal.visits(JournalQuery()) if v.follow_up_status == "open"
    )
    panel.select_visit(open_row.id)
    panel.view.setFocus()
    _key(qtbot, Qt.Key.Key_D, CTRL)
    assert demo_db.journal.visit(open_row.id).follow_up_status == "done"
    demo_db.undo.undo()
    assert demo_db.journal.visit(open_row.id).follow_up_status == "open"
    before = _visits(demo_db)
    panel.select_visit(open_row.id)
    panel.view.setFocus()
    _key(qtbot, Qt.Key.Key_Delete)
    assert answers and "Удалить запись" in answers[0]
    assert _visits(demo_db) == before - 1
    demo_db.undo.undo()
    assert demo_db.journal.visit(open_row.id) == open_row


# --- filters, search, order ------------------------------------------------------------------


def test_filters_search_and_header_order_read_the_journal_in_sql(
    qtbot: Bot, show_panel: ShowPanel, demo_db: Database
) -> None:
    panel = _open(qtbot, show_panel, demo_db)
    total = _visits(demo_db)
    assert panel.count_label.text() == f"{total} записей"
    # The period: the school year, chosen with the keyboard.
    panel.period.setFocus()
    _key(qtbot, Qt.Key.Key_Down)
    assert panel.period.currentData() == 2022
    assert panel.query().period == school_year_period(2022)
    assert panel.model.rowCount() == total  # the whole demo journal is 2022/23
    # The school filter, then search: every word, any case.
    panel.school_filter.setFocus()
    bartenevka = panel.school_filter.findText("СОШ с. Бартеневка")
    for _ in range(bartenevka):
        _key(qtbot, Qt.Key.Key_Down)
    shown = {panel.model.record(r).school_name for r in range(panel.model.rowCount())}
    assert shown == {"СОШ с. Бартеневка"}
    panel.search.setFocus()
    _type("ДИАГНОСТИКУ")
    qtbot.waitUntil(
        lambda: (
            panel.model.rowCount()
            == demo_db.journal.count(
                JournalQuery(school_id=panel.query().school_id, search="диагностику")
            )
        )
    )
    assert 0 < panel.model.rowCount() < 27
    assert all(
        "диагностик" in panel.model.record(r).recommendations for r in range(panel.model.rowCount())
    )
    panel.clear_filters()
    assert panel.model.rowCount() == total
    # A click on «Школа» orders by school in SQL; again, the other way round.
    header = panel.view.horizontalHeader()
    x = header.sectionViewportPosition(JournalModel.COL_SCHOOL) + 10
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, 5))
    names = [panel.model.record(r).school_name for r in range(panel.model.rowCount())]
    ordered = demo_db.journal.visits(JournalQuery(order="school", descending=names[0] > names[-1]))
    assert names == [v.school_name for v in ordered]
    assert panel.query().order == "school"


# --- the weekly lists ----------------------------------------------------------------------------


def test_overdue_and_no_visit_lists_on_a_fixed_day(
    qtbot: Bot, show_panel: ShowPanel, demo_db: Database
) -> None:
    panel = _open(qtbot, show_panel, demo_db)
    bar = panel.tabs.tabBar()
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(1).center())
    assert panel.week_day.date().toString("dd.MM.yyyy") == "01.03.2023"
    overdue = demo_db.journal.overdue_follow_ups(TODAY)
    assert [panel.overdue_model.record(r).id for r in range(panel.overdue_model.rowCount())] == [
        v.id for v in overdue
    ]
    assert overdue and all(v.due_date is not None and v.due_date < TODAY for v in overdue)
    days = panel.overdue_model.index(0, panel.overdue_model.COL_DAYS).data()
    assert days == str((TODAY - overdue[0].due_date).days)  # type: ignore[operator]
    assert panel.overdue_box.title() == f"Просроченные рекомендации: {len(overdue)}"
    # Every supported school was visited within 60 days of 01.03.2023.
    assert panel.no_visit_days.value() == 60
    assert panel.no_visit_model.rowCount() == 0
    # On 01.08.2023 (after the school year) all seven supported schools wait.
    panel.week_day.setDate(panel.week_day.date().addMonths(5))
    rows = [panel.no_visit_model.record(r) for r in range(panel.no_visit_model.rowCount())]
    assert len(rows) == 7
    assert all(r.days_since is not None and r.days_since >= 60 for r in rows)
    # N typed in the spin box is kept in the database as the setting (and undone as one).
    panel.no_visit_days.setFocus()
    panel.no_visit_days.selectAll()
    _type("80")
    assert panel.no_visit_model.rowCount() < 7
    qtbot.waitUntil(lambda: demo_db.settings.get(NO_VISIT_DAYS) == 80)
    demo_db.undo.undo()
    assert demo_db.settings.get(NO_VISIT_DAYS) == 60
    assert panel.no_visit_days.value() == 60
    # All schools, not only the supported groups: the leaders and branches too.
    panel.supported_only.setFocus()
    _key(qtbot, Qt.Key.Key_Space)
    assert panel.no_visit_model.rowCount() == len(demo_db.schools.all_schools())


def test_a_double_click_on_an_overdue_follow_up_opens_it(
    qtbot: Bot, show_panel: ShowPanel, demo_db: Database
) -> None:
    panel = _open(qtbot, show_panel, demo_db)
    panel.tabs.setCurrentIndex(1)
    view = panel.overdue_view
    rect = view.visualRect(panel.overdue_model.index(0, 2))
    # A real double click: a click, then the second press that Qt reports as a double click.
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert panel.tabs.currentIndex() == 0
    assert panel.entry.editing_id == panel.overdue_model.record(0).id


# --- the chart -----------------------------------------------------------------------------------


def test_the_chart_draws_the_visits_per_school_per_month(
    qtbot: Bot, show_panel: ShowPanel, demo_db: Database
) -> None:
    panel = _open(qtbot, show_panel, demo_db)
    bar = panel.tabs.tabBar()
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(2).center())
    chart = panel.chart
    assert chart is not None
    monthly = demo_db.journal.visits_per_month(None, school_year_period(2022))
    assert chart.title.text() == "Посещения школ по месяцам, 2022/23 учебный год"
    assert chart.legend_labels()[0] == "СОШ с. Бартеневка"  # the ШНОР: most visits
    assert len(chart.legend_labels()) == len(monthly.schools)  # nine: all have a colour
    assert chart.bar_heights()[0] == [float(c) for c in monthly.counts[monthly.schools[0][0]]]
    assert chart.totals()[:9] == [str(t) for t in monthly.month_totals()[:9]]
    assert chart.month_ticks()[0] == "сен 2022"
    # The school filter narrows the chart to that school.
    panel.school_filter.setFocus()
    for _ in range(panel.school_filter.findText("ООШ с. Клевенка")):
        _key(qtbot, Qt.Key.Key_Down)
    assert chart.legend_labels() == ["ООШ с. Клевенка"]
    assert "«ООШ с. Клевенка»" in chart.title.text()
    # A period without visits says so inside the plot.
    panel.clear_filters()
    panel.period.setCurrentIndex(panel.period.findData("custom"))
    panel.period.activated.emit(panel.period.currentIndex())
    panel.period_from.setDate(panel.period_from.date().addYears(3))
    panel.period_to.setDate(panel.period_to.date().addYears(3))
    assert chart.placeholder_text() == "Нет посещений за выбранный период"


def test_a_region_chart_groups_the_least_visited_schools_in_grey(qtbot: Bot) -> None:
    from shnor_desktop.models.journal import MonthlyVisits
    from shnor_desktop.ui.journal_chart import MAX_SCHOOLS, VisitsChart

    chart = VisitsChart()
    qtbot.addWidget(chart)
    months = (date(2022, 9, 1), date(2022, 10, 1))
    schools = tuple((i, f"Школа {i:02d}") for i in range(MAX_SCHOOLS + 3))
    counts = {i: (20 - i, i % 2) for i, _ in schools}
    chart.set_data(MonthlyVisits(months, schools, counts), "Регион")
    labels = chart.legend_labels()
    assert len(labels) == MAX_SCHOOLS + 1
    assert labels[-1] == "другие школы (3)"
    rest = [counts[i] for i, _ in schools[MAX_SCHOOLS:]]
    assert chart.bar_heights()[-1] == [
        float(sum(c[0] for c in rest)),
        float(sum(c[1] for c in rest)),
    ]
    assert chart.totals() == [
        str(sum(c[0] for c in counts.values())),
        str(sum(c[1] for c in counts.values())),
    ]
    # Fewer schools later: the spare colours and legend entries are hidden, not rebuilt.
    chart.set_data(MonthlyVisits(months, schools[:2], {0: (1, 0), 1: (0, 2)}), "Район")
    assert chart.legend_labels() == ["Школа 00", "Школа 01"]
    assert chart.totals() == ["1", "2"]
