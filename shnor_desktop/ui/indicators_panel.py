"""The page «Показатели программы»: a programme's indicators, plan against actual by year.

A programme chooser and a school-year chooser above a tree (two school years
side by side, as the district's tables «На январь 2022 г / На январь 2023 г»),
and under it the chosen indicator in full: its formula with the figures it
counted, its source, frequency and the notes of both years.

Cells are edited in place (typing starts the edit, Enter or Tab saves,
Escape drops it); a refused value stays in its cell with the reason under it.
The actual of a computed indicator is replaced by a typed value only after
the user confirms it, and then carries the mark ✎ with the computed value
shown beside it.  Indicators are added, changed and removed with the buttons,
the context menu or Insert; every write is a change set (Правка → Отменить).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, QItemSelectionModel, QModelIndex, QObject, QPoint, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from shnor_desktop.models.errors import DomainError
from shnor_desktop.models.fields import FieldIssue, InvalidValueError
from shnor_desktop.models.indicators import (
    COMPUTATIONS,
    DIRECTION_LABELS,
    DIRECTIONS,
    INDICATOR_FIELD_BY_NAME,
    Cell,
    Indicator,
    IndicatorQuery,
    IndicatorRow,
    computed_key,
    formula_text,
    parse_computed,
)
from shnor_desktop.models.schools import GROUP_LABELS
from shnor_desktop.models.text import format_number, parse_number, school_year_label
from shnor_desktop.services.messages import describe_error, describe_issue
from shnor_desktop.ui.cell_editing import WriteResult
from shnor_desktop.ui.common import DataBus, Panel
from shnor_desktop.ui.forms import FormDialog
from shnor_desktop.ui.indicator_models import (
    COMPUTED_MARK,
    OVERRIDE_MARK,
    STATUS_COLOURS,
    CellEdit,
    IndicatorDelegate,
    IndicatorTreeModel,
    IndicatorTreeView,
    format_value,
    member_text,
    share_text,
    source_label,
    tr,
)
from shnor_desktop.ui.messages import ask_yes_no, show_warning
from shnor_desktop.ui.widgets import (
    EmptyState,
    ProgrammeCombo,
    SchoolYearCombo,
    detail_pane,
    edit_cell_by_cell,
    quoted,
)

MIN_NAME_CHARS = 30
"""The indicator's name keeps at least this many characters of width (then the tree scrolls)."""

SHOWN_TABLES = frozenset(
    {"programme", "indicator", "indicator_value", "school", "school_profile", "assessment"}
)
"""Tables whose changes the page shows (passports and results feed computed indicators)."""

# The groups of schools a computed indicator may count (None: all schools).
GROUP_SCOPES: tuple[tuple[str, ...], ...] = (
    (),
    ("shnor",),
    ("risk",),
    ("shnor", "risk"),
    ("prevention",),
    ("leader",),
)
FREQUENCIES = ("ежегодно", "раз в полугодие", "ежеквартально", "ежемесячно")
UNITS = ("%", "чел.", "ед.", "")


def issue_text(issue: FieldIssue) -> str:  # noqa: PLR0911 (one wording per code)
    """Word a problem of an indicator or its value in Russian, with a capital and a full stop."""
    code, args = issue.code, issue.args
    if code == "required" and issue.field == "code":
        return tr("Укажите номер показателя, например 2.1.")
    if code == "required" and issue.field == "name":
        return tr("Укажите наименование показателя.")
    if code == "duplicate_code" and args:
        return tr("Показатель № %1 в этой программе уже есть: выберите другой номер.").replace(
            "%1", str(args[0])
        )
    if code == "parent_cycle":
        return tr("Показатель не может входить в самого себя или в свой подпоказатель.")
    if code == "computed_actual":
        return tr("Значение вычисляется по данным; замена требует подтверждения.")
    if code == "not_number":
        return tr("Нужно число, например 26,8.")
    if code == "share_range":
        return tr("Доля — число от 0 до 100.")
    if code == "negative":
        return tr("Значение не может быть отрицательным.")
    if code == "not_year":
        return tr("Год — четыре цифры, например 2021.")
    text = describe_issue(issue)
    return text[:1].upper() + text[1:] + "."


def scope_label(groups: tuple[str, ...]) -> str:
    """The schools a computation counts, translated: «все школы», «ШНОР и зона риска»."""
    if not groups:
        return tr("все школы")
    return ", ".join(tr(GROUP_LABELS.get(g, g)) for g in groups)


# --- dialogs -----------------------------------------------------------------------------------


