"""One HTTP exchange with Transmit: time budget, retries, error mapping and a log line.

Every call gets one time budget (`timeout` seconds) that covers all of its attempts and the
waits between them, so no call can hang past it however the network misbehaves.
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

from transmit_admin.api.errors import NetworkError, TransmitError, parse_error
from transmit_admin.api.retry import RetryPolicy
from transmit_admin.core.redact import redact_secrets

log = logging.getLogger("transmit_admin.api")

URL_CACHE_SIZE = 256  # distinct request URLs kept parsed (a few fixed paths, plus user ids)

_EMAIL_IN_PATH = re.compile(r"(/users/email/)[^/?]+")


@functools.cache
def shared_tls_context() -> ssl.SSLContext:
    """The verifying TLS context every client of this process shares.

    Exactly what httpx builds for `verify=True` (its CA bundle, honouring SSL_CERT_FILE and
    SSL_CERT_DIR as read at first use), built once: loading the CA bundle took 30-50 ms per
    client here, paid again by every bulk revoke's worker client and every environment.
    Sharing is safe: httpcore only ever sets the same ALPN list (HTTP/1.1) on it.
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
    def __init__(self, http: httpx.AsyncClient, *, timeout: float, retry: RetryPolicy) -> None:
        self._http = http
        self.timeout = timeout
        self.retry = retry
        self._urls: dict[str, httpx.URL] = {}

    def _url(self, url: str) -> httpx.URL:
        """`url` joined to the client's base URL, parsed once per distinct URL.

        Given a string, httpx parses it and merges it with the base URL on every request:
        a measurable share of a small request's cost (bench/ui.py sends hundreds in a row).
        """
        merged = self._urls.get(url)
        if merged is None:
            merged = self._http.build_request("GET", url).url
            if len(self._urls) >= URL_CACHE_SIZE:
                self._urls.clear()
            self._urls[url] = merged
        return merged

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
                self._url(url),
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
            # httpx times each read separately; this bounds a slowly trickling answer too.
            async with asyncio.timeout(remaining):
                response = await self._http.send(request)
        except (httpx.TransportError, TimeoutError) as exc:
            kind = _network_kind(exc)
            self._log(request, kind, started)
            return NetworkError(kind, path, request.url.host, self.timeout)
        self._log(request, str(response.status_code), started)
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
