"""What `team ...` does (imported only when a team command runs)."""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from collections.abc import Callable
from pathlib import Path

from transmit_admin.commands._say import say
from transmit_admin.commands._session_context import (
    EXIT_FAILED,
    EXIT_OK,
    CommandFailed,
    data_dir,
    environment,
    open_session_store,
)
from transmit_admin.services.environment_resolver import PASSPHRASE_VAR
from transmit_admin.store.secrets import SecretStore, SecretStoreError
from transmit_admin.team import passwords, schema
from transmit_admin.team.errors import TeamError
from transmit_admin.team.log_export import log_row
from transmit_admin.team.server import TeamServer, connect
from transmit_admin.team.service import TeamClient, TeamState

OWNER_FILE = "team-owner.json"  # the owner's server URL (no password) for add/remove-agent


def run_team(args: argparse.Namespace) -> int:
    try:
        return _ACTIONS[args.team_command](args)
    except TeamError as exc:
        say(f"transmit-admin: {exc.sentence()}", file=sys.stderr)
        return EXIT_FAILED


def _secrets(args: argparse.Namespace) -> SecretStore:
    import os

    try:
        return SecretStore.open(data_dir(args), passphrase=os.environ.get(PASSPHRASE_VAR))
    except SecretStoreError as exc:
        raise CommandFailed(str(exc)) from None


def _password(args: argparse.Namespace, server: TeamServer, secrets: SecretStore) -> str:
    """PGPASSWORD, else --password-stdin, else the keyring, else asked for (a terminal)."""
    found = passwords.from_environment()
    if found:
        return found
    if getattr(args, "password_stdin", False):
        typed = sys.stdin.readline().rstrip("\n")
    else:
        stored = secrets.get(server.keyring_name)
        if stored:
            return stored
        if not sys.stdin.isatty():
            raise CommandFailed(
                f"no password for {server.user} is kept: use --password-stdin or PGPASSWORD"
            )
        typed = getpass.getpass(f"Password of {server.user} on {server.host}: ")
    if not typed:
        raise CommandFailed("an empty password was given")
    return typed


def _remember(server: TeamServer, secrets: SecretStore, password: str) -> None:
    if passwords.remember(server, secrets, password) and not secrets.is_persistent:
        say(
            f"note: the password is kept for this run only ({secrets.backend_description()}); "
            "set PGPASSWORD in scripts, or make a keyring available",
            file=sys.stderr,
        )


def _init(args: argparse.Namespace) -> int:
    resolved = environment(args, need_secret=False)
    server = TeamServer.from_url(args.url)
    secrets = _secrets(args)
    password = _password(args, server, secrets)
    with connect(server, password) as conn:
        space = schema.read_space(conn)
        me = conn.execute("SELECT session_user::text").fetchone()
        if space is not None and me is not None and space.owner != me[0]:
            conn.close()
            say(f"{me[0]} is an agent of this team space: joining it instead")
            _remember(server, secrets, password)
            return _join_with(args, server, password)
        space = schema.install_or_upgrade(conn, resolved.env.base_url, resolved.env.tenant_id)
    _remember(server, secrets, password)
    owner_file = data_dir(args) / OWNER_FILE
    owner_file.write_text(json.dumps({"url": server.url}) + "\n", encoding="utf-8")
    tenant = space.tenant_id or "(no tenant id)"
    say(
        f"team space ready: {tenant} at {space.base_url}, schema {space.schema_version}, "
        f"owned by {space.owner}; agents join the role {space.agents_role} "
        "(`transmit-admin team add-agent NAME`)"
    )
    return EXIT_OK


def _join(args: argparse.Namespace) -> int:
    server = TeamServer.from_url(args.url)
    secrets = _secrets(args)
    password = _password(args, server, secrets)
    _remember(server, secrets, password)
    return _join_with(args, server, password)


def _join_with(args: argparse.Namespace, server: TeamServer, password: str) -> int:
    resolved = environment(args, need_secret=False)
    with open_session_store(args, resolved) as store:
        client = TeamClient(store, resolved.env, server, lambda: password)
        with client:
            link = client.join(share_history=not getattr(args, "no_history", False))
            report = client.sync()
    say(f"joined the team as {server.user} for environment {link.environment!r}")
    say(report.line())
    return EXIT_OK if report.state is TeamState.CONNECTED else EXIT_FAILED


