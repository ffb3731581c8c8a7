"""Migration for team mode: every event gets a UUID, and a local outbox feeds the journal.

Kept in its own file (registered by `migrations.py`) so that it can be renumbered when
another migration lands first: nothing here depends on its number.

- `session_events.event_uuid`: one identity for an event everywhere (this file, the team's
  PostgreSQL journal, every teammate's file). Existing events get random ones.
- `session_events.origin`: `local` (done here) or `team` (applied from the journal; never
  queued again).
- `team_link`: which environment of this file is bound to a team space, and how far its
  journal has been read. No passwords: those live in the OS keyring.
- `team_outbox`: local events of a linked environment still to be pushed. A trigger queues
  them, so the event and its outbox row commit in the same transaction whatever code path
  wrote the event; a crash between the local commit and the push loses nothing.
"""

from __future__ import annotations

import uuid

from sqlite_utils import Database

# A random (version 4) UUID in SQL, for inserts made without one (older code paths); later
# migrations that rebuild the events table recreate the trigger with it.
SQL_UUID4 = (
    "(SELECT substr(h, 1, 8) || '-' || substr(h, 9, 4) || '-4' || substr(h, 14, 3) || '-' || "
    "substr('89ab', 1 + (abs(random()) % 4), 1) || substr(h, 18, 3) || '-' || substr(h, 21, 12) "
    "FROM (SELECT lower(hex(randomblob(16))) AS h))"
)

_STATEMENTS = f"""
ALTER TABLE session_events ADD COLUMN event_uuid TEXT;
ALTER TABLE session_events ADD COLUMN origin TEXT NOT NULL DEFAULT 'local'
  CHECK (origin IN ('local', 'team'));
UPDATE session_events SET event_uuid = transmit_admin_uuid4();
CREATE UNIQUE INDEX session_events_uuid ON session_events (event_uuid);
CREATE TRIGGER session_events_give_uuid AFTER INSERT ON session_events
WHEN new.event_uuid IS NULL BEGIN
  UPDATE session_events SET event_uuid = {SQL_UUID4} WHERE id = new.id;
END;

CREATE TABLE team_link (
  environment TEXT PRIMARY KEY,
  team_id TEXT NOT NULL,
  server TEXT NOT NULL,                  -- postgresql://user@host:port/db, never a password
  cursor_xid TEXT NOT NULL DEFAULT '0',  -- journal rows below this transaction id are applied
  cursor_seq INTEGER NOT NULL DEFAULT 0, -- ... and those of cursor_xid up to this sequence
  last_seq INTEGER NOT NULL DEFAULT 0,   -- the highest journal sequence applied
  linked_at REAL NOT NULL,
  last_push_at REAL,
  last_pull_at REAL
);

CREATE TABLE team_outbox (
  event_row INTEGER PRIMARY KEY REFERENCES session_events (id) ON DELETE CASCADE,
  queued_at REAL NOT NULL
);
CREATE TRIGGER team_outbox_queue AFTER INSERT ON session_events
WHEN new.origin = 'local' AND EXISTS (
  SELECT 1 FROM team_link l JOIN sessions s ON s.environment = l.environment
  WHERE s.id = new.session_row)
BEGIN
  INSERT INTO team_outbox (event_row, queued_at) VALUES (new.id, new.at);
END;
"""


def add_team_sync(db: Database) -> None:
    db.conn.create_function("transmit_admin_uuid4", 0, lambda: str(uuid.uuid4()))
    # One statement at a time, not executescript(): that would COMMIT the migration's
    # transaction first, and a failure half way must leave the file as it was.
    for statement in _STATEMENTS.split("\n\n"):
        for part in split_statements(statement):
            db.conn.execute(part)


def split_statements(block: str) -> list[str]:
    """Statements of a block; a trigger (BEGIN ... END;) is one statement."""
    parts: list[str] = []
    current = ""
    for line in block.strip().splitlines():
        current += line + "\n"
        in_trigger = current.lstrip().startswith("CREATE TRIGGER")
        if line.rstrip().endswith(";") and (not in_trigger or line.strip() == "END;"):
            parts.append(current)
            current = ""
    return parts
