"""Results of one procedure, subject and grade in two school years, school by school.

The charts of the lost figures of the seed report 004 («Результаты ОГЭ … за
2021-22 уч. год и 2022-23 уч. год»): two plots, «Качество знаний, %» and
«Успеваемость, %», each with a pair of bars per school (one per year, the
year's colour), the value printed on every bar and a dashed line per year at
the district's pooled value, labelled «Район 2022/23: 41,0 %». A school
without results for a year gets no bar and a small «нет данных», never a bar
of height 0. The values come from :mod:`shnor_desktop.models.metrics` only.

As in :mod:`shnor_desktop.ui.charts` (PLATFORM-NOTES, «Charts») every
graphics item is created once and then updated: the bars of a year are one
``BarGraphItem`` whose arrays change; the texts above the bars live in a pool
that grows to the largest number of schools seen and whose spare items are
hidden. What depends on the pixels (wrapping the school names, turning the
value labels upright, the room for the district labels) is fitted again when
the plots are resized.

The results panel imports this module lazily (pyqtgraph takes a moment to load).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import pyqtgraph as pg
from PySide6.QtCore import (
    QByteArray,
    QCoreApplication,
    QPoint,
    QPointF,
    QRect,
    QSize,
    QStandardPaths,
    Qt,
    Signal,
)
from PySide6.QtGui import (
    QAction,
    QColor,
    QFont,
    QFontMetrics,
    QImage,
    QImageWriter,
    QPainter,
    QPen,
    QTextOption,
)
from PySide6.QtSvg import QSvgGenerator
from PySide6.QtWidgets import (
    QFileDialog,
    QGraphicsView,
    QLabel,
    QMenu,
    QStackedLayout,
    QVBoxLayout,
    QWidget,
)

from shnor_desktop.models.metrics import METRIC_BY_KEY, Counts, Metric
from shnor_desktop.models.text import format_share, school_year_label
from shnor_desktop.ui.charts import (
    BACKGROUND,
    BAR_WIDTH,
    NOTE_COLOUR,
    TEXT_COLOUR,
    YEAR_COLOURS,
    ChartLegend,
    _BarSwatch,
    _font,
    _make_plot,
    _set_axis_label,
    _SwatchPainter,
    _year_bars,
)
from shnor_desktop.ui.messages import show_warning

#: The two plots, top to bottom: keys of ``metrics.METRICS``.
PLOTTED: tuple[str, ...] = ("quality", "success")
#: How many school years are compared (the two bars of a school).
YEAR_SLOTS = 2
#: Point size of the values above the bars and of the district labels.
VALUE_FONT_SIZE = 8
#: Point size of upright values on bars too narrow for the usual size.
NARROW_VALUE_FONT_SIZE = 7
#: Point size of «нет данных».
MISSING_FONT_SIZE = 8
#: The school names' point size on a roomy axis, and when nothing else fits.
NAME_FONT_SIZE = 9
LAST_RESORT_NAME_FONT_SIZE = 7
#: A school name takes at most this many lines under its bars.
NAME_MAX_LINES = 3
#: Pixels kept free between neighbouring school names (less and they read as one
#: long name), and the least gap taken when nothing else fits.
NAME_GAP = 14
STAGGERED_NAME_GAP = 16
TIGHT_NAME_GAP = 6
#: Pixels between a text and what it labels (bar top, line end).
TEXT_GAP = 3
#: The bars of a school: the earlier year left of the group centre, the later right.
SLOT_OFFSETS = (-BAR_WIDTH / 2, BAR_WIDTH / 2)
#: The share axis always runs 0–100 % (the plots and the years stay comparable).
PERCENT_TICKS = tuple(range(0, 101, 20))
#: The PNG is rendered at this multiple of the on-screen size (sharp in a printed report).
PNG_SCALE = 2.0
#: The size an export is drawn at when the chart is not on screen (no size of its own yet).
EXPORT_SIZE = QSize(1000, 640)
#: Below this a plot's view has not been laid out yet.
MIN_VIEW = QSize(100, 80)
#: The margin (px) round the text of our text items (QTextDocument's default 4 px
#: would push the value labels off narrow bars).
_TEXT_ITEM_MARGIN = 1
#: The value labels' background: the dashed district lines must not run through the digits.
VALUE_FILL = (255, 255, 255, 215)
#: The colour of a value written inside its bar.
INSIDE_COLOUR = "#ffffff"


def _tr(text: str) -> str:
    return QCoreApplication.translate("TwoYearChart", text)


def _text_item(
    colour: str | QColor,
    font: QFont,
    anchor: tuple[float, float],
    z: float,
    fill: tuple[int, int, int, int] | None = None,
) -> pg.TextItem:
    """A hidden text item with a thin margin, so its size is that of its text."""
    text = pg.TextItem("", color=colour, anchor=anchor, fill=fill)
    text.setFont(font)
    document = text.textItem.document()
    document.setDocumentMargin(_TEXT_ITEM_MARGIN)
    # «нет\nданных» on two lines is centred, as the labels of the bars are.
    document.setDefaultTextOption(QTextOption(Qt.AlignmentFlag.AlignHCenter))
    text.setZValue(z)
    text.hide()
    return text


def _missing_font() -> QFont:
    font = _font(MISSING_FONT_SIZE)
    font.setItalic(True)
    return font


def metric_title(metric: Metric) -> str:
    """The title of a plot: «Качество знаний, %»."""
    label = QCoreApplication.translate("metrics", metric.label)
    return f"{label}, {metric.unit}" if metric.unit else label


def district_label(year: int, value: float) -> str:
    """The label of a district line: «Район 2022/23: 41,0 %»."""
    return _tr("Район {0}: {1} %").format(school_year_label(year), format_share(value))


def default_file_name(title: str, suffix: str) -> str:
    """A file name from a chart title: «ОГЭ, математика, 9 класс 2021-22 и 2022-23.png»."""
    name = title.replace("/", "-").replace(":", "")
    name = re.sub(r'[<>"\\|?*\x00-\x1f]', "", name)
    name = re.sub(r"\s+", " ", name).strip(" .") or _tr("Диаграмма")
    return f"{name}{suffix}"


def _is_abbreviation(word: str) -> bool:
    """«с.», «п.», «им.»: a short word with a dot that belongs to the next word."""
    return len(word) <= 3 and word.endswith(".")


def _is_number_sign(word: str) -> bool:
    """«№1», «№ 2», «2»: belongs to the word before it («Ивантеевка №1»)."""
    return word.startswith("№") or word.isdigit()


def wrap_name(name: str, metrics: QFontMetrics, width: float, max_lines: int) -> list[str] | None:
    """Break a school name into at most ``max_lines`` lines no wider than ``width``.

    A short abbreviation stays with the next word («с. Бартеневка») and a
    number with the word before it («Ивантеевка №1») when that fits; None when
    the name does not fit at all.
    """
    words = name.split()
    if not words:
        return [""]
    for abbreviations, numbers in ((True, True), (False, True), (True, False), (False, False)):
        tokens: list[str] = []
        for word in words:
            if tokens and (
                (abbreviations and _is_abbreviation(tokens[-1]))
                or (numbers and _is_number_sign(word))
            ):
                tokens[-1] = f"{tokens[-1]} {word}"
            else:
                tokens.append(word)
        lines = _greedy_lines(tokens, metrics, width)
        if lines is not None and len(lines) <= max_lines:
            return lines
    return None


def _greedy_lines(tokens: list[str], metrics: QFontMetrics, width: float) -> list[str] | None:
    lines: list[str] = []
    for token in tokens:
        if metrics.horizontalAdvance(token) > width:
            return None
        candidate = f"{lines[-1]} {token}" if lines else token
        if lines and metrics.horizontalAdvance(candidate) <= width:
            lines[-1] = candidate
        else:
            lines.append(token)
    return lines


@dataclass(frozen=True)
class NameLayout:
    """How the school names are set under the bars."""

    point_size: int
    staggered: bool
    """Every other name one row lower, so a name may take the width of two schools."""
    lines: tuple[tuple[str, ...], ...]
    """The lines of each name, in school order."""
    elided: bool = False
    """Some word was too long even so and was shortened with «…»."""

    def _tallest(self, parity: int | None = None) -> int:
        names = self.lines if parity is None else self.lines[parity::2]
        return max((len(name) for name in names), default=1)

    @property
    def rows(self) -> int:
        """Lines of text the category axis must hold."""
        if self.staggered:
            return self._tallest(0) + (self._tallest(1) if len(self.lines) > 1 else 0)
        return self._tallest()

    def tick_strings(self) -> list[str]:
        """The axis texts: a staggered name starts below the names of its neighbours."""
        shift = "\n" * self._tallest(0) if self.staggered else ""
        return [(shift if i % 2 else "") + "\n".join(name) for i, name in enumerate(self.lines)]


#: The ways of setting the names, best first: (point size, staggered, most lines, gap px).
_NAME_ATTEMPTS = (
    (9, False, 3, NAME_GAP),
    (8, False, 3, NAME_GAP),
    (9, True, 2, STAGGERED_NAME_GAP),
    (8, True, 2, STAGGERED_NAME_GAP),
    (8, True, 3, STAGGERED_NAME_GAP),
    (7, True, 3, STAGGERED_NAME_GAP),
    (7, True, 3, TIGHT_NAME_GAP),
)


def fit_names(names: Sequence[str], group_px: float) -> NameLayout:
    """Choose the largest font and the wrapping that let every name fit its group's width."""
    for size, staggered, max_lines, gap in _NAME_ATTEMPTS:
        width = group_px * (2 if staggered else 1) - gap
        metrics = QFontMetrics(_font(size))
        wrapped = [wrap_name(name, metrics, width, max_lines) for name in names]
        if all(lines is not None for lines in wrapped):
            return NameLayout(size, staggered, tuple(tuple(lines or ()) for lines in wrapped))
    # Nothing fits (a very narrow window): shorten the words that are too long.
    size = LAST_RESORT_NAME_FONT_SIZE
    metrics = QFontMetrics(_font(size))
    width = max(group_px * 2 - TIGHT_NAME_GAP, 10.0)
    lines = []
    for name in names:
        words = [
            metrics.elidedText(word, Qt.TextElideMode.ElideRight, round(width))
            for word in name.split()
        ]
        lines.append(tuple(_greedy_lines(words, metrics, width) or words)[:NAME_MAX_LINES])
    return NameLayout(size, True, tuple(lines), elided=True)


