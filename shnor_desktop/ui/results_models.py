"""Item models of the «Результаты» panel: thin layers over ``db.results``.

- :class:`ResultsTableModel`: the schools of one year × procedure × subject ×
  grade, read page by page from SQL (sorted there too: a header click is a new
  query).  Counts are edited in place; the save itself is the panel's
  (``save(record, field, text)`` returns the reason of a refusal, or None).
- :class:`PooledRowModel`: the one frozen row under it, «Район» or «Итого по
  выборке», with the same columns.
- :class:`PivotModel`: schools × years of one metric with the change between
  consecutive years in п.п., coloured by the metric's direction; also the
  pivot's district row.
- :class:`ObjectivityModel` and :class:`ExamModel`: ВПР objectivity and the
  exams against the district.

Columns depend on the procedure (:func:`result_columns`).  Every figure is a
metric of ``models/metrics.py`` over the row's counts; shares are shown with
one decimal and a comma.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QFont, QIcon
from PySide6.QtWidgets import QApplication, QStyle

from shnor_desktop.models.metrics import METRIC_BY_KEY, Counts, Metric, change
from shnor_desktop.models.results import (
    EXAMS,
    VPR,
    ExamComparison,
    ExamRow,
    Objectivity,
    ObjectivityRow,
    Pivot,
    ResultRow,
    ResultsQuery,
    ResultsRepository,
    replace_query,
)
from shnor_desktop.models.schools import GROUP_LABELS, GROUP_SHORT_LABELS
from shnor_desktop.models.text import format_number, school_year_label
from shnor_desktop.services.messages import describe_issue
from shnor_desktop.ui.common import ROLE_ID, ROLE_RECORD, ROLE_SORT
from shnor_desktop.ui.table_model import Column, RecordTableModel

AnyIndex = QModelIndex | QPersistentModelIndex
Save = Callable[[ResultRow, str, str], str | None]

_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
MINUS = "\u2212"
"""The minus sign of a change («−7,5»), not a hyphen."""

BETTER = QColor("#1b7a2f")
WORSE = QColor("#c0392b")
WARNING_BACK = QColor("#fff1c2")
FLAG_BACK = QColor("#f9d6d2")
GENERATED = QColor("#8a6d00")
MARKS: tuple[str, ...] = ("n2", "n3", "n4", "n5")


def _tr(text: str) -> str:
    return QCoreApplication.translate("results", text)


def metric_label(key: str) -> str:
    """The translated label of a metric (the list of the pivot's chooser)."""
    return QCoreApplication.translate("metrics", METRIC_BY_KEY[key].label)


def format_metric(value: float | None) -> str:
    """A metric as shown: one decimal, a comma («26,8»); empty without data."""
    return format_number(value, 1)


def format_change(delta: float | None, metric: Metric) -> str:
    """A change between two years: «+3,2», «−7,5», «0,0»; п.п. are the column's unit."""
    if delta is None:
        return ""
    text = format_number(abs(delta), 1)
    if text == "0,0":
        return text
    return ("+" if delta > 0 else MINUS) + text


def change_colour(delta: float | None, metric: Metric) -> QColor | None:
    """Green for a change for the better, red for the worse (the metric's direction decides)."""
    if delta is None or format_number(abs(delta), 1) == "0,0":
        return None
    better = metric.better(delta)
    if better is None:
        return None
    return BETTER if better else WORSE


def group_short(code: str) -> str:
    """The short label of a group («ШНОР», «Лидер», «—»)."""
    return QCoreApplication.translate("passport", GROUP_SHORT_LABELS.get(code, code))


def _warning_icon() -> QIcon:
    return QApplication.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)


# --- the results table ------------------------------------------------------------------------
@dataclass(frozen=True)
class ResultColumn:
    """A column of the results table: its sort key, header, and what it shows.

    ``field`` is the typed column a cell edits (None: a computed metric);
    ``metric`` the metric it shows (computed over the row's counts).
    """

    key: str
    header: str
    tooltip: str = ""
    field: str | None = None
    metric: str | None = None
    decimals: int = 0


