"""`har revoke` and `har report`: a capture read with the chosen environment's hosts, keys,
store and API (`services.har_intake`); the parser is in `har.py`.

Everything printed goes through `say` (control characters escaped) and holds fingerprints,
counts, statuses and masked owners, never a value from the capture.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import TextIO

from transmit_admin.commands._har_run import UsageProblem, open_input, saved_environments
from transmit_admin.commands._say import say
from transmit_admin.commands._session_context import (
    EXIT_FAILED,
    EXIT_OK,
    EXIT_USAGE,
    guarded,
    run_service,
)
from transmit_admin.core.redact import mask_text
from transmit_admin.services.har_intake import HarIntake, HarIntakeService, Liveness
from transmit_admin.services.har_report import report_json, report_markdown
from transmit_admin.services.session_service import SessionService


async def _read(service: SessionService, args: argparse.Namespace) -> HarIntake:
    found = await service.keys.get()
    if found.problem:
        say(f"note: tokens are not verified: {found.problem}", file=sys.stderr)
    keys = found.value
    environments, _ = saved_environments(args)
    intake_service = HarIntakeService(service, environments)
    name = "standard input" if args.file == "-" else args.file
    return await intake_service.read(open_input(args.file), name, keys=keys, owner_email=args.email)


def _confirm(intake: HarIntake, count: int, ask: TextIO | None) -> bool:
    """Asks on the terminal; production needs the environment's name typed."""
    if ask is None:
        return False
    env = intake.environment
    word = env.name if env.production else "yes"
    say(
        f"Revoke {count} live session(s) found in this capture, in "
        f"{'PRODUCTION ' if env.production else ''}environment {env.name!r}? "
        f"Type {word!r} to go ahead: ",
        file=sys.stderr,
        flush=True,
    )
    return ask.readline().strip() == word


@guarded
def revoke(args: argparse.Namespace) -> int:
    async def action(service: SessionService) -> int:
        intake = await _read(service, args)
        live = intake.live()
        lines = sys.stderr if args.json else sys.stdout  # --json: standard output is JSON only
        for match in intake.matches:
            if not match.revocable:
                owner = mask_text(match.email or match.user_id or "unknown owner")
                text = mask_text(match.status_text())
                say(f"session {match.fingerprint[:12]}… ({owner}): {text}", file=lines)
        if not live:
            say("no live session to revoke in this capture", file=lines)
            if args.json:
                sys.stdout.write(json.dumps(report_json(intake, datetime.now(UTC)), indent=2))
                sys.stdout.write("\n")
            return _exit(intake)
        terminal = sys.stdin if args.file != "-" and sys.stdin.isatty() else None
        if not args.yes and not _confirm(intake, len(live), terminal):
            raise UsageProblem(
                "not confirmed; nothing was revoked (pass --yes to revoke without asking)"
            )
        results = await HarIntakeService(service, []).revoke(intake, live)
        for result in results:
            mark = "revoked" if result.ok else "FAILED"
            fp = next(m.fingerprint for m in live if m.session_id == result.session_id)
            say(f"session {fp[:12]}…: {mark}: {mask_text(result.message)}", file=lines)
        if args.json:
            sys.stdout.write(json.dumps(report_json(intake, datetime.now(UTC)), indent=2) + "\n")
        return EXIT_FAILED if any(not r.ok for r in results) else _exit(intake)

    return _guarded_har(args, action)


def _exit(intake: HarIntake) -> int:
    """1 when a session could not be settled (no owner, the check failed, a revoke failed)."""
    unsettled = [m for m in intake.matches if m.liveness in (Liveness.NO_OWNER, Liveness.UNCHECKED)]
    failed = [r for r in intake.revokes.values() if not r.ok]
    return EXIT_FAILED if unsettled or failed else EXIT_OK


@guarded
def report(args: argparse.Namespace) -> int:
    async def action(service: SessionService) -> int:
        intake = await _read(service, args)
        now = datetime.now(UTC)
        if args.json:
            sys.stdout.write(json.dumps(report_json(intake, now), indent=2) + "\n")
        else:
            say(report_markdown(intake, now).rstrip("\n"))
        return EXIT_FAILED if intake.live() else EXIT_OK

    return _guarded_har(args, action)


def _guarded_har(
    args: argparse.Namespace, action: Callable[[SessionService], Awaitable[int]]
) -> int:
    from transmit_admin.core.har.errors import HarError

    try:
        return run_service(args, action)
    except UsageProblem as problem:
        say(f"transmit-admin har: {problem}", file=sys.stderr)
        return EXIT_USAGE
    except HarError as error:
        say(f"transmit-admin har: {error.sentence()}", file=sys.stderr)
        return EXIT_USAGE
