"""Regressions found by using the app as a support agent would (QA walk-through, Xvfb).

- the redaction switch left user, session and app ids readable in action results (the line
  under the table, the activity panel), in the details' App field and in the timeline;
- a result about a session of one environment stayed under the next environment's table;
- the extend-access decision read "Re-authenticate silently … (in 13 d 22 h)" (a deadline
  shown as if it were a delay), and a revoked session still said it "expires in 13 d";
- inspecting a token response raised the main window's minimum size to about 1000x780, so it
  no longer fitted a laptop screen and could not be made smaller;
- Settings had no keyboard shortcut on Linux (Preferences has no standard key there);
- the sandbox mailbox showed raw ISO-8601 times.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QComboBox, QLineEdit

from tests.ui._session_fixtures import ENV, build_template, copy_of
from tests.ui.test_main_window import inspect, token_response  # noqa: F401 - fixture
from tests.ui.test_sessions_actions import _active_rows
from tests.ui.test_sessions_actions import fresh_window as fresh_window
from transmit_admin.core.lifecycle import SessionStatus
from transmit_admin.services.results import ActionResult, Outcome
from transmit_admin.store.reader import StoreReader
from transmit_admin.store.records import EventKind
from transmit_admin.ui.activity import ActivityPanel, bulk_progress
from transmit_admin.ui.mailbox import _time_text
from transmit_admin.ui.redaction import mask_text
from transmit_admin.ui.sessions.details import SessionDetailsView
from transmit_admin.ui.sessions.panel import SessionsPanel

USER_ID = "B0z6Y2NnIa9PVvPnkOli"
SESSION_ID = "TY2atRbL8m5GQPpBC2lWBh0nzK309HVy"
RESULT = f"tracked: user {USER_ID} <ann.lee@example.com>, session {SESSION_ID}, factors pwd"


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_template(tmp_path_factory.mktemp("qa"), 50)


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
    widget.show()
    return widget


def test_mask_text_masks_emails_and_ids_but_not_words_times_or_hosts() -> None:
    shown = mask_text(RESULT + "; expires 2026-12-11 04:31:20 UTC at 127.0.0.1")
    assert USER_ID not in shown
    assert SESSION_ID not in shown
    assert "ann.lee@example.com" not in shown
    assert shown.startswith("tracked: user B0z6…li <a")
    assert shown.endswith("factors pwd; expires 2026-12-11 04:31:20 UTC at 127.0.0.1")
    sentence = "not re-authenticated: Transmit sent an answer that is not JSON (HTTP 200)."
    assert mask_text(sentence) == sentence


def test_result_under_the_table_is_masked_while_redacting(panel, bus) -> None:
    panel.show_result(RESULT, True)
    assert USER_ID in panel.message.text()
    bus.set_redaction(True)
    for shown in (panel.message.text(), panel.message.toolTip()):
        assert USER_ID not in shown
        assert SESSION_ID not in shown
        assert "ann.lee@example.com" not in shown
    panel.show_result(RESULT, True)  # a new result while redacting is masked at once
    assert USER_ID not in panel.message.text()
    bus.set_redaction(False)
    assert panel.message.text() == RESULT


def test_result_under_the_table_never_holds_a_token(panel) -> None:
    jwt = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1c2VyLTEifQ.c2lnbmF0dXJlLXZhbHVlLWhlcmU"
    panel.show_result(f"refused {jwt}", False)
    assert jwt not in panel.message.text()


def test_result_of_the_previous_environment_is_cleared_on_switch(panel, bus) -> None:
    panel.show_result("Magic link sent to ann.lee@example.com", True)
    assert panel.message.isVisible()
    bus.environment_changed.emit()
    assert not panel.message.isVisible()
    assert panel.message.text() == ""


def test_activity_masks_ids_in_results_while_redacting(qtbot, bus, ctx) -> None:
    activity = ActivityPanel(ctx, bus)
    qtbot.addWidget(activity)
    bus.activity.emit("Track", RESULT, True)
    bus.set_redaction(True)
    shown = activity.recent_text(0, 2)
    assert USER_ID not in shown
    assert SESSION_ID not in shown
    assert "ann.lee@example.com" not in shown
    bus.set_redaction(False)
    assert activity.recent_text(0, 2) == RESULT


def test_details_mask_the_app_id_and_the_timeline_while_redacting(qtbot, bus, ctx) -> None:
    record = ctx.current.store.get_session(ENV, "sess-0000000")
    ctx.current.store.add_event(
        ENV, record.session_id, EventKind.NOTE_CHANGED, f"user {USER_ID} called"
    )
    view = SessionDetailsView(ctx, bus)
    qtbot.addWidget(view)
    view.show_session(record.session_id)
    assert record.app_id in view.fields["app"].text()
    bus.set_redaction(True)
    assert record.app_id not in view.fields["app"].text()
    assert view.fields["app"].text().startswith(record.app_name)
    details = [view.events.topLevelItem(n).text(3) for n in range(view.events.topLevelItemCount())]
    assert not any(USER_ID in detail for detail in details)
    assert any(detail.startswith("user B0z6…") for detail in details)


def test_decision_says_how_long_it_holds_and_a_revoked_expiry_no_longer_applies(
    qtbot, bus, ctx
) -> None:
    record = ctx.current.store.get_session(ENV, "sess-0000000")  # active, no access token seen
    view = SessionDetailsView(ctx, bus)
    qtbot.addWidget(view)
    view.show_session(record.session_id)
    title = view.decision_title.text()
    assert title.startswith("Re-authenticate silently")
    assert "(for another 13 d" in title
    assert "(in " not in title
    assert "no longer applies" not in view.fields["expires"].text()
    ctx.current.store.set_status(ENV, record.session_id, SessionStatus.REVOKED)
    bus.session_changed.emit(record.session_id)
    assert view.decision_title.text() == "Log in again"
    assert "no longer applies: the session is revoked" in view.fields["expires"].text()


def test_an_inspected_token_never_makes_the_window_taller_than_a_laptop_screen(
    qtbot: Any,
    main_window: Any,
    token_response: dict[str, Any],  # noqa: F811
) -> None:
    window = main_window.window
    inspect(qtbot, main_window, json.dumps(token_response))
    view = main_window.inspector.view
    assert view.banner.isVisible()
    minimum = window.minimumSizeHint()
    assert minimum.height() <= 600, minimum
    assert minimum.width() <= 900, minimum
    window.resize(1000, 640)
    qtbot.waitUntil(lambda: window.height() <= 650, timeout=2000)
    # The claims stay readable: the tab no longer scrolls as a whole (issue 12: three nested
    # scroll areas), so the checks and the claims must be inside the window, the claims
    # table with rows of its own in view (it scrolls itself).
    top_left = view.splitter.mapTo(window, view.splitter.rect().topLeft())
    assert top_left.y() + view.splitter.height() <= window.height()
    table = view.claims_table
    assert table.viewport().height() >= 3 * table.rowHeight(0), table.viewport().height()


def test_settings_has_a_keyboard_shortcut(main_window: Any) -> None:
    shortcuts = main_window.window.settings_action.shortcuts()
    assert shortcuts
    assert not shortcuts[0].isEmpty()
    native = QKeySequence.keyBindings(QKeySequence.StandardKey.Preferences)
    assert shortcuts == (native or [QKeySequence("Ctrl+,")])


def test_mailbox_times_read_like_the_rest_of_the_window() -> None:
    shown = _time_text("2026-11-27T05:36:22.123Z")
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \S.*", shown), shown
    assert _time_text("not a time") == "not a time"


def test_progress_bar_after_cancel_counts_only_what_was_sent(qtbot, bus, ctx) -> None:
    activity = ActivityPanel(ctx, bus)
    qtbot.addWidget(activity)
    progress = bulk_progress(bus)
    progress.begin("Revoking 3 sessions", 3, lambda: None)
    progress.advance(ActionResult("sess-a", True, "revoked", "revoked"))
    progress.advance(
        ActionResult("sess-b", False, "cancelled before it was sent", "active", Outcome.CANCELLED)
    )
    progress.advance(
        ActionResult("sess-c", False, "cancelled before it was sent", "active", Outcome.CANCELLED)
    )
    progress.end("1 of 3 revoked, 2 cancelled", False)
    assert activity.bar.value() == 1
    assert activity.bar.text() == "1 of 3 (2 cancelled)"


def test_after_a_bulk_revoke_revoke_is_enabled_again_and_already_ended_are_named(
    qtbot, fresh_window, run_async
) -> None:
    panel = fresh_window.controller.panels["sessions"]
    actions = fresh_window.controller.panels["actions"]
    rows = _active_rows(panel, 2)
    model = panel.table.selectionModel()
    for row in rows:
        model.select(
            panel.model.index(row, 0), model.SelectionFlag.Select | model.SelectionFlag.Rows
        )
    ids = panel.selected_ids()
    assert len(ids) == 2
    actions.runner.start("revoke", actions.revoke_many(ids))
    qtbot.waitUntil(lambda: not actions.runner.is_running("revoke"), timeout=20_000)
    assert panel.message.text() == "2 of 2 revoked"
    assert panel.selected_ids() == ids  # the selection did not change…
    assert actions.revoke.isEnabled()  # …and Revoke works again without reselecting
    actions.runner.start("revoke", actions.revoke_many(ids))
    qtbot.waitUntil(lambda: not actions.runner.is_running("revoke"), timeout=20_000)
    assert panel.message.text() == "0 of 2 revoked, 2 already ended"
    assert actions.revoke.isEnabled()


def test_tab_walks_the_window_in_screen_order_and_leaves_the_table(
    qtbot: Any, main_window: Any
) -> None:
    window = main_window.window
    combo = window.switcher.findChild(QComboBox)
    assert combo is not None
    combo.setFocus()
    qtbot.waitUntil(lambda: window.focusWidget() is combo, timeout=2000)
    names: list[str] = []
    for _ in range(20):
        qtbot.keyClick(window.focusWidget(), Qt.Key.Key_Tab)
        focused = window.focusWidget()
        names.append(focused.accessibleName() or type(focused).__name__)
        if focused is combo:
            break
    # the table used to swallow Tab cell by cell; the activity strip came before the tabs
    assert names[:4] == ["Search sessions", "Status filter", "App filter", "Sessions"]
    assert names[4] == "QTabBar"  # the detail tabs, then the Token tab's controls
    assert names[5] == "Text to inspect"
    assert names.index("Recent actions") > names.index("Redact")
    assert names[-1] == "Environment", names  # and round again


def test_paste_button_is_read_with_its_ampersand(main_window: Any) -> None:
    assert main_window.inspector.view.paste_button.accessibleName() == "Paste & inspect"


def test_revoke_user_asks_in_its_field_and_never_shows_the_email_while_redacting(
    qtbot: Any, main_window: Any
) -> None:
    panel = main_window.controller.panels["sessions"]
    actions = main_window.controller.panels["actions"]
    row = next(r for r in range(panel.model.rowCount()) if panel.model.record_at(r).email)
    panel.select_row(row)
    email = panel.model.record_at(row).email
    main_window.bus.set_redaction(True)
    actions.revoke_user_of_selected()
    dialog = actions.dialog
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible, timeout=2000)
    try:
        assert dialog.focusWidget() is dialog.typed  # not Cancel
        for text in (dialog.intro.text(), dialog.typed.placeholderText(), dialog.typed.toolTip()):
            assert email not in text
        assert not dialog.ok_button.isEnabled()
        qtbot.keyClicks(dialog.typed, email)
        assert dialog.ok_button.isEnabled()  # the real email still confirms
    finally:
        dialog.reject()
        main_window.bus.set_redaction(False)


def test_prefilled_email_of_magic_link_is_hidden_while_redacting(
    qtbot: Any, main_window: Any
) -> None:
    panel = main_window.controller.panels["sessions"]
    actions = main_window.controller.panels["actions"]
    row = next(r for r in range(panel.model.rowCount()) if panel.model.record_at(r).email)
    panel.select_row(row)
    main_window.bus.set_redaction(True)
    actions.send_magic_link()
    dialog = actions.dialog
    assert dialog is not None
    try:
        assert dialog.email.text() == panel.model.record_at(row).email  # sent as it is
        assert dialog.email.echoMode() != QLineEdit.EchoMode.Normal  # but not shown
    finally:
        dialog.reject()
        main_window.bus.set_redaction(False)


def test_a_link_completed_from_the_mailbox_replaces_the_sent_line(main_window: Any) -> None:
    panel = main_window.controller.panels["sessions"]
    actions = main_window.controller.panels["actions"]
    panel.show_result("Magic link sent to ann.lee@example.com; opening it adds the factor", True)
    actions.flow.completed.emit("sess-1", True, "factor added: new factors eml, mfa")
    assert panel.message.text() == "factor added: new factors eml, mfa"
    actions.flow.completed.emit("sess-1", False, "not completed: Invalid magic link code")
    assert panel.message.property("ok") is False


def test_decision_title_follows_a_switch_to_a_dark_palette(qtbot, bus, ctx) -> None:
    from PySide6.QtGui import QColor, QPalette
    from PySide6.QtWidgets import QApplication

    view = SessionDetailsView(ctx, bus)
    qtbot.addWidget(view)
    view.show_session("sess-0000000")
    view.show()
    original = QApplication.palette()
    dark = QPalette(original)
    dark.setColor(QPalette.ColorRole.Window, QColor("#1f2328"))
    dark.setColor(QPalette.ColorRole.WindowText, QColor("#e6edf3"))
    try:
        QApplication.setPalette(dark)
        qtbot.waitUntil(
            lambda: (
                view.decision_title.palette().color(QPalette.ColorRole.WindowText).lightness() > 128
            ),
            timeout=2000,
        )
        assert view.decision_title.font().bold()
    finally:
        QApplication.setPalette(original)


def test_ctrl_v_in_the_paste_field_still_inspects_while_redacting(
    qtbot: Any,
    main_window: Any,
    token_response: dict[str, Any],  # noqa: F811
) -> None:
    from PySide6.QtWidgets import QApplication

    inspector = main_window.inspector
    edit = inspector.view.paste_edit
    main_window.bus.set_redaction(True)
    try:
        assert edit.isReadOnly()  # it shows a masked copy
        qtbot.keyClicks(edit, "abc")
        assert "Redaction is on" in inspector.view.status.text()
        QApplication.clipboard().setText(token_response["access_token"])
        with qtbot.waitSignal(inspector.inspected, timeout=10_000):
            qtbot.keyClick(edit, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
        assert inspector.text == token_response["access_token"]
        assert token_response["access_token"] not in edit.toPlainText()  # masked on screen
    finally:
        main_window.bus.set_redaction(False)


def test_a_failed_action_is_named_in_the_activity_panel_like_a_successful_one(
    qtbot: Any, main_window: Any
) -> None:
    actions = main_window.controller.panels["actions"]
    activity = main_window.controller.panels["activity"]
    panel = main_window.controller.panels["sessions"]

    async def fails() -> None:
        raise RuntimeError("no client secret")

    actions._start("sync", fails())
    qtbot.waitUntil(lambda: activity.recent_rows() > 0, timeout=5000)
    assert activity.recent_text(0, 1) == "Sync user"
    assert activity.recent_rows() == 1  # reported once, not twice
    assert panel.message.property("ok") is False
