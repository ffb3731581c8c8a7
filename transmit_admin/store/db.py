"""Opening the session database: permissions, pragmas, integrity check, migrations.

A damaged file is never recreated over: it holds the audit trail of what support did, and
a fresh empty database in its place would hide that anything was lost. The user is told
where the file is and what to do instead.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

from sqlite_utils import Database, Migrations

from transmit_admin.store import migrations as schema
from transmit_admin.store.store import BUSY_TIMEOUT_MS, Store

BUSY_TIMEOUT_SECONDS = BUSY_TIMEOUT_MS / 1000
FULL_CHECK_MAX_BYTES = 32 * 1024 * 1024
MMAP_BYTES = 256 * 1024 * 1024
CACHE_KIB = 32 * 1024
SQLITE_HEADER = b"SQLite format 3\x00"


class StoreError(Exception):
    """A session database that cannot be used; `message` says what to do about it."""

    def __init__(self, message: str, path: Path) -> None:
        super().__init__(message)
        self.message = message
        self.path = path


class StoreDamaged(StoreError):
    """The file is not a database, not ours, or fails SQLite's integrity check."""


class StoreTooNew(StoreError):
    """The file was written by a newer transmit-admin, whose schema this one does not know."""


def open_store(
    path: str | os.PathLike[str],
    *,
    clock: Callable[[], datetime] | None = None,
    migration_set: Migrations | None = None,
    full_check: bool | None = None,
) -> Store:
    """Opens (creating if absent) the database at `path`, upgraded to the current schema.

    `clock` replaces the wall clock (tests); `migration_set` replaces the schema's migrations
    (tests of the upgrade machinery itself); `full_check`: see `_check_integrity`.
    Raises StoreDamaged or StoreTooNew, whose `message` tells the user what to do.
    """
    db_path = Path(path)
    migration_set = migration_set or schema.migrations
    _refuse_non_database(db_path)
    conn = _connect(db_path)
    try:
        # Only reads until the file is known to be a healthy transmit-admin database: a file
        # we refuse must keep every byte it had.
        conn.execute("PRAGMA user_version").fetchone()
        db = Database(conn, execute_plugins=False)
        _check_integrity(db, db_path, full_check)
        _check_ownership(db, db_path, migration_set)
        _configure(db)
        if _migrate(db, db_path, migration_set):
            # A migration may edit the schema in place (v3 loosens a CHECK that way); the
            # full-text table's connection-level state then still points at the old one.
            # A fresh connection reads the committed schema whole.
            conn.close()
            conn = _connect(db_path)
            db = Database(conn, execute_plugins=False)
            _configure(db)
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise StoreDamaged(_damaged_message(db_path, str(exc)), db_path) from exc
    except BaseException:
        conn.close()
        raise
    return Store(db, db_path, clock=clock or (lambda: datetime.now(UTC)))


def _refuse_non_database(path: Path) -> None:
    try:
        with path.open("rb") as handle:
            header = handle.read(100)
    except FileNotFoundError:
        return
    except IsADirectoryError as exc:
        raise StoreDamaged(f"{path} is a folder, not a database file.", path) from exc
    # SQLite would take an empty file for a new database and write one into it. Only a file
    # that does not exist is created: an empty one lost its contents (a full disk, a failed
    # copy, a truncation), and the user must know. A new WAL database can keep everything
    # in its -wal file for a moment, so an empty main file beside a non-empty log is left to
    # SQLite.
    if not header:
        wal = path.with_name(path.name + "-wal")
        if not (wal.exists() and wal.stat().st_size > 0):
            raise StoreDamaged(_damaged_message(path, "the file is empty"), path)
        return
    if not header.startswith(SQLITE_HEADER) or len(header) < 100:
        raise StoreDamaged(_damaged_message(path, "it is not an SQLite database"), path)
    expected = _size_from_header(header)
    if expected is not None and path.stat().st_size < expected:
        raise StoreDamaged(_damaged_message(path, "the file is truncated"), path)


def _size_from_header(header: bytes) -> int | None:
    """The file size the header promises, when the header says its page count is valid."""
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    page_count = int.from_bytes(header[28:32], "big")
    change_counter = header[24:28]
    valid_for = header[92:96]
    if page_count == 0 or change_counter != valid_for:
        return None
    return page_size * page_count


@contextlib.contextmanager
def _private_umask() -> Iterator[None]:
    # The database, its -wal/-shm files and backups hold who-logged-in-where: owner only.
    previous = os.umask(0o077)
    try:
        yield
    finally:
        os.umask(previous)


def _connect(path: Path) -> sqlite3.Connection:
    path.parent.mkdir(parents=True, exist_ok=True)
    with _private_umask():
        # check_same_thread=False: callers may hop threads (asyncio.to_thread); Store
        # serialises access to the connection with its own lock.
        conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_SECONDS, check_same_thread=False)
        try:
            # Creates the file now, under the umask, so it is owner-only from the start.
            conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        except BaseException:
            conn.close()
            raise
    return conn


