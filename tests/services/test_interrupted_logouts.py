"""A logout interrupted between "logout requested" and its answer is settled from Transmit's
session list, once per user, against the real sandbox."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

from tests.services.conftest import ENV_NAME, Harness
from tests.services.test_track_and_revoke import _tracked_session
from transmit_admin.services.interrupted_logouts import (
    ALIVE_DETAIL,
    GONE_DETAIL,
    SettleInterruptedLogouts,
)
from transmit_admin.services.results import ActionResult
from transmit_admin.services.session_service import SessionService
from transmit_admin.store.records import EventKind


def _track(harness: Harness, user_index: int) -> str:
    response = harness.login(harness.user(user_index)["email"])
    assert harness.run(lambda s: s.track_token_response(response)).ok
    return str(response["session_id"])


def _interrupt(harness: Harness, session_id: str, ago: timedelta) -> None:
    harness.store.add_event(
        ENV_NAME,
        session_id,
        EventKind.REVOKE_REQUESTED,
        "logout sent to Transmit",
        at=datetime.now(UTC) - ago,
    )


def _list_calls(harness: Harness) -> list[str]:
    return [r["path"] for r in harness.admin.requests() if r["path"].endswith("/sessions")]


def _settle(harness: Harness, later: timedelta = timedelta(0)) -> dict[str, ActionResult]:
    def clock() -> datetime:
        return datetime.now(UTC) + later

    async def settle(service: SessionService) -> list[ActionResult]:
        deps = dataclasses.replace(service.deps, clock=clock)
        return await SettleInterruptedLogouts(deps).settle()

    results = harness.run(settle)
    return {r.session_id: r for r in results}


def test_interrupted_logouts_are_settled_by_the_session_list_once_per_user(
    private_harness: Harness,
) -> None:
    harness = private_harness
    alive = _track(harness, 0)
    ended_at_transmit = _track(harness, 0)
    unreadable = _track(harness, 1)
    in_flight = _track(harness, 2)
    for session_id in (alive, ended_at_transmit, unreadable):
        _interrupt(harness, session_id, timedelta(minutes=5))
    _interrupt(harness, in_flight, timedelta(seconds=10))
    # Transmit received this logout; the process died before recording the 204.
    harness.run(lambda s: s.client.logout_session(ended_at_transmit))
    user_1 = harness.user(1)["user_id"]
    harness.admin.set_faults(next=["503"], routes=[f"/cis/v1/auth/users/{user_1}/sessions"])
    before = len(_list_calls(harness))

    results = _settle(harness)

    assert set(results) == {alive, ended_at_transmit, unreadable}
    assert len(_list_calls(harness)) - before == 2  # users 0 and 1, once each
    assert results[alive].message == f"unconfirmed: {ALIVE_DETAIL}"
    assert results[ended_at_transmit].ok
    assert not results[unreadable].ok

    def status(session_id: str) -> str:
        record = harness.store.get_session(ENV_NAME, session_id)
        assert record is not None
        return str(record.status)

    assert status(alive) == "active"
    assert status(ended_at_transmit) == "revoked"
    assert status(unreadable) == "active"
    assert status(in_flight) == "active"
    revoked_events = harness.store.events_of(ENV_NAME, ended_at_transmit)
    assert revoked_events[-1].detail == GONE_DETAIL
    # The unreadable one keeps its open request, so the next start-up tries again.
    assert harness.store.events_of(ENV_NAME, unreadable)[-1].kind == "revoke_requested"
    assert harness.store.events_of(ENV_NAME, in_flight)[-1].kind == "revoke_requested"

    harness.admin.reset_faults()
    assert set(_settle(harness)) == {unreadable}  # the settled ones are not asked about again


def test_a_revoke_that_finished_is_not_interrupted(private_harness: Harness) -> None:
    harness = private_harness
    session_id = _tracked_session(harness)
    assert harness.run(lambda s: s.revoke(session_id)).ok
    assert _settle(harness, later=timedelta(minutes=10)) == {}
