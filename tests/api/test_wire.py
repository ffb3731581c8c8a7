"""LeanTransport (api/_wire.py) against scripted raw servers on loopback TCP: exact bytes out,
exact bytes back. Framing, keep-alive, hostile or broken servers, the request as sent, TLS,
closing, proxies, and the whole client against the sandbox."""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import json
import re
import socket
import ssl
import struct
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.api.conftest import ValidatingTransport, sandbox_client, sandbox_env
from tests.api.fakes import RecordingSleep, make_env, run
from tests.api.test_network_failures import free_port, self_signed_context
from tests.support.sandbox_admin import SandboxAdmin
from transmit_admin.api._http import _network_kind, shared_tls_context
from transmit_admin.api._wire import MAX_HEAD_BYTES, MAX_IDLE_PER_ORIGIN, LeanTransport, proxy_for
from transmit_admin.api.client import TransmitClient, default_transport
from transmit_admin.api.errors import NetworkError
from transmit_admin.api.retry import RetryPolicy
from transmit_admin.sandbox.runner import SandboxInfo

# A scripted reply: raw bytes (sent; the connection stays open for the next request), or a
# step given the connection's streams that returns whether to keep serving that connection.
Step = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[bool]]
Reply = bytes | Step

PROXY_VARIABLES = ("http_proxy", "https_proxy", "all_proxy", "no_proxy")


