"""Request-body validation as strict as Transmit's OpenAPI files: required fields, types, enums.

Failures answer 400 `{"message": [one sentence per problem], "error_code": 400}`, worded like
the class-validator messages Transmit's API returns ("email should not be empty"). Unknown
fields are accepted, as the OpenAPI schemas do not forbid them.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request

from transmit_admin.sandbox.errors import ApiError

IDENTIFIER_TYPES = ("email", "phone_number", "user_id", "username")


@dataclass(frozen=True)
class Field:
    name: str
    kind: str  # string, number, boolean, object, array (of strings)
    required: bool = False
    enum: tuple[str, ...] = ()
    nested: tuple[Field, ...] = ()


_CLIENT_ATTRIBUTES = (Field("user_agent", "string"), Field("ip_address", "string"))
_CLAIMS = (
    Field("id_token", "object"),
    Field("access_token", "object"),
    Field("userinfo", "object"),
)
# Optional on every authenticate call (shared by the OpenAPI DTOs).
_COMMON = (
    Field("resource", "string"),
    Field("claims", "object", nested=_CLAIMS),
    Field("org_id", "string"),
    Field("client_attributes", "object", nested=_CLIENT_ATTRIBUTES),
    Field("session_id", "string"),
)
_EMAIL_CONTENT = (Field("subject", "string", required=True),)

MAGIC_LINK_SEND = (
    Field("email", "string", required=True),
    Field("redirect_uri", "string", required=True),
    Field("email_content", "object", nested=_EMAIL_CONTENT),
    Field("state", "string"),
    Field("email_expiration", "number"),
    Field("channel", "string", enum=("email", "direct")),
    Field("client_attributes", "object", nested=_CLIENT_ATTRIBUTES),
)
MAGIC_LINK_AUTHENTICATE = (*_COMMON, Field("code", "string", required=True))
OTP_SEND = (
    Field("channel", "string", required=True, enum=("sms", "email", "direct")),
    Field("identifier_type", "string", required=True, enum=IDENTIFIER_TYPES),
    Field("identifier", "string", required=True),
    Field("email_content", "object", nested=_EMAIL_CONTENT),
    Field("custom_sms_input", "object"),
    Field("approval_data", "object"),
    Field("custom_email", "string"),
    Field("custom_phone_number", "string"),
    Field("client_attributes", "object", nested=_CLIENT_ATTRIBUTES),
    Field("expires_in", "number"),
)
OTP_AUTHENTICATE = (
    *_COMMON,
    Field("passcode", "string", required=True),
    Field("identifier_type", "string", required=True, enum=IDENTIFIER_TYPES),
    Field("identifier", "string", required=True),
)
PASSWORD_AUTHENTICATE = (
    *_COMMON,
    Field("username", "string", required=True),
    Field("password", "string", required=True),
    Field("username_type", "string", enum=("username", "email", "phone_number")),
)
TOTP_AUTHENTICATE = (
    *_COMMON,
    Field("token", "string", required=True),
    Field("identifier", "string", required=True),
    Field("identifier_type", "string", enum=IDENTIFIER_TYPES),
)
SESSION_AUTHENTICATE = tuple(
    Field(f.name, f.kind, required=True) if f.name == "session_id" else f for f in _COMMON
)
REFRESH = (Field("refresh_token", "string", required=True),)
LOGOUT = (Field("session_id", "string", required=True),)
# ApiCreateUserInput (user.openapi.json). That at least one identifier is given, and the
# formats of email and phone number, are checked by `signup.py`.
_USER_NAME = tuple(
    Field(name, "string") for name in ("title", "first_name", "last_name", "middle_name")
)
_ADDRESS = (
    *(
        Field(name, "string")
        for name in ("country", "state", "city", "street_address", "postal_code")
    ),
    Field("type", "string", enum=("Home", "Work", "Other")),
)
_PASSWORD_INPUT = (
    Field("password", "string", required=True),
    Field("force_replace", "boolean"),
)
_DELEGATED_ACCESS = (
    Field("actor_id", "string", required=True),
    Field("permissions", "array", required=True),
)
CREATE_USER = (
    Field("email", "string"),
    Field("phone_number", "string"),
    Field("username", "string"),
    Field("secondary_emails", "array"),
    Field("secondary_phone_numbers", "array"),
    Field("birthday", "string"),
    Field("address", "object", nested=_ADDRESS),
    Field("name", "object", nested=_USER_NAME),
    Field("external_account_id", "string"),
    Field("custom_app_data", "object"),
    Field("picture", "string"),
    Field("language", "string"),
    Field("custom_data", "object"),
    Field("external_user_id", "string"),
    Field("credentials", "object", nested=_PASSWORD_INPUT),
    Field("delegated_access", "object", nested=_DELEGATED_ACCESS),
)
CLIENT_CREDENTIALS = (
    Field("client_id", "string", required=True),
    Field("client_secret", "string", required=True),
    Field("grant_type", "string", required=True, enum=("client_credentials",)),
    Field("resource", "string"),
)


def problems(body: Mapping[str, Any], fields: tuple[Field, ...], prefix: str = "") -> list[str]:
    found: list[str] = []
    for field in fields:
        name = prefix + field.name
        if field.name not in body or body[field.name] is None:
            if field.required:
                found.append(f"{name} should not be empty")
            continue
        value = body[field.name]
        if field.kind == "string" and not isinstance(value, str):
            found.append(f"{name} must be a string")
        elif field.kind == "number" and (
            isinstance(value, bool) or not isinstance(value, int | float)
        ):
            found.append(f"{name} must be a number conforming to the specified constraints")
        elif field.kind == "boolean" and not isinstance(value, bool):
            found.append(f"{name} must be a boolean value")
        elif field.kind == "object" and not isinstance(value, dict):
            found.append(f"{name} must be an object")
        elif field.kind == "array" and (
            not isinstance(value, list) or not all(isinstance(item, str) for item in value)
        ):
            found.append(f"each value in {name} must be a string")
        elif field.enum and value not in field.enum:
            found.append(f"{name} must be one of the following values: {', '.join(field.enum)}")
        elif field.required and field.kind == "string" and value == "":
            found.append(f"{name} should not be empty")
        elif field.nested and isinstance(value, dict):
            found.extend(problems(value, field.nested, prefix=f"{name}."))
    return found


def check(body: Mapping[str, Any], fields: tuple[Field, ...]) -> None:
    found = problems(body, fields)
    if found:
        raise ApiError(400, found, 400)


async def json_body(request: Request, fields: tuple[Field, ...]) -> dict[str, Any]:
    """The request's JSON object, validated against `fields`; ApiError(400) otherwise."""
    raw = await request.body()
    try:
        body = json.loads(raw) if raw else None
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise ApiError(400, ["body must be valid JSON"], 400) from None
    if not isinstance(body, dict):
        raise ApiError(400, ["body must be a JSON object"], 400)
    check(body, fields)
    return body
