"""Why a report was not built: typed errors with their Russian wording.

``services/messages.py::describe_error`` words them through
:func:`describe_report_error`, so the command line and the window say the same.
"""

from __future__ import annotations

from typing import Final

from shnor_desktop.models.errors import DomainError


class ReportInputError(DomainError):
    """The report cannot be built from what was asked (no such school, no data …).

    ``code`` names the case (see :data:`MESSAGES`); ``details`` fill its wording.
    """

    def __init__(self, code: str, *details: object) -> None:
        super().__init__(code, *details)
        self.code = code
        self.details = details


MESSAGES: Final[dict[str, str]] = {
    "unknown_kind": "Неизвестный вид отчёта «{0}». Возможные: {1}.",
    "school_required": "Для паспорта школы укажите школу: --school КОД.",
    "unknown_school": "Школы с кодом «{0}» в базе нет.",
    "no_data": "В базе нет данных для отчёта: заполните паспорта школ и результаты.",
    "no_passport": "У школы «{0}» нет паспорта за {1} учебный год.",
    "no_results": "В базе нет результатов оценочных процедур за {0} учебный год.",
    "no_district": "В базе не заполнены сведения о районе (раздел «Район»).",
    "no_meeting": "Заседания № {0} в базе нет.",
    "no_meetings": "В базе нет заседаний{0}.",
    "bad_format": "Отчёт можно сохранить только в PDF или DOCX (указано «{0}»).",
    "docx_kind": "В формате Word (DOCX) сохраняются только годовой отчёт и аналитическая справка;"
    " отчёт «{0}» сохраните в PDF.",
    "out_dir_missing": "Папки «{0}» нет: отчёт не записан.",
    "bad_period": "Начало периода ({0}) позже его конца ({1}).",
}


def describe_report_error(exc: ReportInputError) -> str:
    """The Russian sentence for the error."""
    template = MESSAGES.get(exc.code)
    if template is None:
        return f"Отчёт не построен ({exc.code})."
    return template.format(*(str(d) for d in exc.details), *([""] * 3))
