"""Working-group meetings and their protocols; a decision becomes a roadmap activity.

A protocol (seed 004: «Протокол №1 от 03.07.2023 г.») has a number, a date
and a place, a chair and a secretary (each with the post the protocol gives
them: «Председатель: муниципальный координатор – Астраханцева О.В.»), those
present in the protocol's order (each under the capacity they attend in,
«Тьютор-консультант:», with the post as written then, «директор МУ РЦ»), and
the agenda: numbered items, each with what was heard (СЛУШАЛИ), what was
decided (ПОСТАНОВИЛИ), the decision's responsible and deadline as written, and
the vote — «единогласно», or the counts «за» / «против» / «воздержались».

The protocol's words are kept as written: a person's post may change later,
the protocol's does not.  A vote is either unanimous or counted, never both;
counts are whole numbers ≥ 0; a meeting has a date; a number is used once per
school year; the chair is not the secretary; a person is listed once.  These
rules are declared with :func:`models.rules.register`, so they run on every
write path (a form, an import, the demo, the command line).

:meth:`MeetingRepository.decision_to_activity` turns a decision into a roadmap
activity in one change set (one undo): the activity is written by the
roadmap's own add path (:func:`models.roadmap.insert_activities`, so its
deadline is read by ``models/deadlines.py`` and every roadmap rule applies),
names the protocol as its evidence («Протокол № 1 от 03.07.2023») and points
back at the meeting and the item (``meeting_id``, ``meeting_item_id``).

Agenda items are numbered 1, 2 … by ``position``; those present are kept in
order by theirs.  Adding at a place, moving and removing renumber in the same
change set.  Every write returns the :class:`ChangeSetInfo` of its change set
(None when nothing changed).
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Final

from shnor_desktop.models import rules
from shnor_desktop.models.changelog import ChangeLog, ChangeSet, ChangeSetInfo
from shnor_desktop.models.errors import RecordNotFoundError
from shnor_desktop.models.fields import FieldIssue, FieldSpec
from shnor_desktop.models.roadmap import ActivityDraft, RoadmapRepository, insert_activities
from shnor_desktop.models.rules import RowContext
from shnor_desktop.models.text import fold, format_date, school_year_label

# --- fields and rules ----------------------------------------------------------------------------

_MEETING = "Заседание"
_ITEM = "Вопрос повестки"
_ATTENDEE = "Присутствовали"

MEETING_FIELDS: Final[tuple[FieldSpec, ...]] = (
    FieldSpec("programme_id", "ref", _MEETING, "Программа"),
    FieldSpec("number", "text", _MEETING, "Номер протокола"),
    FieldSpec("meeting_date", "date", _MEETING, "Дата заседания", required=True),
    FieldSpec("title", "text", _MEETING, "Заголовок протокола"),
    FieldSpec("body", "text", _MEETING, "Текст протокола"),
    FieldSpec("place", "text", _MEETING, "Место проведения"),
    FieldSpec("chair_id", "person", _MEETING, "Председатель"),
    FieldSpec("chair_post", "text", _MEETING, "Должность председателя"),
    FieldSpec("secretary_id", "person", _MEETING, "Секретарь"),
    FieldSpec("secretary_post", "text", _MEETING, "Должность секретаря"),
)

ATTENDEE_FIELDS: Final[tuple[FieldSpec, ...]] = (
    FieldSpec("meeting_id", "ref", _ATTENDEE, "Заседание", required=True),
    FieldSpec("person_id", "person", _ATTENDEE, "Участник", required=True),
    FieldSpec("role_text", "text", _ATTENDEE, "В качестве"),
    FieldSpec("post", "text", _ATTENDEE, "Должность по протоколу"),
    FieldSpec("position", "count", _ATTENDEE, "Порядок"),
)

ITEM_FIELDS: Final[tuple[FieldSpec, ...]] = (
    FieldSpec("meeting_id", "ref", _ITEM, "Заседание", required=True),
    FieldSpec("position", "count", _ITEM, "Номер вопроса"),
    FieldSpec("title", "text", _ITEM, "Вопрос"),
    FieldSpec("heard", "text", _ITEM, "Слушали"),
    FieldSpec("decided", "text", _ITEM, "Постановили"),
    FieldSpec("responsible", "text", _ITEM, "Ответственные"),
    FieldSpec("deadline_text", "text", _ITEM, "Срок"),
    FieldSpec("vote_for", "count", _ITEM, "«За»"),
    FieldSpec("vote_against", "count", _ITEM, "«Против»"),
    FieldSpec("vote_abstain", "count", _ITEM, "«Воздержались»"),
    FieldSpec("unanimous", "flag", _ITEM, "Единогласно"),
    FieldSpec("vote_note", "text", _ITEM, "Примечание к голосованию"),
)

MEETING_FIELD_BY_NAME: Final = {spec.name: spec for spec in MEETING_FIELDS}
ATTENDEE_FIELD_BY_NAME: Final = {spec.name: spec for spec in ATTENDEE_FIELDS}
ITEM_FIELD_BY_NAME: Final = {spec.name: spec for spec in ITEM_FIELDS}

EDITABLE_MEETING_FIELDS: Final = tuple(spec.name for spec in MEETING_FIELDS)
"""The fields of a meeting that :meth:`MeetingRepository.update_meeting` writes."""
EDITABLE_ATTENDEE_FIELDS: Final = ("person_id", "role_text", "post")
EDITABLE_ITEM_FIELDS: Final = (
    "title",
    "heard",
    "decided",
    "responsible",
    "deadline_text",
    "vote_for",
    "vote_against",
    "vote_abstain",
    "unanimous",
    "vote_note",
)
VOTE_COUNTS: Final = ("vote_for", "vote_against", "vote_abstain")


def school_year_of(day: date) -> int:
    """The school year a day belongs to: September starts it (03.07.2023 → 2022)."""
    return day.year if day.month >= 9 else day.year - 1


def school_year_bounds(year: int) -> tuple[str, str]:
    """The first and last day of school year ``year`` as ISO text (1 September – 31 August)."""
    return f"{year:04d}-09-01", f"{year + 1:04d}-08-31"


def _meeting_rule(ctx: RowContext) -> Iterable[FieldIssue]:
    """The chair is not the secretary; a protocol number is used once per school year."""
    chair, secretary = ctx.row.get("chair_id"), ctx.row.get("secretary_id")
    if ctx.changed & {"chair_id", "secretary_id"} and chair is not None and chair == secretary:
        yield FieldIssue("secretary_id", "secretary_is_chair", "error")
    number = str(ctx.row.get("number") or "").strip()
    day = ctx.row.get("meeting_date")
    if not ctx.changed & {"number", "meeting_date"} or not number or not isinstance(day, str):
        return
    year = school_year_of(date.fromisoformat(day))
    first, last = school_year_bounds(year)
    clash = ctx.conn.execute(
        "SELECT 1 FROM meeting WHERE number = ? AND meeting_date BETWEEN ? AND ? AND id IS NOT ?",
        (number, first, last, ctx.row_id),
    ).fetchone()
    if clash is not None:
        yield FieldIssue("number", "duplicate_meeting_number", "error", (school_year_label(year),))


def _attendee_rule(ctx: RowContext) -> Iterable[FieldIssue]:
    """A person is listed once among those present."""
    if not ctx.changed & {"meeting_id", "person_id"}:
        return
    clash = ctx.conn.execute(
        "SELECT 1 FROM meeting_attendee WHERE meeting_id = ? AND person_id = ? AND id IS NOT ?",
        (ctx.row.get("meeting_id"), ctx.row.get("person_id"), ctx.row_id),
    ).fetchone()
    if clash is not None:
        yield FieldIssue("person_id", "duplicate_attendee", "error")


def _vote_rule(ctx: RowContext) -> Iterable[FieldIssue]:
    """A vote is «единогласно» or counted («за», «против», «воздержались»), not both."""
    if not ctx.changed & {"unanimous", *VOTE_COUNTS}:
        return
    counted = [name for name in VOTE_COUNTS if ctx.row.get(name) is not None]
    if ctx.row.get("unanimous") and counted:
        # Said under the field just written: the count typed, or the box just ticked.
        field = next((n for n in counted if n in ctx.changed), "unanimous")
        yield FieldIssue(field, "vote_mixed", "error")


rules.register("meeting", MEETING_FIELDS, [_meeting_rule])
rules.register("meeting_attendee", ATTENDEE_FIELDS, [_attendee_rule])
rules.register("meeting_item", ITEM_FIELDS, [_vote_rule])


# --- records -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Attendee:
    """One of those present, as the protocol lists them: «Гладилова О.А. – директор МУ РЦ»."""

    id: int
    person_id: int
    name: str
    role: str
    """The capacity they attend in, the heading they are listed under («Тьютор-консультант»)."""
    post: str
    """The post as the protocol writes it («директор МУ РЦ»)."""
    position: int


@dataclass(frozen=True)
class LinkedActivity:
    """A roadmap activity made from a decision: where it is and what it is called."""

    id: int
    number: str
    title: str
    section_id: int
    programme_id: int


@dataclass(frozen=True)
class MeetingItem:
    """An agenda item with СЛУШАЛИ, ПОСТАНОВИЛИ, the decision's terms and the vote."""

    id: int
    meeting_id: int
    position: int
    title: str
    heard: str
    decided: str
    responsible: str = ""
    deadline_text: str = ""
    vote_for: int | None = None
    vote_against: int | None = None
    vote_abstain: int | None = None
    unanimous: bool = False
    vote_note: str = ""
    activities: tuple[LinkedActivity, ...] = ()
    """The roadmap activities made from this decision (oldest first)."""

    @property
    def number(self) -> int:
        """The item's number in the agenda (1, 2 …)."""
        return self.position

    @property
    def voted(self) -> bool:
        """True when the protocol records a vote (unanimous or with counts)."""
        return self.unanimous or any(
            v is not None for v in (self.vote_for, self.vote_against, self.vote_abstain)
        )

    @property
    def vote_text(self) -> str:
        """The vote as the protocol writes it (empty when none is recorded).

        «Голосовали единогласно.» or «Голосовали: «за» – 7, «против» – 0,
        «воздержались» – 0.»; the note, if any, follows.
        """
        return vote_wording(
            self.unanimous, self.vote_for, self.vote_against, self.vote_abstain, self.vote_note
        )

    @property
    def points(self) -> tuple[str, ...]:
        """The numbered points of ПОСТАНОВИЛИ (see :func:`decision_points`)."""
        return decision_points(self.decided)


