"""Opening the database: permissions, pragmas, damaged files, upgrades from every schema."""

from __future__ import annotations

import shutil
import sqlite3
import stat
from contextlib import closing
from pathlib import Path

import pytest
from sqlite_utils import Database, Migrations

from tests.support.store_factory import make_session
from transmit_admin.store.db import StoreDamaged, StoreTooNew, open_store
from transmit_admin.store.migrations import MIGRATION_SET, SCHEMA_VERSION
from transmit_admin.store.migrations import migrations as schema_migrations
from transmit_admin.store.records import SessionQuery

FROZEN = sorted((Path(__file__).parents[1] / "data").glob("schema-v*.sqlite"))


def test_a_new_store_is_private_and_uses_wal_foreign_keys_and_a_busy_timeout(
    store_path: Path,
) -> None:
    with open_store(store_path) as store:
        store.upsert_session(make_session(1))
        pragma = store.db.conn.execute
        assert pragma("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert pragma("PRAGMA foreign_keys").fetchone()[0] == 1
        assert pragma("PRAGMA busy_timeout").fetchone()[0] == 5000
        for suffix in ("", "-wal", "-shm"):
            mode = stat.S_IMODE((store_path.parent / (store_path.name + suffix)).stat().st_mode)
            assert mode == 0o600, (suffix, oct(mode))


def _populated(path: Path, sessions: int = 300) -> bytes:
    with open_store(path) as store, store.db.atomic():
        for number in range(sessions):
            store.upsert_session(make_session(number, note="n" * 200))
        store.audit("revoke", "sess-000001", "ok")
    with (
        closing(sqlite3.connect(path)) as conn,
        conn,
    ):  # fold the WAL in so the file alone is the database
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path.read_bytes()


def _assert_refused_untouched(path: Path, *, full_check: bool | None = None) -> StoreDamaged:
    before = path.read_bytes()
    with pytest.raises(StoreDamaged) as caught:
        open_store(path, full_check=full_check)
    assert path.read_bytes() == before
    assert str(path) in caught.value.message
    assert caught.value.path == path
    return caught.value


def test_a_non_database_file_is_reported_not_replaced(store_path: Path) -> None:
    store_path.parent.mkdir(parents=True)
    store_path.write_text("name,email\nann,ann@example.com\n")
    damaged = _assert_refused_untouched(store_path)
    assert "not an SQLite database" in damaged.message
    assert "Move it aside" in damaged.message


def test_garbage_bytes_inside_a_database_are_reported_not_replaced(store_path: Path) -> None:
    content = bytearray(_populated(store_path))
    content[len(content) // 2 : len(content) // 2 + 8192] = b"\xde\xad\xbe\xef" * 2048
    store_path.write_bytes(bytes(content))
    _assert_refused_untouched(store_path)


@pytest.mark.parametrize("full_check", [None, False])
def test_a_truncated_database_is_reported_not_replaced(
    store_path: Path, full_check: bool | None
) -> None:
    content = _populated(store_path)
    store_path.write_bytes(content[: len(content) // 2])
    damaged = _assert_refused_untouched(store_path, full_check=full_check)
    assert "truncated" in damaged.message


def test_the_message_points_at_the_backup_copy_when_there_is_one(store_path: Path) -> None:
    _populated(store_path, sessions=3)
    backup = store_path.with_name(store_path.name + ".pre-migration-1.bak")
    shutil.copy(store_path, backup)
    store_path.write_bytes(b"SQLite format 3\x00" + b"\x00" * 200)
    damaged = _assert_refused_untouched(store_path)
    assert str(backup) in damaged.message


def test_a_foreign_sqlite_database_is_not_taken_over(store_path: Path) -> None:
    store_path.parent.mkdir(parents=True)
    with closing(sqlite3.connect(store_path)) as conn, conn:
        conn.execute("CREATE TABLE photos (id INTEGER PRIMARY KEY, path TEXT)")
    damaged = _assert_refused_untouched(store_path)
    assert "not a transmit-admin one" in damaged.message


def test_a_database_from_a_newer_version_is_refused(store_path: Path) -> None:
    open_store(store_path).close()
    with closing(sqlite3.connect(store_path)) as conn, conn:
        conn.execute(
            "INSERT INTO _sqlite_migrations (migration_set, name, applied_at) VALUES (?, ?, ?)",
            [MIGRATION_SET, "v99", "2030-01-01"],
        )
    with pytest.raises(StoreTooNew, match="newer transmit-admin"):
        open_store(store_path)


def test_a_folder_in_place_of_the_file_is_reported(tmp_path: Path) -> None:
    with pytest.raises(StoreDamaged, match="is a folder"):
        open_store(tmp_path)


def test_frozen_schemas_exist_for_every_released_version() -> None:
    versions = sorted(int(path.stem.removeprefix("schema-v")) for path in FROZEN)
    assert versions == list(range(1, SCHEMA_VERSION + 1))


@pytest.mark.parametrize("frozen", FROZEN, ids=lambda path: path.stem)
def test_every_frozen_schema_upgrades_to_the_current_one(frozen: Path, tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    shutil.copy(frozen, path)
    old_version = int(frozen.stem.removeprefix("schema-v"))
    with closing(sqlite3.connect(path)) as conn, conn:  # a row written by that version, by hand
        conn.execute(
            "INSERT INTO sessions (environment, session_id, user_id, user_key, email, "
            "created_at, expires_at, last_auth_at, status, source) VALUES "
            "('prod', 'old-1', 'u1', 'ann@x.io', 'ann@x.io', 1.7e9, 1.8e9, 1.7e9, 'active', "
            "'tracked')"
        )
    with open_store(path) as store:
        applied = [m.name for m in Migrations(MIGRATION_SET).applied(store.db)]
        assert len(applied) == SCHEMA_VERSION
        assert store.get_session("prod", "old-1") is not None
        assert store.count_sessions(SessionQuery("prod", search="ann")) == 1
    backups = list(tmp_path.glob("old.sqlite.pre-migration-*.bak"))
    expected = [] if old_version == SCHEMA_VERSION else [f"pre-migration-{old_version}"]
    assert [b.name.split(".")[2] for b in backups] == expected


def _with_next(migration: object) -> Migrations:
    """The schema's migrations plus one more after the latest."""
    extended = Migrations(MIGRATION_SET)
    for known in schema_migrations._migrations:
        extended(name=known.name)(known.fn)
    extended(name=f"v{SCHEMA_VERSION + 1}")(migration)  # type: ignore[arg-type]
    return extended


def test_a_backup_is_taken_before_a_migration_runs(store_path: Path) -> None:
    with open_store(store_path) as store:
        store.upsert_session(make_session(1))  # still in the -wal file: the backup needs it

        def add_column(db: Database) -> None:
            db.execute("ALTER TABLE sessions ADD COLUMN risk TEXT")

        with open_store(store_path, migration_set=_with_next(add_column)) as upgraded:
            columns = [c.name for c in upgraded.db["sessions"].columns]
            assert "risk" in columns
    backup = store_path.with_name(store_path.name + f".pre-migration-{SCHEMA_VERSION}.bak")
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600
    with open_store(backup) as restored:
        assert restored.get_session("prod", "sess-000001") is not None
        assert "risk" not in [c.name for c in restored.db["sessions"].columns]


def test_a_failing_migration_leaves_the_file_as_it_was(store_path: Path) -> None:
    with open_store(store_path) as store:
        store.upsert_session(make_session(1))

    def half_done(db: Database) -> None:
        db.execute("ALTER TABLE sessions ADD COLUMN risk TEXT")
        raise RuntimeError("migration bug")

    with pytest.raises(RuntimeError, match="migration bug"):
        open_store(store_path, migration_set=_with_next(half_done))
    with open_store(store_path) as store:
        assert "risk" not in [c.name for c in store.db["sessions"].columns]
        assert store.get_session("prod", "sess-000001") is not None
    assert store_path.with_name(store_path.name + f".pre-migration-{SCHEMA_VERSION}.bak").exists()


@pytest.mark.parametrize("name", ["sessions.sqlite", "sandbox-demo.sqlite"])
def test_an_empty_file_is_refused_like_a_truncated_one_and_left_empty(
    tmp_path: Path, name: str
) -> None:
    path = tmp_path / name
    path.touch()
    damaged = _assert_refused_untouched(path)
    assert "empty" in damaged.message
    assert path.stat().st_size == 0
    assert not (tmp_path / f"{name}-wal").exists()


def test_a_missing_file_is_created(tmp_path: Path) -> None:
    path = tmp_path / "sessions.sqlite"
    with open_store(path) as store:
        store.upsert_session(make_session(1))
    assert path.stat().st_size > 0


@pytest.mark.parametrize("migrated", [False, True], ids=["no-backup", "backup"])
def test_the_damage_message_names_a_backup_only_when_one_exists(
    tmp_path: Path, migrated: bool
) -> None:
    path = tmp_path / "sessions.sqlite"
    path.write_bytes(b"not a database at all" * 10)
    if migrated:
        (tmp_path / "sessions.sqlite.pre-migration-1.bak").write_bytes(b"older copy")
    message = _assert_refused_untouched(path).message
    if migrated:
        assert "sessions.sqlite.pre-migration-1.bak" in message
        assert "your own backups" not in message
    else:
        assert "restore it from your own backups" in message
        assert ".bak" not in message
