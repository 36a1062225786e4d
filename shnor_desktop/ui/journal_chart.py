"""«Посещения по месяцам»: visits of tutors per school per month, as stacked bars.

One bar a month; its segments are the schools, the most visited at the
bottom.  A chart of a whole region would be a rainbow nobody reads, so the
:data:`MAX_SCHOOLS` most visited schools get a colour each and the rest are
one grey segment «другие школы (N)».  The month's total is written above its
bar.  The counts come from ``JournalRepository.visits_per_month`` (SQL).

As in :mod:`shnor_desktop.ui.charts` (PLATFORM-NOTES, «Charts») every
graphics item is created once and then updated: one ``BarGraphItem`` per
colour slot whose arrays change, and a pool of total labels that grows to
the largest number of months seen (spare ones hidden).  The journal panel
imports this module lazily (pyqtgraph takes a moment to load).
"""

from __future__ import annotations

import math
from datetime import date

import pyqtgraph as pg
from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from shnor_desktop.models.journal import MonthlyVisits
from shnor_desktop.ui.charts import (
    BACKGROUND,
    NOTE_COLOUR,
    TEXT_COLOUR,
    ChartLegend,
    _BarSwatch,
    _font,
    _make_plot,
    _set_axis_label,
)

SCHOOL_COLOURS = (
    "#4472c4",
    "#ed7d31",
    "#70ad47",
    "#ffc000",
    "#5b9bd5",
    "#9e480e",
    "#7030a0",
    "#00a3a3",
    "#c00060",
)
MAX_SCHOOLS = len(SCHOOL_COLOURS)
"""Schools drawn in a colour of their own (a district's nine fit); the others share the grey."""
OTHERS_COLOUR = "#b4b4b4"
BAR_WIDTH = 0.7
#: Room above the highest bar for its total.
HEADROOM = 1.15
MONTHS = ("янв", "фев", "мар", "апр", "май", "июн", "июл", "авг", "сен", "окт", "ноя", "дек")
#: Fewer pixels than this per month and only every second (third …) month is labelled.
MIN_TICK_PX = 42


def _tr(text: str) -> str:
    return QCoreApplication.translate("VisitsChart", text)


def month_label(month: date, first: bool) -> str:
    """«сен 2022» for the first month and every January, else «окт»."""
    name = _tr(MONTHS[month.month - 1])
    return f"{name} {month.year}" if first or month.month == 1 else name


def nice_step(top: float) -> int:
    """A whole step of the count axis giving about five ticks (1, 2, 5, 10, 20 …)."""
    if top <= 5:
        return 1
    raw = top / 5
    power = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 5, 10):
        if factor * power >= raw:
            return int(factor * power)
    return int(10 * power)


