"""`transmit-admin sandbox`: run the local Transmit-compatible server in the foreground."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from transmit_admin.commands._parser import add_arguments_when_used
from transmit_admin.commands._say import say


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "sandbox",
        help="run a local Transmit-compatible server (demo and test backend)",
        description=(
            "Serve Transmit's backend-authentication API on loopback with a seeded app, demo "
            "users and sessions. Prints the base URL and the client id and secret; with --json "
            "the first stdout line is one JSON object. Stop with Ctrl+C. See docs/sandbox.md."
        ),
    )
    # The flags' module imports the sandbox's fault middleware and asyncio: too slow to pay
    # for every other command and the desktop window.
    add_arguments_when_used(parser, _add_arguments)
    parser.set_defaults(func=run)


def _add_arguments(parser: argparse.ArgumentParser) -> None:
    from transmit_admin.sandbox.cli_args import add_arguments

    add_arguments(parser)


def run(args: argparse.Namespace) -> int:
    # Imported when run: the server stack (Starlette, uvicorn) is the heaviest import here.
    from transmit_admin.sandbox.cli_args import config_from_args
    from transmit_admin.sandbox.faults import FaultSettingsError
    from transmit_admin.sandbox.serve import RemoteBindRefused, serve

    try:
        return serve(config_from_args(args), json_output=args.json, env_output=args.print_env)
    except (FaultSettingsError, RemoteBindRefused) as exc:
        say(f"transmit-admin sandbox: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:  # the port is taken, the host does not resolve
        say(f"transmit-admin sandbox: cannot listen: {exc}", file=sys.stderr)
        return 2
