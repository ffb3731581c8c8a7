"""Issue 12 item 5: switching environment leaves none of the previous one's panels behind."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QItemSelectionModel

from transmit_admin.core.environment import Environment, Region
from transmit_admin.store.environments import SavedEnvironments
from transmit_admin.ui.sessions.model import COL_STATUS


def test_switch_clears_the_audit_rows_and_the_bulk_line(
    qtbot: Any, make_main_window: Callable[..., Any], fresh_sandbox: Callable[..., Any]
) -> None:
    under_test = make_main_window(fresh_sandbox(users=3, sessions=20, seed=8))
    ctx, window = under_test.runtime, under_test.window
    panel = under_test.controller.panels["sessions"]
    actions = under_test.controller.panels["actions"]
    activity = under_test.controller.panels["activity"]
    model = panel.model
    rows = [r for r in range(model.rowCount()) if model.index(r, COL_STATUS).data() == "active"]
    rows = rows[:2]
    selection = panel.table.selectionModel()
    for row in rows:
        selection.select(
            panel.model.index(row, 0),
            QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows,
        )
    actions.revoke.trigger()
    actions.dialog.accept()
    qtbot.waitUntil(lambda: "2 of 2 revoked" in activity.bar_label.text(), timeout=10_000)
    assert activity.progress_row.isVisible()
    activity.tabs.setCurrentIndex(1)
    assert activity.audit.topLevelItemCount() >= 2  # the sandbox's revokes

    other = Environment.from_region(
        "other-tenant",
        Region.CUSTOM,
        under_test.info.client_id,
        base_url=under_test.info.base_url,
        issuer="https://other.example.com",
    )
    SavedEnvironments(ctx.data_dir).save(other)
    ctx.secrets.set("other-tenant", under_test.info.client_secret)
    under_test.controller.environments.show_current()
    with qtbot.waitSignal(under_test.bus.environment_changed, timeout=2000):
        window.switcher.chosen.emit("other-tenant")
    assert ctx.current.environment.name == "other-tenant"
    assert activity.audit.topLevelItemCount() == 0  # nothing of the sandbox's log
    activity.tabs.setCurrentIndex(0)
    assert not activity.progress_row.isVisible()
    assert activity.bar_label.text() == ""
