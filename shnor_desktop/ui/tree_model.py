"""One base for the tree models of the panels built from a list of nodes.

A node knows its number (its place in the flat list, the index's internal
id), its position among its siblings, its parent and its children, and a
key that names its row across reloads.  :class:`NodeTreeModel` answers Qt's
tree questions (index, parent, rows, columns) from the nodes and finds a row
by its key; a subclass builds the nodes and says what a cell shows.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any, ClassVar, Protocol

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QObject, QPersistentModelIndex

AnyIndex = QModelIndex | QPersistentModelIndex


class TreeNode(Protocol):
    """What the base needs of a node."""

    number: int
    position: int
    parent: Any
    children: list[Any]

    @property
    def key(self) -> Hashable:
        """Names the node's row across reloads."""
        ...


class NodeTreeModel(QAbstractItemModel):
    """Qt's tree over ``_top`` (the top-level nodes) and ``_nodes`` (all, by number)."""

    #: The number of columns (a subclass sets it beside its ``COL_*`` constants).
    COLUMN_COUNT: ClassVar[int] = 1

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._top: list[Any] = []
        self._nodes: list[Any] = []

    def _node(self, index: AnyIndex) -> Any:
        """The node of an index (None for the root or an index of another model)."""
        if not index.isValid() or index.model() is not self:
            return None
        number = int(index.internalId())
        return self._nodes[number] if 0 <= number < len(self._nodes) else None

    def _index_of(self, node: TreeNode, column: int = 0) -> QModelIndex:
        return self.createIndex(node.position, column, node.number)

    def key_of(self, index: AnyIndex) -> Any:
        """A key that names a row across reloads (None for no row)."""
        node = self._node(index)
        return None if node is None else node.key

    def index_of_key(self, key: Hashable, column: int = 0) -> QModelIndex:
        """The index of the row with ``key`` (invalid when it is not shown)."""
        node = next((n for n in self._nodes if n.key == key), None)
        return QModelIndex() if node is None else self._index_of(node, column)

    # --- Qt's tree -------------------------------------------------------------------------
    def index(self, row: int, column: int, parent: AnyIndex = QModelIndex()) -> QModelIndex:  # noqa: B008
        if not 0 <= column < self.COLUMN_COUNT:
            return QModelIndex()
        if parent.isValid():
            node = self._node(parent)
            if node is None or parent.column() != 0:
                return QModelIndex()
            siblings = node.children
        else:
            siblings = self._top
        if not 0 <= row < len(siblings):
            return QModelIndex()
        return self.createIndex(row, column, siblings[row].number)

    def parent(self, index: AnyIndex = QModelIndex()) -> QModelIndex:  # type: ignore[override]  # noqa: B008
        node = self._node(index)
        if node is None or node.parent is None:
            return QModelIndex()
        return self._index_of(node.parent)

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008, N802
        if not parent.isValid():
            return len(self._top)
        if parent.column() != 0:
            return 0
        node = self._node(parent)
        return 0 if node is None else len(node.children)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008, N802
        del parent
        return self.COLUMN_COUNT
