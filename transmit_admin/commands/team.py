"""`transmit-admin team ...`: team mode on PostgreSQL (set up, join, status, sync, agents)."""

from __future__ import annotations

import argparse
from typing import Any

from transmit_admin.commands._flags import global_flags


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "team",
        parents=[global_flags()],
        help="share a journal of actions with teammates on PostgreSQL",
        description=(
            "Team mode: one PostgreSQL database holds the team's append-only journal for one "
            "Transmit tenant. Passwords are asked for (or read from PGPASSWORD) and kept in "
            "the OS keyring, never in a URL or flag."
        ),
    )
    actions = parser.add_subparsers(dest="team_command", metavar="ACTION", required=True)

    def add(name: str, help_text: str) -> argparse.ArgumentParser:
        sub: argparse.ArgumentParser = actions.add_parser(
            name, parents=[global_flags()], help=help_text, description=help_text
        )
        sub.set_defaults(func=run)
        return sub

    init = add("init", "as the team owner: create or upgrade the team space for this tenant")
    init.add_argument("url", help="postgresql://OWNER@HOST:PORT/DATABASE")
    init.add_argument("--password-stdin", action="store_true", help="read the password")
    join = add("join", "as an agent: join the team space (checks schema and tenant)")
    join.add_argument("url", help="postgresql://AGENT@HOST:PORT/DATABASE")
    join.add_argument("--password-stdin", action="store_true", help="read the password")
    join.add_argument("--no-history", action="store_true", help="share only events from now on")
    add("status", "connected / offline with N events waiting / refused, and why")
    add("sync", "push waiting events and apply the team's new ones")
    agent = add("add-agent", "as the owner: a login role for a new agent")
    agent.add_argument("name")
    agent.add_argument("--password-stdin", action="store_true", help="read its password")
    remove = add("remove-agent", "as the owner: the agent can no longer connect or act")
    remove.add_argument("name")
    log = add("log", "the team journal, newest first")
    log.add_argument("--limit", type=int, default=50, metavar="N")
    log.add_argument("--json", action="store_true", help="a JSON array")


def run(args: argparse.Namespace) -> int:
    # Imported here: building the parser must stay cheap for every other command.
    from transmit_admin.commands._session_context import guarded
    from transmit_admin.commands._team_run import run_team

    return guarded(run_team)(args)
