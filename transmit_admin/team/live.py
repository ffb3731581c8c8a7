"""Live wake-ups: LISTEN on the journal's channel; a teammate's commit wakes every window.

Two ways to get them, both with a connection of their own (a LISTEN connection only waits):
- `JournalListener(open_connection, on_wake)`: a daemon thread. `on_wake()` and
  `on_state(connected, reason)` are called **on that thread**: a Qt app hands them to the GUI
  thread with a signal (queued connection) or `loop.call_soon_threadsafe`.
- `async for _ in journal_wakeups(aconn)`: psycopg's AsyncConnection on an asyncio loop.
- `await watch_journal(open_async, on_wake, on_state)`: that, reconnecting, until cancelled;
  the desktop window runs it on its qasync loop (see `ui/team_live.py` for the measurement).

A notification carries no data: it only says "pull now". Pulling is what is reliable (see
`journal.py`); a missed notification only delays, and the listener also wakes every
`idle_wake` seconds and after each reconnect.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import psycopg
from psycopg import sql

from transmit_admin.team.errors import TeamError
from transmit_admin.team.schema import NOTIFY_CHANNEL

log = logging.getLogger(__name__)

Conn = psycopg.Connection[tuple[Any, ...]]


class JournalListener:
    def __init__(
        self,
        open_connection: Callable[[], Conn],
        on_wake: Callable[[], None],
        *,
        on_state: Callable[[bool, str], None] | None = None,
        reconnect_delay: float = 2.0,
        idle_wake: float = 30.0,
    ) -> None:
        self._open = open_connection
        self._on_wake = on_wake
        self._on_state = on_state or (lambda connected, reason: None)
        self._reconnect_delay = reconnect_delay
        self._idle_wake = idle_wake
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="team-listener", daemon=True)
        self._conn: Conn | None = None
        self.listening = threading.Event()  # set while LISTEN is active (tests wait on it)
        self._idle_elapsed = 0.0

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self._thread.join(timeout)

    def __enter__(self) -> JournalListener:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self._listen_once()
            except (TeamError, psycopg.Error) as exc:
                self.listening.clear()
                reason = exc.sentence() if isinstance(exc, TeamError) else str(exc).strip()
                log.info("team listener offline: %s", reason)
                self._on_state(False, reason)
                self._stop.wait(self._reconnect_delay)

    def _listen_once(self) -> None:
        with self._open() as conn:
            conn.execute(sql.SQL("LISTEN {}").format(sql.Identifier(NOTIFY_CHANNEL)))
            self.listening.set()
            self._on_state(True, "")
            self._on_wake()  # catch up on whatever happened while not listening
            while not self._stop.is_set():
                woke = False
                # Short timeouts so that stop() is honoured quickly.
                for _ in conn.notifies(timeout=0.25, stop_after=1):
                    woke = True
                if woke:
                    self._on_wake()
                self._idle_tick()

    def _idle_tick(self) -> None:
        self._idle_elapsed += 0.25
        if self._idle_elapsed >= self._idle_wake:
            self._idle_elapsed = 0.0
            self._on_wake()


async def journal_wakeups(aconn: psycopg.AsyncConnection[Any]) -> AsyncIterator[None]:
    """Yields once per notification burst on an autocommit AsyncConnection."""
    await aconn.execute(sql.SQL("LISTEN {}").format(sql.Identifier(NOTIFY_CHANNEL)))
    async for _ in aconn.notifies():
        yield None


async def watch_journal(
    open_async: Callable[[], Awaitable[psycopg.AsyncConnection[Any]]],
    on_wake: Callable[[], None],
    on_state: Callable[[bool, str], None],
    *,
    reconnect_delay: float = 2.0,
    idle_wake: float = 30.0,
) -> None:
    """`JournalListener`'s loop on an asyncio loop: LISTEN on a connection of its own,
    `on_wake()` after each (re)connect, per notification burst and every `idle_wake`
    seconds; `on_state(False, reason)` when the server is gone, then tries again every
    `reconnect_delay` seconds. Runs until cancelled. The callbacks run on the loop."""
    while True:
        try:
            aconn = await open_async()
        except TeamError as exc:
            log.info("team listener offline: %s", exc.sentence())
            on_state(False, exc.sentence())
            await asyncio.sleep(reconnect_delay)
            continue
        try:
            async with aconn:
                await aconn.execute(sql.SQL("LISTEN {}").format(sql.Identifier(NOTIFY_CHANNEL)))
                on_state(True, "")
                on_wake()  # catch up on whatever happened while not listening
                while True:
                    # One burst (or the idle timeout) per round: a wake-up is "pull now".
                    async for _ in aconn.notifies(timeout=idle_wake, stop_after=1):
                        pass
                    on_wake()
        except psycopg.Error as exc:
            reason = str(exc).strip() or type(exc).__name__
            log.info("team listener offline: %s", reason)
            on_state(False, "the team server closed the connection")
        await asyncio.sleep(reconnect_delay)
