"""The page «Мероприятия»: seminars, master classes, round tables … with their totals.

Above the table: the period (a school year, every year, or dates from … to),
the kind, and a search in topic, audience, organiser, place and notes (Russian
case folded).  The table lists the events in date order (those without a date
last); under it the selected event in full, and the totals of the selection
per kind and per calendar quarter, counted in SQL.

«Добавить…» (Insert), «Изменить…» (Enter, a double click) and «Удалить»
(Delete) work through ``db.events``: each is one change set, so Правка →
Отменить takes it back.  The form says under each field why a value was
refused and keeps what was typed.
"""

from __future__ import annotations

from datetime import date
from typing import Any, ClassVar

from PySide6.QtCore import QDate, QItemSelectionModel, QModelIndex, Qt
from PySide6.QtGui import QAction, QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QCompleter,
    QDateEdit,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSplitter,
    QTableView,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from shnor_desktop.models.changelog import ChangeSetInfo
from shnor_desktop.models.database import Database
from shnor_desktop.models.errors import DomainError
from shnor_desktop.models.events import (
    EVENT_FIELD_BY_NAME,
    Event,
    EventDraft,
    EventQuery,
    EventTotals,
    parse_event_date,
    school_year_period,
)
from shnor_desktop.models.fields import FieldIssue
from shnor_desktop.models.text import current_school_year, format_number, plural, school_year_label
from shnor_desktop.services.messages import describe_error, describe_issue
from shnor_desktop.ui.common import DataBus, Panel
from shnor_desktop.ui.event_models import (
    EventTableModel,
    KindTotalsModel,
    QuarterTotalsModel,
    coverage_text,
    date_text,
    tr,
)
from shnor_desktop.ui.forms import FormDialog
from shnor_desktop.ui.messages import ask_yes_no, show_warning
from shnor_desktop.ui.widgets import SearchLine, detail_pane

EVENT_TABLES: frozenset[str] = frozenset({"event"})
ALL_YEARS = "all"
PERIOD = "period"


def issue_text(issue: FieldIssue) -> str:
    """Word a problem of an event's value with a capital and a full stop."""
    if issue.field == "topic" and issue.code == "required":
        return tr("Укажите тему мероприятия: она не может быть пустой.")
    if issue.field == "event_date" and issue.code == "not_date":
        return tr("Нужна дата, например 28.05.2021, или пусто, если дата неизвестна.")
    if issue.field == "coverage" and issue.code in ("not_number", "not_integer", "negative"):
        return tr("Охват — целое число людей, например 25.")
    text = describe_issue(issue)
    return text[:1].upper() + text[1:] + "."


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _qdate(value: date) -> QDate:
    return QDate(value.year, value.month, value.day)


def _pydate(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())


def _date_edit(parent: QWidget, name: str) -> QDateEdit:
    edit = QDateEdit(parent)
    edit.setObjectName(name)
    edit.setDisplayFormat("dd.MM.yyyy")
    edit.setCalendarPopup(True)
    edit.setMinimumDate(QDate(1990, 1, 1))
    edit.setMaximumDate(QDate(2100, 12, 31))
    return edit


# --- the form ------------------------------------------------------------------------------------


