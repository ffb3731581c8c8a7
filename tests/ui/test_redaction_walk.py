"""Issue 12 item 10: with redaction on, no widget of the window shows a planted secret."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

from PySide6.QtCore import QAbstractItemModel, QModelIndex, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QComboBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QTextEdit,
    QWidget,
)

from tests.support.sandbox_admin import SandboxAdmin

ROLES = (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole)
MAX_ROWS = 200  # the rows a user could scroll to quickly; the table is lazy beyond


def _count(method: Callable[[QModelIndex], int], parent: QModelIndex) -> int:
    try:
        return method(parent)
    except TypeError:  # a list model's columnCount is private in PySide6: one column
        return 0 if parent.isValid() else 1


def _model_texts(model: QAbstractItemModel, parent: QModelIndex, depth: int = 0) -> Iterator[str]:
    for row in range(min(_count(model.rowCount, parent), MAX_ROWS)):
        for column in range(_count(model.columnCount, parent)):
            index = model.index(row, column, parent)
            for role in ROLES:
                value = model.data(index, role)
                if isinstance(value, str):
                    yield value
            if depth < 3 and column == 0 and _count(model.rowCount, index) > 0:
                yield from _model_texts(model, index, depth + 1)


def _widget_texts(widget: QWidget) -> Iterator[tuple[str, str]]:
    name = f"{type(widget).__name__}({widget.objectName() or widget.accessibleName()!r})"
    texts: list[str] = [widget.toolTip(), widget.accessibleName(), widget.accessibleDescription()]
    if isinstance(widget, QLabel | QAbstractButton | QLineEdit):
        texts.append(widget.text())
    if isinstance(widget, QLineEdit):
        texts.append(widget.displayText())
    if isinstance(widget, QPlainTextEdit | QTextEdit):
        texts.append(widget.toPlainText())
    if isinstance(widget, QComboBox):
        texts += [widget.itemText(i) for i in range(widget.count())]
    if isinstance(widget, QAbstractItemView) and widget.model() is not None:
        texts += list(_model_texts(widget.model(), QModelIndex()))
    if widget.isWindow():
        texts.append(widget.windowTitle())
    for text in texts:
        if text:
            yield name, text


def _leaks(window: QWidget, secrets: dict[str, str]) -> list[str]:
    found = []
    for widget in [window, *window.findChildren(QWidget)]:
        if not widget.isVisible():
            continue
        if isinstance(widget, QLineEdit) and widget.echoMode() != QLineEdit.EchoMode.Normal:
            continue  # dots on screen
        for name, text in _widget_texts(widget):
            for what, secret in secrets.items():
                if secret in text:
                    found.append(f"{what} in {name}: {text[:120]!r}")
    return found


def test_nothing_unmasked_anywhere_while_redacting(
    qtbot: Any, make_main_window: Callable[..., Any], fresh_sandbox: Callable[..., Any]
) -> None:
    under_test = make_main_window(fresh_sandbox(users=3, sessions=12, seed=10))
    window, bus, inspector = under_test.window, under_test.bus, under_test.inspector
    with SandboxAdmin(under_test.info) as admin:
        user = admin.active_users()[0]
        response = admin.password_login(user["username"])
    secrets = {
        "session id": response["session_id"],
        "access token": response["access_token"],
        "id token": response["id_token"],
        "refresh token": response["refresh_token"],
        "signature": response["access_token"].rsplit(".", 1)[1],
        "user id": user["user_id"],
        "email": user["email"],
    }
    bus.set_redaction(True)
    with qtbot.waitSignal(inspector.inspected, timeout=10_000):
        inspector.set_text(json.dumps(response))
    with qtbot.waitSignal(bus.sessions_reloaded, timeout=10_000):
        inspector.track()
    qtbot.waitUntil(lambda: inspector.tracked_session_id is not None, timeout=5000)
    leaks: list[str] = []
    for index in range(inspector.view.selector.count()):  # the access and the ID token
        inspector.view.selector.setCurrentIndex(index)
        for tab in range(inspector.view.details.count()):  # claims, header, raw JSON
            inspector.view.details.setCurrentIndex(tab)
            qtbot.wait(10)
            leaks += _leaks(window, secrets)
    bus.open_session.emit(response["session_id"])  # the Session tab and the table row
    actions = under_test.controller.panels["actions"]
    actions.check_alive.trigger()  # one more line in the timeline, activity and audit
    panel = under_test.controller.panels["sessions"]
    qtbot.waitUntil(lambda: panel.message.isVisible(), timeout=10_000)
    activity = under_test.controller.panels["activity"]
    for audit_shown in (False, True):
        activity.tabs.setCurrentIndex(int(audit_shown))
        qtbot.wait(50)
        for tab in range(window.tabs.count()):
            if window.tabs.isTabVisible(tab):
                window.tabs.setCurrentIndex(tab)
                qtbot.wait(10)
                leaks += _leaks(window, secrets)
    assert not leaks, "\n".join(sorted(set(leaks)))
    # The walk does find them when redaction is off (the test can fail).
    bus.set_redaction(False)
    window.tabs.setCurrentIndex(0)
    qtbot.wait(10)
    assert _leaks(window, secrets)
