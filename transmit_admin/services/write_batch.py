"""Store writes from concurrent tasks, committed together, on a thread of their own.

A bulk action's workers each make a few small writes per session; as separate
transactions, their commits cost more than the writes, and all of it ran on the event loop
between HTTP answers (bench/ui.py: SQLite was half of a bulk revoke's CPU). `WriteBatch.add`
queues a write and answers a future. Queued writes are run together in one transaction,
each in its own savepoint (a write that fails is undone alone and only its future fails),
on the batch's writer thread: SQLite does most of its work without the GIL, so the loop goes
on with HTTP answers meanwhile, and writes queued while a batch is being committed form the
next one. (With every write awaited before the next HTTP call, the thread's handoffs made a
bulk revoke 15-25 % slower than committing on the loop; `bulk_revoke.py` awaits no write
between an answer and the next send.) Futures are resolved on the loop once the commit is
done: whoever awaits one knows that its write is on disk (as far as SQLite promises).

Use it as an async context manager (`async with WriteBatch(store) as batch:`): leaving it
waits for the last batch and stops the thread.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from types import TracebackType
from typing import Any, Self, TypeVar

from transmit_admin.store.store import Store

T = TypeVar("T")
Queued = list[tuple[Callable[[], Any], asyncio.Future[Any]]]
Outcomes = list[tuple[bool, Any]]


class WriteBatch:
    def __init__(self, store: Store) -> None:
        self._store = store
        self._queued: Queued = []
        self._writing: asyncio.Future[Outcomes] | None = None
        self._thread = ThreadPoolExecutor(1, thread_name_prefix="store-writer")
        self._closed = False

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        # Whatever was queued is written, even when leaving on an error or a cancellation:
        # its futures' owners may still be waiting, and a write is never left half done.
        while self._writing is not None or self._queued:
            if self._writing is None:
                self._start()
            assert self._writing is not None
            await asyncio.wait([self._writing])
            await asyncio.sleep(0)  # `_written` runs, and may start the next batch
        self._closed = True
        self._thread.shutdown(wait=True)

    def add(self, write: Callable[[], T]) -> asyncio.Future[T]:
        """Queues `write` (a callable that writes through the store; it runs on the writer
        thread); its future answers what it returned, or raises what it raised, once its
        batch is committed."""
        if self._closed:
            raise RuntimeError("the write batch is closed")
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        self._queued.append((write, future))
        if len(self._queued) == 1 and self._writing is None:
            # At the end of this turn of the loop: writes queued by other tasks in the same
            # turn join this batch.
            loop.call_soon(self._start)
        return future

    def _start(self) -> None:
        if self._writing is not None or not self._queued:
            return
        queued, self._queued = self._queued, []
        loop = asyncio.get_running_loop()
        self._writing = loop.run_in_executor(self._thread, self._write, queued)
        self._writing.add_done_callback(lambda done: self._written(queued, done))

    def _write(self, queued: Queued) -> Outcomes:  # on the writer thread
        outcomes: Outcomes = []
        with self._store.writing():
            for write, _future in queued:
                try:
                    with self._store.writing():  # a savepoint: a failure is undone alone
                        outcomes.append((True, write()))
                except Exception as exc:  # noqa: BLE001 - handed to the write's future
                    outcomes.append((False, exc))
        return outcomes

    def _written(self, queued: Queued, done: asyncio.Future[Outcomes]) -> None:
        self._writing = None
        failure = done.exception() if not done.cancelled() else asyncio.CancelledError()
        if failure is not None:  # the transaction itself failed: nothing was written
            for _write, future in queued:
                if not future.done():
                    future.set_exception(failure)
        else:
            for (_write, future), (ok, value) in zip(queued, done.result(), strict=True):
                if future.done():  # its waiter was cancelled; the write stands all the same
                    continue
                if ok:
                    future.set_result(value)
                else:
                    future.set_exception(value)
        self._start()  # what was queued meanwhile
