"""A lean HTTP/1.1 transport for httpx: keep-alive connections on asyncio protocols.

Through httpx's default transport (httpcore over anyio) a logout cost ~2.1 ms of CPU here,
most of it in the connection pool, anyio's socket wrappers and per-call checkpoints, not in
HTTP itself; through this one ~0.6 ms (a loop of logouts against the sandbox, 8 at a time;
bench/ui.py's bulk revoke of 500 sessions went from 2.5x to 1.7x its ideal time with it
alone). Transmit's API is small JSON over HTTP/1.1, so a direct implementation does the
same work for a fraction of the cost: one asyncio protocol per connection, the response
parsed as bytes arrive, the whole body read before `handle_async_request` returns.

What it does not do, and who handles it: proxies (`TransmitClient` keeps httpx's own
transport when the environment names one), HTTP/2, streaming bodies (every Transmit answer
is small; a body over `max_response_bytes` is refused), content decoding (httpx decodes
gzip/deflate on read), redirects (the client never follows them).
Parsing is strict: anything malformed raises `httpx.RemoteProtocolError`, and a
connection whose answer was odd in any way is closed rather than reused.
"""

from __future__ import annotations

import asyncio
import re
import select
import ssl
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from types import TracebackType

import httpx

MAX_HEAD_BYTES = 64 * 1024
MAX_HEADERS = 128
MAX_RESPONSE_BYTES = 16 * 1024 * 1024
# Under the 5 s keep-alive timeout of common servers (uvicorn, nginx defaults are 5 s and
# 75 s): a connection idle longer may be closing at the server as we reuse it.
KEEPALIVE_SECONDS = 4.0
MAX_IDLE_PER_ORIGIN = 16
DEFAULT_PORTS = {"http": 80, "https": 443}

