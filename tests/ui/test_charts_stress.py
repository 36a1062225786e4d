"""``QObject.property()`` and chart updates, hammered in a child process.

PySide6 6.12.0 hands back ``None``, ``True`` and ``False`` from
``QObject.property()`` without taking a reference; pyqtgraph calls
``property()`` on every ``setData``, and after about ten year changes on the
passport's «Динамика» tab the application died with ``Fatal Python error:
none_dealloc``. pyproject.toml keeps us off that release; this test makes a
future upgrade that brings the fault back fail CI.

The stress runs in a child process: a fatal error aborts the child (a non-zero
exit) and fails this test instead of killing pytest.

The file is also the child's script (``python test_charts_stress.py property|charts``).
To try another PySide6, run this test with that venv's Python (it needs pytest and
pytest-qt): with 6.12.0 both tests fail with ``none_dealloc``, pytest itself survives::

    OTHER_VENV/bin/python -m pytest -p no:cacheprovider tests/ui/test_charts_stress.py
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from shnor_desktop.models.schools import SchoolProfile

#: 6.12.0 died within a few thousand calls; 6.11.3 survives all of them.
PROPERTY_CALLS = 200_000
#: About 10 updates were enough to kill the application on 6.12.0.
CHART_UPDATES = 2_000
ROOT = Path(__file__).resolve().parents[2]


def _cases() -> list[tuple[list[SchoolProfile], int | None, int | None]]:
    """Passports of different shapes: several years, missing values, one year, none."""
    from shnor_desktop.models.schools import SchoolProfile

    def profile(year: int, generated: tuple[str, ...] = (), **values: Any) -> SchoolProfile:
        return SchoolProfile(id=year, school_id=1, year=year, generated_fields=generated, **values)

    full = [
        profile(
            year,
            pupils_total=90 - year % 7,
            pupils_1_4=38,
            pupils_5_9=50 - year % 3,
            pupils_10_11=2 if year % 2 else None,
            pct_incomplete_families=24.0,
            pct_low_income=12.5 + year % 4,
            pct_other_language=None if year % 2 else 3.0,
            sek_index=18.0,
            pct_teachers_65plus=6.7,
            generated=("pupils_total", "pct_low_income") if year % 3 == 0 else (),
        )
        for year in range(2014, 2024)
    ]
    only_total = [profile(2021, pupils_total=120), profile(2022, pupils_total=117)]
    one_year = [profile(2023, pupils_total=40, pct_low_income=20.0, generated=("pupils_total",))]
    return [
        (list(full), 2022, 2023),
        (list(full), 2015, 2019),
        (list(only_total), 2022, 2030),  # a year without a passport
        (list(one_year), 2023, 2023),  # one year in both pickers
        ([], None, None),  # no passports at all
        (list(full[:2]), 2014, None),
        (list(only_total), None, None),
    ]


def _stress_property() -> None:
    """The child: many ``property()`` calls returning None, True and False."""
    from PySide6.QtCore import QObject

    holder = QObject()
    holder.setProperty("yes", True)
    holder.setProperty("no", False)
    calls = 0
    # A missing property (None), both booleans, and a fresh object each time.
    for _ in range(PROPERTY_CALLS // 4):
        holder.property("x")
        holder.property("yes")
        holder.property("no")
        QObject().property("x")
        calls += 4
    print(f"property calls: {calls}", flush=True)


def _stress_charts() -> None:
    """The child: the passport charts updated with ever different passports."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from shnor_desktop.ui.charts import PassportCharts

    app = QApplication.instance() or QApplication([])
    charts = PassportCharts()
    charts.resize(900, 700)
    cases = _cases()
    updates = 0
    for i in range(CHART_UPDATES):
        profiles, year_a, year_b = cases[i % len(cases)]
        charts.set_data(profiles, year_a, year_b)
        updates += 1
        if i % 100 == 0:
            charts.grab()  # paint now and then: painting reads the items too
    del charts, app
    print(f"chart updates: {updates}", flush=True)


def _run_child(part: str) -> str:
    """Run this file as a script doing ``part``; fail unless it ends normally."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    result = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), part],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        cwd=ROOT,
        check=False,
    )
    # A fatal error (none_dealloc, bool_dealloc) aborts the child: exit code -6.
    assert result.returncode == 0, (
        f"the {part} stress ended with {result.returncode}:\n{result.stderr[-3000:]}"
    )
    return result.stdout


def test_property_returning_none_and_booleans_does_not_crash() -> None:
    assert f"property calls: {PROPERTY_CALLS}" in _run_child("property")


@pytest.mark.slow  # about 6 s: 2,000 updates of both charts
def test_two_thousand_chart_updates_do_not_crash() -> None:
    assert f"chart updates: {CHART_UPDATES}" in _run_child("charts")


if __name__ == "__main__":
    {"property": _stress_property, "charts": _stress_charts}[sys.argv[1]]()
