"""The session lifecycle rules: status transitions and the extend-access decision."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from transmit_admin.core.lifecycle import (
    SESSION_LIFETIME,
    Observation,
    SessionStatus,
    access_usable_until,
    derive_status,
    extend_access_decision,
)

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
LATER = NOW + timedelta(days=3)
EARLIER = NOW - timedelta(minutes=1)

A, X, R, E = (
    SessionStatus.ACTIVE,
    SessionStatus.EXPIRED,
    SessionStatus.REVOKED,
    SessionStatus.ENDED,
)


@pytest.mark.parametrize(
    ("current", "expires_at", "observed", "expected"),
    [
        # time alone
        (A, LATER, None, A),
        (A, EARLIER, None, X),
        (A, NOW, None, X),  # expiry is exclusive: at the expiry instant it is over
        (X, LATER, None, A),  # a sync brought a later expiry: the estimate was wrong
        (R, LATER, None, R),
        (E, LATER, None, E),
        # revoke: only a confirmed 204 revokes, whatever the status was
        (A, LATER, Observation.REVOKE_CONFIRMED, R),
        (X, EARLIER, Observation.REVOKE_CONFIRMED, R),
        (E, LATER, Observation.REVOKE_CONFIRMED, R),
        # a failed or timed-out revoke leaves the status as it was
        (A, LATER, Observation.REVOKE_FAILED, A),
        (X, EARLIER, Observation.REVOKE_FAILED, X),
        (R, LATER, Observation.REVOKE_FAILED, R),
        (E, LATER, Observation.REVOKE_FAILED, E),
        # Transmit says the session is gone
        (A, LATER, Observation.FOUND_GONE, E),
        (X, EARLIER, Observation.FOUND_GONE, E),
        (R, LATER, Observation.FOUND_GONE, R),  # revoked stays the more precise answer
        # Transmit says it is alive
        (A, LATER, Observation.FOUND_ALIVE, A),
        (X, LATER, Observation.FOUND_ALIVE, A),
        (R, LATER, Observation.FOUND_ALIVE, R),  # a revoked id is never reused: stale list
        (E, LATER, Observation.FOUND_ALIVE, E),
    ],
)
def test_derive_status_table(
    current: SessionStatus,
    expires_at: datetime,
    observed: Observation | None,
    expected: SessionStatus,
) -> None:
    assert derive_status(current, expires_at=expires_at, now=NOW, observed=observed) is expected


def test_derive_status_accepts_the_stored_text_and_refuses_naive_times() -> None:
    assert derive_status("active", expires_at=LATER, now=NOW) is A
    with pytest.raises(ValueError, match="timezone-aware"):
        derive_status("active", expires_at=LATER.replace(tzinfo=None), now=NOW)


moments = st.datetimes(
    min_value=datetime(2020, 1, 1), max_value=datetime(2035, 1, 1), timezones=st.just(UTC)
)
statuses = st.sampled_from(list(SessionStatus))
observations = st.none() | st.sampled_from(list(Observation))


@given(statuses, moments, moments, observations)
def test_revoked_only_after_confirmation_and_failed_revoke_changes_nothing(
    current: SessionStatus, expires_at: datetime, now: datetime, observed: Observation | None
) -> None:
    result = derive_status(current, expires_at=expires_at, now=now, observed=observed)
    if result is R:
        assert observed is Observation.REVOKE_CONFIRMED or current is R
    if observed is Observation.REVOKE_FAILED:
        assert result == derive_status(current, expires_at=expires_at, now=now)
    if current in (R, E) and observed is not Observation.REVOKE_CONFIRMED:
        assert result is current
    if result is A:
        assert expires_at > now


def test_access_usable_until_is_the_newest_access_token() -> None:
    first, second = NOW + timedelta(minutes=10), NOW + timedelta(minutes=50)
    assert access_usable_until([first, None, second]) == second
    assert access_usable_until([]) is None
    assert access_usable_until([None]) is None


@dataclass(frozen=True)
class Facts:
    status: str
    expires_at: datetime
    access_expires_at: datetime | None


@pytest.mark.parametrize(
    ("facts", "action", "until", "reason_has"),
    [
        (Facts("active", LATER, NOW + timedelta(minutes=30)), "continue",
         NOW + timedelta(minutes=30), "still valid until 2026-11-27 12:30 UTC (30 min"),
        (Facts("active", LATER, EARLIER), "reauthenticate", LATER, "access token expired"),
        (Facts("active", LATER, None), "reauthenticate", LATER, "No access token"),
        (Facts("active", EARLIER, None), "login", None, "session expired"),
        (Facts("expired", EARLIER, NOW + timedelta(minutes=5)), "login", None,
         "already issued stay valid"),
        (Facts("revoked", LATER, NOW + timedelta(minutes=5)), "login", None, "revoked"),
        (Facts("revoked", LATER, None), "login", None, "revoked"),
        (Facts("ended", LATER, None), "login", None, "no longer knows"),
    ],
)  # fmt: skip
def test_extend_access_decision_table(
    facts: Facts, action: str, until: datetime | None, reason_has: str
) -> None:
    decision = extend_access_decision(facts, NOW)
    assert decision.action == action
    assert decision.until == until
    assert reason_has in decision.reason
    assert "refresh" not in decision.reason.lower()


@given(statuses, moments, st.none() | moments, moments)
def test_decision_is_consistent_with_the_status_rules(
    status: SessionStatus, expires_at: datetime, access: datetime | None, now: datetime
) -> None:
    decision = extend_access_decision(Facts(status, expires_at, access), now)
    alive = derive_status(status, expires_at=expires_at, now=now) is A
    assert (decision.action == "login") == (not alive)
    if decision.action == "continue":
        assert access is not None
        assert access > now
        assert decision.until == access
    if decision.action == "reauthenticate":
        assert decision.until == expires_at
        assert access is None or access <= now
    assert decision.reason.endswith(".")


def test_session_lifetime_is_two_weeks() -> None:
    assert timedelta(days=14) == SESSION_LIFETIME
