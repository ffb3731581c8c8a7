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
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

from transmit_admin.api.jwks import JwksCache, JwksError
from transmit_admin.commands._say import say
from transmit_admin.core.extract import MAX_INPUT_BYTES, OpaqueToken, extract_tokens
from transmit_admin.core.keys import MAX_KEY_TEXT_BYTES, KeyParseError, KeySet
from transmit_admin.core.report import Status, TokenReport, Verdict
from transmit_admin.core.verify import VerifyPolicy, inspect_token, unverified_header


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
    keys_for = _key_lookup(args.jwks, [value for _, value in found])
    reports = [
        inspect_token(value, keys_for(value), policy, args.now, label) for label, value in found
    ]
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


def _key_lookup(jwks: str | None, tokens: Sequence[str]) -> Any:
    if jwks is None:
        return lambda _token: None
    if jwks.startswith(("https://", "http://")):
        by_token = asyncio.run(_fetch_for_tokens(jwks, tokens))
        return by_token.__getitem__
    keys = _read_key_file(jwks)
    return lambda _token: keys


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


async def _fetch_for_tokens(url: str, tokens: Sequence[str]) -> dict[str, KeySet]:
    # Ask the cache once per token with the token's kid, so a rotated key is fetched once.
    result: dict[str, KeySet] = {}
    try:
        async with JwksCache() as cache:
            for token in tokens:
                header = unverified_header(token)
                kid = header.get("kid") if header else None
                result[token] = await cache.keyset(url, kid if isinstance(kid, str) else None)
    except JwksError as exc:
        raise UsageProblem(exc.message) from None
    return result


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
