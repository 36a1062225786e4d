"""The page «Дорожная карта»: a programme's roadmap as a table and as a Gantt chart.

A programme chooser and the filters (section, status, responsible, due in a
period, overdue only, search) sit above two tabs that show the same
activities:

* «Таблица» — sections as a tree with their numbered activities: №,
  мероприятие, ответственные, срок as written (an orange «?» when it could not
  be read, «✎» when its dates were set by hand), состояние («просрочено»
  derived, in red), выполнено %, ожидаемый результат, подтверждение.  Cells
  are edited in place (typing starts the edit, Enter or Tab saves, Escape
  drops it); a refused value stays in its cell with the reason under it.  A
  new deadline text is read again; a phrase that cannot be read is saved as
  typed and marked — it never blocks saving.  Activities are added, removed
  and moved up or down within their section (the section is renumbered, and
  one undo takes the move back); «Перенести в раздел…» moves one to another
  section (both are renumbered, one undo).  «Сроки…» sets the dates by hand (a
  manual setting wins over the text), «Вернуть как в документе» reads the text
  again and «Утвердить сроки как план» makes the current dates the baseline the
  Gantt chart compares against (asked first).  The dialog's «Касается» checks
  the groups of schools and the schools an activity concerns (saved with the
  other fields in one change set; shown in the title's tooltip and the detail),
  and the filter «Школа/группа» keeps the activities concerning one.  Ctrl+H
  shows the history of the current cell.
* «Диаграмма Ганта» — :class:`~shnor_desktop.ui.gantt.GanttView` with its zoom
  buttons.  A click on a bar (or a double click on a row, or Enter) opens the
  activity's dialog — the same one «Изменить…» opens in the table — and
  selects the activity in the table; dragging a bar or its end records the new
  dates as a manual override (Правка → Отменить takes it back).  «Экспорт»
  saves a PNG of what is visible or a PDF tiled across landscape A4 or A3
  pages; a PDF of many pages is asked about first (with the quarter scale
  offered) and written in the background.

Every write goes through ``db.roadmap`` and is one change set (undo, history).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any, ClassVar

from PySide6.QtCore import (
    QDate,
    QEvent,
    QItemSelectionModel,
    QModelIndex,
    QObject,
    QPoint,
    QSize,
    QStandardPaths,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QAction, QKeySequence, QPainter, QPaintEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QStackedWidget,
    QTabWidget,
    QToolBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from shnor_desktop.models.changelog import ChangeSetInfo
from shnor_desktop.models.database import Database
from shnor_desktop.models.errors import Cancelled, DomainError, RecordNotFoundError
from shnor_desktop.models.fields import FieldIssue, InvalidValueError
from shnor_desktop.models.jobs import JobState
from shnor_desktop.models.roadmap import (
    ACTIVITY_FIELD_BY_NAME,
    STATUSES,
    Activity,
    ActivityDraft,
    Programme,
    RoadmapQuery,
    SchoolReport,
    Section,
    Span,
    read_deadline,
    subtree_ids,
)
from shnor_desktop.models.text import parse_number, plural, school_year_label
from shnor_desktop.services.messages import describe_error, describe_issue
from shnor_desktop.ui.cell_editing import WriteResult
from shnor_desktop.ui.common import DataBus, Panel
from shnor_desktop.ui.forms import FormDialog
from shnor_desktop.ui.gantt import ZOOMS, GanttView, PdfExport, build_rows
from shnor_desktop.ui.messages import ask_yes_no, show_warning
from shnor_desktop.ui.programme_dialog import ProgrammeDialog
from shnor_desktop.ui.roadmap_models import (
    CONCERN_GROUPS,
    MANUAL_MARK,
    ActivityDelegate,
    ActivityEdit,
    RoadmapTreeModel,
    RoadmapTreeView,
    concerns_text,
    deadline_tooltip,
    group_name,
    intervals_text,
    percent_text,
    progress_text,
    section_label,
    shown_sections,
    status_label,
    status_text,
    tr,
)
from shnor_desktop.ui.runner import BackgroundTask
from shnor_desktop.ui.school_models import HistoryModel
from shnor_desktop.ui.widgets import (
    HISTORY_SHORTCUT,
    EmptyState,
    HistoryDialog,
    ProgrammeCombo,
    SearchLine,
    detail_pane,
    edit_cell_by_cell,
    error_label,
    quoted,
)

ROADMAP_TABLES: frozenset[str] = frozenset(
    {"programme", "roadmap_section", "roadmap_activity", "roadmap_interval", "roadmap_concern"}
)
"""Tables whose changes the roadmap pages show."""
DETAIL_TABLES: frozenset[str] = frozenset({"meeting", "meeting_item", "activity_report", "school"})
"""Tables only the detail under the table shows (the protocol a decision came from, the
schools' reports): a change to them redraws the detail, not the table."""
MEETING_LINK = "meeting:"
"""The link of the protocol a decision came from: «meeting:<meeting id>:<item id>»."""
COLUMN_SHARE = 0.4
"""The Gantt chart's activity column takes at most this share of a narrow window."""
MANY_PAGES = 40
"""A PDF of more pages than this is asked about first (with the quarter scale offered)."""
DUE_SOON_DAYS = 30
M = RoadmapTreeModel


def issue_text(issue: FieldIssue) -> str:
    """Word a problem of an activity's value in Russian, with a capital and a full stop."""
    if issue.code == "required" and issue.field == "title":
        return tr("Укажите, что за мероприятие: название не может быть пустым.")
    if issue.field == "progress" and issue.code in ("not_number", "share_range", "negative"):
        return tr("Выполнение — число от 0 до 100, например 40.")
    text = describe_issue(issue)
    return text[:1].upper() + text[1:] + "."


def _plain(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _date_edit(parent: QWidget, value: date) -> QDateEdit:
    edit = QDateEdit(parent)
    edit.setDisplayFormat("dd.MM.yyyy")
    edit.setCalendarPopup(True)
    edit.setMinimumDate(QDate(1990, 1, 1))
    edit.setMaximumDate(QDate(2100, 12, 31))
    edit.setDate(QDate(value.year, value.month, value.day))
    return edit


def _to_date(edit: QDateEdit) -> date:
    value = edit.date()
    return date(value.year(), value.month(), value.day())


def _as_shown(name: str, value: Any) -> Any:
    """A stored value as the activity dialog shows it (titles on one line, texts trimmed)."""
    if name == "title":
        return " ".join(str(value).split())
    if isinstance(value, str):
        return value.strip()
    return value


def _month_bounds(today: date) -> Span:
    first = today.replace(day=1)
    following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return first, following - timedelta(days=1)


class ElidedLabel(QLabel):
    """A one-line label that shortens its text with «…» to the width it is given."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)

    def minimumSizeHint(self) -> QSize:  # noqa: N802
        """As narrow as a few letters."""
        return QSize(
            self.fontMetrics().horizontalAdvance("ммм…"), super().minimumSizeHint().height()
        )

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        """The text elided at the right edge."""
        del event
        painter = QPainter(self)
        painter.setPen(self.palette().windowText().color())
        rect = self.contentsRect()
        text = self.fontMetrics().elidedText(self.text(), Qt.TextElideMode.ElideRight, rect.width())
        painter.drawText(
            rect, int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter), text
        )
        painter.end()


# --- dialogs -------------------------------------------------------------------------------------


class ActivityDialog(FormDialog):
    """An activity in full: what, who, the deadline as written (and how it reads), status …

    Refused values are explained under their fields and stay as typed; the
    dialog closes only when the save succeeded.  «Сроки…» (an existing
    activity) opens the dates set by hand.
    """

    def __init__(
        self,
        activity: Activity | None,
        section: Section,
        period: Span,
        parent: QWidget | None = None,
        schools: Sequence[tuple[int, str]] = (),
    ) -> None:
        super().__init__(
            tr("Новое мероприятие")
            if activity is None
            else tr("Мероприятие %1").replace("%1", activity.number),
            tr("Добавить") if activity is None else tr("Сохранить"),
            parent,
            issue_text,
        )
        self.activity = activity
        self.period = period
        self.setMinimumWidth(560)
        where = QLabel(section_label(section), self)
        where.setWordWrap(True)
        self.form.addRow(self.tr("Раздел:"), where)
        self.title = self._text("title", activity.title if activity else "", lines=3)
        self.responsible = self._line("responsible", activity.responsible if activity else "")
        self.deadline = self._line(
            "deadline_text",
            activity.deadline_text if activity else "",
            self.tr("например: сентябрь 2023 г. – май 2024 г.; ежегодно, август"),
        )
        self.reading = QLabel(self)
        self.reading.setObjectName("deadline_reading")
        self.reading.setWordWrap(True)
        self.form.addRow("", self.reading)
        self.deadline.textChanged.connect(self._on_deadline_text_changed)
        self.status = QComboBox(self)
        for code in STATUSES:
            self.status.addItem(status_label(code), code)
        self.status.setCurrentIndex(
            max(self.status.findData(activity.status if activity else ""), 0)
        )
        self._add("status", self.status)
        progress = ""
        if activity is not None and activity.progress is not None:
            progress = str(round(activity.progress, 1)).replace(".", ",").removesuffix(",0")
        self.progress = self._line("progress", progress, "0–100")
        self.progress.setMaximumWidth(120)
        self.result_edit = self._text(
            "expected_result", activity.expected_result if activity else "", lines=3
        )
        self.planned = self._line("planned_value", activity.planned_value if activity else "")
        self.evidence = self._line("evidence", activity.evidence if activity else "")
        self.concerns = self._concern_list(activity, schools)
        self.error_label.setObjectName("error_general")
        self.intervals_button: QPushButton | None = None
        if activity is not None:
            self.intervals_button = QPushButton(self.tr("Сроки…"), self)
            self.intervals_button.setToolTip(self.tr("Задать даты вручную"))
            self.buttons.addButton(self.intervals_button, QDialogButtonBox.ButtonRole.ActionRole)
        self._finish_layout()
        self._on_deadline_text_changed(self.deadline.text())
        self.title.setFocus()

    def _add(self, name: str, widget: QWidget) -> None:
        self.add_field(name, tr(ACTIVITY_FIELD_BY_NAME[name].label), widget)

    def _line(self, name: str, text: str, placeholder: str = "") -> QLineEdit:
        return self.add_line(name, tr(ACTIVITY_FIELD_BY_NAME[name].label), text, placeholder)

    def _text(self, name: str, text: str, lines: int) -> QPlainTextEdit:
        edit = QPlainTextEdit(self)
        edit.setPlainText(text)
        edit.setTabChangesFocus(True)
        edit.setFixedHeight(edit.fontMetrics().lineSpacing() * lines + 12)
        self._add(name, edit)
        return edit

    def _concern_list(
        self, activity: Activity | None, schools: Sequence[tuple[int, str]]
    ) -> QListWidget:
        """«Касается»: the groups of schools, then the schools, each with a check box."""
        box = QListWidget(self)
        box.setObjectName("field_concerns")
        box.setToolTip(
            self.tr("Школы или группы школ, которых касается мероприятие (пробел отмечает)")
        )
        groups = set(activity.groups) if activity else set()
        chosen = set(activity.schools) if activity else set()
        entries: list[tuple[str, str | int, bool]] = [
            (group_name(code), code, code in groups) for code in CONCERN_GROUPS
        ]
        entries += [(name, school_id, school_id in chosen) for school_id, name in schools]
        for text, key, checked in entries:
            item = QListWidgetItem(text, box)
            item.setFlags(
                Qt.ItemFlag.ItemIsEnabled
                | Qt.ItemFlag.ItemIsSelectable
                | Qt.ItemFlag.ItemIsUserCheckable
            )
            item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
            # A group's code (str) or a school's id (int): the two kinds of concern.
            item.setData(Qt.ItemDataRole.UserRole, key)
        box.setFixedHeight(box.fontMetrics().lineSpacing() * 6 + 14)
        self.form.addRow(self.tr("Касается:"), box)
        return box

    def concerned(self) -> tuple[tuple[int, ...], tuple[str, ...]]:
        """The schools (ids) and groups (codes) checked in «Касается»."""
        keys = [
            self.concerns.item(row).data(Qt.ItemDataRole.UserRole)
            for row in range(self.concerns.count())
            if self.concerns.item(row).checkState() == Qt.CheckState.Checked
        ]
        return (
            tuple(k for k in keys if isinstance(k, int)),
            tuple(k for k in keys if isinstance(k, str)),
        )

    def _on_deadline_text_changed(self, text: str) -> None:
        """Say how the deadline reads while it is typed (saving is never blocked by it)."""
        self.reading.setText(self.reading_text(text))

    def reading_text(self, text: str) -> str:
        """«Даты: …», «Срок не распознан …» or, with dates set by hand, that they stay."""
        if self.activity is not None and self.activity.manual:
            return (
                self.tr(
                    "%1 Даты заданы вручную (%2): новый текст срока их не изменит. "
                    "«Вернуть как в документе» — в окне «Сроки…»."
                )
                .replace("%1", MANUAL_MARK)
                .replace("%2", intervals_text(self.activity.intervals) or self.tr("без дат"))
            )
        kind, spans = read_deadline(text, self.period)
        if spans:
            return self.tr("Даты: %1").replace("%1", intervals_text(spans))
        if kind == "continuous":
            return self.tr("Постоянно: весь период программы.")
        if kind == "on_demand":
            return self.tr("По запросу: без определённых дат.")
        if not text.strip():
            return self.tr("Срок не указан: мероприятие будет без дат.")
        return self.tr(
            "Срок не распознан: он сохранится как написан, мероприятие будет без дат "
            "(их можно задать кнопкой «Сроки…»)."
        )

    def read(self) -> tuple[dict[str, Any], list[FieldIssue]]:
        """The values typed and what is wrong with them before writing."""
        issues: list[FieldIssue] = []
        values: dict[str, Any] = {
            "title": " ".join(self.title.toPlainText().split()),
            "responsible": self.responsible.text().strip(),
            "deadline_text": self.deadline.text().strip(),
            "status": str(self.status.currentData()),
            "expected_result": self.result_edit.toPlainText().strip(),
            "planned_value": self.planned.text().strip(),
            "evidence": self.evidence.text().strip(),
        }
        values["schools"], values["groups"] = self.concerned()
        try:
            values["progress"] = parse_number(self.progress.text())
        except ValueError:
            issues.append(FieldIssue("progress", "not_number", "error"))
        if not values["title"]:
            issues.append(FieldIssue("title", "required", "error"))
        return values, issues


class IntervalsDialog(QDialog):
    """The dates of an activity set by hand: a list of «с … по …» (a manual setting wins).

    «Вернуть как в документе» drops the manual dates and reads the deadline
    text again.
    """

    def __init__(self, activity: Activity, period: Span, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.activity = activity
        self.period = period
        self.saver: Callable[[tuple[Span, ...]], None] | None = None
        self.resetter: Callable[[], None] | None = None
        self.rows: list[tuple[QDateEdit, QDateEdit, QWidget]] = []
        self.setWindowTitle(self.tr("Сроки мероприятия %1").replace("%1", activity.number))
        self.setMinimumWidth(460)
        intro = QLabel(self)
        intro.setWordWrap(True)
        written = activity.deadline_text or self.tr("не указан")
        intro.setText(
            self.tr(
                "Срок в документе: «%1». Даты, заданные здесь, важнее текста срока: "
                "его правка их не изменит, пока не нажата «Вернуть как в документе»."
            ).replace("%1", written)
        )
        self.list_box = QWidget(self)
        self.list_layout = QVBoxLayout(self.list_box)
        self.list_layout.setContentsMargins(0, 0, 0, 0)
        self.add_button = QPushButton(self.tr("Добавить срок"), self)
        self.add_button.clicked.connect(self._on_add_clicked)
        self.error = error_label(self, "error_intervals")
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.button(QDialogButtonBox.StandardButton.Save).setText(self.tr("Сохранить"))
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("Отмена"))
        self.reset_button = QPushButton(self.tr("Вернуть как в документе"), self)
        self.reset_button.setToolTip(self.tr("Прочесть срок из текста снова, ручные даты убрать"))
        self.reset_button.setEnabled(activity.manual)
        buttons.addButton(self.reset_button, QDialogButtonBox.ButtonRole.ResetRole)
        self.reset_button.clicked.connect(self._on_reset_clicked)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.list_box)
        layout.addWidget(self.add_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.error)
        layout.addStretch(1)
        layout.addWidget(buttons)
        for span in activity.intervals:
            self.add_row(span)
        if not activity.intervals:
            self.add_row((period[0], period[0]))

    def add_row(self, span: Span) -> tuple[QDateEdit, QDateEdit]:
        """Add a «с … по …» row (returns its two date editors)."""
        row = QWidget(self.list_box)
        line = QHBoxLayout(row)
        line.setContentsMargins(0, 0, 0, 0)
        start = _date_edit(row, span[0])
        end = _date_edit(row, span[1])
        remove = QToolButton(row)
        remove.setText("✕")
        remove.setToolTip(self.tr("Убрать этот срок"))
        line.addWidget(QLabel(self.tr("с"), row))
        line.addWidget(start)
        line.addWidget(QLabel(self.tr("по"), row))
        line.addWidget(end)
        line.addWidget(remove)
        line.addStretch(1)
        entry = (start, end, row)
        remove.clicked.connect(lambda: self._remove_row(entry))
        self.rows.append(entry)
        self.list_layout.addWidget(row)
        return start, end

    def _remove_row(self, entry: tuple[QDateEdit, QDateEdit, QWidget]) -> None:
        if entry in self.rows:
            self.rows.remove(entry)
            entry[2].deleteLater()

    def _on_add_clicked(self) -> None:
        last = _to_date(self.rows[-1][1]) if self.rows else self.period[0]
        self.add_row((last, last))

    def spans(self) -> tuple[Span, ...]:
        """The dates as set in the rows."""
        return tuple((_to_date(start), _to_date(end)) for start, end, _ in self.rows)

    def _on_reset_clicked(self) -> None:
        if self.resetter is None:
            return
        try:
            self.resetter()
        except DomainError as exc:
            self.error.setText(describe_error(exc))
            self.error.show()
            return
        super().accept()

    def accept(self) -> None:
        """Save the dates (manual); a refusal is shown under the list and the dialog stays."""
        if self.saver is not None:
            try:
                self.saver(self.spans())
            except InvalidValueError as exc:
                self.error.setText(issue_text(exc.issue))
                self.error.show()
                return
            except DomainError as exc:
                self.error.setText(describe_error(exc))
                self.error.show()
                return
        super().accept()


class SectionDialog(QDialog):
    """A new section of the roadmap: its title and number («1.», empty for a table heading)."""

    def __init__(
        self, number: str, parent: QWidget | None = None, section: Section | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(
            self.tr("Новый раздел дорожной карты")
            if section is None
            else self.tr("Раздел дорожной карты")
        )
        self.setMinimumWidth(480)
        self.saver: Callable[[str, str], None] | None = None
        self.number = QLineEdit(number if section is None else section.number, self)
        self.number.setObjectName("field_number")
        self.number.setMaximumWidth(100)
        self.title = QLineEdit("" if section is None else section.title, self)
        self.title.setCursorPosition(0)
        self.title.setObjectName("field_title")
        self.error = error_label(self, "error_title")
        form = QFormLayout()
        form.addRow(self.tr("Номер:"), self.number)
        form.addRow(self.tr("Наименование:"), self.title)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.button(QDialogButtonBox.StandardButton.Save).setText(
            self.tr("Добавить") if section is None else self.tr("Сохранить")
        )
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("Отмена"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        if section is not None:
            hint = QLabel(
                self.tr(
                    "Новый номер раздела перенумерует его мероприятия и подразделы. "
                    "Отменить: Правка → Отменить."
                ),
                self,
            )
            hint.setWordWrap(True)
            hint.setStyleSheet("color: #555555;")
            layout.addWidget(hint)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.title.setFocus()

    def accept(self) -> None:
        """Add the section; a refusal stays under the title."""
        title = " ".join(self.title.text().split())
        if not title:
            self.error.setText(self.tr("Укажите наименование раздела."))
            self.error.show()
            return
        if self.saver is not None:
            try:
                self.saver(self.number.text(), title)
            except DomainError as exc:
                self.error.setText(describe_error(exc))
                self.error.show()
                return
        super().accept()


class MoveDialog(QDialog):
    """«Перенести в раздел…»: the section an activity goes to (it is numbered there last)."""

    def __init__(
        self, activity: Activity, sections: Sequence[Section], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Перенести мероприятие %1").replace("%1", activity.number))
        self.setMinimumWidth(520)
        self.saver: Callable[[int], None] | None = None
        what = QLabel(f"{activity.number} {' '.join(activity.title.split())}", self)
        what.setWordWrap(True)
        self.target = QComboBox(self)
        self.target.setObjectName("field_section")
        # Long headings are elided in the box (the popup and the tooltip have them whole).
        self.target.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.target.setMinimumContentsLength(40)
        for section in sections:
            if section.id == activity.section_id:
                continue
            self.target.addItem("   " * section.depth + section_label(section), section.id)
            self.target.setItemData(
                self.target.count() - 1, section_label(section), Qt.ItemDataRole.ToolTipRole
            )
        hint = QLabel(
            self.tr(
                "Мероприятие станет последним в выбранном разделе; номера обоих разделов "
                "пересчитываются. Отменить: Правка → Отменить."
            ),
            self,
        )
        hint.setWordWrap(True)
        hint.setStyleSheet("color: #555555;")
        self.error = error_label(self, "error_section")
        form = QFormLayout()
        form.addRow(self.tr("Мероприятие:"), what)
        form.addRow(self.tr("В раздел:"), self.target)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("Перенести"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("Отмена"))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(hint)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.target.setFocus()

    def accept(self) -> None:
        """Move through the saver; a refusal stays in the dialog."""
        section_id = self.target.currentData()
        if section_id is None:
            return
        if self.saver is not None:
            try:
                self.saver(int(section_id))
            except DomainError as exc:
                self.error.setText(describe_error(exc))
                self.error.show()
                return
        super().accept()


# --- the filters ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    """What the filter bar asks for (the programme apart)."""

    section_id: int | None = None
    status: str | None = None
    responsible: str = ""
    due: str = "any"
    due_range: Span | None = None
    overdue: bool = False
    search: str = ""
    #: «g:<group code>» or «s:<school id>»; empty: every school and group.
    concern: str = ""

    @property
    def active(self) -> bool:
        """True when anything is filtered out."""
        return self != Filters(due_range=self.due_range)


# --- the panel ------------------------------------------------------------------------------------


class RoadmapPanel(Panel):
    """A programme's roadmap: the table (tree of sections) and the Gantt chart."""

    TITLE = "Дорожная карта"  # source string, context "Panel"
    TABLES: ClassVar[frozenset[str]] = ROADMAP_TABLES | DETAIL_TABLES

    #: The protocol (meeting id, item id) an activity's decision came from was clicked.
    sig_meeting_requested = Signal(int, int)

    def __init__(self, bus: DataBus, parent: QWidget | None = None) -> None:
        super().__init__(bus, parent)
        #: The day «просрочено» and «в этом месяце» are counted from (None: the real today).
        self.today: date | None = None
        self.tasks: list[BackgroundTask] = []
        self.context_menu: QMenu | None = None
        self.history_dialog: HistoryDialog | None = None
        self._programme: Programme | None = None
        self._sections: list[Section] = []
        self._shown_sections: list[Section] = []
        self._activities: list[Activity] = []
        self._schools: list[tuple[int, str]] = []
        self._total = 0
        self._collapsed: set[int] = set()
        self._writing = False
        self._pending = False
        self._fitted = False
        #: Whether the commands' tips speak of a section (None: not worded yet).
        self._worded_for_section: bool | None = None
        self._build()
        self.reload()

    def current_day(self) -> date:
        """The day the panel counts from (``today``, or the real today)."""
        return self.today or date.today()

    # --- layout --------------------------------------------------------------------------------
    def _build(self) -> None:
        self.programme = ProgrammeCombo(self)
        self.programme.activated.connect(self._on_programme_activated)
        self.search = SearchLine(self.tr("Поиск: мероприятие, результат, подтверждение"), self)
        self.search.setObjectName("search")
        self.search.sig_search.connect(self._on_filters_changed)
        self.concern_filter = self._combo("concern_filter")
        self.concern_filter.setToolTip(self.tr("Мероприятия, которые касаются школы или группы"))
        top = QHBoxLayout()
        caption = QLabel(self.tr("Программа:"), self)
        caption.setBuddy(self.programme)
        top.addWidget(caption)
        top.addWidget(self.programme, 3)
        # «Школа/группа» sits up here: the filter row below sets the panel's narrowest width.
        top.addWidget(self.concern_filter, 1)
        top.addWidget(self.search, 2)
        self.reset_filters_button = QPushButton(self.tr("Сбросить фильтры"), self)
        self.reset_filters_button.setToolTip(self.tr("Показать все мероприятия программы"))
        self.reset_filters_button.clicked.connect(self.clear_filters)
        top.addWidget(self.reset_filters_button)

        self.section_filter = self._combo("section_filter")
        self.status_filter = self._combo("status_filter")
        self.status_filter.addItem(self.tr("Все состояния"), None)
        for code in STATUSES:
            self.status_filter.addItem(status_label(code), code)
        self.responsible_filter = self._combo("responsible_filter")
        self.due_filter = self._combo("due_filter")
        for text, key in (
            (self.tr("Любой срок"), "any"),
            (self.tr("Срок в этом месяце"), "month"),
            (self.tr("Срок в ближайшие 30 дней"), "soon"),
            (self.tr("Срок в период…"), "range"),
        ):
            self.due_filter.addItem(text, key)
        today = date.today()
        self.due_from = _date_edit(self, today)
        self.due_to = _date_edit(self, today + timedelta(days=DUE_SOON_DAYS))
        self.due_from.setObjectName("due_from")
        self.due_to.setObjectName("due_to")
        self.due_from.dateChanged.connect(self._on_filters_changed)
        self.due_to.dateChanged.connect(self._on_filters_changed)
        self.due_dash = QLabel("–", self)
        self.overdue_filter = QCheckBox(self.tr("Только просроченные"), self)
        self.overdue_filter.setObjectName("overdue_filter")
        self.overdue_filter.toggled.connect(self._on_filters_changed)
        filters = QHBoxLayout()
        for widget in (self.section_filter, self.status_filter, self.responsible_filter):
            filters.addWidget(widget, 1)
        filters.addWidget(self.due_filter, 1)
        filters.addWidget(self.due_from)
        filters.addWidget(self.due_dash)
        filters.addWidget(self.due_to)
        filters.addWidget(self.overdue_filter)
        self._show_due_range(False)

        self.tabs = QTabWidget(self)
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self._build_table(), self.tr("Таблица"))
        self.tabs.addTab(self._build_gantt(), self.tr("Диаграмма Ганта"))
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
        layout.addLayout(filters)
        layout.addWidget(self.pages, 1)

    def _build_programme_button(self, parent: QWidget) -> QToolButton:
        """«Программа ▾»: a new programme, the shown one's card, approving the whole plan."""
        button = QToolButton(parent)
        button.setText(self.tr("Программа"))
        button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        button.setObjectName("programme_menu")
        button.setToolTip(self.tr("Новая программа, свойства программы, утверждение плана"))
        menu = QMenu(button)
        self.new_programme_action = menu.addAction(self.tr("Новая программа…"))
        self.new_programme_action.triggered.connect(self._on_new_programme_triggered)
        self.programme_properties_action = menu.addAction(self.tr("Свойства программы…"))
        self.programme_properties_action.triggered.connect(self._on_programme_properties_triggered)
        menu.addSeparator()
        self.baseline_all_action = menu.addAction(
            self.tr("Утвердить сроки всех мероприятий как план…")
        )
        self.baseline_all_action.setToolTip(
            self.tr(
                "Считать нынешние даты всех мероприятий утверждённым планом (с ним "
                "сравнивается факт на диаграмме Ганта)"
            )
        )
        self.baseline_all_action.triggered.connect(self._on_baseline_all_triggered)
        menu.aboutToShow.connect(self._update_actions)
        button.setMenu(menu)
        self.programme_menu = menu
        return button

    def _combo(self, name: str) -> QComboBox:
        combo = QComboBox(self)
        combo.setObjectName(name)
        # Narrow when the window is (the items' whole text is in the popup), wide when it is not.
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        combo.setMinimumContentsLength(6)
        combo.activated.connect(self._on_filters_changed)
        return combo

    def _build_table(self) -> QWidget:
        page = QWidget(self)
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 6, 0, 0)
        layout.setSpacing(4)
        self.model = RoadmapTreeModel(self)
        self.model.writer = self.write_cell
        self.view = RoadmapTreeView(page)
        self.view.setObjectName("roadmap_tree")
        self.view.setModel(self.model)
        self.delegate = ActivityDelegate(self.model, self.view)
        self.view.setItemDelegate(self.delegate)
        edit_cell_by_cell(self.view)
        self.view.setUniformRowHeights(True)
        self.view.setIndentation(12)
        self.view.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.view.customContextMenuRequested.connect(self._on_view_context_menu_requested)
        self.view.doubleClicked.connect(self._on_view_double_clicked)
        self.view.collapsed.connect(self._on_view_collapsed)
        self.view.expanded.connect(self._on_view_expanded)
        self.view.selectionModel().currentChanged.connect(self._on_current_changed)
        header = self.view.header()
        header.setStretchLastSection(True)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self._build_actions()
        # A tool bar: on a narrow window the buttons that do not fit go under its «»» menu.
        self.toolbar = QToolBar(page)
        self.toolbar.setObjectName("roadmap_tools")
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.toolbar.setStyleSheet(
            "QToolBar { border: none; spacing: 4px; }"
            " QToolButton { border: 1px solid #b9bec6; border-radius: 3px; padding: 3px 8px;"
            " background: #f7f8fa; }"
            " QToolButton:hover { background: #e8eef7; }"
            " QToolButton:disabled { color: #9aa0a8; border-color: #d6d9de; }"
        )
        self.toolbar.addActions(
            [
                self.add_action,
                self.edit_action,
                self.remove_action,
                self.up_action,
                self.down_action,
                self.intervals_action,
                self.reset_action,
                self.move_section_action,
                self.baseline_action,
            ]
        )
        # Last: on a narrow window it goes under the «»» menu before the daily commands do.
        self.toolbar.addWidget(self._build_programme_button(page))
        self.count_label = QLabel(page)
        self.count_label.setObjectName("count")
        buttons = QHBoxLayout()
        buttons.addWidget(self.toolbar, 1)
        buttons.addWidget(self.count_label)

        self.detail, detail_area = detail_pane(page, 48)
        # The protocol a decision came from is a link to it («Заседания»).
        self.detail.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
            | Qt.TextInteractionFlag.LinksAccessibleByMouse
            | Qt.TextInteractionFlag.LinksAccessibleByKeyboard
        )
        self.detail.linkActivated.connect(self._on_detail_link_activated)
        self.splitter = QSplitter(Qt.Orientation.Vertical, page)
        self.splitter.addWidget(self.view)
        self.splitter.addWidget(detail_area)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setStretchFactor(0, 5)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([520, 70])
        legend = QLabel(page)
        legend.setObjectName("legend")
        legend.setWordWrap(True)
        legend.setText(
            self.tr(
                "Оранжевый «?» — срок не распознан (он сохранён как написан, дат нет); "
                "%1 — даты заданы вручную; красным — просрочено. Значения правятся прямо "
                "в таблице: начните набирать, Enter сохраняет, Esc отменяет."
            ).replace("%1", MANUAL_MARK)
        )
        legend.setStyleSheet("color: #555555;")
        layout.addLayout(buttons)
        layout.addWidget(self.splitter, 1)
        layout.addWidget(legend)
        return page

    def _build_actions(self) -> None:
        view = self.view

        def action(text: str, tip: str, slot: Callable[[], None], key: Any = None) -> QAction:
            act = QAction(text, view)
            act.setToolTip(tip)
            act.triggered.connect(slot)
            if key is not None:
                act.setShortcut(QKeySequence(key))
                act.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
                view.addAction(act)
            return act

        self.add_action = action(
            self.tr("Добавить…"),
            self.tr("Добавить мероприятие после выбранного (Insert)"),
            self._on_add_triggered,
            Qt.Key.Key_Insert,
        )
        self.edit_action = action(
            self.tr("Изменить…"),
            self.tr("Все поля выбранного мероприятия"),
            self._on_edit_triggered,
        )
        self.remove_action = action(
            self.tr("Удалить…"),
            self.tr("Удалить выбранное мероприятие (Ctrl+Delete)"),
            self._on_remove_triggered,
            "Ctrl+Delete",
        )
        self.up_action = action(
            self.tr("Выше"),
            self.tr("Переместить мероприятие выше в разделе (Ctrl+Up); номера пересчитываются"),
            functools.partial(self._on_move_triggered, -1),
            "Ctrl+Up",
        )
        self.down_action = action(
            self.tr("Ниже"),
            self.tr("Переместить мероприятие ниже в разделе (Ctrl+Down); номера пересчитываются"),
            functools.partial(self._on_move_triggered, 1),
            "Ctrl+Down",
        )
        self.intervals_action = action(
            self.tr("Сроки…"),
            self.tr("Задать даты мероприятия вручную (они важнее текста срока)"),
            self._on_intervals_triggered,
        )
        self.reset_action = action(
            self.tr("Вернуть как в документе"),
            self.tr("Убрать даты, заданные вручную, и прочесть срок из текста снова"),
            self._on_reset_triggered,
        )
        self.move_section_action = action(
            self.tr("Перенести в раздел…"),
            self.tr("Перенести мероприятие в другой раздел; номера обоих разделов пересчитываются"),
            self._on_move_section_triggered,
        )
        self.baseline_action = action(
            self.tr("Утвердить сроки как план"),
            self.tr(
                "Считать нынешние даты мероприятия утверждённым планом (с ним сравнивается "
                "факт на диаграмме Ганта)"
            ),
            self._on_baseline_triggered,
        )
        self.history_action = QAction(self.tr("История изменений ячейки…"), view)
        self.history_action.setShortcut(HISTORY_SHORTCUT)
        self.history_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.history_action.triggered.connect(self.show_history)
        view.addAction(self.history_action)
        self.section_action = QAction(self.tr("Добавить раздел…"), view)
        self.section_action.triggered.connect(self._on_section_triggered)

    def _build_gantt(self) -> QWidget:
        page = QWidget(self)
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 6, 0, 0)
        layout.setSpacing(4)
        self.gantt = GanttView(page)
        self.gantt.setObjectName("gantt")
        self.gantt.sig_activity_activated.connect(self._on_gantt_activity_activated)
        self.gantt.sig_intervals_changed.connect(self._on_gantt_intervals_changed)
        hint = ElidedLabel(page)
        hint.setText(
            self.tr(
                "Щелчок по полосе — открыть мероприятие; перетащить полосу или её край — "
                "новые даты (Правка → Отменить)."
            )
        )
        hint.setToolTip(hint.text())
        hint.setStyleSheet("color: #555555;")
        self.export_button = QPushButton(self.tr("Экспорт"), page)
        self.export_button.setObjectName("export")
        self.export_button.setToolTip(self.tr("Сохранить диаграмму: PNG или PDF на листах A4/A3"))
        self.export_menu = QMenu(self.export_button)
        self.png_action = self.export_menu.addAction(self.tr("Изображение PNG (что видно)…"))
        self.png_action.triggered.connect(self._on_png_triggered)
        self.pdf_a4_action = self.export_menu.addAction(self.tr("PDF, листы A4 альбомные…"))
        self.pdf_a4_action.triggered.connect(functools.partial(self._on_pdf_triggered, "A4"))
        self.pdf_a3_action = self.export_menu.addAction(self.tr("PDF, листы A3 альбомные…"))
        self.pdf_a3_action.triggered.connect(functools.partial(self._on_pdf_triggered, "A3"))
        self.export_button.setMenu(self.export_menu)
        self.gantt.add_tool(hint, 4)
        self.gantt.add_tool(self.export_button)
        # The activity column gives way on a narrow window, until the user moves the divider.
        self._column_moved = False
        self.gantt.splitter.splitterMoved.connect(self._on_gantt_splitter_moved)
        self.gantt.splitter.installEventFilter(self)
        layout.addWidget(self.gantt, 1)
        return page

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        """Keep the Gantt chart's activity column to at most 40 % of its width."""
        if watched is self.gantt.splitter and event.type() == QEvent.Type.Resize:
            # After the splitter has shared out its new width by itself.
            QTimer.singleShot(0, self, self._fit_gantt_column)
        return super().eventFilter(watched, event)

    def _fit_gantt_column(self) -> None:
        if self._column_moved:
            return
        total = sum(self.gantt.splitter.sizes())
        if total <= 0:
            return
        column = min(round(self.gantt.chart.column_width), round(total * COLUMN_SHARE))
        self.gantt.splitter.setSizes([column, total - column])

    def _on_gantt_splitter_moved(self, _pos: int, _index: int) -> None:
        self._column_moved = True

    # --- reading -------------------------------------------------------------------------------
    @property
    def programme_id(self) -> int | None:
        """The programme shown."""
        return None if self._programme is None else self._programme.id

    def reload(self) -> None:
        """Read the programmes, the filters' lists and the roadmap again (selection stays)."""
        db = self.db
        if db is None:
            self._programme = None
            self._show_empty(self.tr("База данных не открыта"))
            return
        programmes = db.roadmap.programmes()
        wanted = self.programme.set_programmes(programmes, self.programme_id)
        chosen = next((p for p in programmes if p.id == wanted), None)
        if chosen is None:
            self._programme = None
            self._show_empty(
                self.tr("Программы нет"),
                self.tr(
                    "Дорожная карта ведётся по программе района: создайте программу "
                    "(наименование, период, приказ об утверждении), затем её разделы."
                ),
                self.tr("Новая программа…"),
            )
            return
        if self._programme is None or chosen.id != self._programme.id:
            self._collapsed.clear()
        self._programme = chosen
        self._schools = [(s.id, s.short_name) for s in db.schools.all_schools()]
        self.model.school_names = dict(self._schools)
        self._sections = db.roadmap.sections(chosen.id)
        if not self._sections:
            self._show_empty(
                self.tr("В программе нет дорожной карты"),
                self.tr("Добавьте первый раздел, затем его мероприятия."),
                self.tr("Добавить раздел…"),
            )
            return
        self.pages.setCurrentWidget(self.tabs)
        self._fill_filter_lists()
        self._show_activities()

    def _show_empty(self, title: str, text: str = "", action: str = "") -> None:
        self.empty.set_state(title, text, action)
        self.pages.setCurrentWidget(self.empty)
        self._sections, self._shown_sections, self._activities = [], [], []
        self.model.set_data([], [], self.current_day())
        self.gantt.set_data([], [], self.gantt_period(), self.current_day())
        self._update_actions()

    def _fill_filter_lists(self) -> None:
        db, programme = self.db, self._programme
        assert db is not None and programme is not None
        current = self.section_filter.currentData()
        with_blocker = self.section_filter.blockSignals(True)
        self.section_filter.clear()
        self.section_filter.addItem(self.tr("Все разделы"), None)
        for section in self._sections:
            label = "   " * section.depth + section_label(section)
            self.section_filter.addItem(label, section.id)
            self.section_filter.setItemData(
                self.section_filter.count() - 1,
                section_label(section),
                Qt.ItemDataRole.ToolTipRole,
            )
        self.section_filter.setCurrentIndex(max(self.section_filter.findData(current), 0))
        self.section_filter.blockSignals(with_blocker)
        current = self.responsible_filter.currentData()
        with_blocker = self.responsible_filter.blockSignals(True)
        self.responsible_filter.clear()
        self.responsible_filter.addItem(self.tr("Все ответственные"), "")
        for name in db.roadmap.responsibles(programme.id):
            self.responsible_filter.addItem(name, name)
        self.responsible_filter.setCurrentIndex(max(self.responsible_filter.findData(current), 0))
        self.responsible_filter.blockSignals(with_blocker)
        current = self.concern_filter.currentData()
        with_blocker = self.concern_filter.blockSignals(True)
        self.concern_filter.clear()
        self.concern_filter.addItem(self.tr("Все школы и группы"), "")
        for code in CONCERN_GROUPS:
            self.concern_filter.addItem(group_name(code), f"g:{code}")
        for school_id, name in self._schools:
            self.concern_filter.addItem(name, f"s:{school_id}")
        self.concern_filter.setCurrentIndex(max(self.concern_filter.findData(current), 0))
        self.concern_filter.blockSignals(with_blocker)

    def filters(self) -> Filters:
        """What the filter bar asks for now."""
        due = str(self.due_filter.currentData() or "any")
        return Filters(
            section_id=self.section_filter.currentData(),
            status=self.status_filter.currentData(),
            responsible=str(self.responsible_filter.currentData() or ""),
            due=due,
            due_range=(_to_date(self.due_from), _to_date(self.due_to)) if due == "range" else None,
            overdue=self.overdue_filter.isChecked(),
            search=self.search.text().strip(),
            concern=str(self.concern_filter.currentData() or ""),
        )

    def query(self) -> RoadmapQuery | None:
        """The repository's query for the filters (None without a programme)."""
        if self._programme is None:
            return None
        wanted = self.filters()
        today = self.current_day()
        due_from: date | None = None
        due_to: date | None = None
        if wanted.due == "month":
            due_from, due_to = _month_bounds(today)
        elif wanted.due == "soon":
            due_from, due_to = today, today + timedelta(days=DUE_SOON_DAYS - 1)
        elif wanted.due == "range" and wanted.due_range is not None:
            due_from, due_to = wanted.due_range
        kind, _, key = wanted.concern.partition(":")
        return RoadmapQuery(
            self._programme.id,
            section_ids=(wanted.section_id,) if wanted.section_id is not None else (),
            statuses=(wanted.status,) if wanted.status else (),
            responsible=wanted.responsible,
            due_from=due_from,
            due_to=due_to,
            overdue_on=today if wanted.overdue else None,
            search=wanted.search,
            school_id=int(key) if kind == "s" else None,
            group_code=key if kind == "g" else None,
        )

    def _show_activities(self) -> None:
        db, query = self.db, self.query()
        if db is None or query is None or self._programme is None:
            return
        self.search.cancel_pending()
        today = self.current_day()
        filtered = self.filters().active
        self._activities = db.roadmap.activities(query)
        self._total = (
            len(db.roadmap.activities(RoadmapQuery(self._programme.id)))
            if filtered
            else len(self._activities)
        )
        self._shown_sections = shown_sections(self._sections, self._activities, not filtered)
        key = self.model.key_of(self.view.currentIndex())
        column = max(self.view.currentIndex().column(), 0)
        if self.model.set_data(self._shown_sections, self._activities, today):
            self._after_reset(key, column)
        self.gantt.set_data(self._shown_sections, self._activities, self.gantt_period(), today)
        self.reset_filters_button.setEnabled(filtered)
        self._show_count(filtered)
        self._show_detail()
        self._update_actions()

    def gantt_period(self) -> Span:
        """The programme's period (this year's without a programme)."""
        if self._programme is not None:
            return self._programme.period
        today = self.current_day()
        return date(today.year, 1, 1), date(today.year, 12, 31)

    def _after_reset(self, key: tuple[str, int] | None, column: int) -> None:
        """Span the section rows, expand what was expanded, fit the columns, select again."""
        model = self.model

        def walk(parent: QModelIndex) -> None:
            for row in range(model.rowCount(parent)):
                index = model.index(row, 0, parent)
                if model.activity_of(index) is None:
                    self.view.setFirstColumnSpanned(row, parent, True)
                    section = model.section_of(index)
                    self.view.setExpanded(
                        index, section is not None and section.id not in self._collapsed
                    )
                    walk(index)

        walk(QModelIndex())
        if not self._fitted:
            self._fit_columns()
        if key is not None:
            index = model.index_of_key(key, column)
            if index.isValid():
                self.view.selectionModel().setCurrentIndex(
                    index, QItemSelectionModel.SelectionFlag.ClearAndSelect
                )

    def _fit_columns(self) -> None:
        """Columns as wide as their texts need (capped); the title gets the most room."""
        self._fitted = True
        metrics = self.view.fontMetrics()
        char = metrics.horizontalAdvance("м")
        header = self.view.header().fontMetrics()
        # The usual statuses fit; «выполнено частично» is elided (its tooltip has it whole).
        statuses = [status_label("planned"), status_label("in_progress"), tr("просрочено")]
        widths = {
            M.COL_NUMBER: metrics.horizontalAdvance("10.10") + 3 * self.view.indentation() + 16,
            M.COL_TITLE: char * 34,
            M.COL_RESPONSIBLE: char * 14,
            M.COL_DEADLINE: char * 15,
            M.COL_STATUS: max(metrics.horizontalAdvance(text) for text in statuses) + 28,
            M.COL_PROGRESS: header.horizontalAdvance(tr("Выполнено")) + 16,
            M.COL_RESULT: char * 24,
        }
        for column, width in widths.items():
            self.view.setColumnWidth(column, width)

    def _show_count(self, filtered: bool) -> None:
        shown = len(self._activities)
        if filtered:
            text = (
                self.tr("Показано %1 из %2")
                .replace("%1", str(shown))
                .replace("%2", str(self._total))
            )
        else:
            text = self.tr("Мероприятий: %1").replace("%1", str(shown))
        overdue = sum(1 for a in self._activities if a.overdue(self.current_day()))
        if overdue:
            text += self.tr(", просрочено: %1").replace("%1", str(overdue))
        self.count_label.setText(text)

    # --- the detail under the table ---------------------------------------------------------------
    def current_activity(self) -> Activity | None:
        """The activity of the current row in the table (None on a section or nothing)."""
        return self.model.activity_of(self.view.currentIndex())

    def _show_detail(self) -> None:
        activity = self.current_activity()
        if activity is None:
            self.detail.setText(
                self.tr(
                    "Выберите мероприятие: здесь будет всё о нём — срок как написан и как "
                    "прочитан, ожидаемый результат, подтверждение."
                )
            )
            return
        self.detail.setText(self.detail_html(activity))

    def detail_html(self, activity: Activity) -> str:
        """The activity in full (rich text)."""
        esc = _plain
        today = self.current_day()
        parts = [f"<b>{esc(activity.number)} {esc(' '.join(activity.title.split()))}</b>"]
        if activity.responsible:
            parts.append(self.tr("Ответственные: %1").replace("%1", esc(activity.responsible)))
        deadline = esc(deadline_tooltip(activity)).replace("\n", "<br>")
        if deadline:
            parts.append(deadline)
        state = esc(status_text(activity, today))
        if activity.overdue(today):
            state = f'<span style="color:#c62828;"><b>{state}</b></span>'
        progress = progress_text(activity)
        parts.append(
            self.tr("Состояние: %1").replace("%1", state)
            + (self.tr("; выполнено %1").replace("%1", progress) if progress else "")
        )
        if activity.expected_result:
            parts.append(
                self.tr("Ожидаемый результат: %1").replace("%1", esc(activity.expected_result))
            )
        if activity.planned_value:
            parts.append(
                self.tr("Плановое значение: %1").replace("%1", esc(activity.planned_value))
            )
        if activity.evidence:
            parts.append(self.tr("Подтверждение: %1").replace("%1", esc(activity.evidence)))
        concerns = concerns_text(activity, self.model.school_names)
        if concerns:
            parts.append(self.tr("Касается: %1").replace("%1", esc(concerns)))
        db = self.db
        decision = db.meetings.decision_of(activity.id) if db is not None else None
        if decision is not None:
            source = (
                self.tr("%1, вопрос %2")
                .replace("%1", esc(decision.protocol_name))
                .replace("%2", str(decision.item_number))
            )
            href = f"{MEETING_LINK}{decision.meeting_id}:{decision.item_id}"
            parts.append(self.tr("Из решения: %1").replace("%1", f'<a href="{href}">{source}</a>'))
        reports = db.roadmap.school_reports(activity.id) if db is not None else []
        if reports:
            parts.append(self.school_reports_html(reports))
        return "<br>".join(parts)

    def school_reports_html(self, reports: Sequence[SchoolReport]) -> str:
        """«Отчёты школ»: each school's word on the activity by school year (rich text)."""
        esc = _plain
        lines = ["<b>" + self.tr("Отчёты школ (%1)").replace("%1", str(len(reports))) + "</b>"]
        for report in reports:
            said = status_label(report.status)
            if report.progress is not None:
                said += ", " + percent_text(report.progress)
            line = (
                self.tr("%1, %2 уч. год: %3")
                .replace("%1", esc(report.school_name))
                .replace("%2", school_year_label(report.year))
                .replace("%3", esc(said))
            )
            if report.evidence:
                line += "; " + self.tr("подтверждение: %1").replace("%1", esc(report.evidence))
            lines.append("•&nbsp;" + line)
        return "<br>".join(lines)

    def _on_detail_link_activated(self, href: str) -> None:
        if not href.startswith(MEETING_LINK):
            return
        meeting_id, _, item_id = href.removeprefix(MEETING_LINK).partition(":")
        if meeting_id.isdigit() and item_id.isdigit():
            self.sig_meeting_requested.emit(int(meeting_id), int(item_id))

    def _update_actions(self) -> None:
        activity = self.current_activity()
        section = self.model.section_of(self.view.currentIndex())
        section_row = self.current_section()
        has_programme = self.db is not None and self._programme is not None
        self.new_programme_action.setEnabled(self.db is not None)
        self.programme_properties_action.setEnabled(has_programme)
        self.baseline_all_action.setEnabled(has_programme and bool(self._sections))
        self.add_action.setEnabled(has_programme and (section is not None or bool(self._sections)))
        self.intervals_action.setEnabled(activity is not None)
        for act in (self.edit_action, self.remove_action):
            act.setEnabled(activity is not None or section_row is not None)
        self._word_actions(section_row is not None)
        self.reset_action.setEnabled(activity is not None and activity.manual)
        self.move_section_action.setEnabled(activity is not None and len(self._sections) > 1)
        self.baseline_action.setEnabled(
            activity is not None
            and bool(activity.intervals)
            and activity.intervals != activity.baseline
        )
        if section_row is not None:
            siblings = [s.id for s in self._section_siblings(section_row)]
            position = siblings.index(section_row.id)
        else:
            siblings = self._siblings(activity) if activity is not None else []
            position = siblings.index(activity.id) if activity and activity.id in siblings else -1
        self.up_action.setEnabled(position > 0)
        self.down_action.setEnabled(0 <= position < len(siblings) - 1)
        self.export_button.setEnabled(bool(self._activities))

    def _word_actions(self, on_section: bool) -> None:
        """Say in the tips whether the commands act on the section or the activity."""
        if on_section == self._worded_for_section:
            return
        self._worded_for_section = on_section
        if on_section:
            tips = (
                self.tr("Номер и наименование выбранного раздела"),
                self.tr("Удалить выбранный раздел со всеми его мероприятиями (Ctrl+Delete)"),
                self.tr("Переместить раздел выше (Ctrl+Up); номера пересчитываются"),
                self.tr("Переместить раздел ниже (Ctrl+Down); номера пересчитываются"),
            )
        else:
            tips = (
                self.tr("Все поля выбранного мероприятия"),
                self.tr("Удалить выбранное мероприятие (Ctrl+Delete)"),
                self.tr("Переместить мероприятие выше в разделе (Ctrl+Up); номера пересчитываются"),
                self.tr(
                    "Переместить мероприятие ниже в разделе (Ctrl+Down); номера пересчитываются"
                ),
            )
        for act, tip in zip(
            (self.edit_action, self.remove_action, self.up_action, self.down_action),
            tips,
            strict=True,
        ):
            act.setToolTip(tip)

    def current_section(self) -> Section | None:
        """The section whose own row is current in the table (None on an activity or nothing)."""
        index = self.view.currentIndex()
        if not index.isValid() or self.model.activity_of(index) is not None:
            return None
        return self.model.section_of(index)

    def _section_siblings(self, section: Section) -> list[Section]:
        """The sections beside ``section`` (the same parent), in their order."""
        return [s for s in self._sections if s.parent_id == section.parent_id]

    def _siblings(self, activity: Activity) -> list[int]:
        """The ids of the activities of ``activity``'s section in order (filters ignored)."""
        db = self.db
        if db is None or self._programme is None:
            return []
        members = db.roadmap.activities(
            RoadmapQuery(self._programme.id, section_ids=(activity.section_id,))
        )
        return [a.id for a in members if a.section_id == activity.section_id]

    # --- changes ---------------------------------------------------------------------------------
    def on_data_changed(self, info: ChangeSetInfo) -> None:
        """Read again (the rows stay in place when only values changed)."""
        if not info.touches(*ROADMAP_TABLES):
            # A protocol or a school's report: only the detail tells of them.
            self._show_detail()
            return
        if self._writing:
            # A cell's write is still closing its editor: read once it has.
            self._pending = True
            return
        self.reload()

    def _flush_pending(self) -> None:
        if self._pending and not self._writing:
            self._pending = False
            self.reload()

    def set_database(self, db: Database | None) -> None:
        """Show another database; a PDF still being written is finished first."""
        for task in self.tasks:
            task.wait()
        self.tasks.clear()
        self._programme = None
        super().set_database(db)

    # --- writing cells ---------------------------------------------------------------------------
    def _label(self, activity: Activity, what: str) -> str:
        return (
            self.tr("Дорожная карта, %1: %2")
            .replace("%1", activity.number or self.tr("мероприятие"))
            .replace("%2", what)
        )

    def write_cell(self, edit: ActivityEdit) -> WriteResult:
        """Write what was typed in a cell (the model's writer); say how it went."""
        db = self.db
        if db is None:
            return WriteResult("refused", self.tr("База данных не открыта."))
        activity = edit.activity
        spec = ACTIVITY_FIELD_BY_NAME[edit.name]
        self._writing = True
        try:
            value = self._cell_value(edit.name, edit.raw)
            info = db.roadmap.update_activity(
                activity.id, {edit.name: value}, self._label(activity, tr(spec.label).lower())
            )
        except InvalidValueError as exc:
            reason = issue_text(exc.issue)
            self.sig_status.emit(
                self.tr("%1: %2 Значение не сохранено.")
                .replace("%1", activity.number)
                .replace("%2", reason)
            )
            return WriteResult(
                "refused", reason + " " + self.tr("Значение не сохранено; Esc вернёт прежнее.")
            )
        except DomainError as exc:
            message = describe_error(exc)
            self.sig_status.emit(message)
            return WriteResult("refused", message)
        finally:
            self._writing = False
            if self._pending:
                # Read after the editor has closed (a filtered row may leave the table).
                QTimer.singleShot(0, self, self._flush_pending)
        if info is None:
            return WriteResult("unchanged")
        message = self.tr("Сохранено: %1").replace("%1", info.label)
        if edit.name == "deadline_text":
            after = db.roadmap.activity(activity.id)
            if after.unscheduled and not after.manual and after.deadline_text:
                message = self.tr(
                    "Срок «%1» сохранён как написан, но не распознан: у мероприятия нет дат. "
                    "Их можно задать кнопкой «Сроки…»."
                ).replace("%1", after.deadline_text)
        self.sig_status.emit(message)
        return WriteResult("saved")

    @staticmethod
    def _cell_value(name: str, raw: Any) -> Any:
        if name == "progress":
            try:
                return parse_number(str(raw))
            except ValueError:
                raise InvalidValueError(FieldIssue(name, "not_number", "error", (raw,))) from None
        if name == "status":
            return str(raw)
        if name == "title":
            return " ".join(str(raw).split())
        return str(raw).strip()

    # --- activities -------------------------------------------------------------------------------
    def _section_for_new(self) -> tuple[Section, int | None] | None:
        """Where «Добавить» puts an activity: after the current one, or last in its section."""
        index = self.view.currentIndex()
        activity = self.model.activity_of(index)
        section = self.model.section_of(index)
        if section is None:
            # Nothing chosen: the first section that holds activities, else the first.
            holding = {a.section_id for a in self._activities}
            section = next((s for s in self._sections if s.id in holding), None)
            section = section or (self._sections[0] if self._sections else None)
        if section is None:
            return None
        if activity is None:
            return section, None
        siblings = self._siblings(activity)
        position = siblings.index(activity.id) + 1 if activity.id in siblings else None
        return section, position

    def _on_add_triggered(self) -> None:
        self.add_activity()

    def add_activity(self) -> ActivityDialog | None:
        """Open the dialog for a new activity after the current one."""
        place = self._section_for_new()
        if self.db is None or self._programme is None or place is None:
            return None
        section, index = place
        dialog = ActivityDialog(None, section, self._programme.period, self, self._schools)
        dialog.saver = lambda values: self._save_new(section, index, values)
        self.open_dialog(dialog)
        return dialog

    def _save_new(self, section: Section, index: int | None, values: dict[str, Any]) -> None:
        db = self.db
        if db is None:
            return
        draft = ActivityDraft(**values)
        label = self.tr("Дорожная карта: добавлено мероприятие в раздел %1").replace(
            "%1", section.number or quoted(section.title[:40])
        )
        info, activity_id = db.roadmap.add_activity(section.id, draft, label, index=index)
        self.sig_status.emit(info.label)
        self.show_activity(activity_id)

    def _on_edit_triggered(self) -> None:
        activity = self.current_activity()
        if activity is not None:
            self.edit_activity(activity.id)
            return
        section = self.current_section()
        if section is not None:
            self.edit_section(section.id)

    def edit_activity(self, activity_id: int) -> ActivityDialog | None:
        """Open the dialog with every field of an activity."""
        db = self.db
        if db is None or self._programme is None:
            return None
        try:
            activity = db.roadmap.activity(activity_id)
            section = db.roadmap.section(activity.section_id)
        except RecordNotFoundError:
            return None
        dialog = ActivityDialog(activity, section, self._programme.period, self, self._schools)
        dialog.saver = lambda values: self._save_existing(activity, values)
        if dialog.intervals_button is not None:
            dialog.intervals_button.clicked.connect(
                lambda: self._on_dialog_intervals_clicked(dialog, activity_id)
            )
        self.open_dialog(dialog)
        return dialog

    def _on_dialog_intervals_clicked(self, dialog: ActivityDialog, activity_id: int) -> None:
        dialog.reject()  # the dates have their own dialog (one dialog at a time)
        self.edit_intervals(activity_id)

    def _save_existing(self, activity: Activity, values: dict[str, Any]) -> None:
        db = self.db
        if db is None:
            return
        values = dict(values)
        schools, groups = tuple(values.pop("schools", ())), tuple(values.pop("groups", ()))
        concerns_changed = (set(schools), set(groups)) != (
            set(activity.schools),
            set(activity.groups),
        )
        # Compared as the dialog shows them: a title copied from a document with a line
        # break is not «changed» by opening and saving it.
        changed = {k: v for k, v in values.items() if _as_shown(k, getattr(activity, k)) != v}
        if not changed and not concerns_changed:
            self.sig_status.emit(self.tr("Ничего не изменилось."))
            return
        names = [tr(ACTIVITY_FIELD_BY_NAME[k].label).lower() for k in changed]
        if concerns_changed:
            names.append(self.tr("касается"))
        label = self._label(activity, ", ".join(names))
        # One change set for the fields and the concerns: one undo takes the whole dialog back.
        with db.log.change_set(label) as cs:
            if changed:
                db.roadmap.update_activity(activity.id, changed, label)
            if concerns_changed:
                db.roadmap.set_concerns(activity.id, schools, groups, label)
        info = cs.info
        self.sig_status.emit(info.label if info is not None else self.tr("Ничего не изменилось."))

    def _on_remove_triggered(self) -> None:
        activity = self.current_activity()
        if activity is not None:
            self.remove_activity(activity.id)
            return
        section = self.current_section()
        if section is not None:
            self.remove_section(section.id)

    def remove_activity(self, activity_id: int) -> bool:
        """Ask, then remove an activity (its section is renumbered); True when removed."""
        db = self.db
        if db is None:
            return False
        activity = db.roadmap.activity(activity_id)
        text = (
            self.tr(
                "Удалить мероприятие %1 %2? Номера мероприятий раздела после него сдвинутся. "
                "Удаление можно отменить: Правка → Отменить."
            )
            .replace("%1", activity.number)
            .replace("%2", quoted(" ".join(activity.title.split())[:120]))
        )
        if not ask_yes_no(self, self.tr("Удаление мероприятия"), text, self.tr("Удалить")):
            return False
        try:
            info = db.roadmap.remove_activity(
                activity_id,
                self.tr("Дорожная карта: удалено мероприятие %1").replace("%1", activity.number),
            )
        except DomainError as exc:
            show_warning(self, self.tr("Мероприятие не удалено"), describe_error(exc))
            return False
        self.sig_status.emit(info.label)
        return True

    def _on_move_triggered(self, step: int) -> None:
        activity = self.current_activity()
        if activity is not None:
            self.move_activity(activity.id, step)
            return
        section = self.current_section()
        if section is not None:
            self.move_section(section.id, step)

    def move_activity(self, activity_id: int, step: int) -> ChangeSetInfo | None:
        """Move an activity ``step`` places within its section; the section is renumbered."""
        db = self.db
        if db is None:
            return None
        activity = db.roadmap.activity(activity_id)
        siblings = self._siblings(activity)
        if activity_id not in siblings:
            return None
        target = siblings.index(activity_id) + step
        if not 0 <= target < len(siblings):
            return None
        where = self.tr("выше") if step < 0 else self.tr("ниже")
        label = (
            self.tr("Дорожная карта: мероприятие %1 перемещено %2")
            .replace("%1", activity.number)
            .replace("%2", where)
        )
        try:
            info = db.roadmap.move_activity(activity_id, activity.section_id, target, label)
        except DomainError as exc:
            show_warning(self, self.tr("Мероприятие не перемещено"), describe_error(exc))
            return None
        if info is not None:
            moved = db.roadmap.activity(activity_id)
            self.sig_status.emit(
                self.tr("%1 (теперь № %2)").replace("%1", info.label).replace("%2", moved.number)
            )
        self.select_activity(activity_id, self.view.currentIndex().column())
        return info

    def _on_move_section_triggered(self) -> None:
        activity = self.current_activity()
        if activity is not None:
            self.move_to_section(activity.id)

    def move_to_section(self, activity_id: int) -> MoveDialog | None:
        """Open «Перенести в раздел…»: the activity goes last into the section chosen."""
        db = self.db
        if db is None or self._programme is None:
            return None
        try:
            activity = db.roadmap.activity(activity_id)
        except RecordNotFoundError:
            return None
        # A heading over subsections takes no activity of its own, unless it already holds some.
        parents = {s.parent_id for s in self._sections}
        holding = {a.section_id for a in db.roadmap.activities(RoadmapQuery(self._programme.id))}
        targets = [s for s in self._sections if s.id not in parents or s.id in holding]
        dialog = MoveDialog(activity, targets, self)
        dialog.saver = lambda section_id: self._save_move(activity, section_id)
        self.open_dialog(dialog)
        return dialog

    def _save_move(self, activity: Activity, section_id: int) -> None:
        db = self.db
        if db is None:
            return
        target = db.roadmap.section(section_id)
        label = (
            self.tr("Дорожная карта: мероприятие %1 перенесено в раздел %2")
            .replace("%1", activity.number)
            .replace("%2", target.number or quoted(target.title[:40]))
        )
        info = db.roadmap.move_activity(activity.id, section_id, None, label)
        if info is None:
            return
        moved = db.roadmap.activity(activity.id)
        self.sig_status.emit(
            self.tr("%1 (теперь № %2)").replace("%1", info.label).replace("%2", moved.number)
        )
        if not self.select_activity(activity.id, self.view.currentIndex().column()):
            self.show_activity(activity.id)  # a filter hid it in its new section

    def _on_baseline_triggered(self) -> None:
        activity = self.current_activity()
        if activity is not None:
            self.approve_baseline(activity.id)

    def approve_baseline(self, activity_id: int) -> ChangeSetInfo | None:
        """«Утвердить сроки как план»: ask, then make the current dates the baseline."""
        db = self.db
        if db is None:
            return None
        activity = db.roadmap.activity(activity_id)
        if not activity.intervals or activity.intervals == activity.baseline:
            return None
        text = (
            self.tr(
                "Утвердить сроки мероприятия %1 как план: %2?\n\nПрежний план (%3) будет "
                "заменён, диаграмма Ганта будет сравнивать факт с новым. "
                "Отменить: Правка → Отменить."
            )
            .replace("%1", activity.number)
            .replace("%2", intervals_text(activity.intervals))
            .replace("%3", intervals_text(activity.baseline) or self.tr("не задан"))
        )
        if not ask_yes_no(self, self.tr("Утверждение сроков"), text, self.tr("Утвердить")):
            return None
        try:
            info = db.roadmap.set_baseline(
                activity_id, self._label(activity, self.tr("сроки утверждены как план"))
            )
        except DomainError as exc:
            show_warning(self, self.tr("Сроки не утверждены"), describe_error(exc))
            return None
        if info is not None:
            self.sig_status.emit(info.label)
        return info

    # --- dates set by hand ------------------------------------------------------------------------
    def _on_intervals_triggered(self) -> None:
        activity = self.current_activity()
        if activity is not None:
            self.edit_intervals(activity.id)

    def edit_intervals(self, activity_id: int) -> IntervalsDialog | None:
        """Open «Сроки…»: the dates of an activity set by hand."""
        db = self.db
        if db is None or self._programme is None:
            return None
        activity = db.roadmap.activity(activity_id)
        dialog = IntervalsDialog(activity, self._programme.period, self)
        dialog.saver = lambda spans: self._save_intervals(activity, spans)
        dialog.resetter = lambda: self._reset_intervals(activity)
        self.open_dialog(dialog)
        return dialog

    def _save_intervals(self, activity: Activity, spans: tuple[Span, ...]) -> None:
        db = self.db
        if db is None:
            return
        if spans == activity.intervals and not activity.manual:
            # Saved as read from the text: nothing to set by hand.
            self.sig_status.emit(self.tr("Сроки не изменились."))
            return
        label = self._label(
            activity,
            self.tr("сроки заданы вручную (%1)").replace(
                "%1", intervals_text(spans) or self.tr("без дат")
            ),
        )
        info = db.roadmap.set_intervals(activity.id, spans, label)
        self.sig_status.emit(info.label if info is not None else self.tr("Сроки не изменились."))

    def _reset_intervals(self, activity: Activity) -> None:
        db = self.db
        if db is None:
            return
        info = db.roadmap.reset_intervals(
            activity.id, self._label(activity, self.tr("сроки как в документе"))
        )
        self.sig_status.emit(info.label if info is not None else self.tr("Сроки не изменились."))

    def _on_reset_triggered(self) -> None:
        activity = self.current_activity()
        if activity is None or self.db is None:
            return
        try:
            self._reset_intervals(activity)
        except DomainError as exc:
            show_warning(self, self.tr("Сроки не изменены"), describe_error(exc))

    # --- sections ---------------------------------------------------------------------------------
    def _on_empty_action(self) -> None:
        if self._programme is None:
            self.new_programme()
        else:
            self.add_section()

    def _on_section_triggered(self) -> None:
        self.add_section()

    def add_section(self) -> SectionDialog | None:
        """Open the dialog for a new top section of the roadmap."""
        db = self.db
        if db is None or self._programme is None:
            return None
        numbered = [s for s in self._sections if s.parent_id is None and s.number]
        dialog = SectionDialog(str(len(numbered) + 1), self)
        programme_id = self._programme.id

        def save(number: str, title: str) -> None:
            info, _ = db.roadmap.add_section(
                programme_id,
                title,
                self.tr("Дорожная карта: добавлен раздел %1").replace("%1", quoted(title[:60])),
                number=number,
            )
            self.sig_status.emit(info.label)

        dialog.saver = save
        self.open_dialog(dialog)
        return dialog

    def edit_section(self, section_id: int) -> SectionDialog | None:
        """Open a section's number and title for change (a new number renumbers its content)."""
        db = self.db
        if db is None:
            return None
        try:
            section = db.roadmap.section(section_id)
        except RecordNotFoundError:
            return None
        dialog = SectionDialog(section.number, self, section)

        def save(number: str, title: str) -> None:
            values = {
                k: v
                for k, v in (("number", number.strip()), ("title", title))
                if v != getattr(section, k)
            }
            if not values:
                self.sig_status.emit(self.tr("Ничего не изменилось."))
                return
            label = self.tr("Дорожная карта: изменён раздел %1").replace(
                "%1", section.number or quoted(section.title[:60])
            )
            info = db.roadmap.update_section(section_id, values, label)
            if info is not None:
                self.sig_status.emit(info.label)

        dialog.saver = save
        self.open_dialog(dialog)
        return dialog

    def remove_section(self, section_id: int) -> bool:
        """Ask, then remove a section with its subsections and activities; True when removed."""
        db = self.db
        if db is None or self._programme is None:
            return False
        try:
            section = db.roadmap.section(section_id)
        except RecordNotFoundError:
            return False
        inside = subtree_ids(self._sections, (section_id,))
        count = len(
            db.roadmap.activities(RoadmapQuery(self._programme.id, section_ids=(section_id,)))
        )
        what = section_label(section)
        if count:
            text = (
                self.tr(
                    "Удалить раздел %1 вместе с его мероприятиями (%2)%3? Номера следующих "
                    "разделов сдвинутся. Удаление можно отменить: Правка → Отменить."
                )
                .replace("%1", quoted(what[:120]))
                .replace(
                    "%2", f"{count} {plural(count, 'мероприятие', 'мероприятия', 'мероприятий')}"
                )
                .replace(
                    "%3",
                    self.tr(" и подразделами") if len(inside) > 1 else "",
                )
            )
        else:
            text = self.tr(
                "Удалить раздел %1? В нём нет мероприятий. Удаление можно отменить: "
                "Правка → Отменить."
            ).replace("%1", quoted(what[:120]))
        if not ask_yes_no(self, self.tr("Удаление раздела"), text, self.tr("Удалить")):
            return False
        try:
            info = db.roadmap.remove_section(
                section_id,
                self.tr("Дорожная карта: удалён раздел %1").replace(
                    "%1", section.number or quoted(section.title[:60])
                ),
            )
        except DomainError as exc:
            show_warning(self, self.tr("Раздел не удалён"), describe_error(exc))
            return False
        self.sig_status.emit(info.label)
        return True

    def move_section(self, section_id: int, step: int) -> ChangeSetInfo | None:
        """Move a section ``step`` places among its neighbours; the numbers follow."""
        db = self.db
        if db is None:
            return None
        try:
            section = db.roadmap.section(section_id)
        except RecordNotFoundError:
            return None
        siblings = [s.id for s in self._section_siblings(section)]
        index = siblings.index(section_id) + step
        if not 0 <= index < len(siblings):
            return None
        label = self.tr("Дорожная карта: перемещён раздел %1").replace(
            "%1", section.number or quoted(section.title[:60])
        )
        try:
            info = db.roadmap.move_section(section_id, section.parent_id, index, label)
        except DomainError as exc:
            show_warning(self, self.tr("Раздел не перемещён"), describe_error(exc))
            return None
        if info is not None:
            self.sig_status.emit(info.label)
        return info

    # --- the programme ----------------------------------------------------------------------------
    def _on_new_programme_triggered(self) -> None:
        self.new_programme()

    def new_programme(self) -> ProgrammeDialog | None:
        """Open the form of a new programme of the district; it is shown once created."""
        db = self.db
        if db is None:
            return None
        district = db.district.district()
        if district is None:
            show_warning(
                self,
                self.tr("Программа не создана"),
                self.tr(
                    "Сначала заполните сведения о районе (панель «Район и рабочая группа»): "
                    "программа принадлежит району."
                ),
            )
            return None
        dialog = ProgrammeDialog(None, self.current_day().year, self)

        def save(values: dict[str, Any]) -> None:
            label = self.tr("Новая программа %1").replace("%1", quoted(values["title"][:60]))
            info, programme_id = db.roadmap.add_programme(
                {"district_id": district.id, **values}, label
            )
            self._programme = db.roadmap.programme(programme_id)
            self.reload()  # show the new programme (the change itself may have reloaded first)
            self.sig_status.emit(info.label)

        dialog.saver = save
        self.open_dialog(dialog)
        return dialog

    def _on_programme_properties_triggered(self) -> None:
        self.edit_programme()

    def edit_programme(self) -> ProgrammeDialog | None:
        """Open the card of the programme shown: title, period, approving order."""
        db = self.db
        if db is None or self._programme is None:
            return None
        programme = db.roadmap.programme(self._programme.id)
        dialog = ProgrammeDialog(programme, programme.start_year, self)

        def save(values: dict[str, Any]) -> None:
            changed = {k: v for k, v in values.items() if getattr(programme, k) != v}
            if not changed:
                self.sig_status.emit(self.tr("Ничего не изменилось."))
                return
            label = self.tr("Программа %1: изменены сведения").replace(
                "%1", quoted(programme.title[:60])
            )
            info = db.roadmap.update_programme(programme.id, changed, label)
            if info is not None:
                self.sig_status.emit(info.label)

        dialog.saver = save
        self.open_dialog(dialog)
        return dialog

    def _on_baseline_all_triggered(self) -> None:
        self.approve_all_baselines()

    def approve_all_baselines(self) -> ChangeSetInfo | None:
        """Ask, then make the current dates of every activity the approved plan (one action)."""
        db = self.db
        if db is None or self._programme is None:
            return None
        pending = [
            a
            for a in db.roadmap.activities(RoadmapQuery(self._programme.id))
            if a.intervals and a.intervals != a.baseline
        ]
        if not pending:
            self.sig_status.emit(
                self.tr("Сроки всех мероприятий уже совпадают с утверждённым планом.")
            )
            return None
        text = self.tr(
            "Утвердить нынешние сроки как план у %1? Прежний план этих мероприятий будет "
            "заменён, диаграмма Ганта будет сравнивать факт с новым. Отменить: Правка → Отменить."
        ).replace(
            "%1",
            f"{len(pending)} {plural(len(pending), 'мероприятия', 'мероприятий', 'мероприятий')}",
        )
        if not ask_yes_no(self, self.tr("Утверждение сроков"), text, self.tr("Утвердить")):
            return None
        label = self.tr("Дорожная карта: сроки %1 утверждены как план").replace(
            "%1",
            f"{len(pending)} {plural(len(pending), 'мероприятия', 'мероприятий', 'мероприятий')}",
        )
        try:
            info = db.roadmap.set_baseline_all(self._programme.id, label)
        except DomainError as exc:
            show_warning(self, self.tr("Сроки не утверждены"), describe_error(exc))
            return None
        if info is not None:
            self.sig_status.emit(info.label)
        return info

    # --- selection and navigation -----------------------------------------------------------------
    def select_activity(self, activity_id: int, column: int = M.COL_TITLE) -> bool:
        """Make an activity's row current in the table (and in the chart); False if not shown."""
        index = self.model.index_of_activity(activity_id, column)
        if not index.isValid():
            return False
        parent = index.parent()
        while parent.isValid():
            self.view.expand(parent.siblingAtColumn(0))
            parent = parent.parent()
        self.view.scrollTo(index)
        self.view.selectionModel().setCurrentIndex(
            index, QItemSelectionModel.SelectionFlag.ClearAndSelect
        )
        row = self.gantt.row_of(activity_id)
        if row is not None:
            self.gantt.select_row(row, ensure_visible=True)
        return True

    def show_activity(self, activity_id: int) -> bool:
        """Show an activity in the table: its programme chosen, filters cleared if they hide it."""
        db = self.db
        if db is None:
            return False
        try:
            activity = db.roadmap.activity(activity_id)
            programme_id = db.roadmap.section(activity.section_id).programme_id
        except RecordNotFoundError:
            return False
        if programme_id != self.programme_id:
            self._programme = db.roadmap.programme(programme_id)
            self.reload()
        if self.model.index_of_activity(activity_id).isValid() is False:
            self.clear_filters()
        self.tabs.setCurrentIndex(0)
        found = self.select_activity(activity_id)
        if found:
            self.view.setFocus(Qt.FocusReason.OtherFocusReason)
        return found

    def clear_filters(self) -> None:
        """Show every activity of the programme."""
        for combo in (
            self.section_filter,
            self.status_filter,
            self.responsible_filter,
            self.concern_filter,
        ):
            combo.setCurrentIndex(0)
        self.due_filter.setCurrentIndex(0)
        self._show_due_range(False)
        blocker = self.overdue_filter.blockSignals(True)
        self.overdue_filter.setChecked(False)
        self.overdue_filter.blockSignals(blocker)
        blocker = self.search.blockSignals(True)
        self.search.clear()
        self.search.blockSignals(blocker)
        self._show_activities()

    # --- history ----------------------------------------------------------------------------------
    def show_history(self) -> HistoryDialog | None:
        """The recorded changes of the current cell's field (Ctrl+H)."""
        db = self.db
        index = self.view.currentIndex()
        activity = self.model.activity_of(index)
        name = self.model.field_of(index)
        if db is None or activity is None or name is None:
            self.sig_status.emit(
                self.tr("История есть у полей мероприятия: выберите ячейку мероприятия.")
            )
            return None
        changes = db.log.field_history("roadmap_activity", activity.id, name)

        def shown(value: Any) -> str:
            if value is None or value == "":
                return "—"
            if name == "status":
                return status_label(str(value))
            if name == "progress":
                return percent_text(float(value))
            return str(value)

        model = HistoryModel(changes, shown)
        title = f"{activity.number} — {tr(ACTIVITY_FIELD_BY_NAME[name].label)}"
        dialog = HistoryDialog(title, model, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.history_dialog = dialog
        dialog.open()
        return dialog

    # --- the Gantt chart --------------------------------------------------------------------------
    def _on_gantt_activity_activated(self, activity_id: int) -> None:
        self.select_activity(activity_id)
        self.edit_activity(activity_id)

    def _on_gantt_intervals_changed(self, activity_id: int, intervals: tuple[Span, ...]) -> None:
        self.write_dragged(activity_id, tuple(intervals))

    def write_dragged(self, activity_id: int, intervals: tuple[Span, ...]) -> ChangeSetInfo | None:
        """Record dates dragged on the chart as a manual override (undoable)."""
        db = self.db
        if db is None:
            return None
        try:
            before = db.roadmap.activity(activity_id)
            label = self._label(
                before,
                self.tr("сроки на диаграмме (%1)").replace(
                    "%1", intervals_text(intervals) or self.tr("без дат")
                ),
            )
            changed = [
                i
                for i, (old, new) in enumerate(zip(before.intervals, intervals, strict=False))
                if old != new
            ]
            if len(before.intervals) == len(intervals) and len(changed) == 1:
                index = changed[0]
                start, end = intervals[index]
                info = db.roadmap.move_interval(activity_id, index, start, end, label)
            else:
                info = db.roadmap.set_intervals(activity_id, intervals, label)
        except (DomainError, IndexError) as exc:
            message = (
                describe_error(exc)
                if isinstance(exc, DomainError)
                else self.tr("Мероприятие изменилось: даты не сохранены.")
            )
            show_warning(self, self.tr("Сроки не изменены"), message)
            self.reload()
            return None
        if info is not None:
            self.sig_status.emit(info.label + " " + self.tr("(Правка → Отменить вернёт прежние)"))
        return info

    def _on_tabs_changed(self, index: int) -> None:
        activity = self.current_activity()
        if index == 1 and activity is not None:
            row = self.gantt.row_of(activity.id)
            if row is not None:
                self.gantt.select_row(row, ensure_visible=True)
        elif index == 0:
            chosen = self.gantt.selected_activity()
            if chosen is not None:
                self.select_activity(chosen)

    # --- export -----------------------------------------------------------------------------------
    def _default_path(self, suffix: str) -> str:
        folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
        name = self.tr("Дорожная карта — диаграмма Ганта")
        return str(Path(folder or Path.home()) / f"{name}.{suffix}")

    def _on_png_triggered(self) -> None:
        self.export_png()

    def export_png(self) -> Path | None:
        """Save what the chart shows now as a PNG (asks where)."""
        path, _ = QFileDialog.getSaveFileName(
            self,
            self.tr("Сохранить диаграмму как изображение"),
            self._default_path("png"),
            self.tr("Изображение PNG (*.png)"),
        )
        if not path:
            return None
        target = Path(path if path.lower().endswith(".png") else f"{path}.png")
        try:
            self.gantt.export_png(target)
        except OSError as exc:
            show_warning(self, self.tr("Изображение не сохранено"), describe_error(exc))
            return None
        self.sig_status.emit(self.tr("Диаграмма сохранена: %1").replace("%1", str(target)))
        return target

    def _on_pdf_triggered(self, page_size: str) -> None:
        self.export_pdf(page_size)

    def pdf_title(self) -> str:
        """The title line of every PDF page."""
        programme = self._programme
        if programme is None:
            return self.gantt.default_title()
        return (
            self.tr("Дорожная карта %1–%2: %3")
            .replace("%1", str(programme.start_year))
            .replace("%2", str(programme.end_year))
            .replace("%3", programme.title)
        )

    def _pdf_export(self, page_size: str) -> PdfExport:
        return PdfExport(
            build_rows(self._shown_sections, self.gantt.activities()),
            period=self.gantt_period(),
            today=self.current_day(),
            zoom=ZOOMS[self.gantt.zoom_level()],
            page_size=page_size,
            title=self.pdf_title(),
        )

    def confirm_pages(self, page_size: str) -> bool:
        """Ask before a PDF of many pages; the quarter scale is offered.  False: cancelled."""
        pages = self.gantt.pdf_page_count(page_size)
        if pages <= MANY_PAGES:
            return True
        coarser = self.gantt.zoom_level() in ("quarter", "school_year", "year")
        box = QMessageBox(QMessageBox.Icon.Question, self.tr("Большой PDF"), "", parent=self)
        buttons = QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel
        text = (
            self.tr("При нынешнем масштабе PDF займёт %1 стр. (%2).")
            .replace("%1", str(pages))
            .replace("%2", page_size)
        )
        if not coarser:
            quarter = (
                PdfExport(
                    build_rows(self._shown_sections, self.gantt.activities()),
                    period=self.gantt_period(),
                    today=self.current_day(),
                    zoom=ZOOMS["quarter"],
                    page_size=page_size,
                    title="",
                )
                .plan()[0]
                .total
            )
            text += " " + self.tr("В масштабе «Квартал» — %1 стр.").replace("%1", str(quarter))
            buttons |= QMessageBox.StandardButton.No
        box.setText(text)
        box.setStandardButtons(buttons)
        box.button(QMessageBox.StandardButton.Yes).setText(
            self.tr("Сохранить %1 стр.").replace("%1", str(pages))
        )
        if not coarser:
            box.button(QMessageBox.StandardButton.No).setText(self.tr("Масштаб «Квартал»"))
        box.button(QMessageBox.StandardButton.Cancel).setText(self.tr("Отмена"))
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        answer = box.exec()
        if answer == QMessageBox.StandardButton.No:
            self.gantt.set_zoom("quarter")
            return True
        return bool(answer == QMessageBox.StandardButton.Yes)

    def export_pdf(self, page_size: str = "A4") -> BackgroundTask | None:
        """Save the whole chart as a PDF tiled across landscape pages (asks where; background)."""
        if not self._activities or not self.confirm_pages(page_size):
            return None
        path, _ = QFileDialog.getSaveFileName(
            self,
            self.tr("Сохранить диаграмму в PDF (%1)").replace("%1", page_size),
            self._default_path("pdf"),
            self.tr("Документ PDF (*.pdf)"),
        )
        if not path:
            return None
        target = Path(path if path.lower().endswith(".pdf") else f"{path}.pdf")
        export = self._pdf_export(page_size)
        try:
            # A missing folder or a locked file is told at once, in its own words.
            with open(target, "wb"):
                pass
        except OSError as exc:
            show_warning(self, self.tr("PDF не сохранён"), describe_error(exc))
            return None
        status = self.tr("Сохранение PDF: %1 стр.").replace("%1", str(export.plan()[0].total))

        def work(state: JobState) -> int:
            state.set_status(status)
            return export.write(target, state)

        task = BackgroundTask(work, self, self.tr("Сохранение PDF"))
        task.sig_finished.connect(lambda pages: self._on_pdf_written(target, pages))
        task.sig_failed.connect(lambda exc: self._on_pdf_failed(target, exc))
        self.tasks.append(task)
        task.start()
        return task

    def _on_pdf_written(self, target: Path, pages: object) -> None:
        self.tasks = [t for t in self.tasks if t.running]
        self.sig_status.emit(
            self.tr("PDF сохранён: %1 (%2 стр.)")
            .replace("%1", str(target))
            .replace("%2", str(pages))
        )

    def _on_pdf_failed(self, target: Path, exc: object) -> None:
        self.tasks = [t for t in self.tasks if t.running]
        # No half-written PDF is left behind.
        target.unlink(missing_ok=True)
        if isinstance(exc, Cancelled):
            self.sig_status.emit(self.tr("Сохранение PDF отменено."))
            return
        message = describe_error(exc) if isinstance(exc, BaseException) else str(exc)
        show_warning(self, self.tr("PDF не сохранён"), message)

    # --- events -----------------------------------------------------------------------------------
    def _on_programme_activated(self, _index: int) -> None:
        data = self.programme.currentData()
        db = self.db
        if data is None or db is None or int(data) == self.programme_id:
            return
        self._programme = db.roadmap.programme(int(data))
        self._collapsed.clear()
        for combo in (self.section_filter, self.responsible_filter):
            combo.setCurrentIndex(0)
        self.reload()

    def _show_due_range(self, shown: bool) -> None:
        for widget in (self.due_from, self.due_dash, self.due_to):
            widget.setVisible(shown)

    def _on_filters_changed(self, *_args: object) -> None:
        self._show_due_range(self.due_filter.currentData() == "range")
        if self._programme is not None and self.pages.currentWidget() is self.tabs:
            self._show_activities()

    def _on_current_changed(self, _current: QModelIndex, _previous: QModelIndex) -> None:
        self._show_detail()
        self._update_actions()

    def _on_view_double_clicked(self, index: QModelIndex) -> None:
        activity = self.model.activity_of(index)
        if activity is not None and self.model.field_of(index) is None:
            self.edit_activity(activity.id)

    def _on_view_collapsed(self, index: QModelIndex) -> None:
        section = self.model.section_of(index)
        if section is not None and self.model.activity_of(index) is None:
            self._collapsed.add(section.id)

    def _on_view_expanded(self, index: QModelIndex) -> None:
        section = self.model.section_of(index)
        if section is not None:
            self._collapsed.discard(section.id)

    def _on_view_context_menu_requested(self, pos: QPoint) -> None:
        index = self.view.indexAt(pos)
        if index.isValid():
            self.view.selectionModel().setCurrentIndex(
                index, QItemSelectionModel.SelectionFlag.ClearAndSelect
            )
        self._update_actions()
        menu = QMenu(self)
        menu.addActions([self.add_action, self.edit_action])
        menu.addSeparator()
        menu.addActions([self.up_action, self.down_action, self.move_section_action])
        menu.addSeparator()
        menu.addActions(
            [self.intervals_action, self.reset_action, self.baseline_action, self.history_action]
        )
        menu.addSeparator()
        menu.addAction(self.section_action)
        menu.addAction(self.remove_action)
        menu.aboutToHide.connect(menu.deleteLater)
        self.context_menu = menu
        menu.popup(self.view.viewport().mapToGlobal(pos))


__all__ = ["ActivityDialog", "IntervalsDialog", "RoadmapPanel", "SectionDialog"]
