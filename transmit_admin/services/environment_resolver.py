"""Which tenant a command talks to: a saved environment (`--env NAME`) or TRANSMIT_* variables.

The client secret comes from the secret store (saved environments) or from
TRANSMIT_CLIENT_SECRET, never from a command-line flag: flags show in process lists and shell
history. It is handed on as a callable so that nothing holding the environment holds it.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from transmit_admin.core.environment import REGION_PRESETS, Environment, Region, check_base_url
from transmit_admin.store.environments import EnvironmentsFileError, SavedEnvironments

if TYPE_CHECKING:
    from transmit_admin.store.secrets import SecretStore

BASE_URL_VAR = "TRANSMIT_BASE_URL"
CLIENT_ID_VAR = "TRANSMIT_CLIENT_ID"
CLIENT_SECRET_VAR = "TRANSMIT_CLIENT_SECRET"  # noqa: S105 - the variable's name, not a secret
ISSUER_VAR = "TRANSMIT_ISSUER"
JWKS_URL_VAR = "TRANSMIT_JWKS_URL"
AUDIENCE_VAR = "TRANSMIT_AUDIENCE"  # comma-separated when there are several
TENANT_ID_VAR = "TRANSMIT_TENANT_ID"
ENV_NAME_VAR = "TRANSMIT_ENV_NAME"  # the name sessions are filed under; default: the host
# Unlocks the encrypted secrets file when the machine has no keyring.
PASSPHRASE_VAR = "TRANSMIT_ADMIN_PASSPHRASE"  # noqa: S105 - the variable's name


class EnvironmentUnavailable(Exception):
    """No usable environment; the message says which variable or setting is missing."""


@dataclass(frozen=True)
class ResolvedEnvironment:
    env: Environment
    # None when the caller said it needs no API access (listing, notes, export).
    secret: Callable[[], str] | None
    source: str  # "saved environment 'dev'" or "TRANSMIT_* variables", for messages


def _region_of(base_url: str) -> Region:
    for region, preset in REGION_PRESETS.items():
        if preset.base_url and preset.base_url == base_url:
            return region
    host = urlsplit(base_url).hostname or ""
    if host in ("localhost", "127.0.0.1", "::1"):
        return Region.SANDBOX
    return Region.CUSTOM


def _secret_callable(secret: str) -> Callable[[], str]:
    def read_secret() -> str:
        return secret

    return read_secret


def variables_present(environ: Mapping[str, str]) -> bool:
    return bool(environ.get(BASE_URL_VAR))


def environment_from_variables(
    environ: Mapping[str, str], *, need_secret: bool = True
) -> ResolvedEnvironment:
    required = (BASE_URL_VAR, CLIENT_ID_VAR, CLIENT_SECRET_VAR)
    missing = [v for v in required[: 3 if need_secret else 2] if not environ.get(v)]
    if missing:
        raise EnvironmentUnavailable(
            f"no environment chosen: pass --env NAME (a saved environment) or set "
            f"{', '.join(missing)}"
        )
    try:
        base_url = check_base_url(environ[BASE_URL_VAR])
        region = _region_of(base_url)
        issuer = environ.get(ISSUER_VAR) or REGION_PRESETS[region].issuer
        if not issuer and region is Region.SANDBOX:
            # The local sandbox signs with its own base URL as issuer (docs/sandbox.md); on
            # loopback nobody else can be answering, so that default cannot admit a foreign token.
            issuer = base_url
        if not issuer:
            raise EnvironmentUnavailable(
                f"{ISSUER_VAR} is needed for {base_url}: the `iss` of this tenant's tokens"
            )
        audiences = tuple(a.strip() for a in environ.get(AUDIENCE_VAR, "").split(",") if a.strip())
        name = environ.get(ENV_NAME_VAR) or urlsplit(base_url).netloc
        env = Environment.from_region(
            name,
            region,
            environ[CLIENT_ID_VAR],
            base_url=base_url,
            issuer=issuer,
            jwks_url=environ.get(JWKS_URL_VAR) or None,
            audiences=audiences,
            tenant_id=environ.get(TENANT_ID_VAR) or None,
        )
    except ValueError as exc:
        raise EnvironmentUnavailable(f"the TRANSMIT_* variables are not usable: {exc}") from None
    secret = environ.get(CLIENT_SECRET_VAR)
    getter = _secret_callable(secret) if need_secret and secret else None
    return ResolvedEnvironment(env, getter, "TRANSMIT_* variables")


def saved_environment(
    data_dir: Path,
    name: str,
    environ: Mapping[str, str],
    secret_store: SecretStore | None = None,
    *,
    need_secret: bool = True,
) -> ResolvedEnvironment:
    try:
        env = SavedEnvironments(data_dir).get(name)
    except EnvironmentsFileError as exc:
        raise EnvironmentUnavailable(str(exc)) from None
    if env is None:
        raise EnvironmentUnavailable(
            f"no saved environment is named {name!r}; add it in the app, or use TRANSMIT_* "
            "variables instead of --env"
        )
    source = f"saved environment {name!r}"
    if not need_secret:
        return ResolvedEnvironment(env, None, source)
    # An explicit variable wins: CI jobs keep secrets in their own vault, not a keyring.
    secret = environ.get(CLIENT_SECRET_VAR)
    if not secret:
        # Imported only here: the keyring probe and scrypt are not needed by other paths.
        from transmit_admin.store.secrets import SecretStore, SecretStoreError

        try:
            store = secret_store or SecretStore.open(
                data_dir, passphrase=environ.get(PASSPHRASE_VAR)
            )
            secret = store.get(name)
        except SecretStoreError as exc:
            raise EnvironmentUnavailable(str(exc)) from None
        if not secret:
            from transmit_admin.store.secrets import SECRETS_FILE_NAME, BackendKind

            locked = store.kind is BackendKind.MEMORY and (data_dir / SECRETS_FILE_NAME).exists()
            hint = f"; set {PASSPHRASE_VAR} to unlock the encrypted secrets file" if locked else ""
            raise EnvironmentUnavailable(
                f"no client secret for {name!r} in the {store.backend_description()} store; "
                f"save it in the app or set {CLIENT_SECRET_VAR}{hint}"
            )
    return ResolvedEnvironment(env, _secret_callable(secret), source)


def resolve_environment(
    data_dir: Path,
    name: str | None,
    environ: Mapping[str, str] | None = None,
    *,
    secret_store: SecretStore | None = None,
    need_secret: bool = True,
) -> ResolvedEnvironment:
    """`--env NAME` if given, else the TRANSMIT_* variables, else the saved environment used
    last; `EnvironmentUnavailable` (saying what to set) when there is none."""
    variables = os.environ if environ is None else environ
    if not name and not variables_present(variables):
        try:
            name = SavedEnvironments(data_dir).last_used
        except EnvironmentsFileError:
            name = None
    if name:
        return saved_environment(data_dir, name, variables, secret_store, need_secret=need_secret)
    return environment_from_variables(variables, need_secret=need_secret)
