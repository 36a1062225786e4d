"""The form dialog every area's «add / change» window is built on.

A :class:`FormDialog` lays out labelled fields, each with a hidden red
reason under it; ``read()`` (the subclass's) returns the values and what is
wrong with them; «Сохранить» hands checked values to ``saver``, which writes
through a repository.  A refused value (:class:`InvalidValueError`) is shown
under its field, any other domain error below the form, in Russian, and what
was typed stays; the window closes only when the save succeeded.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from shnor_desktop.models.errors import DomainError
from shnor_desktop.models.fields import FieldIssue, InvalidValueError
from shnor_desktop.models.text import parse_number
from shnor_desktop.services.messages import describe_error, describe_issue
from shnor_desktop.ui.widgets import error_label

Values = dict[str, Any]
Saver = Callable[[Values], None]


def sentence(issue: FieldIssue) -> str:
    """The common wording of an issue as a sentence: a capital and a full stop."""
    text = describe_issue(issue)
    return text[:1].upper() + text[1:] + "."


class FormDialog(QDialog):
    """A form that checks its values, then hands them to ``saver``; closes only on success.

    The saver writes through the repository; a refused value
    (:class:`InvalidValueError`) is shown under its field and any other domain
    error in the dialog, in Russian, and what was typed stays.
    """

    def __init__(
        self,
        title: str,
        save_text: str,
        parent: QWidget | None = None,
        wording: Callable[[FieldIssue], str] | None = None,
    ) -> None:
        super().__init__(parent)
        #: How a refused value is worded (an area may say more than the common wording).
        self.wording: Callable[[FieldIssue], str] = wording or sentence
        self.setWindowTitle(title)
        self.saver: Saver | None = None
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.edits: dict[str, QLineEdit] = {}
        self.errors: dict[str, QLabel] = {}
        self.error_label = error_label(self)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setText(save_text)
        self.cancel_button = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        self.cancel_button.setText(self.tr("Отмена"))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self._values: Values = {}
        self._widgets: dict[str, QWidget] = {}

    def _finish_layout(self, *extra: QWidget) -> None:
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        for widget in extra:
            layout.addWidget(widget)
        layout.addWidget(self.error_label)
        layout.addStretch(1)
        layout.addWidget(self.buttons)

    def add_field(self, name: str, label: str, widget: QWidget, unit: str = "") -> None:
        """Add a row: the label, the editor (with its unit) and, hidden, why it was refused."""
        box = QWidget(self)
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        if unit:
            line = QHBoxLayout()
            line.addWidget(widget)
            line.addWidget(QLabel(unit, box))
            line.addStretch(1)
            column.addLayout(line)
        else:
            column.addWidget(widget)
        if not widget.objectName():
            widget.setObjectName(f"field_{name}")  # tests and the monkey find a field by it
        error = error_label(box, f"error_{name}")
        column.addWidget(error)
        self.errors[name] = error
        self._widgets[name] = widget
        self.form.addRow(label + ":", box)

    def add_line(
        self, name: str, label: str, text: str, placeholder: str = "", unit: str = ""
    ) -> QLineEdit:
        """Add a one-line text field."""
        edit = QLineEdit(self)
        edit.setObjectName(f"field_{name}")
        edit.setText(text)
        edit.setCursorPosition(0)  # show the start of a long name
        edit.setPlaceholderText(placeholder)
        self.edits[name] = edit
        self.add_field(name, label, edit, unit)
        return edit

    # --- values ------------------------------------------------------------------------
    def values(self) -> Values:
        """The checked values (after ``accept()`` succeeded)."""
        return dict(self._values)

    def read(self) -> tuple[Values, list[FieldIssue]]:
        """Read the fields; return the values and what is wrong with them."""
        return {}, []

    def number(self, name: str, issues: list[FieldIssue]) -> Any:
        """The number typed in field ``name`` (None if empty); a non-number is an issue."""
        text = self.edits[name].text()
        try:
            return parse_number(text)
        except ValueError:
            issues.append(FieldIssue(name, "not_number", "error", (text,)))
            return text

    def clear_errors(self) -> None:
        """Hide every reason shown."""
        for label in self.errors.values():
            label.clear()
            label.hide()
        self.error_label.clear()
        self.error_label.hide()

    def show_issues(self, issues: list[FieldIssue]) -> None:
        """Show each reason under its field (or below the form) and focus the first field."""
        general: list[str] = []
        for issue in issues:
            label = self.errors.get(issue.field)
            if label is None:
                general.append(self.wording(issue))
                continue
            label.setText(" ".join(t for t in (label.text(), self.wording(issue)) if t))
            label.show()
        if general:
            self.show_error(" ".join(general))
        self._grow_to_fit()
        first = next((self._widgets[i.field] for i in issues if i.field in self._widgets), None)
        if first is not None:
            first.setFocus(Qt.FocusReason.OtherFocusReason)
            if isinstance(first, QLineEdit):
                first.selectAll()

    def show_error(self, text: str) -> None:
        """Show a reason that concerns the whole form."""
        self.error_label.setText(text)
        self.error_label.show()
        self._grow_to_fit()

    def _grow_to_fit(self) -> None:
        """Grow (never shrink) so that the reasons just shown are not cut off."""
        # A window does not grow by itself for word-wrapped labels (height for width).
        layout = self.layout()
        if layout is None:
            return
        layout.activate()
        width = self.width()
        height = max(self.height(), layout.totalHeightForWidth(width))
        if height > self.height():
            self.resize(width, height)

    def accept(self) -> None:
        """Save and close when the values are valid and written; otherwise say why."""
        self.clear_errors()
        values, issues = self.read()
        errors = [i for i in issues if i.severity == "error"]
        if errors:
            self.show_issues(errors)
            return
        self._values = values
        if self.saver is not None:
            try:
                self.saver(values)
            except InvalidValueError as exc:
                self.show_issues([exc.issue])
                return
            except DomainError as exc:
                self.show_error(describe_error(exc))
                return
        super().accept()
