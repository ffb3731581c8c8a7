"""`transmit-admin team …` end to end in child processes: owner init, add-agent, join,
status, sync, log, remove-agent; one sentence per refusal, never a traceback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.support import postgres
from tests.team.conftest import BASE_URL, TENANT


class Cli:
    def __init__(self, data_dir: Path, password: str, tenant: str = TENANT) -> None:
        self.data_dir = data_dir
        self.environ = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("TRANSMIT_", "PYTHON_KEYRING", "PG"))
        }
        self.environ.update(
            PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
            PGPASSWORD=password,
            TRANSMIT_BASE_URL=BASE_URL,
            TRANSMIT_CLIENT_ID="client-1",
            TRANSMIT_ISSUER=f"{BASE_URL}/oidc",
            TRANSMIT_TENANT_ID=tenant,
            TRANSMIT_ENV_NAME="prod",
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


def test_owner_sets_up_agents_join_sync_and_leave(
    pg_cluster: postgres.Cluster, tmp_path: Path
) -> None:
    owner_name = pg_cluster.create_database("clidesk", "owner-pw")
    url = f"postgresql://{owner_name}@127.0.0.1:{pg_cluster.port}/clidesk"
    agent_url = f"postgresql://ann@127.0.0.1:{pg_cluster.port}/clidesk"
    owner = Cli(tmp_path / "owner", "owner-pw")

    init = owner("team", "init", url)
    assert init.returncode == 0, init.stderr
    assert "team space ready: tenant-desk-1" in init.stdout
    added = owner("team", "add-agent", "ann", "--password-stdin", stdin="ann-pw\n")
    assert added.returncode == 0, added.stderr
    assert agent_url in added.stdout

    ann = Cli(tmp_path / "ann", "ann-pw")
    joined = ann("team", "join", agent_url)
    assert joined.returncode == 0, joined.stderr
    assert "joined the team as ann" in joined.stdout
    assert "team: connected" in joined.stdout
    assert ann("team", "status").stdout.startswith("team: connected; pushed 0")
    assert ann("team", "sync").returncode == 0
    log = ann("team", "log", "--json")
    assert json.loads(log.stdout) == []

    # The owner is not an agent; another tenant is refused; a wrong password gets a sentence.
    as_owner = owner("team", "join", url)
    assert as_owner.returncode == 1
    assert "is not an agent" in as_owner.stderr
    other = Cli(tmp_path / "other", "ann-pw", tenant="tenant-other")
    refused = other("team", "join", agent_url)
    assert refused.returncode == 1
    assert "your environment is tenant tenant-other" in refused.stderr
    wrong = Cli(tmp_path / "wrong", "not-the-password")("team", "join", agent_url)
    assert "refused the password of 'ann'" in wrong.stderr

    removed = owner("team", "remove-agent", "ann")
    assert removed.returncode == 0, removed.stderr
    after = ann("team", "sync")
    assert after.returncode == 1
    assert "may no longer log in" in after.stdout


def test_commands_before_joining_say_what_to_do(tmp_path: Path) -> None:
    cli = Cli(tmp_path / "fresh", "pw")
    status = cli("team", "status")
    assert status.returncode == 2
    assert "has not joined a team" in status.stderr
    unsafe = cli("team", "join", "postgresql://ann:pw@db.example.com/desk")
    assert unsafe.returncode == 1
    assert "Put no password in the URL" in unsafe.stderr
