"""Sessions built by the authenticate endpoints, on the shared sandbox over loopback TCP.

Every answer passes through the OpenAPI response check of the `transmit` client.
"""

from __future__ import annotations

from typing import Any

import httpx
import jwt
import pytest

from tests.support.openapi import validate_request
from tests.support.sandbox_admin import SandboxAdmin
from transmit_admin.sandbox.challenges import totp_code
from transmit_admin.sandbox.runner import SandboxInfo

AUTH = "/cis/v1/auth"


def claims_of(token: str) -> dict[str, Any]:
    decoded: dict[str, Any] = jwt.decode(token, options={"verify_signature": False})
    return decoded


def post(client: httpx.Client, path: str, body: dict[str, Any]) -> httpx.Response:
    validate_request("POST", path, body)
    return client.post(path, json=body)


def password_login(
    client: httpx.Client, admin: SandboxAdmin, user: dict[str, Any], **extra: Any
) -> dict[str, Any]:
    body = {"username": user["username"], "password": admin.demo_password, **extra}
    response = post(client, f"{AUTH}/password/authenticate", body)
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def send_and_open_link(client: httpx.Client, admin: SandboxAdmin, email: str) -> str:
    body = {"email": email, "redirect_uri": "http://127.0.0.1:8765/callback", "state": "s1"}
    response = post(client, f"{AUTH}/link/email/send", body)
    assert response.json() == {"message": "Email sent successfully"}
    message = admin.latest_message(email)
    assert message["link"].startswith("http://127.0.0.1:8765/callback?code=")
    assert message["link"].endswith("&state=s1")
    return str(message["code"])


@pytest.fixture
def user(sandbox_admin: SandboxAdmin) -> dict[str, Any]:
    return sandbox_admin.active_users()[0]


def test_password_creates_session_with_transmit_claims(
    transmit: httpx.Client, sandbox_admin: SandboxAdmin, sandbox: SandboxInfo, user: dict[str, Any]
) -> None:
    tokens = password_login(transmit, sandbox_admin, user)
    access, id_token = claims_of(tokens["access_token"]), claims_of(tokens["id_token"])
    details = sandbox_admin.details()
    assert access["sub"] == user["user_id"]
    assert access["aud"] == "userid-api"
    assert access["iss"] == sandbox.issuer
    assert access["tid"] == details["tenant_id"]
    assert access["app_name"] == "Acme Support Demo"
    assert {"client_id", "app_id", "jti", "scope", "roles", "iat", "exp"} <= set(access)
    assert "amr" not in access
    assert id_token["aud"] == sandbox.client_id
    assert id_token["amr"] == ["pwd"]
    assert id_token["auth_time"] <= id_token["iat"]
    assert "email" not in id_token  # profile claims only when requested
    assert tokens["expires_in"] == 3600
    assert tokens["token_type"] == "Bearer"
    header = jwt.get_unverified_header(tokens["access_token"])
    assert header["alg"] == "RS256"
    assert header["kid"] in [k["kid"] for k in httpx.get(sandbox.jwks_url).json()["keys"]]


def test_tokens_verify_against_the_published_jwks(
    transmit: httpx.Client, sandbox_admin: SandboxAdmin, sandbox: SandboxInfo, user: dict[str, Any]
) -> None:
    tokens = password_login(transmit, sandbox_admin, user)
    jwks = jwt.PyJWKSet.from_dict(transmit.get("/cis/oidc/jwks").json())
    kid = jwt.get_unverified_header(tokens["id_token"])["kid"]
    key = next(k for k in jwks.keys if k.key_id == kid)
    claims = jwt.decode(
        tokens["id_token"],
        key,
        algorithms=["RS256"],
        audience=sandbox.client_id,
        issuer=sandbox.issuer,
    )
    assert claims["sub"] == user["user_id"]