_STATUS_LINE = re.compile(rb"HTTP/1\.([01]) ([1-5][0-9][0-9])(?: ([\t -~\x80-\xff]*))?")
_TOKEN = re.compile(rb"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_FIELD_VALUE = re.compile(rb"[\t -~\x80-\xff]*")
_CHUNK_SIZE = re.compile(rb"([0-9A-Fa-f]{1,8})[\t ]*(?:;[\t -~]*)?")
_NO_BODY_STATUSES = frozenset({204, 304})

Origin = tuple[str, str, int]


def proxy_for(url: str) -> str | None:
    """The proxy the environment names for `url` (HTTP(S)_PROXY, ALL_PROXY, NO_PROXY), as
    httpx's own transport would use it; None when there is none."""
    scheme, host = urllib.parse.urlsplit(url).scheme, urllib.parse.urlsplit(url).hostname or ""
    proxies = urllib.request.getproxies()
    proxy = proxies.get(scheme) or proxies.get("all")
    if not proxy or urllib.request.proxy_bypass(host):
        return None
    return proxy


def _protocol_error(message: str) -> httpx.RemoteProtocolError:
    return httpx.RemoteProtocolError(message)


@dataclass
class _Response:
    status: int
    reason: bytes
    headers: list[tuple[bytes, bytes]]
    body: bytes
    reusable: bool


@dataclass
class _Parser:
    """Incremental parser of one response; `feed` returns it once complete, else None."""

    method: bytes
    max_bytes: int
    buffer: bytearray = field(default_factory=bytearray)
    head: tuple[int, bytes, list[tuple[bytes, bytes]], bool] | None = None
    length: int | None = None  # body length, when known from Content-Length
    chunked: bool = False
    until_close: bool = False
    body: bytearray = field(default_factory=bytearray)
    position: int = 0  # how far into `buffer` the chunked body has been read
    suspect: bool = False  # framed oddly but readable: answered, then the connection dropped

    def feed(self, data: bytes) -> _Response | None:
        self.buffer += data
        while self.head is None:
            if not self._read_head():  # bounded by MAX_HEAD_BYTES
                return None
        return self._read_body()

    def finish_at_close(self) -> _Response | None:
        """The connection closed: the response, if it was one delimited by the close."""
        if self.head is not None and self.until_close:
            return self._done(bytes(self.buffer), reusable=False)
        return None

    def _read_head(self) -> bool:
        end = self.buffer.find(b"\r\n\r\n")
        if end < 0:
            if len(self.buffer) > MAX_HEAD_BYTES:
                raise _protocol_error("response head too large")
            return False
        if end > MAX_HEAD_BYTES:
            raise _protocol_error("response head too large")
        lines = bytes(self.buffer[:end]).split(b"\r\n")
        del self.buffer[: end + 4]
        matched = _STATUS_LINE.fullmatch(lines[0])
        if matched is None:
            raise _protocol_error("malformed status line")
        minor, status = matched.group(1), int(matched.group(2))
        if len(lines) - 1 > MAX_HEADERS:
            raise _protocol_error("too many response headers")
        headers = []
        for line in lines[1:]:
            name, colon, value = line.partition(b":")
            if not colon or _TOKEN.fullmatch(name) is None:
                raise _protocol_error("malformed response header")
            value = value.strip(b" \t")
            if _FIELD_VALUE.fullmatch(value) is None:
                raise _protocol_error("malformed response header value")
            headers.append((name, value))
        if 100 <= status < 200:
            if status == 101:
                raise _protocol_error("unexpected protocol switch")
            return True  # an interim answer (100 Continue, 103): the real one follows
        self.head = (status, matched.group(3) or b"", headers, minor == b"1")
        self._frame(status, headers)
        return True

    def _frame(self, status: int, headers: list[tuple[bytes, bytes]]) -> None:
        if self.method == b"HEAD" or status in _NO_BODY_STATUSES:
            self.length = 0
            return
        lengths = {value for name, value in headers if name.lower() == b"content-length"}
        codings = [value for name, value in headers if name.lower() == b"transfer-encoding"]
        if codings:
            # Chunked alone: a coding under it ("gzip, chunked") would reach the caller still
            # encoded, as httpx decodes Content-Encoding only.
            listed = [coding.strip().lower() for coding in b",".join(codings).split(b",")]
            if listed != [b"chunked"]:
                raise _protocol_error("unsupported transfer coding")
            self.chunked = True
            # With a Content-Length as well, chunked wins (RFC 9112 §6.3), but the pair is a
            # sign of response splitting: the connection is not trusted with another exchange.
            self.suspect = bool(lengths)
        elif len(lengths) > 1:
            raise _protocol_error("conflicting Content-Length headers")
        elif lengths:
            (text,) = lengths
            if not text.isdigit() or len(text) > 12:
                raise _protocol_error("malformed Content-Length")
            self.length = int(text)
            if self.length > self.max_bytes:
                raise _protocol_error(f"response larger than {self.max_bytes} bytes")
        else:
            self.until_close = True

    def _read_body(self) -> _Response | None:
        if self.length is not None:
            if len(self.buffer) < self.length:
                return None
            if len(self.buffer) > self.length:
                raise _protocol_error("response longer than its Content-Length")
            return self._done(bytes(self.buffer), reusable=True)
        # The limit is on the body, not on the head before it (MAX_HEAD_BYTES bounds that), so
        # a body of exactly max_bytes passes however the reads split head and body.
        if self.chunked:
            # The chunks' data is bounded in `_read_chunks`; their framing (size lines,
            # extensions, trailers) gets the allowance a head gets.
            if len(self.buffer) > self.max_bytes + MAX_HEAD_BYTES:
                raise _protocol_error(f"response larger than {self.max_bytes} bytes")
            return self._read_chunks()
        if len(self.buffer) > self.max_bytes:
            raise _protocol_error(f"response larger than {self.max_bytes} bytes")
        return None  # until the connection closes

    def _read_chunks(self) -> _Response | None:
        buffer = self.buffer
        while True:
            line_end = buffer.find(b"\r\n", self.position)
            if line_end < 0:
                return None
            matched = _CHUNK_SIZE.fullmatch(buffer, self.position, line_end)
            if matched is None:
                raise _protocol_error("malformed chunk size")
            size = int(matched.group(1), 16)
            if len(self.body) + size > self.max_bytes:  # refused as announced, like a length
                raise _protocol_error(f"response larger than {self.max_bytes} bytes")
            if size == 0:
                return self._read_trailers(line_end + 2)
            start, end = line_end + 2, line_end + 2 + size
            if len(buffer) < end + 2:
                return None
            if buffer[end : end + 2] != b"\r\n":
                raise _protocol_error("malformed chunk")
            self.body += buffer[start:end]
            self.position = end + 2

    def _read_trailers(self, start: int) -> _Response | None:
        end = self.buffer.find(b"\r\n", start)
        while end >= 0 and end != start:  # skip trailer fields up to the empty line
            start, end = end + 2, self.buffer.find(b"\r\n", end + 2)
        if end < 0:
            return None
        if end + 2 != len(self.buffer):
            raise _protocol_error("data after the chunked body")
        return self._done(bytes(self.body), reusable=True)

    def _done(self, body: bytes, *, reusable: bool) -> _Response:
        assert self.head is not None
        status, reason, headers, http11 = self.head
        closing = any(
            name.lower() == b"connection" and b"close" in value.lower() for name, value in headers
        )
        reusable = reusable and http11 and not closing and not self.suspect
        return _Response(status, reason, headers, body, reusable)


class _Connection(asyncio.Protocol):
    """One HTTP/1.1 connection; one exchange at a time."""

    def __init__(self, max_bytes: int) -> None:
        self._max_bytes = max_bytes
        self._transport: asyncio.Transport | None = None
        self._parser: _Parser | None = None
        self._waiter: asyncio.Future[_Response] | None = None
        self.closed = False
        self.idle_since = time.monotonic()

    # -- asyncio.Protocol
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self._transport = transport

    def data_received(self, data: bytes) -> None:
        if self._parser is None or self._waiter is None or self._waiter.done():
            self.close()  # bytes nobody asked for: the connection is no longer in step
            return
        try:
            response = self._parser.feed(data)
        except httpx.RemoteProtocolError as exc:
            self._fail(exc)
            return
        if response is not None:
            self._parser = None
            self._waiter.set_result(response)

    def connection_lost(self, exc: Exception | None) -> None:
        closed_here = self.closed  # by `close`: the transport was closed mid-exchange
        self.closed = True
        waiter, parser = self._waiter, self._parser
        if waiter is None or waiter.done():
            return
        if closed_here:
            self._fail(httpx.ReadError("the connection was closed while awaiting the response"))
            return
        # Only the server's clean close ends a close-delimited body: a reset may have cut it.
        response = parser.finish_at_close() if parser is not None and exc is None else None
        if response is not None:
            waiter.set_result(response)
        elif parser is not None and parser.head is None and not parser.buffer:
            self._fail(_protocol_error("Server disconnected without sending a response."), exc)
        else:
            self._fail(
                _protocol_error("peer closed connection without sending complete message body"),
                exc,
            )

    # -- use
    async def exchange(self, request: bytes, method: bytes) -> _Response:
        assert self._transport is not None
        loop = asyncio.get_running_loop()
        self._waiter = loop.create_future()
        self._parser = _Parser(method, self._max_bytes)
        self._transport.write(request)
        try:
            return await self._waiter
        finally:
            self._waiter = None
            self.idle_since = time.monotonic()

    def readable_while_idle(self) -> bool:
        """Whether the socket has something to read although no answer is awaited: a close
        (or stray bytes) the event loop has not processed yet. Reusing such a connection
        would fail the request with "Server disconnected" (httpcore checks the same)."""
        sock = self._transport.get_extra_info("socket") if self._transport else None
        if sock is None:
            return True
        try:
            readable, _, _ = select.select([sock], [], [], 0)
        except (OSError, ValueError):  # closed meanwhile
            return True
        return bool(readable)

    def close(self) -> None:
        self.closed = True
        if self._transport is not None:
            self._transport.close()

    def _fail(self, error: Exception, cause: BaseException | None = None) -> None:
        error.__cause__ = cause
        self.close()
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_exception(error)


def _request_bytes(request: httpx.Request, body: bytes) -> bytes:
    head = [request.method.encode("ascii"), b" ", request.url.raw_path, b" HTTP/1.1\r\n"]
    chunked = False
    for name, value in request.headers.raw:
        if b"\r" in value or b"\n" in value or b"\0" in value or _TOKEN.fullmatch(name) is None:
            raise httpx.LocalProtocolError("illegal header in request")
        head += (name, b": ", value, b"\r\n")
        chunked = chunked or (name.lower() == b"transfer-encoding" and value.lower() == b"chunked")
    head.append(b"\r\n")
    if chunked:  # httpx says so for a streamed body, read whole here: sent as one chunk
        body = b"%x\r\n%s\r\n0\r\n\r\n" % (len(body), body) if body else b"0\r\n\r\n"
    return b"".join(head) + body


class LeanTransport(httpx.AsyncBaseTransport):
    """HTTP/1.1 with keep-alive over asyncio; TLS verified with `ssl_context`."""

    def __init__(
        self,
        ssl_context: ssl.SSLContext,
        *,
        max_response_bytes: int = MAX_RESPONSE_BYTES,
        keepalive_seconds: float = KEEPALIVE_SECONDS,
    ) -> None:
        self._ssl = ssl_context
        self._max_bytes = max_response_bytes
        self._keepalive = keepalive_seconds
        self._idle: dict[Origin, list[_Connection]] = {}
        self._busy: set[_Connection] = set()
        self._closed = False

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self._closed:
            raise RuntimeError("the transport is closed")
        url = request.url
        if url.scheme not in DEFAULT_PORTS:
            raise httpx.UnsupportedProtocol(f"unsupported URL scheme {url.scheme!r}")
        origin = (url.scheme, url.host, url.port or DEFAULT_PORTS[url.scheme])
        message = _request_bytes(request, await request.aread())
        timeouts = request.extensions.get("timeout", {})
        connection = self._take_idle(origin)
        if connection is None:
            connection = await self._connect(origin, timeouts.get("connect"))
        self._busy.add(connection)
        reusable = False
        try:
            async with asyncio.timeout(timeouts.get("read")):
                answer = await connection.exchange(message, request.method.encode("ascii"))
            reusable = answer.reusable
        except TimeoutError as exc:
            raise httpx.ReadTimeout("timed out waiting for the response") from exc
        except OSError as exc:
            raise httpx.ReadError(str(exc) or type(exc).__name__) from exc
        finally:
            self._busy.discard(connection)
            if reusable and not self._closed:
                self._give_back(origin, connection)
            else:
                connection.close()
        return httpx.Response(
            answer.status,
            headers=answer.headers,
            stream=httpx.ByteStream(answer.body),
            extensions={"http_version": b"HTTP/1.1", "reason_phrase": answer.reason},
            request=request,
        )

    async def aclose(self) -> None:
        self._closed = True
        for connection in [*self._busy, *(c for idle in self._idle.values() for c in idle)]:
            connection.close()
        self._idle.clear()
        self._busy.clear()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None = None,
        exc_value: BaseException | None = None,
        traceback: TracebackType | None = None,
    ) -> None:
        await self.aclose()

    def _take_idle(self, origin: Origin) -> _Connection | None:
        idle = self._idle.get(origin)
        now = time.monotonic()
        while idle:
            connection = idle.pop()
            fresh = now - connection.idle_since < self._keepalive
            if not connection.closed and fresh and not connection.readable_while_idle():
                return connection
            connection.close()
        return None

    def _give_back(self, origin: Origin, connection: _Connection) -> None:
        idle = self._idle.setdefault(origin, [])
        if len(idle) >= MAX_IDLE_PER_ORIGIN:
            connection.close()
        else:
            idle.append(connection)

    async def _connect(self, origin: Origin, timeout: float | None) -> _Connection:
        scheme, host, port = origin
        loop = asyncio.get_running_loop()
        tls = self._ssl if scheme == "https" else None
        try:
            async with asyncio.timeout(timeout):
                _, connection = await loop.create_connection(
                    lambda: _Connection(self._max_bytes),
                    host,
                    port,
                    ssl=tls,
                    server_hostname=host if tls is not None else None,
                )
        except TimeoutError as exc:
            raise httpx.ConnectTimeout(f"connecting to {host} timed out") from exc
        except OSError as exc:  # refused, unreachable, DNS, TLS (ssl.SSLError is an OSError)
            raise httpx.ConnectError(str(exc) or type(exc).__name__) from exc
        return connection
