"""Sandbox test helpers: an httpx client whose every Transmit answer is checked against the
OpenAPI response schemas (tests/support/openapi.py) as it arrives."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import httpx
import pytest

from tests.support.openapi import validate_httpx_response
from tests.support.sandbox_admin import SandboxAdmin, shared_tls_context
from transmit_admin.sandbox.runner import SandboxInfo


def _validate(response: httpx.Response) -> None:
    if response.request.url.path.startswith("/sandbox/"):
        return  # helper routes are ours, not Transmit's
    response.read()
    validate_httpx_response(response)


def validating_client(
    info: SandboxInfo, *, token: bool = True, client_token: str | None = None
) -> httpx.Client:
    headers = {}
    if client_token is None and token:
        with SandboxAdmin(info) as admin:
            client_token = admin.client_token()
    if client_token is not None:
        headers["Authorization"] = f"Bearer {client_token}"
    return httpx.Client(
        base_url=info.base_url,
        headers=headers,
        timeout=10,
        verify=shared_tls_context(),
        event_hooks={"response": [_validate]},
    )


@pytest.fixture(scope="session")
def shared_client_token(sandbox: SandboxInfo) -> str:
    """Valid for the whole run: tokens last an hour and the shared sandbox's clock never moves."""
    with SandboxAdmin(sandbox) as admin:
        return admin.client_token()


@pytest.fixture
def transmit(sandbox: SandboxInfo, shared_client_token: str) -> Iterator[httpx.Client]:
    """A validating client of the shared sandbox, with a client access token."""
    with validating_client(sandbox, client_token=shared_client_token) as client:
        yield client


@pytest.fixture
def fresh_transmit(
    fresh_sandbox: Callable[..., SandboxInfo],
) -> Iterator[Callable[..., tuple[httpx.Client, SandboxAdmin]]]:
    """Factory: a private sandbox's validating client and admin helper."""
    opened: list[httpx.Client | SandboxAdmin] = []

    def start(**options: object) -> tuple[httpx.Client, SandboxAdmin]:
        info = fresh_sandbox(**options)
        client, admin = validating_client(info), SandboxAdmin(info)
        opened.extend((client, admin))
        return client, admin

    yield start
    for item in opened:
        item.close()
