"""Whatever JSON a caller sends, the sandbox answers in Transmit's shapes and never fails (500)."""

from __future__ import annotations

import asyncio
import functools
import json
from typing import Any

import httpx
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.support.openapi import validate_response
from transmit_admin.sandbox.app import create_app
from transmit_admin.sandbox.config import SandboxConfig

BASE = "http://sandbox.test"
POST_ROUTES = [
    "/cis/v1/auth/link/email/send",
    "/cis/v1/auth/link/email/authenticate",
    "/cis/v1/auth/otp/send",
    "/cis/v1/auth/otp/authenticate",
    "/cis/v1/auth/password/authenticate",
    "/cis/v1/auth/totp/authenticate",
    "/cis/v1/auth/session/authenticate",
    "/cis/v1/auth/token/refresh",
    "/cis/v1/auth/session/logout",
]
FIELDS = [
    "email",
    "redirect_uri",
    "code",
    "session_id",
    "channel",
    "identifier_type",
    "identifier",
    "passcode",
    "username",
    "password",
    "username_type",
    "token",
    "refresh_token",
    "claims",
    "client_attributes",
    "email_expiration",
    "expires_in",
    "email_content",
    "state",
    "resource",
]
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=6,
)
bodies = st.dictionaries(st.sampled_from(FIELDS), json_values, max_size=6) | json_values


@functools.cache
def _app_and_token() -> tuple[Any, str]:
    app = create_app(SandboxConfig(users=3, sessions=5, seed=2), base_url=BASE)
    state = app.state.sandbox
    token = state.minter.client_token(state.now(), None)
    return app, token


async def _post(path: str, body: Any) -> httpx.Response:
    app, token = _app_and_token()
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=BASE) as http:
        return await http.post(
            path, content=json.dumps(body), headers={"Authorization": f"Bearer {token}"}
        )


@settings(max_examples=80, deadline=None)
@given(path=st.sampled_from(POST_ROUTES), body=bodies)
def test_any_json_body_gets_a_transmit_answer(path: str, body: Any) -> None:
    response = asyncio.run(_post(path, body))
    assert response.status_code in (200, 204, 400, 401, 403, 404), response.text
    parsed = response.json() if response.content else None
    validate_response("POST", path, response.status_code, parsed)
