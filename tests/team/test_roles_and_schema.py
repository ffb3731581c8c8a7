"""The database enforces trust: append-only for agents, server-set actor, tenant binding,
schema versions, onboarding and offboarding, one sentence per failure."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import psycopg
import pytest

from tests.support import postgres
from tests.team.conftest import BASE_URL, TENANT, Team, make_env
from transmit_admin.store.records import SharedEvent
from transmit_admin.team import journal, schema
from transmit_admin.team.errors import TeamAuthFailed, TeamRefused, TeamUnavailable
from transmit_admin.team.server import TeamServer, connect, explain


def _event(session_id: str = "sess-1", **overrides: object) -> SharedEvent:
    values: dict[str, object] = {
        "event_uuid": str(uuid.uuid4()),
        "kind": "note_changed",
        "session_id": session_id,
        "at": datetime.now(UTC),
        "detail": "note set (12 characters)",
    }
    values.update(overrides)
    return SharedEvent(**values)  # type: ignore[arg-type]


def test_agents_can_append_and_read_but_never_update_delete_or_truncate(team: Team) -> None:
    with team.connect(team.agent_a) as conn:
        assert journal.append(conn, [_event()]) == 1
        for statement in (
            "UPDATE transmit_team.journal SET detail = 'rewritten'",
            "DELETE FROM transmit_team.journal",
            "TRUNCATE transmit_team.journal",
            "DROP TABLE transmit_team.journal",
            "ALTER TABLE transmit_team.journal DISABLE TRIGGER journal_append_only",
            "UPDATE transmit_team.meta SET tenant_id = 'other'",
        ):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(statement)
        assert conn.execute("SELECT count(*) FROM transmit_team.journal").fetchone()[0] == 1


def test_even_the_owner_cannot_rewrite_the_journal_without_dropping_its_triggers(
    team: Team,
) -> None:
    with team.connect(team.agent_a) as conn:
        journal.append(conn, [_event()])
    with team.connect(team.owner) as conn:
        for statement in (
            "UPDATE transmit_team.journal SET detail = 'x'",
            "DELETE FROM transmit_team.journal",
        ):
            with pytest.raises(psycopg.errors.InsufficientPrivilege, match="append-only"):
                conn.execute(statement)


def test_the_server_sets_actor_sequence_and_transaction_whatever_the_client_sends(
    team: Team,
) -> None:
    with team.connect(team.agent_a) as conn:
        conn.execute(
            "INSERT INTO transmit_team.journal (seq, event_id, actor, txid, at, kind, session_id)"
            " OVERRIDING SYSTEM VALUE VALUES (999, %s, %s, '1'::xid8, now(), 'note_changed', 's')",
            [str(uuid.uuid4()), team.agent_b],
        )
        actor, seq, txid = conn.execute(
            "SELECT actor, seq, txid::text FROM transmit_team.journal"
        ).fetchone()
    assert actor == team.agent_a
    assert seq == 1
    assert int(txid) > 1


def test_set_role_does_not_change_the_recorded_actor(team: Team) -> None:
    with team.connect(team.owner) as conn:
        # An agent that is also a member of a colleague's role still acts as itself.
        conn.execute(f'GRANT "{team.agent_b}" TO "{team.agent_a}"')
    with team.connect(team.agent_a) as conn:
        conn.execute(f'SET ROLE "{team.agent_b}"')
        journal.append(conn, [_event()])
        assert conn.execute("SELECT actor FROM transmit_team.journal").fetchone()[0] == team.agent_a


def test_tokens_are_refused_by_the_database_too(team: Team) -> None:
    jwt = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1In0.c2ln"
    with team.connect(team.agent_a) as conn:  # noqa: SIM117
        with pytest.raises(psycopg.errors.CheckViolation):
            conn.execute(
                "INSERT INTO transmit_team.journal (event_id, at, kind, session_id, detail) "
                "VALUES (%s, now(), 'note_changed', 's', %s)",
                [str(uuid.uuid4()), f"pasted {jwt}"],
            )


def test_a_removed_agent_cannot_connect_nor_act(team: Team) -> None:
    still_open = team.connect(team.agent_b)
    with team.connect(team.owner) as conn:
        assert schema.remove_agent(conn, team.agent_b) is True
        assert schema.remove_agent(conn, "nobody_here") is False
    with pytest.raises(TeamAuthFailed, match="may no longer log in"):
        team.connect(team.agent_b)
    with still_open as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
        journal.append(conn, [_event()])


def test_only_the_owner_adds_agents_or_upgrades(team: Team) -> None:
    with team.connect(team.agent_a) as conn:
        with pytest.raises(TeamRefused, match="Only the team owner"):
            schema.add_agent(conn, "mallory", "pw")
        with pytest.raises(TeamRefused, match="already set up by its owner"):
            schema.install_or_upgrade(conn, BASE_URL, TENANT)
        newer = (*schema.MIGRATIONS, "SELECT 1")
        with pytest.raises(TeamRefused, match=r"Only the team owner .* can upgrade"):
            schema.install_or_upgrade(conn, BASE_URL, TENANT, migrations=newer)


def test_init_again_is_an_idempotent_upgrade_and_another_tenant_is_refused(team: Team) -> None:
    with team.connect(team.owner) as conn:
        first = schema.read_space(conn)
        again = schema.install_or_upgrade(conn, BASE_URL + "/", TENANT)
        assert first is not None
        assert again.team_id == first.team_id
        assert again.schema_version == schema.SCHEMA_VERSION
        with pytest.raises(TeamRefused, match="serves tenant tenant-desk-1"):
            schema.install_or_upgrade(conn, BASE_URL, "tenant-other")


def test_an_agent_of_another_tenant_is_refused_with_a_sentence(team: Team, make_store) -> None:
    other = make_env(tenant="tenant-other")
    with (
        team.client(team.agent_a, make_store("a"), other) as client,
        pytest.raises(TeamRefused) as refused,
    ):
        client.join()
    assert "your environment is tenant tenant-other" in refused.value.sentence()


def test_an_old_schema_is_refused_for_agents_with_a_sentence(team: Team) -> None:
    with team.connect(team.agent_a) as conn:
        space = schema.check_joinable(conn)
        assert space.schema_version == schema.SCHEMA_VERSION
    old = schema.TeamSpace("t", BASE_URL, TENANT, 0, "owner", "agents")
    assert old.schema_version < schema.SCHEMA_VERSION  # the sentence for it:
    with team.connect(team.owner) as conn:
        conn.execute("ALTER TABLE transmit_team.schema_version DISABLE TRIGGER ALL")
        conn.execute("INSERT INTO transmit_team.schema_version (version) VALUES (99)")
    with (
        team.connect(team.agent_a) as conn,
        pytest.raises(TeamRefused, match="newer than this transmit-admin"),
    ):
        schema.check_joinable(conn)


def test_wrong_password_and_unreachable_host_each_get_one_sentence(team: Team) -> None:
    with pytest.raises(TeamAuthFailed, match="refused the password"):
        connect(team.server(team.agent_a), "wrong password")
    closed = TeamServer(host="127.0.0.1", port=1, dbname=team.dbname, user=team.agent_a)
    with pytest.raises(TeamUnavailable, match="cannot be reached"):
        connect(closed, "pw")


def test_an_agent_of_another_team_database_cannot_even_connect(team: Team, pg_cluster) -> None:
    other_db = f"{team.dbname}x"
    owner = pg_cluster.create_database(other_db, "pw-x")
    with connect(TeamServer("127.0.0.1", other_db, owner, pg_cluster.port), "pw-x") as conn:
        schema.install_or_upgrade(conn, BASE_URL, TENANT)
    stranger = TeamServer("127.0.0.1", other_db, team.agent_a, pg_cluster.port)
    with pytest.raises(TeamRefused, match="may not connect"):
        connect(stranger, team.passwords[team.agent_a])


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("postgresql://a:secret@db.example.com/desk", "no password in the URL"),
        ("postgresql://a@db.example.com/desk?sslmode=disable", "must use TLS"),
        ("postgresql://a@db.example.com/desk?sslmode=require", "not offered"),
        ("mysql://a@db/desk", "not a postgresql"),
    ],
)
def test_unsafe_urls_are_refused(url: str, problem: str) -> None:
    with pytest.raises(TeamRefused, match=problem):
        TeamServer.from_url(url)


def test_remote_hosts_use_verify_full_and_loopback_may_be_plain() -> None:
    remote = TeamServer.from_url("postgresql://agent@db.example.com:6543/desk")
    assert remote.connect_kwargs(None)["sslmode"] == "verify-full"
    assert remote.url == "postgresql://agent@db.example.com:6543/desk"
    assert TeamServer.from_url("postgresql://agent@127.0.0.1/desk").effective_sslmode == "disable"
    assert TeamServer.from_url("postgresql://agent@[::1]/desk").effective_sslmode == "disable"
    socket = TeamServer.from_url("postgresql://agent@/desk?host=/run/postgresql")
    assert socket.is_local
    assert "password" not in remote.connect_kwargs(None)


def test_verify_full_checks_the_certificate_and_the_host_name(
    team: Team, pg_cluster: postgres.Cluster
) -> None:
    password = team.passwords[team.agent_a]
    common = {"dbname": team.dbname, "user": team.agent_a, "port": pg_cluster.port}
    good = TeamServer(
        host="127.0.0.1", sslmode="verify-full", sslrootcert=str(pg_cluster.ca_file), **common
    )
    with connect(good, password) as conn:
        assert conn.pgconn.ssl_in_use
    wrong_name = TeamServer(
        host="localhost", sslmode="verify-full", sslrootcert=str(pg_cluster.ca_file), **common
    )
    with pytest.raises(TeamRefused, match=r"TLS connection .* failed its checks") as refused:
        connect(wrong_name, password)
    assert "localhost" in refused.value.sentence()
    untrusted = TeamServer(host="127.0.0.1", sslmode="verify-full", **common)  # system CAs
    with pytest.raises(TeamRefused, match="failed its checks"):
        connect(untrusted, password)


@pytest.mark.parametrize(
    ("message", "kind"),
    [
        ("connection failed: SSL SYSCALL error: EOF detected", TeamUnavailable),
        ("server closed the connection unexpectedly", TeamUnavailable),
        ("connection failed: timeout expired", TeamUnavailable),
        ('server certificate for "db" does not match host name "db2"', TeamRefused),
        ("SSL error: certificate verify failed", TeamRefused),
        ("server does not support SSL, but SSL was required", TeamRefused),
        ('FATAL:  password authentication failed for user "ann"', TeamAuthFailed),
    ],
)
def test_each_connection_failure_reads_as_one_kind(message: str, kind: type) -> None:
    server = TeamServer("db.example.com", "desk", "ann")
    assert type(explain(psycopg.OperationalError(message), server)) is kind