class VisitsChart(QWidget):
    """Visits per school per month: stacked bars, a legend above, the totals over the bars."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("visits_chart")
        self.setAutoFillBackground(True)
        self.setStyleSheet(f"VisitsChart {{ background: {BACKGROUND}; }}")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.setSpacing(2)
        self.title = QLabel(self)
        self.title.setFont(_font(11, bold=True))
        self.title.setStyleSheet(f"color: {TEXT_COLOUR};")
        self.title.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        self.title.setWordWrap(True)
        self.legend = ChartLegend(self)
        self.plot = _make_plot(self)
        _set_axis_label(self.plot, "left", _tr("посещений"))
        layout.addWidget(self.title)
        layout.addWidget(self.legend)
        layout.addWidget(self.plot, 1)
        item = self.plot.getPlotItem()
        item.showGrid(x=False, y=True, alpha=0.25)
        #: One bar item per colour slot (the schools, then «other schools»), created once.
        self.bars: list[pg.BarGraphItem] = []
        for colour in (*SCHOOL_COLOURS, OTHERS_COLOUR):
            bars = pg.BarGraphItem(
                x=[0],
                height=[0],
                y0=[0],
                width=BAR_WIDTH,
                brush=pg.mkBrush(colour),
                pen=pg.mkPen("#ffffff", width=1),
            )
            bars.hide()
            item.addItem(bars)
            self.bars.append(bars)
            self.legend.add_entry(_BarSwatch(colour))
        self._totals: list[pg.TextItem] = []
        self.placeholder = pg.TextItem("", color=NOTE_COLOUR, anchor=(0.5, 0.5))
        self.placeholder.setFont(_font(10))
        self.placeholder.hide()
        item.addItem(self.placeholder, ignoreBounds=True)
        self._months: tuple[date, ...] = ()
        self._heights: list[list[float]] = []
        self._labels: list[str] = []
        self._month_totals: tuple[int, ...] = ()
        self._ticks: list[str] = []
        self.plot.getPlotItem().getViewBox().sigResized.connect(self._on_view_resized)
        self.set_data(MonthlyVisits((), ()), "")

    # --- drawing ----------------------------------------------------------------------------
    def set_data(self, monthly: MonthlyVisits, title: str) -> None:
        """Draw the visits of ``monthly`` under ``title``."""
        self.title.setText(title)
        self._months = monthly.months
        count = len(monthly.months)
        shown = list(monthly.schools[:MAX_SCHOOLS])
        rest = list(monthly.schools[MAX_SCHOOLS:])
        series: list[tuple[str, tuple[int, ...]]] = [
            (name, monthly.counts[school_id]) for school_id, name in shown
        ]
        if rest:
            others = tuple(
                sum(monthly.counts[school_id][i] for school_id, _ in rest) for i in range(count)
            )
            series.append((_tr("другие школы ({0})").format(len(rest)), others))
        xs = list(range(count))
        bottom = [0.0] * count
        self._heights = []
        self._labels = []
        slots = [*range(len(shown)), *([len(self.bars) - 1] if rest else [])]
        for slot, (label, counts) in zip(slots, series, strict=True):
            heights = [float(c) for c in counts]
            self.bars[slot].setOpts(x=xs, height=heights, y0=list(bottom), width=BAR_WIDTH)
            self.bars[slot].show()
            self.legend.set_entry(slot, True, label)
            bottom = [b + h for b, h in zip(bottom, heights, strict=True)]
            self._heights.append(heights)
            self._labels.append(label)
        for slot in set(range(len(self.bars))) - set(slots):
            self.bars[slot].hide()
            self.legend.set_entry(slot, False)
        self._month_totals = monthly.month_totals()
        self._place_totals(bottom)
        top = max(bottom, default=0.0)
        item = self.plot.getPlotItem()
        item.setXRange(-0.6, max(count, 1) - 0.4, padding=0)
        upper = max(top * HEADROOM, 1.0)
        # A little below 0, or pyqtgraph drops the «0» label at the view's edge.
        item.setYRange(-upper * 0.015, upper, padding=0)
        step = nice_step(upper)
        item.getAxis("left").setTicks(
            [[(float(v), str(v)) for v in range(0, int(upper) + 1, step)]]
        )
        self._fit_ticks()
        if not series:
            text = (
                _tr("Нет посещений за выбранный период")
                if count
                else _tr("Выберите период, чтобы увидеть посещения по месяцам")
            )
            self.placeholder.setText(text)
            self.placeholder.setPos((max(count, 1) - 1) / 2, upper / 2)
            self.placeholder.show()
        else:
            self.placeholder.hide()

    def _place_totals(self, tops: list[float]) -> None:
        while len(self._totals) < len(tops):
            label = pg.TextItem("", color=TEXT_COLOUR, anchor=(0.5, 1.0))
            label.setFont(_font(8))
            self.plot.getPlotItem().addItem(label, ignoreBounds=True)
            self._totals.append(label)
        for index, label in enumerate(self._totals):
            if index < len(tops) and tops[index] > 0:
                label.setText(str(int(tops[index])))
                label.setPos(index, tops[index])
                label.show()
            else:
                label.hide()

    def _on_view_resized(self, _view: object) -> None:
        self._fit_ticks()

    def _fit_ticks(self) -> None:
        """Label every month when there is room, else every second, third … month."""
        months = self._months
        width = self.plot.getPlotItem().getViewBox().width()
        every = 1
        if months and width > 0:
            every = max(1, math.ceil(MIN_TICK_PX * len(months) / width))
        ticks = [
            (float(i), month_label(m, i == 0))
            for i, m in enumerate(months)
            if i % every == 0 or m.month == 1
        ]
        self._ticks = [text for _, text in ticks]
        self.plot.getPlotItem().getAxis("bottom").setTicks([ticks])

    # --- reading back (tests) --------------------------------------------------------------
    def bar_heights(self) -> list[list[float]]:
        """The heights drawn, per series (bottom segment first), per month."""
        return [list(h) for h in self._heights]

    def legend_labels(self) -> list[str]:
        """The schools the legend names, in the order of the segments."""
        return self.legend.labels()

    def totals(self) -> list[str]:
        """The totals written above the bars, by month ('' for a month without visits)."""
        return [
            label.toPlainText() if label.isVisible() else ""
            for label in self._totals[: len(self._months)]
        ]

    def placeholder_text(self) -> str:
        """The «no visits» text shown inside the plot ('' when bars are drawn)."""
        return self.placeholder.toPlainText() if self.placeholder.isVisible() else ""

    def month_ticks(self) -> list[str]:
        """The month labels of the bottom axis."""
        return list(self._ticks)
