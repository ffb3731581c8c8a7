"""`/cis/v1/auth/...`: magic link, OTP, password, TOTP, silent auth, refresh, logout."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from transmit_admin.sandbox import challenges, flows, validation
from transmit_admin.sandbox.guard import require_client
from transmit_admin.sandbox.state import SandboxState
from transmit_admin.sandbox.validation import Field, json_body

Handler = Callable[[Request], Awaitable[Response]]


def _json_route(
    fields: tuple[Field, ...], action: Callable[[SandboxState, dict[str, Any]], dict[str, Any]]
) -> Handler:
    async def handle(request: Request) -> Response:
        state = require_client(request)
        body = await json_body(request, fields)
        return JSONResponse(action(state, body))

    return handle


async def logout(request: Request) -> Response:
    state = require_client(request)
    body = await json_body(request, validation.LOGOUT)
    flows.logout(state, body["session_id"])
    return Response(status_code=204)


def _refresh(state: SandboxState, body: dict[str, Any]) -> dict[str, Any]:
    return flows.refresh(state, body["refresh_token"])


_PREFIX = "/cis/v1/auth"
ROUTES = [
    Route(
        f"{_PREFIX}/link/email/send",
        _json_route(validation.MAGIC_LINK_SEND, challenges.send_magic_link),
        methods=["POST"],
    ),
    Route(
        f"{_PREFIX}/link/email/authenticate",
        _json_route(validation.MAGIC_LINK_AUTHENTICATE, challenges.authenticate_magic_link),
        methods=["POST"],
    ),
    Route(
        f"{_PREFIX}/otp/send",
        _json_route(validation.OTP_SEND, challenges.send_otp),
        methods=["POST"],
    ),
    Route(
        f"{_PREFIX}/otp/authenticate",
        _json_route(validation.OTP_AUTHENTICATE, challenges.authenticate_otp),
        methods=["POST"],
    ),
    Route(
        f"{_PREFIX}/password/authenticate",
        _json_route(validation.PASSWORD_AUTHENTICATE, challenges.authenticate_password),
        methods=["POST"],
    ),
    Route(
        f"{_PREFIX}/totp/authenticate",
        _json_route(validation.TOTP_AUTHENTICATE, challenges.authenticate_totp),
        methods=["POST"],
    ),
    Route(
        f"{_PREFIX}/session/authenticate",
        _json_route(validation.SESSION_AUTHENTICATE, flows.authenticate_session),
        methods=["POST"],
    ),
    Route(f"{_PREFIX}/token/refresh", _json_route(validation.REFRESH, _refresh), methods=["POST"]),
    Route(f"{_PREFIX}/session/logout", logout, methods=["POST"]),
]
