"""`SessionsPanel`: search, filters, the session table and its count. Widgets and their wiring.

Every filter is a new `SessionQuery` handed to the model (SQL does the work); typing in the
search box re-queries once the user pauses for `SEARCH_DEBOUNCE_MS`.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QItemSelectionModel, QLocale, QModelIndex, QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QPalette, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from transmit_admin.core.lifecycle import SessionStatus
from transmit_admin.core.redact import redact_secrets
from transmit_admin.store.records import SessionQuery, SortKey
from transmit_admin.ui.bus import UiBus
from transmit_admin.ui.icons import icon
from transmit_admin.ui.redaction import mask_text
from transmit_admin.ui.sessions.delegates import FactorChipDelegate
from transmit_admin.ui.sessions.model import COL_FACTORS, COLUMNS, SessionTableModel
from transmit_admin.ui.sessions.style import status_icon

if TYPE_CHECKING:
    from transmit_admin.workspace import Workspaces

log = logging.getLogger(__name__)

SEARCH_DEBOUNCE_MS = 200
# A selection bigger than this is refused for bulk actions: reading the ids of a million rows
# would load them all, and nobody means to revoke that many by mouse.
MAX_SELECTED = 10_000
SIGNALLED_IDS = 100
TIME_REFRESH_MS = 30_000  # relative times ("in 13 d") age while the window is open
MIN_VISIBLE_ROWS = 5
MAX_COLUMN_WIDTH = 260  # a long email or app name must not push the other columns away


class InlineMessage(QLabel):
    """A one-line result under the table: green for done, red for failed (never a traceback)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.setAccessibleName(self.tr("Last action result"))
        self._message = ""
        self._redact = False
        self.hide()

    def show_result(self, text: str, ok: bool) -> None:
        # Readable on both palettes: the light-theme green and red are too dark on a dark one.
        dark = self.palette().color(QPalette.ColorRole.Window).lightness() < 128
        colours = ("#3fb950", "#ff7b72") if dark else ("#1a7f37", "#cf222e")
        colour = colours[0] if ok else colours[1]
        self.setStyleSheet(f"color: {colour};")
        self._message = redact_secrets(text)
        self._render()
        self.setProperty("ok", ok)
        self.show()

    def clear_result(self) -> None:
        self._message = ""
        self.setText("")
        self.setToolTip("")
        self.hide()

    def set_redaction(self, enabled: bool) -> None:
        """Masks the emails and ids of the shown result while redacting (screen sharing)."""
        self._redact = enabled
        self._render()

    def _render(self) -> None:
        shown = mask_text(self._message) if self._redact else self._message
        self.setText(shown)
        self.setToolTip(shown)


