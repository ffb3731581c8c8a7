"""Bulk revoke on the app's one event loop, its results shown in batches.

The revokes are `SessionService.revoke_many`, a plain coroutine on the GUI's qasync loop
(the semaphore in services/revoke.py bounds how many logouts are in flight). What this adds
is the delivery: results are queued as they come and handed to the table and the activity
list together, on a `QTimer`, at most every `DELIVERY_INTERVAL_MS`. One repaint of the table
and one insert into the Recent list per batch, instead of one per result, keeps the window's
longest stall short while hundreds of results arrive a second (bench/ui.py).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence

from PySide6.QtCore import QObject, QTimer

from transmit_admin.services.results import ActionResult

# Imported with the window, not at the first bulk revoke: the first import of the service
# modules (and PySide6's import hook over them) stalled the loop ~60 ms (bench/README.md).
from transmit_admin.services.session_service import SessionService

DELIVERY_INTERVAL_MS = 50


class ResultBatches(QObject):
    """Queues results; `deliver` gets them in order, a batch per timer tick (or `flush`)."""

    def __init__(
        self,
        deliver: Callable[[list[ActionResult]], None],
        parent: QObject | None = None,
        interval_ms: int = DELIVERY_INTERVAL_MS,
    ) -> None:
        super().__init__(parent)
        self._deliver = deliver
        self._pending: list[ActionResult] = []
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.flush)

    def add(self, result: ActionResult) -> None:
        self._pending.append(result)
        if not self._timer.isActive():
            self._timer.start()

    def flush(self) -> None:
        self._timer.stop()
        if self._pending:
            ready, self._pending = self._pending, []
            self._deliver(ready)


async def revoke_in_batches(
    service: SessionService,
    session_ids: Sequence[str],
    *,
    concurrency: int,
    on_batch: Callable[[list[ActionResult]], None],
    cancel: asyncio.Event,
    parent: QObject | None = None,
) -> list[ActionResult]:
    """`service.revoke_many` with its results delivered to `on_batch` in batches; every
    result has been delivered when this returns (or raises)."""
    batches = ResultBatches(on_batch, parent)
    try:
        return await service.revoke_many(
            session_ids, concurrency=concurrency, on_result=batches.add, cancel_event=cancel
        )
    finally:
        batches.flush()
        batches.deleteLater()
