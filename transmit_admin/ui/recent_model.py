"""`RecentModel`: the activity panel's "Recent" list (Time, Action, Result), newest first.

A bulk revoke lists hundreds of results a second on the GUI thread (bench/ui.py). A result
is a small immutable `RecentEntry`; text, icon and tooltips are computed in `data()`, only
for the rows Qt asks about (the visible ones), and results delivered together are inserted
with one `beginInsertRows` (`add_later`), instead of one `QTreeWidgetItem` built and
inserted per result.

`recent_view` shows it in a `QTableView` dressed as the flat list the `QTreeWidget` was (it
paints the same pixels), not in a `QTreeView`: after every insert a tree view lays out all
its rows again and asks the model for an index of each, two calls into Python per row here
(~4 ms per delivered batch with 1000 rows listed). Measured with callgrind, listing 500 bulk
results in batches of 12 under 900 listed rows cost +90 % instructions in a `QTreeView`
against the `QTreeWidget`, and -42 % in this table view (-26 % with the list empty).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSize,
    Qt,
)
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QStyle,
    QStyleOptionViewItem,
    QTableView,
    QWidget,
)

from transmit_admin.core.timefmt import local_text, utc_text
from transmit_admin.ui.icons import icon
from transmit_admin.ui.redaction import mask_text

MAX_RECENT = 1000  # rows kept (oldest dropped)
MESSAGE_ROLE = Qt.ItemDataRole.UserRole + 1  # the unmasked (but secret-free) message
COL_TIME, COL_ACTION, COL_RESULT = range(3)
_COLUMNS = 3

_DISPLAY = int(Qt.ItemDataRole.DisplayRole)
_TOOLTIP = int(Qt.ItemDataRole.ToolTipRole)
_DECORATION = int(Qt.ItemDataRole.DecorationRole)
_OK = int(Qt.ItemDataRole.UserRole)
_MESSAGE = int(MESSAGE_ROLE)
# A repaint asks every visible cell for ~10 roles; these are the only ones answered.
_ROLES = frozenset({_DISPLAY, _TOOLTIP, _DECORATION, _OK, _MESSAGE})
_RESULT_ROLES = frozenset({_DECORATION, _OK, _MESSAGE})  # the Result column only

Index = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True, slots=True)
class RecentEntry:
    at: float  # epoch seconds
    action: str
    message: str  # already through `redact_secrets`: never a token or secret
    ok: bool


class RecentModel(QAbstractTableModel):
    """Entries newest first, at most `limit`; masked while `redacting()` says so."""

    def __init__(
        self,
        redacting: Callable[[], bool],
        parent: QObject | None = None,
        limit: int = MAX_RECENT,
    ) -> None:
        super().__init__(parent)
        self._redacting = redacting
        self._limit = limit
        self._rows: list[RecentEntry] = []  # newest first
        self._pending: list[RecentEntry] = []  # oldest first, not yet inserted
        self._icons: dict[bool, QIcon] = {}  # icon() reads the file each call: once per model

    # -- adding -----------------------------------------------------------------------------
    def add(self, entry: RecentEntry) -> None:
        """Lists `entry` now (after anything still pending, so the order holds)."""
        self._pending.append(entry)
        self.flush()

    def add_later(self, entry: RecentEntry) -> None:
        """Lists `entry` with the others added before the window next paints: one insert.

        The flush is a posted `UpdateRequest`, the event type that triggers a repaint, so a
        bulk action's batch (sessions/bulk.py) is listed in the very paint that shows the
        table's new statuses; a zero-delay timer could fire after that paint and the list
        would be painted twice.
        """
        self._pending.append(entry)
        if len(self._pending) == 1:
            QCoreApplication.postEvent(self, QEvent(QEvent.Type.UpdateRequest))

    def flush(self) -> None:
        """Inserts the pending entries at the top, newest first, with one `beginInsertRows`."""
        if not self._pending:
            return
        batch = self._pending[-self._limit :]
        batch.reverse()  # newest first
        self._pending = []
        overflow = len(self._rows) + len(batch) - self._limit
        if overflow > 0:  # drop the oldest first, so the list never exceeds the limit
            first = len(self._rows) - overflow
            self.beginRemoveRows(QModelIndex(), first, len(self._rows) - 1)
            del self._rows[first:]
            self.endRemoveRows()
        self.beginInsertRows(QModelIndex(), 0, len(batch) - 1)
        self._rows[0:0] = batch
        self.endInsertRows()

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.UpdateRequest:
            self.flush()
            return True
        return super().event(event)

    def pending(self) -> int:
        return len(self._pending)

    def entry_at(self, row: int) -> RecentEntry:
        return self._rows[row]

    def redaction_changed(self) -> None:
        """Masks (or unmasks) every row: one `dataChanged`, the text is computed in `data()`."""
        if self._rows:
            self.dataChanged.emit(
                self.index(0, COL_RESULT),
                self.index(len(self._rows) - 1, COL_RESULT),
                [Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole],
            )

    # -- Qt model API -----------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else _COLUMNS

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        if section == COL_TIME:
            return self.tr("Time")
        if section == COL_ACTION:
            return self.tr("Action")
        if section == COL_RESULT:
            return self.tr("Result")
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        # A repaint asks each painted cell for 7 roles, most never answered (font, colours,
        # check state): refused before touching the index, each call on it crosses into C++.
        role = int(role)
        if role not in _ROLES:
            return None
        entry = self._entry(index)
        return None if entry is None else self._value(entry, index.column(), role)

    # -- cells ------------------------------------------------------------------------------
    def _entry(self, index: Index) -> RecentEntry | None:
        if not index.isValid():
            return None
        row = index.row()
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def _value(self, entry: RecentEntry, column: int, role: int) -> Any:
        if column == COL_RESULT:
            if role in (_DISPLAY, _TOOLTIP):
                return self._shown(entry.message)
            if role == _DECORATION:
                return self._icon(entry.ok)
            if role == _OK:
                return entry.ok
            return entry.message  # MESSAGE_ROLE
        if role in _RESULT_ROLES:
            return None
        if column == COL_TIME:
            if role == _DISPLAY:
                return time.strftime("%H:%M:%S", time.localtime(entry.at))
            return self.tr("{0}\n{1} local").format(utc_text(entry.at), local_text(entry.at))
        if column == COL_ACTION and role == _DISPLAY:
            return entry.action
        return None

    def _shown(self, message: str) -> str:
        return mask_text(message) if self._redacting() else message

    def _icon(self, ok: bool) -> QIcon:
        found = self._icons.get(ok)
        if found is None:
            found = self._icons[ok] = icon("valid" if ok else "invalid")
        return found


def recent_view(model: RecentModel, parent: QWidget | None = None) -> QTableView:
    """A table view over `model` that looks and behaves like a flat, one-line-a-row list."""
    view = QTableView(parent)
    view.setModel(model)
    view.setShowGrid(False)
    view.setWordWrap(False)
    view.setCornerButtonEnabled(False)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setTabKeyNavigation(False)  # Tab leaves the list, as it did the tree
    view.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
    header = view.horizontalHeader()
    header.setStretchLastSection(True)
    header.setSectionsClickable(False)
    header.setHighlightSections(False)
    header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
    rows = view.verticalHeader()
    rows.hide()
    height = _row_height(view)
    rows.setMinimumSectionSize(height)
    rows.setDefaultSectionSize(height)
    rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    return view


def _row_height(view: QTableView) -> int:
    """The height the item delegate gives a row of one text line and a small icon: a tree
    view's rows (a table view's default is the vertical header's, much taller)."""
    style = view.style()
    size = style.pixelMetric(QStyle.PixelMetric.PM_SmallIconSize, None, view)
    option = QStyleOptionViewItem()
    option.initFrom(view)
    option.features = (
        QStyleOptionViewItem.ViewItemFeature.HasDisplay
        | QStyleOptionViewItem.ViewItemFeature.HasDecoration
    )
    option.text = "Xg"
    option.decorationSize = QSize(size, size)
    option.font = view.font()
    option.fontMetrics = view.fontMetrics()
    item = QStyle.ContentsType.CT_ItemViewItem
    return style.sizeFromContents(item, option, QSize(), view).height()
