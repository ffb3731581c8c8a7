"""The work of `transmit-admin har` (the parser is in `har.py`)."""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import logging
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO, TextIO

from transmit_admin.api.jwks import JwksCache, JwksError
from transmit_admin.commands._output import dumps
from transmit_admin.commands._say import say
from transmit_admin.commands._verify_run import _read_key_file
from transmit_admin.core.environment import Environment
from transmit_admin.core.har import (
    HarAnalysis,
    HarError,
    TransmitHosts,
    Verifier,
    analyze_har,
    sanitize_har,
)
from transmit_admin.core.keys import KeySet
from transmit_admin.core.printable import printable
from transmit_admin.core.report import TokenReport
from transmit_admin.core.timefmt import utc_text
from transmit_admin.core.verify import VerifyPolicy, inspect_token

log = logging.getLogger(__name__)
MAX_STDIN_BYTES = 1024 * 1024 * 1024  # standard input is held in memory, never spooled to disk


class UsageProblem(Exception):
    """Bad input or arguments: one line on stderr, exit status 2."""


def run_har(args: argparse.Namespace, out: TextIO) -> int:
    if args.har_command == "sanitize":
        return _sanitize(args, out)
    return _inspect(args, out)


def saved_environments(args: argparse.Namespace) -> tuple[list[Environment], Environment | None]:
    """Every saved environment (their hosts are Transmit's), and the one named by `--env`."""
    from transmit_admin.services.environment_resolver import (
        EnvironmentUnavailable,
        resolve_environment,
    )
    from transmit_admin.store.environments import EnvironmentsFileError, SavedEnvironments
    from transmit_admin.store.paths import data_dir

    folder = data_dir(getattr(args, "data_dir", None))
    try:
        saved = SavedEnvironments(folder).load_all()
    except EnvironmentsFileError as exc:
        log.warning("saved environments unreadable: %s", exc)
        saved = []
    chosen = None
    if getattr(args, "env", None):
        try:
            chosen = resolve_environment(folder, args.env, need_secret=False).env
        except EnvironmentUnavailable as exc:
            raise UsageProblem(str(exc)) from None
        saved.append(chosen)
    return saved, chosen


def _keys(args: argparse.Namespace, env: Environment | None) -> KeySet | None:
    source = args.jwks or (env.jwks_url if env is not None else None)
    if source is None:
        return None
    if not source.startswith(("https://", "http://")):
        return _read_key_file(source)

    async def fetch() -> KeySet:
        async with JwksCache() as cache:
            return await cache.keyset(source)

    try:
        return asyncio.run(fetch())
    except JwksError as exc:
        raise UsageProblem(exc.message) from None


def verifier(keys: KeySet | None, policy: VerifyPolicy, now: float | None) -> Verifier:
    """The same verifier a pasted token meets, with these keys (never the token's own)."""

    def verify(token: str) -> TokenReport:
        return inspect_token(token, keys, policy, now, label="token")

    return verify


def open_input(path_text: str) -> Callable[[], BinaryIO]:
    if path_text == "-":
        data = sys.stdin.buffer.read(MAX_STDIN_BYTES + 1)
        if len(data) > MAX_STDIN_BYTES:
            raise UsageProblem("standard input is larger than 1 GiB; give the file's name")
        return lambda: io.BytesIO(data)
    path = Path(path_text)
    if not path.is_file():
        raise UsageProblem(f"no such file: {path_text!r}")
    return lambda: path.open("rb")


def _inspect(args: argparse.Namespace, out: TextIO) -> int:
    environments, env = saved_environments(args)
    policy = env.verify_policy() if env is not None else VerifyPolicy()
    if args.issuer or args.audience:
        policy = VerifyPolicy(
            issuers=tuple(args.issuer) or policy.issuers,
            audiences=tuple(args.audience) or policy.audiences,
            tenant_id=policy.tenant_id,
            leeway=policy.leeway,
            client_id=policy.client_id,
        )
    verify = verifier(_keys(args, env), policy, args.now)
    opener = open_input(args.file)
    with opener() as stream:
        analysis = analyze_har(
            stream, hosts=TransmitHosts.from_environments(environments), verify=verify
        )
    now = datetime.fromtimestamp(args.now, UTC) if args.now is not None else datetime.now(UTC)
    if args.json:
        out.write(dumps(analysis.to_json(now)) + "\n")
    else:
        _print_analysis(analysis, now, out)
    return 1 if analysis.live(now) else 0


