"""Bulk revoke on a worker thread with its own event loop, results streamed to the GUI loop.

Each revoke costs the calling thread several ms of Python (the HTTP stack, then the store's
event, status and audit writes). On the GUI loop, 8 of them finishing together stalled the
window for 100-250 ms (bench/ui.py). Here the same `SessionService.revoke_many` runs on a
private loop in a worker thread with its own `TransmitClient` (an httpx client belongs to the
loop that uses it); the GUI thread only receives the `ActionResult`s, a batch at a time,
and repaints their rows. The store is shared: its lock makes each read or write atomic, and
SQLite's WAL lets the table keep reading.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QCoreApplication, QEvent

from transmit_admin.services.results import ActionResult

CANCEL_POLL_SECONDS = 0.02
DELIVERY_INTERVAL_SECONDS = 0.05
# The longest the worker waits for the GUI to apply and paint a batch (a safety bound only:
# the GUI opens the gate as soon as the batch is painted).
GATE_MAX_WAIT_SECONDS = 0.25


async def _no_keys(kid: str | None = None) -> None:
    return None  # revoking verifies no token


def _revoke_on_worker(
    ctx: Any,
    session_ids: list[str],
    concurrency: int,
    report: Callable[[ActionResult], None],
    cancel: threading.Event,
) -> list[ActionResult]:
    from transmit_admin.api.client import TransmitClient
    from transmit_admin.services.session_service import SessionService

    async def main() -> list[ActionResult]:
        cancel_event = asyncio.Event()

        async def watch() -> None:
            while not cancel.is_set():
                await asyncio.sleep(CANCEL_POLL_SECONDS)
            cancel_event.set()

        async with TransmitClient(ctx.environment, ctx.secret_getter) as client:
            service = SessionService(
                ctx.store,
                client,
                ctx.environment,
                ctx.acting_actor,
                keys_provider=_no_keys,
                claims=ctx.claims,
            )
            watcher = asyncio.create_task(watch())
            try:
                return await service.revoke_many(
                    session_ids,
                    concurrency=concurrency,
                    on_result=report,
                    cancel_event=cancel_event,
                )
            finally:
                watcher.cancel()

    # A plain selector loop of its own, whatever loop policy the GUI installed.
    with asyncio.Runner(loop_factory=asyncio.SelectorEventLoop) as runner:
        return runner.run(main())


async def revoke_many_off_loop(
    ctx: Any,
    session_ids: Sequence[str],
    *,
    concurrency: int,
    on_result: Callable[[ActionResult], None],
    cancel: threading.Event,
) -> list[ActionResult]:
    """`SessionService.revoke_many` on a worker thread; `on_result` runs on this (GUI) loop.

    Results reach `on_result` in the order they finished, in batches at most every
    DELIVERY_INTERVAL_SECONDS: each delivery repaints the table and the activity list, and
    one repaint per result (hundreds a second) cost the GUI thread more than the revokes
    themselves, and took the GIL from the worker. The worker pauses while a batch is
    applied and painted (the gate below). Every `on_result` call is made before this
    returns.
    """
    loop = asyncio.get_running_loop()
    lock = threading.Lock()
    # While the GUI applies a batch and repaints it, the worker waits (in `report`, without
    # the GIL) instead of running Python. A repaint of the table calls into Python (the
    # model's `data`, the chip delegate) hundreds of times and each call had to win the GIL
    # back from the busy worker: repainting the first results' rows, the ones on screen,
    # stalled the window 50-125 ms for ~10-30 ms of work (bench/ui.py). The batch is painted
    # inside `deliver`, while the gate is closed; painted at the next turn of the loop, with
    # the worker running again, the stalls came back (53-97 ms).
    gate = threading.Event()
    gate.set()
    pending: list[ActionResult] = []
    timer: asyncio.TimerHandle | None = None

    def deliver() -> None:
        nonlocal timer
        with lock:
            ready = pending[:]
            pending.clear()
            timer = None
        if not ready:
            return
        gate.clear()
        try:
            for result in ready:
                on_result(result)
            # Paint now, while the worker waits, not at the next turn of the event loop.
            QCoreApplication.sendPostedEvents(None, QEvent.Type.UpdateRequest)
        finally:
            gate.set()

    def schedule() -> None:  # on this loop
        nonlocal timer
        with lock:
            if timer is None and pending:
                timer = loop.call_later(DELIVERY_INTERVAL_SECONDS, deliver)

    def report(result: ActionResult) -> None:  # on the worker thread
        with lock:
            pending.append(result)
            first = len(pending) == 1
        if first:
            loop.call_soon_threadsafe(schedule)
        gate.wait(GATE_MAX_WAIT_SECONDS)

    try:
        return await loop.run_in_executor(
            None, _revoke_on_worker, ctx, list(session_ids), concurrency, report, cancel
        )
    finally:
        with lock:
            if timer is not None:
                timer.cancel()
        deliver()  # what finished since the last delivery, before the caller sums up
