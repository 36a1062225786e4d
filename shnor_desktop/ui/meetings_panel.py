"""The page «Заседания»: the working group's meetings, each protocol shown as the document it is.

On the left, the list of meetings (search in the protocols' text, a school
year) with «Новое заседание» and «Удалить». On the right, the protocol as a
sheet of paper that reads like seed 004's protocol of 03.07.2023 and is edited
in place:

    Управление образованием администрации … района
    Заседания рабочей группы муниципальной команды …
    ПРОТОКОЛ № 1
    от 03.07.2023 г.                 Место проведения: …
    Председатель: муниципальный координатор – Астраханцева О.В.
    Секретарь: …
    Присутствовали:
    Тьютор-консультант:
        Гладилова О.А. – директор МУ РЦ;  …
    ПОВЕСТКА ДНЯ:
    1. О выполнении мероприятий Дорожной карты …
    1. СЛУШАЛИ: …
    ПОСТАНОВИЛИ: …   Ответственные: …  Срок: …
    Голосовали: ☑ единогласно  (or «за» _, «против» _, «воздержались» _)
    [В дорожную карту…]  → 4.4 «…» (a click shows it in «Дорожная карта»)
    Председатель ____________ О.В. Астраханцева

Every field saves when the user leaves it (Enter in a line, Tab or a click
elsewhere) through ``db.meetings`` — one change set each, so Правка →
Отменить takes it back; a value a rule refuses stays typed with the reason
under it, Escape brings the saved value back.  «В дорожную карту…» asks for
the roadmap section (and, when ПОСТАНОВИЛИ has numbered points, which point)
and makes the activity in one change set; the activity made is shown under
the decision and a click on it jumps to it in «Дорожная карта».
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable, Sequence
from datetime import date
from functools import partial
from typing import Any, ClassVar

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QFocusEvent, QFont, QKeyEvent, QStandardItemModel, QTextOption
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSplitter,
    QTableView,
    QTextEdit,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from shnor_desktop.models.changelog import ChangeSetInfo
from shnor_desktop.models.district import Person
from shnor_desktop.models.errors import DomainError, RecordNotFoundError
from shnor_desktop.models.fields import FieldIssue, FieldSpec, InvalidValueError
from shnor_desktop.models.meetings import (
    ATTENDEE_FIELD_BY_NAME,
    ITEM_FIELD_BY_NAME,
    MEETING_FIELD_BY_NAME,
    VOTE_COUNTS,
    Attendee,
    Meeting,
    MeetingItem,
    MeetingQuery,
    MeetingSummary,
    initials_first,
    protocol_name,
    school_year_of,
)
from shnor_desktop.models.roadmap import Programme, Section
from shnor_desktop.models.text import format_date, school_year_label
from shnor_desktop.services.messages import describe_error
from shnor_desktop.ui.common import DataBus, Panel
from shnor_desktop.ui.forms import FormDialog, sentence
from shnor_desktop.ui.messages import ask_yes_no, show_warning
from shnor_desktop.ui.roadmap_models import section_label
from shnor_desktop.ui.table_model import Column, RecordTableModel
from shnor_desktop.ui.widgets import SearchLine, error_label, parse_field

PAPER_WIDTH = 780
"""The sheet's width at most (about an A4 page at reading size)."""
SERIF = ["Times New Roman", "Liberation Serif", "DejaVu Serif", "Nimbus Roman", "serif"]
"""The document's typeface: Times on Windows, a serif of the same metrics elsewhere."""
PAPER_STYLE = """
QFrame#paper { background: #ffffff; border: 1px solid #c4c4c4; }
QFrame#paper QLabel { background: transparent; }
QFrame#paper QLineEdit, QFrame#paper QTextEdit {
    background: transparent; border: none; border-bottom: 1px dotted #a8a8a8;
}
QFrame#paper QLineEdit:focus, QFrame#paper QTextEdit:focus {
    background: #fff8dc; border-bottom: 1px solid #3b6fb6;
}
QFrame#paper QLineEdit[refused="true"], QFrame#paper QTextEdit[refused="true"] {
    background: #fdecea; border-bottom: 2px solid #c0392b;
}
"""
DASH = " – "


def _tr(text: str) -> str:
    from PySide6.QtCore import QCoreApplication

    return QCoreApplication.translate("MeetingsPanel", text)


# --- the list of meetings -------------------------------------------------------------------------


class MeetingListModel(RecordTableModel):
    """The meetings: protocol №, date and the first agenda item."""

    CONTEXT = "MeetingsPanel"
    COL_NUMBER, COL_DATE, COL_AGENDA = range(3)
    COLUMNS = (
        Column("№", lambda m: m.number, right=True, sort=lambda m: m.number.zfill(6)),
        Column(
            "Дата",
            lambda m: format_date(m.meeting_date),
            sort=lambda m: m.meeting_date,
        ),
        Column(
            "Повестка",
            lambda m: " ".join(m.first_item.split()),
            cell_tooltip=lambda m: m.first_item or None,
        ),
    )

    def summary(self, row: int) -> MeetingSummary:
        """The meeting shown in ``row``."""
        record: MeetingSummary = self.record(row)
        return record


# --- editors that look like the document's text ---------------------------------------------------


class _Line(QLineEdit):
    """A line of the document; Escape brings the saved value back (the field handles it)."""

    sig_escape = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        if event.key() == Qt.Key.Key_Escape and self.isModified():
            self.sig_escape.emit()
            return
        super().keyPressEvent(event)


class _Text(QTextEdit):
    """A paragraph of the document: plain text, as tall as its text, Tab leaves it."""

    sig_left = Signal()
    sig_escape = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAcceptRichText(False)
        self.setTabChangesFocus(True)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.document().setDocumentMargin(2)
        layout = self.document().documentLayout()
        layout.documentSizeChanged.connect(self._on_document_size_changed)
        self._fit()

    def _on_document_size_changed(self, *_args: object) -> None:
        self._fit()

    def _fit(self) -> None:
        """Be exactly as tall as the text: a paragraph of the protocol, not a box to scroll."""
        height = math.ceil(self.document().size().height())
        margins = self.contentsMargins()
        self.setFixedHeight(
            max(height, self.fontMetrics().lineSpacing() + 4) + margins.top() + margins.bottom()
        )

    def focusOutEvent(self, event: QFocusEvent) -> None:  # noqa: N802
        super().focusOutEvent(event)
        self.sig_left.emit()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        if event.key() == Qt.Key.Key_Escape and self.document().isModified():
            self.sig_escape.emit()
            return
        super().keyPressEvent(event)


