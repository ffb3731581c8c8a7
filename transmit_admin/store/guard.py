"""Keeps raw tokens and secrets out of the database file.

Callers are supposed to hand the store fingerprints and decoded claims only; this is the
second line of defence for the day one of them passes something it should not. Claims that
look like a credential are refused (a bug to fix, loudly); free text typed by people (notes,
event and audit details) has token-shaped runs replaced, because refusing a note would only
lose the note.
"""

from __future__ import annotations

import re
from typing import Any

_FINGERPRINT = re.compile(r"[0-9a-f]{64}")
# Three base64url segments, the first being a JSON header ("eyJ" = '{"'): a JWS or JWE.
_JWT = re.compile(r"eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]*){0,2}")
_SECRET_ASSIGNMENT = re.compile(
    r"(?i)\b(client_secret|refresh_token|access_token|id_token|password|passcode|code|secret)"
    r"(\s*[=:]\s*\"?)([^\s\"&,;]+)"
)
SECRET_CLAIM_NAMES = frozenset(
    {"client_secret", "refresh_token", "access_token", "id_token", "password", "passcode"}
)
REDACTED = "[redacted]"


class SecretRefused(ValueError):
    """A value headed for the database looked like a raw token or a secret."""


def check_fingerprint(fingerprint: str) -> str:
    if not _FINGERPRINT.fullmatch(fingerprint):
        raise SecretRefused(
            "a token fingerprint must be the 64-character lowercase hex SHA-256 of the token"
        )
    return fingerprint


def check_claims(claims: dict[str, Any]) -> dict[str, Any]:
    """Refuses claims that carry a credential; returns them unchanged otherwise."""
    _walk(claims, "claims")
    return claims


def _walk(value: Any, where: str) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            if str(key).lower() in SECRET_CLAIM_NAMES:
                raise SecretRefused(f"{where}.{key} looks like a secret and is not stored")
            _walk(item, f"{where}.{key}")
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            _walk(item, f"{where}[{index}]")
    elif isinstance(value, str) and _JWT.search(value):
        raise SecretRefused(f"{where} holds a token; store its fingerprint instead")


def scrub_text(text: str) -> str:
    """Replaces token-shaped runs and `secret=value` pairs in free text."""
    text = _JWT.sub(REDACTED, text)
    return _SECRET_ASSIGNMENT.sub(lambda m: f"{m.group(1)}{m.group(2)}{REDACTED}", text)
