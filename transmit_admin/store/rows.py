"""Conversions between the records of `records.py` and SQLite rows (epoch seconds, JSON)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from transmit_admin.core.lifecycle import SessionStatus
from transmit_admin.store.guard import scrub_text
from transmit_admin.store.records import (
    AuditEntry,
    EventKind,
    SessionEvent,
    SessionRecord,
    TokenSeen,
)

SESSION_COLUMNS = (
    "environment",
    "session_id",
    "user_id",
    "user_key",
    "email",
    "app_id",
    "app_name",
    "client_id",
    "tenant_id",
    "created_at",
    "expires_at",
    "last_auth_at",
    "last_checked_at",
    "factors",
    "status",
    "source",
    "local_ref",
    "note",
    "revoked_at",
    "ended_at",
    "access_expires_at",
)
SESSION_SELECT = ", ".join(("id", *SESSION_COLUMNS))
# The same columns from a query where the sessions table is aliased `s`.
SESSION_SELECT_QUALIFIED = ", ".join(f"s.{column}" for column in ("id", *SESSION_COLUMNS))


def to_epoch(moment: datetime | None) -> float | None:
    return None if moment is None else moment.timestamp()


def from_epoch(seconds: float | None) -> datetime | None:
    return None if seconds is None else datetime.fromtimestamp(seconds, UTC)


def _required_time(seconds: float) -> datetime:
    return _fromtimestamp(seconds, UTC)


_fromtimestamp = datetime.fromtimestamp


def user_sort_key(email: str | None, user_id: str) -> str:
    return (email or user_id).casefold()


def session_params(record: SessionRecord) -> dict[str, Any]:
    return {
        "environment": record.environment,
        "session_id": record.session_id,
        "user_id": record.user_id,
        "user_key": user_sort_key(record.email, record.user_id),
        "email": record.email,
        "app_id": record.app_id,
        "app_name": record.app_name,
        "client_id": record.client_id,
        "tenant_id": record.tenant_id,
        "created_at": to_epoch(record.created_at),
        "expires_at": to_epoch(record.expires_at),
        "last_auth_at": to_epoch(record.last_auth_at),
        "last_checked_at": to_epoch(record.last_checked_at),
        "factors": json.dumps(list(record.factors)),
        "status": str(record.status),
        "source": record.source,
        "local_ref": record.local_ref,
        "note": None if record.note is None else scrub_text(record.note),
        "revoked_at": to_epoch(record.revoked_at),
        "ended_at": to_epoch(record.ended_at),
        "access_expires_at": to_epoch(record.access_expires_at),
    }


def _factors(text: str) -> tuple[str, ...]:
    return () if text == "[]" else tuple(json.loads(text))


def session_from_row(row: tuple[Any, ...]) -> SessionRecord:
    """`row` is selected with SESSION_SELECT (row id first). Positional on purpose: this runs
    for every row of every page, and unpacking is several times faster than a dict."""
    (
        _row_id,
        environment,
        session_id,
        user_id,
        _user_key,
        email,
        app_id,
        app_name,
        client_id,
        tenant_id,
        created_at,
        expires_at,
        last_auth_at,
        last_checked_at,
        factors,
        status,
        source,
        local_ref,
        note,
        revoked_at,
        ended_at,
        access_expires_at,
    ) = row
    return SessionRecord(
        environment=environment,
        session_id=session_id,
        user_id=user_id,
        email=email,
        app_id=app_id,
        app_name=app_name,
        client_id=client_id,
        tenant_id=tenant_id,
        created_at=_required_time(created_at),
        expires_at=_required_time(expires_at),
        last_auth_at=_required_time(last_auth_at),
        last_checked_at=from_epoch(last_checked_at),
        factors=_factors(factors),
        status=SessionStatus(status),
        source=source,
        local_ref=local_ref,
        note=note,
        revoked_at=from_epoch(revoked_at),
        ended_at=from_epoch(ended_at),
        access_expires_at=from_epoch(access_expires_at),
    )


TOKEN_COLUMNS = (
    "fingerprint",
    "kind",
    "environment",
    "session_id",
    "jti",
    "sub",
    "iat",
    "exp",
    "claims",
    "seen_at",
)


def token_params(token: TokenSeen) -> dict[str, Any]:
    return {
        "fingerprint": token.fingerprint,
        "kind": token.kind,
        "environment": token.environment,
        "session_id": token.session_id,
        "jti": token.jti,
        "sub": token.sub,
        "iat": to_epoch(token.iat),
        "exp": to_epoch(token.exp),
        "claims": json.dumps(token.claims, sort_keys=True),
        "seen_at": to_epoch(token.seen_at),
    }


def token_from_row(row: tuple[Any, ...]) -> TokenSeen:
    values = dict(zip(TOKEN_COLUMNS, row, strict=True))
    return TokenSeen(
        fingerprint=values["fingerprint"],
        kind=values["kind"],
        environment=values["environment"],
        session_id=values["session_id"],
        jti=values["jti"],
        sub=values["sub"],
        iat=from_epoch(values["iat"]),
        exp=from_epoch(values["exp"]),
        claims=json.loads(values["claims"]),
        seen_at=_required_time(values["seen_at"]),
    )


def event_from_row(row: tuple[Any, ...]) -> SessionEvent:
    event_id, environment, session_id, kind, at, actor, detail, *rest = row
    return SessionEvent(
        event_id=event_id,
        environment=environment,
        session_id=session_id,
        kind=EventKind(kind),
        at=_required_time(at),
        actor=actor,
        detail=detail,
        event_uuid=rest[0] if rest else None,
        origin=rest[1] if len(rest) > 1 else "local",
    )


# Entries written before audit rows named their user (schema v3) get it from the session's
# record when their target is a tracked session; the log itself is never rewritten.
AUDIT_SELECT = (
    "a.id, a.at, a.actor, a.action, a.target, a.outcome, a.detail, a.environment, "
    "coalesce(a.user_id, s.user_id), coalesce(a.user_email, s.email)"
)
AUDIT_FROM = (
    "audit_log a LEFT JOIN sessions s ON s.environment = a.environment AND s.session_id = a.target"
)


def audit_from_row(row: tuple[Any, ...]) -> AuditEntry:
    entry_id, at, actor, action, target, outcome, detail, environment, user_id, user_email = row
    return AuditEntry(
        entry_id=entry_id,
        at=_required_time(at),
        actor=actor,
        action=action,
        target=target,
        outcome=outcome,
        detail=detail,
        environment=environment,
        user_id=user_id,
        user_email=user_email,
    )