class IndicatorDialog(FormDialog):
    """Adds or changes an indicator; a refused value is explained under its field."""

    def __init__(
        self,
        indicator: Indicator | None,
        parents: list[tuple[str, int]],
        defaults: dict[str, Any],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(
            tr("Новый показатель") if indicator is None else tr("Показатель"),
            tr("Добавить") if indicator is None else tr("Сохранить"),
            parent,
            issue_text,
        )
        self.setMinimumWidth(640)
        current: dict[str, Any] = dict(defaults)
        if indicator is not None:
            current.update(
                {
                    name: getattr(indicator, name)
                    for name in INDICATOR_FIELD_BY_NAME
                    if hasattr(indicator, name)
                }
            )
        self.parent_box = QComboBox(self)
        self.parent_box.addItem(tr("— верхний уровень —"), None)
        own = indicator.id if indicator is not None else None
        for text, indicator_id in parents:
            if indicator_id != own:
                self.parent_box.addItem(text, indicator_id)
        self.parent_box.setCurrentIndex(max(self.parent_box.findData(current.get("parent_id")), 0))
        self._add("parent_id", self.parent_box)
        self.code = self._line("code", current.get("code") or "", tr("например, 2.1.1"))
        self.code.setMaximumWidth(140)
        self.name = self._line("name", current.get("name") or "")
        self.unit = QComboBox(self)
        self.unit.setEditable(True)
        self.unit.addItems(list(UNITS))
        self.unit.setCurrentText(str(current.get("unit", "%")))
        self.unit.setMaximumWidth(140)
        self._add("unit", self.unit)
        self.direction = QComboBox(self)
        for code in DIRECTIONS:
            self.direction.addItem(tr(DIRECTION_LABELS[code]), code)
        self.direction.setCurrentIndex(max(self.direction.findData(current.get("direction")), 0))
        self._add("direction", self.direction)
        self.baseline = self._line("baseline", _number_text(current.get("baseline")))
        self.baseline.setMaximumWidth(140)
        self.baseline_year = self._line(
            "baseline_year", str(current.get("baseline_year") or ""), tr("например, 2021")
        )
        self.baseline_year.setMaximumWidth(140)
        self.computation = QComboBox(self)
        self.computation.setObjectName("field_computation")
        self.computation.addItem(tr("нет — значения вводятся"), "")
        for computation in COMPUTATIONS:
            self.computation.addItem(tr(computation.title), computation.key)
        self.scope = QComboBox(self)
        self.scope.setObjectName("field_scope")
        for groups in GROUP_SCOPES:
            self.scope.addItem(scope_label(groups), ",".join(groups))
        parsed = parse_computed(str(current.get("computed") or ""))
        if parsed is not None:
            self.computation.setCurrentIndex(self.computation.findData(parsed[0].key))
            self.scope.setCurrentIndex(max(self.scope.findData(",".join(parsed[1])), 0))
        row = QWidget(self)
        line = QHBoxLayout(row)
        line.setContentsMargins(0, 0, 0, 0)
        line.addWidget(self.computation, 2)
        line.addWidget(QLabel(tr("школы:"), row))
        line.addWidget(self.scope, 1)
        self._add("computed", row)
        self.formula_label = QLabel(self)
        self.formula_label.setWordWrap(True)
        self.formula_label.setStyleSheet("color: #1f4e8c;")
        self.form.addRow("", self.formula_label)
        self.computation.currentIndexChanged.connect(self._on_computation_changed)
        self.scope.currentIndexChanged.connect(self._on_computation_changed)
        self.formula = self._line("formula", current.get("formula") or "")
        self.source_note = self._line("source_note", current.get("source_note") or "")
        self.frequency = QComboBox(self)
        self.frequency.setEditable(True)
        self.frequency.addItems(list(FREQUENCIES))
        self.frequency.setCurrentText(str(current.get("frequency") or ""))
        self._add("frequency", self.frequency)
        self._finish_layout()
        self._on_computation_changed()
        self.code.setFocus()

    def _add(self, name: str, widget: QWidget) -> None:
        self.add_field(name, tr(INDICATOR_FIELD_BY_NAME[name].label), widget)

    def _line(self, name: str, text: str, placeholder: str = "") -> QLineEdit:
        return self.add_line(name, tr(INDICATOR_FIELD_BY_NAME[name].label), text, placeholder)

    def _on_computation_changed(self) -> None:
        key = str(self.computation.currentData() or "")
        self.scope.setEnabled(bool(key))
        groups = tuple(g for g in str(self.scope.currentData() or "").split(",") if g)
        text = formula_text(computed_key(key, groups)) if key else ""
        self.formula_label.setText(text)
        self.formula_label.setVisible(bool(text))

    def read(self) -> tuple[dict[str, Any], list[FieldIssue]]:
        """The values typed and what is wrong with them before writing."""
        issues: list[FieldIssue] = []
        values: dict[str, Any] = {
            "parent_id": self.parent_box.currentData(),
            "code": self.code.text(),
            "name": self.name.text(),
            "unit": self.unit.currentText().strip(),
            "direction": self.direction.currentData(),
            "formula": self.formula.text(),
            "source_note": self.source_note.text(),
            "frequency": self.frequency.currentText().strip(),
        }
        try:
            values["baseline"] = parse_number(self.baseline.text())
        except ValueError:
            issues.append(FieldIssue("baseline", "not_number", "error"))
        year_text = self.baseline_year.text().strip()
        if year_text and not (year_text.isdigit() and len(year_text) == 4):
            issues.append(FieldIssue("baseline_year", "not_year", "error"))
        else:
            values["baseline_year"] = int(year_text) if year_text else None
        key = str(self.computation.currentData() or "")
        groups = tuple(g for g in str(self.scope.currentData() or "").split(",") if g)
        values["computed"] = computed_key(key, groups) if key else ""
        return values, issues


def _number_text(value: Any) -> str:
    if value is None:
        return ""
    number = float(value)
    return str(int(number)) if number.is_integer() else repr(number).replace(".", ",")


class SchoolChoiceDialog(QDialog):
    """Chooses a school to give an indicator values of its own."""

    def __init__(self, schools: list[tuple[str, int]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("Значения по школе"))
        self.school = QComboBox(self)
        self.school.setObjectName("field_school")
        for name, school_id in schools:
            self.school.addItem(name, school_id)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(tr("Добавить"))
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(tr("Отмена"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(tr("Школа, у которой будут свои значения показателя:"), self))
        layout.addWidget(self.school)
        layout.addWidget(buttons)


# --- the panel ---------------------------------------------------------------------------------


class IndicatorsPanel(Panel):
    """A programme's indicators: the tree with plan, actual, status, formula and source."""

    TITLE = "Показатели программы"  # source string, context "Panel"
    TABLES = SHOWN_TABLES

    def __init__(self, bus: DataBus, parent: QWidget | None = None) -> None:
        super().__init__(bus, parent)
        self.context_menu: QMenu | None = None
        self._programme_id: int | None = None
        self._expanded_for: int | None = None

        self.programme = ProgrammeCombo(self)
        self.programme.currentIndexChanged.connect(self._on_programme_changed)
        self.year = SchoolYearCombo(self)
        self.year.sig_year_changed.connect(self._on_year_changed)
        self.year.sig_rejected.connect(self._on_year_rejected)
        chooser = QHBoxLayout()
        chooser.addWidget(QLabel(self.tr("Программа:"), self))
        chooser.addWidget(self.programme, 1)
        chooser.addSpacing(12)
        chooser.addWidget(QLabel(self.tr("Учебный год:"), self))
        chooser.addWidget(self.year)

        self.model = IndicatorTreeModel(self)
        self.model.writer = self.write_cell
        self.view = IndicatorTreeView(self)
        self.view.setObjectName("indicator_tree")
        self.view.setModel(self.model)
        self.delegate = IndicatorDelegate(self.model, self.view)
        self.view.setItemDelegate(self.delegate)
        edit_cell_by_cell(self.view)
        # Names take up to two lines (the whole name is in its tooltip and under the tree).
        self.view.setWordWrap(False)
        self.view.setUniformRowHeights(False)
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.view.customContextMenuRequested.connect(self._on_view_context_menu_requested)
        header = self.view.header()
        header.setStretchLastSection(False)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignCenter)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self._widths: dict[int, int] = {}
        self.view.viewport().installEventFilter(self)
        self.view.selectionModel().currentChanged.connect(self._on_current_changed)

        self._build_actions()
        buttons = QHBoxLayout()
        for action in (
            self.add_action,
            self.edit_action,
            self.remove_action,
            self.school_action,
            self.restore_action,
        ):
            button = QPushButton(action.text(), self)
            button.setToolTip(action.toolTip())
            button.clicked.connect(action.trigger)
            action.changed.connect(lambda a=action, b=button: b.setEnabled(a.isEnabled()))
            button.setEnabled(action.isEnabled())
            buttons.addWidget(button)
        buttons.addStretch(1)

        self.legend = QLabel(self)
        self.legend.setObjectName("legend")
        self.legend.setWordWrap(True)
        self.legend.setText(self._legend_text())

        self.detail, detail_area = detail_pane(self, 60)

        self.splitter = QSplitter(Qt.Orientation.Vertical, self)
        self.splitter.addWidget(self.view)
        self.splitter.addWidget(detail_area)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setStretchFactor(0, 4)
        self.splitter.setStretchFactor(1, 1)
        # The detail shows a computed indicator's schools without scrolling, where it can.
        self.splitter.setSizes([400, 130])

        page = QWidget(self)
        page_layout = QVBoxLayout(page)
        page_layout.setContentsMargins(0, 0, 0, 0)
        page_layout.addLayout(buttons)
        page_layout.addWidget(self.splitter, 1)
        page_layout.addWidget(self.legend)
        self.empty = EmptyState(self)
        self.pages = QStackedWidget(self)
        self.pages.addWidget(page)
        self.pages.addWidget(self.empty)

        layout = QVBoxLayout(self)
        layout.addLayout(chooser)
        layout.addWidget(self.pages, 1)
        self.reload()

    # --- actions ------------------------------------------------------------------------
    def _build_actions(self) -> None:
        view = self.view
        self.add_action = QAction(self.tr("Добавить…"), view)
        self.add_action.setToolTip(self.tr("Добавить показатель (Insert)"))
        self.add_action.setShortcut(QKeySequence(Qt.Key.Key_Insert))
        self.add_action.triggered.connect(self._on_add_triggered)
        self.edit_action = QAction(self.tr("Изменить…"), view)
        self.edit_action.setToolTip(self.tr("Все свойства выбранного показателя"))
        self.edit_action.triggered.connect(self._on_edit_triggered)
        self.remove_action = QAction(self.tr("Удалить…"), view)
        self.remove_action.setToolTip(
            self.tr("Удалить выбранный показатель с подпоказателями (Ctrl+Delete)")
        )
        self.remove_action.setShortcut(QKeySequence("Ctrl+Delete"))
        self.remove_action.triggered.connect(self._on_remove_triggered)
        self.school_action = QAction(self.tr("Школа…"), view)
        self.school_action.setToolTip(self.tr("Добавить к показателю строку значений одной школы"))
        self.school_action.triggered.connect(self._on_school_triggered)
        self.restore_action = QAction(self.tr("Вернуть вычисленное"), view)
        self.restore_action.setToolTip(
            self.tr("Убрать введённое значение: показатель снова вычисляется по данным")
        )
        self.restore_action.triggered.connect(self._on_restore_triggered)
        self.clear_action = QAction(self.tr("Очистить значение"), view)
        self.clear_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Delete))
        self.clear_action.triggered.connect(self._on_clear_triggered)
        self.remove_school_action = QAction(self.tr("Убрать школу"), view)
        self.remove_school_action.triggered.connect(self._on_remove_school_triggered)
        for action in (
            self.add_action,
            self.remove_action,
            self.clear_action,
        ):
            action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
            view.addAction(action)

    def _legend_text(self) -> str:
        chips = " ".join(
            f'<span style="background:{STATUS_COLOURS[code][0]}; color:{STATUS_COLOURS[code][1]};">'
            f"&nbsp;{tr(label)}&nbsp;</span>"
            for code, label in (
                ("met", "выполнен"),
                ("not_met", "не выполнен"),
                ("no_data", "нет данных"),
            )
        )
        return (
            tr(
                "%1 — вычислено по данным (формула — в столбце «Формула / источник» и ниже); "
            ).replace("%1", f"<b>{COMPUTED_MARK}</b>")
            + tr("%1 — введено вместо вычисленного. Статус: ").replace(
                "%1", f"<b>{OVERRIDE_MARK}</b>"
            )
            + chips
        )

    def _update_actions(self) -> None:
        index = self.view.currentIndex()
        has_programme = self.db is not None and self._programme_id is not None
        row = self.model.row_of(index)
        kind = self.model.node_kind(index)
        self.add_action.setEnabled(has_programme)
        self.edit_action.setEnabled(row is not None)
        self.remove_action.setEnabled(row is not None)
        self.school_action.setEnabled(
            row is not None and not row.indicator.is_computed and bool(row.indicator.unit)
        )
        self.restore_action.setEnabled(self._override_year(index) is not None)
        self.remove_school_action.setEnabled(kind == "school")

    def _override_year(self, index: QModelIndex) -> int | None:
        """The year of the override in the current cell (or the chosen year's), if any."""
        row = self.model.row_of(index)
        if row is None or self.model.node_kind(index) != "indicator":
            return None
        year = self.model.column_year(index.column())
        years = [year] if year is not None else [self.model.year]
        return next((y for y in years if row.actual(y).kind == "override"), None)

    # --- reading ------------------------------------------------------------------------
    @property
    def programme_id(self) -> int | None:
        """The programme shown."""
        return self._programme_id

    def reload(self) -> None:
        """Read the programmes, the years and the tree again (expanded rows and the cell stay)."""
        db = self.db
        if db is None:
            self._programme_id = None
            self.empty.set_state(self.tr("База данных не открыта"))
            self.pages.setCurrentWidget(self.empty)
            self.model.set_rows([], self.model.year)
            self._update_actions()
            return
        wanted = self.programme.set_programmes(db.indicators.programmes(), self._programme_id)
        if wanted is None:
            self._programme_id = None
            self.empty.set_state(
                self.tr("Программы нет"),
                self.tr(
                    "Показатели ведутся по программе района. Загрузите демонстрационные "
                    "данные или создайте базу с программой."
                ),
            )
            self.pages.setCurrentWidget(self.empty)
            self.model.set_rows([], self.model.year)
            self._update_actions()
            return
        self.pages.setCurrentIndex(0)
        changed_programme = wanted != self._programme_id
        self._programme_id = wanted
        years = db.indicators.years(wanted)
        if changed_programme:
            default = db.indicators.default_year(wanted)
            self.year.set_years(years, select=default)
        else:
            self.year.set_years(years)
        self._show_tree()

    def _show_tree(self) -> None:
        db, programme_id = self.db, self._programme_id
        if db is None or programme_id is None:
            return
        year = self.year.year
        current_key = self.model.key_of(self.view.currentIndex())
        current_column = self.view.currentIndex().column()
        expanded = self._expanded_keys()
        rows = db.indicators.tree(IndicatorQuery(programme_id, (year - 1, year)))
        if self.model.set_rows(rows, year):
            first_time = self._expanded_for != programme_id
            self._expanded_for = programme_id
            self._expand(expanded, first_time)
            self._fit_columns()
            if current_key is not None:
                index = self.model.index_of_key(current_key, max(current_column, 0))
                if index.isValid():
                    self.view.selectionModel().setCurrentIndex(
                        index, QItemSelectionModel.SelectionFlag.ClearAndSelect
                    )
        self._show_detail()
        self._update_actions()

    def _expanded_keys(self) -> set[tuple[str, int, int | None]]:
        keys: set[tuple[str, int, int | None]] = set()
        model = self.model

        def walk(parent: QModelIndex) -> None:
            for row in range(model.rowCount(parent)):
                index = model.index(row, 0, parent)
                if self.view.isExpanded(index):
                    key = model.key_of(index)
                    if key is not None:
                        keys.add(key)
                walk(index)

        walk(QModelIndex())
        return keys

    def _expand(self, keys: set[tuple[str, int, int | None]], everything: bool) -> None:
        """Expand the rows expanded before (on a new programme: every indicator with indicators)."""
        model = self.model

        def walk(parent: QModelIndex) -> None:
            for row in range(model.rowCount(parent)):
                index = model.index(row, 0, parent)
                key = model.key_of(index)
                record = model.row_of(index)
                if key is None or record is None:
                    continue
                wanted = key in keys
                if everything and model.node_kind(index) == "indicator":
                    # Headings and per-school tables open; a computation's schools stay folded.
                    wanted = not record.indicator.is_computed
                if wanted:
                    self.view.expand(index)
                walk(index)

        walk(QModelIndex())

    def _fit_columns(self) -> None:
        """Columns as wide as their contents (long texts capped); the name takes the rest."""
        view = self.view
        metrics = view.fontMetrics()
        char = metrics.horizontalAdvance("x")
        caps = {
            IndicatorTreeModel.COL_CODE: metrics.horizontalAdvance("2.1.10") + 56,
            IndicatorTreeModel.COL_UNIT: metrics.horizontalAdvance("процент") + 12,
            IndicatorTreeModel.COL_NOTE: char * 21,
            IndicatorTreeModel.COL_FORMULA: char * 18,
            IndicatorTreeModel.COL_FREQUENCY: char * 12,
        }
        self._widths = {}
        for column in range(IndicatorTreeModel.COLUMN_COUNT):
            if column == IndicatorTreeModel.COL_NAME:
                continue
            view.resizeColumnToContents(column)
            width = min(view.columnWidth(column), caps.get(column, 10_000))
            view.setColumnWidth(column, width)
            self._widths[column] = width
        self._fit_name()

    def _fit_name(self) -> None:
        """Give the name what the other columns leave (at least ``MIN_NAME_WIDTH``)."""
        if not self._widths:
            return
        others = sum(self._widths.values())
        available = self.view.viewport().width()
        width = max(
            self.view.fontMetrics().horizontalAdvance("x") * MIN_NAME_CHARS, available - others
        )
        if width != self.view.columnWidth(IndicatorTreeModel.COL_NAME):
            self.view.setColumnWidth(IndicatorTreeModel.COL_NAME, width)
            self.view.doItemsLayout()  # the rows take the height their wrapped names need

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        """Refit the name column whenever the tree changes width."""
        if watched is self.view.viewport() and event.type() == QEvent.Type.Resize:
            self._fit_name()
        return super().eventFilter(watched, event)

    # --- the detail under the tree --------------------------------------------------------
    def _show_detail(self) -> None:
        index = self.view.currentIndex()
        row = self.model.row_of(index)
        if row is None:
            self.detail.setText(
                self.tr(
                    "Выберите показатель: здесь будут его формула, источник и примечания. "
                    "Значения правятся прямо в таблице: начните набирать число, Enter сохраняет."
                )
            )
            return
        self.detail.setText(self.detail_html(row))

    def detail_html(self, row: IndicatorRow) -> str:
        """The indicator in full: direction, unit, formula with its figures, source, notes."""
        indicator = row.indicator
        esc = _escape
        parts = [f"<b>{esc(indicator.code)} {esc(indicator.name)}</b>"]
        facts = []
        if indicator.unit:
            facts.append(self.tr("ед. изм.: %1").replace("%1", esc(indicator.unit)))
        facts.append(tr(DIRECTION_LABELS.get(indicator.direction, "")))
        if indicator.baseline is not None:
            base = format_value(indicator.baseline, indicator.unit)
            if indicator.baseline_year is not None:
                base += f" ({indicator.baseline_year})"
            facts.append(self.tr("базовое значение %1").replace("%1", base))
        if indicator.frequency:
            facts.append(self.tr("периодичность: %1").replace("%1", esc(indicator.frequency)))
        parts.append("; ".join(facts) + ".")
        if indicator.is_computed:
            parts.append(
                f'<span style="color:#1f4e8c;">{COMPUTED_MARK} '
                + self.tr("Вычисляется по данным: %1").replace(
                    "%1", esc(formula_text(indicator.computed))
                )
                + "</span>"
            )
            for year in (self.model.year - 1, self.model.year):
                parts.append(self._computed_line(row, year))
        if indicator.formula:
            parts.append(self.tr("Методика: %1").replace("%1", esc(indicator.formula)))
        if indicator.source_note:
            parts.append(self.tr("Источник: %1").replace("%1", esc(indicator.source_note)))
        notes = []
        for value in row.values:
            if value.note and value.year in (self.model.year - 1, self.model.year):
                who = f"{esc(value.school_name)}, " if value.school_name else ""
                notes.append(f"{who}{school_year_label(value.year)}: {esc(value.note)}")
        if notes:
            parts.append(self.tr("Примечания: %1").replace("%1", "; ".join(notes)))
        return "<br>".join(parts)

    def _computed_line(self, row: IndicatorRow, year: int) -> str:
        actual = row.actual(year)
        computed = actual.computed
        label = school_year_label(year)
        unit = row.indicator.unit
        if computed is None:
            return f"{label}: " + self.tr("нет данных для вычисления.")
        text = f"{label}: " + self.tr("по данным %1 (%2)").replace(
            "%1", _with_unit(format_value(computed.value, unit), unit)
        ).replace("%2", share_text(computed))
        members = [f"{_escape(m.school_name)} — {member_text(m)}" for m in computed.members]
        if members:
            text += ": " + "; ".join(members)
        if actual.kind == "override":
            text += (
                f' <span style="background:#fff3c4;">{OVERRIDE_MARK} '
                + self.tr("в таблице — %1, %2")
                .replace("%1", format_value(actual.value, unit))
                .replace("%2", source_label(actual.source))
                + "</span>"
            )
        return text + "."

    # --- events ---------------------------------------------------------------------------
    def _on_programme_changed(self, _index: int) -> None:
        data = self.programme.currentData()
        if data is None or self.db is None:
            return
        self._programme_id = None  # a new programme: its own default year
        self._expanded_for = None
        wanted = int(data)
        years = self.db.indicators.years(wanted)
        self._programme_id = wanted
        self.year.set_years(years, select=self.db.indicators.default_year(wanted))
        self._show_tree()

    def _on_year_changed(self, _year: int) -> None:
        self._show_tree()

    def _on_year_rejected(self, text: str) -> None:
        self.sig_status.emit(
            self.tr("«%1» — не учебный год; укажите так: 2022/23.").replace("%1", text)
        )

    def _on_current_changed(self, _current: QModelIndex, _previous: QModelIndex) -> None:
        self._show_detail()
        self._update_actions()

    def on_data_changed(self, info: Any) -> None:
        """Recompute and show again after any change of indicators, passports or results."""
        del info
        self.reload()

    # --- writing cells -----------------------------------------------------------------------
    def write_cell(self, edit: CellEdit) -> WriteResult:  # noqa: PLR0911
        """Write what was typed in a cell (the model's writer); say how it went."""
        db = self.db
        if db is None:
            return WriteResult("refused", self.tr("База данных не открыта."))
        indicator = edit.row.indicator
        what = f"{indicator.code} {indicator.name}"
        try:
            if edit.year is None:
                value = self._indicator_value(edit.name, edit.raw)
                label = (
                    self.tr("Показатель %1: %2")
                    .replace("%1", indicator.code)
                    .replace("%2", tr(INDICATOR_FIELD_BY_NAME[edit.name].label).lower())
                )
                info = db.indicators.update(indicator.id, {edit.name: value}, label)
            else:
                value = self._cell_value(edit.name, edit.raw)
                cell = Cell(indicator.id, edit.year, edit.school_id)
                replace = False
                if (
                    edit.name == "actual"
                    and indicator.is_computed
                    and edit.school_id is None
                    and value is not None
                ):
                    if not self.confirm_replace(edit.row, edit.year, value):
                        self.sig_status.emit(self.tr("Вычисленное значение оставлено."))
                        return WriteResult("cancelled")
                    replace = True
                label = self._cell_label(edit)
                info = db.indicators.set_value(
                    cell, edit.name, value, label, replace_computed=replace
                )
        except InvalidValueError as exc:
            reason = issue_text(exc.issue)
            self.sig_status.emit(
                self.tr("%1: %2 Значение не сохранено.").replace("%1", what).replace("%2", reason)
            )
            return WriteResult(
                "refused", reason + " " + self.tr("Значение не сохранено; Esc вернёт прежнее.")
            )
        except DomainError as exc:
            message = describe_error(exc)
            self.sig_status.emit(message)
            return WriteResult("refused", message)
        if info is None:
            return WriteResult("unchanged")
        self.sig_status.emit(self.tr("Сохранено: %1").replace("%1", info.label))
        return WriteResult("saved")

    def _cell_label(self, edit: CellEdit) -> str:
        indicator = edit.row.indicator
        names = {"plan": self.tr("план"), "actual": self.tr("факт"), "note": self.tr("примечание")}
        where = ""
        if edit.school_id is not None:
            where = f", {edit.row.school_name(edit.school_id)}"
        assert edit.year is not None
        return (
            self.tr("Показатель %1%2, %3: %4")
            .replace("%1", indicator.code)
            .replace("%2", where)
            .replace("%3", school_year_label(edit.year))
            .replace("%4", names[edit.name])
        )

    @staticmethod
    def _number(name: str, raw: Any) -> float | None:
        try:
            return parse_number(str(raw))
        except ValueError:
            raise InvalidValueError(FieldIssue(name, "not_number", "error", (raw,))) from None

    def _cell_value(self, name: str, raw: Any) -> Any:
        if name == "note":
            return str(raw).strip()
        return self._number(name, raw)

    def _indicator_value(self, name: str, raw: Any) -> Any:
        if name == "baseline":
            return self._number(name, raw)
        return str(raw).strip()

    def confirm_replace(self, row: IndicatorRow, year: int, value: float) -> bool:
        """Ask before a typed value replaces a computed one."""
        indicator = row.indicator
        computed = row.actual(year).computed
        now = self.tr("нет данных")
        if computed is not None and computed.value is not None:
            shown = _with_unit(format_value(computed.value, indicator.unit), indicator.unit)
            now = f"{shown} ({share_text(computed)})"
        text = (
            self.tr(
                "Фактическое значение показателя %1 за %2 вычисляется по данным: %3.\n\n"
                "Заменить его введённым значением %4? Оно будет отмечено знаком %5, "
                "вычисленное останется видно рядом; вернуть его можно кнопкой "
                "«Вернуть вычисленное» или через Правка → Отменить."
            )
            .replace("%1", quoted(f"{indicator.code} {indicator.name}"))
            .replace("%2", school_year_label(year))
            .replace("%3", now)
            .replace("%4", format_number(value, 1) if not value.is_integer() else str(int(value)))
            .replace("%5", OVERRIDE_MARK)
        )
        return ask_yes_no(self, self.tr("Замена вычисленного значения"), text, self.tr("Заменить"))

    # --- indicators ---------------------------------------------------------------------------
    def _parents(self) -> list[tuple[str, int]]:
        return [
            (f"{'   ' * r.depth}{r.indicator.code} {r.indicator.name}", r.id)
            for r in self.model.rows()
        ]

    def _on_add_triggered(self) -> None:
        self.add_indicator()

    def add_indicator(self) -> IndicatorDialog | None:
        """Open the dialog for a new indicator, under the chosen heading (or beside it)."""
        if self.db is None or self._programme_id is None:
            return None
        row = self.model.row_of(self.view.currentIndex())
        parent_id: int | None = None
        if row is not None:
            parent_id = (
                row.id if row.child_count or not row.indicator.unit else (row.indicator.parent_id)
            )
        siblings = [r for r in self.model.rows() if r.indicator.parent_id == parent_id]
        prefix = ""
        if parent_id is not None:
            prefix = self.db.indicators.get(parent_id).code + "."
        code = f"{prefix}{len(siblings) + 1}"
        dialog = IndicatorDialog(
            None, self._parents(), {"parent_id": parent_id, "code": code, "unit": "%"}, self
        )
        dialog.saver = self._save_new
        self.open_dialog(dialog)
        return dialog

    def _save_new(self, values: dict[str, Any]) -> None:
        db = self.db
        if db is None or self._programme_id is None:
            return
        label = self.tr("Добавлен показатель %1").replace("%1", str(values.get("code", "")))
        info, indicator_id = db.indicators.add(
            {**values, "programme_id": self._programme_id}, label
        )
        self.sig_status.emit(info.label)
        self.select_indicator(indicator_id)

    def _on_edit_triggered(self) -> None:
        row = self.model.row_of(self.view.currentIndex())
        if row is not None:
            self.edit_indicator(row.id)

    def edit_indicator(self, indicator_id: int) -> IndicatorDialog | None:
        """Open the dialog with every property of an indicator."""
        if self.db is None:
            return None
        indicator = self.db.indicators.get(indicator_id)
        dialog = IndicatorDialog(indicator, self._parents(), {}, self)
        dialog.saver = lambda values: self._save_existing(indicator_id, values)
        self.open_dialog(dialog)
        return dialog

    def _save_existing(self, indicator_id: int, values: dict[str, Any]) -> None:
        db = self.db
        if db is None:
            return
        code = str(values.get("code", ""))
        label = self.tr("Изменён показатель %1").replace("%1", code)
        info = db.indicators.update(indicator_id, values, label)
        self.sig_status.emit(info.label if info is not None else self.tr("Ничего не изменилось."))

    def _on_remove_triggered(self) -> None:
        row = self.model.row_of(self.view.currentIndex())
        if row is not None:
            self.remove_indicator(row.id)

    def remove_indicator(self, indicator_id: int) -> bool:
        """Ask, then remove an indicator with everything under it; True when removed."""
        db = self.db
        if db is None:
            return False
        indicator = db.indicators.get(indicator_id)
        under = len(db.indicators.subtree_ids(indicator_id)) - 1
        text = self.tr("Удалить показатель %1 со всеми его значениями?").replace(
            "%1", quoted(f"{indicator.code} {indicator.name}")
        )
        if under:
            text += " " + self.tr("Вместе с ним удаляются подпоказатели: %1.").replace(
                "%1", str(under)
            )
        text += " " + self.tr("Удаление можно отменить: Правка → Отменить.")
        if not ask_yes_no(self, self.tr("Удаление показателя"), text, self.tr("Удалить")):
            return False
        try:
            info = db.indicators.remove(
                indicator_id, self.tr("Удалён показатель %1").replace("%1", indicator.code)
            )
        except DomainError as exc:
            show_warning(self, self.tr("Показатель не удалён"), describe_error(exc))
            return False
        self.sig_status.emit(info.label)
        return True

    def select_indicator(self, indicator_id: int, column: int = 0) -> bool:
        """Make an indicator's cell current; False when it is not shown."""
        index = self.model.index_of_indicator(indicator_id, column)
        if not index.isValid():
            return False
        self.view.scrollTo(index)
        self.view.selectionModel().setCurrentIndex(
            index, QItemSelectionModel.SelectionFlag.ClearAndSelect
        )
        return True

    # --- schools and cells -----------------------------------------------------------------------
    def _on_school_triggered(self) -> None:
        row = self.model.row_of(self.view.currentIndex())
        if row is not None:
            self.add_school(row.id)

    def add_school(self, indicator_id: int) -> SchoolChoiceDialog | None:
        """Choose a school to give the indicator its own row of values."""
        db = self.db
        row = next((r for r in self.model.rows() if r.id == indicator_id), None)
        if db is None or row is None:
            return None
        taken = set(row.school_ids())
        schools = [(s.short_name, s.id) for s in db.schools.all_schools() if s.id not in taken]
        if not schools:
            self.sig_status.emit(self.tr("У показателя уже есть строки всех школ."))
            return None
        dialog = SchoolChoiceDialog(schools, self)
        dialog.accepted.connect(
            lambda: self._save_school(indicator_id, int(dialog.school.currentData()))
        )
        self.open_dialog(dialog)
        return dialog

    def _save_school(self, indicator_id: int, school_id: int) -> None:
        db = self.db
        if db is None:
            return
        try:
            info = db.indicators.add_school(
                Cell(indicator_id, self.model.year, school_id),
                self.tr("Показатель: добавлена строка школы"),
            )
        except DomainError as exc:
            show_warning(self, self.tr("Строка школы не добавлена"), describe_error(exc))
            return
        if info is not None:
            self.sig_status.emit(info.label)
        index = self.model.index_of_key(
            ("school", indicator_id, school_id), IndicatorTreeModel.COL_ACTUAL
        )
        if index.isValid():
            self.view.expand(index.parent())
            self.view.selectionModel().setCurrentIndex(
                index, QItemSelectionModel.SelectionFlag.ClearAndSelect
            )

    def _on_remove_school_triggered(self) -> None:
        index = self.view.currentIndex()
        row, school_id = self.model.row_of(index), self.model.school_of(index)
        db = self.db
        if db is None or row is None or school_id is None:
            return
        name = row.school_name(school_id)
        if not ask_yes_no(
            self,
            self.tr("Строка школы"),
            self.tr("Убрать значения школы %1 по показателю %2? Это можно отменить.")
            .replace("%1", quoted(name))
            .replace("%2", row.indicator.code),
            self.tr("Убрать"),
        ):
            return
        info = db.indicators.remove_school(
            row.id,
            school_id,
            self.tr("Показатель %1: убрана школа").replace("%1", row.indicator.code),
        )
        if info is not None:
            self.sig_status.emit(info.label)

    def _on_restore_triggered(self) -> None:
        index = self.view.currentIndex()
        row, year = self.model.row_of(index), self._override_year(index)
        db = self.db
        if db is None or row is None or year is None:
            return
        info = db.indicators.set_actual(
            Cell(row.id, year),
            None,
            self.tr("Показатель %1, %2: снова вычисляется")
            .replace("%1", row.indicator.code)
            .replace("%2", school_year_label(year)),
        )
        if info is not None:
            self.sig_status.emit(info.label)

    def _on_clear_triggered(self) -> None:
        index = self.view.currentIndex()
        name = self.model.edit_name(index)
        row = self.model.row_of(index)
        year = self.model.column_year(index.column())
        if name not in ("plan", "actual", "note") or row is None or year is None:
            return
        self.write_cell(CellEdit(row, self.model.school_of(index), name, year, ""))

    def _on_view_context_menu_requested(self, pos: QPoint) -> None:
        index = self.view.indexAt(pos)
        if index.isValid():
            self.view.selectionModel().setCurrentIndex(
                index, QItemSelectionModel.SelectionFlag.ClearAndSelect
            )
        self._update_actions()
        menu = QMenu(self)
        menu.addActions([self.add_action, self.edit_action, self.school_action])
        if self.model.node_kind(index) == "school":
            menu.addAction(self.remove_school_action)
        if self.restore_action.isEnabled():
            menu.addAction(self.restore_action)
        menu.addSeparator()
        menu.addAction(self.remove_action)
        menu.aboutToHide.connect(menu.deleteLater)
        self.context_menu = menu
        menu.popup(self.view.viewport().mapToGlobal(pos))


def _with_unit(text: str, unit: str) -> str:
    """«66,7 %», «120 чел.»; «—» when there is no figure."""
    if not text:
        return "—"
    return f"{text}\u00a0{unit}" if unit else text


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


__all__ = ["IndicatorDialog", "IndicatorsPanel", "SchoolChoiceDialog"]
