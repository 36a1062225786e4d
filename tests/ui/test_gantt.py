"""The roadmap's Gantt chart: what each row draws, zoom, scrolling, dragging, hover, export.

The realistic sample is seed 004's 2023/24 roadmap of Ивантеевский район
(«Перечень мероприятий ("Дорожная карта")» sections 1–4 and «Дорожная карта по
направлению …» items 1–18) with intervals derived by hand from the deadlines
as written; the checks of single drawings use small rows built for them.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QColor, QHelpEvent, QImage, QWheelEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QToolTip, QWidget

from shnor_desktop.models.roadmap import Activity, Section, Span
from shnor_desktop.ui.gantt import (
    BASELINE_COLOUR,
    ON_DEMAND_COLOUR,
    OVERDUE_COLOUR,
    STATUS_COLOURS,
    UNSCHEDULED_COLOUR,
    GanttView,
    tint,
)

Bot = Any
#: A tooltip under the offscreen platform says this; the tooltip shows all the same.
tooltip_messages = pytest.mark.qt_log_ignore("This plugin does not support raise")

PERIOD: Span = (date(2023, 1, 1), date(2024, 12, 31))
TODAY = date(2024, 3, 15)
WORKING_GROUP = "Управление образованием, МУ РЦ УО"
OFFICE = "Управление образованием"


def month(year: int, number: int) -> Span:
    """The whole month as an interval."""
    following = date(year + number // 12, number % 12 + 1, 1)
    return date(year, number, 1), following - timedelta(days=1)


def span(first: Span, last: Span) -> Span:
    """From the start of ``first`` to the end of ``last``."""
    return first[0], last[1]


def activity(
    ident: int,
    number: str,
    title: str,
    *,
    section: int = 1,
    deadline: str = "",
    kind: str = "period",
    intervals: Sequence[Span] = (),
    baseline: Sequence[Span] = (),
    status: str = "in_progress",
    progress: float | None = None,
    responsible: str = OFFICE,
    expected: str = "",
    manual: bool = False,
) -> Activity:
    """An activity as the repository hands it over."""
    return Activity(
        id=ident,
        section_id=section,
        number=number,
        title=title,
        responsible=responsible,
        deadline_text=deadline,
        deadline_kind=kind,
        expected_result=expected,
        planned_value="",
        status=status,
        progress=progress,
        evidence="",
        position=ident,
        intervals=tuple(intervals),
        baseline=tuple(baseline),
        manual=manual,
    )


def seed_roadmap() -> tuple[list[Section], list[Activity]]:
    """Seed 004's 2023/24 roadmap of Ивантеевский район with dates derived by hand."""
    plan = 10
    sections = [
        Section(
            plan,
            1,
            "",
            "Перечень мероприятий («Дорожная карта») по повышению качества образования школ, "
            "имеющих низкие образовательные результаты на 2023-2024 уч год",
            1,
        ),
        Section(1, 1, "1", "Создание организационных условий.", 1, parent_id=plan, depth=1),
        Section(
            2,
            1,
            "2",
            "Развитие инфраструктуры образовательных организаций, имеющих низкие "
            "образовательные результаты",
            2,
            parent_id=plan,
            depth=1,
        ),
        Section(
            3,
            1,
            "3",
            "Развитие кадрового потенциала образовательных организаций, имеющих низкие "
            "образовательные результаты",
            3,
            parent_id=plan,
            depth=1,
        ),
        Section(
            4, 1, "4", "Управление реализацией мероприятий Программы", 4, parent_id=plan, depth=1
        ),
        Section(
            5,
            1,
            "",
            "Дорожная карта по направлению «Организация работы со школами с низкими "
            "образовательными результатами и/или школами, функционирующими в неблагоприятных "
            "социальных условиях» на 2023/2024 учебный год",
            2,
        ),
    ]
    aug23 = month(2023, 8)
    aug24 = month(2024, 8)
    oct23 = month(2023, 10)
    oct24 = month(2024, 10)
    school_year = span(month(2023, 9), month(2024, 8))
    a = activity
    activities = [
        a(
            1,
            "1.1",
            "Создание рабочей группы по работе с общеобразовательными организациями "
            "Ивантеевского района с низкими результатами обучения.",
            deadline="Август 2023",
            intervals=[aug23],
            baseline=[aug23],
            status="done",
            responsible=WORKING_GROUP,
        ),
        a(
            2,
            "1.2",
            "Определение и назначение муниципального координатора по работе с "
            "общеобразовательными организациями, имеющими низкие образовательные результаты",
            deadline="Август 2023",
            intervals=[aug23],
            baseline=[aug23],
            status="done",
        ),
        a(
            3,
            "1.3",
            "Разработка, реализация и корректировка муниципальной программы поддержки "
            "общеобразовательных организаций, имеющих низкие образовательные результаты на "
            "2023/24 уч.г",
            deadline="Август 2023",
            intervals=[aug23],
            baseline=[aug23],
            status="done",
            responsible=WORKING_GROUP,
        ),
        a(
            4,
            "1.4",
            "Разработка, реализация и корректировка общеобразовательными организациями "
            "школьных дорожных карт по повышению качества образования.",
            deadline="До 01.09.2023",
            kind="date",
            intervals=[(date(2023, 9, 1), date(2023, 9, 1))],
            baseline=[(date(2023, 9, 1), date(2023, 9, 1))],
            status="done",
            responsible="Общеобразовательные организации",
        ),
        a(
            5,
            "1.5",
            "Определение и утверждение перечня образовательных организаций «лидеров», "
            "демонстрирующих высокие образовательные результаты.",
            deadline="Август 2023",
            intervals=[aug23],
            baseline=[aug23],
            status="done",
            responsible="Управление образования",
        ),
        a(
            6,
            "2.1",
            "Капитальный ремонт здания школы",
            section=2,
            deadline="2024",
            intervals=[span(month(2024, 1), month(2024, 12))],
            baseline=[span(month(2024, 1), month(2024, 12))],
            progress=20,
            responsible="Управление образованием, общеобразовательная организация",
            expected="МОУ «ООШ с. Арбузовка»",
        ),
        a(
            7,
            "3.1",
            "Анализ кадрового обеспечения образовательных организаций, имеющих низкие "
            "образовательные результаты",
            section=3,
            deadline="Август - сентябрь",
            intervals=[span(aug23, oct23)],
            baseline=[span(aug23, month(2023, 9))],
            progress=60,
            responsible="Управление образованием, общеобразовательные организации",
            manual=True,
        ),
        a(
            8,
            "3.2",
            "Организация участия в повышении квалификации руководителей и "
            "педагогических работников школы (курсы, семинары, вебинары)",
            section=3,
            deadline="2023-24 уч. год по отдельному плану",
            kind="continuous",
            intervals=[school_year],
            responsible=WORKING_GROUP,
        ),
        a(
            9,
            "3.3",
            "Проведение муниципальных семинаров, мастер-классов по вопросам качества "
            "образования (итоговая аттестация, использование современных технологий обучения, "
            "проектирование современного урока и т.п.)",
            section=3,
            deadline="2023-24 уч. год по отдельному плану",
            kind="continuous",
            intervals=[school_year],
            responsible="Управление образования, МУ РЦ УО, общеобразовательные организации",
        ),
        a(
            10,
            "3.4",
            "Повышение профессиональной компетентности педагогов через участие в "
            "профессиональных конкурсах (в очной, дистанционной форме)",
            section=3,
            deadline="2023-24 уч. год по отдельному плану",
            kind="continuous",
            intervals=[school_year],
            responsible="Управление образования, МУ МУ РЦ УО, общеобразовательные организации",
        ),
        a(
            11,
            "4.1",
            "Актуализация муниципальной программы, (планов мероприятий, «дорожных "
            "карт») по поддержке образовательных организаций с низкими образовательными "
            "результатами.",
            section=4,
            deadline="ежегодно",
            kind="recurring",
            intervals=[aug23, aug24],
            baseline=[aug23, aug24],
            progress=50,
        ),
        a(
            12,
            "4.2",
            "Мониторинг реализации плана мероприятий Программы поддержки "
            "общеобразовательных организаций, имеющих низкие образовательные результаты "
            "обучающихся",
            section=4,
            deadline="ежегодно",
            kind="unknown",
            status="planned",
        ),
        a(
            13,
            "4.3",
            "Проведение совещаний по вопросам реализации Программы поддержки "
            "общеобразовательных организаций, имеющих низкие образовательные результаты "
            "обучающихся",
            section=4,
            deadline="ежегодно",
            kind="on_demand",
            expected="Проведение не менее двух совещаний в год",
        ),
        a(
            14,
            "1",
            "Определение муниципальных показателей и методов сбора информации для "
            "мониторинга качества работы школ с низкими результатами обучения и/или школами, "
            "функционирующими в неблагоприятных социальных условиях",
            section=5,
            deadline="Май-июнь 2023",
            intervals=[span(month(2023, 5), month(2023, 6))],
            baseline=[span(month(2023, 5), month(2023, 6))],
            status="done",
        ),
        a(
            15,
            "2",
            "Сбор и анализ информации о результатах обучения и условиях осуществления "
            "образовательной деятельности в ШНРО, ШФНСУ",
            section=5,
            deadline="до 1 августа 2023 г.",
            kind="date",
            intervals=[(date(2023, 8, 1), date(2023, 8, 1))],
            baseline=[(date(2023, 8, 1), date(2023, 8, 1))],
            status="done",
        ),
        a(
            16,
            "3",
            "Рассмотрение вопроса «Организация работы со ШНОР» в рамках ежегодной "
            "муниципальной августовской конференции",
            section=5,
            deadline="август 2023 г., ежегодно",
            kind="recurring",
            intervals=[aug23, aug24],
            baseline=[aug23, aug24],
            progress=50,
        ),
        a(
            17,
            "4",
            "Методическое сопровождение проведения Всероссийских проверочных работ (ВПР) "
            "в ШНРО, ШФНСУ",
            section=5,
            deadline="2023/2024 уч.год по срокам приказа",
            kind="unknown",
            status="planned",
        ),
        a(
            18,
            "5",
            "Проведение анкетирования родителей учащихся ШНРО, ШФНСУ по вопросам "
            "качества образования",
            section=5,
            deadline="октябрь 2023 г., ежегодно",
            kind="recurring",
            intervals=[oct23, oct24],
            baseline=[oct23, oct24],
            progress=50,
        ),
        a(
            19,
            "6",
            "Проведение независимой адресной диагностики уровня подготовки обучающихся "
            "в ШНРО, ШФНСУ",
            section=5,
            deadline="октябрь 2023 г., ежегодно",
            kind="recurring",
            intervals=[oct23, oct24],
            baseline=[oct23, oct24],
            progress=50,
        ),
        a(
            20,
            "7",
            "Формирование банка контрольно- измерительных материалов для оценки "
            "профессиональных компетенций педагогических работников",
            section=5,
            deadline="октябрь 2023 г., обновление",
            intervals=[oct23],
            baseline=[oct23],
            status="done",
        ),
        a(
            21,
            "8",
            "Проведение оценки предметных компетенций педагогических работников в ШНР, ШФНСУ",
            section=5,
            deadline="октябрь 2023 г.,",
            intervals=[oct23],
            baseline=[oct23],
            status="partly",
            progress=70,
        ),
        a(
            22,
            "9",
            "Проведение информационно-методических семинаров «Пути снижения "
            "образовательных дефицитов» в ШПРО, ШФНСУ",
            section=5,
            deadline="ноябрь 2023 г. март 2024",
            kind="recurring",
            intervals=[month(2023, 11), month(2024, 3)],
            baseline=[month(2023, 11), month(2024, 3)],
            progress=50,
        ),
        a(
            23,
            "10",
            "Разработка адресных программ повышения качества обучения в ШПРО, ШФНСУ",
            section=5,
            deadline="сентябрь 2023 г.",
            intervals=[month(2023, 9)],
            baseline=[month(2023, 9)],
            status="done",
        ),
        a(
            24,
            "11",
            "Реализация адресных программ повышения качества обучения в ШПРО, ШФНСУ",
            section=5,
            deadline="сентябрь 2023г.- май 2024 г.",
            intervals=[span(month(2023, 9), month(2024, 5))],
            baseline=[span(month(2023, 9), month(2024, 4))],
            progress=65,
        ),
        a(
            25,
            "12",
            "Разработка и реализация адресных программ семинаров для педагогических "
            "работников ШПРО, ШФНСУ",
            section=5,
            deadline="сентябрь 2023г.- май 2024 г.",
            intervals=[span(month(2023, 9), month(2024, 5))],
            baseline=[span(month(2023, 9), month(2024, 5))],
            progress=60,
        ),
        a(
            26,
            "13",
            "Проведение семинаров (вебинаров), мастер-классов с привлечением ведущих "
            "педагогов, методистов, руководителей образовательных организаций Ивантеевского "
            "района",
            section=5,
            deadline="ежегодно",
            kind="recurring",
            intervals=[
                span(month(2023, 1), month(2023, 12)),
                span(month(2024, 1), month(2024, 12)),
            ],
            progress=60,
        ),
        a(
            27,
            "14",
            "Проведение мероприятий, направленных на повышение качества подготовки "
            "обучающихся в ШПРО, ШФНСУ",
            section=5,
            deadline="ежегодно",
            kind="continuous",
        ),
        a(
            28,
            "15",
            "Проведение мониторинга динамики образовательных результатов ШНР, ШФНСУ",
            section=5,
            deadline="август 2024 г.,",
            intervals=[aug24],
            baseline=[aug24],
            status="planned",
        ),
        a(
            29,
            "16",
            "Разработка адресных методических рекомендаций по результатам мониторинга "
            "динамики образовательных результатов для ШПРО, ШФНСУ",
            section=5,
            deadline="Сентябрь-октябрь 2024 г. ежегодно",
            intervals=[span(month(2024, 9), oct24)],
            baseline=[span(month(2024, 9), oct24)],
            status="planned",
        ),
        a(
            30,
            "17",
            "Подготовка управленческих решений по направлению",
            section=5,
            deadline="2023-2024 уч.г.",
            intervals=[school_year],
            baseline=[school_year],
            progress=55,
        ),
        a(
            31,
            "18",
            "Анализ эффективности принятых мер",
            section=5,
            deadline="ежегодно по итогам отчетного периода 2023-2024 гг.",
            kind="recurring",
            intervals=[
                (date(2023, 12, 29), date(2023, 12, 29)),
                (date(2024, 12, 27), date(2024, 12, 27)),
            ],
        ),
    ]
    return sections, activities


