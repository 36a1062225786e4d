"""The «Результаты» panel: ВПР, ОГЭ, ЕГЭ, ГВЭ and РПР results of the district's schools.

Above: the school year, procedure, subject and grade (each narrowed to what
the database holds, the choice kept when the data change), a search and a
group filter like the passport list, and «Все школы» to list the schools
without results too.  Four tabs:

- «Таблица»: the schools' counts and metrics, read page by page and sorted
  in SQL (a header click is a new query).  Counts are typed into the cells:
  one change set per edit, so Правка → Отменить (Ctrl+Z) takes it back; a
  refused value stays in its cell with the reason under the table (Esc brings
  the stored value back).  Under the table, frozen while scrolling and sharing
  its columns, the district row («Район», or «Итого по выборке» with a filter).
- «Сводная»: schools × years of one metric with the change in п.п., coloured
  by the metric's direction, the district row at the bottom.
- «Диаграммы»: two years side by side (``ui/results_charts.TwoYearChart``,
  imported when first shown: pyqtgraph loads slowly).
- «Объективность»: ВПР marks against journal marks past the threshold of
  «Настройки», or ОГЭ/ЕГЭ/ГВЭ against the district mean.

A committed change set that touched only result rows updates just those rows
(selection, scroll and an open editor stay); other changes read it all again.
"""

from __future__ import annotations

from typing import Any, ClassVar

from PySide6.QtCore import (
    QAbstractItemModel,
    QCoreApplication,
    QModelIndex,
    QPersistentModelIndex,
    QPoint,
    QSignalBlocker,
    QSize,
    Qt,
    QTimer,
)
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QAbstractItemDelegate,
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QScrollBar,
    QSizePolicy,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from shnor_desktop.models.assessments import ASSESSMENT_FIELDS
from shnor_desktop.models.changelog import ChangeSetInfo
from shnor_desktop.models.errors import DomainError
from shnor_desktop.models.fields import FieldIssue, InvalidValueError
from shnor_desktop.models.metrics import METRIC_BY_KEY, METRICS
from shnor_desktop.models.results import (
    EXAMS,
    VPR,
    ExamQuery,
    ObjectivityQuery,
    PivotQuery,
    ResultKey,
    ResultRow,
    ResultsQuery,
)
from shnor_desktop.models.schema import PROCEDURES
from shnor_desktop.models.schools import GROUP_LABELS
from shnor_desktop.models.settings import OBJECTIVITY_THRESHOLD
from shnor_desktop.models.text import current_school_year, format_number, plural, school_year_label
from shnor_desktop.services.messages import describe_error, describe_issue
from shnor_desktop.ui.common import DataBus, Panel
from shnor_desktop.ui.results_models import (
    MARKS,
    ExamModel,
    ObjectivityModel,
    PivotLine,
    PivotModel,
    PooledRow,
    PooledRowModel,
    ResultsTableModel,
    format_change,
    format_metric,
    metric_label,
)
from shnor_desktop.ui.school_models import HistoryModel
from shnor_desktop.ui.widgets import (
    HISTORY_SHORTCUT,
    EmptyState,
    HistoryDialog,
    SchoolYearCombo,
    SearchLine,
    YearPairPicker,
    edit_cell_by_cell,
    install_wheel_guard,
)

AnyIndex = QModelIndex | QPersistentModelIndex

_SPEC_BY_NAME = {spec.name: spec for spec in ASSESSMENT_FIELDS}
# The grades a procedure is usually written in (offered when a subject has none yet).
_USUAL_GRADES: dict[str, tuple[int, ...]] = {
    "ВПР": (4, 5, 6, 7, 8, 10, 11),
    "ОГЭ": (9,),
    "ЕГЭ": (11,),
    "ГВЭ": (9, 11),
    "РПР": tuple(range(1, 12)),
}
_USUAL_SUBJECTS = ("Математика", "Русский язык")
# Shown first when nothing was chosen yet: the subjects every procedure has.
_FIRST_SUBJECTS = ("Русский язык", "Математика")
_TABLE, _PIVOT, _CHARTS, _OBJECTIVITY = range(4)
_ERROR_STYLE = "color: #c0392b;"
_WARNING_STYLE = "color: #7a5c00;"


def _tr(text: str) -> str:
    return QCoreApplication.translate("results", text)


def field_caption(field: str) -> str:
    """How a change-set label and a message name a typed column: «5», «участвовали» …"""
    if field in MARKS:
        return f"«{field[1]}»"
    return _tr(_SPEC_BY_NAME[field].label).lower() if field in _SPEC_BY_NAME else field


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _threshold_text(value: float) -> str:
    return format_number(value, 1).removesuffix(",0")


# --- the table with its frozen district row -----------------------------------------------------
class CountDelegate(QStyledItemDelegate):
    """A right-aligned line editor for a count; the whole text is selected to be typed over."""

    def createEditor(  # noqa: N802
        self, parent: QWidget, option: QStyleOptionViewItem, index: AnyIndex
    ) -> QWidget:
        editor = QLineEdit(parent)
        editor.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        editor.setFrame(False)
        return editor

    def setEditorData(self, editor: QWidget, index: AnyIndex) -> None:  # noqa: N802
        if isinstance(editor, QLineEdit):
            editor.setText(str(index.data(Qt.ItemDataRole.EditRole) or ""))
            editor.selectAll()

    def setModelData(  # noqa: N802
        self, editor: QWidget, model: QAbstractItemModel, index: AnyIndex
    ) -> None:
        if isinstance(editor, QLineEdit):
            model.setData(index, editor.text(), Qt.ItemDataRole.EditRole)


