"""The window's message bus: widgets announce what changed; whoever shows it listens.

Views never reach into each other. A controller that changed a session emits
`session_changed(id)`; the table refreshes that row, the details view re-reads it.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal


class UiBus(QObject):
    session_changed = Signal(str)  # a session id whose row and details must be re-read
    sessions_reloaded = Signal()  # many rows changed (import, track, environment switch)
    activity = Signal(str, str, bool)  # action, message, ok
    open_session = Signal(str)  # show this session id in the table and the Session tab
    inspect_text = Signal(str)  # put this text into the token inspector and inspect it
    redaction_changed = Signal(bool)
    environment_changed = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._redaction = False
        self.redaction_changed.connect(self._remember_redaction)

    def _remember_redaction(self, enabled: bool) -> None:
        self._redaction = enabled

    def redaction_enabled(self) -> bool:
        """Whether ids, emails, phone numbers and signatures must be masked right now."""
        return self._redaction

    def set_redaction(self, enabled: bool) -> None:
        """Changes the mode and tells every listener, once per real change."""
        if enabled != self._redaction:
            self.redaction_changed.emit(enabled)
