"""The page «Люди»: staff in their official roles, and who is assigned to which school in a year.

Left, the people (coordinator, tutors of the МТК, curators, heads of РМО,
working-group members, directors): a search that folds Russian case (and
finds «Гладиловой» as «Гладилова О.А.»), a role filter, and the person's
card below (roles as the documents name them, the schools they curate in the
year shown, their entries in the tutor journal).  People are added, changed
and removed with the same window as on «Район и рабочая группа»
(``PersonDialog``; Insert / Enter / Delete, double click, context menu).

Right, the assignments of the school year chosen: every school (branches
under their school) with its curator, its mentor school and the agreement
(№ and date).  Enter or a double click opens the school's assignment; it is
written in one change set into the school's passport of that year, which the
passport page shows.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from datetime import date
from typing import Any, ClassVar

from PySide6.QtCore import (
    QCoreApplication,
    QItemSelectionModel,
    QModelIndex,
    QPersistentModelIndex,
    QPoint,
    QSignalBlocker,
    Qt,
)
from PySide6.QtGui import QAction, QBrush, QColor, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QMenu,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from shnor_desktop.models.database import Database
from shnor_desktop.models.district import ROLE_LABELS, Person, PersonReferences
from shnor_desktop.models.errors import DomainError
from shnor_desktop.models.fields import FieldIssue
from shnor_desktop.models.journal import parse_day
from shnor_desktop.models.people import ASSIGNMENT_FIELD_BY_NAME, Assignment
from shnor_desktop.models.schools import GROUP_SHORT_LABELS
from shnor_desktop.models.text import format_date, plural, school_year_label
from shnor_desktop.ui.common import DataBus, Panel
from shnor_desktop.ui.district_panel import (
    PeopleModel,
    PersonDialog,
    remove_person_asking,
    role_label,
)
from shnor_desktop.ui.forms import FormDialog, Values
from shnor_desktop.ui.table_model import Column, RecordTableModel
from shnor_desktop.ui.widgets import SchoolYearCombo, SearchLine, detail_pane, quoted

AnyIndex = QModelIndex | QPersistentModelIndex

PEOPLE_TABLES = frozenset(
    {"person", "person_role", "school", "school_profile", "tutor_visit", "meeting_attendee"}
)
GENERATED_COLOUR = "#6d6d6d"
DETAIL_MIN_HEIGHT = 120
ASSIGNMENT_WIDTHS = (170, 100, 110, 150, 140)
"""Widest the columns of the assignments grow (school … agreement)."""


def _group_label(code: str) -> str:
    return QCoreApplication.translate("passport", GROUP_SHORT_LABELS.get(code, code))


def agreement_text(row: Assignment) -> str:
    """«№ 3-н от 01.09.2022», «№ 3-н», «от 01.09.2022» or empty."""
    parts = []
    if row.agreement_no:
        parts.append(f"№ {row.agreement_no}")
    if row.agreement_date is not None:
        parts.append(f"от {format_date(row.agreement_date)}")
    return " ".join(parts)


def _indented(row: Assignment) -> str:
    return ("    " + row.school_name) if row.parent_id is not None else row.school_name


class AssignmentModel(RecordTableModel):
    """The schools of a school year with their curator, mentor school and agreement."""

    CONTEXT = "AssignmentModel"
    COLUMNS = (
        Column("Школа", _indented, cell_tooltip=lambda r: r.school_full_name or None),
        Column("Группа", lambda r: _group_label(r.group_code)),
        Column("Куратор", lambda r: r.curator_name),
        Column("Школа-наставник", lambda r: r.mentor_school_name),
        Column("Соглашение", agreement_text, tooltip="Соглашение о наставничестве: № и дата"),
    )
    COL_SCHOOL, COL_GROUP, COL_CURATOR, COL_MENTOR, COL_AGREEMENT = range(len(COLUMNS))
    _FIELD_OF_COLUMN: ClassVar[dict[int, str]] = {
        COL_CURATOR: "curator_id",
        COL_MENTOR: "mentor_school_id",
    }

    def extra_data(self, record: Any, column: int, role: int) -> Any:
        row: Assignment = record
        field = self._FIELD_OF_COLUMN.get(column)
        if field is not None and field in row.generated:
            if role == Qt.ItemDataRole.ForegroundRole:
                return QBrush(QColor(GENERATED_COLOUR))
            if role == Qt.ItemDataRole.ToolTipRole:
                return self.tr("Назначено для демонстрации (в документах не указано)")
        return None

    def row_of_school(self, school_id: int) -> int:
        """The row of a school (-1 when not shown)."""
        return self.row_of(school_id)


class AssignmentDialog(FormDialog):
    """Curator, mentor school and agreement of one school in one school year."""

    def __init__(
        self,
        row: Assignment,
        people: Sequence[tuple[str, int]],
        schools: Sequence[tuple[str, int]],
        parent: QWidget | None = None,
    ) -> None:
        title = self.tr("%1: закрепление на %2 учебный год")
        super().__init__(
            title.replace("%1", row.school_name).replace("%2", school_year_label(row.year)),
            self.tr("Сохранить"),
            parent,
        )
        self.setMinimumWidth(520)
        self.row = row
        self.curator = QComboBox(self)
        self.curator.addItem(self.tr("— не назначен —"), None)
        for name, person_id in people:
            self.curator.addItem(name, person_id)
        self.curator.setCurrentIndex(max(self.curator.findData(row.curator_id), 0))
        self.add_field("curator_id", _label("curator_id"), self.curator)
        self.mentor = QComboBox(self)
        self.mentor.addItem(self.tr("— нет —"), None)
        for name, school_id in schools:
            if school_id != row.school_id:
                self.mentor.addItem(name, school_id)
        self.mentor.setCurrentIndex(max(self.mentor.findData(row.mentor_school_id), 0))
        self.add_field("mentor_school_id", _label("mentor_school_id"), self.mentor)
        self.agreement_no = self.add_line(
            "mentor_agreement_no",
            _label("mentor_agreement_no"),
            row.agreement_no,
            self.tr("например, 3-н"),
        )
        self.day = self.add_line(
            "mentor_agreement_date",
            _label("mentor_agreement_date"),
            format_date(row.agreement_date),
            self.tr("дд.мм.гггг"),
        )
        self.day.setMaximumWidth(140)
        self.agreement_no.setMaximumWidth(200)
        self.mentor.currentIndexChanged.connect(self._on_mentor_current_index_changed)
        self._on_mentor_current_index_changed()
        self._finish_layout()
        self.curator.setFocus()

    def _on_mentor_current_index_changed(self, *_args: object) -> None:
        has_mentor = self.mentor.currentData() is not None
        for edit in (self.agreement_no, self.day):
            edit.setEnabled(has_mentor)

    def read(self) -> tuple[Values, list[FieldIssue]]:
        """The assignment's values and their problems."""
        issues: list[FieldIssue] = []
        text = self.day.text().strip()
        day: date | None = None
        try:
            day = parse_day(text, date(self.row.year, 9, 1), ahead=False)
        except ValueError:
            issues.append(FieldIssue("mentor_agreement_date", "not_date", "error", (text,)))
        values: Values = {
            "curator_id": self.curator.currentData(),
            "mentor_school_id": self.mentor.currentData(),
            "mentor_agreement_no": self.agreement_no.text().strip(),
            "mentor_agreement_date": day,
        }
        # The values themselves are checked by the passport's rules as they are written
        # (a refused one comes back under its field, worded as in the passport).
        return values, issues


