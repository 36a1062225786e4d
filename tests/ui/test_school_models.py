"""The item models of the passport panel under Qt's own model tester.

The tester watches every signal the model sends while it refreshes: a value
change, a new order, a filter, a pinned school that no longer matches.  Its
complaints are Qt warnings, which fail the test (qt_log_level_fail).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtTest import QAbstractItemModelTester

from shnor_desktop.models.database import Database
from shnor_desktop.models.schools import SchoolQuery
from shnor_desktop.ui.common import ROLE_ID
from shnor_desktop.ui.school_models import HistoryModel, SchoolTreeModel

WARN = QAbstractItemModelTester.FailureReportingMode.Warning

# pytest-qt's QtBot has no type hints on its event methods: tests use it through Any.
Bot = Any


@pytest.fixture
def db(demo_db: Database) -> Database:
    """The demo district (``demo_db`` of conftest.py)."""
    return demo_db


class Spy:
    """Counts what a model tells its views."""

    def __init__(self, model: SchoolTreeModel) -> None:
        self.resets = 0
        self.layouts = 0
        self.changed: list[int] = []
        model.modelReset.connect(self._on_reset)
        model.layoutChanged.connect(self._on_layout)
        model.dataChanged.connect(self._on_data)

    def _on_reset(self) -> None:
        self.resets += 1

    def _on_layout(self) -> None:
        self.layouts += 1

    def _on_data(self, first: QModelIndex, _last: QModelIndex, _roles: object = ()) -> None:
        self.changed.append(first.data(ROLE_ID))


def _id(db: Database, needle: str) -> int:
    return db.schools.rows(SchoolQuery(search=needle, year=2022))[0].id


def test_school_tree_refreshes_tell_views_only_what_changed(db: Database) -> None:
    model = SchoolTreeModel()
    tester = QAbstractItemModelTester(model, WARN)
    model.set_repository(db.schools, refresh=False)
    query = SchoolQuery(year=2022)
    model.set_query(query)
    spy = Spy(model)
    bartenevka = _id(db, "бартеневка")
    kept = QPersistentModelIndex(model.index_of(bartenevka))

    # A value changes, the rows stay where they are: dataChanged for that row only.
    db.schools.set_profile_value(bartenevka, 2022, "pct_low_income", 12, "тест")
    db.schools.set_profile_value(bartenevka, 2022, "pupils_total", 87, "тест")
    model.refresh()
    assert (spy.resets, spy.layouts) == (0, 0)
    assert spy.changed == [bartenevka]
    assert model.index_of(bartenevka).siblingAtColumn(SchoolTreeModel.COL_PUPILS).data() == "87"

    # A new order: a layout change, and persistent indexes follow their rows.
    model.sort(SchoolTreeModel.COL_PUPILS, Qt.SortOrder.DescendingOrder)
    assert (spy.resets, spy.layouts) == (0, 1)
    assert kept.isValid() and kept.data(ROLE_ID) == bartenevka
    assert kept.row() == model.index_of(bartenevka).row()
    assert model.index(0, SchoolTreeModel.COL_PUPILS).data() == "467"

    # Rows that disappear: a reset.
    model.set_query(replace(model.query, group="risk"))
    assert spy.resets == 1
    assert model.counts() == (3, 0)
    del tester


def test_a_pinned_school_stays_listed_when_it_stops_matching(db: Database) -> None:
    model = SchoolTreeModel()
    tester = QAbstractItemModelTester(model, WARN)
    model.set_repository(db.schools, refresh=False)
    model.set_query(SchoolQuery(year=2022, group="risk"))
    arbuzovka = _id(db, "арбузовка")
    model.set_pinned(arbuzovka)
    db.schools.set_profile_value(arbuzovka, 2022, "group_code", "leader", "тест")
    model.refresh()
    index = model.index_of(arbuzovka)
    assert index.isValid() and model.is_kept(arbuzovka)
    assert index.data(Qt.ItemDataRole.ForegroundRole) is not None  # greyed
    assert "остаётся в списке" in index.data(Qt.ItemDataRole.ToolTipRole)
    assert model.counts() == (2, 0)  # the pinned school is not counted as found
    # A pinned branch brings its school along.
    nikolaevka = _id(db, "николаевка")
    model.set_pinned(nikolaevka)
    model.refresh()
    assert not model.index_of(arbuzovka).isValid()
    branch = model.index_of(nikolaevka)
    assert branch.isValid() and model.parent(branch).isValid()
    model.set_pinned(None)
    model.refresh()
    assert not model.index_of(nikolaevka).isValid()
    del tester


def test_history_model_passes_the_model_tester(db: Database) -> None:
    school_id = _id(db, "бартеневка")
    for value in (12, 13, 14):
        db.schools.set_profile_value(school_id, 2022, "pct_low_income", value, "тест")
    changes = db.schools.profile_history(school_id, 2022, "pct_low_income")
    model = HistoryModel(changes, lambda v: "—" if v is None else str(v))
    tester = QAbstractItemModelTester(model, WARN)
    assert model.rowCount() == len(changes) >= 3
    assert float(model.index(0, HistoryModel.COL_NEW).data()) == 14  # newest first
    assert model.index(0, HistoryModel.COL_ACTION).data().startswith("Правка")
    del tester
