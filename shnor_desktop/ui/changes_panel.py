"""The change log page: every change set, newest first; its details; reverting one.

The list reads the log lazily (a page of sets at a time, older pages as the
user scrolls), so a log of 100,000 sets opens at once.  A newly committed set
is inserted at the top, and the few older sets whose «reverted by» marks it
changed (the chain of sets it reverts) are re-read and updated in place:
the selection and the scroll position stay where they were.

The details of a set name each record the way the user knows it and each
field by its form label, with the values before and after in Russian
format.  Reverting a large set runs in the background with progress and
«Отмена»; a refused or cancelled revert leaves the database as it was.
"""

from __future__ import annotations

import sqlite3
from bisect import bisect_left
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import (
    QCoreApplication,
    QItemSelection,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QAction, QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from shnor_desktop.models.assessments import ASSESSMENT_FIELDS
from shnor_desktop.models.changelog import ChangeLog, ChangeSetInfo
from shnor_desktop.models.database import Database
from shnor_desktop.models.district import (
    DISTRICT_SPECS,
    DISTRICT_YEAR_SPECS,
    PERSON_ROLE_SPECS,
    PERSON_SPECS,
    ROLE_LABELS,
)
from shnor_desktop.models.errors import (
    AlreadyRevertedError,
    Cancelled,
    DomainError,
    RevertConflictError,
)
from shnor_desktop.models.exchange import REPORT_FIELDS
from shnor_desktop.models.fields import FieldSpec
from shnor_desktop.models.meetings import ATTENDEE_FIELDS, ITEM_FIELDS, MEETING_FIELDS
from shnor_desktop.models.roadmap import (
    ACTIVITY_FIELDS,
    CONCERN_FIELDS,
    INTERVAL_FIELDS,
    SECTION_FIELDS,
)
from shnor_desktop.models.schema import DERIVED
from shnor_desktop.models.schools import (
    GROUP_LABELS,
    PROFILE_FIELDS,
    PROFILE_KEY_FIELDS,
    SCHOOL_FIELDS,
)
from shnor_desktop.models.settings import spec_of
from shnor_desktop.models.text import (
    format_date,
    format_number,
    format_timestamp,
    school_year_label,
)
from shnor_desktop.services.messages import TABLE_NAMES, describe_error
from shnor_desktop.ui.common import DataBus, Panel
from shnor_desktop.ui.messages import ask_yes_no, show_warning
from shnor_desktop.ui.runner import BackgroundTask
from shnor_desktop.ui.school_models import change_kind_label
from shnor_desktop.ui.table_model import Column, RecordTableModel

AnyIndex = QModelIndex | QPersistentModelIndex

#: A revert of more rows than this runs in a worker with progress and «Отмена».
BACKGROUND_ROWS = 2000
#: The details of a set list at most this many records.
DETAILS_LIMIT = 1000


def _tr(text: str) -> str:
    return QCoreApplication.translate("changes", text)


# --- names of tables and fields --------------------------------------------------------

# The form fields of each table, with the translation context of their labels.
_SPECS: dict[str, tuple[str, tuple[FieldSpec, ...]]] = {
    "school": ("passport", SCHOOL_FIELDS),
    "school_profile": ("passport", (*PROFILE_KEY_FIELDS, *PROFILE_FIELDS)),
    "district": ("district", DISTRICT_SPECS),
    "district_year": ("district", DISTRICT_YEAR_SPECS),
    "person": ("district", PERSON_SPECS),
    "person_role": ("district", PERSON_ROLE_SPECS),
    "assessment": ("changes", ASSESSMENT_FIELDS),
    "roadmap_section": ("roadmap", SECTION_FIELDS),
    "roadmap_activity": ("roadmap", ACTIVITY_FIELDS),
    "roadmap_interval": ("roadmap", INTERVAL_FIELDS),
    "roadmap_concern": ("roadmap", CONCERN_FIELDS),
    # A school's report on an activity, as the exchange imports it.
    "activity_report": ("roadmap", REPORT_FIELDS),
    "meeting": ("MeetingsPanel", MEETING_FIELDS),
    "meeting_attendee": ("MeetingsPanel", ATTENDEE_FIELDS),
    "meeting_item": ("MeetingsPanel", ITEM_FIELDS),
}
_SPEC_BY_NAME: dict[str, dict[str, FieldSpec]] = {
    table: {spec.name: spec for spec in specs} for table, (_, specs) in _SPECS.items()
}

# Labels of the columns no form edits yet (source strings, context "changes").
_COLUMN_LABELS: dict[str, dict[str, str]] = {
    "programme": {
        "district_id": "Район",
        "title": "Наименование",
        "kind": "Вид документа",
        "start_year": "Год начала",
        "end_year": "Год окончания",
        "order_number": "Номер приказа",
        "order_date": "Дата приказа",
        "approved_by": "Кем утверждена",
    },
    "person_role": {"since": "Действует с", "until": "Действует по"},
    "setting": {"key": "Настройка", "value": "Значение"},
    "meeting": {
        "programme_id": "Программа",
        "number": "Номер протокола",
        "meeting_date": "Дата заседания",
        "title": "Название",
        "body": "Текст протокола",
        "chair_id": "Председатель",
        "place": "Место",
    },
    "meeting_attendee": {
        "meeting_id": "Заседание",
        "person_id": "Участник",
        "role_text": "В качестве",
    },
    "meeting_item": {
        "meeting_id": "Заседание",
        "position": "Номер вопроса",
        "title": "Вопрос",
        "heard": "Слушали",
        "decided": "Постановили",
        "vote_for": "Голосовали «за»",
        "vote_against": "Голосовали «против»",
        "vote_abstain": "Воздержались",
        "vote_note": "Итоги голосования",
    },
    "indicator": {
        "programme_id": "Программа",
        "parent_id": "Входит в показатель",
        "code": "Номер",
        "name": "Наименование",
        "unit": "Единица измерения",
        "direction": "Направление",
        "baseline": "Базовое значение",
        "baseline_year": "Базовый год",
        "formula": "Формула",
        "source_note": "Источник данных",
        "frequency": "Периодичность",
    },
    "indicator_value": {
        "indicator_id": "Показатель",
        "year": "Год",
        "school_id": "Школа",
        "plan": "План",
        "actual": "Факт",
    },
    "roadmap_section": {
        "programme_id": "Программа",
        "number": "Номер",
        "title": "Наименование",
        "position": "Порядок",
    },
    "roadmap_activity": {
        "meeting_item_id": "Решение протокола",
        "section_id": "Раздел",
        "number": "Номер",
        "title": "Мероприятие",
        "responsible": "Ответственные",
        "deadline_text": "Срок",
        "expected_result": "Ожидаемый результат",
        "planned_value": "Плановое значение",
        "status": "Состояние",
        "evidence": "Подтверждение",
        "position": "Порядок",
    },
    "roadmap_interval": {
        "activity_id": "Мероприятие",
        "start_date": "Начало",
        "end_date": "Окончание",
    },
    "tutor_visit": {
        "visit_date": "Дата",
        "tutor_id": "Тьютор",
        "school_id": "Школа",
        "form": "Форма",
        "topic": "Тема",
        "participants": "Участников",
        "findings": "Выявленные дефициты",
        "recommendations": "Рекомендации",
        "due_date": "Срок выполнения",
        "follow_up_status": "Выполнение рекомендаций",
        "follow_up_note": "Примечание о выполнении",
    },
    "event": {
        "event_date": "Дата",
        "kind": "Вид",
        "topic": "Тема",
        "audience": "Участники",
        "coverage": "Охват",
        "organiser": "Организатор",
        "place": "Место",
    },
    "risk_factor": {
        "code": "Код",
        "name": "Наименование",
        "since_year": "Действует с",
        "until_year": "Действует по",
    },
    "school_risk": {
        "school_id": "Школа",
        "year": "Учебный год",
        "risk_factor_id": "Фактор риска",
        "level": "Уровень",
        "measures": "Антирисковые меры",
    },
    "import_batch": {
        "file_name": "Файл",
        "sha256": "Контрольная сумма",
        "imported_at": "Загружен",
        "change_set_id": "Набор изменений",
        "status": "Состояние",
        "summary": "Итог",
    },
}
_COMMON_LABELS: dict[str, str] = {
    "source": "Источник",
    "notes": "Примечания",
    "year": "Год",
    "school_id": "Школа",
    "person_id": "Человек",
    "district_id": "Район",
}

# Columns that hold the id of a row of another table.
_REFERENCES: dict[str, str] = {
    "school_id": "school",
    "mentor_school_id": "school",
    "person_id": "person",
    "curator_id": "person",
    "tutor_id": "person",
    "chair_id": "person",
    "secretary_id": "person",
    "meeting_item_id": "meeting_item",
    "district_id": "district",
    "programme_id": "programme",
    "meeting_id": "meeting",
    "section_id": "roadmap_section",
    "activity_id": "roadmap_activity",
    "indicator_id": "indicator",
    "risk_factor_id": "risk_factor",
    "change_set_id": "change_set",
}

# Columns kept by the program for itself: not shown as a record's values.
_INTERNAL_COLUMNS = frozenset({"id", "generated_fields", "source"})
# Tables whose «year» is the first year of a school year (2022 → «2022/23»).
_SCHOOL_YEAR_TABLES = frozenset(
    {"school_profile", "district_year", "assessment", "school_risk", "activity_report"}
)
# Units written after a figure (words that change with the number are left out).
_SHOWN_UNITS = frozenset({"%", "км", "чел.", "Мбит/с"})

# Codes of choice columns with their Russian names (source strings, context "changes").
_CHOICES: dict[str, dict[str, str]] = {
    "status": {
        "planned": "запланировано",
        "in_progress": "выполняется",
        "done": "выполнено",
        "partly": "выполнено частично",
        "not_done": "не выполнено",
        "cancelled": "отменено",
        "applied": "применено",
        "rolled_back": "откачено",
        "rejected": "отклонено",
    },
    "follow_up_status": {
        "open": "не начато",
        "in_progress": "в работе",
        "done": "выполнено",
        "overdue": "просрочено",
        "not_required": "не требуется",
    },
    "direction": {"higher": "чем больше, тем лучше", "lower": "чем меньше, тем лучше"},
    "deadline_kind": {
        "date": "к сроку (один день)",
        "period": "период",
        "recurring": "повторяется",
        "continuous": "постоянно",
        "on_demand": "по запросу",
        "unknown": "не распознан",
    },
}


def table_label(table: str) -> str:
    """The Russian name of a table of the database, as the sections of the program are named."""
    labels = {
        "district": _tr("Район"),
        "district_year": _tr("Показатели района по годам"),
        "programme": _tr("Программа"),
        "school": _tr("Школы"),
        "school_profile": _tr("Паспорта школ"),
        "activity_report": _tr("Отчёты школ о мероприятиях"),
        "person": _tr("Люди"),
        "person_role": _tr("Роли людей"),
        "assessment": _tr("Результаты оценочных процедур"),
    }
    if table in labels:
        return labels[table]
    name = TABLE_NAMES.get(table)
    return name[:1].upper() + name[1:] if name else table


def field_spec(table: str, column: str) -> FieldSpec | None:
    """The form field of a column (None for a column no form edits)."""
    return _SPEC_BY_NAME.get(table, {}).get(column)


def column_label(table: str, column: str) -> str:
    """The Russian name of a field, as the forms show it."""
    spec = field_spec(table, column)
    if spec is not None:
        return QCoreApplication.translate(_SPECS[table][0], spec.label)
    label = _COLUMN_LABELS.get(table, {}).get(column) or _COMMON_LABELS.get(column)
    return _tr(label) if label else column


def _shown_columns(table: str, values: Mapping[str, Any]) -> list[str]:
    """The columns of ``values`` worth showing: not internal, not derived search keys."""
    derived = DERIVED.get(table)
    hidden = _INTERNAL_COLUMNS | ({derived[0]} if derived else set())
    return [c for c in values if c not in hidden]


# --- records and values the user's way ---------------------------------------------------


def _gone(table: str, row_id: int) -> str:
    return (
        _tr("запись №%1 («%2»), которой больше нет")
        .replace("%1", str(row_id))
        .replace("%2", table_label(table))
    )


def _name_of(db: Database, table: str, row_id: Any) -> str:
    """A short name of a referenced row: a school's short name, a person's full name."""
    if row_id is None:
        return ""
    try:
        key = int(row_id)
    except (TypeError, ValueError):
        return str(row_id)
    if table == "change_set":
        return _tr("набор №%1").replace("%1", str(key))
    row = db.log.read_row(table, key)
    if row is None:
        return _tr("№%1 (удалена)").replace("%1", str(key))
    for column in ("short_name", "full_name", "name", "title", "topic"):
        if row.get(column):
            return str(row[column])
    if table == "meeting":
        return _meeting_name(row)
    return f"№{key}"


def _meeting_name(row: Mapping[str, Any]) -> str:
    return (
        _tr("заседание №%1 от %2")
        .replace("%1", str(row.get("number") or row.get("id")))
        .replace("%2", format_date(row.get("meeting_date")))
    )


def describe_record(  # noqa: PLR0911 (one wording per table)
    db: Database, table: str, row_id: int, row: Mapping[str, Any] | None = None
) -> str:
    """Name a record the way the user knows it: «паспорт школы … за 2022/23 учебный год».

    ``row`` gives the record's values when it may no longer exist (a deleted
    row's old values, an inserted row's values); the current row wins.
    """
    current = db.log.read_row(table, row_id)
    values: Mapping[str, Any] | None = current if current is not None else row
    if values is None:
        return _gone(table, row_id)
    if table == "school_profile":
        return (
            _tr("паспорт школы «%1» за %2 учебный год")
            .replace("%1", _name_of(db, "school", values.get("school_id")))
            .replace("%2", school_year_label(int(values["year"])))
        )
    if table == "school":
        return _tr("школа «%1»").replace("%1", str(values.get("short_name")))
    if table == "district":
        return _tr("район «%1»").replace("%1", str(values.get("name")))
    if table == "district_year":
        return _tr("показатели района за %1 учебный год").replace(
            "%1", school_year_label(int(values["year"]))
        )
    if table == "person":
        return _tr("«%1»").replace("%1", str(values.get("full_name")))
    if table == "person_role":
        return (
            _tr("роль «%1»: %2")
            .replace("%1", _role(values.get("role")))
            .replace("%2", _name_of(db, "person", values.get("person_id")))
        )
    if table == "assessment":
        return (
            _tr("%1, %2, %3 класс: «%4» за %5 учебный год")
            .replace("%1", str(values.get("procedure")))
            .replace("%2", str(values.get("subject")))
            .replace("%3", str(values.get("grade")))
            .replace("%4", _name_of(db, "school", values.get("school_id")))
            .replace("%5", school_year_label(int(values["year"])))
        )
    if table == "meeting":
        return _meeting_name(values)
    if table == "activity_report":
        return (
            _tr("отчёт школы «%1» о мероприятии «%2» за %3 учебный год")
            .replace("%1", _name_of(db, "school", values.get("school_id")))
            .replace("%2", _name_of(db, "roadmap_activity", values.get("activity_id")))
            .replace("%3", school_year_label(int(values["year"])))
        )
    if table == "meeting_item":
        return (
            _tr("вопрос %1 повестки: %2")
            .replace("%1", str(values.get("position")))
            .replace("%2", _name_of(db, "meeting", values.get("meeting_id")))
        )
    if table == "meeting_attendee":
        return (
            _tr("участник «%1»: %2")
            .replace("%1", _name_of(db, "person", values.get("person_id")))
            .replace("%2", _name_of(db, "meeting", values.get("meeting_id")))
        )
    if table == "programme":
        return _tr("программа «%1»").replace("%1", str(values.get("title")))
    if table == "setting":
        spec = spec_of(str(values.get("key")))
        name = QCoreApplication.translate("settings", spec.label) if spec else values.get("key")
        return _tr("настройка «%1»").replace("%1", str(name))
    return _tr("запись №%1 («%2»)").replace("%1", str(row_id)).replace("%2", table_label(table))


def _role(code: Any) -> str:
    text = ROLE_LABELS.get(str(code), str(code))
    return QCoreApplication.translate("district", text)


def _figure(value: float, decimals: int = 2) -> str:
    """A number with a decimal comma and no trailing zeros: 12.5 → «12,5», 22.0 → «22»."""
    if float(value).is_integer():
        return format_number(float(value), 0)
    return format_number(float(value), decimals).rstrip("0").rstrip(",")


def _one_line(text: str) -> str:
    """A text on one line (paragraphs joined; the no-break spaces of numbers kept)."""
    return " ".join(line.strip() for line in text.splitlines() if line.strip())


class ValueFormatter:
    """Formats stored values for the details: numbers with a comma, dates 31.08.2024, names.

    It remembers the names of referenced rows, so a set of a thousand records
    does not read the same school a thousand times.
    """

    def __init__(self, db: Database) -> None:
        self.db = db
        self._names: dict[tuple[str, Any], str] = {}

    def name(self, table: str, row_id: Any) -> str:
        """The short name of a referenced row (remembered)."""
        key = (table, row_id)
        if key not in self._names:
            self._names[key] = _name_of(self.db, table, row_id)
        return self._names[key]

    def format(self, table: str, column: str, value: Any) -> str:  # noqa: PLR0911, PLR0912
        """The value of ``table.column`` as the user reads it («—» when empty)."""
        if value is None or value == "":
            return "—"
        spec = field_spec(table, column)
        kind = spec.kind if spec is not None else None
        if column == "year" and table in _SCHOOL_YEAR_TABLES:
            return school_year_label(int(value))
        if kind == "group" or column == "group_code":
            return QCoreApplication.translate("passport", GROUP_LABELS.get(str(value), str(value)))
        if kind == "flag" or column in ("has_kindergarten", "needs_capital_repair"):
            return _tr("да") if value else _tr("нет")
        if column == "role" and table == "person_role":
            return _role(value)
        if column in _CHOICES and str(value) in _CHOICES[column]:
            return _tr(_CHOICES[column][str(value)])
        if kind in ("school", "person") or column in _REFERENCES or column == "parent_id":
            target = _REFERENCES.get(column, table if column == "parent_id" else "")
            if kind == "school":
                target = "school"
            elif kind == "person":
                target = "person"
            return self.name(target, value) if target else str(value)
        if kind == "date" or column.endswith("_date") or column in ("since", "until"):
            try:
                return format_date(str(value))
            except ValueError:
                return str(value)
        if column.endswith("_at"):
            try:
                return format_timestamp(str(value))
            except ValueError:
                return str(value)
        if isinstance(value, bool):
            return _tr("да") if value else _tr("нет")
        if isinstance(value, int | float):
            if kind == "int" or column.endswith("year") or column in ("position", "grade"):
                return str(value)
            text = _figure(value)
            unit = spec.unit if spec is not None else ""
            if kind == "share":
                unit = "%"
            return f"{text} {unit}" if unit in _SHOWN_UNITS else text
        return str(value)


def describe_conflict(db: Database, set_id: int, error: RevertConflictError) -> str:
    """Say in Russian why a change set cannot be reverted, naming record and field."""
    record = describe_record(db, error.table, error.row_id)
    if error.column == "id":
        detail = _tr(
            "другим набором изменений с тех пор удалена или создана заново запись: %1."
        ).replace("%1", record)
    else:
        detail = (
            _tr("поле «%1» (%2) с тех пор изменено другим набором изменений.")
            .replace("%1", column_label(error.table, error.column))
            .replace("%2", record)
        )
        later = [
            change
            for change in db.log.field_history(error.table, error.row_id, error.column)
            if change.set_id > set_id
        ]
        if later:
            last = later[-1]
            detail += " " + (
                _tr("Последнее изменение: набор №%1 «%2», %3.")
                .replace("%1", str(last.set_id))
                .replace("%2", last.label)
                .replace("%3", format_timestamp(last.created_at))
            )
    return (
        _tr("Набор изменений №%1 нельзя откатить: %2")
        .replace("%1", str(set_id))
        .replace("%2", detail)
        + "\n\n"
        + _tr("База данных не изменена. Сначала откатите более поздние изменения.")
    )


# --- the list of change sets -----------------------------------------------------------


def _tables_tooltip(info: ChangeSetInfo) -> str | None:
    tables = ", ".join(sorted(table_label(t) for t in info.tables))
    return (
        QCoreApplication.translate("ChangeSetModel", "Затронуто: %1").replace("%1", tables) or None
    )


class ChangeSetModel(RecordTableModel):
    """The change sets of the log, newest first, read a page at a time.

    ``fetchMore`` reads the next older page (views call it when scrolled to
    the bottom).  :meth:`add_committed` inserts new sets at the top and
    re-reads the sets whose «reverted by» marks the new ones changed.
    """

    CONTEXT = "ChangeSetModel"
    COLUMNS = (
        Column("№", lambda i: str(i.id), right=True),
        Column("Когда", lambda i: format_timestamp(i.created_at)),
        Column("Кто", lambda i: i.actor),
        Column("Вид", lambda i: change_kind_label(i.kind)),
        Column("Что", lambda i: i.label, cell_tooltip=_tables_tooltip),
        Column("Записей", lambda i: format_number(i.row_count, 0), right=True),
        # The state names other sets: the model words it (see state_text).
        Column("Состояние", lambda i: ""),
    )
    COL_ID, COL_WHEN, COL_WHO, COL_KIND, COL_LABEL, COL_ROWS, COL_STATE = range(len(COLUMNS))
    #: How many sets one read brings.
    PAGE_SIZE = 500

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._log: ChangeLog | None = None
        # self._rows (the base's list): newest first
        self._by_id: dict[int, ChangeSetInfo] = {}
        self._kinds: dict[int, str] = {}  # kinds of sets not loaded, for the state texts
        self._more = False
        # True while rows are being inserted: a slot of rowsAboutToBeInserted (a view, a
        # model tester) that asks for more then would read the same page twice.
        self._inserting = False

    # --- reading ----------------------------------------------------------------------
    def set_log(self, log: ChangeLog | None) -> None:
        """Show the sets of this log (its newest page), or nothing."""
        self.beginResetModel()
        self._log = log
        self._rows = []
        self._by_id = {}
        self._kinds = {}
        self._more = False
        if log is not None:
            page = log.recent_sets(self.PAGE_SIZE)
            self._rows = page
            self._by_id = {s.id: s for s in page}
            self._more = len(page) == self.PAGE_SIZE
        self.endResetModel()

    def canFetchMore(self, parent: AnyIndex = QModelIndex()) -> bool:  # noqa: B008, N802
        return not parent.isValid() and self._more and not self._inserting

    def fetchMore(self, parent: AnyIndex = QModelIndex()) -> None:  # noqa: B008, N802
        if not self.canFetchMore(parent) or self._log is None:
            return
        before = self._rows[-1].id if self._rows else None
        page = self._log.recent_sets(self.PAGE_SIZE, before=before)
        self._more = len(page) == self.PAGE_SIZE
        if page:
            self._insert_rows(len(self._rows), page)

    def _insert_rows(self, first: int, sets: list[ChangeSetInfo]) -> None:
        self._inserting = True
        try:
            self.beginInsertRows(QModelIndex(), first, first + len(sets) - 1)
            self._rows[first:first] = sets
            self._by_id.update((s.id, s) for s in sets)
            self.endInsertRows()
        finally:
            self._inserting = False

    def add_committed(self, info: ChangeSetInfo) -> None:
        """Show a committed set at the top and update the marks it changed on older sets."""
        log = self._log
        if log is None:
            return
        newer = self._insert_newer()
        targets = [s.reverts_id for s in newer if s.reverts_id is not None]
        if info.reverts_id is not None:
            targets.append(info.reverts_id)
        chain: list[int] = []
        for target in targets:
            current: int | None = target
            # The log re-marked the sets down this chain; only loaded ones need a re-read
            # (a set not loaded is older than every loaded one, and so is its target).
            while current is not None and current in self._by_id and current not in chain:
                chain.append(current)
                current = self._by_id[current].reverts_id
        for set_id in chain:
            fresh = log.get_set(set_id)
            if fresh != self._by_id[set_id]:
                self._replace(fresh)

    def _insert_newer(self) -> list[ChangeSetInfo]:
        """Read the sets committed after the newest shown one and insert them at the top."""
        log = self._log
        if log is None:
            return []
        top = self._rows[0].id if self._rows else 0
        newer: list[ChangeSetInfo] = []
        before: int | None = None
        while True:
            page = log.recent_sets(self.PAGE_SIZE, before=before)
            fresh = [s for s in page if s.id > top]
            newer.extend(fresh)
            if len(fresh) < self.PAGE_SIZE:
                break
            before = page[-1].id
        if newer:
            self._insert_rows(0, newer)
        return newer

    def _replace(self, info: ChangeSetInfo) -> None:
        row = self.row_of(info.id)
        if row < 0:
            return
        self._rows[row] = info
        self._by_id[info.id] = info
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(self.COLUMNS) - 1))

    def ensure_loaded(self, set_id: int) -> int:
        """Read pages until ``set_id`` is shown (newer sets too); return its row or -1."""
        if self._rows and set_id > self._rows[0].id:
            self._insert_newer()
        while self.row_of(set_id) < 0 and self.canFetchMore():
            self.fetchMore()
        return self.row_of(set_id)

    # --- access --------------------------------------------------------------------------
    def record(self, row: int) -> ChangeSetInfo:
        """The change set of a row."""
        info: ChangeSetInfo = self._rows[row]
        return info

    def row_of(self, key: Hashable) -> int:
        """The row of a change set (by id), -1 when it is not loaded; the ids are sorted."""
        assert isinstance(key, int)
        set_id = key
        row = bisect_left(self._rows, -set_id, key=lambda s: -s.id)
        return row if row < len(self._rows) and self._rows[row].id == set_id else -1

    def _kind_of(self, set_id: int) -> str:
        info = self._by_id.get(set_id)
        if info is not None:
            return info.kind
        if set_id not in self._kinds and self._log is not None:
            try:
                self._kinds[set_id] = self._log.get_set(set_id).kind
            except DomainError:
                self._kinds[set_id] = ""
        return self._kinds.get(set_id, "")

    def state_text(self, info: ChangeSetInfo) -> str:
        """«отменено набором №N» / «откачено набором №N», or what the set takes back.

        A set whose revert was itself undone is in effect again: nothing.
        """
        if info.reverted_by is not None:
            text = (
                self.tr("отменено набором №%1")
                if self._kind_of(info.reverted_by) in ("undo", "redo")
                else self.tr("откачено набором №%1")
            )
            return text.replace("%1", str(info.reverted_by))
        target = info.reverts_id
        if target is None:
            return ""
        if info.kind == "redo":
            # A redo takes back an undo: to the user it repeats what the undo took back.
            undone = self._by_id.get(target)
            if undone is not None and undone.reverts_id is not None:
                return self.tr("повторяет набор №%1").replace("%1", str(undone.reverts_id))
            return self.tr("отменяет набор №%1").replace("%1", str(target))
        if info.kind == "undo":
            return self.tr("отменяет набор №%1").replace("%1", str(target))
        return self.tr("откатывает набор №%1").replace("%1", str(target))

    # --- the model interface ----------------------------------------------------------------
    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if (
            index.isValid()
            and index.column() == self.COL_STATE
            and 0 <= index.row() < len(self._rows)
        ):
            if role == Qt.ItemDataRole.DisplayRole:
                return self.state_text(self._rows[index.row()])
            if role == Qt.ItemDataRole.ToolTipRole:
                return self.state_text(self._rows[index.row()]) or None
        return super().data(index, role)

    def extra_data(self, record: Any, column: int, role: int) -> Any:
        """Sets no longer in effect are grey."""
        del column
        if role == Qt.ItemDataRole.ForegroundRole and record.reverted_by is not None:
            return QBrush(QColor("#888888"))
        return None


