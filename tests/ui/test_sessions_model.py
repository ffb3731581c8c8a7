"""The session table model over a real store: model-tester clean, paged by key, bounded."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from tests.ui._session_fixtures import (
    ENV,
    build_template,
    bulk_insert,
    copy_of,
    make_records,
    store_with,
)
from transmit_admin.core.lifecycle import SessionStatus
from transmit_admin.store.reader import StoreReader
from transmit_admin.store.records import SessionQuery
from transmit_admin.store.store import Store
from transmit_admin.ui.sessions.model import (
    COL_CREATED,
    COL_EXPIRES,
    COL_FACTORS,
    COL_STATUS,
    COL_USER,
    FACTORS_ROLE,
    MAX_CACHED_PAGES,
    PAGE_SIZE,
    SessionTableModel,
    short_relative,
)


def all_ids(store: Store, query: SessionQuery) -> list[str]:
    """The reference order: walking the store's own pages from the start."""
    ids: list[str] = []
    cursor = None
    while True:
        page = store.page_sessions(query, after=cursor, limit=700)
        ids += [r.session_id for r in page.rows]
        if page.next_cursor is None:
            return ids
        cursor = page.next_cursor


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_template(tmp_path_factory.mktemp("template"), 3_000)


@pytest.fixture
def store(template: Path, tmp_path: Path):
    with copy_of(template, tmp_path) as opened:
        yield opened


def test_model_tester_passes(qtmodeltester, store):
    model = SessionTableModel(StoreReader(store), SessionQuery(ENV))
    qtmodeltester.check(model, force_py=True)


def test_model_tester_passes_when_empty(qtmodeltester, store):
    model = SessionTableModel(StoreReader(store), SessionQuery("no-such-env"))
    assert model.rowCount() == 0
    qtmodeltester.check(model, force_py=True)


@pytest.mark.parametrize(
    "query",
    [
        SessionQuery(ENV),
        SessionQuery(ENV, sort="user", descending=False),  # ties broken by id
        SessionQuery(ENV, sort="expires", descending=True, status=SessionStatus.ACTIVE),
        SessionQuery(ENV, app="app-shop", sort="last_auth", descending=False),
    ],
)
def test_random_access_matches_sequential_paging(store, query):
    expected = all_ids(store, query)
    model = SessionTableModel(StoreReader(store), query)
    assert model.rowCount() == len(expected)
    rows = list(range(len(expected)))
    random.Random(7).shuffle(rows)
    for row in rows[:300]:
        assert model.session_id_at(row) == expected[row], row
    # the ends, read from either side
    assert model.session_id_at(len(expected) - 1) == expected[-1]
    assert model.session_id_at(0) == expected[0]


def test_memory_stays_bounded_while_scrolling_everything(tmp_path):
    with store_with(tmp_path, 8_000) as big:
        model = SessionTableModel(StoreReader(big), SessionQuery(ENV))
        for row in range(0, model.rowCount(), 37):
            assert model.session_id_at(row) is not None
        assert model.cached_pages() <= MAX_CACHED_PAGES
        assert model.cached_pages() * PAGE_SIZE < model.rowCount()


def test_jump_to_the_end_reads_one_page(store):
    model = SessionTableModel(StoreReader(store), SessionQuery(ENV))
    last = model.rowCount() - 1
    assert model.session_id_at(last) == all_ids(store, SessionQuery(ENV))[-1]
    assert model.pages_read == 1
    assert model.seeks == 0


def test_sort_by_header_requeries(store, qtbot):
    model = SessionTableModel(StoreReader(store), SessionQuery(ENV))
    with qtbot.waitSignal(model.modelReset):
        model.sort(COL_USER, Qt.SortOrder.AscendingOrder)
    assert model.query.sort == "user"
    assert not model.query.descending
    users = [model.index(r, COL_USER).data() for r in range(200)]
    assert users == sorted(users, key=str.casefold)
    # a column the store cannot sort by keeps the current order
    model.sort(COL_FACTORS, Qt.SortOrder.DescendingOrder)
    assert model.query.sort == "user"


