"""Runs the sandbox in the foreground: bind, announce, serve until Ctrl+C or SIGTERM."""

from __future__ import annotations

import asyncio
import json
import signal
import socket
import sys
import threading
from dataclasses import replace
from types import FrameType
from typing import TextIO

import uvicorn

from transmit_admin.sandbox.app import create_app
from transmit_admin.sandbox.config import (
    KEEP_ALIVE_SECONDS,
    SandboxConfig,
    base_url_for,
    is_loopback_host,
)
from transmit_admin.sandbox.env_file import env_text
from transmit_admin.sandbox.routes_admin import info_of
from transmit_admin.sandbox.state import SandboxState


class RemoteBindRefused(Exception):
    """A non-loopback --host without --allow-remote."""


def _bind(host: str, port: int) -> socket.socket:
    family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
    except OSError:
        sock.close()
        raise
    return sock


def _announce(state: SandboxState, json_output: bool, env_output: bool, out: TextIO) -> None:
    info = info_of(state)
    users = info.pop("users")
    if json_output:
        out.write(json.dumps(info) + "\n")
    elif env_output:
        # stdout stays a clean .env file (`... --print-env > .env`); the rest goes to stderr.
        out.write(env_text(info, state.config.redirect_uris))
        print(
            f"Transmit sandbox listening on {info['base_url']}; Ctrl+C stops it.",
            file=sys.stderr,
        )
    else:
        out.write(
            f"Transmit sandbox listening on {info['base_url']}\n"
            f"  client id      {info['client_id']}\n"
            f"  client secret  {info['client_secret']}\n"
            f"  issuer         {info['issuer']}\n"
            f"  JWKS           {info['jwks_url']}\n"
            f"  demo users     {len(users)}, password {info['demo_password']!r}"
            f" (see {info['base_url']}/sandbox/info)\n"
            "Press Ctrl+C to stop.\n"
        )
    out.flush()


def _stop_on_sigterm(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def _serve_on(
    sock: socket.socket, config: SandboxConfig, json_output: bool, env_output: bool, out: TextIO
) -> None:
    port = sock.getsockname()[1]
    app = create_app(replace(config, port=port), base_url_for(config.host, port))
    server = uvicorn.Server(
        uvicorn.Config(
            app,
            log_level=config.log_level,
            access_log=False,
            lifespan="off",
            timeout_keep_alive=KEEP_ALIVE_SECONDS,
        )
    )
    if config.exit_with_stdin:
        _stop_when_stdin_closes(server)

    async def run() -> None:
        serving = asyncio.create_task(server.serve(sockets=[sock]))
        while not server.started and not serving.done():
            await asyncio.sleep(0.01)
        if server.started:
            _announce(app.state.sandbox, json_output, env_output, out)
        await serving

    # uvicorn re-raises the signal it caught once it has shut down; turning SIGTERM into
    # KeyboardInterrupt makes `stop()` from the runner end as cleanly as Ctrl+C does.
    # Only the main thread may set signal handlers (uvicorn skips its own elsewhere too).
    in_main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, _stop_on_sigterm) if in_main_thread else None
    try:
        asyncio.run(run())
    except KeyboardInterrupt:
        print("sandbox stopped", file=sys.stderr)
    finally:
        if in_main_thread:
            signal.signal(signal.SIGTERM, previous)


def _stop_when_stdin_closes(server: uvicorn.Server) -> None:
    """Turns end-of-file on stdin into uvicorn's own graceful stop (portable, unlike a signal)."""

    def watch() -> None:
        try:
            while sys.stdin.buffer.read(4096):
                pass  # the parent never writes; anything it does is ignored
        except (OSError, ValueError):
            pass  # stdin unusable: treat like closed
        server.should_exit = True  # uvicorn's main loop polls this flag

    threading.Thread(target=watch, name="sandbox-parent-watch", daemon=True).start()


def serve(
    config: SandboxConfig,
    *,
    json_output: bool = False,
    env_output: bool = False,
    out: TextIO | None = None,
) -> int:
    """Serves until interrupted; returns the exit code (0 after a clean stop).

    The announcement on `out` is a JSON line (`json_output`), `.env` lines (`env_output`),
    or a few lines for a person.
    """
    out = out or sys.stdout
    if not is_loopback_host(config.host):
        if not config.allow_remote:
            raise RemoteBindRefused(
                f"refusing to bind {config.host}: the sandbox hands out demo credentials to "
                "anyone who can reach it; pass --allow-remote if you really mean it"
            )
        print(
            f"WARNING: the sandbox is reachable from the network on {config.host}", file=sys.stderr
        )
    sock = _bind(config.host, config.port)
    with sock:
        _serve_on(sock, config, json_output, env_output, out)
    return 0
