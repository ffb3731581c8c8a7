"""SQLite WAL checkpoints on a thread of their own, off the threads that write.

In WAL mode SQLite copies the log back into the database file every ~1000 pages, inside
whichever COMMIT crosses the mark, and with `synchronous=NORMAL` that checkpoint is where the
fsyncs happen: 15-25 ms here, while the committing thread holds the store's lock. During a
bulk revoke that was about half of all the time spent committing, and every reader of the
store (the session table) waited behind it (bench/ui.py).

`WalCheckpointer` turns the automatic checkpoint off on the store's connection and runs
PASSIVE checkpoints from its own connection instead, at most once per interval and only
when the log has changed since the last one. PASSIVE never waits for or blocks readers and
writers, and SQLite runs it without the GIL, so the copy and the fsyncs overlap the app's
Python work. Should the thread fail, the
store's automatic checkpoints are turned back on; on close, closing the last connection
checkpoints as usual.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path

log = logging.getLogger(__name__)

# Often enough to keep the log to a few MB during a bulk action (hundreds of commits a
# second), rarely enough that pages rewritten by many commits are copied back once.
CHECK_INTERVAL_SECONDS = 1.0
BUSY_TIMEOUT_MS = 5000


class WalCheckpointer:
    def __init__(
        self,
        path: Path,
        *,
        on_failure: Callable[[], None],
        interval: float = CHECK_INTERVAL_SECONDS,
    ) -> None:
        self.path = path
        self.interval = interval
        self.checkpoints = 0  # completed checkpoint calls, for tests and diagnosis
        self._on_failure = on_failure
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="wal-checkpoint", daemon=True)
        self._wal = Path(f"{path}-wal")

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        """Ends the thread (a checkpoint in progress finishes first)."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    def _run(self) -> None:
        try:
            conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000)
        except sqlite3.Error:
            log.warning("WAL checkpoints stay in the writing thread", exc_info=True)
            self._on_failure()
            return
        try:
            seen = (0, 0)  # whatever the log holds when we start is checkpointed first
            while not self._stop.wait(self.interval):
                # Read before the checkpoint: a commit landing during it changes the state
                # again, so the next look copies it too.
                state = self._wal_state()
                # Size and mtime: a reset log keeps its size. Two commits within one tick of
                # the file system's clock look alike: the second is copied with the next
                # commit's, or when the store closes.
                if state != seen:
                    conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
                    self.checkpoints += 1
                    seen = state
        except sqlite3.Error:
            log.warning("WAL checkpoints stay in the writing thread", exc_info=True)
            self._on_failure()
        finally:
            conn.close()

    def _wal_state(self) -> tuple[int, int]:
        try:
            found = self._wal.stat()
        except OSError:
            return (0, 0)
        return (found.st_mtime_ns, found.st_size)
