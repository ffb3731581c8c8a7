"""The local side of team mode: the outbox of events to push, and applying the team's journal.

`TeamOutbox(store)` reads and writes the tables of `team_tables.py` through the store's own
connection and transactions. Applying is idempotent: an event is known by its UUID, and one
seen twice changes nothing. The journal cursor moves in the same transaction as the events
it covers, so a crash half way re-applies (harmlessly) rather than skips.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from transmit_admin.core.lifecycle import SessionStatus
from transmit_admin.store.records import EventKind, SessionRecord, SharedEvent
from transmit_admin.store.rows import to_epoch
from transmit_admin.store.store import Store

# What a teammate needs to show a session it never saw: metadata, never a token.
SNAPSHOT_FIELDS = (
    "user_id",
    "email",
    "app_id",
    "app_name",
    "client_id",
    "tenant_id",
    "created_at",
    "expires_at",
    "last_auth_at",
    "factors",
    "status",
    "note",
    "revoked_at",
    "ended_at",
)
_SNAPSHOT_SELECT = ", ".join(f"s.{name}" for name in SNAPSHOT_FIELDS)
_TIME_FIELDS = ("created_at", "expires_at", "last_auth_at", "revoked_at", "ended_at")


@dataclass(frozen=True, slots=True)
class TeamLink:
    environment: str
    team_id: str
    server: str
    cursor_xid: int
    cursor_seq: int
    last_seq: int
    linked_at: datetime
    last_push_at: datetime | None
    last_pull_at: datetime | None


@dataclass(frozen=True, slots=True)
class ApplyResult:
    applied: int = 0
    already_present: int = 0
    skipped: int = 0  # an event kind this version does not know, or a session it cannot show
    session_ids: tuple[str, ...] = ()  # sessions a newly applied event touched (to refresh)
    new_sessions: int = 0  # of those, sessions this store did not have (a table reloads)

    def __add__(self, other: ApplyResult) -> ApplyResult:
        seen = dict.fromkeys((*self.session_ids, *other.session_ids))
        return ApplyResult(
            self.applied + other.applied,
            self.already_present + other.already_present,
            self.skipped + other.skipped,
            tuple(seen),
            self.new_sessions + other.new_sessions,
        )


def _time(value: float | None) -> datetime | None:
    return None if value is None else datetime.fromtimestamp(value, UTC)


class TeamOutbox:
    def __init__(self, store: Store) -> None:
        self.store = store

    # -- the link ------------------------------------------------------------------------

    def link(
        self, environment: str, team_id: str, server: str, *, share_history: bool = True
    ) -> TeamLink:
        """Binds `environment` to a team space; with `share_history`, its existing events are
        queued too. Linking again to the same team keeps the cursor; another team resets it."""
        with self.store.writing():
            current = self.link_of(environment)
            if current is not None and current.team_id == team_id:
                self.store.db.execute(
                    "UPDATE team_link SET server = ? WHERE environment = ?", [server, environment]
                )
            else:
                self.store.db.execute("DELETE FROM team_link WHERE environment = ?", [environment])
                self.store.db.execute(
                    "INSERT INTO team_link (environment, team_id, server, linked_at) "
                    "VALUES (?, ?, ?, ?)",
                    [environment, team_id, server, to_epoch(self.store.now())],
                )
                if share_history:
                    self.store.db.execute(
                        "INSERT OR IGNORE INTO team_outbox (event_row, queued_at) "
                        "SELECT e.id, e.at FROM session_events e "
                        "JOIN sessions s ON s.id = e.session_row "
                        "WHERE s.environment = ? AND e.origin = 'local'",
                        [environment],
                    )
        link = self.link_of(environment)
        assert link is not None
        return link

    def unlink(self, environment: str) -> None:
        """Leaves the team: nothing more is queued; what waits is dropped."""
        with self.store.writing():
            self.store.db.execute(
                "DELETE FROM team_outbox WHERE event_row IN (SELECT e.id FROM session_events e "
                "JOIN sessions s ON s.id = e.session_row WHERE s.environment = ?)",
                [environment],
            )
            self.store.db.execute("DELETE FROM team_link WHERE environment = ?", [environment])

    def link_of(self, environment: str) -> TeamLink | None:
        with self.store._lock:
            row = self.store.db.conn.execute(
                "SELECT environment, team_id, server, cursor_xid, cursor_seq, last_seq, "
                "linked_at, last_push_at, last_pull_at FROM team_link WHERE environment = ?",
                [environment],
            ).fetchone()
        if row is None:
            return None
        env, team_id, server, xid, seq, last_seq, linked, pushed, pulled = row
        linked_at = _time(linked)
        assert linked_at is not None
        return TeamLink(
            env, team_id, server, int(xid), seq, last_seq, linked_at, _time(pushed), _time(pulled)
        )

    # -- pushing -------------------------------------------------------------------------

    def waiting(self, environment: str) -> int:
        """How many local events wait to be pushed ("team: offline, N events waiting")."""
        with self.store._lock:
            row = self.store.db.conn.execute(
                "SELECT count(*) FROM team_outbox o JOIN session_events e ON e.id = o.event_row "
                "JOIN sessions s ON s.id = e.session_row WHERE s.environment = ?",
                [environment],
            ).fetchone()
        return int(row[0])

    def pending(self, environment: str, limit: int = 500) -> list[SharedEvent]:
        """The oldest waiting events, oldest first, with their sessions' metadata."""
        with self.store._lock:
            rows = self.store.db.conn.execute(
                "SELECT e.event_uuid, e.kind, s.session_id, e.at, e.detail, e.actor, "
                f"{_SNAPSHOT_SELECT} FROM team_outbox o "
                "JOIN session_events e ON e.id = o.event_row "
                "JOIN sessions s ON s.id = e.session_row "
                "WHERE s.environment = ? ORDER BY o.event_row LIMIT ?",
                [environment, limit],
            ).fetchall()
        events = []
        for row in rows:
            uuid_, kind, session_id, at, detail, actor, *snapshot = row
            session = dict(zip(SNAPSHOT_FIELDS, snapshot, strict=True))
            session["factors"] = json.loads(session["factors"] or "[]")
            session = {k: v for k, v in session.items() if v is not None}
            moment = _time(at)
            assert moment is not None
            events.append(SharedEvent(uuid_, kind, session_id, moment, detail, actor, session))
        return events

    def mark_pushed(self, environment: str, event_uuids: Sequence[str]) -> None:
        """The journal has these events (committed there): they leave the outbox."""
        with self.store.writing():
            self.store.db.conn.executemany(
                "DELETE FROM team_outbox WHERE event_row = "
                "(SELECT id FROM session_events WHERE event_uuid = ?)",
                [[u] for u in event_uuids],
            )
            self.store.db.execute(
                "UPDATE team_link SET last_push_at = ? WHERE environment = ?",
                [to_epoch(self.store.now()), environment],
            )

    # -- applying the journal ------------------------------------------------------------

    def apply(
        self,
        environment: str,
        events: Iterable[SharedEvent],
        *,
        cursor: tuple[int, int],
    ) -> ApplyResult:
        """Applies journal events to `environment` and moves its cursor to `cursor`
        (transaction id, sequence), all in one transaction. Idempotent by event UUID."""
        applied = present = skipped = created = 0
        touched: dict[str, None] = {}
        with self.store.writing():
            top = 0
            for event in events:
                top = max(top, event.seq or 0)
                outcome = self._apply_one(environment, event)
                if outcome in ("applied", "created"):
                    touched[event.session_id] = None
                created += outcome == "created"
                applied += outcome in ("applied", "created")
                present += outcome == "present"
                skipped += outcome == "skipped"
            self.store.db.execute(
                "UPDATE team_link SET cursor_xid = ?, cursor_seq = ?, "
                "last_seq = max(last_seq, ?), last_pull_at = ? WHERE environment = ?",
                [str(cursor[0]), cursor[1], top, to_epoch(self.store.now()), environment],
            )
        return ApplyResult(applied, present, skipped, tuple(touched), created)

    def _apply_one(self, environment: str, event: SharedEvent) -> str:
        conn = self.store.db.conn
        if conn.execute(
            "SELECT 1 FROM session_events WHERE event_uuid = ?", [event.event_uuid]
        ).fetchone():
            return "present"
        try:
            kind = EventKind(event.kind)
        except ValueError:
            return "skipped"  # written by a newer version; the journal keeps it
        row_id = self.store._row_id(environment, event.session_id)
        outcome = "applied"
        if row_id is None:
            record = _record_from_snapshot(environment, event)
            if record is None:
                return "skipped"
            self.store.upsert_session(record)
            row_id = self.store._row_id(environment, event.session_id)
            outcome = "created"
        conn.execute(
            "INSERT INTO session_events (session_row, kind, at, actor, detail, event_uuid, "
            "origin) VALUES (?, ?, ?, ?, ?, ?, 'team')",
            [row_id, str(kind), to_epoch(event.at), event.actor, event.detail, event.event_uuid],
        )
        _apply_effect(conn, row_id, kind, event)
        return outcome