@dataclass(frozen=True)
class MeetingSummary:
    """A meeting in the list: number, date, place, chair, and its first agenda item."""

    id: int
    number: str
    meeting_date: str
    title: str
    place: str
    chair_name: str
    item_count: int
    first_item: str
    programme_id: int | None = None

    @property
    def day(self) -> date:
        """The meeting's date."""
        return date.fromisoformat(self.meeting_date)

    @property
    def protocol_name(self) -> str:
        """«Протокол № 1 от 03.07.2023»."""
        return protocol_name(self.number, self.meeting_date)


@dataclass(frozen=True)
class Meeting:
    """A whole protocol, as the panel shows it and a report prints it.

    ``office`` is the district's education office (the protocol's letterhead);
    names are the people's names as kept (``chair_name`` «Астраханцева О.В.»),
    ``chair_post`` / ``secretary_post`` the posts as the protocol writes them.
    """

    id: int
    number: str
    meeting_date: str
    title: str
    place: str
    body: str
    programme_id: int | None
    chair_id: int | None
    chair_name: str
    chair_post: str
    secretary_id: int | None
    secretary_name: str
    secretary_post: str
    office: str
    attendees: tuple[Attendee, ...]
    items: tuple[MeetingItem, ...]

    @property
    def day(self) -> date:
        """The meeting's date."""
        return date.fromisoformat(self.meeting_date)

    @property
    def school_year(self) -> int:
        """The school year of the meeting (2022 for 03.07.2023)."""
        return school_year_of(self.day)

    @property
    def protocol_name(self) -> str:
        """«Протокол № 1 от 03.07.2023» (the evidence an activity made from it names)."""
        return protocol_name(self.number, self.meeting_date)

    def attendee_groups(self) -> list[tuple[str, list[Attendee]]]:
        """Those present in order, consecutive ones of the same capacity under one heading."""
        groups: list[tuple[str, list[Attendee]]] = []
        for attendee in self.attendees:
            if groups and groups[-1][0] == attendee.role:
                groups[-1][1].append(attendee)
            else:
                groups.append((attendee.role, [attendee]))
        return groups

    def item(self, item_id: int) -> MeetingItem:
        """One of the meeting's items; :class:`RecordNotFoundError` when it is not one."""
        for item in self.items:
            if item.id == item_id:
                return item
        raise RecordNotFoundError("meeting_item", item_id)


