"""The roadmap: programme sections, numbered activities, deadlines as written and their intervals.

A roadmap belongs to a programme (its period bounds every interval).  An
activity keeps its deadline as the official wrote it («ежегодно, август») and
the intervals parsed from it (``models/deadlines.py``) or set by hand (a
manual setting wins over the parser); the intervals as first approved are kept
as the baseline.  «Просрочено» is derived from the dates and the status, never
stored.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Final

STATUSES: Final = ("planned", "in_progress", "done", "partly", "not_done", "cancelled")
"""Stored statuses of an activity (the schema's CHECK agrees)."""
CLOSED_STATUSES: Final = frozenset({"done", "cancelled", "not_done"})
"""Statuses after which an activity is no longer due (so never overdue)."""

Span = tuple[date, date]
"""An inclusive interval of dates."""


@dataclass(frozen=True)
class Section:
    """A section (block) of a roadmap: «1. Управленческий блок»."""

    id: int
    programme_id: int
    number: str
    title: str
    position: int


@dataclass(frozen=True)
class Activity:
    """One activity of a roadmap as the screens and the Gantt chart read it.

    ``intervals`` are the current ones (parsed, or manual when ``manual``);
    ``baseline`` the intervals as first approved (empty when never set);
    ``deadline_kind`` one of ``models.deadlines.DeadlineKind`` values
    («date», «period», «recurring», «continuous», «on_demand», «unknown»).
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
