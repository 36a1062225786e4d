"""The page «Риск-профили»: schools × factors of risk in a school year; a school over the years.

* «Матрица» — the schools (those with a profile in the year, or every school)
  against the factors on the year's list.  A cell reads «В 2» (the level's
  letter and the number of anti-risk measures) on a colour of its level; the
  footer row counts the schools with each factor, the last column each
  school's factors.  A click on a cell (or Enter) opens the factor of that
  school: its level (or «не выявлен»), what it rests on and the measures,
  each linked to a roadmap activity where one exists.  The selected cell is
  told in full on the right.  «Перенести с прошлого года» copies the selected
  school's factors of the year before (levels and measures, without links).
* «Профиль школы» — the chosen school's factors over the school years.

«Факторы риска…» edits the reference list: add, change, remove (a factor in
use is not removed: end its years instead), order, and load the shipped list
of the 500+ project.  Every write is one change set (Правка → Отменить).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, ClassVar

from PySide6.QtCore import QItemSelectionModel, QModelIndex, QSignalBlocker, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QSizePolicy,
    QSplitter,
    QStackedWidget,
    QTableView,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from shnor_desktop.models.changelog import ChangeSetInfo
from shnor_desktop.models.database import Database
from shnor_desktop.models.errors import DomainError
from shnor_desktop.models.fields import FieldIssue
from shnor_desktop.models.risks import (
    FACTOR_FIELD_BY_NAME,
    LEVEL_LETTERS,
    LEVELS,
    ActivityChoice,
    FactorDraft,
    MatrixFilter,
    MeasureDraft,
    RiskFactor,
    SchoolRisk,
)
from shnor_desktop.models.schools import GROUP_LABELS
from shnor_desktop.models.text import parse_school_year, school_year_label
from shnor_desktop.services.messages import describe_error, describe_issue
from shnor_desktop.ui.common import ROLE_ID, DataBus, Panel
from shnor_desktop.ui.forms import FormDialog
from shnor_desktop.ui.messages import ask_yes_no, show_warning
from shnor_desktop.ui.risk_models import (
    LEVEL_COLOURS,
    LEVEL_TEXT_COLOURS,
    FactorTableModel,
    LevelDelegate,
    RiskMatrixModel,
    RiskProfileModel,
    RotatedHeaderView,
    count_text,
    level_name,
    measures_word,
    schools_word,
    tr,
)
from shnor_desktop.ui.widgets import EmptyState, SchoolYearCombo, SearchLine, detail_pane

RISK_TABLES: frozenset[str] = frozenset(
    {"risk_factor", "school_risk", "risk_measure", "school", "school_profile", "roadmap_activity"}
)
NO_LEVEL = ""
"""The choice «не выявлен» of the level: the factor is removed from the school's year."""
FACTOR_COLUMN_WIDTH = 46
SCHOOL_COLUMN_WIDTH = 190


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def issue_text(issue: FieldIssue) -> str:
    """Word a problem of a risk profile or a factor with a capital and a full stop."""
    if issue.field == "text" and issue.code == "required":
        return tr("Напишите, в чём состоит мера, или уберите пустую строку.")
    if issue.field in ("since_year", "until_year") and issue.code == "not_school_year":
        return tr("Нужен учебный год, например 2021/22, или пусто.")
    text = describe_issue(issue)
    return text[:1].upper() + text[1:] + "."


def swatch(level: str) -> str:
    """A coloured square with the level's letter, as rich text (the legend, the detail)."""
    back = LEVEL_COLOURS[level].name()
    fore = LEVEL_TEXT_COLOURS[level].name()
    letter = LEVEL_LETTERS[level]
    return (
        f"<span style='background:{back}; color:{fore}; font-weight:bold'>"
        f"&nbsp;{letter}&nbsp;</span>"
    )


# --- the factor of a school in a year ---------------------------------------------------------