def test_requested_id_token_claims_are_added(
    transmit: httpx.Client, sandbox_admin: SandboxAdmin, user: dict[str, Any]
) -> None:
    claims = {"id_token": {"email": None, "fname": None, "roles": None}}
    tokens = password_login(transmit, sandbox_admin, user, claims=claims)
    id_token = claims_of(tokens["id_token"])
    assert id_token["email"] == user["email"]
    assert id_token["roles"] == []
    assert "lname" not in id_token


def test_magic_link_in_session_adds_eml_and_mfa(
    transmit: httpx.Client, sandbox_admin: SandboxAdmin, user: dict[str, Any]
) -> None:
    first = password_login(transmit, sandbox_admin, user)
    before = sandbox_admin.session(first["session_id"])
    code = send_and_open_link(transmit, sandbox_admin, user["email"])
    body = {"code": code, "session_id": first["session_id"]}
    second = post(transmit, f"{AUTH}/link/email/authenticate", body).json()
    assert second["session_id"] == first["session_id"]
    assert claims_of(second["id_token"])["amr"] == ["pwd", "eml", "mfa"]
    after = sandbox_admin.session(first["session_id"])
    assert after["amr"] == ["pwd", "eml", "mfa"]
    assert after["expires"] >= before["expires"]  # ISO strings of one format sort as times


def test_magic_link_is_single_use(
    transmit: httpx.Client, sandbox_admin: SandboxAdmin, user: dict[str, Any]
) -> None:
    code = send_and_open_link(transmit, sandbox_admin, user["email"])
    first = post(transmit, f"{AUTH}/link/email/authenticate", {"code": code})
    assert first.status_code == 200
    again = post(transmit, f"{AUTH}/link/email/authenticate", {"code": code})
    assert again.status_code == 400
    assert again.json() == {"message": "Invalid magic link code", "error_code": 400}


def test_magic_link_without_session_creates_one(
    transmit: httpx.Client, sandbox_admin: SandboxAdmin, user: dict[str, Any]
) -> None:
    code = send_and_open_link(transmit, sandbox_admin, user["email"])
    tokens = post(transmit, f"{AUTH}/link/email/authenticate", {"code": code}).json()
    assert claims_of(tokens["id_token"])["amr"] == ["eml"]


@pytest.mark.parametrize(
    "redirect_uri",
    ["https://evil.example/cb", "http://192.168.1.5:80/cb", "http://localhost.evil.example/cb"],
)
def test_magic_link_refuses_redirects_not_allowed(
    transmit: httpx.Client, user: dict[str, Any], redirect_uri: str
) -> None:
    body = {"email": user["email"], "redirect_uri": redirect_uri}
    response = post(transmit, f"{AUTH}/link/email/send", body)
    assert response.status_code == 400
    assert "redirect_uri" in response.json()["message"]


def test_magic_link_to_unknown_email_is_404(transmit: httpx.Client) -> None:
    body = {"email": "nobody@example.com", "redirect_uri": "http://localhost:1/cb"}
    response = post(transmit, f"{AUTH}/link/email/send", body)
    assert response.status_code == 404
    assert response.json() == {"message": "User not found", "error_code": 404}


def test_email_otp_authenticates_and_adds_eotp(
    transmit: httpx.Client, sandbox_admin: SandboxAdmin, user: dict[str, Any]
) -> None:
    first = password_login(transmit, sandbox_admin, user)
    ident = {"identifier_type": "email", "identifier": user["email"]}
    sent = post(transmit, f"{AUTH}/otp/send", {"channel": "email", **ident})
    assert sent.json() == {"message": "OTP sent"}
    passcode = sandbox_admin.latest_message(user["email"])["code"]
    body = {"passcode": passcode, "session_id": first["session_id"], **ident}
    tokens = post(transmit, f"{AUTH}/otp/authenticate", body).json()
    assert claims_of(tokens["id_token"])["amr"] == ["pwd", "eotp", "mfa"]


