"""The district page: its card, yearly district figures and the people with roles.

People and yearly figures are added, changed and removed here (buttons,
double-click, context menu, Insert / Enter / Delete).  Dialogs check the
values with the domain's field checks first, keep what was typed when a value
is refused and say why under the field; only a successful write closes them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QEvent,
    QItemSelectionModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QPoint,
    QSize,
    Qt,
)
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from shnor_desktop.models.database import Database
from shnor_desktop.models.district import (
    DISTRICT_SPECS,
    DISTRICT_YEAR_COUNTS,
    DISTRICT_YEAR_SPECS,
    PERSON_SPECS,
    ROLE_LABELS,
    District,
    DistrictYear,
    Person,
    PersonReferences,
    check_district,
    check_district_year,
    check_person,
)
from shnor_desktop.models.errors import DomainError
from shnor_desktop.models.fields import FieldIssue, FieldSpec
from shnor_desktop.models.text import (
    current_school_year,
    format_number,
    parse_school_year,
    plural,
    school_year_label,
)
from shnor_desktop.services.messages import describe_error, describe_issue
from shnor_desktop.ui.common import ROLE_RECORD, DataBus, Panel
from shnor_desktop.ui.forms import FormDialog, Values
from shnor_desktop.ui.messages import ask_yes_no, show_warning
from shnor_desktop.ui.table_model import Column, RecordTableModel

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

# Where the card shows each field: (row, label column, columns the value spans).
_CARD_PLACES: dict[str, tuple[int, int, int]] = {
    "name": (0, 0, 3),
    "office": (1, 0, 3),
    "region": (2, 0, 1),
    "centre": (2, 2, 1),
    "coordinator": (3, 0, 1),
    "head_of_office": (3, 2, 1),
    "population": (4, 0, 1),
}

# Narrowest a column of the people's table is squeezed to (the full text is in its tooltip).
MIN_PEOPLE_COLUMN_WIDTH = 90


def share_widths(natural: list[int], available: int, minimum: int) -> list[int]:
    """Fit columns into ``available`` pixels: narrow the widest ones first, to ``minimum``.

    Columns that fit keep their natural width; the rest get the same cap, so a
    long position does not push the roles out of sight.
    """
    if sum(natural) <= available:
        return list(natural)
    widths = sorted(natural)
    rest, count = available, len(widths)
    cap = minimum
    for i, width in enumerate(widths):
        share = rest // (count - i)
        if width > share:
            cap = max(share, minimum)
            break
        rest -= width
    return [min(w, cap) for w in natural]


# The tables whose changes this page shows (schools: the names of people's schools).
SHOWN_TABLES = frozenset({"district", "district_year", "person", "person_role", "school"})


def _tr(text: str) -> str:
    return QCoreApplication.translate("district", text)


def _spec_label(specs: tuple[FieldSpec, ...], name: str, extra: dict[str, str]) -> str:
    """The translated label of a field, from the table's field specs (the one source)."""
    label = next((spec.label for spec in specs if spec.name == name), extra.get(name, name))
    return _tr(label)


def district_field_label(name: str) -> str:
    """The translated label of a district field."""
    return _spec_label(DISTRICT_SPECS, name, {})


def year_field_label(name: str) -> str:
    """The translated label of a field of the district's yearly figures."""
    return _spec_label(DISTRICT_YEAR_SPECS, name, {})


def person_field_label(name: str) -> str:
    """The translated label of a person's field."""
    return _spec_label(PERSON_SPECS, name, {"roles": "Роли"})


def role_label(code: str) -> str:
    """The translated label of a role code."""
    return _tr(ROLE_LABELS.get(code, code))


