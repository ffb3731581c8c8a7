"""The real client against a hostile server on loopback: wrong successes, bodies of every wrong
type, compression bombs, deep JSON, terminal escapes, slow and endless answers, resets.

Each scenario asserts the typed error (never another exception), a bounded time and a bounded
growth of this process's memory. The same server drives the CLI in `tests/cli/test_hostile_cli.py`.
"""

from __future__ import annotations

import asyncio
import json
import socket
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import pytest

from tests.support.hostile_server import (
    Answer,
    HostileServer,
    RssSampler,
    close_without_answer,
    endless_chunks,
    gzip_answer,
    gzip_bomb,
    http_answer,
    json_answer,
    reset_connection,
    silent,
    trickle,
)
from transmit_admin.api.client import TransmitClient
from transmit_admin.api.errors import (
    NetworkError,
    ServerError,
    SessionNotFound,
    TransmitError,
    UnexpectedResponse,
    WrongSuccess,
)
from transmit_admin.api.retry import NO_RETRY
from transmit_admin.core.environment import Environment, Region

LOGOUT = "POST /cis/v1/auth/session/logout"
LIST = "GET /cis/v1/auth/users/[^/]+/sessions"
REVOKE_USER = "DELETE /cis/v1/auth/users/[^/]+/sessions"
USER = "GET /cis/v1/users/[^/]+"
TIMEOUT = 1.5  # the client's whole budget per call
MAX_SECONDS = 6.0
MAX_GROWTH_MB = 48.0


def _close_after(answer: bytes) -> Callable[[socket.socket], None]:
    def step(conn: socket.socket) -> None:
        conn.sendall(answer)
        conn.shutdown(socket.SHUT_RDWR)

    return step


def _deep(count: int = 100_000) -> bytes:
    return b"[" * count


@dataclass(frozen=True)
class Scenario:
    name: str
    route: str
    answer: Answer
    error: type[TransmitError] | None  # None: the call succeeds

    @property
    def id(self) -> str:
        return self.name


WRONG_LOGOUT_SUCCESS = [
    Scenario("200 {}", LOGOUT, json_answer({}), WrongSuccess),
    Scenario("200 empty body", LOGOUT, http_answer(b""), WrongSuccess),
    Scenario("202", LOGOUT, http_answer(b"", status="202 Accepted"), WrongSuccess),
    Scenario("201 json", LOGOUT, json_answer({"ok": True}, "201 Created"), WrongSuccess),
    Scenario(
        "200 html portal",
        LOGOUT,
        http_answer(b"<html><body>Sign in to Wi-Fi</body></html>", "Content-Type: text/html"),
        WrongSuccess,
    ),
    Scenario(
        "HTTP/1.0 200 no length",
        LOGOUT,
        _close_after(http_answer(b"OK", version="1.0", length=False)),
        WrongSuccess,
    ),
    Scenario("gzip 200", LOGOUT, gzip_answer(b"{}"), WrongSuccess),
    Scenario(
        "200 truncated json",
        LOGOUT,
        http_answer(b'{"message": "logg', "Content-Type: application/json"),
        WrongSuccess,
    ),
    Scenario("200 gzip bomb", LOGOUT, gzip_bomb(), WrongSuccess),
    Scenario("204 confirms", LOGOUT, http_answer(b"", status="204 No Content"), None),
]

WRONG_LIST_BODIES = [
    Scenario(f"list {name}", LIST, json_answer(body), WrongSuccess)
    for name, body in [
        ("object", {}),
        ("string", "sessions"),
        ("number", 1),
        ("null", None),
        ("list of numbers", [1, 2]),
        ("list of empty objects", [{}]),
        ("wrong field types", [{"session_id": 1, "start_time": [], "expiration_time": {}}]),
        ("bad times", [{"session_id": "s", "start_time": "x", "expiration_time": "y"}]),
    ]
] + [
    Scenario(
        "list deep json", LIST, http_answer(_deep(), "Content-Type: application/json"), WrongSuccess
    ),
    Scenario("list gzip bomb", LIST, gzip_bomb(), WrongSuccess),
    Scenario("list endless chunked", LIST, endless_chunks(), WrongSuccess),
    Scenario(
        "list duplicate names",
        LIST,
        http_answer(b'[{"session_id": "a", "session_id": "b"}]', "Content-Type: application/json"),
        WrongSuccess,
    ),
    Scenario(
        "list html", LIST, http_answer(b"<html></html>", "Content-Type: text/html"), WrongSuccess
    ),
    Scenario("list 204", LIST, http_answer(b"", status="204 No Content"), WrongSuccess),
]

ERROR_BODIES = [
    Scenario(
        "400 deep json",
        LOGOUT,
        http_answer(_deep(), "Content-Type: application/json", status="400 Bad Request"),
        UnexpectedResponse,
    ),
    Scenario("500 gzip bomb", LOGOUT, gzip_bomb("500 Internal Server Error"), ServerError),
    Scenario(
        "400 session not found in gzip",
        LOGOUT,
        gzip_answer(b'{"message": "Session not found", "error_code": 400}', "400 Bad Request"),
        SessionNotFound,
    ),
    Scenario(
        "400 corrupt gzip",
        LOGOUT,
        http_answer(b"\x1f\x8b\x08garbage", "Content-Encoding: gzip", status="400 Bad Request"),
        UnexpectedResponse,
    ),
    Scenario(
        "200 brotli we never offered",
        LOGOUT,
        http_answer(b"\x0b\x01\x80", "Content-Encoding: br"),
        WrongSuccess,
    ),
]

