"""The work of `transmit-admin verify` (the parser is in `verify.py`).

Apart from `verify.py` because the verifier and the JWKS client import cryptography and httpx:
building the parser, which every `transmit-admin` call does (the desktop window first), must
not pay for them.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TextIO

from transmit_admin.api.jwks import JwksCache, JwksError
from transmit_admin.commands._say import say
from transmit_admin.core.extract import MAX_INPUT_BYTES, OpaqueToken, extract_tokens
from transmit_admin.core.keys import MAX_KEY_TEXT_BYTES, KeyParseError, KeySet
from transmit_admin.core.report import Status, TokenReport, Verdict
from transmit_admin.core.verify import VerifyPolicy, inspect_token


class UsageProblem(Exception):
    """Bad input or arguments: one line on stderr, exit status 2."""


def run_verify(args: argparse.Namespace, out: TextIO) -> int:
    text = _read_text(args.text)
    policy = VerifyPolicy(
        issuers=tuple(args.issuer),
        audiences=tuple(args.audience),
        tenant_id=args.tenant,
        leeway=args.leeway,
    )
    opaque: list[OpaqueToken] = []
    if args.each_line:
        found = [
            (f"line {n}", line.strip())
            for n, line in enumerate(text.splitlines(), 1)
            if line.strip()
        ]
    else:
        extraction = extract_tokens(text)
        if extraction.refusal:
            raise UsageProblem(extraction.refusal)
        found = [(token.label, token.value) for token in extraction.tokens]
        opaque = list(extraction.opaque)
    if not found and not opaque:
        raise UsageProblem("no token in the input")
    reports = _inspect_all(args.jwks, found, policy, args.now)
    if args.json:
        json.dump([report.to_json() for report in reports], out, indent=2)
        out.write("\n")
        for item in opaque:
            say(f"{item.label}: {item.note}", file=sys.stderr)
    else:
        for report in reports:
            _print_report(report, out)
        for item in opaque:
            out.write(f"OPAQUE  {item.label}\n  {item.note}\n\n")
    every_valid = bool(reports) and all(r.verdict is Verdict.VALID for r in reports)
    return 0 if every_valid else 1


def _read_text(source: str) -> str:
    if source == "-":
        data = sys.stdin.buffer.read(MAX_INPUT_BYTES + 1)
        if len(data) > MAX_INPUT_BYTES:
            raise UsageProblem(f"the input is larger than {MAX_INPUT_BYTES // 2**20} MiB")
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise UsageProblem("the input is not UTF-8 text") from None
    return source


def _inspect_all(
    jwks: str | None, found: Sequence[tuple[str, str]], policy: VerifyPolicy, now: float | None
) -> list[TokenReport]:
    def inspect_with(keys: KeySet | None) -> list[TokenReport]:
        return [inspect_token(value, keys, policy, now, label) for label, value in found]

    if jwks is None:
        return inspect_with(None)
    if jwks.startswith(("https://", "http://")):
        return asyncio.run(_inspect_against_url(jwks, inspect_with))
    return inspect_with(_read_key_file(jwks))


def _read_key_file(path_text: str) -> KeySet:
    path = Path(path_text)
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_KEY_TEXT_BYTES + 1)
    except OSError as exc:
        raise UsageProblem(f"cannot read the key file {path_text!r}: {exc.strerror}") from None
    try:
        return KeySet.from_text(data.decode("utf-8"), path.name, user_supplied=True)
    except UnicodeDecodeError:
        raise UsageProblem(f"the key file {path_text!r} is not text") from None
    except KeyParseError as exc:
        raise UsageProblem(exc.message) from None


async def _inspect_against_url(
    url: str, inspect_with: Callable[[KeySet | None], list[TokenReport]]
) -> list[TokenReport]:
    """The reports against the JWKS at `url`, checked again after one refetch when a token
    names a `kid` the first set lacks (`JwksCache.check_with_rotation`)."""

    async def check(keys: KeySet) -> list[TokenReport]:
        return inspect_with(keys)

    def kids_of(reports: list[TokenReport]) -> list[str]:
        kids = ((report.header or {}).get("kid") for report in reports)
        return [kid for kid in kids if isinstance(kid, str)]

    try:
        async with JwksCache() as cache:
            return await cache.check_with_rotation(url, check, kids_of)
    except JwksError as exc:
        raise UsageProblem(exc.message) from None


def _printable(text: str, limit: int = 160) -> str:
    """Claims are attacker-controlled: no terminal control characters, bounded length."""
    clean = "".join(c if c.isprintable() else f"\\u{ord(c):04x}" for c in text[: limit + 1])
    return clean if len(clean) <= limit else clean[:limit] + "…"


def _value_text(value: object) -> str:
    return _printable(json.dumps(value, ensure_ascii=False))


def _print_report(report: TokenReport, out: TextIO) -> None:
    out.write(f"{report.verdict.upper():<10} {report.label} ({report.kind.display_name})\n")
    out.write(f"  {_printable(report.reason, 300)}\n")
    out.write(f"  fingerprint sha256:{report.fingerprint[:16]}\n  checks:\n")
    for check in report.checks:
        mark = check.status.upper() if check.status is not Status.PASS else "ok"
        out.write(f"    {mark:<4}  {check.id:<24} {_printable(check.message, 400)}\n")
    if report.header is not None:
        out.write("  header:\n")
        for name, value in list(report.header.items())[:40]:
            out.write(f"    {_printable(name, 40)}: {_value_text(value)}\n")
    if report.claims is not None:
        out.write("  claims:\n")
        times = report.times()
        for name, value in list(report.claims.items())[:100]:
            line = f"    {_printable(name, 40)}: {_value_text(value)}"
            view = times.get(name)
            if view is not None:
                line += f"  = {view.utc} ({view.local} local), {view.relative}"
            out.write(line + "\n")
    out.write("\n")
