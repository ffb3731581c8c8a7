"""The child-process runner and the `--json` announcement line."""

from __future__ import annotations

import json
import subprocess
import sys

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
