"""Retry policy on a scripted transport: what is retried, how often, how long it waits."""

from __future__ import annotations

import asyncio
import ssl

import httpx
import pytest

from tests.api.fakes import FakeTransmit, RecordingSleep, make_client, run, token_response
from transmit_admin.api.errors import (
    NetworkError,
    RateLimited,
    ServerError,
    SessionNotFound,
    TransmitError,
)
from transmit_admin.api.retry import RetryPolicy

SESSIONS = "/cis/v1/auth/users/u1/sessions"
LOGOUT = "/cis/v1/auth/session/logout"
SILENT = "/cis/v1/auth/session/authenticate"
MAGIC = "/cis/v1/auth/link/email/authenticate"
SESSION_JSON = [
    {
        "session_id": "s1",
        "start_time": "2026-11-01T10:00:00Z",
        "expiration_time": "2026-11-15T10:00:00Z",
    }
]


def fail(status: int, **headers: str) -> httpx.Response:
    return httpx.Response(status, json={"message": "nope", "error_code": status}, headers=headers)


def dropped() -> Exception:
    return httpx.RemoteProtocolError("Server disconnected without sending a response.")


def test_backoff_is_exponential_with_full_jitter_and_capped() -> None:
    top = RetryPolicy(base_delay=0.5, max_delay=3.0, jitter=lambda: 1.0)
    assert [top.backoff(n) for n in (1, 2, 3, 4, 5)] == [0.5, 1.0, 2.0, 3.0, 3.0]
    bottom = RetryPolicy(jitter=lambda: 0.0)
    assert bottom.backoff(3) == 0.0


def test_policy_refuses_nonsense() -> None:
    with pytest.raises(ValueError, match="attempt"):
        RetryPolicy(attempts=0)
    with pytest.raises(ValueError, match="negative"):
        RetryPolicy(base_delay=-1)


@pytest.mark.parametrize("status", [502, 503, 504])
def test_gateway_errors_on_a_get_are_retried_to_success(status: int) -> None:
    fake = FakeTransmit(
        {SESSIONS: [fail(status), fail(status), httpx.Response(200, json=SESSION_JSON)]}
    )
    sleep = RecordingSleep()

    async def scenario() -> None:
        async with make_client(fake, retry=RetryPolicy(sleep=sleep, jitter=lambda: 1.0)) as client:
            sessions = await client.list_user_sessions("u1")
            assert [s.session_id for s in sessions] == ["s1"]

    run(scenario())
    assert fake.count(SESSIONS) == 3
    assert sleep.waits == [0.25, 0.5]


def test_at_most_three_attempts_then_the_typed_error() -> None:
    fake = FakeTransmit({SESSIONS: [fail(503)]})

    async def scenario() -> None:
        async with make_client(fake) as client:
            with pytest.raises(ServerError) as caught:
                await client.list_user_sessions("u1")
            assert caught.value.status == 503

    run(scenario())
    assert fake.count(SESSIONS) == 3


def test_a_500_is_not_retried() -> None:
    fake = FakeTransmit({SESSIONS: [fail(500), httpx.Response(200, json=SESSION_JSON)]})

    async def scenario() -> None:
        async with make_client(fake) as client:
            with pytest.raises(ServerError):
                await client.list_user_sessions("u1")

    run(scenario())
    assert fake.count(SESSIONS) == 1


@pytest.mark.parametrize(
    ("path", "call"),
    [
        (MAGIC, lambda c: c.authenticate_magic_link("code-1", session_id="s1")),
        (SILENT, lambda c: c.authenticate_session("s1")),
        ("/cis/v1/auth/otp/authenticate", lambda c: c.authenticate_otp("123456", "a@b.c")),
        ("/cis/v1/auth/password/authenticate", lambda c: c.authenticate_password("a", "pw")),
        ("/cis/v1/auth/link/email/send", lambda c: c.send_magic_link("a@b.c", "https://x/cb")),
        ("/cis/v1/auth/token/refresh", lambda c: c.refresh("r1")),
    ],
)
@pytest.mark.parametrize(
    "failure", [fail(503), fail(502), fail(429, **{"Retry-After": "0"}), dropped()]
)
def test_authenticate_and_send_calls_are_never_retried(path, call, failure) -> None:  # type: ignore[no-untyped-def]
    fake = FakeTransmit({path: [failure, httpx.Response(200, json=token_response())]})

    async def scenario() -> None:
        async with make_client(fake) as client:
            with pytest.raises(TransmitError):
                await call(client)

    run(scenario())
    assert fake.count(path) == 1


def test_retry_after_is_honoured_exactly() -> None:
    fake = FakeTransmit(
        {SESSIONS: [fail(429, **{"Retry-After": "2"}), httpx.Response(200, json=SESSION_JSON)]}
    )
    sleep = RecordingSleep()

    async def scenario() -> None:
        async with make_client(fake, retry=RetryPolicy(sleep=sleep)) as client:
            await client.list_user_sessions("u1")

    run(scenario())
    assert sleep.waits == [2.0]
    assert fake.count(SESSIONS) == 2