def _apply_effect(conn: Any, row_id: int | None, kind: EventKind, event: SharedEvent) -> None:
    """What a teammate's event changes in the session row, beyond its history."""
    at = to_epoch(event.at)
    if kind is EventKind.REVOKE_CONFIRMED:
        conn.execute(
            "UPDATE sessions SET status = 'revoked', revoked_at = coalesce(revoked_at, ?) "
            "WHERE id = ? AND status != 'revoked'",
            [at, row_id],
        )
    elif kind is EventKind.FOUND_ENDED:
        conn.execute(
            "UPDATE sessions SET status = 'ended', ended_at = coalesce(ended_at, ?) "
            "WHERE id = ? AND status NOT IN ('revoked', 'ended')",
            [at, row_id],
        )
    elif kind is EventKind.NOTE_CHANGED:
        conn.execute(
            "UPDATE sessions SET note = ? WHERE id = ?", [event.session.get("note"), row_id]
        )
    elif kind is EventKind.FACTOR_ADDED and event.session.get("factors"):
        current = conn.execute("SELECT factors FROM sessions WHERE id = ?", [row_id]).fetchone()
        factors = list(json.loads(current[0] or "[]"))
        factors += [f for f in event.session["factors"] if f not in factors]
        conn.execute("UPDATE sessions SET factors = ? WHERE id = ?", [json.dumps(factors), row_id])


def _record_from_snapshot(environment: str, event: SharedEvent) -> SessionRecord | None:
    snap = event.session
    try:
        times = {
            name: _time(float(snap[name])) if snap.get(name) is not None else None
            for name in _TIME_FIELDS
        }
        created = times["created_at"]
        expires = times["expires_at"]
        if not snap.get("user_id") or created is None or expires is None:
            return None
        return SessionRecord(
            environment=environment,
            session_id=event.session_id,
            user_id=str(snap["user_id"]),
            created_at=created,
            expires_at=expires,
            last_auth_at=times["last_auth_at"] or created,
            status=SessionStatus(snap.get("status", "active")),
            source="synced",
            email=snap.get("email"),
            app_id=snap.get("app_id"),
            app_name=snap.get("app_name"),
            client_id=snap.get("client_id"),
            tenant_id=snap.get("tenant_id"),
            factors=tuple(str(f) for f in snap.get("factors", ())),
            note=snap.get("note"),
            revoked_at=times["revoked_at"],
            ended_at=times["ended_at"],
        )
    except (KeyError, TypeError, ValueError):
        return None
