"""Fault injection: latency, failure statuses, 429 with Retry-After, dropped connections, bad JSON,
and wrong successes (a 2xx that is not the documented answer).

The injector is an ASGI middleware in front of the Transmit routes; `/sandbox/*` helper routes
are never faulted, so a test can always reconfigure or inspect a misbehaving sandbox. Faults come
from two sources: rates (random, reproducible with `--seed`) and a `next` script of faults for
the next matching requests, which is what tests use to get one deterministic failure.
"""

from __future__ import annotations

import asyncio
import fnmatch
import random
import threading
import time
from collections import deque
from collections.abc import Mapping
from dataclasses import asdict, dataclass, replace
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

FAILURE_STATUSES = (500, 502, 503, 504)
# Wrong successes, as proxies, captive portals and broken gateways answer: `200-json` (`{}`),
# `200-empty`, `202`, `200-html` (a portal page) answer without reaching the route; `200-after`
# runs the route (a logout does happen) and then replaces its answer with `200 {}`.
WRONG_SUCCESSES = ("200-json", "200-empty", "202", "200-html", "200-after")
SCRIPTED_FAULTS = ("500", "502", "503", "504", "429", "drop", "malformed", *WRONG_SUCCESSES)
HELPER_PREFIX = "/sandbox/"
# Proxies in front of real APIs answer gateway errors with HTML, not JSON: the client must cope.
_HTML_GATEWAY = "<html><head><title>{0}</title></head><body><h1>{0}</h1></body></html>"
_MALFORMED_JSON = b'{"access_token": "eyJhbGciOiJSUzI1NiJ9.trunc'
_PORTAL_PAGE = b"<html><head><title>Sign in to the network</title></head><body>Wi-Fi</body></html>"


_RATE_FIELDS = (
    "fail_rate",
    "rate_limit_rate",
    "drop_rate",
    "malformed_rate",
    "wrong_success_rate",
)


class FaultSettingsError(ValueError):
    """A `POST /sandbox/faults` body or a fault flag that makes no sense."""


@dataclass(frozen=True)
class FaultSettings:
    latency_ms: int = 0
    jitter_ms: int = 0
    fail_rate: float = 0.0
    fail_statuses: tuple[int, ...] = (500, 502, 503)
    rate_limit_rate: float = 0.0
    # A real limit besides the random one: more requests than this in one second answer 429.
    rate_limit_per_second: int = 0
    retry_after: int = 1
    drop_rate: float = 0.0
    malformed_rate: float = 0.0
    # Answered with one of WRONG_SUCCESSES, picked at random.
    wrong_success_rate: float = 0.0
    # fnmatch patterns on the request path; empty means every Transmit route.
    routes: tuple[str, ...] = ()
    # Failure rates of their own for some paths: ((glob, rate), ...); the first match counts.
    route_fail_rates: tuple[tuple[str, float], ...] = ()
    # One fault per matching request, consumed in order before any rate applies.
    next: tuple[str, ...] = ()

    def merged(self, **changes: Any) -> FaultSettings:
        updated = replace(self, **changes)
        updated.check()
        return updated

    def check(self) -> None:
        rates = [(name, getattr(self, name)) for name in _RATE_FIELDS]
        rates += [(f"route_fail_rates[{glob}]", rate) for glob, rate in self.route_fail_rates]
        for name, value in rates:
            if not 0.0 <= value <= 1.0:
                raise FaultSettingsError(f"{name} must be between 0 and 1, not {value}")
        for name in ("latency_ms", "jitter_ms", "retry_after", "rate_limit_per_second"):
            if getattr(self, name) < 0:
                raise FaultSettingsError(f"{name} must not be negative")
        for status in self.fail_statuses:
            if status not in FAILURE_STATUSES:
                raise FaultSettingsError(f"fail_statuses may hold only {FAILURE_STATUSES}")
        if not self.fail_statuses:
            raise FaultSettingsError("fail_statuses must not be empty")
        for fault in self.next:
            if fault not in SCRIPTED_FAULTS:
                raise FaultSettingsError(f"next may hold only {', '.join(SCRIPTED_FAULTS)}")

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["fail_statuses"] = list(self.fail_statuses)
        data["routes"] = list(self.routes)
        data["next"] = list(self.next)
        data["route_fail_rates"] = dict(self.route_fail_rates)
        return data

    def updated_from_json(self, body: Mapping[str, Any]) -> FaultSettings:
        """Applies a `POST /sandbox/faults` body: only the fields it names change."""
        base = FaultSettings() if body.get("reset") is True else self
        changes: dict[str, Any] = {}
        for name, default in asdict(FaultSettings()).items():
            if name not in body:
                continue
            value = body[name]
            if name == "route_fail_rates":
                changes[name] = _route_rates(value)
            elif isinstance(default, tuple):
                if not isinstance(value, list):
                    raise FaultSettingsError(f"{name} must be a list")
                changes[name] = tuple(str(v) if name != "fail_statuses" else v for v in value)
            elif isinstance(default, float):
                if isinstance(value, bool) or not isinstance(value, int | float):
                    raise FaultSettingsError(f"{name} must be a number")
                changes[name] = float(value)
            else:
                if isinstance(value, bool) or not isinstance(value, int):
                    raise FaultSettingsError(f"{name} must be an integer")
                changes[name] = value
        if any(
            not isinstance(s, int) or isinstance(s, bool) for s in changes.get("fail_statuses", ())
        ):
            raise FaultSettingsError("fail_statuses must be integers")
        unknown = set(body) - set(asdict(FaultSettings())) - {"reset"}
        if unknown:
            raise FaultSettingsError(f"unknown fault settings: {', '.join(sorted(unknown))}")
        return base.merged(**changes)


