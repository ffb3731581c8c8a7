"""How many sessions a query matches, on any connection to the store's file.

`Store.count_sessions` runs it on the store's own connection; the session table runs it on a
private read-only one in a worker thread (`ui/sessions/seek.py`), because a full-text count
over a million sessions took 50-400 ms (more with a cold file cache): too long for the GUI
thread, where each search the user typed ran it.
"""

from __future__ import annotations

import sqlite3

from transmit_admin.store import queries, search
from transmit_admin.store.records import SessionQuery


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
