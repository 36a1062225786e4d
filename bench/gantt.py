"""Bench of the roadmap's Gantt chart (issue 8 §5 «Scale»).

Builds 500 activities over four years (2021–2024) as ``Activity`` objects
(no database): ten blocks under one table heading; deadlines of every kind
the seeds use — monthly (48 bars on a row), quarterly, «ежегодно, август»,
twice a year, periods, one-day deadlines, continuous, on demand, unreadable —
with a baseline for most and a few shifted by hand.  Then, in a 1366 × 768
``GanttView`` (offscreen unless ``QT_QPA_PLATFORM`` says otherwise), prints:

* building the chart (``set_data``) and its first full paint;
* a frame of scrolling: rows down (three rows a step) and time along (a
  wheel notch a step), each step repainting the column, the header and the
  time area synchronously (``repaint``: the whole viewport, the worst case) —
  median and 95th percentile over ``--steps`` steps;
* a zoom change (each level in turn) with its full repaint;
* the tiled PDF at A4 and A3 (pages, seconds) at the «Месяц» and «Квартал» scales.

Targets: scroll and zoom under 50 ms a frame, export under 3 s.

Usage: ``.venv/bin/python bench/gantt.py [--activities 500] [--steps 60] [--keep DIR]``.
``--keep DIR`` leaves the PDFs there.  The last line is one JSON object of the figures.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtWidgets import QApplication  # noqa: E402

from shnor_desktop.models.roadmap import Activity, Section, Span  # noqa: E402
from shnor_desktop.ui.gantt import ZOOM_LEVELS, GanttView  # noqa: E402

PERIOD: Span = (date(2021, 1, 1), date(2024, 12, 31))
TODAY = date(2023, 3, 15)
YEARS = range(2021, 2025)
STATUSES = ("planned", "in_progress", "done", "partly", "in_progress", "not_done", "cancelled")
RESPONSIBLE = (
    "Управление образования, МБУО Центр образования",
    "Общеобразовательные организации",
    "Муниципальный координатор, МТК",
)


def _month(year: int, number: int) -> Span:
    following = date(year + number // 12, number % 12 + 1, 1)
    return date(year, number, 1), following - timedelta(days=1)


def _deadline(index: int) -> tuple[str, str, tuple[Span, ...]]:
    """A deadline as written, its kind and intervals, cycling through the seeds' phrases."""
    year = YEARS[index % len(YEARS)]
    variants: tuple[tuple[str, str, tuple[Span, ...]], ...] = (
        ("ежемесячно", "recurring", tuple(_month(y, m) for y in YEARS for m in range(1, 13))),
        ("ежеквартально", "recurring", tuple(_month(y, m) for y in YEARS for m in (3, 6, 9, 12))),
        ("ежегодно, август", "recurring", tuple(_month(y, 8) for y in YEARS)),
        (
            "2 раза в год (май, декабрь)",
            "recurring",
            tuple(_month(y, m) for y in YEARS for m in (5, 12)),
        ),
        (
            f"сентябрь {year}г.- май {year + 1} г.",
            "period",
            ((date(year, 9, 1), date(min(year + 1, 2024), 5, 31)),),
        ),
        (f"до 01.09.{year}", "date", ((date(year, 9, 1), date(year, 9, 1)),)),
        ("в течение года", "continuous", (PERIOD,)),
        ("по заявке", "on_demand", ()),
        ("по срокам приказа", "unknown", ()),
        (f"Сентябрь, {year}", "period", (_month(year, 9),)),
    )
    return variants[index % len(variants)]


def build_roadmap(count: int) -> tuple[list[Section], list[Activity]]:
    """``count`` activities in ten blocks under one table heading."""
    sections = [Section(1, 1, "", "Перечень мероприятий («Дорожная карта») 2021–2024", 0)]
    sections += [
        Section(block + 2, 1, str(block + 1), f"Блок {block + 1}", block, parent_id=1, depth=1)
        for block in range(10)
    ]
    per_block = max(count // 10, 1)
    activities = []
    for index in range(count):
        block = min(index // per_block, 9)
        text, kind, intervals = _deadline(index)
        status = STATUSES[index % len(STATUSES)]
        baseline = intervals if index % 4 else ()
        if index % 13 == 0 and kind == "period":
            # Shifted by hand: a month later than approved.
            intervals = tuple(
                (s + timedelta(days=30), e + timedelta(days=30)) for s, e in intervals
            )
        activities.append(
            Activity(
                id=index + 1,
                section_id=block + 2,
                number=f"{block + 1}.{index % per_block + 1}",
                title=f"Мероприятие {block + 1}.{index % per_block + 1} по повышению качества "
                "образования в школах с низкими результатами обучения",
                responsible=RESPONSIBLE[index % len(RESPONSIBLE)],
                deadline_text=text,
                deadline_kind=kind,
                expected_result="Аналитическая справка",
                planned_value="",
                status=status,
                progress=float(index * 7 % 101) if status in ("in_progress", "partly") else None,
                evidence="",
                position=index,
                intervals=intervals,
                baseline=baseline,
                manual=index % 13 == 0 and kind == "period",
            )
        )
    return sections, activities


def _ms(fn: Callable[[], Any]) -> float:
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000


def _frames(times: list[float]) -> dict[str, float]:
    ordered = sorted(times)
    return {
        "median": round(statistics.median(ordered), 2),
        "p95": round(ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))], 2),
        "max": round(ordered[-1], 2),
    }


