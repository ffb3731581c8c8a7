"""Masking secrets and personal data in text that leaves memory (logs, screenshots, exports).

`redact_secrets` runs over every log record (logsetup.RedactingFilter) and over any text that
may hold tokens. It errs on the side of masking: a log line losing a harmless value is
cheaper than a leaked token. The `mask_*` helpers shorten personal data for screen sharing.
"""

from __future__ import annotations

import re

MASK = "[redacted]"
SECRET_NAMES = (
    "client_secret",
    "code",
    "passcode",
    "password",
    "refresh_token",
    "access_token",
    "id_token",
)
_NAMES = "|".join(SECRET_NAMES)

# A compact JWS/JWE: a JSON header (`ey…`, or `ew…` when it starts with a line break), a dot,
# and at least the start of a payload. Possessive quantifiers keep the scan linear.
_JWT = re.compile(r"(?<![A-Za-z0-9_-])(e[wy][A-Za-z0-9_-]{4})[A-Za-z0-9_-]*+\.[A-Za-z0-9_=.-]{2,}+")
_SCHEME = re.compile(r"(?i)\b(bearer|basic)(\s+)[^\s\"',;]+")
_AUTHORIZATION = re.compile(
    r"(?i)\b(authorization[\"']?\s*[:=]\s*[\"']?)(?!bearer\b|basic\b)[^\s\"',;]+"
)
# "name": "value" or 'name': 'value' or "name": 123456 (JSON bodies, Python reprs).
_QUOTED = re.compile(
    rf"(?i)([\"'](?:{_NAMES})[\"']\s*:\s*)(?:\"(?:[^\"\\]|\\.)*+\"|'(?:[^'\\]|\\.)*+'|-?\d+)"
)
# name=value in query strings and form bodies (stops at & # space and quotes).
_PAIR = re.compile(rf"(?i)(?<![A-Za-z0-9_])((?:{_NAMES})=)[^&#\s\"']+")
# name: value in plain text (YAML, headers, prose logs).
_COLON = re.compile(rf"(?i)(?<![A-Za-z0-9_\"'])((?:{_NAMES})\s*:\s*)(?![\"'\[{{])[^\s,;&]+")


def redact_secrets(text: str) -> str:
    if not text:
        return text
    text = _JWT.sub(lambda m: f"{m.group(1)}…[JWT redacted]", text)
    text = _SCHEME.sub(lambda m: f"{m.group(1)}{m.group(2)}{MASK}", text)
    text = _AUTHORIZATION.sub(lambda m: f"{m.group(1)}{MASK}", text)
    text = _QUOTED.sub(lambda m: f'{m.group(1)}"{MASK}"', text)
    text = _PAIR.sub(lambda m: f"{m.group(1)}{MASK}", text)
    return _COLON.sub(lambda m: f"{m.group(1)}{MASK}", text)


def mask_email(email: str) -> str:
    """`alice.smith@example.com` → `a***@e***.com`."""
    local, at, domain = email.strip().rpartition("@")
    if not at:
        return mask_id(email)
    host, dot, tld = domain.rpartition(".")
    if not dot:
        host, tld = domain, ""
    masked_domain = f"{host[:1]}***{dot}{tld}" if host else "***"
    return f"{local[:1]}***@{masked_domain}"


def mask_phone(phone: str) -> str:
    """`+1 415 555 0123` → `+•••••••0123`: keeps a leading `+` and the last two to four digits."""
    digits = [c for c in phone if c.isdigit()]
    keep = 4 if len(digits) >= 10 else 2 if len(digits) >= 6 else 0
    prefix = "+" if phone.strip().startswith("+") else ""
    tail = "".join(digits[len(digits) - keep :]) if keep else ""
    return f"{prefix}{'•' * (len(digits) - keep)}{tail}" if digits else "•••"


def mask_id(identifier: str) -> str:
    """`3f9c2a7be1d04b6f` → `3f9c…6f`; short values are masked whole."""
    value = identifier.strip()
    if len(value) <= 6:
        return "•" * max(3, len(value))
    return f"{value[:4]}…{value[-2:]}"


_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# An identifier: a run of 12+ id characters with at least one letter and one digit (session,
# user, app and client ids, UUIDs); plain words, dates and times never match.
_ID = re.compile(r"(?<![\w@.-])(?=[\w-]*\d)(?=[\w-]*[A-Za-z])[\w-]{12,}(?![\w@-])")


# Values of keys that always hold an identifier, whatever they look like: a session id of
# letters only slipped past `_ID` in a pasted token response ("session_id":"9lgd…").
_KEYED = re.compile(
    r"""(?ix)(["']?(?:session_id|sessionid|user_id|userid|sub|sid|jti|client_id|app_id|tid|
    tenant_id|phone_number|phone)["']?\s*[:=]\s*["']?)([^"'\s,;&}\]]+)"""
)


def mask_text(text: str) -> str:
    """`text` with its emails and identifiers masked as the session table masks them (the
    window's redaction mode, and reports meant for a ticket)."""
    masked = _EMAIL.sub(lambda found: mask_email(found.group(0)), text)
    masked = _KEYED.sub(lambda found: found.group(1) + _masked_value(found.group(2)), masked)
    return _ID.sub(lambda found: mask_id(found.group(0)), masked)


def _masked_value(value: str) -> str:
    return value if "•" in value or "…" in value else mask_id(value)
