"""The roadmap: programme sections, numbered activities, deadlines as written and their intervals.

A roadmap belongs to a programme (its period bounds every interval).  An
activity keeps its deadline as the official wrote it («ежегодно, август») and
the intervals parsed from it (``models/deadlines.py``) or set by hand (a
manual setting wins over the parser); the intervals as first approved are kept
as the baseline.  «Просрочено» is derived from the dates and the status, never
stored.

**Programmes.**  Title, period (``start_year`` .. ``end_year``, calendar
years: the period runs from 1 January of the first to 31 December of the last,
so a programme «на 2023-2024 уч.г.» holds its «май-июнь 2023» and its «август
2024 г.»), the approving order (№ and date), who approved it and notes.

**Sections** form a tree: a document's table («Перечень мероприятий …») may
hold its blocks («1. Создание организационных условий.»), and a block holds
numbered activities.  A section's number may be empty (a table heading).

**Numbers.**  An activity's number is stored without the trailing dot
(«1.1.» → «1.1»).  A number given by a document is kept as written; an
activity added without one is numbered after its section («1.3», or «3» in a
section without a number).  Moving an activity (within its section or to
another), adding one at a position or removing one rewrites the numbers of
the sections concerned — 1.1, 1.2 … — in the same change set, so one undo
takes the move and the renumbering back together.

**Deadlines and intervals.**  On every write of a deadline the text is read
by :func:`~shnor_desktop.models.deadlines.parse_deadline` within the
programme's period: its kind is stored (``deadline_kind``) and its intervals
become the current ``roadmap_interval`` rows (``source = 'parsed'``).  A
phrase the parser cannot read gets the kind «unknown» and no interval: the
activity is shown as unscheduled, and the text is saved as typed — a deadline
never blocks saving.  Intervals set by hand (the Gantt's dragged bar, a typed
date) replace the current ones with ``source = 'manual'`` and set
``intervals_manual``: from then on an edit of the deadline text changes the
text and its kind but not the dates, until «вернуть как в документе»
(:meth:`RoadmapRepository.reset_intervals`) reads the text again.  A change of
the programme's period reads every deadline that is not manual again.

**Baseline** (the plan as first approved, drawn beside the actual bar): when
an activity is created, its intervals (parsed, or manual when given) are
copied as baseline rows (``baseline = 1``).  Later edits of the deadline or of
the dates leave the baseline alone; an activity created without readable
dates gets its first dates as its baseline; :meth:`RoadmapRepository.set_baseline`
approves the current plan as the new baseline explicitly.

**Statuses**: planned / in progress / done / partly / not done / cancelled
(:data:`STATUSES`), with a progress in percent.  An activity is overdue
(:meth:`Activity.overdue`) when its last current interval ended before today
and it is still open; continuous and on-demand activities never are.

**Concerned schools**: ``roadmap_concern`` names the schools, or the groups of
schools (ШНОР, зона риска …), an activity concerns.

Every write is one change set with the caller's label and returns its
:class:`ChangeSetInfo` (None when nothing changed), so undo and the history of
a field work as everywhere else.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Final

from shnor_desktop.models import rules
from shnor_desktop.models.changelog import ChangeLog, ChangeSet, ChangeSetInfo
from shnor_desktop.models.db import from_row
from shnor_desktop.models.deadlines import DeadlineKind, parse_deadline
from shnor_desktop.models.errors import RecordNotFoundError
from shnor_desktop.models.fields import FieldIssue, FieldSpec, InvalidValueError, check_value
from shnor_desktop.models.rules import RowContext
from shnor_desktop.models.schema import GROUP_CODES
from shnor_desktop.models.text import fold

STATUSES: Final = ("planned", "in_progress", "done", "partly", "not_done", "cancelled")
"""Stored statuses of an activity (the schema's CHECK agrees)."""
CLOSED_STATUSES: Final = frozenset({"done", "cancelled", "not_done"})
"""Statuses after which an activity is no longer due (so never overdue)."""
STATUS_LABELS: Final[Mapping[str, str]] = {
    "planned": "запланировано",
    "in_progress": "выполняется",
    "done": "выполнено",
    "partly": "выполнено частично",
    "not_done": "не выполнено",
    "cancelled": "отменено",
}
"""Russian names of the statuses (source strings, context "roadmap")."""
OVERDUE_LABEL: Final = "просрочено"
"""The derived state shown instead of an open status once the dates have passed."""

DEADLINE_KINDS: Final[tuple[str, ...]] = tuple(kind.value for kind in DeadlineKind)
"""Kinds of a deadline as the parser reads it («date», «period», «recurring» …)."""
UNKNOWN_KIND: Final = "unknown"
OPEN_KINDS: Final = frozenset({"continuous", "on_demand"})
"""Kinds of deadline that have no end to miss: never overdue, never unscheduled."""
INTERVAL_SOURCES: Final = ("parsed", "manual")
DUE_SOON_DAYS: Final = 30
"""«Скоро срок»: days ahead that the summary looks (today included)."""
YEAR_MIN: Final = 1990
YEAR_MAX: Final = 2100
MAX_DEPTH: Final = 16
"""Deepest level of sections followed (a guard: the row rule refuses cycles anyway)."""

Span = tuple[date, date]
"""An inclusive interval of dates."""


# --- records -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Programme:
    """A programme of the district: title, period in calendar years and the approving order."""

    id: int
    district_id: int
    title: str
    start_year: int
    end_year: int
    kind: str = "programme"
    order_number: str = ""
    order_date: str | None = None
    approved_by: str = ""
    notes: str = ""

    @property
    def period(self) -> Span:
        """The dates the programme runs: 1 January of its first year to 31 December of its last."""
        return programme_period(self.start_year, self.end_year)


@dataclass(frozen=True)
class Section:
    """A section (block) of a roadmap: «1. Управленческий блок».

    ``parent_id`` places it in the tree (None: a top section), ``depth`` is
    its level as read (0 at the top).
    """

    id: int
    programme_id: int
    number: str
    title: str
    position: int
    parent_id: int | None = None
    depth: int = 0


@dataclass(frozen=True)
class Activity:
    """One activity of a roadmap as the screens and the Gantt chart read it.

    ``intervals`` are the current ones (parsed, or manual when ``manual``);
    ``baseline`` the intervals as first approved (empty when never set);
    ``deadline_kind`` one of ``models.deadlines.DeadlineKind`` values
    («date», «period», «recurring», «continuous», «on_demand», «unknown»).
    ``schools`` and ``groups`` are the schools (ids) and groups of schools
    (codes) the activity concerns; ``meeting_id`` the meeting that heard it.
    """

    id: int
    section_id: int
    number: str
    title: str
    responsible: str
    deadline_text: str
    deadline_kind: str
    expected_result: str
    planned_value: str
    status: str
    progress: float | None
    evidence: str
    position: int
    intervals: tuple[Span, ...] = ()
    baseline: tuple[Span, ...] = ()
    manual: bool = False
    schools: tuple[int, ...] = ()
    groups: tuple[str, ...] = ()
    meeting_id: int | None = None

    def overdue(self, today: date) -> bool:
        """True when the last interval ended before ``today`` and the activity is still open.

        Continuous and on-demand activities are never overdue; a recurring one
        only once its last occurrence in the programme's period has passed
        (its status is the activity's, not an occurrence's).
        """
        if self.status in CLOSED_STATUSES or self.deadline_kind in ("continuous", "on_demand"):
            return False
        return bool(self.intervals) and max(end for _, end in self.intervals) < today

    def due_within(self, start: date, end: date) -> bool:
        """True when an interval ends inside ``start``..``end`` (due in that period)."""
        return any(start <= finish <= end for _, finish in self.intervals)

    @property
    def unscheduled(self) -> bool:
        """True when the deadline could not be read and no interval was set by hand."""
        return not self.intervals and self.deadline_kind not in ("continuous", "on_demand")

    @property
    def effective_progress(self) -> float:
        """Progress for averages: the stored one, else 100 when done and 0 otherwise."""
        if self.progress is not None:
            return self.progress
        return 100.0 if self.status == "done" else 0.0

    @property
    def shifted(self) -> bool:
        """True when the current intervals differ from the baseline (there is one)."""
        return bool(self.baseline) and self.intervals != self.baseline


@dataclass(frozen=True)
class ActivityDraft:
    """A new activity as a document or a form gives it.

    ``number`` None lets the repository number it after its section;
    ``intervals`` None reads them from ``deadline_text`` (given: a manual
    setting).  ``schools`` are school ids, ``groups`` group codes.
    """

    title: str
    number: str | None = None
    responsible: str = ""
    deadline_text: str = ""
    expected_result: str = ""
    planned_value: str = ""
    status: str = "planned"
    progress: float | None = None
    evidence: str = ""
    meeting_id: int | None = None
    intervals: tuple[Span, ...] | None = None
    schools: tuple[int, ...] = ()
    groups: tuple[str, ...] = ()


@dataclass(frozen=True)
class SectionDraft:
    """A new section with its activities and subsections, as a document gives them."""

    title: str
    number: str = ""
    activities: tuple[ActivityDraft, ...] = ()
    sections: tuple[SectionDraft, ...] = ()


@dataclass(frozen=True)
class RoadmapQuery:
    """What a roadmap read selects; every filter is optional and they combine with AND.

    ``section_ids`` include their subsections; ``responsible`` and ``search``
    match case-insensitively inside the text (Cyrillic folded, ё as е);
    ``due_from``/``due_to`` keep activities with a current interval ending in
    that period; ``overdue_on`` keeps those overdue on that day;
    ``unscheduled`` keeps those without dates.
    """

    programme_id: int
    section_ids: tuple[int, ...] = ()
    statuses: tuple[str, ...] = ()
    responsible: str = ""
    due_from: date | None = None
    due_to: date | None = None
    overdue_on: date | None = None
    search: str = ""
    school_id: int | None = None
    group_code: str | None = None
    unscheduled: bool = False


@dataclass(frozen=True)
class SectionProgress:
    """Completion of a section with its subsections: done / total and mean progress.

    Cancelled activities are left out of ``total`` and of the mean.
    """

    section: Section
    total: int
    done: int
    mean_progress: float | None

    @property
    def share_done(self) -> float | None:
        """Done as a percentage of the total (None for an empty section)."""
        return None if self.total == 0 else self.done / self.total * 100.0


@dataclass(frozen=True)
class RoadmapSummary:
    """What the «Сводка» panel shows of a programme's roadmap on a given day."""

    today: date
    due_soon: tuple[Activity, ...] = ()
    overdue: tuple[Activity, ...] = ()
    unscheduled: tuple[Activity, ...] = ()
    sections: tuple[SectionProgress, ...] = ()
    total: int = 0
    done: int = 0
    mean_progress: float | None = None


@dataclass(frozen=True)
class SchoolReport:
    """A school's own word on an activity for a school year (``activity_report``).

    The schools send it in their workbooks (``services/exchange``); the
    activity's own status stays the coordinator's.
    """

    id: int
    activity_id: int
    school_id: int
    school_name: str
    year: int
    status: str
    progress: float | None
    evidence: str


@dataclass(frozen=True)
class SchoolReportTally:
    """How the schools reported on one activity in a school year: how many, and with what."""

    activity_id: int
    reported: int
    done: int = 0
    in_progress: int = 0
    partly: int = 0
    not_done: int = 0


# --- pure helpers ------------------------------------------------------------------------------


def programme_period(start_year: int, end_year: int) -> Span:
    """The dates of a programme's years: 1 January of the first to 31 December of the last."""
    return date(start_year, 1, 1), date(end_year, 12, 31)


def normalise_number(text: str | None) -> str:
    """A number as stored: «1.1.» and « 1.1 » are «1.1»."""
    return str(text or "").strip().rstrip(".").strip()


def child_number(prefix: str, index: int) -> str:
    """The number of the ``index``-th (1-based) item under ``prefix``: «1.3», or «3» without one."""
    return f"{prefix}.{index}" if prefix else str(index)


def _clean_spans(spans: Iterable[Span]) -> tuple[Span, ...]:
    """Intervals set by hand, sorted, overlapping ones merged (as the parser gives its own).

    An interval whose end is before its start is refused; one outside the
    programme's period is kept (the user may plan past the period's end).
    """
    merged: list[Span] = []
    for start, end in sorted(spans):
        if end < start:
            raise InvalidValueError(
                FieldIssue("end_date", "interval_order", "error", (start, end), "roadmap_interval")
            )
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return tuple(merged)


def read_deadline(text: str, period: Span) -> tuple[str, tuple[Span, ...]]:
    """The kind and intervals of a deadline as written, within ``period``.

    An empty text or a phrase the parser cannot read is «unknown» with no
    interval (the activity is then unscheduled); the parser never blocks a save.
    """
    if not text.strip():
        return UNKNOWN_KIND, ()
    try:
        deadline = parse_deadline(text, period[0], period[1])
    except Exception:  # an unreadable phrase is unscheduled, never a refusal
        return UNKNOWN_KIND, ()
    kind = str(deadline.kind.value)
    spans = {
        (max(start, period[0]), min(end, period[1]))
        for start, end in deadline.intervals
        if start <= end and start <= period[1] and end >= period[0]
    }
    return (kind if kind in DEADLINE_KINDS else UNKNOWN_KIND), tuple(sorted(spans))


# --- fields and rules ----------------------------------------------------------------------------

_PROGRAMME = "Программа"
_ROADMAP = "Дорожная карта"

PROGRAMME_FIELDS: Final[tuple[FieldSpec, ...]] = (
    FieldSpec("district_id", "ref", _PROGRAMME, "Район", required=True),
    FieldSpec("title", "text", _PROGRAMME, "Наименование программы", required=True),
    FieldSpec("kind", "text", _PROGRAMME, "Вид документа"),
    FieldSpec(
        "start_year",
        "int",
        _PROGRAMME,
        "Год начала",
        required=True,
        minimum=YEAR_MIN,
        maximum=YEAR_MAX,
    ),
    FieldSpec(
        "end_year",
        "int",
        _PROGRAMME,
        "Год окончания",
        required=True,
        minimum=YEAR_MIN,
        maximum=YEAR_MAX,
    ),
    FieldSpec("order_number", "text", _PROGRAMME, "Номер приказа"),
    FieldSpec("order_date", "date", _PROGRAMME, "Дата приказа"),
    FieldSpec("approved_by", "text", _PROGRAMME, "Кем утверждена"),
    FieldSpec("notes", "text", _PROGRAMME, "Примечания"),
)

SECTION_FIELDS: Final[tuple[FieldSpec, ...]] = (
    FieldSpec("programme_id", "ref", _ROADMAP, "Программа", required=True),
    FieldSpec("parent_id", "ref", _ROADMAP, "Входит в раздел"),
    FieldSpec("number", "text", _ROADMAP, "Номер раздела"),
    FieldSpec("title", "text", _ROADMAP, "Наименование раздела", required=True),
    FieldSpec("position", "count", _ROADMAP, "Порядок"),
)

ACTIVITY_FIELDS: Final[tuple[FieldSpec, ...]] = (
    FieldSpec("section_id", "ref", _ROADMAP, "Раздел", required=True),
    FieldSpec("number", "text", _ROADMAP, "№ п/п"),
    FieldSpec("title", "text", _ROADMAP, "Мероприятие", required=True),
    FieldSpec("responsible", "text", _ROADMAP, "Ответственные"),
    FieldSpec("deadline_text", "text", _ROADMAP, "Срок"),
    FieldSpec(
        "deadline_kind", "choice", _ROADMAP, "Вид срока", required=True, choices=DEADLINE_KINDS
    ),
    FieldSpec("expected_result", "text", _ROADMAP, "Ожидаемый результат"),
    FieldSpec("planned_value", "text", _ROADMAP, "Плановое значение"),
    FieldSpec("status", "choice", _ROADMAP, "Состояние", required=True, choices=STATUSES),
    FieldSpec("progress", "share", _ROADMAP, "Выполнено", unit="%"),
    FieldSpec("evidence", "text", _ROADMAP, "Подтверждение"),
    FieldSpec("position", "count", _ROADMAP, "Порядок"),
    FieldSpec("intervals_manual", "flag", _ROADMAP, "Сроки заданы вручную"),
    FieldSpec("meeting_id", "ref", _ROADMAP, "Заседание"),
)

INTERVAL_FIELDS: Final[tuple[FieldSpec, ...]] = (
    FieldSpec("activity_id", "ref", _ROADMAP, "Мероприятие", required=True),
    FieldSpec("start_date", "date", _ROADMAP, "Начало", required=True),
    FieldSpec("end_date", "date", _ROADMAP, "Окончание", required=True),
    FieldSpec("source", "choice", _ROADMAP, "Откуда срок", choices=INTERVAL_SOURCES),
    FieldSpec("baseline", "flag", _ROADMAP, "Утверждённый план"),
)

CONCERN_FIELDS: Final[tuple[FieldSpec, ...]] = (
    FieldSpec("activity_id", "ref", _ROADMAP, "Мероприятие", required=True),
    FieldSpec("school_id", "school", _ROADMAP, "Школа"),
    FieldSpec("group_code", "choice", _ROADMAP, "Группа школ", choices=GROUP_CODES),
)

ACTIVITY_FIELD_BY_NAME: Final = {spec.name: spec for spec in ACTIVITY_FIELDS}
PROGRAMME_FIELD_BY_NAME: Final = {spec.name: spec for spec in PROGRAMME_FIELDS}

EDITABLE_ACTIVITY_FIELDS: Final = (
    "number",
    "title",
    "responsible",
    "deadline_text",
    "expected_result",
    "planned_value",
    "status",
    "progress",
    "evidence",
    "meeting_id",
)
"""The fields of an activity that :meth:`RoadmapRepository.update_activity` writes."""
EDITABLE_PROGRAMME_FIELDS: Final = tuple(
    spec.name for spec in PROGRAMME_FIELDS if spec.name != "district_id"
)


def _programme_rule(ctx: RowContext) -> Iterable[FieldIssue]:
    """A programme ends in or after the year it starts."""
    if not ctx.changed & {"start_year", "end_year"}:
        return
    start, end = ctx.row.get("start_year"), ctx.row.get("end_year")
    if isinstance(start, int) and isinstance(end, int) and end < start:
        yield FieldIssue("end_year", "period_order", "error", (start, end))


def _section_rule(ctx: RowContext) -> Iterable[FieldIssue]:
    """A section sits in a section of the same programme, never inside itself."""
    parent_id = ctx.row.get("parent_id")
    if not ctx.changed & {"parent_id", "programme_id"} or parent_id is None:
        return
    if ctx.row_id is not None and parent_id == ctx.row_id:
        yield FieldIssue("parent_id", "section_cycle", "error")
        return
    parent = ctx.conn.execute(
        "SELECT programme_id FROM roadmap_section WHERE id = ?", (parent_id,)
    ).fetchone()
    if parent is None:
        yield FieldIssue("parent_id", "unknown_section", "error", (parent_id,))
        return
    if parent[0] != ctx.row.get("programme_id"):
        yield FieldIssue("parent_id", "section_other_programme", "error")
        return
    ancestor: int | None = int(parent_id)
    for _ in range(MAX_DEPTH + 1):
        if ancestor is None or ctx.row_id is None:
            return
        if ancestor == ctx.row_id:
            yield FieldIssue("parent_id", "section_cycle", "error")
            return
        found = ctx.conn.execute(
            "SELECT parent_id FROM roadmap_section WHERE id = ?", (ancestor,)
        ).fetchone()
        ancestor = None if found is None else found[0]


def _interval_rule(ctx: RowContext) -> Iterable[FieldIssue]:
    """An interval ends on or after the day it starts."""
    if not ctx.changed & {"start_date", "end_date"}:
        return
    start, end = ctx.row.get("start_date"), ctx.row.get("end_date")
    if isinstance(start, str) and isinstance(end, str) and end < start:
        yield FieldIssue("end_date", "interval_order", "error", (start, end))


def _concern_rule(ctx: RowContext) -> Iterable[FieldIssue]:
    """A concern names a school or a group of schools (one of the two), once per activity."""
    school_id, group_code = ctx.row.get("school_id"), ctx.row.get("group_code")
    if (school_id is None) == (group_code is None):
        yield FieldIssue("school_id", "concern_one", "error")
        return
    if not ctx.changed & {"activity_id", "school_id", "group_code"}:
        return
    duplicate = ctx.conn.execute(
        "SELECT 1 FROM roadmap_concern WHERE activity_id = ? AND school_id IS ?"
        " AND group_code IS ? AND id IS NOT ?",
        (ctx.row.get("activity_id"), school_id, group_code, ctx.row_id),
    ).fetchone()
    if duplicate is not None:
        yield FieldIssue("school_id", "duplicate_concern", "error")


rules.register("programme", PROGRAMME_FIELDS, [_programme_rule])
rules.register("roadmap_section", SECTION_FIELDS, [_section_rule])
rules.register("roadmap_activity", ACTIVITY_FIELDS)
rules.register("roadmap_interval", INTERVAL_FIELDS, [_interval_rule])
# A concern naming a school means nothing once the school is gone: it goes with
# the school (clearing the reference would leave a row naming nothing).
rules.register("roadmap_concern", CONCERN_FIELDS, [_concern_rule], delete_with=("school_id",))


# --- writing inside an open change set (the repository and the demo) -----------------------------


def _interval_rows(
    activity_id: int, spans: Sequence[Span], source: str, *, baseline: bool
) -> list[dict[str, Any]]:
    return [
        {
            "activity_id": activity_id,
            "start_date": start.isoformat(),
            "end_date": end.isoformat(),
            "source": source,
            "baseline": int(baseline),
        }
        for start, end in spans
    ]


def _concern_rows(
    activity_id: int, schools: Iterable[int], groups: Iterable[str]
) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = [
        {"activity_id": activity_id, "school_id": school_id, "group_code": None}
        for school_id in dict.fromkeys(schools)
    ]
    rows.extend(
        {"activity_id": activity_id, "school_id": None, "group_code": code}
        for code in dict.fromkeys(groups)
    )
    return rows


def _activity_row(
    draft: ActivityDraft, section_id: int, number: str, position: int, *, kind: str, manual: bool
) -> dict[str, Any]:
    return {
        "section_id": section_id,
        "number": number,
        "title": draft.title,
        "responsible": draft.responsible,
        "deadline_text": draft.deadline_text,
        "deadline_kind": kind,
        "expected_result": draft.expected_result,
        "planned_value": draft.planned_value,
        "status": draft.status,
        "progress": draft.progress,
        "evidence": draft.evidence,
        "position": position,
        "intervals_manual": int(manual),
        "meeting_id": draft.meeting_id,
    }


def insert_activities(
    cs: ChangeSet,
    section_id: int,
    section_number: str,
    drafts: Sequence[ActivityDraft],
    *,
    period: Span,
    first_position: int = 0,
) -> list[int]:
    """Write new activities of a section into the open change set; return their ids.

    Their deadlines are read within ``period``; their intervals (parsed, or
    the draft's own as manual) are written as current and as the baseline.
    An activity without a number is numbered after its position.
    """
    if not drafts:
        return []
    rows: list[dict[str, Any]] = []
    plans: list[tuple[tuple[Span, ...], str]] = []
    for offset, draft in enumerate(drafts):
        position = first_position + offset
        kind, parsed = read_deadline(draft.deadline_text, period)
        manual = draft.intervals is not None
        spans = _clean_spans(draft.intervals or ()) if manual else parsed
        number = (
            child_number(normalise_number(section_number), position + 1)
            if draft.number is None
            else normalise_number(draft.number)
        )
        rows.append(_activity_row(draft, section_id, number, position, kind=kind, manual=manual))
        plans.append((spans, "manual" if manual else "parsed"))
    ids = cs.insert_many("roadmap_activity", rows)
    intervals: list[dict[str, Any]] = []
    concerns: list[dict[str, Any]] = []
    for activity_id, draft, (spans, source) in zip(ids, drafts, plans, strict=True):
        intervals.extend(_interval_rows(activity_id, spans, source, baseline=False))
        intervals.extend(_interval_rows(activity_id, spans, source, baseline=True))
        concerns.extend(_concern_rows(activity_id, draft.schools, draft.groups))
    cs.insert_many("roadmap_interval", intervals)
    cs.insert_many("roadmap_concern", concerns)
    return ids


def insert_sections(
    cs: ChangeSet,
    programme: Programme,
    drafts: Sequence[SectionDraft],
    parent_id: int | None = None,
    first_position: int = 0,
) -> list[int]:
    """Write sections with their activities and subsections into the open change set.

    Returns the ids of the sections written at this level, in order.
    """
    ids: list[int] = []
    for offset, draft in enumerate(drafts):
        number = normalise_number(draft.number)
        section_id = cs.insert(
            "roadmap_section",
            {
                "programme_id": programme.id,
                "parent_id": parent_id,
                "number": number,
                "title": draft.title,
                "position": first_position + offset,
            },
        )
        ids.append(section_id)
        insert_activities(cs, section_id, number, draft.activities, period=programme.period)
        insert_sections(cs, programme, draft.sections, section_id)
    return ids


def programme_values(values: Mapping[str, Any]) -> dict[str, Any]:
    """The columns of a programme row from ``values`` (unknown keys refused)."""
    unknown = [k for k in values if k not in PROGRAMME_FIELD_BY_NAME]
    if unknown:
        raise KeyError(unknown[0])
    return dict(values)


# --- reading ------------------------------------------------------------------------------------

_CLOSED_SQL: Final = ", ".join(f"'{s}'" for s in sorted(CLOSED_STATUSES))
_OPEN_KINDS_SQL: Final = ", ".join(f"'{k}'" for k in sorted(OPEN_KINDS))
_ACTIVITY_COLUMNS: Final = (
    "a.id, a.section_id, a.number, a.title, a.responsible, a.deadline_text, a.deadline_kind,"
    " a.expected_result, a.planned_value, a.status, a.progress, a.evidence, a.position,"
    " a.intervals_manual, a.meeting_id"
)


class _Dates:
    """ISO text → date, each distinct text parsed once per read (a Gantt reads thousands)."""

    def __init__(self) -> None:
        self._known: dict[str, date] = {}

    def __call__(self, text: str) -> date:
        found = self._known.get(text)
        if found is None:
            found = self._known[text] = date.fromisoformat(text)
        return found


def _section_tree(rows: Sequence[sqlite3.Row]) -> list[Section]:
    """Sections in tree order (depth first; siblings by position), with their depth."""
    known = {int(r["id"]) for r in rows}
    children: dict[int | None, list[sqlite3.Row]] = {}
    for row in rows:
        parent = row["parent_id"]
        children.setdefault(parent if parent in known else None, []).append(row)
    for siblings in children.values():
        siblings.sort(key=lambda r: (r["position"], r["id"]))
    ordered: list[Section] = []
    seen: set[int] = set()
    stack: list[tuple[sqlite3.Row, int]] = [(r, 0) for r in reversed(children.get(None, []))]
    while stack:
        row, depth = stack.pop()
        section_id = int(row["id"])
        if section_id in seen or depth > MAX_DEPTH:
            continue
        seen.add(section_id)
        ordered.append(
            Section(
                id=section_id,
                programme_id=int(row["programme_id"]),
                number=str(row["number"]),
                title=str(row["title"]),
                position=int(row["position"]),
                parent_id=row["parent_id"],
                depth=depth,
            )
        )
        stack.extend((child, depth + 1) for child in reversed(children.get(section_id, [])))
    return ordered


def subtree_ids(sections: Sequence[Section], roots: Iterable[int]) -> set[int]:
    """The ids of ``roots`` and of every section under them."""
    children: dict[int | None, list[int]] = {}
    for section in sections:
        children.setdefault(section.parent_id, []).append(section.id)
    found: set[int] = set()
    stack = list(roots)
    while stack:
        section_id = stack.pop()
        if section_id in found:
            continue
        found.add(section_id)
        stack.extend(children.get(section_id, []))
    return found


class RoadmapRepository:
    """Programmes and their roadmaps: reads in a few queries, writes through the change log."""

    def __init__(self, log: ChangeLog) -> None:
        self.log = log

    @property
    def conn(self) -> sqlite3.Connection:
        """The connection this thread reads with (the writer inside a change set)."""
        return self.log.reader()

    # --- programmes ---------------------------------------------------------------------------
    def programmes(self) -> list[Programme]:
        """The programmes of the district: those with a roadmap first, then the latest first.

        The first is the one the roadmap screens open on (a programme that keeps
        only indicators comes after).
        """
        return [
            from_row(Programme, r)
            for r in self.conn.execute(
                "SELECT * FROM programme ORDER BY"
                " EXISTS (SELECT 1 FROM roadmap_section s WHERE s.programme_id = programme.id)"
                " DESC, start_year DESC, end_year DESC, id"
            )
        ]

    def programme(self, programme_id: int) -> Programme:
        """One programme; :class:`RecordNotFoundError` when it is gone."""
        row = self.conn.execute("SELECT * FROM programme WHERE id = ?", (programme_id,)).fetchone()
        if row is None:
            raise RecordNotFoundError("programme", programme_id)
        return from_row(Programme, row)

    def add_programme(self, values: Mapping[str, Any], label: str) -> tuple[ChangeSetInfo, int]:
        """Add a programme (``district_id``, ``title``, ``start_year``, ``end_year`` …)."""
        clean = programme_values(values)
        with self.log.change_set(label) as cs:
            programme_id = cs.insert("programme", clean)
        assert cs.info is not None
        return cs.info, programme_id

    def update_programme(
        self, programme_id: int, values: Mapping[str, Any], label: str
    ) -> ChangeSetInfo | None:
        """Change fields of a programme; a new period reads the deadlines not set by hand again."""
        clean = programme_values(values)
        clean.pop("district_id", None)  # a programme stays in its district
        with self.log.change_set(label) as cs:
            before = self.programme(programme_id)
            cs.update("programme", programme_id, clean)
            after = self.programme(programme_id)
            if after.period != before.period:
                self._reparse(cs, programme_id, after.period)
        return cs.info

    def _reparse(self, cs: ChangeSet, programme_id: int, period: Span) -> None:
        rows = self.conn.execute(
            "SELECT a.id, a.deadline_text FROM roadmap_activity a"
            " JOIN roadmap_section s ON s.id = a.section_id"
            " WHERE s.programme_id = ? AND a.intervals_manual = 0 ORDER BY a.id",
            (programme_id,),
        ).fetchall()
        for row in rows:
            kind, spans = read_deadline(str(row["deadline_text"]), period)
            cs.update("roadmap_activity", int(row["id"]), {"deadline_kind": kind})
            self._replace_current(cs, int(row["id"]), spans, "parsed")

    # --- reading the roadmap ------------------------------------------------------------------
    def sections(self, programme_id: int) -> list[Section]:
        """The sections of a programme in tree order (depth first, siblings by position)."""
        rows = self.conn.execute(
            "SELECT id, programme_id, number, title, position, parent_id FROM roadmap_section"
            " WHERE programme_id = ?",
            (programme_id,),
        ).fetchall()
        return _section_tree(rows)

    def section(self, section_id: int) -> Section:
        """One section (with its depth in the tree)."""
        row = self.conn.execute(
            "SELECT programme_id FROM roadmap_section WHERE id = ?", (section_id,)
        ).fetchone()
        if row is None:
            raise RecordNotFoundError("roadmap_section", section_id)
        return next(s for s in self.sections(int(row[0])) if s.id == section_id)

    def activities(self, query: RoadmapQuery) -> list[Activity]:
        """The activities the query selects, in tree order, with intervals, baseline and concerns.

        Four queries whatever the number of activities: the sections, the
        activities, their intervals, their concerns.
        """
        sections = self.sections(query.programme_id)
        order = {s.id: index for index, s in enumerate(sections)}
        where = ["s.programme_id = :programme"]
        params: dict[str, Any] = {"programme": query.programme_id}
        if query.section_ids:
            wanted = sorted(subtree_ids(sections, query.section_ids))
            where.append(f"a.section_id IN ({','.join(str(i) for i in wanted) or 'NULL'})")
        if query.statuses:
            marks = ",".join(f":status{i}" for i in range(len(query.statuses)))
            where.append(f"a.status IN ({marks})")
            params.update({f"status{i}": s for i, s in enumerate(query.statuses)})
        if query.responsible.strip():
            where.append("instr(fold(a.responsible), :responsible) > 0")
            params["responsible"] = fold(query.responsible)
        if query.search.strip():
            where.append("instr(a.search_fold, :needle) > 0")
            params["needle"] = fold(query.search)
        if query.due_from is not None or query.due_to is not None:
            where.append(
                "EXISTS (SELECT 1 FROM roadmap_interval i WHERE i.activity_id = a.id"
                " AND i.baseline = 0 AND i.end_date BETWEEN :due_from AND :due_to)"
            )
            params["due_from"] = (query.due_from or date.min).isoformat()
            params["due_to"] = (query.due_to or date.max).isoformat()
        if query.overdue_on is not None:
            where.append(
                f"a.status NOT IN ({_CLOSED_SQL}) AND a.deadline_kind NOT IN ({_OPEN_KINDS_SQL})"
                " AND (SELECT max(i.end_date) FROM roadmap_interval i"
                " WHERE i.activity_id = a.id AND i.baseline = 0) < :today"
            )
            params["today"] = query.overdue_on.isoformat()
        if query.unscheduled:
            where.append(
                f"a.deadline_kind NOT IN ({_OPEN_KINDS_SQL}) AND NOT EXISTS (SELECT 1"
                " FROM roadmap_interval i WHERE i.activity_id = a.id AND i.baseline = 0)"
            )
        if query.school_id is not None:
            where.append(
                "EXISTS (SELECT 1 FROM roadmap_concern c WHERE c.activity_id = a.id"
                " AND c.school_id = :school)"
            )
            params["school"] = query.school_id
        if query.group_code is not None:
            where.append(
                "EXISTS (SELECT 1 FROM roadmap_concern c WHERE c.activity_id = a.id"
                " AND c.group_code = :group)"
            )
            params["group"] = query.group_code
        rows = self.conn.execute(
            f"SELECT {_ACTIVITY_COLUMNS} FROM roadmap_activity a"
            " JOIN roadmap_section s ON s.id = a.section_id"
            f" WHERE {' AND '.join(where)}",
            params,
        ).fetchall()
        rows.sort(key=lambda r: (order.get(r["section_id"], len(order)), r["position"], r["id"]))
        scope = (
            "a.section_id IN (SELECT id FROM roadmap_section WHERE programme_id = ?)",
            (query.programme_id,),
        )
        return self._build(rows, scope)

    def activity(self, activity_id: int) -> Activity:
        """One activity with its intervals, baseline and concerns."""
        row = self.conn.execute(
            f"SELECT {_ACTIVITY_COLUMNS} FROM roadmap_activity a WHERE a.id = ?", (activity_id,)
        ).fetchone()
        if row is None:
            raise RecordNotFoundError("roadmap_activity", activity_id)
        return self._build([row], ("a.id = ?", (activity_id,)))[0]

    def _build(
        self, rows: Sequence[sqlite3.Row], scope: tuple[str, tuple[Any, ...]]
    ) -> list[Activity]:
        """Activities from their rows, with the intervals and concerns of ``scope``."""
        if not rows:
            return []
        condition, params = scope
        to_date = _Dates()
        current: dict[int, list[Span]] = {}
        baseline: dict[int, list[Span]] = {}
        for activity_id, start, end, is_baseline in self.conn.execute(
            "SELECT i.activity_id, i.start_date, i.end_date, i.baseline FROM roadmap_interval i"
            f" JOIN roadmap_activity a ON a.id = i.activity_id WHERE {condition}"
            " ORDER BY i.activity_id, i.baseline, i.start_date, i.end_date",
            params,
        ):
            target = baseline if is_baseline else current
            target.setdefault(activity_id, []).append((to_date(start), to_date(end)))
        schools: dict[int, list[int]] = {}
        groups: dict[int, list[str]] = {}
        for activity_id, school_id, group_code in self.conn.execute(
            "SELECT c.activity_id, c.school_id, c.group_code FROM roadmap_concern c"
            f" JOIN roadmap_activity a ON a.id = c.activity_id WHERE {condition} ORDER BY c.id",
            params,
        ):
            if school_id is not None:
                schools.setdefault(activity_id, []).append(int(school_id))
            else:
                groups.setdefault(activity_id, []).append(str(group_code))
        result = []
        for r in rows:
            activity_id = int(r["id"])
            result.append(
                Activity(
                    id=activity_id,
                    section_id=int(r["section_id"]),
                    number=str(r["number"]),
                    title=str(r["title"]),
                    responsible=str(r["responsible"]),
                    deadline_text=str(r["deadline_text"]),
                    deadline_kind=str(r["deadline_kind"]),
                    expected_result=str(r["expected_result"]),
                    planned_value=str(r["planned_value"]),
                    status=str(r["status"]),
                    progress=r["progress"],
                    evidence=str(r["evidence"]),
                    position=int(r["position"]),
                    intervals=tuple(current.get(activity_id, ())),
                    baseline=tuple(baseline.get(activity_id, ())),
                    manual=bool(r["intervals_manual"]),
                    schools=tuple(schools.get(activity_id, ())),
                    groups=tuple(groups.get(activity_id, ())),
                    meeting_id=r["meeting_id"],
                )
            )
        return result

    def responsibles(self, programme_id: int) -> list[str]:
        """The bodies named as responsible in a programme's roadmap (split at commas), sorted.

        Names that differ only in case are one, as first written.
        """
        names: dict[str, str] = {}
        for (text,) in self.conn.execute(
            "SELECT a.responsible FROM roadmap_activity a"
            " JOIN roadmap_section s ON s.id = a.section_id WHERE s.programme_id = ?"
            " GROUP BY a.responsible ORDER BY min(a.id)",
            (programme_id,),
        ):
            for part in str(text).replace(";", ",").split(","):
                name = " ".join(part.split())
                if name:
                    names.setdefault(fold(name), name)
        return [names[key] for key in sorted(names)]

    def school_reports(self, activity_id: int) -> list[SchoolReport]:
        """The schools' reports on an activity: the latest school year first, then by school."""
        return [
            SchoolReport(
                id=int(r["id"]),
                activity_id=int(r["activity_id"]),
                school_id=int(r["school_id"]),
                school_name=str(r["short_name"]),
                year=int(r["year"]),
                status=str(r["status"]),
                progress=r["progress"],
                evidence=str(r["evidence"]),
            )
            for r in self.conn.execute(
                "SELECT r.id, r.activity_id, r.school_id, s.short_name, r.year, r.status,"
                " r.progress, r.evidence FROM activity_report r"
                " JOIN school s ON s.id = r.school_id WHERE r.activity_id = ?"
                " ORDER BY r.year DESC, fold(s.short_name), s.id",
                (activity_id,),
            )
        ]

    def school_report_tallies(self, year: int) -> dict[int, SchoolReportTally]:
        """By activity: how many schools reported on it for ``year``, and how many of them
        reported it done, in progress, partly done and not done."""
        return {
            int(r[0]): SchoolReportTally(int(r[0]), *(int(v) for v in r[1:]))
            for r in self.conn.execute(
                "SELECT activity_id, count(*), sum(status = 'done'), sum(status = 'in_progress'),"
                " sum(status = 'partly'), sum(status = 'not_done')"
                " FROM activity_report WHERE year = ? GROUP BY activity_id",
                (year,),
            )
        }

    def summary(self, programme_id: int, today: date, days: int = DUE_SOON_DAYS) -> RoadmapSummary:
        """Due in the next ``days`` days, overdue, unscheduled, and completion per section.

        «Due soon»: an open activity with a current interval ending from today
        to today + ``days`` − 1.  Completion counts every activity but the
        cancelled ones: done / total, and the mean of their progress (an
        activity without one counts 100 when done, else 0).
        """
        sections = self.sections(programme_id)
        activities = self.activities(RoadmapQuery(programme_id))
        horizon = today + timedelta(days=max(days, 1) - 1)
        due_soon = tuple(
            a
            for a in activities
            if a.status not in CLOSED_STATUSES and a.due_within(today, horizon)
        )
        overdue = tuple(a for a in activities if a.overdue(today))
        unscheduled = tuple(a for a in activities if a.unscheduled and a.status != "cancelled")
        by_section: dict[int, list[Activity]] = {}
        for activity in activities:
            by_section.setdefault(activity.section_id, []).append(activity)
        progress = []
        for section in sections:
            members = [
                a
                for section_id in subtree_ids(sections, (section.id,))
                for a in by_section.get(section_id, ())
            ]
            progress.append(_completion(section, members))
        counted = [a for a in activities if a.status != "cancelled"]
        return RoadmapSummary(
            today=today,
            due_soon=due_soon,
            overdue=overdue,
            unscheduled=unscheduled,
            sections=tuple(progress),
            total=len(counted),
            done=sum(1 for a in counted if a.status == "done"),
            mean_progress=_mean(a.effective_progress for a in counted),
        )

    # --- writing sections -------------------------------------------------------------------------
    def add_roadmap(
        self,
        programme_id: int,
        sections: Sequence[SectionDraft],
        label: str,
        *,
        parent_id: int | None = None,
    ) -> ChangeSetInfo:
        """Add whole sections with their activities (a document's table) in one change set."""
        programme = self.programme(programme_id)
        with self.log.change_set(label) as cs:
            first = self._next_position(programme_id, parent_id)
            insert_sections(cs, programme, sections, parent_id, first)
        if cs.info is None:
            raise ValueError("add_roadmap needs at least one section")
        return cs.info

    def add_section(
        self,
        programme_id: int,
        title: str,
        label: str,
        *,
        number: str | None = None,
        parent_id: int | None = None,
    ) -> tuple[ChangeSetInfo, int]:
        """Add a section at the end of its parent; ``number`` None numbers it after its place."""
        programme = self.programme(programme_id)
        with self.log.change_set(label) as cs:
            position = self._next_position(programme_id, parent_id)
            if number is None:
                prefix = self._section_number(parent_id)
                numbered = self._sibling_sections(programme_id, parent_id)
                count = sum(1 for s in numbered if s["number"])
                number = child_number(prefix, count + 1)
            ids = insert_sections(cs, programme, [SectionDraft(title, number)], parent_id, position)
        assert cs.info is not None
        return cs.info, ids[0]

    def update_section(
        self, section_id: int, values: Mapping[str, Any], label: str
    ) -> ChangeSetInfo | None:
        """Change a section's title or number; a new number renumbers what it holds."""
        unknown = [k for k in values if k not in ("title", "number")]
        if unknown:
            raise KeyError(unknown[0])
        clean = dict(values)
        if "number" in clean:
            clean["number"] = normalise_number(clean["number"])
        with self.log.change_set(label) as cs:
            before = self.section(section_id)
            cs.update("roadmap_section", section_id, clean)
            if before.number != clean.get("number", before.number):
                self._renumber_contents(cs, section_id)
        return cs.info

    def move_section(
        self, section_id: int, parent_id: int | None, index: int | None, label: str
    ) -> ChangeSetInfo | None:
        """Move a section under ``parent_id`` at ``index`` (None: last); renumber both levels.

        Numbered sections among the siblings are numbered 1, 2 … again (after
        the parent's number), and so is everything inside a section whose
        number changed.
        """
        with self.log.change_set(label) as cs:
            section = self.section(section_id)
            old_parent = section.parent_id
            cs.update("roadmap_section", section_id, {"parent_id": parent_id})
            siblings = [
                int(r["id"])
                for r in self._sibling_sections(section.programme_id, parent_id)
                if int(r["id"]) != section_id
            ]
            siblings.insert(_slot(index, len(siblings)), section_id)
            self._renumber_sections(cs, section.programme_id, parent_id, siblings)
            if old_parent != parent_id:
                rest = [
                    int(r["id"]) for r in self._sibling_sections(section.programme_id, old_parent)
                ]
                self._renumber_sections(cs, section.programme_id, old_parent, rest)
        return cs.info

    def remove_section(self, section_id: int, label: str) -> ChangeSetInfo:
        """Remove a section with its subsections and activities; renumber its siblings."""
        section = self.section(section_id)
        sections = self.sections(section.programme_id)
        doomed = subtree_ids(sections, (section_id,))
        ordered = [s.id for s in sections if s.id in doomed]
        with self.log.change_set(label) as cs:
            # The deepest first: removing a parent first would lift its children to the top
            # (parent_id is an optional reference and would be cleared, not followed).
            for doomed_id in reversed(ordered):
                cs.delete("roadmap_section", doomed_id)
            rest = [
                int(r["id"])
                for r in self._sibling_sections(section.programme_id, section.parent_id)
            ]
            self._renumber_sections(cs, section.programme_id, section.parent_id, rest)
        assert cs.info is not None
        return cs.info

    # --- writing activities -----------------------------------------------------------------------
    def add_activity(
        self, section_id: int, draft: ActivityDraft, label: str, *, index: int | None = None
    ) -> tuple[ChangeSetInfo, int]:
        """Add an activity to a section, last or at ``index`` (then the section is renumbered)."""
        with self.log.change_set(label) as cs:
            section = self.section(section_id)
            programme = self.programme(section.programme_id)
            order = self._activity_order(section_id)
            position = len(order)
            (activity_id,) = insert_activities(
                cs,
                section_id,
                section.number,
                [draft],
                period=programme.period,
                first_position=position,
            )
            if index is not None and index < position:
                order.insert(max(index, 0), activity_id)
                self._renumber_activities(cs, section.number, order)
        assert cs.info is not None
        return cs.info, activity_id

    def update_activity(
        self, activity_id: int, values: Mapping[str, Any], label: str
    ) -> ChangeSetInfo | None:
        """Change fields of an activity (:data:`EDITABLE_ACTIVITY_FIELDS`); None when nothing did.

        A new deadline text is read again: its kind is stored, and unless the
        dates were set by hand its intervals replace the current ones (the
        baseline stays; it is set here only when the activity had none).
        """
        unknown = [k for k in values if k not in EDITABLE_ACTIVITY_FIELDS]
        if unknown:
            raise KeyError(unknown[0])
        clean = dict(values)
        if "number" in clean:
            clean["number"] = normalise_number(clean["number"])
        with self.log.change_set(label) as cs:
            before = self.activity(activity_id)
            if "deadline_text" in clean:
                text = check_value(ACTIVITY_FIELD_BY_NAME["deadline_text"], clean["deadline_text"])
                clean["deadline_text"] = text
                if text != before.deadline_text:
                    period = self._period_of(before.section_id)
                    kind, spans = read_deadline(text, period)
                    clean["deadline_kind"] = kind
                    if not before.manual:
                        self._replace_current(cs, activity_id, spans, "parsed")
            cs.update("roadmap_activity", activity_id, clean)
        return cs.info

    def move_activity(
        self, activity_id: int, section_id: int, index: int | None, label: str
    ) -> ChangeSetInfo | None:
        """Move an activity to ``index`` (None: last) of a section; renumber the sections touched.

        Within its section or to another section of the same programme; the
        numbers 1.1, 1.2 … of both sections are rewritten in the same change set.
        """
        with self.log.change_set(label) as cs:
            activity = self.activity(activity_id)
            source = self.section(activity.section_id)
            target = self.section(section_id)
            if source.programme_id != target.programme_id:
                raise InvalidValueError(
                    FieldIssue(
                        "section_id", "section_other_programme", "error", (), "roadmap_activity"
                    )
                )
            order = [i for i in self._activity_order(section_id) if i != activity_id]
            order.insert(_slot(index, len(order)), activity_id)
            if section_id != activity.section_id:
                cs.update("roadmap_activity", activity_id, {"section_id": section_id})
                rest = [i for i in self._activity_order(source.id) if i != activity_id]
                self._renumber_activities(cs, source.number, rest)
            self._renumber_activities(cs, target.number, order)
        return cs.info

    def remove_activity(self, activity_id: int, label: str) -> ChangeSetInfo:
        """Remove an activity with its intervals and concerns; renumber its section."""
        activity = self.activity(activity_id)
        with self.log.change_set(label) as cs:
            section = self.section(activity.section_id)
            cs.delete("roadmap_activity", activity_id)
            self._renumber_activities(cs, section.number, self._activity_order(section.id))
        assert cs.info is not None
        return cs.info

    # --- intervals --------------------------------------------------------------------------------
    def set_intervals(
        self, activity_id: int, spans: Iterable[Span], label: str
    ) -> ChangeSetInfo | None:
        """Set the dates by hand: a manual setting that wins over the parser (undoable).

        The first dates an activity ever gets also become its baseline.
        """
        clean = _clean_spans(spans)
        with self.log.change_set(label) as cs:
            activity = self.activity(activity_id)
            if activity.manual and activity.intervals == clean:
                return None
            self._replace_current(cs, activity_id, clean, "manual")
            cs.update("roadmap_activity", activity_id, {"intervals_manual": 1})
        return cs.info

    def move_interval(
        self, activity_id: int, index: int, start: date, end: date, label: str
    ) -> ChangeSetInfo | None:
        """Give the ``index``-th current interval new ends (a Gantt bar dragged): manual."""
        spans = list(self.activity(activity_id).intervals)
        if not 0 <= index < len(spans):
            raise IndexError(index)
        spans[index] = (start, end)
        return self.set_intervals(activity_id, spans, label)

    def reset_intervals(self, activity_id: int, label: str) -> ChangeSetInfo | None:
        """«Вернуть как в документе»: read the deadline text again and drop the manual dates."""
        with self.log.change_set(label) as cs:
            activity = self.activity(activity_id)
            kind, spans = read_deadline(
                activity.deadline_text, self._period_of(activity.section_id)
            )
            self._replace_current(cs, activity_id, spans, "parsed")
            cs.update(
                "roadmap_activity", activity_id, {"intervals_manual": 0, "deadline_kind": kind}
            )
        return cs.info

    def set_baseline(self, activity_id: int, label: str) -> ChangeSetInfo | None:
        """Approve the current dates as the baseline (the plan the Gantt compares against)."""
        with self.log.change_set(label) as cs:
            activity = self.activity(activity_id)
            if activity.baseline == activity.intervals:
                return None
            self._write_baseline(cs, activity_id, activity.intervals)
        return cs.info

    def set_baseline_all(self, programme_id: int, label: str) -> ChangeSetInfo | None:
        """Approve the current dates of every activity of a programme as the plan (one action).

        Activities whose plan already equals their dates, and those without
        dates, are left alone; None when nothing changed.
        """
        with self.log.change_set(label) as cs:
            self.programme(programme_id)  # RecordNotFoundError first
            for activity in self.activities(RoadmapQuery(programme_id)):
                if activity.intervals and activity.intervals != activity.baseline:
                    self._write_baseline(cs, activity.id, activity.intervals)
        return cs.info

    def set_concerns(
        self, activity_id: int, schools: Iterable[int], groups: Iterable[str], label: str
    ) -> ChangeSetInfo | None:
        """Set the schools and groups of schools an activity concerns (only the differences)."""
        wanted = {("s", int(s)) for s in schools} | {("g", str(g)) for g in groups}
        with self.log.change_set(label) as cs:
            self.activity(activity_id)  # RecordNotFoundError first
            present: dict[tuple[str, Any], int] = {}
            for row in self.conn.execute(
                "SELECT id, school_id, group_code FROM roadmap_concern WHERE activity_id = ?",
                (activity_id,),
            ):
                school_id, group_code = row["school_id"], row["group_code"]
                key = ("s", school_id) if school_id is not None else ("g", group_code)
                present[key] = int(row["id"])
            cs.delete_many("roadmap_concern", [i for k, i in present.items() if k not in wanted])
            new = sorted(k for k in wanted if k not in present)
            cs.insert_many(
                "roadmap_concern",
                _concern_rows(
                    activity_id,
                    [int(v) for kind, v in new if kind == "s"],
                    [str(v) for kind, v in new if kind == "g"],
                ),
            )
        return cs.info

    # --- internals --------------------------------------------------------------------------------
    def _period_of(self, section_id: int) -> Span:
        row = self.conn.execute(
            "SELECT p.start_year, p.end_year FROM roadmap_section s"
            " JOIN programme p ON p.id = s.programme_id WHERE s.id = ?",
            (section_id,),
        ).fetchone()
        if row is None:
            raise RecordNotFoundError("roadmap_section", section_id)
        return programme_period(int(row[0]), int(row[1]))

    def _replace_current(
        self, cs: ChangeSet, activity_id: int, spans: Sequence[Span], source: str
    ) -> None:
        """Make ``spans`` the current intervals; the first dates ever become the baseline too."""
        rows = self.conn.execute(
            "SELECT id, start_date, end_date, source, baseline FROM roadmap_interval"
            " WHERE activity_id = ? ORDER BY start_date, end_date, id",
            (activity_id,),
        ).fetchall()
        current = [r for r in rows if not r["baseline"]]
        has_baseline = any(r["baseline"] for r in rows)
        unchanged = [(r["start_date"], r["end_date"], r["source"]) for r in current] == [
            (s.isoformat(), e.isoformat(), source) for s, e in spans
        ]
        if not unchanged:
            cs.delete_many("roadmap_interval", [int(r["id"]) for r in current])
            cs.insert_many(
                "roadmap_interval", _interval_rows(activity_id, spans, source, baseline=False)
            )
        if not has_baseline and spans:
            cs.insert_many(
                "roadmap_interval", _interval_rows(activity_id, spans, source, baseline=True)
            )

    def _write_baseline(self, cs: ChangeSet, activity_id: int, spans: Sequence[Span]) -> None:
        rows = self.conn.execute(
            "SELECT id FROM roadmap_interval WHERE activity_id = ? AND baseline = 1",
            (activity_id,),
        ).fetchall()
        source = (
            "manual"
            if self.conn.execute(
                "SELECT intervals_manual FROM roadmap_activity WHERE id = ?", (activity_id,)
            ).fetchone()[0]
            else "parsed"
        )
        cs.delete_many("roadmap_interval", [int(r[0]) for r in rows])
        cs.insert_many(
            "roadmap_interval", _interval_rows(activity_id, spans, source, baseline=True)
        )

    def _next_position(self, programme_id: int, parent_id: int | None) -> int:
        """The position after the last section under ``parent_id``."""
        row = self.conn.execute(
            "SELECT ifnull(max(position), -1) + 1 FROM roadmap_section"
            " WHERE programme_id = ? AND parent_id IS ?",
            (programme_id, parent_id),
        ).fetchone()
        return int(row[0])

    def _sibling_sections(self, programme_id: int, parent_id: int | None) -> list[sqlite3.Row]:
        return self.conn.execute(
            "SELECT id, number FROM roadmap_section WHERE programme_id = ? AND parent_id IS ?"
            " ORDER BY position, id",
            (programme_id, parent_id),
        ).fetchall()

    def _section_number(self, section_id: int | None) -> str:
        if section_id is None:
            return ""
        row = self.conn.execute(
            "SELECT number FROM roadmap_section WHERE id = ?", (section_id,)
        ).fetchone()
        if row is None:
            raise RecordNotFoundError("roadmap_section", section_id)
        return str(row[0])

    def _activity_order(self, section_id: int) -> list[int]:
        return [
            int(r[0])
            for r in self.conn.execute(
                "SELECT id FROM roadmap_activity WHERE section_id = ? ORDER BY position, id",
                (section_id,),
            )
        ]

    def _renumber_activities(
        self, cs: ChangeSet, section_number: str, order: Sequence[int]
    ) -> None:
        """Positions 0, 1 … and numbers «N.1», «N.2» … in ``order`` (changed rows only)."""
        prefix = normalise_number(section_number)
        cs.update_many(
            "roadmap_activity",
            [
                (activity_id, {"position": index, "number": child_number(prefix, index + 1)})
                for index, activity_id in enumerate(order)
            ],
        )

    def _renumber_sections(
        self, cs: ChangeSet, programme_id: int, parent_id: int | None, order: Sequence[int]
    ) -> None:
        """Positions of siblings in ``order``; numbered ones get 1, 2 … after their parent's."""
        prefix = normalise_number(self._section_number(parent_id))
        numbers = {
            int(r["id"]): str(r["number"]) for r in self._sibling_sections(programme_id, parent_id)
        }
        changes: list[tuple[int, dict[str, Any]]] = []
        renumbered: list[int] = []
        count = 0
        for index, section_id in enumerate(order):
            values: dict[str, Any] = {"position": index}
            if numbers.get(section_id):
                count += 1
                values["number"] = child_number(prefix, count)
                if values["number"] != numbers[section_id]:
                    renumbered.append(section_id)
            changes.append((section_id, values))
        cs.update_many("roadmap_section", changes)
        for section_id in renumbered:
            self._renumber_contents(cs, section_id)

    def _renumber_contents(self, cs: ChangeSet, section_id: int) -> None:
        """Number a section's activities and numbered subsections after its (new) number."""
        row = self.conn.execute(
            "SELECT programme_id, number FROM roadmap_section WHERE id = ?", (section_id,)
        ).fetchone()
        self._renumber_activities(cs, str(row["number"]), self._activity_order(section_id))
        children = [
            int(r["id"]) for r in self._sibling_sections(int(row["programme_id"]), section_id)
        ]
        if children:
            self._renumber_sections(cs, int(row["programme_id"]), section_id, children)


def _slot(index: int | None, length: int) -> int:
    """Where ``index`` puts an item among ``length`` others (None or too large: last)."""
    if index is None or index > length:
        return length
    return max(index, 0)


def _mean(values: Iterable[float]) -> float | None:
    items = list(values)
    return sum(items) / len(items) if items else None


def _completion(section: Section, members: Sequence[Activity]) -> SectionProgress:
    counted = [a for a in members if a.status != "cancelled"]
    return SectionProgress(
        section=section,
        total=len(counted),
        done=sum(1 for a in counted if a.status == "done"),
        mean_progress=_mean(a.effective_progress for a in counted),
    )
