"""The page «Сводка»: due soon, overdue, completion per section and unread deadlines.

The demo's roadmap is looked at on 15.03.2024 (as in test_roadmap_panel.py).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings, Qt
from PySide6.QtTest import QTest

from shnor_desktop.models.database import Database
from shnor_desktop.models.roadmap import RoadmapQuery
from shnor_desktop.ui.main_window import MainWindow
from shnor_desktop.ui.overview_panel import OverviewPanel, completion_text
from shnor_desktop.ui.roadmap_models import ActivityListModel
from shnor_desktop.ui.roadmap_panel import RoadmapPanel

Bot = Any
ShowPanel = Callable[..., Any]
TODAY = date(2024, 3, 15)


def _open(show_panel: ShowPanel, db: Database) -> OverviewPanel:
    panel: OverviewPanel = show_panel(OverviewPanel, db, size=(1200, 760))
    panel.today = TODAY
    panel.reload()
    return panel


def _ids(model: ActivityListModel) -> list[int]:
    return [a.id for a in model.records()]


def test_list_models_pass_the_model_tester(
    qtmodeltester: Bot, qtbot: Bot, show_panel: ShowPanel, demo_db: Database
) -> None:
    panel = _open(show_panel, demo_db)
    assert panel.overdue_model.rowCount() > 0 and panel.soon_model.rowCount() > 0
    for model in (panel.soon_model, panel.overdue_model, panel.unscheduled_model):
        qtmodeltester.check(model)


def test_the_figures_are_those_of_the_summary(
    qtbot: Bot, show_panel: ShowPanel, demo_db: Database
) -> None:
    panel = _open(show_panel, demo_db)
    programme = demo_db.roadmap.programmes()[0]
    summary = demo_db.roadmap.summary(programme.id, TODAY)
    assert panel.programme_id == programme.id
    assert _ids(panel.soon_model) == [a.id for a in summary.due_soon]
    assert _ids(panel.overdue_model) == [a.id for a in summary.overdue]
    assert _ids(panel.unscheduled_model) == [a.id for a in summary.unscheduled] == []
    assert panel.soon_box.title() == "Срок в ближайшие 30 дней (до 13.04.2024): 1"
    assert panel.overdue_box.title() == "Просрочено: 7"
    assert panel.day_label.text() == "на 15.03.2024"
    # «ноябрь 2023 г. март 2024» ends on 31.03.2024: inside the 30 days.
    soon = panel.soon_model
    assert soon.index(0, ActivityListModel.COL_DUE).data() == "31.03.2024"
    assert soon.index(0, ActivityListModel.COL_DEADLINE).data() == "ноябрь 2023 г. март 2024"
    late = panel.overdue_model.index(0, ActivityListModel.COL_TITLE)
    assert late.data(Qt.ItemDataRole.ForegroundRole).color().name() == "#c62828"
    # A bar per section: «done of counted, share».
    assert panel.section_texts() == [completion_text(p) for p in summary.sections]
    assert panel.section_texts()[:2] == ["2 из 13, 15\u00a0%", "2 из 5, 40\u00a0%"]
    bars = [bar.share for _, bar, _ in panel.section_rows]
    assert bars == [p.share_done for p in summary.sections]
    assert panel.total_label.text().startswith("Всего по программе: 3 из 31 выполнено")


def test_an_unread_deadline_is_listed_as_written(
    qtbot: Bot, show_panel: ShowPanel, demo_db: Database
) -> None:
    panel = _open(show_panel, demo_db)
    programme = demo_db.roadmap.programmes()[0]
    item = demo_db.roadmap.activities(RoadmapQuery(programme.id))[5]
    demo_db.roadmap.update_activity(item.id, {"deadline_text": "по погоде"}, "Срок")
    # The visible page follows the change at once.
    assert _ids(panel.unscheduled_model) == [item.id]
    cell = panel.unscheduled_model.index(0, ActivityListModel.COL_DEADLINE)
    assert cell.data() == "по погоде"
    assert cell.data(Qt.ItemDataRole.DecorationRole) is not None
    assert panel.unscheduled_box.title() == "Срок не распознан: 1"
    assert panel.unscheduled_view.isVisibleTo(panel)


def test_a_click_on_an_activity_shows_it_in_the_roadmap(
    qtbot: Bot, settings: QSettings, demo_path: Path
) -> None:
    window = MainWindow(settings)
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    assert window.open_database(demo_path)
    qtbot.waitUntil(lambda: not any(t.running for t in window.tasks), timeout=10000)
    overview = next(p for p in window.panels if isinstance(p, OverviewPanel))
    roadmap = next(p for p in window.panels if isinstance(p, RoadmapPanel))
    overview.today = roadmap.today = TODAY
    window.nav.setCurrentRow(window.panels.index(overview))
    overview.reload()
    roadmap.overdue_filter.setChecked(False)
    roadmap.status_filter.setCurrentIndex(roadmap.status_filter.findData("done"))
    roadmap.reload()  # a filter that hides the activity is cleared to show it
    view = overview.overdue_view
    target = overview.overdue_model.record(2)
    rect = view.visualRect(overview.overdue_model.index(2, ActivityListModel.COL_TITLE))
    QTest.mouseClick(
        view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, rect.center()
    )
    assert window.stack.currentWidget() is roadmap
    chosen = roadmap.current_activity()
    assert chosen is not None and chosen.id == target.id
    assert roadmap.tabs.currentIndex() == 0
    assert roadmap.status_filter.currentIndex() == 0
    window.close()
