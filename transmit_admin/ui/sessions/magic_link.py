"""The magic-link factor flow shared by the session actions and the sandbox mailbox.

Sending picks the redirect URI: the environment's own when one is configured (a real app's
callback; the user then pastes the code or the URL they landed on), else, and always in the
sandbox, this app's loopback callback, which completes the factor by itself as soon as the
link is opened. One flow per bus (`magic_link_flow`), so the mailbox sees what actions sent.
"""

from __future__ import annotations

import dataclasses
import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from transmit_admin.services.results import ActionResult
from transmit_admin.ui.bus import UiBus
from transmit_admin.ui.sessions.callback import CallbackListener, PendingFactor

if TYPE_CHECKING:
    from transmit_admin.workspace import Workspace, Workspaces

log = logging.getLogger(__name__)


class MagicLinkFlow(QObject):
    sent = Signal(str, str)  # session id, recipient
    completed = Signal(str, bool, str)  # session id, ok, message

    def __init__(self, workspaces: Workspaces, bus: UiBus) -> None:
        super().__init__(bus)
        self.setObjectName("magicLinkFlow")
        self.workspaces = workspaces
        self.bus = bus
        self.listener = CallbackListener(self._complete_from_callback)
        self._manual: dict[str, str] = {}  # session id -> recipient, completed by hand
        # The workspace each link was sent from: a link opened after an environment switch
        # completes on the session's own environment, not the one on screen.
        self._sent_from: dict[str, Workspace] = {}
        listener = self.listener
        # Closing the socket needs no await; the listener must not outlive the window.
        self.destroyed.connect(lambda *_: listener.close_now())

    def uses_own_callback(self) -> bool:
        ws = self.workspaces.current
        return bool(ws.is_sandbox or not ws.environment.redirect_uri)

    async def send(self, session_id: str, email: str | None) -> ActionResult:
        factor: PendingFactor | None = None
        ws = self.workspaces.current
        configured = ws.environment.redirect_uri
        if self.uses_own_callback() or configured is None:
            await self.listener.start()
            factor = self.listener.register(session_id, email or "")
            redirect_uri = factor.redirect_uri
        else:
            redirect_uri = configured
        result: ActionResult = await ws.service.send_magic_link_factor(
            session_id, redirect_uri, email
        )
        if not result.ok:
            if factor is not None:
                self.listener.forget(factor.key)
        else:
            self._sent_from[session_id] = ws
            recipient = email or ""
            if factor is None:
                self._manual[session_id] = recipient
            else:  # the service's "complete it with the code" does not apply here
                result = dataclasses.replace(
                    result,
                    message=self.tr(
                        "Magic link sent to {0}; opening it adds the factor to the session "
                        "automatically."
                    ).format(recipient or self.tr("the session's user")),
                )
            self.sent.emit(session_id, recipient)
        self.bus.activity.emit(self.tr("Magic link"), result.message, result.ok)
        return result

    async def complete(self, session_id: str, code_or_url: str) -> ActionResult:
        ws = self._sent_from.get(session_id, self.workspaces.current)
        result: ActionResult = await ws.service.complete_magic_link_factor(session_id, code_or_url)
        if result.ok:
            self._manual.pop(session_id, None)
            self._sent_from.pop(session_id, None)
            for factor in self.listener.pending():
                if factor.session_id == session_id:
                    self.listener.forget(factor.key)
        self.bus.session_changed.emit(session_id)
        self.bus.activity.emit(self.tr("Complete magic link"), result.message, result.ok)
        self.completed.emit(session_id, result.ok, result.message)
        return result

    async def _complete_from_callback(self, factor: PendingFactor, code: str) -> tuple[bool, str]:
        result = await self.complete(factor.session_id, code)
        if result.ok:
            return True, self.tr("Signed in: the factor was added to the session.")
        return False, self.tr("The sign-in could not be completed: {0}").format(result.message)

    def pending_session_for(self, recipient: str | None) -> str | None:
        """The session waiting for a factor sent to `recipient` (newest first)."""
        factor = self.listener.pending_for(recipient)
        if factor is not None:
            return factor.session_id
        for session_id, sent_to in reversed(self._manual.items()):
            if recipient is None or sent_to.lower() == (recipient or "").lower():
                return session_id
        return None

    def has_pending(self) -> bool:
        return bool(self.listener.pending() or self._manual)


def magic_link_flow(workspaces: Workspaces, bus: UiBus) -> MagicLinkFlow:
    """The one flow of this bus (created on first use)."""
    existing = bus.findChild(MagicLinkFlow, "magicLinkFlow")
    if isinstance(existing, MagicLinkFlow):
        return existing
    return MagicLinkFlow(workspaces, bus)
