"""The tutor journal: visits of the municipal tutor team (МТК) to schools, and their follow-up.

A tutor visits a school (or consults it online), writes down what was found —
deficits chosen from a reference list that grows as tutors name new ones, plus
free text — and what was recommended, with the date by which the school
should act on it.  The coordinator checks every week which recommendations
are overdue and which schools nobody has visited for a while.

**Entries** (``tutor_visit``): date, tutor (a person), school, form
(:data:`FORMS`), topic, participants, findings, recommendations, due date of
the follow-up, follow-up status (:data:`FOLLOW_UP_STATUSES`) with a note, and
whether the row was generated for the demo.  «Просрочено» is derived: an entry
still open (:data:`OPEN_STATUSES`) whose due date has passed is overdue on
that day (:meth:`Visit.status_on`); the stored status «overdue» is kept as an
open one that someone marked by hand.

**Deficits** (``deficit``, ``tutor_visit_deficit``): a name is one deficit
whatever its case (matched by its folded name); a name typed on a visit that
the list does not know joins the list in the same change set, so undoing the
entry takes the new name back with it.

**Search** looks in the text of the entry (``tutor_visit.search_fold``, kept
by the write path via ``schema.DERIVED``), in the tutor's and the school's
folded names and in the deficits: every word typed must be found somewhere.

Every write is one change set with the caller's label and returns its
:class:`ChangeSetInfo` (None when nothing changed), so undo and the history of
a field work as everywhere else.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from datetime import date, timedelta
from typing import Any, Final, TypeVar

from shnor_desktop.models import rules
from shnor_desktop.models.changelog import ChangeLog, ChangeSet, ChangeSetInfo
from shnor_desktop.models.errors import DomainError, RecordNotFoundError
from shnor_desktop.models.fields import FieldIssue, FieldSpec, InvalidValueError, check_value
from shnor_desktop.models.rules import RowContext
from shnor_desktop.models.settings import SettingSpec, declare
from shnor_desktop.models.text import fold

FORMS: Final = ("выезд", "посещение урока", "консультация", "семинар", "онлайн")
"""Forms of a visit, as the office writes them (stored as written; the schema's CHECK agrees)."""

FOLLOW_UP_STATUSES: Final = ("open", "in_progress", "done", "overdue", "not_required")
"""Stored follow-up statuses (the schema's CHECK agrees)."""
OPEN_STATUSES: Final = frozenset({"open", "in_progress", "overdue"})
"""Statuses of a follow-up still expected: past its due date such an entry is overdue."""
OVERDUE: Final = "overdue"
FOLLOW_UP_LABELS: Final[Mapping[str, str]] = {
    "open": "на контроле",
    "in_progress": "в работе",
    "done": "выполнено",
    "overdue": "просрочено",
    "not_required": "не требуется",
}
"""Russian names of the follow-up statuses (source strings, context "journal")."""

ORDERS: Final = ("date", "tutor", "school", "form", "due", "status")
"""Keys a journal read may be ordered by."""

DEFAULT_NO_VISIT_DAYS: Final = 60
MAX_NO_VISIT_DAYS: Final = 3650


def _days_check(value: Any) -> int:
    spec = FieldSpec(
        "journal.no_visit_days",
        "int",
        "Настройки",
        "Дней без посещения",
        "дн.",
        required=True,
        minimum=1,
        maximum=MAX_NO_VISIT_DAYS,
    )
    return int(check_value(spec, value))


NO_VISIT_DAYS: Final = declare(
    SettingSpec(
        "journal.no_visit_days",
        "Школы без посещения тьютора: сколько дней без визита считать долгим сроком",
        DEFAULT_NO_VISIT_DAYS,
        _days_check,
    )
)
"""«Школы без посещения N дней»: the N of the coordinator's weekly list."""

T = TypeVar("T")

_VISIT = "Журнал тьютора"
VISIT_FIELDS: Final[tuple[FieldSpec, ...]] = (
    FieldSpec("visit_date", "date", _VISIT, "Дата", required=True),
    FieldSpec("tutor_id", "person", _VISIT, "Тьютор"),
    FieldSpec("school_id", "school", _VISIT, "Школа"),
    FieldSpec("form", "choice", _VISIT, "Форма", required=True, choices=FORMS),
    FieldSpec("topic", "text", _VISIT, "Тема"),
    FieldSpec("participants", "count", _VISIT, "Участников", "чел.", maximum=100_000),
    FieldSpec("findings", "text", _VISIT, "Выводы"),
    FieldSpec("recommendations", "text", _VISIT, "Рекомендации"),
    FieldSpec("due_date", "date", _VISIT, "Срок исполнения"),
    # Not required: a row written without it gets the schema's default «open».
    FieldSpec(
        "follow_up_status",
        "choice",
        _VISIT,
        "Исполнение рекомендаций",
        choices=FOLLOW_UP_STATUSES,
    ),
    FieldSpec("follow_up_note", "text", _VISIT, "Отметка об исполнении"),
    FieldSpec("generated", "flag", _VISIT, "Сгенерировано"),
)
VISIT_FIELD_BY_NAME: Final = {spec.name: spec for spec in VISIT_FIELDS}
DEFICIT_FIELDS: Final[tuple[FieldSpec, ...]] = (
    FieldSpec("name", "text", "Дефициты", "Дефицит", required=True),
)
VISIT_DEFICIT_FIELDS: Final[tuple[FieldSpec, ...]] = (
    FieldSpec("visit_id", "ref", "Дефициты посещения", "Запись журнала", required=True),
    FieldSpec("deficit_id", "ref", "Дефициты посещения", "Дефицит", required=True),
)

# --- records ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Visit:
    """One entry of the journal with the names a report prints (tutor, school, deficits)."""

    id: int
    visit_date: date
    tutor_id: int | None
    tutor_name: str
    school_id: int | None
    school_name: str
    school_full_name: str
    form: str
    topic: str = ""
    participants: int | None = None
    findings: str = ""
    recommendations: str = ""
    due_date: date | None = None
    follow_up_status: str = "open"
    follow_up_note: str = ""
    deficits: tuple[str, ...] = ()
    generated: bool = False

    def status_on(self, today: date) -> str:
        """The follow-up status as seen on ``today``: an open entry past its due date is overdue."""
        if self.is_overdue(today):
            return OVERDUE
        return self.follow_up_status

    def is_overdue(self, today: date) -> bool:
        """True when the follow-up is still expected and its due date is before ``today``."""
        if self.follow_up_status not in OPEN_STATUSES:
            return False
        if self.due_date is None:
            return self.follow_up_status == OVERDUE
        return self.due_date < today

    def days_overdue(self, today: date) -> int:
        """Days since the due date (0 when not overdue)."""
        if not self.is_overdue(today) or self.due_date is None:
            return 0
        return (today - self.due_date).days

    def draft(self) -> VisitDraft:
        """The entry as a draft (to change a few fields and write it back)."""
        return VisitDraft(
            visit_date=self.visit_date,
            tutor_id=self.tutor_id,
            school_id=self.school_id,
            form=self.form,
            topic=self.topic,
            participants=self.participants,
            findings=self.findings,
            recommendations=self.recommendations,
            due_date=self.due_date,
            follow_up_status=self.follow_up_status,
            follow_up_note=self.follow_up_note,
            deficits=self.deficits,
            generated=self.generated,
        )


@dataclass(frozen=True)
class VisitDraft:
    """An entry as the quick entry form (or the demo) gives it; deficits by name."""

    visit_date: date
    tutor_id: int | None
    school_id: int | None
    form: str
    topic: str = ""
    participants: int | None = None
    findings: str = ""
    recommendations: str = ""
    due_date: date | None = None
    follow_up_status: str = "open"
    follow_up_note: str = ""
    deficits: tuple[str, ...] = ()
    generated: bool = False


@dataclass(frozen=True)
class JournalQuery:
    """What a journal read selects; every filter is optional and they combine with AND.

    ``period`` is inclusive (first day, last day).  ``follow_up`` is a status
    as seen on ``today`` (None: the day of the read): «overdue» keeps the open
    entries past their due date, «open» / «in_progress» the open ones not yet
    overdue.  ``search`` matches every word (case folded, ё as е) in the
    entry's text, the tutor's or school's name or a deficit.
    """

    period: tuple[date, date] | None = None
    tutor_id: int | None = None
    school_id: int | None = None
    form: str | None = None
    follow_up: str | None = None
    search: str = ""
    today: date | None = None
    order: str = "date"
    descending: bool = True


@dataclass(frozen=True)
class Deficit:
    """A deficit of the reference list and how many entries name it."""

    id: int
    name: str
    uses: int = 0


@dataclass
class DeficitInUseError(DomainError):
    """A deficit named in entries of the journal: it is not removed (rename it instead).

    ``uses`` is the number of entries that name it.
    """

    deficit_id: int
    name: str
    uses: int


@dataclass(frozen=True)
class SchoolLastVisit:
    """A school of the «no visit for N days» list: its last visit (None: never), days since."""

    school_id: int
    short_name: str
    full_name: str
    group_code: str | None
    last_visit: date | None
    days_since: int | None
    last_tutor: str = ""


@dataclass(frozen=True)
class MonthlyVisits:
    """Visits per school per month of a period, for the chart.

    ``months`` are the first days of the months of the period, in order;
    ``schools`` the schools with at least one visit (most visited first, then
    by name); ``counts[school_id]`` the visits of each month.
    """

    months: tuple[date, ...]
    schools: tuple[tuple[int, str], ...]
    counts: Mapping[int, tuple[int, ...]] = field(default_factory=dict)

    def total(self, school_id: int) -> int:
        """All the visits of a school in the period."""
        return sum(self.counts.get(school_id, ()))

    def month_totals(self) -> tuple[int, ...]:
        """All the visits of each month."""
        return tuple(
            sum(counts[i] for counts in self.counts.values()) for i in range(len(self.months))
        )


# --- pure helpers -------------------------------------------------------------------------------


def school_year_period(year: int) -> tuple[date, date]:
    """The days of the school year that begins in ``year``: 1 September to 31 August."""
    return date(year, 9, 1), date(year + 1, 8, 31)


def months_of(period: tuple[date, date]) -> tuple[date, ...]:
    """The first days of the months a period touches, in order."""
    start, end = period
    months: list[date] = []
    month = date(start.year, start.month, 1)
    while month <= end:
        months.append(month)
        month = date(month.year + (month.month == 12), month.month % 12 + 1, 1)
    return tuple(months)


def clean_name(name: str) -> str:
    """A deficit's name as stored: spaces collapsed, the ends stripped."""
    return " ".join(name.split())


_DATE = re.compile(r"^\s*(\d{1,2})[.,/-](\d{1,2})(?:[.,/-](\d{2}|\d{4}))?\s*$")
_OFFSET = re.compile(
    r"^\s*([+-])\s*(\d{1,4})\s*(д|дн|дней|дня|день|н|нед|недел[ьи]|недель)?\.?\s*$"
)


def parse_day(text: str, reference: date, *, ahead: bool = True) -> date | None:
    """Read a date typed the short way; None for an empty text.

    «31.10.2022», «31.10.22», «31.10» (the year of ``reference``; when that
    day is already past, the next year — or, with ``ahead=False``, when it is
    still to come, the year before: a visit was made, a due date lies ahead),
    «+14» / «-1» (days after / before ``reference``), «+2 нед» (weeks).
    Raises ValueError when the text is not a date.
    """
    if not text.strip():
        return None
    offset = _OFFSET.match(text.casefold())
    if offset is not None:
        sign = 1 if offset.group(1) == "+" else -1
        count = int(offset.group(2))
        unit = offset.group(3) or ""
        return reference + timedelta(days=sign * count * (7 if unit.startswith("н") else 1))
    match = _DATE.match(text)
    if match is None:
        raise ValueError(text)
    day, month, year_text = int(match.group(1)), int(match.group(2)), match.group(3)
    if year_text is None:
        result = date(reference.year, month, day)
        if ahead and result < reference:
            return date(reference.year + 1, month, day)
        if not ahead and result > reference:
            return date(reference.year - 1, month, day)
        return result
    year = int(year_text)
    if len(year_text) == 2:
        year += 2000
    return date(year, month, day)


def check_visit(draft: VisitDraft) -> list[FieldIssue]:
    """Every problem of a draft, by field: the field checks, the tutor and school, the dates."""
    issues: list[FieldIssue] = []
    values = _visit_values(draft)
    for name, value in values.items():
        try:
            check_value(VISIT_FIELD_BY_NAME[name], value)
        except InvalidValueError as exc:
            issues.append(exc.issue)
    flagged = {i.field for i in issues}
    for name in ("tutor_id", "school_id"):
        if values[name] is None and name not in flagged:
            issues.append(FieldIssue(name, "required", "error", (), "tutor_visit"))
    if not flagged & {"visit_date", "due_date"}:
        issues.extend(_due_issues(values))
    for name in draft.deficits:
        if not clean_name(name):
            issues.append(FieldIssue("deficits", "required", "error", (), "deficit"))
            break
    return issues


def _visit_values(draft: VisitDraft) -> dict[str, Any]:
    """The ``tutor_visit`` columns of a draft (deficits are rows of their own)."""
    return {
        "visit_date": draft.visit_date,
        "tutor_id": draft.tutor_id,
        "school_id": draft.school_id,
        "form": draft.form,
        "topic": draft.topic,
        "participants": draft.participants,
        "findings": draft.findings,
        "recommendations": draft.recommendations,
        "due_date": draft.due_date,
        "follow_up_status": draft.follow_up_status,
        "follow_up_note": draft.follow_up_note,
        "generated": int(draft.generated),
    }


def _due_issues(row: Mapping[str, Any]) -> list[FieldIssue]:
    """A follow-up due before the visit itself."""
    visit, due = row.get("visit_date"), row.get("due_date")
    if visit is None or due is None:
        return []
    visit_day = visit if isinstance(visit, date) else date.fromisoformat(str(visit)[:10])
    due_day = due if isinstance(due, date) else date.fromisoformat(str(due)[:10])
    if due_day < visit_day:
        return [FieldIssue("due_date", "due_before_visit", "error", (), "tutor_visit")]
    return []


def _visit_rule(ctx: RowContext) -> Iterable[FieldIssue]:
    """Row rule of ``tutor_visit``: the follow-up is not due before the visit."""
    if not ctx.changed & {"visit_date", "due_date"}:
        return []
    return _due_issues(ctx.row)


rules.register("tutor_visit", VISIT_FIELDS, [_visit_rule])
rules.register("deficit", DEFICIT_FIELDS)
rules.register("tutor_visit_deficit", VISIT_DEFICIT_FIELDS)


def _refuse(issues: Iterable[FieldIssue]) -> None:
    for issue in issues:
        if issue.severity == "error":
            raise InvalidValueError(issue)


def _chunks(ids: Sequence[T], size: int = 900) -> Iterator[Sequence[T]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def _day(value: Any) -> date | None:
    return None if value in (None, "") else date.fromisoformat(str(value)[:10])


# --- writing inside an open change set (the repository, the demo, the bench) -------------------


def deficit_ids(cs: ChangeSet, conn: sqlite3.Connection | None, names: Iterable[str]) -> list[int]:
    """The ids of deficits by name (case folded), adding the names the list does not know.

    ``conn`` reads inside the change set (it sees the set's own new names);
    None when the caller knows the list holds none of the names yet (the demo
    builds it from nothing; a name already there then breaks its UNIQUE
    constraint instead of being doubled).  Names repeated (whatever their
    case) give one id, in the order first named.
    """
    return list(_deficit_map(cs, conn, names).values())


def _deficit_map(
    cs: ChangeSet, conn: sqlite3.Connection | None, names: Iterable[str]
) -> dict[str, int]:
    """Deficit ids by folded name, in the order first named; unknown names are added."""
    wanted: dict[str, str] = {}
    for name in names:
        text = clean_name(name)
        if text:
            wanted.setdefault(fold(text), text)
    if not wanted:
        return {}
    known: dict[str, int] = {}
    keys = list(wanted)
    if conn is not None:
        for chunk in _chunks(keys):
            marks = ",".join("?" for _ in chunk)
            for deficit_id, name_fold in conn.execute(
                f"SELECT id, name_fold FROM deficit WHERE name_fold IN ({marks}) ORDER BY id",
                chunk,
            ):
                known.setdefault(str(name_fold), int(deficit_id))
    missing = [key for key in keys if key not in known]
    if missing:
        new_ids = cs.insert_many("deficit", [{"name": wanted[key]} for key in missing])
        known.update(zip(missing, new_ids, strict=True))
    return {key: known[key] for key in keys}


def insert_visits(
    cs: ChangeSet, conn: sqlite3.Connection | None, drafts: Sequence[VisitDraft]
) -> list[int]:
    """Insert entries with their deficits in the open change set; return their ids in order.

    Each draft is checked first (:func:`check_visit`); nothing is written when
    one fails.  ``conn`` finds the deficits already listed (see :func:`deficit_ids`).
    """
    for draft in drafts:
        _refuse(check_visit(draft))
    ids = cs.insert_many("tutor_visit", [_visit_values(d) for d in drafts])
    by_fold = _deficit_map(cs, conn, (name for draft in drafts for name in draft.deficits))
    links: list[dict[str, Any]] = []
    for visit_id, draft in zip(ids, drafts, strict=True):
        seen: set[int] = set()
        for name in draft.deficits:
            deficit_id = by_fold[fold(clean_name(name))]
            if deficit_id not in seen:
                seen.add(deficit_id)
                links.append({"visit_id": visit_id, "deficit_id": deficit_id})
    cs.insert_many("tutor_visit_deficit", links)
    return ids


# --- reading ------------------------------------------------------------------------------------

_VISIT_COLUMNS: Final = (
    "v.id, v.visit_date, v.tutor_id, v.school_id, v.form, v.topic, v.participants, v.findings,"
    " v.recommendations, v.due_date, v.follow_up_status, v.follow_up_note, v.generated,"
    " ifnull(p.full_name, '') AS tutor_name, ifnull(s.short_name, '') AS school_name,"
    " ifnull(s.full_name, '') AS school_full_name"
)
_VISIT_FROM: Final = (
    " FROM tutor_visit v LEFT JOIN person p ON p.id = v.tutor_id"
    " LEFT JOIN school s ON s.id = v.school_id"
)
_OPEN_SQL: Final = ", ".join(f"'{s}'" for s in sorted(OPEN_STATUSES))
# The status as seen on :today (an open entry past its due date is overdue).
_STATUS_ON_SQL: Final = (
    f"CASE WHEN v.follow_up_status IN ({_OPEN_SQL}) AND v.due_date < :today"
    " THEN 'overdue' ELSE v.follow_up_status END"
)
_ORDER_SQL: Final[Mapping[str, str]] = {
    "date": "v.visit_date {d}, v.id {d}",
    "tutor": "fold(p.full_name) {d} NULLS LAST, v.visit_date DESC, v.id DESC",
    "school": "fold(s.short_name) {d} NULLS LAST, v.visit_date DESC, v.id DESC",
    "form": "v.form {d}, v.visit_date DESC, v.id DESC",
    "due": "v.due_date {d} NULLS LAST, v.visit_date DESC, v.id DESC",
    "status": f"{_STATUS_ON_SQL} {{d}}, v.due_date NULLS LAST, v.id DESC",
}


def journal_filter_sql(query: JournalQuery) -> tuple[list[str], dict[str, Any]]:
    """The SQL conditions of a query on ``tutor_visit v`` (with ``person p``, ``school s``)."""
    where: list[str] = []
    params: dict[str, Any] = {"today": (query.today or date.today()).isoformat()}
    if query.period is not None:
        where.append("v.visit_date BETWEEN :start AND :end")
        params["start"] = query.period[0].isoformat()
        params["end"] = query.period[1].isoformat()
    if query.tutor_id is not None:
        where.append("v.tutor_id = :tutor")
        params["tutor"] = query.tutor_id
    if query.school_id is not None:
        where.append("v.school_id = :school")
        params["school"] = query.school_id
    if query.form:
        where.append("v.form = :form")
        params["form"] = query.form
    if query.follow_up:
        where.append(f"{_STATUS_ON_SQL} = :status")
        params["status"] = query.follow_up
    for i, word in enumerate(fold(query.search).split()):
        where.append(
            f"(instr(v.search_fold, :w{i}) > 0 OR instr(ifnull(p.name_fold, ''), :w{i}) > 0"
            f" OR instr(ifnull(s.name_fold, ''), :w{i}) > 0 OR EXISTS (SELECT 1"
            " FROM tutor_visit_deficit vd JOIN deficit d ON d.id = vd.deficit_id"
            f" WHERE vd.visit_id = v.id AND instr(d.name_fold, :w{i}) > 0))"
        )
        params[f"w{i}"] = word
    return where, params


class JournalRepository:
    """The tutor journal and its deficit list: reads in SQL, writes through the change log."""

    def __init__(self, log: ChangeLog) -> None:
        self.log = log

    @property
    def conn(self) -> sqlite3.Connection:
        """The connection this thread reads with (the writer inside a change set)."""
        return self.log.reader()

    # --- entries ---------------------------------------------------------------------------
    def visits(self, query: JournalQuery, offset: int = 0, limit: int | None = None) -> list[Visit]:
        """The entries the query selects, ordered as it says, with names and deficits.

        ``offset``/``limit`` read one page (the table reads lazily); two queries a page.
        """
        if query.order not in _ORDER_SQL:
            raise ValueError(query.order)
        where, params = journal_filter_sql(query)
        order = _ORDER_SQL[query.order].format(d="DESC" if query.descending else "ASC")
        sql = f"SELECT {_VISIT_COLUMNS}{_VISIT_FROM}"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += f" ORDER BY {order}"
        if limit is not None or offset:
            sql += " LIMIT :limit OFFSET :offset"
            params["limit"] = -1 if limit is None else limit
            params["offset"] = offset
        rows = self.conn.execute(sql, params).fetchall()
        return self._build(rows)

    def count(self, query: JournalQuery) -> int:
        """How many entries the query selects."""
        where, params = journal_filter_sql(query)
        sql = f"SELECT count(*){_VISIT_FROM}"
        if where:
            sql += " WHERE " + " AND ".join(where)
        return int(self.conn.execute(sql, params).fetchone()[0])

    def visit(self, visit_id: int) -> Visit:
        """One entry; :class:`RecordNotFoundError` when it is gone."""
        row = self.conn.execute(
            f"SELECT {_VISIT_COLUMNS}{_VISIT_FROM} WHERE v.id = ?", (visit_id,)
        ).fetchone()
        if row is None:
            raise RecordNotFoundError("tutor_visit", visit_id)
        return self._build([row])[0]

    def _build(self, rows: Sequence[sqlite3.Row]) -> list[Visit]:
        ids = [int(r["id"]) for r in rows]
        names: dict[int, list[str]] = {}
        for chunk in _chunks(ids):
            marks = ",".join("?" for _ in chunk)
            for visit_id, name in self.conn.execute(
                "SELECT vd.visit_id, d.name FROM tutor_visit_deficit vd"
                f" JOIN deficit d ON d.id = vd.deficit_id WHERE vd.visit_id IN ({marks})"
                " ORDER BY vd.visit_id, vd.id",
                chunk,
            ):
                names.setdefault(int(visit_id), []).append(str(name))
        return [
            Visit(
                id=int(r["id"]),
                visit_date=date.fromisoformat(str(r["visit_date"])[:10]),
                tutor_id=r["tutor_id"],
                tutor_name=str(r["tutor_name"]),
                school_id=r["school_id"],
                school_name=str(r["school_name"]),
                school_full_name=str(r["school_full_name"]),
                form=str(r["form"]),
                topic=str(r["topic"]),
                participants=r["participants"],
                findings=str(r["findings"]),
                recommendations=str(r["recommendations"]),
                due_date=_day(r["due_date"]),
                follow_up_status=str(r["follow_up_status"]),
                follow_up_note=str(r["follow_up_note"]),
                deficits=tuple(names.get(int(r["id"]), ())),
                generated=bool(r["generated"]),
            )
            for r in rows
        ]

    def years(self) -> list[int]:
        """The school years with entries, oldest first (2022 = 2022/23)."""
        return [
            int(r[0])
            for r in self.conn.execute(
                "SELECT DISTINCT CASE WHEN CAST(substr(visit_date, 6, 2) AS INTEGER) >= 9"
                " THEN CAST(substr(visit_date, 1, 4) AS INTEGER)"
                " ELSE CAST(substr(visit_date, 1, 4) AS INTEGER) - 1 END AS y"
                " FROM tutor_visit ORDER BY y"
            )
        ]

    def tutor_ids(self) -> set[int]:
        """The people who made entries (the tutor filter offers them beside the tutors)."""
        return {
            int(r[0])
            for r in self.conn.execute(
                "SELECT DISTINCT tutor_id FROM tutor_visit WHERE tutor_id IS NOT NULL"
            )
        }

    def last_visit_date(self) -> date | None:
        """The date of the latest entry (None in an empty journal)."""
        row = self.conn.execute("SELECT max(visit_date) FROM tutor_visit").fetchone()
        return _day(row[0])

    # --- the coordinator's weekly lists ----------------------------------------------------
    def overdue_follow_ups(self, today: date, query: JournalQuery | None = None) -> list[Visit]:
        """Entries whose follow-up is still expected and was due before ``today``, oldest due first.

        ``query`` narrows the list further (its own follow-up filter and order are replaced).
        """
        base = query or JournalQuery()
        return self.visits(
            replace(base, follow_up=OVERDUE, today=today, order="due", descending=False)
        )

    def schools_without_visit(
        self,
        days: int,
        today: date,
        *,
        year: int | None = None,
        groups: Sequence[str] = (),
    ) -> list[SchoolLastVisit]:
        """Schools not visited for ``days`` days or more before ``today`` (never visited first).

        A visit counts when it is on or before ``today``.  ``groups`` keeps the
        schools whose passport of ``year`` puts them in one of these groups
        (a school without a passport is in the group «none»).  Each school comes
        with its last visit and the tutor who made it.
        """
        cutoff = today - timedelta(days=max(days, 0))
        params: dict[str, Any] = {
            "today": today.isoformat(),
            "cutoff": cutoff.isoformat(),
            "year": year,
        }
        where = ["(l.last_date IS NULL OR l.last_date <= :cutoff)"]
        if groups:
            marks = ",".join(f":g{i}" for i in range(len(groups)))
            where.append(f"ifnull(sp.group_code, 'none') IN ({marks})")
            params.update({f"g{i}": g for i, g in enumerate(groups)})
        rows = self.conn.execute(
            "WITH l AS (SELECT school_id, max(visit_date) AS last_date FROM tutor_visit"
            " WHERE school_id IS NOT NULL AND visit_date <= :today GROUP BY school_id)"
            " SELECT s.id, s.short_name, s.full_name, sp.group_code, l.last_date,"
            " (SELECT ifnull(p.full_name, '') FROM tutor_visit v"
            "  LEFT JOIN person p ON p.id = v.tutor_id"
            "  WHERE v.school_id = s.id AND v.visit_date = l.last_date"
            "  ORDER BY v.id DESC LIMIT 1) AS last_tutor"
            " FROM school s LEFT JOIN l ON l.school_id = s.id"
            " LEFT JOIN school_profile sp ON sp.school_id = s.id AND sp.year = :year"
            f" WHERE {' AND '.join(where)}"
            " ORDER BY l.last_date NULLS FIRST, fold(s.short_name), s.id",
            params,
        ).fetchall()
        result = []
        for r in rows:
            last = _day(r["last_date"])
            result.append(
                SchoolLastVisit(
                    school_id=int(r["id"]),
                    short_name=str(r["short_name"]),
                    full_name=str(r["full_name"]),
                    group_code=r["group_code"],
                    last_visit=last,
                    days_since=None if last is None else (today - last).days,
                    last_tutor=str(r["last_tutor"] or ""),
                )
            )
        return result

    # --- the chart -------------------------------------------------------------------------
    def visits_per_month(
        self,
        school_ids: Sequence[int] | None,
        period: tuple[date, date],
        *,
        tutor_id: int | None = None,
    ) -> MonthlyVisits:
        """Visits per school per month of ``period``, counted in SQL (None: every school)."""
        months = months_of(period)
        index = {(m.year, m.month): i for i, m in enumerate(months)}
        where = ["v.visit_date BETWEEN :start AND :end", "v.school_id IS NOT NULL"]
        params: dict[str, Any] = {"start": period[0].isoformat(), "end": period[1].isoformat()}
        if school_ids is not None:
            if not school_ids:
                return MonthlyVisits(months, ())
            where.append(f"v.school_id IN ({','.join(str(int(i)) for i in school_ids)})")
        if tutor_id is not None:
            where.append("v.tutor_id = :tutor")
            params["tutor"] = tutor_id
        rows = self.conn.execute(
            "SELECT v.school_id, substr(v.visit_date, 1, 7) AS month, count(*) AS n"
            f" FROM tutor_visit v WHERE {' AND '.join(where)} GROUP BY v.school_id, month",
            params,
        ).fetchall()
        counts: dict[int, list[int]] = {}
        for school_id, month, n in rows:
            slot = index.get((int(month[:4]), int(month[5:7])))
            if slot is not None:
                counts.setdefault(int(school_id), [0] * len(months))[slot] += int(n)
        names: dict[int, str] = {}
        ids = sorted(counts)
        for chunk in _chunks(ids):
            marks = ",".join("?" for _ in chunk)
            for school_id, name in self.conn.execute(
                f"SELECT id, short_name FROM school WHERE id IN ({marks})", chunk
            ):
                names[int(school_id)] = str(name)
        order = sorted(ids, key=lambda i: (-sum(counts[i]), fold(names.get(i, "")), i))
        return MonthlyVisits(
            months,
            tuple((i, names.get(i, "")) for i in order),
            {i: tuple(counts[i]) for i in order},
        )

    # --- deficits --------------------------------------------------------------------------
    def deficits(self) -> list[Deficit]:
        """The reference list of deficits, by name, with how many entries name each."""
        return [
            Deficit(int(r[0]), str(r[1]), int(r[2]))
            for r in self.conn.execute(
                "SELECT d.id, d.name, count(vd.id) FROM deficit d"
                " LEFT JOIN tutor_visit_deficit vd ON vd.deficit_id = d.id"
                " GROUP BY d.id ORDER BY d.name_fold, d.id"
            )
        ]

    def deficit_names(self) -> list[str]:
        """The names of the reference list, by name (what the completer offers)."""
        return [
            str(r[0]) for r in self.conn.execute("SELECT name FROM deficit ORDER BY name_fold, id")
        ]

    def add_deficit(self, name: str, label: str) -> tuple[ChangeSetInfo | None, int]:
        """Add a name to the list (an existing one, whatever its case, is kept); return its id."""
        text = check_value(DEFICIT_FIELDS[0], clean_name(name))
        with self.log.change_set(label) as cs:
            (deficit_id,) = deficit_ids(cs, self.conn, [text])
        return cs.info, deficit_id

    def rename_deficit(self, deficit_id: int, name: str, label: str) -> ChangeSetInfo | None:
        """Rename a deficit (every entry that names it shows the new name)."""
        text = check_value(DEFICIT_FIELDS[0], clean_name(name))
        with self.log.change_set(label) as cs:
            other = self.conn.execute(
                "SELECT id FROM deficit WHERE name_fold = ? AND id <> ?", (fold(text), deficit_id)
            ).fetchone()
            if other is not None:
                raise InvalidValueError(
                    FieldIssue("name", "duplicate_deficit", "error", (text,), "deficit")
                )
            cs.update("deficit", deficit_id, {"name": text})
        return cs.info

    def remove_deficit(self, deficit_id: int, label: str) -> ChangeSetInfo:
        """Remove a deficit no entry names.

        A deficit named in entries is refused with :class:`DeficitInUseError`
        (how many): removing it would change what those entries say; rename it
        instead.  :class:`RecordNotFoundError` when it is gone.
        """
        with self.log.change_set(label) as cs:
            row = self.conn.execute(
                "SELECT d.name, (SELECT count(*) FROM tutor_visit_deficit vd"
                " WHERE vd.deficit_id = d.id) FROM deficit d WHERE d.id = ?",
                (deficit_id,),
            ).fetchone()
            if row is None:
                raise RecordNotFoundError("deficit", deficit_id)
            if row[1]:
                raise DeficitInUseError(deficit_id, str(row[0]), int(row[1]))
            cs.delete("deficit", deficit_id)
        assert cs.info is not None
        return cs.info

    # --- writing entries -------------------------------------------------------------------
    def add_visit(self, draft: VisitDraft, label: str) -> tuple[ChangeSetInfo, int]:
        """Add an entry (new deficit names join the list in the same change set)."""
        _refuse(check_visit(draft))
        with self.log.change_set(label) as cs:
            (visit_id,) = insert_visits(cs, self.conn, [draft])
        assert cs.info is not None
        return cs.info, visit_id

    def update_visit(self, visit_id: int, draft: VisitDraft, label: str) -> ChangeSetInfo | None:
        """Write a changed entry: its fields and its deficits (kept ones keep their rows).

        Returns None when nothing differed.
        """
        _refuse(check_visit(draft))
        with self.log.change_set(label) as cs:
            before = self.visit(visit_id)
            values = _visit_values(draft)
            if draft.generated == before.generated:
                values.pop("generated")
            cs.update("tutor_visit", visit_id, values)
            self._set_deficits(cs, visit_id, draft.deficits)
        return cs.info

    def _set_deficits(self, cs: ChangeSet, visit_id: int, names: Sequence[str]) -> None:
        wanted = deficit_ids(cs, self.conn, names)
        held = [
            (int(r[0]), int(r[1]))
            for r in self.conn.execute(
                "SELECT id, deficit_id FROM tutor_visit_deficit WHERE visit_id = ? ORDER BY id",
                (visit_id,),
            )
        ]
        keep = set(wanted)
        cs.delete_many("tutor_visit_deficit", [link for link, d in held if d not in keep])
        have = {d for _, d in held}
        cs.insert_many(
            "tutor_visit_deficit",
            [{"visit_id": visit_id, "deficit_id": d} for d in wanted if d not in have],
        )

    def set_follow_up(
        self, visit_id: int, status: str, label: str, note: str | None = None
    ) -> ChangeSetInfo | None:
        """Change the follow-up status of an entry (and its note, when given)."""
        values: dict[str, Any] = {"follow_up_status": status}
        if note is not None:
            values["follow_up_note"] = note
        with self.log.change_set(label) as cs:
            cs.update("tutor_visit", visit_id, values)
        return cs.info

    def remove_visit(self, visit_id: int, label: str) -> ChangeSetInfo:
        """Remove an entry with its deficit links (the names stay in the list)."""
        with self.log.change_set(label) as cs:
            cs.delete("tutor_visit", visit_id)
        assert cs.info is not None
        return cs.info


VISIT_DRAFT_FIELDS: Final = tuple(f.name for f in fields(VisitDraft))
"""The fields of a draft, in the order the quick entry form takes them."""
