"""Assessment results (ВПР, ОГЭ, ЕГЭ, ГВЭ, РПР): the fields of a result row and their rules.

One row is one school × school year × procedure × subject × grade, with the
counts of pupils due, participants and marks «2»–«5» (DESIGN.md §2).  The
rules run on every write path (a form, an import, the command line).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from shnor_desktop.models import rules
from shnor_desktop.models.fields import FieldIssue, FieldSpec
from shnor_desktop.models.schema import PROCEDURES

_SECTION = "Результаты"

ASSESSMENT_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("school_id", "school", _SECTION, "Школа", required=True),
    FieldSpec("year", "int", _SECTION, "Учебный год", required=True, minimum=1990, maximum=2100),
    FieldSpec("procedure", "choice", _SECTION, "Процедура", required=True, choices=PROCEDURES),
    FieldSpec("subject", "text", _SECTION, "Предмет", required=True),
    FieldSpec("grade", "int", _SECTION, "Класс", required=True, minimum=1, maximum=11),
    FieldSpec("pupils_due", "count", _SECTION, "Должны были участвовать", "чел."),
    FieldSpec("participants", "count", _SECTION, "Участвовали", "чел.", required=True),
    FieldSpec("n2", "count", _SECTION, "Отметка «2»", "чел."),
    FieldSpec("n3", "count", _SECTION, "Отметка «3»", "чел."),
    FieldSpec("n4", "count", _SECTION, "Отметка «4»", "чел."),
    FieldSpec("n5", "count", _SECTION, "Отметка «5»", "чел."),
    FieldSpec("mean_score", "real", _SECTION, "Средний балл"),
    FieldSpec("below_minimum", "count", _SECTION, "Ниже минимального порога", "чел."),
    FieldSpec("vpr_lowered", "count", _SECTION, "Понизили отметку по журналу", "чел."),
    FieldSpec("vpr_confirmed", "count", _SECTION, "Подтвердили отметку по журналу", "чел."),
    FieldSpec("vpr_raised", "count", _SECTION, "Повысили отметку по журналу", "чел."),
)

_MARKS = ("n2", "n3", "n4", "n5")  # marks «2»..«5»


def result_warnings(row: Mapping[str, Any]) -> list[FieldIssue]:
    """What a result row's figures say against each other (warnings, never refusals).

    The marks should add up to the participants and the participants should
    not pass the pupils due; a document may break either (a pupil absent from
    one part, a list drawn up on another date), so the figures stay as typed
    or imported and the user sees the warning beside them.
    """
    issues: list[FieldIssue] = []
    participants = row.get("participants")
    marks = [row.get(name) for name in _MARKS]
    if participants is not None and any(m is not None for m in marks):
        total = sum(m or 0 for m in marks)
        if total != participants:
            issues.append(
                FieldIssue(
                    "participants",
                    "marks_differ_participants",
                    "warning",
                    (total, participants),
                    "assessment",
                )
            )
    due = row.get("pupils_due")
    if due is not None and participants is not None and participants > due:
        issues.append(
            FieldIssue(
                "participants",
                "participants_over_due",
                "warning",
                (participants, due),
                "assessment",
            )
        )
    return issues


# The warnings never refuse a write, so they are not a row rule of the write
# path (an import of 2 million rows would compute them for nothing); the screens
# and an import preview call :func:`result_warnings` on the rows they show.
rules.register("assessment", ASSESSMENT_FIELDS)
