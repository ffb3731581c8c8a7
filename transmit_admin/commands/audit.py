"""`transmit-admin audit`: the append-only log of every action, newest first."""

from __future__ import annotations

import argparse
from typing import Any

from transmit_admin.commands._flags import global_flags


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "audit",
        parents=[global_flags()],
        help="show the audit log (every action that reached Transmit or changed the store)",
        description="The audit log, newest first. With --env, the file of that environment.",
    )
    parser.add_argument("--limit", type=int, default=50, metavar="N", help="default 50")
    parser.add_argument("--json", action="store_true", help="a JSON array of entries")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    # Imported here: building the parser must stay cheap for every other command.
    from transmit_admin.commands._session_context import guarded

    return guarded(_show_audit)(args)


def _show_audit(args: argparse.Namespace) -> int:
    from transmit_admin.commands._output import as_json, audit_line, dumps
    from transmit_admin.commands._say import say
    from transmit_admin.commands._session_context import (
        EXIT_OK,
        CommandFailed,
        data_dir,
        environment,
        open_session_store,
    )
    from transmit_admin.services.environment_resolver import EnvironmentUnavailable
    from transmit_admin.store.db import open_store
    from transmit_admin.store.paths import database_path

    if args.limit < 1:
        raise CommandFailed("--limit must be at least 1")
    try:
        store = open_session_store(args, environment(args, need_secret=False))
    except EnvironmentUnavailable:
        if getattr(args, "env", None):  # `--env nope` is a mistake to report, not to ignore
            raise
        # No environment chosen: the audit log of the shared store is still worth showing.
        store = open_store(database_path(data_dir(args)))
    with store:
        entries = list(store.iter_audit(limit=args.limit))
    if args.json:
        say(dumps([as_json(e) for e in entries]))
    else:
        for entry in entries:
            say(audit_line(entry))
    return EXIT_OK
