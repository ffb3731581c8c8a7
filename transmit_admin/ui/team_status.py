"""The team's state in words (`status_text`), and the status-bar label that shows it.

Connected / "team: offline, N events waiting" / refused with the reason as one sentence;
nothing at all while the environment has not joined a team (team mode is optional).
"""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QWidget

from transmit_admin.team.service import SyncReport, TeamState


def status_text(report: SyncReport, user: str = "") -> str:
    if report.state is TeamState.CONNECTED:
        who = f" as {user}" if user else ""
        waiting = f", {report.waiting} events waiting" if report.waiting else ""
        return f"team: connected{who}{waiting}"
    if report.state is TeamState.OFFLINE:
        one = "event" if report.waiting == 1 else "events"
        return f"team: offline, {report.waiting} {one} waiting"
    if report.state is TeamState.REFUSED:
        return f"team: refused: {report.reason}"
    return "team: not joined"


def status_tooltip(report: SyncReport, server_url: str = "") -> str:
    lines = [server_url] if server_url else []
    if report.state is TeamState.OFFLINE:
        lines.append(f"{report.reason} Actions go ahead here and are sent when it is back.")
    elif report.reason:
        lines.append(report.reason)
    return "\n".join(lines)


class TeamStatusLabel(QLabel):
    """A permanent status-bar widget; hidden outside team mode."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("teamStatus")
        self.setAccessibleName(self.tr("Team status"))
        self.hide()

    def show_report(self, report: SyncReport | None, user: str = "", server_url: str = "") -> None:
        if report is None or report.state is TeamState.NOT_JOINED:
            self.clear()
            self.hide()
            return
        self.setText(status_text(report, user))
        self.setToolTip(status_tooltip(report, server_url))
        self.show()
