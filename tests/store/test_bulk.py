"""Bulk loading ends in exactly the state row-by-row upserts reach."""

from __future__ import annotations

from pathlib import Path

from tests.support.store_factory import make_session
from transmit_admin.core.lifecycle import SessionStatus
from transmit_admin.store.bulk import bulk_load_sessions
from transmit_admin.store.db import open_store
from transmit_admin.store.records import SessionQuery
from transmit_admin.store.store import Store

QUERIES = [
    SessionQuery("prod"),
    SessionQuery("prod", sort="user", descending=False),
    SessionQuery("prod", status=SessionStatus.REVOKED, app="app-1", sort="expires"),
    SessionQuery("prod", search="person3"),
    SessionQuery("prod", user="user-2", sort="last_auth"),
]


def _snapshot(store: Store) -> list[object]:
    answers: list[object] = []
    for query in QUERIES:
        answers.append([r.session_id for r in store.page_sessions(query, limit=500).rows])
        answers.append(store.count_sessions(query))
    answers.append(store.distinct_apps("prod"))
    return answers


def test_bulk_load_matches_upserts_and_leaves_triggers_working(tmp_path: Path) -> None:
    statuses = list(SessionStatus)
    records = [
        make_session(n, status=statuses[n % 4], note=f"batch {n % 5}") for n in range(1, 400)
    ]
    with open_store(tmp_path / "slow.sqlite") as slow, open_store(tmp_path / "bulk.sqlite") as fast:
        with slow.writing():
            for record in records:
                slow.upsert_session(record)
        fast.upsert_session(records[0])  # already there: skipped, not duplicated
        assert bulk_load_sessions(fast, records) == len(records) - 1
        assert _snapshot(fast) == _snapshot(slow)
        fast.db.execute("INSERT INTO sessions_fts (sessions_fts) VALUES ('integrity-check')")
        assert fast.check_integrity() == ["ok"]
        fast.upsert_session(make_session(999, note="added later"))
        assert fast.count_sessions(SessionQuery("prod", search="later")) == 1
        assert fast.count_sessions(SessionQuery("prod")) == len(records) + 1
