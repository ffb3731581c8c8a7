"""The verifier: one report per token, with every check in a fixed order.

`inspect_token` never raises for any input string; everything it learns from the token is
untrusted until the `signature` check passed and no other check failed (verdict `valid`).
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from transmit_admin.core import claim_checks as claim
from transmit_admin.core import header_checks as hdr
from transmit_admin.core.extract import Extraction, extract_tokens
from transmit_admin.core.jws import ParsedToken, parse_compact
from transmit_admin.core.keys import KeySet
from transmit_admin.core.kinds import classify
from transmit_admin.core.report import Check, Status, TokenKind, TokenReport, Verdict

CHECK_IDS = (
    "format",
    "algorithm",
    "key",
    "signature",
    "untrusted_key_reference",
    "crit",
    "exp",
    "nbf",
    "iat",
    "iss",
    "aud",
    "tid",
    "required_claims",
)
DEFAULT_ALGORITHMS = ("RS256", "PS256")


@dataclass(frozen=True, slots=True)
class VerifyPolicy:
    issuers: tuple[str, ...] = ()
    audiences: tuple[str, ...] = ()
    tenant_id: str | None = None
    leeway: float = 60
    algorithms: tuple[str, ...] = DEFAULT_ALGORITHMS
    # An ID token's audience is the client id; when set, ID tokens are checked against it.
    client_id: str | None = None


@dataclass(frozen=True, slots=True)
class Inspection:
    extraction: Extraction
    reports: list[TokenReport] = field(default_factory=list)


def fingerprint(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def unverified_header(token: str) -> dict[str, Any] | None:
    """The decoded header (for choosing which JWKS to fetch); None when unreadable."""
    parsed = parse_compact(token)
    return parsed.header if parsed.readable else None


def inspect_token(
    token: str,
    keys: KeySet | None,
    policy: VerifyPolicy,
    now: float | None = None,
    label: str = "token",
) -> TokenReport:
    moment = time.time() if now is None else float(now)
    parsed = parse_compact(token)
    if not parsed.readable or parsed.header is None:
        why = "the token is encrypted" if parsed.encrypted else "the token could not be read"
        checks = [parsed.format] + [
            Check(check_id, Status.SKIP, f"Not checked: {why}.") for check_id in CHECK_IDS[1:]
        ]
        return _report(label, token, TokenKind.UNKNOWN, parsed, checks, moment)
    kind = classify(parsed.claims)
    checks = [parsed.format, *_signature_checks(parsed, parsed.header, keys, policy)]
    checks.extend(_claim_checks(parsed, kind, policy, moment))
    return _report(label, token, kind, parsed, checks, moment)


def _signature_checks(
    parsed: ParsedToken, header: dict[str, Any], keys: KeySet | None, policy: VerifyPolicy
) -> list[Check]:
    algorithm = hdr.check_algorithm(header, keys, policy.algorithms)
    if algorithm.status is Status.PASS:
        alg: str = header["alg"]
        key_check, key = hdr.choose_key(header, keys, alg)
    else:
        key_check = Check("key", Status.SKIP, "Not chosen: the algorithm was refused.")
        key = None
    if key is not None:
        signature = hdr.check_signature(parsed.signing_input, parsed.signature, alg, key)
    elif keys is None or len(keys) == 0:
        signature = Check("signature", Status.SKIP, "Not checked: no key was supplied.")
    else:
        signature = Check("signature", Status.SKIP, "Not checked: no usable key.")
    return [
        algorithm,
        key_check,
        signature,
        hdr.check_untrusted_references(header),
        hdr.check_crit(header),
    ]


def _claim_checks(
    parsed: ParsedToken, kind: TokenKind, policy: VerifyPolicy, now: float
) -> list[Check]:
    claims = parsed.claims
    if claims is None:
        skipped = [
            Check(check_id, Status.SKIP, "Not checked: the payload is not a JSON object.")
            for check_id in ("exp", "nbf", "iat", "iss", "aud", "tid")
        ]
        return [*skipped, claim.check_required(None, parsed.claims_problem, kind)]
    audiences = policy.audiences
    if kind is TokenKind.ID_TOKEN and policy.client_id:
        audiences = (policy.client_id,)
    return [
        claim.check_exp(claims, now, policy.leeway),
        claim.check_nbf(claims, now, policy.leeway),
        claim.check_iat(claims, now, policy.leeway),
        claim.check_iss(claims, policy.issuers),
        claim.check_aud(claims, audiences, kind),
        claim.check_tid(claims, policy.tenant_id, kind),
        claim.check_required(claims, parsed.claims_problem, kind),
    ]


def _report(
    label: str,
    token: str,
    kind: TokenKind,
    parsed: ParsedToken,
    checks: list[Check],
    checked_at: float,
) -> TokenReport:
    if Status.FAIL in {check.status for check in checks}:
        verdict = Verdict.INVALID
    elif checks[3].status is Status.PASS:  # the signature check, by its fixed position
        verdict = Verdict.VALID
    else:
        verdict = Verdict.UNVERIFIED
    return TokenReport(
        label=label,
        fingerprint=fingerprint(token),
        verdict=verdict,
        kind=kind,
        header=parsed.header,
        claims=parsed.claims,
        checks=tuple(checks),
        segments=parsed.segments[:3] if not parsed.encrypted else parsed.segments,
        checked_at=checked_at,
    )


def inspect_text(
    text: str, keys: KeySet | None, policy: VerifyPolicy, now: float | None = None
) -> Inspection:
    extraction = extract_tokens(text)
    reports = [
        inspect_token(found.value, keys, policy, now, found.label) for found in extraction.tokens
    ]
    return Inspection(extraction, reports)


def inspect_lines(
    lines: Sequence[str], keys: KeySet | None, policy: VerifyPolicy, now: float | None = None
) -> list[TokenReport]:
    """Each non-empty line is exactly one token (bulk checks of log lines): no extraction."""
    return [
        inspect_token(line.strip(), keys, policy, now, f"line {number}")
        for number, line in enumerate(lines, start=1)
        if line.strip()
    ]
