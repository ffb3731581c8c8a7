"""Finding tokens and secrets in one HAR entry, by structure rather than by regex over text.

Places searched: the `Authorization` (and proxy / API-key) headers; `Cookie` and `Set-Cookie`
headers and both `cookies[]` lists; query strings and fragments of the request URL, `Referer`,
`Location` and `redirectURL`; form and JSON request bodies (`postData.text` and `params`);
JSON, form and HTML response bodies (base64 ones decoded), which covers the token responses
of `/oidc/token` and `/cis/v1/auth/*`; and every `_`-prefixed field. Field names decide the
kind (`session_id`, `code`, `passcode`, `password`, `client_secret`, `refresh_token`...); any
string that is a compact JWS/JWE is a JWT wherever it is. Values that are already this
package's placeholders (a sanitized export) are not secrets.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from transmit_admin.core.extract import JWT_CANDIDATE, looks_like_jose_header
from transmit_admin.core.har.entry import MAX_BODY_CHARS, Entry

MAX_DEPTH = 64
SANITIZED_SIGNATURE = "sanitized"  # length 9: no base64url text has it, no signature either
PLACEHOLDER = re.compile(r"redacted-[a-z_]+-[0-9a-f]{10}")


class SecretKind(StrEnum):  # the kinds' names, not secrets
    JWT = "jwt"
    OPAQUE_TOKEN = "opaque_token"  # noqa: S105
    REFRESH_TOKEN = "refresh_token"  # noqa: S105
    SESSION_ID = "session_id"
    COOKIE = "cookie"
    CODE = "code"  # an authorization or magic-link code, a PKCE verifier
    OTP = "otp"
    PASSWORD = "password"  # noqa: S105
    CLIENT_SECRET = "client_secret"  # noqa: S105
    BASIC_CREDENTIALS = "basic_credentials"


# Field, parameter and header names, lower case without `_` and `-`.
_NAME_KINDS = {
    "accesstoken": SecretKind.OPAQUE_TOKEN,
    "idtoken": SecretKind.OPAQUE_TOKEN,
    "idtokenhint": SecretKind.OPAQUE_TOKEN,
    "token": SecretKind.OPAQUE_TOKEN,
    "jwt": SecretKind.OPAQUE_TOKEN,
    "assertion": SecretKind.OPAQUE_TOKEN,
    "clientassertion": SecretKind.OPAQUE_TOKEN,
    "subjecttoken": SecretKind.OPAQUE_TOKEN,
    "actortoken": SecretKind.OPAQUE_TOKEN,
    "logouttoken": SecretKind.OPAQUE_TOKEN,
    "sessiontoken": SecretKind.OPAQUE_TOKEN,
    "authtoken": SecretKind.OPAQUE_TOKEN,
    "xauthtoken": SecretKind.OPAQUE_TOKEN,
    "apikey": SecretKind.OPAQUE_TOKEN,
    "xapikey": SecretKind.OPAQUE_TOKEN,
    "refreshtoken": SecretKind.REFRESH_TOKEN,
    "sessionid": SecretKind.SESSION_ID,
    "xsessionid": SecretKind.SESSION_ID,
    "code": SecretKind.CODE,
    "codeverifier": SecretKind.CODE,
    "magiclinkcode": SecretKind.CODE,
    "passcode": SecretKind.OTP,
    "otp": SecretKind.OTP,
    "otpcode": SecretKind.OTP,
    "verificationcode": SecretKind.OTP,
    "totp": SecretKind.OTP,
    "password": SecretKind.PASSWORD,
    "passwd": SecretKind.PASSWORD,
    "pwd": SecretKind.PASSWORD,
    "newpassword": SecretKind.PASSWORD,
    "oldpassword": SecretKind.PASSWORD,
    "currentpassword": SecretKind.PASSWORD,
    "clientsecret": SecretKind.CLIENT_SECRET,
}
_SECRET_HEADERS = {"authorization", "proxyauthorization"}
TEXT_NAMES = (
    *("access_token", "id_token", "refresh_token", "session_id", "code", "passcode"),
    *("password", "client_secret", "id_token_hint", "client_assertion", "code_verifier"),
)
# What follows a name in free text (scripts, HTML, logs): `=value` or `": "value"`.
_AFTER_NAME = re.compile(r"""=([^&#\s"'<>;,)]+)|["']\s*:\s*["']([^"'\\]+)["']""")
# <input type="hidden" name="code" value="…"> of a form_post response.
_HIDDEN_VALUE = re.compile(r"""["'][^>]*?\bvalue=["']([^"']*)["']""", re.I)
# Cheap test that a text may hold a compact JWS/JWE before the exact (slower) search.
_JWT_HINT = re.compile(r"e[wy][A-Za-z0-9_-]{2,}+\.[A-Za-z0-9_-]++\.")


def named_values_in_text(text: str) -> list[tuple[str, str, int, int]]:
    """`(name, value, start, end)` for each `name=value`, `"name": "value"` and hidden form
    input of a secret name in free text. Found by substring search, then one anchored match:
    a regex alternation of the names over a large script body is ten times slower."""
    if "=" not in text and ":" not in text:
        return []
    lowered = text.lower()
    found = []
    for name in TEXT_NAMES:
        position = lowered.find(name)
        while position != -1:
            before = lowered[position - 1] if position else " "
            after = position + len(name)
            if not (before.isalnum() or before == "_"):
                match = _AFTER_NAME.match(text, after)
                group = 1
                if (
                    match is None
                    and before in "\"'"
                    and lowered.rfind("name=", 0, position) == position - 6
                ):
                    match, group = _HIDDEN_VALUE.match(text, after), 1
                elif match is not None and match.group(1) is None:
                    group = 2
                if match is not None and match.group(group):
                    found.append((name, match.group(group), match.start(group), match.end(group)))
            position = lowered.find(name, after)
    return found


@dataclass(frozen=True, slots=True)
class Finding:
    kind: SecretKind
    value: str = field(repr=False)  # the raw secret: memory only
    place: str  # "request header Authorization", "response body access_token"...
    name: str = ""  # the field, parameter or cookie name it was under
    group: str | None = None  # findings of one body share it (a token response)


def normal_name(name: str) -> str:
    return name.lower().replace("_", "").replace("-", "")


def is_placeholder(value: str) -> bool:
    return PLACEHOLDER.fullmatch(value) is not None


def is_jwt(value: str) -> bool:
    dots = value.count(".")
    if dots not in (2, 4) or not looks_like_jose_header(value.split(".", 1)[0]):
        return False
    return JWT_CANDIDATE.fullmatch(value) is not None


def is_sanitized_jwt(value: str) -> bool:
    return value.count(".") == 2 and value.rsplit(".", 1)[1] == SANITIZED_SIGNATURE


def kind_for(name: str, value: str) -> SecretKind | None:
    """The kind of secret `value` is when found under `name`, or None when it is none."""
    value = value.strip()
    if not value or value in ("null", "undefined") or is_placeholder(value):
        return None
    if is_jwt(value):
        return None if is_sanitized_jwt(value) else SecretKind.JWT
    kind = _NAME_KINDS.get(normal_name(name))
    if kind is SecretKind.OPAQUE_TOKEN and value.isdigit() and len(value) <= 10:
        return SecretKind.OTP  # TOTP bodies send the code as `token`
    return kind


class EntryFinder:
    """Collects the findings of one entry (`find_in_entry` is the one-call form)."""

    def __init__(self, entry: Entry) -> None:
        self.entry = entry
        self.findings: list[Finding] = []

    def add(
        self, kind: SecretKind, value: str, place: str, name: str = "", group: str | None = None
    ) -> None:
        self.findings.append(Finding(kind, value, place, name, group))

    def named(self, name: str, value: Any, place: str, group: str | None = None) -> None:
        if isinstance(value, bool) or value is None:
            return
        if isinstance(value, int | float):
            value = str(value)
        if not isinstance(value, str):
            return
        kind = kind_for(name, value)
        if kind is not None:
            self.add(kind, value.strip(), place, name, group)
        else:
            self.text(value, place, group)

    def jwts(self, text: str, place: str, group: str | None = None) -> None:
        if "." not in text or _JWT_HINT.search(text) is None:
            return
        for match in JWT_CANDIDATE.finditer(text):
            value = match.group()
            if value.count(".") == 3 and value.endswith("."):
                value = value[:-1]
            if is_jwt(value) and not is_sanitized_jwt(value):
                self.add(SecretKind.JWT, value, place, "", group)

    def url(self, url: str, place: str) -> None:
        if not url:
            return
        try:
            parts = urlsplit(url)
        except ValueError:
            self.text(url, place)
            return
        for name, value in parse_qsl(parts.query, keep_blank_values=True):
            self.named(name, value, f"{place} query {name}")
        if "=" in parts.fragment:
            for name, value in parse_qsl(parts.fragment, keep_blank_values=True):
                self.named(name, value, f"{place} fragment {name}")
        self.jwts(unquote(parts.path), f"{place} path")

    def text(self, text: str, place: str, group: str | None = None) -> None:
        """Free text: JWTs, `name=value`, `"name": "value"`, hidden form inputs."""
        if not text:
            return
        self.jwts(text, place, group)
        for name, raw_value, _, _ in named_values_in_text(text):
            value = unquote(raw_value)
            kind = kind_for(name, value)
            if kind is not None and kind is not SecretKind.JWT:
                self.add(kind, value, f"{place} {name}", name, group)

    def json_value(self, value: Any, place: str, group: str | None, depth: int = 0) -> None:
        if depth > MAX_DEPTH:
            return
        if isinstance(value, dict):
            for name, item in value.items():
                if isinstance(item, dict | list):
                    self.json_value(item, f"{place}.{name}", group, depth + 1)
                else:
                    self.named(str(name), item, f"{place}.{name}", group)
                    if isinstance(item, str):
                        self.nested(item, f"{place}.{name}", group, depth)
        elif isinstance(value, list):
            for item in value:
                if isinstance(item, dict | list):
                    self.json_value(item, f"{place}[]", group, depth + 1)
                elif isinstance(item, str):
                    self.text(item, f"{place}[]", group)

    def nested(self, text: str, place: str, group: str | None, depth: int) -> None:
        """JSON written inside a string, or a URL: common in `_` fields and logs."""
        stripped = text.lstrip()
        if stripped.startswith(("{", "[")) and len(text) <= MAX_BODY_CHARS:
            with contextlib.suppress(ValueError, RecursionError):
                self.json_value(json.loads(text), place, group, depth + 1)
        elif stripped.startswith(("http://", "https://")) and ("?" in text or "#" in text):
            self.url(stripped, place)

    def body(self, text: str, mime: str, place: str, group: str) -> None:
        if not text:
            return
        stripped = text.lstrip()[:1]
        if ("json" in mime or stripped in ("{", "[")) and len(text) <= MAX_BODY_CHARS:
            try:
                data = json.loads(text)
            except (ValueError, RecursionError):
                data = None
            if isinstance(data, dict | list):
                self.json_value(data, place, group)
                return
        if "x-www-form-urlencoded" in mime or (
            "=" in text and " " not in text[:2000] and stripped not in ("<", "{", "[")
        ):
            for name, value in parse_qsl(text, keep_blank_values=True):
                self.named(name, value, f"{place} {name}", group)
            return
        self.text(text, place, group)

    def header(self, name: str, value: str, place: str) -> None:
        lowered = normal_name(name)
        if lowered in _SECRET_HEADERS:
            self.authorization(value, f"{place} {name}")
        elif lowered == "cookie":
            for cookie in value.split(";"):
                cookie_name, _, cookie_value = cookie.strip().partition("=")
                self.cookie(cookie_name, cookie_value, f"{place} Cookie {cookie_name}")
        elif lowered == "setcookie":
            for line in value.split("\n"):  # Firefox joins several Set-Cookie with newlines
                first = line.split(";", 1)[0]
                cookie_name, _, cookie_value = first.strip().partition("=")
                self.cookie(cookie_name, cookie_value, f"{place} Set-Cookie {cookie_name}")
        elif lowered in ("location", "referer", "contentlocation", "origin"):
            self.url(value, f"{place} {name}")
        elif lowered in _NAME_KINDS or "token" in lowered or "secret" in lowered:
            self.named(name if lowered in _NAME_KINDS else "token", value, f"{place} {name}")
        else:
            self.text(value, f"{place} {name}")

    def authorization(self, value: str, place: str) -> None:
        scheme, _, credentials = value.strip().partition(" ")
        credentials = credentials.strip()
        if not credentials:
            scheme, credentials = "", scheme
        if not credentials or is_placeholder(credentials) or is_sanitized_jwt(credentials):
            return
        if scheme.lower() == "basic":
            self.add(SecretKind.BASIC_CREDENTIALS, credentials, place, "Basic")
            try:
                decoded = base64.b64decode(credentials, validate=True).decode("utf-8")
            except (binascii.Error, ValueError):
                return
            user, colon, secret = decoded.partition(":")
            if colon and secret:
                self.add(SecretKind.CLIENT_SECRET, secret, f"{place} (Basic, {user[:40]})", user)
            return
        kind = SecretKind.JWT if is_jwt(credentials) else SecretKind.OPAQUE_TOKEN
        self.add(kind, credentials, place, scheme or "token")

    def cookie(self, name: str, value: str, place: str) -> None:
        value = value.strip().strip('"')
        if not value or is_placeholder(value) or is_sanitized_jwt(value):
            return
        decoded = unquote(value)
        if is_jwt(decoded):
            self.add(SecretKind.JWT, decoded, place, name)
            return
        self.add(SecretKind.COOKIE, value, place, name)
        self.jwts(decoded, place)

    def cookies(self, items: Any, place: str) -> None:
        for item in items if isinstance(items, list) else []:
            if isinstance(item, dict):
                name, value = item.get("name"), item.get("value")
                if isinstance(name, str) and isinstance(value, str):
                    self.cookie(name, value, f"{place} {name}")

    def custom_fields(self, value: Any, place: str, depth: int = 0) -> None:
        """`_`-prefixed members at any depth (Chrome's `_initiator`, proxies' own fields)."""
        if depth > 8:
            return
        if isinstance(value, dict):
            for name, item in value.items():
                where = f"{place}.{name}" if place else str(name)
                if str(name).startswith("_") or str(name) == "comment":
                    if isinstance(item, dict | list):
                        self.json_value(item, where, None, depth)
                    else:
                        self.named(str(name).lstrip("_"), item, where)
                        if isinstance(item, str):
                            self.nested(item, where, None, depth)
                elif isinstance(item, dict | list):
                    self.custom_fields(item, where, depth + 1)
        elif isinstance(value, list):
            for item in value:
                self.custom_fields(item, place, depth + 1)

    def run(self) -> list[Finding]:
        entry = self.entry
        request, response = entry.request, entry.response
        self.url(entry.url, "request URL")
        for name, value in _query_pairs(request.get("queryString")):
            self.named(name, value, f"request URL query {name}")
        for name, value in entry.request_headers():
            self.header(name, value, "request header")
        self.cookies(request.get("cookies"), "request cookie")
        request_group = f"{entry.index}:request"
        for name, value in entry.post_params():
            self.named(name, value, f"request body {name}", request_group)
        self.body(entry.post_text, entry.post_mime, "request body", request_group)
        for name, value in entry.response_headers():
            self.header(name, value, "response header")
        self.cookies(response.get("cookies"), "response cookie")
        self.url(entry.redirect_url, "response redirectURL")
        self.body(
            entry.response_text(), entry.response_mime, "response body", f"{entry.index}:response"
        )
        self.custom_fields(entry.raw, "")
        return self.findings


def _query_pairs(value: Any) -> Iterator[tuple[str, str]]:
    for item in value if isinstance(value, list) else []:
        if isinstance(item, dict) and isinstance(item.get("value"), str):
            yield str(item.get("name", "")), unquote(item["value"])


def find_in_entry(entry: Entry) -> list[Finding]:
    """Every secret in `entry`, with its place; one value may be found in several places."""
    return EntryFinder(entry).run()
