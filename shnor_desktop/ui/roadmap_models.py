"""Item models of the roadmap pages: the tree of sections and activities, and activity lists.

:class:`RoadmapTreeModel` shows a programme's roadmap as the documents print
it: sections (blocks) as a tree, their numbered activities under them with
who is responsible, the deadline as written, the status, the progress, the
expected result and the evidence.  The deadline cell carries a mark when the
phrase could not be read (the activity has no dates: an orange «?», as on
the Gantt chart) and «✎» when the dates were set by hand.  «Просрочено» is
derived from the dates and today and shown in red instead of an open status.

The model writes nothing itself: ``setData`` hands an :class:`ActivityEdit`
to the panel's writer, which writes through the roadmap repository and says
how it went (a :class:`WriteResult`).  :class:`ActivityDelegate` keeps a
refused value in its editor with the reason under it, Escape brings the
stored value back (the habit of every grid of the application).

:class:`ActivityListModel` is a flat list of activities (the «Сводка» page's
blocks: due soon, overdue, unscheduled).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

from PySide6.QtCore import (
    QCoreApplication,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QRectF,
    Qt,
)
from PySide6.QtGui import QBrush, QColor, QFont, QIcon, QPainter, QPixmap

from shnor_desktop.models.roadmap import STATUS_LABELS, STATUSES, Activity, Section, Span
from shnor_desktop.models.schools import GROUP_SHORT_LABELS
from shnor_desktop.models.text import format_date, format_number
from shnor_desktop.ui.cell_editing import CellDelegate, EditingTreeView, WriteResult
from shnor_desktop.ui.common import ROLE_ID, ROLE_RECORD, ROLE_SORT
from shnor_desktop.ui.table_model import Column, RecordTableModel
from shnor_desktop.ui.tree_model import NodeTreeModel

AnyIndex = QModelIndex | QPersistentModelIndex
NodeKind = Literal["section", "activity"]

MANUAL_MARK = "✎"
"""After a deadline whose dates were set by hand (a manual setting wins over the text)."""
UNSCHEDULED_COLOUR = "#ef6c00"
"""The «?» of an unread deadline (the Gantt chart's colour)."""
UNSCHEDULED_TEXT = "#8a4b00"
OVERDUE_COLOUR = "#c62828"
SECTION_BACKGROUND = "#e4ebf5"
SUBSECTION_BACKGROUND = "#eff3f9"
MAX_SHOWN_INTERVALS = 6
"""A tooltip lists this many intervals of a recurring deadline, then «…»."""

__all__ = [
    "ActivityDelegate",
    "ActivityEdit",
    "ActivityListModel",
    "RoadmapTreeModel",
    "RoadmapTreeView",
    "WriteResult",
]


def tr(text: str) -> str:
    """Translate a source string of the roadmap's context."""
    return QCoreApplication.translate("roadmap", text)


# --- how an activity reads ---------------------------------------------------------------------


def status_label(status: str) -> str:
    """The Russian name of a stored status."""
    return tr(STATUS_LABELS.get(status, status))


def status_text(activity: Activity, today: date) -> str:
    """«просрочено» when the dates have passed on an open activity, else its status."""
    if activity.overdue(today):
        return tr("просрочено")
    return status_label(activity.status)


def percent_text(value: float) -> str:
    """«40 %» (a whole percent, a no-break space before the sign)."""
    return f"{format_number(value, 0)}\u00a0%"


def progress_text(activity: Activity) -> str:
    """«40 %»; empty when no progress was given."""
    if activity.progress is None:
        return ""
    return percent_text(activity.progress)


def span_text(span: Span) -> str:
    """«01.09.2023 – 31.05.2024», or one day «01.09.2023»."""
    start, end = span
    if start == end:
        return format_date(start)
    return f"{format_date(start)} – {format_date(end)}"


def intervals_text(spans: Sequence[Span], limit: int = MAX_SHOWN_INTERVALS) -> str:
    """The intervals in a line: «01.08.2023 – 31.08.2023; 01.08.2024 – 31.08.2024»."""
    text = "; ".join(span_text(span) for span in spans[:limit])
    return text + (" …" if len(spans) > limit else "")


def last_end(activity: Activity) -> date | None:
    """The day the activity's last interval ends (None without dates)."""
    return max((end for _, end in activity.intervals), default=None)


def deadline_text(activity: Activity) -> str:
    """The deadline as written, with «✎» when its dates were set by hand."""
    text = activity.deadline_text
    if activity.manual:
        return f"{text} {MANUAL_MARK}".strip()
    return text


def deadline_tooltip(activity: Activity) -> str:
    """How the deadline was read: its dates, or why it has none, and who set them."""
    lines: list[str] = []
    if activity.deadline_text:
        lines.append(tr("Срок в документе: %1").replace("%1", activity.deadline_text))
    if activity.unscheduled:
        if activity.manual:
            lines.append(tr("Даты сняты вручную: мероприятие без сроков."))
        elif activity.deadline_text:
            lines.append(
                tr("Срок не распознан: текст сохранён как написан, дат у мероприятия нет.")
            )
        else:
            lines.append(tr("Срок не указан."))
        lines.append(tr("Задайте даты кнопкой «Сроки…» или на диаграмме Ганта."))
        return "\n".join(lines)
    if activity.intervals:
        lines.append(tr("Даты: %1").replace("%1", intervals_text(activity.intervals)))
    elif activity.deadline_kind == "on_demand":
        lines.append(tr("По запросу: без определённых дат."))
    elif activity.deadline_kind == "continuous":
        lines.append(tr("Постоянно: весь период программы."))
    if activity.manual:
        lines.append(
            tr(
                "%1 Даты заданы вручную: они важнее текста срока. "
                "«Вернуть как в документе» прочтёт текст снова."
            ).replace("%1", MANUAL_MARK)
        )
    if activity.shifted:
        lines.append(tr("Утверждённый план: %1").replace("%1", intervals_text(activity.baseline)))
    return "\n".join(lines)


CONCERN_GROUPS: tuple[str, ...] = ("shnor", "risk", "prevention", "leader")
"""Groups of schools an activity may concern, in the order they are offered."""


def group_name(code: str) -> str:
    """A group's short Russian name: «ШНОР», «Зона риска», «Профилактика», «Лидер»."""
    return QCoreApplication.translate("passport", GROUP_SHORT_LABELS.get(code, code))


def concerns_text(activity: Activity, school_names: Mapping[int, str]) -> str:
    """Whom the activity concerns: its groups, then its schools («ШНОР; СОШ № 2»)."""
    names = [group_name(code) for code in activity.groups]
    names += [school_names.get(school_id, f"#{school_id}") for school_id in activity.schools]
    return "; ".join(names)


@functools.cache
def unscheduled_icon() -> QIcon:
    """The orange «?» of an activity whose deadline could not be read (as on the Gantt chart)."""
    size = 16
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(UNSCHEDULED_COLOUR))
    painter.drawEllipse(QRectF(1, 1, size - 2, size - 2))
    font = QFont()
    font.setBold(True)
    font.setPixelSize(11)
    painter.setFont(font)
    painter.setPen(QColor("#ffffff"))
    painter.drawText(QRectF(0, 0, size, size), Qt.AlignmentFlag.AlignCenter, "?")
    painter.end()
    return QIcon(pixmap)


