"""`SessionTableModel`: the session table over the store, lazy and bounded at any size.

Rows come from a `paging.PageCache` (see there why this is not Qt's fetchMore example: the
row count is known up front and at most a few thousand records are held, whatever the size).
Consequently `canFetchMore` stays False (the inherited default): there is nothing to append,
and pytest-qt's model tester cannot re-enter a paging call. Sorting, filtering and search are
a new `SessionQuery` (SQL does the work) and reset the model.

A jump into the middle, far from every known keyset cursor, needs an index seek (OFFSET over
the sort index, 50-200 ms at a million rows): for the view that seek runs in a worker thread
on its own read-only connection (`seek.cursor_at_path`); the rows show empty until it lands
and `dataChanged` repaints them, so dragging the scrollbar never freezes the window.
`record_at`/`session_id_at` (actions, tests) stay synchronous.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import time
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QColor

from transmit_admin.core.lifecycle import SessionStatus
from transmit_admin.core.redact import mask_email, mask_id
from transmit_admin.core.timefmt import local_text, span_text, utc_text
from transmit_admin.store.records import SessionQuery, SessionRecord, SortKey
from transmit_admin.ui.session_marks import SessionMark, mark_explanation, shown_mark, status_text
from transmit_admin.ui.sessions.actors import LastActors
from transmit_admin.ui.sessions.paging import MAX_CACHED_PAGES, PAGE_SIZE, WALK_LIMIT, PageCache
from transmit_admin.ui.sessions.seek import SeekFailed, count_at_path, cursor_at_path
from transmit_admin.ui.sessions.style import status_color, status_icon

if TYPE_CHECKING:
    from transmit_admin.store.reader import StoreReader

log = logging.getLogger(__name__)

__all__ = ["MAX_CACHED_PAGES", "PAGE_SIZE", "WALK_LIMIT", "SessionTableModel"]

FACTORS_ROLE = Qt.ItemDataRole.UserRole + 1  # list[str] of amr codes, for the chip delegate
SESSION_ID_ROLE = Qt.ItemDataRole.UserRole + 2
STATUS_ROLE = Qt.ItemDataRole.UserRole + 3

_DISPLAY = int(Qt.ItemDataRole.DisplayRole)
_TOOLTIP = int(Qt.ItemDataRole.ToolTipRole)
_ACCESSIBLE = int(Qt.ItemDataRole.AccessibleTextRole)
_FOREGROUND = int(Qt.ItemDataRole.ForegroundRole)
_DECORATION = int(Qt.ItemDataRole.DecorationRole)
_ROW_ROLES = frozenset(
    {_DISPLAY, _TOOLTIP, _ACCESSIBLE, int(FACTORS_ROLE), int(SESSION_ID_ROLE), int(STATUS_ROLE)}
)
_STATUS_ROLES = frozenset({_FOREGROUND, _DECORATION})  # the Status column only

COLUMNS = ("Status", "User", "App", "Factors", "Created", "Expires", "Last auth", "By")
COL_STATUS, COL_USER, COL_APP, COL_FACTORS, COL_CREATED, COL_EXPIRES, COL_LAST_AUTH = range(7)
COL_BY = 7  # who did the newest event (a teammate's role in team mode): ui/sessions/actors.py
SORT_OF_COLUMN: dict[int, SortKey] = {
    COL_USER: "user",
    COL_CREATED: "created",
    COL_EXPIRES: "expires",
    COL_LAST_AUTH: "last_auth",
}
COLUMN_OF_SORT = {sort: column for column, sort in SORT_OF_COLUMN.items()}

Index = QModelIndex | QPersistentModelIndex


def short_relative(moment: float, now: float) -> str:
    """`in 13 d`, `2 d ago`, `now`: the largest unit only, for a narrow column."""
    delta = moment - now
    if abs(delta) < 1:
        return "now"
    first = " ".join(span_text(delta).split()[:2])
    return f"in {first}" if delta > 0 else f"{first} ago"


class SessionTableModel(QAbstractTableModel):
    _seek_done = Signal(int, bool, int, object, bool)  # generation, backward, offset, cursor, ok
    _count_done = Signal(int, object, object)  # request number, query, count (None: failed)
    query_applied = Signal()  # a `set_query_soon` query is counted and shown

    def __init__(
        self, store: StoreReader, query: SessionQuery, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._generation = 0
        self._wanted: OrderedDict[int, None] = OrderedDict()  # far pages the view asked for
        self._failed: set[int] = set()
        self._seeking = False
        self._executor: ThreadPoolExecutor | None = None
        self._seek_done.connect(self._far_seek_done)
        self._asked = 0  # numbers the latest query change; a count for an older one is dropped
        self._pending: SessionQuery | None = None  # asked with `set_query_soon`, being counted
        self._count_done.connect(self._count_landed)
        self._redact = False
        self._mark_of: Callable[[str], SessionMark | None] = lambda _session_id: None
        self._rows = PageCache(store, query)
        self._actors = LastActors(
            lambda ids: self._rows.store.last_actors(self._rows.query.environment, ids), self
        )
        self._actors.loaded.connect(self._actors_loaded)

    # -- query ------------------------------------------------------------------------------
    @property
    def query(self) -> SessionQuery:
        """The query asked for last (shown, or still being counted: a sort asked for
        meanwhile applies to it, not to the rows on screen)."""
        return self._pending if self._pending is not None else self._rows.query

    @property
    def store(self) -> StoreReader:
        return self._rows.store

    @property
    def pages_read(self) -> int:
        return self._rows.pages_read

    @property
    def seeks(self) -> int:
        return self._rows.seeks

    def set_mark_source(self, mark_of: Callable[[str], SessionMark | None]) -> None:
        """Where "revoking…" / "unconfirmed" come from (`UiBus.session_mark`)."""
        self._mark_of = mark_of
        self.repaint_statuses()

    def repaint_statuses(self) -> None:
        """The marks changed: repaint the Status column (the view asks only visible rows)."""
        if self._rows.count:
            last = self._rows.count - 1
            self.dataChanged.emit(self.index(0, COL_STATUS), self.index(last, COL_STATUS))

    def set_store(self, store: StoreReader, query: SessionQuery) -> None:
        """Another store (environment switch): same as a new query on it."""
        self._reset(store, query)

    def set_query(self, query: SessionQuery) -> None:
        self._reset(self._rows.store, query)

    def set_query_soon(self, query: SessionQuery) -> None:
        """`set_query` with the rows counted in a worker thread (`seek.count_at_path`): a
        full-text count over a million sessions took 50-400 ms, a stall per search typed.
        The table keeps showing the previous rows until the count lands (`query_applied`);
        a newer query asked for meanwhile wins. Counted here when the store has no file."""
        if not self._can_seek_aside():
            self.set_query(query)
            self.query_applied.emit()
            return
        self._asked += 1
        self._pending = query
        if self._executor is None:
            self._executor = ThreadPoolExecutor(1, thread_name_prefix="session-seek")
        self._executor.submit(self._count_aside, self._rows.store.path, query, self._asked)

    def counting(self) -> bool:
        """Whether a query asked for with `set_query_soon` is still being counted."""
        return self._pending is not None

    def _count_aside(self, path: Path, query: SessionQuery, number: int) -> None:
        """Runs in the worker thread; reports back through a queued signal."""
        try:
            count: int | None = count_at_path(path, query)
        except Exception:  # a locked or vanished file: counted on the store instead
            log.warning("session table: counting a query aside failed", exc_info=True)
            count = None
        with contextlib.suppress(RuntimeError):  # the model was deleted meanwhile
            self._count_done.emit(number, query, count)

    def _count_landed(self, number: int, query: SessionQuery, count: int | None) -> None:
        if number != self._asked:  # a newer query was asked for meanwhile
            return
        self._reset(self._rows.store, query, count)
        self.query_applied.emit()

    def reload(self) -> None:
        """Re-reads everything (after many rows changed)."""
        self._reset(self._rows.store, self._rows.query)

    def _reset(self, store: StoreReader, query: SessionQuery, count: int | None = None) -> None:
        self.beginResetModel()
        self._generation += 1
        self._asked += 1  # supersedes any count still on its way
        self._pending = None
        self._wanted.clear()
        self._failed.clear()
        self._rows.reset(store, query, count)
        self._actors.clear()
        self.endResetModel()

    def total(self) -> int:
        return self._rows.count

    # -- Qt model API -----------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self._rows.count

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(COLUMNS):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self.tr(COLUMNS[section])
        if role == Qt.ItemDataRole.ToolTipRole:
            if section in SORT_OF_COLUMN:
                return self.tr("Click to sort by this column")
            return self.tr("Filter by status or app with the boxes above the table")
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sorting is a new query; columns the store cannot order by keep the current sort."""
        key = SORT_OF_COLUMN.get(column)
        if key is None:
            return
        descending = order == Qt.SortOrder.DescendingOrder
        query = self.query  # a search still being counted is sorted too, not dropped
        if key != query.sort or descending != query.descending:
            self.set_query(dataclasses.replace(query, sort=key, descending=descending))

    def sort_column(self) -> int:
        return COLUMN_OF_SORT[self._rows.query.sort]

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        # A repaint asks every visible cell for ~10 roles: refuse the ones never answered
        # before touching the record (measured: halves the Python time of a repaint).
        role = int(role)
        if role not in _ROW_ROLES and (role not in _STATUS_ROLES or index.column() != COL_STATUS):
            return None
        if not index.isValid():
            return None
        record = self._shown_record(index.row())
        if record is None:
            return None
        column = index.column()
        if role in (_DISPLAY, _ACCESSIBLE):
            return self._display(record, column)
        if role == _TOOLTIP:
            return self._tooltip(record, column)
        if role == _FOREGROUND:
            return QColor(status_color(record.status))
        if role == _DECORATION:
            return status_icon(record.status)
        if role == FACTORS_ROLE:
            return list(record.factors)
        if role == SESSION_ID_ROLE:
            return record.session_id
        return str(record.status)  # STATUS_ROLE

    # -- cells ------------------------------------------------------------------------------
    def _user_text(self, record: SessionRecord) -> str:
        if record.email:
            return mask_email(record.email) if self._redact else record.email
        return mask_id(record.user_id) if self._redact else record.user_id

    def _display(self, record: SessionRecord, column: int) -> str:
        now = time.time()
        if column == COL_STATUS:
            return status_text(record.status, self._mark_of(record.session_id))
        if column == COL_USER:
            return self._user_text(record)
        if column == COL_APP:
            return record.app_name or record.app_id or "—"
        if column == COL_FACTORS:  # as the chips show them: the newest first
            return " ".join(reversed(record.factors)) or "—"
        if column == COL_BY:
            return self._actors.actor(record.session_id) or "—"
        moment = self._moment(record, column)
        return "—" if moment is None else short_relative(moment, now)

    def _tooltip(self, record: SessionRecord, column: int) -> str:
        if column == COL_STATUS:
            text = self.tr("Session {0} is {1}").format(self._session_text(record), record.status)
            mark = shown_mark(record.status, self._mark_of(record.session_id))
            if mark is not None:
                text += self.tr(" ({0}: {1})").format(mark, mark_explanation(mark))
            return text
        if column == COL_USER:
            return self.tr("User id {0}").format(
                mask_id(record.user_id) if self._redact else record.user_id
            )
        if column == COL_FACTORS:
            return self.tr(
                "Authentication methods (amr) used in this session, newest first: {0}"
            ).format(", ".join(reversed(record.factors)) or self.tr("none known"))
        if column == COL_BY:
            return self.tr("Who did the newest event of this session (its timeline has all)")
        moment = self._moment(record, column)
        if moment is None and column == COL_EXPIRES:
            ended = record.revoked_at or record.ended_at
            if ended is None:
                return self.tr("The session is {0}").format(record.status)
            return self.tr("The session is {0} since {1}").format(record.status, utc_text(ended))
        if moment is None:
            return self.tr("Not known")
        return f"{utc_text(moment)}\n{local_text(moment)} local"

    def _session_text(self, record: SessionRecord) -> str:
        return mask_id(record.session_id) if self._redact else record.session_id

    @staticmethod
    def _moment(record: SessionRecord, column: int) -> float | None:
        if column == COL_CREATED:
            return record.created_at.timestamp()
        if column == COL_EXPIRES:
            if record.status in (SessionStatus.REVOKED, SessionStatus.ENDED):
                return None  # gone: it does not expire any more (the tooltip says when it ended)
            return record.expires_at.timestamp()
        if column == COL_LAST_AUTH:
            return record.last_auth_at.timestamp()
        return None

    # -- lookups ----------------------------------------------------------------------------
    def record_at(self, row: int) -> SessionRecord | None:
        return self._rows.record_at(row)

    def session_id_at(self, row: int) -> str | None:
        record = self._rows.record_at(row)
        return record.session_id if record else None

    def row_of(self, session_id: str) -> int | None:
        """The row of `session_id` if it is in a cached page (i.e. recently on screen)."""
        return self._rows.row_of(session_id)

    def cached_record(self, session_id: str) -> SessionRecord | None:
        """The record of a loaded row, without a store read (None when not loaded)."""
        row = self._rows.row_of(session_id)
        return self._rows.cached_record(row) if row is not None else None

    def status_of(self, session_id: str) -> str | None:
        row = self._rows.row_of(session_id)
        record = self._rows.cached_record(row) if row is not None else None
        if record is None:
            record = self._rows.store.get_session(self._rows.query.environment, session_id)
        return str(record.status) if record else None

    def refresh_session(self, session_id: str) -> None:
        """Re-reads one session and repaints its row only (if it is loaded at all).

        A row that no longer matches the filter stays until the next reload, so rows do not
        jump away under the user's pointer.
        """
        row = self._rows.row_of(session_id)
        if row is None:
            return
        fresh = self._rows.store.get_session(self._rows.query.environment, session_id)
        if fresh is None:
            return
        self._actors.forget(session_id)
        self._rows.replace(row, fresh)
        self._repaint_row(row)

    def _actors_loaded(self, session_ids: list[str]) -> None:
        for session_id in session_ids:
            row = self._rows.row_of(session_id)
            if row is not None:
                cell = self.index(row, COL_BY)
                self.dataChanged.emit(cell, cell)

    def apply_result(self, session_id: str, status: str | None) -> None:
        """Shows the status an action's result reported, without a store read (bulk work
        streams hundreds of results; the store already holds the same, written by the service
        before it answered). Stamps revoked_at/ended_at as the store's `set_status` does."""
        row = self._apply_status(session_id, status)
        if row is not None:
            self._repaint_row(row)

    def apply_results(self, changes: list[tuple[str, str | None]]) -> None:
        """`apply_result` for a batch of (session id, status): one `dataChanged` over the
        rows that changed, so a bulk action's batch is one repaint of the table."""
        rows = [
            row for sid, status in changes if (row := self._apply_status(sid, status)) is not None
        ]
        if rows:
            self.dataChanged.emit(self.index(min(rows), 0), self.index(max(rows), len(COLUMNS) - 1))

    def _apply_status(self, session_id: str, status: str | None) -> int | None:
        """Replaces the cached row's status; answers its row when it changed."""
        row = self._rows.row_of(session_id)
        record = self._rows.cached_record(row) if row is not None else None
        if row is None or record is None or status is None:
            return None
        new_status = SessionStatus(status)
        if new_status == record.status:
            return None
        now = datetime.now(UTC)
        self._rows.replace(
            row,
            dataclasses.replace(
                record,
                status=new_status,
                revoked_at=record.revoked_at
                or (now if new_status is SessionStatus.REVOKED else None),
                ended_at=record.ended_at or (now if new_status is SessionStatus.ENDED else None),
            ),
        )
        return row

    def _repaint_row(self, row: int) -> None:
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(COLUMNS) - 1))

    def set_redaction(self, enabled: bool) -> None:
        if enabled == self._redact:
            return
        self._redact = enabled
        if self._rows.count:
            last = self._rows.count - 1
            self.dataChanged.emit(self.index(0, 0), self.index(last, len(COLUMNS) - 1))

    def cached_pages(self) -> int:
        return self._rows.cached_pages()

    # -- far pages for the view (asynchronous seek) -----------------------------------------
    def _shown_record(self, row: int) -> SessionRecord | None:
        rows = self._rows
        if not 0 <= row < rows.count:
            return None
        number = row // PAGE_SIZE
        if not rows.is_cached(number) and rows.is_far(number) and self._can_seek_aside():
            if number not in self._failed:
                self._want(number)
            return None
        return rows.record_at(row)

    def _can_seek_aside(self) -> bool:
        path = getattr(self._rows.store, "path", None)
        return isinstance(path, Path) and path.exists()

    def _want(self, number: int) -> None:
        self._wanted[number] = None
        self._wanted.move_to_end(number)
        if not self._seeking:
            self._seeking = True
            QTimer.singleShot(0, self, self._start_far_seek)

    def _start_far_seek(self) -> None:
        while self._wanted:
            number = next(reversed(self._wanted))  # the page asked for last is on screen
            if self._rows.is_cached(number) or not self._rows.is_far(number):
                self._wanted.pop(number)
                self._repaint_page(number)
                continue
            query, offset, backward = self._rows.seek_plan(number)
            if self._executor is None:
                self._executor = ThreadPoolExecutor(1, thread_name_prefix="session-seek")
            self._executor.submit(
                self._far_seek, self._rows.store.path, query, offset, backward, self._generation
            )
            return
        self._seeking = False

    def _far_seek(
        self, path: Path, query: SessionQuery, offset: int, backward: bool, generation: int
    ) -> None:
        """Runs in the worker thread; reports back through a queued signal."""
        try:
            cursor, ok = cursor_at_path(path, query, offset), True
        except SeekFailed:
            cursor, ok = None, False
        except Exception:  # a locked or vanished file: rows stay empty, the log says why
            log.warning("session table: seeking to row %d failed", offset, exc_info=True)
            cursor, ok = None, False
        with contextlib.suppress(RuntimeError):  # the model was deleted meanwhile
            self._seek_done.emit(generation, backward, offset, cursor, ok)

    def _far_seek_done(
        self, generation: int, backward: bool, offset: int, cursor: Any, ok: bool
    ) -> None:
        if generation != self._generation:  # the query changed meanwhile
            self._start_far_seek()
            return
        if ok:
            self._rows.add_cursor(backward, offset, cursor)
            served = [n for n in self._wanted if not self._rows.is_far(n)]
            for number in served:
                self._wanted.pop(number, None)
            for number in served:
                self._repaint_page(number)
        else:
            self._failed.update(self._wanted)
            self._wanted.clear()
        self._start_far_seek()

    def _repaint_page(self, number: int) -> None:
        start, stop = self._rows.bounds(number)
        if start < stop:
            self.dataChanged.emit(self.index(start, 0), self.index(stop - 1, len(COLUMNS) - 1))
