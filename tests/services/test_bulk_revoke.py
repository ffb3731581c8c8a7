"""Bulk revoke leaves the same trail as one revoke at a time, each step its own short
transaction, and never sends a logout before its "logout sent" event is committed; a wrong 2xx
is settled with one session-list call per user. Real sandbox, real store file."""

from __future__ import annotations

import asyncio
import contextlib
import json
import sqlite3
from typing import Any

import httpx
import pytest

from tests.services.conftest import ACTOR, ENV_NAME, Harness
from transmit_admin.api._http import shared_tls_context
from transmit_admin.api.client import TransmitClient
from transmit_admin.api.retry import RetryPolicy
from transmit_admin.services.results import ActionResult, Outcome
from transmit_admin.services.session_service import SessionService

LOGOUT_PATH = "/cis/v1/auth/session/logout"


def _track(harness: Harness, user_index: int) -> str:
    response = harness.login(harness.user(user_index)["email"])
    result = harness.run(lambda s: s.track_token_response(response))
    assert result.ok, result.message
    return str(response["session_id"])


class CommittedFirst(httpx.AsyncBaseTransport):
    """Before passing a logout on, looks from another connection (committed rows only) for
    the session's "logout sent" event."""

    def __init__(self, database: str) -> None:
        self.inner = httpx.AsyncHTTPTransport(verify=shared_tls_context())
        self.database = database
        self.checked: list[tuple[str, bool]] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == LOGOUT_PATH:
            session_id = json.loads(await request.aread())["session_id"]
            with contextlib.closing(sqlite3.connect(self.database)) as other:
                found = other.execute(
                    "SELECT count(*) FROM session_events e JOIN sessions s "
                    "ON s.id = e.session_row WHERE s.session_id = ? "
                    "AND e.kind = 'revoke_requested'",
                    [session_id],
                ).fetchone()[0]
            self.checked.append((session_id, found == 1))
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


def _bulk(harness: Harness, ids: list[str], transport: httpx.AsyncBaseTransport) -> Any:
    async def main() -> list[ActionResult]:
        client = TransmitClient(
            harness.env,
            lambda: harness.info.client_secret,
            retry=RetryPolicy(attempts=1),
            transport=transport,
        )
        async with client:
            service = SessionService(harness.store, client, harness.env, ACTOR)
            return await service.revoke_many(ids, concurrency=3)

    return asyncio.run(main())


def test_bulk_trail_matches_single_revokes_one_short_transaction_per_step(
    private_harness: Harness,
) -> None:
    harness = private_harness
    ids = [_track(harness, n % 4) for n in range(8)]
    transport = CommittedFirst(str(harness.store.path))
    begun: list[str] = []
    harness.store.db.conn.set_trace_callback(
        lambda sql: begun.append(sql) if sql.startswith("BEGIN") else None
    )
    try:
        results = _bulk(harness, ids, transport)
    finally:
        harness.store.db.conn.set_trace_callback(None)

    assert [r.session_id for r in results] == ids
    assert all(r.ok and r.status == "revoked" for r in results), results
    # Every logout found its "logout sent" event already committed.
    assert sorted(transport.checked) == sorted((sid, True) for sid in ids)
    # Each revoke is two transactions, the request and the outcome, as a single revoke's.
    assert len(begun) == 2 * len(ids)
    audit = [e for e in harness.store.iter_audit() if e.action == "revoke"]
    for session_id in ids:
        record = harness.store.get_session(ENV_NAME, session_id)
        assert record is not None
        assert record.status == "revoked"
        assert record.revoked_at
        kinds = [e.kind for e in harness.store.events_of(ENV_NAME, session_id)]
        assert kinds[-2:] == ["revoke_requested", "revoke_confirmed"]
        assert [e.outcome for e in audit if e.target == session_id] == ["ok"]
        assert harness.admin.session(session_id)["status"] != "active"


