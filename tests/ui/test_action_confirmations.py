"""Issue 12 items 6, 7, 9: confirmations that say what will happen, with counts."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from PySide6.QtCore import QItemSelectionModel, Qt

from tests.support.sandbox_admin import SandboxAdmin
from transmit_admin.ui.sessions.model import COL_STATUS

LOGOUT_PATH = "/cis/v1/auth/session/logout"


@pytest.fixture
def fresh_window(make_main_window: Callable[..., Any], fresh_sandbox: Callable[..., Any]) -> Any:
    return make_main_window(fresh_sandbox(users=5, sessions=80, seed=21))


def _active_rows(panel: Any) -> list[int]:
    model = panel.model
    return [r for r in range(model.rowCount()) if model.index(r, COL_STATUS).data() == "active"]


def _select(panel: Any, rows: list[int]) -> None:
    selection = panel.table.selectionModel()
    for row in rows:
        selection.select(
            panel.model.index(row, 0),
            QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows,
        )


def test_multi_row_revoke_outside_production_confirms_with_counts(qtbot, fresh_window):
    panel = fresh_window.controller.panels["sessions"]
    actions = fresh_window.controller.panels["actions"]
    assert not fresh_window.runtime.current.environment.production
    rows = _active_rows(panel)[:41]
    _select(panel, rows)
    records = [panel.model.record_at(r) for r in rows]
    users = len({r.user_id for r in records})
    assert panel.count_label.text().endswith("· 41 selected")
    actions.revoke.trigger()
    dialog = actions.dialog
    assert dialog is not None, "41 sessions were revoked without a question"
    assert f"Revoke 41 sessions of {users} users?" in dialog.intro.text()
    assert dialog.ok_button.text() == "Revoke 41"
    dialog.reject()
    qtbot.wait(200)
    with SandboxAdmin(fresh_window.info) as admin:
        assert [r for r in admin.requests() if r["path"] == LOGOUT_PATH] == []
    assert all(panel.model.status_of(r.session_id) == "active" for r in records)


def test_the_question_counts_only_sessions_left_to_log_out(qtbot, fresh_window):
    """Revoked and ended rows in a selection have nothing to send: they are not counted."""
    panel = fresh_window.controller.panels["sessions"]
    actions = fresh_window.controller.panels["actions"]
    model = panel.model
    gone = [r for r in range(model.rowCount()) if model.index(r, COL_STATUS).data() == "ended"]
    assert len(gone) >= 2, "the seeded sandbox has fewer than two ended sessions"
    live = _active_rows(panel)[:2]
    _select(panel, [*live, gone[0]])
    users = len({model.record_at(r).user_id for r in live})
    actions.revoke.trigger()
    dialog = actions.dialog
    assert dialog is not None
    text = dialog.intro.text()
    assert f"Revoke 2 sessions of {users} user" in text
    assert "1 selected already revoked or ended are left out" in text
    assert dialog.ok_button.text() == "Revoke 2"
    dialog.reject()

    panel.table.clearSelection()
    _select(panel, gone[:2])
    actions.revoke.trigger()
    assert actions.dialog is None
    assert "nothing to send" in panel.message.text()


def test_one_session_outside_production_is_one_click(qtbot, fresh_window):
    panel = fresh_window.controller.panels["sessions"]
    actions = fresh_window.controller.panels["actions"]
    row = _active_rows(panel)[0]
    panel.select_row(row)
    assert "selected" not in panel.count_label.text()
    session_id = panel.model.session_id_at(row)
    actions.revoke.trigger()
    assert actions.dialog is None
    qtbot.waitUntil(lambda: panel.model.status_of(session_id) == "revoked", timeout=10_000)


def test_reauthenticate_asks_first_and_says_it_extends_by_14_days(qtbot, fresh_window):
    panel = fresh_window.controller.panels["sessions"]
    actions = fresh_window.controller.panels["actions"]
    store, env = fresh_window.runtime.current.store, fresh_window.runtime.current.environment.name
    row = _active_rows(panel)[0]
    panel.select_row(row)
    session_id = panel.model.session_id_at(row)
    before = store.get_session(env, session_id)
    actions.reauth.trigger()
    dialog = actions.dialog
    assert dialog is not None, "re-authenticated on one click"
    assert "extends the session by 14 days" in dialog.intro.text()
    dialog.reject()
    qtbot.wait(300)
    assert store.get_session(env, session_id).expires_at == before.expires_at
    actions.reauth.trigger()
    qtbot.mouseClick(actions.dialog.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: store.get_session(env, session_id).expires_at > before.expires_at, timeout=10_000
    )


def test_revoke_user_says_how_many_sessions_it_ends(qtbot, fresh_window):
    panel = fresh_window.controller.panels["sessions"]
    actions = fresh_window.controller.panels["actions"]
    store, env = fresh_window.runtime.current.store, fresh_window.runtime.current.environment.name
    row = _active_rows(panel)[0]
    panel.select_row(row)
    record = panel.model.record_at(row)
    tracked = sum(1 for r in store.sessions_of_user(env, record.user_id) if r.status == "active")
    with SandboxAdmin(fresh_window.info) as admin:
        listed = [
            s
            for s in admin.sessions()
            if s["user_id"] == record.user_id and s["status"] == "active"
        ]
    actions.revoke_user.trigger()
    dialog = actions.dialog
    assert dialog is not None
    assert f"This app tracks {tracked} active session(s) of this user." in dialog.counts.text()
    qtbot.waitUntil(lambda: "listed" in dialog.counts.text(), timeout=10_000)
    assert f"Transmit: {len(listed)} active session(s) listed." in dialog.counts.text()
    dialog.reject()
