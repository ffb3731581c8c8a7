"""Several processes on one database file: concurrent writers, and a writer killed mid-import."""

from __future__ import annotations

import io
import multiprocessing
import os
import signal
import time
from pathlib import Path
from typing import Any

from tests.support.store_factory import make_session
from transmit_admin.store.db import open_store
from transmit_admin.store.records import EventKind, SessionQuery

SPAWN = multiprocessing.get_context("spawn")  # no fork of a process that may hold threads


def _writer(path: str, prefix: str, count: int, start: Any) -> None:
    store = open_store(path)
    start.wait(30)
    for number in range(count):
        session = make_session(number, session_id=f"{prefix}-{number}")
        store.upsert_session(session)
        store.add_event("prod", session.session_id, EventKind.CREATED, prefix)
        store.audit("track", session.session_id, "ok", actor=prefix, environment="prod")
    store.close()


def test_two_processes_writing_at_once_both_succeed(store_path: Path) -> None:
    open_store(store_path).close()
    start = SPAWN.Event()
    workers = [
        SPAWN.Process(target=_writer, args=(str(store_path), name, 150, start))
        for name in ("left", "right")
    ]
    for worker in workers:
        worker.start()
    start.set()
    for worker in workers:
        worker.join(50)
    assert [w.exitcode for w in workers] == [0, 0]
    with open_store(store_path) as store:
        assert store.count_sessions(SessionQuery("prod")) == 300
        actors = [entry.actor for entry in store.iter_audit()]
        assert sorted(set(actors)) == ["left", "right"]
        assert len(actors) == 300
        assert store.check_integrity() == ["ok"]


class _StallingCsv(io.TextIOBase):
    """An endless CSV export that signals, then hangs, once `stall_at` rows were read."""

    def __init__(self, marker: str, stall_at: int) -> None:
        self.marker = marker
        self.stall_at = stall_at
        self.rows = 0

    def readline(self, size: int | None = -1) -> str:
        if self.rows == 0:
            self.rows = 1
            return "environment,session_id,user_id,created_at\n"
        if self.rows == self.stall_at:
            Path(self.marker).touch()
            time.sleep(60)  # the parent kills us here, in the middle of the transaction
        self.rows += 1
        return f"imported,imp-{self.rows},u{self.rows},2026-11-20T09:00:00+00:00\n"

    def __next__(self) -> str:
        return self.readline()


def _importer(path: str, marker: str) -> None:
    store = open_store(path)
    store.import_sessions(_StallingCsv(marker, stall_at=2600))


def test_a_process_killed_mid_import_leaves_no_partial_rows(
    store_path: Path, tmp_path: Path
) -> None:
    with open_store(store_path) as store:
        store.upsert_session(make_session(1))
    marker = tmp_path / "stalled"
    child = SPAWN.Process(target=_importer, args=(str(store_path), str(marker)))
    child.start()
    deadline = time.monotonic() + 40
    while not marker.exists() and time.monotonic() < deadline and child.is_alive():
        time.sleep(0.05)
    assert marker.exists(), "the importer never got going"
    assert child.pid is not None
    os.kill(child.pid, signal.SIGKILL)
    child.join(10)
    assert child.exitcode == -signal.SIGKILL
    with open_store(store_path) as store:
        assert store.count_sessions(SessionQuery("imported")) == 0
        assert store.page_sessions(SessionQuery("imported", search="imp")).rows == []
        assert store.get_session("prod", "sess-000001") is not None
        assert store.check_integrity() == ["ok"]
        # and the database takes the next import normally
        done = store.import_sessions(
            io.StringIO(
                "environment,session_id,user_id,created_at\n"
                "imported,imp-1,u1,2026-11-20T09:00:00+00:00\n"
            )
        )
        assert done.inserted == 1
