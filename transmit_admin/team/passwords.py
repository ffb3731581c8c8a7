"""The team database password: PGPASSWORD wins (scripts, machines without a keyring; then
nothing is stored), else the OS keyring, like client secrets (`store.secrets.SecretStore`).
Never a URL, a flag, a config file or SQLite."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping

from transmit_admin.store.secrets import SecretStore
from transmit_admin.team.server import TeamServer

PASSWORD_ENV = "PGPASSWORD"  # noqa: S105  # the variable's name, not a password

PasswordSource = Callable[[], str | None]


def from_environment(environ: Mapping[str, str] | None = None) -> str | None:
    value = (os.environ if environ is None else environ).get(PASSWORD_ENV)
    return value or None


def password_source(
    server: TeamServer,
    secrets: SecretStore | None,
    environ: Mapping[str, str] | None = None,
) -> PasswordSource:
    """Reads at call time, so a password changed meanwhile is picked up."""

    def get() -> str | None:
        env_value = from_environment(environ)
        if env_value is not None:
            return env_value
        return secrets.get(server.keyring_name) if secrets is not None else None

    return get


def remember(server: TeamServer, secrets: SecretStore, password: str) -> bool:
    """Keeps the password in the keyring unless PGPASSWORD is in use; True when stored."""
    if from_environment() is not None:
        return False
    secrets.set(server.keyring_name, password)
    return True
