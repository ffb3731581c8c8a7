"""A client killed (-9) between the local commit and the push loses nothing; the asyncio
flavour of the live wake-up (psycopg's AsyncConnection, as on the app's qasync loop)."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from tests.team.conftest import Team
from transmit_admin.store.db import open_store
from transmit_admin.store.records import EventKind, SharedEvent
from transmit_admin.store.store import Store
from transmit_admin.team import journal, live
from transmit_admin.team.server import connect_async

CHILD = """
import os, signal, sys
from tests.support.store_factory import make_session
from transmit_admin.store.db import open_store
from transmit_admin.store.records import EventKind
store = open_store(sys.argv[1])
store.upsert_session(make_session(1))
store.add_event("prod", "sess-000001", EventKind.REVOKE_REQUESTED, "logout requested")
os.kill(os.getpid(), signal.SIGKILL)  # before any push
"""


def test_a_client_killed_after_its_local_commit_pushes_the_event_on_restart(
    team: Team, make_store: Callable[[str], Store], tmp_path: Path
) -> None:
    path = tmp_path / "a" / "sessions.sqlite"
    first = make_store("a")
    client = team.client(team.agent_a, first)
    client.join()
    client.close()
    first.close()
    result = subprocess.run(
        [sys.executable, "-c", CHILD, str(path)],
        cwd=Path(__file__).parents[2],
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == -9, result.stderr
    with open_store(path) as store:
        restarted = team.client(team.agent_a, store)
        assert restarted.outbox.waiting("prod") == 1
        report = restarted.sync()
        assert (report.pushed, report.waiting) == (1, 0)
        restarted.close()
    with team.connect(team.agent_b) as conn:
        [event] = journal.read_log(conn)
    assert event.kind == EventKind.REVOKE_REQUESTED
    assert event.actor == team.agent_a


def test_async_wakeups_on_an_asyncio_loop(team: Team) -> None:
    async def scenario() -> float:
        aconn = await connect_async(team.server(team.agent_b), team.passwords[team.agent_b])
        wakeups = live.journal_wakeups(aconn)
        first = asyncio.ensure_future(anext(wakeups))
        await asyncio.sleep(0.2)  # LISTEN is in place
        started = time.monotonic()
        with team.connect(team.agent_a) as conn:
            event = SharedEvent(str(uuid.uuid4()), "synced", "s", datetime.now(UTC), "")
            journal.append(conn, [event])
        await asyncio.wait_for(first, 1.0)
        elapsed = time.monotonic() - started
        await wakeups.aclose()
        await aconn.close()
        return elapsed

    assert asyncio.run(scenario()) < 1.0
