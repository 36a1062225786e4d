"""«Протокол заседания»: one meeting as the protocol document (seed 004's protocol).

№ and date, the chair and the secretary, those present under their
capacities, the agenda, then for each item СЛУШАЛИ / ПОСТАНОВИЛИ with the
decision's terms and the vote, and the signatures of the chair and the
secretary.  By default the last meeting of the school year.
"""

from __future__ import annotations

from shnor_desktop.models.database import Database
from shnor_desktop.models.jobs import JobState
from shnor_desktop.models.meetings import initials_first
from shnor_desktop.services.reports import common as k
from shnor_desktop.services.reports import content as c
from shnor_desktop.services.reports.errors import ReportInputError
from shnor_desktop.services.reports.settings import letterhead


def build(  # noqa: PLR0912, PLR0915 (the protocol's parts in order)
    db: Database, params: k.ReportParams, state: JobState
) -> c.Document:
    """The protocol of meeting ``params.meeting`` (default: the last one of ``params.year``)."""
    if params.meeting:
        meeting = db.meetings.by_number(params.meeting, params.year)
        if meeting is None:
            raise ReportInputError("no_meeting", params.meeting)
    else:
        meeting = db.meetings.last_meeting(params.year)
        if meeting is None:
            when = f" в {k.year_label(params.year)} учебном году" if params.year else ""
            raise ReportInputError("no_meetings", when)
    state.set_status("Протокол заседания")
    head = letterhead(db)
    if meeting.office:
        head = c.Letterhead(meeting.office, head.address, head.contacts, "", "")
    number = meeting.number.strip()
    doc = c.Document(
        kind="protocol",
        title=f"ПРОТОКОЛ № {number}" if number else "ПРОТОКОЛ",
        subtitle=meeting.title,
        letterhead=head,
        number=params.number or number,
        date=params.date or meeting.day,
        running_title=meeting.protocol_name,
    )
    if meeting.place:
        doc.add(c.Paragraph(f"Место проведения: {meeting.place}", "lead"))
    if meeting.chair_name:
        post = f" – {meeting.chair_post}" if meeting.chair_post else ""
        doc.add(c.Paragraph(f"Председатель: {meeting.chair_name}{post}", "lead"))
    if meeting.secretary_name:
        post = f" – {meeting.secretary_post}" if meeting.secretary_post else ""
        doc.add(c.Paragraph(f"Секретарь: {meeting.secretary_name}{post}", "lead"))
    if meeting.attendees:
        doc.add(c.Paragraph("Присутствовали:", "bold"))
        for role, people in meeting.attendee_groups():
            if role:
                doc.add(c.Paragraph(f"{role}:", "lead"))
            doc.add(c.Bullets(tuple(f"{p.name}{f' – {p.post}' if p.post else ''}" for p in people)))
    if meeting.body:
        doc.add(c.Paragraph(meeting.body))
    doc.add(c.Heading("ПОВЕСТКА ДНЯ", 1))
    for item in meeting.items:
        doc.add(c.Paragraph(f"{item.number}. {item.title}", "lead"))
    for item in meeting.items:
        state.check()
        doc.add(c.Heading(f"{item.number}. СЛУШАЛИ:", 2))
        doc.add(c.Paragraph(item.heard or item.title))
        doc.add(c.Paragraph("ПОСТАНОВИЛИ:", "bold"))
        for index, point in enumerate(item.points, start=1):
            doc.add(c.Paragraph(f"{index}. {point}" if len(item.points) > 1 else point, "lead"))
        terms = []
        if item.responsible:
            terms.append(f"Ответственные: {item.responsible}.")
        if item.deadline_text:
            terms.append(f"Срок: {item.deadline_text}.")
        if terms:
            doc.add(c.Paragraph(" ".join(terms), "lead"))
        if item.vote_text:
            doc.add(c.Paragraph(item.vote_text, "lead"))
    signers = []
    if meeting.chair_name:
        signers.append(("Председатель", initials_first(meeting.chair_name)))
    if meeting.secretary_name:
        signers.append(("Секретарь", initials_first(meeting.secretary_name)))
    if not signers:
        signers.append(("Председатель", ""))
    doc.signature = c.Signature(tuple(signers))
    return doc
