"""Fields of the tables and the checks of their values: one place for every write path.

A :class:`FieldSpec` says what a column holds (a count, a share, a year …),
how the forms label it, and what values it takes.  :func:`check_value`
normalises a value for its spec or raises :class:`InvalidValueError` with a
:class:`FieldIssue` that names the field and what was expected; the wording
in Russian is the UI's and the command line's (``services/messages.py``).

The same checks run on a form's edit, the demo build, an import and the
command line, because the change log calls them on every insert and update
(``models/rules.py``), and they can run without writing (an import preview).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from shnor_desktop.models.errors import DomainError

FieldKind = Literal[
    "count",  # a whole number ≥ 0 (pupils, teachers)
    "share",  # a percentage 0–100, stored unrounded
    "real",  # a number ≥ 0 (km, Mbit/s)
    "flag",  # yes / no / not stated (1, 0, None)
    "text",
    "group",  # a group code of a school in a year
    "choice",  # one of ``choices``
    "int",  # a whole number within ``minimum``..``maximum`` (a year, a grade)
    "date",  # an ISO date «2024-08-31»
    "person",  # the id of a person
    "school",  # the id of a school
    "ref",  # the id of a row of another table
]


@dataclass(frozen=True)
class FieldSpec:
    """One field: its column, kind, section and label (translatable sources) and limits."""

    name: str
    kind: FieldKind
    section: str
    label: str
    unit: str = ""
    required: bool = False
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class FieldIssue:
    """A problem with a value: ``code`` says what, ``args`` the figures involved.

    ``severity`` is "error" (the value is refused) or "warning" (kept, shown).
    ``table`` names the table when the issue comes from a write.
    """

    field: str
    code: str
    severity: Literal["error", "warning"]
    args: tuple[Any, ...] = ()
    table: str = ""


class InvalidValueError(DomainError, ValueError):
    """A value a field cannot take; carries the :class:`FieldIssue`."""

    def __init__(self, issue: FieldIssue) -> None:
        super().__init__(issue.code)
        self.issue = issue

    @property
    def field(self) -> str:
        """The column whose value was refused."""
        return self.issue.field


def _fail(spec: FieldSpec, code: str, *args: Any) -> InvalidValueError:
    return InvalidValueError(FieldIssue(spec.name, code, "error", args))


def _number(spec: FieldSpec, value: Any) -> float:
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, int | float):
        number = float(value)
    else:
        try:
            number = float(str(value).replace(",", ".").replace("\u00a0", "").strip())
        except ValueError:
            raise _fail(spec, "not_number", value) from None
    if math.isnan(number) or math.isinf(number):
        raise _fail(spec, "not_number", value)
    return number


def _check_count(spec: FieldSpec, value: Any) -> int:
    if type(value) is int and value >= 0:  # the common case of bulk writes: no conversion
        if spec.maximum is not None and value > spec.maximum:
            raise _fail(spec, "too_large", value, spec.maximum)
        return value
    number = _number(spec, value)
    if not number.is_integer():
        raise _fail(spec, "not_integer", value)
    if number < 0:
        raise _fail(spec, "negative", value)
    if spec.maximum is not None and number > spec.maximum:
        raise _fail(spec, "too_large", value, spec.maximum)
    return int(number)


def _check_int(spec: FieldSpec, value: Any) -> int:
    number = float(value) if type(value) is int else _number(spec, value)
    if not number.is_integer():
        raise _fail(spec, "not_integer", value)
    low, high = spec.minimum, spec.maximum
    if (low is not None and number < low) or (high is not None and number > high):
        raise _fail(spec, "out_of_range", value, low, high)
    return int(number)


def _check_share(spec: FieldSpec, value: Any) -> float:
    number = _number(spec, value)
    if not 0 <= number <= 100:
        raise _fail(spec, "share_range", value)
    return number


def _check_real(spec: FieldSpec, value: Any) -> float:
    number = _number(spec, value)
    if number < 0:
        raise _fail(spec, "negative", value)
    if spec.maximum is not None and number > spec.maximum:
        raise _fail(spec, "too_large", value, spec.maximum)
    return number


def _check_flag(spec: FieldSpec, value: Any) -> int:
    if value in (0, 1, True, False):
        return int(value)
    raise _fail(spec, "not_flag", value)


def _check_choice(spec: FieldSpec, value: Any) -> str:
    if value not in spec.choices:
        raise _fail(spec, "unknown_group" if spec.kind == "group" else "unknown_choice", value)
    return str(value)


def _check_ref(spec: FieldSpec, value: Any) -> int:
    if type(value) is int:
        return value
    number = _number(spec, value)
    if not number.is_integer():
        raise _fail(spec, "not_integer", value)
    return int(number)


def _check_date(spec: FieldSpec, value: Any) -> str:
    if isinstance(value, date):
        return value.isoformat()
    try:
        return date.fromisoformat(str(value).strip()[:10]).isoformat()
    except ValueError:
        raise _fail(spec, "not_date", value) from None


def _check_text(spec: FieldSpec, value: Any) -> str:
    text = str(value).strip()
    if spec.required and not text:
        raise _fail(spec, "required")
    return text


_CHECKS: dict[str, Any] = {
    "count": _check_count,
    "share": _check_share,
    "real": _check_real,
    "flag": _check_flag,
    "group": _check_choice,
    "choice": _check_choice,
    "int": _check_int,
    "date": _check_date,
    "person": _check_ref,
    "school": _check_ref,
    "ref": _check_ref,
    "text": _check_text,
}

_EMPTY: dict[str, Any] = {"text": "", "group": "none"}


def check_value(spec: FieldSpec, value: Any) -> Any:
    """Return ``value`` normalised for ``spec`` or raise :class:`InvalidValueError`.

    An empty value clears the field (None), except text ("") and group ("none");
    a required field cannot be cleared.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        if spec.required:
            raise _fail(spec, "required")
        return _EMPTY.get(spec.kind)
    return _CHECKS[spec.kind](spec, value)
