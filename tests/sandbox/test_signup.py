"""Sign-up (`POST /cis/v1/users`) and the user look-ups, driven the way Transmit's Express
sample backends (`ciam-expressjs-vanilla-samples`) drive them, over loopback TCP.

The request bodies are the samples' own (their `createUser`, `authenticatePassword`,
`sendSMSOTP`, `authenticateSMSOtp`, `sendMagicLink`, `authenticateWithSession`, `logout`…);
each is checked against the OpenAPI request schema before it is sent, and every answer
against the response schema as it arrives (the `validating_client` of conftest.py).

These tests create users, so they run on a sandbox of their own: the shared one's user count
is part of other tests' expectations.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import httpx
import jwt
import pytest

from tests.sandbox.conftest import validating_client
from tests.support.openapi import validate_request
from tests.support.sandbox_admin import SandboxAdmin
from transmit_admin.sandbox.runner import SandboxInfo, SandboxProcess

USERS = "/cis/v1/users"
AUTH = "/cis/v1/auth"
# The samples' TS_REDIRECT_URI: their own server on port 8080, route /complete.
REDIRECT_URI = "http://localhost:8080/complete"
PASSWORD = "Sign-Up-Pass-42!"
_serial = itertools.count(1)


@pytest.fixture(scope="module")
def signup_sandbox() -> Iterator[SandboxInfo]:
    with SandboxProcess.start(users=2, sessions=0) as process:
        yield process.info


@pytest.fixture
def client(signup_sandbox: SandboxInfo) -> Iterator[httpx.Client]:
    with validating_client(signup_sandbox) as validating:
        yield validating


@pytest.fixture
def admin(signup_sandbox: SandboxInfo) -> Iterator[SandboxAdmin]:
    with SandboxAdmin(signup_sandbox) as helper:
        yield helper


def unique(kind: str) -> str:
    """A fresh identifier per call, so tests sharing the module's sandbox never collide."""
    n = next(_serial)
    return {
        "email": f"signup.{n}@example.org",
        "phone": f"+1555020{n:04d}",
        "username": f"signup-user-{n}",
    }[kind]


def post(client: httpx.Client, path: str, body: dict[str, Any]) -> httpx.Response:
    validate_request("POST", path, body)
    return client.post(path, json=body)


def create(client: httpx.Client, body: dict[str, Any]) -> dict[str, Any]:
    response = post(client, USERS, body)
    assert response.status_code == 201, response.text
    user: dict[str, Any] = response.json()["result"]
    return user


def claims_of(token: str) -> dict[str, Any]:
    decoded: dict[str, Any] = jwt.decode(token, options={"verify_signature": False})
    return decoded


# -- the samples' sign-up bodies -----------------------------------------------------------
def sample_bodies() -> list[tuple[str, dict[str, Any]]]:
    return [
        # login-with-be-email, login-with-be-magiclink, silent-and-offline-be-auth
        ("email", {"email": unique("email")}),
        # login-with-be-sms
        ("sms", {"phone_number": unique("phone")}),
        # login-with-be-mfa
        (
            "mfa",
            {
                "username": unique("username"),
                "phone_number": unique("phone"),
                "credentials": {"password": PASSWORD, "force_replace": False},
            },
        ),
        # password-be-authentication
        (
            "password",
            {
                "username": unique("username"),
                "credentials": {"password": PASSWORD, "force_replace": False},
            },
        ),
    ]


@pytest.mark.parametrize(("sample", "body"), sample_bodies(), ids=lambda v: str(v)[:8])
def test_sample_sign_up_bodies_create_users(
    client: httpx.Client, admin: SandboxAdmin, sample: str, body: dict[str, Any]
) -> None:
    user = create(client, body)
    assert user["status"] == "Active"
    assert isinstance(user["created_at"], int)
    assert user["created_at"] == user["updated_at"]
    if "email" in body:
        assert user["email"] == {"value": body["email"], "email_verified": False}
        found = client.get(f"{USERS}/email/{quote(body['email'])}")
        assert found.json()["result"] == user
    else:
        assert "email" not in user  # ApiUser has no nullable fields: absent, not null
    if "phone_number" in body:
        assert user["phone_number"]["value"] == body["phone_number"]
        for spelling in ("phone", "phone-number"):
            found = client.get(f"{USERS}/{spelling}/{quote(body['phone_number'])}")
            assert found.json()["result"] == user
    if "username" in body:
        assert user["username"] == body["username"]
        assert client.get(f"{USERS}/username/{body['username']}").json()["result"] == user
        info = user["password_information"]
        assert info["temporary"] is False
        assert info["expired"] is False
    else:
        assert "password_information" not in user
    assert client.get(f"{USERS}/{user['user_id']}").json()["result"] == user
    listed = {u["user_id"]: u for u in admin.users()}  # /sandbox/info
    assert listed[user["user_id"]]["status"] == "Active"
    assert listed[user["user_id"]]["email"] == body.get("email")


