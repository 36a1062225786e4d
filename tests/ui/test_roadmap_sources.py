"""Where an activity came from and what the schools say of it: the protocol a decision came from
as a link to «Заседания», and the schools' reports imported from their workbooks, shown in the
roadmap's detail, named in the change log and counted in the annual report."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from PySide6.QtCore import QPoint, QSettings, Qt
from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import QScrollArea

from shnor_desktop.models.database import Database
from shnor_desktop.models.jobs import JobState
from shnor_desktop.services.exchange import layout
from shnor_desktop.services.exchange.importer import (
    commit_import,
    import_history,
    plan_import,
    rollback_batch,
)
from shnor_desktop.services.exchange.templates import write_template
from shnor_desktop.services.reports import annual
from shnor_desktop.services.reports import content as c
from shnor_desktop.services.reports.common import ReportParams
from shnor_desktop.ui.changes_panel import ChangesPanel
from shnor_desktop.ui.common import DataBus
from shnor_desktop.ui.main_window import MainWindow
from shnor_desktop.ui.meetings_panel import MeetingsPanel
from shnor_desktop.ui.roadmap_panel import RoadmapPanel

Bot = Any
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support (raise|grabbing)")
YEAR = 2023
STATUS = "Состояние"
PROGRESS = "Выполнено, %"
EVIDENCE = "Подтверждение (документ, № протокола)"


# --------------------------------------------------------------------------- reports imported
@dataclass(frozen=True)
class Reported:
    """The demo with three schools' reports imported: two on one activity, one on another."""

    path: Path
    shared: int  # the activity two schools reported on
    leaders: tuple[int, int]  # those two schools
    single: int  # the activity one school reported on
    school: int  # that school


def _fill_report(
    db: Database, school_id: int, folder: Path, values: dict[int, dict[str, Any]]
) -> Path:
    """The school's template with its roadmap sheet filled as the school would, saved."""
    template = write_template(db, school_id, YEAR, folder / "out")
    book = openpyxl.load_workbook(template)
    sheet = book[layout.SHEET_ROADMAP]
    columns = {str(cell.value): cell.column for cell in sheet[3] if cell.value is not None}
    for activity_id, cells in values.items():
        row = next(
            r[0].row
            for r in sheet.iter_rows(min_row=4)
            if r[columns[layout.KEY_HEADER] - 1].value == activity_id
        )
        for header, value in cells.items():
            sheet.cell(row=row, column=columns[header], value=value)
    filled = folder / "in" / f"{school_id}.xlsx"
    filled.parent.mkdir(parents=True, exist_ok=True)
    book.save(filled)
    return filled


