"""Issue 12 items 3, 4 (and 1's verdict): the token verdict names its tracked session's state,
and a match made on a forged token's claims is said to be one."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Any

import pytest
from PySide6.QtCore import Qt

from tests.support.sandbox_admin import SandboxAdmin

LOGOUT_PATH = "/cis/v1/auth/session/logout"


@pytest.fixture
def tracked(qtbot: Any, make_main_window: Callable[..., Any], fresh_sandbox: Callable[..., Any]):
    """A window with a freshly logged-in session tracked from its token response."""
    under_test = make_main_window(fresh_sandbox(users=3, sessions=10, seed=3))
    with SandboxAdmin(under_test.info) as admin:
        user = admin.active_users()[0]
        response = admin.password_login(user["username"])
    inspector = under_test.inspector
    with qtbot.waitSignal(inspector.inspected, timeout=10_000):
        inspector.set_text(json.dumps(response))
    with qtbot.waitSignal(under_test.bus.sessions_reloaded, timeout=10_000):
        qtbot.mouseClick(inspector.view.track_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: inspector.tracked_session_id == response["session_id"], timeout=5000)
    return under_test, response


def _inspect(qtbot: Any, under_test: Any, text: str) -> Any:
    inspector = under_test.inspector
    with qtbot.waitSignal(inspector.inspected, timeout=10_000):
        inspector.set_text(text)
    return inspector.view


def _b64(data: dict[str, Any]) -> str:
    raw = json.dumps(data, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def test_valid_token_of_a_revoked_session_says_it_was_revoked(qtbot, tracked, run_async):
    under_test, response = tracked
    view = _inspect(qtbot, under_test, response["access_token"])
    assert under_test.inspector.report.verdict == "valid"
    assert view.banner.session.text() == "Its tracked session is active."
    result = run_async(under_test.runtime.current.service.revoke(response["session_id"]))
    assert result.ok
    qtbot.waitUntil(lambda: "revoked" in view.banner.session.text(), timeout=3000)
    text = view.banner.session.text()
    assert text.startswith("Its session was revoked at ")
    assert "(by you)" in text
    assert "this access token stays usable until its exp (in " in text
    assert view.banner.session.isVisible()


def test_verdict_shows_revoking_like_the_row(qtbot, tracked):
    under_test, response = tracked
    view = _inspect(qtbot, under_test, response["access_token"])
    panel = under_test.controller.panels["sessions"]
    actions = under_test.controller.panels["actions"]
    panel.select_session(response["session_id"])
    assert panel.selected_ids() == [response["session_id"]]
    with SandboxAdmin(under_test.info) as admin:
        admin.set_faults(latency_ms=1500, routes=[LOGOUT_PATH])
        try:
            actions.revoke_selected()
            qtbot.waitUntil(lambda: "revoking…" in view.banner.session.text(), timeout=1000)
            assert view.banner.session.text().startswith("Its session is revoking…")
            qtbot.waitUntil(lambda: "was revoked" in view.banner.session.text(), timeout=10_000)
        finally:
            admin.reset_faults()


@pytest.mark.parametrize("forgery", ["alg_none", "tampered_signature"])
def test_forged_token_with_a_tracked_jti_is_marked_unverified(qtbot, tracked, forgery):
    under_test, response = tracked
    header, payload, signature = response["access_token"].split(".")
    if forgery == "alg_none":
        forged = f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{payload}."
    else:
        flipped = "A" if signature[-2] != "A" else "B"
        forged = f"{header}.{payload}.{signature[:-2]}{flipped}{signature[-1]}"
    view = _inspect(qtbot, under_test, forged)
    inspector = under_test.inspector
    assert inspector.report.verdict != "valid"
    assert inspector.tracked_session_id == response["session_id"]  # found by its jti
    assert "matched on unverified claims" in view.open_button.text()
    assert not view.open_button.isDefault()
    assert not view.open_button.autoDefault()
    assert view.banner.session.text().startswith("Matched on unverified claims")
    # The genuine token's match stays the ordinary one.
    view = _inspect(qtbot, under_test, response["access_token"])
    assert view.open_button.text() == "&Open session"
    assert view.open_button.isDefault()
