"""The actions of `SessionService` that start from a user or add a factor to a session.

They are functions of the service (not methods) only to keep each module small;
`SessionService` exposes them as its own methods.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, urlsplit

from transmit_admin.api.errors import SessionNotFound, TransmitError
from transmit_admin.api.models import BackendSession
from transmit_admin.core.lifecycle import SESSION_LIFETIME, Observation, SessionStatus
from transmit_admin.services.results import ActionResult, SyncResult, UserRevokeResult
from transmit_admin.services.session_trail import utc_text
from transmit_admin.services.token_intake import response_fields
from transmit_admin.store.records import EventKind, SessionRecord

if TYPE_CHECKING:
    from transmit_admin.services.session_service import SessionService

_LIVE = (SessionStatus.ACTIVE, SessionStatus.EXPIRED)


class UserNotResolved(Exception):
    pass


def magic_link_code(code_or_redirect_url: str) -> str:
    """The code from a bare code or the whole URL the user landed on (`…?code=…&state=…`)."""
    text = code_or_redirect_url.strip()
    if "://" in text or text.startswith("?") or "code=" in text:
        codes = parse_qs(urlsplit(text).query).get("code")
        if not codes or not codes[0].strip():
            raise ValueError("the redirect URL has no code= parameter; paste the whole URL")
        return codes[0].strip()
    if not text:
        raise ValueError("the magic-link code is empty")
    return text


async def resolve_user(service: SessionService, user_ref: str) -> tuple[str, str | None]:
    """(user id, email) for an email or a user id; raises the client's typed errors."""
    ref = user_ref.strip()
    if "@" in ref:
        user = await service.client.get_user_by_email(ref)
    else:
        user = await service.client.get_user(ref)
    return user.user_id, user.email


def tracked_sessions_of(service: SessionService, user_id: str) -> list[SessionRecord]:
    # The store matches an email too; keep only the rows of exactly this user id.
    rows = service.store.sessions_of_user(service.env.name, user_id)
    return [r for r in rows if r.user_id == user_id]


async def revoke_user(service: SessionService, user_ref: str) -> UserRevokeResult:
    """Logs out every session of the user at Transmit; marks the tracked ones revoked."""
    trail = service.trail
    try:
        if "@" in user_ref:
            user_id, _ = await resolve_user(service, user_ref)
        else:
            user_id = user_ref.strip()
        await service.client.revoke_user_sessions(user_id)
    except TransmitError as exc:
        trail.audit("revoke_user", user_ref, "failed", exc.sentence())
        return UserRevokeResult(None, False, f"not revoked: {exc.sentence()}")
    now = service.clock()
    live = [r for r in tracked_sessions_of(service, user_id) if r.status in _LIVE]
    detail = (
        f"all sessions of user {user_id} logged out at Transmit; "
        f"{len(live)} tracked session(s) marked revoked"
    )
    with service.store.writing():  # the outcome is recorded whole or not at all
        for record in live:
            trail.mark_revoked(record, now, "all of the user's sessions logged out (204)")
        trail.audit("revoke_user", user_id, "ok", detail)
    return UserRevokeResult(user_id, True, detail, tuple(r.session_id for r in live))


def _synced_record(
    service: SessionService, listed: BackendSession, user_id: str, email: str | None
) -> SessionRecord:
    # Transmit keeps a session 14 days past its newest authentication, so that is when it was.
    last_auth = max(listed.start_time, listed.expiration_time - SESSION_LIFETIME)
    return SessionRecord(
        environment=service.env.name,
        session_id=listed.session_id,
        user_id=user_id,
        created_at=listed.start_time,
        expires_at=listed.expiration_time,
        last_auth_at=last_auth,
        source="synced",
        email=email,
        client_id=service.env.client_id,
        tenant_id=service.env.tenant_id,
        last_checked_at=service.clock(),
    )