class EventDialog(FormDialog):
    """An event in full: date, kind, topic, for whom, coverage, organiser, place, note."""

    def __init__(
        self,
        event: Event | None,
        kinds: list[str],
        suggestions: dict[str, list[str]],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(
            tr("Новое мероприятие") if event is None else tr("Мероприятие"),
            tr("Добавить") if event is None else tr("Сохранить"),
            parent,
            issue_text,
        )
        self.record = event
        self.setMinimumWidth(580)
        self.date = self.add_line(
            "event_date",
            self._label("event_date"),
            date_text(event) if event is not None and event.event_date else "",
            tr("например, 28.05.2021; пусто — дата неизвестна"),
        )
        self.kind = QComboBox(self)
        for kind in kinds:
            self.kind.addItem(kind, kind)
        self.kind.setCurrentIndex(max(self.kind.findData(event.kind if event else "семинар"), 0))
        self.add_field("kind", self._label("kind"), self.kind)
        self.topic = QPlainTextEdit(self)
        self.topic.setPlainText(event.topic if event else "")
        self.topic.setTabChangesFocus(True)
        self.topic.setFixedHeight(self.topic.fontMetrics().lineSpacing() * 3 + 12)
        self.add_field("topic", self._label("topic"), self.topic)
        self.audience = self._suggested(
            "audience",
            event.audience if event else "",
            suggestions,
            tr("например, учителя математики"),
        )
        coverage = "" if event is None or event.coverage is None else str(event.coverage)
        self.coverage = self.add_line("coverage", self._label("coverage"), coverage, "", tr("чел."))
        self.coverage.setMaximumWidth(120)
        self.coverage.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.organiser = self._suggested(
            "organiser",
            event.organiser if event else "",
            suggestions,
            tr("например, РМО учителей математики"),
        )
        self.place = self._suggested("place", event.place if event else "", suggestions, "")
        self.notes = self.add_line("notes", self._label("notes"), event.notes if event else "")
        self.error_label.setObjectName("error_general")
        self._finish_layout()
        self.date.setFocus()

    @staticmethod
    def _label(name: str) -> str:
        return tr(EVENT_FIELD_BY_NAME[name].label)

    def _suggested(
        self, name: str, text: str, suggestions: dict[str, list[str]], placeholder: str
    ) -> QLineEdit:
        """A line that completes from what was typed before (case-insensitive, inside the text)."""
        edit = self.add_line(name, self._label(name), text, placeholder)
        completer = QCompleter(suggestions.get(name, []), edit)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        edit.setCompleter(completer)
        return edit

    def read(self) -> tuple[dict[str, Any], list[FieldIssue]]:
        """The values typed and what is wrong with them before writing."""
        issues: list[FieldIssue] = []
        values: dict[str, Any] = {
            "kind": str(self.kind.currentData()),
            "topic": " ".join(self.topic.toPlainText().split()),
            "audience": self.audience.text().strip(),
            "organiser": self.organiser.text().strip(),
            "place": self.place.text().strip(),
            "notes": self.notes.text().strip(),
        }
        text = self.date.text()
        try:
            day = parse_event_date(text)
            values["event_date"] = None if day is None else day.isoformat()
        except ValueError:
            issues.append(FieldIssue("event_date", "not_date", "error", (text,)))
        values["coverage"] = self.number("coverage", issues)
        if not values["topic"]:
            issues.append(FieldIssue("topic", "required", "error"))
        return values, issues


# --- the panel -----------------------------------------------------------------------------------


class EventsPanel(Panel):
    """Events with filters, the selected one in full and the totals of the selection."""

    TITLE = "Мероприятия"  # source string, context "Panel"
    TABLES: ClassVar[frozenset[str]] = EVENT_TABLES

    def __init__(self, bus: DataBus, parent: QWidget | None = None) -> None:
        super().__init__(bus, parent)
        self._years: list[int] = []
        self._period_chosen = False
        self._build()

    # --- layout --------------------------------------------------------------------------------
    def _build(self) -> None:
        self.period = QComboBox(self)
        self.period.setObjectName("period")
        self.period.activated.connect(self._on_period_activated)
        self.date_from = _date_edit(self, "date_from")
        self.date_to = _date_edit(self, "date_to")
        self.date_dash = QLabel("–", self)
        self.date_from.dateChanged.connect(self._on_filters_changed)
        self.date_to.dateChanged.connect(self._on_filters_changed)
        self.kind_filter = QComboBox(self)
        self.kind_filter.setObjectName("kind_filter")
        self.kind_filter.activated.connect(self._on_filters_changed)
        self.search = SearchLine(tr("Поиск: тема, для кого, организатор, место"), self)
        self.search.setObjectName("search")
        self.search.sig_search.connect(self._on_filters_changed)
        top = QHBoxLayout()
        caption = QLabel(tr("Период:"), self)
        caption.setBuddy(self.period)
        top.addWidget(caption)
        top.addWidget(self.period)
        top.addWidget(self.date_from)
        top.addWidget(self.date_dash)
        top.addWidget(self.date_to)
        kind_caption = QLabel(tr("Вид:"), self)
        kind_caption.setBuddy(self.kind_filter)
        top.addWidget(kind_caption)
        top.addWidget(self.kind_filter)
        top.addWidget(self.search, 1)
        self._show_dates(False)

        self.model = EventTableModel(self)
        self.view = QTableView(self)
        self.view.setObjectName("events")
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setWordWrap(False)
        self.view.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.view.verticalHeader().hide()
        self.view.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for column, width in (
            (EventTableModel.COL_DATE, 96),
            (EventTableModel.COL_KIND, 150),
            (EventTableModel.COL_TOPIC, 340),
            (EventTableModel.COL_AUDIENCE, 180),
            (EventTableModel.COL_COVERAGE, 84),
            (EventTableModel.COL_ORGANISER, 180),
        ):
            header.resizeSection(column, width)
        self.view.doubleClicked.connect(self._on_view_double_clicked)
        self.view.selectionModel().currentRowChanged.connect(self._on_current_changed)

        self.add_action = self._action(
            tr("Добавить…"), QKeySequence(Qt.Key.Key_Insert), self.add_event
        )
        self.edit_action = self._action(tr("Изменить…"), None, self._on_edit_triggered)
        self.remove_action = self._action(
            tr("Удалить"), QKeySequence(QKeySequence.StandardKey.Delete), self._on_remove_triggered
        )
        self.add_action.setToolTip(tr("Новое мероприятие (Insert)"))
        self.edit_action.setToolTip(tr("Изменить выбранное мероприятие (Enter, двойной щелчок)"))
        self.remove_action.setToolTip(tr("Удалить выбранное мероприятие (Delete)"))
        self.toolbar = QToolBar(self)
        self.toolbar.setObjectName("event_tools")
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.toolbar.setStyleSheet(
            "QToolBar { border: none; spacing: 4px; }"
            " QToolButton { border: 1px solid #b9bec6; border-radius: 3px; padding: 3px 8px;"
            " background: #f7f8fa; }"
            " QToolButton:hover { background: #e8eef7; }"
            " QToolButton:disabled { color: #9aa0a8; border-color: #d6d9de; }"
        )
        self.toolbar.addActions([self.add_action, self.edit_action, self.remove_action])
        self.count_label = QLabel(self)
        self.count_label.setObjectName("count")
        tools = QHBoxLayout()
        tools.addWidget(self.toolbar, 1)
        tools.addWidget(self.count_label)

        self.detail, detail_area = detail_pane(self, 62)
        self.kind_model = KindTotalsModel(self)
        self.quarter_model = QuarterTotalsModel(self)
        self.kind_view = self._totals_view("kind_totals", self.kind_model)
        self.quarter_view = self._totals_view("quarter_totals", self.quarter_model)
        self.total_label = QLabel(self)
        self.total_label.setObjectName("total")
        self.total_label.setWordWrap(True)
        totals = QWidget(self)
        grid = QHBoxLayout(totals)
        grid.setContentsMargins(0, 0, 0, 0)
        for caption_text, view in (
            (tr("По видам"), self.kind_view),
            (tr("По кварталам"), self.quarter_view),
        ):
            box = QVBoxLayout()
            box.addWidget(QLabel(f"<b>{caption_text}</b>", totals))
            box.addWidget(view, 1)
            grid.addLayout(box, 1)
        side = QVBoxLayout()
        side.addWidget(QLabel(f"<b>{tr('Итого')}</b>", totals))
        side.addWidget(self.total_label)
        side.addStretch(1)
        grid.addLayout(side, 1)

        self.splitter = QSplitter(Qt.Orientation.Vertical, self)
        self.splitter.addWidget(self.view)
        self.splitter.addWidget(detail_area)
        self.splitter.addWidget(totals)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setStretchFactor(0, 5)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setStretchFactor(2, 2)
        self.splitter.setSizes([320, 66, 230])

        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.setSpacing(4)
        layout.addLayout(top)
        layout.addLayout(tools)
        layout.addWidget(self.splitter, 1)
        self._update_actions()

    def _action(self, text: str, key: QKeySequence | None, slot: Any) -> QAction:
        action = QAction(text, self.view)
        if key is not None:
            action.setShortcut(key)
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            self.view.addAction(action)
        action.triggered.connect(slot)
        return action

    def _totals_view(self, name: str, model: Any) -> QTableView:
        view = QTableView(self)
        view.setObjectName(name)
        view.setModel(model)
        view.verticalHeader().hide()
        view.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 6)
        view.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        view.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        header = view.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in (1, 2):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        return view

    # --- reading -------------------------------------------------------------------------------
    def set_database(self, db: Database | None) -> None:
        """Show another database: the period goes back to the latest school year with events."""
        self._period_chosen = False
        super().set_database(db)

    def reload(self) -> None:
        """Read the years, kinds, the events of the selection and their totals again."""
        db = self.db
        if db is None:
            self.model.set_source(None)
            self.kind_model.set_rows([])
            self.quarter_model.set_rows([])
            self.count_label.clear()
            self.total_label.clear()
            self.detail.clear()
            return
        self._fill_filters(db)
        self._show_events()

    def _fill_filters(self, db: Database) -> None:
        years = sorted(set(db.events.school_years()), reverse=True)
        current = self.period.currentData()
        if not self._period_chosen:
            current = years[0] if years else ALL_YEARS
        self._years = years
        self.period.blockSignals(True)
        self.period.clear()
        self.period.addItem(tr("Все годы"), ALL_YEARS)
        for year in years:
            self.period.addItem(tr("%1 учебный год").replace("%1", school_year_label(year)), year)
        self.period.addItem(tr("Период…"), PERIOD)
        self.period.setCurrentIndex(max(self.period.findData(current), 0))
        self.period.blockSignals(False)
        self._show_dates(self.period.currentData() == PERIOD)
        kind = self.kind_filter.currentData()
        self.kind_filter.blockSignals(True)
        self.kind_filter.clear()
        self.kind_filter.addItem(tr("Все виды"), None)
        for name in db.events.kinds():
            self.kind_filter.addItem(name, name)
        self.kind_filter.setCurrentIndex(max(self.kind_filter.findData(kind), 0))
        self.kind_filter.blockSignals(False)

    def query(self) -> EventQuery:
        """The selection the filters ask for."""
        chosen = self.period.currentData()
        start: date | None = None
        end: date | None = None
        if chosen == PERIOD:
            start, end = _pydate(self.date_from.date()), _pydate(self.date_to.date())
        elif isinstance(chosen, int):
            start, end = school_year_period(chosen)
        kind = self.kind_filter.currentData()
        return EventQuery(
            date_from=start,
            date_to=end,
            kind=str(kind) if kind else None,
            search=self.search.text(),
        )

    def _show_events(self, select: int | None = None) -> None:
        db = self.db
        if db is None:
            return
        current = self.current_event()
        wanted = select if select is not None else (current.id if current else None)
        query = self.query()
        repo = db.events
        self.model.set_source(lambda offset, limit: repo.events(query, offset, limit))
        self.model.fetchMore()  # the first page; the view asks for more as it scrolls
        self._show_totals(repo.totals(query))
        if wanted is None or not self.select_event(wanted):
            self._show_detail()
        self._update_actions()

    def _show_totals(self, totals: EventTotals) -> None:
        self.kind_model.set_rows(totals.by_kind)
        self.quarter_model.set_rows(totals.by_quarter)
        events = totals.events
        text = tr("%1 %2, охват %3 чел.").replace("%1", format_number(events, 0))
        text = text.replace(
            "%2", plural(events, tr("мероприятие"), tr("мероприятия"), tr("мероприятий"))
        )
        text = text.replace("%3", format_number(totals.coverage, 0))
        self.count_label.setText(text)
        lines = [text[:1].upper() + text[1:]]
        if totals.without_coverage:
            lines.append(
                tr("Охват не указан у %1.").replace(
                    "%1",
                    f"{totals.without_coverage} "
                    + plural(
                        totals.without_coverage,
                        tr("мероприятия"),
                        tr("мероприятий"),
                        tr("мероприятий"),
                    ),
                )
            )
        if totals.undated:
            lines.append(
                tr("Без даты: %1 (в кварталы не входят).").replace("%1", str(totals.undated))
            )
        if not events:
            lines = [tr("Мероприятий за этот период нет.")]
        self.total_label.setText("\n".join(lines))

    # --- selection -----------------------------------------------------------------------------
    def current_event(self) -> Event | None:
        """The event of the current row."""
        index = self.view.currentIndex()
        if not index.isValid() or index.row() >= self.model.rowCount():
            return None
        return self.model.record(index.row())

    def select_row(self, row: int) -> None:
        """Make a row current and selected, and show it."""
        index = self.model.index(row, EventTableModel.COL_TOPIC)
        self.view.selectionModel().setCurrentIndex(
            index,
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows,
        )
        self.view.scrollTo(index)
        self._show_detail()

    def select_event(self, event_id: int) -> bool:
        """Show an event (fetching pages until it is there); False when the filters hide it."""
        while self.model.row_of(event_id) < 0 and self.model.canFetchMore():
            self.model.fetchMore()
        row = self.model.row_of(event_id)
        if row < 0:
            return False
        self.select_row(row)
        return True

    def _show_detail(self) -> None:
        event = self.current_event()
        if event is None:
            self.detail.setText(tr("Выберите мероприятие, чтобы увидеть его полностью."))
            return
        parts = [
            f"<b>{_escape(date_text(event))}, {_escape(event.kind)}</b>: "
            f"«{_escape(' '.join(event.topic.split()))}»"
        ]
        facts = []
        if event.audience:
            facts.append(tr("для кого: %1").replace("%1", _escape(event.audience)))
        if event.coverage is None:
            facts.append(tr("охват не указан"))
        else:
            facts.append(tr("охват: %1 чел.").replace("%1", coverage_text(event.coverage)))
        if event.organiser:
            facts.append(tr("организатор: %1").replace("%1", _escape(event.organiser)))
        if event.place:
            facts.append(tr("место: %1").replace("%1", _escape(event.place)))
        parts.append("; ".join(facts).removesuffix(".") + ".")
        notes = [_escape(event.notes)] if event.notes else []
        if event.generated and "сгенерирован" not in event.notes:
            notes.append(tr("Сгенерировано для демонстрации."))
        if notes:
            parts.append(f"<i>{' '.join(notes)}</i>")
        self.detail.setText("<br>".join(parts))

    def _update_actions(self) -> None:
        has_db = self.db is not None
        chosen = self.current_event() is not None
        self.add_action.setEnabled(has_db)
        self.edit_action.setEnabled(has_db and chosen)
        self.remove_action.setEnabled(has_db and chosen)

    # --- writing -------------------------------------------------------------------------------
    def _dialog(self, event: Event | None) -> EventDialog:
        db = self.db
        assert db is not None
        suggestions = {
            name: db.events.suggestions(name) for name in ("audience", "organiser", "place")
        }
        return EventDialog(event, db.events.kinds(), suggestions, self)

    def add_event(self) -> EventDialog | None:
        """Open the form of a new event (window-modal); it saves when accepted."""
        if self.db is None:
            return None
        dialog = self._dialog(None)
        dialog.saver = self._save_new
        return self.open_dialog(dialog)

    def _save_new(self, values: dict[str, Any]) -> None:
        db = self.db
        if db is None:
            return
        label = tr("Добавлено мероприятие «%1»").replace("%1", _short(values["topic"]))
        _, event_id = db.events.add(EventDraft(**values), label)
        self.sig_status.emit(label)
        self._reveal(event_id)

    def edit_event(self, event_id: int) -> EventDialog | None:
        """Open the form of an event."""
        db = self.db
        if db is None:
            return None
        try:
            event = db.events.event(event_id)
        except DomainError as exc:
            show_warning(self, tr("Мероприятие не открыто"), describe_error(exc))
            return None
        dialog = self._dialog(event)
        dialog.saver = lambda values: self._save_existing(event, values)
        return self.open_dialog(dialog)

    def _save_existing(self, event: Event, values: dict[str, Any]) -> None:
        db = self.db
        if db is None:
            return
        label = tr("Изменено мероприятие «%1»").replace("%1", _short(values["topic"]))
        info = db.events.update(event.id, values, label)
        self.sig_status.emit(label if info else tr("Мероприятие не изменилось."))
        self._reveal(event.id)

    def remove_event(self, event_id: int) -> ChangeSetInfo | None:
        """Ask, then remove an event; the change set, or None when not removed."""
        db = self.db
        if db is None:
            return None
        try:
            event = db.events.event(event_id)
        except DomainError as exc:
            show_warning(self, tr("Мероприятие не удалено"), describe_error(exc))
            return None
        question = tr("Удалить мероприятие «%1» (%2)? Удаление можно отменить: Правка → Отменить.")
        question = question.replace("%1", _short(event.topic)).replace("%2", date_text(event))
        if not ask_yes_no(self, tr("Удаление мероприятия"), question, tr("Удалить")):
            return None
        label = tr("Удалено мероприятие «%1»").replace("%1", _short(event.topic))
        row = self.model.row_of(event_id)
        try:
            info = db.events.remove(event_id, label)
        except DomainError as exc:
            show_warning(self, tr("Мероприятие не удалено"), describe_error(exc))
            return None
        self.sig_status.emit(label)
        if self.model.rowCount() and row >= 0:
            self.select_row(min(row, self.model.rowCount() - 1))
        return info

    def _reveal(self, event_id: int) -> None:
        """After a write: show the event, widening the period when the filters hide it."""
        if self.select_event(event_id):
            return
        db = self.db
        if db is None:
            return
        event = db.events.event(event_id)
        self.search.clear()
        self.search.cancel_pending()
        self.kind_filter.setCurrentIndex(0)
        year = None
        if event.day is not None:
            year = event.day.year if event.day.month >= 9 else event.day.year - 1
        self._period_chosen = True
        index = self.period.findData(year) if year is not None else -1
        self.period.setCurrentIndex(index if index >= 0 else self.period.findData(ALL_YEARS))
        self._show_dates(False)
        self._show_events(select=event_id)

    # --- reacting ------------------------------------------------------------------------------
    def on_data_changed(self, info: ChangeSetInfo) -> None:
        """Read again: new years may come, totals change with any event."""
        del info
        self.reload()

    def _show_dates(self, shown: bool) -> None:
        for widget in (self.date_from, self.date_to, self.date_dash):
            widget.setVisible(shown)

    def _on_period_activated(self, _index: int) -> None:
        self._period_chosen = True
        chosen = self.period.currentData()
        if chosen == PERIOD:
            # Start from the school year shown before (or the current one).
            year = next((y for y in self._years), current_school_year())
            start, end = school_year_period(year)
            for edit, value in ((self.date_from, start), (self.date_to, end)):
                edit.blockSignals(True)
                edit.setDate(_qdate(value))
                edit.blockSignals(False)
        self._show_dates(chosen == PERIOD)
        self._show_events()

    def _on_filters_changed(self, *_args: object) -> None:
        if self.db is not None:
            self._show_events()

    def _on_current_changed(self, _current: QModelIndex, _previous: QModelIndex) -> None:
        self._show_detail()
        self._update_actions()

    def _on_view_double_clicked(self, index: QModelIndex) -> None:
        if index.isValid():
            self.edit_event(self.model.record(index.row()).id)

    def _on_edit_triggered(self) -> None:
        event = self.current_event()
        if event is not None:
            self.edit_event(event.id)

    def _on_remove_triggered(self) -> None:
        event = self.current_event()
        if event is not None:
            self.remove_event(event.id)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        """Enter on the table opens the current event."""
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.view.hasFocus():
            self._on_edit_triggered()
            return
        super().keyPressEvent(event)


def _short(topic: str, limit: int = 60) -> str:
    text = " ".join(topic.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
