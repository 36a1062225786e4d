"""The rules of each table, run by the change log on every insert and update.

A table's fields (:class:`~shnor_desktop.models.fields.FieldSpec`) and its
row rules (a branch belongs to a school that is not itself a branch …) are
declared once, beside the table's repository, with :func:`register`.  The
change log calls :func:`check_insert` / :func:`check_update` before it
writes, whatever the path (a form, the demo, an import, the command line);
an import preview calls the same functions without writing.

Row rules get a :class:`RowContext`: the connection to look other rows up
(inside a change set it sees the set's own uncommitted rows), the row id
(None for an insert) and the row as it will be.
"""

from __future__ import annotations

import math
import operator
import sqlite3
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from shnor_desktop.models.fields import (
    FieldIssue,
    FieldSpec,
    InvalidValueError,
    check_value,
)


class RowContext(NamedTuple):
    """What a row rule sees: where to look, which row, and its values after the write.

    A named tuple: an import builds one per row, and it must cost little.
    """

    conn: sqlite3.Connection
    table: str
    row_id: int | None
    row: Mapping[str, Any]
    changed: frozenset[str]


RowRule = Callable[[RowContext], Iterable[FieldIssue]]


@dataclass(frozen=True)
class TableRules:
    """The fields of a table that carry checks, and its row rules."""

    table: str
    fields: Mapping[str, FieldSpec]
    row_rules: tuple[RowRule, ...] = ()
    required: tuple[str, ...] = ()
    delete_with: frozenset[str] = frozenset()
    """Optional references whose row goes when the row they name is deleted.

    By default deleting a parent clears an optional reference to it; a row
    that means nothing without that parent (a roadmap activity's concern
    naming a school) declares the column here and is deleted with it.
    """


_REGISTRY: dict[str, TableRules] = {}
_LOADED = False


def register(
    table: str,
    fields: Iterable[FieldSpec],
    row_rules: Iterable[RowRule] = (),
    *,
    delete_with: Iterable[str] = (),
) -> TableRules:
    """Declare the fields and row rules of ``table`` (called once by its module).

    ``delete_with`` names optional references whose parent's deletion deletes
    the row instead of clearing the reference (see :attr:`TableRules.delete_with`).
    """
    specs = {spec.name: spec for spec in fields}
    rules = TableRules(
        table,
        specs,
        tuple(row_rules),
        tuple(name for name, spec in specs.items() if spec.required),
        frozenset(delete_with),
    )
    _REGISTRY[table] = rules
    return rules


def rules_for(table: str) -> TableRules | None:
    """Return the rules of ``table`` (None for a table without declared rules)."""
    global _LOADED  # noqa: PLW0603 (the registry fills itself once, on first use)
    if not _LOADED:
        _LOADED = True
        # The modules that declare tables register them when imported.
        from shnor_desktop.models import catalog  # noqa: F401
    return _REGISTRY.get(table)


def _with_table(exc: InvalidValueError, table: str) -> InvalidValueError:
    issue = exc.issue
    return InvalidValueError(
        FieldIssue(issue.field, issue.code, issue.severity, issue.args, table or issue.table)
    )


def normalise(rules: TableRules, values: Mapping[str, Any]) -> dict[str, Any]:
    """Return ``values`` with every declared field checked and normalised."""
    out = dict(values)
    fields = rules.fields
    for name, value in values.items():
        spec = fields.get(name)
        if spec is not None:
            try:
                out[name] = check_value(spec, value)
            except InvalidValueError as exc:
                raise _with_table(exc, rules.table) from None
    return out


def _run_row_rules(rules: TableRules, context: RowContext) -> None:
    for rule in rules.row_rules:
        for issue in rule(context):
            if issue.severity == "error":
                raise InvalidValueError(
                    FieldIssue(issue.field, issue.code, "error", issue.args, rules.table)
                )


