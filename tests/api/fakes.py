"""A scripted stand-in for Transmit on httpx.MockTransport, for tests that count and shape
every exchange exactly (the real sandbox tests live in test_sandbox_*.py)."""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

import httpx

from transmit_admin.api.client import TransmitClient
from transmit_admin.api.retry import RetryPolicy
from transmit_admin.core.environment import Environment, Region

T = TypeVar("T")
SECRET = "s3cr3t-client-value"
CLIENT_TOKEN = "client-token-1"
BASE_URL = "https://api.transmitsecurity.io"

Reply = httpx.Response | Exception


def run(coro: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coro)


def make_env(base_url: str = BASE_URL) -> Environment:
    return Environment.from_region("test", Region.US, "client-id-1", base_url=base_url)


def token_response(session_id: str = "sess-1") -> dict[str, Any]:
    return {
        "access_token": "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1In0.c2ln",
        "id_token": "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ2In0.c2ln",
        "refresh_token": "opaque-refresh",
        "token_type": "Bearer",
        "expires_in": 3600,
        "session_id": session_id,
    }


class FakeTransmit:
    """Answers `/oidc/token` with a client token and other paths from `routes` (path -> list of
    replies, consumed in order; the last one repeats). Records every request."""

    def __init__(self, routes: dict[str, list[Reply]] | None = None, expires_in: int = 3600):
        self.routes = routes or {}
        self.expires_in = expires_in
        self.requests: list[httpx.Request] = []
        self.tokens_issued = 0
        self.token_delay = 0.0

    def count(self, path: str) -> int:
        return Counter(r.url.path for r in self.requests)[path]

    def bodies(self, path: str) -> list[Any]:
        return [json.loads(r.content) for r in self.requests if r.url.path == path]

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if request.url.path == "/oidc/token":
            if self.token_delay:
                await asyncio.sleep(self.token_delay)
            if "/oidc/token" in self.routes:
                return self._scripted(request)
            self.tokens_issued += 1
            return httpx.Response(
                200,
                json={
                    "access_token": f"client-token-{self.tokens_issued}",
                    "token_type": "Bearer",
                    "expires_in": self.expires_in,
                    "scope": "",
                },
            )
        return self._scripted(request)

    def _scripted(self, request: httpx.Request) -> httpx.Response:
        replies = self.routes.get(request.url.path)
        if not replies:
            return httpx.Response(404, json={"message": "no route in test", "error_code": 404})
        reply = replies.pop(0) if len(replies) > 1 else replies[0]
        if isinstance(reply, Exception):
            raise reply
        return reply


class RecordingSleep:
    """A RetryPolicy.sleep that records the waits and does not really wait."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)
        await asyncio.sleep(0)


def make_client(
    fake: FakeTransmit,
    *,
    timeout: float = 5.0,
    retry: RetryPolicy | None = None,
    clock: Callable[[], float] | None = None,
) -> TransmitClient:
    return TransmitClient(
        make_env(),
        lambda: SECRET,
        timeout=timeout,
        transport=httpx.MockTransport(fake),
        retry=retry or RetryPolicy(sleep=RecordingSleep()),
        clock=clock,
    )
