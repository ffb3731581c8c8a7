"""`SigningKeys`: an environment's signing keys for the use cases that verify tokens.

The "unknown `kid` → refetch the key set once" rule is the JWKS cache's (`api.jwks`); this
only turns its failures into the sentence a refusal adds (`problem`).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable
from typing import Protocol

from transmit_admin.api.errors import TransmitError
from transmit_admin.api.jwks import JwksCache, JwksError
from transmit_admin.core.environment import Environment
from transmit_admin.core.keys import KeySet

log = logging.getLogger(__name__)


class KeysProvider(Protocol):
    """Returns the environment's signing keys; given a `kid` it does not know, the provider
    refetches the JWKS once (key rotation), within its own rate limit."""

    def __call__(self, kid: str | None = None) -> Awaitable[KeySet | None]: ...


class SigningKeys:
    def __init__(self, env: Environment, provider: KeysProvider | None = None) -> None:
        self.env = env
        self._provider = provider or self._own_cache
        self._cache: JwksCache | None = None
        self.problem: str | None = None

    async def _own_cache(self, kid: str | None = None) -> KeySet | None:
        if self._cache is None:
            self._cache = JwksCache()
        return await self._cache.keyset(self.env.jwks_url, kid)

    async def get(self, kid: str | None = None) -> KeySet | None:
        """The signing keys, or None; `problem` then says why (for the refusal)."""
        self.problem = None
        try:
            keys = await self._provider(kid)
        except (JwksError, TransmitError) as exc:
            self.problem = exc.message if isinstance(exc, JwksError) else exc.sentence()
            log.warning("signing keys unavailable: %s", self.problem)
            return None
        if keys is None:
            self.problem = f"the signing keys of {self.env.name!r} could not be fetched"
        return keys

    async def aclose(self) -> None:
        """Closes the JWKS cache made here (not a provider's)."""
        if self._cache is not None:
            await self._cache.aclose()
            self._cache = None
