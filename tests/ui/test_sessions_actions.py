"""Session actions against a real sandbox in a child process, driven through the window."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QToolButton

from tests.support.sandbox_admin import SandboxAdmin
from transmit_admin.core.redact import mask_id
from transmit_admin.services.results import Outcome
from transmit_admin.ui.sessions.model import COL_STATUS

LOGOUT_PATH = "/cis/v1/auth/session/logout"


def _actions(under_test: Any) -> Any:
    return under_test.controller.panels["actions"]


def _panel(under_test: Any) -> Any:
    return under_test.controller.panels["sessions"]


def _active_rows(panel: Any, count: int) -> list[int]:
    model = panel.model
    rows = [r for r in range(model.rowCount()) if model.index(r, COL_STATUS).data() == "active"]
    assert len(rows) >= count, f"only {len(rows)} active sessions in the demo store"
    return rows[:count]


def _click(qtbot: Any, window: Any, action: Any) -> None:
    button = window.toolbar.widgetForAction(action)
    assert isinstance(button, QToolButton)
    assert button.isEnabled()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def _logouts(admin: SandboxAdmin) -> list[dict[str, Any]]:
    return [r for r in admin.requests() if r["path"] == LOGOUT_PATH]


@pytest.fixture
def fresh_window(make_main_window: Callable[..., Any], fresh_sandbox: Callable[..., Any]) -> Any:
    return make_main_window(fresh_sandbox(users=4, sessions=100, seed=11))


def test_click_revoke_logs_out_and_row_reads_revoked(qtbot, fresh_window):
    panel, actions = _panel(fresh_window), _actions(fresh_window)
    row = _active_rows(panel, 1)[0]
    panel.select_row(row)
    session_id = panel.model.session_id_at(row)
    _click(qtbot, fresh_window.window, actions.revoke)
    qtbot.waitUntil(lambda: panel.model.status_of(session_id) == "revoked", timeout=10_000)
    assert panel.model.index(row, COL_STATUS).data() == "revoked"
    with SandboxAdmin(fresh_window.info) as admin:
        assert [r["status"] for r in _logouts(admin)] == [204]
        assert admin.session(session_id)["status"] in ("ended", "revoked")
    assert panel.message.property("ok") is True


def test_failed_revoke_leaves_the_row_and_shows_the_error(qtbot, fresh_window):
    panel, actions = _panel(fresh_window), _actions(fresh_window)
    row = _active_rows(panel, 1)[0]
    session_id = panel.model.session_id_at(row)
    with SandboxAdmin(fresh_window.info) as admin:
        admin.set_faults(fail_rate=1.0, fail_statuses=[503], routes=[LOGOUT_PATH])
        panel.select_row(row)
        _click(qtbot, fresh_window.window, actions.revoke)
        qtbot.waitUntil(lambda: panel.message.isVisible(), timeout=15_000)
        assert panel.message.property("ok") is False
        assert "not revoked" in panel.message.text()
        assert "Traceback" not in panel.message.text()
        assert panel.model.status_of(session_id) == "active"
        assert panel.model.index(row, COL_STATUS).data() == "active"
        assert _logouts(admin)
        assert all(r["status"] == 503 for r in _logouts(admin))
        sandbox_session = admin.session(session_id)
    assert sandbox_session["status"] == "active"
    activity = fresh_window.controller.panels["activity"]
    assert activity.recent_rows() > 0
    assert "not revoked" in activity.recent_text(0, 2)


def test_bulk_revoke_of_50_rows_with_progress(qtbot, fresh_window):
    panel, actions = _panel(fresh_window), _actions(fresh_window)
    activity = fresh_window.controller.panels["activity"]
    rows = _active_rows(panel, 50)
    for row in rows:
        panel.table.selectionModel().select(
            panel.model.index(row, 0),
            panel.table.selectionModel().SelectionFlag.Select
            | panel.table.selectionModel().SelectionFlag.Rows,
        )
    ids = panel.selected_ids()
    assert len(ids) == 50
    seen: list[int] = []
    activity.progress.advanced.connect(lambda done, total, message, ok: seen.append(done))
    _click(qtbot, fresh_window.window, actions.revoke)
    assert actions.dialog is not None  # two or more sessions are confirmed with the count
    actions.dialog.accept()
    qtbot.waitUntil(
        lambda: activity.progress.done == 50 and not activity.progress.running, timeout=30_000
    )
    assert seen == list(range(1, 51))
    assert activity.progress_row.isVisible()
    assert activity.bar.value() == 50
    assert "50 of 50 revoked" in activity.bar_label.text()
    # every result is listed under the summary, newest first (batched, see recent_model.py)
    listed = [activity.recent_text(row, 2) for row in range(activity.recent_rows())]
    assert listed[0].startswith("50 of 50 revoked")
    # each names the user and the short session id (issue 12)
    expected = []
    for sid in ids:
        record = fresh_window.runtime.current.store.get_session(
            fresh_window.runtime.current.environment.name, sid
        )
        expected.append(f"{record.email or record.user_id} · session {mask_id(sid)}")
    assert sorted(text.partition(": ")[0] for text in listed[1:51]) == sorted(expected)
    assert all(panel.model.status_of(sid) == "revoked" for sid in ids)
    with SandboxAdmin(fresh_window.info) as admin:
        assert len([r for r in _logouts(admin) if r["status"] == 204]) == 50


def test_bulk_revoke_can_be_cancelled(qtbot, fresh_window, run_async):
    panel, actions = _panel(fresh_window), _actions(fresh_window)
    activity = fresh_window.controller.panels["activity"]
    rows = _active_rows(panel, 40)
    ids = [panel.model.session_id_at(r) for r in rows]
    with SandboxAdmin(fresh_window.info) as admin:
        admin.set_faults(latency_ms=150, routes=[LOGOUT_PATH])
    # cancel after the first result arrives
    activity.progress.advanced.connect(
        lambda done, *_: activity.cancel_button.click() if done == 1 else None
    )
    results = run_async(actions.revoke_many(ids), timeout=30_000)
    cancelled = [r for r in results if r.outcome is Outcome.CANCELLED]
    assert all(r.message == "cancelled before it was sent" for r in cancelled)
    revoked = [r for r in results if r.ok]
    assert cancelled, "nothing was cancelled"
    assert len(revoked) + len(cancelled) == 40
    for result in cancelled:
        assert panel.model.status_of(result.session_id) == "active"
    assert "cancelled" in activity.bar_label.text()


def _select_session_with_email(panel: Any) -> tuple[str, str]:
    model = panel.model
    for row in _active_rows(panel, 1) + list(range(model.rowCount())):
        record = model.record_at(row)
        if (
            record is not None
            and record.email
            and record.status == "active"
            and "eml" not in record.factors
        ):
            panel.select_row(row)
            return record.session_id, record.email
    raise AssertionError("no active session with an email and without eml")


def _factors(under_test: Any, session_id: str) -> tuple[str, ...]:
    record = under_test.runtime.current.store.get_session(
        under_test.runtime.current.environment.name, session_id
    )
    assert record is not None
    return tuple(record.factors)


def _send_magic_link(qtbot: Any, under_test: Any) -> tuple[str, str]:
    panel, actions = _panel(under_test), _actions(under_test)
    session_id, email = _select_session_with_email(panel)
    assert "eml" not in _factors(under_test, session_id)
    _click(qtbot, under_test.window, actions.magic_link)
    dialog = actions.dialog
    assert dialog is not None
    assert dialog.email.text() == email  # prefilled from the session
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    return session_id, email


def test_magic_link_end_to_end_through_the_mailbox(qtbot, fresh_window):
    session_id, email = _send_magic_link(qtbot, fresh_window)
    mailbox = fresh_window.controller.panels["mailbox"]
    # the mailbox refreshes by itself after a send
    qtbot.waitUntil(
        lambda: any(m.get("recipient") == email for m in mailbox.messages), timeout=10_000
    )
    message = mailbox.selected_message()
    assert message is not None
    assert message["recipient"] == email
    assert "/callback?pending=" in message["link"]
    assert email in [mailbox.list.topLevelItem(0).text(1)]
    assert mailbox.open_button.isEnabled()
    qtbot.mouseClick(mailbox.open_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "eml" in _factors(fresh_window, session_id), timeout=10_000)
    qtbot.waitUntil(lambda: "You can close this tab" in mailbox.status.text(), timeout=5_000)
    panel = _panel(fresh_window)
    row = panel.model.row_of(session_id)
    assert row is not None
    assert "eml" in panel.model.index(row, 3).data()
    # the link is single-use: opening it again completes nothing and says so
    qtbot.mouseClick(mailbox.open_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "not (or no longer) expected" in mailbox.status.text(), timeout=5_000)


def test_magic_link_use_code_from_the_mailbox(qtbot, fresh_window):
    session_id, email = _send_magic_link(qtbot, fresh_window)
    mailbox = fresh_window.controller.panels["mailbox"]
    qtbot.waitUntil(
        lambda: any(m.get("recipient") == email for m in mailbox.messages), timeout=10_000
    )
    assert mailbox.code_button.isEnabled()
    qtbot.mouseClick(mailbox.code_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "eml" in _factors(fresh_window, session_id), timeout=10_000)


def test_magic_link_completed_by_pasting_the_redirect_url(qtbot, fresh_window):
    session_id, email = _send_magic_link(qtbot, fresh_window)
    with SandboxAdmin(fresh_window.info) as admin:
        qtbot.waitUntil(lambda: bool(admin.outbox(email)), timeout=10_000)
        link = admin.latest_message(email)["link"]
    actions = _actions(fresh_window)
    _click(qtbot, fresh_window.window, actions.complete)
    dialog = actions.dialog
    assert dialog is not None
    assert not dialog.ok_button.isEnabled()
    qtbot.keyClicks(dialog.code, link)
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "eml" in _factors(fresh_window, session_id), timeout=10_000)


def test_production_revoke_asks_first_and_says_tokens_stay_valid(qtbot, fresh_window):
    runtime, info = fresh_window.runtime, fresh_window.info
    production = dataclasses.replace(runtime.current.environment, production=True)
    runtime.switch_environment(production, lambda: info.client_secret)
    panel, actions = _panel(fresh_window), _actions(fresh_window)
    row = _active_rows(panel, 1)[0]
    session_id = panel.model.session_id_at(row)
    panel.select_row(row)
    _click(qtbot, fresh_window.window, actions.revoke)
    dialog = actions.dialog
    assert dialog is not None
    assert "stay valid until their own expiry" in dialog.intro.text()
    dialog.reject()
    qtbot.wait(200)
    with SandboxAdmin(fresh_window.info) as admin:
        assert _logouts(admin) == []  # nothing sent without the confirmation
    assert panel.model.status_of(session_id) == "active"
    _click(qtbot, fresh_window.window, actions.revoke)
    assert actions.dialog is not None
    qtbot.mouseClick(actions.dialog.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.model.status_of(session_id) == "revoked", timeout=10_000)


def test_revoke_user_needs_the_email_typed(qtbot, fresh_window):
    panel, actions = _panel(fresh_window), _actions(fresh_window)
    session_id, email = _select_session_with_email(panel)
    record = fresh_window.runtime.current.store.get_session(
        fresh_window.runtime.current.environment.name, session_id
    )
    _click(qtbot, fresh_window.window, actions.revoke_user)
    dialog = actions.dialog
    assert dialog is not None
    assert not dialog.ok_button.isEnabled()
    qtbot.keyClicks(dialog.typed, "someone-else@example.com")
    assert not dialog.ok_button.isEnabled()
    dialog.typed.clear()
    qtbot.keyClicks(dialog.typed, email.upper())
    assert dialog.ok_button.isEnabled()
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.model.status_of(session_id) == "revoked", timeout=10_000)
    with SandboxAdmin(fresh_window.info) as admin:
        deletes = [
            r
            for r in admin.requests()
            if r["method"] == "DELETE" and r["path"].endswith(f"/{record.user_id}/sessions")
        ]
        assert [r["status"] for r in deletes] == [204]
        live = [s for s in admin.sessions() if s["user_id"] == record.user_id]
        assert all(s["status"] != "active" for s in live)


def test_check_alive_reauthenticate_note_and_sync(qtbot, fresh_window):
    panel, actions = _panel(fresh_window), _actions(fresh_window)
    store, env_name = (
        fresh_window.runtime.current.store,
        fresh_window.runtime.current.environment.name,
    )
    session_id, email = _select_session_with_email(panel)
    before = store.get_session(env_name, session_id)

    _click(qtbot, fresh_window.window, actions.check_alive)
    qtbot.waitUntil(lambda: ": alive" in panel.message.text(), timeout=10_000)
    with SandboxAdmin(fresh_window.info) as admin:
        assert _logouts(admin) == []  # no side effect at Transmit
        assert any(
            r["path"].endswith(f"/users/{before.user_id}/sessions") for r in admin.requests()
        )

    _click(qtbot, fresh_window.window, actions.reauth)
    assert actions.dialog is not None  # it extends the customer's session: asked first
    qtbot.mouseClick(actions.dialog.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "re-authenticated silently" in panel.message.text(), timeout=10_000)
    after = store.get_session(env_name, session_id)
    assert after.expires_at > before.expires_at  # the session was extended
    details = fresh_window.controller.panels["details"]
    details.show_session(session_id)
    kinds = [
        details.events.topLevelItem(i).text(1) for i in range(details.events.topLevelItemCount())
    ]
    assert "checked_alive" in kinds
    assert "reauthenticated" in kinds

    _click(qtbot, fresh_window.window, actions.note)
    dialog = actions.dialog
    assert dialog is not None
    dialog.text.setPlainText("caller verified by phone, ticket 4711")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: store.get_session(env_name, session_id).note is not None, timeout=5_000)
    assert store.get_session(env_name, session_id).note == "caller verified by phone, ticket 4711"

    _click(qtbot, fresh_window.window, actions.sync)
    dialog = actions.dialog
    assert dialog is not None
    assert dialog.ref.text() == email  # prefilled from the selected session
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Sync user" in _activity_actions(fresh_window), timeout=10_000)
    activity = fresh_window.controller.panels["activity"]
    assert activity.recent_data(0, 2, Qt.ItemDataRole.UserRole) is True, activity.recent_text(0, 2)


def _activity_actions(under_test: Any) -> list[str]:
    activity = under_test.controller.panels["activity"]
    return [activity.recent_text(row, 1) for row in range(activity.recent_rows())]


def test_bulk_revoke_without_a_secret_says_so_and_changes_nothing(qtbot, fresh_window):
    from transmit_admin.app import MissingSecret

    panel, actions = _panel(fresh_window), _actions(fresh_window)
    activity = fresh_window.controller.panels["activity"]

    def no_secret() -> str:
        raise MissingSecret("No client secret is stored for the environment 'sandbox'.")

    # An edited environment gets its own client, here one whose secret is missing.
    runtime = fresh_window.runtime
    edited = dataclasses.replace(runtime.current.environment, production=True)
    runtime.switch_environment(edited, no_secret)
    rows = _active_rows(panel, 3)
    for row in rows:
        panel.table.selectionModel().select(
            panel.model.index(row, 0),
            panel.table.selectionModel().SelectionFlag.Select
            | panel.table.selectionModel().SelectionFlag.Rows,
        )
    ids = panel.selected_ids()
    _click(qtbot, fresh_window.window, actions.revoke)
    assert actions.dialog is not None
    actions.dialog.accept()
    qtbot.waitUntil(lambda: not activity.progress.running, timeout=10_000)
    qtbot.waitUntil(lambda: panel.message.isVisible(), timeout=5_000)
    assert "No client secret" in panel.message.text()
    assert "No client secret" in activity.bar_label.text()
    assert not activity.cancel_button.isEnabled()
    assert all(panel.model.status_of(sid) == "active" for sid in ids)
    with SandboxAdmin(fresh_window.info) as admin:
        assert _logouts(admin) == []


def test_bulk_revoke_under_malformed_answers_leaves_every_row_unchanged(
    qtbot, fresh_window, run_async
):
    """Every Transmit answer truncated JSON with a 200 (the logouts and the session lists that
    would settle them): nothing is confirmed, so nothing may read "revoked"."""
    panel, actions = _panel(fresh_window), _actions(fresh_window)
    rows = _active_rows(panel, 12)
    ids = [panel.model.session_id_at(r) for r in rows]
    with SandboxAdmin(fresh_window.info) as admin:
        admin.set_faults(malformed_rate=1.0, routes=["/cis/v1/auth/*"])
        try:
            results = run_async(actions.revoke_many(ids), timeout=30_000)
        finally:
            admin.reset_faults()
        assert all(s["status"] == "active" for s in admin.sessions() if s["session_id"] in ids)
    assert [r.outcome for r in results] == [Outcome.UNCONFIRMED] * len(ids)
    for session_id in ids:
        assert panel.model.status_of(session_id) == "active"
        record = fresh_window.runtime.current.store.get_session(
            fresh_window.runtime.current.environment.name, session_id
        )
        assert record is not None
        assert record.status == "active"


def test_a_magic_link_opened_after_a_switch_completes_in_its_own_environment(qtbot, fresh_window):
    import threading

    import httpx

    from transmit_admin.core.environment import Environment, Region

    runtime = fresh_window.runtime
    sent_from = runtime.current
    session_id, email = _send_magic_link(qtbot, fresh_window)
    with SandboxAdmin(fresh_window.info) as admin:
        qtbot.waitUntil(lambda: bool(admin.outbox(email)), timeout=10_000)
        link = admin.latest_message(email)["link"]
    # The agent moves on to another environment before the user opens the mail.
    elsewhere = Environment.from_region("elsewhere", Region.EU, "client-x")
    runtime.switch_environment(elsewhere, lambda: "unused")
    fresh_window.bus.environment_changed.emit()
    assert runtime.current.environment.name == "elsewhere"
    # The user's browser opens the link (a thread: the callback is served on this loop).
    opened = threading.Thread(target=lambda: httpx.get(link, follow_redirects=True, timeout=30))
    opened.start()

    def factors() -> tuple[str, ...]:
        record = sent_from.reader.get_session(sent_from.environment.name, session_id)
        assert record is not None
        return record.factors

    qtbot.waitUntil(lambda: "eml" in factors(), timeout=10_000)
    opened.join(timeout=30)
    # Nothing of it was written under the environment on screen.
    assert runtime.current.reader.get_session("elsewhere", session_id) is None
