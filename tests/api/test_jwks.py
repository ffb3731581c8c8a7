"""JwksCache against a real HTTP server on 127.0.0.1 (a thread in this test process)."""

from __future__ import annotations

import asyncio
import http.server
import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest

from tests.core.jwt_factory import ec_key, public_jwk
from transmit_admin.api.jwks import JwksCache, JwksError, check_jwks_url


@dataclass
class Behaviour:
    body: bytes = b""
    status: int = 200
    delay: float = 0.0
    chunked: bool = False
    headers: dict[str, str] = field(default_factory=dict)
    hits: list[str] = field(default_factory=list)


def _jwks(*kids: str) -> bytes:
    return json.dumps({"keys": [public_jwk(kid=kid) for kid in kids]}).encode()


@pytest.fixture
def server() -> Iterator[tuple[str, Behaviour]]:
    behaviour = Behaviour(body=_jwks("k1"))

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            behaviour.hits.append(self.path)
            if behaviour.delay:
                time.sleep(behaviour.delay)
            self.send_response(behaviour.status)
            for name, value in behaviour.headers.items():
                self.send_header(name, value)
            if behaviour.chunked:
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                for start in range(0, len(behaviour.body), 4096):
                    piece = behaviour.body[start : start + 4096]
                    self.wfile.write(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
                self.wfile.write(b"0\r\n\r\n")
                return
            self.send_header("Content-Length", str(len(behaviour.body)))
            self.end_headers()
            self.wfile.write(behaviour.body)

        def log_message(self, format: str, *args: object) -> None:
            return

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/cis/oidc/jwks", behaviour
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(5)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_fetches_once_and_serves_from_cache(server: tuple[str, Behaviour]) -> None:
    url, behaviour = server

    async def scenario() -> None:
        async with JwksCache() as cache:
            first = await cache.keyset(url)
            second = await cache.keyset(url, kid="k1")
            assert first is second
            assert first.kids == ("k1",)
            assert first.fetched_at is not None
            assert not first.user_supplied

    asyncio.run(scenario())
    assert len(behaviour.hits) == 1


def test_unknown_kid_refetches_once_per_minute(server: tuple[str, Behaviour]) -> None:
    url, behaviour = server
    clock = Clock()

    async def scenario() -> None:
        async with JwksCache(clock=clock) as cache:
            await cache.keyset(url)
            behaviour.body = _jwks("k1", "k2")  # the tenant rotates its keys
            clock.now += 5
            early = await cache.keyset(url, kid="k2")  # too soon after the last fetch
            assert early.kids == ("k1",)
            clock.now += 60
            rotated = await cache.keyset(url, kid="k2")
            assert rotated.kids == ("k1", "k2")
            for forged in ("x1", "x2", "x3"):  # a stream of unknown kids: no flood
                clock.now += 1
                assert (await cache.keyset(url, kid=forged)).kids == ("k1", "k2")

    asyncio.run(scenario())
    assert len(behaviour.hits) == 2


def test_check_with_rotation_checks_again_only_after_a_refetch(
    server: tuple[str, Behaviour],
) -> None:
    url, behaviour = server
    clock = Clock()
    checked: list[tuple[str, ...]] = []

    async def check(keys: object) -> tuple[str, ...]:
        kids = keys.kids  # type: ignore[attr-defined]
        checked.append(kids)
        return kids

    async def scenario() -> None:
        async with JwksCache(clock=clock) as cache:
            # A token signed with k1: one check, one fetch.
            assert await cache.check_with_rotation(url, check, lambda _r: ["k1"]) == ("k1",)
            behaviour.body = _jwks("k1", "k2")  # the tenant rotates its keys
            clock.now += 61
            # A token naming k2, which the cached set lacks: refetched, checked again.
            result = await cache.check_with_rotation(url, check, lambda _r: ["k2"])
            assert result == ("k1", "k2")
            # A forged kid right after: the rate limit holds; one check, no second one.
            clock.now += 1
            result = await cache.check_with_rotation(url, check, lambda _r: ["forged"])
            assert result == ("k1", "k2")

    asyncio.run(scenario())
    assert checked == [("k1",), ("k1",), ("k1", "k2"), ("k1", "k2")]
    assert len(behaviour.hits) == 2


def test_concurrent_callers_share_one_fetch(server: tuple[str, Behaviour]) -> None:
    url, behaviour = server
    behaviour.delay = 0.1

    async def scenario() -> None:
        async with JwksCache() as cache:
            sets = await asyncio.gather(*(cache.keyset(url) for _ in range(5)))
            assert all(s is sets[0] for s in sets)

    asyncio.run(scenario())
    assert len(behaviour.hits) == 1


def test_a_failed_refetch_keeps_the_cached_set(server: tuple[str, Behaviour]) -> None:
    url, behaviour = server
    clock = Clock()

    async def scenario() -> None:
        async with JwksCache(clock=clock) as cache:
            await cache.keyset(url)
            behaviour.status = 500
            clock.now += 120
            assert (await cache.keyset(url, kid="k9")).kids == ("k1",)

    asyncio.run(scenario())
    assert len(behaviour.hits) == 2


@pytest.mark.parametrize("chunked", [False, True])
def test_an_oversized_key_set_is_refused(server: tuple[str, Behaviour], chunked: bool) -> None:
    url, behaviour = server
    behaviour.body = b'{"keys": [], "pad": "' + b"x" * 20_000 + b'"}'
    behaviour.chunked = chunked

    async def scenario() -> None:
        async with JwksCache(max_bytes=10_000) as cache:
            with pytest.raises(JwksError, match="larger than"):
                await cache.keyset(url)

    asyncio.run(scenario())


def test_a_slow_server_hits_the_deadline(server: tuple[str, Behaviour]) -> None:
    url, behaviour = server
    behaviour.delay = 1.0

    async def scenario() -> None:
        async with JwksCache(timeout=0.2) as cache:
            with pytest.raises(JwksError, match="longer than"):
                await cache.keyset(url)

    asyncio.run(scenario())


def test_redirects_are_not_followed(server: tuple[str, Behaviour]) -> None:
    url, behaviour = server
    behaviour.status = 302
    behaviour.headers = {"Location": "http://evil.example/jwks"}

    async def scenario() -> None:
        async with JwksCache() as cache:
            with pytest.raises(JwksError, match="302"):
                await cache.keyset(url)

    asyncio.run(scenario())
    assert len(behaviour.hits) == 1


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        (b"<html>proxy error</html>", "not valid JSON"),
        (b'{"keys": [], "keys": []}', "twice"),
        (b'{"keys": []}', "no usable key"),
        (b"[1]", "not a JSON object"),
    ],
)
def test_unusable_bodies_raise_readable_errors(
    server: tuple[str, Behaviour], body: bytes, fragment: str
) -> None:
    url, behaviour = server
    behaviour.body = body

    async def scenario() -> None:
        async with JwksCache() as cache:
            with pytest.raises(JwksError, match=fragment):
                await cache.keyset(url)

    asyncio.run(scenario())


