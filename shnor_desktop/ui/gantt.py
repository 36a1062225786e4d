"""The Gantt chart of a roadmap (issue 8 §3): sections, numbered activities, their dates.

:class:`GanttView` is a frozen activity column (number, title, responsible)
beside a time area that scrolls; both are ``QGraphicsView``\\ s over empty
scenes that paint only the visible rect (``drawBackground``), so 500 rows of
recurring bars cost what the ~30 rows on screen cost.  A time header stays on
top; zoom levels are a week, a month, a quarter, a school year and a year
(buttons and Ctrl+wheel, the date under the pointer staying put).

What a row shows: every interval as a bar on one row (recurring activities as
repeated bars), a one-day interval as a milestone (a diamond), continuous
activities as a hatched band, on-demand ones without dates as a «по запросу»
marker, unscheduled ones (the deadline could not be read) as a «?» in the
activity column and the deadline text in the time area; bars in the status
colour with the progress filled in, red when overdue; the baseline (the plan
as first approved) as a thin grey bar under the actual one; the today line.

The widget never writes: a click on a bar (or a double-click on a row) emits
``sig_activity_activated(id)``; a drag of a bar's end emits
``sig_intervals_changed(id, intervals)`` with the dates snapped to days, and
the panel records it as a manual override (undoable in the domain).

:class:`GanttPainter` holds every drawing routine; the screen and the tiled
PDF (:meth:`GanttView.export_pdf`) call the same ones with their own
:class:`GanttStyle` (pixels on screen, points on paper).
"""

from __future__ import annotations

import bisect
import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path
from typing import Final