def test_429_without_retry_after_backs_off_with_jitter() -> None:
    fake = FakeTransmit({SESSIONS: [fail(429), fail(429), httpx.Response(200, json=SESSION_JSON)]})
    sleep = RecordingSleep()
    policy = RetryPolicy(sleep=sleep, base_delay=1.0, jitter=lambda: 0.5)

    async def scenario() -> None:
        async with make_client(fake, retry=policy) as client:
            await client.list_user_sessions("u1")

    run(scenario())
    assert sleep.waits == [0.5, 1.0]


def test_a_retry_after_beyond_the_cap_fails_at_once_with_the_wait() -> None:
    fake = FakeTransmit({SESSIONS: [fail(429, **{"Retry-After": "120"})]})

    async def scenario() -> None:
        async with make_client(fake, timeout=300) as client:
            with pytest.raises(RateLimited) as caught:
                await client.list_user_sessions("u1")
            assert caught.value.retry_after == 120
            assert "in 120 seconds" in caught.value.sentence()

    run(scenario())
    assert fake.count(SESSIONS) == 1


def test_a_wait_that_would_outlast_the_call_budget_fails_at_once() -> None:
    fake = FakeTransmit({SESSIONS: [fail(429, **{"Retry-After": "20"})]})

    async def scenario() -> None:
        async with make_client(fake, timeout=5) as client:
            with pytest.raises(RateLimited):
                await client.list_user_sessions("u1")

    run(scenario())
    assert fake.count(SESSIONS) == 1


@pytest.mark.parametrize(
    ("failure", "kind"),
    [
        (httpx.ConnectError("Connection refused"), "connect"),
        (dropped(), "reset"),
        (httpx.ReadError("connection reset by peer"), "reset"),
    ],
)
def test_connection_failures_on_safe_calls_are_retried(failure: Exception, kind: str) -> None:
    for path, call in (
        (SESSIONS, lambda c: c.list_user_sessions("u1")),
        (LOGOUT, lambda c: c.logout_session("s1")),
        (SESSIONS, lambda c: c.revoke_user_sessions("u1")),
    ):
        fake = FakeTransmit({path: [failure, failure, failure]})

        async def scenario() -> None:
            async with make_client(fake) as client:  # noqa: B023 - awaited in this iteration
                with pytest.raises(NetworkError) as caught:
                    await call(client)  # noqa: B023
                assert caught.value.kind == kind

        run(scenario())
        assert fake.count(path) == 3


def test_logout_retried_after_a_dropped_answer_can_end_with_session_not_found() -> None:
    gone = httpx.Response(400, json={"message": "Session not found", "error_code": 400})
    fake = FakeTransmit({LOGOUT: [dropped(), gone]})

    async def scenario() -> None:
        async with make_client(fake) as client:
            with pytest.raises(SessionNotFound):
                await client.logout_session("s1")

    run(scenario())
    assert fake.count(LOGOUT) == 2


def test_the_token_fetch_is_retried() -> None:
    token = httpx.Response(
        200, json={"access_token": "t", "token_type": "Bearer", "expires_in": 3600, "scope": ""}
    )
    fake = FakeTransmit(
        {"/oidc/token": [fail(502), token], SESSIONS: [httpx.Response(200, json=[])]}
    )

    async def scenario() -> None:
        async with make_client(fake) as client:
            assert await client.list_user_sessions("u1") == []

    run(scenario())
    assert fake.count("/oidc/token") == 2


def test_tls_failure_is_reported_as_tls_and_not_retried_into_success() -> None:
    failure = httpx.ConnectError("certificate verify failed")
    failure.__cause__ = ssl.SSLCertVerificationError("certificate verify failed")
    fake = FakeTransmit({"/oidc/token": [failure]})

    async def scenario() -> None:
        async with make_client(fake) as client:
            with pytest.raises(NetworkError) as caught:
                await client.list_user_sessions("u1")
            assert caught.value.kind == "tls"
            assert "certificate" in caught.value.sentence()

    run(scenario())
    assert fake.count("/oidc/token") == 1


def test_latency_beyond_the_timeout_ends_the_call_with_a_timeout() -> None:
    async def slow(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/oidc/token":
            return httpx.Response(
                200, json={"access_token": "t", "token_type": "B", "expires_in": 3600}
            )
        await asyncio.sleep(30)
        return httpx.Response(200, json=[])

    attempts: list[str] = []

    async def counting(request: httpx.Request) -> httpx.Response:
        attempts.append(request.url.path)
        return await slow(request)

    async def scenario() -> None:
        from tests.api.fakes import SECRET, make_env
        from transmit_admin.api.client import TransmitClient

        client = TransmitClient(
            make_env(), lambda: SECRET, timeout=0.3, transport=httpx.MockTransport(counting)
        )
        async with client:
            with pytest.raises(NetworkError) as caught:
                await client.list_user_sessions("u1")
            assert caught.value.kind == "timeout"
            assert "0.3 seconds" in caught.value.sentence()

    run(scenario())
    # a timed-out attempt spent the whole budget: no second attempt
    assert attempts.count(SESSIONS) == 1
