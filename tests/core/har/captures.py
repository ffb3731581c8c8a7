"""HAR captures shaped as Chrome, Firefox, Safari and a backend proxy (mitmproxy) write them,
of a sandbox-style login: password, then magic-link MFA, then a token refresh. Every secret
is planted in a known place so tests can check that each is found and none survives."""

from __future__ import annotations

import base64
import copy
import json
from typing import Any
from urllib.parse import quote

from tests.core.jwt_factory import NOW, good_token, id_claims, user_claims

APP = "https://app.example.com"
TRANSMIT = "https://tenant.transmit.test"
STARTED = "2027-01-15T08:00:00.000Z"  # = NOW: tokens' iat is NOW - 300

SECRETS = {
    "password": "correct-horse-battery",
    "client_secret": "cs_live_9f8e7d6c5b4a",
    "session_id": "sess_7d1f0c9a2b3e4f56",
    "refresh_token": "rt_0a1b2c3d4e5f6a7b8c9d",
    "refresh_token_2": "rt_ffeeddccbbaa99887766",
    "magic_code": "mlc_5c2e9a77b1d0",
    "otp": "482913",
    "app_cookie": "appsess_Q2hyb21lQ29va2ll",
    "ws_opaque": "ws-opaque-ticket-123456",
}


def tokens() -> dict[str, str]:
    return {
        "access": good_token(user_claims(jti="access-1")),
        "id": good_token(id_claims(email="alice@example.com", fname="Alice")),
        "access_2": good_token(user_claims(jti="access-2")),
        "client": good_token(user_claims(sub="client-abc", jti="client-1", aud="userid-api")),
        "ws": good_token(user_claims(jti="ws-1")),
    }


def _headers(**pairs: str) -> list[dict[str, str]]:
    return [{"name": k.replace("_", "-"), "value": v} for k, v in pairs.items()]


def _entry(method: str, url: str, status: int, **extra: Any) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "startedDateTime": STARTED,
        "time": 42.5,
        "request": {
            "method": method,
            "url": url,
            "httpVersion": "HTTP/1.1",
            "headers": extra.pop("request_headers", []),
            "queryString": extra.pop("query", []),
            "cookies": extra.pop("request_cookies", []),
            "headersSize": -1,
            "bodySize": 0,
        },
        "response": {
            "status": status,
            "statusText": "",
            "httpVersion": "HTTP/1.1",
            "headers": extra.pop("response_headers", []),
            "cookies": extra.pop("response_cookies", []),
            "content": extra.pop("content", {"size": 0, "mimeType": "text/plain", "text": ""}),
            "redirectURL": extra.pop("redirect", ""),
            "headersSize": -1,
            "bodySize": -1,
        },
        "cache": {},
        "timings": {"send": 1, "wait": 40, "receive": 1.5},
    }
    if "post" in extra:
        entry["request"]["postData"] = extra.pop("post")
    entry.update(extra)
    return entry


def _json_content(data: Any, *, base64_body: bool = False) -> dict[str, Any]:
    text = json.dumps(data)
    if base64_body:
        return {
            "size": len(text),
            "mimeType": "application/json",
            "text": base64.b64encode(text.encode()).decode(),
            "encoding": "base64",
        }
    return {"size": len(text), "mimeType": "application/json", "text": text}


def login_entries(t: dict[str, str], *, base64_bodies: bool = False) -> list[dict[str, Any]]:
    s = SECRETS
    token_response = {
        "access_token": t["access"],
        "id_token": t["id"],
        "refresh_token": s["refresh_token"],
        "token_type": "Bearer",
        "expires_in": 3600,
        "session_id": s["session_id"],
    }
    return [
        _entry("GET", f"{APP}/login", 200, request_headers=_headers(Accept="text/html")),
        _entry(
            "POST",
            f"{APP}/api/login",
            200,
            request_headers=_headers(Content_Type="application/json"),
            post={
                "mimeType": "application/json",
                "text": json.dumps({"username": "alice@example.com", "password": s["password"]}),
            },
            response_headers=_headers(
                Set_Cookie=f"app_session={s['app_cookie']}; Path=/; HttpOnly"
            ),
            response_cookies=[{"name": "app_session", "value": s["app_cookie"], "httpOnly": True}],
            content=_json_content({"mfa_required": True}),
        ),
        _entry(
            "POST",
            f"{TRANSMIT}/cis/v1/auth/password/authenticate",
            200,
            request_headers=_headers(Authorization=f"Bearer {t['client']}"),
            post={
                "mimeType": "application/json",
                "text": json.dumps({"username": "alice@example.com", "password": s["password"]}),
            },
            content=_json_content(token_response, base64_body=base64_bodies),
        ),
        _entry(
            "GET",
            f"{APP}/callback?code={s['magic_code']}&state=xyz",
            302,
            query=[{"name": "code", "value": s["magic_code"]}, {"name": "state", "value": "xyz"}],
            request_cookies=[{"name": "app_session", "value": s["app_cookie"]}],
            request_headers=_headers(Cookie=f"app_session={s['app_cookie']}; theme=dark"),
            response_headers=_headers(Location=f"{APP}/home#state=xyz&code={s['magic_code']}"),
            redirect=f"{APP}/home#state=xyz&code={s['magic_code']}",
        ),
        _entry(
            "POST",
            f"{TRANSMIT}/cis/v1/auth/link/email/authenticate",
            200,
            post={
                "mimeType": "application/json",
                "text": json.dumps({"code": s["magic_code"], "session_id": s["session_id"]}),
            },
            content=_json_content(
                {**token_response, "access_token": t["access_2"]}, base64_body=True
            ),
        ),
        _entry(
            "POST",
            f"{TRANSMIT}/cis/v1/auth/otp/authenticate",
            200,
            post={
                "mimeType": "application/json",
                "text": json.dumps({"passcode": s["otp"], "identifier": "alice@example.com"}),
            },
            content=_json_content({"message": "ok"}),
        ),
        _entry(
            "POST",
            f"{TRANSMIT}/oidc/token",
            200,
            post={
                "mimeType": "application/x-www-form-urlencoded",
                "text": (
                    f"grant_type=refresh_token&refresh_token={s['refresh_token']}"
                    f"&client_id=client-abc&client_secret={quote(s['client_secret'])}"
                ),
                "params": [
                    {"name": "grant_type", "value": "refresh_token"},
                    {"name": "refresh_token", "value": s["refresh_token"]},
                    {"name": "client_secret", "value": s["client_secret"]},
                ],
            },
            content=_json_content(
                {
                    "access_token": t["access_2"],
                    "refresh_token": s["refresh_token_2"],
                    "token_type": "Bearer",
                    "expires_in": 3600,
                },
                base64_body=base64_bodies,
            ),
        ),
        _entry(
            "GET",
            f"{APP}/home",
            401,
            request_headers=_headers(
                Authorization=f"Bearer {t['access_2']}",
                Referer=f"{APP}/callback?code={s['magic_code']}",
            ),
            content=_json_content({"error": "invalid_token", "error_description": "token expired"}),
            _webSocketMessages=[
                {
                    "type": "send",
                    "opcode": 1,
                    "data": json.dumps({"jwt": t["ws"], "session_token": s["ws_opaque"]}),
                }
            ],
        ),
    ]


