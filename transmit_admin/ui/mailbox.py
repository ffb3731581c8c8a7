"""`MailboxView`: the sandbox's outbox (what it "emailed"), to finish magic links by hand.

"Open link" follows the link with httpx, exactly like a browser would: when it points at this
app's loopback callback, the callback completes the pending factor. Only loopback links are
followed (the sandbox's own, never a real site). "Use code" completes the pending factor of the
message's recipient with the message's code.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import httpx
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from transmit_admin.core.redact import mask_email
from transmit_admin.core.timefmt import local_text
from transmit_admin.ui.bus import UiBus
from transmit_admin.ui.icons import icon
from transmit_admin.ui.sessions.magic_link import magic_link_flow
from transmit_admin.ui.tasks import TaskRunner

if TYPE_CHECKING:
    from transmit_admin.workspace import Workspace, Workspaces

log = logging.getLogger(__name__)

LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")
AUTO_REFRESH_DELAYS_MS = (150, 800)  # after a send: the sandbox delivers at once, but latency


def _sandbox_url(workspace: Workspace) -> str | None:
    """The sandbox's base URL (its environment's, `app.sandbox_environment`), else None."""
    return str(workspace.environment.base_url) if workspace.is_sandbox else None


class MailboxView(QWidget):
    def __init__(self, workspaces: Workspaces, bus: UiBus, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("mailbox")
        self.workspaces = workspaces
        self.bus = bus
        self.flow = magic_link_flow(workspaces, bus)
        self.runner = TaskRunner(bus, self)
        self.messages: list[dict[str, Any]] = []
        self.list = QTreeWidget(self)
        self.list.setHeaderLabels(
            [self.tr("Time"), self.tr("To"), self.tr("Subject"), self.tr("Code")]
        )
        self.list.setRootIsDecorated(False)
        for column, width in enumerate((150, 180, 170)):
            self.list.setColumnWidth(column, width)
        self.list.setAccessibleName(self.tr("Sandbox outbox"))
        self.list.setToolTip(self.tr("Messages the sandbox delivered, newest first"))
        self.link = QLabel(self)
        self.link.setWordWrap(True)
        self.link.setTextFormat(Qt.TextFormat.PlainText)
        self.link.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.link.setAccessibleName(self.tr("Link of the selected message"))
        self.status = QLabel(self)
        self.status.setWordWrap(True)
        self.status.setAccessibleName(self.tr("Mailbox status"))
        self.refresh_button = QPushButton(icon("refresh"), self.tr("&Refresh"), self)
        self.refresh_button.setToolTip(self.tr("Read the sandbox outbox again"))
        self.refresh_button.setAccessibleName(self.tr("Refresh mailbox"))
        self.open_button = QPushButton(icon("open-session"), self.tr("&Open link"), self)
        self.open_button.setToolTip(
            self.tr("Follow the link like a browser would (completes a pending factor)")
        )
        self.open_button.setAccessibleName(self.tr("Open link"))
        self.code_button = QPushButton(icon("magic-link"), self.tr("Use &code"), self)
        self.code_button.setToolTip(
            self.tr("Complete the recipient's pending factor with the code")
        )
        self.code_button.setAccessibleName(self.tr("Use code"))
        buttons = QHBoxLayout()
        buttons.addWidget(self.refresh_button)
        buttons.addStretch(1)
        buttons.addWidget(self.open_button)
        buttons.addWidget(self.code_button)
        layout = QVBoxLayout(self)
        layout.addLayout(buttons)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.link)
        layout.addWidget(self.status)

        self.refresh_button.clicked.connect(self.refresh)
        self.open_button.clicked.connect(self.open_selected_link)
        self.code_button.clicked.connect(self.use_selected_code)
        self.list.currentItemChanged.connect(self._selected)
        self.flow.sent.connect(self._after_send)
        self.flow.completed.connect(self._completed)
        bus.redaction_changed.connect(lambda _on: self._render())
        bus.environment_changed.connect(self.refresh)
        self._selected()

    # -- reading ----------------------------------------------------------------------------
    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self.messages:  # first look at the tab: read what is there
            self.refresh()

    def refresh(self) -> None:
        url = _sandbox_url(self.workspaces.current)
        if url is None:
            self.messages = []
            self._render()
            self.status.setText(self.tr("The mailbox shows the local sandbox's messages only."))
            return
        self.runner.start(
            "mailbox",
            self._fetch(url),
            busy=[self.refresh_button],
            on_error=self.status.setText,
            report=False,
        )

    async def _fetch(self, base_url: str) -> None:
        async with httpx.AsyncClient(timeout=10.0) as http:
            response = await http.get(f"{base_url}/sandbox/outbox")
            response.raise_for_status()
            payload = response.json()
        self.messages = [m for m in payload if isinstance(m, dict)]
        self._render()
        count = len(self.messages)
        self.status.setText(
            self.tr("1 message") if count == 1 else self.tr("{0} messages").format(count)
        )

    def _after_send(self, *_: Any) -> None:
        for delay in AUTO_REFRESH_DELAYS_MS:
            QTimer.singleShot(delay, self, self.refresh)

    def _render(self) -> None:
        current = self.list.currentIndex().row()
        self.list.clear()
        redact = self.bus.redaction_enabled()
        for message in self.messages:
            recipient = str(message.get("recipient") or "")
            code = str(message.get("code") or "")
            when = str(message.get("time") or "")
            item = QTreeWidgetItem(
                [
                    _time_text(when),
                    mask_email(recipient) if redact and "@" in recipient else recipient,
                    str(message.get("subject") or ""),
                    (code[:4] + "…") if redact and code else code,
                ]
            )
            item.setToolTip(0, when)
            self.list.addTopLevelItem(item)
        if self.messages:
            row = current if 0 <= current < len(self.messages) else 0
            first = self.list.topLevelItem(row)
            if first is not None:
                self.list.setCurrentItem(first)
        self._selected()

    def selected_message(self) -> dict[str, Any] | None:
        row = self.list.currentIndex().row()
        return self.messages[row] if 0 <= row < len(self.messages) else None

    def _selected(self, *_: Any) -> None:
        message = self.selected_message()
        link = str(message.get("link") or "") if message else ""
        hidden = self.bus.redaction_enabled()
        self.link.setText(self.tr("(link hidden while redacting)") if hidden and link else link)
        self.open_button.setEnabled(bool(link) and _is_loopback(link))
        self.code_button.setEnabled(bool(message and message.get("code")))

    # -- acting -----------------------------------------------------------------------------
    def open_selected_link(self) -> None:
        message = self.selected_message()
        link = str(message.get("link") or "") if message else ""
        if not link or not _is_loopback(link):
            self.status.setText(self.tr("Only links to this machine (the sandbox) are opened."))
            return
        self.runner.start(
            "open link", self._open(link), busy=[self.open_button], on_error=self.status.setText
        )

    async def _open(self, link: str) -> None:
        async with httpx.AsyncClient(timeout=30.0, follow_redirects=True) as http:
            response = await http.get(link)
        text = _page_text(response.text)
        self.status.setText(self.tr("Opened the link: {0}").format(text))

    def use_selected_code(self) -> None:
        message = self.selected_message()
        if not message or not message.get("code"):
            return
        recipient = str(message.get("recipient") or "") or None
        session_id = self.flow.pending_session_for(recipient)
        if session_id is None:
            self.status.setText(
                self.tr(
                    "No magic-link factor is waiting for {0}: send one from a session first."
                ).format(recipient or self.tr("this recipient"))
            )
            return
        self.runner.start(
            "use code",
            self.flow.complete(session_id, str(message["code"])),
            busy=[self.code_button],
            on_error=self.status.setText,
        )

    def _completed(self, session_id: str, ok: bool, message: str) -> None:
        self.status.setText(message)


def _is_loopback(link: str) -> bool:
    parts = urlsplit(link)
    return parts.scheme == "http" and parts.hostname in LOOPBACK_HOSTS


def _page_text(html: str) -> str:
    start = html.find("<p>")
    end = html.find("</p>", start)
    if start < 0 or end < 0:
        return html[:200]
    return html[start + 3 : end].replace("&#x27;", "'").replace("&amp;", "&")


def _time_text(value: str) -> str:
    """The sandbox's ISO-8601 time as the rest of the window shows times (local, to the
    second); text that is not a time is shown as it came."""
    try:
        return local_text(datetime.fromisoformat(value))
    except ValueError:
        return value
