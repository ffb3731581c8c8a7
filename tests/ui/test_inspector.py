"""The token inspector against the real sandbox: verdicts, claims, forgeries, redaction."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication

from tests.support.sandbox_admin import SandboxAdmin
from transmit_admin.app import AppRuntime, runtime_for_sandbox
from transmit_admin.core.report import Status, Verdict
from transmit_admin.sandbox.runner import SandboxInfo
from transmit_admin.ui.bus import UiBus
from transmit_admin.ui.inspector import InspectorController, InspectorView
from transmit_admin.ui.inspector.claims_model import LOCAL, MEANING, WHEN


@pytest.fixture
def ctx(sandbox: SandboxInfo, tmp_path: Path, qloop: Any, run_async: Any) -> Iterator[AppRuntime]:
    with ThreadPoolExecutor(1) as pool:
        context = pool.submit(runtime_for_sandbox, sandbox, tmp_path / "data").result()
    yield context
    run_async(context.aclose())


@pytest.fixture
def inspector(qtbot: Any, ctx: AppRuntime) -> Iterator[InspectorController]:
    bus = UiBus()
    view = InspectorView()
    qtbot.addWidget(view)
    controller = InspectorController(ctx, bus, view)
    view.resize(900, 800)
    view.show()
    yield controller
    controller.clock.stop()
    bus.deleteLater()


@pytest.fixture
def login(sandbox_admin: SandboxAdmin) -> dict[str, Any]:
    user = sandbox_admin.active_users()[0]
    return sandbox_admin.password_login(user["username"])


def paste(qtbot: Any, inspector: InspectorController, text: str) -> None:
    with qtbot.waitSignal(inspector.inspected, timeout=10000):
        inspector.set_text(text)


def b64(data: dict[str, Any]) -> str:
    raw = json.dumps(data, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def test_valid_sandbox_token_shows_valid_banner_and_explained_claims(
    qtbot: Any, inspector: InspectorController, login: dict[str, Any]
) -> None:
    paste(qtbot, inspector, login["access_token"])

    view = inspector.view
    assert inspector.report is not None
    assert inspector.report.verdict is Verdict.VALID
    assert view.banner.isVisible()
    assert view.banner.title.text().startswith("VALID")
    assert view.banner.reason.text() == inspector.report.reason
    model = view.claims_model
    names = [model.index(r, 0).data() for r in range(model.rowCount())]
    assert {"sub", "exp", "tid", "iss"} <= set(names)
    exp_row = model.row_of("exp")
    assert "UTC" in model.index(exp_row, 1).data()
    assert model.index(exp_row, LOCAL).data()
    assert model.index(exp_row, WHEN).data().startswith("in ")
    assert "Expires" in model.index(exp_row, MEANING).data()
    statuses = [
        view.checks.item(i).data(Qt.ItemDataRole.UserRole) for i in range(view.checks.count())
    ]
    assert Status.FAIL not in statuses
    assert view.segments.toPlainText().count(".") >= 2
    assert not view.selector.isVisible()


def test_id_token_explains_amr_codes(
    qtbot: Any, inspector: InspectorController, login: dict[str, Any]
) -> None:
    paste(qtbot, inspector, login["id_token"])
    model = inspector.view.claims_model
    row = model.row_of("amr")
    assert row >= 0
    assert "pwd = password" in model.index(row, MEANING).data()


def test_token_resigned_with_another_key_is_invalid_with_the_reason(
    qtbot: Any, inspector: InspectorController, login: dict[str, Any]
) -> None:
    token = login["access_token"]
    header = jwt.get_unverified_header(token)
    claims = jwt.decode(token, options={"verify_signature": False})
    other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    forged = jwt.encode(claims, other_key, algorithm="RS256", headers={"kid": header["kid"]})

    paste(qtbot, inspector, forged)

    report = inspector.report
    assert report is not None
    assert report.verdict is Verdict.INVALID
    assert report.check("signature") is not None
    assert report.check("signature").status is Status.FAIL  # type: ignore[union-attr]
    assert inspector.view.banner.title.text().startswith("INVALID")
    assert inspector.view.banner.reason.text() == report.reason
    assert "signature" in report.reason.lower()


def test_alg_none_token_is_invalid(
    qtbot: Any, inspector: InspectorController, login: dict[str, Any]
) -> None:
    claims = jwt.decode(login["access_token"], options={"verify_signature": False})
    forged = f"{b64({'alg': 'none', 'typ': 'JWT'})}.{b64(claims)}."
    paste(qtbot, inspector, forged)
    assert inspector.report is not None
    assert inspector.report.verdict is Verdict.INVALID
    assert inspector.view.banner.title.text().startswith("INVALID")


def test_several_tokens_in_one_paste_offer_a_selector(
    qtbot: Any, inspector: InspectorController, login: dict[str, Any]
) -> None:
    text = f"access: {login['access_token']}\nid: {login['id_token']}\n"
    paste(qtbot, inspector, text)
    selector = inspector.view.selector
    assert selector.isVisible()
    assert selector.count() == 2
    first = inspector.report
    selector.setCurrentIndex(1)
    assert inspector.report is not None
    assert inspector.report is not first
    assert inspector.view.claims_model.row_of("amr") >= 0  # the ID token is shown now


def test_redaction_masks_signature_ids_and_emails_everywhere(
    qtbot: Any, inspector: InspectorController, login: dict[str, Any]
) -> None:
    paste(qtbot, inspector, login["id_token"])
    report = inspector.report
    assert report is not None
    claims = report.claims or {}
    signature = report.segments[2]
    sub = claims["sub"]
    view = inspector.view

    qtbot.mouseClick(view.redact_check, Qt.MouseButton.LeftButton)

    assert inspector.bus.redaction_enabled()
    model = view.claims_model
    shown = " ".join(str(model.index(r, 1).data()) for r in range(model.rowCount()))
    assert sub not in shown
    assert signature not in view.segments.toPlainText()
    assert sub not in view.raw_json.toPlainText()
    assert signature not in view.paste_edit.toPlainText()
    assert view.paste_edit.isReadOnly()
    if "email" in claims:
        assert claims["email"] not in shown
        assert claims["email"] not in view.raw_json.toPlainText()
    view.copy_claims_button.click()
    assert sub not in QGuiApplication.clipboard().text()

    qtbot.mouseClick(view.redact_check, Qt.MouseButton.LeftButton)
    assert sub in " ".join(str(model.index(r, 1).data()) for r in range(model.rowCount()))
    assert not view.paste_edit.isReadOnly()


def test_relative_time_column_is_refreshed_by_the_clock(
    qtbot: Any, inspector: InspectorController, login: dict[str, Any]
) -> None:
    paste(qtbot, inspector, login["access_token"])
    assert inspector.clock.isActive()
    model = inspector.view.claims_model
    with qtbot.waitSignal(model.dataChanged, timeout=3000) as blocker:
        pass
    top, bottom = blocker.args[0], blocker.args[1]
    assert top.column() == WHEN
    assert bottom.column() == WHEN


def test_text_without_tokens_says_so(qtbot: Any, inspector: InspectorController) -> None:
    paste(qtbot, inspector, "hello, no token in here")
    assert inspector.report is None
    assert "No token" in inspector.view.status.text()
    assert not inspector.view.banner.isVisible()


def test_typing_inspects_after_a_pause(
    qtbot: Any, inspector: InspectorController, login: dict[str, Any]
) -> None:
    with qtbot.waitSignal(inspector.inspected, timeout=10000):
        inspector.view.paste_edit.setPlainText(login["access_token"])
    assert inspector.report is not None
    assert inspector.report.verdict is Verdict.VALID


def test_unreachable_signing_keys_give_unverified_and_say_why(
    qtbot: Any,
    qloop: Any,
    tmp_path: Path,
    run_async: Any,
    login: dict[str, Any],
    sandbox: SandboxInfo,
) -> None:
    from transmit_admin.app import build_runtime
    from transmit_admin.core.environment import Environment, Region
    from transmit_admin.store.environments import SavedEnvironments
    from transmit_admin.store.secrets import SecretStore

    env = Environment.from_region(
        "offline",
        Region.CUSTOM,
        sandbox.client_id,
        base_url="http://127.0.0.1:9",  # nothing listens there
        issuer=sandbox.issuer,
    )
    SavedEnvironments(tmp_path).save(env)
    with ThreadPoolExecutor(1) as pool:
        ctx = pool.submit(
            lambda: build_runtime(tmp_path, "offline", secrets=SecretStore.in_memory())
        ).result()
    bus = UiBus()
    view = InspectorView()
    qtbot.addWidget(view)
    controller = InspectorController(ctx, bus, view)
    try:
        paste(qtbot, controller, login["access_token"])
        assert controller.report is not None
        assert controller.report.verdict is Verdict.UNVERIFIED
        assert view.banner.title.text().startswith("UNVERIFIED")
        assert "signing keys could not be fetched" in view.status.text()
    finally:
        run_async(ctx.aclose())
        bus.deleteLater()


def test_a_rotated_key_verifies_at_the_first_paste(
    qtbot: Any, fresh_sandbox: Any, tmp_path: Path, qloop: Any, run_async: Any
) -> None:
    """The cached key set lacks the new `kid`: refetched once, the paste checked again."""
    info = fresh_sandbox(users=2, sessions=0, seed=5)
    with ThreadPoolExecutor(1) as pool:
        runtime = pool.submit(runtime_for_sandbox, info, tmp_path / "data").result()
    runtime.jwks.min_refetch_interval = 0  # the rotation follows the first fetch at once
    bus = UiBus()
    view = InspectorView()
    qtbot.addWidget(view)
    controller = InspectorController(runtime, bus, view)
    try:
        with SandboxAdmin(info) as admin:
            username = admin.active_users()[0]["username"]
            paste(qtbot, controller, admin.password_login(username)["access_token"])
            assert controller.report is not None
            assert controller.report.verdict is Verdict.VALID
            fetched = runtime.jwks.fetch_count
            admin.rotate_key(grace_seconds=0)  # the old key is withdrawn at once
            rotated = admin.password_login(username)["access_token"]
        paste(qtbot, controller, rotated)
        assert controller.report is not None
        assert controller.report.verdict is Verdict.VALID, controller.report.reason
        assert runtime.jwks.fetch_count == fetched + 1
    finally:
        controller.clock.stop()
        run_async(runtime.aclose())
        bus.deleteLater()
