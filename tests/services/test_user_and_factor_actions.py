"""Check alive, re-authenticate, sync, revoke-user, magic-link factor, notes, bulk revoke."""

from __future__ import annotations

import asyncio
import dataclasses
from typing import Any

import pytest

from tests.services.conftest import ENV_NAME, Harness
from transmit_admin.services.magic_link import magic_link_code
from transmit_admin.services.results import ActionResult, Outcome

REDIRECT_URI = "http://127.0.0.1:8765/callback"


def _new_requests(harness: Harness, before: int) -> list[dict[str, Any]]:
    entries = harness.admin.requests()  # newest first
    return entries[: len(entries) - before]


def _tracked(harness: Harness, user_index: int, *, email_claim: bool = True) -> str:
    response = harness.login(harness.user(user_index)["email"], email_claim=email_claim)
    result = harness.run(lambda s: s.track_token_response(response))
    assert result.ok, result.message
    return str(response["session_id"])


def test_check_alive_only_reads_the_session_list(harness: Harness) -> None:
    session_id = _tracked(harness, 0)
    expires_at_transmit = harness.admin.session(session_id)["expires"]
    before = len(harness.admin.requests())

    result = harness.run(lambda s: s.check_alive(session_id))
    assert result.ok, result.message
    assert result.message.startswith("alive")
    calls = [r for r in _new_requests(harness, before) if not r["path"].endswith("/oidc/token")]
    assert [r["method"] for r in calls] == ["GET"]
    assert calls[0]["path"].endswith("/sessions")
    assert harness.admin.session(session_id)["expires"] == expires_at_transmit
    record = harness.store.get_session(ENV_NAME, session_id)
    assert record is not None
    assert record.last_checked_at is not None
    assert harness.store.events_of(ENV_NAME, session_id)[-1].kind == "checked_alive"


def test_check_alive_of_a_logged_out_session_marks_it_ended(harness: Harness) -> None:
    session_id = _tracked(harness, 1)
    harness.run(lambda s: s.client.logout_session(session_id))
    result = harness.run(lambda s: s.check_alive(session_id))
    assert result.ok
    assert result.status == "ended"
    assert harness.store.events_of(ENV_NAME, session_id)[-1].kind == "found_ended"


def test_reauthenticate_extends_and_records_new_tokens(harness: Harness) -> None:
    session_id = _tracked(harness, 2)
    before = harness.store.get_session(ENV_NAME, session_id)
    assert before is not None
    result = harness.run(lambda s: s.reauthenticate(session_id))
    assert result.ok, result.message
    assert "extended the session" in result.message
    after = harness.store.get_session(ENV_NAME, session_id)
    assert after is not None
    assert after.expires_at > before.expires_at
    assert len(harness.store.tokens_of(ENV_NAME, session_id)) == 4
    assert harness.store.events_of(ENV_NAME, session_id)[-1].kind == "reauthenticated"


def test_magic_link_factor_from_outbox_adds_eml_and_moves_expiry(harness: Harness) -> None:
    user = harness.user(3)
    # No email recorded (tracking's own look-up failed, or an older store): mfa-send must look
    # the user's email up by id.
    session_id = _tracked(harness, 3, email_claim=False)
    tracked = harness.store.get_session(ENV_NAME, session_id)
    assert tracked is not None
    harness.store.upsert_session(dataclasses.replace(tracked, email=None))
    before = harness.store.get_session(ENV_NAME, session_id)
    assert before is not None
    assert before.email is None
    assert "eml" not in before.factors

    sent = harness.run(lambda s: s.send_magic_link_factor(session_id, REDIRECT_URI))
    assert sent.ok, sent.message
    assert user["email"] in sent.message
    link = harness.admin.latest_message(user["email"])["link"]
    assert link.startswith(REDIRECT_URI + "?")

    done = harness.run(lambda s: s.complete_magic_link_factor(session_id, link))
    assert done.ok, done.message
    after = harness.store.get_session(ENV_NAME, session_id)
    assert after is not None
    assert "eml" in after.factors
    assert "pwd" in after.factors
    assert after.expires_at > before.expires_at
    assert "eml" in harness.admin.session(session_id)["factors"]
    assert harness.store.events_of(ENV_NAME, session_id)[-1].kind == "factor_added"
    actions = [a.action for a in harness.store.iter_audit(limit=2)]
    assert actions == ["mfa_complete", "mfa_send"]

    reused = harness.run(lambda s: s.complete_magic_link_factor(session_id, link))
    assert not reused.ok
    assert "factor not added" in reused.message


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("abc123", "abc123"),
        ("  abc123\n", "abc123"),
        ("http://127.0.0.1:1/cb?code=abc123&state=x", "abc123"),
        ("https://app.example.com/login?state=s&code=zz%2B9", "zz+9"),
    ],
)
def test_magic_link_code_accepts_code_or_url(text: str, code: str) -> None:
    assert magic_link_code(text) == code


