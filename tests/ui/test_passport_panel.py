"""The school passport panel as the coordinator uses it, on the demo district.

The defects of the issue list each have a test here that sends the events a
user would (a wheel, Tab, typed keys, a click) and failed before the fix.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QEvent, QPoint, Qt
from PySide6.QtGui import QContextMenuEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QComboBox, QLineEdit, QScrollArea, QWidget

from shnor_desktop.models.database import Database
from shnor_desktop.models.schools import SchoolQuery
from shnor_desktop.models.text import current_school_year, school_year_label
from shnor_desktop.ui.common import ROLE_ID, DataBus
from shnor_desktop.ui.passport_panel import PassportPanel
from shnor_desktop.ui.school_models import HistoryModel, SchoolTreeModel
from shnor_desktop.ui.widgets import HistoryDialog, WheelGuard

# pytest-qt's QtBot has no type hints on its event methods: tests use it through Any.
Bot = Any
Wheel = Callable[..., None]


def _open_panel(qtbot: Bot, path: Path) -> Iterator[PassportPanel]:
    db = Database.open(path)
    bus = DataBus()
    bus.attach(db)
    widget = PassportPanel(bus)
    qtbot.addWidget(widget)
    widget.resize(1300, 850)
    widget.set_database(db)
    widget.show()
    yield widget
    widget.set_database(None)
    db.close()


@pytest.fixture
def panel(qtbot: Bot, demo_path: Path) -> Iterator[PassportPanel]:
    yield from _open_panel(qtbot, demo_path)


@pytest.fixture
def empty_panel(qtbot: Bot, tmp_db_path: Path) -> Iterator[PassportPanel]:
    yield from _open_panel(qtbot, tmp_db_path)


class Questions(list[str]):
    """The questions asked, and the answer the next one gets."""

    answer = True


@pytest.fixture
def asked(monkeypatch: pytest.MonkeyPatch) -> Questions:
    """Questions the panel asks, answered «yes» unless ``asked.answer`` says otherwise."""
    questions = Questions()

    def ask(_parent: object, _title: str, text: str, _yes: str) -> bool:
        questions.append(text)
        return questions.answer

    monkeypatch.setattr("shnor_desktop.ui.passport_panel.ask_yes_no", ask)
    return questions


def _school_id(panel: PassportPanel, needle: str) -> int:
    assert panel.db is not None
    return panel.db.schools.rows(SchoolQuery(search=needle, year=2022))[0].id


def _select(panel: PassportPanel, needle: str, year: int = 2022) -> int:
    panel.year.set_year(year)
    school_id = _school_id(panel, needle)
    assert panel.select_school(school_id)
    return school_id


def _line(panel: PassportPanel, table: str, name: str) -> QLineEdit:
    editor = panel.editors[(table, name)].editor
    assert isinstance(editor, QLineEdit)
    return editor


def _combo(panel: PassportPanel, table: str, name: str) -> QComboBox:
    editor = panel.editors[(table, name)].editor
    assert isinstance(editor, QComboBox)
    return editor


def _focus(qtbot: Bot, widget: QWidget) -> None:
    widget.window().activateWindow()
    widget.setFocus()
    qtbot.waitUntil(widget.hasFocus)


def _type(widget: QWidget, text: str) -> None:
    """Type ``text`` as a user would (QTest.keyClicks takes ASCII only)."""
    for char in text:
        QTest.sendKeyEvent(
            QTest.KeyAction.Click, widget, Qt.Key.Key_unknown, char, Qt.KeyboardModifier.NoModifier
        )


def _click_row(qtbot: Bot, panel: PassportPanel, school_id: int) -> None:
    rect = panel.tree.visualRect(panel.model.index_of(school_id))
    qtbot.mouseClick(panel.tree.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def _scroll_area_of(widget: QWidget) -> QScrollArea:
    parent = widget.parentWidget()
    while parent is not None and not isinstance(parent, QScrollArea):
        parent = parent.parentWidget()
    assert parent is not None
    return parent


# --- the list -------------------------------------------------------------------------------


def test_tree_model_passes_the_model_tester(qtmodeltester: Bot, demo_path: Path) -> None:
    db = Database.open(demo_path)
    model = SchoolTreeModel()
    model.set_repository(db.schools)
    model.set_query(SchoolQuery(year=2022))
    qtmodeltester.check(model)
    model.sort(SchoolTreeModel.COL_PUPILS, Qt.SortOrder.DescendingOrder)
    qtmodeltester.check(model)
    db.close()


def test_branches_are_shown_under_their_school(panel: PassportPanel) -> None:
    model = panel.model
    top_names = [model.index(r, 0).data() for r in range(model.rowCount())]
    assert len(top_names) == 9
    znamensky = next(
        model.index(r, 0)
        for r in range(model.rowCount())
        if "Знаменский" in model.index(r, 0).data()
    )
    assert model.rowCount(znamensky) == 1
    assert "Николаевк" in model.index(0, 0, znamensky).data(Qt.ItemDataRole.ToolTipRole)
    assert panel.count_label.text() == "Школ: 9, филиалов: 4"


def test_search_folds_russian_case_and_counts_only_matches(
    panel: PassportPanel,
    qtbot: Bot,
) -> None:
    def first() -> str:
        return str(panel.model.index(0, 0).data() or "")

    _type(panel.search, "БАРТЕНЕВКА")
    qtbot.waitUntil(lambda: "Бартеневка" in first())
    assert panel.model.rowCount() == 1
    panel.search.clear()
    _type(panel.search, "николаевка")
    # The branch matches and brings its school along; only the branch is counted.
    qtbot.waitUntil(lambda: "Знаменский" in first())
    assert panel.model.rowCount() == 1
    parent = panel.model.index(0, 0)
    assert panel.model.rowCount(parent) == 1
    assert panel.count_label.text() == "Найдено: 1 из 13"


def test_search_without_results_says_so_and_offers_a_reset(
    panel: PassportPanel,
    qtbot: Bot,
) -> None:
    _type(panel.search, "нет такой школы")
    qtbot.waitUntil(lambda: panel.model.rowCount() == 0)
    assert panel.pages.currentWidget() is panel.empty
    assert panel.empty.title.text() == "Ничего не найдено"
    assert "Ничего не найдено" in panel.count_label.text()
    assert "13" in panel.count_label.text()
    qtbot.mouseClick(panel.empty.button, Qt.MouseButton.LeftButton)
    assert panel.search.text() == ""
    assert panel.model.rowCount() == 9
    assert panel.pages.currentWidget() is panel.passport_page


def test_group_filter_and_sorting(panel: PassportPanel) -> None:
    panel.year.set_year(2022)
    panel.group.setCurrentIndex(panel.group.findData("risk"))
    names = {panel.model.index(r, 0).data() for r in range(panel.model.rowCount())}
    assert len(names) == 3
    assert any("Арбузовка" in n for n in names)
    panel.group.setCurrentIndex(0)
    panel.tree.sortByColumn(SchoolTreeModel.COL_PUPILS, Qt.SortOrder.DescendingOrder)
    first = panel.model.index(0, SchoolTreeModel.COL_PUPILS).data()
    assert first == "467"


def test_sorting_by_a_header_click_keeps_the_selection(
    panel: PassportPanel,
    qtbot: Bot,
) -> None:
    school_id = _select(panel, "бартеневка")
    header = panel.tree.header()
    column = SchoolTreeModel.COL_PUPILS
    x = header.sectionViewportPosition(column) + header.sectionSize(column) // 2
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, 5))
    assert panel.model.query.sort_key == "pupils"
    assert panel.tree.currentIndex().data(ROLE_ID) == school_id
    assert panel.tree.selectionModel().isSelected(panel.model.index_of(school_id))
    assert panel.school_id == school_id


# --- the passport ---------------------------------------------------------------------------


def test_passport_shows_seed_figures_and_warnings_under_the_fields(panel: PassportPanel) -> None:
    _select(panel, "бартеневка")
    assert _line(panel, "profile", "pupils_total").text() == "86"
    assert _line(panel, "profile", "pct_incomplete_families").text() == "22"
    assert _line(panel, "profile", "pct_other_language").text() == "0,03"
    assert _line(panel, "school", "distance_km").text() == "18"
    note = panel.editors[("profile", "pupils_total")].note
    assert note.isVisibleTo(panel)
    assert "85" in note.text() and "86" in note.text()
    assert panel.warnings.isVisibleTo(panel)
    assert "всего обучающихся" in panel.warnings.text()
    assert "Так указано в документе" in panel.warnings.text()
    # A generated value is marked, a seed value is not.
    assert panel.editors[("profile", "teachers")].mark.isVisibleTo(panel)
    assert not panel.editors[("profile", "pupils_total")].mark.isVisibleTo(panel)
    assert _combo(panel, "profile", "group_code").currentText() == "ШНОР"


def test_a_hand_made_disagreement_is_not_said_to_come_from_a_document(
    panel: PassportPanel,
    qtbot: Bot,
) -> None:
    _select(panel, "бартеневка")
    edit = _line(panel, "profile", "pupils_1_4")
    _focus(qtbot, edit)
    edit.selectAll()
    qtbot.keyClicks(edit, "30")
    qtbot.keyClick(edit, Qt.Key.Key_Return)
    assert "79" in panel.editors[("profile", "pupils_total")].note.text()
    assert panel.warnings.isVisibleTo(panel)
    assert "документ" not in panel.warnings.text()


def test_the_warning_does_not_push_the_form_down(panel: PassportPanel) -> None:
    _select(panel, "бартеневка")  # has a warning
    with_warning = panel.tabs.mapTo(panel, QPoint(0, 0)).y()
    _select(panel, "знаменский")  # has none
    assert not panel.warnings.isVisibleTo(panel)
    assert panel.tabs.mapTo(panel, QPoint(0, 0)).y() == with_warning


def test_history_buttons_stand_in_one_column(panel: PassportPanel) -> None:
    _select(panel, "гимназия")
    body = panel.editors[("profile", "teachers")].parentWidget()
    assert body is not None
    names = ("pupils_total", "pupils_bused", "teachers", "vacancies", "pct_ovz", "internet_mbps")
    # Some carry the «generated» mark, some do not; units differ («чел.», «ставок», «%»).
    marks = {panel.editors[("profile", n)].mark.isVisibleTo(panel) for n in names}
    assert marks == {True, False}
    xs = {
        panel.editors[("profile", n)].history_button.mapTo(panel, QPoint(0, 0)).x() for n in names
    }
    assert len(xs) == 1


def test_edit_saves_and_undo_restores(panel: PassportPanel, qtbot: Bot) -> None:
    school_id = _select(panel, "знаменский")
    assert panel.db is not None
    edit = _line(panel, "profile", "pct_low_income")
    assert edit.text() == "32"
    _focus(qtbot, edit)
    edit.selectAll()
    qtbot.keyClicks(edit, "30,50")
    qtbot.keyClick(edit, Qt.Key.Key_Return)
    profile = panel.db.schools.profile(school_id, 2022)
    assert profile is not None and profile.pct_low_income == 30.5
    assert edit.text() == "30,5"
    history = panel.db.schools.profile_history(school_id, 2022, "pct_low_income")
    assert (history[-1].old, history[-1].new) == (32, 30.5)
    panel.db.undo.undo()
    assert _line(panel, "profile", "pct_low_income").text() == "32"
    panel.db.undo.redo()
    assert _line(panel, "profile", "pct_low_income").text() == "30,5"


def test_invalid_value_is_kept_with_the_reason_under_it(
    panel: PassportPanel,
    qtbot: Bot,
) -> None:
    school_id = _select(panel, "арбузовка")
    assert panel.db is not None
    field = panel.editors[("profile", "pct_low_income")]
    edit = _line(panel, "profile", "pct_low_income")
    messages: list[str] = []
    panel.sig_status.connect(messages.append)
    _focus(qtbot, edit)
    edit.selectAll()
    qtbot.keyClicks(edit, "120")
    qtbot.keyClick(edit, Qt.Key.Key_Return)
    assert edit.text() == "120"  # what was typed stays for correction
    assert field.note.isVisibleTo(panel)
    assert "от 0 до 100" in field.note.text()
    assert messages and "не сохранено" in messages[-1]
    profile = panel.db.schools.profile(school_id, 2022)
    assert profile is not None and profile.pct_low_income == 41
    edit.selectAll()
    _type(edit, "пять")
    qtbot.keyClick(edit, Qt.Key.Key_Return)
    assert "нужно число" in field.note.text().lower()
    edit.selectAll()
    qtbot.keyClicks(edit, "40")
    qtbot.keyClick(edit, Qt.Key.Key_Return)
    assert not field.note.isVisibleTo(panel)
    assert panel.db.schools.profile(school_id, 2022).pct_low_income == 40  # type: ignore[union-attr]


def test_a_whole_number_field_asks_for_a_whole_number(
    panel: PassportPanel,
    qtbot: Bot,
) -> None:
    _select(panel, "арбузовка")
    edit = _line(panel, "profile", "teachers")
    _focus(qtbot, edit)
    edit.selectAll()
    _type(edit, "двенадцать")
    qtbot.keyClick(edit, Qt.Key.Key_Return)
    note = panel.editors[("profile", "teachers")].note.text()
    assert "целое число" in note
    assert "26,8" not in note


def test_a_taken_code_is_named_in_plain_words(panel: PassportPanel, qtbot: Bot) -> None:
    _select(panel, "арбузовка")
    panel.tabs.setCurrentIndex(1)
    edit = _line(panel, "school", "code")
    _focus(qtbot, edit)
    edit.selectAll()
    qtbot.keyClicks(edit, "08")
    qtbot.keyClick(edit, Qt.Key.Key_Return)
    note = panel.editors[("school", "code")].note.text()
    assert "код «08» уже занят другой школой" in note.lower()
    assert "school.code" not in note


def test_passport_of_a_new_year_is_created_by_typing(panel: PassportPanel, qtbot: Bot) -> None:
    assert panel.db is not None
    latest = panel.db.schools.years()[-1]
    school_id = _select(panel, "клевенка", latest + 1)
    assert "ещё не заполнен" in panel.profile_title.text()
    # An unfilled passport has no group yet (not the first entry, «ШНОР»).
    assert _combo(panel, "profile", "group_code").currentIndex() == -1
    edit = _line(panel, "profile", "teachers")
    _focus(qtbot, edit)
    qtbot.keyClicks(edit, "9")
    qtbot.keyClick(edit, Qt.Key.Key_Tab)
    profile = panel.db.schools.profile(school_id, latest + 1)
    assert profile is not None and profile.teachers == 9 and profile.source == "manual"


def test_history_dialog_lists_changes(panel: PassportPanel, qtmodeltester: Bot) -> None:
    _select(panel, "бартеневка")
    edit = _line(panel, "profile", "pct_low_income")
    edit.setText("12")
    edit.editingFinished.emit()
    panel.show_history("profile", "pct_low_income")
    dialog = panel._history_dialog  # noqa: SLF001
    model = dialog.view.model()
    assert isinstance(model, HistoryModel)
    qtmodeltester.check(model)
    assert model.index(0, HistoryModel.COL_OLD).data() == "11"
    assert model.index(0, HistoryModel.COL_NEW).data() == "12"
    dialog.close()
    for _ in range(3):  # closed history windows do not pile up (the monkey's find)
        panel.show_history("profile", "pct_low_income")
        panel._history_dialog.close()  # noqa: SLF001
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)  # deleteLater runs
    assert panel.findChildren(HistoryDialog) == []


def test_add_and_remove_school_with_undo(panel: PassportPanel, asked: Questions) -> None:
    assert panel.db is not None
    db = panel.db
    school_id = _select(panel, "гимназия")
    before = len(db.schools.profiles(school_id))
    panel.remove_school()
    question = asked[0]
    assert "можно отменить" in question
    # The name keeps its own quotes, and the passports are counted in words.
    assert "Удалить МОУ «Гимназия с. Ивантеевка» и 5 паспортов (2019/20 – 2023/24)?" in question
    assert "Её филиал станет самостоятельной школой." in question
    assert "»»" not in question
    assert not panel.model.index_of(school_id).isValid()
    assert panel.school_id is not None and panel.school_id == panel.tree.currentIndex().data(
        ROLE_ID
    )
    db.undo.undo()
    assert len(db.schools.profiles(school_id)) == before
    # The school that came back is the one selected.
    assert panel.tree.currentIndex().data(ROLE_ID) == school_id
    assert panel.school_id == school_id


def test_opens_on_the_latest_year_with_real_figures(panel: PassportPanel) -> None:
    # 2023/24 exists but is wholly generated; the seed year 2022/23 comes first.
    assert panel.selected_year == 2022
    assert panel.year.findData(2023) >= 0
    assert panel.year.findText(school_year_label(current_school_year())) >= 0


def test_whole_number_shares_keep_their_zeros(panel: PassportPanel) -> None:
    school_id = _select(panel, "ивановка")
    assert panel.db is not None
    panel.db.schools.set_profile_value(school_id, 2022, "pct_low_income", 20.0, "тест")
    assert _line(panel, "profile", "pct_low_income").text() == "20"
    panel.db.schools.set_profile_value(school_id, 2022, "pct_low_income", 10.50, "тест")
    assert _line(panel, "profile", "pct_low_income").text() == "10,5"


def test_a_school_cannot_become_its_own_or_a_branchs_branch(panel: PassportPanel) -> None:
    assert panel.db is not None
    db = panel.db
    school_id = _select(panel, "знаменский")
    branch_id = db.schools.branches(school_id)[0].id
    editor = panel.editors[("school", "parent_id")]
    combo = _combo(panel, "school", "parent_id")
    gymnasium = next(s.id for s in db.schools.all_schools() if "Гимназия" in s.short_name)
    # Знаменский has a branch of its own, so it cannot become a branch.
    combo.setCurrentIndex(combo.findData(gymnasium))
    combo.activated.emit(combo.currentIndex())
    assert "свои филиалы" in editor.error
    assert db.schools.get(school_id).parent_id is None
    assert db.schools.get(branch_id).parent_id == school_id
    # A school without branches can become one, and the list shows it under its school.
    arbuzovka = _select(panel, "арбузовка")
    editor = panel.editors[("school", "parent_id")]
    combo = _combo(panel, "school", "parent_id")
    combo.setCurrentIndex(combo.findData(gymnasium))
    combo.activated.emit(combo.currentIndex())
    assert editor.error == ""
    assert db.schools.get(arbuzovka).parent_id == gymnasium
    assert panel.model.parent(panel.model.index_of(arbuzovka)).data(ROLE_ID) == gymnasium


# --- the defects of the issue list ----------------------------------------------------------


def test_1_the_wheel_scrolls_the_form_and_edits_no_combo(
    panel: PassportPanel, qtbot: Bot, wheel: Wheel
) -> None:
    assert panel.db is not None
    db = panel.db
    gymnasium = _select(panel, "гимназия")
    group = _combo(panel, "profile", "group_code")
    assert group.currentText() == "Высокие результаты (лидер)"
    bar = _scroll_area_of(group).verticalScrollBar()
    assert bar.value() == 0 and bar.maximum() > 0
    sets = len(db.log.recent_sets())
    wheel(group)
    assert group.currentText() == "Высокие результаты (лидер)"
    assert db.schools.profile(gymnasium, 2022).group_code == "leader"  # type: ignore[union-attr]
    assert bar.value() > 0  # the form scrolled instead
    # The same over «Филиал школы» on the school card.
    arbuzovka = _select(panel, "арбузовка")
    panel.tabs.setCurrentIndex(1)
    parent = _combo(panel, "school", "parent_id")
    for _ in range(3):
        wheel(parent, steps=-1)
    assert parent.currentData() is None
    assert db.schools.get(arbuzovka).parent_id is None
    assert len(db.log.recent_sets()) == sets
    # A combo the user focused still answers the wheel turned over it on purpose
    # (not as the tail of a scroll of the form).
    qtbot.wait(int(WheelGuard.SCROLL_CONTINUES * 1000) + 100)
    _focus(qtbot, parent)
    wheel(parent, steps=-1)
    assert parent.currentData() is not None


# The offscreen platform cannot raise a popup menu or let it grab the keyboard.
@pytest.mark.qt_log_ignore("does not support raise", "does not support grabbing")
def test_2_tab_goes_from_field_to_field(panel: PassportPanel, qtbot: Bot) -> None:
    assert panel.db is not None
    school_id = _select(panel, "арбузовка")
    panel.tabs.setCurrentIndex(1)
    histories: list[str] = []
    for editor in panel.editors.values():
        editor.sig_history.connect(histories.append)
    director = _line(panel, "school", "director")
    phone = _line(panel, "school", "phone")
    email = _line(panel, "school", "email")
    _focus(qtbot, director)
    director.selectAll()
    _type(director, "Иванова Анна Петровна")
    qtbot.keyClick(director, Qt.Key.Key_Tab)
    assert phone.hasFocus()
    phone.selectAll()
    qtbot.keyClicks(phone, "8 845 79 5 12 34")
    qtbot.keyClick(phone, Qt.Key.Key_Tab)
    assert email.hasFocus()
    email.selectAll()
    qtbot.keyClicks(email, "arbuz@example.ru")
    qtbot.keyClick(email, Qt.Key.Key_Tab)
    assert histories == []
    school = panel.db.schools.get(school_id)
    assert school.director == "Иванова Анна Петровна"
    assert school.phone == "8 845 79 5 12 34"
    assert school.email == "arbuz@example.ru"
    # The history stays reachable: Ctrl+H on the field, or its context menu.
    _focus(qtbot, director)
    qtbot.keyClick(director, Qt.Key.Key_H, Qt.KeyboardModifier.ControlModifier)
    assert histories == ["director"]
    field = panel.editors[("school", "director")]
    menu_event = QContextMenuEvent(
        QContextMenuEvent.Reason.Mouse, QPoint(5, 5), director.mapToGlobal(QPoint(5, 5))
    )
    QApplication.sendEvent(director, menu_event)
    menu = field.context_menu
    assert field.history_action in menu.actions()
    menu.close()


def test_3_the_edited_school_stays_when_it_leaves_the_group_filter(
    panel: PassportPanel,
    qtbot: Bot,
) -> None:
    assert panel.db is not None
    db = panel.db
    panel.year.set_year(2022)
    panel.group.setCurrentIndex(panel.group.findData("risk"))
    arbuzovka = _school_id(panel, "арбузовка")
    _click_row(qtbot, panel, arbuzovka)
    assert panel.school_id == arbuzovka
    messages: list[str] = []
    panel.sig_status.connect(messages.append)
    group = _combo(panel, "profile", "group_code")
    _focus(qtbot, group)
    qtbot.keyClick(group, Qt.Key.Key_Down)  # «Зона риска» → «Профилактика»
    assert db.schools.profile(arbuzovka, 2022).group_code == "prevention"  # type: ignore[union-attr]
    # Still selected and shown, and the user is told why it is still listed.
    assert panel.school_id == arbuzovka
    assert panel.tree.currentIndex().data(ROLE_ID) == arbuzovka
    assert "Арбузовка" in panel.heading.text()
    assert panel.model.is_kept(arbuzovka)
    assert "остаётся в списке" in panel.count_label.text()
    assert "не подходит под фильтр" in messages[-1]
    # The next thing typed goes into the same school.
    edit = _line(panel, "profile", "teachers")
    _focus(qtbot, edit)
    edit.selectAll()
    qtbot.keyClicks(edit, "17")
    qtbot.keyClick(edit, Qt.Key.Key_Return)
    assert db.schools.profile(arbuzovka, 2022).teachers == 17  # type: ignore[union-attr]
    # Changing the filter on purpose lets it go.
    panel.group.setCurrentIndex(panel.group.findData("leader"))
    assert not panel.model.index_of(arbuzovka).isValid()


def test_4_switching_school_asks_before_dropping_a_refused_value(
    panel: PassportPanel,
    qtbot: Bot,
    asked: Questions,
) -> None:
    assert panel.db is not None
    arbuzovka = _select(panel, "арбузовка")
    kanaevka = _school_id(panel, "канаевка")
    edit = _line(panel, "profile", "pct_low_income")
    _focus(qtbot, edit)
    edit.selectAll()
    qtbot.keyClicks(edit, "120")
    asked.answer = False
    _click_row(qtbot, panel, kanaevka)
    assert len(asked) == 1
    assert "«120»" in asked[0] and "от 0 до 100" in asked[0]
    qtbot.waitUntil(lambda: panel.tree.currentIndex().data(ROLE_ID) == arbuzovka)
    assert panel.school_id == arbuzovka
    assert edit.text() == "120"
    # Dropping it on purpose goes to the other school.
    asked.answer = True
    _click_row(qtbot, panel, kanaevka)
    assert panel.school_id == kanaevka
    assert panel.editors[("profile", "pct_low_income")].error == ""
    assert panel.db.schools.profile(arbuzovka, 2022).pct_low_income == 41  # type: ignore[union-attr]


def test_4_a_refused_value_survives_saving_another_field(
    panel: PassportPanel,
    qtbot: Bot,
) -> None:
    _select(panel, "арбузовка")
    low_income = _line(panel, "profile", "pct_low_income")
    _focus(qtbot, low_income)
    low_income.selectAll()
    qtbot.keyClicks(low_income, "120")
    qtbot.keyClick(low_income, Qt.Key.Key_Tab)
    teachers = _line(panel, "profile", "teachers")
    _focus(qtbot, teachers)
    teachers.selectAll()
    qtbot.keyClicks(teachers, "15")
    qtbot.keyClick(teachers, Qt.Key.Key_Return)
    assert low_income.text() == "120"
    assert "от 0 до 100" in panel.editors[("profile", "pct_low_income")].note.text()


def test_4_escape_brings_the_stored_value_back(panel: PassportPanel, qtbot: Bot) -> None:
    assert panel.db is not None
    arbuzovka = _select(panel, "арбузовка")
    field = panel.editors[("profile", "pct_low_income")]
    edit = _line(panel, "profile", "pct_low_income")
    _focus(qtbot, edit)
    edit.selectAll()
    qtbot.keyClicks(edit, "120")
    qtbot.keyClick(edit, Qt.Key.Key_Return)
    assert field.error
    qtbot.keyClick(edit, Qt.Key.Key_Escape)
    assert edit.text() == "41"
    assert field.error == "" and not field.note.isVisibleTo(panel)
    # Escape also drops a text typed but not yet saved.
    edit.selectAll()
    qtbot.keyClicks(edit, "55")
    qtbot.keyClick(edit, Qt.Key.Key_Escape)
    assert edit.text() == "41"
    qtbot.keyClick(edit, Qt.Key.Key_Tab)
    assert panel.db.schools.profile(arbuzovka, 2022).pct_low_income == 41  # type: ignore[union-attr]


def test_9_a_new_database_offers_the_current_year_and_any_typed_one(
    empty_panel: PassportPanel,
    qtbot: Bot,
) -> None:
    panel = empty_panel
    assert panel.selected_year == current_school_year()
    assert panel.year.currentText() == school_year_label(current_school_year())
    _focus(qtbot, panel.year)
    panel.year.line.selectAll()
    qtbot.keyClicks(panel.year.line, "2027/28")
    qtbot.keyClick(panel.year.line, Qt.Key.Key_Return)
    assert panel.selected_year == 2027
    assert panel.year.findText("2027/28") >= 0
    # Not a year: said so, and the year stays.
    messages: list[str] = []
    panel.sig_status.connect(messages.append)
    panel.year.line.selectAll()
    _type(panel.year.line, "двадцать седьмой")
    qtbot.keyClick(panel.year.line, Qt.Key.Key_Return)
    assert panel.selected_year == 2027
    assert panel.year.currentText() == "2027/28"
    assert "2027/28" in messages[-1]


def test_other_year_entry_lets_the_user_type_a_year(panel: PassportPanel, qtbot: Bot) -> None:
    panel.year.setCurrentIndex(panel.year.findText("Другой год…"))
    qtbot.waitUntil(lambda: panel.year.line.text() == "")
    assert panel.selected_year == 2022
    qtbot.keyClicks(panel.year.line, "2030/31")
    qtbot.keyClick(panel.year.line, Qt.Key.Key_Return)
    assert panel.selected_year == 2030
    assert "Паспорт на 2030/31 учебный год ещё не заполнен" in panel.profile_title.text()


def test_a_new_database_offers_to_add_the_first_school(empty_panel: PassportPanel) -> None:
    panel = empty_panel
    assert panel.pages.currentWidget() is panel.empty
    assert panel.empty.button.isVisibleTo(panel)
    assert panel.empty.button.text() == "Добавить первую школу…"
    assert "Выберите школу" not in panel.empty.title.text()