NETWORK = [
    Scenario("reset", LOGOUT, reset_connection, NetworkError),
    Scenario("closed without answer", LOGOUT, close_without_answer, NetworkError),
    Scenario("never answers", LOGOUT, silent, NetworkError),
    Scenario(
        "trickles its answer",
        LOGOUT,
        trickle(http_answer(b"", status="204 No Content")),
        NetworkError,
    ),
    Scenario(
        "garbage instead of http", LOGOUT, _close_after(b"\x00\xffNOT HTTP\r\n\r\n"), NetworkError
    ),
]

ALL = WRONG_LOGOUT_SUCCESS + WRONG_LIST_BODIES + ERROR_BODIES + NETWORK


def hostile_env(server: HostileServer) -> Environment:
    return Environment.from_region(
        "hostile",
        Region.CUSTOM,
        "client-1",
        base_url=server.url,
        issuer=server.url,
        jwks_url=f"{server.url}/cis/oidc/jwks",
    )


def _call_for(route: str) -> Callable[[TransmitClient], Awaitable[Any]]:
    if route == LOGOUT:
        return lambda client: client.logout_session("sess-1")
    if route == LIST:
        return lambda client: client.list_user_sessions("user-1")
    raise AssertionError(route)


def _run(server: HostileServer, call: Callable[[TransmitClient], Awaitable[Any]]) -> Any:
    async def main() -> Any:
        client = TransmitClient(
            hostile_env(server), lambda: "secret", timeout=TIMEOUT, retry=NO_RETRY
        )
        async with client:
            return await call(client)

    return asyncio.run(main())


@pytest.mark.parametrize("scenario", ALL, ids=lambda s: s.id)
def test_each_hostile_answer_ends_in_its_typed_error_in_bounded_time_and_memory(
    scenario: Scenario,
) -> None:
    with HostileServer({scenario.route: [scenario.answer]}) as server, RssSampler() as memory:
        started = time.monotonic()
        try:
            _run(server, _call_for(scenario.route))
        except TransmitError as exc:
            raised: TransmitError | None = exc
        else:
            raised = None
        elapsed = time.monotonic() - started
    if scenario.error is None:
        assert raised is None
    else:
        assert isinstance(raised, scenario.error), repr(raised)
        assert raised.sentence()
        assert "\n" not in raised.sentence()
    assert elapsed < MAX_SECONDS
    assert memory.growth_mb < MAX_GROWTH_MB, f"grew {memory.growth_mb:.0f} MB"


def test_a_wrong_success_says_what_came_back() -> None:
    portal = http_answer(b"<html>portal</html>", "Content-Type: text/html; charset=utf-8")
    with HostileServer({LOGOUT: [portal]}) as server, pytest.raises(WrongSuccess) as caught:
        _run(server, _call_for(LOGOUT))
    assert caught.value.answer_text() == "unexpected answer 200 text/html"
    assert caught.value.status == 200


def test_the_user_wide_logout_needs_its_documented_204() -> None:
    wrong = json_answer({"deleted": 3})
    with HostileServer({REVOKE_USER: [wrong]}) as server, pytest.raises(WrongSuccess):
        _run(server, lambda client: client.revoke_user_sessions("user-1"))


def test_a_success_body_that_is_not_an_object_is_refused_for_magic_links() -> None:
    send = "POST /cis/v1/auth/link/email/send"
    with HostileServer({send: [json_answer(["sent"])]}) as server, pytest.raises(WrongSuccess):
        _run(server, lambda client: client.send_magic_link("a@example.com", "https://x/cb"))


def test_terminal_escapes_in_an_error_message_are_escaped_in_the_sentence() -> None:
    message = "bad \x1b[31mred\x1b[0m \x1b]0;pwned\x07 \u202eevil \x9b2J"
    error = json_answer({"message": message, "error_code": 400}, "400 Bad Request")
    with HostileServer({LOGOUT: [error]}) as server, pytest.raises(TransmitError) as caught:
        _run(server, _call_for(LOGOUT))
    for text in (caught.value.sentence(), caught.value.details(), str(caught.value)):
        for control in ("\x1b", "\x07", "\u202e", "\x9b"):
            assert control not in text
    assert "\\x1b[31mred" in caught.value.sentence()


def test_the_body_limit_counts_decoded_bytes_under_any_transport() -> None:
    # httpx's own transport (what a proxy setting selects) gets the same bound.
    import httpx

    async def main(server: HostileServer) -> None:
        client = TransmitClient(
            hostile_env(server),
            lambda: "secret",
            timeout=5,
            retry=NO_RETRY,
            transport=httpx.AsyncHTTPTransport(),
        )
        async with client:
            await client.list_user_sessions("user-1")

    with (
        HostileServer({LIST: [gzip_bomb()]}) as server,
        RssSampler() as memory,
        pytest.raises(WrongSuccess) as caught,
    ):
        asyncio.run(main(server))
    assert "over 16 MiB" in caught.value.sentence()
    assert memory.growth_mb < MAX_GROWTH_MB


def test_a_body_just_under_the_limit_is_read_whole() -> None:
    sessions = [
        {
            "session_id": f"s{n:07d}",
            "start_time": "2026-11-20T09:00:00Z",
            "expiration_time": "2026-12-04T09:00:00Z",
        }
        for n in range(120_000)
    ]
    raw = json.dumps(sessions).encode()
    assert 8 * 2**20 < len(raw) < 16 * 2**20
    with HostileServer({LIST: [gzip_answer(raw)]}) as server:
        listed = _run(server, _call_for(LIST))
    assert len(listed) == 120_000
