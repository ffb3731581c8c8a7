"""The main window over the real sandbox: layout, track → row, shortcut, environments, state."""

from __future__ import annotations

import json
from typing import Any

import pytest
from PySide6.QtCore import QByteArray, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QWidget

from tests.support.sandbox_admin import SandboxAdmin
from transmit_admin.core.environment import Environment, Region
from transmit_admin.core.report import Verdict
from transmit_admin.sandbox.runner import SandboxInfo
from transmit_admin.store.environments import SavedEnvironments
from transmit_admin.ui.launch import ui_settings


@pytest.fixture
def token_response(sandbox_admin: SandboxAdmin) -> dict[str, Any]:
    user = sandbox_admin.active_users()[1]
    return sandbox_admin.password_login(user["username"])


def inspect(qtbot: Any, under_test: Any, text: str) -> None:
    with qtbot.waitSignal(under_test.inspector.inspected, timeout=10000):
        under_test.inspector.set_text(text)


def test_window_shows_sandbox_badge_banner_and_all_panels(main_window: Any) -> None:
    window = main_window.window
    assert window.pages.currentWidget() is window.workspace
    assert window.switcher.badge.text() == "SANDBOX"
    assert not window.switcher.production.isVisible()
    assert window.banner.isVisible()
    assert "disposable demo data" in window.banner.label.text()
    titles = [window.tabs.tabText(i) for i in range(window.tabs.count())]
    assert titles == ["Token", "Session", "Mailbox", "HAR"]
    assert window.tabs.isTabVisible(2)  # the mailbox exists only for the sandbox
    sessions = main_window.controller.panels["sessions"]
    assert sessions.model.total() > 0
    toolbar_texts = [a.text().replace("&", "") for a in window.toolbar.actions()]
    assert "Paste  verify" in toolbar_texts or "Paste & verify" in toolbar_texts
    assert len(main_window.controller.panels["actions"].all_actions()) >= 7


def test_every_toolbar_and_menu_action_is_described(main_window: Any) -> None:
    window = main_window.window
    actions = [a for a in window.toolbar.actions() if not a.isSeparator() and a.text()]
    actions += [a for menu in (window.file_menu, window.view_menu) for a in menu.actions()]
    for action in actions:
        if action.isSeparator():
            continue
        assert action.toolTip(), action.text()
    switcher = window.switcher
    for widget in (switcher.combo, switcher.badge, switcher.production):
        assert widget.accessibleName()


def test_paste_token_response_then_track_makes_the_row_appear(
    qtbot: Any, main_window: Any, token_response: dict[str, Any], sandbox_admin: SandboxAdmin
) -> None:
    inspector = main_window.inspector
    sessions = main_window.controller.panels["sessions"]
    session_id = token_response["session_id"]
    assert sessions.model.row_of(session_id) is None
    inspect(qtbot, main_window, json.dumps(token_response))
    view = inspector.view
    assert view.track_button.isVisible()
    assert view.selector.count() == 2  # access and ID token

    with qtbot.waitSignal(main_window.bus.sessions_reloaded, timeout=10000):
        qtbot.mouseClick(view.track_button, Qt.MouseButton.LeftButton)

    qtbot.waitUntil(lambda: sessions.model.row_of(session_id) is not None, timeout=5000)
    assert main_window.runtime.current.store.get_session(
        main_window.runtime.current.environment.name, session_id
    )
    assert "tracked" in view.status.text()
    assert view.open_button.isVisible()
    assert not view.track_button.isVisible()

    with qtbot.waitSignal(main_window.bus.open_session, timeout=2000) as opened:
        qtbot.mouseClick(view.open_button, Qt.MouseButton.LeftButton)
    assert opened.args == [session_id]
    assert main_window.window.tabs.currentWidget() is main_window.controller.panels["details"]


def test_application_shortcut_pastes_the_clipboard_and_inspects(
    qtbot: Any, main_window: Any, token_response: dict[str, Any]
) -> None:
    QGuiApplication.clipboard().setText(token_response["access_token"])
    window = main_window.window
    window.tabs.setCurrentIndex(1)  # the Session tab: the shortcut must bring the Token tab
    sessions = main_window.controller.panels["sessions"]
    sessions.table.setFocus()
    with qtbot.waitSignal(main_window.inspector.inspected, timeout=10000):
        QTest.keyClick(
            sessions.table,
            Qt.Key.Key_V,
            Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
        )
    assert window.tabs.currentWidget() is main_window.inspector.view
    assert main_window.inspector.report is not None
    assert main_window.inspector.report.verdict is Verdict.VALID


