"""The school passport panel: the school list on the left, the passport on the right.

Each field saves itself when its editor is left (one change set per edit, so
Ctrl+Z undoes exactly that edit).  A value that cannot be saved stays in its
editor, marked, with the reason under it: nothing typed is lost, Escape
brings the stored value back, and leaving the school asks first.

This panel is the pattern the other panels follow: the editors, the wheel
guard, the year picker and the reflowing forms come from ``ui/widgets.py``.
"""

from __future__ import annotations

from typing import Any, ClassVar

from PySide6.QtCore import (
    QCoreApplication,
    QEvent,
    QModelIndex,
    QObject,
    QSignalBlocker,
    QSize,
    Qt,
    QTimer,
)
from PySide6.QtGui import QFont, QFontMetrics, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QTabWidget,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from shnor_desktop.models.errors import ConstraintError, DomainError
from shnor_desktop.models.schools import (
    GROUP_LABELS,
    MENTOR_AGREEMENT_FIELDS,
    PROFILE_FIELD_BY_NAME,
    PROFILE_FIELDS,
    SCHOOL_FIELDS,
    FieldIssue,
    FieldSpec,
    InvalidValueError,
    School,
    SchoolProfile,
    SchoolQuery,
    profile_warnings,
)
from shnor_desktop.models.text import current_school_year, parse_number, plural, school_year_label
from shnor_desktop.services.messages import describe_error, describe_issue
from shnor_desktop.ui.common import ROLE_ID, DataBus, Panel
from shnor_desktop.ui.messages import ask_yes_no, show_warning
from shnor_desktop.ui.school_models import HistoryModel, SchoolTreeModel
from shnor_desktop.ui.widgets import (
    EmptyState,
    FieldEditor,
    FormReflow,
    HistoryDialog,
    SchoolYearCombo,
    SearchLine,
    YearPairPicker,
    install_wheel_guard,
    parse_field,
    quoted,
)

__all__ = [
    "AddSchoolDialog",
    "FieldEditor",
    "HistoryDialog",
    "PassportPanel",
    "issue_text",
    "parse_field",
    "tr_field",
]

_MULTILINE = {"group_reason", "infrastructure_note", "notes", "full_name"}

# The fields each consistency warning is about (its text goes under the first).
_WARNING_FIELDS: dict[str, tuple[str, ...]] = {
    "levels_sum": ("pupils_total", "pupils_1_4", "pupils_5_9", "pupils_10_11"),
    "bused_over_total": ("pupils_bused", "pupils_total"),
    "vacancies_over_teachers": ("vacancies", "teachers"),
}
# Change sets that carry values as a document gave them.
_DOCUMENT_KINDS = {"import", "demo"}


def tr_field(text: str) -> str:
    """Translate a field label or section of the passport."""
    return QCoreApplication.translate("passport", text)


def issue_text(issue: FieldIssue) -> str:
    """Word a field issue in Russian (one wording for the forms, imports and the command line)."""
    return describe_issue(issue)


class AddSchoolDialog(QDialog):
    """Asks for what a new school needs: names, code, kind, parent, distance."""

    def __init__(self, schools: list[School], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Новая школа"))
        self.resize(560, 0)
        form = QFormLayout(self)
        self.full_name = QLineEdit()
        self.full_name.setPlaceholderText(self.tr("например, МОУ «СОШ с. Бартеневка»"))
        self.short_name = QLineEdit()
        self.short_name.setPlaceholderText(self.tr("например, СОШ с. Бартеневка"))
        self.code = QLineEdit()
        self.kind = QComboBox()
        self.kind.setEditable(True)
        self.kind.addItems(["СОШ", "ООШ", "НОШ", "гимназия", "лицей", "филиал"])
        self.parent_school = QComboBox()
        self.parent_school.addItem(self.tr("— самостоятельная школа —"), None)
        for school in schools:
            if school.parent_id is None:
                self.parent_school.addItem(school.short_name, school.id)
        self.locality = QLineEdit()
        self.distance = QLineEdit()
        self.distance.setPlaceholderText(self.tr("км"))
        form.addRow(self.tr("Полное наименование*"), self.full_name)
        form.addRow(self.tr("Краткое наименование"), self.short_name)
        form.addRow(self.tr("Код*"), self.code)
        form.addRow(self.tr("Вид"), self.kind)
        form.addRow(self.tr("Филиал школы"), self.parent_school)
        form.addRow(self.tr("Населённый пункт"), self.locality)
        form.addRow(self.tr("Расстояние до райцентра"), self.distance)
        self.message = QLabel()
        self.message.setStyleSheet("color: #c0392b;")
        self.message.setWordWrap(True)
        form.addRow(self.message)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("Добавить"))
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("Отмена"))
        buttons.accepted.connect(self._on_buttons_accepted)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self.values_out: dict[str, Any] = {}

    def values(self) -> dict[str, Any]:
        """The school as entered (not yet checked by the domain)."""
        distance: float | None = None
        text = self.distance.text().strip()
        if text:
            distance = parse_number(text)
        return {
            "full_name": self.full_name.text().strip(),
            "short_name": self.short_name.text().strip() or self.full_name.text().strip(),
            "code": self.code.text().strip(),
            "kind": self.kind.currentText().strip() or "СОШ",
            "parent_id": self.parent_school.currentData(),
            "locality": self.locality.text().strip(),
            "distance_km": distance,
        }

    def _on_buttons_accepted(self) -> None:
        try:
            values = self.values()
        except ValueError:
            self.message.setText(self.tr("Расстояние: нужно число километров, например 18"))
            return
        missing = [
            label
            for key, label in (
                ("full_name", self.tr("полное наименование")),
                ("code", self.tr("код")),
            )
            if not values[key]
        ]
        if missing:
            self.message.setText(self.tr("Заполните: {0}.").format(", ".join(missing)))
            return
        self.values_out = values
        self.accept()


