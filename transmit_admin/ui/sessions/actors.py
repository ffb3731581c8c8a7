"""The session table's "By" column: who did each shown session's newest event.

A teammate's revoke or note arrives through the team journal with their PostgreSQL role as
the actor; local events name the OS user (or, in a team, this agent's role). The rows'
records do not carry it (the table pages a million sessions by key and their query stays
as it is): the actors of the rows a repaint asks about are collected and read in one store
query on the next turn of the event loop, then those cells repaint. One indexed query for
the few dozen rows on screen costs well under a millisecond.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer, Signal

Lookup = Callable[[list[str]], dict[str, str]]
MAX_KNOWN = 5000


class LastActors(QObject):
    loaded = Signal(list)  # session ids whose actor became known

    def __init__(self, lookup: Lookup, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._lookup = lookup
        self._known: dict[str, str] = {}
        self._asked: dict[str, None] = {}
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self._load)

    def actor(self, session_id: str) -> str | None:
        """The actor, "" when the session has no event, None while it is being read."""
        known = self._known.get(session_id)
        if known is None:
            self._asked[session_id] = None
            if not self._timer.isActive():
                self._timer.start()
        return known

    def forget(self, session_id: str) -> None:
        self._known.pop(session_id, None)

    def clear(self) -> None:
        self._known.clear()
        self._asked.clear()

    def _load(self) -> None:
        ids, self._asked = list(self._asked), {}
        if not ids:
            return
        if len(self._known) > MAX_KNOWN:  # a long scroll through a huge table: start over
            self._known.clear()
        found = self._lookup(ids)
        for session_id in ids:
            self._known[session_id] = found.get(session_id, "")
        self.loaded.emit(ids)
