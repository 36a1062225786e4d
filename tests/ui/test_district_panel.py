"""The district page: card, yearly figures, people with roles, editing the card."""

from __future__ import annotations

from PySide6.QtCore import Qt

from shnor_desktop.models.database import Database
from shnor_desktop.ui.common import ROLE_RECORD, DataBus
from shnor_desktop.ui.district_panel import DistrictPanel, DistrictYearModel, PeopleModel


def _panel(qtbot, db: Database) -> DistrictPanel:
    bus = DataBus()
    bus.attach(db)
    panel = DistrictPanel(bus)
    qtbot.addWidget(panel)
    panel.set_database(db)
    return panel


def _cell(model, row: int, column: int) -> str:
    return model.data(model.index(row, column), Qt.ItemDataRole.DisplayRole)


def test_models_pass_the_model_tester(qtbot, qtmodeltester, district_db: Database) -> None:
    panel = _panel(qtbot, district_db)
    qtmodeltester.check(panel.year_model)
    qtmodeltester.check(panel.people_model)
    qtmodeltester.check(DistrictYearModel())
    qtmodeltester.check(PeopleModel())


def test_shows_district_years_and_people(qtbot, district_db: Database) -> None:
    panel = _panel(qtbot, district_db)
    assert panel.title() == "Район и рабочая группа"
    assert panel.card_labels["name"].text() == "Ивантеевский муниципальный район"
    assert panel.card_labels["population"].text() == "12\u00a0757 чел."

    model = panel.year_model
    assert model.rowCount() == 3
    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(8)]
    assert headers == [
        "Год",
        "Обучающихся",
        "1 класс",
        "9 класс",
        "11 класс",
        "Подвоз",
        "Автобусов",
        "Источник",
    ]
    row = model.row_of_year(2023)
    assert _cell(model, row, DistrictYearModel.COL_YEAR) == "2023"
    assert _cell(model, row, DistrictYearModel.COL_TOTAL) == "1\u00a0539"
    assert _cell(model, row, DistrictYearModel.COL_BUSED) == "256"
    assert _cell(model, model.row_of_year(2021), DistrictYearModel.COL_BUSED) == ""

    people = panel.people_model
    assert people.rowCount() == 2
    by_name = {
        _cell(people, r, PeopleModel.COL_NAME): _cell(people, r, PeopleModel.COL_ROLES)
        for r in range(people.rowCount())
    }
    assert by_name == {
        "Иванова Мария Петровна": "Муниципальный координатор, Рабочая группа",
        "Петров Сергей Иванович": "Тьютор-консультант",
    }


def test_edit_dialog_saves_and_offers_undo(qtbot, district_db: Database) -> None:
    panel = _panel(qtbot, district_db)
    emitted: list[int] = []
    panel.sig_undoable.connect(emitted.append)

    qtbot.mouseClick(panel.edit_button, Qt.MouseButton.LeftButton)
    dialog = panel.dialog
    assert dialog is not None and dialog.isVisible()
    assert dialog.edits["population"].text() == "12\u00a0757"

    # A bad population is refused inside the dialog, which stays open.
    dialog.edits["population"].setText("двенадцать")
    dialog.accept()
    assert dialog.isVisible()
    assert "целым числом" in dialog.error_label.text()
    assert district_db.district.district().population == 12757

    dialog.edits["coordinator"].setText("Сидорова Анна Викторовна")
    dialog.edits["population"].setText("12 800")
    dialog.accept()

    district = district_db.district.district()
    assert district.coordinator == "Сидорова Анна Викторовна"
    assert district.population == 12800
    assert len(emitted) == 1
    assert district_db.log.get_set(emitted[0]).label == "Изменение сведений о районе"
    # The bus reloaded the card.
    assert panel.card_labels["coordinator"].text() == "Сидорова Анна Викторовна"

    # Undo through the stack the main window keeps restores the old value.
    district_db.undo.push(emitted[0])
    district_db.undo.undo()
    assert district_db.district.district().coordinator == "Иванова Мария Петровна"
    assert panel.card_labels["coordinator"].text() == "Иванова Мария Петровна"


def test_unchanged_dialog_writes_nothing(qtbot, district_db: Database) -> None:
    panel = _panel(qtbot, district_db)
    emitted: list[int] = []
    panel.sig_undoable.connect(emitted.append)
    before = len(district_db.log.recent_sets())
    dialog = panel.edit_district()
    assert dialog is not None
    dialog.accept()
    assert emitted == []
    assert len(district_db.log.recent_sets()) == before


def test_empty_database_offers_to_fill_in(qtbot, tmp_path) -> None:
    db = Database.open(tmp_path / "empty.sqlite")
    try:
        panel = _panel(qtbot, db)
        assert panel.empty_label.isVisible() or not panel.isVisible()
        assert panel.edit_button.text() == "Заполнить…"
        emitted: list[int] = []
        panel.sig_undoable.connect(emitted.append)
        dialog = panel.edit_district()
        assert dialog is not None
        dialog.accept()  # no name yet
        assert "наименование" in dialog.error_label.text()
        dialog.edits["name"].setText("Ивантеевский муниципальный район")
        dialog.accept()
        assert db.district.district().name == "Ивантеевский муниципальный район"
        assert len(emitted) == 1
        assert panel.edit_button.text() == "Изменить…"
        assert panel.year_model.data(panel.year_model.index(0, 0), ROLE_RECORD) is None
    finally:
        db.close()
