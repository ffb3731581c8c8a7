"""Tracking a token response and revoking it, against the real sandbox."""

from __future__ import annotations

import json
import logging
import sqlite3
from typing import Any

import pytest

from tests.services.conftest import ACTOR, ENV_NAME, Harness
from transmit_admin.core.report import Verdict
from transmit_admin.services.results import Outcome
from transmit_admin.services.session_service import SessionService


def _logout_requests(harness: Harness) -> list[dict[str, object]]:
    return [r for r in harness.admin.requests() if r["path"].endswith("/auth/session/logout")]


def _user_lookups(harness: Harness, user_id: str) -> list[dict[str, object]]:
    return [r for r in harness.admin.requests() if r["path"] == f"/cis/v1/users/{user_id}"]


def test_track_records_session_tokens_event_and_audit(harness: Harness) -> None:
    user = harness.user(0)
    response = harness.login(user["email"])
    result = harness.run(lambda s: s.track_token_response(json.dumps(response), local_ref="web-1"))
    assert result.ok, result.message
    assert result.outcome is Outcome.DONE
    session_id = response["session_id"]
    assert result.session_id == session_id
    assert result.status == "active"
    assert [r.verdict for r in result.reports] == [Verdict.VALID, Verdict.VALID]

    record = harness.store.get_session(ENV_NAME, session_id)
    assert record is not None
    assert record.user_id == user["user_id"]
    assert record.email == user["email"]
    assert record.source == "tracked"
    assert record.local_ref == "web-1"
    assert "pwd" in record.factors
    assert record.app_name
    assert record.app_id
    assert record.client_id == harness.info.client_id
    assert record.access_expires_at is not None

    tokens = harness.store.tokens_of(ENV_NAME, session_id)
    assert sorted(t.kind for t in tokens) == ["id_token", "user_access_token"]
    assert all(t.sub == user["user_id"] for t in tokens)
    assert [e.kind for e in harness.store.events_of(ENV_NAME, session_id)] == ["created"]
    audit = next(harness.store.iter_audit(limit=1))
    assert (audit.action, audit.target, audit.outcome, audit.actor) == (
        "track",
        session_id,
        "ok",
        ACTOR,
    )


def test_track_without_an_email_claim_looks_the_email_up(harness: Harness) -> None:
    user = harness.user(1)
    response = harness.login(user["email"], email_claim=False)
    before = len(_user_lookups(harness, user["user_id"]))
    result = harness.run(lambda s: s.track_token_response(response))
    assert result.ok, result.message
    record = harness.store.get_session(ENV_NAME, response["session_id"])
    assert record is not None
    assert record.email == user["email"]
    assert f"<{user['email']}>" in result.message
    lookups = _user_lookups(harness, user["user_id"])
    assert len(lookups) == before + 1
    assert lookups[-1]["status"] == 200


def test_track_with_an_email_claim_asks_transmit_nothing_more(harness: Harness) -> None:
    user = harness.user(1)
    response = harness.login(user["email"])
    before = len(_user_lookups(harness, user["user_id"]))
    result = harness.run(lambda s: s.track_token_response(response))
    assert result.ok, result.message
    record = harness.store.get_session(ENV_NAME, response["session_id"])
    assert record is not None
    assert record.email == user["email"]
    assert len(_user_lookups(harness, user["user_id"])) == before


