"""The two-year results chart: bars, labels and district lines drawn from the counts.

The schools and the shape of the figures are those of the seed report 004
(«Результаты ОГЭ в школах-участниках … за 2021-22 уч. год и 2022-23 уч. год»);
the counts are plausible ones for rural schools of 5–21 pupils in a grade.
"""

from __future__ import annotations

import itertools
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QColor, QContextMenuEvent, QFontMetrics, QImage
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox, QWidget

from shnor_desktop.models import metrics
from shnor_desktop.models.metrics import Counts
from shnor_desktop.ui.charts import YEAR_COLOURS, _font
from shnor_desktop.ui.results_charts import PLOTTED, TwoYearChart, default_file_name

#: A popup menu under the offscreen platform says so; the menu works all the same.
menu_messages = pytest.mark.qt_log_ignore("This plugin does not support (raise|grabbing)")

# pytest-qt's QtBot has no type hints on its event methods: tests use it through Any.
Bot = Any
Schools = list[tuple[str, Mapping[int, Counts]]]

TITLE = "ОГЭ, математика, 9 класс: 2021/22 и 2022/23"
YEARS = (2021, 2022)


def _counts(n2: int, n3: int, n4: int, n5: int) -> Counts:
    total = n2 + n3 + n4 + n5
    return Counts(due=total, participants=total, n2=n2, n3=n3, n4=n4, n5=n5)


def _seed_schools() -> Schools:
    """The four schools of seed 004's «Трек 2»; Арбузовка has no 2022/23 results."""
    return [
        ("СОШ с. Бартеневка", {2021: _counts(1, 7, 5, 1), 2022: _counts(2, 6, 3, 1)}),
        ("СОШ п. Знаменский", {2021: _counts(0, 12, 7, 2), 2022: _counts(1, 8, 8, 2)}),
        ("СОШ с. Ивановка", {2021: _counts(1, 4, 0, 0), 2022: _counts(0, 2, 3, 1)}),
        ("ООШ с. Арбузовка", {2021: _counts(0, 1, 3, 0)}),
    ]


EXTRA_NAMES = (
    "СОШ с. Яблоновый Гай",
    "ООШ с. Канаевка",
    "СОШ с. Николаевка",
    "СОШ с. Раевка",
    "СОШ с. Чернава",
    "ООШ п. Восточный",
    "СОШ с. Ивантеевка №1",
    "СОШ с. Ивантеевка №2",
    "ООШ с. Богородское",
    "СОШ с. Нижняя Покровка",
    "ООШ п. Знаменский (филиал)",
)


def _schools(count: int) -> Schools:
    """``count`` schools (4–15): the seed's four and more of the district."""
    rows = _seed_schools()
    for i, name in enumerate(EXTRA_NAMES[: count - 4]):
        rows.append(
            (
                name,
                {
                    2021: _counts(i % 3, 5 + i, 3 + i % 4, i % 2),
                    2022: _counts((i + 1) % 3, 4 + i, 4 + i % 3, 1),
                },
            )
        )
    return rows[:count]


def _district(schools: Schools, years: tuple[int, int] = YEARS) -> dict[int, Counts]:
    return {y: metrics.pool(c[y] for _, c in schools if y in c) for y in years}


def _shown(qtbot: Bot, width: int = 1000, height: int = 600) -> TwoYearChart:
    chart = TwoYearChart()
    qtbot.addWidget(chart)
    chart.resize(width, height)
    chart.show()
    qtbot.waitExposed(chart)
    return chart


def _draw(qtbot: Bot, chart: TwoYearChart, schools: Schools, district: Any = None) -> None:
    chart.set_data(TITLE, YEARS, schools, _district(schools) if district is None else district)
    qtbot.wait(20)  # the plots lay themselves out through posted events
    chart.grab()  # text items take their final transform when painted


def _share(value: float) -> str:
    return f"{value:.1f}".replace(".", ",")


@pytest.mark.parametrize("key", PLOTTED)
def test_bars_and_labels_are_the_metrics_of_the_counts(qtbot: Bot, key: str) -> None:
    chart = _shown(qtbot)
    schools = _seed_schools()
    _draw(qtbot, chart, schools)
    compute = {"quality": metrics.quality, "success": metrics.success}[key]

    expected = {
        (name, year): compute(counts)
        for name, by_year in schools
        for year, counts in by_year.items()
    }
    assert chart.bar_values(key) == pytest.approx(expected)
    assert chart.label_texts(key) == {k: _share(v) for k, v in expected.items() if v is not None}
    district = _district(schools)
    assert chart.district_levels(key) == pytest.approx(
        {year: compute(district[year]) for year in YEARS}
    )
    assert chart.plots[key].title.text() == (
        "Качество знаний, %" if key == "quality" else "Успеваемость, %"
    )


