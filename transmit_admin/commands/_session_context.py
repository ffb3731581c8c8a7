"""What the `sessions` and `audit` commands share: flags, the store, the environment, the service.

The global flags `--data-dir` and `--env` are also accepted after the sub-command (see
`_flags.py`).
Failures that are the user's to fix (no environment, a damaged store, an unreadable file)
become one line on stderr and exit code 2, never a traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING

from transmit_admin.app import SANDBOX_ENV_NAME, current_actor, store_path_for
from transmit_admin.commands._say import say
from transmit_admin.services.environment_resolver import (
    EnvironmentUnavailable,
    ResolvedEnvironment,
    resolve_environment,
)
from transmit_admin.store.db import StoreError, open_store
from transmit_admin.store.paths import data_dir as resolve_data_dir
from transmit_admin.store.store import Store

if TYPE_CHECKING:
    from transmit_admin.core.environment import Environment
    from transmit_admin.services.session_service import SessionService
    from transmit_admin.team.service import TeamClient

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2


class CommandFailed(Exception):
    """A one-line reason to stop, with the exit code to stop with."""

    def __init__(self, message: str, exit_code: int = EXIT_USAGE) -> None:
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code


def guarded(run: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    """Turns the expected failures into one line on stderr and an exit code."""

    @functools.wraps(run)
    def wrapper(args: argparse.Namespace) -> int:
        try:
            return run(args)
        except CommandFailed as exc:
            say(f"transmit-admin: {exc.message}", file=sys.stderr)
            return exc.exit_code
        except EnvironmentUnavailable as exc:
            say(f"transmit-admin: {exc}", file=sys.stderr)
            return EXIT_USAGE
        except StoreError as exc:
            say(f"transmit-admin: {exc.message}", file=sys.stderr)
            return EXIT_USAGE

    return wrapper


def data_dir(args: argparse.Namespace) -> Path:
    return resolve_data_dir(getattr(args, "data_dir", None))


def environment(args: argparse.Namespace, *, need_secret: bool) -> ResolvedEnvironment:
    name = getattr(args, "env", None)
    if name == SANDBOX_ENV_NAME:  # a running window's sandbox, or one of our own
        from transmit_admin.commands._sandbox_env import sandbox_for_command

        return sandbox_for_command(data_dir(args), need_secret=need_secret)
    return resolve_environment(data_dir(args), name, need_secret=need_secret)


def open_session_store(args: argparse.Namespace, resolved: ResolvedEnvironment) -> Store:
    """The same database file the desktop app uses for this environment."""
    return open_store(store_path_for(data_dir(args), resolved.env))


def run_service(
    args: argparse.Namespace, action: Callable[[SessionService], Awaitable[int]]
) -> int:
    """Runs `action` with a service bound to the chosen environment's API and store."""
    from transmit_admin.api.client import TransmitClient
    from transmit_admin.api.jwks import JwksCache
    from transmit_admin.workspace import assemble_workspace

    resolved = environment(args, need_secret=True)
    secret = resolved.secret
    assert secret is not None  # need_secret=True resolves it or raises
    path = store_path_for(data_dir(args), resolved.env)
    store = open_store(path)
    team = team_client(args, store, resolved.env)

    async def main() -> int:
        async with TransmitClient(resolved.env, secret) as client, JwksCache() as jwks:
            # The same workspace the window builds for this environment.
            workspace = assemble_workspace(
                resolved.env, store, path, client, jwks, team, current_actor()
            )
            return await action(workspace.service)

    try:
        return asyncio.run(main())
    finally:
        if team is not None:
            team.close()
        store.close()


def team_client(args: argparse.Namespace, store: Store, env: Environment) -> TeamClient | None:
    """The team client of an environment that joined a team (a revoke claims the session
    first, `services/team_claims.py`), else None. The password: PGPASSWORD or the keyring."""
    import os

    from transmit_admin.services.environment_resolver import PASSPHRASE_VAR
    from transmit_admin.store.outbox import TeamOutbox
    from transmit_admin.store.secrets import SecretStore, SecretStoreError
    from transmit_admin.team.passwords import password_source
    from transmit_admin.team.service import TeamClient

    if TeamOutbox(store).link_of(env.name) is None:
        return None
    try:
        secrets: SecretStore | None = SecretStore.open(
            data_dir(args), passphrase=os.environ.get(PASSPHRASE_VAR)
        )
    except SecretStoreError:
        secrets = None  # PGPASSWORD alone, or offline: the revoke goes ahead either way
    return TeamClient.for_link(store, env, lambda server: password_source(server, secrets))