def _label(name: str) -> str:
    # The passport's own fields: labelled (and translated) as the passport labels them.
    return QCoreApplication.translate("passport", ASSIGNMENT_FIELD_BY_NAME[name].label)


class PeoplePanel(Panel):
    """People with their roles (search, role filter) and the schools' assignments of a year."""

    TITLE = "Люди"  # source string, context "Panel"
    TABLES: ClassVar[frozenset[str]] = PEOPLE_TABLES

    def __init__(self, bus: DataBus, parent: QWidget | None = None) -> None:
        super().__init__(bus, parent)
        self.context_menu: QMenu | None = None
        #: False until the year of a newly opened database was chosen.
        self._year_shown = False
        self._build()
        self.reload()

    def set_database(self, db: Database | None) -> None:
        """Show another database (its latest year of real figures first)."""
        self._year_shown = False
        super().set_database(db)

    # --- layout ----------------------------------------------------------------------------
    def _build(self) -> None:
        self.search = SearchLine(self.tr("Поиск: фамилия, должность, организация"), self)
        self.search.setObjectName("search")
        self.search.sig_search.connect(self._on_search_sig_search)
        self.role_filter = QComboBox(self)
        self.role_filter.setObjectName("role_filter")
        self.role_filter.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.role_filter.setMinimumContentsLength(6)
        self.role_filter.addItem(self.tr("Все роли"), None)
        for code in ROLE_LABELS:
            self.role_filter.addItem(role_label(code), code)
        self.role_filter.activated.connect(self._on_role_filter_activated)
        self.people_model = PeopleModel(self)
        self.people_view = self._view("people_view", self.people_model)
        self.people_view.doubleClicked.connect(self._on_people_view_double_clicked)
        self.people_view.selectionModel().currentRowChanged.connect(
            self._on_people_current_row_changed
        )
        self.people_view.customContextMenuRequested.connect(self._on_people_menu_requested)
        # Organisation and contacts are in the card: the list keeps room for names and roles.
        for column in (PeopleModel.COL_ORGANISATION, PeopleModel.COL_PHONE, PeopleModel.COL_EMAIL):
            self.people_view.setColumnHidden(column, True)
        self.add_action = self._action(self.people_view, self.tr("Добавить…"), Qt.Key.Key_Insert)
        self.edit_action = self._action(self.people_view, self.tr("Изменить…"), Qt.Key.Key_Return)
        self.remove_action = self._action(
            self.people_view, self.tr("Удалить…"), QKeySequence.StandardKey.Delete
        )
        self.add_action.triggered.connect(self._on_add_action_triggered)
        self.edit_action.triggered.connect(self._on_edit_action_triggered)
        self.remove_action.triggered.connect(self._on_remove_action_triggered)
        buttons = QHBoxLayout()
        self.add_button = self._button(self.add_action)
        self.edit_button = self._button(self.edit_action)
        self.remove_button = self._button(self.remove_action)
        for button in (self.add_button, self.edit_button, self.remove_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        self.card, card_area = detail_pane(self, DETAIL_MIN_HEIGHT)
        self.card.setObjectName("person_card")
        people_box = QGroupBox(self.tr("Люди и их роли"), self)
        self.people_box = people_box
        people = QVBoxLayout(people_box)
        filters = QHBoxLayout()
        filters.addWidget(self.search, 2)
        filters.addWidget(self.role_filter, 1)
        # The two halves share a narrow window: the search line gives way first.
        self.search.setMinimumWidth(120)
        people.addLayout(filters)
        left = QSplitter(Qt.Orientation.Vertical, people_box)
        left.addWidget(self.people_view)
        left.addWidget(card_area)
        left.setStretchFactor(0, 3)
        left.setStretchFactor(1, 1)
        left.setChildrenCollapsible(False)
        people.addWidget(left, 1)
        people.addLayout(buttons)

        self.year = SchoolYearCombo(self)
        self.year.setObjectName("assignment_year")
        self.year.sig_year_changed.connect(self._on_year_sig_year_changed)
        self.assignment_model = AssignmentModel(self, key=lambda r: r.school_id)
        self.assignment_view = self._view("assignment_view", self.assignment_model)
        self.assignment_view.doubleClicked.connect(self._on_assignment_view_double_clicked)
        self.assignment_view.customContextMenuRequested.connect(self._on_assignment_menu_requested)
        self.assign_action = self._action(
            self.assignment_view, self.tr("Изменить…"), Qt.Key.Key_Return
        )
        self.assign_action.setToolTip(
            self.tr("Куратор, школа-наставник и соглашение выбранной школы (Enter)")
        )
        self.assign_action.triggered.connect(self._on_assign_action_triggered)
        self.assign_button = self._button(self.assign_action)
        assignments_box = QGroupBox(self.tr("Закрепление за школами"), self)
        right = QVBoxLayout(assignments_box)
        year_line = QHBoxLayout()
        year_line.addWidget(QLabel(self.tr("Учебный год:"), self))
        year_line.addWidget(self.year)
        year_line.addStretch(1)
        right.addLayout(year_line)
        right.addWidget(self.assignment_view, 1)
        # Under the table, as the people's buttons are: the year row stays narrow.
        assign_line = QHBoxLayout()
        assign_line.addWidget(self.assign_button)
        assign_line.addStretch(1)
        right.addLayout(assign_line)
        hint = QLabel(
            self.tr(
                "Куратор и школа-наставник хранятся в паспорте школы за учебный год. "
                "Серым — назначено для демонстрации."
            ),
            self,
        )
        hint.setWordWrap(True)
        hint.setStyleSheet("color: #555555;")
        right.addWidget(hint)

        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(people_box)
        splitter.addWidget(assignments_box)
        splitter.setStretchFactor(0, 4)
        splitter.setStretchFactor(1, 5)
        splitter.setChildrenCollapsible(False)
        splitter.setSizes([470, 630])  # the assignments have more columns
        self.splitter = splitter
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(splitter)

    def _view(self, name: str, model: Any) -> QTableView:
        view = QTableView(self)
        view.setObjectName(name)
        view.setModel(model)
        view.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        view.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        view.setEditTriggers(QTableView.EditTrigger.NoEditTriggers)
        view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        view.setAlternatingRowColors(True)
        view.setWordWrap(False)
        view.verticalHeader().hide()
        view.horizontalHeader().setStretchLastSection(True)
        return view

    @staticmethod
    def _action(view: QTableView, text: str, key: Any) -> QAction:
        action = QAction(text, view)
        action.setShortcut(QKeySequence(key))
        action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)  # the table with the focus
        view.addAction(action)
        return action

    def _button(self, action: QAction) -> QPushButton:
        button = QPushButton(action.text(), self)
        button.setToolTip(action.toolTip())
        button.clicked.connect(action.trigger)
        return button

    # --- reading ---------------------------------------------------------------------------
    def reload(self) -> None:
        """Read the people and the assignments of the year shown again (selections kept)."""
        db = self.db
        self.setEnabled(db is not None)
        if db is None:
            self.people_model.set_rows([])
            self.assignment_model.set_rows([])
            return
        years = db.schools.years()
        chosen = self.year.year
        if not self._year_shown:  # a database just opened: its latest year of real figures
            self._year_shown = True
            chosen = db.schools.default_year() or chosen
        with QSignalBlocker(self.year):
            self.year.set_years(years, select=chosen)
        self._read_people()
        self._read_assignments()

    def _read_people(self) -> None:
        db = self.db
        assert db is not None
        selected = self.selected_person_id()
        people = db.people.find(self.search.text(), self.role_filter.currentData())
        schools = {s.id: s.short_name for s in db.schools.all_schools()}
        self.people_model.set_rows(people, schools)
        self.people_view.resizeColumnsToContents()
        for column in range(self.people_model.columnCount()):
            self.people_view.setColumnWidth(column, min(self.people_view.columnWidth(column), 170))
        self.people_box.setTitle(
            self.tr("Люди и их роли: %1 %2")
            .replace("%1", str(len(people)))
            .replace(
                "%2",
                plural(len(people), self.tr("человек"), self.tr("человека"), self.tr("человек")),
            )
        )
        if selected is not None:
            self.select_person(selected)
        self._update_actions()
        self._show_card()

    def _read_assignments(self) -> None:
        db = self.db
        assert db is not None
        selected = self.selected_school_id()
        self.assignment_model.set_rows(db.people.assignments(self.year.year))
        view = self.assignment_view
        for column, cap in enumerate(ASSIGNMENT_WIDTHS):
            view.resizeColumnToContents(column)
            view.setColumnWidth(column, min(view.columnWidth(column), cap))
        if selected is not None:
            self._select(view, self.assignment_model.row_of_school(selected))

    # --- selection -------------------------------------------------------------------------
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

    @staticmethod
    def _selected_row(view: QTableView) -> int:
        rows = view.selectionModel().selectedRows()
        return rows[0].row() if rows else -1

    def selected_person_id(self) -> int | None:
        """The person selected (None when none is)."""
        row = self._selected_row(self.people_view)
        return self.people_model.record(row).id if row >= 0 else None

    def select_person(self, person_id: int) -> bool:
        """Select a person; False when they are not shown."""
        row = self.people_model.row_of_id(person_id)
        self._select(self.people_view, row)
        return row >= 0

    def selected_school_id(self) -> int | None:
        """The school selected among the assignments (None when none is)."""
        row = self._selected_row(self.assignment_view)
        return self.assignment_model.record(row).school_id if row >= 0 else None

    def select_school(self, school_id: int) -> bool:
        """Select a school's assignment; False when it is not shown."""
        row = self.assignment_model.row_of_school(school_id)
        self._select(self.assignment_view, row)
        return row >= 0

    def _update_actions(self) -> None:
        has_db = self.db is not None
        has_person = self.selected_person_id() is not None
        for action, button, enabled in (
            (self.add_action, self.add_button, has_db),
            (self.edit_action, self.edit_button, has_person),
            (self.remove_action, self.remove_button, has_person),
        ):
            action.setEnabled(enabled)
            button.setEnabled(enabled)

    def _on_people_current_row_changed(self, *_args: object) -> None:
        self._update_actions()
        self._show_card()

    def _show_card(self) -> None:
        db = self.db
        person_id = self.selected_person_id()
        if db is None or person_id is None:
            self.card.setText(self.tr("Выберите человека, чтобы увидеть его роли и школы."))
            self.card.setToolTip("")
            return
        self.card.setText(self.card_html(person_id))

    def card_html(self, person_id: int) -> str:
        """What the card under the list says of a person."""
        db = self.db
        assert db is not None
        person = db.district.person(person_id)
        year = self.year.year
        lines = [f"<b>{html.escape(person.full_name)}</b>"]
        contacts = ", ".join(c for c in (person.phone, person.email) if c)
        if person.position or person.organisation:
            lines.append(
                html.escape(", ".join(p for p in (person.position, person.organisation) if p))
            )
        roles = ", ".join(role_label(r) for r in person.roles)
        if roles:
            lines.append(f"{html.escape(self.tr('Роли'))}: {html.escape(roles)}")
        titles = db.people.role_titles(person_id)
        if titles:
            lines.append(
                f"{html.escape(self.tr('В документах'))}: {html.escape('; '.join(titles))}"
            )
        if contacts:
            lines.append(f"{html.escape(self.tr('Контакты'))}: {html.escape(contacts)}")
        curated = db.people.curated_schools(person_id, year)
        what = self.tr("Куратор в %1").replace("%1", school_year_label(year))
        lines.append(
            f"{html.escape(what)}: "
            + (html.escape(", ".join(curated)) if curated else html.escape(self.tr("нет школ")))
        )
        visits = db.people.visit_count(person_id)
        lines.append(
            html.escape(self.tr("Записей в журнале тьюторов: %1").replace("%1", str(visits)))
        )
        return "<br>".join(lines)

    # --- search and filters -------------------------------------------------------------------
    def _on_search_sig_search(self) -> None:
        if self.db is not None:
            self._read_people()

    def _on_role_filter_activated(self, _index: int) -> None:
        if self.db is not None:
            self._read_people()

    def _on_year_sig_year_changed(self, _year: int) -> None:
        if self.db is not None:
            self._read_assignments()
            self._show_card()

    # --- people: add, change, remove (the district page's window) ------------------------------
    def _school_choices(self) -> list[tuple[str, int]]:
        db = self.db
        return [(s.short_name, s.id) for s in db.schools.all_schools()] if db else []

    def _on_add_action_triggered(self) -> None:
        self.add_person()

    def _on_edit_action_triggered(self) -> None:
        person_id = self.selected_person_id()
        if person_id is not None:
            self.edit_person(person_id)

    def _on_remove_action_triggered(self) -> None:
        person_id = self.selected_person_id()
        if person_id is not None:
            self.remove_person(person_id)

    def _on_people_view_double_clicked(self, index: QModelIndex) -> None:
        self.edit_person(self.people_model.record(index.row()).id)

    def add_person(self) -> FormDialog | None:
        """Open the window for a new person."""
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
        _, person_id = db.district.add_person(values, values["roles"], label)
        self.sig_status.emit(label)
        self.select_person(person_id)

    def edit_person(self, person_id: int) -> FormDialog | None:
        """Open the window of a person."""
        db = self.db
        if db is None:
            return None
        try:
            person = db.district.person(person_id)
        except DomainError:
            return None
        dialog = PersonDialog(person, self._school_choices(), self)
        dialog.saver = lambda values: self._update_person(person_id, values)
        return self.open_dialog(dialog)

    def _update_person(self, person_id: int, values: Values) -> None:
        db = self.db
        if db is None:
            return
        label = self.tr("Изменены сведения о человеке «%1»").replace("%1", values["full_name"])
        set_id = db.district.update_person(person_id, values, values["roles"], label)
        self.sig_status.emit(
            label if set_id is not None else self.tr("Сведения о человеке не изменились.")
        )

    def removal_question(self, person: Person, refs: PersonReferences) -> str:
        """What removing a person does, naming what refers to them."""
        parts = []
        for count, one, few, many in (
            (
                refs.curator_of,
                "паспорт школы (куратор)",
                "паспорта школ (куратор)",
                "паспортов школ (куратор)",
            ),
            (
                refs.tutor_visits,
                "запись журнала тьюторов",
                "записи журнала тьюторов",
                "записей журнала тьюторов",
            ),
            (refs.meetings_chaired + refs.meetings_attended, "заседание", "заседания", "заседаний"),
        ):
            if count:
                parts.append(f"{count} {plural(count, self.tr(one), self.tr(few), self.tr(many))}")
        text = self.tr("Удалить %1 из списка людей?").replace("%1", quoted(person.full_name))
        if parts:
            text += " " + self.tr("На этого человека ссылаются: %1. Ссылки будут очищены.").replace(
                "%1", ", ".join(parts)
            )
        return text + " " + self.tr("Удаление можно отменить: Правка → Отменить.")

    def remove_person(self, person_id: int) -> bool:
        """Ask, then remove a person (as «Район и рабочая группа» does); True when removed."""
        db = self.db
        if db is None:
            return False
        removed = remove_person_asking(self, db, person_id, self.removal_question)
        if removed is None:
            return False
        self.sig_status.emit(removed[1])
        return True

    def _on_people_menu_requested(self, pos: QPoint) -> None:
        index = self.people_view.indexAt(pos)
        if index.isValid():
            self._select(self.people_view, index.row())
        else:
            self.people_view.clearSelection()
        self._update_actions()
        self._popup([self.add_action, self.edit_action, self.remove_action], self.people_view, pos)

    def _popup(self, actions: list[QAction], view: QTableView, pos: QPoint) -> None:
        menu = QMenu(self)
        menu.addActions(actions)
        menu.aboutToHide.connect(menu.deleteLater)
        self.context_menu = menu
        menu.popup(view.viewport().mapToGlobal(pos))

    # --- assignments --------------------------------------------------------------------------
    def _on_assignment_view_double_clicked(self, index: QModelIndex) -> None:
        self.edit_assignment(self.assignment_model.record(index.row()).school_id)

    def _on_assign_action_triggered(self) -> None:
        school_id = self.selected_school_id()
        if school_id is not None:
            self.edit_assignment(school_id)

    def _on_assignment_menu_requested(self, pos: QPoint) -> None:
        index = self.assignment_view.indexAt(pos)
        if not index.isValid():
            return
        self._select(self.assignment_view, index.row())
        self._popup([self.assign_action], self.assignment_view, pos)

    def edit_assignment(self, school_id: int) -> AssignmentDialog | None:
        """Open the window of a school's curator, mentor school and agreement in the year shown."""
        db = self.db
        if db is None:
            return None
        try:
            row = db.people.assignment(school_id, self.year.year)
        except DomainError:
            return None
        people = db.district.people()
        # Those who curate or tutor first: they are the usual choice.
        usual = {"curator", "tutor", "coordinator", "head_rmo"}
        ordered = sorted(people, key=lambda p: (not usual & set(p.roles), p.full_name))
        dialog = AssignmentDialog(
            row,
            [(p.full_name, p.id) for p in ordered],
            [(s.short_name, s.id) for s in db.schools.all_schools()],
            self,
        )
        dialog.saver = lambda values: self._save_assignment(row, values)
        return self.open_dialog(dialog)

    def _save_assignment(self, row: Assignment, values: Values) -> None:
        db = self.db
        if db is None:
            return
        label = (
            self.tr("Закрепление: %1, %2")
            .replace("%1", row.school_name)
            .replace("%2", school_year_label(row.year))
        )
        info = db.people.set_assignment(row.school_id, row.year, values, label)
        self.sig_status.emit(label if info is not None else self.tr("Закрепление не изменилось."))

    def show_year(self, year: int) -> None:
        """Show the assignments of a school year."""
        self.year.set_year(year)
