"""The team schema on PostgreSQL: versioned migrations run by the owner, checks for agents.

Trust: the schema belongs to an **owner** role that is not an agent (an owner could drop the
triggers). Agents are members of one group role per database (`<database>_agents`) that may
only read the journal and append to it, and read and take claims. The database enforces the
rest, whatever a client sends:
- the actor of an event is `session_user` (not `current_user`, which SET ROLE or a security-
  definer function changes), and its sequence and transaction id are the server's;
- UPDATE, DELETE and TRUNCATE on the journal are refused by grants and by triggers;
- token-shaped text is refused by CHECK constraints (the client's guard is the first line).
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg import sql

from transmit_admin.team.errors import TeamRefused

SCHEMA = "transmit_team"
NOTIFY_CHANNEL = "transmit_team_journal"
_LOCK_KEY = 0x7472_616E_736D  # pg_advisory_xact_lock: one init/upgrade at a time

Conn = psycopg.Connection[tuple[Any, ...]]

_JWT_PATTERN = r"eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*\."

_V1 = """
CREATE SCHEMA transmit_team;
REVOKE ALL ON SCHEMA transmit_team FROM PUBLIC;

CREATE TABLE transmit_team.schema_version (
  version integer PRIMARY KEY,
  applied_at timestamptz NOT NULL DEFAULT now(),
  applied_by text NOT NULL DEFAULT session_user
);

CREATE TABLE transmit_team.meta (
  singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  team_id uuid NOT NULL,
  base_url text NOT NULL,
  tenant_id text,
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by text NOT NULL DEFAULT session_user
);

CREATE TABLE transmit_team.journal (
  seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  event_id uuid NOT NULL UNIQUE,
  txid xid8 NOT NULL DEFAULT pg_current_xact_id(),
  actor text NOT NULL DEFAULT session_user,
  recorded_at timestamptz NOT NULL DEFAULT now(),
  at timestamptz NOT NULL,
  kind text NOT NULL CHECK (kind ~ '^[a-z][a-z_]{0,39}$'),
  session_id text NOT NULL CHECK (length(session_id) BETWEEN 1 AND 500),
  detail text NOT NULL DEFAULT '' CHECK (length(detail) <= 4000),
  session jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (length(session::text) <= 8000),
  CONSTRAINT journal_holds_no_tokens CHECK (
    detail !~ '@JWT@' AND session::text !~ '@JWT@' AND session_id !~ '@JWT@')
);
-- Pulls read by (txid, seq): rows below the oldest running transaction are final.
CREATE INDEX journal_txid_seq ON transmit_team.journal (txid, seq);
CREATE INDEX journal_session ON transmit_team.journal (session_id, seq);

-- SECURITY DEFINER so an agent needs no rights on the sequence; session_user is still the
-- agent's login role inside it.
CREATE FUNCTION transmit_team.journal_stamp() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
BEGIN
  NEW.seq := nextval(pg_get_serial_sequence('transmit_team.journal', 'seq'));
  NEW.actor := session_user;
  NEW.txid := pg_current_xact_id();
  NEW.recorded_at := now();
  RETURN NEW;
END $$;
CREATE TRIGGER journal_stamp BEFORE INSERT ON transmit_team.journal
  FOR EACH ROW EXECUTE FUNCTION transmit_team.journal_stamp();

CREATE FUNCTION transmit_team.journal_refuse() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog AS $$
BEGIN
  RAISE EXCEPTION 'the team journal is append-only: % is refused', TG_OP
    USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER journal_append_only BEFORE UPDATE OR DELETE ON transmit_team.journal
  FOR EACH ROW EXECUTE FUNCTION transmit_team.journal_refuse();
CREATE TRIGGER journal_no_truncate BEFORE TRUNCATE ON transmit_team.journal
  FOR EACH STATEMENT EXECUTE FUNCTION transmit_team.journal_refuse();

-- Delivered at commit, once per transaction: wakes every listening window.
CREATE FUNCTION transmit_team.journal_notify() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog AS $$
BEGIN
  PERFORM pg_notify('transmit_team_journal', '');
  RETURN NULL;
END $$;
CREATE TRIGGER journal_notify AFTER INSERT ON transmit_team.journal
  FOR EACH STATEMENT EXECUTE FUNCTION transmit_team.journal_notify();

CREATE TABLE transmit_team.claims (
  session_id text PRIMARY KEY CHECK (length(session_id) BETWEEN 1 AND 500),
  holder text NOT NULL DEFAULT session_user,
  action text NOT NULL CHECK (action ~ '^[a-z][a-z_]{0,39}$'),
  taken_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  expires_at timestamptz NOT NULL
);

