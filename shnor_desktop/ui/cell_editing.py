"""Editing a tree's cells the way every form of the application edits a field.

A cell opens a :class:`CellEditor` (a line, or a list to pick from); Enter,
Tab and leaving the cell save through the model, whose ``setData`` hands the
edit to the panel's writer and keeps what came of it in ``last_result``
(:class:`WriteResult`).  A refused value stays in the editor with the reason
under it and the editor stays open (:class:`EditingTreeView`); Escape drops
it and the stored value comes back.  The indicator tree and the roadmap tree
share this; each delegate only says which cells pick from a list.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from PySide6.QtCore import (
    QAbstractItemModel,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QRect,
    Qt,
)
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemDelegate,
    QApplication,
    QComboBox,
    QFrame,
    QLabel,
    QLineEdit,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

AnyIndex = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True)
class WriteResult:
    """What came of a cell edit: saved, unchanged, refused (with the reason) or cancelled."""

    outcome: Literal["saved", "unchanged", "refused", "cancelled"]
    message: str = ""

    @property
    def ok(self) -> bool:
        """True when the editor may close with the value shown."""
        return self.outcome in ("saved", "unchanged")


class EditableModel(Protocol):
    """A model whose ``setData`` writes through a writer and keeps the outcome."""

    last_result: WriteResult

    def setData(  # noqa: N802
        self, index: AnyIndex, value: Any, role: int = Qt.ItemDataRole.EditRole
    ) -> bool: ...


class CellEditor(QFrame):
    """A cell's editor: a line (or a list for the direction) with the reason under it."""

    def __init__(self, choices: Sequence[tuple[str, str]] = (), parent: QWidget | None = None):
        super().__init__(parent)
        self.setAutoFillBackground(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(1)
        self.line: QLineEdit | None = None
        self.combo: QComboBox | None = None
        if choices:
            self.combo = QComboBox(self)
            for text, data in choices:
                self.combo.addItem(text, data)
            layout.addWidget(self.combo)
            self.setFocusProxy(self.combo)
        else:
            self.line = QLineEdit(self)
            self.line.setFrame(False)
            layout.addWidget(self.line)
            self.setFocusProxy(self.line)
        self.reason = QLabel(self)
        self.reason.setObjectName("cell_reason")
        self.reason.setWordWrap(True)
        self.reason.setStyleSheet("color: #c0392b; background: #fff6f5; padding: 2px;")
        self.reason.hide()
        layout.addWidget(self.reason)
        self.initial = ""
        self.cell_rect = QRect()
        self.index = QPersistentModelIndex()
        #: Set once the value was saved or dropped: leaving the cell saves nothing more.
        self.closing = False

    @property
    def field(self) -> QWidget:
        """The widget that holds the value."""
        return self.combo if self.combo is not None else self.line  # type: ignore[return-value]

    def set_text(self, text: str) -> None:
        """Show the value to edit (remembered, to tell an edit from a press of Enter)."""
        self.initial = text
        if self.combo is not None:
            self.combo.setCurrentIndex(max(self.combo.findData(text), 0))
        elif self.line is not None:
            self.line.setText(text)
            self.line.selectAll()

    def value(self) -> str:
        """What the editor holds."""
        if self.combo is not None:
            return str(self.combo.currentData())
        assert self.line is not None
        return self.line.text()

    def is_modified(self) -> bool:
        """True when the value differs from the one the editor opened with."""
        return self.value() != self.initial

    def show_reason(self, text: str) -> None:
        """Keep the typed value and say under it why it was not saved (empty hides it)."""
        self.reason.setText(text)
        self.reason.setVisible(bool(text))
        self.field.setStyleSheet("border: 2px solid #c0392b;" if text else "")
        self.field.setAccessibleDescription(text)
        self.fit()

    def fit(self) -> None:
        """Cover the cell; with a reason shown, grow below (and wide enough) to show it whole."""
        rect = QRect(self.cell_rect)
        if self.reason.isVisible():
            width = max(rect.width(), 300)
            parent = self.parentWidget()
            if parent is not None:
                width = min(width, max(parent.width() - 4, rect.width()))
                rect.moveLeft(max(0, min(rect.left(), parent.width() - width)))
            rect.setWidth(width)
            reason_height = self.reason.heightForWidth(width)
            rect.setHeight(self.cell_rect.height() + max(reason_height, 0) + 2)
        self.setGeometry(rect)
        self.raise_()


class CellDelegate(QStyledItemDelegate):
    """Edits a tree's cells; a refused value stays in the editor with the reason under it.

    Enter, Tab and leaving the cell save through the model (and so the
    panel's writer); a refused value keeps the editor open with the reason
    (:class:`EditingTreeView` does not close it either); Escape closes it
    and the stored value comes back.  A subclass says which cells pick from
    a list (:meth:`choices`) and what an empty line hints (:meth:`placeholder`).
    """

    def __init__(self, model: EditableModel, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self._committing = False
        self.editor: CellEditor | None = None

    def createEditor(  # noqa: N802
        self, parent: QWidget, option: QStyleOptionViewItem, index: AnyIndex
    ) -> QWidget:
        del option
        editor = CellEditor(self.choices(index), parent)
        editor.setObjectName("cell_editor")
        editor.index = QPersistentModelIndex(index)
        # Keys reach the field inside the frame first (Tab would move the focus on).
        editor.field.installEventFilter(self)
        if editor.combo is not None:
            editor.combo.activated.connect(lambda _i, e=editor: self._on_combo_activated(e))
        if editor.line is not None:
            editor.line.setPlaceholderText(self.placeholder(index))
        self.editor = editor
        editor.destroyed.connect(self._on_editor_destroyed)
        return editor

    def choices(self, index: AnyIndex) -> list[tuple[str, str]]:
        """The (text, value) pairs of a cell edited by picking from a list; empty: typed."""
        del index
        return []

    def placeholder(self, index: AnyIndex) -> str:
        """What an empty line of the cell shows (a hint such as «0–100»)."""
        del index
        return ""

    def _on_editor_destroyed(self) -> None:
        self.editor = None

    def setEditorData(self, editor: QWidget, index: AnyIndex) -> None:  # noqa: N802
        if isinstance(editor, CellEditor):
            if editor.reason.isVisible() or editor.is_modified():
                return  # a value being typed, or refused, stays until saved or dropped
            editor.set_text(str(index.data(Qt.ItemDataRole.EditRole) or ""))

    def setModelData(  # noqa: N802
        self, editor: QWidget, model: QAbstractItemModel, index: AnyIndex
    ) -> None:
        del model, index
        if isinstance(editor, CellEditor):
            self.save(editor)

    def updateEditorGeometry(  # noqa: N802
        self, editor: QWidget, option: QStyleOptionViewItem, index: AnyIndex
    ) -> None:
        del index
        rect = QRect(option.rect)
        if isinstance(editor, CellEditor):
            editor.cell_rect = rect
            editor.fit()
        else:
            editor.setGeometry(rect)

    # --- saving -----------------------------------------------------------------------------
    def save(self, editor: CellEditor) -> WriteResult:
        """Write the editor's value when it changed; show the reason when it is refused."""
        if self._committing:
            return WriteResult("refused", editor.reason.text())
        if editor.closing or not editor.is_modified():
            return WriteResult("unchanged")
        self._committing = True
        try:
            self.model.setData(editor.index, editor.value(), Qt.ItemDataRole.EditRole)
        finally:
            self._committing = False
        result = self.model.last_result
        if result.outcome == "refused":
            editor.show_reason(result.message)
            editor.field.setFocus(Qt.FocusReason.OtherFocusReason)
        else:
            editor.closing = True  # saved, or the replacement declined: nothing more to save
            editor.show_reason("")
        return result

    def commit(self, editor: CellEditor, hint: QAbstractItemDelegate.EndEditHint) -> bool:
        """Save the editor's value and close it unless refused; True when it closed."""
        if self._committing:
            return False
        result = self.save(editor)
        if result.outcome == "refused":
            return False
        if result.outcome == "cancelled":
            hint = QAbstractItemDelegate.EndEditHint.RevertModelCache
        self.closeEditor.emit(editor, hint)
        return True

    def _on_combo_activated(self, editor: CellEditor) -> None:
        self.commit(editor, QAbstractItemDelegate.EndEditHint.NoHint)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802, PLR0911
        if isinstance(watched, CellEditor):
            editor: CellEditor | None = watched
        else:
            parent = watched.parent()
            editor = parent if isinstance(parent, CellEditor) else None
        if editor is None:
            return super().eventFilter(watched, event)
        kind = event.type()
        if kind == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            hints = {
                Qt.Key.Key_Return: QAbstractItemDelegate.EndEditHint.SubmitModelCache,
                Qt.Key.Key_Enter: QAbstractItemDelegate.EndEditHint.SubmitModelCache,
                Qt.Key.Key_Tab: QAbstractItemDelegate.EndEditHint.EditNextItem,
                Qt.Key.Key_Backtab: QAbstractItemDelegate.EndEditHint.EditPreviousItem,
            }
            key = Qt.Key(event.key())
            if key in hints:
                self.commit(editor, hints[key])
                return True
            if key == Qt.Key.Key_Escape:
                editor.closing = True
                editor.show_reason("")
                self.closeEditor.emit(editor, QAbstractItemDelegate.EndEditHint.RevertModelCache)
                return True
            return False
        if kind == QEvent.Type.FocusOut:
            if self._committing or editor.closing or QApplication.activePopupWidget() is not None:
                return False
            focus = QApplication.focusWidget()
            if focus is not None and (focus is editor or editor.isAncestorOf(focus)):
                return False
            if QApplication.activeModalWidget() is not None:
                return False  # a question is open: the editor waits for its answer
            if not editor.reason.isVisible():
                self.commit(editor, QAbstractItemDelegate.EndEditHint.NoHint)
            return False
        return False


class EditingTreeView(QTreeView):
    """A tree edited cell by cell: it does not close an editor that holds a refused value.

    Qt closes the editor when the current cell changes (a click elsewhere);
    the typed value would be lost.  Only Escape (or a correct value) closes it.
    """

    def closeEditor(  # noqa: N802
        self, editor: QWidget, hint: QAbstractItemDelegate.EndEditHint
    ) -> None:
        if (
            isinstance(editor, CellEditor)
            and editor.reason.isVisible()
            and hint != QAbstractItemDelegate.EndEditHint.RevertModelCache
        ):
            return
        super().closeEditor(editor, hint)

    def commitData(self, editor: QWidget) -> None:  # noqa: N802
        if isinstance(editor, CellEditor):
            delegate = self.itemDelegate()
            if isinstance(delegate, CellDelegate):
                delegate.save(editor)
            return
        super().commitData(editor)
