"""`Workspace`: one environment's work, built whole when that environment is chosen.

The environment, the store holding its sessions, the reader the views read through, its API
client and signing keys, its team (if it joined one) and the use cases over them are built
together and never changed: switching environment builds a new workspace. Work that started
on one (a bulk revoke, an inspection) keeps using it to the end, so it can never send with
one environment's client and record into another's store.

Which objects live longer than a workspace (a client's token cache, an open store file, the
team connection) is the run's business (`app.AppRuntime`), not the workspace's.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from transmit_admin.core.environment import Environment, Region

if TYPE_CHECKING:
    from transmit_admin.api.client import TransmitClient
    from transmit_admin.api.jwks import JwksCache
    from transmit_admin.services.keys import SigningKeys
    from transmit_admin.services.session_service import SessionService
    from transmit_admin.store.reader import StoreReader
    from transmit_admin.store.store import Store
    from transmit_admin.team.service import TeamClient


@dataclass(frozen=True, eq=False)
class Workspace:
    environment: Environment
    store: Store
    store_path: Path
    reader: StoreReader  # what the views read through (no SQL, no store internals in ui/)
    client: TransmitClient
    keys: SigningKeys
    team: TeamClient | None  # None: the environment has not joined a team
    actor: str  # who this workspace's events name: the team role, else the OS user
    service: SessionService  # the use cases, over the fields above

    @property
    def is_sandbox(self) -> bool:
        return self.environment.region is Region.SANDBOX


def assemble_workspace(
    environment: Environment,
    store: Store,
    store_path: Path,
    client: TransmitClient,
    jwks: JwksCache,
    team: TeamClient | None,
    os_user: str,
    reader: StoreReader | None = None,
) -> Workspace:
    """The one way a workspace is put together: by the window's run (`app.AppRuntime`, which
    keeps the parts for the run) and by each CLI command (`commands/_session_context.py`)."""
    from transmit_admin.services.keys import SigningKeys
    from transmit_admin.services.session_service import SessionService
    from transmit_admin.services.team_claims import ClaimGuard
    from transmit_admin.store.reader import StoreReader

    # In a team, events name the agent's PostgreSQL role, the one the journal records.
    actor = team.server.user if team is not None else os_user
    keys = SigningKeys(environment, jwks)
    service = SessionService(store, client, environment, actor, keys=keys, claims=ClaimGuard(team))
    return Workspace(
        environment,
        store,
        store_path,
        reader or StoreReader(store),
        client,
        keys,
        team,
        actor,
        service,
    )


class Workspaces(Protocol):
    """Where a panel finds the workspace to start its next piece of work on."""

    @property
    def current(self) -> Workspace: ...
