"""`StoreWatcher`: the window's views follow the store, whoever writes it.

Every `POLL_MS` it asks the store file's `ChangeFeed` whether another connection committed
(`PRAGMA data_version`, microseconds). The window's own writes count too: its services write
on the store's connection, the feed reads on its own. When something moved, each session
touched gets `bus.session_changed` (table row, Session tab, token verdict re-read it), its
revoke state becomes a mark ("revoking…" / "unconfirmed", `session_marks.py`), and new rows
reload the table. So a revoke from the toolbar, a bulk revoke, "revoke user", a sync, the
CLI or a second window on the same file all show within about a second.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, QTimer

from transmit_admin.store.changes import ChangeFeed
from transmit_admin.ui.bus import UiBus
from transmit_admin.ui.session_marks import MARK_OF_EVENT

log = logging.getLogger(__name__)

POLL_MS = 400
# More sessions touched in one poll than this (a bulk revoke of thousands by another
# process): one reload of the table instead of thousands of row refreshes.
MAX_ROW_REFRESHES = 500


class StoreWatcher(QObject):
    def __init__(
        self,
        bus: UiBus,
        store_path: Callable[[], Path | None],
        environment: Callable[[], str],
        parent: QObject | None = None,
        *,
        interval_ms: int = POLL_MS,
    ) -> None:
        super().__init__(parent)
        self.bus = bus
        self._store_path = store_path
        self._environment = environment
        self._feed: ChangeFeed | None = None
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.poll)
        bus.environment_changed.connect(self.restart)
        bus.store_written.connect(self.poll)

    def start(self) -> None:
        self.restart()
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()
        if self._feed is not None:
            self._feed.close()
            self._feed = None

    def restart(self) -> None:
        """Watches the current store file (another environment may use another file)."""
        if self._feed is not None:
            self._feed.close()
            self._feed = None
        self.bus.clear_session_marks()
        path = self._store_path()
        if path is None or not path.exists():  # an in-memory store: nobody else can write it
            return
        try:
            self._feed = ChangeFeed(path)
            states = self._feed.revoke_states(self._environment())
        except sqlite3.Error:
            log.warning("cannot watch the store %s for changes", path, exc_info=True)
            self._feed = None
            return
        self.bus.set_stored_marks({sid: MARK_OF_EVENT.get(kind) for sid, kind in states.items()})

    def poll(self) -> None:
        feed = self._feed
        if feed is None:
            return
        try:
            if not feed.moved():
                return
            changes = feed.read(self._environment())
        except sqlite3.Error:  # a busy or vanished file: the next poll tries again
            log.debug("store change poll failed", exc_info=True)
            return
        if not changes:
            return
        self.bus.set_stored_marks(
            {sid: MARK_OF_EVENT.get(kind) for sid, kind in changes.revoke_states.items()}
        )
        # This window's own bulk revoke repaints its rows from the results as they come
        # (no store read per row); re-reading them here too would double that work.
        touched = [sid for sid in changes.sessions if not self.bus.is_revoking(sid)]
        if changes.added or len(touched) > MAX_ROW_REFRESHES:
            self.bus.sessions_reloaded.emit()
            return
        for session_id in touched:
            self.bus.session_changed.emit(session_id)