from PySide6.QtCore import (
    QCoreApplication,
    QEvent,
    QMarginsF,
    QPoint,
    QPointF,
    QRect,
    QRectF,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetricsF,
    QHelpEvent,
    QKeyEvent,
    QMouseEvent,
    QPageLayout,
    QPageSize,
    QPainter,
    QPaintEvent,
    QPdfWriter,
    QPen,
    QPolygonF,
    QResizeEvent,
    QShowEvent,
    QWheelEvent,
)
from PySide6.QtWidgets import (
    QApplication,
    QButtonGroup,
    QFrame,
    QGraphicsScene,
    QGraphicsView,
    QHBoxLayout,
    QSplitter,
    QStyle,
    QToolButton,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from shnor_desktop.models.jobs import JobState
from shnor_desktop.models.roadmap import STATUS_LABELS, Activity, Section, Span
from shnor_desktop.models.text import format_date, format_number, school_year_label


def _tr(text: str) -> str:
    return QCoreApplication.translate("GanttView", text)


# --- zoom levels and colours ----------------------------------------------------------------


@dataclass(frozen=True)
class Zoom:
    """A zoom level: its scale on screen and the units of the header's two tiers."""

    key: str
    label: str
    pixels_per_day: float
    top: str
    bottom: str


ZOOMS: Final[dict[str, Zoom]] = {
    "week": Zoom("week", "Неделя", 24.0, "month", "week"),
    "month": Zoom("month", "Месяц", 4.5, "year", "month"),
    "quarter": Zoom("quarter", "Квартал", 1.6, "quarter", "month"),
    "school_year": Zoom("school_year", "Учебный год", 0.75, "school_year", "month"),
    "year": Zoom("year", "Год", 0.36, "year", "quarter"),
}
ZOOM_LEVELS: Final = tuple(ZOOMS)
"""Zoom levels from the finest to the coarsest (Ctrl+wheel walks this order)."""

#: Points on paper per screen pixel: a month is ≈ 82 pt at «Месяц», so «Сентябрь» fits at 8 pt.
PRINT_POINTS_PER_PIXEL: Final = 0.6
#: The PDF is drawn at 720 dpi: ten device units a point keep the font metrics exact.
PDF_RESOLUTION: Final = 720

STATUS_COLOURS: Final[dict[str, str]] = {
    "planned": "#7d93b2",
    "in_progress": "#2e6fc7",
    "done": "#2e8b57",
    "partly": "#d99a00",
    "not_done": "#8d4a2f",
    "cancelled": "#9e9e9e",
}
OVERDUE_COLOUR: Final = "#d32f2f"
BASELINE_COLOUR: Final = "#6f6f6f"
ON_DEMAND_COLOUR: Final = "#00897b"
UNSCHEDULED_COLOUR: Final = "#ef6c00"
TODAY_COLOUR: Final = "#c2185b"
_TEXT = "#222222"
_NOTE = "#666666"
_GRID_MINOR = "#ececec"
_GRID_MAJOR = "#c9c9c9"
_ROW_LINE = "#eeeeee"
_SECTION_BACKGROUND = "#e4ebf5"
_SUBSECTION_BACKGROUND = "#eff3f9"
_HEADER_BACKGROUND = "#f4f5f7"
_WEEKEND = "#f7f7f7"
_SELECTION = "#d8e6fa"
_BORDER = "#b5b5b5"
_OUTSIDE = "#f2f2f2"


def tint(colour: QColor, share: float = 0.68) -> QColor:
    """``colour`` mixed with white (``share`` of white): the unfilled part of a bar."""
    return QColor(
        round(colour.red() + (255 - colour.red()) * share),
        round(colour.green() + (255 - colour.green()) * share),
        round(colour.blue() + (255 - colour.blue()) * share),
    )


def bar_colour(activity: Activity, today: date) -> QColor:
    """The colour of an activity's bars: red when overdue at ``today``, else its status colour."""
    if activity.overdue(today):
        return QColor(OVERDUE_COLOUR)
    return QColor(STATUS_COLOURS.get(activity.status, STATUS_COLOURS["planned"]))


def progress_share(activity: Activity) -> float:
    """The done share 0…1: ``progress`` is in percent; a done activity without it is whole."""
    return min(max(activity.effective_progress / 100.0, 0.0), 1.0)


# --- the calendar -----------------------------------------------------------------------------


def _add_months(day: date, months: int) -> date:
    index = day.month - 1 + months
    return date(day.year + index // 12, index % 12 + 1, 1)


def unit_start(unit: str, day: date) -> date:
    """The first day of the week / month / quarter / school year / year holding ``day``."""
    if unit == "day":
        return day
    if unit == "week":
        return day - timedelta(days=day.weekday())
    if unit == "month":
        return day.replace(day=1)
    if unit == "quarter":
        return date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
    if unit == "school_year":
        return date(day.year if day.month >= 9 else day.year - 1, 9, 1)
    if unit == "year":
        return date(day.year, 1, 1)
    raise ValueError(unit)


def unit_next(unit: str, start: date) -> date:
    """The first day of the unit after the one starting on ``start``."""
    if unit == "day":
        return start + timedelta(days=1)
    if unit == "week":
        return start + timedelta(days=7)
    if unit == "month":
        return _add_months(start, 1)
    if unit == "quarter":
        return _add_months(start, 3)
    if unit in ("school_year", "year"):
        return start.replace(year=start.year + 1)
    raise ValueError(unit)


@functools.cache
def _month_names() -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    full = tuple(
        _tr(name)
        for name in (
            "Январь",
            "Февраль",
            "Март",
            "Апрель",
            "Май",
            "Июнь",
            "Июль",
            "Август",
            "Сентябрь",
            "Октябрь",
            "Ноябрь",
            "Декабрь",
        )
    )
    short = tuple(
        _tr(name)
        for name in (
            "янв",
            "фев",
            "мар",
            "апр",
            "май",
            "июн",
            "июл",
            "авг",
            "сен",
            "окт",
            "ноя",
            "дек",
        )
    )
    letters = tuple(name[0].upper() for name in full)
    return full, short, letters


_ROMAN: Final = ("I", "II", "III", "IV")


def cell_labels(unit: str, start: date, top: bool) -> tuple[str, ...]:
    """Labels of a header cell, the longest first: the header takes the first that fits.

    A month on the top tier carries its year («Сентябрь 2023»); on the bottom
    tier the year is on the tier above («Сентябрь», «сен», «С»).  Quarters
    read «I кв. 2024», school years «2023/24».
    """
    if unit == "day":
        return (str(start.day),)
    if unit == "week":
        end = start + timedelta(days=6)
        return (f"{start:%d.%m}–{end:%d.%m}", f"{start:%d.%m}", str(start.day))
    if unit == "month":
        full, short, letters = _month_names()
        index = start.month - 1
        if top:
            return (f"{full[index]} {start.year}", f"{short[index]} {start.year}", short[index])
        return (full[index], short[index], letters[index])
    if unit == "quarter":
        roman = _ROMAN[(start.month - 1) // 3]
        quarter = _tr("кв.")
        if top:
            return (f"{roman} {quarter} {start.year}", f"{roman} {quarter}", roman)
        return (f"{roman} {quarter}", roman)
    if unit == "school_year":
        label = school_year_label(start.year)
        return (
            f"{label} {_tr('учебный год')}",
            f"{label} {_tr('уч. г.')}",
            label,
            f"{start.year % 100:02d}/{(start.year + 1) % 100:02d}",
        )
    if unit == "year":
        return (str(start.year), f"’{start.year % 100:02d}")
    raise ValueError(unit)


@dataclass(frozen=True)
class TimeCell:
    """One cell of a header tier: its days (``end`` exclusive), its place, its labels."""

    start: date
    end: date
    x0: float
    x1: float
    labels: tuple[str, ...]


@dataclass(frozen=True)
class Axis:
    """The time axis: the days drawn and how wide a day is (in the painter's units)."""

    first: date
    last: date
    pixels_per_day: float

    @classmethod
    def for_period(cls, period: Span, pixels_per_day: float) -> Axis:
        """The axis of ``period`` widened to whole months (a header never starts mid-month)."""
        start, end = period
        return cls(start.replace(day=1), _add_months(end, 1) - timedelta(days=1), pixels_per_day)

    @property
    def days(self) -> int:
        """Days on the axis."""
        return (self.last - self.first).days + 1

    @property
    def width(self) -> float:
        """The axis' width."""
        return self.days * self.pixels_per_day

    def x(self, day: date) -> float:
        """Left edge of ``day``."""
        return (day - self.first).days * self.pixels_per_day

    def day_at(self, x: float) -> date:
        """The day under ``x`` (kept on the axis)."""
        index = min(max(math.floor(x / self.pixels_per_day), 0), self.days - 1)
        return self.first + timedelta(days=index)

    def boundary_at(self, x: float) -> date:
        """The day whose left edge is nearest to ``x`` (kept within the axis and the day after)."""
        index = min(max(round(x / self.pixels_per_day), 0), self.days)
        return self.first + timedelta(days=index)

    def cells(self, unit: str, top: bool) -> list[TimeCell]:
        """Every cell of ``unit`` on the axis (the first and last cut to the axis)."""
        result: list[TimeCell] = []
        start = unit_start(unit, self.first)
        stop = self.last + timedelta(days=1)
        while start < stop:
            following = unit_next(unit, start)
            visible_start = max(start, self.first)
            visible_end = min(following, stop)
            result.append(
                TimeCell(
                    visible_start,
                    visible_end,
                    self.x(visible_start),
                    self.x(visible_end),
                    cell_labels(unit, start, top),
                )
            )
            start = following
        return result


# --- style: pixels on screen, points on paper --------------------------------------------------


@dataclass(frozen=True)
class GanttStyle:
    """Fonts and sizes of one output, in the painter's device units.

    ``unit`` is one screen pixel in device units (1 on screen; on the PDF
    ``PRINT_POINTS_PER_PIXEL`` points): line widths, bar heights and paddings
    scale with it.  ``title_lines`` is how many lines a title may wrap to.
    ``bar_band`` is the row height the bars are sized for (0: the row's own):
    a printed row stretched to fill its page keeps its bars as thick as
    before, centred in the taller row.
    """

    font: QFont
    bold_font: QFont
    small_font: QFont
    unit: float
    row_height: float
    tier_height: float
    number_width: float
    responsible_width: float
    title_lines: int
    bar_band: float = 0.0

    @classmethod
    def for_screen(cls, font: QFont) -> GanttStyle:
        """The screen style for the widget's ``font``: one-line rows, titles elided."""
        bold = QFont(font)
        bold.setBold(True)
        small = QFont(font)
        if small.pointSizeF() > 0:
            small.setPointSizeF(max(small.pointSizeF() - 1, 7.0))
        else:
            small.setPixelSize(max(small.pixelSize() - 1, 9))
        metrics = QFontMetricsF(font)
        mark = metrics.height()
        return cls(
            font=font,
            bold_font=bold,
            small_font=small,
            unit=1.0,
            row_height=math.ceil(metrics.height() + 11),
            tier_height=math.ceil(metrics.height() + 7),
            number_width=math.ceil(metrics.horizontalAdvance("00.00.") + mark + 12),
            responsible_width=150.0,
            title_lines=1,
        )

    @classmethod
    def for_print(cls, points: float, page_size: str) -> GanttStyle:
        """The paper style (``points``: device units a point): 8 pt text wrapped to two lines."""

        def font(size: float, bold: bool = False) -> QFont:
            result = QFont("DejaVu Sans")
            result.setPixelSize(round(size * points))
            result.setBold(bold)
            result.setHintingPreference(QFont.HintingPreference.PreferNoHinting)
            return result

        text = font(8)
        metrics = QFontMetricsF(text)
        wide = page_size == "A3"
        return cls(
            font=text,
            bold_font=font(8, bold=True),
            small_font=font(8),
            unit=PRINT_POINTS_PER_PIXEL * points,
            row_height=math.ceil(2 * metrics.lineSpacing() + 6 * points),
            tier_height=math.ceil(metrics.height() + 5 * points),
            number_width=math.ceil(
                metrics.horizontalAdvance("00.00.") + metrics.height() + 6 * points
            ),
            responsible_width=(110 if wide else 88) * points,
            title_lines=2,
        )


@functools.cache
def _wrapped(face: tuple[str, float, bool], text: str, width: int, lines: int) -> tuple[str, ...]:
    """``text`` wrapped at words into at most ``lines`` lines of ``width``, the last elided.

    ``face`` is (family, pixel size, bold): the cache keys on it, not on a QFont.
    """
    family, pixel, bold = face
    font = QFont(family)
    font.setPixelSize(max(round(pixel), 1))
    font.setBold(bold)
    metrics = QFontMetricsF(font)
    words = text.split()
    if not words or width <= 0:
        return ()
    result: list[str] = []
    current = words[0]
    for word in words[1:]:
        candidate = f"{current} {word}"
        if metrics.horizontalAdvance(candidate) <= width:
            current = candidate
        else:
            result.append(current)
            current = word
    result.append(current)
    if len(result) > lines:
        result = [*result[: lines - 1], " ".join(result[lines - 1 :])]
    return tuple(metrics.elidedText(line, Qt.TextElideMode.ElideRight, width) for line in result)


def wrap_text(font: QFont, text: str, width: float, lines: int) -> tuple[str, ...]:
    """``text`` in ``font`` wrapped to ``lines`` lines of ``width`` (the last elided with «…»)."""
    pixel = font.pixelSize()
    if pixel <= 0:
        pixel = round(QFontMetricsF(font).height() / 1.17)
        # A point-sized screen font: elide with its own metrics (no wrapping is asked of it).
        metrics = QFontMetricsF(font)
        if lines == 1:
            return (metrics.elidedText(" ".join(text.split()), Qt.TextElideMode.ElideRight, width),)
    return _wrapped((font.family(), pixel, font.bold()), text, int(width), lines)


# --- what is where --------------------------------------------------------------------------

Row = Section | Activity


def build_rows(sections: Sequence[Section], activities: Sequence[Activity]) -> list[Row]:
    """The rows in tree order: a section, its activities (by position), then its subsections.

    Siblings go by position; a section whose parent is not given is a top one;
    activities of no given section come last under «Без раздела».
    """
    known = {section.id for section in sections}
    children: dict[int | None, list[Section]] = {}
    for section in sections:
        parent = section.parent_id if section.parent_id in known else None
        children.setdefault(parent, []).append(section)
    for siblings in children.values():
        siblings.sort(key=lambda item: (item.position, item.id))
    by_section: dict[int, list[Activity]] = {}
    for activity in activities:
        by_section.setdefault(activity.section_id, []).append(activity)
    for members in by_section.values():
        members.sort(key=lambda item: (item.position, item.id))
    rows: list[Row] = []
    seen: set[int] = set()
    stack: list[tuple[Section, int]] = [(s, 0) for s in reversed(children.get(None, []))]
    while stack:
        section, depth = stack.pop()
        if section.id in seen:  # a cycle in bad data: show each section once
            continue
        seen.add(section.id)
        rows.append(section if section.depth == depth else replace(section, depth=depth))
        rows.extend(by_section.get(section.id, ()))
        stack.extend((child, depth + 1) for child in reversed(children.get(section.id, [])))
    orphans = [a for a in activities if a.section_id not in seen]
    if orphans:
        rows.append(Section(0, 0, "", _tr("Без раздела"), 1 << 30))
        rows.extend(sorted(orphans, key=lambda a: (a.position, a.id)))
    return rows


def section_label(section: Section) -> str:
    """«1. Создание организационных условий.» (numbers are stored without the dot)."""
    number = section.number.strip()
    if not number:
        return section.title
    return f"{number if number.endswith('.') else number + '.'} {section.title}"


def chart_period(period: Span, activities: Sequence[Activity]) -> Span:
    """The programme's period widened to every interval and baseline (a plan past its end shows)."""
    start, end = period
    for activity in activities:
        for first, last in (*activity.intervals, *activity.baseline):
            start = min(start, first)
            end = max(end, last)
    return start, end


@dataclass(frozen=True)
class Hit:
    """What the pointer is over: a row, and on an activity's row perhaps one of its intervals.

    ``part`` is «start» / «end» (a bar's end, to drag), «body» (a bar),
    «milestone» (a one-day interval, dragged whole) or «row» (elsewhere on the row).
    """

    row: int
    activity: Activity | None
    index: int
    part: str


def interval_days(span: Span) -> int:
    """Days in an inclusive interval."""
    return (span[1] - span[0]).days + 1


# --- painting ---------------------------------------------------------------------------------


class GanttPainter:
    """Draws the chart's parts for one output (screen or paper) from one set of rows.

    Every routine draws only what falls inside the rectangle it is given, in
    «chart coordinates»: x along the :class:`Axis`, y = row × row height
    (headers from y = 0 down).  The caller translates and clips.
    """

    def __init__(
        self,
        rows: Sequence[Row],
        axis: Axis,
        style: GanttStyle,
        *,
        zoom: Zoom,
        today: date,
        period: Span,
    ) -> None:
        self.rows = list(rows)
        self.axis = axis
        self.style = style
        self.zoom = zoom
        self.today = today
        self.period = period
        #: Intervals shown instead of an activity's own while a bar's end is dragged.
        self.preview: dict[int, tuple[Span, ...]] = {}
        #: The selected row (highlighted in both parts), or None.
        self.selected_row: int | None = None
        self._metrics = QFontMetricsF(style.font)
        self._bold_metrics = QFontMetricsF(style.bold_font)
        self._small_metrics = QFontMetricsF(style.small_font)
        self._italic_font = QFont(style.small_font)
        self._italic_font.setItalic(True)
        self._italic_metrics = QFontMetricsF(self._italic_font)
        self._tiers = (
            (axis.cells(zoom.top, True), True),
            (axis.cells(zoom.bottom, False), False),
        )
        self._tier_starts = tuple([cell.x0 for cell in cells] for cells, _ in self._tiers)
        self._choice = tuple(self._label_choice(cells) for cells, _ in self._tiers)
        unit = style.unit
        height = style.bar_band or style.row_height
        offset = max((style.row_height - height) / 2, 0.0)
        self.bar_top = round(offset + height * 0.2)
        self.bar_height = max(round(height * 0.42), 4 * unit)
        self.baseline_top = self.bar_top + self.bar_height + max(round(height * 0.08), unit)
        self.baseline_height = max(round(height * 0.14), 2 * unit)

    # geometry ---------------------------------------------------------------------------------

    @property
    def height(self) -> float:
        """Height of all rows."""
        return len(self.rows) * self.style.row_height

    @property
    def header_height(self) -> float:
        """Height of the two header tiers."""
        return 2 * self.style.tier_height

    @property
    def column_width(self) -> float:
        """The activity column's natural width (on paper: its whole width)."""
        return self.style.number_width + self.style.responsible_width + 270 * self.style.unit

    def row_range(self, top: float, bottom: float) -> range:
        """Rows that meet the band ``top``..``bottom``."""
        height = self.style.row_height
        first = max(math.floor(top / height), 0)
        last = min(math.ceil(bottom / height), len(self.rows))
        return range(first, max(first, last))

    def intervals(self, activity: Activity) -> tuple[Span, ...]:
        """The intervals drawn for ``activity`` (a drag's preview wins)."""
        return self.preview.get(activity.id, activity.intervals)

    def interval_rect(self, row: int, span: Span) -> QRectF:
        """Where an interval's bar is (a milestone: the diamond's bounding box)."""
        axis = self.axis
        top = row * self.style.row_height + self.bar_top
        if span[0] == span[1]:
            centre = axis.x(span[0]) + axis.pixels_per_day / 2
            half = self.bar_height / 2 + self.style.unit
            return QRectF(
                centre - half,
                top - self.style.unit,
                2 * half,
                self.bar_height + 2 * self.style.unit,
            )
        left = axis.x(span[0])
        width = max(interval_days(span) * axis.pixels_per_day, 2 * self.style.unit)
        return QRectF(left, top, width, self.bar_height)

    def hit(self, x: float, y: float) -> Hit | None:
        """What is under the point ``x``, ``y`` (chart coordinates)."""
        row = math.floor(y / self.style.row_height)
        if y < 0 or row >= len(self.rows):
            return None
        item = self.rows[row]
        if not isinstance(item, Activity):
            return Hit(row, None, -1, "row")
        grip = 5 * self.style.unit
        best: Hit | None = None
        for index, span in enumerate(self.intervals(item)):
            rect = self.interval_rect(row, span)
            if not rect.adjusted(-grip, -2 * self.style.unit, grip, 2 * self.style.unit).contains(
                x, y
            ):
                continue
            if span[0] == span[1]:
                return Hit(row, item, index, "milestone")
            near_start = abs(x - rect.left())
            near_end = abs(x - rect.right())
            if min(near_start, near_end) <= grip:
                part = "start" if near_start < near_end else "end"
                return Hit(row, item, index, part)
            if rect.contains(x, y):
                best = Hit(row, item, index, "body")
        return best or Hit(row, item, -1, "row")

    # the header ---------------------------------------------------------------------------------

    def _label_choice(self, cells: list[TimeCell]) -> int:
        """The longest label form that fits every whole cell of a tier (one form for all)."""
        if not cells:
            return 0
        whole = cells[1:-1] if len(cells) > 2 else cells
        narrowest = min(cell.x1 - cell.x0 for cell in whole)
        room = narrowest - 8 * self.style.unit
        forms = len(cells[0].labels)
        for form in range(forms):
            widest = max(
                self._metrics.horizontalAdvance(cell.labels[min(form, len(cell.labels) - 1)])
                for cell in whole
            )
            if widest <= room:
                return form
        return forms - 1

    def paint_header(self, painter: QPainter, x0: float, x1: float) -> None:
        """The two tiers of the time header for ``x0``..``x1``; top tier labels stay in view."""
        style = self.style
        tier = style.tier_height
        painter.fillRect(QRectF(x0, 0, x1 - x0, 2 * tier), QColor(_HEADER_BACKGROUND))
        painter.setFont(style.font)
        metrics = self._metrics
        pad = 4 * style.unit
        for level, (cells, top) in enumerate(self._tiers):
            y = level * tier
            starts = self._tier_starts[level]
            first = max(bisect.bisect_right(starts, x0) - 1, 0)
            painter.setPen(QPen(QColor(_GRID_MAJOR if top else _BORDER), style.unit))
            baseline = y + (tier + metrics.ascent() - metrics.descent()) / 2
            for cell in cells[first:]:
                if cell.x0 > x1:
                    break
                painter.setPen(QPen(QColor(_BORDER), style.unit))
                painter.drawLine(QPointF(cell.x0, y), QPointF(cell.x0, y + tier))
                # A label stays in the visible part of its cell (a cell cut by an edge
                # gets a shorter form, or none, rather than half a word).
                seen_left = max(cell.x0, x0) + pad
                seen_right = min(cell.x1, x1) - pad
                form = self._choice[level]
                label = ""
                while form < len(cell.labels):
                    if metrics.horizontalAdvance(cell.labels[form]) <= seen_right - seen_left:
                        label = cell.labels[form]
                        break
                    form += 1
                if not label:
                    continue
                advance = metrics.horizontalAdvance(label)
                if top:
                    left = seen_left  # sticky: at the left edge of what is seen of the cell
                else:
                    centred = cell.x0 + (cell.x1 - cell.x0 - advance) / 2
                    left = min(max(centred, seen_left), seen_right - advance)
                painter.setPen(QColor(_TEXT))
                painter.drawText(QPointF(left, baseline), label)
        painter.setPen(QPen(QColor(_BORDER), style.unit))
        painter.drawLine(QPointF(x0, tier), QPointF(x1, tier))
        painter.drawLine(
            QPointF(x0, 2 * tier - style.unit / 2), QPointF(x1, 2 * tier - style.unit / 2)
        )
        if self.axis.first <= self.today <= self.axis.last:
            x = self.axis.x(self.today) + self.axis.pixels_per_day / 2
            size = 4 * style.unit
            bottom = 2 * tier
            painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor(TODAY_COLOUR))
            painter.drawPolygon(
                QPolygonF(
                    [
                        QPointF(x - size, bottom - size * 1.4),
                        QPointF(x + size, bottom - size * 1.4),
                        QPointF(x, bottom),
                    ]
                )
            )
            painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)

    # the time area --------------------------------------------------------------------------------

    def paint_rows(self, painter: QPainter, rect: QRectF, sticky_x: float) -> None:
        """The rows inside ``rect``; labels that stay in view sit at ``sticky_x`` (visible left)."""
        style = self.style
        axis = self.axis
        x0 = max(rect.left(), 0.0)
        x1 = min(rect.right(), axis.width)
        painter.fillRect(rect, QColor("#ffffff"))
        if rect.right() > axis.width:
            # Beyond the programme's last month: nothing can be planned there.
            beyond = QRectF(axis.width, rect.top(), rect.right() - axis.width, rect.height())
            painter.fillRect(beyond, QColor(_OUTSIDE))
        if x1 <= x0:
            return
        rows = self.row_range(rect.top(), rect.bottom())
        if not rows:
            self._paint_grid(painter, x0, x1, rect.top(), rect.bottom())
            return
        height = style.row_height
        top = rows.start * height
        bottom = rows.stop * height
        for row in rows:
            item = self.rows[row]
            y = row * height
            if isinstance(item, Section):
                colour = (
                    QColor(_SELECTION) if row == self.selected_row else self.section_colour(item)
                )
                painter.fillRect(QRectF(x0, y, x1 - x0, height), colour)
            elif row == self.selected_row:
                painter.fillRect(QRectF(x0, y, x1 - x0, height), QColor(_SELECTION))
        self._paint_grid(painter, x0, x1, top, bottom)
        painter.setPen(QPen(QColor(_ROW_LINE), style.unit))
        for row in rows:
            y = (row + 1) * height - style.unit / 2
            painter.drawLine(QPointF(x0, y), QPointF(x1, y))
        first_day = axis.day_at(x0)
        last_day = axis.day_at(x1)
        for row in rows:
            item = self.rows[row]
            if isinstance(item, Activity):
                self._paint_activity(
                    painter, row, item, days=(first_day, last_day), xs=(x0, x1), sticky_x=sticky_x
                )
        if axis.first <= self.today <= axis.last:
            x = axis.x(self.today) + axis.pixels_per_day / 2
            if x0 <= x <= x1:
                pen = QPen(QColor(TODAY_COLOUR), 2 * style.unit)
                pen.setStyle(Qt.PenStyle.DashLine)
                painter.setPen(pen)
                painter.drawLine(
                    QPointF(x, max(rect.top(), top)), QPointF(x, min(rect.bottom(), bottom))
                )

    @staticmethod
    def section_colour(section: Section) -> QColor:
        """A top section's band is darker than its subsections'."""
        return QColor(_SECTION_BACKGROUND if section.depth == 0 else _SUBSECTION_BACKGROUND)

    def _paint_grid(
        self, painter: QPainter, x0: float, x1: float, top: float, bottom: float
    ) -> None:
        axis = self.axis
        style = self.style
        if axis.pixels_per_day >= 10 * style.unit:
            # Weekends, at the week scale only (elsewhere a day is too thin to shade).
            day = axis.day_at(x0)
            last = axis.day_at(x1)
            while day <= last:
                if day.weekday() >= 5:
                    painter.fillRect(
                        QRectF(axis.x(day), top, axis.pixels_per_day, bottom - top),
                        QColor(_WEEKEND),
                    )
                day += timedelta(days=1)
        for level in (1, 0):
            cells, _ = self._tiers[level]
            starts = self._tier_starts[level]
            painter.setPen(QPen(QColor(_GRID_MAJOR if level == 0 else _GRID_MINOR), style.unit))
            first = max(bisect.bisect_right(starts, x0) - 1, 0)
            for cell in cells[first:]:
                if cell.x0 > x1:
                    break
                if cell.x0 >= x0:
                    painter.drawLine(QPointF(cell.x0, top), QPointF(cell.x0, bottom))

    def _paint_activity(
        self,
        painter: QPainter,
        row: int,
        activity: Activity,
        *,
        days: tuple[date, date],
        xs: tuple[float, float],
        sticky_x: float,
    ) -> None:
        first_day, last_day = days
        x0, x1 = xs
        style = self.style
        axis = self.axis
        y = row * style.row_height
        colour = bar_colour(activity, self.today)
        if activity.baseline:
            painter.setPen(Qt.PenStyle.NoPen)
            base = QColor(BASELINE_COLOUR)
            for span in activity.baseline:
                if span[1] < first_day or span[0] > last_day:
                    continue
                left = axis.x(span[0])
                if span[0] == span[1]:
                    # A planned one-day deadline: a small grey diamond under the milestone.
                    half = self.baseline_height * 1.3
                    centre = QPointF(left + axis.pixels_per_day / 2, y + self.baseline_top + half)
                    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
                    painter.setBrush(base)
                    painter.drawPolygon(
                        QPolygonF(
                            [
                                QPointF(centre.x(), centre.y() - half),
                                QPointF(centre.x() + half, centre.y()),
                                QPointF(centre.x(), centre.y() + half),
                                QPointF(centre.x() - half, centre.y()),
                            ]
                        )
                    )
                    painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
                    continue
                width = max(interval_days(span) * axis.pixels_per_day, 2 * style.unit)
                painter.fillRect(
                    QRectF(left, y + self.baseline_top, width, self.baseline_height), base
                )
        intervals = self.intervals(activity)
        kind = activity.deadline_kind
        if kind == "continuous":
            spans = intervals or (self.period,)
            for span in spans:
                if span[1] < first_day or span[0] > last_day:
                    continue
                self._paint_hatched(
                    painter,
                    QRectF(
                        axis.x(span[0]),
                        y + self.bar_top,
                        interval_days(span) * axis.pixels_per_day,
                        self.bar_height,
                    ),
                    colour,
                    x0,
                    x1,
                )
            return
        if not intervals:
            if kind == "on_demand":
                self._paint_on_demand(painter, y, x0, x1, sticky_x)
            else:
                self._paint_note(
                    painter,
                    y,
                    (sticky_x, x1),
                    _tr("срок не определён: «{text}»").format(text=activity.deadline_text)
                    if activity.deadline_text
                    else _tr("срок не определён"),
                )
            return
        done_days = progress_share(activity) * sum(interval_days(span) for span in intervals)
        for span in intervals:
            length = interval_days(span)
            filled = min(max(done_days, 0.0), length) / length
            done_days -= length
            if span[1] < first_day or span[0] > last_day:
                continue
            rect = self.interval_rect(row, span)
            if span[0] == span[1]:
                self._paint_milestone(painter, rect, colour)
            else:
                self._paint_bar(
                    painter, rect, colour, filled, dashed=kind == "on_demand", x0=x0, x1=x1
                )

    def _paint_bar(
        self,
        painter: QPainter,
        rect: QRectF,
        colour: QColor,
        filled: float,
        *,
        dashed: bool,
        x0: float,
        x1: float,
    ) -> None:
        unit = self.style.unit
        # A bar years long at the week scale: draw only its visible part (and room for the pen).
        left = max(rect.left(), x0 - 4 * unit)
        right = min(rect.right(), x1 + 4 * unit)
        visible = QRectF(left, rect.top(), max(right - left, 0.0), rect.height())
        painter.fillRect(visible, tint(colour))
        if filled > 0:
            done_right = min(rect.left() + rect.width() * filled, right)
            if done_right > left:
                painter.fillRect(QRectF(left, rect.top(), done_right - left, rect.height()), colour)
        pen = QPen(colour.darker(125), unit)
        if dashed:
            pen = QPen(QColor(ON_DEMAND_COLOUR), 1.5 * unit)
            pen.setStyle(Qt.PenStyle.DashLine)
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        half = unit / 2
        painter.drawRect(visible.adjusted(half, half, -half, -half))

    def _paint_milestone(self, painter: QPainter, rect: QRectF, colour: QColor) -> None:
        centre = rect.center()
        half_w = rect.width() / 2
        half_h = rect.height() / 2
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.setPen(QPen(colour.darker(130), self.style.unit))
        painter.setBrush(colour)
        painter.drawPolygon(
            QPolygonF(
                [
                    QPointF(centre.x(), centre.y() - half_h),
                    QPointF(centre.x() + half_w, centre.y()),
                    QPointF(centre.x(), centre.y() + half_h),
                    QPointF(centre.x() - half_w, centre.y()),
                ]
            )
        )
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)

    def _paint_hatched(
        self, painter: QPainter, rect: QRectF, colour: QColor, x0: float, x1: float
    ) -> None:
        """A continuous activity: a light band with diagonal hatching (drawn, not a brush pattern,
        so that it looks the same on screen and on paper)."""
        unit = self.style.unit
        left = max(rect.left(), x0 - 8 * unit)
        right = min(rect.right(), x1 + 8 * unit)
        if right <= left:
            return
        band = QRectF(left, rect.top(), right - left, rect.height())
        painter.fillRect(band, tint(colour, 0.8))
        painter.save()
        painter.setClipRect(band, Qt.ClipOperation.IntersectClip)
        painter.setPen(QPen(colour, 1.5 * unit))
        step = 7 * unit
        height = band.height()
        # The phase follows the axis, so the hatching does not crawl when the view scrolls.
        x = math.floor((left - height) / step) * step
        while x <= right:
            painter.drawLine(QPointF(x, band.bottom()), QPointF(x + height, band.top()))
            x += step
        painter.restore()
        painter.setPen(QPen(colour.darker(115), unit))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        top_line = band.top() + unit / 2
        bottom_line = band.bottom() - unit / 2
        painter.drawLine(QPointF(left, top_line), QPointF(right, top_line))
        painter.drawLine(QPointF(left, bottom_line), QPointF(right, bottom_line))

    def _paint_on_demand(
        self, painter: QPainter, y: float, x0: float, x1: float, sticky_x: float
    ) -> None:
        """An on-demand activity without dates: a dotted line, a «по запросу» tag."""
        unit = self.style.unit
        axis = self.axis
        middle = y + self.bar_top + self.bar_height / 2
        left = max(axis.x(self.period[0]), x0)
        right = min(axis.x(self.period[1]) + axis.pixels_per_day, x1)
        pen = QPen(QColor(ON_DEMAND_COLOUR), 1.5 * unit)
        pen.setStyle(Qt.PenStyle.DotLine)
        painter.setPen(pen)
        if right > left:
            painter.drawLine(QPointF(left, middle), QPointF(right, middle))
        text = _tr("по запросу")
        metrics = self._small_metrics
        width = metrics.horizontalAdvance(text) + 10 * unit
        tag = QRectF(
            sticky_x + 6 * unit, y + self.bar_top - unit, width, self.bar_height + 2 * unit
        )
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.setPen(QPen(QColor(ON_DEMAND_COLOUR), unit))
        painter.setBrush(QColor(ON_DEMAND_COLOUR))
        radius = tag.height() / 2
        painter.drawRoundedRect(tag, radius, radius)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        painter.setFont(self.style.small_font)
        painter.setPen(QColor("#ffffff"))
        baseline = tag.top() + (tag.height() + metrics.ascent() - metrics.descent()) / 2
        painter.drawText(QPointF(tag.left() + 5 * unit, baseline), text)

    def _paint_note(
        self, painter: QPainter, y: float, span: tuple[float, float], text: str
    ) -> None:
        """Italic text at the visible left ``span[0]`` of a row, elided at ``span[1]``."""
        painter.setFont(self._italic_font)
        painter.setPen(QColor(UNSCHEDULED_COLOUR).darker(140))
        metrics = self._italic_metrics
        left = span[0] + 6 * self.style.unit
        width = min(span[1], self.axis.width) - left - 4 * self.style.unit
        if width <= metrics.averageCharWidth() * 3:
            return
        baseline = y + (self.style.row_height + metrics.ascent() - metrics.descent()) / 2
        painter.drawText(
            QPointF(left, baseline), metrics.elidedText(text, Qt.TextElideMode.ElideRight, width)
        )

    # the activity column -----------------------------------------------------------------------

    def column_parts(self, width: float) -> tuple[float, float, float]:
        """Widths of the number, title and responsible parts of a column ``width`` wide."""
        number = self.style.number_width
        unit = self.style.unit
        rest = max(width - number, 0.0)
        # A narrow column keeps most of its room for the title (what the activity is):
        # «Ответственные» gets a third at most, and goes when it would be a few letters.
        responsible = min(self.style.responsible_width, max(rest - 270 * unit, rest * 0.3))
        if responsible < 60 * unit:
            responsible = 0.0
        return number, rest - responsible, responsible

    def paint_column_header(self, painter: QPainter, width: float) -> None:
        """The column's titles: «№», «Мероприятие», «Ответственные» over the two tiers' height."""
        style = self.style
        height = self.header_height
        painter.fillRect(QRectF(0, 0, width, height), QColor(_HEADER_BACKGROUND))
        number, title, responsible = self.column_parts(width)
        painter.setFont(style.bold_font)
        painter.setPen(QColor(_TEXT))
        metrics = self._bold_metrics
        baseline = (height + metrics.ascent() - metrics.descent()) / 2
        pad = 5 * style.unit
        painter.drawText(QPointF(pad, baseline), _tr("№"))
        painter.drawText(
            QPointF(number + pad, baseline),
            metrics.elidedText(
                _tr("Мероприятие"), Qt.TextElideMode.ElideRight, max(title - 2 * pad, 0)
            ),
        )
        if responsible > 0:
            painter.drawText(
                QPointF(number + title + pad, baseline),
                metrics.elidedText(
                    _tr("Ответственные"), Qt.TextElideMode.ElideRight, responsible - 2 * pad
                ),
            )
        painter.setPen(QPen(QColor(_BORDER), style.unit))
        painter.drawLine(QPointF(number, 0), QPointF(number, height))
        painter.drawLine(QPointF(number + title, 0), QPointF(number + title, height))
        painter.drawLine(
            QPointF(0, height - style.unit / 2), QPointF(width, height - style.unit / 2)
        )

    def paint_column(self, painter: QPainter, width: float, top: float, bottom: float) -> None:
        """The activity column for the band ``top``..``bottom``."""
        style = self.style
        height = style.row_height
        painter.fillRect(QRectF(0, top, width, bottom - top), QColor("#ffffff"))
        number_w, title_w, responsible_w = self.column_parts(width)
        pad = 5 * style.unit
        rows = self.row_range(top, bottom)
        for row in rows:
            item = self.rows[row]
            y = row * height
            if isinstance(item, Section):
                self.paint_section_title(painter, item, width, y)
                continue
            if row == self.selected_row:
                painter.fillRect(QRectF(0, y, width, height), QColor(_SELECTION))
            overdue = item.overdue(self.today)
            mark = self._metrics.height() * 0.9
            number_font = style.bold_font if overdue else style.font
            painter.setFont(number_font)
            painter.setPen(QColor(OVERDUE_COLOUR if overdue else _TEXT))
            baseline = y + (height + self._metrics.ascent() - self._metrics.descent()) / 2
            painter.drawText(
                QPointF(pad + mark + 2 * style.unit, baseline),
                QFontMetricsF(number_font).elidedText(
                    item.number, Qt.TextElideMode.ElideRight, number_w - mark - 2 * pad
                ),
            )
            if item.unscheduled:
                self._paint_unscheduled_mark(
                    painter, QRectF(pad - 2 * style.unit, y + (height - mark) / 2, mark, mark)
                )
            elif item.manual:
                painter.setPen(QColor(_NOTE))
                painter.setFont(style.small_font)
                painter.drawText(QPointF(pad - 2 * style.unit, baseline), "✎")
            self._paint_lines(
                painter,
                style.font,
                self._metrics,
                item.title,
                x=number_w + pad,
                y=y,
                width=title_w - 2 * pad,
            )
            if responsible_w > 0:
                self._paint_lines(
                    painter,
                    style.small_font,
                    self._small_metrics,
                    item.responsible,
                    x=number_w + title_w + pad,
                    y=y,
                    width=responsible_w - 2 * pad,
                    colour=_NOTE,
                )
        painter.setPen(QPen(QColor(_ROW_LINE), style.unit))
        for row in rows:
            y = (row + 1) * height - style.unit / 2
            painter.drawLine(QPointF(0, y), QPointF(width, y))
        # Column rules on activity rows only: a section's title runs across them.
        painter.setPen(QPen(QColor(_GRID_MINOR), style.unit))
        for row in rows:
            if isinstance(self.rows[row], Activity):
                y = row * height
                painter.drawLine(QPointF(number_w, y), QPointF(number_w, y + height))
                painter.drawLine(
                    QPointF(number_w + title_w, y), QPointF(number_w + title_w, y + height)
                )
        painter.setPen(QPen(QColor(_BORDER), style.unit))
        painter.drawLine(
            QPointF(width - style.unit / 2, top), QPointF(width - style.unit / 2, bottom)
        )

    def paint_section_title(
        self, painter: QPainter, section: Section, width: float, y: float, suffix: str = ""
    ) -> None:
        """A section's row in the column: its band, its title indented by depth (and ``suffix``)."""
        style = self.style
        pad = 5 * style.unit
        selected = self.selected_row is not None and self.rows[self.selected_row] is section
        colour = QColor(_SELECTION) if selected and not suffix else self.section_colour(section)
        painter.fillRect(QRectF(0, y, width, style.row_height), colour)
        indent = pad + min(section.depth, 4) * 12 * style.unit
        self._paint_lines(
            painter,
            style.bold_font,
            self._bold_metrics,
            section_label(section),
            x=indent,
            y=y,
            width=width - indent - pad,
            suffix=suffix,
        )

    def _paint_lines(
        self,
        painter: QPainter,
        font: QFont,
        metrics: QFontMetricsF,
        text: str,
        *,
        x: float,
        y: float,
        width: float,
        colour: str = _TEXT,
        suffix: str = "",
    ) -> None:
        if width <= 0 or not text:
            return
        room = width - (metrics.horizontalAdvance(f" {suffix}") if suffix else 0)
        lines = wrap_text(font, text, room, self.style.title_lines)
        if suffix and lines:
            # The suffix («(продолжение)») is never elided away with a long title.
            lines = (*lines[:-1], f"{lines[-1]} {suffix}")
        painter.setFont(font)
        painter.setPen(QColor(colour))
        spacing = metrics.lineSpacing()
        block = len(lines) * spacing - metrics.leading()
        baseline = y + (self.style.row_height - block) / 2 + metrics.ascent()
        for line in lines:
            painter.drawText(QPointF(x, baseline), line)
            baseline += spacing

    def _paint_unscheduled_mark(self, painter: QPainter, rect: QRectF) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(UNSCHEDULED_COLOUR))
        painter.drawEllipse(rect)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        painter.setFont(self.style.bold_font)
        painter.setPen(QColor("#ffffff"))
        metrics = self._bold_metrics
        advance = metrics.horizontalAdvance("?")
        baseline = rect.top() + (rect.height() + metrics.ascent() - metrics.descent()) / 2
        painter.drawText(QPointF(rect.center().x() - advance / 2, baseline), "?")

    # the legend --------------------------------------------------------------------------------

    def legend_items(self) -> list[tuple[str, str]]:
        """(kind, label) of every legend entry."""
        return [
            ("planned", _tr("запланировано")),
            ("in_progress", _tr("выполняется (закрашено — сделано)")),
            ("done", _tr("выполнено")),
            ("overdue", _tr("просрочено")),
            ("milestone", _tr("срок — один день")),
            ("continuous", _tr("постоянно")),
            ("on_demand", _tr("по запросу")),
            ("baseline", _tr("утверждённый план")),
            ("today", _tr("сегодня")),
            ("unscheduled", _tr("срок не определён")),
        ]

    def legend_layout(self, width: float) -> tuple[list[tuple[str, str, float, float]], float]:
        """Where each legend entry goes in ``width`` (kind, label, x, y) and the height needed."""
        unit = self.style.unit
        metrics = self._small_metrics
        line_h = max(metrics.height(), 12 * unit) + 2 * unit
        placed: list[tuple[str, str, float, float]] = []
        x = 0.0
        y = 0.0
        for kind, label in self.legend_items():
            item_w = 22 * unit + metrics.horizontalAdvance(label)
            if x > 0 and x + item_w > width:
                x = 0.0
                y += line_h
            placed.append((kind, label, x, y))
            x += item_w + 12 * unit
        return placed, y + line_h

    def paint_legend(self, painter: QPainter, rect: QRectF) -> None:
        """The legend in ``rect``, wrapped to more lines when narrow."""
        unit = self.style.unit
        metrics = self._small_metrics
        line_h = max(metrics.height(), 12 * unit) + 2 * unit
        placed, _ = self.legend_layout(rect.width())
        for kind, label, x, y in placed:
            left = rect.left() + x
            top = rect.top() + y
            self._paint_swatch(
                painter, kind, QRectF(left, top + (line_h - 10 * unit) / 2, 18 * unit, 10 * unit)
            )
            painter.setFont(self.style.small_font)
            painter.setPen(QColor(_TEXT))
            baseline = top + (line_h + metrics.ascent() - metrics.descent()) / 2
            painter.drawText(QPointF(left + 22 * unit, baseline), label)

    def _paint_swatch(self, painter: QPainter, kind: str, rect: QRectF) -> None:
        unit = self.style.unit
        if kind in STATUS_COLOURS:
            colour = QColor(STATUS_COLOURS[kind])
            share = {"planned": 0.0, "in_progress": 0.5, "done": 1.0}.get(kind, 0.0)
            self._paint_bar(
                painter, rect, colour, share, dashed=False, x0=rect.left(), x1=rect.right()
            )
        elif kind == "overdue":
            self._paint_bar(
                painter,
                rect,
                QColor(OVERDUE_COLOUR),
                0.3,
                dashed=False,
                x0=rect.left(),
                x1=rect.right(),
            )
        elif kind == "milestone":
            side = rect.height() + 2 * unit
            centre = rect.center()
            self._paint_milestone(
                painter,
                QRectF(centre.x() - side / 2, centre.y() - side / 2, side, side),
                QColor(STATUS_COLOURS["planned"]),
            )
        elif kind == "continuous":
            self._paint_hatched(
                painter, rect, QColor(STATUS_COLOURS["in_progress"]), rect.left(), rect.right()
            )
        elif kind == "on_demand":
            painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor(ON_DEMAND_COLOUR))
            painter.drawRoundedRect(rect, rect.height() / 2, rect.height() / 2)
            painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        elif kind == "baseline":
            painter.fillRect(
                QRectF(rect.left(), rect.center().y() - 2 * unit, rect.width(), 4 * unit),
                QColor(BASELINE_COLOUR),
            )
        elif kind == "today":
            pen = QPen(QColor(TODAY_COLOUR), 2 * unit)
            pen.setStyle(Qt.PenStyle.DashLine)
            painter.setPen(pen)
            x = rect.center().x()
            painter.drawLine(
                QPointF(x, rect.top() - 2 * unit), QPointF(x, rect.bottom() + 2 * unit)
            )
        elif kind == "unscheduled":
            side = rect.height() + 2 * unit
            self._paint_unscheduled_mark(
                painter,
                QRectF(rect.center().x() - side / 2, rect.center().y() - side / 2, side, side),
            )


