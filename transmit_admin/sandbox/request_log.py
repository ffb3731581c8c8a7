"""Records every Transmit-path request (method, path, status, time; never bodies or queries).

Look-ups by email, username, phone number or external id carry what a client typed in the
path; the log keeps the route with `<kind>` in its place (as the client's own log does with
`<email>`), so an address or a stray control character never reaches it raw.
"""

from __future__ import annotations

import re
import time
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from transmit_admin.sandbox.faults import HELPER_PREFIX
from transmit_admin.sandbox.models import RequestLogEntry
from transmit_admin.sandbox.state import SandboxState

_IDENTIFIER_IN_PATH = re.compile(
    r"^(/cis/v1/users/)(email|username|phone|phone-number|external-user-id)/[^/]*"
)


def loggable_path(path: str) -> str:
    """`path` with the identifier of a user look-up replaced by `<kind>`."""
    return _IDENTIFIER_IN_PATH.sub(lambda m: f"{m[1]}{m[2]}/<{m[2]}>", path)


class RequestLogMiddleware:
    def __init__(self, app: ASGIApp, state: SandboxState) -> None:
        self.app = app
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope.get("path", "")
        if scope["type"] != "http" or path.startswith(HELPER_PREFIX):
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        received_at = self.state.now()
        status = 0  # stays 0 when no answer was sent (a dropped connection)

        async def recording_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, recording_send)
        finally:
            scope_state: dict[str, Any] = scope.get("state", {})
            self.state.log_request(
                RequestLogEntry(
                    method=scope.get("method", ""),
                    path=loggable_path(path),
                    status=status,
                    time=received_at,
                    duration_ms=(time.perf_counter() - started) * 1000,
                    fault=scope_state.get("fault"),
                )
            )
