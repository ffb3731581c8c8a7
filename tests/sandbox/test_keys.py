"""Key rotation: the old key stays published (and trusted) for the grace period."""

from __future__ import annotations

from typing import Any

import httpx
import jwt

from tests.sandbox.conftest import validating_client
from tests.support.sandbox_admin import SandboxAdmin


def kids(admin: SandboxAdmin) -> list[str]:
    with validating_client(admin.info, token=False) as client:
        return [key["kid"] for key in client.get("/cis/oidc/jwks").json()["keys"]]


def users_status(admin: SandboxAdmin, client_token: str) -> int:
    with validating_client(admin.info, client_token=client_token) as client:
        return client.get("/cis/v1/users").status_code


def test_rotation_keeps_old_key_for_the_grace_period(fresh_sandbox: Any) -> None:
    with SandboxAdmin(fresh_sandbox(users=1)) as admin:
        old_kid = kids(admin)[0]
        old_token = admin.client_token()
        rotated = admin.rotate_key(grace_seconds=600)
        assert rotated["kid"] != old_kid
        assert kids(admin) == [rotated["kid"], old_kid]
        new_token = admin.client_token()
        assert jwt.get_unverified_header(new_token)["kid"] == rotated["kid"]
        assert users_status(admin, old_token) == 200
        admin.advance_clock(601)
        assert kids(admin) == [rotated["kid"]]
        assert users_status(admin, old_token) == 401
        assert users_status(admin, admin.client_token()) == 200


def test_rotation_without_grace_drops_the_old_key_at_once(fresh_sandbox: Any) -> None:
    with SandboxAdmin(fresh_sandbox(users=1)) as admin:
        old_token = admin.client_token()
        admin.rotate_key(grace_seconds=0)
        assert len(kids(admin)) == 1
        assert users_status(admin, old_token) == 401


def test_rotate_refuses_negative_grace(sandbox_admin: SandboxAdmin) -> None:
    response = httpx.post(
        f"{sandbox_admin.info.base_url}/sandbox/rotate-key", json={"grace_seconds": -1}
    )
    assert response.status_code == 400
