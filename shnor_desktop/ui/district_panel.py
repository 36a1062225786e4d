"""The district page: its card, yearly district figures and the people with roles."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from shnor_desktop.models.district import ROLE_LABELS, District, DistrictYear, Person
from shnor_desktop.models.errors import DomainError
from shnor_desktop.models.text import format_number, parse_number
from shnor_desktop.ui.common import ROLE_ID, ROLE_RECORD, ROLE_SORT, DataBus, Panel
from shnor_desktop.ui.messages import show_warning

AnyIndex = QModelIndex | QPersistentModelIndex

# The district fields the card shows and the dialog edits, in order.
DISTRICT_FIELDS = (
    "name",
    "region",
    "office",
    "centre",
    "head_of_office",
    "coordinator",
    "population",
)


def district_field_label(name: str) -> str:
    """The translated label of a district field."""
    labels = {
        "name": QCoreApplication.translate("district", "Наименование"),
        "region": QCoreApplication.translate("district", "Субъект РФ"),
        "office": QCoreApplication.translate("district", "Орган управления образованием"),
        "centre": QCoreApplication.translate("district", "Районный центр"),
        "head_of_office": QCoreApplication.translate("district", "Руководитель управления"),
        "coordinator": QCoreApplication.translate("district", "Муниципальный координатор"),
        "population": QCoreApplication.translate("district", "Численность населения"),
    }
    return labels.get(name, name)


def role_label(code: str) -> str:
    """The translated label of a role code."""
    return QCoreApplication.translate("district", ROLE_LABELS.get(code, code))


_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)


class DistrictYearModel(QAbstractTableModel):
    """District-wide figures by school year."""

    (
        COL_YEAR,
        COL_TOTAL,
        COL_GRADE1,
        COL_GRADE9,
        COL_GRADE11,
        COL_BUSED,
        COL_BUSES,
        COL_SOURCE,
    ) = range(8)
    _FIELDS = (
        "year",
        "pupils_total",
        "pupils_grade1",
        "pupils_grade9",
        "pupils_grade11",
        "pupils_bused",
        "buses",
        "source",
    )

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[DistrictYear] = []

    def set_rows(self, rows: list[DistrictYear]) -> None:
        """Show these figures."""
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def record(self, row: int) -> DistrictYear:
        """The figures of a row."""
        return self._rows[row]

    def row_of_year(self, year: int) -> int:
        """The row of a school year, -1 when it is not shown."""
        return next((i for i, r in enumerate(self._rows) if r.year == year), -1)

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._FIELDS)

    def headerData(  # noqa: N802
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        if not 0 <= section < len(self._FIELDS):
            return None
        return (
            self.tr("Год"),
            self.tr("Обучающихся"),
            self.tr("1 класс"),
            self.tr("9 класс"),
            self.tr("11 класс"),
            self.tr("Подвоз"),
            self.tr("Автобусов"),
            self.tr("Источник"),
        )[section]

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        record = self._rows[index.row()]
        column = index.column()
        value = getattr(record, self._FIELDS[column])
        if role == Qt.ItemDataRole.DisplayRole:
            if column == self.COL_YEAR:
                # District figures carry the year as the documents write it («в 2022 – 1567»).
                return str(record.year)
            if column == self.COL_SOURCE:
                return self._source_label(record.source)
            return format_number(value, 0)
        if role == Qt.ItemDataRole.TextAlignmentRole and column not in (
            self.COL_YEAR,
            self.COL_SOURCE,
        ):
            return _RIGHT
        if role == ROLE_SORT:
            return value
        if role == ROLE_ID:
            return record.year
        if role == ROLE_RECORD:
            return record
        return None

    def _source_label(self, source: str) -> str:
        labels = {
            "manual": self.tr("введено вручную"),
            "seed": self.tr("отчёт района"),
            "import": self.tr("импорт"),
            "demo": self.tr("демо-данные"),
        }
        return labels.get(source, source)

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable


class PeopleModel(QAbstractTableModel):
    """People of the district programme with their roles."""

    COL_NAME, COL_POSITION, COL_ROLES = range(3)

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[Person] = []

    def set_rows(self, rows: list[Person]) -> None:
        """Show these people."""
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def record(self, row: int) -> Person:
        """The person of a row."""
        return self._rows[row]

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else 3

    def headerData(  # noqa: N802
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        if not 0 <= section < 3:
            return None
        return (self.tr("ФИО"), self.tr("Должность"), self.tr("Роли"))[section]

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        person = self._rows[index.row()]
        column = index.column()
        if role in (Qt.ItemDataRole.DisplayRole, ROLE_SORT):
            if column == self.COL_NAME:
                return person.full_name
            if column == self.COL_POSITION:
                return person.position
            return ", ".join(role_label(r) for r in person.roles)
        if role == Qt.ItemDataRole.ToolTipRole:
            return person.organisation or None
        if role == ROLE_ID:
            return person.id
        if role == ROLE_RECORD:
            return person
        return None

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable


class DistrictDialog(QDialog):
    """Edits the district card; ``values()`` gives what to save once accepted."""

    def __init__(self, district: District | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Сведения о районе"))
        self.setMinimumWidth(680)
        self.edits: dict[str, QLineEdit] = {}
        form = QFormLayout()
        for name in DISTRICT_FIELDS:
            edit = QLineEdit(self)
            value = getattr(district, name) if district is not None else None
            if name == "population":
                edit.setText(format_number(value, 0) if value is not None else "")
                edit.setPlaceholderText(self.tr("человек, например 12 757"))
            else:
                edit.setText(value or "")
                edit.setCursorPosition(0)  # show the start of a long name
            self.edits[name] = edit
            form.addRow(district_field_label(name) + ":", edit)
        self.error_label = QLabel(self)
        self.error_label.setStyleSheet("color: #b00020;")
        self.error_label.setWordWrap(True)
        self.error_label.hide()
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.button(QDialogButtonBox.StandardButton.Save).setText(self.tr("Сохранить"))
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("Отмена"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error_label)
        layout.addWidget(buttons)
        self._values: dict[str, Any] = {}

    def values(self) -> dict[str, Any]:
        """The checked values (after ``accept()`` succeeded)."""
        return dict(self._values)

    def _check(self) -> str | None:
        """Read the fields into ``_values``; return the problem, if any."""
        values: dict[str, Any] = {}
        for name in DISTRICT_FIELDS:
            text = self.edits[name].text().strip()
            if name == "population":
                try:
                    number = parse_number(text)
                except ValueError:
                    return self.tr(
                        "Численность населения должна быть целым числом, например 12 757."
                    )
                if number is not None and (number < 0 or not number.is_integer()):
                    return self.tr(
                        "Численность населения должна быть целым неотрицательным числом."
                    )
                values[name] = None if number is None else int(number)
            else:
                values[name] = text
        if not values["name"]:
            return self.tr("Укажите наименование района.")
        self._values = values
        return None

    def accept(self) -> None:
        """Close only when the values are valid; otherwise say what is wrong."""
        problem = self._check()
        if problem is not None:
            self.error_label.setText(problem)
            self.error_label.show()
            return
        super().accept()


class DistrictPanel(Panel):
    """The district card, its yearly figures and the working group."""

    TITLE = "Район и рабочая группа"  # source string, context "Panel"

    def __init__(self, bus: DataBus, parent: QWidget | None = None) -> None:
        super().__init__(bus, parent)
        self.dialog: DistrictDialog | None = None
        self._district: District | None = None

        self.card = QGroupBox(self.tr("Район"), self)
        card_layout = QHBoxLayout(self.card)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.card_labels: dict[str, QLabel] = {}
        for name in DISTRICT_FIELDS:
            label = QLabel(self.card)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            label.setWordWrap(True)
            self.card_labels[name] = label
            form.addRow(district_field_label(name) + ":", label)
        self.empty_label = QLabel(
            self.tr(
                "Сведения о районе ещё не заполнены. Нажмите «Заполнить…» "
                "или загрузите демонстрационные данные."
            ),
            self.card,
        )
        self.empty_label.setWordWrap(True)
        self.edit_button = QPushButton(self.tr("Изменить…"), self.card)
        self.edit_button.clicked.connect(self._on_edit_button_clicked)
        left = QVBoxLayout()
        left.addWidget(self.empty_label)
        left.addLayout(form)
        card_layout.addLayout(left, 1)
        card_layout.addWidget(self.edit_button, 0, Qt.AlignmentFlag.AlignTop)

        self.year_model = DistrictYearModel(self)
        self.year_view = self._make_view(self.year_model)
        self.people_model = PeopleModel(self)
        self.people_view = self._make_view(self.people_model)
        self.people_view.horizontalHeader().setSectionResizeMode(
            PeopleModel.COL_ROLES, QHeaderView.ResizeMode.Stretch
        )
        self.year_view.horizontalHeader().setSectionResizeMode(
            DistrictYearModel.COL_SOURCE, QHeaderView.ResizeMode.Stretch
        )

        years_box = QGroupBox(self.tr("Показатели района по годам"), self)
        QVBoxLayout(years_box).addWidget(self.year_view)
        people_box = QGroupBox(self.tr("Рабочая группа и ответственные лица"), self)
        QVBoxLayout(people_box).addWidget(self.people_view)
        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.addWidget(years_box)
        splitter.addWidget(people_box)
        splitter.setChildrenCollapsible(False)
        splitter.setStretchFactor(0, 0)
        splitter.setStretchFactor(1, 1)
        # The yearly table holds a few rows: it takes their height, the people get the rest.
        years_box.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)

        layout = QVBoxLayout(self)
        layout.addWidget(self.card)
        layout.addWidget(splitter, 1)
        self.reload()

    def _make_view(self, model: QAbstractTableModel) -> QTableView:
        view = QTableView(self)
        view.setModel(model)
        view.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        view.setAlternatingRowColors(True)
        view.verticalHeader().hide()
        view.setWordWrap(False)
        return view

    # --- reading --------------------------------------------------------------------
    def reload(self) -> None:
        """Read the district, its figures and people again."""
        db = self.db
        self._district = db.district.district() if db is not None else None
        self.year_model.set_rows(db.district.years() if db is not None else [])
        self.people_model.set_rows(db.district.people() if db is not None else [])
        for view in (self.year_view, self.people_view):
            view.resizeColumnsToContents()
        self._fit_year_view()
        district = self._district
        for name, label in self.card_labels.items():
            value = getattr(district, name) if district is not None else None
            if name == "population" and value is not None:
                label.setText(self.tr("%1 чел.").replace("%1", format_number(value, 0)))
            else:
                label.setText(str(value or "—"))
        self.empty_label.setVisible(db is not None and district is None)
        self.edit_button.setEnabled(db is not None)
        self.edit_button.setText(
            self.tr("Изменить…") if district is not None else self.tr("Заполнить…")
        )

    def _fit_year_view(self, max_rows: int = 10) -> None:
        """Make the yearly table as high as its rows (up to ``max_rows``)."""
        view = self.year_view
        rows = min(max(self.year_model.rowCount(), 1), max_rows)
        row_height = view.verticalHeader().defaultSectionSize()
        height = view.horizontalHeader().sizeHint().height() + rows * row_height
        view.setMaximumHeight(height + 2 * view.frameWidth() + 2)
        view.setMinimumHeight(
            min(height, view.horizontalHeader().sizeHint().height() + 2 * row_height)
        )

    # --- editing --------------------------------------------------------------------
    def _on_edit_button_clicked(self) -> None:
        self.edit_district()

    def edit_district(self) -> DistrictDialog | None:
        """Open the district dialog (window-modal); it saves when accepted."""
        if self.db is None:
            return None
        self.dialog = DistrictDialog(self._district, self)
        self.dialog.accepted.connect(self._on_dialog_accepted)
        self.dialog.open()
        return self.dialog

    def _on_dialog_accepted(self) -> None:
        dialog, self.dialog = self.dialog, None
        if dialog is None or self.db is None:
            return
        values = dialog.values()
        dialog.deleteLater()
        try:
            if self._district is None:
                set_id: int | None = self.db.district.create(
                    values, {}, self.tr("Заполнение сведений о районе")
                )
            else:
                set_id = self.db.district.update(values, self.tr("Изменение сведений о районе"))
        except DomainError as exc:
            show_warning(
                self,
                self.tr("Сведения о районе не сохранены"),
                self.tr(
                    "Сведения о районе не сохранены: база данных отклонила значения (%1)."
                ).replace("%1", str(exc)),
            )
            return
        if set_id is None:
            self.sig_status.emit(self.tr("Сведения о районе не изменились."))
            return
        self.sig_undoable.emit(set_id)
        self.sig_status.emit(self.tr("Сведения о районе сохранены."))
