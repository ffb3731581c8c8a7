"""Store writes from concurrent tasks, committed together at the end of a loop turn.

A bulk action's workers each make a few small writes per session; as separate
transactions, their commits cost more than the writes (bench/ui.py: SQLite was half of a
bulk revoke's CPU, most of it in commits). `WriteBatch.add` queues a write and answers a
future; all writes queued during one turn of the event loop are run in one transaction just
after it, each in its own savepoint, so a write that fails is undone alone and only its own
future fails. Futures are resolved once the commit is done: whoever awaits one knows that
its write is on disk (as far as SQLite promises).

On the loop's own thread, not a writer thread: measured both ways (bench/ui.py, runs
alternated), handing batches to a thread made the bulk revoke 15-25 % slower, the GIL
handoffs costing more than SQLite's GIL-free work saved.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, TypeVar

from transmit_admin.store.store import Store

T = TypeVar("T")


class WriteBatch:
    def __init__(self, store: Store) -> None:
        self._store = store
        self._queued: list[tuple[Callable[[], Any], asyncio.Future[Any]]] = []

    def add(self, write: Callable[[], T]) -> asyncio.Future[T]:
        """Queues `write` (a callable that writes through the store); its future answers
        what it returned, or raises what it raised, once the batch is committed."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        self._queued.append((write, future))
        if len(self._queued) == 1:
            loop.call_soon(self._flush)
        return future

    def _flush(self) -> None:
        queued, self._queued = self._queued, []
        outcomes: list[tuple[bool, Any]] = []
        try:
            with self._store.writing():
                for write, _future in queued:
                    try:
                        with self._store.writing():  # a savepoint: a failure is undone alone
                            outcomes.append((True, write()))
                    except Exception as exc:  # noqa: BLE001 - handed to the write's future
                        outcomes.append((False, exc))
        except BaseException as exc:  # the commit itself failed: nothing was written
            for _write, future in queued:
                if not future.done():
                    future.set_exception(exc)
            if not isinstance(exc, Exception):
                raise
            return
        for (_write, future), (ok, value) in zip(queued, outcomes, strict=True):
            if future.done():  # its waiter was cancelled; the write stands all the same
                continue
            if ok:
                future.set_result(value)
            else:
                future.set_exception(value)