def test_magic_link_url_without_code_is_refused() -> None:
    with pytest.raises(ValueError, match="no code"):
        magic_link_code("http://127.0.0.1:1/cb?state=x")


def test_sync_inserts_listed_and_ends_missing(private_harness: Harness) -> None:
    harness = private_harness
    user = harness.user(1)
    tracked = _tracked(harness, 1)
    gone = _tracked(harness, 1)
    harness.run(lambda s: s.client.logout_session(gone))
    elsewhere = harness.login(user["email"])["session_id"]  # never tracked here

    result = harness.run(lambda s: s.sync_user(user["email"]))
    assert result.ok, result.message
    assert result.outcome is Outcome.DONE
    assert result.user_id == user["user_id"]
    assert elsewhere in result.inserted
    assert tracked in result.updated
    assert result.ended == (gone,)
    synced = harness.store.get_session(ENV_NAME, elsewhere)
    assert synced is not None
    assert synced.source == "synced"
    assert synced.email == user["email"]
    ended = harness.store.get_session(ENV_NAME, gone)
    assert ended is not None
    assert ended.status == "ended"
    assert next(harness.store.iter_audit(limit=1)).action == "sync"


def test_sync_of_an_unknown_user_fails_clearly(harness: Harness) -> None:
    result = harness.run(lambda s: s.sync_user("nobody@example.com"))
    assert not result.ok
    assert result.outcome is Outcome.REFUSED
    assert "no user" in result.message


def test_sync_without_a_user_is_refused_and_asks_transmit_nothing(harness: Harness) -> None:
    before = len(harness.admin.requests())
    result = harness.run(lambda s: s.sync_user("  "))
    assert not result.ok
    assert result.outcome is Outcome.REFUSED
    assert result.user_id is None
    calls = [r for r in _new_requests(harness, before) if not r["path"].endswith("/oidc/token")]
    assert calls == []


@pytest.mark.parametrize("route", ["/cis/v1/users/*", "*/auth/users/*/sessions"])
def test_sync_whose_call_fails_is_failed_and_changes_nothing(
    private_harness: Harness, route: str
) -> None:
    """The user look-up or the session list answers 503: FAILED (not REFUSED: the user
    exists), and the tracked session is left as it was."""
    harness = private_harness
    user = harness.user(0)
    tracked = _tracked(harness, 0)
    harness.run(lambda s: s.client.logout_session(tracked))  # a sync would mark it ended
    harness.admin.set_faults(next=["503"], routes=[route])
    result = harness.run(lambda s: s.sync_user(user["email"]))
    assert not result.ok
    assert result.outcome is Outcome.FAILED
    assert (result.inserted, result.updated, result.ended) == ((), (), ())
    record = harness.store.get_session(ENV_NAME, tracked)
    assert record is not None
    assert record.status == "active"
    audit = next(harness.store.iter_audit(limit=1))
    assert (audit.action, audit.outcome) == ("sync", "failed")


def test_revoke_user_logs_out_all_and_marks_tracked(private_harness: Harness) -> None:
    harness = private_harness
    user = harness.user(2)
    first, second = _tracked(harness, 2), _tracked(harness, 2)
    result = harness.run(lambda s: s.revoke_user(user["email"]))
    assert result.ok, result.message
    assert set(result.revoked) == {first, second}
    for session_id in (first, second):
        record = harness.store.get_session(ENV_NAME, session_id)
        assert record is not None
        assert record.status == "revoked"
        assert harness.admin.session(session_id)["status"] != "active"
    deletes = [r for r in harness.admin.requests() if r["method"] == "DELETE"]
    assert deletes
    assert deletes[0]["status"] == 204