def test_the_figures_read_as_in_a_report(qtbot: Bot) -> None:
    chart = _shown(qtbot)
    _draw(qtbot, chart, _seed_schools())

    quality = chart.label_texts("quality")
    assert quality[("СОШ с. Бартеневка", 2021)] == "42,9"  # 6 of 14
    assert quality[("СОШ п. Знаменский", 2022)] == "52,6"  # 10 of 19
    assert quality[("СОШ с. Ивановка", 2021)] == "0,0"  # a real 0 %: a bar of height 0
    assert chart.bar_values("quality")[("СОШ с. Ивановка", 2021)] == 0.0
    # The district is pooled from the counts: 18 of 44 and 18 of 37.
    assert chart.district_texts("quality") == {
        2021: "Район 2021/22: 40,9 %",
        2022: "Район 2022/23: 48,6 %",
    }
    assert chart.title_label.text() == TITLE
    assert chart.legend.labels() == ["2021/22", "2022/23", "Район (все школы)"]
    assert not chart.is_empty()


def test_a_school_without_results_for_a_year_gets_no_bar_but_a_mark(qtbot: Bot) -> None:
    chart = _shown(qtbot)
    schools = _seed_schools()
    # Counts without participants have no share either: no data, never a 0 % bar.
    schools.append(
        ("СОШ с. Пустое", {2021: Counts(due=5, participants=0), 2022: _counts(0, 1, 1, 0)})
    )
    _draw(qtbot, chart, schools)

    for key in PLOTTED:
        assert ("ООШ с. Арбузовка", 2022) not in chart.bar_values(key)
        assert ("ООШ с. Арбузовка", 2022) not in chart.label_texts(key)
        assert ("СОШ с. Пустое", 2021) not in chart.bar_values(key)
        assert sorted(chart.missing_marks(key)) == [
            ("ООШ с. Арбузовка", 2022),
            ("СОШ с. Пустое", 2021),
        ]
        assert ("ООШ с. Арбузовка", 2021) in chart.bar_values(key)
    texts = {t.toPlainText().replace("\n", " ") for t in chart.plots["quality"].missing_texts[1]}
    assert "нет данных" in texts


def test_a_year_missing_in_the_district_draws_no_line(qtbot: Bot) -> None:
    chart = _shown(qtbot)
    schools = _seed_schools()
    _draw(qtbot, chart, schools, {2022: _district(schools)[2022]})
    assert list(chart.district_texts("success")) == [2022]
    assert list(chart.district_levels("quality")) == [2022]


def test_many_updates_reuse_the_items(qtbot: Bot) -> None:
    """30 redraws with 4–15 schools and other years: no crash, the scene does not grow."""
    chart = _shown(qtbot, 900, 600)
    _draw(qtbot, chart, _schools(15))
    scenes = [chart.plots[key].widget.scene() for key in PLOTTED]
    largest = [len(scene.items()) for scene in scenes]

    counts = itertools.cycle([4, 15, 7, 11, 5, 13, 9, 6])
    for step, count in zip(range(30), counts, strict=False):
        schools = _schools(count)
        years = (2021, 2022) if step % 2 else (2020, 2021)
        shifted: Schools = [
            (name, {y + (years[0] - 2021): c for y, c in by_year.items()})
            for name, by_year in schools
        ]
        chart.set_data(f"Шаг {step}", years, shifted, _district(shifted, years))
        assert len(chart.bar_values("quality")) + len(chart.missing_marks("quality")) == 2 * count
        assert [len(scene.items()) for scene in scenes] == largest
    chart.clear("Нет результатов для выбранных условий")
    assert [len(scene.items()) for scene in scenes] == largest


def test_long_names_never_overlap(qtbot: Bot) -> None:
    """15 schools in a 700 px window: every name whole, no two names of a row touching."""
    chart = _shown(qtbot, 700, 500)
    schools = _schools(15)
    _draw(qtbot, chart, schools)
    layout = chart.name_layout()
    assert not layout.elided
    assert layout.point_size >= 7
    # Every word of every name is on the axis, in order.
    for (name, _), text in zip(schools, chart.category_texts(), strict=True):
        assert text.split() == name.split()

    font_metrics = QFontMetrics(_font(layout.point_size))
    view = chart.plots["quality"].widget.getPlotItem().getViewBox()
    rows: dict[int, list[tuple[float, float]]] = {}
    for i, lines in enumerate(layout.lines):
        centre = view.mapViewToScene(QPointF(float(i), 0.0)).x()
        half = max(font_metrics.horizontalAdvance(line) for line in lines) / 2
        rows.setdefault(i % 2 if layout.staggered else 0, []).append((centre - half, centre + half))
    for spans in rows.values():
        for (_, right), (left, _) in itertools.pairwise(spans):
            assert left - right >= 4