def test_redaction_switch_reaches_the_session_table_and_the_inspector(
    qtbot: Any, main_window: Any, token_response: dict[str, Any]
) -> None:
    inspect(qtbot, main_window, token_response["access_token"])
    window = main_window.window
    window.redact_action.trigger()
    assert main_window.bus.redaction_enabled()
    assert main_window.inspector.view.redact_check.isChecked()
    sessions = main_window.controller.panels["sessions"]
    email = sessions.model.record_at(0).email
    if email:
        shown = [
            str(sessions.model.index(0, c).data()) for c in range(sessions.model.columnCount())
        ]
        assert email not in shown
    window.redact_action.trigger()
    assert not main_window.inspector.view.redact_check.isChecked()


def test_switching_environment_never_mixes_sessions(
    qtbot: Any, main_window: Any, sandbox: SandboxInfo
) -> None:
    ctx = main_window.runtime
    sessions = main_window.controller.panels["sessions"]
    sandbox_total = sessions.model.total()
    assert sandbox_total > 0
    other = Environment.from_region(
        "other-tenant",
        Region.CUSTOM,
        sandbox.client_id,
        base_url=sandbox.base_url,
        issuer="https://other.example.com",
        production=True,
    )
    SavedEnvironments(ctx.data_dir).save(other)
    ctx.secrets.set("other-tenant", sandbox.client_secret)
    window = main_window.window
    main_window.controller.environments.show_current()  # the list is re-read after Settings closes

    with qtbot.waitSignal(main_window.bus.environment_changed, timeout=2000):
        window.switcher.chosen.emit("other-tenant")

    assert ctx.current.environment.name == "other-tenant"
    assert ctx.current.store_path.name == "sessions.sqlite"
    assert sessions.model.total() == 0
    assert window.switcher.badge.text() == "CUSTOM"
    assert window.switcher.production.isVisibleTo(window)
    assert "Production" in window.banner.label.text()
    assert not window.tabs.isTabVisible(2)
    assert SavedEnvironments(ctx.data_dir).last_used == "other-tenant"

    window.switcher.chosen.emit("sandbox")
    assert ctx.current.environment.name == "sandbox"
    assert sessions.model.total() == sandbox_total
    assert window.tabs.isTabVisible(2)
    assert SavedEnvironments(ctx.data_dir).last_used is None  # next start: the sandbox


def test_geometry_and_splitters_are_remembered(
    qtbot: Any, make_main_window: Any, sandbox: SandboxInfo
) -> None:
    first = make_main_window(sandbox)
    first.window.resize(760, 560)  # inside the offscreen screen (800 × 600)
    first.window.top_splitter.setSizes([250, 500])
    first.window.close()
    settings = ui_settings(first.data_dir)
    assert isinstance(settings.value("window/geometry"), QByteArray)
    assert isinstance(settings.value("window/top_splitter"), QByteArray)
    saved_sizes = first.window.top_splitter.sizes()

    from transmit_admin.ui.bus import UiBus
    from transmit_admin.ui.main_controller import MainController
    from transmit_admin.ui.main_window import MainWindow

    window = MainWindow()
    qtbot.addWidget(window)
    bus = UiBus()
    controller = MainController(window, bus, ui_settings(first.data_dir), runtime=first.runtime)
    controller.start()
    window.show()
    qtbot.waitExposed(window)
    assert (window.size().width(), window.size().height()) == (760, 560)
    assert window.top_splitter.sizes() == saved_sizes
    window.close()
    bus.deleteLater()


def test_starting_with_a_damaged_store_shows_where_and_what_to_do(
    qtbot: Any, qloop: Any, tmp_path: Any
) -> None:
    from transmit_admin.ui.bus import UiBus
    from transmit_admin.ui.main_controller import MainController
    from transmit_admin.ui.main_window import MainWindow

    env = Environment.from_region("acme", Region.US, "client-1")
    SavedEnvironments(tmp_path).save(env)
    (tmp_path / "sessions.sqlite").write_bytes(b"this is not a database at all" * 100)
    window = MainWindow()
    qtbot.addWidget(window)
    bus = UiBus()
    controller = MainController(
        window, bus, ui_settings(tmp_path), data_dir=tmp_path, env_name="acme"
    )
    window.show()
    with qtbot.waitSignal(controller.failed, timeout=15000) as failed:
        controller.start()
    message = failed.args[0]
    assert "sessions.sqlite" in message
    assert window.pages.currentWidget() is window.message_page
    assert window.message_page.message.text() == message
    assert window.message_page.retry_button.isVisible()
    assert "Traceback" not in message
    assert (tmp_path / "sessions.sqlite").read_bytes().startswith(b"this is not")
    bus.deleteLater()