def duplicate_code_text(exc: ConstraintError, code: str) -> str | None:
    """The message for a school code already taken, None for other constraint errors."""
    if exc.table == "school" and "UNIQUE" in exc.detail and "code" in exc.detail:
        return QCoreApplication.translate("passport", "код «{0}» уже занят другой школой").format(
            code
        )
    return None


class PassportPanel(Panel):
    """Schools with search and filters; the passport of the selected one."""

    TITLE = QCoreApplication.translate("Panel", "Школы и паспорта")
    #: Schools, their passports, and the people offered as curators.
    TABLES: ClassVar[frozenset[str]] = frozenset({"school", "school_profile", "person"})

    #: Below this the form puts labels above the fields; the list and the
    #: navigation give way first (see ``_build``).
    MIN_FORM_WIDTH = 300
    MIN_LIST_WIDTH = 210

    def __init__(self, bus: DataBus, parent: QWidget | None = None) -> None:
        super().__init__(bus, parent)
        # Once for the application; here too so the panel is safe on its own.
        install_wheel_guard()
        self.school_id: int | None = None
        self._shown_school: int | None = None
        self._shown_year: int | None = None
        self._school_total = 0
        self._shows = 0
        self._name_width = 0
        self._loaded: object = None  # the database last read, to tell a new one from a reload
        self.editors: dict[tuple[str, str], FieldEditor] = {}
        self.charts: Any = None
        self._build()

    # --- layout ------------------------------------------------------------------------
    def sizeHint(self) -> QSize:  # noqa: N802
        """Room for the list and a two-column form: below it the navigation gives way too."""
        return QSize(1100, 700)

    def _build(self) -> None:
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(splitter)
        splitter.addWidget(self._build_list())
        splitter.addWidget(self._build_passport())
        # The passport gets about two thirds of the room; both give way as the
        # window narrows, down to their minimum widths.
        splitter.setStretchFactor(0, 4)
        splitter.setStretchFactor(1, 7)
        splitter.setSizes([400, 700])
        self.splitter = splitter

    def _build_list(self) -> QWidget:
        left = QWidget()
        left.setMinimumWidth(self.MIN_LIST_WIDTH)
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(6, 6, 4, 6)
        filters = QGridLayout()
        self.search = SearchLine(self.tr("Поиск: название, населённый пункт, код"))
        self.search.sig_search.connect(self._on_filters_changed)
        self.year = SchoolYearCombo()
        self.year.sig_year_changed.connect(self._on_year_changed)
        self.year.sig_rejected.connect(self._on_year_rejected)
        self.group = QComboBox()
        self.group.addItem(self.tr("Все группы"), None)
        for code, label in GROUP_LABELS.items():
            self.group.addItem(tr_field(label), code)
        self.group.currentIndexChanged.connect(self._on_filters_changed)
        for combo in (self.year, self.group):
            combo.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
            )
            combo.setMinimumContentsLength(8)
        filters.addWidget(self.search, 0, 0, 1, 2)
        filters.addWidget(QLabel(self.tr("Учебный год:")), 1, 0)
        filters.addWidget(self.year, 1, 1)
        filters.addWidget(QLabel(self.tr("Группа:")), 2, 0)
        filters.addWidget(self.group, 2, 1)
        filters.setColumnStretch(1, 1)
        left_layout.addLayout(filters)

        self.model = SchoolTreeModel(self)
        self.tree = QTreeView()
        self.tree.setModel(self.model)
        self.tree.setSortingEnabled(True)
        self.tree.sortByColumn(SchoolTreeModel.COL_NAME, Qt.SortOrder.AscendingOrder)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.setAlternatingRowColors(True)
        self.tree.setUniformRowHeights(True)
        self.tree.setIndentation(14)
        # The kind is already the first word of the short name («СОШ с. …»).
        self.tree.setColumnHidden(SchoolTreeModel.COL_KIND, True)
        header = self.tree.header()
        header.setSectionResizeMode(SchoolTreeModel.COL_NAME, QHeaderView.ResizeMode.Stretch)
        for column in range(1, 6):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(False)
        header.setMinimumSectionSize(24)
        self.tree.selectionModel().currentRowChanged.connect(self._on_tree_current_changed)
        self.model.modelReset.connect(self.tree.expandAll)
        # The viewport, not the tree: its new width is known when it is resized.
        self.tree.viewport().installEventFilter(self)
        left_layout.addWidget(self.tree, 1)
        self.count_label = QLabel()
        self.count_label.setWordWrap(True)
        left_layout.addWidget(self.count_label)
        buttons = QHBoxLayout()
        self.add_button = QPushButton(self.tr("Добавить школу…"))
        self.add_button.clicked.connect(self.add_school)
        self.remove_button = QPushButton(self.tr("Удалить…"))
        self.remove_button.clicked.connect(self.remove_school)
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        left_layout.addLayout(buttons)
        return left

    def _build_passport(self) -> QWidget:
        self.pages = QStackedWidget()
        self.pages.setMinimumWidth(self.MIN_FORM_WIDTH)
        passport = QWidget()
        right_layout = QVBoxLayout(passport)
        right_layout.setContentsMargins(4, 6, 6, 6)
        self.heading = QLabel()
        self.heading.setWordWrap(True)
        self.heading.setStyleSheet("font-size: 14pt; font-weight: bold;")
        self.heading.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        right_layout.addWidget(self.heading)
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self._profile_boxes: list[QGroupBox] = []
        self.tabs.addTab(self._build_form("profile"), self.tr("Паспорт"))
        self.tabs.addTab(self._build_form("school"), self.tr("Карточка школы"))
        self.chart_tab = QWidget()
        QVBoxLayout(self.chart_tab)
        self.tabs.addTab(self.chart_tab, self.tr("Динамика"))
        self.tabs.currentChanged.connect(self._on_tabs_changed)
        right_layout.addWidget(self.tabs, 1)
        self.passport_page = passport
        self.empty = EmptyState()
        self.empty.sig_action.connect(self._on_empty_action)
        self.pages.addWidget(passport)
        self.pages.addWidget(self.empty)
        return self.pages

    def _build_form(self, table: str) -> QWidget:
        """A scrollable form of the school card or of the year's passport."""
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        # The form reflows instead (FormReflow): it never scrolls sideways.
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        body = QWidget()
        body.setObjectName(f"form_{table}")
        outer = QVBoxLayout(body)
        outer.setContentsMargins(6, 6, 6, 6)
        sections: dict[str, QFormLayout] = {}
        if table == "school":
            specs = SCHOOL_FIELDS
        else:
            self.profile_title = QLabel()
            self.profile_title.setWordWrap(True)
            self.profile_title.setStyleSheet("font-weight: bold; color: #5a4500;")
            self.profile_title.hide()
            outer.addWidget(self.profile_title)
            # A one-line summary: the details stand under the fields concerned,
            # so the form does not jump when a school with warnings is chosen.
            self.warnings = QLabel()
            self.warnings.setWordWrap(True)
            self.warnings.setStyleSheet("color: #5a4500;")
            self.warnings.hide()
            outer.addWidget(self.warnings)
            # The group comes first: it is what the coordinator decides.
            specs = tuple(
                sorted(PROFILE_FIELDS, key=lambda f: f.section != "Группа и сопровождение")
            )
        for spec in specs:
            if spec.section not in sections:
                box = QGroupBox(tr_field(spec.section))
                box.setProperty("base_title", tr_field(spec.section))
                form = QFormLayout(box)
                form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
                form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft)
                outer.addWidget(box)
                sections[spec.section] = form
                if table == "profile":
                    self._profile_boxes.append(box)
            self._add_editor(table, spec, sections[spec.section])
        outer.addStretch(1)
        scroll.setWidget(body)
        FormReflow(scroll.viewport(), list(sections.values()), field_width=220)
        return scroll

    def _add_editor(self, table: str, spec: FieldSpec, form: QFormLayout) -> None:
        editor = FieldEditor(spec, multiline=spec.name in _MULTILINE)
        editor.sig_commit.connect(lambda name, raw, t=table: self._on_editor_commit(t, name, raw))
        editor.sig_history.connect(lambda name, t=table: self.show_history(t, name))
        if spec.kind == "flag":
            editor.set_choices(
                [(self.tr("не указано"), None), (self.tr("да"), 1), (self.tr("нет"), 0)]
            )
        elif spec.kind == "group":
            editor.set_choices([(tr_field(label), code) for code, label in GROUP_LABELS.items()])
        label = QLabel(tr_field(spec.label))
        label.setBuddy(editor.editor)
        form.addRow(label, editor)
        self.editors[(table, spec.name)] = editor

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if watched is self.tree.viewport() and event.type() == QEvent.Type.Resize:
            self._fit_tree_columns()
        return super().eventFilter(watched, event)

    def _measure_names(self) -> None:
        """The width the longest school name needs (schools in bold, branches indented)."""
        bold = QFont(self.tree.font())
        bold.setBold(True)
        metrics = {False: QFontMetrics(self.tree.font()), True: QFontMetrics(bold)}
        indent = self.tree.indentation()
        widest = 0
        for row in range(self.model.rowCount()):
            parent = self.model.index(row, 0)
            widest = max(widest, metrics[True].horizontalAdvance(str(parent.data())) + indent)
            for child in range(self.model.rowCount(parent)):
                text = str(self.model.index(child, 0, parent).data())
                widest = max(widest, metrics[False].horizontalAdvance(text) + 2 * indent)
        self._name_width = widest + 16  # the cell's margins

    def _fit_tree_columns(self) -> None:
        """Hide the optional columns, least useful first, until the names fit."""
        tree = self.tree
        header = tree.header()
        available = tree.viewport().width()
        name_needed = min(max(self._name_width, 150), 240)
        # A hidden section has no size hint of its own: measure its title (with
        # room for the sort arrow) against its widest cell.
        metrics = QFontMetrics(header.font())
        width = {
            column: max(
                metrics.horizontalAdvance(
                    str(self.model.headerData(column, Qt.Orientation.Horizontal))
                )
                + 28,
                tree.sizeHintForColumn(column),
            )
            for column in range(SchoolTreeModel.COL_CODE, SchoolTreeModel.COL_PUPILS + 1)
        }
        shown = [
            SchoolTreeModel.COL_GROUP,
            SchoolTreeModel.COL_PUPILS,
            SchoolTreeModel.COL_CODE,
            SchoolTreeModel.COL_DISTANCE,
        ]
        while shown and available - sum(width[c] for c in shown) < name_needed:
            # The distance goes first, then the code, the pupils, and the group
            # (its tooltip and the passport still say it).
            shown.pop()
        for column in width:
            if column != SchoolTreeModel.COL_KIND:
                tree.setColumnHidden(column, column not in shown)

    # --- data ---------------------------------------------------------------------------
    def reload(self) -> None:
        """Read schools, years and the shown passport again.

        Another database starts on its default year and first school; the same
        database read again (changes made while the panel was hidden) keeps
        the school, the year and any value not yet saved.
        """
        db = self.db
        same = db is not None and db is self._loaded
        self._loaded = db
        if not same:
            self.school_id = None
            self._shown_school = self._shown_year = None
            for editor in self.editors.values():
                editor.set_error("")
        if db is None:
            self.model.set_repository(None)
            self.show_school(None)
            return
        if same:
            self.year.set_years(db.schools.years())
        else:
            self.year.set_years(
                db.schools.years(), select=db.schools.default_year() or current_school_year()
            )
            self.model.set_repository(db.schools, refresh=False)
        self._fill_reference_choices()
        self._school_total = len(db.schools.all_schools())
        self._apply_query(pin=same)

    def _fill_reference_choices(self) -> None:
        db = self.db
        if db is None:
            return
        schools = db.schools.all_schools()
        school_choices: list[tuple[str, Any]] = [(self.tr("нет"), None)]
        school_choices += [(s.short_name, s.id) for s in schools]
        self.editors[("school", "parent_id")].set_choices(
            [(self.tr("— самостоятельная школа —"), None)]
            + [(s.short_name, s.id) for s in schools if s.parent_id is None]
        )
        self.editors[("profile", "mentor_school_id")].set_choices(school_choices)
        people = db.district.people()
        self.editors[("profile", "curator_id")].set_choices(
            [(self.tr("не назначен"), None)] + [(p.full_name, p.id) for p in people]
        )

    @property
    def selected_year(self) -> int:
        """The school year chosen above the list."""
        return self.year.year

    def _filtering(self) -> bool:
        return bool(self.search.text().strip()) or self.group.currentData() is not None

    def _apply_query(self, pin: bool = True) -> None:
        """Show what the search, the group and the year select; keep the school shown.

        ``pin`` keeps the shown school in the list even when it no longer
        matches (after its own edit); a filter the user changes drops it,
        unless it holds values that were not saved.
        """
        if self.db is None:
            self.search.cancel_pending()
            return
        header = self.tree.header()
        query = SchoolQuery(
            search=self.search.text(),
            group=self.group.currentData(),
            year=self.selected_year,
            sort_key=SchoolTreeModel.SORT_KEYS[max(header.sortIndicatorSection(), 0)],
            descending=header.sortIndicatorOrder() == Qt.SortOrder.DescendingOrder,
        )
        keep = self.school_id
        self.model.set_pinned(keep if pin or self._pending_editors() else None)
        shows = self._shows
        self.model.set_query(query)
        self._measure_names()
        self._fit_tree_columns()
        self._update_count()
        index = self.model.index_of(keep)
        if index.isValid():
            if self.tree.currentIndex() != index:
                self.tree.setCurrentIndex(index)
        else:
            first = self.model.index(0, 0)
            if first.isValid():
                self.tree.setCurrentIndex(first)
            else:
                self.tree.setCurrentIndex(QModelIndex())
                self.show_school(None)
        if self._shows == shows:
            # Same school, maybe a new year or new values: show them.
            self.show_school(self.school_id)

    def _update_count(self) -> None:
        schools, branches = self.model.counts()
        total = self._school_total
        if not self._filtering():
            text = self.tr("Школ: {0}, филиалов: {1}").format(schools, branches)
        elif schools + branches:
            text = self.tr("Найдено: {0} из {1}").format(schools + branches, total)
        else:
            text = self.tr("Ничего не найдено (всего школ и филиалов: {0})").format(total)
        if self.school_id is not None and self.model.is_kept(self.school_id):
            row = self.model.row_for(self.model.index_of(self.school_id))
            if row is not None:
                text += "\n" + self.tr(
                    "{0} не подходит под поиск или фильтр и остаётся в списке, пока выбрана."
                ).format(quoted(row.short_name))
        self.count_label.setText(text)

    def select_school(self, school_id: int) -> bool:
        """Select a school in the list (True when it is shown)."""
        index = self.model.index_of(school_id)
        if index.isValid():
            self.tree.setCurrentIndex(index)
        return index.isValid()

    def _on_tree_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        school_id = current.data(ROLE_ID) if current.isValid() else None
        if school_id == self.school_id and school_id == self._shown_school:
            return
        leaving = self.school_id
        if (
            leaving is not None
            and self.model.index_of(leaving).isValid()
            and not self._confirm_leave(profile_only=False)
        ):
            # Back to the school with the unsaved value, once the click is over.
            QTimer.singleShot(0, lambda: self.select_school(leaving))
            return
        self.show_school(school_id)

    def _on_filters_changed(self) -> None:
        self._apply_query(pin=False)

    def _on_year_changed(self, year: int) -> None:
        if self._shown_year is not None and not self._confirm_leave(profile_only=True):
            self.year.set_year(self._shown_year, notify=False)
            return
        del year
        self._apply_query(pin=False)

    def _on_year_rejected(self, text: str) -> None:
        self.sig_status.emit(self.tr("«{0}» — не учебный год: пишите так: 2027/28.").format(text))

    def _pending_editors(self, profile_only: bool = False) -> list[FieldEditor]:
        return [
            editor
            for (table, _name), editor in self.editors.items()
            if editor.holds_refused_text() and (table == "profile" or not profile_only)
        ]

    def _confirm_leave(self, profile_only: bool) -> bool:
        """Ask before values that could not be saved are dropped; True to go on."""
        pending = self._pending_editors(profile_only)
        if not pending:
            return True
        lines = [
            f"• {tr_field(e.spec.label)}: «{str(e.raw_value()).strip()}» — {e.reason}"
            for e in pending
        ]
        text = self.tr(
            "Эти значения не сохранены, потому что не прошли проверку:\n{0}\n\n"
            "Отбросить их? «Отмена» вернёт к исправлению."
        ).format("\n".join(lines))
        if ask_yes_no(self, self.tr("Значения не сохранены"), text, self.tr("Отбросить")):
            for editor in pending:
                editor.revert()
            return True
        QTimer.singleShot(0, pending[0].editor.setFocus)
        return False

    def show_school(self, school_id: int | None) -> None:
        """Show the passport of a school for the chosen year.

        Showing the school and year already shown keeps a refused value in
        its editor; another school or year drops it (``_confirm_leave`` asked).
        """
        self._shows += 1
        db = self.db
        year = self.selected_year
        new_school = school_id != self._shown_school
        new_year = year != self._shown_year
        self.school_id = school_id
        self._shown_school, self._shown_year = school_id, year
        for (table, _name), editor in self.editors.items():
            if new_school or (table == "profile" and new_year):
                editor.set_error("")
        self.remove_button.setEnabled(db is not None and school_id is not None)
        self.add_button.setEnabled(db is not None)
        if db is None or school_id is None:
            self._show_empty()
            for editor in self.editors.values():
                editor.set_value(None)
                editor.set_warning("")
            return
        try:
            school = db.schools.get(school_id)
        except DomainError:
            self.show_school(None)
            return
        self.pages.setCurrentWidget(self.passport_page)
        self.tabs.setEnabled(True)
        profile = db.schools.profile(school_id, year)
        self.heading.setText(school.full_name)
        self.heading.setToolTip(school.full_name)
        for spec in SCHOOL_FIELDS:
            self.editors[("school", spec.name)].set_value(getattr(school, spec.name))
        generated = set(profile.generated_fields) if profile else set()
        for spec in PROFILE_FIELDS:
            value = profile.value(spec.name) if profile else None
            self.editors[("profile", spec.name)].set_value(value, spec.name in generated)
        self._enable_agreement(profile is not None and profile.mentor_school_id is not None)
        for box in self._profile_boxes:
            box.setTitle(f"{box.property('base_title')} — {school_year_label(year)}")
        if profile is None:
            title = self.tr(
                "Паспорт на {0} учебный год ещё не заполнен: введите значения, и он будет создан."
            ).format(school_year_label(year))
        elif profile.source == "generated":
            title = self.tr("Паспорт на {0}: все значения сгенерированы для демонстрации.").format(
                school_year_label(year)
            )
        else:
            title = ""
        self.profile_title.setText(title)
        self.profile_title.setVisible(bool(title))
        self._show_warnings(profile)
        self._update_count()
        self._update_charts()

    def _enable_agreement(self, has_mentor: bool) -> None:
        """The agreement's № and date are for the mentor school: without one they wait."""
        for name in MENTOR_AGREEMENT_FIELDS:
            editor = self.editors[("profile", name)]
            editor.editor.setEnabled(has_mentor)
            editor.setToolTip("" if has_mentor else self.tr("Сначала выберите школу-наставника"))

    def _show_empty(self) -> None:
        """What the right side says when no school is shown."""
        self.heading.setText("")
        self.profile_title.hide()
        self.warnings.hide()
        if self.db is None:
            self.empty.set_state(self.tr("База данных не открыта"))
        elif self._school_total == 0:
            self.empty.set_state(
                self.tr("В базе ещё нет школ"),
                self.tr("Добавьте первую школу: её паспорт заполняется по учебным годам."),
                self.tr("Добавить первую школу…"),
            )
        elif self.model.rowCount() == 0:
            self.empty.set_state(
                self.tr("Ничего не найдено"),
                self.tr("Ни одна школа не подходит под поиск и выбранную группу."),
                self.tr("Сбросить поиск и группу"),
            )
        else:
            self.empty.set_state(self.tr("Выберите школу в списке слева"))
        self.pages.setCurrentWidget(self.empty)

    def _on_empty_action(self) -> None:
        if self.db is not None and self._school_total == 0:
            self.add_school()
            return
        with QSignalBlocker(self.group):
            self.group.setCurrentIndex(0)
        with QSignalBlocker(self.search):
            self.search.clear()
        self._apply_query(pin=False)

    def _show_warnings(self, profile: SchoolProfile | None) -> None:
        issues = profile_warnings(profile) if profile else []
        for (table, _name), editor in self.editors.items():
            if table == "profile":
                editor.set_warning("")
        if not issues or profile is None:
            self.warnings.hide()
            return
        for issue in issues:
            self.editors[("profile", issue.field)].set_warning(issue_text(issue))
        labels = ", ".join(tr_field(PROFILE_FIELD_BY_NAME[i.field].label).lower() for i in issues)
        text = self.tr("⚠ Значения не согласуются: {0} — пояснения под полями.").format(labels)
        if self._as_in_document(profile, issues):
            text += " " + self.tr("Так указано в документе; значения сохранены без изменений.")
        self.warnings.setText(text)
        self.warnings.show()

    def _as_in_document(self, profile: SchoolProfile, issues: list[FieldIssue]) -> bool:
        """True when the disagreeing values are all still as a document gave them."""
        db = self.db
        if db is None or profile.source in ("generated", "manual"):
            return False
        fields = {f for i in issues for f in _WARNING_FIELDS.get(i.code, (i.field,))}
        if fields & set(profile.generated_fields):
            return False
        return all(
            change.kind in _DOCUMENT_KINDS
            for name in fields
            for change in db.schools.profile_history(profile.school_id, profile.year, name)
        )

    # --- editing --------------------------------------------------------------------------
    def _on_editor_commit(self, table: str, name: str, raw: Any) -> None:
        db = self.db
        if db is None or self.school_id is None:
            return
        editor = self.editors[(table, name)]
        spec = editor.spec
        school = db.schools.get(self.school_id)
        year = self.selected_year
        label = self.tr("{0}, {1}: {2}").format(
            school.short_name,
            school_year_label(year) if table == "profile" else self.tr("карточка"),
            tr_field(spec.label),
        )
        try:
            value = parse_field(spec, raw)
            if table == "profile":
                changed = db.schools.set_profile_value(self.school_id, year, name, value, label)
            else:
                changed = db.schools.set_school_value(self.school_id, name, value, label)
        except InvalidValueError as exc:
            self._refuse(editor, issue_text(exc.issue))
            return
        except ConstraintError as exc:
            reason = duplicate_code_text(exc, str(raw).strip())
            if reason is not None:
                self._refuse(editor, reason)
            else:
                message = describe_error(exc)
                editor.set_error(message)
                self.sig_status.emit(message)
            return
        except DomainError as exc:
            # The database is busy (another program, a long import): the typed value
            # stays in its field, marked, and is saved when the user confirms it again.
            message = describe_error(exc)
            editor.set_error(message)
            self.sig_status.emit(message)
            return
        editor.set_error("")
        editor.show_stored()  # «30,50» typed is shown as «30,5», as stored
        if changed is None:
            return
        # The change log puts the edit on the undo stack by itself.
        message = self.tr("Сохранено: {0}").format(label)
        if self.model.is_kept(self.school_id):
            message += ". " + self.tr(
                "Школа больше не подходит под фильтр и остаётся в списке, пока выбрана."
            )
        self.sig_status.emit(message)

    def _refuse(self, editor: FieldEditor, reason: str) -> None:
        """Keep a refused value in its editor with the reason under it."""
        if isinstance(editor.editor, QComboBox):
            # A refused choice is not kept: the list shows what is stored.
            editor.show_stored()
        editor.set_error(
            self.tr("{0}. Значение не сохранено; Esc вернёт прежнее.").format(
                reason[:1].upper() + reason[1:]
            ),
            reason,
        )
        self.sig_status.emit(
            self.tr("«{0}»: {1}. Значение не сохранено.").format(
                tr_field(editor.spec.label), reason
            )
        )

    def on_data_changed(self, info: Any) -> None:
        """Refresh the list and the passport after any committed change.

        The list keeps its selection: the school shown stays shown (even when
        its own edit took it out of the filter), and a school that comes back
        (an undone removal) is selected.
        """
        del info
        db = self.db
        if db is None:
            return
        before = set(self._iter_ids())
        self._fill_reference_choices()
        self._school_total = len(db.schools.all_schools())
        self.year.set_years(db.schools.years())
        self._apply_query(pin=True)
        appeared = set(self._iter_ids()) - before
        if len(appeared) == 1 and before and not self._pending_editors():
            self.select_school(appeared.pop())

    def _iter_ids(self) -> Any:
        for row in range(self.model.rowCount()):
            parent = self.model.index(row, 0)
            yield parent.data(ROLE_ID)
            for child in range(self.model.rowCount(parent)):
                yield self.model.index(child, 0, parent).data(ROLE_ID)

    def show_history(self, table: str, name: str) -> None:
        """Open the history of one field of the shown school."""
        db = self.db
        if db is None or self.school_id is None:
            return
        editor = self.editors[(table, name)]
        if table == "profile":
            changes = db.schools.profile_history(self.school_id, self.selected_year, name)
        else:
            changes = db.schools.school_history(self.school_id, name)
        model = HistoryModel(changes, lambda v: editor.format(v) if v is not None else "—")
        dialog = HistoryDialog(tr_field(editor.spec.label), model, self)
        # Closed history windows go away (the monkey found them piling up).
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self._history_dialog = dialog
        dialog.open()

    def add_school(self) -> None:
        """Ask for a new school and add it."""
        db = self.db
        if db is None:
            return
        dialog = AddSchoolDialog(db.schools.all_schools(), self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        values = dialog.values_out
        try:
            _changed, school_id = db.schools.add(
                values, self.tr("Добавлена школа {0}").format(quoted(values["short_name"]))
            )
        except (ConstraintError, InvalidValueError) as exc:
            if isinstance(exc, InvalidValueError):
                detail = issue_text(exc.issue)
            else:
                detail = duplicate_code_text(exc, values["code"]) or describe_error(exc)
            QMessageBox.warning(
                self,
                self.tr("Школа не добавлена"),
                self.tr("Школа не добавлена: {0}").format(detail),
            )
            return
        self.select_school(school_id)

    def remove_school(self) -> None:
        """Remove the selected school after asking; the removal can be undone."""
        db = self.db
        if db is None or self.school_id is None:
            return
        school = db.schools.get(self.school_id)
        profiles = db.schools.profiles(school.id)
        branches = len(db.schools.branches(school.id))
        name = quoted(school.full_name)
        if profiles:
            years = [school_year_label(p.year) for p in profiles]
            span = years[0] if len(years) == 1 else f"{years[0]} – {years[-1]}"
            text = self.tr("Удалить {0} и {1} {2} ({3})?").format(
                name,
                len(profiles),
                plural(len(profiles), "паспорт", "паспорта", "паспортов"),
                span,
            )
        else:
            text = self.tr("Удалить {0}? Паспортов у школы нет.").format(name)
        if branches == 1:
            text += " " + self.tr("Её филиал станет самостоятельной школой.")
        elif branches:
            text += " " + self.tr("Её филиалы ({0}) станут самостоятельными школами.").format(
                branches
            )
        text += "\n\n" + self.tr("Удаление можно отменить: Правка → Отменить ({0}).").format(
            QKeySequence(QKeySequence.StandardKey.Undo).toString(
                QKeySequence.SequenceFormat.NativeText
            )
        )
        if not ask_yes_no(self, self.tr("Удаление школы"), text, self.tr("Удалить")):
            return
        try:
            db.schools.remove(
                school.id, self.tr("Удалена школа {0}").format(quoted(school.short_name))
            )
        except DomainError as exc:  # a rule of a table that refers to the school, a busy file
            show_warning(self, self.tr("Удаление школы"), describe_error(exc))

    # --- charts -----------------------------------------------------------------------------
    def _on_tabs_changed(self, _index: int) -> None:
        self._update_charts()

    def _update_charts(self) -> None:
        if self.tabs.currentWidget() is not self.chart_tab or self.db is None:
            return
        if self.school_id is None:
            return
        if self.charts is None:
            # pyqtgraph costs 0,6 s to import: only when the chart is first shown.
            from shnor_desktop.ui.charts import PassportCharts

            layout = self.chart_tab.layout()
            assert isinstance(layout, QVBoxLayout)
            self.compare = YearPairPicker()
            layout.addWidget(self.compare)
            self.charts = PassportCharts()
            layout.addWidget(self.charts, 1)
            self.compare.sig_changed.connect(self._on_compare_changed)
        profiles = self.db.schools.profiles(self.school_id)
        self.compare.set_years([p.year for p in profiles])  # no passports: nothing to pick
        self.charts.set_data(profiles, *self.compare.chosen())

    def _on_compare_changed(self) -> None:
        self._update_charts()
