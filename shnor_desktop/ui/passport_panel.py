"""The school passport panel: the school list on the left, the passport on the right.

Each field saves itself when its editor is left (one change set per edit, so
Ctrl+Z undoes exactly that edit).  A value that cannot be saved stays in its
editor, marked, with the reason: nothing typed is lost.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QCoreApplication, QModelIndex, QSignalBlocker, Qt, QTimer, Signal
from PySide6.QtGui import QFocusEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSplitter,
    QStyle,
    QTableView,
    QTabWidget,
    QToolButton,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from shnor_desktop.models.errors import ConstraintError, DomainError
from shnor_desktop.models.schools import (
    GROUP_LABELS,
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
from shnor_desktop.models.text import format_number, parse_number, school_year_label
from shnor_desktop.services.messages import describe_error
from shnor_desktop.ui.common import ROLE_ID, DataBus, Panel
from shnor_desktop.ui.messages import ask_yes_no
from shnor_desktop.ui.school_models import HistoryModel, SchoolTreeModel

_MULTILINE = {"group_reason", "infrastructure_note", "notes", "full_name"}


def tr_field(text: str) -> str:
    """Translate a field label or section of the passport."""
    return QCoreApplication.translate("passport", text)


def issue_text(issue: FieldIssue) -> str:
    """Word a field issue in Russian."""
    tr = QCoreApplication.translate
    args = issue.args
    texts = {
        "share_range": tr("passport", "доля должна быть от 0 до 100 %"),
        "negative": tr("passport", "значение не может быть отрицательным"),
        "not_integer": tr("passport", "нужно целое число"),
        "not_number": tr("passport", "нужно число, например 26,8"),
        "required": tr("passport", "поле обязательно"),
        "unknown_group": tr("passport", "неизвестная группа"),
        "self_parent": tr("passport", "школа не может быть филиалом самой себя"),
        "parent_is_branch": tr("passport", "филиал может относиться только к школе, не к филиалу"),
        "has_branches": tr("passport", "у школы есть свои филиалы: она не может стать филиалом"),
        "levels_sum": tr(
            "passport", "сумма по уровням ({0}) не равна общему контингенту ({1})"
        ).format(*args)
        if len(args) == 2
        else "",
        "bused_over_total": tr("passport", "подвозится больше ({0}), чем обучается ({1})").format(
            *args
        )
        if len(args) == 2
        else "",
        "vacancies_over_teachers": tr(
            "passport", "вакансий ({0}) больше, чем педагогов ({1})"
        ).format(*args)
        if len(args) == 2
        else "",
    }
    return texts.get(issue.code, issue.code)


class _CommitText(QPlainTextEdit):
    """A multi-line text field that reports when the user leaves it."""

    sig_committed = Signal()

    def focusOutEvent(self, event: QFocusEvent) -> None:  # noqa: N802
        super().focusOutEvent(event)
        self.sig_committed.emit()


class FieldEditor(QWidget):
    """One editor of one field, with its «generated» mark and history button."""

    sig_commit = Signal(str, object)  # field name, raw value
    sig_history = Signal(str)

    def __init__(self, spec: FieldSpec, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.spec = spec
        self._value: Any = None
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.editor: QWidget
        if spec.kind in ("flag", "group", "person", "school"):
            combo = QComboBox()
            combo.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
            )
            combo.setMinimumContentsLength(14)
            combo.activated.connect(self._on_combo_activated)
            self.editor = combo
        elif spec.name in _MULTILINE and spec.kind == "text":
            text = _CommitText()
            text.setTabChangesFocus(True)
            text.setFixedHeight(54)
            text.sig_committed.connect(self._on_text_committed)
            self.editor = text
        else:
            line = QLineEdit()
            line.editingFinished.connect(self._on_line_finished)
            if spec.kind in ("count", "share", "real"):
                line.setAlignment(Qt.AlignmentFlag.AlignRight)
                line.setMaximumWidth(120)
            self.editor = line
        self.editor.setObjectName(f"field_{spec.name}")
        layout.addWidget(self.editor, 1)
        if spec.unit:
            layout.addWidget(QLabel(spec.unit))
        self.mark = QLabel(self.tr("сгенер."))
        self.mark.setStyleSheet("color: #8a6d00; font-style: italic; font-size: 8pt;")
        self.mark.setToolTip(
            self.tr("Значения нет в документах: оно сгенерировано для демонстрации")
        )
        self.mark.hide()
        layout.addWidget(self.mark)
        history = QToolButton()
        history.setIcon(self.style().standardIcon(QStyle.StandardPixmap.SP_FileDialogDetailedView))
        history.setToolTip(self.tr("История изменений поля"))
        history.setAutoRaise(True)
        history.clicked.connect(lambda: self.sig_history.emit(spec.name))
        layout.addWidget(history)
        if spec.kind not in ("count", "share", "real"):
            layout.setStretch(0, 1)
        else:
            layout.addStretch(1)
        self.error = ""

    # --- choices --------------------------------------------------------------------
    def set_choices(self, choices: list[tuple[str, Any]]) -> None:
        """Fill a combo editor with (text, value) pairs."""
        combo = self.editor
        assert isinstance(combo, QComboBox)
        with QSignalBlocker(combo):
            combo.clear()
            for text, value in choices:
                combo.addItem(text, value)
        self._show_value()

    # --- value ------------------------------------------------------------------------
    def set_value(self, value: Any, generated: bool = False) -> None:
        """Show a stored value (a pending invalid text is kept)."""
        self._value = value
        self.mark.setVisible(generated)
        if self.error:
            return
        self._show_value()

    def show_stored(self) -> None:
        """Show the stored value again (after an edit that changed nothing)."""
        self._show_value()

    def _show_value(self) -> None:
        value = self._value
        editor = self.editor
        with QSignalBlocker(editor):
            if isinstance(editor, QComboBox):
                position = editor.findData(value)
                editor.setCurrentIndex(max(position, 0))
            elif isinstance(editor, QPlainTextEdit):
                if editor.toPlainText() != (value or ""):
                    editor.setPlainText(value or "")
            elif isinstance(editor, QLineEdit):
                editor.setText(self.format(value))
                editor.setCursorPosition(0)

    def format(self, value: Any) -> str:
        """Format a value of this field for display."""
        if value is None:
            return ""
        if self.spec.kind == "count":
            return format_number(int(value), 0)
        if self.spec.kind in ("share", "real"):
            number = float(value)
            if number.is_integer():
                return format_number(number, 0)
            # Up to the precision the documents use (0,03 %, 0,06 %), no trailing zeros.
            return format_number(number, 2).rstrip("0").rstrip(",")
        return str(value)

    def set_error(self, message: str) -> None:
        """Mark the editor invalid (empty message clears the mark)."""
        self.error = message
        self.editor.setStyleSheet("border: 2px solid #c0392b;" if message else "")
        self.editor.setToolTip(message)

    def raw_value(self) -> Any:
        """The editor's current value: text, or the combo's data."""
        editor = self.editor
        if isinstance(editor, QComboBox):
            return editor.currentData()
        if isinstance(editor, QPlainTextEdit):
            return editor.toPlainText()
        assert isinstance(editor, QLineEdit)
        return editor.text()

    # --- slots --------------------------------------------------------------------------
    def _on_combo_activated(self, _index: int) -> None:
        self.sig_commit.emit(self.spec.name, self.raw_value())

    def _on_text_committed(self) -> None:
        if self.raw_value() != (self._value or ""):
            self.sig_commit.emit(self.spec.name, self.raw_value())

    def _on_line_finished(self) -> None:
        self.sig_commit.emit(self.spec.name, self.raw_value())


def parse_field(spec: FieldSpec, raw: Any) -> Any:
    """Turn what an editor holds into a value for ``check_value``.

    Raises :class:`InvalidValueError` for text that is not a number.
    """
    if spec.kind in ("count", "share", "real") and isinstance(raw, str):
        try:
            return parse_number(raw)
        except ValueError:
            raise InvalidValueError(FieldIssue(spec.name, "not_number", "error", (raw,))) from None
    return raw


class HistoryDialog(QDialog):
    """The history of one field: who changed it, when, from what to what."""

    def __init__(self, title: str, model: HistoryModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("История: {0}").format(title))
        self.resize(720, 320)
        layout = QVBoxLayout(self)
        self.view = QTableView()
        self.view.setModel(model)
        self.view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.view.horizontalHeader().setStretchLastSection(True)
        self.view.verticalHeader().hide()
        layout.addWidget(self.view)
        if model.rowCount() == 0:
            layout.addWidget(QLabel(self.tr("Поле ещё не изменялось.")))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)


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
        form.addRow(self.tr("Краткое наименование*"), self.short_name)
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


class PassportPanel(Panel):
    """Schools with search and filters; the passport of the selected one."""

    TITLE = QCoreApplication.translate("Panel", "Школы и паспорта")

    def __init__(self, bus: DataBus, parent: QWidget | None = None) -> None:
        super().__init__(bus, parent)
        self.school_id: int | None = None
        self.editors: dict[tuple[str, str], FieldEditor] = {}
        self.charts: Any = None
        self._build()

    # --- layout ------------------------------------------------------------------------
    def _build(self) -> None:
        splitter = QSplitter(Qt.Orientation.Horizontal)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(splitter)

        left = QWidget()
        left_layout = QVBoxLayout(left)
        filters = QGridLayout()
        self.search = QLineEdit()
        self.search.setPlaceholderText(self.tr("Поиск по названию, населённому пункту, коду"))
        self.search.setClearButtonEnabled(True)
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(200)
        self._search_timer.timeout.connect(self._apply_query)
        self.search.textChanged.connect(self._search_timer.start)
        self.year = QComboBox()
        self.year.setToolTip(self.tr("Учебный год"))
        self.year.currentIndexChanged.connect(self._on_year_changed)
        self.group = QComboBox()
        self.group.addItem(self.tr("Все группы"), None)
        for code, label in GROUP_LABELS.items():
            self.group.addItem(tr_field(label), code)
        self.group.currentIndexChanged.connect(self._apply_query)
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
        # The kind is already the first word of the short name («СОШ с. …»).
        self.tree.setColumnHidden(SchoolTreeModel.COL_KIND, True)
        header = self.tree.header()
        header.setSectionResizeMode(SchoolTreeModel.COL_NAME, QHeaderView.ResizeMode.Stretch)
        for column in range(1, 6):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(False)
        self.tree.selectionModel().currentRowChanged.connect(self._on_tree_current_changed)
        left_layout.addWidget(self.tree, 1)
        self.count_label = QLabel()
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
        splitter.addWidget(left)

        right = QWidget()
        right_layout = QVBoxLayout(right)
        self.heading = QLabel()
        self.heading.setWordWrap(True)
        self.heading.setStyleSheet("font-size: 15pt; font-weight: bold;")
        right_layout.addWidget(self.heading)
        self.warnings = QLabel()
        self.warnings.setWordWrap(True)
        self.warnings.setStyleSheet(
            "background: #fff4d6; border: 1px solid #e0b84c; padding: 6px; color: #5a4500;"
        )
        self.warnings.hide()
        right_layout.addWidget(self.warnings)
        self.tabs = QTabWidget()
        self._profile_boxes: list[QGroupBox] = []
        self.tabs.addTab(self._build_form("profile"), self.tr("Паспорт"))
        self.tabs.addTab(self._build_form("school"), self.tr("Карточка школы"))
        self.chart_tab = QWidget()
        QVBoxLayout(self.chart_tab)
        self.tabs.addTab(self.chart_tab, self.tr("Динамика"))
        self.tabs.currentChanged.connect(self._on_tabs_changed)
        right_layout.addWidget(self.tabs, 1)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 3)
        splitter.setSizes([480, 620])
        self.splitter = splitter

    def _build_form(self, table: str) -> QWidget:
        """A scrollable form of the school card or of the year's passport."""
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        body = QWidget()
        outer = QVBoxLayout(body)
        sections: dict[str, QFormLayout] = {}
        if table == "school":
            specs, placement = SCHOOL_FIELDS, {"Общие сведения": outer}
        else:
            self.profile_title = QLabel()
            self.profile_title.setWordWrap(True)
            self.profile_title.setStyleSheet("font-weight: bold; color: #5a4500;")
            outer.addWidget(self.profile_title)
            # The group comes first: it is what the coordinator decides.
            specs = tuple(
                sorted(PROFILE_FIELDS, key=lambda f: f.section != "Группа и сопровождение")
            )
            # One column: the form must fit a 1366-pixel laptop screen beside
            # the list without a horizontal scroll bar.
            placement = {section: outer for section in dict.fromkeys(s.section for s in specs)}
        for spec in specs:
            if spec.section not in sections:
                box = QGroupBox(tr_field(spec.section))
                box.setProperty("base_title", tr_field(spec.section))
                form = QFormLayout(box)
                form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
                placement[spec.section].addWidget(box)
                sections[spec.section] = form
                if table == "profile":
                    self._profile_boxes.append(box)
            self._add_editor(table, spec, sections[spec.section])
        outer.addStretch(1)
        scroll.setWidget(body)
        return scroll

    def _add_editor(self, table: str, spec: FieldSpec, form: QFormLayout) -> None:
        editor = FieldEditor(spec)
        editor.sig_commit.connect(lambda name, raw, t=table: self._on_editor_commit(t, name, raw))
        editor.sig_history.connect(lambda name, t=table: self.show_history(t, name))
        if spec.kind == "flag":
            editor.set_choices(
                [(self.tr("не указано"), None), (self.tr("да"), 1), (self.tr("нет"), 0)]
            )
        elif spec.kind == "group":
            editor.set_choices([(tr_field(label), code) for code, label in GROUP_LABELS.items()])
        form.addRow(tr_field(spec.label), editor)
        self.editors[(table, spec.name)] = editor

    # --- data ---------------------------------------------------------------------------
    def reload(self) -> None:
        """Read schools, years and the shown passport again."""
        db = self.db
        if db is None:
            self.model.set_repository(None)
            self.show_school(None)
            return
        years = db.schools.years()
        with QSignalBlocker(self.year):
            current = self.year.currentData()
            self.year.clear()
            for year in years:
                self.year.addItem(school_year_label(year), year)
            if years and (years[-1] + 1) not in years:
                self.year.addItem(school_year_label(years[-1] + 1), years[-1] + 1)
            if not years:
                self.year.addItem(school_year_label(2025), 2025)
            position = self.year.findData(current)
            if position < 0:
                position = self.year.findData(db.schools.default_year() or 2025)
            self.year.setCurrentIndex(position)
        self._fill_reference_choices()
        self.model.set_repository(db.schools, refresh=False)
        self._apply_query()

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
        value = self.year.currentData()
        return int(value) if value is not None else 2025

    def _apply_query(self) -> None:
        if self.db is None:
            self._search_timer.stop()
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
        self.model.set_query(query)
        self.tree.expandAll()
        shown = sum(1 for _ in self._iter_ids())
        self.count_label.setText(self.tr("Показано: {0}").format(shown))
        index = self.model.index_of(keep) if keep is not None else QModelIndex()
        if index.isValid():
            self.tree.setCurrentIndex(index)
        else:
            first = self.model.index(0, 0)
            if first.isValid():
                self.tree.setCurrentIndex(first)
            else:
                self.show_school(None)

    def _iter_ids(self) -> Any:
        for row in range(self.model.rowCount()):
            parent = self.model.index(row, 0)
            yield parent.data(ROLE_ID)
            for child in range(self.model.rowCount(parent)):
                yield self.model.index(child, 0, parent).data(ROLE_ID)

    def select_school(self, school_id: int) -> bool:
        """Select a school in the list (True when it is shown)."""
        index = self.model.index_of(school_id)
        if index.isValid():
            self.tree.setCurrentIndex(index)
        return index.isValid()

    def _on_tree_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        school_id = current.data(ROLE_ID) if current.isValid() else None
        self.show_school(school_id)

    def _on_year_changed(self, _index: int) -> None:
        self._apply_query()

    def show_school(self, school_id: int | None) -> None:
        """Show the passport of a school for the chosen year."""
        self.school_id = school_id
        db = self.db
        enabled = db is not None and school_id is not None
        self.tabs.setEnabled(enabled)
        self.remove_button.setEnabled(enabled)
        self.add_button.setEnabled(db is not None)
        for editor in self.editors.values():
            editor.set_error("")
        if db is None or school_id is None:
            self.heading.setText(self.tr("Выберите школу в списке") if db else "")
            self.warnings.hide()
            for editor in self.editors.values():
                editor.set_value(None)
            return
        try:
            school = db.schools.get(school_id)
        except DomainError:
            self.show_school(None)
            return
        year = self.selected_year
        profile = db.schools.profile(school_id, year)
        self.heading.setText(school.full_name)
        for spec in SCHOOL_FIELDS:
            self.editors[("school", spec.name)].set_value(getattr(school, spec.name))
        generated = set(profile.generated_fields) if profile else set()
        for spec in PROFILE_FIELDS:
            value = profile.value(spec.name) if profile else None
            self.editors[("profile", spec.name)].set_value(value, spec.name in generated)
        for box in self._profile_boxes:
            box.setTitle(f"{box.property('base_title')} — {school_year_label(year)}")
        if profile is None:
            self.profile_title.setText(
                self.tr(
                    "Паспорт на {0} учебный год ещё не заполнен: введите значения, "
                    "и он будет создан."
                ).format(school_year_label(year))
            )
        elif profile.source == "generated":
            self.profile_title.setText(
                self.tr("Паспорт на {0}: все значения сгенерированы для демонстрации.").format(
                    school_year_label(year)
                )
            )
        else:
            self.profile_title.setText("")
        self._show_warnings(profile)
        self._update_charts()

    def _show_warnings(self, profile: SchoolProfile | None) -> None:
        issues = profile_warnings(profile) if profile else []
        if not issues:
            self.warnings.hide()
            return
        lines = [
            "⚠ " + tr_field(PROFILE_FIELD_BY_NAME[i.field].label) + ": " + issue_text(i)
            for i in issues
        ]
        lines.append(self.tr("Значения сохранены так, как указаны в документе."))
        self.warnings.setText("\n".join(lines))
        self.warnings.show()

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
                set_id = db.schools.set_profile_value(self.school_id, year, name, value, label)
            else:
                set_id = db.schools.set_school_value(self.school_id, name, value, label)
        except InvalidValueError as exc:
            editor.set_error(issue_text(exc.issue))
            self.sig_status.emit(
                self.tr("«{0}»: {1}. Значение не сохранено.").format(
                    tr_field(spec.label), issue_text(exc.issue)
                )
            )
            return
        except ConstraintError as exc:
            message = describe_error(exc)
            editor.set_error(message)
            self.sig_status.emit(message)
            return
        editor.set_error("")
        if set_id is not None:
            self.sig_undoable.emit(set_id)
            self.sig_status.emit(self.tr("Сохранено: {0}").format(label))
        else:
            editor.show_stored()  # «30,50» typed is shown as «30,5», as stored

    def on_data_changed(self, info: Any) -> None:
        """Refresh the list and the passport after any committed change."""
        del info
        self._fill_reference_choices()
        years = self.db.schools.years() if self.db else []
        if any(self.year.findData(y) < 0 for y in years):
            self.reload()
            return
        self._apply_query()
        if self.school_id is not None and not self.model.index_of(self.school_id).isValid():
            self.show_school(self.school_id)

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
            set_id, school_id = db.schools.add(
                values, self.tr("Добавлена школа «{0}»").format(values["short_name"])
            )
        except (ConstraintError, InvalidValueError) as exc:
            if isinstance(exc, InvalidValueError):
                detail = issue_text(exc.issue)
            elif "UNIQUE" in exc.detail and "code" in exc.detail:
                detail = self.tr("код «{0}» уже занят другой школой").format(values["code"])
            else:
                detail = describe_error(exc)
            QMessageBox.warning(
                self,
                self.tr("Школа не добавлена"),
                self.tr("Школа не добавлена: {0}").format(detail),
            )
            return
        self.sig_undoable.emit(set_id)
        self.school_id = school_id
        self._apply_query()
        self.select_school(school_id)

    def remove_school(self) -> None:
        """Remove the selected school after asking; the removal can be undone."""
        db = self.db
        if db is None or self.school_id is None:
            return
        school = db.schools.get(self.school_id)
        profiles = len(db.schools.profiles(school.id))
        branches = len(db.schools.branches(school.id))
        text = self.tr("Удалить «{0}» вместе с паспортами ({1})?").format(
            school.full_name, profiles
        )
        if branches:
            text += " " + self.tr("Филиалы ({0}) станут самостоятельными школами.").format(branches)
        text += "\n\n" + self.tr("Удаление можно отменить: Правка → Отменить ({0}).").format(
            QKeySequence(QKeySequence.StandardKey.Undo).toString(
                QKeySequence.SequenceFormat.NativeText
            )
        )
        if not ask_yes_no(self, self.tr("Удаление школы"), text, self.tr("Удалить")):
            return
        set_id = db.schools.remove(
            school.id, self.tr("Удалена школа «{0}»").format(school.short_name)
        )
        self.school_id = None
        self.sig_undoable.emit(set_id)

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
            pickers = QHBoxLayout()
            self.year_a = QComboBox()
            self.year_b = QComboBox()
            pickers.addWidget(QLabel(self.tr("Сравнить годы:")))
            pickers.addWidget(self.year_a)
            pickers.addWidget(QLabel(self.tr("и")))
            pickers.addWidget(self.year_b)
            pickers.addStretch(1)
            assert isinstance(layout, QVBoxLayout)
            layout.addLayout(pickers)
            self.charts = PassportCharts()
            layout.addWidget(self.charts, 1)
            self.year_a.activated.connect(self._on_compare_changed)
            self.year_b.activated.connect(self._on_compare_changed)
        profiles = self.db.schools.profiles(self.school_id)
        years = [p.year for p in profiles]
        for combo, default in ((self.year_a, -2), (self.year_b, -1)):
            current = combo.currentData()
            with QSignalBlocker(combo):
                combo.clear()
                for year in years:
                    combo.addItem(school_year_label(year), year)
                position = combo.findData(current)
                if position < 0 and years:
                    position = combo.findData(years[max(default, -len(years))])
                combo.setCurrentIndex(position)
        self.charts.set_data(profiles, self.year_a.currentData(), self.year_b.currentData())

    def _on_compare_changed(self, _index: int) -> None:
        self._update_charts()
