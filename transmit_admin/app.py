"""Plain wiring: the run's resources (`AppRuntime`) and the workspace of the chosen environment.

No Qt here. `build_runtime` is blocking (it may start the sandbox child process and seed a demo
store), so the GUI runs it off the GUI thread. Everything network-bound in a workspace is async
and meant for the GUI's one event loop.

Which store file holds which sessions: real environments share `sessions.sqlite` (rows carry
their environment's name, and every query filters by it, so switching never mixes them); the
sandbox demo uses `sandbox-demo.sqlite`, recreated on each demo start because the sandbox's
sessions are new on every run.
"""

from __future__ import annotations

import asyncio
import getpass
import logging
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

from transmit_admin.core.environment import Environment, Region
from transmit_admin.store import demo_lock
from transmit_admin.store.paths import database_path
from transmit_admin.workspace import Workspace, assemble_workspace

if TYPE_CHECKING:
    from transmit_admin.api.client import TransmitClient
    from transmit_admin.api.jwks import JwksCache
    from transmit_admin.sandbox.runner import SandboxInfo, SandboxProcess
    from transmit_admin.store.reader import StoreReader
    from transmit_admin.store.secrets import SecretStore
    from transmit_admin.store.store import Store
    from transmit_admin.team.service import TeamClient

log = logging.getLogger(__name__)

SANDBOX_ENV_NAME = "sandbox"
DEMO_STORE_NAME = "sandbox-demo.sqlite"
DEMO_USERS = 25
DEMO_SESSIONS = 300

SecretGetter = Callable[[], str]


class MissingSecret(Exception):
    """The environment's client secret is not stored; the message says where to enter it."""

    def sentence(self) -> str:
        return str(self)


