"""A read-only table over rows of text (the HAR tab's three tables).

A capture can hold thousands of secrets: one `QTableWidgetItem` per cell froze the window for
about a second at 1,857 secrets (200 MB capture, measured under Xvfb); a model hands Qt only
the cells it paints.
"""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

ERROR_COLOUR = QColor("#c62828")
Index = QModelIndex | QPersistentModelIndex


class TextRowsModel(QAbstractTableModel):
    def __init__(self, columns: tuple[str, ...]) -> None:
        super().__init__()
        self._columns = columns
        self._rows: list[list[str]] = []
        self._alarming: set[int] = set()
        self._tips: list[str] | None = None
        self._error = QBrush(ERROR_COLOUR)

    def set_rows(
        self,
        rows: list[list[str]],
        alarming: set[int] | None = None,
        tips: list[str] | None = None,
    ) -> None:
        """`alarming`: rows shown in the error colour (a failed request, a live session);
        `tips`: one tool tip per row (else each cell's text is its tip)."""
        self.beginResetModel()
        self._rows = rows
        self._alarming = alarming or set()
        self._tips = tips
        self.endResetModel()

    def text(self, row: int, column: int) -> str:
        return self._rows[row][column]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._columns)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        if role == Qt.ItemDataRole.ToolTipRole and self._tips is not None:
            return self._tips[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return self._rows[index.row()][index.column()]
        if role == Qt.ItemDataRole.ForegroundRole and index.row() in self._alarming:
            return self._error
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if (
            role == Qt.ItemDataRole.DisplayRole
            and orientation == Qt.Orientation.Horizontal
            and 0 <= section < len(self._columns)
        ):
            return self._columns[section]
        return None