# --- the widget -------------------------------------------------------------------------------


@dataclass
class _Drag:
    """A bar (or milestone) being dragged: which, how it was, where the press was."""

    activity: Activity
    index: int
    part: str
    press_x: float
    original: tuple[Span, ...]
    moved: bool = False


def _shifted(span: Span, part: str, days: int, period: Span) -> Span:
    """``span`` with its start, end or both moved by ``days``, kept in ``period`` and in order."""
    start, end = span
    step = timedelta(days=days)
    if part == "start":
        return min(max(start + step, period[0]), end), end
    if part == "end":
        return start, max(min(end + step, period[1]), start)
    # The whole interval moves; its length is kept and it stays inside the period.
    length = end - start
    moved = start + step
    moved = max(moved, period[0])
    moved = min(moved, period[1] - length)
    return moved, moved + length


def _configure_view(view: QGraphicsView) -> None:
    """An empty scene painted by hand: no frame, no cache, the scene's origin at the top left."""
    scene = QGraphicsScene(view)
    scene.setItemIndexMethod(QGraphicsScene.ItemIndexMethod.NoIndex)
    view.setScene(scene)
    view.setFrameShape(QFrame.Shape.NoFrame)
    view.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
    view.setCacheMode(QGraphicsView.CacheModeFlag.CacheNone)
    view.setOptimizationFlags(
        QGraphicsView.OptimizationFlag.DontSavePainterState
        | QGraphicsView.OptimizationFlag.DontAdjustForAntialiasing
    )
    view.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.MinimalViewportUpdate)
    view.setTransformationAnchor(QGraphicsView.ViewportAnchor.NoAnchor)
    view.setResizeAnchor(QGraphicsView.ViewportAnchor.NoAnchor)
    view.setDragMode(QGraphicsView.DragMode.NoDrag)


