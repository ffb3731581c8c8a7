"""Transmit's OpenAPI files (copied into tests/data/openapi/) as request/response validators.

    validate_request("POST", "/v1/auth/link/email/send", body)
    validate_response("POST", "/cis/v1/auth/session/logout", 204, None)

Paths may be templates (`/v1/auth/users/{userId}/sessions`) or concrete paths, with or without
the `/cis` prefix of the identity service (`/oidc/token` is the root token endpoint of
token.openapi.json; `/cis/oidc/token` is the one in oidc.openapi.json). A mismatch raises
`OpenApiMismatch` (an AssertionError, so pytest shows it as a failed check).

OpenAPI 3.0 is not JSON Schema; the conversion below handles what these files use:
`nullable`, boolean `exclusiveMinimum/Maximum`, documentation-only keywords, and `oneOf`
branches that overlap (the token request's three schemas all accept a request without
`resource`, so strict `oneOf` would reject every valid request): those become `anyOf`.
Statuses a file does not document are checked against the error shapes the contract
(`transmit-api.md`) states instead of passing unchecked.
"""

from __future__ import annotations

import copy
import functools
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jsonschema

OPENAPI_DIR = Path(__file__).resolve().parents[1] / "data" / "openapi"
_DOC_ONLY = {
    "example",
    "examples",
    "readOnly",
    "writeOnly",
    "deprecated",
    "xml",
    "externalDocs",
    "discriminator",
    "title",
}
_METHODS = ("get", "post", "put", "patch", "delete")

