"""The passport charts: points and bars drawn for the given passports."""

from __future__ import annotations

from shnor_desktop.models.database import Database
from shnor_desktop.models.schools import SchoolProfile
from shnor_desktop.ui.charts import PassportCharts


def _bartenevka(db: Database) -> list[SchoolProfile]:
    school = next(s for s in db.schools.all_schools() if s.code == "01")
    return db.schools.profiles(school.id)


def test_two_years_draw_two_points_and_the_bars(qtbot, district_db: Database) -> None:
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
    ticks = charts.plot_enrolment.getPlotItem().getAxis("bottom")._tickLevels
    assert ticks == [[(2021, "2021/22"), (2022, "2022/23")]]

    # 2 years × 5 indicators, minus «Иной язык» missing in both years.
    assert charts.social_bar_count() == 8
    assert set(charts.social_items) == {2021, 2022}
    assert charts.social_items[2022].opts["height"] == [22.0, 11.0, 19.0, 7.1]
    # Generated values are marked: 2021 had a generated «Низкий доход».
    assert charts.social_generated[2021] == [False, True, False, False]
    assert charts.social_generated[2022] == [False] * 4
    title = charts.plot_social.getPlotItem().titleLabel.text
    assert "Социальные показатели: 2021/22 и 2022/23" in title


def test_generated_note_shows_only_when_needed(qtbot, district_db: Database) -> None:
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


def test_missing_values_and_years_are_not_drawn(qtbot, district_db: Database) -> None:
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
