"""Fixtures for Qt tests (see ../shared/qt-async-notes.md; the pattern is binding):

- `qloop`: THE qasync loop, one for the whole session, set as the running loop for the test;
  pending tasks are cancelled afterwards. Never create another loop in a Qt test.
- `no_leaked_widgets` (autouse): fails a test that leaves a new top-level widget alive.
- `make_main_window(info)`: a `MainWindow` + `MainController` over a sandbox (running in a
  child process; the session `sandbox` fixture or a `fresh_sandbox`) and a temp data folder.
  `main_window` is that over the shared sandbox.
- `run_async(coro)`: awaits a coroutine from a synchronous test by pumping Qt events.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import PySide6.QtWidgets  # noqa: F401 - PySide6 before qasync, always
import pytest
import qasync
from PySide6.QtCore import QCoreApplication, QEvent
from PySide6.QtWidgets import QApplication

from transmit_admin.app import AppRuntime, runtime_for_sandbox
from transmit_admin.sandbox.runner import SandboxInfo
from transmit_admin.ui.bus import UiBus
from transmit_admin.ui.launch import ui_settings
from transmit_admin.ui.main_controller import MainController
from transmit_admin.ui.main_window import MainWindow


@pytest.fixture(scope="session")
def _qasync_loop(qapp: QApplication) -> Iterator[qasync.QEventLoop]:
    loop = qasync.QEventLoop(qapp)  # ONE loop for the whole session
    yield loop
    loop.close()


@pytest.fixture
def qloop(_qasync_loop: qasync.QEventLoop, qapp: QApplication) -> Iterator[qasync.QEventLoop]:
    asyncio.set_event_loop(_qasync_loop)
    asyncio._set_running_loop(_qasync_loop)
    try:
        yield _qasync_loop
    finally:
        pending = [t for t in asyncio.all_tasks(_qasync_loop) if not t.done()]
        for task in pending:
            task.cancel()
        for _ in range(20):
            if all(t.done() for t in pending):
                break
            qapp.processEvents()
        asyncio._set_running_loop(None)
        asyncio.set_event_loop(None)


def _flush_deletions() -> None:
    for _ in range(3):
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        QCoreApplication.processEvents()


@pytest.fixture(autouse=True)
def no_leaked_widgets(qapp: QApplication) -> Iterator[None]:
    """napari's guard: a test must not leave top-level widgets behind for the next one."""
    _flush_deletions()
    before = {id(w) for w in qapp.topLevelWidgets()}
    yield
    _flush_deletions()
    leaked = [w for w in qapp.topLevelWidgets() if id(w) not in before]
    if leaked:
        names = ", ".join(f"{type(w).__name__}({w.objectName()!r})" for w in leaked)
        for widget in leaked:  # do not poison the next test too
            widget.close()
            widget.deleteLater()
        _flush_deletions()
        pytest.fail(f"the test leaked top-level widgets: {names}")


def _run_async(qtbot: Any, coro: Coroutine[Any, Any, Any], timeout: int = 15000) -> Any:
    task = asyncio.ensure_future(coro)
    qtbot.waitUntil(task.done, timeout=timeout)
    return task.result()


@pytest.fixture
def run_async(qtbot: Any, qloop: qasync.QEventLoop) -> Callable[..., Any]:
    """`run_async(coro)`: awaits `coro` on the session loop from a synchronous test."""
    return lambda coro, timeout=15000: _run_async(qtbot, coro, timeout)


@dataclass
class WindowUnderTest:
    window: MainWindow
    controller: MainController
    bus: UiBus
    runtime: AppRuntime
    info: SandboxInfo
    data_dir: Path

    @property
    def inspector(self) -> Any:
        assert self.controller.inspector is not None
        return self.controller.inspector


@pytest.fixture
def make_main_window(
    qtbot: Any, qloop: qasync.QEventLoop, tmp_path: Path
) -> Iterator[Callable[[SandboxInfo], WindowUnderTest]]:
    made: list[WindowUnderTest] = []

    def make(info: SandboxInfo) -> WindowUnderTest:
        data_dir = tmp_path / f"data-{len(made)}"
        # Blocking (seeds the store over HTTP with a private loop): not on the Qt thread.
        with ThreadPoolExecutor(1) as pool:
            ctx = pool.submit(runtime_for_sandbox, info, data_dir).result()
        bus = UiBus()
        window = MainWindow()
        controller = MainController(window, bus, ui_settings(data_dir), runtime=ctx)
        controller.start()
        window.show()
        qtbot.waitExposed(window)
        under_test = WindowUnderTest(window, controller, bus, ctx, info, data_dir)
        made.append(under_test)
        return under_test

    yield make
    for item in made:
        item.window.close()
        _run_async(qtbot, item.controller.aclose())
        item.window.deleteLater()
        item.bus.deleteLater()
    _flush_deletions()


@pytest.fixture
def main_window(
    make_main_window: Callable[[SandboxInfo], WindowUnderTest], sandbox: SandboxInfo
) -> WindowUnderTest:
    return make_main_window(sandbox)


@pytest.fixture
def bus(qapp: QApplication) -> Iterator[UiBus]:
    instance = UiBus()
    yield instance
    instance.deleteLater()
