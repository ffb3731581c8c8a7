"""`Sessions`: the session table: writes, look-ups, keyset paging, counts, the expiry sweep.

The store records facts and keeps history; deciding what a session's status should be is
`core.lifecycle`'s job (the services call `derive_status`, then write the result).
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any

from transmit_admin.core.lifecycle import SessionStatus
from transmit_admin.store import counting, queries
from transmit_admin.store.base import BUSY_TIMEOUT_MS, StorePart, UnknownSession, locked
from transmit_admin.store.records import (
    AppRef,
    ImportResult,
    Page,
    PageCursor,
    SessionQuery,
    SessionRecord,
    require_aware,
)
from transmit_admin.store.rows import (
    SESSION_COLUMNS,
    SESSION_SELECT,
    session_from_row,
    session_params,
    to_epoch,
)

log = logging.getLogger(__name__)

_BATCH = 1000


class Sessions(StorePart):
    # -- sessions ------------------------------------------------------------------------

    @locked
    def upsert_session(self, record: SessionRecord) -> bool:
        """Inserts the session or replaces every field of the recorded one; True when new.

        `access_expires_at` only ever moves forward (it tracks the newest token seen).
        """
        params = session_params(record)
        columns = ", ".join(SESSION_COLUMNS)
        values = ", ".join(f":{c}" for c in SESSION_COLUMNS)
        updates = ", ".join(
            f"{c} = excluded.{c}"
            for c in SESSION_COLUMNS
            if c not in ("environment", "session_id", "access_expires_at")
        )
        with self.writing():
            existed = self._row_id(record.environment, record.session_id) is not None
            self.db.execute(
                f"INSERT INTO sessions ({columns}) VALUES ({values}) "
                f"ON CONFLICT (environment, session_id) DO UPDATE SET {updates}, "
                "access_expires_at = CASE WHEN excluded.access_expires_at IS NULL "
                "THEN access_expires_at WHEN access_expires_at IS NULL "
                "THEN excluded.access_expires_at "
                "ELSE max(access_expires_at, excluded.access_expires_at) END",
                params,
            )
        return not existed

    @locked
    def record_status(self, record: SessionRecord) -> None:
        """Writes `record`'s status, `revoked_at`, `ended_at` and `last_checked_at`, and no
        other column. Raises UnknownSession.

        For the outcome of an action: its record was read before a slow API call, and writing
        it whole (`upsert_session`) would undo whatever changed meanwhile (a note, a newer
        token's `access_expires_at`). It is also far cheaper: the full-text index and the
        sort indexes without `status` in them are left alone.
        """
        with self.writing():
            cursor = self.db.execute(
                "UPDATE sessions SET status = ?, revoked_at = ?, ended_at = ?, "
                "last_checked_at = ? WHERE environment = ? AND session_id = ?",
                [
                    str(record.status),
                    to_epoch(record.revoked_at),
                    to_epoch(record.ended_at),
                    to_epoch(record.last_checked_at),
                    record.environment,
                    record.session_id,
                ],
            )
            if cursor.rowcount == 0:
                raise UnknownSession(record.environment, record.session_id)

    @locked
    def get_session(self, environment: str, session_id: str) -> SessionRecord | None:
        row = self.db.conn.execute(
            f"SELECT {SESSION_SELECT} FROM sessions WHERE environment = ? AND session_id = ?",
            [environment, session_id],
        ).fetchone()
        return None if row is None else session_from_row(row)

    @locked
    def set_status(
        self,
        environment: str,
        session_id: str,
        status: SessionStatus,
        *,
        at: datetime | None = None,
    ) -> SessionRecord:
        """Sets the status; moving to revoked or ended also stamps `revoked_at`/`ended_at`
        with `at` (default: now). Raises UnknownSession."""
        status = SessionStatus(status)
        stamp = to_epoch(require_aware(at, "at") if at is not None else self.now())
        with self.writing():
            cursor = self.db.execute(
                "UPDATE sessions SET status = :status, "
                "revoked_at = CASE WHEN :status = 'revoked' THEN coalesce(revoked_at, :at) "
                "ELSE revoked_at END, "
                "ended_at = CASE WHEN :status = 'ended' THEN coalesce(ended_at, :at) "
                "ELSE ended_at END "
                "WHERE environment = :environment AND session_id = :session_id",
                {
                    "status": str(status),
                    "at": stamp,
                    "environment": environment,
                    "session_id": session_id,
                },
            )
            if cursor.rowcount == 0:
                raise UnknownSession(environment, session_id)
        found = self.get_session(environment, session_id)
        assert found is not None  # just written under the lock
        return found

    @locked
    def page_sessions(
        self, query: SessionQuery, after: PageCursor | None = None, limit: int = 100
    ) -> Page:
        """One page of the session table in the query's order; pass `next_cursor` back for
        the following page. It reads only: sessions whose expiry passed are marked by the
        explicit `sweep_expired` step."""
        if limit < 1:
            raise ValueError("limit must be at least 1")
        match, ids, narrow = self._plan(query)
        if query.search is not None and match is None:
            return Page([], None)
        sql = queries.page_sql(query, after, limit, match, narrow=narrow, ids=ids)
        fetched = self.db.conn.execute(sql.text, sql.params).fetchall()
        rows = [session_from_row(row[:-1]) for row in fetched[:limit]]
        next_cursor = None
        if len(fetched) > limit:
            last = fetched[limit - 1]
            next_cursor = PageCursor(query.sort, query.descending, last[-1], last[0])
        return Page(rows, next_cursor)

    @locked
    def cursor_at(self, query: SessionQuery, offset: int) -> PageCursor | None:
        """A cursor from which `page_sessions` continues at row `offset` (0-based) of the
        query, for a scrollbar dragged deep into the table; None past the last row.

        It skips entries of the sort index rather than decoding rows (about 50 ms per
        million skipped here); paging on from the cursor is by key again.
        """
        if offset < 1:
            raise ValueError("offset must be at least 1 (offset 0 needs no cursor)")
        return counting.cursor_on(self.db.conn, query, offset)

    @locked
    def count_sessions(self, query: SessionQuery) -> int:
        return counting.count_on(self.db.conn, query)

    @locked
    def sessions_of_user(self, environment: str, user_ref: str) -> list[SessionRecord]:
        """Every session of a user id or an email (case-insensitive), newest first."""
        rows: list[SessionRecord] = []
        query = SessionQuery(environment, user=user_ref)
        after: PageCursor | None = None
        while True:
            page = self.page_sessions(query, after, limit=500)
            rows += page.rows
            if page.next_cursor is None:
                return rows
            after = page.next_cursor

    @locked
    def distinct_apps(self, environment: str) -> list[AppRef]:
        """The apps seen in an environment with their session counts, by name."""
        counted = self.db.conn.execute(
            "SELECT app_key, sum(n) FROM session_counts WHERE environment = ? AND app_key != '' "
            "GROUP BY app_key HAVING sum(n) > 0",
            [environment],
        ).fetchall()
        apps = []
        for app_id, sessions in counted:
            name = self.db.conn.execute(
                "SELECT app_name FROM sessions WHERE environment = ? AND app_id = ? "
                "AND app_name IS NOT NULL ORDER BY created_at DESC LIMIT 1",
                [environment, app_id],
            ).fetchone()
            apps.append(AppRef(app_id, None if name is None else name[0], int(sessions)))
        return sorted(apps, key=lambda app: ((app.app_name or app.app_id).casefold(), app.app_id))

    @locked
    def find_session_by_fingerprint(self, fingerprint: str) -> SessionRecord | None:
        row = self.db.conn.execute(
            "SELECT environment, session_id FROM tokens_seen WHERE fingerprint = ?",
            [fingerprint.lower()],
        ).fetchone()
        return None if row is None or row[1] is None else self.get_session(row[0], row[1])

    @locked
    def find_session_by_jti(self, jti: str, environment: str | None = None) -> SessionRecord | None:
        sql = "SELECT environment, session_id FROM tokens_seen WHERE jti = ?"
        params = [jti]
        if environment is not None:
            sql += " AND environment = ?"
            params.append(environment)
        for env, session_id in self.db.conn.execute(sql + " ORDER BY seen_at DESC", params):
            if session_id is not None:
                return self.get_session(env, session_id)
        return None

    # -- streams for export and import ---------------------------------------------------

    def iter_all(self) -> Iterator[SessionRecord]:
        """Every session, in row order, read a batch at a time (the lock held per batch)."""
        last_id = 0
        while True:
            with self._lock:
                rows = self.db.conn.execute(
                    f"SELECT {SESSION_SELECT} FROM sessions WHERE id > ? ORDER BY id LIMIT ?",
                    [last_id, _BATCH],
                ).fetchall()
            if not rows:
                return
            yield from (session_from_row(row) for row in rows)
            last_id = rows[-1][0]

    def iter_query(self, query: SessionQuery) -> Iterator[SessionRecord]:
        """The sessions of `query` in its order, a page at a time."""
        after: PageCursor | None = None
        while True:
            page = self.page_sessions(query, after, limit=_BATCH)
            yield from page.rows
            if page.next_cursor is None:
                return
            after = page.next_cursor

    @locked
    def import_records(self, records: Iterable[SessionRecord]) -> ImportResult:
        """Inserts the records in one transaction, all or none (an exception from `records`
        undoes the rows already inserted). New sessions are inserted; sessions already
        recorded are left as they are."""
        columns = ", ".join(SESSION_COLUMNS)
        values = ", ".join(f":{c}" for c in SESSION_COLUMNS)
        sql = (
            f"INSERT INTO sessions ({columns}) VALUES ({values}) "
            "ON CONFLICT (environment, session_id) DO NOTHING"
        )
        inserted = seen = 0
        with self.writing():
            batch: list[dict[str, Any]] = []
            for record in records:
                batch.append(session_params(record))
                seen += 1
                if len(batch) >= _BATCH:
                    inserted += self._insert_batch(sql, batch)
                    batch = []
            inserted += self._insert_batch(sql, batch)
        return ImportResult(inserted=inserted, already_present=seen - inserted)

    def _insert_batch(self, sql: str, batch: list[dict[str, Any]]) -> int:
        if not batch:
            return 0
        # rowcount sums the rows each statement inserted; DO NOTHING conflicts count 0.
        return int(self.db.conn.executemany(sql, batch).rowcount)

    # -- internals -----------------------------------------------------------------------

    def _plan(self, query: SessionQuery) -> tuple[str | None, list[int] | None, bool]:
        return counting.plan(self.db.conn, query)

    @locked
    def sweep_expired(self, environment: str) -> int:
        """Marks sessions whose expiry passed as expired, so status filters and counts agree
        with `core.lifecycle.derive_status`; answers how many were marked.

        An explicit step (the session table runs it when it loads and on a timer, the CLI
        before it lists), never a write inside a read. It must not make a browsing window
        wait on another process's writes: it reads first, takes the write lock only when
        something is due, and gives up at once (busy timeout 0, answering 0) when another
        writer holds it; the next sweep tries again.
        """
        now = to_epoch(self.now())
        due = self.db.conn.execute(
            "SELECT 1 FROM sessions WHERE environment = ? AND status = 'active' "
            "AND expires_at <= ? LIMIT 1",
            [environment, now],
        ).fetchone()
        if due is None:
            return 0
        self.db.conn.execute("PRAGMA busy_timeout=0")
        try:
            with self.writing():
                cursor = self.db.execute(
                    "UPDATE sessions SET status = 'expired' WHERE environment = ? "
                    "AND status = 'active' AND expires_at <= ?",
                    [environment, now],
                )
        except sqlite3.OperationalError as exc:
            log.debug("expiry sweep postponed: %s", exc)
            return 0
        finally:
            self.db.conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        return int(cursor.rowcount)
