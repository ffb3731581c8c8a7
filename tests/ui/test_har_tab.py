"""The HAR tab in the real window over the real sandbox: open a capture of real logins, see its
sessions alive, revoke them, save a sanitized copy; redaction hides every planted secret;
bad files get one sentence; a large capture is read without freezing and can be cancelled."""

from __future__ import annotations

import json
import os
import stat
import time
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QTimer, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QGuiApplication
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QFileDialog,
    QLabel,
    QLineEdit,
    QTabBar,
    QWidget,
)

from tests.core.har.generate import write_large_har
from tests.support.har_files import login_capture, sandbox_login, secrets_of, write_capture
from tests.support.sandbox_admin import SandboxAdmin
from tests.ui.conftest import WindowUnderTest
from transmit_admin.sandbox.runner import SandboxInfo
from transmit_admin.ui.har import HarController
from transmit_admin.ui.har.controller import documents_folder
from transmit_admin.ui.har.dialogs import RevokeCaptureDialog


@pytest.fixture
def logins(sandbox: SandboxInfo) -> Iterator[tuple[list[dict[str, Any]], list[str]]]:
    with SandboxAdmin(sandbox) as admin:
        users = admin.active_users()[:2]
        yield [sandbox_login(admin, u["email"]) for u in users], [u["email"] for u in users]


def _har(window: WindowUnderTest) -> HarController:
    controller = window.controller.har
    assert controller is not None
    return controller


def _open(qtbot: Any, har: HarController, path: Path, timeout: int = 15000) -> None:
    with qtbot.waitSignal(har.shown, timeout=timeout):
        har.open_path(str(path))


def _visible_texts(root: QWidget) -> list[str]:
    """Every text a person can see in the window: labels, buttons, fields, tab titles, tool
    tips, and the cells (and their tool tips) of every table and list."""
    texts = [root.windowTitle()]
    for widget in [root, *root.findChildren(QWidget)]:
        if not widget.isVisible():
            continue
        texts.append(widget.toolTip())
        if isinstance(widget, QLabel | QAbstractButton | QLineEdit):
            texts.append(widget.text())
        if isinstance(widget, QTabBar):
            texts += [widget.tabText(i) for i in range(widget.count())]
        if isinstance(widget, QAbstractItemView) and widget.model() is not None:
            model = widget.model()
            for row in range(min(model.rowCount(), 300)):
                for column in range(model.columnCount()):
                    index = model.index(row, column)
                    for role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
                        value = model.data(index, role)
                        if isinstance(value, str):
                            texts.append(value)
    return texts


def test_open_revoke_and_export_a_capture(
    qtbot: Any,
    main_window: WindowUnderTest,
    logins: tuple[list[dict[str, Any]], list[str]],
    tmp_path: Path,
) -> None:
    responses, emails = logins
    path = write_capture(
        tmp_path / "ticket.har", login_capture(responses, base_url=main_window.info.base_url)
    )
    har = _har(main_window)
    view = har.view
    _open(qtbot, har, path)

    assert view.sessions.rows.rowCount() == 2
    statuses = [view.sessions.rows.text(r, 1) for r in range(2)]
    assert statuses == ["alive", "alive"]
    assert view.secrets.rows.rowCount() >= 6  # 2 × (access, id, refresh, session, cookie) + code…
    assert "401" in view.message.text()  # where the flow failed, in words
    assert "invalid_grant" in view.message.text()
    timeline = [view.timeline.rows.text(r, 3) for r in range(view.timeline.rows.rowCount())]
    assert any("/oidc/token" in t for t in timeline)
    assert view.revoke_button.isEnabled()

    qtbot.mouseClick(view.revoke_button, Qt.MouseButton.LeftButton)
    dialog = har.dialog
    assert isinstance(dialog, RevokeCaptureDialog)  # two sessions: asked first
    with qtbot.waitSignal(har.shown, timeout=15000):
        dialog.accept()
    env = main_window.runtime.current.environment.name
    for response in responses:
        record = main_window.runtime.current.store.get_session(env, response["session_id"])
        assert record is not None
        assert record.status == "revoked"
    done = [view.sessions.rows.text(r, 5) for r in range(2)]
    assert all(text.startswith("revoked") for text in done), done
    assert not view.revoke_button.isEnabled()

    qtbot.mouseClick(view.report_button, Qt.MouseButton.LeftButton)
    report = QGuiApplication.clipboard().text()
    assert "### What failed" in report
    assert report.count("| revoked: ") == 2
    for text in [*secrets_of(responses), *emails]:  # redacted, whatever the window's mode
        assert text not in report

    har.export_dialog()
    save = har.dialog
    assert isinstance(save, QFileDialog)
    assert Path(save.directory().absolutePath()) == Path(documents_folder())
    assert save.selectedFiles()[0].endswith("ticket.sanitized.har")
    save.reject()
    out = tmp_path / "out" / "ticket.sanitized.har"
    out.parent.mkdir()
    with qtbot.waitSignal(har.shown, timeout=15000):
        har.export_to(str(out))
    assert "Saved a sanitized copy" in view.message.text()
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o600
    data = out.read_bytes()
    assert len(json.loads(data)["log"]["entries"]) == 4
    for secret in secrets_of(responses):
        assert secret.encode() not in data


