"""RS256 signing keys with rotation, and tokens in Transmit's claim layout.

After a rotation the previous key stays in the JWKS (and keeps verifying client tokens) for a
grace period, as a real issuer keeps an old key published until tokens signed with it expire.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import threading
from dataclasses import dataclass
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from transmit_admin.sandbox.config import TOKEN_LIFETIME_SECONDS
from transmit_admin.sandbox.models import App, Session, User

DEFAULT_AUDIENCE = "userid-api"  # Transmit's default `aud` of user access tokens
ALGORITHM = "RS256"
VERIFIED_TOKENS_KEPT = 256  # client tokens whose signature was checked (a few per test run)


@dataclass(frozen=True)
class SigningKey:
    kid: str
    private_key: rsa.RSAPrivateKey
    retire_at: float | None = None  # None while it is the current key

    def public_jwk(self) -> dict[str, Any]:
        jwk: dict[str, Any] = RSAAlgorithm.to_jwk(self.private_key.public_key(), as_dict=True)
        jwk.update({"kid": self.kid, "use": "sig", "alg": ALGORITHM})
        return jwk


def _new_key() -> SigningKey:
    private_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return SigningKey(kid=secrets.token_urlsafe(12), private_key=private_key)


class KeyRing:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._current = _new_key()
        self._retired: list[SigningKey] = []

    @property
    def current(self) -> SigningKey:
        with self._lock:
            return self._current

    def rotate(self, now: float, grace_seconds: float) -> SigningKey:
        """Makes a new current key; the old one stays published until `now + grace_seconds`."""
        fresh = _new_key()
        with self._lock:
            old = self._current
            self._current = fresh
            if grace_seconds > 0:
                retired = SigningKey(old.kid, old.private_key, retire_at=now + grace_seconds)
                self._retired.append(retired)
        return fresh

    def published(self, now: float) -> list[SigningKey]:
        with self._lock:
            self._retired = [k for k in self._retired if k.retire_at is None or k.retire_at > now]
            return [self._current, *self._retired]

    def jwks(self, now: float) -> dict[str, Any]:
        return {"keys": [key.public_jwk() for key in self.published(now)]}

    def find(self, kid: str, now: float) -> SigningKey | None:
        return next((k for k in self.published(now) if k.kid == kid), None)


class TokenMinter:
    def __init__(self, keys: KeyRing, issuer: str, app: App) -> None:
        self.keys = keys
        self.issuer = issuer
        self.app = app
        self._verified_client_tokens: dict[str, tuple[str, dict[str, Any]]] = {}

    def _sign(self, claims: dict[str, Any]) -> str:
        key = self.keys.current
        return jwt.encode(claims, key.private_key, algorithm=ALGORITHM, headers={"kid": key.kid})

    def _base(self, now: float) -> dict[str, Any]:
        return {
            "iss": self.issuer,
            "iat": int(now),
            "exp": int(now) + TOKEN_LIFETIME_SECONDS,
            "jti": secrets.token_urlsafe(16),
            "tid": self.app.tenant_id,
        }

    def client_token(self, now: float, resource: str | None) -> str:
        claims = self._base(now)
        claims.update(
            {
                "sub": self.app.client_id,
                "aud": resource or DEFAULT_AUDIENCE,
                "client_id": self.app.client_id,
                "app_id": self.app.app_id,
                "app_name": self.app.app_name,
                "scope": "",
                "role": "app",
                "ts_roles": ["app"],
                "ts_permissions": ["apps:execute", "apps:read", "apps:delete", "users:read"],
            }
        )
        return self._sign(claims)

    def user_access_token(self, now: float, user: User, resource: str | None) -> str:
        claims = self._base(now)
        claims.update(
            {
                "sub": user.user_id,
                "aud": resource or DEFAULT_AUDIENCE,
                "scope": "offline_access",
                "roles": [],
                "client_id": self.app.client_id,
                "app_id": self.app.app_id,
                "app_name": self.app.app_name,
            }
        )
        return self._sign(claims)

    def id_token(
        self,
        now: float,
        user: User,
        session: Session,
        access_token: str,
        requested: dict[str, Any] | None,
    ) -> str:
        claims = self._base(now)
        del claims["jti"]
        claims.update(
            {
                "sub": user.user_id,
                "aud": self.app.client_id,
                "auth_time": int(session.auth_time),
                "amr": session.amr(),
                "at_hash": _at_hash(access_token),
            }
        )
        claims.update(_requested_claims(user, requested or {}))
        return self._sign(claims)

    def verify_client_token(self, token: str, now: float) -> str | None:
        """Returns why `token` is not a valid client token of this app, or None if it is.

        Every backend call carries the same client token until it expires, and PyJWT's
        parsing and RSA check cost ~0.6 ms of a logout's ~0.75 ms here: a signature checked
        once is remembered (by the exact token text). What can change per call is checked
        per call: whether its key is still published, and expiry on the sandbox clock.
        """
        checked = self._verified_client_tokens.get(token)
        if checked is None:
            result = self._check_signature(token, now)
            if isinstance(result, str):
                return result
            checked = result
            if len(self._verified_client_tokens) >= VERIFIED_TOKENS_KEPT:
                self._verified_client_tokens.clear()
            self._verified_client_tokens[token] = checked
        kid, claims = checked
        if self.keys.find(kid, now) is None:
            return "unknown signing key"
        # exp is checked against the sandbox clock, which tests may have moved forward.
        if not isinstance(claims.get("exp"), int) or claims["exp"] <= now:
            return "token expired"
        if claims.get("sub") != self.app.client_id:
            return "not a client access token"
        return None

    def _check_signature(self, token: str, now: float) -> tuple[str, dict[str, Any]] | str:
        """(kid, claims) of a token signed by a published key for our issuer, or why not."""
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            return "malformed token"
        kid = str(header.get("kid", ""))
        key = self.keys.find(kid, now)
        if key is None or header.get("alg") != ALGORITHM:
            return "unknown signing key"
        try:
            claims = jwt.decode(
                token,
                key.private_key.public_key(),
                algorithms=[ALGORITHM],
                issuer=self.issuer,
                options={"verify_aud": False, "verify_iat": False, "verify_exp": False},
            )
        except jwt.PyJWTError as exc:
            return f"invalid token: {exc}"
        return kid, claims


def _at_hash(access_token: str) -> str:
    digest = hashlib.sha256(access_token.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest[:16]).rstrip(b"=").decode("ascii")


def _requested_claims(user: User, requested: dict[str, Any]) -> dict[str, Any]:
    """Profile claims asked for with `claims: {"id_token": {...}}`; Transmit adds none unasked."""
    wanted = requested.get("id_token")
    if not isinstance(wanted, dict):
        return {}
    available: dict[str, Any] = {
        "email": user.email,
        "email_verified": user.email_verified,
        "phone_number": user.phone_number,
        "phone_number_verified": user.phone_number_verified,
        "username": user.username,
        "fname": user.first_name,
        "lname": user.last_name,
        "roles": [],
        "groups": [],
        "new_user": False,
    }
    # A claim of a value the user lacks (a created user may have no email) is left out.
    return {
        name: available[name]
        for name in wanted
        if name in available and available[name] is not None
    }
