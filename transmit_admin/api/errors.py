"""Typed Transmit errors that read as one plain sentence for a support agent.

Transmit's error bodies vary (see shared transmit-api.md): `message` is a string or a list,
`error_code` is a number, a numeric string or a symbolic code, the token endpoint may answer
OAuth's `{"error", "error_description"}`, and proxies answer HTML or nothing. `parse_error`
accepts all of them. Messages pass through `redact_secrets` so that an echoed code, token or
password can never reach a dialog or a log.
"""

from __future__ import annotations

import email.utils
import math
import time
from collections.abc import Sequence
from typing import Any

import httpx

from transmit_admin.core.printable import printable
from transmit_admin.core.redact import redact_secrets
from transmit_admin.core.strict_json import JsonRejected, loads_value

MAX_MESSAGE_CHARS = 300
TOKEN_PATHS = ("/oidc/token", "/cis/oidc/token")


class TransmitError(Exception):
    """Any failed call. `status` is None when no HTTP answer arrived."""

    def __init__(
        self,
        status: int | None,
        error_code: int | str | None,
        messages: Sequence[str],
        path: str,
    ) -> None:
        self.status = status
        self.error_code = error_code
        self.messages = tuple(_clean(m) for m in messages if m and m.strip())
        self.path = path
        super().__init__(self.sentence())

    @property
    def message(self) -> str:
        return "; ".join(self.messages)

    def sentence(self) -> str:
        known = _known_sentence(self.error_code, self.message)
        if known:
            return known
        status = f" (HTTP {self.status})" if self.status else ""
        clause = self.message.rstrip(". ")
        if clause:
            return f"Transmit refused the request{status}: {clause}."
        return f"Transmit refused the request{status} without saying why."

    def details(self) -> str:
        """The technical line for logs and "details" panes: status, code, path, raw messages."""
        bits = [type(self).__name__]
        if self.status is not None:
            bits.append(f"HTTP {self.status}")
        if self.error_code is not None:
            bits.append(f"error_code={self.error_code!r}")
        bits.append(f"path={self.path}")
        if self.messages:
            bits.append(f"message={self.message!r}")
        return " ".join(bits)

    def __str__(self) -> str:
        return self.sentence()


class BadClientCredentials(TransmitError):
    def sentence(self) -> str:
        return (
            "Transmit rejected the app's client ID or client secret; check them in the "
            "environment settings."
        )


class AccessDenied(TransmitError):
    """401 or 403 on a backend call: the app lacks a permission, or the user is blocked."""

    def sentence(self) -> str:
        known = _known_sentence(self.error_code, self.message)
        if known:
            return known
        return (
            f"Transmit refused this request (HTTP {self.status}); the app may lack the "
            "permission for it in the Transmit portal."
        )


class NotFound(TransmitError):
    def sentence(self) -> str:
        known = _known_sentence(self.error_code, self.message)
        if known:
            return known
        if "/users" in self.path:
            return "Transmit has no user matching that email or ID."
        return "Transmit could not find what was asked for (HTTP 404)."


SESSION_GONE = "Transmit says this session no longer exists (it was logged out or expired)."


class SessionNotFound(NotFound):
    def sentence(self) -> str:
        return SESSION_GONE


class RateLimited(TransmitError):
    def __init__(
        self,
        status: int | None,
        error_code: int | str | None,
        messages: Sequence[str],
        path: str,
        retry_after: float | None = None,
    ) -> None:
        self.retry_after = retry_after
        super().__init__(status, error_code, messages, path)

    def sentence(self) -> str:
        if self.retry_after is None:
            wait = "in a minute"
        else:
            seconds = max(1, math.ceil(self.retry_after))
            wait = f"in {seconds} second{'s' if seconds != 1 else ''}"
        return f"Transmit is limiting how often this app may call it; try again {wait}."


class ServerError(TransmitError):
    def sentence(self) -> str:
        return (
            f"Transmit had a problem on its side (HTTP {self.status}); try again in a few minutes."
        )


class NetworkError(TransmitError):
    """No usable HTTP answer. `kind` is timeout, connect, reset, tls or protocol."""

    KINDS = ("timeout", "connect", "reset", "tls", "protocol")

    def __init__(self, kind: str, path: str, host: str, timeout: float | None = None) -> None:
        self.kind = kind if kind in self.KINDS else "protocol"
        self.host = host
        self.timeout = timeout
        super().__init__(None, None, (), path)

    def sentence(self) -> str:
        host = self.host or "Transmit"
        if self.kind == "timeout":
            limit = f" within {self.timeout:g} seconds" if self.timeout else " in time"
            return f"{host} did not answer{limit}; check the network connection and try again."
        if self.kind == "connect":
            return (
                f"Could not connect to {host}; check the network, the proxy settings and the "
                "environment's base URL."
            )
        if self.kind == "reset":
            return f"The connection to {host} was cut off before it answered; try again."
        if self.kind == "tls":
            return (
                f"The secure connection to {host} failed its certificate check; something on "
                "the network may be intercepting traffic."
            )
        return f"{host} sent a broken answer that is not valid HTTP; try again."

    def details(self) -> str:
        return f"NetworkError kind={self.kind} host={self.host} path={self.path}"


class UnexpectedResponse(TransmitError):
    """The answer was not what the contract says: not JSON, HTML from a proxy, missing fields."""

    def __init__(
        self,
        status: int | None,
        error_code: int | str | None,
        messages: Sequence[str],
        path: str,
        problem: str = "an answer it does not understand",
    ) -> None:
        self.problem = problem
        super().__init__(status, error_code, messages, path)

    def sentence(self) -> str:
        status = f" (HTTP {self.status})" if self.status else ""
        return (
            f"Transmit sent {self.problem}{status}; a proxy or firewall may be in the way, "
            "or Transmit changed its API."
        )


