"""Settings → Team's logic: test the connection, join, and show the team's state.

Every step that waits runs in a worker thread: connecting (psycopg's blocking API), and the
keyring (a D-Bus call). The password is kept with `team.passwords.remember` (the OS keyring
of the app's secret store; not when PGPASSWORD is set, which then wins) and only after the
server accepted it, so a mistyped one is never stored.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMainWindow

from transmit_admin.team import passwords
from transmit_admin.team.errors import TeamAuthFailed, TeamError
from transmit_admin.team.schema import TeamSpace
from transmit_admin.team.server import TeamServer
from transmit_admin.team.service import SyncReport, TeamClient, TeamState
from transmit_admin.ui.settings.team_page import TeamDialog, TeamPage
from transmit_admin.ui.tasks import TaskRunner
from transmit_admin.ui.team_status import status_text

if TYPE_CHECKING:
    from transmit_admin.app import AppRuntime
    from transmit_admin.ui.team_live import TeamLive

NOT_JOINED = (
    "Not in a team. The team owner creates the team space with `transmit-admin team init "
    "URL` and your agent role with `transmit-admin team add-agent NAME`; enter that role here."
)


class TeamSettingsController(QObject):
    def __init__(self, page: TeamPage, runtime: AppRuntime, live: TeamLive) -> None:
        super().__init__(page)
        self.page = page
        self.runtime = runtime
        self.live = live
        self.runner = TaskRunner(None, self)
        page.test_button.clicked.connect(self.test_connection)
        page.join_button.clicked.connect(self.join)
        live.status_changed.connect(self._show_report)
        self.load()

    def load(self) -> None:
        env = self.runtime.current.environment
        self.page.intro.setText(
            self.page.tr(
                "Environment {0}: tenant {1} at {2}. A team space serves one tenant; its "
                "agents share this environment's sessions, events and notes."
            ).format(env.name, env.tenant_id or "(none)", env.base_url)
        )
        team = self.live.team
        if team is None:
            self.page.status.setText(self.page.tr(NOT_JOINED))
            return
        server = team.server
        self.page.host.setText(server.host)
        self.page.port.setValue(server.port)
        self.page.database.setText(server.dbname)
        self.page.user.setText(server.user)
        self.page.ca_file.setText(server.sslrootcert or "")
        self._show_report(self.live.report)

    def server_from_form(self) -> TeamServer:
        """The server the form names; TeamRefused (with its sentence) when it is not usable,
        e.g. a remote host, which needs TLS with certificate checks (verify-full)."""
        page = self.page
        return TeamServer(
            host=page.host.text().strip(),
            dbname=page.database.text().strip(),
            user=page.user.text().strip(),
            port=page.port.value(),
            sslrootcert=page.ca_file.text().strip() or None,
        )

    def _start(self, name: str, work: Any, on_result: Any) -> asyncio.Task[Any] | None:
        self.page.set_busy(True)

        def done(value: Any) -> None:
            self.page.set_busy(False)
            on_result(value)

        def failed(message: str) -> None:
            self.page.set_busy(False)
            self.page.status.setText(message)

        return self.runner.start(
            name, asyncio.to_thread(work), on_result=done, on_error=failed, report=False
        )

    def _password_for(self, server: TeamServer, typed: str) -> str:
        """Runs in the worker: the typed password, else PGPASSWORD or the stored one."""
        password = typed or passwords.password_source(server, self.runtime.secrets)()
        if not password:
            raise TeamAuthFailed(
                f"No password is kept for {server.user}: type it in (it is then kept in "
                "the keyring), or set PGPASSWORD."
            )
        return password

    def test_connection(self) -> asyncio.Task[Any] | None:
        try:
            server = self.server_from_form()
        except TeamError as exc:
            self.page.status.setText(exc.sentence())
            return None
        typed = self.page.password.text()
        ws = self.runtime.current

        def probe() -> TeamSpace:
            password = self._password_for(server, typed)
            with TeamClient(ws.store, ws.environment, server, lambda: password) as client:
                return client.check()

        def show(space: TeamSpace) -> None:
            self.page.status.setText(
                self.page.tr(
                    "Connected as {0}: the team space of tenant {1} at {2} (schema {3}). "
                    "Join to share this environment's journal."
                ).format(
                    server.user, space.tenant_id or "(none)", space.base_url, space.schema_version
                )
            )

        self.page.status.setText(self.page.tr("Connecting to {0}…").format(server.url))
        return self._start("test team connection", probe, show)

    def join(self) -> asyncio.Task[Any] | None:
        try:
            server = self.server_from_form()
        except TeamError as exc:
            self.page.status.setText(exc.sentence())
            return None
        typed = self.page.password.text()
        runtime = self.runtime
        ws = runtime.current
        secrets = runtime.secrets

        def work() -> str:
            password = self._password_for(server, typed)
            with TeamClient(ws.store, ws.environment, server, lambda: password) as client:
                client.join()
            if not typed:
                return "the stored password is used"
            if not passwords.remember(server, secrets, password):
                return "PGPASSWORD is in use, so nothing was stored"
            if not secrets.is_persistent:
                return (
                    f"the password is kept for this run only ({secrets.backend_description()}); "
                    "make a keyring available, or set PGPASSWORD"
                )
            return f"the password is kept in {secrets.backend_description()}"

        def joined(kept: str) -> None:
            self.page.password.clear()
            old = runtime.rejoin_team(ws)
            if old is not None:
                self.runner.start("close team client", asyncio.to_thread(old.close), report=False)
            self.live.start()
            self.page.status.setText(
                self.page.tr("Joined the team as {0}; {1}. Connecting…").format(server.user, kept)
            )

        self.page.status.setText(self.page.tr("Joining {0}…").format(server.url))
        return self._start("join team", work, joined)

    def _show_report(self, report: SyncReport | None) -> None:
        if report is None or report.state is TeamState.NOT_JOINED:
            return
        team = self.live.team
        text = status_text(report, team.server.user if team is not None else "")
        if report.state is TeamState.OFFLINE and report.reason:
            text += f". {report.reason} Actions go ahead here and are sent when it is back."
        elif report.state is TeamState.CONNECTED:
            text += "."
        self.page.status.setText(text)


def add_team_settings_action(window: QMainWindow, runtime: AppRuntime, live: TeamLive) -> QAction:
    """File → Team settings…, right after File → Settings."""
    action = QAction(window.tr("&Team settings…"), window)
    action.setToolTip(window.tr("Join the team's shared journal; its connection and status"))
    menu = getattr(window, "file_menu", None)
    if menu is not None:
        entries = menu.actions()
        settings = getattr(window, "settings_action", None)
        after = entries.index(settings) + 1 if settings in entries else 0
        if after < len(entries):
            menu.insertAction(entries[after], action)
        else:
            menu.addAction(action)

    def open_dialog() -> None:
        dialog = TeamDialog(window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        live.settings_controller = TeamSettingsController(dialog.page, runtime, live)
        live.settings_dialog = dialog
        dialog.open()  # window-modal, not a nested event loop: async work keeps running

    action.triggered.connect(open_dialog)
    return action