class MeasureRow(QWidget):
    """One anti-risk measure: its text, the roadmap activity it belongs to, a remove button."""

    def __init__(
        self,
        draft: MeasureDraft,
        choices: Sequence[ActivityChoice],
        on_remove: Callable[[MeasureRow], None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.text = QLineEdit(self)
        self.text.setObjectName("measure_text")
        self.text.setText(draft.text)
        self.text.setCursorPosition(0)
        self.text.setPlaceholderText(tr("что будет сделано"))
        self.text.setToolTip(draft.text)
        self.text.textChanged.connect(self.text.setToolTip)  # the whole text of a long measure
        self.activity = QComboBox(self)
        self.activity.setObjectName("measure_activity")
        self.activity.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.activity.setMinimumContentsLength(18)
        self.activity.addItem(tr("— без связи с дорожной картой —"), None)
        programmes = {c.programme_id for c in choices}
        for choice in choices:
            label = choice.label
            if len(programmes) > 1:
                label = f"{choice.start_year}–{choice.end_year}: {label}"
            self.activity.addItem(label, choice.id)
            self.activity.setItemData(
                self.activity.count() - 1, choice.label, Qt.ItemDataRole.ToolTipRole
            )
        self.activity.setCurrentIndex(max(self.activity.findData(draft.activity_id), 0))
        self.activity.setToolTip(tr("Мероприятие дорожной карты, которым выполняется мера"))
        self.activity.activated.connect(self._on_activity_activated)
        self.remove = QToolButton(self)
        self.remove.setObjectName("measure_remove")
        self.remove.setText("✕")
        self.remove.setToolTip(tr("Убрать меру"))
        self.remove.clicked.connect(lambda: on_remove(self))
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.text, 3)
        row.addWidget(self.activity, 2)
        row.addWidget(self.remove)
        self._choices = {c.id: c for c in choices}
        #: The activity's title put in the text by choosing it (None: the text is typed).
        self._filled: str | None = None

    def draft(self) -> MeasureDraft:
        """The measure as typed."""
        data = self.activity.currentData()
        return MeasureDraft(" ".join(self.text.text().split()), None if data is None else int(data))

    def _on_activity_activated(self, _index: int) -> None:
        """An activity chosen for a measure without text gives it the activity's title.

        Going through the list with the arrow keys activates each activity in
        turn: a title filled in this way follows the choice, a typed text stays.
        """
        data = self.activity.currentData()
        typed = self.text.text().strip()
        if typed and typed != self._filled:
            return
        title = "" if data is None else " ".join(self._choices[int(data)].title.split())
        self.text.setText(title)
        self.text.setCursorPosition(0)
        self._filled = title or None


class RiskDialog(FormDialog):
    """A factor of a school in a school year: level (or «не выявлен»), basis, measures."""

    def __init__(
        self,
        school: str,
        year: int,
        factor: RiskFactor,
        risk: SchoolRisk | None,
        *,
        choices: Sequence[ActivityChoice],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(
            tr("%1, %2 учебный год").replace("%1", school).replace("%2", school_year_label(year)),
            tr("Сохранить"),
            parent,
            issue_text,
        )
        self.setMinimumWidth(860)
        self.risk = risk
        self.choices = list(choices)
        where = QLabel(
            _escape(school) + " · " + tr("%1 учебный год").replace("%1", school_year_label(year)),
            self,
        )
        where.setObjectName("where")
        self.form.addRow(where)
        heading = QLabel(f"<b>{_escape(factor.name)}</b>", self)
        heading.setObjectName("factor_name")
        heading.setWordWrap(True)
        self.form.addRow(heading)
        if factor.description:
            about = QLabel(_escape(factor.description), self)
            about.setWordWrap(True)
            about.setStyleSheet("color: #555555;")
            self.form.addRow(about)
        levels = QWidget(self)
        line = QHBoxLayout(levels)
        line.setContentsMargins(0, 0, 0, 0)
        self.level_group = QButtonGroup(self)
        self.level_buttons: dict[str, QRadioButton] = {}
        for number, (code, text) in enumerate(
            [(NO_LEVEL, tr("не выявлен"))]
            + [(level, f"{level_name(level)} ({LEVEL_LETTERS[level]})") for level in LEVELS]
        ):
            button = QRadioButton(text, levels)
            button.setObjectName(f"level_{number}")
            self.level_group.addButton(button, number)
            self.level_buttons[code] = button
            line.addWidget(button)
        line.addStretch(1)
        current = risk.level if risk is not None else NO_LEVEL
        self.level_buttons[current].setChecked(True)
        self.add_field("level", tr("Уровень"), levels)
        self.note = QPlainTextEdit(self)
        self.note.setObjectName("field_note")
        self.note.setPlainText(risk.note if risk is not None else "")
        self.note.setPlaceholderText(
            tr("на чём основан вывод: диагностика, мониторинг, анализ результатов")
        )
        self.note.setTabChangesFocus(True)
        self.note.setFixedHeight(self.note.fontMetrics().lineSpacing() * 2 + 12)
        self.add_field("note", tr("Основание"), self.note)
        self.measure_box = QWidget(self)
        self.measure_list = QVBoxLayout(self.measure_box)
        self.measure_list.setContentsMargins(0, 0, 0, 0)
        self.measure_list.setSpacing(3)
        self.measure_list.addStretch(1)  # rows stay at the top, however few
        self.rows: list[MeasureRow] = []
        for measure in risk.measures if risk is not None else ():
            self.add_measure(measure.draft)
        self.add_button = QPushButton(tr("Добавить меру"), self)
        self.add_button.setObjectName("add_measure")
        self.add_button.clicked.connect(self._on_add_clicked)
        area = QScrollArea(self)
        area.setWidgetResizable(True)
        area.setWidget(self.measure_box)
        area.setMinimumHeight(150)
        box = QWidget(self)
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(area)
        column.addWidget(self.add_button, 0, Qt.AlignmentFlag.AlignLeft)
        self.add_field("measures", tr("Антирисковые меры"), box)
        self.error_label.setObjectName("error_general")
        self._finish_layout()
        self.level_buttons[current].setFocus()

    def add_measure(self, draft: MeasureDraft | None = None) -> MeasureRow:
        """Add a row for a measure at the end of the list (an empty one by default)."""
        row = MeasureRow(
            draft or MeasureDraft(""), self.choices, self._remove_row, self.measure_box
        )
        self.measure_list.insertWidget(self.measure_list.count() - 1, row)
        self.rows.append(row)
        return row

    def _remove_row(self, row: MeasureRow) -> None:
        self.rows.remove(row)
        self.measure_list.removeWidget(row)
        row.deleteLater()

    def _on_add_clicked(self) -> None:
        self.add_measure().text.setFocus()

    def level(self) -> str | None:
        """The level chosen (None: «не выявлен»)."""
        checked = self.level_group.checkedId()
        return None if checked <= 0 else LEVELS[checked - 1]

    def read(self) -> tuple[dict[str, Any], list[FieldIssue]]:
        """The level, basis and measures; empty rows are left out."""
        measures = [d for d in (row.draft() for row in self.rows) if d.text]
        return {
            "level": self.level(),
            "note": " ".join(self.note.toPlainText().split()),
            "measures": measures,
        }, []


# --- the reference list -------------------------------------------------------------------------


def _year_text(year: int | None) -> str:
    return "" if year is None else school_year_label(year)


class FactorDialog(FormDialog):
    """A factor of the list: code, name, short name, years it applies in, description."""

    def __init__(self, factor: RiskFactor | None, parent: QWidget | None = None) -> None:
        super().__init__(
            tr("Новый фактор риска") if factor is None else tr("Фактор риска"),
            tr("Добавить") if factor is None else tr("Сохранить"),
            parent,
            issue_text,
        )
        self.setMinimumWidth(600)
        self.factor = factor
        self.add_line("code", self._label("code"), factor.code if factor else "", "R13")
        self.name = QPlainTextEdit(self)
        self.name.setPlainText(factor.name if factor else "")
        self.name.setTabChangesFocus(True)
        self.name.setFixedHeight(self.name.fontMetrics().lineSpacing() * 2 + 12)
        self.add_field("name", self._label("name"), self.name)
        self.add_line(
            "short_name",
            self._label("short_name"),
            factor.short_name if factor else "",
            tr("для заголовка столбца матрицы"),
        )
        for name in ("since_year", "until_year"):
            self.add_line(
                name,
                self._label(name),
                _year_text(getattr(factor, name)) if factor else "",
                tr("например, 2021/22; пусто — без ограничения"),
            ).setMaximumWidth(220)
        self.description = QPlainTextEdit(self)
        self.description.setPlainText(factor.description if factor else "")
        self.description.setTabChangesFocus(True)
        self.description.setFixedHeight(self.description.fontMetrics().lineSpacing() * 3 + 12)
        self.add_field("description", self._label("description"), self.description)
        self._finish_layout()
        self.edits["code"].setFocus()

    @staticmethod
    def _label(name: str) -> str:
        return tr(FACTOR_FIELD_BY_NAME[name].label)

    def read(self) -> tuple[dict[str, Any], list[FieldIssue]]:
        """The factor's fields and what is wrong with them."""
        issues: list[FieldIssue] = []
        values: dict[str, Any] = {
            "code": self.edits["code"].text().strip(),
            "name": " ".join(self.name.toPlainText().split()),
            "short_name": self.edits["short_name"].text().strip(),
            "description": self.description.toPlainText().strip(),
        }
        for name in ("since_year", "until_year"):
            text = self.edits[name].text().strip()
            try:
                values[name] = parse_school_year(text) if text else None
            except ValueError:
                issues.append(FieldIssue(name, "not_school_year", "error", (text,)))
        for name in ("code", "name"):
            if not values[name]:
                issues.append(FieldIssue(name, "required", "error"))
        return values, issues


class FactorListDialog(QDialog):
    """The reference list of factors: add, change, remove, order, load the shipped list."""

    def __init__(self, panel: RisksPanel) -> None:
        super().__init__(panel)
        self.panel = panel
        self.setWindowTitle(tr("Факторы риска"))
        self.resize(900, 520)
        self.model = FactorTableModel(self)
        self.view = QTableView(self)
        self.view.setObjectName("factors")
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.verticalHeader().hide()
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(FactorTableModel.COL_NAME, QHeaderView.ResizeMode.Stretch)
        self.view.doubleClicked.connect(self._on_view_double_clicked)
        self.view.selectionModel().currentRowChanged.connect(self._on_current_changed)
        buttons = QVBoxLayout()
        self.add_button = self._button("add_factor", tr("Добавить…"), self.add_factor)
        self.edit_button = self._button("edit_factor", tr("Изменить…"), self._on_edit_clicked)
        self.remove_button = self._button("remove_factor", tr("Удалить"), self._on_remove_clicked)
        self.up_button = self._button("factor_up", tr("Выше"), lambda: self._move(-1))
        self.down_button = self._button("factor_down", tr("Ниже"), lambda: self._move(1))
        self.load_button = self._button(
            "load_factors", tr("Загрузить перечень «500+»"), self.load_shipped
        )
        self.load_button.setToolTip(
            tr("Добавить факторы поставляемого перечня, которых в списке нет")
        )
        for button in (
            self.add_button,
            self.edit_button,
            self.remove_button,
            self.up_button,
            self.down_button,
        ):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.load_button)
        row = QHBoxLayout()
        row.addWidget(self.view, 1)
        row.addLayout(buttons)
        self.status = QLabel(self)
        self.status.setObjectName("status")
        self.status.setWordWrap(True)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        close.button(QDialogButtonBox.StandardButton.Close).setText(tr("Закрыть"))
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(row, 1)
        layout.addWidget(self.status)
        layout.addWidget(close)
        self.form: FormDialog | None = None
        self.reload()

    def _button(self, name: str, text: str, slot: Callable[[], Any]) -> QPushButton:
        button = QPushButton(text, self)
        button.setObjectName(name)
        button.clicked.connect(slot)
        return button

    @property
    def db(self) -> Database | None:
        """The panel's database."""
        return self.panel.db

    def reload(self, select: int | None = None) -> None:
        """Read the list again, keeping (or choosing) the current factor."""
        db = self.db
        current = self.current()
        wanted = select if select is not None else (current.id if current else None)
        self.model.set_rows(db.risks.factors() if db else [])
        row = self.model.row_of(wanted) if wanted is not None else -1
        if row < 0 and self.model.rowCount():
            row = 0
        if row >= 0:
            self.view.selectionModel().setCurrentIndex(
                self.model.index(row, FactorTableModel.COL_NAME),
                QItemSelectionModel.SelectionFlag.ClearAndSelect
                | QItemSelectionModel.SelectionFlag.Rows,
            )
        self._update_buttons()

    def current(self) -> RiskFactor | None:
        """The factor of the current row."""
        index = self.view.currentIndex()
        if not index.isValid() or index.row() >= self.model.rowCount():
            return None
        return self.model.record(index.row())

    def _update_buttons(self) -> None:
        factor = self.current()
        row = self.view.currentIndex().row()
        for button in (self.edit_button, self.remove_button):
            button.setEnabled(factor is not None)
        self.up_button.setEnabled(factor is not None and row > 0)
        self.down_button.setEnabled(factor is not None and row < self.model.rowCount() - 1)

    def _run(self, write: Callable[[], Any], done: str) -> Any:
        """Write through the repository; say what was done, or why not."""
        try:
            result = write()
        except DomainError as exc:
            show_warning(self, tr("Перечень не изменён"), describe_error(exc))
            return None
        self.status.setText(done)
        self.panel.sig_status.emit(done)
        return result

    def add_factor(self) -> FactorDialog | None:
        """Open the form of a new factor."""
        if self.db is None:
            return None
        dialog = FactorDialog(None, self)
        dialog.saver = self._save_new
        return self._open(dialog)

    def _save_new(self, values: dict[str, Any]) -> None:
        db = self.db
        assert db is not None
        label = tr("Добавлен фактор риска «%1»").replace("%1", values["name"])
        _, factor_id = db.risks.add_factor(FactorDraft(**values), label)
        self.status.setText(label)
        self.reload(factor_id)

    def edit_factor(self, factor: RiskFactor) -> FactorDialog:
        """Open the form of a factor."""
        dialog = FactorDialog(factor, self)
        dialog.saver = lambda values: self._save_existing(factor, values)
        return self._open(dialog)

    def _save_existing(self, factor: RiskFactor, values: dict[str, Any]) -> None:
        db = self.db
        assert db is not None
        label = tr("Изменён фактор риска «%1»").replace("%1", values["name"])
        info = db.risks.update_factor(factor.id, values, label)
        self.status.setText(label if info else tr("Фактор не изменился."))
        self.reload(factor.id)

    def _open(self, dialog: FactorDialog) -> FactorDialog:
        if self.form is not None:
            self.form.close()
        self.form = dialog
        dialog.finished.connect(self._on_form_finished)
        dialog.open()
        return dialog

    def _on_form_finished(self) -> None:
        dialog = self.sender()
        if dialog is self.form:
            self.form = None
        if isinstance(dialog, QDialog):
            dialog.deleteLater()

    def remove_factor(self, factor: RiskFactor) -> ChangeSetInfo | None:
        """Ask, then remove a factor (one in use is refused with the reason)."""
        db = self.db
        if db is None:
            return None
        question = tr(
            "Удалить фактор «%1» из перечня? Удаление можно отменить: Правка → Отменить."
        ).replace("%1", factor.name)
        if not ask_yes_no(self, tr("Удаление фактора риска"), question, tr("Удалить")):
            return None
        label = tr("Удалён фактор риска «%1»").replace("%1", factor.name)
        info: ChangeSetInfo | None = self._run(
            lambda: db.risks.remove_factor(factor.id, label), label
        )
        self.reload()
        return info

    def _move(self, step: int) -> None:
        db = self.db
        factor = self.current()
        if db is None or factor is None:
            return
        row = self.view.currentIndex().row()
        label = tr("Изменён порядок факторов риска")
        self._run(lambda: db.risks.move_factor(factor.id, row + step, label), label)
        self.reload(factor.id)

    def load_shipped(self) -> ChangeSetInfo | None:
        """Add the shipped factors the list lacks."""
        db = self.db
        if db is None:
            return None
        label = tr("Загружен перечень факторов риска «500+»")
        info: ChangeSetInfo | None = self._run(lambda: db.risks.load_shipped_factors(label), label)
        if info is None:
            self.status.setText(tr("Все факторы поставляемого перечня уже есть в списке."))
        self.reload()
        return info

    def _on_edit_clicked(self) -> None:
        factor = self.current()
        if factor is not None:
            self.edit_factor(factor)

    def _on_remove_clicked(self) -> None:
        factor = self.current()
        if factor is not None:
            self.remove_factor(factor)

    def _on_view_double_clicked(self, index: QModelIndex) -> None:
        if index.isValid():
            self.edit_factor(self.model.record(index.row()))

    def _on_current_changed(self, _current: QModelIndex, _previous: QModelIndex) -> None:
        self._update_buttons()


# --- the views ---------------------------------------------------------------------------------


class MatrixView(QTableView):
    """The matrix: Enter or F2 opens the current cell (a click does so through ``clicked``)."""

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        """Enter, Return and F2 activate the current cell."""
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_F2):
            index = self.currentIndex()
            if index.isValid():
                self.activated.emit(index)
            return
        super().keyPressEvent(event)