@dataclass(frozen=True)
class DecisionRef:
    """Where an activity came from: the meeting, the item and the protocol's name."""

    meeting_id: int
    item_id: int
    item_number: int
    protocol_name: str


@dataclass(frozen=True)
class MeetingQuery:
    """What the list selects: a search in the protocol's text, a school year, a programme."""

    search: str = ""
    year: int | None = None
    """A school year (2022 = 2022/23): meetings from 1 September to 31 August."""
    programme_id: int | None = None


# --- the protocol's wording ----------------------------------------------------------------------


def protocol_name(number: str, meeting_date: str) -> str:
    """«Протокол № 1 от 03.07.2023» (without a number: «Протокол от 03.07.2023»)."""
    number = number.strip()
    named = f"Протокол № {number}" if number else "Протокол"
    return f"{named} от {format_date(meeting_date)}"


def vote_wording(
    unanimous: bool,
    vote_for: int | None,
    vote_against: int | None,
    vote_abstain: int | None,
    note: str = "",
) -> str:
    """The vote as a protocol writes it; empty when no vote is recorded.

    «Голосовали единогласно.»; «Голосовали: «за» – 7, «против» – 0,
    «воздержались» – 0.» (a count not given is left out).
    """
    if unanimous:
        text = "Голосовали единогласно."
    else:
        parts = [
            f"{label} – {value}"
            for label, value in (
                ("«за»", vote_for),
                ("«против»", vote_against),
                ("«воздержались»", vote_abstain),
            )
            if value is not None
        ]
        text = f"Голосовали: {', '.join(parts)}." if parts else ""
    note = note.strip()
    return " ".join(t for t in (text, note) if t)


