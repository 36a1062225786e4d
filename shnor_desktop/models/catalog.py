"""Every module that declares a table's rules, imported once by ``rules.rules_for``.

A new area adds its module here, so its rules run on every write path even
when nothing else imported it yet (the command line, an import in a worker).
"""

from __future__ import annotations

from shnor_desktop.models import (
    assessments,
    district,
    events,
    exchange,
    identification,
    indicators,
    journal,
    meetings,
    report_texts,
    risks,
    roadmap,
    schools,
    settings,
)

__all__ = [
    "assessments",
    "district",
    "events",
    "exchange",
    "identification",
    "indicators",
    "journal",
    "meetings",
    "report_texts",
    "risks",
    "roadmap",
    "schools",
    "settings",
]
