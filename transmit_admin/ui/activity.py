"""`ActivityPanel`: what was done and how it went, bulk progress with Cancel, and the audit log.

`BulkProgress` is the one channel through which long multi-row work reports (one per bus,
`bulk_progress(bus)`), so whoever starts bulk work needs no reference to this panel.
The audit export writes the file in a worker thread (`run_cpu`): a big log never stalls the
window. The Recent list is a model (`recent_model.RecentModel`): a bulk revoke's results are
queued and listed together, one insert per delivered batch.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from PySide6.QtCore import QObject, QStandardPaths, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QTabWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from transmit_admin.core.redact import mask_email, mask_id, redact_secrets
from transmit_admin.core.timefmt import local_text, utc_text
from transmit_admin.services.results import ActionResult, Outcome
from transmit_admin.ui.bus import UiBus
from transmit_admin.ui.icons import icon
from transmit_admin.ui.recent_model import (
    MAX_RECENT,
    MESSAGE_ROLE,
    RecentEntry,
    RecentModel,
    recent_view,
)
from transmit_admin.ui.redaction import mask_text
from transmit_admin.ui.tasks import TaskRunner, run_cpu

if TYPE_CHECKING:
    from transmit_admin.store.reader import StoreReader
    from transmit_admin.workspace import Workspaces

log = logging.getLogger(__name__)

__all__ = ["MAX_RECENT", "MESSAGE_ROLE", "ActivityPanel", "BulkProgress", "bulk_progress"]

AUDIT_SHOWN = 500  # newest audit entries shown; the export has them all
AUDIT_SCAN = 20 * AUDIT_SHOWN  # entries read to find them (other environments are skipped)
BAR_INTERVAL_MS = 50
ExportFormat = Literal["csv", "json"]


class BulkProgress(QObject):
    started = Signal(str, int)  # title, total
    advanced = Signal(int, int, str, bool)  # done, total, message, ok
    ended = Signal(str, bool)  # summary, ok

    def __init__(self, parent: QObject) -> None:
        super().__init__(parent)
        self.setObjectName("bulkProgress")
        self.total = 0
        self.done = 0
        self.cancelled = 0  # results that were cancelled before they were sent
        self.running = False
        self._cancel: Callable[[], None] | None = None

    def begin(self, title: str, total: int, cancel: Callable[[], None]) -> None:
        self.total, self.done, self.running, self._cancel = total, 0, True, cancel
        self.cancelled = 0
        self.started.emit(title, total)

    def advance(self, result: ActionResult, about: str | None = None) -> None:
        """`about`: who and which session the line names (default: the session id)."""
        self.done += 1
        if result.outcome is Outcome.CANCELLED:
            self.cancelled += 1
        self.advanced.emit(
            self.done, self.total, f"{about or result.session_id}: {result.message}", result.ok
        )

    def end(self, summary: str, ok: bool) -> None:
        self.running = False
        self._cancel = None
        self.ended.emit(summary, ok)

    def cancel(self) -> None:
        if self._cancel is not None:
            self._cancel()


def bulk_progress(bus: UiBus) -> BulkProgress:
    found = bus.findChild(BulkProgress, "bulkProgress")
    return found if isinstance(found, BulkProgress) else BulkProgress(bus)


class ActivityPanel(QWidget):
    def __init__(self, workspaces: Workspaces, bus: UiBus, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("activityPanel")
        self.workspaces = workspaces
        self.bus = bus
        self.runner = TaskRunner(bus, self)
        self.progress = bulk_progress(bus)
        self.export_dialog: QFileDialog | None = None  # while Export's dialog is open
        self.tabs = QTabWidget(self)
        self.tabs.setAccessibleName(self.tr("Activity"))
        self.tabs.setDocumentMode(True)

        self.recent_model = RecentModel(bus.redaction_enabled, self)
        self.recent = recent_view(self.recent_model, self)  # why a table: see recent_model
        self.recent.setAccessibleName(self.tr("Recent actions"))
        self.recent.setToolTip(self.tr("What was done in this run, newest first"))
        self.recent.setColumnWidth(0, 80)
        self.recent.setColumnWidth(1, 140)

        self.bar = QProgressBar(self)
        self.bar.setAccessibleName(self.tr("Bulk progress"))
        self.bar.setToolTip(self.tr("Progress of the running bulk action"))
        self.bar_label = QLabel(self)
        self.bar_label.setAccessibleName(self.tr("Bulk action"))
        self.cancel_button = QPushButton(icon("cancel"), self.tr("&Cancel"), self)
        self.cancel_button.setToolTip(self.tr("Stop sending; what was already sent completes"))
        self.cancel_button.setAccessibleName(self.tr("Cancel bulk action"))
        self.progress_row = QWidget(self)
        row = QHBoxLayout(self.progress_row)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.bar_label)
        row.addWidget(self.bar, 1)
        row.addWidget(self.cancel_button)
        self.progress_row.hide()
        recent_page = QWidget(self)
        recent_layout = QVBoxLayout(recent_page)
        recent_layout.setContentsMargins(0, 0, 0, 0)
        recent_layout.addWidget(self.progress_row)
        recent_layout.addWidget(self.recent, 1)

        self.audit = QTreeWidget(self)
        self.audit.setHeaderLabels(
            [
                self.tr("When"),
                self.tr("Who"),
                self.tr("Action"),
                self.tr("User"),
                self.tr("Target"),
                self.tr("Outcome"),
                self.tr("Detail"),
            ]
        )
        self.audit.setRootIsDecorated(False)
        for column, width in enumerate((150, 70, 90, 190, 120, 80)):
            self.audit.setColumnWidth(column, width)
        self.audit.setAccessibleName(self.tr("Audit log"))
        self.audit.setToolTip(self.tr("The append-only audit log, newest first"))
        self.refresh_button = QPushButton(icon("refresh"), self.tr("&Refresh"), self)
        self.refresh_button.setToolTip(self.tr("Read the audit log again"))
        self.refresh_button.setAccessibleName(self.tr("Refresh audit log"))
        self.export_button = QPushButton(icon("export"), self.tr("&Export…"), self)
        self.export_button.setToolTip(self.tr("Save the whole audit log as CSV or JSON"))
        self.export_button.setAccessibleName(self.tr("Export audit log"))
        self.audit_status = QLabel(self)
        self.audit_status.setAccessibleName(self.tr("Audit status"))
        audit_page = QWidget(self)
        audit_layout = QVBoxLayout(audit_page)
        audit_layout.setContentsMargins(0, 0, 0, 0)
        buttons = QHBoxLayout()
        buttons.addWidget(self.audit_status, 1)
        buttons.addWidget(self.refresh_button)
        buttons.addWidget(self.export_button)
        audit_layout.addLayout(buttons)
        audit_layout.addWidget(self.audit, 1)

        self.tabs.addTab(recent_page, icon("verify"), self.tr("Activity"))
        self.tabs.addTab(audit_page, icon("note"), self.tr("Audit"))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.tabs)

        self._bar_value: tuple[int, int] | None = None
        self._bulk_cancelled = 0
        self._bar_timer = QTimer(self)
        self._bar_timer.setSingleShot(True)
        self._bar_timer.setInterval(BAR_INTERVAL_MS)
        self._bar_timer.timeout.connect(self._apply_bar)

        bus.activity.connect(self.add_activity)
        bus.redaction_changed.connect(self._redaction_changed)
        bus.environment_changed.connect(self._environment_changed)
        self.progress.started.connect(self._bulk_started)
        self.progress.advanced.connect(self._bulk_advanced)
        self.progress.ended.connect(self._bulk_ended)
        self.cancel_button.clicked.connect(self.progress.cancel)
        self.refresh_button.clicked.connect(self.load_audit)
        self.export_button.clicked.connect(self._choose_export)
        self.tabs.currentChanged.connect(self._tab_changed)

    # -- recent -----------------------------------------------------------------------------
    def add_activity(self, action: str, message: str, ok: bool) -> None:
        """Lists a result at the top at once (after any bulk results still queued)."""
        self.recent_model.add(_entry(action, message, ok))

    def recent_rows(self) -> int:
        return self.recent_model.rowCount()

    def recent_text(self, row: int, column: int) -> str:
        """The text shown in a cell of the Recent list (masked while redacting)."""
        return str(self.recent_model.index(row, column).data() or "")

    def recent_data(self, row: int, column: int, role: int) -> Any:
        return self.recent_model.index(row, column).data(role)

    def _user(self, email: str | None, user_id: str | None) -> str:
        """Who an audit entry was about: recorded with it, or (older entries) from the
        session's record (store.rows.AUDIT_SELECT)."""
        redact = self.bus.redaction_enabled()
        if email:
            return mask_email(email) if redact else email
        if user_id:
            return mask_id(user_id) if redact else user_id
        return "—"

    def _shown(self, message: str) -> str:
        if not self.bus.redaction_enabled():
            return message
        return mask_text(message)

    def _redaction_changed(self, _enabled: bool) -> None:
        self.recent_model.redaction_changed()
        if self.tabs.currentIndex() == 1:
            self.load_audit()

    def _environment_changed(self) -> None:
        # The previous environment's audit rows and the last bulk line must not be read as
        # this one's: the audit is read again (or on showing), a finished bulk line goes.
        # A bulk action still running keeps its line: its results are still coming.
        if not self.progress.running:
            self.progress_row.hide()
            self.bar_label.clear()
            self.progress_row.setToolTip("")
        if self.tabs.currentIndex() == 1:
            self.load_audit()
        else:
            self.audit.clear()
            self.audit_status.clear()

    def _bulk_started(self, title: str, total: int) -> None:
        self.tabs.setCurrentIndex(0)
        self.bar_label.setText(title)
        self.bar.setRange(0, max(1, total))
        self.bar.setValue(0)
        self.bar.setFormat(self.tr("0 of {0}").format(total))
        self._bulk_cancelled = 0
        self.cancel_button.setEnabled(True)
        self.progress_row.show()

    def _bulk_advanced(self, done: int, total: int, message: str, ok: bool) -> None:
        # QProgressBar.setValue repaints synchronously (about 6 ms offscreen, measured in
        # bench/ui.py): per result that was the biggest cost of a bulk revoke. The bar is
        # moved at most every BAR_INTERVAL_MS instead. The results delivered together are
        # listed together, with one insert, before the window paints them (`add_later`).
        self._bulk_cancelled = self.progress.cancelled
        self._bar_value = (done, total)
        if not self._bar_timer.isActive():
            self._bar_timer.start()
        self.recent_model.add_later(_entry(self.tr("Revoke"), message, ok))

    def _apply_bar(self) -> None:
        if self._bar_value is not None:
            done, total = self._bar_value
            self._bar_value = None
            # Rows cancelled before they were sent are not progress: after a Cancel the bar
            # must not read "300 of 300".
            sent = done - self._bulk_cancelled
            self.bar.setValue(sent)
            text = self.tr("{0} of {1}").format(sent, total)
            if self._bulk_cancelled:
                text += self.tr(" ({0} cancelled)").format(self._bulk_cancelled)
            self.bar.setFormat(text)

    def _bulk_ended(self, summary: str, ok: bool) -> None:
        self.recent_model.flush()  # every result is listed once the bulk action has ended
        self._bar_timer.stop()
        self._apply_bar()
        self.bar_label.setText(summary)
        self.cancel_button.setEnabled(False)
        self.progress_row.setToolTip(summary)

    # -- audit ------------------------------------------------------------------------------
    def _tab_changed(self, index: int) -> None:
        if index == 1:
            self.load_audit()

    def load_audit(self) -> None:
        self.audit.clear()
        entries = self._current_entries()
        for entry in entries:
            item = QTreeWidgetItem(
                [
                    local_text(entry.at),
                    entry.actor,
                    entry.action,
                    self._user(entry.user_email, entry.user_id),
                    mask_id(entry.target) if self.bus.redaction_enabled() else entry.target,
                    entry.outcome,
                    self._shown(entry.detail),
                ]
            )
            item.setToolTip(0, utc_text(entry.at))
            item.setToolTip(6, self._shown(entry.detail))
            self.audit.addTopLevelItem(item)
        self.audit_status.setText(
            self.tr("Newest {0} entries; Export writes them all.").format(len(entries))
            if len(entries) >= AUDIT_SHOWN
            else self.tr("{0} entries").format(len(entries))
        )

    def _current_entries(self) -> list[Any]:
        """The newest AUDIT_SHOWN entries of the current environment (real environments
        share one store file; the sandbox has its own). Entries with no environment
        (store-wide actions) belong to every one. At most AUDIT_SCAN entries are read."""
        ws = self.workspaces.current
        name = ws.environment.name
        entries = []
        for entry in ws.reader.iter_audit(limit=AUDIT_SCAN):
            if entry.environment in (None, name):
                entries.append(entry)
                if len(entries) >= AUDIT_SHOWN:
                    break
        return entries

    def _choose_export(self) -> None:
        # The user's documents folder, not the working folder (often the app's install or
        # home directory); open(), not exec(): no nested event loop under qasync.
        documents = QStandardPaths.writableLocation(
            QStandardPaths.StandardLocation.DocumentsLocation
        )
        # Not created for the user: a machine without it gets the home folder.
        folder = documents if documents and Path(documents).is_dir() else str(Path.home())
        dialog = QFileDialog(
            self,
            self.tr("Export the audit log"),
            str(Path(folder) / "audit.csv"),
            self.tr("CSV (*.csv);;JSON (*.json)"),
        )
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.fileSelected.connect(
            lambda path: self._export_chosen(path, dialog.selectedNameFilter())
        )
        self.export_dialog = dialog
        dialog.finished.connect(lambda _code: setattr(self, "export_dialog", None))
        dialog.open()

    def _export_chosen(self, path: str, chosen: str) -> None:
        if path:
            fmt: ExportFormat = "json" if path.endswith(".json") or "JSON" in chosen else "csv"
            self.export_audit(Path(path), fmt)

    def export_audit(self, path: Path, fmt: ExportFormat) -> asyncio.Task[Any] | None:
        """Writes the audit log to `path` off the GUI thread; the result is shown inline."""
        self.export_button.setEnabled(False)
        self.audit_status.setText(self.tr("Exporting…"))

        def done(count: int) -> None:
            message = self.tr("Exported {0} entries to {1}").format(count, path)
            self.audit_status.setText(message)
            self.bus.activity.emit(self.tr("Export audit"), message, True)

        def failed(message: str) -> None:
            self.audit_status.setText(message)

        return self.runner.start(
            "export audit",
            run_cpu(_write_audit, self.workspaces.current.reader, path, fmt),
            busy=[self.export_button],
            on_result=done,
            on_error=failed,
        )


def _entry(action: str, message: str, ok: bool) -> RecentEntry:
    # Secrets are removed on the way in, once: the list never holds a token, even unmasked.
    return RecentEntry(time.time(), action, redact_secrets(message), ok)


def _write_audit(store: StoreReader, path: Path, fmt: ExportFormat) -> int:
    """Readable by the user only, as the CLI's export: the log names users and sessions."""
    temporary = path.with_name(path.name + ".part")
    try:
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.fchmod(fd, 0o600)  # a leftover .part file keeps its old mode through O_TRUNC
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fp:
            count = int(store.export_audit(fp, fmt))
        temporary.replace(path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return count