# --- the details of one set ------------------------------------------------------------


@dataclass(frozen=True)
class DetailLine:
    """One field of one changed record: its name, the action and the values before and after."""

    record: str
    action: str
    field: str
    old: str
    new: str
    first: bool  # the first line of its record (the record's name is shown there)
    group: int  # the number of the record in the set, from 0


@dataclass(frozen=True)
class SetDetails:
    """What a change set changed, as lines; ``total`` records of which ``shown`` are listed."""

    lines: list[DetailLine]
    shown: int
    total: int


def read_details(db: Database, info: ChangeSetInfo, limit: int = DETAILS_LIMIT) -> SetDetails:
    """Read the records a change set touched (the first ``limit`` of them) with old and new values.

    An insert shows the values it wrote (reconstructed by the log), a delete
    the values the row had, an update each changed field.
    """
    fmt = ValueFormatter(db)
    log = db.log
    lines: list[DetailLine] = []
    shown = 0

    def add(
        table: str,
        record: str,
        action: str,
        pairs: list[tuple[str, Any, Any]],
        sides: tuple[bool, bool] = (True, True),
    ) -> None:
        """Add the lines of one record; ``sides`` says whether «Было» / «Стало» apply."""
        if not pairs:
            pairs = [("", None, None)]
            sides = (False, False)
        for position, (column, old, new) in enumerate(pairs):
            lines.append(
                DetailLine(
                    record=record,
                    action=action,
                    field=column_label(table, column) if column else "",
                    old=fmt.format(table, column, old) if sides[0] else "",
                    new=fmt.format(table, column, new) if sides[1] else "",
                    first=position == 0,
                    group=shown,
                )
            )

    for change in log.changes_of_set(info.id, limit):
        if shown >= limit:
            break
        table = change.table
        if change.op == "insert":
            last = change.last_row_id if change.last_row_id is not None else change.row_id
            for row_id in range(change.row_id, last + 1):
                if shown >= limit:
                    break
                values = change.new
                if values is None:
                    values = log.inserted_values(table, row_id, info.id)
                record = describe_record(db, table, row_id, values)
                if values is None:
                    lines.append(
                        DetailLine(
                            record,
                            _tr("добавлена"),
                            "",
                            "",
                            _tr("значения не сохранились"),
                            True,
                            shown,
                        )
                    )
                else:
                    pairs = [
                        (c, None, values[c])
                        for c in _shown_columns(table, values)
                        if values[c] not in (None, "")
                    ]
                    add(table, record, _tr("добавлена"), pairs, (False, True))
                shown += 1
            continue
        old = change.old or {}
        if change.op == "delete":
            record = describe_record(db, table, change.row_id, old)
            pairs = [
                (c, old[c], None) for c in _shown_columns(table, old) if old[c] not in (None, "")
            ]
            add(table, record, _tr("удалена"), pairs, (True, False))
        else:
            new = change.new or {}
            record = describe_record(db, table, change.row_id)
            columns = _shown_columns(table, {**old, **new})
            add(table, record, _tr("изменена"), [(c, old.get(c), new.get(c)) for c in columns])
        shown += 1
    return SetDetails(lines, shown, max(info.row_count, shown))