class _TimeView(QGraphicsView):
    """The time area: bars drawn for the visible rect; drag, click, hover, Ctrl+wheel."""

    def __init__(self, owner: GanttView) -> None:
        super().__init__(owner)
        self._owner = owner
        _configure_view(self)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)
        self.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.viewport().setMouseTracking(True)
        self._drag: _Drag | None = None

    def scene_left(self) -> float:
        """The chart x at the viewport's left edge."""
        return self.mapToScene(QPoint(0, 0)).x()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802
        """Scroll to the day asked for (the view has its width only now)."""
        super().showEvent(event)
        self._owner.apply_pending_scroll()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802
        """Keep the day asked for in its place while the window finds its size."""
        super().resizeEvent(event)
        self._owner.apply_pending_scroll()

    def drawBackground(self, painter: QPainter, rect: QRectF | QRect) -> None:  # noqa: N802
        """Paint the rows in the exposed ``rect`` (the scene holds no items)."""
        self._owner.chart.paint_rows(painter, QRectF(rect), self.scene_left())

    def _hit(self, event: QMouseEvent) -> tuple[Hit | None, QPointF]:
        point = self.mapToScene(event.position().toPoint())
        return self._owner.chart.hit(point.x(), point.y()), point

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        """Select the row; on a bar start a drag (or a click, when the pointer does not move)."""
        if event.button() != Qt.MouseButton.LeftButton:
            super().mousePressEvent(event)
            return
        hit, point = self._hit(event)
        if hit is None:
            return
        self._owner.select_row(hit.row)
        if hit.activity is not None and hit.index >= 0:
            intervals = self._owner.chart.intervals(hit.activity)
            self._drag = _Drag(hit.activity, hit.index, hit.part, point.x(), intervals)
        event.accept()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        """Move the dragged end (snapped to days), or show what a press here would do."""
        drag = self._drag
        hit, point = self._hit(event)
        if drag is None:
            cursor = Qt.CursorShape.ArrowCursor
            if hit is not None and hit.part in ("start", "end"):
                cursor = Qt.CursorShape.SizeHorCursor
            elif hit is not None and hit.part in ("body", "milestone"):
                cursor = Qt.CursorShape.PointingHandCursor
            self.viewport().setCursor(cursor)
            return
        distance = abs(point.x() - drag.press_x)
        # An end moves at once (a day can be 2 px wide); a whole bar only past the drag
        # distance, so that a click with a shaky hand still opens the activity.
        threshold = 2 if drag.part in ("start", "end") else QApplication.startDragDistance()
        if not drag.moved and distance < threshold:
            return
        drag.moved = True
        chart = self._owner.chart
        days = round((point.x() - drag.press_x) / chart.axis.pixels_per_day)
        part = "move" if drag.part in ("body", "milestone") else drag.part
        span = _shifted(drag.original[drag.index], part, days, (chart.axis.first, chart.axis.last))
        intervals = list(drag.original)
        intervals[drag.index] = span
        chart.preview[drag.activity.id] = tuple(intervals)
        self.viewport().update()
        QToolTip.showText(
            event.globalPosition().toPoint(),
            f"{format_date(span[0])} – {format_date(span[1])}",
            self.viewport(),
        )
        event.accept()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        """End a drag (the new intervals are emitted) or a click on a bar (the editor opens)."""
        drag = self._drag
        if drag is None or event.button() != Qt.MouseButton.LeftButton:
            super().mouseReleaseEvent(event)
            return
        self._drag = None
        chart = self._owner.chart
        intervals = chart.preview.pop(drag.activity.id, drag.original)
        self.viewport().update()
        if not drag.moved:
            self._owner.sig_activity_activated.emit(drag.activity.id)
        elif intervals != drag.original:
            QToolTip.hideText()
            self._owner.apply_intervals(drag.activity.id, intervals)
        event.accept()

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        """A double-click on an activity's row (not a bar: its click already opened it)."""
        hit, _ = self._hit(event)
        if hit is not None:
            self._owner.select_row(hit.row)
        if hit is not None and hit.activity is not None and hit.part == "row":
            self._owner.sig_activity_activated.emit(hit.activity.id)
        event.accept()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        """Escape cancels a drag; other keys go to the activity column (selection)."""
        if event.key() == Qt.Key.Key_Escape and self._drag is not None:
            self._owner.chart.preview.pop(self._drag.activity.id, None)
            self._drag = None
            QToolTip.hideText()
            self.viewport().update()
            event.accept()
            return
        self._owner.column_view.keyPressEvent(event)

    def wheelEvent(self, event: QWheelEvent) -> None:  # noqa: N802
        """Ctrl+wheel zooms about the pointer, Shift+wheel scrolls along time, else rows scroll."""
        modifiers = event.modifiers()
        if modifiers & Qt.KeyboardModifier.ControlModifier:
            self._owner.zoom_by_wheel(event.angleDelta().y(), event.position().x())
            event.accept()
            return
        if modifiers & Qt.KeyboardModifier.ShiftModifier and event.angleDelta().x() == 0:
            self._owner.forget_pending_scroll()
            bar = self.horizontalScrollBar()
            bar.setValue(bar.value() - event.angleDelta().y())
            event.accept()
            return
        super().wheelEvent(event)

    def viewportEvent(self, event: QEvent) -> bool:  # noqa: N802
        """Hover: the deadline as written."""
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            point = self.mapToScene(event.pos())
            hit = self._owner.chart.hit(point.x(), point.y())
            text = (
                hit.activity.deadline_text if hit is not None and hit.activity is not None else ""
            )
            if hit is not None and hit.activity is not None and not text and hit.index >= 0:
                span = self._owner.chart.intervals(hit.activity)[hit.index]
                text = f"{format_date(span[0])} – {format_date(span[1])}"
            return _tooltip(self, event, text)
        return super().viewportEvent(event)


