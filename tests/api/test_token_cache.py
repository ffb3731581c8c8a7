"""The client access token: one fetch for many callers, renewal before expiry, 401 recovery."""

from __future__ import annotations

import asyncio
from urllib.parse import parse_qs

import httpx
import pytest

from tests.api.fakes import SECRET, FakeTransmit, make_client, run
from transmit_admin.api.errors import AccessDenied, BadClientCredentials, UnexpectedResponse

SESSIONS = "/cis/v1/auth/users/u1/sessions"


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_the_token_request_is_a_client_credentials_form_without_authorization() -> None:
    fake = FakeTransmit()

    async def scenario() -> None:
        async with make_client(fake) as client:
            assert await client.client_token() == "client-token-1"

    run(scenario())
    (request,) = fake.requests
    assert request.method == "POST"
    assert request.headers["content-type"] == "application/x-www-form-urlencoded"
    assert "authorization" not in request.headers
    form = parse_qs(request.content.decode())
    assert form == {
        "grant_type": ["client_credentials"],
        "client_id": ["client-id-1"],
        "client_secret": [SECRET],
    }


def test_concurrent_callers_share_one_fetch() -> None:
    fake = FakeTransmit({SESSIONS: [httpx.Response(200, json=[])]})
    fake.token_delay = 0.05  # keep the fetch in flight while the others arrive

    async def scenario() -> None:
        async with make_client(fake) as client:
            tokens = await asyncio.gather(*(client.client_token() for _ in range(20)))
            assert set(tokens) == {"client-token-1"}
            await asyncio.gather(*(client.list_user_sessions("u1") for _ in range(10)))

    run(scenario())
    assert fake.count("/oidc/token") == 1
    assert fake.count(SESSIONS) == 10
    assert {r.headers["authorization"] for r in fake.requests[1:]} == {"Bearer client-token-1"}


def test_the_token_is_renewed_a_minute_before_it_expires() -> None:
    fake = FakeTransmit(expires_in=3600)
    clock = FakeClock()

    async def scenario() -> None:
        async with make_client(fake, clock=clock) as client:
            assert await client.client_token() == "client-token-1"
            clock.now += 3600 - 61
            assert await client.client_token() == "client-token-1"
            clock.now += 2  # now 59 s before expiry: inside the renewal minute
            assert await client.client_token() == "client-token-2"

    run(scenario())
    assert fake.tokens_issued == 2


def test_short_lived_tokens_renew_at_half_life() -> None:
    fake = FakeTransmit(expires_in=20)
    clock = FakeClock()

    async def scenario() -> None:
        async with make_client(fake, clock=clock) as client:
            await client.client_token()
            clock.now += 9
            assert await client.client_token() == "client-token-1"
            clock.now += 1
            assert await client.client_token() == "client-token-2"

    run(scenario())


def test_a_failed_fetch_reaches_every_waiter_and_the_next_call_tries_again() -> None:
    refused = httpx.Response(401, json={"error": "invalid_client"})
    token = httpx.Response(200, json={"access_token": "good", "expires_in": 3600})
    fake = FakeTransmit({"/oidc/token": [refused, token]})
    fake.token_delay = 0.02

    async def scenario() -> None:
        async with make_client(fake) as client:
            results = await asyncio.gather(
                *(client.client_token() for _ in range(5)), return_exceptions=True
            )
            assert all(isinstance(r, BadClientCredentials) for r in results)
            assert await client.client_token() == "good"

    run(scenario())
    assert fake.count("/oidc/token") == 2


def test_a_caller_that_gives_up_does_not_cancel_the_shared_fetch() -> None:
    fake = FakeTransmit()
    fake.token_delay = 0.1

    async def scenario() -> None:
        async with make_client(fake) as client:
            impatient = asyncio.create_task(client.client_token())
            patient = asyncio.create_task(client.client_token())
            await asyncio.sleep(0.01)
            impatient.cancel()
            assert await patient == "client-token-1"

    run(scenario())
    assert fake.count("/oidc/token") == 1


def test_a_401_drops_the_cached_token_and_retries_once_with_a_new_one() -> None:
    unauthorized = httpx.Response(401, json={"message": "Unauthorized", "error_code": 401})
    fake = FakeTransmit({SESSIONS: [unauthorized, httpx.Response(200, json=[])]})

    async def scenario() -> None:
        async with make_client(fake) as client:
            assert await client.list_user_sessions("u1") == []

    run(scenario())
    auths = [r.headers["authorization"] for r in fake.requests if r.url.path == SESSIONS]
    assert auths == ["Bearer client-token-1", "Bearer client-token-2"]


def test_a_401_that_persists_ends_as_access_denied_after_one_renewal() -> None:
    unauthorized = httpx.Response(401, json={"message": "Unauthorized", "error_code": 401})
    fake = FakeTransmit({SESSIONS: [unauthorized]})

    async def scenario() -> None:
        async with make_client(fake) as client:
            with pytest.raises(AccessDenied) as caught:
                await client.list_user_sessions("u1")
            assert caught.value.status == 401

    run(scenario())
    assert fake.count(SESSIONS) == 2
    assert fake.tokens_issued == 2


def test_a_403_does_not_renew_the_token() -> None:
    fake = FakeTransmit({SESSIONS: [httpx.Response(403, json={"message": "Forbidden"})]})

    async def scenario() -> None:
        async with make_client(fake) as client:
            with pytest.raises(AccessDenied):
                await client.list_user_sessions("u1")

    run(scenario())
    assert fake.tokens_issued == 1


def test_the_secret_is_asked_only_when_a_token_is_fetched() -> None:
    asked: list[int] = []
    fake = FakeTransmit({SESSIONS: [httpx.Response(200, json=[])]})
    client = make_client(fake)

    def secret() -> str:
        asked.append(1)
        return SECRET

    client._secret = secret

    async def scenario() -> None:
        async with client:
            for _ in range(3):
                await client.list_user_sessions("u1")

    run(scenario())
    assert len(asked) == 1


def test_a_token_answer_without_expires_in_is_unexpected() -> None:
    broken = httpx.Response(200, json={"access_token": "t", "token_type": "Bearer"})
    fake = FakeTransmit({"/oidc/token": [broken]})

    async def scenario() -> None:
        async with make_client(fake) as client:
            with pytest.raises(UnexpectedResponse) as caught:
                await client.client_token()
            assert "missing or malformed" in caught.value.sentence()
            assert "expires_in" in caught.value.details()

    run(scenario())
