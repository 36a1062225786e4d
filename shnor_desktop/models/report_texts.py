"""Texts the coordinator writes for a report (the conclusions of the annual report).

One row of ``report_text`` per kind of report, school year and key; written
through the change log, so «Отменить» takes an edit back and the history
shows it.  An emptied text deletes its row.
"""

from __future__ import annotations

from typing import Final

from shnor_desktop.models import rules
from shnor_desktop.models.changelog import ChangeLog, ChangeSetInfo
from shnor_desktop.models.fields import FieldSpec

CONCLUSIONS: Final = "conclusions"
"""The key of the coordinator's conclusions and proposals."""

_AREA: Final = "Отчёты"

rules.register(
    "report_text",
    (
        FieldSpec("kind", "text", _AREA, "Вид отчёта", required=True),
        FieldSpec("year", "int", _AREA, "Учебный год", minimum=1990, maximum=2100),
        FieldSpec("key", "text", _AREA, "Раздел", required=True),
        FieldSpec("body", "text", _AREA, "Текст"),
    ),
    (),
)


class ReportTextRepository:
    """Reads and writes the texts of the reports."""

    def __init__(self, log: ChangeLog) -> None:
        self.log = log

    def _row(self, kind: str, year: int | None, key: str) -> tuple[int, str] | None:
        row = (
            self.log.reader()
            .execute(
                "SELECT id, body FROM report_text"
                " WHERE kind = ? AND ifnull(year, 0) = ? AND key = ?",
                (kind, year or 0, key),
            )
            .fetchone()
        )
        return None if row is None else (int(row[0]), str(row[1]))

    def get(self, kind: str, year: int | None, key: str = CONCLUSIONS) -> str:
        """The text (empty when none was written)."""
        row = self._row(kind, year, key)
        return "" if row is None else row[1]

    def set(
        self, kind: str, year: int | None, body: str, label: str, key: str = CONCLUSIONS
    ) -> ChangeSetInfo | None:
        """Store the text; return what changed (None when it was the same)."""
        clean = body.strip()
        with self.log.change_set(label) as cs:
            row = self._row(kind, year, key)
            if row is None:
                if clean:
                    cs.insert(
                        "report_text", {"kind": kind, "year": year, "key": key, "body": clean}
                    )
            elif not clean:
                cs.delete("report_text", row[0])
            elif row[1] != clean:
                cs.update("report_text", row[0], {"body": clean})
        return cs.info