async def sync_user(service: SessionService, user_ref: str) -> SyncResult:
    """Reconciles with the user's session list: new ones inserted, missing ones ended."""
    trail = service.trail
    try:
        user_id, email = await resolve_user(service, user_ref)
        listed = await service.client.list_user_sessions(user_id)
    except TransmitError as exc:
        trail.audit("sync", user_ref, "failed", exc.sentence())
        return SyncResult(None, False, f"not synced: {exc.sentence()}")
    now = service.clock()
    tracked = {r.session_id: r for r in tracked_sessions_of(service, user_id)}
    inserted, updated, ended = [], [], []
    for item in listed:
        record = tracked.pop(item.session_id, None)
        if record is None:
            new = trail.with_status(_synced_record(service, item, user_id, email), now)
            service.store.upsert_session(new)
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
        service.store.upsert_session(fresh)
        trail.event(fresh, EventKind.SYNCED, f"listed; expires {utc_text(item.expiration_time)}")
        updated.append(item.session_id)
    for record in tracked.values():
        if record.status in _LIVE:
            trail.mark_ended(record, now, "no longer in the user's session list at Transmit")
            ended.append(record.session_id)
    message = (
        f"user {user_id}: {len(listed)} session(s) at Transmit; {len(inserted)} new, "
        f"{len(updated)} updated, {len(ended)} marked ended"
    )
    trail.audit("sync", user_id, "ok", message)
    return SyncResult(user_id, True, message, tuple(inserted), tuple(updated), tuple(ended))


async def send_magic_link_factor(
    service: SessionService, session_id: str, redirect_uri: str, email: str | None = None
) -> ActionResult:
    """Emails a magic link to the session's user; completing it adds `eml` to the session."""
    record = service.store.get_session(service.env.name, session_id)
    if record is None:
        return ActionResult(session_id, False, "not a tracked session; track or sync it first")
    try:
        address = email or record.email
        if not address:
            address = (await service.client.get_user(record.user_id)).email
        if not address:
            message = f"Transmit has no email for user {record.user_id}; pass --email"
            return ActionResult(session_id, False, message, record.status)
        await service.client.send_magic_link(address, redirect_uri)
    except TransmitError as exc:
        service.trail.audit("mfa_send", session_id, "failed", exc.sentence())
        return ActionResult(session_id, False, f"not sent: {exc.sentence()}", record.status)
    detail = f"magic link sent to {address} (redirects to {redirect_uri})"
    service.trail.audit("mfa_send", session_id, "ok", detail)
    message = f"{detail}; when the user clicks it, complete it with the code or that URL"
    return ActionResult(session_id, True, message, record.status)


async def complete_magic_link_factor(
    service: SessionService, session_id: str, code_or_redirect_url: str
) -> ActionResult:
    record = service.store.get_session(service.env.name, session_id)
    if record is None:
        return ActionResult(session_id, False, "not a tracked session; track or sync it first")
    try:
        code = magic_link_code(code_or_redirect_url)
    except ValueError as exc:
        return ActionResult(session_id, False, str(exc), record.status)
    try:
        response = await service.client.authenticate_magic_link(code, session_id=session_id)
    except SessionNotFound as exc:
        ended = service.trail.mark_ended(record, service.clock(), exc.sentence())
        service.trail.audit("mfa_complete", session_id, "ended", exc.sentence())
        return ActionResult(session_id, False, f"ended: {exc.sentence()}", ended.status)
    except TransmitError as exc:
        service.trail.audit("mfa_complete", session_id, "failed", exc.sentence())
        return ActionResult(session_id, False, f"factor not added: {exc.sentence()}", record.status)
    if response.session_id not in (None, session_id):
        # Transmit was asked to add to this session; another id means it did not.
        detail = "Transmit answered with a different session; the factor was not added here"
        service.trail.audit("mfa_complete", session_id, "failed", detail)
        return ActionResult(session_id, False, detail, record.status)
    return await service.apply_new_tokens(
        record, response_fields(response), EventKind.FACTOR_ADDED, "mfa_complete"
    )