_POINT = re.compile(r"^\s*(\d+)[.)]\s+", re.MULTILINE)


def decision_points(decided: str) -> tuple[str, ...]:
    """The numbered points of a decision, without their numbers; the whole text if unnumbered.

    «1. Информацию принять к сведению.\\n2. Разместить …» → («Информацию
    принять к сведению.», «Разместить …»).  A line that does not start a point
    continues the point before it.
    """
    text = decided.strip()
    if not text:
        return ()
    starts = list(_POINT.finditer(text))
    if not starts or starts[0].start() != 0:
        return (text,)
    points = []
    for index, match in enumerate(starts):
        end = starts[index + 1].start() if index + 1 < len(starts) else len(text)
        points.append(" ".join(text[match.end() : end].split()))
    return tuple(p for p in points if p)


def initials_first(name: str) -> str:
    """A name as a signature writes it: «Астраханцева О.В.» → «О.В. Астраханцева».

    A name that is not «Фамилия И.О.» is returned as it is.
    """
    match = re.fullmatch(r"\s*(\S+)\s+((?:[А-ЯЁA-Z]\.\s*){1,2})\s*", name)
    if match is None:
        return name.strip()
    return f"{match.group(2).replace(' ', '')} {match.group(1)}"


# --- the repository ------------------------------------------------------------------------------

_SUMMARY_SQL: Final = (
    "SELECT m.id, m.number, m.meeting_date, m.title, m.place, m.programme_id,"
    " ifnull(p.full_name, '') AS chair_name,"
    " (SELECT count(*) FROM meeting_item i WHERE i.meeting_id = m.id) AS item_count,"
    " ifnull((SELECT i.title FROM meeting_item i WHERE i.meeting_id = m.id"
    "         ORDER BY i.position, i.id LIMIT 1), '') AS first_item"
    " FROM meeting m LEFT JOIN person p ON p.id = m.chair_id"
)
# The text a search looks in: the protocol's own words and the names in it.
_SEARCH_SQL: Final = (
    "instr(fold(m.number || ' | ' || m.title || ' | ' || m.place || ' | ' || m.body"
    " || ' | ' || ifnull(p.full_name, '') || ' | ' || ifnull((SELECT group_concat("
    "i.title || ' | ' || i.heard || ' | ' || i.decided || ' | ' || i.responsible, ' | ')"
    " FROM meeting_item i WHERE i.meeting_id = m.id), '') || ' | ' || ifnull(("
    "SELECT group_concat(a.post || ' | ' || a.role_text || ' | ' || pa.full_name, ' | ')"
    " FROM meeting_attendee a JOIN person pa ON pa.id = a.person_id"
    " WHERE a.meeting_id = m.id), '')), :needle) > 0"
)


