"""The session table's rows: a bounded page cache over the store, read by key. No Qt.

Why not Qt's fetchMore example (append a page whenever the view reaches the end)? Its memory
grows with how far the user scrolled: dragging the scrollbar to the end of a million sessions
would load a million records, and the scrollbar would only ever span what is loaded. Instead:

- the row count comes from `StoreReader.count` (kept cheap by the store's counters), so the
  scrollbar spans every matching session from the start;
- rows live in an LRU cache of at most `MAX_CACHED_PAGES` pages of `PAGE_SIZE` rows, keyed by
  row index, and a page is read on demand when someone asks for a row in it;
- pages are read by key (`page(query, after=cursor)`), never by OFFSET: the cache
  remembers the keyset cursor at every page boundary it has passed (a few bytes each), so
  scrolling reads the neighbour page with an index range scan; the end of the table is read
  with the reversed sort from its own cursors, so "scroll to the end" costs one page too.
  Only a jump into the middle, far from every known cursor, needs an index seek (OFFSET over
  the sort index, `seek.py`); the table model runs that one off the GUI thread.
"""

from __future__ import annotations

import bisect
import dataclasses
import logging
from collections import OrderedDict
from typing import TYPE_CHECKING, Any

from transmit_admin.store.records import PageCursor, SessionQuery, SessionRecord
from transmit_admin.ui.sessions.seek import SeekFailed, cursor_at

if TYPE_CHECKING:
    from transmit_admin.store.reader import StoreReader

log = logging.getLogger(__name__)

# A page is what a tall window shows; reading one costs a few ms (mostly decoding records).
PAGE_SIZE = 100
MAX_CACHED_PAGES = 60  # 6,000 records at most, whatever the table size
WALK_LIMIT = 2 * PAGE_SIZE  # farther than this from a known cursor: seek instead of walking

_EXHAUSTED = object()


class _Cursors:
    """Known keyset cursors of one direction, by row offset in that direction."""

    def __init__(self) -> None:
        self._offsets: list[int] = [0]
        self._cursors: dict[int, PageCursor | None] = {0: None}

    def add(self, offset: int, cursor: PageCursor | None) -> None:
        if cursor is not None and offset not in self._cursors:
            bisect.insort(self._offsets, offset)
            self._cursors[offset] = cursor

    def nearest(self, offset: int) -> tuple[int, PageCursor | None]:
        """The known cursor at or before `offset`."""
        at = self._offsets[bisect.bisect_right(self._offsets, offset) - 1]
        return at, self._cursors[at]