def test_nothing_secret_is_visible_while_redacting(
    qtbot: Any,
    main_window: WindowUnderTest,
    logins: tuple[list[dict[str, Any]], list[str]],
    tmp_path: Path,
) -> None:
    responses, emails = logins
    path = write_capture(
        tmp_path / "ticket.har", login_capture(responses, base_url=main_window.info.base_url)
    )
    main_window.bus.set_redaction(True)
    har = _har(main_window)
    main_window.window.tabs.setCurrentWidget(har.view)
    user_ids = [json.loads(_payload(r["id_token"]))["sub"] for r in responses]
    planted = [*secrets_of(responses), *emails, *user_ids]
    for tab in range(har.view.result_tabs.count()):  # each result table in turn on screen
        if tab == 0:
            _open(qtbot, har, path)
        har.view.result_tabs.setCurrentIndex(tab)
        shown = "\n".join(_visible_texts(main_window.window))
        assert har.view.sessions.rows.rowCount() == 2
        for secret in planted:
            assert secret not in shown, f"{secret[:6]}… visible on tab {tab}"
    har.view.result_tabs.setCurrentIndex(0)
    qtbot.mouseClick(har.view.revoke_button, Qt.MouseButton.LeftButton)
    dialog = har.dialog
    assert isinstance(dialog, RevokeCaptureDialog)
    with qtbot.waitSignal(har.shown, timeout=15000):
        dialog.accept()
    qtbot.wait(300)  # the session table and the activity panel take the new rows
    shown = "\n".join(_visible_texts(main_window.window))
    assert "Revoked 2 of 2" in shown
    for secret in planted:  # the revoked sessions are in the session table now, masked
        assert secret not in shown, f"{secret[:6]}… visible after the revoke"
    main_window.bus.set_redaction(False)  # the same walk finds the emails once it is off
    har.view.result_tabs.setCurrentIndex(0)
    shown = "\n".join(_visible_texts(main_window.window))
    assert emails[0] in shown


def _payload(token: str) -> str:
    import base64

    part = token.split(".")[1]
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)).decode()


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"", "empty"),
        (b"<html><body>Login</body></html>", "not"),
        (b'{"log": {"version": "1.2", "entries": [{"startedDateTime": "2026-', "cut short"),
        (b'{"name": "package.json", "version": "1.0.0"}', "HAR"),
    ],
    ids=["zero-bytes", "web-page", "truncated", "other-json"],
)
def test_bad_files_get_one_sentence(
    qtbot: Any, main_window: WindowUnderTest, tmp_path: Path, content: bytes, words: str
) -> None:
    path = tmp_path / "bad.har"
    path.write_bytes(content)
    har = _har(main_window)
    _open(qtbot, har, path)
    text = har.view.message.text()
    assert "Traceback" not in text
    assert "\n" not in text.strip()
    assert text.strip().endswith(".")
    assert words.lower() in text.lower(), text
    assert har.intake is None
    assert har.view.pages.currentWidget() is har.view.hint


