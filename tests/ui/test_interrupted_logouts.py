"""A window that opens on a store with logouts an earlier run left without an outcome settles
them from Transmit's session list and shows the result in the rows and the activity list."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.support.sandbox_admin import SandboxAdmin
from tests.ui import conftest
from transmit_admin.app import AppRuntime
from transmit_admin.sandbox.runner import SandboxInfo
from transmit_admin.store.records import EventKind


def _interrupted_before_start(
    real: Callable[..., AppRuntime], planted: dict[str, str]
) -> Callable[..., AppRuntime]:
    """Builds the context as the window would, then leaves two logouts of one user without an
    outcome; Transmit received one of them (the process died before its 204 was recorded)."""

    def build(info: SandboxInfo, data_dir: Path, **kwargs: Any) -> AppRuntime:
        ctx = real(info, data_dir, **kwargs)
        env = ctx.current.environment.name
        with SandboxAdmin(info) as admin:
            live = [s for s in admin.sessions() if s["status"] == "active"]
            user_id = live[0]["user_id"]
            alive, gone = [s["session_id"] for s in live if s["user_id"] == user_id][:2]
            for session_id in (alive, gone):
                assert ctx.current.store.get_session(env, session_id) is not None
                ctx.current.store.add_event(
                    env,
                    session_id,
                    EventKind.REVOKE_REQUESTED,
                    "logout sent to Transmit",
                    at=datetime.now(UTC) - timedelta(minutes=10),
                )
            answer = admin.http.post(
                "/cis/v1/auth/session/logout",
                json={"session_id": gone},
                headers={"Authorization": f"Bearer {admin.client_token()}"},
            )
            assert answer.status_code == 204
        planted.update(alive=alive, gone=gone)
        return ctx

    return build


def test_a_window_settles_interrupted_logouts_at_start(
    qtbot: Any,
    make_main_window: Callable[..., Any],
    fresh_sandbox: Callable[..., SandboxInfo],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    planted: dict[str, str] = {}
    monkeypatch.setattr(
        conftest,
        "runtime_for_sandbox",
        _interrupted_before_start(conftest.runtime_for_sandbox, planted),
    )
    info = fresh_sandbox(users=3, sessions=12, seed=5)
    under_test = make_main_window(info)
    panel = under_test.controller.panels["sessions"]
    qtbot.waitUntil(lambda: panel.model.status_of(planted["gone"]) == "revoked", timeout=10_000)
    assert panel.model.status_of(planted["alive"]) == "active"
    env = under_test.runtime.current.environment.name
    events = under_test.runtime.current.store.events_of(env, planted["alive"])
    assert events[-1].kind == EventKind.CHECKED_ALIVE
    recent = under_test.controller.panels["activity"].recent_model
    messages = [recent.entry_at(row).message for row in range(recent.rowCount())]
    assert any("confirmed by Transmit's session list" in message for message in messages)
