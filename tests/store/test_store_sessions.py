"""Sessions, tokens and events in a real SQLite file."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support.store_factory import T0, SettableClock, fingerprint, make_session
from transmit_admin.core.lifecycle import SessionStatus, extend_access_decision
from transmit_admin.store.guard import SecretRefused
from transmit_admin.store.records import EventKind, SessionQuery, SessionRecord, TokenSeen
from transmit_admin.store.store import Store, UnknownSession


def test_upsert_inserts_then_replaces_and_get_returns_the_same_record(store: Store) -> None:
    record = make_session(1, factors=("eml", "pwd"), note="VIP customer", local_ref="cookie-9")
    assert store.upsert_session(record) is True
    assert store.get_session("prod", record.session_id) == record
    changed = dataclasses.replace(record, email="new@example.com", status=SessionStatus.ENDED)
    assert store.upsert_session(changed) is False
    assert store.get_session("prod", record.session_id) == changed
    assert store.get_session("prod", "nope") is None
    assert store.get_session("staging", record.session_id) is None


times = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
)


@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(created=times, checked=st.none() | times, text=st.text(max_size=40))
def test_every_field_round_trips(
    store: Store, created: datetime, checked: datetime | None, text: str
) -> None:
    record = SessionRecord(
        environment="env ü",
        session_id="sid-" + text,
        user_id="u" + text,
        created_at=created,
        expires_at=created + timedelta(days=14),
        last_auth_at=created,
        last_checked_at=checked,
        email=text or None,
        app_name=text,
        note=text or None,
        factors=("eml", text),
        source="synced",
    )
    store.upsert_session(record)
    assert store.get_session("env ü", "sid-" + text) == record


def test_naive_times_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        make_session(1, created_at=datetime(2026, 1, 1))


def test_set_status_stamps_revoked_and_ended_times(store: Store, clock: SettableClock) -> None:
    store.upsert_session(make_session(1))
    revoked = store.set_status("prod", "sess-000001", SessionStatus.REVOKED)
    assert revoked.status is SessionStatus.REVOKED
    assert revoked.revoked_at == clock.now
    at = clock.now + timedelta(hours=1)
    ended = store.set_status("prod", "sess-000001", SessionStatus.ENDED, at=at)
    assert ended.ended_at == at
    assert ended.revoked_at == clock.now
    with pytest.raises(UnknownSession):
        store.set_status("prod", "missing", SessionStatus.REVOKED)


def test_record_status_writes_the_status_columns_and_nothing_else(
    store: Store, clock: SettableClock
) -> None:
    stale = make_session(1)
    store.upsert_session(stale)
    later = clock.now + timedelta(minutes=50)
    store.record_token(_token(1, stale.session_id, "user_access_token", later))
    # changed after `stale` was read, e.g. while a logout was in flight
    store.upsert_session(dataclasses.replace(stale, note="customer called"))
    revoked = dataclasses.replace(
        stale, status=SessionStatus.REVOKED, revoked_at=clock.now, last_checked_at=clock.now
    )
    store.record_status(revoked)
    record = store.get_session("prod", stale.session_id)
    assert record is not None
    assert (record.status, record.revoked_at, record.last_checked_at) == (
        SessionStatus.REVOKED,
        clock.now,
        clock.now,
    )
    assert record.note == "customer called"
    assert record.access_expires_at == later
    assert store.count_sessions(SessionQuery("prod", status=SessionStatus.REVOKED)) == 1
    assert store.count_sessions(SessionQuery("prod", status=SessionStatus.ACTIVE)) == 0
    with pytest.raises(UnknownSession):
        store.record_status(make_session(2))


def _audit_then_fail(store: Store, first: str, nested: str) -> None:
    """One write block: audits `first`, then `nested` in a nested write that completes, then
    fails (so the nested write, already released, must be undone with it)."""
    with store.writing():
        store.audit(first, "t", "ok")
        with store.writing():
            store.audit(nested, "t", "ok")
        raise RuntimeError("undo this block")


def test_a_failed_nested_write_is_undone_alone(store: Store) -> None:
    with store.writing():
        store.audit("outer", "t", "ok")
        with pytest.raises(RuntimeError, match="undo this block"):
            _audit_then_fail(store, "inner", "innermost")
        store.audit("after", "t", "ok")
    assert [e.action for e in store.iter_audit(newest_first=False)] == ["outer", "after"]
    with pytest.raises(RuntimeError, match="undo this block"):
        _audit_then_fail(store, "a whole transaction", "with a savepoint")
    assert [e.action for e in store.iter_audit(newest_first=False)] == ["outer", "after"]
    assert not store.db.conn.in_transaction


def test_expired_sessions_are_marked_by_the_sweep_not_by_reading(
    store: Store, clock: SettableClock
) -> None:
    store.upsert_session(make_session(1))
    store.upsert_session(make_session(2, expires_at=clock.now + timedelta(minutes=5)))
    assert store.count_sessions(SessionQuery("prod", status=SessionStatus.ACTIVE)) == 2
    clock.now += timedelta(minutes=6)
    changes = store.db.conn.total_changes
    store.page_sessions(SessionQuery("prod"))
    store.count_sessions(SessionQuery("prod", status=SessionStatus.ACTIVE))
    assert store.db.conn.total_changes == changes  # reading writes nothing
    assert store.sweep_expired("prod") == 1
    assert store.sweep_expired("prod") == 0
    assert store.count_sessions(SessionQuery("prod", status=SessionStatus.ACTIVE)) == 1
    page = store.page_sessions(SessionQuery("prod", status=SessionStatus.EXPIRED))
    assert [r.session_id for r in page.rows] == ["sess-000002"]


def _token(number: int, session_id: str | None, kind: str, exp: datetime) -> TokenSeen:
    return TokenSeen(
        fingerprint=fingerprint(f"token-{number}"),
        kind=kind,
        environment="prod",
        session_id=session_id,
        jti=f"jti-{number}",
        sub="user-1",
        iat=exp - timedelta(hours=1),
        exp=exp,
        claims={"sub": "user-1", "amr": ["eml"], "exp": int(exp.timestamp())},
        seen_at=exp - timedelta(hours=1),
    )


def test_tokens_link_to_sessions_and_move_access_expiry_forward(
    store: Store, clock: SettableClock
) -> None:
    store.upsert_session(make_session(1))
    sid = "sess-000001"
    later, earlier = clock.now + timedelta(minutes=50), clock.now + timedelta(minutes=20)
    assert store.record_token(_token(1, sid, "user_access_token", later)) is True
    assert store.record_token(_token(1, sid, "user_access_token", later)) is False
    store.record_token(_token(2, sid, "user_access_token", earlier))
    store.record_token(_token(3, sid, "id_token", clock.now + timedelta(hours=5)))
    record = store.get_session("prod", sid)
    assert record is not None
    assert record.access_expires_at == later
    # an upsert without a token expiry does not forget it
    store.upsert_session(dataclasses.replace(record, access_expires_at=None, note="x"))
    record = store.get_session("prod", sid)
    assert record is not None
    assert record.access_expires_at == later
    decision = extend_access_decision(record, clock.now)
    assert decision.action == "continue"
    assert decision.until == later
    assert [t.jti for t in store.tokens_of("prod", sid)] == ["jti-2", "jti-1", "jti-3"]
    assert store.find_session_by_fingerprint(fingerprint("token-3")) == record
    assert store.find_session_by_jti("jti-2") == record
    assert store.find_session_by_jti("jti-2", environment="staging") is None
    assert store.find_session_by_fingerprint(fingerprint("unknown")) is None


def test_a_token_without_session_is_kept_but_finds_no_session(store: Store) -> None:
    store.record_token(_token(7, None, "client_access_token", T0 + timedelta(hours=1)))
    assert store.find_session_by_fingerprint(fingerprint("token-7")) is None


@pytest.mark.parametrize(
    "claims",
    [
        {"refresh_token": "opaque"},
        {"nested": {"client_secret": "s"}},
        {"act": ["eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln"]},
    ],
)
def test_claims_carrying_secrets_are_refused(store: Store, claims: dict[str, object]) -> None:
    token = dataclasses.replace(_token(1, None, "id_token", T0 + timedelta(hours=1)), claims=claims)
    with pytest.raises(SecretRefused):
        store.record_token(token)
    with pytest.raises(SecretRefused):
        store.record_token(dataclasses.replace(token, claims={}, fingerprint="eyJraw.token.x"))


def test_events_keep_their_order_actor_and_detail(store: Store, clock: SettableClock) -> None:
    store.upsert_session(make_session(1))
    store.add_event("prod", "sess-000001", EventKind.CREATED, "tracked from a token response")
    clock.now += timedelta(minutes=1)
    store.add_event("prod", "sess-000001", "revoke_failed", "HTTP 500", actor="agent-7")
    events = store.events_of("prod", "sess-000001")
    assert [e.kind for e in events] == [EventKind.CREATED, EventKind.REVOKE_FAILED]
    assert events[1].actor == "agent-7"
    assert events[1].at == clock.now
    assert events[0].actor  # the OS user
    with pytest.raises(UnknownSession):
        store.add_event("prod", "missing", EventKind.SYNCED)
    with pytest.raises(ValueError, match="not a valid EventKind"):
        store.add_event("prod", "sess-000001", "exploded")


def test_sessions_of_user_by_id_or_email_any_case(store: Store) -> None:
    for number in range(1, 15):
        store.upsert_session(make_session(number))
    by_id = store.sessions_of_user("prod", "user-3")
    by_email = store.sessions_of_user("prod", "PERSON3@Example.com")
    assert {r.session_id for r in by_id} == {"sess-000003", "sess-000010"}
    assert by_email == by_id
    assert [r.created_at for r in by_id] == sorted((r.created_at for r in by_id), reverse=True)


def test_distinct_apps_with_names_and_counts(store: Store) -> None:
    for number in range(1, 7):
        store.upsert_session(make_session(number))
    store.upsert_session(make_session(99, app_id=None, app_name=None))
    apps = store.distinct_apps("prod")
    assert [(a.app_id, a.app_name, a.sessions) for a in apps] == [
        ("app-0", "App 0", 2),
        ("app-1", "App 1", 2),
        ("app-2", "App 2", 2),
    ]
    assert store.distinct_apps("staging") == []


def test_free_text_is_scrubbed_of_tokens(store: Store) -> None:
    jwt = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl"
    store.upsert_session(make_session(1, note=f"user pasted {jwt} here"))
    record = store.get_session("prod", "sess-000001")
    assert record is not None
    assert record.note == "user pasted [redacted] here"
    event = store.add_event("prod", "sess-000001", "note_changed", f"client_secret={jwt}x")
    assert jwt not in event.detail
    assert "client_secret=[redacted]" in event.detail


def test_the_expiry_sweep_postpones_while_another_process_writes(
    store: Store, clock: SettableClock
) -> None:
    import sqlite3
    from contextlib import closing

    store.upsert_session(make_session(1, expires_at=clock.now + timedelta(minutes=1)))
    clock.now += timedelta(minutes=2)
    with closing(sqlite3.connect(store.path, isolation_level=None)) as other:
        other.execute("BEGIN IMMEDIATE")  # another process is in the middle of a write
        assert store.sweep_expired("prod") == 0  # gives up at once: the sweep waits its turn
        rows = store.page_sessions(SessionQuery("prod")).rows
        assert [r.status for r in rows] == [SessionStatus.ACTIVE]
        other.execute("ROLLBACK")
    assert store.sweep_expired("prod") == 1
    rows = store.page_sessions(SessionQuery("prod")).rows
    assert [r.status for r in rows] == [SessionStatus.EXPIRED]
    assert store.db.conn.execute("PRAGMA busy_timeout").fetchone()[0] == 5000
