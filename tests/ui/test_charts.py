"""The passport charts: points, bars, titles and legends drawn for the given passports."""

from __future__ import annotations

import json

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from shnor_desktop.models.database import Database
from shnor_desktop.models.schools import SchoolProfile
from shnor_desktop.ui.charts import BACKGROUND, GENERATED_ALPHA, PassportCharts
from shnor_desktop.ui.common import DataBus
from shnor_desktop.ui.passport_panel import PassportPanel

ALL_SERIES = ["Всего", "1–4 классы", "5–9 классы", "10–11 классы"]


def _profiles(db: Database, code: str) -> list[SchoolProfile]:
    school = next(s for s in db.schools.all_schools() if s.code == code)
    return db.schools.profiles(school.id)


def _bartenevka(db: Database) -> list[SchoolProfile]:
    return _profiles(db, "01")


def test_two_years_draw_two_points_and_the_bars(qtbot: QtBot, district_db: Database) -> None:
    charts = PassportCharts()
    qtbot.addWidget(charts)
    charts.set_data(_bartenevka(district_db), 2021, 2022)

    assert charts.enrolment_points("pupils_total") == [(2021.0, 90.0), (2022.0, 86.0)]
    assert len(charts.enrolment_points("pupils_1_4")) == 2
    assert set(charts.enrolment_items) == {
        "pupils_total",
        "pupils_1_4",
        "pupils_5_9",
        "pupils_10_11",
    }
    assert charts.enrolment_ticks == [(2021, "2021/22"), (2022, "2022/23")]

    # 2 years × 5 indicators, minus «Иной язык» missing in both years.
    assert charts.social_bar_count() == 8
    assert set(charts.social_items) == {2021, 2022}
    assert charts.social_items[2022].opts["height"] == [22.0, 11.0, 19.0, 7.1]
    # Generated values are marked: 2021 had a generated «Низкий доход».
    assert charts.social_generated[2021] == [False, True, False, False]
    assert charts.social_generated[2022] == [False] * 4
    assert charts.social_title.text() == "Социальные показатели: 2021/22 и 2022/23"
    assert charts.social_legend.labels() == ["2021/22", "2022/23"]
    assert charts.enrolment_legend.labels() == ALL_SERIES


def test_one_year_draws_one_set_of_bars_with_a_plain_title(
    qtbot: QtBot, district_db: Database
) -> None:
    charts = PassportCharts()
    qtbot.addWidget(charts)
    charts.set_data(_bartenevka(district_db), 2022, 2022)

    assert charts.social_title.text() == "Социальные показатели: 2022/23"
    assert charts.social_legend.labels() == ["2022/23"]
    assert list(charts.social_items) == [2022]
    assert charts.social_bar_count() == 4
    # One year: its bars stand on the indicator ticks, not shifted for a missing neighbour.
    assert list(charts.social_items[2022].opts["x"]) == [0.0, 1.0, 3.0, 4.0]
    assert [bars.isVisible() for bars in charts.social_bars] == [True, False]


def test_one_year_school_in_the_panel_shows_one_year(qtbot: QtBot, district_db: Database) -> None:
    with district_db.log.change_set("Новая школа", "edit") as cs:
        school_id = cs.insert(
            "school", {"code": "03", "full_name": "МОУ «ООШ с. Новая»", "short_name": "ООШ"}
        )
        cs.insert(
            "school_profile",
            {
                "school_id": school_id,
                "year": 2022,
                "source": "manual",
                "generated_fields": json.dumps([]),
                "pupils_total": 40,
                "pct_low_income": 20.0,
            },
        )
    bus = DataBus()
    bus.attach(district_db)
    panel = PassportPanel(bus)
    qtbot.addWidget(panel)
    panel.resize(1300, 850)
    panel.set_database(district_db)
    panel.show()
    assert panel.select_school(school_id)
    tab_bar = panel.tabs.tabBar()
    chart_index = panel.tabs.indexOf(panel.chart_tab)
    QTest.mouseClick(tab_bar, Qt.MouseButton.LeftButton, pos=tab_bar.tabRect(chart_index).center())
    charts = panel.charts
    assert isinstance(charts, PassportCharts)
    assert charts.social_title.text() == "Социальные показатели: 2022/23"
    assert charts.social_legend.labels() == ["2022/23"]
    assert charts.enrolment_legend.labels() == ["Всего"]
    assert charts.enrolment_ticks == [(2022, "2022/23")]
    panel.set_database(None)