class SessionsPanel(QWidget):
    selection_changed = Signal(list)  # the first SIGNALLED_IDS selected ids (selected_ids: all)

    def __init__(self, workspaces: Workspaces, bus: UiBus, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sessionsPanel")
        self.workspaces = workspaces
        self.bus = bus
        self.search = QLineEdit(self)
        self.search.setPlaceholderText(self.tr("Search sessions, users, emails, apps, notes…"))
        self.search.setClearButtonEnabled(True)
        self.search.addAction(icon("search"), QLineEdit.ActionPosition.LeadingPosition)
        self.search.setToolTip(self.tr("Full-text search; words match as prefixes (Ctrl+F)"))
        self.search.setAccessibleName(self.tr("Search sessions"))
        self.status_filter = QComboBox(self)
        self.status_filter.addItem(self.tr("All statuses"), None)
        for status in SessionStatus:
            self.status_filter.addItem(status_icon(status.value), self.tr(status.value), status)
        self.status_filter.setToolTip(self.tr("Show only sessions with this status"))
        self.status_filter.setAccessibleName(self.tr("Status filter"))
        self.app_filter = QComboBox(self)
        self.app_filter.setToolTip(self.tr("Show only sessions of this app"))
        self.app_filter.setAccessibleName(self.tr("App filter"))
        self.count_label = QLabel(self)
        self.count_label.setAccessibleName(self.tr("Number of sessions"))
        self.count_label.setToolTip(self.tr("How many sessions match the search and filters"))
        self.message = InlineMessage(self)
        self.message.set_redaction(bus.redaction_enabled())

        ws = workspaces.current
        ws.store.sweep_expired(ws.environment.name)  # the table shows today's statuses
        self.model = SessionTableModel(ws.reader, self._query(), self)
        self.model.set_redaction(bus.redaction_enabled())
        self.model.set_mark_source(bus.session_mark)
        self.table = QTableView(self)
        self.table.setObjectName("sessionTable")
        self.table.setModel(self.model)
        self.table.setAccessibleName(self.tr("Sessions"))
        self.table.setToolTip(self.tr("Tracked sessions; right-click for actions"))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        # Tab leaves the table (arrows move between rows): with Qt's default, Tab walked
        # cell by cell through every row and keyboard users could not get out.
        self.table.setTabKeyNavigation(False)
        self.table.setSortingEnabled(True)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.setShowGrid(False)
        self.table.setItemDelegateForColumn(COL_FACTORS, FactorChipDelegate(self.table))
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        rows = self.table.verticalHeader()
        rows.hide()
        # Fixed heights: the view never asks a million rows for their size hint.
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(self.fontMetrics().height() + 8)
        # Never just a header: at least MIN_VISIBLE_ROWS rows whatever the window size.
        self.table.setMinimumHeight(
            (MIN_VISIBLE_ROWS + 1) * rows.defaultSectionSize() + 2 * self.table.frameWidth()
        )
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for column, width in enumerate((80, 190, 90, 110, 72, 72, 72)[: len(COLUMNS)]):
            header.resizeSection(column, width)
        header.setSortIndicator(self.model.sort_column(), Qt.SortOrder.DescendingOrder)
        self.context_menu = QMenu(self)

        filters = QHBoxLayout()
        filters.addWidget(self.search, 1)
        filters.addWidget(self.status_filter)
        filters.addWidget(self.app_filter)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(filters)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.message)
        layout.addWidget(self.count_label)

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(SEARCH_DEBOUNCE_MS)
        self._debounce.timeout.connect(self.apply_filters)
        self._clock = QTimer(self)
        self._clock.setInterval(TIME_REFRESH_MS)
        self._clock.timeout.connect(self.table.viewport().update)
        self._clock.start()
        self.search.textChanged.connect(self._debounce.start)
        self.search.returnPressed.connect(self.apply_filters)
        self.status_filter.currentIndexChanged.connect(self.apply_filters)
        self.app_filter.currentIndexChanged.connect(self.apply_filters)
        header.sortIndicatorChanged.connect(self._sort_changed)
        self.table.selectionModel().selectionChanged.connect(self._emit_selection)
        self.table.selectionModel().selectionChanged.connect(self._update_count)
        self.model.modelReset.connect(self._emit_selection)
        self.model.modelReset.connect(self._update_count)
        self._columns_fitted = False  # fitted to the first rows shown, then the user's
        self.model.modelReset.connect(self._fit_columns_once)
        self.table.customContextMenuRequested.connect(self._show_context_menu)
        find = QShortcut(QKeySequence(QKeySequence.StandardKey.Find), self)
        find.activated.connect(self.focus_search)
        bus.session_changed.connect(self.model.refresh_session)
        bus.sessions_reloaded.connect(self.reload)
        bus.marks_changed.connect(self.model.repaint_statuses)
        bus.environment_changed.connect(self._environment_changed)
        bus.redaction_changed.connect(self.model.set_redaction)
        bus.redaction_changed.connect(self.message.set_redaction)
        bus.open_session.connect(self.select_session)
        self._fill_apps()
        self._update_count()

    # -- queries ----------------------------------------------------------------------------
    def _query(self) -> SessionQuery:
        text = self.search.text().strip()
        current: SessionTableModel | None = getattr(self, "model", None)
        sort: SortKey = current.query.sort if current else "created"
        descending = current.query.descending if current else True
        return SessionQuery(
            environment=self.workspaces.current.environment.name,
            status=self.status_filter.currentData(),
            app=self.app_filter.currentData() if self.app_filter.count() else None,
            search=text or None,
            sort=sort,
            descending=descending,
        )

    def apply_filters(self) -> None:
        self._debounce.stop()
        query = self._query()
        if query != self.model.query:
            self.model.set_query_soon(query)  # counted off the GUI thread
            if self.model.counting():
                self.count_label.setText(self.tr("Counting…"))

    def reload(self) -> None:
        """Re-reads the table (rows changed in bulk, or another environment's store)."""
        ws = self.workspaces.current
        query = self._query()
        # The expiry sweep is an explicit write: statuses whose expiry passed are marked
        # here, when the table is read again, not inside the reads.
        ws.store.sweep_expired(query.environment)
        if self.model.query.environment != query.environment or ws.reader is not self.model.store:
            self.model.set_store(ws.reader, query)
        else:
            self.model.set_query(query)

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        self._fit_columns_once()

    def _fit_columns_once(self) -> None:
        """Columns as wide as the rows on screen need ("Acme Support Demo", not "Acme
        Supp…" at any window width). Once, when rows first show, and again per
        environment: re-fitting on every search would undo the user's own widths."""
        if self._columns_fitted or not self.isVisible() or self.model.rowCount() == 0:
            return
        self._columns_fitted = True
        QTimer.singleShot(0, self, self.fit_columns)

    def fit_columns(self) -> None:
        header = self.table.horizontalHeader()
        for column in range(len(COLUMNS) - 1):  # the last one stretches
            self.table.resizeColumnToContents(column)
            header.resizeSection(column, min(header.sectionSize(column), MAX_COLUMN_WIDTH))

    def _environment_changed(self) -> None:
        self._columns_fitted = False
        # The last result was about a session of the previous environment: never show it
        # under another environment's table.
        self.message.clear_result()
        self._fill_apps()
        self.reload()

    def _fill_apps(self) -> None:
        current = self.app_filter.currentData()
        self.app_filter.blockSignals(True)
        self.app_filter.clear()
        self.app_filter.addItem(self.tr("All apps"), None)
        try:
            ws = self.workspaces.current
            apps = ws.reader.distinct_apps(ws.environment.name)
        except Exception:  # a damaged store is reported by whoever opened it
            log.warning("could not list the apps", exc_info=True)
            apps = []
        for app in apps:
            self.app_filter.addItem(app.app_name or app.app_id, app.app_id)
        found = self.app_filter.findData(current)
        self.app_filter.setCurrentIndex(max(0, found))
        self.app_filter.blockSignals(False)

    def _sort_changed(self, column: int, order: Qt.SortOrder) -> None:
        # The view already called model.sort(); a column the store cannot sort by is refused
        # there, so put the indicator back on the column that really orders the rows.
        if column != self.model.sort_column():
            wanted = (
                Qt.SortOrder.DescendingOrder
                if self.model.query.descending
                else Qt.SortOrder.AscendingOrder
            )
            header = self.table.horizontalHeader()
            header.blockSignals(True)
            header.setSortIndicator(self.model.sort_column(), wanted)
            header.blockSignals(False)

    def _update_count(self, *_: Any) -> None:
        total = self.model.total()
        locale = QLocale()
        locale.setNumberOptions(QLocale.NumberOption.DefaultNumberOptions)  # "1,234"
        text = self.tr("{0} sessions").format(locale.toString(total))
        if total == 1:
            text = self.tr("1 session")
        selected = self.selected_count()
        if selected > 1:  # what a Revoke would act on, rows off screen included
            text += self.tr(" · {0} selected").format(locale.toString(selected))
        self.count_label.setText(text)

    def selected_count(self) -> int:
        """Selected rows, counted from the selection's ranges (no ids read)."""
        selection = self.table.selectionModel().selection()
        ranges = (selection.at(n) for n in range(selection.count()))
        spans = sorted((r.top(), r.bottom()) for r in ranges)
        total, last = 0, -1
        for top, bottom in spans:
            start = max(top, last + 1)
            if bottom >= start:
                total += bottom - start + 1
            last = max(last, bottom)
        return total

    # -- selection --------------------------------------------------------------------------
    def selected_rows(self, limit: int = MAX_SELECTED + 1) -> list[int]:
        """Selected rows in table order, at most `limit` (Ctrl+A on a million rows must not
        build a million-entry list)."""
        selection = self.table.selectionModel().selection()
        spans = sorted(
            (selection.at(n).top(), selection.at(n).bottom()) for n in range(selection.count())
        )
        rows: list[int] = []
        last = -1
        for top, bottom in spans:
            start = max(top, last + 1)
            stop = min(bottom + 1, start + limit - len(rows))
            rows.extend(range(start, stop))
            last = max(last, bottom)
            if len(rows) >= limit:
                break
        return rows

    def selected_ids(self, limit: int = MAX_SELECTED + 1) -> list[str]:
        """Ids of the selected rows, in table order (at most `limit`; bulk actions refuse more
        than MAX_SELECTED)."""
        ids = [self.model.session_id_at(row) for row in self.selected_rows(limit)]
        return [sid for sid in ids if sid is not None]

    def current_id(self) -> str | None:
        index = self.table.currentIndex()
        if index.isValid() and self.table.selectionModel().isRowSelected(index.row()):
            return self.model.session_id_at(index.row())
        ids = self.selected_ids()
        return ids[0] if ids else None

    def select_row(self, row: int) -> None:
        index = self.model.index(row, 0)
        flags = (
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows
        )
        self.table.selectionModel().setCurrentIndex(index, flags)
        self.table.scrollTo(index)

    def select_session(self, session_id: str) -> None:
        """Selects the row of `session_id` if it is loaded; otherwise searches for it."""
        row = self.model.row_of(session_id)
        if row is None:
            self.status_filter.setCurrentIndex(0)
            self.app_filter.setCurrentIndex(0)
            self.search.setText(session_id)
            self.apply_filters()
            row = self.model.row_of(session_id)
            if row is None and self.model.rowCount() > 0:
                row = next(
                    (
                        r
                        for r in range(min(50, self.model.rowCount()))
                        if self.model.session_id_at(r) == session_id
                    ),
                    None,
                )
        if row is not None:
            self.select_row(row)

    def _emit_selection(self, *_: Any) -> None:
        # Listeners only need to know "none, one (which), or several": reading thousands of
        # ids on every selection change would stall on a big Ctrl+A.
        self.selection_changed.emit(self.selected_ids(SIGNALLED_IDS))

    def _show_context_menu(self, pos: QPoint) -> None:
        index: QModelIndex = self.table.indexAt(pos)
        if index.isValid() and not self.table.selectionModel().isRowSelected(index.row()):
            self.select_row(index.row())
        if not self.context_menu.isEmpty():
            self.context_menu.popup(self.table.viewport().mapToGlobal(pos))

    def focus_search(self) -> None:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    def show_result(self, text: str, ok: bool) -> None:
        self.message.show_result(text, ok)
