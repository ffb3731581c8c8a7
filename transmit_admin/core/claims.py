"""Plain-words explanations of the claims Transmit and OIDC put in tokens, for the inspector.

Sources: the claim lists of Transmit's token docs (see ../shared/transmit-api.md, "Tokens and
their validation"), RFC 7519 (registered claims), OpenID Connect Core 1.0 §2 and §5.1, and
RFC 8176 (`amr` values). Pure data: no I/O, no Qt.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

# Claims whose value is a NumericDate (seconds since the epoch, UTC).
TIME_CLAIMS: frozenset[str] = frozenset({"exp", "iat", "nbf", "auth_time", "updated_at"})

CLAIM_EXPLANATIONS: Mapping[str, str] = {
    # RFC 7519 registered claims
    "iss": "Issuer: who signed the token; must be your environment's issuer.",
    "sub": "Subject: the user's id (for a client access token, the app's client id).",
    "aud": "Audience: who the token is meant for (default userid-api, or the requested "
    "resource; the client id for ID tokens).",
    "exp": "Expires at: after this moment the token must be refused.",
    "nbf": "Not before: the token must be refused before this moment.",
    "iat": "Issued at: when Transmit created the token.",
    "jti": "Token id: unique per token; lets this app link it to a tracked session.",
    # Transmit
    "tid": "Tenant id: the Transmit tenant that issued the token; must be your tenant.",
    "client_id": "Client id of the app the token was issued to.",
    "app_id": "Id of the Transmit application the user signed in to.",
    "app_name": "Name of the Transmit application the user signed in to.",
    "scope": "Scopes granted to the token, separated by spaces.",
    "roles": "The user's roles in the application.",
    "permissions": "Permissions granted through the user's roles or delegation.",
    "act": "Actor: who acts on the user's behalf (delegated access).",
    "ts_roles": "Transmit management roles of the app (client access tokens).",
    "ts_permissions": "Transmit management permissions of the app (client access tokens).",
    "role": "Role of the app (client access tokens).",
    "groups": "Groups the user belongs to.",
    "new_user": "True when this authentication created the user.",
    "custom_data": "Custom data stored on the user in Transmit.",
    "org_id": "Organization the user signed in to (B2B tenants).",
    "session_id": "Backend session the token belongs to.",
    "sid": "Session id.",
    # OpenID Connect
    "auth_time": "When the user last actively authenticated.",
    "amr": "Authentication methods used in this session (see the codes below).",
    "acr": "Authentication context class: the assurance level of the authentication.",
    "azp": "Authorized party: the client the ID token was issued to.",
    "nonce": "Value from the login request that ties the ID token to it (replay protection).",
    "at_hash": "Hash of the access token issued with this ID token (binds the two).",
    "c_hash": "Hash of the authorization code issued with this ID token.",
    "email": "The user's email address.",
    "email_verified": "Whether the user proved they own the email address.",
    "phone_number": "The user's phone number.",
    "phone_number_verified": "Whether the user proved they own the phone number.",
    "username": "The user's username.",
    "name": "The user's full name.",
    "fname": "The user's first name (Transmit).",
    "lname": "The user's last name (Transmit).",
    "given_name": "The user's first name.",
    "family_name": "The user's last name.",
    "locale": "The user's preferred language.",
    "updated_at": "When the user's profile was last changed.",
    "cnf": "Confirmation: the key the token is bound to (proof of possession).",
}

# Header parameters (RFC 7515).
HEADER_EXPLANATIONS: Mapping[str, str] = {
    "alg": "Signature algorithm; Transmit signs with RS256 (PS256 for FAPI tenants).",
    "kid": "Key id: which of the published signing keys signed the token.",
    "typ": "Token type (usually JWT).",
    "cty": "Content type of the payload.",
    "jku": "A URL of keys chosen by the token itself: never trusted by this app.",
    "x5u": "A certificate URL chosen by the token itself: never trusted by this app.",
    "jwk": "A key embedded in the token itself: never trusted by this app.",
    "x5c": "A certificate chain embedded in the token itself: never trusted by this app.",
}

# `amr` values: Transmit's codes first, then RFC 8176 ones other issuers use.
AMR_EXPLANATIONS: Mapping[str, str] = {
    "eml": "email magic link",
    "eotp": "one-time code sent by email",
    "sms": "one-time code sent by SMS",
    "pwd": "password",
    "social": "social login (Google, Apple, …)",
    "webauthn": "passkey or security key (WebAuthn)",
    "mfa": "more than one factor",
    "totp": "authenticator app code (TOTP)",
    "otp": "one-time password",
    "hwk": "hardware-secured key",
    "swk": "software-secured key",
    "face": "face recognition",
    "fpt": "fingerprint",
    "pin": "PIN",
    "mca": "multiple-channel authentication",
    "user": "user presence test",
    "pop": "proof of possession of a key",
    "kba": "knowledge-based question",
    "tel": "telephone call",
    "sc": "smart card",
}


def explain_claim(name: str) -> str:
    """The explanation of a claim, or a neutral note for claims no spec here defines."""
    return CLAIM_EXPLANATIONS.get(name, "A custom claim: not defined by Transmit or OIDC.")


def explain_header(name: str) -> str:
    return HEADER_EXPLANATIONS.get(name, "A header parameter this app does not use.")


def explain_amr(codes: Iterable[Any]) -> str:
    """`["pwd", "eml"]` → "pwd = password; eml = email magic link"."""
    parts = []
    for code in codes:
        text = str(code)
        parts.append(f"{text} = {AMR_EXPLANATIONS.get(text, 'unknown method')}")
    return "; ".join(parts)
