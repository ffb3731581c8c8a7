"""Appending to the team journal and reading it without ever losing an event.

Sequence numbers can commit out of order (11 visible before 10), so "after the last number
seen" would lose 10. Every row carries the id of the transaction that wrote it (`txid`, set
by the server). A transaction id below `pg_snapshot_xmin(pg_current_snapshot())` belongs to
a transaction that has finished: its rows, if any, are all visible now and no more will ever
appear. A pull therefore reads only rows below that horizon, in (txid, seq) order, and
remembers where it stopped; rows of transactions still running are read by a later pull.
Applying is idempotent by event UUID anyway, so re-reading is harmless and skipping is
impossible. Transaction ids are cluster-wide: a long writing transaction anywhere on the
server delays (never loses) what teammates see until it ends.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import psycopg

from transmit_admin.store.records import SharedEvent
from transmit_admin.team import guard

Conn = psycopg.Connection[tuple[Any, ...]]
PULL_PAGE = 2000

Cursor = tuple[int, int]  # (transaction id, sequence): everything before it has been read


@dataclass(frozen=True, slots=True)
class PullPage:
    events: list[SharedEvent]
    cursor: Cursor  # where the next page starts
    complete: bool  # True: nothing more below the horizon


def append(conn: Conn, events: Sequence[SharedEvent]) -> int:
    """Inserts the events in one transaction (the caller's when one is open, else its own);
    events already in the journal (same UUID) are left alone. Returns how many were new.
    Raises SecretInEvent before sending anything if one event carries a secret."""
    for event in events:
        guard.check_event(event)
    rows = [
        (e.event_uuid, e.at, e.kind, e.session_id, e.detail, json.dumps(e.session)) for e in events
    ]
    if not rows:
        return 0
    inserted = 0
    with conn.transaction(), conn.cursor() as cur:
        for row in rows:
            cur.execute(
                "INSERT INTO transmit_team.journal (event_id, at, kind, session_id, detail, "
                "session) VALUES (%s, %s, %s, %s, %s, %s::jsonb) "
                "ON CONFLICT (event_id) DO NOTHING",
                row,
            )
            inserted += cur.rowcount
    return inserted


def horizon(conn: Conn) -> int:
    """The oldest transaction id still running (or the next one): rows below it are final."""
    row = conn.execute("SELECT pg_snapshot_xmin(pg_current_snapshot())::text").fetchone()
    assert row is not None
    return int(row[0])


def pull_page(conn: Conn, after: Cursor, below: int, limit: int = PULL_PAGE) -> PullPage:
    """Events from `after` (exclusive) up to the horizon `below` (exclusive), in commit-safe
    order. With `complete`, the cursor becomes (below, 0)."""
    rows = conn.execute(
        "SELECT event_id::text, kind, session_id, at, detail, actor, session, seq, txid::text "
        "FROM transmit_team.journal WHERE (txid, seq) > (%s::text::xid8, %s) "
        "AND txid < %s::text::xid8 ORDER BY txid, seq LIMIT %s",
        [str(after[0]), after[1], str(below), limit],
    ).fetchall()
    events = [
        SharedEvent(
            event_uuid=event_id,
            kind=kind,
            session_id=session_id,
            at=at,
            detail=detail,
            actor=actor,
            session=session if isinstance(session, dict) else {},
            seq=seq,
        )
        for event_id, kind, session_id, at, detail, actor, session, seq, _ in rows
    ]
    if len(rows) < limit:
        return PullPage(events, (max(below, after[0]), 0), True)
    last = rows[-1]
    return PullPage(events, (int(last[8]), int(last[7])), False)


def read_log(conn: Conn, *, limit: int = 100, session_id: str | None = None) -> list[SharedEvent]:
    """The newest journal entries, newest first (`team log`, the audit panel)."""
    columns = "SELECT event_id::text, kind, session_id, at, detail, actor, session, seq "
    if session_id is None:
        rows = conn.execute(
            columns + "FROM transmit_team.journal ORDER BY seq DESC LIMIT %s", [limit]
        ).fetchall()
    else:
        rows = conn.execute(
            columns + "FROM transmit_team.journal WHERE session_id = %s ORDER BY seq DESC LIMIT %s",
            [session_id, limit],
        ).fetchall()
    return [
        SharedEvent(e, k, s, at, d, a, sess if isinstance(sess, dict) else {}, seq)
        for e, k, s, at, d, a, sess, seq in rows
    ]
