"""The page «Сводка»: where a programme's roadmap stands today, on one screen.

Four blocks read from ``db.roadmap.summary(programme_id, today)``:

* «Срок в ближайшие 30 дней» — open activities with a deadline ending from
  today to today + 29 days;
* «Просрочено» (in red) — open activities whose last deadline has passed;
* «Выполнение по разделам» — a bar per section: done of the activities
  counted («6 из 13, 46 %»; cancelled ones are not counted), with the mean
  progress in the tooltip;
* «Срок не распознан» — activities whose deadline could not be read, with the
  text as written (they have no dates until someone sets them).

A click (or Enter) on an activity emits ``sig_activity_requested(id)``; the
main window shows it in the «Дорожная карта» page.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import ClassVar

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QScrollArea,
    QSizePolicy,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from shnor_desktop.models.roadmap import (
    DUE_SOON_DAYS,
    RoadmapSummary,
    SectionProgress,
)
from shnor_desktop.models.text import format_date
from shnor_desktop.ui.common import ROLE_ID, DataBus, Panel
from shnor_desktop.ui.roadmap_models import (
    OVERDUE_COLOUR,
    ActivityListModel,
    percent_text,
    section_label,
    tr,
)
from shnor_desktop.ui.roadmap_panel import ROADMAP_TABLES, ElidedLabel
from shnor_desktop.ui.widgets import EmptyState, ProgrammeCombo

AnyIndex = QModelIndex | QPersistentModelIndex

DONE_COLOUR = "#2e8b57"
TRACK_COLOUR = "#e3e6ea"
BORDER_COLOUR = "#b5b5b5"
WIDE_WIDTH = 1100
"""From this width of the page on, the blocks stand in two columns."""
LIST_ROWS = 6
"""A list shows this many rows before it scrolls."""


def completion_text(progress: SectionProgress) -> str:
    """«6 из 13, 46 %» (done of the activities counted); «нет мероприятий» for none."""
    share = progress.share_done
    if share is None:
        return tr("нет мероприятий")
    return f"{progress.done} {tr('из')} {progress.total}, {percent_text(share)}"


def completion_tooltip(progress: SectionProgress) -> str:
    """The whole section title, the counts and the mean progress."""
    lines = [section_label(progress.section), completion_text(progress)]
    if progress.mean_progress is not None:
        lines.append(
            tr("Средний процент выполнения: %1").replace("%1", percent_text(progress.mean_progress))
        )
    lines.append(tr("Отменённые мероприятия не считаются."))
    return "\n".join(lines)


class CompletionBar(QWidget):
    """A horizontal bar: the done share of a section filled in green."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.share: float | None = None
        self.setMinimumWidth(80)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def set_share(self, share: float | None) -> None:
        """Show ``share`` percent done (None: an empty track)."""
        self.share = share
        self.update()

    def sizeHint(self) -> QSize:  # noqa: N802
        """A line of text high."""
        return QSize(200, self.fontMetrics().height())

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        """The track, the done part, a thin frame."""
        del event
        painter = QPainter(self)
        rect = QRectF(self.rect()).adjusted(0.5, 2.5, -0.5, -2.5)
        painter.fillRect(rect, QColor(TRACK_COLOUR))
        if self.share:
            done = QRectF(rect)
            done.setWidth(rect.width() * min(max(self.share, 0.0), 100.0) / 100.0)
            painter.fillRect(done, QColor(DONE_COLOUR))
        painter.setPen(QColor(BORDER_COLOUR))
        painter.drawRect(rect)
        painter.end()


