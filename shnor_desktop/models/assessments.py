"""Assessment results (ВПР, ОГЭ, ЕГЭ, ГВЭ, РПР): the fields of a result row and their rules.

One row is one school × school year × procedure × subject × grade, with the
counts of pupils due, participants and marks «2»–«5» (DESIGN.md §2).  The
rules run on every write path (a form, an import, the command line).
"""

from __future__ import annotations

from collections.abc import Iterable

from shnor_desktop.models import rules
from shnor_desktop.models.fields import FieldIssue, FieldSpec
from shnor_desktop.models.rules import RowContext
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


def _marks_rule(ctx: RowContext) -> Iterable[FieldIssue]:
    """Marks cannot add up to more pupils than took part; participants not more than due."""
    if not ctx.changed.intersection((*_MARKS, "participants", "pupils_due")):
        return
    row = ctx.row
    participants = row.get("participants")
    get = row.get
    marks = (get("n2") or 0) + (get("n3") or 0) + (get("n4") or 0) + (get("n5") or 0)
    if participants is not None and marks > participants:
        yield FieldIssue("participants", "marks_over_participants", "error", (marks, participants))
    due = row.get("pupils_due")
    if due is not None and participants is not None and participants > due:
        yield FieldIssue("participants", "participants_over_due", "error", (participants, due))


rules.register("assessment", ASSESSMENT_FIELDS, [_marks_rule])
