"""`transmit-admin sessions …` and `audit` end to end: a child process against the sandbox.

The environment comes from TRANSMIT_* variables, as in a CI job or a support runbook.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.support.har_files import sandbox_login
from tests.support.sandbox_admin import SandboxAdmin
from transmit_admin.sandbox.runner import SandboxInfo
from transmit_admin.store.db import open_store
from transmit_admin.store.records import SessionRecord

ENV_NAME = "cli-sandbox"
REDIRECT_URI = "http://127.0.0.1:8765/after-link"


class Cli:
    def __init__(self, data_dir: Path, info: SandboxInfo | None) -> None:
        self.data_dir = data_dir
        self.environ = {
            k: v for k, v in os.environ.items() if not k.startswith(("TRANSMIT_", "PYTHON_KEYRING"))
        }
        # No keyring prompts in a test: the variables carry the secret.
        self.environ["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
        if info is not None:
            self.environ.update(
                TRANSMIT_BASE_URL=info.base_url,
                TRANSMIT_CLIENT_ID=info.client_id,
                TRANSMIT_CLIENT_SECRET=info.client_secret,
                TRANSMIT_ISSUER=info.issuer,
                TRANSMIT_JWKS_URL=info.jwks_url,
                TRANSMIT_ENV_NAME=ENV_NAME,
            )

    def __call__(self, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            [sys.executable, "-m", "transmit_admin", "--data-dir", str(self.data_dir), *args],
            input=stdin,
            capture_output=True,
            text=True,
            env=self.environ,
            timeout=50,
            check=False,
        )
        assert "Traceback" not in result.stdout + result.stderr, result.stderr
        return result


def _login(admin: SandboxAdmin, email: str) -> dict[str, Any]:
    return sandbox_login(admin, email)


@pytest.fixture
def admin(sandbox: SandboxInfo) -> Any:
    with SandboxAdmin(sandbox) as helper:
        yield helper


def _track(cli: Cli, tmp_path: Path, response: dict[str, Any]) -> str:
    response_file = tmp_path / "response.json"
    response_file.write_text(json.dumps(response), encoding="utf-8")
    tracked = cli("sessions", "track", str(response_file))
    assert tracked.returncode == 0, tracked.stderr
    session_id = str(response["session_id"])
    assert tracked.stdout.startswith(f"{session_id}: ok: tracked")
    return session_id


def test_track_list_check_show(tmp_path: Path, sandbox: SandboxInfo, admin: SandboxAdmin) -> None:
    cli = Cli(tmp_path / "data", sandbox)
    user = admin.active_users()[0]
    response = _login(admin, user["email"])
    session_id = _track(cli, tmp_path, response)

    listed = cli("sessions", "list", "--json", "--user", user["email"])
    assert listed.returncode == 0, listed.stderr
    row = next(r for r in json.loads(listed.stdout) if r["session_id"] == session_id)
    assert row["status"] == "active"
    assert row["user_id"] == user["user_id"]
    assert row["email"] == user["email"]
    assert row["factors"] == ["pwd"]
    assert row["expires_at"].endswith("Z")

    # The global flags may also follow the sub-command.
    text_list = cli("sessions", "list", "--data-dir", str(tmp_path / "data"))
    assert f"{session_id}  active   {user['email']}" in text_list.stdout

    assert cli("sessions", "check", session_id).stdout.startswith(f"{session_id}: ok [active]")
    shown = json.loads(cli("sessions", "show", session_id, "--json").stdout)
    assert shown["session"]["session_id"] == session_id
    assert {t["kind"] for t in shown["tokens"]} == {"user_access_token", "id_token"}
    assert [e["kind"] for e in shown["events"]] == ["created", "checked_alive"]
    _assert_no_secret_on_disk(tmp_path / "data", sandbox, response)


def test_factor_revoke_and_audit(tmp_path: Path, sandbox: SandboxInfo, admin: SandboxAdmin) -> None:
    cli = Cli(tmp_path / "data", sandbox)
    user = admin.active_users()[2]
    response = _login(admin, user["email"])
    session_id = _track(cli, tmp_path, response)

    sent = cli("sessions", "mfa-send", session_id, "--redirect-uri", REDIRECT_URI)
    assert sent.returncode == 0, sent.stdout + sent.stderr
    link = admin.latest_message(user["email"])["link"]
    completed = cli("sessions", "mfa-complete", session_id, link)
    assert completed.returncode == 0, completed.stdout
    assert "extended the session" in completed.stdout
    assert "new factors eml" in completed.stdout

    revoked = cli("sessions", "revoke", session_id, "not-a-session")
    assert revoked.returncode == 1
    lines = revoked.stdout.splitlines()
    assert any(line.startswith(f"{session_id}: ok [revoked]: revoked") for line in lines)
    assert any(line.startswith("not-a-session: FAILED") for line in lines)

    audit = cli("audit", "--json", "--limit", "50")
    actions = [entry["action"] for entry in json.loads(audit.stdout)]
    assert actions == ["revoke", "mfa_complete", "mfa_send", "track"]
    _assert_no_secret_on_disk(tmp_path / "data", sandbox, response)


def _assert_no_secret_on_disk(data_dir: Path, info: SandboxInfo, response: dict[str, Any]) -> None:
    secrets = [info.client_secret, *(response[k] for k in ("access_token", "id_token"))]
    secrets.append(response["refresh_token"])
    for path in data_dir.rglob("*"):
        if path.is_file():
            content = path.read_bytes()
            for secret in secrets:
                assert secret.encode() not in content, f"a secret is in {path.name}"
                # A token's signature alone would be as bad as the whole token.
                assert secret.split(".")[-1].encode() not in content, path.name


def test_invalid_response_refused_with_report_and_nothing_stored(
    tmp_path: Path, sandbox: SandboxInfo, admin: SandboxAdmin
) -> None:
    cli = Cli(tmp_path / "data", sandbox)
    response = _login(admin, admin.active_users()[1]["email"])
    header, payload, _ = response["access_token"].split(".")
    response["access_token"] = f"{header}.{payload}.c2lnbmF0dXJl"
    refused = cli("sessions", "track", "-", stdin=json.dumps(response))
    assert refused.returncode == 1
    assert refused.stdout.startswith("-: REFUSED: access_token refused")
    assert "  access_token: Invalid" in refused.stdout
    assert json.loads(cli("sessions", "list", "--json").stdout) == []


def test_sync_then_revoke_user(tmp_path: Path, fresh_sandbox: Any) -> None:
    info = fresh_sandbox(users=3)  # revoke-user must not touch the shared sandbox's users
    with SandboxAdmin(info) as admin:
        user = admin.active_users()[0]
        first = _login(admin, user["email"])["session_id"]
        second = _login(admin, user["email"])["session_id"]
        cli = Cli(tmp_path / "data", info)

        synced = cli("sessions", "sync", user["email"])
        assert synced.returncode == 0, synced.stderr
        assert f"{first}: new (synced)" in synced.stdout
        assert f"{second}: new (synced)" in synced.stdout

        revoked = cli("sessions", "revoke-user", user["user_id"])
        assert revoked.returncode == 0, revoked.stdout
        assert f"{first}: revoked" in revoked.stdout
        assert f"{second}: revoked" in revoked.stdout
        rows = json.loads(cli("sessions", "list", "--json").stdout)
        assert {r["session_id"]: r["status"] for r in rows} == {
            first: "revoked",
            second: "revoked",
        }
        at_transmit = [s for s in admin.sessions() if s["user_id"] == user["user_id"]]
        assert all(s["status"] != "active" for s in at_transmit)


def test_export_then_import_elsewhere(tmp_path: Path, sandbox: SandboxInfo) -> None:
    data = tmp_path / "data"
    data.mkdir()
    now = datetime.now(UTC)
    with open_store(data / "sandbox-demo.sqlite") as store:
        for number in range(3):
            store.upsert_session(
                SessionRecord(
                    environment=ENV_NAME,
                    session_id=f"exported-{number}",
                    user_id="user-1",
                    created_at=now,
                    expires_at=now + timedelta(days=14),
                    last_auth_at=now,
                    factors=("pwd",),
                )
            )
    export_file = tmp_path / "sessions.json"
    exported = Cli(data, sandbox)("sessions", "export", "--format", "json", "-o", str(export_file))
    assert exported.returncode == 0, exported.stderr
    assert export_file.stat().st_mode & 0o777 == 0o600
    assert len(json.loads(export_file.read_text(encoding="utf-8"))) == 3

    other = Cli(tmp_path / "other", sandbox)
    imported = other("sessions", "import", str(export_file))
    assert imported.returncode == 0, imported.stderr
    assert "3 new, 0 already present" in imported.stdout
    rows = json.loads(other("sessions", "list", "--json").stdout)
    assert {(r["session_id"], r["source"]) for r in rows} == {
        (f"exported-{n}", "imported") for n in range(3)
    }


def test_failures_are_one_line_and_exit_codes(tmp_path: Path, sandbox: SandboxInfo) -> None:
    no_env = Cli(tmp_path / "data", None)
    missing = no_env("sessions", "list")
    assert missing.returncode == 2
    assert "TRANSMIT_BASE_URL" in missing.stderr
    assert len(missing.stderr.strip().splitlines()) == 1

    cli = Cli(tmp_path / "data", sandbox)
    unreadable = cli("sessions", "track", str(tmp_path / "absent.json"))
    assert unreadable.returncode == 2
    assert "cannot read" in unreadable.stderr

    damaged_dir = tmp_path / "damaged"
    damaged_dir.mkdir()
    (damaged_dir / "sandbox-demo.sqlite").write_bytes(b"this is not a database" * 100)
    damaged = Cli(damaged_dir, sandbox)("sessions", "list")
    assert damaged.returncode == 2
    assert "sandbox-demo.sqlite" in damaged.stderr

    # The secret is never a flag: argparse refuses it rather than taking it.
    flagged = cli("sessions", "list", "--client-secret", "x")
    assert flagged.returncode == 2


def test_an_empty_store_file_is_refused_not_recreated(tmp_path: Path, sandbox: SandboxInfo) -> None:
    cli = Cli(tmp_path, sandbox)
    tmp_path.mkdir(exist_ok=True)
    store = tmp_path / "sandbox-demo.sqlite"  # a loopback TRANSMIT_BASE_URL is the sandbox
    store.touch()
    listed = cli("sessions", "list")
    assert listed.returncode == 2
    assert "empty" in listed.stderr
    assert store.stat().st_size == 0