def planted(t: dict[str, str]) -> list[str]:
    return [*SECRETS.values(), *(value for value in t.values())]


def chrome_har(t: dict[str, str]) -> dict[str, Any]:
    entries = login_entries(t)
    for entry in entries:
        entry["_initiator"] = {"type": "script", "url": f"{APP}/app.js"}
        entry["_priority"] = "High"
        entry["_resourceType"] = "fetch"
        entry["pageref"] = "page_1"
    blocked = _entry("GET", f"{APP}/analytics", 0)
    del blocked["response"]  # blocked by the client: Chrome writes no response
    blocked["time"] = "n/a"
    entries.append(blocked)
    return {
        "log": {
            "version": "1.2",
            "creator": {"name": "WebInspector", "version": "537.36"},
            "pages": [
                {
                    "startedDateTime": STARTED,
                    "id": "page_1",
                    "title": f"{APP}/login",
                    "pageTimings": {},
                }
            ],
            "entries": entries,
        }
    }


def firefox_har(t: dict[str, str]) -> dict[str, Any]:
    entries = login_entries(t)
    for entry in entries:
        for cookie in entry["request"]["cookies"] + entry["response"]["cookies"]:
            cookie.pop("httpOnly", None)  # and never a lastAccess
        entry["time"] = int(entry["time"])
        entry["serverIPAddress"] = "192.0.2.1"
    # Firefox joins several Set-Cookie headers into one value with newlines.
    entries[1]["response"]["headers"] = _headers(
        Set_Cookie=f"app_session={SECRETS['app_cookie']}; Path=/\ntheme=dark; Path=/"
    )
    return {
        "log": {
            "version": "1.2",
            "creator": {"name": "Firefox", "version": "128.0"},
            "browser": {"name": "Firefox", "version": "128.0"},
            "pages": [
                {"startedDateTime": STARTED, "id": "page_1", "title": "Login", "pageTimings": {}}
            ],
            "entries": entries,
        }
    }


def safari_har(t: dict[str, str]) -> dict[str, Any]:
    entries = login_entries(t, base64_bodies=True)
    for entry in entries[:2]:
        entry["response"]["content"] = {"size": 0, "mimeType": "application/json"}  # no text
    # A body marked base64 that is not.
    entries[5]["response"]["content"]["encoding"] = "base64"
    for entry in entries:
        entry["_fetchType"] = "Network Load"
    return {
        "log": {
            "version": "1.2",
            "creator": {"name": "WebKit Web Inspector", "version": "1.0"},
            "entries": entries,
        }
    }


def mitmproxy_har(t: dict[str, str]) -> dict[str, Any]:
    entries = [e for e in login_entries(t, base64_bodies=True) if TRANSMIT in e["request"]["url"]]
    for entry in entries:
        entry["request"]["headers"].append(
            {"name": "Authorization", "value": f"Bearer {t['client']}"}
        )
        entry["_resourceType"] = None
    # A Basic client-credentials call as a backend makes it.
    basic = base64.b64encode(f"client-abc:{SECRETS['client_secret']}".encode()).decode()
    entries.insert(
        0,
        _entry(
            "POST",
            f"{TRANSMIT}/oidc/token",
            200,
            request_headers=_headers(Authorization=f"Basic {basic}"),
            post={
                "mimeType": "application/x-www-form-urlencoded",
                "text": "grant_type=client_credentials",
            },
            content=_json_content(
                {"access_token": t["client"], "expires_in": 3600}, base64_body=True
            ),
        ),
    )
    return {
        "log": {
            "version": "1.2",
            "creator": {"name": "mitmproxy", "version": "11.0"},
            "entries": entries,
        }
    }


SHAPES = {
    "chrome": chrome_har,
    "firefox": firefox_har,
    "safari": safari_har,
    "mitmproxy": mitmproxy_har,
}


def har_bytes(har: dict[str, Any]) -> bytes:
    return json.dumps(har, indent=1).encode()


def copy_har(har: dict[str, Any]) -> dict[str, Any]:
    return copy.deepcopy(har)


__all__ = ["NOW", "SECRETS", "SHAPES", "har_bytes", "planted", "tokens"]
