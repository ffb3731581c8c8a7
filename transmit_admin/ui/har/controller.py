"""The HAR tab's logic: open a capture (dialog or drop), read it in a worker thread with
progress and Cancel, show what it exposes, revoke its live sessions, save a sanitized copy.

The work is `services.har_intake`; this only wires it to the widgets. The capture stays where
the agent put it: its path lives in memory for the export and is never logged or saved (the
file dialogs are Qt's own, so the desktop's recent-files list does not learn it either).
"""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QDir, QEvent, QObject, QStandardPaths, Signal
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QGuiApplication
from PySide6.QtWidgets import QDialog, QFileDialog, QWidget

from transmit_admin.core.har import SecretKind
from transmit_admin.services.har_intake import HarIntake, HarIntakeService
from transmit_admin.services.har_report import report_markdown
from transmit_admin.services.results import Outcome
from transmit_admin.ui.bus import UiBus
from transmit_admin.ui.har.dialogs import RevokeCaptureDialog
from transmit_admin.ui.har.rows import Rendered, render_all
from transmit_admin.ui.har.view import HarView, dropped_file
from transmit_admin.ui.tasks import TaskRunner, run_cpu

if TYPE_CHECKING:
    from transmit_admin.core.environment import Environment
    from transmit_admin.workspace import Workspace, Workspaces

log = logging.getLogger(__name__)
READ, REVOKE, EXPORT, CHECK = "read capture", "revoke capture sessions", "export", "check"
SYNC_RENDER_ROWS = 150  # secrets + steps laid out on the GUI thread (≈ 10 ms); more in a thread


