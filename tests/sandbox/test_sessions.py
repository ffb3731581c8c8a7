"""Silent authentication, refresh rotation, logout, list and revoke-all."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.sandbox.test_auth_flows import AUTH, claims_of, password_login, post
from tests.support.sandbox_admin import SandboxAdmin

SESSION_NOT_FOUND = {"message": "Session not found", "error_code": 400}


@pytest.fixture
def user(sandbox_admin: SandboxAdmin) -> dict[str, Any]:
    return sandbox_admin.active_users()[1]


def test_silent_auth_issues_new_tokens_in_the_same_session(
    transmit: httpx.Client, sandbox_admin: SandboxAdmin, user: dict[str, Any]
) -> None:
    first = password_login(transmit, sandbox_admin, user)
    silent = post(transmit, f"{AUTH}/session/authenticate", {"session_id": first["session_id"]})
    tokens = silent.json()
    assert tokens["session_id"] == first["session_id"]
    assert tokens["access_token"] != first["access_token"]
    id_token, earlier = claims_of(tokens["id_token"]), claims_of(first["id_token"])
    assert id_token["amr"] == ["pwd"]  # silent auth adds no factor
    assert id_token["auth_time"] == earlier["auth_time"]


def test_refresh_tokens_rotate(
    transmit: httpx.Client, sandbox_admin: SandboxAdmin, user: dict[str, Any]
) -> None:
    first = password_login(transmit, sandbox_admin, user)
    refreshed = post(transmit, f"{AUTH}/token/refresh", {"refresh_token": first["refresh_token"]})
    assert refreshed.status_code == 200
    assert "session_id" not in refreshed.json()
    assert refreshed.json()["refresh_token"] != first["refresh_token"]
    reused = post(transmit, f"{AUTH}/token/refresh", {"refresh_token": first["refresh_token"]})
    assert reused.status_code == 400
    newer = refreshed.json()["refresh_token"]
    assert post(transmit, f"{AUTH}/token/refresh", {"refresh_token": newer}).status_code == 200


def test_logout_ends_session_and_its_refresh_tokens(
    transmit: httpx.Client, sandbox_admin: SandboxAdmin, user: dict[str, Any]
) -> None:
    tokens = password_login(transmit, sandbox_admin, user)
    session = {"session_id": tokens["session_id"]}
    logout = post(transmit, f"{AUTH}/session/logout", session)
    assert logout.status_code == 204
    assert logout.content == b""
    silent = post(transmit, f"{AUTH}/session/authenticate", session)
    assert silent.status_code == 400
    assert silent.json() == SESSION_NOT_FOUND
    again = post(transmit, f"{AUTH}/session/logout", session)
    assert again.json() == SESSION_NOT_FOUND
    refresh = post(transmit, f"{AUTH}/token/refresh", {"refresh_token": tokens["refresh_token"]})
    assert refresh.status_code == 400
    assert sandbox_admin.session(tokens["session_id"])["status"] == "ended"


def test_unknown_session_is_not_found(transmit: httpx.Client) -> None:
    response = post(transmit, f"{AUTH}/session/authenticate", {"session_id": "no-such-session"})
    assert response.json() == SESSION_NOT_FOUND


def test_list_shows_live_sessions_only(
    transmit: httpx.Client, sandbox_admin: SandboxAdmin, user: dict[str, Any]
) -> None:
    session_id = password_login(transmit, sandbox_admin, user)["session_id"]
    listed = transmit.get(f"{AUTH}/users/{user['user_id']}/sessions").json()
    assert session_id in [s["session_id"] for s in listed]
    overview = {s["session_id"]: s for s in sandbox_admin.sessions()}
    assert all(overview[s["session_id"]]["status"] == "active" for s in listed)
    post(transmit, f"{AUTH}/session/logout", {"session_id": session_id})
    listed = transmit.get(f"{AUTH}/users/{user['user_id']}/sessions").json()
    assert session_id not in [s["session_id"] for s in listed]


def test_revoke_all_ends_every_session_of_the_user(fresh_transmit: Any) -> None:
    client, admin = fresh_transmit(users=2, sessions=10, seed=5)
    user = admin.active_users()[0]
    for _ in range(2):
        password_login(client, admin, user)
    path = f"{AUTH}/users/{user['user_id']}/sessions"
    assert len(client.get(path).json()) >= 2
    revoked = client.delete(path)
    assert revoked.status_code == 204
    assert client.get(path).json() == []
    mine = [s for s in admin.sessions() if s["user_id"] == user["user_id"]]
    assert "revoked" in {s["status"] for s in mine}
    assert "active" not in {s["status"] for s in mine}


def test_unknown_user_sessions_is_404(transmit: httpx.Client) -> None:
    assert transmit.get(f"{AUTH}/users/nobody/sessions").status_code == 404
    assert transmit.delete(f"{AUTH}/users/nobody/sessions").status_code == 404


def test_sessions_extend_and_expire_with_the_clock(fresh_transmit: Any) -> None:
    client, admin = fresh_transmit(users=1)
    user = admin.active_users()[0]
    tokens = password_login(client, admin, user)
    session = {"session_id": tokens["session_id"]}
    created = admin.session(tokens["session_id"])
    admin.advance_clock(10 * 24 * 3600)
    # The client token expired with the clock move too (1 h lifetime): fetch a new one.
    client.headers["Authorization"] = f"Bearer {admin.client_token()}"
    assert post(client, f"{AUTH}/session/authenticate", session).status_code == 200
    extended = admin.session(tokens["session_id"])
    assert extended["expires"] > created["expires"]
    admin.advance_clock(13 * 24 * 3600)  # 23 days after login, 13 after the last extension
    client.headers["Authorization"] = f"Bearer {admin.client_token()}"
    assert post(client, f"{AUTH}/session/authenticate", session).status_code == 200
    admin.advance_clock(15 * 24 * 3600)
    client.headers["Authorization"] = f"Bearer {admin.client_token()}"
    assert post(client, f"{AUTH}/session/authenticate", session).json() == SESSION_NOT_FOUND
    assert admin.session(tokens["session_id"])["status"] == "expired"
