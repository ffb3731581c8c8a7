"""One HTTP exchange with Transmit: time budget, retries, error mapping and a log line.

Every call gets one time budget (`timeout` seconds) that covers all of its attempts and the
waits between them, so no call can hang past it however the network misbehaves.

Bodies are read here (`_body.read_bounded`), decoded, as a stream that stops at
`MAX_RESPONSE_BYTES`: the limit holds for whichever transport httpx uses (its own, or a
proxy's) and counts the bytes after decompression, so a small compressed bomb cannot expand
in memory.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import re
import ssl
import time
from collections.abc import Mapping
from typing import Any

import httpx

from transmit_admin.api._body import BodyUndecodable, read_bounded
from transmit_admin.api.errors import (
    NetworkError,
    TransmitError,
    UnexpectedResponse,
    WrongSuccess,
    parse_error,
)
from transmit_admin.api.retry import RetryPolicy
from transmit_admin.core.redact import redact_secrets

log = logging.getLogger("transmit_admin.api")

MAX_RESPONSE_BYTES = 16 * 1024 * 1024  # decoded; Transmit's largest answers are user pages

_OUTER_GRACE_SECONDS = 0.1

_EMAIL_IN_PATH = re.compile(r"(/users/email/)[^/?]+")


@functools.cache
def shared_tls_context() -> ssl.SSLContext:
    """The verifying TLS context every client of this process shares.

    Exactly what httpx builds for `verify=True` (its CA bundle, honouring SSL_CERT_FILE and
    SSL_CERT_DIR as read at first use), built once: loading the CA bundle takes tens of ms,
    which every environment's client would pay again. Sharing is safe: httpcore only ever
    sets the same ALPN list (HTTP/1.1) on it.
    """
    return httpx.create_ssl_context()


def loggable_path(path: str) -> str:
    """The request path without secrets or whole email addresses (users are looked up by email)."""
    return redact_secrets(_EMAIL_IN_PATH.sub(r"\1<email>", path))


def _network_kind(exc: BaseException) -> str:
    if isinstance(exc, httpx.TimeoutException | TimeoutError):
        return "timeout"
    cause: BaseException | None = exc
    while cause is not None:  # httpx wraps the ssl/socket error it got; look inside
        if isinstance(cause, ssl.SSLError):
            return "tls"
        if isinstance(cause, ConnectionResetError | BrokenPipeError):
            return "reset"
        cause = cause.__cause__ or cause.__context__
    if isinstance(exc, httpx.ConnectError):
        return "connect"
    if isinstance(exc, httpx.RemoteProtocolError) and "disconnect" in str(exc).lower():
        return "reset"  # the server closed the connection without answering
    if isinstance(exc, httpx.ReadError | httpx.WriteError):
        return "reset"
    return "protocol"


class HttpExchange:
    def __init__(
        self,
        http: httpx.AsyncClient,
        *,
        timeout: float,
        retry: RetryPolicy,
        max_response_bytes: int = MAX_RESPONSE_BYTES,
    ) -> None:
        self._http = http
        self.timeout = timeout
        self.retry = retry
        self.max_response_bytes = max_response_bytes

    async def send(
        self,
        method: str,
        url: str,
        *,
        safe: bool,
        headers: Mapping[str, str] | None = None,
        json: Any = None,
        data: Mapping[str, str] | None = None,
        params: Mapping[str, str] | None = None,
    ) -> httpx.Response:
        """Returns a 2xx response or raises a TransmitError. Retries only when `safe`."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.timeout
        retry_number = 0
        while True:
            remaining = deadline - loop.time()
            request = self._http.build_request(
                method,
                url,
                headers=headers,
                json=json,
                data=data,
                params=params,
                timeout=httpx.Timeout(max(remaining, 0.001)),
            )
            outcome = await self._attempt(request, remaining)
            if isinstance(outcome, httpx.Response):
                return outcome
            retry_number += 1
            wait = self.retry.wait_before_retry(retry_number, outcome) if safe else None
            if wait is None or loop.time() + wait >= deadline:
                raise outcome
            log.info("retrying %s %s in %.2f s", method, loggable_path(request.url.path), wait)
            await self.retry.sleep(wait)

    async def _attempt(
        self, request: httpx.Request, remaining: float
    ) -> httpx.Response | TransmitError:
        path = request.url.path
        started = time.perf_counter()
        try:
            if remaining <= 0:
                raise TimeoutError
            # httpx times each connect, handshake and read separately; this outer bound stops
            # an answer that trickles in forever. It fires a moment after httpx's own
            # timeouts so that a stalled connect or handshake ends inside httpcore, which
            # closes its socket (cancelled mid-handshake, the socket would be left open).
            async with asyncio.timeout(remaining + _OUTER_GRACE_SECONDS):
                streamed = await self._http.send(request, stream=True)
                try:
                    body = await read_bounded(streamed, self.max_response_bytes)
                finally:
                    await streamed.aclose()
        except (httpx.TransportError, TimeoutError) as exc:
            kind = _network_kind(exc)
            self._log(request, kind, started)
            return NetworkError(kind, path, request.url.host, self.timeout)
        except BodyUndecodable as exc:
            self._log(request, f"{streamed.status_code} undecodable", started)
            return _unreadable(streamed, path, f"an answer it could not read ({exc})")
        self._log(request, str(streamed.status_code), started)
        if body is None:
            return _unreadable(
                streamed, path, f"an answer over {self.max_response_bytes // 2**20} MiB"
            )
        response = _decoded(streamed, body, request)
        if response.is_success:
            return response
        return parse_error(response, path=path)

    @staticmethod
    def _log(request: httpx.Request, outcome: str, started: float) -> None:
        # Method, path, outcome and duration only: bodies carry codes, passcodes and tokens.
        if not log.isEnabledFor(logging.INFO):
            return  # spares the path's redaction on every request when nobody reads the line
        elapsed_ms = (time.perf_counter() - started) * 1000
        log.info(
            "%s %s -> %s in %.0f ms",
            request.method,
            loggable_path(request.url.path),
            outcome,
            elapsed_ms,
        )


# Headers that describe the bytes on the wire; the body handed on is already decoded.
_WIRE_HEADERS = frozenset({"content-encoding", "content-length", "transfer-encoding"})


def _decoded(streamed: httpx.Response, body: bytes, request: httpx.Request) -> httpx.Response:
    headers = [(k, v) for k, v in streamed.headers.multi_items() if k.lower() not in _WIRE_HEADERS]
    return httpx.Response(
        streamed.status_code,
        headers=headers,
        content=body,
        request=request,
        extensions={"http_version": streamed.extensions.get("http_version", b"HTTP/1.1")},
    )


def _unreadable(streamed: httpx.Response, path: str, problem: str) -> TransmitError:
    """An answer whose body could not be read whole: a success that cannot be trusted, or an
    error told apart by its status alone."""
    status = streamed.status_code
    if streamed.is_success:
        return WrongSuccess(status, path, problem, streamed.headers.get("content-type"))
    error = parse_error(httpx.Response(status, request=streamed.request), path=path)
    if type(error) is TransmitError or isinstance(error, UnexpectedResponse):
        return UnexpectedResponse(status, None, (), path, problem)
    return error