def test_a_failed_logout_in_a_bulk_leaves_its_row_as_it_was(private_harness: Harness) -> None:
    harness = private_harness
    ids = [_track(harness, 4) for _ in range(3)]
    harness.run(lambda s: s.client.client_token())  # the fault must hit a logout
    harness.admin.set_faults(next=["500"], routes=[LOGOUT_PATH])
    results = _bulk(harness, ids, httpx.AsyncHTTPTransport(verify=shared_tls_context()))

    failed = [r for r in results if not r.ok]
    assert len(failed) == 1, results
    assert failed[0].message.startswith("not revoked")
    assert failed[0].outcome is Outcome.FAILED
    record = harness.store.get_session(ENV_NAME, failed[0].session_id)
    assert record is not None
    assert record.status == "active"
    assert record.revoked_at is None
    kinds = [e.kind for e in harness.store.events_of(ENV_NAME, failed[0].session_id)]
    assert kinds[-2:] == ["revoke_requested", "revoke_failed"]
    for result in results:
        if result.ok:
            assert result.status == "revoked"
            assert harness.admin.session(result.session_id)["status"] != "active"


def test_a_cancelled_bulk_leaves_no_request_unanswered(private_harness: Harness) -> None:
    """A session is noted "logout requested" only when its logout is about to be sent, so a
    cancelled one has no request left unanswered, and nothing was sent for it."""
    harness = private_harness
    ids = [_track(harness, n % 4) for n in range(12)]

    async def main() -> list[ActionResult]:
        stop = asyncio.Event()
        client = TransmitClient(
            harness.env, lambda: harness.info.client_secret, retry=RetryPolicy(attempts=1)
        )
        async with client:
            service = SessionService(harness.store, client, harness.env, ACTOR)
            return await service.revoke_many(
                ids, concurrency=2, on_result=lambda _r: stop.set(), cancel_event=stop
            )

    results = asyncio.run(main())
    sent = [r for r in results if r.ok]
    cancelled = [r for r in results if not r.ok]
    assert sent, results
    assert cancelled, results
    assert all(r.message == "cancelled before it was sent" for r in cancelled)
    assert all(r.outcome is Outcome.CANCELLED and r.status == "active" for r in cancelled)
    for result in results:
        kinds = [e.kind for e in harness.store.events_of(ENV_NAME, result.session_id)]
        at_transmit = harness.admin.session(result.session_id)["status"]
        if result.ok:
            assert kinds[-2:] == ["revoke_requested", "revoke_confirmed"]
            assert at_transmit != "active"
            continue
        assert at_transmit == "active"  # nothing was sent for it
        record = harness.store.get_session(ENV_NAME, result.session_id)
        assert record is not None
        assert record.status == "active"
        assert "revoke_requested" not in kinds


def _list_calls(harness: Harness) -> list[dict[str, Any]]:
    return [
        r
        for r in harness.admin.requests()
        if r["method"] == "GET" and r["path"].endswith("/sessions")
    ]


@pytest.mark.parametrize("fault", ["200-json", "200-empty", "202", "200-html"])
def test_wrong_successes_in_a_bulk_are_settled_with_one_list_call_per_user(
    private_harness: Harness, fault: str
) -> None:
    """Wrong 2xx that never reached the logout: every session is still listed, so each stays
    active, "logout not confirmed, the session is alive", after one list call per user."""
    harness = private_harness
    users = [0, 1, 2]
    ids = [_track(harness, users[n % 3]) for n in range(9)]
    harness.run(lambda s: s.client.client_token())  # the faults must hit the logouts
    before = len(_list_calls(harness))
    harness.admin.set_faults(next=[fault] * 5, routes=[LOGOUT_PATH])
    results = _bulk(harness, ids, httpx.AsyncHTTPTransport(verify=shared_tls_context()))

    assert [r.session_id for r in results] == ids
    unconfirmed = [r for r in results if r.outcome is Outcome.UNCONFIRMED]
    assert len(unconfirmed) == 5, results
    for result in unconfirmed:
        assert result.message == "unconfirmed: logout not confirmed, the session is alive"
        assert result.status == "active"
        record = harness.store.get_session(ENV_NAME, result.session_id)
        assert record is not None
        assert record.status == "active"
        kinds = [e.kind for e in harness.store.events_of(ENV_NAME, result.session_id)]
        assert kinds[-3:] == ["revoke_requested", "revoke_unconfirmed", "checked_alive"]
        assert harness.admin.session(result.session_id)["status"] == "active"
    assert all(r.outcome is Outcome.REVOKED for r in results if r not in unconfirmed)
    owners = {harness.store.get_session(ENV_NAME, r.session_id).user_id for r in unconfirmed}  # type: ignore[union-attr]
    assert len(_list_calls(harness)) - before == len(owners)


