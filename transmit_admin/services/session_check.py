"""`CheckSession`: is a tracked session still alive at Transmit, and silent re-authentication.

The check reads the user's session list (no side effect at Transmit); re-authentication asks
for new tokens inside the session, which extends it by 14 days (`TrackSession` records them).
"""

from __future__ import annotations

import dataclasses

from transmit_admin.api.errors import SessionNotFound, TransmitError
from transmit_admin.core.lifecycle import Observation
from transmit_admin.services.deps import ServiceDeps
from transmit_admin.services.results import ActionResult, Outcome
from transmit_admin.services.session_trail import utc_text
from transmit_admin.services.token_intake import response_fields
from transmit_admin.services.track import TrackSession
from transmit_admin.store.records import EventKind


class CheckSession:
    def __init__(self, deps: ServiceDeps, tokens: TrackSession) -> None:
        self.deps = deps
        self.tokens = tokens

    async def check_alive(self, session_id: str) -> ActionResult:
        """Looks the session up in its user's session list: no side effect at Transmit."""
        deps, trail = self.deps, self.deps.trail
        record = deps.session(session_id)
        if record is None:
            return deps.not_tracked(session_id)
        try:
            listed = await deps.client.list_user_sessions(record.user_id)
        except TransmitError as exc:
            trail.audit("check", session_id, "failed", exc.sentence())
            message = f"not checked: {exc.sentence()}"
            return ActionResult(session_id, False, message, record.status, Outcome.FAILED)
        now = deps.clock()
        match = next((s for s in listed if s.session_id == session_id), None)
        if match is None:
            detail = "not in the user's session list at Transmit"
            ended = trail.mark_ended(record, now, detail)
            trail.audit("check", session_id, "ended", detail)
            return ActionResult(session_id, True, f"ended: {detail}", ended.status, Outcome.ENDED)
        alive = trail.with_status(
            dataclasses.replace(record, expires_at=match.expiration_time, last_checked_at=now),
            now,
            Observation.FOUND_ALIVE,
        )
        deps.store.upsert_session(alive)
        detail = f"listed at Transmit; expires {utc_text(match.expiration_time)}"
        trail.event(alive, EventKind.CHECKED_ALIVE, detail)
        trail.audit("check", session_id, "alive", detail)
        return ActionResult(session_id, True, f"alive: {detail}", alive.status, Outcome.DONE)

    async def reauthenticate(self, session_id: str) -> ActionResult:
        """Silent authentication: new tokens, and the session is extended by 14 days."""
        deps, trail = self.deps, self.deps.trail
        record = deps.session(session_id)
        if record is None:
            return deps.not_tracked(session_id)
        try:
            response = await deps.client.authenticate_session(session_id)
        except SessionNotFound as exc:
            ended = trail.mark_ended(record, deps.clock(), exc.sentence())
            trail.audit("reauth", session_id, "ended", exc.sentence())
            message = f"ended: {exc.sentence()}"
            return ActionResult(session_id, False, message, ended.status, Outcome.ENDED)
        except TransmitError as exc:
            trail.audit("reauth", session_id, "failed", exc.sentence())
            message = f"not re-authenticated: {exc.sentence()}"
            return ActionResult(session_id, False, message, record.status, Outcome.FAILED)
        return await self.tokens.apply_new_tokens(
            record, response_fields(response), EventKind.REAUTHENTICATED, "reauth"
        )
