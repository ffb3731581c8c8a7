"""The window's message bus: widgets announce what changed; whoever shows it listens.

Views never reach into each other. A controller that changed a session emits
`session_changed(id)`; the table refreshes that row, the details view re-reads it.
"""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import QObject, Signal

from transmit_admin.ui.session_marks import SessionMark


class UiBus(QObject):
    session_changed = Signal(str)  # a session id whose row and details must be re-read
    sessions_reloaded = Signal()  # many rows changed (import, track, environment switch)
    activity = Signal(str, str, bool)  # action, message, ok
    open_session = Signal(str)  # show this session id in the table and the Session tab
    inspect_text = Signal(str)  # put this text into the token inspector and inspect it
    redaction_changed = Signal(bool)
    environment_changed = Signal()
    marks_changed = Signal()  # a session's "revoking…" / "unconfirmed" mark came or went
    store_written = Signal()  # this window wrote the store: look for changes now, not later

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._redaction = False
        self._stored_marks: dict[str, SessionMark] = {}
        self._revoking: set[str] = set()
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

    def session_mark(self, session_id: str) -> SessionMark | None:
        """ "revoking…" / "unconfirmed" for a session whose logout is not settled, else None
        (session_marks.py); views combine it with the stored status (`status_text`)."""
        if session_id in self._revoking:
            return SessionMark.REVOKING
        return self._stored_marks.get(session_id)

    def is_revoking(self, session_id: str) -> bool:
        """Whether this window is waiting for Transmit's answer to this session's logout."""
        return session_id in self._revoking

    def begin_revoking(self, session_ids: Iterable[str]) -> None:
        """This window sent (or is about to send) these logouts: "revoking…" at once."""
        before = len(self._revoking)
        self._revoking.update(session_ids)
        if len(self._revoking) != before:
            self.marks_changed.emit()

    def end_revoking(self, session_ids: Iterable[str]) -> None:
        """Their answers are in (or they were never sent); the store's marks apply again."""
        before = len(self._revoking)
        self._revoking.difference_update(session_ids)
        if len(self._revoking) != before:
            self.marks_changed.emit()

    def set_stored_marks(self, marks: dict[str, SessionMark | None]) -> None:
        """The marks the store's events imply (the store watcher), None to clear one."""
        changed = False
        for session_id, mark in marks.items():
            if self._stored_marks.get(session_id) == mark:
                continue
            changed = True
            if mark is None:
                del self._stored_marks[session_id]
            else:
                self._stored_marks[session_id] = mark
        if changed:
            self.marks_changed.emit()

    def clear_session_marks(self) -> None:
        """Another environment (or store): its sessions have marks of their own."""
        if self._stored_marks or self._revoking:
            self._stored_marks.clear()
            self._revoking.clear()
            self.marks_changed.emit()
