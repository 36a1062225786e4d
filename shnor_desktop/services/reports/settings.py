"""The letterhead of the reports: settings of the database, declared here.

The office's name, address and contacts and the person who signs are
settings (``models/settings.py``): written through the change log, undone
and backed up like any figure.  An empty setting falls back to the
district's own record (its office; the coordinator as the signer), so a
new database prints a sensible letterhead before anyone fills them in.
The number and date of a document are asked per report, not kept.
"""

from __future__ import annotations

from typing import Any, Final

from shnor_desktop.models.database import Database
from shnor_desktop.models.fields import FieldSpec, check_value
from shnor_desktop.models.settings import SettingSpec, declare
from shnor_desktop.services.reports.content import Letterhead

MAX_LENGTH: Final = 400


def _text_check(key: str) -> Any:
    spec = FieldSpec(key, "text", "Отчёты", key)

    def check(value: Any) -> str:
        text = check_value(spec, "" if value is None else str(value))
        return " ".join(str(text or "").split())[:MAX_LENGTH]

    return check


OFFICE = declare(
    SettingSpec("reports.office", "Наименование органа (бланк отчётов)", "", _text_check("office"))
)
ADDRESS = declare(
    SettingSpec("reports.address", "Адрес (бланк отчётов)", "", _text_check("address"))
)
CONTACTS = declare(
    SettingSpec(
        "reports.contacts", "Телефон, эл. почта (бланк отчётов)", "", _text_check("contacts")
    )
)
SIGNER_POSITION = declare(
    SettingSpec(
        "reports.signer_position",
        "Должность подписывающего отчёты",
        "",
        _text_check("signer_position"),
    )
)
SIGNER_NAME = declare(
    SettingSpec(
        "reports.signer_name", "Подписывающий отчёты (И.О. Фамилия)", "", _text_check("signer_name")
    )
)
LETTERHEAD_SETTINGS: Final = (OFFICE, ADDRESS, CONTACTS, SIGNER_POSITION, SIGNER_NAME)
"""In the order the «Бланк» form shows them."""

DEFAULT_POSITION: Final = "Муниципальный координатор"


def signature_name(full_name: str) -> str:
    """«Астраханцева О.В.» → «О.В. Астраханцева» (initials before the surname, as signed)."""
    parts = full_name.split()
    if len(parts) == 2 and parts[1].count(".") >= 1 and parts[1].endswith("."):
        return f"{parts[1]} {parts[0]}"
    if len(parts) == 3 and all(p[:1].isupper() for p in parts):
        return f"{parts[1][0]}.{parts[2][0]}. {parts[0]}"
    return full_name


def letterhead(db: Database) -> Letterhead:
    """The letterhead of the database's reports (settings, else the district's record)."""
    settings = db.settings
    district = db.district.district()
    office = (
        settings.get(OFFICE)
        or (district.office if district else "")
        or (district.name if district else "Управление образованием")
    )
    position = settings.get(SIGNER_POSITION)
    name = settings.get(SIGNER_NAME)
    if not name and district is not None:
        if district.head_of_office:
            name = signature_name(district.head_of_office)
            position = position or "Начальник управления образованием"
        elif district.coordinator:
            name = signature_name(district.coordinator)
    return Letterhead(
        office=str(office),
        address=str(settings.get(ADDRESS)),
        contacts=str(settings.get(CONTACTS)),
        signer_position=str(position or DEFAULT_POSITION),
        signer_name=str(name or ""),
    )