def check_insert(conn: sqlite3.Connection, table: str, values: Mapping[str, Any]) -> dict[str, Any]:
    """Check a new row of ``table``; return it normalised or raise :class:`InvalidValueError`."""
    rules = rules_for(table)
    if rules is None:
        return dict(values)
    clean = normalise(rules, values)
    for name in rules.required:
        if name not in clean or clean[name] in (None, ""):
            raise InvalidValueError(FieldIssue(name, "required", "error", (), table))
    if rules.row_rules:
        _run_row_rules(rules, RowContext(conn, table, None, clean, frozenset(clean)))
    return clean


_NUMBER_TYPES = (int, float)


def _fast_expression(spec: FieldSpec, v: str, constants: dict[str, Any]) -> str:
    """A Python expression that is true when ``v`` is already valid and normalised.

    A value that fails it goes through :func:`check_value`, which normalises
    it or raises with the reason: the quick test never decides a refusal.
    """
    low, high = spec.minimum, spec.maximum
    bounds = ""
    if low is not None:
        bounds += f" and {v} >= {low!r}"
    if high is not None:
        bounds += f" and {v} <= {high!r}"
    kind = spec.kind
    if kind == "count":
        test = f"type({v}) is int and {v} >= 0{bounds}"
    elif kind == "int":
        test = f"type({v}) is int{bounds}"
    elif kind == "share":
        test = f"type({v}) in _N and 0 <= {v} <= 100"
    elif kind == "real":
        test = f"type({v}) in _N and 0 <= {v} < _INF{bounds}"  # NaN, infinity: check_value
    elif kind in ("choice", "group"):
        name = f"_C_{v}"
        constants[name] = frozenset(spec.choices)
        test = f"{v} in {name}"
    elif kind in ("person", "school", "ref"):
        test = f"type({v}) is int"
    elif kind == "text":
        test = f"type({v}) is str and {v} == {v}.strip()"
        if spec.required:
            test += f' and {v} != ""'
    else:
        return "False"
    if not spec.required and kind != "text":
        test = f"{v} is None or ({test})"
    return f"({test})"


def _compile_fast(specs: list[FieldSpec]) -> Callable[[Mapping[str, Any]], bool]:
    """One function that tells whether every checked field of a row is already valid."""
    constants: dict[str, Any] = {"_N": _NUMBER_TYPES, "_INF": math.inf}
    lines = ["def fast(row):"]
    tests = []
    for index, spec in enumerate(specs):
        v = f"v{index}"
        lines.append(f"    {v} = row[{spec.name!r}]")
        tests.append(_fast_expression(spec, v, constants))
    lines.append(f"    return {' and '.join(tests) or 'True'}")
    namespace: dict[str, Any] = dict(constants)
    exec("\n".join(lines), namespace)  # noqa: S102 (code built from the specs above only)
    return namespace["fast"]  # type: ignore[no-any-return]


def check_many(
    conn: sqlite3.Connection, table: str, rows: Iterable[Mapping[str, Any]]
) -> list[dict[str, Any]]:
    """Check many new rows of ``table`` at once (an import); same result as :func:`check_insert`.

    Rows of one shape share a compiled quick test; only a row that fails it
    is checked field by field (normalised, or refused with the reason).
    """
    rules = rules_for(table)
    if rules is None:
        return [dict(r) for r in rows]
    plans: dict[tuple[str, ...], tuple[Callable[[Mapping[str, Any]], bool], list[FieldSpec]]] = {}
    out: list[dict[str, Any]] = []
    row_rules = rules.row_rules
    for row in rows:  # one pass, no per-field calls for a row that is already clean
        keys = tuple(row)
        plan = plans.get(keys)
        if plan is None:
            for name in rules.required:
                if name not in row:
                    raise InvalidValueError(FieldIssue(name, "required", "error", (), table))
            specs = [spec for name in keys if (spec := rules.fields.get(name)) is not None]
            plan = (_compile_fast(specs), specs)
            plans[keys] = plan
        fast, specs = plan
        if fast(row):
            clean = dict(row)
        else:
            clean = normalise(rules, row)
            for name in rules.required:
                if clean[name] in (None, ""):
                    raise InvalidValueError(FieldIssue(name, "required", "error", (), table))
        if row_rules:
            _run_row_rules(rules, RowContext(conn, table, None, clean, frozenset(keys)))
        out.append(clean)
    return out


