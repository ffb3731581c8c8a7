"""The rules of a backend session's life, as pure functions of what is known and the time.

Transmit's backend sessions live two weeks, moved forward by every authentication in them;
logout deletes a session but access tokens already issued stay valid until their own `exp`.
Nothing here does I/O: the store and the services feed facts in and act on the answers.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Literal, Protocol

# Fixed by Transmit and not configurable (transmit-api.md, "Backend sessions").
SESSION_LIFETIME = timedelta(days=14)


class SessionStatus(StrEnum):
    ACTIVE = "active"
    EXPIRED = "expired"
    REVOKED = "revoked"
    ENDED = "ended"


class Observation(StrEnum):
    """What an action just learned about a session from Transmit (input to `derive_status`)."""

    REVOKE_CONFIRMED = "revoke_confirmed"  # logout or revoke-all answered 204
    REVOKE_FAILED = "revoke_failed"  # error, timeout, anything but 204
    FOUND_ALIVE = "found_alive"  # listed in the user's sessions, or silent auth succeeded
    FOUND_GONE = "found_gone"  # not listed any more, or "Session not found"


def derive_status(
    current: SessionStatus | str,
    *,
    expires_at: datetime,
    now: datetime,
    observed: Observation | None = None,
) -> SessionStatus:
    """The status a session has after `observed` (or after time alone passed, when None).

    `revoked` is only ever reached through a confirmed 204, and it is final: Transmit deletes
    the session and never reuses its id, so a later listing of it can only be stale.
    `ended` is final for the same reason. A failed revoke changes nothing: the session is
    as alive (or as expired) as it was. Expiry is judged on `expires_at`, so a sync that
    brings a later expiry turns an `expired` estimate back into `active`.
    """
    status = SessionStatus(current)
    if observed is Observation.REVOKE_CONFIRMED:
        return SessionStatus.REVOKED
    if status in (SessionStatus.REVOKED, SessionStatus.ENDED):
        return status
    if observed is Observation.FOUND_GONE:
        return SessionStatus.ENDED
    if _require_aware(expires_at, "expires_at") <= _require_aware(now, "now"):
        return SessionStatus.EXPIRED
    return SessionStatus.ACTIVE


def access_usable_until(access_token_expiries: Iterable[datetime | None]) -> datetime | None:
    """Until when the newest known access token of a session stays usable (None: none known).

    Revoking a session does not shorten this: issued access tokens live to their own `exp`.
    """
    known = [_require_aware(exp, "exp") for exp in access_token_expiries if exp is not None]
    return max(known) if known else None


class SessionFacts(Protocol):
    """What the extend-access decision needs; the store's `SessionRecord` provides it."""

    @property
    def status(self) -> str: ...

    @property
    def expires_at(self) -> datetime: ...

    @property
    def access_expires_at(self) -> datetime | None: ...


AccessAction = Literal["continue", "reauthenticate", "login"]


@dataclass(frozen=True, slots=True)
class AccessDecision:
    """Transmit's recommendation for a returning user, with a reason a support agent can read.

    `until`: for "continue" when the access token stops being valid; for "reauthenticate"
    when the session itself expires; None for "login".
    """

    action: AccessAction
    until: datetime | None
    reason: str


def extend_access_decision(record: SessionFacts, now: datetime) -> AccessDecision:
    """Continue with the access token, re-authenticate silently, or log in again.

    Refresh tokens are for offline access only, so they never enter this decision.
    """
    status = derive_status(record.status, expires_at=record.expires_at, now=now)
    token_until = record.access_expires_at
    if status is not SessionStatus.ACTIVE:
        return AccessDecision("login", None, _login_reason(status, record, token_until, now))
    if token_until is not None and _require_aware(token_until, "access_expires_at") > now:
        return AccessDecision(
            "continue",
            token_until,
            f"The access token is still valid until {_utc(token_until)} "
            f"({_span(token_until - now)} from now): keep using it.",
        )
    lead = (
        "No access token of this session is known"
        if token_until is None
        else f"The access token expired at {_utc(token_until)}"
    )
    return AccessDecision(
        "reauthenticate",
        record.expires_at,
        f"{lead}, but the session is alive until {_utc(record.expires_at)}: authenticate "
        "silently with the session id to get new tokens (this also extends the session).",
    )


def _login_reason(
    status: SessionStatus, record: SessionFacts, token_until: datetime | None, now: datetime
) -> str:
    if status is SessionStatus.REVOKED:
        reason = "The session was revoked, so the user must log in again."
    elif status is SessionStatus.ENDED:
        reason = "Transmit no longer knows this session (it ended), so the user must log in again."
    else:
        reason = (
            f"The session expired at {_utc(record.expires_at)} (sessions last "
            f"{SESSION_LIFETIME.days} days after the last authentication), so the user must "
            "log in again."
        )
    if token_until is not None and token_until > now:
        # Transmit documents this; support agents are regularly surprised by it.
        reason += (
            f" Access tokens already issued stay valid until {_utc(token_until)} unless the "
            "app refuses them itself."
        )
    return reason


def _require_aware(moment: datetime, name: str) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime, got a naive one")
    return moment


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def _span(delta: timedelta) -> str:
    minutes = max(0, int(delta.total_seconds() // 60))
    if minutes < 1:
        return "less than a minute"
    if minutes < 120:
        return f"{minutes} min"
    hours = minutes // 60
    if hours < 48:
        return f"{hours} h"
    return f"{hours // 24} days"
