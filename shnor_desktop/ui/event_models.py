"""Item models of the «Мероприятия» page: the events and their totals per kind and per quarter.

The note of an event is in the topic's tooltip and in the pane under the
table (a column of notes would push the place off a 1366-pixel screen).

The events table reads lazily (pages of :attr:`EventTableModel.PAGE`): a
region's list of events may be long.  A generated event (the demo marks what
no document gave) is shown in grey italics, with the note in its tooltip.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, Qt
from PySide6.QtGui import QColor, QFont

from shnor_desktop.models.events import Event, KindTotal, QuarterTotal
from shnor_desktop.models.text import format_date, format_number
from shnor_desktop.ui.table_model import Column, RecordTableModel

GENERATED_COLOUR = QColor("#6b6b6b")
_ITALIC = QFont()
_ITALIC.setItalic(True)


def tr(text: str) -> str:
    """Translate a source string of the events page."""
    return QCoreApplication.translate("events", text)


def date_text(event: Event) -> str:
    """«28.05.2021», or «дата не указана»."""
    return format_date(event.event_date) if event.event_date else tr("дата не указана")


def coverage_text(value: int | None) -> str:
    """«1 539» people, or «—» when the coverage was not given."""
    return "—" if value is None else format_number(value, 0)


def _one_line(text: str) -> str:
    return " ".join(text.split())


def event_tooltip(event: Event) -> str:
    """The whole topic, the note and whether the row was generated."""
    lines = [_one_line(event.topic)]
    if event.notes:
        lines.append(event.notes)
    if event.generated:
        lines.append(tr("Сгенерировано для демонстрации."))
    return "\n".join(lines)


class EventTableModel(RecordTableModel):
    """The events of the selection in date order (undated last)."""

    CONTEXT = "EventTableModel"
    COLUMNS = (
        Column("Дата", date_text, sort=lambda e: e.event_date or "9999"),
        Column("Вид", lambda e: e.kind),
        Column("Тема", lambda e: _one_line(e.topic), cell_tooltip=event_tooltip),
        Column("Для кого", lambda e: e.audience, cell_tooltip=lambda e: e.audience or None),
        Column(
            "Охват, чел.",
            lambda e: coverage_text(e.coverage),
            tooltip="Сколько человек участвовало",
            right=True,
            sort=lambda e: -1 if e.coverage is None else e.coverage,
        ),
        Column("Организатор", lambda e: e.organiser, cell_tooltip=lambda e: e.organiser or None),
        Column("Место", lambda e: e.place, cell_tooltip=lambda e: e.place or None),
    )
    (
        COL_DATE,
        COL_KIND,
        COL_TOPIC,
        COL_AUDIENCE,
        COL_COVERAGE,
        COL_ORGANISER,
        COL_PLACE,
    ) = range(len(COLUMNS))

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)

    def record(self, row: int) -> Event:
        """The event of a row."""
        event: Event = super().record(row)
        return event

    def extra_data(self, record: Any, column: int, role: int) -> Any:
        """Generated events in grey italics."""
        del column
        if not record.generated:
            return None
        if role == Qt.ItemDataRole.ForegroundRole:
            return GENERATED_COLOUR
        if role == Qt.ItemDataRole.FontRole:
            return _ITALIC
        return None


def _without(total: KindTotal | QuarterTotal) -> str | None:
    if not total.without_coverage:
        return None
    return tr("Охват не указан у %1 из них").replace("%1", str(total.without_coverage))


class KindTotalsModel(RecordTableModel):
    """Events and coverage per kind."""

    CONTEXT = "KindTotalsModel"
    COLUMNS = (
        Column("Вид", lambda t: t.kind),
        Column(
            "Мероприятий", lambda t: format_number(t.events, 0), right=True, sort=lambda t: t.events
        ),
        Column(
            "Охват, чел.",
            lambda t: format_number(t.coverage, 0),
            right=True,
            sort=lambda t: t.coverage,
            cell_tooltip=_without,
        ),
    )
    COL_KIND, COL_EVENTS, COL_COVERAGE = range(len(COLUMNS))

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent, key=lambda t: t.kind)


class QuarterTotalsModel(RecordTableModel):
    """Events and coverage per calendar quarter (the undated ones last)."""

    CONTEXT = "QuarterTotalsModel"
    COLUMNS = (
        Column("Квартал", lambda t: t.label, sort=lambda t: (t.year or 9999, t.quarter)),
        Column(
            "Мероприятий", lambda t: format_number(t.events, 0), right=True, sort=lambda t: t.events
        ),
        Column(
            "Охват, чел.",
            lambda t: format_number(t.coverage, 0),
            right=True,
            sort=lambda t: t.coverage,
            cell_tooltip=_without,
        ),
    )
    COL_QUARTER, COL_EVENTS, COL_COVERAGE = range(len(COLUMNS))

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent, key=lambda t: (t.year, t.quarter))
