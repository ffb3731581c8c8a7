"""The values the store reads and writes: plain frozen dataclasses, no database handles.

Times: every time is exposed as a timezone-aware `datetime` in UTC and stored in SQLite as
UTC epoch seconds (REAL). A naive datetime is refused (ValueError) rather than guessed at.

Secrets: nothing here ever holds a raw token, refresh token or client secret. A token is
known by its SHA-256 fingerprint and its decoded, non-secret claims.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, Literal

from transmit_admin.core.lifecycle import SessionStatus

# "har": first tracked from a customer's HAR capture (services/har_intake.py).
SessionSource = Literal["tracked", "synced", "imported", "har"]
SESSION_SOURCES: tuple[SessionSource, ...] = ("tracked", "synced", "imported", "har")

SortKey = Literal["created", "expires", "last_auth", "user"]
SORT_KEYS: tuple[SortKey, ...] = ("created", "expires", "last_auth", "user")


class EventKind(StrEnum):
    CREATED = "created"
    FACTOR_ADDED = "factor_added"
    CHECKED_ALIVE = "checked_alive"
    FOUND_ENDED = "found_ended"
    REAUTHENTICATED = "reauthenticated"
    REVOKE_REQUESTED = "revoke_requested"
    REVOKE_CONFIRMED = "revoke_confirmed"
    REVOKE_FAILED = "revoke_failed"
    # A logout answered with something other than the documented 204: confirms nothing.
    REVOKE_UNCONFIRMED = "revoke_unconfirmed"
    SYNCED = "synced"
    NOTE_CHANGED = "note_changed"


def require_aware(moment: datetime, name: str) -> datetime:
    if moment.tzinfo is not UTC and (moment.tzinfo is None or moment.utcoffset() is None):
        raise ValueError(f"{name} must be a timezone-aware datetime, got a naive one")
    return moment


@dataclass(frozen=True, slots=True)
class SessionRecord:
    """One backend session as this machine knows it; (environment, session_id) is its key.

    `last_auth_at` is the time of the newest authentication in the session; the session's
    creation is its first one, so pass `created_at` when nothing newer is known.
    `access_expires_at` is the `exp` of the newest access token seen in the session: the store
    raises it whenever `record_token` sees a later one and never lowers it.
    `factors` are `amr` codes ("eml", "pwd", ...), in the order first seen.
    """

    environment: str
    session_id: str
    user_id: str
    created_at: datetime
    expires_at: datetime
    last_auth_at: datetime
    status: SessionStatus = SessionStatus.ACTIVE
    source: SessionSource = "tracked"
    email: str | None = None
    app_id: str | None = None
    app_name: str | None = None
    client_id: str | None = None
    tenant_id: str | None = None
    last_checked_at: datetime | None = None
    factors: tuple[str, ...] = ()
    local_ref: str | None = None
    note: str | None = None
    revoked_at: datetime | None = None
    ended_at: datetime | None = None
    access_expires_at: datetime | None = None

    def __post_init__(self) -> None:
        if not self.environment or not self.session_id:
            raise ValueError("a session needs an environment and a session_id")
        if self.source not in SESSION_SOURCES:
            raise ValueError(f"unknown session source {self.source!r}")
        if type(self.status) is not SessionStatus:
            object.__setattr__(self, "status", SessionStatus(self.status))
        if type(self.factors) is not tuple:
            object.__setattr__(self, "factors", tuple(self.factors))
        for name in ("created_at", "expires_at", "last_auth_at"):
            require_aware(getattr(self, name), name)
        for name in ("last_checked_at", "revoked_at", "ended_at", "access_expires_at"):
            value = getattr(self, name)
            if value is not None:
                require_aware(value, name)


@dataclass(frozen=True, slots=True)
class TokenSeen:
    """A token that passed through the tool, known only by fingerprint and claims.

    `fingerprint` is the lowercase hex SHA-256 of the token text; `kind` is a
    `core.report.TokenKind` value ("user_access_token", "id_token", ...). `claims` must be the
    decoded payload: the store refuses any value that looks like a token or a secret.
    """

    fingerprint: str
    kind: str
    environment: str
    seen_at: datetime
    session_id: str | None = None
    jti: str | None = None
    sub: str | None = None
    iat: datetime | None = None
    exp: datetime | None = None
    claims: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        require_aware(self.seen_at, "seen_at")
        for name in ("iat", "exp"):
            value = getattr(self, name)
            if value is not None:
                require_aware(value, name)


@dataclass(frozen=True, slots=True)
class SessionEvent:
    event_id: int
    environment: str
    session_id: str
    kind: EventKind
    at: datetime
    actor: str
    detail: str
    event_uuid: str | None = None  # one identity everywhere (this file, the team journal)
    origin: str = "local"  # "local": done here; "team": applied from the team's journal


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One line of the append-only audit log (the database refuses updates and deletes)."""

    entry_id: int
    at: datetime
    actor: str
    action: str
    target: str
    outcome: str
    detail: str
    environment: str | None
    # Who the action was about (None: not known, e.g. a session never tracked here).
    user_id: str | None = None
    user_email: str | None = None


@dataclass(frozen=True, slots=True)
class SessionQuery:
    """What the session table shows. `environment` is required: stores hold several.

    `status`: one status or None for all. `app`: an app id. `user`: a user id or an email
    (exact, email case-insensitive). `search`: words matched as prefixes ("ann" finds
    "ann.lee@example.com") over session id, user id, email, app name and note.
    `sort`: created | expires | last_auth | user (email, else user id, case-insensitive).
    """

    environment: str
    status: SessionStatus | None = None
    app: str | None = None
    user: str | None = None
    search: str | None = None
    sort: SortKey = "created"
    descending: bool = True

    def __post_init__(self) -> None:
        if self.sort not in SORT_KEYS:
            raise ValueError(f"unknown sort {self.sort!r}; use one of {', '.join(SORT_KEYS)}")
        if self.status is not None:
            object.__setattr__(self, "status", SessionStatus(self.status))


@dataclass(frozen=True, slots=True)
class PageCursor:
    """Where the next page starts: the last row's sort value and row id (opaque to callers).

    Valid only with the query (sort and direction) that produced it.
    """

    sort: SortKey
    descending: bool
    value: float | str
    row_id: int


@dataclass(frozen=True, slots=True)
class Page:
    rows: list[SessionRecord]
    next_cursor: PageCursor | None  # None: this was the last page


@dataclass(frozen=True, slots=True)
class AppRef:
    app_id: str
    app_name: str | None
    sessions: int


@dataclass(frozen=True, slots=True)
class ImportResult:
    inserted: int
    already_present: int  # same environment and session_id: left as they were
