"""The checks on what the token says: lifetime, issuer, audience, tenant, required claims.

Claims are read before the signature is trusted, so every value is type-checked here and
shown with bounded length; a claim of the wrong type fails its check instead of raising.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from transmit_admin.core.keys import shorten
from transmit_admin.core.kinds import missing_claims
from transmit_admin.core.report import Check, Status, TokenKind
from transmit_admin.core.timefmt import relative, span_text, utc_text


def time_value(claims: dict[str, Any], name: str) -> float | str | None:
    """The claim as epoch seconds, None when absent, or a problem sentence."""
    value = claims.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        return f"'{name}' is not a number of seconds"
    try:
        number = float(value)
    except OverflowError:  # an integer with hundreds of digits
        return f"'{name}' is too large to be a time"
    if not math.isfinite(number):
        return f"'{name}' is not a finite number"
    return number


# Messages of passing checks use only the relative time: rendering UTC and local time costs
# more than verifying the signature, so full renderings come from TokenReport.times(), on
# demand. Failures, rarer and read closely, name the UTC instant too.


def check_exp(claims: dict[str, Any], now: float, leeway: float) -> Check:
    exp = time_value(claims, "exp")
    if exp is None:
        return Check("exp", Status.WARN, "The token has no expiry time ('exp').")
    if isinstance(exp, str):
        return Check(
            "exp", Status.FAIL, f"The expiry is unreadable: {exp}.", "its expiry is unreadable"
        )
    if now > exp + leeway:
        ago = relative(exp, now)
        return Check(
            "exp",
            Status.FAIL,
            f"Expired {ago} ({utc_text(exp)}), beyond the leeway of {leeway:g} s.",
            f"it expired {ago}",
        )
    if now > exp:
        return Check(
            "exp",
            Status.WARN,
            f"Expired {relative(exp, now)} ({utc_text(exp)}), within the leeway of {leeway:g} s.",
            "it has just expired (within the clock leeway)",
        )
    expires = f"expires {relative(exp, now)}"
    return Check("exp", Status.PASS, f"{expires.capitalize()} (leeway {leeway:g} s).", expires)


def check_nbf(claims: dict[str, Any], now: float, leeway: float) -> Check:
    nbf = time_value(claims, "nbf")
    if nbf is None:
        return Check("nbf", Status.PASS, "No 'not before' time: usable from issue.")
    if isinstance(nbf, str):
        return Check("nbf", Status.FAIL, f"The 'not before' time is unreadable: {nbf}.")
    if nbf > now + leeway:
        return Check(
            "nbf",
            Status.FAIL,
            f"Not valid before {utc_text(nbf)}, {relative(nbf, now)} (leeway {leeway:g} s).",
            f"it is not valid yet (only {relative(nbf, now)})",
        )
    return Check("nbf", Status.PASS, f"Usable since {relative(nbf, now)} (leeway {leeway:g} s).")


def check_iat(claims: dict[str, Any], now: float, leeway: float) -> Check:
    iat = time_value(claims, "iat")
    if iat is None:
        return Check("iat", Status.WARN, "The token does not say when it was issued ('iat').")
    if isinstance(iat, str):
        return Check("iat", Status.FAIL, f"The issue time is unreadable: {iat}.")
    if iat > now + leeway:
        return Check(
            "iat",
            Status.WARN,
            f"Issued in the future: {utc_text(iat)}, {span_text(iat - now)} ahead of this "
            f"computer's clock (leeway {leeway:g} s). One of the clocks is wrong (clock skew).",
        )
    return Check("iat", Status.PASS, f"Issued {relative(iat, now)}.")


def _listed(values: Sequence[str]) -> str:
    return ", ".join(repr(shorten(v)) for v in values[:5])


def check_iss(claims: dict[str, Any], issuers: Sequence[str]) -> Check:
    iss = claims.get("iss")
    if iss is not None and not isinstance(iss, str):
        return Check("iss", Status.FAIL, "The issuer ('iss') is not a string.")
    if not issuers:
        shown = repr(shorten(iss)) if iss else "(none)"
        return Check("iss", Status.WARN, f"Issuer {shown} not checked: no issuer is configured.")
    if iss is None:
        return Check("iss", Status.FAIL, "The token names no issuer ('iss').", "it names no issuer")
    if iss in issuers:
        return Check("iss", Status.PASS, f"Issued by {shorten(iss)!r}, as expected.")
    return Check(
        "iss",
        Status.FAIL,
        f"Issued by {shorten(iss)!r}, but this environment expects {_listed(issuers)}.",
        f"it was issued by {shorten(iss)!r}, not by this environment's issuer",
    )


def check_aud(claims: dict[str, Any], audiences: Sequence[str], kind: TokenKind) -> Check:
    aud = claims.get("aud")
    values: list[str]
    if aud is None:
        values = []
    elif isinstance(aud, str):
        values = [aud]
    elif isinstance(aud, list) and all(isinstance(a, str) for a in aud):
        values = list(aud)
    else:
        return Check(
            "aud", Status.FAIL, "The audience ('aud') is neither a string nor a list of strings."
        )
    shown = ", ".join(repr(shorten(a)) for a in values[:5]) or "(none)"
    if not audiences:
        return Check(
            "aud", Status.WARN, f"Audience {shown} not checked: no audience is configured."
        )
    whom = "the client id" if kind is TokenKind.ID_TOKEN else "the configured audience"
    if not values and kind is TokenKind.CLIENT_ACCESS_TOKEN:
        # Transmit sets a client token's `aud` only when a `resource` was requested.
        return Check(
            "aud", Status.SKIP, "Client access tokens without a resource carry no audience."
        )
    if not values:
        return Check(
            "aud",
            Status.FAIL,
            f"The token names no audience; expected {whom}.",
            "it names no audience",
        )
    if any(a in audiences for a in values):
        return Check("aud", Status.PASS, f"Audience {shown} matches {whom}.")
    return Check(
        "aud",
        Status.FAIL,
        f"Meant for {shown}, but {whom} is {_listed(audiences)}.",
        "it was issued for a different application (audience)",
    )


def check_tid(claims: dict[str, Any], tenant_id: str | None, kind: TokenKind) -> Check:
    tid = claims.get("tid")
    if tid is not None and not isinstance(tid, str):
        return Check("tid", Status.FAIL, "The tenant id ('tid') is not a string.")
    if tenant_id is None:
        shown = repr(shorten(tid)) if tid else "(none)"
        return Check("tid", Status.WARN, f"Tenant {shown} not checked: no tenant id is configured.")
    if tid is None:
        if kind is TokenKind.CLIENT_ACCESS_TOKEN:
            return Check("tid", Status.SKIP, "Client access tokens carry no tenant id.")
        return Check(
            "tid",
            Status.FAIL,
            f"The token names no tenant; expected {tenant_id!r}.",
            "it names no tenant",
        )
    if tid == tenant_id:
        return Check("tid", Status.PASS, f"Tenant {shorten(tid)!r}, as expected.")
    return Check(
        "tid",
        Status.FAIL,
        f"Issued for tenant {shorten(tid)!r}, but this environment is tenant {tenant_id!r}.",
        "it belongs to a different tenant",
    )


def check_required(claims: dict[str, Any] | None, problem: str | None, kind: TokenKind) -> Check:
    if claims is None:
        return Check(
            "required_claims",
            Status.FAIL,
            problem or "The payload is not a JSON object.",
            "its payload is not a readable set of claims",
        )
    if kind is TokenKind.UNKNOWN:
        return Check(
            "required_claims",
            Status.WARN,
            "The claims do not match any Transmit token kind, so only the payload's shape "
            "(a JSON object) was checked.",
        )
    missing = missing_claims(kind, claims)
    if missing:
        return Check(
            "required_claims",
            Status.FAIL,
            f"Missing {', '.join(missing)}, which every {kind.display_name} carries.",
            f"it lacks claims every {kind.display_name} has ({', '.join(missing)})",
        )
    return Check(
        "required_claims", Status.PASS, f"Every claim a {kind.display_name} must carry is present."
    )
