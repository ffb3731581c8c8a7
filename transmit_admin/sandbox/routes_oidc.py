"""`/oidc/token` and `/cis/oidc/token` (client credentials), `/cis/oidc/jwks`.

A wrong client id or secret answers 401 in OAuth's shape,
`{"error": "invalid_client", "error_description": "client authentication failed"}`, as the
OpenID provider behind Transmit's token endpoint does [assumed: Transmit documents only 400].
A malformed request answers 400 in Transmit's shape; its `message` is a string on `/oidc/token`
and a list on `/cis/oidc/token`, as the two OpenAPI files that describe these paths say.
"""

from __future__ import annotations

import base64
import binascii
import hmac
from urllib.parse import parse_qsl, unquote

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from transmit_admin.sandbox.config import TOKEN_LIFETIME_SECONDS
from transmit_admin.sandbox.errors import ApiError, OAuthError
from transmit_admin.sandbox.guard import state_of
from transmit_admin.sandbox.validation import CLIENT_CREDENTIALS, problems


def _basic_credentials(request: Request) -> dict[str, str]:
    """client_secret_basic: `Authorization: Basic base64(id:secret)`, an OAuth alternative."""
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return {}
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return {}
    client_id, sep, secret = decoded.partition(":")
    return {"client_id": unquote(client_id), "client_secret": unquote(secret)} if sep else {}


async def token(request: Request) -> Response:
    state = state_of(request)
    listed = request.url.path.startswith("/cis/")
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != "application/x-www-form-urlencoded":
        message = ["Content-Type must be application/x-www-form-urlencoded"]
        raise ApiError(400, message if listed else message[0], 400)
    raw = (await request.body()).decode("utf-8", errors="replace")
    form = _basic_credentials(request) | dict(parse_qsl(raw, keep_blank_values=True))
    found = problems(form, CLIENT_CREDENTIALS)
    if found:
        raise ApiError(400, found if listed else "; ".join(found), 400)
    app = state.app
    good_id = hmac.compare_digest(form["client_id"], app.client_id)
    good_secret = hmac.compare_digest(form["client_secret"], app.client_secret)
    if not (good_id and good_secret):
        raise OAuthError(401, "invalid_client", "client authentication failed")
    access = state.minter.client_token(state.now(), form.get("resource") or None)
    body = {
        "access_token": access,
        "token_type": "Bearer",
        "expires_in": TOKEN_LIFETIME_SECONDS,
        "scope": "",
    }
    return JSONResponse(body, headers={"cache-control": "no-store"})


async def jwks(request: Request) -> Response:
    state = state_of(request)
    return JSONResponse(state.keys.jwks(state.now()))


async def openid_configuration(request: Request) -> Response:
    state = state_of(request)
    base = state.base_url
    return JSONResponse(
        {
            "issuer": state.issuer,
            "jwks_uri": f"{base}/cis/oidc/jwks",
            "token_endpoint": f"{base}/oidc/token",
            "id_token_signing_alg_values_supported": ["RS256"],
            "grant_types_supported": ["client_credentials"],
            "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
        }
    )


ROUTES = [
    Route("/oidc/token", token, methods=["POST"]),
    Route("/cis/oidc/token", token, methods=["POST"]),
    Route("/cis/oidc/jwks", jwks, methods=["GET"]),
    Route("/cis/oidc/.well-known/openid-configuration", openid_configuration, methods=["GET"]),
]