def test_every_documented_field_is_kept(client: httpx.Client) -> None:
    body = {
        "email": unique("email"),
        "phone_number": unique("phone"),
        "username": unique("username"),
        "secondary_emails": ["second@example.org"],
        "secondary_phone_numbers": ["+15550209999"],
        "birthday": "1990-04-01",
        "address": {"country": "NL", "city": "Utrecht", "type": "Home"},
        "name": {"title": "Dr", "first_name": "Sam", "last_name": "Signup", "middle_name": "Q"},
        "external_account_id": "acct-77",
        "custom_app_data": {"plan": "gold"},
        "picture": "https://example.org/sam.png",
        "language": "nl-NL",
        "custom_data": {"tier": 3},
        "external_user_id": f"ext-{next(_serial)}",
        "credentials": {"password": PASSWORD},
    }
    user = create(client, body)
    assert user["name"] == body["name"]
    assert user["address"]["city"] == "Utrecht"
    assert user["secondary_emails"] == [{"value": "second@example.org", "email_verified": False}]
    assert (user["custom_data"], user["custom_app_data"]) == ({"tier": 3}, {"plan": "gold"})
    # force_replace defaults to true [doc]: a temporary password.
    assert user["password_information"]["temporary"] is True
    by_external = client.get(f"{USERS}/external-user-id/{body['external_user_id']}")
    assert by_external.json()["result"] == user
    searched = client.get(
        USERS, params={"search": f'external_user_id eq "{body["external_user_id"]}"'}
    )
    assert [u["user_id"] for u in searched.json()["result"]] == [user["user_id"]]


# -- login-with-be-mfa: sign-up -> password -> SMS OTP into the same session -> logout --------
def test_mfa_sample_sign_up_login_otp_factor_logout(
    client: httpx.Client, admin: SandboxAdmin
) -> None:
    username, phone = unique("username"), unique("phone")
    created = create(
        client,
        {
            "username": username,
            "phone_number": phone,
            "credentials": {"password": PASSWORD, "force_replace": False},
        },
    )
    # authenticatePassword(username, password)
    login = post(
        client, f"{AUTH}/password/authenticate", {"username": username, "password": PASSWORD}
    )
    assert login.status_code == 200, login.text
    tokens = login.json()
    session_id = tokens["session_id"]
    assert claims_of(tokens["id_token"])["amr"] == ["pwd"]
    assert claims_of(tokens["access_token"])["sub"] == created["user_id"]
    # getUserByUsername(username) -> result.phone_number.value
    found = client.get(f"{USERS}/username/{username}").json()["result"]
    assert found["phone_number"]["value"] == phone
    # sendSMSOTP(phone)
    sent = post(
        client,
        f"{AUTH}/otp/send",
        {"channel": "sms", "identifier": phone, "identifier_type": "phone_number"},
    )
    assert sent.json() == {"message": "OTP sent"}
    message = admin.latest_message(phone)  # the sandbox mailbox
    assert message["channel"] == "sms"
    # authenticateSMSOtp(phone, otpCode, sessionId)
    second = post(
        client,
        f"{AUTH}/otp/authenticate",
        {
            "passcode": message["code"],
            "identifier": phone,
            "identifier_type": "phone_number",
            "session_id": session_id,
        },
    )
    assert second.status_code == 200, second.text
    assert second.json()["session_id"] == session_id
    assert claims_of(second.json()["id_token"])["amr"] == ["pwd", "sms", "mfa"]
    overview = admin.session(session_id)  # what the console's demo store reads
    assert overview["user_id"] == created["user_id"]
    assert overview["amr"] == ["pwd", "sms", "mfa"]
    assert overview["status"] == "active"
    listed = client.get(f"{AUTH}/users/{created['user_id']}/sessions").json()
    assert [s["session_id"] for s in listed] == [session_id]
    verified = client.get(f"{USERS}/{created['user_id']}").json()["result"]
    assert verified["phone_number"]["phone_number_verified"] is True
    assert "last_auth" in verified
    # logout(sessionId): 204, then the session is gone
    logout = post(client, f"{AUTH}/session/logout", {"session_id": session_id})
    assert logout.status_code == 204
    assert logout.content == b""
    silent = post(client, f"{AUTH}/session/authenticate", {"session_id": session_id})
    assert silent.status_code == 400
    assert silent.json()["message"] == "Session not found"
    assert admin.session(session_id)["status"] == "ended"


