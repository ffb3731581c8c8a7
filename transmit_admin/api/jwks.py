"""Fetching and caching a tenant's JWKS (its published signing keys).

Bounded in every direction, because the URL comes from configuration that a user may have
typed wrong: https only (plain http only to a loopback host, for the sandbox), no redirects,
a size cap while streaming, an overall deadline. A fetched set is cached with its fetch time;
an unknown `kid` triggers one refetch (key rotation), at most once per minute per URL, so a
stream of forged kids cannot turn this into a request flood.

`check_with_rotation` is the whole rotation rule for whoever verifies tokens (the inspector,
the track use case, `verify --jwks URL`): check against the cached set; when the result names
a `kid` that set lacks, refetch once and check again.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from types import TracebackType
from typing import TypeVar
from urllib.parse import urlsplit

import httpx

from transmit_admin.api._http import shared_tls_context
from transmit_admin.core.keys import KeyParseError, KeySet
from transmit_admin.core.strict_json import JsonRejected, loads_value

log = logging.getLogger(__name__)

DEFAULT_MAX_BYTES = 512 * 1024
DEFAULT_MAX_AGE = 3600.0

Checked = TypeVar("Checked")


class JwksError(Exception):
    """The key set could not be fetched or read; `message` says why, in plain words."""

    def __init__(self, message: str, url: str) -> None:
        super().__init__(message)
        self.message = message
        self.url = url


def is_loopback_host(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_jwks_url(url: str) -> None:
    parts = urlsplit(url)
    host = parts.hostname or ""
    if not host:
        raise JwksError(f"{url!r} is not a URL with a host name", url)
    if parts.scheme == "https":
        return
    if parts.scheme == "http" and is_loopback_host(host):
        return
    raise JwksError(
        f"refusing to fetch keys from {url!r}: only https is allowed (plain http only to a "
        "loopback address such as the local sandbox)",
        url,
    )


@dataclass(frozen=True, slots=True)
class _Entry:
    keys: KeySet
    fetched_at: float  # by the cache's clock


class JwksCache:
    def __init__(
        self,
        http: httpx.AsyncClient | None = None,
        *,
        min_refetch_interval: float = 60,
        max_bytes: int = DEFAULT_MAX_BYTES,
        timeout: float = 10,
        max_age: float = DEFAULT_MAX_AGE,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._http = http
        self._owns_http = http is None
        self.min_refetch_interval = min_refetch_interval
        self.max_bytes = max_bytes
        self.timeout = timeout
        self.max_age = max_age
        self._clock = clock
        self._entries: dict[str, _Entry] = {}
        self._last_attempt: dict[str, float] = {}
        self._locks: dict[str, asyncio.Lock] = {}
        self.fetch_count = 0  # how many HTTP fetches were started (for diagnostics and tests)

    async def __aenter__(self) -> JwksCache:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        if self._owns_http and self._http is not None:
            await self._http.aclose()
            self._http = None

    def cached(self, url: str) -> KeySet | None:
        entry = self._entries.get(url)
        return entry.keys if entry else None

    async def keyset(self, url: str, kid: str | None = None) -> KeySet:
        """The key set for `url`, fetched when missing, stale, or lacking `kid`.

        Raises JwksError only when no key set is available at all; when a refetch fails but
        an older copy exists, the older copy is returned (and the failure logged).
        """
        check_jwks_url(url)
        lock = self._locks.setdefault(url, asyncio.Lock())
        async with lock:
            entry = self._entries.get(url)
            if entry is not None and not self._wants_refetch(url, entry, kid):
                return entry.keys
            if entry is not None and not self._may_fetch(url):
                return entry.keys
            if entry is None and not self._may_fetch(url):
                raise JwksError(
                    f"the key set at {url} could not be fetched recently; retrying in at most "
                    f"{self.min_refetch_interval:g} s",
                    url,
                )
            try:
                keys = await self._fetch(url)
            except JwksError as exc:
                if entry is None:
                    raise
                log.warning("keeping the cached key set: %s", exc.message)
                return entry.keys
            self._entries[url] = _Entry(keys, self._clock())
            return keys

    async def check_with_rotation(
        self,
        url: str,
        check: Callable[[KeySet], Awaitable[Checked]],
        kids_of: Callable[[Checked], Iterable[str]],
    ) -> Checked:
        """`check(keys)`, and once more with a refetched set when the first result names a
        `kid` (`kids_of`) the cached set lacks: a rotated key verifies at the first try.

        The refetch obeys the cache's rate limit, so forged kids cost at most one request per
        `min_refetch_interval`. Raises JwksError like `keyset` when no set is available."""
        keys = await self.keyset(url)
        result = await check(keys)
        unknown = next((kid for kid in kids_of(result) if keys.find(kid) is None), None)
        if unknown is None:
            return result
        fresh = await self.keyset(url, unknown)
        if fresh is keys:  # not refetched (rate limit, or the fetch failed): same answer
            return result
        return await check(fresh)

    def _wants_refetch(self, url: str, entry: _Entry, kid: str | None) -> bool:
        if self._clock() - entry.fetched_at >= self.max_age:
            return True
        return kid is not None and entry.keys.find(kid) is None

    def _may_fetch(self, url: str) -> bool:
        last = self._last_attempt.get(url)
        return last is None or self._clock() - last >= self.min_refetch_interval

    async def _fetch(self, url: str) -> KeySet:
        self._last_attempt[url] = self._clock()
        self.fetch_count += 1
        try:
            async with asyncio.timeout(self.timeout):
                body = await self._download(url)
        except TimeoutError:
            raise JwksError(f"fetching {url} took longer than {self.timeout:g} s", url) from None
        except httpx.HTTPError as exc:
            raise JwksError(f"could not fetch {url}: {exc.__class__.__name__}", url) from None
        try:
            data = loads_value(body)
        except JsonRejected as exc:
            raise JwksError(f"the key set at {url} {exc}", url) from None
        if not isinstance(data, dict):
            raise JwksError(f"the key set at {url} is not a JSON object", url)
        try:
            return KeySet.from_jwks(data, url, user_supplied=False, fetched_at=time.time())
        except KeyParseError as exc:
            raise JwksError(exc.message, url) from None

    async def _download(self, url: str) -> bytes:
        if self._http is None:
            self._http = httpx.AsyncClient(
                follow_redirects=False, timeout=self.timeout, verify=shared_tls_context()
            )
        headers = {"Accept": "application/json"}
        async with self._http.stream("GET", url, headers=headers, follow_redirects=False) as reply:
            if reply.status_code != 200:
                where = reply.headers.get("location")
                extra = f" (redirected to {where}; configure that URL)" if where else ""
                raise JwksError(f"{url} answered HTTP {reply.status_code}{extra}", url)
            declared = reply.headers.get("content-length")
            if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
                raise JwksError(self._too_large(url), url)
            chunks: list[bytes] = []
            size = 0
            async for chunk in reply.aiter_bytes():
                size += len(chunk)
                if size > self.max_bytes:
                    raise JwksError(self._too_large(url), url)
                chunks.append(chunk)
        return b"".join(chunks)

    def _too_large(self, url: str) -> str:
        return f"the key set at {url} is larger than {self.max_bytes // 1024} KiB; refusing it"
