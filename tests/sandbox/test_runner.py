"""The child-process runner and the `--json` announcement line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from transmit_admin.sandbox.runner import SandboxInfo, SandboxProcess, SandboxStartError


def test_session_fixture_announces_reachable_loopback_sandbox(sandbox: SandboxInfo) -> None:
    assert sandbox.base_url.startswith("http://127.0.0.1:")
    assert sandbox.issuer == sandbox.base_url
    assert sandbox.jwks_url == f"{sandbox.base_url}/cis/oidc/jwks"
    keys = httpx.get(sandbox.jwks_url, timeout=10).json()["keys"]
    assert keys[0]["kty"] == "RSA"
    assert keys[0]["kid"]


def test_info_round_trips_through_json() -> None:
    info = SandboxInfo("http://127.0.0.1:1", "id", "secret", "http://127.0.0.1:1", "http://x/j")
    assert SandboxInfo.from_json(info.to_json()) == info
    assert SandboxInfo.from_json(json.loads(info.to_json()) | {"extra": 1}) == info
    with pytest.raises(ValueError, match="client_secret"):
        SandboxInfo.from_json('{"base_url": "a", "client_id": "b"}')


def test_start_and_stop_a_private_sandbox() -> None:
    with SandboxProcess.start(users=2, seed=7) as process:
        assert process.running
        info = httpx.get(f"{process.info.base_url}/sandbox/info", timeout=10).json()
        assert len(info["users"]) == 2
        assert info["client_secret"] == process.info.client_secret
    assert not process.running
    assert process.process.returncode == 0  # SIGTERM ends it as cleanly as Ctrl+C


def test_same_seed_same_tenant_and_users_and_no_seed_differs() -> None:
    with (
        SandboxProcess.start(users=3, seed=11) as one,
        SandboxProcess.start(users=3, seed=11) as two,
        SandboxProcess.start(users=3) as unseeded,
    ):
        assert one.info.client_id == two.info.client_id
        assert one.info.client_secret == two.info.client_secret
        assert one.info.base_url != two.info.base_url
        first = httpx.get(f"{one.info.base_url}/sandbox/info", timeout=10).json()["users"]
        second = httpx.get(f"{two.info.base_url}/sandbox/info", timeout=10).json()["users"]
        assert first == second
        assert unseeded.info.client_secret != one.info.client_secret


def test_start_failure_reports_the_childs_complaint() -> None:
    with pytest.raises(SandboxStartError, match="fail-rate"):
        SandboxProcess.start(extra_args=["--fail-rate", "7"])


def test_non_loopback_host_needs_explicit_flag() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "transmit_admin.sandbox", "--host", "0.0.0.0", "--json"],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 2
    assert "--allow-remote" in result.stderr
    assert result.stdout == ""


PARENT_SCRIPT = """
import sys, time
from transmit_admin.sandbox.runner import SandboxProcess
process = SandboxProcess.start(users=1)
print(process.process.pid, process.info.base_url, flush=True)
time.sleep(120)
"""


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    # A zombie still answers kill(0): it has exited but awaits reaping (Linux: see /proc).
    stat = Path(f"/proc/{pid}/stat")
    return stat.exists() and stat.read_text().split(") ", 1)[1].startswith("Z")


def test_the_sandbox_ends_when_the_app_that_started_it_is_killed() -> None:
    parent = subprocess.Popen(
        [sys.executable, "-c", PARENT_SCRIPT], stdout=subprocess.PIPE, text=True
    )
    try:
        assert parent.stdout is not None
        child_pid, base_url = parent.stdout.readline().split()
        assert httpx.get(f"{base_url}/cis/oidc/jwks", timeout=10).status_code == 200
        parent.kill()  # SIGKILL: no clean-up code of the parent runs
        parent.wait(10)
        deadline = time.monotonic() + 20
        while not _gone(int(child_pid)) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert _gone(int(child_pid)), "the sandbox outlived the process that started it"
    finally:
        if parent.poll() is None:
            parent.kill()
        parent.wait(10)
        if parent.stdout is not None:
            parent.stdout.close()
