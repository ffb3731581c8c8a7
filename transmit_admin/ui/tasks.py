"""The async spine: CPU work off the GUI thread, and coroutines run as tracked, cancellable tasks.

`TaskRunner.start` is what an `@asyncSlot` or a button handler uses for anything that waits:
it disables the given widgets (and shows a spinner) while the coroutine runs, lets the user
cancel it, and turns an exception into one readable sentence on the bus (the traceback goes
to the log only).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from collections.abc import Callable, Coroutine, Iterable
from typing import Any, TypeVar

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget

from transmit_admin.ui.bus import UiBus
from transmit_admin.ui.errors import user_message
from transmit_admin.ui.spinner import Spinner  # also imported from here, its former home

log = logging.getLogger(__name__)
T = TypeVar("T")


async def run_cpu(fn: Callable[..., T], *args: Any) -> T:
    """Runs `fn(*args)` in a worker thread and awaits its result without blocking the GUI."""
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(None, functools.partial(fn, *args))


class TaskRunner(QObject):
    """Starts coroutines as named tasks, one running task per name: a second start is refused
    while the first runs (a double click cannot revoke twice) unless it asks to `replace`."""

    busy_changed = Signal(bool)
    finished = Signal(str, bool)  # name, ok (False also when cancelled)
    failed = Signal(str, str)  # name, readable message

    def __init__(self, bus: UiBus | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._bus = bus
        self._tasks: dict[str, asyncio.Task[Any]] = {}
        self._spinners: list[Spinner] = []

    def add_spinner(self, spinner: Spinner) -> None:
        self._spinners.append(spinner)

    def is_running(self, name: str | None = None) -> bool:
        if name is None:
            return bool(self._tasks)
        return name in self._tasks

    def start(
        self,
        name: str,
        coro: Coroutine[Any, Any, T],
        *,
        busy: Iterable[QWidget] = (),
        on_result: Callable[[T], Any] | None = None,
        on_error: Callable[[str], Any] | None = None,
        report: bool = True,
        replace: bool = False,
    ) -> asyncio.Task[T] | None:
        """Runs `coro`; returns its task, or None (and closes `coro`) if `name` is running.

        `on_result` gets the value; `on_error` gets the readable message (also emitted as
        `failed`, and as a failed `activity` on the bus when `report`). With `replace`, a
        running task of that name is cancelled instead (newest input wins, e.g. inspection).
        """
        if replace and name in self._tasks:
            self._tasks.pop(name).cancel()
        if name in self._tasks:
            coro.close()
            return None
        widgets = [w for w in busy if w is not None]
        for widget in widgets:
            widget.setEnabled(False)
        task: asyncio.Task[T] = asyncio.ensure_future(coro)
        self._tasks[name] = task
        if len(self._tasks) == 1:
            self._set_busy(True)
        task.add_done_callback(lambda t: self._done(name, t, widgets, on_result, on_error, report))
        return task

    def _done(
        self,
        name: str,
        task: asyncio.Task[Any],
        widgets: list[QWidget],
        on_result: Callable[[Any], Any] | None,
        on_error: Callable[[str], Any] | None,
        report: bool,
    ) -> None:
        if self._tasks.get(name) is task:
            del self._tasks[name]
        for widget in widgets:
            with contextlib.suppress(RuntimeError):  # the widget was deleted meanwhile
                widget.setEnabled(True)
        if not self._tasks:
            self._set_busy(False)
        if task.cancelled():
            self.finished.emit(name, False)
            return
        exc = task.exception()
        if exc is None:
            if on_result is not None:
                on_result(task.result())
            self.finished.emit(name, True)
            return
        message = user_message(exc, action=name)
        if on_error is not None:
            on_error(message)
        self.failed.emit(name, message)
        if report and self._bus is not None:
            self._bus.activity.emit(name, message, False)
        self.finished.emit(name, False)

    def cancel(self, name: str) -> bool:
        task = self._tasks.get(name)
        if task is None:
            return False
        return task.cancel()

    def cancel_all(self) -> None:
        for task in list(self._tasks.values()):
            task.cancel()

    async def wait_all(self) -> None:
        """Waits for every running task to end (used at shutdown, after `cancel_all`)."""
        pending = list(self._tasks.values())
        if pending:
            await asyncio.gather(*pending, return_exceptions=True)

    def _set_busy(self, busy: bool) -> None:
        for spinner in self._spinners:
            spinner.set_busy(busy)
        self.busy_changed.emit(busy)