def _text_width(metrics: QFontMetrics, text: str) -> int:
    """The width of a text item showing ``text``: its widest line and the margins."""
    return max(metrics.horizontalAdvance(line) for line in text.split("\n")) + 2 * _TEXT_ITEM_MARGIN


def _fits(metrics: QFontMetrics, text: str, width: float) -> bool:
    """True when every line of ``text`` fits ``width`` pixels (with a pixel either side)."""
    return _text_width(metrics, text) + 2 <= width


@dataclass(frozen=True)
class _DashSwatch(_SwatchPainter):
    """The legend sample of the district lines: a dashed line."""

    colour: str

    def __call__(self, painter: QPainter, width: int, height: int) -> None:
        pen = QPen(QColor(self.colour), 2, Qt.PenStyle.DashLine)
        painter.setPen(pen)
        painter.drawLine(QPointF(1, height / 2), QPointF(width - 1, height / 2))


@dataclass
class _MetricPlot:
    """One plot (one metric) and its items, created once."""

    metric: Metric
    title: QLabel
    widget: pg.PlotWidget
    bars: list[pg.BarGraphItem]
    """One bar item per year slot."""
    district_lines: list[pg.PlotDataItem]
    district_texts: list[pg.TextItem]
    value_texts: list[list[pg.TextItem]] = field(default_factory=lambda: [[], []])
    """Per year slot: the pool of value labels (one per school, spare ones hidden)."""
    missing_texts: list[list[pg.TextItem]] = field(default_factory=lambda: [[], []])
    """Per year slot: the pool of «нет данных» marks."""
    values: list[list[float | None]] = field(default_factory=lambda: [[], []])
    """Per year slot: the value of each school (None: no data)."""
    district: list[float | None] = field(default_factory=lambda: [None, None])