def _cell(text: str) -> str:
    return _one_line(text) if len(text) <= 120 else _one_line(text)[:117] + "…"


def _first_only(text: Callable[[DetailLine], str]) -> Callable[[DetailLine], str]:
    """The record and the action are named on a record's first line only."""
    return lambda line: _cell(text(line)) if line.first else ""


class ChangeDetailsModel(RecordTableModel):
    """The lines of :class:`SetDetails`: record, action, field, «Было», «Стало»."""

    CONTEXT = "ChangeDetailsModel"
    COLUMNS = (
        Column("Запись", _first_only(lambda d: d.record), cell_tooltip=lambda d: d.record or None),
        Column(
            "Действие", _first_only(lambda d: d.action), cell_tooltip=lambda d: d.action or None
        ),
        Column("Поле", lambda d: _cell(d.field), cell_tooltip=lambda d: d.field or None),
        Column("Было", lambda d: _cell(d.old), cell_tooltip=lambda d: d.old or None),
        Column("Стало", lambda d: _cell(d.new), cell_tooltip=lambda d: d.new or None),
    )
    COL_RECORD, COL_ACTION, COL_FIELD, COL_OLD, COL_NEW = range(len(COLUMNS))

    def __init__(self, details: SetDetails, parent: Any = None) -> None:
        super().__init__(parent, key=id)
        self.details = details
        self.set_rows(details.lines)

    def line(self, row: int) -> DetailLine:
        """The line shown in a row."""
        line: DetailLine = self.record(row)
        return line

    def extra_data(self, record: Any, column: int, role: int) -> Any:
        """A band of colour per record; the record's name in bold on its first line."""
        if role == Qt.ItemDataRole.BackgroundRole and record.group % 2:
            return QBrush(QColor("#f3f6fa"))
        if role == Qt.ItemDataRole.FontRole and column == self.COL_RECORD and record.first:
            font = QFont()
            font.setBold(True)
            return font
        return None