def _keys(values: Mapping[str, Any], allowed: Sequence[str]) -> dict[str, Any]:
    unknown = [k for k in values if k not in allowed]
    if unknown:
        raise KeyError(unknown[0])
    return dict(values)


def _slot(index: int | None, length: int) -> int:
    """Where ``index`` puts an entry among ``length`` others (None or too large: last)."""
    if index is None or index > length:
        return length
    return max(index, 0)


class MeetingRepository:
    """Meetings, those present and the agenda: reads in a few queries, writes through the log."""

    def __init__(self, log: ChangeLog, roadmap: RoadmapRepository) -> None:
        self.log = log
        self.roadmap = roadmap

    @property
    def conn(self) -> sqlite3.Connection:
        """The connection this thread reads with (the writer inside a change set)."""
        return self.log.reader()

    # --- reading ----------------------------------------------------------------------------------
    def meetings(self, query: MeetingQuery | None = None) -> list[MeetingSummary]:
        """The meetings the query selects, the latest first."""
        query = query or MeetingQuery()
        where: list[str] = []
        params: dict[str, Any] = {}
        if query.search.strip():
            where.append(_SEARCH_SQL)
            params["needle"] = fold(query.search)
        if query.year is not None:
            where.append("m.meeting_date BETWEEN :first AND :last")
            params["first"], params["last"] = school_year_bounds(query.year)
        if query.programme_id is not None:
            where.append("m.programme_id = :programme")
            params["programme"] = query.programme_id
        sql = _SUMMARY_SQL
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY m.meeting_date DESC, m.id DESC"
        return [
            MeetingSummary(
                id=int(r["id"]),
                number=str(r["number"]),
                meeting_date=str(r["meeting_date"]),
                title=str(r["title"]),
                place=str(r["place"]),
                chair_name=str(r["chair_name"]),
                item_count=int(r["item_count"]),
                first_item=str(r["first_item"]),
                programme_id=r["programme_id"],
            )
            for r in self.conn.execute(sql, params)
        ]

    def years(self) -> list[int]:
        """The school years that have meetings, the latest first."""
        days = [str(r[0]) for r in self.conn.execute("SELECT DISTINCT meeting_date FROM meeting")]
        return sorted({school_year_of(date.fromisoformat(d)) for d in days}, reverse=True)

    def meeting(self, meeting_id: int) -> Meeting:
        """The whole protocol; :class:`RecordNotFoundError` when the meeting is gone."""
        conn = self.conn
        row = conn.execute(
            "SELECT m.*, ifnull(c.full_name, '') AS chair_name,"
            " ifnull(s.full_name, '') AS secretary_name"
            " FROM meeting m LEFT JOIN person c ON c.id = m.chair_id"
            " LEFT JOIN person s ON s.id = m.secretary_id WHERE m.id = ?",
            (meeting_id,),
        ).fetchone()
        if row is None:
            raise RecordNotFoundError("meeting", meeting_id)
        office = conn.execute("SELECT office FROM district ORDER BY id LIMIT 1").fetchone()
        attendees = tuple(
            Attendee(
                id=int(a["id"]),
                person_id=int(a["person_id"]),
                name=str(a["full_name"]),
                role=str(a["role_text"]),
                post=str(a["post"]),
                position=int(a["position"]),
            )
            for a in conn.execute(
                "SELECT a.id, a.person_id, p.full_name, a.role_text, a.post, a.position"
                " FROM meeting_attendee a JOIN person p ON p.id = a.person_id"
                " WHERE a.meeting_id = ? ORDER BY a.position, a.id",
                (meeting_id,),
            )
        )
        linked: dict[int, list[LinkedActivity]] = {}
        for a in conn.execute(
            "SELECT a.id, a.number, a.title, a.section_id, s.programme_id, a.meeting_item_id"
            " FROM roadmap_activity a JOIN roadmap_section s ON s.id = a.section_id"
            " JOIN meeting_item i ON i.id = a.meeting_item_id"
            " WHERE i.meeting_id = ? ORDER BY a.id",
            (meeting_id,),
        ):
            linked.setdefault(int(a["meeting_item_id"]), []).append(
                LinkedActivity(
                    id=int(a["id"]),
                    number=str(a["number"]),
                    title=str(a["title"]),
                    section_id=int(a["section_id"]),
                    programme_id=int(a["programme_id"]),
                )
            )
        items = tuple(
            MeetingItem(
                id=int(i["id"]),
                meeting_id=meeting_id,
                position=int(i["position"]),
                title=str(i["title"]),
                heard=str(i["heard"]),
                decided=str(i["decided"]),
                responsible=str(i["responsible"]),
                deadline_text=str(i["deadline_text"]),
                vote_for=i["vote_for"],
                vote_against=i["vote_against"],
                vote_abstain=i["vote_abstain"],
                unanimous=bool(i["unanimous"]),
                vote_note=str(i["vote_note"]),
                activities=tuple(linked.get(int(i["id"]), ())),
            )
            for i in conn.execute(
                "SELECT * FROM meeting_item WHERE meeting_id = ? ORDER BY position, id",
                (meeting_id,),
            )
        )
        return Meeting(
            id=int(row["id"]),
            number=str(row["number"]),
            meeting_date=str(row["meeting_date"]),
            title=str(row["title"]),
            place=str(row["place"]),
            body=str(row["body"]),
            programme_id=row["programme_id"],
            chair_id=row["chair_id"],
            chair_name=str(row["chair_name"]),
            chair_post=str(row["chair_post"]),
            secretary_id=row["secretary_id"],
            secretary_name=str(row["secretary_name"]),
            secretary_post=str(row["secretary_post"]),
            office=str(office[0]) if office is not None else "",
            attendees=attendees,
            items=items,
        )

    def by_number(self, number: str, year: int | None = None) -> Meeting | None:
        """The meeting with protocol ``number`` in school year ``year`` (None: the latest such).

        ``year`` is the school year's first calendar year (2022 = 2022/23),
        as ``--year`` of the command line; None when there is no such meeting.
        """
        sql = "SELECT id FROM meeting WHERE number = :number"
        params: dict[str, Any] = {"number": str(number).strip()}
        if year is not None:
            sql += " AND meeting_date BETWEEN :first AND :last"
            params["first"], params["last"] = school_year_bounds(year)
        row = self.conn.execute(sql + " ORDER BY meeting_date DESC, id DESC", params).fetchone()
        return None if row is None else self.meeting(int(row[0]))

    def last_meeting(self, year: int | None = None) -> Meeting | None:
        """The last meeting (of school year ``year``, when given); None when there is none."""
        listed = self.meetings(MeetingQuery(year=year))
        return self.meeting(listed[0].id) if listed else None

    def item(self, item_id: int) -> MeetingItem:
        """One agenda item with its linked activities."""
        row = self.conn.execute(
            "SELECT meeting_id FROM meeting_item WHERE id = ?", (item_id,)
        ).fetchone()
        if row is None:
            raise RecordNotFoundError("meeting_item", item_id)
        return self.meeting(int(row[0])).item(item_id)

    def decision_of(self, activity_id: int) -> DecisionRef | None:
        """The protocol item a roadmap activity was made from (None when it was not)."""
        row = self.conn.execute(
            "SELECT i.id, i.position, m.id AS meeting_id, m.number, m.meeting_date"
            " FROM roadmap_activity a JOIN meeting_item i ON i.id = a.meeting_item_id"
            " JOIN meeting m ON m.id = i.meeting_id WHERE a.id = ?",
            (activity_id,),
        ).fetchone()
        if row is None:
            return None
        return DecisionRef(
            meeting_id=int(row["meeting_id"]),
            item_id=int(row["id"]),
            item_number=int(row["position"]),
            protocol_name=protocol_name(str(row["number"]), str(row["meeting_date"])),
        )

    # --- meetings ---------------------------------------------------------------------------------
    def add_meeting(self, values: Mapping[str, Any], label: str) -> tuple[ChangeSetInfo, int]:
        """Add a meeting (``meeting_date`` at least); return its change set and id."""
        clean = _keys(values, EDITABLE_MEETING_FIELDS)
        with self.log.change_set(label) as cs:
            meeting_id = cs.insert("meeting", {"meeting_date": None, **clean})
        assert cs.info is not None
        return cs.info, meeting_id

    def update_meeting(
        self, meeting_id: int, values: Mapping[str, Any], label: str
    ) -> ChangeSetInfo | None:
        """Change fields of a meeting (:data:`EDITABLE_MEETING_FIELDS`)."""
        clean = _keys(values, EDITABLE_MEETING_FIELDS)
        with self.log.change_set(label) as cs:
            self._require("meeting", meeting_id)
            cs.update("meeting", meeting_id, clean)
        return cs.info

    def remove_meeting(self, meeting_id: int, label: str) -> ChangeSetInfo:
        """Remove a meeting with those present and its agenda.

        Activities made from its decisions stay in the roadmap; they lose the
        link to the meeting (recorded, so undo restores it).
        """
        with self.log.change_set(label) as cs:
            cs.delete("meeting", meeting_id)
        assert cs.info is not None
        return cs.info

    # --- those present ----------------------------------------------------------------------------
    def add_attendee(
        self,
        meeting_id: int,
        person_id: int,
        label: str,
        *,
        role: str = "",
        post: str = "",
        index: int | None = None,
    ) -> tuple[ChangeSetInfo, int]:
        """List a person among those present (last, or at ``index``); return the row's id."""
        with self.log.change_set(label) as cs:
            self._require("meeting", meeting_id)
            order = self._order("meeting_attendee", meeting_id)
            attendee_id = cs.insert(
                "meeting_attendee",
                {
                    "meeting_id": meeting_id,
                    "person_id": person_id,
                    "role_text": role,
                    "post": post,
                    "position": len(order) + 1,
                },
            )
            order.insert(_slot(index, len(order)), attendee_id)
            self._renumber(cs, "meeting_attendee", order)
        assert cs.info is not None
        return cs.info, attendee_id

    def update_attendee(
        self, attendee_id: int, values: Mapping[str, Any], label: str
    ) -> ChangeSetInfo | None:
        """Change who is listed, the capacity or the post (:data:`EDITABLE_ATTENDEE_FIELDS`)."""
        clean = _keys(values, EDITABLE_ATTENDEE_FIELDS)
        with self.log.change_set(label) as cs:
            self._require("meeting_attendee", attendee_id)
            cs.update("meeting_attendee", attendee_id, clean)
        return cs.info

    def move_attendee(self, attendee_id: int, index: int, label: str) -> ChangeSetInfo | None:
        """Put one of those present at ``index`` (0: first) of the list."""
        with self.log.change_set(label) as cs:
            meeting_id = self._parent("meeting_attendee", attendee_id)
            order = [i for i in self._order("meeting_attendee", meeting_id) if i != attendee_id]
            order.insert(_slot(index, len(order)), attendee_id)
            self._renumber(cs, "meeting_attendee", order)
        return cs.info

    def remove_attendee(self, attendee_id: int, label: str) -> ChangeSetInfo:
        """Take a person off the list of those present."""
        with self.log.change_set(label) as cs:
            meeting_id = self._parent("meeting_attendee", attendee_id)
            cs.delete("meeting_attendee", attendee_id)
            self._renumber(cs, "meeting_attendee", self._order("meeting_attendee", meeting_id))
        assert cs.info is not None
        return cs.info

    # --- the agenda -------------------------------------------------------------------------------
    def add_item(
        self,
        meeting_id: int,
        values: Mapping[str, Any],
        label: str,
        *,
        index: int | None = None,
    ) -> tuple[ChangeSetInfo, int]:
        """Add an agenda item (last, or at ``index``); the items are numbered 1, 2 … again."""
        clean = _keys(values, EDITABLE_ITEM_FIELDS)
        with self.log.change_set(label) as cs:
            self._require("meeting", meeting_id)
            order = self._order("meeting_item", meeting_id)
            item_id = cs.insert(
                "meeting_item", {**clean, "meeting_id": meeting_id, "position": len(order) + 1}
            )
            order.insert(_slot(index, len(order)), item_id)
            self._renumber(cs, "meeting_item", order)
        assert cs.info is not None
        return cs.info, item_id

    def update_item(
        self, item_id: int, values: Mapping[str, Any], label: str
    ) -> ChangeSetInfo | None:
        """Change fields of an item (:data:`EDITABLE_ITEM_FIELDS`).

        The vote's rule sees the row as it will be: ticking «единогласно» and
        clearing the counts is one call.
        """
        clean = _keys(values, EDITABLE_ITEM_FIELDS)
        with self.log.change_set(label) as cs:
            self._require("meeting_item", item_id)
            cs.update("meeting_item", item_id, clean)
        return cs.info

    def move_item(self, item_id: int, index: int, label: str) -> ChangeSetInfo | None:
        """Put an item at ``index`` (0: first) of the agenda; renumber the agenda."""
        with self.log.change_set(label) as cs:
            meeting_id = self._parent("meeting_item", item_id)
            order = [i for i in self._order("meeting_item", meeting_id) if i != item_id]
            order.insert(_slot(index, len(order)), item_id)
            self._renumber(cs, "meeting_item", order)
        return cs.info

    def remove_item(self, item_id: int, label: str) -> ChangeSetInfo:
        """Remove an agenda item; renumber the others.  Activities made from it stay, unlinked."""
        with self.log.change_set(label) as cs:
            meeting_id = self._parent("meeting_item", item_id)
            cs.delete("meeting_item", item_id)
            self._renumber(cs, "meeting_item", self._order("meeting_item", meeting_id))
        assert cs.info is not None
        return cs.info

    # --- a decision becomes an activity -----------------------------------------------------------
    def decision_to_activity(
        self,
        item_id: int,
        section_id: int,
        label: str = "Решение протокола в дорожную карту",
        *,
        text: str | None = None,
        responsible: str | None = None,
        deadline_text: str | None = None,
    ) -> tuple[ChangeSetInfo, int]:
        """Make a roadmap activity of a decision, in one change set; return it and its id.

        The activity is the decision as written — ``text`` (by default the
        whole ПОСТАНОВИЛИ; the panel offers one of its points), ``responsible``
        and ``deadline_text`` (by default the item's) — added last to the
        section through the roadmap's own add path (the deadline read within
        the programme's period, numbered after the section, every roadmap rule
        run).  Its evidence names the protocol («Протокол № 1 от 03.07.2023»),
        and it points back at the meeting and the item.  One undo removes it.
        """
        with self.log.change_set(label) as cs:
            item = self.item(item_id)
            meeting = self.meeting(item.meeting_id)
            section = self.roadmap.section(section_id)
            programme = self.roadmap.programme(section.programme_id)
            draft = ActivityDraft(
                title=(item.decided if text is None else text).strip(),
                responsible=(item.responsible if responsible is None else responsible).strip(),
                deadline_text=(
                    item.deadline_text if deadline_text is None else deadline_text
                ).strip(),
                evidence=meeting.protocol_name,
                meeting_id=meeting.id,
            )
            position = int(
                self.conn.execute(
                    "SELECT count(*) FROM roadmap_activity WHERE section_id = ?", (section_id,)
                ).fetchone()[0]
            )
            (activity_id,) = insert_activities(
                cs,
                section_id,
                section.number,
                [draft],
                period=programme.period,
                first_position=position,
            )
            cs.update("roadmap_activity", activity_id, {"meeting_item_id": item_id})
        assert cs.info is not None
        return cs.info, activity_id

    # --- internals --------------------------------------------------------------------------------
    def _require(self, table: str, row_id: int) -> None:
        if self.conn.execute(f"SELECT 1 FROM {table} WHERE id = ?", (row_id,)).fetchone() is None:
            raise RecordNotFoundError(table, row_id)

    def _parent(self, table: str, row_id: int) -> int:
        row = self.conn.execute(
            f"SELECT meeting_id FROM {table} WHERE id = ?", (row_id,)
        ).fetchone()
        if row is None:
            raise RecordNotFoundError(table, row_id)
        return int(row[0])

    def _order(self, table: str, meeting_id: int) -> list[int]:
        return [
            int(r[0])
            for r in self.conn.execute(
                f"SELECT id FROM {table} WHERE meeting_id = ? ORDER BY position, id", (meeting_id,)
            )
        ]

    @staticmethod
    def _renumber(cs: ChangeSet, table: str, order: Sequence[int]) -> None:
        """Positions 1, 2 … in ``order`` (only the rows whose position changes are written)."""
        cs.update_many(table, [(row_id, {"position": n}) for n, row_id in enumerate(order, 1)])
