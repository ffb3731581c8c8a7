"""`transmit-admin --smoke-test`: the whole GUI path once, against the sandbox, offscreen.

Open the main window, sign a seeded sandbox user in by password through the API client,
paste the access token into the inspector and require the verdict `valid`.
"""

from __future__ import annotations

import asyncio
import sys
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import SignalInstance

from transmit_admin.core.report import Verdict
from transmit_admin.ui.errors import user_message

if TYPE_CHECKING:
    from transmit_admin.ui.main_controller import MainController
    from transmit_admin.workspace import Workspace


def next_emission(*signals: SignalInstance) -> asyncio.Future[tuple[int, tuple[Any, ...]]]:
    """A future for the first of `signals` to fire: (which one, its arguments)."""
    future: asyncio.Future[tuple[int, tuple[Any, ...]]] = asyncio.get_running_loop().create_future()
    connections: list[Any] = []

    def make_slot(index: int) -> Any:
        def slot(*args: Any) -> None:
            if not future.done():
                future.set_result((index, args))
            for signal, connection in zip(signals, connections, strict=True):
                signal.disconnect(connection)

        return slot

    for index, signal in enumerate(signals):
        connections.append(signal.connect(make_slot(index)))
    return future


async def mint_sandbox_token(workspace: Workspace) -> str:
    """An access token for the first active seeded user (the sandbox's demo password)."""
    from transmit_admin.sandbox.config import DEMO_PASSWORD

    page = await workspace.client.search_users('status eq "Active"', limit=5)
    users = [u for u in page.users if u.username]
    if not users:
        raise RuntimeError("the sandbox has no active user to sign in")
    response = await workspace.client.authenticate_password(users[0].username or "", DEMO_PASSWORD)
    return response.access_token


async def smoke_test(controller: MainController) -> int:
    if controller.runtime is None or controller.inspector is None:
        which, args = await next_emission(controller.ready, controller.failed)
        if which == 1:
            print(f"smoke test failed: {args[0]}", file=sys.stderr)
            return 1
    runtime, inspector = controller.runtime, controller.inspector
    assert runtime is not None
    assert inspector is not None
    ws = runtime.current
    if not ws.is_sandbox:
        print(
            "smoke test failed: it runs against the local sandbox; start it without --env "
            "(or with --env sandbox)",
            file=sys.stderr,
        )
        return 1
    try:
        token = await mint_sandbox_token(ws)
    except Exception as exc:  # noqa: BLE001 - reported as one line, traceback to the log
        print(f"smoke test failed: {user_message(exc, action='sign-in')}", file=sys.stderr)
        return 1
    done = next_emission(inspector.inspected)
    inspector.set_text(token)
    await done
    report = inspector.report
    if report is None or report.verdict is not Verdict.VALID:
        reason = report.reason if report is not None else inspector.view.status.text()
        print(f"smoke test failed: {reason}", file=sys.stderr)
        return 1
    print(f"smoke test ok: {report.reason}")
    return 0
