"""Turning Transmit's JSON answers into models, or into UnexpectedResponse when they do not fit."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import httpx

from transmit_admin.api.errors import WrongSuccess
from transmit_admin.api.models import BackendSession, User
from transmit_admin.core.strict_json import JsonRejected, loads_value

T = TypeVar("T")


def expect_status(response: httpx.Response, status: int) -> None:
    """A success other than the documented one confirms nothing (see `WrongSuccess`)."""
    if response.status_code != status:
        raise _wrong(response, f"HTTP {response.status_code} where Transmit answers {status}")


def parse_json(response: httpx.Response) -> Any:
    """The body as JSON, read with the same depth bound as tokens (a hostile body can nest
    100,000 brackets deep)."""
    if not response.content:
        raise _wrong(response, "an empty answer")
    try:
        return loads_value(response.content)
    except JsonRejected as exc:
        # The technical reason goes to `details()`; the sentence stays plain.
        raise _wrong(response, "an answer that is not JSON", f"body {exc}") from None


def parse_model(response: httpx.Response, parse: Callable[[Any], T]) -> T:
    body = parse_json(response)
    try:
        return parse(body)
    except ValueError as exc:
        raise _wrong(response, "an answer with missing or malformed fields", str(exc)) from None


def _wrong(response: httpx.Response, problem: str, *messages: str) -> WrongSuccess:
    return WrongSuccess(
        response.status_code,
        response.request.url.path,
        problem,
        response.headers.get("content-type"),
        messages,
    )


def result_user(body: Any) -> User:
    if not isinstance(body, dict) or "result" not in body:
        raise ValueError("user answer has no result")
    return User.from_json(body["result"])


def session_list(body: Any) -> list[BackendSession]:
    if not isinstance(body, list):
        raise ValueError("sessions answer is not a list")
    return [BackendSession.from_json(item) for item in body]
