"""Building blocks for tests that need a real store: sessions, a settable clock, fingerprints."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from transmit_admin.core.lifecycle import SESSION_LIFETIME
from transmit_admin.store.records import SessionRecord

T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


@dataclass
class SettableClock:
    """A store clock the test moves by hand (`clock.now += timedelta(...)`)."""

    now: datetime = field(default_factory=lambda: T0 + timedelta(days=1))

    def __call__(self) -> datetime:
        return self.now


def make_session(number: int = 1, **overrides: Any) -> SessionRecord:
    created = overrides.pop("created_at", T0 + timedelta(minutes=number))
    values: dict[str, Any] = {
        "environment": "prod",
        "session_id": f"sess-{number:06d}",
        "user_id": f"user-{number % 7}",
        "created_at": created,
        "expires_at": created + SESSION_LIFETIME,
        "last_auth_at": created,
        "email": f"person{number % 7}@example.com",
        "app_id": f"app-{number % 3}",
        "app_name": f"App {number % 3}",
    }
    values.update(overrides)
    return SessionRecord(**values)


def fingerprint(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