def _tooltip(view: QGraphicsView, event: QHelpEvent, text: str) -> bool:
    """Show ``text`` as the hover tip of a view (hide the tip when there is none)."""
    if text:
        QToolTip.showText(event.globalPos(), text, view.viewport())
    else:
        QToolTip.hideText()
        event.ignore()
    return True


class _ColumnView(QGraphicsView):
    """The frozen activity column: it scrolls with the time area's rows, never along time."""

    def __init__(self, owner: GanttView) -> None:
        super().__init__(owner)
        self._owner = owner
        _configure_view(self)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)

    def drawBackground(self, painter: QPainter, rect: QRectF | QRect) -> None:  # noqa: N802
        """Paint the column for the exposed ``rect``."""
        area = QRectF(rect)
        self._owner.chart.paint_column(painter, self.viewport().width(), area.top(), area.bottom())

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802
        """The column's scene is as wide as the view (titles take what the splitter gives)."""
        super().resizeEvent(event)
        self._owner.update_scene_rects()

    def _row_at(self, event: QMouseEvent) -> int | None:
        point = self.mapToScene(event.position().toPoint())
        hit = self._owner.chart.hit(0, point.y())
        return None if hit is None else hit.row

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        """Select the row under the pointer."""
        row = self._row_at(event)
        if row is not None:
            self._owner.select_row(row)
        self.setFocus(Qt.FocusReason.MouseFocusReason)
        event.accept()

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        """Open the activity of the row."""
        row = self._row_at(event)
        if row is not None:
            self._owner.select_row(row)
            item = self._owner.chart.rows[row]
            if isinstance(item, Activity):
                self._owner.sig_activity_activated.emit(item.id)
        event.accept()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        """Up/Down/PageUp/PageDown/Home/End move the selection; Enter opens the activity."""
        owner = self._owner
        rows = len(owner.chart.rows)
        current = owner.chart.selected_row
        page = max(self.viewport().height() // max(int(owner.chart.style.row_height), 1) - 1, 1)
        key = Qt.Key(event.key())
        moves = {
            Qt.Key.Key_Up: -1,
            Qt.Key.Key_Down: 1,
            Qt.Key.Key_PageUp: -page,
            Qt.Key.Key_PageDown: page,
        }
        if rows and key in moves:
            target = (current if current is not None else -1) + moves[key]
            owner.select_row(min(max(target, 0), rows - 1), ensure_visible=True)
        elif rows and key == Qt.Key.Key_Home:
            owner.select_row(0, ensure_visible=True)
        elif rows and key == Qt.Key.Key_End:
            owner.select_row(rows - 1, ensure_visible=True)
        elif key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and current is not None:
            item = owner.chart.rows[current]
            if isinstance(item, Activity):
                owner.sig_activity_activated.emit(item.id)
        else:
            super().keyPressEvent(event)
            return
        event.accept()

    def wheelEvent(self, event: QWheelEvent) -> None:  # noqa: N802
        """Ctrl+wheel zooms the time area; the wheel scrolls the rows (both parts together)."""
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self._owner.zoom_by_wheel(event.angleDelta().y(), None)
            event.accept()
            return
        super().wheelEvent(event)

    def viewportEvent(self, event: QEvent) -> bool:  # noqa: N802
        """Hover: the whole title, who is responsible, the deadline as written."""
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            point = self.mapToScene(event.pos())
            hit = self._owner.chart.hit(0, point.y())
            text = self._owner.row_tooltip(hit.row) if hit is not None else ""
            return _tooltip(self, event, text)
        return super().viewportEvent(event)


class _TimeHeader(QWidget):
    """The time header over the time area; it follows the horizontal scroll and stays on top."""

    def __init__(self, owner: GanttView) -> None:
        super().__init__(owner)
        self._owner = owner

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        """Paint the tiers for the visible time range."""
        del event
        owner = self._owner
        left = owner.time_view.scene_left()
        painter = QPainter(self)
        painter.translate(-left, 0)
        owner.chart.paint_header(painter, left, left + self.width())
        painter.end()


class _ColumnHeader(QWidget):
    """«№ / Мероприятие / Ответственные» over the activity column."""

    def __init__(self, owner: GanttView) -> None:
        super().__init__(owner)
        self._owner = owner

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        """Paint the column titles."""
        del event
        painter = QPainter(self)
        self._owner.chart.paint_column_header(painter, self.width())
        painter.end()


class _Legend(QWidget):
    """The legend under the chart (wraps to a second line in a narrow window)."""

    def __init__(self, owner: GanttView) -> None:
        super().__init__(owner)
        self._owner = owner

    def hasHeightForWidth(self) -> bool:  # noqa: N802
        """The height follows the width (the legend wraps)."""
        return True

    def heightForWidth(self, width: int) -> int:  # noqa: N802
        """Lines needed at ``width``."""
        _, height = self._owner.chart.legend_layout(max(width - 12, 50))
        return math.ceil(height) + 6

    def sizeHint(self) -> QSize:  # noqa: N802
        """As wide as the window, as high as its lines."""
        return QSize(600, self.heightForWidth(max(self.width(), 600)))

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        """Paint the legend."""
        del event
        painter = QPainter(self)
        self._owner.chart.paint_legend(painter, QRectF(6, 3, self.width() - 12, self.height() - 6))
        painter.end()


class GanttView(QWidget):
    """The Gantt chart of a roadmap: a frozen activity column beside a scrolling time area.

    Feed it with :meth:`set_data`; it emits ``sig_activity_activated(id)`` when
    the user clicks a bar or double-clicks a row, and
    ``sig_intervals_changed(id, intervals)`` after a drag of a bar (the panel
    writes it as a manual override and reloads; until then the chart shows the
    new dates).
    """

    sig_activity_activated = Signal(int)
    sig_intervals_changed = Signal(int, tuple)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._sections: list[Section] = []
        self._activities: list[Activity] = []
        self._today = date.today()
        self._period: Span = (date(self._today.year, 1, 1), date(self._today.year, 12, 31))
        self._zoom = ZOOMS["month"]
        self._wheel_rest = 0
        self._positioned = False
        self._pending_day: date | None = None
        #: The axis' dates (the period widened to every interval); None: to be computed.
        self._span: Span | None = None
        self._style = GanttStyle.for_screen(self.font())
        #: The painter of the screen (rows, geometry, drawing); rebuilt on data and zoom.
        self.chart = self._make_chart([])

        self.zoom_buttons: dict[str, QToolButton] = {}
        toolbar = QHBoxLayout()
        toolbar.setContentsMargins(0, 0, 0, 0)
        self._zoom_group = QButtonGroup(self)
        self._zoom_group.setExclusive(True)
        for key, zoom in ZOOMS.items():
            button = QToolButton(self)
            button.setText(_tr(zoom.label))
            button.setCheckable(True)
            button.setToolTip(
                _tr("Масштаб: {label} (Ctrl+колесо мыши — крупнее или мельче)").format(
                    label=_tr(zoom.label).lower()
                )
            )
            button.clicked.connect(functools.partial(self._on_zoom_button_clicked, key))
            self._zoom_group.addButton(button)
            self.zoom_buttons[key] = button
            toolbar.addWidget(button)
        self.zoom_buttons[self._zoom.key].setChecked(True)
        toolbar.addSpacing(12)
        self.today_button = QToolButton(self)
        self.today_button.setText(_tr("Сегодня"))
        self.today_button.setToolTip(_tr("Показать сегодняшний день"))
        self.today_button.clicked.connect(self._on_today_button_clicked)
        toolbar.addWidget(self.today_button)
        toolbar.addStretch(1)
        #: The row of the zoom buttons; a panel adds its own tools at its end (add_tool).
        self.toolbar = toolbar

        self.chart_area = QWidget(self)
        self.column_header = _ColumnHeader(self)
        self.column_view = _ColumnView(self)
        self.time_header = _TimeHeader(self)
        self.time_view = _TimeView(self)
        self.legend = _Legend(self)
        self.column_view.setAccessibleName(_tr("Мероприятия дорожной карты"))
        self.time_view.setAccessibleName(_tr("Диаграмма Ганта: сроки мероприятий"))
        # Under the column, the height of the time area's horizontal scroll bar: both views are
        # then equally high, so their vertical ranges (and rows) stay aligned.
        self._column_spacer = QWidget(self)
        self._column_spacer.setFixedHeight(
            self.time_view.style().pixelMetric(
                QStyle.PixelMetric.PM_ScrollBarExtent, None, self.time_view
            )
        )
        left = QWidget(self)
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.setSpacing(0)
        left_layout.addWidget(self.column_header)
        left_layout.addWidget(self.column_view, 1)
        left_layout.addWidget(self._column_spacer)
        right = QWidget(self)
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.setSpacing(0)
        right_layout.addWidget(self.time_header)
        right_layout.addWidget(self.time_view, 1)
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self.chart_area)
        self.splitter.addWidget(left)
        self.splitter.addWidget(right)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setStretchFactor(1, 1)
        left.setMinimumWidth(160)
        self.splitter.setSizes([round(self.chart.column_width), 800])
        area_layout = QVBoxLayout(self.chart_area)
        area_layout.setContentsMargins(0, 0, 0, 0)
        area_layout.setSpacing(2)
        area_layout.addWidget(self.splitter, 1)
        area_layout.addWidget(self.legend)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(toolbar)
        layout.addWidget(self.chart_area, 1)

        self.time_view.verticalScrollBar().valueChanged.connect(self._on_time_rows_scrolled)
        self.column_view.verticalScrollBar().valueChanged.connect(self._on_column_rows_scrolled)
        self.time_view.horizontalScrollBar().valueChanged.connect(self._on_time_scrolled)
        self.time_view.horizontalScrollBar().actionTriggered.connect(self._on_time_bar_action)
        self._apply_header_heights()
        self.update_scene_rects()

    def add_tool(self, widget: QWidget, stretch: int = 0) -> None:
        """Put a panel's own tool (an export button, a hint) at the end of the zoom row."""
        widget.setParent(self)
        self.toolbar.addWidget(widget, stretch)

    # data -----------------------------------------------------------------------------------------

    def set_data(
        self,
        sections: Sequence[Section],
        activities: Sequence[Activity],
        period: tuple[date, date],
        today: date,
    ) -> None:
        """Show ``activities`` grouped by ``sections`` over ``period`` as seen on ``today``.

        A reload keeps the zoom, the scroll position and the selected activity;
        the first call (or a new period) scrolls to today.
        """
        if period[1] < period[0]:
            raise ValueError(period)
        selected = self.selected_activity()
        new_period = period != self._period
        self._sections = list(sections)
        self._activities = list(activities)
        self._span = None
        self._period = (period[0], period[1])
        self._today = today
        self._rebuild()
        if selected is not None:
            row = self.row_of(selected)
            self.chart.selected_row = row
        if not self._positioned or new_period:
            self._positioned = True
            self.scroll_to_date(today if period[0] <= today <= period[1] else period[0])

    def activities(self) -> list[Activity]:
        """The activities shown (with the dates of a drag not yet reloaded by the panel)."""
        return list(self._activities)

    def apply_intervals(self, activity_id: int, intervals: tuple[Span, ...]) -> None:
        """Show ``intervals`` for an activity (set by hand) and emit ``sig_intervals_changed``."""
        self._span = None
        self._activities = [
            replace(item, intervals=intervals, manual=True) if item.id == activity_id else item
            for item in self._activities
        ]
        selected = self.chart.selected_row
        self._rebuild()
        self.chart.selected_row = selected
        self.sig_intervals_changed.emit(activity_id, intervals)

    def _make_chart(self, rows: Sequence[Row]) -> GanttPainter:
        if self._span is None:
            # Widening the period to every interval reads them all: once per data, not per zoom.
            self._span = chart_period(self._period, self._activities)
        axis = Axis.for_period(self._span, self._zoom.pixels_per_day * self._style.unit)
        return GanttPainter(
            rows, axis, self._style, zoom=self._zoom, today=self._today, period=self._period
        )

    def _rebuild(self) -> None:
        selected = self.chart.selected_row
        self.chart = self._make_chart(build_rows(self._sections, self._activities))
        if selected is not None and selected < len(self.chart.rows):
            self.chart.selected_row = selected
        self.update_scene_rects()
        self._refresh()

    def _refresh(self) -> None:
        self.time_view.viewport().update()
        self.column_view.viewport().update()
        self.time_header.update()
        self.column_header.update()
        self.legend.update()

    def _apply_header_heights(self) -> None:
        height = math.ceil(self.chart.header_height)
        self.time_header.setFixedHeight(height)
        self.column_header.setFixedHeight(height)

    def update_scene_rects(self) -> None:
        """Size both scenes: the time area by the axis, the column by its view's width."""
        height = self.chart.height
        self.time_view.setSceneRect(QRectF(0, 0, self.chart.axis.width, height))
        self.column_view.setSceneRect(QRectF(0, 0, self.column_view.viewport().width(), height))

    # zoom -----------------------------------------------------------------------------------------

    def zoom_level(self) -> str:
        """The current zoom level (one of :data:`ZOOM_LEVELS`)."""
        return self._zoom.key

    def pixels_per_day(self) -> float:
        """How wide a day is on screen now."""
        return self.chart.axis.pixels_per_day

    def set_zoom(self, level: str, anchor_x: float | None = None) -> None:
        """Zoom to ``level``; the date at viewport x ``anchor_x`` (default: middle) stays put."""
        if level not in ZOOMS:
            raise ValueError(level)
        self._pending_day = None
        viewport = self.time_view.viewport()
        anchor = viewport.width() / 2 if anchor_x is None else anchor_x
        old_ppd = self.chart.axis.pixels_per_day
        day = (self.time_view.scene_left() + anchor) / old_ppd
        self._zoom = ZOOMS[level]
        self._rebuild()
        bar = self.time_view.horizontalScrollBar()
        bar.setValue(round(day * self.chart.axis.pixels_per_day - anchor))
        button = self.zoom_buttons[level]
        if not button.isChecked():
            button.setChecked(True)
        self._refresh()

    def zoom_by_wheel(self, delta: int, anchor_x: float | None) -> None:
        """Turn of the wheel with Ctrl: away from the user zooms in (a finer level)."""
        self._wheel_rest += delta
        steps = int(self._wheel_rest / 120)
        if steps == 0:
            return
        self._wheel_rest -= steps * 120
        index = ZOOM_LEVELS.index(self._zoom.key)
        target = min(max(index - steps, 0), len(ZOOM_LEVELS) - 1)
        if target != index:
            self.set_zoom(ZOOM_LEVELS[target], anchor_x)

    def _on_zoom_button_clicked(self, level: str) -> None:
        self.set_zoom(level)

    def _on_today_button_clicked(self) -> None:
        self.scroll_to_date(self._today)

    def scroll_to_date(self, day: date) -> None:
        """Scroll along time so that ``day`` is a third of the way into the view.

        Before the view is shown its width is not known yet: the scroll is done
        again when it first appears.
        """
        x = self.chart.axis.x(day)
        self.time_view.horizontalScrollBar().setValue(
            round(x - self.time_view.viewport().width() / 3)
        )
        # Until the user scrolls along time, the day keeps its place as the window gets its
        # size (shown, then maximised by the window manager, then resized).
        self._pending_day = day

    def apply_pending_scroll(self) -> None:
        """Scroll again to the day last asked for, unless the user has scrolled since."""
        if self._pending_day is not None:
            self.scroll_to_date(self._pending_day)

    def forget_pending_scroll(self) -> None:
        """The user scrolled along time: a resize no longer brings the asked-for day back."""
        self._pending_day = None

    def _on_time_bar_action(self, action: int) -> None:
        del action
        self.forget_pending_scroll()

    # scrolling ------------------------------------------------------------------------------------

    def _on_time_rows_scrolled(self, value: int) -> None:
        bar = self.column_view.verticalScrollBar()
        if bar.value() != value:
            bar.setValue(value)

    def _on_column_rows_scrolled(self, value: int) -> None:
        bar = self.time_view.verticalScrollBar()
        if bar.value() != value:
            bar.setValue(value)

    def _on_time_scrolled(self, value: int) -> None:
        del value
        # Labels that stay in view (a «по запросу» tag, an unread deadline) move with the
        # left edge: the whole viewport is repainted, not just the strip scrolled in.
        self.time_view.viewport().update()
        self.time_header.update()

    # rows -----------------------------------------------------------------------------------------

    def row_of(self, activity_id: int) -> int | None:
        """The row of an activity, or None."""
        for index, item in enumerate(self.chart.rows):
            if isinstance(item, Activity) and item.id == activity_id:
                return index
        return None

    def selected_activity(self) -> int | None:
        """The id of the selected activity, or None."""
        row = self.chart.selected_row
        if row is None or row >= len(self.chart.rows):
            return None
        item = self.chart.rows[row]
        return item.id if isinstance(item, Activity) else None

    def select_row(self, row: int, ensure_visible: bool = False) -> None:
        """Highlight ``row`` in both parts (and scroll to it)."""
        self.chart.selected_row = row
        if ensure_visible:
            height = self.chart.style.row_height
            self.time_view.ensureVisible(
                QRectF(self.time_view.scene_left(), row * height, 1, height), 0, 0
            )
        self.time_view.viewport().update()
        self.column_view.viewport().update()

    def interval_rect(self, activity_id: int, index: int) -> QRect:
        """Where the ``index``-th interval of an activity is, in the time viewport's pixels."""
        row = self.row_of(activity_id)
        if row is None:
            raise KeyError(activity_id)
        item = self.chart.rows[row]
        assert isinstance(item, Activity)
        rect = self.chart.interval_rect(row, self.chart.intervals(item)[index])
        return self.time_view.mapFromScene(rect).boundingRect()

    def row_tooltip(self, row: int) -> str:
        """The activity column's hover text of ``row``."""
        item = self.chart.rows[row]
        if isinstance(item, Section):
            return section_label(item)
        lines = [f"{item.number} {item.title}".strip()]
        if item.responsible:
            lines.append(_tr("Ответственные: {names}").format(names=item.responsible))
        if item.deadline_text:
            lines.append(_tr("Срок: {text}").format(text=item.deadline_text))
        if item.intervals:
            lines.append(
                "; ".join(
                    f"{format_date(start)} – {format_date(end)}"
                    for start, end in item.intervals[:6]
                )
                + (" …" if len(item.intervals) > 6 else "")
            )
        lines.append(
            _tr("Статус: {status}").format(
                status=QCoreApplication.translate(
                    "roadmap", STATUS_LABELS.get(item.status, item.status)
                )
            )
        )
        if item.progress is not None:
            lines.append(_tr("Выполнено: {share} %").format(share=format_number(item.progress, 0)))
        if item.overdue(self._today):
            lines.append(_tr("Просрочено"))
        if item.unscheduled:
            lines.append(
                _tr("Срок не определён: задайте даты вручную (перетащите или откройте мероприятие)")
            )
        elif item.manual:
            lines.append(_tr("Даты заданы вручную"))
        return "\n".join(lines)

    # export ---------------------------------------------------------------------------------------

    def export_png(self, path: str | Path) -> None:
        """Save what is visible (column, header, time area, legend) as a PNG; OSError on failure."""
        image = self.chart_area.grab()
        if not image.save(str(path), "PNG"):
            raise OSError(str(path))

    def export_pdf(self, path: str | Path, page_size: str = "A4", title: str | None = None) -> int:
        """Print the whole chart to a PDF tiled across landscape pages; returns the page count.

        Time is split across pages at header cells and rows at row boundaries
        (a section never ends a page); every page repeats the title, the
        activity column and the time header, and says «стр. N из M».  The scale
        is the current zoom's, in points (no shrink to one page).  OSError when
        the file cannot be written.
        """
        if page_size not in ("A4", "A3"):
            raise ValueError(page_size)
        # Open the file first: a missing folder or a locked file is an OSError of its own kind
        # (QPdfWriter would only say that painting could not begin).
        with open(path, "wb"):
            pass
        return self._pdf_export(page_size, title or self.default_title()).write(path)

    def pdf_page_count(self, page_size: str = "A4") -> int:
        """How many pages :meth:`export_pdf` would write now (to warn before a long print)."""
        if page_size not in ("A4", "A3"):
            raise ValueError(page_size)
        return self._pdf_export(page_size, "").plan()[0].total

    def _pdf_export(self, page_size: str, title: str) -> PdfExport:
        return PdfExport(
            build_rows(self._sections, self._activities),
            period=self._period,
            today=self._today,
            zoom=self._zoom,
            page_size=page_size,
            title=title,
        )

    def default_title(self) -> str:
        """«Дорожная карта · 01.09.2023 – 31.08.2024» — the PDF's title line unless one is given."""
        return _tr("Дорожная карта: диаграмма Ганта · {start} – {end}").format(
            start=format_date(self._period[0]), end=format_date(self._period[1])
        )


