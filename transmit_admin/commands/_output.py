"""How sessions, tokens, events and audit entries look on a terminal and as JSON.

JSON uses the store's own field names (`session_id`, `status`, `user_id`, `email`,
`expires_at`, `factors`, ...) with times as ISO-8601 UTC, so scripts can rely on them.
"""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime
from enum import Enum
from typing import Any

from transmit_admin.core.printable import printable_json_text
from transmit_admin.store.records import AuditEntry, SessionEvent, SessionRecord, TokenSeen


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def as_json(item: Any) -> dict[str, Any]:
    """A record's fields as a JSON-ready dict, under the record's own field names."""
    return {f.name: _plain(getattr(item, f.name)) for f in dataclasses.fields(item)}


def dumps(data: Any) -> str:
    return printable_json_text(json.dumps(data, indent=2, ensure_ascii=False))


def when(moment: datetime | None) -> str:
    if moment is None:
        return "-"
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def session_line(record: SessionRecord) -> str:
    """One line per session: id, status, who, until when, factors."""
    who = record.email or record.user_id
    factors = ",".join(record.factors) or "-"
    return (
        f"{record.session_id}  {record.status:<7}  {who}  expires {when(record.expires_at)}"
        f"  factors {factors}"
    )


_SHOWN_FIELDS = (
    "session_id",
    "environment",
    "status",
    "source",
    "user_id",
    "email",
    "app_name",
    "app_id",
    "client_id",
    "tenant_id",
    "factors",
    "created_at",
    "last_auth_at",
    "expires_at",
    "access_expires_at",
    "last_checked_at",
    "revoked_at",
    "ended_at",
    "local_ref",
    "note",
)


def session_details(
    record: SessionRecord, tokens: list[TokenSeen], events: list[SessionEvent]
) -> list[str]:
    lines = []
    for name in _SHOWN_FIELDS:
        value = getattr(record, name)
        if isinstance(value, datetime):
            text = when(value)
        elif isinstance(value, tuple):
            text = ", ".join(value) or "-"
        else:
            text = "-" if value in (None, "") else str(value)
        lines.append(f"{name + ':':<19}{text}")
    if record.access_expires_at is not None and record.status in ("revoked", "ended"):
        lines.append(
            f"{'':<19}(access tokens already issued stay valid until "
            f"{when(record.access_expires_at)})"
        )
    lines.append(f"tokens seen ({len(tokens)}):")
    for token in tokens:
        lines.append(
            f"  {token.kind:<18} sha256 {token.fingerprint[:16]}…  jti {token.jti or '-'}"
            f"  expires {when(token.exp)}"
        )
    lines.append(f"events ({len(events)}):")
    for event in events:
        lines.append(f"  {when(event.at)}  {event.kind:<16} {event.actor}: {event.detail}")
    return lines


def audit_line(entry: AuditEntry) -> str:
    env = f" [{entry.environment}]" if entry.environment else ""
    return (
        f"{when(entry.at)}  {entry.actor}{env}  {entry.action} {entry.target}: "
        f"{entry.outcome}  {entry.detail}"
    ).rstrip()
