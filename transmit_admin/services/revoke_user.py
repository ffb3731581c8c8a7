"""`RevokeUser`: log out all of a user's sessions at Transmit; mark the tracked ones revoked.

Only the documented 204 confirms it. A wrong 2xx (`WrongSuccess`) is checked against the
user's session list, as a single logout's is: the tracked sessions no longer listed are
revoked ("confirmed by Transmit's session list"), those still listed stay as they were, and
when the list cannot be read either nothing is marked.
"""

from __future__ import annotations

from transmit_admin.api.errors import TransmitError, WrongSuccess
from transmit_admin.services.deps import ServiceDeps
from transmit_admin.services.results import Outcome, UserRevokeResult
from transmit_admin.services.users import LIVE, resolve_user, tracked_sessions_of
from transmit_admin.store.records import SessionRecord

LIST_CONFIRMED = "confirmed by Transmit's session list"


class RevokeUser:
    def __init__(self, deps: ServiceDeps) -> None:
        self.deps = deps

    async def revoke_user(self, user_ref: str) -> UserRevokeResult:
        """Logs out every session of the user (an email or a user id) at Transmit."""
        deps, trail = self.deps, self.deps.trail
        try:
            user_id = (await resolve_user(deps, user_ref))[0] if "@" in user_ref else user_ref
            user_id = user_id.strip()
            try:
                await deps.client.revoke_user_sessions(user_id)
            except WrongSuccess as wrong:
                return await self._settle(user_id, wrong)
        except TransmitError as exc:
            trail.audit("revoke_user", user_ref, "failed", exc.sentence())
            return UserRevokeResult(None, False, f"not revoked: {exc.sentence()}", Outcome.FAILED)
        live = self._live(user_id)
        detail = (
            f"all sessions of user {user_id} logged out at Transmit; "
            f"{len(live)} tracked session(s) marked revoked"
        )
        self._mark(user_id, live, "all of the user's sessions logged out (204)", "ok", detail)
        return UserRevokeResult(
            user_id, True, detail, Outcome.REVOKED, tuple(r.session_id for r in live)
        )

    def _live(self, user_id: str) -> list[SessionRecord]:
        return [r for r in tracked_sessions_of(self.deps, user_id) if r.status in LIVE]

    def _mark(
        self, user_id: str, records: list[SessionRecord], event: str, outcome: str, detail: str
    ) -> None:
        trail, now = self.deps.trail, self.deps.clock()
        with self.deps.store.writing():  # the outcome is recorded whole or not at all
            for record in records:
                trail.mark_revoked(record, now, event)
            trail.audit("revoke_user", user_id, outcome, detail)

    async def _settle(self, user_id: str, wrong: WrongSuccess) -> UserRevokeResult:
        deps, trail = self.deps, self.deps.trail
        answer = f"the logout got an {wrong.answer_text()}"
        try:
            listed = await deps.client.list_user_sessions(user_id)
        except TransmitError as exc:
            detail = f"{answer}, and the session list could not be read: {exc.sentence()}"
            trail.audit("revoke_user", user_id, "unconfirmed", detail)
            return UserRevokeResult(user_id, False, f"unconfirmed: {detail}", Outcome.UNCONFIRMED)
        still = {s.session_id for s in listed}
        live = self._live(user_id)
        gone = [r for r in live if r.session_id not in still]
        alive = len(live) - len(gone)
        if not still:
            detail = (
                f"all sessions of user {user_id} logged out, {LIST_CONFIRMED} ({answer}); "
                f"{len(gone)} tracked session(s) marked revoked"
            )
            self._mark(user_id, gone, LIST_CONFIRMED, "ok", detail)
            revoked = tuple(r.session_id for r in gone)
            return UserRevokeResult(user_id, True, detail, Outcome.REVOKED, revoked)
        detail = (
            f"logout not confirmed: {len(still)} session(s) of user {user_id} still listed "
            f"at Transmit ({answer}); {len(gone)} tracked session(s) no longer listed marked "
            f"revoked, {alive} left as they were"
        )
        self._mark(user_id, gone, LIST_CONFIRMED, "unconfirmed", detail)
        revoked = tuple(r.session_id for r in gone)
        return UserRevokeResult(
            user_id, False, f"unconfirmed: {detail}", Outcome.UNCONFIRMED, revoked
        )
