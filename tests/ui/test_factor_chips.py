"""Issue 12 item 2: a factor just added is never the chip cut off; the rest collapse to "+N"."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QStyleOptionViewItem

from transmit_admin.store.records import EventKind
from transmit_admin.ui.sessions.model import COL_FACTORS, COL_STATUS, FACTORS_ROLE


def _chips(panel: Any, row: int) -> tuple[list[str], int]:
    table = panel.table
    index = panel.model.index(row, COL_FACTORS)
    delegate = table.itemDelegateForColumn(COL_FACTORS)
    option = QStyleOptionViewItem()
    delegate.initStyleOption(option, index)
    option.rect = table.visualRect(index)
    option.fontMetrics = table.fontMetrics()
    shown, hidden = delegate.chips_for(option, index.data(FACTORS_ROLE))
    return shown, hidden


def test_newest_factor_stays_visible_and_the_rest_collapse(
    qtbot: Any, make_main_window: Callable[..., Any], fresh_sandbox: Callable[..., Any]
) -> None:
    under_test = make_main_window(fresh_sandbox(users=3, sessions=20, seed=2))
    panel = under_test.controller.panels["sessions"]
    store, env = under_test.runtime.current.store, under_test.runtime.current.environment.name
    row = next(r for r in range(panel.model.rowCount()) if panel.model.index(r, COL_STATUS).data())
    assert row is not None
    session_id = panel.model.session_id_at(row)
    record = store.get_session(env, session_id)
    store.upsert_session(dataclasses.replace(record, factors=("pwd", "sms", "mfa")))
    panel.table.horizontalHeader().resizeSection(COL_FACTORS, 110)
    # A magic-link factor is added (as the service records it: the session and an event).
    store.upsert_session(dataclasses.replace(record, factors=("pwd", "sms", "mfa", "eml")))
    store.add_event(env, session_id, EventKind.FACTOR_ADDED, "factors added: eml", "test")
    qtbot.waitUntil(
        lambda: panel.model.index(row, COL_FACTORS).data(FACTORS_ROLE)[-1] == "eml",
        timeout=3000,
    )
    shown, hidden = _chips(panel, row)
    assert shown[0] == "eml"
    assert hidden > 0  # four chips do not fit in 110 px
    assert hidden == 4 - len(shown)
    tooltip = panel.model.index(row, COL_FACTORS).data(Qt.ItemDataRole.ToolTipRole)
    for code in ("pwd", "sms", "mfa", "eml"):
        assert code in tooltip
    # Wide enough, every chip shows and none collapses.
    panel.table.horizontalHeader().resizeSection(COL_FACTORS, 400)
    assert _chips(panel, row) == (["eml", "mfa", "sms", "pwd"], 0)
    panel.table.viewport().grab()  # paints the chips (with a "+N" earlier) without error
