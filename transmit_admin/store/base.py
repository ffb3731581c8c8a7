"""What every part of `Store` shares: the connection, its lock, the clock, transactions.

`Connection` owns them; each part of the store (`sessions.py`, `tokens.py`, `history.py`) is
a `StorePart` over the one `Connection`, so a transaction may span parts (an action's
status, event and audit row commit together). Methods are safe to call from any one thread
at a time, and from several threads (a lock serialises them); other processes may write the
same file concurrently (WAL, busy timeout).
"""

from __future__ import annotations

import contextlib
import functools
import getpass
import sqlite3
import threading
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Concatenate, ParamSpec, Protocol, TypeVar

from sqlite_utils import Database

from transmit_admin.store.checkpoint import WalCheckpointer
from transmit_admin.store.records import require_aware

BUSY_TIMEOUT_MS = 5000  # how long a write waits for another process's write lock
DEFAULT_AUTOCHECKPOINT_PAGES = 1000  # SQLite's default

P = ParamSpec("P")
R = TypeVar("R")


class _Locked(Protocol):
    @property
    def _lock(self) -> threading.RLock: ...


S = TypeVar("S", bound=_Locked)


class UnknownSession(LookupError):
    """No session with that environment and session id is recorded."""

    def __init__(self, environment: str, session_id: str) -> None:
        super().__init__(f"no session {session_id!r} is recorded for environment {environment!r}")
        self.environment = environment
        self.session_id = session_id


def locked(method: Callable[Concatenate[S, P], R]) -> Callable[Concatenate[S, P], R]:
    """Runs the method holding the store's lock (one connection, several threads)."""

    def wrapper(self: S, /, *args: P.args, **kwargs: P.kwargs) -> R:
        with self._lock:
            return method(self, *args, **kwargs)

    functools.update_wrapper(wrapper, method)
    return wrapper


def os_user() -> str:
    """Who is acting, for events and the audit log: the OS login name."""
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no login name in a bare container
        return "unknown"


class Connection:
    """The database connection, its lock and the clock, shared by every part of a store."""

    def __init__(self, db: Database, path: Path, *, clock: Callable[[], datetime]) -> None:
        self.db = db
        self.path = path
        self._clock = clock
        self._lock = threading.RLock()
        self._checkpointer: WalCheckpointer | None = None

    def close(self) -> None:
        # Before taking the lock: a failing checkpointer takes it to hand checkpoints back.
        if self._checkpointer is not None:
            self._checkpointer.stop()
        with self._lock:
            self.db.close()

    def checkpoint_in_background(self) -> None:
        """Moves WAL checkpoints (and their fsyncs) off the threads that commit, to a thread
        of their own (`checkpoint.py`); for a long-lived process that writes while a window
        reads. `close()` stops it. Idempotent."""
        with self._lock:
            if self._checkpointer is not None:
                return
            self.db.conn.execute("PRAGMA wal_autocheckpoint=0")
            self._checkpointer = WalCheckpointer(self.path, on_failure=self._checkpoint_here)
            self._checkpointer.start()

    def _checkpoint_here(self) -> None:
        """The checkpoint thread failed: SQLite's automatic checkpoints again."""
        with self._lock, contextlib.suppress(sqlite3.ProgrammingError):  # closed meanwhile
            self.db.conn.execute(f"PRAGMA wal_autocheckpoint={DEFAULT_AUTOCHECKPOINT_PAGES}")

    @locked
    def check_integrity(self) -> list[str]:
        """SQLite's full `quick_check` of the file: ["ok"] or the problems found (slow on
        big files: about 20 s at 1M sessions)."""
        return [str(row[0]) for row in self.db.conn.execute("PRAGMA quick_check")]

    @contextlib.contextmanager
    def writing(self) -> Iterator[None]:
        """One write transaction (nested: a savepoint), taken with BEGIN IMMEDIATE.

        A deferred BEGIN that reads first and writes later cannot wait for another process's
        write lock: SQLite answers "database is locked" at once instead of honouring the
        busy timeout. Taking the write lock up front makes concurrent writers queue.
        """
        with self._lock:
            if self.db.conn.in_transaction:
                with self._savepoint():
                    yield
                return
            self.db.conn.execute("BEGIN IMMEDIATE")
            try:
                yield
            except BaseException:
                self.db.rollback()
                raise
            self.db.conn.execute("COMMIT")

    @contextlib.contextmanager
    def _savepoint(self) -> Iterator[None]:
        """A nested `writing()`: undone alone when its block raises.

        One constant name rather than sqlite-utils' random one per call: SQLite pairs RELEASE
        and ROLLBACK TO with the innermost savepoint of that name, so nesting still works, and
        the three statements are prepared once (the connection's statement cache) instead of
        on every nested write (an action's outcome nests three).
        """
        conn = self.db.conn
        conn.execute("SAVEPOINT store_writing")
        try:
            yield
        except BaseException:
            # A failure such as a RAISE(ROLLBACK) trigger can end the whole transaction,
            # savepoints included; then there is nothing left to roll back to.
            if conn.in_transaction:
                conn.execute("ROLLBACK TO SAVEPOINT store_writing")
                conn.execute("RELEASE SAVEPOINT store_writing")
            raise
        conn.execute("RELEASE SAVEPOINT store_writing")

    def now(self) -> datetime:
        return require_aware(self._clock(), "clock()")

    def _row_id(self, environment: str, session_id: str) -> int | None:
        row = self.db.conn.execute(
            "SELECT id FROM sessions WHERE environment = ? AND session_id = ?",
            [environment, session_id],
        ).fetchone()
        return None if row is None else int(row[0])


class StorePart:
    """One part of the store (sessions, tokens seen, history) on the shared `Connection`."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    @property
    def db(self) -> Database:
        return self.connection.db

    @property
    def _lock(self) -> threading.RLock:
        return self.connection._lock

    def writing(self) -> contextlib.AbstractContextManager[None]:
        return self.connection.writing()

    def now(self) -> datetime:
        return self.connection.now()

    def _row_id(self, environment: str, session_id: str) -> int | None:
        return self.connection._row_id(environment, session_id)
