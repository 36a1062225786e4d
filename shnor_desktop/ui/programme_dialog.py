"""The window of a programme: its title, period, approving order and who approved it.

A new programme and the properties of an existing one use the same form; the
values are checked by the programme's field rules (``models/roadmap.py``)
before the saver writes them, and a refused value is explained under its
field.  A changed period reads the deadlines of the programme's roadmap again
(the repository does it in the same action, so one undo takes both back).
"""

from __future__ import annotations

from datetime import date, datetime

from PySide6.QtWidgets import QLabel, QPlainTextEdit, QWidget

from shnor_desktop.models.fields import FieldIssue, InvalidValueError, check_value
from shnor_desktop.models.roadmap import PROGRAMME_FIELD_BY_NAME, Programme
from shnor_desktop.models.text import format_date
from shnor_desktop.ui.forms import FormDialog, Values, sentence

_LINES = ("title", "start_year", "end_year", "order_number", "order_date", "approved_by")


def parse_russian_date(text: str) -> date:
    """Read «03.07.2023» (also «3.7.2023»); raise :class:`ValueError` otherwise."""
    return datetime.strptime(text.strip(), "%d.%m.%Y").date()


class ProgrammeDialog(FormDialog):
    """«Новая программа» / «Свойства программы»: the programme's card in a form."""

    def __init__(
        self, programme: Programme | None, default_year: int, parent: QWidget | None = None
    ) -> None:
        super().__init__(
            self.tr("Новая программа") if programme is None else self.tr("Свойства программы"),
            self.tr("Создать") if programme is None else self.tr("Сохранить"),
            parent,
            sentence,
        )
        self.programme = programme
        self.setMinimumWidth(640)
        start = programme.start_year if programme else default_year
        end = programme.end_year if programme else default_year + 2
        texts = {
            "title": programme.title if programme else "",
            "start_year": str(start),
            "end_year": str(end),
            "order_number": programme.order_number if programme else "",
            "order_date": format_date(programme.order_date) if programme else "",
            "approved_by": programme.approved_by if programme else "",
        }
        hints = {
            "title": self.tr("например: Программа поддержки школ с низкими результатами"),
            "order_number": self.tr("например: 112"),
            "order_date": self.tr("ДД.ММ.ГГГГ"),
            "approved_by": self.tr("например: приказом управления образования"),
        }
        for name in _LINES:
            edit = self.add_line(
                name, self.tr(PROGRAMME_FIELD_BY_NAME[name].label), texts[name], hints.get(name, "")
            )
            if name in ("start_year", "end_year", "order_date"):
                edit.setMaximumWidth(140)
        self.notes = QPlainTextEdit(programme.notes if programme else "", self)
        self.notes.setTabChangesFocus(True)
        self.notes.setFixedHeight(self.notes.fontMetrics().lineSpacing() * 4 + 12)
        self.add_field("notes", self.tr(PROGRAMME_FIELD_BY_NAME["notes"].label), self.notes)
        hint = QLabel(
            self.tr(
                "Период — календарные годы программы; сроки дорожной карты читаются внутри него. "
                "Если период изменится, сроки, не заданные вручную, будут прочитаны заново."
            ),
            self,
        )
        hint.setWordWrap(True)
        hint.setStyleSheet("color: #555555;")
        self._finish_layout(hint)
        self.edits["title"].setFocus()

    def read(self) -> tuple[Values, list[FieldIssue]]:
        """The programme's fields, checked by its field rules, and what is wrong with them."""
        issues: list[FieldIssue] = []
        values: Values = {}
        for name in _LINES:
            text = self.edits[name].text().strip()
            raw: object = text
            if name == "order_date" and text:
                try:
                    raw = parse_russian_date(text)
                except ValueError:
                    issues.append(FieldIssue(name, "not_date", "error", (text,)))
                    continue
            try:
                values[name] = check_value(PROGRAMME_FIELD_BY_NAME[name], raw)
            except InvalidValueError as exc:
                issues.append(exc.issue)
        values["notes"] = self.notes.toPlainText().strip()
        start, end = values.get("start_year"), values.get("end_year")
        if isinstance(start, int) and isinstance(end, int) and end < start:
            issues.append(FieldIssue("end_year", "period_order", "error", (start, end)))
        return values, issues


__all__ = ["ProgrammeDialog", "parse_russian_date"]
