"""Replacing secrets inside one HAR entry, by structure, with stable placeholders.

JWTs keep their header and payload and lose their signature (readable, never replayable);
every other secret becomes `redacted-<kind>-<keyed hash>`, the same value getting the same
placeholder within one export so correlation survives. After the structured places (URLs,
headers, cookies, bodies, base64 bodies re-encoded) every remaining string of the entry, `_`
fields included, is searched for any known secret and any JWT.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
from collections import Counter
from collections.abc import Iterable
from typing import Any
from urllib.parse import quote, unquote

from transmit_admin.core.b64 import Base64Error, b64url_decode_strict, b64url_encode
from transmit_admin.core.extract import JWT_CANDIDATE
from transmit_admin.core.har.entry import MAX_BODY_CHARS, Entry, decode_body
from transmit_admin.core.har.finders import (
    _JWT_HINT as JWT_HINT,
)
from transmit_admin.core.har.finders import (
    SANITIZED_SIGNATURE,
    SecretKind,
    is_jwt,
    is_placeholder,
    is_sanitized_jwt,
    kind_for,
    named_values_in_text,
    normal_name,
)
from transmit_admin.core.redact import mask_email, mask_phone

MIN_ANYWHERE = 6  # shorter values are replaced only where found, not in every string
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
_PHONE = re.compile(r"(?<![\w+])\+\d[\d \-]{7,16}\d(?!\w)")
_PII_NAMES = {
    "name", "fname", "lname", "givenname", "familyname", "firstname", "lastname",
    "middlename", "nickname", "displayname", "fullname", "username", "preferredusername",
}  # fmt: skip
_PII_PHONE_NAMES = {"phone", "phonenumber", "mobile", "tel"}
_SECRET_HEADERS = {"authorization", "proxyauthorization"}


class Scrubber:
    def __init__(
        self, key: bytes, known: Iterable[tuple[str, SecretKind]], *, mask_pii: bool
    ) -> None:
        self._key = key
        self.mask_pii = mask_pii
        self.replaced: Counter[str] = Counter()
        self._table: dict[str, str] = {}
        for value, kind in known:
            self._table[value] = self.placeholder(kind, value)
        anywhere = sorted((v for v in self._table if len(v) >= MIN_ANYWHERE), key=len, reverse=True)
        self._forms: dict[str, str] = {}
        for value in anywhere:
            self._forms[value] = self._table[value]
            for form in (quote(value, safe=""), quote(value, safe="/:")):
                self._forms.setdefault(form, quote(self._table[value], safe=""))
            escaped = json.dumps(value)[1:-1]
            self._forms.setdefault(escaped, self._table[value])

    def _hash(self, value: str) -> str:
        return hmac.new(
            self._key, value.encode("utf-8", "surrogatepass"), hashlib.sha256
        ).hexdigest()[:10]

    def placeholder(self, kind: SecretKind, value: str) -> str:
        if kind is SecretKind.JWT and value.count(".") == 2:
            header, payload, _ = value.split(".")
            if self.mask_pii:
                payload = self._mask_payload(payload)
            return f"{header}.{payload}.{SANITIZED_SIGNATURE}"
        return f"redacted-{kind.value}-{self._hash(value)}"

    def _mask_payload(self, payload: str) -> str:
        try:
            claims = json.loads(b64url_decode_strict(payload))
        except (Base64Error, ValueError):
            return payload
        masked = self.pii_value(claims, "")
        return b64url_encode(json.dumps(masked, separators=(",", ":")).encode())

    def secret(self, kind: SecretKind, value: str) -> str:
        self.replaced[kind.value] += 1
        return self._table.get(value) or self.placeholder(kind, value)

    # Strings anywhere ---------------------------------------------------------------
    def text(self, text: str) -> str:
        if not text:
            return text
        if self._forms and len(text) >= MIN_ANYWHERE:
            present = [form for form in self._forms if form in text]
            if present:
                pattern = re.compile(
                    "|".join(map(re.escape, sorted(present, key=len, reverse=True)))
                )
                text = pattern.sub(self._known, text)
        if "." in text and JWT_HINT.search(text) is not None:
            text = JWT_CANDIDATE.sub(self._jwt_match, text)
        if self.mask_pii:
            text = _PHONE.sub(lambda m: mask_phone(m.group()), _EMAIL.sub(self._email, text))
        return text

    def _known(self, match: re.Match[str]) -> str:
        self.replaced["anywhere"] += 1
        return self._forms[match.group()]

    def _jwt_match(self, match: re.Match[str]) -> str:
        value = match.group()
        tail = ""
        if value.count(".") == 3 and value.endswith("."):
            value, tail = value[:-1], "."
        if not is_jwt(value) or is_sanitized_jwt(value):
            return match.group()
        return self.secret(SecretKind.JWT, value) + tail

    def _email(self, match: re.Match[str]) -> str:
        return mask_email(match.group())

    def named(self, name: str, value: str) -> str:
        kind = kind_for(name, unquote(value) if "%" in value else value)
        if kind is not None:
            return self.secret(kind, value.strip())
        return self.text(value)

    # URLs, forms, cookies, headers ---------------------------------------------------------
    def url(self, url: str) -> str:
        if not url:
            return url
        base, hash_mark, fragment = url.partition("#")
        path, question, query = base.partition("?")
        path = self.text(path)
        if question:
            query = self.form(query)
        if hash_mark and "=" in fragment:
            fragment = self.form(fragment)
        elif hash_mark:
            fragment = self.text(fragment)
        return f"{path}{question}{query}{hash_mark}{fragment}"

    def form(self, text: str) -> str:
        """`a=b&c=d` with each secret value replaced and every other byte kept."""
        parts = []
        for part in text.split("&"):
            name, equals, value = part.partition("=")
            if equals:
                decoded = unquote(value.replace("+", " "))
                kind = kind_for(unquote(name), decoded)
                if kind is not None:
                    value = quote(self.secret(kind, decoded.strip()), safe="")
                else:
                    value = self.text(value)
            parts.append(f"{self.text(name)}{equals}{value}")
        return "&".join(parts)

    def cookie_value(self, value: str) -> str:
        stripped = value.strip().strip('"')
        if not stripped or is_placeholder(stripped) or is_sanitized_jwt(stripped):
            return value
        decoded = unquote(stripped)
        kind = SecretKind.JWT if is_jwt(decoded) else SecretKind.COOKIE
        return self.secret(kind, decoded if kind is SecretKind.JWT else stripped)

    def cookie_header(self, value: str) -> str:
        parts = []
        for cookie in value.split(";"):
            name, equals, cookie_value = cookie.partition("=")
            parts.append(f"{name}{equals}{self.cookie_value(cookie_value)}" if equals else cookie)
        return ";".join(parts)

    def set_cookie(self, value: str) -> str:
        lines = []
        for line in value.split("\n"):
            first, semi, attributes = line.partition(";")
            name, equals, cookie_value = first.partition("=")
            first = f"{name}{equals}{self.cookie_value(cookie_value)}" if equals else first
            lines.append(f"{first}{semi}{self.text(attributes)}")
        return "\n".join(lines)

    def authorization(self, value: str) -> str:
        scheme, space, credentials = value.strip().partition(" ")
        if not space:
            scheme, credentials = "", scheme
        credentials = credentials.strip()
        if not credentials or is_placeholder(credentials) or is_sanitized_jwt(credentials):
            return value
        if scheme.lower() == "basic":
            kind = SecretKind.BASIC_CREDENTIALS
        else:
            kind = SecretKind.JWT if is_jwt(credentials) else SecretKind.OPAQUE_TOKEN
        replaced = self.secret(kind, credentials)
        return f"{scheme} {replaced}" if scheme else replaced

    def header(self, name: str, value: str) -> str:
        lowered = normal_name(name)
        if lowered in _SECRET_HEADERS:
            return self.authorization(value)
        if lowered == "cookie":
            return self.cookie_header(value)
        if lowered == "setcookie":
            return self.set_cookie(value)
        if lowered in ("location", "referer", "contentlocation", "origin"):
            return self.url(value)
        if "token" in lowered or "secret" in lowered or "session" in lowered or "apikey" in lowered:
            kind = kind_for(name, value) or SecretKind.OPAQUE_TOKEN
            return self.secret(kind, value) if value.strip() else value
        return self.text(value)

    # JSON values -----------------------------------------------------------------------
    def json_value(self, value: Any, name: str = "", depth: int = 0) -> Any:
        if depth > 64:
            return value
        if isinstance(value, dict):
            return {k: self.json_value(v, str(k), depth + 1) for k, v in value.items()}
        if isinstance(value, list):
            return [self.json_value(v, name, depth + 1) for v in value]
        if isinstance(value, bool) or value is None:
            return value
        if isinstance(value, int | float):
            kind = kind_for(name, str(value))
            return self.secret(kind, str(value)) if kind is not None else value
        if isinstance(value, str):
            result = self.named(name, value)
            if result == value:
                result = self.nested(value, depth)
            if self.mask_pii:
                result = self.pii_value(result, name)
            return result
        return value

    def nested(self, text: str, depth: int) -> str:
        stripped = text.lstrip()
        if stripped.startswith(("{", "[")) and len(text) <= MAX_BODY_CHARS:
            try:
                data = json.loads(text)
            except (ValueError, RecursionError):
                return self.text(text)
            return json.dumps(self.json_value(data, "", depth + 1), ensure_ascii=False)
        if stripped.startswith(("http://", "https://")):
            return self.url(text)
        return self.text(text)

    def pii_value(self, value: Any, name: str) -> Any:
        if isinstance(value, dict):
            return {k: self.pii_value(v, str(k)) for k, v in value.items()}
        if isinstance(value, list):
            return [self.pii_value(v, name) for v in value]
        if not isinstance(value, str) or not value:
            return value
        lowered = normal_name(name)
        if lowered in _PII_PHONE_NAMES or lowered.endswith("phonenumber"):
            return mask_phone(value)
        if lowered in _PII_NAMES:
            return f"name-{self._hash(value)[:6]}" if "@" not in value else mask_email(value)
        return _PHONE.sub(lambda m: mask_phone(m.group()), _EMAIL.sub(self._email, value))

    def body(self, text: str, mime: str) -> str:
        if not text:
            return text
        head = text.lstrip()[:1]
        if ("json" in mime or head in ("{", "[")) and len(text) <= MAX_BODY_CHARS:
            try:
                data = json.loads(text)
            except (ValueError, RecursionError):
                data = None
            if isinstance(data, dict | list):
                return json.dumps(self.json_value(data), ensure_ascii=False)
        if "x-www-form-urlencoded" in mime or (
            "=" in text and " " not in text[:2000] and head not in ("<", "{", "[")
        ):
            return self.form(text)
        return self.html(self.text(text))

    def html(self, text: str) -> str:
        """Secrets under their names in free text (scripts, HTML forms), replaced in place."""
        pieces = []
        last = 0
        for name, raw_value, start, end in sorted(named_values_in_text(text), key=lambda f: f[2]):
            value = unquote(raw_value)
            kind = kind_for(name, value)
            if kind is None or kind is SecretKind.JWT or start < last:
                continue
            pieces += [text[last:start], self.secret(kind, value)]
            last = end
        return "".join(pieces) + text[last:] if pieces else text

    # One entry ---------------------------------------------------------------------------
    def entry(self, raw: dict[str, Any]) -> dict[str, Any]:
        view = Entry(0, raw)
        request, response = view.request, view.response
        if isinstance(request.get("url"), str):
            request["url"] = self.url(request["url"])
        for key in ("headers",):
            _pairs(request.get(key), self.header)
            _pairs(response.get(key), self.header)
        _pairs(request.get("queryString"), self.named)
        for side in (request, response):
            for cookie in side.get("cookies") or []:
                if isinstance(cookie, dict) and isinstance(cookie.get("value"), str):
                    cookie["value"] = self.cookie_value(cookie["value"])
        post = request.get("postData")
        if isinstance(post, dict):
            _pairs(post.get("params"), self.named)
            if isinstance(post.get("text"), str):
                post["text"] = self.body(post["text"], view.post_mime)
                request["bodySize"] = len(post["text"].encode("utf-8"))
        if isinstance(response.get("redirectURL"), str):
            response["redirectURL"] = self.url(response["redirectURL"])
        content = response.get("content")
        if isinstance(content, dict) and isinstance(content.get("text"), str):
            encoding = content.get("encoding")
            text, was_base64 = decode_body(
                content["text"], encoding if isinstance(encoding, str) else ""
            )
            scrubbed = self.body(text, view.response_mime)
            data = scrubbed.encode("utf-8")
            content["text"] = base64.b64encode(data).decode("ascii") if was_base64 else scrubbed
            content["size"] = len(data)
            if not was_base64 and isinstance(encoding, str):
                del content["encoding"]  # it was never base64
            response["bodySize"] = -1
        for side in (request, response):
            if side:
                side["headersSize"] = -1
        result: dict[str, Any] = self.rest(raw)
        return result

    def rest(self, value: Any, name: str = "", depth: int = 0) -> Any:
        """Every string not in a structured place: `_` fields, comments, timings' extras."""
        if depth > 64:
            return value
        if isinstance(value, dict):
            return {k: self.rest(v, str(k), depth + 1) for k, v in value.items()}
        if isinstance(value, list):
            return [self.rest(v, name, depth + 1) for v in value]
        if isinstance(value, str):
            if name.startswith("_") or name == "comment":
                return self.json_value(value, name.lstrip("_"), depth)
            return self.text(value)
        return value


def _pairs(items: Any, replace: Any) -> None:
    for item in items if isinstance(items, list) else []:
        if isinstance(item, dict) and isinstance(item.get("value"), str):
            item["value"] = replace(str(item.get("name", "")), item["value"])
