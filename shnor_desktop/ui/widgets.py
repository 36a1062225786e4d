"""Editors and guards every panel shares.

- :func:`install_wheel_guard`: the mouse wheel scrolls forms and never edits a
  combo box, spin box or date editor the user has not focused (installed once
  for the whole application).
- :class:`FieldEditor`: one field of a form, with its unit, «generated» mark,
  history (context menu, Ctrl+H, a button outside the Tab chain), the reason a
  value was refused shown under it, and Escape to bring the stored value back.
- :class:`SchoolYearCombo`: the school-year picker of every panel: the years
  given, the current school year, and any other year typed as «2027/28».
- :class:`YearPairPicker`: «Сравнить годы: … и …», the two years a chart compares.
- :class:`SearchLine`: a search field that asks once typing pauses.
- :func:`error_label`: the red line under a field or a form that says why it was refused.
- :func:`edit_cell_by_cell`: a grid typed into like a spreadsheet.
- :class:`FormReflow`: form rows side by side when there is room, labels above
  the fields when the window is narrow.
- :class:`EmptyState`: what a panel shows instead of an empty page.
- :class:`HistoryDialog`: the recorded changes of one field.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from PySide6.QtCore import (
    QAbstractItemModel,
    QCoreApplication,
    QEvent,
    QObject,
    QPoint,
    QPointF,
    QSignalBlocker,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import (
    QAction,
    QContextMenuEvent,
    QFocusEvent,
    QKeyEvent,
    QKeySequence,
    QWheelEvent,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QAbstractScrollArea,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QStyle,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from shnor_desktop.models.fields import FieldIssue, FieldSpec, InvalidValueError
from shnor_desktop.models.text import (
    current_school_year,
    format_number,
    parse_number,
    parse_school_year,
    school_year_label,
)


def _tr(text: str) -> str:
    return QCoreApplication.translate("widgets", text)


# --- text helpers ------------------------------------------------------------------------


def quoted(name: str) -> str:
    """Put a name in «» unless it already carries its own quotes (МОУ «СОШ с. Ёлкино»)."""
    text = name.strip()
    if "«" in text or "»" in text or '"' in text:
        return text
    return f"«{text}»"


# --- what every form and grid shows alike ------------------------------------------------

ERROR_STYLE = "color: #b00020;"


def error_label(parent: QWidget | None = None, name: str = "") -> QLabel:
    """A hidden, wrapped red label that says why a value or a save was refused.

    ``name`` is its object name (``error_<field>``: tests and the monkey find it by that).
    """
    label = QLabel(parent)
    if name:
        label.setObjectName(name)
    label.setStyleSheet(ERROR_STYLE)
    label.setWordWrap(True)
    label.hide()
    return label


def edit_cell_by_cell(view: QAbstractItemView) -> None:
    """Make ``view`` a grid typed into like a spreadsheet: one cell at a time.

    A double click, F2 or simply typing starts editing the current cell; rows alternate.
    """
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(
        QAbstractItemView.EditTrigger.DoubleClicked
        | QAbstractItemView.EditTrigger.EditKeyPressed
        | QAbstractItemView.EditTrigger.AnyKeyPressed
    )
    view.setAlternatingRowColors(True)


# --- the wheel guard -----------------------------------------------------------------------

_GUARDED: tuple[type[QWidget], ...] = (QComboBox, QAbstractSpinBox)
_GUARD_NAME = "shnor_wheel_guard"


def _has_focus(widget: QWidget) -> bool:
    if widget.hasFocus():
        return True
    focus = QApplication.focusWidget()
    return focus is not None and widget.isAncestorOf(focus)


def _scroll_area_of(widget: QWidget) -> QAbstractScrollArea | None:
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, QAbstractScrollArea):
            return parent
        parent = parent.parentWidget()
    return None


def _passes_undo_on(line: QLineEdit, event: QKeyEvent) -> bool:
    """True when Ctrl+Z / Ctrl+Y in ``line`` has nothing to undo or redo in the text itself."""
    if event.matches(QKeySequence.StandardKey.Undo):
        return not line.isUndoAvailable()
    redo = event.matches(QKeySequence.StandardKey.Redo) or (
        event.key() == Qt.Key.Key_Y and event.modifiers() == Qt.KeyboardModifier.ControlModifier
    )
    return redo and not line.isRedoAvailable()


class WheelGuard(QObject):
    """An application-wide event filter: the wheel edits only a focused editor.

    It also lets Ctrl+Z / Ctrl+Y through to the window's undo when the focused
    line edit has no typing of its own to undo (Qt's line edit would swallow
    the keys and do nothing).

    Over a combo box, spin box or date editor without focus the wheel goes on
    to the scroll area around it, as it would over a label; such editors no
    longer take focus from the wheel either, so scrolling a form past them
    cannot focus and then edit them.  Even a focused editor goes on scrolling
    the form while a scroll that began elsewhere is under way (the pointer
    only passes over it): the wheel edits when the user turns it over the
    field on purpose.
    """

    #: A wheel step within this many seconds of scrolling the form continues it.
    SCROLL_CONTINUES = 0.5

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._scrolled_at = -1.0

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        kind = event.type()
        if kind == QEvent.Type.Wheel and isinstance(watched, QWidget):
            now = time.monotonic()
            if isinstance(watched, _GUARDED):
                scrolling = now - self._scrolled_at < self.SCROLL_CONTINUES
                if scrolling or not _has_focus(watched):
                    assert isinstance(event, QWheelEvent)
                    self._scrolled_at = now
                    self._scroll_instead(watched, event)
                    return True
            elif not isinstance(watched.parentWidget(), _GUARDED):
                # The line edit inside an editable combo box or a spin box is the
                # editor itself, not the form around it.
                self._scrolled_at = now
        elif kind == QEvent.Type.ShortcutOverride and isinstance(watched, QLineEdit):
            assert isinstance(event, QKeyEvent)
            if _passes_undo_on(watched, event):
                # The field has nothing of its own to undo or redo: Ctrl+Z / Ctrl+Y
                # go to Правка → Отменить / Повторить (the last saved change).
                event.ignore()
                return True
        elif (
            kind == QEvent.Type.Polish
            and isinstance(watched, _GUARDED)
            and watched.focusPolicy() == Qt.FocusPolicy.WheelFocus
        ):
            watched.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        return False

    @staticmethod
    def _scroll_instead(widget: QWidget, event: QWheelEvent) -> None:
        area = _scroll_area_of(widget)
        if area is None:
            # Nothing to scroll: the event is left ignored, so Qt offers a real
            # wheel to the parents (and the editor keeps its value).
            event.ignore()
            return
        viewport = area.viewport()
        # Qt propagates only spontaneous wheel events to parents; forwarding it
        # ourselves scrolls the form for real and synthesised events alike.
        local = widget.mapTo(viewport, event.position().toPoint())
        forwarded = QWheelEvent(
            QPointF(local),
            event.globalPosition(),
            event.pixelDelta(),
            event.angleDelta(),
            event.buttons(),
            event.modifiers(),
            event.phase(),
            event.inverted(),
            event.source(),
        )
        QCoreApplication.sendEvent(viewport, forwarded)
        event.accept()


def install_wheel_guard(app: QCoreApplication | None = None) -> WheelGuard:
    """Install the :class:`WheelGuard` on the application once; return it."""
    target = app if app is not None else QCoreApplication.instance()
    if target is None:
        raise RuntimeError("install_wheel_guard needs a QApplication")
    existing = target.findChild(QObject, _GUARD_NAME)
    if isinstance(existing, WheelGuard):
        return existing
    guard = WheelGuard(target)
    guard.setObjectName(_GUARD_NAME)
    target.installEventFilter(guard)
    return guard


# --- parsing what an editor holds --------------------------------------------------------

_NUMERIC = ("count", "share", "real", "int")
_CHOICE = ("flag", "group", "person", "school", "choice", "ref")
_DATE = re.compile(r"^\s*(\d{1,2})\.(\d{1,2})\.(\d{4})\s*$")


def parse_field(spec: FieldSpec, raw: Any) -> Any:
    """Turn what an editor holds into a value for the domain's check.

    Raises :class:`InvalidValueError`: «not_integer» for text in a whole-number
    field, «not_number» in other number fields, «not_date» for a date not
    written as 31.08.2024.
    """
    if spec.kind in _NUMERIC and isinstance(raw, str):
        try:
            return parse_number(raw)
        except ValueError:
            code = "not_integer" if spec.kind in ("count", "int") else "not_number"
            raise InvalidValueError(FieldIssue(spec.name, code, "error", (raw,))) from None
    if spec.kind == "date" and isinstance(raw, str):
        if not raw.strip():
            return None
        match = _DATE.match(raw)
        try:
            if match is None:
                raise ValueError(raw)
            day, month, year = (int(part) for part in match.groups())
            return date(year, month, day).isoformat()
        except ValueError:
            raise InvalidValueError(FieldIssue(spec.name, "not_date", "error", (raw,))) from None
    return raw


# --- one field of a form -----------------------------------------------------------------

HISTORY_SHORTCUT = QKeySequence("Ctrl+H")


class _CommitText(QPlainTextEdit):
    """A multi-line text field that reports when the user leaves it."""

    sig_committed = Signal()

    def focusOutEvent(self, event: QFocusEvent) -> None:  # noqa: N802
        super().focusOutEvent(event)
        self.sig_committed.emit()


class FieldEditor(QWidget):
    """One editor of one field: unit, «generated» mark, history, and its message.

    The editor saves nothing itself: it emits ``sig_commit`` with what it holds
    when the user leaves it (a text) or picks an entry (a combo box).  A value
    the panel refused stays in the editor with the reason shown under it until
    it is corrected, or Escape brings the stored value back.
    """

    sig_commit = Signal(str, object)  # field name, raw value
    sig_history = Signal(str)  # field name

    MULTILINE_HEIGHT = 54

    def __init__(
        self, spec: FieldSpec, multiline: bool = False, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.spec = spec
        self._value: Any = None
        self._shown_text = ""
        self.error = ""
        self.reason = ""
        self.warning = ""
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(2)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        outer.addLayout(row)
        self.editor: QWidget
        numeric = spec.kind in _NUMERIC
        if spec.kind in _CHOICE:
            combo = QComboBox()
            combo.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
            )
            combo.setMinimumContentsLength(12)
            combo.setPlaceholderText(self.tr("не указано"))
            combo.activated.connect(self._on_combo_activated)
            if spec.kind == "choice":
                for choice in spec.choices:
                    combo.addItem(choice, choice)
            self.editor = combo
        elif multiline and spec.kind == "text":
            text = _CommitText()
            text.setTabChangesFocus(True)
            text.setFixedHeight(self.MULTILINE_HEIGHT)
            text.sig_committed.connect(self._on_text_committed)
            self.editor = text
        else:
            line = QLineEdit()
            line.editingFinished.connect(self._on_line_finished)
            if numeric:
                line.setAlignment(Qt.AlignmentFlag.AlignRight)
                line.setMaximumWidth(110)
                line.setMinimumWidth(60)
            elif spec.kind == "date":
                line.setPlaceholderText(self.tr("ДД.ММ.ГГГГ"))
                line.setMaximumWidth(110)
            self.editor = line
        self.editor.setObjectName(f"field_{spec.name}")
        self.editor.installEventFilter(self)
        self.editor.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.editor.customContextMenuRequested.connect(self._on_editor_menu_requested)
        row.addWidget(self.editor, 0 if numeric or spec.kind == "date" else 1)
        metrics = self.fontMetrics()
        if spec.unit or numeric:
            self.unit = QLabel(spec.unit)
            # Units of one width keep the «generated» marks and history buttons in line.
            self.unit.setMinimumWidth(metrics.horizontalAdvance("Мбит/с") + 2)
            row.addWidget(self.unit)
        self.mark = QLabel(self.tr("сгенер."))
        self.mark.setStyleSheet("color: #8a6d00; font-style: italic; font-size: 8pt;")
        self.mark.setToolTip(
            self.tr("Значения нет в документах: оно сгенерировано для демонстрации")
        )
        policy = self.mark.sizePolicy()
        policy.setRetainSizeWhenHidden(numeric)
        self.mark.setSizePolicy(policy)
        self.mark.hide()
        row.addWidget(self.mark)
        if numeric or spec.kind == "date":
            row.addStretch(1)
        self.history_action = QAction(self.tr("История изменений поля…"), self)
        self.history_action.setShortcut(HISTORY_SHORTCUT)
        self.history_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.history_action.triggered.connect(self._on_history_triggered)
        self.addAction(self.history_action)
        self.history_button = QToolButton()
        self.history_button.setIcon(
            self.style().standardIcon(QStyle.StandardPixmap.SP_FileDialogDetailedView)
        )
        self.history_button.setToolTip(
            self.tr("История изменений поля ({0}; или правая кнопка мыши на поле)").format(
                HISTORY_SHORTCUT.toString(QKeySequence.SequenceFormat.NativeText)
            )
        )
        self.history_button.setAutoRaise(True)
        # Out of the Tab chain: Tab goes from field to field, and a space typed
        # after Tab cannot open the history and lose what is typed next.
        self.history_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.history_button.clicked.connect(self._on_history_triggered)
        row.addWidget(self.history_button, 0, Qt.AlignmentFlag.AlignTop)
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.note.setObjectName(f"note_{spec.name}")
        self.note.hide()
        outer.addWidget(self.note)

    # --- choices ------------------------------------------------------------------------
    def set_choices(self, choices: list[tuple[str, Any]]) -> None:
        """Fill a combo editor with (text, value) pairs."""
        combo = self.editor
        assert isinstance(combo, QComboBox)
        with QSignalBlocker(combo):
            combo.clear()
            for text, value in choices:
                combo.addItem(text, value)
        self._show_value()

    # --- value --------------------------------------------------------------------------
    @property
    def value(self) -> Any:
        """The stored value shown."""
        return self._value

    def set_value(self, value: Any, generated: bool = False) -> None:
        """Show a stored value; a refused text, or one being typed, is kept."""
        self._value = value
        self.mark.setVisible(generated)
        if self.error or self._is_being_typed():
            return
        self._show_value()

    def show_stored(self) -> None:
        """Show the stored value again (after an edit that changed nothing)."""
        self._show_value()

    def revert(self) -> bool:
        """Drop a refused or unsaved text and show the stored value; True if one was dropped."""
        dropped = bool(self.error) or self.is_modified()
        self.set_error("")
        self._show_value()
        return dropped

    def holds_refused_text(self) -> bool:
        """True when the editor keeps a typed value that was refused (it would be lost)."""
        return bool(self.error) and not isinstance(self.editor, QComboBox)

    def is_modified(self) -> bool:
        """True when the editor holds text that differs from the stored value."""
        editor = self.editor
        if isinstance(editor, QLineEdit):
            return editor.text() != self._shown_text
        if isinstance(editor, QPlainTextEdit):
            return editor.toPlainText() != self._shown_text
        return False

    def _is_being_typed(self) -> bool:
        return self.editor.hasFocus() and self.is_modified()

    def _show_value(self) -> None:
        value = self._value
        editor = self.editor
        with QSignalBlocker(editor):
            if isinstance(editor, QComboBox):
                # An unknown value (an unfilled passport's group) shows as «не указано»,
                # not as the first entry.
                editor.setCurrentIndex(editor.findData(value))
            elif isinstance(editor, QPlainTextEdit):
                self._shown_text = "" if value is None else str(value)
                if editor.toPlainText() != self._shown_text:
                    editor.setPlainText(self._shown_text)
            elif isinstance(editor, QLineEdit):
                self._shown_text = self.format(value)
                editor.setText(self._shown_text)
                editor.setCursorPosition(0)

    def format(self, value: Any) -> str:
        """Format a value of this field for display."""
        if value is None:
            return ""
        if self.spec.kind in ("count", "int"):
            return format_number(int(value), 0) if self.spec.kind == "count" else str(value)
        if self.spec.kind in ("share", "real"):
            number = float(value)
            if number.is_integer():
                return format_number(number, 0)
            # Up to the precision the documents use (0,03 %, 0,06 %), no trailing zeros.
            return format_number(number, 2).rstrip("0").rstrip(",")
        if self.spec.kind == "date" and isinstance(value, str) and value:
            return date.fromisoformat(value[:10]).strftime("%d.%m.%Y")
        if isinstance(self.editor, QComboBox):
            position = self.editor.findData(value)
            if position >= 0:
                return self.editor.itemText(position)
        return str(value)

    # --- messages ----------------------------------------------------------------------
    def set_error(self, message: str, reason: str = "") -> None:
        """Mark the editor invalid with ``message`` under it (empty clears the mark).

        ``reason`` is the short form of the message (for a question that lists
        several fields); by default the message itself.
        """
        self.error = message
        self.reason = reason or message
        self.editor.setStyleSheet("border: 2px solid #c0392b;" if message else "")
        self.editor.setToolTip(message)
        self._show_note()

    def set_warning(self, message: str) -> None:
        """Show a warning under the field: the value is kept, but something disagrees."""
        self.warning = message
        self._show_note()

    def _show_note(self) -> None:
        if self.error:
            self.note.setText(self.error)
            self.note.setStyleSheet("color: #c0392b;")
        elif self.warning:
            self.note.setText("⚠ " + self.warning)
            self.note.setStyleSheet("color: #7a5c00;")
        self.note.setVisible(bool(self.error or self.warning))
        self.editor.setAccessibleDescription(self.error or self.warning)

    def raw_value(self) -> Any:
        """The editor's current value: text, or the combo's data."""
        editor = self.editor
        if isinstance(editor, QComboBox):
            return editor.currentData()
        if isinstance(editor, QPlainTextEdit):
            return editor.toPlainText()
        assert isinstance(editor, QLineEdit)
        return editor.text()

    # --- events ------------------------------------------------------------------------
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if (
            watched is self.editor
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() == Qt.Key.Key_Escape
            and event.modifiers() == Qt.KeyboardModifier.NoModifier
            and self.revert()
        ):
            return True
        return super().eventFilter(watched, event)

    def _on_editor_menu_requested(self, position: QPoint) -> None:
        editor = self.editor
        menu: QMenu
        if isinstance(editor, QLineEdit):
            menu = editor.createStandardContextMenu()
        elif isinstance(editor, QPlainTextEdit):
            menu = editor.createStandardContextMenu(position)
        else:
            menu = QMenu(self)
        if menu.actions():
            menu.addSeparator()
        menu.addAction(self.history_action)
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        menu.popup(editor.mapToGlobal(position))
        self.context_menu = menu

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:  # noqa: N802
        self._on_editor_menu_requested(self.editor.mapFrom(self, event.pos()))

    def _on_history_triggered(self) -> None:
        self.sig_history.emit(self.spec.name)

    def _on_combo_activated(self, _index: int) -> None:
        self.sig_commit.emit(self.spec.name, self.raw_value())

    def _on_text_committed(self) -> None:
        if self.is_modified():
            self.sig_commit.emit(self.spec.name, self.raw_value())

    def _on_line_finished(self) -> None:
        self.sig_commit.emit(self.spec.name, self.raw_value())


# --- the school year picker --------------------------------------------------------------

FIRST_YEAR = 1990
LAST_YEAR = 2100


class SchoolYearCombo(QComboBox):
    """Picks a school year: the years given, the current one, or any typed «2027/28».

    Every year is written the same way (2022/23).  «Другой год…» at the end of
    the list clears the field for typing; a year typed there joins the list.
    """

    sig_year_changed = Signal(int)
    sig_rejected = Signal(str)  # a text that is not a school year

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setEditable(True)
        self.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.line = QLineEdit()
        self.line.setPlaceholderText(self.tr("например, 2027/28"))
        self.setLineEdit(self.line)
        # No completion: typing «2027/28» must not be completed to a year in the list.
        self.setCompleter(None)  # type: ignore[arg-type]
        self.line.editingFinished.connect(self._on_text_finished)
        self.setToolTip(self.tr("Учебный год: выберите в списке или введите, например 2027/28"))
        self._added: set[int] = set()
        self._year = current_school_year()
        self.set_years(())
        self.currentIndexChanged.connect(self._on_index_changed)

    @property
    def year(self) -> int:
        """The chosen school year (its first calendar year)."""
        return self._year

    def years(self) -> list[int]:
        """The years offered, oldest first."""
        return [int(y) for y in (self.itemData(i) for i in range(self.count())) if y is not None]

    def set_years(self, years: Iterable[int], select: int | None = None) -> None:
        """Offer ``years`` with the current school year and the years typed before.

        The chosen year stays chosen (``select`` chooses another); no signal is emitted.
        """
        keep = select if select is not None else self._year
        offered = sorted({*years, current_school_year(), *self._added, keep})
        with QSignalBlocker(self):
            self.clear()
            for year in offered:
                self.addItem(school_year_label(year), year)
            self.insertSeparator(self.count())
            self.addItem(self.tr("Другой год…"), None)
            self.setCurrentIndex(self.findData(keep))
        self._year = keep

    def set_year(self, year: int, notify: bool = True) -> None:
        """Choose ``year``, adding it to the list when it is not there."""
        changed = year != self._year
        if self.findData(year) < 0:
            self._added.add(year)
            self.set_years(self.years(), select=year)
        with QSignalBlocker(self):
            self.setCurrentIndex(self.findData(year))
        self._year = year
        if changed and notify:
            self.sig_year_changed.emit(year)

    def _on_index_changed(self, index: int) -> None:
        data = self.itemData(index)
        if data is None:
            # «Другой год…»: keep the year shown until another is typed.
            with QSignalBlocker(self):
                self.setCurrentIndex(self.findData(self._year))
            QTimer.singleShot(0, self._start_typing)
            return
        if int(data) != self._year:
            self._year = int(data)
            self.sig_year_changed.emit(self._year)

    def _start_typing(self) -> None:
        self.line.clear()
        self.setFocus(Qt.FocusReason.OtherFocusReason)

    def _on_text_finished(self) -> None:
        line = self.line
        text = line.text().strip()
        if text == school_year_label(self._year):
            return
        try:
            year = parse_school_year(text) if text else None
        except ValueError:
            year = None
        if year is None or not FIRST_YEAR <= year <= LAST_YEAR:
            line.setText(school_year_label(self._year))
            if text:
                self.sig_rejected.emit(text)
            return
        self.set_year(year)
        line.setText(school_year_label(year))


def detail_pane(parent: QWidget, minimum_height: int) -> tuple[QLabel, QScrollArea]:
    """The pane under a table that tells the selected row in full: a selectable rich label.

    Returns the label (set its text) and the scroll area to lay out.
    """
    label = QLabel(parent)
    label.setObjectName("detail")
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.RichText)
    label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setContentsMargins(6, 4, 6, 4)
    area = QScrollArea(parent)
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.StyledPanel)
    area.setWidget(label)
    area.setMinimumHeight(minimum_height)
    return label, area


class ProgrammeCombo(QComboBox):
    """The programme chooser of a panel: «title (2021–2023)», the whole title in the tooltip."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("programme")
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.setMinimumContentsLength(20)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def set_programmes(self, programmes: Sequence[Any], wanted: int | None) -> int | None:
        """List the programmes (objects with id, title, start_year, end_year) without signals.

        Chooses ``wanted`` when it is listed, else the first; returns the chosen id
        (None when there is no programme).
        """
        ids = [int(p.id) for p in programmes]
        chosen = wanted if wanted in ids else (ids[0] if ids else None)
        with QSignalBlocker(self):
            self.clear()
            for programme in programmes:
                self.addItem(
                    f"{programme.title} ({programme.start_year}–{programme.end_year})", programme.id
                )
                self.setItemData(self.count() - 1, programme.title, Qt.ItemDataRole.ToolTipRole)
            self.setCurrentIndex(max(self.findData(chosen), 0))
        return chosen


