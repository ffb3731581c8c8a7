"""No double logouts in a team: before a logout of a team-linked session, a short claim.

`SessionService.revoke` wraps its logout in `async with claims.revoking(session_id) as hold`.
Every path that logs one session out goes through that method (the bulk revoke too, once it
is built on it), so the claim lives here, once, and not in each path.

- No team (`ClaimGuard(None)`): `hold.taken` is always True; nothing else happens.
- A teammate holds the claim: `hold.taken` is False and `hold.sentence()` says who; the
  caller sends nothing and records nothing as revoked.
- The team server cannot be reached, or refuses us: the logout goes ahead (Transmit stays
  the source of truth, and answers a second logout with "not found": already revoked).
- Claim taken: the journal is pulled first, so a teammate's revoke that finished just
  before is seen (the caller checks the session again); on the way out the outcome is
  pushed *before* the claim is released, so whoever takes it next can pull that outcome.

services/ may not import team/ (tests/test_layers.py): the guard works on anything shaped
like `team.service.TeamClient` (`ClaimClient`), which the wiring (app.py) hands in. Its calls
block on the network, so they run in worker threads (`asyncio.to_thread`): never on the GUI
thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Protocol

log = logging.getLogger(__name__)

CLAIM_TTL_SECONDS = 30.0  # longer than a logout with its retries (the client's 10 s budget)


class Claim(Protocol):
    @property
    def taken(self) -> bool: ...
    @property
    def holder(self) -> str: ...


class ClaimClient(Protocol):
    """What the guard needs of `TeamClient`."""

    def try_claim(self, session_id: str, action: str = ..., ttl: float = ...) -> Claim | None: ...
    def release(self, session_id: str) -> None: ...
    def push(self) -> tuple[int, int]: ...
    def pull(self) -> object: ...


@dataclass(frozen=True, slots=True)
class Hold:
    taken: bool  # False: a teammate is on this session; send nothing
    holder: str = ""

    def sentence(self) -> str:
        return f"agent {self.holder} is revoking this session"


class ClaimGuard:
    def __init__(self, client: ClaimClient | None, *, ttl: float = CLAIM_TTL_SECONDS) -> None:
        self._client = client
        self._ttl = ttl

    @property
    def in_team(self) -> bool:
        return self._client is not None

    @contextlib.asynccontextmanager
    async def revoking(self, session_id: str) -> AsyncIterator[Hold]:
        client = self._client
        if client is None:
            yield Hold(True)
            return
        claim = await asyncio.to_thread(self._take, client, session_id)
        if claim is not None and not claim.taken:
            yield Hold(False, claim.holder)
            return
        try:
            yield Hold(True)
        finally:
            await asyncio.to_thread(self._finish, client, session_id, claim is not None)

    def _take(self, client: ClaimClient, session_id: str) -> Claim | None:
        # Any failure of the team (offline, a removed role, a refused schema) degrades to
        # "offline": the team is advisory for a logout, and a revoke must never be blocked
        # by it. The reason is logged; the status line shows the team's state anyway.
        try:
            claim = client.try_claim(session_id, "revoke", self._ttl)
        except Exception as exc:  # noqa: BLE001 - see above: the team never blocks a revoke
            _log_failure("no claim taken; revoking anyway", exc)
            return None
        if claim is not None and claim.taken:
            try:
                client.pull()
            except Exception as exc:  # noqa: BLE001 - as above
                _log_failure("no pull before the revoke; revoking anyway", exc)
        return claim

    @staticmethod
    def _finish(client: ClaimClient, session_id: str, release: bool) -> None:
        try:
            client.push()
            if release:
                client.release(session_id)
        except Exception as exc:  # noqa: BLE001 - the outcome is committed locally already
            # The outcome waits in the outbox; an unreleased claim expires on its own.
            _log_failure("the revoke's outcome waits in the outbox", exc)


def _log_failure(what: str, exc: Exception) -> None:
    """A team error (offline, refused) is expected and says itself in one sentence; anything
    else gets its traceback in the log."""
    sentence = getattr(exc, "sentence", None)
    if callable(sentence):
        log.warning("team: %s: %s", what, sentence())
    else:
        log.warning("team: %s", what, exc_info=exc)