_COUNTS: tuple[ResultColumn, ...] = (
    ResultColumn("pupils_due", "Должны", "Должны были участвовать, чел.", "pupils_due"),
    ResultColumn("participants", "Участв.", "Участвовали, чел.", "participants"),
    ResultColumn("n2", "«2»", "Отметка «2», чел.", "n2"),
    ResultColumn("n3", "«3»", "Отметка «3», чел.", "n3"),
    ResultColumn("n4", "«4»", "Отметка «4», чел.", "n4"),
    ResultColumn("n5", "«5»", "Отметка «5», чел.", "n5"),
)
_METRICS: tuple[ResultColumn, ...] = (
    ResultColumn(
        "participation", "Участие, %", "Доля участников от должных, %", None, "participation"
    ),
    ResultColumn("success", "Успев., %", "Успеваемость: отметки «3»–«5», %", None, "success"),
    ResultColumn("quality", "Кач., %", "Качество знаний: отметки «4» и «5», %", None, "quality"),
    ResultColumn(
        "sou", "СОУ, %", "Степень обученности: (n5 + 0,64·n4 + 0,36·n3 + 0,16·n2) / N", None, "sou"
    ),
    ResultColumn("mean_mark", "Ср. отм.", "Средняя отметка", None, "mean_mark"),
)
_VPR: tuple[ResultColumn, ...] = (
    ResultColumn(
        "vpr_lowered",
        "Понизили, %",
        "Доля сравнённых, получивших на ВПР отметку ниже журнальной, %",
        None,
        "vpr_lowered",
    ),
    ResultColumn(
        "vpr_confirmed",
        "Подтвердили, %",
        "Доля сравнённых, подтвердивших журнальную отметку, %",
        None,
        "vpr_confirmed",
    ),
    ResultColumn(
        "vpr_raised",
        "Повысили, %",
        "Доля сравнённых, получивших на ВПР отметку выше журнальной, %",
        None,
        "vpr_raised",
    ),
)
_EXAM: tuple[ResultColumn, ...] = (
    ResultColumn("mean_score", "Средний балл", "Средний балл (вводится)", "mean_score", decimals=1),
    ResultColumn(
        "below_minimum",
        "Ниже мин., %",
        "Доля участников, не преодолевших минимальный порог, %",
        None,
        "below_minimum",
    ),
)
SCHOOL_COLUMN = ResultColumn("school", "Школа", "Краткое наименование школы")
GROUP_COLUMN = ResultColumn("group", "Группа", "Группа школы в выбранном учебном году")


def result_columns(procedure: str) -> tuple[ResultColumn, ...]:
    """The columns of the results table for a procedure."""
    extra = _VPR if procedure == VPR else _EXAM if procedure in EXAMS else ()
    return (SCHOOL_COLUMN, GROUP_COLUMN, *_COUNTS, *_METRICS, *extra)


@dataclass(frozen=True)
class PooledRow:
    """The frozen row under the table: pooled counts named like a result row's columns."""

    label: str
    counts: Counts
    group_code: str = ""
    source: str = ""
    id: int | None = None

    @property
    def school_id(self) -> int:
        """0: not a school (the models' key)."""
        return 0

    @property
    def school(self) -> str:
        """The label shown in the school column."""
        return self.label

    @property
    def pupils_due(self) -> int | None:
        """Pupils due, pooled."""
        return self.counts.due

    @property
    def participants(self) -> int | None:
        """Participants, pooled."""
        return self.counts.participants if self.counts.rows else None

    @property
    def n2(self) -> int | None:
        """Marks «2», pooled."""
        return self.counts.n2 if self.counts.rows else None

    @property
    def n3(self) -> int | None:
        """Marks «3», pooled."""
        return self.counts.n3 if self.counts.rows else None

    @property
    def n4(self) -> int | None:
        """Marks «4», pooled."""
        return self.counts.n4 if self.counts.rows else None

    @property
    def n5(self) -> int | None:
        """Marks «5», pooled."""
        return self.counts.n5 if self.counts.rows else None

    @property
    def mean_score(self) -> float | None:
        """The mean score pooled by participants (the metric)."""
        return METRIC_BY_KEY["mean_score"].compute(self.counts)

    def warnings(self) -> list[Any]:
        """A pooled row carries no warnings of its own."""
        return []


def _cell_text(record: Any, column: ResultColumn) -> str:
    if column.key == "school":
        return str(record.school)
    if column.key == "group":
        return group_short(record.group_code) if record.group_code else ""
    if column.metric is not None:
        if record.id is None and isinstance(record, ResultRow):
            return ""
        return format_metric(METRIC_BY_KEY[column.metric].compute(record.counts))
    assert column.field is not None
    value = getattr(record, column.field)
    return format_number(value, column.decimals)