def _route_rates(value: Any) -> tuple[tuple[str, float], ...]:
    """`{"glob": rate, ...}` from JSON; order is kept (the first matching glob counts)."""
    if not isinstance(value, dict):
        raise FaultSettingsError('route_fail_rates must be an object like {"/cis/v1/users*": 0.5}')
    for rate in value.values():
        if isinstance(rate, bool) or not isinstance(rate, int | float):
            raise FaultSettingsError("route_fail_rates values must be numbers")
    return tuple((str(glob), float(rate)) for glob, rate in value.items())


class FaultControl:
    """The live fault settings; `POST /sandbox/faults` replaces them through `configure`."""

    def __init__(self, settings: FaultSettings, seed: int | None = None) -> None:
        self._lock = threading.Lock()
        self._settings = settings
        self._script: deque[str] = deque(settings.next)
        self._random = random.Random(seed)  # noqa: S311 - fault dice, not cryptography
        self._window_start = 0.0
        self._window_count = 0

    @property
    def settings(self) -> FaultSettings:
        with self._lock:
            return replace(self._settings, next=tuple(self._script))

    def configure(self, settings: FaultSettings) -> FaultSettings:
        with self._lock:
            self._settings = settings
            self._script = deque(settings.next)
        return self.settings

    def choose(self, path: str) -> tuple[float, str | None]:
        """Returns (delay in seconds, fault to apply or None) for one request."""
        with self._lock:
            settings = self._settings
            if settings.routes and not any(fnmatch.fnmatch(path, p) for p in settings.routes):
                return 0.0, None
            delay = settings.latency_ms / 1000
            if settings.jitter_ms:
                delay += self._random.uniform(0, settings.jitter_ms) / 1000
            if self._script:
                return delay, self._script.popleft()
            if settings.rate_limit_per_second and self._over_limit(settings.rate_limit_per_second):
                return delay, "429"
            dice = self._random.random
            if settings.drop_rate and dice() < settings.drop_rate:
                return delay, "drop"
            if settings.rate_limit_rate and dice() < settings.rate_limit_rate:
                return delay, "429"
            route_rate = next(
                (rate for glob, rate in settings.route_fail_rates if fnmatch.fnmatch(path, glob)),
                settings.fail_rate,
            )
            if route_rate and dice() < route_rate:
                return delay, str(self._random.choice(settings.fail_statuses))
            if settings.malformed_rate and dice() < settings.malformed_rate:
                return delay, "malformed"
            if settings.wrong_success_rate and dice() < settings.wrong_success_rate:
                return delay, str(self._random.choice(WRONG_SUCCESSES))
            return delay, None

    def _over_limit(self, per_second: int) -> bool:
        """A fixed one-second window; called with the lock held."""
        now = time.monotonic()
        if now - self._window_start >= 1.0:
            self._window_start, self._window_count = now, 0
        self._window_count += 1
        return self._window_count > per_second


