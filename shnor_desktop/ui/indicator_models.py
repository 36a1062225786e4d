"""The indicator tree model and its cell editor, over the indicator repository.

:class:`IndicatorTreeModel` shows a programme's indicators as a tree; a
typed indicator's per-school values are child rows, and a computed
indicator's schools (who counts, who does not) are read-only child rows.
Two school years stand side by side (the chosen one and the year before,
as seed 004's tables «На январь 2022 г / На январь 2023 г»), with the status
of plan against actual and the change between the years, coloured by the
indicator's direction.

The model writes nothing itself: ``setData`` hands a :class:`CellEdit` to the
panel's writer, which asks for confirmation when a computed value would be
replaced, writes through the repository and says how it went
(:class:`WriteResult`).  :class:`IndicatorDelegate` keeps a refused value in its
editor with the reason under it (Escape brings the stored value back), the
habit of every form of the application.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from PySide6.QtCore import (
    QCoreApplication,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSize,
    Qt,
)
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetrics, QPainter
from PySide6.QtWidgets import (
    QApplication,
    QStyle,
    QStyleOptionViewItem,
    QTreeView,
)

from shnor_desktop.models.indicators import (
    DIRECTION_LABELS,
    DIRECTION_SHORT,
    DIRECTIONS,
    PERCENT_UNITS,
    STATUS_LABELS,
    VALUE_SOURCE_LABELS,
    Actual,
    ComputedValue,
    IndicatorRow,
    Member,
    better,
    change,
    formula_text,
    parse_computed,
)
from shnor_desktop.models.text import format_number, plural, school_year_label
from shnor_desktop.ui.cell_editing import CellDelegate, EditingTreeView, WriteResult
from shnor_desktop.ui.common import ROLE_ID, ROLE_RECORD
from shnor_desktop.ui.tree_model import NodeTreeModel

AnyIndex = QModelIndex | QPersistentModelIndex
NodeKind = Literal["indicator", "school", "member"]

#: Marks of an actual: computed from the data, or typed in place of a computed one.
COMPUTED_MARK = "ƒ"
OVERRIDE_MARK = "✎"

STATUS_COLOURS: dict[str, tuple[str, str]] = {
    "met": ("#d6efd9", "#1e5e2a"),
    "not_met": ("#f6d5d5", "#8a1f1f"),
    "no_data": ("#ececec", "#555555"),
}
"""Background and text colour of each status."""
BETTER_COLOUR = "#1e7a34"
WORSE_COLOUR = "#b3261e"
COMPUTED_COLOUR = "#1f4e8c"
OVERRIDE_BACKGROUND = "#fff3c4"

_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
_LEFT = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
NAME_MARGIN = 2


def tr(text: str) -> str:
    """Translate a source string of the indicators' context."""
    return QCoreApplication.translate("indicators", text)


def is_percent(unit: str) -> bool:
    """True for an indicator measured in percent."""
    return unit.strip().lower() in PERCENT_UNITS


def format_value(value: float | None, unit: str) -> str:
    """A figure as shown: shares with one decimal (DESIGN), other figures as typed."""
    if value is None:
        return ""
    if is_percent(unit):
        return format_number(float(value), 1)
    number = float(value)
    if number.is_integer():
        return format_number(int(number), 0)
    return format_number(number, 2).rstrip("0").rstrip(",")


def edit_text(value: float | None) -> str:
    """A stored figure as the editor shows it: every decimal kept, with a comma."""
    if value is None:
        return ""
    number = float(value)
    if number.is_integer():
        return str(int(number))
    return repr(number).replace(".", ",")


def schools_text(count: int) -> str:
    """«1 школа», «3 школы», «5 школ» (translated)."""
    word = plural(count, tr("школа"), tr("школы"), tr("школ"))
    return f"{count} {word}"