# -- password-be-authentication --------------------------------------------------------------
def test_password_sample_login_with_username_claim(client: httpx.Client) -> None:
    username = unique("username")
    create(
        client,
        {"username": username, "credentials": {"password": PASSWORD, "force_replace": False}},
    )
    body = {"username": username, "password": PASSWORD, "claims": {"id_token": {"username": None}}}
    tokens = post(client, f"{AUTH}/password/authenticate", body).json()
    id_claims = claims_of(tokens["id_token"])
    assert id_claims["username"] == username
    wrong = post(
        client, f"{AUTH}/password/authenticate", {"username": username, "password": "nope"}
    )
    assert wrong.status_code == 401
    assert wrong.json()["error_code"] == "auth_invalid_credentials"
    # Another user's password, the seeded demo one, is not this user's.
    demo = post(
        client,
        f"{AUTH}/password/authenticate",
        {"username": username, "password": "Sandbox-Demo-1!"},
    )
    assert demo.status_code == 401


def test_a_user_without_a_password_cannot_log_in_with_one(client: httpx.Client) -> None:
    email = unique("email")
    create(client, {"email": email})
    body = {"username": email, "password": PASSWORD, "username_type": "email"}
    assert post(client, f"{AUTH}/password/authenticate", body).status_code == 401


# -- silent-and-offline-be-auth and login-with-be-email / -magiclink ---------------------------
def test_magic_link_sample_silent_auth_refresh_logout(
    client: httpx.Client, admin: SandboxAdmin
) -> None:
    email = unique("email")
    created = create(client, {"email": email})
    sent = post(client, f"{AUTH}/link/email/send", {"email": email, "redirect_uri": REDIRECT_URI})
    assert sent.json() == {"message": "Email sent successfully"}
    message = admin.latest_message(email)
    assert message["link"].startswith(f"{REDIRECT_URI}?code=")
    tokens = post(client, f"{AUTH}/link/email/authenticate", {"code": message["code"]}).json()
    session_id = tokens["session_id"]
    assert claims_of(tokens["id_token"])["sub"] == created["user_id"]
    assert client.get(f"{USERS}/email/{email}").json()["result"]["email"]["email_verified"]
    silent = post(client, f"{AUTH}/session/authenticate", {"session_id": session_id})
    assert silent.status_code == 200
    assert silent.json()["session_id"] == session_id
    refreshed = post(
        client, f"{AUTH}/token/refresh", {"refresh_token": silent.json()["refresh_token"]}
    )
    assert refreshed.status_code == 200
    assert post(client, f"{AUTH}/session/logout", {"session_id": session_id}).status_code == 204
    again = post(client, f"{AUTH}/session/logout", {"session_id": session_id})
    assert again.status_code == 400
    assert again.json()["message"] == "Session not found"


def test_email_otp_sample(client: httpx.Client, admin: SandboxAdmin) -> None:
    email = unique("email")
    create(client, {"email": email})
    body = {"channel": "email", "identifier": email, "identifier_type": "email"}
    assert post(client, f"{AUTH}/otp/send", body).status_code == 200
    code = admin.latest_message(email)["code"]
    tokens = post(
        client,
        f"{AUTH}/otp/authenticate",
        {"passcode": code, "identifier": email, "identifier_type": "email"},
    ).json()
    assert claims_of(tokens["id_token"])["amr"] == ["eotp"]


def test_sms_to_a_user_without_a_phone_is_400(client: httpx.Client) -> None:
    email = unique("email")
    create(client, {"email": email})
    body = {"channel": "sms", "identifier": email, "identifier_type": "email"}
    response = post(client, f"{AUTH}/otp/send", body)
    assert response.status_code == 400
    assert "phone" in response.json()["message"]


