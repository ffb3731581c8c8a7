"""Issue 12 item 12: activity and audit lines name the user and the session, not bare ids."""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path
from typing import Any

from transmit_admin.core.redact import mask_email, mask_id
from transmit_admin.ui.activity import _write_audit
from transmit_admin.ui.sessions.model import COL_STATUS


def _row_with_email(panel: Any) -> int:
    model = panel.model
    for row in range(model.rowCount()):
        record = model.record_at(row)
        if record.email and model.index(row, COL_STATUS).data() == "active":
            return row
    raise AssertionError("no active session with an email in the demo store")


def test_lines_name_the_email_and_the_short_session_id(
    qtbot: Any,
    make_main_window: Callable[..., Any],
    fresh_sandbox: Callable[..., Any],
    tmp_path: Path,
) -> None:
    under_test = make_main_window(fresh_sandbox(users=3, sessions=15, seed=5))
    panel = under_test.controller.panels["sessions"]
    actions = under_test.controller.panels["actions"]
    activity = under_test.controller.panels["activity"]
    store, env = under_test.runtime.current.store, under_test.runtime.current.environment.name
    row = _row_with_email(panel)
    record = panel.model.record_at(row)
    panel.select_row(row)
    # An entry written before entries named their user: the table looks it up.
    store.audit("note", target=record.session_id, outcome="ok", detail="old", environment=env)
    actions.revoke.trigger()
    qtbot.waitUntil(lambda: panel.model.status_of(record.session_id) == "revoked", timeout=10_000)
    line = activity.recent_text(0, 2)
    assert record.email in line
    assert f"session {mask_id(record.session_id)}" in line
    assert record.email in panel.message.text()

    under_test.bus.set_redaction(True)
    masked = activity.recent_text(0, 2)
    assert record.email not in masked
    assert mask_email(record.email) in masked

    under_test.bus.set_redaction(False)
    activity.tabs.setCurrentIndex(1)
    header = activity.audit.headerItem()
    columns = [header.text(c) for c in range(activity.audit.columnCount())]
    user_column = columns.index("User")
    newest, older = activity.audit.topLevelItem(0), activity.audit.topLevelItem(1)
    assert newest.text(2) == "revoke"
    assert newest.text(user_column) == record.email
    assert older.text(2) == "note"
    assert older.text(user_column) == record.email  # looked up from the session's record
    entry = next(store.iter_audit(limit=1))
    assert entry.user_email == record.email  # recorded with the new entry itself

    target = tmp_path / "audit.csv"
    _write_audit(store, target, "csv")
    rows = list(csv.DictReader(target.read_text(encoding="utf-8").splitlines()))
    assert [r["user_email"] for r in rows if r["action"] == "revoke"] == [record.email]
