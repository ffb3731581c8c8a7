"""`/sandbox/*`: helper routes that are not Transmit's, for tests, demos and curl sessions.

They need no token (the server is on loopback and holds only demo data) and are never faulted,
so a test can always inspect and reconfigure a sandbox that is busy failing on purpose.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from transmit_admin.sandbox.config import (
    DEMO_PASSWORD,
    DEMO_TOTP_SECRET,
    ROTATED_KEY_GRACE_SECONDS,
)
from transmit_admin.sandbox.errors import ApiError
from transmit_admin.sandbox.faults import FaultControl, FaultSettingsError
from transmit_admin.sandbox.guard import state_of
from transmit_admin.sandbox.models import iso_time
from transmit_admin.sandbox.state import SandboxState
from transmit_admin.sandbox.tokens import DEFAULT_AUDIENCE


def info_of(state: SandboxState) -> dict[str, Any]:
    """What a script needs to drive this sandbox; `runner.SandboxInfo` reads the first five."""
    with state.lock:
        users = [
            {
                "user_id": u.user_id,
                "email": u.email,
                "phone_number": u.phone_number,
                "username": u.username,
                "status": u.status,
            }
            for u in state.users.values()
        ]
    return {
        "base_url": state.base_url,
        "client_id": state.app.client_id,
        "client_secret": state.app.client_secret,
        "issuer": state.issuer,
        "jwks_url": f"{state.base_url}/cis/oidc/jwks",
        "token_url": f"{state.base_url}/oidc/token",
        "tenant_id": state.app.tenant_id,
        "audience": DEFAULT_AUDIENCE,  # the `aud` of its user access tokens
        "app_id": state.app.app_id,
        "app_name": state.app.app_name,
        "demo_password": DEMO_PASSWORD,
        "totp_secret": DEMO_TOTP_SECRET,
        "redirect_uris": ["http://127.0.0.1:*", "http://localhost:*", *state.config.redirect_uris],
        "users": users,
    }


async def _json_object(request: Request) -> dict[str, Any]:
    raw = await request.body()
    try:
        body = json.loads(raw) if raw else {}
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise ApiError(400, ["body must be valid JSON"], 400) from None
    if not isinstance(body, dict):
        raise ApiError(400, ["body must be a JSON object"], 400)
    return body


async def info(request: Request) -> Response:
    return JSONResponse(info_of(state_of(request)))


async def outbox(request: Request) -> Response:
    state = state_of(request)
    recipient = request.query_params.get("recipient", "").lower()
    with state.lock:
        messages = [
            m.to_json() for m in state.outbox if not recipient or m.recipient.lower() == recipient
        ]
    return JSONResponse(messages)


async def requests_log(request: Request) -> Response:
    state = state_of(request)
    with state.lock:
        entries = [entry.to_json() for entry in state.requests]
    return JSONResponse(entries)


async def sessions(request: Request) -> Response:
    return JSONResponse(state_of(request).session_overview())


def _fault_control(request: Request) -> FaultControl:
    control: FaultControl = request.app.state.faults
    return control


async def get_faults(request: Request) -> Response:
    return JSONResponse(_fault_control(request).settings.to_json())


async def set_faults(request: Request) -> Response:
    control = _fault_control(request)
    body = await _json_object(request)
    try:
        settings = control.settings.updated_from_json(body)
    except FaultSettingsError as exc:
        raise ApiError(400, [str(exc)], 400) from None
    return JSONResponse(control.configure(settings).to_json())


async def rotate_key(request: Request) -> Response:
    state = state_of(request)
    body = await _json_object(request)
    grace = body.get("grace_seconds", ROTATED_KEY_GRACE_SECONDS)
    if isinstance(grace, bool) or not isinstance(grace, int | float) or grace < 0:
        raise ApiError(400, ["grace_seconds must be a non-negative number"], 400)
    fresh = state.keys.rotate(state.now(), float(grace))
    published = [key.kid for key in state.keys.published(state.now())]
    return JSONResponse({"kid": fresh.kid, "published_kids": published})


async def clock(request: Request) -> Response:
    """Moves the sandbox clock forward, to expire links, OTPs, tokens and sessions in tests."""
    state = state_of(request)
    body = await _json_object(request)
    seconds = body.get("advance_seconds", 0)
    if isinstance(seconds, bool) or not isinstance(seconds, int | float) or seconds < 0:
        raise ApiError(400, ["advance_seconds must be a non-negative number"], 400)
    offset = state.advance_clock(float(seconds))
    return JSONResponse({"offset_seconds": offset, "now": iso_time(state.now())})


ROUTES = [
    Route("/sandbox/info", info, methods=["GET"]),
    Route("/sandbox/outbox", outbox, methods=["GET"]),
    Route("/sandbox/requests", requests_log, methods=["GET"]),
    Route("/sandbox/sessions", sessions, methods=["GET"]),
    Route("/sandbox/faults", get_faults, methods=["GET"]),
    Route("/sandbox/faults", set_faults, methods=["POST"]),
    Route("/sandbox/rotate-key", rotate_key, methods=["POST"]),
    Route("/sandbox/clock", clock, methods=["POST"]),
]
