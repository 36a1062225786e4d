"""The page «Журнал тьюторов»: the journal with its filters, the quick entry after a visit, the
coordinator's weekly lists and the chart of visits per school per month.

**Quick entry** (under the journal): a whole entry is typed with the keyboard
alone — Tab goes from field to field in reading order (date, tutor, school,
form, participants, topic, deficits, findings, recommendations, due date,
status, note), the date defaults to today, the tutor and the school complete
from the lists (a few letters anywhere in the name: on leaving the field the
one name they fit is written out), the deficits complete from the growing
reference list (separated by «;», a new name joins the list), the due date
takes «31.10.2022», «31.10» or «+14» (days after the visit).  Ctrl+Enter
saves and leaves the form ready for the next entry (the date and the tutor
stay: a tutor enters the visits of a day one after another); Escape clears
the form, or gives up changing an entry.  Enter or a double click on a row
of the journal loads it into the form to change it.

**Weekly lists** («На неделю»), on a day that defaults to today: follow-ups
overdue, and schools not visited for N days (N is the setting
``journal.no_visit_days``, changed right there and kept in the database).

**Chart** («По месяцам»): visits per school per month of the period chosen
(the latest school year with entries when the whole journal is shown).

**«Дефициты…»** opens the reference list of deficits (``ui/deficits_dialog.py``):
rename, add, remove one no entry names; undoable.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any, ClassVar

from PySide6.QtCore import (
    QDate,
    QEvent,
    QItemSelectionModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QPoint,
    QSignalBlocker,
    QStringListModel,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QAction, QFocusEvent, QIntValidator, QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QCompleter,
    QDateEdit,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QSplitter,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from shnor_desktop.models.changelog import ChangeSetInfo
from shnor_desktop.models.database import Database
from shnor_desktop.models.errors import DomainError
from shnor_desktop.models.fields import FieldIssue, InvalidValueError
from shnor_desktop.models.journal import (
    FOLLOW_UP_STATUSES,
    FORMS,
    MAX_NO_VISIT_DAYS,
    NO_VISIT_DAYS,
    OVERDUE,
    JournalQuery,
    Visit,
    VisitDraft,
    check_visit,
    parse_day,
    school_year_period,
)
from shnor_desktop.models.text import (
    current_school_year,
    fold,
    format_date,
    format_number,
    plural,
    school_year_label,
)
from shnor_desktop.services.messages import describe_error
from shnor_desktop.ui.common import DataBus, Panel
from shnor_desktop.ui.deficits_dialog import DeficitsDialog
from shnor_desktop.ui.district_panel import share_widths
from shnor_desktop.ui.forms import sentence
from shnor_desktop.ui.journal_models import (
    DEFICIT_SEPARATOR,
    JournalModel,
    NoVisitModel,
    OverdueModel,
    deficits_text,
    follow_up_label,
    tr,
)
from shnor_desktop.ui.messages import ask_yes_no, show_warning
from shnor_desktop.ui.widgets import SearchLine, detail_pane, error_label, quoted

JOURNAL_TABLES = frozenset(
    {
        "tutor_visit",
        "tutor_visit_deficit",
        "deficit",
        "person",
        "person_role",
        "school",
        "school_profile",
        "setting",
    }
)
"""The tables the page shows (people and schools: the names; passports: the groups)."""
SUPPORTED_GROUPS = ("shnor", "risk", "prevention")
"""The groups of schools the district supports (the no-visit list may keep only these)."""
HINT_STYLE = "color: #555555;"
SETTING_PAUSE_MS = 700
"""A changed N is stored once the spin box rests this long (not at every arrow click)."""
DETAIL_MIN_HEIGHT = 70
JOURNAL_COLUMN_WIDTHS = (84, 130, 165, 120, 280, 230, 280, 84, 110)
"""Natural widths of the journal's columns (date … status), in pixels."""
MIN_COLUMN_WIDTH = 84
OVERDUE_WIDTHS = (90, 50, 170, 300, 130, 90)
"""Widest the columns of the overdue list grow (due … visit)."""
NO_VISIT_WIDTHS = (170, 105, 110, 50, 130)
"""Widest the columns of the no-visit list grow (school … tutor)."""


# --- helpers --------------------------------------------------------------------------------------


def _date_edit(parent: QWidget, value: date, name: str) -> QDateEdit:
    edit = QDateEdit(parent)
    edit.setObjectName(name)
    edit.setDisplayFormat("dd.MM.yyyy")
    edit.setCalendarPopup(True)
    edit.setMinimumDate(QDate(1990, 1, 1))
    edit.setMaximumDate(QDate(2100, 12, 31))
    _set_day(edit, value)
    return edit


def _set_day(edit: QDateEdit, value: date) -> None:
    edit.setDate(QDate(value.year, value.month, value.day))


def _day_of(edit: QDateEdit) -> date:
    value = edit.date()
    return date(value.year(), value.month(), value.day())


def issue_text(issue: FieldIssue) -> str:
    """Word a problem of a field of the quick entry in Russian (a sentence)."""
    code, field, args = issue.code, issue.field, issue.args
    if code == "required" and field == "tutor_id":
        return tr("Укажите тьютора: начните вводить фамилию и выберите из списка.")
    if code == "required" and field == "school_id":
        return tr("Укажите школу: начните вводить название и выберите из списка.")
    if code == "unknown_name" and field == "tutor_id":
        return tr("Нет такого человека на странице «Люди»: «%1».").replace("%1", str(args[0]))
    if code == "unknown_name" and field == "school_id":
        return tr("Нет такой школы: «%1».").replace("%1", str(args[0]))
    if code == "ambiguous_name":
        return tr("Подходит несколько: %1. Уточните.").replace("%1", ", ".join(args[1:4]))
    if code == "required" and field == "visit_date":
        return tr("Укажите дату посещения, например 05.10.2022.")
    if code == "not_date" and field == "visit_date":
        return tr("Нужна дата, например 05.10.2022, 5.10 или -1 (вчера).")
    if code == "not_date" and field == "due_date":
        return tr("Нужна дата, например 31.10.2022, 31.10 или +14 (дней после посещения).")
    if code == "due_before_visit":
        return tr("Срок не может быть раньше даты посещения.")
    if code == "required" and field == "deficits":
        return tr("Между «;» пустое название дефицита.")
    return sentence(issue)


# --- fields of the quick entry ----------------------------------------------------------------