_NONE = type(None)


def _ints_clean(spec: FieldSpec, types: set[type], values: Sequence[Any]) -> bool:
    if types != {int}:
        return False
    if spec.kind in ("person", "school", "ref"):
        return True
    least, most = min(values), max(values)
    low, high = spec.minimum, spec.maximum
    if spec.kind == "count" and least < 0:
        return False
    return (low is None or least >= low) and (high is None or most <= high)


def _numbers_clean(spec: FieldSpec, types: set[type], values: Sequence[Any]) -> bool:
    if not types <= {int, float} or not math.isfinite(sum(values)):  # NaN, infinity
        return False
    least, most = min(values), max(values)
    if spec.kind == "share":
        return bool(least >= 0 and most <= 100)
    low, high = spec.minimum, spec.maximum
    return least >= 0 and (low is None or least >= low) and (high is None or most <= high)


def _choices_clean(spec: FieldSpec, types: set[type], values: Sequence[Any]) -> bool:
    del types
    try:
        return set(values) <= frozenset(spec.choices)
    except TypeError:  # an unhashable value: checked row by row
        return False


def _texts_clean(spec: FieldSpec, types: set[type], values: Sequence[Any]) -> bool:
    if types != {str} or not all(map(operator.eq, values, map(str.strip, values))):
        return False
    return not spec.required or "" not in values


_COLUMN_TESTS: dict[str, Callable[[FieldSpec, set[type], Sequence[Any]], bool]] = {
    "count": _ints_clean,
    "int": _ints_clean,
    "person": _ints_clean,
    "school": _ints_clean,
    "ref": _ints_clean,
    "share": _numbers_clean,
    "real": _numbers_clean,
    "choice": _choices_clean,
    "group": _choices_clean,
    "text": _texts_clean,
}


def _column_clean(spec: FieldSpec, column: Sequence[Any]) -> bool:
    """True when every value of ``column`` passes :func:`_fast_expression`'s quick test.

    The same test for a whole column at once, with C-level operations (the
    set of types, min, max, sum); False sends the rows to the test per row.
    """
    test = _COLUMN_TESTS.get(spec.kind)
    if test is None:
        return False  # a flag, a date: no quick test
    types = set(map(type, column))
    values = column
    if _NONE in types:
        if spec.required or spec.kind == "text":
            return False
        values = [v for v in column if v is not None]
        types.discard(_NONE)
    return not values or test(spec, types, values)


def check_columns(
    conn: sqlite3.Connection, table: str, columns: Mapping[str, Sequence[Any]]
) -> Mapping[str, Sequence[Any]]:
    """Check new rows given column by column (a bulk import); return them, normalised.

    The same result as :func:`check_many`: each checked column is tested at
    once (:func:`_column_clean`); when all pass, ``columns`` is returned as it
    is.  Otherwise — or when the table has row rules — every row goes through
    :func:`check_many` (normalised, or refused with the reason).
    """
    rules = rules_for(table)
    if rules is None:
        return columns
    for name in rules.required:
        if name not in columns:
            raise InvalidValueError(FieldIssue(name, "required", "error", (), table))
    fields = rules.fields
    if not rules.row_rules and all(
        _column_clean(spec, values)
        for name, values in columns.items()
        if (spec := fields.get(name)) is not None
    ):
        return columns
    names = tuple(columns)
    rows = [dict(zip(names, row, strict=True)) for row in zip(*columns.values(), strict=True)]
    checked = check_many(conn, table, rows)
    return {name: [row[name] for row in checked] for name in names}


def check_update(
    conn: sqlite3.Connection,
    table: str,
    row_id: int,
    current: Mapping[str, Any],
    changes: Mapping[str, Any],
) -> dict[str, Any]:
    """Check changes of an existing row; return them normalised or raise."""
    rules = rules_for(table)
    if rules is None:
        return dict(changes)
    clean = normalise(rules, changes)
    if rules.row_rules:
        merged = {**current, **clean}
        _run_row_rules(rules, RowContext(conn, table, row_id, merged, frozenset(clean)))
    return clean
