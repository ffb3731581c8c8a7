"""The app's own loopback redirect target for magic links: a tiny asyncio HTTP listener.

When a magic-link factor is sent with a redirect URI of this listener, opening the link (in a
browser, or from the sandbox mailbox) lands here with `?code=…`; the listener completes the
pending factor itself and answers a small "you can close this tab" page. No Qt here: it runs
on whatever asyncio loop is current (the GUI's qasync loop), so completing a factor is a plain
coroutine like every other action.

Each pending factor gets its own redirect URI (`/callback?pending=<key>`): Transmit (and the
sandbox) append `&code=…` to a redirect URI that already has a query, so the key tells which
session the code belongs to even when several factors are pending at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import logging
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from urllib.parse import parse_qs, urlencode, urlsplit

log = logging.getLogger(__name__)

CALLBACK_PATH = "/callback"
MAX_REQUEST_BYTES = 16 * 1024

# (pending factor, code) -> (ok, sentence to show on the page)
Completer = Callable[["PendingFactor", str], Awaitable[tuple[bool, str]]]


@dataclass(frozen=True)
class PendingFactor:
    key: str
    session_id: str
    email: str
    redirect_uri: str


class CallbackListener:
    """Serves `GET /callback` on 127.0.0.1 (random port) and completes pending factors."""

    def __init__(self, complete: Completer) -> None:
        self._complete = complete
        self._server: asyncio.Server | None = None
        self._pending: dict[str, PendingFactor] = {}
        self.port: int | None = None

    @property
    def running(self) -> bool:
        return self._server is not None

    @property
    def base_uri(self) -> str:
        if self.port is None:
            raise RuntimeError("the callback listener is not running")
        return f"http://127.0.0.1:{self.port}{CALLBACK_PATH}"

    async def start(self) -> None:
        if self._server is None:
            self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
            self.port = self._server.sockets[0].getsockname()[1]
            log.info("magic-link callback listening on %s", self.base_uri)

    async def stop(self) -> None:
        server, self._server = self._server, None
        self.port = None
        if server is not None:
            server.close()
            with contextlib.suppress(Exception):
                await server.wait_closed()

    def close_now(self) -> None:
        """Stops listening at once (no await: for clean-up from a destructor or signal)."""
        server, self._server = self._server, None
        self.port = None
        if server is not None:
            server.close()

    def is_own(self, redirect_uri: str | None) -> bool:
        """Whether `redirect_uri` points at this listener (so completion is automatic)."""
        if not redirect_uri or self.port is None:
            return False
        parts = urlsplit(redirect_uri)
        return (
            parts.hostname in ("127.0.0.1", "localhost")
            and parts.port == self.port
            and parts.path == CALLBACK_PATH
        )

    def register(self, session_id: str, email: str) -> PendingFactor:
        key = secrets.token_urlsafe(12)
        uri = f"{self.base_uri}?{urlencode({'pending': key})}"
        factor = PendingFactor(key, session_id, email, uri)
        self._pending[key] = factor
        return factor

    def forget(self, key: str) -> None:
        self._pending.pop(key, None)

    def pending(self) -> list[PendingFactor]:
        return list(self._pending.values())

    def pending_for(self, email: str | None) -> PendingFactor | None:
        """The newest pending factor sent to `email` (any, when `email` is None)."""
        for factor in reversed(self._pending.values()):
            if email is None or factor.email.lower() == email.lower():
                return factor
        return None

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            status, body = await self._answer(reader)
        except Exception:  # a broken request must never take the listener down
            log.warning("magic-link callback failed", exc_info=True)
            status, body = "500 Internal Server Error", "The sign-in could not be completed."
        page = _page(body).encode()
        head = (
            f"HTTP/1.1 {status}\r\nContent-Type: text/html; charset=utf-8\r\n"
            f"Content-Length: {len(page)}\r\nConnection: close\r\n"
            "Cache-Control: no-store\r\nReferrer-Policy: no-referrer\r\n\r\n"
        )
        with contextlib.suppress(ConnectionError):
            writer.write(head.encode() + page)
            await writer.drain()
        writer.close()
        with contextlib.suppress(Exception):
            await writer.wait_closed()

    async def _answer(self, reader: asyncio.StreamReader) -> tuple[str, str]:
        try:
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), timeout=10)
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, TimeoutError):
            return "400 Bad Request", "The request was not understood."
        if len(head) > MAX_REQUEST_BYTES:
            return "400 Bad Request", "The request was too large."
        method, _, rest = head.decode("latin-1").partition(" ")
        target = rest.split(" ", 1)[0]
        parts = urlsplit(target)
        if method != "GET" or parts.path != CALLBACK_PATH:
            return "404 Not Found", "There is nothing here."
        query = parse_qs(parts.query)
        code = (query.get("code") or [""])[0]
        key = (query.get("pending") or [""])[0]
        factor = self._pending.get(key)
        if not code or factor is None:
            return "400 Bad Request", (
                "This sign-in link is not (or no longer) expected by transmit-admin. "
                "Send a new magic link from the session."
            )
        self.forget(key)  # single use, like the link itself
        ok, sentence = await self._complete(factor, code)
        if ok:
            return "200 OK", f"{sentence} You can close this tab."
        return "400 Bad Request", sentence


def _page(sentence: str) -> str:
    text = html.escape(sentence)
    return (
        "<!doctype html><html><head><meta charset='utf-8'><title>transmit-admin</title></head>"
        f"<body style='font-family:sans-serif;margin:3em'><p>{text}</p></body></html>"
    )
