"""`Store`: the session database, a facade over its parts on one connection.

Open one with `transmit_admin.store.db.open_store(path)`. The parts are separate objects:
`sessions` (the session table, `sessions.py`), `tokens` (tokens seen, `tokens.py`) and
`history` (events and the audit log, `history.py`), all on one `Connection` (`base.py`: the
lock, the clock, transactions), so one `writing()` block spans them. The methods below are
the parts' own, named in one place for the services, the CLI and team sync; the UI reads
through `reader.StoreReader` instead.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import IO, Literal

from sqlite_utils import Database

from transmit_admin.core.lifecycle import SessionStatus
from transmit_admin.store import export
from transmit_admin.store.base import (
    BUSY_TIMEOUT_MS,
    Connection,
    StorePart,
    UnknownSession,
    os_user,
)
from transmit_admin.store.history import History
from transmit_admin.store.records import (
    AppRef,
    AuditEntry,
    EventKind,
    ImportResult,
    Page,
    PageCursor,
    SessionEvent,
    SessionQuery,
    SessionRecord,
    TokenSeen,
)
from transmit_admin.store.sessions import Sessions
from transmit_admin.store.tokens import TokensSeen

# Re-exported: callers import these from here.
__all__ = ["BUSY_TIMEOUT_MS", "Store", "UnknownSession", "os_user"]

ExportFormat = Literal["csv", "json"]


class Store(StorePart):
    """The facade over the parts, which share its connection (the connection's `db`, lock,
    `writing()` and clock come from `StorePart`)."""

    def __init__(self, db: Database, path: Path, *, clock: Callable[[], datetime]) -> None:
        super().__init__(Connection(db, path, clock=clock))
        self.sessions = Sessions(self.connection)
        self.tokens = TokensSeen(self.connection)
        self.history = History(self.connection)

    # -- the connection ----------------------------------------------------------------------

    @property
    def path(self) -> Path:
        return self.connection.path

    def close(self) -> None:
        self.connection.close()

    def checkpoint_in_background(self) -> None:
        self.connection.checkpoint_in_background()

    def check_integrity(self) -> list[str]:
        return self.connection.check_integrity()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- sessions ----------------------------------------------------------------------------

    def upsert_session(self, record: SessionRecord) -> bool:
        return self.sessions.upsert_session(record)

    def record_status(self, record: SessionRecord) -> None:
        self.sessions.record_status(record)

    def get_session(self, environment: str, session_id: str) -> SessionRecord | None:
        return self.sessions.get_session(environment, session_id)

    def set_status(
        self,
        environment: str,
        session_id: str,
        status: SessionStatus,
        *,
        at: datetime | None = None,
    ) -> SessionRecord:
        return self.sessions.set_status(environment, session_id, status, at=at)

    def page_sessions(
        self, query: SessionQuery, after: PageCursor | None = None, limit: int = 100
    ) -> Page:
        return self.sessions.page_sessions(query, after, limit)

    def cursor_at(self, query: SessionQuery, offset: int) -> PageCursor | None:
        return self.sessions.cursor_at(query, offset)

    def count_sessions(self, query: SessionQuery) -> int:
        return self.sessions.count_sessions(query)

    def sweep_expired(self, environment: str) -> int:
        return self.sessions.sweep_expired(environment)

    def sessions_of_user(self, environment: str, user_ref: str) -> list[SessionRecord]:
        return self.sessions.sessions_of_user(environment, user_ref)

    def distinct_apps(self, environment: str) -> list[AppRef]:
        return self.sessions.distinct_apps(environment)

    def find_session_by_fingerprint(self, fingerprint: str) -> SessionRecord | None:
        return self.sessions.find_session_by_fingerprint(fingerprint)

    def find_session_by_jti(self, jti: str, environment: str | None = None) -> SessionRecord | None:
        return self.sessions.find_session_by_jti(jti, environment)

    def export_sessions(
        self, fp: IO[str], fmt: ExportFormat = "csv", query: SessionQuery | None = None
    ) -> int:
        """Writes sessions (all, or those of `query`) to `fp` page by page; returns the count."""
        records = self.sessions.iter_all() if query is None else self.sessions.iter_query(query)
        return export.write_sessions(records, fp, fmt)

    def import_sessions(self, fp: IO[str]) -> ImportResult:
        """Imports an export (CSV or JSON, detected) in one transaction: all rows or none.

        New sessions get source "imported"; sessions already recorded are left as they are.
        A malformed row raises `export.ImportRefused` naming the row, and nothing is kept.
        """
        return self.sessions.import_records(export.read_import(fp))

    # -- tokens seen -------------------------------------------------------------------------

    def record_token(self, token: TokenSeen) -> bool:
        return self.tokens.record_token(token)

    def tokens_of(self, environment: str, session_id: str) -> list[TokenSeen]:
        return self.tokens.tokens_of(environment, session_id)

    # -- history -----------------------------------------------------------------------------

    def add_event(
        self,
        environment: str,
        session_id: str,
        kind: EventKind | str,
        detail: str = "",
        actor: str | None = None,
        *,
        at: datetime | None = None,
    ) -> SessionEvent:
        return self.history.add_event(environment, session_id, kind, detail, actor, at=at)

    def events_of(self, environment: str, session_id: str) -> list[SessionEvent]:
        return self.history.events_of(environment, session_id)

    def last_actors(self, environment: str, session_ids: list[str]) -> dict[str, str]:
        return self.history.last_actors(environment, session_ids)

    def interrupted_logouts(
        self, environment: str, requested_before: datetime
    ) -> list[SessionRecord]:
        return self.history.interrupted_logouts(environment, requested_before)

    def audit(
        self,
        action: str,
        target: str,
        outcome: str,
        detail: str = "",
        actor: str | None = None,
        environment: str | None = None,
        user_id: str | None = None,
        user_email: str | None = None,
    ) -> AuditEntry:
        return self.history.audit(
            action, target, outcome, detail, actor, environment, user_id, user_email
        )

    def iter_audit(
        self, limit: int | None = None, *, newest_first: bool = True
    ) -> Iterator[AuditEntry]:
        return self.history.iter_audit(limit, newest_first=newest_first)

    def export_audit(self, fp: IO[str], fmt: ExportFormat = "csv") -> int:
        return self.history.export_audit(fp, fmt)
