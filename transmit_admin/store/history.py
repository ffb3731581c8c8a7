"""A session's events and the append-only audit log (the database refuses to change it)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import datetime
from typing import IO, Any, Literal

from transmit_admin.store import export, guard
from transmit_admin.store.base import StorePart, UnknownSession, locked, os_user
from transmit_admin.store.records import (
    AuditEntry,
    EventKind,
    SessionEvent,
    SessionRecord,
    require_aware,
)
from transmit_admin.store.rows import (
    AUDIT_FROM,
    AUDIT_SELECT,
    SESSION_SELECT_QUALIFIED,
    audit_from_row,
    event_from_row,
    session_from_row,
    to_epoch,
)

_AUDIT_BATCH = 500


class History(StorePart):
    """Session events and the audit log."""

    @locked
    def add_event(
        self,
        environment: str,
        session_id: str,
        kind: EventKind | str,
        detail: str = "",
        actor: str | None = None,
        *,
        at: datetime | None = None,
    ) -> SessionEvent:
        """Appends to a session's history (raises UnknownSession). `actor`: the OS user."""
        kind = EventKind(kind)
        row_id = self._row_id(environment, session_id)
        if row_id is None:
            raise UnknownSession(environment, session_id)
        moment = require_aware(at, "at") if at is not None else self.now()
        actor = actor or os_user()
        detail = guard.scrub_text(detail)
        event_uuid = str(uuid.uuid4())
        with self.writing():
            # A linked team's outbox row is queued by a trigger, in this same transaction.
            cursor = self.db.execute(
                "INSERT INTO session_events (session_row, kind, at, actor, detail, event_uuid) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                [row_id, str(kind), to_epoch(moment), actor, detail, event_uuid],
            )
        assert cursor.lastrowid is not None
        return SessionEvent(
            cursor.lastrowid, environment, session_id, kind, moment, actor, detail, event_uuid
        )

    @locked
    def interrupted_logouts(
        self, environment: str, requested_before: datetime
    ) -> list[SessionRecord]:
        """Sessions whose newest event is a "logout requested" older than `requested_before`
        and that are still active: the process stopped between sending a logout and recording
        its answer, so nobody knows whether Transmit ended them. (An expired one needs no
        answer: Transmit dropped it either way.)"""
        rows = self.db.conn.execute(
            f"SELECT {SESSION_SELECT_QUALIFIED} FROM session_events e "
            "JOIN sessions s ON s.id = e.session_row "
            "WHERE e.kind = 'revoke_requested' AND e.at < ? AND s.environment = ? "
            "AND s.status = 'active' AND s.expires_at > ? "
            "AND e.id = (SELECT max(id) FROM session_events WHERE session_row = s.id)",
            [
                to_epoch(require_aware(requested_before, "requested_before")),
                environment,
                to_epoch(self.now()),
            ],
        ).fetchall()
        return [session_from_row(row) for row in rows]

    @locked
    def events_of(self, environment: str, session_id: str) -> list[SessionEvent]:
        """A session's history, oldest first."""
        rows = self.db.conn.execute(
            "SELECT e.id, s.environment, s.session_id, e.kind, e.at, e.actor, e.detail, "
            "e.event_uuid, e.origin "
            "FROM session_events e JOIN sessions s ON s.id = e.session_row "
            "WHERE s.environment = ? AND s.session_id = ? ORDER BY e.id",
            [environment, session_id],
        ).fetchall()
        return [event_from_row(row) for row in rows]

    @locked
    def audit(
        self,
        action: str,
        target: str,
        outcome: str,
        detail: str = "",
        actor: str | None = None,
        environment: str | None = None,
        user_id: str | None = None,
        user_email: str | None = None,
    ) -> AuditEntry:
        """Appends to the audit log (which the database refuses to change afterwards)."""
        moment = self.now()
        actor = actor or os_user()
        detail = guard.scrub_text(detail)
        target = guard.scrub_text(target)
        with self.writing():
            cursor = self.db.execute(
                "INSERT INTO audit_log (at, actor, environment, action, target, outcome, detail,"
                " user_id, user_email) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    to_epoch(moment),
                    *(actor, environment, action, target, outcome, detail, user_id, user_email),
                ],
            )
        assert cursor.lastrowid is not None
        return AuditEntry(
            cursor.lastrowid,
            moment,
            actor,
            action,
            target,
            outcome,
            detail,
            environment,
            user_id,
            user_email,
        )

    def iter_audit(
        self, limit: int | None = None, *, newest_first: bool = True
    ) -> Iterator[AuditEntry]:
        """Streams the audit log in batches (the lock is held per batch, not throughout)."""
        yielded = 0
        last_id: int | None = None
        comparison, direction = ("<", "DESC") if newest_first else (">", "ASC")
        while limit is None or yielded < limit:
            batch = _AUDIT_BATCH if limit is None else min(_AUDIT_BATCH, limit - yielded)
            where = "" if last_id is None else f"WHERE a.id {comparison} ?"
            params: list[Any] = [] if last_id is None else [last_id]
            with self._lock:
                rows = self.db.conn.execute(
                    f"SELECT {AUDIT_SELECT} FROM {AUDIT_FROM} {where} "
                    f"ORDER BY a.id {direction} LIMIT ?",
                    [*params, batch],
                ).fetchall()
            if not rows:
                return
            for row in rows:
                yield audit_from_row(row)
            yielded += len(rows)
            last_id = rows[-1][0]

    def export_audit(self, fp: IO[str], fmt: Literal["csv", "json"] = "csv") -> int:
        """Writes the whole audit log, oldest first; returns the number of entries."""
        return export.write_audit(self.iter_audit(newest_first=False), fp, fmt)