@pytest.fixture(autouse=True)
def no_proxy_in_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Proxy variables of the machine running the tests must not pick the transport."""
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)
    monkeypatch.delenv("REQUEST_METHOD", raising=False)  # urllib drops HTTP_PROXY under CGI


# -- a raw server -----------------------------------------------------------------------


async def read_request(reader: asyncio.StreamReader) -> bytes | None:
    """One whole request as raw bytes, or None once the client closed the connection."""
    try:
        head = await reader.readuntil(b"\r\n\r\n")
        lowered = head.lower()
        if b"\r\ntransfer-encoding: chunked\r\n" in lowered:
            return head + await reader.readuntil(b"\r\n0\r\n\r\n")
        length = re.search(rb"\r\ncontent-length: *([0-9]+)\r\n", lowered)
        return head + (await reader.readexactly(int(length.group(1))) if length else b"")
    except (asyncio.IncompleteReadError, ConnectionError, ssl.SSLError):
        return None


class RawServer:
    """Answers each request it reads, on whichever connection, with the next scripted reply.

    Counts connections (numbered from 1), records every request with the number of the
    connection it came on, and notes which connections have ended."""

    def __init__(self, *replies: Reply, tls: ssl.SSLContext | None = None) -> None:
        self.replies = list(replies)
        self.tls = tls
        self.requests: list[tuple[int, bytes]] = []
        self.connections = 0
        self.ended: set[int] = set()
        self._writers: set[asyncio.StreamWriter] = set()
        self.port = 0

    @property
    def url(self) -> str:
        return f"{'https' if self.tls else 'http'}://127.0.0.1:{self.port}"

    def on_connection(self) -> list[int]:
        """Which connection each request came on, in order."""
        return [number for number, _ in self.requests]

    async def __aenter__(self) -> RawServer:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0, ssl=self.tls)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *exc: object) -> None:
        self._server.close()
        for writer in list(self._writers):
            writer.close()
        await self._server.wait_closed()

    async def wait_until(self, condition: Callable[[], bool], timeout: float = 3.0) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                raise AssertionError("the server never saw what the test waited for")
            await asyncio.sleep(0.005)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        number = self.connections
        self._writers.add(writer)
        try:
            keep = True
            while keep:
                request = await read_request(reader)
                if request is None:
                    break
                self.requests.append((number, request))
                reply = self.replies.pop(0) if self.replies else UNSCRIPTED
                if isinstance(reply, bytes):
                    writer.write(reply)
                    await writer.drain()
                else:
                    keep = await reply(reader, writer)
        except (ConnectionError, ssl.SSLError):
            pass
        finally:
            self.ended.add(number)
            self._writers.discard(writer)
            writer.close()
            with contextlib.suppress(ConnectionError, ssl.SSLError):
                await writer.wait_closed()


def answer(
    body: bytes = b"ok", *headers: str, status: str = "200 OK", version: str = "1.1"
) -> bytes:
    lines = [f"HTTP/{version} {status}", *headers, f"Content-Length: {len(body)}", "", ""]
    return "\r\n".join(lines).encode() + body


UNSCRIPTED = answer(b"no scripted reply left", status="599 Unscripted")


def then_close(data: bytes) -> Step:
    """Sends `data`, then closes the connection (no Connection: close said)."""

    async def step(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bool:
        writer.write(data)
        await writer.drain()
        return False

    return step


def trickled(data: bytes, piece: int = 1) -> Step:
    """Sends `data` a few bytes at a time, so the client parses it across many reads."""

    async def step(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bool:
        for start in range(0, len(data), piece):
            writer.write(data[start : start + piece])
            await writer.drain()
            await asyncio.sleep(0.001)
        return True

    return step


def delayed(data: bytes, seconds: float) -> Step:
    async def step(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bool:
        await asyncio.sleep(seconds)
        writer.write(data)
        await writer.drain()
        return True

    return step


def silent(data: bytes = b"") -> Step:
    """Sends `data` (maybe nothing), then never another byte until the client hangs up."""

    async def step(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bool:
        writer.write(data)
        await writer.drain()
        await reader.read()
        return False

    return step


def reset_after(data: bytes) -> Step:
    """Sends `data`, lets the client read it, then resets the connection (RST, not FIN)."""

    async def step(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bool:
        writer.write(data)
        await writer.drain()
        await asyncio.sleep(0.1)
        sock = writer.get_extra_info("socket")
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        writer.transport.abort()
        return False

    return step


def lean(**options: Any) -> LeanTransport:
    return LeanTransport(shared_tls_context(), **options)


@contextlib.asynccontextmanager
async def serving(
    *replies: Reply, **options: Any
) -> AsyncIterator[tuple[RawServer, httpx.AsyncClient]]:
    """A scripted server and an httpx client on a fresh LeanTransport (closed in that order
    reversed: the client first, so the server's connections end)."""
    async with (
        RawServer(*replies) as server,
        httpx.AsyncClient(base_url=server.url, transport=lean(**options), timeout=3.0) as client,
    ):
        yield server, client


def split_request(raw: bytes) -> tuple[bytes, list[tuple[bytes, bytes]], bytes]:
    head, _, body = raw.partition(b"\r\n\r\n")
    line, *fields = head.split(b"\r\n")
    return line, [tuple(f.split(b": ", 1)) for f in fields], body  # type: ignore[misc]


def dechunk(body: bytes) -> bytes:
    out, rest = b"", body
    while True:
        size_line, rest = rest.split(b"\r\n", 1)
        size = int(size_line.split(b";")[0], 16)
        if size == 0:
            assert rest == b"\r\n", rest
            return out
        out, rest = out + rest[:size], rest[size:]
        assert rest.startswith(b"\r\n")
        rest = rest[2:]


# -- framing: how the end of each answer is found ---------------------------------------

DELIVERY = pytest.mark.parametrize("trickle", [False, True], ids=["whole", "trickled"])


def delivered(data: bytes, trickle: bool) -> Reply:
    return trickled(data) if trickle else data


@DELIVERY
def test_a_content_length_body_is_read_exactly_and_the_connection_reused(trickle: bool) -> None:
    first = answer(
        b'{"ok": true}', "Content-Type: application/json", "Set-Cookie: a=1", "Set-Cookie: b=2"
    )

    async def scenario() -> None:
        async with serving(delivered(first, trickle), answer(b"second")) as (server, client):
            response = await client.get("/one")
            assert response.status_code == 200
            assert response.reason_phrase == "OK"
            assert response.http_version == "HTTP/1.1"
            assert response.json() == {"ok": True}
            assert response.headers.get_list("set-cookie") == ["a=1", "b=2"]
            assert (await client.get("/two")).text == "second"
            assert server.on_connection() == [1, 1]

    run(scenario())


@DELIVERY
def test_a_chunked_body_with_extensions_and_trailers_is_reassembled(trickle: bool) -> None:
    chunked = (
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Type: text/plain\r\n\r\n"
        b"4;name=value\r\nWiki\r\n"
        b"5\r\npedia\r\n"
        b'E ; quoted="x y"\r\n in\r\n\r\nchunks.\r\n'
        b"a\r\n0123456789\r\n"
        b"0;last\r\nX-Checksum: abc\r\nX-Other: 1\r\n\r\n"
    )

    async def scenario() -> None:
        async with serving(delivered(chunked, trickle), answer(b"next")) as (server, client):
            response = await client.get("/")
            assert response.content == b"Wikipedia in\r\n\r\nchunks.0123456789"
            # the trailers ended the answer exactly: the next one is read on the same connection
            assert (await client.get("/")).text == "next"
            assert server.on_connection() == [1, 1]

    run(scenario())


@DELIVERY
def test_a_body_without_length_ends_when_the_server_closes(trickle: bool) -> None:
    body = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\n" + b"all of it, " * 50

    async def scenario() -> None:
        async def close_delimited(r: asyncio.StreamReader, w: asyncio.StreamWriter) -> bool:
            if trickle:
                await trickled(body, piece=37)(r, w)
            else:
                w.write(body)
            return False

        async with serving(close_delimited, answer(b"fresh")) as (server, client):
            assert (await client.get("/")).content == b"all of it, " * 50
            assert (await client.get("/")).text == "fresh"
            assert server.on_connection() == [1, 2]

    run(scenario())


def test_head_answers_have_no_body_whatever_their_content_length() -> None:
    head_answer = b"HTTP/1.1 200 OK\r\nContent-Length: 42\r\nContent-Type: text/plain\r\n\r\n"

    async def scenario() -> None:
        async with serving(head_answer, answer(b"after")) as (server, client):
            response = await client.head("/", timeout=1.0)
            assert response.status_code == 200
            assert response.content == b""
            assert response.headers["content-length"] == "42"
            assert (await client.get("/", timeout=1.0)).text == "after"
            assert server.on_connection() == [1, 1]

    run(scenario())


@pytest.mark.parametrize(
    "status_answer",
    [
        b"HTTP/1.1 204 No Content\r\nX-Request-Id: 1\r\n\r\n",
        b'HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\nETag: "v1"\r\n\r\n',
    ],
    ids=["204", "304"],
)
def test_204_and_304_have_no_body(status_answer: bytes) -> None:
    async def scenario() -> None:
        async with serving(status_answer, answer(b"after")) as (server, client):
            response = await client.get("/", timeout=1.0)
            assert response.status_code in (204, 304)
            assert response.content == b""
            assert (await client.get("/", timeout=1.0)).text == "after"
            assert server.on_connection() == [1, 1]

    run(scenario())


@DELIVERY
def test_interim_answers_before_the_real_one_are_skipped(trickle: bool) -> None:
    interim = (
        b"HTTP/1.1 100 Continue\r\n\r\n"
        b"HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n"
        + answer(b"final", "X-Final: yes", status="201 Created")
    )

    async def scenario() -> None:
        async with serving(delivered(interim, trickle), answer(b"next")) as (server, client):
            response = await client.post("/", content=b"payload")
            assert response.status_code == 201
            assert response.text == "final"
            assert response.headers["x-final"] == "yes"
            assert "link" not in response.headers
            assert (await client.get("/")).text == "next"
            assert server.on_connection() == [1, 1]

    run(scenario())


def test_a_gzip_body_is_decoded_by_httpx_on_read() -> None:
    document = {"sessions": [{"session_id": f"s{n}"} for n in range(50)]}
    packed = gzip.compress(json.dumps(document).encode())

    async def scenario() -> None:
        reply = answer(packed, "Content-Encoding: gzip", "Content-Type: application/json")
        async with serving(reply, reply) as (server, client):
            async with client.stream("GET", "/") as streamed:
                assert json.loads(await streamed.aread()) == document
            assert (await client.get("/")).json() == document
            assert server.on_connection() == [1, 1]

    run(scenario())


def test_a_body_of_exactly_max_response_bytes_is_accepted() -> None:
    async def scenario() -> None:
        chunked = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3e8\r\n"
        chunked += b"c" * 1000 + b"\r\n0\r\n\r\n"
        replies = (
            answer(b"x" * 1000),
            chunked,
            then_close(b"HTTP/1.1 200 OK\r\n\r\n" + b"y" * 1000),
        )
        async with serving(*replies, max_response_bytes=1000) as (_, client):
            assert (await client.get("/")).content == b"x" * 1000
            assert (await client.get("/")).content == b"c" * 1000
            assert (await client.get("/")).content == b"y" * 1000

    run(scenario())


# -- keep-alive --------------------------------------------------------------------------


def test_sequential_requests_share_one_connection() -> None:
    async def scenario() -> None:
        async with serving(*(answer(str(n).encode()) for n in range(5))) as (server, client):
            assert [(await client.get(f"/{n}")).text for n in range(5)] == list("01234")
            assert server.connections == 1
            assert server.on_connection() == [1] * 5

    run(scenario())


@pytest.mark.parametrize(
    "closing_answer",
    [
        answer(b"bye", "Connection: close"),
        answer(b"bye", "Connection: keep-alive, Close"),
        answer(b"bye", version="1.0"),
        answer(b"bye", "Connection: keep-alive", version="1.0"),
    ],
    ids=["connection-close", "close-in-a-list", "http-1.0", "http-1.0-keep-alive"],
)
def test_answers_that_end_the_connection_are_not_reused(closing_answer: bytes) -> None:
    async def scenario() -> None:
        # the server itself keeps the connection open: only the client can keep it apart
        async with serving(closing_answer, answer(b"next")) as (server, client):
            assert (await client.get("/")).text == "bye"
            assert (await client.get("/")).text == "next"
            assert server.on_connection() == [1, 2]
            await server.wait_until(lambda: 1 in server.ended)  # the client closed it

    run(scenario())


def test_an_idle_connection_the_server_closed_is_not_reused() -> None:
    async def scenario() -> None:
        async with serving(then_close(answer(b"one")), answer(b"two")) as (server, client):
            assert (await client.get("/")).text == "one"
            await server.wait_until(lambda: 1 in server.ended)
            await asyncio.sleep(0.05)  # the client's loop sees the FIN while idle
            assert (await client.get("/")).text == "two"
            assert server.on_connection() == [1, 2]

    run(scenario())


def test_a_close_the_loop_has_not_seen_yet_is_noticed_before_reuse() -> None:
    """The server answers as if it kept the connection, then closes it at once; the next
    request goes out before the event loop has processed that close."""

    async def scenario() -> None:
        async with serving(then_close(answer(b"one")), answer(b"two")) as (server, client):
            assert (await client.get("/")).text == "one"
            time.sleep(0.1)  # blocking: the FIN reaches the socket, the loop does not run
            assert (await client.get("/")).text == "two"
            assert server.on_connection() == [1, 2]

    run(scenario())


def test_an_idle_connection_older_than_keepalive_seconds_is_not_reused() -> None:
    async def scenario() -> None:
        replies = answer(b"one"), answer(b"two"), answer(b"three")
        async with serving(*replies, keepalive_seconds=0.2) as (server, client):
            assert (await client.get("/")).text == "one"
            assert (await client.get("/")).text == "two"  # well within the keep-alive
            await asyncio.sleep(0.3)
            assert (await client.get("/")).text == "three"
            assert server.on_connection() == [1, 1, 2]
            await server.wait_until(lambda: 1 in server.ended)  # closed, not leaked

    run(scenario())


def test_concurrent_requests_use_separate_connections_then_share_them() -> None:
    async def scenario() -> None:
        replies = [delayed(answer(str(n).encode()), 0.1) for n in range(3)]
        async with serving(*replies, answer(b"a"), answer(b"b")) as (server, client):
            texts = await asyncio.gather(*(client.get("/") for _ in range(3)))
            assert sorted(r.text for r in texts) == ["0", "1", "2"]
            assert server.connections == 3
            assert (await client.get("/")).text == "a"
            assert (await client.get("/")).text == "b"
            assert server.connections == 3  # the idle ones were reused

    run(scenario())


def test_no_more_than_max_idle_per_origin_connections_are_kept() -> None:
    count = MAX_IDLE_PER_ORIGIN + 2

    async def scenario() -> None:
        replies = [delayed(answer(b"x"), 0.1) for _ in range(count)]
        async with serving(*replies) as (server, client):
            await asyncio.gather(*(client.get("/") for _ in range(count)))
            assert server.connections == count
            await server.wait_until(lambda: len(server.ended) == 2)
            await asyncio.sleep(0.05)
            assert len(server.ended) == 2  # the other sixteen stay open for reuse

    run(scenario())


# -- hostile or broken servers -----------------------------------------------------------

OK_HEAD = b"HTTP/1.1 200 OK\r\n"
EMPTY = b"Content-Length: 0\r\n\r\n"
CHUNKED = OK_HEAD + b"Transfer-Encoding: chunked\r\n\r\n"
STATUS, HEADER, VALUE = "malformed status line", "malformed response header", "header value"
LENGTH, CODING, SIZE = "malformed Content-Length", "unsupported transfer coding", "chunk size"


def case(case_id: str, hostile: bytes, message: str) -> Any:
    return pytest.param(hostile, message, id=case_id)


HOSTILE = [
    case("bad-status", b"HTTP/1.1 2OO OK\r\n" + EMPTY, STATUS),
    case("not-http", b"SSH-2.0-OpenSSH_9.6\r\n\r\n", STATUS),
    case("http-2", b"HTTP/2 200\r\n" + EMPTY, STATUS),
    case("status-600", b"HTTP/1.1 600 Odd\r\n" + EMPTY, STATUS),
    case("bare-lf", b"HTTP/1.1 200 OK\n" + EMPTY, STATUS),
    case("space-in-name", OK_HEAD + b"Bad Name: x\r\n" + EMPTY, HEADER),
    case("no-colon", OK_HEAD + b"NoColonHere\r\n" + EMPTY, HEADER),
    case("empty-name", OK_HEAD + b": empty-name\r\n" + EMPTY, HEADER),
    case("obs-fold", OK_HEAD + b"X-A: 1\r\n folded\r\n" + EMPTY, HEADER),
    case("nul-in-value", OK_HEAD + b"X-A: a\x00b\r\n" + EMPTY, VALUE),
    case("lf-in-value", OK_HEAD + b"X-A: a\nSet-Cookie: b\r\n" + EMPTY, VALUE),
    case(
        "conflicting-length",
        OK_HEAD + b"Content-Length: 2\r\nContent-Length: 3\r\n\r\nok",
        "conflicting Content-Length",
    ),
    case("length-word", OK_HEAD + b"Content-Length: two\r\n\r\nok", LENGTH),
    case("length-negative", OK_HEAD + b"Content-Length: -1\r\n\r\nok", LENGTH),
    case("length-plus", OK_HEAD + b"Content-Length: +2\r\n\r\nok", LENGTH),
    case("length-list", OK_HEAD + b"Content-Length: 2, 2\r\n\r\nok", LENGTH),
    case("length-hex", OK_HEAD + b"Content-Length: 0x2\r\n\r\nok", LENGTH),
    case("body-too-long", OK_HEAD + b"Content-Length: 2\r\n\r\nokay", "longer than its"),
    case("te-gzip", OK_HEAD + b"Transfer-Encoding: gzip\r\n\r\nok", CODING),
    case("te-chunked-gzip", OK_HEAD + b"Transfer-Encoding: chunked, gzip\r\n\r\nok", CODING),
    # chunked last, but the gzip coding under it would reach the caller undecoded
    case(
        "te-gzip-chunked",
        OK_HEAD + b"Transfer-Encoding: gzip, chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n",
        CODING,
    ),
    case("te-identity", OK_HEAD + b"Transfer-Encoding: identity\r\n\r\nok", CODING),
    case("chunk-size-word", CHUNKED + b"zz\r\nok\r\n0\r\n\r\n", SIZE),
    case("chunk-size-negative", CHUNKED + b"-2\r\nok\r\n0\r\n\r\n", SIZE),
    case("chunk-size-huge", CHUNKED + b"123456789\r\nok\r\n0\r\n\r\n", SIZE),
    case("chunk-overrun", CHUNKED + b"2\r\nokay\r\n0\r\n\r\n", "malformed chunk"),
    case("after-chunks", CHUNKED + b"2\r\nok\r\n0\r\n\r\nHTTP/1.1", "data after the"),
    case(
        "switch",
        b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n",
        "unexpected protocol switch",
    ),
    case("129-headers", OK_HEAD + b"X-N: 1\r\n" * 129 + EMPTY, "too many response headers"),
    case(
        "head-over-64k",
        OK_HEAD + b"X-Big: " + b"a" * MAX_HEAD_BYTES + b"\r\n" + EMPTY,
        "response head too large",
    ),
]


@pytest.mark.parametrize(("hostile", "message"), HOSTILE)
def test_a_malformed_answer_is_a_protocol_error_and_the_connection_is_dropped(
    hostile: bytes, message: str
) -> None:
    async def scenario() -> None:
        # the server keeps the bad connection open: the client must be the one to drop it
        async with serving(hostile, answer(b"fine")) as (server, client):
            with pytest.raises(httpx.RemoteProtocolError, match=re.escape(message)) as caught:
                await client.get("/", timeout=2.0)
            assert _network_kind(caught.value) == "protocol"
            assert (await client.get("/")).text == "fine"
            assert server.on_connection() == [1, 2]
            await server.wait_until(lambda: 1 in server.ended)

    run(scenario())


def test_the_conflicting_content_length_under_chunked_framing_drops_the_connection() -> None:
    """Both framings at once (RFC 9112 §6.3: a smuggling sign): the chunked body is read,
    and the connection is not trusted with another exchange."""
    both = (
        OK_HEAD + b"Content-Length: 100\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n"
    )

    async def scenario() -> None:
        async with serving(both, answer(b"fine")) as (server, client):
            assert (await client.get("/", timeout=2.0)).text == "ok"
            assert (await client.get("/")).text == "fine"
            assert server.on_connection() == [1, 2]

    run(scenario())


@pytest.mark.parametrize(
    "head",
    [
        OK_HEAD + b"X-Big: " + b"a" * (MAX_HEAD_BYTES + 10),  # never finished
        OK_HEAD + b"Content-Length: 1001\r\n\r\n",  # announced too big: refused before the body
        CHUNKED + b"200\r\n" + b"c" * 512 + b"\r\n200\r\n" + b"c" * 512,  # 1024 announced
        OK_HEAD + b"\r\n" + b"u" * 1001,  # until close, but it never closes
    ],
    ids=["head-never-ends", "content-length", "chunked", "until-close"],
)
def test_an_answer_too_big_is_refused_without_waiting_for_the_rest(head: bytes) -> None:
    async def scenario() -> None:
        started = time.monotonic()
        async with serving(silent(head), answer(b"fine"), max_response_bytes=1000) as (
            server,
            client,
        ):
            with pytest.raises(httpx.RemoteProtocolError, match=r"too large|larger than 1000"):
                await client.get("/", timeout=2.0)
            assert time.monotonic() - started < 1.0  # not a timeout
            assert (await client.get("/")).text == "fine"
            assert server.on_connection() == [1, 2]

    run(scenario())


@pytest.mark.parametrize(
    "partial",
    [
        OK_HEAD + b"Content-Length: 10\r\n\r\n12345",
        OK_HEAD + b"Transfer-Encoding: chunked\r\n\r\n5\r\n12345\r\n",
        OK_HEAD + b"Content-Len",
    ],
    ids=["content-length", "chunked", "mid-head"],
)
def test_a_server_closing_mid_answer_is_an_incomplete_message(partial: bytes) -> None:
    async def scenario() -> None:
        async with serving(then_close(partial), answer(b"fine")) as (server, client):
            with pytest.raises(httpx.RemoteProtocolError, match="without sending complete"):
                await client.get("/")
            assert (await client.get("/")).text == "fine"
            assert server.on_connection() == [1, 2]

    run(scenario())


def test_a_reset_in_a_close_delimited_body_is_not_taken_for_its_end() -> None:
    async def scenario() -> None:
        cut = reset_after(OK_HEAD + b"Content-Type: text/plain\r\n\r\npart of the bo")
        async with serving(cut, answer(b"fine")) as (_, client):
            with pytest.raises(httpx.TransportError) as caught:
                await client.get("/")
            assert isinstance(caught.value.__cause__, ConnectionResetError)
            assert _network_kind(caught.value) == "reset"
            assert (await client.get("/")).text == "fine"

    run(scenario())


@pytest.mark.parametrize("reset", [False, True], ids=["fin", "rst"])
def test_a_server_closing_without_answering_is_a_disconnect(reset: bool) -> None:
    async def scenario() -> None:
        hang_up = reset_after(b"") if reset else then_close(b"")
        async with serving(hang_up, answer(b"fine")) as (server, client):
            with pytest.raises(httpx.RemoteProtocolError) as caught:
                await client.get("/")
            assert str(caught.value) == "Server disconnected without sending a response."
            assert _network_kind(caught.value) == "reset"
            if reset:
                assert isinstance(caught.value.__cause__, ConnectionResetError)
            assert (await client.get("/")).text == "fine"
            assert server.on_connection() == [1, 2]

    run(scenario())


def test_a_server_that_never_answers_times_out_on_the_requests_read_timeout() -> None:
    async def scenario() -> None:
        async with serving(silent(OK_HEAD), answer(b"fine")) as (server, client):
            started = time.monotonic()
            with pytest.raises(httpx.ReadTimeout):
                await client.get("/", timeout=httpx.Timeout(5.0, read=0.2))
            assert 0.15 < time.monotonic() - started < 1.0
            await server.wait_until(lambda: 1 in server.ended)  # the client hung up
            assert (await client.get("/")).text == "fine"
            assert server.on_connection() == [1, 2]

    run(scenario())


def test_a_server_that_never_answers_ends_in_the_clients_time_budget() -> None:
    async def scenario() -> None:
        async with RawServer(*(silent() for _ in range(3))) as server:
            env = make_env(server.url)
            policy = RetryPolicy(sleep=RecordingSleep())
            async with TransmitClient(env, lambda: "s", timeout=0.3, retry=policy) as client:
                started = time.monotonic()
                with pytest.raises(NetworkError) as caught:
                    await client.client_token()
                assert time.monotonic() - started < 1.5
            assert caught.value.kind == "timeout"

    run(scenario())


@pytest.mark.parametrize(
    ("reply", "kind"),
    [
        (then_close(b""), "reset"),
        (b"garbage\r\n\r\n", "protocol"),
        (then_close(OK_HEAD + b"Content-Length: 9\r\n\r\n{"), "protocol"),
    ],
    ids=["hang-up", "garbage", "cut-body"],
)
def test_transport_failures_reach_the_client_as_named_network_errors(
    reply: Reply, kind: str
) -> None:
    async def scenario() -> None:
        async with RawServer(reply, reply, reply) as server:
            env = make_env(server.url)
            policy = RetryPolicy(sleep=RecordingSleep())
            async with TransmitClient(env, lambda: "s", retry=policy) as client:
                with pytest.raises(NetworkError) as caught:
                    await client.client_token()
            assert caught.value.kind == kind
            assert caught.value.sentence()

    run(scenario())


def test_unsolicited_bytes_on_an_idle_connection_make_it_unusable() -> None:
    async def answer_then_babble(r: asyncio.StreamReader, w: asyncio.StreamWriter) -> bool:
        w.write(answer(b"one"))
        await w.drain()
        await asyncio.sleep(0.05)
        w.write(answer(b"stale"))  # an answer to nothing: the stream is out of step
        await w.drain()
        return True

    async def scenario() -> None:
        async with serving(answer_then_babble, answer(b"two")) as (server, client):
            assert (await client.get("/")).text == "one"
            await server.wait_until(lambda: 1 in server.ended)  # the client dropped it
            assert (await client.get("/")).text == "two"
            assert server.on_connection() == [1, 2]

    run(scenario())


# -- the request as sent -----------------------------------------------------------------


def test_the_request_goes_out_byte_for_byte() -> None:
    async def scenario() -> None:
        async with serving(answer(b"a"), answer(b"b")) as (server, client):
            await client.post(
                "/cis/v1/users/u%2F1?search=a%20b&page=2",
                content=b'{"k": "v"}',
                headers={"X-Request-Id": "r-1", "Content-Type": "application/json"},
            )
            await client.get("/plain")
            (_, posted), (_, got) = server.requests
            line, fields, body = split_request(posted)
            assert line == b"POST /cis/v1/users/u%2F1?search=a%20b&page=2 HTTP/1.1"
            assert fields[0] == (b"Host", f"127.0.0.1:{server.port}".encode())
            assert (b"Content-Length", b"10") in fields
            assert (b"X-Request-Id", b"r-1") in fields
            assert not any(name.lower() == b"transfer-encoding" for name, _ in fields)
            assert body == b'{"k": "v"}'
            line, fields, body = split_request(got)
            assert line == b"GET /plain HTTP/1.1"
            assert not any(name.lower() == b"content-length" for name, _ in fields)
            assert body == b""

    run(scenario())


def test_a_streamed_request_body_is_framed_as_its_headers_say() -> None:
    async def pieces() -> AsyncIterator[bytes]:
        for piece in (b"first,", b"second,", b"third"):
            yield piece

    async def scenario() -> None:
        async with serving(answer(b"got it")) as (server, client):
            response = await client.post("/upload", content=pieces(), timeout=2.0)
            assert response.text == "got it"
            _, fields, body = split_request(server.requests[0][1])
            headers = {name.lower(): value for name, value in fields}
            if headers.get(b"transfer-encoding") == b"chunked":
                assert dechunk(body) == b"first,second,third"
            else:
                assert headers[b"content-length"] == b"18"
                assert body == b"first,second,third"

    run(scenario())


@pytest.mark.parametrize(
    "headers",
    [
        [(b"X-Evil", b"a\r\nInjected: 1")],
        [(b"X-Evil", b"a\nb")],
        [(b"X-Evil", b"a\rb")],
        [(b"X-Evil", b"a\x00b")],
        [(b"Bad Name", b"x")],
        [(b"X-A:B", b"x")],
    ],
    ids=["crlf", "lf", "cr", "nul", "space-in-name", "colon-in-name"],
)
def test_an_illegal_request_header_is_refused_before_anything_is_sent(
    headers: list[tuple[bytes, bytes]],
) -> None:
    async def scenario() -> None:
        async with RawServer() as server:
            async with lean() as transport:
                request = httpx.Request("GET", f"{server.url}/", headers=headers)
                with pytest.raises(httpx.LocalProtocolError):
                    await transport.handle_async_request(request)
            await asyncio.sleep(0.05)
            assert server.connections == 0

    run(scenario())


def test_a_url_scheme_other_than_http_is_refused() -> None:
    async def scenario() -> None:
        async with lean() as transport:
            with pytest.raises(httpx.UnsupportedProtocol):
                await transport.handle_async_request(httpx.Request("GET", "ftp://127.0.0.1/"))

    run(scenario())


def test_a_refused_connection_is_a_connect_error_with_its_cause() -> None:
    async def scenario() -> None:
        async with lean() as transport:
            request = httpx.Request("GET", f"http://127.0.0.1:{free_port()}/")
            with pytest.raises(httpx.ConnectError) as caught:
                await transport.handle_async_request(request)
            assert isinstance(caught.value.__cause__, ConnectionRefusedError)
            assert _network_kind(caught.value) == "connect"

    run(scenario())


# -- TLS ---------------------------------------------------------------------------------


def trusting(folder: Path) -> ssl.SSLContext:
    """A client context that trusts the throwaway certificate `self_signed_context` wrote."""
    return ssl.create_default_context(cafile=str(folder / "cert.pem"))


def test_a_self_signed_certificate_is_refused(tmp_path: Path) -> None:
    server_context = self_signed_context(tmp_path)

    async def scenario() -> None:
        async with RawServer(answer(b"secret"), tls=server_context) as server:
            async with lean() as transport:
                request = httpx.Request("GET", f"{server.url}/")
                with pytest.raises(httpx.ConnectError) as caught:
                    await transport.handle_async_request(request)
                assert isinstance(caught.value.__cause__, ssl.SSLCertVerificationError)
                assert _network_kind(caught.value) == "tls"
            env = make_env(server.url)
            async with TransmitClient(env, lambda: "s", transport=lean()) as client:
                with pytest.raises(NetworkError) as refused:
                    await client.client_token()
            assert refused.value.kind == "tls"
            assert server.requests == []  # nothing was ever sent in the clear or otherwise

    run(scenario())


def test_a_trusted_certificate_is_accepted_and_its_connection_kept_alive(tmp_path: Path) -> None:
    server_context = self_signed_context(tmp_path)

    async def scenario() -> None:
        async with RawServer(answer(b"one"), answer(b"two"), tls=server_context) as server:
            transport = LeanTransport(trusting(tmp_path))
            async with httpx.AsyncClient(transport=transport, base_url=server.url) as client:
                assert (await client.get("/")).text == "one"
                assert (await client.get("/")).text == "two"
            assert server.on_connection() == [1, 1]
            await server.wait_until(lambda: 1 in server.ended)

    run(scenario())


def test_the_certificate_must_name_the_host_asked_for(tmp_path: Path) -> None:
    server_context = self_signed_context(tmp_path)  # names 127.0.0.1 only

    async def scenario() -> None:
        async with (
            RawServer(tls=server_context) as server,
            LeanTransport(trusting(tmp_path)) as transport,
        ):
            request = httpx.Request("GET", f"https://localhost:{server.port}/")
            with pytest.raises(httpx.ConnectError) as caught:
                await transport.handle_async_request(request)
            assert isinstance(caught.value.__cause__, ssl.SSLCertVerificationError)
            assert "localhost" in str(caught.value.__cause__)

    run(scenario())


def test_a_tls_handshake_that_never_completes_is_a_connect_timeout() -> None:
    async def scenario() -> None:
        async with RawServer() as server:  # plain TCP: reads the ClientHello, says nothing
            async with lean() as transport:
                request = httpx.Request(
                    "GET",
                    f"https://127.0.0.1:{server.port}/",
                    extensions={"timeout": {"connect": 0.2, "read": 5.0}},
                )
                started = time.monotonic()
                with pytest.raises(httpx.ConnectTimeout):
                    await transport.handle_async_request(request)
                assert time.monotonic() - started < 1.0
            await server.wait_until(lambda: 1 in server.ended)

    run(scenario())


# -- closing -----------------------------------------------------------------------------


def test_aclose_closes_idle_and_busy_connections_and_refuses_later_requests() -> None:
    async def scenario() -> None:
        replies = [
            delayed(answer(b"a"), 0.05),
            delayed(answer(b"b"), 0.05),
            # a close-delimited answer, half sent when the transport is closed
            silent(OK_HEAD + b"Content-Type: text/plain\r\n\r\nhalf of"),
        ]
        async with RawServer(*replies) as server:
            transport = lean()
            client = httpx.AsyncClient(base_url=server.url, transport=transport)
            await asyncio.gather(client.get("/"), client.get("/"))  # two idle connections
            busy = asyncio.create_task(client.get("/"))
            await server.wait_until(lambda: len(server.requests) == 3)
            await asyncio.sleep(0.05)  # the half answer has arrived
            await transport.aclose()
            # at once, and not as a truncated 200 nor as the server's doing
            with pytest.raises(httpx.ReadError, match="closed while awaiting"):
                await asyncio.wait_for(busy, 1.0)
            await server.wait_until(lambda: server.ended == {1, 2})
            with pytest.raises(RuntimeError, match="closed"):
                await transport.handle_async_request(httpx.Request("GET", f"{server.url}/"))
            await client.aclose()  # closing twice is harmless
            assert server.connections == 2

    run(scenario())


# -- proxies -----------------------------------------------------------------------------

TRANSMIT = "https://api.transmitsecurity.io"
SANDBOX = "http://127.0.0.1:8900"
PROXY = "http://proxy.corp.example:3128"


def uses_proxy_in_httpx(url: str) -> bool:
    """Whether httpx's own client, reading the same environment, would send `url` through a
    proxy: the decision `proxy_for` must agree with."""
    with httpx.Client() as client:
        return client._transport_for_url(httpx.URL(url)) is not client._transport


ALL = {"ALL_PROXY": PROXY}
NO_PROXY_CASES = {
    "none": ({}, {TRANSMIT: None, SANDBOX: None}),
    "https": ({"HTTPS_PROXY": PROXY}, {TRANSMIT: PROXY, SANDBOX: None}),
    "https-lower": ({"https_proxy": PROXY}, {TRANSMIT: PROXY, SANDBOX: None}),
    "http-only": ({"HTTP_PROXY": PROXY}, {TRANSMIT: None, SANDBOX: PROXY}),
    "all": ({"ALL_PROXY": PROXY}, {TRANSMIT: PROXY, SANDBOX: PROXY}),
    "all-lower": ({"all_proxy": PROXY}, {TRANSMIT: PROXY, SANDBOX: PROXY}),
    "no-proxy-host": (
        {**ALL, "NO_PROXY": "api.transmitsecurity.io"},
        {TRANSMIT: None, SANDBOX: PROXY},
    ),
    "no-proxy-domain": (
        {**ALL, "NO_PROXY": "transmitsecurity.io"},
        {TRANSMIT: None, SANDBOX: PROXY},
    ),
    "no-proxy-dot": ({**ALL, "NO_PROXY": ".transmitsecurity.io"}, {TRANSMIT: None, SANDBOX: PROXY}),
    "no-proxy-list": (
        {**ALL, "no_proxy": "example.com, 127.0.0.1"},
        {TRANSMIT: PROXY, SANDBOX: None},
    ),
    "no-proxy-not-suffix": ({**ALL, "NO_PROXY": "security.io"}, {TRANSMIT: PROXY, SANDBOX: PROXY}),
    "no-proxy-star": ({**ALL, "NO_PROXY": "*"}, {TRANSMIT: None, SANDBOX: None}),
}


@pytest.mark.parametrize(
    ("variables", "expected"), list(NO_PROXY_CASES.values()), ids=list(NO_PROXY_CASES)
)
def test_proxy_for_honours_the_environment_as_httpx_does(
    monkeypatch: pytest.MonkeyPatch, variables: dict[str, str], expected: dict[str, str | None]
) -> None:
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    for url, proxy in expected.items():
        assert proxy_for(url) == proxy, url
        assert uses_proxy_in_httpx(url) == (proxy is not None), url


def test_default_transport_is_lean_unless_a_proxy_applies(monkeypatch: pytest.MonkeyPatch) -> None:
    async def scenario() -> None:
        lean_one = default_transport(TRANSMIT)
        assert isinstance(lean_one, LeanTransport)
        await lean_one.aclose()
        monkeypatch.setenv("HTTPS_PROXY", PROXY)
        assert default_transport(TRANSMIT) is None  # httpx's own transport, which speaks proxy
        monkeypatch.setenv("NO_PROXY", "api.transmitsecurity.io")
        exempt = default_transport(TRANSMIT)
        assert isinstance(exempt, LeanTransport)
        await exempt.aclose()

    run(scenario())


# -- the whole client against the sandbox ------------------------------------------------


def test_the_client_works_against_the_sandbox_over_the_lean_transport(
    sandbox: SandboxInfo,
) -> None:
    with SandboxAdmin(sandbox) as admin:
        user = admin.active_users()[2]
        password = admin.demo_password
    transport = ValidatingTransport()
    assert isinstance(transport.inner, LeanTransport)

    async def scenario() -> None:
        async with sandbox_client(sandbox, transport=transport) as client:
            assert await client.client_token()
            tokens = await client.authenticate_password(user["username"], password)
            assert tokens.session_id is not None
            sessions = await client.list_user_sessions(user["user_id"])
            assert tokens.session_id in [s.session_id for s in sessions]
            await client.logout_session(tokens.session_id)

    run(scenario())
    assert ("POST", "/cis/v1/auth/session/logout") in transport.sent


def test_the_default_client_uses_the_lean_transport_against_the_sandbox(
    sandbox: SandboxInfo,
) -> None:
    async def scenario() -> None:
        async with TransmitClient(sandbox_env(sandbox), lambda: sandbox.client_secret) as client:
            assert isinstance(client._http._transport, LeanTransport)
            assert await client.client_token()
            assert (await client.fetch_jwks())["keys"]

    run(scenario())
