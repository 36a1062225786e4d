"""«Отнесение к группам»: suggestions with their facts, accept one / all, override with a reason.

The demo district (seed 004) is the data: its 2022/23 groups are what the
default rules suggest, so a disagreement is made by changing a passport.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QItemSelectionModel, QSettings, Qt
from PySide6.QtGui import QContextMenuEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QTableView, QWidget

from shnor_desktop.models.database import Database
from shnor_desktop.models.identification import (
    DEFAULT_RULES,
    RULES_SETTING,
    rules_to_json,
)
from shnor_desktop.services.identification import fact_text, reason_text
from shnor_desktop.ui import groups_panel
from shnor_desktop.ui.common import DataBus
from shnor_desktop.ui.groups_panel import DIFFERS_BACKGROUND, GroupsModel, GroupsPanel
from shnor_desktop.ui.main_window import MainWindow
from tests.models.test_write_path import data_dump

Bot = Any
ShowPanel = Callable[..., Any]  # the show_panel fixture of conftest.py
YEAR = 2022


@pytest.fixture
def db(demo_db: Database) -> Database:
    """The demo district (``demo_db`` of conftest.py)."""
    return demo_db


@pytest.fixture
def panel(qtbot: Bot, show_panel: ShowPanel, db: Database) -> Iterator[GroupsPanel]:
    """The page on the demo district, its first suggestions shown."""
    shown = show_panel(GroupsPanel, db)
    qtbot.waitUntil(lambda: not shown.loading)
    yield shown
    shown.set_database(None)  # suggestions still worked out stop before the database closes


def _fitted(view: QTableView) -> bool:
    """Every row as high as its text (a one-line row keeps the header's minimum height)."""
    least = view.verticalHeader().minimumSectionSize()
    return all(
        view.rowHeight(r) == max(view.sizeHintForRow(r), least)
        for r in range(view.model().rowCount())
    )


def _school_id(db: Database, code: str) -> int:
    row = db.reader().execute("SELECT id FROM school WHERE code = ?", (code,)).fetchone()
    return int(row[0])


def _row(panel: GroupsPanel, school_id: int) -> int:
    row = panel.model.row_of(school_id)
    assert row >= 0
    return row


def _click_row(qtbot: Bot, panel: GroupsPanel, school_id: int, modifier: Any = None) -> None:
    index = panel.model.index(_row(panel, school_id), GroupsModel.COL_SCHOOL)
    panel.view.scrollTo(index)
    pos = panel.view.visualRect(index).center()
    if modifier is None:
        qtbot.mouseClick(panel.view.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    else:
        qtbot.mouseClick(panel.view.viewport(), Qt.MouseButton.LeftButton, modifier, pos)


def _cell(panel: GroupsPanel, school_id: int, column: int, role: Any = None) -> Any:
    index = panel.model.index(_row(panel, school_id), column)
    return panel.model.data(index, role if role is not None else Qt.ItemDataRole.DisplayRole)


def _type(widget: QWidget, text: str) -> None:
    """Type text key by key (Cyrillic goes as key text, as a keyboard layout sends it)."""
    for char in text:
        QTest.sendKeyEvent(
            QTest.KeyAction.Click, widget, Qt.Key.Key_unknown, char, Qt.KeyboardModifier(0)
        )


def test_model_passes_the_model_tester(qtmodeltester: Bot, panel: GroupsPanel) -> None:
    qtmodeltester.check(panel.model)
    qtmodeltester.check(GroupsModel())


def test_the_demo_suggestions_agree_with_the_seed_groups(panel: GroupsPanel, db: Database) -> None:
    assert panel.title() == "Отнесение к группам"
    assert panel.year.year == YEAR
    assert panel.model.rowCount() == 13
    expected = {
        "01": "shnor",
        "02": "risk",
        "03": "risk",
        "04": "risk",
        "05": "prevention",
        "06": "prevention",
        "07": "prevention",
        "08": "leader",
        "09": "leader",
    }
    shown = {s.code: s for s in panel.suggestions()}
    assert {code: shown[code].group for code in expected} == expected
    assert all(not s.differs for s in shown.values())
    assert "Все предложения совпадают" in panel.summary.text()
    bartenevka = _school_id(db, "01")
    facts = _cell(panel, bartenevka, GroupsModel.COL_FACTS)
    assert facts.splitlines()[0] == (
        "Качество ОГЭ по математике 33,3 % при районном 50,4 % (−17,1 п.п.), два года подряд"
    )
    assert _cell(panel, bartenevka, GroupsModel.COL_MARK) == ""


def test_a_differing_suggestion_is_marked_and_filtered(
    qtbot: Bot, panel: GroupsPanel, db: Database
) -> None:
    dremov = _school_id(db, "09")
    # The page follows the change by itself (the bus), no reload asked.
    with qtbot.waitSignal(panel.sig_suggested):
        db.schools.set_group(dremov, YEAR, "none", "Проверка", "Проверка")
    assert _cell(panel, dremov, GroupsModel.COL_MARK) == "≠"
    assert _cell(panel, dremov, GroupsModel.COL_CURRENT) == "Без группы"
    assert _cell(panel, dremov, GroupsModel.COL_SUGGESTED) == "Лидер"
    brush = _cell(panel, dremov, GroupsModel.COL_SUGGESTED, Qt.ItemDataRole.BackgroundRole)
    assert brush.color() == DIFFERS_BACKGROUND
    assert "Расходятся с текущими группами: 1 школа" in panel.summary.text()
    qtbot.mouseClick(panel.only_differs, Qt.MouseButton.LeftButton)
    assert panel.model.rowCount() == 1
    assert panel.model.record(0).school_id == dremov


def test_details_show_every_fact_of_the_selected_school(
    qtbot: Bot, panel: GroupsPanel, db: Database
) -> None:
    znamensky = _school_id(db, "02")
    _click_row(qtbot, panel, znamensky)
    suggestion = panel.selected()[0]
    assert len(suggestion.facts) == 5
    # The row shows the first three and says how many more; the details show them all.
    cell = _cell(panel, znamensky, GroupsModel.COL_FACTS)
    assert cell.splitlines()[-1].startswith("… и ещё 2")
    text = panel.details.toPlainText()
    for fact in suggestion.facts:
        assert fact_text(fact)[1:] in text
    assert "Текущая группа: Зона риска (ШНСУ)" in text
    # Which years the figures come from: the results of the year before the groups' year.
    assert "Учебный год результатов: 2021/22; паспорт 2022/23." in text


def test_accept_selected_writes_group_and_reason_in_one_change_set(
    qtbot: Bot, panel: GroupsPanel, db: Database
) -> None:
    dremov = _school_id(db, "09")
    with qtbot.waitSignal(panel.sig_suggested):
        db.schools.set_group(dremov, YEAR, "none", "Проверка", "Проверка")
    before = data_dump(db.conn)
    sets = db.log.set_count()
    _click_row(qtbot, panel, dremov)
    with qtbot.waitSignal(panel.sig_suggested), qtbot.waitSignal(panel.sig_status) as status:
        qtbot.mouseClick(panel.accept_button, Qt.MouseButton.LeftButton)
    assert status.args == ["Предложение принято: Отнесение к группе: СОШ с. Ивантеевка."]
    assert db.log.set_count() == sets + 1
    profile = db.schools.profile(dremov, YEAR)
    assert profile is not None and profile.group_code == "leader"
    suggestion = next(s for s in panel.suggestions() if s.school_id == dremov)
    assert profile.group_reason == reason_text(suggestion)
    assert profile.group_reason.startswith("Качество ОГЭ (все предметы) 61,7 %")
    # The passport's history shows both fields changed by this one action.
    history = db.schools.profile_history(dremov, YEAR, "group_code")
    assert history[-1].new == "leader"
    assert _cell(panel, dremov, GroupsModel.COL_MARK) == ""
    with qtbot.waitSignal(panel.sig_suggested):
        db.undo.undo()
    assert data_dump(db.conn) == before
    assert _cell(panel, dremov, GroupsModel.COL_MARK) == "≠"


def test_accept_all_confirms_with_a_count_and_is_one_change_set(
    qtbot: Bot, panel: GroupsPanel, db: Database, answers: list[str]
) -> None:
    with qtbot.waitSignal(panel.sig_suggested):  # once: the first reload gives way to the second
        for code in ("04", "09"):
            db.schools.set_group(_school_id(db, code), YEAR, "none", "Проверка", "Проверка")
    before = data_dump(db.conn)
    sets = db.log.set_count()
    answers.append("no")
    qtbot.mouseClick(panel.accept_all_button, Qt.MouseButton.LeftButton)
    assert data_dump(db.conn) == before  # refused: nothing written
    answers.clear()
    with qtbot.waitSignal(panel.sig_suggested):
        qtbot.mouseClick(panel.accept_all_button, Qt.MouseButton.LeftButton)
    # Every school with a group gets its facts as the reason; two change their group.
    assert answers[0].startswith("Принять предложения правил для 9 школ за 2022/23 учебный год?")
    assert "Группа изменится у 2 школ." in answers[0]
    assert db.log.set_count() == sets + 1
    groups = {
        s.code: (s.current_group, s.current_reason == reason_text(s))
        for s in panel.suggestions()
        if s.group != "none"
    }
    assert groups["04"] == ("risk", True) and groups["09"] == ("leader", True)
    assert all(same for _group, same in groups.values())
    assert "Все предложения совпадают" in panel.summary.text()
    # Nothing left to accept: no question, nothing written.
    answers.clear()
    qtbot.mouseClick(panel.accept_all_button, Qt.MouseButton.LeftButton)
    assert answers == [] and db.log.set_count() == sets + 1
    db.undo.undo()
    assert data_dump(db.conn) == before


def test_override_refuses_an_empty_reason_and_keeps_the_choice(
    qtbot: Bot, panel: GroupsPanel, db: Database
) -> None:
    kanaevka = _school_id(db, "07")
    before = data_dump(db.conn)
    _click_row(qtbot, panel, kanaevka)
    qtbot.mouseClick(panel.override_button, Qt.MouseButton.LeftButton)
    dialog = panel.dialog
    assert dialog is not None and dialog.isVisible()
    dialog.group.setFocus()
    # Choose «ШНОР» with the keyboard: Home goes to the first group of the list.
    qtbot.keyClick(dialog.group, Qt.Key.Key_Home)
    assert dialog.chosen_group() == "shnor"
    dialog.reason.setFocus()
    _type(dialog.reason, "   ")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible()
    assert dialog.reason_error.isVisible()
    assert dialog.reason_error.text() == (
        "Укажите основание: группа назначается только с основанием."
    )
    assert dialog.chosen_group() == "shnor"
    assert data_dump(db.conn) == before
    _type(dialog.reason, "решение рабочей группы, протокол № 3")
    sets = db.log.set_count()
    with qtbot.waitSignal(panel.sig_suggested):
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
        assert not dialog.isVisible()  # closed, and deleted once the events run
    assert db.log.set_count() == sets + 1
    profile = db.schools.profile(kanaevka, YEAR)
    assert profile is not None
    assert (profile.group_code, profile.group_reason) == (
        "shnor",
        "решение рабочей группы, протокол № 3",
    )
    assert _cell(panel, kanaevka, GroupsModel.COL_MARK) == "≠"  # the rules still say otherwise
    db.undo.undo()
    assert data_dump(db.conn) == before


def test_accept_several_selected_schools_at_once(
    qtbot: Bot, panel: GroupsPanel, db: Database
) -> None:
    ids = [_school_id(db, code) for code in ("05", "06")]
    with qtbot.waitSignal(panel.sig_suggested):
        for school_id in ids:
            db.schools.set_group(school_id, YEAR, "none", "Проверка", "Проверка")
    sets = db.log.set_count()
    _click_row(qtbot, panel, ids[0])
    _click_row(qtbot, panel, ids[1], Qt.KeyboardModifier.ControlModifier)
    assert panel.accept_button.text() == "Принять предложения (2)"
    assert not panel.override_button.isEnabled()  # one school at a time
    qtbot.mouseClick(panel.accept_button, Qt.MouseButton.LeftButton)
    assert db.log.set_count() == sets + 1
    assert [db.schools.profile(i, YEAR).group_code for i in ids] == ["prevention"] * 2  # type: ignore[union-attr]


def test_suggestions_follow_the_rules_in_the_settings_and_the_year(
    qtbot: Bot, panel: GroupsPanel, db: Database
) -> None:
    dremov = _school_id(db, "09")
    rules = rules_to_json(DEFAULT_RULES)
    leader = next(r for r in rules["rules"] if r["group"] == "leader")
    leader["blocks"][0]["conditions"][0]["threshold"] = 20  # ОГЭ 20 п.п. above the district
    with qtbot.waitSignal(panel.sig_suggested):
        db.settings.set(RULES_SETTING, rules, "Правила")
    assert _cell(panel, dremov, GroupsModel.COL_SUGGESTED) == "Без группы"
    assert _cell(panel, dremov, GroupsModel.COL_MARK) == "≠"
    with qtbot.waitSignal(panel.sig_suggested):
        db.undo.undo()
    assert _cell(panel, dremov, GroupsModel.COL_SUGGESTED) == "Лидер"
    with qtbot.waitSignal(panel.sig_suggested):
        panel.year.set_year(2023)
    assert panel.suggestions()[0].year == 2023
    assert _cell(panel, dremov, GroupsModel.COL_SUGGESTED) == "Лидер"


@pytest.mark.qt_log_ignore("This plugin does not support (raise|grabbing)")
def test_double_click_and_context_menu_offer_the_override(
    qtbot: Bot, panel: GroupsPanel, db: Database
) -> None:
    kanaevka = _school_id(db, "07")
    index = panel.model.index(_row(panel, kanaevka), GroupsModel.COL_SCHOOL)
    pos = panel.view.visualRect(index).center()
    qtbot.mouseClick(panel.view.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    qtbot.mouseDClick(panel.view.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    assert panel.dialog is not None and panel.dialog.isVisible()
    assert panel.dialog.suggestion.school_id == kanaevka
    panel.dialog.reject()
    # A right click on another row selects it and offers the three actions.
    bartenevka = _school_id(db, "01")
    other = panel.view.visualRect(panel.model.index(_row(panel, bartenevka), 1)).center()
    event = QContextMenuEvent(
        QContextMenuEvent.Reason.Mouse, other, panel.view.viewport().mapToGlobal(other)
    )
    QApplication.sendEvent(panel.view.viewport(), event)
    menu = panel.context_menu
    assert menu is not None and menu.isVisible()
    assert [a.text() for a in menu.actions()] == [
        "Принять предложение",
        "Назначить группу…",
        "Принять все…",
    ]
    assert panel.selected_ids() == [bartenevka]
    menu.hide()


def test_undo_and_history_from_the_main_window(
    qtbot: Bot, demo_path: Path, settings: QSettings
) -> None:
    window = MainWindow(settings)
    qtbot.addWidget(window)
    window.show()
    assert window.open_database(demo_path)
    qtbot.waitUntil(lambda: not any(t.running for t in window.tasks))  # the backup on opening
    db = window.db
    assert db is not None
    titles = [p.TITLE for p in window.panels]
    window.nav.setCurrentRow(titles.index("Отнесение к группам"))
    panel = window.panels[titles.index("Отнесение к группам")]
    assert isinstance(panel, GroupsPanel)
    dremov = _school_id(db, "09")
    with qtbot.waitSignal(panel.sig_suggested):
        db.schools.set_group(dremov, YEAR, "none", "Проверка", "Проверка")
    panel.view.selectionModel().setCurrentIndex(
        panel.model.index(_row(panel, dremov), 0),
        QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows,
    )
    with qtbot.waitSignal(panel.sig_suggested):
        panel.act_accept.trigger()
    assert window.act_undo.text() == "Отменить: Отнесение к группе: СОШ с. Ивантеевка"
    panel.view.setFocus()
    with qtbot.waitSignal(panel.sig_suggested):
        qtbot.keyClick(panel.view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    profile = db.schools.profile(dremov, YEAR)
    assert profile is not None and profile.group_code == "none"
    assert _cell(panel, dremov, GroupsModel.COL_MARK) == "≠"
    # «Сервис → Настройки…» needs a database.
    assert window.act_settings.isEnabled()
    window.close_database()
    assert not window.act_settings.isEnabled()
    assert panel.model.rowCount() == 0


def test_rows_grow_when_the_facts_column_narrows(qtbot: Bot, panel: GroupsPanel) -> None:
    view = panel.view
    rows = range(panel.model.rowCount())
    qtbot.waitUntil(lambda: _fitted(view))
    wide = sum(view.rowHeight(r) for r in rows)
    width = view.columnWidth(GroupsModel.COL_FACTS)
    panel.resize(760, 700)  # the facts wrap onto more lines: no fact may be cut short
    assert view.columnWidth(GroupsModel.COL_FACTS) < width
    # Fitted on the event loop's next turn, as the view redraws (a 50 ms timer once left
    # the rows cut short meanwhile).
    QApplication.processEvents()
    assert _fitted(view)
    assert sum(view.rowHeight(r) for r in rows) > wide


def test_rows_fit_their_facts_from_the_first_frame(qtbot: Bot, db: Database) -> None:
    """The defect: rows filled while the page was hidden were fitted to a 100 px facts column;
    the first frame shown had rows of ~360 px until a 50 ms timer fitted them again."""
    bus = DataBus()
    bus.attach(db)
    panel = GroupsPanel(bus)
    qtbot.addWidget(panel)
    panel.set_database(db)
    qtbot.waitUntil(lambda: not panel.loading)
    panel.resize(1200, 700)
    panel.show()  # no event loop between the show and the look
    view = panel.view
    assert view.columnWidth(GroupsModel.COL_FACTS) > 500
    assert _fitted(view)
    assert view.rowHeight(0) < 120
    panel.set_database(None)


def test_suggestions_are_worked_out_in_the_background(
    qtbot: Bot, panel: GroupsPanel, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """At region scale suggest() takes 0,45 s: the window stays responsive while it runs."""
    release = threading.Event()
    worked: list[int] = []
    real = groups_panel.suggest

    def held(db: Database, year: int, **kwargs: Any) -> Any:
        release.wait(10)
        worked.append(year)
        return real(db, year, **kwargs)

    monkeypatch.setattr(groups_panel, "suggest", held)
    dremov = _school_id(db, "09")
    db.schools.set_group(dremov, YEAR, "none", "Проверка", "Проверка")
    # The GUI thread is back at once: the page says what it does and keeps what it showed;
    # the decisions wait for the fresh suggestions.
    assert panel.loading
    assert panel.summary.text() == "Подбор групп…"
    assert _cell(panel, dremov, GroupsModel.COL_CURRENT) == "Лидер"
    assert not panel.accept_all_button.isEnabled()
    assert not panel.act_accept_all.isEnabled()
    assert panel.accept_all() is None
    # Another year chosen meanwhile: the work under way stops and starts again for it.
    panel.year.set_year(2023)
    with qtbot.waitSignal(panel.sig_suggested, timeout=10000):
        release.set()
    assert not panel.loading
    assert worked[-1] == 2023
    assert {s.year for s in panel.suggestions()} == {2023}
    assert panel.accept_all_button.isEnabled()
    assert "Предложено" in panel.summary.text()
    with qtbot.waitSignal(panel.sig_suggested):
        panel.year.set_year(YEAR)
    assert _cell(panel, dremov, GroupsModel.COL_MARK) == "≠"
    assert _cell(panel, dremov, GroupsModel.COL_CURRENT) == "Без группы"


def test_a_long_table_fits_the_rows_in_view_and_those_scrolled_to(
    qtbot: Bot, show_panel: ShowPanel, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A region's 1,500 rows take 0,3 s to fit all: a long table fits those in view."""
    monkeypatch.setattr(groups_panel, "FIT_AT_ONCE", 4)  # the demo's 13 rows stand for 1,500
    panel = show_panel(GroupsPanel, db, (1200, 320))
    qtbot.waitUntil(lambda: not panel.loading)
    view = panel.view
    least = view.verticalHeader().minimumSectionSize()
    rows = range(panel.model.rowCount())

    def fitted(row: int) -> bool:
        return view.rowHeight(row) == max(view.sizeHintForRow(row), least)

    def in_view() -> list[int]:
        return [r for r in rows if view.rowViewportPosition(r) < view.viewport().height()]

    # (The rows fitted bring the scroll bar: the facts column narrows once more.)
    qtbot.waitUntil(lambda: all(fitted(r) for r in in_view()))
    assert not all(fitted(r) for r in rows)  # those far below wait
    view.scrollToBottom()
    assert view.rowAt(0) > 0
    assert all(fitted(r) for r in rows if r >= view.rowAt(0))
    panel.set_database(None)
