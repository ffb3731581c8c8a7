"""The parser: every sub-command registered and documented, and built without their stacks.

Every `transmit-admin` call builds the whole parser, the desktop window too; the sub-commands'
own imports (the verifier's crypto, the sandbox's server, the store) wait until one is used.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest

import transmit_admin
from transmit_admin.cli import COMMAND_MODULES, build_parser

# What building the parser and parsing the window's flags must not import.
HEAVY = (
    "asyncio",
    "httpx",
    "cryptography",
    "jwt",
    "sqlite_utils",
    "starlette",
    "uvicorn",
    "importlib.metadata",
    "transmit_admin.api.jwks",
    "transmit_admin.core.verify",
    "transmit_admin.sandbox.cli_args",
    "transmit_admin.store.records",
)


def _help_of(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    with pytest.raises(SystemExit) as exited:
        build_parser().parse_args(argv)
    assert exited.value.code == 0
    return capsys.readouterr().out


def test_help_lists_every_sub_command_with_its_line(capsys: pytest.CaptureFixture[str]) -> None:
    text = _help_of(["--help"], capsys)
    for name in COMMAND_MODULES:
        assert re.search(rf"^ +{name} +\w", text, re.MULTILINE), name


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["verify"], "--jwks FILE_OR_URL"),
        (["sessions"], "revoke-user"),
        (["sessions", "list"], "--status {active,expired,revoked,ended}"),
        (["audit"], "--limit N"),
        (["sandbox"], "--latency-ms LATENCY_MS"),
    ],
)
def test_each_sub_command_help_shows_its_flags(
    argv: list[str], expected: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert expected in _help_of([*argv, "--help"], capsys)


def test_deferred_flags_parse_like_the_others() -> None:
    sandbox = build_parser().parse_args(["sandbox", "--port", "0", "--users", "3"])
    assert (sandbox.command, sandbox.port, sandbox.users) == ("sandbox", 0, 3)
    listing = build_parser().parse_args(["sessions", "list", "--status", "revoked"])
    assert (listing.command, listing.sessions_command, listing.status) == (
        "sessions",
        "list",
        "revoked",
    )
    assert callable(sandbox.func)
    assert callable(listing.func)


def test_a_bad_deferred_flag_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        build_parser().parse_args(["sandbox", "--fail-rate", "2"])
    assert exited.value.code == 2
    assert "usage: transmit-admin sandbox" in capsys.readouterr().err


def test_no_sub_command_is_the_window() -> None:
    args = build_parser().parse_args(["--data-dir", "/d", "--env", "dev"])
    assert (args.command, args.data_dir, args.env) == (None, "/d", "dev")


def test_version_prints_the_package_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert _help_of(["--version"], capsys) == f"transmit-admin {transmit_admin.__version__}\n"


def test_the_version_is_the_installed_one_and_read_when_first_asked() -> None:
    probe = (
        "import json, sys, transmit_admin\n"
        "before = 'importlib.metadata' in sys.modules\n"
        "version = transmit_admin.__version__\n"
        "from importlib.metadata import PackageNotFoundError, version as installed\n"
        "try:\n"
        "    expected = installed('transmit-admin')\n"
        "except PackageNotFoundError:\n"
        "    expected = '0.0.0+unknown'\n"
        "print(json.dumps([before, version, expected]))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    before, version, expected = json.loads(result.stdout)
    assert before is False
    assert version == expected


def test_building_the_parser_imports_no_sub_command_stack() -> None:
    probe = (
        "import json, sys\n"
        "from transmit_admin.cli import build_parser\n"
        "build_parser().parse_args(['--data-dir', 'somewhere'])\n"
        f"print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == []
