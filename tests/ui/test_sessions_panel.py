"""The sessions panel and the details view over a real store (no network)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from PySide6.QtCore import QItemSelectionModel, QPoint, Qt

from tests.ui._session_fixtures import ENV, build_template, copy_of
from transmit_admin.core.lifecycle import SessionStatus
from transmit_admin.store.reader import StoreReader
from transmit_admin.store.records import EventKind, TokenSeen
from transmit_admin.ui.sessions.details import SessionDetailsView
from transmit_admin.ui.sessions.model import COL_CREATED, COL_USER
from transmit_admin.ui.sessions.panel import SEARCH_DEBOUNCE_MS, SIGNALLED_IDS, SessionsPanel


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_template(tmp_path_factory.mktemp("panel"), 1_200)


@pytest.fixture
def ctx(template: Path, tmp_path: Path):
    with copy_of(template, tmp_path) as store:
        yield SimpleNamespace(  # a fixed workspace: what the panels read
            current=SimpleNamespace(
                store=store, reader=StoreReader(store), environment=SimpleNamespace(name=ENV)
            )
        )


@pytest.fixture
def panel(qtbot, bus, ctx):
    widget = SessionsPanel(ctx, bus)
    qtbot.addWidget(widget)
    widget.resize(900, 600)
    widget.show()
    return widget


def test_count_label_and_every_control_is_labelled(panel):
    assert panel.count_label.text() == "1,200 sessions"
    for widget in (panel.search, panel.status_filter, panel.app_filter, panel.table):
        assert widget.toolTip()
        assert widget.accessibleName()
    assert panel.app_filter.count() == 4  # all apps + three


def test_search_is_debounced_while_typing(panel, qtbot):
    resets: list[int] = []
    panel.model.modelReset.connect(lambda: resets.append(1))
    qtbot.keyClicks(panel.search, "person0007")
    assert resets == []  # nothing re-queried per keystroke
    qtbot.waitUntil(lambda: bool(resets), timeout=SEARCH_DEBOUNCE_MS * 10)
    assert len(resets) == 1
    assert panel.model.query.search == "person0007"
    assert panel.model.rowCount() == 2
    assert panel.count_label.text() == "2 sessions"
    assert {panel.model.index(r, COL_USER).data() for r in range(2)} == {"person0007@example.com"}


def test_status_and_app_filters_requery(panel, qtbot):
    with qtbot.waitSignal(panel.model.query_applied):  # counted off the GUI thread
        panel.status_filter.setCurrentIndex(panel.status_filter.findData(SessionStatus.REVOKED))
    revoked = panel.model.rowCount()
    assert 0 < revoked < 1_200
    assert panel.model.query.status == SessionStatus.REVOKED
    with qtbot.waitSignal(panel.model.query_applied):
        panel.app_filter.setCurrentIndex(panel.app_filter.findData("app-shop"))
    assert 0 < panel.model.rowCount() < revoked
    assert {panel.model.record_at(r).app_id for r in range(panel.model.rowCount())} == {"app-shop"}


def test_header_click_sorts_in_sql(panel, qtbot):
    header = panel.table.horizontalHeader()
    x = header.sectionViewportPosition(COL_USER) + 5
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, 5))
    assert panel.model.query.sort == "user"
    assert header.sortIndicatorSection() == COL_USER
    # a column SQL cannot sort keeps the indicator where the rows really are sorted
    x = header.sectionViewportPosition(3) + 5
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, 5))
    assert panel.model.query.sort == "user"
    assert header.sortIndicatorSection() == COL_USER
    assert panel.model.index(0, COL_CREATED).data()


def test_multi_selection_and_selection_signal(panel, qtbot):
    with qtbot.waitSignal(panel.selection_changed) as blocker:
        panel.select_row(3)
    assert blocker.args[0] == [panel.model.session_id_at(3)]
    with qtbot.waitSignal(panel.selection_changed) as blocker:
        panel.table.selectAll()
    assert len(blocker.args[0]) == SIGNALLED_IDS  # the signal stays cheap
    assert len(panel.selected_ids()) == 1_200
    assert panel.selected_rows(limit=5) == [0, 1, 2, 3, 4]
    panel.table.clearSelection()
    for row in (40, 7, 8, 900):
        panel.table.selectionModel().select(
            panel.model.index(row, 0),
            QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows,
        )
    assert panel.selected_rows() == [7, 8, 40, 900]


def test_details_show_fields_tokens_decision_and_timeline(qtbot, bus, ctx):
    store = ctx.current.store
    record = store.get_session(ENV, "sess-0000000")
    now = datetime.now(UTC)
    fingerprint = "ab" * 32
    store.record_token(
        TokenSeen(
            fingerprint=fingerprint,
            kind="user_access_token",
            environment=ENV,
            seen_at=now,
            session_id=record.session_id,
            jti="jti-1",
            sub=record.user_id,
            iat=now,
            exp=now + timedelta(minutes=40),
            claims={"sub": record.user_id, "exp": int((now + timedelta(minutes=40)).timestamp())},
        )
    )
    store.add_event(
        ENV, record.session_id, EventKind.CHECKED_ALIVE, "listed at Transmit", actor="agent"
    )
    view = SessionDetailsView(ctx, bus)
    qtbot.addWidget(view)
    view.show_session(record.session_id)
    assert view.fields["session_id"].text() == record.session_id
    assert view.fields["factors"].text() == "pwd"
    assert "UTC" in view.fields["expires"].text()
    assert view.decision_title.text().startswith("Continue")
    assert "valid until" in view.decision_reason.text()
    assert "in 39 min" in view.usable.text() or "in 40 min" in view.usable.text()
    token = view.tokens.topLevelItem(0)
    assert token.text(0) == "user_access_token"
    assert fingerprint[:16] in token.text(1)
    assert {token.child(i).text(0) for i in range(token.childCount())} == {"sub", "exp"}
    kinds = [view.events.topLevelItem(i).text(1) for i in range(view.events.topLevelItemCount())]
    assert "checked_alive" in kinds
    # redaction masks the ids at once
    bus.set_redaction(True)
    assert view.fields["session_id"].text() != record.session_id
    token = view.tokens.topLevelItem(0)
    claims = {token.child(i).text(0): token.child(i).text(1) for i in range(token.childCount())}
    assert claims["sub"] != record.user_id
    # a revoked session: log in again, and issued tokens stay valid
    store.set_status(ENV, record.session_id, SessionStatus.REVOKED)
    bus.session_changed.emit(record.session_id)
    assert view.decision_title.text() == "Log in again"
    assert "stay valid" in view.decision_reason.text()