@pytest.fixture(scope="module")
def reported(demo_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Reported:
    folder = tmp_path_factory.mktemp("reports")
    path = folder / "demo.sqlite"
    shutil.copy(demo_template, path)
    with closing(Database.open(path)) as db:
        conn = db.reader()
        shared, group = conn.execute(
            "SELECT c.activity_id, c.group_code FROM roadmap_concern c"
            " WHERE c.group_code IS NOT NULL AND (SELECT count(*) FROM school_profile p"
            " WHERE p.year = ? AND p.group_code = c.group_code) >= 2 ORDER BY c.activity_id",
            (YEAR,),
        ).fetchone()
        first, second = (
            int(r[0])
            for r in conn.execute(
                "SELECT school_id FROM school_profile WHERE year = ? AND group_code = ?"
                " ORDER BY school_id LIMIT 2",
                (YEAR, group),
            )
        )
        single, school = conn.execute(
            "SELECT c.activity_id, p.school_id FROM roadmap_concern c JOIN school_profile p"
            " ON p.year = ? AND p.group_code = c.group_code WHERE c.group_code <> ?"
            " ORDER BY c.activity_id, p.school_id",
            (YEAR, group),
        ).fetchone()
        files = [
            _fill_report(db, first, folder, {shared: {STATUS: "выполнено", PROGRESS: 100}}),
            _fill_report(db, second, folder, {shared: {STATUS: "выполняется", PROGRESS: "40"}}),
            _fill_report(
                db,
                school,
                folder,
                {
                    single: {
                        STATUS: "выполнено частично",
                        PROGRESS: 60,
                        EVIDENCE: "Протокол № 3 от 12.05.2024",
                    }
                },
            ),
        ]
        plan = plan_import(db, files, JobState())
        assert all(f.error is None and not f.problems for f in plan.files)
        commit_import(db, plan, plan.files, JobState())
    return Reported(path, int(shared), (first, second), int(single), int(school))


@pytest.fixture
def reported_db(reported: Reported, tmp_path: Path) -> Iterator[Database]:
    """A private copy of the demo with the reports."""
    path = tmp_path / "reported.sqlite"
    shutil.copy(reported.path, path)
    with closing(Database.open(path)) as db:
        yield db


def _roadmap(qtbot: Bot, db: Database) -> RoadmapPanel:
    bus = DataBus()
    bus.attach(db)
    panel = RoadmapPanel(bus)
    qtbot.addWidget(panel)
    panel.resize(1366, 700)
    panel.set_database(db)
    panel.show()
    qtbot.waitExposed(panel)
    return panel


def _plain(html: str) -> str:
    doc = QTextDocument()
    doc.setHtml(html)
    return doc.toPlainText().replace("\u00a0", " ")  # «60 %» keeps its no-break space


def test_the_detail_lists_the_schools_reports_by_school_and_year(
    qtbot: Bot, reported: Reported, reported_db: Database
) -> None:
    db = reported_db
    names = {s.id: s.short_name for s in db.schools.all_schools()}
    reports = db.roadmap.school_reports(reported.shared)
    assert [(r.school_name, r.year, r.status, r.progress) for r in reports] == sorted(
        [
            (names[reported.leaders[0]], YEAR, "done", 100.0),
            (names[reported.leaders[1]], YEAR, "in_progress", 40.0),
        ]
    )
    panel = _roadmap(qtbot, db)
    assert panel.show_activity(reported.single)
    text = _plain(panel.detail.text())
    assert "Отчёты школ (1)" in text
    assert (
        f"{names[reported.school]}, 2023/24 уч. год: выполнено частично, 60 %; "
        "подтверждение: Протокол № 3 от 12.05.2024"
    ) in text
    assert panel.show_activity(reported.shared)
    text = _plain(panel.detail.text())
    assert "Отчёты школ (2)" in text
    assert f"{names[reported.leaders[0]]}, 2023/24 уч. год: выполнено, 100 %" in text
    assert f"{names[reported.leaders[1]]}, 2023/24 уч. год: выполняется, 40 %" in text
    # Rolling the import back (the history's way) takes the report out of the detail
    # at once; the table is not read again for it.
    assert panel.show_activity(reported.single)
    rows = panel.model.rowCount()
    batch = next(b for b in import_history(db) if b.school_id == reported.school)
    rollback_batch(db, batch.id)
    assert "Отчёты школ" not in _plain(panel.detail.text())
    assert panel.model.rowCount() == rows
    # An activity nobody reported on says nothing of reports.
    assert panel.show_activity(1 if reported.single != 1 else 2)
    assert "Отчёты школ" not in _plain(panel.detail.text())


def test_the_change_log_names_the_reports_in_russian(
    qtbot: Bot, reported: Reported, reported_db: Database
) -> None:
    db = reported_db
    bus = DataBus()
    bus.attach(db)
    panel = ChangesPanel(bus)
    qtbot.addWidget(panel)
    panel.set_database(db)
    panel.show()
    info = db.log.recent_sets(1)[0]
    assert info.kind == "import" and info.touches("activity_report")
    dialog = panel.show_details(info.id)
    assert dialog is not None
    model = dialog.model
    lines = [
        tuple(str(model.data(model.index(row, column))) for column in range(5))
        for row in range(model.rowCount())
    ]
    activity = db.roadmap.activity(reported.single)
    school = db.schools.get(reported.school).short_name
    record = f"отчёт школы «{school}» о мероприятии «{activity.title}» за 2023/24 учебный год"
    first = next(i for i, line in enumerate(lines) if line[0].startswith(record[:60]))
    assert lines[first][1:3] == ("добавлена", "Мероприятие")
    assert activity.title.startswith(lines[first][4].rstrip("…"))
    # Long texts are cut in the cells: the whole of them is in the tooltip.
    tip = model.data(model.index(first, 0), Qt.ItemDataRole.ToolTipRole)
    assert record in str(tip)
    assert ("", "", "Школа", "", school) in lines
    assert ("", "", "Учебный год", "", "2023/24") in lines
    assert ("", "", "Состояние", "", "выполнено частично") in lines
    assert ("", "", "Подтверждение", "", "Протокол № 3 от 12.05.2024") in lines
    assert ("", "", "Выполнено", "", "60 %") in lines
    dialog.close()


def test_the_annual_report_counts_the_schools_reports_per_activity(
    reported: Reported, reported_db: Database
) -> None:
    doc = annual.build(reported_db, ReportParams(year=YEAR), JobState())
    tables = [b for b in doc.blocks if isinstance(b, c.Table)]
    (table,) = [t for t in tables if t.caption.startswith("Отчёты школ о выполнении")]
    assert table.caption.endswith("2023/24 учебный год")
    assert [col.title for col in table.columns] == [
        "№",
        "Мероприятие",
        "Отчитались школ",
        "Выполнено",
        "Выполняется",
        "Частично или не выполнено",
    ]
    by_number = {row[0]: row[2:] for row in table.rows}
    shared = reported_db.roadmap.activity(reported.shared).number
    single = reported_db.roadmap.activity(reported.single).number
    assert by_number == {shared: ("2", "1", "1", "0"), single: ("1", "0", "0", "1")}
    # The year before had no reports: no such table.
    before = annual.build(reported_db, ReportParams(year=YEAR - 1), JobState())
    assert not any(
        isinstance(b, c.Table) and b.caption.startswith("Отчёты школ") for b in before.blocks
    )


# --------------------------------------------------------------------------- from a decision
def _link_point(label: Any, anchor: str) -> QPoint:
    """Where the link ``anchor`` of a rich label is drawn (as the label lays its text out)."""
    doc = QTextDocument()
    doc.setDefaultFont(label.font())
    doc.setDocumentMargin(0)
    doc.setHtml(label.text())
    rect = label.contentsRect()
    doc.setTextWidth(rect.width())
    doc.size()  # lays the whole document out
    cursor = doc.find(anchor)
    assert not cursor.isNull()
    block = cursor.block()
    inside = cursor.selectionStart() - block.position() + 3
    line = block.layout().lineForTextPosition(inside)
    assert line.isValid()
    top = doc.documentLayout().blockBoundingRect(block).top()
    found: Any = line.cursorToX(inside)  # (x, position): PySide6 types it as object
    x = float(found[0])
    return QPoint(rect.left() + int(x), rect.top() + int(top + line.y() + line.height() / 2))


@pytest.fixture
def window(qtbot: Bot, settings: QSettings, demo_path: Path) -> Iterator[MainWindow]:
    win = MainWindow(settings)
    qtbot.addWidget(win)
    win.resize(1366, 768)
    win.show()
    assert win.open_database(demo_path)
    qtbot.waitUntil(lambda: not any(t.running for t in win.tasks), timeout=10000)
    yield win
    win.close()


def test_an_activity_made_from_a_decision_links_to_its_protocol(
    qtbot: Bot, window: MainWindow
) -> None:
    db = window.db
    assert db is not None
    meeting = db.meetings.by_number("1", 2022)
    assert meeting is not None
    item = meeting.items[0]
    section = db.roadmap.sections(db.roadmap.programmes()[0].id)[-1]
    _info, activity_id = db.meetings.decision_to_activity(
        item.id, section.id, "Решение в дорожную карту", text=item.points[-1]
    )
    roadmap = next(p for p in window.panels if isinstance(p, RoadmapPanel))
    meetings = next(p for p in window.panels if isinstance(p, MeetingsPanel))
    window.resize(1366, 560)  # a low window: the decision is below the protocol's fold
    window.nav.setCurrentRow(window.panels.index(roadmap))
    assert roadmap.show_activity(activity_id)
    label = roadmap.detail
    assert "Из решения: Протокол № 1 от 03.07.2023, вопрос 1" in _plain(label.text())
    assert f'href="meeting:{meeting.id}:{item.id}"' in label.text()
    # The user clicks the link: «Заседания» opens on that protocol, at that item.
    point = _link_point(label, "Протокол № 1 от 03.07.2023, вопрос 1")
    viewport = label.parentWidget()
    area = viewport.parentWidget() if viewport is not None else None  # the detail's scroll area
    assert isinstance(area, QScrollArea)
    area.ensureVisible(point.x(), point.y())  # the user scrolls the detail to the link
    with qtbot.waitSignal(roadmap.sig_meeting_requested) as requested:
        qtbot.mouseClick(label, Qt.MouseButton.LeftButton, pos=point)
    assert requested.args == [meeting.id, item.id]
    assert window.stack.currentWidget() is meetings
    assert meetings.meeting_id == meeting.id
    viewport = meetings.scroll_area.viewport()
    assert viewport is not None

    def in_view(name: str) -> bool:
        field = meetings.sheet.fields[("meeting_item", item.id, name)]
        top = field.mapTo(viewport, QPoint(0, 0)).y()
        return top >= 0 and top + field.height() <= viewport.height()

    # The item's СЛУШАЛИ and ПОСТАНОВИЛИ, whole, in view (once the protocol is laid out).
    qtbot.waitUntil(lambda: in_view("heard") and in_view("decided"), timeout=2000)
    # Undone, the activity no longer says where it came from.
    db.undo.undo()
    assert not roadmap.show_activity(activity_id)
