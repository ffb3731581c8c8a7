"""`transmit-admin har revoke|report` in a child process against the real sandbox."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli.test_sessions_cli import Cli, _login
from tests.support.har_files import login_capture, secrets_of, write_capture
from tests.support.sandbox_admin import SandboxAdmin
from transmit_admin.sandbox.runner import SandboxInfo


def test_report_then_revoke_then_report(tmp_path: Path, sandbox: SandboxInfo) -> None:
    cli = Cli(tmp_path / "data", sandbox)
    with SandboxAdmin(sandbox) as admin:
        users = admin.active_users()[:2]
        responses = [_login(admin, u["email"]) for u in users]
    path = write_capture(
        tmp_path / "ticket.har", login_capture(responses, base_url=sandbox.base_url)
    )
    planted = secrets_of(responses)

    before = cli("har", "report", str(path))
    assert before.returncode == 1, before.stderr  # live sessions in it
    assert "### What failed" in before.stdout
    assert "invalid_grant" in before.stdout
    assert before.stdout.count("| alive |") == 2
    for text in [*planted, *(u["email"] for u in users)]:
        assert text not in before.stdout

    refused = cli("har", "revoke", str(path))
    assert refused.returncode == 2
    assert "not confirmed" in refused.stderr
    assert "revoked" not in refused.stdout

    done = cli("har", "revoke", str(path), "--yes")
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.count(": revoked:") == 2
    for text in planted:
        assert text not in done.stdout + done.stderr

    again = cli("har", "revoke", "-", "--yes", "--json", stdin=path.read_text())
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)["capture"]["name"] == "standard input"
    assert "no live session" in again.stderr

    after = cli("har", "report", str(path), "--json")
    assert after.returncode == 0, after.stderr
    report = json.loads(after.stdout)
    assert [s["status"] for s in report["sessions"]] == ["revoked", "revoked"]
    assert all(s["tracked"] for s in report["sessions"])
    audit = cli("audit", "--json")
    assert audit.stdout.count('"har_revoke"') == 2, audit.stdout[-500:]


def test_unreadable_captures_get_one_sentence(tmp_path: Path, sandbox: SandboxInfo) -> None:
    cli = Cli(tmp_path / "data", sandbox)
    empty = tmp_path / "empty.har"
    empty.write_bytes(b"")
    web_page = tmp_path / "page.har"
    web_page.write_text("<html>not a capture</html>")
    for path in (empty, web_page):
        result = cli("har", "report", str(path))
        assert result.returncode == 2
        assert result.stdout == ""
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