def _table(parent: QWidget, name: str, view: QTableView | None = None) -> QTableView:
    table = view or QTableView(parent)
    table.setParent(parent)
    table.setObjectName(name)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setWordWrap(False)
    table.setTextElideMode(Qt.TextElideMode.ElideRight)
    table.verticalHeader().hide()
    table.verticalHeader().setDefaultSectionSize(table.fontMetrics().height() + 10)
    return table


class RisksPanel(Panel):
    """The risk matrix of a school year and one school's profile over the years."""

    TITLE = "Риск-профили"  # source string, context "Panel"
    TABLES: ClassVar[frozenset[str]] = RISK_TABLES

    def __init__(self, bus: DataBus, parent: QWidget | None = None) -> None:
        super().__init__(bus, parent)
        self.factor_dialog: FactorListDialog | None = None
        self._year_chosen = False
        self._build()

    # --- layout --------------------------------------------------------------------------------
    def _build(self) -> None:
        self.year = SchoolYearCombo(self)
        self.year.setObjectName("year")
        self.year.sig_year_changed.connect(self._on_year_changed)
        self.group = QComboBox(self)
        self.group.setObjectName("group")
        self.group.addItem(tr("Все группы"), None)
        for code, label in GROUP_LABELS.items():
            self.group.addItem(tr(label), code)
        self.group.activated.connect(self._on_filters_changed)
        # Narrow when the window is (the whole names are in the popup): the top row sets
        # the page's narrowest width.
        self.group.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.group.setMinimumContentsLength(8)
        self.search = SearchLine(tr("Поиск школы"), self)
        self.search.setObjectName("search")
        self.search.sig_search.connect(self._on_filters_changed)
        self.all_schools = QCheckBox(tr("Все школы"), self)
        self.all_schools.setObjectName("all_schools")
        self.all_schools.setToolTip(tr("Показать и школы без рискового профиля в этом году"))
        self.all_schools.toggled.connect(self._on_filters_changed)
        self.factors_button = QPushButton(tr("Факторы риска…"), self)
        self.factors_button.setObjectName("factors_button")
        self.factors_button.setToolTip(tr("Перечень факторов риска по годам"))
        self.factors_button.clicked.connect(self.edit_factors)
        top = QHBoxLayout()
        caption = QLabel(tr("Учебный год:"), self)
        caption.setBuddy(self.year)
        top.addWidget(caption)
        top.addWidget(self.year)
        group_caption = QLabel(tr("Группа:"), self)
        group_caption.setBuddy(self.group)
        top.addWidget(group_caption)
        top.addWidget(self.group)
        top.addWidget(self.search, 1)
        top.addWidget(self.all_schools)

        self.tabs = QTabWidget(self)
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self._build_matrix(), tr("Матрица"))
        self.tabs.addTab(self._build_profile(), tr("Профиль школы"))
        self.tabs.currentChanged.connect(self._on_tabs_changed)
        self.empty = EmptyState(self)
        self.empty.sig_action.connect(self._on_empty_action)
        self.pages = QStackedWidget(self)
        self.pages.addWidget(self.tabs)
        self.pages.addWidget(self.empty)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.setSpacing(4)
        layout.addLayout(top)
        layout.addWidget(self.pages, 1)

    def _build_matrix(self) -> QWidget:
        page = QWidget(self)
        self.matrix_model = RiskMatrixModel(self)
        self.matrix_view = _table(page, "matrix", MatrixView())
        self.matrix_view.setHorizontalHeader(RotatedHeaderView(self.matrix_view))
        self.matrix_view.setModel(self.matrix_model)
        self.matrix_view.setItemDelegate(LevelDelegate(self.matrix_view))
        self.matrix_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.matrix_view.clicked.connect(self._on_matrix_clicked)
        self.matrix_view.activated.connect(self._on_matrix_activated)
        self.matrix_view.doubleClicked.connect(self._on_matrix_double_clicked)
        self.matrix_view.selectionModel().currentChanged.connect(self._on_matrix_current_changed)
        self.matrix_model.modelReset.connect(self._fit_matrix)
        self.copy_button = QPushButton(tr("Перенести с прошлого года"), page)
        self.copy_button.setObjectName("copy_profile")
        self.copy_button.setToolTip(
            tr("Перенести факторы, уровни и меры выбранной школы из прошлого учебного года")
        )
        self.copy_button.clicked.connect(self._on_copy_clicked)
        self.count_label = QLabel(page)
        self.count_label.setObjectName("count")
        tools = QHBoxLayout()
        tools.addWidget(self.copy_button)
        # Here rather than in the filter row: that row sets the page's narrowest width.
        tools.addWidget(self.factors_button)
        tools.addStretch(1)
        tools.addWidget(self.count_label)
        legend = QLabel(page)
        legend.setObjectName("legend")
        legend.setWordWrap(True)
        legend.setTextFormat(Qt.TextFormat.RichText)
        legend.setText(
            " ".join(f"{swatch(level)} {level_name(level)}" for level in reversed(LEVELS))
            + tr(
                " &nbsp;·&nbsp; цифра — число антирисковых мер; курсив — уровень сгенерирован"
                " для демонстрации; пустая клетка — фактор не выявлен. Щелчок по клетке или"
                " Enter — изменить уровень и меры; двойной щелчок по школе — её профиль по годам."
            )
        )
        left = QWidget(page)
        column = QVBoxLayout(left)
        column.setContentsMargins(0, 0, 0, 0)
        column.addLayout(tools)
        column.addWidget(self.matrix_view, 1)
        column.addWidget(legend)
        self.matrix_detail, detail_area = detail_pane(page, 80)
        detail_area.setMinimumWidth(160)
        self.matrix_splitter = QSplitter(Qt.Orientation.Horizontal, page)
        self.matrix_splitter.addWidget(left)
        self.matrix_splitter.addWidget(detail_area)
        self.matrix_splitter.setChildrenCollapsible(False)
        self.matrix_splitter.setStretchFactor(0, 3)
        self.matrix_splitter.setStretchFactor(1, 1)
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 6, 0, 0)
        layout.addWidget(self.matrix_splitter, 1)
        return page

    def _build_profile(self) -> QWidget:
        page = QWidget(self)
        self.profile_school = QComboBox(page)
        self.profile_school.setObjectName("profile_school")
        self.profile_school.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.profile_school.activated.connect(self._on_profile_school_activated)
        self.profile_model = RiskProfileModel(self)
        self.profile_view = _table(page, "profile", MatrixView())
        self.profile_view.setModel(self.profile_model)
        self.profile_view.setItemDelegate(LevelDelegate(self.profile_view))
        self.profile_view.clicked.connect(self._on_profile_clicked)
        self.profile_view.activated.connect(self._on_profile_activated)
        self.profile_view.selectionModel().currentChanged.connect(self._on_profile_current_changed)
        self.profile_model.modelReset.connect(self._fit_profile)
        self.profile_detail, detail_area = detail_pane(page, 90)
        self.profile_empty = QLabel(page)
        self.profile_empty.setObjectName("profile_empty")
        self.profile_empty.setWordWrap(True)
        row = QHBoxLayout()
        caption = QLabel(tr("Школа:"), page)
        caption.setBuddy(self.profile_school)
        row.addWidget(caption)
        row.addWidget(self.profile_school, 1)
        splitter = QSplitter(Qt.Orientation.Vertical, page)
        splitter.addWidget(self.profile_view)
        splitter.addWidget(detail_area)
        splitter.setChildrenCollapsible(False)
        splitter.setSizes([380, 140])
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 6, 0, 0)
        layout.addLayout(row)
        layout.addWidget(self.profile_empty)
        layout.addWidget(splitter, 1)
        return page

    def _fit_matrix(self) -> None:
        view, model = self.matrix_view, self.matrix_model
        header = view.horizontalHeader()
        header.setMinimumHeight(header.sizeHint().height())
        if model.columnCount() == 0:
            return
        header.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        header.resizeSection(model.COL_SCHOOL, SCHOOL_COLUMN_WIDTH)
        header.setSectionResizeMode(model.COL_SCHOOL, QHeaderView.ResizeMode.Interactive)
        for column in range(1, model.col_total):
            header.resizeSection(column, FACTOR_COLUMN_WIDTH)
        header.resizeSection(model.col_total, 74)

    def _fit_profile(self) -> None:
        header = self.profile_view.horizontalHeader()
        if self.profile_model.columnCount() == 0:
            return
        header.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        header.setSectionResizeMode(RiskProfileModel.COL_FACTOR, QHeaderView.ResizeMode.Stretch)
        for column in range(1, self.profile_model.columnCount()):
            header.resizeSection(column, 90)

    # --- reading -------------------------------------------------------------------------------
    def set_database(self, db: Database | None) -> None:
        """Show another database: the year goes back to the latest year with profiles."""
        self._year_chosen = False
        super().set_database(db)

    def reload(self) -> None:
        """Read the years, the matrix and the profile again."""
        db = self.db
        if db is None:
            self.matrix_model.set_matrix(self.matrix_model.matrix.__class__(0))
            self.profile_model.set_profile(self.profile_model.profile.__class__(0))
            return
        if not db.risks.factors():
            self.empty.set_state(
                tr("Перечня факторов риска пока нет"),
                tr(
                    "Рисковые профили школ составляются по перечню факторов риска. "
                    "Загрузите перечень проекта «500+», поставляемый с программой, "
                    "или добавьте факторы вручную («Факторы риска…»)."
                ),
                tr("Загрузить перечень «500+»"),
            )
            self.pages.setCurrentWidget(self.empty)
            return
        self.pages.setCurrentWidget(self.tabs)
        years = db.risks.years()
        if not self._year_chosen and years:
            self.year.set_years(years, select=years[-1])
        else:
            self.year.set_years(years)
        self._show_matrix()
        self._fill_profile_schools()
        self._show_profile()

    def matrix_filter(self) -> MatrixFilter:
        """The schools the filters ask for."""
        group = self.group.currentData()
        return MatrixFilter(
            search=self.search.text(),
            group=str(group) if group else None,
            with_risks_only=not self.all_schools.isChecked(),
        )

    def _show_matrix(self) -> None:
        db = self.db
        if db is None:
            return
        key = self.matrix_view.currentIndex().data(ROLE_ID)
        column = self.matrix_view.currentIndex().column()
        matrix = db.risks.matrix(self.year.year, self.matrix_filter())
        self.matrix_model.set_matrix(matrix)
        schools = len(matrix.schools)
        factors = sum(s.factors for s in matrix.schools)
        self.count_label.setText(
            tr("%1 %2, факторов риска: %3")
            .replace("%1", str(schools))
            .replace("%2", schools_word(schools))
            .replace("%3", str(factors))
        )
        self._restore_matrix_current(key, column)
        self._show_matrix_detail()
        self._update_actions()

    def _restore_matrix_current(self, key: Any, column: int) -> None:
        model = self.matrix_model
        index = QModelIndex()
        if isinstance(key, tuple):
            index = model.index_of(int(key[0]), int(key[1]))
        elif isinstance(key, int):
            row = next((i for i, s in enumerate(model.matrix.schools) if s.id == key), -1)
            index = model.index(row, column) if row >= 0 else QModelIndex()
        if index.isValid():
            self.matrix_view.selectionModel().setCurrentIndex(
                index, QItemSelectionModel.SelectionFlag.ClearAndSelect
            )

    def _fill_profile_schools(self) -> None:
        db = self.db
        if db is None:
            return
        current = self.profile_school.currentData()
        with QSignalBlocker(self.profile_school):
            self.profile_school.clear()
            for school in db.schools.all_schools():
                self.profile_school.addItem(school.short_name, school.id)
                self.profile_school.setItemData(
                    self.profile_school.count() - 1, school.full_name, Qt.ItemDataRole.ToolTipRole
                )
            wanted = current
            if wanted is None and self.matrix_model.matrix.schools:
                wanted = self.matrix_model.matrix.schools[0].id
            self.profile_school.setCurrentIndex(max(self.profile_school.findData(wanted), 0))

    def _show_profile(self) -> None:
        db = self.db
        school_id = self.profile_school.currentData()
        if db is None or school_id is None:
            return
        profile = db.risks.profile(int(school_id))
        self.profile_model.set_profile(profile)
        self.profile_empty.setVisible(not profile.factors)
        self.profile_empty.setText(
            tr(
                "У школы нет рискового профиля ни за один год. Его составляют на вкладке "
                "«Матрица»: отметьте «Все школы» и щёлкните клетку фактора."
            )
        )
        self._show_profile_detail()

    # --- detail --------------------------------------------------------------------------------
    def _risk_html(
        self, school: str, year: int, factor: RiskFactor, risk: SchoolRisk | None
    ) -> str:
        parts = [
            f"<b>{_escape(school)}</b>, {school_year_label(year)}",
            f"<b>{_escape(factor.name)}</b>",
        ]
        if risk is None:
            parts.append(tr("Фактор не выявлен. Щелчок по клетке или Enter — указать."))
            return "<br>".join(parts)
        parts.append(
            tr("Уровень: %1 %2")
            .replace("%1", swatch(risk.level))
            .replace("%2", level_name(risk.level))
            + (f" <i>({tr('сгенерирован для демонстрации')})</i>" if risk.generated else "")
        )
        if risk.note:
            parts.append(tr("Основание: %1").replace("%1", _escape(risk.note)))
        if not risk.measures:
            parts.append(f"<i>{tr('Антирисковых мер нет.')}</i>")
        else:
            count = len(risk.measures)
            items = []
            for measure in risk.measures:
                item = _escape(measure.text)
                if measure.activity_id is not None:
                    link = f"{measure.activity_number}. {measure.activity_title}".lstrip(". ")
                    item += (
                        "<br><span style='color:#555555'>"
                        + tr("дорожная карта: %1").replace("%1", _escape(link))
                        + "</span>"
                    )
                items.append(f"<li>{item}</li>")
            parts.append(
                tr("Антирисковые меры (%1 %2):")
                .replace("%1", str(count))
                .replace("%2", measures_word(count))
                + f"<ol style='margin-left:-20px'>{''.join(items)}</ol>"
            )
        return "<br>".join(parts)

    def _show_matrix_detail(self) -> None:
        db = self.db
        index = self.matrix_view.currentIndex()
        model = self.matrix_model
        if db is None or not index.isValid():
            self.matrix_detail.setText(
                tr("Выберите клетку, чтобы увидеть уровень фактора и антирисковые меры.")
            )
            return
        school = model.school_at(index.row())
        factor = model.factor_at(index.column())
        if school is None:  # the footer
            if factor is None:
                self.matrix_detail.setText(tr("Счёт школ с каждым фактором риска."))
                return
            count = model.matrix.count(factor.id)
            self.matrix_detail.setText(
                f"<b>{_escape(factor.name)}</b><br>"
                + tr("%1 %2: %3")
                .replace("%1", str(count.schools))
                .replace("%2", schools_word(count.schools))
                .replace("%3", count_text(count))
            )
            return
        if factor is None:
            risks = db.risks.risks(school.id, self.year.year)
            names = {f.id: f for f in model.matrix.factors}
            lines = [f"<b>{_escape(school.full_name)}</b>, {school_year_label(self.year.year)}"]
            for each in risks:
                name = names[each.factor_id].name if each.factor_id in names else ""
                lines.append(f"{swatch(each.level)} {_escape(name)}")
            if not risks:
                lines.append(tr("Факторов риска в этом году не выявлено."))
            self.matrix_detail.setText("<br>".join(lines))
            return
        risk = db.risks.risk(school.id, self.year.year, factor.id)
        self.matrix_detail.setText(self._risk_html(school.short_name, self.year.year, factor, risk))

    def _show_profile_detail(self) -> None:
        index = self.profile_view.currentIndex()
        model = self.profile_model
        factor = model.factor_at(index.row()) if index.isValid() else None
        year = model.year_at(index.column()) if index.isValid() else None
        if factor is None or year is None:
            self.profile_detail.setText(
                tr("Выберите клетку года, чтобы увидеть уровень фактора и меры.")
            )
            return
        self.profile_detail.setText(
            self._risk_html(self.profile_school.currentText(), year, factor, model.risk_at(index))
        )

    def _update_actions(self) -> None:
        school = self.matrix_model.school_at(self.matrix_view.currentIndex().row())
        self.copy_button.setEnabled(self.db is not None and school is not None)

    # --- editing -------------------------------------------------------------------------------
    def edit_risk(self, school_id: int, year: int, factor_id: int) -> RiskDialog | None:
        """Open the factor of a school in a year (window-modal); it saves when accepted."""
        db = self.db
        if db is None:
            return None
        try:
            school = db.schools.get(school_id)
            factor = db.risks.factor(factor_id)
        except DomainError as exc:
            show_warning(self, tr("Профиль не открыт"), describe_error(exc))
            return None
        risk = db.risks.risk(school_id, year, factor_id)
        dialog = RiskDialog(
            school.short_name, year, factor, risk, choices=db.risks.activity_choices(), parent=self
        )
        label = (
            tr("Рисковый профиль: %1, %2 — «%3»")
            .replace("%1", school.short_name)
            .replace("%2", school_year_label(year))
            .replace("%3", factor.label)
        )

        def save(values: dict[str, Any]) -> None:
            info = db.risks.set_risk(
                school_id,
                year,
                factor_id,
                label,
                level=values["level"],
                measures=values["measures"],
                note=values["note"],
            )
            self.sig_status.emit(label if info else tr("Профиль не изменился."))

        dialog.saver = save
        return self.open_dialog(dialog)

    def copy_previous_year(self, school_id: int) -> ChangeSetInfo | None:
        """Carry the school's factors of the year before into the year shown."""
        db = self.db
        if db is None:
            return None
        year = self.year.year
        school = db.schools.get(school_id)
        label = (
            tr("Рисковый профиль %1 перенесён из %2 в %3")
            .replace("%1", school.short_name)
            .replace("%2", school_year_label(year - 1))
            .replace("%3", school_year_label(year))
        )
        try:
            info = db.risks.copy_profile(school_id, year - 1, year, label)
        except DomainError as exc:
            show_warning(self, tr("Профиль не перенесён"), describe_error(exc))
            return None
        self.sig_status.emit(
            label
            if info
            else tr("Переносить нечего: в %1 у школы нет факторов, которых нет в %2.")
            .replace("%1", school_year_label(year - 1))
            .replace("%2", school_year_label(year))
        )
        return info

    def edit_factors(self) -> FactorListDialog | None:
        """Open the reference list of factors."""
        if self.db is None:
            return None
        if self.factor_dialog is not None:
            self.factor_dialog.close()
        dialog = FactorListDialog(self)
        self.factor_dialog = dialog
        dialog.finished.connect(self._on_factor_dialog_finished)
        dialog.open()
        return dialog

    def load_shipped(self) -> ChangeSetInfo | None:
        """Load the shipped list of factors (the empty page's button)."""
        db = self.db
        if db is None:
            return None
        label = tr("Загружен перечень факторов риска «500+»")
        try:
            info = db.risks.load_shipped_factors(label)
        except DomainError as exc:
            show_warning(self, tr("Перечень не загружен"), describe_error(exc))
            return None
        self.sig_status.emit(label)
        return info

    def show_school_profile(self, school_id: int) -> None:
        """Show a school's profile over the years."""
        index = self.profile_school.findData(school_id)
        if index >= 0:
            self.profile_school.setCurrentIndex(index)
        self.tabs.setCurrentIndex(1)
        self._show_profile()

    # --- reacting ------------------------------------------------------------------------------
    def on_data_changed(self, info: ChangeSetInfo) -> None:
        """Read again; the reference list dialog too when it is open."""
        del info
        self.reload()
        if self.factor_dialog is not None:
            self.factor_dialog.reload()

    def _on_factor_dialog_finished(self) -> None:
        dialog = self.factor_dialog
        self.factor_dialog = None
        if dialog is not None:
            dialog.deleteLater()

    def _on_empty_action(self) -> None:
        self.load_shipped()

    def _on_year_changed(self, _year: int) -> None:
        self._year_chosen = True
        self._show_matrix()

    def _on_filters_changed(self, *_args: object) -> None:
        if self.db is not None:
            self._show_matrix()

    def _open_cell(self, index: QModelIndex) -> None:
        model = self.matrix_model
        school = model.school_at(index.row())
        factor = model.factor_at(index.column())
        if school is not None and factor is not None:
            self.edit_risk(school.id, self.year.year, factor.id)

    def _on_matrix_clicked(self, index: QModelIndex) -> None:
        self._open_cell(index)

    def _on_matrix_activated(self, index: QModelIndex) -> None:
        model = self.matrix_model
        school = model.school_at(index.row())
        if school is not None and index.column() == model.COL_SCHOOL:
            self.show_school_profile(school.id)
            return
        self._open_cell(index)

    def _on_matrix_double_clicked(self, index: QModelIndex) -> None:
        school = self.matrix_model.school_at(index.row())
        if school is not None and index.column() == self.matrix_model.COL_SCHOOL:
            self.show_school_profile(school.id)

    def _on_matrix_current_changed(self, _current: QModelIndex, _previous: QModelIndex) -> None:
        self._show_matrix_detail()
        self._update_actions()

    def _on_copy_clicked(self) -> None:
        school = self.matrix_model.school_at(self.matrix_view.currentIndex().row())
        if school is not None:
            self.copy_previous_year(school.id)

    def _on_profile_school_activated(self, _index: int) -> None:
        self._show_profile()

    def _open_profile_cell(self, index: QModelIndex) -> None:
        model = self.profile_model
        factor = model.factor_at(index.row())
        year = model.year_at(index.column())
        school_id = self.profile_school.currentData()
        if factor is not None and year is not None and school_id is not None:
            self.edit_risk(int(school_id), year, factor.id)

    def _on_profile_clicked(self, index: QModelIndex) -> None:
        self._open_profile_cell(index)

    def _on_profile_activated(self, index: QModelIndex) -> None:
        self._open_profile_cell(index)

    def _on_profile_current_changed(self, _current: QModelIndex, _previous: QModelIndex) -> None:
        self._show_profile_detail()

    def _on_tabs_changed(self, index: int) -> None:
        if index != 1:
            return
        # The profile follows the school chosen in the matrix.
        school = self.matrix_model.school_at(self.matrix_view.currentIndex().row())
        if school is not None:
            position = self.profile_school.findData(school.id)
            if position >= 0:
                self.profile_school.setCurrentIndex(position)
        self._show_profile()
