"""Charts of the reports: laid out once, drawn as a vector drawing (PDF) or a picture (Word).

A chart is laid out into a few primitives (rectangles, lines, texts) in
points with the origin at the bottom left, measured with the report font;
:func:`flowable` draws them as vectors on the PDF's canvas
and :func:`to_png` into a PNG drawn with Pillow (reportlab's own bitmap
renderer needs a cairo binding that is not installed everywhere), so the
Word file shows exactly the chart of the PDF.

The bars run horizontally: the schools' long Russian names read on the left,
however many schools there are, and two school years sit side by side in
each row, as seed 004's lost charts did.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Final, Literal

from shnor_desktop.models.text import format_number
from shnor_desktop.services.reports.fonts import SANS, font_file, text_width

PALETTE: Final = ("#9DB9D5", "#1F4E79", "#C55A11", "#548235")
"""Series colours: the earlier year light, the later one dark (print well in grey too)."""
GRID: Final = "#D0D0D0"
TEXT: Final = "#000000"
MUTED: Final = "#666666"


@dataclass(frozen=True)
class Series:
    """One series of bars (a school year): its label and one value per category."""

    label: str
    values: tuple[float | None, ...]


@dataclass(frozen=True)
class BarChart:
    """Horizontal grouped bars: categories (schools) × series (years).

    ``maximum`` fixes the scale (100 for shares); None takes a round number
    above the largest value.  ``bold`` are categories drawn bold (the district).
    """

    title: str
    categories: tuple[str, ...]
    series: tuple[Series, ...]
    unit: str = "%"
    maximum: float | None = 100.0
    bold: frozenset[int] = frozenset()
    width: float = 468.0
    """Width in points (the frame of an A4 page with the report's margins, less its padding)."""


@dataclass(frozen=True)
class _Rect:
    x: float
    y: float
    w: float
    h: float
    fill: str
    stroke: str | None = None


@dataclass(frozen=True)
class _Line:
    x1: float
    y1: float
    x2: float
    y2: float
    color: str
    width: float = 0.5


@dataclass(frozen=True)
class _Text:
    x: float
    y: float
    text: str
    size: float
    anchor: Literal["start", "middle", "end"] = "start"
    bold: bool = False
    color: str = TEXT


@dataclass
class Scene:
    """The laid-out chart: its size in points and its primitives."""

    width: float
    height: float
    items: list[_Rect | _Line | _Text] = field(default_factory=list)


LABEL_SIZE: Final = 7.5
VALUE_SIZE: Final = 6.5
BAR: Final = 8.0
BAR_GAP: Final = 1.0
ROW_PAD: Final = 6.0
LEGEND_H: Final = 16.0
AXIS_H: Final = 16.0


def _font(bold: bool) -> str:
    return f"{SANS}-Bold" if bold else SANS


def wrap(text: str, width: float, size: float, bold: bool = False) -> list[str]:
    """Break ``text`` into lines no wider than ``width`` (a long word stays whole)."""
    font = _font(bold)
    lines: list[str] = []
    current = ""
    for word in text.split():
        trial = f"{current} {word}".strip()
        if current and text_width(trial, font, size) > width:
            lines.append(current)
            current = word
        else:
            current = trial
    if current:
        lines.append(current)
    return lines or [""]


def _nice_maximum(values: Sequence[float]) -> float:
    """A round scale end above the largest value: 5 ticks of 1, 2, 2,5 or 5 × 10ⁿ."""
    top = max(values, default=0.0)
    if top <= 0:
        return 1.0
    magnitude = 10.0 ** math.floor(math.log10(top / 5))
    for factor in (1.0, 2.0, 2.5, 5.0, 10.0):
        step = factor * magnitude
        if step * 5 >= top:
            return step * 5
    return top


def _ticks(maximum: float) -> list[float]:
    for count in (5, 4, 6):
        step = maximum / count
        if step == int(step):
            return [step * i for i in range(count + 1)]
    return [maximum * i / 5 for i in range(6)]


def layout(chart: BarChart) -> Scene:
    """Lay the chart out in points (origin at the bottom left)."""
    values = [v for s in chart.series for v in s.values if v is not None]
    maximum = chart.maximum if chart.maximum is not None else _nice_maximum(values)
    maximum = max(maximum, max(values, default=0.0))
    label_width = min(
        max(
            (
                text_width(c, _font(i in chart.bold), LABEL_SIZE)
                for i, c in enumerate(chart.categories)
            ),
            default=40.0,
        )
        + 2,
        chart.width * 0.34,
    )
    labels = [
        wrap(c, label_width, LABEL_SIZE, i in chart.bold) for i, c in enumerate(chart.categories)
    ]
    bars = max(len(chart.series), 1)
    bars_h = bars * BAR + (bars - 1) * BAR_GAP
    leading = LABEL_SIZE * 1.2
    rows_h = [max(bars_h, len(lines) * leading) + ROW_PAD for lines in labels]
    plot_h = sum(rows_h)
    height = LEGEND_H + plot_h + AXIS_H
    scene = Scene(chart.width, height)
    x0 = label_width + 6
    value_room = text_width("100,0", SANS, VALUE_SIZE) + 6
    x1 = chart.width - value_room
    scale = (x1 - x0) / maximum if maximum else 0.0
    top = height - LEGEND_H
    bottom = AXIS_H
    # grid and axis
    for tick in _ticks(maximum):
        x = x0 + tick * scale
        scene.items.append(_Line(x, bottom, x, top, GRID, 0.4))
        label = format_number(tick, 0 if tick == int(tick) else 1)
        scene.items.append(_Text(x, bottom - 9, label, VALUE_SIZE, "middle", color=MUTED))
    scene.items.append(_Line(x0, bottom, x0, top, TEXT, 0.6))
    unit = f", {chart.unit}" if chart.unit else ""
    scene.items.append(
        _Text(label_width, bottom - 9, f"{chart.title}{unit}", VALUE_SIZE, "end", color=MUTED)
    )
    # legend
    lx = x0
    for index, series in enumerate(chart.series):
        color = PALETTE[index % len(PALETTE)]
        scene.items.append(_Rect(lx, height - 11, 8, 8, color))
        scene.items.append(_Text(lx + 11, height - 10, series.label, LABEL_SIZE))
        lx += 11 + text_width(series.label, SANS, LABEL_SIZE) + 14
    # rows, from the top
    y = top
    for row, lines in enumerate(labels):
        row_h = rows_h[row]
        y -= row_h
        middle = y + row_h / 2
        text_top = middle + len(lines) * leading / 2 - LABEL_SIZE * 0.95
        for n, line in enumerate(lines):
            scene.items.append(
                _Text(
                    label_width, text_top - n * leading, line, LABEL_SIZE, "end", row in chart.bold
                )
            )
        bar_y = middle + bars_h / 2 - BAR
        for index, series in enumerate(chart.series):
            value = series.values[row] if row < len(series.values) else None
            color = PALETTE[index % len(PALETTE)]
            if value is None:
                scene.items.append(_Text(x0 + 3, bar_y + 2, "нет данных", VALUE_SIZE, color=MUTED))
            else:
                width = max(value, 0.0) * scale
                if width > 0:
                    scene.items.append(_Rect(x0, bar_y, width, BAR, color))
                scene.items.append(
                    _Text(x0 + width + 2, bar_y + 2, format_number(value, 1), VALUE_SIZE)
                )
            bar_y -= BAR + BAR_GAP
        if row < len(labels) - 1:
            scene.items.append(_Line(x0 - 3, y, x0, y, TEXT, 0.4))
    return scene


def draw_on(canvas: Any, scene: Scene, x: float, y: float) -> None:
    """Draw a laid-out chart on a reportlab canvas with its lower left corner at (x, y).

    Straight onto the canvas, as vectors: reportlab's ``renderPDF`` of a
    ``Drawing`` first selects its default font (Helvetica, not embedded), which
    would leave a font that no computer is sure to have in every PDF with a chart.
    """
    from reportlab.lib.colors import HexColor

    canvas.saveState()
    canvas.translate(x, y)
    for item in scene.items:
        if isinstance(item, _Rect):
            canvas.setFillColor(HexColor(item.fill))
            if item.stroke:
                canvas.setStrokeColor(HexColor(item.stroke))
            canvas.rect(item.x, item.y, item.w, item.h, stroke=int(bool(item.stroke)), fill=1)
        elif isinstance(item, _Line):
            canvas.setStrokeColor(HexColor(item.color))
            canvas.setLineWidth(item.width)
            canvas.line(item.x1, item.y1, item.x2, item.y2)
        else:
            canvas.setFillColor(HexColor(item.color))
            canvas.setFont(_font(item.bold), item.size)
            if item.anchor == "end":
                canvas.drawRightString(item.x, item.y, item.text)
            elif item.anchor == "middle":
                canvas.drawCentredString(item.x, item.y, item.text)
            else:
                canvas.drawString(item.x, item.y, item.text)
    canvas.restoreState()


def flowable(chart: BarChart) -> Any:
    """The chart as a platypus flowable (vectors, the report font embedded)."""
    from reportlab.platypus import Flowable

    scene = layout(chart)

    class ChartFlowable(Flowable):  # type: ignore[misc]
        def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
            del avail_width, avail_height
            return scene.width, scene.height

        def draw(self) -> None:
            draw_on(self.canv, scene, 0, 0)

    return ChartFlowable()


def to_png(chart: BarChart, dpi: int = 200) -> bytes:
    """The chart as a PNG picture at ``dpi`` (for Word), drawn with Pillow."""
    from PIL import Image, ImageDraw, ImageFont

    scene = layout(chart)
    k = dpi / 72.0
    size = (round(scene.width * k), round(scene.height * k))
    image = Image.new("RGB", size, "white")
    draw = ImageDraw.Draw(image)
    fonts: dict[tuple[bool, float], Any] = {}

    def font(bold: bool, points: float) -> Any:
        key = (bold, points)
        if key not in fonts:
            fonts[key] = ImageFont.truetype(font_file(_font(bold)), round(points * k))
        return fonts[key]

    def y(value: float) -> float:
        return (scene.height - value) * k

    anchors = {"start": "ls", "middle": "ms", "end": "rs"}
    for item in scene.items:
        if isinstance(item, _Rect):
            draw.rectangle(
                (item.x * k, y(item.y + item.h), (item.x + item.w) * k, y(item.y)),
                fill=item.fill,
                outline=item.stroke,
            )
        elif isinstance(item, _Line):
            draw.line(
                (item.x1 * k, y(item.y1), item.x2 * k, y(item.y2)),
                fill=item.color,
                width=max(1, round(item.width * k)),
            )
        else:
            draw.text(
                (item.x * k, y(item.y)),
                item.text,
                fill=item.color,
                font=font(item.bold, item.size),
                anchor=anchors[item.anchor],
            )
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", dpi=(dpi, dpi))
    return buffer.getvalue()
