"""The app's client access token: fetched once, shared, renewed a minute before it expires.

Many tasks (a table refreshing fifty sessions) ask for a token at the same moment; they all
wait on one in-flight fetch instead of each hitting `/oidc/token`. The expiry comes from the
answer's `expires_in`, never from reading the unverified JWT.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

from transmit_admin.api.models import ClientToken

RENEW_MARGIN_SECONDS = 60.0


class ClientTokenCache:
    def __init__(
        self,
        fetch: Callable[[], Awaitable[ClientToken]],
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._fetch = fetch
        self._clock = clock
        self._token: str | None = None
        self._renew_at = 0.0
        self._inflight: asyncio.Task[str] | None = None

    async def get(self) -> str:
        if self._token is not None and self._clock() < self._renew_at:
            return self._token
        if self._inflight is None:
            self._inflight = asyncio.create_task(self._fetch_and_store())
            self._inflight.add_done_callback(self._forget_inflight)
        # shield: a caller that gives up (timeout, closed dialog) must not cancel the fetch
        # the other callers are waiting on.
        return await asyncio.shield(self._inflight)

    def invalidate(self, token: str) -> None:
        """Drops `token` (Transmit refused it) unless it was already replaced by a newer one."""
        if self._token == token:
            self._token = None

    async def aclose(self) -> None:
        if self._inflight is not None:
            self._inflight.cancel()
            await asyncio.gather(self._inflight, return_exceptions=True)
        self._token = None

    async def _fetch_and_store(self) -> str:
        asked_at = self._clock()
        fetched = await self._fetch()
        # Renew a minute early (half the lifetime for short-lived tokens, as the sandbox may
        # issue), counting from when we asked so that network time is never in our favour.
        margin = min(RENEW_MARGIN_SECONDS, fetched.expires_in / 2)
        self._token = fetched.access_token
        self._renew_at = asked_at + fetched.expires_in - margin
        return fetched.access_token

    def _forget_inflight(self, task: asyncio.Task[str]) -> None:
        if self._inflight is task:
            self._inflight = None
        if not task.cancelled():
            task.exception()  # retrieved here so a failure nobody awaited is not logged as lost
