"""A browser capture of a real sandbox login, written to a file: what a customer attaches.

The customer app's own login API answers the browser with the token response it got from
the sandbox (a common, leaky shape), the app sets a cookie, and a magic-link callback carries
a code. `secrets_of` lists every value a view or file must never show.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

APP = "https://shop.example.com"


def _entry(method: str, url: str, status: int, body: Any, **extra: Any) -> dict[str, Any]:
    text = json.dumps(body) if body is not None else ""
    return {
        "startedDateTime": extra.pop("started", "2026-12-03T10:00:00.000Z"),
        "time": 35.0,
        "request": {
            "method": method,
            "url": url,
            "httpVersion": "HTTP/2",
            "headers": extra.pop("request_headers", []),
            "queryString": [],
            "cookies": extra.pop("request_cookies", []),
            "headersSize": -1,
            "bodySize": -1,
            **({"postData": extra.pop("post")} if "post" in extra else {}),
        },
        "response": {
            "status": status,
            "statusText": "",
            "httpVersion": "HTTP/2",
            "headers": extra.pop("response_headers", []),
            "cookies": [],
            "content": {"size": len(text), "mimeType": "application/json", "text": text},
            "redirectURL": extra.pop("redirect", ""),
            "headersSize": -1,
            "bodySize": -1,
        },
        "cache": {},
        "timings": {"send": 1, "wait": 30, "receive": 4},
    }


def login_capture(
    token_responses: list[dict[str, Any]], *, base_url: str, password: str = "Demo-pass-1"
) -> dict[str, Any]:
    """A HAR whose entries carry each token response (one login each), then a 401."""
    entries = []
    for n, response in enumerate(token_responses):
        entries.append(
            _entry(
                "POST",
                f"{APP}/api/login",
                200,
                response,
                post={
                    "mimeType": "application/json",
                    "text": json.dumps({"username": f"user{n}@example.com", "password": password}),
                },
                response_headers=[
                    {"name": "Set-Cookie", "value": f"shop_sid=shopcookie{n:04d}xyz; HttpOnly"}
                ],
            )
        )
    entries.append(
        _entry(
            "GET",
            f"{APP}/callback?code=mlc_capturedcode77&state=s1",
            302,
            None,
            redirect=f"{APP}/home",
            response_headers=[{"name": "Location", "value": f"{APP}/home"}],
        )
    )
    entries.append(
        _entry(
            "POST",
            f"{base_url}/oidc/token",
            401,
            {"error": "invalid_grant", "error_description": "The refresh token has expired"},
        )
    )
    return {
        "log": {
            "version": "1.2",
            "creator": {"name": "WebInspector", "version": "537.36"},
            "browser": {"name": "Chrome", "version": "131"},
            "entries": entries,
        }
    }


def write_capture(path: Path, har: dict[str, Any]) -> Path:
    path.write_text(json.dumps(har, indent=1), encoding="utf-8")
    return path


def secrets_of(
    token_responses: list[dict[str, Any]],
    password: str = "Demo-pass-1",
    *,
    session_ids: bool = True,
) -> list[str]:
    """Every secret planted by `login_capture`: tokens, session ids (the store's key, so
    `session_ids=False` for what may be on disk), codes, the password."""
    found = [password, "mlc_capturedcode77"]
    for n, response in enumerate(token_responses):
        found.append(f"shopcookie{n:04d}xyz")
        names = ["access_token", "id_token", "refresh_token"] + ["session_id"] * session_ids
        for name in names:
            value = response.get(name)
            if isinstance(value, str) and value:
                found.append(value)
    return found


def sandbox_login(admin: Any, email: str) -> dict[str, Any]:
    """A real token response for `email` from the sandbox (`SandboxAdmin`), ID token with
    the email claim: what the customer's backend received and its login API passed on."""
    response = admin.http.post(
        "/cis/v1/auth/password/authenticate",
        json={
            "username": email,
            "password": admin.demo_password,
            "username_type": "email",
            "claims": {"id_token": {"email": None}},
        },
        headers={"Authorization": f"Bearer {admin.client_token()}"},
    )
    response.raise_for_status()
    data: dict[str, Any] = response.json()
    return data
