"""What a sandbox run is configured with: where it listens, what it seeds, which faults it injects.

Every field has a default that makes `SandboxConfig()` a usable loopback sandbox; the command
line (`cli_args.py`) and `SandboxProcess.start` only override what they are given.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field

from transmit_admin.sandbox.faults import FaultSettings

DEFAULT_HOST = "127.0.0.1"
DEFAULT_APP_NAME = "Acme Support Demo"
# Every seeded user can log in with this password (documented in docs/sandbox.md); it is a
# demo credential of a throw-away loopback server, not a secret.
DEMO_PASSWORD = "Sandbox-Demo-1!"  # noqa: S105
# Seeded users' TOTP secret (base32), so `/v1/auth/totp/authenticate` can be tried by hand.
DEMO_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"  # noqa: S105

SESSION_LIFETIME_SECONDS = 14 * 24 * 3600
TOKEN_LIFETIME_SECONDS = 3600
REFRESH_TOKEN_LIFETIME_SECONDS = SESSION_LIFETIME_SECONDS
MAGIC_LINK_LIFETIME_SECONDS = 15 * 60
OTP_LIFETIME_SECONDS = 5 * 60
OTP_MAX_FAILURES = 3
ROTATED_KEY_GRACE_SECONDS = 3600
# How long the server keeps an idle keep-alive connection [assumed: Transmit does not say].
# Longer than any common client keeps one (Node's agent and httpx 5 s, Go 90 s), so the
# client always closes first: at uvicorn's default (5 s) a Node backend's request sent ~5 s
# after its previous one raced the server's close and failed with ECONNRESET.
KEEP_ALIVE_SECONDS = 120


@dataclass(frozen=True)
class SandboxConfig:
    host: str = DEFAULT_HOST
    port: int = 0
    users: int = 5
    sessions: int = 0
    seed: int | None = None
    latency_ms: int = 0
    jitter_ms: int = 0
    fail_rate: float = 0.0
    # None: the sandbox's own base URL (so sandbox tokens never pass as production ones).
    issuer: str | None = None
    # Allowed on top of the loopback defaults (`http://127.0.0.1:*`, `http://localhost:*`).
    redirect_uris: tuple[str, ...] = ()
    app_name: str = DEFAULT_APP_NAME
    faults: FaultSettings = field(default_factory=FaultSettings)
    # Binding to anything but loopback exposes demo credentials to the network: opt-in only.
    allow_remote: bool = False
    # Uvicorn's log level; "warning" keeps a foreground run's terminal quiet.
    log_level: str = "warning"
    # Stop when standard input reaches end-of-file: a child of the app then dies with its
    # parent, however the parent ended (even SIGKILL closes the pipe), instead of lingering.
    exit_with_stdin: bool = False

    def initial_faults(self) -> FaultSettings:
        """The fault settings at start: the `faults` block with the three shortcut fields."""
        return self.faults.merged(
            latency_ms=self.latency_ms or self.faults.latency_ms,
            jitter_ms=self.jitter_ms or self.faults.jitter_ms,
            fail_rate=self.fail_rate or self.faults.fail_rate,
        )


def is_loopback_host(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def base_url_for(host: str, port: int) -> str:
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}"
