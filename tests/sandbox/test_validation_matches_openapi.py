"""The sandbox's request rules (sandbox/validation.py) say what the OpenAPI files say."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.openapi import find_operation
from transmit_admin.sandbox import validation
from transmit_admin.sandbox.validation import Field

RULES = [
    ("/v1/auth/link/email/send", validation.MAGIC_LINK_SEND),
    ("/v1/auth/link/email/authenticate", validation.MAGIC_LINK_AUTHENTICATE),
    ("/v1/auth/otp/send", validation.OTP_SEND),
    ("/v1/auth/otp/authenticate", validation.OTP_AUTHENTICATE),
    ("/v1/auth/password/authenticate", validation.PASSWORD_AUTHENTICATE),
    ("/v1/auth/totp/authenticate", validation.TOTP_AUTHENTICATE),
    ("/v1/auth/session/authenticate", validation.SESSION_AUTHENTICATE),
    ("/v1/auth/token/refresh", validation.REFRESH),
    ("/v1/auth/session/logout", validation.LOGOUT),
    ("/v1/users", validation.CREATE_USER),
]


def _schema(path: str) -> dict[str, Any]:
    body = find_operation("POST", path).spec["requestBody"]["content"]["application/json"]
    schema: dict[str, Any] = body["schema"]
    return schema


def _kind(prop: dict[str, Any]) -> str:
    if "type" in prop:
        return str(prop["type"])
    return "object"  # allOf of one $ref'd object schema, as these files write nested objects


@pytest.mark.parametrize(("path", "fields"), RULES)
def test_rules_match_the_request_schema(path: str, fields: tuple[Field, ...]) -> None:
    schema = _schema(path)
    ours = {f.name: f for f in fields}
    assert {f.name for f in fields if f.required} == set(schema.get("required", []))
    for name, prop in schema["properties"].items():
        assert name in ours, f"{path}: the sandbox ignores the documented field {name}"
        assert ours[name].kind == _kind(prop), f"{path}: {name}"
        assert set(ours[name].enum) == set(prop.get("enum", [])), f"{path}: {name}"
    unknown = set(ours) - set(schema["properties"])
    assert not unknown, f"{path}: the sandbox checks undocumented fields {unknown}"


def _check_nested(where: str, schema: dict[str, Any], fields: tuple[Field, ...]) -> None:
    ours = {f.name: f for f in fields}
    assert {f.name for f in fields if f.required} == set(schema.get("required", [])), where
    assert set(ours) == set(schema["properties"]), where
    for name, prop in schema["properties"].items():
        target = prop["allOf"][0] if "allOf" in prop else prop
        assert ours[name].kind == _kind(target), f"{where}.{name}"
        assert set(ours[name].enum) == set(target.get("enum", [])), f"{where}.{name}"


def test_create_user_nested_rules_match_the_schema() -> None:
    """credentials, name, address and delegated_access, one level down."""
    schema = _schema("/v1/users")
    for field in validation.CREATE_USER:
        if field.nested:
            nested = schema["properties"][field.name]["allOf"][0]
            _check_nested(f"/v1/users {field.name}", nested, field.nested)


def test_client_credentials_rules_match_the_token_form() -> None:
    operation = find_operation("POST", "/cis/oidc/token")
    form = operation.spec["requestBody"]["content"]["application/x-www-form-urlencoded"]
    client_creds = next(
        s
        for s in form["schema"]["oneOf"]
        if "client_secret" in s["required"]
        and s["properties"].get("grant_type", {}).get("enum") == ["client_credentials"]
    )
    ours = {f.name: f for f in validation.CLIENT_CREDENTIALS}
    assert {n for n, f in ours.items() if f.required} == set(client_creds["required"])
    assert set(ours) == set(client_creds["properties"])
