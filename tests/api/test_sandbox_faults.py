"""Injected sandbox faults: each ends in the right typed error or a correct retried success,
no call outlives its time budget, and no authenticate call is ever sent twice (counted by the
sandbox's own request log, not by the client)."""

from __future__ import annotations

import asyncio
import fnmatch
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest

from tests.api.conftest import ValidatingTransport, sandbox_client
from tests.api.fakes import run
from tests.support.openapi import OpenApiMismatch
from tests.support.sandbox_admin import SandboxAdmin
from transmit_admin.api.client import TransmitClient
from transmit_admin.api.errors import (
    NetworkError,
    RateLimited,
    ServerError,
    TransmitError,
    UnexpectedResponse,
)
from transmit_admin.api.retry import RetryPolicy
from transmit_admin.sandbox.runner import SandboxInfo

SESSIONS_ROUTE = "/cis/v1/auth/users/*/sessions"
SILENT_PATH = "/cis/v1/auth/session/authenticate"


def fast_retry() -> RetryPolicy:
    return RetryPolicy(base_delay=0.01, max_delay=0.05)


def hits(admin: SandboxAdmin, path_pattern: str, since: int) -> list[dict[str, Any]]:
    """Requests the sandbox logged after the log held `since` entries (it lists newest first;
    these tests stay far below its size cap)."""
    log = admin.requests()
    return [r for r in log[: len(log) - since] if fnmatch.fnmatch(r["path"], path_pattern)]


async def _with_client(
    info: SandboxInfo,
    body: Callable[[TransmitClient], Awaitable[Any]],
    *,
    timeout: float = 5.0,
) -> Any:
    transport = ValidatingTransport(check_answers=False)  # fault answers break the contract
    async with sandbox_client(info, transport=transport, timeout=timeout, retry=fast_retry()) as c:
        await c.client_token()  # fetched before the fault is armed
        return await body(c)


def live_session(admin: SandboxAdmin) -> tuple[str, str]:
    user = admin.active_users()[2]
    return user["user_id"], str(admin.password_login(user["username"])["session_id"])


@pytest.mark.parametrize(
    ("script", "attempts"),
    [(["502"], 2), (["503"], 2), (["504", "503"], 3), (["drop"], 2), (["429"], 2)],
)
def test_safe_calls_recover_from_transient_faults(
    private_sandbox: SandboxInfo, private_admin: SandboxAdmin, script: list[str], attempts: int
) -> None:
    user_id, session_id = live_session(private_admin)
    private_admin.set_faults(next=script, routes=[SESSIONS_ROUTE], retry_after=0)
    mark = len(private_admin.requests())

    sessions = run(_with_client(private_sandbox, lambda c: c.list_user_sessions(user_id)))

    assert session_id in {s.session_id for s in sessions}
    assert len(hits(private_admin, SESSIONS_ROUTE, mark)) == attempts


def test_rate_limit_waits_for_retry_after_then_succeeds(
    private_sandbox: SandboxInfo, private_admin: SandboxAdmin
) -> None:
    user_id, _ = live_session(private_admin)
    private_admin.set_faults(next=["429"], routes=[SESSIONS_ROUTE], retry_after=1)
    waits: list[float] = []

    async def recording_sleep(seconds: float) -> None:
        waits.append(seconds)
        await asyncio.sleep(seconds)

    async def scenario() -> list[Any]:
        policy = RetryPolicy(sleep=recording_sleep)
        async with sandbox_client(private_sandbox, retry=policy) as client:
            return await client.list_user_sessions(user_id)

    assert run(scenario())
    assert waits == [1.0]


def test_persistent_gateway_errors_end_as_server_error_after_three_attempts(
    private_sandbox: SandboxInfo, private_admin: SandboxAdmin
) -> None:
    user_id, _ = live_session(private_admin)
    private_admin.set_faults(next=["503", "502", "503", "503"], routes=[SESSIONS_ROUTE])
    mark = len(private_admin.requests())

    async def body(client: TransmitClient) -> None:
        with pytest.raises(ServerError) as caught:
            await client.list_user_sessions(user_id)
        assert caught.value.status == 503

    run(_with_client(private_sandbox, body))
    assert len(hits(private_admin, SESSIONS_ROUTE, mark)) == 3