def test_direct_otp_returns_code_and_sms_goes_to_phone(
    transmit: httpx.Client, sandbox_admin: SandboxAdmin, user: dict[str, Any]
) -> None:
    ident = {"identifier_type": "user_id", "identifier": user["user_id"]}
    direct = post(transmit, f"{AUTH}/otp/send", {"channel": "direct", **ident}).json()
    assert len(direct["code"]) == 6
    post(transmit, f"{AUTH}/otp/send", {"channel": "sms", **ident})
    sms = sandbox_admin.latest_message(user["phone_number"])
    assert sms["channel"] == "sms"
    tokens = post(transmit, f"{AUTH}/otp/authenticate", {"passcode": sms["code"], **ident}).json()
    assert claims_of(tokens["id_token"])["amr"] == ["sms"]


def test_otp_locks_after_three_failures(
    transmit: httpx.Client, sandbox_admin: SandboxAdmin, user: dict[str, Any]
) -> None:
    ident = {"identifier_type": "phone_number", "identifier": user["phone_number"]}
    code = post(transmit, f"{AUTH}/otp/send", {"channel": "direct", **ident}).json()["code"]
    wrong = "000000" if code != "000000" else "111111"
    statuses = [
        post(transmit, f"{AUTH}/otp/authenticate", {"passcode": wrong, **ident}).status_code
        for _ in range(3)
    ]
    assert statuses == [401, 401, 403]
    locked = post(transmit, f"{AUTH}/otp/authenticate", {"passcode": code, **ident})
    assert locked.status_code == 403
    assert locked.json()["error_code"] == "auth_locked"


def test_wrong_password_is_401_invalid_credentials(
    transmit: httpx.Client, user: dict[str, Any]
) -> None:
    body = {"username": user["username"], "password": "not-it"}
    response = post(transmit, f"{AUTH}/password/authenticate", body)
    assert response.status_code == 401
    assert response.json()["error_code"] == "auth_invalid_credentials"


def test_password_by_email_username_type(
    transmit: httpx.Client, sandbox_admin: SandboxAdmin, user: dict[str, Any]
) -> None:
    body = {
        "username": user["email"],
        "password": sandbox_admin.demo_password,
        "username_type": "email",
    }
    assert post(transmit, f"{AUTH}/password/authenticate", body).status_code == 200


def test_totp_with_the_demo_secret(
    transmit: httpx.Client, sandbox_admin: SandboxAdmin, user: dict[str, Any]
) -> None:
    import time

    code = totp_code(sandbox_admin.details()["totp_secret"], int(time.time() // 30))
    body = {"token": code, "identifier": user["email"]}
    tokens = post(transmit, f"{AUTH}/totp/authenticate", body).json()
    assert claims_of(tokens["id_token"])["amr"] == ["totp"]
    bad = post(
        transmit, f"{AUTH}/totp/authenticate", {"token": "12345", "identifier": user["email"]}
    )
    assert bad.status_code == 401


def test_disabled_user_cannot_authenticate(
    fresh_transmit: Any,
) -> None:
    client, admin = fresh_transmit(users=6)
    disabled = next(u for u in admin.users() if u["status"] == "Disabled")
    response = password_login_raw(client, admin, disabled)
    assert response.status_code == 403
    assert response.json() == {"message": "User is not active", "error_code": 403}


def password_login_raw(
    client: httpx.Client, admin: SandboxAdmin, user: dict[str, Any]
) -> httpx.Response:
    body = {"username": user["username"], "password": admin.demo_password}
    return post(client, f"{AUTH}/password/authenticate", body)


def test_factor_into_another_users_session_is_refused(
    transmit: httpx.Client, sandbox_admin: SandboxAdmin
) -> None:
    alice, bruno = sandbox_admin.active_users()[:2]
    session_id = password_login(transmit, sandbox_admin, alice)["session_id"]
    body = {
        "username": bruno["username"],
        "password": sandbox_admin.demo_password,
        "session_id": session_id,
    }
    response = post(transmit, f"{AUTH}/password/authenticate", body)
    assert response.status_code == 400