class DocField(QWidget):
    """One field of the protocol in place: its editor and, under it, why a value was refused.

    ``kind`` is «line», «text» (a paragraph) or «person» (a choice of people).
    It saves nothing itself: ``sig_commit(self)`` asks the panel to save what
    it holds when the user leaves it.
    """

    sig_commit = Signal(object)  # DocField

    def __init__(
        self,
        table: str,
        row_id: int,
        spec: FieldSpec,
        kind: str = "line",
        parent: QWidget | None = None,
        *,
        placeholder: str = "",
        width: int | None = None,
        bold: bool = False,
        centre: bool = False,
    ) -> None:
        super().__init__(parent)
        self.table = table
        self.row_id = row_id
        self.spec = spec
        self.kind = kind
        self._value: Any = None
        self._shown = ""
        self.error = ""
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(1)
        self.editor: QWidget
        if kind == "person":
            combo = QComboBox(self)
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
            combo.activated.connect(self._on_combo_activated)
            self.editor = combo
        elif kind == "text":
            text = _Text(self)
            text.sig_left.connect(self._on_text_left)
            text.sig_escape.connect(self.revert)
            if centre:
                text.document().setDefaultTextOption(QTextOption(Qt.AlignmentFlag.AlignHCenter))
            text.setPlaceholderText(placeholder)
            self.editor = text
        else:
            line = _Line(self)
            line.editingFinished.connect(self._on_line_finished)
            line.sig_escape.connect(self.revert)
            line.setPlaceholderText(placeholder)
            if centre:
                line.setAlignment(Qt.AlignmentFlag.AlignHCenter)
            self.editor = line
        if width is not None:
            self.editor.setFixedWidth(width)
        if bold:
            font = self.editor.font()
            font.setBold(True)
            self.editor.setFont(font)
        self.editor.setObjectName(f"field_{spec.name}")
        self.editor.setToolTip(spec.label)
        self.editor.setAccessibleName(spec.label)
        layout.addWidget(self.editor)
        self.note = error_label(self, f"error_{spec.name}")
        layout.addWidget(self.note)
        self.setSizePolicy(
            QSizePolicy.Policy.Fixed if width is not None else QSizePolicy.Policy.Expanding,
            QSizePolicy.Policy.Fixed,
        )

    # --- value --------------------------------------------------------------------------
    @property
    def value(self) -> Any:
        """The saved value shown."""
        return self._value

    def set_people(self, people: Sequence[Person]) -> None:
        """Fill a person field's choices: «—» (nobody) and the people by name."""
        combo = self.editor
        assert isinstance(combo, QComboBox)
        combo.blockSignals(True)
        combo.clear()
        combo.addItem("—", None)
        for person in people:
            combo.addItem(person.full_name, person.id)
        combo.blockSignals(False)
        self._show()

    def set_value(self, value: Any) -> None:
        """Show a saved value; a refused text, or one being typed, stays."""
        self._value = value
        if self.error or (self.editor.hasFocus() and self.is_modified()):
            return
        self._show()

    def show_stored(self) -> None:
        """Show the saved value (after a save, or when the edit changed nothing)."""
        self._show()

    def revert(self) -> None:
        """Drop what was typed or refused: the saved value again."""
        self.set_error("")
        self._show()

    def text(self) -> str:
        """What the editor shows."""
        editor = self.editor
        if isinstance(editor, QComboBox):
            return editor.currentText()
        if isinstance(editor, QTextEdit):
            return editor.toPlainText()
        assert isinstance(editor, QLineEdit)
        return editor.text()

    def raw(self) -> Any:
        """What the editor holds, for the domain's check: text, or the chosen person's id."""
        editor = self.editor
        if isinstance(editor, QComboBox):
            return editor.currentData()
        return self.text()

    def is_modified(self) -> bool:
        """True when the editor holds text that differs from the saved value."""
        if isinstance(self.editor, QComboBox):
            return False
        return self.text() != self._shown

    def _show(self) -> None:
        value = self._value
        editor = self.editor
        editor.blockSignals(True)
        if isinstance(editor, QComboBox):
            editor.setCurrentIndex(max(editor.findData(value), 0))
        else:
            if value is None:
                shown = ""
            elif self.spec.kind == "date":
                shown = format_date(str(value))
            else:
                shown = str(value)
            self._shown = shown
            if isinstance(editor, QTextEdit):
                if editor.toPlainText() != shown:
                    editor.setPlainText(shown)
                editor.document().setModified(False)
            elif isinstance(editor, QLineEdit):
                if editor.text() != shown:
                    editor.setText(shown)
                    editor.setCursorPosition(0)
                editor.setModified(False)
        editor.blockSignals(False)

    # --- the reason ---------------------------------------------------------------------
    def set_error(self, message: str) -> None:
        """Show why the value was refused under the field (empty: clear it)."""
        self.error = message
        self.note.setText(message)
        self.note.setVisible(bool(message))
        self.editor.setProperty("refused", bool(message))
        self.editor.style().unpolish(self.editor)
        self.editor.style().polish(self.editor)
        self.editor.setAccessibleDescription(message)

    # --- events -------------------------------------------------------------------------
    def _on_combo_activated(self, _index: int) -> None:
        self.sig_commit.emit(self)

    def _on_line_finished(self) -> None:
        if self.is_modified() or self.error:
            self.sig_commit.emit(self)

    def _on_text_left(self) -> None:
        if self.is_modified() or self.error:
            self.sig_commit.emit(self)


def _serif(size: float = 11, bold: bool = False) -> QFont:
    font = QFont()
    font.setFamilies(SERIF)
    font.setPointSizeF(size)
    font.setBold(bold)
    return font


def _set_serif(body: QWidget) -> None:
    """Give the document's text its typeface (buttons keep the interface's).

    Set on each widget: a widget under a style sheet does not inherit its parent's font.
    """
    for widget in (body, *body.findChildren(QWidget)):
        if isinstance(widget, QPushButton | QToolButton):
            continue
        font = _serif(bold=widget.font().bold())
        widget.setFont(font)


def _label(text: str, parent: QWidget, *, bold: bool = False, centre: bool = False) -> QLabel:
    label = QLabel(text, parent)
    label.setWordWrap(True)
    if bold:
        font = label.font()
        font.setBold(True)
        label.setFont(font)
    if centre:
        label.setAlignment(Qt.AlignmentFlag.AlignHCenter)
    return label


def _tool(text: str, tip: str, parent: QWidget, slot: Callable[[], None]) -> QToolButton:
    """A small grey button beside a line of the document (move, remove): not the text itself."""
    button = QToolButton(parent)
    button.setStyleSheet("QToolButton { color: #777777; }")
    button.setText(text)
    button.setToolTip(tip)
    button.setAutoRaise(True)
    button.clicked.connect(slot)
    return button


def _structure(meeting: Meeting) -> tuple[object, ...]:
    """What the sheet's layout depends on (values aside): rebuilt only when this changes."""
    return (
        meeting.id,
        tuple((a.id, a.role) for a in meeting.attendees),
        tuple((i.id, tuple(x.id for x in i.activities)) for i in meeting.items),
        meeting.secretary_id is None,
    )


# --- the protocol as a sheet ----------------------------------------------------------------------


