"""`--env sandbox` for the commands: the window's sandbox when one runs, else one of our own.

A running window announces its sandbox (base URL, disposable credentials, demo store) in
`sandbox-running.json` (`store/running_sandbox.py`): the command works on exactly the data
the window shows, and holds the demo store's shared lock meanwhile so no new demo re-creates
it underneath. With no window, the command starts a sandbox and seeds the demo store the way
the window does, and stops it when the command ends (it says so on stderr).
"""

from __future__ import annotations

import atexit
import sys
from pathlib import Path

from transmit_admin.app import sandbox_environment, start_demo
from transmit_admin.commands._say import say
from transmit_admin.services.environment_resolver import ResolvedEnvironment
from transmit_admin.store import demo_lock
from transmit_admin.store.running_sandbox import find_running

_resolved: dict[Path, ResolvedEnvironment] = {}  # one sandbox per data folder and command


def sandbox_for_command(data_dir: Path, *, need_secret: bool) -> ResolvedEnvironment:
    from transmit_admin.sandbox.runner import SandboxInfo

    known = _resolved.get(data_dir)
    if known is not None:
        return known
    running = find_running(data_dir)
    if running is not None:
        info = SandboxInfo.from_json(running.info)
        demo_lock.hold_shared(running.store_path)
        atexit.register(demo_lock.release, running.store_path)
        source = f"the sandbox of the running window (pid {running.pid}) at {info.base_url}"
    else:
        data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        sandbox, _env, store, path = start_demo(data_dir)
        store.close()  # the command opens the same file itself
        atexit.register(demo_lock.release, path)
        atexit.register(sandbox.stop)
        info = sandbox.info
        source = f"a sandbox started for this command at {info.base_url}"
        say(
            "transmit-admin: no window runs a sandbox; started one with fresh demo data "
            "for this command (it stops when the command ends).",
            file=sys.stderr,
        )
    secret = info.client_secret
    resolved = ResolvedEnvironment(
        sandbox_environment(info), (lambda: secret) if need_secret else None, source
    )
    _resolved[data_dir] = resolved
    return resolved