def test_names_are_wrapped_when_the_window_narrows(qtbot: Bot) -> None:
    chart = _shown(qtbot, 1000, 600)
    _draw(qtbot, chart, _seed_schools())
    assert chart.category_texts()[0] == "СОШ с. Бартеневка"

    chart.resize(700, 500)
    qtbot.waitUntil(lambda: chart.category_texts()[0] == "СОШ\nс. Бартеневка")
    assert not chart.name_layout().staggered


@pytest.mark.parametrize("count", [4, 15])
def test_labels_of_bars_and_district_lines_do_not_overlap(qtbot: Bot, count: int) -> None:
    chart = _shown(qtbot, 700, 500)
    schools = _schools(count)
    # Two close district levels (as in seed 004's «Успеваемость»: 95,5 and 91,9).
    _draw(qtbot, chart, schools)
    for key in PLOTTED:
        plot = chart.plots[key]
        district = [t.sceneBoundingRect() for t in plot.district_texts if t.isVisible()]
        assert len(district) == 2
        assert not district[0].intersects(district[1])
        values = [t.sceneBoundingRect() for slot in plot.value_texts for t in slot if t.isVisible()]
        assert len(values) == len(chart.label_texts(key))
        for a, b in itertools.combinations(values, 2):
            # The boxes (a pixel of margin round the text) may touch, never overlap.
            common = a.intersected(b)
            assert min(common.width(), common.height()) < 1, (a, b)
        view = plot.widget.getPlotItem().getViewBox().sceneBoundingRect()
        for rect in district + values:
            assert view.contains(rect), "a label is cut off by the plot's edge"


def test_clear_shows_the_message_and_disables_saving(qtbot: Bot) -> None:
    chart = _shown(qtbot)
    _draw(qtbot, chart, _seed_schools())
    chart.clear("Нет результатов для выбранных условий")
    assert chart.is_empty()
    assert chart.message() == "Нет результатов для выбранных условий"
    assert chart.bar_values("quality") == {}
    assert not chart.action_png.isEnabled()
    chart.set_data(TITLE, YEARS, [], {})
    assert chart.is_empty()
    _draw(qtbot, chart, _seed_schools())
    assert not chart.is_empty()
    assert chart.action_png.isEnabled()


def test_export_png_draws_the_whole_chart_sharp(qtbot: Bot, tmp_path: Path) -> None:
    chart = _shown(qtbot)
    _draw(qtbot, chart, _seed_schools())
    path = tmp_path / "chart.png"
    with qtbot.waitSignal(chart.sig_exported) as signal:
        chart.export_png(path)
    assert signal.args == [str(path)]
    image = QImage(str(path))
    assert (image.width(), image.height()) == (2000, 1200)  # twice the 1000 × 600 on screen
    assert path.stat().st_size > 20_000
    colours = {image.pixelColor(x, y).name() for x in range(0, 2000, 7) for y in range(0, 1200, 7)}
    assert {QColor(c).name() for c in YEAR_COLOURS} <= colours


def test_a_hidden_chart_exports_at_a_sensible_size(qtbot: Bot, tmp_path: Path) -> None:
    """The results panel may save a chart that is on another tab (never laid out)."""
    chart = TwoYearChart()
    qtbot.addWidget(chart)
    chart.set_data(TITLE, YEARS, _seed_schools(), _district(_seed_schools()))
    chart.export_png(tmp_path / "hidden.png")
    image = QImage(str(tmp_path / "hidden.png"))
    assert (image.width(), image.height()) == (2000, 1280)
    assert not chart.isVisible()


def test_export_svg_keeps_the_russian_text_as_text(qtbot: Bot, tmp_path: Path) -> None:
    chart = _shown(qtbot)
    _draw(qtbot, chart, _seed_schools())
    path = tmp_path / "chart.svg"
    chart.export_svg(path)
    root = ET.parse(path).getroot()
    texts = {"".join(el.itertext()).strip() for el in root.iter() if el.tag.endswith("}text")}
    assert {"Качество знаний, %", "Успеваемость, %", TITLE, "42,9", "СОШ с. Бартеневка"} <= texts
    assert "Район 2022/23: 48,6 %" in texts