def test_a_dropped_file_opens_in_the_har_tab(
    qtbot: Any,
    main_window: WindowUnderTest,
    logins: tuple[list[dict[str, Any]], list[str]],
    tmp_path: Path,
) -> None:
    responses, _ = logins
    path = write_capture(
        tmp_path / "dropped.har", login_capture(responses, base_url=main_window.info.base_url)
    )
    har = _har(main_window)
    window = main_window.window
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    drop = QDropEvent(
        QPointF(40, 40),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    with warnings.catch_warnings():  # its only constructor takes a QPoint, marked deprecated
        warnings.simplefilter("ignore", DeprecationWarning)
        enter = QDragEnterEvent(
            QPoint(40, 40),
            Qt.DropAction.CopyAction,
            mime,
            Qt.MouseButton.LeftButton,
            Qt.KeyboardModifier.NoModifier,
        )
    # Handed to the window's filter as Qt hands them over in a real drag (a synthetic Drop
    # sent with sendEvent is discarded by Qt when no drag is in progress).
    assert window.acceptDrops()
    assert har.eventFilter(window, enter)
    assert enter.isAccepted()
    with qtbot.waitSignal(har.shown, timeout=15000):
        assert har.eventFilter(window, drop)
    assert window.tabs.currentWidget() is har.view
    assert har.intake is not None
    assert har.intake.name == "dropped.har"


def test_a_large_capture_reads_without_freezing_and_cancels(
    qtbot: Any, main_window: WindowUnderTest, tmp_path: Path
) -> None:
    path = tmp_path / "large.har"
    write_large_har(path, 40 * 1024 * 1024)
    har = _har(main_window)
    main_window.window.tabs.setCurrentWidget(har.view)
    gaps: list[float] = []
    last = [time.perf_counter()]

    def tick() -> None:
        now = time.perf_counter()
        gaps.append(now - last[0])
        last[0] = now

    timer = QTimer()
    timer.timeout.connect(tick)
    timer.start(20)
    try:
        har.open_path(str(path))
        assert har.view.cancel_button.isVisible()
        qtbot.waitUntil(lambda: har.view.progress.value() >= 5, timeout=20000)
        with qtbot.waitSignal(har.shown, timeout=15000):
            qtbot.mouseClick(har.view.cancel_button, Qt.MouseButton.LeftButton)
    finally:
        timer.stop()
    assert "cancelled" in har.view.message.text()
    assert not har.view.cancel_button.isVisible()
    assert har.view.open_button.isEnabled()
    assert max(gaps) < 0.5, f"the window froze for {max(gaps):.2f} s"
    _open(qtbot, har, path, timeout=60000)  # and read to the end, it works
    assert har.intake is not None
    assert har.view.progress.isHidden()
    secrets = len(har.intake.analysis.inventory)
    assert secrets > 150  # laid out in a worker thread, then shown
    qtbot.waitUntil(lambda: har.view.secrets.rows.rowCount() == secrets, timeout=10000)
    main_window.bus.set_redaction(True)  # re-laid out: emptied at once, then masked
    assert har.view.secrets.rows.rowCount() == 0
    qtbot.waitUntil(lambda: har.view.secrets.rows.rowCount() == secrets, timeout=10000)
    main_window.bus.set_redaction(False)


def test_cancel_before_the_first_entry_stops_the_read(
    qtbot: Any,
    main_window: WindowUnderTest,
    logins: tuple[list[dict[str, Any]], list[str]],
    tmp_path: Path,
) -> None:
    responses, _ = logins
    path = write_capture(
        tmp_path / "t.har", login_capture(responses, base_url=main_window.info.base_url)
    )
    har = _har(main_window)
    har.open_path(str(path))  # the first step awaits the environment's keys
    with qtbot.waitSignal(har.shown, timeout=15000):
        har.cancel()
    assert har.view.message.text() == "Cancelled."
    assert har.intake is None
    assert har.view.open_button.isEnabled()
    _open(qtbot, har, path)  # a cancelled read leaves nothing behind: the next one works
    assert har.intake is not None


def test_production_asks_for_the_environments_name(qtbot: Any) -> None:
    dialog = RevokeCaptureDialog(3, "acme-production", True)
    qtbot.addWidget(dialog)
    assert "PRODUCTION" in dialog.intro.text()
    assert not dialog.ok_button.isEnabled()
    qtbot.keyClicks(dialog.typed, "acme-prod")
    assert not dialog.ok_button.isEnabled()
    qtbot.keyClicks(dialog.typed, "uction")
    assert dialog.ok_button.isEnabled()
    staging = RevokeCaptureDialog(2, "staging", False)
    qtbot.addWidget(staging)
    assert staging.ok_button.isEnabled()
    assert staging.typed.isHidden()


def test_a_bare_session_id_asks_for_its_owner(
    qtbot: Any,
    main_window: WindowUnderTest,
    logins: tuple[list[dict[str, Any]], list[str]],
    tmp_path: Path,
) -> None:
    responses, emails = logins
    bare = {"session_id": responses[0]["session_id"]}
    path = write_capture(
        tmp_path / "bare.har", login_capture([bare], base_url=main_window.info.base_url)
    )
    har = _har(main_window)
    _open(qtbot, har, path)
    status = har.view.sessions.rows.text(0, 1)
    assert status.startswith("no owner")
    assert "email" in status
    assert not har.view.revoke_button.isEnabled()
    qtbot.keyClicks(har.view.owner_email, emails[0])
    with qtbot.waitSignal(har.shown, timeout=15000):
        qtbot.mouseClick(har.view.check_button, Qt.MouseButton.LeftButton)
    assert har.view.sessions.rows.text(0, 1) == "alive"
    assert har.view.sessions.rows.text(0, 0) == emails[0]
    assert har.view.revoke_button.isEnabled()