def person_removal_question(person: Person, refs: PersonReferences) -> str:
    """Say what removing a person does, naming what refers to them."""
    parts: list[str] = []
    if refs.curator_of:
        parts.append(
            _tr("куратор в %1 %2")
            .replace("%1", str(refs.curator_of))
            .replace(
                "%2",
                plural(
                    refs.curator_of,
                    _tr("паспорте школы"),
                    _tr("паспортах школ"),
                    _tr("паспортах школ"),
                ),
            )
        )
    if refs.tutor_visits:
        parts.append(
            _tr("автор %1 %2 журнала тьютора")
            .replace("%1", str(refs.tutor_visits))
            .replace(
                "%2",
                plural(
                    refs.tutor_visits,
                    _tr("записи"),
                    _tr("записей"),
                    _tr("записей"),
                ),
            )
        )
    for count, text in (
        (refs.meetings_chaired, _tr("председатель %1 %2")),
        (refs.meetings_attended, _tr("участник %1 %2")),
    ):
        if count:
            parts.append(
                text.replace("%1", str(count)).replace(
                    "%2",
                    plural(
                        count,
                        _tr("заседания"),
                        _tr("заседаний"),
                        _tr("заседаний"),
                    ),
                )
            )
    text = _tr("Удалить «%1» из списка людей?").replace("%1", person.full_name)
    if person.roles:
        text += " " + _tr("Роли (%1) тоже будут удалены.").replace(
            "%1", ", ".join(role_label(r) for r in person.roles)
        )
    if parts:
        text += "\n\n" + _tr(
            "На этого человека ссылаются другие записи: %1. Эти ссылки будут очищены."
        ).replace("%1", "; ".join(parts))
    return text + "\n\n" + _tr("Удаление можно отменить: Правка → Отменить.")


def remove_person_asking(
    parent: QWidget,
    db: Database,
    person_id: int,
    question: Callable[[Person, PersonReferences], str] = person_removal_question,
) -> tuple[int | None, str] | None:
    """Ask, then remove a person through the write path; (change set, label) or None.

    The «Район и рабочая группа» and «Люди» pages both remove people this way
    (one flow, one refusal wording); a page may word the question itself.
    """
    try:
        person = db.district.person(person_id)
        refs = db.district.person_references(person_id)
    except DomainError as exc:
        show_warning(parent, _tr("Человек не удалён"), describe_error(exc))
        return None
    if not ask_yes_no(
        parent,
        _tr("Удаление человека"),
        question(person, refs),
        _tr("Удалить"),
    ):
        return None
    label = _tr("Удалён человек «%1»").replace("%1", person.full_name)
    try:
        set_id = db.district.remove_person(person_id, label)
    except DomainError as exc:
        show_warning(parent, _tr("Человек не удалён"), describe_error(exc))
        return None
    return set_id, label


def issue_text(issue: FieldIssue) -> str:  # noqa: PLR0911 (one wording per code)
    """Word a problem of a district, yearly figure or person field in Russian."""
    args = issue.args
    code = issue.code
    if code == "required":
        if issue.field == "full_name":
            return _tr("Укажите фамилию, имя и отчество.")
        if issue.field == "name":
            return _tr("Укажите наименование района.")
        return _tr("Поле обязательно.")
    if code == "not_number":
        example = "12 757" if issue.field == "population" else "1 539"
        return _tr("Нужно целое число, например %1.").replace("%1", example)
    if code == "not_integer":
        return _tr("Нужно целое число, без дробной части.")
    if code == "negative":
        return _tr("Число не может быть отрицательным.")
    if code == "not_school_year":
        return _tr("Укажите учебный год так: %1.").replace(
            "%1", school_year_label(current_school_year())
        )
    if code == "out_of_range" and issue.field == "year" and len(args) == 3:
        return (
            _tr("Учебный год должен быть от %1 до %2.")
            .replace("%1", school_year_label(int(args[1])))
            .replace("%2", school_year_label(int(args[2])))
        )
    if code == "too_large" and len(args) == 2:
        return _tr("Слишком большое число: не больше %1.").replace("%1", format_number(args[1], 0))
    if code == "duplicate_year" and args:
        return _tr(
            "Показатели района за %1 учебный год уже есть: выберите другой год "
            "или измените ту строку."
        ).replace("%1", school_year_label(int(args[0])))
    if code == "no_district":
        return _tr("Сначала заполните сведения о районе.")
    if code == "phone_format":
        return _tr(
            "Телефон пишется цифрами (не меньше 5) с пробелами, скобками, «+» и «-», "
            "например 8 (84579) 5-12-34 или +7 927 123-45-67."
        )
    if code == "email_format":
        return _tr("Адрес эл. почты пишется так: name@example.ru.")
    if code == "unknown_choice" and issue.field == "role" and args:
        return _tr("Неизвестная роль «%1».").replace("%1", str(args[0]))
    text = describe_issue(issue)  # the shared wording of the write path's rules
    return text[:1].upper() + text[1:] + "."


