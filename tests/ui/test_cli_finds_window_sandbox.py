"""Issue 12 item 16: `--env sandbox` on the CLI reaches the window's sandbox and demo store;
the file that announces it is private and goes when the window closes; the demo store is
never re-created under a process using it; `audit` honours `--env`."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from transmit_admin.store.demo_lock import DemoStoreBusy
from transmit_admin.store.running_sandbox import RUNNING_FILE_NAME
from transmit_admin.ui.sessions.model import COL_STATUS


def _cli(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "TRANSMIT_ADMIN_HOME": str(data_dir)}
    env.pop("QT_QPA_PLATFORM", None)
    return subprocess.run(
        [sys.executable, "-m", "transmit_admin.cli", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        check=False,
    )


def test_cli_works_on_the_windows_sandbox(
    qtbot: Any, make_main_window: Callable[..., Any], fresh_sandbox: Callable[..., Any]
) -> None:
    under_test = make_main_window(fresh_sandbox(users=3, sessions=12, seed=16))
    data_dir = under_test.data_dir
    running = data_dir / RUNNING_FILE_NAME
    assert running.exists()
    assert stat.S_IMODE(running.stat().st_mode) == 0o600
    assert json.loads(running.read_text())["info"]["base_url"] == under_test.info.base_url

    listed = _cli(data_dir, "sessions", "list", "--env", "sandbox", "--json")
    assert listed.returncode == 0, listed.stderr
    ids = {row["session_id"] for row in json.loads(listed.stdout)}
    panel = under_test.controller.panels["sessions"]
    shown = {panel.model.session_id_at(r) for r in range(panel.model.rowCount())}
    assert ids == shown  # the same demo data the window shows

    # The demo store is in use by the window: nobody re-creates it under it.
    with pytest.raises(DemoStoreBusy):
        seed_demo_store_in_child(data_dir, under_test.info)

    model = panel.model
    row = next(r for r in range(model.rowCount()) if model.index(r, COL_STATUS).data() == "active")
    session_id = panel.model.session_id_at(row)
    revoked = _cli(data_dir, "sessions", "revoke", session_id, "--env", "sandbox")
    assert revoked.returncode == 0, revoked.stderr
    qtbot.waitUntil(lambda: panel.model.index(row, COL_STATUS).data() == "revoked", timeout=3000)

    audit = _cli(data_dir, "audit", "--env", "nope")
    assert audit.returncode == 2
    assert "nope" in audit.stderr
    audit = _cli(data_dir, "audit", "--env", "sandbox", "--json")
    assert audit.returncode == 0, audit.stderr
    assert any(e["target"] == session_id for e in json.loads(audit.stdout))

    under_test.window.close()
    qtbot.wait(10)
    from tests.ui.conftest import _run_async

    _run_async(qtbot, under_test.controller.aclose())
    assert not running.exists()


def seed_demo_store_in_child(data_dir: Path, info: Any) -> None:
    """Another process trying to start a demo over the same data folder."""
    script = (
        "import sys, json\n"
        "from pathlib import Path\n"
        "from transmit_admin.app import seed_demo_store\n"
        "from transmit_admin.sandbox.runner import SandboxInfo\n"
        "from transmit_admin.store.demo_lock import DemoStoreBusy\n"
        "try:\n"
        "    seed_demo_store(SandboxInfo.from_json(sys.argv[2]), Path(sys.argv[1]))\n"
        "except DemoStoreBusy:\n"
        "    sys.exit(3)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(data_dir), info.to_json()],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    if done.returncode == 3:
        raise DemoStoreBusy(data_dir / "sandbox-demo.sqlite")
    assert done.returncode == 0, done.stderr
