"""`sandbox-running.json`: how other processes find the sandbox a window is running.

The window starts its sandbox on a random loopback port with disposable credentials; the CLI
(`--env sandbox`) and a second window read them here to work on the same demo data. The
file holds a client secret, so it is created readable by the user only (0600), written
atomically, and removed by the process that wrote it when it closes. A file left by a
process that died is recognised by its pid and ignored (and removed).
"""

from __future__ import annotations

import contextlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

RUNNING_FILE_NAME = "sandbox-running.json"


@dataclass(frozen=True)
class RunningSandbox:
    pid: int
    info: dict[str, Any]  # `sandbox.runner.SandboxInfo` fields (base URL, credentials, ...)
    store_path: Path


def running_file(data_dir: Path) -> Path:
    return Path(data_dir) / RUNNING_FILE_NAME


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive, but not ours to use
        return True
    return True


def announce(data_dir: Path, info: dict[str, Any], store_path: Path) -> Path:
    """Writes this process's sandbox (0600, replacing any older file atomically)."""
    target = running_file(data_dir)
    temporary = target.with_name(f"{target.name}.{os.getpid()}.part")
    body = {"pid": os.getpid(), "info": info, "store_path": str(store_path)}
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fp:
            json.dump(body, fp)
        temporary.replace(target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return target


def withdraw(data_dir: Path) -> None:
    """Removes the file if this process wrote it (another window may have replaced it)."""
    found = _read(running_file(data_dir))
    if found is not None and found.pid == os.getpid():
        running_file(data_dir).unlink(missing_ok=True)


def _read(path: Path) -> RunningSandbox | None:
    try:
        body = json.loads(path.read_text(encoding="utf-8"))
        return RunningSandbox(int(body["pid"]), dict(body["info"]), Path(body["store_path"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def find_running(data_dir: Path) -> RunningSandbox | None:
    """The sandbox a live process announced in `data_dir`, else None (a stale file goes)."""
    path = running_file(data_dir)
    found = _read(path)
    if found is None:
        return None
    if not _alive(found.pid):
        with contextlib.suppress(OSError):
            path.unlink()
        return None
    return found