def test_legend_lists_only_the_drawn_series(qtbot: QtBot, district_db: Database) -> None:
    charts = PassportCharts()
    qtbot.addWidget(charts)
    charts.show()
    # Знаменский has only the total enrolment and no social indicators.
    charts.set_data(_profiles(district_db, "02"), 2021, 2022)
    assert charts.enrolment_legend.labels() == ["Всего"]
    drawn = {f for f, line in charts.enrolment_lines.items() if line.isVisible()}
    assert drawn == {"pupils_total"}
    assert charts.social_legend.labels() == []
    assert charts.social_legend.isHidden()  # no empty legend box
    assert charts.placeholder_texts() == (
        "",
        "Нет социальных показателей за 2021/22 и 2022/23",
    )

    charts.set_data(_bartenevka(district_db), 2021, 2022)
    assert charts.enrolment_legend.labels() == ALL_SERIES
    assert charts.social_legend.labels() == ["2021/22", "2022/23"]
    assert not charts.social_legend.isHidden()
    assert charts.placeholder_texts() == ("", "")

    # Back to the smaller school: the hidden series' entries go again.
    charts.set_data(_profiles(district_db, "02"), 2022, None)
    assert charts.enrolment_legend.labels() == ["Всего"]
    assert [line.isVisible() for line in charts.enrolment_lines.values()] == [
        True,
        False,
        False,
        False,
    ]


def test_no_passports_show_a_message_instead_of_empty_axes(
    qtbot: QtBot, district_db: Database
) -> None:
    charts = PassportCharts()
    qtbot.addWidget(charts)
    charts.show()
    charts.set_data(_bartenevka(district_db), 2021, 2022)
    assert not charts.is_empty()
    assert charts.plot_enrolment.isVisible()

    charts.set_data([], None, None)
    assert charts.is_empty()
    assert charts.empty_label.isVisible()
    assert "нет паспортов" in charts.empty_label.text()
    assert not charts.plot_enrolment.isVisible()
    assert charts.enrolment_legend.labels() == []
    assert charts.social_legend.labels() == []
    assert charts.enrolment_items == {}
    assert charts.social_bar_count() == 0


def test_items_are_created_once_and_updated(qtbot: QtBot, district_db: Database) -> None:
    charts = PassportCharts()
    qtbot.addWidget(charts)
    charts.show()

    def items() -> list[object]:
        return [
            *charts.enrolment_lines.values(),
            *charts.social_bars,
            *(text for labels in charts.social_labels for text in labels),
            *charts.plot_enrolment.getPlotItem().listDataItems(),
            *charts.plot_social.getPlotItem().listDataItems(),
        ]

    charts.set_data(_bartenevka(district_db), 2021, 2022)
    before = items()
    scene_sizes = (
        len(charts.plot_enrolment.scene().items()),
        len(charts.plot_social.scene().items()),
    )
    for profiles, year_a, year_b in (
        (_profiles(district_db, "02"), 2022, 2030),
        ([], None, None),
        (_bartenevka(district_db), 2022, 2022),
        (_bartenevka(district_db), 2021, 2022),
    ):
        charts.set_data(profiles, year_a, year_b)
    after = items()
    assert len(after) == len(before)
    assert all(a is b for a, b in zip(after, before, strict=True))
    # Nothing was added to the scenes either (no rebuilt items, no stray legend entries).
    assert (
        len(charts.plot_enrolment.scene().items()),
        len(charts.plot_social.scene().items()),
    ) == scene_sizes
    assert charts.enrolment_points("pupils_total") == [(2021.0, 90.0), (2022.0, 86.0)]