def current_actor() -> str:
    """The OS user, recorded in the audit log as who did an action."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (containers) and no USER variable
        return os.environ.get("USERNAME") or "unknown"


def stored_secret_getter(secrets: SecretStore, env_name: str) -> SecretGetter:
    """Reads the secret at call time, so an edited secret is picked up without restarting."""

    def get() -> str:
        value = secrets.get(env_name)
        if not value:
            raise MissingSecret(
                f"No client secret is stored for the environment {env_name!r}. "
                "Enter it in Settings → Environments."
            )
        return value

    return get


def store_path_for(data_dir: Path, env: Environment) -> Path:
    if env.region is Region.SANDBOX:
        return data_dir / DEMO_STORE_NAME
    return database_path(data_dir)


class AppRuntime:
    """What lives for the whole run, and the workspace of the environment chosen now.

    The run keeps one store per file, one API client per environment (its client-token cache
    survives switching away and back), one reader per store and one team client per joined
    environment; each `Workspace` (`workspace.py`) is assembled from them and never changed.
    `switch_environment` and `rejoin_team` build a new one. `aclose` closes it all.
    """

    def __init__(
        self,
        *,
        data_dir: Path,
        secrets: SecretStore,
        jwks: JwksCache,
        actor: str,
        environment: Environment,
        store: Store,
        store_path: Path,
        secret_getter: SecretGetter | None = None,
        sandbox: SandboxProcess | None = None,
        sandbox_info: SandboxInfo | None = None,
    ) -> None:
        self.data_dir = data_dir
        self._secrets = secrets
        self.jwks = jwks
        self.actor = actor
        self.sandbox = sandbox
        # The sandbox's URLs and credentials, with or without a process this run owns.
        self.sandbox_info = sandbox_info or (sandbox.info if sandbox is not None else None)
        self._stores: dict[Path, Store] = {store_path: store}
        self._clients: dict[Environment, TransmitClient] = {}
        self._readers: dict[Path, StoreReader] = {}
        self._teams: dict[tuple[Path, str], TeamClient | None] = {}
        self._background_checkpoints = False
        # No getter: the environment's stored secret, read from the store in use at each call.
        getter = secret_getter or self.secret_getter_for(environment.name)
        self._current = self._build(environment, store_path, self._client(environment, getter))

    @property
    def current(self) -> Workspace:
        return self._current

    @property
    def secrets(self) -> SecretStore:
        return self._secrets

    def replace_secrets(self, secrets: SecretStore) -> None:
        """Settings unlocked or moved the secret store: secrets are read from it from now on
        (every getter and team password source reads it at call time)."""
        self._secrets = secrets

    def checkpoint_in_background(self) -> None:
        """For the window's run: each store's WAL checkpoints leave the threads that commit
        (`store/checkpoint.py`), for this store and those opened later."""
        self._background_checkpoints = True
        for store in self._stores.values():
            store.checkpoint_in_background()

    def _hold(self, path: Path, store: Store) -> None:
        self._stores[path] = store
        if self._background_checkpoints:
            store.checkpoint_in_background()

    def secret_getter_for(self, env_name: str) -> SecretGetter:
        """Reads the secret store in use at call time: Settings may replace it mid-run."""

        def get() -> str:
            return stored_secret_getter(self._secrets, env_name)()

        return get

    def _client(self, env: Environment, secret_getter: SecretGetter) -> TransmitClient:
        """One client per environment, kept for the run so its client-token cache survives.
        Keyed by the whole (frozen) environment: an edited environment gets a fresh client."""
        from transmit_admin.api.client import TransmitClient

        client = self._clients.get(env)
        if client is None:
            client = self._clients[env] = TransmitClient(env, secret_getter)
        return client

    def _build(self, env: Environment, path: Path, client: TransmitClient) -> Workspace:
        from transmit_admin.store.reader import StoreReader
        from transmit_admin.team.passwords import password_source
        from transmit_admin.team.service import TeamClient

        store = self._stores[path]
        reader = self._readers.get(path)
        if reader is None:
            reader = self._readers[path] = StoreReader(store)
        team_key = (path, env.name)
        if team_key not in self._teams:
            # The password is read at call time from the secret store in use then, or
            # PGPASSWORD.
            self._teams[team_key] = TeamClient.for_link(
                store, env, lambda server: lambda: password_source(server, self._secrets)()
            )
        team = self._teams[team_key]
        return assemble_workspace(
            env, store, path, client, self.jwks, team, self.actor, reader=reader
        )

    def switch_environment(self, env: Environment, secret_getter: SecretGetter) -> Workspace:
        """Builds `env`'s workspace and makes it current. Its sessions come from its own
        store file (or rows). Raises StoreDamaged when that file cannot be opened."""
        from transmit_admin.store.db import open_store

        path = store_path_for(self.data_dir, env)
        if path not in self._stores:
            self._hold(path, open_store(path))
        self._current = self._build(env, path, self._client(env, secret_getter))
        return self._current

    def rejoin_team(self, joined: Workspace) -> TeamClient | None:
        """After `joined`'s environment joined or left a team: its team client is read again
        from the store's link, and the workspace is built again if it is still current.
        Returns the old client, to be closed off the GUI thread."""
        key = (joined.store_path, joined.environment.name)
        old = self._teams.pop(key, None)
        ws = self._current
        if (ws.store_path, ws.environment.name) == key:
            self._current = self._build(ws.environment, ws.store_path, ws.client)
        return old

    def adopt_sandbox(self, sandbox: SandboxProcess, store: Store, path: Path) -> None:
        """Takes over a sandbox started later in the run (and its demo store); closed by us."""
        self.sandbox = sandbox
        self.sandbox_info = sandbox.info
        self._hold(path, store)
        announce_sandbox(self.data_dir, sandbox.info, path)

    async def aclose(self) -> None:
        for client in list(self._clients.values()):
            try:
                await client.aclose()
            except Exception:
                log.warning("closing an API client failed", exc_info=True)
        self._clients.clear()
        teams = [team for team in self._teams.values() if team is not None]
        self._teams.clear()
        for team in teams:  # psycopg's close is blocking
            await asyncio.to_thread(team.close)
        try:
            await self.jwks.aclose()
        except Exception:
            log.warning("closing the JWKS cache failed", exc_info=True)
        for path, store in self._stores.items():
            store.close()
            demo_lock.release(path)
        self._stores.clear()
        from transmit_admin.store.running_sandbox import withdraw

        withdraw(self.data_dir)
        if self.sandbox is not None:
            # Blocking for at most a few seconds; off the loop so the window stays painted.
            await asyncio.to_thread(self.sandbox.stop)
            self.sandbox = None


def sandbox_environment(info: Any) -> Environment:
    return Environment.from_region(
        SANDBOX_ENV_NAME,
        Region.SANDBOX,
        info.client_id,
        base_url=info.base_url,
        issuer=info.issuer,
        jwks_url=info.jwks_url,
        redirect_uri=getattr(info, "redirect_uri", None),
        audiences=(info.audience,) if getattr(info, "audience", None) else (),
        tenant_id=getattr(info, "tenant_id", None),
    )


def start_demo(data_dir: Path) -> tuple[SandboxProcess, Environment, Store, Path]:
    """Starts the sandbox and a fresh demo store seeded from it. Blocking."""
    from transmit_admin.sandbox.runner import SandboxProcess

    sandbox = SandboxProcess.start(users=DEMO_USERS, sessions=DEMO_SESSIONS)
    try:
        env, store, path = seed_demo_store(sandbox.info, data_dir)
    except BaseException:
        sandbox.stop()
        raise
    return sandbox, env, store, path


def seed_demo_store(info: SandboxInfo, data_dir: Path) -> tuple[Environment, Store, Path]:
    """A fresh `sandbox-demo.sqlite` filled with the sandbox's sessions. Blocking."""
    from transmit_admin.services.demo import seed_from_sandbox
    from transmit_admin.store.db import open_store

    env = sandbox_environment(info)
    path = data_dir / DEMO_STORE_NAME
    # Never under another process that has the demo store open (store/demo_lock.py).
    demo_lock.lock_for_reseed(path)
    try:
        for suffix in ("", "-wal", "-shm"):  # disposable demo data: start over each run
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        store = open_store(path)
        try:
            # A worker thread with no loop of its own: the seeding's HTTP gets a private loop.
            asyncio.run(seed_from_sandbox(store, info.base_url, env.name))
        except BaseException:
            store.close()
            raise
        demo_lock.hold_shared(path)  # in use by this process until its context closes
    except BaseException:
        demo_lock.release(path)
        raise
    return env, store, path


