"""The «Результаты» panel as a coordinator uses it: typing counts, undo, sorting, the pivot."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractItemView, QApplication, QLineEdit, QWidget

from shnor_desktop.models.database import Database
from shnor_desktop.models.metrics import METRIC_BY_KEY
from shnor_desktop.models.results import ResultKey
from shnor_desktop.models.settings import OBJECTIVITY_THRESHOLD
from shnor_desktop.ui.common import DataBus
from shnor_desktop.ui.results_models import (
    BETTER,
    MINUS,
    WORSE,
    ExamModel,
    ObjectivityModel,
    PivotLine,
    PivotModel,
    PooledRowModel,
    ResultsTableModel,
)
from shnor_desktop.ui.results_panel import ResultsPanel

Bot = Any

SCHOOLS = ("СОШ с. Бартеневка", "ООШ с. Канаевка", "СОШ п. Знаменский", "ООШ с. Клевенка")


def _fill(db: Database) -> dict[str, int]:
    """Three schools with ВПР Математика 5 in 2021–2022 and ОГЭ 2022; one school without."""
    ids: dict[str, int] = {}
    with db.log.change_set("Данные", "demo") as cs:
        for n, name in enumerate(SCHOOLS, 1):
            ids[name] = cs.insert(
                "school", {"code": f"0{n}", "full_name": f"МОУ «{name}»", "short_name": name}
            )
            cs.insert(
                "school_profile",
                {"school_id": ids[name], "year": 2022, "group_code": "shnor" if n == 1 else "none"},
            )
        for year, extra in ((2021, 0), (2022, 2)):
            for n, name in enumerate(SCHOOLS[:3]):
                participants = 20 + 5 * n
                cs.insert(
                    "assessment",
                    {
                        "school_id": ids[name], "year": year, "procedure": "ВПР",
                        "subject": "Математика", "grade": 5, "pupils_due": participants + 1,
                        "participants": participants, "n2": 4 - extra, "n3": 8,
                        "n4": participants - 16 + extra, "n5": 4, "vpr_lowered": 2 + 8 * n,
                        "vpr_confirmed": participants - 2 - 8 * n, "vpr_raised": 0,
                        "source": "generated" if n == 2 else "import",
                    },
                )  # fmt: skip
        for name, score in ((SCHOOLS[0], 11.0), (SCHOOLS[1], 17.0)):
            cs.insert(
                "assessment",
                {
                    "school_id": ids[name], "year": 2022, "procedure": "ОГЭ",
                    "subject": "Математика", "grade": 9, "participants": 10, "n2": 1, "n3": 9,
                    "mean_score": score, "below_minimum": 1,
                },
            )  # fmt: skip
    return ids


@pytest.fixture
def results_db(tmp_path: Path) -> Iterator[Database]:
    db = Database.open(tmp_path / "r.sqlite")
    db.ids = _fill(db)  # type: ignore[attr-defined]
    try:
        yield db
    finally:
        db.close()


@pytest.fixture
def panel(qtbot: Bot, results_db: Database) -> Iterator[ResultsPanel]:
    bus = DataBus()
    bus.attach(results_db)
    widget = ResultsPanel(bus)
    qtbot.addWidget(widget)
    widget.resize(1300, 700)
    widget.set_database(results_db)
    widget.show()
    qtbot.waitExposed(widget)
    yield widget
    widget.set_database(None)


def _choose(panel: ResultsPanel, procedure: str = "ВПР") -> None:
    panel.procedure.setCurrentIndex(panel.procedure.findData(procedure))
    panel._on_procedure_activated(panel.procedure.currentIndex())


def _row(panel: ResultsPanel, school: str) -> int:
    return next(i for i in range(panel.model.rowCount()) if panel.model.record(i).school == school)


def _type(widget: QWidget, text: str) -> None:
    """Type ``text`` as a user would (QTest.keyClicks takes ASCII only)."""
    for char in text:
        QTest.sendKeyEvent(
            QTest.KeyAction.Click, widget, Qt.Key.Key_unknown, char, Qt.KeyboardModifier.NoModifier
        )


def _type_into_cell(qtbot: Bot, panel: ResultsPanel, school: str, key: str, text: str) -> QLineEdit:
    """Select a cell, type over it and press Enter; return the editor (closed or not)."""
    index = panel.model.index(_row(panel, school), panel.model.column_of(key))
    panel.view.setCurrentIndex(index)
    panel.view.setFocus()
    qtbot.waitUntil(panel.view.hasFocus)
    _type(panel.view, text[0])  # the first key opens the editor with it
    editor = QApplication.focusWidget()
    assert isinstance(editor, QLineEdit)
    _type(editor, text[1:])
    QTest.keyClick(editor, Qt.Key.Key_Return)
    # Qt commits an editor's Return once the key event is over.
    editing = QAbstractItemView.State.EditingState
    qtbot.waitUntil(lambda: panel.view.state() != editing or panel.message.isVisible())
    return editor


# --- item models -----------------------------------------------------------------------------
def test_every_model_passes_the_model_tester(
    qtmodeltester: Bot, panel: ResultsPanel, results_db: Database
) -> None:
    qtmodeltester.check(panel.model)
    qtmodeltester.check(panel.pooled_model)
    panel.tabs.setCurrentIndex(1)
    qtmodeltester.check(panel.pivot_model)
    qtmodeltester.check(panel.pivot_footer_model)
    panel.tabs.setCurrentIndex(3)
    assert panel.objectivity_model.rowCount() == 3
    qtmodeltester.check(panel.objectivity_model)
    _choose(panel, "ОГЭ")
    assert panel.exam_model.rowCount() == 2
    qtmodeltester.check(panel.exam_model)
    for model in (
        ResultsTableModel(),
        PooledRowModel(),
        PivotModel(),
        ObjectivityModel(),
        ExamModel(),
    ):
        qtmodeltester.check(model)  # empty ones too


def test_table_shows_counts_and_metrics_with_a_comma(panel: ResultsPanel) -> None:
    model = panel.model
    assert model.query is not None and model.query.year == 2022
    assert model.rowCount() == 3
    row = _row(panel, "СОШ с. Бартеневка")
    quality = model.index(row, model.column_of("quality")).data()
    assert quality == "50,0"  # (6 + 4) / 20, shown with one decimal and a comma
    alignment = model.index(row, model.column_of("quality")).data(Qt.ItemDataRole.TextAlignmentRole)
    assert alignment & Qt.AlignmentFlag.AlignRight
    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    assert headers[-3:] == ["Понизили, %", "Подтвердили, %", "Повысили, %"]
    _choose(panel, "ОГЭ")
    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    assert headers[-2:] == ["Средний балл", "Ниже мин., %"]
    assert panel.pooled_model.index(0, 0).data() == "Район"


def test_generated_rows_are_marked(panel: ResultsPanel) -> None:
    row = _row(panel, "СОШ п. Знаменский")
    index = panel.model.index(row, 0)
    assert index.data(Qt.ItemDataRole.FontRole).italic()
    assert "сгенерирована" in index.data(Qt.ItemDataRole.ToolTipRole)
    assert "сгенерированные для демонстрации" in panel.warnings.text()


# --- typing counts ------------------------------------------------------------------------------
def test_typing_a_count_writes_and_ctrl_z_in_the_window_undoes(
    qtbot: Bot, tmp_path: Path, settings: QSettings
) -> None:
    from shnor_desktop.ui.main_window import MainWindow

    path = tmp_path / "w.sqlite"
    db = Database.open(path)
    ids = _fill(db)
    db.close()
    window = MainWindow(settings)
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    assert window.open_database(path)
    qtbot.waitUntil(lambda: not any(t.running for t in window.tasks), timeout=10000)
    window.nav.setCurrentRow([type(p) for p in window.panels].index(ResultsPanel))
    panel = window.stack.currentWidget()
    assert isinstance(panel, ResultsPanel) and window.db is not None
    key = ResultKey(ids["ООШ с. Канаевка"], 2022, "ВПР", "Математика", 5)
    _type_into_cell(qtbot, panel, "ООШ с. Канаевка", "n5", "7")
    stored = window.db.results.row(key)
    assert stored is not None and stored.n5 == 7
    assert window.db.undo.undo_label() == (
        "Результаты: ВПР, Математика, 5 кл., ООШ с. Канаевка — «5»"
    )
    row = _row(panel, "ООШ с. Канаевка")
    assert panel.model.index(row, panel.model.column_of("n5")).data() == "7"
    assert panel.view.currentIndex().row() == row  # the selection stays on the edited row
    QTest.keyClick(panel.view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    restored = window.db.results.row(key)
    assert restored is not None and restored.n5 == 4
    qtbot.waitUntil(lambda: panel.model.index(row, panel.model.column_of("n5")).data() == "4")
    window.close()


@pytest.mark.parametrize(
    ("text", "reason"),
    [("-3", "не может быть отрицательным"), ("2,5", "нужно целое число")],
)
def test_a_refused_count_keeps_the_text_with_the_reason(
    qtbot: Bot, panel: ResultsPanel, results_db: Database, text: str, reason: str
) -> None:
    before = results_db.results.rows(panel.model.query)  # type: ignore[arg-type]
    editor = _type_into_cell(qtbot, panel, "ООШ с. Канаевка", "n2", text)
    assert editor.isVisible() and editor.text() == text  # nothing typed is lost
    assert panel.message.isVisible() and reason in panel.message.text()
    assert "Esc вернёт прежнее" in panel.message.text()
    assert results_db.results.rows(panel.model.query) == before  # type: ignore[arg-type]
    QTest.keyClick(editor, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not editor.isVisible())
    assert not panel.message.isVisible()


def test_a_mark_in_an_empty_row_asks_for_participants_first(
    qtbot: Bot, panel: ResultsPanel, results_db: Database
) -> None:
    qtbot.mouseClick(panel.all_schools, Qt.MouseButton.LeftButton)
    assert panel.model.rowCount() == 4
    editor = _type_into_cell(qtbot, panel, "ООШ с. Клевенка", "n5", "3")
    assert editor.isVisible()
    assert "сначала введите число участников" in panel.message.text()
    QTest.keyClick(editor, Qt.Key.Key_Escape)
    _type_into_cell(qtbot, panel, "ООШ с. Клевенка", "participants", "12")
    row = panel.model.record(_row(panel, "ООШ с. Клевенка"))
    assert row.participants == 12 and row.id is not None
    assert panel.model.rowCount() == 4  # updated in place


def test_a_warning_mark_appears_when_marks_differ_from_participants(
    qtbot: Bot, panel: ResultsPanel
) -> None:
    row = _row(panel, "СОШ с. Бартеневка")
    school = panel.model.index(row, 0)
    assert school.data(Qt.ItemDataRole.DecorationRole) is None
    assert not panel.warnings.text().startswith("⚠")
    _type_into_cell(qtbot, panel, "СОШ с. Бартеневка", "n5", "9")
    school = panel.model.index(_row(panel, "СОШ с. Бартеневка"), 0)
    assert school.data(Qt.ItemDataRole.DecorationRole) is not None
    assert "не равна числу участников" in school.data(Qt.ItemDataRole.ToolTipRole)
    participants = school.siblingAtColumn(panel.model.column_of("participants"))
    assert participants.data(Qt.ItemDataRole.BackgroundRole) is not None
    assert panel.warnings.text().startswith("⚠ Цифры не согласуются в 1 строке")


# --- sorting, the frozen row, the pivot ---------------------------------------------------------
def test_a_header_click_sorts_in_sql(qtbot: Bot, panel: ResultsPanel, results_db: Database) -> None:
    header = panel.view.horizontalHeader()
    column = panel.model.column_of("vpr_lowered")
    x = header.sectionViewportPosition(column) + header.sectionSize(column) // 2
    panel.view.scrollTo(panel.model.index(0, column))
    x = header.sectionViewportPosition(column) + header.sectionSize(column) // 2
    qtbot.mouseClick(
        header.viewport(), Qt.MouseButton.LeftButton, pos=header.rect().center().__class__(x, 5)
    )
    query = panel.model.query
    assert query is not None and query.sort_key == "vpr_lowered"
    shown = [panel.model.record(i).school for i in range(panel.model.rowCount())]
    assert shown == [r.school for r in results_db.results.rows(query)]
    values = [
        METRIC_BY_KEY["vpr_lowered"].compute(panel.model.record(i).counts)
        for i in range(panel.model.rowCount())
    ]
    assert None not in values
    assert values == sorted(values, key=lambda v: v or 0.0, reverse=query.descending)
    qtbot.mouseClick(
        header.viewport(), Qt.MouseButton.LeftButton, pos=header.rect().center().__class__(x, 5)
    )
    assert panel.model.query is not None and panel.model.query.descending != query.descending


def test_the_district_row_follows_the_horizontal_scroll(qtbot: Bot, panel: ResultsPanel) -> None:
    panel.resize(640, 500)
    qtbot.waitUntil(panel.table.hbar.isVisible)
    panel.table.hbar.setValue(panel.table.hbar.maximum())
    view, footer = panel.view, panel.table.footer
    assert view.horizontalScrollBar().value() == panel.table.hbar.maximum() > 0
    for column in range(panel.model.columnCount()):
        assert footer.columnWidth(column) == view.columnWidth(column)
        assert footer.columnViewportPosition(column) == view.columnViewportPosition(column)
    # Widening a column widens the district's too.
    view.setColumnWidth(3, 99)
    assert footer.columnWidth(3) == 99


def test_the_filtered_total_is_named_as_such(qtbot: Bot, panel: ResultsPanel) -> None:
    panel.group.setCurrentIndex(panel.group.findData("shnor"))
    assert panel.model.rowCount() == 1
    assert panel.pooled_model.index(0, 0).data() == "Итого по выборке"
    assert panel.pooled_model.index(0, panel.model.column_of("participants")).data() == "20"


def test_pivot_colours_changes_by_the_metric_direction(panel: ResultsPanel) -> None:
    panel.tabs.setCurrentIndex(1)
    model = panel.pivot_model
    assert [model.headerData(c, Qt.Orientation.Horizontal) for c in range(4)] == [
        "Школа", "2021/22", "Изм., п.п.", "2022/23",
    ]  # fmt: skip
    row = next(i for i in range(model.rowCount()) if model.line(i).label == "СОШ с. Бартеневка")
    change = model.index(row, 2)
    assert change.data() == "+10,0"  # quality 40,0 → 50,0
    assert change.data(Qt.ItemDataRole.ForegroundRole).color() == BETTER
    panel.metric_box.setCurrentIndex(panel.metric_box.findData("failed"))
    panel._on_pivot_options_changed()
    row = next(i for i in range(model.rowCount()) if model.line(i).label == "СОШ с. Бартеневка")
    change = model.index(row, 2)
    assert change.data() == MINUS + "10,0"  # «2» 20 % → 10 %: fewer failed is better
    assert change.data(Qt.ItemDataRole.ForegroundRole).color() == BETTER
    lines = [PivotLine(1, "А", "none", (50.0, 40.0)), PivotLine(2, "Б", "none", (10.0, 10.0))]
    model.set_lines(METRIC_BY_KEY["quality"], (2021, 2022), lines)
    assert model.index(0, 2).data(Qt.ItemDataRole.ForegroundRole).color() == WORSE
    assert model.index(1, 2).data(Qt.ItemDataRole.ForegroundRole) is None
    assert panel.pivot_footer_model.index(0, 0).data() == "Район"


def test_objectivity_uses_the_threshold_of_the_settings(
    qtbot: Bot, panel: ResultsPanel, results_db: Database
) -> None:
    panel.tabs.setCurrentIndex(3)
    assert panel.threshold_label.text() == "Порог: 40 % (изменить в «Настройки»)"
    model = panel.objectivity_model
    flagged = [model.record(i).school for i in range(model.rowCount()) if model.record(i).flagged]
    assert flagged == ["СОШ п. Знаменский"]  # 18 of 30 lowered = 60 %
    results_db.settings.set(OBJECTIVITY_THRESHOLD, 30.0, "Порог")
    assert panel.threshold_label.text() == "Порог: 30 % (изменить в «Настройки»)"
    flagged = [model.record(i).school for i in range(model.rowCount()) if model.record(i).flagged]
    assert sorted(flagged) == ["ООШ с. Канаевка", "СОШ п. Знаменский"]  # 10 of 25 = 40 %


def test_the_panel_works_on_the_demo_database(qtbot: Bot, demo_path: Path) -> None:
    db = Database.open(demo_path)
    bus = DataBus()
    bus.attach(db)
    panel = ResultsPanel(bus)
    qtbot.addWidget(panel)
    panel.resize(1024, 640)
    panel.set_database(db)
    panel.show()
    assert panel.model.rowCount() > 0
    assert panel.pooled_model.index(0, 0).data() == "Район"
    # It opens on the last year the documents speak of (2023/24 is wholly generated),
    # on a subject every procedure has.
    assert (panel.year.year, panel.subject.currentText()) == (2022, "Русский язык")
    for tab in range(4):
        panel.tabs.setCurrentIndex(tab)
    assert panel.pivot_model.rowCount() > 0
    panel.set_database(None)
    db.close()
