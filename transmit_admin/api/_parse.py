"""Turning Transmit's JSON answers into models, or into UnexpectedResponse when they do not fit."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, TypeVar

import httpx

from transmit_admin.api.errors import UnexpectedResponse
from transmit_admin.api.models import BackendSession, User

T = TypeVar("T")


def parse_json(response: httpx.Response) -> Any:
    try:
        return json.loads(response.content)
    except (ValueError, UnicodeDecodeError):
        problem = "an empty answer" if not response.content else "an answer that is not JSON"
        raise UnexpectedResponse(
            response.status_code, None, (), response.request.url.path, problem
        ) from None


def parse_model(response: httpx.Response, parse: Callable[[Any], T]) -> T:
    body = parse_json(response)
    try:
        return parse(body)
    except ValueError as exc:
        raise UnexpectedResponse(
            response.status_code,
            None,
            (str(exc),),
            response.request.url.path,
            "an answer with missing or malformed fields",
        ) from None


def result_user(body: Any) -> User:
    if not isinstance(body, dict) or "result" not in body:
        raise ValueError("user answer has no result")
    return User.from_json(body["result"])


def session_list(body: Any) -> list[BackendSession]:
    if not isinstance(body, list):
        raise ValueError("sessions answer is not a list")
    return [BackendSession.from_json(item) for item in body]
