"""Charts of a school passport: enrolment over the years and social indicators.

The passport panel imports this module lazily (pyqtgraph takes a moment to
load); importing it has no side effects: no global pyqtgraph options are set,
every colour and font is set on the plots themselves.

Every graphics item is created once, in ``PassportCharts.__init__``, and
``set_data`` only updates it (``setData`` / ``setOpts`` / ``setVisible``).
Clearing a plot and building it again on every change leaks and, under some
PySide6 releases, ends in "Internal C++ object already deleted" (see
PLATFORM-NOTES, «Charts»). The legends are Qt widgets above the plots, so
they can never cover a point or a bar.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass

import pyqtgraph as pg
from pyqtgraph.graphicsItems.ScatterPlotItem import drawSymbol
from PySide6.QtCore import QCoreApplication, QPoint, QPointF, QRect, QSize, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetrics, QPainter, QPen, QPixmap
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLayout,
    QLayoutItem,
    QStackedLayout,
    QVBoxLayout,
    QWidget,
)

from shnor_desktop.models.schools import SchoolProfile
from shnor_desktop.models.text import format_number, school_year_label

FONT_FAMILY = "DejaVu Sans"
TEXT_COLOUR = "#222222"
NOTE_COLOUR = "#555555"
BACKGROUND = "#ffffff"
BAR_WIDTH = 0.36
#: Alpha of the pale bars that show generated values.
GENERATED_ALPHA = 90
#: How many school years the social chart compares (the two pickers of the panel).
YEAR_SLOTS = 2
#: The y range reaches this far above the highest value: room for the symbols
#: of the enrolment lines and for the value labels above the bars.
ENROLMENT_HEADROOM = 1.12
SOCIAL_HEADROOM = 1.3


@dataclass(frozen=True)
class _Series:
    """A line of the enrolment chart: the profile field, its label and colour."""

    field: str
    label: str
    colour: str
    symbol: str


def _tr(text: str) -> str:
    return QCoreApplication.translate("PassportCharts", text)


def enrolment_series() -> tuple[_Series, ...]:
    """The lines of «Контингент по годам», labels translated."""
    return (
        _Series("pupils_total", _tr("Всего"), "#1f4e79", "o"),
        _Series("pupils_1_4", _tr("1–4 классы"), "#2e8b57", "s"),
        _Series("pupils_5_9", _tr("5–9 классы"), "#d2691e", "t"),
        _Series("pupils_10_11", _tr("10–11 классы"), "#8b1a89", "d"),
    )


def social_indicators() -> tuple[tuple[str, str], ...]:
    """The bars of «Социальные показатели»: (profile field, short label)."""
    return (
        ("pct_incomplete_families", _tr("Неполные семьи")),
        ("pct_low_income", _tr("Низкий доход")),
        ("pct_other_language", _tr("Иной язык")),
        ("sek_index", _tr("Индекс СЭК")),
        ("pct_teachers_65plus", _tr("Педагоги 65+")),
    )


#: Colour of the earlier and of the later compared year.
YEAR_COLOURS = ("#4472c4", "#ed7d31")


def _font(point_size: int = 9, bold: bool = False) -> QFont:
    font = QFont(FONT_FAMILY)
    font.setPointSize(point_size)
    font.setBold(bold)
    return font


def _make_plot(parent: QWidget) -> pg.PlotWidget:
    """A plot on a white background with dark axes and Cyrillic-capable fonts."""
    widget = pg.PlotWidget(parent=parent, background=BACKGROUND)
    widget.setMenuEnabled(False)
    widget.setMouseEnabled(x=False, y=False)
    widget.hideButtons()
    item = widget.getPlotItem()
    for name in ("left", "bottom"):
        axis = item.getAxis(name)
        axis.setPen(pg.mkPen(TEXT_COLOUR))
        axis.setTextPen(pg.mkPen(TEXT_COLOUR))
        axis.setStyle(tickFont=_font(9))
    item.showGrid(x=False, y=True, alpha=0.25)
    # The ranges are set on every update; nothing should rescale behind our back.
    item.disableAutoRange()
    return widget


def _year_bars(item: pg.PlotItem, colour: str) -> pg.BarGraphItem:
    """The bars of one compared year (its colour), empty and hidden, added to ``item``.

    Created once and filled with ``setOpts`` (see PLATFORM-NOTES: pyqtgraph items are
    not rebuilt); the passport's and the results' charts draw their years alike.
    """
    bars = pg.BarGraphItem(
        x=[],
        height=[],
        width=BAR_WIDTH * 0.92,
        brush=pg.mkBrush(colour),
        pen=pg.mkPen(QColor(colour).darker(130)),
    )
    bars.hide()
    item.addItem(bars)
    return bars


def _set_axis_label(plot: pg.PlotWidget, side: str, text: str) -> None:
    plot.getPlotItem().setLabel(
        side, text, **{"color": TEXT_COLOUR, "font-family": FONT_FAMILY, "font-size": "9pt"}
    )


def _swatch(paint: _SwatchPainter, device_ratio: float) -> QPixmap:
    """A small legend sample drawn by ``paint`` on a transparent pixmap (28 × 14)."""
    width, height = 28, 14
    pixmap = QPixmap(round(width * device_ratio), round(height * device_ratio))
    pixmap.setDevicePixelRatio(device_ratio)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    paint(painter, width, height)
    painter.end()
    return pixmap


class _SwatchPainter(ABC):
    """Draws one legend sample; subclasses know lines and bars."""

    @abstractmethod
    def __call__(self, painter: QPainter, width: int, height: int) -> None:
        """Paint the sample into a ``width`` × ``height`` pixmap."""


@dataclass(frozen=True)
class _LineSwatch(_SwatchPainter):
    """The sample of an enrolment line: the line with its symbol in the middle."""

    colour: str
    symbol: str

    def __call__(self, painter: QPainter, width: int, height: int) -> None:
        colour = QColor(self.colour)
        painter.setPen(QPen(colour, 2))
        painter.drawLine(QPointF(1, height / 2), QPointF(width - 1, height / 2))
        painter.translate(width / 2, height / 2)
        pen = QPen(colour, 1.5)
        pen.setCosmetic(True)  # drawSymbol scales the painter by the symbol size
        drawSymbol(painter, self.symbol, 9, pen, QBrush(colour))


@dataclass(frozen=True)
class _BarSwatch(_SwatchPainter):
    """The sample of a year's bars: a filled square."""

    colour: str

    def __call__(self, painter: QPainter, width: int, height: int) -> None:
        colour = QColor(self.colour)
        painter.setPen(QPen(colour.darker(130), 1))
        painter.setBrush(QBrush(colour))
        side = height - 3
        painter.drawRect(int((width - side) / 2), 1, side, side)


