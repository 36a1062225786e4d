"""The layout of a school's workbook, shared by the template writer and the importer.

A template has a sheet «Инструкция», a passport sheet, a results sheet, a
roadmap sheet and a very hidden signature sheet.  The importer finds sheets
by their names and columns by the text of their headers (:func:`header_key`
folds case, quotes, punctuation and spaces), so re-ordered or extra columns,
merged two-row headers and sheets renamed the obvious way still read.  A
hidden «Ключ» column names the row a template listed (a result's procedure,
subject and grade; an activity's id; a passport field): the importer takes
it first and falls back to the visible cells when it was deleted.

Template versions: **1** had no key columns and no progress column on the
roadmap sheet; **2** (current) has both.  The importer reads both.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Final

from shnor_desktop.models.assessments import ASSESSMENT_FIELDS
from shnor_desktop.models.exchange import REPORT_FIELD_BY_NAME
from shnor_desktop.models.fields import FieldSpec
from shnor_desktop.models.results import COUNT_FIELDS
from shnor_desktop.models.roadmap import STATUS_LABELS, STATUSES
from shnor_desktop.models.schema import PROCEDURES
from shnor_desktop.models.schools import PROFILE_FIELDS
from shnor_desktop.models.text import fold

TEMPLATE_VERSION: Final = "2"
"""The version written into new templates (the signature sheet)."""
READABLE_VERSIONS: Final = ("1", "2")
"""Template versions the importer reads."""

SHEET_INSTRUCTIONS: Final = "Инструкция"
SHEET_PASSPORT: Final = "Паспорт"
SHEET_RESULTS: Final = "Результаты"
SHEET_ROADMAP: Final = "Дорожная карта"
SHEET_SIGNATURE: Final = "Служебный"
SHEET_CSV: Final = "CSV"
"""The name a CSV table's only sheet gets when read."""

SHEET_ALIASES: Final[dict[str, tuple[str, ...]]] = {
    SHEET_PASSPORT: ("паспорт", "паспорт школы", "паспорт оо"),
    SHEET_RESULTS: ("результаты", "результаты оценочных процедур", "результаты впр огэ егэ"),
    SHEET_ROADMAP: ("дорожная карта", "мероприятия", "дорожная карта мероприятия"),
    SHEET_SIGNATURE: ("служебный", "signature"),
}
"""Names a sheet may carry (as :func:`header_key` folds them)."""

PASSPORT_SECTIONS: Final = ("Контингент", "Кадры", "Социальные показатели", "Инфраструктура")
"""Sections of the yearly passport a school fills (the group and its support are the office's)."""
PASSPORT_FIELDS: Final[tuple[FieldSpec, ...]] = tuple(
    spec for spec in PROFILE_FIELDS if spec.section in PASSPORT_SECTIONS
)
PASSPORT_FIELD_BY_NAME: Final = {spec.name: spec for spec in PASSPORT_FIELDS}

RESULT_SPEC_BY_NAME: Final = {spec.name: spec for spec in ASSESSMENT_FIELDS}
RESULT_FIELDS: Final[tuple[FieldSpec, ...]] = tuple(RESULT_SPEC_BY_NAME[n] for n in COUNT_FIELDS)
REPORT_INPUTS: Final = ("status", "progress", "evidence")
REPORT_FIELDS: Final[tuple[FieldSpec, ...]] = tuple(REPORT_FIELD_BY_NAME[n] for n in REPORT_INPUTS)

FLAG_WORDS: Final = ("да", "нет")
"""What a yes/no cell offers."""
_FLAG_VALUES: Final = {
    "да": 1,
    "есть": 1,
    "+": 1,
    "1": 1,
    "истина": 1,
    "true": 1,
    "yes": 1,
    "нет": 0,
    "-": 0,
    "—": 0,
    "0": 0,
    "ложь": 0,
    "false": 0,
    "no": 0,
}
STATUS_BY_WORD: Final[dict[str, str]] = {
    **{fold(label): code for code, label in STATUS_LABELS.items()},
    **{code: code for code in STATUSES},
    "в работе": "in_progress",
    "выполняется частично": "partly",
    "частично": "partly",
    "не выполнялось": "not_done",
}
"""Words a status cell may hold (folded) and the status they mean."""
STATUS_WORDS: Final = tuple(STATUS_LABELS[code] for code in STATUSES)

