"""The trail every action leaves: session events, audit rows, and status changes by the rules.

Details pass through `core.redact.redact_secrets` before they reach the database, so a typed
error that echoed a code or token from Transmit cannot put it on disk.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

from transmit_admin.core.lifecycle import Observation, derive_status
from transmit_admin.core.redact import redact_secrets
from transmit_admin.services.results import ActionResult
from transmit_admin.store.records import EventKind, SessionRecord
from transmit_admin.store.store import Store


def utc_text(moment: datetime | None) -> str:
    if moment is None:
        return "unknown"
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


class SessionTrail:
    def __init__(self, store: Store, environment: str, actor: str) -> None:
        self.store = store
        self.environment = environment
        self.actor = actor

    def event(self, record: SessionRecord, kind: EventKind, detail: str) -> None:
        self.store.add_event(
            self.environment, record.session_id, kind, redact_secrets(detail), self.actor
        )

    def audit(self, action: str, target: str, outcome: str, detail: str) -> None:
        # The user the entry is about, recorded with it (schema v3): read from the session's
        # record when the target is a tracked session, so the entry names them even after
        # the session's row is gone.
        record = self.store.get_session(self.environment, target)
        self.store.audit(
            action,
            target=target,
            outcome=outcome,
            detail=redact_secrets(detail),
            actor=self.actor,
            environment=self.environment,
            user_id=record.user_id if record is not None else None,
            user_email=record.email if record is not None else None,
        )

    @staticmethod
    def with_status(
        record: SessionRecord, now: datetime, observed: Observation | None = None
    ) -> SessionRecord:
        status = derive_status(
            record.status, expires_at=record.expires_at, now=now, observed=observed
        )
        return dataclasses.replace(record, status=status)

    def mark_revoked(self, record: SessionRecord, now: datetime, detail: str) -> SessionRecord:
        """`revoked` (a confirmed 204), stamped `now`, with its event. Callers wrap it and the
        audit row in one `store.writing()`, so an outcome is never half written."""
        revoked = dataclasses.replace(
            self.with_status(record, now, Observation.REVOKE_CONFIRMED), revoked_at=now
        )
        # Only the status columns: `record` may have been read before a slow API call.
        self.store.record_status(revoked)
        self.event(revoked, EventKind.REVOKE_CONFIRMED, detail)
        return revoked

    def mark_ended(self, record: SessionRecord, now: datetime, detail: str) -> SessionRecord:
        """`ended` (unless already final), with the time Transmit was found to have ended it."""
        ended = self.with_status(
            dataclasses.replace(record, last_checked_at=now), now, Observation.FOUND_GONE
        )
        if ended.ended_at is None and ended.status == "ended":
            ended = dataclasses.replace(ended, ended_at=now)
        self.store.record_status(ended)
        self.event(ended, EventKind.FOUND_ENDED, detail)
        return ended

    def set_note(self, session_id: str, text: str) -> ActionResult:
        """Sets or clears the note; needs no API client, so `sessions note` works offline."""
        record = self.store.get_session(self.environment, session_id)
        if record is None:
            return ActionResult(
                session_id, False, f"not a tracked session of environment {self.environment!r}"
            )
        note = text.strip() or None
        self.store.upsert_session(dataclasses.replace(record, note=note))
        detail = "note cleared" if note is None else f"note set ({len(note)} characters)"
        self.event(record, EventKind.NOTE_CHANGED, detail)
        self.audit("note", session_id, "ok", detail)
        return ActionResult(session_id, True, detail, record.status)
