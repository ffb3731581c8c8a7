"""The async Transmit client: one method per endpoint of the backend-authentication API.

Usage::

    async with TransmitClient(env, secret=lambda: keyring_secret) as client:
        tokens = await client.authenticate_password("ana@example.com", pw, username_type="email")
        sessions = await client.list_user_sessions(user_id)

Every method returns a typed model or raises a `TransmitError` subclass whose `sentence()` a
support agent can read. The client secret is asked from `secret` only when a client token must
be fetched, and is never kept or logged.
"""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType
from typing import Any, Self
from urllib.parse import quote

import httpx

from transmit_admin import __version__
from transmit_admin.api._body import ACCEPT_ENCODING
from transmit_admin.api._http import HttpExchange, shared_tls_context
from transmit_admin.api._parse import (
    expect_status,
    parse_json,
    parse_model,
    result_user,
    session_list,
)
from transmit_admin.api._tokens import ClientTokenCache
from transmit_admin.api.errors import AccessDenied, UnexpectedResponse, WrongSuccess
from transmit_admin.api.models import BackendSession, ClientToken, TokenResponse, User, UserPage
from transmit_admin.api.retry import RetryPolicy
from transmit_admin.core.environment import Environment, check_base_url

USER_AGENT = f"transmit-admin/{__version__}"
MAX_JWKS_BYTES = 512 * 1024
TOKEN_PATH = "/oidc/token"  # noqa: S105 - a URL path, not a password
API = "/cis/v1"
# A support desk sends a handful of calls at a time (a bulk revoke: its concurrency); idle
# connections are kept a little while so consecutive clicks reuse them.
CONNECTION_LIMITS = httpx.Limits(
    max_connections=20, max_keepalive_connections=10, keepalive_expiry=5.0
)


