"""The claims (or header) of one token as a table: name, value, times, meaning.

Time claims show UTC and local time, and a relative column ("in 42 min") that a one-second
timer refreshes with a `dataChanged` limited to that column's time rows.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from transmit_admin.core import timefmt
from transmit_admin.core.claims import TIME_CLAIMS, explain_amr, explain_claim
from transmit_admin.core.printable import printable

Index = QModelIndex | QPersistentModelIndex
NAME, VALUE, LOCAL, WHEN, MEANING = range(5)
COLUMNS = 5


@dataclass(frozen=True)
class ClaimRow:
    name: str
    value_text: str
    meaning: str
    timestamp: float | None


def _value_text(value: Any) -> str:
    # A claim is the token author's text: control characters are shown escaped.
    if isinstance(value, str):
        return printable(value)
    return printable(json.dumps(value, ensure_ascii=False))


def build_rows(
    data: dict[str, Any] | None, explain: Callable[[str], str] = explain_claim
) -> list[ClaimRow]:
    rows = []
    for name, value in (data or {}).items():
        meaning = explain(name)
        timestamp = None
        text = _value_text(value)
        if name in TIME_CLAIMS and isinstance(value, int | float) and not isinstance(value, bool):
            timestamp = float(value)
            text = timefmt.utc_text(value)
        if name == "amr" and isinstance(value, list):
            meaning = f"{meaning} {explain_amr(value)}."
        rows.append(ClaimRow(name, text, meaning, timestamp))
    return rows


def _local_short(ts: float) -> str:
    """Local time, without the date when it is the UTC value's date (shown next to it)."""
    local, utc = timefmt.local_text(ts), timefmt.utc_text(ts)
    return local[11:] if local[:10] == utc[:10] and len(local) > 11 else local


class ClaimsModel(QAbstractTableModel):
    """Time claims: UTC in Value, then local time, then a live relative time."""

    def __init__(self, parent: Any = None, *, now: Callable[[], float] = time.time) -> None:
        super().__init__(parent)
        self._rows: list[ClaimRow] = []
        self._now = now
        self._headers = (
            self.tr("Claim"),
            self.tr("Value"),
            self.tr("Local time"),
            self.tr("Relative"),
            self.tr("Meaning"),
        )

    def set_rows(self, rows: list[ClaimRow]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def row_of(self, name: str) -> int:
        return next((i for i, r in enumerate(self._rows) if r.name == name), -1)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else COLUMNS

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        horizontal = orientation == Qt.Orientation.Horizontal
        if horizontal and role == Qt.ItemDataRole.DisplayRole and 0 <= section < COLUMNS:
            return self._headers[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (0 <= index.row() < len(self._rows)):
            return None
        row = self._rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if column == NAME:
                return row.name
            if column == VALUE:
                return row.value_text
            if column == LOCAL:
                return "" if row.timestamp is None else _local_short(row.timestamp)
            if column == WHEN:
                return "" if row.timestamp is None else timefmt.relative(row.timestamp, self._now())
            if column == MEANING:
                return row.meaning
        if role == Qt.ItemDataRole.ToolTipRole:
            if column in (MEANING, NAME):
                return row.meaning
            if column == VALUE:
                return row.value_text
            if column in (LOCAL, WHEN) and row.timestamp is not None:
                return f"{timefmt.utc_text(row.timestamp)} · {timefmt.local_text(row.timestamp)}"
        return None

    def refresh_relative(self) -> None:
        """Re-reads only the relative-time cells (called every second)."""
        rows = [i for i, r in enumerate(self._rows) if r.timestamp is not None]
        if rows:
            top = self.index(min(rows), WHEN)
            bottom = self.index(max(rows), WHEN)
            self.dataChanged.emit(top, bottom, [Qt.ItemDataRole.DisplayRole])
