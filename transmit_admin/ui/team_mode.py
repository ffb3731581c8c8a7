"""Team mode in a main window, installed once the window's context exists: the live pulls
(`team_live.py`), the state in the status bar (`team_status.py`), the team's log as a tab of
the audit panel (`team_log.py`) and File → Team settings… (`settings/team_controller.py`).
Outside team mode only the menu entry shows (to join)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QMainWindow, QTabWidget, QWidget

from transmit_admin.team.service import SyncReport
from transmit_admin.ui.bus import UiBus
from transmit_admin.ui.icons import icon
from transmit_admin.ui.settings.team_controller import add_team_settings_action
from transmit_admin.ui.team_live import TeamLive
from transmit_admin.ui.team_log import TeamLogView
from transmit_admin.ui.team_status import TeamStatusLabel

if TYPE_CHECKING:
    from transmit_admin.app import AppRuntime


def install_team_mode(
    window: QMainWindow, runtime: AppRuntime, bus: UiBus, activity: QWidget | None = None
) -> TeamLive:
    """Team mode in a main window: the live pulls, the status in the status bar, and the
    team's log as a tab of the audit panel (`activity.tabs`), shown while joined."""
    live = TeamLive(runtime, bus, window)
    label = TeamStatusLabel(window)
    window.statusBar().addPermanentWidget(label)
    tabs: QTabWidget | None = getattr(activity, "tabs", None)
    log_view = TeamLogView(bus, window)
    if tabs is not None:
        tabs.addTab(log_view, icon("note"), log_view.tr("Team log"))
        tabs.setTabVisible(tabs.indexOf(log_view), False)
        tabs.currentChanged.connect(
            lambda _index: log_view.load() if tabs.currentWidget() is log_view else None
        )

    def show(report: SyncReport | None) -> None:
        team = live.team
        user, url = (team.server.user, team.server.url) if team is not None else ("", "")
        label.show_report(report, user, url)
        if log_view.team is not team:
            log_view.set_team(team)
        if tabs is not None:
            tabs.setTabVisible(tabs.indexOf(log_view), team is not None)

    live.status_changed.connect(show)
    live.status_label = label
    live.log_view = log_view
    add_team_settings_action(window, runtime, live)
    live.start()
    return live
