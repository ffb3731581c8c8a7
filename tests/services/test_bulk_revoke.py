"""Bulk revoke leaves the same trail as one revoke at a time, in fewer transactions, and never
sends a logout before its "logout sent" event is committed. Real sandbox, real store file."""

from __future__ import annotations

import asyncio
import contextlib
import json
import sqlite3
from typing import Any

import httpx

from tests.services.conftest import ACTOR, ENV_NAME, Harness
from transmit_admin.api._http import shared_tls_context
from transmit_admin.api.client import TransmitClient
from transmit_admin.api.retry import RetryPolicy
from transmit_admin.services.results import ActionResult
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


def test_bulk_trail_matches_single_revokes_in_fewer_transactions(
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
    # One revoke makes two transactions (the request, the outcome); the batch fewer.
    assert len(begun) < 2 * len(ids)
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
    """Sessions are noted a chunk ahead of their logouts; those noted and then cancelled get
    a "cancelled before the logout was sent" event, and nothing is sent for them."""
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
    noted_then_cancelled = 0
    for result in results:
        events = harness.store.events_of(ENV_NAME, result.session_id)
        kinds = [e.kind for e in events]
        at_transmit = harness.admin.session(result.session_id)["status"]
        if result.ok:
            assert kinds[-2:] == ["revoke_requested", "revoke_confirmed"]
            assert at_transmit != "active"
            continue
        assert at_transmit == "active"  # nothing was sent for it
        record = harness.store.get_session(ENV_NAME, result.session_id)
        assert record is not None
        assert record.status == "active"
        if "revoke_requested" in kinds:
            noted_then_cancelled += 1
            assert kinds[-2:] == ["revoke_requested", "revoke_failed"]
            assert events[-1].detail == "cancelled before the logout was sent"
    assert noted_then_cancelled > 0  # the chunk noted ahead of the senders
