"""«Отчёты»: build a report in the background and see its pages, save PDF and Word,
edit the coordinator's conclusions and the letterhead."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QFileDialog, QWidget

from shnor_desktop.models.database import Database
from shnor_desktop.models.report_texts import ReportTextRepository
from shnor_desktop.services.reports.settings import OFFICE
from shnor_desktop.ui.report_preview import can_render
from shnor_desktop.ui.reports_panel import ReportsPanel

Bot = Any
ShowPanel = Callable[..., Any]


def _open(show_panel: ShowPanel, db: Database) -> ReportsPanel:
    panel: ReportsPanel = show_panel(ReportsPanel, db, size=(1200, 760))
    return panel


def _type(widget: QWidget, text: str) -> None:
    """Type text key by key (QTest's keyClicks knows only ASCII)."""
    for char in text:
        QTest.sendKeyEvent(
            QTest.KeyAction.Click, widget, Qt.Key.Key_unknown, char, Qt.KeyboardModifier(0)
        )


def _choose(qtbot: Bot, panel: ReportsPanel, kind: str) -> None:
    index = panel.kind.findData(kind)
    panel.kind.setFocus()
    while panel.kind.currentIndex() != index:
        key = Qt.Key.Key_Down if panel.kind.currentIndex() < index else Qt.Key.Key_Up
        qtbot.keyClick(panel.kind, key)


def test_the_form_shows_the_parameters_of_the_kind(
    qtbot: Bot, show_panel: ShowPanel, demo_db: Database
) -> None:
    panel = _open(show_panel, demo_db)
    assert panel.year.year == 2022
    _choose(qtbot, panel, "passport")
    assert panel.school.isVisible() and not panel.meeting.isVisible()
    assert panel.school.currentData() == "01"
    assert not panel.text_box.isVisible()
    _choose(qtbot, panel, "protocol")
    assert panel.meeting.isVisible() and panel.meeting.currentText() == "Протокол № 1 от 03.07.2023"
    _choose(qtbot, panel, "journal")
    assert panel.period_row.isVisible()
    assert panel.date_from.date().toString("dd.MM.yyyy") == "01.09.2022"
    _choose(qtbot, panel, "annual")
    assert panel.text_box.isVisible()
    assert not panel.print_button.isEnabled()  # nothing built yet


def test_build_shows_every_page_of_the_passport(
    qtbot: Bot, show_panel: ShowPanel, demo_db: Database
) -> None:
    panel = _open(show_panel, demo_db)
    _choose(qtbot, panel, "passport")
    with qtbot.waitSignal(panel.sig_built, timeout=30000) as built:
        qtbot.mouseClick(panel.build_button, Qt.MouseButton.LeftButton)
    result = built.args[0]
    assert result.pages >= 2
    assert "страниц: " + str(result.pages) in panel.status.text()
    if can_render():
        assert len(panel.preview.pages) == result.pages
        assert panel.preview.pages[0].pixmap().width() > 500
        # Each page keeps its height: the column scrolls, the pages are not squeezed.
        first = panel.preview.pages[0]
        assert first.height() == first.pixmap().height() > 700
        assert panel.print_button.isEnabled()
    assert panel.build_button.isEnabled()


def test_save_writes_word_for_the_annual_report(
    qtbot: Bot,
    show_panel: ShowPanel,
    demo_db: Database,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    panel = _open(show_panel, demo_db)
    _choose(qtbot, panel, "annual")
    target = tmp_path / "Годовой отчёт.docx"
    monkeypatch.setattr(
        QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), "Документ Word (*.docx)")
    )
    with qtbot.waitSignal(panel.sig_saved, timeout=30000) as saved:
        qtbot.mouseClick(panel.save_button, Qt.MouseButton.LeftButton)
    assert saved.args[0].format == "docx"
    assert target.stat().st_size > 50_000
    assert panel.folder_button.isEnabled()


def test_a_refused_report_says_why(qtbot: Bot, show_panel: ShowPanel, demo_db: Database) -> None:
    panel = _open(show_panel, demo_db)
    _choose(qtbot, panel, "protocol")
    panel.year.set_year(2010)
    panel.meeting.clear()  # no meeting chosen: the last of 2010/11, which has none
    with qtbot.waitSignal(panel.sig_failed, timeout=30000) as failed:
        qtbot.mouseClick(panel.build_button, Qt.MouseButton.LeftButton)
    assert failed.args[0] == "В базе нет заседаний в 2010/11 учебном году."
    assert panel.status.text() == failed.args[0]


def test_conclusions_and_letterhead_are_kept_in_the_database(
    qtbot: Bot, show_panel: ShowPanel, demo_db: Database
) -> None:
    panel = _open(show_panel, demo_db)
    _choose(qtbot, panel, "annual")
    panel.conclusions.setFocus()
    _type(panel.conclusions, "Бартеневка вышла из ШНОР.")
    qtbot.mouseClick(panel.save_text_button, Qt.MouseButton.LeftButton)
    assert ReportTextRepository(demo_db.log).get("annual", 2022) == "Бартеневка вышла из ШНОР."
    _choose(qtbot, panel, "results")
    assert panel.conclusions.toPlainText() == ""
    _choose(qtbot, panel, "annual")
    assert panel.conclusions.toPlainText() == "Бартеневка вышла из ШНОР."
    office = panel.letterhead[OFFICE.key]
    office.clear()
    _type(office, "Отдел образования")
    qtbot.mouseClick(panel.save_head_button, Qt.MouseButton.LeftButton)
    assert demo_db.settings.get(OFFICE) == "Отдел образования"
    demo_db.undo.undo()
    assert demo_db.settings.get(OFFICE) == ""