class ChangeSetDialog(QDialog):
    """The details of one change set: which records, which fields, what was and what became."""

    def __init__(self, db: Database, info: ChangeSetInfo, state: str, parent: QWidget) -> None:
        super().__init__(parent)
        self.info = info
        self.setWindowTitle(self.tr("Набор изменений №%1").replace("%1", str(info.id)))
        details = read_details(db, info)
        self.model = ChangeDetailsModel(details, self)

        title = QLabel(
            self.tr("Набор изменений №%1: %2")
            .replace("%1", str(info.id))
            .replace("%2", info.label),
            self,
        )
        font = title.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.15)
        title.setFont(font)
        title.setWordWrap(True)
        facts = [
            format_timestamp(info.created_at),
            change_kind_label(info.kind),
            self.tr("записей: %1").replace("%1", format_number(info.row_count, 0)),
        ]
        if info.actor:
            facts.insert(1, info.actor)
        if state:
            facts.append(state)
        self.facts = QLabel(" · ".join(facts), self)
        tables = ", ".join(sorted(table_label(t) for t in info.tables))
        self.tables = QLabel(self.tr("Затронуто: %1").replace("%1", tables), self)
        self.tables.setWordWrap(True)
        self.tables.setVisible(bool(tables))

        self.view = QTableView(self)
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.view.verticalHeader().hide()
        self.view.setWordWrap(False)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.view.resizeColumnsToContents()
        for column, widest in (
            (ChangeDetailsModel.COL_RECORD, 460),
            (ChangeDetailsModel.COL_FIELD, 280),
            (ChangeDetailsModel.COL_OLD, 300),
        ):
            header.resizeSection(column, min(header.sectionSize(column), widest))
        header.setStretchLastSection(True)

        self.more = QLabel(self)
        hidden = details.total - details.shown
        if hidden > 0:
            self.more.setText(
                self.tr("Показаны первые %1 записей из %2; ещё %3 не показаны.")
                .replace("%1", format_number(details.shown, 0))
                .replace("%2", format_number(details.total, 0))
                .replace("%3", format_number(hidden, 0))
            )
        self.more.setVisible(hidden > 0)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText(self.tr("Закрыть"))
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(self.facts)
        layout.addWidget(self.tables)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.more)
        layout.addWidget(buttons)
        screen = parent.screen().availableGeometry()
        self.resize(min(1100, screen.width() - 60), min(620, screen.height() - 80))