def test_status_filter_and_search(store):
    active = SessionTableModel(StoreReader(store), SessionQuery(ENV, status=SessionStatus.ACTIVE))
    assert 0 < active.rowCount() < 3_000
    statuses = {active.index(r, COL_STATUS).data() for r in range(active.rowCount())}
    assert statuses == {"active"}
    found = SessionTableModel(StoreReader(store), SessionQuery(ENV, search="person0007"))
    assert found.rowCount() > 0
    for row in range(found.rowCount()):
        assert found.index(row, COL_USER).data() == "person0007@example.com"
    assert (
        SessionTableModel(StoreReader(store), SessionQuery(ENV, search="zzzz-nothing")).rowCount()
        == 0
    )


def test_roles_relative_times_tooltips_and_chips(store):
    model = SessionTableModel(StoreReader(store), SessionQuery(ENV))
    created = model.index(0, COL_CREATED)
    assert created.data() in ("now", "1 s ago") or created.data().endswith("ago")
    assert "UTC" in created.data(Qt.ItemDataRole.ToolTipRole)
    assert "local" in created.data(Qt.ItemDataRole.ToolTipRole)
    assert model.index(0, COL_EXPIRES).data().startswith("in 13 d")
    assert model.index(3, COL_STATUS).data() == "revoked"  # every 7th from the 4th
    assert model.index(3, COL_EXPIRES).data() == "—"
    assert "revoked since" in model.index(3, COL_EXPIRES).data(Qt.ItemDataRole.ToolTipRole)
    assert model.index(0, COL_FACTORS).data(FACTORS_ROLE) == ["pwd"]
    assert model.index(0, COL_STATUS).data(Qt.ItemDataRole.ForegroundRole) is not None
    assert short_relative(1000.0, 1000.0 + 2 * 86400 + 5000) == "2 d ago"
    assert short_relative(1000.0 + 13 * 86400 + 7200, 1000.0) == "in 13 d"


def test_redaction_masks_users_and_emits_one_change(store, qtbot):
    model = SessionTableModel(StoreReader(store), SessionQuery(ENV))
    email_row = next(r for r in range(10) if "@" in model.index(r, COL_USER).data())
    plain = model.index(email_row, COL_USER).data()
    with qtbot.waitSignal(model.dataChanged):
        model.set_redaction(True)
    masked = model.index(email_row, COL_USER).data()
    assert masked != plain
    assert plain.split("@")[0] not in masked


def test_refresh_session_emits_targeted_data_changed(store, qtbot):
    model = SessionTableModel(StoreReader(store), SessionQuery(ENV))
    row = 5
    session_id = model.session_id_at(row)
    assert session_id is not None
    assert model.status_of(session_id) == "active"
    store.set_status(ENV, session_id, SessionStatus.REVOKED)
    with qtbot.waitSignal(model.dataChanged) as blocker:
        model.refresh_session(session_id)
    top, bottom = blocker.args[0], blocker.args[1]
    assert (top.row(), bottom.row()) == (row, row)
    assert model.status_of(session_id) == "revoked"
    assert model.index(row, COL_STATUS).data() == "revoked"


def test_rows_added_after_reload_appear(store):
    model = SessionTableModel(StoreReader(store), SessionQuery(ENV))
    before = model.rowCount()
    bulk_insert(store, make_records(5, start=50_000))
    assert model.rowCount() == before  # a snapshot until told
    model.reload()
    assert model.rowCount() == before + 5


def test_a_far_jump_for_the_view_seeks_in_a_worker_then_repaints(store, qtbot):
    expected = all_ids(store, SessionQuery(ENV))
    model = SessionTableModel(StoreReader(store), SessionQuery(ENV))
    row = 1_437  # far from both ends: more than WALK_LIMIT rows from any known cursor
    index = model.index(row, COL_USER)
    assert index.data() is None  # not there yet: the window is not blocked by the seek
    with qtbot.waitSignal(model.dataChanged, timeout=10_000) as blocker:
        pass
    top, bottom = blocker.args[0], blocker.args[1]
    assert top.row() <= row <= bottom.row()
    assert model.seeks == 1
    assert model.session_id_at(row) == expected[row]
    assert index.data() is not None
    # its neighbours are now read by key without another seek
    assert model.session_id_at(row + PAGE_SIZE) == expected[row + PAGE_SIZE]
    assert model.seeks == 1


def test_a_far_seek_for_an_old_query_is_dropped(store, qtbot):
    model = SessionTableModel(StoreReader(store), SessionQuery(ENV))
    assert model.index(1_500, COL_USER).data() is None
    model.set_query(SessionQuery(ENV, status=SessionStatus.ACTIVE))  # before the seek lands
    qtbot.wait(300)
    assert model.seeks == 0
    assert model.session_id_at(0) == all_ids(store, model.query)[0]


