"""`transmit-admin verify`: check pasted tokens from the command line.

Exit status: 0 when every token is valid, 1 when any is invalid or unverified (or only an
opaque refresh token was found), 2 for usage errors or unreadable input.
"""

from __future__ import annotations

import argparse
import math
import sys
from typing import Any

from transmit_admin.commands._say import say

EXAMPLES = """\
examples:
  transmit-admin verify "$TOKEN" --jwks https://api.transmitsecurity.io/cis/oidc/jwks \\
      --issuer https://userid.security --tenant my-tenant-id
  pbpaste | transmit-admin verify --jwks jwks.json          # a token response, a header...
  transmit-admin verify --each-line --json --jwks key.pem < tokens.txt
  transmit-admin verify "$TOKEN" --now 1767225600           # as of a fixed instant

exit status: 0 every token valid, 1 any invalid or unverified, 2 usage or unreadable input
"""


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not math.isfinite(value) or value < 0:
        raise argparse.ArgumentTypeError(f"{text!r} must be a non-negative number of seconds")
    return value


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "verify",
        help="verify tokens: signature, expiry, issuer, audience, tenant",
        description="Verify the tokens in TEXT (a JWT, a Bearer header, a URL, a JSON token "
        "response...). The verdict comes first, then each check, then the claims with times.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "text",
        nargs="?",
        default="-",
        metavar="TEXT",
        help="the text holding the token(s); '-' or nothing reads standard input",
    )
    parser.add_argument(
        "--jwks",
        metavar="FILE_OR_URL",
        help="signing keys: a JWKS/JWK/PEM file, or a JWKS URL (https; http only to loopback). "
        "Without it the signature is not checked and the verdict is at best 'unverified'",
    )
    parser.add_argument(
        "--issuer",
        action="append",
        default=[],
        metavar="ISS",
        help="an accepted issuer ('iss'); repeat for several",
    )
    parser.add_argument(
        "--audience",
        action="append",
        default=[],
        metavar="AUD",
        help="an accepted audience ('aud'; for ID tokens the client id); repeat for several",
    )
    parser.add_argument("--tenant", metavar="TID", help="the expected tenant id ('tid')")
    parser.add_argument(
        "--leeway",
        type=_seconds,
        default=60.0,
        metavar="SECONDS",
        help="clock tolerance for exp/nbf/iat (default 60)",
    )
    parser.add_argument(
        "--now",
        type=_seconds,
        metavar="EPOCH_SECONDS",
        help="check times as of this instant instead of the clock (reproducible checks)",
    )
    parser.add_argument(
        "--each-line",
        action="store_true",
        help="treat every non-empty input line as exactly one token (bulk checks of log lines)",
    )
    parser.add_argument(
        "--json", action="store_true", help="print a JSON array with one report per token"
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    # Imported when run: the verifier pulls in cryptography and httpx (see `_verify_run`).
    from transmit_admin.commands._verify_run import UsageProblem, run_verify

    try:
        return run_verify(args, sys.stdout)
    except UsageProblem as problem:
        say(f"transmit-admin verify: {problem}", file=sys.stderr)
        return 2
