"""Session behaviour: authenticate into a new or existing session, silent auth, refresh, logout.

Documented Transmit rules implemented here: a session lives 14 days from its last token issue;
an authentication with `session_id` adds its factor to that session; logout ends the session and
revokes its refresh tokens; refresh tokens rotate (each one works once).
"""

from __future__ import annotations

import secrets
from typing import Any

from transmit_admin.sandbox.config import (
    REFRESH_TOKEN_LIFETIME_SECONDS,
    SESSION_LIFETIME_SECONDS,
    TOKEN_LIFETIME_SECONDS,
)
from transmit_admin.sandbox.errors import ApiError, session_not_found
from transmit_admin.sandbox.models import RefreshGrant, Session, User
from transmit_admin.sandbox.state import SandboxState


def _token_set(
    state: SandboxState, user: User, session: Session, body: dict[str, Any]
) -> dict[str, Any]:
    """Mints access, ID and refresh tokens in `session` and extends the session's life."""
    now = state.now()
    resource = body.get("resource")
    access = state.minter.user_access_token(now, user, resource)
    id_token = state.minter.id_token(now, user, session, access, body.get("claims"))
    refresh = secrets.token_urlsafe(32)
    with state.lock:
        session.expires = now + SESSION_LIFETIME_SECONDS
        expires = now + REFRESH_TOKEN_LIFETIME_SECONDS
        state.refresh_grants[refresh] = RefreshGrant(session.session_id, user.user_id, expires)
    return {
        "access_token": access,
        "id_token": id_token,
        "refresh_token": refresh,
        "token_type": "Bearer",
        "expires_in": TOKEN_LIFETIME_SECONDS,
        "session_id": session.session_id,
    }


def authenticate(
    state: SandboxState, user: User, factor: str, body: dict[str, Any]
) -> dict[str, Any]:
    """A successful authentication by `factor`: into `body["session_id"]` if given, else new."""
    state.require_active(user)
    session_id = body.get("session_id")
    with state.lock:
        if session_id is not None:
            session = state.live_session(session_id)
            if session is None:
                raise session_not_found()
            if session.user_id != user.user_id:
                # [assumed] Transmit's answer is undocumented; a session is one user's.
                raise ApiError(400, "Session belongs to a different user", 400)
        else:
            session = state.new_session(user)
        now = state.now()
        session.factors.append(factor)
        session.auth_time = now
        user.last_auth = now
        return _token_set(state, user, session, body)


def authenticate_session(state: SandboxState, body: dict[str, Any]) -> dict[str, Any]:
    """Silent authentication: new tokens in a live session, no new factor, same auth_time."""
    with state.lock:
        session = state.live_session(body["session_id"])
        if session is None:
            raise session_not_found()
        user = state.users[session.user_id]
        state.require_active(user)
        return _token_set(state, user, session, body)


def refresh(state: SandboxState, refresh_token: str) -> dict[str, Any]:
    with state.lock:
        grant = state.refresh_grants.pop(refresh_token, None)
        if grant is None or grant.expires <= state.now():
            raise ApiError(400, "Invalid refresh token", 400)
        session = state.live_session(grant.session_id)
        if session is None:
            raise session_not_found()
        user = state.users[session.user_id]
        state.require_active(user)
        tokens = _token_set(state, user, session, {})
    # The refresh answer has no session_id (ApiRefreshTokenResponseDto).
    del tokens["session_id"]
    return tokens


def logout(state: SandboxState, session_id: str) -> None:
    with state.lock:
        session = state.live_session(session_id)
        if session is None:
            raise session_not_found()
        state.end_session(session, "logout")


def revoke_user_sessions(state: SandboxState, user_id: str) -> int:
    with state.lock:
        state.user(user_id)
        live = state.sessions_of(user_id, live_only=True)
        for session in live:
            state.end_session(session, "revoked")
    return len(live)
