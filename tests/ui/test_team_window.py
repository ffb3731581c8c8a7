"""Two windows in one team (two data folders, two agent roles, a real PostgreSQL and the real
sandbox): A revokes or writes a note, B shows it within a second, with A's role as actor."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.support import postgres
from tests.support.sandbox_admin import SandboxAdmin
from tests.team.conftest import Team, new_team
from tests.ui.conftest import WindowUnderTest
from transmit_admin.sandbox.runner import SandboxInfo
from transmit_admin.team import schema
from transmit_admin.team.service import TeamClient, TeamState
from transmit_admin.ui.sessions.model import COL_BY, COL_STATUS

VISIBLE_WITHIN_S = 1.0

MakeWindow = Callable[[SandboxInfo], WindowUnderTest]


def join(qtbot: Any, under_test: WindowUnderTest, team: Team, agent: str) -> None:
    """What Settings → Team does: the password to the secret store, join, go live."""
    ctx = under_test.runtime
    server = team.server(agent)
    ctx.secrets.set(server.keyring_name, team.passwords[agent])
    with TeamClient(
        ctx.current.store, ctx.current.environment, server, lambda: team.passwords[agent]
    ) as client:
        client.join()
    live = under_test.controller.team_live
    assert live is not None
    ctx.rejoin_team(ctx.current)
    live.start()
    qtbot.waitUntil(
        lambda: live.report is not None and live.report.state is TeamState.CONNECTED,
        timeout=10000,
    )
    label = live.status_label
    assert label is not None
    assert label.text() == f"team: connected as {agent}"


def cell(under_test: WindowUnderTest, session_id: str, column: int) -> str:
    model = under_test.controller.panels["sessions"].model
    row = model.row_of(session_id)
    return "" if row is None else str(model.data(model.index(row, column)) or "")


Desks = tuple[Team, WindowUnderTest, WindowUnderTest]


@pytest.fixture
def make_desks(
    qtbot: Any,
    make_main_window: MakeWindow,
    fresh_sandbox: Callable[..., SandboxInfo],
    pg_cluster: postgres.Cluster,
) -> Callable[..., Desks]:
    """`make_desks(**sandbox_options)`: a sandbox, a team space for it, two joined windows."""

    def make(**options: Any) -> Desks:
        info = fresh_sandbox(users=3, sessions=8, seed=3, **options)  # several active ones
        team = new_team(pg_cluster, info.base_url, info.tenant_id)
        a, b = make_main_window(info), make_main_window(info)
        join(qtbot, a, team, team.agent_a)
        join(qtbot, b, team, team.agent_b)
        return team, a, b

    return make


@pytest.fixture
def two_desks(make_desks: Callable[..., Desks]) -> Desks:
    return make_desks()


def test_a_revoke_in_one_window_shows_live_in_the_other_with_its_actor(
    qtbot: Any,
    run_async: Callable[..., Any],
    two_desks: tuple[Team, WindowUnderTest, WindowUnderTest],
) -> None:
    team, a, b = two_desks
    session_id = next(
        r.session_id
        for r in a.runtime.current.store.page_sessions(_active_query(a)).rows
        if cell(b, r.session_id, COL_STATUS) == "active"
    )
    b.controller.panels["details"].show_session(session_id)
    clicked = time.monotonic()
    result = run_async(a.runtime.current.service.revoke(session_id))
    assert result.ok, result.message
    answered = time.monotonic()  # the claim guard pushed the outcome before answering
    qtbot.waitUntil(lambda: cell(b, session_id, COL_STATUS) == "revoked", timeout=5000)
    visible = time.monotonic() - answered
    print(
        f"B shows A's revoke {visible * 1000:.0f} ms after A's answer "
        f"({(time.monotonic() - clicked) * 1000:.0f} ms after A started it)"
    )
    qtbot.waitUntil(lambda: cell(b, session_id, COL_BY) == team.agent_a, timeout=2000)
    timeline = b.controller.panels["details"].events
    rows = [
        [timeline.topLevelItem(i).text(c) for c in range(4)]
        for i in range(timeline.topLevelItemCount())
    ]
    assert ["revoke_confirmed", team.agent_a] in [row[1:3] for row in rows], rows
    assert visible < VISIBLE_WITHIN_S
    # A's own table names A's role too: its events are the team's, under that role.
    qtbot.waitUntil(lambda: cell(a, session_id, COL_BY) == team.agent_a, timeout=2000)


def test_a_note_is_shared(
    qtbot: Any, two_desks: tuple[Team, WindowUnderTest, WindowUnderTest]
) -> None:
    team, a, b = two_desks
    session_id = a.runtime.current.store.page_sessions(_active_query(a)).rows[-1].session_id
    result = a.runtime.current.service.set_note(session_id, "ticket 51776: account takeover")
    a.bus.activity.emit("Note", result.message, result.ok)  # as the note action reports it
    started = time.monotonic()
    qtbot.waitUntil(lambda: _note(b, session_id) == "ticket 51776: account takeover", timeout=5000)
    assert time.monotonic() - started < VISIBLE_WITHIN_S
    qtbot.waitUntil(lambda: cell(b, session_id, COL_BY) == team.agent_a, timeout=2000)


def test_the_audit_panel_shows_and_exports_the_team_log(
    qtbot: Any,
    run_async: Callable[..., Any],
    tmp_path: Path,
    two_desks: tuple[Team, WindowUnderTest, WindowUnderTest],
) -> None:
    team, a, b = two_desks
    session_id = a.runtime.current.store.page_sessions(_active_query(a)).rows[0].session_id
    assert run_async(a.runtime.current.service.revoke(session_id)).ok
    activity = b.controller.panels["activity"]
    live = b.controller.team_live
    assert live is not None
    log_view = live.log_view
    assert log_view is not None
    assert activity.tabs.isTabVisible(activity.tabs.indexOf(log_view))
    activity.tabs.setCurrentWidget(log_view)  # opening the tab reads the journal
    qtbot.waitUntil(lambda: log_view.tree.topLevelItemCount() >= 2, timeout=5000)
    shown = [
        [log_view.tree.topLevelItem(i).text(c) for c in (1, 2, 3)]
        for i in range(log_view.tree.topLevelItemCount())
    ]
    assert [team.agent_a, "revoke_confirmed", session_id] in shown
    target = tmp_path / "team-log.json"
    run_async(log_view.export(target, "json"))
    exported = json.loads(target.read_text(encoding="utf-8"))
    assert {
        "actor": team.agent_a,
        "kind": "revoke_confirmed",
        "session_id": session_id,
    }.items() <= next(row for row in exported if row["kind"] == "revoke_confirmed").items()


def test_both_windows_revoking_one_session_at_once_send_one_logout(
    qtbot: Any, make_desks: Callable[..., Desks]
) -> None:
    """Through each window's own Revoke action; the sandbox is slowed so that the first
    claim is still held when the second window asks."""
    team, a, b = make_desks(latency_ms=300)
    session_id = a.runtime.current.store.page_sessions(_active_query(a)).rows[0].session_id
    for desk in (a, b):
        desk.controller.panels["sessions"].select_session(session_id)
    for desk in (a, b):
        desk.controller.panels["actions"].revoke.trigger()
    for desk in (a, b):
        actions = desk.controller.panels["actions"]
        qtbot.waitUntil(lambda actions=actions: not actions.runner.is_running(), timeout=10000)
    # Each line names the user and the short session id first ("ann@… · session ab…yz: …").
    messages = [
        desk.controller.panels["sessions"].message.text().partition(": ")[2] for desk in (a, b)
    ]
    with SandboxAdmin(a.info) as admin:
        logouts = [r for r in admin.requests() if r["path"].endswith("/auth/session/logout")]
    assert len(logouts) == 1, messages
    refused = [i for i, m in enumerate(messages) if m.startswith("not sent: agent ")]
    assert len(refused) == 1, messages
    winner = team.agent_b if refused == [0] else team.agent_a
    assert messages[refused[0]] == f"not sent: agent {winner} is revoking this session"
    assert messages[1 - refused[0]].startswith("revoked"), messages
    for desk in (a, b):
        qtbot.waitUntil(lambda desk=desk: cell(desk, session_id, COL_STATUS) == "revoked")
        qtbot.waitUntil(lambda desk=desk: cell(desk, session_id, COL_BY) == winner)


def _note(under_test: WindowUnderTest, session_id: str) -> str | None:
    model = under_test.controller.panels["sessions"].model
    row = model.row_of(session_id)
    record = model.record_at(row) if row is not None else None
    return record.note if record is not None else None


def _active_query(under_test: WindowUnderTest) -> Any:
    from transmit_admin.core.lifecycle import SessionStatus
    from transmit_admin.store.records import SessionQuery

    return SessionQuery(
        environment=under_test.runtime.current.environment.name, status=SessionStatus.ACTIVE
    )


def test_offline_actions_go_ahead_and_arrive_once_when_the_server_is_back(
    qtbot: Any,
    run_async: Callable[..., Any],
    pg_cluster: postgres.Cluster,
    two_desks: tuple[Team, WindowUnderTest, WindowUnderTest],
) -> None:
    team, a, b = two_desks
    label = a.controller.team_live.status_label  # type: ignore[union-attr]
    assert label is not None
    rows = a.runtime.current.store.page_sessions(_active_query(a)).rows
    revoked, noted = rows[0].session_id, rows[1].session_id
    pg_cluster.stop()
    try:
        qtbot.waitUntil(lambda: label.text() == "team: offline, 0 events waiting", timeout=10000)
        result = run_async(a.runtime.current.service.revoke(revoked))
        assert result.ok, result.message  # no claim offline: the logout went ahead
        a.bus.session_changed.emit(revoked)  # as the revoke action reports it
        note = a.runtime.current.service.set_note(noted, "ticket 51776: do not re-enable")
        a.bus.activity.emit("Note", note.message, note.ok)
        # revoke requested + confirmed, note changed
        qtbot.waitUntil(lambda: label.text() == "team: offline, 3 events waiting", timeout=10000)
        assert cell(a, revoked, COL_STATUS) == "revoked"
    finally:
        pg_cluster.start()
    qtbot.waitUntil(lambda: label.text() == f"team: connected as {team.agent_a}", timeout=15000)
    qtbot.waitUntil(lambda: cell(b, revoked, COL_STATUS) == "revoked", timeout=10000)
    qtbot.waitUntil(lambda: _note(b, noted) == "ticket 51776: do not re-enable", timeout=10000)
    with team.connect(team.owner) as conn:
        counts = conn.execute(
            "SELECT kind, count(*), count(DISTINCT event_id) FROM transmit_team.journal "
            "WHERE session_id = ANY(%s) GROUP BY kind ORDER BY kind",
            [[revoked, noted]],
        ).fetchall()
    assert counts == [
        ("note_changed", 1, 1),
        ("revoke_confirmed", 1, 1),
        ("revoke_requested", 1, 1),
    ]
    for desk in (a, b):
        for session_id in (revoked, noted):
            uuids = [
                e.event_uuid for e in desk.runtime.current.store.events_of("sandbox", session_id)
            ]
            assert len(uuids) == len(set(uuids))
    assert len(b.runtime.current.store.events_of("sandbox", revoked)) == 2


def test_a_removed_agent_reads_refused_with_the_reason(
    qtbot: Any, two_desks: tuple[Team, WindowUnderTest, WindowUnderTest]
) -> None:
    team, a, _b = two_desks
    label = a.controller.team_live.status_label  # type: ignore[union-attr]
    assert label is not None
    with team.connect(team.owner) as conn:
        assert schema.remove_agent(conn, team.agent_a)
    a.bus.activity.emit("Note", "an action", True)  # any action syncs
    qtbot.waitUntil(lambda: label.text().startswith("team: refused: "), timeout=10000)
    assert "ask the team owner" in label.text(), label.text()
    assert "Traceback" not in label.text()
