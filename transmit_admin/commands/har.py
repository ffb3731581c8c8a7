"""`transmit-admin har`: what a HAR capture exposes, and a sanitized copy to share.

`har inspect FILE` prints the inventory (each token or secret once, where it was seen, the
verifier's verdict) and the auth-flow timeline; exit status 1 when anything in it may still
work. `har sanitize FILE -o OUT` writes a copy with every secret replaced. `-` reads standard
input. `har revoke FILE` checks every session the capture leaked in the environment (its
owner's session list) and revokes the live ones, as the console does; `har report FILE`
prints the ticket report (Markdown or `--json`, redacted). Exit status 2 for a file that is
not a readable HAR.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from transmit_admin.commands._flags import global_flags
from transmit_admin.commands._say import say

EXAMPLES = """\
examples:
  transmit-admin har inspect login.har --env prod
  transmit-admin har inspect login.har --jwks https://api.transmitsecurity.io/cis/oidc/jwks --json
  transmit-admin har sanitize login.har -o login.sanitized.har --mask-pii
  transmit-admin har revoke login.har --env prod
  transmit-admin har report login.har --env prod > ticket.md

exit status: inspect/report: 0 nothing usable found, 1 a secret or session that may still
work; revoke: 0 every live session revoked, 1 a revoke failed or a session is unsettled (no
owner, not checked); 2 unreadable input or usage
"""


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "har",
        help="inspect a HAR capture for leaked tokens and sessions; write a sanitized copy",
        description=__doc__.split("\n\n")[1] if __doc__ else None,
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    actions = parser.add_subparsers(dest="har_command", metavar="ACTION", required=True)
    inspect = actions.add_parser(
        "inspect", parents=[global_flags()], help="inventory of secrets and the auth-flow timeline"
    )
    inspect.add_argument("file", metavar="FILE", help="the .har file; '-' reads standard input")
    inspect.add_argument(
        "--jwks",
        metavar="FILE_OR_URL",
        help="signing keys (JWKS/JWK/PEM file or JWKS URL); default: the environment's JWKS",
    )
    inspect.add_argument("--issuer", action="append", default=[], metavar="ISS")
    inspect.add_argument("--audience", action="append", default=[], metavar="AUD")
    inspect.add_argument("--now", type=float, metavar="EPOCH_SECONDS", help="check as of then")
    inspect.add_argument("--json", action="store_true", help="print the analysis as JSON")
    inspect.set_defaults(func=run)
    sanitize = actions.add_parser(
        "sanitize",
        parents=[global_flags()],
        help="write a copy of the capture with no secret in it",
    )
    sanitize.add_argument("file", metavar="FILE", help="the .har file; '-' reads standard input")
    sanitize.add_argument("-o", "--output", required=True, metavar="OUT", help="where to write")
    sanitize.add_argument(
        "--mask-pii", action="store_true", help="also mask emails, phone numbers and names"
    )
    sanitize.add_argument(
        "--key",
        metavar="HEX",
        help="hash key (hex) for the placeholders, to correlate two exports; default: random",
    )
    sanitize.add_argument("--json", action="store_true", help="print the manifest as JSON")
    sanitize.set_defaults(func=run)
    revoke = actions.add_parser(
        "revoke",
        parents=[global_flags()],
        help="revoke every live session the capture leaked (asks first unless --yes)",
    )
    report = actions.add_parser(
        "report", parents=[global_flags()], help="the ticket report: Markdown, or --json"
    )
    for parser_ in (revoke, report):
        parser_.add_argument("file", metavar="FILE", help="the .har file; '-' reads standard input")
        parser_.add_argument(
            "--email", metavar="EMAIL", help="the owner of session ids nothing else ties to a user"
        )
        parser_.add_argument("--json", action="store_true", help="print the report as JSON")
    revoke.add_argument("--yes", action="store_true", help="revoke without asking")
    revoke.set_defaults(func=run_action)
    report.set_defaults(func=run_action)


def run_action(args: argparse.Namespace) -> int:
    # Imported when run: the API client, store and services.
    from transmit_admin.commands import _har_actions

    action = _har_actions.revoke if args.har_command == "revoke" else _har_actions.report
    return action(args)


def run(args: argparse.Namespace) -> int:
    # Imported when run: the verifier and the JWKS client pull in cryptography and httpx.
    from transmit_admin.commands._har_run import UsageProblem, run_har
    from transmit_admin.core.har.errors import HarError

    try:
        return run_har(args, sys.stdout)
    except UsageProblem as problem:
        say(f"transmit-admin har: {problem}", file=sys.stderr)
        return 2
    except HarError as error:
        say(f"transmit-admin har: {error.sentence()}", file=sys.stderr)
        return 2