# -- conflicts and invalid bodies -------------------------------------------------------------
def test_taken_identifiers_are_409(client: httpx.Client, admin: SandboxAdmin) -> None:
    email, phone, username = unique("email"), unique("phone"), unique("username")
    external = f"ext-{next(_serial)}"
    create(
        client,
        {"email": email, "phone_number": phone, "username": username, "external_user_id": external},
    )
    seeded = admin.users()[0]
    taken = [
        {"email": email.upper()},  # emails compare case-insensitively
        {"phone_number": phone},
        {"username": username, "credentials": {"password": PASSWORD}},
        {"email": unique("email"), "external_user_id": external},
        {"email": seeded["email"]},
        {"username": seeded["username"]},
    ]
    before = len(admin.users())
    for body in taken:
        response = post(client, USERS, body)
        assert response.status_code == 409, body
        answer = response.json()
        assert isinstance(answer["message"], str)
        assert answer["error_code"] == 409
        assert "already exists" in answer["message"]
    assert len(admin.users()) == before


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"email": "not-an-email"},
        {"email": ""},
        {"email": 42},
        {"phone_number": "5550100"},
        {"username": "  "},
        {"username": "no-password", "credentials": {"force_replace": False}},
        {"username": "bad-flag", "credentials": {"password": PASSWORD, "force_replace": "no"}},
        {"phone_number": "+15550208888", "credentials": {"password": PASSWORD}},
        {"email": "list@example.org", "secondary_emails": "second@example.org"},
        {"email": "list2@example.org", "secondary_emails": ["not-an-email"]},
        {"email": "name@example.org", "name": "Sam"},
        {"email": "addr@example.org", "address": {"type": "Castle"}},
        {"email": "bday@example.org", "birthday": "the first of April"},
        {"email": "deleg@example.org", "delegated_access": {"actor_id": "x"}},
    ],
    ids=lambda body: json.dumps(body)[:40],
)
def test_invalid_bodies_are_400_with_a_message_list(
    client: httpx.Client, admin: SandboxAdmin, body: dict[str, Any]
) -> None:
    before = len(admin.users())
    response = client.post(USERS, json=body)
    assert response.status_code == 400
    answer = response.json()
    assert isinstance(answer["message"], list)
    assert answer["message"]
    assert answer["error_code"] == 400
    assert len(admin.users()) == before


@pytest.mark.parametrize("raw", [b"", b"[]", b'"email"', b"{not json", b"\xff\xfe"])
def test_non_object_bodies_are_400(client: httpx.Client, raw: bytes) -> None:
    response = client.post(USERS, content=raw, headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert isinstance(response.json()["message"], list)


def test_sign_up_needs_a_client_token(signup_sandbox: SandboxInfo) -> None:
    with validating_client(signup_sandbox, token=False) as anonymous:
        response = anonymous.post(USERS, json={"email": unique("email")})
    assert response.status_code == 401
    assert response.json() == {"message": "Unauthorized", "error_code": 401}


@pytest.mark.parametrize(
    "path",
    [
        f"{USERS}/username/nobody-here",
        f"{USERS}/phone/%2B19995550000",
        f"{USERS}/phone-number/%2B19995550000",
        f"{USERS}/external-user-id/no-such-external-id",
    ],
)
def test_unknown_look_ups_are_404(client: httpx.Client, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404
    assert response.json() == {"message": "User not found", "error_code": 404}


def test_seeded_users_are_found_by_username_and_phone(
    client: httpx.Client, admin: SandboxAdmin
) -> None:
    seeded = admin.users()[1]
    by_username = client.get(f"{USERS}/username/{seeded['username']}").json()["result"]
    by_phone = client.get(f"{USERS}/phone/{quote(seeded['phone_number'])}").json()["result"]
    assert by_username == by_phone
    assert by_username["user_id"] == seeded["user_id"]


def test_request_log_and_search_never_carry_the_password(
    client: httpx.Client, admin: SandboxAdmin
) -> None:
    secret = "Never-Echo-This-9!"
    create(client, {"username": unique("username"), "credentials": {"password": secret}})
    for route in ("/sandbox/info", "/sandbox/requests", "/sandbox/sessions", "/sandbox/outbox"):
        assert secret not in admin.http.get(route).text
    assert secret not in client.get(USERS).text


def test_request_log_keeps_look_up_identifiers_out(
    client: httpx.Client, admin: SandboxAdmin
) -> None:
    email = unique("email")
    create(client, {"email": email})
    client.get(f"{USERS}/email/{email}")
    client.get(f"{USERS}/username/evil%0Aname")
    paths = [entry["path"] for entry in admin.requests()[:2]]
    assert paths == [f"{USERS}/username/<username>", f"{USERS}/email/<email>"]
