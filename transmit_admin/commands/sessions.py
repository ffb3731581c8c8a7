"""`transmit-admin sessions ...`: the tracked-session table from the command line.

Local commands (`list`, `show`, `note`, `export`, `import`) need only the environment's name;
the others call Transmit and need its client secret (saved, or TRANSMIT_CLIENT_SECRET).
The reference with examples is docs/sessions-cli.md.
"""

from __future__ import annotations

import argparse
import importlib
from collections.abc import Callable
from typing import Any

from transmit_admin.commands._parser import add_arguments_when_used

# Handlers are imported when run, not when the parser is built: every `transmit-admin` call
# builds all sub-commands' parsers, and the API and store stacks take a while to import.
Handler = Callable[[argparse.Namespace], int]


def _lazy(module: str, name: str) -> Handler:
    def run(args: argparse.Namespace) -> int:
        from transmit_admin.commands._session_context import guarded

        handler = getattr(importlib.import_module(f"transmit_admin.commands.{module}"), name)
        result: int = guarded(handler)(args)
        return result

    return run


_LOCAL = "_session_local"
_API = "_session_actions"


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "sessions",
        help="list, track, check and revoke tracked backend sessions",
        description="Tracked backend sessions. See docs/sessions-cli.md for examples.",
    )
    # The choices come from the store's records module, which the other commands and the
    # desktop window's first frame need not wait for.
    add_arguments_when_used(parser, _add_actions)


def _add_actions(parser: argparse.ArgumentParser) -> None:
    from transmit_admin.commands._flags import global_flags
    from transmit_admin.core.lifecycle import SessionStatus
    from transmit_admin.store.records import SORT_KEYS

    parent = global_flags()
    commands = parser.add_subparsers(dest="sessions_command", metavar="ACTION", required=True)

    def add(name: str, module: str, function: str, help_text: str) -> argparse.ArgumentParser:
        sub: argparse.ArgumentParser = commands.add_parser(
            name, help=help_text, description=help_text, parents=[parent]
        )
        sub.set_defaults(func=_lazy(module, function))
        return sub

    listing = add("list", _LOCAL, "run_list", "list tracked sessions, newest first")
    listing.add_argument("--status", choices=[str(s) for s in SessionStatus])
    listing.add_argument("--search", metavar="Q", help="prefix search: id, user, email, app, note")
    listing.add_argument("--user", metavar="U", help="a user id or an email")
    listing.add_argument("--sort", choices=SORT_KEYS, default="created")
    listing.add_argument("--ascending", action="store_true", help="oldest / earliest first")
    listing.add_argument("--limit", type=int, default=50, metavar="N", help="default 50")
    listing.add_argument("--json", action="store_true", help="a JSON array of sessions")

    show = add("show", _LOCAL, "run_show", "a session's fields, tokens seen and events")
    show.add_argument("session_id", metavar="SESSION_ID")
    show.add_argument("--json", action="store_true")

    track = add("track", _API, "track", "verify a token response (JSON) and record its session")
    track.add_argument("file", nargs="?", default="-", metavar="FILE", help="'-' for stdin")
    track.add_argument("--local-ref", metavar="REF", help="your app's own session reference")

    sync = add("sync", _API, "sync", "reconcile with the user's session list at Transmit")
    sync.add_argument("user", metavar="EMAIL_OR_USER_ID")

    check = add("check", _API, "check", "alive? (reads the user's session list; no side effect)")
    check.add_argument("session_id", metavar="SESSION_ID")

    reauth = add("reauth", _API, "reauth", "silent authentication: new tokens, EXTENDS it")
    reauth.add_argument("session_id", metavar="SESSION_ID")

    revoke = add("revoke", _API, "revoke", "log sessions out at Transmit, one line each")
    revoke.add_argument("session_ids", nargs="+", metavar="SESSION_ID")
    revoke.add_argument("--concurrency", type=int, default=8, metavar="N", help=argparse.SUPPRESS)

    revoke_user = add("revoke-user", _API, "revoke_user", "log out all of a user's sessions")
    revoke_user.add_argument("user", metavar="EMAIL_OR_USER_ID")

    mfa_send = add("mfa-send", _API, "mfa_send", "email a magic link that adds a factor")
    mfa_send.add_argument("session_id", metavar="SESSION_ID")
    mfa_send.add_argument("--redirect-uri", required=True, metavar="URL")
    mfa_send.add_argument("--email", metavar="E", help="default: the session's user's email")

    mfa_complete = add("mfa-complete", _API, "mfa_complete", "add the magic-link factor")
    mfa_complete.add_argument("session_id", metavar="SESSION_ID")
    mfa_complete.add_argument("code", metavar="CODE_OR_REDIRECT_URL")

    note = add("note", _LOCAL, "run_note", "set a session's note ('' clears it)")
    note.add_argument("session_id", metavar="SESSION_ID")
    note.add_argument("text", metavar="TEXT")

    export = add("export", _LOCAL, "run_export", "write the sessions as CSV or JSON")
    export.add_argument("--format", choices=("csv", "json"), default="csv")
    export.add_argument("-o", "--output", metavar="FILE", help="default: stdout")

    importing = add("import", _LOCAL, "run_import", "add sessions from an export (all or none)")
    importing.add_argument("file", metavar="FILE")