def _text_column(column: ResultColumn) -> Column:
    """The base model's view of a column: its header and text."""

    def text(record: Any) -> str:
        return _cell_text(record, column)

    return Column(column.header, text)


def _edit_text(value: Any) -> str:
    """What the editor of a cell starts with: the stored value, without group spaces."""
    if value is None:
        return ""
    if isinstance(value, float) and not value.is_integer():
        return format_number(value, 2).rstrip("0").rstrip(",").replace("\u00a0", "")
    return str(int(value))


def issues_text(issues: Sequence[Any]) -> str:
    """The warnings of a row in Russian, one a line."""
    return "\n".join("⚠ " + _capital(describe_issue(i)) for i in issues)


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


class ResultsTableModel(RecordTableModel):
    """The results table: lazily fetched, sorted in SQL, counts edited in place."""

    CONTEXT = "results"
    #: The refused value of an editor was dropped (Escape): its message can go.
    sig_refusal_dropped = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent, key=lambda r: r.school_id)
        self.spec: tuple[ResultColumn, ...] = ()
        self.COLUMNS = ()
        self._repo: ResultsRepository | None = None
        self._query: ResultsQuery | None = None
        self._save: Save | None = None
        self.threshold = 40.0
        #: The reason the last edit was refused ("" when it was saved).
        self.refusal = ""

    # --- source ------------------------------------------------------------------------------
    @property
    def query(self) -> ResultsQuery | None:
        """The query shown (None: nothing)."""
        return self._query

    def set_save(self, save: Save | None) -> None:
        """The function that writes an edited cell (returns a refusal's reason or None)."""
        self._save = save

    def set_query(self, repo: ResultsRepository | None, query: ResultsQuery | None) -> None:
        """Show what ``query`` selects (read page by page as the view scrolls)."""
        self._repo = repo
        self._query = query
        self.beginResetModel()
        self.spec = result_columns(query.procedure) if query is not None else ()
        self.COLUMNS = tuple(_text_column(c) for c in self.spec)
        self.endResetModel()
        if repo is None or query is None:
            self.set_source(None)
            self.set_rows([])
            return
        self.set_source(lambda offset, limit: repo.rows(query, offset, limit))
        # The first page at once: the view sizes its columns and the panel finds
        # the row to select without waiting for the view to ask.
        self.fetchMore()

    def column_of(self, key: str) -> int:
        """The column showing ``key`` (-1 when this procedure has none)."""
        return next((i for i, c in enumerate(self.spec) if c.key == key), -1)

    def update_rows(self, rows: Sequence[ResultRow]) -> list[int]:
        """Put fresh copies of shown rows in place (``dataChanged``); return the rows updated."""
        updated = []
        last = len(self.COLUMNS) - 1
        for fresh in rows:
            row = self.row_of(fresh.school_id)
            if row < 0:
                continue
            if self._rows[row] != fresh:
                self._rows[row] = fresh
                self.dataChanged.emit(self.index(row, 0), self.index(row, last))
            updated.append(row)
        return updated

    # --- Qt overrides ---------------------------------------------------------------------------
    def headerData(  # noqa: N802
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self.spec):
            return None
        column = self.spec[section]
        if role == Qt.ItemDataRole.DisplayRole:
            return _tr(column.header)
        if role == Qt.ItemDataRole.ToolTipRole:
            text = _tr(column.tooltip or column.header)
            if column.field is not None:
                text += "\n" + _tr("Вводится в таблицу: выберите ячейку и наберите число.")
            return text
        if role == Qt.ItemDataRole.TextAlignmentRole and column.key not in ("school", "group"):
            return _RIGHT
        return None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        record = self._rows[index.row()]
        column = self.spec[index.column()]
        if role == Qt.ItemDataRole.EditRole:
            return _edit_text(getattr(record, column.field)) if column.field else None
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return None if column.key in ("school", "group") else _RIGHT
        if role == ROLE_SORT:
            if column.metric is not None:
                return METRIC_BY_KEY[column.metric].compute(record.counts)
            return getattr(record, column.field) if column.field else str(record.school)
        if role in (Qt.ItemDataRole.DisplayRole, ROLE_ID, ROLE_RECORD):
            return super().data(index, role)
        return self._decoration(record, column, role)

    def _decoration(self, record: ResultRow, column: ResultColumn, role: int) -> Any:  # noqa: PLR0911
        issues = record.warnings()
        generated = record.source == "generated"
        if role == Qt.ItemDataRole.DecorationRole and column.key == "school" and issues:
            return _warning_icon()
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(record, column, issues)
        if role == Qt.ItemDataRole.BackgroundRole:
            if issues and column.field in ("participants", *MARKS, "pupils_due"):
                wanted = {f for i in issues for f in _issue_fields(i.code)}
                if column.field in wanted:
                    return QBrush(WARNING_BACK)
            if self._flagged(record, column):
                return QBrush(FLAG_BACK)
            return None
        if role == Qt.ItemDataRole.ForegroundRole and generated:
            return QBrush(GENERATED)
        if role == Qt.ItemDataRole.FontRole and generated:
            font = QFont()
            font.setItalic(True)
            return font
        return None

    def _flagged(self, record: ResultRow, column: ResultColumn) -> bool:
        if column.metric not in ("vpr_lowered", "vpr_raised") or record.id is None:
            return False
        value = METRIC_BY_KEY[str(column.metric)].compute(record.counts)
        return value is not None and value > self.threshold

    def _tooltip(self, record: ResultRow, column: ResultColumn, issues: list[Any]) -> str | None:
        lines: list[str] = []
        if column.key == "school":
            lines.append(str(record.school))
            if record.group_code:
                lines.append(
                    _tr("Группа: {0}").format(
                        QCoreApplication.translate(
                            "passport", GROUP_LABELS.get(record.group_code, "")
                        )
                    )
                )
            if record.id is None:
                lines.append(_tr("Результатов нет: начните строку с числа участников."))
        if issues and (column.key == "school" or column.field in ("participants", *MARKS)):
            lines.append(issues_text(issues))
        if record.source == "generated":
            lines.append(_tr("Строка сгенерирована для демонстрации: этих цифр нет в документах."))
        if column.metric in ("vpr_lowered", "vpr_confirmed", "vpr_raised") and record.id:
            counts = record.counts
            part = {
                "vpr_lowered": counts.lowered,
                "vpr_confirmed": counts.confirmed,
                "vpr_raised": counts.raised,
            }[str(column.metric)]
            if counts.compared is not None:
                lines.append(
                    _tr("{0} из {1} сравнённых с журнальной отметкой").format(part, counts.compared)
                )
            if self._flagged(record, column):
                lines.append(
                    _tr("Выше порога необъективности ({0} %)").format(
                        format_number(self.threshold, 1).removesuffix(",0")
                    )
                )
        if column.metric == "below_minimum" and record.below_minimum is not None:
            lines.append(_tr("Ниже минимального порога: {0} чел.").format(record.below_minimum))
        return "\n".join(lines) or None

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        flags = super().flags(index)
        if index.isValid() and self._save is not None and self.spec[index.column()].field:
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    def setData(  # noqa: N802
        self, index: AnyIndex, value: Any, role: int = Qt.ItemDataRole.EditRole
    ) -> bool:
        """Write an edited count through the panel's save; False (and ``refusal``) if refused."""
        if role != Qt.ItemDataRole.EditRole or not index.isValid() or self._save is None:
            return False
        column = self.spec[index.column()]
        if column.field is None:
            return False
        record: ResultRow = self._rows[index.row()]
        reason = self._save(record, column.field, "" if value is None else str(value))
        self.refusal = reason or ""
        return reason is None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sort in SQL: a new query ordered by the column's key."""
        query = self._query
        if query is None or not 0 <= column < len(self.spec):
            return
        descending = order == Qt.SortOrder.DescendingOrder
        key = self.spec[column].key
        if (query.sort_key, query.descending) == (key, descending):
            return
        self.set_query(self._repo, replace_query(query, sort_key=key, descending=descending))