class ProtocolSheet(QFrame):
    """The protocol laid out as the document: header, chair, those present, agenda, decisions."""

    sig_commit = Signal(object)  # DocField
    sig_vote = Signal(int, bool)  # item id, unanimous
    sig_to_roadmap = Signal(int)  # item id
    sig_activity = Signal(int)  # activity id
    sig_add_attendee = Signal()
    sig_edit_attendee = Signal(int)  # attendee id
    sig_move_attendee = Signal(int, int)  # attendee id, new index
    sig_remove_attendee = Signal(int)
    sig_add_item = Signal()
    sig_move_item = Signal(int, int)  # item id, new index
    sig_remove_item = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("paper")
        self.setStyleSheet(PAPER_STYLE)
        self.setFont(_serif())
        self.setMaximumWidth(PAPER_WIDTH)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Minimum)
        self.meeting: Meeting | None = None
        self.fields: dict[tuple[str, int, str], DocField] = {}
        self.vote_boxes: dict[int, QCheckBox] = {}
        self.vote_errors: dict[int, QLabel] = {}
        self.count_rows: dict[int, QWidget] = {}
        self.roadmap_buttons: dict[int, QPushButton] = {}
        self.activity_links: dict[int, QLabel] = {}
        self.name_labels: dict[int, QLabel] = {}
        self.signatures: list[QLabel] = []
        self._structure: tuple[object, ...] | None = None
        self._people: list[Person] = []
        self._body: QWidget | None = None
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(56, 40, 48, 48)

    # --- showing ------------------------------------------------------------------------
    def show_meeting(self, meeting: Meeting, people: Sequence[Person]) -> None:
        """Show a protocol: values in place when the layout is the same, else lay it out anew."""
        people = list(people)
        if self._structure == _structure(meeting) and people == self._people:
            self.meeting = meeting
            self._fill(meeting)
            return
        self.meeting = meeting
        self._people = people
        self._structure = _structure(meeting)
        self._build(meeting)
        self._fill(meeting)

    def field(self, table: str, row_id: int, name: str) -> DocField:
        """The editor of one field (tests and the panel find fields by it)."""
        return self.fields[(table, row_id, name)]

    def _add_field(
        self, parent: QWidget, table: str, row_id: int, name: str, kind: str = "line", **kw: Any
    ) -> DocField:
        specs = {
            "meeting": MEETING_FIELD_BY_NAME,
            "meeting_item": ITEM_FIELD_BY_NAME,
            "meeting_attendee": ATTENDEE_FIELD_BY_NAME,
        }[table]
        field = DocField(table, row_id, specs[name], kind, parent, **kw)
        if kind == "person":
            field.set_people(self._people)
        field.sig_commit.connect(self.sig_commit)
        self.fields[(table, row_id, name)] = field
        return field

    def _build(self, meeting: Meeting) -> None:
        if self._body is not None:
            self._layout.removeWidget(self._body)
            self._body.hide()
            self._body.deleteLater()
        self.fields.clear()
        self.vote_boxes.clear()
        self.vote_errors.clear()
        self.count_rows.clear()
        self.roadmap_buttons.clear()
        self.activity_links.clear()
        self.name_labels.clear()
        self.signatures.clear()
        body = QWidget(self)
        self._body = body
        column = QVBoxLayout(body)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(6)
        self._build_header(body, column, meeting)
        self._build_present(body, column, meeting)
        self._build_agenda(body, column, meeting)
        for item in meeting.items:
            self._build_item(body, column, meeting, item)
        add_item = QPushButton(_tr("+ Вопрос повестки"), body)
        add_item.setObjectName("add_item")
        add_item.setToolTip(_tr("Добавить вопрос в повестку дня"))
        add_item.clicked.connect(self.sig_add_item)
        column.addWidget(add_item, 0, Qt.AlignmentFlag.AlignLeft)
        column.addSpacing(24)
        self._build_signatures(body, column, meeting)
        _set_serif(body)
        self._layout.addWidget(body)
        body.show()  # now, not when the event loop next runs: a field is focused at once

    def _build_header(self, body: QWidget, column: QVBoxLayout, meeting: Meeting) -> None:
        office = _label(meeting.office, body, bold=True, centre=True)
        office.setObjectName("office")
        office.setToolTip(_tr("Из сведений о районе (раздел «Район»)"))
        column.addWidget(office)
        title = self._add_field(
            body,
            "meeting",
            meeting.id,
            "title",
            "text",
            bold=True,
            centre=True,
            placeholder=_tr("заседания рабочей группы …"),
        )
        column.addWidget(title)
        heading = QHBoxLayout()
        heading.addStretch(1)
        heading.addWidget(_label(_tr("ПРОТОКОЛ №"), body, bold=True), 0, Qt.AlignmentFlag.AlignTop)
        heading.addWidget(
            self._add_field(body, "meeting", meeting.id, "number", width=64, bold=True),
            0,
            Qt.AlignmentFlag.AlignTop,
        )
        heading.addStretch(1)
        column.addLayout(heading)
        dated = QHBoxLayout()
        dated.addStretch(1)
        dated.addWidget(_label(_tr("от"), body, bold=True), 0, Qt.AlignmentFlag.AlignTop)
        dated.addWidget(
            self._add_field(
                body,
                "meeting",
                meeting.id,
                "meeting_date",
                width=112,
                bold=True,
                placeholder="ДД.ММ.ГГГГ",
            ),
            0,
            Qt.AlignmentFlag.AlignTop,
        )
        dated.addWidget(_label(_tr("г."), body, bold=True), 0, Qt.AlignmentFlag.AlignTop)
        dated.addStretch(1)
        column.addLayout(dated)
        column.addSpacing(8)
        grid = QGridLayout()
        grid.setHorizontalSpacing(6)
        grid.setVerticalSpacing(4)
        grid.setColumnStretch(1, 1)
        place = _label(_tr("Место проведения:"), body)
        place.setWordWrap(False)
        grid.addWidget(place, 0, 0, Qt.AlignmentFlag.AlignTop)
        grid.addWidget(
            self._add_field(
                body, "meeting", meeting.id, "place", placeholder=_tr("не указано в протоколе")
            ),
            0,
            1,
            1,
            3,
        )
        for row, (who, post, person) in enumerate(
            (
                (_tr("Председатель:"), "chair_post", "chair_id"),
                (_tr("Секретарь:"), "secretary_post", "secretary_id"),
            ),
            1,
        ):
            grid.addWidget(_label(who, body), row, 0, Qt.AlignmentFlag.AlignTop)
            grid.addWidget(
                self._add_field(body, "meeting", meeting.id, post, placeholder=_tr("должность")),
                row,
                1,
            )
            grid.addWidget(_label(DASH.strip(), body), row, 2, Qt.AlignmentFlag.AlignTop)
            grid.addWidget(self._add_field(body, "meeting", meeting.id, person, "person"), row, 3)
        column.addLayout(grid)

    def _build_present(self, body: QWidget, column: QVBoxLayout, meeting: Meeting) -> None:
        column.addWidget(_label(_tr("Присутствовали:"), body))
        count = len(meeting.attendees)
        for role, group in meeting.attendee_groups():
            if role:
                heading = _label(role + ":", body)
                heading.setObjectName("attendee_role")
                column.addWidget(heading)
            for attendee in group:
                column.addLayout(self._attendee_row(body, attendee, count))
        add = QPushButton(_tr("+ Присутствовавший…"), body)
        add.setObjectName("add_attendee")
        add.setToolTip(_tr("Добавить человека в список присутствовавших"))
        add.clicked.connect(self.sig_add_attendee)
        column.addWidget(add, 0, Qt.AlignmentFlag.AlignLeft)

    def _attendee_row(self, body: QWidget, attendee: Attendee, count: int) -> QHBoxLayout:
        row = QHBoxLayout()
        row.setContentsMargins(24, 0, 0, 0)
        name = _label("", body)
        name.setObjectName("attendee_name")
        name.setWordWrap(False)
        self.name_labels[attendee.id] = name
        row.addWidget(name, 0, Qt.AlignmentFlag.AlignTop)
        row.addWidget(_label(DASH.strip(), body), 0, Qt.AlignmentFlag.AlignTop)
        row.addWidget(
            self._add_field(
                body,
                "meeting_attendee",
                attendee.id,
                "post",
                "text",
                placeholder=_tr("должность"),
            ),
            1,
        )
        index = attendee.position - 1
        aid = attendee.id
        tools: tuple[tuple[str, str, Callable[[], None], bool], ...] = (
            (
                "…",
                _tr("Изменить: кто и в качестве кого"),
                partial(self.sig_edit_attendee.emit, aid),
                True,
            ),
            (
                "↑",
                _tr("Выше в списке"),
                partial(self.sig_move_attendee.emit, aid, index - 1),
                index > 0,
            ),
            (
                "↓",
                _tr("Ниже в списке"),
                partial(self.sig_move_attendee.emit, aid, index + 1),
                index < count - 1,
            ),
            (
                "✕",
                _tr("Убрать из списка присутствовавших"),
                partial(self.sig_remove_attendee.emit, aid),
                True,
            ),
        )
        for tool_name, (text, tip, slot, enabled) in zip(
            ("edit", "up", "down", "remove"), tools, strict=True
        ):
            button = _tool(text, tip, body, slot)
            button.setObjectName(f"attendee_{tool_name}")
            button.setEnabled(enabled)
            row.addWidget(button, 0, Qt.AlignmentFlag.AlignTop)
        return row

    def _build_agenda(self, body: QWidget, column: QVBoxLayout, meeting: Meeting) -> None:
        column.addSpacing(6)
        column.addWidget(_label(_tr("ПОВЕСТКА ДНЯ:"), body, bold=True, centre=True))
        for item in meeting.items:
            row = QHBoxLayout()
            row.addWidget(_label(f"{item.number}.", body), 0, Qt.AlignmentFlag.AlignTop)
            row.addWidget(
                self._add_field(
                    body, "meeting_item", item.id, "title", "text", placeholder=_tr("вопрос")
                ),
                1,
            )
            column.addLayout(row)

    def _build_item(
        self, body: QWidget, column: QVBoxLayout, meeting: Meeting, item: MeetingItem
    ) -> None:
        column.addSpacing(10)
        heard = QHBoxLayout()
        heard.addWidget(
            _label(_tr("%1. СЛУШАЛИ:").replace("%1", str(item.number)), body, bold=True),
            0,
            Qt.AlignmentFlag.AlignTop,
        )
        heard.addStretch(1)
        index = item.number - 1
        count = len(meeting.items)
        for text, tip, slot, enabled in (
            (
                "↑",
                _tr("Вопрос выше"),
                lambda: self.sig_move_item.emit(item.id, index - 1),
                index > 0,
            ),
            (
                "↓",
                _tr("Вопрос ниже"),
                lambda: self.sig_move_item.emit(item.id, index + 1),
                index < count - 1,
            ),
            ("✕", _tr("Удалить вопрос повестки"), lambda: self.sig_remove_item.emit(item.id), True),
        ):
            button = _tool(text, tip, body, slot)
            button.setEnabled(enabled)
            heard.addWidget(button, 0, Qt.AlignmentFlag.AlignTop)
        column.addLayout(heard)
        column.addWidget(
            self._add_field(
                body, "meeting_item", item.id, "heard", "text", placeholder=_tr("кого, о чём")
            )
        )
        column.addWidget(_label(_tr("ПОСТАНОВИЛИ:"), body, bold=True))
        column.addWidget(
            self._add_field(
                body, "meeting_item", item.id, "decided", "text", placeholder=_tr("решение")
            )
        )
        terms = QGridLayout()
        terms.setHorizontalSpacing(6)
        terms.setColumnStretch(1, 1)
        terms.addWidget(_label(_tr("Ответственные:"), body), 0, 0, Qt.AlignmentFlag.AlignTop)
        terms.addWidget(
            self._add_field(
                body,
                "meeting_item",
                item.id,
                "responsible",
                placeholder=_tr("как в решении (для дорожной карты)"),
            ),
            0,
            1,
        )
        terms.addWidget(_label(_tr("Срок:"), body), 1, 0, Qt.AlignmentFlag.AlignTop)
        terms.addWidget(
            self._add_field(
                body,
                "meeting_item",
                item.id,
                "deadline_text",
                placeholder=_tr("например: в течение 2023-2024 учебного года"),
            ),
            1,
            1,
        )
        column.addLayout(terms)
        column.addLayout(self._vote_row(body, item))
        column.addLayout(self._roadmap_row(body, item))

    def _vote_row(self, body: QWidget, item: MeetingItem) -> QVBoxLayout:
        outer = QVBoxLayout()
        outer.setSpacing(1)
        row = QHBoxLayout()
        # The words and the box on one line, centred on each other; the counts' reasons below.
        said = QHBoxLayout()
        said.setSpacing(8)
        said.addWidget(_label(_tr("Голосовали"), body), 0, Qt.AlignmentFlag.AlignVCenter)
        unanimous = QCheckBox(_tr("единогласно"), body)
        unanimous.setObjectName("unanimous")
        unanimous.clicked.connect(lambda checked: self.sig_vote.emit(item.id, bool(checked)))
        self.vote_boxes[item.id] = unanimous
        said.addWidget(unanimous, 0, Qt.AlignmentFlag.AlignVCenter)
        row.addLayout(said)
        row.setAlignment(said, Qt.AlignmentFlag.AlignTop)
        counts = QWidget(body)
        counts_row = QHBoxLayout(counts)
        counts_row.setContentsMargins(0, 0, 0, 0)
        for name, text in zip(
            VOTE_COUNTS, (_tr("«за»"), _tr("«против»"), _tr("«воздержались»")), strict=True
        ):
            counts_row.addWidget(_label(text, counts), 0, Qt.AlignmentFlag.AlignTop)
            counts_row.addWidget(
                self._add_field(counts, "meeting_item", item.id, name, width=44),
                0,
                Qt.AlignmentFlag.AlignTop,
            )
        self.count_rows[item.id] = counts
        row.addWidget(counts, 0, Qt.AlignmentFlag.AlignTop)
        row.addStretch(1)
        outer.addLayout(row)
        error = error_label(body, "error_unanimous")
        self.vote_errors[item.id] = error
        outer.addWidget(error)
        return outer

    def _roadmap_row(self, body: QWidget, item: MeetingItem) -> QVBoxLayout:
        outer = QVBoxLayout()
        outer.setSpacing(2)
        button = QPushButton(_tr("В дорожную карту…"), body)
        button.setObjectName("to_roadmap")
        button.setToolTip(
            _tr("Сделать из решения мероприятие дорожной карты (его подтверждение — этот протокол)")
        )
        button.clicked.connect(lambda: self.sig_to_roadmap.emit(item.id))
        self.roadmap_buttons[item.id] = button
        outer.addWidget(button, 0, Qt.AlignmentFlag.AlignLeft)
        for activity in item.activities:
            # A link that wraps like the text around it (a button would widen the sheet).
            link = QLabel(body)
            link.setObjectName("activity_link")
            link.setWordWrap(True)
            link.setTextFormat(Qt.TextFormat.RichText)
            link.setTextInteractionFlags(
                Qt.TextInteractionFlag.LinksAccessibleByMouse
                | Qt.TextInteractionFlag.LinksAccessibleByKeyboard
            )
            link.setToolTip(_tr("Показать мероприятие в «Дорожной карте»:") + "\n" + activity.title)
            link.linkActivated.connect(partial(self._on_link_activated, activity.id))
            self.activity_links[activity.id] = link
            outer.addWidget(link)
        return outer

    def _on_link_activated(self, activity_id: int, _href: str) -> None:
        self.sig_activity.emit(activity_id)

    def _build_signatures(self, body: QWidget, column: QVBoxLayout, meeting: Meeting) -> None:
        for who in (_tr("Председатель"), _tr("Секретарь")):
            if who == _tr("Секретарь") and meeting.secretary_id is None:
                continue
            row = QHBoxLayout()
            row.addWidget(_label(who, body))
            row.addStretch(1)
            row.addWidget(_label("_______________", body))
            row.addSpacing(16)
            name = _label("", body)
            name.setObjectName("signature")
            name.setWordWrap(False)
            self.signatures.append(name)
            row.addWidget(name)
            column.addLayout(row)

    # --- values -------------------------------------------------------------------------
    def _fill(self, meeting: Meeting) -> None:
        for (table, row_id, name), field in self.fields.items():
            if table == "meeting":
                field.set_value(getattr(meeting, name))
            elif table == "meeting_item":
                field.set_value(getattr(meeting.item(row_id), name))
            else:
                attendee = next(a for a in meeting.attendees if a.id == row_id)
                field.set_value(getattr(attendee, name))
        for attendee in meeting.attendees:
            self.name_labels[attendee.id].setText(attendee.name)
        for item in meeting.items:
            box = self.vote_boxes[item.id]
            box.setChecked(item.unanimous)
            self.count_rows[item.id].setVisible(not item.unanimous)
            for activity in item.activities:
                title = " ".join(activity.title.split())
                short = title if len(title) <= 90 else title[:89].rstrip() + "…"
                text = (
                    _tr("→ В дорожной карте: %1 «%2»")
                    .replace("%1", activity.number)
                    .replace("%2", short)
                )
                self.activity_links[activity.id].setText(
                    f'<a href="activity:{activity.id}" style="color: #1a4f9c;">'
                    f"{html.escape(text)}</a>"
                )
        names = [meeting.chair_name, meeting.secretary_name]
        for label, name in zip(self.signatures, names, strict=False):
            label.setText(initials_first(name) if name else "")


