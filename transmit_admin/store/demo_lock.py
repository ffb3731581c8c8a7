"""A lock beside the demo store, so it is never deleted or re-seeded under a process using it.

Every process that opens `sandbox-demo.sqlite` holds a shared `flock` on
`sandbox-demo.sqlite.lock` for as long as it has the store open (a window, the CLI working
on the window's sandbox). Re-creating the file for a new demo needs the exclusive lock:
while anyone else holds the shared one, the new demo waits a little and then refuses with a
sentence instead of pulling the file from under them. The OS drops a dead process's locks.
"""

from __future__ import annotations

import fcntl
import os
import time
from pathlib import Path

WAIT_SECONDS = 5.0
_held: dict[Path, int] = {}  # store path -> the open lock file of this process


class DemoStoreBusy(Exception):
    def __init__(self, path: Path) -> None:
        super().__init__(
            f"The demo store {path} is open in another transmit-admin process (a window or a "
            "command using the sandbox); it is not re-created under it. Close that process, or "
            "use its sandbox: `--env sandbox` finds a running window's."
        )
        self.path = path

    def sentence(self) -> str:
        return str(self)


def _lock_fd(path: Path) -> int:
    fd = _held.get(path)
    if fd is None:
        fd = os.open(f"{path}.lock", os.O_RDWR | os.O_CREAT, 0o600)
        _held[path] = fd
    return fd


def _take(path: Path, mode: int, wait: float) -> bool:
    fd = _lock_fd(path)
    deadline = time.monotonic() + wait
    while True:
        try:
            fcntl.flock(fd, mode | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.05)


def lock_for_reseed(path: Path, wait: float = WAIT_SECONDS) -> None:
    """The exclusive lock (this process may now delete and re-create the file); raises
    DemoStoreBusy when another process keeps it open."""
    if not _take(path, fcntl.LOCK_EX, wait):
        raise DemoStoreBusy(path)


def hold_shared(path: Path, wait: float = WAIT_SECONDS) -> None:
    """Marks the store as in use by this process (after a re-seed, or to use another's)."""
    if not _take(path, fcntl.LOCK_SH, wait):
        raise DemoStoreBusy(path)


def release(path: Path) -> None:
    fd = _held.pop(path, None)
    if fd is not None:
        os.close(fd)  # closing drops the flock
