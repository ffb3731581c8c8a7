"""Migration v3: an unconfirmed logout is an event of its own; audit entries name the user.

- `session_events.kind` gains `revoke_unconfirmed`: a logout answered with something that is
  not Transmit's documented 204 (a `200 {}`, a proxy's HTML page) confirms nothing. It used
  to be written as `revoke_failed` with "unconfirmed:" in its detail, so existing events of
  that shape are given the new kind. SQLite cannot change a CHECK constraint in place, so
  the table is rebuilt (SQLite's documented procedure: new table, copy, drop, rename, then
  the indexes and triggers again). Dropping the old table cascades to `team_outbox` while
  foreign keys are on (and they cannot be turned off inside the migration's transaction),
  so the outbox rows are set aside and put back.
- `session_events_requested`: a partial index over "logout requested" events, so the
  start-up check for logouts left without an outcome reads only those.
- `sessions.source` may be `har`: a session first tracked from a customer's HAR capture.
  Only that CHECK is loosened, in place, by SQLite's documented procedure for schema
  changes that leave every stored row valid (`writable_schema`, then a new
  `schema_version`): rebuilding the sessions table would cascade to every event.
- `audit_log.user_id` / `audit_log.user_email`: who the action was about, recorded with
  new entries. Older entries stay as written (the log's triggers keep it unchangeable);
  readers look the user up from the session's record for those.
"""

from __future__ import annotations

from sqlite_utils import Database

from transmit_admin.store.team_tables import SQL_UUID4, split_statements

_STATEMENTS = f"""
CREATE TABLE session_events_v3 (
  id INTEGER PRIMARY KEY,
  session_row INTEGER NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
  kind TEXT NOT NULL CHECK (kind IN ('created', 'factor_added', 'checked_alive', 'found_ended',
    'reauthenticated', 'revoke_requested', 'revoke_confirmed', 'revoke_failed',
    'revoke_unconfirmed', 'synced', 'note_changed')),
  at REAL NOT NULL,
  actor TEXT NOT NULL,
  detail TEXT NOT NULL DEFAULT '',
  event_uuid TEXT,
  origin TEXT NOT NULL DEFAULT 'local' CHECK (origin IN ('local', 'team'))
);
INSERT INTO session_events_v3 (id, session_row, kind, at, actor, detail, event_uuid, origin)
  SELECT id, session_row,
    CASE WHEN kind = 'revoke_failed' AND detail LIKE 'unconfirmed:%'
      THEN 'revoke_unconfirmed' ELSE kind END,
    at, actor, detail, event_uuid, origin
  FROM session_events;
CREATE TEMP TABLE team_outbox_kept AS SELECT event_row, queued_at FROM team_outbox;
DROP TABLE session_events;
ALTER TABLE session_events_v3 RENAME TO session_events;
INSERT INTO team_outbox (event_row, queued_at) SELECT event_row, queued_at FROM team_outbox_kept;
DROP TABLE temp.team_outbox_kept;

CREATE INDEX session_events_session ON session_events (session_row, id);
CREATE UNIQUE INDEX session_events_uuid ON session_events (event_uuid);
-- Finds logouts left without an outcome (the app was killed) without reading every event.
CREATE INDEX session_events_requested ON session_events (session_row)
  WHERE kind = 'revoke_requested';
CREATE TRIGGER session_events_give_uuid AFTER INSERT ON session_events
WHEN new.event_uuid IS NULL BEGIN
  UPDATE session_events SET event_uuid = {SQL_UUID4} WHERE id = new.id;
END;
CREATE TRIGGER team_outbox_queue AFTER INSERT ON session_events
WHEN new.origin = 'local' AND EXISTS (
  SELECT 1 FROM team_link l JOIN sessions s ON s.environment = l.environment
  WHERE s.id = new.session_row)
BEGIN
  INSERT INTO team_outbox (event_row, queued_at) VALUES (new.id, new.at);
END;

ALTER TABLE audit_log ADD COLUMN user_id TEXT;
ALTER TABLE audit_log ADD COLUMN user_email TEXT;
"""


_OLD_SOURCES = "CHECK (source IN ('tracked', 'synced', 'imported'))"
_NEW_SOURCES = "CHECK (source IN ('tracked', 'synced', 'imported', 'har'))"


def add_unconfirmed_and_audit_users(db: Database) -> None:
    # One statement at a time inside the migration's transaction (see team_tables.py).
    for block in _STATEMENTS.split("\n\n"):
        for statement in split_statements(block):
            db.conn.execute(statement)
    _allow_har_source(db)


def _allow_har_source(db: Database) -> None:
    conn = db.conn
    (version,) = conn.execute("PRAGMA schema_version").fetchone()
    conn.execute("PRAGMA writable_schema=ON")
    try:
        changed = conn.execute(
            "UPDATE sqlite_master SET sql = replace(sql, ?, ?) "
            "WHERE type = 'table' AND name = 'sessions' AND instr(sql, ?) > 0",
            [_OLD_SOURCES, _NEW_SOURCES, _OLD_SOURCES],
        ).rowcount
        if changed != 1:  # not the table v1 created: stop, the transaction rolls back
            raise RuntimeError("the sessions table's source constraint is not v1's")
        conn.execute(f"PRAGMA schema_version={int(version) + 1}")
    finally:
        conn.execute("PRAGMA writable_schema=OFF")