def test_apply_result_shows_the_reported_status_without_a_store_read(store, qtbot):
    model = SessionTableModel(StoreReader(store), SessionQuery(ENV))
    session_id = model.session_id_at(0)
    assert session_id is not None
    reads = model.pages_read
    with qtbot.waitSignal(model.dataChanged) as blocker:
        model.apply_result(session_id, "revoked")
    assert blocker.args[0].row() == 0
    assert model.status_of(session_id) == "revoked"
    assert model.index(0, COL_EXPIRES).data() == "—"
    assert "revoked since" in model.index(0, COL_EXPIRES).data(Qt.ItemDataRole.ToolTipRole)
    assert model.pages_read == reads
    model.apply_result(session_id, None)  # a result without a status changes nothing
    assert model.status_of(session_id) == "revoked"


def test_a_batch_of_results_is_one_repaint_of_the_rows_it_changed(store):
    model = SessionTableModel(StoreReader(store), SessionQuery(ENV))
    rows = [row for row in range(40) if model.record_at(row).status == SessionStatus.ACTIVE]
    changes = [(model.session_id_at(row), "revoked") for row in rows[:6]]
    changes.append((model.session_id_at(rows[6]), "active"))  # unchanged: not repainted
    changes.append(("not-in-the-table", "revoked"))
    spans: list[tuple[int, int]] = []
    model.dataChanged.connect(lambda first, last, *_: spans.append((first.row(), last.row())))
    reads = model.pages_read
    model.apply_results(changes)
    assert spans == [(rows[0], rows[5])]
    assert all(model.status_of(sid) == "revoked" for sid, _ in changes[:6])
    assert model.status_of(changes[6][0]) == "active"
    assert model.pages_read == reads
    model.apply_results(changes[:6])  # nothing changes the second time: no repaint
    assert len(spans) == 1


def _count_on_gui_thread_fails(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    def refused(query: SessionQuery) -> int:
        raise AssertionError("counted on the GUI thread")

    monkeypatch.setattr(store.sessions, "count_sessions", refused)


def test_a_query_asked_soon_is_counted_in_a_worker(store, qtbot, monkeypatch):
    model = SessionTableModel(StoreReader(store), SessionQuery(ENV))
    shown = model.rowCount()
    expected = store.count_sessions(SessionQuery(ENV, search="person0007"))
    assert 0 < expected < shown
    _count_on_gui_thread_fails(store, monkeypatch)
    query = SessionQuery(ENV, search="person0007")
    with qtbot.waitSignal(model.query_applied, timeout=5000):
        model.set_query_soon(query)
        assert model.counting()
        assert model.rowCount() == shown  # the previous rows, until the count lands
        assert model.query == query  # what was asked for
    assert not model.counting()
    assert model.rowCount() == expected
    assert {r.session_id for r in map(model.record_at, range(expected)) if r} == set(
        all_ids(store, query)
    )


def test_the_query_asked_last_wins(store, qtbot, monkeypatch):
    model = SessionTableModel(StoreReader(store), SessionQuery(ENV))
    _count_on_gui_thread_fails(store, monkeypatch)
    first = SessionQuery(ENV, status=SessionStatus.REVOKED)
    last = SessionQuery(ENV, search="person0007")
    applied: list[int] = []
    model.query_applied.connect(lambda: applied.append(model.rowCount()))
    model.set_query_soon(first)
    model.set_query_soon(last)
    qtbot.waitUntil(lambda: not model.counting(), timeout=5000)
    qtbot.wait(100)  # the first count's answer, if it were to land late
    assert model.query == last
    assert len(applied) == 1
    assert model.session_id_at(0) == all_ids(store, last)[0]


def test_a_sort_asked_while_counting_keeps_the_search(store, qtbot):
    model = SessionTableModel(StoreReader(store), SessionQuery(ENV))
    model.set_query_soon(SessionQuery(ENV, search="person0007"))
    model.sort(COL_USER, Qt.SortOrder.AscendingOrder)  # synchronous, on the asked query
    assert not model.counting()
    assert model.query.search == "person0007"
    assert model.query.sort == "user"
    qtbot.wait(100)  # the superseded count lands and is dropped
    assert model.query.search == "person0007"
    assert model.query.sort == "user"