class ProgressRelay(QObject):
    """Called from the worker thread; a signal carries each new percentage to the bar (Qt
    queues it to the GUI thread), at most 101 times per pass."""

    changed = Signal(int)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._last = -1

    @property
    def reading(self) -> bool:
        """Between the first and the last entry (where the reader checks for Cancel)."""
        return 0 <= self._last < 100

    def reset(self) -> None:
        self._last = -1

    def __call__(self, done: int, total: int | None) -> None:
        if not total:
            return
        percent = min(100, done * 100 // total)
        if percent != self._last:
            self._last = percent
            self.changed.emit(percent)


def documents_folder() -> str:
    folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    return folder if folder and Path(folder).is_dir() else QDir.homePath()


class HarController(QObject):
    token_opened = Signal()  # a token went to the Token tab: show it
    wants_focus = Signal()  # a capture was dropped on the window: show this tab
    shown = Signal()  # a result, or a sentence saying why not, is on screen

    def __init__(
        self, workspaces: Workspaces, bus: UiBus, view: HarView, data_dir: Path | None = None
    ) -> None:
        super().__init__(view)
        self.workspaces = workspaces
        self.data_dir = data_dir  # where the saved environments are (None: none are known)
        self._keys_problem: str | None = None  # why the last read's tokens are unverified
        self.bus = bus
        self.view = view
        self.runner = TaskRunner(bus, self)
        self._painter = TaskRunner(None, self)  # rendering a large capture; never "busy"
        self.intake: HarIntake | None = None
        self.dialog: QDialog | None = None  # the open question or file dialog (tests use it)
        self._path: Path | None = None
        self._cancel = threading.Event()
        self._progress = ProgressRelay(self)
        self._progress.changed.connect(view.progress.setValue)
        self.runner.finished.connect(self._task_finished)
        view.open_button.clicked.connect(self.open_dialog)
        view.cancel_button.clicked.connect(self.cancel)
        view.file_dropped.connect(self.open_path)
        view.revoke_button.clicked.connect(self.revoke_live)
        view.check_button.clicked.connect(self.check_again)
        view.export_button.clicked.connect(self.export_dialog)
        view.report_button.clicked.connect(self.copy_report)
        view.secrets.doubleClicked.connect(lambda index: self._open_secret(index.row()))
        view.sessions.doubleClicked.connect(lambda index: self._open_session(index.row()))
        bus.redaction_changed.connect(lambda _on: self.render())
        self.render()

    def _service(self, ws: Workspace | None = None) -> HarIntakeService:
        from transmit_admin.store.environments import EnvironmentsFileError, SavedEnvironments

        saved: list[Environment] = []
        try:
            if self.data_dir is not None:
                saved = SavedEnvironments(self.data_dir).load_all()
        except EnvironmentsFileError as exc:
            log.warning("saved environments unreadable: %s", exc)
        return HarIntakeService((ws or self.workspaces.current).service, saved)

    # --- reading ---------------------------------------------------------------------------
    def open_dialog(self) -> None:
        dialog = QFileDialog(self.view, self.tr("Open a HAR capture"), documents_folder())
        dialog.setNameFilters([self.tr("HAR captures (*.har *.json)"), self.tr("All files (*)")])
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        # Qt's own dialog: the desktop's (GTK) one adds the file to its recent-files list.
        dialog.setOption(QFileDialog.Option.DontUseNativeDialog)
        dialog.fileSelected.connect(self.open_path)
        self._ask(dialog)

    def open_path(self, path_text: str) -> None:
        if self.runner.is_running():
            self.view.show_message(self.tr("Still busy with the previous capture."), False)
            return
        path = Path(path_text)
        self.view.file_label.setText(path.name)
        if not path.is_file():
            self._failed(self.tr("{0} is not a file that can be read.").format(path.name))
            return
        self._path = path
        self._start(READ, self._read(path, self._fresh_cancel()), self._read_done)

    def _fresh_cancel(self) -> threading.Event:
        """One event per piece of work: a new read must not revive a cancelled one still
        winding down in its thread."""
        self._cancel = threading.Event()
        return self._cancel

    async def _read(self, path: Path, cancel: threading.Event) -> HarIntake:
        ws = self.workspaces.current
        found = await ws.keys.get()
        self._keys_problem = found.problem
        keys = found.value
        if keys is None:
            log.info("reading a capture without the environment's keys: tokens unverified")
        service = self._service(ws)
        return await service.read(
            lambda: path.open("rb"),
            path.name,
            keys=keys,
            owner_email=self.view.owner_email.text().strip() or None,
            total_bytes=path.stat().st_size,
            on_progress=self._progress,
            cancelled=cancel.is_set,
        )

    def _read_done(self, intake: HarIntake) -> None:
        self.intake = intake
        self.render()
        live = len(intake.live())
        self.bus.activity.emit(
            "HAR",
            self.tr("Read {0}: {1} secrets, {2} sessions ({3} live)").format(
                intake.name, len(intake.analysis.inventory), len(intake.matches), live
            ),
            True,  # reading worked; what it found is in the words
        )
        if intake.live():
            self.view.result_tabs.setCurrentIndex(0)

    def cancel(self) -> None:
        # Reading and writing stop between two entries and say how far they got; a check
        # (a few session-list calls) is simply cancelled. A revoke cannot be: its Cancel is
        # hidden, as a logout half recorded would leave the trail unsure.
        self._cancel.set()
        self.runner.cancel(CHECK)
        if not self._progress.reading:  # fetching keys or checking sessions: no entries to
            self.runner.cancel(READ)  # stop between, so the task itself is cancelled

    def _task_finished(self, _name: str, ok: bool) -> None:
        if not ok and self.view.cancel_button.isVisibleTo(self.view):  # cancelled, no error
            self.view.set_busy(False)
            self.render()
            self.view.show_message(self.tr("Cancelled."), False)
            self.shown.emit()

    def check_again(self) -> None:
        intake = self.intake
        if intake is None:
            return

        async def check() -> None:
            service = self._service()
            email = self.view.owner_email.text().strip() or None
            intake.matches = await service.check(service.match(intake.analysis), owner_email=email)

        self._start(CHECK, check(), lambda _none: self.render())

    # --- revoking --------------------------------------------------------------------------
    def revoke_live(self) -> None:
        intake = self.intake
        if intake is None:
            return
        live = intake.live()
        if not live:
            self.view.show_message(self.tr("No live session to revoke in this capture."))
            return
        env = self.workspaces.current.environment
        if intake.environment != env:
            self.view.show_message(
                self.tr("This capture was read for {0}; open it again to revoke in {1}.").format(
                    intake.environment.name, env.name
                ),
                False,
            )
            return
        if len(live) >= 2 or env.production:
            dialog = RevokeCaptureDialog(len(live), env.name, env.production, self.view)
            dialog.accepted.connect(self._start_revoke)
            self._ask(dialog)
        else:
            self._start_revoke()

    def _start_revoke(self) -> None:
        intake = self.intake
        if intake is not None:
            self._start(REVOKE, self._revoke(intake), lambda _r: self.render())

    async def _revoke(self, intake: HarIntake) -> None:
        results = await self._service().revoke(intake)
        for result in results:
            self.bus.session_changed.emit(result.session_id)
        self.bus.sessions_reloaded.emit()  # sessions tracked from the capture are new rows
        revoked = sum(r.outcome is Outcome.REVOKED for r in results)
        gone = sum(r.outcome in (Outcome.ALREADY_GONE, Outcome.ENDED) for r in results)
        text = self.tr("Revoked {0} of {1} live session(s) found in {2}.").format(
            revoked, len(results), intake.name
        )
        if gone:
            text += self.tr(" {0} had already ended.").format(gone)
        self.bus.activity.emit("revoke", text, revoked + gone == len(results))

    # --- export ----------------------------------------------------------------------------
    def export_dialog(self) -> None:
        if self.intake is None or self._path is None:
            return
        dialog = QFileDialog(self.view, self.tr("Save a sanitized copy"), documents_folder())
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setNameFilters([self.tr("HAR captures (*.har)")])
        dialog.setDefaultSuffix("har")
        dialog.setOption(QFileDialog.Option.DontUseNativeDialog)
        dialog.selectFile(f"{self._path.stem}.sanitized.har")
        dialog.fileSelected.connect(self.export_to)
        self._ask(dialog)

    def export_to(self, path_text: str) -> None:
        intake, source = self.intake, self._path
        if intake is None or source is None:
            return
        out = Path(path_text)
        if out.resolve() == source.resolve():
            self.view.show_message(
                self.tr("Choose another name: that is the capture itself."), False
            )
            return

        cancel = self._fresh_cancel()

        async def export() -> str:
            manifest = await self._service().export(
                intake,
                lambda: source.open("rb"),
                out,
                mask_pii=self.view.mask_pii.isChecked(),
                on_progress=self._progress,
                cancelled=cancel.is_set,
            )
            return self.tr(
                "Saved a sanitized copy to {0}: {1} entries, {2} values replaced."
            ).format(out, manifest.entries, sum(manifest.replaced.values()))

        self._start(EXPORT, export(), lambda text: self.view.show_message(text))

    def copy_report(self) -> None:
        """The ticket report, always redacted (it leaves the app), onto the clipboard."""
        if self.intake is None:
            return
        text = report_markdown(self.intake, datetime.now(UTC), redact=True)
        QGuiApplication.clipboard().setText(text)
        self.view.show_message(self.tr("The ticket report (redacted) is on the clipboard."))

    # --- common ----------------------------------------------------------------------------
    def _ask(self, dialog: QDialog) -> None:
        if self.dialog is not None:
            self.dialog.close()
        self.dialog = dialog
        dialog.finished.connect(lambda _code: self._dialog_done(dialog))
        dialog.open()

    def _dialog_done(self, dialog: QDialog) -> None:
        if self.dialog is dialog:
            self.dialog = None
        dialog.deleteLater()

    def _start(self, name: str, coro: Any, on_result: Any) -> None:
        self._progress.reset()
        self.view.set_busy(True, cancellable=name != REVOKE)

        def finished(value: Any) -> None:
            self.view.set_busy(False)
            on_result(value)
            self.shown.emit()

        started = self.runner.start(
            name,
            coro,
            on_result=finished,
            on_error=lambda message: self._failed(message, replaces_capture=name == READ),
            report=False,
        )
        if started is None:
            self.view.set_busy(False)

    def _failed(self, message: str, *, replaces_capture: bool = True) -> None:
        """One sentence in the view; a capture that could not be read replaces the one shown
        (its name is in the label already), a failed revoke or export keeps it."""
        self.view.set_busy(False)
        if replaces_capture:
            self.intake = None
            self.render()
        self.view.show_message(message, False)
        self.shown.emit()

    def render(self) -> None:
        """Shows the capture in the current redaction mode; a large one is laid out in a
        worker thread, its tables emptied meanwhile so that nothing unmasked lingers."""
        view, intake = self.view, self.intake
        view.show_results(intake is not None)
        if intake is None:
            for table in (view.secrets, view.timeline, view.sessions):
                table.fill([])
            for button in (view.revoke_button, view.export_button, view.report_button):
                button.setEnabled(False)
            return
        now, redact = datetime.now(UTC), self.bus.redaction_enabled()
        size = len(intake.analysis.inventory) + len(intake.analysis.timeline.steps)
        if size <= SYNC_RENDER_ROWS:
            self._apply(intake, render_all(intake, now, redact))
            return
        for table in (view.secrets, view.timeline, view.sessions):
            table.fill([])
        view.show_message(self.tr("Laying out {0} rows…").format(size))
        self._painter.start(
            "render",
            run_cpu(render_all, intake, now, redact),
            on_result=lambda rendered: self._apply(intake, rendered),
            report=False,
            replace=True,
        )

    def _apply(self, intake: HarIntake, rendered: Rendered) -> None:
        view = self.view
        if self.intake is not intake:  # another capture replaced it meanwhile
            return
        view.secrets.fill(rendered.secrets, tips=rendered.secret_tips)
        view.timeline.fill(rendered.timeline, rendered.failed_steps)
        view.sessions.fill(rendered.sessions, rendered.live_sessions)
        view.result_tabs.setTabText(0, self.tr("Sessions ({0})").format(len(rendered.sessions)))
        view.result_tabs.setTabText(1, self.tr("Secrets ({0})").format(len(rendered.secrets)))
        view.result_tabs.setTabText(2, self.tr("Timeline ({0})").format(len(rendered.timeline)))
        live = len(rendered.live_sessions)
        busy = self.runner.is_running()
        view.revoke_button.setText(self.tr("Revoke live sessions ({0})").format(live))
        view.revoke_button.setEnabled(live > 0 and not busy)
        view.export_button.setEnabled(not busy)
        view.report_button.setEnabled(not busy)
        text = rendered.summary
        if self._keys_problem:
            text += self.tr("\nTokens are not verified: {0}").format(self._keys_problem)
        view.show_message(text)

    # --- opening items elsewhere -----------------------------------------------------------
    def _open_secret(self, row: int) -> None:
        items = self.intake.analysis.inventory.items if self.intake else []
        if 0 <= row < len(items) and items[row].kind is SecretKind.JWT:
            self.bus.inspect_text.emit(items[row].value)
            self.token_opened.emit()

    def _open_session(self, row: int) -> None:
        matches = self.intake.matches if self.intake else []
        if not 0 <= row < len(matches):
            return
        session_id = matches[row].session_id
        ws = self.workspaces.current
        if ws.reader.get_session(ws.environment.name, session_id) is not None:
            self.bus.open_session.emit(session_id)
        else:
            self.view.show_message(
                self.tr("That session is not tracked; revoking it from here tracks it first."),
                False,
            )

    # --- drops on the whole window ---------------------------------------------------------
    def watch_drops(self, window: QWidget) -> None:
        """A capture dropped anywhere on the window opens here (widgets that take drops
        themselves, such as the token text box, keep theirs)."""
        window.setAcceptDrops(True)
        window.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.DragEnter and isinstance(event, QDragEnterEvent):
            if dropped_file(event):
                event.acceptProposedAction()
                return True
        elif event.type() == QEvent.Type.Drop and isinstance(event, QDropEvent):
            path = dropped_file(event)
            if path:
                event.acceptProposedAction()
                self.wants_focus.emit()
                self.open_path(path)
                return True
        return False

    async def aclose(self) -> None:
        self.cancel()
        self._painter.cancel_all()
        await self.runner.wait_all()
        await self._painter.wait_all()
