"""`transmit-admin sessions revoke` in a joined environment claims the session first, as the
window does: a teammate's claim means nothing is sent (child processes, the real sandbox)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from pathlib import Path

from tests.support.sandbox_admin import SandboxAdmin
from tests.team.conftest import Team
from tests.team.test_team_cli import Cli
from transmit_admin.app import DEMO_STORE_NAME
from transmit_admin.core.lifecycle import SessionStatus
from transmit_admin.sandbox.runner import SandboxInfo
from transmit_admin.services.demo import seed_from_sandbox
from transmit_admin.store.db import open_store
from transmit_admin.store.records import SessionQuery
from transmit_admin.team import claims


def test_cli_revoke_sends_nothing_while_a_teammate_holds_the_claim(
    make_team: Callable[..., Team],
    fresh_sandbox: Callable[..., SandboxInfo],
    tmp_path: Path,
) -> None:
    info = fresh_sandbox(users=2, sessions=4, seed=3)
    team = make_team(info.base_url, None)
    cli = Cli(tmp_path / "a", team.passwords[team.agent_a])
    for name in ("TRANSMIT_TENANT_ID",):
        cli.environ.pop(name)
    cli.environ.update(
        TRANSMIT_BASE_URL=info.base_url,
        TRANSMIT_CLIENT_ID=info.client_id,
        TRANSMIT_CLIENT_SECRET=info.client_secret,
        TRANSMIT_ISSUER=info.issuer,
        TRANSMIT_JWKS_URL=info.jwks_url,
    )
    # A loopback base URL reads as the sandbox region, whose sessions are filed in the demo store.
    store = open_store(tmp_path / "a" / DEMO_STORE_NAME)
    try:
        asyncio.run(seed_from_sandbox(store, info.base_url, "prod"))
        query = SessionQuery(environment="prod", status=SessionStatus.ACTIVE)
        session_id = store.page_sessions(query).rows[0].session_id
    finally:
        store.close()
    url = f"postgresql://{team.agent_a}@127.0.0.1:{team.cluster.port}/{team.dbname}"
    joined = cli("team", "join", url)
    assert joined.returncode == 0, joined.stderr

    with team.connect(team.agent_b) as conn:
        assert claims.take(conn, session_id).taken
        refused = cli("sessions", "revoke", session_id)
        assert refused.returncode == 1
        assert f"not sent: agent {team.agent_b} is revoking this session" in refused.stdout
        with SandboxAdmin(info) as admin:
            assert not [r for r in admin.requests() if r["path"].endswith("/session/logout")]
        claims.release(conn, session_id)

    revoked = cli("sessions", "revoke", session_id)
    assert revoked.returncode == 0, revoked.stdout + revoked.stderr
    assert "revoked" in revoked.stdout
    log = json.loads(cli("team", "log", "--json").stdout)
    confirmed = [e for e in log if e["kind"] == "revoke_confirmed"]
    assert [(e["actor"], e["session_id"]) for e in confirmed] == [(team.agent_a, session_id)]
