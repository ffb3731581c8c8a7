"""Issue 12 item 15: words, Help, Settings' Test connection and production marker, and the
sandbox environment's own audience and tenant."""

from __future__ import annotations

import json
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from transmit_admin.core.environment import Environment, Region
from transmit_admin.core.report import Status
from transmit_admin.store.environments import SavedEnvironments


def _inspect(qtbot: Any, under_test: Any, text: str) -> Any:
    with qtbot.waitSignal(under_test.inspector.inspected, timeout=10_000):
        under_test.inspector.set_text(text)
    return under_test.inspector


def test_sandbox_tokens_pass_aud_and_tid_and_the_chooser_is_below(
    qtbot: Any, main_window: Any, sandbox_admin: Any
) -> None:
    env = main_window.runtime.current.environment
    assert env.audiences
    assert env.tenant_id
    user = sandbox_admin.active_users()[0]
    response = sandbox_admin.password_login(user["username"])
    inspector = _inspect(qtbot, main_window, response["access_token"])
    report = inspector.report
    assert report.verdict == "valid"
    assert report.check("aud").status is Status.PASS
    assert report.check("tid").status is Status.PASS
    assert not report.warnings, [c.message for c in report.warnings]
    inspector = _inspect(qtbot, main_window, json.dumps(response))
    status = inspector.view.status.text()
    assert "2 tokens found" in status
    assert "above" not in status
    assert "below" in status
    assert inspector.view.selector.y() > inspector.view.status.y()


def test_complete_link_needs_a_session(qtbot: Any, main_window: Any) -> None:
    panel = main_window.controller.panels["sessions"]
    actions = main_window.controller.panels["actions"]
    panel.table.clearSelection()
    qtbot.wait(20)
    assert not actions.complete.isEnabled()
    panel.select_row(0)
    assert actions.complete.isEnabled()


def test_help_lists_the_shortcuts_and_the_docs(qtbot: Any, main_window: Any) -> None:
    window = main_window.window
    texts = [a.text() for a in window.help_menu.actions()]
    assert "&Keyboard shortcuts" in texts
    assert "&Documentation" in texts
    help_menu = main_window.controller.help
    help_menu.shortcuts_action.trigger()
    dialog = help_menu.dialog
    assert dialog is not None
    rows = {
        dialog.table.topLevelItem(i).text(0): dialog.table.topLevelItem(i).text(1)
        for i in range(dialog.table.topLevelItemCount())
    }
    assert rows["Revoke"] == "Del"
    assert rows["Paste & verify"]
    assert "Keyboard shortcuts" in rows
    dialog.reject()
    assert help_menu.docs_action.isEnabled()  # a source checkout has the README


def test_settings_marks_production_and_tests_the_connection(
    qtbot: Any, main_window: Any, sandbox: Any
) -> None:
    ctx = main_window.runtime
    saved = SavedEnvironments(ctx.data_dir)
    for name, production in (("staging", False), ("prod-eu", True)):
        saved.save(
            Environment.from_region(
                name,
                Region.CUSTOM,
                sandbox.client_id,
                base_url=sandbox.base_url,
                issuer=sandbox.issuer,
                jwks_url=sandbox.jwks_url,
                production=production,
            )
        )
    ctx.secrets.set("staging", sandbox.client_secret)
    main_window.controller.open_settings()
    dialog = main_window.controller.settings_dialog
    assert dialog is not None
    try:
        items = [dialog.list.item(i) for i in range(dialog.list.count())]
        shown = {i.data(Qt.ItemDataRole.UserRole): i.text() for i in items}
        assert "PRODUCTION" in shown["prod-eu"]
        assert "PRODUCTION" not in shown["staging"]
        names = [i.data(Qt.ItemDataRole.UserRole) for i in items]
        dialog.list.setCurrentRow(names.index("staging"))
        assert dialog.form.name.text() == "staging"
        qtbot.mouseClick(dialog.test_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: dialog.test_result.text().startswith("Connected"), timeout=10_000)
        dialog.form.client_secret.setText("not-the-secret")
        qtbot.mouseClick(dialog.test_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(
            lambda: dialog.test_result.text().startswith("Not connected"), timeout=15_000
        )
        assert "Traceback" not in dialog.test_result.text()
    finally:
        dialog.reject()
        QApplication.processEvents()