@pytest.mark.parametrize(
    ("fault", "error", "fragment"),
    [
        ("500", ServerError, "HTTP 500"),
        ("502", ServerError, "HTTP 502"),
        ("503", ServerError, "HTTP 503"),
        ("429", RateLimited, "try again in"),
        ("drop", NetworkError, "cut off"),
        ("malformed", UnexpectedResponse, "not JSON"),
    ],
)
def test_authenticate_is_never_retried_whatever_the_fault(
    private_sandbox: SandboxInfo,
    private_admin: SandboxAdmin,
    fault: str,
    error: type[TransmitError],
    fragment: str,
) -> None:
    _, session_id = live_session(private_admin)
    private_admin.set_faults(next=[fault], routes=[SILENT_PATH], retry_after=0)
    mark = len(private_admin.requests())

    async def body(client: TransmitClient) -> None:
        with pytest.raises(error) as caught:
            await client.authenticate_session(session_id)
        assert fragment in caught.value.sentence()

    run(_with_client(private_sandbox, body))
    assert len(hits(private_admin, SILENT_PATH, mark)) == 1


def test_a_500_on_a_get_is_final(private_sandbox: SandboxInfo, private_admin: SandboxAdmin) -> None:
    user_id, _ = live_session(private_admin)
    private_admin.set_faults(next=["500"], routes=[SESSIONS_ROUTE])
    mark = len(private_admin.requests())

    async def body(client: TransmitClient) -> None:
        with pytest.raises(ServerError):
            await client.list_user_sessions(user_id)

    run(_with_client(private_sandbox, body))
    assert len(hits(private_admin, SESSIONS_ROUTE, mark)) == 1


def test_malformed_token_answer_is_unexpected_response(
    private_sandbox: SandboxInfo, private_admin: SandboxAdmin
) -> None:
    private_admin.set_faults(next=["malformed"], routes=["/oidc/token"])

    async def scenario() -> None:
        async with sandbox_client(
            private_sandbox, transport=ValidatingTransport(check_answers=False)
        ) as client:
            with pytest.raises(UnexpectedResponse) as caught:
                await client.client_token()
            assert "eyJ" not in caught.value.details()
            # the failure is not cached: the next call fetches again and succeeds
            assert await client.client_token()

    run(scenario())


@pytest.mark.parametrize("path_pattern", [SILENT_PATH, SESSIONS_ROUTE])
def test_latency_beyond_the_timeout_ends_in_a_timeout_not_a_hang(
    private_sandbox: SandboxInfo, private_admin: SandboxAdmin, path_pattern: str
) -> None:
    user_id, session_id = live_session(private_admin)
    private_admin.set_faults(latency_ms=3000, routes=[path_pattern])
    mark = len(private_admin.requests())

    async def body(client: TransmitClient) -> float:
        loop = asyncio.get_running_loop()
        started = loop.time()
        call = (
            client.authenticate_session(session_id)
            if path_pattern == SILENT_PATH
            else client.list_user_sessions(user_id)
        )
        with pytest.raises(NetworkError) as caught:
            await call
        assert caught.value.kind == "timeout"
        return loop.time() - started

    elapsed = run(_with_client(private_sandbox, body, timeout=0.5))
    # a hang check, not a speed check: the 3 s latency must not be waited out
    assert elapsed < 2.9
    private_admin.reset_faults()
    assert len(hits(private_admin, path_pattern, mark)) <= 1


def test_validating_transport_rejects_a_body_outside_the_contract(
    private_sandbox: SandboxInfo,
) -> None:
    async def scenario() -> None:
        transport = ValidatingTransport()
        request = httpx.Request(
            "POST", f"{private_sandbox.base_url}/cis/v1/auth/session/logout", json={"x": 1}
        )
        with pytest.raises(OpenApiMismatch, match="session_id"):
            await transport.handle_async_request(request)
        await transport.aclose()

    run(scenario())
