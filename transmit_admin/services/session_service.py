"""Session actions shared by the CLI and the GUI: an API call, the store update, the trail.

Every action answers an `ActionResult` (never raises a Transmit error at the caller): the typed
error's sentence becomes the message. Every action that reached Transmit or changed the store
leaves an audit row, and a session event when it concerns a tracked session. Status rules
come from `core.lifecycle`: `revoked` only after a 204, `ended` when Transmit says the session
is gone, and a failed call changes nothing but the trail.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime
from typing import Protocol

from transmit_admin.api.client import TransmitClient
from transmit_admin.api.errors import SessionNotFound, TransmitError, WrongSuccess
from transmit_admin.api.jwks import JwksCache, JwksError
from transmit_admin.core.environment import Environment
from transmit_admin.core.keys import KeySet
from transmit_admin.core.lifecycle import SESSION_LIFETIME, Observation, SessionStatus
from transmit_admin.core.verify import unverified_header
from transmit_admin.services import user_actions
from transmit_admin.services.bulk_revoke import BulkRevoke
from transmit_admin.services.results import ActionResult, SyncResult, TrackResult, UserRevokeResult
from transmit_admin.services.session_trail import SessionTrail, utc_text
from transmit_admin.services.team_claims import ClaimGuard
from transmit_admin.services.token_intake import (
    TokenResponseRefused,
    VerifiedResponse,
    parse_token_response,
    response_fields,
    verify_token_response,
)
from transmit_admin.services.write_batch import WriteBatch
from transmit_admin.store.records import EventKind, SessionRecord
from transmit_admin.store.store import Store

log = logging.getLogger(__name__)


class KeysProvider(Protocol):
    """Returns the environment's signing keys; given a `kid` it does not know, the provider
    refetches the JWKS once (key rotation), within its own rate limit."""

    def __call__(self, kid: str | None = None) -> Awaitable[KeySet | None]: ...


Clock = Callable[[], datetime]


def _utc_now() -> datetime:
    return datetime.now(UTC)


class SessionService:
    def __init__(
        self,
        store: Store,
        client: TransmitClient,
        env: Environment,
        actor: str,
        *,
        keys_provider: KeysProvider | None = None,
        clock: Clock = _utc_now,
        claims: ClaimGuard | None = None,
    ) -> None:
        self.claims = claims or ClaimGuard(None)
        self.store = store
        self.client = client
        self.env = env
        self.actor = actor
        self.clock = clock
        self.trail = SessionTrail(store, env.name, actor)
        self._keys_provider = keys_provider or self._jwks_keys
        self._jwks_cache: JwksCache | None = None
        self.keys_problem: str | None = None

    async def _jwks_keys(self, kid: str | None = None) -> KeySet | None:
        if self._jwks_cache is None:
            self._jwks_cache = JwksCache()
        return await self._jwks_cache.keyset(self.env.jwks_url, kid)

    async def aclose(self) -> None:
        """Closes the JWKS cache the service made itself (not a provider's)."""
        if self._jwks_cache is not None:
            await self._jwks_cache.aclose()
            self._jwks_cache = None

    async def _keys(self, kid: str | None = None) -> KeySet | None:
        """The signing keys, or None; `keys_problem` then says why (for the refusal)."""
        self.keys_problem = None
        try:
            keys = await self._keys_provider(kid)
        except (JwksError, TransmitError) as exc:
            self.keys_problem = exc.message if isinstance(exc, JwksError) else exc.sentence()
            log.warning("signing keys unavailable: %s", self.keys_problem)
            return None
        if keys is None:
            self.keys_problem = f"the signing keys of {self.env.name!r} could not be fetched"
        return keys

    def _session(self, session_id: str) -> SessionRecord | None:
        return self.store.get_session(self.env.name, session_id)

    def _not_tracked(self, session_id: str) -> ActionResult:
        return ActionResult(
            session_id,
            False,
            f"not a tracked session of environment {self.env.name!r}; track or sync it first",
        )

    # ---- tracking -------------------------------------------------------------------------

    async def _verified(self, data: dict[str, object]) -> VerifiedResponse:
        keys = await self._keys(_signing_kid(data))
        try:
            return verify_token_response(data, self.env, keys, self.clock())
        except TokenResponseRefused as refused:
            if keys is None and self.keys_problem:
                refused.message = f"{refused.message} ({self.keys_problem})"
            raise

    def _record_verified(
        self, verified: VerifiedResponse, *, local_ref: str | None
    ) -> tuple[SessionRecord, bool, int]:
        """Inserts or extends the session of a verified response.

        Returns (record, whether the session is new, how many of its tokens were new)."""
        now = self.clock()
        existing = self._session(verified.session_id)
        expires_at = verified.auth_time + SESSION_LIFETIME
        if existing is None:
            record = SessionRecord(
                environment=self.env.name,
                session_id=verified.session_id,
                user_id=verified.user_id,
                created_at=verified.auth_time,
                expires_at=expires_at,
                last_auth_at=verified.auth_time,
                source="tracked",
                email=verified.email,
                app_id=verified.app_id,
                app_name=verified.app_name,
                client_id=verified.client_id,
                tenant_id=verified.tenant_id,
                factors=verified.factors,
                local_ref=local_ref,
                access_expires_at=verified.access_expires_at,
                last_checked_at=now,
            )
        else:
            factors = tuple(dict.fromkeys((*existing.factors, *verified.factors)))
            record = dataclasses.replace(
                existing,
                expires_at=max(existing.expires_at, expires_at),
                last_auth_at=max(existing.last_auth_at, verified.auth_time),
                email=existing.email or verified.email,
                app_id=existing.app_id or verified.app_id,
                app_name=existing.app_name or verified.app_name,
                factors=factors,
                local_ref=local_ref or existing.local_ref,
                last_checked_at=now,
            )
            record = self.trail.with_status(record, now, Observation.FOUND_ALIVE)
        self.store.upsert_session(record)
        new_tokens = sum(self.store.record_token(token) for token in verified.tokens)
        stored = self.store.get_session(self.env.name, record.session_id) or record
        return stored, existing is None, new_tokens

    async def track_token_response(
        self, response: dict[str, object] | str, *, local_ref: str | None = None
    ) -> TrackResult:
        """Verifies the response's tokens and records the session; refuses invalid ones."""
        try:
            data = parse_token_response(response)
            verified = await self._verified(data)
        except TokenResponseRefused as refused:
            self.trail.audit("track", "-", "refused", refused.message)
            return TrackResult(None, False, refused.message, None, refused.reports)
        before = self._session(verified.session_id)
        if verified.email is None and (before is None or before.email is None):
            email = await self._email_of(verified.user_id)
            verified = dataclasses.replace(verified, email=email)
        record, is_new, new_tokens = self._record_verified(verified, local_ref=local_ref)
        factors = ", ".join(verified.factors) or "none"
        if is_new:
            detail = f"tracked from a token response; factors {factors}"
            self.trail.event(record, EventKind.CREATED, detail)
            message = (
                f"tracked: user {record.user_id}"
                + (f" <{record.email}>" if record.email else "")
                + f", factors {factors}, expires {utc_text(record.expires_at)}"
            )
        else:
            added = [f for f in record.factors if before is None or f not in before.factors]
            if added:
                detail = f"tracked a newer token response; factors added: {', '.join(added)}"
                self.trail.event(record, EventKind.FACTOR_ADDED, detail)
            elif new_tokens:
                detail = "tracked a newer token response of this session (new tokens)"
                self.trail.event(record, EventKind.REAUTHENTICATED, detail)
            else:
                detail = "this token response was already tracked; nothing new"
            message = f"already tracked; {detail}; factors {', '.join(record.factors) or 'none'}"
        self.trail.audit("track", record.session_id, "ok", detail)
        return TrackResult(record.session_id, True, message, str(record.status), verified.reports)

    async def _email_of(self, user_id: str) -> str | None:
        """The user's email at Transmit, for a session whose ID token carries none (a backend
        that did not ask for the `email` claim). Best effort: the session is tracked without
        one when the look-up fails."""
        try:
            user = await self.client.get_user(user_id)
        except TransmitError as exc:
            log.info("tracking without an email: the user look-up failed: %s", exc.details())
            return None
        return user.email

    # ---- revoke ---------------------------------------------------------------------------

    async def revoke(self, session_id: str) -> ActionResult:
        """Logs the session out at Transmit; `revoked` only on 204.

        The request's event is committed before the call, so the trail shows a logout that
        was sent even if this process dies before the answer. The outcome (status, event,
        audit) is one transaction: all of it is recorded, or none.
        """
        checked = self.revocable(session_id)
        if isinstance(checked, ActionResult):
            return checked
        async with self.claims.revoking(session_id) as hold:  # team mode: team_claims.py
            if not hold.taken:
                self.trail.audit("revoke", session_id, "not_sent", hold.sentence())
                return ActionResult(
                    session_id, False, f"not sent: {hold.sentence()}", checked.status
                )
            checked = self.revocable(session_id)  # the claim pulled: a teammate's revoke shows
            if isinstance(checked, ActionResult):
                return checked
            self.note_logout_sent(checked)
            error = await self.send_logout(session_id)
            with self.store.writing():
                result = self.record_logout(checked, error)
        if isinstance(error, WrongSuccess):
            return await self.settle_unconfirmed(checked, error)
        return result

    async def settle_unconfirmed(self, record: SessionRecord, error: WrongSuccess) -> ActionResult:
        """After an answer that confirms nothing, asks Transmit without side effects (the
        user's session list) whether the session is still there: listed, it stays as it was;
        gone, it is revoked; the list failing too, it stays unconfirmed."""
        session_id = record.session_id
        try:
            listed = await self.client.list_user_sessions(record.user_id)
        except TransmitError as exc:
            detail = f"logout unconfirmed, and the session list could not be read: {exc.sentence()}"
            self.trail.audit("revoke", session_id, "unconfirmed", detail)
            return ActionResult(session_id, False, f"unconfirmed: {detail}", str(record.status))
        with self.store.writing():
            if any(s.session_id == session_id for s in listed):
                detail = "logout not confirmed, the session is alive"
                self.trail.event(record, EventKind.CHECKED_ALIVE, detail)
                self.trail.audit("revoke", session_id, "unconfirmed", detail)
                return ActionResult(session_id, False, f"unconfirmed: {detail}", str(record.status))
            revoked = self.trail.mark_revoked(
                record, self.clock(), "confirmed by Transmit's session list"
            )
            self.trail.audit("revoke", session_id, "ok", "confirmed by Transmit's session list")
        return ActionResult(
            session_id,
            True,
            "revoked: confirmed by Transmit's session list "
            f"(the logout itself got an {error.answer_text()})",
            str(revoked.status),
        )

    def revocable(self, session_id: str) -> SessionRecord | ActionResult:
        """The session to log out, or the answer when there is nothing to send."""
        record = self._session(session_id)
        if record is None:
            return self._not_tracked(session_id)
        if record.status in (SessionStatus.REVOKED, SessionStatus.ENDED):
            when = record.revoked_at or record.ended_at
            message = f"already {record.status}" + (f" since {utc_text(when)}" if when else "")
            return ActionResult(session_id, True, message + "; nothing sent", str(record.status))
        return record

    def note_logout_sent(self, record: SessionRecord) -> None:
        self.trail.event(record, EventKind.REVOKE_REQUESTED, "logout sent to Transmit")

    async def send_logout(self, session_id: str) -> TransmitError | None:
        try:
            await self.client.logout_session(session_id)
        except TransmitError as exc:
            return exc
        return None

    def record_logout(self, record: SessionRecord, error: TransmitError | None) -> ActionResult:
        """The outcome of a logout: status, event and audit row. Callers hold one
        `store.writing()` around it, so an outcome is never half written."""
        session_id = record.session_id
        if isinstance(error, SessionNotFound):
            ended = self.trail.mark_ended(record, self.clock(), error.sentence())
            self.trail.audit("revoke", session_id, "already_ended", error.sentence())
            return ActionResult(
                session_id, True, f"already ended: {error.sentence()}", str(ended.status)
            )
        if isinstance(error, WrongSuccess):
            detail = f"{error.answer_text()}: not a confirmation"
            self.trail.event(record, EventKind.REVOKE_UNCONFIRMED, f"unconfirmed: {detail}")
            self.trail.audit("revoke", session_id, "unconfirmed", detail)
            return ActionResult(session_id, False, f"unconfirmed: {detail}", str(record.status))
        if error is not None:
            log.warning("revoke of a session failed: %s", error.details())
            self.trail.event(record, EventKind.REVOKE_FAILED, error.sentence())
            self.trail.audit("revoke", session_id, "failed", error.sentence())
            return ActionResult(
                session_id, False, f"not revoked: {error.sentence()}", str(record.status)
            )
        revoked = self.trail.mark_revoked(record, self.clock(), "Transmit answered 204")
        self.trail.audit("revoke", session_id, "ok", "logout confirmed (204)")
        return ActionResult(
            session_id,
            True,
            "revoked (access tokens already issued stay valid until their own expiry)",
            str(revoked.status),
        )

    async def revoke_many(
        self,
        session_ids: Sequence[str],
        *,
        concurrency: int = 8,
        on_result: Callable[[ActionResult], None] | None = None,
        cancel_event: asyncio.Event | None = None,
    ) -> list[ActionResult]:
        """Revokes each session, at most `concurrency` at once; results in input order.

        `on_result` gets each result as soon as it is recorded. Setting `cancel_event` stops
        sending new logouts; those not sent answer "cancelled".

        The trail is `revoke`'s, written in batches on a writer thread, with each session's
        "logout requested" event committed a chunk ahead of its logout (`bulk_revoke.py`).
        """
        ids = list(session_ids)
        results: list[ActionResult | None] = [None] * len(ids)
        async with WriteBatch(self.store) as batch:
            bulk = BulkRevoke(self, ids, results, batch, max(1, concurrency), on_result)
            await bulk.run(cancel_event)
        finished = [result for result in results if result is not None]
        assert len(finished) == len(ids)  # each id was taken by exactly one worker
        return finished

    # ---- alive? / re-authenticate ---------------------------------------------------------

    async def check_alive(self, session_id: str) -> ActionResult:
        """Looks the session up in its user's session list: no side effect at Transmit."""
        record = self._session(session_id)
        if record is None:
            return self._not_tracked(session_id)
        try:
            listed = await self.client.list_user_sessions(record.user_id)
        except TransmitError as exc:
            self.trail.audit("check", session_id, "failed", exc.sentence())
            return ActionResult(session_id, False, f"not checked: {exc.sentence()}", record.status)
        now = self.clock()
        match = next((s for s in listed if s.session_id == session_id), None)
        if match is None:
            detail = "not in the user's session list at Transmit"
            ended = self.trail.mark_ended(record, now, detail)
            self.trail.audit("check", session_id, "ended", detail)
            return ActionResult(session_id, True, f"ended: {detail}", str(ended.status))
        alive = self.trail.with_status(
            dataclasses.replace(record, expires_at=match.expiration_time, last_checked_at=now),
            now,
            Observation.FOUND_ALIVE,
        )
        self.store.upsert_session(alive)
        detail = f"listed at Transmit; expires {utc_text(match.expiration_time)}"
        self.trail.event(alive, EventKind.CHECKED_ALIVE, detail)
        self.trail.audit("check", session_id, "alive", detail)
        return ActionResult(session_id, True, f"alive: {detail}", str(alive.status))

    async def reauthenticate(self, session_id: str) -> ActionResult:
        """Silent authentication: new tokens, and the session is extended by 14 days."""
        record = self._session(session_id)
        if record is None:
            return self._not_tracked(session_id)
        try:
            response = await self.client.authenticate_session(session_id)
        except SessionNotFound as exc:
            ended = self.trail.mark_ended(record, self.clock(), exc.sentence())
            self.trail.audit("reauth", session_id, "ended", exc.sentence())
            return ActionResult(session_id, False, f"ended: {exc.sentence()}", str(ended.status))
        except TransmitError as exc:
            self.trail.audit("reauth", session_id, "failed", exc.sentence())
            return ActionResult(
                session_id, False, f"not re-authenticated: {exc.sentence()}", record.status
            )
        return await self.apply_new_tokens(
            record, response_fields(response), EventKind.REAUTHENTICATED, "reauth"
        )

    async def apply_new_tokens(
        self, record: SessionRecord, data: dict[str, object], kind: EventKind, action: str
    ) -> ActionResult:
        """Records the tokens of an authentication inside `record`'s session; extends it."""
        session_id = record.session_id
        now = self.clock()
        try:
            verified = await self._verified(data)
        except TokenResponseRefused as refused:
            # Transmit did extend the session; only our record of the tokens is withheld.
            detail = f"session extended at Transmit, but its new tokens were refused: {refused}"
            self.trail.event(record, kind, detail)
            self.trail.audit(action, session_id, "tokens_refused", refused.message)
            return ActionResult(session_id, False, detail, record.status)
        before = set(record.factors)
        updated, _, _ = self._record_verified(verified, local_ref=None)
        updated = dataclasses.replace(updated, last_auth_at=now, expires_at=now + SESSION_LIFETIME)
        self.store.upsert_session(updated)
        added = [f for f in updated.factors if f not in before]
        verb = "re-authenticated silently" if kind is EventKind.REAUTHENTICATED else "factor added"
        detail = (
            f"{verb}: extended the session until {utc_text(updated.expires_at)}; "
            f"{len(verified.tokens)} new token(s) recorded by fingerprint"
            + (f"; new factors {', '.join(added)}" if added else "")
        )
        self.trail.event(updated, kind, detail)
        self.trail.audit(action, session_id, "ok", detail)
        return ActionResult(session_id, True, detail, str(updated.status))

    # ---- user-wide and factor actions (bodies in user_actions.py) --------------------------

    async def revoke_user(self, user_ref: str) -> UserRevokeResult:
        """Logs out all of a user's sessions (email or user id); marks tracked ones revoked."""
        return await user_actions.revoke_user(self, user_ref)

    async def sync_user(self, user_ref: str) -> SyncResult:
        """Lists the user's sessions at Transmit: new ones inserted, missing ones ended."""
        return await user_actions.sync_user(self, user_ref)

    async def send_magic_link_factor(
        self, session_id: str, redirect_uri: str, email: str | None = None
    ) -> ActionResult:
        return await user_actions.send_magic_link_factor(self, session_id, redirect_uri, email)

    async def complete_magic_link_factor(
        self, session_id: str, code_or_redirect_url: str
    ) -> ActionResult:
        """Accepts the bare code or the whole redirect URL (`…?code=…`)."""
        return await user_actions.complete_magic_link_factor(self, session_id, code_or_redirect_url)

    # ---- note -----------------------------------------------------------------------------

    def set_note(self, session_id: str, text: str) -> ActionResult:
        """Sets (or, with blank text, clears) the session's free-text note. No API call."""
        return self.trail.set_note(session_id, text)


def _signing_kid(data: dict[str, object]) -> str | None:
    """The `kid` the response's tokens name, so a rotated key triggers one JWKS refetch.

    Read from the unverified header only to choose which keys to fetch: it is never trusted
    as a key source."""
    for name in ("id_token", "access_token"):
        token = data.get(name)
        if isinstance(token, str):
            header = unverified_header(token)
            kid = header.get("kid") if header else None
            if isinstance(kid, str):
                return kid
    return None
