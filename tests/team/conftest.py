"""Team tests run against a real PostgreSQL: one throwaway cluster per session
(tests/support/postgres.py), a fresh database, owner and two agents per test.

Where PostgreSQL is missing the tests skip with the reason, except in CI or under
scripts/run-tests.sh (CI or TRANSMIT_ADMIN_REQUIRE_POSTGRES set), where they fail.
"""

from __future__ import annotations

import itertools
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
import pytest

from tests.support import postgres
from transmit_admin.core.environment import Environment, Region
from transmit_admin.store.db import open_store
from transmit_admin.store.store import Store
from transmit_admin.team import schema
from transmit_admin.team.server import TeamServer, connect
from transmit_admin.team.service import TeamClient

BASE_URL = "https://api.eu.transmitsecurity.io"
TENANT = "tenant-desk-1"
_numbers = itertools.count(1)


def make_env(
    name: str = "prod", *, base_url: str = BASE_URL, tenant: str | None = TENANT
) -> Environment:
    return Environment(
        name=name,
        region=Region.CUSTOM,
        base_url=base_url,
        client_id="client-1",
        issuer=f"{base_url}/oidc",
        jwks_url=f"{base_url}/oidc/jwks",
        tenant_id=tenant,
    )


@dataclass
class Team:
    """A fresh database `dbname` with its owner role and two agent roles, a and b."""

    cluster: postgres.Cluster
    dbname: str
    owner: str
    passwords: dict[str, str]

    def server(self, user: str) -> TeamServer:
        return TeamServer(host="127.0.0.1", port=self.cluster.port, dbname=self.dbname, user=user)

    def connect(self, user: str, *, autocommit: bool = True) -> psycopg.Connection[Any]:
        return connect(self.server(user), self.passwords[user], autocommit=autocommit)

    def client(self, user: str, store: Store, env: Environment | None = None) -> TeamClient:
        password = self.passwords[user]
        return TeamClient(store, env or make_env(), self.server(user), lambda: password)

    @property
    def agent_a(self) -> str:
        return f"{self.dbname}_a"

    @property
    def agent_b(self) -> str:
        return f"{self.dbname}_b"


def new_team(
    cluster: postgres.Cluster, base_url: str = BASE_URL, tenant: str | None = TENANT
) -> Team:
    """An initialised team space bound to `base_url` / `tenant`, with agents a and b."""
    dbname = f"desk{next(_numbers)}_{secrets.token_hex(3)}"
    owner_password = secrets.token_urlsafe(12)
    owner = cluster.create_database(dbname, owner_password)
    result = Team(cluster, dbname, owner, {owner: owner_password})
    with result.connect(owner) as conn:
        schema.install_or_upgrade(conn, base_url, tenant)
        for agent in (result.agent_a, result.agent_b):
            result.passwords[agent] = secrets.token_urlsafe(12)
            schema.add_agent(conn, agent, result.passwords[agent])
    return result


@pytest.fixture
def team(pg_cluster: postgres.Cluster) -> Team:
    """An initialised team space (bound to BASE_URL / TENANT) with agents a and b."""
    return new_team(pg_cluster)


@pytest.fixture
def make_team(pg_cluster: postgres.Cluster) -> Callable[..., Team]:
    """`make_team(base_url, tenant)`: a team space bound to another tenant (a sandbox's)."""
    return lambda base_url=BASE_URL, tenant=TENANT: new_team(pg_cluster, base_url, tenant)


@pytest.fixture
def make_store(tmp_path: Path) -> Iterator[Callable[[str], Store]]:
    """`make_store("a")`: a store in its own data folder (one app instance each)."""
    opened: list[Store] = []

    def make(name: str) -> Store:
        store = open_store(tmp_path / name / "sessions.sqlite")
        opened.append(store)
        return store

    yield make
    for store in opened:
        store.close()