class ResultsView(QTableView):
    """The results table: an editor whose value was refused stays open with the text typed.

    Qt closes an editor after committing it whatever ``setData`` answered;
    here a refused commit keeps it, so nothing typed is lost.  Escape closes
    it without saving (the stored value is shown again).
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.refused_editor: QWidget | None = None

    def commitData(self, editor: QWidget) -> None:  # noqa: N802
        """Write the editor's text; remember the editor when the value was refused."""
        super().commitData(editor)
        model = self.model()
        refused = isinstance(model, ResultsTableModel) and bool(model.refusal)
        self.refused_editor = editor if refused else None

    def closeEditor(  # noqa: N802
        self, editor: QWidget, hint: QAbstractItemDelegate.EndEditHint
    ) -> None:
        """Close an editor, unless its value was refused (Escape still closes it)."""
        if editor is self.refused_editor:
            if hint != QAbstractItemDelegate.EndEditHint.RevertModelCache:
                return
            self.refused_editor = None
            model = self.model()
            if isinstance(model, ResultsTableModel):
                model.refusal = ""
                model.sig_refusal_dropped.emit()
        super().closeEditor(editor, hint)


class FrozenRowTable(QWidget):
    """A table and, under it, a one-row table sharing its columns and horizontal scroll.

    The lower row stays in view while the table scrolls; the horizontal scroll
    bar sits under both and moves both.
    """

    def __init__(self, view: QTableView, footer_model: QAbstractItemModel) -> None:
        super().__init__()
        self.view = view
        self.footer = QTableView()
        self.footer.setModel(footer_model)
        self.footer.horizontalHeader().hide()
        self.footer.verticalHeader().hide()
        self.footer.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.footer.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.footer.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.footer.setWordWrap(False)
        for table in (view, self.footer):
            table.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
            table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.footer.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.footer.setStyleSheet("QTableView { background: #eef2f7; }")
        self.footer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.spacer = QWidget()
        self.spacer.setFixedWidth(0)
        self.hbar = QScrollBar(Qt.Orientation.Horizontal)
        self.hbar.hide()
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(0)
        row.addWidget(self.footer, 1)
        row.addWidget(self.spacer)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(view, 1)
        layout.addLayout(row)
        layout.addWidget(self.hbar)
        own = view.horizontalScrollBar()
        own.rangeChanged.connect(self._on_range_changed)
        own.valueChanged.connect(self._on_view_scrolled)
        self.hbar.valueChanged.connect(own.setValue)
        view.horizontalHeader().sectionResized.connect(self._on_section_resized)
        # The table's vertical scroll bar shows when its range is not empty (AsNeeded):
        # then the lower row leaves it the same room, so the columns stay in line.
        view.verticalScrollBar().rangeChanged.connect(self._on_vertical_range_changed)
        for table in (view, self.footer):
            rows = table.verticalHeader()
            rows.setDefaultSectionSize(table.fontMetrics().height() + 8)
            rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        for model in (view.model(), footer_model):
            model.modelReset.connect(self.sync_widths)
            model.layoutChanged.connect(self.sync_widths)
        self._fit_height()

    def _fit_height(self) -> None:
        rows = max(self.footer.model().rowCount(), 1)
        height = rows * self.footer.verticalHeader().defaultSectionSize()
        self.footer.setFixedHeight(height + 2 * self.footer.frameWidth())

    def sync_widths(self) -> None:
        """Give the lower row the table's column widths and scroll position."""
        header = self.view.horizontalHeader()
        for column in range(self.footer.model().columnCount()):
            self.footer.setColumnWidth(column, header.sectionSize(column))
            self.footer.setColumnHidden(column, header.isSectionHidden(column))
        self._fit_height()
        self.footer.horizontalScrollBar().setValue(self.view.horizontalScrollBar().value())

    def _on_section_resized(self, column: int, _old: int, new: int) -> None:
        self.footer.setColumnWidth(column, new)

    def _on_range_changed(self, low: int, high: int) -> None:
        own = self.view.horizontalScrollBar()
        self.hbar.setRange(low, high)
        self.hbar.setPageStep(own.pageStep())
        self.hbar.setSingleStep(own.singleStep())
        self.hbar.setVisible(high > low)

    def _on_view_scrolled(self, value: int) -> None:
        self.hbar.setValue(value)
        # The lower row's own range follows its columns; it takes the same offset.
        footer_bar = self.footer.horizontalScrollBar()
        footer_bar.setRange(0, max(footer_bar.maximum(), value))
        footer_bar.setValue(value)

    def _on_vertical_range_changed(self, low: int, high: int) -> None:
        bar = self.view.verticalScrollBar()
        self.spacer.setFixedWidth(bar.sizeHint().width() if high > low else 0)


