"""Issue 12 item 1: every view of a session follows its stored record, whoever changed it."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

import pytest
from PySide6.QtCore import QItemSelectionModel

from tests.support.sandbox_admin import SandboxAdmin
from transmit_admin.ui.sessions.model import COL_STATUS

LOGOUT_PATH = "/cis/v1/auth/session/logout"
LIST_PATH = "/cis/v1/auth/users/*/sessions"


@pytest.fixture
def fresh_window(make_main_window: Callable[..., Any], fresh_sandbox: Callable[..., Any]) -> Any:
    return make_main_window(fresh_sandbox(users=4, sessions=60, seed=12))


def _active_rows(panel: Any, count: int) -> list[int]:
    model = panel.model
    rows = [r for r in range(model.rowCount()) if model.index(r, COL_STATUS).data() == "active"]
    assert len(rows) >= count
    return rows[:count]


def _details(under_test: Any) -> Any:
    return under_test.controller.panels["details"]


def test_bulk_revoke_updates_the_open_session_tab(qtbot, fresh_window):
    panel = fresh_window.controller.panels["sessions"]
    actions = fresh_window.controller.panels["actions"]
    details = _details(fresh_window)
    rows = _active_rows(panel, 4)
    panel.select_row(rows[0])
    shown = panel.model.session_id_at(rows[0])
    assert details.session_id == shown
    assert details.fields["status"].text() == "active"
    # Extend the selection; the current row (the last one clicked) is another session.
    selection = panel.table.selectionModel()
    for row in rows[1:]:
        index = panel.model.index(row, 0)
        selection.select(
            index,
            QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows,
        )
        selection.setCurrentIndex(index, QItemSelectionModel.SelectionFlag.NoUpdate)
    assert details.session_id == shown
    actions.revoke_selected()
    if actions.dialog is not None:  # item 6: two or more sessions are confirmed with a count
        actions.dialog.accept()
    qtbot.waitUntil(lambda: details.fields["status"].text() == "revoked", timeout=10_000)
    assert details.title.text().endswith("revoked")
    assert not details.decision_title.text().startswith("Continue")


def test_another_process_revoking_shows_within_a_second(qtbot, fresh_window):
    panel = fresh_window.controller.panels["sessions"]
    details = _details(fresh_window)
    row = _active_rows(panel, 1)[0]
    panel.select_row(row)
    session_id = panel.model.session_id_at(row)
    env = fresh_window.runtime.current.environment.name
    script = (
        "import sys\n"
        "from transmit_admin.store.db import open_store\n"
        "from transmit_admin.store.records import EventKind\n"
        "store = open_store(sys.argv[1])\n"
        "store.set_status(sys.argv[2], sys.argv[3], 'revoked')\n"
        "store.add_event(sys.argv[2], sys.argv[3], EventKind.REVOKE_CONFIRMED, 'cli', 'cli')\n"
        "store.close()\n"
    )
    path = str(fresh_window.runtime.current.store.path)
    subprocess.run([sys.executable, "-c", script, path, env, session_id], check=True, timeout=30)
    started = time.monotonic()
    qtbot.waitUntil(
        lambda: (
            panel.model.index(row, COL_STATUS).data() == "revoked"
            and details.fields["status"].text() == "revoked"
        ),
        timeout=3_000,
    )
    assert time.monotonic() - started < 1.5


def test_unconfirmed_logout_reads_the_same_in_row_and_tab(qtbot, fresh_window):
    panel = fresh_window.controller.panels["sessions"]
    actions = fresh_window.controller.panels["actions"]
    details = _details(fresh_window)
    row = _active_rows(panel, 1)[0]
    panel.select_row(row)
    session_id = panel.model.session_id_at(row)
    with SandboxAdmin(fresh_window.info) as admin:
        admin.set_faults(
            wrong_success_rate=1.0,
            routes=[LOGOUT_PATH, LIST_PATH],
            route_fail_rates={LIST_PATH: 1.0},
            fail_statuses=[503],
        )
        try:
            actions.revoke_selected()
            qtbot.waitUntil(lambda: panel.message.isVisible(), timeout=20_000)
        finally:
            admin.reset_faults()
    assert panel.model.status_of(session_id) == "active"  # the store's truth is unchanged
    qtbot.waitUntil(
        lambda: panel.model.index(row, COL_STATUS).data() == "unconfirmed", timeout=3_000
    )
    assert details.title.text().endswith("· unconfirmed")
    assert details.fields["status"].text().startswith("unconfirmed")


def test_revoke_shows_revoking_at_once_at_high_latency(qtbot, fresh_window):
    panel = fresh_window.controller.panels["sessions"]
    actions = fresh_window.controller.panels["actions"]
    details = _details(fresh_window)
    row = _active_rows(panel, 1)[0]
    panel.select_row(row)
    session_id = panel.model.session_id_at(row)
    with SandboxAdmin(fresh_window.info) as admin:
        admin.set_faults(latency_ms=1500, routes=[LOGOUT_PATH])
        try:
            actions.revoke_selected()
            qtbot.wait(50)
            assert panel.model.index(row, COL_STATUS).data() == "revoking…"
            assert details.title.text().endswith("· revoking…")
            # A second Del on the same row says so in place, not as a red error.
            actions.revoke_selected()
            assert panel.message.property("ok") is not False
            assert "already being revoked" in panel.message.text().lower()
            qtbot.waitUntil(lambda: panel.model.status_of(session_id) == "revoked", timeout=10_000)
        finally:
            admin.reset_faults()
    qtbot.waitUntil(lambda: panel.model.index(row, COL_STATUS).data() == "revoked", timeout=3_000)
    assert details.fields["status"].text() == "revoked"
