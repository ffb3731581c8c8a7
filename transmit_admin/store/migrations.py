"""The schema, as an ordered set of `sqlite_utils.Migrations`; a file's version = how many ran.

Never edit a released migration: add the next one (`v2`, ...) and freeze a copy of its empty
database under `tests/data/schema-vN.sqlite` (see tests/data/README.md), so every upgrade
path stays tested. `db.open_store` copies the file aside before any pending migration runs.
"""

from __future__ import annotations

from sqlite_utils import Database, Migrations

from transmit_admin.store.schema_v3 import add_unconfirmed_and_audit_users
from transmit_admin.store.team_tables import add_team_sync

MIGRATION_SET = "transmit_admin"
migrations = Migrations(MIGRATION_SET)

# Sort keys of the session table and the column each one orders by. Every (filter, sort)
# combination the table offers has an index that yields rows already in order, so a page
# is an index range scan of `limit` rows whatever the table size.
SORT_COLUMNS = {
    "created": "created_at",
    "expires": "expires_at",
    "last_auth": "last_auth_at",
    "user": "user_key",
}
FILTER_PREFIXES = {
    "env": ("environment",),
    "env_status": ("environment", "status"),
    "env_app": ("environment", "app_id"),
    "env_status_app": ("environment", "status", "app_id"),
}

FTS_COLUMNS = ("session_id", "user_id", "email", "app_name", "note")


def sort_index_name(filters: str, sort_column: str) -> str:
    return f"sessions_{filters}_{sort_column}"


def _sort_indexes() -> str:
    statements = []
    for filters, prefix in FILTER_PREFIXES.items():
        for column in SORT_COLUMNS.values():
            columns = ", ".join((*prefix, column))
            name = sort_index_name(filters, column)
            statements.append(f"CREATE INDEX {name} ON sessions ({columns});")
    return "\n".join(statements)


def _fts_triggers() -> str:
    columns = ", ".join(FTS_COLUMNS)
    new_values = ", ".join(f"new.{c}" for c in FTS_COLUMNS)
    old_values = ", ".join(f"old.{c}" for c in FTS_COLUMNS)
    return f"""
CREATE TRIGGER sessions_fts_insert AFTER INSERT ON sessions BEGIN
  INSERT INTO sessions_fts (rowid, {columns}) VALUES (new.id, {new_values});
END;
CREATE TRIGGER sessions_fts_delete AFTER DELETE ON sessions BEGIN
  INSERT INTO sessions_fts (sessions_fts, rowid, {columns}) VALUES ('delete', old.id, {old_values});
END;
CREATE TRIGGER sessions_fts_update AFTER UPDATE OF {columns} ON sessions BEGIN
  INSERT INTO sessions_fts (sessions_fts, rowid, {columns}) VALUES ('delete', old.id, {old_values});
  INSERT INTO sessions_fts (rowid, {columns}) VALUES (new.id, {new_values});
END;
"""