def test_revoke_many_reports_each_row_and_can_be_cancelled(private_harness: Harness) -> None:
    harness = private_harness
    ids = [_tracked(harness, 3) for _ in range(3)]
    seen: list[ActionResult] = []
    results = harness.run(
        lambda s: s.revoke_many([*ids, "not-tracked"], concurrency=2, on_result=seen.append)
    )
    assert [r.session_id for r in results] == [*ids, "not-tracked"]
    assert [r.ok for r in results] == [True, True, True, False]
    assert len(seen) == 4

    more = [_tracked(harness, 4) for _ in range(2)]

    async def cancelled(service: Any) -> list[ActionResult]:
        stop = asyncio.Event()
        stop.set()
        result: list[ActionResult] = await service.revoke_many(more, cancel_event=stop)
        return result

    results = harness.run(cancelled)
    assert all(not r.ok and "cancelled" in r.message for r in results)
    assert all(r.outcome is Outcome.CANCELLED for r in results)
    assert all(harness.admin.session(sid)["status"] == "active" for sid in more)


def test_note_is_set_and_cleared_with_events(harness: Harness) -> None:
    session_id = _tracked(harness, 0)
    harness.run(lambda s: _as_awaitable(s.set_note(session_id, "customer called")))
    record = harness.store.get_session(ENV_NAME, session_id)
    assert record is not None
    assert record.note == "customer called"
    harness.run(lambda s: _as_awaitable(s.set_note(session_id, "  ")))
    record = harness.store.get_session(ENV_NAME, session_id)
    assert record is not None
    assert record.note is None
    kinds = [e.kind for e in harness.store.events_of(ENV_NAME, session_id)]
    assert kinds[-2:] == ["note_changed", "note_changed"]


async def _as_awaitable(value: ActionResult) -> ActionResult:
    return value


def _user_list_calls(harness: Harness, user_id: str) -> int:
    return sum(
        1
        for r in harness.admin.requests()
        if r["method"] == "GET" and r["path"].endswith(f"/users/{user_id}/sessions")
    )


@pytest.mark.parametrize("fault", ["200-json", "202", "200-html"])
def test_revoke_user_with_a_wrong_success_checks_the_session_list_and_marks_nothing(
    private_harness: Harness, fault: str
) -> None:
    """The DELETE never reached Transmit: the sessions are still listed, so they stay."""
    harness = private_harness
    user = harness.user(1)
    first, second = _tracked(harness, 1), _tracked(harness, 1)
    harness.run(lambda s: s.client.client_token())
    lists_before = _user_list_calls(harness, user["user_id"])
    harness.admin.set_faults(next=[fault], routes=["*/auth/users/*/sessions"])
    result = harness.run(lambda s: s.revoke_user(user["user_id"]))

    assert not result.ok
    assert result.outcome is Outcome.UNCONFIRMED
    assert result.revoked == ()
    assert result.message.startswith("unconfirmed: logout not confirmed")
    for session_id in (first, second):
        record = harness.store.get_session(ENV_NAME, session_id)
        assert record is not None
        assert record.status == "active"
        assert harness.admin.session(session_id)["status"] == "active"
    assert _user_list_calls(harness, user["user_id"]) - lists_before == 1
    assert next(harness.store.iter_audit(limit=1)).outcome == "unconfirmed"


def test_revoke_user_with_a_wrong_success_after_the_logout_is_confirmed_by_the_list(
    private_harness: Harness,
) -> None:
    harness = private_harness
    user = harness.user(0)
    first, second = _tracked(harness, 0), _tracked(harness, 0)
    harness.run(lambda s: s.client.client_token())
    harness.admin.set_faults(next=["200-after"], routes=["*/auth/users/*/sessions"])
    result = harness.run(lambda s: s.revoke_user(user["user_id"]))

    assert result.ok, result.message
    assert result.outcome is Outcome.REVOKED
    assert set(result.revoked) == {first, second}
    assert "confirmed by Transmit's session list" in result.message
    for session_id in (first, second):
        record = harness.store.get_session(ENV_NAME, session_id)
        assert record is not None
        assert record.status == "revoked"
        events = harness.store.events_of(ENV_NAME, session_id)
        assert events[-1].detail == "confirmed by Transmit's session list"


def test_revoke_user_with_a_wrong_success_and_the_list_failing_marks_nothing(
    private_harness: Harness,
) -> None:
    harness = private_harness
    user = harness.user(3)
    session_id = _tracked(harness, 3)
    harness.run(lambda s: s.client.client_token())
    harness.admin.set_faults(next=["200-after", "500"], routes=["*/auth/users/*/sessions"])
    result = harness.run(lambda s: s.revoke_user(user["user_id"]))

    assert not result.ok
    assert result.outcome is Outcome.UNCONFIRMED
    assert "the session list could not be read" in result.message
    record = harness.store.get_session(ENV_NAME, session_id)
    assert record is not None
    assert record.status == "active"
