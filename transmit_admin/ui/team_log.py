"""The audit panel's "Team log" tab: the team journal (who did what, across every agent), newest
first, and its export. Shown only while the environment has joined a team.

The journal is read with `TeamClient.log` in a worker thread (a blocking psycopg call);
offline, the tab says so in one sentence and keeps what it showed.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from transmit_admin.core.redact import mask_id
from transmit_admin.core.timefmt import local_text, utc_text
from transmit_admin.store.records import SharedEvent
from transmit_admin.team.log_export import LogFormat, write_log
from transmit_admin.ui.bus import UiBus
from transmit_admin.ui.icons import icon
from transmit_admin.ui.redaction import mask_text
from transmit_admin.ui.tasks import TaskRunner

if TYPE_CHECKING:
    from transmit_admin.team.service import TeamClient

SHOWN = 500
EXPORTED = 100_000  # an export is for an audit: the whole journal of most desks


class TeamLogView(QWidget):
    def __init__(self, bus: UiBus, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("teamLog")
        self.bus = bus
        self.team: TeamClient | None = None
        self.runner = TaskRunner(bus, self)
        self.tree = QTreeWidget(self)
        self.tree.setHeaderLabels(
            [
                self.tr("When"),
                self.tr("Who"),
                self.tr("Event"),
                self.tr("Session"),
                self.tr("Detail"),
            ]
        )
        self.tree.setRootIsDecorated(False)
        for column, width in enumerate((170, 110, 130, 150)):
            self.tree.setColumnWidth(column, width)
        self.tree.setAccessibleName(self.tr("Team log"))
        self.tree.setToolTip(self.tr("The team's journal: every agent's events, newest first"))
        self.status = QLabel(self)
        self.status.setAccessibleName(self.tr("Team log status"))
        self.refresh_button = QPushButton(icon("refresh"), self.tr("Re&fresh"), self)
        self.refresh_button.setToolTip(self.tr("Read the team's journal again"))
        self.export_button = QPushButton(icon("export"), self.tr("E&xport…"), self)
        self.export_button.setToolTip(self.tr("Save the team's journal as CSV or JSON"))
        buttons = QHBoxLayout()
        buttons.addWidget(self.status, 1)
        buttons.addWidget(self.refresh_button)
        buttons.addWidget(self.export_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(buttons)
        layout.addWidget(self.tree, 1)
        self.refresh_button.clicked.connect(self.load)
        self.export_button.clicked.connect(self._choose_export)

    def set_team(self, team: TeamClient | None) -> None:
        self.team = team
        self.tree.clear()
        self.status.clear()

    def load(self) -> asyncio.Task[Any] | None:
        team = self.team
        if team is None:
            return None
        self.status.setText(self.tr("Reading the team's journal…"))
        return self.runner.start(
            "team log",
            asyncio.to_thread(team.log, SHOWN),
            busy=[self.refresh_button],
            on_result=self._show,
            on_error=self.status.setText,
            report=False,
            replace=True,
        )

    def _show(self, events: list[SharedEvent]) -> None:
        self.tree.clear()
        redact = self.bus.redaction_enabled()
        for event in events:
            detail = mask_text(event.detail) if redact else event.detail
            item = QTreeWidgetItem(
                [
                    local_text(event.at),
                    event.actor,
                    event.kind,
                    mask_id(event.session_id) if redact else event.session_id,
                    detail,
                ]
            )
            item.setToolTip(0, f"{utc_text(event.at)} (journal #{event.seq})")
            item.setToolTip(4, detail)
            self.tree.addTopLevelItem(item)
        self.status.setText(self.tr("Newest {0} team events").format(len(events)))

    def _choose_export(self) -> None:
        path, chosen = QFileDialog.getSaveFileName(
            self,
            self.tr("Export the team log"),
            "team-log.csv",
            self.tr("CSV (*.csv);;JSON (*.json)"),
        )
        if path:
            fmt: LogFormat = "json" if path.endswith(".json") or "JSON" in chosen else "csv"
            self.export(Path(path), fmt)

    def export(self, path: Path, fmt: LogFormat) -> asyncio.Task[Any] | None:
        """Writes the journal (newest first) to `path` off the GUI thread."""
        team = self.team
        if team is None:
            return None
        self.status.setText(self.tr("Exporting…"))

        def done(count: int) -> None:
            message = self.tr("Exported {0} team events to {1}").format(count, path)
            self.status.setText(message)
            self.bus.activity.emit(self.tr("Export team log"), message, True)

        return self.runner.start(
            "team log export",
            asyncio.to_thread(_export, team, path, fmt),
            busy=[self.export_button],
            on_result=done,
            on_error=self.status.setText,
        )


def _export(team: TeamClient, path: Path, fmt: LogFormat) -> int:
    events = team.log(EXPORTED)
    temporary = path.with_name(path.name + ".part")
    try:
        with temporary.open("w", encoding="utf-8", newline="") as fp:
            count = write_log(fp, events, fmt)
        temporary.replace(path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return count
