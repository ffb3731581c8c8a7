"""Expiry of links, OTPs and tokens on a private sandbox whose clock the tests move."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from tests.sandbox.conftest import validating_client
from tests.sandbox.test_auth_flows import AUTH, password_login, post, send_and_open_link
from tests.support.sandbox_admin import SandboxAdmin
from transmit_admin.sandbox.runner import SandboxProcess


@pytest.fixture(scope="module")
def clocked() -> Iterator[SandboxProcess]:
    with SandboxProcess.start(users=2) as process:
        yield process


@pytest.fixture
def pair(clocked: SandboxProcess) -> Iterator[tuple[httpx.Client, SandboxAdmin]]:
    with SandboxAdmin(clocked.info) as admin, validating_client(clocked.info) as client:
        yield client, admin


def renew(client: httpx.Client, admin: SandboxAdmin) -> None:
    """A clock move may have expired the client token (1 h)."""
    client.headers["Authorization"] = f"Bearer {admin.client_token()}"


def test_magic_link_expires_after_its_lifetime(pair: Any) -> None:
    client, admin = pair
    email = admin.users()[0]["email"]
    code = send_and_open_link(client, admin, email)
    admin.advance_clock(16 * 60)
    renew(client, admin)
    response = post(client, f"{AUTH}/link/email/authenticate", {"code": code})
    assert response.json() == {"message": "Invalid magic link code", "error_code": 400}


def test_magic_link_custom_expiration_is_honoured(pair: Any) -> None:
    client, admin = pair
    email = admin.users()[0]["email"]
    body = {"email": email, "redirect_uri": "http://localhost:1/cb", "email_expiration": 60}
    post(client, f"{AUTH}/link/email/send", body)
    code = admin.latest_message(email)["code"]
    admin.advance_clock(30 * 60)
    renew(client, admin)
    assert post(client, f"{AUTH}/link/email/authenticate", {"code": code}).status_code == 200


def test_otp_expires(pair: Any) -> None:
    client, admin = pair
    ident = {"identifier_type": "email", "identifier": admin.users()[1]["email"]}
    code = post(client, f"{AUTH}/otp/send", {"channel": "direct", **ident}).json()["code"]
    admin.advance_clock(6 * 60)
    renew(client, admin)
    response = post(client, f"{AUTH}/otp/authenticate", {"passcode": code, **ident})
    assert response.status_code == 400
    assert response.json()["error_code"] == "auth_otp_passcode_expired"


def test_client_token_expires_after_an_hour(pair: Any) -> None:
    client, admin = pair
    renew(client, admin)
    admin.advance_clock(3601)
    assert client.get("/cis/v1/users").status_code == 401


def test_concurrent_logins_each_get_their_own_session(pair: Any) -> None:
    client, admin = pair
    renew(client, admin)
    user = admin.users()[0]
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda _: password_login(client, admin, user), range(24)))
    session_ids = {r["session_id"] for r in results}
    assert len(session_ids) == 24
    listed = client.get(f"{AUTH}/users/{user['user_id']}/sessions").json()
    assert session_ids <= {s["session_id"] for s in listed}
