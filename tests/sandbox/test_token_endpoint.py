"""`/oidc/token`, `/cis/oidc/token`, JWKS, and the client-token guard on every Transmit route."""

from __future__ import annotations

import base64
from typing import Any

import httpx
import jwt
import pytest

from tests.sandbox.conftest import validating_client
from tests.support.openapi import validate_request
from tests.support.sandbox_admin import SandboxAdmin
from transmit_admin.sandbox.runner import SandboxInfo

TOKEN_PATHS = ["/oidc/token", "/cis/oidc/token"]


def form(info: SandboxInfo, **changes: str) -> dict[str, str]:
    return {
        "grant_type": "client_credentials",
        "client_id": info.client_id,
        "client_secret": info.client_secret,
    } | changes


@pytest.fixture
def anonymous(sandbox: SandboxInfo) -> Any:
    with validating_client(sandbox, token=False) as client:
        yield client


@pytest.mark.parametrize("path", TOKEN_PATHS)
def test_client_credentials_issue_a_client_token(
    anonymous: httpx.Client, sandbox: SandboxInfo, path: str
) -> None:
    body = form(sandbox)
    validate_request("POST", path, body)
    response = anonymous.post(path, data=body)
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    answer = response.json()
    assert answer["token_type"] == "Bearer"
    assert answer["expires_in"] == 3600
    assert "refresh_token" not in answer
    claims = jwt.decode(answer["access_token"], options={"verify_signature": False})
    assert claims["sub"] == sandbox.client_id
    assert claims["iss"] == sandbox.issuer
    assert {"ts_roles", "ts_permissions", "role", "tid", "exp", "iat"} <= set(claims)


def test_resource_becomes_the_audience(anonymous: httpx.Client, sandbox: SandboxInfo) -> None:
    response = anonymous.post("/oidc/token", data=form(sandbox, resource="https://api.acme.test"))
    claims = jwt.decode(response.json()["access_token"], options={"verify_signature": False})
    assert claims["aud"] == "https://api.acme.test"


def test_basic_client_authentication_works(anonymous: httpx.Client, sandbox: SandboxInfo) -> None:
    pair = base64.b64encode(f"{sandbox.client_id}:{sandbox.client_secret}".encode()).decode()
    response = anonymous.post(
        "/oidc/token",
        data={"grant_type": "client_credentials"},
        headers={"Authorization": f"Basic {pair}"},
    )
    assert response.status_code == 200


@pytest.mark.parametrize("path", TOKEN_PATHS)
def test_wrong_secret_is_oauth_invalid_client(
    anonymous: httpx.Client, sandbox: SandboxInfo, path: str
) -> None:
    response = anonymous.post(path, data=form(sandbox, client_secret="wrong"))
    assert response.status_code == 401
    assert response.json() == {
        "error": "invalid_client",
        "error_description": "client authentication failed",
    }
    unknown = anonymous.post(path, data=form(sandbox, client_id="someone-else"))
    assert unknown.status_code == 401


def test_missing_fields_answer_400_in_each_files_shape(
    anonymous: httpx.Client, sandbox: SandboxInfo
) -> None:
    body = {"client_id": sandbox.client_id}
    root = anonymous.post("/oidc/token", data=body)
    assert root.status_code == 400
    assert "client_secret should not be empty" in root.json()["message"]
    assert isinstance(root.json()["message"], str)  # token.openapi.json: a string
    cis = anonymous.post("/cis/oidc/token", data=body)
    assert "grant_type should not be empty" in cis.json()["message"]
    assert isinstance(cis.json()["message"], list)  # oidc.openapi.json: a list


def test_wrong_grant_type_and_json_body_are_400(
    anonymous: httpx.Client, sandbox: SandboxInfo
) -> None:
    wrong_grant = anonymous.post("/cis/oidc/token", data=form(sandbox, grant_type="password"))
    assert wrong_grant.status_code == 400
    assert "grant_type must be one of" in wrong_grant.json()["message"][0]
    as_json = anonymous.post("/cis/oidc/token", json=form(sandbox))
    assert as_json.status_code == 400


GUARDED = [
    ("POST", "/cis/v1/auth/link/email/send"),
    ("POST", "/cis/v1/auth/link/email/authenticate"),
    ("POST", "/cis/v1/auth/otp/send"),
    ("POST", "/cis/v1/auth/otp/authenticate"),
    ("POST", "/cis/v1/auth/password/authenticate"),
    ("POST", "/cis/v1/auth/totp/authenticate"),
    ("POST", "/cis/v1/auth/session/authenticate"),
    ("POST", "/cis/v1/auth/token/refresh"),
    ("POST", "/cis/v1/auth/session/logout"),
    ("GET", "/cis/v1/auth/users/u1/sessions"),
    ("DELETE", "/cis/v1/auth/users/u1/sessions"),
    ("GET", "/cis/v1/users/email/a@example.com"),
    ("POST", "/cis/v1/users"),
    ("GET", "/cis/v1/users/username/alice.anders"),
    ("GET", "/cis/v1/users/phone/+15550100000"),
    ("GET", "/cis/v1/users/phone-number/+15550100000"),
    ("GET", "/cis/v1/users/external-user-id/x1"),
    ("GET", "/cis/v1/users/u1"),
    ("GET", "/cis/v1/users"),
]


@pytest.mark.parametrize(("method", "path"), GUARDED)
def test_every_backend_route_needs_a_client_token(
    anonymous: httpx.Client, sandbox_admin: SandboxAdmin, method: str, path: str
) -> None:
    tokens = sandbox_admin.password_login(sandbox_admin.active_users()[0]["username"])
    for headers in (
        {},
        {"Authorization": "Bearer not-a-jwt"},
        {"Authorization": f"Basic {sandbox_admin.client_token()}"},
        # A user access token is signed by the sandbox too, but it is not a client token.
        {"Authorization": f"Bearer {tokens['access_token']}"},
    ):
        response = anonymous.request(method, path, headers=headers, json={})
        assert response.status_code == 401, headers
        assert response.json() == {"message": "Unauthorized", "error_code": 401}


def test_token_of_another_sandbox_is_refused(anonymous: httpx.Client, fresh_sandbox: Any) -> None:
    other = fresh_sandbox(users=1)
    with SandboxAdmin(other) as admin:
        foreign = admin.client_token()
    response = anonymous.get("/cis/v1/users", headers={"Authorization": f"Bearer {foreign}"})
    assert response.status_code == 401


def test_unknown_path_answers_transmit_shaped_404(anonymous: httpx.Client) -> None:
    response = httpx.get(f"{anonymous.base_url}/cis/v1/nothing-here", timeout=10)
    assert response.status_code == 404
    assert response.json() == {"message": "Cannot GET /cis/v1/nothing-here", "error_code": 404}
