"""The first frame: the real main window in its "starting" state, painted before the rest of
the app is imported (the controller, qasync and asyncio, the API and store stacks).

Run in a child process through `cli.main`, as `transmit-admin` starts, offscreen.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from transmit_admin.core.environment import Environment, Region
from transmit_admin.ui.environment_switcher import REGION_BADGES, badge_text

# Imported only once the first frame is on screen.
HEAVY = (
    "asyncio",
    "qasync",
    "httpx",
    "cryptography",
    "jwt",
    "sqlite3",
    "sqlite_utils",
    "starlette",
    "uvicorn",
    "importlib.metadata",
    "transmit_admin.app",
    "transmit_admin.core.environment",
    "transmit_admin.ui.main_controller",
    "transmit_admin.ui.tasks",
)

FIRST_FRAME = """
import json, sys
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QWidget

app = QApplication([])
data_dir, resize = sys.argv[1], json.loads(sys.argv[2])
seen = {}


class FirstPaint(QObject):
    def eventFilter(self, watched, event):
        if (
            not seen
            and event.type() == QEvent.Type.Paint
            and isinstance(watched, QWidget)
            and watched.window().objectName() == "mainWindow"
        ):
            window = watched.window()
            seen.update(
                heavy=[m for m in HEAVY if m in sys.modules],
                title=window.message_page.title.text(),
                busy_page=window.pages.currentWidget() is window.message_page,
                retry_visible=window.message_page.retry_button.isVisible(),
                paste_enabled=window.paste_action.isEnabled(),
                badge=window.switcher.badge.text(),
                size=[window.width(), window.height()],
            )
            if resize:
                window.resize(*resize)
            QTimer.singleShot(0, window.close)
        return False


watch = FirstPaint()
app.installEventFilter(watch)
from transmit_admin.cli import main

# An unknown environment fails fast after the first frame: no sandbox is started.
code = main(["--data-dir", data_dir, "--env", "nope"])
print(json.dumps({"code": code, **seen}))
"""


def _first_frame(data_dir: Path, resize: list[int] | None = None) -> dict[str, Any]:
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            f"HEAVY = {HEAVY!r}\n{FIRST_FRAME}",
            str(data_dir),
            json.dumps(resize),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        env=dict(os.environ, QT_QPA_PLATFORM="offscreen"),
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    report: dict[str, Any] = json.loads(result.stdout.splitlines()[-1])
    return report


def test_the_first_frame_is_the_starting_main_window_before_the_heavy_imports(
    tmp_path: Path,
) -> None:
    frame = _first_frame(tmp_path)
    assert frame["code"] == 0
    assert frame["heavy"] == []
    assert frame["busy_page"] is True
    assert frame["title"] == "Opening…"
    assert frame["retry_visible"] is False
    assert frame["paste_enabled"] is False
    assert frame["badge"] == "STARTING"


def test_the_first_frame_opens_at_the_remembered_size(tmp_path: Path) -> None:
    _first_frame(tmp_path, resize=[760, 560])  # closed at that size: the geometry is saved
    assert _first_frame(tmp_path)["size"] == [760, 560]


def test_every_region_has_a_badge() -> None:
    assert set(REGION_BADGES) == {region.value for region in Region}
    assert badge_text(Environment.from_region("acme", Region.EU, "client-1")) == "EU"
