"""From a token response to verified facts: who, which app, which factors, which tokens.

The verifier's reports decide: a token that is not `valid` against the environment's keys and
policy refuses the whole response. What comes out holds only fingerprints and decoded claims;
the raw tokens are dropped here, and the refresh token is never even looked at.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from transmit_admin.core.environment import Environment
from transmit_admin.core.keys import KeySet
from transmit_admin.core.report import TokenKind, TokenReport, Verdict
from transmit_admin.core.verify import inspect_token
from transmit_admin.store.records import TokenSeen

# Claims that are hashes of other tokens or replay guards: not useful to a person, and a
# store that refuses secret-looking values should not have to judge them.
_DROPPED_CLAIMS = frozenset({"at_hash", "c_hash", "s_hash", "nonce"})


class TokenResponseRefused(Exception):
    """The response is not usable; `reports` hold the verifier's word when it got that far."""

    def __init__(self, message: str, reports: tuple[TokenReport, ...] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.reports = reports


@dataclass(frozen=True)
class VerifiedResponse:
    session_id: str
    user_id: str
    email: str | None
    app_id: str | None
    app_name: str | None
    client_id: str | None
    tenant_id: str | None
    auth_time: datetime
    factors: tuple[str, ...]
    tokens: tuple[TokenSeen, ...]
    reports: tuple[TokenReport, ...]
    access_expires_at: datetime | None


def parse_token_response(response: Mapping[str, Any] | str) -> dict[str, Any]:
    """A dict from the JSON text or dict a user pasted; refuses anything without the tokens."""
    if isinstance(response, str):
        try:
            data: Any = json.loads(response)
        except ValueError:
            raise TokenResponseRefused(
                "this is not a token response: expected the JSON object Transmit returned "
                "from an authenticate call"
            ) from None
    else:
        data = dict(response)
    if not isinstance(data, dict):
        raise TokenResponseRefused("this is not a token response: expected a JSON object")
    missing = [k for k in ("access_token", "session_id") if not isinstance(data.get(k), str)]
    if missing:
        raise TokenResponseRefused(f"the token response has no {' or '.join(missing)}")
    return data


def _moment(value: Any) -> datetime | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return datetime.fromtimestamp(value, tz=UTC)
    return None


def _text(claims: Mapping[str, Any], key: str) -> str | None:
    value = claims.get(key)
    return value if isinstance(value, str) and value else None


def token_seen(report: TokenReport, env: Environment, session_id: str, now: datetime) -> TokenSeen:
    claims = {k: v for k, v in (report.claims or {}).items() if k not in _DROPPED_CLAIMS}
    return TokenSeen(
        fingerprint=report.fingerprint,
        kind=str(report.kind),
        environment=env.name,
        seen_at=now,
        session_id=session_id,
        jti=_text(claims, "jti"),
        sub=_text(claims, "sub"),
        iat=_moment(claims.get("iat")),
        exp=_moment(claims.get("exp")),
        claims=claims,
    )


def _refuse_unless(report: TokenReport, kind: TokenKind, reports: tuple[TokenReport, ...]) -> None:
    if report.verdict is not Verdict.VALID:
        raise TokenResponseRefused(f"{report.label} refused: {report.reason}", reports)
    if report.kind is not kind:
        raise TokenResponseRefused(
            f"{report.label} refused: it is a {report.kind.title}, expected a {kind.title}.",
            reports,
        )


def verify_token_response(
    data: Mapping[str, Any], env: Environment, keys: KeySet | None, now: datetime
) -> VerifiedResponse:
    """Checks the access and ID tokens; raises `TokenResponseRefused` with the reports."""
    # An ID token's audience is the app's client id, whatever the access tokens carry.
    policy = dataclasses.replace(env.verify_policy(), client_id=env.client_id)
    moment = now.timestamp()
    access = inspect_token(data["access_token"], keys, policy, now=moment, label="access_token")
    reports: tuple[TokenReport, ...] = (access,)
    id_report: TokenReport | None = None
    id_token = data.get("id_token")
    if isinstance(id_token, str) and id_token:
        id_report = inspect_token(id_token, keys, policy, now=moment, label="id_token")
        reports = (access, id_report)
    _refuse_unless(access, TokenKind.USER_ACCESS_TOKEN, reports)
    access_claims = access.claims or {}
    id_claims: Mapping[str, Any] = {}
    if id_report is not None:
        _refuse_unless(id_report, TokenKind.ID_TOKEN, reports)
        id_claims = id_report.claims or {}
        if id_claims.get("sub") != access_claims.get("sub"):
            raise TokenResponseRefused(
                "the ID token and the access token belong to different users", reports
            )
    user_id = _text(access_claims, "sub")
    if user_id is None:
        raise TokenResponseRefused("the access token names no user (no `sub`)", reports)
    session_id = str(data["session_id"])
    amr = id_claims.get("amr")
    factors = tuple(str(f) for f in amr) if isinstance(amr, list) else ()
    auth_time = _moment(id_claims.get("auth_time")) or _moment(access_claims.get("iat")) or now
    return VerifiedResponse(
        session_id=session_id,
        user_id=user_id,
        email=_text(id_claims, "email"),
        app_id=_text(access_claims, "app_id"),
        app_name=_text(access_claims, "app_name"),
        client_id=_text(access_claims, "client_id") or env.client_id,
        tenant_id=_text(access_claims, "tid") or _text(id_claims, "tid"),
        auth_time=auth_time,
        factors=factors,
        tokens=tuple(token_seen(r, env, session_id, now) for r in reports),
        reports=reports,
        access_expires_at=_moment(access_claims.get("exp")),
    )


def response_fields(response: object) -> dict[str, Any]:
    """The JSON fields of an `api.models.TokenResponse`; the refresh token is left behind."""
    fields: dict[str, Any] = {}
    for name in ("access_token", "id_token", "session_id", "token_type", "expires_in"):
        value = getattr(response, name, None)
        if value is not None:
            fields[name] = value
    return fields
