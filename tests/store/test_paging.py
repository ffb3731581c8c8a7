"""Keyset paging: pages concatenated equal the fully sorted, filtered list, for every sort."""

from __future__ import annotations

import itertools
import re
import shutil
import tempfile
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support.store_factory import T0, SettableClock, make_session
from transmit_admin.core.lifecycle import SessionStatus
from transmit_admin.store import queries
from transmit_admin.store.db import open_store
from transmit_admin.store.migrations import FILTER_PREFIXES, SORT_COLUMNS
from transmit_admin.store.records import SORT_KEYS, PageCursor, SessionQuery, SessionRecord
from transmit_admin.store.store import Store

WORDS = ["ann", "anna", "bob", "bobby", "carla", "dave"]

session_specs = st.lists(
    st.tuples(
        st.integers(0, 5),  # created slot: few values, so sort values tie often
        st.integers(0, 4),  # expiry slot
        st.integers(0, 3),  # last auth slot
        st.sampled_from(["Ann@x.io", "bob@x.io", "ann@x.io", None, "Zed@x.io"]),
        st.sampled_from(["u1", "u2", "U3"]),
        st.sampled_from([None, "app-a", "app-b"]),
        st.sampled_from(list(SessionStatus)),
        st.sampled_from([None, *WORDS]),
    ),
    max_size=40,
)


def _records(specs: list[tuple]) -> list[SessionRecord]:
    records = []
    for number, (created, expires, auth, email, user, app, status, note) in enumerate(specs):
        created_at = T0 + timedelta(hours=created)
        records.append(
            make_session(
                number,
                created_at=created_at,
                expires_at=T0 + timedelta(days=30 + expires),
                last_auth_at=created_at + timedelta(minutes=auth),
                email=email,
                user_id=user,
                app_id=app,
                status=status,
                note=note,
            )
        )
    return records


def _sort_value(record: SessionRecord, sort: str) -> object:
    if sort == "user":
        return (record.email or record.user_id).casefold()
    return getattr(
        record, {"created": "created_at", "expires": "expires_at"}.get(sort, sort + "_at")
    )


def _words(record: SessionRecord) -> list[str]:
    texts = [record.session_id, record.user_id, record.email, record.app_name, record.note]
    return re.findall(r"[a-z0-9]+", " ".join(t for t in texts if t).lower())


def _expected(records: list[SessionRecord], query: SessionQuery) -> list[str]:
    def keep(record: SessionRecord) -> bool:
        if query.status is not None and record.status != query.status:
            return False
        if query.app is not None and record.app_id != query.app:
            return False
        if (
            query.user is not None
            and query.user not in (record.user_id,)
            and (record.email is None or record.email.lower() != query.user.lower())
        ):
            return False
        return not (
            query.search is not None and not any(w.startswith(query.search) for w in _words(record))
        )

    order = sorted(
        ((_sort_value(r, query.sort), row_id, r) for row_id, r in enumerate(records) if keep(r)),
        key=lambda item: (item[0], item[1]),
        reverse=query.descending,
    )
    return [r.session_id for _, _, r in order]


def _all_pages(store: Store, query: SessionQuery, limit: int) -> list[str]:
    seen: list[str] = []
    after: PageCursor | None = None
    for _ in range(100):
        page = store.page_sessions(query, after, limit=limit)
        assert len(page.rows) <= limit
        seen += [r.session_id for r in page.rows]
        if page.next_cursor is None:
            return seen
        assert len(page.rows) == limit
        after = page.next_cursor
    raise AssertionError("paging did not end")


