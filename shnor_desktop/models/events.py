"""Events of the district's methodical work: seminars, master classes, round tables …

An event has a date (ISO text; it may be unknown — seed 000 lists one as
«(дата, охват – 56 чел.)»), a kind from :data:`EVENT_KINDS`, a topic as
written, the audience («учителя начальных классов»), the coverage (охват,
people), the organiser, the place, notes, and whether the row was generated
(the demo marks what no document gave).  Search looks in the folded text of
kind, topic, audience, organiser, place and notes (``event.search_fold``, kept
by the write path through ``schema.DERIVED``), so «функциональная» finds
«Функциональная грамотность …» whatever the case.

:class:`EventQuery` selects by period, kind and search; :meth:`EventRepository.totals`
counts the events and sums their coverage per kind and per calendar quarter in
SQL (an event without a date has no quarter and is counted apart).

Every write is one change set with the caller's label and returns its
:class:`ChangeSetInfo` (None when nothing changed), so undo and the history of
a field work as everywhere else.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any, Final

from shnor_desktop.models import rules
from shnor_desktop.models.changelog import ChangeLog, ChangeSet, ChangeSetInfo
from shnor_desktop.models.errors import RecordNotFoundError
from shnor_desktop.models.fields import FieldIssue, FieldSpec
from shnor_desktop.models.rules import RowContext
from shnor_desktop.models.text import fold

EVENT_KINDS: Final = (
    "семинар",
    "семинар-практикум",
    "практикум",
    "мастер-класс",
    "круглый стол",
    "совещание",
    "заседание РМО",
    "дискуссия",
    "обмен опытом",
    "вебинар",
    "тренинг",
    "конференция",
    "методический день",
    "другое",
)
"""Kinds of event, in the order lists show them (seed 000's and seed 004's kinds)."""

MAX_COVERAGE: Final = 100_000
"""More people than this at one event is a typing slip (a region has ~1,500 schools)."""

QUARTER_NAMES: Final = ("I", "II", "III", "IV")

_SECTION = "Мероприятия"

EVENT_FIELDS: Final[tuple[FieldSpec, ...]] = (
    FieldSpec("event_date", "date", _SECTION, "Дата"),
    FieldSpec("kind", "choice", _SECTION, "Вид", required=True, choices=EVENT_KINDS),
    FieldSpec("topic", "text", _SECTION, "Тема", required=True),
    FieldSpec("audience", "text", _SECTION, "Для кого"),
    FieldSpec("coverage", "count", _SECTION, "Охват", unit="чел.", maximum=MAX_COVERAGE),
    FieldSpec("organiser", "text", _SECTION, "Организатор"),
    FieldSpec("place", "text", _SECTION, "Место"),
    FieldSpec("notes", "text", _SECTION, "Примечание"),
    FieldSpec("generated", "flag", _SECTION, "Сгенерировано"),
)
EVENT_FIELD_BY_NAME: Final = {spec.name: spec for spec in EVENT_FIELDS}
EDITABLE_EVENT_FIELDS: Final = (
    "event_date",
    "kind",
    "topic",
    "audience",
    "coverage",
    "organiser",
    "place",
    "notes",
)
"""The fields a form writes (``generated`` is the demo's; an edit by hand clears it)."""


def _event_rule(ctx: RowContext) -> Iterable[FieldIssue]:
    """A topic is written on one line of text, not spaces only (the CHECK says so too)."""
    if "topic" in ctx.changed and not str(ctx.row.get("topic") or "").strip():
        yield FieldIssue("topic", "required", "error")


rules.register("event", EVENT_FIELDS, [_event_rule])


# --- records -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Event:
    """One event as the screens and the reports read it (``event_date`` ISO text or None)."""

    id: int
    event_date: str | None
    kind: str
    topic: str
    audience: str = ""
    coverage: int | None = None
    organiser: str = ""
    place: str = ""
    notes: str = ""
    generated: bool = False

    @property
    def day(self) -> date | None:
        """The date as a :class:`date` (None when unknown)."""
        return None if self.event_date is None else date.fromisoformat(self.event_date)

    @property
    def quarter(self) -> tuple[int, int] | None:
        """(calendar year, quarter 1–4) of the date; None when the date is unknown."""
        day = self.day
        return None if day is None else (day.year, (day.month - 1) // 3 + 1)


@dataclass(frozen=True)
class EventDraft:
    """A new event as a document or a form gives it (``event_date`` a date, ISO text or None)."""

    topic: str
    kind: str = "семинар"
    event_date: date | str | None = None
    audience: str = ""
    coverage: int | None = None
    organiser: str = ""
    place: str = ""
    notes: str = ""
    generated: bool = False

    def values(self) -> dict[str, Any]:
        """The columns of the row to write."""
        row = asdict(self)
        day = row["event_date"]
        row["event_date"] = day.isoformat() if isinstance(day, date) else day
        row["generated"] = int(self.generated)
        return row


@dataclass(frozen=True)
class EventQuery:
    """What an events read selects; every filter is optional and they combine with AND.

    ``date_from``/``date_to`` keep the events dated inside the period (both
    ends included; an event without a date is left out once a period is
    given); ``kind`` keeps one kind; ``search`` matches case-insensitively
    inside kind, topic, audience, organiser, place and notes (ё as е);
    ``generated`` keeps only generated (True) or only typed (False) events.
    """

    date_from: date | None = None
    date_to: date | None = None
    kind: str | None = None
    search: str = ""
    generated: bool | None = None


@dataclass(frozen=True)
class KindTotal:
    """Events of one kind: how many, their coverage, and how many gave no coverage."""

    kind: str
    events: int
    coverage: int
    without_coverage: int = 0


@dataclass(frozen=True)
class QuarterTotal:
    """Events of one calendar quarter (``year`` None with ``quarter`` 0: those without a date)."""

    year: int | None
    quarter: int
    events: int
    coverage: int
    without_coverage: int = 0

    @property
    def label(self) -> str:
        """«I кв. 2023»; «без даты» for the events whose date is unknown."""
        if self.year is None:
            return "без даты"
        return f"{QUARTER_NAMES[self.quarter - 1]} кв. {self.year}"


@dataclass(frozen=True)
class EventTotals:
    """The totals of a selection: per kind (in :data:`EVENT_KINDS` order), per quarter, overall."""

    by_kind: tuple[KindTotal, ...] = ()
    by_quarter: tuple[QuarterTotal, ...] = ()
    events: int = 0
    coverage: int = 0
    without_coverage: int = 0
    undated: int = 0


# --- helpers -----------------------------------------------------------------------------------

_RU_DATE = re.compile(r"^\s*(\d{1,2})\s*\.\s*(\d{1,2})\s*\.\s*(\d{4}|\d{2})\s*г?\.?\s*$")


def parse_event_date(text: str) -> date | None:
    """Read a date as typed or written: «28.05.2021», «28.01. 2021», «2021-05-28»; None if empty.

    Raises ValueError when the text is not a date.
    """
    cleaned = text.strip()
    if not cleaned:
        return None
    match = _RU_DATE.match(cleaned)
    if match is not None:
        day, month, year = (int(g) for g in match.groups())
        if year < 100:
            year += 2000
        return date(year, month, day)
    return date.fromisoformat(cleaned)


def school_year_period(year: int) -> tuple[date, date]:
    """The dates of the school year that begins in ``year``: 1 September to 31 August."""
    return date(year, 9, 1), date(year + 1, 8, 31)


def _kind_order(kind: str) -> tuple[int, str]:
    return (EVENT_KINDS.index(kind) if kind in EVENT_KINDS else len(EVENT_KINDS), kind)


def insert_events(cs: ChangeSet, drafts: Sequence[EventDraft]) -> list[int]:
    """Write new events into the open change set (the demo, an import); return their ids."""
    return cs.insert_many("event", [d.values() for d in drafts])


def _where(query: EventQuery) -> tuple[str, dict[str, Any]]:
    conditions: list[str] = []
    params: dict[str, Any] = {}
    if query.date_from is not None:
        conditions.append("e.event_date >= :date_from")
        params["date_from"] = query.date_from.isoformat()
    if query.date_to is not None:
        conditions.append("e.event_date <= :date_to")
        params["date_to"] = query.date_to.isoformat()
    if query.kind:
        conditions.append("e.kind = :kind")
        params["kind"] = query.kind
    needle = fold(query.search)
    if needle:
        conditions.append("instr(e.search_fold, :needle) > 0")
        params["needle"] = needle
    if query.generated is not None:
        conditions.append("e.generated = :generated")
        params["generated"] = int(query.generated)
    return (" WHERE " + " AND ".join(conditions)) if conditions else "", params


_COLUMNS: Final = (
    "e.id, e.event_date, e.kind, e.topic, e.audience, e.coverage, e.organiser, e.place,"
    " e.notes, e.generated"
)
# Newest first would hide a year's beginning; a list of events reads in date order,
# the undated ones last.
_ORDER: Final = " ORDER BY e.event_date IS NULL, e.event_date, e.id"


def _event(row: sqlite3.Row) -> Event:
    return Event(
        id=int(row["id"]),
        event_date=row["event_date"],
        kind=str(row["kind"]),
        topic=str(row["topic"]),
        audience=str(row["audience"]),
        coverage=row["coverage"],
        organiser=str(row["organiser"]),
        place=str(row["place"]),
        notes=str(row["notes"]),
        generated=bool(row["generated"]),
    )


class EventRepository:
    """Events: reads and totals in SQL, writes through the change log."""

    def __init__(self, log: ChangeLog) -> None:
        self.log = log

    @property
    def conn(self) -> sqlite3.Connection:
        """The connection this thread reads with (the writer inside a change set)."""
        return self.log.reader()

    # --- reading ---------------------------------------------------------------------------
    def events(
        self, query: EventQuery = EventQuery(), offset: int = 0, limit: int | None = None
    ) -> list[Event]:
        """The events the query selects in date order (undated last); a page when ``limit``."""
        where, params = _where(query)
        sql = f"SELECT {_COLUMNS} FROM event e{where}{_ORDER}"
        if limit is not None:
            sql += " LIMIT :limit OFFSET :offset"
            params.update(limit=limit, offset=offset)
        return [_event(r) for r in self.conn.execute(sql, params)]

    def count(self, query: EventQuery = EventQuery()) -> int:
        """How many events the query selects."""
        where, params = _where(query)
        return int(self.conn.execute(f"SELECT count(*) FROM event e{where}", params).fetchone()[0])

    def event(self, event_id: int) -> Event:
        """One event; :class:`RecordNotFoundError` when it is gone."""
        row = self.conn.execute(
            f"SELECT {_COLUMNS} FROM event e WHERE e.id = ?", (event_id,)
        ).fetchone()
        if row is None:
            raise RecordNotFoundError("event", event_id)
        return _event(row)

    def totals(self, query: EventQuery = EventQuery()) -> EventTotals:
        """Events and coverage per kind and per calendar quarter of the selection (in SQL)."""
        where, params = _where(query)
        kinds = [
            KindTotal(str(r[0]), int(r[1]), int(r[2]), int(r[3]))
            for r in self.conn.execute(
                "SELECT e.kind, count(*), ifnull(sum(e.coverage), 0),"
                f" sum(e.coverage IS NULL) FROM event e{where} GROUP BY e.kind",
                params,
            )
        ]
        kinds.sort(key=lambda k: _kind_order(k.kind))
        quarters = [
            QuarterTotal(
                None if r[0] is None else int(r[0]),
                0 if r[1] is None else int(r[1]),
                int(r[2]),
                int(r[3]),
                int(r[4]),
            )
            for r in self.conn.execute(
                "SELECT CAST(substr(e.event_date, 1, 4) AS INTEGER) AS y,"
                " (CAST(substr(e.event_date, 6, 2) AS INTEGER) + 2) / 3 AS q,"
                " count(*), ifnull(sum(e.coverage), 0), sum(e.coverage IS NULL)"
                f" FROM event e{where} GROUP BY y, q ORDER BY y IS NULL, y, q",
                params,
            )
        ]
        return EventTotals(
            by_kind=tuple(kinds),
            by_quarter=tuple(quarters),
            events=sum(k.events for k in kinds),
            coverage=sum(k.coverage for k in kinds),
            without_coverage=sum(k.without_coverage for k in kinds),
            undated=sum(q.events for q in quarters if q.year is None),
        )

    def school_years(self) -> list[int]:
        """The school years (first calendar year) that have dated events, oldest first."""
        return [
            int(r[0])
            for r in self.conn.execute(
                "SELECT DISTINCT CAST(substr(event_date, 1, 4) AS INTEGER)"
                " - (CAST(substr(event_date, 6, 2) AS INTEGER) < 9)"
                " FROM event WHERE event_date IS NOT NULL ORDER BY 1"
            )
        ]

    def kinds(self) -> list[str]:
        """The kinds a form offers: the standard ones, then any other kind already stored."""
        stored = [str(r[0]) for r in self.conn.execute("SELECT DISTINCT kind FROM event")]
        return [*EVENT_KINDS, *sorted(k for k in stored if k not in EVENT_KINDS)]

    def suggestions(self, column: str) -> list[str]:
        """The distinct values of ``audience``, ``organiser`` or ``place`` typed before."""
        if column not in ("audience", "organiser", "place"):
            raise KeyError(column)
        return [
            str(r[0])
            for r in self.conn.execute(
                f"SELECT {column} FROM event WHERE {column} <> ''"
                f" GROUP BY {column} ORDER BY {column} COLLATE RU"
            )
        ]

    # --- writing ---------------------------------------------------------------------------
    def add(self, draft: EventDraft, label: str) -> tuple[ChangeSetInfo, int]:
        """Add one event; return the change set and the new id."""
        with self.log.change_set(label) as cs:
            (event_id,) = insert_events(cs, [draft])
        assert cs.info is not None
        return cs.info, event_id

    def add_many(self, drafts: Sequence[EventDraft], label: str) -> ChangeSetInfo | None:
        """Add a list of events (a document's list) in one change set."""
        with self.log.change_set(label) as cs:
            insert_events(cs, drafts)
        return cs.info

    def update(self, event_id: int, values: Mapping[str, Any], label: str) -> ChangeSetInfo | None:
        """Change fields of an event (:data:`EDITABLE_EVENT_FIELDS`); None when nothing did.

        An event changed by hand is no longer marked generated.
        """
        unknown = [k for k in values if k not in EDITABLE_EVENT_FIELDS]
        if unknown:
            raise KeyError(unknown[0])
        clean = dict(values)
        day = clean.get("event_date")
        if isinstance(day, date):
            clean["event_date"] = day.isoformat()
        with self.log.change_set(label) as cs:
            before = self.event(event_id)
            if cs.update("event", event_id, clean) and before.generated:
                cs.update("event", event_id, {"generated": 0})
        return cs.info

    def remove(self, event_id: int, label: str) -> ChangeSetInfo:
        """Remove an event."""
        with self.log.change_set(label) as cs:
            cs.delete("event", event_id)
        assert cs.info is not None
        return cs.info