def announce_sandbox(data_dir: Path, info: SandboxInfo, store_path: Path) -> None:
    """Lets the CLI and other windows find this window's sandbox (removed by `aclose`)."""
    from dataclasses import asdict

    from transmit_admin.store.running_sandbox import announce

    try:
        announce(data_dir, asdict(info), store_path)
    except OSError:  # the window works without it; `--env sandbox` then starts its own
        log.warning("could not write the running-sandbox file", exc_info=True)


def runtime_on_running_sandbox(data_dir: Path, secrets: SecretStore) -> AppRuntime | None:
    """A run over the sandbox and demo store another window runs, if one does: a second
    window must not start a new demo (that would re-create the store under the first)."""
    from transmit_admin.api.jwks import JwksCache
    from transmit_admin.sandbox.runner import SandboxInfo
    from transmit_admin.store.db import open_store
    from transmit_admin.store.running_sandbox import find_running

    running = find_running(data_dir)
    if running is None or running.pid == os.getpid():
        return None
    info = SandboxInfo.from_json(running.info)
    demo_lock.hold_shared(running.store_path)
    try:
        store = open_store(running.store_path)
    except BaseException:
        demo_lock.release(running.store_path)
        raise
    client_secret = info.client_secret
    return AppRuntime(
        data_dir=data_dir,
        store=store,
        environment=sandbox_environment(info),
        secrets=secrets,
        jwks=JwksCache(),
        sandbox=None,
        actor=current_actor(),
        secret_getter=lambda: client_secret,
        store_path=running.store_path,
        sandbox_info=info,
    )