-- The holder is whoever logged in; an unexpired claim of someone else cannot be taken over
-- (the client's ON CONFLICT ... WHERE never tries; a hand-written UPDATE is refused).
CREATE FUNCTION transmit_team.claim_stamp() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND OLD.holder <> session_user AND OLD.expires_at > clock_timestamp() THEN
    RAISE EXCEPTION 'session % is claimed by % until %', OLD.session_id, OLD.holder,
      OLD.expires_at USING ERRCODE = 'insufficient_privilege';
  END IF;
  NEW.holder := session_user;
  NEW.session_id := CASE WHEN TG_OP = 'UPDATE' THEN OLD.session_id ELSE NEW.session_id END;
  NEW.expires_at := least(NEW.expires_at, clock_timestamp() + interval '10 minutes');
  RETURN NEW;
END $$;
CREATE TRIGGER claim_stamp BEFORE INSERT OR UPDATE ON transmit_team.claims
  FOR EACH ROW EXECUTE FUNCTION transmit_team.claim_stamp();
""".replace("@JWT@", _JWT_PATTERN)

_GRANTS = """
GRANT USAGE ON SCHEMA transmit_team TO {agents};
GRANT SELECT ON transmit_team.schema_version, transmit_team.meta TO {agents};
GRANT SELECT, INSERT ON transmit_team.journal TO {agents};
GRANT SELECT, INSERT, UPDATE ON transmit_team.claims TO {agents};
REVOKE CONNECT, TEMPORARY ON DATABASE {database} FROM PUBLIC;
GRANT CONNECT ON DATABASE {database} TO {agents};
"""

# Index i holds the SQL that takes the schema from version i to i + 1. Never edit one that
# was released: append.
MIGRATIONS: tuple[str, ...] = (_V1,)
SCHEMA_VERSION = len(MIGRATIONS)


@dataclass(frozen=True, slots=True)
class TeamSpace:
    """What `team init` recorded: the one Transmit tenant this team space serves."""

    team_id: str
    base_url: str
    tenant_id: str | None
    schema_version: int
    owner: str
    agents_role: str


def agents_role(dbname: str) -> str:
    return f"{dbname}_agents"


def normalise_base_url(url: str) -> str:
    return url.strip().rstrip("/").lower()


def _installed_version(conn: Conn) -> int:
    row = conn.execute("SELECT to_regclass('transmit_team.schema_version') IS NOT NULL").fetchone()
    if not row or not row[0]:
        return 0
    try:
        found = conn.execute("SELECT max(version) FROM transmit_team.schema_version").fetchone()
    except psycopg.errors.InsufficientPrivilege as exc:
        raise TeamRefused(
            "This role may not read the team schema: ask the team owner to add it with "
            "`transmit-admin team add-agent`."
        ) from exc
    return int(found[0] or 0) if found else 0


def read_space(conn: Conn) -> TeamSpace | None:
    """The team space of this database, or None when `team init` never ran."""
    version = _installed_version(conn)
    if version == 0:
        return None
    row = conn.execute(
        "SELECT m.team_id::text, m.base_url, m.tenant_id, n.nspowner::regrole::text, "
        "current_database() FROM transmit_team.meta m, pg_namespace n "
        "WHERE n.nspname = 'transmit_team'"
    ).fetchone()
    if row is None:
        return None
    team_id, base_url, tenant_id, owner, database = row
    return TeamSpace(team_id, base_url, tenant_id, version, owner, agents_role(database))


def check_tenant(space: TeamSpace, base_url: str, tenant_id: str | None) -> None:
    """Refuses an environment of another tenant than the one the team space serves."""
    same_url = normalise_base_url(base_url) == normalise_base_url(space.base_url)
    if not same_url or (tenant_id or None) != (space.tenant_id or None):
        mine = f"tenant {tenant_id or '(none)'} at {base_url}"
        theirs = f"tenant {space.tenant_id or '(none)'} at {space.base_url}"
        raise TeamRefused(
            f"This team space serves {theirs}, but your environment is {mine}: choose the "
            "environment of that tenant, or another team database."
        )


def check_joinable(conn: Conn) -> TeamSpace:
    """For an agent: the schema exists and is the version this transmit-admin speaks."""
    space = read_space(conn)
    if space is None:
        raise TeamRefused(
            "This database has no team space yet: the team owner runs "
            "`transmit-admin team init URL` first."
        )
    if space.schema_version < SCHEMA_VERSION:
        raise TeamRefused(
            f"The team database is at schema {space.schema_version}, and this transmit-admin "
            f"needs {SCHEMA_VERSION}: the team owner upgrades it with `transmit-admin team "
            "init` (agents may not)."
        )
    if space.schema_version > SCHEMA_VERSION:
        raise TeamRefused(
            f"The team database is at schema {space.schema_version}, newer than this "
            f"transmit-admin knows ({SCHEMA_VERSION}): update transmit-admin."
        )
    return space


def install_or_upgrade(
    conn: Conn,
    base_url: str,
    tenant_id: str | None,
    *,
    migrations: tuple[str, ...] = MIGRATIONS,
    new_team_id: Callable[[], str] = lambda: str(uuid.uuid4()),
) -> TeamSpace:
    """As the owner: creates the schema or upgrades it, and (re)grants the agents' role.

    Refuses with a sentence: another tenant than the one recorded, a newer schema, or a
    caller who is not the schema's owner (an agent may join, never upgrade).
    """
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_KEY])
        version = _installed_version(conn)
        space = read_space(conn) if version else None
        me = _session_user(conn)
        if space is not None:
            if space.owner != me:
                if version < len(migrations):
                    raise TeamRefused(
                        f"Only the team owner ({space.owner}) can upgrade the team schema "
                        f"from {version} to {len(migrations)}; {me} is an agent."
                    )
                raise TeamRefused(
                    f"The team space is already set up by its owner ({space.owner}); as "
                    f"{me}, use `transmit-admin team join URL`."
                )
            check_tenant(space, base_url, tenant_id)
        if version > len(migrations):
            raise TeamRefused(
                f"The team database is at schema {version}, newer than this transmit-admin "
                f"knows ({len(migrations)}): update transmit-admin."
            )
        for number in range(version, len(migrations)):
            conn.execute(migrations[number])  # our own constants
            conn.execute(
                "INSERT INTO transmit_team.schema_version (version) VALUES (%s)", [number + 1]
            )
        if space is None:
            conn.execute(
                "INSERT INTO transmit_team.meta (team_id, base_url, tenant_id) VALUES (%s, %s, %s)",
                [new_team_id(), base_url.strip().rstrip("/"), tenant_id or None],
            )
        database = _current_database(conn)
        agents = agents_role(database)
        _ensure_group_role(conn, agents)
        conn.execute(
            sql.SQL(_GRANTS).format(
                agents=sql.Identifier(agents), database=sql.Identifier(database)
            )
        )
    space = read_space(conn)
    assert space is not None
    return space


def _session_user(conn: Conn) -> str:
    row = conn.execute("SELECT session_user::text").fetchone()
    assert row is not None
    return str(row[0])


def _current_database(conn: Conn) -> str:
    row = conn.execute("SELECT current_database()::text").fetchone()
    assert row is not None
    return str(row[0])


def _ensure_group_role(conn: Conn, name: str) -> None:
    exists = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [name]).fetchone()
    if not exists:
        conn.execute(sql.SQL("CREATE ROLE {} NOLOGIN").format(sql.Identifier(name)))


def add_agent(conn: Conn, name: str, password: str) -> None:
    """As the owner: a login role in the agents' group (onboarding)."""
    space = read_space(conn)
    if space is None:
        raise TeamRefused("Run `transmit-admin team init URL` before adding agents.")
    _require_owner(conn, space, "add agents")
    if name == space.owner:
        raise TeamRefused("The team owner cannot also be an agent: choose another name.")
    with conn.transaction():
        exists = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [name]).fetchone()
        if exists:
            conn.execute(
                sql.SQL("ALTER ROLE {} LOGIN PASSWORD {}").format(
                    sql.Identifier(name), sql.Literal(password)
                )
            )
        else:
            conn.execute(
                sql.SQL("CREATE ROLE {} LOGIN PASSWORD {}").format(
                    sql.Identifier(name), sql.Literal(password)
                )
            )
        conn.execute(
            sql.SQL("GRANT {} TO {}").format(
                sql.Identifier(space.agents_role), sql.Identifier(name)
            )
        )


def remove_agent(conn: Conn, name: str) -> bool:
    """As the owner: the role can no longer log in nor act (offboarding). Its past events
    stay in the journal under its name. False when no such agent exists."""
    space = read_space(conn)
    if space is None:
        raise TeamRefused("There is no team space in this database.")
    _require_owner(conn, space, "remove agents")
    exists = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [name]).fetchone()
    if not exists:
        return False
    with conn.transaction():
        conn.execute(
            sql.SQL("REVOKE {} FROM {}").format(
                sql.Identifier(space.agents_role), sql.Identifier(name)
            )
        )
        conn.execute(sql.SQL("ALTER ROLE {} NOLOGIN").format(sql.Identifier(name)))
    # Its open connections lost the group's rights already; ending them is a courtesy that
    # needs pg_signal_backend, which an owner may not have.
    with contextlib.suppress(psycopg.errors.InsufficientPrivilege), conn.transaction():
        conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = %s", [name]
        )
    return True


def _require_owner(conn: Conn, space: TeamSpace, what: str) -> None:
    me = _session_user(conn)
    if me != space.owner:
        raise TeamRefused(f"Only the team owner ({space.owner}) can {what}; you are {me}.")
