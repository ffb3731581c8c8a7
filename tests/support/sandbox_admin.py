"""`SandboxAdmin`: a small synchronous client for a sandbox's `/sandbox/*` helper routes,
plus the Transmit calls most tests need as set-up (a client access token, a password login),
whose answers are checked against the OpenAPI files."""

from __future__ import annotations

import functools
import ssl
from typing import Any

import httpx

from tests.support.openapi import validate_httpx_response
from transmit_admin.sandbox.runner import SandboxInfo


@functools.cache
def shared_tls_context() -> ssl.SSLContext:
    """One verifying TLS context for all test clients: httpx builds a new one per client
    otherwise (about 0.1 s each on a busy machine), although the sandbox speaks plain http."""
    return ssl.create_default_context()


class SandboxAdmin:
    def __init__(self, info: SandboxInfo, timeout: float = 10.0) -> None:
        self.info = info
        self.http = httpx.Client(
            base_url=info.base_url, timeout=timeout, verify=shared_tls_context()
        )

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> SandboxAdmin:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _get(self, path: str, **params: Any) -> Any:
        response = self.http.get(path, params={k: v for k, v in params.items() if v is not None})
        response.raise_for_status()
        return response.json()

    def _post(self, path: str, body: dict[str, Any]) -> Any:
        response = self.http.post(path, json=body)
        response.raise_for_status()
        return response.json()

    # -- /sandbox/* --------------------------------------------------------------------------
    def details(self) -> dict[str, Any]:
        """`GET /sandbox/info`: ids, demo password, TOTP secret, users."""
        result: dict[str, Any] = self._get("/sandbox/info")
        return result

    def users(self) -> list[dict[str, Any]]:
        return list(self.details()["users"])

    def active_users(self) -> list[dict[str, Any]]:
        return [u for u in self.users() if u["status"] == "Active"]

    @property
    def demo_password(self) -> str:
        return str(self.details()["demo_password"])

    def outbox(self, recipient: str | None = None) -> list[dict[str, Any]]:
        return list(self._get("/sandbox/outbox", recipient=recipient))

    def latest_message(self, recipient: str) -> dict[str, Any]:
        messages = self.outbox(recipient)
        assert messages, f"nothing in the sandbox outbox for {recipient}"
        return messages[0]

    def requests(self) -> list[dict[str, Any]]:
        return list(self._get("/sandbox/requests"))

    def sessions(self) -> list[dict[str, Any]]:
        return list(self._get("/sandbox/sessions"))

    def session(self, session_id: str) -> dict[str, Any]:
        return next(s for s in self.sessions() if s["session_id"] == session_id)

    def faults(self) -> dict[str, Any]:
        result: dict[str, Any] = self._get("/sandbox/faults")
        return result

    def set_faults(self, **settings: Any) -> dict[str, Any]:
        """E.g. `set_faults(next=["503"])`, `set_faults(latency_ms=200, routes=["/cis/*"])`."""
        result: dict[str, Any] = self._post("/sandbox/faults", settings)
        return result

    def reset_faults(self) -> dict[str, Any]:
        return self.set_faults(reset=True)

    def rotate_key(self, grace_seconds: float | None = None) -> dict[str, Any]:
        body = {} if grace_seconds is None else {"grace_seconds": grace_seconds}
        result: dict[str, Any] = self._post("/sandbox/rotate-key", body)
        return result

    def advance_clock(self, seconds: float) -> dict[str, Any]:
        result: dict[str, Any] = self._post("/sandbox/clock", {"advance_seconds": seconds})
        return result

    # -- Transmit calls tests need as set-up ------------------------------------------------
    def client_token(self) -> str:
        response = self.http.post(
            "/oidc/token",
            data={
                "grant_type": "client_credentials",
                "client_id": self.info.client_id,
                "client_secret": self.info.client_secret,
            },
        )
        response.raise_for_status()
        validate_httpx_response(response)
        return str(response.json()["access_token"])

    def bearer(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.client_token()}"}

    def password_login(self, username: str, session_id: str | None = None) -> dict[str, Any]:
        """A first factor for a seeded user (by username): the token response."""
        body: dict[str, Any] = {"username": username, "password": self.demo_password}
        if session_id is not None:
            body["session_id"] = session_id
        response = self.http.post(
            "/cis/v1/auth/password/authenticate", json=body, headers=self.bearer()
        )
        response.raise_for_status()
        validate_httpx_response(response)
        result: dict[str, Any] = response.json()
        return result