_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)


def _source_label(source: str) -> str:
    labels = {
        "manual": _tr("введено вручную"),
        "seed": _tr("отчёт района"),
        "import": _tr("импорт"),
        "demo": _tr("демо-данные"),
    }
    return labels.get(source, source)


def _count_column(header: str, name: str) -> Column:
    return Column(
        header,
        lambda r: format_number(getattr(r, name), 0),
        right=True,
        sort=lambda r: getattr(r, name),
    )


class DistrictYearModel(RecordTableModel):
    """District-wide figures by school year (every panel writes years as 2022/23)."""

    CONTEXT = "DistrictYearModel"
    COLUMNS = (
        Column("Учебный год", lambda r: school_year_label(r.year), sort=lambda r: r.year),
        _count_column("Обучающихся", "pupils_total"),
        _count_column("1 класс", "pupils_grade1"),
        _count_column("9 класс", "pupils_grade9"),
        _count_column("11 класс", "pupils_grade11"),
        _count_column("Подвоз", "pupils_bused"),
        _count_column("Автобусов", "buses"),
        Column("Источник", lambda r: _source_label(r.source)),
    )
    (
        COL_YEAR,
        COL_TOTAL,
        COL_GRADE1,
        COL_GRADE9,
        COL_GRADE11,
        COL_BUSED,
        COL_BUSES,
        COL_SOURCE,
    ) = range(len(COLUMNS))

    def record(self, row: int) -> DistrictYear:
        """The figures of a row."""
        record: DistrictYear = super().record(row)
        return record

    def row_of_year(self, year: int) -> int:
        """The row of a school year, -1 when it is not shown."""
        return next((i for i, r in enumerate(self.records()) if r.year == year), -1)

    def row_of_id(self, row_id: int) -> int:
        """The row showing the record ``row_id``, -1 when it is not shown."""
        return self.row_of(row_id)


def _roles_text(person: Any) -> str:
    return ", ".join(role_label(r) for r in person.roles)


class PeopleModel(RecordTableModel):
    """People of the district programme with their roles and contacts."""

    CONTEXT = "PeopleModel"
    COLUMNS = (
        Column("ФИО", lambda p: p.full_name, cell_tooltip=lambda p: p.full_name or None),
        Column("Должность", lambda p: p.position, cell_tooltip=lambda p: p.position or None),
        Column("Роли", _roles_text, cell_tooltip=lambda p: _roles_text(p) or None),
        Column("Организация", lambda p: p.organisation_text),
        Column("Телефон", lambda p: p.phone, cell_tooltip=lambda p: p.phone or None),
        Column("Эл. почта", lambda p: p.email, cell_tooltip=lambda p: p.email or None),
    )
    COL_NAME, COL_POSITION, COL_ROLES, COL_ORGANISATION, COL_PHONE, COL_EMAIL = range(len(COLUMNS))

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._schools: dict[int, str] = {}

    def set_rows(self, rows: Sequence[Any], schools: dict[int, str] | None = None) -> None:
        """Show these people; ``schools`` names the schools they work at."""
        self._schools = dict(schools or {})
        super().set_rows([_PersonRow(p, self._organisation(p)) for p in rows])

    def record(self, row: int) -> Person:
        """The person of a row."""
        shown: _PersonRow = super().record(row)
        return shown.person

    def row_of_id(self, person_id: int) -> int:
        """The row of a person, -1 when they are not shown."""
        return self.row_of(person_id)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == ROLE_RECORD and index.isValid():
            return self.record(index.row())
        if role == Qt.ItemDataRole.ToolTipRole and index.column() == self.COL_ORGANISATION:
            return super().data(index, Qt.ItemDataRole.DisplayRole) or None
        return super().data(index, role)

    def _organisation(self, person: Person) -> str:
        school = self._schools.get(person.school_id) if person.school_id is not None else None
        if school and person.organisation:
            return f"{person.organisation}, {school}"
        return school or person.organisation


@dataclass(frozen=True)
class _PersonRow:
    """A person as the table shows them, with the organisation text worked out once."""

    person: Person
    organisation_text: str

    def __getattr__(self, name: str) -> Any:
        return getattr(self.person, name)

    @property
    def id(self) -> int:
        """The person's id (the model's key)."""
        return self.person.id