# --- the page ----------------------------------------------------------------------------


class ChangesPanel(Panel):
    """Who changed what and when; the details of a change set; reverting a whole set."""

    TITLE = "Журнал изменений"  # source string, context "Panel"

    #: A revert ended: the new set's id, or None when it was refused or cancelled.
    sig_revert_done = Signal(object)

    def __init__(self, bus: DataBus, parent: QWidget | None = None) -> None:
        super().__init__(bus, parent)
        self.model = ChangeSetModel(self)
        self.view = QTableView(self)
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.view.setAlternatingRowColors(True)
        self.view.verticalHeader().hide()
        self.view.setWordWrap(False)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(ChangeSetModel.COL_LABEL, QHeaderView.ResizeMode.Stretch)
        self.view.selectionModel().selectionChanged.connect(self._on_view_selection_changed)
        # Double-click, or Enter (Qt's «activated»), opens the details.
        self.view.activated.connect(self._on_view_activated)

        self.hint = QLabel(
            self.tr(
                "Каждое сохранение, импорт и отмена записываются набором изменений. "
                "Откат набора возвращает прежние значения новым набором — его тоже можно откатить."
            ),
            self,
        )
        self.hint.setWordWrap(True)
        self.details_button = QPushButton(self.tr("Подробнее…"), self)
        self.details_button.clicked.connect(self._on_details_button_clicked)
        self.revert_button = QPushButton(self.tr("Откатить набор изменений…"), self)
        self.revert_button.clicked.connect(self._on_revert_button_clicked)
        self.count_label = QLabel(self)
        self.count_label.setStyleSheet("color: #555555;")

        self.act_details = QAction(self.tr("Подробнее…"), self)
        self.act_details.triggered.connect(self._on_details_button_clicked)
        self.act_revert = QAction(self.tr("Откатить набор изменений…"), self)
        self.act_revert.triggered.connect(self._on_revert_button_clicked)
        self.view.addAction(self.act_details)
        self.view.addAction(self.act_revert)
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)

        buttons = QHBoxLayout()
        buttons.addWidget(self.hint, 1)
        buttons.addWidget(self.details_button, 0, Qt.AlignmentFlag.AlignTop)
        buttons.addWidget(self.revert_button, 0, Qt.AlignmentFlag.AlignTop)
        layout = QVBoxLayout(self)
        layout.addLayout(buttons)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.count_label)

        #: The revert running in the background, if any.
        self.revert_task: BackgroundTask | None = None
        #: The details dialog opened last.
        self.details_dialog: ChangeSetDialog | None = None
        self.reload()

    # --- reading --------------------------------------------------------------------
    def set_database(self, db: Database | None) -> None:
        """Show another database; a revert still running on the old one is cancelled first."""
        task = self.revert_task
        if task is not None and task.running:
            task.cancel()
            task.wait()
        super().set_database(db)

    def reload(self) -> None:
        """Read the newest change sets again, keeping the selected one."""
        selected = self.selected_set()
        self.model.set_log(self.db.log if self.db is not None else None)
        self.view.resizeColumnsToContents()
        if selected is not None:
            self.select_set(selected.id)
        self._update_count()
        self._update_buttons()

    def on_data_changed(self, info: ChangeSetInfo) -> None:
        """Insert the new set at the top and update the marks it changed; keep the selection."""
        self.model.add_committed(info)
        # New numbers and marks may be wider than what was shown (only visible rows count).
        for column in (ChangeSetModel.COL_ID, ChangeSetModel.COL_ROWS, ChangeSetModel.COL_STATE):
            self.view.resizeColumnToContents(column)
        self._update_count()
        self._update_buttons()

    def _update_count(self) -> None:
        count = self.db.log.set_count() if self.db is not None else 0
        self.count_label.setText(
            self.tr("Наборов изменений: %1").replace("%1", format_number(count, 0))
        )

    def selected_set(self) -> ChangeSetInfo | None:
        """The change set selected in the table (as shown now)."""
        rows = self.view.selectionModel().selectedRows()
        if not rows:
            return None
        return self.model.record(rows[0].row())

    def select_set(self, set_id: int) -> None:
        """Select a change set in the table (reading pages until it is there)."""
        row = self.model.ensure_loaded(set_id)
        if row >= 0:
            self.view.selectRow(row)
            self.view.scrollTo(self.model.index(row, 0))

    def _on_view_selection_changed(
        self, selected: QItemSelection, deselected: QItemSelection
    ) -> None:
        del selected, deselected
        self._update_buttons()

    def _update_buttons(self) -> None:
        info = self.selected_set()
        busy = self.revert_task is not None and self.revert_task.running
        can_revert = info is not None and info.reverted_by is None and not busy
        self.details_button.setEnabled(info is not None)
        self.act_details.setEnabled(info is not None)
        self.revert_button.setEnabled(can_revert)
        self.act_revert.setEnabled(can_revert)

    # --- details -----------------------------------------------------------------------
    def _on_view_activated(self, index: QModelIndex) -> None:
        if index.isValid():
            self.show_details(self.model.record(index.row()).id)

    def _on_details_button_clicked(self) -> None:
        info = self.selected_set()
        if info is not None:
            self.show_details(info.id)

    def show_details(self, set_id: int) -> ChangeSetDialog | None:
        """Open the details of a change set (window-modal; returns the dialog)."""
        db = self.db
        if db is None:
            return None
        row = self.model.ensure_loaded(set_id)
        info = self.model.record(row) if row >= 0 else db.log.get_set(set_id)
        dialog = ChangeSetDialog(db, info, self.model.state_text(info), self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.details_dialog = dialog
        dialog.destroyed.connect(self._on_details_dialog_destroyed)
        dialog.open()
        return dialog

    def _on_details_dialog_destroyed(self) -> None:
        self.details_dialog = None

    # --- reverting -----------------------------------------------------------------
    def _on_revert_button_clicked(self) -> None:
        info = self.selected_set()
        if info is not None and self.revert_button.isEnabled():
            self.revert_set(info.id)

    def revert_set(self, set_id: int) -> int | None:
        """Ask, then revert a change set; return the new set's id.

        None when it was declined, refused, or runs in the background (a set
        of more than :data:`BACKGROUND_ROWS` rows); :attr:`sig_revert_done`
        tells the outcome in every case but a declined question.
        """
        db = self.db
        if db is None or (self.revert_task is not None and self.revert_task.running):
            return None
        info = db.log.get_set(set_id)
        if info.reverted_by is not None:
            self._explain_failure(set_id, AlreadyRevertedError(set_id))
            return None
        question = (
            self.tr(
                "Откатить набор изменений №%1 «%2» от %3 (%4, записей: %5)?\n\n"
                "Прежние значения будут восстановлены новым набором изменений."
            )
            .replace("%1", str(info.id))
            .replace("%2", info.label)
            .replace("%3", format_timestamp(info.created_at))
            .replace("%4", change_kind_label(info.kind))
            .replace("%5", format_number(info.row_count, 0))
        )
        if not ask_yes_no(self, self.tr("Откат изменений"), question, self.tr("Откатить")):
            return None
        label = self.tr("Откат набора №%1: %2").replace("%1", str(set_id)).replace("%2", info.label)
        log = db.log
        if info.row_count > BACKGROUND_ROWS:
            task = BackgroundTask(
                lambda state: log.revert(set_id, label=label, state=state),
                self,
                self.tr("Откат набора изменений №%1…").replace("%1", str(set_id)),
            )
            task.sig_finished.connect(lambda result: self._on_revert_task_finished(set_id, result))
            task.sig_failed.connect(lambda exc: self._on_revert_task_failed(set_id, exc))
            self.revert_task = task
            self._update_buttons()
            task.start()
            return None
        try:
            new_id = log.revert(set_id, label=label)
        except (DomainError, sqlite3.Error, OSError) as exc:
            self._explain_failure(set_id, exc)
            return None
        self._reverted(set_id, new_id)
        return new_id

    def _on_revert_task_finished(self, set_id: int, result: object) -> None:
        task = self.revert_task
        self.revert_task = None
        if not isinstance(result, int):
            self._update_buttons()
            return
        self._reverted(set_id, result)
        if task is not None and task.state.cancelled:
            # «Отмена» came while the last step was being written: the revert is kept.
            self.sig_status.emit(
                self.tr(
                    "Набор изменений №%1 откачен: отмена пришла, когда откат был уже записан."
                ).replace("%1", str(set_id))
            )

    def _on_revert_task_failed(self, set_id: int, exc: object) -> None:
        self.revert_task = None
        self._update_buttons()
        if isinstance(exc, BaseException):
            self._explain_failure(set_id, exc)

    def _reverted(self, set_id: int, new_id: int) -> None:
        self.sig_status.emit(
            self.tr("Набор изменений №%1 откачен (набор №%2).")
            .replace("%1", str(set_id))
            .replace("%2", str(new_id))
        )
        if self.isVisible():
            self.select_set(new_id)
        self._update_buttons()
        self.sig_revert_done.emit(new_id)

    def _explain_failure(self, set_id: int, exc: BaseException) -> None:
        """Tell why a revert was not done (the database is unchanged in every case)."""
        db = self.db
        title = self.tr("Откат невозможен")
        if isinstance(exc, Cancelled):
            self.sig_status.emit(
                self.tr("Откат набора №%1 прерван: база данных не изменена.").replace(
                    "%1", str(set_id)
                )
            )
        elif isinstance(exc, RevertConflictError) and db is not None:
            show_warning(self, title, describe_conflict(db, set_id, exc))
        elif isinstance(exc, AlreadyRevertedError) and db is not None:
            show_warning(self, title, self._already_reverted_text(db, set_id))
        else:
            show_warning(
                self,
                title,
                self.tr("Набор изменений №%1 не откачен, база данных не изменена.").replace(
                    "%1", str(set_id)
                )
                + "\n\n"
                + describe_error(exc),
            )
        self.sig_revert_done.emit(None)

    def _already_reverted_text(self, db: Database, set_id: int) -> str:
        by = db.log.get_set(set_id).reverted_by
        if by is None:  # taken back in the meantime by another window: say it simply
            text = self.tr("Набор изменений №%1 уже откачен.").replace("%1", str(set_id))
        elif db.log.get_set(by).kind in ("undo", "redo"):
            text = (
                self.tr("Набор изменений №%1 уже отменён набором №%2.")
                .replace("%1", str(set_id))
                .replace("%2", str(by))
            )
        else:
            text = (
                self.tr("Набор изменений №%1 уже откачен набором №%2.")
                .replace("%1", str(set_id))
                .replace("%2", str(by))
            )
        return text + " " + self.tr("База данных не изменена.")