def _print_analysis(analysis: HarAnalysis, now: datetime, out: TextIO) -> None:
    head = analysis.head
    who = " ".join(x for x in (head.creator, head.creator_version) if x) or "unknown tool"
    say(
        f"capture: {analysis.entries} entries from {who}, sha256 {analysis.fingerprint[:16]}…",
        file=out,
    )
    for note in analysis.notes:
        say(f"  note: {note}", file=out)
    items = analysis.inventory.items
    say(f"\nsecrets ({len(items)}):", file=out)
    for item in items:
        live = "LIVE?" if item.possibly_live(now) else "stale"
        verdict = item.verdict.value if item.verdict else "-"
        expiry = f" expires {utc_text(item.expires_at)}" if item.expires_at else ""
        subject = f" sub {printable(item.subject)[:60]}" if item.subject else ""
        first = item.sightings[0] if item.sightings else None
        where = f" first in entry {first.entry + 1} ({first.place})" if first else ""
        say(
            f"  {live:<5} {item.label:<28} {verdict:<10} sha256 {item.fingerprint[:12]}…"
            f"{subject}{expiry}; seen {item.seen_count}×{where}",
            file=out,
        )
        if item.report is not None and item.verdict is not None and item.verdict != "valid":
            say(f"        {item.report.reason}", file=out)
    sessions = analysis.inventory.sessions()
    say(f"\nsessions ({len(sessions)}):", file=out)
    for session in sessions:
        owner = session.email or session.subject or "owner unknown: give the user's email"
        say(f"  session sha256 {session.item.fingerprint[:12]}…  owner {owner}", file=out)
    say(f"\ntimeline ({len(analysis.timeline.steps)} steps):", file=out)
    for step in analysis.timeline.steps:
        status = step.status if step.status is not None else "no response"
        arrow = f" → {step.redirect_to}" if step.redirect_to else ""
        kinds = f"  [{', '.join(step.secrets)}]" if step.secrets else ""
        say(
            f"  #{step.entry + 1:<4} {step.started_text[11:23]:<12} {step.party.value:<8} "
            f"{step.method} {step.where} {status}{arrow}{kinds}",
            file=out,
        )
    if analysis.timeline.problems:
        say("\nproblems:", file=out)
        for problem in analysis.timeline.problems:
            say(f"  - {problem}", file=out)


def _sanitize(args: argparse.Namespace, out: TextIO) -> int:
    key = None
    if args.key:
        try:
            key = bytes.fromhex(args.key)
        except ValueError:
            raise UsageProblem("--key must be hexadecimal") from None
    output = Path(args.output)
    if args.file != "-" and output.resolve() == Path(args.file).resolve():
        raise UsageProblem("the output must not be the capture itself")
    if not output.parent.is_dir():
        raise UsageProblem(f"no such folder: {str(output.parent)!r}")
    try:
        manifest = sanitize_har(open_input(args.file), output, key=key, mask_pii=args.mask_pii)
    except HarError:
        raise
    except OSError as exc:
        raise UsageProblem(f"cannot write {args.output!r}: {exc.strerror}") from None
    if args.json:
        out.write(json.dumps(manifest.to_json(), indent=2) + "\n")
    else:
        total = sum(manifest.secrets.values())
        say(f"wrote {args.output}: {manifest.entries} entries, {total} secrets replaced", file=out)
        for kind, count in sorted(manifest.secrets.items()):
            say(f"  {kind}: {count}", file=out)
        for note in manifest.notes:
            say(f"  note: {note}", file=out)
    return 0
