"""`TrackSession`: verify a token response and record its session; the new tokens of a
re-authentication or an added factor go through the same checks (`apply_new_tokens`).

Refused responses leave only an audit row. The signing keys come from a `SigningKeys`
(a response refused for a `kid` the cached set lacks is checked again after one refetch).
"""

from __future__ import annotations

import dataclasses
import logging

from transmit_admin.api.errors import TransmitError
from transmit_admin.core.keys import KeySet
from transmit_admin.core.lifecycle import SESSION_LIFETIME, Observation
from transmit_admin.core.verify import unverified_header
from transmit_admin.services.deps import ServiceDeps
from transmit_admin.services.keys import KeysChecked, SigningKeys
from transmit_admin.services.results import ActionResult, Outcome, TrackResult
from transmit_admin.services.session_trail import utc_text
from transmit_admin.services.token_intake import (
    TokenResponseRefused,
    VerifiedResponse,
    parse_token_response,
    verify_token_response,
)
from transmit_admin.store.records import EventKind, SessionRecord

log = logging.getLogger(__name__)


class TrackSession:
    def __init__(self, deps: ServiceDeps, keys: SigningKeys) -> None:
        self.deps = deps
        self.keys = keys

    async def _verified(
        self, data: dict[str, object]
    ) -> KeysChecked[VerifiedResponse | TokenResponseRefused]:
        """The verified response, or why it was refused; `problem` when no keys could be had
        (the refusal then names it)."""
        now = self.deps.clock()

        async def verify(keys: KeySet | None) -> VerifiedResponse | TokenResponseRefused:
            try:
                return verify_token_response(data, self.deps.env, keys, now)
            except TokenResponseRefused as refused:
                return refused

        def kids_of(result: VerifiedResponse | TokenResponseRefused) -> tuple[str, ...]:
            return _signing_kids(data) if isinstance(result, TokenResponseRefused) else ()

        checked = await self.keys.check(verify, kids_of)
        if isinstance(checked.value, TokenResponseRefused) and checked.problem:
            checked.value.message = f"{checked.value.message} ({checked.problem})"
        return checked

    def _record_verified(
        self, verified: VerifiedResponse, *, local_ref: str | None
    ) -> tuple[SessionRecord, bool, int]:
        """Inserts or extends the session of a verified response.

        Returns (record, whether the session is new, how many of its tokens were new)."""
        now = self.deps.clock()
        existing = self.deps.session(verified.session_id)
        expires_at = verified.auth_time + SESSION_LIFETIME
        if existing is None:
            record = SessionRecord(
                environment=self.deps.env.name,
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
            record = self.deps.trail.with_status(record, now, Observation.FOUND_ALIVE)
        self.deps.store.upsert_session(record)
        new_tokens = sum(self.deps.store.record_token(token) for token in verified.tokens)
        stored = self.deps.store.get_session(self.deps.env.name, record.session_id) or record
        return stored, existing is None, new_tokens

    async def track_token_response(
        self, response: dict[str, object] | str, *, local_ref: str | None = None
    ) -> TrackResult:
        """Verifies the response's tokens and records the session; refuses invalid ones."""
        try:
            data = parse_token_response(response)
        except TokenResponseRefused as refused:
            return self._refused(refused, Outcome.REFUSED)
        checked = await self._verified(data)
        verified = checked.value
        if isinstance(verified, TokenResponseRefused):
            # No keys at all (`problem` set): fetching them from Transmit failed, so the
            # tokens could not be checked; otherwise the tokens themselves were refused.
            failed = checked.problem is not None
            return self._refused(verified, Outcome.FAILED if failed else Outcome.REFUSED)
        before = self.deps.session(verified.session_id)
        if verified.email is None and (before is None or before.email is None):
            email = await self._email_of(verified.user_id)
            verified = dataclasses.replace(verified, email=email)
        record, is_new, new_tokens = self._record_verified(verified, local_ref=local_ref)
        factors = ", ".join(verified.factors) or "none"
        if is_new:
            detail = f"tracked from a token response; factors {factors}"
            self.deps.trail.event(record, EventKind.CREATED, detail)
            message = (
                f"tracked: user {record.user_id}"
                + (f" <{record.email}>" if record.email else "")
                + f", factors {factors}, expires {utc_text(record.expires_at)}"
            )
        else:
            added = [f for f in record.factors if before is None or f not in before.factors]
            if added:
                detail = f"tracked a newer token response; factors added: {', '.join(added)}"
                self.deps.trail.event(record, EventKind.FACTOR_ADDED, detail)
            elif new_tokens:
                detail = "tracked a newer token response of this session (new tokens)"
                self.deps.trail.event(record, EventKind.REAUTHENTICATED, detail)
            else:
                detail = "this token response was already tracked; nothing new"
            message = f"already tracked; {detail}; factors {', '.join(record.factors) or 'none'}"
        self.deps.trail.audit("track", record.session_id, "ok", detail)
        status = str(record.status)
        return TrackResult(record.session_id, True, message, status, Outcome.DONE, verified.reports)

    def _refused(self, refused: TokenResponseRefused, outcome: Outcome) -> TrackResult:
        self.deps.trail.audit("track", "-", "refused", refused.message)
        return TrackResult(None, False, refused.message, None, outcome, refused.reports)

    async def _email_of(self, user_id: str) -> str | None:
        """The user's email at Transmit, for a session whose ID token carries none (a backend
        that did not ask for the `email` claim). Best effort: the session is tracked without
        one when the look-up fails."""
        try:
            user = await self.deps.client.get_user(user_id)
        except TransmitError as exc:
            log.info("tracking without an email: the user look-up failed: %s", exc.details())
            return None
        return user.email

    async def apply_new_tokens(
        self, record: SessionRecord, data: dict[str, object], kind: EventKind, action: str
    ) -> ActionResult:
        """Records the tokens of an authentication inside `record`'s session; extends it."""
        session_id = record.session_id
        now = self.deps.clock()
        verified = (await self._verified(data)).value
        if isinstance(verified, TokenResponseRefused):
            refused = verified
            # Transmit did extend the session; only our record of the tokens is withheld.
            detail = (
                f"session extended at Transmit, but its new tokens were refused: {refused.message}"
            )
            self.deps.trail.event(record, kind, detail)
            self.deps.trail.audit(action, session_id, "tokens_refused", refused.message)
            return ActionResult(session_id, False, detail, record.status, Outcome.REFUSED)
        before = set(record.factors)
        updated, _, _ = self._record_verified(verified, local_ref=None)
        updated = dataclasses.replace(updated, last_auth_at=now, expires_at=now + SESSION_LIFETIME)
        self.deps.store.upsert_session(updated)
        added = [f for f in updated.factors if f not in before]
        verb = "re-authenticated silently" if kind is EventKind.REAUTHENTICATED else "factor added"
        detail = (
            f"{verb}: extended the session until {utc_text(updated.expires_at)}; "
            f"{len(verified.tokens)} new token(s) recorded by fingerprint"
            + (f"; new factors {', '.join(added)}" if added else "")
        )
        self.deps.trail.event(updated, kind, detail)
        self.deps.trail.audit(action, session_id, "ok", detail)
        return ActionResult(session_id, True, detail, updated.status, Outcome.DONE)


def _signing_kids(data: dict[str, object]) -> tuple[str, ...]:
    """The `kid`s the response's tokens name, so a rotated key triggers one JWKS refetch.

    Read from the unverified headers only to choose whether to refetch: never trusted as a
    key source."""
    kids: list[str] = []
    for name in ("id_token", "access_token"):
        token = data.get(name)
        if isinstance(token, str):
            header = unverified_header(token)
            kid = header.get("kid") if header else None
            if isinstance(kid, str):
                kids.append(kid)
    return tuple(kids)