class FaultMiddleware:
    """ASGI middleware in front of the Transmit routes; helper routes pass untouched."""

    def __init__(self, app: ASGIApp, control: FaultControl) -> None:
        self.app = app
        self.control = control

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or path.startswith(HELPER_PREFIX):
            await self.app(scope, receive, send)
            return
        delay, fault = self.control.choose(path)
        if delay:
            await asyncio.sleep(delay)
        if fault is None:
            await self.app(scope, receive, send)
        elif fault == "drop":
            await _drop_connection(scope, receive, send)
        elif fault == "200-after":
            await self.app(scope, receive, _replacing_answer(scope, send))
        else:
            await _send_fault(fault, self.control.settings.retry_after, scope, send)


async def _send_fault(fault: str, retry_after: int, scope: Scope, send: Send) -> None:
    headers: list[tuple[bytes, bytes]] = [(b"content-type", b"application/json")]
    if fault == "malformed":
        status, body = 200, _MALFORMED_JSON
    elif fault == "200-json":
        status, body = 200, b"{}"
    elif fault == "200-empty":
        status, body = 200, b""
    elif fault == "202":
        status, body = 202, b""
    elif fault == "200-html":
        status, body = 200, _PORTAL_PAGE
        headers = [(b"content-type", b"text/html; charset=utf-8")]
    elif fault == "429":
        status, body = 429, b'{"message":"Too Many Requests","error_code":429}'
        headers.append((b"retry-after", str(retry_after).encode()))
    elif fault in ("502", "504"):
        status = int(fault)
        title = "502 Bad Gateway" if status == 502 else "504 Gateway Time-out"
        body = _HTML_GATEWAY.format(title).encode()
        headers = [(b"content-type", b"text/html")]
    elif fault == "503":
        status, body = 503, b'{"message":"Service Unavailable","error_code":503}'
    else:
        status = 500
        body = b'{"message":"Something went wrong - Internal server error","error_code":500}'
    headers.append((b"content-length", str(len(body)).encode()))
    scope.setdefault("state", {})["fault"] = fault
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def _replacing_answer(scope: Scope, send: Send) -> Send:
    """A `send` that lets the route run whole but answers `200 {}` in its place."""
    scope.setdefault("state", {})["fault"] = "200-after"

    async def replace_answer(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = [(b"content-type", b"application/json"), (b"content-length", b"2")]
            await send({"type": "http.response.start", "status": 200, "headers": headers})
        elif message["type"] == "http.response.body" and not message.get("more_body"):
            await send({"type": "http.response.body", "body": b"{}"})

    return replace_answer


async def _drop_connection(scope: Scope, receive: Receive, send: Send) -> None:
    """Closes the TCP connection without an answer, as a crashed proxy would.

    ASGI has no "close without answering", so this reaches the server's transport through
    the bound `receive` method (uvicorn's request cycle object). If that is not available (an
    in-process test client), it answers a truncated body, which a client sees the same way:
    the connection ended before a complete response.
    """
    scope.setdefault("state", {})["fault"] = "drop"
    transport = getattr(getattr(receive, "__self__", None), "transport", None)
    if transport is not None and hasattr(transport, "abort"):
        transport.abort()
        for _ in range(3):  # let the server notice the lost connection before we return
            await asyncio.sleep(0)
        return
    raise ConnectionAbortedError("fault injection: connection dropped")
