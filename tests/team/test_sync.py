"""Two app instances (two data folders, two agent roles) sharing one team space."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from tests.support.store_factory import make_session
from tests.team.conftest import Team
from transmit_admin.store.records import EventKind, SharedEvent
from transmit_admin.store.store import Store
from transmit_admin.team import claims, journal
from transmit_admin.team.errors import SecretInEvent
from transmit_admin.team.service import TeamClient, TeamState

MakeStore = Callable[[str], Store]


def _joined(team: Team, make_store: MakeStore, agent: str, folder: str) -> TeamClient:
    client = team.client(agent, make_store(folder))
    client.join()
    return client


def _event(session_id: str = "sess-x") -> SharedEvent:
    return SharedEvent(str(uuid.uuid4()), "note_changed", session_id, datetime.now(UTC), "n")


def test_a_revoke_of_a_reaches_b_with_as_role_as_the_actor(
    team: Team, make_store: MakeStore
) -> None:
    a = _joined(team, make_store, team.agent_a, "a")
    b = _joined(team, make_store, team.agent_b, "b")
    a.store.upsert_session(make_session(1, note="ticket 51776"))
    a.store.add_event("prod", "sess-000001", EventKind.REVOKE_CONFIRMED, "logout confirmed")
    report = a.sync()
    assert (report.state, report.pushed, report.waiting) == (TeamState.CONNECTED, 1, 0)
    # A pulled its own event back: already there, nothing changed, nothing queued again.
    assert (report.applied, report.already_present) == (0, 1)
    b_report = b.sync()
    assert b_report.applied == 1
    assert b.pull().session_ids == ()
    record = b.store.get_session("prod", "sess-000001")
    assert record is not None
    assert record.status == "revoked"
    [event] = b.store.events_of("prod", "sess-000001")
    assert event.actor == team.agent_a
    assert event.kind is EventKind.REVOKE_CONFIRMED
    again = a.sync()
    assert (again.pushed, again.applied, again.waiting) == (0, 0, 0)
    assert len(a.store.events_of("prod", "sess-000001")) == 1
    a.close()
    b.close()


def test_pulling_twice_applies_nothing_twice(team: Team, make_store: MakeStore) -> None:
    b = _joined(team, make_store, team.agent_b, "b")
    with team.connect(team.agent_a) as conn:
        journal.append(conn, [_event() for _ in range(3)])
    first = b.pull()
    second = b.pull()
    assert first.applied + first.skipped == 3
    assert (second.applied, second.already_present) == (0, 0)
    b.close()


def test_commits_interleaved_out_of_sequence_order_lose_nothing(
    team: Team, make_store: MakeStore
) -> None:
    """Writer 1 takes its transaction id first and its sequence number last, then commits
    after writer 2: seq 2 becomes visible before seq 1, and writer 1's transaction id is the
    older one. A reader between the commits must not move past either."""
    b = _joined(team, make_store, team.agent_b, "b")
    b.store.upsert_session(make_session(1))
    w1 = team.connect(team.agent_a, autocommit=False)
    w2 = team.connect(team.agent_a, autocommit=False)
    ev1, ev2, ev3 = (_event("sess-000001") for _ in range(3))
    w1.execute("SELECT pg_current_xact_id()")  # w1's transaction id: the older one
    w2.execute("SELECT pg_current_xact_id()")
    journal.append(w2, [ev2])  # seq 1, newer transaction, not committed yet
    journal.append(w1, [ev1])  # seq 2, older transaction
    w2.commit()  # seq 1 visible, w1 still running
    middle = b.pull()
    assert middle.applied == 0  # w2's row is newer than the running w1: held back
    w1.commit()
    w2.execute("SELECT 1")
    journal.append(w2, [ev3])
    w2.commit()
    after = b.pull()
    assert after.applied == 3
    uuids = {e.event_uuid for e in b.store.events_of("prod", "sess-000001")}
    assert uuids == {ev1.event_uuid, ev2.event_uuid, ev3.event_uuid}
    w1.close()
    w2.close()
    b.close()


def test_sequence_order_and_commit_order_disagreeing_the_other_way(
    team: Team, make_store: MakeStore
) -> None:
    """11 visible before 10: the older transaction holds seq 10 and commits last."""
    b = _joined(team, make_store, team.agent_b, "b")
    b.store.upsert_session(make_session(1))
    slow = team.connect(team.agent_a, autocommit=False)
    fast = team.connect(team.agent_a, autocommit=False)
    ten, eleven = _event("sess-000001"), _event("sess-000001")
    slow.execute("SELECT 1")  # open transactions, committed by hand below
    fast.execute("SELECT 1")
    journal.append(slow, [ten])
    journal.append(fast, [eleven])
    fast.commit()
    assert b.pull().applied == 0
    slow.commit()
    assert b.pull().applied == 2
    slow.close()
    fast.close()
    b.close()


def test_many_interleaved_writers_lose_and_duplicate_nothing(
    team: Team, make_store: MakeStore
) -> None:
    b = _joined(team, make_store, team.agent_b, "b")
    b.store.upsert_session(make_session(1))
    written: list[str] = []
    lock = threading.Lock()
    stop = threading.Event()

    def writer() -> None:
        with team.connect(team.agent_a, autocommit=False) as conn:
            for n in range(40):
                event = _event("sess-000001")
                conn.execute("SELECT pg_current_xact_id()")  # held open across the sleep
                journal.append(conn, [event])
                time.sleep(0.002 * (n % 3))
                conn.commit()
                with lock:
                    written.append(event.event_uuid)

    def puller() -> None:
        while not stop.is_set():
            b.pull()

    threads = [threading.Thread(target=writer) for _ in range(3)]
    reader = threading.Thread(target=puller)
    reader.start()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    stop.set()
    reader.join()
    b.pull()
    seen = [e.event_uuid for e in b.store.events_of("prod", "sess-000001")]
    assert len(seen) == len(set(seen)) == 120
    assert set(seen) == set(written)
    b.close()


def test_a_pull_names_the_sessions_it_changed(team: Team, make_store: MakeStore) -> None:
    b = _joined(team, make_store, team.agent_b, "b")
    b.store.upsert_session(make_session(1))
    with team.connect(team.agent_a) as conn:
        journal.append(conn, [_event("sess-000001"), _event("sess-000001")])
    assert b.pull().session_ids == ("sess-000001",)
    b.close()


def test_claims_while_offline_let_the_revoke_go_ahead(team: Team, make_store: MakeStore) -> None:
    a = _joined(team, make_store, team.agent_a, "a")
    taken = a.try_claim("sess-1")
    assert taken is not None
    assert taken.taken
    team.cluster.stop()
    try:
        assert a.try_claim("sess-2") is None
    finally:
        team.cluster.start()
    a.close()


def test_two_agents_claiming_the_same_session_at_once_exactly_one_wins(team: Team) -> None:
    barrier = threading.Barrier(2)
    results: dict[str, claims.Claim] = {}

    def claim(agent: str) -> None:
        with team.connect(agent) as conn:
            barrier.wait()
            results[agent] = claims.take(conn, "sess-000001", ttl=30)

    threads = [threading.Thread(target=claim, args=(a,)) for a in (team.agent_a, team.agent_b)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    winners = [c for c in results.values() if c.taken]
    losers = [c for c in results.values() if not c.taken]
    assert len(winners) == len(losers) == 1
    assert losers[0].holder == winners[0].holder
    assert losers[0].sentence() == f"being revoked by {winners[0].holder}"


def test_a_claim_left_by_a_crashed_client_expires_and_can_be_taken(team: Team) -> None:
    with team.connect(team.agent_a) as a, team.connect(team.agent_b) as b:
        assert claims.take(a, "sess-1", ttl=0.3).taken
        assert not claims.take(b, "sess-1").taken
        assert claims.take(a, "sess-1").taken  # renewing one's own claim
        claims.release(a, "sess-1")
        assert claims.take(b, "sess-1", ttl=0.3).taken
        time.sleep(0.4)
        assert claims.take(a, "sess-1").taken
        with pytest.raises(Exception, match="claimed by"):
            b.execute(
                "UPDATE transmit_team.claims SET expires_at = now() + interval '1 minute' "
                "WHERE session_id = 'sess-1'"
            )


def test_offline_work_waits_then_arrives_once(team: Team, make_store: MakeStore) -> None:
    a = _joined(team, make_store, team.agent_a, "a")
    b = _joined(team, make_store, team.agent_b, "b")
    a.store.upsert_session(make_session(1))
    a.store.add_event("prod", "sess-000001", EventKind.REVOKE_REQUESTED, "requested")
    assert a.sync().pushed == 1
    team.cluster.stop()
    try:
        a.store.add_event("prod", "sess-000001", EventKind.REVOKE_CONFIRMED, "confirmed")
        a.store.add_event("prod", "sess-000001", EventKind.NOTE_CHANGED, "note set")
        offline = a.sync()
        assert offline.state is TeamState.OFFLINE
        assert offline.waiting == 2
        assert offline.line().startswith("team: offline, 2 events waiting")
        assert a.status().state is TeamState.OFFLINE
    finally:
        team.cluster.start()
    back = a.sync()
    assert (back.state, back.pushed, back.waiting) == (TeamState.CONNECTED, 2, 0)
    b.sync()
    kinds = [e.kind for e in b.store.events_of("prod", "sess-000001")]
    assert kinds == [
        EventKind.REVOKE_REQUESTED,
        EventKind.REVOKE_CONFIRMED,
        EventKind.NOTE_CHANGED,
    ]
    a.close()
    b.close()


def test_a_crash_after_the_journal_commit_but_before_the_outbox_delete_duplicates_nothing(
    team: Team, make_store: MakeStore
) -> None:
    a = _joined(team, make_store, team.agent_a, "a")
    a.store.upsert_session(make_session(1))
    a.store.add_event("prod", "sess-000001", EventKind.NOTE_CHANGED, "note set")
    pending = a.outbox.pending("prod")
    with team.connect(team.agent_a) as conn:
        journal.append(conn, pending)  # pushed, then "killed" before mark_pushed
    assert a.outbox.waiting("prod") == 1
    assert a.sync().waiting == 0
    with team.connect(team.agent_b) as conn:
        assert len(journal.read_log(conn)) == 1
    a.close()


def test_a_journal_wake_up_arrives_within_a_second(team: Team, make_store: MakeStore) -> None:
    b = _joined(team, make_store, team.agent_b, "b")
    woke = threading.Event()
    states: list[bool] = []
    with b.listener(woke.set, lambda connected, reason: states.append(connected)) as listener:
        assert listener.listening.wait(5)
        woke.clear()
        started = time.monotonic()
        with team.connect(team.agent_a) as conn:
            journal.append(conn, [_event()])
        assert woke.wait(1.0)
        assert time.monotonic() - started < 1.0
    assert states[0] is True
    b.close()


def test_no_token_or_secret_is_ever_sent_to_the_journal(team: Team) -> None:
    jwt = "eyJhbGciOiJSUzI1NiIsImtpZCI6IjEifQ.eyJzdWIiOiJ1c2VyIn0.c2lnbmF0dXJl"
    bad = [
        SharedEvent(str(uuid.uuid4()), "note_changed", "s", datetime.now(UTC), f"pasted {jwt}"),
        SharedEvent(
            str(uuid.uuid4()),
            "note_changed",
            "s",
            datetime.now(UTC),
            "x",
            session={"refresh_token": "abc"},
        ),
        SharedEvent(
            str(uuid.uuid4()), "note_changed", "s", datetime.now(UTC), "client_secret=hunter22"
        ),
        SharedEvent(
            str(uuid.uuid4()),
            "note_changed",
            "s",
            datetime.now(UTC),
            "x",
            session={"note": f"see {jwt}"},
        ),
        SharedEvent(str(uuid.uuid4()), "note_changed", "s", datetime.now(UTC), "code: 839201"),
    ]
    with team.connect(team.agent_a) as conn:
        for event in bad:
            with pytest.raises(SecretInEvent):
                journal.append(conn, [event])
        assert conn.execute("SELECT count(*) FROM transmit_team.journal").fetchone()[0] == 0
        # Details the store already scrubbed are fine.
        fine = SharedEvent(
            str(uuid.uuid4()), "note_changed", "s", datetime.now(UTC), "code=[redacted]"
        )
        assert journal.append(conn, [fine]) == 1


def test_a_joined_environment_moved_to_another_tenant_is_refused(
    team: Team, make_store: MakeStore
) -> None:
    from tests.team.conftest import make_env

    a = _joined(team, make_store, team.agent_a, "a")
    moved = team.client(team.agent_a, a.store, make_env(tenant="tenant-2"))
    report = moved.sync()
    assert report.state is TeamState.REFUSED
    assert "serves tenant tenant-desk-1" in report.reason
    moved.close()
    a.close()


def test_the_listener_says_offline_and_reconnects_when_the_server_is_back(
    team: Team, make_store: MakeStore
) -> None:
    from transmit_admin.team.live import JournalListener

    b = _joined(team, make_store, team.agent_b, "b")
    wakes: list[float] = []
    states: list[bool] = []
    offline = threading.Event()
    listener = JournalListener(
        b.open_connection,
        lambda: wakes.append(time.monotonic()),
        on_state=lambda connected, reason: (states.append(connected), connected or offline.set()),
        reconnect_delay=0.2,
    )
    with listener:
        assert listener.listening.wait(5)
        team.cluster.stop()
        try:
            assert offline.wait(5)
        finally:
            team.cluster.start()
        deadline = time.monotonic() + 10
        while not listener.listening.is_set() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert listener.listening.is_set()
        woke_before = len(wakes)
        with team.connect(team.agent_a) as conn:
            journal.append(conn, [_event()])
        deadline = time.monotonic() + 1
        while len(wakes) == woke_before and time.monotonic() < deadline:
            time.sleep(0.01)
        assert len(wakes) > woke_before
    assert states[0] is True
    assert False in states
    assert states[-1] is True
    b.close()
