"""Migration v3 on a file with history: unconfirmed logouts get their own kind, nothing of
the team outbox, the event identities or the audit log is lost, and the triggers still work."""

from __future__ import annotations

import shutil
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from tests.support.store_factory import make_session
from transmit_admin.store.db import open_store
from transmit_admin.store.outbox import TeamOutbox
from transmit_admin.store.records import EventKind

V2 = Path(__file__).parents[1] / "data" / "schema-v2.sqlite"

_EVENTS = [
    ("revoke_requested", "logout sent to Transmit"),
    ("revoke_failed", "unconfirmed: unexpected answer 200 text/html: not a confirmation"),
    ("revoke_failed", "Transmit did not answer in time"),
]


def _v2_file_with_history(path: Path) -> list[str]:
    shutil.copy(V2, path)
    with closing(sqlite3.connect(path)) as conn, conn:
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute(
            "INSERT INTO sessions (id, environment, session_id, user_id, user_key, email, "
            "created_at, expires_at, last_auth_at, status, source) VALUES "
            "(1, 'prod', 'old-1', 'u1', 'ann@x.io', 'ann@x.io', 1.7e9, 1.8e9, 1.7e9, "
            "'active', 'tracked')"
        )
        conn.execute(
            "INSERT INTO team_link (environment, team_id, server, linked_at) "
            "VALUES ('prod', 'team-1', 'postgresql://a@127.0.0.1:5432/desk', 1.7e9)"
        )
        for at, (kind, detail) in enumerate(_EVENTS):
            conn.execute(
                "INSERT INTO session_events (session_row, kind, at, actor, detail) "
                "VALUES (1, ?, ?, 'ann', ?)",
                [kind, 1.7e9 + at, detail],
            )
        conn.execute(
            "INSERT INTO audit_log (at, actor, environment, action, target, outcome) "
            "VALUES (1.7e9, 'ann', 'prod', 'revoke', 'old-1', 'unconfirmed')"
        )
        return [row[0] for row in conn.execute("SELECT event_uuid FROM session_events ORDER BY id")]


def test_unconfirmed_logouts_get_their_kind_and_the_outbox_survives(tmp_path: Path) -> None:
    path = tmp_path / "v2.sqlite"
    uuids = _v2_file_with_history(path)
    with open_store(path) as store:
        events = store.events_of("prod", "old-1")
        assert [e.kind for e in events] == [
            EventKind.REVOKE_REQUESTED,
            EventKind.REVOKE_UNCONFIRMED,
            EventKind.REVOKE_FAILED,
        ]
        outbox = TeamOutbox(store)
        assert [e.event_uuid for e in outbox.pending("prod")] == uuids
        # The rebuilt table's triggers: a new event gets a UUID and is queued.
        store.add_event("prod", "old-1", EventKind.REVOKE_UNCONFIRMED, "unconfirmed: 202")
        assert outbox.waiting("prod") == len(_EVENTS) + 1
        # The loosened CHECK: a session first tracked from a HAR capture, on this very
        # connection (the store reopens after a migration), and still nothing else.
        store.upsert_session(make_session(2, environment="prod", source="har"))
        har = store.get_session("prod", "sess-000002")
        assert har is not None
        assert har.source == "har"
        with pytest.raises(sqlite3.IntegrityError):
            store.db.conn.execute("UPDATE sessions SET source = 'bogus' WHERE id = 1")
        assert store.check_integrity() == ["ok"]
        (entry,) = list(store.iter_audit())
        # Written before audit rows named their user: read from the session's record.
        assert (entry.user_id, entry.user_email) == ("u1", "ann@x.io")


def test_new_audit_entries_keep_the_user_they_were_written_with(tmp_path: Path) -> None:
    with open_store(tmp_path / "new.sqlite") as store:
        store.audit("revoke_user", "u9", "ok", user_id="u9", user_email="bo@x.io")
        (entry,) = list(store.iter_audit())
        assert (entry.user_id, entry.user_email) == ("u9", "bo@x.io")
