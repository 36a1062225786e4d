"""The shared table-model base: partial updates keep the selection, lazy pages, the tester."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtTest import QAbstractItemModelTester
from PySide6.QtWidgets import QTableView
from pytestqt.qtbot import QtBot

from shnor_desktop.models.text import format_number
from shnor_desktop.ui.common import ROLE_ID, ROLE_RECORD
from shnor_desktop.ui.table_model import Column, RecordTableModel


@dataclass(frozen=True)
class Row:
    id: int
    name: str
    pupils: int | None


class Schools(RecordTableModel):
    CONTEXT = "test"
    COLUMNS = (
        Column("Школа", lambda r: r.name),
        Column("Чел.", lambda r: format_number(r.pupils, 0), right=True, sort=lambda r: r.pupils),
    )
    COL_NAME, COL_PUPILS = range(2)


ROWS = [Row(1, "СОШ с. Бартеневка", 86), Row(2, "ООШ с. Арбузовка", 27), Row(3, "Гимназия", 368)]


def test_changed_values_update_in_place_and_keep_the_selection(qtbot: QtBot) -> None:
    model = Schools()
    QAbstractItemModelTester(model, QAbstractItemModelTester.FailureReportingMode.Fatal)
    view = QTableView()
    qtbot.addWidget(view)
    view.setModel(model)
    model.set_rows(ROWS)
    view.selectRow(1)
    resets: list[int] = []
    changed: list[int] = []
    model.modelReset.connect(lambda: resets.append(1))
    model.dataChanged.connect(lambda top, _bottom, _roles=(): changed.append(top.row()))

    model.set_rows([ROWS[0], Row(2, "ООШ с. Арбузовка", 30), ROWS[2]])

    assert (resets, changed) == ([], [1])
    assert model.index(1, Schools.COL_PUPILS).data() == "30"
    assert [i.row() for i in view.selectionModel().selectedRows()] == [1]
    assert model.index(1, 0).data(ROLE_ID) == 2
    assert model.index(1, 0).data(ROLE_RECORD) == Row(2, "ООШ с. Арбузовка", 30)
    right = model.index(1, Schools.COL_PUPILS).data(Qt.ItemDataRole.TextAlignmentRole)
    assert right & int(Qt.AlignmentFlag.AlignRight)

    model.set_rows(ROWS[:2])  # a row went away: a reset
    assert resets == [1]
    assert model.rowCount() == 2


def test_lazy_fetching_reads_pages_as_the_view_asks(qtbot: QtBot) -> None:
    asked: list[tuple[int, int]] = []
    data = [Row(i, f"Школа {i}", i) for i in range(1, 1201)]

    def fetch(offset: int, limit: int) -> list[Row]:
        asked.append((offset, limit))
        return data[offset : offset + limit]

    model = Schools(fetch=fetch)
    assert model.rowCount() == 0 and model.canFetchMore(QModelIndex())
    model.fetchMore(QModelIndex())
    assert model.rowCount() == 500
    while model.canFetchMore(QModelIndex()):
        model.fetchMore(QModelIndex())
    assert model.rowCount() == 1200
    assert asked == [(0, 500), (500, 500), (1000, 500)]
    QAbstractItemModelTester(model, QAbstractItemModelTester.FailureReportingMode.Fatal)
    assert model.headerData(0, Qt.Orientation.Horizontal) == "Школа"
