"""Service tests run the real parts: a sandbox over loopback, a SQLite file, the API client.

`private_sandbox` is this folder's own sandbox (module scope) for what the shared one must not
see: injected faults and revoking all of a user's sessions. Each test resets its faults.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import pytest

from tests.support.sandbox_admin import SandboxAdmin
from transmit_admin.api.client import TransmitClient
from transmit_admin.api.jwks import JwksCache
from transmit_admin.api.retry import RetryPolicy
from transmit_admin.core.environment import Environment, Region
from transmit_admin.sandbox.runner import SandboxInfo, SandboxProcess
from transmit_admin.services.keys import SigningKeys
from transmit_admin.services.session_service import SessionService
from transmit_admin.store.db import open_store
from transmit_admin.store.store import Store

T = TypeVar("T")
ACTOR = "test-agent"
ENV_NAME = "sandbox-test"


def sandbox_env(info: SandboxInfo, name: str = ENV_NAME) -> Environment:
    return Environment.from_region(
        name,
        Region.SANDBOX,
        info.client_id,
        base_url=info.base_url,
        issuer=info.issuer,
        jwks_url=info.jwks_url,
    )


@dataclass
class Harness:
    """One sandbox, one store: runs a coroutine with a fresh client and service."""

    info: SandboxInfo
    store: Store
    admin: SandboxAdmin

    @property
    def env(self) -> Environment:
        return sandbox_env(self.info)

    def run(
        self, body: Callable[[SessionService], Awaitable[T]], *, jwks_refetch_interval: float = 60
    ) -> T:
        async def main() -> T:
            # No retries: a test's scripted fault must reach the service, not be retried away.
            client = TransmitClient(
                self.env, lambda: self.info.client_secret, retry=RetryPolicy(attempts=1)
            )
            async with client, JwksCache(min_refetch_interval=jwks_refetch_interval) as jwks:
                keys = SigningKeys(self.env, jwks)
                service = SessionService(self.store, client, self.env, ACTOR, keys=keys)
                return await body(service)

        return asyncio.run(main())

    def login(self, email: str, *, email_claim: bool = True) -> dict[str, Any]:
        """A fresh token response, the JSON a backend receives, for `email` (password login).

        With `email_claim` the ID token carries the email, as when a backend asks for it with
        `claims: {"id_token": {"email": null}}`; without, it has only the standard claims.
        """
        body: dict[str, Any] = {
            "username": email,
            "password": self.admin.demo_password,
            "username_type": "email",
        }
        if email_claim:
            body["claims"] = {"id_token": {"email": None}}
        response = self.admin.http.post(
            "/cis/v1/auth/password/authenticate",
            json=body,
            headers={"Authorization": f"Bearer {self.admin.client_token()}"},
        )
        response.raise_for_status()
        data: dict[str, Any] = response.json()
        assert data["refresh_token"]  # the tests check it is never stored
        return data

    def user(self, index: int) -> dict[str, Any]:
        return self.admin.active_users()[index]


@pytest.fixture(scope="module")
def private_sandbox() -> Iterator[SandboxInfo]:
    with SandboxProcess.start(users=6, sessions=0, seed=11) as process:
        yield process.info


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = open_store(tmp_path / "sessions.sqlite")
    yield opened
    opened.close()


@pytest.fixture
def harness(sandbox: SandboxInfo, store: Store) -> Iterator[Harness]:
    with SandboxAdmin(sandbox) as admin:
        yield Harness(sandbox, store, admin)


@pytest.fixture
def private_harness(private_sandbox: SandboxInfo, store: Store) -> Iterator[Harness]:
    with SandboxAdmin(private_sandbox) as admin:
        admin.reset_faults()
        yield Harness(private_sandbox, store, admin)
        admin.reset_faults()