def section_label(section: Section) -> str:
    """«1. Создание организационных условий.» (numbers are stored without the dot)."""
    number = section.number.strip()
    if not number:
        return section.title
    return f"{number}. {section.title}"


def shown_sections(
    sections: Sequence[Section], activities: Iterable[Activity], everything: bool
) -> list[Section]:
    """The sections to show: all of them, or (filtered) those holding a shown activity.

    A section holding a shown activity brings its parents along, so the tree
    keeps its shape.
    """
    if everything:
        return list(sections)
    by_id = {s.id: s for s in sections}
    wanted: set[int] = set()
    for activity in activities:
        section_id: int | None = activity.section_id
        while section_id is not None and section_id not in wanted and section_id in by_id:
            wanted.add(section_id)
            section_id = by_id[section_id].parent_id
    return [s for s in sections if s.id in wanted]


# --- edits and what came of them -----------------------------------------------------------------


@dataclass(frozen=True)
class ActivityEdit:
    """A value typed in a cell: which activity, which field, what the editor held."""

    activity: Activity
    name: str
    raw: Any


Writer = Callable[[ActivityEdit], WriteResult]


# --- the tree -------------------------------------------------------------------------------------


@dataclass(eq=False)
class _Node:
    kind: NodeKind
    number: int
    section: Section | None = None
    activity: Activity | None = None
    parent: _Node | None = None
    position: int = 0
    children: list[_Node] = field(default_factory=list)

    @property
    def key(self) -> tuple[str, int]:
        if self.activity is not None:
            return ("a", self.activity.id)
        assert self.section is not None
        return ("s", self.section.id)