_V1_TABLES = """
CREATE TABLE sessions (
  id INTEGER PRIMARY KEY,            -- the unique tiebreaker of every keyset page
  environment TEXT NOT NULL,
  session_id TEXT NOT NULL,
  user_id TEXT NOT NULL,
  user_key TEXT NOT NULL,            -- lower(email, else user_id): what sort=user orders by
  email TEXT,
  app_id TEXT,
  app_name TEXT,
  client_id TEXT,
  tenant_id TEXT,
  created_at REAL NOT NULL,          -- all times: UTC epoch seconds
  expires_at REAL NOT NULL,
  last_auth_at REAL NOT NULL,
  last_checked_at REAL,
  factors TEXT NOT NULL DEFAULT '[]',  -- JSON array of amr codes
  status TEXT NOT NULL CHECK (status IN ('active', 'expired', 'revoked', 'ended')),
  source TEXT NOT NULL CHECK (source IN ('tracked', 'synced', 'imported')),
  local_ref TEXT,
  note TEXT,
  revoked_at REAL,
  ended_at REAL,
  access_expires_at REAL,
  UNIQUE (environment, session_id)
);
CREATE INDEX sessions_env_user_id ON sessions (environment, user_id);
CREATE INDEX sessions_env_email ON sessions (environment, email COLLATE NOCASE);

CREATE TABLE tokens_seen (
  fingerprint TEXT PRIMARY KEY CHECK (length(fingerprint) = 64),  -- SHA-256 hex, never the token
  kind TEXT NOT NULL,
  environment TEXT NOT NULL,
  session_id TEXT,
  jti TEXT,
  sub TEXT,
  iat REAL,
  exp REAL,
  claims TEXT NOT NULL DEFAULT '{}',
  seen_at REAL NOT NULL
);
CREATE INDEX tokens_seen_session ON tokens_seen (environment, session_id);
CREATE INDEX tokens_seen_jti ON tokens_seen (jti);

CREATE TABLE session_events (
  id INTEGER PRIMARY KEY,
  session_row INTEGER NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
  kind TEXT NOT NULL CHECK (kind IN ('created', 'factor_added', 'checked_alive', 'found_ended',
    'reauthenticated', 'revoke_requested', 'revoke_confirmed', 'revoke_failed', 'synced',
    'note_changed')),
  at REAL NOT NULL,
  actor TEXT NOT NULL,
  detail TEXT NOT NULL DEFAULT ''
);
CREATE INDEX session_events_session ON session_events (session_row, id);

CREATE TABLE audit_log (
  id INTEGER PRIMARY KEY,
  at REAL NOT NULL,
  actor TEXT NOT NULL,
  environment TEXT,
  action TEXT NOT NULL,
  target TEXT NOT NULL,
  outcome TEXT NOT NULL,
  detail TEXT NOT NULL DEFAULT ''
);
-- Append-only, enforced by the database so no code path (ours or a hand-run sqlite3) can
-- rewrite history.
CREATE TRIGGER audit_log_refuses_update BEFORE UPDATE ON audit_log BEGIN
  SELECT RAISE(ABORT, 'the audit log is append-only: entries cannot be changed');
END;
CREATE TRIGGER audit_log_refuses_delete BEFORE DELETE ON audit_log BEGIN
  SELECT RAISE(ABORT, 'the audit log is append-only: entries cannot be deleted');
END;
-- INSERT OR REPLACE deletes the old row without firing delete triggers (unless a connection
-- turned recursive_triggers on), so an insert may never reuse an id.
CREATE TRIGGER audit_log_refuses_replace BEFORE INSERT ON audit_log
WHEN EXISTS (SELECT 1 FROM audit_log WHERE id = new.id) BEGIN
  SELECT RAISE(ABORT, 'the audit log is append-only: entries cannot be replaced');
END;

-- COUNT(*) over an index of 1M rows takes tens of ms; these counters, kept exact by triggers,
-- answer a filtered count by summing a handful of rows. app_key is app_id or '' when unknown.
CREATE TABLE session_counts (
  environment TEXT NOT NULL,
  status TEXT NOT NULL,
  app_key TEXT NOT NULL,
  n INTEGER NOT NULL,
  PRIMARY KEY (environment, status, app_key)
) WITHOUT ROWID;
CREATE TRIGGER session_counts_insert AFTER INSERT ON sessions BEGIN
  INSERT INTO session_counts VALUES (new.environment, new.status, coalesce(new.app_id, ''), 1)
    ON CONFLICT DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER session_counts_delete AFTER DELETE ON sessions BEGIN
  UPDATE session_counts SET n = n - 1 WHERE environment = old.environment
    AND status = old.status AND app_key = coalesce(old.app_id, '');
END;
CREATE TRIGGER session_counts_update AFTER UPDATE OF environment, status, app_id ON sessions BEGIN
  UPDATE session_counts SET n = n - 1 WHERE environment = old.environment
    AND status = old.status AND app_key = coalesce(old.app_id, '');
  INSERT INTO session_counts VALUES (new.environment, new.status, coalesce(new.app_id, ''), 1)
    ON CONFLICT DO UPDATE SET n = n + 1;
END;

CREATE VIRTUAL TABLE sessions_fts USING fts5 (
  session_id, user_id, email, app_name, note,
  content = 'sessions', content_rowid = 'id',
  prefix = '2 3', tokenize = 'unicode61 remove_diacritics 2'
);
"""


@migrations(name="v1")
def create_v1(db: Database) -> None:
    db.executescript(_V1_TABLES + _sort_indexes() + _fts_triggers())


# Team mode's tables (its own module, so it can be renumbered when merged after another).
migrations(name="v2")(add_team_sync)
# An unconfirmed logout as its own event kind; audit entries name the user.
migrations(name="v3")(add_unconfirmed_and_audit_users)


def schema_version(db: Database, migration_set: Migrations = migrations) -> int:
    """How many migrations of the set this file has had (0: a new or foreign file)."""
    return len(migration_set.applied(db))


def known_names(migration_set: Migrations = migrations) -> list[str]:
    """Every migration of the set, in order (what an empty database would have pending)."""
    with Database(memory=True, execute_plugins=False) as empty:
        return [migration.name for migration in migration_set.pending(empty)]


SCHEMA_VERSION = len(known_names())
