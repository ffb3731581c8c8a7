"""Tokens seen: known by SHA-256 fingerprint and decoded claims, never by their text."""

from __future__ import annotations

from transmit_admin.store import guard
from transmit_admin.store.base import StorePart, locked
from transmit_admin.store.records import TokenSeen
from transmit_admin.store.rows import TOKEN_COLUMNS, token_from_row, token_params

ACCESS_TOKEN_KIND = "user_access_token"  # noqa: S105 (a token kind, not a secret)


class TokensSeen(StorePart):
    """The `tokens_seen` table."""

    @locked
    def record_token(self, token: TokenSeen) -> bool:
        """Records a token by fingerprint (True when new). An access token of a recorded
        session moves that session's `access_expires_at` forward to its `exp`."""
        guard.check_fingerprint(token.fingerprint)
        guard.check_claims(token.claims)
        params = token_params(token)
        columns = ", ".join(TOKEN_COLUMNS)
        values = ", ".join(f":{c}" for c in TOKEN_COLUMNS)
        with self.writing():
            cursor = self.db.execute(
                f"INSERT INTO tokens_seen ({columns}) VALUES ({values}) "
                "ON CONFLICT (fingerprint) DO NOTHING",
                params,
            )
            if token.kind == ACCESS_TOKEN_KIND and token.exp and token.session_id:
                self.db.execute(
                    "UPDATE sessions SET access_expires_at = :exp WHERE environment = :env "
                    "AND session_id = :sid AND coalesce(access_expires_at, 0) < :exp",
                    {"exp": params["exp"], "env": token.environment, "sid": token.session_id},
                )
        return cursor.rowcount == 1

    @locked
    def tokens_of(self, environment: str, session_id: str) -> list[TokenSeen]:
        """The tokens seen in a session, oldest first."""
        rows = self.db.conn.execute(
            f"SELECT {', '.join(TOKEN_COLUMNS)} FROM tokens_seen "
            "WHERE environment = ? AND session_id = ? ORDER BY seen_at, fingerprint",
            [environment, session_id],
        ).fetchall()
        return [token_from_row(row) for row in rows]
