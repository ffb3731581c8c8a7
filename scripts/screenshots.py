"""Renders the main views offscreen into docs/screenshots/ (`make screenshots`).

Starts a sandbox in a child process, opens the real main window over a throw-away data folder,
and grabs: the session list with a valid token inspected, an invalid (forged) token, the same
window with redaction on, the sandbox mailbox after a magic link, the HAR tab over a capture of
two logins, and the settings dialog.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_API", "pyside6")  # qasync would try PyQt first otherwise
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import qasync  # noqa: E402
from PySide6.QtGui import QColor, QPalette  # noqa: E402
from PySide6.QtWidgets import QApplication, QWidget  # noqa: E402

SIZE = (1440, 900)


def save(widget: QWidget, out: Path, name: str) -> None:
    path = out / f"{name}.png"
    if not widget.grab().save(str(path)):
        raise SystemExit(f"could not write {path}")
    print(f"wrote {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")


async def settle(seconds: float = 0.3) -> None:
    # The loop keeps processing Qt events meanwhile; never nest processEvents() in a coroutine.
    await asyncio.sleep(seconds)


async def inspect(controller: Any, text: str) -> None:
    from transmit_admin.ui.smoke import next_emission

    inspector = controller.inspector
    done = next_emission(inspector.inspected)
    inspector.set_text(text)
    await asyncio.wait_for(done, 30)
    await settle()


def dark_palette() -> QPalette:
    """What a desktop in dark mode hands Qt (offscreen has no colour scheme of its own)."""
    palette = QPalette()
    roles = {
        QPalette.ColorRole.Window: "#1f2328",
        QPalette.ColorRole.WindowText: "#e6edf3",
        QPalette.ColorRole.Base: "#0d1117",
        QPalette.ColorRole.AlternateBase: "#161b22",
        QPalette.ColorRole.Text: "#e6edf3",
        QPalette.ColorRole.Button: "#2d333b",
        QPalette.ColorRole.ButtonText: "#e6edf3",
        QPalette.ColorRole.Highlight: "#1f6feb",
        QPalette.ColorRole.HighlightedText: "#ffffff",
        QPalette.ColorRole.ToolTipBase: "#2d333b",
        QPalette.ColorRole.ToolTipText: "#e6edf3",
        QPalette.ColorRole.PlaceholderText: "#8b949e",
    }
    for role, colour in roles.items():
        palette.setColor(role, QColor(colour))
    palette.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text, QColor("#6e7681"))
    palette.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.ButtonText, QColor("#6e7681"))
    palette.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.WindowText, QColor("#6e7681"))
    return palette


def forged(token: str) -> str:
    import jwt
    from cryptography.hazmat.primitives.asymmetric import rsa

    header = jwt.get_unverified_header(token)
    claims = jwt.decode(token, options={"verify_signature": False})
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return jwt.encode(claims, key, algorithm="RS256", headers={"kid": header["kid"]})


async def shoot(out: Path, data_dir: Path) -> None:
    from transmit_admin.app import runtime_for_sandbox
    from transmit_admin.core.environment import Environment, Region
    from transmit_admin.sandbox.config import DEMO_PASSWORD
    from transmit_admin.sandbox.runner import SandboxProcess
    from transmit_admin.store.environments import SavedEnvironments
    from transmit_admin.ui.bus import UiBus
    from transmit_admin.ui.launch import ui_settings
    from transmit_admin.ui.main_controller import MainController
    from transmit_admin.ui.main_window import MainWindow
    from transmit_admin.ui.settings import EnvironmentsController, EnvironmentsDialog
    from transmit_admin.ui.tasks import run_cpu

    with SandboxProcess.start(users=25, sessions=300, seed=7) as sandbox:
        ctx = await run_cpu(runtime_for_sandbox, sandbox.info, data_dir)
        bus = UiBus()
        window = MainWindow()
        controller = MainController(window, bus, ui_settings(data_dir), runtime=ctx)
        window.resize(*SIZE)
        window.show()
        controller.start()
        await settle(1.0)
        try:
            page = await ctx.current.client.search_users('status eq "Active"', limit=3)
            user = page.users[0]
            response = await ctx.current.client.authenticate_password(
                user.username or "", DEMO_PASSWORD
            )
            pasted = {
                "access_token": response.access_token,
                "id_token": response.id_token,
                "token_type": "Bearer",
                "expires_in": response.expires_in,
                "session_id": response.session_id,
            }
            await inspect(controller, json.dumps(pasted, indent=2))
            controller.inspector.track()  # "Track this session": the row and activity appear
            await settle(1.0)
            save(window, out, "main-window-valid-token")

            await inspect(controller, forged(response.id_token))
            save(window, out, "invalid-token")

            await inspect(controller, response.id_token)
            bus.set_redaction(True)
            await settle()
            save(window, out, "redacted")
            bus.set_redaction(False)

            redirect = f"{sandbox.info.base_url}/sandbox/callback"
            if user.email:
                try:
                    await ctx.current.client.send_magic_link(
                        user.email, ctx.current.environment.redirect_uri or redirect
                    )
                except Exception as exc:  # noqa: BLE001 - a picture without mail still helps
                    print(f"magic link not sent: {exc}", file=sys.stderr)
            mailbox = controller.panels.get("mailbox")
            if mailbox is not None:
                window.tabs.setCurrentWidget(mailbox)
                refresh = getattr(mailbox, "refresh", None)
                if callable(refresh):
                    result = refresh()
                    if asyncio.iscoroutine(result):
                        await result
                await settle(1.5)
                save(window, out, "mailbox")

            await har_shot(controller, window, out, data_dir, sandbox.info.base_url, response)

            # The same window in the dark colour scheme (the app follows the system's).
            window.tabs.setCurrentIndex(0)
            await inspect(controller, response.access_token)
            light = QApplication.palette()
            QApplication.setPalette(dark_palette())
            await settle(0.5)
            save(window, out, "main-window-dark")
            QApplication.setPalette(light)
            await settle(0.5)

            saved = SavedEnvironments(data_dir)
            saved.save(
                Environment.from_region(
                    "acme-production",
                    Region.EU,
                    "acme-backend",
                    tenant_id="acme-tenant",
                    production=True,
                    audiences=("userid-api",),
                )
            )
            saved.save(Environment.from_region("acme-staging", Region.US, "acme-staging-app"))
            dialog = EnvironmentsDialog(window)
            EnvironmentsController(dialog, data_dir, ctx.secrets)
            dialog.show()
            await settle()
            save(dialog, out, "settings")
            dialog.close()
            dialog.deleteLater()
        finally:
            window.close()
            await controller.aclose()
            window.deleteLater()


async def har_shot(
    controller: Any, window: Any, out: Path, data_dir: Path, base_url: str, first: Any
) -> None:
    """The HAR tab over a capture of two real logins (the customer app's login API passing
    the token responses to the browser) that ends in a failed refresh."""
    from tests.support.har_files import login_capture, write_capture
    from transmit_admin.sandbox.config import DEMO_PASSWORD

    ctx = controller.runtime
    page = await ctx.current.client.search_users('status eq "Active"', limit=3)
    second = await ctx.current.client.authenticate_password(
        page.users[1].username or "", DEMO_PASSWORD
    )
    responses = [
        {
            "access_token": r.access_token,
            "id_token": r.id_token,
            "refresh_token": r.refresh_token,
            "token_type": "Bearer",
            "expires_in": r.expires_in,
            "session_id": r.session_id,
        }
        for r in (first, second)
    ]
    path = write_capture(data_dir / "ticket-4711.har", login_capture(responses, base_url=base_url))
    har = controller.har
    window.tabs.setCurrentWidget(har.view)
    har.open_path(str(path))
    for _ in range(300):
        await settle(0.1)
        if not har.runner.is_running():
            break
    await settle(0.5)
    save(window, out, "har-capture")
    path.unlink()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    app = QApplication(sys.argv[:1])
    app.setApplicationName("transmit-admin")
    app.setStyle("Fusion")  # the style that follows the colour scheme on every platform
    app.setQuitOnLastWindowClosed(False)  # closing the window must not stop the loop mid-clean-up
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    with tempfile.TemporaryDirectory(prefix="transmit-admin-shots-") as tmp, loop:
        loop.run_until_complete(shoot(args.out, Path(tmp)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