@pytest.fixture(scope="module")
def empty_store_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated empty store; examples copy it (migrating anew per example is slower)."""
    path = tmp_path_factory.mktemp("template") / "empty.sqlite"
    open_store(path).close()
    return path


@settings(
    max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    specs=session_specs,
    sort=st.sampled_from(SORT_KEYS),
    descending=st.booleans(),
    status=st.none() | st.sampled_from(list(SessionStatus)),
    app=st.sampled_from([None, "app-a", "app-b"]),
    user=st.sampled_from([None, "u1", "ANN@X.IO"]),
    search=st.sampled_from([None, "ann", "bob", "da", "app"]),
    limit=st.integers(1, 7),
)
def test_pages_concatenated_equal_the_sorted_list(
    empty_store_file: Path,
    specs: list[tuple],
    sort: str,
    descending: bool,
    status: SessionStatus | None,
    app: str | None,
    user: str | None,
    search: str | None,
    limit: int,
) -> None:
    records = _records(specs)
    query = SessionQuery("prod", status, app, user, search, sort, descending)  # type: ignore[arg-type]
    # No expiry is due at this clock, so the stored statuses are the ones browsed.
    with tempfile.TemporaryDirectory() as folder:
        copy = Path(shutil.copy(empty_store_file, Path(folder) / "s.sqlite"))
        with open_store(copy, clock=SettableClock(T0)) as store:
            for record in records:
                store.upsert_session(record)
            expected = _expected(records, query)
            assert _all_pages(store, query, limit) == expected
            assert store.count_sessions(query) == len(expected)


def test_a_broad_search_walks_the_sort_index(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    """Above the narrow limit the other plan is used; both must page the same way."""
    for number in range(30):
        store.upsert_session(make_session(number, note="ann" if number % 2 else "bob"))
    query = SessionQuery("prod", search="ann", sort="user")
    narrow_answer = _all_pages(store, query, 4)
    monkeypatch.setattr(queries, "NARROW_SEARCH_LIMIT", 3)
    assert _all_pages(store, query, 4) == narrow_answer
    assert len(narrow_answer) == 15


def test_cursor_from_another_sort_is_refused(store: Store) -> None:
    for number in range(3):
        store.upsert_session(make_session(number))
    page = store.page_sessions(SessionQuery("prod"), limit=1)
    assert page.next_cursor is not None
    with pytest.raises(ValueError, match="another sort"):
        store.page_sessions(SessionQuery("prod", sort="user"), page.next_cursor)


def test_search_with_nothing_searchable_finds_nothing(store: Store) -> None:
    store.upsert_session(make_session(1))
    assert store.page_sessions(SessionQuery("prod", search=' "*" ')).rows == []
    assert store.count_sessions(SessionQuery("prod", search="--")) == 0


@pytest.fixture(scope="module")
def plan_store(empty_store_file: Path) -> Iterator[Store]:
    with open_store(empty_store_file) as store:  # only EXPLAINs: the template stays empty
        yield store


FILTER_COMBINATIONS = [
    (status, app) for status, app in itertools.product([None, "active"], [None, "app-1"])
]


@pytest.mark.parametrize("sort", SORT_KEYS)
@pytest.mark.parametrize(("status", "app"), FILTER_COMBINATIONS)
@pytest.mark.parametrize("descending", [True, False])
def test_every_filter_and_sort_pages_through_an_index_without_sorting(
    plan_store: Store, sort: str, status: str | None, app: str | None, descending: bool
) -> None:
    query = SessionQuery("prod", status, app, sort=sort, descending=descending)  # type: ignore[arg-type]
    cursor = PageCursor(query.sort, descending, "m" if sort == "user" else 1.7e9, 10)
    for after in (None, cursor):
        sql = queries.page_sql(query, after, 100, None, narrow=False)
        plan = " | ".join(
            row[3]
            for row in plan_store.db.conn.execute("EXPLAIN QUERY PLAN " + sql.text, sql.params)
        )
        prefix = "env" + ("_status" if status else "") + ("_app" if app else "")
        assert prefix in FILTER_PREFIXES
        assert f"USING INDEX sessions_{prefix}_{SORT_COLUMNS[sort]} " in plan, plan
        assert "TEMP B-TREE" not in plan, plan


def test_user_and_narrow_search_start_from_their_own_index(plan_store: Store) -> None:
    for query, ids, needle in [
        (
            SessionQuery("prod", user="a@b.c", status=SessionStatus.ACTIVE),
            None,
            "sessions_env_email",
        ),
        (SessionQuery("prod", search="ann", app="x"), None, "sessions_fts VIRTUAL TABLE"),
        (SessionQuery("prod", search="ann", app="x"), [3, 1, 2], "json_each VIRTUAL TABLE"),
    ]:
        match = '"ann" *' if query.search else None
        sql = queries.page_sql(query, None, 100, match, narrow=True, ids=ids)
        plan = " | ".join(
            row[3]
            for row in plan_store.db.conn.execute("EXPLAIN QUERY PLAN " + sql.text, sql.params)
        )
        assert "INTEGER PRIMARY KEY" in plan, plan
        assert needle in plan, plan


@pytest.mark.parametrize("sort", SORT_KEYS)
def test_cursor_at_an_offset_continues_where_paging_would(store: Store, sort: str) -> None:
    with store.writing():
        for number in range(40):
            store.upsert_session(make_session(number, note="ann" if number % 3 else "bob"))
    for query in (
        SessionQuery("prod", sort=sort),  # type: ignore[arg-type]
        SessionQuery("prod", search="ann", sort=sort, descending=False),  # type: ignore[arg-type]
    ):
        everything = _all_pages(store, query, 1000)
        for offset in (1, 7, len(everything) - 1):
            cursor = store.cursor_at(query, offset)
            rest = store.page_sessions(query, cursor, limit=1000).rows
            assert [r.session_id for r in rest] == everything[offset:]
        assert store.cursor_at(query, len(everything)) is not None
        assert store.page_sessions(query, store.cursor_at(query, len(everything))).rows == []
        assert store.cursor_at(query, len(everything) + 1) is None
    with pytest.raises(ValueError, match="at least 1"):
        store.cursor_at(SessionQuery("prod"), 0)