def test_follows_a_dark_palette(
    qtbot: Any, main_window: Any, token_response: dict[str, Any]
) -> None:
    from PySide6.QtGui import QColor, QPalette
    from PySide6.QtWidgets import QApplication

    from transmit_admin.ui.inspector.render import SEGMENT_COLOURS, VERDICT_COLOURS

    inspect(qtbot, main_window, token_response["access_token"])
    view = main_window.inspector.view
    light_header, dark_header = SEGMENT_COLOURS[0]
    assert light_header in view.segments.toHtml()
    original = QApplication.palette()
    dark = QPalette(original)
    for role, colour in (
        (QPalette.ColorRole.Window, "#1f2328"),
        (QPalette.ColorRole.Base, "#0d1117"),
        (QPalette.ColorRole.Text, "#e6edf3"),
        (QPalette.ColorRole.WindowText, "#e6edf3"),
    ):
        dark.setColor(role, QColor(colour))
    try:
        QApplication.setPalette(dark)
        qtbot.waitUntil(lambda: dark_header in view.segments.toHtml(), timeout=3000)
        assert VERDICT_COLOURS[Verdict.VALID][1] in view.banner.styleSheet()
    finally:
        QApplication.setPalette(original)
    qtbot.waitUntil(lambda: light_header in view.segments.toHtml(), timeout=3000)


@pytest.mark.slow
def test_choosing_sandbox_from_a_real_environment_starts_it_and_stops_it_on_close(
    qtbot: Any, qloop: Any, tmp_path: Any, run_async: Any
) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from transmit_admin.app import build_runtime
    from transmit_admin.store.secrets import SecretStore
    from transmit_admin.ui.bus import UiBus
    from transmit_admin.ui.main_controller import MainController
    from transmit_admin.ui.main_window import MainWindow

    SavedEnvironments(tmp_path).save(Environment.from_region("acme", Region.US, "client-1"))
    with ThreadPoolExecutor(1) as pool:
        ctx = pool.submit(
            lambda: build_runtime(tmp_path, "acme", secrets=SecretStore.in_memory())
        ).result()
    window = MainWindow()
    qtbot.addWidget(window)
    bus = UiBus()
    controller = MainController(window, bus, ui_settings(tmp_path), runtime=ctx)
    controller.start()
    window.show()
    assert "No client secret" in window.banner.label.text()
    assert window.switcher.combo.findData("sandbox") >= 0
    sessions = controller.panels["sessions"]
    assert sessions.model.total() == 0

    with qtbot.waitSignal(bus.environment_changed, timeout=60000):
        window.switcher.chosen.emit("sandbox")

    assert ctx.current.is_sandbox
    assert ctx.sandbox is not None
    process = ctx.sandbox.process
    assert sessions.model.total() > 0
    assert window.switcher.badge.text() == "SANDBOX"
    window.close()
    run_async(controller.aclose())
    assert process.poll() is not None  # the child is gone with the window
    bus.deleteLater()


def test_every_visible_control_has_a_tooltip_and_an_accessible_name(
    qtbot: Any, main_window: Any, token_response: dict[str, Any]
) -> None:
    from PySide6.QtWidgets import (
        QAbstractButton,
        QAbstractItemView,
        QAbstractSpinBox,
        QComboBox,
        QHeaderView,
        QLineEdit,
        QPlainTextEdit,
        QTextEdit,
    )

    inspect(qtbot, main_window, json.dumps(token_response))
    controls = (
        QAbstractButton,
        QAbstractItemView,
        QAbstractSpinBox,
        QComboBox,
        QLineEdit,
        QPlainTextEdit,
        QTextEdit,
    )
    window = main_window.window
    missing = []
    for widget in window.findChildren(QWidget):
        if not isinstance(widget, controls) or not widget.isVisibleTo(window):
            continue
        if type(widget).__name__ in {"QToolButton"} and widget.defaultAction() is not None:
            continue  # a toolbar button: its action carries the tooltip and the name
        if isinstance(widget, QHeaderView) or isinstance(widget.parent(), QComboBox):
            continue  # part of a described table or combo box
        if not widget.toolTip() or not widget.accessibleName():
            missing.append(f"{type(widget).__name__} {widget.objectName()!r}")
    assert missing == []


def test_settings_from_the_menu_add_an_environment_to_the_switcher(
    qtbot: Any, main_window: Any, sandbox: SandboxInfo
) -> None:
    window = main_window.window
    window.settings_action.trigger()
    dialog = main_window.controller.settings_dialog
    assert dialog is not None
    qtbot.waitExposed(dialog)
    assert window.tabs.isEnabled()  # not a nested event loop: the window keeps working
    form = dialog.form
    form.name.setText("staging")
    form.region.setCurrentIndex(form.region.findData(str(Region.US)))
    form.client_id.setText("client-staging")
    form.client_secret.setText("staging-secret-value")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.error.text() == ""
    dialog.close()
    qtbot.waitUntil(lambda: main_window.controller.settings_dialog is None, timeout=2000)
    assert window.switcher.combo.findData("staging") >= 0
    assert main_window.runtime.secrets.get("staging") == "staging-secret-value"


def test_about_box_names_the_version_and_the_data_folder(qtbot: Any, main_window: Any) -> None:
    from PySide6.QtWidgets import QApplication, QMessageBox

    main_window.window.about_action.trigger()
    boxes = [w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox)]
    assert len(boxes) == 1
    assert str(main_window.data_dir) in boxes[0].text()
    boxes[0].close()