def test_a_shared_secret_in_a_fetched_set_is_ignored(server: tuple[str, Behaviour]) -> None:
    url, behaviour = server
    secret = {"kty": "oct", "k": "YS1zaGFyZWQtc2VjcmV0LXRoYXQtaXMtMzItYnl0ZXMh", "kid": "hmac"}
    behaviour.body = json.dumps({"keys": [secret, public_jwk(ec_key(), kid="ec")]}).encode()

    async def scenario() -> None:
        async with JwksCache() as cache:
            keys = await cache.keyset(url)
            assert keys.kids == ("ec",)

    asyncio.run(scenario())


@pytest.mark.parametrize(
    "url",
    ["http://example.com/jwks", "ftp://127.0.0.1/jwks", "file:///etc/passwd", "not a url"],
)
def test_only_https_or_loopback_http_is_fetched(url: str) -> None:
    with pytest.raises(JwksError):
        check_jwks_url(url)

    async def scenario() -> None:
        async with JwksCache() as cache:
            with pytest.raises(JwksError, match=r"refusing|not a URL"):
                await cache.keyset(url)
            assert cache.fetch_count == 0

    asyncio.run(scenario())


@pytest.mark.parametrize(
    "url",
    ["https://api.transmitsecurity.io/cis/oidc/jwks", "http://localhost:8080/j", "http://[::1]/j"],
)
def test_allowed_urls(url: str) -> None:
    check_jwks_url(url)