def _linked(args: argparse.Namespace, work: Callable[[TeamClient], int]) -> int:
    resolved = environment(args, need_secret=False)
    secrets = _secrets(args)
    with open_session_store(args, resolved) as store:
        link_client = TeamClient.from_link(store, resolved.env, lambda: None)
        if link_client is None:
            raise CommandFailed(
                f"environment {resolved.env.name!r} has not joined a team: run "
                "`transmit-admin team join URL`"
            )
        server = link_client.server
        client = TeamClient(store, resolved.env, server, passwords.password_source(server, secrets))
        with client:
            return work(client)


def _status(args: argparse.Namespace) -> int:
    def show(client: TeamClient) -> int:
        report = client.status()
        say(f"{report.line()} [{client.server.url}]")
        return EXIT_OK if report.state is TeamState.CONNECTED else EXIT_FAILED

    return _linked(args, show)


def _sync(args: argparse.Namespace) -> int:
    def sync(client: TeamClient) -> int:
        report = client.sync()
        say(report.line())
        return EXIT_OK if report.state is TeamState.CONNECTED else EXIT_FAILED

    return _linked(args, sync)


def _log(args: argparse.Namespace) -> int:
    if args.limit < 1:
        raise CommandFailed("--limit must be at least 1")

    def show(client: TeamClient) -> int:
        events = client.log(args.limit)
        if args.json:
            say(json.dumps([log_row(e) for e in events], indent=2))
        else:
            for e in events:
                at = e.at.strftime("%Y-%m-%d %H:%M:%S")
                say(f"{e.seq:>8}  {at}  {e.actor:<16} {e.kind:<18} {e.session_id}  {e.detail}")
        return EXIT_OK

    return _linked(args, show)


def _owner_server(args: argparse.Namespace) -> TeamServer:
    path: Path = data_dir(args) / OWNER_FILE
    try:
        url = json.loads(path.read_text(encoding="utf-8"))["url"]
    except (OSError, ValueError, KeyError):
        raise CommandFailed(
            "run `transmit-admin team init URL` as the team owner on this machine first"
        ) from None
    return TeamServer.from_url(str(url))


def _add_agent(args: argparse.Namespace) -> int:
    server = _owner_server(args)
    secrets = _secrets(args)
    owner_password = passwords.password_source(server, secrets)()
    if owner_password is None:
        raise CommandFailed(f"no password for the owner {server.user} is kept: set PGPASSWORD")
    if args.password_stdin:
        agent_password = sys.stdin.readline().rstrip("\n")
    elif sys.stdin.isatty():
        agent_password = getpass.getpass(f"Password for the new agent {args.name}: ")
    else:
        raise CommandFailed("give the agent's password with --password-stdin")
    if not agent_password:
        raise CommandFailed("an empty password was given")
    with connect(server, owner_password) as conn:
        schema.add_agent(conn, args.name, agent_password)
    say(
        f"agent {args.name} added; they join with `transmit-admin team join "
        f"{server.with_user(args.name).url}`"
    )
    return EXIT_OK


def _remove_agent(args: argparse.Namespace) -> int:
    server = _owner_server(args)
    owner_password = passwords.password_source(server, _secrets(args))()
    if owner_password is None:
        raise CommandFailed(f"no password for the owner {server.user} is kept: set PGPASSWORD")
    with connect(server, owner_password) as conn:
        removed = schema.remove_agent(conn, args.name)
    if not removed:
        say(f"transmit-admin: there is no role {args.name!r}", file=sys.stderr)
        return EXIT_FAILED
    say(f"agent {args.name} removed: they can no longer connect or act; their past events stay")
    return EXIT_OK


_ACTIONS: dict[str, Callable[[argparse.Namespace], int]] = {
    "init": _init,
    "join": _join,
    "status": _status,
    "sync": _sync,
    "log": _log,
    "add-agent": _add_agent,
    "remove-agent": _remove_agent,
}
