"""Settings → Team against a real PostgreSQL: a wrong password gets one sentence, Test
connection says who and which tenant, Join keeps the password in the secret store (never in
a file of the data folder) and the status bar shows the state."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.support import postgres
from tests.team.conftest import Team, new_team
from tests.ui.conftest import WindowUnderTest
from transmit_admin.sandbox.runner import SandboxInfo
from transmit_admin.ui.settings.team_controller import NOT_JOINED, TeamSettingsController

MakeWindow = Callable[[SandboxInfo], WindowUnderTest]


def open_team_settings(qtbot: Any, under_test: WindowUnderTest) -> TeamSettingsController:
    [action] = [a for a in under_test.window.file_menu.actions() if "Team settings" in a.text()]
    action.trigger()
    live = under_test.controller.team_live
    assert live is not None
    dialog = live.settings_dialog
    assert dialog is not None
    qtbot.waitExposed(dialog)
    controller = live.settings_controller
    assert isinstance(controller, TeamSettingsController)
    return controller


def fill(controller: TeamSettingsController, team: Team, user: str, password: str) -> None:
    page = controller.page
    page.host.setText("127.0.0.1")
    page.port.setValue(team.cluster.port)
    page.database.setText(team.dbname)
    page.user.setText(user)
    page.password.setText(password)


def test_test_connection_and_join_from_settings(
    qtbot: Any,
    make_main_window: MakeWindow,
    fresh_sandbox: Callable[..., SandboxInfo],
    pg_cluster: postgres.Cluster,
) -> None:
    info = fresh_sandbox(users=1, sessions=2, seed=3)
    team = new_team(pg_cluster, info.base_url, info.tenant_id)
    under_test = make_main_window(info)
    controller = open_team_settings(qtbot, under_test)
    page = controller.page
    assert page.status.text() == NOT_JOINED
    label = under_test.controller.team_live.status_label  # type: ignore[union-attr]
    assert label is not None
    assert label.isHidden()  # outside team mode, nothing in the status bar

    fill(controller, team, team.agent_a, "not-the-password")
    page.test_button.click()
    qtbot.waitUntil(lambda: "refused the password" in page.status.text(), timeout=10000)
    assert "Traceback" not in page.status.text()
    assert page.status.text().count(". ") <= 1  # one sentence (and what to do)

    page.port.setValue(postgres.free_port())  # nobody listens there
    page.password.setText(team.passwords[team.agent_a])
    page.test_button.click()
    qtbot.waitUntil(lambda: page.test_button.isEnabled(), timeout=10000)
    assert "Traceback" not in page.status.text()
    assert "127.0.0.1" in page.status.text(), page.status.text()

    page.port.setValue(team.cluster.port)
    page.test_button.click()
    qtbot.waitUntil(lambda: page.status.text().startswith("Connected as "), timeout=10000)
    assert team.agent_a in page.status.text()

    page.join_button.click()
    qtbot.waitUntil(
        lambda: label.isVisible() and label.text() == f"team: connected as {team.agent_a}",
        timeout=10000,
    )
    qtbot.waitUntil(lambda: page.status.text().startswith("team: connected"), timeout=5000)
    assert page.password.text() == ""
    server = team.server(team.agent_a)
    assert under_test.runtime.secrets.get(server.keyring_name) == team.passwords[team.agent_a]
    secret = team.passwords[team.agent_a].encode()
    for path in under_test.data_dir.rglob("*"):
        if path.is_file():
            assert secret not in path.read_bytes(), f"the team password is in {path}"
    live = under_test.controller.team_live
    assert live is not None
    assert live.settings_dialog is not None
    live.settings_dialog.close()