# --- dialogs ------------------------------------------------------------------------------------


class DecisionDialog(FormDialog):
    """«В дорожную карту…»: the section, which point of the decision, its terms as written."""

    def __init__(
        self,
        meeting: Meeting,
        item: MeetingItem,
        roadmaps: Sequence[tuple[Programme, Sequence[Section]]],
        section_id: int | None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(_tr("Решение в дорожную карту"), _tr("Добавить в дорожную карту"), parent)
        self.setMinimumWidth(640)
        self.item = item
        self.section = QComboBox(self)
        self.section.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.section.setMinimumContentsLength(50)
        model = self.section.model()
        headed = len(roadmaps) > 1
        for programme, sections in roadmaps:
            if headed:
                self.section.addItem(
                    f"{programme.title} ({programme.start_year}–{programme.end_year})", None
                )
                if isinstance(model, QStandardItemModel):
                    header = model.item(self.section.count() - 1)
                    header.setEnabled(False)
            for section in sections:
                indent = "   " * (section.depth + int(headed))
                self.section.addItem(indent + section_label(section), section.id)
                self.section.setItemData(
                    self.section.count() - 1, section_label(section), Qt.ItemDataRole.ToolTipRole
                )
        wanted = self.section.findData(section_id) if section_id is not None else -1
        if wanted < 0:
            wanted = next(
                (i for i in range(self.section.count()) if self.section.itemData(i) is not None),
                -1,
            )
        self.section.setCurrentIndex(wanted)
        self.add_field("section_id", _tr("Раздел дорожной карты"), self.section)
        self.point = QComboBox(self)
        self.point.addItem(_tr("всё решение"), None)
        points = item.points
        if len(points) > 1:
            for number, text in enumerate(points, 1):
                short = text if len(text) <= 80 else text[:79].rstrip() + "…"
                self.point.addItem(f"{number}. {short}", number)
                self.point.setItemData(self.point.count() - 1, text, Qt.ItemDataRole.ToolTipRole)
            self.add_field("point", _tr("Какое решение"), self.point)
            self.point.currentIndexChanged.connect(self._on_point_changed)
        self.text = QPlainTextEdit(self)
        self.text.setTabChangesFocus(True)
        self.text.setPlainText(item.decided)
        self.text.setFixedHeight(96)
        self.add_field("title", _tr("Мероприятие"), self.text)
        self.add_line("responsible", _tr("Ответственные"), item.responsible)
        self.add_line(
            "deadline_text",
            _tr("Срок"),
            item.deadline_text,
            placeholder=_tr("как в решении, например: в течение 2023-2024 учебного года"),
        )
        hint = QLabel(
            _tr("Подтверждением мероприятия будет «%1». Отменить: Правка → Отменить.").replace(
                "%1", meeting.protocol_name
            ),
            self,
        )
        hint.setWordWrap(True)
        hint.setStyleSheet("color: #555555;")
        self._finish_layout(hint)
        if len(points) > 1:
            # A numbered decision: the last point is usually the one with work to do.
            self.point.setCurrentIndex(self.point.count() - 1)
        self.section.setFocus()

    def _on_point_changed(self, _index: int) -> None:
        number = self.point.currentData()
        points = self.item.points
        self.text.setPlainText(self.item.decided if number is None else points[int(number) - 1])

    def read(self) -> tuple[dict[str, Any], list[FieldIssue]]:
        """The section chosen and the activity's text, responsible and deadline."""
        issues: list[FieldIssue] = []
        section_id = self.section.currentData()
        if section_id is None:
            issues.append(FieldIssue("section_id", "required", "error"))
        values = {
            "section_id": section_id,
            "text": self.text.toPlainText().strip(),
            "responsible": self.edits["responsible"].text().strip(),
            "deadline_text": self.edits["deadline_text"].text().strip(),
        }
        if not values["text"]:
            issues.append(FieldIssue("title", "required", "error"))
        return values, issues


class AttendeeDialog(FormDialog):
    """Who was present, in what capacity (the heading they are listed under) and the post."""

    def __init__(
        self,
        title: str,
        people: Sequence[Person],
        roles: Sequence[str],
        attendee: Attendee | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(title, _tr("Сохранить"), parent)
        self.setMinimumWidth(520)
        self._people = {p.id: p for p in people}
        self.person = QComboBox(self)
        for person in people:
            self.person.addItem(person.full_name, person.id)
        if attendee is not None:
            self.person.setCurrentIndex(self.person.findData(attendee.person_id))
        else:
            self.person.setCurrentIndex(-1)
        self.person.currentIndexChanged.connect(self._on_person_changed)
        self.add_field("person_id", _tr("Кто"), self.person)
        self.role = QComboBox(self)
        self.role.setEditable(True)
        for role in roles:
            self.role.addItem(role)
        self.role.setCurrentText(
            attendee.role if attendee is not None else (roles[0] if roles else "")
        )
        self.add_field("role_text", _tr("В качестве (заголовок в списке)"), self.role)
        self.add_line("post", _tr("Должность по протоколу"), attendee.post if attendee else "")
        self._finish_layout()
        self.person.setFocus()

    def _on_person_changed(self, _index: int) -> None:
        person = self._people.get(self.person.currentData())
        post = self.edits["post"]
        if person is not None and not post.text().strip():
            post.setText(person.position)
            post.setCursorPosition(0)

    def read(self) -> tuple[dict[str, Any], list[FieldIssue]]:
        """The person, the capacity and the post."""
        issues: list[FieldIssue] = []
        person_id = self.person.currentData()
        if person_id is None:
            issues.append(FieldIssue("person_id", "required", "error"))
        return (
            {
                "person_id": person_id,
                "role_text": self.role.currentText().strip(),
                "post": self.edits["post"].text().strip(),
            },
            issues,
        )


# --- the panel ----------------------------------------------------------------------------------


class MeetingsPanel(Panel):
    """«Заседания»: the list of meetings and the protocol of the chosen one, edited in place."""

    TITLE = "Заседания"
    TABLES: ClassVar[frozenset[str]] = frozenset(
        {
            "meeting",
            "meeting_attendee",
            "meeting_item",
            "person",
            "district",
            "roadmap_activity",
            "roadmap_section",
        }
    )

    sig_activity_requested = Signal(int)

    def __init__(self, bus: DataBus, parent: QWidget | None = None) -> None:
        super().__init__(bus, parent)
        self._meeting_id: int | None = None
        self._section_id: int | None = None
        self.search = SearchLine(self.tr("Поиск в протоколах: фамилия, слово из решения…"), self)
        self.search.setObjectName("search")
        self.search.sig_search.connect(self._on_search_search)
        self.year = QComboBox(self)
        self.year.setObjectName("year")
        self.year.activated.connect(self._on_year_activated)
        self.model = MeetingListModel(self)
        self.view = QTableView(self)
        self.view.setObjectName("meetings")
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.verticalHeader().hide()
        self.view.setWordWrap(False)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(
            MeetingListModel.COL_NUMBER, QHeaderView.ResizeMode.ResizeToContents
        )
        header.setSectionResizeMode(
            MeetingListModel.COL_DATE, QHeaderView.ResizeMode.ResizeToContents
        )
        header.setStretchLastSection(True)
        self.view.selectionModel().currentRowChanged.connect(self._on_view_current_changed)
        self.add_button = QPushButton(self.tr("Новое заседание"), self)
        self.add_button.setObjectName("add_meeting")
        self.add_button.clicked.connect(self._on_add_clicked)
        self.remove_button = QPushButton(self.tr("Удалить…"), self)
        self.remove_button.setObjectName("remove_meeting")
        self.remove_button.clicked.connect(self._on_remove_clicked)
        left = QWidget(self)
        left_column = QVBoxLayout(left)
        left_column.setContentsMargins(0, 0, 0, 0)
        filters = QHBoxLayout()
        filters.addWidget(self.search, 1)
        filters.addWidget(self.year)
        left_column.addLayout(filters)
        left_column.addWidget(self.view, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        left_column.addLayout(buttons)
        self.sheet = ProtocolSheet()
        self.sheet.sig_commit.connect(self._on_sheet_commit)
        self.sheet.sig_vote.connect(self._on_sheet_vote)
        self.sheet.sig_to_roadmap.connect(self._on_sheet_to_roadmap)
        self.sheet.sig_activity.connect(self.sig_activity_requested)
        self.sheet.sig_add_attendee.connect(self._on_sheet_add_attendee)
        self.sheet.sig_edit_attendee.connect(self._on_sheet_edit_attendee)
        self.sheet.sig_move_attendee.connect(self._on_sheet_move_attendee)
        self.sheet.sig_remove_attendee.connect(self._on_sheet_remove_attendee)
        self.sheet.sig_add_item.connect(self._on_sheet_add_item)
        self.sheet.sig_move_item.connect(self._on_sheet_move_item)
        self.sheet.sig_remove_item.connect(self._on_sheet_remove_item)
        desk = QWidget()
        desk.setObjectName("desk")
        desk.setStyleSheet("QWidget#desk { background: #e9e9e6; }")
        desk_row = QHBoxLayout(desk)
        desk_row.setContentsMargins(16, 16, 16, 16)
        desk_row.addStretch(1)
        desk_row.addWidget(self.sheet, 100, Qt.AlignmentFlag.AlignTop)
        desk_row.addStretch(1)
        self.empty = QLabel(self.tr("Выберите заседание в списке слева или создайте новое."))
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setObjectName("empty")
        desk_row.addWidget(self.empty, 100)
        self.scroll_area = QScrollArea(self)
        self.scroll_area.setObjectName("protocol")
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setWidget(desk)
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.addWidget(left)
        self.splitter.addWidget(self.scroll_area)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([330, 900])
        self.status = QLabel(self)
        self.status.setObjectName("status")
        layout = QVBoxLayout(self)
        layout.addWidget(self.splitter, 1)
        layout.addWidget(self.status)
        self.sheet.hide()

    # --- reading -----------------------------------------------------------------------------
    @property
    def meeting_id(self) -> int | None:
        """The meeting whose protocol is shown."""
        return self._meeting_id

    def reload(self) -> None:
        """Read the list and the protocol shown again."""
        db = self.db
        if db is None:
            self.model.set_rows([])
            self._show_protocol(None)
            return
        self._fill_years(db.meetings.years())
        self.search.cancel_pending()
        rows = db.meetings.meetings(
            MeetingQuery(search=self.search.text(), year=self.year.currentData())
        )
        self.model.set_rows(rows)
        wanted = self._meeting_id
        row = self.model.row_of(wanted) if wanted is not None else -1
        if row < 0 and rows:
            row = 0
        self._select_row(row)
        self._show_protocol(self.model.summary(row).id if row >= 0 else None)

    def show_meeting(self, meeting_id: int, item_id: int | None = None) -> bool:
        """Show a meeting's protocol (filters cleared if they hide it); False when it is gone.

        ``item_id`` scrolls the protocol to that agenda item (its СЛУШАЛИ and ПОСТАНОВИЛИ).
        """
        self._meeting_id = meeting_id
        if self.model.row_of(meeting_id) < 0:
            self.search.clear()
            self.year.setCurrentIndex(0)
        self.reload()
        shown = self._meeting_id == meeting_id
        if shown and item_id is not None:
            self.show_item(item_id)
        return shown

    def show_item(self, item_id: int) -> bool:
        """Scroll the protocol shown to an agenda item; False when it is not one of its items."""
        if not self._scroll_to(item_id):
            return False
        # Once more when the protocol has been laid out (the page may just have been
        # switched to, or the protocol built anew: its fields are not in place yet).
        QTimer.singleShot(0, self, lambda: self._scroll_to(item_id))
        return True

    def _scroll_to(self, item_id: int) -> bool:
        """The item's decision and, above it, its СЛУШАЛИ in view; False when not shown."""
        decided = self.sheet.fields.get(("meeting_item", item_id, "decided"))
        heard = self.sheet.fields.get(("meeting_item", item_id, "heard"))
        if decided is None or heard is None:
            return False
        for field in (decided, heard):
            self.scroll_area.ensureWidgetVisible(field, 50, 80)
        return True

    def _fill_years(self, years: Sequence[int]) -> None:
        chosen = self.year.currentData()
        self.year.blockSignals(True)
        self.year.clear()
        self.year.addItem(self.tr("Все годы"), None)
        for year in years:
            self.year.addItem(school_year_label(year), year)
        self.year.setCurrentIndex(max(self.year.findData(chosen), 0))
        self.year.blockSignals(False)

    def _select_row(self, row: int) -> None:
        selection = self.view.selectionModel()
        selection.blockSignals(True)
        if row >= 0:
            index = self.model.index(row, MeetingListModel.COL_NUMBER)
            selection.setCurrentIndex(
                index,
                QItemSelectionModel.SelectionFlag.ClearAndSelect
                | QItemSelectionModel.SelectionFlag.Rows,
            )
            self.view.scrollTo(index)
        else:
            selection.clearSelection()
        selection.blockSignals(False)

    def _show_protocol(self, meeting_id: int | None) -> None:
        db = self.db
        self._meeting_id = meeting_id
        self.remove_button.setEnabled(meeting_id is not None)
        if db is None or meeting_id is None:
            self.sheet.hide()
            self.empty.show()
            return
        meeting = db.meetings.meeting(meeting_id)
        self.sheet.show_meeting(meeting, db.district.people())
        self.empty.hide()
        self.sheet.show()

    def current_meeting(self) -> Meeting | None:
        """The protocol shown, as last read."""
        return self.sheet.meeting if self._meeting_id is not None else None

    # --- list events ---------------------------------------------------------------------------
    def _on_view_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if current.isValid():
            self._show_protocol(self.model.summary(current.row()).id)

    def _on_search_search(self) -> None:
        self.reload()

    def _on_year_activated(self, _index: int) -> None:
        self.reload()

    # --- writing -------------------------------------------------------------------------------
    def _done(self, info: ChangeSetInfo | None) -> None:
        if info is not None:
            self.status.setText(self.tr("Сохранено: %1").replace("%1", info.label))
            self.sig_status.emit(info.label)

    def _label(self, what: str) -> str:
        meeting = self.current_meeting()
        name = protocol_name(meeting.number, meeting.meeting_date) if meeting else ""
        return f"{name}: {what}" if name else what

    def _on_sheet_commit(self, field: object) -> None:
        db = self.db
        if db is None or not isinstance(field, DocField):
            return
        try:
            value = parse_field(field.spec, field.raw())
            if isinstance(value, str):
                value = value.strip()
            if value == field.value or (value in ("", None) and field.value in ("", None)):
                field.set_error("")
                field.show_stored()
                return
            label = self._label(self.tr("«%1»").replace("%1", field.spec.label))
            changes = {field.spec.name: value}
            if field.table == "meeting":
                info = db.meetings.update_meeting(field.row_id, changes, label)
            elif field.table == "meeting_item":
                info = db.meetings.update_item(field.row_id, changes, label)
            else:
                info = db.meetings.update_attendee(field.row_id, changes, label)
        except InvalidValueError as exc:
            field.set_error(sentence(exc.issue))
            return
        except DomainError as exc:
            field.set_error(describe_error(exc))
            return
        field.set_error("")
        field.show_stored()
        self._done(info)

    def _on_sheet_vote(self, item_id: int, unanimous: bool) -> None:
        db = self.db
        if db is None:
            return
        error = self.sheet.vote_errors.get(item_id)
        changes: dict[str, Any] = {"unanimous": int(unanimous)}
        if unanimous:
            # «Единогласно» replaces the counts in the same change (the rule sees both).
            changes.update(dict.fromkeys(VOTE_COUNTS))
        try:
            info = db.meetings.update_item(item_id, changes, self._label(self.tr("голосование")))
        except DomainError as exc:
            if error is not None:
                text = sentence(exc.issue) if isinstance(exc, InvalidValueError) else None
                error.setText(text or describe_error(exc))
                error.show()
            self.reload()
            return
        if error is not None:
            error.hide()
        self._done(info)

    def _roadmaps(self) -> list[tuple[Programme, list[Section]]]:
        db = self.db
        if db is None:
            return []
        found = []
        for programme in db.roadmap.programmes():
            sections = db.roadmap.sections(programme.id)
            if sections:
                found.append((programme, sections))
        return found

    def _on_sheet_to_roadmap(self, item_id: int) -> DecisionDialog | None:
        db = self.db
        meeting = self.current_meeting()
        if db is None or meeting is None:
            return None
        roadmaps = self._roadmaps()
        if not roadmaps:
            show_warning(
                self,
                self.tr("Дорожной карты нет"),
                self.tr(
                    "В базе нет дорожной карты: сначала заведите её в разделе «Дорожная карта»."
                ),
            )
            return None
        try:
            item = meeting.item(item_id)
        except RecordNotFoundError:  # removed (or undone) since the sheet was drawn
            return None
        dialog = DecisionDialog(meeting, item, roadmaps, self._section_id, self)
        dialog.setObjectName("decision_dialog")

        def save(values: dict[str, Any]) -> None:
            info, activity_id = db.meetings.decision_to_activity(
                item_id,
                int(values["section_id"]),
                self._label(self.tr("решение %1 в дорожную карту").replace("%1", str(item.number))),
                text=values["text"],
                responsible=values["responsible"],
                deadline_text=values["deadline_text"],
            )
            self._section_id = int(values["section_id"])
            activity = db.roadmap.activity(activity_id)
            self.status.setText(
                self.tr("В дорожную карту добавлено мероприятие %1").replace("%1", activity.number)
            )
            self.sig_status.emit(info.label)

        dialog.saver = save
        return self.open_dialog(dialog)

    def _attendee_dialog(self, attendee: Attendee | None) -> AttendeeDialog | None:
        db = self.db
        meeting = self.current_meeting()
        if db is None or meeting is None:
            return None
        roles = list(dict.fromkeys(a.role for a in meeting.attendees if a.role))
        if not roles:
            roles = [self.tr("Члены рабочей группы")]
        title = (
            self.tr("Присутствовавший")
            if attendee is not None
            else self.tr("Добавить присутствовавшего")
        )
        dialog = AttendeeDialog(title, db.district.people(), roles, attendee, self)
        dialog.setObjectName("attendee_dialog")

        def save(values: dict[str, Any]) -> None:
            label = self._label(self.tr("присутствовали"))
            if attendee is None:
                _, new_id = db.meetings.add_attendee(
                    meeting.id,
                    int(values["person_id"]),
                    label,
                    role=values["role_text"],
                    post=values["post"],
                )
            else:
                db.meetings.update_attendee(attendee.id, values, label)

        dialog.saver = save
        return self.open_dialog(dialog)

    def _on_sheet_add_attendee(self) -> None:
        self._attendee_dialog(None)

    def _on_sheet_edit_attendee(self, attendee_id: int) -> None:
        meeting = self.current_meeting()
        if meeting is not None:
            self._attendee_dialog(next(a for a in meeting.attendees if a.id == attendee_id))

    def _write(self, action: Callable[[], ChangeSetInfo | None], title: str) -> None:
        try:
            self._done(action())
        except DomainError as exc:
            show_warning(self, title, describe_error(exc))

    def _on_sheet_move_attendee(self, attendee_id: int, index: int) -> None:
        db = self.db
        if db is not None:
            label = self._label(self.tr("порядок присутствовавших"))
            self._write(
                lambda: db.meetings.move_attendee(attendee_id, index, label),
                self.tr("Порядок не изменён"),
            )

    def _on_sheet_remove_attendee(self, attendee_id: int) -> None:
        db = self.db
        if db is not None:
            label = self._label(self.tr("убран присутствовавший"))
            self._write(
                lambda: db.meetings.remove_attendee(attendee_id, label),
                self.tr("Не удалось убрать из списка"),
            )

    def _on_sheet_add_item(self) -> None:
        db = self.db
        meeting = self.current_meeting()
        if db is None or meeting is None:
            return
        label = self._label(self.tr("новый вопрос повестки"))
        try:
            info, item_id = db.meetings.add_item(meeting.id, {}, label)
        except DomainError as exc:
            show_warning(self, self.tr("Вопрос не добавлен"), describe_error(exc))
            return
        self._done(info)
        field = self.sheet.fields.get(("meeting_item", item_id, "title"))
        if field is not None:
            field.editor.setFocus(Qt.FocusReason.OtherFocusReason)
            self.scroll_area.ensureWidgetVisible(field)

    def _on_sheet_move_item(self, item_id: int, index: int) -> None:
        db = self.db
        if db is not None:
            label = self._label(self.tr("порядок вопросов повестки"))
            self._write(
                lambda: db.meetings.move_item(item_id, index, label),
                self.tr("Порядок не изменён"),
            )

    def _on_sheet_remove_item(self, item_id: int) -> None:
        db = self.db
        meeting = self.current_meeting()
        if db is None or meeting is None:
            return
        try:
            item = meeting.item(item_id)
        except RecordNotFoundError:  # removed (or undone) since the sheet was drawn
            return
        text = self.tr(
            "Удалить вопрос %1 повестки вместе с «Слушали», «Постановили» и голосованием? "
            "Мероприятия дорожной карты, сделанные из решения, останутся. "
            "Отменить: Правка → Отменить."
        ).replace("%1", str(item.number))
        if not ask_yes_no(self, self.tr("Удалить вопрос"), text, self.tr("Удалить")):
            return
        label = self._label(self.tr("удалён вопрос %1").replace("%1", str(item.number)))
        self._write(lambda: db.meetings.remove_item(item_id, label), self.tr("Вопрос не удалён"))

    def _on_add_clicked(self) -> None:
        db = self.db
        if db is None:
            return
        today = date.today()
        values: dict[str, Any] = {"meeting_date": today.isoformat()}
        last = db.meetings.last_meeting()
        if last is not None:
            # A new protocol of the same group: its heading, chair and secretary as last time.
            values.update(
                title=last.title,
                programme_id=last.programme_id,
                chair_id=last.chair_id,
                chair_post=last.chair_post,
                secretary_id=last.secretary_id,
                secretary_post=last.secretary_post,
            )
        numbers = [
            int(m.number)
            for m in db.meetings.meetings(MeetingQuery(year=school_year_of(today)))
            if m.number.isdigit()
        ]
        values["number"] = str(max(numbers, default=0) + 1)
        try:
            info, meeting_id = db.meetings.add_meeting(values, self.tr("Новое заседание"))
        except DomainError as exc:
            show_warning(self, self.tr("Заседание не добавлено"), describe_error(exc))
            return
        self._done(info)
        self.show_meeting(meeting_id)
        self.sheet.field("meeting", meeting_id, "meeting_date").editor.setFocus()

    def _on_remove_clicked(self) -> None:
        db = self.db
        meeting = self.current_meeting()
        if db is None or meeting is None:
            return
        text = self.tr(
            "Удалить %1 со списком присутствовавших и повесткой? Мероприятия дорожной карты, "
            "сделанные из его решений, останутся. Отменить: Правка → Отменить."
        ).replace("%1", meeting.protocol_name.replace("Протокол", "протокол", 1))
        if not ask_yes_no(self, self.tr("Удалить заседание"), text, self.tr("Удалить")):
            return
        label = self.tr("Удалено: %1").replace("%1", meeting.protocol_name)
        self._meeting_id = None
        self._write(lambda: db.meetings.remove_meeting(meeting.id, label), self.tr("Не удалено"))
