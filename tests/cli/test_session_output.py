"""The sessions commands' text and JSON shapes, and where the global flags may go."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from transmit_admin.cli import build_parser
from transmit_admin.commands._output import (
    as_json,
    audit_line,
    dumps,
    session_details,
    session_line,
)
from transmit_admin.store.records import (
    AuditEntry,
    EventKind,
    SessionEvent,
    SessionRecord,
    TokenSeen,
)

NOW = datetime(2026, 11, 27, 5, 0, tzinfo=UTC)


def _record(**changes: object) -> SessionRecord:
    fields: dict[str, object] = {
        "environment": "dev",
        "session_id": "sess-1",
        "user_id": "user-1",
        "created_at": NOW,
        "expires_at": NOW + timedelta(days=14),
        "last_auth_at": NOW,
        "email": "ann@example.com",
        "factors": ("pwd", "eml"),
    }
    fields.update(changes)
    return SessionRecord(**fields)  # type: ignore[arg-type]


def test_json_uses_store_field_names_and_utc_times() -> None:
    data = json.loads(dumps(as_json(_record())))
    for name in ("session_id", "status", "user_id", "email", "expires_at", "factors"):
        assert name in data
    assert data["status"] == "active"
    assert data["factors"] == ["pwd", "eml"]
    assert data["expires_at"] == "2026-12-11T05:00:00Z"


def test_one_line_per_session() -> None:
    line = session_line(_record())
    assert line == (
        "sess-1  active   ann@example.com  expires 2026-12-11 05:00 UTC  factors pwd,eml"
    )
    assert "user-1" in session_line(_record(email=None, factors=()))


def test_details_show_tokens_events_and_the_access_token_caveat() -> None:
    record = _record(
        status="revoked", revoked_at=NOW, access_expires_at=NOW + timedelta(minutes=40)
    )
    token = TokenSeen("a" * 64, "user_access_token", "dev", NOW, "sess-1", jti="j-1")
    event = SessionEvent(1, "dev", "sess-1", EventKind.REVOKE_CONFIRMED, NOW, "ann", "204")
    text = "\n".join(session_details(record, [token], [event]))
    assert "status:            revoked" in text
    assert "access tokens already issued stay valid until 2026-11-27 05:40 UTC" in text
    assert "sha256 aaaaaaaaaaaaaaaa…  jti j-1" in text
    assert "revoke_confirmed" in text
    assert "ann: 204" in text
    assert "a" * 64 not in text  # a fingerprint is shortened, never a token anyway


def test_audit_line() -> None:
    entry = AuditEntry(3, NOW, "ann", "revoke", "sess-1", "failed", "HTTP 500", "dev")
    assert audit_line(entry) == ("2026-11-27 05:00 UTC  ann [dev]  revoke sess-1: failed  HTTP 500")


def test_global_flags_before_or_after_the_sub_command() -> None:
    parser = build_parser()
    before = parser.parse_args(["--data-dir", "/a", "--env", "dev", "sessions", "list"])
    after = parser.parse_args(["sessions", "list", "--data-dir", "/b", "--env", "prod"])
    neither = parser.parse_args(["sessions", "list"])
    assert (before.data_dir, before.env) == ("/a", "dev")
    assert (after.data_dir, after.env) == ("/b", "prod")
    assert (neither.data_dir, neither.env) == (None, None)
    both = parser.parse_args(["--env", "dev", "audit", "--env", "prod"])
    assert both.env == "prod"
