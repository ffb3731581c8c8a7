"""Short claims on a session, so that two agents never send the same logout twice.

`take(conn, session_id)` is one statement: INSERT … ON CONFLICT … DO UPDATE … WHERE the old
claim has expired (or is already ours). Two agents at the same moment: the second waits on
the first's row, then finds it unexpired and gets `Claim(taken=False, holder="agent_a")`.
A claim left by a crashed client expires on its own (`ttl`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import psycopg

Conn = psycopg.Connection[tuple[Any, ...]]
DEFAULT_TTL_SECONDS = 30.0


@dataclass(frozen=True, slots=True)
class Claim:
    session_id: str
    taken: bool
    holder: str
    expires_at: datetime

    def sentence(self) -> str:
        if self.taken:
            return f"claimed {self.session_id} until {self.expires_at:%H:%M:%S}"
        return f"being revoked by {self.holder}"


def take(
    conn: Conn, session_id: str, action: str = "revoke", ttl: float = DEFAULT_TTL_SECONDS
) -> Claim:
    """Takes (or renews our own) claim; when someone else holds one, says who."""
    with conn.transaction():
        row = conn.execute(
            "INSERT INTO transmit_team.claims AS c (session_id, action, expires_at) "
            "VALUES (%s, %s, clock_timestamp() + %s * interval '1 second') "
            "ON CONFLICT (session_id) DO UPDATE SET action = excluded.action, "
            "expires_at = excluded.expires_at, taken_at = clock_timestamp() "
            "WHERE c.expires_at <= clock_timestamp() OR c.holder = session_user "
            "RETURNING holder, expires_at",
            [session_id, action, ttl],
        ).fetchone()
        if row is not None:
            return Claim(session_id, True, row[0], row[1])
        held = conn.execute(
            "SELECT holder, expires_at FROM transmit_team.claims WHERE session_id = %s",
            [session_id],
        ).fetchone()
    assert held is not None
    return Claim(session_id, False, held[0], held[1])


def release(conn: Conn, session_id: str) -> None:
    """Ends our claim now (the action is done); someone else's is left alone."""
    with conn.transaction():
        conn.execute(
            "UPDATE transmit_team.claims SET expires_at = clock_timestamp() "
            "WHERE session_id = %s AND holder = session_user",
            [session_id],
        )
