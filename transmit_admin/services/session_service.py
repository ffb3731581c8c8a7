"""`SessionService`: the use cases of one environment, built together for the CLI and the GUI.

Each action lives in its own small class built from one `ServiceDeps` (track.py, revoke.py,
revoke_user.py, sync_user.py, magic_link.py, session_check.py,
interrupted_logouts.py); this module only builds them
over the same store, client, environment, trail and clock, and names their methods in one
place. None of those modules imports this one.

Every action answers a result value (never raises a Transmit error at the caller): its
`outcome`, the session's `status`, and the sentence. Every action that reached Transmit or
changed the store leaves an audit row, and a session event when it concerns a tracked
session. Status rules come from `core.lifecycle`: `revoked` only once Transmit confirmed it,
`ended` when Transmit says the session is gone, and a failed call changes nothing but the
trail.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence

from transmit_admin.api.client import TransmitClient
from transmit_admin.core.environment import Environment
from transmit_admin.services.deps import Clock, ServiceDeps, utc_now
from transmit_admin.services.interrupted_logouts import SettleInterruptedLogouts
from transmit_admin.services.keys import SigningKeys
from transmit_admin.services.magic_link import MagicLinkFactor
from transmit_admin.services.results import ActionResult, SyncResult, TrackResult, UserRevokeResult
from transmit_admin.services.revoke import RevokeSessions
from transmit_admin.services.revoke_user import RevokeUser
from transmit_admin.services.session_check import CheckSession
from transmit_admin.services.sync_user import SyncUser
from transmit_admin.services.team_claims import ClaimGuard
from transmit_admin.services.track import TrackSession
from transmit_admin.store.store import Store

__all__ = ["Clock", "SessionService"]


class SessionService:
    def __init__(
        self,
        store: Store,
        client: TransmitClient,
        env: Environment,
        actor: str,
        *,
        keys: SigningKeys | None = None,
        clock: Clock = utc_now,
        claims: ClaimGuard | None = None,
    ) -> None:
        self.deps = ServiceDeps.build(store, client, env, actor, clock)
        self.store, self.client, self.env, self.actor = store, client, env, actor
        self.trail = self.deps.trail
        self.keys = keys or SigningKeys(env)
        self.tracking = TrackSession(self.deps, self.keys)
        self.claims = claims or ClaimGuard(None)
        self.revoking = RevokeSessions(self.deps, self.claims)
        self.user_revoke = RevokeUser(self.deps)
        self.syncing = SyncUser(self.deps)
        self.magic_link = MagicLinkFactor(self.deps, self.tracking)
        self.checks = CheckSession(self.deps, self.tracking)
        self.interrupted = SettleInterruptedLogouts(self.deps)

    async def aclose(self) -> None:
        """Closes the JWKS cache its keys made themselves (not a shared one)."""
        await self.keys.aclose()

    async def track_token_response(
        self, response: dict[str, object] | str, *, local_ref: str | None = None
    ) -> TrackResult:
        return await self.tracking.track_token_response(response, local_ref=local_ref)

    async def revoke(self, session_id: str) -> ActionResult:
        return await self.revoking.revoke(session_id)

    async def revoke_many(
        self,
        session_ids: Sequence[str],
        *,
        concurrency: int = 8,
        on_result: Callable[[ActionResult], None] | None = None,
        cancel_event: asyncio.Event | None = None,
    ) -> list[ActionResult]:
        return await self.revoking.revoke_many(
            session_ids, concurrency=concurrency, on_result=on_result, cancel_event=cancel_event
        )

    async def settle_interrupted_logouts(self) -> list[ActionResult]:
        """Logouts a killed run left without an outcome, settled from the session list."""
        return await self.interrupted.settle()

    async def check_alive(self, session_id: str) -> ActionResult:
        return await self.checks.check_alive(session_id)

    async def reauthenticate(self, session_id: str) -> ActionResult:
        return await self.checks.reauthenticate(session_id)

    async def revoke_user(self, user_ref: str) -> UserRevokeResult:
        return await self.user_revoke.revoke_user(user_ref)

    async def sync_user(self, user_ref: str) -> SyncResult:
        return await self.syncing.sync_user(user_ref)

    async def send_magic_link_factor(
        self, session_id: str, redirect_uri: str, email: str | None = None
    ) -> ActionResult:
        return await self.magic_link.send_magic_link_factor(session_id, redirect_uri, email)

    async def complete_magic_link_factor(
        self, session_id: str, code_or_redirect_url: str
    ) -> ActionResult:
        """Accepts the bare code or the whole redirect URL (`…?code=…`)."""
        return await self.magic_link.complete_magic_link_factor(session_id, code_or_redirect_url)

    def set_note(self, session_id: str, text: str) -> ActionResult:
        """Sets (or, with blank text, clears) the session's free-text note. No API call."""
        return self.trail.set_note(session_id, text)
