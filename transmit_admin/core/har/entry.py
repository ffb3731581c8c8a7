"""A tolerant view of one HAR entry: what browsers actually write, not what the spec says.

Chrome, Edge, Firefox, Safari and proxies disagree: entries without a response, `time` as a
string or null, cookies without `lastAccess`, bodies missing, `content.encoding: "base64"`
(sometimes on text that is not base64), `postData` with `text`, `params` or both. Every
accessor here returns a plain value or None and never raises on a strange shape.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

MAX_BODY_CHARS = 32 * 1024 * 1024  # a body larger than this is not searched as JSON


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _str(value: Any) -> str:
    return value if isinstance(value, str) else ""


def pairs(value: Any) -> list[tuple[str, str]]:
    """`[{"name": …, "value": …}]` (headers, cookies, queryString, params) as tuples."""
    result = []
    for item in _list(value):
        if isinstance(item, dict):
            result.append((_str(item.get("name")), _str(item.get("value"))))
    return result


def parse_started(text: str) -> datetime | None:
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def decode_body(text: str, encoding: str) -> tuple[str, bool]:
    """The body as text and whether it was really base64 (Safari and some proxies mark plain
    text as base64). Bytes that are not UTF-8 are decoded with replacement for searching."""
    if encoding.lower() != "base64" or not text:
        return text, False
    compact = "".join(text.split())
    try:
        raw = base64.b64decode(compact, validate=True)
    except (binascii.Error, ValueError):
        return text, False
    return raw.decode("utf-8", "replace"), True


@dataclass(frozen=True, slots=True)
class Entry:
    index: int
    raw: dict[str, Any]

    @property
    def request(self) -> dict[str, Any]:
        return _dict(self.raw.get("request"))

    @property
    def response(self) -> dict[str, Any]:
        return _dict(self.raw.get("response"))

    @property
    def started_text(self) -> str:
        return _str(self.raw.get("startedDateTime"))

    @property
    def started(self) -> datetime | None:
        return parse_started(self.started_text)

    @property
    def time_ms(self) -> float | None:
        value = self.raw.get("time")
        if isinstance(value, bool):
            return None
        if isinstance(value, int | float):
            return float(value)
        if isinstance(value, str):
            try:
                return float(value)
            except ValueError:
                return None
        return None

    @property
    def method(self) -> str:
        return _str(self.request.get("method")).upper() or "?"

    @property
    def url(self) -> str:
        return _str(self.request.get("url"))

    @property
    def host(self) -> str:
        try:
            return (urlsplit(self.url).hostname or "").lower()
        except ValueError:
            return ""

    @property
    def path(self) -> str:
        try:
            return urlsplit(self.url).path
        except ValueError:
            return ""

    @property
    def status(self) -> int | None:
        value = self.response.get("status")
        if isinstance(value, bool) or not isinstance(value, int | float):
            return None
        return int(value) if value > 0 else None  # 0 or -1: no response (blocked, aborted)

    def request_headers(self) -> list[tuple[str, str]]:
        return pairs(self.request.get("headers"))

    def response_headers(self) -> list[tuple[str, str]]:
        return pairs(self.response.get("headers"))

    def header(self, name: str, *, response: bool = False) -> str | None:
        wanted = name.lower()
        headers = self.response_headers() if response else self.request_headers()
        for key, value in headers:
            if key.lower() == wanted:
                return value
        return None

    @property
    def redirect_url(self) -> str:
        return _str(self.response.get("redirectURL")) or (
            self.header("location", response=True) or ""
        )

    @property
    def post_data(self) -> dict[str, Any]:
        return _dict(self.request.get("postData"))

    @property
    def post_mime(self) -> str:
        return _str(self.post_data.get("mimeType")).lower()

    @property
    def post_text(self) -> str:
        return _str(self.post_data.get("text"))

    def post_params(self) -> list[tuple[str, str]]:
        return pairs(self.post_data.get("params"))

    @property
    def content(self) -> dict[str, Any]:
        return _dict(self.response.get("content"))

    @property
    def response_mime(self) -> str:
        return _str(self.content.get("mimeType")).lower()

    def response_text(self) -> str:
        """The response body as text (base64 decoded), "" when the capture left it out."""
        text, _ = decode_body(_str(self.content.get("text")), _str(self.content.get("encoding")))
        return text
