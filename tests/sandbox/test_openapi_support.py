"""tests/support/openapi.py must catch what it exists to catch."""

from __future__ import annotations

import pytest

from tests.support.openapi import (
    OpenApiMismatch,
    find_operation,
    to_json_schema,
    validate_request,
    validate_response,
)

TOKENS = {"access_token": "a", "token_type": "Bearer", "expires_in": 3600, "session_id": "s"}


def test_finds_operations_by_template_or_concrete_path() -> None:
    assert find_operation("get", "/v1/auth/users/{userId}/sessions").source == (
        "backend-sessions.openapi.json"
    )
    concrete = find_operation("DELETE", "/cis/v1/auth/users/abc123/sessions")
    assert concrete.path == "/cis/v1/auth/users/{userId}/sessions"
    assert find_operation("GET", "/cis/v1/users/count").path == "/cis/v1/users/count"
    assert find_operation("POST", "/oidc/token").source == "token.openapi.json"
    assert find_operation("POST", "/cis/oidc/token").source == "oidc.openapi.json"
    with pytest.raises(OpenApiMismatch):
        find_operation("PATCH", "/v1/auth/session/logout")


def test_request_checks_required_fields_types_and_enums() -> None:
    validate_request(
        "POST",
        "/v1/auth/otp/send",
        {"channel": "email", "identifier_type": "email", "identifier": "a@b.c"},
    )
    with pytest.raises(OpenApiMismatch, match="identifier"):
        validate_request(
            "POST", "/v1/auth/otp/send", {"channel": "email", "identifier_type": "email"}
        )
    with pytest.raises(OpenApiMismatch, match="carrier-pigeon"):
        validate_request(
            "POST",
            "/v1/auth/otp/send",
            {"channel": "carrier-pigeon", "identifier_type": "email", "identifier": "x"},
        )
    with pytest.raises(OpenApiMismatch, match="is not of type 'string'"):
        validate_request("POST", "/v1/auth/session/logout", {"session_id": 42})
    with pytest.raises(OpenApiMismatch, match="requires a body"):
        validate_request("POST", "/v1/auth/session/logout", None)


def test_token_request_accepts_a_plain_client_credentials_form() -> None:
    # Strict oneOf would refuse this: all three of token.openapi.json's branches accept it.
    form = {"grant_type": "client_credentials", "client_id": "i", "client_secret": "s"}
    validate_request("POST", "/oidc/token", form)
    validate_request("POST", "/cis/oidc/token", form)
    with pytest.raises(OpenApiMismatch):
        validate_request("POST", "/oidc/token", {"grant_type": "client_credentials"})


def test_response_checks_documented_shapes() -> None:
    validate_response("POST", "/v1/auth/link/email/authenticate", 200, TOKENS)
    with pytest.raises(OpenApiMismatch, match="session_id"):
        validate_response(
            "POST",
            "/v1/auth/link/email/authenticate",
            200,
            {k: v for k, v in TOKENS.items() if k != "session_id"},
        )
    validate_response("POST", "/v1/auth/session/logout", 204, None)
    with pytest.raises(OpenApiMismatch, match="empty body"):
        validate_response("POST", "/v1/auth/session/logout", 204, {"ok": True})
    with pytest.raises(OpenApiMismatch, match="success status"):
        validate_response("POST", "/v1/auth/session/logout", 200, None)
    with pytest.raises(OpenApiMismatch, match="error_code"):
        validate_response("GET", "/v1/users/abc", 404, {"message": "User not found"})


def test_undocumented_errors_must_have_the_contract_error_shape() -> None:
    validate_response(
        "POST", "/v1/auth/otp/authenticate", 403, {"message": "locked", "error_code": "auth_locked"}
    )
    validate_response("POST", "/oidc/token", 401, {"error": "invalid_client"})
    with pytest.raises(OpenApiMismatch):
        validate_response("POST", "/v1/auth/otp/authenticate", 401, {"detail": "nope"})
    with pytest.raises(OpenApiMismatch):
        validate_response("POST", "/v1/auth/otp/authenticate", 502, None)


def test_nullable_and_exclusive_bounds_are_converted() -> None:
    converted = to_json_schema(
        {
            "type": "object",
            "properties": {
                "a": {"type": "string", "nullable": True, "example": "x"},
                "b": {"type": "number", "minimum": 0, "exclusiveMinimum": True},
                "c": {"enum": ["x"], "nullable": True},
                "d": {"oneOf": [{"type": "string"}], "readOnly": True},
            },
        }
    )
    props = converted["properties"]
    assert props["a"] == {"type": ["string", "null"]}
    assert props["b"] == {"type": "number", "exclusiveMinimum": 0}
    assert props["c"] == {"enum": ["x", None]}
    assert props["d"] == {"anyOf": [{"type": "string"}]}