# --- helpers -------------------------------------------------------------------------------------

SECTION = Section(1, 1, "1.", "Организационные меры", 1)


def near(colour: QColor, expected: QColor | str, tolerance: int = 26) -> bool:
    """``colour`` is ``expected`` give or take antialiasing."""
    target = QColor(expected)
    return (
        abs(colour.red() - target.red()) <= tolerance
        and abs(colour.green() - target.green()) <= tolerance
        and abs(colour.blue() - target.blue()) <= tolerance
    )


@pytest.fixture
def gantt(qtbot: Bot) -> GanttView:
    """A chart in a 1200 × 700 window, shown."""
    view = GanttView()
    qtbot.addWidget(view)
    view.resize(1200, 700)
    view.show()
    qtbot.waitExposed(view)
    return view


def show(
    view: GanttView,
    activities: Sequence[Activity],
    *,
    zoom: str = "quarter",
    today: date = TODAY,
    first: date = date(2023, 9, 1),
    sections: Sequence[Section] = (SECTION,),
) -> QImage:
    """Show ``activities`` at ``zoom`` scrolled to ``first``; the time area as painted."""
    view.set_data(sections, activities, PERIOD, today)
    view.set_zoom(zoom)
    view.scroll_to_date(first)
    return view.time_view.viewport().grab().toImage()