# --- the panel -----------------------------------------------------------------------------------
class ResultsPanel(Panel):
    """Results of the assessment procedures: table, pivot, charts and objectivity."""

    TITLE = QCoreApplication.translate("Panel", "Результаты")
    TABLES: ClassVar[frozenset[str]] = frozenset(
        {"assessment", "school", "school_profile", "setting"}
    )

    def __init__(self, bus: DataBus, parent: QWidget | None = None) -> None:
        super().__init__(bus, parent)
        install_wheel_guard()
        self._loaded: object = None
        self._wanted: tuple[str | None, str | None, int | None] = (None, None, None)
        self._dirty: set[int] = {_PIVOT, _CHARTS, _OBJECTIVITY}
        self._reload_pending = False
        self.threshold = float(OBJECTIVITY_THRESHOLD.default)
        self.chart: Any = None
        self.history_dialog: HistoryDialog | None = None
        self.context_menu: QMenu | None = None
        self._build()
        self.reload()

    def sizeHint(self) -> QSize:  # noqa: N802
        """Room for the choosers and a dozen figure columns."""
        return QSize(1100, 700)

    # --- layout ------------------------------------------------------------------------------
    def _build(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(self._build_choosers())
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self._build_table(), self.tr("Таблица"))
        self.tabs.addTab(self._build_pivot(), self.tr("Сводная"))
        self.chart_page = QWidget()
        chart_layout = QVBoxLayout(self.chart_page)
        chart_layout.setContentsMargins(0, 6, 0, 0)
        self.tabs.addTab(self.chart_page, self.tr("Диаграммы"))
        self.tabs.addTab(self._build_objectivity(), self.tr("Объективность"))
        self.tabs.currentChanged.connect(self._on_tabs_changed)
        self.empty = EmptyState()
        self.empty.sig_action.connect(self._on_empty_action)
        self.empty.hide()
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.empty, 1)

    def _build_choosers(self) -> QGridLayout:
        grid = QGridLayout()
        grid.setHorizontalSpacing(6)
        self.year = SchoolYearCombo()
        self.year.sig_year_changed.connect(self._on_year_changed)
        self.year.sig_rejected.connect(self._on_year_rejected)
        self.procedure = QComboBox()
        self.procedure.activated.connect(self._on_procedure_activated)
        self.subject = QComboBox()
        self.subject.setEditable(True)
        self.subject.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        subject_line = self.subject.lineEdit()
        assert subject_line is not None
        subject_line.setPlaceholderText(self.tr("предмет"))
        subject_line.editingFinished.connect(self._on_subject_typed)
        self.subject.activated.connect(self._on_subject_activated)
        self.subject.setToolTip(
            self.tr("Предмет: выберите в списке или впишите новый, чтобы ввести его результаты")
        )
        self.grade = QComboBox()
        self.grade.activated.connect(self._on_grade_activated)
        self.search = SearchLine(self.tr("Поиск школы: название, населённый пункт, код"))
        self.search.sig_search.connect(self._on_filters_changed)
        self.group = QComboBox()
        self.group.addItem(self.tr("Все группы"), None)
        for code, label in GROUP_LABELS.items():
            self.group.addItem(QCoreApplication.translate("passport", label), code)
        self.group.currentIndexChanged.connect(self._on_filters_changed)
        self.all_schools = QCheckBox(self.tr("Все школы"))
        self.all_schools.setToolTip(
            self.tr("Показать и школы без результатов, чтобы ввести их (начните с участников)")
        )
        self.all_schools.toggled.connect(self._on_filters_changed)
        for combo, width in ((self.year, 8), (self.procedure, 4), (self.grade, 3)):
            combo.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
            )
            combo.setMinimumContentsLength(width)
        self.subject.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.subject.setMinimumContentsLength(10)
        self.group.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.group.setMinimumContentsLength(8)
        # Two short rows (what is shown; which schools) fit a 760-pixel window.
        row = QHBoxLayout()
        for caption, widget in (
            (self.tr("Учебный год:"), self.year),
            (self.tr("Процедура:"), self.procedure),
            (self.tr("Класс:"), self.grade),
        ):
            buddy = QLabel(caption)
            buddy.setBuddy(widget)
            row.addWidget(buddy)
            row.addWidget(widget)
            row.addSpacing(6)
        row.addStretch(1)
        filters = QHBoxLayout()
        subject_label = QLabel(self.tr("Предмет:"))
        subject_label.setBuddy(self.subject)
        filters.addWidget(subject_label)
        filters.addWidget(self.subject, 2)
        filters.addSpacing(6)
        filters.addWidget(self.search, 3)
        group_label = QLabel(self.tr("Группа:"))
        group_label.setBuddy(self.group)
        filters.addWidget(group_label)
        filters.addWidget(self.group, 1)
        filters.addWidget(self.all_schools)
        grid.addLayout(row, 0, 0)
        grid.addLayout(filters, 1, 0)
        return grid

    def _build_table(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 6, 0, 0)
        layout.setSpacing(4)
        self.model = ResultsTableModel(self)
        self.model.set_save(self._save_cell)
        self.model.sig_refusal_dropped.connect(self._on_refusal_dropped)
        self.view = ResultsView()
        self.view.setModel(self.model)
        self.view.setItemDelegate(CountDelegate(self.view))
        edit_cell_by_cell(self.view)
        self.view.setWordWrap(False)
        self.view.verticalHeader().hide()
        self.view.setSortingEnabled(True)
        self.view.horizontalHeader().setSortIndicator(0, Qt.SortOrder.AscendingOrder)
        self.view.horizontalHeader().setSectionsMovable(False)
        self.view.horizontalHeader().setHighlightSections(False)
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.view.customContextMenuRequested.connect(self._on_view_menu_requested)
        self.history_action = QAction(self.tr("История изменений ячейки…"), self.view)
        self.history_action.setShortcut(HISTORY_SHORTCUT)
        self.history_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.history_action.triggered.connect(self.show_history)
        self.view.addAction(self.history_action)
        self.pooled_model = PooledRowModel(self)
        self.table = FrozenRowTable(self.view, self.pooled_model)
        layout.addWidget(self.table, 1)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setObjectName("results_message")
        self.message.hide()
        self.warnings = QLabel()
        self.warnings.setWordWrap(True)
        self.warnings.setStyleSheet(_WARNING_STYLE)
        self.warnings.hide()
        self.count_label = QLabel()
        self.count_label.setWordWrap(True)
        layout.addWidget(self.message)
        layout.addWidget(self.warnings)
        layout.addWidget(self.count_label)
        return page

    def _build_pivot(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 6, 0, 0)
        top = QHBoxLayout()
        self.metric_box = QComboBox()
        for metric in METRICS:
            self.metric_box.addItem(metric_label(metric.key), metric.key)
        self.metric_box.setCurrentIndex(self.metric_box.findData("quality"))
        self.metric_box.activated.connect(self._on_pivot_options_changed)
        self.all_grades = QCheckBox(self.tr("Все классы вместе"))
        self.all_grades.setToolTip(self.tr("Сложить результаты школы по всем классам предмета"))
        self.all_grades.toggled.connect(self._on_pivot_options_changed)
        caption = QLabel(self.tr("Показатель:"))
        caption.setBuddy(self.metric_box)
        top.addWidget(caption)
        top.addWidget(self.metric_box)
        top.addWidget(self.all_grades)
        top.addStretch(1)
        layout.addLayout(top)
        self.pivot_model = PivotModel(self)
        self.pivot_footer_model = PivotModel(self, bold=True)
        self.pivot_view = QTableView()
        self.pivot_view.setModel(self.pivot_model)
        self.pivot_view.setSortingEnabled(True)
        self.pivot_view.horizontalHeader().setSortIndicator(0, Qt.SortOrder.AscendingOrder)
        self.pivot_view.verticalHeader().hide()
        self.pivot_view.setAlternatingRowColors(True)
        self.pivot_view.setWordWrap(False)
        self.pivot_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.pivot_view.horizontalHeader().setSectionsMovable(False)
        self.pivot_table = FrozenRowTable(self.pivot_view, self.pivot_footer_model)
        layout.addWidget(self.pivot_table, 1)
        self.pivot_note = QLabel()
        self.pivot_note.setWordWrap(True)
        layout.addWidget(self.pivot_note)
        return page

    def _build_objectivity(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 6, 0, 0)
        self.objectivity_title = QLabel()
        self.objectivity_title.setWordWrap(True)
        self.objectivity_title.setStyleSheet("font-weight: bold;")
        layout.addWidget(self.objectivity_title)
        top = QHBoxLayout()
        self.threshold_label = QLabel()
        self.whole_year = QCheckBox(self.tr("Весь год: все предметы и классы"))
        self.whole_year.toggled.connect(self._on_objectivity_options_changed)
        top.addWidget(self.threshold_label)
        top.addStretch(1)
        top.addWidget(self.whole_year)
        layout.addLayout(top)
        self.objectivity_model = ObjectivityModel(self)
        self.exam_model = ExamModel(self)
        self.objectivity_view = QTableView()
        self.objectivity_view.setModel(self.objectivity_model)
        self.exam_view = QTableView()
        self.exam_view.setModel(self.exam_model)
        for view in (self.objectivity_view, self.exam_view):
            view.verticalHeader().hide()
            view.setAlternatingRowColors(True)
            view.setSortingEnabled(True)
            view.setWordWrap(False)
            view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
            view.horizontalHeader().setSortIndicatorShown(False)
            view.verticalHeader().setDefaultSectionSize(view.fontMetrics().height() + 8)
            layout.addWidget(view, 1)
        self.objectivity_summary = QLabel()
        self.objectivity_summary.setWordWrap(True)
        layout.addWidget(self.objectivity_summary)
        return page

    # --- the choosers ------------------------------------------------------------------------
    def reload(self) -> None:
        """Read the choices and all shown again (the choice is kept where it still exists)."""
        self._reload_pending = False
        db = self.db
        same = db is not None and db is self._loaded
        self._loaded = db
        if db is None:
            self.model.set_query(None, None)
            self.pooled_model.set_row((), None)
            self._show_empty()
            return
        self.threshold = float(db.settings.get(OBJECTIVITY_THRESHOLD))
        self.model.threshold = self.threshold
        years = db.results.years()
        if same:
            self.year.set_years(years)
        else:
            self._wanted = (None, None, None)
            first = db.results.default_year()
            self.year.set_years(years, select=first if first is not None else current_school_year())
        self._fill_procedures()
        self._apply_query()

    def _fill_procedures(self) -> None:
        db = self.db
        assert db is not None
        present = db.results.procedures(self.year.year)
        wanted = self._wanted[0] or self.procedure.currentData()
        with QSignalBlocker(self.procedure):
            self.procedure.clear()
            for code in PROCEDURES:
                text = code if code in present else self.tr("{0} — нет данных").format(code)
                self.procedure.addItem(text, code)
            choice = wanted if wanted in present else (present[0] if present else wanted or VPR)
            self.procedure.setCurrentIndex(max(self.procedure.findData(choice), 0))
        self._fill_subjects()

    def _fill_subjects(self) -> None:
        db = self.db
        assert db is not None
        procedure = str(self.procedure.currentData())
        subjects = db.results.subjects(procedure, self.year.year) or db.results.subjects(procedure)
        offered = subjects or list(_USUAL_SUBJECTS)
        wanted = self._wanted[1] or self.subject.currentText().strip()
        with QSignalBlocker(self.subject):
            self.subject.clear()
            self.subject.addItems(offered)
            if wanted and wanted not in offered and self._wanted[1] == wanted:
                self.subject.addItem(wanted)  # typed by the user: kept while it has no data
            position = self.subject.findText(wanted) if wanted else -1
            for usual in _FIRST_SUBJECTS:  # what a coordinator looks at first, when it is there
                if position >= 0:
                    break
                position = self.subject.findText(usual)
            self.subject.setCurrentIndex(max(position, 0))
        self._fill_grades()

    def _fill_grades(self) -> None:
        db = self.db
        assert db is not None
        procedure = str(self.procedure.currentData())
        subject = self.subject.currentText().strip()
        grades = db.results.grades(procedure, subject, self.year.year) or db.results.grades(
            procedure, subject
        )
        offered = grades or list(_USUAL_GRADES.get(procedure, range(1, 12)))
        wanted = self._wanted[2] if self._wanted[2] is not None else self.grade.currentData()
        with QSignalBlocker(self.grade):
            self.grade.clear()
            for grade in offered:
                self.grade.addItem(self.tr("{0} кл.").format(grade), grade)
            position = self.grade.findData(wanted)
            self.grade.setCurrentIndex(max(position, 0))

    def current_query(self) -> ResultsQuery | None:
        """The results table's query from the choosers and filters (None: nothing to show)."""
        procedure = self.procedure.currentData()
        subject = self.subject.currentText().strip()
        grade = self.grade.currentData()
        if procedure is None or not subject or grade is None:
            return None
        shown = self.model.query
        sort_key, descending = "school", False
        # The order chosen stays, unless the new procedure has no such column.
        if shown is not None and (
            shown.procedure == procedure or self.model.column_of(shown.sort_key) >= 0
        ):
            sort_key, descending = shown.sort_key, shown.descending
        return ResultsQuery(
            year=self.year.year,
            procedure=str(procedure),
            subject=subject,
            grade=int(grade),
            search=self.search.text(),
            group=self.group.currentData(),
            sort_key=sort_key,
            descending=descending,
            with_empty=self.all_schools.isChecked(),
        )

    def _filtering(self) -> bool:
        return bool(self.search.text().strip()) or self.group.currentData() is not None

    def _apply_query(self) -> None:
        """Show the table of the choice; the other tabs are read again when shown."""
        db = self.db
        if db is None:
            return
        self.search.cancel_pending()
        query = self.current_query()
        keep = self._current_school()
        self._clear_message()
        self.model.set_query(db.results if query else None, query)
        if query is not None:
            column = self.model.column_of(query.sort_key)
            with QSignalBlocker(self.view.horizontalHeader()):
                self.view.horizontalHeader().setSortIndicator(
                    max(column, 0),
                    Qt.SortOrder.DescendingOrder
                    if query.descending
                    else Qt.SortOrder.AscendingOrder,
                )
        self._fit_columns()
        self._update_pooled()
        self._update_warnings()
        self._update_count()
        if keep is not None:
            row = self.model.row_of(keep)
            if row >= 0:
                self.view.setCurrentIndex(self.model.index(row, 0))
        self._dirty = {_PIVOT, _CHARTS, _OBJECTIVITY}
        has_any = bool(db.results.years())
        if has_any or self.all_schools.isChecked():
            self._show_tabs()
        else:
            self._show_empty()
        self._refresh_current_tab()

    def _fit_columns(self) -> None:
        view = self.view
        header = view.horizontalHeader()
        header.setMinimumSectionSize(36)
        metrics = view.fontMetrics()
        for column, spec in enumerate(self.model.spec):
            title = metrics.horizontalAdvance(
                str(self.model.headerData(column, Qt.Orientation.Horizontal))
            )
            if spec.key == "school":
                width = max(180, min(view.sizeHintForColumn(column) + 24, 320))
            else:
                width = max(title + 16, min(view.sizeHintForColumn(column) + 12, 120), 40)
            view.setColumnWidth(column, width)
        self.table.sync_widths()

    def _show_empty(self) -> None:
        if self.db is None:
            self.empty.set_state(self.tr("База данных не открыта"))
        else:
            self.empty.set_state(
                self.tr("Результатов оценочных процедур ещё нет"),
                self.tr(
                    "Выберите год, процедуру, предмет и класс и введите результаты школ в "
                    "таблицу, или загрузите их из файла."
                ),
                self.tr("Ввести результаты…"),
            )
        self.tabs.hide()
        self.empty.show()

    def _show_tabs(self) -> None:
        self.empty.hide()
        self.tabs.show()

    def _on_empty_action(self) -> None:
        with QSignalBlocker(self.all_schools):
            self.all_schools.setChecked(True)
        self._show_tabs()
        self._apply_query()
        self.view.setFocus()

    def _current_school(self) -> int | None:
        index = self.view.currentIndex()
        if not index.isValid() or index.row() >= self.model.rowCount():
            return None
        return int(self.model.record(index.row()).school_id)

    def _on_year_changed(self, _year: int) -> None:
        if self.db is not None:
            self._fill_procedures()
            self._apply_query()

    def _on_year_rejected(self, text: str) -> None:
        self.sig_status.emit(self.tr("«{0}» — не учебный год: пишите так: 2027/28.").format(text))

    def _remember(self) -> None:
        self._wanted = (
            self.procedure.currentData(),
            self.subject.currentText().strip() or None,
            self.grade.currentData(),
        )

    def _on_procedure_activated(self, _index: int) -> None:
        if self.db is None:
            return
        self._wanted = (self.procedure.currentData(), self._wanted[1], self._wanted[2])
        self._fill_subjects()
        self._remember()
        self._apply_query()

    def _on_subject_activated(self, _index: int) -> None:
        if self.db is None:
            return
        self._wanted = (self._wanted[0], self.subject.currentText().strip(), self._wanted[2])
        self._fill_grades()
        self._remember()
        self._apply_query()

    def _on_subject_typed(self) -> None:
        query = self.model.query
        text = self.subject.currentText().strip()
        if self.db is None or not text or (query is not None and query.subject == text):
            return
        self._on_subject_activated(self.subject.currentIndex())

    def _on_grade_activated(self, _index: int) -> None:
        self._remember()
        self._apply_query()

    def _on_filters_changed(self) -> None:
        self._apply_query()

    # --- the table ---------------------------------------------------------------------------
    def _pooled_label(self) -> str:
        return self.tr("Итого по выборке") if self._filtering() else self.tr("Район")

    def _update_pooled(self) -> None:
        db, query = self.db, self.model.query
        if db is None or query is None:
            self.pooled_model.set_row(self.model.spec, None)
            return
        counts = db.results.pooled(query)
        self.pooled_model.set_row(self.model.spec, PooledRow(self._pooled_label(), counts))
        self.table.sync_widths()

    def _update_warnings(self) -> None:
        db, query = self.db, self.model.query
        found = db.results.warning_rows(query) if db is not None and query is not None else []
        generated = any(r.source == "generated" for r in self.model.records())
        lines = []
        if found:
            row, issues = found[0]
            count = len(found)
            lines.append(
                self.tr("⚠ Цифры не согласуются в {0} {1} (отмечены значком): {2} — {3}.").format(
                    count,
                    plural(count, "строке", "строках", "строках"),
                    row.school,
                    "; ".join(describe_issue(i) for i in issues),
                )
                + " "
                + self.tr("Значения сохранены как введены.")
            )
        if generated:
            lines.append(
                self.tr(
                    "Курсивом — строки, сгенерированные для демонстрации: "
                    "этих цифр нет в документах."
                )
            )
        self.warnings.setText("\n".join(lines))
        self.warnings.setVisible(bool(lines))

    def _update_count(self) -> None:
        db, query = self.db, self.model.query
        if db is None or query is None:
            self.count_label.setText(self.tr("Выберите процедуру, предмет и класс."))
            return
        total = db.results.count(query)
        with_results = db.results.count(
            ResultsQuery(query.year, query.procedure, query.subject, query.grade)
        )
        if total == 0:
            text = (
                self.tr("Ни одна школа не подходит под поиск и группу.")
                if self._filtering()
                else self.tr(
                    "Результатов за {0} нет. Включите «Все школы», чтобы ввести их: "
                    "начните строку школы с числа участников."
                ).format(school_year_label(query.year))
            )
        elif query.with_empty:
            text = self.tr("Школ: {0}, с результатами: {1}.").format(total, with_results)
        else:
            text = self.tr("Школ с результатами: {0}.").format(total)
        if self.view.editTriggers() != QAbstractItemView.EditTrigger.NoEditTriggers and total:
            text += " " + self.tr(
                "Числа вводятся прямо в таблицу; Правка → Отменить (Ctrl+Z) отменяет ввод."
            )
        self.count_label.setText(text)

    def _key(self, record: ResultRow) -> ResultKey | None:
        query = self.model.query
        if query is None:
            return None
        return ResultKey(record.school_id, query.year, query.procedure, query.subject, query.grade)

    def edit_label(self, record: ResultRow, field: str) -> str:
        """The change set's label: «Результаты: ОГЭ, Математика, 9 кл., СОШ п. Знаменский — «5»»."""
        query = self.model.query
        assert query is not None
        return self.tr("Результаты: {0}, {1}, {2} кл., {3} — {4}").format(
            query.procedure, query.subject, query.grade, record.school, field_caption(field)
        )

    def _save_cell(self, record: ResultRow, field: str, text: str) -> str | None:
        """Write one typed count; the reason it was refused, None when saved (or unchanged)."""
        db = self.db
        key = self._key(record)
        if db is None or key is None:
            return self.tr("база данных не открыта")
        spec = _SPEC_BY_NAME[field]
        where = f"{record.school}, {field_caption(field)}"
        try:
            if not text.strip() and field in (*MARKS, "participants"):
                if record.id is None and field != "participants":
                    raise InvalidValueError(
                        FieldIssue(field, "needs_participants", "error", (), "assessment")
                    )
                if record.id is None:
                    return None  # nothing typed into an empty row: nothing to do
                raise InvalidValueError(FieldIssue(field, "required", "error", (), "assessment"))
            from shnor_desktop.ui.widgets import parse_field

            value = parse_field(spec, text)
            info = db.results.save(key, {field: value}, self.edit_label(record, field))
        except InvalidValueError as exc:
            reason = describe_issue(exc.issue)
            if exc.issue.code == "required":
                reason = self.tr("число нельзя стереть: если таких учеников нет, введите 0")
            self._show_error(
                self.tr("{0}: {1}. Значение не сохранено; Esc вернёт прежнее.").format(
                    where, reason
                )
            )
            self.sig_status.emit(self.tr("{0}: {1}. Значение не сохранено.").format(where, reason))
            return reason
        except DomainError as exc:
            message = describe_error(exc)
            self._show_error(f"{where}: {message}")
            self.sig_status.emit(message)
            return message
        self._clear_message()
        if info is not None:
            self.sig_status.emit(self.tr("Сохранено: {0}").format(info.label))
        return None

    def _show_error(self, text: str) -> None:
        self.message.setText(_capital(text))
        self.message.setStyleSheet(_ERROR_STYLE)
        self.message.show()

    def _clear_message(self) -> None:
        self.message.clear()
        self.message.hide()

    def _on_refusal_dropped(self) -> None:
        self._clear_message()

    def _on_view_menu_requested(self, position: QPoint) -> None:
        index = self.view.indexAt(position)
        if index.isValid():
            self.view.setCurrentIndex(index)
        menu = QMenu(self)
        menu.addAction(self.history_action)
        self.history_action.setEnabled(self._history_target() is not None)
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        menu.popup(self.view.viewport().mapToGlobal(position))
        self.context_menu = menu

    def _history_target(self) -> tuple[ResultRow, str] | None:
        index = self.view.currentIndex()
        if not index.isValid() or index.row() >= self.model.rowCount():
            return None
        field = self.model.spec[index.column()].field
        record: ResultRow = self.model.record(index.row())
        if field is None or record.id is None:
            return None
        return record, field

    def show_history(self) -> None:
        """The recorded changes of the current cell's count (Ctrl+H)."""
        db = self.db
        target = self._history_target()
        if db is None or target is None:
            self.sig_status.emit(
                self.tr(
                    "История есть у вводимых чисел строки с результатами: выберите такую ячейку."
                )
            )
            return
        record, field = target
        assert record.id is not None
        changes = db.results.history(record.id, field)
        model = HistoryModel(
            changes,
            lambda v: format_number(v, 1 if field == "mean_score" else 0) if v is not None else "—",
        )
        dialog = HistoryDialog(f"{record.school} — {field_caption(field)}", model, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.history_dialog = dialog
        dialog.open()

    # --- changes -----------------------------------------------------------------------------
    def on_data_changed(self, info: ChangeSetInfo) -> None:
        """Update the rows a change touched; read everything again when more changed."""
        db = self.db
        if db is None:
            return
        if info.tables <= {"setting"}:
            self.threshold = float(db.settings.get(OBJECTIVITY_THRESHOLD))
            self.model.threshold = self.threshold
            self.view.viewport().update()
            self._dirty.add(_OBJECTIVITY)
            self._refresh_current_tab()
            return
        ids = info.ids("assessment")
        if info.tables <= {"assessment"} and ids is not None and self._update_rows(ids):
            self._update_pooled()
            self._update_warnings()
            self._update_count()
            self._dirty = {_PIVOT, _CHARTS, _OBJECTIVITY}
            self._refresh_current_tab()
            return
        # Read it all again once the event that committed is over (an editor may be closing).
        if not self._reload_pending:
            self._reload_pending = True
            QTimer.singleShot(0, self._reload_later)

    def _reload_later(self) -> None:
        if self._reload_pending:
            self.reload()

    def _update_rows(self, ids: frozenset[int]) -> bool:
        """Put the touched rows of the shown key in place; False when the list itself changed."""
        db, query = self.db, self.model.query
        if db is None or query is None:
            return False
        keys = db.results.keys_of(ids)
        shown = (query.year, query.procedure, query.subject, query.grade)
        schools = {
            k.school_id for k in keys.values() if (k.year, k.procedure, k.subject, k.grade) == shown
        }
        schools |= {r.school_id for r in self.model.records() if r.id in ids and r.id not in keys}
        if (
            any((k.year, k.procedure, k.subject, k.grade) != shown for k in keys.values())
            and not schools
        ):
            return True  # another key: only the other tabs change
        fresh = db.results.rows_of_schools(query, schools)
        if not query.with_empty and any(r.id is None for r in fresh):
            return False  # a row went away
        exhausted = not self.model.canFetchMore()
        if exhausted and any(self.model.row_of(r.school_id) < 0 for r in fresh):
            return False  # a row came that is not shown yet
        self.model.update_rows(fresh)
        return True

    # --- the other tabs ----------------------------------------------------------------------
    def _on_tabs_changed(self, _index: int) -> None:
        self._refresh_current_tab()

    def _refresh_current_tab(self) -> None:
        index = self.tabs.currentIndex()
        if index not in self._dirty or self.db is None:
            return
        self._dirty.discard(index)
        if index == _PIVOT:
            self._update_pivot()
        elif index == _CHARTS:
            self._update_charts()
        elif index == _OBJECTIVITY:
            self._update_objectivity()

    def _on_pivot_options_changed(self, *_args: object) -> None:
        self._update_pivot()

    def _update_pivot(self) -> None:
        db, query = self.db, self.model.query
        if db is None or query is None:
            self.pivot_model.set_lines(METRIC_BY_KEY["quality"], (), [])
            self.pivot_footer_model.set_lines(METRIC_BY_KEY["quality"], (), [])
            return
        metric = METRIC_BY_KEY[str(self.metric_box.currentData())]
        pivot = db.results.pivot(
            PivotQuery(
                query.procedure,
                query.subject,
                None if self.all_grades.isChecked() else query.grade,
                metric.key,
                search=query.search,
                group=query.group,
                group_year=query.year,
            )
        )
        self.pivot_model.set_pivot(pivot)
        header = self.pivot_view.horizontalHeader()
        self.pivot_model.sort(header.sortIndicatorSection(), header.sortIndicatorOrder())
        self.pivot_footer_model.set_lines(
            metric,
            pivot.years,
            [PivotLine(0, self._pooled_label(), "", pivot.district)],
        )
        view = self.pivot_view
        view.setColumnWidth(0, max(180, min(view.sizeHintForColumn(0) + 24, 320)))
        for column in range(1, self.pivot_model.columnCount()):
            view.setColumnWidth(column, max(64, view.sizeHintForColumn(column) + 12))
        self.pivot_table.sync_widths()
        grades = (
            self.tr("все классы")
            if self.all_grades.isChecked()
            else self.tr("{0} кл.").format(query.grade)
        )
        unit = self.tr("в процентных пунктах (п.п.)") if metric.unit == "%" else self.tr("в баллах")
        direction = self.tr("выше — лучше") if metric.higher_is_better else self.tr("ниже — лучше")
        self.pivot_note.setText(
            self.tr(
                "{0}: {1}, {2}, {3}; «Изм.» — изменение к предыдущему году {4}: зелёным — "
                "к лучшему, красным — к худшему ({5}). Район — по суммам учеников, "
                "не среднее процентов школ."
            ).format(
                metric_label(metric.key), query.procedure, query.subject, grades, unit, direction
            )
        )

    def _chart_years(self) -> list[int]:
        db, query = self.db, self.model.query
        if db is None or query is None:
            return []
        return sorted(
            {
                y
                for y in db.results.years()
                if query.procedure in db.results.procedures(y)
                and query.subject in db.results.subjects(query.procedure, y)
            }
        )

    def _update_charts(self) -> None:
        layout = self.chart_page.layout()
        assert isinstance(layout, QVBoxLayout)
        if self.chart is None:
            # pyqtgraph costs 0,6 s to import: only when the charts are first shown.
            from shnor_desktop.ui.results_charts import TwoYearChart

            self.compare = YearPairPicker()
            layout.addWidget(self.compare)
            self.chart = TwoYearChart()
            layout.addWidget(self.chart, 1)
            self.compare.sig_changed.connect(self._on_compare_changed)
        self.compare.set_years(self._chart_years())
        self._draw_chart()

    def _on_compare_changed(self) -> None:
        self._draw_chart()

    def _draw_chart(self) -> None:
        db, query = self.db, self.model.query
        if self.chart is None:
            return
        first, second = self.compare.chosen()
        if db is None or query is None or first is None or second is None:
            self.chart.clear(self.tr("Нет результатов для выбранных условий"))
            return
        years = (min(first, second), max(first, second))
        if years[0] == years[1]:
            self.chart.clear(self.tr("Выберите два разных учебных года"))
            return
        ids = None
        if self._filtering():
            ids = {r.school_id for r in db.results.rows(query)}
        series = db.results.series(query.procedure, query.subject, query.grade, years, ids)
        title = self.tr("{0}, {1}, {2} кл.: {3} и {4}").format(
            query.procedure,
            query.subject,
            query.grade,
            school_year_label(years[0]),
            school_year_label(years[1]),
        )
        self.chart.set_data(
            title,
            years,
            [(name, by_year) for _, name, by_year in series.schools],
            series.district,
        )

    def _on_objectivity_options_changed(self, *_args: object) -> None:
        self._update_objectivity()

    def _update_objectivity(self) -> None:
        db, query = self.db, self.model.query
        self.threshold_label.setText(
            self.tr("Порог: {0} % (изменить в «Настройки»)").format(_threshold_text(self.threshold))
        )
        vpr = query is not None and query.procedure == VPR
        exam = query is not None and query.procedure in EXAMS
        self.objectivity_view.setVisible(vpr)
        self.whole_year.setVisible(vpr)
        self.threshold_label.setVisible(vpr)
        self.exam_view.setVisible(exam)
        if db is None or query is None or not (vpr or exam):
            self.objectivity_model.set_objectivity(None)
            self.exam_model.set_comparison(None)
            self.objectivity_title.setText(
                self.tr(
                    "Объективность проверяется по ВПР (сравнение с журнальными отметками), "
                    "ОГЭ, ЕГЭ и ГВЭ (средний балл против района и доля ниже минимального порога)."
                )
            )
            self.objectivity_summary.clear()
            return
        if vpr:
            whole = self.whole_year.isChecked()
            report = db.results.objectivity(
                ObjectivityQuery(
                    query.year,
                    None if whole else query.subject,
                    None if whole else query.grade,
                    self.threshold,
                    query.search,
                    query.group,
                )
            )
            self.objectivity_model.set_objectivity(report)
            what = (
                self.tr("все предметы и классы")
                if whole
                else self.tr("{0}, {1} кл.").format(query.subject, query.grade)
            )
            self.objectivity_title.setText(
                self.tr("ВПР {0}, {1}: отметки за работу против журнальных").format(
                    school_year_label(query.year), what
                )
            )
            flagged = len(report.flagged)
            district = report.district
            summary = self.tr("Выше порога: {0} из {1} школ.").format(flagged, len(report.rows))
            if district.lowered is not None:
                summary += " " + self.tr(
                    "Район: понизили {0} %, подтвердили {1} %, повысили {2} %."
                ).format(
                    format_metric(district.lowered),
                    format_metric(district.confirmed),
                    format_metric(district.raised),
                )
            elif not report.rows:
                summary = self.tr(
                    "Сравнения с журнальными отметками за этот выбор нет: "
                    "его вносят вместе с результатами ВПР."
                )
            self.objectivity_summary.setText(summary)
            _fit(self.objectivity_view, stretch_last=True)
            return
        comparison = db.results.exam_comparison(
            ExamQuery(
                query.year, query.procedure, query.subject, query.grade, query.search, query.group
            )
        )
        self.exam_model.set_comparison(comparison)
        self.objectivity_title.setText(
            self.tr("{0} {1}, {2}, {3} кл.: школы против района").format(
                query.procedure, school_year_label(query.year), query.subject, query.grade
            )
        )
        exam_district = comparison.district
        below_share = comparison.below_district_share
        summary = self.tr("Средний балл района: {0}; ниже минимального порога: {1} %.").format(
            format_metric(exam_district.mean_score) or "—",
            format_metric(exam_district.below_minimum) or "—",
        )
        if below_share is not None:
            below = sum(r.below_district for r in comparison.rows)
            summary += " " + self.tr("Ниже среднерайонного: {0} из {1} школ ({2} %).").format(
                below,
                sum(r.difference is not None for r in comparison.rows),
                format_metric(below_share),
            )
        self.objectivity_summary.setText(summary)
        _fit(self.exam_view)


def _fit(view: QTableView, stretch_last: bool = False) -> None:
    """Columns as wide as their contents, the school column capped."""
    view.resizeColumnsToContents()
    if view.columnWidth(0) > 320:
        view.setColumnWidth(0, 320)
    header = view.horizontalHeader()
    header.setStretchLastSection(stretch_last)
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)


__all__ = ["CountDelegate", "FrozenRowTable", "ResultsPanel", "ResultsView", "format_change"]
