"""The exchange with the schools in the domain: a school's report on its roadmap activities.

A roadmap activity often concerns several schools (a group, or named
schools), and each of them reports its own part of it in the workbook it
sends back: the status, the progress in percent and the evidence (a
document, a protocol №).  ``activity_report`` keeps that word per activity,
school and school year; the activity's own status stays the coordinator's.

The fields are declared here once with the same specs as the activity's
status, progress and evidence (``models/roadmap.py``), so a value the roadmap
screen refuses is refused in a workbook too.  Import batches themselves
(``import_batch``) are bookkeeping beside the change log, written by
``services/exchange/importer.py`` in the same transaction as the change set
they describe.
"""

from __future__ import annotations

from typing import Final

from shnor_desktop.models import rules
from shnor_desktop.models.fields import FieldSpec
from shnor_desktop.models.roadmap import ACTIVITY_FIELD_BY_NAME

_SECTION = "Отчёт школы"

REPORT_FIELDS: Final[tuple[FieldSpec, ...]] = (
    FieldSpec("activity_id", "ref", _SECTION, "Мероприятие", required=True),
    FieldSpec("school_id", "school", _SECTION, "Школа", required=True),
    FieldSpec("year", "int", _SECTION, "Учебный год", required=True, minimum=1990, maximum=2100),
    ACTIVITY_FIELD_BY_NAME["status"],
    ACTIVITY_FIELD_BY_NAME["progress"],
    ACTIVITY_FIELD_BY_NAME["evidence"],
)
"""The fields of a school's report on an activity (status, progress, evidence as the activity's)."""

REPORT_FIELD_BY_NAME: Final = {spec.name: spec for spec in REPORT_FIELDS}

rules.register("activity_report", REPORT_FIELDS)