class _FlowLayout(QLayout):
    """Lays its widgets out in centred rows, wrapping to a new row when narrow.

    A legend in one fixed row would force a minimum width on the whole panel
    (four enrolment entries need ~450 px; the window must still fit 1024 px).
    """

    def __init__(self, parent: QWidget, spacing: int, line_spacing: int) -> None:
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self._spacing = spacing
        self._line_spacing = line_spacing
        self.setContentsMargins(0, 0, 0, 0)

    def addItem(self, item: QLayoutItem) -> None:
        self._items.append(item)

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def expandingDirections(self) -> Qt.Orientation:
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return self._arrange(QRect(0, 0, width, 0), move=False)

    def setGeometry(self, rect: QRect) -> None:
        super().setGeometry(rect)
        self._arrange(rect, move=True)

    def sizeHint(self) -> QSize:
        shown = [item.sizeHint() for item in self._items if not item.isEmpty()]
        width = sum(size.width() for size in shown) + self._spacing * max(len(shown) - 1, 0)
        height = max((size.height() for size in shown), default=0)
        return QSize(width, height)

    def minimumSize(self) -> QSize:
        size = QSize()
        for item in self._items:
            if not item.isEmpty():
                size = size.expandedTo(item.minimumSize())
        return size

    def _arrange(self, rect: QRect, move: bool) -> int:
        """Place the shown items in centred rows; return the height they take."""
        rows: list[list[QLayoutItem]] = [[]]
        used = 0
        for item in self._items:
            if item.isEmpty():  # a hidden entry takes no room
                continue
            width = item.sizeHint().width()
            if rows[-1] and used + self._spacing + width > rect.width():
                rows.append([])
                used = 0
            used += (self._spacing if rows[-1] else 0) + width
            rows[-1].append(item)
        y = rect.y()
        for row in rows:
            if not row:
                continue
            row_width = sum(i.sizeHint().width() for i in row) + self._spacing * (len(row) - 1)
            row_height = max(i.sizeHint().height() for i in row)
            x = rect.x() + max((rect.width() - row_width) // 2, 0)
            for item in row:
                hint = item.sizeHint()
                if move:
                    item.setGeometry(QRect(QPoint(x, y), hint))
                x += hint.width() + self._spacing
            y += row_height + self._line_spacing
        return max(y - rect.y() - self._line_spacing, 0)


class ChartLegend(QWidget):
    """The legend of a plot as a row of entries above it, so it never covers the data.

    The entries are created once; an entry is shown only while its series is
    drawn, and the whole legend hides when nothing is drawn. When the panel is
    narrow the entries wrap to a second row instead of widening the window.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._layout = _FlowLayout(self, spacing=16, line_spacing=2)
        self._entries: list[tuple[QWidget, QLabel]] = []

    def add_entry(self, paint: _SwatchPainter, text: str = "") -> int:
        """Add a (hidden) entry with its sample; return its index."""
        entry = QWidget(self)
        row = QHBoxLayout(entry)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(5)
        sample = QLabel(entry)
        sample.setPixmap(_swatch(paint, max(self.devicePixelRatioF(), 2.0)))
        label = QLabel(text, entry)
        label.setFont(_font(9))
        label.setStyleSheet(f"color: {TEXT_COLOUR};")
        row.addWidget(sample)
        row.addWidget(label)
        entry.hide()
        self._layout.addWidget(entry)
        self._entries.append((entry, label))
        return len(self._entries) - 1

    def set_entry(self, index: int, visible: bool, text: str | None = None) -> None:
        """Show or hide an entry (and change its text)."""
        entry, label = self._entries[index]
        if text is not None:
            label.setText(text)
        entry.setHidden(not visible)
        self.setHidden(all(e.isHidden() for e, _ in self._entries))
        self._layout.invalidate()

    def labels(self) -> list[str]:
        """The texts of the shown entries, left to right."""
        return [label.text() for entry, label in self._entries if not entry.isHidden()]


class PassportCharts(QWidget):
    """Enrolment by year (lines) above the social indicators of one or two years (bars)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAutoFillBackground(True)
        self.setStyleSheet(f"PassportCharts {{ background: {BACKGROUND}; }}")
        self._stack = QStackedLayout(self)

        self.charts_page = QWidget(self)
        layout = QVBoxLayout(self.charts_page)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.setSpacing(2)
        self.enrolment_title = self._title(self.tr("Контингент по годам"))
        self.enrolment_legend = ChartLegend(self.charts_page)
        self.plot_enrolment = _make_plot(self.charts_page)
        self.enrolment_note = self._note(self.tr("Полые точки — сгенерированные значения"))
        self.social_title = self._title(self.tr("Социальные показатели"))
        self.social_legend = ChartLegend(self.charts_page)
        self.plot_social = _make_plot(self.charts_page)
        self.social_note = self._note(self.tr("Светлые столбцы — сгенерированные значения"))
        for widget, stretch in (
            (self.enrolment_title, 0),
            (self.enrolment_legend, 0),
            (self.plot_enrolment, 1),
            (self.enrolment_note, 0),
            (self.social_title, 0),
            (self.social_legend, 0),
            (self.plot_social, 1),
            (self.social_note, 0),
        ):
            layout.addWidget(widget, stretch)
        self._stack.addWidget(self.charts_page)

        #: Shown instead of the charts when the school has no passport at all.
        self.empty_label = QLabel(
            self.tr(
                "У школы ещё нет паспортов.\nГрафики появятся, когда будет заполнен "
                "паспорт\nхотя бы за один учебный год."
            ),
            self,
        )
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setWordWrap(True)
        self.empty_label.setFont(_font(11))
        self.empty_label.setStyleSheet(f"color: {NOTE_COLOUR};")
        self._stack.addWidget(self.empty_label)

        self._placeholder_texts: dict[pg.TextItem, str] = {}
        self._build_enrolment()
        self._build_social()
        self.set_data([], None, None)

    def _title(self, text: str) -> QLabel:
        label = QLabel(text, self.charts_page)
        label.setFont(_font(11, bold=True))
        label.setStyleSheet(f"color: {TEXT_COLOUR};")
        label.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        label.setWordWrap(True)  # a long title must not widen the window
        return label

    def _note(self, text: str) -> QLabel:
        note = QLabel(text, self.charts_page)
        note.setStyleSheet(f"color: {NOTE_COLOUR};")
        note.setFont(_font(8))
        note.setAlignment(Qt.AlignmentFlag.AlignRight)
        note.hide()
        return note

    @staticmethod
    def _placeholder(plot: pg.PlotWidget) -> pg.TextItem:
        """The «no data» text in the middle of a plot (hidden until needed)."""
        text = pg.TextItem("", color=NOTE_COLOUR, anchor=(0.5, 0.5))
        text.setFont(_font(10))
        text.hide()
        plot.getPlotItem().addItem(text, ignoreBounds=True)
        return text

    # --- the items, created once ----------------------------------------------------------
    def _build_enrolment(self) -> None:
        item = self.plot_enrolment.getPlotItem()
        _set_axis_label(self.plot_enrolment, "left", self.tr("чел."))
        #: One line per series, whether drawn or not (hidden when it has no values).
        self.enrolment_lines: dict[str, pg.PlotDataItem] = {}
        self._enrolment_legend_index: dict[str, int] = {}
        #: Which drawn points show generated values, per series, in drawing order.
        self.enrolment_generated: dict[str, list[bool]] = {}
        for series in enrolment_series():
            line = pg.PlotDataItem(
                [],
                [],
                pen=pg.mkPen(series.colour, width=2),
                symbol=series.symbol,
                symbolSize=9,
                symbolPen=pg.mkPen(series.colour, width=1.5),
                symbolBrush=pg.mkBrush(series.colour),
            )
            line.hide()
            item.addItem(line)
            self.enrolment_lines[series.field] = line
            self._enrolment_legend_index[series.field] = self.enrolment_legend.add_entry(
                _LineSwatch(series.colour, series.symbol), series.label
            )
        self.enrolment_placeholder = self._placeholder(self.plot_enrolment)

    def _build_social(self) -> None:
        item = self.plot_social.getPlotItem()
        _set_axis_label(self.plot_social, "left", "%")
        indicators = social_indicators()
        #: Lines of the indicator names under the bars (1, or 2 when the plot is narrow).
        self.social_tick_lines = 0
        #: Point size of the value labels above the bars (smaller when the plot is narrow).
        self.social_label_size = 8
        #: One bar item per compared year slot (earlier year first).
        self.social_bars: list[pg.BarGraphItem] = []
        #: The value labels above the bars: per slot, one per indicator.
        self.social_labels: list[list[pg.TextItem]] = []
        for slot in range(YEAR_SLOTS):
            colour = YEAR_COLOURS[slot]
            self.social_bars.append(_year_bars(item, colour))
            labels: list[pg.TextItem] = []
            for _ in indicators:
                text = pg.TextItem("", color=TEXT_COLOUR, anchor=(0.5, 1))
                text.setFont(_font(8))
                text.hide()
                item.addItem(text, ignoreBounds=True)
                labels.append(text)
            self.social_labels.append(labels)
            self.social_legend.add_entry(_BarSwatch(colour))
        #: The drawn bar items by school year (only years with values).
        self.social_items: dict[int, pg.BarGraphItem] = {}
        #: Which drawn bars show generated values, per year, in drawing order.
        self.social_generated: dict[int, list[bool]] = {}
        self.social_placeholder = self._placeholder(self.plot_social)
        item.setXRange(-0.6, len(indicators) - 0.4, padding=0)
        self._fit_social_ticks()
        item.getViewBox().sigResized.connect(self._on_social_view_resized)

    def _on_social_view_resized(self, _view: object) -> None:
        self._fit_social_ticks()

    def _fit_social_ticks(self) -> None:
        """Fit the indicator names and the value labels to the width of a bar group.

        pyqtgraph silently drops tick labels that would overlap (on a 1024 px
        screen «Неполные семьи» simply vanished): a narrow plot gets the names
        in two lines. The value labels of neighbouring bars get a smaller font
        when they would touch.
        """
        view = self.plot_social.getPlotItem().getViewBox()
        indicators = social_indicators()
        (x_min, x_max), _ = view.viewRange()
        group_width = view.width() / max(x_max - x_min, 1.0)
        tick_metrics = QFontMetrics(_font(9))
        widest = max(tick_metrics.horizontalAdvance(label) for _, label in indicators)
        lines = 1 if group_width >= widest + 10 else 2
        if lines != self.social_tick_lines:
            self.social_tick_lines = lines
            ticks = [
                (i, label if lines == 1 else label.replace(" ", "\n", 1))
                for i, (_, label) in enumerate(indicators)
            ]
            axis = self.plot_social.getPlotItem().getAxis("bottom")
            axis.setTicks([ticks])
            # The axis does not grow by itself for a second line of text.
            axis.setHeight(None if lines == 1 else tick_metrics.lineSpacing() * 2 + 14)
        size = 8
        if QFontMetrics(_font(8)).horizontalAdvance("00,0") + 4 > group_width * BAR_WIDTH:
            size = 7
        if size != self.social_label_size:
            self.social_label_size = size
            for labels in self.social_labels:
                for text in labels:
                    text.setFont(_font(size))

    # --- data ---------------------------------------------------------------------
    def set_data(
        self, profiles: Sequence[SchoolProfile], year_a: int | None, year_b: int | None
    ) -> None:
        """Draw the passports of one school: every year for enrolment, one or two for bars."""
        ordered = sorted(profiles, key=lambda p: p.year)
        self._stack.setCurrentWidget(self.charts_page if ordered else self.empty_label)
        self._draw_enrolment(ordered)
        by_year = {p.year: p for p in ordered}
        years: list[int] = []
        for year in (year_a, year_b):
            if year is not None and year not in years:
                years.append(year)
        self._draw_social([(y, by_year.get(y)) for y in sorted(years)[:YEAR_SLOTS]])

    def _draw_enrolment(self, profiles: list[SchoolProfile]) -> None:
        item = self.plot_enrolment.getPlotItem()
        years = [p.year for p in profiles]
        #: The school years under the enrolment chart: (year, «2022/23»).
        self.enrolment_ticks = [(y, school_year_label(y)) for y in years]
        item.getAxis("bottom").setTicks([self.enrolment_ticks])
        self.enrolment_generated = {}
        any_generated = False
        top = 0.0
        for series in enrolment_series():
            line = self.enrolment_lines[series.field]
            xs: list[float] = []
            ys: list[float] = []
            brushes: list[QBrush] = []
            flags: list[bool] = []
            for profile in profiles:
                value = profile.value(series.field)
                if value is None:
                    continue
                generated = series.field in profile.generated_fields
                xs.append(float(profile.year))
                ys.append(float(value))
                # A hollow point: the background colour inside the series' outline.
                brushes.append(pg.mkBrush(BACKGROUND if generated else series.colour))
                flags.append(generated)
            drawn = bool(xs)
            if drawn:
                line.setData(xs, ys, symbolBrush=brushes)
                self.enrolment_generated[series.field] = flags
                any_generated = any_generated or any(flags)
                top = max(top, *ys)
            else:
                line.setData([], [])
            line.setVisible(drawn)
            self.enrolment_legend.set_entry(self._enrolment_legend_index[series.field], drawn)
        if years:
            left, right = min(years) - 0.4, max(years) + 0.4
        else:
            left, right = 0.0, 1.0
        upper = max(top * ENROLMENT_HEADROOM, 10.0)
        item.setXRange(left, right, padding=0)
        item.setYRange(-0.04 * upper, upper, padding=0)  # a margin so the 0 tick shows
        self._show_placeholder(
            self.enrolment_placeholder,
            "" if self.enrolment_generated else self.tr("Нет данных о контингенте"),
            (left + right) / 2,
            upper / 2,
        )
        self.enrolment_note.setVisible(any_generated)

    def _draw_social(self, years: list[tuple[int, SchoolProfile | None]]) -> None:
        item = self.plot_social.getPlotItem()
        labels = self.tr(" и ").join(school_year_label(y) for y, _ in years)
        title = self.tr("Социальные показатели")
        self.social_title.setText(f"{title}: {labels}" if labels else title)
        indicators = social_indicators()
        count = max(len(years), 1)
        self.social_items = {}
        self.social_generated = {}
        top = 0.0
        any_generated = False
        for slot in range(YEAR_SLOTS):
            bars = self.social_bars[slot]
            texts = self.social_labels[slot]
            year, profile = years[slot] if slot < len(years) else (None, None)
            colour = QColor(YEAR_COLOURS[slot])
            light = QColor(colour)
            light.setAlpha(GENERATED_ALPHA)
            shift = (slot - (count - 1) / 2) * BAR_WIDTH
            xs: list[float] = []
            heights: list[float] = []
            brushes: list[QBrush] = []
            pens: list[QPen] = []
            flags: list[bool] = []
            for i, (name, _label) in enumerate(indicators):
                value = None if profile is None else profile.value(name)
                text = texts[i]
                if value is None or profile is None:
                    text.hide()
                    continue
                generated = name in profile.generated_fields
                xs.append(i + shift)
                heights.append(float(value))
                brushes.append(pg.mkBrush(light if generated else colour))
                pens.append(
                    pg.mkPen(colour, width=1, style=Qt.PenStyle.DashLine)
                    if generated
                    else pg.mkPen(colour.darker(130), width=1)
                )
                flags.append(generated)
                text.setText(format_number(float(value), 1))
                text.setPos(i + shift, float(value))
                text.show()
                top = max(top, float(value))
            drawn = bool(xs) and year is not None
            if drawn and year is not None:
                bars.setOpts(x=xs, height=heights, brushes=brushes, pens=pens)
                self.social_items[year] = bars
                self.social_generated[year] = flags
                any_generated = any_generated or any(flags)
            else:
                # Per-bar lists must go too: pyqtgraph cannot take empty ones.
                bars.setOpts(x=[], height=[], brushes=None, pens=None)
            bars.setVisible(drawn)
            self.social_legend.set_entry(
                slot, drawn, school_year_label(year) if year is not None else ""
            )
        upper = max(top * SOCIAL_HEADROOM, 10.0)
        item.setYRange(0, upper, padding=0)
        if self.social_items:
            empty = ""
        elif labels:
            empty = self.tr("Нет социальных показателей за {0}").format(labels)
        else:
            empty = self.tr("Выберите учебный год для сравнения")
        self._show_placeholder(self.social_placeholder, empty, (len(indicators) - 1) / 2, upper / 2)
        self.social_note.setVisible(any_generated)

    def _show_placeholder(self, placeholder: pg.TextItem, text: str, x: float, y: float) -> None:
        placeholder.setText(text)
        placeholder.setPos(x, y)
        placeholder.setVisible(bool(text))
        self._placeholder_texts[placeholder] = text

    # --- reading back (tests, tooltips) ------------------------------------------------
    @property
    def enrolment_items(self) -> dict[str, pg.PlotDataItem]:
        """The drawn enrolment lines by profile field (only fields with values)."""
        return {
            f: line for f, line in self.enrolment_lines.items() if f in self.enrolment_generated
        }

    def enrolment_points(self, field: str) -> list[tuple[float, float]]:
        """The (year, value) points drawn for a profile field."""
        line = self.enrolment_items.get(field)
        if line is None:
            return []
        xs, ys = line.getData()
        if xs is None or ys is None:
            return []
        return [(float(x), float(y)) for x, y in zip(xs, ys, strict=True)]

    def social_bar_count(self) -> int:
        """How many bars the social chart draws."""
        return sum(len(flags) for flags in self.social_generated.values())

    def is_empty(self) -> bool:
        """True when the «no passports» text is shown instead of the charts."""
        return self._stack.currentWidget() is self.empty_label

    def placeholder_texts(self) -> tuple[str, str]:
        """The «no data» texts shown inside the enrolment and the social plot ('' if none)."""
        return (
            self._placeholder_texts.get(self.enrolment_placeholder, ""),
            self._placeholder_texts.get(self.social_placeholder, ""),
        )