def row_y(view: GanttView, activity_id: int) -> tuple[int, int]:
    """Top of an activity's row in the time area and in the column (viewport pixels)."""
    row = view.row_of(activity_id)
    assert row is not None
    top = QPointF(0, row * view.chart.style.row_height)
    return view.time_view.mapFromScene(top).y(), view.column_view.mapFromScene(top).y()


def wheel(
    widget: QWidget, steps: int, modifiers: Qt.KeyboardModifier, at: QPoint | None = None
) -> None:
    """Turn the wheel over ``widget`` (positive: away from the user) as a user would."""
    point = QPointF(at if at is not None else widget.rect().center())
    event = QWheelEvent(
        point,
        QPointF(widget.mapToGlobal(point.toPoint())),
        QPoint(0, 0),
        QPoint(0, 120 * steps),
        Qt.MouseButton.NoButton,
        modifiers,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(widget, event)


def many(count: int, years: int = 2) -> tuple[list[Section], list[Activity]]:
    """``count`` activities in sections of ten, with monthly, quarterly and one-off dates."""
    sections = [
        Section(s + 1, 1, f"{s + 1}.", f"Раздел {s + 1}", s) for s in range(count // 10 + 1)
    ]
    result = []
    for index in range(count):
        year = 2023 + index % years
        if index % 3 == 0:
            intervals = [month(year, m) for m in range(1, 13, 3)]
        elif index % 3 == 1:
            intervals = [span(month(year, 2), month(year, 5))]
        else:
            intervals = [(date(year, 9, 1), date(year, 9, 1))]
        result.append(
            activity(
                index + 1,
                f"{index // 10 + 1}.{index % 10 + 1}.",
                f"Семинар по плану {index + 1:02d}",
                section=index // 10 + 1,
                deadline="ежегодно",
                kind="recurring",
                intervals=intervals,
            )
        )
    return sections, result


# --- what a row draws ---------------------------------------------------------------------------


def test_recurring_activity_draws_every_interval_on_its_one_row(gantt: GanttView) -> None:
    intervals = [month(2023, 10), month(2024, 1), month(2024, 4)]
    recurring = activity(
        1,
        "1.1.",
        "Семинары",
        deadline="октябрь, январь, апрель",
        kind="recurring",
        intervals=intervals,
        status="planned",
    )
    other = activity(2, "1.2.", "Другое", intervals=[month(2023, 11)], status="planned")
    image = show(gantt, [recurring, other])
    rects = [gantt.interval_rect(1, index) for index in range(3)]
    unfilled = tint(QColor(STATUS_COLOURS["planned"]))
    assert len({rect.center().y() for rect in rects}) == 1
    top, _ = row_y(gantt, 1)
    assert top <= rects[0].center().y() < top + gantt.chart.style.row_height
    for rect in rects:
        assert near(image.pixelColor(rect.center()), unfilled), rect
    # Between two occurrences the row is empty (mid-December).
    gap_x = gantt.time_view.mapFromScene(QPointF(gantt.chart.axis.x(date(2023, 12, 15)), 0)).x()
    assert not near(image.pixelColor(gap_x, rects[0].center().y()), unfilled)


def test_one_day_interval_is_a_milestone_not_a_bar(gantt: GanttView) -> None:
    day = date(2023, 10, 16)
    milestone = activity(
        1,
        "1.1.",
        "Справка",
        deadline="до 16.10.2023",
        kind="date",
        intervals=[(day, day)],
        status="planned",
    )
    image = show(gantt, [milestone], zoom="month", today=date(2023, 9, 1))
    rect = gantt.interval_rect(1, 0)
    colour = QColor(STATUS_COLOURS["planned"])
    assert near(image.pixelColor(rect.center()), colour)
    # A diamond: its bounding box's corners stay empty, its tips are drawn.
    assert not near(image.pixelColor(rect.left() + 1, rect.top() + 1), colour)
    assert not near(image.pixelColor(rect.right() - 1, rect.bottom() - 1), colour)
    assert near(image.pixelColor(rect.center().x(), rect.top() + 3), colour, 60)
    # Nothing stretches along the day's neighbours.
    assert not near(image.pixelColor(rect.right() + 4, rect.center().y()), colour, 60)


def count_runs(image: QImage, y: int, left: int, right: int, colour: QColor) -> int:
    """How many separate stretches of ``colour`` a line of pixels crosses."""
    runs = 0
    inside = False
    for x in range(left, right):
        hit = near(image.pixelColor(x, y), colour, 40)
        if hit and not inside:
            runs += 1
        inside = hit
    return runs


def test_continuous_activity_is_a_hatched_band_and_a_plain_bar_is_not(gantt: GanttView) -> None:
    year = span(month(2023, 9), month(2024, 8))
    continuous = activity(
        1,
        "1.1.",
        "Курсы",
        deadline="в течение года",
        kind="continuous",
        intervals=[year],
        status="in_progress",
    )
    plain = activity(
        2,
        "1.2.",
        "Программа",
        deadline="сентябрь 2023 – август 2024",
        intervals=[year],
        status="in_progress",
    )
    image = show(gantt, [continuous, plain])
    colour = QColor(STATUS_COLOURS["in_progress"])
    band = gantt.interval_rect(1, 0)
    bar = gantt.interval_rect(2, 0)
    right = min(band.right(), image.width()) - 5
    assert count_runs(image, band.center().y(), band.left() + 5, right, colour) >= 10
    assert count_runs(image, bar.center().y(), bar.left() + 5, right, colour) == 0


def test_on_demand_without_dates_gets_a_marker(gantt: GanttView) -> None:
    on_demand = activity(1, "1.1.", "Консультации", deadline="по запросу", kind="on_demand")
    unknown = activity(2, "1.2.", "Мониторинг", deadline="ежегодно", kind="unknown")
    image = show(gantt, [on_demand, unknown])
    height = int(gantt.chart.style.row_height)

    def marker_pixels(activity_id: int) -> int:
        top, _ = row_y(gantt, activity_id)
        return sum(
            near(image.pixelColor(x, y), ON_DEMAND_COLOUR, 30)
            for y in range(top, top + height)
            for x in range(0, image.width(), 2)
        )

    assert marker_pixels(1) > 60
    assert marker_pixels(2) == 0


def test_unscheduled_activity_is_marked_in_the_activity_column(gantt: GanttView) -> None:
    unknown = activity(1, "1.1.", "ВПР", deadline="по срокам приказа", kind="unknown")
    dated = activity(2, "1.2.", "Справка", deadline="октябрь 2023", intervals=[month(2023, 10)])
    show(gantt, [unknown, dated])
    assert unknown.unscheduled
    image = gantt.column_view.viewport().grab().toImage()
    height = int(gantt.chart.style.row_height)
    number_width = int(gantt.chart.style.number_width)

    def mark_pixels(activity_id: int) -> int:
        _, top = row_y(gantt, activity_id)
        return sum(
            near(image.pixelColor(x, y), UNSCHEDULED_COLOUR, 30)
            for y in range(top, top + height)
            for x in range(number_width)
        )

    assert mark_pixels(1) > 20
    assert mark_pixels(2) == 0


def test_overdue_bars_are_red_at_the_given_today(gantt: GanttView) -> None:
    late = activity(
        1, "1.1.", "Анализ кадров", deadline="октябрь 2023", intervals=[month(2023, 10)]
    )
    done = activity(
        2, "1.2.", "Программа", deadline="октябрь 2023", intervals=[month(2023, 10)], status="done"
    )
    red = tint(QColor(OVERDUE_COLOUR))
    image = show(gantt, [late, done], today=date(2024, 3, 15))
    assert near(image.pixelColor(gantt.interval_rect(1, 0).center()), red)
    assert not near(image.pixelColor(gantt.interval_rect(2, 0).center()), red, 60)
    # The same activity while October is still under way: its status colour.
    image = show(gantt, [late, done], today=date(2023, 10, 10))
    centre = gantt.interval_rect(1, 0).center()
    assert near(image.pixelColor(centre), tint(QColor(STATUS_COLOURS["in_progress"])))


def test_baseline_is_drawn_under_the_actual_bar(gantt: GanttView) -> None:
    moved = activity(
        1,
        "1.1.",
        "Анализ",
        deadline="октябрь 2023",
        intervals=[month(2023, 11)],
        baseline=[month(2023, 10)],
        manual=True,
    )
    unplanned = activity(2, "1.2.", "Справка", deadline="ноябрь 2023", intervals=[month(2023, 11)])
    image = show(gantt, [moved, unplanned])
    chart = gantt.chart

    def strip(activity_id: int, day: date) -> QColor:
        top, _ = row_y(gantt, activity_id)
        x = gantt.time_view.mapFromScene(QPointF(chart.axis.x(day), 0)).x()
        return image.pixelColor(x, top + int(chart.baseline_top + chart.baseline_height / 2))

    assert near(strip(1, date(2023, 10, 15)), BASELINE_COLOUR)
    assert not near(strip(1, date(2023, 11, 15)), BASELINE_COLOUR, 40)
    assert not near(strip(2, date(2023, 11, 15)), BASELINE_COLOUR, 40)


def test_rows_follow_the_section_tree(gantt: GanttView) -> None:
    sections, activities = seed_roadmap()
    shuffled = list(reversed(sections))  # the order given does not matter, the tree does
    show(gantt, list(reversed(activities)), sections=shuffled)
    labels = [
        f"§{row.number or row.title[:12]}" if isinstance(row, Section) else row.number
        for row in gantt.chart.rows
    ]
    assert labels[:9] == ["§Перечень мер", "§1", "1.1", "1.2", "1.3", "1.4", "1.5", "§2", "2.1"]
    assert labels[labels.index("§Дорожная кар") + 1 :] == [str(n) for n in range(1, 19)]
    depth = {row.id: row.depth for row in gantt.chart.rows if isinstance(row, Section)}
    assert depth == {10: 0, 1: 1, 2: 1, 3: 1, 4: 1, 5: 0}
    # An activity of a section not given still shows, under «Без раздела».
    stray = activity(99, "9.9", "Без раздела", section=77, intervals=[month(2023, 10)])
    show(gantt, [*activities, stray], sections=sections)
    assert gantt.chart.rows[-1] == stray
    assert gantt.row_tooltip(0).startswith("Перечень мероприятий")
    assert gantt.row_tooltip(1) == "1. Создание организационных условий."


# --- zoom and scrolling -------------------------------------------------------------------------


def test_zoom_by_set_zoom_and_by_ctrl_wheel_changes_the_day_width(gantt: GanttView) -> None:
    sections, activities = many(20)
    show(gantt, activities, sections=sections, zoom="quarter")
    quarter = gantt.pixels_per_day()
    assert gantt.zoom_buttons["quarter"].isChecked()
    gantt.set_zoom("week")
    assert gantt.pixels_per_day() > quarter
    gantt.set_zoom("quarter")
    assert gantt.pixels_per_day() == quarter

    viewport = gantt.time_view.viewport()
    pointer = QPoint(300, 200)
    day_under = (gantt.time_view.scene_left() + pointer.x()) / gantt.pixels_per_day()
    wheel(viewport, 1, Qt.KeyboardModifier.ControlModifier, pointer)
    assert gantt.zoom_level() == "month"
    assert gantt.pixels_per_day() > quarter
    assert gantt.zoom_buttons["month"].isChecked()
    after = (gantt.time_view.scene_left() + pointer.x()) / gantt.pixels_per_day()
    assert abs(after - day_under) < 1  # the day under the pointer stays under it

    wheel(viewport, -2, Qt.KeyboardModifier.ControlModifier, pointer)
    assert gantt.zoom_level() == "school_year"
    assert gantt.pixels_per_day() < quarter
    # Without Ctrl the wheel scrolls and leaves the scale alone; over the column Ctrl zooms too.
    wheel(viewport, -1, Qt.KeyboardModifier.NoModifier)
    assert gantt.zoom_level() == "school_year"
    wheel(gantt.column_view.viewport(), -1, Qt.KeyboardModifier.ControlModifier)
    assert gantt.zoom_level() == "year"


def test_column_and_time_area_stay_aligned_when_scrolling_rows(gantt: GanttView) -> None:
    sections, activities = many(60)
    show(gantt, activities, sections=sections)
    time_bar = gantt.time_view.verticalScrollBar()
    column_bar = gantt.column_view.verticalScrollBar()
    assert time_bar.maximum() > 0
    assert time_bar.maximum() == column_bar.maximum()
    wheel(gantt.time_view.viewport(), -3, Qt.KeyboardModifier.NoModifier)
    assert time_bar.value() > 0
    assert column_bar.value() == time_bar.value()
    time_top, column_top = row_y(gantt, 30)
    assert time_top == column_top
    for _ in range(40):  # past the end: both stop at the same last row
        wheel(gantt.column_view.viewport(), -3, Qt.KeyboardModifier.NoModifier)
    assert time_bar.value() == time_bar.maximum()
    assert column_bar.value() == time_bar.value()
    time_top, column_top = row_y(gantt, 60)
    assert time_top == column_top
    wheel(gantt.column_view.viewport(), 2, Qt.KeyboardModifier.NoModifier)
    assert time_bar.value() < time_bar.maximum()
    assert row_y(gantt, 55)[0] == row_y(gantt, 55)[1]


# --- the mouse ----------------------------------------------------------------------------------


@tooltip_messages
def test_dragging_a_bar_end_emits_new_dates_snapped_to_days(gantt: GanttView, qtbot: Bot) -> None:
    first = (date(2023, 10, 2), date(2023, 10, 20))
    second = month(2024, 3)
    item = activity(
        7,
        "1.1.",
        "Семинар",
        deadline="октябрь 2023, март 2024",
        kind="recurring",
        intervals=[first, second],
    )
    show(gantt, [item], zoom="month", first=date(2023, 9, 15))
    ppd = gantt.pixels_per_day()
    rect = gantt.interval_rect(7, 0)
    viewport = gantt.time_view.viewport()
    grab = QPoint(rect.right() - 1, rect.center().y())
    target = grab + QPoint(round(10 * ppd + 1), 0)  # ten days and a pixel later
    with qtbot.waitSignal(gantt.sig_intervals_changed, timeout=1000) as blocker:
        QTest.mousePress(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, grab)
        QTest.mouseMove(viewport, grab + QPoint(20, 0))
        QTest.mouseMove(viewport, target)
        QTest.mouseRelease(
            viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, target
        )
    assert blocker.args == [7, ((date(2023, 10, 2), date(2023, 10, 30)), second)]
    # Until the panel reloads, the chart shows the new dates (as set by hand).
    assert gantt.interval_rect(7, 0).width() > rect.width()
    assert gantt.activities()[0].manual

    # The start moves the other way; Escape cancels a drag without a signal.
    rect = gantt.interval_rect(7, 0)
    grab = QPoint(rect.left() + 1, rect.center().y())
    target = grab - QPoint(round(3 * ppd), 0)
    with qtbot.waitSignal(gantt.sig_intervals_changed, timeout=1000) as blocker:
        QTest.mousePress(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, grab)
        QTest.mouseMove(viewport, target)
        QTest.mouseRelease(
            viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, target
        )
    assert blocker.args[1][0] == (date(2023, 9, 29), date(2023, 10, 30))
    emitted: list[int] = []
    gantt.sig_intervals_changed.connect(lambda ident, _: emitted.append(ident))
    rect = gantt.interval_rect(7, 0)
    grab = QPoint(rect.right() - 1, rect.center().y())
    QTest.mousePress(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, grab)
    QTest.mouseMove(viewport, grab + QPoint(60, 0))
    QTest.keyClick(gantt.time_view, Qt.Key.Key_Escape)
    QTest.mouseRelease(
        viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, grab + QPoint(60, 0)
    )
    assert emitted == []
    assert gantt.interval_rect(7, 0) == rect


@tooltip_messages
def test_an_end_moves_by_a_single_day(gantt: GanttView, qtbot: Bot) -> None:
    item = activity(8, "1.1.", "Справка", deadline="октябрь 2023", intervals=[month(2023, 10)])
    show(gantt, [item], zoom="month", first=date(2023, 9, 15))
    rect = gantt.interval_rect(8, 0)
    viewport = gantt.time_view.viewport()
    grab = QPoint(rect.right() - 1, rect.center().y())
    target = grab + QPoint(round(gantt.pixels_per_day()), 0)  # one day: 4–5 px at «Месяц»
    with qtbot.waitSignal(gantt.sig_intervals_changed, timeout=1000) as blocker:
        QTest.mousePress(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, grab)
        QTest.mouseMove(viewport, target)
        QTest.mouseRelease(
            viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, target
        )
    assert blocker.args == [8, ((date(2023, 10, 1), date(2023, 11, 1)),)]


def test_click_on_a_bar_or_double_click_on_a_row_opens_the_activity(
    gantt: GanttView, qtbot: Bot
) -> None:
    bar = activity(3, "1.1.", "Семинар", deadline="октябрь 2023", intervals=[month(2023, 10)])
    unknown = activity(4, "1.2.", "ВПР", deadline="по срокам приказа", kind="unknown")
    show(gantt, [bar, unknown])
    viewport = gantt.time_view.viewport()
    with qtbot.waitSignal(gantt.sig_activity_activated, timeout=1000) as blocker:
        QTest.mouseClick(
            viewport,
            Qt.MouseButton.LeftButton,
            Qt.KeyboardModifier.NoModifier,
            gantt.interval_rect(3, 0).center(),
        )
    assert blocker.args == [3]
    _, top = row_y(gantt, 4)
    with qtbot.waitSignal(gantt.sig_activity_activated, timeout=1000) as blocker:
        QTest.mouseDClick(
            gantt.column_view.viewport(),
            Qt.MouseButton.LeftButton,
            Qt.KeyboardModifier.NoModifier,
            QPoint(80, top + 5),
        )
    assert blocker.args == [4]
    assert gantt.selected_activity() == 4
    # The keyboard: Up selects the row above, Enter opens it.
    with qtbot.waitSignal(gantt.sig_activity_activated, timeout=1000) as blocker:
        QTest.keyClick(gantt.column_view, Qt.Key.Key_Up)
        QTest.keyClick(gantt.column_view, Qt.Key.Key_Return)
    assert blocker.args == [3]


@tooltip_messages
def test_hover_on_a_bar_shows_the_deadline_as_written(gantt: GanttView, qtbot: Bot) -> None:
    written = "сентябрь 2023г.- май 2024 г."
    item = activity(
        5,
        "11.",
        "Реализация адресных программ",
        deadline=written,
        intervals=[span(month(2023, 9), month(2024, 5))],
    )
    show(gantt, [item])
    viewport = gantt.time_view.viewport()
    point = gantt.interval_rect(5, 0).center()
    event = QHelpEvent(QEvent.Type.ToolTip, point, viewport.mapToGlobal(point))
    QApplication.sendEvent(viewport, event)
    qtbot.waitUntil(QToolTip.isVisible, timeout=1000)
    assert QToolTip.text() == written
    QToolTip.hideText()


# --- export --------------------------------------------------------------------------------------


def test_export_png_writes_what_is_visible(gantt: GanttView, tmp_path: Path) -> None:
    sections, activities = seed_roadmap()
    show(gantt, activities, sections=sections, zoom="month")
    target = tmp_path / "Дорожная карта.png"
    gantt.export_png(target)
    image = QImage(str(target))
    assert not image.isNull()
    assert image.size() == gantt.chart_area.size()


needs_poppler = pytest.mark.skipif(
    shutil.which("pdfinfo") is None or shutil.which("pdftotext") is None,
    reason="poppler-utils is not installed",
)
MONTHS = (
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


def pdf_info(path: Path) -> dict[str, str]:
    """``pdfinfo``'s fields."""
    text = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return dict(line.split(":", 1) for line in text.splitlines() if ":" in line)


@needs_poppler
def test_pdf_is_tiled_landscape_with_column_header_and_page_numbers(
    gantt: GanttView, tmp_path: Path
) -> None:
    sections, activities = many(60)
    show(gantt, activities, sections=sections, zoom="month")
    target = tmp_path / "gantt.pdf"
    expected = gantt.pdf_page_count("A4")
    pages = gantt.export_pdf(target, "A4", title="Дорожная карта 2023–2024")
    assert pages == expected
    info = pdf_info(target)
    assert int(info["Pages"]) == pages > 4
    width, height = (float(v) for v in re.findall(r"[\d.]+", info["Page size"])[:2])
    assert (round(width), round(height)) == (842, 595)  # A4, landscape
    text = subprocess.run(
        ["pdftotext", str(target), "-"], capture_output=True, text=True, check=True
    ).stdout
    page_texts = text.split("\f")[:pages]
    assert len(page_texts) == pages
    titles_by_page = []
    for number, page in enumerate(page_texts, start=1):
        assert f"стр. {number} из {pages}" in page
        assert "Дорожная карта 2023–2024" in page
        assert "Мероприятие" in page and "Ответственные" in page
        assert any(name in page for name in MONTHS), number
        titles = set(re.findall(r"Семинар по плану \d\d", page))
        assert titles, number
        titles_by_page.append(frozenset(titles))
    # A page that starts inside a section repeats the section's title.
    continued = [page for page in page_texts if "(продолжение)" in page]
    assert continued
    assert all(re.search(r"Раздел \d+ \(продолжение\)", page) for page in continued)
    # Pages split time across and rows down: each band of rows comes back on several pages.
    bands = set(titles_by_page)
    assert 1 < len(bands) < pages
    assert set().union(*bands) == {f"Семинар по плану {i:02d}" for i in range(1, 61)}

    a3 = tmp_path / "gantt-a3.pdf"
    a3_pages = gantt.export_pdf(a3, "A3")
    assert a3_pages < pages
    width, height = (float(v) for v in re.findall(r"[\d.]+", pdf_info(a3)["Page size"])[:2])
    assert (round(width), round(height)) == (1191, 842)


def test_export_to_a_folder_that_does_not_exist_raises(gantt: GanttView, tmp_path: Path) -> None:
    show(gantt, [activity(1, "1.1.", "Семинар", intervals=[month(2023, 10)])])
    with pytest.raises(OSError):
        gantt.export_pdf(tmp_path / "нет" / "gantt.pdf")
    with pytest.raises(OSError):
        gantt.export_png(tmp_path / "нет" / "gantt.png")


def test_reload_keeps_zoom_scroll_and_selection(gantt: GanttView) -> None:
    sections, activities = many(30)
    show(gantt, activities, sections=sections, zoom="month")
    gantt.select_row(gantt.row_of(12) or 0)
    scroll = gantt.time_view.horizontalScrollBar().value()
    gantt.set_data(sections, activities, PERIOD, TODAY)
    assert gantt.zoom_level() == "month"
    assert gantt.time_view.horizontalScrollBar().value() == scroll
    assert gantt.selected_activity() == 12
    gantt.set_data([], [], PERIOD, TODAY)  # nothing to show is no error
    assert gantt.chart.rows == []
    with pytest.raises(ValueError):
        gantt.set_data([], [], (date(2024, 1, 1), date(2023, 1, 1)), TODAY)
