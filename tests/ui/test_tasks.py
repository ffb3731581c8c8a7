"""The async spine: CPU work off the GUI thread; tasks that show busy, cancel, and fail readably."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import pytest
from PySide6.QtWidgets import QPushButton

from transmit_admin.ui.bus import UiBus
from transmit_admin.ui.errors import user_message
from transmit_admin.ui.tasks import TaskRunner, run_cpu


class Sentenced(Exception):
    def sentence(self) -> str:
        return "Transmit refused the request: the session was not found."


@pytest.fixture
def runner(qloop: Any, bus: UiBus) -> TaskRunner:
    return TaskRunner(bus)


def test_run_cpu_runs_in_a_worker_thread(run_async: Any) -> None:
    gui_thread = threading.get_ident()
    worker = run_async(run_cpu(threading.get_ident))
    assert worker != gui_thread


def test_busy_widget_is_disabled_while_the_task_runs(qtbot: Any, runner: TaskRunner) -> None:
    button = QPushButton("Revoke")
    qtbot.addWidget(button)
    gate = asyncio.Event()
    results: list[str] = []

    async def work() -> str:
        await gate.wait()
        return "done"

    task = runner.start("revoke", work(), busy=[button], on_result=results.append)
    assert task is not None
    assert not button.isEnabled()
    assert runner.is_running("revoke")
    # A second start of the same name (a double click) is refused while the first runs.
    second = work()
    assert runner.start("revoke", second) is None
    gate.set()
    qtbot.waitUntil(task.done, timeout=2000)
    qtbot.waitUntil(lambda: results == ["done"], timeout=2000)
    assert button.isEnabled()
    assert not runner.is_running()


def test_failure_becomes_one_sentence_on_the_bus(
    qtbot: Any, runner: TaskRunner, bus: UiBus
) -> None:
    async def work() -> None:
        raise Sentenced

    with qtbot.waitSignal(bus.activity, timeout=2000) as activity:
        runner.start("revoke", work())
    action, message, ok = activity.args
    assert (action, ok) == ("revoke", False)
    assert message == "Transmit refused the request: the session was not found."


def test_unexpected_error_is_generic_and_keeps_the_traceback_out(
    qtbot: Any, runner: TaskRunner
) -> None:
    async def work() -> None:
        raise KeyError("internal detail")

    with qtbot.waitSignal(runner.failed, timeout=2000) as failed:
        runner.start("sync", work())
    message = failed.args[1]
    assert "KeyError" in message
    assert "Traceback" not in message
    assert "log file" in message


def test_cancel_and_replace(qtbot: Any, runner: TaskRunner) -> None:
    async def forever() -> None:
        await asyncio.Event().wait()

    first = runner.start("inspect", forever())
    assert first is not None
    second = runner.start("inspect", forever(), replace=True)
    assert second is not None
    qtbot.waitUntil(first.cancelled, timeout=2000)
    assert runner.is_running("inspect")
    with qtbot.waitSignal(runner.finished, timeout=2000) as finished:
        assert runner.cancel("inspect")
    assert finished.args == ["inspect", False]
    assert not runner.is_running()


def test_user_message_of_typed_and_plain_errors() -> None:
    assert user_message(Sentenced()).startswith("Transmit refused")
    assert "did not answer in time" in user_message(TimeoutError())
    assert user_message(ValueError("The leeway cannot be negative.")) == (
        "The leeway cannot be negative."
    )
