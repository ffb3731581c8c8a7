"""`ChangeFeed`: which sessions changed in a store file, whoever wrote them.

A window shows sessions that other writers change too: its own bulk revoke (another thread),
the CLI, a second window. Each of them commits on its own connection, and SQLite's
`PRAGMA data_version` on a connection of its own changes exactly when *another* connection
committed: polling it costs microseconds and needs no cooperation from the writers. When it
moves, the session events appended since the last look name the sessions touched (every
action leaves an event: revoke requested/confirmed/failed/unconfirmed, sync, factor, note),
and a grown `sessions` table means rows were added (track, import, sync).

The feed reads on its own read-only connection, so it never takes the store's lock and never
waits on a writer (WAL readers do not block).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

# Only the kinds that say where a logout stands: the last one of them is the session's
# revoke state ("requested" with no answer yet = being revoked; "unconfirmed" = a 2xx that
# confirmed nothing). Any later answer about the session settles it.
REVOKE_STATE_KINDS = (
    "revoke_requested",
    "revoke_confirmed",
    "revoke_failed",
    "revoke_unconfirmed",
    "found_ended",
    "checked_alive",
)
# The start-up scan for sessions still being revoked or unconfirmed reads at most this many
# newest events: older requests have long been answered, and the events table has no index
# on `kind` (a full scan of millions of events would delay the first frame).
INITIAL_SCAN_EVENTS = 50_000


@dataclass
class Changes:
    """What changed since the previous `ChangeFeed.read`."""

    sessions: list[str] = field(default_factory=list)  # session ids, oldest change first
    revoke_states: dict[str, str] = field(default_factory=dict)  # session id -> last state kind
    added: bool = False  # new session rows exist

    def __bool__(self) -> bool:
        return bool(self.sessions) or self.added


class ChangeFeed:
    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        uri = f"file:{quote(str(self.path))}?mode=ro"
        self._conn = sqlite3.connect(uri, uri=True, check_same_thread=False)
        self._conn.execute("PRAGMA busy_timeout=50")
        self._version = self._data_version()
        self._last_event = self._scalar("SELECT coalesce(max(id), 0) FROM session_events")
        self._last_session = self._scalar("SELECT coalesce(max(id), 0) FROM sessions")

    def close(self) -> None:
        self._conn.close()

    def _scalar(self, sql: str) -> int:
        row = self._conn.execute(sql).fetchone()
        return int(row[0]) if row and row[0] is not None else 0

    def _data_version(self) -> int:
        return self._scalar("PRAGMA data_version")

    def moved(self) -> bool:
        """Whether any other connection committed since the last call (cheap: poll it)."""
        version = self._data_version()
        if version == self._version:
            return False
        self._version = version
        return True

    def revoke_states(self, environment: str) -> dict[str, str]:
        """The last revoke-state event kind of each session of `environment` that has one,
        among the newest INITIAL_SCAN_EVENTS events (for a window that just opened)."""
        rows = self._conn.execute(
            "SELECT s.session_id, e.kind FROM session_events e "
            "JOIN sessions s ON s.id = e.session_row "
            "WHERE e.id > ? AND s.environment = ? ORDER BY e.id",
            [self._last_event - INITIAL_SCAN_EVENTS, environment],
        ).fetchall()
        return {
            str(session_id): str(kind) for session_id, kind in rows if kind in REVOKE_STATE_KINDS
        }

    def read(self, environment: str) -> Changes:
        """The sessions of `environment` touched since the previous read."""
        changes = Changes()
        # The newest id first, then the events up to it: an event committed in between is
        # read next time instead of being skipped (these reads are not one transaction).
        top = self._scalar("SELECT coalesce(max(id), 0) FROM session_events")
        rows = self._conn.execute(
            "SELECT s.session_id, e.kind FROM session_events e "
            "JOIN sessions s ON s.id = e.session_row "
            "WHERE e.id > ? AND e.id <= ? AND s.environment = ? ORDER BY e.id",
            [self._last_event, top, environment],
        ).fetchall()
        # Events of other environments move the cursor too (they are not ours to show).
        self._last_event = top
        seen: dict[str, None] = {}
        for session_id, kind in rows:
            seen[str(session_id)] = None
            if kind in REVOKE_STATE_KINDS:
                changes.revoke_states[str(session_id)] = str(kind)
        changes.sessions = list(seen)
        last_session = self._scalar("SELECT coalesce(max(id), 0) FROM sessions")
        changes.added = last_session > self._last_session
        self._last_session = last_session
        return changes