class PageCache:
    def __init__(self, store: StoreReader, query: SessionQuery) -> None:
        self.pages_read = 0  # how many store reads served this cache (tests, bench)
        self.seeks = 0  # how many far jumps needed an index seek
        self.reset(store, query)

    def reset(self, store: StoreReader, query: SessionQuery, count: int | None = None) -> None:
        """Forgets every row and cursor; the rows of `query` are `count` (counted now when
        not given)."""
        self.store = store
        self.query = query
        self._pages: OrderedDict[int, list[SessionRecord]] = OrderedDict()
        self._row_index: dict[str, int] = {}  # session id -> row, for the cached pages only
        self._forward = _Cursors()
        self._backward = _Cursors()
        self.count = int(store.count(query)) if count is None else count

    # -- rows -------------------------------------------------------------------------------
    def record_at(self, row: int) -> SessionRecord | None:
        if not 0 <= row < self.count:
            return None
        rows = self._page(row // PAGE_SIZE)
        offset = row % PAGE_SIZE
        return rows[offset] if offset < len(rows) else None

    def is_cached(self, number: int) -> bool:
        return number in self._pages

    def row_of(self, session_id: str) -> int | None:
        return self._row_index.get(session_id)

    def cached_record(self, row: int) -> SessionRecord | None:
        rows = self._pages.get(row // PAGE_SIZE)
        return rows[row % PAGE_SIZE] if rows is not None and row % PAGE_SIZE < len(rows) else None

    def replace(self, row: int, record: SessionRecord) -> None:
        rows = self._pages.get(row // PAGE_SIZE)
        if rows is not None and row % PAGE_SIZE < len(rows):
            rows[row % PAGE_SIZE] = record

    def cached_pages(self) -> int:
        return len(self._pages)

    # -- distances to known cursors ---------------------------------------------------------
    def bounds(self, number: int) -> tuple[int, int]:
        start = number * PAGE_SIZE
        return start, min(start + PAGE_SIZE, self.count)

    def distances(self, number: int) -> tuple[int, int]:
        """How many rows must be skipped to reach the page, forward and backward."""
        start, stop = self.bounds(number)
        back_start = self.count - stop
        forward = start - self._forward.nearest(start)[0]
        return forward, back_start - self._backward.nearest(back_start)[0]

    def is_far(self, number: int) -> bool:
        return min(self.distances(number)) > WALK_LIMIT

    def seek_plan(self, number: int) -> tuple[SessionQuery, int, bool]:
        """(query, offset, backward) of the index seek that makes page `number` near."""
        forward, backward = self.distances(number)
        start, stop = self.bounds(number)
        go_back = backward < forward
        query = self._reversed() if go_back else self.query
        return query, (self.count - stop if go_back else start), go_back

    def add_cursor(self, backward: bool, offset: int, cursor: PageCursor | None) -> None:
        self.seeks += 1
        (self._backward if backward else self._forward).add(offset, cursor)

    def _reversed(self) -> SessionQuery:
        return dataclasses.replace(self.query, descending=not self.query.descending)

    # -- reading ----------------------------------------------------------------------------
    def _page(self, number: int) -> list[SessionRecord]:
        rows = self._pages.get(number)
        if rows is not None:
            self._pages.move_to_end(number)
            return rows
        start, stop = self.bounds(number)
        rows = self._read(start, stop)
        self._pages[number] = rows
        for offset, record in enumerate(rows):
            self._row_index[record.session_id] = start + offset
        while len(self._pages) > MAX_CACHED_PAGES:
            evicted, old_rows = self._pages.popitem(last=False)
            for offset, record in enumerate(old_rows):
                if self._row_index.get(record.session_id) == evicted * PAGE_SIZE + offset:
                    del self._row_index[record.session_id]
        return rows

    def _read(self, start: int, stop: int) -> list[SessionRecord]:
        """Rows [start, stop) in table order, read from whichever end has a closer cursor."""
        ahead, _ = self._forward.nearest(start)
        back_start = self.count - stop  # the same rows, counted from the end
        behind, _ = self._backward.nearest(back_start)
        if back_start - behind < start - ahead:
            rows = self._read_direction(back_start, stop - start, backward=True)
            rows.reverse()
        else:
            rows = self._read_direction(start, stop - start, backward=False)
        if len(rows) != stop - start:  # the store changed under us: trust it, not the count
            log.info("session table: expected %d rows, got %d", stop - start, len(rows))
        return rows

    def _read_direction(self, start: int, limit: int, *, backward: bool) -> list[SessionRecord]:
        cursors = self._backward if backward else self._forward
        query = self._reversed() if backward else self.query
        cursor = self._seek(cursors, query, start)
        if cursor is _EXHAUSTED:  # the store has fewer rows than counted
            return []
        page = self.store.page(query, after=cursor, limit=limit)
        self.pages_read += 1
        cursors.add(start + len(page.rows), page.next_cursor)
        return list(page.rows)

    def _seek(self, cursors: _Cursors, query: SessionQuery, offset: int) -> Any:
        """The cursor exactly at `offset`, or _EXHAUSTED.

        Near a known cursor (scrolling) it walks by key; far from all of them it asks the
        sort index for the cursor at that offset (`seek.cursor_at`, on this thread).
        """
        at, cursor = cursors.nearest(offset)
        if offset - at > WALK_LIMIT:
            try:
                cursor = cursor_at(self.store, query, offset)
            except SeekFailed:
                return _EXHAUSTED
            self.seeks += 1
            cursors.add(offset, cursor)
            return cursor
        if at < offset:
            page = self.store.page(query, after=cursor, limit=offset - at)
            self.pages_read += 1
            if page.next_cursor is None or len(page.rows) < offset - at:
                return _EXHAUSTED
            cursor = page.next_cursor
            cursors.add(offset, cursor)
        return cursor
