"""Issue 12 items 13, 14: the window at everyday sizes."""

from __future__ import annotations

import dataclasses
from typing import Any

from PySide6.QtCore import QPoint, QRect
from PySide6.QtWidgets import QScrollArea, QWidget

from transmit_admin.ui.main_window import MINIMUM_SIZE
from transmit_admin.ui.sessions.model import COL_APP, COL_FACTORS


def _fully_inside(widget: QWidget, window: QWidget) -> bool:
    top_left = widget.mapTo(window, QPoint(0, 0))
    return window.rect().contains(QRect(top_left, widget.size()))


def _inspect(qtbot: Any, under_test: Any, text: str) -> Any:
    with qtbot.waitSignal(under_test.inspector.inspected, timeout=10_000):
        under_test.inspector.set_text(text)
    qtbot.wait(50)
    return under_test.inspector.view


def test_token_tab_at_1280x800_shows_verdict_failing_check_and_claims(
    qtbot: Any, main_window: Any, sandbox_admin: Any
) -> None:
    window = main_window.window
    window.resize(1280, 800)
    qtbot.waitUntil(lambda: window.size().width() == 1280, timeout=2000)
    user = sandbox_admin.active_users()[0]
    token = sandbox_admin.password_login(user["username"])["access_token"]
    header, payload, signature = token.split(".")
    tampered = f"{header}.{payload}.{signature[:-3]}{'AAA' if signature[-3:] != 'AAA' else 'BBB'}"
    view = _inspect(qtbot, main_window, tampered)
    assert main_window.inspector.report.verdict == "invalid"
    assert not view.findChildren(QScrollArea)  # the tab itself does not scroll
    assert _fully_inside(view.banner, window)
    checks = view.checks
    assert _fully_inside(checks, window)
    first = checks.item(0)
    assert first.text().startswith("signature:")
    assert checks.viewport().rect().contains(checks.visualItemRect(first))
    table = view.claims_table
    assert _fully_inside(table, window)
    visible_rows = table.viewport().height() // table.rowHeight(0)
    assert visible_rows >= 6, f"only {visible_rows} claim rows in view"
    assert table.rowHeight(0) < 2 * table.fontMetrics().height()  # one line, not wrapped


def test_columns_fit_content_toolbar_keeps_actions_and_a_minimum_size(
    qtbot: Any, main_window: Any
) -> None:
    window, ctx = main_window.window, main_window.runtime
    panel = main_window.controller.panels["sessions"]
    window.resize(1600, 900)
    qtbot.waitUntil(lambda: window.size().width() == 1600, timeout=2000)
    app_name = panel.model.index(0, COL_APP).data()
    metrics = panel.table.fontMetrics()
    # The item delegate elides below the text plus its 3 px margin on each side.
    assert panel.table.columnWidth(COL_APP) >= metrics.horizontalAdvance(app_name) + 6
    assert panel.table.columnWidth(COL_FACTORS) > 0

    # Production mode at 1280 px: the marker widens the switcher; every action stays.
    ctx.environment = dataclasses.replace(ctx.current.environment, production=True)
    main_window.controller.environments.show_current()
    window.switcher.production.show()
    window.resize(1280, 800)
    qtbot.waitUntil(lambda: window.size().width() == 1280, timeout=2000)
    qtbot.wait(50)
    toolbar = window.toolbar
    actions = main_window.controller.panels["actions"]
    for action in [window.paste_action, *actions.all_actions()]:
        button = toolbar.widgetForAction(action)
        assert button is not None
        assert button.isVisible(), f"{action.text()} went into the overflow menu"
        assert toolbar.rect().contains(button.geometry()), action.text()
    collapsed = main_window.controller.toolbar_fitter.collapsed()
    for main in (window.paste_action, actions.revoke):  # the most used keep their labels
        assert main not in collapsed

    window.resize(500, 300)
    qtbot.wait(50)
    assert window.width() >= MINIMUM_SIZE[0]
    assert window.height() >= MINIMUM_SIZE[1]
    rows = panel.table.viewport().height() // panel.table.rowHeight(0)
    assert rows >= 5, f"the table shows {rows} rows"
