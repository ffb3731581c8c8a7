"""Typed results of Transmit calls, parsed strictly enough to trust and loosely enough to last.

Token fields are excluded from `repr` so that a logged or printed result never shows a token.
Parsers raise `ValueError` with the name of the field at fault; the client turns that into
`UnexpectedResponse`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any

_EXTRA_FRACTION = re.compile(r"(\.\d{6})\d+")


@dataclass(frozen=True)
class TokenResponse:
    access_token: str = field(repr=False)
    id_token: str | None = field(repr=False)
    refresh_token: str | None = field(repr=False)
    token_type: str
    expires_in: int
    # None only for token refresh, whose answer carries no session id [doc].
    session_id: str | None

    @classmethod
    def from_json(cls, body: Any, *, session_required: bool = True) -> TokenResponse:
        data = _object(body, "token response")
        session_id = _optional_str(data, "session_id")
        if session_required and not session_id:
            raise ValueError("token response has no session_id")
        return cls(
            access_token=_str(data, "access_token"),
            id_token=_optional_str(data, "id_token"),
            refresh_token=_optional_str(data, "refresh_token"),
            token_type=_optional_str(data, "token_type") or "Bearer",
            expires_in=_seconds(data, "expires_in"),
            session_id=session_id,
        )


@dataclass(frozen=True)
class ClientToken:
    """The app's own access token from `/oidc/token`."""

    access_token: str = field(repr=False)
    expires_in: int
    scope: str | None = None

    @classmethod
    def from_json(cls, body: Any) -> ClientToken:
        data = _object(body, "client token response")
        return cls(
            access_token=_str(data, "access_token"),
            expires_in=_seconds(data, "expires_in"),
            scope=_optional_str(data, "scope"),
        )


@dataclass(frozen=True)
class BackendSession:
    session_id: str
    start_time: datetime
    expiration_time: datetime

    @classmethod
    def from_json(cls, body: Any) -> BackendSession:
        data = _object(body, "session")
        return cls(
            session_id=_str(data, "session_id"),
            start_time=parse_timestamp(data.get("start_time"), "start_time"),
            expiration_time=parse_timestamp(data.get("expiration_time"), "expiration_time"),
        )


@dataclass(frozen=True)
class User:
    user_id: str
    email: str | None
    phone_number: str | None
    username: str | None
    status: str | None
    name: str | None
    raw: Mapping[str, Any] = field(repr=False, compare=False)

    @classmethod
    def from_json(cls, body: Any) -> User:
        data = _object(body, "user")
        return cls(
            user_id=_str(data, "user_id"),
            email=_contact(data.get("email")),
            phone_number=_contact(data.get("phone_number")),
            username=_optional_str(data, "username"),
            status=_optional_str(data, "status"),
            name=_display_name(data.get("name")),
            raw=MappingProxyType(dict(data)),
        )


@dataclass(frozen=True)
class UserPage:
    total_count: int
    users: tuple[User, ...]
    has_next_page: bool | None = None

    @classmethod
    def from_json(cls, body: Any) -> UserPage:
        data = _object(body, "user page")
        result = data.get("result")
        if not isinstance(result, list):
            raise ValueError("user page has no result list")
        users = tuple(User.from_json(item) for item in result)
        total = data.get("total_count", len(users))
        if isinstance(total, bool) or not isinstance(total, int | float):
            raise ValueError("user page total_count is not a number")
        page_info = data.get("page_info")
        has_next = page_info.get("has_next_page") if isinstance(page_info, dict) else None
        return cls(int(total), users, has_next if isinstance(has_next, bool) else None)


def parse_timestamp(value: Any, name: str = "time") -> datetime:
    """An aware UTC datetime from ISO-8601 (with `Z`, offset or none) or epoch seconds/ms.

    The contract says ISO-8601 strings; naive strings are read as UTC and numbers as epoch
    seconds, or milliseconds when too large for seconds [assumed: undocumented variants].
    """
    if isinstance(value, str) and value.strip():
        text = value.strip()
        if text.endswith(("z", "Z")):
            text = text[:-1] + "+00:00"
        # Nanosecond fractions (Go and Java servers) are cut to microseconds for Python.
        text = _EXTRA_FRACTION.sub(r"\1", text)
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError as exc:
            raise ValueError(f"{name} is not an ISO-8601 time: {value!r}") from exc
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=UTC)
        return parsed.astimezone(UTC)
    if isinstance(value, int | float) and not isinstance(value, bool):
        seconds = value / 1000 if value > 100_000_000_000 else value
        try:
            return datetime.fromtimestamp(seconds, tz=UTC)
        except (OverflowError, OSError, ValueError) as exc:
            raise ValueError(f"{name} is out of range: {value!r}") from exc
    raise ValueError(f"{name} is missing or not a time")


def _object(body: Any, what: str) -> Mapping[str, Any]:
    if not isinstance(body, dict):
        raise ValueError(f"{what} is not a JSON object")
    return body


def _str(data: Mapping[str, Any], key: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value:
        raise ValueError(f"{key} is missing or not text")
    return value


def _optional_str(data: Mapping[str, Any], key: str) -> str | None:
    value = data.get(key)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise ValueError(f"{key} is not text")
    return value


def _seconds(data: Mapping[str, Any], key: str) -> int:
    value = data.get(key)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise ValueError(f"{key} is missing or not a number of seconds")
    return int(value)


def _contact(value: Any) -> str | None:
    # Users carry `{"value": ..., "email_verified": ...}`; accept a bare string as well.
    if isinstance(value, dict):
        value = value.get("value")
    return value if isinstance(value, str) and value else None


def _display_name(value: Any) -> str | None:
    if isinstance(value, str):
        return value or None
    if not isinstance(value, dict):
        return None
    parts: Sequence[Any] = [value.get(k) for k in ("first_name", "middle_name", "last_name")]
    text = " ".join(p for p in parts if isinstance(p, str) and p)
    return text or None