def test_track_when_the_email_look_up_fails_tracks_without_one(
    private_harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    harness = private_harness
    user = harness.user(1)
    response = harness.login(user["email"], email_claim=False)
    harness.admin.set_faults(next=["503"], routes=["/cis/v1/users/*"])
    with caplog.at_level(logging.INFO, logger="transmit_admin.services"):
        result = harness.run(lambda s: s.track_token_response(response))
    assert result.ok, result.message
    record = harness.store.get_session(ENV_NAME, response["session_id"])
    assert record is not None
    assert record.email is None
    assert record.user_id == user["user_id"]
    assert [r["status"] for r in _user_lookups(harness, user["user_id"])] == [503]
    lines = [r for r in caplog.records if "user look-up failed" in r.getMessage()]
    assert [r.levelno for r in lines] == [logging.INFO]
    audit = next(harness.store.iter_audit(limit=1))
    assert (audit.action, audit.outcome) == ("track", "ok")


def test_tracking_the_same_response_twice_updates_not_duplicates(harness: Harness) -> None:
    response = harness.login(harness.user(1)["email"])
    first = harness.run(lambda s: s.track_token_response(response))
    again = harness.run(lambda s: s.track_token_response(response))
    assert first.ok
    assert again.ok
    assert (first.outcome, again.outcome) == (Outcome.DONE, Outcome.DONE)
    assert "already tracked" in again.message
    assert "nothing new" in again.message
    assert len(harness.store.tokens_of(ENV_NAME, response["session_id"])) == 2
    kinds = [e.kind for e in harness.store.events_of(ENV_NAME, response["session_id"])]
    assert kinds == ["created"]


def test_invalid_token_is_refused_and_nothing_stored(harness: Harness) -> None:
    response = harness.login(harness.user(0)["email"])
    header, payload, signature = response["access_token"].split(".")
    tampered = dict(response, access_token=f"{header}.{payload}.{signature[:-6]}AAAAAA")
    result = harness.run(lambda s: s.track_token_response(tampered))
    assert not result.ok
    assert result.outcome is Outcome.REFUSED
    assert result.session_id is None
    assert result.message.startswith("access_token refused")
    assert result.reports
    assert result.reports[0].verdict is Verdict.INVALID
    assert harness.store.get_session(ENV_NAME, response["session_id"]) is None
    assert harness.store.tokens_of(ENV_NAME, response["session_id"]) == []
    audit = next(harness.store.iter_audit(limit=1))
    assert (audit.action, audit.outcome) == ("track", "refused")


def test_token_of_another_issuer_is_refused(harness: Harness) -> None:
    response = harness.login(harness.user(0)["email"])

    async def track_elsewhere(service: SessionService) -> object:
        elsewhere = type(service.env).from_region(
            ENV_NAME,
            service.env.region,
            service.env.client_id,
            base_url=service.env.base_url,
            issuer="https://userid.security",
            jwks_url=service.env.jwks_url,
        )
        other = SessionService(service.store, service.client, elsewhere, ACTOR)
        try:
            return await other.track_token_response(response)
        finally:
            await other.aclose()

    result = harness.run(track_elsewhere)
    assert not result.ok  # type: ignore[attr-defined]
    assert result.outcome is Outcome.REFUSED  # type: ignore[attr-defined]
    assert harness.store.get_session(ENV_NAME, response["session_id"]) is None


def test_not_json_is_refused_with_a_sentence(harness: Harness) -> None:
    result = harness.run(lambda s: s.track_token_response("hello"))
    assert not result.ok
    assert result.outcome is Outcome.REFUSED
    assert "not a token response" in result.message


def test_track_when_the_signing_keys_cannot_be_fetched_is_failed(
    private_harness: Harness,
) -> None:
    """Transmit's JWKS answers 503: the tokens could not be checked at all. That is a failed
    call (FAILED, worth retrying), not a refused response; nothing is stored."""
    harness = private_harness
    response = harness.login(harness.user(0)["email"])
    harness.admin.set_faults(next=["503"] * 3, routes=["/cis/oidc/jwks"])
    result = harness.run(lambda s: s.track_token_response(response))
    assert not result.ok
    assert result.outcome is Outcome.FAILED
    assert result.session_id is None
    assert harness.store.get_session(ENV_NAME, response["session_id"]) is None
    audit = next(harness.store.iter_audit(limit=1))
    assert (audit.action, audit.outcome) == ("track", "refused")


def test_revoke_confirmed_by_sandbox_then_revoke_again(harness: Harness) -> None:
    response = harness.login(harness.user(2)["email"])
    session_id = response["session_id"]
    assert harness.run(lambda s: s.track_token_response(response)).ok

    result = harness.run(lambda s: s.revoke(session_id))
    assert result.ok, result.message
    assert result.status == "revoked"
    assert harness.admin.session(session_id)["status"] in ("ended", "revoked")
    assert any(r["status"] == 204 for r in _logout_requests(harness))
    record = harness.store.get_session(ENV_NAME, session_id)
    assert record is not None
    assert record.status == "revoked"
    assert record.revoked_at is not None
    kinds = [e.kind for e in harness.store.events_of(ENV_NAME, session_id)]
    assert kinds[-2:] == ["revoke_requested", "revoke_confirmed"]
    audit = next(harness.store.iter_audit(limit=1))
    assert (audit.action, audit.target, audit.outcome) == ("revoke", session_id, "ok")

    again = harness.run(lambda s: s.revoke(session_id))
    assert again.ok
    assert "already revoked" in again.message
    assert harness.store.get_session(ENV_NAME, session_id) == record


def test_a_revoke_outcome_is_recorded_whole_or_not_at_all(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    response = harness.login(harness.user(2)["email"])
    session_id = response["session_id"]
    assert harness.run(lambda s: s.track_token_response(response)).ok
    audit_rows = len(list(harness.store.iter_audit()))

    def audit_fails(*args: Any, **kwargs: Any) -> None:
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(harness.store, "audit", audit_fails)
    with pytest.raises(sqlite3.OperationalError):
        harness.run(lambda s: s.revoke(session_id))
    monkeypatch.undo()
    # Transmit did log it out, but the outcome could not be recorded in full: none of it is.
    record = harness.store.get_session(ENV_NAME, session_id)
    assert record is not None
    assert record.status == "active"
    assert record.revoked_at is None
    kinds = [e.kind for e in harness.store.events_of(ENV_NAME, session_id)]
    assert kinds[-1] == "revoke_requested"  # committed before the call, on its own
    assert len(list(harness.store.iter_audit())) == audit_rows
    assert not harness.store.db.conn.in_transaction


def test_revoke_of_a_session_ended_elsewhere_says_already_ended(harness: Harness) -> None:
    response = harness.login(harness.user(3)["email"])
    session_id = response["session_id"]
    assert harness.run(lambda s: s.track_token_response(response)).ok
    # Logged out behind our back (another agent, the app itself): our record still says active.
    harness.run(lambda s: s.client.logout_session(session_id))

    result = harness.run(lambda s: s.revoke(session_id))
    assert result.ok
    assert result.message.startswith("already ended")
    record = harness.store.get_session(ENV_NAME, session_id)
    assert record is not None
    assert record.status == "ended"
    assert record.ended_at is not None
    assert "found_ended" in [e.kind for e in harness.store.events_of(ENV_NAME, session_id)]


def test_revoke_with_sandbox_failing_leaves_status_and_records_failure(
    private_harness: Harness,
) -> None:
    harness = private_harness
    response = harness.login(harness.user(0)["email"])
    session_id = response["session_id"]
    assert harness.run(lambda s: s.track_token_response(response)).ok
    before = harness.store.get_session(ENV_NAME, session_id)
    harness.admin.set_faults(next=["500"], routes=["*/auth/session/logout"])

    result = harness.run(lambda s: s.revoke(session_id))
    assert not result.ok
    assert result.status == "active"
    assert "HTTP 500" in result.message
    assert harness.store.get_session(ENV_NAME, session_id) == before
    events = harness.store.events_of(ENV_NAME, session_id)
    assert events[-1].kind == "revoke_failed"
    assert "HTTP 500" in events[-1].detail
    audit = next(harness.store.iter_audit(limit=1))
    assert (audit.action, audit.outcome) == ("revoke", "failed")
    assert harness.admin.session(session_id)["status"] == "active"


def test_revoke_untracked_session_is_a_clear_failure(harness: Harness) -> None:
    result = harness.run(lambda s: s.revoke("no-such-session"))
    assert not result.ok
    assert "not a tracked session" in result.message


def _tracked_session(harness: Harness) -> str:
    """Logs the first seeded user in and tracks the session; answers its id."""
    response = harness.login(harness.user(0)["email"])
    assert harness.run(lambda s: s.track_token_response(response)).ok
    return str(response["session_id"])


@pytest.mark.parametrize("fault", ["malformed", "200-json", "200-empty", "202", "200-html"])
def test_a_logout_answered_with_a_wrong_success_is_unconfirmed_and_the_session_stays(
    private_harness: Harness, fault: str
) -> None:
    harness = private_harness
    session_id = _tracked_session(harness)
    harness.admin.set_faults(next=[fault], routes=["*/auth/session/logout"])

    result = harness.run(lambda s: s.revoke(session_id))
    assert not result.ok
    assert result.message == "unconfirmed: logout not confirmed, the session is alive"
    assert result.status == "active"
    record = harness.store.get_session(ENV_NAME, session_id)
    assert record is not None
    assert record.status == "active"
    assert record.revoked_at is None
    kinds = [e.kind for e in harness.store.events_of(ENV_NAME, session_id)]
    assert kinds[-3:] == ["revoke_requested", "revoke_unconfirmed", "checked_alive"]
    failed = harness.store.events_of(ENV_NAME, session_id)[-2]
    assert failed.detail.startswith("unconfirmed: unexpected answer 20")
    assert failed.detail.endswith("not a confirmation")
    assert next(harness.store.iter_audit(limit=1)).outcome == "unconfirmed"
    assert harness.admin.session(session_id)["status"] == "active"


def test_a_wrong_success_after_a_real_logout_is_confirmed_by_the_session_list(
    private_harness: Harness,
) -> None:
    harness = private_harness
    session_id = _tracked_session(harness)
    harness.admin.set_faults(next=["200-after"], routes=["*/auth/session/logout"])

    result = harness.run(lambda s: s.revoke(session_id))
    assert result.ok
    assert result.status == "revoked"
    assert "confirmed by Transmit's session list" in result.message
    events = harness.store.events_of(ENV_NAME, session_id)
    assert events[-1].kind == "revoke_confirmed"
    assert events[-1].detail == "confirmed by Transmit's session list"


def test_a_wrong_success_with_the_list_failing_too_stays_unconfirmed(
    private_harness: Harness,
) -> None:
    harness = private_harness
    session_id = _tracked_session(harness)
    before = harness.store.get_session(ENV_NAME, session_id)
    routes = ["*/auth/session/logout", "*/sessions"]
    harness.admin.set_faults(next=["200-after", "500"], routes=routes)

    result = harness.run(lambda s: s.revoke(session_id))
    assert not result.ok
    assert result.message.startswith("unconfirmed: logout unconfirmed, and the session list")
    assert harness.store.get_session(ENV_NAME, session_id) == before
