"""Item models of the «Риск-профили» page: the matrix, one school's profile, the list of factors.

A cell of a factor reads «В 2»: the level's letter (В — высокий, С — средний,
Н — низкий: the colours are also told in print and to a colour-blind reader)
and the number of anti-risk measures.  Its background follows a sequential
orange–red scale (ColorBrewer OrRd: ordered by lightness, so it survives
grey printing and the common colour-vision deficiencies); a generated level
is in italics.  The matrix ends with a footer row: the count of schools with
each factor; its last column counts each school's factors.

:class:`RotatedHeaderView` writes the factors' short names upwards, so twelve
factors fit beside the school names on a 1366-pixel screen.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QRect,
    QSize,
    Qt,
)
from PySide6.QtGui import QColor, QFont, QPainter, QPen
from PySide6.QtWidgets import (
    QHeaderView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionHeader,
    QStyleOptionViewItem,
    QWidget,
)

from shnor_desktop.models.risks import (
    LEVEL_LETTERS,
    LEVELS,
    FactorCount,
    MatrixSchool,
    RiskFactor,
    RiskMatrix,
    RiskProfile,
    SchoolRisk,
)
from shnor_desktop.models.text import school_year_label
from shnor_desktop.ui.common import ROLE_ID, ROLE_RECORD, ROLE_SORT
from shnor_desktop.ui.table_model import Column, RecordTableModel

AnyIndex = QModelIndex | QPersistentModelIndex

LEVEL_COLOURS: dict[str, QColor] = {
    "низкий": QColor("#fdd49e"),
    "средний": QColor("#fc8d59"),
    "высокий": QColor("#d7301f"),
}
"""Background of a cell by level: light to dark, ordered by lightness."""
LEVEL_TEXT_COLOURS: dict[str, QColor] = {
    "низкий": QColor("#000000"),
    "средний": QColor("#000000"),
    "высокий": QColor("#ffffff"),
}
FOOTER_COLOUR = QColor("#eceff3")
ROLE_ROTATED = Qt.ItemDataRole.UserRole + 20
"""Header data: True for a column whose head is written upwards (a factor)."""
_CENTRE = int(Qt.AlignmentFlag.AlignCenter)
_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
_ITALIC = QFont()
_ITALIC.setItalic(True)
_BOLD = QFont()
_BOLD.setBold(True)
_BOLD_ITALIC = QFont()
_BOLD_ITALIC.setBold(True)
_BOLD_ITALIC.setItalic(True)


def tr(text: str) -> str:
    """Translate a source string of the risk profiles page."""
    return QCoreApplication.translate("risks", text)


def level_name(level: str) -> str:
    """The level as the user reads it."""
    return tr(level)


def cell_text(level: str, measures: int) -> str:
    """«В 2»: the level's letter and the number of measures."""
    return f"{LEVEL_LETTERS.get(level, '?')}\u00a0{measures}"


def measures_word(count: int) -> str:
    """«мера», «меры», «мер» after ``count``."""
    tens, units = count % 100, count % 10
    if 11 <= tens <= 14 or units == 0 or units >= 5:
        return tr("мер")
    return tr("мера") if units == 1 else tr("меры")


def schools_word(count: int) -> str:
    """«школа», «школы», «школ» after ``count``."""
    tens, units = count % 100, count % 10
    if 11 <= tens <= 14 or units == 0 or units >= 5:
        return tr("школ")
    return tr("школа") if units == 1 else tr("школы")


def factor_heading(factor: RiskFactor, number: int) -> str:
    """«3. Компетентность педагогов»: the place in the list and the short name."""
    return f"{number}. {factor.label}"


def factor_tooltip(factor: RiskFactor) -> str:
    """The factor's name in full, its years and description."""
    lines = [factor.name, tr("Действует: %1").replace("%1", factor.years_text)]
    if factor.description:
        lines.append(factor.description)
    return "\n".join(lines)


def count_text(count: FactorCount) -> str:
    """«В 1 · С 2 · Н 1»: a factor's schools by level."""
    return " · ".join(
        f"{LEVEL_LETTERS[level]} {value}"
        for level, value in (
            ("высокий", count.high),
            ("средний", count.medium),
            ("низкий", count.low),
        )
    )


def _cell_tooltip(
    factor: RiskFactor, level: str, measures: int, linked: int, generated: bool
) -> str:
    lines = [
        factor.name,
        tr("Уровень: %1").replace("%1", level_name(level)),
        tr("Антирисковых мер: %1").replace("%1", str(measures))
        + (
            tr(", из них связано с дорожной картой: %1").replace("%1", str(linked))
            if linked
            else ""
        ),
    ]
    if generated:
        lines.append(tr("Уровень сгенерирован для демонстрации."))
    lines.append(tr("Щелчок или Enter — изменить уровень и меры."))
    return "\n".join(lines)


def _level_data(level: str, role: int, generated: bool) -> Any:
    if role == Qt.ItemDataRole.BackgroundRole:
        return LEVEL_COLOURS.get(level)
    if role == Qt.ItemDataRole.ForegroundRole:
        return LEVEL_TEXT_COLOURS.get(level)
    if role == Qt.ItemDataRole.TextAlignmentRole:
        return _CENTRE
    if role == Qt.ItemDataRole.FontRole:
        return _BOLD_ITALIC if generated else _BOLD
    if role == ROLE_SORT:
        return LEVELS.index(level) + 1 if level in LEVELS else 0
    return None


class RiskMatrixModel(QAbstractTableModel):
    """Schools × factors of a school year; the last row counts the schools per factor.

    Column 0 is the school, then one column per factor, then the school's
    count of factors.  ``ROLE_ID`` of a cell is ``(school_id, factor_id)``,
    ``ROLE_RECORD`` its :class:`MatrixCell` (None: the factor does not apply).
    """

    COL_SCHOOL = 0

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.matrix = RiskMatrix(0)

    # --- content ------------------------------------------------------------------------------
    def set_matrix(self, matrix: RiskMatrix) -> None:
        """Show another matrix (cells changed in place when the rows and columns stay)."""
        same_shape = (
            [s.id for s in matrix.schools] == [s.id for s in self.matrix.schools]
            and [f.id for f in matrix.factors] == [f.id for f in self.matrix.factors]
            and matrix.year == self.matrix.year
        )
        if same_shape:
            self.matrix = matrix
            if self.rowCount() and self.columnCount():
                self.dataChanged.emit(
                    self.index(0, 0), self.index(self.rowCount() - 1, self.columnCount() - 1)
                )
            return
        self.beginResetModel()
        self.matrix = matrix
        self.endResetModel()

    @property
    def col_total(self) -> int:
        """The column of each school's count of factors."""
        return len(self.matrix.factors) + 1

    @property
    def footer_row(self) -> int:
        """The row of the counts per factor."""
        return len(self.matrix.schools)

    def factor_at(self, column: int) -> RiskFactor | None:
        """The factor of a column (None for the school and total columns)."""
        if 1 <= column <= len(self.matrix.factors):
            return self.matrix.factors[column - 1]
        return None

    def school_at(self, row: int) -> MatrixSchool | None:
        """The school of a row (None for the footer)."""
        if 0 <= row < len(self.matrix.schools):
            return self.matrix.schools[row]
        return None

    def index_of(self, school_id: int, factor_id: int) -> QModelIndex:
        """The cell of a school and a factor (invalid when not shown)."""
        row = next((i for i, s in enumerate(self.matrix.schools) if s.id == school_id), -1)
        column = next((i + 1 for i, f in enumerate(self.matrix.factors) if f.id == factor_id), -1)
        if row < 0 or column < 0:
            return QModelIndex()
        return self.index(row, column)

    # --- Qt overrides -------------------------------------------------------------------------
    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008, N802
        if parent.isValid() or not self.matrix.factors:
            return 0
        return len(self.matrix.schools) + 1

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008, N802
        if parent.isValid() or not self.matrix.factors:
            return 0
        return len(self.matrix.factors) + 2

    def headerData(  # noqa: N802
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < self.columnCount():
            return None
        factor = self.factor_at(section)
        if role == Qt.ItemDataRole.DisplayRole:
            if factor is not None:
                return factor_heading(factor, section)
            return tr("Школа") if section == self.COL_SCHOOL else tr("Факторов")
        if role == Qt.ItemDataRole.ToolTipRole:
            if factor is not None:
                return factor_tooltip(factor)
            if section == self.col_total:
                return tr("Сколько факторов риска у школы (В — высоких)")
            return None
        if role == ROLE_ROTATED:
            return factor is not None
        if role == ROLE_ID:
            return None if factor is None else factor.id
        return None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:  # noqa: PLR0911
        if not index.isValid() or not 0 <= index.row() < self.rowCount():
            return None
        row, column = index.row(), index.column()
        if row == self.footer_row:
            return self._footer(column, role)
        school = self.matrix.schools[row]
        if column == self.COL_SCHOOL:
            if role == Qt.ItemDataRole.DisplayRole:
                return school.short_name
            if role == Qt.ItemDataRole.ToolTipRole:
                return school.full_name
            if role in (ROLE_ID, ROLE_SORT):
                return school.id if role == ROLE_ID else school.short_name
            return None
        if column == self.col_total:
            if role == Qt.ItemDataRole.DisplayRole:
                return f"{school.factors}" + (f" (В {school.high})" if school.high else "")
            if role == Qt.ItemDataRole.TextAlignmentRole:
                return _CENTRE
            if role == Qt.ItemDataRole.ToolTipRole:
                return (
                    tr("Высокий — %1, средний — %2, низкий — %3")
                    .replace("%1", str(school.high))
                    .replace("%2", str(school.medium))
                    .replace("%3", str(school.low))
                )
            if role == ROLE_SORT:
                return school.factors
            return None
        factor = self.matrix.factors[column - 1]
        cell = self.matrix.cell(school.id, factor.id)
        if role == ROLE_ID:
            return (school.id, factor.id)
        if role == ROLE_RECORD:
            return cell
        if cell is None:
            if role == Qt.ItemDataRole.ToolTipRole:
                return factor.name + "\n" + tr("Фактор не выявлен. Щелчок или Enter — указать.")
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return cell_text(cell.level, cell.measures)
        if role == Qt.ItemDataRole.ToolTipRole:
            return _cell_tooltip(factor, cell.level, cell.measures, cell.linked, cell.generated)
        return _level_data(cell.level, role, cell.generated)

    def _footer(self, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.BackgroundRole:
            return FOOTER_COLOUR
        if role == Qt.ItemDataRole.FontRole:
            return _BOLD
        factor = self.factor_at(column)
        if column == self.COL_SCHOOL:
            if role == Qt.ItemDataRole.DisplayRole:
                return tr("Школ с фактором")
            if role == Qt.ItemDataRole.ToolTipRole:
                return tr("Сколько показанных школ имеют фактор риска")
            return None
        if factor is None:  # the total column: how many schools are shown
            if role == Qt.ItemDataRole.DisplayRole:
                return str(len(self.matrix.schools))
            if role == Qt.ItemDataRole.TextAlignmentRole:
                return _CENTRE
            if role == Qt.ItemDataRole.ToolTipRole:
                return tr("Школ в таблице")
            return None
        count = self.matrix.count(factor.id)
        if role == Qt.ItemDataRole.DisplayRole:
            return str(count.schools)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return _CENTRE
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{factor.name}\n" + tr("%1 %2: %3").replace("%1", str(count.schools)).replace(
                "%2", schools_word(count.schools)
            ).replace("%3", count_text(count))
        if role == ROLE_RECORD:
            return count
        return None

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        if index.row() == self.footer_row:
            return Qt.ItemFlag.ItemIsEnabled
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable


class RiskProfileModel(QAbstractTableModel):
    """One school's factors (rows) over the school years (columns)."""

    COL_FACTOR = 0

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.profile = RiskProfile(0)

    def set_profile(self, profile: RiskProfile) -> None:
        """Show another school's profile."""
        self.beginResetModel()
        self.profile = profile
        self.endResetModel()

    def factor_at(self, row: int) -> RiskFactor | None:
        """The factor of a row."""
        factors = self.profile.factors
        return factors[row] if 0 <= row < len(factors) else None

    def year_at(self, column: int) -> int | None:
        """The school year of a column (None for the factor column)."""
        years = self.profile.years
        return years[column - 1] if 1 <= column <= len(years) else None

    def risk_at(self, index: AnyIndex) -> SchoolRisk | None:
        """The factor of a row in the year of a column (None: it did not apply)."""
        factor, year = self.factor_at(index.row()), self.year_at(index.column())
        if factor is None or year is None:
            return None
        return self.profile.risk(year, factor.id)

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.profile.factors)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008, N802
        if parent.isValid() or not self.profile.factors:
            return 0
        return len(self.profile.years) + 1

    def headerData(  # noqa: N802
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < self.columnCount():
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            year = self.year_at(section)
            return tr("Фактор риска") if year is None else school_year_label(year)
        return None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:  # noqa: PLR0911
        if not index.isValid() or not 0 <= index.row() < self.rowCount():
            return None
        factor = self.profile.factors[index.row()]
        if index.column() == self.COL_FACTOR:
            if role == Qt.ItemDataRole.DisplayRole:
                return factor.name
            if role == Qt.ItemDataRole.ToolTipRole:
                return factor_tooltip(factor)
            if role == ROLE_ID:
                return factor.id
            return None
        year = self.year_at(index.column())
        risk = self.risk_at(index)
        if role == ROLE_ID:
            return (year, factor.id)
        if role == ROLE_RECORD:
            return risk
        if risk is None:
            if role == Qt.ItemDataRole.ToolTipRole:
                return tr("Фактор не выявлен.")
            return None
        linked = sum(1 for m in risk.measures if m.activity_id is not None)
        if role == Qt.ItemDataRole.DisplayRole:
            return cell_text(risk.level, len(risk.measures))
        if role == Qt.ItemDataRole.ToolTipRole:
            return _cell_tooltip(factor, risk.level, len(risk.measures), linked, risk.generated)
        return _level_data(risk.level, role, risk.generated)

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable


class FactorTableModel(RecordTableModel):
    """The reference list of factors in its order."""

    CONTEXT = "FactorTableModel"
    COLUMNS = (
        Column("№", lambda f: str(f.sort_order + 1), right=True, sort=lambda f: f.sort_order),
        Column("Код", lambda f: f.code),
        Column("Фактор риска", lambda f: f.name, cell_tooltip=lambda f: f.description or None),
        Column("Кратко", lambda f: f.short_name),
        Column("Действует", lambda f: f.years_text, sort=lambda f: f.since_year or 0),
    )
    COL_NUMBER, COL_CODE, COL_NAME, COL_SHORT, COL_YEARS = range(len(COLUMNS))

    def record(self, row: int) -> RiskFactor:
        """The factor of a row."""
        factor: RiskFactor = super().record(row)
        return factor


class RotatedHeaderView(QHeaderView):
    """A horizontal header that writes the heads of marked columns upwards (``ROLE_ROTATED``)."""

    MAX_HEIGHT = 240

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(Qt.Orientation.Horizontal, parent)
        self.setDefaultAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setSectionsClickable(False)

    def _rotated(self, logical: int) -> bool:
        model = self.model()
        return bool(
            model is not None and model.headerData(logical, self.orientation(), ROLE_ROTATED)
        )

    def sizeHint(self) -> QSize:  # noqa: N802
        """Tall enough for the longest upward head (within :attr:`MAX_HEIGHT`)."""
        hint = super().sizeHint()
        model = self.model()
        if model is None:
            return hint
        metrics = self.fontMetrics()
        longest = 0
        for logical in range(model.columnCount()):
            if self._rotated(logical):
                text = str(model.headerData(logical, self.orientation()) or "")
                longest = max(longest, metrics.horizontalAdvance(text) + 14)
        return QSize(hint.width(), max(hint.height(), min(longest, self.MAX_HEIGHT)))

    def paintSection(self, painter: QPainter, rect: QRect, logical: int) -> None:  # noqa: N802
        """The frame as the style draws it; an upward head written bottom to top."""
        if not self._rotated(logical):
            super().paintSection(painter, rect, logical)
            return
        option = QStyleOptionHeader()
        self.initStyleOption(option)
        option.rect = rect
        option.section = logical
        option.text = ""
        painter.save()
        self.style().drawControl(QStyle.ControlElement.CE_Header, option, painter, self)
        painter.restore()
        model = self.model()
        text = str(model.headerData(logical, self.orientation()) or "") if model else ""
        painter.save()
        painter.translate(rect.left(), rect.bottom())
        painter.rotate(-90)
        area = QRect(6, 0, rect.height() - 10, rect.width())
        elided = self.fontMetrics().elidedText(text, Qt.TextElideMode.ElideRight, area.width())
        painter.setPen(self.palette().buttonText().color())
        painter.drawText(
            area, int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter), elided
        )
        painter.restore()


class LevelDelegate(QStyledItemDelegate):
    """Keeps a cell's level colour when it is selected: the selection is a frame around it.

    A selection painted over the cell would hide the very colour the matrix is read by.
    """

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: AnyIndex) -> None:
        """The cell as unselected, then a frame in the highlight colour when selected."""
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        if not selected or index.data(Qt.ItemDataRole.BackgroundRole) is None:
            super().paint(painter, option, index)
            return
        plain = QStyleOptionViewItem(option)
        plain.state &= ~QStyle.StateFlag.State_Selected
        super().paint(painter, plain, index)
        painter.save()
        pen = QPen(option.palette.highlight().color())
        pen.setWidth(3)
        painter.setPen(pen)
        painter.drawRect(option.rect.adjusted(1, 1, -2, -2))
        painter.restore()