def _check_integrity(db: Database, path: Path, full_check: bool | None) -> None:
    """`PRAGMA quick_check`, over the whole file when it is small (or `full_check`).

    quick_check reads every page: about 2.6 s per 100k sessions here (20 s at 1M), too slow
    for every start of a desktop app. Above FULL_CHECK_MAX_BYTES only the small tables and
    the schema are checked at open (the header's size was checked already); a damaged page
    of the session table then surfaces as sqlite3.DatabaseError when read, and
    `Store.check_integrity()` runs the full check on demand.
    """
    if full_check is None:
        full_check = not path.exists() or path.stat().st_size <= FULL_CHECK_MAX_BYTES
    if full_check:
        problems = [row[0] for row in db.conn.execute("PRAGMA quick_check").fetchall()]
    else:
        problems = []
        tables = [
            row[0]
            for row in db.conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name != 'sessions' "
                "AND name NOT LIKE 'sessions_fts%'"
            )
        ]
        for table in tables:
            checked = db.conn.execute(f'PRAGMA quick_check("{table}")').fetchall()
            problems += [row[0] for row in checked if row[0] != "ok"]
        problems = problems or ["ok"]
    if problems != ["ok"]:
        raise StoreDamaged(_damaged_message(path, "; ".join(problems[:3])), path)


def _check_ownership(db: Database, path: Path, migration_set: Migrations) -> None:
    applied = [m.name for m in migration_set.applied(db)]
    known = schema.known_names(migration_set)
    unknown = [name for name in applied if name not in known]
    if unknown:
        raise StoreTooNew(
            f"The session database at {path} was written by a newer transmit-admin "
            f"(schema {unknown[-1]}). Update transmit-admin, or point --data-dir elsewhere.",
            path,
        )
    if not applied and _has_tables(db):
        raise StoreDamaged(
            f"{path} is an SQLite database, but not a transmit-admin one. It was left "
            "untouched: point --data-dir (or TRANSMIT_ADMIN_HOME) at another folder.",
            path,
        )


def _configure(db: Database) -> None:
    conn = db.conn
    with db.ensure_autocommit_on():
        conn.execute("PRAGMA journal_mode=WAL")
        # NORMAL is durable against application crashes in WAL mode; only a power cut
        # can lose the last transactions, never corrupt the file.
        conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("PRAGMA foreign_keys=ON")
    # A page of the session table reads ~100 rows scattered over the file (they are in
    # sort order, not in storage order): memory-mapped reads and a larger page cache
    # keep that from turning into hundreds of read() calls on a big store.
    conn.execute(f"PRAGMA mmap_size={MMAP_BYTES}")
    conn.execute(f"PRAGMA cache_size=-{CACHE_KIB}")


def _migrate(db: Database, path: Path, migration_set: Migrations) -> bool:
    """Runs the pending migrations in one transaction; True when there were any."""
    applied = migration_set.applied(db)
    if not migration_set.pending(db):
        return False
    if applied:
        backup_before_migration(db, path, version=len(applied))
    # BEGIN IMMEDIATE: a second process opening the same file at the same moment waits here
    # and then finds nothing pending, instead of running the same migration twice.
    db.conn.execute("BEGIN IMMEDIATE")
    try:
        migration_set.apply(db)
        db.conn.execute("COMMIT")
    except BaseException:
        db.rollback()
        raise
    return True


def _has_tables(db: Database) -> bool:
    row = db.conn.execute(
        "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name != ?",
        [Migrations.migrations_table],
    ).fetchone()
    return bool(row[0])


def backup_before_migration(db: Database, path: Path, *, version: int) -> Path:
    """Copies the database aside as `<name>.pre-migration-<version>.bak`, consistently.

    SQLite's backup API rather than a file copy: it includes what is still in the -wal file.
    An existing backup is never overwritten (it may be the only good copy).
    """
    target = path.with_name(f"{path.name}.pre-migration-{version}.bak")
    if target.exists():
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        target = path.with_name(f"{path.name}.pre-migration-{version}.{stamp}.bak")
    with _private_umask():
        copy = sqlite3.connect(target)
        try:
            db.conn.backup(copy)
        finally:
            copy.close()
    return target


def _damaged_message(path: Path, detail: str) -> str:
    backups = sorted(path.parent.glob(f"{path.name}.*.bak"))
    restore = (
        f" or restore the backup copy {backups[-1]} by copying it to {path}"
        if backups
        else " or restore it from your own backups"
    )
    return (
        f"The session database at {path} cannot be used ({detail}). It has been left "
        f"untouched. Move it aside (for example rename it to {path.name}.damaged) so that "
        f"transmit-admin starts a new, empty one,{restore}."
    )