_ChartData = tuple[str, tuple[int, int], list[tuple[str, Mapping[int, Counts]]], dict[int, Counts]]


class TwoYearChart(QWidget):
    """Качество знаний and успеваемость of each school in two school years, with the district's.

    ``set_data`` draws; ``clear`` shows a message instead of the plots. The
    context menu saves the chart as PNG or SVG (``export_png`` / ``export_svg``).
    """

    sig_exported = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAutoFillBackground(True)
        self.setStyleSheet(f"TwoYearChart {{ background: {BACKGROUND}; }}")
        self._stack = QStackedLayout(self)
        #: The arguments of the last ``set_data`` (None after ``clear``), for an export twin.
        self._data: _ChartData | None = None
        self._schools: list[str] = []
        self._years: tuple[int, int] | None = None
        self._names = NameLayout(NAME_FONT_SIZE, False, ())
        self._fitting = False
        #: «нет данных» on one line, on two, or upright, as the bars' width allows.
        self._missing_text = self.tr("нет данных")
        self._export_dir: Path | None = None

        self.charts_page = QWidget(self)
        self.charts_page.setObjectName("chartsPage")
        self.charts_page.setAutoFillBackground(True)
        self.charts_page.setStyleSheet(f"#chartsPage {{ background: {BACKGROUND}; }}")
        layout = QVBoxLayout(self.charts_page)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.setSpacing(2)
        self.title_label = self._label(_font(11, bold=True))
        self.legend = ChartLegend(self.charts_page)
        for colour in YEAR_COLOURS:
            self.legend.add_entry(_BarSwatch(colour))
        self.legend.add_entry(_DashSwatch(NOTE_COLOUR), self.tr("Район (все школы)"))
        layout.addWidget(self.title_label)
        layout.addWidget(self.legend)
        self.plots: dict[str, _MetricPlot] = {}
        for key in PLOTTED:
            plot = self._build_plot(METRIC_BY_KEY[key])
            layout.addSpacing(4)
            layout.addWidget(plot.title)
            layout.addWidget(plot.widget, 1)
            self.plots[key] = plot
        self._stack.addWidget(self.charts_page)

        self.empty_label = QLabel(self)
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setWordWrap(True)
        self.empty_label.setFont(_font(11))
        self.empty_label.setStyleSheet(f"color: {NOTE_COLOUR};")
        self._stack.addWidget(self.empty_label)

        self.menu = QMenu(self)
        self.action_png = QAction(self.tr("Сохранить как PNG…"), self)
        self.action_svg = QAction(self.tr("Сохранить как SVG…"), self)
        self.action_png.triggered.connect(self._on_action_png_triggered)
        self.action_svg.triggered.connect(self._on_action_svg_triggered)
        self.menu.addAction(self.action_png)
        self.menu.addAction(self.action_svg)
        for widget in (self, *(p.widget for p in self.plots.values())):
            widget.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
            widget.customContextMenuRequested.connect(partial(self._on_menu_requested, widget))
        self.clear(self.tr("Нет результатов для выбранных условий"))

    def _label(self, font: QFont) -> QLabel:
        label = QLabel(self.charts_page)
        label.setFont(font)
        label.setStyleSheet(f"color: {TEXT_COLOUR};")
        label.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        label.setWordWrap(True)  # a long title must not widen the window
        return label

    # --- the items, created once ------------------------------------------------------------
    def _build_plot(self, metric: Metric) -> _MetricPlot:
        title = self._label(_font(10, bold=True))
        title.setText(metric_title(metric))
        widget = _make_plot(self.charts_page)
        # pyqtgraph caches the (plain white) background as a bitmap, which an SVG would embed.
        widget.setCacheMode(QGraphicsView.CacheModeFlag.CacheNone)
        widget.setMinimumHeight(120)
        item = widget.getPlotItem()
        _set_axis_label(widget, "left", "%")
        left = item.getAxis("left")
        left.setTicks([[(v, str(v)) for v in PERCENT_TICKS], []])
        bottom = item.getAxis("bottom")
        bottom.setStyle(tickLength=4)
        bars: list[pg.BarGraphItem] = []
        lines: list[pg.PlotDataItem] = []
        texts: list[pg.TextItem] = []
        for colour in YEAR_COLOURS:
            bars.append(_year_bars(item, colour))
        # The district lines and their labels go over the bars.
        for colour in YEAR_COLOURS:
            line = pg.PlotDataItem(
                [],
                [],
                pen=pg.mkPen(QColor(colour).darker(115), width=2, style=Qt.PenStyle.DashLine),
            )
            line.setZValue(10)
            line.hide()
            item.addItem(line)
            lines.append(line)
            text = _text_item(QColor(colour).darker(140), _font(VALUE_FONT_SIZE, True), (0, 1), 11)
            item.addItem(text, ignoreBounds=True)
            texts.append(text)
        item.getViewBox().sigResized.connect(self._on_view_resized)
        return _MetricPlot(metric, title, widget, bars, lines, texts)

    def _grow_pools(self, plot: _MetricPlot, count: int) -> None:
        """Make sure every year slot has ``count`` value labels and «нет данных» marks."""
        item = plot.widget.getPlotItem()
        for slot in range(YEAR_SLOTS):
            while len(plot.value_texts[slot]) < count:
                text = _text_item(TEXT_COLOUR, _font(VALUE_FONT_SIZE), (0.5, 1), 12, VALUE_FILL)
                item.addItem(text, ignoreBounds=True)
                plot.value_texts[slot].append(text)
            while len(plot.missing_texts[slot]) < count:
                mark = _text_item(NOTE_COLOUR, _missing_font(), (0.5, 1), 12)
                mark.setText(self._missing_text)
                item.addItem(mark, ignoreBounds=True)
                plot.missing_texts[slot].append(mark)

    # --- data ------------------------------------------------------------------------------
    def set_data(
        self,
        title: str,
        years: tuple[int, int],
        schools: Sequence[tuple[str, Mapping[int, Counts]]],
        district: Mapping[int, Counts],
    ) -> None:
        """Draw the schools' results of ``years`` (earlier first) and the district's lines."""
        if not schools:
            self.clear(self.tr("Нет результатов для выбранных условий"))
            return
        self._data = (title, years, list(schools), dict(district))
        self._schools = [name for name, _ in schools]
        self._years = years
        self.title_label.setText(title)
        for slot, year in enumerate(years):
            self.legend.set_entry(slot, True, school_year_label(year))
        self.legend.set_entry(YEAR_SLOTS, True)
        count = len(schools)
        for plot in self.plots.values():
            self._grow_pools(plot, count)
            for slot, year in enumerate(years):
                plot.values[slot] = [
                    None if year not in by_year else plot.metric.compute(by_year[year])
                    for _, by_year in schools
                ]
                pooled = district.get(year)
                plot.district[slot] = None if pooled is None else plot.metric.compute(pooled)
            self._draw(plot)
        self._stack.setCurrentWidget(self.charts_page)
        self.action_png.setEnabled(True)
        self.action_svg.setEnabled(True)
        self._fit()

    def clear(self, message: str) -> None:
        """Show ``message`` instead of the plots (nothing to draw)."""
        self._data = None
        self._schools = []
        self._years = None
        self.empty_label.setText(message)
        for plot in self.plots.values():
            plot.values = [[], []]
            plot.district = [None, None]
            self._draw(plot)
        self._stack.setCurrentWidget(self.empty_label)
        self.action_png.setEnabled(False)
        self.action_svg.setEnabled(False)

    def _draw(self, plot: _MetricPlot) -> None:
        """Update the items of a plot from its values (what does not depend on pixels)."""
        count = len(self._schools)
        for slot in range(YEAR_SLOTS):
            values = plot.values[slot]
            offset = SLOT_OFFSETS[slot]
            xs = [i + offset for i, v in enumerate(values) if v is not None]
            heights = [v for v in values if v is not None]
            plot.bars[slot].setOpts(x=xs, height=heights)
            plot.bars[slot].setVisible(bool(xs))
            for i, (text, mark) in enumerate(
                zip(plot.value_texts[slot], plot.missing_texts[slot], strict=True)
            ):
                value = values[i] if i < len(values) else None
                text.setVisible(value is not None)
                mark.setVisible(i < len(values) and value is None)
                if value is not None:
                    text.setText(format_share(value))
                    text.setPos(i + offset, value)
                else:
                    mark.setPos(i + offset, 0)
            level = plot.district[slot]
            line = plot.district_lines[slot]
            label = plot.district_texts[slot]
            if level is None or self._years is None:
                line.setData([], [])
                line.hide()
                label.hide()
            else:
                line.setData([-0.5, max(count, 1) - 0.5], [level, level])
                line.show()
                label.setText(district_label(self._years[slot], level))
                label.show()

    # --- fitting to the pixels -------------------------------------------------------------
    def _on_view_resized(self, _view: object) -> None:
        self._fit()

    def _fit(self) -> None:
        """Fit names, value labels and district labels to the plots' current size."""
        if self._fitting or not self._schools:
            return
        self._fitting = True
        try:
            for plot in self.plots.values():
                self._fit_plot(plot)
        finally:
            self._fitting = False

    def _fit_plot(self, plot: _MetricPlot) -> None:
        item = plot.widget.getPlotItem()
        view = item.getViewBox()
        count = len(self._schools)
        # Not laid out yet (a hidden tab): fit to a plausible size, refitted when shown.
        width = view.width() if view.width() >= MIN_VIEW.width() else EXPORT_SIZE.width() * 0.8
        height = view.height() if view.height() >= MIN_VIEW.height() else MIN_VIEW.height()
        value_metrics = QFontMetrics(_font(VALUE_FONT_SIZE))
        district_metrics = QFontMetrics(_font(VALUE_FONT_SIZE, bold=True))

        # Room on the right for the district labels: one line when it is cheap, else two.
        texts = [t for t in plot.district_texts if t.isVisible()]
        label_width = 0
        for text in texts:
            one_line = text.toPlainText().replace("\n", " ")
            two_lines = one_line.replace(": ", ":\n", 1)
            wide = district_metrics.horizontalAdvance(one_line)
            narrow = max(district_metrics.horizontalAdvance(s) for s in two_lines.split("\n"))
            chosen = one_line if wide <= width * 0.16 else two_lines
            if chosen != text.toPlainText():
                text.setText(chosen)
            label_width = max(label_width, wide if chosen == one_line else narrow)
        # x range [-0.5, count - 0.5 + margin] whose margin is ``room`` pixels wide.
        room = min(label_width + TEXT_GAP + 2 * _TEXT_ITEM_MARGIN, width * 0.4) if texts else 0.0
        margin = room * count / max(width - room, 1.0)
        right = count - 0.5 + margin
        item.setXRange(-0.5, right, padding=0)
        px_per_unit = width / (count + margin)

        # The school names.
        self._names = fit_names(self._schools, px_per_unit)
        bottom = item.getAxis("bottom")
        names_font = _font(self._names.point_size)
        bottom.setStyle(tickFont=names_font, hideOverlappingLabels=round(px_per_unit))
        bottom.setTicks([list(enumerate(self._names.tick_strings())), []])
        name_height = QFontMetrics(names_font).lineSpacing() * self._names.rows + 12
        if bottom.height() != name_height:
            bottom.setHeight(name_height)

        # Value labels: level above the bars when they fit the bars' width, else upright.
        bar_px = px_per_unit * BAR_WIDTH
        fits = _fits(value_metrics, "100,0", bar_px)
        # «нет данных» on one line, on two, or upright on one.
        missing_metrics = QFontMetrics(_missing_font())
        one_line = self.tr("нет данных")
        two_lines = one_line.replace(" ", "\n", 1)
        missing_fits = _fits(missing_metrics, two_lines, bar_px)
        one_fits = _fits(missing_metrics, one_line, bar_px)
        self._missing_text = two_lines if missing_fits and not one_fits else one_line
        missing_width = _text_width(missing_metrics, two_lines)
        for slot in range(YEAR_SLOTS):
            for mark in plot.missing_texts[slot]:
                if mark.toPlainText() != self._missing_text:
                    mark.setText(self._missing_text)
                # Centring needs a width: the widest line (two lines) or none (one).
                mark.setTextWidth(missing_width if "\n" in self._missing_text else -1)
                mark.setAngle(0 if missing_fits else 90)
                mark.setAnchor((0.5, 1) if missing_fits else (0, 0.5))

        # Head room above 100 % for a level label above the tallest possible bar (an
        # upright label goes inside a tall bar) and for a district label above its line.
        value_extent = value_metrics.height() + 2 * _TEXT_ITEM_MARGIN if fits else 0
        district_extents = [
            (
                level,
                district_metrics.lineSpacing() * (text.toPlainText().count("\n") + 1)
                + 2 * _TEXT_ITEM_MARGIN,
            )
            for level, text in zip(plot.district, plot.district_texts, strict=True)
            if level is not None and text.isVisible()
        ]
        # Below 0 half a tick label, or pyqtgraph drops the «0» at the view's edge.
        foot = value_metrics.height() / 2 + 1
        head = float(value_extent)
        for _ in range(3):  # the room a line has above it depends on the head room itself
            px_per_percent = (height - foot - head) / 100.0
            needed = [value_extent] + [
                extent - (100.0 - level) * px_per_percent for level, extent in district_extents
            ]
            # At least the «100» tick label's upper half must stay inside the view.
            head = min(max(*needed, foot - TEXT_GAP) + TEXT_GAP, height * 0.45)
        top = 100.0 * (height - foot) / (height - head - foot)
        units_per_px = top / (height - foot)
        item.setYRange(-foot * units_per_px, top, padding=0)
        self._place_value_labels(plot, fits, bar_px, units_per_px)
        self._place_district_labels(plot, right - margin, units_per_px)

    def _place_value_labels(
        self, plot: _MetricPlot, level: bool, bar_px: float, units_per_px: float
    ) -> None:
        """Set the value labels level above their bars, or upright: inside a tall bar, else above.

        An upright label inside the bar needs no room above 100 %, so narrow bars
        do not cost the plot its height. Upright labels thicker than a bar's
        share of the group would touch their neighbours: they get a smaller font.
        """
        size = VALUE_FONT_SIZE
        if not level and QFontMetrics(_font(size)).height() + 2 * _TEXT_ITEM_MARGIN >= bar_px:
            size = NARROW_VALUE_FONT_SIZE
        font = _font(size)
        metrics = QFontMetrics(font)
        for slot in range(YEAR_SLOTS):
            for text, value in zip(plot.value_texts[slot], plot.values[slot], strict=False):
                if value is None:
                    continue
                if text.textItem.font().pointSize() != size:
                    text.setFont(font)
                if level:
                    inside = False
                    text.setAngle(0)
                    text.setAnchor((0.5, 1))
                else:
                    needed = _text_width(metrics, text.toPlainText()) + 2 * TEXT_GAP
                    inside = value / units_per_px >= needed
                    text.setAngle(90)
                    # Upright text runs bottom to top: anchor x 1 is its end, 0 its start.
                    text.setAnchor((1, 0.5) if inside else (0, 0.5))
                offset = -TEXT_GAP * units_per_px if inside else 0.0
                text.setPos(text.pos().x(), value + offset)
                text.setColor(QColor(INSIDE_COLOUR if inside else TEXT_COLOUR))
                text.fill = pg.mkBrush(None if inside else VALUE_FILL)
                text.update()

    def _place_district_labels(self, plot: _MetricPlot, x: float, units_per_px: float) -> None:
        """Put each district label at the end of its line, above it; a close pair is split."""
        shown = [
            (level, slot)
            for slot, level in enumerate(plot.district)
            if level is not None and plot.district_texts[slot].isVisible()
        ]
        shown.sort()
        metrics = QFontMetrics(_font(VALUE_FONT_SIZE, bold=True))
        heights = {
            slot: metrics.lineSpacing() * (plot.district_texts[slot].toPlainText().count("\n") + 1)
            for _, slot in shown
        }
        for _, slot in shown:
            plot.district_texts[slot].setAnchor((0, 1))
        for level, slot in shown:
            plot.district_texts[slot].setPos(x, level)
        if len(shown) == 2:
            (low, low_slot), (high, high_slot) = shown
            gap_px = (high - low) / units_per_px
            low_px = low / units_per_px
            needed = heights[low_slot] + _TEXT_ITEM_MARGIN
            if gap_px < needed:
                if low_px >= heights[low_slot] + 2 * _TEXT_ITEM_MARGIN:
                    # The lower label hangs below its line.
                    plot.district_texts[low_slot].setAnchor((0, 0))
                else:
                    # Both near zero: the higher label goes on top of the lower one.
                    plot.district_texts[high_slot].setPos(x, low + needed * units_per_px)

    # --- reading back (tests, the results panel) -------------------------------------------
    def bar_values(self, key: str) -> dict[tuple[str, int], float]:
        """The heights of the drawn bars of a plot ("quality"/"success") by (school, year)."""
        plot = self.plots[key]
        drawn: dict[tuple[str, int], float] = {}
        if self._years is None:
            return drawn
        for slot, year in enumerate(self._years):
            bars = plot.bars[slot]
            if not bars.isVisible():
                continue
            for x, height in zip(bars.opts["x"], bars.opts["height"], strict=True):
                school = self._schools[round(float(x) - SLOT_OFFSETS[slot])]
                drawn[(school, year)] = float(height)
        return drawn

    def label_texts(self, key: str) -> dict[tuple[str, int], str]:
        """The value labels shown above the bars of a plot, by (school, year)."""
        return self._shown_texts(self.plots[key].value_texts)

    def missing_marks(self, key: str) -> list[tuple[str, int]]:
        """(school, year) of the «нет данных» marks shown in a plot."""
        return list(self._shown_texts(self.plots[key].missing_texts))

    def district_texts(self, key: str) -> dict[int, str]:
        """The labels of the district lines shown in a plot, by year (on one line)."""
        plot = self.plots[key]
        if self._years is None:
            return {}
        return {
            year: plot.district_texts[slot].toPlainText().replace("\n", " ")
            for slot, year in enumerate(self._years)
            if plot.district_lines[slot].isVisible()
        }

    def district_levels(self, key: str) -> dict[int, float]:
        """The heights of the district lines shown in a plot, by year."""
        plot = self.plots[key]
        if self._years is None:
            return {}
        levels: dict[int, float] = {}
        for slot, year in enumerate(self._years):
            line = plot.district_lines[slot]
            _, ys = line.getData()
            if line.isVisible() and ys is not None and len(ys):
                levels[year] = float(ys[0])
        return levels

    def name_layout(self) -> NameLayout:
        """How the school names are currently set under the bars."""
        return self._names

    def category_texts(self) -> list[str]:
        """The texts set on the category axes (the school names as wrapped, in order)."""
        return self._names.tick_strings()

    def is_empty(self) -> bool:
        """True when a message is shown instead of the plots."""
        return self._stack.currentWidget() is self.empty_label

    def message(self) -> str:
        """The message shown instead of the plots ('' when the plots are shown)."""
        return self.empty_label.text() if self.is_empty() else ""

    def _shown_texts(self, pools: list[list[pg.TextItem]]) -> dict[tuple[str, int], str]:
        shown: dict[tuple[str, int], str] = {}
        if self._years is None:
            return shown
        for slot, year in enumerate(self._years):
            for school, text in zip(self._schools, pools[slot], strict=False):
                if text.isVisible():
                    shown[(school, year)] = text.toPlainText()
        return shown

    # --- export ----------------------------------------------------------------------------
    @contextmanager
    def _laid_out_page(self) -> Iterator[QWidget]:
        """The page to draw into a file, laid out.

        On screen that is the page itself. A hidden chart (another tab, never
        shown) has no layout yet and laying it out would disturb the window it
        lives in: an invisible twin of export size draws the same data instead.
        """
        if self.isVisible():
            yield self._stack.currentWidget() or self.charts_page
            return
        twin = TwoYearChart()
        twin.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen, True)
        twin.resize(EXPORT_SIZE)
        if self._data is None:
            twin.clear(self.empty_label.text())
        else:
            twin.set_data(*self._data)
        twin.show()
        # The plots lay themselves out through posted layout requests.
        for _ in range(3):
            QCoreApplication.sendPostedEvents()
        try:
            yield twin._stack.currentWidget() or twin.charts_page
        finally:
            twin.close()
            twin.deleteLater()

    def export_png(self, path: Path) -> None:
        """Write the chart (title, legend, both plots) as a PNG at twice the screen size.

        Raises OSError when the file cannot be written.
        """
        with self._laid_out_page() as page:
            image = QImage(page.size() * PNG_SCALE, QImage.Format.Format_ARGB32)
            image.setDevicePixelRatio(PNG_SCALE)
            image.fill(QColor(BACKGROUND))
            painter = QPainter(image)
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
            page.render(painter, QPoint(0, 0))
            painter.end()
        writer = QImageWriter(str(path))
        writer.setFormat(QByteArray(b"png"))  # whatever the file's suffix says
        if not writer.write(image):
            raise OSError(f"{path}: {writer.errorString()}")
        self.sig_exported.emit(str(path))

    def export_svg(self, path: Path) -> None:
        """Write the chart as an SVG with its texts as text (editable, searchable).

        Raises OSError when the file cannot be written.
        """
        with self._laid_out_page() as page:
            generator = QSvgGenerator()
            generator.setFileName(str(path))
            generator.setSize(page.size())
            generator.setViewBox(QRect(QPoint(0, 0), page.size()))
            # The layout was made with the screen's DPI; at the generator's default 72 dpi
            # every text would come out a quarter smaller than the room made for it.
            generator.setResolution(round(page.logicalDpiX()))
            generator.setTitle(self.title_label.text())
            generator.setDescription(self.tr("ШНОР Desktop: результаты за два учебных года"))
            painter = QPainter()
            if not painter.begin(generator):
                raise OSError(str(path))
            page.render(painter, QPoint(0, 0))
            painter.end()
        if not path.exists() or path.stat().st_size == 0:
            raise OSError(str(path))
        self.sig_exported.emit(str(path))

    # --- context menu -----------------------------------------------------------------------
    def _on_menu_requested(self, source: QWidget, pos: QPoint) -> None:
        if self.is_empty():
            return
        origin = source.viewport() if isinstance(source, pg.PlotWidget) else source
        self.menu.popup(origin.mapToGlobal(pos))

    def _on_action_png_triggered(self) -> None:
        self._save_as(".png", self.tr("Изображение PNG (*.png)"), self.export_png)

    def _on_action_svg_triggered(self) -> None:
        self._save_as(".svg", self.tr("Рисунок SVG (*.svg)"), self.export_svg)

    def _save_as(self, suffix: str, file_filter: str, export: Callable[[Path], None]) -> None:
        folder = self._export_dir or Path(
            QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
            or Path.home()
        )
        suggested = folder / default_file_name(self.title_label.text(), suffix)
        chosen, _ = QFileDialog.getSaveFileName(
            self, self.tr("Сохранить диаграмму"), str(suggested), file_filter
        )
        if not chosen:
            return
        path = Path(chosen)
        if path.suffix.lower() != suffix:
            path = path.with_name(path.name + suffix)
        try:
            export(path)
        except OSError:
            show_warning(
                self,
                self.tr("Диаграмма не сохранена"),
                self.tr("Не удалось записать файл «{0}». Выберите другую папку.").format(path),
            )
            return
        self._export_dir = path.parent
