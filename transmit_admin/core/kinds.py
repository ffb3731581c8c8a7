"""Which Transmit token this is, judged from its (not yet trusted) claims.

Transmit documents three JWT kinds (shared/transmit-api.md): a user access token (`tid`,
`client_id`/`app_id`, `sub` = the user), an ID token (`auth_time`, `amr`, `aud` = the client
id) and a client access token (`sub` = the client id, no user). The kind decides which
claims must be present; it never makes a token more trusted.
"""

from __future__ import annotations

from typing import Any

from transmit_admin.core.report import TokenKind

# Each entry is a group of alternatives: at least one name of every group must be present.
REQUIRED_CLAIMS: dict[TokenKind, tuple[tuple[str, ...], ...]] = {
    TokenKind.USER_ACCESS_TOKEN: (
        ("sub",),
        ("iss",),
        ("aud",),
        ("iat",),
        ("exp",),
        ("tid",),
        ("client_id", "app_id"),
    ),
    TokenKind.ID_TOKEN: (
        ("sub",),
        ("iss",),
        ("aud",),
        ("iat",),
        ("exp",),
        ("tid",),
        ("auth_time",),
        ("amr",),
    ),
    TokenKind.CLIENT_ACCESS_TOKEN: (("sub",), ("iss",), ("iat",), ("exp",)),
    TokenKind.UNKNOWN: (),
}

_ID_TOKEN_MARKS = ("auth_time", "amr", "at_hash", "nonce", "acr")
_CLIENT_TOKEN_MARKS = ("ts_roles", "ts_permissions", "role")


def classify(claims: dict[str, Any] | None) -> TokenKind:
    if not claims:
        return TokenKind.UNKNOWN
    names = claims.keys()
    if not names.isdisjoint(_ID_TOKEN_MARKS):
        return TokenKind.ID_TOKEN
    sub = claims.get("sub")
    if not names.isdisjoint(_CLIENT_TOKEN_MARKS) or (
        isinstance(sub, str) and sub and sub == claims.get("client_id")
    ):
        return TokenKind.CLIENT_ACCESS_TOKEN
    if "tid" in names and not names.isdisjoint(("client_id", "app_id")):
        return TokenKind.USER_ACCESS_TOKEN
    return TokenKind.UNKNOWN


def missing_claims(kind: TokenKind, claims: dict[str, Any]) -> list[str]:
    """Names (or `a or b`) of required claims that are absent or null."""
    present = {name for name, value in claims.items() if value is not None}
    return [" or ".join(group) for group in REQUIRED_CLAIMS[kind] if present.isdisjoint(group)]