PROCEDURE_BY_WORD: Final = {fold(p): p for p in PROCEDURES}

MAX_TEXT: Final = 4000
"""Characters a text cell of a template takes (the validation's limit)."""
BLANK_RESULT_ROWS: Final = 15
"""Empty rows under the listed results, for a procedure, subject or grade the list lacks."""


def header_key(text: object) -> str:
    """Fold a header or a sheet name for matching: case, ё, quotes, punctuation, spaces."""
    raw = fold(str(text or ""))
    raw = re.sub(r"[«»\"'“”„`.,:;()\[\]{}!?*/\\_\-–—№#]+", " ", raw)
    return re.sub(r"\s+", " ", raw).strip()


def flag_value(text: str) -> int | None:
    """1 or 0 for a yes/no word («да», «нет», «есть» …); None when it is no such word."""
    return _FLAG_VALUES.get(fold(text).strip().rstrip("."))


def kind_hint(spec: FieldSpec) -> str:
    """What to type in a cell of this field (the template's «Что вписать» column)."""
    kind = spec.kind
    if kind == "count":
        return "целое число, 0 или больше"
    if kind == "share":
        return "доля в процентах: число от 0 до 100, можно с запятой"
    if kind == "real":
        return "число, 0 или больше, можно с запятой"
    if kind == "flag":
        return "«да» или «нет» (из списка)"
    return "текст"


@dataclass(frozen=True)
class Column:
    """A column of a sheet: what it holds, its header, other headers taken for it, its width.

    ``key`` is a field name or one of the sheet's own keys («procedure»,
    «subject», «grade», «key», «number», «title» …); ``spec`` the field's
    rules when the column is typed into.
    """

    key: str
    header: str
    width: float
    aliases: tuple[str, ...] = ()
    spec: FieldSpec | None = None
    editable: bool = False
    hidden: bool = False

    @cached_property
    def keys(self) -> frozenset[str]:
        """The header texts (passed through :func:`header_key`) that name this column."""
        return frozenset((header_key(self.header), *self.aliases))

    def matches(self, text: str) -> bool:
        """True when a header (already passed through :func:`header_key`) names this column."""
        return text in self.keys


def _spec_header(spec: FieldSpec) -> str:
    return f"{spec.label}, {spec.unit}" if spec.unit else spec.label


KEY_HEADER: Final = "Ключ"
"""The hidden column naming the row a template listed."""

PASSPORT_COLUMNS: Final[tuple[Column, ...]] = (
    Column("section", "Раздел", 22, ("группа показателей",)),
    Column("label", "Показатель", 44, ("наименование показателя", "наименование")),
    Column("value", "Значение", 16, ("значение показателя", "данные", "величина"), editable=True),
    Column("unit", "Ед. изм.", 10, ("ед изм", "единица измерения", "единицы")),
    Column("hint", "Что вписать", 40, ("подсказка", "как заполнять")),
    Column("key", KEY_HEADER, 12, ("key", "поле"), hidden=True),
)

_RESULT_ALIASES: Final[dict[str, tuple[str, ...]]] = {
    "pupils_due": (
        "должны были участвовать",
        "должно было участвовать",
        "должны участвовать",
        "по списку",
        "количество по списку",
        "всего по списку",
    ),
    "participants": (
        "участвовали",
        "участников",
        "количество участников",
        "кол во участников",
        "писали",
        "выполняли",
    ),
    "n2": ("2", "отметка 2", "на 2", "получили 2", "получили отметку 2", "отметки 2"),
    "n3": ("3", "отметка 3", "на 3", "получили 3", "получили отметку 3", "отметки 3"),
    "n4": ("4", "отметка 4", "на 4", "получили 4", "получили отметку 4", "отметки 4"),
    "n5": ("5", "отметка 5", "на 5", "получили 5", "получили отметку 5", "отметки 5"),
    "mean_score": ("средний балл", "ср балл", "средний тестовый балл"),
    "below_minimum": ("ниже минимального порога", "ниже минимума", "не преодолели порог"),
    "vpr_lowered": ("понизили", "понизили отметку", "понизили отметку по журналу"),
    "vpr_confirmed": ("подтвердили", "подтвердили отметку", "подтвердили отметку по журналу"),
    "vpr_raised": ("повысили", "повысили отметку", "повысили отметку по журналу"),
}

