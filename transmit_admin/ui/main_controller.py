"""Wires the main window: sets up the run off the GUI thread, places the panels, switches
environments, remembers geometry, and opens Settings and About."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QByteArray, QEvent, QObject, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QMessageBox

from transmit_admin.app import build_runtime
from transmit_admin.ui.bus import UiBus
from transmit_admin.ui.help_menu import HelpMenu
from transmit_admin.ui.main_window import MainWindow
from transmit_admin.ui.tasks import TaskRunner, run_cpu

if TYPE_CHECKING:
    from transmit_admin.app import AppRuntime
    from transmit_admin.ui.environment_controller import EnvironmentController
    from transmit_admin.ui.har import HarController
    from transmit_admin.ui.inspector import InspectorController
    from transmit_admin.ui.interrupted_logouts import InterruptedLogoutCheck
    from transmit_admin.ui.store_watch import StoreWatcher
    from transmit_admin.ui.team_live import TeamLive

log = logging.getLogger(__name__)
SPLITTERS = ("top_splitter", "main_splitter")


def _file_of(store: Any) -> Path | None:
    path = getattr(store, "path", None)
    return path if isinstance(path, Path) else None


class MainController(QObject):
    ready = Signal()  # the run is set up and the work area is shown
    failed = Signal(str)  # the run could not be set up; the message is on screen

    def __init__(
        self,
        window: MainWindow,
        bus: UiBus,
        settings: QSettings,
        *,
        data_dir: str | os.PathLike[str] | None = None,
        env_name: str | None = None,
        runtime: AppRuntime | None = None,
    ) -> None:
        super().__init__(window)
        self.window = window
        self.bus = bus
        self.settings = settings
        self.data_dir = data_dir
        self.env_name = env_name
        self.runtime: AppRuntime | None = runtime
        self.runner = TaskRunner(bus, self)
        self.inspector: InspectorController | None = None
        self.har: HarController | None = None
        self.panels: dict[str, Any] = {}
        self._open_task: asyncio.Task[Any] | None = None
        self.settings_dialog: Any = None
        self.environments: EnvironmentController | None = None
        self.watcher: StoreWatcher | None = None
        self.toolbar_fitter: Any = None
        self.interrupted_logouts: InterruptedLogoutCheck | None = None
        self.team_live: TeamLive | None = None
        self._closing = False
        if not window.isVisible():  # `launch` restores it itself, before the first frame
            window.restore_geometry(settings)
        window.installEventFilter(self)
        window.paste_action.setEnabled(False)
        window.open_har_action.setEnabled(False)
        window.paste_action.triggered.connect(self.paste_and_inspect)
        window.redact_action.toggled.connect(bus.set_redaction)
        bus.redaction_changed.connect(window.redact_action.setChecked)
        window.settings_action.triggered.connect(self.open_settings)
        window.about_action.triggered.connect(self.show_about)
        self.help = HelpMenu(window, window.help_menu, window.about_action)
        window.quit_action.triggered.connect(window.close)
        window.message_page.retry_button.clicked.connect(self.start)
        bus.open_session.connect(self._show_session_tab)
        QGuiApplication.styleHints().colorSchemeChanged.connect(self._palette_changed)

    # --- start-up --------------------------------------------------------------------------
    def start(self) -> None:
        """Shows the starting page and sets up the run (`build_runtime`) in a worker thread."""
        if self.runtime is not None:
            self._attach(self.runtime)
            return
        self.window.show_starting()
        self._open_task = self.runner.start(
            "open",
            run_cpu(build_runtime, self.data_dir, self.env_name),
            on_result=self._attach,
            on_error=self._show_start_error,
            report=False,
        )

    def _show_start_error(self, message: str) -> None:
        self.window.message_page.show_error(self.tr("Transmit Admin could not start"), message)
        self.failed.emit(message)

    def _attach(self, runtime: AppRuntime) -> None:
        # Imported once the window is on screen: the verifier pulls in the crypto stack.
        from transmit_admin.ui.activity import ActivityPanel
        from transmit_admin.ui.environment_controller import EnvironmentController
        from transmit_admin.ui.har import HarController, HarView
        from transmit_admin.ui.inspector import InspectorController, InspectorView
        from transmit_admin.ui.interrupted_logouts import InterruptedLogoutCheck
        from transmit_admin.ui.mailbox import MailboxView
        from transmit_admin.ui.sessions import SessionActions, SessionDetailsView, SessionsPanel
        from transmit_admin.ui.store_watch import StoreWatcher
        from transmit_admin.ui.toolbar_fit import ToolbarFitter

        self.runtime = runtime
        if self._closing:  # the window was closed while the run was being set up
            return
        # Commits happen on the GUI thread (a bulk revoke's too) while the table reads: keep
        # the WAL's checkpoints and their fsyncs off it (store/checkpoint.py).
        runtime.checkpoint_in_background()
        window, bus = self.window, self.bus
        inspector_view = InspectorView(window)
        self.inspector = InspectorController(runtime, bus, inspector_view)
        sessions = SessionsPanel(runtime, bus)
        details = SessionDetailsView(runtime, bus)
        activity = ActivityPanel(runtime, bus)
        mailbox = MailboxView(runtime, bus)
        har_view = HarView(window)
        self.har = HarController(runtime, bus, har_view, runtime.data_dir)
        self.panels = {
            "har": har_view,
            "sessions": sessions,
            "details": details,
            "activity": activity,
            "mailbox": mailbox,
            "inspector": inspector_view,
        }
        window.install_workspace(
            sessions,
            activity,
            [
                (inspector_view, self.tr("Token"), "verify", self.tr("Inspect pasted tokens")),
                (details, self.tr("Session"), "open-session", self.tr("The selected session")),
                (mailbox, self.tr("Mailbox"), "mail", self.tr("Mail the sandbox delivered")),
                (har_view, self.tr("HAR"), "search", self.tr("A customer's HAR capture")),
            ],
        )
        actions = SessionActions(runtime, bus, sessions, window)
        self.panels["actions"] = actions
        window.session_menu.clear()
        for action in actions.all_actions():
            window.toolbar.insertAction(window.session_actions_anchor, action)
            window.session_menu.addAction(action)
        # Least used first: they lose their labels first when the toolbar runs short.
        self.toolbar_fitter = ToolbarFitter(
            window.toolbar,
            [
                actions.complete,
                actions.magic_link,
                actions.check_alive,
                actions.note,
                actions.sync,
                actions.reauth,
                actions.revoke_user,
            ],
        )
        sessions.selection_changed.connect(self._selection_changed)
        self._wire_har(har_view, inspector_view)
        window.paste_action.setEnabled(True)
        self._restore_splitters()
        self.environments = EnvironmentController(window, bus, runtime, mailbox)
        self.environments.show_current()
        self.watcher = StoreWatcher(
            bus,
            lambda: _file_of(runtime.current.store),
            lambda: runtime.current.environment.name,
            self,
        )
        self.watcher.start()
        self.interrupted_logouts = InterruptedLogoutCheck(runtime, bus, self)
        self.interrupted_logouts.start()
        from transmit_admin.ui.team_mode import install_team_mode

        self.team_live = install_team_mode(window, runtime, bus, activity)  # no-op outside a team
        self.ready.emit()

    def _wire_har(self, har_view: Any, inspector_view: Any) -> None:
        har, tabs = self.har, self.window.tabs
        assert har is not None
        self.window.open_har_action.setEnabled(True)

        def open_har() -> None:
            tabs.setCurrentWidget(har_view)
            har.open_dialog()

        self.window.open_har_action.triggered.connect(open_har)
        har.wants_focus.connect(lambda: tabs.setCurrentWidget(har_view))
        har.token_opened.connect(lambda: tabs.setCurrentWidget(inspector_view))
        har.watch_drops(self.window)

    # --- commands --------------------------------------------------------------------------
    def paste_and_inspect(self) -> None:
        if self.inspector is None:
            return
        self.window.tabs.setCurrentWidget(self.inspector.view)
        self.inspector.paste_clipboard()

    def _selection_changed(self, ids: list[str]) -> None:
        details = self.panels.get("details")
        if details is not None and len(ids) == 1:
            details.show_session(ids[0])

    def _show_session_tab(self, session_id: str) -> None:
        details = self.panels.get("details")
        if details is None:
            return
        details.show_session(session_id)
        self.window.tabs.setCurrentWidget(details)

    def open_settings(self) -> None:
        from transmit_admin.ui.settings import EnvironmentsController, EnvironmentsDialog

        runtime = self.runtime
        if runtime is None:
            return
        dialog = EnvironmentsDialog(self.window)
        settings = EnvironmentsController(dialog, runtime.data_dir, runtime.secrets)
        settings.secrets_replaced.connect(runtime.replace_secrets)
        self.settings_dialog = dialog
        dialog.finished.connect(self._settings_closed)
        dialog.finished.connect(lambda _code: settings.runner.cancel_all())
        # Window-modal but not a nested event loop: the async work keeps running meanwhile.
        dialog.open()

    def _settings_closed(self, _result: int = 0) -> None:
        dialog, self.settings_dialog = self.settings_dialog, None
        if dialog is not None:
            dialog.deleteLater()
        if self.environments is not None:
            self.environments.after_settings()

    def show_about(self) -> None:
        from transmit_admin import __version__  # read when asked: see its definition

        box = QMessageBox(
            QMessageBox.Icon.Information,
            self.tr("About Transmit Admin"),
            self.tr(
                "<b>Transmit Admin</b> {0}<br>Verify tokens, browse and revoke Transmit "
                "Security backend sessions.<br>Logs and data: {1}"
            ).format(__version__, self.runtime.data_dir if self.runtime else "—"),
            QMessageBox.StandardButton.Ok,
            self.window,
        )
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()

    # --- window state ----------------------------------------------------------------------
    def _restore_splitters(self) -> None:
        for name in SPLITTERS:
            state = self.settings.value(f"window/{name}")
            splitter = getattr(self.window, name)
            if isinstance(state, QByteArray) and not state.isEmpty():
                splitter.restoreState(state)
            elif name == "top_splitter":  # the table's columns at their content widths
                splitter.setSizes([720, 560])
            else:  # the activity strip: a few lines; the token tab needs the height
                splitter.setSizes([740, 105])

    def save_state(self) -> None:
        self.settings.setValue("window/geometry", self.window.saveGeometry())
        if self.runtime is not None:
            for name in SPLITTERS:
                self.settings.setValue(f"window/{name}", getattr(self.window, name).saveState())
        self.settings.sync()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.window:
            if event.type() == QEvent.Type.Close:
                self.save_state()
                if self.watcher is not None:  # its connection must not outlive the window
                    self.watcher.stop()
            elif event.type() in (
                QEvent.Type.PaletteChange,
                QEvent.Type.ApplicationPaletteChange,
            ):  # light ↔ dark, or another theme; children get their palette after the window
                QTimer.singleShot(0, self._palette_changed)
        return False

    def _palette_changed(self, *_: Any) -> None:
        if self.inspector is not None:
            self.inspector.refresh()

    async def aclose(self) -> None:
        """Cancels running work and releases the run (sandbox, clients, stores)."""
        self._closing = True
        if self.watcher is not None:
            self.watcher.stop()
        if self._open_task is not None and not self._open_task.done():
            # Not cancelled: the worker thread would finish anyway and its sandbox leak.
            with contextlib.suppress(Exception):
                await asyncio.shield(self._open_task)
        self.runner.cancel_all()
        if self.team_live is not None:
            await self.team_live.aclose()
        if self.inspector is not None:
            self.inspector.runner.cancel_all()
            await self.inspector.runner.wait_all()
        await self.runner.wait_all()
        if self.har is not None:  # a capture being read stops between two entries
            await self.har.aclose()
        if self.interrupted_logouts is not None:
            self.interrupted_logouts.runner.cancel_all()
            await self.interrupted_logouts.runner.wait_all()
        if self.environments is not None:  # a sandbox being started must be stopped too
            await self.environments.runner.wait_all()
        if self.runtime is not None:
            await self.runtime.aclose()