class RoadmapTreeModel(NodeTreeModel):
    """Sections as a tree with their activities: №, title, responsible, deadline, status …"""

    (
        COL_NUMBER,
        COL_TITLE,
        COL_RESPONSIBLE,
        COL_DEADLINE,
        COL_STATUS,
        COL_PROGRESS,
        COL_RESULT,
        COL_EVIDENCE,
    ) = range(8)
    COLUMN_COUNT = 8

    #: The activity field each column edits in place.
    EDITED: dict[int, str] = {
        COL_TITLE: "title",
        COL_RESPONSIBLE: "responsible",
        COL_DEADLINE: "deadline_text",
        COL_STATUS: "status",
        COL_PROGRESS: "progress",
        COL_RESULT: "expected_result",
        COL_EVIDENCE: "evidence",
    }
    HEADERS: tuple[str, ...] = (
        "№",
        "Мероприятие",
        "Ответственные",
        "Срок",
        "Состояние",
        "Выполнено",
        "Ожидаемый результат",
        "Подтверждение",
    )

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.today = date.today()
        self.writer: Writer | None = None
        #: Short names of the schools by id: «Касается» in the title's tooltip.
        self.school_names: dict[int, str] = {}
        self.last_result = WriteResult("unchanged")
        self._nodes: list[_Node] = []
        self._top: list[_Node] = []

    # --- content --------------------------------------------------------------------------------
    def set_data(
        self, sections: Sequence[Section], activities: Sequence[Activity], today: date
    ) -> bool:
        """Show ``activities`` under ``sections`` (tree order); True when the model was reset.

        When the same sections and activities stay in the same places only
        their cells change (the selection, the expanded rows and an open
        editor stay); otherwise the model resets.
        """
        top, nodes = self._build(sections, activities)
        if [n.key for n in nodes] == [n.key for n in self._nodes]:
            changed = today != self.today
            self.today = today
            for old, new in zip(self._nodes, nodes, strict=True):
                if old.section != new.section or old.activity != new.activity or changed:
                    old.section, old.activity = new.section, new.activity
                    index = self._index_of(old)
                    self.dataChanged.emit(index, index.siblingAtColumn(self.COLUMN_COUNT - 1))
            return False
        self.beginResetModel()
        self.today = today
        self._top, self._nodes = top, nodes
        self.endResetModel()
        return True

    @staticmethod
    def _build(
        sections: Sequence[Section], activities: Sequence[Activity]
    ) -> tuple[list[_Node], list[_Node]]:
        nodes: list[_Node] = []
        top: list[_Node] = []
        known = {s.id for s in sections}
        by_section: dict[int, list[Activity]] = {}
        for activity in activities:
            by_section.setdefault(activity.section_id, []).append(activity)
        section_nodes: dict[int, _Node] = {}

        def add(node: _Node, parent: _Node | None) -> None:
            siblings = top if parent is None else parent.children
            node.parent = parent
            node.position = len(siblings)
            siblings.append(node)

        # Sections come in tree order (parents first); activities before subsections.
        for section in sections:
            node = _Node("section", 0, section=section)
            parent = section_nodes.get(section.parent_id or -1)
            add(node, parent if section.parent_id in known else None)
            section_nodes[section.id] = node
            for activity in sorted(
                by_section.get(section.id, ()), key=lambda a: (a.position, a.id)
            ):
                add(_Node("activity", 0, activity=activity), node)

        def number(items: list[_Node]) -> None:
            for item in items:
                item.number = len(nodes)
                nodes.append(item)
                number(item.children)

        number(top)
        return top, nodes

    def activities(self) -> list[Activity]:
        """The activities shown, in tree order."""
        return [n.activity for n in self._nodes if n.activity is not None]

    def activity_of(self, index: AnyIndex) -> Activity | None:
        """The activity of a row (None on a section's row)."""
        node = self._node(index)
        return None if node is None else node.activity

    def section_of(self, index: AnyIndex) -> Section | None:
        """The section of a row: the section itself, or the one holding the activity."""
        node = self._node(index)
        while node is not None and node.section is None:
            node = node.parent
        return None if node is None else node.section

    def index_of_activity(self, activity_id: int, column: int = 0) -> QModelIndex:
        """The index of an activity's row (invalid when it is not shown)."""
        return self.index_of_key(("a", activity_id), column)

    def field_of(self, index: AnyIndex) -> str | None:
        """The activity field a cell edits (None: read-only)."""
        node = self._node(index)
        if node is None or node.activity is None:
            return None
        return self.EDITED.get(index.column())

    # --- Qt's tree --------------------------------------------------------------------------------
    def headerData(  # noqa: N802
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < self.COLUMN_COUNT:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return tr(self.HEADERS[section])
        if role == Qt.ItemDataRole.ToolTipRole:
            tips = {
                self.COL_DEADLINE: tr(
                    "Срок, как он написан в документе. Оранжевый «?» — срок не распознан, "
                    "дат нет; %1 — даты заданы вручную"
                ).replace("%1", MANUAL_MARK),
                self.COL_STATUS: tr(
                    "Состояние мероприятия; «просрочено» — срок прошёл, а мероприятие не закрыто"
                ),
                self.COL_PROGRESS: tr("Выполнено, %"),
            }
            return tips.get(section)
        return None

    # --- cells ------------------------------------------------------------------------------------
    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:  # noqa: PLR0911
        node = self._node(index)
        if node is None:
            return None
        column = index.column()
        if node.section is not None:
            return self._section_data(node.section, column, role)
        activity = node.activity
        assert activity is not None
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(activity, column)
        if role == Qt.ItemDataRole.EditRole:
            return self._edit_text(activity, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(activity, column)
        if role == Qt.ItemDataRole.DecorationRole:
            if column == self.COL_DEADLINE and activity.unscheduled:
                return unscheduled_icon()
            return None
        if role == Qt.ItemDataRole.ForegroundRole:
            return self._foreground(activity, column)
        if role == Qt.ItemDataRole.FontRole:
            if column == self.COL_STATUS and activity.overdue(self.today):
                font = QFont()
                font.setBold(True)
                return font
            if column == self.COL_DEADLINE and activity.unscheduled:
                font = QFont()
                font.setItalic(True)
                return font
            return None
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (
            self.COL_NUMBER,
            self.COL_PROGRESS,
        ):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == ROLE_ID:
            return activity.id
        if role == ROLE_RECORD:
            return activity
        return None

    def _section_data(self, section: Section, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            return section_label(section) if column == self.COL_NUMBER else None
        if role == Qt.ItemDataRole.ToolTipRole and column == self.COL_NUMBER:
            return section_label(section)
        if role == Qt.ItemDataRole.FontRole:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.BackgroundRole:
            return QBrush(
                QColor(SECTION_BACKGROUND if section.depth == 0 else SUBSECTION_BACKGROUND)
            )
        if role == ROLE_ID:
            return section.id
        if role == ROLE_RECORD:
            return section
        return None

    def _text(self, activity: Activity, column: int) -> str:  # noqa: PLR0911
        if column == self.COL_NUMBER:
            return activity.number
        if column == self.COL_TITLE:
            return " ".join(activity.title.split())
        if column == self.COL_RESPONSIBLE:
            return activity.responsible
        if column == self.COL_DEADLINE:
            return deadline_text(activity)
        if column == self.COL_STATUS:
            return status_text(activity, self.today)
        if column == self.COL_PROGRESS:
            return progress_text(activity)
        if column == self.COL_RESULT:
            return " ".join(activity.expected_result.split())
        if column == self.COL_EVIDENCE:
            return activity.evidence
        return ""

    def _edit_text(self, activity: Activity, column: int) -> str:
        if column == self.COL_STATUS:
            return activity.status
        if column == self.COL_PROGRESS:
            if activity.progress is None:
                return ""
            value = float(activity.progress)
            return str(int(value)) if value.is_integer() else repr(value).replace(".", ",")
        if column == self.COL_DEADLINE:
            return activity.deadline_text
        if column == self.COL_TITLE:
            return activity.title
        if column == self.COL_RESULT:
            return activity.expected_result
        return self._text(activity, column)

    def _tooltip(self, activity: Activity, column: int) -> str | None:
        if column == self.COL_DEADLINE:
            return deadline_tooltip(activity)
        if column == self.COL_STATUS:
            if activity.overdue(self.today):
                end = last_end(activity)
                return (
                    tr("Состояние: %1. Срок истёк %2.")
                    .replace("%1", status_label(activity.status))
                    .replace("%2", format_date(end))
                )
            return status_label(activity.status)
        if column in (self.COL_NUMBER, self.COL_TITLE):
            concerns = concerns_text(activity, self.school_names)
            if concerns:
                return activity.title + "\n" + tr("Касается: %1").replace("%1", concerns)
            return activity.title
        if column == self.COL_RESULT:
            return activity.expected_result or None
        if column in (self.COL_RESPONSIBLE, self.COL_EVIDENCE):
            return self._text(activity, column) or None
        return None

    def _foreground(self, activity: Activity, column: int) -> QBrush | None:
        if column == self.COL_STATUS and activity.overdue(self.today):
            return QBrush(QColor(OVERDUE_COLOUR))
        if column == self.COL_NUMBER and activity.overdue(self.today):
            return QBrush(QColor(OVERDUE_COLOUR))
        if column == self.COL_DEADLINE and activity.unscheduled:
            return QBrush(QColor(UNSCHEDULED_TEXT))
        return None

    # --- editing ----------------------------------------------------------------------------------
    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if self.field_of(index) is not None:
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    def setData(  # noqa: N802
        self, index: AnyIndex, value: Any, role: int = Qt.ItemDataRole.EditRole
    ) -> bool:
        node = self._node(index)
        name = self.field_of(index)
        if node is None or node.activity is None or name is None:
            return False
        if role != Qt.ItemDataRole.EditRole:
            return False
        if self.writer is None:
            self.last_result = WriteResult("refused", tr("База данных не открыта."))
            return False
        self.last_result = self.writer(ActivityEdit(node.activity, name, value))
        return self.last_result.ok


# --- the cell editor ------------------------------------------------------------------------------


class ActivityDelegate(CellDelegate):
    """Edits the activity cells (see :class:`CellDelegate`); the status is picked from a list."""

    def choices(self, index: AnyIndex) -> list[tuple[str, str]]:
        """The status is picked from a list; every other cell is typed."""
        if index.column() != RoadmapTreeModel.COL_STATUS:
            return []
        return [(status_label(code), code) for code in STATUSES]

    def placeholder(self, index: AnyIndex) -> str:
        """The progress hints its range."""
        return tr("0–100") if index.column() == RoadmapTreeModel.COL_PROGRESS else ""


class RoadmapTreeView(EditingTreeView):
    """The roadmap's tree: an editor holding a refused value stays open."""


# --- flat lists of activities (the overview) -------------------------------------------------


def _due_text(activity: Activity) -> str:
    end = last_end(activity)
    return format_date(end) if end is not None else ""


class ActivityListModel(RecordTableModel):
    """Activities in a flat list: №, title, the deadline as written, the last day, responsible."""

    CONTEXT = "roadmap"
    COL_NUMBER, COL_TITLE, COL_DEADLINE, COL_DUE, COL_RESPONSIBLE = range(5)
    COLUMNS = (
        Column("№", lambda a: a.number, right=True),
        Column(
            "Мероприятие",
            lambda a: " ".join(a.title.split()),
            cell_tooltip=lambda a: a.title,
        ),
        Column("Срок", deadline_text, cell_tooltip=deadline_tooltip),
        Column(
            "Окончание",
            _due_text,
            tooltip="Последний день последнего срока",
            sort=last_end,
        ),
        Column("Ответственные", lambda a: a.responsible, cell_tooltip=lambda a: a.responsible),
    )

    def __init__(self, parent: QObject | None = None, *, overdue: bool = False) -> None:
        super().__init__(parent)
        #: Rows drawn in red (the overdue block).
        self.overdue = overdue
        #: The days a «due soon» list looks at: «Окончание» is the end inside them.
        self.window: Span | None = None

    def due_in_window(self, activity: Activity) -> date | None:
        """The end shown: the first one inside :attr:`window`, else the last one."""
        if self.window is not None:
            start, stop = self.window
            inside = [end for _, end in activity.intervals if start <= end <= stop]
            if inside:
                return min(inside)
        return last_end(activity)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """«Окончание» of a due-soon list is the end within its days."""
        if (
            index.isValid()
            and index.column() == self.COL_DUE
            and role in (Qt.ItemDataRole.DisplayRole, ROLE_SORT)
            and 0 <= index.row() < self.rowCount()
        ):
            end = self.due_in_window(self.record(index.row()))
            if role == ROLE_SORT:
                return end
            return format_date(end) if end is not None else ""
        return super().data(index, role)

    def extra_data(self, record: Any, column: int, role: int) -> Any:
        """Red text in the overdue list; the unscheduled mark beside an unread deadline."""
        if role == Qt.ItemDataRole.ForegroundRole and self.overdue:
            return QBrush(QColor(OVERDUE_COLOUR))
        if (
            role == Qt.ItemDataRole.DecorationRole
            and column == self.COL_DEADLINE
            and isinstance(record, Activity)
            and record.unscheduled
        ):
            return unscheduled_icon()
        return None