@dataclass(frozen=True)
class _PageFrame:
    """Where things go on every page of the PDF (device units)."""

    content: QRectF
    column_width: float
    table_top: float
    rows_top: float
    title_font: QFont
    legend_height: float
    total: int
    rows_height: float = 0.0


class PdfExport:
    """The tiled PDF: pages of (rows × time range), each with the column and header repeated."""

    MARGIN_MM: Final = 10.0

    def __init__(
        self,
        rows: Sequence[Row],
        *,
        period: Span,
        today: date,
        zoom: Zoom,
        page_size: str,
        title: str,
    ) -> None:
        self.points = PDF_RESOLUTION / 72
        self.style = GanttStyle.for_print(self.points, page_size)
        activities = [row for row in rows if isinstance(row, Activity)]
        axis = Axis.for_period(
            chart_period(period, activities), zoom.pixels_per_day * self.style.unit
        )
        self.chart = GanttPainter(rows, axis, self.style, zoom=zoom, today=today, period=period)
        self.page_size = page_size
        self.title = title
        self.zoom = zoom
        self.today = today
        #: The bands of rows, one per row of pages (found with the base row height).
        self.row_bands = self._row_bands(self._measure().rows_height)
        self._fit_rows()

    def _fit_rows(self) -> None:
        """Stretch the rows so that each page's band fills the page down to the legend.

        The rows are shared evenly by as many pages as the base row height
        needs, so a page holds fewer rows than would fit and would end a third
        empty.  The rows grow instead (up to a title of three lines, which then
        wraps less), the bars keep their thickness, the page count stays.
        """
        style = self.style
        longest = max((len(band) for band in self.row_bands), default=0)
        if longest == 0:
            return
        # A band after the first may start with a continued section's title row.
        slots = longest + (1 if len(self.row_bands) > 1 else 0)
        line = QFontMetricsF(style.font).lineSpacing()
        tallest = math.ceil(3 * line + 6 * self.points)
        height = min(math.floor(self._measure().rows_height / slots), tallest)
        if height <= style.row_height:
            return
        lines = 3 if height >= 3 * line + 4 * self.points else style.title_lines
        self.style = replace(style, row_height=height, title_lines=lines, bar_band=style.row_height)
        chart = self.chart
        self.chart = GanttPainter(
            chart.rows,
            chart.axis,
            self.style,
            zoom=self.zoom,
            today=self.today,
            period=chart.period,
        )

    def _row_bands(self, rows_height: float) -> list[range]:
        """The rows of each row of pages: evenly shared, a section title never last."""
        chart = self.chart
        # One row is kept for the title of a section continued from the page before.
        capacity = max(int(rows_height // self.style.row_height) - 1, 1)
        count = len(chart.rows)
        # As many bands as needed, rows shared evenly (no last page holding a single row);
        # the rows are then stretched to fill the page (_fit_rows).
        per_page = math.ceil(count / max(math.ceil(count / capacity), 1)) if count else 1
        row_bands: list[range] = []
        start = 0
        while start < count:
            stop = min(start + per_page, count)
            # A section's title never ends a page: it goes over with its first activity.
            if stop < count and stop - start > 1 and isinstance(chart.rows[stop - 1], Section):
                stop -= 1
            row_bands.append(range(start, stop))
            start = stop
        if not row_bands:
            row_bands.append(range(0, 0))
        return row_bands

    def _time_bands(self, time_width: float) -> list[tuple[float, float]]:
        """The time range of each column of pages, ending on a header cell's boundary."""
        chart = self.chart
        ppd = chart.axis.pixels_per_day
        whole_days = max(math.floor(time_width / ppd), 1) * ppd
        time_bands: list[tuple[float, float]] = []
        left = 0.0
        for cell in chart.axis.cells(self.zoom.bottom, False):
            # Pages end on a header cell's boundary (a month is not cut) when one fits.
            if cell.x1 - left > time_width + 0.01 and cell.x0 > left:
                time_bands.append((left, cell.x0))
                left = cell.x0
            while cell.x1 - left > time_width + 0.01:
                time_bands.append((left, left + whole_days))
                left += whole_days
        if chart.axis.width - left > 0.01 or not time_bands:
            time_bands.append((left, chart.axis.width))
        return time_bands

    def _continued_section(self, rows: range) -> Section | None:
        """The section a band starting with an activity continues (None: it starts with one)."""
        chart_rows = self.chart.rows
        if not rows or rows.start == 0 or isinstance(chart_rows[rows.start], Section):
            return None
        for index in range(rows.start - 1, -1, -1):
            item = chart_rows[index]
            if isinstance(item, Section):
                return item
        return None

    def page_layout(self) -> QPageLayout:
        """The page: A4 or A3, landscape, no printer margins (the export keeps its own)."""
        page_id = QPageSize.PageSizeId.A3 if self.page_size == "A3" else QPageSize.PageSizeId.A4
        return QPageLayout(
            QPageSize(page_id), QPageLayout.Orientation.Landscape, QMarginsF(0, 0, 0, 0)
        )

    def _measure(self) -> _PageFrame:
        """Where things go on every page (``total`` not known yet: 0)."""
        full = self.page_layout().fullRectPixels(PDF_RESOLUTION)
        points = self.points
        margin = self.MARGIN_MM / 25.4 * 72 * points
        chart = self.chart
        style = self.style
        title_font = QFont(style.bold_font)
        title_font.setPixelSize(round(10 * points))
        title_metrics = QFontMetricsF(title_font)
        small = QFontMetricsF(style.small_font)
        content = QRectF(margin, margin, full.width() - 2 * margin, full.height() - 2 * margin)
        column_width = style.number_width + (240 if self.page_size == "A3" else 170) * points
        column_width += style.responsible_width
        table_top = content.top() + title_metrics.height() + 4 * points
        rows_top = table_top + chart.header_height
        _, legend_height = chart.legend_layout(content.width())
        footer_height = small.height() + 2 * points
        rows_bottom = content.bottom() - footer_height - legend_height - 6 * points
        return _PageFrame(
            content,
            column_width,
            table_top,
            rows_top,
            title_font,
            legend_height,
            0,
            rows_bottom - rows_top,
        )

    def plan(self) -> tuple[_PageFrame, list[range], list[tuple[float, float]]]:
        """Where things go on a page, and the bands of rows and of time (pages = product)."""
        frame = self._measure()
        time_bands = self._time_bands(frame.content.width() - frame.column_width)
        frame = replace(frame, total=len(self.row_bands) * len(time_bands))
        return frame, list(self.row_bands), time_bands

    def write(self, path: str | Path, state: JobState | None = None) -> int:
        """Write the PDF to ``path``; returns the number of pages.

        With ``state`` (a background export) each page is reported and a
        cancel stops at the next page with :class:`~shnor_desktop.models.errors.Cancelled`
        (the half-written file is the caller's to remove).
        """
        writer = QPdfWriter(str(path))
        writer.setResolution(PDF_RESOLUTION)
        writer.setPageLayout(self.page_layout())
        writer.setTitle(self.title)
        writer.setCreator("ШНОР Desktop")
        frame, row_bands, time_bands = self.plan()
        painter = QPainter()
        if not painter.begin(writer):
            raise OSError(str(path))
        try:
            number = 0
            for rows in row_bands:
                for x0, x1 in time_bands:
                    number += 1
                    if state is not None:
                        state.check()
                        state.progress(number - 1, frame.total)
                    if number > 1:
                        writer.newPage()
                    self._paint_page(painter, frame, rows, (x0, x1), number)
        finally:
            painter.end()
        return frame.total

    def _paint_page(
        self,
        painter: QPainter,
        frame: _PageFrame,
        rows: range,
        band: tuple[float, float],
        number: int,
    ) -> None:
        content = frame.content
        column_width = frame.column_width
        table_top = frame.table_top
        rows_top = frame.rows_top
        title_font = frame.title_font
        legend_height = frame.legend_height
        total = frame.total
        chart = self.chart
        style = self.style
        points = self.points
        x0, x1 = band
        row_height = style.row_height
        y0 = rows.start * row_height
        y1 = rows.stop * row_height
        time_left = content.left() + column_width
        band_width = x1 - x0
        rows_height = y1 - y0
        small = QFontMetricsF(style.small_font)

        # The title line: the title on the left, scale and date on the right.
        painter.setFont(title_font)
        painter.setPen(QColor(_TEXT))
        title_metrics = QFontMetricsF(title_font)
        note = _tr("Масштаб: {zoom} · на {today}").format(
            zoom=_tr(self.zoom.label).lower(), today=format_date(self.today)
        )
        note_width = small.horizontalAdvance(note)
        painter.drawText(
            QPointF(content.left(), content.top() + title_metrics.ascent()),
            title_metrics.elidedText(
                self.title, Qt.TextElideMode.ElideRight, content.width() - note_width - 12 * points
            ),
        )
        painter.setFont(style.small_font)
        painter.setPen(QColor(_NOTE))
        painter.drawText(
            QPointF(content.right() - note_width, content.top() + title_metrics.ascent()), note
        )

        # The column header and the time header.
        painter.save()
        painter.translate(content.left(), table_top)
        painter.setClipRect(QRectF(0, 0, column_width, chart.header_height))
        chart.paint_column_header(painter, column_width)
        painter.restore()
        painter.save()
        painter.translate(time_left - x0, table_top)
        painter.setClipRect(QRectF(x0, 0, band_width, chart.header_height))
        chart.paint_header(painter, x0, x1)
        painter.restore()

        # A page starting inside a section repeats its title: «3. … (продолжение)».
        continued = self._continued_section(rows)
        if continued is not None:
            painter.save()
            painter.translate(content.left(), rows_top)
            painter.setClipRect(QRectF(0, 0, column_width, row_height))
            chart.paint_section_title(painter, continued, column_width, 0, _tr("(продолжение)"))
            painter.restore()
            painter.fillRect(
                QRectF(time_left, rows_top, band_width, row_height),
                chart.section_colour(continued),
            )
            rows_top += row_height
            painter.setPen(QPen(QColor(_ROW_LINE), style.unit))
            painter.drawLine(
                QPointF(content.left(), rows_top - style.unit / 2),
                QPointF(time_left + band_width, rows_top - style.unit / 2),
            )

        # The rows: the column and the time area for this band.
        painter.save()
        painter.translate(content.left(), rows_top - y0)
        painter.setClipRect(QRectF(0, y0, column_width, rows_height))
        chart.paint_column(painter, column_width, y0, y1)
        painter.restore()
        painter.save()
        painter.translate(time_left - x0, rows_top - y0)
        painter.setClipRect(QRectF(x0, y0, band_width, rows_height))
        chart.paint_rows(painter, QRectF(x0, y0, band_width, rows_height), x0)
        painter.restore()

        # The frame round the table.
        painter.setPen(QPen(QColor(_BORDER), style.unit))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRect(
            QRectF(
                content.left(),
                table_top,
                column_width + band_width,
                rows_top - table_top + rows_height,
            )
        )
        painter.drawLine(QPointF(time_left, table_top), QPointF(time_left, rows_top + rows_height))

        # The legend and the footer: where this page lies, «стр. N из M».
        footer_top = content.bottom() - small.height()
        chart.paint_legend(
            painter,
            QRectF(
                content.left(),
                footer_top - 4 * points - legend_height,
                content.width(),
                legend_height,
            ),
        )
        painter.setFont(style.small_font)
        painter.setPen(QColor(_NOTE))
        first_day = chart.axis.day_at(x0 + 0.5)
        last_day = chart.axis.day_at(x1 - 0.5)
        where = _tr("Строки {first}–{last} из {count} · {start} – {end}").format(
            first=rows.start + 1,
            last=max(rows.stop, rows.start + 1),
            count=len(chart.rows),
            start=format_date(first_day),
            end=format_date(last_day),
        )
        baseline = footer_top + small.ascent()
        painter.drawText(QPointF(content.left(), baseline), where)
        page = _tr("стр. {number} из {total}").format(number=number, total=total)
        painter.setPen(QColor(_TEXT))
        painter.drawText(QPointF(content.right() - small.horizontalAdvance(page), baseline), page)