RESULT_COLUMNS: Final[tuple[Column, ...]] = (
    Column("procedure", "Процедура", 11, ("оценочная процедура", "вид процедуры"), editable=True),
    Column("subject", "Предмет", 24, ("учебный предмет", "предметы"), editable=True),
    Column("grade", "Класс", 8, ("классы", "параллель"), editable=True),
    *(
        Column(
            spec.name,
            _spec_header(spec),
            12,
            tuple(header_key(a) for a in _RESULT_ALIASES.get(spec.name, ()))
            + (header_key(spec.label),),
            spec,
            editable=True,
        )
        for spec in RESULT_FIELDS
    ),
    Column("key", KEY_HEADER, 10, ("key",), hidden=True),
)
RESULT_CSV_COLUMNS: Final[tuple[Column, ...]] = (
    Column("school_code", "Код школы", 10, ("код оо", "код", "код организации")),
    Column("year", "Учебный год", 10, ("год",)),
)
"""Columns a CSV results table adds: it has no signature to say whose it is."""

ROADMAP_COLUMNS: Final[tuple[Column, ...]] = (
    Column("number", "№", 7, ("n", "номер", "n п п", "п п")),
    Column("title", "Мероприятие", 46, ("наименование мероприятия", "содержание мероприятия")),
    Column("deadline", "Срок", 18, ("сроки", "срок исполнения", "сроки реализации")),
    Column("responsible", "Ответственные", 22, ("ответственный", "исполнитель", "исполнители")),
    Column(
        "status",
        "Состояние",
        18,
        ("статус", "выполнение", "отметка о выполнении"),
        REPORT_FIELD_BY_NAME["status"],
        editable=True,
    ),
    Column(
        "progress",
        "Выполнено, %",
        12,
        ("выполнено", "процент выполнения", "выполнено в процентах", "прогресс"),
        REPORT_FIELD_BY_NAME["progress"],
        editable=True,
    ),
    Column(
        "evidence",
        "Подтверждение (документ, № протокола)",
        36,
        ("подтверждение", "подтверждающий документ", "документ", "результат", "примечание"),
        REPORT_FIELD_BY_NAME["evidence"],
        editable=True,
    ),
    Column("key", KEY_HEADER, 10, ("key",), hidden=True),
)

SIGNATURE_KEYS: Final = (
    ("template_version", "Версия шаблона"),
    ("school_code", "Код школы"),
    ("school_year", "Учебный год (первый календарный год)"),
    ("checksum", "SHA-256 заполненной заранее части"),
    ("created_at", "Создан"),
    ("generator", "Программа"),
)
"""Rows of the signature sheet: key (column A), its meaning (column C); values in column B."""


def result_key(procedure: str, subject: str, grade: int) -> str:
    """The key of a result row in the hidden column: «ВПР|Математика|5»."""
    return f"{procedure}|{subject}|{grade}"


def checksum(
    version: str,
    school_code: str,
    year: int,
    *,
    passport: Sequence[str],
    results: Iterable[str],
    activities: Iterable[int],
) -> str:
    """SHA-256 of what a template was made for: version, school, year and the rows it listed.

    The importer recomputes it from the keys it finds: a signature copied onto
    another school's sheet, or rows listed for another school, no longer agree.
    """
    payload = json.dumps(
        [version, school_code, int(year), list(passport), list(results), list(activities)],
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()
