"""No double logouts: two app instances (two data folders, two agent roles) and the real
sandbox revoke the same session; the claim lets exactly one logout reach Transmit."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.postgres import free_port
from tests.support.sandbox_admin import SandboxAdmin
from tests.team.conftest import Team
from transmit_admin.api.client import TransmitClient
from transmit_admin.app import sandbox_environment
from transmit_admin.core.lifecycle import SessionStatus
from transmit_admin.sandbox.runner import SandboxInfo
from transmit_admin.services.demo import seed_from_sandbox
from transmit_admin.services.session_service import SessionService
from transmit_admin.services.team_claims import ClaimGuard
from transmit_admin.store.db import open_store
from transmit_admin.store.records import EventKind, SessionQuery
from transmit_admin.team.server import TeamServer
from transmit_admin.team.service import TeamClient

LOGOUT_PATH = "/auth/session/logout"


@dataclass
class Desk:
    """One agent's app instance: its own data folder, store, team client and service."""

    service: SessionService
    team: TeamClient


@contextlib.asynccontextmanager
async def desk(info: SandboxInfo, team: TeamClient) -> AsyncIterator[Desk]:
    env = sandbox_environment(info)
    await seed_from_sandbox(team.store, info.base_url, env.name)
    secret = info.client_secret
    async with TransmitClient(env, lambda: secret) as client:
        service = SessionService(team.store, client, env, team.server.user, claims=ClaimGuard(team))
        yield Desk(service, team)


def _first_active(d: Desk) -> str:
    query = SessionQuery(environment="sandbox", status=SessionStatus.ACTIVE)
    return d.service.store.page_sessions(query).rows[0].session_id


@pytest.fixture
def joined_clients() -> Iterator[list[TeamClient]]:
    """Closes the stores `_joined` opened, pass or fail (a store left open surfaces later as
    another test's ResourceWarning)."""
    clients: list[TeamClient] = []
    yield clients
    for client in clients:
        client.store.close()


def _joined(
    team: Team, agent: str, info: SandboxInfo, folder: Path, opened: list[TeamClient]
) -> TeamClient:
    store = open_store(folder / "sessions.sqlite")
    client = team.client(agent, store, sandbox_environment(info))
    opened.append(client)
    client.join()
    return client


def _logouts(admin: SandboxAdmin) -> int:
    return sum(r["path"].endswith(LOGOUT_PATH) for r in admin.requests())


def test_two_agents_revoking_one_session_at_once_send_one_logout(
    make_team: Callable[..., Team],
    fresh_sandbox: Callable[..., SandboxInfo],
    tmp_path: Path,
    joined_clients: list[TeamClient],
) -> None:
    # A slow sandbox keeps the winner's claim held while the other agent asks for it.
    info = fresh_sandbox(users=2, sessions=8, seed=5, latency_ms=300)
    team = make_team(info.base_url, info.tenant_id)
    team_a = _joined(team, team.agent_a, info, tmp_path / "a", joined_clients)
    team_b = _joined(team, team.agent_b, info, tmp_path / "b", joined_clients)

    async def scenario() -> tuple[str, list[str]]:
        async with desk(info, team_a) as a, desk(info, team_b) as b:
            session_id = _first_active(a)
            both = await asyncio.gather(a.service.revoke(session_id), b.service.revoke(session_id))
            # Later, B again: the claim is free, but its pull shows A's revoke: nothing sent.
            later = await b.service.revoke(session_id)
            return session_id, [r.message for r in (*both, later)]

    with SandboxAdmin(info) as admin:
        session_id, messages = asyncio.run(scenario())
        assert _logouts(admin) == 1, messages
    winner, loser, later = messages
    if winner.startswith("not sent"):
        winner, loser = loser, winner
    assert winner.startswith("revoked"), messages
    assert loser.startswith("not sent: agent ")
    assert loser.endswith(" is revoking this session")
    assert later.startswith("already revoked"), later
    for client in (team_a, team_b):
        client.sync()
        record = client.store.get_session("sandbox", session_id)
        assert record is not None
        assert record.status == "revoked"
        events = client.store.events_of("sandbox", session_id)
        confirmed = [e for e in events if e.kind is EventKind.REVOKE_CONFIRMED]
        assert len(confirmed) == 1  # one revoke, recorded once, by the agent who sent it
        assert confirmed[0].actor in (team.agent_a, team.agent_b)
        assert f"agent {confirmed[0].actor} is" in loser
        client.close()
        client.store.close()


def test_with_the_team_server_down_the_revoke_goes_ahead(
    make_team: Callable[..., Team],
    fresh_sandbox: Callable[..., SandboxInfo],
    tmp_path: Path,
    joined_clients: list[TeamClient],
) -> None:
    info = fresh_sandbox(users=2, sessions=8, seed=5)
    team = make_team(info.base_url, info.tenant_id)
    joined = _joined(team, team.agent_a, info, tmp_path / "a", joined_clients)
    # The same link, but a server that is not there (nothing listens on that port).
    down = TeamServer(host="127.0.0.1", port=free_port(), dbname=team.dbname, user=team.agent_a)
    offline = TeamClient(joined.store, joined.environment, down, lambda: "unused")

    async def scenario() -> str:
        async with desk(info, offline) as a:
            session_id = _first_active(a)
            return (await a.service.revoke(session_id)).message

    with SandboxAdmin(info) as admin:
        message = asyncio.run(scenario())
        assert _logouts(admin) == 1
    assert message.startswith("revoked"), message
    assert joined.outbox.waiting("sandbox") >= 2  # requested + confirmed, waiting to be pushed
    report = joined.sync()  # the server was there all along: everything arrives
    assert report.waiting == 0
    assert report.pushed >= 2
    joined.close()
    joined.store.close()