class TransmitClient:
    def __init__(
        self,
        env: Environment,
        secret: Callable[[], str],
        *,
        timeout: float = 10.0,
        transport: httpx.AsyncBaseTransport | None = None,
        retry: RetryPolicy = RetryPolicy(),  # noqa: B008 - frozen, so sharing it is safe
        user_agent: str = USER_AGENT,
        clock: Callable[[], float] | None = None,
    ) -> None:
        if timeout <= 0:
            raise ValueError("timeout must be positive")
        self.env = env
        self._secret = secret
        # Environment checks this already; checking here too keeps the https rule in the one
        # place every request passes, whatever object was handed in.
        base_url = check_base_url(env.base_url)
        # httpx's own transport unless a test hands in another; it honours HTTPS_PROXY,
        # ALL_PROXY and NO_PROXY from the environment (trust_env).
        self._http = httpx.AsyncClient(
            base_url=base_url,
            transport=transport,
            verify=shared_tls_context(),
            limits=CONNECTION_LIMITS,
            follow_redirects=False,  # a redirect would resend the bearer token elsewhere
            headers={
                "User-Agent": user_agent,
                "Accept": "application/json",
                "Accept-Encoding": ACCEPT_ENCODING,  # the codings `_body` reads, bounded
            },
        )
        self._exchange = HttpExchange(self._http, timeout=timeout, retry=retry)
        kwargs = {} if clock is None else {"clock": clock}
        self._tokens = ClientTokenCache(self._fetch_client_token, **kwargs)

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._tokens.aclose()
        await self._http.aclose()

    # -- the client access token ---------------------------------------------------------

    async def client_token(self) -> str:
        """The app's client access token (cached; renewed about a minute before expiry)."""
        return await self._tokens.get()

    async def _fetch_client_token(self) -> ClientToken:
        form = {
            "grant_type": "client_credentials",
            "client_id": self.env.client_id,
            "client_secret": self._secret(),
        }
        response = await self._exchange.send("POST", TOKEN_PATH, safe=True, data=form)
        expect_status(response, 200)
        return parse_model(response, ClientToken.from_json)

    # -- backend authentication (never retried: codes and passcodes are single-use) -------

    async def send_magic_link(
        self,
        email: str,
        redirect_uri: str,
        *,
        state: str | None = None,
        expiration_minutes: int | None = None,
    ) -> None:
        body = _drop_none(
            email=email,
            redirect_uri=redirect_uri,
            state=state,
            email_expiration=expiration_minutes,
        )
        response = await self._call("POST", f"{API}/auth/link/email/send", safe=False, json=body)
        _require_object(response)

    async def authenticate_magic_link(
        self, code: str, *, session_id: str | None = None
    ) -> TokenResponse:
        body = _drop_none(code=code, session_id=session_id)
        return await self._authenticate(f"{API}/auth/link/email/authenticate", body)

    async def send_otp(
        self, identifier: str, *, channel: str = "email", identifier_type: str = "email"
    ) -> str | None:
        """Sends a one-time passcode; returns the code only for `channel="direct"`."""
        body = {"channel": channel, "identifier_type": identifier_type, "identifier": identifier}
        response = await self._call("POST", f"{API}/auth/otp/send", safe=False, json=body)
        answer = _require_object(response)
        code = answer.get("code")
        return code if isinstance(code, str) else None

    async def authenticate_otp(
        self,
        passcode: str,
        identifier: str,
        *,
        identifier_type: str = "email",
        session_id: str | None = None,
    ) -> TokenResponse:
        body = _drop_none(
            passcode=passcode,
            identifier_type=identifier_type,
            identifier=identifier,
            session_id=session_id,
        )
        return await self._authenticate(f"{API}/auth/otp/authenticate", body)

    async def authenticate_password(
        self,
        username: str,
        password: str,
        *,
        username_type: str | None = None,
        session_id: str | None = None,
    ) -> TokenResponse:
        body = _drop_none(
            username=username,
            password=password,
            username_type=username_type,
            session_id=session_id,
        )
        return await self._authenticate(f"{API}/auth/password/authenticate", body)

    async def authenticate_session(self, session_id: str) -> TokenResponse:
        """Silent authentication: new tokens for a live session, SessionNotFound for a dead one."""
        return await self._authenticate(
            f"{API}/auth/session/authenticate", {"session_id": session_id}
        )

    async def refresh(self, refresh_token: str) -> TokenResponse:
        body = {"refresh_token": refresh_token}
        response = await self._call("POST", f"{API}/auth/token/refresh", safe=False, json=body)
        return parse_model(response, lambda b: TokenResponse.from_json(b, session_required=False))

    async def _authenticate(self, path: str, body: dict[str, Any]) -> TokenResponse:
        response = await self._call("POST", path, safe=False, json=body)
        return parse_model(response, TokenResponse.from_json)

    # -- sessions ----------------------------------------------------------------------

    async def logout_session(self, session_id: str) -> None:
        """Ends one session. Only Transmit's documented 204 returns; any other success raises
        `WrongSuccess` (it confirms nothing). Retried when safe, so a retry after a lost answer
        may raise SessionNotFound for a session that this very call ended: already gone."""
        body = {"session_id": session_id}
        await self._call("POST", f"{API}/auth/session/logout", safe=True, json=body, expect=204)

    async def list_user_sessions(self, user_id: str) -> list[BackendSession]:
        response = await self._call("GET", f"{API}/auth/users/{_segment(user_id)}/sessions")
        return parse_model(response, session_list)

    async def revoke_user_sessions(self, user_id: str) -> None:
        """Logs out every session of the user; only the documented 204 returns (`WrongSuccess`
        otherwise, as for `logout_session`)."""
        await self._call("DELETE", f"{API}/auth/users/{_segment(user_id)}/sessions", expect=204)

    # -- users ---------------------------------------------------------------------------

    async def get_user_by_email(self, email: str) -> User:
        response = await self._call("GET", f"{API}/users/email/{_segment(email)}")
        return parse_model(response, result_user)

    async def get_user(self, user_id: str) -> User:
        response = await self._call("GET", f"{API}/users/{_segment(user_id)}")
        return parse_model(response, result_user)

    async def search_users(
        self, search: str, *, prefix: bool = False, offset: int = 0, limit: int = 50
    ) -> UserPage:
        """`prefix=True` matches the start of emails and phone numbers (`search_prefix`);
        otherwise `search` is a SCIM filter such as `email eq "ana@example.com"`."""
        params = {"search_prefix" if prefix else "search": search}
        params.update(page_offset=str(offset), page_limit=str(limit))
        response = await self._call("GET", f"{API}/users", params=params)
        return parse_model(response, UserPage.from_json)

    # -- keys ----------------------------------------------------------------------------

    async def fetch_jwks(self) -> dict[str, Any]:
        """The raw JWKS at the environment's JWKS URL (no token needed)."""
        response = await self._exchange.send("GET", self.env.jwks_url, safe=True)
        expect_status(response, 200)
        if len(response.content) > MAX_JWKS_BYTES:
            raise UnexpectedResponse(
                response.status_code, None, (), response.request.url.path, "an oversized key set"
            )
        keys = parse_json(response)
        if not isinstance(keys, dict) or not isinstance(keys.get("keys"), list):
            raise UnexpectedResponse(
                response.status_code, None, (), response.request.url.path, "a key set without keys"
            )
        return keys

    # -- plumbing ------------------------------------------------------------------------

    async def _call(
        self,
        method: str,
        path: str,
        *,
        safe: bool | None = None,
        json: Any = None,
        params: dict[str, str] | None = None,
        expect: int = 200,
    ) -> httpx.Response:
        """A backend call with the client token; the answer's status must be `expect`, the
        documented success (`WrongSuccess` otherwise). GET and DELETE are safe unless told
        otherwise.

        A 401 means Transmit no longer accepts our cached token (revoked, keys rotated): fetch
        a fresh one and try once more. Safe even for authenticate calls, because a request
        refused at the door never reached the code or passcode it carries.
        """
        repeatable = method in ("GET", "DELETE") if safe is None else safe
        token = await self._tokens.get()
        try:
            response = await self._exchange.send(
                method, path, safe=repeatable, headers=_bearer(token), json=json, params=params
            )
        except AccessDenied as refused:
            if refused.status != 401:
                raise
            self._tokens.invalidate(token)
            token = await self._tokens.get()
            response = await self._exchange.send(
                method, path, safe=repeatable, headers=_bearer(token), json=json, params=params
            )
        expect_status(response, expect)
        return response


def _require_object(response: httpx.Response) -> dict[str, Any]:
    """The body of a call documented to answer a JSON object (`{"message": …}`)."""
    answer = parse_json(response)
    if not isinstance(answer, dict):
        raise WrongSuccess(
            response.status_code,
            response.request.url.path,
            "an answer that is not a JSON object",
            response.headers.get("content-type"),
        )
    return answer


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _segment(value: str) -> str:
    # A user id or email goes into the path: keep '@' readable, encode '/', '?' and the rest.
    return quote(value, safe="@+")


def _drop_none(**fields: Any) -> dict[str, Any]:
    return {key: value for key, value in fields.items() if value is not None}