# --- dialogs ---------------------------------------------------------------------------
class DistrictDialog(FormDialog):
    """Edits the district card."""

    def __init__(self, district: District | None, parent: QWidget | None = None) -> None:
        super().__init__(self.tr("Сведения о районе"), self.tr("Сохранить"), parent, issue_text)
        self.setMinimumWidth(620)
        for name in DISTRICT_FIELDS:
            value = getattr(district, name) if district is not None else None
            if name == "population":
                self.add_line(
                    name,
                    district_field_label(name),
                    format_number(value, 0) if value is not None else "",
                    self.tr("например 12 757"),
                    self.tr("чел."),
                ).setMaximumWidth(160)
            else:
                self.add_line(name, district_field_label(name), value or "")
        self._finish_layout()

    def read(self) -> tuple[Values, list[FieldIssue]]:
        """The district's fields and their problems."""
        issues: list[FieldIssue] = []
        values: Values = {n: self.edits[n].text().strip() for n in DISTRICT_FIELDS}
        values["population"] = self.number("population", issues)
        issues += check_district(
            {k: v for k, v in values.items() if not issues or k != "population"}
        )
        return values, issues


class DistrictYearDialog(FormDialog):
    """Adds or edits the district's figures of one school year."""

    def __init__(
        self, record: DistrictYear | None, default_year: int, parent: QWidget | None = None
    ) -> None:
        if record is None:
            title, save = self.tr("Новые показатели района"), self.tr("Добавить")
        else:
            title = self.tr("Показатели района за %1").replace("%1", school_year_label(record.year))
            save = self.tr("Сохранить")
        super().__init__(title, save, parent, issue_text)
        self.setMinimumWidth(500)
        self.record = record
        year = record.year if record is not None else default_year
        self.add_line(
            "year", year_field_label("year"), school_year_label(year), self.tr("например 2023/24")
        ).setMaximumWidth(120)
        for name in DISTRICT_YEAR_COUNTS:
            value = getattr(record, name) if record is not None else None
            edit = self.add_line(
                name,
                year_field_label(name),
                format_number(value, 0) if value is not None else "",
                unit="" if name == "buses" else self.tr("чел."),
            )
            edit.setAlignment(Qt.AlignmentFlag.AlignRight)
            edit.setMaximumWidth(120)
        self._finish_layout()
        self.edits["year"].setFocus()

    def read(self) -> tuple[Values, list[FieldIssue]]:
        """The year and figures, with their problems."""
        issues: list[FieldIssue] = []
        values: Values = {}
        text = self.edits["year"].text()
        try:
            values["year"] = parse_school_year(text)
        except ValueError:
            issues.append(FieldIssue("year", "not_school_year", "error", (text,)))
        for name in DISTRICT_YEAR_COUNTS:
            values[name] = self.number(name, issues)
        checked = {k: v for k, v in values.items() if k not in {i.field for i in issues}}
        issues += check_district_year(checked)
        return values, issues