class OverviewPanel(Panel):
    """Due soon, overdue, completion per section and unread deadlines of a programme."""

    TITLE = "Сводка"  # source string, context "Panel"
    TABLES: ClassVar[frozenset[str]] = ROADMAP_TABLES

    sig_activity_requested = Signal(int)
    """An activity was clicked: show it in the roadmap page (the main window connects this)."""

    def __init__(self, bus: DataBus, parent: QWidget | None = None) -> None:
        super().__init__(bus, parent)
        #: The day the overview is counted for (None: the real today).
        self.today: date | None = None
        self.summary: RoadmapSummary | None = None
        self._programme_id: int | None = None
        self.section_rows: list[tuple[ElidedLabel, CompletionBar, QLabel]] = []
        self._build()
        self.reload()

    def current_day(self) -> date:
        """The day the figures are counted for."""
        return self.today or date.today()

    # --- layout ------------------------------------------------------------------------------
    def _build(self) -> None:
        self.programme = ProgrammeCombo(self)
        self.programme.activated.connect(self._on_programme_activated)
        self.day_label = QLabel(self)
        self.day_label.setObjectName("day")
        top = QHBoxLayout()
        caption = QLabel(self.tr("Программа:"), self)
        caption.setBuddy(self.programme)
        top.addWidget(caption)
        top.addWidget(self.programme, 1)
        top.addWidget(self.day_label)

        self.soon_model = ActivityListModel(self)
        self.overdue_model = ActivityListModel(self, overdue=True)
        self.unscheduled_model = ActivityListModel(self)
        self.soon_box, self.soon_view = self._list_block(
            self.soon_model, "soon", self.tr("Ни одно мероприятие не заканчивается в эти дни.")
        )
        self.overdue_box, self.overdue_view = self._list_block(
            self.overdue_model, "overdue", self.tr("Просроченных мероприятий нет.")
        )
        self.unscheduled_box, self.unscheduled_view = self._list_block(
            self.unscheduled_model,
            "unscheduled",
            self.tr("Все сроки прочитаны: у каждого мероприятия есть даты или «постоянно»."),
        )
        self.overdue_box.setStyleSheet(f"QGroupBox {{ color: {OVERDUE_COLOUR}; }}")
        # An unread deadline has no end: its text as written gets the room instead.
        self.unscheduled_view.setColumnHidden(ActivityListModel.COL_DUE, True)
        self.unscheduled_view.setColumnWidth(
            ActivityListModel.COL_DEADLINE, self.fontMetrics().horizontalAdvance("м") * 20
        )

        self.sections_box = QGroupBox(self)
        self.sections_box.setObjectName("sections")
        sections_layout = QVBoxLayout(self.sections_box)
        self.total_label = QLabel(self.sections_box)
        self.total_label.setObjectName("total")
        self.total_label.setWordWrap(True)
        self.sections_grid = QGridLayout()
        self.sections_grid.setColumnStretch(0, 3)
        self.sections_grid.setColumnStretch(1, 2)
        self.sections_grid.setHorizontalSpacing(8)
        sections_layout.addWidget(self.total_label)
        sections_layout.addLayout(self.sections_grid)
        sections_layout.addStretch(1)

        blocks = QWidget(self)
        self.grid = QGridLayout(blocks)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.wide: bool | None = None
        self._arrange(True)
        blocks.setStyleSheet("QGroupBox { font-weight: bold; }")
        area = QScrollArea(self)
        area.setWidgetResizable(True)
        area.setFrameShape(QFrame.Shape.NoFrame)
        area.setWidget(blocks)
        self.empty = EmptyState(self)
        self.pages = QStackedWidget(self)
        self.pages.addWidget(area)
        self.pages.addWidget(self.empty)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(top)
        layout.addWidget(self.pages, 1)

    def _arrange(self, wide: bool) -> None:
        """Two columns of blocks on a wide window, one column (scrolling) on a narrow one."""
        if wide == self.wide:
            return
        self.wide = wide
        grid = self.grid
        order = (self.soon_box, self.overdue_box, self.sections_box, self.unscheduled_box)
        for box in order:
            grid.removeWidget(box)
        for number, box in enumerate(order):
            if wide:
                grid.addWidget(box, number // 2, number % 2)
            else:
                grid.addWidget(box, number, 0)
        grid.setColumnStretch(0, 1)
        grid.setColumnStretch(1, 1 if wide else 0)
        # The blocks keep their own height; the room left stays below them.
        for row in range(5):
            grid.setRowStretch(row, 0)
        grid.setRowStretch(2 if wide else 4, 1)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802
        """Lay the blocks out in two columns only when each gets room for its titles."""
        super().resizeEvent(event)
        self._arrange(self.width() >= WIDE_WIDTH)

    def _list_block(
        self, model: ActivityListModel, name: str, nothing: str
    ) -> tuple[QGroupBox, QTableView]:
        box = QGroupBox(self)
        box.setObjectName(name)
        view = QTableView(box)
        view.setObjectName(f"{name}_list")
        view.setModel(model)
        view.verticalHeader().hide()
        view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        view.setWordWrap(False)
        view.setTextElideMode(Qt.TextElideMode.ElideRight)
        view.setCursor(Qt.CursorShape.PointingHandCursor)
        view.setToolTip(self.tr("Щелчок — показать мероприятие в дорожной карте"))
        header = view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(ActivityListModel.COL_TITLE, QHeaderView.ResizeMode.Stretch)
        header.setHighlightSections(False)
        metrics = view.fontMetrics()
        view.setColumnWidth(ActivityListModel.COL_NUMBER, metrics.horizontalAdvance("10.10") + 14)
        view.setColumnWidth(ActivityListModel.COL_DEADLINE, metrics.horizontalAdvance("м") * 12)
        view.setColumnWidth(ActivityListModel.COL_DUE, metrics.horizontalAdvance("00.00.0000") + 16)
        view.setColumnHidden(ActivityListModel.COL_RESPONSIBLE, True)
        view.verticalHeader().setDefaultSectionSize(metrics.height() + 8)
        view.clicked.connect(self._on_list_clicked)
        view.activated.connect(self._on_list_clicked)
        note = QLabel(nothing, box)
        note.setObjectName(f"{name}_none")
        note.setWordWrap(True)
        note.setStyleSheet("color: #555555;")
        layout = QVBoxLayout(box)
        layout.addWidget(view)
        layout.addWidget(note)
        layout.addStretch(1)
        return box, view

    # --- reading --------------------------------------------------------------------------------
    @property
    def programme_id(self) -> int | None:
        """The programme shown."""
        return self._programme_id

    def reload(self) -> None:
        """Read the programmes and the summary of the chosen one again."""
        db = self.db
        if db is None:
            self._show_empty(self.tr("База данных не открыта"))
            return
        wanted = self.programme.set_programmes(db.roadmap.programmes(), self._programme_id)
        self._programme_id = wanted
        if wanted is None:
            self._show_empty(
                self.tr("Программы нет"),
                self.tr("Сводка строится по дорожной карте программы района."),
            )
            return
        if not db.roadmap.sections(wanted):
            self._show_empty(
                self.tr("В программе нет дорожной карты"),
                self.tr("Разделы и мероприятия добавляются на странице «Дорожная карта»."),
            )
            return
        self.pages.setCurrentIndex(0)
        self.show_summary(db.roadmap.summary(wanted, self.current_day()))

    def _show_empty(self, title: str, text: str = "") -> None:
        self.summary = None
        self.empty.set_state(title, text)
        self.pages.setCurrentWidget(self.empty)
        for model in (self.soon_model, self.overdue_model, self.unscheduled_model):
            model.set_rows([])

    def show_summary(self, summary: RoadmapSummary) -> None:
        """Fill the four blocks from ``summary``."""
        self.summary = summary
        today = summary.today
        horizon = today + timedelta(days=DUE_SOON_DAYS - 1)
        self.day_label.setText(self.tr("на %1").replace("%1", format_date(today)))
        self.soon_model.window = (today, horizon)
        for box, model, view, rows, title in (
            (
                self.soon_box,
                self.soon_model,
                self.soon_view,
                summary.due_soon,
                self.tr("Срок в ближайшие %1 дней (до %2): %3")
                .replace("%1", str(DUE_SOON_DAYS))
                .replace("%2", format_date(horizon)),
            ),
            (
                self.overdue_box,
                self.overdue_model,
                self.overdue_view,
                summary.overdue,
                self.tr("Просрочено: %3"),
            ),
            (
                self.unscheduled_box,
                self.unscheduled_model,
                self.unscheduled_view,
                summary.unscheduled,
                self.tr("Срок не распознан: %3"),
            ),
        ):
            model.set_rows(list(rows))
            box.setTitle(title.replace("%3", str(len(rows))))
            view.setVisible(bool(rows))
            # As high as its rows (up to LIST_ROWS, then it scrolls).
            shown = max(min(len(rows), LIST_ROWS), 1)
            view.setFixedHeight(
                view.horizontalHeader().sizeHint().height()
                + view.verticalHeader().defaultSectionSize() * shown
                + 2 * view.frameWidth()
            )
            note = box.findChild(QLabel, f"{box.objectName()}_none")
            if note is not None:
                note.setVisible(not rows)
        self._show_sections(summary)

    def _show_sections(self, summary: RoadmapSummary) -> None:
        self.sections_box.setTitle(self.tr("Выполнение по разделам"))
        share = None if summary.total == 0 else summary.done / summary.total * 100.0
        total = (
            self.tr("Всего по программе: %1 из %2 выполнено")
            .replace("%1", str(summary.done))
            .replace("%2", str(summary.total))
        )
        if share is not None:
            total += f" ({percent_text(share)})"
        if summary.mean_progress is not None:
            total += "; " + self.tr("средний процент выполнения %1").replace(
                "%1", percent_text(summary.mean_progress)
            )
        self.total_label.setText(total + ".")
        while len(self.section_rows) > len(summary.sections):
            label, bar, text = self.section_rows.pop()
            for widget in (label, bar, text):
                self.sections_grid.removeWidget(widget)
                widget.deleteLater()
        while len(self.section_rows) < len(summary.sections):
            row = len(self.section_rows)
            label = ElidedLabel(self.sections_box)
            bar = CompletionBar(self.sections_box)
            text = QLabel(self.sections_box)
            text.setObjectName("completion")
            self.sections_grid.addWidget(label, row, 0)
            self.sections_grid.addWidget(bar, row, 1)
            self.sections_grid.addWidget(text, row, 2)
            self.section_rows.append((label, bar, text))
        for (label, bar, text), progress in zip(self.section_rows, summary.sections, strict=True):
            section = progress.section
            tooltip = completion_tooltip(progress)
            label.setText("\u2003" * section.depth + section_label(section))
            font = label.font()
            font.setBold(section.depth == 0)
            label.setFont(font)
            bar.set_share(progress.share_done)
            text.setText(completion_text(progress))
            for widget in (label, bar, text):
                widget.setToolTip(tooltip)

    def section_texts(self) -> list[str]:
        """What each section's row says («6 из 13, 46 %»), in order."""
        return [text.text() for _, _, text in self.section_rows]

    # --- events ---------------------------------------------------------------------------------
    def _on_programme_activated(self, _index: int) -> None:
        data = self.programme.currentData()
        if data is not None and int(data) != self._programme_id:
            self._programme_id = int(data)
            self.reload()

    def _on_list_clicked(self, index: QModelIndex) -> None:
        activity_id = index.data(ROLE_ID)
        if isinstance(activity_id, int):
            self.sig_activity_requested.emit(activity_id)


__all__ = ["CompletionBar", "OverviewPanel", "completion_text"]