# [doc] error bodies: message a string or a list of strings; error_code a number or a string.
TRANSMIT_ERROR = {
    "type": "object",
    "required": ["message", "error_code"],
    "properties": {
        "message": {"anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]},
        "error_code": {"type": ["number", "string"]},
    },
}
OAUTH_ERROR = {
    "type": "object",
    "required": ["error"],
    "properties": {"error": {"type": "string"}, "error_description": {"type": "string"}},
}


class OpenApiMismatch(AssertionError):
    pass


@dataclass(frozen=True)
class Operation:
    method: str
    path: str  # full template, e.g. /cis/v1/auth/users/{userId}/sessions
    source: str  # file name
    spec: dict[str, Any]
    pattern: re.Pattern[str]


def _resolve(node: Any, document: dict[str, Any], seen: tuple[str, ...] = ()) -> Any:
    if isinstance(node, list):
        return [_resolve(item, document, seen) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        ref = node["$ref"]
        if ref in seen:  # a recursive schema: stop expanding, accept anything below
            return {}
        target: Any = document
        for part in ref.removeprefix("#/").split("/"):
            target = target[part.replace("~1", "/").replace("~0", "~")]
        return _resolve(target, document, (*seen, ref))
    return {key: _resolve(value, document, seen) for key, value in node.items()}


def to_json_schema(schema: Any) -> Any:
    """Converts a resolved OpenAPI 3.0 schema object to JSON Schema (draft 2020-12)."""
    if isinstance(schema, list):
        return [to_json_schema(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    converted: dict[str, Any] = {}
    for key, value in schema.items():
        if key in _DOC_ONLY or key == "nullable":
            continue
        if key == "properties":
            converted[key] = {name: to_json_schema(prop) for name, prop in value.items()}
        elif key == "oneOf":
            converted["anyOf"] = to_json_schema(value)
        else:
            converted[key] = to_json_schema(value)
    for bound, plain in (("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")):
        if converted.get(bound) is True and plain in converted:
            converted[bound] = converted.pop(plain)
        elif converted.get(bound) is False:
            del converted[bound]
    if schema.get("nullable") is True:
        if "type" in converted:
            kinds = (
                converted["type"] if isinstance(converted["type"], list) else [converted["type"]]
            )
            converted["type"] = [*kinds, "null"]
        if "enum" in converted:
            converted["enum"] = [*converted["enum"], None]
        if "type" not in converted and "enum" not in converted:
            converted = {"anyOf": [converted, {"type": "null"}]}
    return converted


@functools.cache
def operations() -> tuple[Operation, ...]:
    found: list[Operation] = []
    for path in sorted(OPENAPI_DIR.glob("*.openapi.json")):
        document = json.loads(path.read_text(encoding="utf-8"))
        base = urlsplit(document.get("servers", [{"url": ""}])[0]["url"]).path.rstrip("/")
        for template, item in document["paths"].items():
            for method, spec in item.items():
                if method not in _METHODS:
                    continue
                full = base + template
                regex = re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(full))
                found.append(
                    Operation(
                        method=method.upper(),
                        path=full,
                        source=path.name,
                        spec=_resolve(spec, document),
                        pattern=re.compile(f"^{regex}$"),
                    )
                )
    return tuple(found)


def find_operation(method: str, path: str) -> Operation:
    """The operation for a template or concrete path; templates win over pattern matches."""
    method = method.upper()
    path = urlsplit(path).path
    candidates = [path]
    if not path.startswith("/cis/") and path != "/oidc/token":
        candidates.append("/cis" + path)
    for candidate in candidates:
        for operation in operations():
            if operation.method == method and operation.path == candidate:
                return operation
    for candidate in candidates:
        matches = [op for op in operations() if op.method == method and op.pattern.match(candidate)]
        if matches:  # the literal path wins over a template (/v1/users/count vs {user_id})
            return min(matches, key=lambda op: op.path.count("{"))
    raise OpenApiMismatch(f"no operation {method} {path} in {OPENAPI_DIR}")


def _check(instance: Any, schema: Any, what: str) -> None:
    validator = jsonschema.Draft202012Validator(to_json_schema(copy.deepcopy(schema)))
    errors = sorted(validator.iter_errors(instance), key=lambda e: list(e.absolute_path))
    if errors:
        lines = [f"{'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message}" for e in errors]
        raise OpenApiMismatch(f"{what} does not match the OpenAPI schema:\n" + "\n".join(lines))


def validate_request(method: str, path: str, body: Any) -> Operation:
    """Checks a request body (parsed JSON, or a dict of form fields) against the operation."""
    operation = find_operation(method, path)
    request_body = operation.spec.get("requestBody")
    what = f"request {operation.method} {operation.path}"
    if request_body is None:
        if body not in (None, b"", ""):
            raise OpenApiMismatch(f"{what} takes no body, got {body!r}")
        return operation
    if body is None:
        if request_body.get("required"):
            raise OpenApiMismatch(f"{what} requires a body")
        return operation
    content = request_body.get("content", {})
    media = content.get("application/json") or next(iter(content.values()), {})
    _check(body, media.get("schema", {}), what)
    return operation


def validate_response(method: str, path: str, status: int, body: Any) -> Operation:
    """Checks a status and body (parsed JSON, None when empty) against the operation."""
    operation = find_operation(method, path)
    responses = operation.spec.get("responses", {})
    what = f"response {status} of {operation.method} {operation.path}"
    documented = responses.get(str(status)) or responses.get(f"{str(status)[0]}XX")
    if documented is None:
        if 200 <= status < 300:
            raise OpenApiMismatch(f"{what} is a success status the OpenAPI file does not list")
        fallback = (
            OAUTH_ERROR
            if operation.path.endswith("/oidc/token") and status == 401
            else (TRANSMIT_ERROR)
        )
        _check(body, fallback, what + " (undocumented status, contract error shape)")
        return operation
    content = documented.get("content")
    if not content:
        if body not in (None, b"", ""):
            raise OpenApiMismatch(f"{what} must have an empty body, got {body!r}")
        return operation
    media = content.get("application/json") or next(iter(content.values()))
    _check(body, media.get("schema", {}), what)
    return operation


def validate_httpx_response(response: Any) -> Operation:
    """Validates an httpx.Response (its request's method and path, its status and body)."""
    request = response.request
    text = response.content
    body = json.loads(text) if text else None
    return validate_response(request.method, request.url.path, response.status_code, body)