def runtime_for_sandbox(
    info: SandboxInfo, data_dir: Path, *, secrets: SecretStore | None = None
) -> AppRuntime:
    """A run over a sandbox someone else runs (tests, `--env sandbox` with a URL). Blocking."""
    from transmit_admin.api.jwks import JwksCache
    from transmit_admin.store.secrets import SecretStore

    data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    env, store, path = seed_demo_store(info, data_dir)
    announce_sandbox(data_dir, info, path)
    client_secret = info.client_secret
    return AppRuntime(
        data_dir=data_dir,
        store=store,
        environment=env,
        secrets=secrets if secrets is not None else SecretStore.in_memory(),
        jwks=JwksCache(),
        sandbox=None,
        actor=current_actor(),
        secret_getter=lambda: client_secret,
        store_path=path,
        sandbox_info=info,
    )


def choose_environment(data_dir: Path, env_name: str | None) -> Environment | None:
    """The saved environment to open, or None for the sandbox demo. Remembers the choice."""
    from transmit_admin.store.environments import SavedEnvironments

    saved = SavedEnvironments(data_dir)
    if env_name == SANDBOX_ENV_NAME:
        return None
    if env_name:
        env = saved.get(env_name)
        if env is None:
            known = ", ".join(saved.names()) or "none yet"
            raise LookupError(
                f"There is no saved environment named {env_name!r} (saved: {known}). "
                "Add it in Settings → Environments, or start without --env for the sandbox."
            )
        saved.set_last_used(env.name)
        return env
    last = saved.last_used
    if last:
        return saved.get(last)
    return None


def build_runtime(
    data_dir_override: str | os.PathLike[str] | None,
    env_name: str | None,
    *,
    secrets: SecretStore | None = None,
) -> AppRuntime:
    """Opens the store and environment to work on; starts the sandbox when there is none.

    Blocking: run it off the GUI thread. Raises `StoreDamaged` when the store cannot be opened
    (the UI shows its message instead of starting over the file) and `LookupError` for an
    unknown `--env`.
    """
    from transmit_admin.api.jwks import JwksCache
    from transmit_admin.store.db import open_store
    from transmit_admin.store.paths import data_dir as resolve_data_dir
    from transmit_admin.store.secrets import SecretStore

    data_dir = resolve_data_dir(data_dir_override)
    env = choose_environment(data_dir, env_name)
    with ThreadPoolExecutor(1, thread_name_prefix="secret-store") as pool:
        # Probing the keyring can take a second (D-Bus): overlap it with the sandbox start.
        pending = None if secrets is not None else pool.submit(SecretStore.open, data_dir)
        sandbox: SandboxProcess | None = None
        if env is None:
            if pending is not None:
                secrets = pending.result()
            assert secrets is not None
            shared = runtime_on_running_sandbox(data_dir, secrets)
            if shared is not None:
                return shared
            sandbox, env, store, path = start_demo(data_dir)
            info = sandbox.info
            announce_sandbox(data_dir, info, path)
            getter: SecretGetter | None = lambda: info.client_secret  # noqa: E731
        else:
            getter = None  # the environment's stored secret
            path = store_path_for(data_dir, env)
            store = open_store(path)
        if pending is not None:
            secrets = pending.result()
    assert secrets is not None
    return AppRuntime(
        data_dir=data_dir,
        store=store,
        environment=env,
        secrets=secrets,
        jwks=JwksCache(),
        sandbox=sandbox,
        actor=current_actor(),
        secret_getter=getter,
        store_path=path,
    )
