"""Starting the desktop app: `QApplication`, the main window's first frame, then one qasync
loop for the app's life.

The window shows at once with a "starting" page while the context (and maybe the sandbox) is
built in a worker thread. Until that first frame is painted only what it shows is imported: the
controller, qasync (and with them asyncio, the API and store modules) come right after it, while
the "starting" page is on screen. `--smoke-test` runs the same start offscreen, inspects one
token the sandbox minted, and exits 0 when it verified as valid.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import argparse

    from transmit_admin.ui.main_controller import MainController
    from transmit_admin.ui.main_window import MainWindow

log = logging.getLogger(__name__)
SMOKE_TIMEOUT_SECONDS = 90.0
# The longest the rest of the start waits for the window's first paint (see `_show_first_frame`).
FIRST_FRAME_WAIT_MS = 500


def _qt_message(mode: Any, context: Any, message: str) -> None:
    """Qt's own warnings go to the log file like everything else, not to a terminal."""
    from PySide6.QtCore import QtMsgType

    level = {
        QtMsgType.QtDebugMsg: logging.DEBUG,
        QtMsgType.QtInfoMsg: logging.INFO,
        QtMsgType.QtWarningMsg: logging.WARNING,
    }.get(mode, logging.ERROR)
    logging.getLogger("qt").log(level, "%s", message)


def _make_application(smoke: bool) -> Any:
    if smoke:
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from PySide6.QtCore import qInstallMessageHandler
    from PySide6.QtWidgets import QApplication  # before qasync, so qasync picks PySide6

    from transmit_admin import APP_ID, APP_NAME
    from transmit_admin.ui.icons import icon

    qInstallMessageHandler(_qt_message)
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(sys.argv[:1])
    app.setOrganizationName(APP_NAME)
    app.setApplicationName(APP_NAME)
    app.setApplicationDisplayName("Transmit Admin")
    app.setDesktopFileName(APP_ID)
    app.setWindowIcon(icon("app"))
    # The window's close ends the run (see `_run`), after the async clean-up.
    app.setQuitOnLastWindowClosed(False)
    return app


def ui_settings(data_dir: Any) -> Any:
    """UI state (geometry, splitters) lives next to the data, never a secret in it."""
    from PySide6.QtCore import QSettings

    from transmit_admin.store.paths import data_dir as resolve_data_dir

    path = resolve_data_dir(data_dir) / "ui-state.ini"
    return QSettings(str(path), QSettings.Format.IniFormat)


def _window_watch(window: MainWindow) -> Any:
    """Notes the window's first paint and its close, from before the event loop runs.

    The close may come before `_run` waits for it (during the first frame, or while the
    controller is being imported), so it is remembered as well as signalled."""
    from PySide6.QtCore import QEvent, QObject, Signal

    class WindowWatch(QObject):
        painted = Signal()
        closed = Signal()

        def __init__(self, parent: QObject) -> None:
            super().__init__(parent)
            self.was_painted = False
            self.was_closed = False

        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.Paint and not self.was_painted:
                self.was_painted = True
                self.painted.emit()
            elif event.type() == QEvent.Type.Close and not self.was_closed:
                self.was_closed = True
                self.closed.emit()
            return False

    watch = WindowWatch(window)
    window.installEventFilter(watch)
    return watch


def _show_first_frame(window: MainWindow, watch: Any) -> None:
    """Shows the window and returns once Qt has painted it (or it was closed).

    A window that is not painted within `FIRST_FRAME_WAIT_MS` (started minimised, or on a
    display that never exposes it) does not hold the start back any longer."""
    from PySide6.QtCore import QEventLoop, QTimer

    window.show()
    if watch.was_painted or watch.was_closed:
        return
    wait = QEventLoop()
    watch.painted.connect(wait.quit)
    watch.closed.connect(wait.quit)
    QTimer.singleShot(FIRST_FRAME_WAIT_MS, wait.quit)
    # Painting is done in one go: the children and the flush to the screen follow the
    # window's own paint event before this loop returns.
    wait.exec()
    watch.painted.disconnect(wait.quit)
    watch.closed.disconnect(wait.quit)