def share_text(value: ComputedValue) -> str:
    """«2 из 3 школ», «1 из 1 школы», with the schools left out for lack of data."""
    total = value.denominator
    # After «из» the noun is genitive: из 1 (21, 31 …) школы, из 3 (5, 11 …) школ.
    word = tr("школы") if total % 10 == 1 and total % 100 != 11 else tr("школ")
    text = f"{value.numerator} {tr('из')} {total} {word}"
    if value.missing:
        text += tr(" (без сведений: %1)").replace("%1", str(value.missing))
    return text


def member_text(member: Member | None) -> str:
    """How one school stands in a computed indicator: «да», «нет (−3,0 п.п.)», «нет сведений»."""
    if member is None:
        return ""
    if member.counted is None:
        return tr("нет сведений")
    text = tr("да") if member.counted else tr("нет")
    if member.figure is not None:
        text += f" ({'+' if member.figure > 0 else ''}{format_number(member.figure, 1)} п.п.)"
    return text


def source_label(source: str) -> str:
    """Where a stored figure came from, translated."""
    return tr(VALUE_SOURCE_LABELS.get(source, source))


def name_lines(metrics: QFontMetrics, text: str, width: int, lines: int = 2) -> list[str]:
    """``text`` broken into at most ``lines`` lines of ``width`` pixels, the last one elided."""
    if width <= 0 or metrics.horizontalAdvance(text) <= width:
        return [text]
    words = text.split()
    out: list[str] = []
    current = ""
    for position, word in enumerate(words):
        candidate = f"{current} {word}".strip()
        if metrics.horizontalAdvance(candidate) <= width or not current:
            current = candidate
            continue
        out.append(current)
        if len(out) == lines - 1:
            rest = " ".join(words[position:])
            out.append(metrics.elidedText(rest, Qt.TextElideMode.ElideRight, width))
            return out
        current = word
    out.append(current)
    return out


# --- edits and what came of them -------------------------------------------------------------


@dataclass(frozen=True)
class CellEdit:
    """A value the user typed in a cell: which indicator, school, year and field."""

    row: IndicatorRow
    school_id: int | None
    name: str
    """A value field (plan, actual, note) or an indicator field (name, unit …)."""
    year: int | None
    raw: Any


Writer = Callable[[CellEdit], WriteResult]


# --- the model ---------------------------------------------------------------------------------


@dataclass(eq=False)
class _Node:
    kind: NodeKind
    row: IndicatorRow
    number: int
    parent: _Node | None = None
    school_id: int | None = None
    school_name: str = ""
    position: int = 0
    children: list[_Node] = field(default_factory=list)

    @property
    def key(self) -> tuple[str, int, int | None]:
        return (self.kind, self.row.id, self.school_id)


