"""The `sessions` commands that need no API call: list, show, note, export, import."""

from __future__ import annotations

import argparse
import os
import sys
from typing import IO, Literal, cast

from transmit_admin.commands._output import as_json, dumps, session_details, session_line
from transmit_admin.commands._say import say
from transmit_admin.commands._session_context import (
    EXIT_FAILED,
    EXIT_OK,
    CommandFailed,
    environment,
    open_session_store,
)
from transmit_admin.core.lifecycle import SessionStatus
from transmit_admin.services.session_trail import SessionTrail
from transmit_admin.store.export import ImportRefused
from transmit_admin.store.records import SessionQuery, SortKey
from transmit_admin.store.store import os_user


def run_list(args: argparse.Namespace) -> int:
    if args.limit < 1:
        raise CommandFailed("--limit must be at least 1")
    resolved = environment(args, need_secret=False)
    query = SessionQuery(
        environment=resolved.env.name,
        status=SessionStatus(args.status) if args.status else None,
        user=args.user,
        search=args.search,
        sort=cast(SortKey, args.sort),
        descending=not args.ascending,
    )
    with open_session_store(args, resolved) as store:
        store.sweep_expired(query.environment)  # so the statuses listed are today's
        rows = store.page_sessions(query, limit=args.limit).rows
        if args.json:
            say(dumps([as_json(r) for r in rows]))
            return EXIT_OK
        for record in rows:
            say(session_line(record))
        total = store.count_sessions(query)
    shown = f"{len(rows)} of {total}" if total > len(rows) else str(total)
    say(f"{shown} session(s) in {resolved.env.name!r}", file=sys.stderr)
    return EXIT_OK


def run_show(args: argparse.Namespace) -> int:
    resolved = environment(args, need_secret=False)
    with open_session_store(args, resolved) as store:
        record = store.get_session(resolved.env.name, args.session_id)
        if record is None:
            say(f"{args.session_id}: not a tracked session of {resolved.env.name!r}")
            return EXIT_FAILED
        tokens = store.tokens_of(resolved.env.name, args.session_id)
        events = store.events_of(resolved.env.name, args.session_id)
    if args.json:
        data = {
            "session": as_json(record),
            "tokens": [as_json(t) for t in tokens],
            "events": [as_json(e) for e in events],
        }
        say(dumps(data))
    else:
        say("\n".join(session_details(record, tokens, events)))
    return EXIT_OK


def run_note(args: argparse.Namespace) -> int:
    resolved = environment(args, need_secret=False)
    with open_session_store(args, resolved) as store:
        result = SessionTrail(store, resolved.env.name, os_user()).set_note(
            args.session_id, args.text
        )
    say(result.line())
    return EXIT_OK if result.ok else EXIT_FAILED


def _private_output(path: str) -> IO[str]:
    # Exports hold user ids and emails: owner-only, like everything else we write.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    return os.fdopen(fd, "w", encoding="utf-8", newline="")


def run_export(args: argparse.Namespace) -> int:
    resolved = environment(args, need_secret=False)
    fmt = cast(Literal["csv", "json"], args.format)
    query = SessionQuery(environment=resolved.env.name, descending=False)
    with open_session_store(args, resolved) as store:
        if args.output in (None, "-"):
            count = store.export_sessions(sys.stdout, fmt, query)
        else:
            try:
                with _private_output(args.output) as handle:
                    count = store.export_sessions(handle, fmt, query)
            except OSError as exc:
                raise CommandFailed(f"cannot write {args.output}: {exc.strerror}") from None
        store.audit(
            "export",
            target=args.output or "stdout",
            outcome="ok",
            detail=f"{count} session(s) as {fmt}",
            actor=os_user(),
            environment=resolved.env.name,
        )
    say(f"exported {count} session(s) of {resolved.env.name!r} as {fmt}", file=sys.stderr)
    return EXIT_OK


def run_import(args: argparse.Namespace) -> int:
    resolved = environment(args, need_secret=False)
    with open_session_store(args, resolved) as store:
        try:
            with open(args.file, encoding="utf-8", newline="") as handle:
                result = store.import_sessions(handle)
        except OSError as exc:
            raise CommandFailed(f"cannot read {args.file}: {exc.strerror}") from None
        except ImportRefused as exc:
            raise CommandFailed(f"{args.file}: nothing imported: {exc}") from None
        detail = f"{result.inserted} new, {result.already_present} already present"
        store.audit(
            "import",
            target=args.file,
            outcome="ok",
            detail=detail,
            actor=os_user(),
            environment=resolved.env.name,
        )
    say(f"imported {args.file}: {detail}")
    return EXIT_OK
