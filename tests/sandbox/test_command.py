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
from transmit_admin.sandbox.env_file import SAMPLE_REDIRECT_URI, env_text
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


def _read_env(lines: list[str]) -> dict[str, str]:
    """What dotenv makes of `--print-env`: NAME=value lines, `#` comments skipped."""
    found = {}
    for line in lines:
        if line.strip() and not line.startswith("#"):
            name, _, value = line.strip().partition("=")
            found[name] = value
    return found


def test_print_env_serves_a_sample_backend_env_file() -> None:
    command = [
        sys.executable,
        "-m",
        "transmit_admin.sandbox",
        "--print-env",
        "--users",
        "1",
        "--redirect-uri",
        "https://app.test/complete",
    ]
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[2]))
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    )
    try:
        assert process.stdout is not None
        lines = []
        while not lines or not lines[-1].startswith("TRANSMIT_TENANT_ID="):
            lines.append(process.stdout.readline())
        values = _read_env(lines)
        samples_read = {"VITE_TS_API_BASE", "VITE_TS_CLIENT_ID", "TS_CLIENT_SECRET"}
        assert samples_read | {"TS_REDIRECT_URI", "TS_APP_ID"} <= set(values)
        assert values["TS_REDIRECT_URI"] == "https://app.test/complete"
        assert values["TRANSMIT_BASE_URL"] == values["VITE_TS_API_BASE"]
        # The samples' getClientCredsToken: `${VITE_TS_API_BASE}/oidc/token`, form-encoded.
        token = httpx.post(
            f"{values['VITE_TS_API_BASE']}/oidc/token",
            data={
                "client_id": values["VITE_TS_CLIENT_ID"],
                "client_secret": values["TS_CLIENT_SECRET"],
                "grant_type": "client_credentials",
            },
            timeout=10,
        )
        assert token.status_code == 200
        info = httpx.get(f"{values['VITE_TS_API_BASE']}/sandbox/info", timeout=10).json()
        assert values["TS_APP_ID"] == info["app_id"]
        assert values["TRANSMIT_ISSUER"] == info["issuer"]
    finally:
        process.terminate()
        _, err = process.communicate(timeout=20)
    assert process.returncode == 0, err
    assert "listening on" in err  # for the person; stdout stays a clean .env file


def test_print_env_quotes_what_a_shell_would_split() -> None:
    info = {
        "base_url": "http://127.0.0.1:8900",
        "client_id": "id",
        "client_secret": "sec ret$x",
        "app_id": "app",
        "issuer": 'https://iss.test/"q"',
        "tenant_id": "t",
    }
    text = env_text(info)
    assert "VITE_TS_API_BASE=http://127.0.0.1:8900\n" in text
    assert f"TS_REDIRECT_URI={SAMPLE_REDIRECT_URI}\n" in text
    assert 'TS_CLIENT_SECRET="sec ret\\$x"\n' in text
    assert 'TRANSMIT_ISSUER="https://iss.test/\\"q\\""\n' in text


def test_print_env_and_json_exclude_each_other() -> None:
    with pytest.raises(SystemExit):
        parse("--json", "--print-env")
    assert parse("--print-env").print_env is True
