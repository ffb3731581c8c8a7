"""`transmit-admin sandbox`: flag parsing, and the real command announcing itself."""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from transmit_admin.commands import sandbox as sandbox_command
from transmit_admin.sandbox.cli_args import config_from_args
from transmit_admin.sandbox.faults import FaultSettingsError


def parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    sandbox_command.register(parser.add_subparsers())
    return parser.parse_args(["sandbox", *argv])


def test_flags_become_a_config() -> None:
    args = parse(
        "--users",
        "3",
        "--sessions",
        "9",
        "--seed",
        "4",
        "--latency-ms",
        "20",
        "--jitter-ms",
        "5",
        "--fail-rate",
        "0.1",
        "--fail-status",
        "500,503",
        "--rate-limit",
        "0.2",
        "--retry-after",
        "3",
        "--redirect-uri",
        "https://a.test/cb",
        "--redirect-uri",
        "https://b.test/cb",
        "--route-fail-rate",
        "/cis/v1/users*=0.5",
        "--issuer",
        "https://issuer.test",
    )
    config = config_from_args(args)
    assert (config.users, config.sessions, config.seed) == (3, 9, 4)
    assert config.redirect_uris == ("https://a.test/cb", "https://b.test/cb")
    assert config.issuer == "https://issuer.test"
    faults = config.initial_faults()
    assert (faults.latency_ms, faults.jitter_ms, faults.fail_rate) == (20, 5, 0.1)
    assert faults.fail_statuses == (500, 503)
    assert (faults.rate_limit_rate, faults.retry_after) == (0.2, 3)
    assert faults.route_fail_rates == (("/cis/v1/users*", 0.5),)
    assert args.func is sandbox_command.run


def test_nonsense_flags_are_refused() -> None:
    with pytest.raises(FaultSettingsError):
        config_from_args(parse("--fail-status", "418"))
    with pytest.raises(FaultSettingsError):
        config_from_args(parse("--users", "-1"))
    with pytest.raises(SystemExit):
        parse("--fail-rate", "1.5")
    with pytest.raises(SystemExit):
        parse("--route-fail-rate", "no-rate-given")


def test_remote_host_without_flag_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert sandbox_command.run(parse("--host", "0.0.0.0")) == 2
    assert "--allow-remote" in capsys.readouterr().err


def test_transmit_admin_sandbox_json_first_line(tmp_path: Path) -> None:
    env = dict(os.environ, TRANSMIT_ADMIN_HOME=str(tmp_path))
    env["PYTHONPATH"] = str(Path(__file__).resolve().parents[2])
    command = [
        sys.executable,
        "-m",
        "transmit_admin",
        "sandbox",
        "--json",
        "--users",
        "2",
        "--issuer",
        "https://sandbox.issuer.test",
    ]
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    )
    try:
        assert process.stdout is not None
        announced = json.loads(process.stdout.readline())
        assert {"base_url", "client_id", "client_secret", "issuer", "jwks_url"} <= set(announced)
        assert announced["issuer"] == "https://sandbox.issuer.test"
        jwks = httpx.get(announced["jwks_url"], timeout=10)
        assert jwks.status_code == 200
    finally:
        process.terminate()
        _, err = process.communicate(timeout=20)
    assert process.returncode == 0, err


def test_port_in_use_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert sandbox_command.run(parse("--port", str(port))) == 2
    assert "cannot listen" in capsys.readouterr().err
