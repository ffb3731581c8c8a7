"""The client on httpx's own transport, over real loopback sockets: decoding, connection reuse,
proxies from the environment, TLS refusal and trust, resets, timeouts and refused connections
reaching the caller as named errors. (Framing is httpcore's and h11's job; the hostile
answers the app itself must survive are in test_hostile_server.py.)"""

from __future__ import annotations

import asyncio
import gzip
import json
import socket
import ssl
import time
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.api.conftest import sandbox_env
from tests.api.fakes import make_env
from tests.api.test_network_failures import free_port, self_signed_context
from tests.support.hostile_server import (
    HostileServer,
    http_answer,
    json_answer,
    reset_connection,
    silent,
)
from transmit_admin.api._http import shared_tls_context
from transmit_admin.api.client import TransmitClient
from transmit_admin.api.errors import NetworkError
from transmit_admin.api.retry import NO_RETRY
from transmit_admin.sandbox.runner import SandboxInfo

LIST = "GET /cis/v1/auth/users/[^/]+/sessions"
SESSIONS = [
    {
        "session_id": "s1",
        "start_time": "2026-11-20T09:00:00Z",
        "expiration_time": "2026-12-04T09:00:00Z",
    }
]
PROXY_VARIABLES = ("http_proxy", "https_proxy", "all_proxy", "no_proxy")


@pytest.fixture(autouse=True)
def no_proxy_in_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)


@pytest.fixture
def fresh_tls_context() -> Iterator[None]:
    """`shared_tls_context` reads SSL_CERT_FILE once; these tests change it."""
    shared_tls_context.cache_clear()
    yield
    shared_tls_context.cache_clear()


def _list_sessions(base_url: str, timeout: float = 3.0) -> list[str]:
    async def main() -> list[str]:
        env = make_env(base_url)
        async with TransmitClient(env, lambda: "s", timeout=timeout, retry=NO_RETRY) as client:
            first = await client.list_user_sessions("u1")
            second = await client.list_user_sessions("u1")
            return [s.session_id for s in first + second]

    return asyncio.run(main())


@pytest.mark.parametrize(
    ("encoding", "encode"),
    [
        ("gzip", gzip.compress),
        ("deflate", zlib.compress),
        ("deflate", lambda raw: zlib.compress(raw)[2:-4]),  # raw deflate, as some servers send
    ],
    ids=["gzip", "deflate-zlib", "deflate-raw"],
)
def test_compressed_answers_are_decoded(encoding: str, encode: object) -> None:
    assert callable(encode)
    body = encode(json.dumps(SESSIONS).encode())
    answer = http_answer(body, "Content-Type: application/json", f"Content-Encoding: {encoding}")
    with HostileServer({LIST: [answer]}) as server:
        assert _list_sessions(server.url) == ["s1", "s1"]


def test_consecutive_calls_reuse_one_connection() -> None:
    with HostileServer({LIST: [json_answer(SESSIONS)]}) as server:
        _list_sessions(server.url)
    assert server.connections == 1  # token, then two lists, on one kept-alive connection
    assert server.count("GET", "/cis/v1/auth/users/u1/sessions") == 2


def test_a_proxy_named_by_the_environment_carries_the_calls(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with HostileServer({r"GET http://[^ ]+/sessions": [json_answer(SESSIONS)]}) as proxy:
        monkeypatch.setenv("HTTP_PROXY", proxy.url)
        target = (
            f"http://127.0.0.1:{free_port()}"  # nothing listens here: only the proxy can answer
        )
        assert _list_sessions(target) == ["s1", "s1"]
    assert proxy.received[0][1].startswith("http://127.0.0.1:")  # absolute-form: a proxy request


def test_no_proxy_exempts_a_host(monkeypatch: pytest.MonkeyPatch) -> None:
    with (
        HostileServer({LIST: [json_answer(SESSIONS)]}) as server,
        HostileServer() as proxy,
    ):
        monkeypatch.setenv("HTTP_PROXY", proxy.url)
        monkeypatch.setenv("NO_PROXY", "127.0.0.1")
        assert _list_sessions(server.url) == ["s1", "s1"]
    assert proxy.received == []


def test_a_self_signed_certificate_is_refused_before_anything_is_sent(
    tmp_path: Path, fresh_tls_context: None
) -> None:
    with (
        HostileServer({LIST: [json_answer(SESSIONS)]}, tls=self_signed_context(tmp_path)) as server,
        pytest.raises(NetworkError) as refused,
    ):
        _list_sessions(server.url)
    assert refused.value.kind == "tls"
    assert "certificate" in refused.value.sentence()
    assert server.received == []


def test_a_certificate_from_a_trusted_authority_is_accepted(
    tmp_path: Path, fresh_tls_context: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    context = self_signed_context(tmp_path)
    monkeypatch.setenv("SSL_CERT_FILE", str(tmp_path / "cert.pem"))  # as a company CA would be
    with HostileServer({LIST: [json_answer(SESSIONS)]}, tls=context) as server:
        assert _list_sessions(server.url) == ["s1", "s1"]


def test_the_certificate_must_name_the_host_asked_for(
    tmp_path: Path, fresh_tls_context: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    context = self_signed_context(tmp_path)  # names 127.0.0.1 only
    monkeypatch.setenv("SSL_CERT_FILE", str(tmp_path / "cert.pem"))
    server = HostileServer({LIST: [json_answer(SESSIONS)]}, tls=context)
    with server, pytest.raises(NetworkError) as refused:
        _list_sessions(f"https://localhost:{server.port}")
    assert refused.value.kind == "tls"


def test_a_refused_connection_is_a_connect_error() -> None:
    with pytest.raises(NetworkError) as caught:
        _list_sessions(f"http://127.0.0.1:{free_port()}")
    assert caught.value.kind == "connect"
    assert "Could not connect" in caught.value.sentence()


def test_a_reset_is_named_a_reset() -> None:
    server = HostileServer({LIST: [reset_connection]})
    with server, pytest.raises(NetworkError) as caught:
        _list_sessions(server.url)
    assert caught.value.kind == "reset"


def test_a_server_that_never_answers_ends_within_the_calls_time_budget() -> None:
    with HostileServer({LIST: [silent]}) as server:
        started = time.monotonic()
        with pytest.raises(NetworkError) as caught:
            _list_sessions(server.url, timeout=0.5)
    assert caught.value.kind == "timeout"
    assert time.monotonic() - started < 2.0


def test_a_tls_handshake_that_never_completes_ends_within_the_time_budget() -> None:
    with socket.create_server(("127.0.0.1", 0)) as mute:  # accepts, never speaks TLS
        started = time.monotonic()
        with pytest.raises(NetworkError) as caught:
            _list_sessions(f"https://127.0.0.1:{mute.getsockname()[1]}", timeout=0.5)
    assert caught.value.kind == "timeout"
    assert time.monotonic() - started < 2.0


def test_the_default_client_works_against_the_sandbox(sandbox: SandboxInfo) -> None:
    async def scenario() -> None:
        async with TransmitClient(sandbox_env(sandbox), lambda: sandbox.client_secret) as client:
            assert await client.client_token()
            assert (await client.fetch_jwks())["keys"]

    asyncio.run(scenario())


def test_the_tls_context_verifies_by_default() -> None:
    context = shared_tls_context()
    assert context.verify_mode is ssl.CERT_REQUIRED
    assert context.check_hostname
