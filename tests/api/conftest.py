"""The client against a real sandbox over loopback TCP, with every exchange checked against
Transmit's OpenAPI files on the way out (request bodies) and, unless faults are expected, on
the way back (answers)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

import httpx
import pytest

from tests.support.openapi import validate_request, validate_response
from tests.support.sandbox_admin import SandboxAdmin
from transmit_admin.api._http import shared_tls_context
from transmit_admin.api.client import TransmitClient
from transmit_admin.api.retry import RetryPolicy
from transmit_admin.core.environment import Environment, Region
from transmit_admin.sandbox.runner import SandboxInfo, SandboxProcess


def request_body(request: httpx.Request) -> Any:
    if not request.content:
        return None
    if request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        return dict(parse_qsl(request.content.decode()))
    return json.loads(request.content)


@dataclass
class ValidatingTransport(httpx.AsyncBaseTransport):
    """Real loopback HTTP over the app's own transport, plus an OpenAPI check of every request
    body the client sends."""

    check_answers: bool = True
    sent: list[tuple[str, str]] = field(default_factory=list)
    # The transport the app itself uses: httpx's own, verifying TLS like the client does.
    inner: httpx.AsyncBaseTransport = field(
        default_factory=lambda: httpx.AsyncHTTPTransport(verify=shared_tls_context())
    )

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        validate_request(request.method, path, request_body(request))
        self.sent.append((request.method, path))
        response = await self.inner.handle_async_request(request)
        if self.check_answers:
            content = await response.aread()
            validate_response(
                request.method, path, response.status_code, json.loads(content) if content else None
            )
        return response

    async def aclose(self) -> None:
        await self.inner.aclose()


def sandbox_env(info: SandboxInfo) -> Environment:
    return Environment.from_region(
        "sandbox",
        Region.SANDBOX,
        info.client_id,
        base_url=info.base_url,
        issuer=info.issuer,
        jwks_url=info.jwks_url,
    )


def sandbox_client(
    info: SandboxInfo,
    *,
    transport: ValidatingTransport | None = None,
    timeout: float = 10.0,
    retry: RetryPolicy | None = None,
    secret: str | None = None,
) -> TransmitClient:
    return TransmitClient(
        sandbox_env(info),
        lambda: info.client_secret if secret is None else secret,
        timeout=timeout,
        transport=transport or ValidatingTransport(),
        retry=retry or RetryPolicy(),
    )


@pytest.fixture(scope="module")
def private_sandbox() -> Iterator[SandboxInfo]:
    """A sandbox of this module alone, for tests that inject faults, move the clock or revoke
    every session of a user (the shared `sandbox` must stay intact for other tests)."""
    with SandboxProcess.start(users=4, sessions=0, seed=11) as process:
        yield process.info


@pytest.fixture
def private_admin(private_sandbox: SandboxInfo) -> Iterator[SandboxAdmin]:
    with SandboxAdmin(private_sandbox) as admin:
        admin.reset_faults()
        yield admin
        admin.reset_faults()
