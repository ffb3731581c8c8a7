"""`ServiceDeps`: what every use case is built from, instead of reaching into a shared service.

Each use case (`track.py`, `revoke.py`, `revoke_user.py`, `sync_user.py`, `magic_link.py`,
`session_check.py`) takes one of these and nothing else that has state, so any of them can be
built on its own (a test, the CLI, the GUI) and none imports another's module to get at it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from transmit_admin.api.client import TransmitClient
from transmit_admin.core.environment import Environment
from transmit_admin.services.results import ActionResult, Outcome
from transmit_admin.services.session_trail import SessionTrail
from transmit_admin.store.records import SessionRecord
from transmit_admin.store.store import Store

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class ServiceDeps:
    store: Store
    client: TransmitClient
    env: Environment
    trail: SessionTrail
    clock: Clock = utc_now

    @classmethod
    def build(
        cls,
        store: Store,
        client: TransmitClient,
        env: Environment,
        actor: str,
        clock: Clock = utc_now,
    ) -> ServiceDeps:
        return cls(store, client, env, SessionTrail(store, env.name, actor), clock)

    def session(self, session_id: str) -> SessionRecord | None:
        return self.store.get_session(self.env.name, session_id)

    def not_tracked(self, session_id: str) -> ActionResult:
        return ActionResult(
            session_id,
            False,
            f"not a tracked session of environment {self.env.name!r}; track or sync it first",
            outcome=Outcome.REFUSED,
        )
