"""The CLI, as a child process, against the hostile server of `tests/api/test_hostile_server.py`:
nothing from the network reaches the terminal raw, a wrong success is `unconfirmed` (exit 1)
and a body built to break parsers ends in one sentence, never a traceback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.support.hostile_server import HostileServer, http_answer, json_answer
from transmit_admin.store.db import open_store
from transmit_admin.store.records import SessionRecord

ENV_NAME = "hostile"
LOGOUT = "POST /cis/v1/auth/session/logout"
LIST = "GET /cis/v1/auth/users/[^/]+/sessions"
USER_BY_ID = "GET /cis/v1/users/[^/]+"
REVOKE_USER = "DELETE /cis/v1/auth/users/[^/]+/sessions"
ESCAPES = "\x1b[31mred\x1b[0m \x1b]0;owned\x07 \u202eevil\u202c \x9b2J"
CONTROL_BYTES = ("\x1b", "\x07", "\x9b", "\u202e")


def _cli(data: Path, server: HostileServer, *args: str) -> subprocess.CompletedProcess[str]:
    environ = {
        k: v for k, v in os.environ.items() if not k.startswith(("TRANSMIT_", "PYTHON_KEYRING"))
    }
    environ.update(
        PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
        TRANSMIT_BASE_URL=server.url,
        TRANSMIT_CLIENT_ID="client-1",
        TRANSMIT_CLIENT_SECRET="secret-1",
        TRANSMIT_ISSUER=server.url,
        TRANSMIT_JWKS_URL=f"{server.url}/cis/oidc/jwks",
        TRANSMIT_ENV_NAME=ENV_NAME,
    )
    result = subprocess.run(
        [sys.executable, "-m", "transmit_admin", "--data-dir", str(data), *args],
        capture_output=True,
        text=True,
        env=environ,
        timeout=60,
        check=False,
    )
    output = result.stdout + result.stderr
    assert "Traceback" not in output, output
    for control in CONTROL_BYTES:
        assert control not in output, output
    return result


def _tracked(data: Path, session_id: str = "sess-1", user_id: str = "user-1") -> None:
    """A session the agent tracked earlier (a loopback base URL uses the demo store file)."""
    data.mkdir(exist_ok=True)
    now = datetime.now(UTC)
    with open_store(data / "sandbox-demo.sqlite") as store:
        store.upsert_session(
            SessionRecord(
                environment=ENV_NAME,
                session_id=session_id,
                user_id=user_id,
                email="ann@example.com",
                created_at=now,
                expires_at=now + timedelta(days=14),
                last_auth_at=now,
                factors=("pwd",),
            )
        )


def _status(data: Path, session_id: str = "sess-1") -> str:
    with open_store(data / "sandbox-demo.sqlite") as store:
        record = store.get_session(ENV_NAME, session_id)
        assert record is not None
        return str(record.status)


def _listed(*session_ids: str) -> bytes:
    now = datetime.now(UTC)
    return json_answer(
        [
            {
                "session_id": sid,
                "start_time": now.isoformat(),
                "expiration_time": (now + timedelta(days=14)).isoformat(),
            }
            for sid in session_ids
        ]
    )


HTML_PORTAL = http_answer(
    f"<html><title>{ESCAPES}</title>Sign in to the Wi-Fi</html>".encode(),
    "Content-Type: text/html; charset=utf-8",
)


def test_a_logout_answered_by_a_portal_page_is_unconfirmed_and_exits_1(tmp_path: Path) -> None:
    data = tmp_path / "data"
    _tracked(data)
    script = {LOGOUT: [HTML_PORTAL], LIST: [_listed("sess-1")]}
    with HostileServer(script) as server:
        result = _cli(data, server, "sessions", "revoke", "sess-1")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "unconfirmed" in result.stdout
    assert "ok" not in result.stdout.split()
    assert _status(data) == "active"


def test_a_wrong_success_then_gone_from_the_list_is_revoked(tmp_path: Path) -> None:
    data = tmp_path / "data"
    _tracked(data)
    script = {LOGOUT: [json_answer({})], LIST: [_listed("another-session")]}
    with HostileServer(script) as server:
        result = _cli(data, server, "sessions", "revoke", "sess-1")
        assert server.count("GET", "/cis/v1/auth/users/[^/]+/sessions") == 1
    assert result.returncode == 0, result.stdout + result.stderr
    assert "confirmed by Transmit's session list" in result.stdout
    assert _status(data) == "revoked"


def test_error_messages_with_terminal_escapes_are_printed_escaped(tmp_path: Path) -> None:
    data = tmp_path / "data"
    _tracked(data)
    error = json_answer({"message": ESCAPES, "error_code": 400}, "400 Bad Request")
    with HostileServer({LOGOUT: [error]}) as server:
        result = _cli(data, server, "sessions", "revoke", "sess-1")
    assert result.returncode == 1
    assert "\\x1b" in result.stdout + result.stderr  # shown, escaped: the agent sees it happened
    assert _status(data) == "active"


def test_names_with_escapes_from_a_user_record_are_escaped_in_the_session_list(
    tmp_path: Path,
) -> None:
    data = tmp_path / "data"
    _tracked(data)
    user = json_answer(
        {"result": {"user_id": "user-1", "email": {"value": f"ann{ESCAPES}@example.com"}}}
    )
    script = {USER_BY_ID: [user], LIST: [_listed("sess-1", "sess-2")]}
    with HostileServer(script) as server:
        synced = _cli(data, server, "sessions", "sync", "user-1")
        listed = _cli(data, server, "sessions", "list", "--json")
    assert synced.returncode == 0, synced.stdout + synced.stderr
    rows = json.loads(listed.stdout)
    assert {row["session_id"] for row in rows} == {"sess-1", "sess-2"}


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(b"[" * 100_000, id="100k nested arrays"),
        pytest.param(b'{"a":' * 100_000, id="100k nested objects"),
        pytest.param(b'[{"session_id": "sess-1"', id="truncated"),
    ],
)
def test_sync_over_a_body_built_to_break_parsers_ends_in_one_sentence(
    tmp_path: Path, body: bytes
) -> None:
    data = tmp_path / "data"
    _tracked(data)
    script = {LIST: [http_answer(body, "Content-Type: application/json")]}
    with HostileServer(script) as server:
        result = _cli(data, server, "sessions", "sync", "user-1")
    assert result.returncode != 0
    message = result.stderr.strip() or result.stdout.strip()
    assert len(message.splitlines()) <= 2, message
    assert _status(data) == "active"


def test_a_revoke_user_answered_202_is_unconfirmed(tmp_path: Path) -> None:
    data = tmp_path / "data"
    _tracked(data)
    accepted = http_answer(b"", "Content-Type: application/json", status="202 Accepted")
    with HostileServer({REVOKE_USER: [accepted], LIST: [_listed("sess-1")]}) as server:
        result = _cli(data, server, "sessions", "revoke-user", "user-1")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "unconfirmed" in (result.stdout + result.stderr).lower()
    assert _status(data) == "active"