def test_wrong_successes_after_real_logouts_are_confirmed_by_the_session_list(
    private_harness: Harness,
) -> None:
    """`200-after`: the logout happened, its answer was wrong; the session list no longer has
    the session, so it is revoked, "confirmed by Transmit's session list"."""
    harness = private_harness
    ids = [_track(harness, n % 2) for n in range(6)]
    harness.run(lambda s: s.client.client_token())
    before = len(_list_calls(harness))
    harness.admin.set_faults(wrong_success_rate=1.0, routes=[LOGOUT_PATH], next=["200-after"] * 6)
    results = _bulk(harness, ids, httpx.AsyncHTTPTransport(verify=shared_tls_context()))

    assert all(r.ok and r.outcome is Outcome.REVOKED for r in results), results
    assert all("confirmed by Transmit's session list" in r.message for r in results)
    for session_id in ids:
        events = harness.store.events_of(ENV_NAME, session_id)
        assert events[-1].kind == "revoke_confirmed"
        assert events[-1].detail == "confirmed by Transmit's session list"
    assert len(_list_calls(harness)) - before == 2  # two users, however many sessions


def test_random_wrong_successes_never_show_a_session_revoked_unless_transmit_confirmed(
    private_harness: Harness,
) -> None:
    """With `--wrong-success-rate` faults picked at random (the sandbox's five kinds), a
    session is revoked in the store exactly when the sandbox no longer has it active."""
    harness = private_harness
    ids = [_track(harness, n % 3) for n in range(15)]
    harness.run(lambda s: s.client.client_token())
    before = len(_list_calls(harness))
    harness.admin.set_faults(wrong_success_rate=0.7, routes=[LOGOUT_PATH])
    results = _bulk(harness, ids, httpx.AsyncHTTPTransport(verify=shared_tls_context()))

    unconfirmed_users = set()
    for result in results:
        record = harness.store.get_session(ENV_NAME, result.session_id)
        assert record is not None
        at_transmit = harness.admin.session(result.session_id)["status"]
        assert (record.status == "revoked") == (at_transmit != "active"), result
        assert result.status == record.status
        events = harness.store.events_of(ENV_NAME, result.session_id)
        if any(e.detail.startswith("unconfirmed:") for e in events):
            unconfirmed_users.add(record.user_id)
    assert unconfirmed_users, "no wrong success was injected"
    assert len(_list_calls(harness)) - before == len(unconfirmed_users)


def test_a_wrong_success_with_the_list_failing_stays_unconfirmed_in_a_bulk(
    private_harness: Harness,
) -> None:
    harness = private_harness
    ids = [_track(harness, 3) for _ in range(3)]
    harness.run(lambda s: s.client.client_token())
    routes = [LOGOUT_PATH, "*/sessions"]
    harness.admin.set_faults(next=["200-after", "200-after", "200-after", "500"], routes=routes)
    results = _bulk(harness, ids, httpx.AsyncHTTPTransport(verify=shared_tls_context()))

    for result in results:
        assert result.outcome is Outcome.UNCONFIRMED
        assert result.message.startswith("unconfirmed: logout unconfirmed, and the session list")
        record = harness.store.get_session(ENV_NAME, result.session_id)
        assert record is not None
        assert record.status == "active"