def _issue_fields(code: str) -> tuple[str, ...]:
    if code == "marks_differ_participants":
        return ("participants", *MARKS)
    if code == "participants_over_due":
        return ("participants", "pupils_due")
    return ()


class PooledRowModel(RecordTableModel):
    """The one frozen row under the results table: the district or the selection pooled."""

    CONTEXT = "results"

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent, key=lambda r: r.label)
        self.spec: tuple[ResultColumn, ...] = ()
        self.COLUMNS = ()

    def set_row(self, spec: tuple[ResultColumn, ...], row: PooledRow | None) -> None:
        """Show ``row`` in the columns ``spec`` (None: nothing)."""
        if spec != self.spec:
            self.beginResetModel()
            self.spec = spec
            self.COLUMNS = tuple(_text_column(c) for c in spec)
            self._rows = []
            self.endResetModel()
        self.set_rows([] if row is None else [row])

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        column = self.spec[index.column()]
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return None if column.key in ("school", "group") else _RIGHT
        if role == Qt.ItemDataRole.FontRole:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.ToolTipRole and column.key == "school":
            record: PooledRow = self._rows[index.row()]
            return _tr("{0}: счётчики сложены по {1} строкам, доли посчитаны по суммам").format(
                record.label, record.counts.rows
            )
        return super().data(index, role)


