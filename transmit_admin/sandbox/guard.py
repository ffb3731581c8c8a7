"""Per-request helpers: the sandbox state of a request and the client-token check."""

from __future__ import annotations

from starlette.requests import Request

from transmit_admin.sandbox.errors import unauthorized
from transmit_admin.sandbox.state import SandboxState


def state_of(request: Request) -> SandboxState:
    state: SandboxState = request.app.state.sandbox
    return state


def require_client(request: Request) -> SandboxState:
    """Every Transmit backend call needs `Authorization: Bearer <client access token>`.

    Checked before the body (as Transmit's guards run before its validation pipes), so a
    request with a bad token and a bad body answers 401, not 400.
    """
    state = state_of(request)
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise unauthorized()
    if state.minter.verify_client_token(token.strip(), state.now()) is not None:
        raise unauthorized()
    return state
