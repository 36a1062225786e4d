"""«Настройки»: the ВПР objectivity threshold and the rules that suggest the groups.

The rules show as a tree — rule, its blocks, their conditions — with the
thresholds, the years in a row and the fewest participants editable in
place.  A value that cannot be a threshold stays as typed, marked, with the
reason under the tree; «Сохранить» refuses while one is left.  «Сбросить по
умолчанию» puts the documented defaults back into the form.  Saving writes
every setting in one change set (Правка → Отменить takes it back).
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any, Final

from PySide6.QtCore import (
    QAbstractItemModel,
    QCoreApplication,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from shnor_desktop.models.changelog import ChangeSetInfo
from shnor_desktop.models.database import Database
from shnor_desktop.models.errors import DomainError
from shnor_desktop.models.fields import FieldIssue, InvalidValueError
from shnor_desktop.models.identification import (
    DEFAULT_RULES,
    MAX_YEARS,
    RULES_SETTING,
    Block,
    Condition,
    Rule,
    RuleSet,
    condition_from_json,
    condition_to_json,
    load_rules,
    rules_from_json,
    rules_to_json,
)
from shnor_desktop.models.settings import OBJECTIVITY_THRESHOLD
from shnor_desktop.models.text import format_number, format_share, parse_number
from shnor_desktop.services import identification as wording
from shnor_desktop.services.messages import describe_error, describe_issue
from shnor_desktop.ui.widgets import error_label

AnyIndex = QModelIndex | QPersistentModelIndex
ERROR_BACKGROUND: Final = QColor("#fde2e1")
ERROR_TEXT: Final = QColor("#b00020")
_UNITS: Final = re.compile(r"\s*(п\.\s*п\.|пп|км|чел\.?|мбит/с|%)\s*$", re.IGNORECASE)


def _tr(text: str) -> str:
    return QCoreApplication.translate("settings", text)


def parse_threshold(text: str) -> float:
    """A threshold as typed: «−15», «-15,0 п.п.», «25 %», «40 км»; ValueError if none."""
    cleaned = _UNITS.sub("", text.strip().replace(wording.MINUS, "-"))
    value = parse_number(cleaned.lstrip("+") if cleaned.startswith("+") else cleaned)
    if value is None:
        raise ValueError(text)
    return value


# Where an item sits: (rule,), (rule, block) or (rule, block, condition).
Path = tuple[int, ...]
_SHIFT: Final = 10
_MASK: Final = (1 << _SHIFT) - 1


def _encode(path: Path) -> int:
    """A path as the item's internal id (each level + 1 in 10 bits; 0 is the root)."""
    value = 0
    for level, place in enumerate(path):
        value |= (place + 1) << (_SHIFT * (2 - level))
    return value


def _decode(value: int) -> Path:
    parts = [(value >> (_SHIFT * (2 - level))) & _MASK for level in range(3)]
    path: list[int] = []
    for part in parts:
        if part == 0:
            break
        path.append(part - 1)
    return tuple(path)


