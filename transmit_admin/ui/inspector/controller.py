"""The token inspector's logic: take text, inspect it off the GUI thread, show the result.

Text arrives by typing or pasting (debounced), by the Paste button, the application-wide
shortcut or the bus (`inspect_text`). The verifier runs in a worker thread (`run_cpu`), so a
10 MB paste never freezes the window; a newer text cancels the older inspection.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QAbstractItemView

from transmit_admin.core.extract import MAX_INPUT_BYTES
from transmit_admin.core.redact import redact_secrets
from transmit_admin.core.report import TokenReport
from transmit_admin.core.verify import Inspection, VerifyPolicy, inspect_text
from transmit_admin.services.keys import KeysChecked
from transmit_admin.ui.bus import UiBus
from transmit_admin.ui.inspector import render
from transmit_admin.ui.inspector.masking import mask_mapping, mask_report_json
from transmit_admin.ui.inspector.paste_edit import LARGE_PASTE_CHARS
from transmit_admin.ui.inspector.session_line import SessionMatch, session_line
from transmit_admin.ui.inspector.view import InspectorView
from transmit_admin.ui.redaction import mask_text
from transmit_admin.ui.session_marks import SessionMark
from transmit_admin.ui.tasks import TaskRunner, run_cpu

if TYPE_CHECKING:
    from transmit_admin.core.keys import KeySet
    from transmit_admin.workspace import Workspaces

log = logging.getLogger(__name__)
DEBOUNCE_MS = 250


class InputRefused(Exception):
    def sentence(self) -> str:
        return str(self)


def _inspect_bounded(text: str, keys: Any, policy: Any) -> Inspection:
    """Runs in a worker thread: the byte count of a huge paste is itself work."""
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > MAX_INPUT_BYTES:
        raise InputRefused(
            f"The pasted text is {size / 2**20:.0f} MiB; the inspector reads at most "
            f"{MAX_INPUT_BYTES // 2**20} MiB. Paste only the token or the log lines around it."
        )
    return inspect_text(text, keys, policy)


def _kids_of(inspection: Inspection) -> list[str]:
    """The `kid`s the pasted tokens name (unverified headers: they only choose whether the
    key set is refetched, never which key is trusted)."""
    kids = ((report.header or {}).get("kid") for report in inspection.reports)
    return [kid for kid in kids if isinstance(kid, str)]


class InspectorController(QObject):
    inspected = Signal()  # a result (or a refusal) is on screen

    def __init__(
        self,
        workspaces: Workspaces | None,
        bus: UiBus,
        view: InspectorView,
        runner: TaskRunner | None = None,
    ) -> None:
        super().__init__(view)
        self.workspaces = workspaces
        self.bus = bus
        self.view = view
        self.runner = runner or TaskRunner(bus, self)
        self.runner.add_spinner(view.spinner)
        self._text = ""
        self._status_message = ""
        self.inspection: Inspection | None = None
        self.report: TokenReport | None = None
        self.tracked_session_id: str | None = None
        self.match: SessionMatch | None = None
        self._mark_shown: SessionMark | None = None
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(DEBOUNCE_MS)
        self._debounce.timeout.connect(self.inspect_now)
        self.clock = QTimer(self)  # live "expires in …" column
        self.clock.setInterval(1000)
        self.clock.timeout.connect(view.claims_model.refresh_relative)

        view.paste_edit.textChanged.connect(self._typed)
        view.paste_edit.large_paste.connect(self.set_text)
        view.paste_edit.paste_requested.connect(self.paste_clipboard)
        view.paste_edit.typing_refused.connect(
            lambda: self._status(
                self.tr(
                    "Redaction is on: the field shows a masked copy and cannot be edited. "
                    "Paste (Ctrl+V) still inspects the clipboard; turn Redact off to type."
                )
            )
        )
        view.paste_button.clicked.connect(self.paste_clipboard)
        view.clear_button.clicked.connect(self.clear)
        view.redact_check.toggled.connect(bus.set_redaction)
        view.selector.currentIndexChanged.connect(self._select)
        view.track_button.clicked.connect(self.track)
        view.open_button.clicked.connect(self._open_session)
        view.copy_claims_button.clicked.connect(self.copy_claims)
        view.copy_report_button.clicked.connect(self.copy_report)
        bus.redaction_changed.connect(self._redaction_changed)
        bus.inspect_text.connect(self.set_text)
        bus.environment_changed.connect(self._environment_changed)
        # The verdict names the tracked session's state: it follows the store like the table.
        bus.session_changed.connect(self._session_changed)
        bus.sessions_reloaded.connect(self._session_records_changed)
        bus.marks_changed.connect(self._marks_changed)

    # --- input -----------------------------------------------------------------------------
    @property
    def text(self) -> str:
        return self._text

    def _typed(self) -> None:
        if self.view.paste_edit.isReadOnly():
            return
        self._text = self.view.paste_edit.toPlainText()
        self._debounce.start()

    def set_text(self, text: str) -> None:
        """Shows `text` (or a summary of a huge one) and inspects it at once."""
        self._text = text
        self._show_input()
        self._debounce.stop()
        self.inspect_now()

    def paste_clipboard(self) -> None:
        text = QGuiApplication.clipboard().text()
        if not text.strip():
            self._status(self.tr("The clipboard holds no text."))
            return
        self.set_text(text)

    def clear(self) -> None:
        self.runner.cancel("inspect")
        self._text = ""
        self._show_input()
        self._show_inspection(None, None)
        self._status("")

    def _show_input(self) -> None:
        edit = self.view.paste_edit
        redacting = self.bus.redaction_enabled()
        if len(self._text) > LARGE_PASTE_CHARS:
            shown = self.tr(
                "[{0:,} characters pasted: too long to show; inspected in full]"
            ).format(len(self._text))
        else:
            # Emails and ids too (a token response's session_id), as everywhere else.
            shown = mask_text(redact_secrets(self._text)) if redacting else self._text
        edit.show_summary(shown)
        # While redacting, the field shows a masked copy: editing it would edit the mask.
        edit.setReadOnly(redacting)

    # --- inspection ------------------------------------------------------------------------
    def inspect_now(self) -> None:
        text = self._text
        if not text.strip():
            self.runner.cancel("inspect")
            self._show_inspection(None, None)
            self._status("")
            return
        if len(text) > MAX_INPUT_BYTES:  # more characters than bytes allowed: refuse at once
            self._refuse(
                self.tr(
                    "The pasted text is larger than {0} MiB; paste only the token or the log "
                    "lines around it."
                ).format(MAX_INPUT_BYTES // 2**20)
            )
            return
        self._status(self.tr("Inspecting…"))
        self.runner.start(
            "inspect",
            self._inspect(text),
            on_result=self._show_checked,
            on_error=self._refuse,
            report=False,
            replace=True,
        )

    async def _inspect(self, text: str) -> KeysChecked[Inspection]:
        if self.workspaces is None:
            return KeysChecked(await run_cpu(_inspect_bounded, text, None, VerifyPolicy()))
        ws = self.workspaces.current
        policy = ws.environment.verify_policy()

        async def inspect(keys: KeySet | None) -> Inspection:
            return await run_cpu(_inspect_bounded, text, keys, policy)

        # A kid the cached key set lacks may be a rotated key: `SigningKeys.check` refetches
        # once (rate-limited) and inspects the paste again against the fresh set.
        return await ws.keys.check(inspect, _kids_of)

    def _refuse(self, message: str) -> None:
        self._show_inspection(None, None)
        self._status(message)
        self.inspected.emit()

    def _show_checked(self, checked: KeysChecked[Inspection]) -> None:
        self._show_inspection(checked.value, checked.problem)

    def _show_inspection(self, inspection: Inspection | None, keys_problem: str | None) -> None:
        self.inspection = inspection
        view = self.view
        reports = list(inspection.reports) if inspection is not None else []
        view.selector.blockSignals(True)
        view.selector.clear()
        for report in reports:
            view.selector.addItem(render.verdict_icon(report), render.selector_text(report))
        view.selector.setVisible(len(reports) > 1)
        view.selector.blockSignals(False)
        if inspection is not None:
            note = render.extraction_note(inspection.extraction, len(reports))
            if keys_problem and reports:
                note = self.tr("The signing keys could not be fetched: {0}. {1}").format(
                    keys_problem, note
                )
            self._status(note.strip())
        self._select(0 if reports else -1)
        if inspection is not None:
            self.inspected.emit()

    def _trackable(self) -> dict[str, Any] | None:
        if self.inspection is None or self.workspaces is None:
            return None
        response = self.inspection.extraction.token_response
        if isinstance(response, dict) and response.get("session_id"):
            return response
        return None

    def _select(self, index: int) -> None:
        reports = list(self.inspection.reports) if self.inspection is not None else []
        self.report = reports[index] if 0 <= index < len(reports) else None
        self.match = self._lookup_session(self.report)
        self.tracked_session_id = self.match.session_id if self.match else None
        self._render()

    def refresh(self) -> None:
        """Draws the current report again (palette or redaction changed)."""
        self._render()

    def _render(self) -> None:
        view = self.view
        report = self.report
        has = report is not None
        for widget in (view.banner, view.segments, view.result_area):
            widget.setVisible(has)
        view.empty_hint.setVisible(not has)
        self._show_session_buttons()
        if report is None:
            view.claims_model.set_rows([])
            view.header_model.set_rows([])
            view.checks.clear()
            view.raw_json.clear()
            self.clock.stop()
            return
        redact = self.bus.redaction_enabled()
        render.fill_banner(view.banner, report, redact)
        self._show_session_line()
        view.segments.setHtml(render.segments_html(report, view.palette(), redact))
        render.fill_checks(view.checks, report, redact)
        self._fit_checks()
        claims = mask_mapping(report.claims) if redact else report.claims
        header = mask_mapping(report.header) if redact else report.header
        view.claims_model.set_rows(render.claim_rows(claims))
        view.header_model.set_rows(render.header_rows(header))
        for table in (view.claims_table, view.header_table):
            table.resizeColumnToContents(1)
            # Long values (URLs, ids) must not squeeze the Meaning column into a sliver whose
            # wrapped text makes each row taller than the table.
            widest = max(160, min(320, table.viewport().width() * 2 // 5))
            table.setColumnWidth(1, min(table.columnWidth(1), widest))
        view.raw_json.setPlainText(json.dumps(self._report_json(), indent=2, ensure_ascii=False))
        if any(row.timestamp is not None for row in render.claim_rows(claims)):
            self.clock.start()
        else:
            self.clock.stop()

    def _fit_checks(self) -> None:
        """Gives the checks list room for its failures and warnings (they come first; at
        least three rows, at most six); the claims get the rest. The list is scrolled to the
        first failure: an INVALID verdict's failing check must be in view, not below it."""
        checks = self.view.checks
        failing = [
            i
            for i in range(checks.count())
            if checks.item(i).data(Qt.ItemDataRole.UserRole) in ("fail", "warn")
        ]
        # All passed: two rows say so and the claims get the room.
        rows = min(checks.count(), max(3 if failing else 2, min(len(failing), 6)))
        row_height = checks.sizeHintForRow(0) if checks.count() else 0
        wanted = rows * row_height + 2 * checks.frameWidth() + 4
        total = sum(self.view.splitter.sizes()) or self.view.splitter.height()
        # In a small window the claims are what the user came for: the checks never take
        # more than a third of the room (the list scrolls, and the splitter can be dragged).
        wanted = max(min(wanted, total // 3), min(wanted, 2 * row_height + 8))
        self.view.splitter.setSizes([wanted, max(total - wanted, 160)])
        if checks.count():
            first = checks.item(failing[0] if failing else 0)
            checks.setCurrentItem(first)
            checks.scrollToItem(first, QAbstractItemView.ScrollHint.PositionAtTop)

    def _report_json(self) -> dict[str, Any]:
        assert self.report is not None
        data = self.report.to_json()
        return mask_report_json(data) if self.bus.redaction_enabled() else data

    # --- sessions --------------------------------------------------------------------------
    def _show_session_line(self) -> None:
        line = self.view.banner.session
        match, report, workspaces = self.match, self.report, self.workspaces
        if match is None or report is None or workspaces is None:
            line.clear()
            line.hide()
            return
        self._mark_shown = self.bus.session_mark(match.session_id)
        ws = workspaces.current
        try:
            events = ws.reader.events_of(ws.environment.name, match.session_id)
        except Exception:  # the verdict must show even if the store cannot be read
            log.warning("reading the events of a token's session failed", exc_info=True)
            events = []
        text = session_line(
            match,
            report,
            events,
            self._mark_shown,
            ws.actor,
            datetime.now(UTC),
        )
        line.setText(text)
        line.setToolTip(text)
        line.show()

    def _marks_changed(self) -> None:
        if self.tracked_session_id is not None and (
            self.bus.session_mark(self.tracked_session_id) != self._mark_shown
        ):
            self._session_records_changed()  # the record too: the mark ends with an answer

    def _session_changed(self, session_id: str) -> None:
        if session_id == self.tracked_session_id:
            self._session_records_changed()

    def _session_records_changed(self) -> None:
        if self.report is None or self.workspaces is None:
            return
        self.match = self._lookup_session(self.report)
        self.tracked_session_id = self.match.session_id if self.match else None
        self._show_session_line()
        self._show_session_buttons()

    def _lookup_session(self, report: TokenReport | None) -> SessionMatch | None:
        if report is None or self.workspaces is None:
            return None
        try:
            return render.tracked_session_of(self.workspaces.current, report)
        except Exception:  # a lookup failure must not hide the verdict
            log.warning("looking up the session of a token failed", exc_info=True)
            return None

    def track(self) -> None:
        response = self._trackable()
        if response is None or self.workspaces is None:
            return
        self.runner.start(
            "track",
            self.workspaces.current.service.track_token_response(response),
            busy=[self.view.track_button],
            on_result=self._tracked,
        )

    def _tracked(self, result: Any) -> None:
        self._status(result.message)
        self.bus.activity.emit(self.tr("Track session"), result.message, bool(result.ok))
        if result.ok:
            self.match = self._lookup_session(self.report)
            self.tracked_session_id = result.session_id or (
                self.match.session_id if self.match else None
            )
            self.bus.sessions_reloaded.emit()
            self._show_session_line()
            self._show_session_buttons()

    def _show_session_buttons(self) -> None:
        view = self.view
        trackable = self._trackable() is not None and self.tracked_session_id is None
        view.track_button.setVisible(trackable)
        view.open_button.setVisible(self.tracked_session_id is not None)
        view.actions_row.setVisible(trackable or self.tracked_session_id is not None)
        # A match on a forged token's claims is never the obvious next step: the button says
        # what the match rests on and is never the default (Enter does not press it).
        unverified = self.match is not None and not self.match.verified
        view.open_button.setText(
            self.tr("&Open session (matched on unverified claims)")
            if unverified
            else self.tr("&Open session")
        )
        view.open_button.setToolTip(
            self.tr(
                "This token does not verify: the session was found by its jti claim only, "
                "which a forged token can copy. Opening it shows a real user's session."
            )
            if unverified
            else self.tr("Show the tracked session this token belongs to")
        )
        view.open_button.setDefault(self.match is not None and self.match.verified)
        view.open_button.setAutoDefault(False)

    def _open_session(self) -> None:
        if self.tracked_session_id:
            self.bus.open_session.emit(self.tracked_session_id)

    # --- copy and redaction ----------------------------------------------------------------
    def copy_claims(self) -> None:
        if self.report is None:
            return
        redact = self.bus.redaction_enabled()
        claims = mask_mapping(self.report.claims) if redact else self.report.claims
        QGuiApplication.clipboard().setText(json.dumps(claims, indent=2, ensure_ascii=False))
        self._status(self.tr("Claims copied (masked).") if redact else self.tr("Claims copied."))

    def copy_report(self) -> None:
        if self.report is None:
            return
        text = json.dumps(self._report_json(), indent=2, ensure_ascii=False)
        QGuiApplication.clipboard().setText(text)
        redact = self.bus.redaction_enabled()
        self._status(
            self.tr("Report copied (masked; it never holds the token).")
            if redact
            else self.tr("Report copied (it never holds the token itself).")
        )

    def _redaction_changed(self, enabled: bool) -> None:
        check = self.view.redact_check
        check.blockSignals(True)
        check.setChecked(enabled)
        check.blockSignals(False)
        self._show_input()
        self._render()
        self._status(self._status_message)

    def _environment_changed(self) -> None:
        # The verdict depends on the environment's keys and policy: inspect again.
        if self._text.strip():
            self.inspect_now()

    def _status(self, message: str) -> None:
        self._status_message = message
        # A track result names the user ("tracked: user … <ann@example.com>"): masked while
        # redacting, re-rendered when the switch changes.
        shown = mask_text(message) if self.bus.redaction_enabled() else message
        self.view.status.setText(shown)
        self.view.status.setToolTip(shown)