class SearchLine(QLineEdit):
    """A search field with a clear button: ``sig_search`` once typing pauses (200 ms).

    A list is filtered once per pause, not at every key (a region's lists are long).
    """

    sig_search = Signal()
    PAUSE_MS = 200

    def __init__(self, placeholder: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setPlaceholderText(placeholder)
        self.setClearButtonEnabled(True)
        self._pause = QTimer(self)
        self._pause.setSingleShot(True)
        self._pause.setInterval(self.PAUSE_MS)
        self._pause.timeout.connect(self.sig_search)
        self.textChanged.connect(self._pause.start)

    def cancel_pending(self) -> None:
        """Forget a search still to come (the list was just read with the text as it is)."""
        self._pause.stop()


class YearPairPicker(QWidget):
    """«Сравнить годы: [первый] и [второй]»: the two school years a chart compares.

    :meth:`set_years` keeps each choice that is still offered, else chooses the
    last but one and the last year; with no years both pickers are disabled.
    ``sig_changed`` follows the user's choice (not :meth:`set_years`).
    """

    sig_changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.first = QComboBox(self)
        self.second = QComboBox(self)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(QLabel(self.tr("Сравнить годы:"), self))
        row.addWidget(self.first)
        row.addWidget(QLabel(self.tr("и"), self))
        row.addWidget(self.second)
        row.addStretch(1)
        self.first.activated.connect(self._on_combo_activated)
        self.second.activated.connect(self._on_combo_activated)

    def set_years(self, years: Sequence[int]) -> None:
        """Offer ``years`` (oldest first) in both pickers."""
        for combo, default in ((self.first, -2), (self.second, -1)):
            current = combo.currentData()
            with QSignalBlocker(combo):
                combo.clear()
                for year in years:
                    combo.addItem(school_year_label(year), year)
                position = combo.findData(current)
                if position < 0 and years:
                    position = combo.findData(years[max(default, -len(years))])
                combo.setCurrentIndex(position)
            combo.setEnabled(bool(years))  # no years: nothing to pick

    def chosen(self) -> tuple[int | None, int | None]:
        """The two years chosen (None where there is none)."""
        return self.first.currentData(), self.second.currentData()

    def _on_combo_activated(self, _index: int) -> None:
        self.sig_changed.emit()


# --- a form that reflows ---------------------------------------------------------------


class FormReflow(QObject):
    """Puts labels beside their fields when ``watched`` is wide, above them when narrow.

    The width needed is the widest label plus ``field_width``; a small margin
    between the two switch points keeps a scroll bar that comes and goes
    from flipping the layout back and forth.
    """

    HYSTERESIS = 16

    def __init__(self, watched: QWidget, forms: list[QFormLayout], field_width: int = 260) -> None:
        super().__init__(watched)
        self.forms = forms
        self.field_width = field_width
        self.wide = True
        # One label column for all the forms, so fields of every section line up.
        labels = [
            item.widget()
            for form in forms
            for row in range(form.rowCount())
            if (item := form.itemAt(row, QFormLayout.ItemRole.LabelRole)) is not None
        ]
        widest = max((label.sizeHint().width() for label in labels if label), default=0)
        for label in labels:
            if label is not None:
                label.setMinimumWidth(widest)
        watched.installEventFilter(self)

    def needed_width(self) -> int:
        """The width under which the labels go above the fields."""
        labels = [
            form.itemAt(row, QFormLayout.ItemRole.LabelRole)
            for form in self.forms
            for row in range(form.rowCount())
        ]
        widest = max((item.sizeHint().width() for item in labels if item is not None), default=0)
        return widest + self.field_width + 48

    def apply(self, width: int) -> None:
        """Lay the forms out for a width of ``width`` pixels."""
        needed = self.needed_width()
        wide = width >= needed + (self.HYSTERESIS if not self.wide else 0)
        if wide == self.wide:
            return
        self.wide = wide
        policy = (
            QFormLayout.RowWrapPolicy.DontWrapRows
            if wide
            else QFormLayout.RowWrapPolicy.WrapAllRows
        )
        for form in self.forms:
            form.setRowWrapPolicy(policy)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() == QEvent.Type.Resize and isinstance(watched, QWidget):
            self.apply(watched.width())
        return False


# --- empty states and the history dialog -----------------------------------------------


class EmptyState(QWidget):
    """A title, a sentence and one action, for a page with nothing to show yet."""

    sig_action = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        self.title = QLabel()
        self.title.setWordWrap(True)
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.title.setStyleSheet("font-size: 13pt; font-weight: bold;")
        self.text = QLabel()
        self.text.setWordWrap(True)
        self.text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.button = QPushButton()
        self.button.clicked.connect(self._on_button_clicked)
        layout.addWidget(self.title)
        layout.addWidget(self.text)
        layout.addWidget(self.button, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch(2)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)

    def _on_button_clicked(self) -> None:
        self.sig_action.emit()

    def set_state(self, title: str, text: str = "", action: str = "") -> None:
        """Show ``title`` and ``text``; a button ``action`` when given."""
        self.title.setText(title)
        self.text.setText(text)
        self.text.setVisible(bool(text))
        self.button.setText(action)
        self.button.setVisible(bool(action))


class HistoryDialog(QDialog):
    """The history of one field: who changed it, when, from what to what."""

    def __init__(
        self, title: str, model: QAbstractItemModel, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("История: {0}").format(title))
        self.resize(720, 320)
        layout = QVBoxLayout(self)
        self.view = QTableView()
        self.view.setModel(model)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.view.verticalHeader().hide()
        layout.addWidget(self.view)
        if model.rowCount() == 0:
            layout.addWidget(QLabel(self.tr("Поле ещё не изменялось.")))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText(_tr("Закрыть"))
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
