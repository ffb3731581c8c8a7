"""`SessionActions`: the session commands as QActions (toolbar, menu, context menu, shortcuts).

Each handler asks what it must (dialogs.py), then starts one coroutine on the task runner that
awaits a plain `SessionService` method and reports the result: inline under the table, on
the bus (activity panel, row refresh). A session's row changes only through the store, which
the service updates only on Transmit's answer: a failed revoke leaves the row as it was.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDialog, QWidget

from transmit_admin.core.lifecycle import SESSION_LIFETIME, SessionStatus
from transmit_admin.core.redact import mask_email, mask_id
from transmit_admin.core.timefmt import utc_text
from transmit_admin.services.results import ActionResult, Outcome
from transmit_admin.ui.activity import bulk_progress
from transmit_admin.ui.bus import UiBus
from transmit_admin.ui.errors import user_message
from transmit_admin.ui.icons import icon
from transmit_admin.ui.sessions.bulk import revoke_in_batches
from transmit_admin.ui.sessions.dialogs import (
    CompleteFactorDialog,
    ConfirmReauthenticateDialog,
    ConfirmRevokeDialog,
    MagicLinkDialog,
    NoteDialog,
    TypeToConfirmDialog,
    UserRefDialog,
)
from transmit_admin.ui.sessions.magic_link import magic_link_flow
from transmit_admin.ui.sessions.panel import MAX_SELECTED, SessionsPanel
from transmit_admin.ui.sessions.user_sessions import sessions_at_transmit
from transmit_admin.ui.tasks import TaskRunner

if TYPE_CHECKING:
    from transmit_admin.workspace import Workspace, Workspaces

log = logging.getLogger(__name__)

BULK_CONCURRENCY = 8
# Task name → the action's name in the activity panel.
TASK_TITLES = {
    "revoke": "Revoke",
    "revoke user": "Revoke user",
    "magic link": "Magic link",
    "complete": "Complete magic link",
    "check alive": "Check alive",
    "re-authenticate": "Re-authenticate",
    "sync": "Sync user",
}


# Statuses with nothing left to log out.
_FINAL = (SessionStatus.REVOKED, SessionStatus.ENDED)


class SessionActions(QObject):
    def __init__(
        self,
        workspaces: Workspaces,
        bus: UiBus,
        sessions: SessionsPanel,
        window: QWidget | None = None,
    ) -> None:
        super().__init__(window or sessions)
        self.workspaces = workspaces
        self.bus = bus
        self.sessions = sessions
        self.window = window or sessions
        self.runner = TaskRunner(bus, self)
        self.flow = magic_link_flow(workspaces, bus)
        # A link opened from the mailbox (or the user's browser) completes the factor on its
        # own: replace the "Magic link sent…" line under the table with the outcome.
        self.flow.completed.connect(
            lambda _session_id, ok, message: self.sessions.show_result(message, ok)
        )
        self.dialog: QDialog | None = None  # the open question, if any (tests answer it)
        self.flow.completed.connect(lambda *_: self._update_enabled(sessions.selected_ids(2)))

        def make(text: str, name: str, tip: str, keys: str, slot: Callable[[], None]) -> QAction:
            action = QAction(icon(name), text, self)
            action.setToolTip(f"{tip} ({keys})" if keys else tip)
            action.setStatusTip(tip)
            if keys:
                action.setShortcut(QKeySequence(keys))
                action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            action.triggered.connect(slot)
            return action

        tr = self.tr
        self.revoke = make(
            tr("Re&voke"),
            "revoke",
            tr("Log the selected session(s) out at Transmit"),
            "Del",
            self.revoke_selected,
        )
        self.revoke_user = make(
            tr("Revoke &user"),
            "revoke-user",
            tr("Log out all sessions of the selected user"),
            "Shift+Del",
            self.revoke_user_of_selected,
        )
        self.magic_link = make(
            tr("&Magic link"),
            "magic-link",
            tr("Add a magic-link factor to the selected session"),
            "Ctrl+M",
            self.send_magic_link,
        )
        self.complete = make(
            tr("&Complete link"),
            "mail",
            tr("Complete a magic-link factor with its code or redirect URL"),
            "Ctrl+Shift+M",
            self.complete_magic_link,
        )
        self.check_alive = make(
            tr("Check &alive"),
            "check-alive",
            tr("Ask Transmit whether the session still exists (changes nothing there)"),
            "Ctrl+L",
            self.check_alive_selected,
        )
        self.reauth = make(
            tr("Re-&authenticate"),
            "reauth",
            tr(
                "Authenticate silently with the session id: new tokens, and the session is "
                "extended by 14 days"
            ),
            "Ctrl+Shift+A",
            self.reauthenticate_selected,
        )
        self.sync = make(
            tr("&Sync user"),
            "sync",
            tr("Fetch a user's sessions from Transmit into the table, by email or user id"),
            "Ctrl+Shift+Y",
            self.sync_user,
        )
        self.note = make(
            tr("&Note"),
            "note",
            tr("Write a note on the selected session"),
            "Ctrl+Shift+N",
            self.edit_note,
        )
        self._single = [self.revoke_user, self.magic_link, self.check_alive, self.reauth, self.note]
        sessions.context_menu.addActions(
            [self.revoke, self.revoke_user, self.check_alive, self.reauth]
        )
        sessions.context_menu.addSeparator()
        sessions.context_menu.addActions([self.magic_link, self.complete, self.note, self.sync])
        sessions.selection_changed.connect(self._update_enabled)
        # A bulk revoke disables Revoke while it runs; when it ends the selection has not
        # changed, so nothing else would enable it again.
        self.runner.finished.connect(lambda *_: self._update_enabled(sessions.selected_ids(2)))
        self._update_enabled(sessions.selected_ids())

    def all_actions(self) -> list[QAction]:
        return [
            self.revoke,
            self.revoke_user,
            self.magic_link,
            self.complete,
            self.check_alive,
            self.reauth,
            self.sync,
            self.note,
        ]

    def _update_enabled(self, ids: list[str]) -> None:
        self.revoke.setEnabled(bool(ids) and not self.runner.is_running("revoke"))
        for action in self._single:
            action.setEnabled(len(ids) == 1)
        # With nothing selected it can only complete the link sent last, if one is pending.
        self.complete.setEnabled(len(ids) == 1 or self.flow.pending_session_for(None) is not None)

    # -- helpers ----------------------------------------------------------------------------
    def _about(self, ws: Workspace, session_id: str) -> str:
        """Who and which session a line is about: "ann@example.com · session 9lgd…xy".
        The email is masked where the line is shown while redacting (`mask_text`); the
        session id is always its short form, the one the table shows while redacting."""
        record = ws.reader.get_session(ws.environment.name, session_id)
        short = self.tr("session {0}").format(mask_id(session_id))
        if record is None:
            return short
        return f"{record.email or record.user_id} · {short}"

    def _report(self, ws: Workspace, action: str, result: ActionResult) -> None:
        self.bus.session_changed.emit(result.session_id)
        line = f"{self._about(ws, result.session_id)}: {result.message}"
        self.bus.activity.emit(action, line, result.ok)
        self.sessions.show_result(line, result.ok)

    def _start(self, name: str, coro: Coroutine[Any, Any, Any]) -> bool:
        title = self.tr(TASK_TITLES.get(name, name))

        def failed(message: str) -> None:
            # Named like the successes in the activity panel ("Sync user", not "sync").
            self.bus.activity.emit(title, message, False)
            self.sessions.show_result(message, False)

        started = self.runner.start(name, coro, on_error=failed, report=False)
        if started is None:
            self.sessions.show_result(
                self.tr("Still busy with the previous {0}.").format(name), False
            )
        return started is not None

    def _ask(self, dialog: QDialog, on_accept: Callable[[], object]) -> None:
        if self.dialog is not None:
            self.dialog.reject()
        self.dialog = dialog
        dialog.accepted.connect(on_accept)
        dialog.finished.connect(lambda _code: self._dialog_done(dialog))
        dialog.open()

    def _dialog_done(self, dialog: QDialog) -> None:
        if self.dialog is dialog:
            self.dialog = None
        dialog.deleteLater()

    def _one(self) -> Any:
        ids = self.sessions.selected_ids()
        if len(ids) != 1:
            self.sessions.show_result(self.tr("Select one session first."), False)
            return None
        ws = self.workspaces.current
        return ws.reader.get_session(ws.environment.name, ids[0])

    # -- revoke -----------------------------------------------------------------------------
    def revoke_selected(self) -> None:
        ids = self.sessions.selected_ids()
        if not ids:
            return
        if all(self.bus.is_revoking(i) for i in ids):
            # A second Del while the answer is awaited: not an error, say where it stands.
            self.sessions.show_result(
                self.tr("Already being revoked; waiting for Transmit's answer.")
                if len(ids) == 1
                else self.tr("These sessions are already being revoked."),
                True,
            )
            return
        if len(ids) > MAX_SELECTED:
            self.sessions.show_result(
                self.tr("More than {0} sessions are selected; narrow the selection.").format(
                    MAX_SELECTED
                ),
                False,
            )
            return
        ws = self.workspaces.current
        env = ws.environment
        records = [self.sessions.model.record_at(row) for row in self.sessions.selected_rows()]
        if len(ids) > 1:
            # The question counts what will be sent: revoked or ended rows in the selection
            # have nothing left to log out (the service would answer "nothing sent").
            gone = {r.session_id for r in records if r is not None and r.status in _FINAL}
            ids = [sid for sid in ids if sid not in gone]
            records = [r for r in records if r is None or r.session_id not in gone]
            if not ids:
                self.sessions.show_result(
                    self.tr("These sessions are already revoked or ended; nothing to send."),
                    True,
                )
                return
        else:
            gone = set()
        # One session is one click outside production; two or more (most of them perhaps
        # off screen) are confirmed with their count everywhere.
        if env.production or len(ids) > 1:
            users = len({r.user_id for r in records if r is not None})
            dialog = ConfirmRevokeDialog(
                len(ids),
                env.name,
                self.window,
                users=max(users, 1),
                production=env.production,
                left_out=len(gone),
            )
            self._ask(dialog, lambda: self._start_revoke(ws, ids))
        else:
            self._start_revoke(ws, ids)

    def _start_revoke(self, ws: Workspace, ids: list[str]) -> None:
        # "revoking…" on the rows at once: at high latency the answer takes seconds.
        self.bus.begin_revoking(ids)
        coro = self._revoke_one(ws, ids[0]) if len(ids) == 1 else self.revoke_many(ids, ws)
        if not self._start("revoke", coro):
            self.bus.end_revoking(ids)

    async def _revoke_one(self, ws: Workspace, session_id: str) -> None:
        try:
            result = await ws.service.revoke(session_id)
        finally:
            self.bus.end_revoking([session_id])
            self.bus.store_written.emit()  # the store's own marks ("unconfirmed") now
        self._report(ws, self.tr("Revoke"), result)

    async def revoke_many(self, ids: list[str], ws: Workspace | None = None) -> list[ActionResult]:
        """Bulk revoke with progress and per-row results; cancellable from the activity panel.

        The logouts run on this (the GUI's) loop, all in the workspace they started in
        (default: the current one); their results reach the table and the activity list
        in batches (bulk.py).
        """
        ws = ws or self.workspaces.current
        cancel = asyncio.Event()
        progress = bulk_progress(self.bus)
        progress.begin(self.tr("Revoking {0} sessions").format(len(ids)), len(ids), cancel.set)
        self.revoke.setEnabled(False)

        model = self.sessions.model

        def batch_done(batch: list[ActionResult]) -> None:
            # No store read per row on the GUI thread: the result carries the new status,
            # and the line names the user from the row already loaded (if it is).
            for result in batch:
                record = model.cached_record(result.session_id)
                about = None
                if record is not None:
                    short = self.tr("session {0}").format(mask_id(record.session_id))
                    about = f"{record.email or record.user_id} · {short}"
                progress.advance(result, about)
            model.apply_results([(r.session_id, r.status) for r in batch])
            self.bus.end_revoking([r.session_id for r in batch])

        try:
            results = await revoke_in_batches(
                ws.service,
                ids,
                concurrency=BULK_CONCURRENCY,
                on_batch=batch_done,
                cancel=cancel,
                parent=self,
            )
        except BaseException as exc:  # the runner shows the sentence; the bar must not hang
            progress.end(user_message(exc, action="revoke"), False)
            raise
        finally:
            self.bus.end_revoking(ids)  # cancelled or never sent: no answer will come
            self.bus.store_written.emit()
            self._update_enabled(self.sessions.selected_ids())
        shown = self.sessions.current_id()
        if shown is not None:
            self.bus.session_changed.emit(shown)  # the details view re-reads its session
        ok = sum(1 for r in results if r.ok)
        cancelled = sum(1 for r in results if r.outcome is Outcome.CANCELLED)
        # Sessions that were already revoked or ended count as done, but were not revoked
        # now: say so instead of "300 of 300 revoked".
        already = sum(1 for r in results if r.outcome in (Outcome.ALREADY_GONE, Outcome.ENDED))
        summary = self.tr("{0} of {1} revoked").format(ok - already, len(ids))
        if already:
            summary += self.tr(", {0} already ended").format(already)
        failed = len(ids) - ok - cancelled
        if failed:
            summary += self.tr(", {0} failed").format(failed)
        if cancelled:
            summary += self.tr(", {0} cancelled").format(cancelled)
        progress.end(summary, ok == len(ids))
        self.bus.activity.emit(self.tr("Revoke"), summary, ok == len(ids))
        self.sessions.show_result(summary, ok == len(ids))
        return results

    def revoke_user_of_selected(self) -> None:
        record = self._one()
        if record is None:
            return
        who = record.email or record.user_id
        expected = record.email or record.user_id
        shown = None
        if self.bus.redaction_enabled():
            shown = mask_email(record.email) if record.email else mask_id(record.user_id)
        ws = self.workspaces.current
        dialog = TypeToConfirmDialog(expected, ws.environment.name, self.window, shown=shown)
        tracked = sum(
            1
            for r in ws.reader.sessions_of_user(ws.environment.name, record.user_id)
            if r.status is SessionStatus.ACTIVE
        )
        dialog.show_counts(tracked, self.tr("asking for its list…"))
        self._ask(
            dialog,
            lambda: self._start("revoke user", self._revoke_user(ws, record.user_id, who)),
        )

        def listed(count: int) -> None:
            if self.dialog is dialog:
                dialog.show_counts(tracked, self.tr("{0} active session(s) listed.").format(count))

        def unlisted(message: str) -> None:
            if self.dialog is dialog:
                dialog.show_counts(
                    tracked, self.tr("its list could not be read ({0}).").format(message)
                )

        self.runner.start(
            "count user sessions",
            sessions_at_transmit(ws, record.user_id),
            on_result=listed,
            on_error=unlisted,
            report=False,
            replace=True,
        )

    async def _revoke_user(self, ws: Workspace, user_ref: str, who: str) -> None:
        result = await ws.service.revoke_user(user_ref)
        for session_id in result.revoked:
            self.bus.session_changed.emit(session_id)
        # Named as the agent knows the user (the email they typed), not by the user id the
        # service's sentence uses.
        if result.ok:
            line = self.tr("{0}: logged out of all sessions at Transmit; {1} tracked").format(
                who, len(result.revoked)
            ) + self.tr(" session(s) marked revoked")
        else:
            line = f"{who}: {result.message}"
        self.bus.activity.emit(self.tr("Revoke user"), line, result.ok)
        self.sessions.show_result(line, result.ok)

    # -- magic link -------------------------------------------------------------------------
    def send_magic_link(self) -> None:
        record = self._one()
        if record is None:
            return
        automatic = self.flow.uses_own_callback()
        configured = self.workspaces.current.environment.redirect_uri
        shown_uri = (
            configured
            if configured is not None and not automatic
            else self.tr("this app's loopback callback (http://127.0.0.1:…/callback)")
        )
        dialog = MagicLinkDialog(record.email or "", shown_uri, automatic, self.window)
        if self.bus.redaction_enabled():
            dialog.hide_values()
        self._ask(
            dialog,
            lambda: self._start(
                "magic link", self._send(record.session_id, dialog.email.text().strip())
            ),
        )

    async def _send(self, session_id: str, email: str) -> None:
        result = await self.flow.send(session_id, email)
        self._update_enabled(self.sessions.selected_ids(2))  # a link is pending now
        about = self._about(self.workspaces.current, session_id)
        self.sessions.show_result(f"{about}: {result.message}", result.ok)

    def complete_magic_link(self) -> None:
        ids = self.sessions.selected_ids()
        session_id = ids[0] if len(ids) == 1 else self.flow.pending_session_for(None)
        if session_id is None:
            self.sessions.show_result(
                self.tr("Select the session the magic link was sent for."), False
            )
            return
        dialog = CompleteFactorDialog(self.window)
        self._ask(
            dialog,
            lambda: self._start("complete", self._complete(session_id, dialog.code.text())),
        )

    async def _complete(self, session_id: str, code_or_url: str) -> None:
        result = await self.flow.complete(session_id, code_or_url)
        about = self._about(self.workspaces.current, session_id)
        self.sessions.show_result(f"{about}: {result.message}", result.ok)

    # -- alive, re-authenticate, sync, note -------------------------------------------------
    def check_alive_selected(self) -> None:
        record = self._one()
        if record is not None:
            self._start("check alive", self._check(self.workspaces.current, record.session_id))

    async def _check(self, ws: Workspace, session_id: str) -> None:
        self._report(ws, self.tr("Check alive"), await ws.service.check_alive(session_id))

    def reauthenticate_selected(self) -> None:
        record = self._one()
        if record is None:
            return
        who = record.email or record.user_id
        if self.bus.redaction_enabled():
            who = mask_email(record.email) if record.email else mask_id(record.user_id)
        until = utc_text(datetime.now(UTC) + SESSION_LIFETIME)
        ws = self.workspaces.current
        self._ask(
            ConfirmReauthenticateDialog(who, until, self.window),
            lambda: self._start("re-authenticate", self._reauth(ws, record.session_id)),
        )

    async def _reauth(self, ws: Workspace, session_id: str) -> None:
        result = await ws.service.reauthenticate(session_id)
        self._report(ws, self.tr("Re-authenticate"), result)

    def sync_user(self) -> None:
        ids = self.sessions.selected_ids()
        ws = self.workspaces.current
        record = ws.reader.get_session(ws.environment.name, ids[0]) if len(ids) == 1 else None
        prefill = (record.email or record.user_id) if record is not None else ""
        dialog = UserRefDialog(
            self.tr("Sync a user's sessions"),
            self.tr(
                "Fetch the user's sessions from Transmit: new ones are added to the table, "
                "ones Transmit no longer has are marked ended."
            ),
            self.tr("Sync"),
            prefill,
            self.window,
        )
        if self.bus.redaction_enabled():
            dialog.hide_values()
        self._ask(dialog, lambda: self._start("sync", self._sync(ws, dialog.ref.text().strip())))

    async def _sync(self, ws: Workspace, user_ref: str) -> None:
        result = await ws.service.sync_user(user_ref)
        if result.inserted:
            self.bus.sessions_reloaded.emit()
        else:
            for session_id in (*result.updated, *result.ended):
                self.bus.session_changed.emit(session_id)
        self.bus.activity.emit(self.tr("Sync user"), result.message, result.ok)
        self.sessions.show_result(result.message, result.ok)

    def edit_note(self) -> None:
        record = self._one()
        if record is None:
            return
        dialog = NoteDialog(record.note or "", self.window)
        ws = self.workspaces.current

        def save() -> None:
            result = ws.service.set_note(record.session_id, dialog.text.toPlainText())
            self._report(ws, self.tr("Note"), result)

        self._ask(dialog, save)
