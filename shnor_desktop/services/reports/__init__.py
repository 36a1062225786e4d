"""The reports an official signs: PDF (reportlab) and, for two kinds, DOCX (python-docx).

Kinds (``KINDS``): ``passport`` (one school, one year, with its dynamics),
``annual`` (the roadmap fulfilment report of a school year, seed 004's
structure), ``results`` (the analytical note on ВПР / ОГЭ / ЕГЭ), ``journal``
(the tutor journal of a period) and ``protocol`` (one meeting).

:func:`build_report` is the one entry of the command line, the window and
the benchmarks: it gathers the figures into a neutral document
(``content.py``) and writes it as PDF or DOCX by the file's suffix, to the
final path atomically.  It takes a :class:`~shnor_desktop.models.jobs.JobState`
for progress and Cancel.  Heavy libraries are imported when a report is built.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Final

from shnor_desktop.models.jobs import JobState
from shnor_desktop.services.reports.common import ReportParams
from shnor_desktop.services.reports.errors import ReportInputError

if TYPE_CHECKING:
    from shnor_desktop.models.database import Database
    from shnor_desktop.services.reports.content import Document

__all__ = [
    "DOCX_KINDS",
    "KINDS",
    "KIND_TITLES",
    "ReportInputError",
    "ReportParams",
    "ReportResult",
    "build_document",
    "build_report",
]

KINDS: Final = ("passport", "annual", "results", "journal", "protocol")
KIND_TITLES: Final = {
    "annual": "Отчёт о выполнении дорожной карты за учебный год",
    "results": "Аналитическая справка о результатах ВПР, ОГЭ и ЕГЭ",
    "passport": "Паспорт школы",
    "journal": "Журнал тьюторов за период",
    "protocol": "Протокол заседания",
}
"""Russian names of the kinds (in the order the window offers them)."""
DOCX_KINDS: Final = frozenset({"annual", "results"})
"""Kinds also written as an editable Word file."""


@dataclass(frozen=True)
class ReportResult:
    """What was written: the file, its format, its pages (PDF) and how long it took."""

    path: Path
    kind: str
    format: str
    pages: int
    seconds: float
    title: str


def build_document(kind: str, db: Database, params: ReportParams, state: JobState) -> Document:
    """Gather the figures of a report into its document (no file written)."""
    if kind == "passport":
        from shnor_desktop.services.reports import passport as module
    elif kind == "annual":
        from shnor_desktop.services.reports import annual as module  # type: ignore[no-redef]
    elif kind == "results":
        from shnor_desktop.services.reports import results_note as module  # type: ignore[no-redef]
    elif kind == "journal":
        from shnor_desktop.services.reports import journal as module  # type: ignore[no-redef]
    elif kind == "protocol":
        from shnor_desktop.services.reports import protocol as module  # type: ignore[no-redef]
    else:
        raise ReportInputError("unknown_kind", kind, ", ".join(KINDS))
    return module.build(db, params, state)


def build_report(
    kind: str,
    db_path: Path | Database,
    out: Path,
    params: ReportParams | None = None,
    state: JobState | None = None,
) -> ReportResult:
    """Build the report ``kind`` of the database into ``out`` (.pdf, or .docx for two kinds).

    ``db_path`` is a database file (opened and closed here) or an open
    :class:`Database` (read through the calling thread's own connection).
    Raises :class:`ReportInputError` (worded in ``errors.py``) when the report
    cannot be built; a Cancel raises ``Cancelled``.  Nothing is left at
    ``out`` unless the whole file was written.
    """
    from shnor_desktop.models.database import Database

    started = time.perf_counter()
    params = params or ReportParams()
    state = state or JobState()
    out = Path(out)
    suffix = out.suffix.lower()
    if suffix not in (".pdf", ".docx"):
        raise ReportInputError("bad_format", out.suffix or out.name)
    if kind not in KINDS:
        raise ReportInputError("unknown_kind", kind, ", ".join(KINDS))
    if suffix == ".docx" and kind not in DOCX_KINDS:
        raise ReportInputError("docx_kind", KIND_TITLES.get(kind, kind))
    if not out.parent.exists():
        raise ReportInputError("out_dir_missing", out.parent)
    own = not isinstance(db_path, Database)
    db = Database.open(Path(db_path)) if not isinstance(db_path, Database) else db_path
    try:
        state.progress(0, 0, "Сбор данных для отчёта…")
        document = build_document(kind, db, params, state)
    finally:
        if own:
            db.close()
    state.check()
    state.set_status("Запись файла…")
    if suffix == ".pdf":
        from shnor_desktop.services.reports.pdf import write_pdf

        pages = write_pdf(document, out, state).pages
    else:
        from shnor_desktop.services.reports.docx_writer import write_docx

        write_docx(document, out, state)
        pages = 0
    return ReportResult(
        path=out,
        kind=kind,
        format=suffix[1:],
        pages=pages,
        seconds=time.perf_counter() - started,
        title=document.title,
    )
