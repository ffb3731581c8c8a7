"""Builders for session-table tests: a real SQLite store in a temp dir, filled fast.

`bulk_insert` writes through the store's own row conversion (`store.rows.session_params`) in
one transaction with `executemany`, so the triggers (counters, full-text index) see every row
exactly as `upsert_session` would write it, without paying one transaction per row.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

from transmit_admin.core.lifecycle import SessionStatus
from transmit_admin.store.db import open_store
from transmit_admin.store.records import SessionRecord
from transmit_admin.store.rows import SESSION_COLUMNS, session_params
from transmit_admin.store.store import Store

ENV = "test-env"
APPS = (("app-acme", "Acme"), ("app-shop", "Shop"), ("app-bank", "Bank"))
FACTORS = (("pwd",), ("eml",), ("pwd", "eml", "mfa"), ("eotp",))
NOW = datetime.now(UTC).replace(microsecond=0)


def make_records(count: int, *, environment: str = ENV, start: int = 0) -> Iterator[SessionRecord]:
    """Deterministic sessions: every 7th revoked, every 5th expired, three apps, four users
    per hundred so that sorting by user has ties (which the keyset cursor must break by id)."""
    for n in range(start, start + count):
        app_id, app_name = APPS[n % len(APPS)]
        created = NOW - timedelta(minutes=n)
        if n % 7 == 3:
            status = SessionStatus.REVOKED
            expires = created + timedelta(days=14)
        elif n % 5 == 4:
            status = SessionStatus.EXPIRED
            expires = NOW - timedelta(hours=1 + n % 10)
        else:
            status = SessionStatus.ACTIVE
            expires = NOW + timedelta(days=13, hours=1 + n % 23)
        yield SessionRecord(
            environment=environment,
            session_id=f"sess-{n:07d}",
            user_id=f"user-{n % 400:04d}",
            email=f"person{n % 400:04d}@example.com" if n % 3 else None,
            created_at=created,
            expires_at=expires,
            last_auth_at=created + timedelta(seconds=30),
            status=status,
            app_id=app_id,
            app_name=app_name,
            factors=FACTORS[n % len(FACTORS)],
            revoked_at=created + timedelta(hours=1) if status is SessionStatus.REVOKED else None,
        )


def bulk_insert(store: Store, records: Iterable[SessionRecord], batch: int = 20_000) -> int:
    columns = ", ".join(SESSION_COLUMNS)
    values = ", ".join(f":{c}" for c in SESSION_COLUMNS)
    sql = f"INSERT INTO sessions ({columns}) VALUES ({values})"
    conn = store.db.conn
    total = 0
    chunk: list[dict[str, object]] = []
    with store.db.atomic():
        for record in records:
            chunk.append(session_params(record))
            if len(chunk) >= batch:
                conn.executemany(sql, chunk)
                total += len(chunk)
                chunk.clear()
        if chunk:
            conn.executemany(sql, chunk)
            total += len(chunk)
    return total


def store_with(tmp_path: Path, count: int) -> Store:
    store = open_store(tmp_path / "sessions.sqlite")
    bulk_insert(store, make_records(count))
    return store


def copy_of(template: Path, tmp_path: Path) -> Store:
    """A private copy of a store file built once (building is the slow part)."""
    target = tmp_path / "sessions.sqlite"
    shutil.copyfile(template, target)
    return open_store(target)


def build_template(directory: Path, count: int) -> Path:
    with store_with(directory, count):
        pass
    return directory / "sessions.sqlite"