def test_export_to_an_unwritable_place_raises(qtbot: Bot, tmp_path: Path) -> None:
    chart = _shown(qtbot)
    _draw(qtbot, chart, _seed_schools())
    with pytest.raises(OSError):
        chart.export_png(tmp_path / "нет такой папки" / "chart.png")


def _open_menu(chart: TwoYearChart) -> None:
    """Right-click on the «Качество знаний» plot, as the user does."""
    viewport = chart.plots["quality"].widget.viewport()
    pos = QPoint(viewport.width() // 2, viewport.height() // 2)
    event = QContextMenuEvent(QContextMenuEvent.Reason.Mouse, pos, viewport.mapToGlobal(pos))
    QApplication.sendEvent(viewport, event)


def _click_action(qtbot: Bot, chart: TwoYearChart, text: str) -> None:
    qtbot.waitUntil(chart.menu.isVisible)
    action = next(a for a in chart.menu.actions() if a.text() == text)
    QTest.mouseClick(
        chart.menu, Qt.MouseButton.LeftButton, pos=chart.menu.actionGeometry(action).center()
    )


@menu_messages
@pytest.mark.parametrize(
    ("text", "suffix"), [("Сохранить как PNG…", ".png"), ("Сохранить как SVG…", ".svg")]
)
def test_the_context_menu_saves_through_the_dialog(
    qtbot: Bot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str, suffix: str
) -> None:
    chart = _shown(qtbot)
    _draw(qtbot, chart, _seed_schools())
    asked: list[tuple[str, str, str]] = []

    def fake_dialog(parent: QWidget, caption: str, suggested: str, filters: str) -> tuple[str, str]:
        asked.append((caption, suggested, filters))
        return str(tmp_path / "итог"), filters  # the user typed a name without the suffix

    monkeypatch.setattr(QFileDialog, "getSaveFileName", fake_dialog)
    _open_menu(chart)
    assert [a.text() for a in chart.menu.actions()] == ["Сохранить как PNG…", "Сохранить как SVG…"]
    with qtbot.waitSignal(chart.sig_exported) as signal:
        _click_action(qtbot, chart, text)

    caption, suggested, filters = asked[0]
    assert caption == "Сохранить диаграмму"
    assert Path(suggested).name == f"ОГЭ, математика, 9 класс 2021-22 и 2022-23{suffix}"
    assert f"*{suffix}" in filters
    written = tmp_path / f"итог{suffix}"
    assert signal.args == [str(written)]
    assert written.stat().st_size > 1000


@menu_messages
def test_a_cancelled_dialog_writes_nothing(
    qtbot: Bot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    chart = _shown(qtbot)
    _draw(qtbot, chart, _seed_schools())
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *args: ("", ""))
    exported: list[str] = []
    chart.sig_exported.connect(exported.append)
    _open_menu(chart)
    _click_action(qtbot, chart, "Сохранить как PNG…")
    assert exported == []


@menu_messages
def test_a_failed_save_tells_the_user(
    qtbot: Bot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    chart = _shown(qtbot)
    _draw(qtbot, chart, _seed_schools())
    target = tmp_path / "нет такой папки" / "итог.png"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *args: (str(target), ""))
    told: list[str] = []

    def fake_exec(box: QMessageBox) -> int:
        told.append(box.text())
        return QMessageBox.StandardButton.Close

    monkeypatch.setattr(QMessageBox, "exec", fake_exec)
    _open_menu(chart)
    _click_action(qtbot, chart, "Сохранить как PNG…")
    assert told == [f"Не удалось записать файл «{target}». Выберите другую папку."]


@menu_messages
def test_an_empty_chart_offers_no_menu(qtbot: Bot) -> None:
    chart = _shown(qtbot)
    label = chart.empty_label
    pos = QPoint(label.width() // 2, label.height() // 2)
    event = QContextMenuEvent(QContextMenuEvent.Reason.Mouse, pos, label.mapToGlobal(pos))
    QApplication.sendEvent(label, event)
    qtbot.wait(20)
    assert not chart.menu.isVisible()


def test_default_file_name_is_safe_on_windows() -> None:
    assert default_file_name("ВПР, русский язык, 5 класс: 2021/22 и 2022/23", ".svg") == (
        "ВПР, русский язык, 5 класс 2021-22 и 2022-23.svg"
    )
    assert default_file_name('a<b>"c"|d?*', ".png") == "abcd.png"
    assert default_file_name(" : ", ".png") == "Диаграмма.png"
