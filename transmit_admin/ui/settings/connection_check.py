"""Settings' "Test connection": can this environment's form reach Transmit with this secret?

The same two calls every action starts with: a client-credentials token (base URL, client
id and secret) and the signing keys (JWKS URL). Nothing is changed at Transmit.
"""

from __future__ import annotations

from transmit_admin.api.client import TransmitClient
from transmit_admin.core.environment import Environment

TIMEOUT_SECONDS = 10.0


async def check_connection(env: Environment, secret: str) -> str:
    """One sentence on success; a failure raises the client's typed error (its
    `sentence()` says what happened and what to do)."""
    async with TransmitClient(env, lambda: secret, timeout=TIMEOUT_SECONDS) as client:
        await client.client_token()
        jwks = await client.fetch_jwks()
    keys = len(jwks.get("keys") or [])
    return (
        f"Connected to {env.base_url}: the client credentials were accepted and "
        f"{keys} signing key(s) were fetched."
    )