# --- the pivot -------------------------------------------------------------------------------
@dataclass(frozen=True)
class PivotLine:
    """A line of the pivot: a school (or the district, ``school_id`` 0) and its values."""

    school_id: int
    label: str
    group_code: str
    values: tuple[float | None, ...]


class PivotModel(QAbstractTableModel):
    """Schools × years of one metric; between two years, the change (п.п. for shares).

    Columns: the school, then for each year its value and, after the first,
    the change from the year before.  Sorting is done here, on the figures
    already read (the pivot is one aggregated query).
    """

    COL_SCHOOL = 0

    def __init__(self, parent: QObject | None = None, bold: bool = False) -> None:
        super().__init__(parent)
        self._years: tuple[int, ...] = ()
        self._lines: list[PivotLine] = []
        self._metric: Metric = METRIC_BY_KEY["quality"]
        self._bold = bold

    # --- data ----------------------------------------------------------------------------------
    def set_lines(self, metric: Metric, years: tuple[int, ...], lines: Sequence[PivotLine]) -> None:
        """Show these lines of ``metric`` over ``years``."""
        self.beginResetModel()
        self._metric = metric
        self._years = years
        self._lines = list(lines)
        self.endResetModel()

    def set_pivot(self, pivot: Pivot) -> None:
        """Show the schools' rows of a pivot."""
        self.set_lines(
            METRIC_BY_KEY[pivot.query.metric],
            pivot.years,
            [PivotLine(r.school_id, r.school, r.group_code, r.values) for r in pivot.rows],
        )

    @property
    def metric(self) -> Metric:
        """The metric shown."""
        return self._metric

    @property
    def years(self) -> tuple[int, ...]:
        """The years shown."""
        return self._years

    def line(self, row: int) -> PivotLine:
        """The line of a row."""
        return self._lines[row]

    def column_year(self, column: int) -> tuple[int, bool] | None:
        """(year index, is a change column) of a column; None for the school column."""
        if column <= 0:
            return None
        position = column - 1
        # value, (change, value)*: column 1 = year 0, 2 = change 1, 3 = year 1, …
        if position == 0:
            return 0, False
        return (position + 1) // 2, position % 2 == 1

    def cell(self, line: PivotLine, column: int) -> float | None:
        """The figure of a cell: the year's value or the change from the year before."""
        place = self.column_year(column)
        if place is None:
            return None
        year, is_change = place
        if is_change:
            return change(line.values[year - 1], line.values[year])
        return line.values[year]

    # --- Qt overrides ----------------------------------------------------------------------
    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._lines)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008, N802
        if parent.isValid():
            return 0
        return 1 + (2 * len(self._years) - 1 if self._years else 0)

    def headerData(  # noqa: N802
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < self.columnCount():
            return None
        place = self.column_year(section)
        unit = _tr("п.п.") if self._metric.unit == "%" else ""
        if role == Qt.ItemDataRole.DisplayRole:
            if place is None:
                return _tr("Школа")
            year, is_change = place
            if is_change:
                return _tr("Изм., п.п.") if unit else _tr("Изм.")
            return school_year_label(self._years[year])
        if role == Qt.ItemDataRole.ToolTipRole and place is not None:
            year, is_change = place
            label = metric_label(self._metric.key)
            if is_change:
                text = _tr("{0}: изменение с {1} по {2}").format(
                    label,
                    school_year_label(self._years[year - 1]),
                    school_year_label(self._years[year]),
                )
                return text + (f", {unit}" if unit else "")
            return f"{label}, {school_year_label(self._years[year])}"
        if role == Qt.ItemDataRole.TextAlignmentRole and place is not None:
            return _RIGHT
        return None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:  # noqa: PLR0911
        if not index.isValid() or not 0 <= index.row() < len(self._lines):
            return None
        line = self._lines[index.row()]
        column = index.column()
        place = self.column_year(column)
        if role == Qt.ItemDataRole.DisplayRole:
            if place is None:
                return line.label
            value = self.cell(line, column)
            return format_change(value, self._metric) if place[1] else format_metric(value)
        if role == ROLE_SORT:
            return line.label if place is None else self.cell(line, column)
        if role == ROLE_ID:
            return line.school_id
        if role == Qt.ItemDataRole.TextAlignmentRole and place is not None:
            return _RIGHT
        if role == Qt.ItemDataRole.ForegroundRole and place is not None and place[1]:
            colour = change_colour(self.cell(line, column), self._metric)
            return QBrush(colour) if colour is not None else None
        if role == Qt.ItemDataRole.FontRole and self._bold:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.ToolTipRole and place is not None and place[1]:
            return self._change_tooltip(self.cell(line, column))
        if role == Qt.ItemDataRole.ToolTipRole and place is None:
            return line.label
        return None

    def _change_tooltip(self, delta: float | None) -> str | None:
        if delta is None:
            return _tr("Нет данных за один из двух лет")
        unit = " " + _tr("п.п.") if self._metric.unit == "%" else ""
        amount = format_number(abs(delta), 1) + unit
        better = self._metric.better(delta) if format_number(abs(delta), 1) != "0,0" else None
        if better is None:
            return _tr("Без изменений")
        return (_tr("Лучше на {0}") if better else _tr("Хуже на {0}")).format(amount)

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sort the lines by a column (missing figures last, whatever the order)."""
        if not 0 <= column < self.columnCount():
            return
        descending = order == Qt.SortOrder.DescendingOrder
        if column == self.COL_SCHOOL:
            keyed = sorted(self._lines, key=lambda line: line.label.casefold(), reverse=descending)
        else:
            present = [x for x in self._lines if self.cell(x, column) is not None]
            missing = [x for x in self._lines if self.cell(x, column) is None]
            present.sort(key=lambda x: self.cell(x, column) or 0.0, reverse=descending)
            keyed = present + missing
        self.layoutAboutToBeChanged.emit()
        before = self.persistentIndexList()
        ids = [(self._lines[i.row()].school_id, i.column()) for i in before]
        self._lines = keyed
        rows = {x.school_id: n for n, x in enumerate(keyed)}
        self.changePersistentIndexList(before, [self.index(rows[s], c) for s, c in ids])
        self.layoutChanged.emit()


# --- objectivity and the exams -------------------------------------------------------------
def _share(value: float | None) -> str:
    return format_metric(value)


class ObjectivityModel(RecordTableModel):
    """ВПР marks against the journal per school; the shares past the threshold are marked."""

    CONTEXT = "results"
    COLUMNS = (
        Column("Школа", lambda r: r.school, cell_tooltip=lambda r: r.school),
        Column("Группа", lambda r: group_short(r.group_code)),
        Column(
            "Сравнили",
            lambda r: format_number(r.counts.compared, 0),
            "Учеников, чья отметка за ВПР сравнена с журнальной",
            right=True,
            sort=lambda r: r.counts.compared,
        ),
        Column("Понизили, %", lambda r: _share(r.lowered), right=True, sort=lambda r: r.lowered),
        Column(
            "Подтвердили, %", lambda r: _share(r.confirmed), right=True, sort=lambda r: r.confirmed
        ),
        Column("Повысили, %", lambda r: _share(r.raised), right=True, sort=lambda r: r.raised),
        Column("Вывод", lambda r: objectivity_verdict(r)),  # noqa: PLW0108 (defined below)
    )
    COL_SCHOOL, COL_GROUP, COL_COMPARED, COL_LOWERED, COL_CONFIRMED, COL_RAISED, COL_VERDICT = (
        range(7)
    )

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent, key=lambda r: r.school_id)

    def set_objectivity(self, report: Objectivity | None) -> None:
        """Show the schools of a report (flagged first, then by name)."""
        rows = [] if report is None else sorted(report.rows, key=lambda r: not r.flagged)
        self.set_rows(rows)

    def extra_data(self, record: ObjectivityRow, column: int, role: int) -> Any:
        flagged = (column == self.COL_LOWERED and record.lowered_flag) or (
            column == self.COL_RAISED and record.raised_flag
        )
        if role == Qt.ItemDataRole.BackgroundRole and flagged:
            return QBrush(FLAG_BACK)
        if role == Qt.ItemDataRole.FontRole and column == self.COL_VERDICT and record.flagged:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.ForegroundRole and column == self.COL_VERDICT and record.flagged:
            return QBrush(WORSE)
        if role == Qt.ItemDataRole.ToolTipRole and flagged:
            return _tr("Выше порога необъективности ({0} %)").format(
                format_number(record.threshold, 1).removesuffix(",0")
            )
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sort the few rows shown in place (missing figures last)."""
        _sort_records(self, column, order)


def objectivity_verdict(row: ObjectivityRow) -> str:
    """What the shares say: «понижение выше порога», «повышение выше порога», «в норме»."""
    if row.lowered is None:
        return _tr("нет сравнения")
    parts = []
    if row.lowered_flag:
        parts.append(_tr("понижение выше порога"))
    if row.raised_flag:
        parts.append(_tr("повышение выше порога"))
    return _capital(", ".join(parts)) if parts else _tr("в пределах порога")


class ExamModel(RecordTableModel):
    """ОГЭ / ЕГЭ / ГВЭ per school against the district mean, and the share below the minimum."""

    CONTEXT = "results"
    COLUMNS = (
        Column("Школа", lambda r: r.school, cell_tooltip=lambda r: r.school),
        Column("Группа", lambda r: group_short(r.group_code)),
        Column(
            "Участв.",
            lambda r: format_number(r.counts.participants, 0),
            right=True,
            sort=lambda r: r.counts.participants,
        ),
        Column(
            "Средний балл",
            lambda r: format_metric(r.mean_score),
            right=True,
            sort=lambda r: r.mean_score,
        ),
        Column(
            "От среднего по району",
            lambda r: format_change(r.difference, METRIC_BY_KEY["mean_score"]),
            "Средний балл школы минус средний балл района",
            right=True,
            sort=lambda r: r.difference,
        ),
        Column(
            "Ниже мин., чел.",
            lambda r: format_number(r.counts.below_minimum, 0),
            right=True,
            sort=lambda r: r.counts.below_minimum,
        ),
        Column(
            "Ниже мин., %",
            lambda r: format_metric(r.below_minimum),
            right=True,
            sort=lambda r: r.below_minimum,
        ),
    )
    (
        COL_SCHOOL,
        COL_GROUP,
        COL_PARTICIPANTS,
        COL_MEAN,
        COL_DIFFERENCE,
        COL_BELOW,
        COL_BELOW_SHARE,
    ) = range(7)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent, key=lambda r: r.school_id)

    def set_comparison(self, comparison: ExamComparison | None) -> None:
        """Show the schools of a comparison."""
        self.set_rows([] if comparison is None else list(comparison.rows))

    def extra_data(self, record: ExamRow, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.ForegroundRole and column == self.COL_DIFFERENCE:
            colour = change_colour(record.difference, METRIC_BY_KEY["mean_score"])
            return QBrush(colour) if colour is not None else None
        if role == Qt.ItemDataRole.ToolTipRole and column == self.COL_DIFFERENCE:
            if record.difference is None:
                return None
            return (
                _tr("Ниже среднего по району")
                if record.below_district
                else _tr("Не ниже среднего по району")
            )
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sort the few rows shown in place (missing figures last)."""
        _sort_records(self, column, order)


def _sort_records(model: RecordTableModel, column: int, order: Qt.SortOrder) -> None:
    """Sort a small in-memory table by a column's sort key (None last in either order)."""
    if not 0 <= column < len(model.COLUMNS):
        return
    spec = model.COLUMNS[column]
    key = spec.sort or spec.text
    records = model.records()
    present = [r for r in records if key(r) is not None]
    missing = [r for r in records if key(r) is None]
    present.sort(key=key, reverse=order == Qt.SortOrder.DescendingOrder)
    model.set_rows(present + missing)
