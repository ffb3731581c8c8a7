"""A keyset cursor at any row offset of a session query, without building any record.

The session table jumps into the middle of a million rows when the user drags the
scrollbar; walking there with `page_sessions` would decode every skipped row. This reads only
(sort value, id) pairs from the covering sort index with OFFSET, which SQLite answers from the
index alone, and hands back an ordinary `PageCursor` from which pages are read by key again.

An OFFSET far into a million rows still costs 50-200 ms, so `cursor_at_path` runs it (and
`count_at_path` a new query's count) on its own read-only connection (WAL lets it read while
the app writes) in a worker thread: the store's connection and lock stay free for the GUI
thread meanwhile. Both use the store's own SQL builders (`store.queries`, `store.counting`),
so the filters are exactly those of `page_sessions` and `count_sessions`.
"""

from __future__ import annotations

import contextlib
import sqlite3
from pathlib import Path
from typing import Any

from transmit_admin.store import counting, queries, search
from transmit_admin.store.records import PageCursor, SessionQuery

BUSY_TIMEOUT_SECONDS = 5.0


class SeekFailed(Exception):
    """The store has fewer rows than the offset asked for."""


def _cursor_on(conn: sqlite3.Connection, query: SessionQuery, offset: int) -> PageCursor:
    match = None if query.search is None else search.match_expression(query.search)
    if query.search is not None and match is None:
        raise SeekFailed(offset)
    narrow = query.user is not None
    if match is not None and not narrow:
        probe = queries.narrow_probe_sql(match)
        found = int(conn.execute(probe.text, probe.params).fetchone()[0])
        narrow = found <= queries.NARROW_SEARCH_LIMIT
    terms, params = queries.filters(query, match, narrow=narrow)
    column = queries.sort_column(query)
    direction = "DESC" if query.descending else "ASC"
    order_column = f"+{column}" if narrow else column
    sql = (
        f"SELECT {column}, id FROM sessions WHERE {' AND '.join(terms)} "  # noqa: S608
        f"ORDER BY {order_column} {direction}, id {direction} LIMIT 1 OFFSET ?"
    )
    row = conn.execute(sql, [*params, offset - 1]).fetchone()
    if row is None:
        raise SeekFailed(offset)
    return PageCursor(query.sort, query.descending, row[0], int(row[1]))


def cursor_at(store: Any, query: SessionQuery, offset: int) -> PageCursor | None:
    """The cursor after which row `offset` starts (None for 0), on the store's connection."""
    if offset <= 0:
        return None
    lock = getattr(store, "_lock", None) or contextlib.nullcontext()
    with lock:
        return _cursor_on(store.db.conn, query, offset)


def _read_only(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(
        f"{Path(path).resolve().as_uri()}?mode=ro",
        uri=True,
        timeout=BUSY_TIMEOUT_SECONDS,
        check_same_thread=False,
    )


def cursor_at_path(path: Path, query: SessionQuery, offset: int) -> PageCursor | None:
    """The same on a private read-only connection to the database file (any thread)."""
    if offset <= 0:
        return None
    with contextlib.closing(_read_only(path)) as conn:
        return _cursor_on(conn, query, offset)


def count_at_path(path: Path, query: SessionQuery) -> int:
    """`Store.count_sessions` on a private read-only connection (any thread); sessions whose
    expiry passed are marked by the store when the first page is read, not here."""
    with contextlib.closing(_read_only(path)) as conn:
        return counting.count_on(conn, query)
