"""Seeded data for demos, and the request-body rules (pure functions, no server)."""

from __future__ import annotations

import time
from collections import Counter

from tests.support.sandbox_admin import SandboxAdmin
from transmit_admin.sandbox.config import SandboxConfig
from transmit_admin.sandbox.seed import make_random, seed_app, seed_sessions, seed_users
from transmit_admin.sandbox.validation import (
    MAGIC_LINK_SEND,
    OTP_SEND,
    SESSION_AUTHENTICATE,
    problems,
)


def test_seeded_sessions_cover_every_status_and_user() -> None:
    now = time.time()
    rng = make_random(42)
    users = seed_users(rng, 6, now)
    sessions = seed_sessions(rng, users, 200, now)
    statuses = Counter(s.status(now) for s in sessions)
    assert set(statuses) == {"active", "expired", "ended", "revoked"}
    assert {s.user_id for s in sessions} == {u.user_id for u in users}
    assert any("mfa" in s.amr() for s in sessions)
    assert all(s.created <= s.auth_time < s.expires for s in sessions)


def test_seeding_is_reproducible_with_a_seed() -> None:
    now = 1_800_000_000.0
    first, second = make_random(9), make_random(9)
    assert seed_app(first, SandboxConfig()) == seed_app(second, SandboxConfig())
    assert seed_users(first, 12, now) == seed_users(second, 12, now)
    emails = [u.email for u in seed_users(make_random(1), 25, now)]
    assert len(set(emails)) == 25  # unique even past the list of demo names


def test_shared_sandbox_sessions_overview(sandbox_admin: SandboxAdmin) -> None:
    sessions = sandbox_admin.sessions()
    assert len(sessions) >= 20  # the seeded ones, plus any other tests created
    emails = {u["email"] for u in sandbox_admin.users()}
    assert {s["email"] for s in sessions} <= emails
    assert {s["app_name"] for s in sessions} == {"Acme Support Demo"}
    assert {"active", "expired"} <= {s["status"] for s in sessions}
    for session in sessions:
        assert set(session) >= {"session_id", "user_id", "factors", "amr", "created", "expires"}


def test_missing_wrong_and_unknown_values_are_each_reported() -> None:
    assert problems({}, MAGIC_LINK_SEND) == [
        "email should not be empty",
        "redirect_uri should not be empty",
    ]
    found = problems({"channel": "pigeon", "identifier_type": 3, "identifier": ""}, OTP_SEND)
    assert found == [
        "channel must be one of the following values: sms, email, direct",
        "identifier_type must be a string",
        "identifier should not be empty",
    ]
    nested = problems(
        {"session_id": "s", "client_attributes": {"ip_address": 1}}, SESSION_AUTHENTICATE
    )
    assert nested == ["client_attributes.ip_address must be a string"]
    assert problems({"email": "a", "redirect_uri": "b", "extra": 1}, MAGIC_LINK_SEND) == []