class NameField(QLineEdit):
    """A line that picks one name of a list: letters anywhere in the name complete it.

    On leaving the field, text that fits exactly one name (case folded, ё as
    е, also in the extra text such as a school's full name) is replaced by
    that name, so a few letters and Tab are enough.
    """

    def __init__(self, name: str, placeholder: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.setPlaceholderText(placeholder)
        self._items: list[tuple[str, int, str]] = []
        self._names = QStringListModel(self)
        completer = QCompleter(self._names, self)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        completer.setMaxVisibleItems(12)
        self.setCompleter(completer)
        self.editingFinished.connect(self._on_editing_finished)

    def set_items(self, items: Sequence[tuple[str, int, str]]) -> None:
        """Offer ``(name, id, extra text searched too)``."""
        self._items = list(items)
        self._names.setStringList([name for name, _, _ in items])

    def matches(self) -> list[tuple[str, int]]:
        """The names the text fits: the exact one alone, else those that contain it.

        Names that hold the text themselves come before those that only hold
        it in their extra text («Знаменский» is «СОШ п. Знаменский», not also
        its branch whose full name mentions the school).
        """
        needle = fold(self.text())
        if not needle:
            return []
        exact = [(n, i) for n, i, _ in self._items if fold(n) == needle]
        if exact:
            return exact[:1]
        named = [(n, i) for n, i, _ in self._items if needle in fold(n)]
        if named:
            return named
        return [(n, i) for n, i, extra in self._items if needle in fold(extra)]

    def value(self) -> int | None:
        """The id of the one name the text fits (None when none or several)."""
        found = self.matches()
        return found[0][1] if len(found) == 1 else None

    def set_value(self, item_id: int | None, fallback: str = "") -> None:
        """Show the name of ``item_id`` (``fallback`` when it is not offered)."""
        name = next((n for n, i, _ in self._items if i == item_id), fallback)
        self.setText(name if item_id is not None else "")

    def issue(self, field: str) -> FieldIssue | None:
        """Why the text picks no name (None when it picks one or is empty)."""
        text = self.text().strip()
        if not text:
            return None
        found = self.matches()
        if not found:
            return FieldIssue(field, "unknown_name", "error", (text,))
        if len(found) > 1:
            return FieldIssue(field, "ambiguous_name", "error", (text, *(n for n, _ in found)))
        return None

    def event(self, event: QEvent) -> bool:
        """Tab writes the name out before it leaves, the completer's list open or not.

        With the list open the completer eats the field's focus-out (and so
        ``editingFinished``); it hands Tab on to the field, which ends up here.
        """
        if (
            isinstance(event, QKeyEvent)
            and event.type() == QEvent.Type.KeyPress
            and event.key() in (Qt.Key.Key_Tab, Qt.Key.Key_Backtab)
        ):
            popup = self.completer().popup()
            if popup is not None:
                popup.hide()
            self._on_editing_finished()
        return super().event(event)

    def _on_editing_finished(self) -> None:
        found = self.matches()
        if len(found) == 1 and self.text() != found[0][0]:
            self.setText(found[0][0])
            self.setCursorPosition(0)


class DateLine(QLineEdit):
    """The date of a visit, typed: «05.10.2022», «5.10», «-1» (yesterday); ↑/↓ a day on.

    A line rather than a ``QDateEdit``: that one clamps a typed «31» to the
    days of the month shown («31.12» typed over a November date becomes
    30.12) and skips a section at a typed dot.  The whole date is selected
    when the field is entered, so typing replaces it.
    """

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.setPlaceholderText(self.tr("дд.мм.гггг"))
        self.setToolTip(
            self.tr(
                "Дата посещения: 05.10.2022, 5.10 или -1 (вчера); ↑ и ↓ — на день вперёд и назад"
            )
        )
        self.setMaximumWidth(110)
        self.reference = date.today()
        self.editingFinished.connect(self._on_editing_finished)

    def day(self) -> date | None:
        """The date typed; raises ValueError when the text is not a date (None: empty)."""
        return parse_day(self.text(), self.reference, ahead=False)

    def set_day(self, value: date) -> None:
        """Show a date."""
        self.setText(format_date(value))

    def focusInEvent(self, event: QFocusEvent) -> None:  # noqa: N802 (Qt's name)
        """Select the date: what is typed replaces it."""
        super().focusInEvent(event)
        QTimer.singleShot(0, self, self.selectAll)  # after the click that may have focused it

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt's name)
        """↑ and ↓ move the date a day on or back."""
        step = {Qt.Key.Key_Up: 1, Qt.Key.Key_Down: -1}.get(Qt.Key(event.key()))
        if step is None:
            super().keyPressEvent(event)
            return
        try:
            current = self.day() or self.reference
        except ValueError:
            current = self.reference
        self.set_day(current + timedelta(days=step))

    def _on_editing_finished(self) -> None:
        try:
            value = self.day()
        except ValueError:
            return  # kept as typed; the save says why
        if value is not None:
            self.set_day(value)


class DeficitCompleter(QCompleter):
    """Completes the last of several names separated by «;» (the deficits of an entry).

    The names before the last «;» are remembered as the user types
    (:meth:`remember`): the completer writes the highlighted name into the
    field while the list is open, and the head must not take it in twice.
    """

    def __init__(self, model: QStringListModel, parent: QObject | None = None) -> None:
        super().__init__(model, parent)
        self._head = ""

    def remember(self, text: str) -> None:
        """Note what the user typed: the names before the last «;» stay as they are."""
        self._head = text[: text.rfind(";") + 1].strip() if ";" in text else ""

    def splitPath(self, path: str) -> list[str]:  # noqa: N802 (Qt's name)
        """Filter by what is typed after the last «;»."""
        return [path.rsplit(";", 1)[-1].strip()]

    def pathFromIndex(self, index: QModelIndex | QPersistentModelIndex) -> str:  # noqa: N802
        """The names typed before, then the chosen one and a «; » for the next."""
        chosen = super().pathFromIndex(index)
        return f"{self._head} {chosen}{DEFICIT_SEPARATOR}".lstrip()


class _Cell(QWidget):
    """A field of the quick entry: its caption above, the editor, the reason below (hidden)."""

    def __init__(self, caption: str, editor: QWidget, parent: QWidget) -> None:
        super().__init__(parent)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(1)
        self.caption = QLabel(caption, self)
        self.caption.setBuddy(editor)
        column.addWidget(self.caption)
        column.addWidget(editor)
        self.error = error_label(self)
        column.addWidget(self.error)


class QuickEntry(QGroupBox):
    """The form under the journal: one entry, typed with the keyboard alone in under a minute.

    ``sig_submit`` on Ctrl+Enter (or the button), ``sig_cancel`` on Escape.
    ``editing_id`` is the entry being changed (None: a new one).
    """

    sig_submit = Signal()
    sig_cancel = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("quick_entry")
        self.editing_id: int | None = None
        self.visit_date = DateLine("entry_date", self)
        self.visit_date.set_day(date.today())
        self.tutor = NameField("entry_tutor", self.tr("фамилия"), self)
        self.school = NameField("entry_school", self.tr("название или село"), self)
        self.form = QComboBox(self)
        self.form.setObjectName("entry_form")
        for form in FORMS:
            self.form.addItem(form, form)
        self.participants = QLineEdit(self)
        self.participants.setObjectName("entry_participants")
        self.participants.setValidator(QIntValidator(0, 100_000, self))
        self.participants.setMaximumWidth(90)
        self.topic = QLineEdit(self)
        self.topic.setObjectName("entry_topic")
        self.deficits = QLineEdit(self)
        self.deficits.setObjectName("entry_deficits")
        self.deficits.setPlaceholderText(self.tr("из списка или новые, через «;»"))
        self._deficit_names = QStringListModel(self)
        completer = DeficitCompleter(self._deficit_names, self)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.deficits.setCompleter(completer)
        self.deficits.textEdited.connect(completer.remember)
        self.deficits.editingFinished.connect(self._on_deficits_editing_finished)
        self.findings = self._text_box("entry_findings")
        self.recommendations = self._text_box("entry_recommendations")
        self.due = QLineEdit(self)
        self.due.setObjectName("entry_due")
        self.due.setPlaceholderText(self.tr("31.10.2022 или +14"))
        self.due.setToolTip(
            self.tr("Дата, «31.10» (год посещения) или «+14» — через сколько дней после посещения")
        )
        self.due.editingFinished.connect(self._on_due_editing_finished)
        self.status = QComboBox(self)
        self.status.setObjectName("entry_status")
        for code in FOLLOW_UP_STATUSES:
            if code != OVERDUE:  # derived from the due date; not chosen by hand
                self.status.addItem(follow_up_label(code), code)
        for combo in (self.form, self.status):  # narrow windows: the text is cut, not the form
            combo.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
            )
            combo.setMinimumContentsLength(8)
        self.note = QLineEdit(self)
        self.note.setObjectName("entry_note")
        self.note.setPlaceholderText(self.tr("что сделано"))
        self.save_button = QPushButton(self.tr("Сохранить"), self)
        self.save_button.setObjectName("entry_save")
        self.save_button.setToolTip(self.tr("Сохранить запись (Ctrl+Enter)"))
        self.save_button.clicked.connect(self.sig_submit)
        self.clear_button = QPushButton(self.tr("Очистить"), self)
        self.clear_button.setObjectName("entry_clear")
        self.clear_button.setToolTip(self.tr("Очистить форму (Esc)"))
        self.clear_button.clicked.connect(self.sig_cancel)
        self.clear_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Tab ends at «Сохранить»
        self.hint = QLabel(
            self.tr("Tab — следующее поле · Ctrl+Enter — сохранить · Esc — очистить"), self
        )
        self.hint.setStyleSheet(HINT_STYLE)
        # On a narrow window the hint is cut rather than widening the page (the keys are
        # also in the buttons' tooltips).
        self.hint.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.hint.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.error = error_label(self, "entry_error")

        self.cells: dict[str, _Cell] = {}
        grid = QGridLayout()
        grid.setHorizontalSpacing(8)
        grid.setVerticalSpacing(2)
        places: tuple[tuple[str, str, QWidget, int, int, int], ...] = (
            ("visit_date", self.tr("Дата"), self.visit_date, 0, 0, 1),
            ("tutor_id", self.tr("Тьютор"), self.tutor, 0, 1, 2),
            ("school_id", self.tr("Школа"), self.school, 0, 3, 2),
            ("form", self.tr("Форма"), self.form, 0, 5, 1),
            ("participants", self.tr("Участников"), self.participants, 0, 6, 1),
            ("topic", self.tr("Тема"), self.topic, 1, 0, 3),
            ("deficits", self.tr("Выявленные дефициты"), self.deficits, 1, 3, 4),
            ("findings", self.tr("Выводы"), self.findings, 2, 0, 3),
            ("recommendations", self.tr("Рекомендации"), self.recommendations, 2, 3, 4),
            ("due_date", self.tr("Срок"), self.due, 3, 0, 1),
            ("follow_up_status", self.tr("Исполнение"), self.status, 3, 1, 1),
            ("follow_up_note", self.tr("Отметка об исполнении"), self.note, 3, 2, 3),
        )
        for name, caption, editor, row, column, span in places:
            cell = _Cell(caption, editor, self)
            self.cells[name] = cell
            grid.addWidget(cell, row, column, 1, span, Qt.AlignmentFlag.AlignTop)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.clear_button)
        grid.addLayout(buttons, 3, 5, 1, 2, Qt.AlignmentFlag.AlignBottom)
        for column, stretch in enumerate((0, 2, 1, 2, 1, 1, 0)):
            grid.setColumnStretch(column, stretch)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.setSpacing(2)
        layout.addLayout(grid)
        bottom = QHBoxLayout()
        bottom.addWidget(self.error, 1)
        bottom.addWidget(self.hint, 1)
        layout.addLayout(bottom)

        order: list[QWidget] = [
            self.visit_date,
            self.tutor,
            self.school,
            self.form,
            self.participants,
            self.topic,
            self.deficits,
            self.findings,
            self.recommendations,
            self.due,
            self.status,
            self.note,
            self.save_button,
        ]
        for first, second in zip(order, order[1:], strict=False):
            QWidget.setTabOrder(first, second)
        context = Qt.ShortcutContext.WidgetWithChildrenShortcut
        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(context)
            shortcut.activated.connect(self.sig_submit)
        cancel = QShortcut(QKeySequence(Qt.Key.Key_Escape), self)
        cancel.setContext(context)
        cancel.activated.connect(self.sig_cancel)
        self.set_editing(None)

    def _text_box(self, name: str) -> QPlainTextEdit:
        box = QPlainTextEdit(self)
        box.setObjectName(name)
        box.setTabChangesFocus(True)  # Tab moves on; the text itself never needs a tab
        line = box.fontMetrics().lineSpacing()
        box.setFixedHeight(int(line * 2.6) + 10)
        box.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        return box

    # --- choices ---------------------------------------------------------------------------
    def set_choices(
        self,
        people: Sequence[tuple[str, int, str]],
        schools: Sequence[tuple[str, int, str]],
        deficits: Sequence[str],
    ) -> None:
        """The names the tutor, school and deficit fields complete from."""
        self.tutor.set_items(people)
        self.school.set_items(schools)
        self._deficit_names.setStringList(list(deficits))

    # --- state -----------------------------------------------------------------------------
    def set_editing(self, visit: Visit | None) -> None:
        """Say whether a new entry is typed or ``visit`` is changed (the title and the button)."""
        self.editing_id = None if visit is None else visit.id
        if visit is None:
            self.setTitle(self.tr("Новая запись"))
            self.save_button.setText(self.tr("Сохранить"))
        else:
            self.setTitle(
                self.tr("Изменение записи от %1 (%2)")
                .replace("%1", format_date(visit.visit_date))
                .replace("%2", visit.school_name or "—")
            )
            self.save_button.setText(self.tr("Сохранить изменения"))

    def load(self, visit: Visit) -> None:
        """Show an entry in the form to change it."""
        self.clear_errors()
        self.set_editing(visit)
        self.visit_date.set_day(visit.visit_date)
        self.tutor.set_value(visit.tutor_id, visit.tutor_name)
        self.school.set_value(visit.school_id, visit.school_name)
        self.form.setCurrentIndex(max(self.form.findData(visit.form), 0))
        self.participants.setText("" if visit.participants is None else str(visit.participants))
        self.topic.setText(visit.topic)
        self.deficits.setText(deficits_text(visit))
        self.findings.setPlainText(visit.findings)
        self.recommendations.setPlainText(visit.recommendations)
        self.due.setText(format_date(visit.due_date))
        self.status.setCurrentIndex(max(self.status.findData(visit.follow_up_status), 0))
        self.note.setText(visit.follow_up_note)
        self.topic.setCursorPosition(0)
        self.deficits.setCursorPosition(0)

    def clear(self, today: date, keep_day_and_tutor: bool) -> None:
        """Empty the form for the next entry (the date and tutor stay when asked)."""
        self.clear_errors()
        self.set_editing(None)
        self.visit_date.reference = today
        if not keep_day_and_tutor:
            self.visit_date.set_day(today)
            self.tutor.clear()
        for line in (self.school, self.participants, self.topic, self.deficits, self.due):
            line.clear()
        self.note.clear()
        self.findings.clear()
        self.recommendations.clear()
        self.form.setCurrentIndex(0)
        self.status.setCurrentIndex(0)

    def is_blank(self) -> bool:
        """True when nothing but the date and tutor was typed (nothing to lose)."""
        lines = (self.school, self.participants, self.topic, self.deficits, self.due, self.note)
        texts = (self.findings, self.recommendations)
        return not any(w.text().strip() for w in lines) and not any(
            t.toPlainText().strip() for t in texts
        )

    # --- reading ---------------------------------------------------------------------------
    def read(self) -> tuple[VisitDraft | None, list[FieldIssue]]:
        """The entry typed and its problems (the draft is None when one is refused)."""
        issues: list[FieldIssue] = []
        for field, line in (("tutor_id", self.tutor), ("school_id", self.school)):
            problem = line.issue(field)
            if problem is not None:
                issues.append(problem)
        visit_day: date | None = None
        try:
            visit_day = self.visit_date.day()
        except ValueError:
            issues.append(FieldIssue("visit_date", "not_date", "error", (self.visit_date.text(),)))
        due_text = self.due.text()
        due: date | None = None
        try:
            due = parse_day(due_text, visit_day or self.visit_date.reference)
        except ValueError:
            issues.append(FieldIssue("due_date", "not_date", "error", (due_text,)))
        participants = self.participants.text().strip()
        draft = VisitDraft(
            visit_date=visit_day or self.visit_date.reference,
            tutor_id=self.tutor.value(),
            school_id=self.school.value(),
            form=str(self.form.currentData()),
            topic=self.topic.text().strip(),
            participants=int(participants) if participants else None,
            findings=self.findings.toPlainText().strip(),
            recommendations=self.recommendations.toPlainText().strip(),
            due_date=due,
            follow_up_status=str(self.status.currentData()),
            follow_up_note=self.note.text().strip(),
            deficits=self.deficit_names(),
        )
        flagged = {i.field for i in issues}
        if visit_day is None and "visit_date" not in flagged:
            issues.append(FieldIssue("visit_date", "required", "error"))
            flagged.add("visit_date")
        issues += [i for i in check_visit(draft) if i.field not in flagged]
        return (None if issues else draft), issues

    def clear_errors(self) -> None:
        """Hide every reason shown."""
        for cell in self.cells.values():
            cell.error.clear()
            cell.error.hide()
        self.error.clear()
        self.error.hide()

    def show_issues(self, issues: Sequence[FieldIssue]) -> None:
        """Show each reason under its field and put the cursor in the first such field."""
        self.clear_errors()
        general: list[str] = []
        first: QWidget | None = None
        order = list(self.cells)  # the fields in reading (and Tab) order
        for issue in sorted(issues, key=lambda i: order.index(i.field) if i.field in order else 99):
            cell = self.cells.get(issue.field)
            if cell is None:
                general.append(issue_text(issue))
                continue
            cell.error.setText(issue_text(issue))
            cell.error.show()
            if first is None:
                first = cell.caption.buddy()
        if general:
            self.show_error(" ".join(general))
        if first is not None:
            first.setFocus(Qt.FocusReason.OtherFocusReason)

    def show_error(self, text: str) -> None:
        """Show a reason that concerns the whole entry."""
        self.error.setText(text)
        self.error.show()

    def deficit_names(self) -> tuple[str, ...]:
        """The deficits typed, in order (empty parts left out)."""
        return tuple(part.strip() for part in self.deficits.text().split(";") if part.strip())

    def _on_deficits_editing_finished(self) -> None:
        # «a;  b; » reads as «a; b», from its start (the end of a long list is not what matters).
        self.deficits.setText(DEFICIT_SEPARATOR.join(self.deficit_names()))
        self.deficits.setCursorPosition(0)

    def _on_due_editing_finished(self) -> None:
        try:
            due = parse_day(self.due.text(), self.visit_date.day() or self.visit_date.reference)
        except ValueError:
            return  # kept as typed; the save says why
        if due is not None:
            self.due.setText(format_date(due))


