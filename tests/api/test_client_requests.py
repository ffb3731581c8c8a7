"""Each client method sends the request the contract describes and returns its typed result."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest

from tests.api.conftest import request_body
from tests.api.fakes import FakeTransmit, make_client, run, token_response
from tests.support.openapi import validate_request
from transmit_admin import __version__
from transmit_admin.api.client import TransmitClient
from transmit_admin.api.errors import NotFound, UnexpectedResponse
from transmit_admin.api.models import TokenResponse

Call = Callable[[TransmitClient], Awaitable[Any]]
USER = {"user_id": "u 1/x", "status": "Active", "email": {"value": "ana+t@example.com"}}
TOKENS = httpx.Response(200, json=token_response("sess-9"))


def exchange(path: str, reply: httpx.Response, call: Call) -> tuple[httpx.Request, Any]:
    fake = FakeTransmit({path: [reply]})

    async def scenario() -> Any:
        async with make_client(fake) as client:
            return await call(client)

    result = run(scenario())
    for sent in fake.requests:  # every body the client built must fit Transmit's OpenAPI files
        validate_request(sent.method, sent.url.raw_path.decode(), request_body(sent))
    (request,) = [r for r in fake.requests if r.url.path != "/oidc/token"]
    return request, result


@pytest.mark.parametrize(
    ("call", "path", "body"),
    [
        (
            lambda c: c.authenticate_magic_link("code-1"),
            "/cis/v1/auth/link/email/authenticate",
            {"code": "code-1"},
        ),
        (
            lambda c: c.authenticate_magic_link("code-1", session_id="s1"),
            "/cis/v1/auth/link/email/authenticate",
            {"code": "code-1", "session_id": "s1"},
        ),
        (
            lambda c: c.authenticate_otp("123456", "+15550001", identifier_type="phone_number"),
            "/cis/v1/auth/otp/authenticate",
            {"passcode": "123456", "identifier_type": "phone_number", "identifier": "+15550001"},
        ),
        (
            lambda c: c.authenticate_otp("123456", "a@b.c", session_id="s1"),
            "/cis/v1/auth/otp/authenticate",
            {
                "passcode": "123456",
                "identifier_type": "email",
                "identifier": "a@b.c",
                "session_id": "s1",
            },
        ),
        (
            lambda c: c.authenticate_password("ana", "pw"),
            "/cis/v1/auth/password/authenticate",
            {"username": "ana", "password": "pw"},
        ),
        (
            lambda c: c.authenticate_password(
                "a@b.c", "pw", username_type="email", session_id="s1"
            ),
            "/cis/v1/auth/password/authenticate",
            {"username": "a@b.c", "password": "pw", "username_type": "email", "session_id": "s1"},
        ),
        (
            lambda c: c.authenticate_session("s1"),
            "/cis/v1/auth/session/authenticate",
            {"session_id": "s1"},
        ),
    ],
)
def test_authenticate_calls_send_their_body_and_return_tokens(
    call: Call, path: str, body: dict[str, Any]
) -> None:
    request, result = exchange(path, TOKENS, call)
    assert request.method == "POST"
    assert json.loads(request.content) == body
    assert request.headers["authorization"] == "Bearer client-token-1"
    assert request.headers["content-type"] == "application/json"
    assert isinstance(result, TokenResponse)
    assert result.session_id == "sess-9"


def test_every_request_names_the_app_and_version() -> None:
    request, _ = exchange(
        "/cis/v1/auth/session/authenticate", TOKENS, lambda c: c.authenticate_session("s")
    )
    assert request.headers["user-agent"] == f"transmit-admin/{__version__}"


def test_send_magic_link_uses_the_documented_field_names() -> None:
    request, result = exchange(
        "/cis/v1/auth/link/email/send",
        httpx.Response(200, json={"message": "Email sent successfully"}),
        lambda c: c.send_magic_link(
            "ana@example.com", "https://app.example/verify", state="st", expiration_minutes=15
        ),
    )
    assert result is None
    assert json.loads(request.content) == {
        "email": "ana@example.com",
        "redirect_uri": "https://app.example/verify",
        "state": "st",
        "email_expiration": 15,
    }


def test_send_otp_returns_the_code_only_for_the_direct_channel() -> None:
    path = "/cis/v1/auth/otp/send"
    request, code = exchange(
        path,
        httpx.Response(200, json={"message": "OTP sent", "code": "424242"}),
        lambda c: c.send_otp("u1", channel="direct", identifier_type="user_id"),
    )
    assert code == "424242"
    assert json.loads(request.content) == {
        "channel": "direct",
        "identifier_type": "user_id",
        "identifier": "u1",
    }
    _, none = exchange(
        path, httpx.Response(200, json={"message": "OTP sent"}), lambda c: c.send_otp("a@b.c")
    )
    assert none is None


def test_refresh_accepts_an_answer_without_session_id() -> None:
    answer = token_response()
    del answer["session_id"]
    request, result = exchange(
        "/cis/v1/auth/token/refresh", httpx.Response(200, json=answer), lambda c: c.refresh("rt")
    )
    assert json.loads(request.content) == {"refresh_token": "rt"}
    assert result.session_id is None


def test_logout_posts_the_session_and_accepts_204() -> None:
    request, result = exchange(
        "/cis/v1/auth/session/logout", httpx.Response(204), lambda c: c.logout_session("s1")
    )
    assert (request.method, json.loads(request.content), result) == (
        "POST",
        {"session_id": "s1"},
        None,
    )


def test_list_and_revoke_user_sessions() -> None:
    path = "/cis/v1/auth/users/u1/sessions"
    listed = [
        {
            "session_id": "s1",
            "start_time": "2026-11-01T10:00:00Z",
            "expiration_time": "2026-11-15T10:00:00Z",
        }
    ]
    request, sessions = exchange(
        path, httpx.Response(200, json=listed), lambda c: c.list_user_sessions("u1")
    )
    assert request.method == "GET"
    assert sessions[0].expiration_time.isoformat() == "2026-11-15T10:00:00+00:00"
    request, result = exchange(path, httpx.Response(204), lambda c: c.revoke_user_sessions("u1"))
    assert (request.method, result, request.content) == ("DELETE", None, b"")


def test_user_lookups_encode_the_path_and_unwrap_result() -> None:
    request, user = exchange(
        "/cis/v1/users/email/ana+t@example.com",
        httpx.Response(200, json={"result": USER}),
        lambda c: c.get_user_by_email("ana+t@example.com"),
    )
    assert user.email == "ana+t@example.com"
    request, user = exchange(
        "/cis/v1/users/u 1/x",
        httpx.Response(200, json={"result": USER}),
        lambda c: c.get_user("u 1/x"),
    )
    assert request.url.raw_path == b"/cis/v1/users/u%201%2Fx"
    assert user.user_id == "u 1/x"


def test_search_users_uses_scim_search_or_prefix_and_paging() -> None:
    page = {"total_count": 1, "page_info": {"has_next_page": False}, "result": [USER]}
    request, result = exchange(
        "/cis/v1/users",
        httpx.Response(200, json=page),
        lambda c: c.search_users('email eq "ana@example.com"', offset=10, limit=5),
    )
    assert dict(request.url.params) == {
        "search": 'email eq "ana@example.com"',
        "page_offset": "10",
        "page_limit": "5",
    }
    assert result.total_count == 1
    request, _ = exchange(
        "/cis/v1/users",
        httpx.Response(200, json=page),
        lambda c: c.search_users("ana", prefix=True),
    )
    assert request.url.params["search_prefix"] == "ana"
    assert "search" not in request.url.params


def test_user_not_found_is_typed() -> None:
    fake = FakeTransmit(
        {"/cis/v1/users/email/x@y.z": [httpx.Response(404, json={"message": "User not found"})]}
    )

    async def scenario() -> None:
        async with make_client(fake) as client:
            with pytest.raises(NotFound, match="no user"):
                await client.get_user_by_email("x@y.z")

    run(scenario())


@pytest.mark.parametrize(
    ("reply", "fragment"),
    [
        (httpx.Response(200, text='{"access_token": "eyJhbGciOiJSUzI1NiJ9.trunc'), "not JSON"),
        (httpx.Response(200), "an empty answer"),
        (httpx.Response(200, json={"token_type": "Bearer"}), "missing or malformed"),
        (httpx.Response(200, text="<html>login page</html>"), "not JSON"),
    ],
)
def test_a_success_status_with_a_broken_body_is_unexpected(
    reply: httpx.Response, fragment: str
) -> None:
    fake = FakeTransmit({"/cis/v1/auth/session/authenticate": [reply]})

    async def scenario() -> None:
        async with make_client(fake) as client:
            with pytest.raises(UnexpectedResponse) as caught:
                await client.authenticate_session("s1")
            assert fragment in caught.value.sentence()
            assert "eyJhbGciOiJSUzI1NiJ9" not in caught.value.details()

    run(scenario())


def test_fetch_jwks_needs_no_token_and_refuses_junk() -> None:
    keys = {"keys": [{"kty": "RSA", "kid": "k1", "n": "AQAB", "e": "AQAB"}]}
    fake = FakeTransmit({"/cis/oidc/jwks": [httpx.Response(200, json=keys)]})

    async def scenario() -> None:
        async with make_client(fake) as client:
            assert await client.fetch_jwks() == keys

    run(scenario())
    (request,) = fake.requests
    assert str(request.url) == "https://api.transmitsecurity.io/cis/oidc/jwks"
    assert "authorization" not in request.headers

    for junk in ({"nokeys": []}, {"keys": "x" * (600 * 1024)}):
        bad = FakeTransmit({"/cis/oidc/jwks": [httpx.Response(200, json=junk)]})

        async def failing() -> None:
            async with make_client(bad) as client:  # noqa: B023 - awaited in this iteration
                with pytest.raises(UnexpectedResponse):
                    await client.fetch_jwks()

        run(failing())


def test_redirects_are_not_followed_so_the_token_never_leaves_the_host() -> None:
    moved = httpx.Response(302, headers={"Location": "https://evil.example/steal"})
    fake = FakeTransmit({"/cis/v1/auth/users/u1/sessions": [moved]})

    async def scenario() -> None:
        async with make_client(fake) as client:
            with pytest.raises(UnexpectedResponse):
                await client.list_user_sessions("u1")

    run(scenario())
    assert all(r.url.host == "api.transmitsecurity.io" for r in fake.requests)


def test_timeout_must_be_positive() -> None:
    with pytest.raises(ValueError, match="timeout"):
        make_client(FakeTransmit(), timeout=0)
