"""parse_error for every body shape the contract lists, and the sentences agents read."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from transmit_admin.api.errors import (
    AccessDenied,
    BadClientCredentials,
    NetworkError,
    NotFound,
    RateLimited,
    ServerError,
    SessionNotFound,
    TransmitError,
    UnexpectedResponse,
    parse_error,
    parse_retry_after,
)

JWT = "eyJhbGciOiJSUzI1NiIsImtpZCI6ImsxIn0.eyJzdWIiOiJ1c2VyLTEiLCJleHAiOjF9.c2lnbmF0dXJlLXZhbHVl"
API_PATH = "/cis/v1/auth/session/authenticate"


def answer(
    status: int,
    body: Any = None,
    *,
    text: str | None = None,
    path: str = API_PATH,
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    request = httpx.Request("POST", f"https://api.transmitsecurity.io{path}")
    if text is not None:
        return httpx.Response(status, text=text, request=request, headers=headers)
    if body is None:
        return httpx.Response(status, request=request, headers=headers)
    return httpx.Response(status, json=body, request=request, headers=headers)


@pytest.mark.parametrize(
    ("body", "code", "messages"),
    [
        ({"message": "Bad request", "error_code": 400}, 400, ("Bad request",)),
        ({"message": "Bad request", "error_code": "400"}, 400, ("Bad request",)),
        ({"message": "Bad request", "error_code": 400.0}, 400, ("Bad request",)),
        (
            {"message": ["email must be an email", "redirect_uri should not be empty"]},
            None,
            ("email must be an email", "redirect_uri should not be empty"),
        ),
        (
            {"message": "Wrong passcode", "error_code": "auth_invalid_credentials"},
            "auth_invalid_credentials",
            ("Wrong passcode",),
        ),
        (
            {"error": "invalid_request", "error_description": "missing grant"},
            "invalid_request",
            ("missing grant",),
        ),
        ({"error_code": True, "message": "odd"}, None, ("odd",)),
    ],
)
def test_every_documented_body_shape_is_parsed(
    body: dict[str, Any], code: int | str | None, messages: tuple[str, ...]
) -> None:
    error = parse_error(answer(400, body))
    assert type(error) is TransmitError
    assert error.status == 400
    assert error.error_code == code
    assert error.messages == messages
    assert error.path == API_PATH


def test_a_list_message_becomes_one_sentence() -> None:
    error = parse_error(answer(400, {"message": ["email must be an email", "state is bad"]}))
    assert error.sentence() == (
        "Transmit refused the request (HTTP 400): email must be an email; state is bad."
    )


@pytest.mark.parametrize(
    "body",
    [
        {"message": "Session not found", "error_code": 400},
        {"message": ["Session not found"], "error_code": "400"},
        {"message": "x", "error_code": "session_not_found"},
    ],
)
def test_session_not_found_is_typed_and_explained(body: dict[str, Any]) -> None:
    error = parse_error(answer(400, body))
    assert isinstance(error, SessionNotFound)
    assert isinstance(error, NotFound)
    assert error.sentence() == (
        "Transmit says this session no longer exists (it was logged out or expired)."
    )


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (401, {"error": "invalid_client", "error_description": "client authentication failed"}),
        (400, {"error": "invalid_client"}),
        (400, {"message": "Bad request", "error_code": 400}),
        (401, None),
        (401, {"message": "Unauthorized", "error_code": 401}),
    ],
)
def test_refused_token_fetch_means_bad_client_credentials(
    status: int, body: dict[str, Any] | None
) -> None:
    for path in ("/oidc/token", "/cis/oidc/token"):
        error = parse_error(answer(status, body, path=path))
        assert isinstance(error, BadClientCredentials)
        assert "client ID or client secret" in error.sentence()


def test_404_is_not_found_and_names_the_user_for_user_paths() -> None:
    error = parse_error(
        answer(404, {"message": "User not found", "error_code": 404}, path="/cis/v1/users/u1")
    )
    assert isinstance(error, NotFound)
    assert not isinstance(error, SessionNotFound)
    assert "no user" in error.sentence()
    bare = parse_error(answer(404, None, path="/cis/v1/elsewhere"))
    assert isinstance(bare, NotFound)
    assert "HTTP 404" in bare.sentence()


@pytest.mark.parametrize(
    ("header", "expected", "wording"),
    [("7", 7.0, "in 7 seconds"), ("1", 1.0, "in 1 second"), (None, None, "in a minute")],
)
def test_429_is_rate_limited_with_the_wait(
    header: str | None, expected: float | None, wording: str
) -> None:
    headers = {"Retry-After": header} if header else None
    error = parse_error(answer(429, {"message": "Too many requests"}, headers=headers))
    assert isinstance(error, RateLimited)
    assert error.retry_after == expected
    assert wording in error.sentence()


def test_retry_after_accepts_an_http_date_and_rejects_junk() -> None:
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:10 GMT", now=1445412480.0) == 10.0
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412490.0) == 0.0
    assert parse_retry_after("soon") is None
    assert parse_retry_after("nan") is None
    assert parse_retry_after("") is None
    assert parse_retry_after("-5") == 0.0


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_5xx_is_a_server_error_whatever_the_body(status: int) -> None:
    for response in (
        answer(status, {"message": "Internal error", "error_code": status}),
        answer(status, text="<html><body><h1>502 Bad Gateway</h1></body></html>"),
        answer(status),
    ):
        error = parse_error(response)
        assert isinstance(error, ServerError)
        assert f"HTTP {status}" in error.sentence()


@pytest.mark.parametrize(
    ("status", "body", "fragment"),
    [
        (403, {"message": "User is not active", "error_code": 403}, "not active"),
        (403, {"message": "locked", "error_code": "auth_locked"}, "locked out"),
        (403, {"message": "Forbidden"}, "permission"),
        (401, {"message": "Unauthorized", "error_code": 401}, "permission"),
    ],
)
def test_401_and_403_on_backend_calls_are_access_denied(
    status: int, body: dict[str, Any], fragment: str
) -> None:
    error = parse_error(answer(status, body))
    assert isinstance(error, AccessDenied)
    assert fragment in error.sentence()


@pytest.mark.parametrize(
    ("response", "fragment"),
    [
        (answer(400, text="<html><title>Blocked by proxy</title></html>"), "an error page"),
        (answer(400), "an empty error answer"),
        (answer(409, text="not json at all"), "an error page"),
        (answer(400, text='["a", "list"]'), "an error page"),
    ],
)
def test_html_empty_and_non_object_bodies_are_unexpected(
    response: httpx.Response, fragment: str
) -> None:
    error = parse_error(response)
    assert isinstance(error, UnexpectedResponse)
    assert fragment in error.sentence()
    assert "proxy" in error.sentence()
    assert "<html>" not in str(error)


@pytest.mark.parametrize(
    ("message", "code", "fragment"),
    [
        ("Invalid magic link code", 400, "magic link is invalid"),
        ("redirect_uri is not one of the allowed redirect URIs", 400, "allowed redirect"),
        ("whatever", "auth_otp_passcode_expired", "expired"),
        ("whatever", "AUTH_INVALID_CREDENTIALS", "not accepted"),
    ],
)
def test_documented_failures_get_specific_sentences(
    message: str, code: int | str, fragment: str
) -> None:
    assert fragment in parse_error(answer(400, {"message": message, "error_code": code})).sentence()


def test_an_echoed_token_or_secret_never_reaches_the_error() -> None:
    body = {
        "message": [f"invalid token {JWT}", "client_secret=hunter2 is wrong"],
        "error_code": 400,
    }
    error = parse_error(answer(400, body))
    rendered = " ".join([str(error), error.sentence(), error.details(), repr(error.args)])
    assert JWT not in rendered
    assert "hunter2" not in rendered


def test_huge_messages_are_cut_short() -> None:
    error = parse_error(answer(400, {"message": "x" * 10_000}))
    assert len(error.message) <= 300


@pytest.mark.parametrize(
    ("kind", "fragment"),
    [
        ("timeout", "did not answer within 2.5 seconds"),
        ("connect", "Could not connect"),
        ("reset", "cut off"),
        ("tls", "certificate"),
        ("protocol", "broken answer"),
        ("mystery", "broken answer"),
    ],
)
def test_network_errors_say_which_failure(kind: str, fragment: str) -> None:
    error = NetworkError(kind, "/cis/v1/users", "api.transmitsecurity.io", 2.5)
    assert error.status is None
    assert fragment in error.sentence()
    assert kind in error.details() or error.kind == "protocol"


@given(
    status=st.integers(min_value=400, max_value=599),
    body=st.one_of(
        st.none(),
        st.text(max_size=200),
        st.dictionaries(
            st.sampled_from(["message", "error_code", "error", "error_description", "x"]),
            st.one_of(
                st.none(),
                st.booleans(),
                st.integers(),
                st.floats(allow_nan=True),
                st.text(max_size=50),
                st.lists(st.one_of(st.text(max_size=20), st.integers(), st.none()), max_size=4),
                st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
            ),
        ),
    ),
)
def test_parse_error_never_raises_and_always_has_one_sentence(status: int, body: Any) -> None:
    if isinstance(body, str):
        response = answer(status, text=body)
    elif body is None:
        response = answer(status)
    else:
        response = answer(status, text=json.dumps(body))
    error = parse_error(response)
    sentence = error.sentence()
    assert sentence.endswith(".")
    assert "\n" not in sentence
    assert error.status == status
