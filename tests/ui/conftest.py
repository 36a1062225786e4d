"""What the UI tests share: a small district database (figures from the seed report 004),
the demo database opened, a panel shown on a database, answered questions, the wheel.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

from shnor_desktop.models.database import Database


def _profile(school_id: int, year: int, generated: tuple[str, ...] = (), **values: object) -> dict:
    return {
        "school_id": school_id,
        "year": year,
        "source": "seed",
        "generated_fields": json.dumps(list(generated), ensure_ascii=False),
        **values,
    }


@pytest.fixture
def district_db(tmp_path: Path) -> Iterator[Database]:
    """Ивантеевский район: three district years, two people, two schools with passports."""
    db = Database.open(tmp_path / "t.sqlite")
    with db.log.change_set("Начальные данные", "demo") as cs:
        district_id = cs.insert(
            "district",
            {
                "name": "Ивантеевский муниципальный район",
                "region": "Саратовская область",
                "office": "Управление образованием администрации Ивантеевского МР",
                "centre": "с. Ивантеевка",
                "coordinator": "Иванова Мария Петровна",
                "population": 12757,
            },
        )
        for year, total, g1, g9, g11 in (
            (2021, 1535, 152, 142, 36),
            (2022, 1567, 156, 174, 58),
            (2023, 1539, 157, 147, 46),
        ):
            cs.insert(
                "district_year",
                {
                    "district_id": district_id,
                    "year": year,
                    "pupils_total": total,
                    "pupils_grade1": g1,
                    "pupils_grade9": g9,
                    "pupils_grade11": g11,
                    "pupils_bused": 256 if year == 2023 else None,
                    "buses": 13 if year == 2023 else None,
                    "source": "seed",
                },
            )
        coordinator = cs.insert(
            "person",
            {"full_name": "Иванова Мария Петровна", "position": "Методист управления образованием"},
        )
        cs.insert("person_role", {"person_id": coordinator, "role": "coordinator"})
        cs.insert("person_role", {"person_id": coordinator, "role": "working_group"})
        tutor = cs.insert(
            "person",
            {"full_name": "Петров Сергей Иванович", "position": "Учитель математики"},
        )
        cs.insert("person_role", {"person_id": tutor, "role": "tutor"})
        bartenevka = cs.insert(
            "school",
            {
                "code": "01",
                "full_name": "МОУ «СОШ с. Бартеневка им. П.Е. Толстова»",
                "short_name": "СОШ с. Бартеневка",
                "locality": "с. Бартеневка",
                "distance_km": 18,
            },
        )
        znamensky = cs.insert(
            "school",
            {
                "code": "02",
                "full_name": "МОУ «СОШ п. Знаменский»",
                "short_name": "СОШ п. Знаменский",
                "distance_km": 9,
            },
        )
        cs.insert(
            "school_profile",
            _profile(
                bartenevka,
                2021,
                generated=("pupils_total", "pct_low_income"),
                pupils_total=90,
                pupils_1_4=38,
                pupils_5_9=50,
                pupils_10_11=2,
                pct_incomplete_families=24.0,
                pct_low_income=12.5,
                sek_index=18.0,
                pct_teachers_65plus=6.7,
            ),
        )
        cs.insert(
            "school_profile",
            _profile(
                bartenevka,
                2022,
                pupils_total=86,
                pupils_1_4=36,
                pupils_5_9=48,
                pupils_10_11=1,
                pct_incomplete_families=22.0,
                pct_low_income=11.0,
                sek_index=19.0,
                pct_teachers_65plus=7.1,
            ),
        )
        for year, total in ((2021, 120), (2022, 117)):
            cs.insert("school_profile", _profile(znamensky, year, pupils_total=total))
    try:
        yield db
    finally:
        db.close()


@pytest.fixture
def wheel() -> Callable[..., None]:
    """Turn the mouse wheel over the middle of a widget (negative steps: towards the user)."""
    from PySide6.QtCore import QPoint, QPointF, Qt
    from PySide6.QtGui import QWheelEvent
    from PySide6.QtWidgets import QApplication, QWidget

    def turn(widget: QWidget, steps: int = -1) -> None:
        centre = QPointF(widget.rect().center())
        event = QWheelEvent(
            centre,
            QPointF(widget.mapToGlobal(centre.toPoint())),
            QPoint(0, 0),
            QPoint(0, 120 * steps),
            Qt.MouseButton.NoButton,
            Qt.KeyboardModifier.NoModifier,
            Qt.ScrollPhase.NoScrollPhase,
            False,
        )
        QApplication.sendEvent(widget, event)

    return turn


@pytest.fixture
def demo_db(demo_path: Path) -> Iterator[Database]:
    """The demo district (a private copy), opened; closed after the test."""
    with closing(Database.open(demo_path)) as db:
        yield db


ShowPanel = Callable[..., Any]


@pytest.fixture
def show_panel(qtbot: Any) -> ShowPanel:
    """``show_panel(PanelClass, db, size=(1200, 700))``: a panel on ``db`` with its own bus, shown.

    The panel is sized after it has its database (as the main window gives it one),
    then shown and waited for until it is exposed.
    """
    from shnor_desktop.ui.common import DataBus

    def show(kind: type[Any], db: Database, size: tuple[int, int] = (1200, 700)) -> Any:
        bus = DataBus()
        bus.attach(db)
        panel = kind(bus)
        qtbot.addWidget(panel)
        panel.set_database(db)
        panel.resize(*size)
        panel.show()
        qtbot.waitExposed(panel)
        return panel

    return show


@pytest.fixture
def answers(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Answer every question «Yes» and keep what was asked (answers.append("no") refuses).

    A question's way out must read «Отмена» (Qt's own «Cancel» is not translated).
    """
    from PySide6.QtWidgets import QMessageBox

    asked: list[str] = []

    def fake_exec(box: QMessageBox) -> int:
        asked.append(box.text())
        if "no" in asked:
            return QMessageBox.StandardButton.Cancel
        cancel = box.button(QMessageBox.StandardButton.Cancel)
        assert cancel is None or cancel.text() == "Отмена"
        return QMessageBox.StandardButton.Yes

    monkeypatch.setattr(QMessageBox, "exec", fake_exec)
    return asked
