"""`SyncUser`: reconcile the store with a user's session list at Transmit: new sessions are
inserted, listed ones refreshed, tracked ones no longer listed marked ended."""

from __future__ import annotations

import dataclasses

from transmit_admin.api.errors import NotFound, TransmitError
from transmit_admin.api.models import BackendSession
from transmit_admin.core.lifecycle import SESSION_LIFETIME, Observation
from transmit_admin.services.deps import ServiceDeps
from transmit_admin.services.results import Outcome, SyncResult
from transmit_admin.services.session_trail import utc_text
from transmit_admin.services.users import LIVE, resolve_user, tracked_sessions_of
from transmit_admin.store.records import EventKind, SessionRecord


class SyncUser:
    def __init__(self, deps: ServiceDeps) -> None:
        self.deps = deps

    def _synced_record(
        self, listed: BackendSession, user_id: str, email: str | None
    ) -> SessionRecord:
        # Transmit keeps a session 14 days past its newest authentication, so that is when it was.
        last_auth = max(listed.start_time, listed.expiration_time - SESSION_LIFETIME)
        return SessionRecord(
            environment=self.deps.env.name,
            session_id=listed.session_id,
            user_id=user_id,
            created_at=listed.start_time,
            expires_at=listed.expiration_time,
            last_auth_at=last_auth,
            source="synced",
            email=email,
            client_id=self.deps.env.client_id,
            tenant_id=self.deps.env.tenant_id,
            last_checked_at=self.deps.clock(),
        )

    async def sync_user(self, user_ref: str) -> SyncResult:
        """Reconciles with the user's session list: new ones inserted, missing ones ended."""
        trail = self.deps.trail
        if not user_ref.strip():
            message = "not synced: give the user's email or user id"
            return SyncResult(None, False, message, Outcome.REFUSED)
        try:
            user_id, email = await resolve_user(self.deps, user_ref)
        except TransmitError as exc:
            unknown = isinstance(exc, NotFound)  # Transmit has no such user
            return self._not_synced(user_ref, exc, Outcome.REFUSED if unknown else Outcome.FAILED)
        try:
            listed = await self.deps.client.list_user_sessions(user_id)
        except TransmitError as exc:
            return self._not_synced(user_ref, exc, Outcome.FAILED)
        now = self.deps.clock()
        tracked = {r.session_id: r for r in tracked_sessions_of(self.deps, user_id)}
        inserted, updated, ended = [], [], []
        for item in listed:
            record = tracked.pop(item.session_id, None)
            if record is None:
                new = trail.with_status(self._synced_record(item, user_id, email), now)
                self.deps.store.upsert_session(new)
                trail.event(new, EventKind.SYNCED, "found at Transmit by a sync")
                inserted.append(item.session_id)
                continue
            fresh = dataclasses.replace(
                record,
                expires_at=item.expiration_time,
                last_checked_at=now,
                email=record.email or email,
            )
            fresh = trail.with_status(fresh, now, Observation.FOUND_ALIVE)
            self.deps.store.upsert_session(fresh)
            trail.event(
                fresh, EventKind.SYNCED, f"listed; expires {utc_text(item.expiration_time)}"
            )
            updated.append(item.session_id)
        for record in tracked.values():
            if record.status in LIVE:
                trail.mark_ended(record, now, "no longer in the user's session list at Transmit")
                ended.append(record.session_id)
        message = (
            f"user {user_id}: {len(listed)} session(s) at Transmit; {len(inserted)} new, "
            f"{len(updated)} updated, {len(ended)} marked ended"
        )
        trail.audit("sync", user_id, "ok", message)
        return SyncResult(
            user_id,
            True,
            message,
            Outcome.DONE,
            inserted=tuple(inserted),
            updated=tuple(updated),
            ended=tuple(ended),
        )

    def _not_synced(self, user_ref: str, exc: TransmitError, outcome: Outcome) -> SyncResult:
        self.deps.trail.audit("sync", user_ref, "failed", exc.sentence())
        return SyncResult(None, False, f"not synced: {exc.sentence()}", outcome)
