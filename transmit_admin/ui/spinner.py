"""The busy spinner, apart from `tasks` (which re-exports it): the main window shows it in its
first frame, before asyncio, which `tasks` needs, is imported (see `launch`)."""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QLabel, QWidget


class Spinner(QLabel):
    """A small text spinner that animates only while something is busy."""

    FRAMES = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._frame = 0
        self._timer = QTimer(self)
        self._timer.setInterval(100)
        self._timer.timeout.connect(self._tick)
        self.setAccessibleName(self.tr("Busy indicator"))
        self.setToolTip(self.tr("Work is in progress"))
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("⠋") + 4)
        self.clear()

    def set_busy(self, busy: bool) -> None:
        if busy:
            self._timer.start()
            self._tick()
        else:
            self._timer.stop()
            self.clear()

    def _tick(self) -> None:
        self._frame = (self._frame + 1) % len(self.FRAMES)
        self.setText(self.FRAMES[self._frame])
