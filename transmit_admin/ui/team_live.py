"""Keeps a window of a team-joined environment live: LISTEN wakes it, a pull follows, and the
rows and timelines a teammate's events changed are re-read; local actions are pushed soon
after they are done. Outside team mode it does nothing.

Where the LISTEN runs: on the app's qasync loop, with psycopg's AsyncConnection
(`team.live.watch_journal`). psycopg waits on its socket with `loop.add_reader`, which
qasync serves with a QSocketNotifier, so no thread is needed for the wake-up. Measured
here (tests/ui/test_team_window.py, two windows, offscreen, 2 shared cores, December 2026):
a teammate's revoke shows in the other window's table 0-55 ms after the teammate's revoke
answered (the wake-up often lands while that revoke still releases its claim), 110-320 ms
after it was started (the sandbox's logout included). The listener thread
(`team.live.JournalListener`) is kept for the benchmark and callers without an asyncio loop.

What blocks stays off the GUI thread: `TeamClient.sync()` (psycopg's blocking API and the
SQLite writes of a pull) runs in a worker thread, one at a time; a wake-up while one runs
asks for one more round, so a burst of notifications costs two pulls, not one per event.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QDialog, QLabel

from transmit_admin.team.live import watch_journal
from transmit_admin.team.service import SyncReport, TeamState
from transmit_admin.ui.bus import UiBus

if TYPE_CHECKING:
    from transmit_admin.team.service import TeamClient
    from transmit_admin.ui.team_log import TeamLogView
    from transmit_admin.workspace import Workspaces

log = logging.getLogger(__name__)

RELOAD_ABOVE = 50  # more changed sessions than this: reload the table once, not row by row


class TeamLive(QObject):
    status_changed = Signal(object)  # the latest SyncReport, or None outside team mode

    def __init__(self, workspaces: Workspaces, bus: UiBus, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.workspaces = workspaces
        self.bus = bus
        self.report: SyncReport | None = None
        self._team: TeamClient | None = None
        self._watch: asyncio.Task[None] | None = None
        self._sync: asyncio.Task[None] | None = None
        self._again = False
        self._listening = False
        # Set by install_team_mode and the File → Team settings… action:
        self.status_label: QLabel | None = None
        self.log_view: TeamLogView | None = None
        self.settings_dialog: QDialog | None = None
        self.settings_controller: QObject | None = None
        bus.activity.connect(self._after_action)
        bus.environment_changed.connect(self.start)

    @property
    def team(self) -> TeamClient | None:
        return self._team

    def start(self) -> None:
        """(Re)starts for the current environment: after start-up, a switch, or a join."""
        self._stop_watch()
        self._team = self.workspaces.current.team
        if self._team is None:
            self._set_report(None)
            return
        team = self._team
        self._watch = asyncio.ensure_future(
            watch_journal(team.open_async_connection, self.sync_soon, self._listener_state)
        )
        self.sync_soon()

    def _stop_watch(self) -> None:
        if self._watch is not None:
            self._watch.cancel()
            self._watch = None
        self._listening = False

    def _after_action(self, *_: Any) -> None:
        if self._team is not None:
            self.sync_soon()  # push what the action wrote to the outbox

    def _listener_state(self, connected: bool, _reason: str) -> None:
        was, self._listening = self._listening, connected
        if was and not connected:
            self.sync_soon()  # the sync's report says "offline, N waiting" and why

    def sync_soon(self) -> None:
        if self._team is None:
            return
        if self._sync is not None and not self._sync.done():
            self._again = True
            return
        self._sync = asyncio.ensure_future(self._sync_rounds(self._team))

    async def _sync_rounds(self, team: TeamClient) -> None:
        while True:
            self._again = False
            try:
                report = await asyncio.to_thread(team.sync)
            except Exception as exc:  # a damaged store, a bug: said once, logged in full
                log.warning("team sync failed", exc_info=True)
                report = SyncReport(TeamState.REFUSED, 0, reason=f"the sync failed: {exc}")
            if team is not self._team:  # the environment changed (or joined) meanwhile
                self._sync = None
                self.sync_soon()  # a wake-up for the new one may have been folded into ours
                return
            self._show_changes(report)
            self._set_report(report)
            if not self._again:
                return

    def _show_changes(self, report: SyncReport) -> None:
        if report.new_sessions or len(report.session_ids) > RELOAD_ABOVE:
            self.bus.sessions_reloaded.emit()
            return
        for session_id in report.session_ids:
            self.bus.session_changed.emit(session_id)

    def _set_report(self, report: SyncReport | None) -> None:
        self.report = report
        self.status_changed.emit(report)

    async def aclose(self) -> None:
        self._stop_watch()
        self._team = None
        if self._sync is not None and not self._sync.done():
            with contextlib.suppress(Exception):
                await asyncio.shield(self._sync)  # its thread finishes anyway
