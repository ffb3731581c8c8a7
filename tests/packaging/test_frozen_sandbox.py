"""In a PyInstaller bundle the sandbox child is started through the bundle's own binary.

`sys.executable` is then the `transmit-admin` program, which has no `-m`; the runner must
call its `sandbox` sub-command instead. A small stand-in for the bundle binary (a script that
runs the real CLI) proves that command line starts a working sandbox.
"""

from __future__ import annotations

import sys
from pathlib import Path

import httpx
import pytest

from transmit_admin.sandbox.runner import SandboxProcess

ROOT = Path(__file__).resolve().parents[2]
REAL_PYTHON = sys.executable


@pytest.fixture
def fake_bundle(tmp_path: Path) -> Path:
    calls = tmp_path / "argv.txt"
    binary = tmp_path / "transmit-admin"
    binary.write_text(
        f'#!/bin/sh\nprintf "%s\\n" "$@" > "{calls}"\nexec "{REAL_PYTHON}" -m transmit_admin "$@"\n'
    )
    binary.chmod(0o755)
    return binary


def test_frozen_app_starts_the_sandbox_through_its_subcommand(
    fake_bundle: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "executable", str(fake_bundle))
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "TRANSMIT_ADMIN_HOME": str(tmp_path / "home"),
        "PYTHONPATH": str(ROOT),
    }
    with SandboxProcess.start(users=2, env=env, timeout=45) as sandbox:
        argv = (tmp_path / "argv.txt").read_text().splitlines()
        assert argv[0] == "sandbox"
        assert "-m" not in argv
        assert "--json" in argv
        jwks = httpx.get(sandbox.info.jwks_url, timeout=10)
        assert jwks.status_code == 200
        assert jwks.json()["keys"]


def test_an_explicit_interpreter_still_uses_the_module(
    fake_bundle: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # tests and tools that pass python= want that interpreter even inside a frozen process
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "executable", str(fake_bundle))
    with SandboxProcess.start(users=1, python=REAL_PYTHON, timeout=45) as sandbox:
        assert sandbox.info.base_url.startswith("http://127.0.0.1:")
    assert not (fake_bundle.parent / "argv.txt").exists()