class RulesModel(QAbstractItemModel):
    """The rules as a tree: rule → block → condition, thresholds editable in place.

    Edits are checked by the domain's checks at once; a refused one keeps
    the typed text (shown marked) and its reason, the rule keeps its last
    good value, and :meth:`errors` lists what is left to correct.
    """

    COL_NAME, COL_COMPARE, COL_THRESHOLD, COL_YEARS, COL_MIN = range(5)
    HEADERS: Final = (
        "Правило / условие",
        "Сравнение",
        "Порог",
        "Лет подряд",
        "Мин. участников",
    )
    TOOLTIPS: Final = (
        "Правила проверяются сверху вниз: школе предлагается группа первого выполненного",
        "С чем сравнивается показатель школы",
        "Порог условия (доли — в %, разница с районным — в п.п.)",
        "Сколько лет подряд должно выполняться условие",
        "Меньше участников — показатель школы за год не учитывается",
    )

    sig_issue = Signal(str)  # the reason of the latest refused value ("" when none is left)

    def __init__(self, rules: RuleSet, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rules = rules
        self._errors: dict[tuple[Path, int], tuple[str, str]] = {}

    # --- the rules -------------------------------------------------------------------------
    def ruleset(self) -> RuleSet:
        """The rules as edited (the refused values left out: see :meth:`errors`)."""
        return self._rules

    def set_ruleset(self, rules: RuleSet) -> None:
        """Show other rules (the defaults, say); refused values are forgotten."""
        self.beginResetModel()
        self._rules = rules
        self._errors.clear()
        self.endResetModel()
        self.sig_issue.emit("")

    def errors(self) -> list[str]:
        """The reasons of the values still refused, each with its place."""
        return [message for _text, message in self._errors.values()]

    def first_error_index(self) -> QModelIndex:
        """The index of the first refused value (invalid when none)."""
        if not self._errors:
            return QModelIndex()
        path, column = min(self._errors)
        return self._index_of(path, column)

    def _index_of(self, path: Path, column: int) -> QModelIndex:
        index = QModelIndex()
        for place in path:
            index = self.index(place, 0, index)
        return index.siblingAtColumn(column) if index.isValid() else index

    def _rule(self, path: Path) -> Rule:
        return self._rules.rules[path[0]]

    def _block(self, path: Path) -> Block:
        return self._rule(path).blocks[path[1]]

    def _condition(self, path: Path) -> Condition:
        return self._block(path).conditions[path[2]]

    def _replace_condition(self, path: Path, condition: Condition) -> None:
        block = self._block(path)
        conditions = list(block.conditions)
        conditions[path[2]] = condition
        self._replace_block(path, replace(block, conditions=tuple(conditions)))

    def _replace_block(self, path: Path, block: Block) -> None:
        rule = self._rule(path)
        blocks = list(rule.blocks)
        blocks[path[1]] = block
        self._replace_rule(path, replace(rule, blocks=tuple(blocks)))

    def _replace_rule(self, path: Path, rule: Rule) -> None:
        rules = list(self._rules.rules)
        rules[path[0]] = rule
        self._rules = replace(self._rules, rules=tuple(rules))

    # --- tree ------------------------------------------------------------------------------
    def index(self, row: int, column: int, parent: AnyIndex = QModelIndex()) -> QModelIndex:  # noqa: B008
        if not self.hasIndex(row, column, parent):
            return QModelIndex()
        base: Path = _decode(int(parent.internalId())) if parent.isValid() else ()
        return self.createIndex(row, column, _encode((*base, row)))

    def parent(self, child: AnyIndex = QModelIndex()) -> QModelIndex:  # type: ignore[override]  # noqa: B008
        if not child.isValid():
            return QModelIndex()
        path = _decode(int(child.internalId()))
        if len(path) <= 1:
            return QModelIndex()
        up = path[:-1]
        return self.createIndex(up[-1], 0, _encode(up))

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008, N802
        if not parent.isValid():
            return len(self._rules.rules)
        if parent.column() != 0:
            return 0
        path = _decode(int(parent.internalId()))
        if len(path) == 1:
            return len(self._rule(path).blocks)
        if len(path) == 2:  # noqa: PLR2004 (a block)
            return len(self._block(path).conditions)
        return 0

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return len(self.HEADERS)

    def headerData(  # noqa: N802
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self.HEADERS):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return _tr(self.HEADERS[section])
        if role == Qt.ItemDataRole.ToolTipRole:
            return _tr(self.TOOLTIPS[section])
        return None

    # --- cells -----------------------------------------------------------------------------
    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if self._editable(_decode(int(index.internalId())), index.column()):
            base |= Qt.ItemFlag.ItemIsEditable
        path = _decode(int(index.internalId()))
        if len(path) == 1 and index.column() == self.COL_NAME:
            base |= Qt.ItemFlag.ItemIsUserCheckable
        return base

    def _editable(self, path: Path, column: int) -> bool:
        if len(path) == 3:  # noqa: PLR2004 (a condition)
            if column in (self.COL_THRESHOLD, self.COL_YEARS):
                return True
            return column == self.COL_MIN and self._condition(path).is_result
        if len(path) == 2:  # noqa: PLR2004 (a block: «не менее k из n»)
            block = self._block(path)
            return column == self.COL_THRESHOLD and block.at_least is not None
        return False

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:  # noqa: PLR0911
        if not index.isValid():
            return None
        path = _decode(int(index.internalId()))
        column = index.column()
        error = self._errors.get((path, column))
        if error is not None:
            if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
                return error[0]
            if role == Qt.ItemDataRole.ToolTipRole:
                return error[1]
            if role == Qt.ItemDataRole.BackgroundRole:
                return QBrush(ERROR_BACKGROUND)
            if role == Qt.ItemDataRole.ForegroundRole:
                return QBrush(ERROR_TEXT)
        if role == Qt.ItemDataRole.CheckStateRole and len(path) == 1 and column == self.COL_NAME:
            return Qt.CheckState.Checked if self._rule(path).enabled else Qt.CheckState.Unchecked
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(path, column)
        if role == Qt.ItemDataRole.EditRole:
            return self._edit_text(path, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(path, column)
        if role == Qt.ItemDataRole.TextAlignmentRole and column >= self.COL_THRESHOLD:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def _display(self, path: Path, column: int) -> str:  # noqa: PLR0911 (one text per cell kind)
        if len(path) == 1:
            return wording.rule_text(self._rule(path)) if column == self.COL_NAME else ""
        if len(path) == 2:  # noqa: PLR2004
            block = self._block(path)
            if column == self.COL_NAME:
                return wording.block_text(block)
            if column == self.COL_THRESHOLD and block.at_least is not None:
                return _tr("{0} из {1}").format(block.at_least, len(block.conditions))
            return ""
        c = self._condition(path)
        if column == self.COL_NAME:
            return wording.measure_text(c)
        if column == self.COL_COMPARE:
            return wording.compare_text(c)
        if column == self.COL_THRESHOLD:
            return wording.threshold_text(c)
        if column == self.COL_YEARS:
            return str(c.years)
        if column == self.COL_MIN:
            return str(c.min_participants) if c.is_result else "—"
        return ""

    def _edit_text(self, path: Path, column: int) -> str:
        if len(path) == 2 and column == self.COL_THRESHOLD:  # noqa: PLR2004
            return str(self._block(path).at_least or "")
        if len(path) != 3:  # noqa: PLR2004
            return ""
        c = self._condition(path)
        if column == self.COL_THRESHOLD:
            return format_number(c.threshold, 2).rstrip("0").rstrip(",")
        if column == self.COL_YEARS:
            return str(c.years)
        if column == self.COL_MIN:
            return str(c.min_participants)
        return ""

    def _tooltip(self, path: Path, column: int) -> str | None:
        if len(path) == 1 and column == self.COL_NAME:
            order = [i for i, _r in self._rules.ordered()]
            rule = self._rule(path)
            place = order.index(path[0]) + 1 if path[0] in order else None
            text = wording.rule_text(rule)
            if place is not None:
                text += "\n" + _tr("Проверяется {0}-м (приоритет {1})").format(place, rule.priority)
            else:
                text += "\n" + _tr("Выключено: не проверяется")
            return text
        if len(path) == 3 and column == self.COL_NAME:  # noqa: PLR2004
            c = self._condition(path)
            return (
                f"{wording.measure_text(c)}: {wording.compare_text(c)} {wording.threshold_text(c)}"
            )
        return None

    # --- editing ---------------------------------------------------------------------------
    def setData(self, index: AnyIndex, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:  # noqa: N802
        if not index.isValid():
            return False
        path = _decode(int(index.internalId()))
        column = index.column()
        if role == Qt.ItemDataRole.CheckStateRole and len(path) == 1 and column == self.COL_NAME:
            enabled = Qt.CheckState(value) == Qt.CheckState.Checked
            self._replace_rule(path, replace(self._rule(path), enabled=enabled))
            self.dataChanged.emit(index, index, [role])
            return True
        if role != Qt.ItemDataRole.EditRole or not self._editable(path, column):
            return False
        text = str(value).strip()
        try:
            if len(path) == 2:  # noqa: PLR2004
                self._set_at_least(path, text)
            else:
                self._set_condition_value(path, column, text)
        except InvalidValueError as exc:
            message = wording.rules_issue_text(exc.issue)
            self._errors[(path, column)] = (text, message)
            self.dataChanged.emit(index, index)
            self.sig_issue.emit(message)
            return True  # what was typed stays, marked, until it is corrected
        self._errors.pop((path, column), None)
        first = self.index(index.row(), 0, index.parent())
        self.dataChanged.emit(first, first.siblingAtColumn(self.COL_MIN))
        self.sig_issue.emit(self.errors()[-1] if self._errors else "")
        return True

    def _set_condition_value(self, path: Path, column: int, text: str) -> None:
        c = self._condition(path)
        key = _KEYS[column]
        try:
            number: float = parse_threshold(text) if key == "threshold" else _whole(text)
        except ValueError:
            code = "not_number" if key == "threshold" else "not_integer"
            raise InvalidValueError(
                FieldIssue(RULES_SETTING.key, code, "error", (path, key, text))
            ) from None
        raw = condition_to_json(c)
        raw[key] = number
        self._replace_condition(path, condition_from_json(raw, path))

    def _set_at_least(self, path: Path, text: str) -> None:
        block = self._block(path)
        try:
            k = _whole(text)
        except ValueError:
            raise InvalidValueError(
                FieldIssue(RULES_SETTING.key, "not_integer", "error", (path, "at_least", text))
            ) from None
        count = len(block.conditions)
        if not 1 <= k <= count:
            raise InvalidValueError(
                FieldIssue(
                    RULES_SETTING.key, "out_of_range", "error", (path, "at_least", k, 1, count)
                )
            )
        self._replace_block(path, replace(block, at_least=int(k)))


_KEYS: Final = {
    RulesModel.COL_THRESHOLD: "threshold",
    RulesModel.COL_YEARS: "years",
    RulesModel.COL_MIN: "min_participants",
}


def _whole(text: str) -> int:
    value = parse_number(text)
    if value is None or not float(value).is_integer():
        raise ValueError(text)
    return int(value)


class SettingsDialog(QDialog):
    """Edits the thresholds and the identification rules; saves them in one change set."""

    sig_saved = Signal(object)  # ChangeSetInfo | None

    def __init__(self, db: Database, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.setWindowTitle(self.tr("Настройки"))
        self.setObjectName("settings_dialog")
        self.saved: ChangeSetInfo | None = None

        objectivity = QGroupBox(self.tr("Объективность ВПР"), self)
        form = QFormLayout(objectivity)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.FieldsStayAtSizeHint)
        self.threshold = QLineEdit(objectivity)
        self.threshold.setObjectName("field_objectivity")
        self.threshold.setMaximumWidth(90)
        self.threshold.setToolTip(wording.capitalised(OBJECTIVITY_THRESHOLD.label))
        line = QHBoxLayout()
        line.addWidget(self.threshold)
        line.addWidget(QLabel("%", objectivity))
        line.addStretch(1)
        self.threshold_error = error_label(objectivity, "error_objectivity")
        form.addRow(self.tr("Порог необъективности (понизили или повысили отметку):"), line)
        # The reason takes the whole width of the group: under a narrow field it would be cut.
        form.addRow(self.threshold_error)

        rules_box = QGroupBox(self.tr("Правила отнесения школ к группам"), self)
        rules_layout = QVBoxLayout(rules_box)
        offset_line = QHBoxLayout()
        offset_line.addWidget(QLabel(self.tr("Группы учебного года определяются по результатам:")))
        self.offset = QComboBox(rules_box)
        self.offset.setObjectName("field_results_offset")
        self.offset.addItem(self.tr("прошлого учебного года и лет до него"), 1)
        self.offset.addItem(self.tr("того же учебного года и лет до него"), 0)
        offset_line.addWidget(self.offset)
        offset_line.addStretch(1)
        rules_layout.addLayout(offset_line)
        self.model = RulesModel(DEFAULT_RULES, self)
        self.model.sig_issue.connect(self._on_model_issue)
        self.tree = QTreeView(rules_box)
        self.tree.setObjectName("rules_tree")
        self.tree.setModel(self.model)
        self.tree.setAlternatingRowColors(True)
        self.tree.setUniformRowHeights(True)
        self.tree.setEditTriggers(
            QTreeView.EditTrigger.DoubleClicked
            | QTreeView.EditTrigger.EditKeyPressed
            | QTreeView.EditTrigger.AnyKeyPressed
            | QTreeView.EditTrigger.SelectedClicked
        )
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(RulesModel.COL_NAME, QHeaderView.ResizeMode.Stretch)
        rules_layout.addWidget(self.tree, 1)
        hint = QLabel(
            self.tr(
                "Правила проверяются сверху вниз: школе предлагается группа первого правила, "
                "условия которого выполнены. Порог меняется двойным щелчком или клавишей F2; "
                "флажок включает и выключает правило."
            ),
            rules_box,
        )
        hint.setWordWrap(True)
        rules_layout.addWidget(hint)
        self.rules_error = error_label(rules_box, "error_rules")
        rules_layout.addWidget(self.rules_error)

        self.error_label = error_label(self)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setText(self.tr("Сохранить"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("Отмена"))
        self.reset_button = QPushButton(self.tr("Сбросить по умолчанию"), self)
        self.reset_button.setObjectName("reset_defaults")
        self.reset_button.setAutoDefault(False)
        self.buttons.addButton(self.reset_button, QDialogButtonBox.ButtonRole.ResetRole)
        self.reset_button.clicked.connect(self._on_reset_clicked)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(objectivity)
        layout.addWidget(rules_box, 1)
        layout.addWidget(self.error_label)
        layout.addWidget(self.buttons)
        self._load()
        self.resize(self._wanted_size())

    def _wanted_size(self) -> QSize:
        """980 × 680, or what the screen leaves (its frame included)."""
        wanted = QSize(980, 680)
        screen = self.screen()
        if screen is None:
            return wanted
        room = screen.availableGeometry().size() - QSize(40, 80)
        return wanted.boundedTo(room)

    # --- values ----------------------------------------------------------------------------
    def _load(self) -> None:
        threshold = self.db.settings.get(OBJECTIVITY_THRESHOLD)
        try:
            rules = load_rules(self.db.settings)
        except InvalidValueError:
            rules = DEFAULT_RULES
        self._show(float(threshold), rules)

    def _show(self, threshold: float, rules: RuleSet) -> None:
        self.threshold.setText(format_share(threshold))
        self.threshold_error.hide()
        index = self.offset.findData(rules.results_offset)
        if index < 0:
            self.offset.addItem(
                self.tr("за {0} года до учебного года").format(rules.results_offset),
                rules.results_offset,
            )
            index = self.offset.count() - 1
        self.offset.setCurrentIndex(index)
        self.model.set_ruleset(rules)
        self.tree.expandAll()
        for row in range(self.model.rowCount()):
            # A rule's name takes the whole line: it has no threshold of its own.
            self.tree.setFirstColumnSpanned(row, QModelIndex(), True)
        for column in range(1, self.model.columnCount()):
            self.tree.resizeColumnToContents(column)

    def _on_reset_clicked(self) -> None:
        self._show(float(OBJECTIVITY_THRESHOLD.default), DEFAULT_RULES)
        self.error_label.hide()

    def _on_model_issue(self, message: str) -> None:
        self.rules_error.setText(message)
        self.rules_error.setVisible(bool(message))

    def read_threshold(self) -> float | None:
        """The objectivity threshold typed; None (with the reason shown) when it is refused."""
        text = self.threshold.text().strip()
        issue: FieldIssue | None = None
        value: float | None = None
        try:
            parsed = parse_number(text)
        except ValueError:
            issue = FieldIssue(OBJECTIVITY_THRESHOLD.key, "not_number", "error", (text,))
        else:
            try:
                value = float(OBJECTIVITY_THRESHOLD.normalised(parsed))
            except InvalidValueError as exc:
                issue = exc.issue
        if issue is not None:
            self.threshold_error.setText(wording.capitalised(describe_issue(issue)) + ".")
            self.threshold_error.show()
            self.threshold.setFocus(Qt.FocusReason.OtherFocusReason)
            self.threshold.selectAll()
            return None
        self.threshold_error.hide()
        return value

    def edited_rules(self) -> RuleSet:
        """The rules as edited, with the results year chosen."""
        return replace(self.model.ruleset(), results_offset=int(self.offset.currentData()))

    def accept(self) -> None:
        """Save everything in one change set and close; else show why and stay open."""
        self.error_label.hide()
        threshold = self.read_threshold()
        errors = self.model.errors()
        if errors:
            self.rules_error.setText(
                self.tr("Исправьте выделенные значения ({0}): {1}").format(len(errors), errors[0])
            )
            self.rules_error.show()
            index = self.model.first_error_index()
            if index.isValid():
                self.tree.setCurrentIndex(index)
                self.tree.scrollTo(index)
                self.tree.setFocus(Qt.FocusReason.OtherFocusReason)
            return
        if threshold is None:
            return
        rules = self.edited_rules()
        try:
            rules_from_json(rules_to_json(rules))  # the whole set, as the setting will check it
            self.saved = wording.save_settings(
                self.db,
                [(OBJECTIVITY_THRESHOLD, threshold), (RULES_SETTING, rules_to_json(rules))],
                self.tr("Изменение настроек"),
            )
        except InvalidValueError as exc:
            text = (
                wording.rules_issue_text(exc.issue)
                if exc.issue.field == RULES_SETTING.key
                else describe_error(exc)
            )
            self.error_label.setText(text)
            self.error_label.show()
            return
        except DomainError as exc:
            self.error_label.setText(describe_error(exc))
            self.error_label.show()
            return
        self.sig_saved.emit(self.saved)
        super().accept()


def open_settings(parent: QWidget, db: Database) -> SettingsDialog:
    """Open «Настройки» window-modally over ``parent``; it is deleted once closed."""
    dialog = SettingsDialog(db, parent)
    dialog.finished.connect(dialog.deleteLater)
    dialog.open()
    return dialog


__all__ = ["MAX_YEARS", "RulesModel", "SettingsDialog", "open_settings", "parse_threshold"]
