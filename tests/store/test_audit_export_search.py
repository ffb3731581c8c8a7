"""The append-only audit log, streaming export, all-or-nothing import, prefix search."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import sqlite3
from contextlib import closing
from datetime import timedelta
from pathlib import Path

import pytest

from tests.support.store_factory import SettableClock, make_session
from transmit_admin.core.lifecycle import SessionStatus
from transmit_admin.store.db import open_store
from transmit_admin.store.export import ImportRefused
from transmit_admin.store.records import SessionQuery
from transmit_admin.store.store import Store


def test_audit_entries_come_back_newest_first_and_can_be_limited(
    store: Store, clock: SettableClock
) -> None:
    for number in range(1200):  # more than one internal batch
        store.audit("revoke", f"sess-{number}", "ok", actor="agent", environment="prod")
        clock.now += timedelta(seconds=1)
    newest = list(store.iter_audit(limit=3))
    assert [e.target for e in newest] == ["sess-1199", "sess-1198", "sess-1197"]
    everything = list(store.iter_audit(newest_first=False))
    assert [e.target for e in everything] == [f"sess-{n}" for n in range(1200)]
    assert everything[0].at < everything[-1].at


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_log SET outcome = 'ok'",
        "UPDATE audit_log SET detail = '' WHERE id = 1",
        "DELETE FROM audit_log",
        "DELETE FROM audit_log WHERE id = 1",
        "INSERT OR REPLACE INTO audit_log (id, at, actor, action, target, outcome) "
        "VALUES (1, 0, 'x', 'x', 'x', 'x')",
    ],
)
def test_the_database_itself_refuses_to_change_the_audit_log(store: Store, statement: str) -> None:
    store.audit("revoke", "sess-1", "failed", "HTTP 500")
    # A plain connection, as a hand-run sqlite3 shell would be: no code of ours in the way.
    with closing(sqlite3.connect(store.path)) as conn, pytest.raises(sqlite3.IntegrityError):
        conn.execute(statement)
    entries = list(store.iter_audit())
    assert [(e.target, e.outcome, e.detail) for e in entries] == [("sess-1", "failed", "HTTP 500")]


def _fill(store: Store, count: int = 25) -> None:
    with store.writing():
        for number in range(count):
            store.upsert_session(
                make_session(number, factors=("eml", "pwd"), note=f'note, with "quotes" {number}')
            )


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_export_then_import_into_an_empty_store_gives_the_same_sessions(
    store: Store, fmt: str, tmp_path: Path
) -> None:
    _fill(store)
    out = io.StringIO()
    assert store.export_sessions(out, fmt) == 25  # type: ignore[arg-type]
    if fmt == "json":
        assert len(json.loads(out.getvalue())) == 25
    else:
        assert len(list(csv.DictReader(io.StringIO(out.getvalue())))) == 25
    with open_store(tmp_path / "other.sqlite") as other:
        result = other.import_sessions(io.StringIO(out.getvalue()))
        assert (result.inserted, result.already_present) == (25, 0)
        again = other.import_sessions(io.StringIO(out.getvalue()))
        assert (again.inserted, again.already_present) == (0, 25)
        for number in range(25):
            original = store.get_session("prod", f"sess-{number:06d}")
            imported = other.get_session("prod", f"sess-{number:06d}")
            assert original is not None
            assert imported is not None
            assert imported.source == "imported"
            assert imported == dataclasses.replace(original, source="imported")


def test_export_of_a_query_streams_only_its_sessions(store: Store) -> None:
    _fill(store)
    store.set_status("prod", "sess-000003", SessionStatus.REVOKED)
    out = io.StringIO()
    count = store.export_sessions(out, "json", SessionQuery("prod", status=SessionStatus.REVOKED))
    assert count == 1
    assert [row["session_id"] for row in json.loads(out.getvalue())] == ["sess-000003"]
    empty = io.StringIO()
    assert store.export_sessions(empty, "json", SessionQuery("staging")) == 0
    assert json.loads(empty.getvalue()) == []


def test_audit_export(store: Store) -> None:
    store.audit("revoke", "sess-1", "ok", environment="prod")
    out = io.StringIO()
    assert store.export_audit(out, "csv") == 1
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert rows[0]["action"] == "revoke"
    assert rows[0]["environment"] == "prod"


@pytest.mark.parametrize(
    ("bad_row", "message"),
    [
        ("prod,s-bad,,2026-11-20T09:00:00+00:00", "user_id is missing"),
        ("prod,s-bad,u1,yesterday", "not an ISO 8601 time"),
        ("prod,s-bad,u1,2026-11-20T09:00:00", "no time zone"),
    ],
)
def test_a_bad_row_anywhere_imports_nothing(store: Store, bad_row: str, message: str) -> None:
    good = [f"prod,s-{n},u1,2026-11-20T09:00:00+00:00" for n in range(1200)]
    text = "\n".join(["environment,session_id,user_id,created_at", *good, bad_row]) + "\n"
    with pytest.raises(ImportRefused, match=message) as refused:
        store.import_sessions(io.StringIO(text))
    assert refused.value.row == 1201
    assert store.count_sessions(SessionQuery("prod")) == 0


def test_import_refuses_json_that_is_not_a_list_of_sessions(store: Store) -> None:
    with pytest.raises(ImportRefused, match="array of session objects"):
        store.import_sessions(io.StringIO('[{"session_id": "x"}, 3]'))
    with pytest.raises(ImportRefused, match="not valid JSON"):
        store.import_sessions(io.StringIO("[{"))


def test_import_fills_defaults_from_the_lifecycle_rules(store: Store) -> None:
    store.import_sessions(
        io.StringIO('[{"environment": "prod", "session_id": "s", "user_id": "u", '
                    '"created_at": "2026-11-20T09:00:00Z", "factors": ["eml"]}]')
    )  # fmt: skip
    record = store.get_session("prod", "s")
    assert record is not None
    assert record.expires_at - record.created_at == timedelta(days=14)
    assert record.last_auth_at == record.created_at
    assert record.factors == ("eml",)


@pytest.mark.parametrize(
    ("search", "expected"),
    [
        ("ann", {"s-ann", "s-anna"}),
        ("ann*", {"s-ann", "s-anna"}),
        ("ANN.LEE@", {"s-ann"}),
        ("anna example", {"s-anna"}),
        ("billing", {"s-anna"}),  # app name
        ("s-an", {"s-ann", "s-anna"}),  # session id
        ("u-77", {"s-bob"}),  # user id
        ("refund", {"s-bob"}),  # note
        ('"refund" OR ann', set()),  # user input is searched for, never run as a query
        ("zzz", set()),
    ],
)
def test_prefix_search_over_every_indexed_field(
    store: Store, search: str, expected: set[str]
) -> None:
    store.upsert_session(make_session(1, session_id="s-ann", email="Ann.Lee@example.com"))
    store.upsert_session(
        make_session(2, session_id="s-anna", email="anna@example.com", app_name="Billing")
    )
    store.upsert_session(
        make_session(3, session_id="s-bob", email="bob@x.io", user_id="u-77", note="refund asked")
    )
    rows = store.page_sessions(SessionQuery("prod", search=search)).rows
    assert {r.session_id for r in rows} == expected
    assert store.count_sessions(SessionQuery("prod", search=search)) == len(expected)


def test_search_index_follows_updates(store: Store) -> None:
    record = make_session(1, note="first words")
    store.upsert_session(record)
    store.upsert_session(dataclasses.replace(record, note="second thoughts"))
    assert store.count_sessions(SessionQuery("prod", search="first")) == 0
    assert store.count_sessions(SessionQuery("prod", search="second")) == 1
    assert store.count_sessions(SessionQuery("staging", search="second")) == 0


def test_counts_follow_status_and_app_changes(store: Store) -> None:
    _fill(store, 12)
    store.set_status("prod", "sess-000001", SessionStatus.REVOKED)
    assert store.count_sessions(SessionQuery("prod")) == 12
    assert store.count_sessions(SessionQuery("prod", status=SessionStatus.REVOKED)) == 1
    assert store.count_sessions(SessionQuery("prod", status=SessionStatus.ACTIVE)) == 11
    assert store.count_sessions(SessionQuery("prod", app="app-1")) == 4
    assert store.count_sessions(
        SessionQuery("prod", status=SessionStatus.REVOKED, app="app-1")
    ) == 1  # fmt: skip
    assert store.count_sessions(SessionQuery("prod", user="user-1")) == 2
