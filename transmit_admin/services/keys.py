"""`SigningKeys`: one environment's signing keys, for everything that verifies its tokens.

The inspector and the track use case check through `check`, so both follow the same rule,
`JwksCache.check_with_rotation`: check against the cached key set, and when the result names a
`kid` that set lacks (a rotated key), refetch once and check again. The HAR intake takes one
set for the whole capture (`get`): a second pass over a 200 MB file for one kid is not worth
it, and a token it cannot verify is shown "unverified", never trusted.
When no key set can be had at all, the check runs without keys (every token then reads
"unverified") and `problem` says why, for the refusal or the status line.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Generic, TypeVar

from transmit_admin.api.errors import TransmitError
from transmit_admin.api.jwks import JwksCache, JwksError
from transmit_admin.core.environment import Environment
from transmit_admin.core.keys import KeySet

log = logging.getLogger(__name__)

Value = TypeVar("Value")


@dataclass(frozen=True)
class KeysChecked(Generic[Value]):
    value: Value
    problem: str | None = None  # why the keys were unavailable (`value` was checked without)


class SigningKeys:
    def __init__(self, env: Environment, jwks: JwksCache | None = None) -> None:
        self.env = env
        self._jwks = jwks
        self._owns_jwks = jwks is None

    def _cache(self) -> JwksCache:
        if self._jwks is None:
            self._jwks = JwksCache()
        return self._jwks

    async def check(
        self,
        check: Callable[[KeySet | None], Awaitable[Value]],
        kids_of: Callable[[Value], Iterable[str]],
    ) -> KeysChecked[Value]:
        """`check` against the environment's keys, once more after a refetch when its result
        names a `kid` the cached set lacks; without keys (and with `problem`) when none can
        be fetched. `check` must not itself raise JWKS or Transmit errors."""
        try:
            value = await self._cache().check_with_rotation(self.env.jwks_url, check, kids_of)
        except (JwksError, TransmitError) as exc:
            problem = exc.message if isinstance(exc, JwksError) else exc.sentence()
            log.warning("signing keys of %s unavailable: %s", self.env.name, problem)
            return KeysChecked(await check(None), problem)
        return KeysChecked(value)

    async def get(self) -> KeysChecked[KeySet | None]:
        """The current key set, for a reader that verifies many tokens with one set (a HAR
        capture); None and `problem` when it cannot be fetched."""

        async def keys(found: KeySet | None) -> KeySet | None:
            return found

        return await self.check(keys, lambda _keys: ())

    async def aclose(self) -> None:
        """Closes the JWKS cache made here (not one it was given)."""
        if self._owns_jwks and self._jwks is not None:
            await self._jwks.aclose()
            self._jwks = None