async def _run(controller: MainController, watch: Any, *, smoke: bool) -> int:
    import asyncio

    closed = asyncio.get_running_loop().create_future()

    def set_closed() -> None:
        if not closed.done():
            closed.set_result(None)

    watch.closed.connect(set_closed)
    try:
        if watch.was_closed:  # while the controller was being imported: start nothing
            return 0
        controller.start()
        if smoke:
            from transmit_admin.ui.smoke import smoke_test

            return await asyncio.wait_for(smoke_test(controller), SMOKE_TIMEOUT_SECONDS)
        await closed
        return 0
    except TimeoutError:
        print(f"smoke test failed: no result within {SMOKE_TIMEOUT_SECONDS:.0f} s", file=sys.stderr)
        return 1
    finally:
        controller.save_state()
        await controller.aclose()


def _close_on_signals(window: Any) -> Any:
    """Ctrl+C or SIGTERM close the window like the Quit menu, so the sandbox child is stopped.

    Python runs signal handlers only when it gets control; a slow timer gives it that.
    """
    from PySide6.QtCore import QTimer

    def close(*_: Any) -> None:
        QTimer.singleShot(0, window.close)

    for number in (signal.SIGINT, signal.SIGTERM):
        signal.signal(number, close)
    wake = QTimer(window)
    wake.setInterval(300)
    wake.timeout.connect(lambda: None)
    wake.start()
    return wake


def missing_display_message(environ: Any = None, platform: str | None = None) -> str | None:
    """Why no window can open here, or None.

    Without a display Qt's xcb plugin aborts the process, and its last words go to our log
    file (Qt messages are routed there): the user would see nothing at all. Say it first."""
    environ = os.environ if environ is None else environ
    platform = sys.platform if platform is None else platform
    if not platform.startswith("linux") or environ.get("QT_QPA_PLATFORM"):
        return None
    if environ.get("DISPLAY") or environ.get("WAYLAND_DISPLAY"):
        return None
    return (
        "transmit-admin: no display found (neither DISPLAY nor WAYLAND_DISPLAY is set), so the "
        "window cannot open. Run it in a desktop session, or headless with "
        "`xvfb-run transmit-admin`; the sub-commands (`transmit-admin --help`) need no display."
    )


_LOOP_STOPPED_UNDER_US = (
    "Event loop stopped before Future completed.",
    "no running event loop",
)


def _qt_left_under_us() -> int:
    """Qt ended its event loop while the app was running: the display (X server, Wayland
    compositor) went away or the desktop session ended. Nothing is half-written (store
    writes are transactions) and the sandbox child ends with this process."""
    log.warning("Qt's event loop ended before the window was closed", exc_info=True)
    print(
        "transmit-admin: the window system closed the application (the display went away).",
        file=sys.stderr,
    )
    return 1


def run_gui(args: argparse.Namespace) -> int:
    smoke = bool(getattr(args, "smoke_test", False))
    problem = None if smoke else missing_display_message()
    if problem is not None:
        print(problem, file=sys.stderr)
        return 2
    env_name = getattr(args, "env", None)
    if smoke and env_name is None:
        env_name = "sandbox"
    app = _make_application(smoke)
    from transmit_admin.ui.main_window import MainWindow

    settings = ui_settings(args.data_dir)
    window = MainWindow()
    window.restore_geometry(settings)
    window.show_starting()
    watch = _window_watch(window)
    wake = _close_on_signals(window)
    try:
        _show_first_frame(window, watch)
        if watch.was_closed:  # closed before anything started: nothing to stop or save
            return 0
        # Imported once the first frame is on screen (see the module's docstring).
        import asyncio

        import qasync

        from transmit_admin import __version__
        from transmit_admin.ui.bus import UiBus
        from transmit_admin.ui.main_controller import MainController

        app.setApplicationVersion(__version__)
        controller = MainController(
            window, UiBus(), settings, data_dir=args.data_dir, env_name=env_name
        )
        loop = qasync.QEventLoop(app)
        asyncio.set_event_loop(loop)
        try:
            with loop:
                try:
                    return int(loop.run_until_complete(_run(controller, watch, smoke=smoke)))
                except RuntimeError as exc:
                    # Either the loop stopped before `_run` finished, or it stopped while
                    # `_run`'s clean-up was awaiting: both mean Qt quit under us.
                    if str(exc) not in _LOOP_STOPPED_UNDER_US:
                        raise
                    return _qt_left_under_us()
        finally:
            asyncio.set_event_loop(None)
    finally:
        wake.stop()
        window.removeEventFilter(watch)
        window.hide()
        window.deleteLater()
