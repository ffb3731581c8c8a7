"""Token and key makers for the verifier tests: real keys, real signatures, chosen bytes."""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import ECAlgorithm, RSAAlgorithm, get_default_algorithms

from transmit_admin.core.b64 import b64url_encode
from transmit_admin.core.keys import KeySet

NOW = 1_800_000_000.0  # a fixed instant (2027-01-15) so that every time check is reproducible
KID = "tenant-key-1"
ISSUER = "https://userid.security"
TENANT = "tenant-42"
CLIENT_ID = "client-abc"


@cache
def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@cache
def other_rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@cache
def ec_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def public_jwk(key: Any = None, kid: str | None = KID, **extra: Any) -> dict[str, Any]:
    key = rsa_key() if key is None else key
    impl = ECAlgorithm if isinstance(key, ec.EllipticCurvePrivateKey) else RSAAlgorithm
    jwk = json.loads(impl.to_jwk(key.public_key()))
    if kid is not None:
        jwk["kid"] = kid
    jwk.update(extra)
    return jwk


def tenant_keys(**extra: Any) -> KeySet:
    """The tenant's published JWKS, as the JWKS cache would build it (not user supplied)."""
    return KeySet.from_jwks({"keys": [public_jwk(**extra)]}, "tenant JWKS")


def public_pem(key: Any = None) -> str:
    key = rsa_key() if key is None else key
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def segment(value: Any) -> str:
    if isinstance(value, bytes):
        return b64url_encode(value)
    if isinstance(value, str):
        return b64url_encode(value.encode())
    return b64url_encode(json.dumps(value).encode())


def sign(header: Any, payload: Any, key: Any = None, alg: str = "RS256") -> str:
    """A compact JWS over exactly these header/payload bytes (str/bytes kept verbatim)."""
    signing_input = f"{segment(header)}.{segment(payload)}"
    impl = get_default_algorithms()[alg]
    key = rsa_key() if key is None else key
    signature = impl.sign(signing_input.encode(), key)
    return f"{signing_input}.{b64url_encode(signature)}"


def user_claims(**overrides: Any) -> dict[str, Any]:
    claims: dict[str, Any] = {
        "sub": "user-123",
        "iss": ISSUER,
        "aud": "userid-api",
        "iat": NOW - 300,
        "exp": NOW + 3300,
        "tid": TENANT,
        "client_id": CLIENT_ID,
        "app_id": "app-1",
        "app_name": "Acme",
        "scope": "offline_access",
        "jti": "jti-1",
    }
    claims.update(overrides)
    return {k: v for k, v in claims.items() if v is not None}


def id_claims(**overrides: Any) -> dict[str, Any]:
    claims: dict[str, Any] = {
        "sub": "user-123",
        "iss": ISSUER,
        "aud": CLIENT_ID,
        "iat": NOW - 300,
        "exp": NOW + 3300,
        "tid": TENANT,
        "auth_time": NOW - 310,
        "amr": ["eml"],
    }
    claims.update(overrides)
    return {k: v for k, v in claims.items() if v is not None}


def client_claims(**overrides: Any) -> dict[str, Any]:
    claims: dict[str, Any] = {
        "sub": CLIENT_ID,
        "client_id": CLIENT_ID,
        "iss": ISSUER,
        "iat": NOW - 300,
        "exp": NOW + 3300,
        "ts_roles": ["admin"],
    }
    claims.update(overrides)
    return {k: v for k, v in claims.items() if v is not None}


def good_token(claims: dict[str, Any] | None = None, **header: Any) -> str:
    return sign({"alg": "RS256", "kid": KID, "typ": "JWT", **header}, claims or user_claims())
