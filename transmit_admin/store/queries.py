"""SQL for the session table: keyset pages and counts that stay fast at a million rows.

A page is `WHERE <filters> AND (sort_column, id) < (last value, last id) ORDER BY sort_column,
id LIMIT n`: an index range scan that never reads the rows of earlier pages (no OFFSET).
Every filter/sort pair has an index (see migrations.SORT_COLUMNS / FILTER_PREFIXES).

Two filters narrow the table so much that walking a sort index would be the slow plan: a
user (a handful of sessions) and a rare search word. For those the query starts from the
narrow side and sorts the few matches; the unary `+` keeps SQLite from choosing the sort
index instead (without ANALYZE statistics it would).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from transmit_admin.store.migrations import SORT_COLUMNS
from transmit_admin.store.records import PageCursor, SessionQuery
from transmit_admin.store.rows import SESSION_SELECT

# A search matching at most this many sessions is answered from the full-text index and
# sorted; above it, matching rows are dense enough that walking the sort index finds a page
# quickly. Both plans stay well under 20 ms at 1M rows on either side of this line.
NARROW_SEARCH_LIMIT = 2000

MATCH_SUBQUERY = "SELECT rowid FROM sessions_fts WHERE sessions_fts MATCH ?"


@dataclass(frozen=True, slots=True)
class Sql:
    text: str
    params: list[Any]


def sort_column(query: SessionQuery) -> str:
    return SORT_COLUMNS[query.sort]


USER_SUBQUERY = (
    "SELECT id FROM sessions WHERE environment = ? AND user_id = ? "
    "UNION ALL SELECT id FROM sessions WHERE environment = ? AND email = ? COLLATE NOCASE"
)


IDS_SUBQUERY = "SELECT value FROM json_each(?)"


def filters(
    query: SessionQuery, match: str | None, *, narrow: bool, ids: list[int] | None = None
) -> tuple[list[str], list[Any]]:
    """WHERE terms and their parameters. `narrow`: keep SQLite off the sort indexes.
    `ids`: the search's matches, already fetched (a narrow search): used instead of `match`
    so the full-text query does not run twice."""
    plus = "+" if narrow else ""
    terms = [f"{plus}environment = ?"]
    params: list[Any] = [query.environment]
    if query.status is not None:
        terms.append(f"{plus}status = ?")
        params.append(str(query.status))
    if query.app is not None:
        terms.append(f"{plus}app_id = ?")
        params.append(query.app)
    if query.user is not None:
        # Two index lookups (an OR of them is not planned as a union without statistics).
        terms.append(f"id IN ({USER_SUBQUERY})")
        params += [query.environment, query.user, query.environment, query.user]
    if ids is not None:
        terms.append(f"id IN ({IDS_SUBQUERY})")
        params.append(json.dumps(ids))
    elif match is not None:
        terms.append(f"id IN ({MATCH_SUBQUERY})")
        params.append(match)
    return terms, params


def page_sql(
    query: SessionQuery,
    after: PageCursor | None,
    limit: int,
    match: str | None,
    *,
    narrow: bool,
    ids: list[int] | None = None,
) -> Sql:
    """Selects `limit + 1` rows (SESSION_SELECT plus the sort value): the extra one tells
    whether another page follows."""
    column = sort_column(query)
    terms, params = filters(query, match, narrow=narrow, ids=ids)
    if after is not None:
        if after.sort != query.sort or after.descending != query.descending:
            raise ValueError("this page cursor belongs to a query with another sort order")
        terms.append(f"({column}, id) {'<' if query.descending else '>'} (?, ?)")
        params += [after.value, after.row_id]
    direction = "DESC" if query.descending else "ASC"
    order_column = f"+{column}" if narrow else column
    text = (
        f"SELECT {SESSION_SELECT}, {column} FROM sessions WHERE {' AND '.join(terms)} "
        f"ORDER BY {order_column} {direction}, id {direction} LIMIT ?"
    )
    return Sql(text, [*params, limit + 1])


def cursor_at_sql(
    query: SessionQuery,
    offset: int,
    match: str | None,
    *,
    narrow: bool,
    ids: list[int] | None = None,
) -> Sql:
    """The (sort value, id) of row `offset` (1-based) of a query, read from the sort index
    alone (it covers both columns): OFFSET here skips index entries, never rows."""
    column = sort_column(query)
    terms, params = filters(query, match, narrow=narrow, ids=ids)
    direction = "DESC" if query.descending else "ASC"
    order_column = f"+{column}" if narrow else column
    text = (
        f"SELECT {column}, id FROM sessions WHERE {' AND '.join(terms)} "
        f"ORDER BY {order_column} {direction}, id {direction} LIMIT 1 OFFSET ?"
    )
    return Sql(text, [*params, offset - 1])


def count_from_counters_sql(query: SessionQuery) -> Sql:
    """The count of a query with no user or search filter, from the trigger-kept counters."""
    terms = ["environment = ?"]
    params: list[Any] = [query.environment]
    if query.status is not None:
        terms.append("status = ?")
        params.append(str(query.status))
    if query.app is not None:
        terms.append("app_key = ?")
        params.append(query.app)
    return Sql(
        f"SELECT coalesce(sum(n), 0) FROM session_counts WHERE {' AND '.join(terms)}", params
    )


def count_sql(
    query: SessionQuery, match: str | None, *, narrow: bool, ids: list[int] | None = None
) -> Sql:
    terms, params = filters(query, match, narrow=narrow, ids=ids)
    return Sql(f"SELECT count(*) FROM sessions WHERE {' AND '.join(terms)}", params)


def search_ids_sql(match: str) -> Sql:
    """The search's matching row ids, stopping just past the narrow limit: either all of
    them (a narrow search, answered from these ids) or proof that it is broad."""
    return Sql(f"{MATCH_SUBQUERY} LIMIT ?", [match, NARROW_SEARCH_LIMIT + 1])


def narrow_probe_sql(match: str) -> Sql:
    """Counts search matches, stopping just past the narrow limit (cheap either way)."""
    return Sql(f"SELECT count(*) FROM ({MATCH_SUBQUERY} LIMIT ?)", [match, NARROW_SEARCH_LIMIT + 1])
