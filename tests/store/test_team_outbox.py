"""The local half of team mode: event UUIDs, the outbox written with the event, idempotent
apply of the team's journal. Needs no PostgreSQL."""

from __future__ import annotations

import shutil
import sqlite3
import uuid
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.support.store_factory import make_session
from transmit_admin.store.db import open_store
from transmit_admin.store.outbox import TeamOutbox
from transmit_admin.store.records import EventKind, SessionQuery, SharedEvent
from transmit_admin.store.store import Store

V1 = Path(__file__).parents[1] / "data" / "schema-v1.sqlite"


def test_events_of_a_v1_file_get_distinct_uuids_on_upgrade(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    shutil.copy(V1, path)
    with closing(sqlite3.connect(path)) as conn, conn:
        conn.execute(
            "INSERT INTO sessions (environment, session_id, user_id, user_key, created_at, "
            "expires_at, last_auth_at, status, source) VALUES "
            "('prod', 's1', 'u1', 'u1', 1.7e9, 1.8e9, 1.7e9, 'active', 'tracked')"
        )
        for n in range(3):
            conn.execute(
                "INSERT INTO session_events (session_row, kind, at, actor, detail) "
                "VALUES (1, 'synced', 1.7e9, 'ann', ?)",
                [f"e{n}"],
            )
    with open_store(path) as store:
        ids = [e.event_uuid for e in store.events_of("prod", "s1")]
    assert len(set(ids)) == 3
    assert all(uuid.UUID(str(i)).version == 4 for i in ids)


def test_an_insert_without_a_uuid_gets_one_from_the_trigger(store: Store) -> None:
    store.upsert_session(make_session(1))
    store.db.conn.execute(
        "INSERT INTO session_events (session_row, kind, at, actor) VALUES (1, 'synced', 1, 'x')"
    )
    [event] = store.events_of("prod", "sess-000001")
    assert uuid.UUID(str(event.event_uuid)).version == 4


def test_only_a_linked_environments_local_events_are_queued(store: Store) -> None:
    outbox = TeamOutbox(store)
    store.upsert_session(make_session(1))
    store.upsert_session(make_session(2, environment="dev"))
    store.add_event("prod", "sess-000001", EventKind.SYNCED, "before the link")
    outbox.link("prod", "team-1", "postgresql://a@127.0.0.1:5432/desk")
    assert outbox.waiting("prod") == 1  # the history is shared at link time
    store.add_event("prod", "sess-000001", EventKind.NOTE_CHANGED, "note set")
    store.add_event("dev", "sess-000002", EventKind.NOTE_CHANGED, "not linked")
    assert outbox.waiting("prod") == 2
    assert outbox.waiting("dev") == 0
    pending = outbox.pending("prod")
    assert [e.detail for e in pending] == ["before the link", "note set"]
    assert pending[0].session["user_id"] == "user-1"
    outbox.mark_pushed("prod", [pending[0].event_uuid])
    assert outbox.waiting("prod") == 1


def test_a_rolled_back_event_leaves_no_outbox_row(store: Store) -> None:
    outbox = TeamOutbox(store)
    store.upsert_session(make_session(1))
    outbox.link("prod", "team-1", "postgresql://a@127.0.0.1:5432/desk")
    seen: list[int] = []

    def crash_before_commit() -> None:
        with store.writing():
            store.add_event("prod", "sess-000001", EventKind.REVOKE_REQUESTED, "requested")
            seen.append(outbox.waiting("prod"))
            raise RuntimeError("crash before commit")

    with pytest.raises(RuntimeError):
        crash_before_commit()
    assert seen == [1]
    assert outbox.waiting("prod") == 0
    assert store.events_of("prod", "sess-000001") == []


def _remote(kind: str, session_id: str = "sess-remote", **session: object) -> SharedEvent:
    snapshot: dict[str, object] = {
        "user_id": "user-9",
        "email": "zoe@example.com",
        "created_at": 1.7e9,
        "expires_at": 4.0e9,
        "last_auth_at": 1.7e9,
        "status": "active",
    }
    snapshot.update(session)
    return SharedEvent(
        str(uuid.uuid4()), kind, session_id, datetime.now(UTC), "by B", "agent_b", snapshot, 7
    )


def test_applying_a_remote_event_twice_changes_nothing(store: Store) -> None:
    outbox = TeamOutbox(store)
    outbox.link("prod", "team-1", "postgresql://a@127.0.0.1:5432/desk")
    revoke = _remote("revoke_confirmed")
    note = _remote("note_changed", note="ticket 51776: do not re-enable")
    first = outbox.apply("prod", [revoke, note], cursor=(100, 0))
    assert (first.applied, first.already_present) == (2, 0)
    before = store.db.conn.execute("SELECT * FROM sessions").fetchall()
    events_before = store.events_of("prod", "sess-remote")
    again = outbox.apply("prod", [revoke, note], cursor=(100, 0))
    assert (again.applied, again.already_present) == (0, 2)
    assert store.db.conn.execute("SELECT * FROM sessions").fetchall() == before
    assert store.events_of("prod", "sess-remote") == events_before
    record = store.get_session("prod", "sess-remote")
    assert record is not None
    assert record.status == "revoked"
    assert record.note == "ticket 51776: do not re-enable"
    assert [e.actor for e in events_before] == ["agent_b", "agent_b"]
    assert {e.origin for e in events_before} == {"team"}
    assert outbox.waiting("prod") == 0  # remote events are never queued back
    assert store.count_sessions(SessionQuery("prod", search="51776")) == 1
    link = outbox.link_of("prod")
    assert link is not None
    assert (link.cursor_xid, link.last_seq) == (100, 7)


def test_unknown_kinds_and_unshowable_sessions_are_skipped(store: Store) -> None:
    outbox = TeamOutbox(store)
    outbox.link("prod", "team-1", "postgresql://a@127.0.0.1:5432/desk")
    result = outbox.apply(
        "prod", [_remote("from_the_future"), _remote("synced", user_id=None)], cursor=(5, 0)
    )
    assert (result.applied, result.skipped) == (0, 2)