def export_figures(view: GanttView, keep: Path | None) -> dict[str, dict[str, float]]:
    """The tiled PDF at «Месяц» and «Квартал», A4 and A3: pages, seconds, megabytes."""
    folder = keep or Path(tempfile.mkdtemp(prefix="gantt-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    exports: dict[str, dict[str, float]] = {}
    for level in ("month", "quarter"):
        view.set_zoom(level)
        for page_size in ("A4", "A3"):
            target = folder / f"gantt-{level}-{page_size}.pdf"
            start = time.perf_counter()
            pages = view.export_pdf(target, page_size)
            seconds = time.perf_counter() - start
            exports[f"{level}_{page_size}"] = {
                "pages": pages,
                "s": round(seconds, 3),
                "mb": round(target.stat().st_size / 1e6, 2),
            }
    if keep is None:
        for item in folder.iterdir():
            item.unlink()
        folder.rmdir()
    return exports


def run(count: int, steps: int, keep: Path | None) -> dict[str, Any]:
    """Build, scroll, zoom and export; the figures."""
    app = QApplication.instance() or QApplication(sys.argv[:1])
    sections, activities = build_roadmap(count)
    bars = sum(len(a.intervals) for a in activities)
    view = GanttView()
    view.resize(1366, 768)
    view.show()
    app.processEvents()

    def repaint() -> None:
        view.column_view.viewport().repaint()
        view.time_header.repaint()
        view.time_view.viewport().repaint()

    def scroll_rows(value: int) -> None:
        vertical.setValue(value)
        repaint()

    def scroll_time(value: int) -> None:
        horizontal.setValue(value)
        repaint()

    def zoom(level: str) -> None:
        view.set_zoom(level)
        repaint()

    vertical = view.time_view.verticalScrollBar()
    horizontal = view.time_view.horizontalScrollBar()
    figures: dict[str, Any] = {"activities": count, "bars": bars}
    figures["set_data_ms"] = round(
        _ms(lambda: view.set_data(sections, activities, PERIOD, TODAY)), 2
    )
    figures["first_paint_ms"] = round(_ms(view.repaint), 2)
    view.set_zoom("month")
    app.processEvents()

    row = round(view.chart.style.row_height)
    times = []
    for step in range(steps):
        value = (step * 3 * row) % max(vertical.maximum(), 1)
        times.append(_ms(functools.partial(scroll_rows, value)))
    figures["scroll_rows_ms"] = _frames(times)

    times = []
    for step in range(steps):
        value = (step * 120) % max(horizontal.maximum(), 1)
        times.append(_ms(functools.partial(scroll_time, value)))
    figures["scroll_time_ms"] = _frames(times)

    grabs = [_ms(view.grab) for _ in range(5)]
    figures["grab_window_ms"] = round(statistics.median(grabs), 2)

    times = []
    zooms: dict[str, float] = {}
    for _ in range(3):
        for level in (*ZOOM_LEVELS, "month"):
            elapsed = _ms(functools.partial(zoom, level))
            times.append(elapsed)
            zooms[level] = min(zooms.get(level, elapsed), elapsed)
    figures["zoom_ms"] = _frames(times)

    figures["pdf"] = export_figures(view, keep)
    view.close()
    return figures


def main() -> None:
    """Run the bench and print its figures: a table, then one JSON line."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--activities", type=int, default=500)
    parser.add_argument("--steps", type=int, default=60)
    parser.add_argument("--keep", type=Path, default=None)
    args = parser.parse_args()
    figures = run(args.activities, args.steps, args.keep)

    def verdict(value: float, limit: float) -> str:
        return "да" if value < limit else "НЕТ"

    print(
        f"Диаграмма Ганта: {figures['activities']} мероприятий, {figures['bars']} полос, 2021–2024"
    )
    print(f"{'что':<40}{'медиана':>10}{'p95':>10}{'макс.':>10}  цель")
    print(f"{'set_data (построение)':<40}{figures['set_data_ms']:>10.1f}")
    print(f"{'первая отрисовка окна':<40}{figures['first_paint_ms']:>10.1f}")
    print(f"{'grab() всего окна':<40}{figures['grab_window_ms']:>10.1f}")
    for key, label in (
        ("scroll_rows_ms", "прокрутка строк, кадр"),
        ("scroll_time_ms", "прокрутка по времени, кадр"),
        ("zoom_ms", "смена масштаба, кадр"),
    ):
        frame = figures[key]
        print(
            f"{label:<40}{frame['median']:>10.1f}{frame['p95']:>10.1f}{frame['max']:>10.1f}"
            f"  < 50 мс: {verdict(frame['p95'], 50)}"
        )
    print()
    print(f"{'PDF (постранично)':<40}{'страниц':>10}{'секунд':>10}{'МБ':>10}  цель")
    for key, export in figures["pdf"].items():
        print(
            f"{key:<40}{export['pages']:>10}{export['s']:>10.2f}{export['mb']:>10.2f}"
            f"  < 3 с: {verdict(export['s'], 3)}"
        )
    print(json.dumps(figures, ensure_ascii=False))


if __name__ == "__main__":
    main()
