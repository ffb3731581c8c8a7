"""All mutable sandbox data behind one lock: tenant, users, sessions, challenges, outbox, log.

The sandbox clock is wall-clock time plus an offset that `POST /sandbox/clock` may move forward,
so tests can expire links, OTPs and sessions without waiting.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Any

from transmit_admin.sandbox import seed
from transmit_admin.sandbox.config import SESSION_LIFETIME_SECONDS, SandboxConfig
from transmit_admin.sandbox.errors import ApiError, identifier_taken, user_not_found
from transmit_admin.sandbox.models import (
    App,
    MagicLink,
    OutboxMessage,
    PendingOtp,
    RefreshGrant,
    RequestLogEntry,
    Session,
    User,
    iso_time,
)
from transmit_admin.sandbox.tokens import KeyRing, TokenMinter

REQUEST_LOG_SIZE = 2000
OUTBOX_SIZE = 500

_IDENTIFIERS: dict[str, Callable[[User], str | None]] = {
    "user_id": lambda u: u.user_id,
    "email": lambda u: u.email,
    "phone_number": lambda u: u.phone_number,
    "username": lambda u: u.username,
    "external_user_id": lambda u: u.external_user_id,
}
# What `POST /v1/users` answers 409 for: Transmit documents "identifier is taken" [doc] for
# email, phone number and username; `external_user_id` is "a unique identifier in a tenant".
_UNIQUE_IDENTIFIERS = ("email", "phone_number", "username", "external_user_id")


class SandboxState:
    def __init__(self, config: SandboxConfig, base_url: str) -> None:
        self.config = config
        self.base_url = base_url.rstrip("/")
        self.issuer = (config.issuer or self.base_url).rstrip("/")
        self.lock = threading.RLock()
        self._clock_offset = 0.0
        now = self.now()
        self.random = seed.make_random(config.seed)
        self.app: App = seed.seed_app(self.random, config)
        users = seed.seed_users(self.random, config.users, now)
        self.users: dict[str, User] = {u.user_id: u for u in users}
        sessions = seed.seed_sessions(self.random, users, config.sessions, now)
        self.sessions: dict[str, Session] = {s.session_id: s for s in sessions}
        self.refresh_grants: dict[str, RefreshGrant] = {}
        self.magic_links: dict[str, MagicLink] = {}
        self.otps: dict[tuple[str, str], PendingOtp] = {}
        self.outbox: deque[OutboxMessage] = deque(maxlen=OUTBOX_SIZE)
        self.requests: deque[RequestLogEntry] = deque(maxlen=REQUEST_LOG_SIZE)
        self.keys = KeyRing()
        self.minter = TokenMinter(self.keys, self.issuer, self.app)

    # -- clock ---------------------------------------------------------------------------
    def now(self) -> float:
        return time.time() + self._clock_offset

    def advance_clock(self, seconds: float) -> float:
        with self.lock:
            self._clock_offset += seconds
            return self._clock_offset

    # -- users ---------------------------------------------------------------------------
    def find_user(self, identifier_type: str, identifier: str) -> User | None:
        """The user whose `identifier_type` (email, phone_number, username, user_id,
        external_user_id) is `identifier`; emails compare case-insensitively."""
        read = _IDENTIFIERS.get(identifier_type)
        if read is None:
            return None
        wanted = identifier.lower() if identifier_type == "email" else identifier
        with self.lock:
            for user in self.users.values():
                value = read(user)
                if (
                    value is not None
                    and (value.lower() if identifier_type == "email" else value) == wanted
                ):
                    return user
        return None

    def add_user(self, user: User) -> None:
        """Adds a new user; ApiError(409) when one of its identifiers belongs to another user."""
        with self.lock:
            for identifier_type in _UNIQUE_IDENTIFIERS:
                value = _IDENTIFIERS[identifier_type](user)
                if value is not None and self.find_user(identifier_type, value) is not None:
                    raise identifier_taken(identifier_type)
            self.users[user.user_id] = user

    def user(self, user_id: str) -> User:
        with self.lock:
            found = self.users.get(user_id)
        if found is None:
            raise user_not_found()
        return found

    @staticmethod
    def require_active(user: User) -> None:
        if user.status != "Active":
            raise ApiError(403, "User is not active", 403)

    # -- sessions ------------------------------------------------------------------------
    def live_session(self, session_id: str) -> Session | None:
        with self.lock:
            session = self.sessions.get(session_id)
            if session is None or not session.is_live(self.now()):
                return None
            return session

    def new_session(self, user: User) -> Session:
        now = self.now()
        session = Session(
            session_id=seed.random_id(self.random, 32),
            user_id=user.user_id,
            created=now,
            expires=now + SESSION_LIFETIME_SECONDS,
            auth_time=now,
        )
        with self.lock:
            self.sessions[session.session_id] = session
        return session

    def end_session(self, session: Session, reason: str) -> None:
        with self.lock:
            session.ended_at = self.now()
            session.end_reason = reason
            for token, grant in list(self.refresh_grants.items()):
                if grant.session_id == session.session_id:
                    del self.refresh_grants[token]

    def sessions_of(self, user_id: str, *, live_only: bool) -> list[Session]:
        now = self.now()
        with self.lock:
            found = [
                s
                for s in self.sessions.values()
                if s.user_id == user_id and (s.is_live(now) or not live_only)
            ]
        return sorted(found, key=lambda s: s.created)

    def session_overview(self) -> list[dict[str, Any]]:
        """Every session with its user and status, for `GET /sandbox/sessions`."""
        now = self.now()
        with self.lock:
            rows = []
            for s in sorted(self.sessions.values(), key=lambda s: s.created, reverse=True):
                user = self.users.get(s.user_id)
                rows.append(
                    {
                        "session_id": s.session_id,
                        "user_id": s.user_id,
                        "email": user.email if user else None,
                        "app_id": self.app.app_id,
                        "app_name": self.app.app_name,
                        "factors": list(s.factors),
                        "amr": s.amr(),
                        "created": iso_time(s.created),
                        "auth_time": iso_time(s.auth_time),
                        "expires": iso_time(s.expires),
                        "ended": iso_time(s.ended_at) if s.ended_at is not None else None,
                        "status": s.status(now),
                    }
                )
        return rows

    # -- outbox and request log ----------------------------------------------------------
    def deliver(self, message: OutboxMessage) -> None:
        with self.lock:
            self.outbox.appendleft(message)

    def log_request(self, entry: RequestLogEntry) -> None:
        with self.lock:
            self.requests.appendleft(entry)