# --- the panel ---------------------------------------------------------------------------------


class JournalPanel(Panel):
    """The tutor journal: filters and the table, the quick entry, weekly lists, the chart."""

    TITLE = "Журнал тьюторов"  # source string, context "Panel"
    TABLES: ClassVar[frozenset[str]] = JOURNAL_TABLES

    def __init__(self, bus: DataBus, parent: QWidget | None = None) -> None:
        super().__init__(bus, parent)
        #: The day the page counts from (None: the real today); tests fix it.
        self.today: date | None = None
        self.chart: Any = None
        self.context_menu: QMenu | None = None
        self._order = ("date", True)
        self._total = 0
        self._week_stale = True
        self._chart_stale = True
        self._setting_timer = QTimer(self)
        self._setting_timer.setSingleShot(True)
        self._setting_timer.setInterval(SETTING_PAUSE_MS)
        self._setting_timer.timeout.connect(self._on_setting_timer_timeout)
        self._build()
        self.reload()

    def current_day(self) -> date:
        """The day the page counts from (``today``, or the real today)."""
        return self.today or date.today()

    def set_database(self, db: Database | None) -> None:
        """Show another database: an empty form, the lists on the page's day."""
        self._week_day_chosen = False
        self.entry.clear(self.current_day(), keep_day_and_tutor=False)
        super().set_database(db)

    # --- layout ----------------------------------------------------------------------------
    def _build(self) -> None:
        self.period = self._combo("period_filter")
        self.period.setToolTip(self.tr("Учебный год или свой период"))
        self.period_from = _date_edit(self, date.today(), "period_from")
        self.period_to = _date_edit(self, date.today(), "period_to")
        self.period_from.dateChanged.connect(self._on_filters_changed)
        self.period_to.dateChanged.connect(self._on_filters_changed)
        self.period_dash = QLabel("–", self)
        self.tutor_filter = self._combo("tutor_filter")
        self.school_filter = self._combo("school_filter")
        self.form_filter = self._combo("form_filter")
        self.form_filter.addItem(self.tr("Все формы"), None)
        for form in FORMS:
            self.form_filter.addItem(form, form)
        self.status_filter = self._combo("status_filter")
        self.status_filter.addItem(self.tr("Любое исполнение"), None)
        for code in (OVERDUE, "open", "in_progress", "done", "not_required"):
            self.status_filter.addItem(follow_up_label(code), code)
        self.search = SearchLine(self.tr("Поиск: тема, выводы, дефициты, школа, тьютор"), self)
        self.search.setObjectName("search")
        self.search.sig_search.connect(self._on_filters_changed)
        self.count_label = QLabel(self)
        self.count_label.setObjectName("count")
        self.reset_button = QPushButton(self.tr("Сбросить"), self)
        self.reset_button.setToolTip(self.tr("Показать весь журнал"))
        self.reset_button.clicked.connect(self.clear_filters)
        self.deficits_button = QPushButton(self.tr("Дефициты…"), self)
        self.deficits_button.setObjectName("deficits_button")
        self.deficits_button.setToolTip(
            self.tr("Справочник дефицитов: добавить, переименовать, удалить")
        )
        self.deficits_button.clicked.connect(self.open_deficits)
        first = QHBoxLayout()
        first.addWidget(QLabel(self.tr("Период:"), self))
        first.addWidget(self.period, 1)
        first.addWidget(self.period_from)
        first.addWidget(self.period_dash)
        first.addWidget(self.period_to)
        first.addWidget(self.tutor_filter, 1)
        first.addWidget(self.school_filter, 1)
        second = QHBoxLayout()
        second.addWidget(self.form_filter, 1)
        second.addWidget(self.status_filter, 1)
        second.addWidget(self.search, 3)
        second.addWidget(self.count_label)
        second.addWidget(self.reset_button)
        second.addWidget(self.deficits_button)

        self.tabs = QTabWidget(self)
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self._build_entries(), self.tr("Записи"))
        self.week_page = self._build_week()
        self.tabs.addTab(self.week_page, self.tr("На неделю"))
        self.chart_page = QWidget(self)
        QVBoxLayout(self.chart_page).setContentsMargins(0, 4, 0, 0)
        self.tabs.addTab(self.chart_page, self.tr("По месяцам"))
        self.tabs.currentChanged.connect(self._on_tabs_current_changed)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.setSpacing(4)
        layout.addLayout(first)
        layout.addLayout(second)
        layout.addWidget(self.tabs, 1)
        self._show_custom_period(False)
        # Ctrl+E: to the quick entry from anywhere on the page (its first field, selected).
        to_entry = QShortcut(QKeySequence("Ctrl+E"), self)
        to_entry.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        to_entry.activated.connect(self.start_entry)

    def open_deficits(self) -> DeficitsDialog | None:
        """Open the reference list of deficits (add, rename, remove; undoable)."""
        if self.db is None:
            return None
        return self.open_dialog(DeficitsDialog(self.db, self.bus, self))

    def _combo(self, name: str) -> QComboBox:
        combo = QComboBox(self)
        combo.setObjectName(name)
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        combo.setMinimumContentsLength(10)
        combo.activated.connect(self._on_filters_changed)
        return combo

    def _build_entries(self) -> QWidget:
        page = QWidget(self)
        self.model = JournalModel(self)
        self.model.sig_order_changed.connect(self._on_model_order_changed)
        self.view = QTableView(page)
        self.view.setObjectName("journal_view")
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QTableView.EditTrigger.NoEditTriggers)
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.view.customContextMenuRequested.connect(self._on_view_context_menu_requested)
        self.view.setAlternatingRowColors(True)
        self.view.setWordWrap(False)
        self.view.verticalHeader().hide()
        header = self.view.horizontalHeader()
        header.setSortIndicatorShown(True)
        header.setSortIndicator(JournalModel.COL_DATE, Qt.SortOrder.DescendingOrder)
        header.setSectionsClickable(True)
        header.sectionClicked.connect(self._on_header_section_clicked)
        header.setStretchLastSection(False)
        self.view.viewport().installEventFilter(self)
        self.view.doubleClicked.connect(self._on_view_double_clicked)
        self.view.selectionModel().currentRowChanged.connect(self._on_view_current_row_changed)
        self.edit_action = QAction(self.tr("Изменить"), self.view)
        self.edit_action.setShortcut(QKeySequence(Qt.Key.Key_Return))
        self.done_action = QAction(self.tr("Отметить: рекомендации выполнены"), self.view)
        self.done_action.setShortcut(QKeySequence("Ctrl+D"))
        self.remove_action = QAction(self.tr("Удалить…"), self.view)
        self.remove_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Delete))
        for action in (self.edit_action, self.done_action, self.remove_action):
            action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
            self.view.addAction(action)
        self.edit_action.triggered.connect(self._on_edit_action_triggered)
        self.done_action.triggered.connect(self._on_done_action_triggered)
        self.remove_action.triggered.connect(self._on_remove_action_triggered)
        self.detail, detail_area = detail_pane(page, DETAIL_MIN_HEIGHT)
        self.entry = QuickEntry(page)
        self.entry.sig_submit.connect(self._on_entry_submit)
        self.entry.sig_cancel.connect(self._on_entry_cancel)
        top = QSplitter(Qt.Orientation.Vertical, page)
        top.addWidget(self.view)
        top.addWidget(detail_area)
        top.setStretchFactor(0, 4)
        top.setStretchFactor(1, 1)
        top.setChildrenCollapsible(False)
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(top, 1)
        layout.addWidget(self.entry)
        return page

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        """Share the journal's width among its columns whenever the table changes width."""
        if watched is self.view.viewport() and event.type() == QEvent.Type.Resize:
            self._fit_columns()
        return super().eventFilter(watched, event)

    def _fit_columns(self) -> None:
        """Each column its natural width when there is room, else the widest ones narrowed."""
        widths = share_widths(
            list(JOURNAL_COLUMN_WIDTHS), self.view.viewport().width(), MIN_COLUMN_WIDTH
        )
        spare = self.view.viewport().width() - sum(widths)
        if spare > 0:  # room to spare goes to the texts
            for column in (JournalModel.COL_TOPIC, JournalModel.COL_RECOMMENDATIONS):
                widths[column] += spare // 2
        for column, width in enumerate(widths):
            self.view.setColumnWidth(column, width)

    def _build_week(self) -> QWidget:
        page = QWidget(self)
        self.week_day = _date_edit(page, date.today(), "week_day")
        self.week_day.dateChanged.connect(self._on_week_day_date_changed)
        #: The lists follow the page's day until the user picks another.
        self._week_day_chosen = False
        self.overdue_model = OverdueModel(self)
        self.overdue_view = self._list_view(page, self.overdue_model, "overdue_view")
        self.overdue_view.doubleClicked.connect(self._on_overdue_view_double_clicked)
        self.overdue_box = QGroupBox(page)
        box = QVBoxLayout(self.overdue_box)
        note = QLabel(
            self.tr("Срок прошёл, а рекомендации не выполнены. Двойной щелчок — открыть.")
        )
        note.setStyleSheet(HINT_STYLE)
        note.setWordWrap(True)
        box.addWidget(note)
        box.addWidget(self.overdue_view, 1)

        self.no_visit_days = QSpinBox(page)
        self.no_visit_days.setObjectName("no_visit_days")
        self.no_visit_days.setRange(1, MAX_NO_VISIT_DAYS)
        self.no_visit_days.setToolTip(
            self.tr("Сколько дней без посещения считать долгим сроком (сохраняется в базе)")
        )
        self.no_visit_days.valueChanged.connect(self._on_no_visit_days_value_changed)
        self.supported_only = QCheckBox(self.tr("только школы групп сопровождения"), page)
        self.supported_only.setToolTip(
            self.tr("ШНОР, зона риска и профилактика учебной неуспешности в учебном году даты")
        )
        self.supported_only.setObjectName("supported_only")
        self.supported_only.setChecked(True)
        self.supported_only.toggled.connect(self._on_week_changed)
        self.no_visit_model = NoVisitModel(self)
        self.no_visit_view = self._list_view(page, self.no_visit_model, "no_visit_view")
        self.no_visit_box = QGroupBox(page)
        box = QVBoxLayout(self.no_visit_box)
        line = QHBoxLayout()
        line.addWidget(QLabel(self.tr("Не было посещения"), page))
        line.addWidget(self.no_visit_days)
        line.addWidget(QLabel(self.tr("дней и дольше"), page))
        line.addStretch(1)
        box.addLayout(line)
        box.addWidget(self.supported_only)
        box.addWidget(self.no_visit_view, 1)

        top = QHBoxLayout()
        top.addWidget(QLabel(self.tr("На дату:"), page))
        top.addWidget(self.week_day)
        hint = QLabel(self.tr("Списки, которые координатор смотрит каждую неделю"), page)
        hint.setStyleSheet(HINT_STYLE)
        top.addWidget(hint, 1)
        lists = QSplitter(Qt.Orientation.Horizontal, page)
        lists.addWidget(self.overdue_box)
        lists.addWidget(self.no_visit_box)
        lists.setChildrenCollapsible(False)
        lists.setStretchFactor(0, 3)
        lists.setStretchFactor(1, 2)
        lists.setSizes([560, 460])  # the recommendations need the room
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.addLayout(top)
        layout.addWidget(lists, 1)
        return page

    def _list_view(self, parent: QWidget, model: Any, name: str) -> QTableView:
        view = QTableView(parent)
        view.setObjectName(name)
        view.setModel(model)
        view.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        view.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        view.setEditTriggers(QTableView.EditTrigger.NoEditTriggers)
        view.setAlternatingRowColors(True)
        view.setWordWrap(False)
        view.verticalHeader().hide()
        view.horizontalHeader().setStretchLastSection(True)
        return view

    # --- reading ---------------------------------------------------------------------------
    def query(self) -> JournalQuery:
        """The filters as a query of the journal."""
        key, descending = self._order
        return JournalQuery(
            period=self.period_filter(),
            tutor_id=self.tutor_filter.currentData(),
            school_id=self.school_filter.currentData(),
            form=self.form_filter.currentData(),
            follow_up=self.status_filter.currentData(),
            search=self.search.text(),
            today=self.current_day(),
            order=key,
            descending=descending,
        )

    def period_filter(self) -> tuple[date, date] | None:
        """The period chosen (None: the whole journal)."""
        data = self.period.currentData()
        if data == "custom":
            start, end = _day_of(self.period_from), _day_of(self.period_to)
            return (start, end) if start <= end else (end, start)
        if isinstance(data, int):
            return school_year_period(data)
        return None

    def reload(self) -> None:
        """Read the lists, the journal, the weekly lists (and the chart when shown) again."""
        db = self.db
        self.setEnabled(db is not None)
        if db is None:
            self.model.read_from(None)
            self.overdue_model.set_rows([])
            self.no_visit_model.set_rows([])
            return
        self._fill_choices()
        with QSignalBlocker(self.no_visit_days):
            self.no_visit_days.setValue(int(db.settings.get(NO_VISIT_DAYS)))
        if not self._week_day_chosen:
            with QSignalBlocker(self.week_day):
                _set_day(self.week_day, self.current_day())
        self.entry.visit_date.reference = self.current_day()
        if not self.entry.tutor.text() and self.entry.is_blank():
            self.entry.visit_date.set_day(self.current_day())
        self._read_journal()
        # The weekly lists and the chart are read when their tab is shown (a region's
        # overdue list is thousands of rows: not worth reading on every saved entry).
        self._week_stale = True
        self._chart_stale = True
        self._read_shown_tab()

    def _fill_choices(self) -> None:
        db = self.db
        assert db is not None
        people = db.district.people()
        schools = db.schools.all_schools()
        tutors = {p.id for p in db.district.people("tutor")}
        used = db.journal.tutor_ids()
        self.entry.set_choices(
            [(p.full_name, p.id, p.position) for p in people],
            [(s.short_name, s.id, f"{s.full_name} {s.locality} {s.code}") for s in schools],
            db.journal.deficit_names(),
        )
        self._refill(
            self.tutor_filter,
            self.tr("Все тьюторы"),
            [(p.full_name, p.id) for p in people if p.id in tutors or p.id in used],
        )
        self._refill(
            self.school_filter, self.tr("Все школы"), [(s.short_name, s.id) for s in schools]
        )
        years = db.journal.years()
        items: list[tuple[str, Any]] = [(self.tr("Весь журнал"), None)]
        items += [
            (self.tr("%1 учебный год").replace("%1", school_year_label(y)), y)
            for y in reversed(years)
        ]
        items.append((self.tr("Свой период…"), "custom"))
        current = self.period.currentData()
        with QSignalBlocker(self.period):
            self.period.clear()
            for text, data in items:
                self.period.addItem(text, data)
            self.period.setCurrentIndex(max(self.period.findData(current), 0))

    @staticmethod
    def _refill(combo: QComboBox, all_text: str, items: Sequence[tuple[str, int]]) -> None:
        current = combo.currentData()
        with QSignalBlocker(combo):
            combo.clear()
            combo.addItem(all_text, None)
            for text, data in items:
                combo.addItem(text, data)
            combo.setCurrentIndex(max(combo.findData(current), 0))

    def _read_journal(self) -> None:
        db = self.db
        assert db is not None
        query = self.query()
        self.model.today = query.today or date.today()
        self._total = db.journal.count(query)
        selected = self.selected_visit_id()
        self.model.read_from(
            lambda offset, limit: db.journal.visits(query, offset=offset, limit=limit)
        )
        self.count_label.setText(
            self.tr("%1 %2")
            .replace("%1", format_number(self._total, 0))
            .replace(
                "%2", plural(self._total, self.tr("запись"), self.tr("записи"), self.tr("записей"))
            )
        )
        if selected is not None:
            self.select_visit(selected)
        self._show_detail()

    def _read_week(self) -> None:
        db = self.db
        assert db is not None
        self._week_stale = False
        day = _day_of(self.week_day)
        overdue = db.journal.overdue_follow_ups(day)
        self.overdue_model.today = day
        self.overdue_model.set_rows(overdue)
        self.overdue_box.setTitle(
            self.tr("Просроченные рекомендации: %1").replace("%1", str(len(overdue)))
        )
        days = self.no_visit_days.value()
        groups = SUPPORTED_GROUPS if self.supported_only.isChecked() else ()
        rows = db.journal.schools_without_visit(
            days, day, year=current_school_year(day), groups=groups
        )
        self.no_visit_model.set_rows(rows)
        self.no_visit_box.setTitle(
            self.tr("Школы без посещения %1 дней и дольше: %2")
            .replace("%1", str(days))
            .replace("%2", str(len(rows)))
        )
        for view, caps in (
            (self.overdue_view, OVERDUE_WIDTHS),
            (self.no_visit_view, NO_VISIT_WIDTHS),
        ):
            view.resizeColumnsToContents()
            for column, cap in enumerate(caps):
                view.setColumnWidth(column, min(view.columnWidth(column), cap))

    # --- selection and the detail pane ------------------------------------------------------
    def selected_visit_id(self) -> int | None:
        """The entry selected in the journal (None when none is)."""
        rows = self.view.selectionModel().selectedRows()
        if not rows:
            return None
        return int(self.model.record(rows[0].row()).id)

    def select_visit(self, visit_id: int) -> bool:
        """Select an entry among the rows read; False when it is not shown."""
        row = self.model.row_of_id(visit_id)
        if row < 0:
            return False
        index = self.model.index(row, 0)
        self.view.selectionModel().setCurrentIndex(
            index,
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows,
        )
        self.view.scrollTo(index)
        return True

    def _selected_visit(self) -> Visit | None:
        rows = self.view.selectionModel().selectedRows()
        return self.model.record(rows[0].row()) if rows else None

    def _on_view_current_row_changed(self, *_args: object) -> None:
        self._show_detail()

    def _show_detail(self) -> None:
        visit = self._selected_visit()
        if visit is None:
            self.detail.setText(
                self.tr("Выберите запись, чтобы прочитать её целиком. Enter — изменить.")
            )
            return
        self.detail.setText(self.detail_html(visit))

    def detail_html(self, visit: Visit) -> str:
        """An entry in full, as the pane under the journal shows it."""
        today = self.current_day()

        def line(caption: str, text: str) -> str:
            if not text:
                return ""
            body = html.escape(text).replace("\n", "<br>")
            return f"<b>{html.escape(caption)}:</b> {body}<br>"

        head = " · ".join(
            html.escape(part)
            for part in (
                format_date(visit.visit_date),
                visit.form,
                visit.school_full_name or visit.school_name,
                visit.tutor_name,
            )
            if part
        )
        status = follow_up_label(visit.status_on(today))
        if visit.is_overdue(today):
            status += " " + self.tr("(на %1 дн.)").replace("%1", str(visit.days_overdue(today)))
        due = format_date(visit.due_date)
        follow = f"{status}, {self.tr('срок')} {due}" if due else status
        parts = [
            f"<b>{head}</b><br>",
            line(self.tr("Тема"), visit.topic),
            line(
                self.tr("Участников"),
                "" if visit.participants is None else str(visit.participants),
            ),
            line(self.tr("Дефициты"), deficits_text(visit)),
            line(self.tr("Выводы"), visit.findings),
            line(self.tr("Рекомендации"), visit.recommendations),
            line(self.tr("Исполнение"), follow),
            line(self.tr("Отметка"), visit.follow_up_note),
        ]
        if visit.generated:
            parts.append(f"<i>{html.escape(self.tr('Запись сгенерирована для демонстрации.'))}</i>")
        return "".join(parts)

    # --- filters ---------------------------------------------------------------------------
    def _show_custom_period(self, shown: bool) -> None:
        for widget in (self.period_from, self.period_dash, self.period_to):
            widget.setVisible(shown)

    def _on_filters_changed(self, *_args: object) -> None:
        custom = self.period.currentData() == "custom"
        if custom and not self.period_from.isVisible():
            # A custom period starts as the school year under way; the dates are then typed.
            start, end = school_year_period(current_school_year(self.current_day()))
            with QSignalBlocker(self.period_from), QSignalBlocker(self.period_to):
                _set_day(self.period_from, start)
                _set_day(self.period_to, end)
        self._show_custom_period(custom)
        if self.db is None:
            return
        self.search.cancel_pending()
        self._read_journal()
        self._chart_stale = True
        self._read_shown_tab()

    def clear_filters(self) -> None:
        """Show the whole journal (every filter back to «all»)."""
        for combo in (
            self.period,
            self.tutor_filter,
            self.school_filter,
            self.form_filter,
            self.status_filter,
        ):
            with QSignalBlocker(combo):
                combo.setCurrentIndex(0)
        with QSignalBlocker(self.search):
            self.search.clear()
        self._on_filters_changed()

    def _on_header_section_clicked(self, column: int) -> None:
        key = JournalModel.ORDER_KEYS.get(column)
        header = self.view.horizontalHeader()
        if key is None:  # not an order of the repository: keep the indicator where it was
            current = next(
                (c for c, k in JournalModel.ORDER_KEYS.items() if k == self._order[0]),
                JournalModel.COL_DATE,
            )
            header.setSortIndicator(
                current,
                Qt.SortOrder.DescendingOrder if self._order[1] else Qt.SortOrder.AscendingOrder,
            )
            return
        descending = header.sortIndicatorOrder() == Qt.SortOrder.DescendingOrder
        self._on_model_order_changed(key, descending)

    def _on_model_order_changed(self, key: str, descending: bool) -> None:
        if (key, descending) == self._order:
            return
        self._order = (key, descending)
        if self.db is not None:
            self._read_journal()

    # --- the quick entry -------------------------------------------------------------------
    def _on_entry_submit(self) -> None:
        self.save_entry()

    def save_entry(self) -> int | None:
        """Write the entry of the form (new or changed); return its id, None when refused."""
        db = self.db
        entry = self.entry
        if db is None:
            return None
        draft, issues = entry.read()
        if draft is None:
            entry.show_issues(issues)
            return None
        school = entry.school.text()
        editing = entry.editing_id
        try:
            if editing is None:
                label = (
                    self.tr("Запись журнала тьютора: %1, %2")
                    .replace("%1", format_date(draft.visit_date))
                    .replace("%2", school)
                )
                _, visit_id = db.journal.add_visit(draft, label)
                done = (
                    self.tr("Запись сохранена: %1, %2.")
                    .replace("%1", format_date(draft.visit_date))
                    .replace("%2", school)
                )
            else:
                label = (
                    self.tr("Изменение записи журнала тьютора: %1, %2")
                    .replace("%1", format_date(draft.visit_date))
                    .replace("%2", school)
                )
                visit_id = editing
                info: ChangeSetInfo | None = db.journal.update_visit(editing, draft, label)
                done = (
                    self.tr("Запись изменена.")
                    if info is not None
                    else self.tr("Запись не изменилась.")
                )
        except InvalidValueError as exc:
            entry.show_issues([exc.issue])
            return None
        except DomainError as exc:
            entry.show_error(describe_error(exc))
            return None
        entry.clear(self.current_day(), keep_day_and_tutor=editing is None)
        (entry.tutor if editing is not None else entry.school).setFocus(
            Qt.FocusReason.OtherFocusReason
        )
        self.sig_status.emit(done)
        self.select_visit(visit_id)
        return visit_id

    def _on_entry_cancel(self) -> None:
        editing = self.entry.editing_id is not None
        self.entry.clear(self.current_day(), keep_day_and_tutor=False)
        self.entry.visit_date.setFocus(Qt.FocusReason.OtherFocusReason)
        if editing:
            self.sig_status.emit(self.tr("Изменение записи отменено."))

    def start_entry(self) -> None:
        """Show the journal and put the cursor in the date of the quick entry."""
        self.tabs.setCurrentIndex(0)
        self.entry.visit_date.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.entry.visit_date.selectAll()

    def edit_visit(self, visit_id: int) -> bool:
        """Load an entry into the form to change it; False when it is gone."""
        db = self.db
        if db is None:
            return False
        try:
            visit = db.journal.visit(visit_id)
        except DomainError:
            return False
        self.tabs.setCurrentIndex(0)
        self.entry.load(visit)
        self.entry.topic.setFocus(Qt.FocusReason.OtherFocusReason)
        return True

    def _on_view_double_clicked(self, index: QModelIndex) -> None:
        self.edit_visit(int(self.model.record(index.row()).id))

    def _on_edit_action_triggered(self) -> None:
        visit_id = self.selected_visit_id()
        if visit_id is not None:
            self.edit_visit(visit_id)

    def _on_done_action_triggered(self) -> None:
        visit = self._selected_visit()
        if visit is not None:
            self.mark_done(visit.id)

    def mark_done(self, visit_id: int) -> bool:
        """Mark the recommendations of an entry as done (one change set)."""
        db = self.db
        if db is None:
            return False
        try:
            visit = db.journal.visit(visit_id)
            info = db.journal.set_follow_up(
                visit_id,
                "done",
                self.tr("Рекомендации выполнены: %1, %2")
                .replace("%1", format_date(visit.visit_date))
                .replace("%2", visit.school_name),
            )
        except DomainError as exc:
            show_warning(self, self.tr("Отметка не сохранена"), describe_error(exc))
            return False
        self.sig_status.emit(
            self.tr("Рекомендации отмечены выполненными.")
            if info is not None
            else self.tr("Рекомендации уже отмечены выполненными.")
        )
        return True

    def _on_remove_action_triggered(self) -> None:
        visit_id = self.selected_visit_id()
        if visit_id is not None:
            self.remove_visit(visit_id)

    def remove_visit(self, visit_id: int) -> bool:
        """Ask, then remove an entry; True when it was removed."""
        db = self.db
        if db is None:
            return False
        try:
            visit = db.journal.visit(visit_id)
        except DomainError as exc:
            show_warning(self, self.tr("Запись не удалена"), describe_error(exc))
            return False
        what = self.tr("запись от %1 (%2, %3)").replace("%1", format_date(visit.visit_date))
        what = what.replace("%2", visit.school_name or "—").replace("%3", visit.tutor_name or "—")
        if not ask_yes_no(
            self,
            self.tr("Удаление записи журнала"),
            self.tr("Удалить %1? Удаление можно отменить: Правка → Отменить.").replace("%1", what),
            self.tr("Удалить"),
        ):
            return False
        label = self.tr("Удалена %1").replace("%1", what)
        try:
            db.journal.remove_visit(visit_id, label)
        except DomainError as exc:
            show_warning(self, self.tr("Запись не удалена"), describe_error(exc))
            return False
        if self.entry.editing_id == visit_id:
            self.entry.clear(self.current_day(), keep_day_and_tutor=False)
        self.sig_status.emit(label + ".")
        return True

    def _on_view_context_menu_requested(self, pos: QPoint) -> None:
        index = self.view.indexAt(pos)
        if index.isValid():
            self.select_visit(int(self.model.record(index.row()).id))
        has_row = self.selected_visit_id() is not None
        for action in (self.edit_action, self.done_action, self.remove_action):
            action.setEnabled(has_row)
        menu = QMenu(self)
        menu.addActions([self.edit_action, self.done_action])
        menu.addSeparator()
        menu.addAction(self.remove_action)
        menu.aboutToHide.connect(menu.deleteLater)
        self.context_menu = menu
        menu.popup(self.view.viewport().mapToGlobal(pos))

    # --- the weekly lists ------------------------------------------------------------------
    def _on_week_day_date_changed(self, *_args: object) -> None:
        self._week_day_chosen = True
        self._on_week_changed()

    def _on_week_changed(self, *_args: object) -> None:
        if self.db is not None:
            self._read_week()

    def _on_no_visit_days_value_changed(self, _value: int) -> None:
        if self.db is None:
            return
        self._read_week()
        self._setting_timer.start()

    def _on_setting_timer_timeout(self) -> None:
        self.store_no_visit_days()

    def store_no_visit_days(self) -> ChangeSetInfo | None:
        """Keep the N of the no-visit list in the database (a setting; undone like any change)."""
        db = self.db
        self._setting_timer.stop()
        if db is None:
            return None
        days = self.no_visit_days.value()
        try:
            info = db.settings.set(
                NO_VISIT_DAYS,
                days,
                self.tr("Школы без посещения: %1 дней").replace("%1", str(days)),
            )
        except DomainError as exc:
            show_warning(self, self.tr("Настройка не сохранена"), describe_error(exc))
            return None
        return info

    def _on_overdue_view_double_clicked(self, index: QModelIndex) -> None:
        self.edit_visit(int(self.overdue_model.record(index.row()).id))

    # --- the chart -------------------------------------------------------------------------
    def _on_tabs_current_changed(self, _index: int) -> None:
        self._read_shown_tab()

    def _read_shown_tab(self) -> None:
        if self.db is None:
            return
        if self.tabs.currentWidget() is self.week_page and self._week_stale:
            self._read_week()
        elif self.tabs.currentWidget() is self.chart_page and self._chart_stale:
            self._update_chart()

    def chart_period(self) -> tuple[date, date]:
        """The period the chart shows: the filter's, else the school year of the latest entry."""
        period = self.period_filter()
        if period is not None:
            return period
        db = self.db
        last = db.journal.last_visit_date() if db is not None else None
        return school_year_period(current_school_year(last or self.current_day()))

    def _update_chart(self) -> None:
        db = self.db
        if db is None:
            return
        self._chart_stale = False
        if self.chart is None:
            # pyqtgraph costs 0,6 s to import: only when the chart is first shown.
            from shnor_desktop.ui.journal_chart import VisitsChart

            self.chart = VisitsChart(self.chart_page)
            layout = self.chart_page.layout()
            assert layout is not None
            layout.addWidget(self.chart)
        query = self.query()
        period = self.chart_period()
        monthly = db.journal.visits_per_month(
            None if query.school_id is None else [query.school_id],
            period,
            tutor_id=query.tutor_id,
        )
        start, end = period
        if (start.month, start.day, end.month, end.day) == (9, 1, 8, 31) and (
            end.year == start.year + 1
        ):
            when = self.tr("%1 учебный год").replace("%1", school_year_label(start.year))
        else:
            when = (
                self.tr("с %1 по %2")
                .replace("%1", format_date(start))
                .replace("%2", format_date(end))
            )
        title = self.tr("Посещения школ по месяцам, %1").replace("%1", when)
        if query.tutor_id is not None:
            title += " · " + self.tutor_filter.currentText()
        if query.school_id is not None:
            title += " · " + quoted(self.school_filter.currentText())
        self.chart.set_data(monthly, title)
