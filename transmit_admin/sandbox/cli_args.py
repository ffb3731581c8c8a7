"""The sandbox's command-line flags, shared by `transmit-admin sandbox` and
`python -m transmit_admin.sandbox` (which the runner uses, as it needs no data folder)."""

from __future__ import annotations

import argparse
from dataclasses import replace

from transmit_admin.sandbox.config import DEFAULT_APP_NAME, DEFAULT_HOST, SandboxConfig
from transmit_admin.sandbox.faults import FaultSettings, FaultSettingsError


def _rate(text: str) -> float:
    value = float(text)
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"must be between 0 and 1, not {text}")
    return value


def _statuses(text: str) -> list[int]:
    try:
        return [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a list of status codes: {text}") from None


def _route_rate(text: str) -> tuple[str, float]:
    glob, sep, rate = text.rpartition("=")
    if not sep or not glob:
        raise argparse.ArgumentTypeError(f"expected GLOB=RATE, e.g. '/cis/v1/users*=0.5': {text}")
    return glob, _rate(rate)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add = parser.add_argument
    add("--host", default=DEFAULT_HOST, help="address to bind (default: %(default)s)")
    add("--allow-remote", action="store_true", help="allow a non-loopback --host (unsafe)")
    add("--port", type=int, default=0, help="port to bind; 0 picks a free one (default)")
    add("--users", type=int, default=5, help="demo users to seed (default: %(default)s)")
    add("--sessions", type=int, default=0, help="pre-existing sessions to seed (default: 0)")
    add("--seed", type=int, help="make ids, client secret and data reproducible")
    add("--issuer", help="token issuer (default: the sandbox's own base URL)")
    add(
        "--redirect-uri",
        action="append",
        default=[],
        metavar="URL",
        help="an allowed magic-link redirect URI besides loopback ones (repeatable)",
    )
    add("--app-name", default=DEFAULT_APP_NAME, help="the seeded app's name")
    add("--latency-ms", type=int, default=0, help="added latency per Transmit request")
    add("--jitter-ms", type=int, default=0, help="random extra latency, 0..N ms")
    add("--fail-rate", type=_rate, default=0.0, help="fraction of requests failing (0..1)")
    add(
        "--fail-status",
        type=_statuses,
        action="append",
        default=[],
        metavar="CODES",
        help="statuses failures use, e.g. 500,503 (default: 500,502,503)",
    )
    add(
        "--fail-route",
        action="append",
        default=[],
        metavar="GLOB",
        help="only fault paths matching this glob, e.g. '/cis/v1/auth/*' (repeatable)",
    )
    add(
        "--route-fail-rate",
        type=_route_rate,
        action="append",
        default=[],
        metavar="GLOB=R",
        help="a failure rate of its own for paths matching GLOB (repeatable; beats --fail-rate)",
    )
    add(
        "--rate-limit",
        type=_rate,
        default=0.0,
        metavar="R",
        help="fraction of requests answered 429 with Retry-After",
    )
    add(
        "--rate-limit-rps",
        type=int,
        default=0,
        metavar="N",
        help="answer 429 to requests beyond N per second (0: no limit)",
    )
    add("--retry-after", type=int, default=1, help="Retry-After seconds of a 429 (default: 1)")
    add("--drop-rate", type=_rate, default=0.0, help="fraction of connections dropped")
    add("--malformed-rate", type=_rate, default=0.0, help="fraction answered with broken JSON")
    add(
        "--wrong-success-rate",
        type=_rate,
        default=0.0,
        help="fraction answered with a wrong 2xx (200 {}, 202, an HTML page, …)",
    )
    announce = parser.add_mutually_exclusive_group()
    announce.add_argument(
        "--json",
        action="store_true",
        help="print one JSON object (base_url, client_id, client_secret, issuer, jwks_url, …) "
        "as the first line of stdout",
    )
    announce.add_argument(
        "--print-env",
        action="store_true",
        help="print the base URL and credentials as .env lines for a backend (VITE_TS_API_BASE, "
        "VITE_TS_CLIENT_ID, TS_CLIENT_SECRET, TS_REDIRECT_URI, …), then serve",
    )
    add("--log-level", default="warning", choices=["critical", "error", "warning", "info", "debug"])
    add(
        "--exit-with-stdin",
        action="store_true",
        help="stop when standard input closes (the app's runner uses it so the sandbox ends "
        "with the app)",
    )


def config_from_args(args: argparse.Namespace) -> SandboxConfig:
    """Raises FaultSettingsError for fault flags that make no sense together."""
    statuses = (
        tuple(s for group in args.fail_status for s in group) or FaultSettings().fail_statuses
    )
    faults = FaultSettings(
        latency_ms=args.latency_ms,
        jitter_ms=args.jitter_ms,
        fail_rate=args.fail_rate,
        fail_statuses=statuses,
        rate_limit_rate=args.rate_limit,
        rate_limit_per_second=args.rate_limit_rps,
        retry_after=args.retry_after,
        drop_rate=args.drop_rate,
        malformed_rate=args.malformed_rate,
        wrong_success_rate=args.wrong_success_rate,
        routes=tuple(args.fail_route),
        route_fail_rates=tuple(args.route_fail_rate),
    )
    faults.check()
    for name in ("users", "sessions", "port"):
        if getattr(args, name) < 0:
            raise FaultSettingsError(f"--{name} must not be negative")
    return replace(
        SandboxConfig(),
        host=args.host,
        port=args.port,
        users=args.users,
        sessions=args.sessions,
        seed=args.seed,
        issuer=args.issuer,
        redirect_uris=tuple(args.redirect_uri),
        app_name=args.app_name,
        faults=faults,
        allow_remote=args.allow_remote,
        log_level=args.log_level,
        exit_with_stdin=args.exit_with_stdin,
    )
