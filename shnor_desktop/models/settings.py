"""Settings of the database: thresholds and rules the coordinator may change.

A setting is one row of the ``setting`` table (key → JSON value) written
through the change log, so a changed threshold is undone, shown in the
history and carried in a backup like any other figure.  Each area declares
its settings here with a default and a check (:func:`declare`); a key that
was never set reads as its default, and no row is written until it differs.
The check runs on every write path as a row rule of the ``setting`` table.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from shnor_desktop.models import rules
from shnor_desktop.models.changelog import ChangeLog, ChangeSetInfo
from shnor_desktop.models.fields import FieldIssue, FieldSpec, InvalidValueError, check_value
from shnor_desktop.models.rules import RowContext


@dataclass(frozen=True)
class SettingSpec:
    """A setting: its key, label (a Russian source string), default and check.

    ``check`` returns the value normalised or raises
    :class:`~shnor_desktop.models.fields.InvalidValueError`; the value must be
    JSON (numbers, text, lists and mappings of them).
    """

    key: str
    label: str
    default: Any
    check: Callable[[Any], Any] | None = None

    def normalised(self, value: Any) -> Any:
        """The value as it will be stored, or :class:`InvalidValueError`."""
        return value if self.check is None else self.check(value)


_SPECS: dict[str, SettingSpec] = {}


def declare(spec: SettingSpec) -> SettingSpec:
    """Declare a setting (once, by the module of its area); return it."""
    _SPECS[spec.key] = spec
    return spec


def spec_of(key: str) -> SettingSpec | None:
    """The declared setting with this key (None when unknown)."""
    return _SPECS.get(key)


def share_check(field: str) -> Callable[[Any], float]:
    """A check for a share in percent 0–100 (a threshold)."""
    spec = FieldSpec(field, "share", "Настройки", field, "%", required=True)

    def check(value: Any) -> float:
        return float(check_value(spec, value))

    return check


OBJECTIVITY_THRESHOLD = declare(
    SettingSpec(
        "results.objectivity_threshold",
        "Порог необъективности ВПР (доля понизивших или повысивших отметку)",
        40.0,
        share_check("results.objectivity_threshold"),
    )
)
"""A school whose ВПР share of lowered or of raised marks passes this is flagged."""


def _setting_rule(ctx: RowContext) -> Iterable[FieldIssue]:
    """A stored value must be JSON that its declared setting accepts."""
    if "value" not in ctx.changed:
        return
    try:
        value = json.loads(ctx.row.get("value") or "null")
    except ValueError:
        yield FieldIssue("value", "not_json", "error", (ctx.row.get("key"),))
        return
    spec = spec_of(str(ctx.row.get("key")))
    if spec is None:
        return
    try:
        spec.normalised(value)
    except InvalidValueError as exc:
        yield exc.issue


rules.register(
    "setting",
    (
        FieldSpec("key", "text", "Настройки", "Ключ", required=True),
        FieldSpec("value", "text", "Настройки", "Значение", required=True),
    ),
    [_setting_rule],
)


def _dump(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


class SettingsRepository:
    """Reads and writes the settings of the open database."""

    def __init__(self, log: ChangeLog) -> None:
        self.log = log

    def _row(self, key: str) -> tuple[int, Any] | None:
        row = (
            self.log.reader()
            .execute("SELECT id, value FROM setting WHERE key = ?", (key,))
            .fetchone()
        )
        return None if row is None else (int(row[0]), json.loads(row[1]))

    def get(self, spec: SettingSpec) -> Any:
        """The value of a setting: the stored one, else its default."""
        row = self._row(spec.key)
        if row is None:
            return spec.default
        try:
            return spec.normalised(row[1])
        except InvalidValueError:
            return spec.default  # written by a newer version with other rules

    def is_default(self, spec: SettingSpec) -> bool:
        """True when the setting was never changed (or was reset)."""
        return self._row(spec.key) is None

    def set(self, spec: SettingSpec, value: Any, label: str) -> ChangeSetInfo | None:
        """Store a value (checked first); return what changed, None if nothing did."""
        clean = spec.normalised(value)
        with self.log.change_set(label) as cs:
            row = self._row(spec.key)
            if row is None:
                if clean != spec.default:
                    cs.insert("setting", {"key": spec.key, "value": _dump(clean)})
            elif row[1] != clean:
                if clean == spec.default:
                    cs.delete("setting", row[0])
                else:
                    cs.update("setting", row[0], {"value": _dump(clean)})
        return cs.info

    def reset(self, spec: SettingSpec, label: str) -> ChangeSetInfo | None:
        """Return a setting to its default; None if it already was."""
        with self.log.change_set(label) as cs:
            row = self._row(spec.key)
            if row is not None:
                cs.delete("setting", row[0])
        return cs.info