class IndicatorTreeModel(NodeTreeModel):
    """A programme's indicators over two school years: plan, actual, change and status."""

    (
        COL_CODE,
        COL_NAME,
        COL_UNIT,
        COL_DIRECTION,
        COL_BASELINE,
        COL_PLAN_PREV,
        COL_ACTUAL_PREV,
        COL_PLAN,
        COL_ACTUAL,
        COL_CHANGE,
        COL_STATUS,
        COL_NOTE,
        COL_FORMULA,
        COL_FREQUENCY,
    ) = range(14)
    COLUMN_COUNT = 14

    #: Indicator fields edited in their own column.
    INDICATOR_COLUMNS: dict[int, str] = {
        COL_CODE: "code",
        COL_NAME: "name",
        COL_UNIT: "unit",
        COL_DIRECTION: "direction",
        COL_BASELINE: "baseline",
        COL_FREQUENCY: "frequency",
    }
    #: The value a column edits (a school's row and an indicator's with values alike).
    VALUE_COLUMNS: dict[int, str] = {
        COL_PLAN: "plan",
        COL_PLAN_PREV: "plan",
        COL_ACTUAL: "actual",
        COL_ACTUAL_PREV: "actual",
        COL_NOTE: "note",
    }

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.year = 2022
        self.writer: Writer | None = None
        self.last_result = WriteResult("unchanged")
        self._nodes: list[_Node] = []
        self._top: list[_Node] = []

    # --- content ------------------------------------------------------------------------
    @property
    def previous_year(self) -> int:
        """The year shown beside the chosen one."""
        return self.year - 1

    def column_year(self, column: int) -> int | None:
        """The school year of a value column, None for other columns."""
        if column in (self.COL_PLAN_PREV, self.COL_ACTUAL_PREV):
            return self.previous_year
        if column in (self.COL_PLAN, self.COL_ACTUAL, self.COL_NOTE, self.COL_STATUS):
            return self.year
        return None

    def set_rows(self, rows: Sequence[IndicatorRow], year: int) -> bool:
        """Show these indicators for ``year`` and the year before; True when the model was reset.

        When the same nodes stay in the same places only their cells change
        (an open editor, the selection and the expanded rows stay); otherwise
        the model resets.
        """
        top, nodes = self._build(rows, year)
        same = year == self.year and [n.key for n in nodes] == [n.key for n in self._nodes]
        if same:
            for old, new in zip(self._nodes, nodes, strict=True):
                old.row = new.row
                old.school_name = new.school_name
            if self._nodes:
                self._emit_all_changed(self._top)
            return False
        self.beginResetModel()
        self.year = year
        self._top, self._nodes = top, nodes
        self.endResetModel()
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, self.COLUMN_COUNT - 1)
        return True

    def _emit_all_changed(self, nodes: list[_Node]) -> None:
        if not nodes:
            return
        last = self.COLUMN_COUNT - 1
        parent = nodes[0].parent
        parent_index = QModelIndex() if parent is None else self._index_of(parent)
        self.dataChanged.emit(
            self.index(0, 0, parent_index), self.index(len(nodes) - 1, last, parent_index)
        )
        for node in nodes:
            self._emit_all_changed(node.children)

    def _build(self, rows: Sequence[IndicatorRow], year: int) -> tuple[list[_Node], list[_Node]]:
        nodes: list[_Node] = []
        top: list[_Node] = []
        by_id: dict[int, _Node] = {}

        def add(node: _Node, parent: _Node | None) -> None:
            siblings = top if parent is None else parent.children
            node.parent = parent
            node.position = len(siblings)
            siblings.append(node)
            nodes.append(node)

        for row in rows:
            node = _Node("indicator", row, len(nodes))
            add(node, by_id.get(row.indicator.parent_id or -1))
            by_id[row.id] = node
            for school_id in row.school_ids():
                add(
                    _Node("school", row, len(nodes), None, school_id, row.school_name(school_id)),
                    node,
                )
            if row.indicator.is_computed:
                members: dict[int, str] = {}
                for y in (year - 1, year):
                    computed = row.computed.get(y)
                    for member in computed.members if computed is not None else ():
                        members.setdefault(member.school_id, member.school_name)
                for school_id, name in members.items():
                    add(_Node("member", row, len(nodes), None, school_id, name), node)
        return top, nodes

    def rows(self) -> list[IndicatorRow]:
        """The indicators shown, in tree order."""
        return [n.row for n in self._nodes if n.kind == "indicator"]

    def node_kind(self, index: AnyIndex) -> NodeKind | None:
        """What a row shows: an indicator, a school's own values, or a school in a computation."""
        node = self._node(index)
        return None if node is None else node.kind

    def school_of(self, index: AnyIndex) -> int | None:
        """The school of a school or member row (None for an indicator)."""
        node = self._node(index)
        return None if node is None else node.school_id

    def row_of(self, index: AnyIndex) -> IndicatorRow | None:
        """The indicator a row belongs to."""
        node = self._node(index)
        return None if node is None else node.row

    def index_of_indicator(self, indicator_id: int, column: int = 0) -> QModelIndex:
        """The index of an indicator's row."""
        return self.index_of_key(("indicator", indicator_id, None), column)

    # --- Qt's tree -----------------------------------------------------------------------
    def headerData(  # noqa: N802
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < self.COLUMN_COUNT:
            return None
        prev, now = school_year_label(self.previous_year), school_year_label(self.year)
        if role == Qt.ItemDataRole.DisplayRole:
            headers = {
                self.COL_CODE: tr("№"),
                self.COL_NAME: tr("Показатель"),
                self.COL_UNIT: tr("Ед."),
                self.COL_DIRECTION: tr("↑↓"),
                self.COL_BASELINE: tr("База"),
                self.COL_PLAN_PREV: tr("План\n%1").replace("%1", prev),
                self.COL_ACTUAL_PREV: tr("Факт\n%1").replace("%1", prev),
                self.COL_PLAN: tr("План\n%1").replace("%1", now),
                self.COL_ACTUAL: tr("Факт\n%1").replace("%1", now),
                self.COL_CHANGE: tr("Изм."),
                self.COL_STATUS: tr("Статус\n%1").replace("%1", now),
                self.COL_NOTE: tr("Примечание\n%1").replace("%1", now),
                self.COL_FORMULA: tr("Формула / источник"),
                self.COL_FREQUENCY: tr("Периодичность"),
            }
            return headers[section]
        if role == Qt.ItemDataRole.ToolTipRole:
            tips = {
                self.COL_DIRECTION: tr(
                    "Что лучше: ↑ — чем больше, тем лучше; ↓ — чем меньше, тем лучше"
                ),
                self.COL_BASELINE: tr("Базовое значение (в скобках — его год)"),
                self.COL_CHANGE: tr(
                    "Изменение: факт %1 минус факт %2; зелёный — улучшение, красный — ухудшение"
                )
                .replace("%1", now)
                .replace("%2", prev),
                self.COL_STATUS: tr("План против факта %1").replace("%1", now),
                self.COL_ACTUAL: tr("%1 — вычислено по данным; %2 — введено вместо вычисленного")
                .replace("%1", COMPUTED_MARK)
                .replace("%2", OVERRIDE_MARK),
            }
            return tips.get(section)
        return None

    # --- cells --------------------------------------------------------------------------
    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:  # noqa: PLR0911
        node = self._node(index)
        if node is None:
            return None
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(node, column)
        if role == Qt.ItemDataRole.EditRole:
            return self._edit_text(node, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(node, column)
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (
            self.COL_BASELINE,
            self.COL_PLAN_PREV,
            self.COL_ACTUAL_PREV,
            self.COL_PLAN,
            self.COL_ACTUAL,
            self.COL_CHANGE,
        ):
            return _RIGHT
        if role == Qt.ItemDataRole.BackgroundRole:
            return self._background(node, column)
        if role == Qt.ItemDataRole.ForegroundRole:
            return self._foreground(node, column)
        if role == Qt.ItemDataRole.FontRole:
            return self._font(node, column)
        if role == ROLE_ID:
            return node.row.id
        if role == ROLE_RECORD:
            return node.row
        return None

    def _actual(self, node: _Node, year: int) -> Actual:
        return node.row.actual(year, node.school_id)

    def _member(self, node: _Node, year: int) -> Member | None:
        computed = node.row.computed.get(year)
        if computed is None:
            return None
        return next((m for m in computed.members if m.school_id == node.school_id), None)

    def _actual_text(self, node: _Node, year: int) -> str:
        if node.kind == "member":
            return member_text(self._member(node, year))
        actual = self._actual(node, year)
        text = format_value(actual.value, node.row.indicator.unit)
        if actual.kind == "computed" and actual.computed is not None:
            return f"{text} {COMPUTED_MARK}" if text else COMPUTED_MARK
        if actual.kind == "override":
            return f"{text} {OVERRIDE_MARK}"
        return text

    def _text(self, node: _Node, column: int) -> str:  # noqa: PLR0911, PLR0912
        indicator = node.row.indicator
        if node.kind != "indicator":
            if column == self.COL_NAME:
                return node.school_name
            if column in (self.COL_ACTUAL, self.COL_ACTUAL_PREV):
                year = self.column_year(column)
                assert year is not None
                return self._actual_text(node, year)
            if node.kind == "member":
                return ""
        if column == self.COL_CODE:
            return indicator.code if node.kind == "indicator" else ""
        if column == self.COL_NAME:
            return indicator.name
        if column == self.COL_UNIT:
            return indicator.unit if node.kind == "indicator" else ""
        if column == self.COL_DIRECTION:
            if node.kind != "indicator" or not self._has_values(node):
                return ""
            return DIRECTION_SHORT.get(indicator.direction, "")
        if column == self.COL_BASELINE:
            if node.kind != "indicator" or indicator.baseline is None:
                return ""
            text = format_value(indicator.baseline, indicator.unit)
            if indicator.baseline_year is not None:
                text += f" ({indicator.baseline_year})"
            return text
        year = self.column_year(column)
        if column in (self.COL_PLAN, self.COL_PLAN_PREV) and year is not None:
            return format_value(node.row.plan(year, node.school_id), indicator.unit)
        if column in (self.COL_ACTUAL, self.COL_ACTUAL_PREV) and year is not None:
            return self._actual_text(node, year)
        if column == self.COL_CHANGE:
            delta = self._change(node)
            if delta is None:
                return ""
            unit = tr("п.п.") if is_percent(indicator.unit) else ""
            sign = "+" if delta > 0 else ""
            return f"{sign}{format_number(delta, 1)} {unit}".strip()
        if column == self.COL_STATUS:
            if not self._has_values(node):
                return ""
            return tr(STATUS_LABELS[node.row.status(self.year, node.school_id)])
        if column == self.COL_NOTE:
            value = node.row.value(self.year, node.school_id)
            return "" if value is None else value.note
        if column == self.COL_FORMULA and node.kind == "indicator":
            return self._formula_short(node)
        if column == self.COL_FREQUENCY and node.kind == "indicator":
            return indicator.frequency
        return ""

    def _has_values(self, node: _Node) -> bool:
        """Whether a row has figures at all (group headings have none)."""
        indicator = node.row.indicator
        return node.kind != "indicator" or bool(indicator.unit) or indicator.is_computed

    def _change(self, node: _Node) -> float | None:
        if node.kind == "member":
            return None
        return change(
            self._actual(node, self.previous_year).value, self._actual(node, self.year).value
        )

    def _formula_short(self, node: _Node) -> str:
        indicator = node.row.indicator
        parsed = parse_computed(indicator.computed) if indicator.is_computed else None
        if parsed is None:
            return indicator.formula or indicator.source_note
        computed = node.row.computed.get(self.year)
        counted = "" if computed is None else share_text(computed) + " · "
        return f"{COMPUTED_MARK} {counted}{tr(parsed[0].title)}"

    def _edit_text(self, node: _Node, column: int) -> str:
        indicator = node.row.indicator
        year = self.column_year(column)
        if column in (self.COL_PLAN, self.COL_PLAN_PREV) and year is not None:
            return edit_text(node.row.plan(year, node.school_id))
        if column in (self.COL_ACTUAL, self.COL_ACTUAL_PREV) and year is not None:
            actual = self._actual(node, year)
            if actual.kind == "computed":
                return format_value(actual.value, indicator.unit)
            return edit_text(actual.value)
        if column == self.COL_BASELINE:
            return edit_text(indicator.baseline)
        if column == self.COL_DIRECTION:
            return indicator.direction
        return self._text(node, column)

    def _tooltip(self, node: _Node, column: int) -> str | None:  # noqa: PLR0911
        indicator = node.row.indicator
        year = self.column_year(column)
        if column in (self.COL_ACTUAL, self.COL_ACTUAL_PREV) and year is not None:
            return self._actual_tooltip(node, year)
        if column in (self.COL_PLAN, self.COL_PLAN_PREV) and year is not None:
            value = node.row.value(year, node.school_id)
            return value.note or None if value is not None else None
        if column == self.COL_NAME:
            return indicator.name if node.kind == "indicator" else node.school_name
        if column == self.COL_DIRECTION and node.kind == "indicator":
            return tr(DIRECTION_LABELS.get(indicator.direction, ""))
        if column == self.COL_FORMULA and node.kind == "indicator":
            parts = [formula_text(indicator.computed), indicator.formula, indicator.source_note]
            return "\n".join(p for p in parts if p) or None
        if column == self.COL_STATUS and self._has_values(node):
            return (
                tr("План %1, факт %2")
                .replace(
                    "%1",
                    format_value(node.row.plan(self.year, node.school_id), indicator.unit) or "—",
                )
                .replace(
                    "%2",
                    format_value(self._actual(node, self.year).value, indicator.unit) or "—",
                )
            )
        if column == self.COL_NOTE:
            value = node.row.value(self.year, node.school_id)
            return value.note or None if value is not None else None
        return None

    def _actual_tooltip(self, node: _Node, year: int) -> str | None:
        indicator = node.row.indicator
        label = school_year_label(year)
        if node.kind == "member":
            member = self._member(node, year)
            return f"{label}: {member_text(member)}" if member is not None else None
        actual = self._actual(node, year)
        value = node.row.value(year, node.school_id)
        note = value.note if value is not None else ""
        lines: list[str] = []
        computed = actual.computed
        if actual.kind == "computed":
            if computed is not None:
                lines.append(
                    tr("Вычислено по данным за %1: %2")
                    .replace("%1", label)
                    .replace("%2", share_text(computed))
                )
            lines.append(tr("Чтобы ввести другое значение, начните его набирать."))
        elif actual.kind == "override":
            lines.append(
                tr("Введено вместо вычисленного (%1).").replace("%1", source_label(actual.source))
            )
            if computed is not None:
                lines.append(
                    tr("По данным: %1 (%2).")
                    .replace("%1", format_value(computed.value, indicator.unit) or "—")
                    .replace("%2", share_text(computed))
                )
        elif actual.kind == "typed" and actual.source:
            lines.append(source_label(actual.source))
        if note:
            lines.append(note)
        return "\n".join(lines) or None

    def _background(self, node: _Node, column: int) -> QBrush | None:
        if column == self.COL_STATUS and self._has_values(node):
            colour, _ = STATUS_COLOURS[node.row.status(self.year, node.school_id)]
            return QBrush(QColor(colour))
        year = self.column_year(column)
        if (
            column in (self.COL_ACTUAL, self.COL_ACTUAL_PREV)
            and year is not None
            and node.kind != "member"
            and self._actual(node, year).kind == "override"
        ):
            return QBrush(QColor(OVERRIDE_BACKGROUND))
        return None

    def _foreground(self, node: _Node, column: int) -> QBrush | None:
        if column == self.COL_STATUS and self._has_values(node):
            _, colour = STATUS_COLOURS[node.row.status(self.year, node.school_id)]
            return QBrush(QColor(colour))
        if column == self.COL_CHANGE:
            verdict = better(node.row.indicator.direction, self._change(node))
            if verdict is not None:
                return QBrush(QColor(BETTER_COLOUR if verdict else WORSE_COLOUR))
            return None
        year = self.column_year(column)
        if (
            column in (self.COL_ACTUAL, self.COL_ACTUAL_PREV)
            and year is not None
            and (node.kind == "member" or self._actual(node, year).kind == "computed")
        ):
            return QBrush(QColor(COMPUTED_COLOUR))
        if node.kind == "member":
            return QBrush(QColor("#555555"))
        return None

    def _font(self, node: _Node, column: int) -> QFont | None:
        if (
            node.kind == "indicator"
            and node.row.child_count
            and column
            in (
                self.COL_CODE,
                self.COL_NAME,
            )
        ):
            font = QFont()
            font.setBold(True)
            return font
        if node.kind == "member":
            font = QFont()
            font.setItalic(True)
            return font
        return None

    # --- editing ------------------------------------------------------------------------
    def edit_name(self, index: AnyIndex) -> str | None:
        """The field a cell edits, None when it is read-only."""
        node = self._node(index)
        if node is None or node.kind == "member":
            return None
        column = index.column()
        if node.kind == "school":
            return self.VALUE_COLUMNS.get(column)
        if column in self.INDICATOR_COLUMNS:
            return self.INDICATOR_COLUMNS[column]
        if not self._has_values(node):
            return None
        return self.VALUE_COLUMNS.get(column)

    def is_computed_cell(self, index: AnyIndex) -> bool:
        """True for the actual of a computed indicator (typing there replaces a computed value)."""
        node = self._node(index)
        return (
            node is not None
            and node.kind == "indicator"
            and node.row.indicator.is_computed
            and self.edit_name(index) == "actual"
        )

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if self.edit_name(index) is not None:
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    def setData(  # noqa: N802
        self, index: AnyIndex, value: Any, role: int = Qt.ItemDataRole.EditRole
    ) -> bool:
        node = self._node(index)
        name = self.edit_name(index)
        if node is None or name is None or role != Qt.ItemDataRole.EditRole:
            return False
        if self.writer is None:
            self.last_result = WriteResult("refused", tr("База данных не открыта."))
            return False
        year = self.column_year(index.column()) if name in ("plan", "actual", "note") else None
        self.last_result = self.writer(CellEdit(node.row, node.school_id, name, year, value))
        return self.last_result.ok


# --- the cell editor -----------------------------------------------------------------------------


class IndicatorDelegate(CellDelegate):
    """The indicator tree's cells: the direction is picked from a list, names wrap on two lines."""

    def choices(self, index: AnyIndex) -> list[tuple[str, str]]:
        """The direction is picked from a list; every other cell is typed."""
        if index.column() != IndicatorTreeModel.COL_DIRECTION:
            return []
        return [(f"{DIRECTION_SHORT[d]} {tr(DIRECTION_LABELS[d])}", d) for d in DIRECTIONS]

    def placeholder(self, index: AnyIndex) -> str:
        """A computed cell says so while it is empty."""
        model = self.model
        computed = isinstance(model, IndicatorTreeModel) and model.is_computed_cell(index)
        return tr("вычисляется") if computed else ""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: AnyIndex) -> None:
        """Names on up to two lines, broken and elided here (the whole name is in the tooltip)."""
        if index.column() != IndicatorTreeModel.COL_NAME:
            super().paint(painter, option, index)
            return
        styled = QStyleOptionViewItem(option)
        self.initStyleOption(styled, index)
        text = styled.text
        styled.text = ""
        widget = styled.widget
        style = widget.style() if widget is not None else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, styled, painter, widget)
        rect = style.subElementRect(QStyle.SubElement.SE_ItemViewItemText, styled, widget)
        rect = rect.adjusted(NAME_MARGIN, 0, -NAME_MARGIN, 0)
        lines = name_lines(QFontMetrics(styled.font), text, rect.width())
        selected = bool(styled.state & QStyle.StateFlag.State_Selected)
        palette = styled.palette
        colour = palette.highlightedText().color() if selected else palette.text().color()
        foreground = index.data(Qt.ItemDataRole.ForegroundRole)
        if not selected and isinstance(foreground, QBrush):
            colour = foreground.color()
        painter.save()
        painter.setFont(styled.font)
        painter.setPen(colour)
        painter.drawText(rect, _LEFT, "\n".join(lines))
        painter.restore()

    def sizeHint(  # noqa: N802
        self, option: QStyleOptionViewItem, index: AnyIndex
    ) -> QSize:
        """A row is as high as its name needs: one line or two."""
        hint = super().sizeHint(option, index)
        view = self.parent()
        if index.column() != IndicatorTreeModel.COL_NAME or not isinstance(view, QTreeView):
            return hint
        styled = QStyleOptionViewItem(option)
        self.initStyleOption(styled, index)
        metrics = QFontMetrics(styled.font)
        # The width the text gets when painted (style margins and ours), a little less to be safe.
        width = view.columnWidth(IndicatorTreeModel.COL_NAME) - 2 * NAME_MARGIN - 10
        lines = len(name_lines(metrics, styled.text, width))
        return QSize(hint.width(), max(hint.height(), lines * metrics.lineSpacing() + 6))


class IndicatorTreeView(EditingTreeView):
    """The tree of indicators: an editor holding a refused value stays open."""
