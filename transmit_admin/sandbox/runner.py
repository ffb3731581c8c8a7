"""Start a sandbox in a child process on a free loopback port, for tests and the demo mode.

A child process, not a thread: Qt tests must not share their process with a server's event
loop (see the shared qt-async notes), and a child can be killed if it ever hangs.
The child prints one JSON line on stdout once it is serving; `SandboxInfo` is read from it.
"""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from transmit_admin.sandbox.serve import serve

__all__ = ["SandboxInfo", "SandboxProcess", "SandboxStartError", "serve"]

_PROJECT_ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class SandboxInfo:
    base_url: str
    client_id: str
    client_secret: str
    issuer: str
    jwks_url: str
    # What its tokens carry as `tid` and `aud`: an environment set to them checks both
    # instead of warning "not checked" on the sandbox's own happy path. Optional: older
    # announcements (and hand-written files) lack them.
    tenant_id: str | None = None
    audience: str | None = None

    @property
    def token_url(self) -> str:
        return f"{self.base_url}/oidc/token"

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, data: str | bytes | Mapping[str, Any]) -> SandboxInfo:
        """From the sandbox's `--json` line (or its parsed dict); extra keys are ignored."""
        fields = json.loads(data) if isinstance(data, str | bytes) else data
        required = ("base_url", "client_id", "client_secret", "issuer", "jwks_url")
        try:
            values = {name: str(fields[name]) for name in required}
        except KeyError as exc:
            raise ValueError(f"sandbox info lacks {exc.args[0]!r}") from None
        for name in ("tenant_id", "audience"):
            if fields.get(name) is not None:
                values[name] = str(fields[name])
        return cls(**values)


class SandboxStartError(RuntimeError):
    """The child exited or stayed silent before announcing itself; carries its stderr tail."""


class SandboxProcess:
    def __init__(
        self,
        process: subprocess.Popen[str],
        info: SandboxInfo,
        stderr: IO[bytes],
        reader: _StdoutReader,
    ) -> None:
        self.process = process
        self.info = info
        self._stderr = stderr
        self._reader = reader

    @classmethod
    def start(
        cls,
        *,
        users: int = 5,
        sessions: int = 0,
        latency_ms: int = 0,
        seed: int | None = None,
        extra_args: Sequence[str] = (),
        timeout: float = 30.0,
        python: str | None = None,
        env: Mapping[str, str] | None = None,
    ) -> SandboxProcess:
        if python is None and getattr(sys, "frozen", False):
            # A PyInstaller bundle: sys.executable is the transmit-admin binary, which has no
            # `-m`; its `sandbox` sub-command takes the same flags.
            launcher = [sys.executable, "sandbox"]
        else:
            # -P: not the working folder first on sys.path. Started from inside another
            # checkout, `-m` imported that checkout's sandbox instead of this install's.
            launcher = [python or sys.executable, "-P", "-m", "transmit_admin.sandbox"]
        command = [
            *launcher,
            "--host",
            "127.0.0.1",
            "--port",
            "0",
            "--json",
            "--users",
            str(users),
            "--sessions",
            str(sessions),
            "--latency-ms",
            str(latency_ms),
            "--exit-with-stdin",
        ]
        if seed is not None:
            command += ["--seed", str(seed)]
        command += list(extra_args)
        child_env = dict(os.environ if env is None else env)
        if (_PROJECT_ROOT / "pyproject.toml").is_file():
            # A source checkout: the child must run this very code, installed or not.
            child_env["PYTHONPATH"] = os.pathsep.join(
                p for p in (str(_PROJECT_ROOT), child_env.get("PYTHONPATH", "")) if p
            )
        child_env["PYTHONUNBUFFERED"] = "1"
        stderr = tempfile.TemporaryFile()  # noqa: SIM115 - lives as long as the child
        process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
            command,
            stdout=subprocess.PIPE,
            stderr=stderr,
            # Never written: the child stops when this pipe closes, i.e. when we end.
            stdin=subprocess.PIPE,
            text=True,
            env=child_env,
        )
        assert process.stdout is not None
        reader = _StdoutReader(process.stdout)
        try:
            info = SandboxInfo.from_json(reader.first_line(process, timeout))
        except (SandboxStartError, ValueError) as exc:
            _end(process)
            reader.join(timeout=5)
            tail = _tail(stderr)
            stderr.close()
            raise SandboxStartError(f"{exc}; sandbox stderr: {tail}") from None
        return cls(process, info, stderr, reader)

    @property
    def running(self) -> bool:
        return self.process.poll() is None

    def stderr_text(self) -> str:
        """What the child wrote to stderr so far (uvicorn errors, warnings)."""
        return _tail(self._stderr, limit=1_000_000)

    def stop(self, timeout: float = 5.0) -> int | None:
        """Terminates the child (killing it if it does not stop in time); returns its code."""
        code = _end(self.process, timeout)
        self._reader.join(timeout)
        if not self._stderr.closed:
            self._stderr.close()
        return code

    def __enter__(self) -> SandboxProcess:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


class _StdoutReader:
    """Reads the child's stdout on a thread, so the child never blocks on a full pipe.

    The thread owns the pipe and closes it at end of output, so no file is left for the
    garbage collector to complain about.
    """

    def __init__(self, stdout: IO[str]) -> None:
        self._stdout = stdout
        self._lines: queue.Queue[str] = queue.Queue()
        self._thread = threading.Thread(target=self._drain, name="sandbox-stdout", daemon=True)
        self._thread.start()

    def _drain(self) -> None:
        try:
            for line in self._stdout:
                self._lines.put(line)
        finally:
            self._stdout.close()
            self._lines.put("")  # end of output

    def first_line(self, process: subprocess.Popen[str], timeout: float) -> str:
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise SandboxStartError(f"no announcement within {timeout:.0f} s")
            try:
                line = self._lines.get(timeout=min(remaining, 0.5))
            except queue.Empty:
                continue
            if not line:
                code = process.wait()
                raise SandboxStartError(f"sandbox exited with code {code} before starting")
            if line.strip():
                return line

    def join(self, timeout: float) -> None:
        self._thread.join(timeout)


def _end(process: subprocess.Popen[str], timeout: float = 5.0) -> int | None:
    if process.stdin is not None and not process.stdin.closed:
        process.stdin.close()
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout)
    return process.returncode


def _tail(stream: IO[bytes], limit: int = 4000) -> str:
    if stream.closed:
        return ""
    stream.flush()
    stream.seek(0)
    data = stream.read()
    return data[-limit:].decode("utf-8", errors="replace").strip()
