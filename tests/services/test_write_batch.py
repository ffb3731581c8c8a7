"""`WriteBatch`: writes queued together share one transaction on the writer thread, each in its
own savepoint; futures resolve only once the commit is done. A real store file throughout."""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from transmit_admin.services.write_batch import WriteBatch
from transmit_admin.store.store import Store


def _audit(store: Store, target: str) -> int:
    return store.audit("test", target=target, outcome="ok").entry_id


def _committed_targets(path: Path) -> list[str]:
    """What another connection sees: only committed rows."""
    with contextlib.closing(sqlite3.connect(path)) as other:
        return [row[0] for row in other.execute("SELECT target FROM audit_log ORDER BY id")]


def _count_transactions(store: Store) -> list[str]:
    begun: list[str] = []
    store.db.conn.set_trace_callback(
        lambda sql: begun.append(sql) if sql.startswith("BEGIN") else None
    )
    return begun


def test_writes_of_one_turn_share_one_commit(store: Store, tmp_path: Path) -> None:
    begun = _count_transactions(store)

    async def main() -> list[int]:
        async with WriteBatch(store) as batch:
            futures = [batch.add(lambda n=n: _audit(store, f"t{n}")) for n in range(5)]
            return list(await asyncio.gather(*futures))

    ids = asyncio.run(main())
    store.db.conn.set_trace_callback(None)
    assert len(begun) == 1
    assert len(set(ids)) == 5
    assert _committed_targets(tmp_path / "sessions.sqlite") == [f"t{n}" for n in range(5)]


def test_writes_of_later_turns_get_their_own_commit(store: Store) -> None:
    begun = _count_transactions(store)

    async def main() -> None:
        async with WriteBatch(store) as batch:
            await batch.add(lambda: _audit(store, "first"))
            await batch.add(lambda: _audit(store, "second"))

    asyncio.run(main())
    store.db.conn.set_trace_callback(None)
    assert len(begun) == 2


def test_a_future_resolves_only_after_the_commit(store: Store, tmp_path: Path) -> None:
    seen_at_resolution: list[list[str]] = []

    async def main() -> None:
        async with WriteBatch(store) as batch:
            future = batch.add(lambda: _audit(store, "durable"))
            future.add_done_callback(
                lambda _f: seen_at_resolution.append(
                    _committed_targets(tmp_path / "sessions.sqlite")
                )
            )
            await future

    asyncio.run(main())
    assert seen_at_resolution == [["durable"]]


def test_a_failing_write_is_undone_alone(store: Store, tmp_path: Path) -> None:
    def half_then_fail() -> None:
        _audit(store, "half-written")
        raise ValueError("boom")

    async def main() -> list[object]:
        async with WriteBatch(store) as batch:
            futures = [
                batch.add(lambda: _audit(store, "before")),
                batch.add(half_then_fail),
                batch.add(lambda: _audit(store, "after")),
            ]
            return list(await asyncio.gather(*futures, return_exceptions=True))

    before, failed, after = asyncio.run(main())
    assert isinstance(before, int)
    assert isinstance(after, int)
    assert isinstance(failed, ValueError)
    assert _committed_targets(tmp_path / "sessions.sqlite") == ["before", "after"]


class CommitFails:
    """The real store, whose outermost transaction fails as a full disk would: rolled back."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.depth = 0

    @contextlib.contextmanager
    def writing(self) -> Iterator[None]:
        self.depth += 1
        try:
            with self.store.writing():
                yield
                if self.depth == 1:
                    raise sqlite3.OperationalError("database or disk is full")
        finally:
            self.depth -= 1


def test_a_failed_commit_fails_every_write_and_keeps_nothing(store: Store, tmp_path: Path) -> None:
    async def main() -> list[object]:
        async with WriteBatch(CommitFails(store)) as batch:  # type: ignore[arg-type]
            futures = [batch.add(lambda n=n: _audit(store, f"t{n}")) for n in range(3)]
            return list(await asyncio.gather(*futures, return_exceptions=True))

    outcomes = asyncio.run(main())
    assert all(isinstance(o, sqlite3.OperationalError) for o in outcomes)
    assert _committed_targets(tmp_path / "sessions.sqlite") == []


def test_a_cancelled_waiter_does_not_undo_its_write(store: Store, tmp_path: Path) -> None:
    async def main() -> None:
        async with WriteBatch(store) as batch:
            future = batch.add(lambda: _audit(store, "kept"))
            future.cancel()

    asyncio.run(main())
    assert _committed_targets(tmp_path / "sessions.sqlite") == ["kept"]


def test_writes_run_on_the_writer_thread_and_leaving_waits_for_them(store: Store) -> None:
    import threading

    seen: list[str] = []

    async def main() -> None:
        async with WriteBatch(store) as batch:
            for n in range(3):
                batch.add(lambda n=n: seen.append(threading.current_thread().name) or n)
        # Leaving the block waited for the writes nobody awaited, and stopped the thread.
        assert len(seen) == 3
        with pytest.raises(RuntimeError):
            batch.add(lambda: None)

    asyncio.run(main())
    assert all(name.startswith("store-writer") for name in seen)
    assert not [t for t in threading.enumerate() if t.name.startswith("store-writer")]
