"""Transmit-style error answers: `{"message": ..., "error_code": ...}` raised as exceptions.

Routes raise `ApiError`; `app.py` turns it into the JSON answer, so a route's happy path stays
straight-line code. `message` is a list for validation failures (as Transmit's NestJS pipes
answer) and a string otherwise; `error_code` is numeric unless Transmit documents a symbol.
"""

from __future__ import annotations

from typing import Any

from starlette.responses import JSONResponse


class ApiError(Exception):
    def __init__(
        self,
        status: int,
        message: str | list[str],
        error_code: int | str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message if isinstance(message, str) else "; ".join(message))
        self.status = status
        self.message = message
        self.error_code = status if error_code is None else error_code
        self.headers = headers or {}

    def response(self) -> JSONResponse:
        body: dict[str, Any] = {"message": self.message, "error_code": self.error_code}
        return JSONResponse(body, status_code=self.status, headers=self.headers)


class OAuthError(Exception):
    """An OAuth-style error of the token endpoint: `{"error", "error_description"}`."""

    def __init__(self, status: int, error: str, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.error = error
        self.description = description

    def response(self) -> JSONResponse:
        body = {"error": self.error, "error_description": self.description}
        return JSONResponse(body, status_code=self.status)


def unauthorized() -> ApiError:
    return ApiError(401, "Unauthorized", 401)


def session_not_found() -> ApiError:
    # Documented for silent authentication; the sandbox answers the same for logout [assumed].
    return ApiError(400, "Session not found", 400)


def user_not_found() -> ApiError:
    return ApiError(404, "User not found", 404)


def identifier_taken(identifier_type: str) -> ApiError:
    # `IdentifierIsTakenHttpError`: message a string, error_code a number; wording [assumed].
    return ApiError(409, f"A user with this {identifier_type} already exists", 409)