class PersonDialog(FormDialog):
    """Adds or edits a person of the working group with their roles."""

    def __init__(
        self,
        person: Person | None,
        schools: list[tuple[str, int]],
        parent: QWidget | None = None,
    ) -> None:
        if person is None:
            title, save = self.tr("Новый человек"), self.tr("Добавить")
        else:
            title, save = self.tr("Сведения о человеке"), self.tr("Сохранить")
        super().__init__(title, save, parent, issue_text)
        self.setMinimumWidth(560)
        self.person = person
        self.add_line(
            "full_name",
            person_field_label("full_name"),
            person.full_name if person else "",
            self.tr("Фамилия Имя Отчество"),
        )
        self.add_line(
            "position",
            person_field_label("position"),
            person.position if person else "",
            self.tr("например, учитель математики"),
        )
        self.add_line(
            "organisation",
            person_field_label("organisation"),
            person.organisation if person else "",
        )
        self.school = QComboBox(self)
        self.school.setObjectName("field_school_id")
        self.school.addItem(self.tr("— не указана —"), None)
        for name, school_id in schools:
            self.school.addItem(name, school_id)
        position = self.school.findData(person.school_id) if person else 0
        self.school.setCurrentIndex(max(position, 0))
        self.add_field("school_id", person_field_label("school_id"), self.school)
        self.add_line(
            "phone",
            person_field_label("phone"),
            person.phone if person else "",
            self.tr("например, 8 (84579) 5-12-34"),
        )
        self.add_line(
            "email",
            person_field_label("email"),
            person.email if person else "",
            self.tr("name@example.ru"),
        )
        self.roles_box = QGroupBox(person_field_label("roles"), self)
        grid = QGridLayout(self.roles_box)
        self.role_boxes: dict[str, QCheckBox] = {}
        held = set(person.roles) if person else set()
        for i, code in enumerate(ROLE_LABELS):
            box = QCheckBox(role_label(code), self.roles_box)
            box.setObjectName(f"role_{code}")
            box.setChecked(code in held)
            self.role_boxes[code] = box
            grid.addWidget(box, i // 2, i % 2)
        self._finish_layout(self.roles_box)
        self.edits["full_name"].setFocus()

    def read(self) -> tuple[Values, list[FieldIssue]]:
        """The person's fields (``roles``: the codes ticked) and their problems."""
        values: Values = {
            name: self.edits[name].text().strip()
            for name in ("full_name", "position", "organisation", "phone", "email")
        }
        values["school_id"] = self.school.currentData()
        issues = check_person(values)
        values["roles"] = [code for code, box in self.role_boxes.items() if box.isChecked()]
        return values, issues


# --- the panel ---------------------------------------------------------------------------
class _TableActions:
    """Add / edit / remove of one table: actions (menu, keys) and buttons, kept in step."""

    def __init__(self, panel: DistrictPanel, view: QTableView, what: str) -> None:
        self.view = view
        self.add = QAction(panel.tr("Добавить…"), view)
        self.edit = QAction(panel.tr("Изменить…"), view)
        self.remove = QAction(panel.tr("Удалить…"), view)
        keys = (
            (self.add, QKeySequence(Qt.Key.Key_Insert)),
            (self.edit, QKeySequence(Qt.Key.Key_Return)),
            (self.remove, QKeySequence(QKeySequence.StandardKey.Delete)),
        )
        for action, key in keys:
            action.setShortcut(key)
            # Keys act on the table that has the focus only.
            action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
            view.addAction(action)
        self.add.setToolTip(panel.tr("Добавить %1").replace("%1", what))
        self.buttons: list[QPushButton] = []
        for action in (self.add, self.edit, self.remove):
            button = QPushButton(action.text(), panel)
            button.setToolTip(action.toolTip())
            button.clicked.connect(action.trigger)
            self.buttons.append(button)
        self.add_button, self.edit_button, self.remove_button = self.buttons

    def set_enabled(self, can_add: bool, has_row: bool) -> None:
        """Enable the actions and their buttons."""
        for action, button, enabled in (
            (self.add, self.add_button, can_add),
            (self.edit, self.edit_button, has_row),
            (self.remove, self.remove_button, has_row),
        ):
            action.setEnabled(enabled)
            button.setEnabled(enabled)

    def button_column(self) -> QVBoxLayout:
        """The buttons one under another, beside the table."""
        column = QVBoxLayout()
        for button in self.buttons:
            column.addWidget(button)
        column.addStretch(1)
        return column


class _Caption(QLabel):
    """A caption of the card: on one line when there is room, wrapped (never cut) when not."""

    def __init__(self, text: str, parent: QWidget | None = None) -> None:
        super().__init__(text, parent)
        self.setWordWrap(True)

    def sizeHint(self) -> QSize:  # noqa: N802
        # A word-wrapped label asks for a "pleasant" width and wraps even with room to spare.
        hint = super().sizeHint()
        line = self.fontMetrics().horizontalAdvance(self.text()) + 2 * self.margin() + 4
        return QSize(max(hint.width(), line), hint.height())


class DistrictPanel(Panel):
    """The district card, its yearly figures and the working group."""

    TITLE = "Район и рабочая группа"  # source string, context "Panel"
    TABLES = SHOWN_TABLES

    def __init__(self, bus: DataBus, parent: QWidget | None = None) -> None:
        super().__init__(bus, parent)
        self.context_menu: QMenu | None = None
        self._district: District | None = None

        self.card = QGroupBox(self.tr("Район"), self)
        card_layout = QHBoxLayout(self.card)
        # Short values two to a line: on a 600-pixel screen the card leaves the working
        # group room for more rows.  The long names (district, office) take a whole line.
        form = QGridLayout()
        form.setColumnStretch(1, 1)
        form.setColumnStretch(3, 1)
        form.setHorizontalSpacing(12)
        self.card_labels: dict[str, QLabel] = {}
        for name, (row, column, span) in _CARD_PLACES.items():
            caption = _Caption(district_field_label(name) + ":", self.card)
            label = QLabel(self.card)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            label.setWordWrap(True)
            self.card_labels[name] = label
            form.addWidget(caption, row, column, Qt.AlignmentFlag.AlignTop)
            form.addWidget(label, row, column + 1, 1, span)
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
        self.people_view.horizontalHeader().setStretchLastSection(True)
        self._people_widths: list[int] = []
        self.people_view.viewport().installEventFilter(self)
        self.year_view.horizontalHeader().setSectionResizeMode(
            DistrictYearModel.COL_SOURCE, QHeaderView.ResizeMode.Stretch
        )
        self.year_actions = _TableActions(self, self.year_view, self.tr("показатели года"))
        self.year_actions.add.triggered.connect(self._on_year_add_triggered)
        self.year_actions.edit.triggered.connect(self._on_year_edit_triggered)
        self.year_actions.remove.triggered.connect(self._on_year_remove_triggered)
        self.people_actions = _TableActions(self, self.people_view, self.tr("человека"))
        self.people_actions.add.triggered.connect(self._on_people_add_triggered)
        self.people_actions.edit.triggered.connect(self._on_people_edit_triggered)
        self.people_actions.remove.triggered.connect(self._on_people_remove_triggered)
        self.year_view.doubleClicked.connect(self._on_year_view_double_clicked)
        self.people_view.doubleClicked.connect(self._on_people_view_double_clicked)
        for view in (self.year_view, self.people_view):
            view.selectionModel().selectionChanged.connect(self._on_selection_changed)
            view.customContextMenuRequested.connect(
                lambda pos, v=view: self._on_view_context_menu_requested(v, pos)
            )

        years_box = QGroupBox(self.tr("Показатели района по учебным годам"), self)
        years_row = QHBoxLayout(years_box)
        years_row.addWidget(self.year_view, 1)
        years_row.addLayout(self.year_actions.button_column())
        people_box = QGroupBox(self.tr("Рабочая группа и ответственные лица"), self)
        people_row = QHBoxLayout(people_box)
        people_row.addWidget(self.people_view, 1)
        people_row.addLayout(self.people_actions.button_column())
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
        view.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        view.setEditTriggers(QTableView.EditTrigger.NoEditTriggers)
        view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        view.setAlternatingRowColors(True)
        view.verticalHeader().hide()
        view.setWordWrap(False)
        return view

    # --- reading --------------------------------------------------------------------
    def reload(self) -> None:
        """Read the district, its figures and people again (the selection is kept)."""
        db = self.db
        year_id, person_id = self.selected_year_id(), self.selected_person_id()
        self._district = db.district.district() if db is not None else None
        self.year_model.set_rows(db.district.years() if db is not None else [])
        schools = {s.id: s.short_name for s in db.schools.all_schools()} if db is not None else {}
        self.people_model.set_rows(db.district.people() if db is not None else [], schools)
        for view in (self.year_view, self.people_view):
            view.resizeColumnsToContents()
        self._people_widths = [
            self.people_view.columnWidth(c) for c in range(self.people_model.columnCount())
        ]
        self._fit_people_columns()
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
        if year_id is not None:
            self._select(self.year_view, self.year_model.row_of_id(year_id))
        if person_id is not None:
            self._select(self.people_view, self.people_model.row_of_id(person_id))
        self._update_actions()

    def _fit_people_columns(self) -> None:
        """Share the table's width among the people's columns (long texts are cut)."""
        view = self.people_view
        widths = share_widths(self._people_widths, view.viewport().width(), MIN_PEOPLE_COLUMN_WIDTH)
        for column, width in enumerate(widths):
            view.setColumnWidth(column, width)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        """Fit the people's columns whenever their table changes width."""
        # The viewport, not the view: the view's own resize comes before its viewport's.
        if watched is self.people_view.viewport() and event.type() == QEvent.Type.Resize:
            self._fit_people_columns()
        return super().eventFilter(watched, event)

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

    # --- selection ------------------------------------------------------------------
    @staticmethod
    def _selected_row(view: QTableView) -> int:
        rows = view.selectionModel().selectedRows()
        return rows[0].row() if rows else -1

    @staticmethod
    def _select(view: QTableView, row: int) -> None:
        if row < 0:
            return
        index = view.model().index(row, 0)
        view.selectionModel().setCurrentIndex(
            index,
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows,
        )
        view.scrollTo(index)

    def selected_year_id(self) -> int | None:
        """The id of the yearly figures selected, None when none is."""
        row = self._selected_row(self.year_view)
        return self.year_model.record(row).id if row >= 0 else None

    def selected_person_id(self) -> int | None:
        """The id of the person selected, None when none is."""
        row = self._selected_row(self.people_view)
        return self.people_model.record(row).id if row >= 0 else None

    def select_person(self, person_id: int) -> bool:
        """Select a person in the table; False when they are not shown."""
        row = self.people_model.row_of_id(person_id)
        self._select(self.people_view, row)
        return row >= 0

    def select_year(self, year: int) -> bool:
        """Select the figures of a school year; False when there are none."""
        row = self.year_model.row_of_year(year)
        self._select(self.year_view, row)
        return row >= 0

    def _on_selection_changed(self) -> None:
        self._update_actions()

    def _update_actions(self) -> None:
        has_db = self.db is not None
        self.year_actions.set_enabled(
            has_db and self._district is not None, self.selected_year_id() is not None
        )
        self.people_actions.set_enabled(has_db, self.selected_person_id() is not None)

    def _on_view_context_menu_requested(self, view: QTableView, pos: QPoint) -> None:
        index = view.indexAt(pos)
        if index.isValid():
            self._select(view, index.row())
        else:
            view.clearSelection()
        actions = self.year_actions if view is self.year_view else self.people_actions
        menu = QMenu(self)
        menu.addActions([actions.add, actions.edit, actions.remove])
        menu.aboutToHide.connect(menu.deleteLater)
        self.context_menu = menu
        menu.popup(view.viewport().mapToGlobal(pos))

    def _on_year_view_double_clicked(self, index: QModelIndex) -> None:
        self.edit_year(self.year_model.record(index.row()).id)

    def _on_people_view_double_clicked(self, index: QModelIndex) -> None:
        self.edit_person(self.people_model.record(index.row()).id)

    # --- after a write ----------------------------------------------------------------
    def _written(self, set_id: int | None, done: str, unchanged: str) -> None:
        # The change log puts the set on the undo stack by itself (Правка → Отменить).
        self.sig_status.emit(unchanged if set_id is None else done)

    # --- the district card ------------------------------------------------------------
    def _on_edit_button_clicked(self) -> None:
        self.edit_district()

    def edit_district(self) -> FormDialog | None:
        """Open the district dialog (window-modal); it saves when accepted."""
        if self.db is None:
            return None
        dialog = DistrictDialog(self._district, self)
        dialog.saver = self._save_district
        return self.open_dialog(dialog)

    def _save_district(self, values: Values) -> None:
        db = self.db
        if db is None:
            return
        if self._district is None:
            set_id: int | None = db.district.create(
                values, {}, self.tr("Заполнение сведений о районе")
            )
        else:
            set_id = db.district.update(values, self.tr("Изменение сведений о районе"))
        self._written(
            set_id,
            self.tr("Сведения о районе сохранены."),
            self.tr("Сведения о районе не изменились."),
        )

    # --- yearly figures --------------------------------------------------------------
    def _on_year_add_triggered(self) -> None:
        self.add_year()

    def _on_year_edit_triggered(self) -> None:
        year_id = self.selected_year_id()
        if year_id is not None:
            self.edit_year(year_id)

    def _on_year_remove_triggered(self) -> None:
        year_id = self.selected_year_id()
        if year_id is not None:
            self.remove_year(year_id)

    def add_year(self) -> FormDialog | None:
        """Open the dialog for the figures of a new school year."""
        if self.db is None or self._district is None:
            return None
        years = [r.year for r in self.db.district.years()]
        default = max(years) + 1 if years else current_school_year()
        dialog = DistrictYearDialog(None, default, self)
        dialog.saver = self._add_year
        return self.open_dialog(dialog)

    def _add_year(self, values: Values) -> None:
        db = self.db
        if db is None:
            return
        label = self.tr("Добавлены показатели района за %1").replace(
            "%1", school_year_label(values["year"])
        )
        set_id, row_id = db.district.add_year(values, label)
        self._written(set_id, label, "")
        self._select(self.year_view, self.year_model.row_of_id(row_id))

    def edit_year(self, year_id: int) -> FormDialog | None:
        """Open the dialog for the figures of a year."""
        if self.db is None:
            return None
        row = self.year_model.row_of_id(year_id)
        if row < 0:
            return None
        dialog = DistrictYearDialog(self.year_model.record(row), current_school_year(), self)
        dialog.saver = lambda values: self._update_year(year_id, values)
        return self.open_dialog(dialog)

    def _update_year(self, year_id: int, values: Values) -> None:
        db = self.db
        if db is None:
            return
        label = self.tr("Изменены показатели района за %1").replace(
            "%1", school_year_label(values["year"])
        )
        set_id = db.district.update_year(year_id, values, label)
        self._written(set_id, label, self.tr("Показатели района не изменились."))

    def remove_year(self, year_id: int) -> bool:
        """Ask, then remove the figures of a year; True when they were removed."""
        db = self.db
        row = self.year_model.row_of_id(year_id)
        if db is None or row < 0:
            return False
        year = school_year_label(self.year_model.record(row).year)
        if not ask_yes_no(
            self,
            self.tr("Удаление показателей района"),
            self.tr(
                "Удалить показатели района за %1 учебный год? "
                "Удаление можно отменить: Правка → Отменить."
            ).replace("%1", year),
            self.tr("Удалить"),
        ):
            return False
        label = self.tr("Удалены показатели района за %1").replace("%1", year)
        try:
            set_id = db.district.remove_year(year_id, label)
        except DomainError as exc:
            show_warning(self, self.tr("Показатели не удалены"), describe_error(exc))
            return False
        self._written(set_id, label, "")
        return True

    # --- people ------------------------------------------------------------------------
    def _on_people_add_triggered(self) -> None:
        self.add_person()

    def _on_people_edit_triggered(self) -> None:
        person_id = self.selected_person_id()
        if person_id is not None:
            self.edit_person(person_id)

    def _on_people_remove_triggered(self) -> None:
        person_id = self.selected_person_id()
        if person_id is not None:
            self.remove_person(person_id)

    def _school_choices(self) -> list[tuple[str, int]]:
        db = self.db
        return [(s.short_name, s.id) for s in db.schools.all_schools()] if db else []

    def add_person(self) -> FormDialog | None:
        """Open the dialog for a new person."""
        if self.db is None:
            return None
        dialog = PersonDialog(None, self._school_choices(), self)
        dialog.saver = self._add_person
        return self.open_dialog(dialog)

    def _add_person(self, values: Values) -> None:
        db = self.db
        if db is None:
            return
        label = self.tr("Добавлен человек «%1»").replace("%1", values["full_name"])
        set_id, person_id = db.district.add_person(values, values["roles"], label)
        self._written(set_id, label, "")
        self.select_person(person_id)

    def edit_person(self, person_id: int) -> FormDialog | None:
        """Open the dialog for a person."""
        if self.db is None:
            return None
        row = self.people_model.row_of_id(person_id)
        if row < 0:
            return None
        dialog = PersonDialog(self.people_model.record(row), self._school_choices(), self)
        dialog.saver = lambda values: self._update_person(person_id, values)
        return self.open_dialog(dialog)

    def _update_person(self, person_id: int, values: Values) -> None:
        db = self.db
        if db is None:
            return
        label = self.tr("Изменены сведения о человеке «%1»").replace("%1", values["full_name"])
        set_id = db.district.update_person(person_id, values, values["roles"], label)
        self._written(set_id, label, self.tr("Сведения о человеке не изменились."))

    def remove_person(self, person_id: int) -> bool:
        """Ask, then remove a person; True when they were removed."""
        db = self.db
        if db is None:
            return False
        removed = remove_person_asking(self, db, person_id)
        if removed is None:
            return False
        self._written(removed[0], removed[1], "")
        return True