def test_generated_values_stay_hollow_and_pale(qtbot: QtBot, district_db: Database) -> None:
    charts = PassportCharts()
    qtbot.addWidget(charts)
    profiles = _bartenevka(district_db)
    # Update twice: the marks must follow the data, not the first drawing.
    charts.set_data(profiles[1:], 2022, None)
    charts.set_data(profiles, 2021, 2022)

    # 2021's total enrolment is generated: a hollow point (background inside).
    total = charts.enrolment_lines["pupils_total"]
    fills = [point.brush().color().name() for point in total.scatter.points()]
    assert fills == [BACKGROUND, "#1f4e79"]
    assert charts.enrolment_generated["pupils_total"] == [True, False]
    assert charts.enrolment_note.isVisibleTo(charts)

    # 2021's «Низкий доход» is generated: a pale bar with a dashed outline.
    bars = charts.social_items[2021]
    alphas = [brush.color().alpha() for brush in bars.opts["brushes"]]
    assert alphas == [255, GENERATED_ALPHA, 255, 255]
    styles = [pen.style() for pen in bars.opts["pens"]]
    assert styles[1] == Qt.PenStyle.DashLine
    assert styles[0] == Qt.PenStyle.SolidLine

    charts.set_data(profiles[1:], 2022, None)
    assert [p.brush().color().name() for p in total.scatter.points()] == ["#1f4e79"]
    assert not charts.enrolment_note.isVisibleTo(charts)


def test_generated_note_shows_only_when_needed(qtbot: QtBot, district_db: Database) -> None:
    charts = PassportCharts()
    qtbot.addWidget(charts)
    charts.show()
    profiles = _bartenevka(district_db)
    charts.set_data(profiles, 2021, 2022)
    assert charts.social_note.isVisible()
    assert charts.social_note.text() == "Светлые столбцы — сгенерированные значения"
    charts.set_data(profiles, 2022, None)
    assert not charts.social_note.isVisible()
    assert charts.social_bar_count() == 4


def test_missing_values_and_years_are_not_drawn(qtbot: QtBot, district_db: Database) -> None:
    charts = PassportCharts()
    qtbot.addWidget(charts)
    school = next(s for s in district_db.schools.all_schools() if s.code == "02")
    charts.set_data(district_db.schools.profiles(school.id), 2022, 2030)
    assert set(charts.enrolment_items) == {"pupils_total"}
    assert charts.enrolment_points("pupils_total") == [(2021.0, 120.0), (2022.0, 117.0)]
    assert charts.social_bar_count() == 0

    charts.set_data([], None, None)
    assert charts.enrolment_items == {}
    assert charts.social_bar_count() == 0


def test_legend_sits_above_the_plot_and_never_over_it(qtbot: QtBot, district_db: Database) -> None:
    charts = PassportCharts()
    qtbot.addWidget(charts)
    charts.resize(900, 700)
    charts.show()
    charts.set_data(_bartenevka(district_db), 2021, 2022)
    qtbot.waitExposed(charts)
    for legend, plot in (
        (charts.enrolment_legend, charts.plot_enrolment),
        (charts.social_legend, charts.plot_social),
    ):
        assert legend.isVisible()
        assert not legend.geometry().intersects(plot.geometry())
        assert legend.geometry().bottom() < plot.geometry().top()


def test_narrow_panel_wraps_the_legend_instead_of_widening_the_window(
    qtbot: QtBot, district_db: Database
) -> None:
    charts = PassportCharts()
    qtbot.addWidget(charts)
    charts.set_data(_bartenevka(district_db), 2021, 2022)
    # The «Динамика» tab of a 1024 px window is about 400 px wide.
    assert charts.minimumSizeHint().width() <= 400
    charts.resize(400, 560)
    charts.show()
    qtbot.waitExposed(charts)
    legend = charts.enrolment_legend
    one_row = legend.fontMetrics().height() + 4
    assert legend.height() > one_row  # the four entries take two rows
    assert legend.geometry().right() <= charts.width()
    # The indicator names break into two lines rather than vanish under each other.
    assert charts.social_tick_lines == 2

    charts.resize(1000, 700)
    qtbot.waitUntil(lambda: charts.social_tick_lines == 1)
    assert legend.height() <= one_row + 6
