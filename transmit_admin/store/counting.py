"""How many sessions a query matches, and the cursor at a row offset, on any connection.

`Store.count_sessions` / `cursor_at` run them on the store's own connection; the session
table runs them on a private read-only one in a worker thread (`reader.count_at_path`,
`reader.cursor_at_path`), because a full-text count over a million sessions took 50-400 ms
(more with a cold file cache) and an OFFSET deep into the sort index 50-200 ms: too long for
the GUI thread, where each search the user typed or scrollbar drag ran one.
"""

from __future__ import annotations

import sqlite3

from transmit_admin.store import queries, search
from transmit_admin.store.records import PageCursor, SessionQuery


def plan(
    conn: sqlite3.Connection, query: SessionQuery
) -> tuple[str | None, list[int] | None, bool]:
    """(FTS match, the matching ids when the search is narrow, narrow?) of a query.

    A search runs its full-text query once, up to NARROW_SEARCH_LIMIT + 1 ids: when it
    stops short of that, those ids are the answer's candidates; otherwise the matches are
    dense and the sort index is walked with the MATCH as a filter.
    """
    match = None if query.search is None else search.match_expression(query.search)
    if match is None:
        return None, None, query.user is not None
    probe = queries.search_ids_sql(match)
    ids = [int(row[0]) for row in conn.execute(probe.text, probe.params)]
    if len(ids) <= queries.NARROW_SEARCH_LIMIT:
        return match, ids, True
    return match, None, query.user is not None


def count_on(conn: sqlite3.Connection, query: SessionQuery) -> int:
    """The number of sessions `query` matches (the trigger-kept counters when no search or
    user narrows it)."""
    if query.user is None and query.search is None:
        sql = queries.count_from_counters_sql(query)
    else:
        match, ids, narrow = plan(conn, query)
        if query.search is not None and match is None:
            return 0
        sql = queries.count_sql(query, match, narrow=narrow, ids=ids)
    return int(conn.execute(sql.text, sql.params).fetchone()[0])


def cursor_on(conn: sqlite3.Connection, query: SessionQuery, offset: int) -> PageCursor | None:
    """A cursor from which paging continues at row `offset` (1-based: the row before the
    first one wanted) of the query; None past the last row. It skips entries of the sort
    index rather than decoding rows."""
    match, ids, narrow = plan(conn, query)
    if query.search is not None and match is None:
        return None
    sql = queries.cursor_at_sql(query, offset, match, narrow=narrow, ids=ids)
    row = conn.execute(sql.text, sql.params).fetchone()
    return None if row is None else PageCursor(query.sort, query.descending, row[0], int(row[1]))
