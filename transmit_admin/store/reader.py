"""`StoreReader`: what the UI reads, and nothing it could write with.

The window browses through this surface alone (no SQL, no lock, no connection in `ui/`).
Each call takes the store's lock, so any thread may call it; the session table's worker
thread uses `count_at_path` / `cursor_at_path` instead, on a private read-only connection to
the same file (WAL lets it read while the app writes), because those can take 50-400 ms on a
million sessions and would hold the store's lock that long. Both run the store's own SQL
(`counting.py`), so the filters are exactly those of `page` and `count`.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Literal

from transmit_admin.store import counting
from transmit_admin.store.records import (
    AppRef,
    AuditEntry,
    Page,
    PageCursor,
    SessionEvent,
    SessionQuery,
    SessionRecord,
    TokenSeen,
)
from transmit_admin.store.store import Store

BUSY_TIMEOUT_SECONDS = 5.0


class StoreReader:
    def __init__(self, store: Store) -> None:
        self._store = store

    @property
    def path(self) -> Path:
        """The database file, for `count_at_path` / `cursor_at_path` in a worker thread."""
        return self._store.path

    def page(self, query: SessionQuery, after: PageCursor | None = None, limit: int = 100) -> Page:
        return self._store.sessions.page_sessions(query, after, limit)

    def count(self, query: SessionQuery) -> int:
        return self._store.sessions.count_sessions(query)

    def cursor_at(self, query: SessionQuery, offset: int) -> PageCursor | None:
        """The cursor after which row `offset` starts: None for 0 and past the last row."""
        if offset <= 0:
            return None
        return self._store.sessions.cursor_at(query, offset)

    def get_session(self, environment: str, session_id: str) -> SessionRecord | None:
        return self._store.sessions.get_session(environment, session_id)

    def sessions_of_user(self, environment: str, user_ref: str) -> list[SessionRecord]:
        return self._store.sessions.sessions_of_user(environment, user_ref)

    def events_of(self, environment: str, session_id: str) -> list[SessionEvent]:
        return self._store.history.events_of(environment, session_id)

    def last_actors(self, environment: str, session_ids: list[str]) -> dict[str, str]:
        return self._store.history.last_actors(environment, session_ids)

    def tokens_of(self, environment: str, session_id: str) -> list[TokenSeen]:
        return self._store.tokens.tokens_of(environment, session_id)

    def iter_audit(
        self, limit: int | None = None, *, newest_first: bool = True
    ) -> Iterator[AuditEntry]:
        return self._store.history.iter_audit(limit, newest_first=newest_first)

    def find_session_by_fingerprint(self, fingerprint: str) -> SessionRecord | None:
        return self._store.sessions.find_session_by_fingerprint(fingerprint)

    def find_session_by_jti(self, jti: str, environment: str | None = None) -> SessionRecord | None:
        return self._store.sessions.find_session_by_jti(jti, environment)

    def distinct_apps(self, environment: str) -> list[AppRef]:
        return self._store.sessions.distinct_apps(environment)

    def export_audit(self, fp: IO[str], fmt: Literal["csv", "json"] = "csv") -> int:
        return self._store.history.export_audit(fp, fmt)


def _read_only(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(
        f"{Path(path).resolve().as_uri()}?mode=ro",
        uri=True,
        timeout=BUSY_TIMEOUT_SECONDS,
        check_same_thread=False,
    )


def cursor_at_path(path: Path, query: SessionQuery, offset: int) -> PageCursor | None:
    """`StoreReader.cursor_at` on a private read-only connection to the file (any thread)."""
    if offset <= 0:
        return None
    with contextlib.closing(_read_only(path)) as conn:
        return counting.cursor_on(conn, query, offset)


def count_at_path(path: Path, query: SessionQuery) -> int:
    """`StoreReader.count` on a private read-only connection to the file (any thread)."""
    with contextlib.closing(_read_only(path)) as conn:
        return counting.count_on(conn, query)
