"""Charts of a school passport: enrolment over the years and social indicators.

The passport panel imports this module lazily (pyqtgraph takes a moment to
load); importing it has no side effects: no global pyqtgraph options are set,
every colour and font is set on the plots themselves.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pyqtgraph as pg
from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QPen
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from shnor_desktop.models.schools import SchoolProfile
from shnor_desktop.models.text import format_number, school_year_label

FONT_FAMILY = "DejaVu Sans"
TEXT_COLOUR = "#222222"
BACKGROUND = "#ffffff"
BAR_WIDTH = 0.36


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
    return widget


def _set_title(plot: pg.PlotWidget, text: str) -> None:
    plot.getPlotItem().setTitle(
        f"<span style=\"font-family:'{FONT_FAMILY}'; font-weight:bold\">{text}</span>",
        color=TEXT_COLOUR,
        size="11pt",
    )


def _set_axis_label(plot: pg.PlotWidget, side: str, text: str) -> None:
    plot.getPlotItem().setLabel(
        side, text, **{"color": TEXT_COLOUR, "font-family": FONT_FAMILY, "font-size": "9pt"}
    )


def _make_legend(plot: pg.PlotWidget, columns: int) -> pg.LegendItem:
    """A one-row legend in the top left corner (the y range leaves room for it)."""
    return plot.getPlotItem().addLegend(
        offset=(10, 5),
        colCount=columns,
        labelTextColor=TEXT_COLOUR,
        labelTextSize="9pt",
        brush=pg.mkBrush(255, 255, 255, 230),
        pen=pg.mkPen("#bbbbbb"),
    )


class PassportCharts(QWidget):
    """Enrolment by year (lines) above the social indicators of two years (bars)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.plot_enrolment = _make_plot(self)
        self.plot_social = _make_plot(self)
        self.enrolment_note = QLabel(self)
        self.social_note = QLabel(self)
        for note in (self.enrolment_note, self.social_note):
            note.setStyleSheet("color: #555555;")
            note.setFont(_font(8))
            note.setAlignment(Qt.AlignmentFlag.AlignRight)
            note.hide()
        self.enrolment_note.setText(self.tr("Полые точки — сгенерированные значения"))
        self.social_note.setText(self.tr("Светлые столбцы — сгенерированные значения"))
        self.setAutoFillBackground(True)
        self.setStyleSheet(f"PassportCharts {{ background: {BACKGROUND}; }}")

        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.setSpacing(2)
        layout.addWidget(self.plot_enrolment, 1)
        layout.addWidget(self.enrolment_note)
        layout.addWidget(self.plot_social, 1)
        layout.addWidget(self.social_note)
        _make_legend(self.plot_enrolment, len(enrolment_series()))
        _make_legend(self.plot_social, 2)

        #: The drawn enrolment lines by profile field (only fields with values).
        self.enrolment_items: dict[str, pg.PlotDataItem] = {}
        #: The drawn bar groups by school year (only years with values).
        self.social_items: dict[int, pg.BarGraphItem] = {}
        #: Which drawn bars show generated values, per year, in drawing order.
        self.social_generated: dict[int, list[bool]] = {}
        self.set_data([], None, None)

    # --- data ---------------------------------------------------------------------
    def set_data(
        self, profiles: Sequence[SchoolProfile], year_a: int | None, year_b: int | None
    ) -> None:
        """Draw the passports of one school: every year for enrolment, two for bars."""
        ordered = sorted(profiles, key=lambda p: p.year)
        self._draw_enrolment(ordered)
        by_year = {p.year: p for p in ordered}
        years: list[int] = []
        for year in (year_a, year_b):
            if year is not None and year not in years:
                years.append(year)
        self._draw_social([(y, by_year.get(y)) for y in sorted(years)])

    def _draw_enrolment(self, profiles: list[SchoolProfile]) -> None:
        plot = self.plot_enrolment
        item = plot.getPlotItem()
        item.clear()  # also takes the entries out of the legend
        self.enrolment_items = {}
        _set_title(plot, self.tr("Контингент по годам"))
        _set_axis_label(plot, "left", self.tr("чел."))
        years = [p.year for p in profiles]
        item.getAxis("bottom").setTicks([[(y, school_year_label(y)) for y in years]])
        any_generated = False
        for series in enrolment_series():
            xs: list[float] = []
            ys: list[float] = []
            brushes: list[QBrush] = []
            for profile in profiles:
                value = profile.value(series.field)
                if value is None:
                    continue
                xs.append(profile.year)
                ys.append(float(value))
                generated = series.field in profile.generated_fields
                any_generated = any_generated or generated
                brushes.append(pg.mkBrush(BACKGROUND if generated else series.colour))
            if not xs:
                continue
            line = pg.PlotDataItem(
                xs,
                ys,
                pen=pg.mkPen(series.colour, width=2),
                symbol=series.symbol,
                symbolSize=9,
                symbolPen=pg.mkPen(series.colour, width=1.5),
                symbolBrush=brushes,
                name=series.label,
            )
            item.addItem(line)
            self.enrolment_items[series.field] = line
        top = max((max(line.getData()[1]) for line in self.enrolment_items.values()), default=0)
        if years:
            item.setXRange(min(years) - 0.4, max(years) + 0.4, padding=0)
        else:
            item.setXRange(0, 1, padding=0)
        # Headroom above the highest point keeps the legend clear of the lines.
        upper = max(float(top) * 1.3, 10.0)
        item.setYRange(-0.04 * upper, upper, padding=0)  # a margin so the 0 tick shows
        self.enrolment_note.setVisible(any_generated)

    def _draw_social(self, years: list[tuple[int, SchoolProfile | None]]) -> None:
        plot = self.plot_social
        item = plot.getPlotItem()
        item.clear()  # also takes the entries out of the legend
        self.social_items = {}
        self.social_generated = {}
        labels = " и ".join(school_year_label(y) for y, _ in years)
        title = self.tr("Социальные показатели")
        _set_title(plot, f"{title}: {labels}" if labels else title)
        _set_axis_label(plot, "left", "%")
        indicators = social_indicators()
        item.getAxis("bottom").setTicks([[(i, label) for i, (_, label) in enumerate(indicators)]])
        count = max(len(years), 1)
        top = 0.0
        any_generated = False
        for slot, (year, profile) in enumerate(years):
            if profile is None:
                continue
            colour = QColor(YEAR_COLOURS[slot % len(YEAR_COLOURS)])
            light = QColor(colour)
            light.setAlpha(90)
            shift = (slot - (count - 1) / 2) * BAR_WIDTH
            xs: list[float] = []
            heights: list[float] = []
            brushes: list[QBrush] = []
            pens: list[QPen] = []
            generated_flags: list[bool] = []
            for i, (name, _label) in enumerate(indicators):
                value = profile.value(name)
                if value is None:
                    continue
                generated = name in profile.generated_fields
                any_generated = any_generated or generated
                xs.append(i + shift)
                heights.append(float(value))
                brushes.append(pg.mkBrush(light if generated else colour))
                pens.append(
                    pg.mkPen(colour, width=1, style=Qt.PenStyle.DashLine)
                    if generated
                    else pg.mkPen(colour.darker(130), width=1)
                )
                generated_flags.append(generated)
                text = pg.TextItem(
                    format_number(float(value), 1), color=TEXT_COLOUR, anchor=(0.5, 1)
                )
                text.setFont(_font(8))
                text.setPos(i + shift, float(value))
                item.addItem(text)
                top = max(top, float(value))
            if not xs:
                continue
            bars = pg.BarGraphItem(
                x=xs,
                height=heights,
                width=BAR_WIDTH * 0.92,
                brushes=brushes,
                pens=pens,
                name=school_year_label(year),
                # The legend swatch takes these.
                brush=pg.mkBrush(colour),
                pen=pg.mkPen(colour.darker(130)),
            )
            item.addItem(bars)
            self.social_items[year] = bars
            self.social_generated[year] = generated_flags
        item.setXRange(-0.6, len(indicators) - 0.4, padding=0)
        item.setYRange(0, max(top * 1.3, 10.0), padding=0)
        self.social_note.setVisible(any_generated)

    # --- reading back (tests, tooltips) ------------------------------------------------
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
