"""`transmit-admin --smoke-test`: the whole start-up path in a child process, offscreen."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from transmit_admin.ui.launch import missing_display_message


def _run_offscreen(*python_args: str) -> subprocess.CompletedProcess[str]:
    """This interpreter in a child process, offscreen: the whole start-up path for real."""
    return subprocess.run(
        [sys.executable, *python_args],
        capture_output=True,
        text=True,
        timeout=120,
        env=dict(os.environ, QT_QPA_PLATFORM="offscreen"),
        check=False,
    )


@pytest.mark.slow
def test_smoke_test_opens_the_window_and_verifies_a_sandbox_token(tmp_path: Path) -> None:
    result = _run_offscreen("-m", "transmit_admin", "--data-dir", str(tmp_path), "--smoke-test")
    assert result.returncode == 0, result.stderr
    assert "smoke test ok: Valid" in result.stdout
    assert "Traceback" not in result.stderr
    assert (tmp_path / "sandbox-demo.sqlite").exists()
    state = (tmp_path / "ui-state.ini").read_text()
    assert "geometry" in state


def test_unknown_env_fails_with_one_line_and_no_traceback(tmp_path: Path) -> None:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "transmit_admin",
            "--data-dir",
            str(tmp_path),
            "--env",
            "nope",
            "--smoke-test",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=False,
    )
    assert result.returncode == 1
    assert "no saved environment named 'nope'" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("environ", "platform", "refused"),
    [
        ({}, "linux", True),
        ({"DISPLAY": ":0"}, "linux", False),
        ({"WAYLAND_DISPLAY": "wayland-0"}, "linux", False),
        ({"QT_QPA_PLATFORM": "offscreen"}, "linux", False),
        ({}, "darwin", False),
        ({}, "win32", False),
    ],
)
def test_a_missing_display_is_said_before_qt_aborts(
    environ: dict[str, str], platform: str, refused: bool
) -> None:
    message = missing_display_message(environ, platform)
    assert (message is not None) is refused
    if message:
        assert "xvfb-run" in message


QUIT_UNDER_US = """
import sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
import transmit_admin.ui.launch as launch

make_application = launch._make_application


def quitting_application(smoke):
    app = make_application(smoke)
    QTimer.singleShot(6000, QApplication.quit)  # as Qt does when the X server goes away
    return app


launch._make_application = quitting_application
from transmit_admin.cli import main

sys.exit(main(["--data-dir", sys.argv[1]]))
"""


@pytest.mark.slow
def test_losing_the_display_ends_with_one_sentence_not_a_traceback(tmp_path: Path) -> None:
    result = _run_offscreen("-c", QUIT_UNDER_US, str(tmp_path))
    assert result.returncode == 1, result.stderr
    assert "the window system closed the application" in result.stderr
    assert "Traceback" not in result.stderr
    assert "RuntimeError" not in result.stderr
