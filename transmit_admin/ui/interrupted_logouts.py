"""At start-up and on each environment switch: settles logouts an earlier run left without an
outcome (`services/interrupted_logouts.py`) in the background, then refreshes those rows and
says what was found in the activity list."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject

from transmit_admin.services.results import ActionResult
from transmit_admin.ui.bus import UiBus
from transmit_admin.ui.tasks import TaskRunner

if TYPE_CHECKING:
    from transmit_admin.workspace import Workspaces


class InterruptedLogoutCheck(QObject):
    def __init__(self, workspaces: Workspaces, bus: UiBus, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.workspaces = workspaces
        self.bus = bus
        self.runner = TaskRunner(bus, self)
        bus.environment_changed.connect(self.start)

    def start(self) -> None:
        self.runner.start(
            "settle-interrupted",
            self.workspaces.current.service.settle_interrupted_logouts(),
            on_result=self._show,
            report=False,  # nothing to settle, or Transmit unreachable: tried again next time
            replace=True,
        )

    def _show(self, results: list[ActionResult]) -> None:
        for result in results:
            self.bus.session_changed.emit(result.session_id)
            self.bus.activity.emit(
                self.tr("Interrupted logout"),
                self.tr("{0}: {1}").format(result.session_id[:12], result.message),
                result.ok,
            )