class WrongSuccess(UnexpectedResponse):
    """A 2xx answer that is not the documented success: another status (200 or 202 where a
    logout answers 204), another type (an HTML page from a captive portal or proxy), a body
    that does not parse or lacks the documented fields, or one too large to read.

    Such an answer confirms nothing: the request may or may not have reached Transmit.
    """

    def __init__(
        self,
        status: int,
        path: str,
        problem: str,
        content_type: str | None = None,
        messages: Sequence[str] = (),
    ) -> None:
        self.content_type = _media_type(content_type)
        super().__init__(status, None, messages, path, problem)

    def answer_text(self) -> str:
        """What came back, in a few words: "unexpected answer 200 text/html"."""
        kind = self.content_type or "with no content type"
        return f"unexpected answer {self.status} {kind}"


def _media_type(content_type: str | None) -> str | None:
    if not content_type:
        return None
    media = content_type.split(";", 1)[0].strip().lower()
    return printable(media[:60]) or None


# Symbolic codes and message texts Transmit documents, mapped to what they mean for a person.
_CODE_SENTENCES = {
    "auth_invalid_credentials": "The code, passcode or password was not accepted.",
    "auth_otp_passcode_expired": "The one-time passcode has expired; send a new one.",
    "auth_locked": (
        "This user is locked out after too many failed attempts; wait before trying again."
    ),
    "user_not_found": "Transmit has no user matching that email or ID.",
    "session_not_found": SESSION_GONE,
}
_MESSAGE_SENTENCES = (
    ("session not found", SESSION_GONE),
    (
        "invalid magic link code",
        "The magic link is invalid, expired or already used; send a new one.",
    ),
    (
        "redirect_uri is not one of the allowed",
        "The redirect URI is not one of the app's allowed redirect URIs in the Transmit portal.",
    ),
    ("user is not active", "This user is not active in Transmit (disabled or pending)."),
    ("user not found", _CODE_SENTENCES["user_not_found"]),
)


def _known_sentence(error_code: int | str | None, message: str) -> str | None:
    if isinstance(error_code, str) and error_code.lower() in _CODE_SENTENCES:
        return _CODE_SENTENCES[error_code.lower()]
    lowered = message.lower()
    for needle, sentence in _MESSAGE_SENTENCES:
        if needle in lowered:
            return sentence
    return None


def _clean(text: str) -> str:
    flat = printable(" ".join(redact_secrets(text).split()))
    return flat if len(flat) <= MAX_MESSAGE_CHARS else flat[: MAX_MESSAGE_CHARS - 1] + "…"


def _error_code(body: dict[str, Any]) -> int | str | None:
    code = body.get("error_code", body.get("error"))
    if isinstance(code, bool):
        return None
    if isinstance(code, int):
        return code
    if isinstance(code, float) and code.is_integer():
        return int(code)
    if isinstance(code, str) and code.strip():
        text = code.strip()
        return int(text) if text.isdigit() else text
    return None


def _messages(body: dict[str, Any]) -> list[str]:
    found: list[str] = []
    for key in ("message", "error_description"):
        value = body.get(key)
        if isinstance(value, str):
            found.append(value)
        elif isinstance(value, list):
            found.extend(str(item) for item in value if isinstance(item, str | int | float))
    return found


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date)."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    try:
        seconds = float(text)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError):
            return None
        seconds = when.timestamp() - (time.time() if now is None else now)
    if math.isnan(seconds) or math.isinf(seconds):
        return None
    return max(0.0, seconds)


def _is_token_path(path: str) -> bool:
    return path.rstrip("/").endswith(TOKEN_PATHS)


def parse_error(response: httpx.Response, *, path: str | None = None) -> TransmitError:
    """Turns a non-2xx answer into the matching typed error; never raises."""
    status = response.status_code
    if path is None:
        try:
            path = response.request.url.path
        except RuntimeError:  # a Response built by hand has no request
            path = ""
    body: Any = None
    if response.content:
        try:
            body = loads_value(response.content)  # depth-bounded: hostile bodies nest deep
        except JsonRejected:
            body = None
    shaped = isinstance(body, dict)
    error_code = _error_code(body) if shaped else None
    messages = _messages(body) if shaped else []

    if _is_token_path(path) and status in (400, 401, 403):
        # Our token form is fixed (grant type + id + secret), so a refusal of it means the
        # credentials: Transmit answers 400 or 401, in its own shape or OAuth's [assumed].
        return BadClientCredentials(status, error_code, messages, path)
    if status == 429:
        retry_after = parse_retry_after(response.headers.get("Retry-After"))
        return RateLimited(status, error_code, messages, path, retry_after)
    if status >= 500:
        return ServerError(status, error_code, messages, path)
    session_gone = error_code == "session_not_found" or any(
        "session not found" in m.lower() for m in messages
    )
    if status in (400, 404) and session_gone:
        return SessionNotFound(status, error_code, messages, path)
    if status == 404:
        return NotFound(status, error_code, messages, path)
    if status in (401, 403):
        return AccessDenied(status, error_code, messages, path)
    if not shaped:
        problem = "an empty error answer" if not response.content else "an error page"
        return UnexpectedResponse(status, None, (), path, problem)
    return TransmitError(status, error_code, messages, path)
