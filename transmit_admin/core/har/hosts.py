"""Which hosts of a capture are Transmit's: those of the environments the agent has, never a
fixed list (tenants use custom domains, and the sandbox is on loopback)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from transmit_admin.core.environment import Environment


def host_of(url: str) -> str:
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        return ""
    return host.lower()


@dataclass(frozen=True, slots=True)
class TransmitHosts:
    hosts: frozenset[str] = frozenset()

    @classmethod
    def from_environments(cls, environments: Iterable[Environment]) -> TransmitHosts:
        urls: list[str] = []
        for env in environments:
            urls += [env.base_url, env.issuer or "", env.jwks_url or ""]
        return cls.from_urls(urls)

    @classmethod
    def from_urls(cls, urls: Iterable[str]) -> TransmitHosts:
        return cls(frozenset(h for h in (host_of(u) for u in urls if u) if h))

    def is_transmit(self, host: str) -> bool:
        return host.lower() in self.hosts
