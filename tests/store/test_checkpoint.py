"""WAL checkpoints on their own thread: the store's connection stops checkpointing, the
thread copies the log back, failures hand checkpoints back, close stops the thread."""

from __future__ import annotations

import contextlib
import sqlite3
import threading
import time
from pathlib import Path

from transmit_admin.store.checkpoint import WalCheckpointer
from transmit_admin.store.store import Store


def _autocheckpoint(store: Store) -> int:
    return int(store.db.conn.execute("PRAGMA wal_autocheckpoint").fetchone()[0])


def _write(store: Store, count: int) -> None:
    for n in range(count):
        store.audit("test", target=f"t{n}", outcome="ok", detail="x" * 2000)


def _wait_for(condition: object, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return True
        time.sleep(0.02)
    return False


def _rows_in_database_file(path: Path, copy: Path) -> int:
    """Audit rows in the database file alone, without its WAL: what was checkpointed."""
    copy.write_bytes(path.read_bytes())
    with contextlib.closing(sqlite3.connect(copy)) as alone:
        return int(alone.execute("SELECT count(*) FROM audit_log").fetchone()[0])


def test_the_thread_checkpoints_instead_of_the_committing_connection(
    store: Store, store_path: Path, tmp_path: Path
) -> None:
    assert _autocheckpoint(store) == 1000  # SQLite's own, until asked
    store.db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # the schema into the file
    store.checkpoint_in_background()
    store.checkpoint_in_background()  # idempotent: one thread
    assert _autocheckpoint(store) == 0
    checkpointer = store.connection._checkpointer
    assert checkpointer is not None
    assert checkpointer.running
    checkpointer.interval = 0.05
    before = _rows_in_database_file(store_path, tmp_path / "copy.sqlite")
    _write(store, 400)  # ~2000 pages: past SQLite's mark, which is now off
    assert _wait_for(lambda: checkpointer.checkpoints >= 1)
    time.sleep(0.2)  # a checkpoint that started mid-write is followed by another
    assert _wait_for(
        lambda: _rows_in_database_file(store_path, tmp_path / "copy.sqlite") == before + 400
    )
    store.close()
    assert not checkpointer.running
    assert [t for t in threading.enumerate() if t.name == "wal-checkpoint"] == []


def test_an_idle_log_is_not_checkpointed_again(store: Store) -> None:
    store.checkpoint_in_background()
    checkpointer = store.connection._checkpointer
    assert checkpointer is not None
    checkpointer.interval = 0.02
    _write(store, 5)
    assert _wait_for(lambda: checkpointer.checkpoints >= 1)
    settled = checkpointer.checkpoints
    time.sleep(0.3)  # ~15 intervals with no writes
    assert checkpointer.checkpoints == settled


def test_a_failing_thread_hands_checkpoints_back(tmp_path: Path) -> None:
    failed = threading.Event()
    # A folder is no database: the thread's own connection cannot open it.
    checkpointer = WalCheckpointer(tmp_path, on_failure=failed.set, interval=0.01)
    checkpointer.start()
    assert failed.wait(5)
    checkpointer.stop()
    assert not checkpointer.running


def test_after_a_failure_the_store_checkpoints_itself_again(store: Store) -> None:
    store.checkpoint_in_background()
    assert _autocheckpoint(store) == 0
    store.connection._checkpoint_here()  # what the thread calls when it fails
    assert _autocheckpoint(store) == 1000
