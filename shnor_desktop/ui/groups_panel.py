"""«Отнесение к группам»: each school's group of a year, the rules' suggestion and its facts.

The table lists every school with its current group, the group the rules of
«Настройки» suggest and the facts that triggered it; a mark and a tint show
where the suggestion differs.  Below, the selected school's facts in full.
The coordinator accepts the suggestion of the selected schools, accepts all
of them (one change set, after a confirmation that counts them), or assigns
a group of their own with a reason that is required.  Every decision goes
through the write path, so Правка → Отменить takes it back and the
passport's history shows it; the page follows changes of results, passports
and settings by itself.

The suggestions are worked out in the background (0,45 s for a region of
1,500 schools): the table stays, «Подбор групп…» says the work is on, and
the decisions wait for the fresh suggestions.  The rows are as high as their
facts from the first frame the page shows.
"""

from __future__ import annotations

import html
import sqlite3
from collections.abc import Callable, Sequence
from typing import Any, ClassVar

from PySide6.QtCore import (
    QCoreApplication,
    QItemSelectionModel,
    QModelIndex,
    QPoint,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import (
    QAction,
    QBrush,
    QColor,
    QFont,
    QKeySequence,
    QResizeEvent,
    QShowEvent,
)
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QTableView,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from shnor_desktop.models.changelog import ChangeSetInfo
from shnor_desktop.models.database import Database
from shnor_desktop.models.errors import Cancelled, DomainError
from shnor_desktop.models.fields import InvalidValueError
from shnor_desktop.models.identification import Suggestion, suggest
from shnor_desktop.models.jobs import JobState
from shnor_desktop.models.schools import GROUP_LABELS, GROUP_SHORT_LABELS
from shnor_desktop.models.text import plural, school_year_label
from shnor_desktop.services import identification as wording
from shnor_desktop.services.messages import describe_error
from shnor_desktop.ui.common import DataBus, Panel
from shnor_desktop.ui.messages import ask_yes_no, show_warning
from shnor_desktop.ui.runner import BackgroundTask
from shnor_desktop.ui.table_model import Column, RecordTableModel
from shnor_desktop.ui.widgets import SchoolYearCombo, error_label, quoted

# What the page shows: results, passports (groups, social figures), schools, the rules.
SHOWN_TABLES = frozenset({"assessment", "school", "school_profile", "setting"})
DIFFERS_BACKGROUND = QColor("#fff1c2")
MAX_FACTS_SHOWN = 3
"""Facts a row of the table shows (wrapped in full); the details below show them all."""
MAX_NAME_WIDTH = 260
"""The widest the school and group columns get; the facts take the rest."""
FIT_AT_ONCE = 100
"""Rows fitted to their facts all at once.  A longer table (a region's 1,500 rows take
0,3 s) fits the rows in view and those scrolled to; its name columns are measured on
this many rows and those in view (0,13 s for all)."""


def _tr(text: str) -> str:
    return QCoreApplication.translate("groups", text)


def group_text(code: str) -> str:
    """A group as the table shows it: short («Зона риска»), «Без группы» for none."""
    if code == "none":
        return _tr("Без группы")
    return QCoreApplication.translate("passport", GROUP_SHORT_LABELS.get(code, code))


def group_full(code: str) -> str:
    """A group's full name («Зона риска (ШНСУ)»)."""
    return QCoreApplication.translate("passport", GROUP_LABELS.get(code, code))


def facts_text(suggestion: Suggestion, limit: int | None = None) -> str:
    """The facts of a suggestion, one per line (the first ``limit`` of them); why none."""
    if not suggestion.facts:
        return _tr("условия правил не выполнены")
    facts = suggestion.facts if limit is None else suggestion.facts[:limit]
    lines = [wording.capitalised(wording.fact_text(f)) for f in facts]
    rest = len(suggestion.facts) - len(facts)
    if rest:
        lines.append(_tr("… и ещё {0} — все основания ниже, под таблицей").format(rest))
    return "\n".join(lines)


def _facts_cell(suggestion: Suggestion) -> str:
    return facts_text(suggestion, MAX_FACTS_SHOWN)


def suggestions_job(db: Database, year: int) -> Callable[[JobState], list[Suggestion]]:
    """The suggestions of ``year`` as background work (its thread's reader closed after)."""

    def work(state: JobState) -> list[Suggestion]:
        try:
            return suggest(db, year, state=state)
        finally:
            db.log.release_reader()

    return work


def _school_text(s: Suggestion) -> str:
    # A branch sits under its school: indented, so the list reads as the school tree does.
    return f"    {s.school}" if s.parent_id is not None else s.school


class GroupsModel(RecordTableModel):
    """The schools of a year: current group, suggestion, facts (records are Suggestions)."""

    CONTEXT = "groups"
    COL_MARK, COL_SCHOOL, COL_CURRENT, COL_SUGGESTED, COL_FACTS = range(5)
    COLUMNS = (
        Column(
            "≠",
            lambda s: "≠" if s.differs else "",
            tooltip="Предложение расходится с текущей группой",
            cell_tooltip=lambda s: (
                _tr("Предложение расходится с текущей группой") if s.differs else None
            ),
        ),
        Column("Школа", _school_text, cell_tooltip=lambda s: s.school),
        Column(
            "Текущая группа",
            lambda s: group_text(s.current_group),
            cell_tooltip=lambda s: (
                group_full(s.current_group) + (f"\n{s.current_reason}" if s.current_reason else "")
            ),
        ),
        Column(
            "Предложение",
            lambda s: group_text(s.group),
            cell_tooltip=lambda s: (
                group_full(s.group)
                + (f"\n{_tr('Правило')}: {s.rule_title}" if s.rule_title else "")
            ),
        ),
        Column("Основания предложения", _facts_cell, cell_tooltip=facts_text),
    )

    def record(self, row: int) -> Suggestion:
        """The suggestion shown in a row."""
        return super().record(row)  # type: ignore[no-any-return]

    def extra_data(self, record: Any, column: int, role: int) -> Any:
        """Text from the top of the cell; a differing suggestion is tinted and bold."""
        if role == Qt.ItemDataRole.TextAlignmentRole:
            horizontal = (
                Qt.AlignmentFlag.AlignHCenter
                if column == self.COL_MARK
                else Qt.AlignmentFlag.AlignLeft
            )
            # Rows are as high as their facts: every cell reads from the same top line.
            return int(horizontal | Qt.AlignmentFlag.AlignTop)
        if not isinstance(record, Suggestion) or not record.differs:
            return None
        if column not in (self.COL_MARK, self.COL_SUGGESTED):
            return None
        if role == Qt.ItemDataRole.BackgroundRole:
            return QBrush(DIFFERS_BACKGROUND)
        if role == Qt.ItemDataRole.ForegroundRole:
            return QBrush(QColor("#202020"))  # dark on the light tint in any palette
        if role == Qt.ItemDataRole.FontRole:
            font = QFont()
            font.setBold(True)
            return font
        return None


class GroupDialog(QDialog):
    """Assign a group of the coordinator's own choosing; the reason is required.

    An empty reason is refused with the reason shown under the field; what
    was typed and chosen stays.  ``saver(group, reason)`` writes; a domain
    error is shown in the dialog and it stays open.
    """

    def __init__(self, suggestion: Suggestion, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Назначить группу"))
        self.setMinimumWidth(520)
        self.suggestion = suggestion
        self.saver: Any = None
        layout = QVBoxLayout(self)
        head = QLabel(
            self.tr("{0}, {1} учебный год").format(
                quoted(suggestion.school), school_year_label(suggestion.year)
            )
        )
        head.setWordWrap(True)
        layout.addWidget(head)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.group = QComboBox(self)
        self.group.setObjectName("field_group")
        for code in ("shnor", "risk", "prevention", "leader", "none"):
            self.group.addItem(group_full(code), code)
        self.group.setCurrentIndex(max(self.group.findData(suggestion.current_group), 0))
        form.addRow(self.tr("Группа:"), self.group)
        reason_box = QWidget(self)
        column = QVBoxLayout(reason_box)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        self.reason = QPlainTextEdit(reason_box)
        self.reason.setObjectName("field_reason")
        self.reason.setTabChangesFocus(True)
        self.reason.setPlaceholderText(
            self.tr("например: решение рабочей группы, протокол № 3 от 03.07.2023")
        )
        self.reason.setFixedHeight(self.fontMetrics().lineSpacing() * 4 + 12)
        column.addWidget(self.reason)
        self.reason_error = error_label(reason_box, "error_reason")
        column.addWidget(self.reason_error)
        form.addRow(self.tr("Основание*:"), reason_box)
        layout.addLayout(form)
        hint = QLabel(self.tr("Предложение правил: {0}").format(group_full(suggestion.group)))
        hint.setWordWrap(True)
        layout.addWidget(hint)
        self.error_label = error_label(self)
        layout.addWidget(self.error_label)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setText(self.tr("Назначить"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("Отмена"))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.reason.setFocus()

    def chosen_group(self) -> str:
        """The group code chosen."""
        return str(self.group.currentData())

    def reason_text(self) -> str:
        """The reason typed, trimmed."""
        return self.reason.toPlainText().strip()

    def show_reason_error(self, text: str) -> None:
        """Say under the reason field why it was refused; the typed text stays."""
        self.reason_error.setText(text)
        self.reason_error.show()
        self.reason.setFocus(Qt.FocusReason.OtherFocusReason)
        self.adjustSize()

    def accept(self) -> None:
        """Save and close when a reason is given and the write succeeds; else say why."""
        self.reason_error.hide()
        self.error_label.hide()
        if not self.reason_text():
            self.show_reason_error(
                self.tr("Укажите основание: группа назначается только с основанием.")
            )
            return
        if self.saver is not None:
            try:
                self.saver(self.chosen_group(), self.reason_text())
            except InvalidValueError as exc:
                if exc.issue.field == "group_reason":
                    self.show_reason_error(wording.capitalised(describe_error(exc)))
                else:
                    self.error_label.setText(describe_error(exc))
                    self.error_label.show()
                return
            except DomainError as exc:
                self.error_label.setText(describe_error(exc))
                self.error_label.show()
                return
        super().accept()


class GroupsPanel(Panel):
    """The groups of a school year: suggestions with facts, decisions through the write path."""

    TITLE = "Отнесение к группам"  # source string, context "Panel"
    TABLES: ClassVar[frozenset[str]] = SHOWN_TABLES

    #: Fresh suggestions are shown (the background work of a reload is over).
    sig_suggested = Signal()

    def __init__(self, bus: DataBus, parent: QWidget | None = None) -> None:
        super().__init__(bus, parent)
        self.context_menu: QMenu | None = None
        self._all: list[Suggestion] = []
        self._year_chosen = False
        #: The suggestions being worked out, if any; ``_again``: read again when it ends.
        self._task: BackgroundTask | None = None
        self._again = False

        self.year = SchoolYearCombo(self)
        self.year.setObjectName("groups_year")
        self.year.sig_year_changed.connect(self._on_year_changed)
        self.only_differs = QCheckBox(self.tr("Только расхождения"), self)
        self.only_differs.toggled.connect(self._on_only_differs_toggled)
        self.summary = QLabel(self)
        self.summary.setObjectName("groups_summary")
        self.summary.setWordWrap(True)
        self.summary.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        top = QHBoxLayout()
        top.addWidget(QLabel(self.tr("Учебный год:"), self))
        top.addWidget(self.year)
        top.addSpacing(12)
        top.addWidget(self.only_differs)
        top.addSpacing(12)
        top.addWidget(self.summary, 1)

        self.model = GroupsModel(self, key=lambda s: s.school_id)
        self.view = QTableView(self)
        self.view.setObjectName("groups_table")
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QTableView.SelectionMode.ExtendedSelection)
        self.view.setEditTriggers(QTableView.EditTrigger.NoEditTriggers)
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.view.setAlternatingRowColors(True)
        self.view.setWordWrap(True)
        self.view.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.view.verticalHeader().hide()
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(GroupsModel.COL_FACTS, QHeaderView.ResizeMode.Stretch)
        header.sectionResized.connect(self._on_header_section_resized)
        header.setResizeContentsPrecision(FIT_AT_ONCE)
        # The header tells of a new width before its sections have it; like the view itself,
        # the fit waits for the event loop's next turn (before anything is drawn), once for
        # all the sections a resize or a drag changes.
        self._refit = QTimer(self)
        self._refit.setSingleShot(True)
        self._refit.setInterval(0)
        self._refit.timeout.connect(self._fit_heights)
        #: The rows fitted at the facts column's width (None: all of them).
        self._fitted: set[int] | None = None
        self.view.verticalScrollBar().valueChanged.connect(self._on_view_scrolled)
        self.view.selectionModel().selectionChanged.connect(self._on_selection_changed)
        self.view.doubleClicked.connect(self._on_view_double_clicked)
        self.view.customContextMenuRequested.connect(self._on_view_context_menu_requested)

        self.details = QTextBrowser(self)
        self.details.setObjectName("groups_details")
        self.details.setOpenLinks(False)
        self.details.setMinimumHeight(90)

        self.act_accept = QAction(self.tr("Принять предложение"), self)
        self.act_accept.setShortcut(QKeySequence("Ctrl+Return"))
        self.act_accept.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.act_accept.triggered.connect(self.accept_selected)
        self.act_accept_all = QAction(self.tr("Принять все…"), self)
        self.act_accept_all.triggered.connect(self.accept_all)
        self.act_override = QAction(self.tr("Назначить группу…"), self)
        self.act_override.triggered.connect(self.override_selected)
        self.addActions([self.act_accept, self.act_accept_all, self.act_override])
        self.accept_button = self._button(self.act_accept, "accept")
        self.accept_all_button = self._button(self.act_accept_all, "accept_all")
        self.override_button = self._button(self.act_override, "override")
        buttons = QHBoxLayout()
        buttons.addWidget(self.accept_button)
        buttons.addWidget(self.accept_all_button)
        buttons.addWidget(self.override_button)
        buttons.addStretch(1)

        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.addWidget(self.view)
        splitter.addWidget(self.details)
        splitter.setChildrenCollapsible(False)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        self.splitter = splitter

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(splitter, 1)
        layout.addLayout(buttons)
        self.reload()

    def _button(self, action: QAction, name: str) -> QPushButton:
        button = QPushButton(action.text(), self)
        button.setObjectName(f"groups_{name}")
        button.clicked.connect(action.trigger)
        return button

    # --- reading --------------------------------------------------------------------------
    def set_database(self, db: Database | None) -> None:
        """Show another database; suggestions still worked out for the one before are dropped."""
        task, self._task, self._again = self._task, None, False
        if task is not None:
            # It reads the database that is about to close: stop it before that.
            task.cancel()
            task.wait()
            task.deleteLater()
        super().set_database(db)

    @property
    def loading(self) -> bool:
        """True while suggestions are worked out in the background."""
        return self._task is not None

    def reload(self) -> None:
        """Work the suggestions of the chosen year out again (the selection is kept)."""
        db = self.db
        if db is None:
            self._all = []
            self._year_chosen = False
            self._show(keep=False)
            return
        if not self._year_chosen:
            years = sorted({*db.schools.years(), *(y + 1 for y in db.results.years())})
            default = db.schools.default_year()
            self.year.set_years(years, select=default)
            self._year_chosen = True
        if self._task is not None:
            # The work under way reads what was there before: it stops, and starts again.
            self._task.cancel()
            self._again = True
            return
        task = BackgroundTask(suggestions_job(db, self.year.year), self, show_progress=False)
        task.sig_finished.connect(self._on_task_finished)
        task.sig_failed.connect(self._on_task_failed)
        self._task = task
        self._update_summary()
        self._update_actions()
        task.start()

    def _task_over(self) -> bool:
        """Forget the task that just ended; True when its result is the one to show."""
        task = self.sender()
        if task is not None:
            task.deleteLater()
        if task is not self._task:
            return False  # dropped when the database changed
        self._task = None
        if self._again:
            self._again = False
            self.reload()
            return False
        return True

    def _on_task_finished(self, result: object) -> None:
        if not self._task_over() or not isinstance(result, list):
            return
        self._all = result
        self._show(keep=True)
        self.sig_suggested.emit()

    def _on_task_failed(self, exc: object) -> None:
        if not self._task_over() or isinstance(exc, Cancelled):
            return
        assert isinstance(exc, BaseException)
        if not isinstance(exc, DomainError | sqlite3.Error | OSError):
            raise exc  # a defect, not the user's trouble: it must not pass unseen
        # A rule set of a newer version, a locked or damaged file …
        self._all = []
        self.sig_status.emit(describe_error(exc))
        self._show(keep=True)
        self.sig_suggested.emit()

    def _show(self, keep: bool) -> None:
        selected = self.selected_ids() if keep else []
        shown = [s for s in self._all if s.differs] if self.only_differs.isChecked() else self._all
        self.model.set_rows(shown)
        self._fit_rows()
        self._select_ids(selected)
        self._update_summary()
        self._update_details()
        self._update_actions()

    def suggestions(self) -> list[Suggestion]:
        """Every suggestion of the chosen year (the filter aside)."""
        return list(self._all)

    def _fit_rows(self) -> None:
        """Name columns as wide as their texts (up to a limit), rows as high as their facts."""
        view = self.view
        view.resizeColumnToContents(GroupsModel.COL_MARK)
        for column in (GroupsModel.COL_SCHOOL, GroupsModel.COL_CURRENT, GroupsModel.COL_SUGGESTED):
            view.resizeColumnToContents(column)
            view.setColumnWidth(column, min(view.columnWidth(column), MAX_NAME_WIDTH))
        self._fit_heights()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802
        """Fit the rows to the facts column as shown: rows fitted while hidden were too tall."""
        super().showEvent(event)
        self._fit_heights()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802
        """A taller page shows more rows: fit those (a wider one refits through the header)."""
        super().resizeEvent(event)
        self._fit_in_view()

    def _on_header_section_resized(self, index: int, _old: int, _new: int) -> None:
        # The facts wrap to the column's width: a wider or narrower column changes the
        # heights (no frame may show a fact cut short, or rows far too tall).
        if index == GroupsModel.COL_FACTS and self.model.rowCount():
            self._refit.start()

    def _on_view_scrolled(self, _value: int) -> None:
        self._fit_in_view()

    def _fit_heights(self) -> None:
        # Every fact shown is shown whole: no row is cut short (the first facts only, see
        # MAX_FACTS_SHOWN, so a row stays a few lines high).
        if self.model.rowCount() <= FIT_AT_ONCE:
            self._fitted = None
            self.view.resizeRowsToContents()
            return
        self._fitted = set()
        self._fit_in_view()

    def _fit_in_view(self) -> None:
        """Fit the rows in view of a long table, down to a screen below it."""
        fitted = self._fitted
        if fitted is None:
            return
        view = self.view
        count = self.model.rowCount()
        reach = 2 * view.viewport().height()
        row = max(view.rowAt(0), 0)
        # Fitting mostly makes a row shorter, which brings the next ones into reach.
        while row < count and view.rowViewportPosition(row) <= reach:
            if row not in fitted:
                view.resizeRowToContents(row)
                fitted.add(row)
            row += 1

    def _update_summary(self) -> None:
        if self.loading:
            self.summary.setText(self.tr("Подбор групп…"))
            return
        counts: dict[str, int] = {}
        for s in self._all:
            counts[s.group] = counts.get(s.group, 0) + 1
        parts = [
            f"{group_text(code)} — {counts[code]}"
            for code in ("shnor", "risk", "prevention", "leader")
            if code in counts
        ]
        differ = sum(1 for s in self._all if s.differs)
        if not self._all:
            self.summary.setText(self.tr("Школ нет.") if self.db is not None else "")
            return
        head = self.tr("Предложено: {0}.").format(", ".join(parts) if parts else self.tr("нет"))
        tail = (
            self.tr("Расходятся с текущими группами: {0} {1}.").format(
                differ, plural(differ, "школа", "школы", "школ")
            )
            if differ
            else self.tr("Все предложения совпадают с текущими группами.")
        )
        self.summary.setText(f"{head} {tail}")

    # --- selection -------------------------------------------------------------------------
    def selected_ids(self) -> list[int]:
        """The ids of the selected schools, in the table's order."""
        rows = sorted({i.row() for i in self.view.selectionModel().selectedRows()})
        return [self.model.record(r).school_id for r in rows]

    def selected(self) -> list[Suggestion]:
        """The selected suggestions, in the table's order."""
        rows = sorted({i.row() for i in self.view.selectionModel().selectedRows()})
        return [self.model.record(r) for r in rows]

    def _select_ids(self, ids: Sequence[int]) -> None:
        selection = self.view.selectionModel()
        selection.clearSelection()
        first = True
        for school_id in ids:
            row = self.model.row_of(school_id)
            if row < 0:
                continue
            flags = (
                QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
            )
            if first:
                selection.setCurrentIndex(self.model.index(row, 0), flags)
                first = False
            else:
                selection.select(self.model.index(row, 0), flags)

    def select_school(self, school_id: int) -> bool:
        """Select one school's row; False when it is not shown."""
        row = self.model.row_of(school_id)
        if row < 0:
            return False
        self.view.selectionModel().setCurrentIndex(
            self.model.index(row, 0),
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows,
        )
        self.view.scrollTo(self.model.index(row, 0))
        return True

    def _on_selection_changed(self) -> None:
        self._update_details()
        self._update_actions()

    def _update_actions(self) -> None:
        # Decisions wait for the fresh suggestions: those shown may be of the data before.
        ready = self.db is not None and not self.loading
        chosen = self.selected()
        self.act_accept.setEnabled(ready and bool(chosen))
        self.act_override.setEnabled(ready and len(chosen) == 1)
        self.act_accept_all.setEnabled(ready and bool(self._all))
        self.act_accept.setText(
            self.tr("Принять предложения ({0})").format(len(chosen))
            if len(chosen) > 1
            else self.tr("Принять предложение")
        )
        for button, action in (
            (self.accept_button, self.act_accept),
            (self.accept_all_button, self.act_accept_all),
            (self.override_button, self.act_override),
        ):
            button.setEnabled(action.isEnabled())
            button.setText(action.text())

    def _update_details(self) -> None:
        chosen = self.selected()
        if self.db is None:
            self.details.setHtml("")
            return
        if not chosen:
            self.details.setHtml(
                "<p>"
                + html.escape(
                    self.tr("Выберите школу в таблице: здесь появятся все основания предложения.")
                )
                + "</p>"
            )
            return
        self.details.setHtml("".join(self._details_html(s) for s in chosen[:20]))

    def _details_html(self, s: Suggestion) -> str:
        e = html.escape
        current = group_full(s.current_group)
        reason = s.current_reason or self.tr("не указано")
        parts = [
            f"<p><b>{e(s.school)}</b> — {e(school_year_label(s.year))}</p>",
            "<p>"
            + e(self.tr("Текущая группа: {0}. Основание: {1}").format(current, reason))
            + "</p>",
        ]
        suggested = self.tr("Предложение правил: {0}").format(group_full(s.group))
        if s.rule_title:
            suggested += " — " + self.tr("правило «{0}»").format(s.rule_title)
        mark = " <b>≠</b>" if s.differs else ""
        parts.append(f"<p>{e(suggested)}{mark}</p>")
        years = sorted({y for f in s.facts if f.procedure is not None for y in f.years})
        if years:
            # Which results the facts come from: the group of a year rests on the years before.
            if len(years) == 1:
                span = self.tr("Учебный год результатов: {0}").format(school_year_label(years[0]))
            else:
                span = self.tr("Учебные годы результатов: {0}–{1}").format(
                    school_year_label(years[0]), school_year_label(years[-1])
                )
            passport = self.tr("паспорт {0}").format(school_year_label(s.year))
            parts.append(f"<p>{e(span)}; {e(passport)}.</p>")
        if s.facts:
            items = "".join(
                f"<li>{e(wording.capitalised(wording.fact_text(f)))}</li>" for f in s.facts
            )
            parts.append(f"<ul style='margin-top:0'>{items}</ul>")
        else:
            parts.append("<p>" + e(self.tr("Условия ни одного правила не выполнены.")) + "</p>")
        if s.also:
            also = ", ".join(group_full(g) for g in s.also)
            parts.append(
                "<p>" + e(self.tr("Выполнены также условия групп: {0}").format(also)) + "</p>"
            )
        return "".join(parts)

    # --- events ----------------------------------------------------------------------------
    def _on_year_changed(self, _year: int) -> None:
        self.reload()

    def _on_only_differs_toggled(self, _checked: bool) -> None:
        self._show(keep=True)

    def _on_view_double_clicked(self, index: QModelIndex) -> None:
        if index.isValid():
            self.select_school(self.model.record(index.row()).school_id)
            self.override_selected()

    def _on_view_context_menu_requested(self, pos: QPoint) -> None:
        index = self.view.indexAt(pos)
        if index.isValid() and not self.view.selectionModel().isRowSelected(index.row()):
            self.select_school(self.model.record(index.row()).school_id)
        menu = QMenu(self)
        menu.addActions([self.act_accept, self.act_override, self.act_accept_all])
        menu.aboutToHide.connect(menu.deleteLater)
        self.context_menu = menu
        menu.popup(self.view.viewport().mapToGlobal(pos))

    # --- decisions -------------------------------------------------------------------------
    def _written(self, info: ChangeSetInfo | None, done: str) -> None:
        # The change log puts the set on the undo stack by itself (Правка → Отменить).
        self.sig_status.emit(done if info is not None else self.tr("Группы не изменились."))

    def _write_failed(self, exc: DomainError) -> None:
        show_warning(self, self.tr("Группа не записана"), describe_error(exc))

    def accept_selected(self) -> ChangeSetInfo | None:
        """Write the suggestion of each selected school (group and facts), one change set."""
        db = self.db
        chosen = self.selected()
        if db is None or self.loading or not chosen:
            return None
        label = (
            self.tr("Отнесение к группе: {0}").format(chosen[0].school)
            if len(chosen) == 1
            else self.tr("Отнесение к группам: {0} {1}").format(
                len(chosen), plural(len(chosen), "школа", "школы", "школ")
            )
        )
        try:
            info = wording.apply_decisions(db, self.year.year, chosen, label)
        except DomainError as exc:
            self._write_failed(exc)
            return None
        self._written(info, self.tr("Предложение принято: {0}.").format(label))
        return info

    def accept_all(self) -> ChangeSetInfo | None:
        """Accept every suggestion that changes a passport, after a confirmation; one set."""
        db = self.db
        if db is None or self.loading:
            return None
        decisions = wording.pending(self._all)
        if not decisions:
            self.sig_status.emit(self.tr("Все предложения уже приняты: менять нечего."))
            return None
        changed = sum(1 for s in decisions if s.differs)
        reasons = len(decisions) - changed
        text = self.tr("Принять предложения правил для {0} {1} за {2} учебный год?").format(
            len(decisions),
            plural(len(decisions), "школы", "школ", "школ"),
            school_year_label(self.year.year),
        )
        details = [
            self.tr("Группа изменится у {0} {1}.").format(
                changed, plural(changed, "школы", "школ", "школ")
            )
        ]
        if reasons:
            details.append(
                self.tr("У {0} {1} группа та же, основание заменится фактами правил.").format(
                    reasons, plural(reasons, "школы", "школ", "школ")
                )
            )
        details.append(self.tr("Это одно действие: его можно отменить (Правка → Отменить)."))
        if not ask_yes_no(
            self,
            self.tr("Принять все предложения"),
            text + "\n\n" + " ".join(details),
            self.tr("Принять"),
        ):
            return None
        label = self.tr("Отнесение к группам за {0}: все предложения").format(
            school_year_label(self.year.year)
        )
        try:
            info = wording.apply_decisions(db, self.year.year, decisions, label)
        except DomainError as exc:
            self._write_failed(exc)
            return None
        self._written(
            info,
            self.tr("Предложения приняты: {0} {1}.").format(
                len(decisions), plural(len(decisions), "школа", "школы", "школ")
            ),
        )
        return info

    def override_selected(self) -> GroupDialog | None:
        """Open the dialog that assigns a group with a required reason (window-modal)."""
        chosen = self.selected()
        if self.db is None or self.loading or len(chosen) != 1:
            return None
        suggestion = chosen[0]
        dialog = GroupDialog(suggestion, self)
        dialog.saver = lambda group, reason, s=suggestion: self._save_override(s, group, reason)
        return self.open_dialog(dialog)

    def _save_override(self, suggestion: Suggestion, group: str, reason: str) -> None:
        db = self.db
        if db is None:
            return
        label = self.tr("Назначение группы: {0}").format(suggestion.school)
        info = wording.override(
            db, suggestion.school_id, suggestion.year, group=group, reason=reason, label=label
        )
        self._written(info, self.tr("Группа назначена: {0}.").format(suggestion.school))
