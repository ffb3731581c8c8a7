"""Demo mode: fill a store from a running sandbox so the desktop starts with real-looking rows.

Reads the sandbox's own `GET /sandbox/sessions` (a helper route, not a Transmit one: Transmit
cannot list every session of a tenant) and inserts each as `synced`, with its user's email,
the app and the factors. Sessions already in the store are left as they are.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx

from transmit_admin.api.models import parse_timestamp
from transmit_admin.core.lifecycle import SessionStatus, derive_status
from transmit_admin.store.records import SessionRecord
from transmit_admin.store.store import Store

SANDBOX_SESSIONS_PATH = "/sandbox/sessions"
DEMO_ACTOR = "demo"


class DemoSeedError(Exception):
    """The sandbox did not answer with its session list; the message says what happened."""


def _record(row: dict[str, Any], environment: str, now: datetime) -> SessionRecord:
    created = parse_timestamp(row["created"], "created")
    expires = parse_timestamp(row["expires"], "expires")
    ended = parse_timestamp(row["ended"], "ended") if row.get("ended") else None
    status = derive_status(SessionStatus.ACTIVE, expires_at=expires, now=now)
    if row.get("status") == "revoked":
        status = SessionStatus.REVOKED
    elif ended is not None:
        status = SessionStatus.ENDED
    factors = row.get("amr") or row.get("factors") or []
    return SessionRecord(
        environment=environment,
        session_id=str(row["session_id"]),
        user_id=str(row["user_id"]),
        created_at=created,
        expires_at=expires,
        last_auth_at=parse_timestamp(row.get("auth_time") or row["created"], "auth_time"),
        status=status,
        source="synced",
        email=row.get("email") or None,
        app_id=row.get("app_id") or None,
        app_name=row.get("app_name") or None,
        factors=tuple(str(f) for f in factors),
        revoked_at=ended if status is SessionStatus.REVOKED else None,
        ended_at=ended if status is SessionStatus.ENDED else None,
        last_checked_at=now,
    )


async def seed_from_sandbox(
    store: Store,
    base_url: str,
    environment_name: str,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
) -> int:
    """Inserts the sandbox's sessions not yet in the store; returns how many were inserted."""
    try:
        async with httpx.AsyncClient(base_url=base_url, timeout=10.0, transport=transport) as http:
            response = await http.get(SANDBOX_SESSIONS_PATH)
    except httpx.HTTPError as exc:
        raise DemoSeedError(f"the sandbox at {base_url} did not answer: {exc}") from None
    if response.status_code != 200:
        raise DemoSeedError(
            f"the sandbox at {base_url} answered HTTP {response.status_code} to "
            f"{SANDBOX_SESSIONS_PATH}; is it a transmit-admin sandbox?"
        )
    try:
        rows = response.json()
        now = datetime.now(UTC)
        records = [_record(row, environment_name, now) for row in rows]
    except (ValueError, KeyError, TypeError) as exc:
        raise DemoSeedError(f"the sandbox's session list is not understood: {exc}") from None
    inserted = 0
    for record in records:
        if store.get_session(environment_name, record.session_id) is None:
            store.upsert_session(record)
            inserted += 1
    if inserted:
        store.audit(
            "demo_seed",
            target=base_url,
            outcome="ok",
            detail=f"{inserted} sandbox session(s) inserted as synced",
            actor=DEMO_ACTOR,
            environment=environment_name,
        )
    return inserted
